#!/bin/sh
# The next-response clock of a past time is the cycle of that time: a
# customer mail or a reply that came later does not hide or reopen it, so
# rt-escalate --clocks --now and rt-report of a past period stay the same
# whatever happened since; a cycle ends at the first reply after the
# customer's mail, not at a later one; a ticket resolved since was open.
. "$(dirname "$0")/lib.sh"

mail() { # FROM MSGID SUBJECT [IN-REPLY-TO]
	printf 'From: %s\nTo: support@example.org\nSubject: %s\nMessage-Id: <%s>\n' "$1" "$3" "$2"
	[ -z "${4:-}" ] || printf 'In-Reply-To: <%s>\n' "$4"
	printf '\nPlease help.\n'
}
answer() { # TIME ID
	echo "Here you are." | RT_NOW=$1 rt-reply $2 >/dev/null
}

new_desk || exit 1
# Monday: both get a first response at 08:30 and a customer mail at 10:00;
# "late" is answered at 13:00 (3h of 2h: breached at 12:00), "prompt" at
# 11:00 (met). On Wednesday "late" has another cycle and "prompt" a reply
# the customer did not ask for.
test_expect_success 'setup: a cycle on Monday, more mail on Wednesday' '
	cat >>rt.yaml <<-\EOC &&
	sla:
	  policies:
	    - {name: std, calendar: 24x7, first-response: 1h, next-response: 2h}
	EOC
	git commit -qm sla rt.yaml &&
	mail a@example.com l1@x Late | RT_NOW=2026-11-23T08:00:00Z rt-ingest >id.late &&
	mail b@example.com p1@x Prompt | RT_NOW=2026-11-23T08:00:00Z rt-ingest >id.prompt &&
	late=$(cat id.late) prompt=$(cat id.prompt) &&
	answer 2026-11-23T08:30:00Z $late && answer 2026-11-23T08:30:00Z $prompt &&
	mail a@example.com l2@x "Re: [Test #$late] Late" l1@x |
		RT_NOW=2026-11-23T10:00:00Z rt-ingest >/dev/null &&
	mail b@example.com p2@x "Re: [Test #$prompt] Prompt" p1@x |
		RT_NOW=2026-11-23T10:00:00Z rt-ingest >/dev/null &&
	answer 2026-11-23T11:00:00Z $prompt &&
	answer 2026-11-23T13:00:00Z $late &&
	mail a@example.com l3@x "Re: [Test #$late] Late" l2@x |
		RT_NOW=2026-11-25T09:00:00Z rt-ingest >/dev/null &&
	answer 2026-11-25T09:30:00Z $late &&
	answer 2026-11-25T09:00:00Z $prompt
'

test_expect_success 'rt-escalate --clocks --now: the cycle of that time' '
	late=$(cat id.late) prompt=$(cat id.prompt) &&
	rt-escalate --clocks --now 2026-11-24T00:00:00Z $late $prompt >actual &&
	cat >expect <<-EOF &&
	$late std first-response 1h 30m 30m stopped met -
	$late std next-response 2h 3h -1h stopped breached 2026-11-23T12:00:00Z
	$prompt std first-response 1h 30m 30m stopped met -
	$prompt std next-response 2h 1h 1h stopped met -
	EOF
	test_cmp expect actual
'

# Later: "late" has a new cycle (answered in 30m); "prompt" keeps its
# Monday answer, its reply of Wednesday answered nothing new.
test_expect_success 'rt-escalate --clocks: the cycle ends at the first reply after the mail' '
	late=$(cat id.late) prompt=$(cat id.prompt) &&
	rt-escalate --clocks --now 2026-11-26T00:00:00Z $late $prompt >actual &&
	cat >expect <<-EOF &&
	$late std first-response 1h 30m 30m stopped met -
	$late std next-response 2h 30m 1h30m stopped met -
	$prompt std first-response 1h 30m 30m stopped met -
	$prompt std next-response 2h 1h 1h stopped met -
	EOF
	test_cmp expect actual
'

test_expect_success 'rt-report of Monday: one next response met, one breached' '
	RT_NOW=2026-11-26T00:00:00Z rt-report --since 2026-11-23 --until 2026-11-23 --json >j &&
	jq -c ".total.sla.next_response | [.settled, .met, .breached]" j >actual &&
	echo "[2,1,1]" >expect &&
	test_cmp expect actual
'

test_expect_success 'the record keeps every mail and reply (rt-ls --format)' '
	rt-ls --where id=$(cat id.prompt) --format "%{mail-timeline}\n" >actual &&
	cat >expect <<-\EOF &&
	2026-11-23T08:00:00Z in;2026-11-23T08:30:00Z out;2026-11-23T10:00:00Z in;2026-11-23T11:00:00Z out;2026-11-25T09:00:00Z out
	EOF
	test_cmp expect actual
'

# Never answered, resolved on Wednesday: on Tuesday it was open and its
# first response breached (since 09:00 on Monday).
test_expect_success 'a ticket resolved since was breached then (--json alert, rt-ls --sla)' '
	mail c@example.com s1@x Silent | RT_NOW=2026-11-23T08:00:00Z rt-ingest >id.silent &&
	RT_NOW=2026-11-25T10:00:00Z rt-set $(cat id.silent) status=resolved >/dev/null &&
	rt-escalate --clocks --json --now 2026-11-24T00:00:00Z $(cat id.silent) |
		jq -r ".alert, .clocks[\"first-response\"].due" >actual &&
	printf "breached\n2026-11-23T09:00:00Z\n" >expect &&
	test_cmp expect actual &&
	RT_NOW=2026-11-24T00:00:00Z rt-ls --sla breached --ids >actual &&
	cat id.silent >expect &&
	test_cmp expect actual &&
	rt-ls --sla breached --ids >actual &&
	test ! -s actual
'

test_done
