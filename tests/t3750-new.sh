#!/bin/sh
# rt-new: a ticket opened by hand (a phone call) is a ticket like any other
. "$(dirname "$0")/lib.sh"

new_desk || exit 1
test_expect_success 'setup: agents, a queue and an SLA policy' '
	cat >>rt.yaml <<-\EOC &&
	agents:
	  anna: {email: anna@example.org, name: Anna}
	sla:
	  calendar: 24x7
	  policies:
	    - name: standard
	      first-response: 2h
	      resolution: 16h
	EOC
	printf "  billing:\n    description: money\n" >tmp && sed -i "/^queues:/r tmp" rt.yaml &&
	git commit -qm setup rt.yaml
'

test_expect_success 'a phone call becomes a ticket; its id goes to stdout' '
	before=$(git rev-list --count HEAD) &&
	echo "Printer on floor 3 jams on every page." |
	RT_NOW=2026-11-25T09:00:00Z RT_ACTOR="Anna <anna@example.org>" \
	rt-new -r "Jürgen Müller <jm@customer.example>" -c phone --subject "Printer jams" \
	    queue=billing priority=high owner=anna tags=printer >id &&
	test $(wc -l <id) = 1 && grep -E "^[0-9A-Z]{8}$" id &&
	test $(git rev-list --count HEAD) = $((before + 1)) &&
	git log -1 --format=%B >msg &&
	grep "^new: #$(cat id) Printer jams$" msg &&
	grep "^Actor: Anna <anna@example.org>$" msg
'
ID=$(cat id 2>/dev/null)

test_expect_success 'rt-ls lists it with channel phone, fields as given' '
	rt-ls --channel phone --ids >out && echo $ID >expect && test_cmp expect out &&
	rt-ls --channel phone --format "%{channel} %{queue} %{priority} %{owner} %{tags} %{requestors} %{created}\n" >out &&
	echo "phone billing high anna printer jm@customer.example 2026-11-25T09:00:00Z" >expect &&
	test_cmp expect out
'

test_expect_success 'rt-show shows the text as the customer message, by the agent' '
	rt-show $ID >out &&
	grep "^=== #1 2026-11-25T09:00:00Z mail-in by Anna$" out &&
	grep "^From:    Jürgen Müller <jm@customer.example>$" out &&
	grep "^Printer on floor 3 jams on every page.$" out
'

test_expect_success 'the first-response clock runs from creation' '
	rt-escalate --status --now 2026-11-25T10:00:00Z $ID >out &&
	cat >expect <<-EOF &&
	$ID standard first-response 2h 1h 1h running ok 2026-11-25T11:00:00Z
	$ID standard resolution 16h 1h 15h running ok 2026-11-26T01:00:00Z
	EOF
	test_cmp expect out
'

test_expect_success 'rt-reply answers the requestor, and the first response is met' '
	printf "#!/bin/sh\ncat >\"$TRASH/sent\"\n" >"$TRASH/sendmail" && chmod +x "$TRASH/sendmail" &&
	sed -i "s|mailer: .*|mailer: sendmail://$TRASH/sendmail|" rt.yaml && git commit -qm mailer rt.yaml &&
	echo "We will send someone." | RT_NOW=2026-11-25T09:30:00Z rt-reply $ID >out &&
	grep -i "^To: .*jm@customer.example" "$TRASH/sent" &&
	rt-escalate --status --now 2026-11-25T10:00:00Z $ID >out &&
	grep "^$ID standard first-response 2h 30m .* stopped met" out
'

test_expect_success 'the id pipes into rt-set' '
	echo "Second call" | rt-new -r x@customer.example -c walk-in --subject Visit | rt-set status=open >out &&
	test $(wc -l <out) = 1 &&
	rt-ls --channel walk-in --format "%{status}\n" >st && echo open >expect && test_cmp expect st
'

test_expect_code 65 'an empty text stores nothing' '
	before=$(git rev-parse HEAD) &&
	printf "  \n\n" | rt-new -r a@customer.example -c phone --subject Empty;
	rc=$? && test $(git rev-parse HEAD) = $before && exit $rc
'

test_expect_success 'fields are checked as rt-set checks them; nothing stored' '
	before=$(git rev-parse HEAD) &&
	echo x | test_must_fail rt-new -r a@customer.example -c phone --subject X queue=nope 2>err &&
	grep "unknown queue .nope." err &&
	echo x | test_must_fail rt-new -r a@customer.example -c phone --subject X priority=asap 2>err &&
	echo x | test_must_fail rt-new -r a@customer.example -c phone --subject X owner=zoe 2>err &&
	echo x | test_must_fail rt-new -r a@customer.example -c phone --subject X bogus=1 2>err &&
	echo x | test_must_fail rt-new -r a@customer.example -c phone --subject X status=open 2>err &&
	echo x | test_must_fail rt-new -r "not an address" -c phone --subject X 2>err &&
	grep "not a mail address" err &&
	echo x | test_must_fail rt-new -r "Eve <e@customer.example>, f@customer.example" -c phone --subject X 2>err &&
	grep "not one mail address" err &&
	echo x | test_must_fail rt-new -r "$(printf "e@customer.example\nBcc: x@evil.example")" -c phone --subject X 2>err &&
	echo x | test_must_fail rt-new -r a@customer.example -c "Phone Call" --subject X 2>err &&
	echo x | test_must_fail rt-new -c phone --subject X 2>err &&
	test $(git rev-parse HEAD) = $before
'

test_expect_success 'the text from $EDITOR on a terminal, -m, and --dry-run' '
	before=$(git rev-parse HEAD) &&
	rt-new -n -r "Eve <eve@customer.example>" -c letter --subject Letter -m "Dear desk" tags=post >out &&
	grep "^channel      letter$" out && grep "^tags         post$" out &&
	grep "^From: \"Eve\" <eve@customer.example>$" out &&
	grep "^Message-ID: <rt-new\.[0-9]*\.[0-9a-f]*@example.org>$" out &&
	grep "^created      2026-11-25T10:00:00Z$" out && grep "^Dear desk$" out &&
	test $(git rev-parse HEAD) = $before &&
	if command -v script >/dev/null; then
		printf "#!/bin/sh\necho from the editor >\"\$1\"\n" >ed.sh && chmod +x ed.sh &&
		EDITOR=$PWD/ed.sh script -qec "rt-new -r eve@customer.example -c phone --subject Edited" /dev/null >out &&
		id=$(tr -d "\r" <out) && rt-show $id | grep "^from the editor$"
	fi
'

test_done
