#!/bin/sh
# A From or Reply-To that a strict parser refuses but a mail client still
# reads (an unterminated quote, a missing ">", a name without quotes)
# gives the ticket its requestor and name; an empty Reply-To falls back
# to From; nothing that is not one word with an "@" is made an address
. "$(dirname "$0")/lib.sh"

RT_NOW=2026-11-25T10:00:00Z TZ=UTC; export RT_NOW TZ
new_desk desk || exit 1

# mail N HEADER-LINES: a new request
mail() {
	printf "%s\nTo: support@example.org\nSubject: t%s\nMessage-Id: <f%s@x>\n\nhello\n" "$2" "$1" "$1"
}
requestors() { rt-show "$1" | sed -n "s/^requestors *//p"; }

test_expect_success 'an unterminated quote before <addr>: requestor and name' '
	id=$(mail 1 "From: \"Jane Doe <jane@example.com>" | rt-ingest) &&
	test "$(requestors $id)" = jane@example.com &&
	rt-show $id >show && grep "^From: *Jane Doe <jane@example.com>$" show
'

test_expect_success 'a missing ">", a bare name and an open quote in a comment' '
	id2=$(mail 2 "From: <jane2@example.com" | rt-ingest) &&
	id3=$(mail 3 "From: Jane Three jane3@example.com" | rt-ingest) &&
	id4=$(mail 4 "From: jane4@example.com (Jane \"Four" | rt-ingest) &&
	test "$(requestors $id2)" = jane2@example.com &&
	test "$(requestors $id3)" = jane3@example.com &&
	test "$(requestors $id4)" = jane4@example.com
'

test_expect_success 'an encoded name and an unterminated quote: decoded name kept' '
	id=$(mail 5 "From: =?utf-8?q?J=C3=BCrgen?= \"Five <five@example.com>" | rt-ingest) &&
	test "$(requestors $id)" = five@example.com &&
	rt-show $id | grep "^From: .*Jürgen.*<five@example.com>$"
'

test_expect_success 'a broken Reply-To is salvaged too and wins over From' '
	id=$(mail 6 "From: robot@example.net
Reply-To: \"Help Me <helpme@example.com>" | rt-ingest) &&
	test "$(requestors $id)" = helpme@example.com
'

test_expect_success 'an empty Reply-To ("Name" <>) leaves the From as requestor' '
	id=$(mail 9 "From: buyer@example.com
Reply-To: \"KLAUS\" <>" | rt-ingest) &&
	test "$(requestors $id)" = buyer@example.com
'

test_expect_success 'no address is made up: a quote alone, a local part alone' '
	id7=$(mail 7 "From: \"Evil" | rt-ingest) &&
	id8=$(mail 8 "From: eph S. M\" <jom>" | rt-ingest) &&
	test -z "$(requestors $id7)" && test -z "$(requestors $id8)"
'

test_done
