#!/bin/sh
# A mail a spam filter upstream marked (X-Spam-Flag: YES, X-Spam-Status:
# Yes, X-Spam: Yes) is stored as any other but gets no acknowledgement
# (a real SMTP server on 127.0.0.1); a "No" verdict is answered
. "$(dirname "$0")/lib.sh"

new_desk desk || exit 1

test_expect_success SMTP_SINK 'setup: acknowledge on arrival through smtp-sink' '
	start_sink "$TRASH/sink" &&
	sed -i "s|mailer: .*|mailer: smtp://127.0.0.1:$PORT|" rt.yaml &&
	printf "reply:\n  auto-interval: 0\n" >>rt.yaml &&
	sed -i "s/^  max-bytes: .*/&\n  on-arrival: {acknowledge: ack}/" rt.yaml &&
	git commit -qam "on-arrival ack"
'

# spam N HEADER: a mail from a (likely forged) customer address
spam() {
	printf "From: victim%s@example.com\nTo: support@example.org\nSubject: cheap pills\nMessage-Id: <s%s@x>\n%s\n\nbuy\n" "$1" "$1" "$2"
}

test_expect_success SMTP_SINK 'a mail marked as spam is stored but not acknowledged' '
	spam 1 "X-Spam-Flag: YES" >s1.eml &&
	spam 2 "X-Spam-Status: Yes, score=12.3 required=5.0 tests=BAYES_99" >s2.eml &&
	spam 3 "X-Spam: yes" >s3.eml &&
	for f in s1 s2 s3; do
		rt-ingest <$f.eml >$f.id 2>$f.err || exit 1
		test -n "$(cat $f.id)" || exit 1
	done &&
	rt-show --log $(cat s1.id) >log1 && grep "spam" log1 &&
	rt-ls --ids | wc -l >n && test $(cat n) = 3 &&
	sleep 1 && test -z "$(ls "$TRASH/sink")"
'

test_expect_success SMTP_SINK 'rt-reply --template ack says why it sends nothing' '
	rt-reply --template ack $(cat s1.id) 2>err </dev/null &&
	grep "spam" err &&
	test -z "$(ls "$TRASH/sink")"
'

test_expect_success SMTP_SINK 'a "No" verdict is answered' '
	spam 4 "X-Spam-Flag: NO
X-Spam-Status: No, score=0.1" | rt-ingest -q &&
	f=$(received "$TRASH/sink") &&
	grep -i "^X-Rcpt-Args: <victim4@example.com>" "$f" &&
	test $(ls "$TRASH/sink" | wc -l) = 1
'

test_done
