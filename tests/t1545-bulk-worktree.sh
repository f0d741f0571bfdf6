#!/bin/sh
# Bulk import's system calls and its work tree: each message of an mbox
# is held in memory (no memfd, no file) and handed on from there, never
# read back through /proc/self/fd or a file; no
# object is freshened (utime) or objects/pack stat'ed before each object
# write; a new ticket's folders cost their own mkdirs, not one for every
# level above them (on an empty desk five levels are new: ten calls). The work-tree files are written by a second thread:
# when rt-ingest exits the work tree equals HEAD, and a kill anywhere
# leaves only whole files, repaired by the next writer and rt-gc.
. "$(dirname "$0")/lib.sh"

export RT_NOW=2026-11-23T10:00:00Z
N=20
# mbox FIRST LAST: new-ticket mails with a 40-line body ending in END-n
mbox() { bulk_mbox "$1" "$2" 40; }
# clean: the work tree equals HEAD (against a scratch index), nothing left aside
clean() {
	rm -f "$TRASH/scratch.idx" &&
	GIT_INDEX_FILE=$TRASH/scratch.idx git read-tree HEAD &&
	GIT_INDEX_FILE=$TRASH/scratch.idx git status --porcelain --untracked-files=no >dirty &&
	rm -f "$TRASH/scratch.idx" && test_cmp /dev/null dirty &&
	find tickets -name "*.tmp*" >aside && test_cmp /dev/null aside
}
# whole: every mail file in the work tree is a whole mail (ends in its END line)
whole() {
	find tickets -name "*.eml" | while read -r f; do
		tail -n 1 "$f" | grep -q "^END-" || { echo "half: $f"; return 1; }
	done
}
# count PATTERN: the traced calls matching it (a call strace split in two counted once)
count() { grep -v "resumed>" st | grep -c "$1" || true; }

new_desk desk || exit 1
mbox 1 $N >bulk.mbox
command -v strace >/dev/null && strace -f -o /dev/null true 2>/dev/null && test_set_prereq STRACE

test_expect_success STRACE,!VALGRIND '--mbox: one spool write a mail, no freshening, few mkdirs' '
	cp -a . ../traced && (
		cd ../traced &&
		LSAN_OPTIONS=detect_leaks=0 strace -f -o st \
		    -e trace=write,mkdir,utimensat,newfstatat,stat,openat rt-ingest -q --mbox ../desk/bulk.mbox &&
		w=$(count "^[0-9]* *write(") && m=$(count "mkdir(") &&
		u=$(count "utimensat(") && p=$(count "stat.*objects/pack\"") &&
		r=$(count "openat(.*/proc/self/fd/") &&
		echo "$N mails: $w writes, $m mkdirs, $u utimensats, $p stats of objects/pack, $r opens of a spool" &&
		test "$u" = 0 && test "$w" -le $((N * 8)) && test "$r" = 0 &&
		test "$m" -le $((N * 11)) && test "$p" -le "$N"
	)
'

# A batch of new tickets costs per mail its own folders (made down from
# the deepest one the process knows, none failing), one failed open (the
# new ticket's first file) and one journal append; the pid, random bytes,
# the journal's open are asked for once a process; a held spool is memory, no memfd.
test_expect_success STRACE,!VALGRIND '--mbox: per mail no failing mkdir, no getpid, getrandom, memfd or journal open' '
	rm -rf ../traced2 && cp -a . ../traced2 && (
		cd ../traced2 &&
		LSAN_OPTIONS=detect_leaks=0 strace -f -o st -e trace=mkdir,openat,getpid,getrandom,memfd_create \
		    rt-ingest -q --mbox ../desk/bulk.mbox &&
		m=$(count "mkdir(") && mf=$(count "mkdir(.*= -1") && of=$(count "openat(.*= -1") &&
		j=$(count "openat(.*rt/pending") && p=$(count "getpid(") &&
		g=$(count "getrandom(") && f=$(count "memfd_create(") &&
		echo "$N mails: $m mkdirs ($mf failed), $of failed opens, $j journal opens, $p getpids, $g getrandoms, $f memfds" &&
		test "$m" -le $((N * 5 + 6)) && test "$mf" -le 6 && test "$of" -le $((N + 4)) &&
		test "$j" -le 1 && test "$p" -lt "$N" && test "$g" -lt "$N" && test "$f" = 0
	)
'

test_expect_success '--mbox: the work tree equals HEAD at exit, each ticket whole' '
	rt-ingest -q --mbox bulk.mbox && clean && whole &&
	test "$(rt-ls --all --ids | wc -l)" = $N &&
	for id in $(rt-ls --all --ids); do
		d=$(ticket_dir "$id") &&
		test -f "$d/ticket.yaml" && test -f "$d/log.yaml" &&
		test "$(ls "$d/msg" | wc -l)" = 1 || return 1
	done &&
	find .git/rt/tmp -type f >left && test_cmp /dev/null left &&
	rt-gc -q && git status --porcelain --untracked-files=no >st && test_cmp /dev/null st
'

# A batch's end renders its new tickets' ticket.yaml and hands the files
# to the work-tree thread, which writes them while the cache indexes the
# next ticket's words: the main thread (the pid of the execve) renames none,
# and each is what a rebuilt cache renders (a rebuild rewrites only the
# copies that differ).
test_expect_success STRACE,!VALGRIND '--mbox: ticket.yaml written beside the text index, as a rebuild renders it' '
	rm -rf ../traced3 && (
		new_desk ../traced3 &&
		LSAN_OPTIONS=detect_leaks=0 strace -f -o st -e trace=execve,rename \
		    rt-ingest -q --mbox ../desk/bulk.mbox &&
		main=$(head -n 1 st | cut -d" " -f1) &&
		t=$(count "rename(.*/ticket\.yaml\"") && m=$(grep -v "resumed>" st | grep "^$main " | grep -c "/ticket\.yaml\"" || true) &&
		echo "$N mails: $t ticket.yaml renamed, $m of them by the main thread" &&
		test "$t" = $N && test "$m" = 0 &&
		find tickets -name ticket.yaml | sort | xargs cat >before &&
		rt-gc -q --rebuild-cache &&
		find tickets -name ticket.yaml | sort | xargs cat >after &&
		test_cmp before after && test -s after &&
		find .git/rt/tmp -type f >left && test_cmp /dev/null left
	)
'

test_expect_success 'a follow-up batch rewrites the tickets it changes' '
	id=$(rt-ls --all --ids | head -n 1) &&
	for i in 1 2 3; do
		printf "From MAILER-DAEMON Mon Nov 23 10:00:00 2026\n"
		printf "From: c1@example.com\nSubject: Re: [Test #%s] bulk\nMessage-Id: <f%s@x>\n\nEND-f%s\n\n" "$id" $i $i
	done >follow.mbox &&
	rt-ingest -q --mbox follow.mbox && clean && whole &&
	test "$(ls "$(ticket_dir "$id")/msg" | wc -l)" = 4 &&
	rt-show "$id" >shown && grep -q "END-f3" shown
'

# Killed at its Nth rename (a work-tree file of either thread, ticket.yaml,
# the pack, the branch): no half file in the work tree; the next import
# stores every mail once, and after rt-gc the work tree equals HEAD.
test_expect_success STRACE 'rt-ingest --mbox killed at any rename: no half file, nothing lost' '
	killed=0 &&
	for n in 1 2 5 9 17 30 45 61; do
		rm -rf ../k && new_desk ../k >/dev/null && cp ../desk/bulk.mbox . &&
		LSAN_OPTIONS=detect_leaks=0 strace -f -o /dev/null -e trace=rename \
		    -e inject=rename:signal=KILL:when=$n rt-ingest -q --mbox bulk.mbox 2>/dev/null
		test $? = 0 || killed=$((killed + 1))
		whole || return 1
		rt-ingest -q --mbox bulk.mbox || return 1
		test "$(rt-ls --all --ids | wc -l)" = $N || { echo "kill at $n: tickets"; return 1; }
		test "$(git log --oneline | grep -c "ingest: ")" = $N || return 1
		rt-gc -q && clean && whole || { echo "kill at $n"; return 1; }
		cd ../desk || return 1
	done &&
	echo "killed $killed times" && test $killed -ge 6
'

test_done
