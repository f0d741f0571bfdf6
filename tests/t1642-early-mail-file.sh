#!/bin/sh
# One mail's own file, and a new ticket's log.yaml, go into the work tree
# while the commit is stored (in a batch, while the next are built): a second thread makes their folders and files
# while the pack is written and synced (after the paths are in
# .git/rt/pending); the branch moves only once they are in place. A
# follow-up's log.yaml grows after the commit. A delivery that fails (75) takes the early files and
# their folders back: the work tree is as it was.
. "$(dirname "$0")/lib.sh"

export RT_NOW=2026-11-23T10:00:00Z TZ=UTC
mail() { printf 'From: c%s@example.com\nSubject: early %s\nMessage-Id: <e%s@x>\n\nbody %s\n' "$1" "$1" "$1" "$1"; }
stored() { git grep -q "Message-Id: <e$1@x>" HEAD -- tickets; }
idof() { rt-ls --all --format "%{id} %{subject}\n" | sed -n "s/ early $1\$//p"; }
# line FILE PATTERN: the first line of strace output FILE matching PATTERN
line() { grep -n "$2" "$1" | grep -v "= -1 " | head -1 | cut -d: -f1; }

new_desk desk || exit 1
mail 0 | rt-ingest -q || exit 1
BRANCH=$(git symbolic-ref --short HEAD)
command -v strace >/dev/null && strace -f -o /dev/null true 2>/dev/null && test_set_prereq STRACE

test_expect_success STRACE 'mail file and new log.yaml are in place before the branch moves' '
	mail 1 >"$TRASH/m1" &&
	LSAN_OPTIONS=detect_leaks=0 strace -f -o "$TRASH/st" -e trace=write,rename,openat,fsync \
	    rt-ingest -q <"$TRASH/m1" && stored 1 &&
	j=$(line "$TRASH/st" "write([0-9]*, \"tickets/.*/msg/") &&
	m=$(line "$TRASH/st" "rename(\"[^\"]*/tickets/[^\"]*\.eml\.tmp[0-9]*\"") &&
	l=$(line "$TRASH/st" "rename(\"[^\"]*/tickets/[^\"]*/log\.yaml\.tmp[0-9]*\"") &&
	b=$(line "$TRASH/st" "rename(\"[^\"]*/refs/heads/$BRANCH\.lock\"") &&
	echo "journal $j mail $m log $l branch $b" && test "$j" -lt "$m" && test "$m" -lt "$b" &&
	test "$j" -lt "$l" && test "$l" -lt "$b"
'

# A batch writes a new ticket's log.yaml as it writes its mail file: while
# the next commits are built, all before the branch moves (not read back
# from the group's tip at its end, while the group waits for them).
test_expect_success STRACE 'a batch: every new log.yaml is in place before the branch moves' '
	for i in 5 6 7; do printf "From MAILER-DAEMON Mon Nov 23 10:00:00 2026\n"; mail $i; echo; done >"$TRASH/b.mbox" &&
	LSAN_OPTIONS=detect_leaks=0 strace -f -o "$TRASH/sb" -e trace=rename \
	    rt-ingest -q --mbox "$TRASH/b.mbox" && stored 5 && stored 7 &&
	grep -v "= -1 " "$TRASH/sb" | grep -n "rename(\"[^\"]*/tickets/[^\"]*/log\.yaml\.tmp[0-9]*\"" |
	    cut -d: -f1 >"$TRASH/logs" &&
	b=$(line "$TRASH/sb" "rename(\"[^\"]*/refs/heads/$BRANCH\.lock\"") &&
	echo "logs $(tr "\n" " " <"$TRASH/logs")branch $b" && test "$(wc -l <"$TRASH/logs")" = 3 &&
	test "$(tail -n 1 "$TRASH/logs")" -lt "$b"
'

test_expect_success 'the work tree equals HEAD for the new ticket and a follow-up' '
	mail 2 | rt-ingest -q && ID=$(idof 2) && dir=$(ticket_dir "$ID") &&
	printf "From: c2@example.com\nSubject: Re: early 2\nMessage-Id: <e2b@x>\nIn-Reply-To: <e2@x>\n\nmore\n" |
	    rt-ingest -q && test "$(ls "$dir/msg" | wc -l)" = 2 &&
	for f in "$dir"/log.yaml "$dir"/msg/*; do git cat-file blob "HEAD:$f" | cmp - "$f" || exit 1; done &&
	test -f "$dir/ticket.yaml" && rt-show "$ID" >"$TRASH/shown" && grep -q more "$TRASH/shown"
'

test_expect_success 'a delivery that fails (75) leaves the work tree as it was' '
	find tickets | sort >"$TRASH/before" && old=$(git rev-parse HEAD) &&
	: >".git/refs/heads/$BRANCH.lock" &&
	test_when_finished "rm -f .git/refs/heads/$BRANCH.lock" &&
	{ mail 3 | rt-ingest -q 2>"$TRASH/err"; test $? = 75; } && cat "$TRASH/err" &&
	grep -q "kept moving" "$TRASH/err" &&
	test "$(git rev-parse HEAD)" = "$old" &&
	find tickets | sort >"$TRASH/after" && test_cmp "$TRASH/before" "$TRASH/after" &&
	rm ".git/refs/heads/$BRANCH.lock" && mail 3 | rt-ingest -q && stored 3 &&
	dir=$(ticket_dir "$(idof 3)") && test -f "$dir/log.yaml" && ls "$dir"/msg/*.eml
'

# A batch group whose branch does not move (its mails exit 75, to be
# retried) takes back the files it wrote before the move: the mails' own
# files and the new tickets' log.yaml, with their folders; git status
# stays clean, not until rt-gc. The same for --mbox and --maildir.
test_expect_success 'a batch group that fails (75) leaves the work tree as it was: git status clean' '
	rt-gc -q && git status --porcelain >"$TRASH/st" && test_cmp /dev/null "$TRASH/st" &&
	find tickets | sort >"$TRASH/before" && old=$(git rev-parse HEAD) &&
	for i in 8 9; do printf "From MAILER-DAEMON Mon Nov 23 10:00:00 2026\n"; mail $i; echo; done >"$TRASH/f.mbox" &&
	printf "From MAILER-DAEMON Mon Nov 23 10:00:00 2026\nFrom: c2@example.com\nSubject: Re: early 2\nMessage-Id: <e2c@x>\nIn-Reply-To: <e2@x>\n\nagain\n" >>"$TRASH/f.mbox" &&
	mkdir -p "$TRASH/md/cur" "$TRASH/md/new" "$TRASH/md/tmp" &&
	mail 10 >"$TRASH/md/new/1.m10" && mail 11 >"$TRASH/md/new/2.m11" &&
	: >".git/refs/heads/$BRANCH.lock" &&
	test_when_finished "rm -f .git/refs/heads/$BRANCH.lock" &&
	{ rt-ingest -q --mbox "$TRASH/f.mbox" 2>"$TRASH/err"; test $? = 75; } && cat "$TRASH/err" &&
	{ rt-ingest -q --maildir "$TRASH/md" 2>"$TRASH/err"; test $? = 75; } && cat "$TRASH/err" &&
	test "$(git rev-parse HEAD)" = "$old" &&
	find tickets | sort >"$TRASH/after" && test_cmp "$TRASH/before" "$TRASH/after" &&
	git status --porcelain >"$TRASH/st" && test_cmp /dev/null "$TRASH/st" &&
	rm ".git/refs/heads/$BRANCH.lock" && rt-ingest -q --mbox "$TRASH/f.mbox" &&
	rt-ingest -q --maildir "$TRASH/md" &&
	stored 8 && stored 9 && stored 10 && stored 11 && git grep -q "Message-Id: <e2c@x>" HEAD -- tickets &&
	dir=$(ticket_dir "$(idof 8)") && test -f "$dir/log.yaml" &&
	rt-gc -q && git status --porcelain >"$TRASH/st" && test_cmp /dev/null "$TRASH/st"
'

command -v gdb >/dev/null && test_set_prereq GDB
test_expect_success GDB,!VALGRIND 'a branch moved by git before rt moves it: rebuilt, stored, work tree equals HEAD' '
	mail 4 >"$TRASH/m4" &&
	printf "%s\n" "break ref_lock" "commands 1" "silent" \
	    "shell git update-ref HEAD \$(git commit-tree -p HEAD -m bystander HEAD^{tree})" \
	    "delete 1" "continue" "end" "run -q <$TRASH/m4" "print \$_exitcode" >"$TRASH/gdb.cmd" &&
	ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0" \
	    gdb -q -batch -x "$TRASH/gdb.cmd" --args "$(command -v rt-ingest)" >"$TRASH/gdb.out" 2>&1;
	sed -n "s/^\$1 = //p" "$TRASH/gdb.out" | tail -n 1 >"$TRASH/rc" && test "$(cat "$TRASH/rc")" = 0 &&
	test "$(git log -1 --format=%s HEAD~1)" = bystander && stored 4 &&
	dir=$(ticket_dir "$(idof 4)") &&
	for f in "$dir"/log.yaml "$dir"/msg/*; do git cat-file blob "HEAD:$f" | cmp - "$f" || exit 1; done
'

test_done
