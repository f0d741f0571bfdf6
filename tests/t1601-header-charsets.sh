#!/bin/sh
# Header bytes no encoded word declares, and raw 8-bit bytes inside one:
# each is read in the charset that applies to it, never decoded twice
. "$(dirname "$0")/lib.sh"

new_desk desk || exit 1

subject_of() { rt-ls --where id=$1 --format "%{subject}\n"; }

# A Latin-1 "ö" (0xF6) raw inside a Q word declared iso-8859-1 (as sent
# by old mailers; the corpus has it from Hunny Software's samples): it
# was read as windows-1252 first, then the word decoded the UTF-8 again.
test_expect_success 'a raw 8-bit byte inside an encoded word is in the word charset' '
	printf "From: a@example.com\nSubject: =?iso-8859-1?Q?Die_Hasen_und_die_Fr\366sche?=\nMessage-Id: <w1@x>\n\nhi\n" >w1.eml &&
	id=$(rt-ingest <w1.eml) &&
	echo "Die Hasen und die Frösche" >expect &&
	subject_of $id >actual && test_cmp expect actual
'

test_expect_success 'raw Latin-1 text beside an encoded word' '
	printf "From: a@example.com\nSubject: Gr\374\337e =?utf-8?Q?und_K=C3=BCsse?=\nMessage-Id: <w2@x>\n\nhi\n" >w2.eml &&
	id=$(rt-ingest <w2.eml) &&
	echo "Grüße und Küsse" >expect &&
	subject_of $id >actual && test_cmp expect actual
'

# GB2312 subject and sender name sent raw, the body declaring gb2312:
# mail readers take the message's charset; windows-1252 gave mojibake.
test_expect_success 'undeclared 8-bit header bytes take the message charset' '
	printf "From: \"\265\332\322\273\" <a@example.com>\nSubject: \275\370\277\332\nMessage-Id: <w3@x>\nContent-Type: text/plain; charset=gb2312\n\nhi\n" >w3.eml &&
	id=$(rt-ingest <w3.eml) &&
	echo "进口" >expect &&
	subject_of $id >actual && test_cmp expect actual &&
	rt-show $id >show && grep "第一" show
'

test_expect_success 'without a usable message charset they stay windows-1252' '
	printf "From: a@example.com\nSubject: caf\351 \200\nMessage-Id: <w4@x>\nContent-Type: text/plain; charset=x-no-such\n\nhi\n" >w4.eml &&
	id=$(rt-ingest <w4.eml) &&
	echo "café €" >expect &&
	subject_of $id >actual && test_cmp expect actual &&
	printf "From: a@example.com\nSubject: caf\303\251\nMessage-Id: <w5@x>\nContent-Type: text/plain; charset=gb2312\n\nhi\n" >w5.eml &&
	id=$(rt-ingest <w5.eml) &&
	echo "café" >expect &&
	subject_of $id >actual && test_cmp expect actual
'

# Hunny Software's m2013: To: Heinz =?iso-8859-1?Q?M<0xFC>ller?= gave
# "Heinz M=?WINDOWS-1252?QFC?=ller?=" (a word wrapped inside the word)
test_expect_success 'a raw 8-bit byte inside an encoded word of an address' '
	printf "From: Heinz =?iso-8859-1?Q?M\374ller?= <h@example.com>\nTo: Jo =?iso-8859-1?Q?Sch\366n?= <support@example.org>\nSubject: x\nMessage-Id: <w6@x>\n\nhi\n" >w6.eml &&
	id=$(rt-ingest <w6.eml) &&
	rt-show $id >show && cat show &&
	grep "^From: *Heinz Müller <h@example.com>" show &&
	grep "^To: *Jo Schön <support@example.org>" show
'

# Hunny Software's m1010 (Netscape 4.7): charset=UTF-8 over Latin-1 text;
# every umlaut became U+FFFD and rt-ls --text could not find the words
test_expect_success 'a body declared UTF-8 without one UTF-8 sequence is Latin-1' '
	printf "From: a@example.com\nSubject: f\nMessage-Id: <w7@x>\nContent-Type: text/plain; charset=UTF-8\n\nDie Hasen und die Kr\366ten\n" >w7.eml &&
	id=$(rt-ingest <w7.eml) &&
	rt-show $id >show && grep "^Die Hasen und die Kröten$" show &&
	test "$(rt-ls --text kröten --ids)" = $id
'

test_expect_success 'a UTF-8 body with one stray byte stays UTF-8' '
	printf "From: a@example.com\nSubject: g\nMessage-Id: <w8@x>\nContent-Type: text/plain; charset=UTF-8\n\nGr\303\274\303\237e \377 zur\303\274ck\n" >w8.eml &&
	id=$(rt-ingest <w8.eml) &&
	rt-show $id >show && grep "^Grüße � zurück$" show
'

test_expect_success CORPUS 'the corpus mails that showed it read right' '
	c=$CORPUS/mail &&
	id=$(rt-ingest <$c/hunnysoft-mua-samples/m2004.txt) &&
	echo "Die Hasen und die Frösche" >expect &&
	subject_of $id >actual && test_cmp expect actual
'

test_done
