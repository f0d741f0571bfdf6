#!/bin/sh
# rt-ls: filters, sorting and output formats over the cache
. "$(dirname "$0")/lib.sh"

mail() { # mail MSGID SUBJECT FROM
	printf 'From: %s\nTo: support@example.org\nSubject: %s\nMessage-Id: <%s>\nDate: Mon, 23 Nov 2026 10:00:00 +0000\n\nHello\n' \
	    "$3" "$2" "$1"
}

new_desk || exit 1
cat >>rt.yaml <<\EOC
agents:
  anna: anna@example.org
  bob: bob@example.org
EOC
test_expect_success 'setup: three tickets at known times' '
	mail a1@x "printer on fire" "carl@example.com" | RT_NOW=2026-11-20T09:00:00Z rt-ingest >$TRASH/a &&
	mail a2@x "vpn down" "dora@corp.example" | RT_NOW=2026-11-21T09:00:00Z rt-ingest >$TRASH/b &&
	mail a3@x "invoice question with a rather long subject line that goes on" "erik@example.com" |
	    RT_NOW=2026-11-22T09:00:00Z rt-ingest >$TRASH/c &&
	RT_NOW=2026-11-22T10:00:00Z rt-set $(cat $TRASH/a) status=open priority=urgent owner=anna tags=hw,fire due=2026-11-22T12:00:00Z &&
	RT_NOW=2026-11-22T11:00:00Z rt-set $(cat $TRASH/b) status=resolved priority=low owner=bob tags=net customer=corp &&
	RT_NOW=2026-11-22T12:00:00Z rt-set $(cat $TRASH/c) priority=high tags=money due=2026-11-23T13:00:00Z
'
A=$(cat $TRASH/a) B=$(cat $TRASH/b) C=$(cat $TRASH/c)

ids() { rt-ls --ids --sort id "$@" >actual; for i in $EXPECT; do echo $i; done | sort >expect; test_cmp expect actual; }

test_expect_success 'all tickets' 'EXPECT="$A $B $C" ids'
test_expect_success '--status and --open' '
	EXPECT="$B" ids --status resolved &&
	EXPECT="$A $C" ids --status open,new &&
	EXPECT="$A $C" ids --open
'
test_expect_success '--owner, none and me' '
	EXPECT="$A" ids --owner anna &&
	EXPECT="$C" ids --owner none &&
	EXPECT="$A" RT_ACTOR="Anna <anna@example.org>" ids --owner me
'
test_expect_success '--priority list and minimum' '
	EXPECT="$A $B" ids --priority urgent,low &&
	EXPECT="$A $C" ids --priority high+
'
test_expect_success '--tag: comma is any, repeat is all' '
	EXPECT="$A $B" ids --tag hw,net &&
	EXPECT="$A" ids --tag hw --tag fire &&
	EXPECT="" ids --tag hw --tag net
'
test_expect_success '--requestor, --customer, --channel, --queue, --where' '
	EXPECT="$B" ids --requestor DORA@corp.example &&
	EXPECT="$A $C" ids --requestor @example.com &&
	EXPECT="$B" ids --requestor "Dora D. <DORA@corp.example>" &&
	EXPECT="$B" ids --requestor " dora@corp.example " &&
	EXPECT="$B" ids --customer corp &&
	EXPECT="$A $B $C" ids --channel mail --queue general &&
	EXPECT="$C" ids --where priority=high
'
test_expect_success 'created and updated windows' '
	EXPECT="$B $C" ids --created-since 2026-11-21 &&
	EXPECT="$A" ids --created-until 2026-11-21 &&
	EXPECT="$B $C" ids --updated-since 2026-11-22T11:00:00Z &&
	EXPECT="$C" RT_NOW=2026-11-22T13:00:00Z ids --updated-since -90m
'
test_expect_success '--sla breached and due-soon (done tickets never count)' '
	EXPECT="$A" RT_NOW=2026-11-23T10:00:00Z ids --sla breached &&
	EXPECT="$C" RT_NOW=2026-11-23T10:00:00Z ids --sla due-soon &&
	EXPECT="" RT_NOW=2026-11-23T08:00:00Z ids --sla due-soon &&
	EXPECT="$C" RT_NOW=2026-11-23T08:00:00Z ids --sla due-soon --due-window 6h
'
test_expect_success '--esc-level' '
	EXPECT="$A $B $C" ids --esc-level 0 && EXPECT="" ids --esc-level 1+
'
test_expect_success '--sort with descending and priority order' '
	rt-ls --ids --sort -priority >actual &&
	printf "%s\n" $A $C $B >expect && test_cmp expect actual &&
	rt-ls --ids --sort created >actual &&
	printf "%s\n" $A $B $C >expect && test_cmp expect actual &&
	rt-ls --ids --sort owner,-created >actual &&
	printf "%s\n" $A $B $C >expect && test_cmp expect actual &&
	rt-ls --ids --sort -created --limit 2 >actual &&
	printf "%s\n" $C $B >expect && test_cmp expect actual
'
test_expect_success '--count' '
	rt-ls --count --open >actual && echo 2 >expect && test_cmp expect actual
'
test_expect_success '--format with escapes' '
	rt-ls --format "%{id}\t%{priority}\t%{tags}\t%{team}|\n" --sort created >actual &&
	printf "%s\turgent\thw,fire\t|\n%s\tlow\tnet\t|\n%s\thigh\tmoney\t|\n" $A $B $C >expect &&
	test_cmp expect actual
'
test_expect_code 64 '--format: an unknown key is a usage error naming the format and the keys' '
	rt-ls --format "%{id} %{nothing}\n" >out 2>err; rc=$?;
	test_must_fail test -s out && test $(wc -l <err) = 1 &&
	grep "^rt-ls: --format .%{id} %{nothing}\\\\n.: unknown key .nothing. (id, subject, .*esc-level" err &&
	exit $rc
'
test_expect_code 64 '--format: the unknown-key error lists every key the check accepts (watchers, a workflow set: key)' '
	cp rt.yaml rt.yaml.keep && test_when_finished "mv rt.yaml.keep rt.yaml" &&
	printf "workflows:\n  default:\n    on:\n      resolved:\n        set: {resolved-by: \"{actor}\"}\n" >>rt.yaml &&
	rt-ls --format "%{id} %{watchers} %{resolved-by}\n" >out &&
	rt-ls --format "%{nothing}" >out 2>err; rc=$?;
	grep "unknown key .nothing. (id, .*, watchers.*, resolved-by)$" err &&
	exit $rc
'
test_expect_code 64 '--format: an unterminated %{ is a usage error naming the format' '
	rt-ls --format "%{id} %{subject" >out 2>err; rc=$?;
	test_must_fail test -s out &&
	grep -x "rt-ls: --format .%{id} %{subject.: unterminated %{ (write %{KEY})" err &&
	exit $rc
'
test_expect_success '--json: objects with lists as arrays' '
	rt-ls --json --status resolved >out.json &&
	python3 -c "import json,sys; a=json.load(open(\"out.json\")); t=a[0]; \
assert len(a)==1 and t[\"id\"]==\"$B\" and t[\"tags\"]==[\"net\"] and \
t[\"requestors\"]==[\"dora@corp.example\"] and t[\"owner\"]==\"bob\" and \"updated\" in t, t" &&
	rt-ls --json --status closed >actual && echo "[]" >expect && test_cmp expect actual
'
test_expect_success 'table: aligned columns, subject cut to COLUMNS' '
	COLUMNS=80 rt-ls --sort created >actual &&
	cat >expect <<-EOF &&
	ID        STATUS    PRIORITY  QUEUE    OWNER  UPDATED           SUBJECT
	$A  open      urgent    general  anna   2026-11-22 10:00  printer on fire
	$B  resolved  low       general  bob    2026-11-22 11:00  vpn down
	$C  new       high      general  -      2026-11-22 12:00  invoice questio…
	EOF
	test_cmp expect actual
'
test_expect_success 'bad options are usage errors' '
	test_expect_code_64() { "$@"; test $? = 64; } &&
	test_expect_code_64 rt-ls --sla later &&
	test_expect_code_64 rt-ls --created-since yesterday &&
	test_expect_code_64 rt-ls --ids --json &&
	test_expect_code_64 rt-ls --priority extreme+
'
test_expect_success 'the table piped into a command (rt-ls | rt-escalate --clocks, rt(7)): its header line is skipped' '
	rt-ls >table && head -n 1 table | grep "^ID " &&
	rt-ls | rt-escalate --clocks >clocks 2>err && test_cmp /dev/null err &&
	test $(wc -l <clocks) = 3 &&
	rt-ls --open | rt-show >/dev/null 2>err && test_cmp /dev/null err &&
	{ head -n 2 table && echo ID; } | rt-show >/dev/null 2>err; test $? = 65 && grep -x "rt-show: .ID. is not a ticket id" err
'
test_expect_success 'reads the cache, not the YAML' '
	p=$(ticket_dir $A) && chmod 000 $p/ticket.yaml &&
	test_when_finished "chmod 644 $p/ticket.yaml" &&
	EXPECT="$A" ids --owner anna
'
test_done
