#!/bin/sh
# What rt prints to people is safe for a terminal: text from outside (mail,
# events, the desk's files) never drives it (escape sequences, C1 controls)
# nor reorders it (bidi overrides); --raw, --save and JSON keep it exact.
. "$(dirname "$0")/lib.sh"

new_desk || exit 1

RLO=$(printf '\342\200\256')	# U+202E RIGHT-TO-LEFT OVERRIDE
ESC=$(printf '\033')

# no_raw FILE: no ESC, BEL, CR, C1 control or bidi override/isolate in FILE
no_raw() {
	! LC_ALL=C grep -q -P '\x1b|\x07|\r|\xc2[\x80-\x9f]|\xe2\x80[\xaa-\xae]|\xe2\x81[\xa6-\xa9]' "$1"
}

test_expect_success 'setup: mail and an event whose text reorders or drives a terminal' '
	{
		printf "From: =?utf-8?b?%s?= <m@evil.example>\n" "$(printf "Mallory ${RLO}moc.evil" | base64)" &&
		printf "To: support@example.org\nSubject: Invoice ${RLO}fdp.exe\nMessage-Id: <bidi@evil.example>\n" &&
		printf "MIME-Version: 1.0\nContent-Type: multipart/mixed; boundary=XX\n\n" &&
		printf -- "--XX\nContent-Type: text/plain; charset=utf-8\n\nopen invoice${RLO}fdp.exe\n" &&
		printf -- "--XX\nContent-Type: application/octet-stream\nContent-Disposition: attachment; filename=\"invoice${RLO}fdp.exe\"\n\nMZ\n" &&
		printf -- "--XX\nContent-Type: image/png${ESC}[2J${ESC}]0;pwned\a\nContent-Disposition: attachment; filename=ct.png\n\nPNG\n" &&
		printf -- "--XX--\n"
	} >bidi.eml &&
	id=$(rt-ingest <bidi.eml) && echo $id >id &&
	printf "[{\"type\":\"message\",\"user\":\"U1\",\"text\":\"pay ${RLO}fdp.exe\",\"ts\":\"1736478514.1\",\"channel\":\"C1\"}]\n" >chat.json &&
	rt-ingest --event --source slack chat.json >eid
'

test_expect_success 'rt-show: overrides and controls are shown as escapes, never sent' '
	rt-show $(cat id) >out &&
	no_raw out &&
	grep -x "subject      Invoice \\\\u202Efdp.exe" out &&
	grep -x "Subject: Invoice \\\\u202Efdp.exe" out &&
	grep -x "From:    \"Mallory \\\\u202Emoc.evil\" <m@evil.example>" out &&
	grep -x "open invoice\\\\u202Efdp.exe" out &&
	grep "^\[attachment 1: application/octet-stream, 2 bytes, invoice\\\\u202Efdp.exe\]$" out &&
	rt-show --log $(cat id) >log && no_raw log && grep "subject=Invoice \\\\u202Efdp.exe" log &&
	rt-show --git-log $(cat id) >glog && no_raw glog && grep "Invoice \\\\u202Efdp.exe" glog &&
	rt-show $(cat eid) >eout && no_raw eout && grep "pay \\\\u202Efdp.exe" eout
'

test_expect_success 'a Content-Type with escapes in it is invalid: text/plain (RFC 2045 5.2), as --json says' '
	rt-show $(cat id) >out && no_raw out &&
	grep "^\[attachment 2: text/plain, 3 bytes, ct.png\]$" out &&
	rt-show --json $(cat id) | python3 -c "
import json, sys; a = json.load(sys.stdin)[\"messages\"][0][\"attachments\"]
assert [x[\"type\"] for x in a] == [\"application/octet-stream\", \"text/plain\"], a"
'

test_expect_success 'rt-ls: the table and --format show the escapes' '
	rt-ls >table && no_raw table && grep "Invoice \\\\u202Efdp.exe$" table &&
	rt-ls --format "%{id}\t%{subject}\n" >fmt && no_raw fmt &&
	grep -x "$(cat id)	Invoice \\\\u202Efdp.exe" fmt
'

test_expect_success 'rt-report --topics and rt-quarantine show: nothing raw' '
	rt-report --topics 5 >rep && no_raw rep &&
	printf "junk ${RLO}txt.exe ${ESC}]52;c;cHduZWQ=\a\n" >junk &&
	{ rt-ingest <junk 2>err; test $? = 65; } &&
	rt-quarantine >ql && no_raw ql &&
	qid=$(rt-quarantine --json | python3 -c "import json,sys; print(json.load(sys.stdin)[0][\"id\"])") &&
	rt-quarantine show $qid >qs && no_raw qs && grep "junk \\\\u202Etxt.exe \\\\x1B]52" qs
'

test_expect_success 'the bytes stay exact: --raw, --json and the stored mail' '
	rt-show --raw 1 $(cat id) >raw && cmp raw bidi.eml &&
	rt-show --json $(cat id) | python3 -c "
import json, sys; m = json.load(sys.stdin)[\"messages\"][0]
assert m[\"subject\"] == \"Invoice \u202efdp.exe\", m[\"subject\"]
assert m[\"attachments\"][0][\"name\"] == \"invoice\u202efdp.exe\", m[\"attachments\"]" &&
	rt-ls --json | grep -q "Invoice $RLO"
'

test_expect_success 'rt-show --save: a saved name holds no override (it would list as invoiceexe.pdf)' '
	mkdir saved && rt-show --save 1 --dir saved $(cat id) >paths &&
	test -f saved/invoicefdp.exe && no_raw paths && test "$(cat saved/invoicefdp.exe)" = MZ
'

test_done
