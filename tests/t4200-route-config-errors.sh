#!/bin/sh
# rt-route: a bad rule set is reported as rt.yaml:LINE:COL, exit 78
# (EX_CONFIG), and no ticket is changed, not even those before the error
. "$(dirname "$0")/lib.sh"

new_desk || exit 1
printf 'From: a@example.net\nTo: support@example.org\nSubject: Ausfall\nMessage-ID: <x@y>\n\nhi\n' >m.eml
ID=$(rt-ingest <m.eml)
sed -n "/^desk:/,/^\$/p" rt.yaml >base.yaml
LINES=$(wc -l <base.yaml)

# bad 'YAML' 'expected message with @L@ for the line of the YAML's first line + n'
bad() {
	cp base.yaml rt.yaml &&
	printf '%s\n' "$1" >>rt.yaml &&
	before=$(git rev-parse HEAD) &&
	rt-route $ID >out 2>err
	rc=$?
	test "$(git rev-parse HEAD)" = "$before" || { echo "desk changed"; return 1; }
	test ! -s out || { echo "ids printed"; return 1; }
	test $rc = 78 || { echo "exit $rc"; cat err; return 1; }
	echo "rt-route: rt.yaml:$2" >expect && short err && test_cmp expect err
}
# the desk's rt.yaml is named by its full path
short() { sed -i "s|^rt-route: .*/rt.yaml:|rt-route: rt.yaml:|" "$1"; }
L1=$((LINES + 1)) L2=$((LINES + 2)) L3=$((LINES + 3)) L4=$((LINES + 4)) L5=$((LINES + 5))

test_expect_success 'unknown queue when queues: is declared' "
	bad 'queues: {general: {}}
routing:
  - name: a
    then: {queue: bling}' '$L4:19: unknown queue '\''bling'\'' (not in queues:)'
"

test_expect_success 'invalid regex' "
	bad 'routing:
  - name: a
    if: {regex: \"Ausfall(\"}
    then: {priority: high}' '$L3:17: invalid regex '\''Ausfall('\'': Unmatched ( or \\\\('
"

test_expect_success 'unknown agent as owner' "
	bad 'agents: {anna: {email: anna@example.org}}
routing:
  - name: a
    then: {owner: bruno}' '$L4:19: unknown agent '\''bruno'\'''
"

test_expect_success 'unknown agent in a team' "
	bad 'agents: {anna: {}}
teams:
  l1: {members: [anna, bruno]}' '$L3:24: unknown agent '\''bruno'\'''
"

test_expect_success 'unknown team' "
	bad 'routing:
  - name: a
    then: {team: l9}' '$L3:18: unknown team '\''l9'\'''
"

test_expect_success 'unknown key in a rule' "
	bad 'routing:
  - name: a
    thne: {priority: high}' '$L3:11: unknown key '\''thne'\'' in rule (name, if, then, continue)'
"

test_expect_success 'unknown condition' "
	bad 'routing:
  - name: a
    if: {subjekt: Ausfall}
    then: {priority: high}' '$L3:19: unknown condition '\''subjekt'\'' (channel, from, to, subject, body, text, regex, header, customer, contract, vip, hours, attachment, language)'
"

test_expect_success 'unknown action, unknown type, bad escalate' "
	bad 'routing:
  - name: a
    then: {prio: high}' '$L3:18: unknown action '\''prio'\'' (queue, priority, severity, type, tags, owner, team, escalate, customer)' &&
	bad 'routing:
  - name: a
    then: {type: bug}' '$L3:18: unknown type '\''bug'\'' (incident, request, complaint, question)' &&
	bad 'routing:
  - name: a
    then: {escalate: later}' '$L3:22: escalate must be '\''immediate'\'''
"

test_expect_success 'hours without a calendar, unknown calendar, bad business hours, bad zone' "
	bad 'routing:
  - name: a
    if: {hours: in}
    then: {priority: high}' '$L3:17: hours needs a calendar: name one of calendars: ('\''hours: in office'\'') or set sla.calendar' &&
	bad 'routing:
  - name: a
    if: {hours: in office}
    then: {priority: high}' '$L3:17: unknown calendar '\''office'\'' (see calendars:)' &&
	bad 'business-hours: mon-fri 8-18' '$L1:17: bad business hours '\''mon-fri 8-18'\'' (want e.g. '\''mon-fri 08:00-18:00'\'')' &&
	bad 'business-hours: {timezone: Europe/Nowhere, hours: mon-fri 08:00-18:00}' '$L1:28: unknown time zone '\''Europe/Nowhere'\'''
"

test_expect_success 'rules without name, duplicate names, routing not a list' "
	bad 'routing:
  - then: {priority: high}' '$L2:5: rule has no name' &&
	bad 'routing:
  - {name: a}
  - {name: a}' '$L3:12: a rule named '\''a'\'' exists already' &&
	bad 'routing: {name: a}' '$L1:10: routing must be a list of rules'
"

test_expect_success 'bad away range, unknown customer, bad critical list' "
	bad 'agents: {anna: {away: [2026-12-24..24.12.2026]}}' '$L1:24: bad date range '\''2026-12-24..24.12.2026'\'' (want YYYY-MM-DD or YYYY-MM-DD..YYYY-MM-DD)' &&
	bad 'routing:
  - name: a
    if: {customer: acme}' '$L3:20: unknown customer '\''acme'\''' &&
	bad 'routing-critical: {worte: [a]}' '$L1:27: unknown key '\''worte'\'' in routing-critical (words, vip)'
"

test_expect_success 'the first error wins even when earlier rules are fine; --check' '
	cp base.yaml rt.yaml &&
	printf "routing:\n  - name: ok\n    then: {priority: high}\n  - name: bad\n    if: {regex: \"[\"}\n" >>rt.yaml &&
	test_expect_code_78() { "$@"; test $? = 78; } &&
	test_expect_code_78 rt-route --check 2>err && short err &&
	grep "^rt-route: rt.yaml:$L5:17: invalid regex" err &&
	test_expect_code_78 rt-route $ID 2>err &&
	grep "priority: normal" $(ticket_dir $ID)/ticket.yaml
'

test_expect_success 'a bad away file names the file and line' '
	cp base.yaml rt.yaml &&
	printf "agents: {anna: {}}\n" >>rt.yaml &&
	mkdir away && printf "2026-12-24\nmorgen\n" >away/anna &&
	rt-gc -q && git add away && git commit -q -m away &&
	rt-route --check 2>err; test $? = 78 &&
	echo "rt-route: away/anna:2: bad date range '"'morgen'"' (want YYYY-MM-DD or YYYY-MM-DD..YYYY-MM-DD)" >expect &&
	test_cmp expect err
'

test_done
