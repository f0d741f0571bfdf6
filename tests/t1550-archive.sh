#!/bin/sh
# rt-archive: closed tickets leave the work tree but stay in HEAD; git
# status stays clean, rt-show, rt-ls, rt-report and git log keep them, a
# change brings a ticket back (from rt, rt-sync or git pull), --restore
# undoes it, a rebuilt cache and index keep it, a stopped run leaves git
# status clean.
. "$(dirname "$0")/lib.sh"

mail() { # MSGID SUBJECT [BODY]
	printf 'From: kunde@example.com\nTo: support@example.org\nSubject: %s\nMessage-Id: <%s>\n\n%s\n' \
	    "$2" "$1" "${3:-Bitte helfen.}"
}
clean() { test -z "$(git -C "${1:-.}" status --porcelain)"; }
# skipped: the index entries marked skip-worktree, one path a line
skipped() { git -C "${1:-.}" ls-files -v | sed -n "s/^S //p"; }
# whole DIR ID: every file HEAD has for the ticket is in the work tree, equal
whole() {
	git -C "$1" ls-tree -r --name-only HEAD -- "$(ticket_dir "$2" "$1")" >files &&
	test -s files &&
	while read -r f; do git -C "$1" cat-file blob "HEAD:$f" | cmp -s - "$1/$f" || return 1; done <files
}

test_expect_success 'setup: four tickets, two closed' '
	new_desk a &&
	printf "%s\n" out got want expect files err ls show report log "*.before" "*.want" "id?" >>.git/info/exclude &&
	for i in 1 2 3 4; do mail m$i@x "Drucker $i" | rt-ingest >id$i || exit 1; done &&
	A=$(cat id1) B=$(cat id2) &&
	rt-set $A $B status=closed >/dev/null && rt-gc -q && clean &&
	git log --format=%H -- "$(ticket_dir $A)" >log.before &&
	rt-report --json >report.before && rt-ls --json >ls.before &&
	rt-show $A >show.before
'
A=$(cat a/id1 2>/dev/null) B=$(cat a/id2 2>/dev/null) C=$(cat a/id3 2>/dev/null)
cd a 2>/dev/null

test_expect_success 'rt-ls | rt-archive -n prints the ids and changes nothing' '
	rt-ls --status closed --ids | rt-archive -n >out &&
	printf "%s\n" $A $B | sort >expect && sort out >got && test_cmp expect got &&
	test -d "$(ticket_dir $A)" && ! test -e .git/info/sparse-checkout &&
	test -z "$(skipped)" && rt-archive --list >out && test_cmp /dev/null out
'

test_expect_success 'rt-ls | rt-archive: folders gone, git status clean, HEAD unchanged' '
	head=$(git rev-parse HEAD) &&
	rt-ls --status closed --ids | rt-archive >out &&
	sort out >got && test_cmp expect got &&
	! test -e "$(ticket_dir $A)" && ! test -e "$(ticket_dir $B)" &&
	test -d "$(ticket_dir $C)" &&
	clean && test "$(git rev-parse HEAD)" = "$head" &&
	skipped >got && git ls-tree -r --name-only HEAD -- "$(ticket_dir $A)" "$(ticket_dir $B)" >skip.want &&
	test_cmp skip.want got &&
	rt-archive --list >got && test_cmp expect got &&
	! test -e .git/info/sparse-checkout && test_must_fail git config core.sparseCheckout
'

test_expect_success 'rt-show, rt-ls, rt-report and git log still see archived tickets' '
	rt-show $A >show && test_cmp show.before show &&
	rt-ls --json >ls && test_cmp ls.before ls &&
	rt-report --json >report && test_cmp report.before report &&
	git log --format=%H -- "$(ticket_dir $A)" >log && test_cmp log.before log &&
	rt-show --raw 1 $A | grep "^Message-Id: <m1@x>"
'

test_expect_success 'archiving again changes nothing and prints nothing' '
	rt-archive $A $B >out && test_cmp /dev/null out && clean &&
	rt-archive --list >got && test_cmp expect got
'

test_expect_code 66 'an id that is no ticket: a warning, exit 66, the others archived' '
	rt-archive 0000000Z $C 2>err >out; rc=$?;
	grep "^rt-archive: #0000000Z: no such ticket$" err && echo $C >want && test_cmp want out &&
	rt-archive --restore $C >/dev/null && exit $rc
'

test_expect_code 65 'a word that is no id: nothing archived' '
	echo "not-an-id" | rt-archive 2>err; rc=$?;
	grep "not a ticket id" err && rt-archive --list >got && test_cmp expect got && exit $rc
'

test_expect_success 'a rebuilt cache and a rebuilt index keep the archive' '
	rt-gc -q --rebuild-cache --full-index && clean &&
	! test -e "$(ticket_dir $A)" && rt-ls --json >ls && test_cmp ls.before ls &&
	skipped >got && test_cmp skip.want got
'

test_expect_success 'git reset keeps the skip-worktree bits; an index git rewrote gets them back at rt-gc' '
	git reset -q && clean && git reset -q --hard && clean &&
	skipped >got && test_cmp skip.want got && ! test -e "$(ticket_dir $A)" &&
	git read-tree HEAD && ! clean && test -z "$(skipped)" &&
	rt-gc -q && clean && skipped >got && test_cmp skip.want got &&
	rm .git/index && git reset -q && ! clean &&
	rt-archive $A >out && test_cmp /dev/null out && clean && skipped >got && test_cmp skip.want got &&
	! test -e "$(ticket_dir $A)" && rt-archive --list >got && test_cmp expect got
'

test_expect_success 'a reply to an archived ticket stores it; rt-gc brings the ticket back whole' '
	mail r1@x "Re: [Test #$A] Drucker 1" "Geht wieder nicht." | rt-ingest >out &&
	echo $A >want && test_cmp want out &&
	rt-show $A | grep "Geht wieder nicht" &&
	rt-gc -q && clean && whole . $A && test -f "$(ticket_dir $A)/ticket.yaml" &&
	rt-archive --list >got && echo $B >want && test_cmp want got &&
	skipped | grep "/$A/" && exit 1;
	skipped | grep -q "/$B/"
'

test_expect_success 'rt-set on an archived ticket brings it back too' '
	rt-set $B priority=high >/dev/null && rt-gc -q && clean && whole . $B &&
	rt-archive --list >got && test_cmp /dev/null got && test -z "$(skipped)"
'

test_expect_success '--restore writes the folders back and leaves git as it was' '
	rt-archive $A $B >/dev/null && rt-archive --restore -n $A >out &&
	echo $A >want && test_cmp want out && ! test -e "$(ticket_dir $A)" &&
	printf "%s\n" $A $B | rt-archive --restore >out && sort out >got &&
	test_cmp expect got && clean && whole . $A && whole . $B &&
	test -f "$(ticket_dir $B)/ticket.yaml" && test -z "$(skipped)" &&
	! test -e .git/info/sparse-checkout && test_must_fail git config core.sparseCheckout
'

test_expect_success 'a run stopped after the index (files there, marked skipped): the next rt-gc finishes the ticket as live' '
	rt-archive $A >/dev/null && git ls-tree -r --name-only HEAD -- "$(ticket_dir $A)" >files &&
	while read -r f; do mkdir -p "$(dirname "$f")" && git cat-file blob "HEAD:$f" >"$f"; done <files &&
	clean && rt-gc -q && clean && whole . $A && test -z "$(skipped)" &&
	rt-archive --list >got && test_cmp /dev/null got &&
	rt-archive $A >out && echo $A >want && test_cmp want out && ! test -e "$(ticket_dir $A)" &&
	rt-archive --restore $A >/dev/null && clean && whole . $A
'

test_expect_success 'with git holding index.lock, rt-archive changes nothing' '
	: >.git/index.lock && test_when_finished "rm -f .git/index.lock" &&
	test_must_fail rt-archive $A 2>err && cat err &&
	test -d "$(ticket_dir $A)" && rt-archive --list >got && test_cmp /dev/null got
'

test_expect_success 'setup: a bare central repository, a git clone b, a archives A' '
	rm -f .git/index.lock && cd .. &&
	git clone -q --bare a central.git && git -C a remote add origin "$TRASH/central.git" &&
	git -C a config rt.clone a && git -C a fetch -q origin && git -C a branch -q -u origin/main &&
	git clone -q central.git b && git -C b config rt.clone b &&
	rt-archive --desk a $A $C >/dev/null && clean a &&
	whole b $A && clean b
'

cd "$TRASH"

test_expect_success 'a reply stored in clone b brings A back in a through rt-sync' '
	mail r2@x "Re: [Test #$A] Drucker 1" "Noch einmal." | rt-ingest --desk b >/dev/null &&
	rt-sync --desk b -q && rt-sync --desk a -q &&
	rt-show --desk a $A | grep "Noch einmal" &&
	clean a && whole a $A && rt-archive --desk a --list >got &&
	echo $C >want && test_cmp want got && ! test -e "a/$(ticket_dir $C a)"
'

test_expect_success 'git pull keeps untouched archived tickets out; a changed one comes back at rt-gc' '
	D=$(cat a/id4) &&
	git -C b pull -q && rt-gc --desk b -q && rt-archive --desk b $C $D >/dev/null && clean b &&
	mail r3@x "Re: [Test #$C] Drucker 3" "Auch kaputt." | rt-ingest --desk a >/dev/null &&
	rt-sync --desk a -q && git -C b pull -q && clean b &&
	! test -e "b/$(ticket_dir $D b)" && skipped b | grep -q "/$D/" &&
	rt-show --desk b $C | grep "Auch kaputt" &&
	rt-gc --desk b -q && clean b && whole b $C && ! test -e "b/$(ticket_dir $D b)" &&
	rt-archive --desk b --list >got && echo $D >want && test_cmp want got
'

test_expect_success 'bash completion: --restore offers the archived ids, else every ticket' '
	cd b && rt-archive --list >want && test -s want &&
	bash -c ". \"\$1\"; COMP_WORDS=(rt-archive --restore \"\"); COMP_CWORD=2; _rt_dashed;
		printf \"%s\\n\" \"\${COMPREPLY[@]}\"" _ "$SRC_ROOT/completions/rt.bash" >got &&
	test_cmp want got &&
	bash -c ". \"\$1\"; COMP_WORDS=(rt archive \"\"); COMP_CWORD=2; _rt;
		printf \"%s\\n\" \"\${COMPREPLY[@]}\"" _ "$SRC_ROOT/completions/rt.bash" | sort >got &&
	rt-ls --ids | sort >want && test_cmp want got
'

test_expect_success '--list takes no ids; rt-archive --help is short' '
	{ rt-archive --desk a --list $A 2>err; test $? = 64; } &&
	rt-archive --help >out && test $(wc -l <out) -lt 15 && grep "^usage: rt-archive" out
'

test_done
