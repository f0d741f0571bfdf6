#!/bin/sh
# A batch killed before its end leaves tickets pending: their records are
# in the cache, their words and work-tree files wait for the next writer.
# A user who may only read the desk never writes it, and still gets a
# writer's answers: a search reads the pending tickets instead.
. "$(dirname "$0")/lib.sh"

if ! test_have_prereq OTHER_USERS; then
	test_skip 'a read-only user and pending tickets' 'needs OTHER_USERS: root, setpriv, nobody, a checkout nobody can reach'
	test_done
	exit
fi
command -v gdb >/dev/null && test_set_prereq GDB
export RT_NOW=2026-11-23T10:00:00Z
as_nobody() {
	setpriv --reuid=nobody --regid=nogroup --clear-groups \
	    env HOME="$TRASH/nobody" PATH="$PATH" RT_SHAREDIR="$RT_SHAREDIR" RT_NOW="$RT_NOW" "$@"
}
# the desk's every file and folder: name, size, mode, mtime
snapshot() { (cd "$TRASH/desk" && find . -printf '%p %s %m %T@\n' | LC_ALL=C sort); }

test_expect_success GDB,!VALGRIND 'setup: a batch killed before its end, the desk readable by nobody' '
	umask 022 && new_desk && cd .. &&
	printf "From: a@x\nTo: s@x\nSubject: first\nMessage-Id: <r0@x>\n\nalpha\n" | rt-ingest --desk desk >/dev/null &&
	for i in 1 2 3; do
		printf "From a@x Mon Nov 23 10:00:00 2026\nFrom: a@x\nTo: s@x\nSubject: batch %s\nMessage-Id: <r%s@x>\n\nzebraword%s\n\n" $i $i $i
	done >m.mbox &&
	printf "break finish_pending\nrun --desk desk --mbox m.mbox\nkill\n" >gdb.cmd &&
	ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0" \
	    gdb -q -batch -x gdb.cmd --args "$(command -v rt-ingest)" >gdb.out 2>&1;
	grep "killed" gdb.out && test "$(git -C desk rev-list --count HEAD)" -ge 3 &&
	mkdir nobody && printf "[safe]\n\tdirectory = %s\n" "$TRASH/desk" >nobody/.gitconfig &&
	chmod -R a+rX "$TRASH" && test_must_fail as_nobody touch desk/.git/rt/x &&
	test -s desk/.git/rt/pending
'

test_expect_success GDB,!VALGRIND 'nobody lists, shows and searches them as a writer would, and writes nothing' '
	snapshot >before &&
	as_nobody rt-ls --desk "$TRASH/desk" --format "%{subject}\n" | sort >out &&
	printf "batch 1\nbatch 2\nbatch 3\nfirst\n" >expect && test_cmp expect out &&
	as_nobody rt-ls --desk "$TRASH/desk" --text zebraword2 --format "%{subject}\n" >out &&
	echo "batch 2" >expect && test_cmp expect out &&
	as_nobody rt-ls --desk "$TRASH/desk" --text alpha --format "%{subject}\n" >out &&
	echo first >expect && test_cmp expect out &&
	id=$(as_nobody rt-ls --desk "$TRASH/desk" --text zebraword3 --ids) &&
	as_nobody rt-show --desk "$TRASH/desk" $id >out && grep zebraword3 out &&
	snapshot >after && test_cmp before after
'

test_expect_success GDB,!VALGRIND 'the next writer finishes them; the answers stay the same' '
	rt-ls --desk desk --text zebraword2 --format "%{subject}\n" >out &&
	echo "batch 2" >expect && test_cmp expect out && rt-gc -q --desk desk &&
	test ! -s desk/.git/rt/pending && chmod -R a+rX desk &&
	as_nobody rt-ls --desk "$TRASH/desk" --text zebraword1 --format "%{subject}\n" >out &&
	echo "batch 1" >expect && test_cmp expect out
'

test_done
