#!/bin/sh
# Automatic mail threaded onto a ticket by its tag (an out-of-office
# reply with Auto-Submitted, a mailing list's post) asks nothing of the
# agents: it starts no next-response clock and leaves last-in alone, as
# it reopens nothing; rt-reply quotes and answers the customer's mail
# before it. The customer's own answer starts the clock.
. "$(dirname "$0")/lib.sh"

new_desk desk || exit 1
field() { rt-ls --all --format "%{id} %{$2}\n" | sed -n "s/^$1 //p"; }

test_expect_success 'setup: an answered ticket under a next-response policy' '
	printf "sla:\n  policies:\n    - {name: standard, calendar: 24x7, first-response: 1h, next-response: 2h, resolution: 72h}\n" >>rt.yaml &&
	git commit -qam sla &&
	printf "From: maria@customer.example\nTo: support@example.org\nSubject: VPN drops\nMessage-ID: <c1@customer.example>\n\nMy VPN drops.\n" |
		RT_NOW=2026-11-25T09:00:00Z rt-ingest >id &&
	echo "Please update to 4.3." | RT_NOW=2026-11-25T09:30:00Z rt-reply $(cat id) &&
	test "$(field $(cat id) last-in)" = 2026-11-25T09:00:00Z
'
ID=$(cat id 2>/dev/null)

test_expect_success 'an out-of-office reply (Auto-Submitted) by the tag starts no clock' '
	printf "From: maria@customer.example\nTo: support@example.org\nSubject: Away: [Test #%s] VPN drops\nMessage-ID: <ooo@customer.example>\nAuto-Submitted: auto-replied\n\nI am away until Monday.\n" $ID |
		RT_NOW=2026-11-25T09:31:00Z rt-ingest >got && test_cmp id got &&
	grep "ev: mail-in.*ooo@customer.example.*auto: .true" $(ticket_dir $ID)/log.yaml &&
	test "$(field $ID last-in)" = 2026-11-25T09:00:00Z &&
	rt-escalate --clocks --now 2026-11-25T12:00:00Z $ID >clocks && cat clocks &&
	grep "first-response" clocks && ! grep "next-response" clocks
'

test_expect_success 'nor does a mailing list post that carries the tag' '
	printf "From: someone@lists.example\nTo: users@lists.example\nSubject: Re: [Test #%s] VPN drops\nMessage-ID: <list@lists.example>\nList-Id: <users.lists.example>\n\nSame here.\n" $ID |
		RT_NOW=2026-11-25T09:40:00Z rt-ingest >got && test_cmp id got &&
	test "$(field $ID last-in)" = 2026-11-25T09:00:00Z &&
	rt-escalate --clocks --now 2026-11-25T12:00:00Z $ID >clocks && ! grep "next-response" clocks
'

test_expect_success 'rt-reply answers and quotes the customer'"'"'s question, not the robots after it' '
	echo "Did 4.3 help?" | rt-reply -n --quote $ID >raw &&
	grep -i "^In-Reply-To: <c1@customer.example>" raw &&
	python3 -c "import email, sys
print(email.message_from_binary_file(sys.stdin.buffer).get_payload(decode=True).decode())" <raw >body &&
	cat body && grep -x "> My VPN drops." body && ! grep "away\|Same here" body
'

test_expect_success 'the customer answering starts it' '
	printf "From: maria@customer.example\nTo: support@example.org\nSubject: Re: [Test #%s] VPN drops\nMessage-ID: <c2@customer.example>\n\nStill drops with 4.3.\n" $ID |
		RT_NOW=2026-11-25T11:00:00Z rt-ingest >got && test_cmp id got &&
	test "$(field $ID last-in)" = 2026-11-25T11:00:00Z &&
	rt-escalate --clocks --now 2026-11-25T12:00:00Z $ID >clocks && cat clocks &&
	grep "next-response .* running" clocks
'

test_done
