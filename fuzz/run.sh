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

mode=long opts=
[ "${1:-}" = smoke ] && { mode=smoke; shift; }
while [ $# -gt 0 ]; do
	case $1 in -*) opts="$opts $1"; shift ;; *) break ;; esac
done
[ $# -gt 0 ] && NAMES=$*
if [ $mode = smoke ]; then
	# About 20 s per harness at most, so CI spends well under two minutes.
	opts="-seed=1 -runs=20000 -max_total_time=20 $opts"
fi
mkdir -p "$B/crashes"
# Leaks inside libmailutils are known and not rt's (see tests/lsan.supp).
export LSAN_OPTIONS="suppressions=$PWD/tests/lsan.supp:print_suppressions=0"
status=0
for n in $NAMES; do
	bin=$B/fuzzers/fuzz_$n
	[ -x "$bin" ] || { echo "fuzz: $bin missing (make fuzz)"; status=1; continue; }
	seed "$n"
	mkdir -p "tests/fixtures/fuzz/$n"
	log=$B/fuzz_$n.log
	"$bin" -timeout=10 -rss_limit_mb=2048 -max_len=65536 -print_final_stats=1 \
	    -artifact_prefix="$B/crashes/$n-" $opts \
	    "$B/seeds/$n" "tests/fixtures/fuzz/$n" >"$log" 2>&1
	rc=$?
	runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n 1)
	secs=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" | tail -n 1)
	if [ $rc -ne 0 ]; then
		status=1
		echo "fuzz_$n: FAILED (exit $rc) after ${runs:-?} runs; input in $B/crashes/"
		grep -E 'ERROR|SUMMARY|Test unit written' "$log" | head -n 5
	else
		echo "fuzz_$n: ${runs:-?} runs, ${secs:-?}/s, no crash"
	fi
done
exit $status
