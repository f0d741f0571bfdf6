#!/bin/sh
# bench/web.sh: webhook intake through lighttpd and rt-web (CGI), with the
# example configuration share/web/lighttpd.conf, on a copy of the small
# bench desk. Requests per second, one client with keep-alive, against a
# static file served by the same lighttpd in the same run, interleaved
# (A B A B ...):
#   POST /rt/hook/alertmanager   a new alert each, stored durably (200)
#   GET /rt/new                  the contact form: the CGI without a write
#   GET /static.json             the payload as a file (the reference)
. "$(dirname "$0")/lib.sh"
ROUNDS=${RT_BENCH_WEB_ROUNDS:-5} N=${RT_BENCH_WEB_REQUESTS:-40}
out=$RT_BENCH_OUT/web
src=$(cd "$(dirname "$0")/.." && pwd)
[ -x /usr/sbin/lighttpd ] || { echo "web: skipped, lighttpd is not installed"; exit 0; }
rm -rf "$out" && mkdir -p "$out/htdocs"
cp -a "$RT_BENCH_SMALL_DESK" "$out/desk"
printf 'bench-secret-0123456789\n' >"$out/desk/.git/rt/hook-secret"
printf 'web:\n  hooks:\n    alertmanager: {secret-file: rt/hook-secret}\n' >>"$out/desk/rt.yaml"
git -C "$out/desk" commit -qm "bench: web hook" rt.yaml
sed -e "s|^var.rt_web = .*|var.rt_web = \"$RT_BUILD/bin/rt-web\"|" \
    -e "s|^var.rt_desk = .*|var.rt_desk = \"$out/desk\"|" \
    "$src/share/web/lighttpd.conf" >"$out/rt-web.conf"
# One alert (Alertmanager's webhook format, 1 KB); %s makes each a new one.
cat >"$out/alert.tmpl" <<'JSON'
{"version":"4","groupKey":"{}:{alertname=\"bench_%s\"}","status":"firing","receiver":"rt",
 "groupLabels":{"alertname":"bench_%s"},"commonLabels":{"alertname":"bench_%s","severity":"warning"},
 "commonAnnotations":{"summary":"bench alert %s"},"externalURL":"http://alertmanager.example:9093",
 "alerts":[{"status":"firing","labels":{"alertname":"bench_%s","instance":"host-%s:9100","job":"node",
 "severity":"warning"},"annotations":{"summary":"disk almost full on host-%s",
 "description":"The root file system of host-%s has less than 5% space left."},
 "startsAt":"2026-11-25T10:00:00Z","endsAt":"0001-01-01T00:00:00Z",
 "generatorURL":"http://prometheus.example:9090/graph","fingerprint":"%s"}]}
JSON
sed 's/%s/0/g' "$out/alert.tmpl" >"$out/htdocs/static.json"

for try in 1 2 3 4 5 6 7 8 9 10; do
	port=$(( 20000 + ($$ * 41 + try * 1013 + $(date +%N | sed "s/^0*//;s/^$/0/") % 1000) % 40000 ))
	cat >"$out/lighttpd.conf" <<EOC
server.document-root = "$out/htdocs"
server.bind = "127.0.0.1"
server.port = $port
server.errorlog = "$out/error.log"
server.breakagelog = "$out/cgi.log"
include "$out/rt-web.conf"
EOC
	/usr/sbin/lighttpd -D -f "$out/lighttpd.conf" 2>>"$out/start.log" &
	lpid=$!
	trap 'kill $lpid 2>/dev/null' EXIT INT TERM
	sleep 0.5
	kill -0 $lpid 2>/dev/null && break
done

python3 - "$port" "$ROUNDS" "$N" "$out/alert.tmpl" <<'PY'
import http.client, sys, time
port, rounds, n, tmpl = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3]), open(sys.argv[4]).read()
auth = {"Authorization": "Bearer bench-secret-0123456789", "Content-Type": "application/json"}
seq = [0]

def run(kind):
    c = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    t = time.perf_counter()
    for _ in range(n):
        if kind == "hook":
            seq[0] += 1
            c.request("POST", "/rt/hook/alertmanager", tmpl.replace("%s", str(seq[0])), auth)
        else:
            c.request("GET", "/rt/new" if kind == "form" else "/static.json")
        r = c.getresponse(); r.read()
        if r.status != 200:
            sys.exit("web: %s answered %d" % (kind, r.status))
    c.close()
    return n / (time.perf_counter() - t)

rate = {"hook": [], "form": [], "static": []}
for _ in range(rounds):
    for k in ("static", "hook", "static", "form"):
        rate[k].append(run(k))
med = {k: sorted(v)[len(v) // 2] for k, v in rate.items()}
print("  static file (reference)   %8.0f req/s" % med["static"])
print("  POST /rt/hook (stored)    %8.1f req/s   %.4f of static (1 in %.0f)" %
      (med["hook"], med["hook"] / med["static"], med["static"] / med["hook"]))
print("  GET /rt/new (CGI, form)   %8.1f req/s   %.4f of static (1 in %.0f)" %
      (med["form"], med["form"] / med["static"], med["static"] / med["form"]))
print("  hook/form                 %8.2f   (the cost of a durable commit over a CGI start)" %
      (med["hook"] / med["form"]))
PY
rc=$?
kill $lpid 2>/dev/null
wait $lpid 2>/dev/null
stored=$(PATH=$RT_BUILD/bin:$PATH rt-ls --desk "$out/desk" --ids | wc -l)
echo "  desk after the run: $stored tickets (1,000 before)"
exit $rc
