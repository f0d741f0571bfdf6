#!/bin/sh
# rt-reply: RFC 3834 loop protection for automatic replies
. "$(dirname "$0")/lib.sh"

sendmail_recorder
export RT_NOW=2026-11-23T10:00:00Z
sent() { ls "$SM_DIR" | wc -l; }
mail() { # mail MSGID FROM [EXTRA-HEADER]
	printf 'From: %s\nTo: support@example.org\nSubject: Question %s\nMessage-ID: <%s>\n' "$2" "$1" "$1"
	[ -n "${3:-}" ] && printf '%s\n' "$3"
	printf '\nHello\n'
}

test_expect_success 'setup' '
	new_desk &&
	sed -i "s|mailer: .*|mailer: sendmail://$TRASH/sendmail|" rt.yaml &&
	git commit -qm "a program mailer: committed (rt-desk(5), TRUST)" rt.yaml
'
cd desk 2>/dev/null || true

test_expect_success 'no ack to Auto-Submitted mail; exit 0, nothing printed or recorded' '
	mail a1@x.example "robot@x.example" "Auto-Submitted: auto-replied" | rt-ingest >id &&
	grep "ev: mail-in.*auto: .true." $(ticket_dir $(cat id))/log.yaml &&
	before=$(git rev-parse HEAD) && n=$(sent) &&
	rt-reply --template ack $(cat id) >out 2>err &&
	test ! -s out &&
	grep "nothing sent: the triggering mail a1@x.example is automatic" err &&
	test "$(git rev-parse HEAD)" = "$before" && test "$(sent)" = "$n"
'

test_expect_success 'no ack to Precedence: bulk' '
	mail a2@x.example "news@x.example" "Precedence: bulk" | rt-ingest >id &&
	n=$(sent) &&
	rt-reply --template ack $(cat id) >out 2>err && test ! -s out &&
	test "$(sent)" = "$n"
'

test_expect_success 'a person may still answer automatic mail' '
	echo "Manual answer" | rt-reply $(cat id) >out &&
	test -s out && test "$(sent)" = "$(( n + 1 ))"
'

test_expect_success 'no automatic reply to the desk itself or to MAILER-DAEMON' '
	mail a3@x.example "support@example.org" | rt-ingest >id3 &&
	mail a4@x.example "MAILER-DAEMON@mx.example" | rt-ingest >id4 &&
	n=$(sent) &&
	rt-reply --template ack $(cat id3) $(cat id4) >out 2>err &&
	test ! -s out && test "$(sent)" = "$n" &&
	grep "the desk.s own address" err &&
	grep "#$(cat id4): nothing sent: the triggering mail a4@x.example is automatic" err
'

test_expect_success 'no automatic reply to noreply addresses; --auto makes any reply automatic' '
	mail a5@x.example "Shop <noreply@shop.example>" | rt-ingest >id5 &&
	n=$(sent) &&
	rt-reply --template ack $(cat id5) >out 2>err && test ! -s out &&
	grep "noreply@shop.example. is a mailer or robot address" err &&
	echo "hi" | rt-reply --auto $(cat id5) >out 2>err && test ! -s out &&
	test "$(sent)" = "$n"
'

test_expect_success 'one automatic reply per requestor and interval, across tickets' '
	mail b1@y.example "Customer <cust@y.example>" | rt-ingest >b1 &&
	mail b2@y.example "Customer <cust@y.example>" | rt-ingest >b2 &&
	n=$(sent) &&
	cat b1 b2 | rt-reply --template ack >out 2>err &&
	test_cmp b1 out &&
	test "$(sent)" = "$(( n + 1 ))" &&
	grep "cust@y.example. got an automatic reply within reply.auto-interval (#$(cat b1) at 2026-11-23T10:00:00Z)" err &&
	! grep "ev: mail-out" $(ticket_dir $(cat b2))/log.yaml
'

test_expect_success 'after the interval the next automatic reply goes out' '
	RT_NOW=2026-11-24T10:00:01Z rt-reply --template ack $(cat b2) >out &&
	test_cmp b2 out
'

test_expect_success 'reply.auto-interval is configurable' '
	printf "reply:\n  auto-interval: 1h\n" >>rt.yaml &&
	mail c1@z.example "c@z.example" | RT_NOW=2026-11-25T10:00:00Z rt-ingest >c1 &&
	mail c2@z.example "c@z.example" | RT_NOW=2026-11-25T10:00:00Z rt-ingest >c2 &&
	RT_NOW=2026-11-25T10:00:00Z rt-reply --template ack $(cat c1) >out && test_cmp c1 out &&
	RT_NOW=2026-11-25T10:30:00Z rt-reply --template ack $(cat c2) >out && test ! -s out &&
	RT_NOW=2026-11-25T11:00:01Z rt-reply --template ack $(cat c2) >out && test_cmp c2 out
'

test_expect_code 78 'a bad interval is a configuration error' '
	sed -i "s/auto-interval: 1h/auto-interval: soon/" rt.yaml &&
	rt-reply --template ack $(cat c1) 2>err; rc=$?;
	cat err && grep "rt.yaml:[0-9]*:[0-9]*: reply.auto-interval must be a duration" err &&
	exit $rc
'

test_expect_success 'header injection through the subject is impossible' '
	sed -i "s/auto-interval: soon/auto-interval: 0/" rt.yaml &&
	printf "From: evil@w.example\nTo: support@example.org\nSubject: =?UTF-8?Q?hi=0D=0ABcc:_victim@w.example?=\nMessage-ID: <inj@w.example>\n\nx\n" | rt-ingest >inj &&
	rt-reply --template ack $(cat inj) >out && test_cmp inj out &&
	m=$(ls -t "$SM_DIR"/msg.* | head -n 1) &&
	! grep -i "^Bcc:" $m
'

test_done
