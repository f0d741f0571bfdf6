#!/bin/sh
# make install: binaries find their share files under any PREFIX (also when
# moved), rebuild when the configured paths change, and each command's
# completion loads by its own name
. "$(dirname "$0")/lib.sh"

# A make of our own: not the jobserver or variables of the make running us.
mk() { env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL make -s -C "$SRC_ROOT" "$@"; }

SHAREDIR=$(cat "$RT_BUILD/SHAREDIR" 2>/dev/null)
PFX=${SHAREDIR%/share/rt}
if [ -n "$SHAREDIR" ] && [ "$PFX" != "$SHAREDIR" ]; then test_set_prereq BUILT_PREFIX; fi

test_expect_success BUILT_PREFIX 'setup: make install into a DESTDIR, then move the tree' '
	mk B="$RT_BUILD" PREFIX="$PFX" DESTDIR="$TRASH/stage" install >out 2>&1 &&
	mv "$TRASH/stage$PFX" "$TRASH/inst" &&
	test -x inst/bin/rt-init && test -f inst/share/rt/desk/rt.yaml &&
	test -f inst/share/rt/templates/en/ack.tmpl
'

test_expect_success BUILT_PREFIX 'the moved rt-init finds its share files' '
	(unset RT_SHAREDIR; PATH=$TRASH/inst/bin:/usr/bin:/bin &&
	 rt-init --address help@acme.example d) &&
	grep -q "^# Everything below is optional" d/rt.yaml &&
	grep -q "merge=union" d/.gitattributes
'

test_expect_success BUILT_PREFIX 'the moved rt-reply finds its templates' '
	(unset RT_SHAREDIR; PATH=$TRASH/inst/bin:/usr/bin:/bin && cd d &&
	 printf "From: kim@example.net\nTo: help@acme.example\nSubject: Drucker\nMessage-Id: <i1@x>\n\nHallo\n" |
	 rt-ingest >id && rt-reply --list >list && rt-reply -n -t ack $(cat id) >msg) &&
	grep "^ack\b" d/list &&
	grep -i "^From: .*help@acme.example" d/msg
'

test_expect_success BUILT_PREFIX 'each command has its completion file by name; pages by section' '
	for b in inst/bin/*; do
		n=${b##*/} &&
		test -f inst/share/bash-completion/completions/$n || { echo "no completion for $n"; exit 1; }
	done &&
	test -f inst/share/zsh/vendor-completions/_rt &&
	test -f inst/share/man/man7/rt.7 && test -f inst/share/man/man1/rt-ls.1
'

# bash-completion loads completions lazily: the default completion sources
# the file named after the command (as in bash(1), "complete -D").
test_expect_success BUILT_PREFIX,BASH 'rt-ls completes in a fresh shell without completing rt first' '
	bash -c '\''
		dir=$1
		_loader() { [ -f "$dir/$1" ] && . "$dir/$1" && return 124; }
		complete -D -F _loader
		_loader rt-ls; test $? = 124 || exit 1
		complete -p rt-ls || exit 1
		f=$(complete -p rt-ls | sed "s/.*-F \([^ ]*\).*/\1/")
		COMP_WORDS=(rt-ls --al); COMP_CWORD=1
		$f rt-ls --al rt-ls; printf "%s\n" "${COMPREPLY[@]}"
	'\'' _ "$TRASH/inst/share/bash-completion/completions" >out &&
	grep -x -- --all out
'

test_expect_success 'the configured share folder is compiled in, and a change rebuilds' '
	o=$TRASH/b/lib/desk.o &&
	mk B="$TRASH/b" PREFIX=/opt/rt "$o" &&
	grep -c /opt/rt/share/rt "$o" && t1=$(stat -c %y "$o") &&
	mk B="$TRASH/b" PREFIX=/opt/rt "$o" &&
	test "$(stat -c %y "$o")" = "$t1" &&
	mk B="$TRASH/b" PREFIX=/srv/rt "$o" &&
	test "$(stat -c %y "$o")" != "$t1" &&
	grep -c /srv/rt/share/rt "$o"
'

test_done
