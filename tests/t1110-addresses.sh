#!/bin/sh
# hostile address lists and header bytes: linear, whole, no over-read
. "$(dirname "$0")/lib.sh"
export RT_NOW=2026-11-23T10:00:00Z

new_desk || exit 1

test_expect_success '100,000 Cc addresses are parsed and stored (linear parsing)' '
	awk "BEGIN { printf \"From: a@b.example\\nTo: support@example.org\\nSubject: many\\nMessage-Id: <many@x>\\nCc: \";
	    for (i = 1; i < 100000; i++) printf \"u%d@example.net, \", i;
	    printf \"last@example.net\\n\\nhi\\n\" }" >many.eml &&
	test $(wc -c <many.eml) -gt 1900000 &&
	timeout 120 rt-ingest <many.eml >id &&
	id=$(cat id) &&
	test $(grep "^cc:" $(ticket_dir $id)/ticket.yaml | grep -o "@example.net" | wc -l) = 100000 &&
	grep "^cc: \[u1@example.net, u2@example.net," $(ticket_dir $id)/ticket.yaml &&
	grep "last@example.net\]" $(ticket_dir $id)/ticket.yaml
'

test_expect_success 'duplicate Cc addresses are stored once, in order' '
	printf "From: a@b.example\nTo: support@example.org, x@y.example\nCc: z@y.example, x@y.example, a@b.example, w@y.example, z@y.example\nSubject: dup\nMessage-Id: <dup@x>\n\nhi\n" |
	    rt-ingest >id &&
	grep "^cc: \[x@y.example, z@y.example, w@y.example\]" $(ticket_dir $(cat id))/ticket.yaml
'

test_expect_success 'a quoted local part with a comma stays one requestor' '
	printf "From: \"John Doe\" <\"doe, john\"@example.org>\nTo: support@example.org\nSubject: comma\nMessage-Id: <comma@x>\n\nhi\n" |
	    rt-ingest >id && id=$(cat id) &&
	grep "^requestors: \[.\"doe, john\"@example.org.\]$" $(ticket_dir $id)/ticket.yaml &&
	rt-set $id priority=high &&
	grep "^requestors: \[.\"doe, john\"@example.org.\]$" $(ticket_dir $id)/ticket.yaml &&
	rt-show --json $id >json && grep "\"doe, john\\\\\"@example.org" json &&
	echo "Hello." | rt-reply --dry-run $id >dry &&
	grep "^To: \"John Doe\" <\"doe, john\"@example.org>$" dry
'

test_expect_success 'a comma in a quoted list item survives a hand-edited ticket' '
	id=$(cat id) && rt-gc -q &&
	# format 2: a hand edit is a set event appended to the log
	printf "%s\n" "- {at: '"'"'2026-11-25T10:00:01Z'"'"', by: hand, ev: set, field: requestors, old: '"'"'\"doe, john\"@example.org'"'"', new: '"'"'\"a, b\"@x.example,c@x.example  d@x.example'"'"'}" \
		>>$(ticket_dir $id)/log.yaml && tail -1 $(ticket_dir $id)/log.yaml &&
	git commit -qam "hand edit" && rt-set $id priority=low && cat $(ticket_dir $id)/ticket.yaml &&
	grep "^requestors: \[.\"a, b\"@x.example., .c@x.example  d@x.example.\]$" $(ticket_dir $id)/ticket.yaml
'

for input in 'From \0x@y Mon Nov 23 10:00:00 2026\nFrom: a@b.example\nSubject: nul\n\nhi\n' \
    'From \0' '\n\nFrom \0\n\nFrom \t\0\n' 'From \0\nFrom: a\0@b.example\nSub\0ject: x\n\nhi\0\n'; do
	test_expect_success "NUL bytes before the body never reach libmailutils ($(printf "%s" "$input" | head -c 24))" '
		printf "$input" >nul.eml &&
		rt-ingest <nul.eml >out 2>err; rc=$?;
		cat out err; test $rc = 0 || test $rc = 65
	'
done
test_expect_success 'the NUL mail is stored byte-exact' '
	printf "From \0x@y Mon Nov 23 10:00:00 2026\nFrom: a@b.example\nSubject: nul2\nMessage-Id: <nul2@x>\n\nhi\n" >nul2.eml &&
	id=$(rt-ingest <nul2.eml) && cmp nul2.eml $(ticket_dir $id)/msg/*.eml &&
	rt-show $id | grep "^Subject: nul2"
'
test_expect_success 'the words of a non-ASCII name keep the space between them (mail in, rt-new, the mail rt writes)' '
	printf "From: 山田 太郎 <yamada@example.jp>\nTo: support@example.org, =?UTF-8?Q?Ann?= Ünal <ann@example.de>\nSubject: names\nMessage-Id: <names@x>\n\nhi\n" |
	    rt-ingest >id && id=$(cat id) &&
	rt-show --json "$id" | jq -r ".messages[0].from, .messages[0].to[1]" >names &&
	printf "%s\n" "山田 太郎 <yamada@example.jp>" "Ann Ünal <ann@example.de>" >expect &&
	test_cmp expect names &&
	id=$(rt-new -r "山田 太郎 محمد <yamada2@example.jp>" -c phone --subject names -m hi) &&
	rt-show --raw 1 "$id" >raw &&
	python3 -c "import email, sys; m = email.message_from_binary_file(open(sys.argv[1], \"rb\")); print(str(email.header.make_header(email.header.decode_header(m[\"From\"]))))" raw >from &&
	echo "山田 太郎 محمد <yamada2@example.jp>" >expect && test_cmp expect from
'

test_done
