#!/bin/sh
# rt-report: exact figures of a desk with known timestamps
. "$(dirname "$0")/lib.sh"

new_desk desk

cat >>rt.yaml <<'YAML'
sla:
  policies:
    - name: standard
      first-response: 1h
      resolution: 24h
YAML
git commit -q -m "sla policy" rt.yaml

mail() { # mail TIME SUBJECT: a customer's mail at TIME; prints the ticket id
	printf 'From: Kunde <kunde@example.com>\nTo: support@example.org\nSubject: %s\nMessage-Id: <%s@example.com>\n\nHallo\n' \
	    "$2" "$1" | RT_NOW=$1 rt-ingest
}
# Events rt-reply and rt-escalate would write, appended as a person would with git.
event() { # event ID LINE
	f=$(ticket_dir "$1")/log.yaml
	printf '%s\n' "$2" >>"$f" && git commit -q -m "event" -- "$f"
}
reply() { event "$1" "- {at: '$2', by: agent, ev: mail-out, file: msg/x.eml, message-id: 'o$2@example.org', to: kunde@example.com}"; }
rate() { event "$1" "- {at: '$2', by: kunde, ev: rating, score: '$3'}"; }
escalate() { event "$1" "- {at: '$2', by: rt-escalate, ev: escalate, step: l$3, level: '$3', reason: overdue}"; }
set_at() { t=$1; shift; RT_NOW=$t rt-set "$@" >/dev/null; }

test_expect_success 'build a desk with known times' '
	T6=$(mail 2026-10-20T09:00:00Z "Drucker Toner leer") &&
	reply $T6 2026-10-20T10:00:00Z &&
	T1=$(mail 2026-11-02T09:00:00Z "VPN Zugang gesperrt") &&
	reply $T1 2026-11-02T09:30:00Z &&
	set_at 2026-11-02T11:00:00Z $T1 owner=anna status=resolved &&
	rate $T1 2026-11-02T12:00:00Z 5 &&
	set_at 2026-11-03T09:00:00Z $T6 status=resolved &&
	T2=$(mail 2026-11-03T10:00:00Z "Drucker druckt nicht") &&
	reply $T2 2026-11-03T11:00:00Z &&
	set_at 2026-11-04T10:00:00Z $T2 owner=anna status=resolved &&
	rate $T2 2026-11-04T11:00:00Z 4 &&
	T3=$(mail 2026-11-05T08:00:00Z "VPN Verbindung bricht ab") &&
	reply $T3 2026-11-05T12:00:00Z &&
	set_at 2026-11-05T16:00:00Z $T3 owner=ben status=resolved &&
	printf "From: kunde@example.com\nTo: support@example.org\nSubject: [Test #%s] geht wieder nicht\nMessage-Id: <again@example.com>\n\nnoch da\n" $T3 |
		RT_NOW=2026-11-06T09:00:00Z rt-ingest >/dev/null &&
	set_at 2026-11-06T10:00:00Z $T3 status=resolved &&
	T4=$(mail 2026-11-10T09:00:00Z "Passwort zurücksetzen für VPN") &&
	reply $T4 2026-11-10T09:10:00Z &&
	set_at 2026-11-10T09:10:00Z $T4 owner=ben status=open &&
	T5=$(mail 2026-11-12T09:00:00Z "Rechnung fehlt") &&
	T7=$(mail 2026-11-20T09:00:00Z "VPN Zugang gesperrt nach Update") &&
	reply $T7 2026-11-20T11:00:00Z &&
	escalate $T7 2026-11-20T12:00:00Z 2 &&
	set_at 2026-11-21T09:00:00Z $T7 owner=anna status=resolved &&
	rate $T7 2026-11-21T10:00:00Z 2 &&
	echo "$T1 $T2 $T3 $T4 $T5 $T6 $T7" >ids &&
	test $(wc -w <ids) = 7
'

# Figures of November 2026, by hand:
#   first responses in period: 30m 1h 4h 10m 2h -> sorted 600 1800 3600 7200 14400
#     median 3600, mean 27600/5 = 5520, p90 = rank ceil(4.5) = 5 -> 14400
#   resolved in period: T1 2h, T6 14d, T2 24h, T3 26h (to its last resolution), T7 24h
#     sorted 7200 86400 86400 93600 1209600: median 86400, mean 296640, p90 1209600
#   created 6 (T6 is older), resolved 5, open at the end 2 (T4, T5)
#   SLA (1h first response, 24h resolution, around the clock):
#     first response met T1 T2 T4, breached T3 T5 T7 (T6 settled in October)
#     resolution met T1 T2 T3 (8h + 1h) T7, breached T4 T5 (still open) T6
#     met 7 of 13 = 0.5385
#   escalated 1 of 6 created, at level 2; reopened 1 of 5 resolved
#   satisfaction: 5 4 2 from 3 of 5 resolved: mean 3.67, rate 0.6; escalated 2 from 1 of 1
PERIOD="--since 2026-11-01 --until 2026-11-30"

test_expect_success 'text report of the period' '
	RT_NOW=2026-12-15T00:00:00Z rt-report $PERIOD >out &&
	cat >expect <<-\EOT &&
	period 2026-11-01T00:00:00Z .. 2026-12-01T00:00:00Z, durations in business time, 7 tickets
	PERIOD  CREATED  RESOLVED  BACKLOG  FR-MED  FR-MEAN  FR-P90  RES-MED  RES-MEAN  RES-P90  SLA-MET   ESC%  REOPEN%  CSAT  CSAT-RR
	total         6         5        2   1h00m    1h32m   4h00m    1d00h     3d10h   14d00h    53.8%  16.7%    20.0%  3.67    60.0%

	escalated 1 of 6 created (16.7%), by highest level 2:1
	SLA first response: 3 met, 3 breached of 6; next response: 0 met, 0 breached of 0; resolution: 4 met, 3 breached of 7
	satisfaction 3.67 from 3 of 5 resolved (60.0%); escalated: 2.00 from 1 of 1

	AGENT   OPEN  RESOLVED  FR-MED
	(none)     1         1       -
	anna       0         3   1h00m
	ben        1         1   2h05m
	EOT
	test_cmp expect out
'

test_expect_success 'JSON carries the exact figures in seconds' '
	rt-report $PERIOD --json >j &&
	jq -c "[.total.created, .total.resolved, .total.backlog]" j >got &&
	echo "[6,5,2]" >want && test_cmp want got &&
	jq -c ".total.first_response" j >got &&
	echo "{\"count\":5,\"median\":3600,\"mean\":5520,\"p90\":14400}" >want && test_cmp want got &&
	jq -c ".total.resolution" j >got &&
	echo "{\"count\":5,\"median\":86400,\"mean\":296640,\"p90\":1209600}" >want && test_cmp want got &&
	jq -c "[.total.sla.first_response.met, .total.sla.first_response.breached, .total.sla.resolution.met, .total.sla.resolution.breached]" j >got &&
	echo "[3,3,4,3]" >want && test_cmp want got &&
	jq -r ".total.sla.met_share * 10000 | round" j >got && echo 5385 >want && test_cmp want got &&
	jq -c "[.total.escalation.escalated, .total.escalation.levels, .total.reopen.reopened, .total.reopen.rate]" j >got &&
	echo "[1,{\"2\":1},1,0.2]" >want && test_cmp want got &&
	jq -c "[.total.satisfaction.rated, .total.satisfaction.surveyed, .total.satisfaction.response_rate, .total.satisfaction.escalated.mean]" j >got &&
	echo "[3,5,0.6,2]" >want && test_cmp want got &&
	jq -r ".total.satisfaction.mean * 1000 | round" j >got && echo 3667 >want && test_cmp want got &&
	jq -c ".agents[] | [.owner, .open, .resolved, .first_response_median]" j >got &&
	printf "%s\n" "[\"(none)\",1,1,null]" "[\"anna\",0,3,3600]" "[\"ben\",1,1,7500]" >want && test_cmp want got &&
	jq -r ".durations, .since, .until, .by" j >got &&
	printf "%s\n" business 2026-11-01T00:00:00Z 2026-12-01T00:00:00Z null >want && test_cmp want got
'

test_expect_success 'backlog per day is reconstructed from the timelines' '
	jq -r ".backlog[] | \"\(.date) \(.open) \(.created) \(.resolved)\"" j >got &&
	test $(wc -l <got) = 30 &&
	grep "^2026-11-01 1 0 0$" got && grep "^2026-11-02 1 1 1$" got &&
	grep "^2026-11-03 1 1 1$" got && grep "^2026-11-04 0 0 1$" got && grep "^2026-11-05 0 1 0$" got &&
	grep "^2026-11-06 0 0 1$" got && grep "^2026-11-10 1 1 0$" got &&
	grep "^2026-11-12 2 1 0$" got && grep "^2026-11-20 3 1 0$" got &&
	grep "^2026-11-21 2 0 1$" got && grep "^2026-11-30 2 0 0$" got
'

test_expect_success 'CSV by week: RFC 4180, figures per ISO week' '
	rt-report $PERIOD --by week --csv >c &&
	head -1 c | grep -q "^week,from,to,created,resolved,backlog,first_response_count,first_response_median," &&
	test "$(grep -c "$(printf "\r")\$" c)" = 8 &&
	tr -d "\r" <c | cut -d, -f1-6 >got &&
	cat >want <<-\EOT &&
	week,from,to,created,resolved,backlog
	2026-W44,2026-11-01T00:00:00Z,2026-11-02T00:00:00Z,0,0,1
	2026-W45,2026-11-02T00:00:00Z,2026-11-09T00:00:00Z,3,4,0
	2026-W46,2026-11-09T00:00:00Z,2026-11-16T00:00:00Z,2,0,2
	2026-W47,2026-11-16T00:00:00Z,2026-11-23T00:00:00Z,1,1,2
	2026-W48,2026-11-23T00:00:00Z,2026-11-30T00:00:00Z,0,0,2
	2026-W49,2026-11-30T00:00:00Z,2026-12-01T00:00:00Z,0,0,2
	total,2026-11-01T00:00:00Z,2026-12-01T00:00:00Z,6,5,2
	EOT
	test_cmp want got
'

test_expect_success 'grouping by owner and by priority' '
	rt-report $PERIOD --by owner --csv | tr -d "\r" | cut -d, -f1-4 >got &&
	printf "%s\n" owner,created,resolved,backlog "(none),1,1,1" anna,3,3,0 ben,2,1,1 total,6,5,2 >want &&
	test_cmp want got &&
	rt-report $PERIOD --by priority --json | jq -c "[([.groups[].created] | add), .total.created]" >got &&
	echo "[6,6]" >want && test_cmp want got
'

test_expect_success '--as-of reports the desk as it stood then' '
	rt-report --as-of 2026-11-05 --json >a &&
	jq -c "[.since, .until, .as_of, .total.created, .total.resolved, .total.backlog, .total.reopen.reopened]" a >got &&
	echo "[\"2026-10-07T00:00:00Z\",\"2026-11-06T00:00:00Z\",true,4,4,0,0]" >want && test_cmp want got &&
	jq -c ".total.resolution | [.median, .p90]" a >got && echo "[57600,1209600]" >want && test_cmp want got &&
	jq -c ".total.first_response | [.count, .median, .mean, .p90]" a >got &&
	echo "[4,3600,5850,14400]" >want && test_cmp want got
'

test_expect_success 'topics: keywords and phrases of new subjects' '
	rt-report $PERIOD --topics 2 >t &&
	sed -n "/^KEYWORD/,\$p" t >got &&
	printf "%s\n" KEYWORD "     4  vpn" "     2  gesperrt" "" PHRASE "     2  vpn zugang" "     2  zugang gesperrt" >want &&
	test_cmp want got &&
	rt-report $PERIOD --topics 3 --csv | tr -d "\r" >got &&
	printf "%s\n" kind,term,count keyword,vpn,4 keyword,gesperrt,2 keyword,zugang,2 \
	    phrase,vpn\ zugang,2 phrase,zugang\ gesperrt,2 "phrase,bricht ab,1" >want &&
	sed -n 1,6p got >got6 && sed -n 1,6p want >want6 && test_cmp want6 got6
'

test_expect_success 'no SLA policies: durations in wall-clock time, no clocks' '
	cp rt.yaml rt.yaml.sla && sed -i "/^sla:/,\$d" rt.yaml && git commit -q -m "no sla" rt.yaml &&
	rt-report $PERIOD --json >w &&
	jq -c "[.durations, .total.first_response.median, .total.sla.met_share]" w >got &&
	echo "[\"wall-clock\",3600,null]" >want && test_cmp want got &&
	cp rt.yaml.sla rt.yaml && git commit -q -m "sla again" rt.yaml
'

test_expect_code 64 'an unknown grouping is a usage error' 'rt-report --by colour'
test_expect_code 64 '--until and --as-of together are refused' 'rt-report --until 2026-11-01 --as-of 2026-11-01'
test_expect_code 64 'an empty period is refused' 'rt-report --since 2026-12-01 --until 2026-11-01'
test_expect_code 64 'a bad date is refused' 'rt-report --since yesterday'
test_expect_code 64 'two formats are refused' 'rt-report --csv --json'

test_expect_success 'the default period counts a ticket made this very second' '
	new_desk $TRASH/now &&
	printf "From: a@example.com\nSubject: just now\nMessage-Id: <now@x>\n\nhi\n" | rt-ingest -q &&
	rt-report --json >r && jq -c "[.total.created, .total.backlog]" r >got &&
	echo "[1,1]" >want && test_cmp want got
'

test_done
