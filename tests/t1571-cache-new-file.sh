#!/bin/sh
# A cache an rt of another version wrote is replaced by a new file, not
# rebuilt inside the old one; two writers meeting it at once both get
# the new cache; a user who cannot write gets the read-only message (77).
. "$(dirname "$0")/lib.sh"

export RT_NOW=2026-11-23T10:00:00Z
CACHE=.git/rt/cache.mdb

new_desk desk && bulk_mbox 1 30 2 >b.mbox && rt-ingest -q --mbox b.mbox || exit 1

inode() { stat -c %i "$CACHE"; }
# answers: what listings, a sort and searches print
answers() {
	rt-ls --all --ids && rt-ls --all --sort subject && rt-ls --all --text okapiword1 &&
	rt-ls --all --text "line 2"
}
answers >want || exit 1

# The old file is held open while rt runs, so its inode cannot be reused.
test_expect_success 'a cache of another version: a new file, the same answers' '
	RT_CACHE_VERSION=7 rt-ls --all --ids >/dev/null && old=$(inode) &&
	{ rt-ls --all --ids >/dev/null && new=$(inode); } 3<"$CACHE" &&
	echo "inode $old -> $new" && test "$old" != "$new" &&
	answers >got && test_cmp want got &&
	{ rt-ls --all --ids >/dev/null && test "$(inode)" = "$new"; } 3<"$CACHE"
'

test_expect_success 'two writers meet the old file at once: both answer, one new file' '
	RT_CACHE_VERSION=7 rt-ls --all --ids >/dev/null && old=$(inode) &&
	{ rt-ls --all --ids >one & rt-ls --all --ids >two & wait; } 3<"$CACHE" &&
	test "$(inode)" != "$old" && rt-ls --all --ids >ids &&
	test_cmp ids one && test_cmp ids two && answers >got && test_cmp want got
'

test_expect_success 'a new ticket after the replacement is listed and found' '
	RT_CACHE_VERSION=7 rt-ls --all --ids >/dev/null &&
	bulk_mbox 31 31 >n.mbox && rt-ingest -q --mbox n.mbox &&
	rt-ls --all --text okapiword31 --ids >out && test $(wc -l <out) = 1 &&
	test "$(rt-ls --all --ids | wc -l)" = 31
'

# as_nobody CMD...: runs CMD as nobody, whose git config trusts the desk
as_nobody() {
	setpriv --reuid=nobody --regid=nogroup --clear-groups \
	    env HOME="$TRASH/nobody" PATH="$PATH" RT_SHAREDIR="$RT_SHAREDIR" RT_NOW="$RT_NOW" "$@"
}

test_expect_code 77 OTHER_USERS 'a user who cannot write meets a cache of another version: 77' '
	RT_CACHE_VERSION=7 rt-ls --all --ids >/dev/null && old=$(inode) &&
	mkdir -p "$TRASH/nobody" &&
	printf "[safe]\n\tdirectory = %s\n" "$PWD" >"$TRASH/nobody/.gitconfig" &&
	chmod -R a+rX "$TRASH" &&
	as_nobody rt-ls --desk "$PWD" --ids >out 2>err; rc=$?
	cat err; test_cmp /dev/null out && test "$(inode)" = "$old" &&
	grep "ticket cache: .*not writable by this user" err && exit $rc
'

test_done
