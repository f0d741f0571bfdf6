#!/bin/sh
# rt-ingest under desk faults: every fault is 75 (retry) or, for a broken
# rt.yaml, 0 with the defaults; never 66, 70 or 78 for mail on stdin
# a run killed while its small tmpfs was mounted must not block this one
_small=${RT_TRASH:-$(cd "$(dirname "$0")" && pwd)/trash}/$(basename "$0" .sh)/small
mountpoint -q "$_small" 2>/dev/null && umount "$_small"
. "$(dirname "$0")/lib.sh"
export RT_NOW=2026-11-23T10:00:00Z

mail() { # mail MSGID SUBJECT
	printf 'From: Kunde <kunde@example.com>\nTo: support@example.org\nSubject: %s\nMessage-Id: <%s>\nDate: Mon, 23 Nov 2026 10:00:00 +0000\n\nHallo.\n' "$2" "$1"
}

new_desk desk && cd .. || exit 1
DESK=$TRASH/desk
mail f0@example.com "first" | rt-ingest --desk desk >/dev/null

# retry CODE-FILE: rt-ingest exited 75, said why in one line, stored nothing
stored_nothing() {
	test "$(git -C desk rev-parse HEAD)" = "$BEFORE" &&
	test -z "$(ls desk/.git/rt/tmp 2>/dev/null)" &&
	test "$(wc -l <err)" = 1
}

BEFORE=$(git -C desk rev-parse HEAD)
test_expect_code 75 'a desk path with a typo: 75, naming the fix' '
	mail f1@example.com x | rt-ingest --desk "$TRASH/dsek" 2>err; rc=$?;
	cat err; grep "fix --desk or RT_DESK" err && stored_nothing && exit $rc
'

test_expect_code 75 'a folder that is not a desk: 75, naming the fix' '
	mkdir -p notadesk &&
	mail f2@example.com x | rt-ingest --desk notadesk 2>err; rc=$?;
	cat err; grep "is not a desk" err && stored_nothing && exit $rc
'

test_expect_code 75 'outside a desk: 75, naming the fix' '
	(cd / && mail f3@example.com x | rt-ingest) 2>err; rc=$?;
	cat err; grep "use --desk DIR or set RT_DESK" err && exit $rc
'

test_expect_code 75 'a locked desk: 75, nothing half-written' '
	( flock 9; sleep 3 ) 9>desk/.git/rt/lock &
	sleep 0.5;
	mail f4@example.com x | RT_LOCK_TIMEOUT=1 rt-ingest --desk desk 2>err; rc=$?;
	wait; cat err; grep "is locked by another process (waited 1 s, RT_LOCK_TIMEOUT); not stored, retry later$" err &&
	stored_nothing && exit $rc
'

if test_have_prereq SYSTEM_USERS; then
	test_lock_system_users
	test_mail_user
	mkdir -p mailhome && chown rtmail mailhome
	chmod o+x "$TRASH" "$TRASH/.." "$TRASH/../.." 2>/dev/null
	as_mail() {
		HOME=$TRASH/mailhome setpriv --reuid=rtmail --regid=rtdesk --init-groups \
			env PATH="$PATH" RT_SHAREDIR="$RT_SHAREDIR" RT_LOCK_TIMEOUT=1 "$@"
	}
	test_expect_code 75 'a desk not declared safe for the mail user: 75 naming safe.directory' '
		mail f5@example.com x | as_mail rt-ingest --desk "$DESK" 2>err; rc=$?;
		cat err; grep "git config --global --add safe.directory $DESK" err &&
		! grep "was not found" err && stored_nothing && exit $rc
	'
	as_mail git config --global --add safe.directory "$DESK"
	test_expect_code 75 'a desk the mail user may not read: 75 naming the fix' '
		chmod 700 desk &&
		mail f6@example.com x | as_mail rt-ingest --desk "$DESK" 2>err; rc=$?;
		chmod 755 desk; cat err; grep "Permission denied" err && stored_nothing && exit $rc
	'
	# the mail system logs this line: it names the user it ran rt as
	test_expect_code 75 'a desk the mail user may not write: 75 naming the user and the folder' '
		mail f7@example.com x | as_mail rt-ingest --desk "$DESK" 2>err; rc=$?;
		cat err; grep "(user rtmail may not write $DESK); not stored, retry later$" err &&
		stored_nothing && exit $rc
	'
	# an import says it as one mail does, also when a mail of 5 MB is
	# spooled to a file in the desk (one up to 4 MB stays in memory)
	test_expect_code 75 'an mbox and a Maildir the mail user may not write: the same line' '
		yes "the log the printer printed before it stopped" | head -c 5000000 >big9 &&
		{ echo "From x Mon Nov 23 09:00:00 2026"; mail f9@example.com x; cat big9; } >m9.mbox &&
		mkdir -p md9/new md9/cur md9/tmp && { mail f10@example.com x; cat big9; } >md9/new/1 &&
		chmod -R a+rX m9.mbox md9 &&
		as_mail rt-ingest --desk "$DESK" --mbox m9.mbox 2>err1; rc=$?; cat err1;
		as_mail rt-ingest --desk "$DESK" --maildir md9 2>err2; test $? = 75 && cat err2 &&
		grep "^rt-ingest: m9.mbox: .*(user rtmail may not write $DESK); not stored, retry later$" err1 &&
		grep "^rt-ingest: md9.*1: .*(user rtmail may not write $DESK); not stored, retry later$" err2 &&
		stored_nothing && exit $rc
	'
	test_expect_code 75 'a desk whose branch the mail user may not move: 75 naming .git/refs/heads' '
		chmod -R a+w desk && chmod -R go-w desk/.git/refs &&
		mail f7b@example.com x | as_mail rt-ingest --desk "$DESK" 2>err; rc=$?;
		chmod -R go-w desk; cat err;
		grep "(user rtmail may not write $DESK/.git/refs/heads); not stored, retry later$" err &&
		stored_nothing && exit $rc
	'
else
	test_skip 'a desk not declared safe for the mail user: 75 naming safe.directory' 'needs SYSTEM_USERS'
	test_skip 'a desk the mail user may not read: 75 naming the fix' 'needs SYSTEM_USERS'
	test_skip 'a desk the mail user may not write: 75 naming the user and the folder' 'needs SYSTEM_USERS'
	test_skip 'an mbox and a Maildir the mail user may not write: the same line' 'needs SYSTEM_USERS'
	test_skip 'a desk whose branch the mail user may not move: 75 naming .git/refs/heads' 'needs SYSTEM_USERS'
fi

if [ "$(id -u)" = 0 ] && mkdir -p small && mount -t tmpfs -o size=4m tmpfs small 2>/dev/null; then
	test_expect_code 75 'a full disk: 75, nothing half-written' '
		rt-init small/desk >/dev/null &&
		mail f8@example.com x | rt-ingest --desk small/desk >/dev/null &&
		before=$(git -C small/desk rev-parse HEAD) &&
		{ dd if=/dev/zero of=small/fill bs=4k 2>/dev/null; true; } &&
		mail f9@example.com "disk full" | rt-ingest --desk small/desk 2>err; rc=$?;
		cat err; rm -f small/fill;
		test "$(git -C small/desk rev-parse HEAD)" = "$before" &&
		test -z "$(ls small/desk/.git/rt/tmp)" && exit $rc
	'
	umount "$TRASH/small"
else
	test_skip 'a full disk: 75, nothing half-written' 'needs root to mount a tmpfs'
fi

test_expect_success 'a broken rt.yaml: stored with defaults, 0, warned on stderr and in the ticket' '
	cp desk/rt.yaml rt.yaml.good &&
	printf "queues: [unclosed\n" >>desk/rt.yaml &&
	mail f10@example.com "while rt.yaml is broken" | rt-ingest --desk desk >id 2>err;
	cp rt.yaml.good desk/rt.yaml &&
	cat err && test -s id && test "$(wc -l <err)" = 1 &&
	grep "warning: rt.yaml:[0-9]*:[0-9]*: .*built-in defaults" err &&
	! grep "$TRASH" err &&
	t=$(ticket_dir $(cat id) desk) &&
	grep "ev: warning" desk/$t/log.yaml | grep "rt.yaml is broken" &&
	! grep "$TRASH" desk/$t/log.yaml &&
	rt-show --desk desk $(cat id) | grep "warning.*rt.yaml is broken"
'

test_expect_success 'a follow-up while rt.yaml is broken threads and is warned too' '
	id=$(mail f11@example.com "fine" | rt-ingest --desk desk) &&
	echo "- not a mapping" >desk/rt.yaml &&
	mail f12@example.com "Re: [Test #$id] more" | rt-ingest --desk desk >id2 2>err;
	cp rt.yaml.good desk/rt.yaml &&
	echo $id >expect && test_cmp expect id2 && grep "must be a mapping" err &&
	grep "ev: warning" desk/$(ticket_dir $id desk)/log.yaml
'

test_expect_code 65 'empty input is not mail: 65, quarantined, no ticket' '
	rt-ingest --desk desk </dev/null 2>err; rc=$?;
	cat err; grep "not a mail message: empty input (kept in quarantine as 2026" err &&
	git -C desk log -1 --format=%s | grep "^quarantine: " && exit $rc
'

# A person runs git gc --prune=now in the desk while rt-ingest stores a mail.
command -v gdb >/dev/null && test_set_prereq GDB
# gdb_ingest MAIL 'gdb commands...': rt-ingest --desk desk <MAIL under gdb,
# the commands run where it stops; its exit code in rc, stderr in err
gdb_ingest() {
	_m=$1 && shift && printf '%s\n' "$@" "run --desk desk <$_m 2>err" 'print $_exitcode' >gdb.cmd &&
	ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0" \
	    gdb -q -batch -x gdb.cmd --args "$(command -v rt-ingest)" >gdb.out 2>&1;
	sed -n 's/^\$1 = //p' gdb.out | tail -n 1 >rc
}
test_expect_success GDB,!VALGRIND 'git prune deletes the temporary pack before its rename: written again, stored (0)' '
	BEFORE=$(git -C desk rev-parse HEAD) &&
	mail gc1@example.com "gc while storing" >gc1.eml &&
	gdb_ingest gc1.eml "break rename" "commands 1" "silent" \
	    "shell git -C desk prune --expire=now 2>/dev/null; ls desk/.git/objects/pack | grep -c tmp_ >tmps" \
	    "delete 1" "continue" "end" &&
	cat err && test "$(cat rc)" = 0 && test "$(cat tmps)" = 0 &&
	test "$(git -C desk rev-list --count $BEFORE..HEAD)" = 1 &&
	rt-ls --desk desk --format "%{subject}\n" | grep -x "gc while storing" &&
	git -C desk fsck --no-reflogs >fsck 2>&1 && ! grep -v "^Checking\|^dangling" fsck
'
test_expect_code 75 GDB,!VALGRIND 'deleted again: 75 in one line naming git gc, nothing stored; the mail comes again and is stored once' '
	BEFORE=$(git -C desk rev-parse HEAD) &&
	mail gc2@example.com "gc twice" >gc2.eml &&
	gdb_ingest gc2.eml "break rename" "commands 1" "silent" \
	    "shell rm -f desk/.git/objects/pack/tmp_*" "continue" "end" &&
	cat err && stored_nothing &&
	grep "temporary file .* was deleted before it could be named, twice (git gc --prune=now or git prune beside rt?); nothing stored" err &&
	rt-ingest --desk desk <gc2.eml >/dev/null &&
	test "$(rt-ls --desk desk --format "%{subject}\n" | grep -c "^gc twice$")" = 1 &&
	exit $(cat rc)
'
# the new pack deleted before the branch moves: t1590

test_done
