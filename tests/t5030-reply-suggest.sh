#!/bin/sh
# rt-reply --suggest and --template auto: BM25 over templates and kb/
. "$(dirname "$0")/lib.sh"

sendmail_recorder
export RT_NOW=2026-11-23T10:00:00Z
mail() { # mail MSGID SUBJECT BODY [LANG]
	printf 'From: Kim <kim@c.example>\nTo: support@example.org\nSubject: %s\nMessage-ID: <%s>\n' "$2" "$1"
	[ -n "${4:-}" ] && printf 'Content-Language: %s\n' "$4"
	printf 'Content-Type: text/plain; charset=utf-8\n\n%s\n' "$3"
}

test_expect_success 'setup: a small kb/' '
	new_desk &&
	sed -i "s|mailer: .*|mailer: sendmail://$TRASH/sendmail|" rt.yaml &&
	git commit -qm "a program mailer: committed (rt-desk(5), TRUST)" rt.yaml &&
	mkdir kb &&
	cat >kb/password-reset.md <<-\EOF &&
	---
	title: Resetting your password
	keywords: [password, login, locked, reset]
	language: en
	---
	Open the login page and choose "Forgot password". A reset link is sent
	to your address within a few minutes.
	EOF
	cat >kb/vpn.md <<-\EOF &&
	---
	title: Connecting to the VPN
	keywords: vpn, tunnel, remote access
	language: en
	---
	Install the client and import the profile from the portal.
	EOF
	cat >kb/passwort.md <<-\EOF &&
	---
	title: Passwort zurücksetzen
	keywords: [Passwort, Anmeldung, gesperrt, Zugang]
	language: de
	---
	Öffnen Sie die Anmeldeseite und wählen Sie „Passwort vergessen“.
	EOF
	rt-gc -q && git add kb && git commit -q -m "kb" &&
	mail p1@c.example "Locked out: password reset does not work" "I cannot login, my password reset link never arrives." | rt-ingest >p1 &&
	mail w1@c.example "Broken device" "The device is broken after a week. Is it covered by the warranty? I want a replacement." | rt-ingest >w1 &&
	mail d1@c.example "Passwort vergessen" "Mein Zugang ist gesperrt, ich habe mein Passwort vergessen." de | rt-ingest >d1 &&
	mail x1@c.example "Hello" "Just saying hi." | rt-ingest >x1
'
cd desk 2>/dev/null || true

test_expect_success '--suggest ranks the matching article first, with scores' '
	rt-reply --suggest $(cat p1) >out &&
	cat out &&
	sed -n 1p out >first && echo "#$(cat p1)" >expect && test_cmp expect first &&
	sed -n 2p out | grep "^ *[0-9][0-9]*\.[0-9][0-9]  kb:password-reset  *Resetting your password$" &&
	! grep "kb:passwort" out &&
	! grep "kb:vpn" out
'

test_expect_success '--suggest finds the warranty template' '
	rt-reply --suggest $(cat w1) >out &&
	sed -n 2p out | grep "  warranty  *Your warranty claim$"
'

test_expect_success '--suggest in German: folded umlauts, German article' '
	rt-reply --suggest $(cat d1) >out &&
	cat out &&
	sed -n 2p out | grep "kb:passwort  *Passwort zurücksetzen"
'

test_expect_success '--suggest of several tickets from stdin' '
	cat p1 w1 | rt-reply --suggest >out &&
	grep -c "^#" out >n && echo 2 >expect && test_cmp expect n
'

test_expect_success '--template auto sends the article when it clears the threshold' '
	printf "reply:\n  auto-threshold: 2.5\n" >>rt.yaml &&
	rt-reply --template auto $(cat p1) >out &&
	test_cmp p1 out &&
	m=$(ls -t "$SM_DIR"/msg.* | head -n 1) &&
	grep "^Subject: \[Test #$(cat p1)\] Resetting your password" $m &&
	grep "Forgot password" $m &&
	grep -i "^Auto-Submitted: auto-replied" $m &&
	grep "ev: mail-out.*template: .kb:password-reset., auto: .true." $(ticket_dir $(cat p1))/log.yaml
'

test_expect_success '--template auto below the threshold does nothing, exit 0' '
	before=$(git rev-parse HEAD) &&
	rt-reply --template auto $(cat x1) >out 2>err &&
	test ! -s out &&
	grep "#$(cat x1): nothing sent: no template or article matches" err &&
	sed -i "s/auto-threshold: 2.5/auto-threshold: 99/" rt.yaml &&
	rt-reply --template auto $(cat w1) >out 2>err &&
	test ! -s out &&
	grep "nothing sent: best suggestion .warranty. scores [0-9.]*, below reply.auto-threshold 99.00" err &&
	test "$(git rev-parse HEAD)" = "$before"
'

test_expect_success 'kb:NAME answers with an article by hand' '
	rt-reply -n --template kb:vpn $(cat w1) >out &&
	grep "Install the client" out &&
	! grep -i "^Auto-Submitted" out
'

test_expect_code 78 'a bad threshold is a configuration error' '
	sed -i "s/auto-threshold: 99/auto-threshold: high/" rt.yaml &&
	rt-reply --template auto $(cat w1) 2>err; rc=$?;
	grep "rt.yaml:[0-9]*:[0-9]*: reply.auto-threshold must be a number" err &&
	exit $rc
'

test_done
