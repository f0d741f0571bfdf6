#!/bin/sh
# workflows in rt.yaml: statuses, transitions, required fields, actions
. "$(dirname "$0")/lib.sh"

new_desk || exit 1
mk() { printf 'From: c@example.com\nTo: support@example.org\nSubject: %s\nMessage-Id: <%s@x>\n\nhi\n' "$1" "$1" | rt-ingest; }

refused() { # CODE ARGS...: rt-set refused with CODE, nothing committed
	_code=$1; shift
	_before=$(git rev-parse HEAD)
	rt-set "$@" >out 2>err
	_rc=$?
	cat err
	test $_rc = $_code && test "$(git rev-parse HEAD)" = "$_before"
}

test_expect_success 'default workflow: any built-in status to any other' '
	A=$(mk a) &&
	rt-set $A status=closed && rt-set $A status=new && rt-set $A status=waiting &&
	refused 65 $A status=merged && grep "not a status of workflow .built-in." err &&
	refused 65 $A status=pending
'

test_expect_success 'setup: workflows' '
	cat >>rt.yaml <<-\EOC
	fields:
	  resolution: {values: [fixed, wontfix]}
	  resolved-by:
	  closed-at-hand:
	workflows:
	  default:
	    transitions:
	      new: [open, waiting, resolved]
	      open: [waiting, resolved]
	      waiting: [open, resolved]
	      resolved: [open, closed]
	      closed: [open]
	    require:
	      resolved: [resolution]
	    on:
	      resolved:
	        set: {resolved-by: "{actor}"}
	        exec: printf "ran %s as $RT_STATUS in ${RT_DESK##*/}\\n"
	      closed:
	        set: {closed-at-hand: "{now}"}
	  incidents:
	    types: [incident]
	    statuses: [new, triage, mitigated, closed]
	    transitions:
	      "*": [closed]
	      new: [triage]
	      triage: [mitigated]
	EOC
	git commit -qm "workflows with an exec action: committed (rt-desk(5), TRUST)" rt.yaml
'

test_expect_success 'allowed transition' '
	B=$(mk b) && echo $B >$TRASH/b &&
	rt-set $B status=open >out && echo $B >expect && test_cmp expect out
'
B=$(cat $TRASH/b)

test_expect_success 'refused transition: exit 65, message, nothing committed' '
	refused 65 $B status=closed &&
	grep "workflow .default. does not allow .open. -> .closed. (from .open.: waiting, resolved)" err &&
	! test -s out
'
test_expect_success 'required field missing: refused' '
	refused 65 $B status=resolved &&
	grep "workflow .default. requires .resolution. before .resolved." err
'
test_expect_success 'required field given in the same command; set and exec actions' '
	RT_NOW=2026-11-23T10:00:00Z rt-set $B resolution=fixed status=resolved >out 2>err &&
	echo $B >expect && test_cmp expect out &&
	echo "ran $B as resolved in desk" >expect && test_cmp expect err &&
	p=$(ticket_dir $B) &&
	grep "^resolved-by: .Test Agent.$" $p/ticket.yaml &&
	git log -1 --format=%s >subj &&
	echo "set: #$B resolution=fixed status=resolved resolved-by=Test Agent" >expect &&
	test_cmp expect subj
'
test_expect_success '--no-exec skips exec actions' '
	rt-set $B status=open && rt-set --no-exec $B status=resolved 2>err &&
	! test -s err
'
test_expect_success 'on set with {now}' '
	RT_NOW=2026-11-24T08:00:00Z rt-set $B status=closed &&
	grep "^closed-at-hand: .2026-11-24T08:00:00Z.$" $(ticket_dir $B)/ticket.yaml
'
test_expect_success 'a failing exec action: committed, exit 69' '
	C=$(mk c) && rt-set $C status=open resolution=wontfix &&
	sed -i "s/exec: printf.*/exec: exit 3/" rt.yaml &&
	git commit -qm "exec: exit 3" rt.yaml &&
	before=$(git rev-parse HEAD) &&
	rt-set $C status=resolved 2>err; test $? = 69 &&
	test "$(git rev-parse HEAD)" != "$before" &&
	grep "failed (exit 3)" err
'
test_expect_success 'workflow chosen by ticket type' '
	D=$(mk d) && rt-set $D type=incident &&
	refused 65 $D status=open && grep "not a status of workflow .incidents." err &&
	refused 65 $D status=mitigated && grep "does not allow .new. -> .mitigated." err &&
	rt-set $D status=triage && rt-set $D status=mitigated &&
	refused 65 $D status=triage &&
	rt-set $D status=closed
'
test_expect_success 'a status the workflow does not know may go anywhere it knows' '
	E=$(mk e) && rt-set $E status=waiting && rt-set $E type=incident &&
	rt-set $E status=mitigated
'
test_expect_success 'several tickets: refused ones are reported, others changed' '
	F=$(mk f) && G=$(mk g) && rt-set $G status=open &&
	printf "%s\n%s\n" $F $G | rt-set status=waiting >out 2>err; test $? = 0 &&
	printf "%s\n%s\n" $F $G >expect && test_cmp expect out &&
	rt-set $F $G status=new >out 2>err; test $? = 65 &&
	grep "#$G: workflow .default. does not allow .waiting. -> .new." err
'
test_expect_success 'a broken workflows section: EX_CONFIG with position, nothing done' '
	cp rt.yaml rt.yaml.good &&
	test_when_finished "cp rt.yaml.good rt.yaml" &&
	sed -i "s/^      new: \[open, waiting, resolved\]/      new: {x: 1}/" rt.yaml &&
	refused 78 $F priority=high && grep "rt.yaml:[0-9]*:[0-9]*: workflow .default.: .transitions: new. must be a list" err
'
test_done
