#!/bin/sh
# rt-reply through a real SMTP server (postfix smtp-sink) on 127.0.0.1
. "$(dirname "$0")/lib.sh"

SINK=/usr/sbin/smtp-sink
if ! test_have_prereq SMTP_SINK; then
	test_skip 'smtp tests' 'smtp-sink not installed'
	test_done
	exit
fi
export RT_NOW=2026-11-23T10:00:00Z

setmailer() { sed -i "s|mailer: .*|mailer: smtp://127.0.0.1:$1|" rt.yaml; }

test_expect_success 'setup' '
	new_desk &&
	cat >m1.eml <<-\EOM &&
	From: =?UTF-8?Q?Bj=C3=B6rn_=C3=85str=C3=B6m?= <bjorn@kunde.example>
	To: support@example.org
	Cc: colleague@kunde.example
	Subject: =?UTF-8?Q?Lieferung_f=C3=BCr_Bestellung_42?=
	Message-ID: <first@kunde.example>
	Content-Language: de
	Date: Mon, 23 Nov 2026 09:00:00 +0000
	Content-Type: text/plain; charset=utf-8

	Wo bleibt meine Lieferung?
	EOM
	rt-ingest <m1.eml >id
'
cd desk 2>/dev/null || true
ID=$(cat id 2>/dev/null)

test_expect_success 'ack over SMTP: envelope, headers, RFC 2047, body' '
	start_sink "$TRASH/sink1" && test_when_finished "kill $SPID" &&
	setmailer $PORT &&
	rt-reply --template ack $ID >out &&
	echo $ID >expect && test_cmp expect out &&
	f=$(received "$TRASH/sink1") &&
	cat "$f" &&
	test "$(grep -ci "^X-Rcpt-Args:" "$f")" = 1 &&
	grep -i "^X-Rcpt-Args: <bjorn@kunde.example>" "$f" &&
	grep -i "^X-Mail-Args: <>" "$f" &&
	! grep -i "^Cc:" "$f" &&
	grep -i "^In-Reply-To: <first@kunde.example>" "$f" &&
	grep -i "^References: <first@kunde.example>" "$f" &&
	grep -i "^Auto-Submitted: auto-replied" "$f" &&
	grep -i "^Subject: =?UTF-8?" "$f" &&
	grep "^Guten Tag Bj=C3=B6rn =C3=85str=C3=B6m,$" "$f" &&
	grep "unter \[Test #$ID\] erfasst" "$f" &&
	grep "ev: mail-out.*to: bjorn@kunde.example, subject: .*template: ack" $(ticket_dir $ID)/log.yaml
'

test_expect_success 'To carries the display name, RFC 2047 encoded; the envelope is the bare address' '
	f=$(received "$TRASH/sink1") &&
	grep "^To: =?UTF-8?B?QmrDtnJuIMOFc3Ryw7Zt?= <bjorn@kunde.example>$" "$f" &&
	grep -i "^X-Rcpt-Args: <bjorn@kunde.example>$" "$f"
'

test_expect_success 'the subject is RFC 2047 encoded UTF-8 with the tag' '
	f=$(received "$TRASH/sink1") &&
	sed -n "/^Subject:/,/^[^ \t]/p" "$f" | sed "\$d" | tr -d "\n" >subj &&
	cat subj &&
	grep "^Subject: =?UTF-8?Q?\[Test_#$ID\]_Ihre_Anfrage_ist_bei_uns_eingegangen" subj &&
	grep "f=C3=BCr_Bestellung_42?=" subj &&
	grep "subject: .\[Test #$ID\] Ihre Anfrage ist bei uns eingegangen: Lieferung für Bestellung 42" $(ticket_dir $ID)/log.yaml
'

test_expect_success 'a follow-up threads on the ack; the reply references the chain' '
	ackid=$(sed -n "s/.*ev: mail-out.*message-id: \([^,]*\),.*/\1/p" $(ticket_dir $ID)/log.yaml) &&
	test -n "$ackid" &&
	printf "From: bjorn@kunde.example\nTo: support@example.org\nSubject: Re: whatever\nMessage-ID: <second@kunde.example>\nIn-Reply-To: <%s>\n\nStill waiting.\n" "$ackid" >m2.eml &&
	id2=$(rt-ingest <m2.eml) && test "$id2" = "$ID" &&
	start_sink "$TRASH/sink2" && test_when_finished "kill $SPID" &&
	setmailer $PORT &&
	echo "It ships today." | rt-reply $ID &&
	f=$(received "$TRASH/sink2") &&
	grep -i "^In-Reply-To: <second@kunde.example>" "$f" &&
	tr -d "\n" <"$f" | grep -i "References: <first@kunde.example>[[:space:]]*<$ackid>[[:space:]]*<second@kunde.example>" &&
	! grep -i "^Auto-Submitted" "$f" &&
	grep "^It ships today." "$f" &&
	grep -i "^X-Mail-Args: <support@example.org>" "$f" &&
	grep -i "^X-Rcpt-Args: <bjorn@kunde.example>" "$f" &&
	grep -i "^X-Rcpt-Args: <colleague@kunde.example>" "$f" &&
	grep -i "^Cc: .*colleague@kunde.example" "$f"
'

test_expect_success 'an ack to a mail with 41 Cc goes to its sender only (Reply-To), from <>' '
	{ printf "From: spammer@bulk.example\nReply-To: Real Sender <real@bulk.example>\nTo: support@example.org\nCc: "
	  for i in $(seq 1 41); do printf "v%d@victims.example, " $i; done
	  printf "last@victims.example\nSubject: win\nMessage-ID: <spam@bulk.example>\n\nhi\n"; } >spam.eml &&
	id3=$(rt-ingest <spam.eml) &&
	test $(grep "^cc:" $(ticket_dir $id3)/ticket.yaml | grep -o victims | wc -l) = 42 &&
	start_sink "$TRASH/sink6" && test_when_finished "kill $SPID" &&
	setmailer $PORT &&
	rt-reply --template ack $id3 &&
	f=$(received "$TRASH/sink6") &&
	test "$(grep -ci "^X-Rcpt-Args:" "$f")" = 1 &&
	grep -i "^X-Rcpt-Args: <real@bulk.example>" "$f" &&
	grep -i "^X-Mail-Args: <>" "$f" &&
	grep -i "^Auto-Submitted: auto-replied" "$f" &&
	! grep -i "^Cc:\|victims" "$f"
'

test_expect_code 75 'a 4xx reply is a temporary failure; nothing recorded' '
	start_sink "$TRASH/sink3" -r RCPT && test_when_finished "kill $SPID" &&
	setmailer $PORT &&
	before=$(git rev-parse HEAD) &&
	echo "text" | rt-reply $ID >out 2>err; rc=$?;
	cat err &&
	test ! -s out &&
	grep "#$ID: .*4[0-9][0-9]" err &&
	test "$(git rev-parse HEAD)" = "$before" &&
	exit $rc
'

test_expect_code 69 'a 5xx reply is a permanent failure; nothing recorded' '
	start_sink "$TRASH/sink4" -f RCPT && test_when_finished "kill $SPID" &&
	setmailer $PORT &&
	before=$(git rev-parse HEAD) &&
	echo "text" | rt-reply $ID 2>err; rc=$?;
	cat err &&
	grep "#$ID: .*5[0-9][0-9]" err &&
	test "$(git rev-parse HEAD)" = "$before" &&
	exit $rc
'

test_expect_code 75 'connection refused is a temporary failure' '
	start_sink "$TRASH/sink5" && kill $SPID && wait $SPID 2>/dev/null;
	setmailer $PORT &&
	before=$(git rev-parse HEAD) &&
	rt-reply --template resolved $ID 2>err; rc=$?;
	cat err &&
	test "$(git rev-parse HEAD)" = "$before" &&
	! grep "^status: resolved" $(ticket_dir $ID)/ticket.yaml &&
	exit $rc
'

test_done
