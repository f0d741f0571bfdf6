#!/bin/sh
# rt-ingest --event: machine events as tickets, threading, duplicates, quarantine
. "$(dirname "$0")/lib.sh"

new_desk desk || exit 1
EV=$FIXTURES/events

field() { rt-ls --all --format "%{id}\t%{$2}\n" | sed -n "s/^$1\t//p"; }
events() { grep -c "ev: event-in" "$(ticket_dir "$1")/log.yaml"; }

test_expect_success CORPUS 'every corpus event file is stored or quarantined with a reason' '
	find "$CORPUS/events" -type f | sort >files && test -s files &&
	: >stored && : >kept && : >seen &&
	while read f; do
		rt-ingest --event "$f" >ids 2>err; rc=$?
		case $rc in
		0) test -s ids || { echo "no id for $f"; exit 1; }
		   test ! -s err || { echo "noise for $f"; cat err; exit 1; }
		   # Stored byte-exact on a ticket, unless every event was a duplicate.
		   found= new=
		   for id in $(sort -u ids); do
			grep -qx $id seen || new=1
			for m in $(ticket_dir $id)/msg/*; do cmp -s "$f" "$m" && found=1; done
		   done
		   test -n "$found" || test -z "$new" || { echo "$f not stored"; exit 1; }
		   cat ids >>seen && echo "$f" >>stored ;;
		65) quarantined err >>kept || { echo "no reason for $f"; cat err; exit 1; } ;;
		*) echo "$f: exit $rc"; cat err; exit 1 ;;
		esac
	done <files &&
	test $(wc -l <stored) -ge 25 &&
	while read q; do test -f "$q" && test -f "${q%.eml}.yaml" &&
		grep -q "^reason: " "${q%.eml}.yaml" || exit 1; done <kept &&
	git fsck --no-dangling >fsck 2>&1 && test_cmp /dev/null fsck &&
	rt-gc -q && git status --porcelain --untracked-files=no >st && test_cmp /dev/null st &&
	git status --porcelain tickets quarantine >st && test_cmp /dev/null st
'

cd "$TRASH" && new_desk desk2 || exit 1

test_expect_success 'events are tickets on their channel, with sender and incident type' '
	id=$(rt-ingest --event "$EV/alertmanager/prometheus-msteams_prom_post_request.json") &&
	test "$(field $id channel)" = monitoring && test "$(field $id type)" = incident &&
	test "$(field $id severity)" = warning &&
	test "$(field $id subject)" = "high_memory_load: Server High Memory usage" &&
	id=$(rt-ingest --event "$EV/slack/messages_bot_message.json") &&
	test "$(field $id channel)" = chat &&
	test "$(field $id requestors)" = slack:BUEBX9AUR &&
	id=$(rt-ingest --event "$EV/mastodon/mastodoncr_status.json") &&
	test "$(field $id channel)" = social &&
	test "$(field $id subject)" = "Hello world." &&
	test "$(field $id requestors)" = "@ACCOUNT@example.com"
'

alert() { # alert STATUS ENDS
	cat <<EOF
{"receiver":"ops","status":"$1","groupKey":"{}:{alertname=\"DiskFull\"}","version":"4",
 "alerts":[{"status":"$1","labels":{"alertname":"DiskFull","instance":"db1","severity":"critical"},
 "annotations":{"summary":"disk /var is full"},"startsAt":"2026-11-23T10:00:00Z",
 "endsAt":"$2","fingerprint":"0123456789abcdef"}]}
EOF
}

test_expect_success 'an alert firing then resolved is one ticket, resolved' '
	alert firing 0001-01-01T00:00:00Z >fire.json &&
	alert resolved 2026-11-23T11:00:00Z >resolve.json &&
	id=$(rt-ingest --event fire.json) &&
	test "$(field $id status)" = new &&
	test "$(field $id subject)" = "DiskFull: disk /var is full" &&
	rt-ingest --event <resolve.json >id2 && echo $id >expect && test_cmp expect id2 &&
	test "$(field $id status)" = resolved && test $(events $id) = 2 &&
	grep -q "ev: set, field: status, old: new, new: resolved" $(ticket_dir $id)/log.yaml &&
	grep -q "thread: .alertmanager:0123456789abcdef." $(ticket_dir $id)/log.yaml
'

test_expect_success 'the alert firing again reopens the ticket; a repeat is a duplicate' '
	id=$(cat expect) &&
	sed "s/10:00:00Z/12:00:00Z/" fire.json | rt-ingest --event >id3 && test_cmp expect id3 &&
	test "$(field $id status)" = open &&
	n=$(git rev-list --count HEAD) &&
	rt-ingest --event fire.json >id4 && test_cmp expect id4 &&
	test $(git rev-list --count HEAD) = $n && test $(events $id) = 3
'

test_expect_success 'the same Slack payload twice is stored once' '
	rt-ingest --event "$EV/slack/converter_chan1.json" >a &&
	n=$(git rev-list --count HEAD) &&
	rt-ingest --event <"$EV/slack/converter_chan1.json" >b &&
	test_cmp a b && test $(wc -l <a) = 2 &&
	test $(git rev-list --count HEAD) = $n &&
	test $(cat $(ticket_dir $(head -1 a))/log.yaml | grep -c "ev: event-in") = 1
'

test_expect_success 'Slack thread replies land on the thread starter' '
	printf "%s\n" "{\"type\":\"message\",\"channel\":\"C9\",\"user\":\"U1\",\"text\":\"printer on fire\",\"ts\":\"100.1\"}" >p.json &&
	printf "%s\n" "{\"type\":\"message\",\"channel\":\"C9\",\"user\":\"U2\",\"text\":\"on it\",\"ts\":\"100.2\",\"thread_ts\":\"100.1\"}" >r.json &&
	id=$(rt-ingest --event p.json) && rt-ingest --event r.json >id2 &&
	echo $id >expect && test_cmp expect id2 && test $(events $id) = 2 &&
	printf "{\"type\":\"event_callback\",\"event\":%s}" "$(sed s/100.2/100.3/ r.json)" |
	rt-ingest --event >id3 && test_cmp expect id3
'

test_expect_success 'a PagerDuty trigger, acknowledge and resolve are one ticket' '
	cat >trigger.json <<-\EOF &&
	{"routing_key":"routingkeyhere","dedup_key":"dedupkeyhere","event_action":"trigger",
	 "payload":{"summary":"api latency high","source":"mon1","severity":"error"}}
	EOF
	id=$(rt-ingest --event trigger.json) && echo $id >expect &&
	test "$(field $id subject)" = "api latency high" && test "$(field $id severity)" = error &&
	rt-ingest --event "$EV/pagerduty/events-v2_acknowledge.json" >id2 && test_cmp expect id2 &&
	test "$(field $id status)" = open &&
	rt-ingest --event "$EV/pagerduty/events-v2_resolve.json" >id3 && test_cmp expect id3 &&
	test "$(field $id status)" = resolved && test $(events $id) = 3
'

test_expect_success 'surrogate-pair escapes become the emoji in the subject' '
	printf "%s" "{\"type\":\"message\",\"user\":\"U7\",\"text\":\"smile \\ud83d\\ude00 please\",\"ts\":\"7.7\"}" >emoji.json &&
	id=$(rt-ingest --event emoji.json) &&
	test "$(field $id subject)" = "smile 😀 please"
'

test_expect_code 65 'junk JSON is refused and quarantined' '
	printf "{\"alerts\": [1, 2,, }" >junk.json &&
	rt-ingest --event junk.json 2>err; rc=$?
	grep -q "invalid JSON" err && q=$(quarantined err) &&
	cmp junk.json "$q" && grep -q "^reason: .*invalid JSON" "${q%.eml}.yaml" && exit $rc
'

test_expect_success 'Nagios log: hard states thread by host and service, OK resolves' '
	cat >nagios.log <<-\EOF &&
	[1700000000] Nagios 4.4.6 starting... (PID=1)
	[1700000010] SERVICE ALERT: web1;HTTP;CRITICAL;SOFT;1;connection refused
	[1700000070] SERVICE ALERT: web1;HTTP;CRITICAL;HARD;3;connection refused; port 80
	[1700000100] HOST ALERT: db2;DOWN;HARD;1;PING CRITICAL
	[1700000300] SERVICE ALERT: web1;HTTP;OK;HARD;3;HTTP OK
	EOF
	rt-ingest --event nagios.log >ids && test $(wc -l <ids) = 3 &&
	web=$(sed -n 1p ids) && test "$(sed -n 3p ids)" = $web &&
	db=$(sed -n 2p ids) && test $db != $web &&
	test "$(field $web status)" = resolved && test "$(field $web type)" = incident &&
	grep -q "connection refused; port 80" $(ticket_dir $web)/log.yaml &&
	test "$(field $db severity)" = critical && test "$(field $db status)" = new
'

test_expect_success 'phone calls from CSV with a header, one ticket per call' '
	printf "callid,caller_id_number,destination_number,starting_date,duration\r\nc1,+4930123,100,2026-11-23 10:00:00,61\r\nc2,+4930999,100,2026-11-23 10:05:00,5\r\n" >calls.csv &&
	rt-ingest --event calls.csv >ids && test $(wc -l <ids) = 2 &&
	id=$(head -1 ids) && test "$(field $id channel)" = phone &&
	test "$(field $id requestors)" = "+4930123" &&
	test "$(field $id subject)" = "Call from +4930123 to 100 at 2026-11-23 10:00:00, 61 s"
'

test_expect_success 'a Matrix reply threads by m.relates_to; YAML payloads work' '
	cat >m1.json <<-\EOF &&
	{"type":"m.room.message","event_id":"$root:hs","sender":"@ann:hs","content":{"body":"vpn down"}}
	EOF
	cat >m2.yaml <<-\EOF &&
	type: m.room.message
	event_id: $reply:hs
	sender: "@bob:hs"
	content:
	  body: looking
	  m.relates_to:
	    m.in_reply_to:
	      event_id: $root:hs
	EOF
	id=$(rt-ingest --event m1.json) && rt-ingest --event m2.yaml >id2 &&
	echo $id >expect && test_cmp expect id2 && ls $(ticket_dir $id)/msg | grep -q "\.yaml$"
'

test_expect_success 'hostile payloads do not crash: nesting, giant strings, NUL, bad UTF-8' '
	awk "BEGIN { for (i = 0; i < 100000; i++) printf \"[\" }" >deep.json &&
	test_expect_rc() { "$@"; test $? = 65; } &&
	test_expect_rc rt-ingest --event deep.json 2>/dev/null &&
	awk "BEGIN { printf \"{\\\"title\\\":\\\"\"; for (i = 0; i < 200000; i++) printf \"x\"; printf \"\\\"}\" }" >big.json &&
	id=$(rt-ingest --event big.json) && s=$(field $id subject) && test ${#s} -le 202 &&
	printf "{\"text\":\"a\\000b\"}" >nul.json && test_expect_rc rt-ingest --event nul.json 2>/dev/null &&
	printf "{\"text\":\"caf\\351\"}" >latin.json && test_expect_rc rt-ingest --event latin.json 2>/dev/null &&
	printf "caller_id_number,destination_number\n+49\\377\\376,100\n" >bad.csv &&
	id=$(rt-ingest --event bad.csv) && test "$(field $id subject)" = "Call from +49�� to 100" &&
	git fsck --no-dangling >fsck 2>&1 && test_cmp /dev/null fsck
'

test_expect_code 64 'an unknown --source is a usage error' '
	echo "{}" | rt-ingest --event --source nosuch
'

test_expect_code 64 '--source without --event is a usage error' '
	rt-ingest --source slack </dev/null
'

test_expect_success '--source forces the mapping' '
	echo "{\"text\":\"hello\",\"ts\":\"5.5\",\"user\":\"U5\"}" >bare.json &&
	id=$(rt-ingest --event --source slack bare.json) &&
	test "$(field $id channel)" = chat &&
	grep -q "source: slack" $(ticket_dir $id)/log.yaml
'

test_expect_success 'events.priority maps an alert severity to the new ticket priority' '
	cat >>rt.yaml <<-\EOF &&
	events:
	  priority: {critical: urgent, Warning: high, info: bogus}
	EOF
	git commit -qm "events.priority" rt.yaml &&
	alert firing 0001-01-01T00:00:00Z | sed "s/0123456789abcdef/prio1/" >p1.json &&
	id=$(rt-ingest --event p1.json) && test "$(field $id priority)" = urgent &&
	sed "s/critical/warning/; s/prio1/prio2/" p1.json >p2.json &&
	id=$(rt-ingest --event p2.json) && test "$(field $id priority)" = high &&
	sed "s/critical/info/; s/prio1/prio3/" p1.json >p3.json &&
	id=$(rt-ingest --event p3.json) && test "$(field $id priority)" = normal &&
	sed "s/critical/minor/; s/prio1/prio4/" p1.json >p4.json &&
	id=$(rt-ingest --event p4.json) && test "$(field $id priority)" = normal &&
	echo "{\"title\":\"no severity\"}" | rt-ingest --event >id &&
	test "$(field $(cat id) priority)" = normal
'

cd "$TRASH" && new_desk desk3 || exit 1
cat >>rt.yaml <<\EOC
workflows:
  default:
    cascade: true
    on:
      resolved:
        set: {resolved-by: "{actor}"}
        exec: echo "$RT_STATUS $1" >>"$RT_DESK/.git/exec.log"
EOC
git commit -qm "workflow for alert status" rt.yaml

test_expect_success 'an alert resolved runs the workflow on: resolved as rt-set would' '
	alert firing 0001-01-01T00:00:00Z | sed "s/0123456789abcdef/wf1/" >wf-fire.json &&
	alert resolved 2026-11-23T11:00:00Z | sed "s/0123456789abcdef/wf1/" >wf-resolve.json &&
	id=$(rt-ingest --event wf-fire.json) &&
	printf "From: c@example.com\nTo: support@example.org\nSubject: db1 slow\nMessage-Id: <child@x>\n\nhi\n" |
	rt-ingest >child && rt-link $(cat child) --parent $id >/dev/null &&
	rt-ingest --event wf-resolve.json >id2 && echo $id >expect && test_cmp expect id2 &&
	test "$(field $id status)" = resolved && test -n "$(field $id resolved-by)" &&
	test "$(field $(cat child) status)" = resolved &&
	test -n "$(field $(cat child) resolved-by)" &&
	grep -q "^resolved $id" .git/exec.log && grep -q "^resolved $(cat child)" .git/exec.log
'

test_expect_success '--event FILE that is a folder or missing: 66 naming it, not 75' '
	mkdir adir &&
	rt-ingest --event adir 2>err; test $? = 66 && test $(wc -l <err) = 1 && grep "adir" err &&
	rt-ingest --event no-such-file 2>err; test $? = 66 && grep "no-such-file" err
'

test_done
