#!/bin/sh
# rt-ls --sla breached|due-soon lists exactly what rt-escalate reports:
# one rule (sla_alert in lib/sla.c) for the list, --status and the sweep.
. "$(dirname "$0")/lib.sh"

mail() { # FROM MSGID SUBJECT
	printf 'From: %s\nTo: support@example.org\nSubject: %s\nMessage-Id: <%s>\n\nPlease help.\n' \
	    "$1" "$3" "$2"
}
NOW=2026-11-23T10:00:00Z

new_desk || exit 1
test_expect_success 'setup: breached, due-soon, paused, done and quiet tickets' '
	cat >>rt.yaml <<-\EOC &&
	sla:
	  policies:
	    - {name: std, calendar: 24x7, first-response: 1h, resolution: 8h}
	escalation:
	  levels:
	    - {name: lead, notify: [lead@example.org]}
	  triggers:
	    - {on: "first-response:breach", level: 1}
	    - {on: "resolution:breach", level: 1}
	EOC
	git commit -qm sla rt.yaml &&
	mail a@example.com b1@x Breached | RT_NOW=2026-11-23T08:00:00Z rt-ingest >id.breached &&
	mail b@example.com s1@x Soon | RT_NOW=2026-11-23T09:30:00Z rt-ingest >id.soon &&
	mail c@example.com p1@x Paused | RT_NOW=2026-11-23T09:00:00Z rt-ingest >id.paused &&
	RT_NOW=2026-11-23T09:10:00Z rt-set $(cat id.paused) status=waiting >/dev/null &&
	mail d@example.com p2@x "Paused too long" | RT_NOW=2026-11-23T07:00:00Z rt-ingest >id.pausedlate &&
	RT_NOW=2026-11-23T08:30:00Z rt-set $(cat id.pausedlate) status=waiting >/dev/null &&
	mail e@example.com d1@x Done | RT_NOW=2026-11-23T05:00:00Z rt-ingest >id.done &&
	RT_NOW=2026-11-23T07:30:00Z rt-set $(cat id.done) status=resolved >/dev/null &&
	mail f@example.com q1@x Quiet | RT_NOW=2026-11-23T09:55:00Z rt-ingest >id.quiet
'

# Hand-computed at 10:00 (24x7): breached 2h of 1h; soon due 10:30; paused
# 10m of 1h and stopped; paused-late 1h30m of 1h before it paused; done is
# done; quiet due 10:55, outside a 45m window.
test_expect_success 'rt-ls --sla breached: open clocks past target, paused ones too' '
	sort id.breached id.pausedlate >expect &&
	RT_NOW=$NOW rt-ls --ids --sort id --sla breached >actual &&
	test_cmp expect actual
'

test_expect_success 'rt-ls --sla due-soon: running clocks due within the window' '
	sort id.soon >expect &&
	RT_NOW=$NOW rt-ls --ids --sla due-soon --due-window 45m >actual &&
	test_cmp expect actual &&
	sort id.soon id.quiet >expect &&
	RT_NOW=$NOW rt-ls --ids --sort id --sla due-soon >actual &&
	test_cmp expect actual
'

test_expect_success 'rt-escalate --clocks --json reports the same alerts' '
	RT_NOW=$NOW rt-ls --ids --all | rt-escalate --clocks --json --now $NOW >status.json &&
	jq -r "select(.alert == \"breached\") | .id" status.json | sort >escalate &&
	RT_NOW=$NOW rt-ls --ids --sort id --sla breached >ls &&
	test_cmp escalate ls && test -s ls &&
	jq -r "select(.alert == \"due-soon\") | .id" status.json | sort >escalate &&
	RT_NOW=$NOW rt-ls --ids --sort id --sla due-soon >ls &&
	test_cmp escalate ls && test -s ls
'

test_expect_success 'the sweep escalates exactly the breached tickets' '
	rt-escalate -n --now $NOW >sweep &&
	grep ":breach level" sweep | cut -d" " -f1 | sort -u >escalate &&
	RT_NOW=$NOW rt-ls --ids --sort id --sla breached >ls &&
	test_cmp escalate ls
'

test_expect_success 'a due: date set by hand counts like a clock' '
	RT_NOW=2026-11-23T09:58:00Z rt-set $(cat id.quiet) due=2026-11-23T09:59:00Z >/dev/null &&
	RT_NOW=$NOW rt-ls --ids --sla breached | grep -x $(cat id.quiet) &&
	RT_NOW=$NOW rt-ls --ids | rt-escalate --clocks --json --now $NOW |
		jq -r "select(.alert == \"breached\") | .id" | grep -x $(cat id.quiet)
'

test_done
