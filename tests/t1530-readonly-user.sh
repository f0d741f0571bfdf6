#!/bin/sh
# A user who may read the desk but not write it lists, shows and reports
# from the cache the writers keep (opened read-only), and is told plainly
# when that cache is behind HEAD.
. "$(dirname "$0")/lib.sh"

if ! test_have_prereq OTHER_USERS; then
	test_skip 'a read-only user' 'needs OTHER_USERS: root, setpriv, nobody, a checkout nobody can reach'
	test_done
	exit
fi
export RT_NOW=2026-11-23T10:00:00Z
# as_nobody CMD...: runs CMD as nobody, whose git config trusts the desk
as_nobody() {
	setpriv --reuid=nobody --regid=nogroup --clear-groups \
	    env HOME="$TRASH/nobody" PATH="$PATH" RT_SHAREDIR="$RT_SHAREDIR" RT_NOW="$RT_NOW" "$@"
}

test_expect_success 'setup: a desk nobody may read, not write' '
	umask 022 && new_desk && cd .. && chmod -R a+rX "$TRASH" &&
	test_must_fail as_nobody touch desk/.git/rt/x &&
	mkdir nobody && printf "[safe]\n\tdirectory = %s\n" "$TRASH/desk" >nobody/.gitconfig &&
	chmod -R a+rX nobody &&
	printf "From: a@customer.example\nSubject: read only\nMessage-Id: <ro1@x>\n\nx\n" |
		rt-ingest --desk desk >id && chmod -R a+rX desk
'

test_expect_success 'nobody lists, shows and reports' '
	as_nobody rt-ls --desk "$TRASH/desk" --ids >out && test_cmp id out &&
	as_nobody rt-show --desk "$TRASH/desk" $(cat id) >out && grep "read only" out &&
	as_nobody rt-report --desk "$TRASH/desk" >out && grep "^total" out
'

test_expect_success 'nobody feeding an mbox, or a file that is no mbox: one line each, to retry' '
	printf "From a@x Mon Nov 23 09:00:00 2026\nFrom: a@x\nSubject: ro mbox\nMessage-Id: <ro2@x>\n\nx\n" >ro.mbox &&
	printf "no mailbox\n" >ro.txt && chmod a+r ro.mbox ro.txt &&
	for f in ro.mbox ro.txt; do
		as_nobody rt-ingest --desk "$TRASH/desk" --mbox $f >out 2>err; rc=$?
		cat err && test $rc = 75 && test_cmp /dev/null out && test $(wc -l <err) = 1 &&
		grep "^rt-ingest: $f: .*cannot open lock .*: Permission denied (user nobody may not write $TRASH/desk.*); not stored, retry later$" err ||
		return 1
	done
'

test_expect_code 77 'a cache behind HEAD is refused with a reason, not read stale' '
	rt-gc -q --desk desk && git -C desk commit -q --allow-empty -m "by hand" &&
	as_nobody rt-ls --desk "$TRASH/desk" --ids 2>err; rc=$?
	cat err; grep "ticket cache: behind HEAD and not writable by this user" err && exit $rc
'

test_expect_success 'behind HEAD, show and report are refused the same way' '
	for cmd in "rt-show $(cat id)" rt-report; do
		as_nobody $cmd --desk "$TRASH/desk" >out 2>err; rc=$?
		test $rc = 77 && test_cmp /dev/null out &&
		grep "ticket cache: behind HEAD and not writable by this user" err || return 1
	done
'

test_expect_success 'a change the cache missed (a commit by hand) is refused, then read once a writer ran' '
	d=$(ticket_dir $(cat id) desk) &&
	sed "s/subject: .read only./subject: changed by hand/" desk/$d/log.yaml >log &&
	cp log desk/$d/log.yaml && git -C desk commit -q -a -m "by hand" &&
	test_must_fail as_nobody rt-ls --desk "$TRASH/desk" --format "%{subject}\n" &&
	rt-ls --desk desk --count >/dev/null && chmod -R a+rX desk &&
	as_nobody rt-ls --desk "$TRASH/desk" --format "%{subject}\n" >out &&
	echo "changed by hand" >expect && test_cmp expect out &&
	as_nobody rt-show --desk "$TRASH/desk" $(cat id) >out && grep "changed by hand" out
'

test_expect_success 'after a writer ran, nobody reads again' '
	rt-ls --desk desk --count >/dev/null &&
	as_nobody rt-ls --desk "$TRASH/desk" --ids >out && test_cmp id out
'

test_expect_code 77 'a cache written unsynced before a reboot is refused, not read torn' '
	echo 00000000-0000-4000-8000-000000000000 >desk/.git/rt/cache.boot &&
	as_nobody rt-ls --desk "$TRASH/desk" --ids 2>err; rc=$?
	cat err; grep "ticket cache: written before the last reboot" err && exit $rc
'

test_expect_success 'the next writer rebuilds it, and nobody reads again' '
	rt-ls --desk desk --count >/dev/null &&
	cat /proc/sys/kernel/random/boot_id >boot && test_cmp boot desk/.git/rt/cache.boot &&
	as_nobody rt-ls --desk "$TRASH/desk" --ids >out && test_cmp id out
'

test_expect_success 'nobody searches, before and after a writer built the text index a rebuild left out' '
	printf "From: a@customer.example\nSubject: zebra\nMessage-Id: <ro2@x>\n\nthe quux body\n" |
		rt-ingest --desk desk >id2 &&
	rm desk/.git/rt/cache.mdb desk/.git/rt/cache.mdb-lock &&
	RT_CACHE_LAZY_MIN=1 rt-ls --desk desk --count >/dev/null && chmod -R a+rX desk &&
	for round in before after; do
		as_nobody rt-ls --desk "$TRASH/desk" --text quux --ids >out && test_cmp id2 out &&
		as_nobody rt-ls --desk "$TRASH/desk" --text "changed by" --ids >out && test_cmp id out &&
		as_nobody rt-ls --desk "$TRASH/desk" --text nowhere --ids >out && test_cmp /dev/null out &&
		rt-ls --desk desk --text zebr --ids >out && test_cmp id2 out && chmod -R a+rX desk || return 1
	done
'

searches() { # the answers nobody gets, one a line
	for q in giraffeword hippoword quux "changed by" nowhere tall lanky; do
		echo "== $q" && as_nobody rt-ls --desk "$TRASH/desk" --text "$q" --ids || return 1
	done
}

test_expect_success 'nobody finds the words of changes no search indexed yet, as after rt-gc' '
	printf "From: a@customer.example\nSubject: tall\nMessage-Id: <ro3@x>\n\ngiraffeword\n" |
		rt-ingest --desk desk >id3 &&
	printf "From: a@customer.example\nSubject: re\nIn-Reply-To: <ro1@x>\nMessage-Id: <ro4@x>\n\nhippoword\n" |
		rt-ingest --desk desk >/dev/null && rt-gc -q --desk desk &&
	rt-set --desk desk $(cat id3) subject=lanky >/dev/null && chmod -R a+rX desk &&
	searches >marked &&
	{ echo "== giraffeword" && cat id3 && echo "== hippoword" && cat id &&
	  echo "== quux" && cat id2 && echo "== changed by" && cat id && echo "== nowhere" &&
	  echo "== tall" && cat id3 && echo "== lanky" && cat id3; } >expect &&
	test_cmp expect marked &&
	rt-gc --desk desk >out && grep "^text index: 1 tickets indexed$" out && chmod -R a+rX desk &&
	searches >indexed && test_cmp expect indexed
'

test_expect_success 'a desk not declared safe: one line saying how, for a user without a home too' '
	setpriv --reuid=nobody --regid=nogroup --clear-groups env HOME=/nonexistent PATH="$PATH" \
	    RT_SHAREDIR="$RT_SHAREDIR" rt-ls --desk "$TRASH/desk" 2>err; test $? = 77 &&
	test $(wc -l <err) = 1 && grep "git config --global --add safe.directory $TRASH/desk" err &&
	grep -- "--system" err
'

test_expect_code 77 'an unreadable .git/HEAD: one line naming the file' '
	chmod 600 desk/.git/HEAD && test_when_finished "chmod 644 desk/.git/HEAD" &&
	as_nobody rt-ls --desk "$TRASH/desk" 2>err; rc=$?; cat err &&
	test $(wc -l <err) = 1 && grep "^rt-ls: cannot read '"'$TRASH/desk/.git/HEAD'"': Permission denied$" err &&
	exit $rc
'

test_done
