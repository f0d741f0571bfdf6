#!/bin/sh
# A follow-up's log.yaml grows in place in the work tree: its new lines are
# appended to the file, which keeps its inode (no new file, no rename, no
# old file freed), and equals HEAD's. A file that is not HEAD's old text (an
# edit by hand), a symlink or a file with a second link is replaced whole,
# as before, and nothing outside it is written.
. "$(dirname "$0")/lib.sh"

export RT_NOW=2026-11-23T10:00:00Z TZ=UTC
mail() { # mail N [IN-REPLY-TO]
	printf 'From: c%s@example.com\nSubject: printer %s\nMessage-Id: <g%s@x>\n' "$1" "$1" "$1"
	[ -z "$2" ] || printf 'In-Reply-To: <g%s@x>\n' "$2"
	printf '\nthe printer on floor %s is stuck\n' "$1"
}
idof() { rt-ls --all --format "%{id} %{subject}\n" | sed -n "s/ printer $1\$//p"; }
# same_as_head FILE: the work-tree file holds HEAD's blob, byte for byte
same_as_head() { git cat-file blob "HEAD:$1" | cmp - "$1"; }
inode() { stat -c %i "$1"; }

new_desk desk || exit 1
mail 1 | rt-ingest -q || exit 1
ID=$(idof 1) && LOG=$(ticket_dir "$ID")/log.yaml || exit 1

test_expect_success 'a follow-up appends to log.yaml: same inode, equal to HEAD' '
	test -f "$LOG" && i=$(inode "$LOG") && n=$(wc -l <"$LOG") &&
	mail 2 1 | rt-ingest -q && test "$(idof 2)" = "" &&
	test "$(inode "$LOG")" = "$i" && test "$(wc -l <"$LOG")" -gt "$n" &&
	same_as_head "$LOG" &&
	mail 3 1 | rt-ingest -q && test "$(inode "$LOG")" = "$i" && same_as_head "$LOG" &&
	rt-show "$ID" >"$TRASH/shown" && grep -q "printer 3" "$TRASH/shown"
'

test_expect_success 'a log.yaml edited by hand is replaced whole' '
	sed -i "1s/^/# edited /" "$LOG" && i=$(inode "$LOG") &&
	mail 4 1 | rt-ingest -q && same_as_head "$LOG" && test "$(inode "$LOG")" != "$i"
'

test_expect_success 'a shorter log.yaml that is not a prefix is replaced whole' '
	head -c 20 "$LOG" | tr a-z A-Z >"$TRASH/cut" && cat "$TRASH/cut" >"$LOG" &&
	mail 5 1 | rt-ingest -q && same_as_head "$LOG"
'

test_expect_success 'through a symlink nothing is appended: the link is replaced' '
	git cat-file blob "HEAD:$LOG" >"$TRASH/outside" && cp "$TRASH/outside" "$TRASH/outside.before" &&
	rm "$LOG" && ln -s "$TRASH/outside" "$LOG" &&
	mail 6 1 | rt-ingest -q && test ! -L "$LOG" && same_as_head "$LOG" &&
	test_cmp "$TRASH/outside.before" "$TRASH/outside"
'

test_expect_success 'a file with a second link is replaced, the other link untouched' '
	ln "$LOG" "$TRASH/hardlink" && cp "$TRASH/hardlink" "$TRASH/hardlink.before" &&
	mail 7 1 | rt-ingest -q && same_as_head "$LOG" &&
	test_cmp "$TRASH/hardlink.before" "$TRASH/hardlink"
'

test_expect_success 'rt-gc leaves git status clean after appends' '
	mail 8 1 | rt-ingest -q && rt-gc -q && git status --porcelain >"$TRASH/gst" && test_cmp /dev/null "$TRASH/gst"
'

command -v strace >/dev/null && strace -f -o /dev/null true 2>/dev/null && test_set_prereq STRACE
test_expect_success STRACE 'a follow-up makes one work-tree file (its mail) and renames one' '
	mail 9 1 >"$TRASH/m9" &&
	LSAN_OPTIONS=detect_leaks=0 strace -f -o "$TRASH/st" -e trace=openat,rename,mkdir,fsync \
	    rt-ingest -q <"$TRASH/m9" &&
	grep -v "= -1 " "$TRASH/st" | grep "O_CREAT" | grep -c "/tickets/" >"$TRASH/made" && echo 1 >"$TRASH/expect" &&
	test_cmp "$TRASH/expect" "$TRASH/made" &&
	grep -v "= -1 " "$TRASH/st" | grep "^[0-9]* *rename(" | grep -c "/tickets/" >"$TRASH/renamed" &&
	test_cmp "$TRASH/expect" "$TRASH/renamed" &&
	grep -v "= -1 " "$TRASH/st" | grep -c "O_RDWR|O_NOFOLLOW" >"$TRASH/grown" &&
	test_cmp "$TRASH/expect" "$TRASH/grown" && same_as_head "$LOG"
'

test_done
