#!/bin/sh
# bench/run.sh: builds synthetic desks of 1,000 and 100,000 tickets under
# bench/out (kept between runs; RT_BENCH_FRESH=1 rebuilds) and runs every
# bench/*.sh benchmark against them (RT_BENCH_ONLY="ingest ls": only
# those). Figures go to stdout; bench/ingest.sh says what it compares.
# RT_BENCH_OUT=DIR puts the desks and scratch files there instead, e.g. on
# another file system to compare (README, "make bench").
set -e
cd "$(dirname "$0")"
out=${RT_BENCH_OUT:-$PWD/out}
mkdir -p "$out"
SMALL=${RT_BENCH_SMALL:-1000} BIG=${RT_BENCH_BIG:-100000}
for n in $SMALL $BIG; do
	if [ -n "${RT_BENCH_FRESH:-}" ] || [ ! -f "$out/desk-$n/rt.yaml" ]; then
		echo "building desk of $n tickets..."
		start=$(date +%s.%N)
		sh ./mkdesk.sh "$out/desk-$n" "$n"
		echo "  built in $(echo "$(date +%s.%N) - $start" | bc) s"
	fi
	# every run writes mails into these desks (one pack each): rt-gc them
	# first, as the README's cron line keeps a desk, so a run does not
	# measure the packs the runs before it left (the grown desks in
	# ingest.sh are the never-rt-gc'd case)
	rt-gc -q --desk "$out/desk-$n"
	# and bring its cache to HEAD with the text index, whatever cache
	# version it was left with, before anything is timed
	rt-ls --desk "$out/desk-$n" --count --text zzqxnothere >/dev/null
done
export RT_BENCH_SMALL_DESK="$out/desk-$SMALL" RT_BENCH_DESK="$out/desk-$BIG" RT_BENCH_OUT="$out" \
    RT_BENCH_SMALL=$SMALL RT_BENCH_BIG=$BIG
# ingest.sh writes mails into both desks (and leaves them loose, pending in
# the cache): it runs last, so every read section measures the desks as
# mkdesk.sh built them and rt-gc keeps them, whichever sections are chosen.
for b in $(ls ./*.sh | grep -vx './ingest.sh') ./ingest.sh; do
	case $b in ./run.sh|./mkdesk.sh|./lib.sh) continue ;; esac
	# RT_BENCH_ONLY="ingest ls" runs only those
	case " ${RT_BENCH_ONLY:-$(basename "$b" .sh)} " in *" $(basename "$b" .sh) "*) ;; *) continue ;; esac
	echo "== $(basename "$b" .sh) ($(date -u +%H:%M:%S) UTC, load $(cut -d" " -f1 /proc/loadavg))"
	sh "$b"
	# the others may have deleted files without saying (gone): settle waits
	[ "$b" = ./ingest.sh ] || echo "$(date +%s) 0" >>"$out/.deleted"
done
