#!/bin/sh
# A part that is not text and carries neither a filename nor a
# Content-Disposition (a message forwarded as message/rfc822, a bare
# image, as some mailers send them) is an attachment: rt-show lists it,
# --json has it, the routing condition attachment sees it.
. "$(dirname "$0")/lib.sh"

new_desk desk || exit 1
fwd() {
	printf 'From: Agent <a@example.org>\nTo: support@example.org\nSubject: Fwd: printer\nMessage-Id: <fwd1@x>\n'
	printf 'MIME-Version: 1.0\nContent-Type: multipart/mixed; boundary=b1\n\n--b1\nContent-Type: text/plain\n\n'
	printf 'See the customer mail below.\n\n--b1\nContent-Type: message/rfc822\n\n'
	printf 'From: Kunde <k@example.com>\nSubject: Drucker kaputt\nMessage-Id: <orig@c>\n\nDer Drucker druckt nicht.\n\n'
	printf -- '--b1\nContent-Type: image/gif\nContent-Transfer-Encoding: base64\n\nR0lGODlhAQABAAAAACw=\n--b1--\n'
}

test_expect_success 'rt-show lists the forwarded message and the bare image' '
	fwd | rt-ingest >id &&
	rt-show $(cat id) >out && cat out &&
	grep "See the customer mail below" out &&
	grep -x "\[attachment 1: message/rfc822, [0-9]* bytes, (no name)\]" out &&
	grep -x "\[attachment 2: image/gif, 14 bytes, (no name)\]" out
'

test_expect_success '--json has both, with their types' '
	rt-show --json $(cat id) >json &&
	python3 -c "import json,sys; d=json.load(open(\"json\"))
t=[a[\"type\"] for a in d[\"messages\"][0][\"attachments\"]]
sys.exit(0 if t == [\"message/rfc822\", \"image/gif\"] else 1)"
'

test_done
