#!/bin/sh
# rt-quarantine reingest of an entry refused again within the same second
# keeps the same id: its one line says "still refused: REASON", not
# "still refused, now ID" naming the entry it started from
. "$(dirname "$0")/lib.sh"

RT_NOW=2026-11-25T10:00:00Z; export RT_NOW
new_desk desk || exit 1

test_expect_success 'a broken CSV refused twice in one second' '
	printf "\"a\",\"b\n" >bad.csv &&
	{ rt-ingest --event bad.csv 2>err; test $? = 65; } &&
	id=$(rt-quarantine --json | jq -r ".[0].id") && test -n "$id" &&
	{ rt-quarantine reingest $id 2>err; test $? = 65; } &&
	cat err &&
	grep "^rt-quarantine: $id: still refused: unterminated quoted field" err &&
	! grep "now $id" err && test $(wc -l <err) = 1 &&
	test $(rt-quarantine --json | jq length) = 1
'

test_done
