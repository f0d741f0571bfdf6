#!/bin/sh
# rt-report --html: one self-contained, valid page for a manager (the desk's
# name as title, the period in words, a legend for every column and chart)
# that fits 1280 px; rendered and measured in headless Chromium
. "$(dirname "$0")/lib.sh"

for c in chromium chromium-browser; do
	command -v $c >/dev/null && CHROMIUM=$c && test_set_prereq CHROMIUM && break
done
command -v tidy >/dev/null && test_set_prereq TIDY
chrome() {
	$CHROMIUM --headless --no-sandbox --disable-gpu --disable-quic --no-first-run \
	    --disable-background-networking --disable-component-update --disable-sync \
	    --hide-scrollbars --user-data-dir="$(mktemp -d "$TRASH/chrome.XXXXXX")" "$@" 2>/dev/null
}
# probe PAGE: a copy of PAGE with a script (the report has none) that
# writes the viewport width, the document's scroll width and the widest
# right edge of any element into the DOM; chrome --dump-dom reads it back.
probe() {
	sed "s|</body>|<script>var r=0;document.querySelectorAll('body *').forEach(function(e){r=Math.max(r,e.getBoundingClientRect().right)});document.body.insertAdjacentHTML('beforeend','<pre id=\"probe\">inner='+window.innerWidth+' scroll='+document.documentElement.scrollWidth+' right='+Math.ceil(r)+'</pre>')</script></body>|" "$1" >"$2"
}
# fits DOM: the page is 1280 px wide and nothing reaches past it
fits() {
	sed -n "s/.*<pre id=\"probe\">\(.*\)<\/pre>.*/\1/p" "$1" >measure && cat measure &&
	read -r i s r <measure && test "$i" = inner=1280 &&
	test "${s#scroll=}" -le 1280 && test "${r#right=}" -le 1280
}

new_desk desk
sed -i "s/^  name: .*/  name: 'Müller \& Söhne <Support>'/" rt.yaml && git commit -qm "desk name" rt.yaml

mail() { # mail TIME SUBJECT
	printf 'From: Kunde <kunde@example.com>\nTo: support@example.org\nSubject: %s\nMessage-Id: <%s@example.com>\n\nHallo\n' \
	    "$2" "$1" | RT_NOW=$1 rt-ingest
}

test_expect_success 'build a small desk' '
	a=$(mail 2026-11-02T09:00:00Z "VPN <script>alert(1)</script> & Zugang") &&
	b=$(mail 2026-11-03T09:00:00Z "Drucker kaputt") &&
	c=$(mail 2026-11-04T09:00:00Z "Rechnung falsch") &&
	RT_NOW=2026-11-05T09:00:00Z rt-set $a status=resolved queue=general "customer=<b>Acme & Co</b>" >/dev/null &&
	RT_NOW=2026-11-06T09:00:00Z rt-set $b status=resolved >/dev/null &&
	for k in 1 2 3 4 5 6 7 8; do
		id=$(mail 2026-11-1${k}T09:00:00Z "Anfrage $k") &&
		RT_NOW=2026-11-1${k}T13:00:00Z rt-set $id status=resolved \
		    "customer=Ein sehr langer Kundenname GmbH & Co. KG Niederlassung $k" >/dev/null || exit 1
	done
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

test_expect_success 'the title is the desk name and the period in words' '
	grep "<title>Müller &amp; Söhne &lt;Support&gt;: support report, 1–10 November 2026</title>" report.html &&
	grep "<h1>Müller &amp; Söhne &lt;Support&gt;</h1>" report.html &&
	grep "Support report, 1–10 November 2026" report.html &&
	rt-report --since 2026-11-01 --until 2026-11-30 --html | grep "<title>.*: support report, November 2026</title>" &&
	rt-report --since 2026-11-23 --until 2026-11-29 --html | grep "support report, 23–29 November 2026<" &&
	rt-report --since 2026-10-26 --until 2026-11-01 --html | grep "support report, 26 October – 1 November 2026<"
'

test_expect_success 'every column abbreviation and every chart has a legend' '
	for h in CREATED RESOLVED BACKLOG FR-N FR-MED FR-MEAN FR-P90 RES-N RES-MED RES-MEAN RES-P90 \
	    SLA-N SLA-MET BR-FR BR-NR BR-RES ESC ESC% LEVELS REOPENED REOPEN% SURVEYED RATED \
	    CSAT CSAT-RR ESC-CSAT ESC-RR; do
		grep -q "<abbr title=\"[^\"]*\">$h</abbr>" report.html &&
		grep -q "<dt>$h</dt><dd>[A-Za-z0-9]" report.html || { echo "no legend for $h"; exit 1; }
	done &&
	grep -q "<dt>CSAT</dt><dd>customer satisfaction" report.html &&
	test $(grep -c "<g class=\"legend\">" report.html) = 5 &&
	grep -q "class=\"key\">first response (median, hours)</text>" report.html &&
	grep -q "class=\"key\">resolution (median, hours)</text>" report.html
'

test_expect_success TIDY 'the page is valid HTML (tidy: no errors, no warnings)' '
	tidy -q -e report.html
'

test_expect_success 'the SVG charts are well-formed XML' '
	if command -v xmllint >/dev/null; then
		sed -n "/<svg /,/<\/svg>/p" report.html >charts.xml &&
		{ echo "<charts>"; cat charts.xml; echo "</charts>"; } >all.xml &&
		xmllint --noout all.xml
	fi
'

test_expect_success CHROMIUM 'headless Chromium renders the page to a 1280 px wide screenshot' '
	chrome --screenshot="$TRASH/shot.png" --window-size=1280,2400 "file://$TRASH/desk/report.html" &&
	test "$(head -c 8 "$TRASH/shot.png" | od -An -tx1 | tr -d " \n")" = 89504e470d0a1a0a &&
	test "$(od -An -tu1 -j16 -N4 "$TRASH/shot.png" | tr -s " " | sed "s/^ //")" = "0 0 5 0" &&
	test $(wc -c <"$TRASH/shot.png") -gt 10000
'

test_expect_success CHROMIUM 'the rendered DOM holds the charts' '
	chrome --dump-dom "file://$TRASH/desk/report.html" >dom.html &&
	test $(grep -o "<svg" dom.html | wc -l) = 5 &&
	grep -q "<polyline" dom.html && grep -q "<rect class=\"bar\"" dom.html &&
	grep -q "Open tickets per day" dom.html &&
	! grep -q "<script>alert" dom.html
'

test_expect_success CHROMIUM 'at 1280 px nothing needs a horizontal scroll (tables with satisfaction included)' '
	probe report.html probe.html &&
	chrome --window-size=1280,900 --dump-dom "file://$TRASH/desk/probe.html" >probed.html &&
	fits probed.html
'

test_expect_success CHROMIUM 'the probe sees a page that is too wide' '
	sed "s|<h1>|<div style=\"width:1500px\">wide</div><h1>|" report.html >wide.html &&
	probe wide.html probe-wide.html &&
	chrome --window-size=1280,900 --dump-dom "file://$TRASH/desk/probe-wide.html" >probed-wide.html &&
	! fits probed-wide.html && grep "inner=1280" measure
'

test_done
