#!/bin/sh
# rt-escalate --clocks: SLA clocks in business time across a weekend,
# holidays and a pause while waiting on the customer.
. "$(dirname "$0")/lib.sh"

mail() { # FROM MSGID SUBJECT [BODY]
	printf 'From: %s\nTo: support@example.org\nSubject: %s\nMessage-Id: <%s>\n\n%s\n' \
	    "$1" "$3" "$2" "${4:-Please help.}"
}

new_desk || exit 1
test_expect_success 'setup desk with calendars and policies' '
	cat >>rt.yaml <<-\EOC &&
	calendars:
	  office:
	    timezone: Europe/Berlin
	    hours: {mon-fri: "08:00-18:00", sat: "09:00-12:00"}
	    holidays: [2026-12-24, 2026-12-25, 2026-12-26, 2027-01-01]
	customers:
	  acme: {domains: [acme.example], contract: gold}
	sla:
	  calendar: office
	  policies:
	    - name: gold
	      match: {contract: gold}
	      calendar: 24x7
	      first-response: 30m
	      resolution: 8h
	    - name: standard
	      first-response: 2h
	      next-response: 4h
	      resolution: 2bd
	EOC
	git commit -qm sla rt.yaml
'

test_expect_success 'first response over a weekend' '
	id=$(mail alice@customer.example w1@x Weekend | RT_NOW=2026-11-27T16:00:00Z rt-ingest) &&
	echo $id >id.weekend &&
	rt-escalate --clocks --now 2026-11-30T08:00:00Z $id >actual &&
	cat >expect <<-EOF &&
	$id standard first-response 2h 5h -3h running breached 2026-11-28T09:00:00Z
	$id standard resolution 20h 5h 15h running ok 2026-12-01T13:00:00Z
	EOF
	test_cmp expect actual
'

test_expect_success 'ids on stdin and as #ID' '
	id=$(cat id.weekend) &&
	echo "#$id some text" | rt-escalate --clocks --now 2026-11-27T17:00:00Z >actual &&
	cat >expect <<-EOF &&
	$id standard first-response 2h 1h 1h running ok 2026-11-28T09:00:00Z
	$id standard resolution 20h 1h 19h running ok 2026-12-01T13:00:00Z
	EOF
	test_cmp expect actual
'

test_expect_success 'Christmas holidays and Sunday do not count' '
	id=$(mail bob@customer.example h1@x Holiday | RT_NOW=2026-12-23T16:00:00Z rt-ingest) &&
	rt-escalate --clocks --now 2026-12-28T08:00:00Z $id >actual &&
	cat >expect <<-EOF &&
	$id standard first-response 2h 2h 0m running ok 2026-12-28T08:00:00Z
	$id standard resolution 20h 2h 18h running ok 2026-12-29T16:00:00Z
	EOF
	test_cmp expect actual
'

test_expect_success 'waiting on the customer pauses, the answer resumes' '
	id=$(mail carol@customer.example p1@x Pause | RT_NOW=2026-11-23T08:00:00Z rt-ingest) &&
	echo $id >id.pause &&
	RT_NOW=2026-11-23T09:00:00Z rt-set $id status=waiting >/dev/null &&
	rt-escalate --clocks --now 2026-11-23T11:00:00Z $id >actual &&
	cat >expect <<-EOF &&
	$id standard first-response 2h 1h 1h paused ok -
	$id standard resolution 20h 1h 19h paused ok -
	EOF
	test_cmp expect actual &&
	mail carol@customer.example p2@x "Re: [Test #$id] Pause" "Here it is." |
		RT_NOW=2026-11-23T12:00:00Z rt-ingest >/dev/null &&
	rt-escalate --clocks --now 2026-11-23T13:30:00Z $id >actual &&
	cat >expect <<-EOF &&
	$id standard first-response 2h 2h30m -30m running breached 2026-11-23T13:00:00Z
	$id standard resolution 20h 2h30m 17h30m running ok 2026-11-25T11:00:00Z
	EOF
	test_cmp expect actual
'

test_expect_success 'a gold customer gets the 24x7 policy' '
	id=$(mail dave@acme.example g1@x Gold | RT_NOW=2026-11-22T10:00:00Z rt-ingest) &&
	RT_NOW=2026-11-22T10:00:00Z rt-set $id customer=acme >/dev/null &&
	rt-escalate --clocks --now 2026-11-22T10:20:00Z $id >actual &&
	cat >expect <<-EOF &&
	$id gold first-response 30m 20m 10m running ok 2026-11-22T10:30:00Z
	$id gold resolution 8h 20m 7h40m running ok 2026-11-22T18:00:00Z
	EOF
	test_cmp expect actual
'

test_expect_success '--json gives seconds and states' '
	id=$(cat id.pause) &&
	rt-escalate --clocks --json --now 2026-11-23T11:00:00Z $id >actual &&
	printf "%s\n" "{\"id\":\"$id\",\"policy\":\"standard\",\"calendar\":\"office\",\"now\":\"2026-11-23T11:00:00Z\",\"alert\":null,\"clocks\":{\"first-response\":{\"target\":7200,\"elapsed\":3600,\"remaining\":3600,\"state\":\"paused\",\"result\":\"ok\",\"breached\":false,\"start\":\"2026-11-23T08:00:00Z\",\"stop\":null,\"due\":null},\"resolution\":{\"target\":72000,\"elapsed\":3600,\"remaining\":68400,\"state\":\"paused\",\"result\":\"ok\",\"breached\":false,\"start\":\"2026-11-23T08:00:00Z\",\"stop\":null,\"due\":null}}}" >expect &&
	test_cmp expect actual
'

test_expect_success 'resolving stops the clocks' '
	id=$(cat id.weekend) &&
	RT_NOW=2026-11-30T08:00:00Z rt-set $id status=resolved >/dev/null &&
	rt-escalate --clocks --now 2026-12-02T08:00:00Z $id >actual &&
	cat >expect <<-EOF &&
	$id standard first-response 2h 5h -3h stopped breached 2026-11-28T09:00:00Z
	$id standard resolution 20h 5h 15h stopped met -
	EOF
	test_cmp expect actual
'

test_expect_code 66 'an unknown ticket is an error' '
	rt-escalate --clocks --now 2026-12-02T08:00:00Z ZZZZZZZZ
'

test_expect_code 78 'a bad calendar is a config error with its position' '
	cp rt.yaml rt.yaml.orig &&
	sed -i "/^calendars:/a\\  broken: {timezone: Mars/Olympus}" rt.yaml &&
	rt-escalate --clocks $(cat id.pause) 2>err; rc=$?;
	cp rt.yaml.orig rt.yaml;
	grep "rt.yaml:[0-9]*:[0-9]*: unknown time zone .Mars/Olympus." err && exit $rc
'

test_done
