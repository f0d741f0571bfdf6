#!/bin/sh
# rt-ls --text: words of subjects, mails and comments through the cache's
# text index (filled by the catch-up, so new mail is found at once).
. "$(dirname "$0")/lib.sh"

mail() { # FROM MSGID SUBJECT BODY [IN-REPLY-TO-SUBJECT]
	printf 'From: %s\nTo: support@example.org\nSubject: %s\nMessage-Id: <%s>\nContent-Type: text/plain; charset=utf-8\n\n%s\n' \
	    "$1" "$3" "$2" "$4"
}

new_desk || exit 1
test_expect_success 'setup: three tickets' '
	mail a@example.com t1@x "Printer on fire" "The HP LaserJet smells of smoke." | rt-ingest >a &&
	mail b@example.com t2@x "VPN down" "Seit heute früh keine Verbindung. Grüße" | rt-ingest >b &&
	mail c@example.com t3@x "Invoice question" "Why was I charged twice?" | rt-ingest >c
'

test_expect_success 'a word of the subject, any case' '
	rt-ls --ids --text PRINTER >out && test_cmp a out
'

test_expect_success 'a word of the body, and word beginnings' '
	rt-ls --ids --text laserj >out && test_cmp a out &&
	rt-ls --ids --text charged >out && test_cmp c out
'

test_expect_success 'every word must be there' '
	rt-ls --ids --text "printer smoke" >out && test_cmp a out &&
	rt-ls --ids --text "printer invoice" >out && test_must_fail test -s out
'

test_expect_success 'umlauts fold: gruesse, Grüße and früh find the German mail' '
	rt-ls --ids --text grüße >out && test_cmp b out &&
	rt-ls --ids --text gruesse >out && test_cmp b out &&
	rt-ls --ids --text FRÜH >out && test_cmp b out
'

test_expect_success 'a reply and a comment are searchable at once' '
	mail c@example.com t4@x "Re: [Test #$(cat c)] Invoice question" "Also the toner bill." |
		rt-ingest >/dev/null &&
	rt-ls --ids --text toner >out && test_cmp c out &&
	echo "Refund approved by finance-lead." | rt-comment $(cat c) >/dev/null &&
	rt-ls --ids --text refund >out && test_cmp c out
'

test_expect_success 'combines with filters and output formats' '
	rt-set $(cat a) status=resolved >/dev/null &&
	rt-ls --ids --open --text printer >out && test_must_fail test -s out &&
	rt-ls --count --text printer >out && echo 1 >expect && test_cmp expect out &&
	rt-ls --json --text vpn | jq -r ".[].id" >out && test_cmp b out
'

test_expect_success 'sorted, the hits come whole, as unsorted in that order' '
	rt-ls --json --text the >plain && jq length plain >n && echo 2 >expect && test_cmp expect n &&
	rt-ls --json --sort id --text the >sorted && test_cmp plain sorted &&
	rt-ls --json --sort -id --text the | jq . >sorted && jq reverse plain >expect &&
	test_cmp expect sorted &&
	rt-ls --sort -id --format "%{id} %{subject}\n" --text the >out &&
	jq -r ".[] | .id + \" \" + .subject" expect >want && test_cmp want out
'

test_expect_success 'a rebuilt cache finds the same' '
	rm -f .git/rt/cache.mdb .git/rt/cache.mdb-lock &&
	rt-ls --ids --text toner >out && test_cmp c out
'

test_expect_success 'follow-ups add their words to what the earlier mails gave; a new subject drops the old one' '
	mail c@example.com t5@x "Re: [Test #$(cat c)] Invoice question" "Stapler jammed too." |
		rt-ingest >/dev/null &&
	rt-ls --ids --text stapler >out && test_cmp c out &&
	rt-ls --ids --text "toner charged refund stapler" >out && test_cmp c out &&
	rt-set $(cat c) subject="Billing dispute" >/dev/null &&
	rt-ls --ids --text billing >out && test_cmp c out &&
	rt-set $(cat c) subject="Charge review" >/dev/null &&
	rt-ls --ids --text "review stapler" >out && test_cmp c out &&
	rt-ls --ids --text billing >out && test_must_fail test -s out &&
	rm -f .git/rt/cache.mdb .git/rt/cache.mdb-lock &&
	rt-ls --ids --text billing >out && test_must_fail test -s out &&
	rt-ls --ids --text "toner stapler review" >out && test_cmp c out
'

test_expect_code 64 'a pattern without a word is a usage error' '
	rt-ls --text "?!" 2>err; rc=$?;
	grep "holds no word" err && exit $rc
'

test_expect_success 'the two-letter minimum counts letters, not bytes: one Cyrillic or CJK letter is refused, two are found' '
	mail d@example.com t6@x "Кириллица" "Вопрос: ж и жж; 日本 в 日 слова." | rt-ingest >d &&
	for q in ж 日 "ж ?"; do
		test_expect_code_64() { "$@"; test $? = 64; } &&
		test_expect_code_64 rt-ls --ids --text "$q" 2>err && grep "holds no word" err || return 1
	done &&
	rt-ls --ids --text жж >out && test_cmp d out &&
	rt-ls --ids --text 日本 >out && test_cmp d out &&
	rt-ls --ids --text "日本 жж" >out && test_cmp d out
'

test_done
