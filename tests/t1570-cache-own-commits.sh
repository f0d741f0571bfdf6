#!/bin/sh
# The cache catches up on rt's own commits from what they wrote (no tree
# comparison), and on anything else by comparing trees: a commit by git
# between two rt commands, one by git inside a batch (a workflow exec:),
# one by git after a command's cache caught up and before its commit, a
# process killed between its commit and the cache's update.
. "$(dirname "$0")/lib.sh"

export RT_NOW=2026-11-23T10:00:00Z
command -v gdb >/dev/null && test_set_prereq GDB

new_desk desk || exit 1
bulk_mbox 1 5 >b1.mbox && bulk_mbox 6 10 >b2.mbox && bulk_mbox 11 13 >b3.mbox
rt-ingest -q --mbox b1.mbox || exit 1

# $TRASH/by-git FOLDER MESSAGE: a commit made by git alone (its own index,
# the work tree untouched) that takes FOLDER out of the desk
cat >"$TRASH/by-git" <<EOS
#!/bin/sh
export GIT_INDEX_FILE="$TRASH/by-git.index"
cd "$PWD" && git read-tree HEAD && git rm -q -r --cached "\$1" &&
c=\$(git commit-tree \$(git write-tree) -p HEAD -m "\$2") &&
git update-ref HEAD \$c && rm -f "\$GIT_INDEX_FILE"
EOS
chmod +x "$TRASH/by-git"

# calls FUNCTION "$@": how many times the command entered FUNCTION
calls() {
	_f=$1 _p=$(command -v "$2") && shift 2 &&
	ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0" gdb -q -batch \
		-ex "break $_f" -ex "ignore 1 10000000" -ex run -ex "info breakpoints" \
		--args "$_p" "$@" >gdb.out 2>&1 &&
	sed -n "s/.*already hit \([0-9]*\) time.*/\1/p" gdb.out | grep . || echo 0
}
id_of() { rt-ls --all --text "okapiword$1" --ids; }
# same: the cache's answers equal those of a cache rebuilt from HEAD
same() {
	rt-ls --all --ids >ids.inc && rt-ls --all --text okapiword >text.inc &&
	rt-ls --all --sort subject >sort.inc &&
	rt-gc -q --rebuild-cache &&
	rt-ls --all --ids >ids.new && rt-ls --all --text okapiword >text.new &&
	rt-ls --all --sort subject >sort.new &&
	test_cmp ids.new ids.inc && test_cmp text.new text.inc && test_cmp sort.new sort.inc
}

test_expect_success GDB,!VALGRIND 'a batch of new tickets compares no trees for its own commits' '
	n=$(calls changed_folders rt-ingest -q --mbox b2.mbox) && echo "changed_folders: $n" &&
	test "$n" = 0 && test "$(rt-ls --all --ids | wc -l)" = 10 &&
	test "$(id_of 8 | wc -l)" = 1
'

test_expect_success 'a commit by git between two rt commands: the next command sees it' '
	gone=$(id_of 2) && test -n "$gone" && n=$(rt-ls --all --ids | wc -l) &&
	"$TRASH/by-git" "$(ticket_dir $gone)" "by hand" &&
	rt-comment "$(id_of 3)" -m "after git" >/dev/null &&
	rt-ls --all --ids >ids && ! grep -x "$gone" ids && test $(wc -l <ids) = $((n - 1)) &&
	rt-ls --all --text okapiword2 --ids >out && test_cmp /dev/null out &&
	same
'

test_expect_success 'a commit by git inside a batch (a workflow exec:): the batch sees it' '
	gone=$(id_of 4) && test "$(echo $gone | wc -w)" = 1 &&
	exec_on_open "'\''$TRASH/by-git $(ticket_dir $gone) \"by hand in a batch\"'\''" &&
	{ printf "From MAILER-DAEMON Mon Nov 23 10:00:00 2026\nFrom: c@example.com\n" &&
	  printf "Subject: Re: [Test #%s] help\nMessage-Id: <r@x>\n\nagain\n\n" $ID &&
	  cat b3.mbox; } >reopen.mbox &&
	timeout 60 rt-ingest -q --mbox reopen.mbox &&
	git log --format=%s | grep -q "by hand in a batch" &&
	rt-ls --all --ids >ids && ! grep -x "$gone" ids &&
	test "$(id_of 12 | wc -l)" = 1 && rt-show $ID | grep -q again &&
	same
'

test_expect_success GDB,!VALGRIND 'a commit by git after the cache caught up, before the commit: seen' '
	gone=$(id_of 13) && id=$(id_of 3) && test "$(echo $gone | wc -w)" = 1 &&
	ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0" gdb -q -batch \
		-ex "break txn_commit" -ex run \
		-ex "shell $TRASH/by-git $(ticket_dir $gone) \"by hand mid-command\"" -ex continue \
		--args "$(command -v rt-set)" $id priority=high >gdb.out 2>&1 &&
	git log -2 --format=%s >log && grep -q "by hand mid-command" log && grep -q "#$id" log &&
	rt-ls --all --ids >ids && ! grep -x "$gone" ids &&
	same
'

test_expect_success GDB,!VALGRIND 'killed between its commit and the cache update: the next command catches up' '
	id=$(id_of 5) && head=$(git rev-parse HEAD) &&
	ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0" gdb -q -batch \
		-ex "break cache_note_commit" -ex run -ex kill \
		--args "$(command -v rt-set)" $id subject="renamed by a killed rt" >gdb.out 2>&1 &&
	test "$(git rev-parse HEAD)" != "$head" &&
	rt-comment "$(id_of 3)" -m "next" >/dev/null &&
	rt-ls --all --sort subject >ls && grep "renamed by a killed rt" ls &&
	same
'

test_done
