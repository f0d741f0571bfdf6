#!/bin/sh
# rt and git never race: writers defer (75) while git is mid-operation,
# readers keep working, and stale lock files never block the desk
. "$(dirname "$0")/lib.sh"

export RT_NOW=2026-11-23T10:00:00Z GIT_EDITOR=true
mail() { printf 'From: c@example.com\nSubject: %s\nMessage-Id: <%s@x>\n\nbody %s\n' "$1" "$1" "$1"; }
stored() { git grep -q "Message-Id: <$1@x>" HEAD -- tickets; }
# defers CMD...: exits 75 with one line on stderr naming the fix
defers() {
	"$@" >out 2>err; rc=$?
	cat err; test $rc = 75 && test $(wc -l <err) = 1
}
dead_pid() { sh -c 'echo $$'; }
# zombie_pid: a process killed a moment ago that stays a zombie (its parent
# never waits) until the script ends
zombie_pid() {
	perl -e 'my $p = fork; if (!$p) { sleep 60; exit 0 } kill 9, $p;
	    open(my $f, ">", "zombie.tmp"); print $f "$p\n"; close $f; rename "zombie.tmp", "zombie";
	    sleep 60' &
	test_atexit "kill $! 2>/dev/null"
	while [ ! -s zombie ]; do sleep 0.05; done
	cat zombie && rm zombie
}

new_desk desk || exit 1
test_expect_success 'setup: a ticket and a branch that changes it too' '
	mail m1 | rt-ingest >id && id=$(cat id) && rt-gc -q &&
	# a tracked file both branches change (a ticket'"'"'s log merges by union)
	t=notes.txt && echo $t >tpath && echo base >$t && git add $t && git commit -qm notes &&
	git branch other && git switch -q other &&
	echo "# changed on other" >>$t && git commit -qam "other: notes" &&
	git switch -q main &&
	echo "# changed on main" >>$t && git commit -qam "main: notes" &&
	rt-set $id subject="changed on main" >/dev/null && rt-gc -q &&
	git status --porcelain --untracked-files=no >st && test_cmp /dev/null st
'

test_expect_success 'during a merge with conflicts: writers defer, readers read, nothing rewritten' '
	test_must_fail git merge other >/dev/null 2>&1 && test -f .git/MERGE_HEAD &&
	t=$(cat tpath) && cp $t before && git ls-files -s >stages.before &&
	head=$(git rev-parse HEAD) &&
	mail m2 | defers rt-ingest && grep -q "a git merge is in progress in $PWD: finish it with .git merge --continue. or .git merge --abort." err &&
	defers rt-set $(cat id) priority=high && grep -q "git merge --abort" err &&
	defers rt-comment $(cat id) -m "note" && defers rt-gc &&
	rt-ls --all >ls && grep -q $(cat id) ls && rt-show $(cat id) >show &&
	test_cmp before $t && git ls-files -s >stages.after && test_cmp stages.before stages.after &&
	test "$(git rev-parse HEAD)" = "$head"
'

test_expect_success 'after git merge --abort rt writes again' '
	git merge --abort && mail m2 | rt-ingest >/dev/null && stored m2 &&
	rt-set $(cat id) priority=high >/dev/null
'

test_expect_success 'after resolving and git merge --continue rt writes again' '
	rt-gc -q && test_must_fail git merge other >/dev/null 2>&1 &&
	mail m3 | defers rt-ingest &&
	git checkout --theirs -- $(cat tpath) && git add $(cat tpath) && git merge --continue >/dev/null &&
	test ! -f .git/MERGE_HEAD &&
	mail m3 | rt-ingest >/dev/null && stored m3 && git log --format=%s -1 | grep -q m3 &&
	git fsck --no-dangling >fsck 2>&1 && test_cmp /dev/null fsck
'

test_expect_success 'during a stopped rebase (conflict): 75, and the mail lands on the branch, never on the detached HEAD' '
	rt-gc -q && git switch -q -c topic HEAD~3 &&
	echo "# changed on topic" >>$(cat tpath) && git commit -qam "topic: notes" &&
	test_must_fail git rebase main >/dev/null 2>&1 && test -d .git/rebase-merge &&
	mail m4 | defers rt-ingest && grep -q "a git rebase is in progress in $PWD: finish it with .git rebase --continue. or .git rebase --abort." err &&
	! git grep -q "m4@x" HEAD -- tickets &&
	git rebase --abort && git switch -q main &&
	mail m4 | rt-ingest >/dev/null && stored m4 &&
	git branch --contains $(git rev-parse HEAD) >br && grep -q "main" br
'

test_expect_success 'during an interactive rebase stopped for edit: 75' '
	rt-gc -q && GIT_SEQUENCE_EDITOR="sed -i 1s/^pick/edit/" git rebase -q -i HEAD~2 >/dev/null 2>&1 &&
	test -d .git/rebase-merge &&
	mail m5 | defers rt-ingest && grep -q "git rebase --abort" err &&
	git rebase --abort && mail m5 | rt-ingest >/dev/null && stored m5
'

test_expect_success 'during a cherry-pick and a revert with conflicts: 75' '
	rt-gc -q && git switch -q topic && c=$(git rev-parse HEAD) && git switch -q main &&
	test_must_fail git cherry-pick $c >/dev/null 2>&1 &&
	mail m6 | defers rt-ingest && grep -q "git cherry-pick --abort" err &&
	git cherry-pick --abort &&
	git commit -q --allow-empty -m spacer &&
	r=$(git log --format=%H -1 -- $(cat tpath)) &&
	echo "# edit after" >>$(cat tpath) && git commit -qam "edit after" &&
	test_must_fail git revert --no-edit $r >/dev/null 2>&1 && test -f .git/REVERT_HEAD &&
	mail m6 | defers rt-ingest && grep -q "git revert --abort" err && git revert --abort &&
	mail m6 | rt-ingest >/dev/null && stored m6
'

test_expect_success 'with HEAD detached: 75 naming the branch to switch back to' '
	git checkout -q --detach && mail m7 | defers rt-ingest &&
	grep -q "HEAD is detached in $PWD: check out .* with .git switch BRANCH." err &&
	git switch -q main && git branch -D -q other topic &&
	git checkout -q --detach && mail m7 | defers rt-ingest &&
	grep -q "git switch main" err &&
	git switch -q main && mail m7 | rt-ingest >/dev/null && stored m7
'

test_expect_success 'a live foreign index.lock: writers defer, readers read; gone, rt writes' '
	echo "git at work" >.git/index.lock &&
	mail m8 | defers rt-ingest && grep -q "git holds $PWD/.git/index.lock" err &&
	rt-ls --all >/dev/null && test -f .git/index.lock &&
	rm .git/index.lock && mail m8 | rt-ingest >/dev/null && stored m8
'

test_expect_success 'a foreign index.lock older than desk.stale-index-lock is removed' '
	echo "git at work" >.git/index.lock && touch -d "-2 hours" .git/index.lock &&
	mail m10 | rt-ingest >/dev/null 2>err && stored m10 && test ! -f .git/index.lock &&
	grep -q "removed .*index.lock" err &&
	sed -i "/^desk:/a\\  stale-index-lock: 60" rt.yaml &&
	echo "git at work" >.git/index.lock && touch -d "-2 minutes" .git/index.lock &&
	mail m11 | rt-ingest >/dev/null 2>&1 && stored m11 && test ! -f .git/index.lock
'

test_expect_success 'an index.lock a killed rt left (marked rt PID) is removed at once' '
	echo "rt $(dead_pid)" >.git/index.lock &&
	mail m12 | rt-ingest >/dev/null && stored m12 && test ! -f .git/index.lock
'

test_expect_success 'rt'"'"'s index.lock is a link to one lasting mark file, no new file per commit' '
	mail m12a | rt-ingest >/dev/null && ino=$(stat -c %i .git/rt/index.mark) &&
	mail m12b | rt-ingest >/dev/null && stored m12b && test ! -f .git/index.lock &&
	test "$(stat -c %i.%h .git/rt/index.mark)" = "$ino.1" &&
	ln .git/rt/index.mark .git/index.lock &&
	mail m12c | rt-ingest >/dev/null && stored m12c && test ! -f .git/index.lock
'

test_expect_success 'where the mark cannot be linked, index.lock is written aside as before' '
	rm .git/rt/index.mark && mkdir .git/rt/index.mark &&
	test_when_finished "rmdir .git/rt/index.mark" &&
	mail m12d | rt-ingest >/dev/null && stored m12d && test ! -f .git/index.lock &&
	ls .git/rt >rtdir && ! grep "^index.lock" rtdir
'

test_expect_success 'a killed commit leaves index.lock and main.lock: both removed at once' '
	echo "rt $(dead_pid)" >.git/index.lock && git rev-parse HEAD >.git/refs/heads/main.lock &&
	mail m13 | rt-ingest >/dev/null && stored m13 &&
	test ! -f .git/index.lock && test ! -f .git/refs/heads/main.lock &&
	rt-set $(cat id) priority=low >/dev/null
'

test_expect_success 'a fresh ref lock (a live git) defers; an old one is removed' '
	git rev-parse HEAD >.git/refs/heads/main.lock &&
	mail m14 | RT_LOCK_TIMEOUT=2 rt-ingest >/dev/null 2>err; test $? = 75 &&
	! stored m14 && test -f .git/refs/heads/main.lock &&
	touch -d "-1 minute" .git/refs/heads/main.lock &&
	git rev-parse HEAD >.git/HEAD.lock && touch -d "-1 minute" .git/HEAD.lock &&
	: >.git/packed-refs.lock && touch -d "-1 minute" .git/packed-refs.lock &&
	mail m14 | rt-ingest >/dev/null 2>err && stored m14 &&
	test ! -e .git/refs/heads/main.lock && test ! -e .git/HEAD.lock && test ! -e .git/packed-refs.lock
'

test_expect_success 'the index.lock libgit2 left in an rt killed while writing the index is removed' '
	echo "$(dead_pid)" >.git/rt/index-writer && printf "DIRC" >.git/index.lock &&
	touch -r .git/rt/index-writer .git/index.lock &&
	mail m15 | rt-ingest >/dev/null 2>&1 && stored m15 && test ! -f .git/index.lock &&
	git fsck --no-dangling >fsck 2>&1 && test_cmp /dev/null fsck &&
	rt-gc -q && git status --porcelain --untracked-files=no tickets >st && test_cmp /dev/null st
'

test_expect_success 'rt-gc clears what a killed process left: ref lock, temporaries, spooled mail' '
	git rev-parse HEAD >.git/refs/heads/main.lock && touch -d "-1 minute" .git/refs/heads/main.lock &&
	mkdir -p .git/objects/ab .git/rt/tmp &&
	echo junk >.git/objects/ab/tmp_obj_x && echo junk >.git/objects/pack/tmp_pack_x &&
	echo junk >.git/objects/tmp_object_git2_x && echo young >.git/objects/ab/tmp_obj_young &&
	mail m16 >.git/rt/tmp/spool.killed && printf "From: c@exa" >.git/rt/tmp/part.killed &&
	printf "{\"type\":\"message\",\"channel\":\"C7\",\"user\":\"U1\",\"text\":\"spooled event e16\",\"ts\":\"16.1\"}\n" \
	    >.git/rt/tmp/spool.event &&
	touch -d "-2 hours" .git/objects/ab/tmp_obj_x .git/objects/pack/tmp_pack_x \
	    .git/objects/tmp_object_git2_x .git/rt/tmp/spool.killed .git/rt/tmp/part.killed \
	    .git/rt/tmp/spool.event &&
	rt-gc >out 2>err && cat out err &&
	grep -q "leftovers: 3 temporary objects removed, 2 spooled messages stored" out &&
	git grep -q "spooled event e16" HEAD -- tickets && ! git grep -q "spooled event e16" HEAD -- quarantine &&
	test ! -e .git/refs/heads/main.lock && test -f .git/objects/ab/tmp_obj_young &&
	ls .git/rt/tmp >left && test_cmp /dev/null left && stored m16 &&
	mail m16 | rt-ingest >/dev/null && test $(git grep -l "m16@x" HEAD -- "tickets/*.eml" | wc -l) = 1 &&
	rm .git/objects/ab/tmp_obj_young
'

test_expect_success 'a work-tree temporary a killed rt left is removed by the next writer' '
	t=$(ticket_dir $(cat id))/log.yaml && pid=$(dead_pid) &&
	echo half >$t.tmp$pid && echo live >$t.tmp$$ && echo $t >>.git/rt/pending &&
	printf "%11d\n" $pid >.git/rt/lock &&	# as a writer killed holding the lock leaves it
	mail m17 | rt-ingest >/dev/null && stored m17 &&
	test ! -e $t.tmp$pid && test -f $t.tmp$$ &&
	grep -qx " *1" .git/rt/lock &&	# a temporary of a live pid: the next writer looks again
	rm $t.tmp$$ && mail m17b | rt-ingest >/dev/null && stored m17b &&
	! grep -q "[0-9]" .git/rt/lock &&
	rt-gc -q && git status --porcelain tickets >st && test_cmp /dev/null st
'

test_expect_success 'a writer killed a moment ago, still a zombie, counts as dead' '
	t=$(ticket_dir $(cat id))/log.yaml && z=$(zombie_pid) &&
	test "$(ps -o stat= -p $z | cut -c1)" = Z &&
	echo half >$t.tmp$z && echo $t >>.git/rt/pending && printf "%11d\n" $z >.git/rt/lock &&
	mail m17z | rt-ingest >/dev/null && stored m17z &&
	test ! -e $t.tmp$z && ! grep -q "[0-9]" .git/rt/lock
'

command -v strace >/dev/null && strace -f -o /dev/null true 2>/dev/null && test_set_prereq STRACE
test_expect_success STRACE 'after a writer that let go of the lock, the next does not list the pending folders' '
	t=$(ticket_dir $(cat id))/log.yaml && pid=$(dead_pid) &&
	echo half >$t.tmp$pid && echo $t >>.git/rt/pending &&
	mail m18 >m18.eml &&
	LSAN_OPTIONS=detect_leaks=0 strace -f -o st -e trace=openat rt-ingest -q <m18.eml && stored m18 &&
	grep "O_DIRECTORY" st >dirs && grep -q "objects/pack" dirs &&
	! grep -q "$(dirname $t)" dirs && test -f $t.tmp$pid &&
	rt-gc -q && test ! -e $t.tmp$pid
'

test_done
