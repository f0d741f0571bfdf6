#!/bin/sh
# The library reports, the command prints: warnings under the command's name
. "$(dirname "$0")/lib.sh"
export RT_NOW=2026-11-23T12:00:00Z

new_desk || exit 1
test_expect_success 'setup' '
	printf "From: c@example.com\nTo: support@example.org\nSubject: printer\nMessage-Id: <m1@example.com>\nDate: Mon, 23 Nov 2026 10:00:00 +0000\n\nHello\n" |
	    rt-ingest >$TRASH/id && test -s $TRASH/id
'
ID=$(cat $TRASH/id 2>/dev/null)

test_expect_success 'a work tree that cannot be mirrored: committed, warned as rt-set' '
	p=$(ticket_dir $ID) &&
	rm -r $p && : >$p &&
	rt-set $ID priority=high >out 2>err &&
	echo $ID >expect && test_cmp expect out &&
	git show HEAD:$p/log.yaml | grep "field: priority, old: normal, new: high" &&
	rt-show $ID | grep "^priority *high$" &&
	grep "^rt-set: warning: cannot write .*log.yaml" err &&
	test $(wc -l <err) = 1 &&
	! grep "^rt: " err
'

test_expect_success 'the same warning from another command carries its name' '
	rt-comment $ID -m "still broken" >out 2>err &&
	grep "^rt-comment: warning: cannot write" err
'

test_done
