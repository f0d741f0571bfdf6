#!/bin/sh
# rt-show --save at its edges: all of a ticket without attachments is
# nothing to do (0, as cp -R of an empty folder), and a --dir that cannot
# be made is said once, not once per attachment.
. "$(dirname "$0")/lib.sh"

new_desk || exit 1

part() { # part NAME: a small base64 attachment part
	printf -- '--XX\nContent-Type: application/octet-stream\nContent-Disposition: attachment; filename="%s"\nContent-Transfer-Encoding: base64\n\n' "$1"
	printf 'data %s\n' "$1" | base64
}

test_expect_success 'setup' '
	printf "From: a@example.com\nTo: support@example.org\nSubject: plain\nMessage-Id: <p@x>\n\nno files\n" |
	    rt-ingest >$TRASH/plain &&
	{ printf "From: a@example.com\nTo: support@example.org\nSubject: files\nMessage-Id: <f@x>\nMIME-Version: 1.0\nContent-Type: multipart/mixed; boundary=\"XX\"\n\n";
	  part one.bin; part two.bin; part three.bin; echo "--XX--"; } | rt-ingest >$TRASH/files
'
P=$(cat $TRASH/plain) F=$(cat $TRASH/files)

test_expect_success '--save all of a ticket without attachments: 0, nothing written or said' '
	mkdir empty && (cd empty && rt-show --save all $P >../out 2>../err) &&
	! test -s out && ! test -s err && test -z "$(ls empty)" &&
	rt-show --save all --dir made $P >out 2>err && ! test -s out && ! test -s err &&
	! test -e made
'

test_expect_success '--save all over several tickets: the one without attachments is no error' '
	mkdir both && printf "%s\n%s\n" $P $F | rt-show --save all --dir both >out &&
	test $(wc -l <out) = 3 && cmp both/two.bin - <<-\EOF
	data two.bin
	EOF
'

test_expect_code 66 '--save N past the last attachment is still 66, in one line naming the count' '
	rt-show --save 4 --dir x $F 2>err; rc=$?; cat err;
	test "$(wc -l <err)" = 1 && grep "#$F: no attachment 4: the ticket has 3 attachments" err &&
	! grep "#$F.*#$F" err && test ! -e x && exit $rc
'

test_expect_code 73 'a --dir that cannot be made: said once, nothing written' '
	: >afile && rt-show --save all --dir afile/sub $F >out 2>err; rc=$?; cat err;
	test "$(wc -l <err)" = 1 && grep "cannot create the folder .afile/sub." err &&
	! test -s out && exit $rc
'

test_done
