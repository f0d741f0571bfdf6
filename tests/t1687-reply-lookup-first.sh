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

test_done
