#!/bin/sh
# A hand edit of rt.yaml after mail came in: the pre-commit hook refuses
# every commit of the stale index (git commit -a, git add + git commit,
# git commit -i) with the line naming both ways out, and a commit of the
# named file passes and deletes no ticket. git status shows the pending
# paths on a desk of one ticket, and is clean after rt-gc.
. "$(dirname "$0")/lib.sh"

RT_NOW=2026-11-25T10:00:00Z TZ=UTC; export RT_NOW TZ
new_desk desk || exit 1

MSG="rt: the index is behind rt.s commits: run rt-gc, then commit again (or name the files: git commit rt.yaml)"

test_expect_success 'one mail: git status shows its paths as pending' '
	printf "From: a@example.com\nTo: support@example.org\nSubject: s\nMessage-ID: <s1@example.com>\n\nhi\n" |
	rt-ingest >id && test -s .git/rt/pending &&
	git status --porcelain >st && cat st &&
	grep "^D  tickets/.*/log.yaml" st && grep "^?? tickets/" st
'

test_expect_success 'every commit of the index is refused, with both ways out' '
	echo "# a note" >>rt.yaml && before=$(git rev-parse HEAD) &&
	test_must_fail git commit -qam note 2>err && grep -x "$MSG" err &&
	test_must_fail git commit -q -i -m note rt.yaml 2>err && grep -x "$MSG" err &&
	git add rt.yaml && test_must_fail git commit -qm note 2>err && grep -x "$MSG" err &&
	test "$(git rev-parse HEAD)" = "$before"
'

test_expect_success 'the named file passes and deletes no ticket' '
	git commit -qm "config: a note" rt.yaml &&
	git show --stat --format= HEAD >stat && cat stat &&
	test $(grep -c "|" stat) = 1 && grep "rt.yaml" stat &&
	rt-show $(cat id) >/dev/null
'

test_expect_success 'after rt-gc: git status clean, git commit -a commits only rt.yaml' '
	rt-gc -q && git status --porcelain --untracked-files=no >st && test_cmp /dev/null st &&
	test ! -s .git/rt/pending &&
	echo "# another" >>rt.yaml && git commit -qam another &&
	git show --stat --format= HEAD >stat && test $(grep -c "|" stat) = 1 &&
	rt-show $(cat id) >/dev/null
'

test_expect_success 'rt-sync applies the pending paths too' '
	git clone -q --bare . ../hub.git && git remote add origin "$TRASH/hub.git" &&
	printf "From: b@example.com\nTo: support@example.org\nSubject: t\nMessage-ID: <s2@example.com>\n\nhi\n" |
	rt-ingest >/dev/null && test -s .git/rt/pending &&
	rt-sync -q && test ! -s .git/rt/pending &&
	git status --porcelain --untracked-files=no >st && test_cmp /dev/null st
'

# old_hook: the hook an rt before the "(or name the files ...)" line installed
old_hook() {
	printf '%s\n' '#!/bin/sh' \
	    "# Installed by rt (rt-desk(5), THE INDEX): git's index lags rt's commits" \
	    '# until rt-gc applies .git/rt/pending; committing it now would delete' \
	    '# what rt stored. A commit of named files (git commit FILE) is safe.' \
	    'case ${GIT_INDEX_FILE:-} in */next-index-*) exit 0 ;; esac' \
	    'if [ -s "$(git rev-parse --git-dir)/rt/pending" ]; then' \
	    "	echo 'rt: the index is behind rt'\\''s commits: run rt-gc, then commit again' >&2" \
	    '	exit 1' 'fi'
}

test_expect_success 'an older rt hook refuses alike, and rt-gc makes it this rt hook' '
	cp .git/hooks/pre-commit new-hook && old_hook >.git/hooks/pre-commit &&
	printf "From: c@example.com\nTo: support@example.org\nSubject: u\nMessage-ID: <s3@example.com>\n\nhi\n" |
	rt-ingest >/dev/null && test -s .git/rt/pending &&
	echo "# old hook" >>rt.yaml && test_must_fail git commit -qam old 2>err &&
	grep -x "rt: the index is behind rt.s commits: run rt-gc, then commit again" err &&
	rt-gc -q && test_cmp new-hook .git/hooks/pre-commit && test -x .git/hooks/pre-commit &&
	test ! -e .git/hooks/pre-commit.rt-new && git checkout -q rt.yaml
'

test_expect_success 'a hook of the user (or an edited rt one) stays as it is' '
	{ old_hook; echo "# mine"; } >.git/hooks/pre-commit && cp .git/hooks/pre-commit mine &&
	printf "From: d@example.com\nTo: support@example.org\nSubject: v\nMessage-ID: <s4@example.com>\n\nhi\n" |
	rt-ingest >/dev/null && rt-gc -q && test_cmp mine .git/hooks/pre-commit
'

test_done
