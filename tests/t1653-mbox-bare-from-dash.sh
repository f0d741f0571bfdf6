#!/bin/sh
# Thunderbird's "From - " separates messages also with no blank line
# before it (MimeKit's test mboxes), as Thunderbird reads them; a bare
# "From addr" line inside a body without a blank line before it still
# does not, nor does a body line "From here on"
. "$(dirname "$0")/lib.sh"

new_desk desk || exit 1

test_expect_success '"From - " with no blank line before it starts a message' '
	{ echo "From - "; printf "From: a@x\nSubject: tb1\nMessage-Id: <tb1@x>\n\none\n";
	  echo "From - "; printf "From: a@x\nSubject: tb2\nMessage-Id: <tb2@x>\n\ntwo\n";
	  echo "From -"; printf "From: a@x\nSubject: tb3\nMessage-Id: <tb3@x>\n\nthree\n"; } >tb.mbox &&
	rt-ingest --mbox tb.mbox >ids && test $(wc -l <ids) = 3 &&
	for i in 1 2 3; do rt-show $(sed -n ${i}p ids) | grep "tb$i" || exit 1; done &&
	f=$(ticket_dir $(sed -n 1p ids))/msg/*.eml &&
	tail -n 1 $f >last && echo one >want && test_cmp want last
'

test_expect_success 'a bare "From addr" or "From here on" inside a body does not split' '
	{ echo "From k@example.com Mon Nov 23 09:00:00 2026";
	  printf "From: k@x\nSubject: body\nMessage-Id: <b1@x>\n\nHallo\nFrom k@example.com\nFrom here on\n"; } >b.mbox &&
	rt-ingest --mbox b.mbox >ids2 && test $(wc -l <ids2) = 1 &&
	f=$(ticket_dir $(cat ids2))/msg/*.eml &&
	grep "^From k@example.com\$" $f && grep "^From here on" $f
'

if [ -f "$CORPUS/mail/mimekit/mbox/simple.mbox.txt" ]; then
test_expect_success "MimeKit's simple.mbox.txt holds 3 mails" '
	rt-ingest --mbox "$CORPUS/mail/mimekit/mbox/simple.mbox.txt" >ids3 &&
	test $(wc -l <ids3) = 3 && test $(sort -u ids3 | wc -l) = 3
'
else
	test_skip "MimeKit's simple.mbox.txt holds 3 mails" "no corpus at $CORPUS"
fi

test_done
