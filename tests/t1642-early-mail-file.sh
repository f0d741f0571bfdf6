#!/bin/sh
# One mail's own file goes into the work tree while its commit is stored:
# a second thread makes its folders and file during the pack's and the
# branch's fsyncs (after the path is in .git/rt/pending, before the branch
# moves); the YAML follows the commit. A delivery that fails (75) takes the
# early file and its folders back: the work tree is as it was.
. "$(dirname "$0")/lib.sh"

export RT_NOW=2026-11-23T10:00:00Z TZ=UTC
mail() { printf 'From: c%s@example.com\nSubject: early %s\nMessage-Id: <e%s@x>\n\nbody %s\n' "$1" "$1" "$1" "$1"; }
stored() { git grep -q "Message-Id: <e$1@x>" HEAD -- tickets; }
idof() { rt-ls --all --format "%{id} %{subject}\n" | sed -n "s/ early $1\$//p"; }
# line FILE PATTERN: the first line of strace output FILE matching PATTERN
line() { grep -n "$2" "$1" | grep -v "= -1 " | head -1 | cut -d: -f1; }

new_desk desk || exit 1
mail 0 | rt-ingest -q || exit 1
BRANCH=$(git symbolic-ref --short HEAD)
command -v strace >/dev/null && strace -f -o /dev/null true 2>/dev/null && test_set_prereq STRACE

test_expect_success STRACE 'the mail file is in place before the branch moves, after the journal' '
	mail 1 >"$TRASH/m1" &&
	LSAN_OPTIONS=detect_leaks=0 strace -f -o "$TRASH/st" -e trace=write,rename,openat,fsync \
	    rt-ingest -q <"$TRASH/m1" && stored 1 &&
	j=$(line "$TRASH/st" "write([0-9]*, \"tickets/.*/msg/") &&
	m=$(line "$TRASH/st" "rename(\"[^\"]*/tickets/[^\"]*\.eml\.tmp[0-9]*\"") &&
	b=$(line "$TRASH/st" "rename(\"[^\"]*/refs/heads/$BRANCH\.lock\"") &&
	echo "journal $j mail $m branch $b" && test "$j" -lt "$m" && test "$m" -lt "$b"
'

test_expect_success 'the work tree equals HEAD for the new ticket and a follow-up' '
	mail 2 | rt-ingest -q && ID=$(idof 2) && dir=$(ticket_dir "$ID") &&
	printf "From: c2@example.com\nSubject: Re: early 2\nMessage-Id: <e2b@x>\nIn-Reply-To: <e2@x>\n\nmore\n" |
	    rt-ingest -q && test "$(ls "$dir/msg" | wc -l)" = 2 &&
	for f in "$dir"/log.yaml "$dir"/msg/*; do git cat-file blob "HEAD:$f" | cmp - "$f" || exit 1; done &&
	test -f "$dir/ticket.yaml" && rt-show "$ID" >"$TRASH/shown" && grep -q more "$TRASH/shown"
'

test_expect_success 'a delivery that fails (75) leaves the work tree as it was' '
	find tickets | sort >"$TRASH/before" && old=$(git rev-parse HEAD) &&
	: >".git/refs/heads/$BRANCH.lock" &&
	test_when_finished "rm -f .git/refs/heads/$BRANCH.lock" &&
	{ mail 3 | rt-ingest -q 2>"$TRASH/err"; test $? = 75; } && cat "$TRASH/err" &&
	grep -q "kept moving" "$TRASH/err" &&
	test "$(git rev-parse HEAD)" = "$old" &&
	find tickets | sort >"$TRASH/after" && test_cmp "$TRASH/before" "$TRASH/after" &&
	rm ".git/refs/heads/$BRANCH.lock" && mail 3 | rt-ingest -q && stored 3 &&
	dir=$(ticket_dir "$(idof 3)") && test -f "$dir/log.yaml" && ls "$dir"/msg/*.eml
'

test_done
