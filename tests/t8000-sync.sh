#!/bin/sh
# rt-sync: a bare central repository and clones; merge, trailers, the work
# tree, unreachable remotes, refused merges, git-log across clones, one
# escalation sweeper, the phrase watermark as a commit.
. "$(dirname "$0")/lib.sh"

mail() { # MSGID SUBJECT [BODY]
	printf 'From: kunde@example.com\nTo: support@example.org\nSubject: %s\nMessage-Id: <%s>\n\n%s\n' \
	    "$2" "$1" "${3:-Bitte helfen.}"
}
# clean DIR: nothing to commit, no merge in progress, fsck clean
clean() {
	test -z "$(git -C "$1" status --porcelain)" &&
	! test -e "$1/.git/MERGE_HEAD" &&
	git -C "$1" fsck --no-dangling --no-progress
}
same_tickets() { # DIR DIR
	rt-ls --desk "$1" --json >"$1.json" && rt-ls --desk "$2" --json >"$2.json" &&
	test_cmp "$1.json" "$2.json"
}

test_expect_success 'setup: a desk, its bare central repository and a second clone' '
	new_desk a && cd .. &&
	git clone -q --bare a central.git &&
	git -C a remote add origin "$TRASH/central.git" &&
	git -C a config rt.clone a &&
	git clone -q central.git b && git -C b config rt.clone b
'

test_expect_success 'mail in both clones: rt-sync merges, both list the same tickets' '
	mail a1@x "from a" | rt-ingest --desk a >ida &&
	mail b1@x "from b" | rt-ingest --desk b >idb &&
	rt-sync --desk a >out && echo "origin main: 0 in, 1 out" >expect && test_cmp expect out &&
	rt-sync --desk b >out && echo "origin main: 1 in (merged), 2 out" >expect && test_cmp expect out &&
	rt-sync --desk a >out && echo "origin main: 2 in (fast-forward), 0 out" >expect && test_cmp expect out &&
	same_tickets a b && test $(rt-ls --desk a --ids | wc -l) = 2 &&
	git -C b log -1 --format=%B >msg &&
	grep "^sync: merge origin main (1 commit, 1 ticket)$" msg &&
	grep "^Action: sync$" msg &&
	grep "^Merged: $(git -C a rev-parse HEAD^2) origin main$" msg &&
	grep "^Tickets: $(cat ida)$" msg &&
	clean a && clean b
'

test_expect_success 'a second sync changes nothing' '
	rt-sync --desk b --json >out &&
	grep "\"incoming\":0" out && grep "\"outgoing\":0" out && grep "\"merge\":null" out &&
	rt-sync --desk b -q >out && test_cmp /dev/null out
'

test_expect_success 'rt-show --git-log follows every parent: the other clone'"'"'s change is listed' '
	rt-comment --desk b -m "note in b" $(cat ida) >/dev/null &&
	mail a2@x "another in a" | rt-ingest --desk a >/dev/null &&
	rt-sync --desk b -q && rt-sync --desk a -q && rt-sync --desk b -q &&
	git -C a log -1 --format=%P | grep " " &&
	rt-show --desk a --git-log $(cat ida) >log &&
	grep "comment: #$(cat ida)" log && grep "ingest: #$(cat ida)" log &&
	git -C a log --first-parent --format=%s | { ! grep "^comment: #$(cat ida)"; }
'

test_expect_success 'a reopen by customer mail says so in rt-show --git-log' '
	rt-set --desk a $(cat ida) status=resolved >/dev/null &&
	mail a3@x "Re: [Test #$(cat ida)] from a" "Still broken." | rt-ingest --desk a >/dev/null &&
	rt-show --desk a --git-log $(cat ida) >log &&
	grep "ingest: #$(cat ida) Re: .* (reopened by customer mail)$" log &&
	rt-sync --desk a -q && rt-sync --desk b -q && same_tickets a b
'

test_expect_code 75 'an unreachable remote: 75' '
	rt-sync --desk a "$TRASH/nowhere.git"
'

test_expect_success 'an unreachable remote: one line, the desk unchanged' '
	git -C a rev-parse HEAD >before &&
	mv central.git moved.git && test_when_finished "mv moved.git central.git" &&
	mail a4@x "while away" | rt-ingest --desk a >/dev/null &&
	git -C a rev-parse HEAD >before &&
	{ rt-sync --desk a 2>err; test $? = 75; } &&
	test $(wc -l <err) = 1 && grep "^rt-sync: cannot fetch from .origin.: " err &&
	git -C a rev-parse HEAD >after && test_cmp before after
'

test_expect_code 78 'no such remote: 78' '
	rt-sync --desk a upstream
'

test_expect_success 'both sides changed rt.yaml: 65, nothing changed, no merge in progress' '
	rt-sync --desk a -q && rt-sync --desk b -q &&
	echo "# a" >>a/rt.yaml && git -C a commit -qm "a: rt.yaml" rt.yaml &&
	echo "# b" >>b/rt.yaml && git -C b commit -qm "b: rt.yaml" rt.yaml &&
	rt-sync --desk a -q &&
	git -C b rev-parse HEAD >before &&
	{ rt-sync --desk b 2>err; test $? = 65; } &&
	grep "both sides changed rt.yaml" err &&
	git -C b rev-parse HEAD >after && test_cmp before after &&
	clean b &&
	git -C b reset -q --hard origin/main && rt-gc -q --desk b && rt-sync --desk b -q &&
	same_tickets a b
'

test_expect_success 'escalation.sweeper: only the named clone sends, the other reports' '
	cat >>a/rt.yaml <<-EOC &&
	sla:
	  policies:
	    - {name: standard, first-response: 1h}
	escalation:
	  sweeper: a
	  mailer: sendmail://$TRASH/sendmail-standin
	  levels:
	    - {name: lead, notify: [lead@example.org]}
	  triggers:
	    - {on: "first-response:breach", level: 1}
	    - {on: phrase, name: lawyer, level: 1, phrases: [lawyer]}
	EOC
	git -C a commit -qm "escalation, swept by a" rt.yaml &&
	rt-sync --desk a -q && rt-sync --desk b -q &&
	rm -f sent-mail &&
	RT_NOW=2026-11-25T12:00:00Z rt-escalate --desk b >out 2>err &&
	grep "escalation.sweeper is .a., this clone is .b." err &&
	grep "first-response:breach" out &&
	! test -e sent-mail &&
	git -C b log -1 --format=%s | grep "^sync: \|^escalation, swept" &&
	RT_NOW=2026-11-25T12:00:00Z rt-escalate --desk a >out &&
	grep "first-response:breach" out &&
	test $(grep -c "^X-RT-Escalation: first-response:breach" sent-mail) = $(grep -c . out) &&
	rt-sync --desk a -q && rt-sync --desk b -q &&
	rm sent-mail &&
	RT_NOW=2026-11-25T12:01:00Z rt-escalate --desk a >out && test_cmp /dev/null out &&
	! test -e sent-mail
'

test_expect_success 'a phrase in mail the other clone stored before this sweep is read after the sync' '
	RT_NOW=2026-11-25T12:10:00Z rt-escalate --desk a >/dev/null &&
	mail b5@x "Angry" "My lawyer will call." | RT_NOW=2026-11-25T12:05:00Z rt-ingest --desk b >idl &&
	RT_NOW=2026-11-25T12:20:00Z rt-escalate --desk a >out &&
	{ ! grep phrase out; } &&
	RT_NOW=2026-11-25T12:21:00Z rt-sync --desk b -q &&
	RT_NOW=2026-11-25T12:22:00Z rt-sync --desk a -q &&
	RT_NOW=2026-11-25T12:30:00Z rt-escalate --desk a >out &&
	grep "^$(cat idl) phrase:lawyer level 1" out &&
	test $(grep -c "^X-RT-Escalation: phrase:lawyer" sent-mail) = 1 &&
	RT_NOW=2026-11-25T12:31:00Z rt-escalate --desk a >out && { ! grep phrase out; }
'

test_done
