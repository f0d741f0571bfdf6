#!/bin/sh
# bench/route.sh: CPU time of "rt-route --dry-run" over N tickets (10,000)
# with a realistic rule set: every ticket's first mail is parsed (to:,
# text keywords, regex), customers are looked up, teams assign owners
# (least-open and round-robin from one cache sweep). Dry run = everything
# but the commits. Desk: bench/mkdesk.sh (gen_desk, packed) of N tickets.
. "$(dirname "$0")/lib.sh"
N=${RT_BENCH_ROUTE_N:-10000}
ROUNDS=${RT_BENCH_ROUNDS:-5}
out=${RT_BENCH_OUT:-$(dirname "$0")/out}
d=$out/route-desk-$N
if [ ! -f "$d/rt.yaml" ] || ! grep -q "^routing:" "$d/rt.yaml"; then
	sh "$(dirname "$0")/mkdesk.sh" "$d" "$N" >/dev/null
	cat >>"$d/rt.yaml" <<'EOC'
routing-critical: [ausfall, down, outage, störung, sicherheitsvorfall, breach]
customers:
  acme: {domains: [customer1.example, customer2.example], contract: gold, vip: true}
  globex: {domains: [customer3.example], contract: silver}
business-hours: {timezone: Europe/Berlin, hours: mon-fri 08:00-18:00}
agents:
  anna: {teams: [l1], skills: [printer, drucker, de]}
  ben: {teams: [l1], skills: [vpn, en]}
  chris: {teams: [l2], skills: [server, backup]}
  dora: {teams: [l2]}
  emil: {teams: [l2], away: [2020-01-01..2099-12-31]}
teams:
  l1: {strategy: round-robin}
  l2: {strategy: least-open}
routing:
  - name: billing
    if: {to: billing@}
    then: {queue: billing, type: request}
  - name: printer
    if: {text: [printer, drucker]}
    then: {tags: [printer], team: l1}
    continue: true
  - name: after-hours
    if: {hours: out}
    then: {tags: [after-hours]}
    continue: true
  - name: server
    if: {regex: 'server|backup|vpn'}
    then: {queue: network, team: l2, type: incident}
  - name: gold
    if: {contract: gold}
    then: {priority: high}
EOC
	sed -i "s/^queues:/queues:\n  billing: {}\n  network: {}/" "$d/rt.yaml"
	# only rt.yaml: the tickets are in HEAD, not in the work tree
	git -C "$d" commit -q -m "bench: routing rules" -- rt.yaml
fi
rt-route --desk "$d" --check    # checks the rules, brings the cache up to date
# and its text index, which keeps the first mails rt-route reads: a reused
# desk whose cache a new cache version (or a reboot) rebuilt has none, and
# every timed run would parse every first mail again
current "$d"
rt-ls --desk "$d" --all --ids | head -n "$N" >"$out/route.ids"
n=$(wc -l <"$out/route.ids")
changed=$(rt-route --desk "$d" -n <"$out/route.ids" | awk 'NF > 1' | wc -l)
cpu=$(for i in $(seq 1 "$ROUNDS"); do
	/usr/bin/time -f "%U %S" -o "$out/route.time" rt-route --desk "$d" -n <"$out/route.ids" >/dev/null
	awk '{ printf "%.3f\n", $1 + $2 }' "$out/route.time"
done | median)
wall=$(for i in $(seq 1 "$ROUNDS"); do ms sh -c "rt-route --desk '$d' -n <'$out/route.ids'"; done | median)
echo "rt-route --dry-run, $n tickets ($changed would change): CPU ${cpu} s (user+sys, median of $ROUNDS), wall ${wall} ms"
