#!/bin/sh
# notifications over a real SMTP server (smtp-sink on 127.0.0.1): agents
# on new tickets, replies, assignments and @mentions, watchers, the
# fallback address, never the actor; customer status mails on every
# path; one journal, exactly once under parallel sweeps and a dead mailer.
. "$(dirname "$0")/lib.sh"

SINK=/usr/sbin/smtp-sink
if ! test_have_prereq SMTP_SINK; then
	test_skip 'notification tests' 'smtp-sink not installed'
	test_done
	exit
fi
export RT_NOW=2026-11-23T10:00:00Z TZ=UTC

S="$TRASH/sink"
# sunk KIND: messages of that X-RT-Notify kind received so far
# (one mail may serve several kinds: "reply watch")
sunk() { cat "$S"/* 2>/dev/null | grep -c "^X-RT-Notify: \(.* \)\?$1\( .*\)\?\$"; }
# rcpts KIND: the envelope recipients of the last message of that kind
rcpts() {
	f=$(last_of $1) &&
	sed -n "s/^X-Rcpt-Args: <\(.*\)>/\1/p" "$f" | sort | tr '\n' ' '
}
last_of() { grep -l "^X-RT-Notify: \(.* \)\?$1\( .*\)\?\$" "$S"/* | xargs ls -t | head -n 1; }
# text FILE: the message with its quoted-printable body decoded
text() { python3 -c "import quopri,sys; sys.stdout.buffer.write(quopri.decodestring(open(sys.argv[1],'rb').read()))" "$1"; }
cust() { # FROM MSGID SUBJECT [BODY]
	printf 'From: %s\nTo: support@example.org\nSubject: %s\nMessage-Id: <%s>\n\n%s\n' \
	    "$1" "$3" "$2" "${4:-Please help.}" | rt-ingest
}
field() { sed -n "s/^$2: //p" $(ticket_dir $1)/ticket.yaml | tr -d "'"; }

start_sink "$S" || { test_skip 'notification tests' 'no port for smtp-sink'; test_done; exit; }
new_desk || exit 1

test_expect_success 'setup: agents, a team, notify: and a fallback address' '
	sed -i "s|mailer: .*|mailer: smtp://127.0.0.1:$PORT|" rt.yaml &&
	sed -i "s|^desk:|desk:\n  notify-fallback: lead@example.org|" rt.yaml &&
	cat >>rt.yaml <<-\EOC &&
	agents:
	  anna: {address: anna@example.org, name: Anna, teams: [l1]}
	  bob: {address: bob@example.org, teams: [l1]}
	mail-commands:
	  enabled: true
	  secret: s3cret
	notify:
	  new: [team:l1]
	  reply: owner
	  assign: true
	EOC
	git commit -qm "notify config" rt.yaml
'

test_expect_success 'a new ticket is told to the team l1' '
	cust alice@customer.example n1@x "Printer broken" >id &&
	test "$(sunk new)" = 1 &&
	test "$(rcpts new)" = "anna@example.org bob@example.org " &&
	f=$(last_of new) &&
	grep "^Subject: \[Test #$(cat id)\] new: Printer broken" $f &&
	grep "^Auto-Submitted: auto-generated" $f &&
	grep "^In-Reply-To: <n1@x>" $f &&
	grep "^New ticket in queue general" $f &&
	grep "ev: notify.*kind: new" $(ticket_dir $(cat id))/log.yaml
'
ID=$(cat id)

test_expect_success 'an assignment is told to the new owner, never to the agent who did it' '
	RT_ACTOR="Bob <bob@example.org>" rt-set $ID owner=anna &&
	test "$(sunk assign)" = 1 &&
	test "$(rcpts assign)" = "anna@example.org " &&
	RT_ACTOR="Anna <anna@example.org>" rt-set $ID owner=bob &&
	RT_ACTOR="Bob <bob@example.org>" rt-set $ID owner=bob &&
	RT_ACTOR="Bob <bob@example.org>" rt-set $ID owner=anna &&
	test "$(sunk assign)" = 3 &&
	RT_ACTOR="Anna <anna@example.org>" rt-set $ID owner=anna 2>err &&
	test "$(sunk assign)" = 3
'

test_expect_success 'a customer reply is told to the owner' '
	cust alice@customer.example n2@x "Re: [Test #$ID] Printer broken" "Still broken." &&
	test "$(sunk reply)" = 1 &&
	test "$(rcpts reply)" = "anna@example.org " &&
	grep "^References: <n1@x>" $(last_of reply)
'

test_expect_success 'a note naming @bob is told to bob' '
	RT_ACTOR="Anna <anna@example.org>" rt-comment -m "@bob can you look? anna@example.org" $ID &&
	test "$(sunk mention)" = 1 &&
	test "$(rcpts mention)" = "bob@example.org " &&
	grep "mentions: bob" $(ticket_dir $ID)/log.yaml
'

test_expect_success 'a watcher is told of every change' '
	rt-set $ID watchers+=carl@example.org &&
	n=$(sunk watch) &&
	rt-set $ID priority=high &&
	test "$(sunk watch)" = $((n + 1)) &&
	test "$(rcpts watch)" = "carl@example.org "
'

test_expect_success 'nobody to tell: the fallback address, and a warning' '
	sed -i "s|  new: \[team:l1\]|  new: [owner]|" rt.yaml && git commit -qm "new: owner" rt.yaml &&
	cust dora@customer.example n3@x "Nobody owns me" >id2 2>err &&
	test "$(rcpts new)" = "lead@example.org " &&
	grep "nobody to notify about new: sent to desk.notify-fallback lead@example.org" err
'

test_expect_success 'customer status mail via rt-set: waiting, with <> and RFC 3834 headers' '
	rt-set $ID status=waiting &&
	test "$(sunk waiting)" = 1 &&
	f=$(last_of waiting) &&
	test "$(rcpts waiting)" = "alice@customer.example " &&
	grep "^X-Mail-Args: <>" $f &&
	grep "^Auto-Submitted: auto-generated" $f &&
	grep "waiting for your answer" $f &&
	grep "ev: notify.*kind: waiting" $(ticket_dir $ID)/log.yaml &&
	! grep "ev: mail-out" $(ticket_dir $ID)/log.yaml
'

test_expect_success 'in the customer language, with the translated status name' '
	rt-set $ID language=de status=open &&
	rt-set $ID status=waiting &&
	test "$(sunk waiting)" = 2 &&
	text $(last_of waiting) | grep "wartet auf Ihre Antwort"
'

test_expect_success 'via a mail command: resolved' '
	printf "From: anna@example.org\nTo: support@example.org\nSubject: Re: [Test #%s] x\nMessage-Id: <mc1@x>\n\nStatus: resolved\nSecret: s3cret\n\ndone\n" $ID | rt-ingest &&
	test "$(field $ID status)" = resolved &&
	test "$(sunk resolved)" = 1 &&
	text $(last_of resolved) | grep "Status „gelöst“"
'

test_expect_success 'a reopen by the customer mail: no mail unless configured' '
	cust alice@customer.example n4@x "Re: [Test #$ID] Printer broken" "Geht wieder nicht." &&
	test "$(field $ID status)" != resolved &&
	test "$(sunk reopened)" = 0 &&
	rt-set $ID status=resolved &&
	cat >>rt.yaml <<-\EOC &&
	  customer: {reopen-by-mail: true}
	EOC
	git commit -qm reopen-by-mail rt.yaml &&
	cust alice@customer.example n5@x "Re: [Test #$ID] Printer broken" "Immer noch nicht." &&
	test "$(sunk reopened)" = 1 &&
	text $(last_of reopened) | grep "wieder geöffnet"
'

test_expect_success 'switched off in rt.yaml: no customer mail' '
	sed -i "s|  customer: {reopen-by-mail: true}|  customer: {reopen-by-mail: true, waiting: false}|" rt.yaml &&
	git commit -qm "no waiting mail" rt.yaml &&
	rt-set $ID status=waiting &&
	test "$(sunk waiting)" = 2
'

test_expect_success 'a dead mailer: the change is committed, the mail pending' '
	sed -i "s|mailer: smtp://127.0.0.1:$PORT|mailer: smtp://127.0.0.1:1|" rt.yaml &&
	git commit -qm "mailer down" rt.yaml &&
	sunk resolved >n0 &&
	rt-set $ID status=resolved 2>err &&
	test "$(field $ID status)" = resolved &&
	grep "not sent yet" err &&
	test "$(grep -c "alice@customer.example" .git/rt/notify-journal)" = 1 &&
	test "$(sunk resolved)" = "$(cat n0)"
'

test_expect_success 'two sweeps at once send it exactly once, later' '
	sed -i "s|mailer: smtp://127.0.0.1:1|mailer: smtp://127.0.0.1:$PORT|" rt.yaml &&
	git commit -qm "mailer up" rt.yaml &&
	rt-escalate >out1 2>err1 & p1=$! &&
	rt-escalate >out2 2>err2 & p2=$! &&
	# a sweep that meets the other one at work may exit 75 (retry later)
	{ wait $p1; r1=$?; wait $p2; r2=$?; } &&
	{ test $r1 = 0 || test $r1 = 75; } && { test $r2 = 0 || test $r2 = 75; } &&
	sleep 0.3 &&
	test "$(sunk resolved)" = $(($(cat n0) + 1)) &&
	cat out1 out2 | grep -c "resent to alice@customer.example" >n && echo 1 >expect && test_cmp expect n &&
	test_must_fail test -e .git/rt/notify-journal &&
	rt-escalate >out3 && test_must_fail test -s out3 &&
	test "$(sunk resolved)" = $(($(cat n0) + 1))
'

test_expect_success 'an escalation to owner on an unassigned ticket reaches the fallback' '
	cat >>rt.yaml <<-\EOC &&
	sla:
	  policies:
	    - {name: standard, first-response: 2h, resolution: 16h}
	escalation:
	  levels:
	    - {name: L1, notify: [owner]}
	  triggers:
	    - {on: critical, level: 1}
	EOC
	git commit -qm escalation rt.yaml &&
	cust erik@customer.example n6@x "Everything is down" >id3 &&
	rt-set $(cat id3) priority=critical &&
	rt-escalate >out 2>err &&
	grep "$(cat id3) critical:immediate level 1 notify lead@example.org" out &&
	grep "escalation notifies nobody: sent to desk.notify-fallback" err &&
	test "$(cat "$S"/* | grep -c "^X-RT-Escalation: critical:immediate")" = 1
'

test_done
