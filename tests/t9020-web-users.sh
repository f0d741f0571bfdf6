#!/bin/sh
# The README's web set-up with users as on Debian: the desk belongs to the
# mail user and its group, lighttpd starts as root and runs rt-web as a
# web server user of its own in the desk's group (www-data there). rt-web
# answers 503 until the desk is declared safe for that user, then stores,
# and what it writes leaves the desk writable for the mail user and agents.
. "$(dirname "$0")/lib.sh"

if ! test_have_prereq SYSTEM_USERS || ! test_have_prereq LIGHTTPD; then
	test_skip 'the README web set-up with a web server user' 'needs SYSTEM_USERS and LIGHTTPD'
	test_done
	exit
fi

SECRET=hook-secret-0123456789
AM=$(event_fixture alertmanager/prometheus-msteams_prom_post_request.json)
as() { _u=$1; shift; HOME=$TRASH/home-$_u setpriv --reuid="$_u" --regid="$(id -g "$_u")" --init-groups "$@"; }

test_lock_system_users
test_expect_success 'setup: the desk of rtmail in group rtdesk, the web user rtweb in rtdesk' '
	test_mail_user &&
	if ! id rtweb >/dev/null 2>&1; then
		useradd -M -U -s /usr/sbin/nologin rtweb && test_atexit "userdel rtweb" || exit 1
	fi &&
	usermod -a -G rtdesk rtweb &&
	mkdir home-rtmail home-rtweb && chown rtmail home-rtmail && chown rtweb home-rtweb &&
	chmod o+x "$TRASH" "$TRASH/.." "$TRASH/../.." 2>/dev/null;
	install -d -o rtmail -g rtdesk desk &&
	as rtmail env PATH="$PATH" RT_SHAREDIR="$RT_SHAREDIR" \
	    rt-init --shared --address help@acme.example "$TRASH/desk" >/dev/null &&
	as rtmail sh -c "umask 027 && printf \"%s\\n\" $SECRET >desk/.git/rt/hook-secret" &&
	printf "web:\n  hooks:\n    alertmanager: {secret-file: rt/hook-secret}\n" >web.yaml &&
	as rtmail sh -c "cat web.yaml >>desk/rt.yaml" &&
	as rtmail git -C desk -c user.name=Admin -c user.email=admin@example.org commit -qm web rt.yaml && rm desk/.git/COMMIT_EDITMSG &&
	start_lighttpd desk rtweb &&
	echo "$WEB" >web-url &&
	ps -o user=,supgrp= -p "$LPID" >ps && grep "^rtweb .*rtdesk" ps
'
WEB=$(cat web-url 2>/dev/null)
echo "export HOME=$TRASH/home-rtweb" >"$TRASH/web-env"

hook() {
	curl -s -o out -D headers -w '%{http_code}' -X POST --data-binary "@$AM" \
	    -H "Authorization: Bearer $SECRET" "$WEB/rt/hook/alertmanager"
}

test_expect_success 'not declared safe for the web user: 503 with Retry-After, the error log names the fix, nothing stored' '
	test "$(curl -s -o out -w "%{http_code}" "$WEB/rt/new")" = 503 &&
	test "$(hook)" = 503 && grep -i "^Retry-After: 60" headers &&
	grep "belongs to another user; declare it safe: git config .* safe.directory $TRASH/desk" lighttpd/cgi.log &&
	! grep "safe.directory" out &&
	test "$(git -c safe.directory="*" -C desk rev-list --count HEAD)" = 2
'

test_expect_success 'declared safe (the README line, for the web user): the form and the hook store' '
	as rtweb git config --global --add safe.directory "$TRASH/desk" &&
	test "$(curl -s -o form.html -w "%{http_code}" "$WEB/rt/new")" = 200 &&
	csrf=$(sed -n "s/.*name=\"csrf\" value=\"\([^\"]*\)\".*/\1/p" form.html) && test -n "$csrf" &&
	test "$(curl -s -o out -w "%{http_code}" -F "csrf=$csrf" -F "name=Eva" -F address=eva@example.com \
	    -F subject=Hello -F text=Hi -F website= "$WEB/rt/new")" = 200 &&
	grep "id=\"ticket\"" out &&
	test "$(hook)" = 200 && grep " created$" out &&
	test "$(git -c safe.directory="*" -C desk log --format=%an | grep -c "^rt-web$")" = 2
'

test_expect_success 'what rt-web wrote is the desk group'\''s: the mail user stores mail after it' '
	find desk ! -group rtdesk >bad &&
	find desk/.git/objects desk/tickets desk/.git/rt -type d ! -perm -g+w >>bad &&
	find desk/tickets desk/.git/refs -type f ! -perm -g+w >>bad &&
	find desk ! -type l -perm -o+r >>bad &&
	test_cmp /dev/null bad &&
	printf "From: kunde@example.com\nSubject: by mail\nMessage-Id: <m1@example.com>\n\nHallo\n" >m1 &&
	as rtmail env PATH="$PATH" RT_SHAREDIR="$RT_SHAREDIR" RT_ACTOR= \
	    sh -c "umask 077 && exec rt-ingest --desk $TRASH/desk" <m1 >id &&
	test -s id
'

test_done
