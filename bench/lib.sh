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
# later PATH...: deletes PATH at the end of the run (gone_later), not now:
# a deletion slows the file creation of every timed round after it
later() { for _p; do printf '%s\n' "$_p"; done >>"$RT_BENCH_OUT/.later"; }
gone_later() {
	[ -s "$RT_BENCH_OUT/.later" ] || return 0
	# shellcheck disable=SC2046
	gone $(sort -u "$RT_BENCH_OUT/.later")
	rm -f "$RT_BENCH_OUT/.later"
}
# gone PATH...: deletes trees and notes when in $RT_BENCH_OUT/.deleted (a
# later run's settle reads it); written back at once, so the inode-table
# blocks are clean and the kernel's window is one minute, not six (README,
# "make bench")
gone() {
	rm -rf "$@"
	sync -f "$RT_BENCH_OUT" 2>/dev/null || sync
	echo "$(date +%s) $#" >>"$RT_BENCH_OUT/.deleted"
}
# probe: "TOTAL CREATE FSYNC" milliseconds to make 64 small files in 8
# folders under $RT_BENCH_OUT and fsync them (bench/ref/fsprobe.c)
probe() { "$RT_BUILD/bench/fsprobe" "$RT_BENCH_OUT"; }
# discarded: MB the device under $RT_BENCH_OUT discarded since boot (the
# blocks of deleted files, this user's or another's; 0 if not known)
discarded() {
	_dev=$(df --output=source "$RT_BENCH_OUT" 2>/dev/null | tail -1)
	awk '{ printf "%d", $14 / 2048 }' "/sys/class/block/${_dev##*/}/stat" 2>/dev/null || echo 0
}
# settle WHAT: returns once the file system under $RT_BENCH_OUT is stable
# and near its best, so the rounds of WHAT do not measure the aftermath of
# deletions. At least 65 s after the bench's own last deletion (ext4
# without a journal does not reuse an inode freed in the last minute and
# scans past every such inode when it creates a file, which costs the
# tool that creates files, rt, and not the one that writes one pack), then
# a probe every RT_BENCH_SETTLE_STEP s (3) until the last five are stable
# (the fourth fastest within 2x their median: one spike of another user's
# is allowed) and near the best (their median within RT_BENCH_SETTLE_NEAR,
# 2.5, times the best median of five seen on this folder, kept in
# $RT_BENCH_OUT/.fsbest, or 1.5x the fastest probe of this wait if lower); at most RT_BENCH_SETTLE_MAX s (420). Says what it
# waited for and why;
# if it never settles, fsflag marks every figure of WHAT.
settle() {
	_label=$1 _max=${RT_BENCH_SETTLE_MAX:-420} _step=${RT_BENCH_SETTLE_STEP:-3}
	_near=${RT_BENCH_SETTLE_NEAR:-2.5}
	_t0=$(date +%s) _d0=$(discarded) _why=
	: >"$RT_BENCH_OUT/.fsflag"
	if [ -s "$RT_BENCH_OUT/.deleted" ]; then
		_last=$(tail -1 "$RT_BENCH_OUT/.deleted" | cut -d" " -f1)
		_age=$(( _t0 - _last ))
		_why="the bench last deleted files $_age s before"
		if [ "$_age" -lt "${RT_BENCH_SETTLE_AFTER:-65}" ]; then
			_why="$_why (waited until ${RT_BENCH_SETTLE_AFTER:-65} s)"
			sleep $(( ${RT_BENCH_SETTLE_AFTER:-65} - _age ))
		fi
		_why="$_why; "
	fi
	: >"$RT_BENCH_OUT/.probes"
	_best=$(cat "$RT_BENCH_OUT/.fsbest" 2>/dev/null || echo 0)
	while :; do
		probe >>"$RT_BENCH_OUT/.probes" || { echo "  settle: fsprobe failed"; return 1; }
		_v=$(tail -5 "$RT_BENCH_OUT/.probes" | cut -d" " -f1 | sort -n | tr '\n' ' ')
		_el=$(( $(date +%s) - _t0 ))
		# shellcheck disable=SC2086
		set -- $_v
		if [ $# = 5 ]; then
			# the best: the best median of five kept, or 1.5x the
			# fastest probe of this wait if that is lower
			_lo=$(cut -d" " -f1 "$RT_BENCH_OUT/.probes" | sort -n | head -1)
			_ok=$(echo "$3 $4 $_best $_near $_lo" | awk '{
				b = 1.5 * $5; if ($3 > 0 && $3 < b) b = $3
				print ($2 <= 2 * $1 && $1 <= $4 * b) ? 1 : 0 }')
			[ "$_ok" = 0 ] || break
			[ "$_el" -lt "$_max" ] || break
		fi
		sleep "$_step"
	done
	_med=$3
	if [ "$_best" = 0 ] || [ "$(echo "$_med $_best" | awk '{ print ($1 < $2) }')" = 1 ]; then
		echo "$_med" >"$RT_BENCH_OUT/.fsbest"
		_best=$_med
	fi
	_n=$(wc -l <"$RT_BENCH_OUT/.probes")
	_first=$(head -1 "$RT_BENCH_OUT/.probes" | cut -d" " -f1)
	_now=$(tail -1 "$RT_BENCH_OUT/.probes")
	_what="probe (64 new files fsync'd) first $_first ms, now ${_now%% *} ms (create $(echo "$_now" | cut -d" " -f2), fsync $(echo "$_now" | cut -d" " -f3)), best seen here $_best ms; device discarded $(( $(discarded) - _d0 )) MB meanwhile"
	echo "$_med" >"$RT_BENCH_OUT/.fslevel"
	if [ "$_ok" = 1 ]; then
		echo "  settle before $_label: ${_why}waited $_el s, $_n probes; $_what"
	else
		echo "  UNSETTLED FILE SYSTEM before $_label: ${_why}not stable near its best after $_el s ($_n probes: last five $_v ms); $_what"
		echo " [unsettled file system: probe $_med ms, best $_best]" >"$RT_BENCH_OUT/.fsflag"
	fi
}
# fscheck: after timed rounds, five probes; if their median is over
# RT_BENCH_SETTLE_NEAR times settle's level, fsflag says the file system
# slowed during the rounds. Prints the probe.
fscheck() {
	_lv=$(cat "$RT_BENCH_OUT/.fslevel" 2>/dev/null || echo 0)
	_m=$( { probe; probe; probe; probe; probe; } | cut -d" " -f1 | median)
	echo "  file system after the rounds: probe $_m ms (settled at $_lv ms)"
	if [ "$(echo "$_m $_lv ${RT_BENCH_SETTLE_NEAR:-2}" | awk '{ print ($2 > 0 && $1 > $3 * $2) }')" = 1 ] &&
	    [ ! -s "$RT_BENCH_OUT/.fsflag" ]; then
		echo " [file system slowed during the rounds: probe $_lv -> $_m ms]" >"$RT_BENCH_OUT/.fsflag"
	fi
}
# fsflag: nothing, or the flag settle or fscheck left for the figures of
# the section they bracket
fsflag() { cat "$RT_BENCH_OUT/.fsflag" 2>/dev/null | tr -d '\n'; }
# spread: "min q1-q3 max" of numbers on stdin (nearest rank), two decimals
spread() { sort -n | awk '{ v[NR] = $1 } END {
	q1 = v[int((NR + 3) / 4)]; q3 = v[int((3 * NR + 3) / 4)]
	printf "%.2f [%.2f-%.2f] %.2f", v[1], q1, q3, v[NR] }'; }
# pairs A B: the median of the per-pair ratios A[i] / B[i] of two files of
# times taken side by side, then its spread ("1.23x (min [q1-q3] max of N pairs)")
pairs() {
	paste -d" " "$1" "$2" | awk '$2 > 0 { print $1 / $2 }' >"$RT_BENCH_OUT/.ratios"
	printf '%.2fx (pairs %s, n=%s)' "$(median <"$RT_BENCH_OUT/.ratios")" \
	    "$(spread <"$RT_BENCH_OUT/.ratios")" "$(wc -l <"$RT_BENCH_OUT/.ratios")"
	rm -f "$RT_BENCH_OUT/.ratios"
}
