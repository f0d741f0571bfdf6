#!/bin/sh
# rt-set: fields, lists, validation against rt.yaml, one commit per change
. "$(dirname "$0")/lib.sh"

mail() { # mail MSGID SUBJECT [FROM]
	printf 'From: %s\nTo: support@example.org\nSubject: %s\nMessage-Id: <%s>\nDate: Mon, 23 Nov 2026 10:00:00 +0000\n\nHello\n' \
	    "${3:-Carl <carl@example.com>}" "$2" "$1"
}

new_desk || exit 1
test_expect_success 'setup' '
	cat >>rt.yaml <<-\EOC &&
	agents:
	  anna: {email: anna@example.org, name: Anna}
	  bob: bob@example.org
	teams:
	  ops: {}
	fields:
	  resolution:
	    values: [fixed, wontfix]
	  hours:
	    type: number
	  followup:
	    type: time
	  note:
	EOC
	printf "  billing:\n    description: money\n" >tmp && sed -i "/^queues:/r tmp" rt.yaml &&
	mail a1@example.com "printer" | RT_NOW=2026-11-23T10:00:00Z rt-ingest >$TRASH/id &&
	test -s $TRASH/id
'
ID=$(cat $TRASH/id 2>/dev/null)

test_expect_success 'set several fields in one commit, prints the id' '
	before=$(git rev-list --count HEAD) &&
	RT_NOW=2026-11-23T11:00:00Z rt-set $ID status=open priority=high owner=anna queue=billing tags=a,b >out &&
	echo $ID >expect && test_cmp expect out &&
	test $(git rev-list --count HEAD) = $((before + 1)) &&
	git log -1 --format=%s >subj &&
	echo "set: #$ID status=open priority=high owner=anna queue=billing tags=a,b" >expect &&
	test_cmp expect subj &&
	git log -1 --format=%B | grep "^Action: set$" &&
	p=$(ticket_dir $ID) &&
	grep "^status: open$" $p/ticket.yaml &&
	grep "^owner: anna$" $p/ticket.yaml &&
	grep "^tags: \[a, b\]$" $p/ticket.yaml &&
	grep -c "ev: set" $p/log.yaml >n && echo 5 >expect && test_cmp expect n
'

test_expect_success 'list operators combine into one event' '
	p=$(ticket_dir $ID) &&
	rt-set $ID tags+=c tags-=a &&
	grep "^tags: \[b, c\]$" $p/ticket.yaml &&
	tail -1 $p/log.yaml >last &&
	grep "field: tags, old: .a,b., new: .b,c." last
'

test_expect_success 'no-op commits nothing but prints the id' '
	before=$(git rev-parse HEAD) &&
	rt-set $ID priority=high tags+=b >out &&
	echo $ID >expect && test_cmp expect out &&
	test "$(git rev-parse HEAD)" = "$before"
'

test_expect_success 'due is parsed and stored as RFC 3339' '
	p=$(ticket_dir $ID) &&
	rt-set $ID "due=2026-12-01 14:30" && grep "^due: .2026-12-01T14:30:00Z.$" $p/ticket.yaml &&
	RT_NOW=2026-11-23T10:00:00Z rt-set $ID due=+4h && grep "^due: .2026-11-23T14:00:00Z.$" $p/ticket.yaml
'

test_expect_success 'custom fields declared in rt.yaml' '
	p=$(ticket_dir $ID) &&
	rt-set $ID resolution=fixed hours=2.5 followup=2026-12-24 note="call back" &&
	grep "^resolution: fixed$" $p/ticket.yaml &&
	grep "^hours: .2.5.$" $p/ticket.yaml &&
	grep "^followup: .2026-12-24T00:00:00Z.$" $p/ticket.yaml &&
	grep "^note: .call back.$" $p/ticket.yaml
'

test_expect_success 'empty value and owner=none clear a field' '
	p=$(ticket_dir $ID) &&
	rt-set $ID note= owner=none &&
	! grep "^note:" $p/ticket.yaml && ! grep "^owner:" $p/ticket.yaml
'

refused() { # CODE ARGS...: refused with CODE, nothing committed
	_code=$1; shift
	_before=$(git rev-parse HEAD)
	rt-set "$@" >out 2>err
	_rc=$?
	cat err
	test $_rc = $_code && test "$(git rev-parse HEAD)" = "$_before"
}

test_expect_success 'unknown field is a usage error naming it' '
	refused 64 $ID frobnicate=1 priority=low && grep "frobnicate" err
'
test_expect_success 'field that is managed elsewhere is refused' '
	refused 64 $ID parent=$ID && refused 64 $ID id=XXXX
'
test_expect_success 'bad values are refused, nothing changed' '
	refused 65 $ID priority=extreme && grep "not a priority" err &&
	refused 65 $ID queue=nowhere && grep "unknown queue .nowhere." err &&
	refused 65 $ID owner=mallory && grep "unknown agent .mallory." err &&
	refused 65 $ID team=dev && grep "unknown team" err &&
	refused 65 $ID resolution=maybe &&
	refused 65 $ID hours=many &&
	refused 65 $ID due=tomorrow &&
	refused 65 $ID cc+=nobody && grep "not a mail address" err
'
test_expect_success 'one bad assignment refuses the whole change' '
	refused 65 $ID priority=low queue=nowhere &&
	grep "^priority: high$" $(ticket_dir $ID)/ticket.yaml
'
test_expect_success 'list operators on a plain field are refused' '
	refused 64 $ID priority+=low
'
test_expect_success 'not an assignment or no assignment is a usage error' '
	test_expect_code_64() { "$@"; test $? = 64; } &&
	test_expect_code_64 rt-set $ID &&
	test_expect_code_64 rt-set $ID =x
'
test_expect_success 'unknown ticket' '
	test_must_fail rt-set 00000000 priority=low 2>err && grep "00000000" err
'

test_expect_success 'ids from stdin, echoed' '
	mail a2@example.com second | rt-ingest >id2 &&
	cat $TRASH/id id2 | rt-set priority=urgent >out &&
	cat $TRASH/id id2 >expect && test_cmp expect out &&
	grep "^priority: urgent$" $(ticket_dir $(cat id2))/ticket.yaml &&
	cat id2 | rt-set --stdin priority=low >out && test_cmp id2 out
'

test_expect_success 'ids as #id and lower case' '
	lc=$(echo $ID | tr A-Z a-z) &&
	rt-set "#$lc" severity=2 >out && echo $ID >expect && test_cmp expect out
'

test_expect_success 'cc and requestors take "Name <addr>" as pasted from a mail' '
	rt-set $ID "cc+=Bob B. <bob@x.example>, \"Eve\" <eve@x.example>" >/dev/null &&
	rt-show $ID >show && grep "^cc .*bob@x.example" show && grep "^cc .*eve@x.example" show &&
	! grep "^cc .*[<\"]" show &&
	rt-set $ID "cc-=Eve <eve@x.example>" >/dev/null &&
	rt-show $ID >show && grep "^cc .*bob@x.example" show && ! grep "^cc .*eve@" show &&
	refused 65 $ID "cc+=Nobody <nobody>" && grep "not a mail address" err
'

test_done
