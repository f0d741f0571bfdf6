#!/bin/sh
# rt-route "hours: in/out" through a calendar (lib/calendar.c): the old
# business-hours: section and the calendars: syntax route alike
. "$(dirname "$0")/lib.sh"

export TZ=UTC RT_NOW=2026-11-23T08:00:00Z
mail() { printf 'From: k@example.net\nTo: support@example.org\nSubject: %s\nMessage-ID: <%s@t>\n\nhi\n' "$1" "$1"; }

new_desk || exit 1
head=$(sed -n "/^desk:/,/^\$/p" rt.yaml)
config() { # config HOURS-SECTION CONDITION
	printf '%s\n%s\nrouting:\n  - name: day\n    if: {hours: %s}\n    then: {tags: [in-hours]}\n' \
	    "$head" "$1" "$2" >rt.yaml && git commit -qm "$2" rt.yaml
}
old='business-hours:
  timezone: Europe/Berlin
  hours: [mon-fri 08:00-18:00, sat 09:00-12:00, sun 22:00-02:00]'
cal='calendars:
  office:
    timezone: Europe/Berlin
    hours: {mon-fri: "08:00-18:00", sat: "09:00-12:00", sun: "22:00-24:00", mon: "00:00-02:00"}'

# Berlin is UTC+1: in, out, in (Sat), out (Sat), in (Sun night), in (past midnight), out
times="2026-11-23T09:00:00Z 2026-11-23T17:30:00Z 2026-11-28T10:30:00Z 2026-11-28T11:30:00Z
2026-11-29T22:30:00Z 2026-11-30T00:30:00Z 2026-11-30T01:30:00Z"

test_expect_success 'setup: a ticket arriving at each time' '
	n=0 && for t in $times; do
		n=$((n + 1)) && mail m$n | RT_NOW=$t rt-ingest >>$TRASH/ids || return 1
	done &&
	test $(wc -l <$TRASH/ids) = 7
'
test_expect_success 'old business-hours: section' '
	config "$old" in && rt-route -n <$TRASH/ids >$TRASH/old &&
	sed -n "1p;3p;5p;6p" $TRASH/ids | sed "s/\$/ tags=in-hours/" >expect &&
	grep in-hours $TRASH/old >got && test_cmp expect got
'
test_expect_success 'a calendar named in the condition routes the same' '
	config "$cal" "in office" && rt-route -n <$TRASH/ids >new &&
	test_cmp $TRASH/old new
'
test_expect_success 'sla.calendar is the default calendar of hours:' '
	config "$cal
sla:
  calendar: office" in && rt-route -n <$TRASH/ids >new &&
	test_cmp $TRASH/old new
'
test_expect_success 'hours: out is the complement' '
	config "$cal" "out office" && rt-route -n <$TRASH/ids >new &&
	sed -n "2p;4p;7p" $TRASH/ids | sed "s/\$/ tags=in-hours/" >expect &&
	grep in-hours new >got && test_cmp expect got
'
test_done
