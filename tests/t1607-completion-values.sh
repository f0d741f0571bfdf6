#!/bin/sh
# bash completion of rt-set ID status= and priority= on a new desk: the
# values no ticket has yet (open, urgent) were not offered, and
# rt-ls --status listed new and resolved twice
. "$(dirname "$0")/lib.sh"

new_desk d || exit 1
ID=$(printf "From: a@example.com\nSubject: x\nMessage-Id: <c1@x>\n\nx\n" | rt-ingest) || exit 1

test_expect_success 'rt-set ID status= offers every status, also one no ticket has' '
	complete_words rt-set $ID status= | sort >out &&
	printf "status=%s\n" closed new open resolved waiting >expect &&
	test_cmp expect out &&
	complete_words rt set $ID status=o >out &&
	echo status=open >expect && test_cmp expect out
'

test_expect_success 'rt-set ID priority= offers every priority' '
	complete_words rt-set $ID priority=u >out &&
	echo priority=urgent >expect && test_cmp expect out
'

test_expect_success 'rt-ls --status lists each status once' '
	rt-set $ID status=resolved >/dev/null &&
	complete_words rt-ls --status "" >out &&
	sort -u out >uniq && test_cmp uniq out || { sort out | uniq -d; exit 1; }
'

test_expect_success 'with --desk, from that desk' '
	cd "$TRASH" &&
	complete_words rt-set --desk d $ID status=w >out &&
	echo status=waiting >expect && test_cmp expect out
'

test_expect_success 'with -C, as with --desk' '
	cd "$TRASH" &&
	complete_words rt-show -C d "" >out && echo $ID >expect && test_cmp expect out &&
	complete_words rt-ls -C d --priority c >out && echo critical >expect && test_cmp expect out
'

test_done
