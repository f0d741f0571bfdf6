#!/bin/sh
# rt-reply looks its tickets up before it reads or checks the answer:
# an id that is no ticket is the error even with an empty answer, and a
# typo among several ids sends nothing to any of them
. "$(dirname "$0")/lib.sh"

RT_NOW=2026-11-25T10:00:00Z TZ=UTC; export RT_NOW TZ
new_desk desk || exit 1

test_expect_success 'setup: one ticket' '
	printf "From: Ann <ann@example.com>\nTo: support@example.com\nSubject: help\nMessage-ID: <a1@example.com>\n\nHelp me\n" |
	rt-ingest >id && test -n "$(cat id)"
'

test_expect_code 66 'an empty answer to no ticket: no such ticket, once' '
	rt-reply ZZZZZZZZ </dev/null >out 2>err; rc=$?; cat err;
	echo "rt-reply: #ZZZZZZZZ: no such ticket" >expect && test_cmp expect err && exit $rc
'

test_expect_code 66 'a missing ticket among two: nothing sent to either' '
	before=$(git rev-parse HEAD) &&
	echo Hi | rt-reply $(cat id) ZZZZZZZZ >out 2>err; rc=$?; cat err;
	test ! -s out && test $(wc -l <err) = 1 && grep "#ZZZZZZZZ: no such ticket" err &&
	test "$(git rev-parse HEAD)" = "$before" && exit $rc
'

test_expect_code 66 'an empty answer to a ticket that exists: still empty answer' '
	rt-reply $(cat id) </dev/null 2>err; rc=$?; cat err;
	grep "empty answer, nothing sent" err && exit $rc
'

# Under the desk lock the ticket is read once: the change that records
# the reply starts from that state and log, not from HEAD again. Its
# log.yaml is made a loose object so each read of it opens its file:
# the look-up before the lock, the load under it, and the commit's append.
command -v strace >/dev/null && strace -f -o /dev/null true 2>/dev/null && test_set_prereq STRACE
test_expect_success STRACE 'a reply reads the ticket once under the lock' '
	id=$(cat id) && log=$(git ls-tree -r --name-only HEAD | grep "/$id/log.yaml$") &&
	blob=$(git rev-parse HEAD:$log) && mkdir ../packs && mv .git/objects/pack/* ../packs/ &&
	for p in ../packs/*.pack; do git unpack-objects -q <$p || exit 1; done &&
	test -f .git/objects/$(echo $blob | cut -c1-2)/$(echo $blob | cut -c3-) &&
	echo Thanks | LSAN_OPTIONS=detect_leaks=0 strace -f -o st rt-reply $id >out &&
	git log -1 --format=%s | grep "^reply: #$id" &&
	grep -c "open.*objects/$(echo $blob | cut -c1-2)/$(echo $blob | cut -c3-)\"" st >n &&
	echo 3 >expect && test_cmp expect n
'

test_done
