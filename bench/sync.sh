#!/bin/sh
# rt-sync bringing in 1,000 commits (1,000 mails ingested in another clone)
# on a 10,000-ticket desk that has one commit of its own, so it merges and
# pushes. References in the same run: the same fetch through libgit2 alone
# (bench/sync_fetch.c), and a sync bringing in 100 commits.
. "$(dirname "$0")/lib.sh"
ROUNDS=${RT_BENCH_ROUNDS:-3}
N=${RT_BENCH_SYNC_TICKETS:-10000}
out=$RT_BENCH_OUT/sync
desk=$RT_BENCH_OUT/desk-$N
[ -f "$desk/rt.yaml" ] || sh "$(dirname "$0")/mkdesk.sh" "$desk" "$N"
rm -rf "$out" && mkdir -p "$out"
export RT_NOW=2026-11-25T10:00:00Z TZ=UTC

mbox() { # FIRST COUNT TAG
	i=$1
	while [ "$i" -lt $(($1 + $2)) ]; do
		printf 'From bench@example.com Wed Nov 25 10:00:00 2026\nFrom: c%s@example.com\nTo: support@example.org\nSubject: sync %s %s\nMessage-Id: <%s-%s@bench>\n\nHelp %s.\n\n' \
		    "$i" "$3" "$i" "$3" "$i" "$i"
		i=$((i + 1))
	done
}

# central.git, the clone that waits (base) and, per figure, the other
# clone's pushes of COUNT commits on top: central-COUNT.git
# a format-2 desk: a format-1 one (an older bench/gen_desk) is upgraded first
git clone -q "$desk" "$out/up"
rt-gc -q --upgrade --desk "$out/up"
git clone -q --bare "$out/up" "$out/central.git"
rm -rf "$out/up"
git clone -q "$out/central.git" "$out/base"
git -C "$out/base" config rt.clone base
rt-gc -q --desk "$out/base" --rebuild-cache
mbox 1 1 local >"$out/local.mbox"
rt-ingest -q --desk "$out/base" --mbox "$out/local.mbox"
for count in 100 1000; do
	cp -al "$out/central.git" "$out/central-$count.git"
	git clone -q "$out/central-$count.git" "$out/other"
	mbox 1 "$count" "c$count" >"$out/in.mbox"
	rt-ingest -q --desk "$out/other" --mbox "$out/in.mbox"
	git -C "$out/other" push -q origin main
	rm -rf "$out/other"
done

# run COUNT CMD...: median ms of CMD on fresh copies of base pointed at central-COUNT.git
run() {
	count=$1; shift
	for r in $(seq 1 "$ROUNDS"); do
		rm -rf "$out/w" "$out/c.git"
		# hard links: git and rt replace files by rename, except LMDB's cache
		cp -al "$out/base" "$out/w" && rm -rf "$out/w/.git/rt" &&
		cp -a "$out/base/.git/rt" "$out/w/.git/rt"
		cp -al "$out/central-$count.git" "$out/c.git"
		git -C "$out/w" remote set-url origin "$out/c.git"
		ms "$@"
	done | median
}
fetch=$(run 1000 "$RT_BUILD/bench/sync_fetch" "$out/w" origin main)
sync1000=$(run 1000 rt-sync -q --desk "$out/w")
got=$(git -C "$out/w" rev-list --count HEAD ^HEAD^1 2>/dev/null)
sync100=$(run 100 rt-sync -q --desk "$out/w")
echo "rt-sync bringing in 1,000 commits on a $N-ticket desk (merge + push): median $sync1000 ms ($ROUNDS runs, $got commits merged)"
echo "  reference, the same fetch through libgit2 alone: $fetch ms; ratio $(ratio "$sync1000" "$fetch")"
echo "  reference, rt-sync bringing in 100 commits: $sync100 ms; 1,000 / 100 commits: ratio $(ratio "$sync1000" "$sync100")"
rm -rf "$out/w" "$out/c.git"
