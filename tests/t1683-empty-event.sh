#!/bin/sh
# Empty input is not mail and not an event: rt-ingest exits 65 for both
# (an MTA or a hook treats it as refused input, not as a missing file),
# one line naming the input, nothing stored; a missing file stays 66
. "$(dirname "$0")/lib.sh"

RT_NOW=2026-11-25T10:00:00Z TZ=UTC; export RT_NOW TZ
new_desk desk || exit 1

test_expect_code 65 'an empty --event file: 65, its name, nothing stored' '
	before=$(git rev-parse HEAD) && : >empty.json &&
	rt-ingest --event empty.json >out 2>err; rc=$?
	cat err &&
	echo "rt-ingest: empty.json: empty input is not an event, nothing stored" >expect &&
	test_cmp expect err && test ! -s out &&
	test "$(git rev-parse HEAD)" = "$before" && exit $rc
'

test_expect_code 65 'an empty event on stdin: 65 as empty mail on stdin is' '
	before=$(git rev-parse HEAD) &&
	rt-ingest --event </dev/null 2>err; rc=$?
	cat err && grep "^rt-ingest: <stdin>: empty input is not an event" err &&
	rt-ingest </dev/null 2>err2; test $? = 65 &&
	test "$(git rev-parse HEAD)" = "$before" && exit $rc
'

test_expect_code 66 'a missing --event file is still 66' '
	rt-ingest --event nosuch.json 2>err; rc=$?
	grep "nosuch.json" err && exit $rc
'

test_done
