#!/bin/sh
# bench/cache.sh: a full rebuild of the ticket cache (tickets, Message-Ids,
# text index: every ticket's log and first mail read and parsed) against
# git archive of the same tickets/ (every blob read and inflated once),
# in rounds that run both, so the machine's load falls on both alike;
# the same rebuild on one thread (RT_CACHE_NOTHREAD=1); peak memory
# (maximum RSS, mapped file pages included). Goals at 100k: < 5 s, < 150 MB.
# From 4,096 tickets a rebuild leaves the text index to its first use:
# the first search after it (which builds the index) is timed too.
cd "$(dirname "$0")" && . ./lib.sh
ROUNDS=${RT_BENCH_CACHE_ROUNDS:-3}
timed() { # FILE-PREFIX CMD...: one run, its time and peak memory
	pre=$1; shift
	ms /usr/bin/time -f "%M" -o "$RT_BENCH_OUT/mem" "$@" >>"$pre.t"
	cat "$RT_BENCH_OUT/mem" >>"$pre.mem"
}
rebuild() { # FILE-PREFIX [ENV...]: one rebuild, its time and peak memory
	pre=$1; shift
	rm -f "$c"/.git/rt/cache.mdb*
	timed "$pre" env "$@" rt-ls --desk "$c" --count
}
for desk in "${RT_BENCH_SMALL_DESK:-}" "${RT_BENCH_DESK:-}"; do
	[ -n "$desk" ] && [ -f "$desk/rt.yaml" ] || continue
	n=$(rt-ls --desk "$desk" --count --all)
	c=$desk	# the cache is derived: rebuilt in place, no copy of a big work tree
	o=$RT_BENCH_OUT/cache
	rm -f "$o".*
	i=1
	while [ $i -le "$ROUNDS" ]; do
		rebuild "$o.rb"
		timed "$o.tx" rt-ls --desk "$c" --text printer --count
		ms sh -c "git -C '$c' archive HEAD tickets >/dev/null" >>"$o.ar"
		rebuild "$o.one" RT_CACHE_NOTHREAD=1
		i=$((i + 1))
	done
	rm -f "$c"/.git/rt/cache.mdb* && rt-ls --desk "$c" --count --text zzqxnothere >/dev/null	# left built, text index too
	rb=$(median <"$o.rb.t") ar=$(median <"$o.ar") one=$(median <"$o.one.t")
	mem=$(median <"$o.rb.mem" | awk '{ printf "%d", $1 / 1024 }')
	memone=$(median <"$o.one.mem" | awk '{ printf "%d", $1 / 1024 }')
	tx=$(median <"$o.tx.t") memtx=$(median <"$o.tx.mem" | awk '{ printf "%d", $1 / 1024 }')
	verdict=
	if [ "$n" -ge 100000 ]; then
		verdict=$(echo "$rb $mem" | awk '{ printf "goals < 5000 ms: %s, < 150 MB: %s",
		    $1 < 5000 ? "met" : "NOT met", $2 < 150 ? "met" : "NOT met" }')
	fi
	echo "desk of $n tickets, median of $ROUNDS:"
	echo "  cache rebuild        $rb ms (peak $mem MB) = $(ratio "$rb" "$ar")x git archive of tickets/ ($ar ms)  $verdict"
	echo "  first search after   $tx ms (peak $memtx MB) = $(ratio "$tx" "$ar")x git archive (builds the text index when the rebuild left it)"
	echo "  on one thread        $one ms (peak $memone MB) = $(ratio "$one" "$ar")x git archive; two threads = $(ratio "$rb" "$one")x one"
	rm -f "$o".* "$RT_BENCH_OUT/mem"
done
