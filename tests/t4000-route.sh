#!/bin/sh
# rt-route: rules (German and English), critical incidents, dry run,
# explain, idempotence and hand-made changes
. "$(dirname "$0")/lib.sh"

# mail FILE FROM TO SUBJECT BODY: a small UTF-8 message
mail() {
	printf 'From: %s\nTo: %s\nSubject: %s\nMessage-ID: <%s@test>\nDate: Mon, 23 Nov 2026 10:00:00 +0000\nMIME-Version: 1.0\nContent-Type: text/plain; charset=utf-8\nContent-Transfer-Encoding: 8bit\n\n%s\n' \
	    "$2" "$3" "$4" "$1" "$5" >"$1"
}
ingest() { RT_NOW=${2:-2026-11-23T10:00:00Z} rt-ingest <"$1"; }
# field ID KEY: the value of KEY in the ticket's ticket.yaml as rt-ls would see it
field() { sed -n "s/^$2: //p" $(ticket_dir $1)/ticket.yaml | tr -d "'"; }

new_desk || exit 1
test_expect_success 'setup: mails and a desk without rules' '
	mail billing.eml "Carl <carl@kunde.example>" "billing@example.org" "Frage zur Rechnung" "Guten Tag, bitte senden Sie die Rechnung erneut." &&
	mail ausfall.eml "Dora <dora@kunde.example>" "support@example.org" "AUSFALL Mailserver" "Seit heute morgen geht nichts mehr." &&
	mail stoerung.eml "Emil <emil@kunde.example>" "support@example.org" "Problem" "Wir haben eine STÖRUNG im Netz." &&
	mail download.eml "Fay <fay@example.net>" "support@example.org" "Download page" "The download of the installer is slow." &&
	mail outage.eml "Gus <gus@example.net>" "support@example.org" "Help" "We have an Outage of the VPN since 9:00." &&
	mail vip.eml "Hans <hans@acme.example>" "support@example.org" "Kleine Frage" "Wie ändere ich mein Passwort?" &&
	for m in billing ausfall stoerung download outage vip; do ingest $m.eml >$m.id || return 1; done &&
	ingest "$(mail_fixture mime-tools-testmsgs/german.msg)" >german.id &&
	ingest "$(mail_fixture cpython-test-email/msg_22.txt)" >attach.id &&
	cat *.id >all.ids && test $(wc -l <all.ids) = 8
'

test_expect_success 'without rules every id passes through and nothing changes' '
	before=$(git rev-parse HEAD) &&
	rt-route <all.ids >out &&
	test_cmp all.ids out &&
	test "$(git rev-parse HEAD)" = "$before"
'

test_expect_success 'setup: rules' '
	sed -n "/^desk:/,/^\$/p" rt.yaml >new.yaml &&
	cat >>new.yaml <<-\EOC &&
	queues:
	  general: {}
	  billing: {}
	  it: {}
	routing-critical: [ausfall, störung, outage, down, sicherheitsvorfall, breach]
	customers:
	  acme: {domains: [acme.example], contract: gold, vip: true}
	  kunde: {domains: [kunde.example], contract: silver}
	routing:
	  - name: rechnung
	    if: {to: billing@, text: [rechnung, invoice]}
	    then: {queue: billing, type: request, tags: [billing]}
	  - name: netz
	    if: {regex: "verf(ü|ue)gung|netz"}
	    then: {queue: it, tags: [netz]}
	    continue: true
	  - name: deutsch
	    if: {body: ["VERFÜGUNG", "störung"]}
	    then: {tags: [de]}
	  - name: vpn
	    if: {subject: help, body: vpn}
	    then: {queue: it, type: incident, severity: 2}
	  - name: attachments
	    if: {attachment: true}
	    then: {tags: [attachment]}
	EOC
	mv new.yaml rt.yaml && rt-gc -q && git add rt.yaml && git commit -q -m rules &&
	rt-route --check
'

test_expect_success 'dry run prints the plan and changes nothing' '
	before=$(git rev-parse HEAD) &&
	rt-route -n $(cat billing.id) $(cat download.id) >out &&
	printf "%s queue=billing type=request customer=kunde tags=billing\n%s\n" \
	    $(cat billing.id) $(cat download.id) >expect &&
	test_cmp expect out &&
	test "$(git rev-parse HEAD)" = "$before" &&
	git status --porcelain -uno >st && test_cmp /dev/null st
'

test_expect_success 'routing prints every id and makes one commit per changed ticket' '
	before=$(git rev-list --count HEAD) &&
	rt-route <all.ids >out &&
	test_cmp all.ids out &&
	# download.eml matches nothing: 8 ids, 7 commits
	test $(git rev-list --count HEAD) = $((before + 7)) &&
	git log --format=%s -n 7 | grep -c "^route: #" >n && echo 7 >expect && test_cmp expect n
'

test_expect_success 'recipient billing@ and a German keyword route to billing' '
	ID=$(cat billing.id) &&
	test "$(field $ID queue)" = billing && test "$(field $ID type)" = request &&
	test "$(field $ID customer)" = kunde &&
	git log --format=%B --grep="#$ID" -n 1 >msg &&
	grep "^Action: route\$" msg && grep "^Ticket: $ID\$" msg &&
	grep "ev: route, rule: rechnung}" $(ticket_dir $ID)/log.yaml &&
	grep "ev: set, field: queue, old: general, new: billing, via: route}" $(ticket_dir $ID)/log.yaml
'

test_expect_success 'AUSFALL in capitals is a critical incident, flagged for escalation' '
	ID=$(cat ausfall.id) &&
	test "$(field $ID priority)" = critical &&
	test "$(field $ID escalate)" = immediate &&
	grep -A2 "^tags:" $(ticket_dir $ID)/ticket.yaml >tags &&
	grep "critical" tags &&
	grep "rule: routing-critical}" $(ticket_dir $ID)/log.yaml
'

test_expect_success 'STÖRUNG matches the keywords störung (umlauts fold)' '
	ID=$(cat stoerung.id) &&
	test "$(field $ID priority)" = critical &&
	grep "rule: .netz,deutsch,routing-critical" $(ticket_dir $ID)/log.yaml
'

test_expect_success 'download is not the word down; outage is' '
	test "$(field $(cat download.id) priority)" = normal &&
	test "$(field $(cat outage.id) priority)" = critical &&
	test "$(field $(cat outage.id) queue)" = it &&
	test "$(field $(cat outage.id) severity)" = 2
'

test_expect_success 'a VIP customer is critical' '
	ID=$(cat vip.id) &&
	test "$(field $ID customer)" = acme &&
	test "$(field $ID priority)" = critical
'

test_expect_success 'corpus: Verfügung in ISO-8859-1 quoted-printable matches VERFÜGUNG' '
	ID=$(cat german.id) &&
	test "$(field $ID queue)" = it &&
	grep "rule: .netz,deutsch" $(ticket_dir $ID)/log.yaml
'

test_expect_success 'corpus: an attachment is seen' '
	ID=$(cat attach.id) &&
	grep "rule: attachments}" $(ticket_dir $ID)/log.yaml
'

test_expect_success 'a second run changes nothing (idempotent)' '
	before=$(git rev-parse HEAD) &&
	rt-route <all.ids >out &&
	test_cmp all.ids out &&
	test "$(git rev-parse HEAD)" = "$before" &&
	rt-route -n <all.ids >out && test_cmp all.ids out
'

test_expect_success 'explain says which rule matched which text' '
	rt-route -n --explain $(cat stoerung.id) >out 2>explain &&
	grep "rule .rechnung.: no match (to: no recipient is .billing@. (support@example.org))" explain &&
	grep "rule .netz.: match (regex: /verf(ü|ue)gung|netz/ in subject or body \"...em Wir haben eine STÖRUNG im Netz.\")" explain &&
	grep "rule .deutsch.: match (body: .störung. in body \"Wir haben eine STÖRUNG im Netz.\")" explain &&
	grep "first match wins" explain &&
	grep "routing-critical: match" explain &&
	grep "nothing to change" explain
'

test_expect_success 'a field set by hand is never changed by rt-route' '
	ID=$(cat billing.id) &&
	rt-set $ID queue=general >/dev/null &&
	before=$(git rev-parse HEAD) &&
	rt-route $ID >out &&
	test "$(git rev-parse HEAD)" = "$before" &&
	test "$(field $ID queue)" = general &&
	rt-route -n -x $ID 2>explain >/dev/null &&
	grep "keep queue: general (set by hand; rules want billing)" explain
'

test_expect_success 'a tag removed by hand is not added back' '
	ID=$(cat outage.id) &&
	rt-set $ID tags-=critical >/dev/null &&
	rt-route -n $ID >out &&
	echo $ID >expect && test_cmp expect out
'

test_expect_success 'the cache keeps what was set and untagged by hand (set-by-hand, untagged-by-hand)' '
	B=$(cat billing.id) && O=$(cat outage.id) &&
	rt-ls --all --format "%{id} %{set-by-hand} %{untagged-by-hand}\n" >ls &&
	grep "^$B queue $" ls && grep "^$O tags critical$" ls &&
	grep "^$(cat ausfall.id)  $" ls &&
	rt-route -n $O >out 2>err &&
	echo $O >expect && test_cmp expect out && ! test -s err
'

test_expect_success 'plans from the cache'"'"'s copy of the first mails are those from parsing them' '
	mail followup.eml "Carl <carl@kunde.example>" "support@example.org" "Re: Frage zur Rechnung [#$(cat billing.id)]" "Noch eine Frage zum Drucker." &&
	ingest followup.eml 2026-11-24T10:00:00Z >followup.id &&
	test_cmp billing.id followup.id &&
	rt-route -n -x <all.ids >plan.parsed 2>explain.parsed &&
	rt-ls --all --count --text zzqxnothere >/dev/null &&
	rt-route -n -x <all.ids >plan.cached 2>explain.cached &&
	test_cmp plan.parsed plan.cached && test_cmp explain.parsed explain.cached
'

test_expect_success 'a changed rule applies again to what rt-route set' '
	sed -i "s/then: {queue: it, type: incident, severity: 2}/then: {queue: it, type: incident, severity: 1}/" rt.yaml &&
	rt-route $(cat outage.id) >/dev/null &&
	test "$(field $(cat outage.id) severity)" = 1
'

test_expect_success 'unknown ids are reported, the others still routed' '
	test_must_fail rt-route ZZZZZZZZ $(cat download.id) >out 2>err &&
	cat download.id >expect && test_cmp expect out &&
	grep "#ZZZZZZZZ: no such ticket" err
'

test_expect_success 'usage errors' '
	test_expect_code_inline() { "$@"; test $? = 64; } &&
	test_expect_code_inline rt-route --bogus 2>/dev/null &&
	rt-route --help >out && grep "^usage: rt-route" out
'

test_done
