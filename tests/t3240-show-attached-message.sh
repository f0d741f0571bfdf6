#!/bin/sh
# A mail forwarded as an attachment (message/rfc822: Outlook's "Forward
# as attachment", Thunderbird's default) is read below the text of the
# mail that carries it: rt-show shows its header and its own text, the
# routing rules and text search see its words; it stays an attachment
# for --save. A report's returned message (a bounce) is not read so.
. "$(dirname "$0")/lib.sh"

new_desk desk || exit 1

# fwd DISPOSITION: an agent's forward of a customer's Latin-1 mail
fwd() {
	printf 'From: Anna Agent <anna@example.org>\nTo: support@example.org\nSubject: FW: Drucker kaputt\n'
	printf 'Message-ID: <fwd-%s@example.org>\nMIME-Version: 1.0\nContent-Type: multipart/mixed; boundary="b1"\n\n' "$1"
	printf -- '--b1\nContent-Type: text/plain; charset=utf-8\n\nFYI, see the attached mail.\n\n'
	printf -- '--b1\nContent-Type: message/rfc822\nContent-Disposition: %s; filename="Drucker kaputt.eml"\n\n' "$1"
	printf 'From: =?utf-8?q?J=C3=BCrgen_Wei=C3=9F?= <juergen@kunde.example>\nTo: Anna Agent <anna@example.org>\n'
	printf 'Subject: Drucker kaputt\nDate: Tue, 24 Nov 2026 17:12:00 +0100\nMessage-ID: <orig-drucker@kunde.example>\n'
	printf 'MIME-Version: 1.0\nContent-Type: text/plain; charset=iso-8859-1\nContent-Transfer-Encoding: quoted-printable\n\n'
	printf 'Der Drucker im 2. Stock druckt nur noch wei=DFe Seiten.\n\n--b1--\n'
}

test_expect_success 'rt-show reads the attached message below the text, and still lists it' '
	fwd attachment | rt-ingest >id &&
	rt-show $(cat id) >out && cat out &&
	sed -n "/^FYI, see the attached mail.$/,/^\[attachment/p" out >body &&
	cat >expect <<-\EOF &&
	FYI, see the attached mail.

	-------- Attached message --------
	From: Jürgen Weiß <juergen@kunde.example>
	Date: Tue, 24 Nov 2026 17:12:00 +0100
	Subject: Drucker kaputt
	To: Anna Agent <anna@example.org>

	Der Drucker im 2. Stock druckt nur noch weiße Seiten.
	EOF
	grep -x "\[attachment 1: message/rfc822, [0-9]* bytes, Drucker kaputt.eml\]" body &&
	sed "\$d" body >got && test_cmp expect got
'

test_expect_success 'an inline forward the same; text search finds the customer words' '
	fwd inline | rt-ingest >id2 &&
	rt-show $(cat id2) | grep -x "Der Drucker im 2. Stock druckt nur noch weiße Seiten." &&
	rt-ls --text Seiten --ids | sort >found && sort id id2 >want && test_cmp want found
'

if test -f "$CORPUS/mail/rt/outlook-rfc822"; then
test_expect_success 'the corpus Outlook forward as attachment shows the forwarded text' '
	rt-ingest <"$CORPUS/mail/rt/outlook-rfc822" >id3 &&
	rt-show $(cat id3) >out3 && cat out3 &&
	grep -x "Subject: Updates to our terms of use" out3 &&
	grep -x "this is a test" out3
'
else
	test_skip 'the corpus Outlook forward as attachment shows the forwarded text' "no corpus at $CORPUS"
fi

test_expect_success 'a report (a bounce) does not read its returned message into its text' '
	printf "From: MAILER-DAEMON@mx.example\nTo: support@example.org\nSubject: Undelivered Mail\nMessage-ID: <dsn-1@mx.example>\nMIME-Version: 1.0\nContent-Type: multipart/report; report-type=delivery-status; boundary=r\n\n--r\nContent-Type: text/plain\n\nDelivery failed.\n\n--r\nContent-Type: message/delivery-status\n\nReporting-MTA: dns; mx.example\n\nFinal-Recipient: rfc822; x@nowhere.example\nAction: failed\nStatus: 5.1.1\n\n--r\nContent-Type: message/rfc822\n\nFrom: someone@else.example\nSubject: returned words\nMessage-ID: <not-ours@else.example>\n\nreturned body words\n--r--\n" |
		rt-ingest >id4 &&
	rt-show $(cat id4) >out4 && grep "Delivery failed" out4 &&
	! grep "returned body words\|Attached message" out4
'

test_done
