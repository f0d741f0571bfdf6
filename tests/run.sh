#!/bin/sh
# tests/run.sh: runs the unit tests and the end-to-end scripts, prints TAP
# per file and one closing line "N passed, N failed, N skipped".
# Usage: run.sh [pattern...]   e.g. run.sh t1 unit/test_core   (only tests
# whose name contains one of the patterns; make check T="t1120 t1510")
cd "$(dirname "$0")" || exit 2
export RT_FIXTURES="$(pwd)/fixtures"
# Unit tests too run with a pinned clock (lib.sh does the same for scripts).
export TZ=UTC RT_NOW=2026-11-25T10:00:00Z
pats=$*
wanted() { # wanted NAME: no pattern, or one of them is in NAME
	[ -z "$pats" ] && return 0
	for p in $pats; do
		case $1 in *"$p"*) return 0 ;; esac
	done
	return 1
}
pass=0 fail=0 skip=0 failed_files=
run_one() {
	name=$1; shift
	out=$("$@" 2>&1)
	rc=$?
	p=$(printf '%s\n' "$out" | grep -c '^ok ')
	s=$(printf '%s\n' "$out" | grep -c '^ok .*# SKIP')
	f=$(printf '%s\n' "$out" | grep -c '^not ok ')
	if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then f=1; fi
	pass=$((pass + p - s)) skip=$((skip + s)) fail=$((fail + f))
	if [ "$f" -gt 0 ]; then
		failed_files="$failed_files $name"
		printf '%s\n' "$out" | sed "s|^|$name: |"
	fi
	printf '%-40s %3d passed, %d failed, %d skipped\n' "$name" $((p - s)) "$f" "$s"
}
for u in "${RT_BUILD:-../build}"/unit/*; do
	[ -x "$u" ] || continue
	n=unit/$(basename "$u")
	wanted "$n" || continue
	if [ -n "${RT_VALGRIND:-}" ]; then
		run_one "$n" valgrind -q --suppressions=valgrind.supp --leak-check=full --errors-for-leak-kinds=definite --error-exitcode=99 "$u"
	else
		run_one "$n" "$u"
	fi
done
for t in t[0-9]*.sh; do
	[ -f "$t" ] || continue
	wanted "$t" || continue
	run_one "$t" sh "$t"
done
[ -n "$failed_files" ] && echo "failed:$failed_files"
echo "$pass passed, $fail failed, $skip skipped"
[ "$fail" -eq 0 ]
