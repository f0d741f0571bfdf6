#!/bin/sh
# bash completion as an interactive bash calls it: the line reaches the
# function split at "=" and ":" (COMP_WORDBREAKS), so "status=o" came as
# "status" "=" "o" and rt-set ID status=o<TAB> became status=owner=;
# --desk=DIR and --queue=b were not seen; a --desk ~/DIR or one with a
# space was passed on quoted (\~/DIR) and found nothing.
. "$(dirname "$0")/lib.sh"

command -v python3 >/dev/null && test_have_prereq BASH && test_set_prereq TTY_BASH
# tab LINE: the line readline holds after LINE and one TAB in a real bash
tab() { python3 "$TEST_ROOT/bash-tab.py" "$SRC_ROOT/completions/rt.bash" "$1"; }

new_desk "$TRASH/my desk" || exit 1
test_expect_success 'setup: a queue billing, a ticket in it' '
	sed -i "s/^queues:\$/&\n  billing: {description: Bills}/" rt.yaml &&
	git commit -qm billing rt.yaml &&
	printf "From: a@example.com\nSubject: x\nMessage-Id: <c1@x>\n\nx\n" | rt-ingest >"$TRASH/id" &&
	rt-set $(cat "$TRASH/id") queue=billing >/dev/null
'
ID=$(cat "$TRASH/id")
cd "$TRASH" || exit 1
mkdir -p home && ln -s "$TRASH/my desk" home/desk

test_expect_success BASH 'FIELD=partial completes the value, not a field name' '
	complete_words rt-set --desk "my desk" $ID status=o >out &&
	echo status=open >expect && test_cmp expect out &&
	complete_words rt set --desk "my desk" $ID queue=b >out &&
	echo queue=billing >expect && test_cmp expect out
'

test_expect_success BASH '--desk=DIR and --queue=VALUE as --desk DIR --queue VALUE' '
	complete_words rt-ls --desk=home/desk --queue=bi >out &&
	echo --queue=billing >expect && test_cmp expect out &&
	complete_words rt-show --desk=home/desk "" >out &&
	echo $ID >expect && test_cmp expect out
'

test_expect_success BASH '--desk ~/DIR and a quoted --desk with a space' '
	(HOME=$TRASH/home && complete_words rt-show --desk "~/desk" "") >out &&
	echo $ID >expect && test_cmp expect out &&
	complete_words rt-show --desk "\"$TRASH/my desk\"" "" >out && test_cmp expect out &&
	complete_words rt-show --desk "$(printf %s "$TRASH/my desk" | sed "s/ /\\\\ /")" "" >out &&
	test_cmp expect out
'

test_expect_success BASH 'a time after its ":" completes whole' '
	complete_words rt-ls --now "$(date -u +%Y-%m-%dT%H):" >out &&
	grep -x "$(date -u +%Y-%m-%dT%H):[0-5][0-9]:[0-5][0-9]Z" out
'

test_expect_success TTY_BASH 'a real bash: TAB after status=o, --desk=DIR --queue=bi' '
	tab "rt-set --desk home/desk $ID status=o" >out &&
	echo "rt-set --desk home/desk $ID status=open " >expect && test_cmp expect out &&
	tab "rt-ls --desk=home/desk --queue=bi" >out &&
	echo "rt-ls --desk=home/desk --queue=billing " >expect && test_cmp expect out &&
	tab "rt set --desk home/desk $ID queue=bi" >out &&
	echo "rt set --desk home/desk $ID queue=billing " >expect && test_cmp expect out
'

test_done
