#!/bin/sh
# fuzz/run.sh: runs the libFuzzer harnesses built by `make fuzz`.
#   sh fuzz/run.sh smoke                  each harness briefly (make fuzz-smoke, CI)
#   sh fuzz/run.sh [-OPTION=V ...] [NAME ...]   longer runs, libFuzzer options
# Seeds come from ../shared/corpus (when present), share/ and the
# regression inputs in tests/fixtures/fuzz/NAME; they are gathered under
# build/fuzz/seeds (never committed), where new inputs are also kept.
# A crash, leak, timeout or out-of-memory leaves its input in
# build/fuzz/crashes and makes the run fail: add that file under
# tests/fixtures/fuzz/NAME so test_fuzz_replay replays it.
set -u
cd "$(dirname "$0")/.." || exit 2
B=${FUZZ_BUILD:-build/fuzz}
CORPUS=${RT_CORPUS:-../shared/corpus}
NAMES="config event mail template"

# seed NAME: gathers the seed folder of one harness.
seed() {
	d=$B/seeds/$1
	mkdir -p "$d"
	case $1 in
	mail)
		[ -d "$CORPUS/mail" ] && find "$CORPUS/mail" -type f -size -64k \
		    -exec cp {} "$d/" \; 2>/dev/null ;;
	event)
		# The first byte picks the source hint; 0xff means none.
		[ -d "$CORPUS/events" ] && find "$CORPUS/events" -type f -size -64k |
		while read -r f; do
			{ printf '\377'; cat "$f"; } >"$d/$(basename "$f")"
		done ;;
	config)
		cp share/desk/rt.yaml "$d/"
		# Each here-document the tests append to rt.yaml, after the default.
		rm -f "$d"/t*.yaml
		for t in tests/t*.sh; do
			awk -v out="$d/$(basename "$t" .sh)-" '
			    !doc && /yaml/ && match($0, /<<-?[\\'"'"']?[A-Z]+/) {
				delim = substr($0, RSTART, RLENGTH); gsub(/[<\\'"'"'-]/, "", delim)
				doc = 1; n++; next }
			    doc { line = $0; sub(/^\t+/, "", line)
				if (line == delim) { doc = 0; next }
				print line >> (out n ".yaml") }' "$t"
		done
		for f in "$d"/t*.yaml; do
			[ -f "$f" ] && { cat share/desk/rt.yaml "$f" >"$f.tmp"; mv "$f.tmp" "$f"; }
		done ;;
	template)
		find share/templates -name '*.tmpl' | while read -r f; do
			cp "$f" "$d/$(echo "$f" | tr / _)"
		done ;;
	esac
	return 0
}

# run_one NAME: gathers one harness's seeds and runs it; its line (and a
# failure's excerpt) goes to $B/fuzz_NAME.result, its status to .rc.
run_one() {
	n=$1 bin=$B/fuzzers/fuzz_$1 res=$B/fuzz_$1.result log=$B/fuzz_$1.log
	if [ ! -x "$bin" ]; then
		echo "fuzz: $bin missing (make fuzz)" >"$res"; echo 1 >"$res.rc"; return
	fi
	seed "$n"
	mkdir -p "tests/fixtures/fuzz/$n"
	"$bin" -timeout=10 -rss_limit_mb=2048 -max_len=65536 -print_final_stats=1 \
	    -artifact_prefix="$B/crashes/$n-" $FUZZ_RUN_OPTS \
	    "$B/seeds/$n" "tests/fixtures/fuzz/$n" >"$log" 2>&1
	rc=$?
	runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n 1)
	secs=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" | tail -n 1)
	if [ $rc -ne 0 ]; then
		{ echo "fuzz_$n: FAILED (exit $rc) after ${runs:-?} runs; input in $B/crashes/"
		  grep -E 'ERROR|SUMMARY|Test unit written' "$log" | head -n 5; } >"$res"
		echo 1 >"$res.rc"
	else
		echo "fuzz_$n: ${runs:-?} runs, ${secs:-?}/s, no crash" >"$res"
		echo 0 >"$res.rc"
	fi
}
# (xargs runs each harness through "run.sh --one NAME")
if [ "${1:-}" = --one ]; then run_one "$2"; exit 0; fi

mode=long opts=
[ "${1:-}" = smoke ] && { mode=smoke; shift; }
while [ $# -gt 0 ]; do
	case $1 in -*) opts="$opts $1"; shift ;; *) break ;; esac
done
[ $# -gt 0 ] && NAMES=$*
if [ $mode = smoke ]; then
	# About 20 s per harness at most (mail and event run the 20 s, config
	# and template their 20,000 inputs in less), two at a time under
	# make -j2: CI spends about 30 s, not the 55 s of one after another.
	opts="-seed=1 -runs=20000 -max_total_time=20 $opts"
fi
# Harnesses at a time: RT_FUZZ_JOBS, or make's -jN (as tests/run.sh), else
# 1. Each is one process on its own seeds and log, so two at once on two
# cores run as many inputs in their 20 s as one alone.
jobs=${RT_FUZZ_JOBS:-$(printf ' %s\n' "${MAKEFLAGS:-}" |
    sed -n 's/.* -j\([0-9][0-9]*\).*/\1/p')}
case $jobs in ''|*[!0-9]*|0) jobs=1 ;; esac
mkdir -p "$B/crashes"
# Leaks inside libmailutils are known and not rt's (see tests/lsan.supp).
export LSAN_OPTIONS="suppressions=$PWD/tests/lsan.supp:print_suppressions=0"
export FUZZ_RUN_OPTS="$opts" FUZZ_BUILD="$B" RT_CORPUS="$CORPUS"
for n in $NAMES; do rm -f "$B/fuzz_$n.result" "$B/fuzz_$n.result.rc"; done
printf '%s\n' $NAMES | xargs -P "$jobs" -n 1 sh "$(pwd)/fuzz/run.sh" --one
status=0
for n in $NAMES; do
	cat "$B/fuzz_$n.result" 2>/dev/null || echo "fuzz_$n: did not run"
	[ "$(cat "$B/fuzz_$n.result.rc" 2>/dev/null)" = 0 ] || status=1
done
exit $status
