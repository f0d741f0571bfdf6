#!/bin/sh
# Every manual page is lint-clean, and every command has one and a short --help
. "$(dirname "$0")/lib.sh"

if command -v mandoc >/dev/null; then
test_expect_success 'mandoc -Tlint finds nothing in any page' '
	for m in "$SRC_ROOT"/man/*.[1-9]; do mandoc -Tlint -W warning "$m" || exit 1; done
'
else
	test_skip 'mandoc -Tlint finds nothing in any page' 'mandoc not installed'
fi

test_expect_success 'every command has a manual page and a usage line' '
	for c in "$SRC_ROOT"/cmd/*.c; do
		n=$(basename "$c" .c)
		ls "$SRC_ROOT"/man/$n.[1-9] >/dev/null || { echo "no page for $n"; exit 1; }
		$n --help >out 2>&1 || { echo "$n --help failed"; exit 1; }
		grep -qi "usage: $n" out || { echo "$n --help has no usage line"; cat out; exit 1; }
		test $(wc -l <out) -le 40 || { echo "$n --help is long"; exit 1; }
	done
'

# synopsis_opts: the option words (--long, -s) of a synopsis on stdin, sorted
synopsis_opts() {
	sed 's/^usage: //; s/^ *rt[a-z-]*\( \|$\)/ /' |
	grep -o -- '\(^\|[[ |(]\)--\?[a-zA-Z][a-zA-Z-]*' | sed 's/^[[ |(]//' |
	awk '/^--/ { print; next } { for (i = 2; i <= length($0); i++) print "-" substr($0, i, 1) }' |
	sort -u
}
if command -v mandoc >/dev/null; then
test_expect_success '--help'"'"'s usage lines and the page'"'"'s SYNOPSIS name the same options' '
	for c in "$SRC_ROOT"/cmd/*.c; do
		n=$(basename "$c" .c)
		$n --help | awk "NR == 1 || (u && /^ /) { print; u = 1; next } { exit }" |
			synopsis_opts >help &&
		mandoc -Tascii "$SRC_ROOT"/man/$n.1 | col -b |
			awk "/^SYNOPSIS/ { f = 1; next } /^DESCRIPTION/ { f = 0 } f" | synopsis_opts >page &&
		test -s help && diff help page >d || { echo "$n: < --help, > page"; cat d; return 1; }
	done
'
else
	test_skip '--help'"'"'s usage lines and the page'"'"'s SYNOPSIS name the same options' 'mandoc not installed'
fi

test_expect_success 'the pages name a ticket folder as rt-desk(5) does (format 2: tickets/K/7/M/ID)' '
	! grep -n "tickets/[A-Z][A-Z]/[A-Z][A-Z]/" "$SRC_ROOT"/man/*.[1-9] "$SRC_ROOT/README" &&
	grep -q "tickets/K/7/M/" "$SRC_ROOT/man/rt-desk.5"
'

# exit_status PAGE: the page's EXIT STATUS section (rt(7): its Exit status list)
exit_status() {
	awk '/^\.S[hs] (EXIT STATUS|Exit status)$/ { f = 1; next } /^\.S[hs] / { f = 0 } f' "$SRC_ROOT/man/$1"
}

test_expect_success 'exit 77 (EX_NOPERM) is listed with each case the library fails so, HEAD included' '
	grep -q "rt_fail(EX_NOPERM, \"desk .* belongs to another user" "$SRC_ROOT/lib/desk.c" &&
	grep -q "rt_fail(EX_NOPERM, \"cannot read .%s.: %s\", path" "$SRC_ROOT/lib/desk.c" &&
	exit_status rt.7 | awk "/^\.It 77/ { f = 1; next } /^\.It / { f = 0 } f" >rt77 &&
	grep -q "safe.directory" rt77 && grep -q "^\.Pa \.git/HEAD" rt77 &&
	grep -q "cannot read .\.\.\./\.git/HEAD.: Permission denied" rt77 && grep -q "behind HEAD" rt77 &&
	for m in rt-ls.1 rt-show.1 rt-report.1; do
		exit_status $m >s && grep -q "77" s && grep -q "^\.Pa \.git/HEAD" s ||
			{ echo "$m: no 77 for an unreadable .git/HEAD"; return 1; }
	done
'

test_expect_success 'rt(1) and rt(7) refer to every other page (SEE ALSO)' '
	for p in rt.1 rt.7; do
		awk "/^\.Sh SEE ALSO/ { f = 1; next } /^\.Sh / { f = 0 } f && /^\.Xr / { print \$2 \".\" \$3 }" \
			"$SRC_ROOT/man/$p" | sort >refs &&
		(cd "$SRC_ROOT/man" && ls *.[1-9]) | grep -vx "$p" | sort >want &&
		test_cmp want refs || { echo "$p: SEE ALSO is not every page"; return 1; }
	done
'

test_expect_success 'every command is completed' '
	for c in "$SRC_ROOT"/cmd/*.c; do
		n=$(basename "$c" .c)
		grep -q -- "$n" "$SRC_ROOT/completions/rt.bash" "$SRC_ROOT/completions/_rt" ||
			{ echo "$n missing from completions"; exit 1; }
	done
'

test_expect_success 'every RT_ variable the code reads is an entry of rt(7)' '
	grep -ho "getenv(\"RT_[A-Z0-9_]*\"" "$SRC_ROOT"/lib/*.c "$SRC_ROOT"/cmd/*.c |
		sed "s/.*(\"//; s/\"//" | sort -u >read && test -s read &&
	while read -r v; do
		grep -q "^\.It Ev $v\$" "$SRC_ROOT/man/rt.7" || { echo "rt(7) lacks $v"; exit 1; }
	done <read
'

test_done
