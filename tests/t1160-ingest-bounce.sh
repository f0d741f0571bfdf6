#!/bin/sh
# Bounces (RFC 3464 DSNs, Exim bounces), ARF reports and auto-replies to the
# desk's own mail go to their ticket: no reopen, no customer response, and
# the failed address is marked bouncing (rt-show, rt-reply)
. "$(dirname "$0")/lib.sh"
export RT_NOW=2026-11-23T12:00:00Z
B=$FIXTURES/mail/rt-bounce

# sent ID MSGID ADDR: records that the desk sent MSGID to ADDR on ticket ID (a hand commit)
sent() {
	rt-gc -q &&	# the index up to date before a hand edit (rt-desk(5))
	printf -- "- {at: '2026-11-23T10:06:00Z', by: agent, ev: mail-out, file: msg/out.eml, message-id: '%s', to: '%s'}\n" \
		"$2" "$3" >>$(ticket_dir $1)/log.yaml &&
	git commit -qam "sent $2"
}
lastin() { rt-ls --all --format "%{id} %{last-in}\n" | grep "^$1 "; }
cust() { printf 'From: Kunde <%s>\nTo: support@example.org\nSubject: %s\nMessage-Id: <%s>\n\nDer Drucker ist kaputt.\n' "$1" "$2" "$3"; }

new_desk desk
test_expect_success 'setup: a resolved ticket the desk answered' '
	id=$(cust kunde@customer.example "Drucker kaputt" c1@customer.example | rt-ingest) && echo $id >id &&
	rt-set $id status=resolved && rt-gc -q &&
	sent $id rt-sent-1@desk.example.org kunde@customer.example &&
	sent $id rt-sent-2@desk.example.org kunde@customer.example &&
	lastin $id >lastin.before
'
ID=$(cat id)
T=$(ticket_dir $ID)

test_expect_success 'a Postfix DSN goes to the ticket, no reopen, address bouncing' '
	rt-ingest <$B/postfix-dsn.eml >got && echo $ID >expect && test_cmp expect got &&
	grep "^status: resolved$" $T/ticket.yaml &&
	grep "ev: bounce" $T/log.yaml | grep "kind: dsn" | grep "address: kunde@customer.example" |
		grep "action: failed" | grep "bouncing: .true." &&
	lastin $ID >lastin && test_cmp lastin.before lastin &&
	rt-show $ID | grep "bounce .*kind=dsn.*address=kunde@customer.example"
'

test_expect_success 'an Exim bounce without a report part goes to the ticket' '
	rt-ingest <$B/exim-bounce.eml >got && test_cmp expect got &&
	grep "ev: bounce" $T/log.yaml | grep "refers: rt-sent-2@desk.example.org" &&
	grep "^status: resolved$" $T/ticket.yaml
'

test_expect_success 'an ARF report goes to the ticket and marks the address' '
	rt-ingest <$B/arf.eml >got && test_cmp expect got &&
	grep "ev: bounce" $T/log.yaml | grep "kind: arf" | grep "address: kunde@customer.example"
'

test_expect_success 'an auto-reply goes to the ticket, reopens nothing, marks nothing' '
	rt-ingest <$B/vacation.eml >got && test_cmp expect got &&
	grep "ev: bounce" $T/log.yaml | grep "kind: auto-reply" >ar && ! grep bouncing ar &&
	grep "^status: resolved$" $T/ticket.yaml && lastin $ID >lastin &&
	test_cmp lastin.before lastin
'

test_expect_success 'a DSN returning only the Subject finds the ticket by its tag' '
	sed "/^Message-Id: <rt-sent-1/d; s/Test #XXXXXXXX/Test #$ID/; s/Message-Id: <2026/Message-Id: <t2026/" \
		$B/postfix-dsn.eml | rt-ingest >got && test_cmp expect got &&
	grep "refers: .tag #$ID" $T/log.yaml
'

test_expect_success 'a redelivered bounce is stored once' '
	before=$(git rev-parse HEAD) && rt-ingest <$B/postfix-dsn.eml >got && test_cmp expect got &&
	test "$(git rev-parse HEAD)" = "$before"
'

test_expect_success 'a bounce of mail the desk did not send opens a ticket as before' '
	sed "s/rt-sent-1@desk.example.org/someone-else@example.net/" $B/postfix-dsn.eml |
		sed "s/Message-Id: <2026/Message-Id: <x2026/" | rt-ingest >got2 &&
	! test_cmp expect got2
'

test_expect_success 'rt-reply warns about a bouncing requestor' '
	printf "#!/bin/sh\ncat >/dev/null\n" >"$TRASH/swallow" && chmod +x "$TRASH/swallow" &&
	sed -i "s|mailer: .*|mailer: sendmail://$TRASH/swallow|" rt.yaml && git commit -qm mailer rt.yaml &&
	echo "Hallo" | rt-reply $ID 2>err; cat err;
	grep "warning: kunde@customer.example bounced earlier mail" err
'

test_expect_success 'a DSN whose returned Message-Id is folded onto the next line reaches the ticket' '
	t=$(cust k@fold.example "to be bounced, folded" c-fold@x | rt-ingest) &&
	sent $t rt-sent-fold@desk.example.org k@fold.example &&
	sed "s/^Message-Id: <rt-sent-1@desk.example.org>/Message-Id:\n <rt-sent-fold@desk.example.org>/; s/Message-Id: <2026/Message-Id: <f2026/" \
		$B/postfix-dsn.eml | rt-ingest >got && echo $t >want && test_cmp want got &&
	grep "ev: bounce.*refers: rt-sent-fold@desk.example.org" $(ticket_dir $t)/log.yaml
'

test_expect_success 'a bounce from "MAILER-DAEMON <>" (DragonFly Mail Agent) is a DSN' '
	t=$(cust k@dma.example "to be bounced, dma" c-dma@x | rt-ingest) &&
	sent $t rt-sent-dma@desk.example.org k@dma.example &&
	printf "From: MAILER-DAEMON <>\nTo: support@example.org\nSubject: Mail delivery failed\nMessage-Id: <dma1@mx.example>\n\nThere was an error delivering your mail to <k@dma.example>.\n\nMessage headers follow.\n\nSubject: to be bounced\nMessage-Id: <rt-sent-dma@desk.example.org>\nFrom: <support@example.org>\n" |
		rt-ingest >got && echo $t >want && test_cmp want got &&
	grep "ev: bounce.*kind: dsn.*refers: rt-sent-dma@desk.example.org" $(ticket_dir $t)/log.yaml
'

if [ -f "$CORPUS/mail/sisimai/bsd/lhost-amazonworkmail-01.eml" ]; then
test_expect_success 'the corpus Amazon WorkMail (folded Message-Id) and DragonFly bounces reach their ticket' '
	for c in "bsd/lhost-amazonworkmail-01.eml 000001523f1865dd-0dbfd06e-bfce-4637-b049-3318ea42f98a-000000@us-west-2.amazonses.com" \
	    "bsd/lhost-dragonfly-02.eml 66681300.e06d1.6964aaf9@df.example.jp"; do
		set -- $c &&
		t=$(cust k@y.example "to be bounced $1" "c-$1@y" | rt-ingest) && sent $t "$2" k@y.example &&
		rt-ingest <"$CORPUS/mail/sisimai/$1" >got && echo $t >want && test_cmp want got &&
		grep "ev: bounce" $(ticket_dir $t)/log.yaml || exit 1
	done
'
else
	test_skip 'the corpus Amazon WorkMail (folded Message-Id) and DragonFly bounces reach their ticket' "no corpus at $CORPUS"
fi

if [ -f "$CORPUS/mail/sisimai/bsd/rhost-zoho-01.eml" ]; then
test_expect_success 'real DSNs from the corpus (Postfix via Zoho, Exim, ARF) reach their ticket' '
	for f in bsd/rhost-zoho-01.eml bsd/lhost-exim-02.eml bsd/arf-14.eml; do
		dsn=$CORPUS/mail/sisimai/$f &&
		mid=$(grep -i "^Message-Id:" "$dsn" | sed -n "2{s/^[^<]*<//; s/>.*//; p}" | tr -d "\r") &&
		test -n "$mid" || { echo "no returned Message-Id in $f"; exit 1; }
		t=$(cust k@x.example "to be bounced $f" "c-$f@x" | rt-ingest) && sent $t "$mid" k@x.example &&
		rt-ingest <"$dsn" >got && echo $t >want && test_cmp want got &&
		grep "ev: bounce" $(ticket_dir $t)/log.yaml || exit 1
	done
'
else
	test_skip 'real DSNs from the corpus (Postfix via Zoho, Exim, ARF) reach their ticket' "no corpus at $CORPUS"
fi

test_done
