#!/bin/sh
# rt-reply at a German desk: attributions in words and in desk.timezone,
# HTML-only mail with named entities, display names in To and --cc,
# and $EDITOR opened on the quoted conversation and the ticket's context.
. "$(dirname "$0")/lib.sh"

sendmail_recorder
export RT_NOW=2026-11-29T10:30:00Z
last_msg() { ls -t "$SM_DIR"/msg.* | head -n 1; }

# An HTML-only German mail without Content-Language, sent 09:00 UTC (10:00 in Berlin).
html_mail() {
	printf 'From: =?UTF-8?Q?J=C3=BCrgen_M=C3=BCller?= <jm@kunde.example>\nTo: support@example.org\n'
	printf 'Cc: "Doe, Jane" <jane@kunde.example>\nSubject: Drucker\nMessage-ID: <html1@kunde.example>\n'
	printf 'Date: Sun, 29 Nov 2026 09:00:00 +0000\nMIME-Version: 1.0\nContent-Type: text/html; charset=us-ascii\n\n'
	printf '<html><body><p>Hallo,</p><p>der Drucker im 2.&nbsp;Stock druckt nicht &ndash; '
	printf 'bitte pr&uuml;fen Sie das. Die Stra&szlig;e ist gesperrt, es kostet 5&nbsp;&euro;.</p>'
	printf '<p>Gr&uuml;&szlig;e</p></body></html>\n'
}

test_expect_success 'setup: a German desk in Europe/Berlin' '
	new_desk &&
	sed -i "s|mailer: .*|mailer: sendmail://$TRASH/sendmail|; s|^  timezone: UTC$|  timezone: Europe/Berlin|" rt.yaml &&
	grep -q "^  timezone: Europe/Berlin$" rt.yaml &&
	git commit -qm "program mailer, Berlin" rt.yaml &&
	html_mail | rt-ingest >id && test -s id
'
cd desk 2>/dev/null || true
ID=$(cat id 2>/dev/null)

test_expect_success 'HTML-only mail: named entities decoded, language German from the text' '
	rt-show $ID >show &&
	grep "^language  *de$" show &&
	grep "der Drucker im 2. Stock druckt nicht – bitte prüfen Sie das. Die Straße ist gesperrt, es kostet 5 €." show &&
	grep "^Grüße$" show &&
	! grep "&[a-z]*;" show
'

test_expect_success 'rt-new: a phone ticket taken down in German is German' '
	p=$(rt-new -r "Anna Schmidt <as@kunde.example>" -c phone --subject "Rückruf" \
	    -m "Die Kundin ruft an, weil der Router nicht mehr startet und sie bitte einen Techniker möchte.") &&
	rt-show $p | grep "^language  *de$" &&
	q=$(rt-new -r bob@kunde.example -c phone --subject "Call back" language=en -m "Der Router ist kaputt.") &&
	rt-show $q | grep "^language  *en$"
'

test_expect_success 'the quote attribution is German, in the desk time zone' '
	printf "Wir kümmern uns darum.\n" | rt-reply --quote $ID >out &&
	m=$(last_msg) &&
	grep "^Am 29.11.2026 um 10:00 schrieb J=C3=BCrgen M=C3=BCller:$" $m &&
	grep "^> der Drucker im 2. Stock" $m
'

test_expect_success 'English attribution in words, in the desk time zone' '
	rt-set $ID language=en >/dev/null &&
	printf "We are on it.\n" | rt-reply --quote $ID >out &&
	grep "^On 29 November 2026 at 10:00, J=C3=BCrgen M=C3=BCller wrote:$" $(last_msg) &&
	rt-set $ID language=de >/dev/null
'

test_expect_success 'To keeps the customer display name, RFC 2047 encoded' '
	m=$(last_msg) &&
	grep "^To: =?UTF-8?B?SsO8cmdlbiBNw7xsbGVy?= <jm@kunde.example>$" $m &&
	grep "^Cc: \"Doe, Jane\" <jane@kunde.example>$" $m
'

test_expect_success '--cc takes display names (UTF-8 encoded, quoted specials); the log keeps bare addresses' '
	printf "Kopie an den Chef.\n" | rt-reply --cc "Björn Ölsen <boss@kunde.example>" \
	    --cc "\"Smith, Ann\" <ann@kunde.example>" --cc plain@kunde.example $ID >out &&
	m=$(last_msg) &&
	sed -n "/^Cc:/,/^Subject:/p" $m | sed "\$d" | tr -d "\n" >cc &&
	grep "=?UTF-8?B?QmrDtnJuIMOWbHNlbg==?= *<boss@kunde.example>" cc &&
	grep "\"Smith, Ann\" <ann@kunde.example>" cc &&
	grep "plain@kunde.example" cc &&
	git log -1 -p | grep "ev: mail-out.*cc: .jane@kunde.example,boss@kunde.example,ann@kunde.example,plain@kunde.example." &&
	! git log -1 -p | grep "^+.*Björn"
'

test_expect_code 64 '--cc refuses a display name without an address' '
	printf "x\n" | rt-reply --cc "Björn <not an address>" $ID
'

command -v script >/dev/null && test_set_prereq SCRIPT
test_expect_success SCRIPT '$EDITOR opens the quoted conversation and the context; the kept quote is sent' '
	rt-comment -m "Kunde ist VIP, bitte schnell" $ID >/dev/null &&
	cat >ed.sh <<-\ED &&
	#!/bin/sh
	cp "$1" "$SM_DIR/../draft"
	{ echo "Das Ersatzteil ist bestellt."; cat "$1"; } >"$1.new" && mv "$1.new" "$1"
	ED
	chmod +x ed.sh &&
	VISUAL= EDITOR=$PWD/ed.sh script -qec "rt-reply $ID" /dev/null >out &&
	d=$SM_DIR/../draft &&
	grep "^Am 29.11.2026 um 10:00 schrieb Jürgen Müller:$" $d &&
	grep "^> der Drucker im 2. Stock" $d &&
	grep "^# -* >8 -*$" $d &&
	grep "^# Subject: Drucker$" $d &&
	grep "^# To: \"Jürgen Müller\" <jm@kunde.example>$" $d &&
	grep "^# Cc: \"Doe, Jane\" <jane@kunde.example>$" $d &&
	grep "^# ==== 2026-11-29 11:30  from jm@kunde.example$" $d &&
	grep "^# Kunde ist VIP, bitte schnell" $d &&
	grep "^# ==== .* reply to jm@kunde.example$" $d &&
	m=$(last_msg) &&
	grep "^Das Ersatzteil ist bestellt.$" $m &&
	grep "^> der Drucker im 2. Stock" $m &&
	! grep "^# " $m && ! grep "Kunde ist VIP" $m
'

test_expect_success SCRIPT '$EDITOR left with only the quote: nothing sent' '
	before=$(git rev-parse HEAD) && n=$(ls "$SM_DIR" | wc -l) &&
	VISUAL=true script -qec "rt-reply $ID" /dev/null >out;
	grep "empty answer, nothing sent" out &&
	test "$(git rev-parse HEAD)" = "$before" && test "$(ls "$SM_DIR" | wc -l)" = "$n"
'

test_done
