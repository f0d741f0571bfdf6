#!/bin/sh
# rt-show --save all keeps every attachment when two share a name (the
# corpus has one.gif twice, and seven forwarded mails all called "test")
. "$(dirname "$0")/lib.sh"

new_desk desk || exit 1

# two messages, three attachments called one.gif, of different bytes
att() { # att NAME BYTES-BASE64
	printf -- "--b\nContent-Type: image/gif; name=\"%s\"\nContent-Disposition: attachment; filename=\"%s\"\nContent-Transfer-Encoding: base64\n\n%s\n" "$1" "$1" "$2"
}
test_expect_success 'setup: a ticket with attachments of the same name' '
	{ printf "From: a@example.com\nSubject: pics\nMessage-Id: <p1@x>\nMIME-Version: 1.0\nContent-Type: multipart/mixed; boundary=b\n\n--b\nContent-Type: text/plain\n\nsee\n"
	  att one.gif "$(echo first | base64)"; att one.gif "$(echo second | base64)"; att notes "$(echo n1 | base64)"; printf -- "--b--\n"; } >p1.eml &&
	ID=$(rt-ingest <p1.eml) &&
	{ printf "From: a@example.com\nSubject: Re: pics\nMessage-Id: <p2@x>\nIn-Reply-To: <p1@x>\nMIME-Version: 1.0\nContent-Type: multipart/mixed; boundary=b\n\n--b\nContent-Type: text/plain\n\nagain\n"
	  att one.gif "$(echo third | base64)"; att notes "$(echo n2 | base64)"; printf -- "--b--\n"; } >p2.eml &&
	test "$(rt-ingest <p2.eml)" = $ID
'
ID=$(rt-ls --ids)

test_expect_success '--save all writes each of them, the later ones numbered' '
	rt-show --save all --dir out $ID >saved &&
	printf "out/one.gif\nout/one-2.gif\nout/notes\nout/one-4.gif\nout/notes-5\n" >expect &&
	test_cmp expect saved &&
	echo first >expect && test_cmp expect out/one.gif &&
	echo second >expect && test_cmp expect out/one-2.gif &&
	echo third >expect && test_cmp expect out/one-4.gif &&
	echo n2 >expect && test_cmp expect out/notes-5
'

test_expect_success '--force writes them again, still none over another' '
	rt-show --save all --force --dir out $ID >saved &&
	echo second >expect && test_cmp expect out/one-2.gif &&
	echo first >expect && test_cmp expect out/one.gif &&
	test $(ls out | wc -l) = 5
'

test_expect_success '--save N takes the name as it is' '
	rt-show --save 4 --dir n4 $ID >saved &&
	echo n4/one.gif >expect && test_cmp expect saved &&
	echo third >expect && test_cmp expect n4/one.gif
'

test_done
