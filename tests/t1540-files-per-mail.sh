#!/bin/sh
# The files a stored mail makes: a small mail is held in memory, not
# spooled to a file (its sender keeps it until rt-ingest exits 0); a big
# one is spooled on disk and removed once stored. rt's index.lock is a
# link to one lasting mark file, never a new file.
. "$(dirname "$0")/lib.sh"

export RT_NOW=2026-11-23T10:00:00Z
mail() { printf 'From: c@example.com\nSubject: %s\nMessage-Id: <%s@x>\n\nbody %s\n' "$1" "$1" "$1"; }
stored() { git grep -q "Message-Id: <$1@x>" HEAD -- tickets; }
# spooled: a spool file (part.PID.RANDOM, spool.PID.RANDOM) among the made ones
spooled() { grep -E "/rt/tmp/(part|spool)\.[0-9]+\.[0-9a-f]+$" "$1"; }
# created ST: the files and folders that the traced run made under .git
# (O_CREAT|O_EXCL, temporary names, mkdir), one per line
created() {
	grep -v "= -1 " "$1" | grep -E 'O_CREAT\|O_EXCL|O_TRUNC|mkdir\(' |
	    sed -n 's/.*"\([^"]*\.git\/[^"]*\)".*/\1/p'
}
trace() { LSAN_OPTIONS=detect_leaks=0 strace -f -o st -e trace=openat,mkdir,link,rename "$@"; }

new_desk desk || exit 1
command -v strace >/dev/null && strace -f -o /dev/null true 2>/dev/null && test_set_prereq STRACE

test_expect_success STRACE 'a small mail on stdin: no spool file, index.lock linked from the mark' '
	mail s1 | rt-ingest -q && mail s2 >s2.eml &&
	trace rt-ingest -q <s2.eml && stored s2 &&
	created st >made && cat made &&
	! spooled made && ! grep "index\.lock" made &&
	grep -q "link(\".*/\.git/rt/index\.mark\", \".*/\.git/index\.lock\") = 0" st &&
	test ! -e .git/index.lock && find .git/rt -path ".git/rt/tmp/*" >left && test_cmp /dev/null left
'

test_expect_success STRACE 'a mail over 4 MiB is spooled on disk, stored, and the spool removed' '
	{ mail big1 && head -c 5000000 /dev/zero | tr "\0" "x" | fold -w 76; } >big.eml &&
	trace rt-ingest -q <big.eml && stored big1 &&
	created st >made && spooled made &&
	find .git/rt -path ".git/rt/tmp/*" >left && test_cmp /dev/null left &&
	rt-show --raw 1 "$(rt-ls --all --format "%{id} %{subject}\n" | sed -n "s/ big1$//p")" >shown &&
	test "$(grep -c "^x" shown)" = "$(grep -c "^x" big.eml)"
'

test_expect_success STRACE '--mbox and --maildir: no spool file per message' '
	for i in 1 2 3; do printf "From MAILER-DAEMON Mon Nov 23 10:00:00 2026\n"; mail mb$i; echo; done >in.mbox &&
	trace rt-ingest -q --mbox in.mbox && stored mb1 && stored mb3 &&
	created st >made && ! spooled made &&
	mkdir -p md/new md/cur md/tmp && mail md1 >md/new/1 && mail md2 >md/cur/2 &&
	trace rt-ingest -q --maildir md && stored md1 && stored md2 &&
	created st >made && ! spooled made
'

test_expect_success STRACE 'a mail reads git config once and opens the cache lock file once' '
	mail c1 >c1.eml && LSAN_OPTIONS=detect_leaks=0 strace -f -o st -e trace=openat,%stat,%lstat,%fstat rt-ingest -q <c1.eml &&
	stored c1 && cfg=$(grep -c "\"$PWD/\.git/config\"" st) && echo "config: $cfg" &&
	test "$cfg" -ge 1 && test "$cfg" -le 6 &&
	test "$(grep -c "openat(.*/\.git/rt/cache\.mdb-lock\"" st)" = 1
'

test_done
