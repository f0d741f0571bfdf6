#!/bin/sh
# command lines in agents' mail: opt-in, authenticated, author = agent
. "$(dirname "$0")/lib.sh"
export RT_NOW=2026-11-23T10:00:00Z

new_desk || exit 1
cat >>rt.yaml <<\EOC
agents:
  anna: {email: anna@example.org, name: Anna Agent}
  bob: {email: bob@example.org}
EOC
git add rt.yaml && git commit -qm agents
field() { sed -n "s/^$2: //p" $(ticket_dir $1)/ticket.yaml | tr -d "'"; }
lastev() { tail -1 $(ticket_dir $ID)/log.yaml; }
reply() { # FROM BODY [EXTRA-HEADER]
	printf 'From: %s\nTo: support@example.org\nSubject: Re: [Test #%s] printer\n%sMessage-Id: <%s@x>\n\n%b' \
	    "$1" "$ID" "${3:+$3
}" "$(date +%s%N)" "$2"
}
# the desk delivers as the mail account; agents are someone else
ingest() { RT_ACTOR="Mail Account <mail@desk.example>" rt-ingest "$@"; }
enable() { # KEY VALUE...
	{ echo "mail-commands:"; echo "  enabled: true"; for kv in "$@"; do echo "  $kv"; done; } >>rt.yaml
}

SINK=/usr/sbin/smtp-sink

test_expect_success 'setup' '
	printf "From: carl@example.com\nTo: support@example.org\nSubject: printer\nMessage-Id: <c1@x>\n\nbroken\n" |
	    ingest >$TRASH/id
'
ID=$(cat $TRASH/id)

test_expect_success 'off until configured: an agent mail with commands is refused, not the agent'"'"'s' '
	reply "anna@example.org" "Status: resolved\nSecret: n0tyet\n\nx\n" | ingest &&
	test "$(field $ID status)" = new &&
	lastev | grep "commands-refused: .mail commands are off" &&
	! lastev | grep "agent: .true.\|by: anna" &&
	test "$(git log -1 --format=%an)" = "Mail Account"
'

test_expect_success 'enabled without a check configured: refused' '
	enable >/dev/null && sed -i "/^mail-commands:/,\$d" rt.yaml && enable &&
	reply "anna@example.org" "Status: open\n\nx\n" | ingest &&
	test "$(field $ID status)" = new &&
	lastev | grep "commands-refused: .no check is configured"
'
sed -i "/^mail-commands:/,\$d" rt.yaml
enable "secret: s3cret" "header: X-RT-Secret" "verified-header: X-Authenticated-Sender" \
    "authserv-id: mx.desk.example"

test_expect_success 'an agent with the secret applies commands; author is the agent, committer the desk' '
	reply "Anna <anna@example.org>" "Status: open\nOwner: anna\nSecret: s3cret\nPriority: high\nTags: +hw +urgent\n\nWe are on it.\n" >m1.eml &&
	ingest <m1.eml >out && echo $ID >expect && test_cmp expect out &&
	test "$(field $ID status)" = open && test "$(field $ID owner)" = anna &&
	test "$(field $ID priority)" = high && test "$(field $ID tags)" = "[hw, urgent]" &&
	grep "ev: mail-in.*agent: .true.*commands: .Status: open; Owner: anna; Priority: high; Tags: +hw +urgent." \
	    $(ticket_dir $ID)/log.yaml &&
	test $(git show HEAD -- $(ticket_dir $ID)/log.yaml | grep -c "^+- .*ev: set") = 4 &&
	test "$(git log -1 --format="%an <%ae>")" = "Anna Agent <anna@example.org>" &&
	test "$(git log -1 --format="%cn <%ce>")" = "Mail Account <mail@desk.example>"
'

test_expect_success 'the secret is only in the raw mail: stored byte-exact, shown nowhere' '
	eml=$(for f in $(ticket_dir $ID)/msg/*.eml; do cmp -s "$f" m1.eml && echo "$f"; done; :) &&
	test -n "$eml" &&
	test "$(git grep -l s3cret HEAD -- tickets | sed "s/^HEAD://")" = "$eml" &&
	! git log -p --format="%an %cn %B" -- . ":(exclude)*.eml" ":(exclude)rt.yaml" | grep s3cret &&
	rt-show $ID >show && grep "We are on it" show && grep "^Status: open" show && ! grep "s3cret\|Secret:" show &&
	rt-show --json $ID >json && grep "We are on it" json && ! grep "s3cret\|Secret:" json &&
	! grep -ril s3cret .git/rt/ 2>/dev/null
'

test_expect_success 'a forged From with command lines is refused and logged as refused' '
	before=$(field $ID status) &&
	reply "Anna <anna@example.org>" "Status: resolved\nOwner: bob\n\nplease close\n" "Reply-To: mallory@evil.example" | ingest &&
	test "$(field $ID status)" = "$before" && test "$(field $ID owner)" = anna &&
	lastev | grep "ev: mail-in" &&
	lastev | grep "commands-refused: .the mail is not authenticated.*From anna@example.org, agent anna" &&
	! lastev | grep "agent: .true.\|by: anna" &&
	test "$(git log -1 --format=%an)" = "Mail Account"
'

test_expect_success 'a wrong secret, a foreign verified header or Authentication-Results: refused' '
	reply "anna@example.org" "Priority: low\nSecret: wrong\n\nx\n" | ingest &&
	lastev | grep commands-refused &&
	reply "anna@example.org" "Priority: low\n\nx\n" "X-Authenticated-Sender: mallory@evil.example" | ingest &&
	lastev | grep commands-refused &&
	reply "anna@example.org" "Priority: low\n\nx\n" "Authentication-Results: mx.evil.example; dkim=pass header.d=example.org" | ingest &&
	lastev | grep commands-refused &&
	reply "anna@example.org" "Priority: low\n\nx\n" "Authentication-Results: mx.desk.example; dkim=fail header.d=example.org" | ingest &&
	lastev | grep commands-refused &&
	test "$(field $ID priority)" = high
'

test_expect_success 'the secret header, the MTA header and our Authentication-Results each prove the agent' '
	reply "anna@example.org" "Priority: urgent\n\nx\n" "X-RT-Secret: s3cret" | ingest &&
	test "$(field $ID priority)" = urgent &&
	reply "anna@example.org" "Priority: low\n\nx\n" "X-Authenticated-Sender: <anna@example.org>" | ingest &&
	test "$(field $ID priority)" = low &&
	reply "anna@example.org" "Priority: high\n\nx\n" "Authentication-Results: mx.desk.example; spf=pass smtp.mailfrom=example.org; dkim=pass (good) header.d=example.org" | ingest &&
	test "$(field $ID priority)" = high &&
	reply "anna@example.org" "Priority: low\n\nx\n" "Authentication-Results: mx.desk.example 1; dmarc=pass header.from=example.org" | ingest &&
	test "$(field $ID priority)" = low &&
	test "$(git log -1 --format=%an)" = "Anna Agent"
'

test_expect_success 'Tags: -x removes; bad values are recorded, good ones applied' '
	reply "anna@example.org" "Tags: -urgent\nPriority: extreme\nQueue: general\n\nx\n" "X-RT-Secret: s3cret" | ingest &&
	test "$(field $ID tags)" = "[hw]" && test "$(field $ID priority)" = low &&
	grep "commands-failed: .Priority: extreme (.*extreme.* is not a priority" $(ticket_dir $ID)/log.yaml
'
test_expect_success 'an agent mail does not reopen a resolved ticket' '
	rt-set $ID status=resolved &&
	reply "bob@example.org" "Just a note for the record.\n" | ingest &&
	test "$(field $ID status)" = resolved &&
	lastev | grep "agent: .true."
'
test_expect_success 'a customer mail with command lines: none applied, reopens as usual' '
	reply "carl@example.com" "Status: closed\nOwner: carl\nPriority: high\nSecret: s3cret\n\nplease close\n" | ingest &&
	test "$(field $ID status)" = open && test "$(field $ID priority)" = low &&
	test "$(field $ID owner)" = anna &&
	! tail -2 $(ticket_dir $ID)/log.yaml | grep "commands\|agent"
'
test_expect_success 'rt-reply --quote quotes the customer, never agent mail or notes' '
	echo "internal: the printer is stolen" | rt-comment $ID &&
	reply "anna@example.org" "Owner: anna\nSecret: s3cret\n\nagent-only remark\n" | ingest &&
	echo "Answer." | rt-reply --dry-run --quote $ID >dry &&
	grep "^> please close" dry &&
	! grep "agent-only\|stolen\|s3cret\|Secret" dry
'
test_expect_success 'a refused transition is recorded, nothing else lost' '
	cat >>rt.yaml <<-\EOC &&
	workflows:
	  default:
	    transitions:
	      open: [waiting]
	EOC
	reply "anna@example.org" "Status: closed\nOwner: bob\nSecret: s3cret\n\nx\n" | ingest &&
	test "$(field $ID status)" = open && test "$(field $ID owner)" = bob &&
	grep "commands: .Owner: bob., commands-failed: .Status: closed (.*closed.* is not a status of workflow .*default.* (open, waiting))" $(ticket_dir $ID)/log.yaml &&
	lastev | grep "by: anna, ev: set, field: owner"
'
test_expect_success 'a non-agent with the secret gets nothing' '
	reply "eve@example.net" "Priority: urgent\nSecret: s3cret\n\nx\n" | ingest &&
	test "$(field $ID priority)" = low
'
test_expect_success 'commands stop at the first line that is not one' '
	reply "anna@example.org" "Hello,\nPriority: urgent\nSecret: s3cret\n\nx\n" | ingest &&
	test "$(field $ID priority)" = low
'
test_expect_success 'secret-file: a secret kept outside the commits' '
	printf "fil3secret\n" >.git/rt-mail-secret &&
	sed -i "s/^  secret: s3cret/  secret-file: rt-mail-secret/" rt.yaml &&
	reply "anna@example.org" "Priority: urgent\nSecret: s3cret\n\nx\n" | ingest &&
	test "$(field $ID priority)" = low &&
	reply "anna@example.org" "Priority: urgent\nSecret: fil3secret\n\nx\n" | ingest &&
	test "$(field $ID priority)" = urgent &&
	sed -i "s/^  secret-file: rt-mail-secret/  secret: s3cret/" rt.yaml
'

if ! [ -x $SINK ]; then
	test_skip 'refusals answered over SMTP' 'smtp-sink not installed'
else
test_expect_success 'a refusal is answered to the agent'"'"'s configured address only, from <>' '
	start_sink "$TRASH/sink1" && test_when_finished "kill $SPID" &&
	sed -i "s|mailer: .*|mailer: smtp://127.0.0.1:$PORT|" rt.yaml &&
	reply "Anna <ANNA@example.org>" "Status: resolved\nSecret: b4dguess\n\nclose it\n" "Reply-To: mallory@evil.example
Cc: carl@example.com" | ingest >out &&
	echo $ID >expect && test_cmp expect out &&
	f=$(received "$TRASH/sink1") && cat "$f" &&
	test "$(grep -ci "^X-Rcpt-Args:" "$f")" = 1 &&
	grep -i "^X-Rcpt-Args: <anna@example.org>" "$f" &&
	grep -i "^X-Mail-Args: <>" "$f" &&
	grep -i "^Auto-Submitted: auto-replied" "$f" &&
	grep -i "^To: anna@example.org" "$f" &&
	grep "commands were not applied" "$f" &&
	! grep -i "b4dguess\|s3cret\|mallory" "$f"
'
fi
test_done
