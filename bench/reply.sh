#!/bin/sh
# bench/reply.sh: rt-reply --dry-run --template ack for 1 and 50 tickets of
# the big desk (render, RFC 3834 checks including the per-address interval,
# which sweeps the cache once per process), and --suggest for one ticket.
. "$(dirname "$0")/lib.sh"
d=${RT_BENCH_DESK:-$(dirname "$0")/out/desk-100000}
[ -f "$d/rt.yaml" ] || { echo "reply: no desk at $d, skipped"; exit 0; }
command -v rt-reply >/dev/null || { echo "reply: rt-reply not built, skipped"; exit 0; }
ids=$(mktemp)
rt-ls --desk "$d" --ids 2>/dev/null | head -n 50 >"$ids"
one=$(head -n 1 "$ids")
ROUNDS=${RT_BENCH_ROUNDS:-5}
for i in $(seq $ROUNDS); do ms rt-reply --desk "$d" -n --template ack "$one"; done | median |
    awk -v n=$(( ${RT_BENCH_BIG:-100000} / 1000 )) '{ printf "reply: one ack (dry run, %dk desk)      %8.1f ms\n", n, $1 }'
for i in $(seq $ROUNDS); do ms sh -c "rt-reply --desk '$d' -n --template ack <'$ids'"; done | median |
    awk '{ printf "reply: 50 acks from stdin (dry run)       %8.1f ms\n", $1 }'
for i in $(seq $ROUNDS); do ms rt-reply --desk "$d" --suggest "$one"; done | median |
    awk '{ printf "reply: --suggest one ticket               %8.1f ms\n", $1 }'
rm -f "$ids"
