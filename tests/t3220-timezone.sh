#!/bin/sh
# Times people read are shown in desk.timezone (or TZ), across a DST change;
# --utc and JSON stay UTC.
. "$(dirname "$0")/lib.sh"

mail() { # MSGID SUBJECT
	printf 'From: carl@example.com\nTo: support@example.org\nSubject: %s\nMessage-Id: <%s>\n\nHello\n' "$2" "$1"
}

new_desk || exit 1
# TZ stays pinned to UTC (lib.sh): the desk's zone must win over it.
test_expect_success 'setup: Europe/Berlin, two mails either side of the switch to summer time' '
	sed -i "s|^  timezone: UTC$|  timezone: Europe/Berlin|" rt.yaml && grep -q "^  timezone: Europe/Berlin$" rt.yaml &&
	cat >>rt.yaml <<-\EOC &&
	sla:
	  calendar: 24x7
	  policies:
	    - name: standard
	      first-response: 2h
	EOC
	git commit -qm tz rt.yaml &&
	RT_NOW=2026-03-29T00:30:00Z rt-ingest <<-EOM >id1 &&
	$(mail w1@x Winter)
	EOM
	RT_NOW=2026-03-29T01:30:00Z rt-ingest <<-EOM >id2 &&
	$(mail s1@x Summer)
	EOM
	test -s id1 && test -s id2
'
ID1=$(cat id1 2>/dev/null) ID2=$(cat id2 2>/dev/null)

test_expect_success 'rt-show: local times with their offset, either side of the switch' '
	rt-show $ID1 >out1 && rt-show $ID2 >out2 &&
	grep "^=== #1 2026-03-29T01:30:00+01:00 mail-in by " out1 &&
	grep "^\* 2026-03-29T01:30:00+01:00 .*: create status=new$" out1 &&
	grep "^=== #1 2026-03-29T03:30:00+02:00 mail-in by " out2 &&
	rt-show --log $ID2 | grep "^2026-03-29T03:30:00+02:00 "
'

test_expect_success 'rt-show --utc and --json stay UTC' '
	rt-show --utc $ID2 | grep "^=== #1 2026-03-29T01:30:00Z mail-in by " &&
	rt-show --json $ID2 | grep "\"at\": \"2026-03-29T01:30:00Z\"" &&
	! rt-show --json $ID2 | grep -q "+02:00"
'

test_expect_success 'rt-ls: the table in local time, --utc, --json and --format in UTC' '
	rt-ls --sort created >out &&
	grep "^$ID1 .* 2026-03-29 01:30  Winter$" out &&
	grep "^$ID2 .* 2026-03-29 03:30  Summer$" out &&
	rt-ls --utc --sort created >out &&
	grep "^$ID1 .* 2026-03-29 00:30  Winter$" out &&
	grep "^$ID2 .* 2026-03-29 01:30  Summer$" out &&
	rt-ls --json | grep "\"updated\": *\"2026-03-29T01:30:00Z\"" &&
	rt-ls --format "%{updated}\n" --sort created >out &&
	printf "2026-03-29T00:30:00Z\n2026-03-29T01:30:00Z\n" >expect && test_cmp expect out
'

test_expect_success 'rt-escalate --clocks: the due time in local time; --utc and --json in UTC' '
	rt-escalate --clocks --now 2026-03-29T01:30:00Z $ID1 >out &&
	echo "$ID1 standard first-response 2h 1h 1h running ok 2026-03-29T04:30:00+02:00" >expect &&
	test_cmp expect out &&
	rt-escalate --clocks --utc --now 2026-03-29T01:30:00Z $ID1 >out &&
	echo "$ID1 standard first-response 2h 1h 1h running ok 2026-03-29T02:30:00Z" >expect &&
	test_cmp expect out &&
	rt-escalate --clocks --json --now 2026-03-29T01:30:00Z $ID1 | grep "\"due\": *\"2026-03-29T02:30:00Z\""
'

test_expect_success 'without desk.timezone, TZ decides' '
	sed -i "s|^  timezone: Europe/Berlin$|  timezone:|" rt.yaml &&
	TZ=America/New_York rt-show $ID2 | grep "^=== #1 2026-03-28T21:30:00-04:00 mail-in" &&
	TZ=America/New_York rt-ls --sort created | grep "^$ID1 .* 2026-03-28 20:30  Winter$" &&
	rt-show $ID2 | grep "^=== #1 2026-03-29T01:30:00Z mail-in" &&
	git checkout -q rt.yaml
'

test_expect_success 'TZ may name a zone file; a bad TZ is named as TZ, not desk.timezone' '
	sed -i "s|^  timezone: Europe/Berlin$|  timezone:|" rt.yaml &&
	TZ=:${TZDIR:-/usr/share/zoneinfo}/America/New_York rt-show $ID2 >out 2>err &&
	grep "^=== #1 2026-03-28T21:30:00-04:00 mail-in" out &&
	! test -s err &&
	TZ=:Mars/Olympus rt-show $ID2 >out 2>err &&
	grep "^rt-show: TZ .Mars/Olympus. is not a time zone" err &&
	! grep desk.timezone err &&
	grep "^=== #1 2026-03-29T01:30:00Z mail-in" out &&
	git checkout -q rt.yaml
'

# Without desk.timezone and TZ: the system's zone, /etc/localtime, as
# date(1) and every other program read it (it was UTC). A private mount
# namespace (unshare -Urm, where the kernel lets this user make one) puts
# Europe/Berlin there; the output must be what TZ=:/etc/localtime gives.
berlin=${TZDIR:-/usr/share/zoneinfo}/Europe/Berlin
# in_berlin CMD: CMD in a namespace whose /etc/localtime is Europe/Berlin
in_berlin() { unshare -Urm sh -c "mount --bind \"$berlin\" /etc/localtime && $1"; }
command -v unshare >/dev/null && test -f "$berlin" &&
    test "$(in_berlin "env -u TZ date -d 2026-11-25T10:00:00Z +%H:%M" 2>/dev/null)" = 11:00 &&
    test_set_prereq LOCALTIME_NS
test_expect_success LOCALTIME_NS 'without desk.timezone and TZ, the system'"'"'s zone (/etc/localtime)' '
	sed -i "s|^  timezone: Europe/Berlin$|  timezone:|" rt.yaml &&
	in_berlin "env -u TZ rt-show $ID2 >sys.show && env -u TZ rt-ls --sort created >sys.ls &&
	    TZ=:/etc/localtime rt-show $ID2 >file.show && TZ=:/etc/localtime rt-ls --sort created >file.ls" &&
	grep "^=== #1 2026-03-29T03:30:00+02:00 mail-in" sys.show &&
	grep "^$ID1 .* 2026-03-29 01:30  Winter$" sys.ls &&
	test_cmp file.show sys.show && test_cmp file.ls sys.ls &&
	git checkout -q rt.yaml
'

test_expect_success 'without desk.timezone and TZ: as TZ=:/etc/localtime says, here too' '
	sed -i "s|^  timezone: Europe/Berlin$|  timezone:|" rt.yaml &&
	env -u TZ rt-show $ID2 >sys.show && TZ=:/etc/localtime rt-show $ID2 >file.show &&
	test_cmp file.show sys.show &&
	git checkout -q rt.yaml
'

test_expect_success 'an unknown desk.timezone: one warning naming it, times in UTC' '
	sed -i "s|^  timezone: Europe/Berlin$|  timezone: Mars/Olympus|" rt.yaml &&
	rt-show $ID2 >out 2>err &&
	grep "desk.timezone .Mars/Olympus. is not a time zone" err &&
	grep "^=== #1 2026-03-29T01:30:00Z mail-in" out &&
	git checkout -q rt.yaml
'

test_done
