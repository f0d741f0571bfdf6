#!/bin/sh
# one status_is_done: a merged ticket is done wherever "done" is asked
# (rt-ls --open, reports, routing's open load; SLA clocks: unit/test_sla),
# as resolved and closed are
. "$(dirname "$0")/lib.sh"

export RT_NOW=2026-11-23T09:00:00Z TZ=UTC
mail() { printf 'From: c@example.com\nTo: support@example.org\nSubject: %s\nMessage-Id: <%s@x>\n\nhi\n' "$1" "$1"; }
owner() { sed -n "s/^owner: //p" $(ticket_dir $1)/ticket.yaml; }

new_desk || exit 1
test_expect_success 'setup: anna owns an open and a merged ticket, ben one open' '
	cat >>rt.yaml <<-\EOC &&
	agents:
	  anna: {email: anna@example.org, teams: [l1]}
	  ben: {email: ben@example.org, teams: [l1]}
	teams:
	  l1: {strategy: least-open}
	routing:
	  - name: all
	    then: {team: l1}
	EOC
	git commit -qm people rt.yaml &&
	mail keep | rt-ingest >$TRASH/keep && mail res | rt-ingest >$TRASH/res &&
	mail dup | rt-ingest >$TRASH/dup && mail ben | rt-ingest >$TRASH/ben &&
	rt-set $(cat $TRASH/keep) $(cat $TRASH/dup) owner=anna >/dev/null &&
	rt-set $(cat $TRASH/ben) owner=ben >/dev/null &&
	RT_NOW=2026-11-23T10:00:00Z rt-set $(cat $TRASH/res) status=resolved >/dev/null &&
	RT_NOW=2026-11-23T10:00:00Z rt-merge $(cat $TRASH/dup) $(cat $TRASH/keep) >/dev/null
'
K=$(cat $TRASH/keep) R=$(cat $TRASH/res) M=$(cat $TRASH/dup) B=$(cat $TRASH/ben)

test_expect_success 'rt-ls --open --all leaves out resolved and merged tickets' '
	rt-ls --open --all --ids | sort >out && printf "%s\n" $K $B | sort >expect &&
	test_cmp expect out
'
test_expect_success 'least-open routing does not count a merged ticket as open' '
	# open: anna 1 (the merged one is done), ben 1: anna by name
	mail new | rt-ingest >$TRASH/new &&
	rt-route -n $(cat $TRASH/new) >out &&
	echo "$(cat $TRASH/new) team=l1 owner=anna" >expect && test_cmp expect out
'
test_expect_success 'reports count the merged ticket out of the backlog' '
	rt-report --json --since 2026-11-23 --until 2026-11-24 >rep.json &&
	grep "\"backlog\": 3," rep.json
'
test_done
