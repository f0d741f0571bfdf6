#!/bin/sh
# a status query by mail: the sender's own open tickets, only to the
# sender, rate-limited, never to automatic mail (smtp-sink on 127.0.0.1)
. "$(dirname "$0")/lib.sh"

if ! test_have_prereq SMTP_SINK; then
	test_skip 'status query tests' 'smtp-sink not installed'
	test_done
	exit
fi
export RT_NOW=2026-11-25T10:00:00Z

S="$TRASH/sink"
sent() { ls "$S" | wc -l; }
# last: the newest message the sink received
last() { ls -t "$S"/* | head -n 1; }
text() { python3 -c "import quopri,sys; sys.stdout.buffer.write(quopri.decodestring(open(sys.argv[1],'rb').read()))" "$1"; }
rcpts() { sed -n "s/^X-Rcpt-Args: <\(.*\)>/\1/p" "$1" | tr '\n' ' '; }
mail() { # FROM MSGID SUBJECT [HEADERS] [BODY]
	printf 'From: %s\nTo: support@example.org\nSubject: %s\nMessage-Id: <%s>\n%b\n%s\n' \
	    "$1" "$3" "$2" "${4:-}" "${5:-Please help.}" | rt-ingest
}
field() { rt-ls --all --format "%{id} %{$2}\n" | sed -n "s/^$1 //p"; }
status_events() { rt-show --json $1 | python3 -c "
import json,sys
for e in json.load(sys.stdin)[\"events\"]:
    if e[\"ev\"]==\"status-query\": print(e[\"answered\"], e.get(\"tickets\",\"\"))"; }

start_sink "$S" || { test_skip 'status query tests' 'no port for smtp-sink'; test_done; exit; }
new_desk || exit 1

test_expect_success 'setup: smtp mailer, an agent, on-arrival with status-query' '
	sed -i "s|mailer: .*|mailer: smtp://127.0.0.1:$PORT|" rt.yaml &&
	cat >>rt.yaml <<-\EOC &&
	agents:
	  anna: {address: anna@example.org, name: Anna Agent}
	reply:
	  auto-interval: 0
	notify:
	  new: [anna]
	EOC
	sed -i "s/^  max-bytes: .*/&\n  on-arrival:\n    acknowledge: ack\n    status-query: {address: status@example.org, interval: 1h}/" rt.yaml &&
	git commit -qm "status queries" rt.yaml &&
	export RT_NOW=2026-11-25T09:00:00Z &&
	mail "Alice <alice@customer.example>" a1@x "Printer jams" >a1 &&
	mail "Alice <alice@customer.example>" a2@x "VPN drops" >a2 &&
	mail "Alice <alice@customer.example>" a3@x "Old question" >a3 &&
	mail "Bob <bob@other.example>" b1@x "Bob private matter" >b1 &&
	RT_NOW=2026-11-25T09:30:00Z rt-set $(cat a1) owner=anna status=waiting &&
	rt-set $(cat a3) status=resolved &&
	test $(sent) -ge 4
'
A1=$(cat a1) A2=$(cat a2) A3=$(cat a3) B1=$(cat b1)

test_expect_success 'an ordinary new ticket notifies the agent (notify: new)' '
	n=$(sent) && mail "erin@fifth.example" o1@x "Invoice wrong" >o1 &&
	grep -l "^X-RT-Notify: new" $(ls -t "$S"/* | head -n $(($(sent) - n))) >notes &&
	test $(wc -l <notes) = 1
'

test_expect_success 'a status query gets the sender'"'"'s own open tickets, to the sender only' '
	n=$(sent) &&
	mail "Alice <alice@customer.example>" q1@x "Status" "Reply-To: eve@evil.example" "" >q1 2>err &&
	test ! -s err && test $(sent) = $((n + 1)) && f=$(last) &&
	test "$(rcpts $f)" = "alice@customer.example " &&
	grep "^X-Mail-Args: <>" $f && grep "^Auto-Submitted: auto-replied" $f && ! grep "^X-RT-Notify" $f &&
	grep "^In-Reply-To: <q1@x>" $f &&
	text $f >body && cat body &&
	grep "^Subject: \[Test #$(cat q1)\] Your open requests" body &&
	grep "^\[Test #$A1\] Printer jams$" body && grep "^\[Test #$A2\] VPN drops$" body &&
	grep -A3 "#$A1\]" body | grep "^    Status: waiting for your answer$" &&
	grep -A3 "#$A1\]" body | grep "^    Handled by: Anna$" &&
	grep -A3 "#$A2\]" body | grep "^    Handled by: nobody yet$" &&
	grep -A3 "#$A2\]" body | grep "^    Last update: 2026-11-25 09:00$" &&
	! grep "$A3\|$B1\|Bob" body && ! grep -i "evil" $f
'

test_expect_success 'the query ticket is resolved and tagged, with no acknowledgement or status mail' '
	Q=$(cat q1) &&
	test "$(field $Q status)" = resolved && test "$(field $Q tags)" = status-query &&
	rt-show $Q >show && grep -c "mail-out" show >c && test $(cat c) = 1 &&
	status_events $Q >ev && echo "true $A1,$A2" >expect && test_cmp expect ev &&
	test "$(rt-route --pending)" = ""
'

test_expect_success 'a second query within the interval is resolved without an answer' '
	n=$(sent) &&
	RT_NOW=2026-11-25T10:30:00Z mail "alice@customer.example" q2@x "status?" >q2 &&
	test $(sent) = $n && test "$(field $(cat q2) status)" = resolved &&
	status_events $(cat q2) >ev && grep "^false" ev &&
	RT_NOW=2026-11-25T11:30:00Z mail "alice@customer.example" q3@x "STATUS" >q3 &&
	test $(sent) = $((n + 1))
'

test_expect_success 'Content-Language de: the German answer with German status names' '
	n=$(sent) &&
	RT_NOW=2026-11-25T13:00:00Z mail "Alice <alice@customer.example>" q4@x "Stand" "Content-Language: de" >q4 &&
	test $(sent) = $((n + 1)) && text $(last) >body &&
	grep "^Subject: .*Ihre offenen Anfragen" body &&
	grep "^    Status: wartet auf Ihre Antwort$" body && grep "^    Bearbeitet von: Anna$" body
'

test_expect_success 'mail to the status address is a query whatever its subject' '
	n=$(sent) &&
	printf "From: bob@other.example\nTo: status@example.org\nSubject: where are we?\nMessage-Id: <q5@x>\n\nhi\n" |
	rt-ingest >q5 && test $(sent) = $((n + 1)) && text $(last) >body &&
	test "$(rcpts $(last))" = "bob@other.example " &&
	grep "#$B1\] Bob private matter" body && ! grep "$A1\|$A2" body
'

test_expect_success 'no open tickets: the template says so' '
	n=$(sent) && mail "carol@third.example" q6@x "status" >q6 &&
	test $(sent) = $((n + 1)) && text $(last) >body &&
	grep "You have no open requests with us." body
'

test_expect_success 'automatic mail is never a query: an ordinary ticket, nothing answered' '
	for h in "Auto-Submitted: auto-generated" "Precedence: bulk" "List-Id: <l.example>" ""; do
		n=$(sent) &&
		from=dave@fourth.example && test -n "$h" || from="MAILER-DAEMON@fourth.example" &&
		mail "$from" "auto-$n@x" "Status" "$h" >qa &&
		test "$(field $(cat qa) tags)" != status-query &&
		test "$(field $(cat qa) status)" = new || return 1
	done &&
	! grep -l "Your open requests" "$S"/* | xargs grep -l "dave@\|MAILER" 
'

test_expect_success 'an envelope sender other than From: not answered, an ordinary ticket' '
	n=$(sent) &&
	printf "Return-Path: <eve@evil.example>\nFrom: alice@customer.example\nTo: support@example.org\nSubject: status\nMessage-Id: <q7@x>\n\n\n" |
	RT_NOW=2026-11-25T20:00:00Z rt-ingest >q7 2>err && cat err &&
	grep "status query not answered: its envelope sender <eve@evil.example> is not its From address" err &&
	test "$(field $(cat q7) tags)" != status-query &&
	! grep -l "Your open requests" $(ls -t "$S"/* | head -n $(($(sent) - n + 1)) ) | xargs grep -l "eve@" &&
	! grep -rl "eve@evil.example" "$S" | xargs grep -l "Printer jams"
'

test_expect_success 'a long text that says status is a request, not a query' '
	mail "alice@customer.example" q8@x "Status" "" "Status of our order 4711: the delivery is two weeks late, the tracking link does not work, and our production waits for the parts. Please call me back today, we need a date or we have to cancel the order and buy elsewhere." >q8 &&
	test "$(field $(cat q8) tags)" != status-query && test "$(field $(cat q8) status)" = new
'

test_expect_success 'with authserv-id, only a verified sender is answered' '
	sed -i "s/status-query: {address: status@example.org, interval: 1h}/status-query: {address: status@example.org, interval: 1h, authserv-id: mx.example.org}/" rt.yaml &&
	git commit -qm verified rt.yaml && n=$(sent) &&
	RT_NOW=2026-11-26T10:00:00Z mail "alice@customer.example" q9@x "status" >q9 2>err &&
	grep "is not verified" err && test "$(field $(cat q9) tags)" != status-query &&
	RT_NOW=2026-11-26T10:00:00Z mail "alice@customer.example" q10@x "status" \
	    "Authentication-Results: mx.example.org; dmarc=pass header.from=customer.example" >q10 &&
	test "$(field $(cat q10) tags)" = status-query &&
	grep -l "Your open requests" $(last)
'

test_expect_success 'the mailer down: stored (exit 0), pending, answered by rt-route --pending' '
	sed -i "s|mailer: smtp://127.0.0.1:$PORT|mailer: smtp://127.0.0.1:1|" rt.yaml && git commit -qm down rt.yaml &&
	RT_NOW=2026-11-27T10:00:00Z mail "bob@other.example" q11@x "status" \
	    "Authentication-Results: mx.example.org; dkim=pass header.d=other.example" >q11 2>err; rc=$?;
	cat err; test $rc = 0 && grep "arrival processing not finished (status query: " err &&
	test "$(field $(cat q11) status)" = new &&
	sed -i "s|mailer: smtp://127.0.0.1:1|mailer: smtp://127.0.0.1:$PORT|" rt.yaml && git commit -qm up rt.yaml &&
	n=$(sent) && RT_NOW=2026-11-27T10:05:00Z rt-route --pending >p && test_cmp q11 p &&
	test $(sent) = $((n + 1)) && test "$(field $(cat q11) status)" = resolved
'

test_done
