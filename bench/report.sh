#!/bin/sh
# rt-report over the big desk on a warm cache (goal: under 2 s for 100,000
# tickets): the default text report, --by day, --topics 20 and --html.
. "$(dirname "$0")/lib.sh"
ROUNDS=${RT_BENCH_ROUNDS:-5}
D=${RT_BENCH_DESK:?RT_BENCH_DESK names the big desk}
N=$(git -C "$D" ls-tree -r -d --name-only HEAD tickets 2>/dev/null | awk -F/ 'NF == 4' | wc -l)
rt-report --desk "$D" >/dev/null 2>&1	# warm the cache and the page cache
run() { # label args...
	l=$1; shift
	m=$(for i in $(seq 1 "$ROUNDS"); do ms rt-report --desk "$D" "$@"; done | median)
	echo "$l: median $m ms ($N tickets, $ROUNDS runs)"
}
run "text, last 30 days" 
run "whole history --by week" --since 2000-01-01 --by week
run "topics 20" --since 2000-01-01 --topics 20
run "html" --since 2000-01-01 --html
run "json --by customer" --since 2000-01-01 --by customer --json
