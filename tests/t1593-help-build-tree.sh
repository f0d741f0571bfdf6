#!/bin/sh
# rt help COMMAND run from the build tree, not installed: this build's
# page, as git help finds its own pages (MANPATH: its own, then man's).
. "$(dirname "$0")/lib.sh"

command -v man >/dev/null && man -w man >/dev/null 2>&1 && test_set_prereq MAN
RT=$RT_BUILD/bin/rt
export MANPAGER=cat PAGER=cat MANWIDTH=80
unset MANPATH

test_expect_success MAN 'rt help ingest in the build tree shows this build'"'"'s rt-ingest(1)' '
	"$RT" help ingest >out 2>err; cat err &&
	grep "turn mail into tickets" out && grep "RT-INGEST(1)" out
'

test_expect_success MAN 'pages of other sections, and rt help rt' '
	"$RT" help desk >out && grep "layout and file formats of an rt support desk" out &&
	"$RT" help rt >out && grep "^RT(1)" out
'

test_expect_success MAN 'a MANPATH of the user'"'"'s stays, after this build'"'"'s' '
	mkdir -p mine/man1 && printf ".TH RT-MINE 1\n.SH NAME\nrt-mine \\\\- only mine\n" >mine/man1/rt-mine.1 &&
	MANPATH=$PWD/mine "$RT" help mine >out && grep "only mine" out &&
	MANPATH=$PWD/mine "$RT" help ingest >out && grep "turn mail into tickets" out
'

test_expect_code 16 MAN 'an unknown page: man'"'"'s own answer and code' '
	"$RT" help no-such-page >out 2>err; rc=$?; cat err; grep "rt-no-such-page" err && exit $rc
'

test_done
