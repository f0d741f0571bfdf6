#!/bin/sh
# A batch (rt-ingest --mbox) beside single deliveries: the work-tree files
# a batch group queued are written before it lets go of the desk lock, so
# a delivery that grows a ticket's log.yaml in place never finds the
# batch's older copy renamed over it afterwards: the work tree equals HEAD.
# Both write a work-tree file alike (worktree_file): a batch's follow-up
# grows log.yaml in place too, which keeps its inode (tail -f follows it).
. "$(dirname "$0")/lib.sh"

export RT_NOW=2026-11-23T10:00:00Z TZ=UTC
# mail N [REPLY-TO-N]: a small mail, a follow-up to mail REPLY-TO-N when given
mail() {
	printf 'From: c%s@example.com\nSubject: printer %s\nMessage-Id: <w%s@x>\n' "$1" "$1" "$1"
	[ -z "${2:-}" ] || printf 'In-Reply-To: <w%s@x>\n' "$2"
	printf '\nthe printer on floor %s is stuck\n' "$1"
}
from_() { printf 'From MAILER-DAEMON Mon Nov 23 10:00:00 2026\n'; }
# big N: a new ticket of 2.2 MB, more than a batch group holds in memory
# (TXN_BATCH_BYTES): its commit writes the group, however fast or slow
big() {
	printf 'From: c%s@example.com\nSubject: printer %s\nMessage-Id: <w%s@x>\n\n' "$1" "$1" "$1"
	yes "the log the printer printed before it stopped, line after line" | head -n 35000; echo
}
idof() { rt-ls --all --format "%{id} %{subject}\n" | sed -n "s/ printer $1\$//p"; }
# same_as_head FILE: the work-tree file holds HEAD's blob, byte for byte
same_as_head() { git cat-file blob "HEAD:$1" | cmp - "$1"; }
inode() { stat -c %i "$1"; }
# clean [PATH...]: the work tree equals HEAD, against a scratch index (the
# desk's lags until rt-gc, which would repair what it finds)
clean() {
	rm -f "$TRASH/scratch.idx" && GIT_INDEX_FILE=$TRASH/scratch.idx git read-tree HEAD &&
	GIT_INDEX_FILE=$TRASH/scratch.idx git diff --quiet -- "$@" && rm -f "$TRASH/scratch.idx"
}
# wait_for FILE: up to a minute
wait_for() { _w=0; while [ ! -f "$1" ] && [ $_w -lt 600 ]; do sleep 0.1; _w=$((_w + 1)); done; test -f "$1"; }

new_desk desk || exit 1
mail 1 | rt-ingest -q || exit 1
ID=$(idof 1) && LOG=$(ticket_dir "$ID")/log.yaml || exit 1

# The batch's work-tree thread is held (RT_TEST_WORKTREE_HOLD) before it
# writes a log.yaml of the group the big mail closed: a follow-up to
# ticket 1 (in the group) is still queued. A single delivery to ticket 1
# now must wait for the desk; had the batch let go of it, the delivery
# would grow log.yaml and the held older copy replace it on release.
test_expect_success 'a delivery beside a batch group: the group is written first, log.yaml equals HEAD' '
	{ from_; mail 2 1; echo; from_; big 3; } >"$TRASH/group.mbox" &&
	rm -rf "$TRASH/hold" && mkdir "$TRASH/hold" &&
	{ RT_TEST_WORKTREE_HOLD=$TRASH/hold rt-ingest -q --mbox "$TRASH/group.mbox" & } && batch=$! &&
	wait_for "$TRASH/hold/held" &&
	if flock -n .git/rt/lock true; then
		echo "the desk lock is free while the batch still writes the work tree" &&
		: >"$TRASH/free" && mail 4 1 | rt-ingest -q && : >"$TRASH/hold/release"
	else
		{ mail 4 1 | rt-ingest -q & } && single=$! &&
		: >"$TRASH/hold/release" && wait $single
	fi &&
	wait $batch && test "$(idof 2)$(idof 4)" = "" && git show HEAD:"$LOG" | grep -q "printer 4" &&
	same_as_head "$LOG" && clean && test ! -f "$TRASH/free"
'

test_expect_success 'a batch follow-up to an existing ticket grows its log.yaml: same inode' '
	i=$(inode "$LOG") && n=$(wc -l <"$LOG") &&
	{ from_; mail 5 1; echo; from_; mail 6; echo; from_; mail 7 1; } >"$TRASH/follow.mbox" &&
	rt-ingest -q --mbox "$TRASH/follow.mbox" && test "$(idof 5)$(idof 7)" = "" &&
	test "$(inode "$LOG")" = "$i" && test "$(wc -l <"$LOG")" -gt "$n" &&
	git show HEAD:"$LOG" | grep -q "printer 7" && same_as_head "$LOG" && clean
'

test_expect_success 'a new ticket'"'"'s log.yaml in a batch, followed up in the same group, equals HEAD' '
	{ from_; mail 8; echo; from_; mail 9 8; } >"$TRASH/new.mbox" &&
	rt-ingest -q --mbox "$TRASH/new.mbox" && id=$(idof 8) && test -n "$id" &&
	l=$(ticket_dir "$id")/log.yaml && git show HEAD:"$l" | grep -q "printer 9" &&
	same_as_head "$l" && clean
'

# Not timed: groups cut by size and deliveries wherever they fall; at the
# end the work tree is HEAD'"'"'s and ticket 1'"'"'s log.yaml the same file.
test_expect_success 'batch groups and single deliveries interleaved: the work tree equals HEAD' '
	i=$(inode "$LOG") &&
	for k in 10 12 14; do from_; mail $k 1; echo; from_; big $((k + 1)); echo; done >"$TRASH/mixed.mbox" &&
	{ rt-ingest -q --mbox "$TRASH/mixed.mbox" & } && batch=$! &&
	for k in 20 21 22 23 24 25; do mail $k 1 | rt-ingest -q || exit 1; done &&
	wait $batch &&
	for k in 10 12 14 20 21 22 23 24 25; do
		git show HEAD:"$LOG" | grep -q "printer ${k}[^0-9]" || { echo "no printer $k"; exit 1; }
	done &&
	same_as_head "$LOG" && test "$(inode "$LOG")" = "$i" && clean
'

test_done
