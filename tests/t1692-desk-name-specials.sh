#!/bin/sh
# A desk name with a comma ("Acme, Inc.") is quoted in the From of the
# mail rt sends, escalations and notifications as well as replies: left
# bare it made two addresses and the escalation mail was refused.
. "$(dirname "$0")/lib.sh"

RT_NOW=2026-11-25T10:00:00Z TZ=UTC; export RT_NOW TZ
new_desk desk || exit 1

test_expect_success 'setup: desk.name with a comma, an escalation, notify: new' '
	sed -i "s|^  name: .*|  name: '"'"'Acme, Inc.'"'"'|" rt.yaml &&
	cat >>rt.yaml <<-\EOC &&
	agents:
	  anna: {address: anna@example.org, name: Anna}
	notify:
	  new: [anna]
	sla:
	  policies:
	    - {name: standard, first-response: 1h, resolution: 3h}
	escalation:
	  levels:
	    - {name: Team lead, notify: [lead@example.org]}
	  triggers:
	    - {on: "first-response:breach", level: 1}
	EOC
	git commit -qm "name, sla, notify" rt.yaml &&
	printf "From: c@customer.example\nTo: support@example.org\nSubject: help\nMessage-ID: <n1@c>\n\nhi\n" |
	rt-ingest >id
'

test_expect_success 'the notification comes from "Acme, Inc."' '
	grep "^X-RT-Notify: new" "$TRASH/sent-mail" &&
	grep "^From: \"Acme, Inc.\" <support@example.org>$" "$TRASH/sent-mail"
'

test_expect_success 'the escalation is sent, from "Acme, Inc."' '
	: >"$TRASH/sent-mail" &&
	RT_NOW=2026-11-25T12:00:00Z rt-escalate >out 2>err &&
	cat err && test_must_fail test -s err &&
	grep "first-response:breach level 1 notify lead@example.org" out &&
	grep "^X-RT-Escalation: " "$TRASH/sent-mail" &&
	grep "^From: \"Acme, Inc.\" <support@example.org>$" "$TRASH/sent-mail"
'

test_done
