#!/bin/sh
# bench/ls.sh: rt-ls over the prepared desks (median of 5 runs, wall time),
# and the cost per record beyond opening the desk (--limit 0 stops at once).
cd "$(dirname "$0")" && . ./lib.sh
for desk in "${RT_BENCH_SMALL_DESK:-}" "${RT_BENCH_DESK:-}"; do
	[ -n "$desk" ] && [ -f "$desk/rt.yaml" ] || continue
	n=$(rt-ls --desk "$desk" --count --all)
	base=$(for i in 1 2 3 4 5; do ms rt-ls --desk "$desk" --ids --limit 0; done | median)
	echo "desk of $n tickets: open only ${base} ms"
	for args in "--count" "--ids" "--open --ids" "--priority high+ --owner anna --ids" \
	    "--sort -priority,updated --ids" "--json" "" "--format %{id}\t%{subject}\n"; do
		t=$(for i in 1 2 3 4 5; do ms rt-ls --desk "$desk" $args; done | median)
		per=$(echo "$t $base $n" | awk '{ printf "%.2f", ($1 - $2) * 1000 / $3 }')
		printf '  rt-ls %-40s %8s ms  %6s us/record\n' "${args:-(table)}" "$t" "$per"
	done
done
