#!/bin/sh
# rt-reply: templates, free text, dry run, sendmail: delivery, languages
. "$(dirname "$0")/lib.sh"

sendmail_recorder
export RT_NOW=2026-11-23T10:00:00Z

mail() { # mail MSGID SUBJECT [LANG] [FROM]
	printf 'From: %s\nTo: support@example.org\nSubject: %s\nMessage-ID: <%s>\nDate: Mon, 23 Nov 2026 09:00:00 +0000\n' \
	    "${4:-Jane Doe <jane@customer.example>}" "$2" "$1"
	[ -n "${3:-}" ] && printf 'Content-Language: %s\n' "$3"
	printf 'Content-Type: text/plain; charset=utf-8\n\nHello,\nmy printer is broken.\n'
}
last_msg() { ls -t "$SM_DIR"/msg.* | head -n 1; }

test_expect_success 'setup: desk with a sendmail: mailer' '
	new_desk &&
	sed -i "s|mailer: .*|mailer: sendmail://$TRASH/sendmail|" rt.yaml &&
	git commit -qm "a program mailer: committed (rt-desk(5), TRUST)" rt.yaml &&
	printf "reply:\n  auto-interval: 0\n" >>rt.yaml &&
	mail m1@customer.example "Printer broken" >m1.eml &&
	rt-ingest <m1.eml >id && test -s id
'
cd desk 2>/dev/null || true
ID=$(cat id 2>/dev/null)

test_expect_success 'ack from a template goes through sendmail and prints the id' '
	rt-reply --template ack $ID >out &&
	echo $ID >expect && test_cmp expect out &&
	m=$(last_msg) &&
	grep "^Subject: \[Test #$ID\] We received your request: Printer broken" $m &&
	grep -i "^In-Reply-To: <m1@customer.example>" $m &&
	grep -i "^References: <m1@customer.example>" $m &&
	grep -i "^Auto-Submitted: auto-replied" $m &&
	grep -i "^To: .*jane@customer.example" $m &&
	grep -i "^From: .*Test Desk.*<support@example.org>" $m &&
	grep "registered it as \[Test #$ID\]" $m &&
	grep -x "jane@customer.example" "$SM_ARGS"
'

test_expect_success 'the sent bytes are stored byte-exact with a mail-out event' '
	file=$(sed -n "s/.*ev: mail-out, file: \([^,]*\),.*/\1/p" $(ticket_dir $ID)/log.yaml) &&
	test -n "$file" &&
	test_cmp $(last_msg) $(ticket_dir $ID)/$file &&
	grep "ev: mail-out.*to: jane@customer.example.*template: ack, auto: .true., auto-submitted: auto-replied" $(ticket_dir $ID)/log.yaml &&
	mid=$(sed -n "s/^Message-I[dD]: <\(.*\)>$/\1/Ip" $(last_msg)) &&
	grep "message-id: $mid" $(ticket_dir $ID)/log.yaml &&
	git log -1 --format=%B >msg &&
	grep "^reply: #$ID We received your request: Printer broken" msg &&
	grep "^Action: reply" msg
'

test_expect_success 'free text from stdin with --cc, --quote and --set-status' '
	printf "We are looking into it.\n" | rt-reply --cc boss@customer.example --quote --set-status waiting $ID >out &&
	echo $ID >expect && test_cmp expect out &&
	m=$(last_msg) &&
	grep "^Subject: Re: \[Test #$ID\] Printer broken" $m &&
	grep -i "^Cc: .*boss@customer.example" $m &&
	grep "^We are looking into it." $m &&
	grep "^> my printer is broken." $m &&
	grep "wrote:$" $m &&
	! grep -i "^Auto-Submitted" $m &&
	grep "^status: waiting" $(ticket_dir $ID)/ticket.yaml &&
	tail -n 2 $(ticket_dir $ID)/log.yaml >tail &&
	grep "ev: mail-out.*cc: boss@customer.example" tail &&
	! grep "auto:" tail &&
	grep "ev: set, field: status, old: new, new: waiting" tail
'

test_expect_success '--dry-run prints the mail and changes nothing' '
	before=$(git rev-parse HEAD) && n=$(ls "$SM_DIR" | wc -l) &&
	rt-reply -n --template resolved $ID >out &&
	grep "^Subject: \[Test #$ID\] Resolved: Printer broken" out &&
	grep "we consider your request \[Test #$ID\] resolved" out &&
	test "$(git rev-parse HEAD)" = "$before" &&
	test "$(ls "$SM_DIR" | wc -l)" = "$n"
'

test_expect_success 'empty free text sends nothing' '
	before=$(git rev-parse HEAD) &&
	printf "\n  \n" | test_must_fail rt-reply $ID 2>err &&
	grep "empty answer" err &&
	test "$(git rev-parse HEAD)" = "$before"
'

command -v script >/dev/null && test_set_prereq SCRIPT
test_expect_success SCRIPT 'free text from $EDITOR on a terminal; a failing editor sends nothing' '
	printf "#!/bin/sh\necho written in the editor >\"\$1\"\n" >ed.sh && chmod +x ed.sh &&
	VISUAL= EDITOR=$PWD/ed.sh script -qec "rt-reply $ID" /dev/null >out &&
	test "$(tr -d "\r" <out)" = $ID && grep "^written in the editor$" $(last_msg) &&
	before=$(git rev-parse HEAD) && n=$(ls "$SM_DIR" | wc -l) &&
	VISUAL=false script -qec "rt-reply $ID" /dev/null >out;
	grep "rt-reply: editor .false. failed, nothing sent" out &&
	test "$(git rev-parse HEAD)" = "$before" && test "$(ls "$SM_DIR" | wc -l)" = "$n"
'

test_expect_code 65 'unknown variable: file, line and name; nothing sent' '
	mkdir -p templates/en &&
	printf "Subject: Hi\n\nline one\nline two {{ticket.nope}}\n" >templates/en/bad.tmpl &&
	before=$(git rev-parse HEAD) && n=$(ls "$SM_DIR" | wc -l) &&
	rt-reply --template bad $ID 2>err; rc=$?;
	cat err &&
	grep "templates/en/bad.tmpl:4: unknown variable .ticket.nope." err &&
	test "$(git rev-parse HEAD)" = "$before" &&
	test "$(ls "$SM_DIR" | wc -l)" = "$n" &&
	exit $rc
'

test_expect_success 'the desk folder overrides the installed template; tag is not doubled' '
	printf "Subject: Re: {{ticket.tag}} {{ticket.subject}}\nAuto: yes\n\nOur own ack for {{requestor.name}}.\n" >templates/en/ack.tmpl &&
	rt-reply -n --template ack $ID >out &&
	grep "^Subject: Re: \[Test #$ID\] Printer broken$" out &&
	grep "^Our own ack for Jane Doe." out &&
	rm templates/en/ack.tmpl
'

test_expect_success 'queue templates come before language templates' '
	mkdir -p templates/billing/en &&
	printf "Subject: billing ack\n\nBilling.\n" >templates/billing/en/ack.tmpl &&
	rt-reply -n --template ack $ID >out &&
	grep "^Subject: \[Test #$ID\] We received" out &&
	# a hand edit (rt-desk(5)): an event appended to the log, ordered by its at
	echo "- {at: '"'"'2027-01-01T00:00:00Z'"'"', by: hand, ev: set, field: queue, old: general, new: billing}" \
		>>$(ticket_dir $ID)/log.yaml &&
	git commit -q -m "move to billing" -- $(ticket_dir $ID)/log.yaml &&
	rt-reply -n --template ack $ID >out &&
	grep "^Subject: \[Test #$ID\] billing ack" out
'

test_expect_success 'German template chosen by the mail Content-Language, RFC 2047 subject' '
	mail m2@kunde.example "Drucker läuft nicht" de-DE "=?UTF-8?Q?J=C3=BCrgen_M=C3=BCller?= <juergen@kunde.example>" >m2.eml &&
	id2=$(rt-ingest <m2.eml) &&
	grep "^language: de" $(ticket_dir $id2)/ticket.yaml &&
	rt-reply --template ack $id2 &&
	m=$(last_msg) &&
	grep "^Subject: =?[Uu][Tt][Ff]-8?" $m &&
	grep "^Guten Tag J=C3=BCrgen M=C3=BCller,$" $m &&
	grep "^Subject: =?UTF-8?Q?\[Test_#$id2\]_Ihre_Anfrage_ist_bei_uns_eingegangen" $m &&
	grep -i "^Content-Language: de" $m &&
	grep "ev: mail-out.*template: ack" $(ticket_dir $id2)/log.yaml
'

test_expect_success 'desk.language is the default language' '
	sed -i "s/^  language: en/  language: de/" rt.yaml &&
	mail m3@customer.example "No language" | sed "s/^Hello,$/VPN 2FA?/; /^my printer/d" >m3.eml &&
	id3=$(rt-ingest <m3.eml) &&
	! rt-show $id3 | grep "^language " &&
	rt-reply -n --template ack $id3 >out &&
	grep "^Guten Tag Jane Doe,$" out &&
	sed -i "s/^  language: de/  language: en/" rt.yaml
'

test_expect_success 'no Content-Language: the language comes from the text (German)' '
	mail lang-de@customer.example "Drucker druckt nicht" |
	    sed "s/^Hello,$/Hallo,/; s/^my printer is broken.$/der Drucker im 2. Stock druckt seit gestern nicht mehr. Bitte helfen Sie mir./" >m4.eml &&
	id4=$(rt-ingest <m4.eml) &&
	rt-show $id4 | grep "^language  *de$" &&
	rt-reply -n --template ack $id4 >out &&
	grep "^Guten Tag Jane Doe,$" out &&
	grep -i "^Content-Language: de" out
'

test_expect_success 'no Content-Language: English text stays English under a German desk' '
	sed -i "s/^  language: en/  language: de/" rt.yaml &&
	mail lang-en@customer.example "Printer" >m5.eml &&
	id5=$(rt-ingest <m5.eml) &&
	rt-show $id5 | grep "^language  *en$" &&
	rt-reply -n --template ack $id5 >out &&
	! grep "^Guten Tag" out && grep -i "^Content-Language: en" out &&
	sed -i "s/^  language: de/  language: en/" rt.yaml
'

test_expect_success '--list names the templates' '
	rt-reply --list >out &&
	for n in ack auto delivery escalation-notice invoice resolved returns status-update survey warranty; do
		grep -x $n out || exit 1
	done
'

test_expect_success 'ids on stdin: rt-ingest | rt-reply --template ack' '
	mail m4@other.example "Pipe test" "" "Other <other@other.example>" >m4.eml &&
	rt-ingest <m4.eml | rt-reply --template ack >out &&
	test_line_count=$(wc -l <out) && test "$test_line_count" = 1 &&
	grep "ev: mail-out.*template: ack" $(ticket_dir $(cat out))/log.yaml
'

test_expect_code 66 'unknown template' 'rt-reply --template nosuch $ID'
test_expect_code 64 'bad option combination' 'rt-reply --suggest --template ack $ID'

test_expect_success '--notify is silent unless reply.notify-status is true' '
	before=$(git rev-parse HEAD) &&
	rt-reply --notify $ID >out && test ! -s out &&
	test "$(git rev-parse HEAD)" = "$before" &&
	printf "  notify-status: true\n" >>rt.yaml &&
	rt-reply --notify $ID >out &&
	echo $ID >expect && test_cmp expect out &&
	grep "^Subject: \[Test #$ID\] Update on your request" $(last_msg) &&
	grep "changed from" $(last_msg) &&
	grep -i "^Auto-Submitted: auto-generated" $(last_msg)
'

test_expect_success 'the greeting names the sender, or greets without a name' '
	mail m8@customer.example "Named" | rt-ingest >id8 &&
	rt-reply -n --template ack $(cat id8) >named &&
	grep -x "Hello Jane Doe," named &&
	mail m9@customer.example "No name" "" "nameless@customer.example" |
	    rt-ingest >id9 &&
	rt-reply --template ack $(cat id9) &&
	grep -x "Hello," $(last_msg) &&
	! grep "Hello ," $(last_msg)
'

test_done
