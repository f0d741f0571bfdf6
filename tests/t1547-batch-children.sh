#!/bin/sh
# A command rt starts inside a batch (a workflow exec:, a mailer program)
# finds the desk at the change that started it: the batch so far on the
# branch, the cache at the same commit and no LMDB writer held by the rt
# that waits for it.
. "$(dirname "$0")/lib.sh"

export RT_NOW=2026-11-23T10:00:00Z
LOG=$TRASH/children.log
export LOG

new_desk desk || exit 1
# the mailer: logs the subject of the branch's last commit and whether the
# cache lists the ticket, as a program reading the desk would
cat >"$TRASH/mailer" <<'SH'
#!/bin/sh
cat >/dev/null
echo "mailer: $(git -C "$DESK" log -1 --format=%s | sed 's/.*\] //')" >>"$LOG"
echo "mailer ls: $(timeout 20 rt-ls --desk "$DESK" --all --ids | wc -l)" >>"$LOG"
SH
chmod +x "$TRASH/mailer"
DESK=$PWD
export DESK
sed -i "s|mailer: .*|mailer: sendmail://$TRASH/mailer|" rt.yaml
cat >>rt.yaml <<\EOC
agents:
  anna: {email: anna@example.org}
  agent: {email: agent@example.org}
mail-commands:
  enabled: true
  secret: s3cret
workflows:
  default:
    on:
      open:
        exec: 'echo "exec: $(rt-show "$1" | sed -n "s/^status *//p")" >>"$LOG"; :'
EOC
git commit -qam "config for t1547"
ID=$(printf 'From: c@example.com\nTo: support@example.org\nSubject: help\nMessage-Id: <h@x>\n\nhi\n' | rt-ingest) &&
rt-set $ID status=resolved >/dev/null || exit 1

# mail FROM SUBJECT MSGID [BODY]: one mbox entry answering the ticket
mail() {
	printf 'From MAILER-DAEMON Mon Nov 23 10:00:00 2026\nFrom: %s\nTo: support@example.org\n' "$1"
	printf 'Subject: Re: [Test #%s] %s\nMessage-Id: <%s@x>\n\n%b\n\n' $ID "$2" "$3" "${4:-hi}"
}

test_expect_success 'a workflow exec: in a batch sees the change that ran it' '
	rm -f "$LOG" &&
	mail c@example.com "still broken" r1 >reopen.mbox &&
	timeout 60 rt-ingest -q --mbox reopen.mbox &&
	echo "exec: open" >expect && test_cmp expect "$LOG"
'
test_expect_success 'a mailer in a batch sees the mail it answers, after an exec: in the same batch' '
	rt-set $ID status=resolved >/dev/null && rm -f "$LOG" &&
	{ mail c@example.com "again" r2 &&
	  mail anna@example.org "anna here" r3 "Status: resolved\nSecret: wrong\n\ndone"; } >two.mbox &&
	timeout 60 rt-ingest -q --mbox two.mbox &&
	printf "exec: open\nmailer: anna here\nmailer ls: 1\n" >expect && test_cmp expect "$LOG"
'
test_expect_success 'the batch is whole: both mails stored, the cache at the branch' '
	rt-show $ID >show && grep -c "anna here\|again" show >n && test "$(cat n)" -ge 2 &&
	rt-ls --all --ids >ids && echo $ID >expect && test_cmp expect ids
'
test_expect_success 'a workflow exec: in a batch may write the desk: the batch lets its lock go' '
	rt-set $ID status=resolved >/dev/null && rm -f "$LOG" &&
	sed -i "s/exec: .*/exec: '\''rt-comment \"\$1\" -m \"exec was here\" >>\"\$LOG\" 2>\&1; :'\''/" rt.yaml &&
	rt-gc -q && git commit -qam "exec: writes the desk" &&
	{ mail c@example.com "once more" r4 && bulk_mbox 1 2; } >three.mbox &&
	RT_LOCK_TIMEOUT=3 timeout 60 rt-ingest -q --mbox three.mbox &&
	echo $ID >expect && test_cmp expect "$LOG" &&
	rt-show $ID | grep "exec was here" &&
	test "$(rt-ls --all --ids | wc -l)" = 3
'
test_done
