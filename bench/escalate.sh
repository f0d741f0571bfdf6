#!/bin/sh
# Sweep cost of rt-escalate on the 100k-ticket desk: every open ticket's
# clocks are computed from the cache; a few dozen are due. Works on a
# clone of the bench desk so the shared desk is not changed.
. "$(dirname "$0")/lib.sh"
ROUNDS=${RT_BENCH_ROUNDS:-9}
src=$RT_BENCH_DESK d=$RT_BENCH_OUT/escalate-desk
rm -rf "$d"
git clone -q --local "$src" "$d"
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
dry=$(for i in $(seq 1 "$ROUNDS"); do ms rt-escalate --desk "$d" -n --now "$now"; done | median)
echo "dry-run sweep: median $dry ms, $due due ($ROUNDS runs)"
start=$(now_ns)
rt-escalate --desk "$d" --now "$now" >"$RT_BENCH_OUT/escalate.out" 2>/dev/null
end=$(now_ns)
echo "first sweep applying $(wc -l <"$RT_BENCH_OUT/escalate.out") steps (one commit each, no mailer): $(( (end - start) / 1000000 )) ms"
steady=$(for i in $(seq 1 "$ROUNDS"); do ms rt-escalate --desk "$d" --now "$now"; done | median)
echo "steady sweep (nothing due, as cron runs it each minute): median $steady ms"
