# bench/lib.sh: timing helpers for benchmarks.
now_ns() { date +%s%N; }
# median of numbers on stdin
median() { sort -n | awk '{ v[NR] = $1 } END { if (NR % 2) print v[(NR + 1) / 2]; else print (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
# 95th percentile of numbers on stdin (nearest rank)
p95() { sort -n | awk '{ v[NR] = $1 } END { i = int(NR * 0.95 + 0.999); if (i < 1) i = 1; print v[i] }'; }
# ratio A B: A / B with two decimals
ratio() { echo "$1 $2" | awk '{ printf "%.2f", ($2 > 0 ? $1 / $2 : 0) }'; }
# ms CMD...: wall time of one run in milliseconds (fork, exec and wait only
# when bench/ref/timeit is built)
ms() {
	if [ -x "${RT_BUILD:-}/bench/timeit" ]; then
		"$RT_BUILD/bench/timeit" "$@" || true
		return
	fi
	_s=$(now_ns); "$@" >/dev/null 2>&1; _e=$(now_ns)
	echo "$(( (_e - _s) / 1000 ))" | awk '{ printf "%.2f\n", $1 / 1000 }'
}
# current DESK: its cache at HEAD, the text index included, whatever cache
# version the desk was left with (a search indexes what a rebuild or single
# mails left to it), so no timed run pays for an older run's leftovers
current() { rt-ls --desk "$1" --count --text zzqxnothere >/dev/null 2>&1; }
# gone PATH...: deletes trees and notes when (settle waits for it); written
# back at once, so the inode-table blocks are clean and the kernel's window
# is one minute, not six (README, "make bench")
gone() {
	rm -rf "$@"
	sync -f "$RT_BENCH_OUT" 2>/dev/null || sync
	touch "$RT_BENCH_OUT/.deleted"
}
# settle: returns once the bench's last deletion (gone) is over a minute
# old: ext4 without a journal does not reuse an inode freed in the last
# minute and scans past every such inode when it creates a file, which
# costs the tool that creates files (rt's work tree) and not the one that
# writes one pack (fast-import); says how long it waited
settle() {
	_age=999
	[ ! -f "$RT_BENCH_OUT/.deleted" ] ||
	    _age=$(( $(date +%s) - $(stat -c %Y "$RT_BENCH_OUT/.deleted") ))
	if [ "$_age" -lt 65 ]; then
		echo "  (waited $(( 65 - _age )) s: files were deleted $_age s before the first timed round)"
		sleep $(( 65 - _age ))
	fi
}
