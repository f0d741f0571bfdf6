#!/bin/sh
# a shared desk with least privilege: what runs commands comes from an agent's commit
. "$(dirname "$0")/lib.sh"
export RT_NOW=2026-11-23T10:00:00Z

mk() { printf 'From: c@example.com\nTo: support@example.org\nSubject: %s\nMessage-Id: <%s@x>\n\nhi\n' "$1" "$1" | rt-ingest; }
# the mail account commits with git as itself
as_mail() { git -c user.name="Mail Account" -c user.email=mail@desk.example "$@"; }
workflow() { # EXEC
	sed -i "/^workflows:/,\$d" rt.yaml
	printf 'workflows:\n  default:\n    on:\n      resolved:\n        exec: %s\n' "$1" >>rt.yaml
}

test_expect_success 'setup: agents declared by an agent' '
	new_desk &&
	printf "agents:\n  agent: {email: agent@example.org}\n  anna: {email: anna@example.org}\n" >>rt.yaml &&
	git commit -qm "agents" rt.yaml &&
	mk t1 >id
'
cd desk 2>/dev/null || true
ID=$(cat id 2>/dev/null)

test_expect_success 'an uncommitted rt.yaml edit adding a workflow exec: does not run' '
	workflow "touch $TRASH/ran-uncommitted" &&
	rt-set $ID status=resolved 2>err; rc=$?; cat err;
	test $rc != 0 &&
	test ! -e $TRASH/ran-uncommitted &&
	grep "not run: .*taken only from the committed rt.yaml, which has none: commit your change" err &&
	grep "^status: resolved" $(ticket_dir $ID)/ticket.yaml
'

test_expect_success 'a commit by the mail account adding one does not run' '
	workflow "touch $TRASH/ran-mail" &&
	as_mail commit -qm "harmless" rt.yaml &&
	rt-set $ID status=open && rt-set $ID status=resolved 2>err; rc=$?; cat err;
	test $rc != 0 &&
	test ! -e $TRASH/ran-mail &&
	grep "it came with commit .* by Mail Account <mail@desk.example>, who is not an agent" err
'

test_expect_success 'nor when the mail account makes itself an agent in the same commit' '
	printf "  mallory: {email: mail@desk.example}\n" >agent.yaml &&
	sed -i "/^  anna:/r agent.yaml" rt.yaml && grep mallory rt.yaml &&
	as_mail commit -qm "me too" rt.yaml &&
	rt-set $ID status=open && rt-set $ID status=resolved 2>err; rc=$?; cat err;
	test $rc != 0 && test ! -e $TRASH/ran-mail
'

test_expect_success 'an agent'"'"'s commit does run it' '
	sed -i "/mallory/d" rt.yaml &&
	workflow "touch $TRASH/ran-agent" &&
	git -c user.name=Anna -c user.email=anna@example.org commit -qm "exec by anna" rt.yaml &&
	rt-set $ID status=open && rt-set $ID status=resolved &&
	test -e $TRASH/ran-agent &&
	test -s .git/rt/trust
'


test_expect_success 'the mail account listing itself first, then adding exec: not run' '
	printf "  mallory: {email: mail@desk.example}\n" >agent.yaml &&
	sed -i "/^  anna:/r agent.yaml" rt.yaml && as_mail commit -qm "step 1" rt.yaml &&
	workflow "touch $TRASH/ran-two-steps" && as_mail commit -qm "step 2" rt.yaml &&
	rt-set $ID status=open && rt-set $ID status=resolved 2>err; rc=$?; cat err;
	test $rc != 0 && test ! -e $TRASH/ran-two-steps &&
	grep "by Mail Account <mail@desk.example>, who is not an agent" err
'

test_expect_success 'the mail account removing agents:, then adding exec: not run' '
	sed -i "/^agents:/,/^  mallory:/d" rt.yaml && ! grep "^agents:" rt.yaml &&
	as_mail commit -qm "no agents" rt.yaml &&
	workflow "touch $TRASH/ran-no-agents" && as_mail commit -qm "exec" rt.yaml &&
	rt-set $ID status=open && rt-set $ID status=resolved 2>err; rc=$?; cat err;
	test $rc != 0 && test ! -e $TRASH/ran-no-agents
'

test_expect_success 'an agent'"'"'s exec removed, then put back by the mail account: not run' '
	anna() { git -c user.name=Anna -c user.email=anna@example.org "$@"; } &&
	workflow "touch $TRASH/ran-back" && anna commit -qm "exec" rt.yaml &&
	rt-set $ID status=open && rt-set $ID status=resolved && test -e $TRASH/ran-back &&
	rm $TRASH/ran-back &&
	workflow "true" && anna commit -qm "no exec" rt.yaml &&
	workflow "touch $TRASH/ran-back" && as_mail commit -qm "put back" rt.yaml &&
	rt-set $ID status=open && rt-set $ID status=resolved 2>err; rc=$?; cat err;
	test $rc != 0 && test ! -e $TRASH/ran-back
'

test_expect_code 78 'a program mailer only from the committed rt.yaml' '
	sed -i "s|mailer: .*|mailer: sendmail://$TRASH/evil|" rt.yaml &&
	echo hi | rt-reply $ID 2>err; rc=$?; cat err;
	grep "desk.mailer runs a command and is taken only from the committed rt.yaml" err &&
	git checkout rt.yaml && exit $rc
'

test_expect_success 'rt-init --shared: .git/config and hooks not group-writable, nothing world-readable' '
	(umask 022 && rt-init --shared --address support@example.org "$TRASH/shared" >/dev/null) &&
	cd "$TRASH/shared" &&
	test "$(git config core.sharedRepository)" = 0660 &&
	! find .git/config -perm -g+w | grep . &&
	! find .git -maxdepth 1 -name hooks -perm -g+w | grep . &&
	(umask 077 && mk s1 >/dev/null) &&
	find . -name "*.eml" >emls && test -s emls &&
	! find . -path ./emls -prune -o ! -type l -perm -o+r -print | grep . &&
	! find tickets .git/objects -type f ! -perm -g+r | grep .
'
test_done
