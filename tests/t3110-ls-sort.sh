#!/bin/sh
# rt-ls --sort: missing values last, numbers as numbers, --json sorted or not
. "$(dirname "$0")/lib.sh"
export RT_NOW=2026-11-23T12:00:00Z

mail() { # mail MSGID SUBJECT
	printf 'From: c@example.com\nTo: support@example.org\nSubject: %s\nMessage-Id: <%s>\nDate: Mon, 23 Nov 2026 10:00:00 +0000\n\nHello\n' \
	    "$2" "$1"
}

new_desk || exit 1
printf 'fields:\n  hours:\n    type: number\n' >>rt.yaml
test_expect_success 'setup: hours 9, 10 and none; due on two' '
	mail a1@x "say \"hi\"" | rt-ingest >$TRASH/a &&
	mail a2@x "b" | rt-ingest >$TRASH/b &&
	mail a3@x "c" | rt-ingest >$TRASH/c &&
	rt-set $(cat $TRASH/a) hours=9 due=2026-11-24T12:00:00Z >/dev/null &&
	rt-set $(cat $TRASH/c) hours=10 due=2026-11-25T12:00:00Z >/dev/null
'
A=$(cat $TRASH/a) B=$(cat $TRASH/b) C=$(cat $TRASH/c)

test_expect_success 'numbers sort as numbers, missing values last' '
	rt-ls --ids --sort hours >actual &&
	printf "%s\n" $A $C $B >expect && test_cmp expect actual
'
test_expect_success 'missing values stay last when descending' '
	rt-ls --ids --sort -due >actual &&
	printf "%s\n" $C $A $B >expect && test_cmp expect actual &&
	rt-ls --ids --sort -hours >actual &&
	printf "%s\n" $C $A $B >expect && test_cmp expect actual
'
test_expect_success 'sorted --json holds the same records as unsorted' '
	rt-ls --json --sort -hours >sorted && rt-ls --json >plain &&
	head -1 sorted | grep "^\[$" && tail -1 sorted | grep "^\]$" &&
	sed -n 2p sorted | grep "\"id\":\"$C\"" &&
	grep -F "say \\\"hi\\\"" sorted &&
	sed "s/,$//" sorted | sort >a && sed "s/,$//" plain | sort >b && test_cmp a b
'
test_expect_success 'an empty result is an empty array, sorted or not' '
	rt-ls --json --status closed >out && echo "[]" >expect && test_cmp expect out &&
	rt-ls --json --status closed --sort id >out && test_cmp expect out
'
test_done
