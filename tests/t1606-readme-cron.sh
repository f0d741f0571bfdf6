#!/bin/sh
# The README's crontab, as written, in the environment cron gives its
# commands (crontab(5): PATH=/usr/bin:/bin, SHELL=/bin/sh, HOME): every
# line runs and exits 0. Without a PATH line of its own, rt installed
# under /usr/local was "not found" by cron and no sweep or rt-gc ran.
. "$(dirname "$0")/lib.sh"

RTBIN=$(dirname "$(command -v rt-ingest)")

# the crontab block of the README's Cron section, for a desk at $TRASH/desk
sed -n '/^Cron$/,/^Sharing a desk$/p' "$SRC_ROOT/README" | grep '^    ' |
	sed "s/^    //; s|/usr/local/bin|$RTBIN|g; s|/srv/desk|$TRASH/desk|g" >crontab

test_expect_success 'setup: a desk with a ticket and a bare remote, the README crontab' '
	cat crontab && grep "rt-escalate" crontab && grep "rt-gc" crontab &&
	new_desk "$TRASH/desk" &&
	printf "From: c@example.com\nSubject: help\nMessage-Id: <c1@x>\n\nhi\n" | rt-ingest -q &&
	git clone -q --bare "$TRASH/desk" "$TRASH/desk.git" &&
	git remote add origin "$TRASH/desk.git"
'

# cronrun LINE: runs a crontab line as cron does (variables from the
# crontab's NAME=VALUE lines; rt's clock and share files for the test,
# and under check-asan its leak suppressions)
cronrun() {
	vars=$(grep -E "^[A-Z_]+=" crontab | tr "\n" " ")
	cmd=$(printf "%s\n" "$1" | sed -E "s/^([^ ]+ +){5}//")
	env -i SHELL=/bin/sh HOME="$HOME" LOGNAME="$(id -un)" PATH=/usr/bin:/bin \
	    RT_NOW=$RT_NOW TZ=$TZ RT_SHAREDIR="$RT_SHAREDIR" GIT_CONFIG_NOSYSTEM=1 \
	    GIT_CEILING_DIRECTORIES="$GIT_CEILING_DIRECTORIES" \
	    ${LSAN_OPTIONS:+LSAN_OPTIONS="$LSAN_OPTIONS"} $vars /bin/sh -c "$cmd"
}

test_expect_success 'every line of the README crontab runs under cron'"'"'s environment' '
	n=0 &&
	while read -r line; do
		case $line in [A-Z]*=*|"") continue ;; esac
		n=$((n + 1))
		cronrun "$line" >out 2>err; rc=$?
		[ $rc = 0 ] || { echo "exit $rc: $line"; cat err; exit 1; }
	done <crontab &&
	test $n -ge 5
'

test_expect_success 'rt-gc ran: git status of the desk is clean again' '
	(cd "$TRASH/desk" && test -z "$(git status --porcelain)")
'

test_done
