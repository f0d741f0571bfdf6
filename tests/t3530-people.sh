#!/bin/sh
# one people directory (lib/people.c): agents and teams read alike by
# rt-take, rt-set, mail commands, routing and escalation; address: is the
# canonical key for an agent's mail address, email: still works
. "$(dirname "$0")/lib.sh"

export RT_NOW=2026-11-23T10:00:00Z TZ=UTC
field() { sed -n "s/^$2: //p" $(ticket_dir $1)/ticket.yaml | tr -d "'"; }
mail() { # FROM MSGID SUBJECT BODY
	printf 'From: %s\nTo: support@example.org\nSubject: %s\nMessage-Id: <%s@x>\n\n%b' "$1" "$3" "$2" "$4"
}

new_desk || exit 1
test_expect_success 'setup: anna with address:, bob with email:, team l2 named only by agents' '
	cat >>rt.yaml <<-\EOC &&
	agents:
	  anna: {address: anna@example.org, name: Anna Berg, teams: [l2]}
	  bob: {email: bob@example.org, teams: [l2]}
	mail-commands:
	  enabled: true
	  secret: s3cret
	routing:
	  - name: all
	    then: {team: l2}
	EOC
	git commit -qm people rt.yaml &&
	mail c@example.com c1 printer "broken\n" | rt-ingest >$TRASH/id
'
ID=$(cat $TRASH/id)

test_expect_success 'rt-take knows the agent by address:' '
	RT_ACTOR="Anna <anna@example.org>" rt-take $ID >out &&
	echo $ID >expect && test_cmp expect out && test "$(field $ID owner)" = anna
'
test_expect_success 'mail commands know the agent by address: (and by email:)' '
	mail anna@example.org a1 "Re: [Test #$ID] printer" "Priority: high\nSecret: s3cret\n\nok\n" | rt-ingest &&
	test "$(field $ID priority)" = high &&
	tail -1 $(ticket_dir $ID)/log.yaml | grep "by: anna" &&
	mail bob@example.org b1 "Re: [Test #$ID] printer" "Priority: low\nSecret: s3cret\n\nok\n" | rt-ingest &&
	test "$(field $ID priority)" = low
'
test_expect_success 'rt-set accepts a team that only agents name, as routing does' '
	rt-route -n $ID >out && echo "$ID team=l2" >expect && test_cmp expect out &&
	rt-set $ID team=l2 >/dev/null && test "$(field $ID team)" = l2 &&
	test_must_fail rt-set $ID team=l9 2>err && grep "unknown team .l9. (rt.yaml teams: l2)" err
'
test_expect_success 'rt-set checks owners against the same directory' '
	rt-set $ID owner=bob >/dev/null && test "$(field $ID owner)" = bob &&
	test_must_fail rt-set $ID owner=carl 2>err && grep "unknown agent .carl. (rt.yaml agents: anna, bob)" err
'
test_expect_success 'rt-reply signs with the name: of the agent found by address:' '
	RT_ACTOR="anna <anna@example.org>" rt-reply -n -t resolved $ID >msg &&
	grep "^Anna Berg" msg
'
test_expect_success 'escalation notifies a team by its members, address: and email: alike' '
	cat >>rt.yaml <<-\EOC &&
	escalation:
	  levels:
	    - name: L2
	      notify: [l2]
	  triggers:
	    - {on: critical, level: 1}
	EOC
	git commit -qm escalation rt.yaml &&
	rt-set $ID priority=critical >/dev/null &&
	rt-escalate -n >out &&
	grep "^$ID critical:immediate level 1 notify anna@example.org,bob@example.org (dry run)\$" out
'
test_done
