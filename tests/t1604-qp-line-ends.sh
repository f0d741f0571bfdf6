#!/bin/sh
# Outgoing text with a line of 74 or 75 characters that ends in a blank
# (a quoted customer line in an escalation notice from the corpus): the
# quoted-printable soft break wrote past its buffer and rt-escalate died
# (realloc(): invalid next size). Sent through a real SMTP server, it
# must arrive and decode to the text as written.
. "$(dirname "$0")/lib.sh"

new_desk desk || exit 1
printf 'From: c@example.com\nSubject: help\nMessage-Id: <q1@x>\n\nhi\n' | rt-ingest >id || exit 1
ID=$(cat id)

# text N: a line of N-1 letters and a final blank, between two short lines
text() { printf 'Hello,\n%s \nBye\n' "$(printf "%$(($1 - 1))s" "" | tr " " x)"; }

for len in 74 75 76 77 150; do
	test_expect_success SMTP_SINK "a reply with a line of $len ending in a blank arrives intact" "
		start_sink \"\$TRASH/sink$len\" && test_when_finished \"kill \$SPID\" &&
		sed -i \"s|mailer: .*|mailer: smtp://127.0.0.1:\$PORT|\" rt.yaml &&
		text $len >body &&
		rt-reply $ID <body >out &&
		f=\$(received \"\$TRASH/sink$len\") &&
		grep -q -i '^Content-Transfer-Encoding: quoted-printable' \"\$f\" &&
		! awk 'length(\$0) > 76' \"\$f\" | grep . &&
		sed '1,/^\$/d' \"\$f\" | python3 -c 'import quopri,sys; sys.stdout.buffer.write(quopri.decodestring(sys.stdin.buffer.read()))' >got &&
		head -n 3 got >got3 && test_cmp body got3
	"
done

test_done
