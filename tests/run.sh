#!/bin/sh
# tests/run.sh: runs the unit tests and the end-to-end scripts, prints TAP
# per file (with its seconds) and one closing line "N passed, N failed,
# N skipped".
# Usage: run.sh [pattern...]   e.g. run.sh t1 unit/test_core   (only tests
# whose name contains one of the patterns; make check T="t1120 t1510")
# Files run RT_TEST_JOBS at a time (default: make's -jN, else 1); the
# output stays in file order. With more than one at a time the longest
# start first (tests/seconds: measured seconds of the slow files, plain
# and ASan; the rest follow in file order), so no long file starts last
# beside an idle core. A file with the line "# run.sh: alone" (its tests
# wait on wall-clock sleeps) runs at the end, by itself.
cd "$(dirname "$0")" || exit 2
export RT_FIXTURES="$(pwd)/fixtures"
# Unit tests too run with a pinned clock (lib.sh does the same for scripts).
export TZ=UTC RT_NOW=2026-11-25T10:00:00Z
pats=$*; [ "${1:-}" = --one ] && pats=
wanted() { # wanted NAME: no pattern, or one of them is in NAME
	[ -z "$pats" ] && return 0
	for p in $pats; do
		case $1 in *"$p"*) return 0 ;; esac
	done
	return 1
}
# jobs: RT_TEST_JOBS, or the N of make's -jN (GNU make puts it in MAKEFLAGS)
jobs=${RT_TEST_JOBS:-$(printf ' %s\n' "${MAKEFLAGS:-}" |
    sed -n 's/.* -j\([0-9][0-9]*\).*/\1/p')}
case $jobs in ''|*[!0-9]*|0) jobs=1 ;; esac

self=$(pwd)/run.sh
# The list of files to run, one a line: NAME COMMAND...
list() {
	for u in "${RT_BUILD:-../build}"/unit/*; do
		[ -x "$u" ] || continue
		n=unit/$(basename "$u")
		wanted "$n" || continue
		if [ -n "${RT_VALGRIND:-}" ]; then
			echo "$n valgrind -q --suppressions=valgrind.supp --leak-check=full --errors-for-leak-kinds=definite --error-exitcode=99 $u"
		else
			echo "$n $u"
		fi
	done
	for t in t[0-9]*.sh; do
		[ -f "$t" ] || continue
		wanted "$t" || continue
		echo "$t sh $t"
	done
}
# alone NAME: the file waits on wall-clock sleeps and must run by itself
alone() { case $1 in t*.sh) grep -q '^# run.sh: alone' "$1" ;; *) false ;; esac; }

# run_one OUT NAME COMMAND...: runs one file; OUT gets its output, OUT.rc
# its status and seconds, and OUT.done appears when both are written.
run_one() {
	o=$1 n=$2; shift 2
	start=$(date +%s)
	"$@" >"$o" 2>&1 </dev/null
	rc=$?
	echo "$rc $(($(date +%s) - start))" >"$o.rc"
	: >"$o.done"
}

if [ "${1:-}" = --one ]; then shift; run_one "$@"; exit 0; fi

# report OUT NAME: counts one finished file and prints its line.
pass=0 fail=0 skip=0 failed_files=
report() {
	read -r rc secs <"$1.rc"
	p=$(grep -c '^ok ' "$1")
	s=$(grep -c '^ok .*# SKIP' "$1")
	f=$(grep -c '^not ok ' "$1")
	if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then f=1; fi
	pass=$((pass + p - s)) skip=$((skip + s)) fail=$((fail + f))
	if [ "$f" -gt 0 ]; then
		failed_files="$failed_files $2"
		sed "s|^|$2: |" "$1"
	fi
	printf '%-40s %3d passed, %d failed, %d skipped %5ds\n' "$2" $((p - s)) "$f" "$s" "$secs"
}

out=$(mktemp -d "${TMPDIR:-/tmp}/rt-run.XXXXXX") || exit 2
trap 'rm -rf "$out"' EXIT
trap 'exit 130' INT TERM HUP
list | while read -r n cmd; do
	if alone "$n"; then echo "$n $cmd" >>"$out/alone"; else echo "$n $cmd"; fi
done >"$out/list"
touch "$out/alone"
# expected NAME: the file's measured seconds in this build (tests/seconds:
# NAME PLAIN [ASAN]; the ASan column, else the plain one, when RT_BUILD is
# an ASan build), else 0
col=2; case ${RT_BUILD:-} in *asan*) col=3 ;; esac
expected() {
	awk -v n="$1" -v c=$col '$1 == n { s = (NF >= c) ? $c : $2 } END { print s + 0 }' \
	    seconds 2>/dev/null || echo 0
}
if [ "$jobs" -gt 1 ]; then
	# xargs keeps $jobs files running, each through "run.sh --one", the
	# longest expected first (longest-processing-time-first: the last to
	# start are the short ones); this shell prints them in file order as
	# they finish.
	i=0
	while read -r n cmd; do
		i=$((i + 1))
		printf '%s %04d %s %s\n' "$(expected "$n")" $i "$n" "$cmd"
	done <"$out/list" | sort -k1,1nr -k2,2n |
	while read -r secs i n cmd; do
		printf '%s/%s %s %s\n' "$out" "$i" "$n" "$cmd"
	done | xargs -P "$jobs" -L 1 sh "$self" --one &
	runner=$!
fi
i=0
while read -r n cmd; do
	i=$((i + 1))
	o=$(printf '%s/%04d' "$out" $i)
	[ "$jobs" -gt 1 ] || run_one "$o" "$n" $cmd
	until [ -f "$o.done" ]; do
		if ! kill -0 $runner 2>/dev/null && [ ! -f "$o.done" ]; then
			echo "run.sh: $n did not finish" >>"$o"; echo "1 0" >"$o.rc"; break
		fi
		sleep 0.2
	done
	report "$o" "$n"
done <"$out/list"
wait
while read -r n cmd; do
	i=$((i + 1))
	o=$(printf '%s/%04d' "$out" $i)
	run_one "$o" "$n" $cmd
	report "$o" "$n"
done <"$out/alone"
[ -n "$failed_files" ] && echo "failed:$failed_files"
echo "$pass passed, $fail failed, $skip skipped"
[ "$fail" -eq 0 ]
