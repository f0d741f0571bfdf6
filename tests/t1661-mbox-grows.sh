#!/bin/sh
# rt-ingest --mbox grows a follow-up's log.yaml in place as one mail on
# standard input does (t1640): the same inode, equal to HEAD's; a
# log.yaml edited by hand is still replaced whole.
. "$(dirname "$0")/lib.sh"

export RT_NOW=2026-11-23T10:00:00Z TZ=UTC
mail() { # mail N [IN-REPLY-TO]
	printf 'From c%s@example.com Mon Nov 23 10:00:00 2026\n' "$1"
	printf 'From: c%s@example.com\nSubject: printer %s\nMessage-Id: <m%s@x>\n' "$1" "$1" "$1"
	[ -z "${2:-}" ] || printf 'In-Reply-To: <m%s@x>\n' "$2"
	printf '\nthe printer on floor %s is stuck\n\n' "$1"
}
idof() { rt-ls --all --format "%{id} %{subject}\n" | sed -n "s/ printer $1\$//p"; }
same_as_head() { git cat-file blob "HEAD:$1" | cmp - "$1"; }
inode() { stat -c %i "$1"; }

new_desk desk || exit 1
mail 1 >"$TRASH/one" && rt-ingest -q --mbox "$TRASH/one" || exit 1
ID=$(idof 1) && LOG=$(ticket_dir "$ID")/log.yaml || exit 1

test_expect_success 'follow-ups in an mbox append to log.yaml: same inode, equal to HEAD' '
	test -f "$LOG" && i=$(inode "$LOG") && n=$(wc -l <"$LOG") &&
	{ mail 2 1 && mail 3 1; } >"$TRASH/two" && rt-ingest -q --mbox "$TRASH/two" &&
	test "$(idof 2)" = "" && test "$(idof 3)" = "" &&
	test "$(inode "$LOG")" = "$i" && test "$(wc -l <"$LOG")" -gt "$n" &&
	same_as_head "$LOG"
'

test_expect_success 'an mbox follow-up to a log.yaml edited by hand replaces it whole' '
	sed -i "1s/^/# edited /" "$LOG" && i=$(inode "$LOG") &&
	mail 4 1 >"$TRASH/four" && rt-ingest -q --mbox "$TRASH/four" &&
	same_as_head "$LOG" && test "$(inode "$LOG")" != "$i"
'

test_done
