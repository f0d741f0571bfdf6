#!/bin/sh
# Per-mail cost of rt-ingest, one process per mail as procmail runs it,
# on a small and a big desk; plus bulk --mbox throughput.
. "$(dirname "$0")/lib.sh"
ROUNDS=${RT_BENCH_ROUNDS:-40}
mail() {
	printf 'From: bench%s@example.com\nTo: support@example.org\nSubject: bench mail %s\nMessage-Id: <ingest-%s-%s@bench>\n\nbody %s\n' "$1" "$1" "$1" "$2" "$1"
}
per_mail() { # desk label
	run=$(now_ns)
	for i in $(seq 1 "$ROUNDS"); do
		mail "$i" "$run" >"$RT_BENCH_OUT/m.$i"
	done
	for i in $(seq 1 "$ROUNDS"); do
		ms rt-ingest --desk "$1" -q <"$RT_BENCH_OUT/m.$i"
	done | median >"$RT_BENCH_OUT/median.$2"
	echo "$2: median $(cat "$RT_BENCH_OUT/median.$2") ms per mail (one process each, fsync on, $ROUNDS mails)"
}
floor() { # process floor: start, open desk, check cache, read one ticket
	_id=$(rt-ls --desk "$1" --limit 1 --ids)
	for i in $(seq 1 "$ROUNDS"); do ms rt-show --desk "$1" --raw 1 "$_id"; done | median
}
per_mail "$RT_BENCH_SMALL_DESK" small
per_mail "$RT_BENCH_DESK" big
s=$(cat "$RT_BENCH_OUT/median.small") b=$(cat "$RT_BENCH_OUT/median.big")
echo "ratio big/small: $(echo "scale=2; $b / $s" | bc)"
echo "floor (start, open desk, cache check, read one mail: rt-show --raw): $(floor "$RT_BENCH_DESK") ms"
run=$(now_ns)
for i in $(seq 1 500); do
	printf 'From MAILER-DAEMON Mon Nov 23 10:00:00 2026\n'
	mail "$i" "bulk$run"
	echo
done >"$RT_BENCH_OUT/bulk.mbox"
start=$(now_ns)
rt-ingest --desk "$RT_BENCH_DESK" -q --mbox "$RT_BENCH_OUT/bulk.mbox"
end=$(now_ns)
echo "bulk --mbox into big desk: 500 mails in $(( (end - start) / 1000000 )) ms = $(( 500 * 1000000000 / (end - start) )) mails/s"
