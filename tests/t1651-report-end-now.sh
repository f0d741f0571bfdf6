#!/bin/sh
# The default period ends now (this second included) and is shown so:
# 30 days before now .. now, not one second later, in text, CSV, JSON and
# HTML; an explicit --until is shown as given (exclusive)
. "$(dirname "$0")/lib.sh"

RT_NOW=2026-11-25T10:00:00Z; export RT_NOW
new_desk desk || exit 1

test_expect_success 'setup: a ticket made this very second' '
	printf "From: a@example.com\nSubject: just now\nMessage-Id: <now@x>\n\nhi\n" | rt-ingest -q
'

test_expect_success 'text: the period is 30 days before now .. now' '
	rt-report >out &&
	grep "^period 2026-10-26T10:00:00Z .. 2026-11-25T10:00:00Z," out
'

test_expect_success 'JSON: since and until, and the last day ends now' '
	rt-report --json --by day >r &&
	jq -r "[.since, .until, .groups[-1].to, .total.created] | @tsv" r >got &&
	printf "2026-10-26T10:00:00Z\t2026-11-25T10:00:00Z\t2026-11-25T10:00:00Z\t1\n" >want &&
	test_cmp want got
'

test_expect_success 'CSV and HTML show the same end' '
	rt-report --csv --by day >c && grep "2026-11-25T10:00:00Z" c &&
	! grep "10:00:01Z" c &&
	rt-report --html >h && grep "2026-11-25T10:00:00Z" h && ! grep "10:00:01Z" h
'

test_expect_success 'an explicit --until is shown as given' '
	rt-report --since 2026-11-01 --until 2026-11-30 >out &&
	grep "^period 2026-11-01T00:00:00Z .. 2026-12-01T00:00:00Z," out
'

test_done
