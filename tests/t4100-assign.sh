#!/bin/sh
# rt-route: team assignment (round-robin, least-open, skill), away agents,
# business hours, determinism across clones, hand-made assignments kept
. "$(dirname "$0")/lib.sh"

mail() { # mail MSGID SUBJECT BODY
	printf 'From: Kim <kim@example.net>\nTo: support@example.org\nSubject: %s\nMessage-ID: <%s@test>\nDate: Mon, 23 Nov 2026 10:00:00 +0000\nContent-Type: text/plain; charset=utf-8\nContent-Transfer-Encoding: 8bit\n\n%s\n' \
	    "$2" "$1" "$3"
}
owner() { sed -n "s/^owner: //p" $(ticket_dir $1)/ticket.yaml; }

rules() { # rules STRATEGY [EXTRA-AGENT-LINES]
	sed -n "/^desk:/,/^\$/p" rt.yaml >new.yaml &&
	cat >>new.yaml <<-EOC &&
	business-hours:
	  timezone: Europe/Berlin
	  hours: [mon-fri 08:00-18:00]
	agents:
	  anna: {email: anna@example.org, teams: [l1], skills: [drucker, de]}
	  ben: {email: ben@example.org, teams: [l1], skills: [vpn, en], away: [2026-11-20..2026-11-22]}
	  carla: {email: carla@example.org, skills: [vpn]}
	teams:
	  l1: {members: [carla], strategy: $1}
	routing:
	  - name: nachts
	    if: {hours: out}
	    then: {tags: [after-hours]}
	    continue: true
	  - name: alle
	    then: {team: l1}
	EOC
	mv new.yaml rt.yaml && rt-gc -q && git add rt.yaml && git commit -q -m "rules: $1"
}

new_desk || exit 1
test_expect_success 'setup: six tickets, one at night' '
	i=0 && for s in "Drucker defekt" "VPN down?" "Frage" "Rechnung" "Login" "Noch eine Frage"; do
		i=$((i + 1)) &&
		mail m$i "$s" "Hallo, bitte helfen." | RT_NOW=2026-11-23T10:0$i:00Z rt-ingest >>ids || return 1
	done &&
	mail night "Nachts" "Hallo" | RT_NOW=2026-11-23T22:30:00Z rt-ingest >night.id &&
	test $(wc -l <ids) = 6
'

test_expect_success 'round-robin: members in order (members: first, then agents naming the team)' '
	rules round-robin &&
	RT_NOW=2026-11-23T12:00:00Z rt-route <ids >/dev/null &&
	for id in $(cat ids); do owner $id; done >got &&
	printf "carla\nanna\nben\ncarla\nanna\nben\n" >expect &&
	test_cmp expect got
'

test_expect_success 'rotation continues from the desk state; a clone agrees' '
	mail m7 "Sieben" "x" | RT_NOW=2026-11-23T10:07:00Z rt-ingest >seven.id &&
	git clone -q . ../clone &&
	rt-route -n $(cat seven.id) >out &&
	echo "$(cat seven.id) team=l1 owner=carla" >expect && test_cmp expect out &&
	(cd ../clone && rt-route -n $(cat ../desk/seven.id)) >out2 &&
	test_cmp expect out2
'

test_expect_success 'an away agent is skipped (away: in the config)' '
	mail m8 "Acht" "x" | RT_NOW=2026-11-23T10:08:00Z rt-ingest >eight.id &&
	rt-route $(cat seven.id) $(cat eight.id) >/dev/null &&
	test "$(owner $(cat eight.id))" = anna &&
	# the next turn is ben'"'"'s, away from 2026-11-20 to 2026-11-22
	RT_NOW=2026-11-23T12:00:00Z rt-route -n $(cat night.id) >out &&
	grep "owner=ben" out &&
	RT_NOW=2026-11-21T12:00:00Z rt-route -n -x $(cat night.id) >out 2>explain &&
	grep "owner=carla" out && grep "round-robin turn 3 of 3, 1 away skipped" explain
'

test_expect_success 'an away file away/AGENT in the desk is honoured' '
	mkdir -p away && printf "# Urlaub\n2026-11-23..2026-11-30 # Kur\n" >away/ben &&
	rt-gc -q && git add away/ben && git commit -q -m "ben away" &&
	RT_NOW=2026-11-24T12:00:00Z rt-route -n $(cat night.id) >out &&
	echo "$(cat night.id) team=l1 tags=after-hours owner=carla" >expect && test_cmp expect out &&
	RT_NOW=2026-12-01T12:00:00Z rt-route -n $(cat night.id) >out &&
	grep "owner=ben" out
'

test_expect_success 'business hours: arrival at 22:30 UTC is out of hours in Berlin' '
	rt-route -n -x $(cat night.id) 2>explain >/dev/null &&
	grep "rule .nachts.: match (hours: arrived out of business hours)" explain &&
	rt-route -n -x $(head -n 1 ids) 2>explain >/dev/null &&
	grep "rule .nachts.: no match (hours: arrived in business hours)" explain
'

test_expect_success 'an assignment by hand is never overridden' '
	rt-gc -q && git rm -q away/ben && git commit -q -m back &&
	ID=$(head -n 1 ids) &&
	rt-set $ID owner=ben >/dev/null &&
	rules least-open &&
	before=$(git rev-parse HEAD) &&
	rt-route $ID >/dev/null &&
	test "$(git rev-parse HEAD)" = "$before" &&
	test "$(owner $ID)" = ben
'

test_expect_success 'least-open: the agent with fewest open tickets, ties by name' '
	# open now: anna 3, ben 3 (one by hand), carla 2
	rt-route -n $(cat night.id) >out &&
	echo "$(cat night.id) team=l1 tags=after-hours owner=carla" >expect && test_cmp expect out &&
	rt-set $(sed -n 2p ids) status=resolved >/dev/null &&
	# anna 2, carla 2: anna by name
	rt-route -n $(cat night.id) >out &&
	echo "$(cat night.id) team=l1 tags=after-hours owner=anna" >expect && test_cmp expect out
'

test_expect_success 'an owner picked by rt-route stays on a re-run' '
	before=$(git rev-parse HEAD) &&
	rt-route <ids >/dev/null &&
	test "$(git rev-parse HEAD)" = "$before"
'

test_expect_success 'skill: ticket words match agent skills (Drucker -> anna, VPN -> ben or carla)' '
	rules skill &&
	mail s1 "DRUCKER kaputt" "bitte" | rt-ingest >s1.id &&
	mail s2 "vpn" "the vpn is slow" | rt-ingest >s2.id &&
	mail s3 "vpn" "vpn slow" | rt-ingest >s3.id &&
	rt-route -n $(cat s1.id) $(cat s2.id) $(cat s3.id) >out &&
	grep "^$(cat s1.id) .*owner=anna" out &&
	# English detected from the text: ben has vpn and en
	grep "^$(cat s2.id) .*owner=ben" out &&
	grep "^$(cat s3.id) .*owner=carla" out
'

test_expect_success 'nobody present: the team is set, no owner' '
	mkdir -p away && printf "2026-11-01..2026-12-31\n" >away/anna && cp away/anna away/ben && cp away/anna away/carla &&
	rt-gc -q && git add away && git commit -q -m "all away" &&
	rt-route -n -x $(cat s1.id) >out 2>explain &&
	echo "$(cat s1.id) team=l1" >expect && test_cmp expect out &&
	grep "nobody in team l1 is present" explain
'

test_done
