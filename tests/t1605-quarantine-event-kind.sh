#!/bin/sh
# A payload the event parser refuses for its own reasons (a CSV quote
# never closed, a line over ingest.max-line-bytes) is kept as an event:
# rt-quarantine listed it as mail and re-ingested it as mail
. "$(dirname "$0")/lib.sh"

new_desk desk || exit 1

test_expect_code 65 'an unterminated CSV quote is quarantined' '
	# the corpus'"'"'s Asterisk CDR whose last field never closes its quote
	printf "\"\",\"test\",\"100\",\"context\",\"\"\"Test User\"\" <test>\",\"SIP/test-02897fd8\",\"\",\"Hangup\",\"\",\"2009-01-14 23:51:15\",\"2009-01-14 23:51:15\",\"2009-01-14 23:51:20\",5,5,\"ANSWERED\",\"DOCUMENTATION\",\"1231977075.0\",\"\n" >bad.csv &&
	cmp bad.csv "$CORPUS/events/phone-cdr/asterisk_cdr_buggy.csv" || test ! -d "$CORPUS" &&
	rt-ingest --event bad.csv 2>err; rc=$?; cat err; exit $rc
'

test_expect_success 'it is listed and described as an event' '
	grep "unterminated quoted field" err &&
	rt-quarantine >list && cat list &&
	grep "event.*unterminated quoted field" list &&
	! grep " mail .*unterminated" list &&
	grep -x "kind: .*event.*" quarantine/*/*.yaml
'

test_expect_success 're-ingesting it goes through the event path again' '
	id=$(rt-quarantine | awk "/unterminated/ {print \$1}") &&
	test_must_fail rt-quarantine reingest $id 2>err2; cat err2 &&
	grep "unterminated quoted field" err2 &&
	! grep "not a mail message" err2
'

test_expect_success 'a log line over ingest.max-line-bytes too' '
	sed -i "s/^  max-line-bytes: .*/  max-line-bytes: 64/" rt.yaml && rt-gc -q && git commit -qam "short lines" &&
	{ printf "[1242341771] SERVICE ALERT: web;HTTP;CRITICAL;HARD;3;"; printf "%0200d\n" 0; } >long.log &&
	test_must_fail rt-ingest --event long.log 2>err3 && cat err3 &&
	rt-quarantine >list && grep "event.*longer than" list
'

test_done
