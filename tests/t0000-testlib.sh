#!/bin/sh
# tests/lib.sh itself: prerequisites skip, cleanups run when a test fails,
# test_atexit runs however a script ends, the clock is pinned, a failed
# setup is named by the failures after it
. "$(dirname "$0")/lib.sh"

# inner NAME: runs the script on stdin with lib.sh, TAP in NAME.out
inner() {
	mkdir -p "$TRASH/inner" &&
	{ echo ". \"$TEST_ROOT/lib.sh\""; cat; } >"$TRASH/inner/$1.sh" &&
	RT_TRASH="$TRASH/innertrash" sh "$TRASH/inner/$1.sh" >"$TRASH/$1.out" 2>&1
	echo $? >"$TRASH/$1.rc"
}

# a process that still runs (a zombie waiting for its reaper does not count)
alive() { _s=$(ps -o stat= -p "$1" 2>/dev/null); [ -n "$_s" ] && [ "${_s#Z}" = "$_s" ]; }
# gone PID: the process ends within 5 seconds (a loaded machine is slow)
gone() { for _i in 1 2 3 4 5 6 7 8 9 10; do alive "$1" || return 0; sleep 0.5; done; return 1; }

test_expect_success 'prerequisites: set, missing and negated' '
	inner prereq <<-\EOS &&
	test_set_prereq HAVE
	test_expect_success HAVE "a" "true"
	test_expect_success MISSING "b" "false"
	test_expect_success !MISSING "c" "true"
	test_expect_code 3 HAVE,MISSING "d" "exit 3"
	test_done
	EOS
	cat >expect <<-\EOT &&
	ok 1 - a
	ok 2 - b # SKIP missing MISSING
	ok 3 - c
	ok 4 - d # SKIP missing HAVE,MISSING
	1..4
	EOT
	test_cmp expect prereq.out && test $(cat prereq.rc) = 0
'

test_expect_success 'lazy prerequisites: decided when first asked, their check run once' '
	inner lazy <<-\EOS &&
	test_lazy_prereq YES "echo run >>\$TRASH/yes.runs"
	test_lazy_prereq NO "false"
	test_lazy_prereq NEVER "echo run >>\$TRASH/never.runs"
	test_expect_success YES "a" "true"
	test_expect_success YES,!NO "b" "true"
	test_expect_success NO "c" "false"
	test_expect_success "one run of YES, none of NEVER" "test \$(wc -l <\$TRASH/yes.runs) = 1 && ! test -e \$TRASH/never.runs"
	test_done
	EOS
	cat >expect <<-\EOT &&
	ok 1 - a
	ok 2 - b
	ok 3 - c # SKIP missing NO
	ok 4 - one run of YES, none of NEVER
	1..4
	EOT
	test_cmp expect lazy.out && test $(cat lazy.rc) = 0
'

test_expect_success 'test_when_finished runs when the test fails, in its folder' '
	inner cleanup <<-EOS &&
	test_expect_success "fails" "mkdir sub && cd sub && test_when_finished \"touch cleaned\" && false"
	test_done
	EOS
	grep "^not ok 1 - fails" cleanup.out && test $(cat cleanup.rc) = 1 &&
	test -f innertrash/cleanup/sub/cleaned
'

test_expect_success 'test_atexit stops a server when the script dies half-way' '
	inner atexit <<-\EOS &&
	test_expect_success "start" "sleep 300 & echo \$! >pid; test_atexit \"kill \$!\""
	exit 3
	EOS
	test $(cat atexit.rc) = 3 && pid=$(cat innertrash/atexit/pid) &&
	gone $pid
'

test_expect_success 'test_done fails a script that leaves a server running, and stops it' '
	inner leak <<-\EOS &&
	test_expect_success "start" ": >x && tail -f \"\$TRASH/x\" >/dev/null & echo \$! >pid"
	test_done
	EOS
	test $(cat leak.rc) = 1 && grep "^not ok 2 - the script stopped every process it started" leak.out &&
	grep "tail -f .*/innertrash/leak/x" leak.out && gone $(cat innertrash/leak/pid)
'

test_expect_success 'the clock and time zone are pinned' '
	inner clock <<-\EOS &&
	test_expect_success "now" "test \"\$RT_NOW\" = 2026-11-25T10:00:00Z && test \"\$TZ\" = UTC && test \$(date -u -d \"\$RT_NOW\" +%u) = 3"
	test_done
	EOS
	grep "^ok 1 - now$" clock.out
'

test_expect_success 'failures after a failed setup name it' '
	inner setup <<-\EOS &&
	test_expect_success "setup: a desk" "false"
	test_expect_success "uses the desk" "false"
	test_done
	EOS
	grep "^not ok 2 - uses the desk" setup.out &&
	grep "^#   (after the failed setup: 1 - setup: a desk)" setup.out
'

test_expect_success 'sendmail_recorder keeps each message and its arguments' '
	sendmail_recorder &&
	printf "one\n" | "$TRASH/sendmail" -f a@example.org b@example.org &&
	printf "two\n" | "$TRASH/sendmail" c@example.org &&
	test "$(cat "$SM_DIR/msg.0")" = one && test "$(cat "$SM_DIR/msg.1")" = two &&
	grep -x b@example.org "$SM_ARGS" && grep -x c@example.org "$SM_ARGS" &&
	touch "$SM_DIR/fail" && { printf "three\n" | "$TRASH/sendmail" d@example.org; test $? = 75; } &&
	rm "$SM_DIR/fail" && test ! -e "$SM_DIR/msg.2"
'

test_done
