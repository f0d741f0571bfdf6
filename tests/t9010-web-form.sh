#!/bin/sh
# rt-web's contact form and status pages through a real lighttpd, posted
# with curl as a browser posts the form's own fields, and rendered by
# headless Chromium: tickets on the web channel with the acknowledgement,
# CSRF, honeypot, rate and size limits, hostile input, tokens that show a
# requestor only their own tickets and never internal notes.
. "$(dirname "$0")/lib.sh"

CHROMIUM=
for c in chromium chromium-browser; do
	command -v $c >/dev/null && CHROMIUM=$c && break
done
# (one start can both print the DOM and take the screenshot of a page: a
# start is 5-9 s on a loaded host, so a test that wants both starts once)
chrome() {
	timeout 60 $CHROMIUM --headless --no-sandbox --disable-gpu --disable-quic --no-first-run \
	    --disable-background-networking --disable-component-update --disable-sync \
	    --user-data-dir="$TRASH/chrome" "$@" 2>/dev/null
}

# fields PAGE: the form's fields as name=value lines (hidden ones included).
fields() {
	python3 - "$1" <<-'PY'
	import html.parser, sys
	class P(html.parser.HTMLParser):
	    def handle_starttag(self, tag, attrs):
	        a = dict(attrs)
	        if tag in ("input", "textarea") and "name" in a:
	            print("%s=%s" % (a["name"], a.get("value") or ""))
	P().feed(open(sys.argv[1], encoding="utf-8").read())
	PY
}
# submit NAME ADDRESS SUBJECT TEXT [curl options]: fetches the form and
# posts its fields as a browser would; prints the status; page in out.
submit() {
	curl -s -o form.html "$WEB/rt/new" &&
	csrf=$(fields form.html | sed -n "s/^csrf=//p") &&
	_n=$1 _a=$2 _s=$3 _t=$4 && shift 4 &&
	curl -s -o out -D headers -w '%{http_code}' --data-urlencode "csrf=$csrf" \
	    --data-urlencode "name=$_n" --data-urlencode "address=$_a" \
	    --data-urlencode "subject=$_s" --data-urlencode "text=$_t" \
	    --data-urlencode "website=" "$@" "$WEB/rt/new"
}
tickets() { rt-ls --ids | wc -l | tr -d ' '; }
status_link() { sed -n 's/.*id="status" href="\([^"]*\)".*/\1/p' out; }

test_expect_success 'the example configuration names the desk the README sets up' '
	d=$(sed -n "s|^    rt-init --name .* \(/[^ ]*\)$|\1|p" "$SRC_ROOT/README") &&
	test -n "$d" && grep "^var.rt_desk = \"$d\"$" "$SRC_ROOT/share/web/lighttpd.conf"
'

test_expect_success 'the README states the example'"'"'s lighttpd body limit (its own 413)' '
	kib=$(sed -n "s/^server.max-request-size = \([0-9]*\)$/\1/p" "$SRC_ROOT/share/web/lighttpd.conf") &&
	test -n "$kib" && tr "\n" " " <"$SRC_ROOT/README" >readme &&
	grep "server.max-request-size = $kib (KiB), for the whole server: a body over $((kib / 1024)) MiB is refused with lighttpd.s own 413" readme
'

test_expect_success LIGHTTPD 'setup: a desk that acknowledges, behind lighttpd' '
	new_desk &&
	sed -i "s/^  max-bytes: .*/&\n  on-arrival: {acknowledge: ack}/" rt.yaml &&
	cat >>rt.yaml <<-EOC &&
	web:
	  form-max-bytes: 4096
	  attach-max-bytes: 10000
	  rate-limit: {per-address: 3, per-client: 50, period: 3600}
	EOC
	git commit -qm web rt.yaml &&
	start_lighttpd . && echo "$WEB" >../web-url
'
WEB=$(cat web-url 2>/dev/null); cd desk 2>/dev/null

test_expect_success LIGHTTPD 'GET /new: a form with labels for every field, no script, strict headers' '
	test "$(curl -s -o form.html -D headers -w "%{http_code}" "$WEB/rt/new")" = 200 &&
	grep -i "^Content-Security-Policy: default-src .none." headers &&
	grep -i "^Cache-Control: no-store" headers &&
	grep -i "^Content-Type: text/html; charset=utf-8" headers &&
	! grep -i "<script\|http://\|https://" form.html &&
	python3 - form.html <<-'PY'
	import html.parser, sys
	ids, fors, stack = set(), set(), []
	void = {"meta", "input", "br", "link"}
	class P(html.parser.HTMLParser):
	    def handle_starttag(self, tag, attrs):
	        a = dict(attrs)
	        if tag in ("input", "textarea") and a.get("type") != "hidden":
	            ids.add(a["id"])
	        if tag == "label":
	            fors.add(a["for"])
	        if tag not in void:
	            stack.append(tag)
	    def handle_endtag(self, tag):
	        assert stack.pop() == tag, tag
	P().feed(open(sys.argv[1], encoding="utf-8").read())
	assert not stack, stack
	assert ids == fors, (ids, fors)
	assert {"name", "address", "subject", "text", "attachment", "website"} == ids, ids
	PY
'

test_expect_success LIGHTTPD,CHROMIUM 'headless Chromium renders the form with its fields' '
	chrome --dump-dom --screenshot="$TRASH/form.png" --window-size=800,900 "$WEB/rt/new" >dom.html &&
	grep "<form method=\"post\" action=\"/rt/new\"" dom.html &&
	for f in name address subject text csrf; do grep -q "name=\"$f\"" dom.html || exit 1; done &&
	test "$(head -c 8 "$TRASH/form.png" | od -An -tx1 | tr -d " \n")" = 89504e470d0a1a0a
'

test_expect_success LIGHTTPD 'a submission opens a ticket on the web channel and acknowledges it' '
	test "$(submit "Eva Muster" eva@example.com "Printer on fire" "It smokes.")" = 200 &&
	id=$(sed -n "s/.*id=\"ticket\">#\([0-9A-Z]*\)<.*/\1/p" out) && test -n "$id" &&
	rt-show "$id" >show &&
	grep "^channel  *web" show && grep "^requestors  *eva@example.com" show &&
	grep "^subject  *Printer on fire" show &&
	grep "^From: \"Test Desk\" <support@example.org>" "$TRASH/sent-mail" && grep "^To: .*eva@example.com" "$TRASH/sent-mail" &&
	grep "^Subject: .*#$id" "$TRASH/sent-mail" &&
	status_link >../eva-link && grep "^/rt/status/[0-9a-f]\{32\}$" ../eva-link &&
	test "$(rt-web --token eva@example.com)" = "$(sed "s|^/rt||" ../eva-link)"
'

test_expect_success LIGHTTPD 'the status page: state, time, the conversation, never internal notes' '
	id=$(rt-ls --ids) &&
	echo "SECRET-INTERNAL-NOTE" | rt-comment "$id" >/dev/null &&
	echo "We sent a technician." | rt-reply --set-status waiting "$id" >/dev/null &&
	test "$(curl -s -o page.html -D headers -w "%{http_code}" "$WEB$(cat ../eva-link)")" = 200 &&
	grep -i "^Cache-Control: no-store" headers &&
	grep "Printer on fire" page.html && grep "It smokes." page.html &&
	grep "We sent a technician." page.html &&
	grep "class=\"state\">waiting for your answer<" page.html &&
	grep "2026-11-25 10:00" page.html &&
	! grep "SECRET-INTERNAL-NOTE" page.html
'

test_expect_success LIGHTTPD,CHROMIUM 'headless Chromium shows the status page; another requestor sees nothing of it' '
	chrome --dump-dom --screenshot="$TRASH/status.png" --window-size=800,900 "$WEB$(cat ../eva-link)" >dom.html &&
	grep "Printer on fire" dom.html && grep "waiting for your answer" dom.html &&
	test $(wc -c <"$TRASH/status.png") -gt 5000 &&
	test "$(submit "" bob@example.org "My own question" "Hello")" = 200 &&
	status_link >../bob-link && ! test_cmp ../eva-link ../bob-link &&
	chrome --dump-dom "$WEB$(cat ../bob-link)" >bob.html &&
	grep "My own question" bob.html && ! grep "Printer on fire" bob.html
'

# ocr PNG: the words tesseract reads in a screenshot, on one line.
ocr() { tesseract "$1" - 2>/dev/null | tr -s " \n" "  "; }

test_expect_success LIGHTTPD,CHROMIUM,OCR 'the status page screenshot reads (OCR) the subject and the state; another requestor'\''s does not' '
	chrome --screenshot="$TRASH/eva.png" --window-size=1000,900 --force-device-scale-factor=2 \
	    "$WEB$(cat ../eva-link)" &&
	ocr "$TRASH/eva.png" >eva.txt &&
	grep "Printer on fire" eva.txt && grep "waiting for your answer" eva.txt &&
	chrome --screenshot="$TRASH/bob.png" --window-size=1000,900 --force-device-scale-factor=2 \
	    "$WEB$(cat ../bob-link)" &&
	ocr "$TRASH/bob.png" >bob.txt &&
	grep "My own question" bob.txt && ! grep -i "printer" bob.txt
'

test_expect_success LIGHTTPD 'wrong, foreign-looking and revoked tokens show the same empty page' '
	curl -s -o none.html -w "%{http_code}" "$WEB/rt/status/0123456789abcdef0123456789abcdef" >code &&
	grep 404 code && ! grep "Printer" none.html &&
	for t in ..%2F..%2Fetc%2Fpasswd "%3Cscript%3E" ABCDEF0123456789ABCDEF0123456789 x; do
		curl -s -o other.html -w "%{http_code}\n" "$WEB/rt/status/$t" >code &&
		grep -E "^40[04]$" code && ! grep -i "<script\|Printer" other.html || exit 1
	done &&
	rt-web --revoke eva@example.com &&
	test "$(curl -s -o rev.html -w "%{http_code}" "$WEB$(cat ../eva-link)")" = 404 &&
	cmp none.html rev.html &&
	rt-web --restore eva@example.com &&
	test "$(curl -s -o /dev/null -w "%{http_code}" "$WEB$(cat ../eva-link)")" = 200
'

test_expect_success LIGHTTPD 'hostile input is escaped or refused, never stored raw in headers' '
	n=$(tickets) &&
	test "$(submit "<script>alert(1)</script>" mallory@example.com "\"><img src=x onerror=alert(2)>" "<b>hi</b>")" = 200 &&
	test "$(tickets)" = $((n + 1)) &&
	curl -s "$WEB$(status_link)" >evil.html &&
	! grep "<script>alert\|<img src=x\|<b>hi" evil.html &&
	grep "&lt;img src=x onerror=alert(2)&gt;" evil.html &&
	test "$(submit "Eve
Bcc: victim@example.org" eve@example.com "Hi" "x")" = 400 &&
	test "$(submit "Eve" "eve@example.com
Bcc: victim@example.org" "Hi" "x")" = 400 &&
	test "$(submit "Eve" eve@example.com "Hi
Bcc: victim@example.org" "x")" = 400 &&
	grep "class=\"error\"" out &&
	test "$(tickets)" = $((n + 1)) && ! grep -i "victim" "$TRASH/sent-mail"
'

# maxlength FIELD: the form's own limit of a field (form.html).
maxlength() { sed -n "s/.*id=\"$1\" name=\"$1\"[^>]* maxlength=\"\([0-9]*\)\".*/\1/p" form.html; }

test_expect_success LIGHTTPD 'what the form'\''s maxlength lets a browser send is taken: characters, not bytes; a line break one' '
	n=$(tickets) &&
	sed -i "s/^  form-max-bytes: .*/  form-max-bytes: 65536/" rt.yaml && git commit -qm "roomy form" rt.yaml &&
	test_when_finished "sed -i \"s/^  form-max-bytes: .*/  form-max-bytes: 4096/\" rt.yaml && git commit -qm \"small form\" rt.yaml" &&
	curl -s -o form.html "$WEB/rt/new" && csrf=$(fields form.html | sed -n "s/^csrf=//p") &&
	nmax=$(maxlength name) smax=$(maxlength subject) tmax=$(maxlength text) &&
	test "$nmax" = 100 && test "$smax" = 200 && test "$tmax" = 20000 &&
	rep() { python3 -c "import sys; sys.stdout.write(sys.argv[1] * int(sys.argv[2]))" "$1" "$2"; } &&
	rep "山" "$nmax" >name.txt && rep "件" "$smax" >subject.txt &&
	python3 -c "import sys; sys.stdout.write(\"Grüße aus Köln\r\n\" * (int(sys.argv[1]) // 15))" "$tmax" >text.txt &&
	test $(wc -c <text.txt) -gt "$tmax" &&
	test "$(curl -s -o out -w "%{http_code}" -F "csrf=$csrf" -F "name=<name.txt" -F address=yamada@example.jp \
	    -F "subject=<subject.txt" -F "text=<text.txt" -F website= "$WEB/rt/new")" = 200 &&
	id=$(sed -n "s/.*id=\"ticket\">#\([0-9A-Z]*\)<.*/\1/p" out) && test -n "$id" &&
	rt-show "$id" >show && grep "^subject  *$(cat subject.txt)$" show &&
	grep "^From: *$(cat name.txt) <yamada@example.jp>$" show &&
	test "$(rt-show --json "$id" | jq -r ".messages[0].text" | grep -c "^Grüße aus Köln$")" = $((tmax / 15)) &&
	rep "山" $((nmax + 1)) >name.txt &&
	test "$(curl -s -o out -w "%{http_code}" -F "csrf=$csrf" -F "name=<name.txt" -F address=yamada2@example.jp \
	    -F subject=Hi -F text=x -F website= "$WEB/rt/new")" = 400 &&
	grep "class=\"error\".*>The field “Your name” is too long: at most $nmax characters\.<" out &&
	test "$(curl -s -o out -w "%{http_code}" -H "Accept-Language: de" -F "csrf=$csrf" -F "name=<name.txt" \
	    -F address=yamada2@example.jp -F subject=Hi -F text=x -F website= "$WEB/rt/new")" = 400 &&
	grep "class=\"error\".*>Das Feld „Ihr Name“ ist zu lang: höchstens $nmax Zeichen\.<" out &&
	rep "件" $((smax + 1)) >subject.txt &&
	test "$(curl -s -o out -w "%{http_code}" -F "csrf=$csrf" -F name=Y -F address=yamada3@example.jp \
	    -F "subject=<subject.txt" -F text=x -F website= "$WEB/rt/new")" = 400 &&
	grep "class=\"error\".*>The field “Subject” is too long: at most $smax characters\.<" out &&
	rep "ä" $((tmax + 1)) >text.txt &&
	test "$(curl -s -o out -w "%{http_code}" -F "csrf=$csrf" -F name=Y -F address=yamada3@example.jp \
	    -F subject=Hi -F "text=<text.txt" -F website= "$WEB/rt/new")" = 400 &&
	grep "class=\"error\".*>The field “Your message” is too long: at most $tmax characters\.<" out &&
	a=$(rep a 250)@example.jp && test "$(maxlength address)" = 254 &&
	test "$(curl -s -o out -w "%{http_code}" -F "csrf=$csrf" -F name=Y -F "address=$a" \
	    -F subject=Hi -F text=x -F website= "$WEB/rt/new")" = 400 &&
	grep "class=\"error\".*>The field “Your e-mail address” is too long: at most 254 characters\.<" out &&
	test "$(tickets)" = $((n + 1))
'

test_expect_success LIGHTTPD 'a NUL byte or bad UTF-8 in a field: 400 that says so (not "too long"), nothing stored' '
	n=$(tickets) &&
	curl -s -o form.html "$WEB/rt/new" && csrf=$(fields form.html | sed -n "s/^csrf=//p") &&
	test "$(curl -s -o out -w "%{http_code}" --data-urlencode "csrf=$csrf" \
	    --data "name=Nul&address=nul%40example.com&subject=Hi&text=a%00b&website=" "$WEB/rt/new")" = 400 &&
	grep "class=\"error\".*A field contains a NUL byte or text that is not valid UTF-8\." out &&
	! grep "too long" out &&
	test "$(curl -s -o out -w "%{http_code}" --data-urlencode "csrf=$csrf" \
	    --data "name=Nul&address=nul%40example.com&subject=Hi%FF&text=x&website=" "$WEB/rt/new")" = 400 &&
	grep "not valid UTF-8" out &&
	printf "a\000b" >nul.txt &&
	test "$(curl -s -o out -w "%{http_code}" -F "csrf=$csrf" -F name=Nul -F address=nul@example.com \
	    -F subject=Hi -F "text=<nul.txt" -F website= "$WEB/rt/new")" = 400 &&
	grep "A field contains a NUL byte" out && ! grep "too long" out &&
	test "$(tickets)" = "$n"
'

test_expect_success LIGHTTPD 'no or a wrong or an expired CSRF token: 403, nothing stored' '
	n=$(tickets) &&
	curl -s -o out -w "%{http_code}" --data "name=a&address=a%40example.com&subject=s&text=t" "$WEB/rt/new" >code &&
	grep 403 code &&
	curl -s -o out -w "%{http_code}" --data "csrf=1795600800.00000000000000000000000000000000&address=a%40example.com&subject=s&text=t" "$WEB/rt/new" >code &&
	grep 403 code &&
	curl -s -o form.html "$WEB/rt/new" && csrf=$(fields form.html | sed -n "s/^csrf=//p") &&
	echo "export RT_NOW=2026-11-25T13:00:00Z" >"$TRASH/web-env" &&
	test_when_finished "rm -f \"$TRASH/web-env\"" &&
	curl -s -o out -w "%{http_code}" --data-urlencode "csrf=$csrf" --data "address=a%40example.com&subject=s&text=t" "$WEB/rt/new" >code &&
	grep 403 code && grep "expired" out &&
	test "$(tickets)" = "$n"
'

test_expect_success LIGHTTPD 'a filled honeypot is thanked for and stores nothing' '
	n=$(tickets) &&
	test "$(submit Bot bot@example.com "Cheap pills" "Buy" --data-urlencode "website=http://spam.example")" = 200 &&
	! grep "id=\"ticket\"" out && test "$(tickets)" = "$n"
'

test_expect_success LIGHTTPD 'the rate limit per address: 429 with Retry-After, nothing stored' '
	test "$(submit Eva eva@example.com "Second" "again")" = 200 &&
	test "$(submit Eva EVA@example.com "Third" "again")" = 200 &&
	n=$(tickets) &&
	test "$(submit Eva eva@example.com "Fourth" "again")" = 429 &&
	grep -i "^Retry-After: [0-9]" headers && test "$(tickets)" = "$n" &&
	! grep -q "eva@example.com" .git/rt/web-rate &&
	echo "export RT_NOW=2026-11-25T11:00:01Z" >"$TRASH/web-env" &&
	test_when_finished "rm -f \"$TRASH/web-env\"" &&
	test "$(submit Eva eva@example.com "Next hour" "again")" = 200
'

# A bad value in rt.yaml is a warning for the admin: through CGI's
# standard error into the web server's log (lighttpd: server.breakagelog),
# one line naming the file, line and key; the visitor gets the page.
test_expect_success LIGHTTPD 'a bad web.rate-limit value: the default applies, the error log says why' '
	cp rt.yaml rt.yaml.good &&
	sed -i "s/^  rate-limit: .*/  rate-limit: {per-address: 3, per-client: 50, period: hourly}/" rt.yaml &&
	git commit -qm "a bad period" rt.yaml &&
	test_when_finished "mv rt.yaml.good rt.yaml && git commit -qm \"period back\" rt.yaml" &&
	test "$(submit Walt walt@example.com "Warned" "Hello")" = 200 && grep "id=\"ticket\"" out &&
	! grep -i "hourly\|rt.yaml" out &&
	grep "rt-web: warning: $(pwd)/rt.yaml:[0-9]*:[0-9]*: web.rate-limit.period .hourly. is not a whole number; the default 3600 is used$" \
	    "$TRASH/lighttpd/cgi.log" &&
	test "$(grep -c "web.rate-limit.period .hourly." "$TRASH/lighttpd/cgi.log")" = 1
'

test_expect_success LIGHTTPD 'a locked desk: 503 with Retry-After, the form again with what was written; sending that stores it once' '
	rm -f lock-held lock-release &&
	( flock 9; : >lock-held; while [ ! -e lock-release ]; do sleep 0.1; done ) 9>.git/rt/lock &
	test_when_finished ": >lock-release; wait" &&
	n=$(tickets) &&
	echo "export RT_LOCK_TIMEOUT=1" >"$TRASH/web-env" &&
	test_when_finished "rm -f \"$TRASH/web-env\"" &&
	while [ ! -e lock-held ]; do sleep 0.1; done &&
	test "$(submit "Lena Lock" lena@example.com "Desk busy" "Written once, not twice.")" = 503 &&
	grep -i "^Retry-After: 60" headers &&
	grep "class=\"error\".*could not be stored just now" out &&
	fields out >again &&
	grep "^name=Lena Lock$" again && grep "^address=lena@example.com$" again &&
	grep "^subject=Desk busy$" again && grep ">Written once, not twice.</textarea>" out &&
	test "$(tickets)" = "$n" && : >lock-release && wait &&
	csrf=$(sed -n "s/^csrf=//p" again) &&
	test "$(curl -s -o out -w "%{http_code}" --data-urlencode "csrf=$csrf" --data-urlencode "name=Lena Lock" \
	    --data-urlencode address=lena@example.com --data-urlencode "subject=Desk busy" \
	    --data-urlencode "text=Written once, not twice." --data-urlencode website= "$WEB/rt/new")" = 200 &&
	grep "id=\"ticket\"" out && test "$(tickets)" = $((n + 1))
'

test_expect_success LIGHTTPD 'oversized, wrongly typed and wrong-method requests store nothing' '
	n=$(tickets) &&
	big=$(head -c 5000 /dev/zero | tr "\0" a) &&
	test "$(submit Eva eve2@example.com "Big" "$big")" = 413 &&
	grep "The form is too long altogether; please shorten the message\." out && ! grep "field" out &&
	test "$(curl -s -o out -w "%{http_code}" -H "Content-Type: text/plain" --data-binary "x" "$WEB/rt/new")" = 415 &&
	test "$(curl -s -o out -w "%{http_code}" -H "Content-Type: multipart/form-data" --data-binary "--x--" "$WEB/rt/new")" = 400 &&
	test "$(curl -s -o out -w "%{http_code}" -H "Content-Type: multipart/form-data; boundary=x" --data-binary "--x
Content-Disposition: form-data; name=\"text\"

unterminated" "$WEB/rt/new")" = 400 &&
	test "$(curl -s -o out -D headers -w "%{http_code}" -X PUT --data x "$WEB/rt/new")" = 405 &&
	grep -i "^Allow: GET, POST" headers &&
	test "$(curl -s -o out -w "%{http_code}" "$WEB/rt/nothing-here")" = 404 &&
	test "$(tickets)" = "$n"
'

test_expect_success LIGHTTPD 'a broken multipart form: 400 naming what is wrong (cut off, or garbled), not "too long"; nothing stored' '
	n=$(tickets) &&
	curl -s -o form.html "$WEB/rt/new" && csrf=$(fields form.html | sed -n "s/^csrf=//p") &&
	printf -- "--x\r\nContent-Disposition: form-data; name=\"csrf\"\r\n\r\n%s\r\n--x\r\nContent-Disposition: form-data; name=\"text\"\r\n\r\nthe upload stopped here" \
	    "$csrf" >cut.body &&
	test "$(curl -s -o out -w "%{http_code}" -H "Content-Type: multipart/form-data; boundary=x" \
	    --data-binary @cut.body "$WEB/rt/new")" = 400 &&
	grep "The form arrived incomplete, cut off before its end" out && ! grep "too long" out &&
	head -c 30 cut.body >cut2.body &&
	test "$(curl -s -o out -w "%{http_code}" -H "Content-Type: multipart/form-data; boundary=x" \
	    --data-binary @cut2.body "$WEB/rt/new")" = 400 &&
	grep "cut off before its end" out &&
	printf -- "--x\r\nContent-Type: text/plain\r\n\r\nno field name\r\n--x--\r\n" >garbled.body &&
	test "$(curl -s -o out -w "%{http_code}" -H "Content-Type: multipart/form-data; boundary=x" \
	    --data-binary @garbled.body "$WEB/rt/new")" = 400 &&
	grep "The form arrived garbled: its multipart/form-data framing is broken" out && ! grep "too long" out &&
	test "$(curl -s -o out -w "%{http_code}" -H "Accept-Language: de" -H "Content-Type: multipart/form-data; boundary=x" \
	    --data-binary @cut.body "$WEB/rt/new")" = 400 &&
	grep "Das Formular kam unvollständig an" out &&
	test "$(tickets)" = "$n"
'

# submit_file NAME ADDRESS FILE FILENAME [curl options]: the form as a
# browser posts it with a file (multipart/form-data); prints the status.
submit_file() {
	curl -s -o form.html "$WEB/rt/new" &&
	csrf=$(fields form.html | sed -n "s/^csrf=//p") &&
	_n=$1 _a=$2 _f=$3 _fn=$4 && shift 4 &&
	curl -s -o out -D headers -w '%{http_code}' -F "csrf=$csrf" -F "name=$_n" \
	    -F "address=$_a" -F "subject=A file from $_n" -F "text=See the file." -F "website=" \
	    -F "attachment=@$_f;filename=$_fn;type=image/png" "$@" "$WEB/rt/new"
}

test_expect_success LIGHTTPD 'a file with the form: stored on the ticket, its hostile name made safe, saved byte-exact' '
	python3 -c "import sys; sys.stdout.buffer.write(bytes(range(256)) * 20 + b\"\\r\\n--x\\r\\n\\x00end\")" >file.bin &&
	test "$(submit_file Finn finn@example.net file.bin "../../etc/.passwd")" = 200 &&
	id=$(sed -n "s/.*id=\"ticket\">#\([0-9A-Z]*\)<.*/\1/p" out) && test -n "$id" &&
	rt-show "$id" >show &&
	grep "See the file." show &&
	grep "^\[attachment 1: image/png, [0-9]* bytes, passwd\]$" show &&
	mkdir saved && rt-show "$id" --save 1 --dir saved >where &&
	echo saved/passwd >expect && test_cmp expect where &&
	cmp file.bin saved/passwd &&
	test "$(ls -A saved)" = passwd &&
	curl -s "$WEB$(status_link)" >page.html && grep "See the file." page.html
'

test_expect_success LIGHTTPD 'an oversized file or a second file: refused, nothing stored' '
	n=$(tickets) &&
	head -c 12000 /dev/zero >big.bin &&
	test "$(submit_file Gus gus@example.net big.bin big.bin)" = 413 &&
	grep "class=\"error\"" out &&
	head -c 200000 /dev/zero >huge.bin &&
	test "$(submit_file Gus gus@example.net huge.bin huge.bin)" = 413 &&
	printf "small" >small.bin &&
	test "$(submit_file Gus gus@example.net small.bin a.txt -F "attachment=@small.bin;filename=b.txt")" = 400 &&
	test "$(tickets)" = "$n"
'

# A browser never fills a file input in again: a form shown again says so
# by the file input, naming the file, so it is not lost unnoticed.
test_expect_success LIGHTTPD 'a locked desk and a file: the form again says the file was not kept, to choose again' '
	rm -f unlock && { ( flock 9 && while [ ! -f unlock ]; do sleep 0.05; done ) 9>>.git/rt/lock & } &&
	locker=$! && test_when_finished ": >unlock" &&
	n=$(tickets) &&
	echo "export RT_LOCK_TIMEOUT=1" >"$TRASH/web-env" &&
	test_when_finished "rm -f \"$TRASH/web-env\"" &&
	sleep 0.5 && printf "chosen" >chosen.bin &&
	test "$(submit_file Lena lena2@example.com chosen.bin report.txt)" = 503 &&
	grep "class=\"error\".*could not be stored just now" out &&
	grep "id=\"attachment-again\">The file “report.txt” was not kept: please choose it again" out &&
	fields out | grep "^name=Lena$" &&
	test "$(submit_file Lena lena2@example.com chosen.bin report.txt -H "Accept-Language: de")" = 503 &&
	grep "id=\"attachment-again\">Die Datei „report.txt“ wurde nicht übernommen" out &&
	test "$(submit Lena lena2@example.com "No file" "none")" = 503 && ! grep "attachment-again" out &&
	test "$(tickets)" = "$n" && : >unlock && wait $locker
'

test_expect_success LIGHTTPD,CHROMIUM 'headless Chromium shows the note by the file input of the form shown again' '
	test "$(submit_file Lena lena3@example.com chosen.bin report.txt -F "attachment=@chosen.bin;filename=b.txt")" = 400 &&
	cp out again.html && chrome --dump-dom "file://$PWD/again.html" >dom-again.html &&
	grep "type=\"file\"" dom-again.html && grep "The file “report.txt” was not kept" dom-again.html
'

# The program's own address (/rt of the example, no PATH_INFO) goes to
# its folder, /rt/, as a web server sends a folder's address: the form.
test_expect_success LIGHTTPD 'GET /rt: 301 to /rt/ (the query kept), which shows the form' '
	test "$(curl -s -o out -D headers -w "%{http_code}" "$WEB/rt")" = 301 &&
	tr -d "\r" <headers >h && grep -i "^Location: /rt/$" h &&
	test "$(curl -s -o out -D headers -w "%{http_code}" "$WEB/rt?x=1")" = 301 &&
	tr -d "\r" <headers >h && grep -i "^Location: /rt/?x=1$" h &&
	test "$(curl -s -L -o form2.html -w "%{http_code} %{url_effective}" "$WEB/rt")" = "200 $WEB/rt/" &&
	fields form2.html | grep "^csrf=[0-9]" && grep "<form method=\"post\" action=\"/rt/new\"" form2.html &&
	test "$(curl -s -o out -D headers -w "%{http_code}" -X POST --data x "$WEB/rt")" = 405 &&
	test "$(curl -s -o out -w "%{http_code}" -X POST --data x "$WEB/rt/")" = 405
'

test_expect_success LIGHTTPD,CHROMIUM 'headless Chromium opening /rt lands on the form' '
	chrome --dump-dom "$WEB/rt" >dom2.html &&
	grep "<form method=\"post\" action=\"/rt/new\"" dom2.html
'

test_expect_success LIGHTTPD 'a failed acknowledgement never fails the form; rt-route --pending sends it' '
	cp rt.yaml rt.yaml.good &&
	sed -i "s|^  mailer: .*|  mailer: sendmail:///nonexistent/sendmail|" rt.yaml && git commit -qm "no mailer" rt.yaml &&
	test "$(submit Carla carla@example.net "No ack yet" "Hello")" = 200 &&
	id=$(sed -n "s/.*id=\"ticket\">#\([0-9A-Z]*\)<.*/\1/p" out) && test -n "$id" &&
	! grep "^To: .*carla@example.net" "$TRASH/sent-mail" &&
	grep "acknowledge" "$TRASH/lighttpd/cgi.log" &&
	mv rt.yaml.good rt.yaml && git commit -qm "mailer back" rt.yaml &&
	rt-route --pending >/dev/null &&
	grep "^To: .*carla@example.net" "$TRASH/sent-mail"
'

# decoded: the sent mail, quoted-printable undone.
decoded() {
	python3 -c "import quopri, sys; sys.stdout.buffer.write(quopri.decodestring(open(sys.argv[1], \"rb\").read()))" \
	    "$TRASH/sent-mail"
}

test_expect_success LIGHTTPD 'without web.base-url the shipped mails carry no status link and no empty line for it' '
	: >"$TRASH/sent-mail" &&
	test "$(submit Nina nina@example.net "Without link" "Hello")" = 200 &&
	decoded >decoded && grep "^To: .*nina@example.net" decoded &&
	! grep -i "status\|your requests with us" decoded &&
	test "$(tail -n 1 decoded)" = "Test Desk"
'

test_expect_success LIGHTTPD 'with web.base-url the shipped acknowledgement, replies and status mails carry the link, and it opens the status page; never in a mail with a copy to others' '
	printf "  base-url: $WEB/rt/\n" >tmp && sed -i "/^web:/r tmp" rt.yaml &&
	git commit -qm "status link in mails" rt.yaml &&
	: >"$TRASH/sent-mail" &&
	test "$(submit Dora dora@example.net "With link" "Hello")" = 200 &&
	id=$(sed -n "s/.*id=\"ticket\">#\([0-9A-Z]*\)<.*/\1/p" out) && link=$(status_link) &&
	decoded >decoded &&
	tail -n 3 decoded >footer &&
	printf "Test Desk\n\nYour requests with us and their state: %s\n" "$WEB$link" >expect &&
	test_cmp expect footer &&
	test "$(rt-web --token dora@example.net)" = "$WEB$link" &&
	test "$(curl -s -o page.html -w "%{http_code}" "$WEB$link")" = 200 &&
	grep "With link" page.html && grep "class=\"state\">received<" page.html &&
	: >"$TRASH/sent-mail" &&
	echo "Fixed." | rt-reply --template resolved "$id" >/dev/null &&
	decoded >decoded && grep "^Your requests with us and their state: $WEB$link$" decoded &&
	: >"$TRASH/sent-mail" &&
	echo "A copy for your boss." | rt-reply --template delivery --cc boss@example.org "$id" >/dev/null &&
	decoded >decoded && grep "^Cc: .*boss@example.org" decoded && grep "^Kind regards" decoded &&
	! grep "status/\|Your requests with us" decoded &&
	: >"$TRASH/sent-mail" &&
	rt-set "$id" status=waiting >/dev/null &&
	decoded >decoded && grep "^X-RT-Notify: " decoded &&
	grep "^Your requests with us and their state: $WEB$link$" decoded
'

test_expect_success LIGHTTPD 'German for a German browser' '
	curl -s -H "Accept-Language: de-DE,de;q=0.9" "$WEB/rt/new" >de.html &&
	grep "<html lang=\"de\">" de.html && grep "Ihre E-Mail-Adresse" de.html &&
	curl -s -H "Accept-Language: de" "$WEB$(cat ../eva-link)" >de.html &&
	grep "Ihre Anfragen" de.html
'

test_expect_success LIGHTTPD 'the status page tells times in desk.timezone' '
	sed -i "s/^  timezone: UTC/  timezone: Europe\/Berlin/" rt.yaml && git commit -qm tz rt.yaml &&
	curl -s "$WEB$(cat ../eva-link)" >tz.html &&
	grep "<dd>2026-11-25 11:00</dd>" tz.html && ! grep "10:00" tz.html
'

test_expect_success LIGHTTPD 'no sanitizer or valgrind report in the CGI'\''s error log' '
	! grep -E "Invalid (read|write|free)|uninitialised|definitely lost|AddressSanitizer|LeakSanitizer|runtime error:" "$TRASH/lighttpd/cgi.log"
'

test_expect_success 'rt-web --token and --revoke take "Name <addr>" as its address, refuse a non-address' '
	new_desk $TRASH/tok &&
	t=$(rt-web --token eva@example.com) && test -n "$t" &&
	test "$(rt-web --token "Eva Muster <Eva@Example.com>")" = "$t" &&
	test "$(rt-web --token " eva@example.com ")" = "$t" &&
	rt-web --revoke "Eva <eva@example.com>" && grep -c . .git/rt/web-revoked >n && test "$(cat n)" = 1 &&
	rt-web --restore eva@example.com && test_cmp /dev/null .git/rt/web-revoked &&
	for bad in "" "Eva Muster" "a@b.example, c@d.example" "$(printf "a@b.example\nx")"; do
		rt-web --token "$bad" >out 2>err; test $? = 64 && test_cmp /dev/null out &&
		test $(wc -l <err) = 1 && grep "not a mail address" err || return 1
	done
'

test_done
