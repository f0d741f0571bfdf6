#!/bin/sh
# rt-escalate sweeps: warning, breach, next level; exactly once; dry run;
# critical, security and phrase triggers; notifications over real SMTP.
. "$(dirname "$0")/lib.sh"

mail() { # FROM MSGID SUBJECT [BODY]
	printf 'From: %s\nTo: support@example.org\nSubject: %s\nMessage-Id: <%s>\nContent-Type: text/plain; charset=utf-8\n\n%s\n' \
	    "$1" "$3" "$2" "${4:-Please help.}"
}
steps() { grep -c "ev: escalate" "$(ticket_dir $1)/log.yaml"; }
sunk() { cat "$TRASH"/sink/* 2>/dev/null | grep -c "^X-RT-Escalation: $1\$"; }

if ! test_have_prereq SMTP_SINK; then
	test_skip 'escalation sweeps' 'smtp-sink not installed'
	test_done
	exit
fi
start_sink "$TRASH/sink" || exit 1
SMTP=$PORT

new_desk || exit 1
test_expect_success 'setup' '
	cat >>rt.yaml <<-EOC &&
	calendars:
	  office:
	    timezone: Europe/Berlin
	    hours: {mon-fri: "08:00-18:00", sat: "09:00-12:00"}
	sla:
	  calendar: office
	  policies:
	    - {name: standard, first-response: 2h, resolution: 2bd}
	escalation:
	  warn-at: 75%
	  mailer: smtp://127.0.0.1:$SMTP
	  contacts:
	    lead: Team Lead <lead@example.org>
	    boss: boss@example.org
	  levels:
	    - name: L1 agent
	      notify: [agent1@example.org]
	      actions: Answer the customer now.
	    - name: Team lead
	      notify: [lead]
	      queue: escalated
	      actions: Take the ticket over.
	    - name: Management
	      notify: [boss, lead]
	  triggers:
	    - {on: "first-response:warn", level: 1}
	    - {on: "first-response:breach", level: 2}
	    - {on: "first-response:200%", level: 3}
	    - {on: critical, level: 3}
	    - {on: phrase, name: supervisor, level: 3, phrases: [supervisor, Vorgesetzten]}
	  security:
	    notify: [security@example.org]
	    actions: Isolate the host and keep evidence.
	EOC
	git commit -qm escalation rt.yaml
'

test_expect_success 'nothing is due before the warning share' '
	mail alice@customer.example w1@x "Drucker läuft nicht" | RT_NOW=2026-11-27T16:00:00Z rt-ingest >$TRASH/id &&
	rt-escalate --now 2026-11-27T17:00:00Z >out &&
	test_must_fail test -s out
'
ID=$(cat $TRASH/id)

test_expect_success 'a warning at 75% of the first-response target' '
	rt-escalate --now 2026-11-28T08:30:00Z >out &&
	echo "$ID first-response:warn level 1 notify agent1@example.org" >expect &&
	test_cmp expect out &&
	test $(steps $ID) = 1 &&
	git log -1 --format=%s >subj &&
	grep "^escalate: #$ID first-response at 75% of target" subj
'

test_expect_success 'repeated sweeps do not notify again' '
	rt-escalate --now 2026-11-28T08:31:00Z >out &&
	rt-escalate --now 2026-11-28T08:45:00Z >>out &&
	test_must_fail test -s out &&
	test $(steps $ID) = 1
'

test_expect_success 'dry run shows the breach and changes nothing' '
	rt-gc -q && head=$(git rev-parse HEAD) &&
	rt-escalate -n --now 2026-11-28T09:30:00Z >out &&
	echo "$ID first-response:breach level 2 notify lead@example.org queue escalated (dry run)" >expect &&
	test_cmp expect out &&
	test $(git rev-parse HEAD) = $head &&
	git status --porcelain --untracked-files=no >st && test_must_fail test -s st &&
	rt-escalate -n --json --now 2026-11-28T09:30:00Z >out &&
	jq -r "[.id, .step, .level, .done] | join(\" \")" out >got &&
	echo "$ID first-response:breach 2 $(cat expect)" >expect.json && test_cmp expect.json got &&
	test $(git rev-parse HEAD) = $head
'

test_expect_success 'the breach escalates to level 2 and moves the ticket' '
	rt-escalate --now 2026-11-28T09:30:00Z >out &&
	echo "$ID first-response:breach level 2 notify lead@example.org queue escalated" >expect &&
	test_cmp expect out &&
	grep "^queue: escalated" $(ticket_dir $ID)/ticket.yaml &&
	grep "ev: notify.*step: .first-response:breach" $(ticket_dir $ID)/log.yaml
'

test_expect_success 'then the next level' '
	rt-escalate --now 2026-11-30T09:00:00Z >out &&
	echo "$ID first-response:200% level 3 notify boss@example.org,lead@example.org" >expect &&
	test_cmp expect out &&
	rt-escalate --now 2026-11-30T10:00:00Z >out &&
	test_must_fail test -s out &&
	test $(steps $ID) = 3
'

test_expect_success 'a late first sweep records the warning as skipped' '
	mail bob@customer.example s1@x "Late" | RT_NOW=2026-11-30T08:00:00Z rt-ingest >id2 &&
	id=$(cat id2) &&
	rt-escalate --now 2026-11-30T11:00:00Z >out &&
	echo "$id first-response:breach level 2 notify lead@example.org queue escalated (skips first-response:warn)" >expect &&
	test_cmp expect out &&
	test $(steps $id) = 2
'

test_expect_success 'a critical incident escalates at once' '
	mail carol@customer.example c1@x "Alles down" | RT_NOW=2026-11-30T12:00:00Z rt-ingest >id3 &&
	id=$(cat id3) &&
	RT_NOW=2026-11-30T12:00:00Z rt-set $id priority=critical >/dev/null &&
	rt-escalate --now 2026-11-30T12:01:00Z >out &&
	echo "$id critical:immediate level 3 notify boss@example.org,lead@example.org" >expect &&
	grep "^$id" out >mine &&
	test_cmp expect mine
'

test_expect_success 'a security incident goes to the security officer' '
	mail dan@customer.example x1@x "Phishing" | RT_NOW=2026-11-30T12:10:00Z rt-ingest >id4 &&
	id=$(cat id4) &&
	RT_NOW=2026-11-30T12:10:00Z rt-set $id tags=security >/dev/null &&
	rt-escalate --now 2026-11-30T12:11:00Z >out &&
	echo "$id security:immediate level 0 notify security@example.org" >expect &&
	test_cmp expect out
'

test_expect_success 'a customer asking for a supervisor (German)' '
	mail carol@customer.example c2@x "Re: [Test #$(cat id3)] Alles down" \
	    "Ich möchte Ihren VORGESETZTEN sprechen.
> supervisor in a quote does not count" |
	    RT_NOW=2026-11-30T12:20:00Z rt-ingest >/dev/null &&
	rt-escalate --now 2026-11-30T12:21:00Z >out &&
	echo "$(cat id3) phrase:supervisor level 3 notify boss@example.org,lead@example.org" >expect &&
	test_cmp expect out &&
	grep "reason: .customer wrote \"vorgesetzten\" (supervisor)" $(ticket_dir $(cat id3))/log.yaml
'

test_expect_success 'quoted phrases do not count' '
	mail bob@customer.example s2@x "Re: [Test #$(cat id2)] Late" "Thanks.
> Ask your supervisor" | RT_NOW=2026-11-30T12:30:00Z rt-ingest >/dev/null &&
	rt-escalate --now 2026-11-30T12:31:00Z >out &&
	test_must_fail grep phrase out
'

test_expect_success 'every notification reached the SMTP server once' '
	sleep 1 &&
	test $(sunk first-response:warn) = 1 &&
	test $(sunk first-response:breach) = 2 &&
	test $(sunk first-response:200%) = 2 &&
	test $(sunk critical:immediate) = 1 &&
	test $(sunk security:immediate) = 1 &&
	test $(sunk phrase:supervisor) = 1 &&
	grep -l "^X-RT-Escalation: first-response:warn" "$TRASH"/sink/* >f &&
	grep "^Subject: =?" $(cat f) &&
	grep -i "^Auto-Submitted: auto-generated" $(cat f)
'

test_expect_success 'a failed send is kept and retried by the next sweep' '
	kill $SPID && sleep 0.3 &&
	mail erin@customer.example r1@x "Retry" | RT_NOW=2026-11-30T13:00:00Z rt-ingest >id5 &&
	id=$(cat id5) && RT_NOW=2026-11-30T13:00:00Z rt-set $id priority=critical >/dev/null &&
	test_expect_code_75() { rt-escalate --now 2026-11-30T13:01:00Z >out; test $? = 75; } &&
	test_expect_code_75 &&
	grep "^$id critical:immediate" out &&
	test -s .git/rt/notify-journal || exit 1
	/usr/sbin/smtp-sink -u "$(id -un)" -d "$TRASH/sink/%M." 127.0.0.1:$SMTP 10 >/dev/null 2>&1 &
	SPID=$!
	test_when_finished "kill $SPID" &&
	sleep 0.3 &&
	rt-escalate --now 2026-11-30T13:02:00Z >out &&
	kill $SPID &&
	echo "$id critical:immediate resent to boss@example.org,lead@example.org" >expect &&
	test_cmp expect out &&
	test_must_fail test -e .git/rt/notify-journal &&
	test $(steps $id) = 1
'

test_done
