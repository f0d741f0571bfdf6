#!/bin/sh
# Closing a resolved ticket is no new resolution: its SLA clocks stay
# stopped at the resolution, in rt-escalate --clocks and in rt-report's
# periods alike (a first response missed counts at the resolution).
. "$(dirname "$0")/lib.sh"

mail() { # FROM MSGID SUBJECT
	printf 'From: %s\nTo: support@example.org\nSubject: %s\nMessage-Id: <%s>\n\nPlease help.\n' \
	    "$1" "$3" "$2"
}

new_desk || exit 1
test_expect_success 'setup: two tickets resolved on Monday, closed on Tuesday' '
	cat >>rt.yaml <<-\EOC &&
	sla:
	  policies:
	    - {name: std, calendar: 24x7, first-response: 2h, resolution: 8h}
	EOC
	git commit -qm sla rt.yaml &&
	mail a@example.com a1@x Answered | RT_NOW=2026-11-23T08:00:00Z rt-ingest >id.answered &&
	echo "Done." | RT_NOW=2026-11-23T09:00:00Z rt-reply $(cat id.answered) >/dev/null &&
	RT_NOW=2026-11-23T10:00:00Z rt-set $(cat id.answered) status=resolved >/dev/null &&
	mail b@example.com b1@x Unanswered | RT_NOW=2026-11-23T08:00:00Z rt-ingest >id.missed &&
	RT_NOW=2026-11-23T09:30:00Z rt-set $(cat id.missed) status=resolved >/dev/null &&
	RT_NOW=2026-11-24T09:00:00Z rt-set $(cat id.answered) $(cat id.missed) status=closed >/dev/null
'

test_expect_success 'rt-escalate --clocks: the clocks stopped at the resolution' '
	a=$(cat id.answered) b=$(cat id.missed) &&
	rt-escalate --clocks --now 2026-11-25T00:00:00Z $a $b >actual &&
	cat >expect <<-EOF &&
	$a std first-response 2h 1h 1h stopped met -
	$a std resolution 8h 2h 6h stopped met -
	$b std first-response 2h 1h30m 30m stopped breached 2026-11-23T09:30:00Z
	$b std resolution 8h 1h30m 6h30m stopped met -
	EOF
	test_cmp expect actual &&
	rt-escalate --clocks --json --now 2026-11-25T00:00:00Z $a $b |
		jq -r ".clocks.resolution.stop" >actual &&
	printf "2026-11-23T10:00:00Z\n2026-11-23T09:30:00Z\n" >expect &&
	test_cmp expect actual
'

# Monday settles both tickets: first response 1 met, 1 missed; resolution
# 2 met. Tuesday, when they were closed, settles nothing.
test_expect_success 'rt-report: the clocks settle on the day of the resolution' '
	RT_NOW=2026-11-25T00:00:00Z rt-report --since 2026-11-23 --until 2026-11-24 \
		--by day --json >j &&
	jq -c ".groups[] | [.key, .resolved, .sla.first_response.settled,
		.sla.first_response.breached, .sla.resolution.settled]" j >actual &&
	cat >expect <<-\EOF &&
	["2026-11-23",2,2,1,2]
	["2026-11-24",0,0,0,0]
	EOF
	test_cmp expect actual
'

test_done
