#!/bin/sh
# bench/ls.sh: rt-ls over the prepared desks against the reference of a
# plain C walk of the same cache (bench/lmdb_scan.c: every record read,
# the ids written), in rounds that run the reference and then each
# listing, so the machine's load falls on both alike. Medians of ROUNDS,
# the ratio to the reference, and on the 100k desk the goal (issue 13).
cd "$(dirname "$0")" && . ./lib.sh
ROUNDS=${RT_BENCH_ROUNDS:-7}
set -- "--count" "--ids" "--open --ids" "--priority high+ --owner anna --ids" \
    "--sort -priority,updated --ids" "--json" "--sort -updated --json" "" \
    "--format %{id}\t%{subject}\n"
goal() {
	case $1 in
	--ids) echo 150 ;;
	"--sort -priority,updated --ids"|--json|"--sort -updated --json") echo 300 ;;
	esac
}
for desk in "${RT_BENCH_SMALL_DESK:-}" "${RT_BENCH_DESK:-}"; do
	[ -n "$desk" ] && [ -f "$desk/rt.yaml" ] || continue
	n=$(rt-ls --desk "$desk" --count --all)
	rm -f "$RT_BENCH_OUT"/ls.*
	i=1
	while [ $i -le "$ROUNDS" ]; do
		ms "$RT_BUILD/bench/lmdb_scan" "$desk" >>"$RT_BENCH_OUT/ls.ref"
		k=0
		for args in "$@"; do
			ms rt-ls --desk "$desk" $args >>"$RT_BENCH_OUT/ls.$k"
			k=$((k + 1))
		done
		i=$((i + 1))
	done
	ref=$(median <"$RT_BENCH_OUT/ls.ref")
	echo "desk of $n tickets: plain C walk of the cache (lmdb_scan) ${ref} ms, median of $ROUNDS"
	k=0
	for args in "$@"; do
		t=$(median <"$RT_BENCH_OUT/ls.$k") g=$(goal "$args")
		verdict=
		if [ -n "$g" ] && [ "$n" -ge 100000 ]; then
			verdict=$(echo "$t $g" | awk '{ printf "goal < %d ms: %s", $2, $1 < $2 ? "met" : "NOT met" }')
		fi
		printf '  rt-ls %-36s %8s ms = %5sx lmdb_scan  %s\n' "${args:-(table)}" "$t" \
		    "$(ratio "$t" "$ref")" "$verdict"
		k=$((k + 1))
	done
	rm -f "$RT_BENCH_OUT"/ls.*
done
