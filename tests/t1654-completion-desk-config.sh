#!/bin/sh
# Completion of FIELD= values offers what rt.yaml declares (a queue no
# ticket is in yet, a custom field's values:, the agents, a workflow's
# statuses) through rt-set --values, in bash and zsh; zsh completion
# follows --desk DIR and -C DIR (it listed the ids and values of the desk
# in the current folder; --status and --priority offered a fixed list)
. "$(dirname "$0")/lib.sh"

# zsh_complete PREFIX WORD...: what completions/_rt offers for PREFIX after
# the words (compadd and _describe print their candidates). Under
# check-asan, LeakSanitizer's exit-time stop of the process hung an rt-ls
# run inside zsh's command substitution: no leak check there (the same
# commands are leak-checked by every other test).
zsh_complete() {
	_p=$1; shift
	ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0 zsh -f -c '
		_describe() { print -l -- ${(P)2}; }
		compadd() { [[ $1 == -a ]] && return; print -l -- "$@"; }
		compset() { PREFIX=${PREFIX#*=}; }
		_files() { :; }
		src=$1 PREFIX=$2; shift 2
		service=$1 words=("$@" "$PREFIX") CURRENT=$(( $# + 1 ))
		. "$src/completions/_rt"' _ "$SRC_ROOT" "$_p" "$@"
}
test -x "$(command -v zsh)" && test_set_prereq ZSH

new_desk d || exit 1
test_expect_success 'setup: a queue, a custom field and a status no ticket uses, one ticket' '
	sed -i "s/^queues:\$/&\n  billing: {description: Bills}/" rt.yaml &&
	printf "fields:\n  region: {values: [north, south]}\nagents:\n  anna: {address: anna@example.org}\n" >>rt.yaml &&
	printf "workflows:\n  incidents:\n    types: [incident]\n    statuses: [new, triage, resolved]\n" >>rt.yaml &&
	git commit -qam "billing, region, anna, triage" &&
	printf "From: a@example.com\nSubject: x\nMessage-Id: <c1@x>\n\nx\n" | rt-ingest >"$TRASH/id"
'
ID=$(cat "$TRASH/id")

test_expect_success 'rt-set --values prints what rt.yaml declares' '
	rt-set --values queue >out && printf "general\nbilling\n" | sort >expect &&
	sort out >got && test_cmp expect got &&
	rt-set --values region >out && printf "north\nsouth\n" >expect && test_cmp expect out &&
	rt-set --values owner >out && printf "anna\nnone\n" >expect && test_cmp expect out &&
	rt-set --values subject >out && test_must_fail test -s out &&
	rt-set --values status | sort >out &&
	printf "%s\n" closed new open resolved triage waiting >expect && test_cmp expect out &&
	rt-set --values priority >out &&
	printf "%s\n" low normal high urgent critical >expect && test_cmp expect out &&
	{ rt-set --values colour 2>err; test $? = 64; } && grep "unknown field .colour." err
'

test_expect_success 'bash: rt-set ID queue= offers a queue no ticket is in' '
	complete_words rt-set $ID queue= | sort >out &&
	printf "queue=%s\n" billing general >expect && test_cmp expect out &&
	complete_words rt-set $ID region=s >out &&
	echo region=south >expect && test_cmp expect out
'

test_expect_success 'bash: with --desk=DIR as with --desk DIR' '
	cd "$TRASH" &&
	complete_words rt-set --desk=d $ID queue=b >out &&
	echo queue=billing >expect && test_cmp expect out
'

test_expect_success ZSH 'zsh: ids and values come from the desk --desk names' '
	cd "$TRASH" &&
	zsh_complete "" rt-show --desk d >out && grep -x "$ID" out &&
	zsh_complete "" rt-show --desk=d >out && grep -x "$ID" out &&
	zsh_complete "" rt-show >out && test_must_fail grep -x "$ID" out &&
	zsh_complete "queue=" rt-set --desk d $ID >out && grep -x billing out &&
	zsh_complete "region=" rt-set --desk d $ID >out && grep -x north out
'

test_expect_success ZSH 'zsh: -C DIR as --desk DIR; --status and --priority from the desk' '
	cd "$TRASH" &&
	zsh_complete "" rt-show -C d >out && grep -x "$ID" out &&
	zsh_complete "queue=" rt-set -C d $ID >out && grep -x billing out &&
	zsh_complete "" rt-ls -C d --status >out && grep -x triage out &&
	test_must_fail grep -x merged out &&
	zsh_complete "" rt-ls -C d --priority >out && grep -x critical out
'

test_done
