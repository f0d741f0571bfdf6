#!/bin/sh
# survey on resolve and the customer's rating recorded by rt-ingest
. "$(dirname "$0")/lib.sh"

sendmail_recorder
export RT_NOW=2026-11-23T10:00:00Z

test_expect_success 'setup: a resolved ticket with a survey sent' '
	new_desk &&
	sed -i "s|mailer: .*|mailer: sendmail://$TRASH/sendmail|" rt.yaml &&
	git commit -qm "a program mailer: committed (rt-desk(5), TRUST)" rt.yaml &&
	printf "From: ann@c.example\nTo: support@example.org\nSubject: Help\nMessage-ID: <h1@c.example>\n\nHelp me\n" | rt-ingest >id &&
	echo "Done." | rt-reply --set-status resolved $(cat id) >/dev/null &&
	rt-reply --template survey $(cat id) >out && test_cmp id out &&
	grep "ev: mail-out.*template: survey, auto: .true., auto-submitted: auto-generated" $(ticket_dir $(cat id))/log.yaml
'
cd desk 2>/dev/null || true
ID=$(cat id 2>/dev/null)
survey_mid() { sed -n "s/.*ev: mail-out.*message-id: \([^,]*\),.*template: survey.*/\1/p" $(ticket_dir $ID)/log.yaml | tail -n 1; }

test_expect_success 'a reply with "Rating: 4" is recorded and does not reopen' '
	printf "From: ann@c.example\nTo: support@example.org\nSubject: Re: How did we do?\nMessage-ID: <r1@c.example>\nIn-Reply-To: <%s>\n\nRating: 4\n\nThanks!\n\n> Rating: 5\n" "$(survey_mid)" | RT_NOW=2026-11-23T11:00:00Z rt-ingest >out &&
	test_cmp id out &&
	tail -n 1 $(ticket_dir $ID)/log.yaml >last &&
	grep "at: .2026-11-23T11:00:00Z., by: .*, ev: rating, score: .\{0,1\}4" last &&
	grep "^status: resolved" $(ticket_dir $ID)/ticket.yaml
'

test_expect_success 'German stars in the first line count too' '
	printf "From: ann@c.example\nTo: support@example.org\nSubject: Re: [Test #%s] Wie zufrieden\nMessage-ID: <r2@c.example>\nContent-Type: text/plain; charset=utf-8\n\n★★★★★\nSuper!\n" "$ID" | rt-ingest >out &&
	tail -n 1 $(ticket_dir $ID)/log.yaml | grep "ev: rating, score: .\{0,1\}5"
'

test_expect_success 'a normal follow-up reopens and records no rating' '
	printf "From: ann@c.example\nTo: support@example.org\nSubject: Re: [Test #%s] Help\nMessage-ID: <r3@c.example>\n\nIt broke again.\n" "$ID" | rt-ingest >out &&
	grep "^status: open" $(ticket_dir $ID)/ticket.yaml &&
	test "$(grep -c "ev: rating" $(ticket_dir $ID)/log.yaml)" = 2
'

test_expect_success 'no survey, no rating' '
	printf "From: bob@c.example\nTo: support@example.org\nSubject: Q\nMessage-ID: <q1@c.example>\n\nq\n" | rt-ingest >id2 &&
	printf "From: bob@c.example\nTo: support@example.org\nSubject: Re: [Test #%s] Q\nMessage-ID: <q2@c.example>\n\nRating: 5\n" "$(cat id2)" | rt-ingest >out &&
	! grep "ev: rating" $(ticket_dir $(cat id2))/log.yaml
'

test_done
