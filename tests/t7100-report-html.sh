#!/bin/sh
# rt-report --html: one self-contained page with SVG charts, rendered in headless Chromium
. "$(dirname "$0")/lib.sh"

new_desk desk

mail() { # mail TIME SUBJECT
	printf 'From: Kunde <kunde@example.com>\nTo: support@example.org\nSubject: %s\nMessage-Id: <%s@example.com>\n\nHallo\n' \
	    "$2" "$1" | RT_NOW=$1 rt-ingest
}

test_expect_success 'build a small desk' '
	a=$(mail 2026-11-02T09:00:00Z "VPN <script>alert(1)</script> & Zugang") &&
	b=$(mail 2026-11-03T09:00:00Z "Drucker kaputt") &&
	c=$(mail 2026-11-04T09:00:00Z "Rechnung falsch") &&
	RT_NOW=2026-11-05T09:00:00Z rt-set $a status=resolved queue=general "customer=<b>Acme & Co</b>" >/dev/null &&
	RT_NOW=2026-11-06T09:00:00Z rt-set $b status=resolved >/dev/null
'

test_expect_success 'the page is self-contained and escapes ticket text' '
	rt-report --since 2026-11-01 --until 2026-11-10 --by customer --topics 5 --html >report.html &&
	head -1 report.html | grep -q "^<!DOCTYPE html>" &&
	! grep -Eiq "<script|src=|href=|@import|url\(" report.html &&
	grep -q "&lt;b&gt;Acme &amp; Co&lt;/b&gt;" report.html && ! grep -q "<b>" report.html &&
	test $(grep -c "<svg " report.html) = 5 &&
	grep -q "Open tickets per day" report.html &&
	grep -q "Created per channel" report.html &&
	grep -q "SLA compliance" report.html &&
	grep -q "<polyline class=\"backlog\"" report.html
'

test_expect_success 'the SVG charts are well-formed XML' '
	if command -v xmllint >/dev/null; then
		sed -n "/<svg /,/<\/svg>/p" report.html >charts.xml &&
		{ echo "<charts>"; cat charts.xml; echo "</charts>"; } >all.xml &&
		xmllint --noout all.xml
	fi
'

CHROMIUM=
for c in chromium chromium-browser; do
	command -v $c >/dev/null && CHROMIUM=$c && break
done
chrome() {
	$CHROMIUM --headless --no-sandbox --disable-gpu --disable-quic --no-first-run \
	    --disable-background-networking --disable-component-update --disable-sync \
	    --user-data-dir="$(mktemp -d)" "$@" 2>/dev/null
}

if [ -z "$CHROMIUM" ]; then
	test_skip 'headless Chromium renders the page' 'chromium not installed'
	test_skip 'the rendered DOM holds the charts' 'chromium not installed'
else
	test_expect_success 'headless Chromium renders the page to a screenshot' '
		chrome --screenshot="$TRASH/shot.png" --window-size=1200,2000 "file://$TRASH/desk/report.html" &&
		test -s "$TRASH/shot.png" &&
		test "$(head -c 8 "$TRASH/shot.png" | od -An -tx1 | tr -d " \n")" = 89504e470d0a1a0a &&
		test $(wc -c <"$TRASH/shot.png") -gt 10000
	'
	test_expect_success 'the rendered DOM holds the charts' '
		chrome --dump-dom "file://$TRASH/desk/report.html" >dom.html &&
		test $(grep -o "<svg" dom.html | wc -l) = 5 &&
		grep -q "<polyline" dom.html && grep -q "<rect class=\"bar\"" dom.html &&
		grep -q "Open tickets per day" dom.html &&
		! grep -q "<script>alert" dom.html
	'
fi

test_done
