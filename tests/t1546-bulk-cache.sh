#!/bin/sh
# A batch's cache: the syncs of a batch share one LMDB write transaction,
# committed after the group's branch move and before the desk lock goes.
# A kill before the group is written leaves the cache at the branch (no
# rebuild); a kill after the branch moved but before the cache's commit
# leaves it behind, and the next command catches it up.
. "$(dirname "$0")/lib.sh"

export RT_NOW=2026-11-23T10:00:00Z
N=10
# mbox FIRST LAST: new-ticket mails, each with its own word
mbox() { bulk_mbox "$1" "$2"; }
count() { grep -v "resumed>" "$1" | grep -c "$2" || true; }

new_desk desk || exit 1
mbox 1 $N >b1.mbox && mbox 11 20 >b2.mbox && mbox 21 30 >b3.mbox
rt-ingest -q --mbox b1.mbox || exit 1
command -v strace >/dev/null && strace -f -o /dev/null true 2>/dev/null && test_set_prereq STRACE
command -v gdb >/dev/null && test_set_prereq GDB

# drops "$@": calls of mdb_drop (a rebuild of the cache) by the command
drops() {
	_p=$(command -v "$1") && shift &&
	ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0" gdb -q -batch \
		-ex "break mdb_drop" -ex "ignore 1 10000000" -ex run -ex "info breakpoints" \
		--args "$_p" "$@" >gdb.out 2>&1 &&
	sed -n "s/.*already hit \([0-9]*\) time.*/\1/p" gdb.out | grep . || echo 0
}
# tickets: how many, and how many commits on the branch, as "T C"
tickets() { echo "$(rt-ls --all --ids | wc -l) $(git rev-list --count HEAD)"; }

test_expect_success STRACE '--mbox writes the cache once a batch, not once a mail' '
	LSAN_OPTIONS=detect_leaks=0 strace -f -o st -e trace=pwrite64,pwritev,write \
	    -P .git/rt/cache.mdb rt-ingest -q --mbox b2.mbox &&
	w=$(count st "write") && echo "$N mails: $w writes to cache.mdb" &&
	test "$w" -gt 0 && test "$w" -le $N &&
	test "$(rt-ls --all --ids | wc -l)" = 20 &&
	rt-ls --all --text okapiword15 --ids >out && test $(wc -l <out) = 1
'

# killed_at "FUNCTION [if COND]" "$@": runs the command under gdb and kills
# it when it first enters FUNCTION; fails unless it got there
killed_at() {
	_f=$1 _p=$(command -v "$2") && shift 2 &&
	ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0" gdb -q -batch \
		-ex "break $_f" -ex run -ex "info breakpoints" -ex kill \
		--args "$_p" "$@" >gdb.out 2>&1
	grep -q "already hit 1 time" gdb.out
}

test_expect_success GDB,!VALGRIND 'killed before its pack is written: the cache stays at the branch, not rebuilt' '
	before=$(tickets) && head=$(git rev-parse HEAD) &&
	killed_at pack_mem_write rt-ingest -q --mbox b3.mbox &&
	test "$(git rev-parse HEAD)" = "$head" &&
	n=$(drops rt-ls --all --ids) && echo "mdb_drop: $n" && test "$n" = 0 &&
	test "$(tickets)" = "$before" &&
	rt-ls --all --text okapiword25 --ids >out && test_cmp /dev/null out
'

test_expect_success GDB,!VALGRIND 'killed after its branch moved, before the cache: caught up, not rebuilt' '
	head=$(git rev-parse HEAD) &&
	killed_at "cache_settle if d->cache->held != 0" rt-ingest -q --mbox b3.mbox &&
	test "$(git rev-list --count $head..HEAD)" = $N &&
	n=$(drops rt-ls --all --ids) && echo "mdb_drop: $n" && test "$n" = 0 &&
	test "$(rt-ls --all --ids | wc -l)" = 30 &&
	rt-ls --all --text okapiword25 --ids >out && test $(wc -l <out) = 1 &&
	rt-ingest -q --mbox b3.mbox && test "$(git rev-list --count $head..HEAD)" = $N &&
	test "$(rt-ls --all --ids | wc -l)" = 30
'

# during "$@": what rt-ls printed and its exit code while the command was
# stopped in pack_mem_write (the group's cache transaction open, its
# branch not yet moved); rt-ls gets 20 s before it counts as hung
during() {
	_p=$(command -v "$1") && shift &&
	ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0" gdb -q -batch \
		-ex "break pack_mem_write" -ex run \
		-ex "shell timeout 20 rt-ls --all --ids >during.out 2>during.err; echo \$? >during.rc" \
		-ex kill --args "$_p" "$@" >gdb.out 2>&1
	test -f during.rc
}

test_expect_success GDB,!VALGRIND 'a reader during a batch is not held up by its cache transaction' '
	before=$(rt-ls --all --ids | wc -l) && mbox 31 40 >b4.mbox &&
	during rt-ingest -q --mbox b4.mbox &&
	cat during.err && test "$(cat during.rc)" = 0 &&
	test "$(wc -l <during.out)" = "$before"
'

test_done
