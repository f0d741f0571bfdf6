#!/bin/sh
# A spam filter that only gives a score (X-Spam-Score: 7.3, X-Spam-Level:
# *******) or says "spam, score=..." in X-Spam-Score marks the mail as
# spam; a bare score counts from 5 (SpamAssassin's default required
# score), and a filter's own "No" is never second-guessed
. "$(dirname "$0")/lib.sh"

RT_NOW=2026-11-25T10:00:00Z TZ=UTC; export RT_NOW TZ
new_desk desk || exit 1

# mail N HEADER-LINES: a new request with the filter's headers
mail() {
	printf "From: c%s@example.com\nTo: support@example.org\nSubject: s%s\nMessage-Id: <s%s@x>\n%s\n\nbuy\n" "$1" "$1" "$1" "$2"
}
# spam? ID: the mail-in event of the ticket says spam: true
marked() { grep -q "ev: mail-in.*spam: .*true" "$(ticket_dir "$1")/log.yaml"; }

test_expect_success 'a bare score at or over 5 is spam' '
	id1=$(mail 1 "X-Spam-Score: 7.3" | rt-ingest) && echo $id1 >id1 &&
	id2=$(mail 2 "X-Spam-Level: *******" | rt-ingest) &&
	id3=$(mail 3 "X-Spam-Score: 5.0
X-Spam-Level: *****" | rt-ingest) &&
	marked $id1 && marked $id2 && marked $id3
'

test_expect_success 'the "spam, score=" form of X-Spam-Score is a verdict' '
	id=$(mail 4 "X-Spam-Score: spam, score=5.01" | rt-ingest) && marked $id &&
	id=$(mail 5 "X-Spam-Score: ham, score=9.90" | rt-ingest) && ! marked $id
'

test_expect_success 'a bare score under 5 is not spam' '
	id=$(mail 6 "X-Spam-Score: 4.9" | rt-ingest) && ! marked $id &&
	id=$(mail 7 "X-Spam-Level: ****" | rt-ingest) && ! marked $id &&
	id=$(mail 8 "X-Spam-Score: -2.1" | rt-ingest) && ! marked $id
'

test_expect_success 'a filter that says No with its own threshold is believed' '
	id=$(mail 9 "X-Spam-Status: No, score=6.0 required=8.0
X-Spam-Level: ******
X-Spam-Score: 6.0" | rt-ingest) && ! marked $id
'

test_expect_success 'rt-reply --template ack says why it sends nothing' '
	rt-reply --template ack $(cat id1) </dev/null 2>err && cat err &&
	grep "is marked as spam by a filter" err
'

test_done
