#!/bin/sh
# Arrival processing inside rt-ingest: route and acknowledge after the mail
# is durable; its failure never changes the exit code; rt-route --pending
# finishes what was left
. "$(dirname "$0")/lib.sh"
export RT_NOW=2026-11-23T10:00:00Z

# A sendmail stand-in: records each message, or fails with $SM_FAIL.
sendmail_recorder

mail() { # mail MSGID SUBJECT
	printf 'From: Kunde <kunde@example.com>\nTo: support@example.org\nSubject: %s\nMessage-Id: <%s>\nDate: Mon, 23 Nov 2026 10:00:00 +0000\n\nDie Rechnung stimmt nicht.\n' "$2" "$1"
}

new_desk desk
test_expect_success 'setup: on-arrival routes and acknowledges' '
	sed -i "s|mailer: .*|mailer: sendmail://$TRASH/sendmail|" rt.yaml &&
	cat >>rt.yaml <<-\EOC &&
	reply:
	  auto-interval: 0
	routing:
	  - name: rechnung
	    if: {text: [rechnung]}
	    then: {queue: billing}
	EOC
	sed -i "s/^  max-bytes: .*/&\n  on-arrival: {route: true, acknowledge: ack}/" rt.yaml &&
	sed -i "s/^queues:/&\n  billing: {}/" rt.yaml &&
	git commit -qam "on-arrival" && rt-route --check
'

test_expect_success 'a new mail is stored, routed and acknowledged by rt-ingest alone' '
	mail a1@example.com "Rechnung falsch" | rt-ingest >id 2>err && test -s id &&
	test ! -s err && t=$(ticket_dir $(cat id)) &&
	grep "^queue: billing$" $t/ticket.yaml &&
	grep "ev: mail-out" $t/log.yaml && grep "ev: arrival" $t/log.yaml &&
	ls "$SM_DIR" | grep -q msg &&
	rt-route --pending >pending && test_cmp /dev/null pending
'

test_expect_success 'a follow-up is not acknowledged again' '
	n=$(ls "$SM_DIR" | wc -l) &&
	mail a2@example.com "Re: [Test #$(cat id)] noch was" | rt-ingest >/dev/null &&
	test $(ls "$SM_DIR" | wc -l) = $n
'

test_expect_success 'a failing mailer: still exit 0, the ticket stays pending' '
	touch "$SM_DIR/fail" &&
	mail a3@example.com "Rechnung doppelt" | rt-ingest >id3 2>err; rc=$?;
	rm -f "$SM_DIR/fail"; cat err; test $rc = 0 && test -s id3 &&
	grep "arrival processing not finished (acknowledge: " err &&
	grep "rt-route --pending" err &&
	t=$(ticket_dir $(cat id3)) && grep "^queue: billing$" $t/ticket.yaml &&
	! grep "ev: arrival" $t/log.yaml && ! grep "ev: mail-out" $t/log.yaml
'

test_expect_success 'rt-route --pending (cron) finishes it, once' '
	rt-route --pending >pending && test_cmp id3 pending &&
	t=$(ticket_dir $(cat id3)) && grep "ev: mail-out" $t/log.yaml && grep "ev: arrival" $t/log.yaml &&
	rt-route --pending >pending2 && test_cmp /dev/null pending2
'

test_expect_success 'a broken rt.yaml: stored, then routed by the catch-up once fixed' '
	cp rt.yaml good.yaml && echo "routing: [" >>rt.yaml &&
	mail a4@example.com "Rechnung kaputt" | rt-ingest >id4 2>err; rc=$?;
	cp good.yaml rt.yaml; cat err; test $rc = 0 &&
	t=$(ticket_dir $(cat id4)) && ! grep "^queue: billing$" $t/ticket.yaml &&
	rt-route --pending >pending && test_cmp id4 pending &&
	grep "^queue: billing$" $t/ticket.yaml
'

test_expect_success 'an mbox import is not acknowledged' '
	n=$(ls "$SM_DIR" | wc -l) &&
	{ echo "From k@x Mon Nov 23 09:00:00 2026"; mail a5@example.com "Rechnung alt"; } >old.mbox &&
	rt-ingest --mbox old.mbox >id5 && test $(ls "$SM_DIR" | wc -l) = $n &&
	rt-route --pending >pending && test_cmp /dev/null pending
'

test_done
