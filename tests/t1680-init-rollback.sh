#!/bin/sh
# A failed rt-init (here: its first commit cannot write a work-tree file)
# leaves the folder as it found it: what it made is gone, what it
# replaced (.gitignore, .gitattributes, a symbolic link) is back
. "$(dirname "$0")/lib.sh"

RT_NOW=2026-11-25T10:00:00Z TZ=UTC; export RT_NOW TZ

test_expect_success 'a failure at .gitignore leaves no .rt, .git or rt.yaml' '
	mkdir d1 d1/.gitignore && echo keep >d1/notes && : >d1/.gitignore/x &&
	ls -A d1 >before &&
	test_must_fail rt-init d1 2>err && cat err &&
	grep "d1/.gitignore.: Is a directory" err &&
	ls -A d1 >after && test_cmp before after &&
	test -f d1/.gitignore/x && test "$(cat d1/notes)" = keep
'

test_expect_success 'a failure at .rt/format puts back the .gitignore and link it replaced' '
	mkdir d2 d2/.rt d2/.rt/format && : >d2/.rt/format/x &&
	printf "mine\n*.tmp\n" >d2/.gitignore && chmod 600 d2/.gitignore &&
	cp d2/.gitignore saved &&
	ln -s elsewhere d2/.gitattributes &&
	test_must_fail rt-init d2 2>err && cat err &&
	grep "d2/.rt/format.: Is a directory" err &&
	ls -A d2 >after && printf ".gitattributes\n.gitignore\n.rt\n" >expect && test_cmp expect after &&
	cmp saved d2/.gitignore &&
	test "$(stat -c %a d2/.gitignore)" = 600 &&
	test "$(readlink d2/.gitattributes)" = elsewhere &&
	test -d d2/.rt/format && test -f d2/.rt/format/x
'

test_expect_success 'once the cause is gone, rt-init succeeds in the same folder' '
	rm -r d1/.gitignore && rt-init d1 >/dev/null &&
	git -C d1 log --format=%s >log && echo "init: new desk" >expect && test_cmp expect log &&
	test -f d1/.rt/format && test "$(cat d1/notes)" = keep
'

test_done
