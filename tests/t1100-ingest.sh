#!/bin/sh
# rt-ingest: new tickets, threading, duplicates, decoding, quarantine, exit codes
. "$(dirname "$0")/lib.sh"

new_desk desk
DESK=$PWD

mail() { # mail MSGID SUBJECT [EXTRA-HEADER]
	printf 'From: Kunde <kunde@example.com>\nTo: support@example.org\nSubject: %s\nMessage-Id: <%s>\nDate: Mon, 23 Nov 2026 10:00:00 +0000\n%s\nHallo,\nder Drucker druckt nicht.\n' "$2" "$1" "${3:-}"
}

test_expect_success 'a new mail opens a ticket and prints its id' '
	mail m1@example.com "Printer broken" >m1 &&
	rt-ingest <m1 >id &&
	grep -Eq "^[0-9A-HJKMNP-TV-Z]{8}$" id &&
	id=$(cat id) && d=$(ticket_dir $id) &&
	grep "^subject: .Printer broken.$" $d/ticket.yaml &&
	grep "^requestors: \[kunde@example.com\]$" $d/ticket.yaml &&
	grep "^status: new$" $d/ticket.yaml &&
	grep "^channel: mail$" $d/ticket.yaml
'
ID=$(cat id 2>/dev/null)
D=$(ticket_dir "$ID")

test_expect_success 'the mail is stored byte-exact and committed with trailers' '
	cmp m1 $D/msg/*.eml &&
	git log -1 --format=%B >msg &&
	head -1 msg | grep "^ingest: #$ID Printer broken$" &&
	grep "^Ticket: $ID$" msg && grep "^Action: ingest$" msg &&
	grep "^Message-Id: m1@example.com$" msg && grep "^Actor: " msg
'

test_expect_success 'while paths are pending, git commit and commit -a are refused; named paths pass' '
	test -s .git/rt/pending && test -x .git/hooks/pre-commit &&
	git rev-parse HEAD >before &&
	test_must_fail git commit -qm stale 2>err && grep "run rt-gc, then commit again" err &&
	test_must_fail git commit -qam stale 2>err && grep "run rt-gc, then commit again" err &&
	git rev-parse HEAD >after && test_cmp before after &&
	git ls-tree -r --name-only HEAD -- tickets | grep -q "$ID" &&
	echo "# note" >>rt.yaml && git commit -qm "named path" rt.yaml &&
	git ls-tree -r --name-only HEAD -- tickets | grep -q "$ID"
'

test_expect_success 'the index waits in .git/rt/pending until rt-gc, then git status is clean' '
	git status --porcelain --untracked-files=no >st && test -s st && test -s .git/rt/pending &&
	rt-gc -q && test ! -s .git/rt/pending &&
	git status --porcelain --untracked-files=no >st && test_cmp /dev/null st &&
	git status --porcelain tickets quarantine >st && test_cmp /dev/null st
'

test_expect_success 'a follow-up with the subject tag lands on the ticket' '
	mail m2@example.com "Re: Printer broken [Test #$ID]" | rt-ingest >id2 &&
	echo $ID >expect && test_cmp expect id2 &&
	test $(ls $D/msg | wc -l) = 2
'

test_expect_success 'a lower-case tag with dashes still threads' '
	low=$(echo $ID | tr A-Z a-z) &&
	mail m2b@example.com "AW: [Test #$low] again" | rt-ingest >id2 && test_cmp expect id2
'

test_expect_success 'a follow-up threads by In-Reply-To' '
	mail m3@example.com "no tag" "In-Reply-To: <m1@example.com>" | rt-ingest >id3 &&
	test_cmp expect id3
'

test_expect_success 'a follow-up threads by References' '
	mail m4@example.com "still no tag" "References: <unknown@x> <m3@example.com>" | rt-ingest >id4 &&
	test_cmp expect id4
'

test_expect_success 'the same mail delivered twice is stored once' '
	before=$(git rev-parse HEAD) &&
	rt-ingest <m1 >id5 && test_cmp expect id5 &&
	test "$(git rev-parse HEAD)" = "$before" &&
	test $(grep -c "message-id: m1@example.com" $D/log.yaml) = 1
'

test_expect_success 'a redelivery with other transport headers is the same message' '
	before=$(git rev-parse HEAD) &&
	{ printf "From MAILER-DAEMON Mon Nov 23 10:00:00 2026\nReturn-Path: <kunde@example.com>\nDelivered-To: support@example.org\nX-Original-To: support@example.org\nReceived: from mx2 by mx1; Mon, 23 Nov 2026 10:05:00 +0000\n\tfolded\n" &&
	  cat m1; } | rt-ingest >id5b && test_cmp expect id5b &&
	test "$(git rev-parse HEAD)" = "$before"
'

test_expect_success 'a different message reusing a Message-Id is stored, marked, never dropped' '
	sed "s/der Drucker druckt nicht/jetzt geht auch der Scanner nicht/" m1 >m1b &&
	rt-ingest <m1b >idr 2>err && test -s idr &&
	r=$(cat idr) && grep "reused-id: m1@example.com" $(ticket_dir $r)/log.yaml &&
	test $(grep -c "ev: mail-in" $(ticket_dir $r)/log.yaml) -ge 1 &&
	git show HEAD --stat | grep -q "\.eml" &&
	before=$(git rev-parse HEAD) &&
	rt-ingest <m1b >idr2 && test_cmp idr idr2 &&
	test "$(git rev-parse HEAD)" = "$before"
'

test_expect_success 'a reused Message-Id with a subject tag threads onto that ticket' '
	mail m1@example.com "Re: [Test #$ID] neue Frage" >m1c &&
	rt-ingest <m1c >idc && test_cmp expect idc &&
	grep "reused-id: m1@example.com" $D/log.yaml &&
	rt-show $ID | grep -c "neue Frage"
'

test_expect_success 'a mail without Message-Id is deduplicated by its content' '
	printf "From: a@example.com\nSubject: no id\n\nbody\n" >noid &&
	rt-ingest <noid >n1 &&
	{ printf "Received: from x by y; Mon, 23 Nov 2026 10:00:00 +0000\n"; cat noid; } | rt-ingest >n2 &&
	test_cmp n1 n2 &&
	printf "From: a@example.com\nSubject: no id\n\nother body\n" | rt-ingest >n3 &&
	! test_cmp n1 n3
'

test_expect_success 'a mail with an unknown tag opens a new ticket' '
	mail m5@example.com "[Test #ZZZZZZZZ] hello" | rt-ingest >id6 &&
	! test_cmp expect id6
'

test_expect_success 'an ISO-8859-1 RFC 2047 subject is decoded to UTF-8' '
	mail m6@example.com "=?ISO-8859-1?Q?Drucker_kaputt_=E4=F6=FC=DF?=" | rt-ingest >id7 &&
	grep "^subject: .Drucker kaputt äöüß.$" $(ticket_dir $(cat id7))/ticket.yaml
'

test_expect_success 'a UTF-8 base64 subject is decoded' '
	mail m7@example.com "=?UTF-8?B?R3LDvMOfZSBhdXMgTcO8bmNoZW4=?=" | rt-ingest >id8 &&
	grep "^subject: .Grüße aus München.$" $(ticket_dir $(cat id8))/ticket.yaml
'

test_expect_success 'a subject trying YAML or header injection stays one value' '
	mail m8@example.com "x: y\" [z] =?UTF-8?Q?a=0D=0AStatus:_closed?=" | rt-ingest >id9 &&
	t=$(ticket_dir $(cat id9))/ticket.yaml &&
	grep -c "^status: new$" $t && test $(grep -c "^status:" $t) = 1 &&
	python3 -c "import json,sys" &&
	grep "^subject:" $t | grep "Status: closed"
'

test_expect_success 'a multipart mail with attachments is stored byte-exact' '
	f=$(mail_fixture cpython-test-email/msg_13.txt) &&
	rt-ingest <"$f" >id10 &&
	cmp "$f" $(ticket_dir $(cat id10))/msg/*.eml
'

test_expect_code 65 'junk is quarantined with its reason and exit 65' '
	printf "\001\002 this is not mail\000\n" >junk &&
	rt-ingest <junk >out 2>err; rc=$?;
	cat err; test ! -s out &&
	grep "rt-ingest: <stdin>: not a mail message" err &&
	q=$(git ls-tree -r --name-only HEAD quarantine | grep "\.eml$") && cmp junk "$q" &&
	grep "^reason: " ${q%.eml}.yaml &&
	git log -1 --format=%s | grep "^quarantine: not a mail message" && exit $rc
'

test_expect_code 65 'empty input is not mail: quarantined, exit 65' '
	rt-ingest </dev/null 2>err; rc=$?;
	grep "^rt-ingest: <stdin>: not a mail message: empty input (kept in quarantine as 2026" err &&
	git log -1 --format=%s | grep "^quarantine: not a mail message: empty input" && exit $rc
'

test_expect_success 'the desk is found from a subfolder and from RT_DESK' '
	mkdir -p sub/dir && (cd sub/dir && mail m10@example.com a | rt-ingest) >i1 &&
	(cd / && mail m11@example.com b | RT_DESK=$DESK rt-ingest) >i2 &&
	(cd / && mail m12@example.com c | rt-ingest --desk $DESK) >i3 &&
	test -s i1 && test -s i2 && test -s i3
'

test_expect_code 75 'outside a desk rt-ingest says so and asks for a retry' '
	cd / && mail m13@example.com x | rt-ingest 2>err; rc=$?; grep "not in a desk" err; exit $rc
'

test_expect_success '--mbox imports every message and prints one id each' '
	f=$(mail_fixture mailutils/spool/teaparty.mbox) &&
	n=$(grep -c "^From " "$f") &&
	rt-ingest --mbox "$f" >ids &&
	test $(wc -l <ids) = $n
'

test_expect_success '--maildir imports cur/ and new/' '
	mkdir -p md/cur md/new md/tmp &&
	mail md1@example.com one >md/cur/1.host:2,S &&
	mail md2@example.com two >md/new/2.host &&
	rt-ingest --maildir md >ids && test $(wc -l <ids) = 2 &&
	rt-ingest --maildir md >ids2 && test_cmp ids ids2
'

test_expect_success '--maildir reads cur/ before new/, oldest first (ids in that order)' '
	mkdir -p ord/cur ord/new ord/tmp &&
	mail ord1@example.com "ord seen b" >ord/cur/2.host:2,S &&
	mail ord2@example.com "ord seen a" >ord/cur/1.host:2,S &&
	mail ord3@example.com "ord new" >ord/new/0.host &&
	rt-ingest --maildir ord >ids &&
	for id in $(cat ids); do rt-show $id | sed -n "s/^subject  *//p"; done >subjects &&
	printf "ord seen a\nord seen b\nord new\n" >want && test_cmp want subjects &&
	rt-ingest --help | grep -- "--maildir DIR .*(cur/, then new/)"
'

test_expect_success '--maildir skips what is not a file: a folder, a FIFO, a symbolic link' '
	mkdir -p odd/cur odd/new/folder odd/tmp && mkfifo odd/new/fifo &&
	ln -s "$TRASH/desk/rt.yaml" odd/new/link &&
	mail odd1@example.com "odd one" >odd/new/3.host && rt-quarantine >q0 &&
	timeout 20 rt-ingest --maildir odd >ids 2>err && test $(wc -l <ids) = 1 &&
	rt-show $(cat ids) | grep "^subject  *odd one" &&
	test $(grep -c "not a regular file, skipped" err) = 3 &&
	rt-quarantine >q1 && test_cmp q0 q1
'

test_expect_success 'eight concurrent deliveries all land, each in one commit' '
	before=$(git rev-list --count HEAD) &&
	for i in 1 2 3 4 5 6 7 8; do
		( mail par$i@example.com "parallel $i" | rt-ingest >par.$i 2>par.err.$i; echo $? >par.rc.$i ) &
	done; wait &&
	cat par.rc.* | sort -u >rcs && echo 0 >expect && test_cmp expect rcs &&
	test $(git rev-list --count HEAD) = $((before + 8)) &&
	test $(git log -8 --name-only --format= | grep -c "\.eml$") = 8 &&
	test $(cat par.[0-9] | sort -u | wc -l) = 8 &&
	git fsck --no-dangling 2>&1 | tee fsck && ! grep -i error fsck &&
	rt-gc -q && git status --porcelain tickets >st && test_cmp /dev/null st
'

test_expect_success 'a resolved ticket reopens when the customer answers' '
	t=$(ticket_dir $ID)/ticket.yaml && rt-gc -q &&
	# a hand edit is an event appended to the log (rt-desk(5)): without a clock it counts by at
	echo "- {at: '"'"'2026-11-25T10:00:01Z'"'"', by: hand, ev: set, field: status, old: new, new: resolved}" \
		>>$(ticket_dir $ID)/log.yaml && git commit -qam "set resolved by hand" &&
	mail m14@example.com "Re: [Test #$ID] thanks, but" | rt-ingest >/dev/null &&
	grep "^status: open$" $t
'

test_expect_success 'a hand commit is picked up by the cache (threading after it)' '
	mail m15@example.com "x" "In-Reply-To: <m14@example.com>" | rt-ingest >id16 &&
	echo $ID >expect && test_cmp expect id16
'

command -v gdb >/dev/null && test_set_prereq GDB
# guesses FILE: how often rt-ingest <FILE guesses a language (LSan cannot run under a debugger)
guesses() {
	ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0" gdb -q -batch \
		-ex "break lang_detect" -ex "ignore 1 1000" -ex "run <$1 >$1.id" -ex "info breakpoints" \
		--args "$(command -v rt-ingest)" 2>&1 | sed -n "s/.*already hit \([0-9]*\) time.*/\1/p" >"$1.n" &&
	test -s "$1.id" && { test -s "$1.n" && cat "$1.n" || echo 0; }
}

test_expect_success GDB,!VALGRIND 'only a mail that may open a ticket has its language guessed' '
	mail lg1@example.com "Toner leer" >lg1 && test "$(guesses lg1)" = 1 &&
	id=$(cat lg1.id) && rt-show --json $id | grep "\"language\": \"de\"" &&
	mail lg2@example.com "Re: [Test #$id] Toner leer" >lg2 && test "$(guesses lg2)" = 0 &&
	test "$(cat lg2.id)" = $id &&
	mail lg3@example.com "Re: Toner" "In-Reply-To: <elsewhere@example.net>" >lg3 &&
	test "$(guesses lg3)" = 1 && test "$(cat lg3.id)" != $id &&
	rt-show --json $(cat lg3.id) | grep "\"language\": \"de\""
'

test_done
