#!/bin/sh
# Every command names the ticket once in its error line: rt-reply to a
# chat ticket its channel cannot answer, and an id that is no ticket,
# in rt-reply (each mode), rt-escalate --clocks, rt-set, rt-show,
# rt-take, rt-comment, rt-route and rt-merge
. "$(dirname "$0")/lib.sh"

RT_NOW=2026-11-25T10:00:00Z TZ=UTC; export RT_NOW TZ
new_desk desk || exit 1

test_expect_success 'setup: a chat ticket, and a channel with no command' '
	printf "{\"type\":\"m.room.message\",\"event_id\":\"\$e1\",\"sender\":\"@bob:matrix.example\",\"room_id\":\"!r:matrix.example\",\"content\":{\"body\":\"hello\"}}\n" >m.json &&
	rt-ingest --event m.json >mid && test -n "$(cat mid)"
'

test_expect_success 'rt-reply: the channel error names the ticket once' '
	id=$(cat mid) &&
	echo Hi | rt-reply $id 2>err; rc=$?; cat err;
	test $rc = 78 && test $(wc -l <err) = 1 &&
	grep "^rt-reply: #$id: it came by chat from @bob:matrix.example, and .*rt.yaml has no channels.chat.command" err &&
	test $(grep -o "$id" err | wc -l) = 1
'

# once CMD...: CMD (stdin as given) fails with one line on stderr naming ZZZZZZZZ once
once() {
	"$@" >/dev/null 2>err && { echo "$*: exit 0"; return 1; }
	test $(wc -l <err) = 1 && test $(grep -o ZZZZZZZZ err | wc -l) = 1 &&
	grep -q "#ZZZZZZZZ" err || { echo "$*:"; cat err; return 1; }
}

test_expect_success 'an id that is no ticket is named once by every command' '
	id=$(cat mid) && echo Hi >answer &&
	once rt-reply ZZZZZZZZ <answer &&
	once rt-reply --template ack ZZZZZZZZ </dev/null &&
	once rt-reply --list ZZZZZZZZ </dev/null &&
	once rt-reply --suggest ZZZZZZZZ </dev/null &&
	once rt-escalate --clocks ZZZZZZZZ </dev/null &&
	once rt-set ZZZZZZZZ status=open </dev/null &&
	once rt-show ZZZZZZZZ </dev/null &&
	once rt-take ZZZZZZZZ </dev/null &&
	once rt-route ZZZZZZZZ </dev/null &&
	once rt-merge ZZZZZZZZ $id </dev/null &&
	once rt-merge $id ZZZZZZZZ </dev/null &&
	once rt-link --parent $id ZZZZZZZZ </dev/null
'

test_expect_success 'rt-show --raw past the last message names the ticket once' '
	id=$(cat mid) &&
	rt-show --raw 9 $id >out 2>err; rc=$?; cat err;
	test $rc = 66 && test $(wc -l <err) = 1 && test $(grep -o "$id" err | wc -l) = 1 &&
	grep -E "^rt-show: #$id: the ticket has [0-9]+ stored messages?, not 9$" err
'

test_expect_success 'rt-comment from stdin: the same' '
	echo note >note && rt-comment ZZZZZZZZ <note 2>err; rc=$?; cat err;
	test $rc != 0 && test $(grep -o ZZZZZZZZ err | wc -l) = 1
'

test_done
