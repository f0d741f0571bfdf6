#!/bin/sh
# rt-show, rt-comment and rt-take
. "$(dirname "$0")/lib.sh"

new_desk || exit 1
cat >$TRASH/m1 <<\EOF
From: Carl Customer <carl@example.com>
To: support@example.org
Subject: =?UTF-8?Q?Drucker_kaputt_=E2=80=93_bitte?=
Message-Id: <m1@example.com>
Date: Mon, 23 Nov 2026 10:00:00 +0000
MIME-Version: 1.0
Content-Type: multipart/mixed; boundary="XX"

--XX
Content-Type: text/plain; charset=utf-8
Content-Transfer-Encoding: 8bit

Der Drucker druckt nicht.
--XX
Content-Type: application/pdf; name="log.pdf"
Content-Disposition: attachment; filename="log.pdf"
Content-Transfer-Encoding: base64

JVBERi0xLjQKJcfsj6IK
--XX--
EOF
printf 'From: Carl <carl@example.com>\nTo: support@example.org\nSubject: Re: more\nIn-Reply-To: <m1@example.com>\nMessage-Id: <m2@example.com>\nDate: Mon, 23 Nov 2026 12:00:00 +0000\n\nStill broken.\n' >$TRASH/m2

test_expect_success 'setup: a ticket with two mails, a change and a note' '
	RT_NOW=2026-11-23T10:00:00Z rt-ingest <$TRASH/m1 >$TRASH/id &&
	ID=$(cat $TRASH/id) &&
	RT_NOW=2026-11-23T11:00:00Z rt-set $ID status=open priority=high &&
	RT_NOW=2026-11-23T11:30:00Z rt-comment -m "called him, toner empty" $ID >out &&
	echo $ID >expect && test_cmp expect out &&
	RT_NOW=2026-11-23T12:00:00Z rt-ingest <$TRASH/m2 >out && test_cmp expect out
'
ID=$(cat $TRASH/id)

test_expect_success 'rt-comment stores a .note with a comment event, one commit' '
	git log --format=%s | grep "^comment: #$ID called him, toner empty$" &&
	git show --stat --format= HEAD~1 | grep "msg/20261123T113000Z-.*\.note" &&
	grep "ev: comment, file: msg/20261123T113000Z-" $(ticket_dir $ID)/log.yaml
'
test_expect_success 'rt-comment reads stdin; empty notes are refused' '
	echo "second note" | RT_NOW=2026-11-23T12:30:00Z rt-comment $ID >/dev/null &&
	before=$(git rev-parse HEAD) &&
	test_must_fail rt-comment -m "  " $ID &&
	test "$(git rev-parse HEAD)" = "$before"
'

test_expect_success 'show: fields, decoded mail, attachments, notes and changes in order' '
	rt-show $ID >out &&
	cat >expect <<-EOF &&
	id           $ID
	subject      Drucker kaputt – bitte
	status       open
	queue        general
	priority     high
	requestors   carl@example.com
	channel      mail
	language     de
	created      2026-11-23T10:00:00Z

	* 2026-11-23T10:00:00Z Test Agent: create status=new

	=== #1 2026-11-23T10:00:00Z mail-in by Test Agent
	Date:    2026-11-23T10:00:00Z
	From:    Carl Customer <carl@example.com>
	To:      support@example.org
	Subject: Drucker kaputt – bitte

	Der Drucker druckt nicht.
	[attachment 1: application/pdf, 15 bytes, log.pdf]

	* 2026-11-23T11:00:00Z Test Agent: set status: new -> open
	* 2026-11-23T11:00:00Z Test Agent: set priority: normal -> high

	--- 2026-11-23T11:30:00Z comment by Test Agent
	called him, toner empty

	=== #2 2026-11-23T12:00:00Z mail-in by Test Agent
	Date:    2026-11-23T12:00:00Z
	From:    Carl <carl@example.com>
	To:      support@example.org
	Subject: Re: more

	Still broken.

	--- 2026-11-23T12:30:00Z comment by Test Agent
	second note
	EOF
	test_cmp expect out
'
test_expect_success '--raw N is byte-exact' '
	rt-show --raw 1 $ID >raw1 && cmp raw1 $TRASH/m1 &&
	rt-show --raw 2 "#$ID" >raw2 && cmp raw2 $TRASH/m2 &&
	test_must_fail rt-show --raw 3 $ID 2>err && grep "2 stored messages, not 3" err
'
test_expect_success '--log lists events' '
	rt-show --log $ID >out &&
	test $(wc -l <out) = 7 &&
	grep "^2026-11-23T11:00:00Z  Test Agent       set status: new -> open$" out
'
test_expect_success '--git-log lists the commits of the ticket only' '
	printf "From: x@example.net\nSubject: other\nMessage-Id: <o@x>\n\nx\n" | rt-ingest >/dev/null &&
	rt-show --git-log $ID | cut -d" " -f3- >out &&
	cat >expect <<-EOF &&
	comment: #$ID second note
	ingest: #$ID Re: more
	comment: #$ID called him, toner empty
	set: #$ID status=open priority=high
	ingest: #$ID Drucker kaputt – bitte
	EOF
	test_cmp expect out
'
test_expect_success '--json holds ticket, events and decoded messages' '
	rt-show --json $ID >out.json &&
	python3 -c "
import json; j=json.load(open(\"out.json\"))
assert j[\"ticket\"][\"requestors\"]==[\"carl@example.com\"]
m=j[\"messages\"]; assert len(m)==2 and m[0][\"text\"].startswith(\"Der Drucker\")
assert m[0][\"attachments\"]==[{\"type\":\"application/pdf\",\"size\":15,\"name\":\"log.pdf\"}], m[0]
assert [e[\"ev\"] for e in j[\"events\"]].count(\"comment\")==2
assert any(e.get(\"text\")==\"second note\\n\" for e in j[\"events\"])
"
'
test_expect_success 'attachment sizes are the decoded bytes --save writes, not their base64' '
	head -c 3000 /dev/urandom >blob &&
	{ printf "From: b@example.com\nSubject: sizes\nMessage-Id: <size@x>\nMIME-Version: 1.0\n" &&
	  printf "Content-Type: multipart/mixed; boundary=B\n\n--B\nContent-Type: text/plain\n\nsee\n--B\n" &&
	  printf "Content-Type: application/octet-stream\nContent-Disposition: attachment; filename=blob\n" &&
	  printf "Content-Transfer-Encoding: base64\n\n" && base64 blob && printf -- "--B\n" &&
	  printf "Content-Type: text/plain; name=q.txt\nContent-Disposition: attachment; filename=q.txt\n" &&
	  printf "Content-Transfer-Encoding: quoted-printable\n\nA=3DB=\nC\n--B--\n"; } >sizes.eml &&
	id=$(rt-ingest <sizes.eml) &&
	rt-show $id >out &&
	grep -x "\[attachment [0-9]*: application/octet-stream, 3000 bytes, blob\]" out &&
	grep -x "\[attachment [0-9]*: text/plain, 4 bytes, q.txt\]" out &&
	rt-show --json $id | python3 -c "
import json, sys; a=json.load(sys.stdin)[\"messages\"][0][\"attachments\"]
assert [x[\"size\"] for x in a]==[3000, 4], a" &&
	rt-show --save 1 --output - $id | cmp - blob
'
test_expect_success 'a subject in a charset nobody knows (=?NONE?B?...?=): its UTF-8, else U+FFFD, never a control character' '
	printf "From: n@example.com\nSubject: =?NONE?B?%s?=\nMessage-Id: <none1@x>\n\nx\n" \
	    "$(printf "Gr\303\274\303\237e" | base64)" >none1.eml &&
	id1=$(rt-ingest <none1.eml) &&
	rt-show $id1 >out && grep -x "subject      Grüße" out && grep -x "Subject: Grüße" out &&
	rt-ls --format "%{subject}\n" --sort created | grep -x "Grüße" &&
	printf "From: n@example.com\nSubject: =?NONE?B?%s?= end\nMessage-Id: <none2@x>\n\nx\n" \
	    "$(printf "caf\351 \033]52;c;eA==\007ok" | base64)" >none2.eml &&
	id2=$(rt-ingest <none2.eml) &&
	rt-show $id2 >out && grep -x "Subject: caf�  \]52;c;eA== ok end" out &&
	! grep -q "$(printf "\033")" out && ! grep -q "NONE" out
'
test_expect_success 'a broken multipart body is shown as well as it can be (as mutt does), not as nothing' '
	hdr="From: m@example.com\nMIME-Version: 1.0\nContent-Type: multipart/mixed" &&
	printf "$hdr; boundary=ZZ\nSubject: no delimiter\nMessage-Id: <mp1@x>\n\nall text, no delimiter\n" |
	    rt-ingest >id1 &&
	printf "$hdr\nSubject: no boundary\nMessage-Id: <mp2@x>\n\n--ZZ\n\nno boundary parameter\n--ZZ--\n" |
	    rt-ingest >id2 &&
	printf "$hdr; boundary=ZZ\nSubject: cut\nMessage-Id: <mp3@x>\n\n--ZZ\nContent-Type: text/plain\n\nthe first part\n--ZZ\nContent-Type: application/octet-stream\nContent-Disposition: attachment; filename=a.bin\nContent-Transfer-Encoding: base64\n\nAAEC" |
	    rt-ingest >id3 &&
	rt-show $(cat id1) >out && grep -x "all text, no delimiter" out &&
	rt-show $(cat id2) >out && grep -x "no boundary parameter" out &&
	rt-show $(cat id3) >out && grep -x "the first part" out &&
	grep -x "\[attachment 1: application/octet-stream, 3 bytes, a.bin\]" out &&
	rt-ls --ids --text "delimiter" >out && test_cmp id1 out
'
test_expect_success 'unknown ticket' '
	test_must_fail rt-show 0000ZZZZ 2>err && grep 0000ZZZZ err
'

test_expect_success 'rt-take without agents: owner is the actor name' '
	rt-take $ID >out && echo $ID >expect && test_cmp expect out &&
	grep "^owner: .Test Agent.$" $(ticket_dir $ID)/ticket.yaml &&
	git log -1 --format=%s | grep "^take: #$ID Test Agent$"
'
test_expect_success 'rt-take matches the actor email to an agent' '
	cat >>rt.yaml <<-\EOC &&
	agents:
	  anna: {email: anna@example.org}
	  bob: {email: Bob@Example.org}
	EOC
	test_must_fail env RT_ACTOR="Bob <bob@example.org>" rt-take $ID 2>err &&
	grep "owned by .Test Agent." err &&
	RT_ACTOR="Bob <bob@example.org>" rt-take --steal $ID &&
	grep "^owner: bob$" $(ticket_dir $ID)/ticket.yaml &&
	before=$(git rev-parse HEAD) &&
	RT_ACTOR="Bob <bob@example.org>" rt-take $ID &&
	test "$(git rev-parse HEAD)" = "$before"
'
test_expect_success 'rt-take refuses a non-agent when agents are declared' '
	before=$(git rev-parse HEAD) &&
	test_must_fail env RT_ACTOR="Eve <eve@example.org>" rt-take --steal $ID 2>err &&
	grep "not an agent" err &&
	test "$(git rev-parse HEAD)" = "$before"
'
command -v script >/dev/null && test_set_prereq SCRIPT
test_expect_success SCRIPT 'raw bytes refuse a terminal, whose escapes they may hold; a pipe gets them' '
	printf "From: e@x.example\nSubject: escapes\nMessage-Id: <esc@x>\nMIME-Version: 1.0\nContent-Type: multipart/mixed; boundary=B\n\n--B\nContent-Type: text/plain\n\nbody \033]52;c;cHduZWQ=\007\n--B\nContent-Type: text/plain\nContent-Disposition: attachment; filename=a.txt\n\n\033[2J\n--B--\n" >esc.eml &&
	id=$(rt-ingest <esc.eml) &&
	script -qec "rt-show --raw 1 $id" /dev/null >tty 2>&1; test $? = 64 &&
	! grep -q "$(printf "\033")" tty && grep "redirect" tty &&
	script -qec "rt-show --save 1 --output - $id" /dev/null >tty 2>&1; test $? = 64 &&
	! grep -q "$(printf "\033")" tty && grep "redirect" tty &&
	rt-show --raw 1 $id >raw && cmp raw esc.eml &&
	rt-show --save 1 --output - $id >att && grep -q "$(printf "\033")" att
'

test_done
