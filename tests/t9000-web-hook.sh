#!/bin/sh
# rt-web's webhook intake through a real lighttpd (share/web/lighttpd.conf):
# a payload ends stored (200), refused and kept in quarantine (4xx) or to
# be retried (503 + Retry-After, nothing half-stored); never lost.
. "$(dirname "$0")/lib.sh"

AM=$(event_fixture alertmanager/prometheus-msteams_prom_post_request.json)
SECRET=hook-secret-0123456789

# post HOOK FILE [curl options]: prints the status code; the body is in out.
post() {
	_h=$1 _f=$2; shift 2
	curl -s -o out -D headers -w '%{http_code}' -X POST --data-binary "@$_f" \
	    -H 'Content-Type: application/json' "$@" "$WEB/rt/hook/$_h"
}
tickets() { rt-ls --ids | wc -l | tr -d ' '; }
quarantined() { rt-quarantine --json | jq length; }
# hmac KEY PREFIX FILE: hex HMAC-SHA-256 of PREFIX and the file's bytes.
hmac() { python3 -c 'import hmac,hashlib,sys; print(hmac.new(sys.argv[1].encode(), sys.argv[2].encode() + open(sys.argv[3], "rb").read(), hashlib.sha256).hexdigest())' "$@"; }

test_expect_success LIGHTTPD 'setup: a desk with hooks behind lighttpd' '
	new_desk &&
	printf "%s\n" "$SECRET" >.git/rt/hook-secret &&
	cat >>rt.yaml <<-EOC &&
	web:
	  hooks:
	    alertmanager: {secret-file: rt/hook-secret}
	    github: {secret-file: rt/hook-secret, signature: github, source: alertmanager}
	    slack: {secret-file: rt/hook-secret, signature: slack}
	    mastodon: {secret-file: rt/hook-secret}
	    ses: {secret-file: rt/hook-secret}
	    sendgrid: {secret-file: rt/hook-secret}
	    broken: {signature: token}
	EOC
	sed -i "s/max-payload-bytes: 4194304/max-payload-bytes: 8192/" rt.yaml &&
	git commit -qm hooks rt.yaml &&
	start_lighttpd . &&
	echo "$WEB" >../web-url
'
WEB=$(cat web-url 2>/dev/null); cd desk 2>/dev/null

test_expect_success LIGHTTPD 'no secret or a wrong one: 401, nothing stored or kept' '
	test "$(post alertmanager "$AM")" = 401 &&
	grep -i "^WWW-Authenticate: Bearer" headers &&
	test "$(post alertmanager "$AM" -H "Authorization: Bearer wrong-$SECRET")" = 401 &&
	test "$(post alertmanager "$AM" -H "Authorization: Bearer ${SECRET%?}")" = 401 &&
	test "$(tickets)" = 0 && test "$(quarantined)" = 0
'

test_expect_success LIGHTTPD 'alertmanager firing, then resolved: one ticket, resolved' '
	test "$(post alertmanager "$AM" -H "Authorization: Bearer $SECRET")" = 200 &&
	id=$(cut -d" " -f1 out) && grep -q "^$id created$" out &&
	test "$(rt-show "$id" | sed -n "s/^status  *//p")" = new &&
	jq ".status = \"resolved\" | .alerts[].status = \"resolved\" |
	    .alerts[].endsAt = \"2018-03-07T07:00:00Z\"" "$AM" >resolved.json &&
	test "$(post alertmanager resolved.json -H "X-RT-Token: $SECRET")" = 200 &&
	grep -q "^$id stored$" out &&
	test "$(tickets)" = 1 &&
	test "$(rt-show "$id" | sed -n "s/^status  *//p")" = resolved &&
	rt-show "$id" | grep "channel  *monitoring"
'

test_expect_success LIGHTTPD 'a redelivery is stored once (200, duplicate)' '
	test "$(post alertmanager "$AM" -u "any:$SECRET")" = 200 &&
	grep -q " duplicate$" out && test "$(tickets)" = 1
'

test_expect_success LIGHTTPD 'the hook stores as rt-ingest --event does (same ticket fields)' '
	rt-show "$(rt-ls --ids | head -n 1)" | grep -v "^\*" | grep -v "^id " >via-web &&
	here=$PWD && mkdir ../other &&
	(cd ../other && new_desk >/dev/null && rt-ingest --event --source alertmanager "$AM" >/dev/null &&
	    rt-ingest --event --source alertmanager "$here/resolved.json" >/dev/null &&
	    rt-show "$(rt-ls --ids)" | grep -v "^\*" | grep -v "^id ") >via-cli &&
	test_cmp via-cli via-web
'

test_expect_success LIGHTTPD 'not an event: 422, kept in quarantine, no ticket' '
	printf "{\"hello\": \"world\"}" >hello.json &&
	test "$(post alertmanager hello.json -H "Authorization: Bearer $SECRET")" = 422 &&
	grep "kept in quarantine" out && test "$(quarantined)" = 1 && test "$(tickets)" = 1
'

# entries: the quarantine's entry ids; new_reason: the reason of the one
# entry not in the file before; reason_line: rt-web's 4xx answer for it.
entries() { rt-quarantine --json | jq -r ".[].id" | sort; }
new_reason() {
	entries >after && test "$(comm -13 before after | wc -l)" = 1 &&
	rt-quarantine --json | jq -r --arg id "$(comm -13 before after)" ".[] | select(.id == \$id) | .reason"
}
reason_line() { echo "not stored: $(new_reason) (kept in quarantine)"; }

test_expect_success LIGHTTPD 'body too large: 413, its head kept in quarantine, nothing read beyond' '
	head -c 20000 /dev/zero | tr "\0" x >big.json && entries >before &&
	test "$(post alertmanager big.json -H "Authorization: Bearer $SECRET")" = 413 &&
	test "$(quarantined)" = 2 &&
	new_reason | grep "too large" &&
	reason_line >expect && test_cmp expect out &&
	test "$(tickets)" = 1
'

test_expect_success LIGHTTPD 'a truncated body: 4xx, nothing stored or kept' '
	port=${WEB##*:} &&
	python3 - "$port" "$SECRET" >status <<-PY &&
	import socket, sys
	s = socket.create_connection(("127.0.0.1", int(sys.argv[1])))
	s.sendall(b"POST /rt/hook/alertmanager HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " +
	    sys.argv[2].encode() + b"\r\nContent-Length: 900\r\nConnection: close\r\n\r\n{\"status\": \"firing\"")
	s.shutdown(socket.SHUT_WR)
	answer = s.recv(100).split(b" ")
	print(answer[1].decode() if len(answer) > 1 else "closed")
	PY
	grep -E "^(4..|closed)$" status && test "$(tickets)" = 1 && test "$(quarantined)" = 2
'

test_expect_success LIGHTTPD 'a refused payload: the whole reason in one line, its parentheses kept, no entry id' '
	q=$(quarantined) && entries >before &&
	python3 -c "print(\"[\" * 100 + \"]\" * 100)" >deep.json &&
	test "$(post alertmanager deep.json -H "Authorization: Bearer $SECRET")" = 422 &&
	test "$(quarantined)" = $((q + 1)) &&
	reason_line >expect && test_cmp expect out && entries >before &&
	grep "^not stored: JSON nested deeper than [0-9]* levels (ingest.max-json-depth); kept: the first [0-9]* of [0-9]* bytes (blob [0-9a-f]*) (kept in quarantine)$" out &&
	printf "[{\"reason\": \"x\", \"created\": \"2013-06-25 18:41:03\", \"email\": \"ne\\\\nko\\\\u0001(a)\\\\t<b>@neko\"}]" >sg.json &&
	test "$(post sendgrid sg.json -u "sg:$SECRET")" = 422 &&
	test "$(quarantined)" = $((q + 2)) &&
	reason_line >expect && test_cmp expect out &&
	echo "not stored: a bounce report on mail the desk did not send (ne ko (a) <b>@neko) (kept in quarantine)" >expect &&
	test_cmp expect out &&
	! grep "as [0-9a-z-]*)" out
'

test_expect_success LIGHTTPD 'a locked desk: 503 with Retry-After, nothing stored; the retry stores it once' '
	( flock 9; sleep 4 ) 9>.git/rt/lock &
	echo "export RT_LOCK_TIMEOUT=1" >"$TRASH/web-env" &&
	test_when_finished "rm -f \"$TRASH/web-env\"" &&
	m=$(event_fixture mastodon/mastodoncr_status.json) &&
	sleep 0.5 &&
	test "$(post mastodon "$m" -H "Authorization: Bearer $SECRET")" = 503 &&
	grep -i "^Retry-After: [0-9]" headers &&
	test "$(tickets)" = 1 && wait &&
	test "$(post mastodon "$m" -H "Authorization: Bearer $SECRET")" = 200 &&
	grep -q " created$" out &&
	test "$(post mastodon "$m" -H "Authorization: Bearer $SECRET")" = 200 &&
	grep -q " duplicate$" out && test "$(tickets)" = 2 &&
	rt-show "$(cut -d" " -f1 out)" | grep "channel  *social"
'

MP=$(event_fixture mail-provider-webhooks)
test_expect_success LIGHTTPD 'SES (bare and through SNS) and SendGrid reports mark the address bouncing, as a bounce by mail' '
	a=$(printf "From: bounce@simulator.amazonses.com\nSubject: Order\nMessage-Id: <ses1@example.net>\n\nWhere is it?\n" | rt-ingest) &&
	echo "On its way." | rt-reply "$a" >/dev/null &&
	b=$(printf "From: kijitora@example.com\nSubject: Newsletter\nMessage-Id: <sg1@example.net>\n\nHi\n" | rt-ingest) &&
	echo "Answer." | rt-reply "$b" >/dev/null &&
	n=$(tickets) && sa=$(rt-show "$a" | sed -n "s/^status  *//p") &&
	test "$(post ses "$MP/json-amazonses-02.json" -u "sns:$SECRET")" = 200 && grep "^$a stored$" out &&
	test "$(post ses "$MP/json-amazonses-01.json" -u "sns:$SECRET")" = 200 && grep "^$a stored$" out &&
	test "$(post ses "$MP/json-amazonses-01.json" -u "sns:$SECRET")" = 200 && grep "^$a duplicate$" out &&
	test "$(post sendgrid "$MP/json-sendgrid-15.json" -u "sg:$SECRET")" = 200 && grep "^$b stored$" out &&
	test "$(tickets)" = "$n" &&
	test "$(rt-show "$a" | sed -n "s/^status  *//p")" = "$sa" &&
	rt-show "$a" | grep "bounce .*source=ses .*address=bounce@simulator.amazonses.com action=failed bouncing=true" &&
	rt-show "$b" | grep "bounce .*kind=arf source=sendgrid .*address=kijitora@example.com .*bouncing=true" &&
	echo again | rt-reply -n "$a" 2>err >/dev/null; grep "bounc" err
'

test_expect_success LIGHTTPD 'reports on no mail of the desk, and deliveries: 422, kept in quarantine' '
	n=$(tickets) && q=$(quarantined) &&
	test "$(post sendgrid "$MP/json-sendgrid-11.json" -u "sg:$SECRET")" = 422 &&
	grep "did not send" out &&
	test "$(post ses "$MP/json-amazonses-05.json" -u "sns:$SECRET")" = 422 &&
	test "$(post sendgrid "$MP/json-sendgrid-13.json" -u "sg:$SECRET")" = 422 &&
	test "$(quarantined)" = $((q + 3)) && test "$(tickets)" = "$n" &&
	rt-ingest --event "$MP/json-sendgrid-11.json" 2>err; test $? = 65 && grep "did not send" err
'

test_expect_success LIGHTTPD 'a Mastodon notification through the hook: on the social channel, as --event' '
	test "$(post mastodon "$(event_fixture mastodon/mastodonkit_Notification.json)" -H "Authorization: Bearer $SECRET")" = 200 &&
	grep -E "^[0-9A-Z]{8} (created|stored)$" out &&
	rt-show "$(cut -d" " -f1 out)" | grep "^channel  *social" &&
	rt-ingest --event --source mastodon "$(event_fixture mastodon/mastodonkit_Notification.json)" >id &&
	test "$(cat id)" = "$(cut -d" " -f1 out)"
'

test_expect_success LIGHTTPD 'a Mastodon notification list (follow, reblog, favourite): one ticket on the social channel, hook and --event alike' '
	n=$(tickets) &&
	f=$(event_fixture mastodon/mastodoncr_notifications.json) &&
	test "$(post mastodon "$f" -H "Authorization: Bearer $SECRET")" = 200 &&
	id=$(cut -d" " -f1 out | sort -u) && test "$(echo "$id" | wc -l)" = 1 &&
	test "$(tickets)" = $((n + 1)) &&
	rt-show "$id" >show && grep "^channel  *social" show && grep "^subject  *Hello world" show &&
	rt-ingest --event --source mastodon "$f" | sort -u >id2 &&
	test "$(cat id2)" = "$id" && test "$(tickets)" = $((n + 1))
'

test_expect_success LIGHTTPD 'a Mastodon mention (the notification as type mention, a new status): a ticket on the social channel, hook and --event alike' '
	n=$(tickets) &&
	sed -e "s/\"favourite\"/\"mention\"/" -e "s/\"id\": \"1\",/\"id\": \"109998\",/" \
	    "$(event_fixture mastodon/mastodonkit_Notification.json)" >mention.json &&
	grep -c "\"mention\"" mention.json &&
	test "$(post mastodon mention.json -H "Authorization: Bearer $SECRET")" = 200 &&
	grep -E "^[0-9A-Z]{8} created$" out && id=$(cut -d" " -f1 out) &&
	test "$(tickets)" = $((n + 1)) &&
	rt-show "$id" >show && grep "^channel  *social" show && grep "event-in .* message-id=mastodon:109998 " show &&
	rt-ingest --event --source mastodon mention.json >id2 && test "$(cat id2)" = "$id" &&
	test "$(tickets)" = $((n + 1))
'

test_expect_success LIGHTTPD 'eight concurrent deliveries of one new alert: all 200, one ticket' '
	n=$(tickets) &&
	sed "s/high_memory_load/raid_degraded/g" "$AM" >raid.json &&
	for i in 1 2 3 4 5 6 7 8; do
		curl -s -o "c$i.out" -w "%{http_code}\n" -X POST --data-binary @raid.json \
		    -H "Authorization: Bearer $SECRET" "$WEB/rt/hook/alertmanager" >"c$i.code" &
	done; wait &&
	cat c?.code | sort -u >codes && echo 200 >expect && test_cmp expect codes &&
	test "$(cat c?.out | grep -c " created$")" = 1 &&
	test "$(cat c?.out | grep -c " duplicate$")" = 7 &&
	test "$(tickets)" = $((n + 1))
'

test_expect_success LIGHTTPD 'GitHub-style signature: right 200, wrong or missing 401' '
	sed "s/high_memory_load/disk_full/g" "$AM" >gh.json &&
	test "$(post github gh.json -H "X-Hub-Signature-256: sha256=$(hmac wrong "" gh.json)")" = 401 &&
	test "$(post github gh.json)" = 401 &&
	n=$(tickets) &&
	test "$(post github gh.json -H "X-Hub-Signature-256: sha256=$(hmac "$SECRET" "" gh.json)")" = 200 &&
	test "$(tickets)" = $((n + 1))
'

test_expect_success LIGHTTPD 'Slack signature: fresh and right 200; stale or wrong 401' '
	s=$(event_fixture slack/converter_chan1.json) && now=$(date -d "$RT_NOW" +%s) &&
	sig=$(hmac "$SECRET" "v0:$now:" "$s") &&
	old=$((now - 600)) && oldsig=$(hmac "$SECRET" "v0:$old:" "$s") &&
	n=$(tickets) &&
	test "$(post slack "$s" -H "X-Slack-Request-Timestamp: $old" -H "X-Slack-Signature: v0=$oldsig")" = 401 &&
	test "$(post slack "$s" -H "X-Slack-Request-Timestamp: $now" -H "X-Slack-Signature: v0=$oldsig")" = 401 &&
	test "$(tickets)" = "$n" &&
	test "$(post slack "$s" -H "X-Slack-Request-Timestamp: $now" -H "X-Slack-Signature: v0=$sig")" = 200 &&
	test "$(tickets)" -gt "$n"
'

test_expect_success LIGHTTPD 'unknown hooks, path characters, wrong methods: nothing stored' '
	n=$(tickets) &&
	test "$(post nosuch "$AM" -H "Authorization: Bearer $SECRET")" = 404 &&
	test "$(post "a%2F..%2Fb" "$AM" -H "Authorization: Bearer $SECRET")" = 404 &&
	test "$(post "%3Cscript%3E" "$AM" -H "Authorization: Bearer $SECRET")" = 404 &&
	! grep "<script" out &&
	post "alertmanager%0d%0aX-Evil:%201" "$AM" -H "Authorization: Bearer $SECRET" >code &&
	grep -E "^(400|404)$" code &&
	! grep -i "^X-Evil" headers &&
	test "$(curl -s -o out -D headers -w "%{http_code}" "$WEB/rt/hook/alertmanager")" = 405 &&
	grep -i "^Allow: POST" headers &&
	test "$(tickets)" = "$n"
'

test_expect_success LIGHTTPD 'a hook without a secret is the desk'\''s fault: 503, not 401' '
	test "$(post broken "$AM" -H "Authorization: Bearer x")" = 503 &&
	grep "web.hooks.broken" "$TRASH/lighttpd/cgi.log" && ! grep "web.hooks" out
'

test_expect_success LIGHTTPD 'no Content-Length: 411' '
	port=${WEB##*:} &&
	printf "POST /rt/hook/alertmanager HTTP/1.0\r\nAuthorization: Bearer %s\r\n\r\n" "$SECRET" |
	    curl -s -o /dev/null -w "%{http_code}" -X POST -H "Authorization: Bearer $SECRET" \
	    "$WEB/rt/hook/alertmanager" >code &&
	grep "^411$" code
'

test_expect_success LIGHTTPD 'no sanitizer or valgrind report in the CGI'\''s error log' '
	! grep -E "Invalid (read|write|free)|uninitialised|definitely lost|AddressSanitizer|LeakSanitizer|runtime error:" "$TRASH/lighttpd/cgi.log"
'

test_done
