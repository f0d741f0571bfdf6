#!/bin/sh
# rt-sync: a bare central repository and clones; merge, trailers, the work
# tree, unreachable remotes, refused merges, git-log across clones, one
# escalation sweeper, the phrase watermark as a commit.
. "$(dirname "$0")/lib.sh"

rt-init probe >/dev/null 2>&1 && test -f probe/.rt/format && test_set_prereq FORMAT2

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

test_expect_success 'a remote given by a path relative to the desk, as git takes it' '
	git -C a remote add rel ../central.git &&
	rt-sync --desk a rel >out && grep "^rel main: " out &&
	git -C a rev-parse refs/remotes/rel/main
'

test_expect_success 'an https remote that does not answer: the CA bundle loads, then 75 in one line' '
	{ rt-sync --desk a https://127.0.0.1:1/central.git 2>err; test $? = 75; } &&
	test $(wc -l <err) = 1 && grep "^rt-sync: cannot fetch from .https://127.0.0.1:1/central.git.: " err
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

test_expect_success 'without a sweeper both clones escalate; after the sync the ticket holds the step once' '
	sed -i "/^  sweeper: a$/d" a/rt.yaml && git -C a commit -qm "no sweeper" rt.yaml &&
	mail e1@x "both sweep" | RT_NOW=2026-11-25T14:00:00Z rt-ingest --desk a >ide &&
	rt-sync --desk a -q && rt-sync --desk b -q &&
	RT_NOW=2026-11-25T16:00:00Z rt-escalate --desk a >outa &&
	RT_NOW=2026-11-25T16:00:00Z rt-escalate --desk b >outb &&
	grep "^$(cat ide) first-response:breach" outa && grep "^$(cat ide) first-response:breach" outb &&
	rt-sync --desk a -q && rt-sync --desk b -q && rt-sync --desk a -q &&
	rt-ls --desk b --all --format "%{id} %{esc-steps} %{esc-level}\n" | grep "^$(cat ide) " >st &&
	echo "$(cat ide) first-response:breach 1" >expect && test_cmp expect st &&
	RT_NOW=2026-11-25T16:05:00Z rt-escalate --desk b >out && { ! grep "^$(cat ide)" out; } &&
	grep -c "ev: escalate" "b/$(ticket_dir $(cat ide) b)/log.yaml" >n &&
	echo 2 >expect && test_cmp expect n &&
	rt-show --desk b --log $(cat ide) | grep -c "escalate step=first-response:breach" >n &&
	echo 1 >expect && test_cmp expect n &&
	same_tickets a b
'

test_expect_success 'a follow-up to a ticket merged away on the other side moves to the survivor' '
	rt-sync --desk a -q && rt-sync --desk b -q &&
	mail d1@x "dup" | rt-ingest --desk a >dup && mail s1@x "survivor" | rt-ingest --desk a >surv &&
	rt-sync --desk a -q && rt-sync --desk b -q &&
	rt-merge --desk a $(cat dup) $(cat surv) >/dev/null &&
	mail d2@x "Re: [Test #$(cat dup)] dup" "Any news?" | rt-ingest --desk b >out &&
	test_cmp dup out &&
	rt-sync --desk a -q && rt-sync --desk b --json >out &&
	grep "\"reconciled\":1" out &&
	rt-sync --desk a -q &&
	for c in a b; do
		rt-show --desk $c $(cat surv) >show.$c &&
		grep "Any news?" show.$c || exit 1
	done &&
	git -C b log -1 --format=%s | grep "^merge: #$(cat surv) follow-ups of #$(cat dup)$" &&
	same_tickets a b && clean a && clean b
'

test_expect_success FORMAT2 'a cascade reaches a child linked on the other side' '
	cat >>a/rt.yaml <<-EOC &&
	workflows:
	  default:
	    cascade: true
	EOC
	git -C a commit -qm cascade rt.yaml &&
	mail p1@x "parent" | rt-ingest --desk a >par && mail k1@x "kid 1" | rt-ingest --desk a >k1 &&
	mail k2@x "kid 2" | rt-ingest --desk a >k2 &&
	rt-link --desk a $(cat k1) --parent $(cat par) >/dev/null &&
	rt-sync --desk a -q && rt-sync --desk b -q &&
	rt-set --desk a $(cat par) status=resolved >/dev/null &&
	rt-ls --desk a --all --format "%{id} %{status}\n" | grep "^$(cat k1) resolved$" &&
	rt-link --desk b $(cat k2) --parent $(cat par) >/dev/null &&
	rt-sync --desk a -q && rt-sync --desk b -q && rt-sync --desk a -q &&
	rt-ls --desk b --all --format "%{id} %{status}\n" >st &&
	grep "^$(cat k2) resolved$" st &&
	same_tickets a b && clean a && clean b
'

test_expect_success FORMAT2 'concurrent writes to one field: the merge commit names the value that lost' '
	rt-sync --desk a -q && rt-sync --desk b -q &&
	RT_NOW=2026-11-25T13:00:00Z rt-set --desk a $(cat ida) priority=high >/dev/null &&
	RT_NOW=2026-11-25T13:01:00Z rt-set --desk b $(cat ida) priority=low >/dev/null &&
	rt-sync --desk a -q && rt-sync --desk b --json >out &&
	grep "\"lost\":\[\"#$(cat ida) priority: high" out &&
	git -C b log -1 --format=%B | grep "^Lost: #$(cat ida) priority: high" &&
	rt-sync --desk a -q && same_tickets a b &&
	rt-ls --desk a --all --format "%{id} %{priority}\n" | grep "^$(cat ida) low$"
'

test_expect_success FORMAT2 'merged sticks: a concurrent status set in the other clone does not un-merge' '
	rt-sync --desk a -q && rt-sync --desk b -q &&
	mail m1@x "dup 2" | rt-ingest --desk a >dup2 && mail m2@x "survivor 2" | rt-ingest --desk a >surv2 &&
	rt-sync --desk a -q && rt-sync --desk b -q &&
	RT_NOW=2026-11-25T13:10:00Z rt-merge --desk a $(cat dup2) $(cat surv2) >/dev/null &&
	RT_NOW=2026-11-25T13:11:00Z rt-set --desk b $(cat dup2) status=resolved >/dev/null &&
	rt-sync --desk a -q && rt-sync --desk b -q && rt-sync --desk a -q &&
	git -C b log -1 --format=%B | grep "^Lost: #$(cat dup2) status: resolved" &&
	for c in a b; do
		rt-ls --desk $c --all --format "%{id} %{status} %{merged-into}\n" | grep "^$(cat dup2) " >st &&
		echo "$(cat dup2) merged $(cat surv2)" >expect && test_cmp expect st || exit 1
	done &&
	same_tickets a b && clean a && clean b
'

# defers CMD...: exits 75 with one line on stderr
defers() {
	"$@" >out 2>err; rc=$?
	cat err; test $rc = 75 && test $(wc -l <err) = 1
}

test_expect_success 'a plain git pull merges what rt wrote in two clones (log by union)' '
	rt-sync --desk a -q && rt-sync --desk b -q &&
	mail g1@x "pull a" | rt-ingest --desk a >/dev/null && rt-sync --desk a -q &&
	mail g2@x "pull b" | rt-ingest --desk b >/dev/null &&
	rt-gc -q --desk b && git -C b pull -q --no-rebase --no-edit origin main &&
	rt-gc -q --desk b && clean b &&
	rt-sync --desk b -q && rt-sync --desk a -q && same_tickets a b
'

test_expect_success 'git pull stopped on a conflict: rt writers and rt-sync defer, then write again' '
	echo a >a/notes.txt && git -C a add notes.txt && git -C a commit -qm "a: notes" && rt-sync --desk a -q &&
	echo b >b/notes.txt && git -C b add notes.txt && git -C b commit -qm "b: notes" &&
	test_must_fail git -C b pull -q --no-rebase --no-edit origin main >/dev/null 2>&1 &&
	test -f b/.git/MERGE_HEAD && head=$(git -C b rev-parse HEAD) &&
	mail g3@x "during the pull" | defers rt-ingest --desk b &&
	grep "a git merge is in progress" err &&
	defers rt-sync --desk b &&
	test "$(git -C b rev-parse HEAD)" = "$head" &&
	git -C b merge --abort &&
	mail g3@x "during the pull" | rt-ingest --desk b >/dev/null &&
	git -C b reset -q --hard origin/main && rt-gc -q --desk b
'

test_expect_success 'git pull --rebase stopped: rt defers, and after --abort nothing is lost' '
	echo b2 >b/notes.txt && git -C b commit -qm "b: notes again" notes.txt &&
	mail g4@x "before the rebase" | rt-ingest --desk b >g4 && rt-gc -q --desk b &&
	echo a2 >a/notes.txt && git -C a commit -qm "a: notes again" notes.txt && rt-sync --desk a -q &&
	test_must_fail git -C b pull -q --rebase origin main >/dev/null 2>&1 &&
	test -d b/.git/rebase-merge -o -d b/.git/rebase-apply &&
	mail g5@x "during the rebase" | defers rt-ingest --desk b &&
	grep "git rebase --abort" err &&
	git -C b rebase --abort &&
	mail g5@x "during the rebase" | rt-ingest --desk b >/dev/null &&
	git -C b log --format=%b | grep "^Message-Id: g4@x$" &&
	git -C b log --format=%b | grep "^Message-Id: g5@x$" &&
	git -C b reset -q --hard origin/main && rt-gc -q --desk b && rt-sync --desk b -q
'

# A real git server (git daemon on a free port of 127.0.0.1, its
# receive-pack runs hooks): the first push is declined as if another clone
# had won the race; rt-sync fetches, merges and pushes again.
start_daemon() {
	for _try in 1 2 3 4 5 6 7 8 9 10; do
		DPORT=$(( 20000 + ($$ * 37 + _try * 1031 + $(date +%N | sed "s/^0*//;s/^$/0/") % 1000) % 40000 ))
		git daemon --listen=127.0.0.1 --port=$DPORT --base-path="$TRASH" --export-all \
		    --enable=receive-pack --reuseaddr --pid-file="$TRASH/daemon.pid" "$TRASH" \
		    2>>"$TRASH/daemon.log" &
		DPID=$!
		test_atexit "kill $DPID 2>/dev/null"
		sleep 0.5
		kill -0 $DPID 2>/dev/null && return 0
	done
	return 1
}

test_expect_success 'over git://: a push the remote refuses once is retried after a new fetch' '
	start_daemon &&
	rt-sync --desk a -q && rt-sync --desk b -q &&
	git -C b remote add served "git://127.0.0.1:$DPORT/central.git" &&
	printf "#!/bin/sh\nif [ ! -e \"%s/raced\" ]; then touch \"%s/raced\"; echo another clone won; exit 1; fi\n" \
	    "$TRASH" "$TRASH" >central.git/hooks/pre-receive &&
	chmod +x central.git/hooks/pre-receive &&
	test_when_finished "rm -f central.git/hooks/pre-receive" &&
	mail n1@x "over the network" | rt-ingest --desk b >/dev/null &&
	rt-sync --desk b --json served >out &&
	grep "\"attempts\":2" out && grep "\"outgoing\":1" out &&
	test -e raced &&
	git -C central.git rev-parse main >c && git -C b rev-parse HEAD >h && test_cmp c h
'

test_expect_code 75 'over git://: a server that is not there gives 75' '
	rt-sync --desk b "git://127.0.0.1:1/central.git"
'

test_done
