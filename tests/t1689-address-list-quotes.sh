#!/bin/sh
# To and Cc lists are split as RFC 5322 says (libmailutils): a quoted
# display name keeps its comma. A quote or comment that never ends, even
# a hostile one, does not swallow the addresses after it, and a word
# left over from such a name is no address.
. "$(dirname "$0")/lib.sh"

RT_NOW=2026-11-25T10:00:00Z TZ=UTC; export RT_NOW TZ
new_desk desk || exit 1

n=0
# cc_of 'CC VALUE': ingests a mail with that Cc; prints the ticket's cc list
cc_of() {
	n=$((n + 1)) &&
	printf "From: Ann <ann@example.com>\nTo: support@example.org\nCc: %s\nSubject: q%s\nMessage-ID: <q%s@example.com>\n\nhi\n" "$1" $n $n |
	rt-ingest >id && rt-show $(cat id) | sed -n "s/^cc  *//p"
}

test_expect_success 'a quoted display name keeps its comma' '
	test "$(cc_of "\"Doe, John\" <j@x.example>, b@y.example")" = "j@x.example,b@y.example"
'

test_expect_success 'an unterminated quote swallows nothing after it' '
	test "$(cc_of "\"Roe, Rich <r@z.example>, c@w.example")" = "r@z.example,c@w.example" &&
	test "$(cc_of "a@a.example, \"Open <u@u.example>, d@d.example")" = "a@a.example,u@u.example,d@d.example" &&
	test "$(cc_of "\"\\\\\" <e@e.example>, f@f.example")" = "e@e.example,f@f.example"
'

test_expect_success 'nor does an unterminated comment' '
	test "$(cc_of "((( i@i.example, j@j.example")" = "i@i.example,j@j.example"
'

test_expect_success 'the rest of a broken name is no address' '
	test "$(cc_of "\"Doe, John\" <j@x.example>, \"Roe, Rich")" = "j@x.example"
'

test_expect_success 'an address in a quoted name is a name, not a recipient' '
	test "$(cc_of "\"boss@corp.example\" <evil@x.example>, k@k.example")" = "evil@x.example,k@k.example"
'

test_expect_success 'rt-show keeps the quotes a name with a comma needs' '
	printf "From: \"Doe, John\" <john@example.com>\nTo: Ann Other <ann@example.org>, \"Roe, R.\" <r@example.org>\nSubject: show\nMessage-ID: <show@example.com>\n\nhi\n" |
	rt-ingest >id &&
	rt-show $(cat id) >out &&
	grep "^From:    \"Doe, John\" <john@example.com>$" out &&
	grep "^To:      Ann Other <ann@example.org>, \"Roe, R.\" <r@example.org>$" out &&
	rt-show --json $(cat id) >json &&
	test "$(jq -r ".messages[0].from" json)" = "\"Doe, John\" <john@example.com>" &&
	test "$(jq -r ".messages[0].to[1]" json)" = "\"Roe, R.\" <r@example.org>"
'

test_expect_success 'hostile nesting: 30,000 openers, both addresses, quickly' '
	for pat in "(" "\"(" "\\\\\"" "\"\\\\("; do
		v=$(awk -v p="$pat" "BEGIN { for (i = 0; i < 30000; i++) printf \"%s\", p }") &&
		got=$(cc_of "$v <z@z.example>, y@y.example") &&
		test "$got" = "z@z.example,y@y.example" || { echo "$pat: $got"; exit 1; }
	done
'

test_done
