#!/bin/sh
# rt-reply to chat, social and phone tickets: the channel's command, JSON on stdin
. "$(dirname "$0")/lib.sh"
export RT_NOW=2026-11-25T09:00:00Z

# slack TS TEXT: a Slack message of U42 in channel C123
slack() {
	printf '{"type":"message","channel":"C123","user":"U42","ts":"%s","text":"%s"}\n' "$1" "$2"
}
# start_http DIR: tests/http-sink.py on a free port of 127.0.0.1; sets HPORT and HPID
start_http() {
	mkdir -p "$1" && rm -f "$1/port" &&
	python3 "$TEST_ROOT/http-sink.py" "$TRASH/$1" 2>>"$TRASH/http.log" &
	HPID=$!
	test_atexit "kill $HPID 2>/dev/null"
	# up to 20 s: python3 starts slowly on a loaded machine (4 s once was not enough)
	for _i in $(seq 100); do
		test -s "$1/port" && break
		kill -0 $HPID 2>/dev/null || break
		sleep 0.2
	done
	HPORT=$(cat "$1/port") && test -n "$HPORT"
}
commits() { git rev-list --count HEAD; }
json() { python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); print(eval(sys.argv[2]))' "$@"; }

new_desk || exit 1
cd "$TRASH" && start_http http && cd desk || exit 1

test_expect_success 'setup: an agent, an SLA policy, and curl as the chat channel command' '
	cat >>rt.yaml <<-EOC &&
	agents:
	  anna: {email: anna@example.org, name: Anna Agent}
	sla:
	  calendar: 24x7
	  policies:
	    - name: chat
	      first-response: 1h
	channels:
	  chat:
	    command: '"'"'curl -sf --max-time 10 -H "Content-Type: application/json" --data-binary @- http://127.0.0.1:$HPORT/chat/\$RT_TICKET'"'"' 
	    timeout: 20s
	EOC
	git -c user.email=anna@example.org commit -qm "chat replies through curl" rt.yaml &&
	slack 1764061200.000100 "My VPN drops every hour" >q1.json &&
	rt-ingest --event q1.json >id && test $(wc -l <id) = 1
'
ID=$(cat id 2>/dev/null)
export RT_ACTOR="Anna <anna@example.org>"

test_expect_success 'the answer reaches the listener as one JSON document' '
	echo "Please update the client to 4.2." | RT_NOW=2026-11-25T09:20:00Z rt-reply $ID >out &&
	echo $ID >expect && test_cmp expect out &&
	test -f ../http/1.body && test ! -f ../http/2.body &&
	echo "/chat/$ID" >expect && test_cmp expect ../http/1.path &&
	test "$(json ../http/1.body "d[\"ticket\"]")" = $ID &&
	test "$(json ../http/1.body "d[\"channel\"]")" = chat &&
	test "$(json ../http/1.body "d[\"source\"]")" = slack &&
	test "$(json ../http/1.body "d[\"recipient\"]")" = slack:U42 &&
	test "$(json ../http/1.body "d[\"conversation\"]")" = slack:C123:1764061200.000100 &&
	test "$(json ../http/1.body "d[\"in-reply-to\"]")" = slack:C123:1764061200.000100 &&
	test "$(json ../http/1.body "d[\"text\"] == \"Please update the client to 4.2.\"")" = True &&
	test "$(json ../http/1.body "d[\"author\"][\"name\"]")" = "Anna Agent" &&
	test "$(json ../http/1.body "d[\"author\"][\"address\"]")" = anna@example.org &&
	test "$(json ../http/1.body "d[\"event\"][\"channel\"]+\" \"+d[\"event\"][\"ts\"]")" = "C123 1764061200.000100" &&
	test "$(json ../http/1.body "d[\"version\"]")" = 1 &&
	test $(wc -l <../http/1.body) = 1
'

test_expect_success 'it is recorded like a mail: mail-out on the chat, the document kept as sent' '
	rt-show $ID >out &&
	grep "mail-out" out && grep "Please update the client to 4.2." out &&
	rt-show --json $ID >show.json &&
	python3 -c "
import json,sys
d=json.load(open(\"show.json\"))
evs=[e for e in d[\"events\"] if e[\"ev\"]==\"mail-out\"]
assert len(evs)==1, evs
e=evs[0]
assert e[\"channel\"]==\"chat\" and e[\"to\"]==\"slack:U42\" and e[\"source\"]==\"slack\", e
assert e[\"sent\"].endswith(\".json\"), e
" &&
	git show HEAD --stat --format=%s >log && grep "^reply: #$ID" log
'

test_expect_success 'it counts as the first response: the SLA is met' '
	rt-escalate --clocks --now 2026-11-25T10:00:00Z $ID >out &&
	grep "^$ID chat first-response 1h 20m .* stopped met" out
'

test_expect_success 'the listener down: exit 75, nothing recorded as sent' '
	kill $HPID && wait $HPID 2>/dev/null; before=$(commits) &&
	echo "Second answer" | rt-reply $ID >out 2>err; rc=$?; cat err;
	test $rc = 75 && test ! -s out &&
	grep "channels.chat.command failed (exit 7); nothing recorded as sent" err &&
	test $(commits) = $before &&
	rt-show $ID >show && ! grep "Second answer" show
'

test_expect_success 'an HTTP error from the listener (curl -f) is a failure too' '
	cd "$TRASH" && start_http http2 && cd desk &&
	sed -i "s|127.0.0.1:[0-9]*/|127.0.0.1:$HPORT/|" rt.yaml &&
	git -c user.email=anna@example.org commit -qm "new port" rt.yaml &&
	echo 503 >../http2/status && before=$(commits) &&
	echo "Third answer" | rt-reply $ID 2>err; rc=$?; cat err; test $rc = 75 &&
	test $(commits) = $before && test -f ../http2/1.body &&
	rm ../http2/status && echo "Third answer" | rt-reply $ID &&
	test $(commits) = $((before + 1)) && test -f ../http2/2.body
'

test_expect_success 'a command that hangs is stopped at its timeout: 75' '
	printf "#!/bin/sh\nsleep 30 &\nwait\n" >"$TRASH/hang" && chmod +x "$TRASH/hang" &&
	sed -i "s|    timeout: 20s|    timeout: 1s|; s|    command: .*|    command: $TRASH/hang|" rt.yaml &&
	git -c user.email=anna@example.org commit -qm "slow" rt.yaml && before=$(commits) &&
	echo "Slow" | rt-reply $ID 2>err; rc=$?; cat err;
	test $rc = 75 && grep "did not finish within 1s and was stopped" err &&
	test $(commits) = $before && ! pgrep -f "$TRASH/hang"
'

test_expect_success 'the command comes only from an agent'"'"'s committed rt.yaml' '
	sed -i "s|    command: .*|    command: touch $TRASH/ran|" rt.yaml &&
	echo "Hi" | rt-reply $ID 2>err; rc=$?; cat err;
	test $rc = 78 && test ! -e "$TRASH/ran" &&
	grep "channels.chat.command runs a command and is taken only from the committed rt.yaml" err &&
	git -c user.name=Mail -c user.email=mail@desk.example commit -qm harmless rt.yaml &&
	echo "Hi" | rt-reply $ID 2>err; rc=$?; cat err;
	test $rc = 78 && test ! -e "$TRASH/ran" && grep "who is not an agent" err
'

test_expect_success '--dry-run prints the document and sends nothing' '
	before=$(commits) &&
	echo "Dry" | rt-reply -n $ID >out &&
	test "$(json out "d[\"text\"]")" = Dry && test ! -e "$TRASH/ran" && test $(commits) = $before
'

test_expect_success 'a channel without a command: 78 naming the key; automatic replies are skipped' '
	printf "{\"type\":\"m.room.message\",\"event_id\":\"\$e1\",\"sender\":\"@bob:matrix.example\",\"room_id\":\"!r:matrix.example\",\"content\":{\"body\":\"hello\"}}\n" >m.json &&
	rt-ingest --event m.json >mid &&
	sed -i "/    command: /d" rt.yaml && git -c user.email=anna@example.org commit -qm "none" rt.yaml &&
	before=$(commits) &&
	echo "Hi" | rt-reply $(cat mid) 2>err; rc=$?; cat err;
	test $rc = 78 && test $(commits) = $before &&
	grep "came by chat from @bob:matrix.example, and .*rt.yaml has no channels.chat.command" err &&
	sed -i "s|^  chat:|  chat:\n    command: cat >$TRASH/matrix-doc|" rt.yaml &&
	git -c user.email=anna@example.org commit -qm "cat" rt.yaml &&
	rt-reply --template ack $(cat mid) 2>err && grep "nothing sent: automatic replies are not sent to chat tickets" err &&
	echo "Hi Bob" | rt-reply $(cat mid) &&
	test "$(json $TRASH/matrix-doc "d[\"event\"][\"room_id\"]+\" \"+d[\"recipient\"]")" = "!r:matrix.example @bob:matrix.example"
'

test_expect_success 'the id the command prints threads the answer to the reply, and the echo is a duplicate' '
	printf "#!/bin/sh\ncat >\"$TRASH/social-doc\"\necho 999\n" >"$TRASH/post" && chmod +x "$TRASH/post" &&
	printf "  social:\n    command: $TRASH/post\n" >>rt.yaml &&
	git -c user.email=anna@example.org commit -qm "social" rt.yaml &&
	toot() { printf "{\"id\":\"%s\",\"content\":\"<p>%s</p>\",\"in_reply_to_id\":%s,\"account\":{\"acct\":\"%s\",\"url\":\"https://social.example/@x\"}}\n" "$@"; } &&
	toot 900 "my parcel is lost" null carol@social.example >t1.json &&
	rt-ingest --event t1.json >sid && echo "We are on it." | rt-reply $(cat sid) &&
	test "$(json $TRASH/social-doc "d[\"recipient\"]")" = "@carol@social.example" &&
	rt-show $(cat sid) >show && grep "posted message-id=mastodon:999" show &&
	toot 999 "We are on it." "\"900\"" desk@social.example >echo.json &&
	before=$(commits) && rt-ingest --event echo.json >eid && test_cmp sid eid &&
	test $(commits) = $before &&
	toot 1001 "thanks, found it" "\"999\"" carol@social.example >t2.json &&
	rt-ingest --event t2.json >rid && test_cmp sid rid
'

test_expect_success 'a customer who then mails is answered by mail' '
	printf "From: Bob <bob@customer.example>\nTo: support@example.org\nSubject: [Test #%s] more\nMessage-Id: <more@x>\n\nby mail now\n" $(cat mid) | rt-ingest >/dev/null &&
	rt-set $(cat mid) requestors+=bob@customer.example &&
	: >"$TRASH/sent-mail" && echo "By mail" | rt-reply $(cat mid) &&
	grep "^To: .*bob@customer.example" "$TRASH/sent-mail"
'

test_done
