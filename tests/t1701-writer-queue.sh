#!/bin/sh
# rt-ingest behind a held desk lock: a writer past RT_LOCK_TIMEOUT defers
# (75) and changes nothing, and writers waiting for the desk are served in
# the order they came (moved out of t1100, which need not run alone).
# run.sh: alone (writers queue behind a lock held for fixed sleeps)
. "$(dirname "$0")/lib.sh"

new_desk desk

mail() { # mail MSGID SUBJECT
	printf 'From: Kunde <kunde@example.com>\nTo: support@example.org\nSubject: %s\nMessage-Id: <%s>\nDate: Mon, 23 Nov 2026 10:00:00 +0000\n\nHallo,\nder Drucker druckt nicht.\n' "$2" "$1"
}

# The lock is held until the writer has given up, however slow its start
# (valgrind, a loaded machine): no fixed sleep decides who holds it.
test_expect_code 75 'a locked desk gives EX_TEMPFAIL and changes nothing' '
	before=$(git rev-parse HEAD) && rm -f held release
	( flock 9; : >held; n=0
	  while [ ! -f release ] && [ $n -lt 600 ]; do sleep 0.1; n=$((n + 1)); done ) 9>.git/rt/lock &
	n=0; while [ ! -f held ] && [ $n -lt 600 ]; do sleep 0.1; n=$((n + 1)); done
	mail m9@example.com "locked" | RT_LOCK_TIMEOUT=1 rt-ingest; rc=$?;
	: >release; wait;
	test "$(git rev-parse HEAD)" = "$before" && test -z "$(ls .git/rt/tmp)" && exit $rc
'

# flock(2) wakes all waiters and one wins the race: with the first one
# stopped for a moment, the others would pass it. The desk's queue keeps
# the order (up to a few seconds for a stopped one).
test_expect_success !VALGRIND 'writers waiting for the desk are served in the order they came' '
	( flock 9; sleep 2.6 ) 9>.git/rt/lock &
	sleep 0.2 && mail q1@example.com "queued 1" >q1.eml &&
	{ rt-ingest -q <q1.eml & } && first=$! && sleep 0.4 && kill -STOP $first &&
	for i in 2 3 4 5 6; do
		mail q$i@example.com "queued $i" >q$i.eml &&
		{ rt-ingest -q <q$i.eml & } && sleep 0.3 || return 1
	done &&
	sleep 1 && kill -CONT $first && wait &&
	git log -6 --reverse --format=%s | sed -n "s/.*queued \([0-9]\)$/\1/p" | tr -d "\n" >order &&
	printf 123456 >expect && test_cmp expect order
'

test_done
