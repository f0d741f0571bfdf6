#!/bin/sh
# The acknowledgement on arrival (a real SMTP server on 127.0.0.1) never
# answers a report (multipart/report: bounces, DMARC and TLS reports) nor
# a robot or list address (RFC 3834), and still answers a customer
. "$(dirname "$0")/lib.sh"

new_desk desk || exit 1

test_expect_success SMTP_SINK 'setup: acknowledge on arrival through smtp-sink' '
	start_sink "$TRASH/sink" &&
	sed -i "s|mailer: .*|mailer: smtp://127.0.0.1:$PORT|" rt.yaml &&
	printf "reply:\n  auto-interval: 0\n" >>rt.yaml &&
	sed -i "s/^  max-bytes: .*/&\n  on-arrival: {acknowledge: ack}/" rt.yaml &&
	git commit -qam "on-arrival ack"
'

# report FROM REPORT-TYPE: a report that refers to no mail of the desk
report() {
	printf "From: %s\nTo: support@example.org\nSubject: Report Domain: example.org\nMessage-Id: <r-%s@x>\n" "$1" "$2"
	printf "MIME-Version: 1.0\nContent-Type: multipart/report; report-type=%s; boundary=b\n\n" "$2"
	printf -- "--b\nContent-Type: text/plain\n\nA report.\n--b--\n"
}

test_expect_success SMTP_SINK 'a TLS or DMARC report opens a ticket but gets no acknowledgement' '
	report reports@mail.example tlsrpt >r1.eml &&
	report abuse@isp.example feedback-report >r2.eml &&
	id1=$(rt-ingest <r1.eml 2>err1) && id2=$(rt-ingest <r2.eml 2>err2) &&
	test -n "$id1" && test -n "$id2" &&
	rt-show --log $id1 >log1 && grep "auto" log1 &&
	sleep 1 && test -z "$(ls "$TRASH/sink")"
'

test_expect_success SMTP_SINK 'robot words and list addresses get no acknowledgement' '
	for a in dmarc-noreply@linkedin.example noreply-dmarc-support@google.example \
	    opendmarc-postmaster@example.net ppp-request@lists.example owner-ppp@lists.example \
	    bounce-42-kunde=example.com@news.example; do
		printf "From: %s\nTo: support@example.org\nSubject: hello\nMessage-Id: <%s>\n\nhi\n" $a $a |
		rt-ingest -q || exit 1
	done &&
	sleep 1 && test -z "$(ls "$TRASH/sink")"
'

test_expect_success SMTP_SINK 'a customer whose address merely contains such letters is answered' '
	printf "From: Nora Eply <nora.eply@example.com>\nTo: support@example.org\nSubject: help\nMessage-Id: <c1@x>\n\nhi\n" |
	rt-ingest -q &&
	f=$(received "$TRASH/sink") &&
	grep -i "^X-Rcpt-Args: <nora.eply@example.com>" "$f" &&
	test $(ls "$TRASH/sink" | wc -l) = 1
'

test_done
