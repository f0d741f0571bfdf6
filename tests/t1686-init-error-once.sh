#!/bin/sh
# rt-init says its failure once: a work-tree write that fails is not
# first a warning and then the same error; a file in the way of DIR is
# named as not a directory (not libgit2's "directory exists"), and so is
# a file in the way of a parent of DIR; a DIR that cannot be made is
# named once, not by rt and again by libgit2
. "$(dirname "$0")/lib.sh"

RT_NOW=2026-11-25T10:00:00Z TZ=UTC; export RT_NOW TZ

test_expect_code 74 'a work-tree write that fails: one line, rolled back' '
	mkdir d && ln -s "$TRASH/nowhere" d/.rt &&
	rt-init d >out 2>err; rc=$?; cat err;
	test $(wc -l <err) = 1 && grep "^rt-init: cannot write .*/d/.rt/format" err &&
	test ! -e d/.git && test ! -e d/rt.yaml && test -L d/.rt && exit $rc
'

test_expect_code 73 'a file where DIR should be: not a directory, once' '
	echo x >afile && rt-init afile 2>err; rc=$?; cat err;
	echo "rt-init: '"'"'afile'"'"' is not a directory" >expect && test_cmp expect err &&
	test "$(cat afile)" = x && exit $rc
'

test_expect_code 73 'a file where a parent of DIR should be: that file, not a directory' '
	rt-init afile/sub/desk 2>err; rc=$?; cat err;
	echo "rt-init: '"'"'afile'"'"' is not a directory" >expect && test_cmp expect err &&
	test "$(cat afile)" = x && exit $rc
'

# once PATH: PATH occurs exactly once in err
once() { test "$(grep -o -F "$1" err | wc -l)" = 1; }

test_expect_code 75 'a DIR that cannot be made: one line naming it once' '
	rt-init /proc/rt-desk-$$ 2>err; rc=$?; cat err;
	test $(wc -l <err) = 1 && once /proc/rt-desk-$$ &&
	grep "^rt-init: .*No such file or directory" err && exit $rc
'

if test_have_prereq OTHER_USERS; then
	test_expect_code 75 'a parent nobody may write: one line naming DIR once' '
		mkdir ro && chmod 555 ro &&
		setpriv --reuid=nobody --regid=nogroup --clear-groups \
		    env HOME="$TRASH" PATH="$PATH" RT_SHAREDIR="$RT_SHAREDIR" \
		    rt-init "$TRASH/ro/desk" 2>err; rc=$?; cat err;
		test $(wc -l <err) = 1 && once "$TRASH/ro/desk" &&
		grep "^rt-init: .*Permission denied" err && test ! -e ro/desk && exit $rc
	'
else
	test_skip 'a parent nobody may write' 'needs OTHER_USERS'
fi

test_expect_success 'the fixed folder then takes a desk' '
	rm d/.rt && rt-init d >out && git -C d log --oneline >log && test $(wc -l <log) = 1
'

test_done
