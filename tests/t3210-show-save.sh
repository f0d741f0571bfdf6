#!/bin/sh
# rt-show --save: attachments written out decoded, byte-exact, never outside the folder
. "$(dirname "$0")/lib.sh"

new_desk || exit 1

# part FILENAME-PARAM FILE: a base64 attachment part
part() {
	printf -- '--XX\nContent-Type: application/octet-stream\nContent-Disposition: attachment; filename="%s"\nContent-Transfer-Encoding: base64\n\n' "$1"
	base64 <"$2"
}

hostile_mail() {
	cat <<-\EOM
	From: Mallory <m@evil.example>
	To: support@example.org
	Subject: files
	Message-Id: <h1@evil.example>
	MIME-Version: 1.0
	Content-Type: multipart/mixed; boundary="XX"

	--XX
	Content-Type: text/plain

	see attached
	EOM
	part "report.bin" bin
	part "../../etc/passwd" evil
	part "/abs/evil.sh" evil
	part "=?UTF-8?Q?a=1B=5B31mb=07.txt?=" evil
	part "" evil
	part ".." evil
	cat <<-\EOM
	--XX
	Content-Type: text/plain; charset=utf-8
	Content-Disposition: attachment; filename="qp.txt"
	Content-Transfer-Encoding: quoted-printable

	Ein Bericht =C3=A4
	line two
	--XX--
	EOM
}

test_expect_success 'setup: a real multipart mail and one with hostile names' '
	python3 -c "import sys; sys.stdout.buffer.write(bytes(range(256)) * 13 + b\"\\r\\n\\x00end\")" >bin &&
	printf "evil\\n" >evil &&
	printf "Ein Bericht \\303\\244\\nline two" >qp.txt &&
	id1=$(RT_NOW=2026-11-25T09:00:00Z rt-ingest <"$FIXTURES/mail/cpython-test-email/msg_22.txt") &&
	hostile_mail >hostile.eml &&
	id2=$(RT_NOW=2026-11-25T09:10:00Z rt-ingest <hostile.eml) &&
	echo $id1 >id1 && echo $id2 >id2 &&
	rt-show $id2 | grep "^\\[attachment [0-9]*:" | cut -d: -f1 >n &&
	seq 1 7 | sed "s/^/[attachment /" >expect && test_cmp expect n
'
ID1=$(cat id1 2>/dev/null) ID2=$(cat id2 2>/dev/null)

test_expect_success 'a real mail: attachment 2 decoded, byte-exact (cmp with the base64 in the mail)' '
	mkdir out1 &&
	rt-show $ID1 --save 2 --dir out1 >saved &&
	echo out1/wibble2.JPG >expect && test_cmp expect saved &&
	awk "/filename=\"wibble2.JPG\"/{f=1;next} f&&/^--/{exit} f&&NF&&!/:/{print}" \
	    "$FIXTURES/mail/cpython-test-email/msg_22.txt" | base64 -d >want &&
	test -s want && cmp want out1/wibble2.JPG
'

test_expect_success 'binary bytes with CR, LF and NUL survive; --output FILE and -' '
	rt-show $ID2 --save 1 --output got.bin >saved && cmp bin got.bin &&
	echo got.bin >expect && test_cmp expect saved &&
	rt-show $ID2 --save 1 --output - >stdout.bin && cmp bin stdout.bin &&
	rt-show $ID2 --save 7 --output - >qp.out && cmp qp.txt qp.out
'

test_expect_success 'hostile names never leave the folder' '
	mkdir -p sub/dir && cd sub/dir &&
	rt-show $ID2 --save all >saved &&
	cat saved &&
	test $(wc -l <saved) = 7 &&
	ls -A >files &&
	printf "%s\\n" "a [31mb .txt" attachment-5 attachment-6 evil.sh files passwd qp.txt report.bin saved | sort >expect &&
	sort files >got && test_cmp expect got &&
	test ! -e ../passwd && test ! -e ../../etc && test ! -e /abs/evil.sh &&
	! grep -q "$(printf "\\033")" saved &&
	cmp passwd ../../evil && cmp report.bin ../../bin
'

test_expect_success 'nothing is overwritten without --force, never through a symlink' '
	cd sub/dir &&
	echo mine >keep && cp keep report.bin &&
	test_must_fail rt-show $ID2 --save 1 2>err &&
	grep "report.bin. exists; --force overwrites it" err && cmp keep report.bin &&
	rt-show $ID2 --save 1 --force >/dev/null && cmp ../../bin report.bin &&
	rm passwd && ln -s ../../victim passwd &&
	test_must_fail rt-show $ID2 --save 2 --force 2>err && test ! -e ../../victim
'

test_expect_success 'rt-show(1)'"'"'s example as written: --save all --dir ~/cases/ID makes the folder' '
	HOME=$TRASH/home && mkdir "$HOME" &&
	rt-show --save all --dir ~/cases/$ID2 $ID2 >saved &&
	test $(wc -l <saved) = 7 && cmp "$HOME/cases/$ID2/report.bin" bin &&
	: >afile && test_must_fail rt-show --save 1 --dir afile/sub $ID2 2>err &&
	grep "cannot create the folder .afile/sub." err
'
test_expect_success 'errors: no such attachment, bad numbers, options without --save' '
	test_must_fail rt-show $ID2 --save 8 --output x 2>err && grep "has 7 attachments" err && test ! -e x &&
	test_must_fail rt-show $ID2 --save 0 2>err &&
	test_must_fail rt-show $ID2 --output x 2>err &&
	test_must_fail rt-show $ID2 --save all --output x 2>err
'

test_expect_success 'a name too long for the disk is shortened, keeping its extension' '
	long=$(printf "%0250d" 0 | tr 0 a) && uml=$(printf "%0150d" 0 | sed "s/0/\xc3\xbc/g") &&
	{ printf "From: a@example.com\nSubject: long names\nMessage-Id: <long@x>\nMIME-Version: 1.0\nContent-Type: multipart/mixed; boundary=\"XX\"\n\n";
	  part "$long.pdf" evil; part "$uml.tar.gz" evil; part "$long" evil; echo "--XX--"; } >long.eml &&
	id=$(rt-ingest <long.eml) && mkdir long && rt-show $id --save all --dir long >saved &&
	test $(wc -l <saved) = 3 && ls long >names &&
	grep "^a*\.pdf$" names && u=$(printf "\303\274") && grep "^\($u\)*\.tar\.gz$" names && grep "^a*$" names &&
	while read n; do test ${#n} -le 200 || exit 1; done <names
'

test_done
