#!/bin/sh
# Resolving a ticket without any response misses the first response (unless
# a policy says resolve-counts-as-response); rt-escalate --clocks and
# rt-report count it the same way.
. "$(dirname "$0")/lib.sh"

mail() { # FROM MSGID SUBJECT
	printf 'From: %s\nTo: support@example.org\nSubject: %s\nMessage-Id: <%s>\n\nPlease help.\n' \
	    "$1" "$3" "$2"
}

new_desk || exit 1
test_expect_success 'setup: two tickets resolved within target, neither answered' '
	cat >>rt.yaml <<-\EOC &&
	sla:
	  policies:
	    - {name: lenient, match: {priority: low}, calendar: 24x7, first-response: 2h,
	       resolution: 8h, resolve-counts-as-response: true}
	    - {name: std, calendar: 24x7, first-response: 2h, resolution: 8h}
	EOC
	git commit -qm sla rt.yaml &&
	mail a@example.com m1@x Missed | RT_NOW=2026-11-23T08:00:00Z rt-ingest >id.missed &&
	RT_NOW=2026-11-23T09:00:00Z rt-set $(cat id.missed) status=resolved >/dev/null &&
	mail b@example.com l1@x Lenient | RT_NOW=2026-11-23T08:00:00Z rt-ingest >id.lenient &&
	RT_NOW=2026-11-23T08:10:00Z rt-set $(cat id.lenient) priority=low >/dev/null &&
	RT_NOW=2026-11-23T09:30:00Z rt-set $(cat id.lenient) status=resolved >/dev/null
'

# std: 1h of 2h elapsed, but no response at all: missed when resolved at 09:00.
test_expect_success 'rt-escalate --clocks: first response breached when resolved without one' '
	id=$(cat id.missed) &&
	rt-escalate --clocks --now 2026-11-24T00:00:00Z $id >actual &&
	cat >expect <<-EOF &&
	$id std first-response 2h 1h 1h stopped breached 2026-11-23T09:00:00Z
	$id std resolution 8h 1h 7h stopped met -
	EOF
	test_cmp expect actual
'

test_expect_success 'a policy can count resolving as the response' '
	id=$(cat id.lenient) &&
	rt-escalate --clocks --now 2026-11-24T00:00:00Z $id >actual &&
	cat >expect <<-EOF &&
	$id lenient first-response 2h 1h30m 30m stopped met -
	$id lenient resolution 8h 1h30m 6h30m stopped met -
	EOF
	test_cmp expect actual
'

# First response: 2 settled, 1 met (lenient), 1 breached (missed);
# resolution: 2 settled, 2 met.
test_expect_success 'rt-report counts the same' '
	RT_NOW=2026-11-24T00:00:00Z rt-report --since 2026-11-23 --until 2026-11-23 --json >j &&
	jq -c ".total.sla.first_response // .sla.first_response" j >fr &&
	jq -c ".total.sla.resolution // .sla.resolution" j >res &&
	grep "\"settled\":2" fr && grep "\"met\":1" fr && grep "\"breached\":1" fr &&
	grep "\"settled\":2" res && grep "\"met\":2" res && grep "\"breached\":0" res
'

test_expect_code 78 'resolve-counts-as-response must be true or false' '
	cp rt.yaml rt.yaml.orig &&
	sed -i "s/resolve-counts-as-response: true/resolve-counts-as-response: maybe/" rt.yaml &&
	rt-escalate --clocks $(cat id.missed) 2>err; rc=$?;
	cp rt.yaml.orig rt.yaml;
	grep "rt.yaml:[0-9]*:[0-9]*: resolve-counts-as-response must be true or false" err && exit $rc
'

test_done
