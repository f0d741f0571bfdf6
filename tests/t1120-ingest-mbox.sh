#!/bin/sh
# rt-ingest --mbox: split like mutt and GNU Mailutils, one id per message in order
. "$(dirname "$0")/lib.sh"
export RT_NOW=2026-11-23T10:00:00Z
# Memory figures mean nothing under ASan (its quarantine keeps freed memory) or valgrind.
SANITIZED=${RT_VALGRIND:-}
sanitized_build && SANITIZED=1

new_desk desk

msg() { # msg N [BODY-LAST-LINE]
	printf 'From: Kunde %s <k%s@example.com>\nSubject: message %s\nMessage-Id: <mb%s@example.com>\nMIME-Version: 1.0\nContent-Type: multipart/mixed; boundary="b%s"\n\n--b%s\nContent-Type: text/plain\n\nText %s.\n--b%s--\n' \
		"$1" "$1" "$1" "$1" "$1" "$1" "$1" "$1"
}

test_expect_success 'a From_ line right after a MIME body line starts a new message' '
	{ echo "From k1@example.com Mon Nov 23 09:00:00 2026"; msg 1;
	  echo "From k2@example.com Mon Nov 23 09:01:00 2026"; msg 2;
	  echo; echo "From k3@example.com Mon Nov 23 09:02:00 +0100 2026"; msg 3; } >nob.mbox &&
	rt-ingest --mbox nob.mbox >ids 2>err && test $(wc -l <ids) = 3 &&
	test $(sort -u ids | wc -l) = 3 &&
	for i in 1 2 3; do
		id=$(sed -n ${i}p ids) && msg $i >expect.$i &&
		cmp expect.$i $(ticket_dir $id)/msg/*.eml || exit 1
	done
'

test_expect_success 'ids come in file order, also for duplicates' '
	{ echo "From k4@example.com Mon Nov 23 09:00:00 2026"; msg 4; echo;
	  echo "From k1@example.com Mon Nov 23 09:00:00 2026"; msg 1; echo;
	  echo "From k5@example.com Mon Nov 23 09:00:00 2026"; msg 5; echo;
	  echo "From k4@example.com Mon Nov 23 09:00:00 2026"; msg 4; } >dups.mbox &&
	rt-ingest --mbox dups.mbox >ids2 && test $(wc -l <ids2) = 4 &&
	sed -n 2p ids2 >a && sed -n 1p ids >b && test_cmp b a &&
	sed -n 1p ids2 >a && sed -n 4p ids2 >b && test_cmp a b &&
	test "$(sed -n 3p ids2)" != "$(sed -n 1p ids2)"
'

test_expect_success 'a body line starting "From " without a date stays in the body' '
	{ echo "From k6@example.com Mon Nov 23 09:00:00 2026";
	  printf "From: k6@example.com\nSubject: six\nMessage-Id: <mb6@x>\n\nHallo\n\nFrom here on the printer is broken.\nFrom the office\n>From quoted\n"; } >body.mbox &&
	rt-ingest --mbox body.mbox >ids3 && test $(wc -l <ids3) = 1 &&
	f=$(ticket_dir $(cat ids3))/msg/*.eml &&
	grep "^From here on the printer" $f && grep "^From the office" $f && grep "^>From quoted" $f
'

test_expect_success 'Thunderbird "From - " separators after a blank line split' '
	{ echo "From - "; printf "From: a@x\nSubject: tb1\nMessage-Id: <tb1@x>\n\none\n\n";
	  echo "From - "; printf "From: a@x\nSubject: tb2\nMessage-Id: <tb2@x>\n\ntwo\n"; } >tb.mbox &&
	rt-ingest --mbox tb.mbox >ids4 && test $(wc -l <ids4) = 2
'

if [ -f "$CORPUS/mail/mailutils/spool/mbox2" ]; then
test_expect_success 'the corpus mboxes split into as many messages as mutt finds' '
	for m in mailutils/spool/teaparty.mbox mailutils/spool/mbox2 patchwork/series/bugs-nocover.mbox; do
		f=$CORPUS/mail/$m &&
		n=$(grep -ac "^From .* [0-9][0-9]:[0-9][0-9]" "$f") &&
		rt-ingest --mbox "$f" >idsc && test $(wc -l <idsc) = $n || exit 1
	done
'
else
	test_skip 'the corpus mboxes split into as many messages as mutt finds' "no corpus at $CORPUS"
fi

test_expect_code 65 'a file that is no mbox is quarantined whole' '
	printf "From: a@x\nSubject: no envelope\n\nbody\n" >plain.txt &&
	rt-ingest --mbox plain.txt >out 2>err; rc=$?;
	cat err; grep "not an mbox" err && q=$(git ls-tree -r --name-only HEAD quarantine | grep "\.eml$") &&
	cmp plain.txt $q &&
	# the one line every refused input gets: the entry id, not its path
	test $(wc -l <err) = 1 && test "$(quarantined err)" = "$q" &&
	grep "^rt-ingest: plain.txt: cannot read mbox: not an mbox: .* (kept in quarantine as [0-9a-zA-Z-]*)$" err &&
	! grep "quarantine/" err && exit $rc
'

test_expect_code 65 'a file that is no mbox over ingest.max-bytes: its headers kept, said so in one line' '
	cp rt.yaml rt.yaml.before && test_when_finished "cp rt.yaml.before rt.yaml && git commit -qm back rt.yaml" &&
	sed -i "s/^  max-bytes: .*/  max-bytes: 1000/" rt.yaml && git commit -qm small rt.yaml &&
	{ printf "From: a@x\nSubject: no envelope, big\n\n"; head -c 5000 /dev/zero | tr "\\0" y; } >bigplain.txt &&
	rt-ingest --mbox bigplain.txt >out 2>err; rc=$?;
	cat err; test $(wc -l <err) = 1 &&
	grep "^rt-ingest: bigplain.txt: cannot read mbox: not an mbox: .* (headers kept in quarantine as [0-9a-zA-Z-]*)$" err &&
	grep "^Subject: no envelope, big$" "$(quarantined err)" && exit $rc
'

test_expect_success 'a large mbox is read without holding it in memory' '
	{ for i in $(seq 1 40); do echo "From k@x Mon Nov 23 09:00:00 2026"; printf "From: k@x\nSubject: big %s\nMessage-Id: <big%s@x>\n\n" $i $i;
	  head -c 300000 /dev/zero | tr "\\0" "x" | fold -w 76; echo; done; } >big.mbox &&
	test $(wc -c <big.mbox) -gt 12000000 &&
	awk "/^From k@x/ { n++ } n == 1" big.mbox >one.mbox &&
	/usr/bin/time -f %M -o rss1 rt-ingest --mbox one.mbox >/dev/null &&
	/usr/bin/time -f %M -o rss rt-ingest --mbox big.mbox >idsb && test $(wc -l <idsb) = 40 &&
	echo "peak RSS $(tail -1 rss) KB for $(wc -c <big.mbox) bytes, $(tail -1 rss1) KB for one message" &&
	# holding the 12 MB file would add 11,900 KB or more; the
	# buffers, pack groups and roll-ups of a batch vary by some hundred KB a run
	{ [ -n "$SANITIZED" ] || test $(tail -1 rss) -lt $(( $(tail -1 rss1) + 8000 )); }
'

test_expect_success '--keep-dates dates tickets by Date, else the first Received' '
	{ echo "From a@x Mon Nov 23 09:00:00 2026";
	  printf "From: a@x\nSubject: old one\nMessage-Id: <kd1@x>\nDate: Tue, 02 Mar 2021 14:05:00 +0100\n\nold\n\n";
	  echo "From a@x Mon Nov 23 09:00:00 2026";
	  printf "Received: from b by mx; Wed, 03 Mar 2021 08:00:00 +0000\nReceived: from c by b; Wed, 03 Mar 2021 07:00:00 +0000\nFrom: a@x\nSubject: no date\nMessage-Id: <kd2@x>\n\nundated\n\n";
	  echo "From a@x Mon Nov 23 09:00:00 2026";
	  printf "From: a@x\nSubject: Re: old one\nIn-Reply-To: <kd1@x>\nMessage-Id: <kd3@x>\nDate: Thu, 04 Mar 2021 10:00:00 +0000\n\nlater\n"; } >old.mbox &&
	rt-ingest --mbox old.mbox --keep-dates >idk && test $(wc -l <idk) = 3 &&
	t1=$(ticket_dir $(sed -n 1p idk)) && t2=$(ticket_dir $(sed -n 2p idk)) &&
	grep "^created: .2021-03-02T13:05:00Z.$" $t1/ticket.yaml &&
	grep "^created: .2021-03-03T08:00:00Z.$" $t2/ticket.yaml &&
	grep "2021-03-04T10:00:00Z.*ev: mail-in" $t1/log.yaml &&
	! grep "2026-11-23" $t1/log.yaml
'

test_expect_success 'without --keep-dates tickets are dated by arrival' '
	sed "s/kd\([0-9]\)@x/ka\1@x/" old.mbox >new.mbox &&
	rt-ingest --mbox new.mbox >ida && t=$(ticket_dir $(sed -n 1p ida)) &&
	grep "^created: .2026-11-23T10:00:00Z.$" $t/ticket.yaml
'

test_expect_success 'an id reaches the pipe only once its ticket is on the branch' '
	for i in $(seq 20 59); do
		echo "From k$i@example.com Mon Nov 23 09:00:00 2026"; msg $i; echo
	done >pipe.mbox &&
	rt-ingest --mbox pipe.mbox | while read id; do
		rt-show "$id" >/dev/null || echo "$id" >>missing
	done &&
	test ! -e missing &&
	test $(rt-ls --ids | wc -l) -ge 40
'

test_expect_success 'an import stores and indexes what one rt-ingest a mail does' '
	mkdir same && cd same &&
	msg 70 >m.1 &&
	printf "From: Jörg <j@example.com>\nTo: support@example.org, second@example.org\nCc: boss@example.com\nSubject: =?UTF-8?Q?Gr=C3=BC=C3=9Fe?= aus Köln\nMessage-Id: <same2@example.com>\nContent-Type: text/plain; charset=utf-8\nContent-Transfer-Encoding: 8bit\n\nDer Drucker und die Maschine sind nicht mit dem Netz verbunden, Grüße.\n" >m.2 &&
	printf "From: Zoé <z@example.com>\nSubject: caf\351 latin\nMessage-Id: <same3@example.com>\nContent-Type: text/plain; charset=iso-8859-1\n\nL\351a a un probl\350me avec le caf\351.\n" >m.3 &&
	printf "From: Jörg <j@example.com>\nSubject: Re: Grüße\nIn-Reply-To: <same2@example.com>\nMessage-Id: <same4@example.com>\nContent-Type: text/plain; charset=us-ascii\n\nStill broken, printer offline.\n" >m.4 &&
	{ printf "From: big@example.com\nSubject: large\nMessage-Id: <same5@example.com>\n\n"; seq 1 4000 | sed "s/^/line word/"; } >m.5 &&
	{ printf "From: a@example.com\nSubject: with file\nMessage-Id: <same6@example.com>\nMIME-Version: 1.0\nContent-Type: multipart/mixed; boundary=z\n\n--z\nContent-Type: text/plain; charset=utf-8\n\nsee attached invoice\n--z\nContent-Type: application/pdf; name=bill.pdf\nContent-Disposition: attachment; filename=bill.pdf\n\nJVBERi0=\n--z--\n"; } >m.6 &&
	printf "From: Jörg <j@example.com>\nSubject: Re: Grüße\nIn-Reply-To: <same4@example.com>\nMessage-Id: <same7@example.com>\nContent-Type: text/plain; charset=utf-8\n\nJetzt geht es wieder, danke.\n" >m.7 &&
	for i in 1 2 3 4 5 6 7; do echo "From x@example.com Mon Nov 23 09:00:00 2026"; cat m.$i; echo; done >all.mbox &&
	new_desk one && cd .. && new_desk many && cd .. &&
	(cd one && rt-ingest --mbox ../all.mbox >/dev/null) &&
	(cd many && for i in 1 2 3 4 5 6 7; do rt-ingest <../m.$i >/dev/null || exit 1; done) &&
	for d in one many; do
		(cd $d && rt-ls --all --format "%{id}\t%{subject}\n" | sort -t "	" -k2 |
		while IFS="	" read -r id subject; do
			t=$(ticket_dir $id) && echo "== $subject" &&
			sed -e "s/^id: .*/id: ID/" -e "s/$id/ID/g" -e "s/{id: [^,]*,/{id: EV,/" $t/ticket.yaml $t/log.yaml &&
			ls $t/msg || exit 1
		done &&
		for w in drucker gruesse cafe printer word413 invoice jetzt; do
			echo "-- $w" && rt-ls --all --text $w --format "%{subject}\n" | sort
		done &&
		git rev-list --count HEAD) >$d.txt || exit 1
	done &&
	test_cmp many.txt one.txt &&
	grep -q "^-- gruesse" one.txt && test $(grep -c "^== " one.txt) = 5 &&
	test $(sed -n "/^-- jetzt/,/^--/p" one.txt | grep -c "Grüße") = 1
'

test_expect_code 64 '--keep-dates is for imports only' '
	printf "From: a@x\n\nx\n" | rt-ingest --keep-dates
'

test_done
