#!/bin/sh
# Start-up costs stay out of commands that do not need them: the mailer
# libraries load only when a command sends (rt-mailer.so), GSSAPI only
# when an http remote asks for Negotiate.
. "$(dirname "$0")/lib.sh"

sendmail_recorder
export RT_NOW=2026-11-23T10:00:00Z

test_expect_success 'no rt binary needs the mailer libraries; the module does' '
	for b in "$RT_BUILD"/bin/*; do
		readelf -d "$b" | grep "NEEDED.*libmu_mailer" && { echo "$b needs libmu_mailer"; return 1; }
	done
	readelf -d "$RT_BUILD/libexec/rt/rt-mailer.so" | grep "NEEDED.*libmu_mailer"
'

# libgit2 linked statically (Makefile GIT2_STATIC): GSSAPI opens on first use
# (lib/gsslazy.c) and libssh2's libcrypto is linked in.
readelf -d "$RT_BUILD/bin/rt-ingest" | grep -q "NEEDED.*libgit2" || test_set_prereq GIT2_STATIC

test_expect_success GIT2_STATIC 'no rt binary loads GSSAPI (krb5) or libcrypto at start' '
	for b in "$RT_BUILD"/bin/*; do
		if readelf -d "$b" | grep -E "NEEDED.*(libgssapi|libkrb5|libcrypto|libssh2)"; then
			echo "$b needs them"; return 1
		fi
	done
'

test_expect_success 'setup: desk with a sendmail: mailer and one ticket' '
	new_desk &&
	sed -i "s|mailer: .*|mailer: sendmail://$TRASH/sendmail|" rt.yaml &&
	printf "reply:\n  auto-interval: 0\n" >>rt.yaml &&
	git commit -qm "a program mailer: committed (rt-desk(5), TRUST)" rt.yaml &&
	printf "From: jane@customer.example\nSubject: broken\nMessage-Id: <m1@x>\n\nx\n" | rt-ingest >id
'
cd desk 2>/dev/null || true

test_expect_success 'a dry run works without the mailer module' '
	RT_MAILER_MODULE=/nonexistent/rt-mailer.so rt-reply -n --template ack $(cat id) >out &&
	grep "Subject: .*broken" out && test -z "$(ls "$SM_DIR")"
'

test_expect_code 75 'a send without the module fails as temporary and stores nothing' '
	before=$(git rev-parse HEAD) &&
	RT_MAILER_MODULE=/nonexistent/rt-mailer.so rt-reply --template ack $(cat id) 2>err; rc=$?
	cat err; grep "cannot load the mailer (rt-mailer.so)" err &&
	test "$(git rev-parse HEAD)" = "$before" && test -z "$(ls "$SM_DIR")" && exit $rc
'

test_expect_success 'a send loads the module found beside the binary' '
	rt-reply --template ack $(cat id) >out && test "$(ls "$SM_DIR" | wc -l)" = 1
'

test_done
