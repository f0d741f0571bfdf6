#!/bin/sh
# Sweep cost of rt-escalate on the 100k-ticket desk: every open ticket's
# clocks are computed from the cache; a few dozen are due. Works on a
# clone of the bench desk so the shared desk is not changed: objects
# hard-linked, no checkout (the bench desks have none: an index read from
# HEAD and rt.yaml, as bench/mkdesk.sh leaves them; a full checkout of the
# 100k desk wrote 200,000 files only to be deleted again). The
# reference, run in the same rounds: a plain C walk of the same cache
# (bench/lmdb_scan.c). Goal at 100k (issue 13): the sweep < 200 ms.
. "$(dirname "$0")/lib.sh"
ROUNDS=${RT_BENCH_ROUNDS:-9}
src=$RT_BENCH_DESK d=$RT_BENCH_OUT/escalate-desk
rm -rf "$d"
git clone -q --local --no-checkout "$src" "$d" &&
    git -C "$d" read-tree HEAD && git -C "$d" checkout-index rt.yaml || exit 1
# The generator spreads tickets over 90 days before its commit time.
now=@$(git -C "$src" log -1 --format=%ct)
cat >>"$d/rt.yaml" <<'EOC'
calendars:
  office:
    timezone: Europe/Berlin
    hours: {mon-fri: "08:00-18:00", sat: "09:00-12:00"}
    holidays: [2026-12-24, 2026-12-25, 2026-12-26, 2027-01-01]
sla:
  policies:
    - {name: general, match: {queue: general}, calendar: office, first-response: 5000h, resolution: 9000h}
    - {name: others, calendar: 24x7, first-response: 2159h, resolution: 4000h}
escalation:
  levels:
    - {name: L1, notify: [lead@example.org]}
  triggers:
    - {on: "first-response:breach", level: 1}
EOC
rt-escalate --desk "$d" -n --now "$now" >/dev/null 2>&1   # builds the cache of the clone
due=$(rt-escalate --desk "$d" -n --now "$now" 2>/dev/null | wc -l)
n=$(rt-ls --desk "$d" --count --all)
rm -f "$RT_BENCH_OUT"/esc.*
for i in $(seq 1 "$ROUNDS"); do
	ms "$RT_BUILD/bench/lmdb_scan" "$d" >>"$RT_BENCH_OUT/esc.ref"
	ms rt-escalate --desk "$d" -n --now "$now" >>"$RT_BENCH_OUT/esc.dry"
done
ref=$(median <"$RT_BENCH_OUT/esc.ref") dry=$(median <"$RT_BENCH_OUT/esc.dry")
goal=$(echo "$dry $n" | awk '$2 >= 100000 { printf "goal < 200 ms: %s", $1 < 200 ? "met" : "NOT met" }')
echo "desk of $n tickets: dry-run sweep median $dry ms = $(ratio "$dry" "$ref")x plain C walk of the cache ($ref ms), $due due ($ROUNDS runs)  $goal"
start=$(now_ns)
rt-escalate --desk "$d" --now "$now" >"$RT_BENCH_OUT/escalate.out" 2>/dev/null
end=$(now_ns)
echo "first sweep applying $(wc -l <"$RT_BENCH_OUT/escalate.out") steps (one commit each, no mailer): $(( (end - start) / 1000000 )) ms"
rm -f "$RT_BENCH_OUT"/esc.*
for i in $(seq 1 "$ROUNDS"); do
	ms "$RT_BUILD/bench/lmdb_scan" "$d" >>"$RT_BENCH_OUT/esc.ref"
	ms rt-escalate --desk "$d" --now "$now" >>"$RT_BENCH_OUT/esc.steady"
done
ref=$(median <"$RT_BENCH_OUT/esc.ref") steady=$(median <"$RT_BENCH_OUT/esc.steady")
goal=$(echo "$steady $n" | awk '$2 >= 100000 { printf "goal < 200 ms: %s", $1 < 200 ? "met" : "NOT met" }')
echo "steady sweep (nothing due, as cron runs it each minute): median $steady ms = $(ratio "$steady" "$ref")x lmdb_scan ($ref ms)  $goal"
rm -f "$RT_BENCH_OUT"/esc.*
rm -rf "$d"
