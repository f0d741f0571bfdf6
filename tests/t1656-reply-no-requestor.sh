#!/bin/sh
# rt-reply to a ticket whose mail had no usable From (a broken quoted
# name): one line naming the ticket once, exit 65, nothing sent
. "$(dirname "$0")/lib.sh"

RT_NOW=2026-11-25T10:00:00Z; export RT_NOW
new_desk desk || exit 1

test_expect_success 'setup: a mail whose From is an unterminated quoted name' '
	printf "From: \"Evil\nTo: support@example.org\nSubject: hi\nMessage-Id: <e1@x>\n\nhello\n" |
	rt-ingest >id && test -n "$(cat id)"
'

test_expect_success 'rt-reply: one line, the ticket named once' '
	id=$(cat id) &&
	{ echo Thanks | rt-reply $id >out 2>err; test $? = 65; } &&
	echo "rt-reply: #$id: no requestor address to reply to" >expect &&
	test_cmp expect err && test_must_fail test -s out &&
	! test -e "$TRASH/sent-mail"
'

test_done
