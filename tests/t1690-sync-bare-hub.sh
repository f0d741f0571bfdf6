#!/bin/sh
# A hub made with "git init --bare" whose HEAD names another branch
# (master) than the desk's (main): a clone of it checks out nothing.
# rt-sync says so, with the command that fixes it, from the push that
# creates the branch on, and is quiet once it is fixed or for a hub made
# with git clone --bare or --initial-branch=main
. "$(dirname "$0")/lib.sh"

RT_NOW=2026-11-25T10:00:00Z TZ=UTC; export RT_NOW TZ
new_desk desk || exit 1
cd .. || exit 1

W="warning: the HEAD of .origin. names no branch, so a git clone of it checks out nothing; in that repository: git symbolic-ref HEAD refs/heads/main"

test_expect_success 'the first push to a headless hub: stored, and the warning' '
	git -c init.defaultBranch=master init -q --bare hub.git &&
	git -C desk remote add origin "$TRASH/hub.git" &&
	rt-sync -q --desk desk 2>err; cat err &&
	test $(wc -l <err) = 1 && grep "^rt-sync: $W" err &&
	test "$(git -C hub.git rev-parse main)" = "$(git -C desk rev-parse HEAD)"
'

test_expect_success 'the clone it warns about is indeed no desk' '
	git clone -q hub.git office2 2>err; grep "remote HEAD refers to nonexistent ref" err &&
	test ! -e office2/rt.yaml
'

test_expect_success 'each later sync warns again until it is fixed' '
	rt-sync -q --desk desk 2>err && grep "^rt-sync: $W" err &&
	git -C hub.git symbolic-ref HEAD refs/heads/main &&
	rt-sync -q --desk desk 2>err && test ! -s err &&
	rm -rf office2 && git clone -q hub.git office2 && test -f office2/rt.yaml
'

test_expect_success 'a hub made with --initial-branch=main: no warning' '
	git init -q --bare --initial-branch=main hub2.git &&
	git -C desk remote set-url origin "$TRASH/hub2.git" &&
	rt-sync -q --desk desk 2>err && test ! -s err
'

# a push connection (receive-pack) advertises the branches but never HEAD:
# every sync that pushed to a hub holding the branch warned
test_expect_success 'a hub made with git clone --bare: no warning when a sync pushes' '
	git clone -q --bare desk hub3.git &&
	git -C desk remote set-url origin "$TRASH/hub3.git" &&
	printf "From: a@example.com\nSubject: new\nMessage-Id: <p1@x>\n\nx\n" | rt-ingest --desk desk >/dev/null &&
	rt-sync --desk desk >out 2>err && cat out err && grep "1 out" out && test ! -s err &&
	test "$(git -C hub3.git rev-parse main)" = "$(git -C desk rev-parse HEAD)" &&
	rt-sync -q --desk desk 2>err && test ! -s err
'

test_expect_success 'a headless hub still warns when the sync pushes to its branch' '
	git -C hub.git symbolic-ref HEAD refs/heads/master &&
	git -C desk remote set-url origin "$TRASH/hub.git" &&
	printf "From: a@example.com\nSubject: newer\nMessage-Id: <p2@x>\n\nx\n" | rt-ingest --desk desk >/dev/null &&
	rt-sync -q --desk desk 2>err; cat err && grep "^rt-sync: $W" err
'

test_done
