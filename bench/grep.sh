#!/bin/sh
# bench/grep.sh: rt-ls --text through the cache's text index against a scan
# of every record (rt-ls --count) and against grep -r over the same desk's
# files (what an agent would do without rt), as ratios; and the cost of a
# cache rebuild that fills the index (median of 5 runs, 3 for grep, wall time).
cd "$(dirname "$0")" && . ./lib.sh
for desk in "${RT_BENCH_SMALL_DESK:-}" "${RT_BENCH_DESK:-}"; do
	[ -n "$desk" ] && [ -f "$desk/rt.yaml" ] || continue
	n=$(rt-ls --desk "$desk" --count --all)
	word=$(rt-ls --desk "$desk" --format '%{subject}\n' --limit 1 | tr -c 'A-Za-z\n' ' ' |
	    awk '{ for (i = 1; i <= NF; i++) if (length($i) > 3) { print $i; exit } }')
	hits=$(rt-ls --desk "$desk" --count --all --text "$word")
	scan=$(for i in 1 2 3 4 5; do ms rt-ls --desk "$desk" --count --all; done | median)
	text=$(for i in 1 2 3 4 5; do ms rt-ls --desk "$desk" --count --all --text "$word"; done | median)
	rare=$(for i in 1 2 3 4 5; do ms rt-ls --desk "$desk" --count --all --text zzqxnothere; done | median)
	# the bench desks have no work tree: grep gets the files a checkout has
	tree=$RT_BENCH_OUT/grep-tree-$n
	if [ ! -d "$tree" ]; then
		mkdir -p "$tree.part" && git -C "$desk" archive HEAD | tar -x -C "$tree.part" &&
		    mv "$tree.part" "$tree"
	fi
	grepr=$(for i in 1 2 3; do ms grep -rilw -- "$word" "$tree"; done | median)
	ghits=$(grep -rilw --include='*.eml' -- "$word" "$tree" | awk -F/ '{ print $(NF - 2) }' | sort -u | wc -l)
	echo "desk of $n tickets: --text '$word' finds $hits; grep -r finds it in the mail of $ghits"
	printf '  scan of every record (--count)      %8s ms\n' "$scan"
	printf '  --text %-28s %8s ms  ratio %s\n' "'$word'" "$text" \
	    "$(echo "$text $scan" | awk '{ printf "%.3f", $1 / $2 }')"
	printf '  --text (no hit)                     %8s ms  ratio %s\n' "$rare" \
	    "$(echo "$rare $scan" | awk '{ printf "%.3f", $1 / $2 }')"
	printf '  grep -rilw over the desk            %8s ms\n' "$grepr"
	printf '  --text / grep -r                    ratio %s\n' \
	    "$(echo "$text $grepr" | awk '{ printf "%.3f", $1 / $2 }')"
	cp -r "$desk" "$RT_BENCH_OUT/grep-copy" && rm -f "$RT_BENCH_OUT"/grep-copy/.git/rt/cache.mdb*
	build=$(ms sh -c "rt-ls --desk '$RT_BENCH_OUT/grep-copy' --count &&
	    rt-ls --desk '$RT_BENCH_OUT/grep-copy' --count --text zzqxnothere")	# a big desk's index: first search
	printf '  cache rebuild with the text index   %8s ms (%s us/ticket)\n' "$build" \
	    "$(echo "$build $n" | awk '{ printf "%.1f", $1 * 1000 / $2 }')"
	rm -rf "$RT_BENCH_OUT/grep-copy"
done
