#!/bin/sh
# An id that names no ticket gets one message, "#ID: no such ticket",
# from every command, rt-archive (and its --restore) included, and for
# the ticket an option or rt-merge names (rt-link --parent ID, rt-merge
# DUP INTO said "no ticket #ID")
. "$(dirname "$0")/lib.sh"

RT_NOW=2026-11-25T10:00:00Z TZ=UTC; export RT_NOW TZ
new_desk desk || exit 1

test_expect_success 'the same line from rt-archive, rt-show, rt-set, rt-take' '
	for c in "rt-archive" "rt-archive --restore" "rt-show" "rt-set ZZ status=open" "rt-take"; do
		set -- $c && cmd=$1 && shift &&
		if test "$1" = ZZ; then shift && $cmd ZZZZZZZZ "$@"; else $cmd "$@" ZZZZZZZZ; fi \
			</dev/null >out 2>err && { echo "$c: exit 0"; exit 1; }
		echo "$cmd: #ZZZZZZZZ: no such ticket" >expect &&
		test_cmp expect err || { echo "$c"; exit 1; }
	done
'

test_expect_success 'the same line, 66, for the ticket of rt-link --parent and rt-merge' '
	id=$(printf "From: a@example.com\nSubject: x\nMessage-Id: <n1@x>\n\nx\n" | rt-ingest) &&
	for c in "rt-link --parent ZZZZZZZZ $id" "rt-link --parent $id ZZZZZZZZ" \
	    "rt-merge ZZZZZZZZ $id" "rt-merge $id ZZZZZZZZ"; do
		$c </dev/null >out 2>err; rc=$?
		test $rc = 66 || { echo "$c: exit $rc"; return 1; }
		echo "${c%% *}: #ZZZZZZZZ: no such ticket" >expect &&
		test_cmp expect err || { echo "$c"; return 1; }
	done
'

test_expect_code 66 'rt-archive: 66, the desk untouched' '
	before=$(git rev-parse HEAD) &&
	rt-archive ZZZZZZZZ 2>err; rc=$?;
	test "$(git rev-parse HEAD)" = "$before" && exit $rc
'

test_done
