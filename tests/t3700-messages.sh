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

# rt-comment read its note without looking for a read error: an unreadable
# stdin was an empty (or a cut) note; rt-new and rt-reply share its reading
test_expect_success 'a note, a text or an answer that cannot be read is an error, named' '
	n=$(git rev-list --count HEAD) &&
	{ rt-comment $ID <. 2>err; test $? = 74; } &&
	grep "^rt-comment: cannot read the note: Is a directory" err &&
	{ rt-new -r c@example.com -c phone --subject x <. 2>err; test $? = 74; } &&
	grep "^rt-new: cannot read the text: Is a directory" err &&
	{ rt-reply $ID <. 2>err; test $? = 74; } &&
	grep "^rt-reply: cannot read the answer: Is a directory" err &&
	test "$(git rev-list --count HEAD)" = "$n"
'

test_done
