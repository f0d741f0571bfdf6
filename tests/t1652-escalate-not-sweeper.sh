#!/bin/sh
# A clone that is not escalation.sweeper (as a dry run) says on every line
# that it sent and changed nothing: "(dry run)", never a bare "notify ADDR"
# a reader takes for a sent notice; the sweeper's lines say what it sent.
. "$(dirname "$0")/lib.sh"

new_desk desk || exit 1
RT_NOW=2026-11-25T12:00:00Z; export RT_NOW

test_expect_success 'setup: a breached ticket, swept by the clone office1' '
	cat >>rt.yaml <<-EOC &&
	sla:
	  policies:
	    - {name: standard, first-response: 1h}
	escalation:
	  sweeper: office1
	  mailer: sendmail://$TRASH/sendmail-standin
	  levels:
	    - {name: lead, notify: [lead@example.org]}
	  triggers:
	    - {on: "first-response:breach", level: 1}
	EOC
	git commit -qm "escalation, swept by office1" rt.yaml &&
	printf "From: c@example.com\nTo: support@example.org\nSubject: help\nMessage-Id: <h@x>\n\nhi\n" |
	RT_NOW=2026-11-25T09:00:00Z rt-ingest >id
'

test_expect_success 'office2 reports what is due, each line marked as not done' '
	git config rt.clone office2 && head=$(git rev-parse HEAD) &&
	rt-escalate >out 2>err &&
	grep "escalation.sweeper is .office1., this clone is .office2. (git config rt.clone): reporting only" err &&
	echo "$(cat id) first-response:breach level 1 notify lead@example.org (dry run)" >expect &&
	test_cmp expect out &&
	! test -e "$TRASH/sent-mail" && test $(git rev-parse HEAD) = $head &&
	rt-escalate --json >j 2>/dev/null &&
	jq -r .done j >got && test_cmp expect got
'

test_expect_success 'the sweeper office1 sends, and its line says so' '
	git config rt.clone office1 &&
	rt-escalate >out &&
	echo "$(cat id) first-response:breach level 1 notify lead@example.org" >expect &&
	test_cmp expect out &&
	grep "^X-RT-Escalation: first-response:breach" "$TRASH/sent-mail"
'

test_done
