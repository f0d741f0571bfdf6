#!/bin/sh
# The README's Postfix recipe through a real, private Postfix instance
# (postfix -c, smtpd on a free port of 127.0.0.1): the mail user owns the
# desk and its own aliases file; mail sent by SMTP is stored, a locked
# desk defers it in the queue with rt-ingest's line until postqueue -f,
# and mail over ingest.max-bytes bounces to its sender with the
# quarantine entry named.
. "$(dirname "$0")/lib.sh"
export RT_NOW=2026-11-23T10:00:00Z

if ! test_have_prereq SYSTEM_USERS || ! [ -x /usr/sbin/postfix ] || ! id postfix >/dev/null 2>&1 ||
   ! getent group postdrop >/dev/null || ! command -v python3 >/dev/null; then
	test_skip 'the README Postfix recipe through a private Postfix' 'needs SYSTEM_USERS, postfix and python3'
	test_done
	exit 0
fi
test_lock_system_users
test_mail_user
chmod o+x "$TRASH" "$TRASH/.." "$TRASH/../.." 2>/dev/null
RTBIN=$(dirname "$(command -v rt-ingest)")
as_mail() { setpriv --reuid=rtmail --regid=rtdesk --init-groups env HOME=/nonexistent PATH="$RTBIN:/usr/bin:/bin" "$@"; }

PF=$TRASH/pf
mkdir -p pf/etc pf/spool pf/data pf/rt pm && chown postfix pf/data && chown rtmail:rtdesk pf/rt pm
PORT=$(free_port)
cat >pf/etc/main.cf <<EOF
compatibility_level = 3.6
queue_directory = $PF/spool
data_directory = $PF/data
mail_owner = postfix
setgid_group = postdrop
myhostname = desk.example.org
mydestination = desk.example.org
inet_interfaces = loopback-only
inet_protocols = ipv4
mynetworks = 127.0.0.0/8
default_transport = error:no outside mail from a test
smtpd_reject_unlisted_recipient = no
alias_maps = hash:$PF/rt/aliases
maillog_file = $PF/maillog
maillog_file_prefixes = $TRASH
import_environment = MAIL_CONFIG MAIL_DEBUG MAIL_LOGTAG TZ LANG=C RT_LOCK_TIMEOUT=1
export_environment = TZ MAIL_CONFIG LANG RT_LOCK_TIMEOUT
EOF
awk -v port=$PORT '/^smtp +inet/ { print "127.0.0.1:" port " inet n - n - - smtpd"; next }
	/^[a-z0-9]/ && NF >= 8 { $5 = "n" } { print }' /etc/postfix/master.cf >pf/etc/master.cf
# the README's alias line, as written, with the desk and binary of this
# test; the desk's address is the one the README's rt-init gives it, in
# this instance's domain (an alias named otherwise refused every mail to
# the desk's address as an unknown user)
sed -n 's/^    \([a-z][a-z0-9.-]*\): "|\/usr\/local\/bin\/rt-ingest /\1: "|\/usr\/local\/bin\/rt-ingest /p' "$SRC_ROOT/README" |
	sed "s|/usr/local/bin/rt-ingest|$RTBIN/rt-ingest|; s|/srv/desk|$TRASH/desk|" >pf/rt/aliases
ALIAS=$(sed -n '1s/:.*//p' pf/rt/aliases)
LOCAL=$(sed -n 's/^    runuser -u [a-z]* -- rt-init --shared --address \([^@ ]*\)@.*/\1/p' "$SRC_ROOT/README")
DESK_ADDR=$LOCAL@desk.example.org
echo "kunde: $TRASH/pm/kunde.mbox" >>pf/rt/aliases
chown rtmail:rtdesk pf/rt/aliases

send() { # send FILE: through the instance's smtpd, from kunde@desk.example.org
	python3 -c 'import smtplib, sys
d = open(sys.argv[2], "rb").read().replace(b"\n", b"\r\n")
with smtplib.SMTP("127.0.0.1", int(sys.argv[1])) as s:
    s.sendmail("kunde@desk.example.org", [sys.argv[3]], d)' $PORT "$1" "$DESK_ADDR"
}
msg() { printf 'From: Kunde <kunde@desk.example.org>\nTo: %s\nSubject: %s\nMessage-Id: <%s@example.com>\n\nHallo.\n' "$DESK_ADDR" "$1" "$1"; }
stored() { git -c safe.directory="*" -C desk log --format=%B 2>/dev/null | grep -q "^Message-Id: $1@example.com$"; }
wait_for() { # wait_for COMMAND...: up to 60 s
	_w=0; while ! "$@"; do [ $_w -ge 300 ] && return 1; sleep 0.2; _w=$((_w + 1)); done
}
queued() { mailq -C "$PF/etc" 2>/dev/null | grep -q "$1"; }

test_expect_success 'the README recipe: the alias is the local part of the desk address' '
	test -n "$LOCAL" && test "$ALIAS" = "$LOCAL"
'

test_expect_success 'the README recipe: the mail user makes its desk and aliases, Postfix starts' '
	grep "^$ALIAS: \"|$RTBIN/rt-ingest --desk $TRASH/desk -q\"$" pf/rt/aliases &&
	install -d -o rtmail -g rtdesk desk &&
	as_mail rt-init --shared --address "$DESK_ADDR" "$TRASH/desk" >/dev/null &&
	sed -i "s/^  max-bytes: [0-9]*/  max-bytes: 65536/" desk/rt.yaml &&
	as_mail rt-gc -q --desk "$TRASH/desk" &&
	as_mail git -C "$TRASH/desk" -c user.name=Admin -c user.email=admin@example.org commit -q -m limit rt.yaml &&
	postalias -c "$PF/etc" "$PF/rt/aliases" && test "$(stat -c %U pf/rt/aliases.db)" = rtmail &&
	postfix -c "$PF/etc" start 2>>pf/start.err && test_atexit "postfix -c $PF/etc stop 2>/dev/null" &&
	wait_for python3 -c "import socket; socket.create_connection((\"127.0.0.1\", $PORT)).close()"
'

test_expect_success 'mail sent through SMTP is stored by the alias' '
	msg pf-1 >m1 && send m1 && wait_for stored pf-1
'

test_expect_success 'a locked desk: Postfix defers the mail with the reason, delivers it after postqueue -f' '
	rm -f held released &&
	( flock 9; : >held; _w=0
	  while [ ! -f released ] && [ $_w -lt 1200 ]; do sleep 0.1; _w=$((_w + 1)); done ) 9>desk/.git/rt/lock &
	locker=$! && wait_for test -f held &&
	msg pf-2 >m2 && send m2 &&
	wait_for queued "is locked by another process" &&
	mailq -C "$PF/etc" | grep "not stored, retry later" &&
	: >released && wait $locker && ! stored pf-2 &&
	postqueue -c "$PF/etc" -f && wait_for stored pf-2 &&
	wait_for sh -c "mailq -C $PF/etc | grep -q \"Mail queue is empty\""
'

test_expect_success 'mail over ingest.max-bytes bounces to its sender naming the quarantine entry' '
	{ msg pf-3; i=0; while [ $i -lt 2000 ]; do echo "a line of a large mail to fill it well past the limit"; i=$((i + 1)); done; } >m3 &&
	send m3 && wait_for test -s pm/kunde.mbox &&
	grep "message too large" pm/kunde.mbox && grep "kept in quarantine as 2026" pm/kunde.mbox &&
	! grep "quarantine/" pm/kunde.mbox &&
	git -c safe.directory="*" -C desk ls-tree -r --name-only HEAD quarantine | grep "\.eml$" && ! stored pf-3
'

test_done
