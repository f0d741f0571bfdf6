#!/bin/sh
# A mail's bytes reach the desk as they came: held in memory (spooled to
# a file past 4 MiB), parsed from that buffer and handed to the commit,
# never read back from a file. Every intake path stores them byte for
# byte (NUL, CRLF, no final newline, 8-bit bytes, over 1 MB) under one
# dedupe digest. A delivery killed between the spool and the store leaves
# the mail for the retry: with its sender (a small mail) or in a spool
# file rt-gc stores (a big mail, an event); a spool file goes only once
# the commit holding its bytes is durable. A mail is hashed once: its
# blob is stored under the id that named its file (git fsck checks it).
. "$(dirname "$0")/lib.sh"

export RT_NOW=2026-11-23T10:00:00Z
KINDS="nul crlf nofinal 8bit big"
FROM_="From MAILER-DAEMON Mon Nov 23 10:00:00 2026"

# mk TAG KIND: a mail of that kind, Message-Id <TAG-KIND@x>
mk() {
	case $2 in
	nul) printf 'From: c@example.com\nSubject: nul %s\nMessage-Id: <%s-nul@x>\n\nbefore\000after\000\nend\n' "$1" "$1" ;;
	crlf) printf 'From: c@example.com\r\nSubject: crlf %s\r\nMessage-Id: <%s-crlf@x>\r\n\r\none\r\ntwo\r\n' "$1" "$1" ;;
	nofinal) printf 'From: c@example.com\nSubject: nofinal %s\nMessage-Id: <%s-nofinal@x>\n\nno newline at the end' "$1" "$1" ;;
	8bit) printf 'From: c@example.com\nSubject: 8bit %s \351t\351\nMessage-Id: <%s-8bit@x>\n\ncaf\351 \377\376 na\357ve\n' "$1" "$1" ;;
	big) printf 'From: c@example.com\nSubject: big %s\nMessage-Id: <%s-big@x>\n\n' "$1" "$1" &&
		seq 1 "${3:-60000}" | sed 's/$/ a line of a big mail, over one megabyte in all/' ;;
	esac
}
# same_bytes ID FILE [EXT]: the ticket's one EXT file (eml), in HEAD and
# in the work tree, is FILE byte for byte, and its blob is FILE's
same_bytes() {
	_n=$(git ls-tree -r --name-only HEAD "$(ticket_dir "$1")/msg/" | grep "\.${3:-eml}\$") &&
	test "$(echo "$_n" | wc -l)" = 1 &&
	git cat-file blob "HEAD:$_n" | cmp - "$2" && cmp "$_n" "$2" &&
	test "$(git rev-parse "HEAD:$_n")" = "$(git hash-object "$2")"
}
# spools: the spool files in .git/rt/tmp, one a line
spools() { ls .git/rt/tmp 2>/dev/null | grep . || true; }

new_desk desk || exit 1
command -v gdb >/dev/null && test_set_prereq GDB
command -v strace >/dev/null && strace -f -o /dev/null true 2>/dev/null && test_set_prereq STRACE

# killed_at FUNCTION CMD ARGS... <IN: runs CMD under gdb and kills it when
# it first enters FUNCTION; fails unless it got there
killed_at() {
	_f=$1 _p=$(command -v "$2") && shift 2 &&
	ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0" gdb -q -batch \
		-ex "break $_f" -ex "run $* <$IN" -ex "info breakpoints" -ex kill \
		--args "$_p" >gdb.out 2>&1
	grep -q "already hit 1 time" gdb.out
}

test_expect_success 'stdin: each kind stored byte for byte' '
	for k in $KINDS; do
		mk s $k >s-$k.eml && id=$(rt-ingest <s-$k.eml) && echo "$k $id" >>s.ids &&
		same_bytes $id s-$k.eml || return 1
	done && spools >left && test_cmp /dev/null left
'

test_expect_success '--mbox: each kind stored byte for byte' '
	for k in crlf nul 8bit big nofinal; do
		printf "%s\n" "$FROM_" && mk b $k | tee b-$k.eml && { test $k = nofinal || echo; }
	done >b.mbox &&
	rt-ingest --mbox b.mbox >b.ids && test $(wc -l <b.ids) = 5 &&
	set -- $(cat b.ids) && for k in crlf nul 8bit big nofinal; do
		same_bytes $1 b-$k.eml && shift || return 1
	done
'

test_expect_success '--maildir: each kind stored byte for byte' '
	mkdir -p md/new md/cur md/tmp && i=0 &&
	for k in $KINDS; do i=$((i + 1)) && mk d $k >md/new/$i-$k && cp md/new/$i-$k d-$k.eml || return 1; done &&
	rt-ingest --maildir md >d.ids && test $(wc -l <d.ids) = 5 &&
	set -- $(cat d.ids) && for k in $KINDS; do same_bytes $1 d-$k.eml && shift || return 1; done &&
	git fsck --no-dangling >fsck 2>&1 && test_cmp /dev/null fsck
'

test_expect_success 'the same bytes by another path: one digest, a duplicate, nothing stored' '
	head=$(git rev-parse HEAD) &&
	for k in nul crlf 8bit big nofinal; do
		printf "%s\n" "$FROM_" && cat s-$k.eml && { test $k = nofinal || echo; } &&
		grep "^$k " s.ids | cut -d" " -f2 >>expect || return 1
	done >again.mbox &&
	rt-ingest --mbox again.mbox >again.ids &&
	test_cmp expect again.ids && test "$(git rev-parse HEAD)" = "$head"
'

test_expect_success 'an event payload (CRLF, UTF-8, no final newline) stored byte for byte' '
	printf "{\"alerts\":[{\"status\":\"firing\",\"labels\":{\"alertname\":\"Caf\303\251\",\"instance\":\"db1\"},\r\n\"annotations\":{\"summary\":\"na\303\257ve disk\"},\"startsAt\":\"2026-11-23T10:00:00Z\",\"fingerprint\":\"f1\"}],\r\n\"version\":\"4\",\"status\":\"firing\",\"receiver\":\"rt\"}" >ev.json &&
	id=$(rt-ingest --event ev.json) && same_bytes $id ev.json json &&
	spools >left && test_cmp /dev/null left
'

test_expect_success GDB,!VALGRIND 'a big mail killed between spool and store: its spool file stays, rt-gc stores it' '
	mk k big 120000 >k-big.eml && test $(wc -c <k-big.eml) -gt 4194304 &&
	head=$(git rev-parse HEAD) && IN=k-big.eml && killed_at change_commit rt-ingest &&
	test "$(git rev-parse HEAD)" = "$head" && spools >left && test $(wc -l <left) = 1 &&
	grep "^spool\." left && cmp .git/rt/tmp/$(cat left) k-big.eml &&
	touch -d "-2 hours" .git/rt/tmp/$(cat left) && rt-gc -q && spools >left && test_cmp /dev/null left &&
	id=$(rt-ls --all --format "%{id} %{subject}\n" | sed -n "s/ big k$//p") && same_bytes $id k-big.eml &&
	head=$(git rev-parse HEAD) && echo $id >expect &&
	rt-ingest <k-big.eml >again && test_cmp expect again && test "$(git rev-parse HEAD)" = "$head"
'

test_expect_success GDB,!VALGRIND 'a small mail killed between spool and store: nothing written, the retry stores it' '
	mk h nul >h-nul.eml && head=$(git rev-parse HEAD) && IN=h-nul.eml &&
	killed_at change_commit rt-ingest && test "$(git rev-parse HEAD)" = "$head" &&
	spools >left && test_cmp /dev/null left &&
	id=$(rt-ingest <h-nul.eml) && same_bytes $id h-nul.eml
'

test_expect_success GDB,!VALGRIND 'an event killed between spool and store: its spool file stays, rt-gc stores it' '
	sed "s/f1/f2/; s/db1/db2/" ev.json >ev2.json && head=$(git rev-parse HEAD) && IN=/dev/null &&
	killed_at change_commit rt-ingest --event ev2.json &&
	test "$(git rev-parse HEAD)" = "$head" && spools >left && test $(wc -l <left) = 1 &&
	cmp .git/rt/tmp/$(cat left) ev2.json &&
	touch -d "-2 hours" .git/rt/tmp/$(cat left) && rt-gc -q && spools >left && test_cmp /dev/null left &&
	test "$(git rev-parse HEAD)" != "$head" && git grep -q db2 HEAD -- tickets
'

# line FILE PATTERN: the number of the first line of FILE matching PATTERN
line() { grep -n "$2" "$1" | head -1 | cut -d: -f1; }
test_expect_success STRACE 'a spool file is read once, and removed only after the branch holding its mail is durable' '
	mk u big 120000 >u-big.eml &&
	LSAN_OPTIONS=detect_leaks=0 strace -f -o st -e trace=openat,rename,unlink,fsync,fdatasync \
	    rt-ingest <u-big.eml >id && same_bytes $(cat id) u-big.eml &&
	test "$(grep -c "openat(.*rt/tmp/spool\..*O_RDONLY" st)" = 1 &&
	made=$(line st "rt/tmp/part\.") && moved=$(line st "rename(.*refs/heads/main\.lock") &&
	synced=$(sed -n "$moved,\$p" st | grep -n "fsync(" | head -1 | cut -d: -f1) &&
	gone=$(line st "unlink(.*rt/tmp/spool\.") && echo "spool $made, ref $moved, +$synced synced, spool gone $gone" &&
	test -n "$made" && test -n "$synced" && test "$made" -lt "$moved" && test "$gone" -gt $((moved + synced - 1))
'

test_done
