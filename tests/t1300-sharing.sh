#!/bin/sh
# Delivery through procmail, a desk shared by the mail user and agents, clones
. "$(dirname "$0")/lib.sh"

mail() {
	printf 'From: kunde@example.com\nTo: support@example.org\nSubject: %s\nMessage-Id: <%s>\n\nBitte helfen.\n' "$2" "$1"
}
RTBIN=$(dirname "$(command -v rt-ingest)")

test_expect_success PROCMAIL 'the README procmail recipe delivers into the desk' '
	new_desk pm && cd .. &&
	sed -n "/^ *:0 w$/,/^ *| rt-ingest/p" "$SRC_ROOT/README" | sed "s/^ *//" >rc.body && test -s rc.body &&
	{ echo "PATH=$RTBIN:/usr/bin:/bin"; echo "SHELL=/bin/sh"; echo "RT_SHAREDIR=$RT_SHAREDIR";
	  sed "s|/srv/desk|$TRASH/pm|" rc.body; } >procmailrc &&
	mail pm1@example.com "via procmail" | procmail -m procmailrc &&
	git -C pm log -1 --format=%s | grep "^ingest: #.* via procmail$"
'

# A system user and group of our own, only where that is allowed (CI, or
# RT_TEST_SYSTEM_USERS=1 as root); removed again when the script ends.
test_have_prereq SYSTEM_USERS && test_lock_system_users
test_expect_success SYSTEM_USERS 'setup: the mail user rtmail in group rtdesk' '
	test_mail_user &&
	mkdir -p mailhome && chown rtmail mailhome
'

test_expect_success SYSTEM_USERS 'a group-shared desk takes mail from another user' '
	rt-init --shared shared >/dev/null &&
	sed -n "/^    rt-init --shared/,/^$/p" "$SRC_ROOT/README" | grep -q "chgrp -R support /srv/desk$" &&
	chgrp -R rtdesk shared &&
	find shared -type d -exec chmod g+s {} + &&
	HOME=$TRASH/mailhome setpriv --reuid=rtmail --regid=rtdesk --init-groups \
		git config --global --add safe.directory "$TRASH/shared" &&
	chmod o+x "$TRASH" "$TRASH/.." "$TRASH/../.." 2>/dev/null;
	mail sh1@example.com "from the MTA" >m.sh1 &&
	HOME=$TRASH/mailhome setpriv --reuid=rtmail --regid=rtdesk --init-groups \
		env PATH="$PATH" RT_SHAREDIR="$RT_SHAREDIR" RT_ACTOR= \
		sh -c "umask 077 && exec rt-ingest --desk $TRASH/shared" <m.sh1 >id &&
	test -s id &&
	git -C shared log -1 --format="%an %s" | grep "rtmail" &&
	mail sh2@example.com "by the agent" | rt-ingest --desk shared &&
	find shared/.git/objects shared/tickets shared/.git/rt -type d ! -perm -g+w >bad &&
	find shared/tickets shared/.git/rt shared/.git/refs -type f ! -perm -g+w >>bad &&
	find shared/.git/objects -type f ! -perm -g+r >>bad &&
	find shared ! -type l -perm -o+r >>bad &&
	find shared/.git/config shared/.git/hooks -perm -g+w >>bad &&
	test_cmp /dev/null bad
'

test_expect_code 75 SYSTEM_USERS 'a desk the mail user cannot write gives EX_TEMPFAIL' '
	rt-init private >/dev/null && chmod -R go-w private &&
	mail ro1@example.com "read-only" >m.ro &&
	HOME=$TRASH/mailhome setpriv --reuid=rtmail --regid=rtdesk --init-groups \
		git config --global --add safe.directory "$TRASH/private";
	HOME=$TRASH/mailhome setpriv --reuid=rtmail --regid=rtdesk --init-groups \
		env PATH="$PATH" RT_SHAREDIR="$RT_SHAREDIR" RT_LOCK_TIMEOUT=1 \
		rt-ingest --desk "$TRASH/private" <m.ro
'

test_expect_success 'two clones adding mail to the same ticket merge cleanly' '
	new_desk origin && id=$(mail c0@example.com "shared ticket" | rt-ingest) && cd .. &&
	git clone -q --bare origin hub.git &&
	git clone -q hub.git a && git clone -q hub.git b &&
	mail c1@example.com "Re: [Test #$id] from a" | rt-ingest --desk a >/dev/null &&
	mail c2@example.com "Re: [Test #$id] from b" | rt-ingest --desk b >/dev/null &&
	git -C a push -q origin main &&
	rt-gc -q --desk b && git -C b pull -q --no-rebase --no-edit origin main &&
	log=$(git -C b ls-tree -r --name-only HEAD tickets | grep "/$id/log.yaml$") &&
	grep -c "ev: mail-in" b/$log >n && echo 3 >expect && test_cmp expect n &&
	test -z "$(git -C b status --porcelain --untracked-files=no)" &&
	mail c3@example.com "x" "" | sed "s/^Subject: x/Subject: Re: [Test #$id] after merge/" |
		rt-ingest --desk b >id2 && echo $id >expect && test_cmp expect id2
'

test_expect_success 'two clones creating tickets merge cleanly and thread after the merge' '
	mail d1@example.com "new in a" | rt-ingest --desk a >ida &&
	mail d2@example.com "new in b" | rt-ingest --desk b >idb &&
	rt-gc -q --desk a && git -C a pull -q --no-rebase --no-edit origin main && git -C a push -q origin main &&
	rt-gc -q --desk b && git -C b pull -q --no-rebase --no-edit origin main &&
	printf "From: x@example.com\nSubject: follow\nIn-Reply-To: <d1@example.com>\nMessage-Id: <d3@example.com>\n\nx\n" |
		rt-ingest --desk b >idc && test_cmp ida idc
'

test_done
