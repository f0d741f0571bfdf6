#!/bin/sh
# command lines in agents' mail
. "$(dirname "$0")/lib.sh"

new_desk || exit 1
cat >>rt.yaml <<\EOC
agents:
  anna: {email: anna@example.org}
  bob: {email: bob@example.org}
EOC
field() { sed -n "s/^$2: //p" tickets/*/*/$1/ticket.yaml | tr -d "'"; }
reply() { # FROM BODY [EXTRA-HEADER]
	printf 'From: %s\nTo: support@example.org\nSubject: Re: [Test #%s] printer\n%sMessage-Id: <%s@x>\n\n%b' \
	    "$1" "$ID" "${3:+$3
}" "$(date +%s%N)" "$2"
}

test_expect_success 'setup' '
	printf "From: carl@example.com\nTo: support@example.org\nSubject: printer\nMessage-Id: <c1@x>\n\nbroken\n" |
	    rt-ingest >$TRASH/id
'
ID=$(cat $TRASH/id)

test_expect_success 'an agent applies commands; the event records them' '
	reply "Anna <anna@example.org>" "Status: open\nOwner: anna\nPriority: high\nTags: +hw +urgent\n\nWe are on it.\n" |
	    rt-ingest >out && echo $ID >expect && test_cmp expect out &&
	test "$(field $ID status)" = open && test "$(field $ID owner)" = anna &&
	test "$(field $ID priority)" = high && test "$(field $ID tags)" = "[hw, urgent]" &&
	grep "ev: mail-in.*agent: .true.*commands: .Status: open; Owner: anna; Priority: high; Tags: +hw +urgent." \
	    tickets/*/*/$ID/log.yaml &&
	test $(git show HEAD -- tickets/*/*/$ID/log.yaml | grep -c "^+- .*ev: set") = 4
'
test_expect_success 'Tags: -x removes; bad values are recorded, good ones applied' '
	reply "anna@example.org" "Tags: -urgent\nPriority: extreme\nQueue: general\n\nx\n" | rt-ingest &&
	test "$(field $ID tags)" = "[hw]" && test "$(field $ID priority)" = high &&
	grep "commands-failed: .Priority: extreme (.*extreme.* is not a priority" tickets/*/*/$ID/log.yaml
'
test_expect_success 'an agent mail does not reopen a resolved ticket' '
	rt-set $ID status=resolved &&
	reply "bob@example.org" "Just a note for the record.\n" | rt-ingest &&
	test "$(field $ID status)" = resolved &&
	tail -1 tickets/*/*/$ID/log.yaml | grep "agent: .true."
'
test_expect_success 'a customer mail with command lines: none applied, reopens as usual' '
	reply "carl@example.com" "Status: closed\nOwner: carl\nPriority: low\n\nplease close\n" | rt-ingest &&
	test "$(field $ID status)" = open && test "$(field $ID priority)" = high &&
	test "$(field $ID owner)" = anna &&
	! tail -2 tickets/*/*/$ID/log.yaml | grep "commands\|agent"
'
test_expect_success 'a refused transition is recorded, nothing else lost' '
	cat >>rt.yaml <<-\EOC &&
	workflows:
	  default:
	    transitions:
	      open: [waiting]
	EOC
	reply "anna@example.org" "Status: closed\nOwner: bob\n\nx\n" | rt-ingest &&
	test "$(field $ID status)" = open && test "$(field $ID owner)" = bob &&
	grep "commands: .Owner: bob., commands-failed: .Status: closed (.*closed.* is not a status of workflow .*default.* (open, waiting))" tickets/*/*/$ID/log.yaml &&
	tail -1 tickets/*/*/$ID/log.yaml | grep "by: anna, ev: set, field: owner"
'
test_expect_success 'with a secret: commands need it; it is never stored in the log' '
	cat >>rt.yaml <<-\EOC &&
	mail-commands:
	  secret: s3cret
	  header: X-RT-Secret
	EOC
	reply "anna@example.org" "Priority: low\n\nx\n" | rt-ingest &&
	test "$(field $ID priority)" = high &&
	tail -1 tickets/*/*/$ID/log.yaml | grep "commands-refused" &&
	reply "anna@example.org" "Priority: low\nSecret: wrong\n\nx\n" | rt-ingest &&
	test "$(field $ID priority)" = high &&
	reply "anna@example.org" "Priority: low\nSecret: s3cret\n\nx\n" | rt-ingest &&
	test "$(field $ID priority)" = low &&
	! grep s3cret tickets/*/*/$ID/log.yaml tickets/*/*/$ID/ticket.yaml &&
	reply "anna@example.org" "Priority: urgent\n\nx\n" "X-RT-Secret: s3cret" | rt-ingest &&
	test "$(field $ID priority)" = urgent
'
test_expect_success 'a spoofed-looking non-agent with the secret gets nothing' '
	reply "eve@example.net" "Priority: low\nSecret: s3cret\n\nx\n" | rt-ingest &&
	test "$(field $ID priority)" = urgent
'
test_expect_success 'commands stop at the first line that is not one' '
	reply "anna@example.org" "Hello,\nPriority: low\n\nx\n" | rt-ingest &&
	test "$(field $ID priority)" = urgent
'
test_done
