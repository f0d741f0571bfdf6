#!/bin/sh
# Out-of-office replies as they come in the wild, without RFC 3834's
# Auto-Submitted: iCloud ("Auto reply:" with In-Reply-To), Exchange
# ("Automatic reply:", X-Auto-Response-Suppress: All, the tag but no
# In-Reply-To), cPanel (Precedence: auto_reply). Each is automatic mail:
# it resumes no waiting ticket, starts no next-response clock (t6030),
# gets no acknowledgement (a real SMTP server on 127.0.0.1); a person's
# new mail titled "Out of office: ..." is still answered.
. "$(dirname "$0")/lib.sh"

new_desk desk || exit 1
field() { rt-ls --all --format "%{id} %{$2}\n" | sed -n "s/^$1 //p"; }

test_expect_success SMTP_SINK 'setup: a ticket answered by an agent, waiting for the customer' '
	start_sink "$TRASH/sink" &&
	sed -i "s|mailer: .*|mailer: smtp://127.0.0.1:$PORT|" rt.yaml &&
	printf "reply:\n  auto-interval: 0\nsla:\n  policies:\n    - {name: standard, calendar: 24x7, first-response: 1h, next-response: 2h, resolution: 72h}\n" >>rt.yaml &&
	sed -i "s/^  max-bytes: .*/&\n  on-arrival: {acknowledge: ack}/" rt.yaml &&
	git commit -qam "on-arrival ack" &&
	printf "From: Maria Lopez <maria@customer.example>\nTo: support@example.org\nSubject: VPN drops every 10 minutes\nMessage-ID: <c1@customer.example>\n\nMy VPN drops.\n" |
		RT_NOW=2026-11-25T09:00:00Z rt-ingest >id &&
	echo "Please update the client to 4.3." |
		RT_NOW=2026-11-25T09:30:00Z rt-reply --set-status waiting $(cat id) &&
	grep "ev: mail-out" $(ticket_dir $(cat id))/log.yaml | grep -v "template: ack" |
		sed -n "s/.*message-id: \([^,]*\),.*/\1/p" >answer && test $(wc -l <answer) = 1 &&
	grep "^status: waiting$" $(ticket_dir $(cat id))/ticket.yaml &&
	field $(cat id) last-in >lastin.before && test -s lastin.before &&
	rm -f "$TRASH"/sink/*
'
ID=$(cat id 2>/dev/null)
ANSWER=$(cat answer 2>/dev/null)

test_expect_success SMTP_SINK 'an iCloud vacation reply ("Auto reply:", In-Reply-To only) is an auto-reply on the ticket' '
	printf "From: maria@customer.example\nTo: support@example.org\nSubject: Auto reply: [Test #%s] Re: VPN drops every 10 minutes\nMessage-id: <vac-1@apple.example.com>\nIn-Reply-To: <%s>\nReferences: <%s>\nX-Apple-Action: VACATION\nContent-type: text/plain; charset=UTF-8\n\nI am on holiday until 7 December.\n" \
		$ID "$ANSWER" "$ANSWER" | RT_NOW=2026-11-25T09:31:00Z rt-ingest >got &&
	echo $ID >expect && test_cmp expect got &&
	grep "ev: bounce.*kind: auto-reply" $(ticket_dir $ID)/log.yaml &&
	grep "^status: waiting$" $(ticket_dir $ID)/ticket.yaml &&
	field $ID last-in >lastin && test_cmp lastin.before lastin
'

test_expect_success SMTP_SINK 'an Exchange "Automatic reply:" with the tag only is automatic: no resume, no next-response clock' '
	printf "From: Maria Lopez <maria@customer.example>\nTo: Support <support@example.org>\nSubject: Automatic reply: [Test #%s] Re: VPN drops every 10 minutes\nThread-Topic: [Test #%s] Re: VPN drops every 10 minutes\nMessage-ID: <ooo-1@customer.example>\nX-Auto-Response-Suppress: All\nContent-Type: text/plain; charset=us-ascii\n\nI am out of the office until 7 December.\n" \
		$ID $ID | RT_NOW=2026-11-25T09:32:00Z rt-ingest >got &&
	test_cmp expect got &&
	grep "ev: mail-in.*ooo-1@customer.example.*auto: .true" $(ticket_dir $ID)/log.yaml &&
	grep "^status: waiting$" $(ticket_dir $ID)/ticket.yaml &&
	field $ID last-in >lastin && test_cmp lastin.before lastin &&
	rt-escalate --clocks --now 2026-11-25T12:00:00Z $ID >clocks && cat clocks &&
	grep "first-response" clocks && ! grep "next-response" clocks
'

test_expect_success SMTP_SINK 'an autoresponder with Precedence: auto_reply gets no acknowledgement' '
	printf "From: info@shop.example\nTo: support@example.org\nSubject: Thank you for your message\nMessage-ID: <E1cp-auto@shop.example>\nPrecedence: auto_reply\n\nWe will answer within 24 hours.\n" |
		rt-ingest >id2 && test -s id2 &&
	grep "ev: mail-in.*auto: .true" $(ticket_dir $(cat id2))/log.yaml &&
	sleep 1 && test -z "$(ls "$TRASH/sink")"
'

test_expect_success SMTP_SINK 'a new mail titled "Out of office: ..." is a person asking: acknowledged' '
	printf "From: Ben <ben@customer.example>\nTo: support@example.org\nSubject: Out of office: how do I switch it on?\nMessage-ID: <ben-1@customer.example>\n\nWhere do I set my out of office reply?\n" |
		rt-ingest >id3 && test -s id3 &&
	! grep "ev: mail-in.*auto: .true" $(ticket_dir $(cat id3))/log.yaml &&
	f=$(received "$TRASH/sink") && grep -i "^X-Rcpt-Args: <ben@customer.example>" "$f"
'

if test -f "$CORPUS/mail/sisimai/bsd/rfc3834-03.eml"; then
test_expect_success 'the corpus iCloud vacation reply to a mail of the desk is stored as an auto-reply' '
	printf "From: neko@libsisimai.org\nTo: support@example.org\nSubject: Nyaan\nMessage-ID: <n1@libsisimai.org>\n\nhi\n" | rt-ingest >id4 &&
	rt-gc -q &&
	printf -- "- {at: '\''2026-11-25T10:00:00Z'\'', by: agent, ev: mail-out, file: msg/out.eml, message-id: '\''25203A4E-F90F-4A14-BF51-3E7B9D39BE8E@libsisimai.org'\'', to: neko@libsisimai.org}\n" \
		>>$(ticket_dir $(cat id4))/log.yaml && git commit -qam "sent" &&
	rt-ingest <"$CORPUS/mail/sisimai/bsd/rfc3834-03.eml" >got && test_cmp id4 got &&
	grep "ev: bounce.*kind: auto-reply" $(ticket_dir $(cat id4))/log.yaml
'
else
	test_skip 'the corpus iCloud vacation reply to a mail of the desk is stored as an auto-reply' "no corpus at $CORPUS"
fi

test_done
