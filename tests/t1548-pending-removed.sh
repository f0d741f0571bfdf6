#!/bin/sh
# The pending journal (.git/rt/pending) stays open for a batch; removed by
# hand in the middle of one, the rest of the batch goes to a new journal,
# not into the removed file, so rt-gc still finds those paths.
. "$(dirname "$0")/lib.sh"

export RT_NOW=2026-11-23T10:00:00Z

new_desk desk || exit 1
# a workflow exec: is a way to act in the middle of a batch
exec_on_open "'rm -f \"\$RT_DESK/.git/rt/pending\"; :'" || exit 1
{
	printf 'From MAILER-DAEMON Mon Nov 23 10:00:00 2026\nFrom: c@example.com\n'
	printf 'Subject: Re: [Test #%s] help\nMessage-Id: <r@x>\n\nstill broken\n\n' $ID
	bulk_mbox 1 5
} >batch.mbox

test_expect_success 'a journal removed mid-batch: the later paths go to a new one' '
	rt-ingest -q --mbox batch.mbox >ids &&
	test "$(rt-show $ID | sed -n "s/^status *//p")" = open &&
	rt-ls --all --ids | grep -v $ID >new && test $(wc -l <new) = 5 &&
	test -s .git/rt/pending &&
	for id in $(cat new); do
		grep -q "^$(ticket_dir $id)/" .git/rt/pending || { echo "$id not pending"; return 1; }
	done
'
test_expect_success 'rt-gc then brings the index to every new ticket' '
	rt-gc -q &&
	git status --porcelain --untracked-files=no >st && grep -v "$(ticket_dir $ID)" st >rest;
	test_cmp /dev/null rest
'
test_done
