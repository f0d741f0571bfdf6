#!/bin/sh
# What one durable mail asks of the file system beyond storing it: the
# reflog's folders are made only when missing (a desk without .git/logs
# gets them back), and the desk's format is read from HEAD once a load.
. "$(dirname "$0")/lib.sh"

export RT_NOW=2026-11-23T10:00:00Z TZ=UTC
mail() { printf 'From: c%s@example.com\nSubject: calls %s\nMessage-Id: <c%s@x>\n\nbody %s\n' "$1" "$1" "$1" "$1"; }
stored() { git grep -q "Message-Id: <c$1@x>" HEAD -- tickets; }

new_desk desk || exit 1
mail 0 | rt-ingest -q || exit 1
command -v strace >/dev/null && strace -f -o /dev/null true 2>/dev/null && test_set_prereq STRACE
trace() { LSAN_OPTIONS=detect_leaks=0 strace -f -o "$TRASH/st" "$@"; }

test_expect_success STRACE 'a mail asks for no reflog folder that is there' '
	mail 1 >"$TRASH/m1" && trace rt-ingest -q <"$TRASH/m1" && stored 1 &&
	grep "mkdir(\"[^\"]*/\.git/logs" "$TRASH/st" >"$TRASH/made" ; test_cmp /dev/null "$TRASH/made" &&
	git reflog -1 --format=%gs >"$TRASH/gs" && grep -q "calls 1" "$TRASH/gs"
'

test_expect_success 'a desk without .git/logs gets its reflogs back' '
	rm -rf .git/logs && mail 2 | rt-ingest -q && stored 2 &&
	test -s .git/logs/HEAD && test -s .git/logs/refs/heads/$(git symbolic-ref --short HEAD) &&
	git reflog -1 --format=%gs >"$TRASH/gs" && grep -q "calls 2" "$TRASH/gs" &&
	git fsck --strict --no-dangling >"$TRASH/fsck" 2>&1 && test_cmp /dev/null "$TRASH/fsck"
'

test_expect_success STRACE 'the format is read once a load: HEAD opened at most twice at start' '
	mail 3 >"$TRASH/m3" && trace rt-ingest -q <"$TRASH/m3" && stored 3 &&
	sed -n "1,/\/\.git\/rt\/lock\"/p" "$TRASH/st" | grep -c "open.*\.git/HEAD\"" >"$TRASH/n" &&
	cat "$TRASH/n" && test "$(cat "$TRASH/n")" -le 2
'

test_done
