#!/bin/sh
# git repack -a -d run by a person while rt stores a mail deletes rt's
# new pack between its rename and the branch's move (git gc cannot: rt
# holds the branch's lock by then, and gc stops at it). The mail is stored
# (written again from memory) or comes back (75); no reflog line ever
# names a commit that is not there.
. "$(dirname "$0")/lib.sh"
export RT_NOW=2026-11-23T10:00:00Z

mail() { # mail MSGID SUBJECT
	printf 'From: Kunde <kunde@example.com>\nTo: support@example.org\nSubject: %s\nMessage-Id: <%s>\nDate: Mon, 23 Nov 2026 10:00:00 +0000\n\nHallo.\n' "$2" "$1"
}

new_desk desk && cd .. || exit 1
mail g0@example.com "first" | rt-ingest --desk desk >/dev/null

command -v gdb >/dev/null && test_set_prereq GDB
# gdb_run 'gdb commands...' -- ARGS: the binary under gdb (ARGS after
# "run"), the commands run where it stops; its exit code in rc
gdb_run() {
	_cmds= && while [ "$1" != -- ]; do _cmds="$_cmds$1
"; shift; done && shift &&
	printf '%s' "$_cmds" >gdb.cmd && printf 'run %s\nprint $_exitcode\n' "$*" >>gdb.cmd &&
	ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0" \
	    gdb -q -batch -x gdb.cmd --args "$(command -v rt-ingest)" >gdb.out 2>&1;
	sed -n 's/^\$1 = //p' gdb.out | tail -n 1 >rc
}
# fsck_clean: git fsck with the reflogs, nothing but dangling objects
fsck_clean() {
	git -C desk fsck >fsck 2>&1; cat fsck; ! grep -v "^Checking\|^dangling" fsck
}
count() { rt-ls --desk desk --format "%{subject}\n" | grep -c "^$1\$"; }

test_expect_success GDB,!VALGRIND 'a pack deleted before the branch moves: written again from memory, stored (0), fsck clean' '
	BEFORE=$(git -C desk rev-parse HEAD) &&
	mail g1@example.com "gc before the branch" >g1.eml &&
	gdb_run "break ref_lock_commit" "commands 1" "silent" \
	    "shell git -C desk repack -a -d -q 2>/dev/null" "delete 1" "continue" "end" \
	    -- "--desk desk <g1.eml >id 2>err" &&
	cat err && test "$(cat rc)" = 0 && test -s id && ! test -s err &&
	test "$(git -C desk rev-list --count $BEFORE..HEAD)" = 1 &&
	test "$(count "gc before the branch")" = 1 &&
	rt-show --desk desk $(cat id) | grep "Hallo" && fsck_clean
'

test_expect_success GDB,!VALGRIND 'a batch (--mbox) too: stored once, fsck clean' '
	BEFORE=$(git -C desk rev-parse HEAD) &&
	{ printf "From kunde@example.com Mon Nov 23 10:00:00 2026\n" && mail g2@example.com "batch one" &&
	  printf "\nFrom kunde@example.com Mon Nov 23 10:00:00 2026\n" && mail g3@example.com "batch two"; } >g.mbox &&
	gdb_run "break ref_lock_commit" "commands 1" "silent" \
	    "shell git -C desk repack -a -d -q 2>/dev/null" "delete 1" "continue" "end" \
	    -- "--desk desk --mbox g.mbox >ids 2>err" &&
	cat err && test "$(cat rc)" = 0 && test "$(wc -l <ids)" = 2 &&
	test "$(count "batch one")" = 1 && test "$(count "batch two")" = 1 && fsck_clean
'

# the rewritten pack loses its .pack again just before its .idx is named
test_expect_code 75 GDB,!VALGRIND 'deleted again after it was written again: 75 naming git gc, branch back, fsck clean, stored once later' '
	BEFORE=$(git -C desk rev-parse HEAD) &&
	mail g4@example.com "gc twice" >g4.eml &&
	gdb_run "break ref_lock_commit" "break rename if \$_regex((char *)\$rsi, \".*/pack-[0-9a-f]*\\\\.idx\$\")" \
	    "disable 2" "commands 1" "silent" "shell git -C desk repack -a -d -q 2>/dev/null" \
	    "delete 1" "enable 2" "continue" "end" \
	    "commands 2" "silent" "eval \"shell p=%s; rm -f \\\"\${p%%.idx}.pack\\\"\", (char *)\$rsi" "continue" "end" \
	    -- "--desk desk <g4.eml 2>err" &&
	cat err && test "$(git -C desk rev-parse HEAD)" = "$BEFORE" && test "$(wc -l <err)" = 1 &&
	grep "deleted before the branch moved to them (git gc --prune=now or git prune beside rt?); nothing stored" err &&
	fsck_clean && rt-ingest --desk desk <g4.eml >/dev/null &&
	test "$(count "gc twice")" = 1 && fsck_clean && exit $(cat rc)
'

test_done
