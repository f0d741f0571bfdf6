#!/bin/sh
# bench/cache.sh: a full rebuild of the ticket cache (tickets, Message-Ids,
# text index: every ticket's YAML and every mail read and parsed) against
# git archive of the same tickets/ (every blob read and inflated once),
# paired in the same run; and the rebuild's peak memory.
# Goals at 100k tickets: < 5 s and < 150 MB.
cd "$(dirname "$0")" && . ./lib.sh
ROUNDS=${RT_BENCH_CACHE_ROUNDS:-3}
for desk in "${RT_BENCH_SMALL_DESK:-}" "${RT_BENCH_DESK:-}"; do
	[ -n "$desk" ] && [ -f "$desk/rt.yaml" ] || continue
	n=$(rt-ls --desk "$desk" --count --all)
	c=$desk	# the cache is derived: rebuilt in place, no copy of a big work tree
	: >"$RT_BENCH_OUT/t.rb"; : >"$RT_BENCH_OUT/t.ar"; : >"$RT_BENCH_OUT/t.mem"
	i=1
	while [ $i -le "$ROUNDS" ]; do
		rm -f "$c"/.git/rt/cache.mdb*
		ms /usr/bin/time -f "%M" -o "$RT_BENCH_OUT/mem" rt-ls --desk "$c" --count >>"$RT_BENCH_OUT/t.rb"
		cat "$RT_BENCH_OUT/mem" >>"$RT_BENCH_OUT/t.mem"
		ms sh -c "git -C '$c' archive HEAD tickets >/dev/null" >>"$RT_BENCH_OUT/t.ar"
		i=$((i + 1))
	done
	rb=$(median <"$RT_BENCH_OUT/t.rb") ar=$(median <"$RT_BENCH_OUT/t.ar")
	mem=$(median <"$RT_BENCH_OUT/t.mem" | awk '{ printf "%d", $1 / 1024 }')
	echo "desk of $n tickets: cache rebuild median $rb ms (peak $mem MB) = $(ratio "$rb" "$ar")x git archive of tickets/ ($ar ms)"
	rm -f "$RT_BENCH_OUT"/t.rb "$RT_BENCH_OUT"/t.ar "$RT_BENCH_OUT"/t.mem "$RT_BENCH_OUT/mem"
done
