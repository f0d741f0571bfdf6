#!/bin/sh
# make demo: the README's first command, run as it runs it
. "$(dirname "$0")/lib.sh"

test_expect_success 'the demo runs to its end and leaves git status clean' '
	sh "$SRC_ROOT/share/demo/demo.sh" "$TRASH/demo" >out 2>err &&
	grep "^The desk is in $TRASH/demo$" out && grep "^(clean)$" out
'
test_expect_success 'its report counts the tickets it made' '
	cd "$TRASH/demo" && n=$(rt-ls --ids | wc -l) && test $n = 3 &&
	grep "^period .*, $n tickets$" "$TRASH/out" &&
	grep "^total  *$n " "$TRASH/out"
'
test_expect_success 'the auto-reply to an acknowledgement opens no ticket' '
	cd "$TRASH/demo" && ! rt-ls | grep "Automatic reply" &&
	id=$(rt-ls --ids | while read -r t; do
		rt-show "$t" | grep -q "Drucker" && echo "$t"; done | head -n 1) &&
	test -n "$id" &&
	rt-show "$id" >show && grep "bounce .*kind=auto-reply refers=" show &&
	grep "^05-autoreply.eml  *-> $id$" "$TRASH/out" &&
	git log --format=%s | grep -x "ingest: #$id Automatic reply: \[Demo #$id\] Ihre Anfrage ist bei uns eingegangen: Drucker im 2\. Stock druckt nicht - dringend"
'
test_expect_success 'it is neither acknowledged nor escalated' '
	cd "$TRASH/demo" && grep -l "^Auto-Submitted: auto-replied" .git/rt/outbox/* >acks &&
	test $(wc -l <acks) = 3 && ! grep -i "^Subject: .*automatic reply" .git/rt/outbox/* &&
	sed -n "s/^0[1-3]-.* -> //p" "$TRASH/out" | sort -u >mine && test $(wc -l <mine) = 3 &&
	git log --format=%s | sed -n "s/^escalate: #\([^ ]*\) .*/\1/p" | sort -u >esc &&
	test -s esc && test -z "$(comm -23 esc mine)"
'
test_done
