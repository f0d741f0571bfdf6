#!/bin/sh
# one status change for every path (lib/status.c): mail commands, rt-reply
# --status and rt-set check, apply, run exec: and cascade alike
. "$(dirname "$0")/lib.sh"

export RT_NOW=2026-11-23T10:00:00Z TZ=UTC

cat >"$TRASH/sendmail" <<'SH'
#!/bin/sh
cat >/dev/null
SH
chmod +x "$TRASH/sendmail"

new_desk || exit 1
sed -i "s|mailer: .*|mailer: sendmail://$TRASH/sendmail|" rt.yaml
cat >>rt.yaml <<\EOC
reply:
  auto-interval: 0
agents:
  anna: {email: anna@example.org}
mail-commands:
  enabled: true
  secret: s3cret
workflows:
  default:
    cascade: true
    on:
      resolved:
        set: {resolved-by: "{actor}"}
        exec: echo "$RT_STATUS" >>"$RT_DESK/.git/exec.log"
EOC
git commit -qam "config for t3510"
field() { sed -n "s/^$2: //p" $(ticket_dir $1)/ticket.yaml | tr -d "'"; }
mk() { printf 'From: c@example.com\nTo: support@example.org\nSubject: %s\nMessage-Id: <%s@x>\n\nhi\n' "$1" "$1" | rt-ingest; }
agent_mail() { # ID BODY
	printf 'From: anna@example.org\nTo: support@example.org\nSubject: Re: [Test #%s] x\nMessage-Id: <%s@x>\n\n%b' \
	    "$1" "$(date +%s%N)" "$2" | rt-ingest
}

test_expect_success 'setup: a parent with two children' '
	mk p >$TRASH/p && mk a >$TRASH/a && mk b >$TRASH/b && mk r >$TRASH/r &&
	rt-link $(cat $TRASH/a) --parent $(cat $TRASH/p) >/dev/null &&
	rt-link $(cat $TRASH/b) --parent $(cat $TRASH/p) >/dev/null
'
P=$(cat $TRASH/p) A=$(cat $TRASH/a) B=$(cat $TRASH/b) R=$(cat $TRASH/r)

test_expect_success 'resolving a parent by mail command cascades to its children' '
	agent_mail $P "Status: resolved\nSecret: s3cret\n\ndone\n" >out &&
	test "$(field $P status)" = resolved &&
	test "$(field $A status)" = resolved && test "$(field $B status)" = resolved &&
	test -n "$(field $A resolved-by)" && test -n "$(field $B resolved-by)"
'
test_expect_success 'the mail path ran the exec: action for the parent and each child' '
	sort .git/exec.log >got &&
	printf "resolved %s\n" $P $A $B | sort >expect && test_cmp expect got
'
test_expect_success 'each cascaded child is its own commit' '
	git log --format=%s -3 >log &&
	grep -c "^set: #\($A\|$B\) status=resolved" log >n && echo 2 >expect && test_cmp expect n
'
test_expect_success 'rt-reply --status resolved cascades the same way' '
	rt-set $P $A status=open >/dev/null && rt-set $A status=open >/dev/null &&
	rm -f .git/exec.log &&
	echo fixed | rt-reply --status resolved $P >/dev/null &&
	test "$(field $P status)" = resolved && test "$(field $A status)" = resolved &&
	sort .git/exec.log >got &&
	printf "resolved %s\n" $P $A | sort >expect && test_cmp expect got
'
test_expect_success 'rt-merge sets merged through the same entry point; it stays merged' '
	rt-merge $R $P >/dev/null && test "$(field $R status)" = merged &&
	rt-set $R status=open >out && echo $P >expect && test_cmp expect out &&
	test "$(field $R status)" = merged && test "$(field $P status)" = open
'
test_done
