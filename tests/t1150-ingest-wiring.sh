#!/bin/sh
# The README's wiring recipes, run as written with the real procmail and
# fetchmail and as Postfix's local(8) runs an alias command, under every
# desk fault: the mail is stored (0) or stays with the mail system (75).
# a run killed while its small tmpfs was mounted must not block this one
_small=${RT_TRASH:-$(cd "$(dirname "$0")" && pwd)/trash}/$(basename "$0" .sh)/small
mountpoint -q "$_small" 2>/dev/null && umount "$_small"
. "$(dirname "$0")/lib.sh"
export RT_NOW=2026-11-23T10:00:00Z

RTBIN=$(dirname "$(command -v rt-ingest)")
recipe() { # recipe FIRST-LINE-PATTERN LAST-LINE-PATTERN: README lines, desk path replaced
	sed -n "/$1/,/$2/p" "$SRC_ROOT/README" | sed "s/^    //; s|/usr/local/bin/rt-ingest|$RTBIN/rt-ingest|"
}
recipe '^    :0 w$' '^    HOST=' >procmail.recipe
recipe '^    poll mail.example.org' 'mda ' >fetchmail.recipe
sed -n 's/^    \([a-z][a-z0-9.-]*: "|\/usr\/local\/bin\/rt-ingest \)/\1/p' "$SRC_ROOT/README" | sed "s|/usr/local/bin/rt-ingest|$RTBIN/rt-ingest|" >alias.recipe
test_expect_success 'the README has the three recipes' '
	grep -x "EXITCODE=.?" procmail.recipe && grep "mda \"rt-ingest" fetchmail.recipe &&
	grep "^[a-z][a-z0-9.-]*: \"|" alias.recipe
'

# Everything runs as the mail user when we may create one (CI, see tests/lib.sh).
if test_have_prereq SYSTEM_USERS && command -v setpriv >/dev/null; then
	test_lock_system_users
	test_mail_user
	chmod o+x "$TRASH" "$TRASH/.." "$TRASH/../.." 2>/dev/null
	AS="setpriv --reuid=rtmail --regid=rtdesk --init-groups"
	ROOT=1
else
	AS= ROOT=
fi
mkdir -p mailhome && [ -z "$ROOT" ] || chown rtmail:rtdesk mailhome
as_mail() { HOME=$TRASH/mailhome $AS env PATH="$RTBIN:/usr/bin:/bin" RT_LOCK_TIMEOUT=1 "$@"; }

shared_desk() { # shared_desk DIR: a desk the mail user may write, declared safe
	rt-init --shared "$1" >/dev/null || return 1
	if [ -n "$ROOT" ]; then
		chgrp -R rtdesk "$1" && chmod -R g+rwX "$1" && find "$1" -type d -exec chmod g+s {} +
	fi
	as_mail git config --global --add safe.directory "$TRASH/$1"
}

msg() { printf 'From: Kunde <kunde@example.com>\nTo: support@example.org\nSubject: wiring %s\nMessage-Id: <%s@example.com>\n\nHallo.\n' "$1" "$1"; }
stored() { test -d "$1" && git -C "$1" log --format=%B | grep -q "^Message-Id: $2@example.com$"; }

# Postfix local(8): envelope headers prepended, the command run directly
# (no shell magic characters in it), as the mail user, with local's env.
wire_alias() { # wire_alias DESK ID -> "code where"
	cmd=$(sed 's/^[a-z][a-z0-9.-]*: "|//; s/"$//; s|/srv/desk|'"$1"'|' alias.recipe)
	{ printf 'From kunde@example.com  Mon Nov 23 10:00:00 2026\nX-Original-To: support@example.org\nDelivered-To: support@example.org\nReturn-Path: <kunde@example.com>\n'; msg $2; } |
	HOME=$TRASH/mailhome $AS env -i HOME="$TRASH/mailhome" USER=rtmail LOGNAME=rtmail SHELL=/bin/sh \
		RECIPIENT=support@example.org LOCAL=support DOMAIN=example.org RT_LOCK_TIMEOUT=1 $cmd >/dev/null 2>>wire.err
	rc=$?
	case $rc in 0) stored "$1" $2 && echo "0 stored" || echo "0 LOST" ;;
	75) stored "$1" $2 && echo "75 STORED-TWICE" || echo "75 queue" ;;
	*) echo "$rc bounced" ;; esac
}

wire_procmail() { # wire_procmail DESK ID
	# procmail takes HOME from the passwd entry; the test user has none
	{ echo "SHELL=/bin/sh"; echo "PATH=$RTBIN:/usr/bin:/bin"; echo "RT_LOCK_TIMEOUT=1"; echo "HOME=$TRASH/mailhome";
	  echo "DEFAULT=$TRASH/mailhome/Mailbox"; sed "s|/srv/desk|$1|" procmail.recipe; } >mailhome/procmailrc
	rm -f mailhome/Mailbox
	msg $2 | as_mail procmail -m "$TRASH/mailhome/procmailrc" 2>>wire.err
	rc=$?
	if [ -s mailhome/Mailbox ]; then echo "$rc DEFAULT"; return; fi
	case $rc in 0) stored "$1" $2 && echo "0 stored" || echo "0 LOST" ;;
	75) stored "$1" $2 && echo "75 STORED-TWICE" || echo "75 queue" ;;
	*) echo "$rc bounced" ;; esac
}

wire_fetchmail() { # wire_fetchmail DESK ID [FILE]
	rm -rf mailhome/drop && mkdir mailhome/drop &&
	if [ -n "${3:-}" ]; then cp "$3" mailhome/drop/1; else msg $2 >mailhome/drop/1; fi &&
	{ echo "set no syslog"; echo "poll localhost proto pop3 plugin \"python3 $SRC_ROOT/tests/pop3-stdio.py $TRASH/mailhome/drop\"";
	  sed "s|/srv/desk|$1|; s|^poll mail.example.org proto imap||; s|password secret|& is support here sslproto ''|" fetchmail.recipe; } >mailhome/fetchmailrc
	chmod 600 mailhome/fetchmailrc && [ -z "$ROOT" ] || chown -R rtmail mailhome/drop mailhome/fetchmailrc
	as_mail fetchmail -f "$TRASH/mailhome/fetchmailrc" --pidfile "$TRASH/mailhome/fetchmail.pid" --nodetach >fm.out 2>&1
	cat fm.out >>wire.err
	code=$(sed -n "s/.*MDA returned nonzero status \([0-9]*\).*/\1/p" fm.out | head -1)
	if [ -f mailhome/drop/1 ]; then
		stored "$1" $2 && echo "${code:-?} STORED-AND-ON-SERVER" || echo "${code:-?} server"
	else
		stored "$1" $2 && echo "${code:-0} stored" || echo "${code:-0} deleted"
	fi
}

# The lock is held from before the wiring starts until it has returned,
# however slow its start (a loaded machine, other files beside this one):
# no fixed sleep decides who holds it, so this file need not run alone.
lock_desk_until_released() { # lock_desk_until_released DESK: sets LOCKER
	rm -f held released
	( flock 9; : >held; _w=0
	  while [ ! -f released ] && [ $_w -lt 1200 ]; do sleep 0.1; _w=$((_w + 1)); done ) 9>"$1/.git/rt/lock" &
	LOCKER=$!
	_w=0; while [ ! -f held ] && [ $_w -lt 600 ]; do sleep 0.1; _w=$((_w + 1)); done
}

# fault_on NAME: sets DESK (the path the wiring uses); fault_off NAME undoes it
fault_on() {
	case $1 in
	missing) DESK=$TRASH/dsek ;;
	foreign) DESK=$TRASH/foreign ;;
	noperm) DESK=$TRASH/noperm ;;
	locked) DESK=$TRASH/desk; lock_desk_until_released desk ;;
	merge) DESK=$TRASH/desk; git -C desk rev-parse HEAD >desk/.git/MERGE_HEAD ;;
	full) DESK=$TRASH/small/desk; dd if=/dev/zero of=small/fill bs=4k 2>/dev/null ;;
	broken) DESK=$TRASH/desk; cp desk/rt.yaml rt.yaml.good; echo "queues: [" >>desk/rt.yaml ;;
	none) DESK=$TRASH/desk ;;
	esac
}
fault_off() {
	case $1 in
	locked) : >released; wait $LOCKER ;;
	merge) rm -f desk/.git/MERGE_HEAD ;;
	full) rm -f small/fill ;;
	broken) cp rt.yaml.good desk/rt.yaml ;;
	esac
}

shared_desk desk && mkdir -p small || exit 1
FAULTS="none missing locked merge broken"
if [ -n "$ROOT" ]; then
	rt-init foreign >/dev/null
	rt-init noperm >/dev/null && chmod -R go-w noperm && as_mail git config --global --add safe.directory "$TRASH/noperm"
	FAULTS="$FAULTS foreign noperm"
	if mount -t tmpfs -o size=4m tmpfs small 2>/dev/null; then
		shared_desk small/desk && msg warmup | as_mail rt-ingest --desk "$TRASH/small/desk" >/dev/null &&
		FAULTS="$FAULTS full"
	fi
fi

one_of() { # one_of RESULT 'PATTERN|PATTERN': shell patterns, spaces allowed
	_r=$1; _ifs=$IFS; IFS='|'; set -- $2; IFS=$_ifs
	for _p; do case $_r in $_p) return 0 ;; esac; done; return 1
}
n=0
: >matrix
for w in alias procmail fetchmail; do
	case $w in
	procmail) command -v procmail >/dev/null || { test_skip "procmail: every fault" "procmail not installed"; continue; } ;;
	fetchmail) command -v fetchmail >/dev/null && command -v python3 >/dev/null ||
		{ test_skip "fetchmail mda: every fault" "fetchmail or python3 not installed"; continue; } ;;
	esac
	for f in $FAULTS; do
		n=$((n + 1))
		fault_on $f
		got=$(wire_$w "$DESK" $w-$f-$n)
		fault_off $f
		echo "$f $w $got" >>matrix
		case $f in none|broken) want="0 stored" ;;
		*) want="75 queue|* server" ;; esac
		test_expect_success "$w, desk fault '$f': $got" "
			one_of '$got' '$want' || { echo 'wanted $want'; tail -5 wire.err; false; }
		"
	done
done
[ -n "$ROOT" ] && mountpoint -q small && umount small

test_expect_success 'input that is not mail: kept in quarantine and bounced; fetchmail leaves it on the server' '
	printf "\\001\\002 junk\\n" >mailhome/junk &&
	cmd=$(sed "s/^[a-z][a-z0-9.-]*: \"|//; s/\"$//; s|/srv/desk|$TRASH/desk|" alias.recipe) &&
	$AS env -i HOME="$TRASH/mailhome" $cmd <mailhome/junk 2>/dev/null; test $? = 65 &&
	{ printf "SHELL=/bin/sh\nPATH=$RTBIN:/usr/bin:/bin\nHOME=$TRASH/mailhome\n"; sed "s|/srv/desk|$TRASH/desk|" procmail.recipe; } >mailhome/procmailrc &&
	as_mail procmail -m "$TRASH/mailhome/procmailrc" <mailhome/junk; test $? = 65 &&
	git -C desk ls-tree -r --name-only HEAD quarantine | grep -c "\.eml$" >nq && test $(cat nq) -ge 2 &&
	if command -v fetchmail >/dev/null; then
		got=$(wire_fetchmail "$TRASH/desk" junk mailhome/junk) && echo "fetchmail: $got" &&
		grep "incorrect header line" fm.out && one_of "$got" "* server"
	fi
'

say "# fault matrix (fault wiring exit where):"
sed "s/^/# /" matrix
test_done
