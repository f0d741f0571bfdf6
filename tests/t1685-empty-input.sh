#!/bin/sh
# Empty input is one rule on every intake path: not mail (or not an
# event), kept in quarantine, 65, one line naming the input. An empty
# mbox file or Maildir is an empty mailbox: 0, "no messages" unless -q.
. "$(dirname "$0")/lib.sh"

RT_NOW=2026-11-25T10:00:00Z TZ=UTC; export RT_NOW TZ
new_desk desk || exit 1

# empty_kept LABEL KIND: err is one line naming LABEL, the commit a quarantine
empty_kept() {
	test $(wc -l <err) = 1 &&
	grep "^rt-ingest: $1: $2: empty input (kept in quarantine as 2026" err &&
	git log -1 --format=%s | grep "^quarantine: $2: empty input" &&
	test "$(rt-ls --all | wc -l)" = 1
}

test_expect_code 65 'empty mail on stdin: quarantined, 65, <stdin> named' '
	: >empty && rt-ingest <empty >out 2>err; rc=$?; cat err;
	test ! -s out && empty_kept "<stdin>" "not a mail message" && exit $rc
'

test_expect_code 65 'an empty --event file: the same, the file named' '
	rt-ingest --event empty >out 2>err; rc=$?; cat err;
	test ! -s out && empty_kept empty "not an event" && exit $rc
'

test_expect_code 65 'an empty event on stdin: the same' '
	RT_NOW=2026-11-25T10:00:01Z rt-ingest --event </dev/null 2>err; rc=$?; cat err;
	empty_kept "<stdin>" "not an event" && exit $rc
'

test_expect_code 65 'an empty file in a Maildir: the same, the file named' '
	mkdir -p md/new md/cur md/tmp && : >md/new/1.host &&
	RT_NOW=2026-11-25T10:00:02Z rt-ingest --maildir md 2>err; rc=$?; cat err;
	empty_kept md/new/1.host "not a mail message" && exit $rc
'

test_expect_success 'rt-quarantine lists all four, each with its reason' '
	rt-quarantine >list && cat list &&
	test $(grep -c "empty input" list) -ge 3
'

test_expect_success 'an empty mbox or Maildir: 0, "no messages", nothing committed' '
	before=$(git rev-parse HEAD) && mkdir -p md2/new md2/cur md2/tmp &&
	rt-ingest --mbox empty >out 2>err && test ! -s out &&
	echo "rt-ingest: empty: no messages" >expect && test_cmp expect err &&
	rt-ingest --maildir md2 >out 2>err && test ! -s out &&
	echo "rt-ingest: md2: no messages" >expect && test_cmp expect err &&
	printf "\n\n" >blank && rt-ingest --mbox blank 2>err &&
	grep "blank: no messages" err &&
	test "$(git rev-parse HEAD)" = "$before"
'

test_expect_success '-q: an empty mailbox is silent' '
	rt-ingest -q --mbox empty >out 2>err && test ! -s out && test ! -s err &&
	rt-ingest -q --maildir md2 2>err && test ! -s err
'

test_expect_code 66 'a missing --event file is still 66' '
	rt-ingest --event nosuch.json 2>err; rc=$?
	grep "nosuch.json" err && exit $rc
'

test_done
