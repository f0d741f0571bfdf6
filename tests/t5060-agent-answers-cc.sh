#!/bin/sh
# An agent who answers the customer from their own mail client with the
# desk in Cc has answered the ticket: first-response and last-out are
# set (the SLA clock stops), the mail-in names whom it went to. An
# agent's mail to the desk alone (a note, mail commands) answers no one,
# and the customer's status page never shows it as the customer's.
. "$(dirname "$0")/lib.sh"

new_desk desk || exit 1
field() { rt-ls --all --format "%{id} %{$2}\n" | sed -n "s/^$1 //p"; }

test_expect_success 'setup: an agent, a customer ticket with a first-response SLA' '
	cat >>rt.yaml <<-\EOF &&
	agents:
	  anna: {address: anna@example.org}
	sla:
	  policies:
	    - {name: standard, calendar: 24x7, first-response: 1h, resolution: 72h}
	EOF
	git commit -qam "agents, sla" &&
	printf "From: Maria Lopez <maria@customer.example>\nTo: support@example.org\nSubject: VPN drops\nMessage-ID: <c1@customer.example>\n\nMy VPN drops.\n" |
		RT_NOW=2026-11-25T09:00:00Z rt-ingest >id &&
	test -z "$(field $(cat id) first-response)"
'
ID=$(cat id 2>/dev/null)

test_expect_success 'the agent answers from her mail client, the desk in Cc: the ticket is answered' '
	printf "From: Anna <anna@example.org>\nTo: Maria Lopez <maria@customer.example>\nCc: support@example.org\nSubject: RE: [Test #%s] VPN drops\nMessage-ID: <a1@example.org>\nIn-Reply-To: <c1@customer.example>\n\nPlease install 4.3.1 from the portal.\n" $ID |
		RT_NOW=2026-11-25T09:30:00Z rt-ingest >got && test_cmp id got &&
	grep "ev: mail-in.*agent: .true.*to: maria@customer.example" $(ticket_dir $ID)/log.yaml &&
	test "$(field $ID first-response)" = 2026-11-25T09:30:00Z &&
	test "$(field $ID last-out)" = 2026-11-25T09:30:00Z &&
	test "$(field $ID msgs-out)" = 1 &&
	rt-escalate --clocks --now 2026-11-25T11:00:00Z $ID >clocks && cat clocks &&
	! grep "first-response.*breach" clocks
'

test_expect_success 'her note to the desk alone answers no one' '
	printf "From: anna@example.org\nTo: support@example.org\nSubject: Re: [Test #%s] VPN drops\nMessage-ID: <a2@example.org>\n\nInternal: customer is on the old firmware.\n" $ID |
		RT_NOW=2026-11-25T10:00:00Z rt-ingest >got && test_cmp id got &&
	! grep "a2@example.org.*to:" $(ticket_dir $ID)/log.yaml &&
	test "$(field $ID last-out)" = 2026-11-25T09:30:00Z &&
	test "$(field $ID msgs-out)" = 1
'

test_expect_success 'the status page shows her answer as the desk'"'"'s, never her note' '
	token=$(rt-web --token maria@customer.example) && test -n "$token" &&
	GATEWAY_INTERFACE=CGI/1.1 REQUEST_METHOD=GET SCRIPT_NAME=/rt PATH_INFO=$token \
		RT_DESK=$PWD rt-web >page && cat page &&
	grep "My VPN drops" page && grep "Please install 4.3.1" page &&
	! grep "Internal: customer" page
'

test_done
