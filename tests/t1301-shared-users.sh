#!/bin/sh
# A group-shared desk used by two Unix users in turn (the agent, here
# root, and the mail user rtmail with umask 077): what one of them leaves
# in .git/rt (the notification journal's lock, a killed delivery's spool
# file) must stay usable by the other.
. "$(dirname "$0")/lib.sh"

if ! test_have_prereq SYSTEM_USERS; then
	test_skip 'a desk shared by two users' 'needs SYSTEM_USERS (root, CI=true or RT_TEST_SYSTEM_USERS=1)'
	test_done
	exit
fi
test_lock_system_users

RTBIN=$(dirname "$(command -v rt-ingest)")
mail() { printf 'From: Kunde <kunde@example.com>\nTo: support@example.org\nSubject: %s\nMessage-Id: <%s@example.com>\n\nHallo.\n' "$2" "$1"; }
# as_mail CMD...: CMD as the mail user, with the umask Postfix delivers with
as_mail() {
	HOME=$TRASH/mailhome setpriv --reuid=rtmail --regid=rtdesk --init-groups \
		env PATH="$RTBIN:/usr/bin:/bin" RT_SHAREDIR="$RT_SHAREDIR" RT_LOCK_TIMEOUT=5 \
		sh -c 'umask 077 && exec "$@"' sh "$@"
}
stored() { git -C desk log --format=%B | grep -q "^Message-Id: $1@example.com$"; }

test_expect_success 'setup: a shared desk, notifications to a lead, a mailer both may run' '
	test_mail_user && mkdir -p mailhome && chown rtmail mailhome &&
	chmod o+x "$TRASH" "$TRASH/.." "$TRASH/../.." 2>/dev/null;
	rt-init --shared --address support@example.org desk >/dev/null &&
	chgrp -R rtdesk desk && find desk -type d -exec chmod g+s {} + &&
	as_mail git config --global --add safe.directory "$TRASH/desk" &&
	mkdir outbox && chmod 1777 outbox &&
	printf "#!/bin/sh\ncat >\"%s/outbox/\$\$.eml\"\n" "$TRASH" >sendmail && chmod 755 sendmail &&
	sed -i "s|mailer: .*|mailer: sendmail://$TRASH/sendmail|" desk/rt.yaml &&
	printf "notify:\n  new: [lead@example.org]\n" >>desk/rt.yaml &&
	git -C desk commit -qm "notify the lead" rt.yaml
'

test_expect_success 'the agent first, then the mail user: both notifications sent' '
	mail n1 "from the agent" | rt-ingest --desk desk >/dev/null &&
	test $(ls outbox | wc -l) = 1 &&
	mail n2 "through the MTA" | as_mail rt-ingest --desk "$TRASH/desk" >/dev/null 2>err &&
	stored n2 && test_cmp /dev/null err &&
	test $(ls outbox | wc -l) = 2 &&
	test ! -s desk/.git/rt/notify-journal
'

test_expect_success 'the journal lock is the group'"'"'s, never the world'"'"'s' '
	ls -l desk/.git/rt/notify-flock &&
	test -n "$(find desk/.git/rt/notify-flock -perm -g+rw ! -perm -o+r)"
'

test_expect_success 'a journal lock an older rt left 0600: its owner opens it to the group' '
	chmod 600 desk/.git/rt/notify-flock &&
	mail n3 "from the agent again" | rt-ingest --desk desk >/dev/null &&
	test -n "$(find desk/.git/rt/notify-flock -perm -g+rw)" &&
	mail n4 "through the MTA again" | as_mail rt-ingest --desk "$TRASH/desk" >/dev/null 2>err &&
	stored n4 && test_cmp /dev/null err && test $(ls outbox | wc -l) = 4
'

# wait_for TEST...: up to 30 s for the test to hold
wait_for() { _w=0; until "$@"; do [ $_w -lt 300 ] || return 1; sleep 0.1; _w=$((_w + 1)); done; }
spooled() { ls desk/.git/rt/tmp/spool.* >/dev/null 2>&1; }
test_expect_success 'a delivery killed after spooling: rt-gc run by the mail user stores it' '
	{ mail big1 "a big one" && awk "BEGIN { for (i = 0; i < 70000; i++) printf \"%075d\\n\", i }"; } >big.eml &&
	test $(wc -c <big.eml) -gt 5000000 &&
	rm -f held released &&
	{ ( flock 9; : >held; wait_for test -f released ) 9>desk/.git/rt/lock & } && locker=$! &&
	wait_for test -f held &&
	{ RT_LOCK_TIMEOUT=120 rt-ingest --desk desk <big.eml >/dev/null 2>&1 & } && p=$! &&
	wait_for spooled && kill -9 $p && { wait $p; : >released; } && wait $locker &&
	ls -l desk/.git/rt/tmp && ! stored big1 &&
	touch -d "-2 hours" desk/.git/rt/tmp/spool.* &&
	as_mail rt-gc --desk "$TRASH/desk" >out 2>err && cat out err &&
	grep -q "1 spooled messages\? stored" out && stored big1 &&
	ls desk/.git/rt/tmp >left && test_cmp /dev/null left
'

test_done
