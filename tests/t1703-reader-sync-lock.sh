#!/bin/sh
# A command that only reads (rt-ls) catches the cache up to HEAD; the
# ticket.yaml copies it renders on the way are written under the desk
# lock, as every work-tree file: never from a HEAD read before a change
# (a delivery, rt-set) that wrote a newer copy meanwhile. With the lock busy they wait, marked,
# for the next command that has it; a user who may only read writes none.
. "$(dirname "$0")/lib.sh"

# tag N: a change to the ticket that its ticket.yaml shows
tag() { rt-set "$ID" tags+="floor$1" >/dev/null; }
# wait_for FILE: up to a minute
wait_for() { _w=0; while [ ! -f "$1" ] && [ $_w -lt 600 ]; do sleep 0.1; _w=$((_w + 1)); done; test -f "$1"; }
# behind: HEAD moves by hand to a commit of the same tree, so the next command syncs the cache
behind() { git update-ref HEAD "$(git commit-tree -p HEAD -m "by hand" "HEAD^{tree}")"; }
# as_rebuilt: ticket.yaml as a rebuild of the cache from HEAD renders it
as_rebuilt() {
	cp "$YAML" "$TRASH/seen" && rm -f .git/rt/cache.mdb .git/rt/cache.mdb-lock &&
	rm "$YAML" && rt-ls --all >/dev/null && cp "$YAML" "$TRASH/rebuilt" &&
	test_cmp "$TRASH/rebuilt" "$TRASH/seen"
}

new_desk desk || exit 1
printf 'From: c@example.com\nSubject: printer\nMessage-Id: <r1@x>\n\nstuck on floor 1\n' |
    rt-ingest -q || exit 1
ID=$(rt-ls --all --format '%{id}\n') && YAML=$(ticket_dir "$ID")/ticket.yaml || exit 1

# The reader is held (RT_TEST_SYNC_HOLD) after it read HEAD, before its
# cache transaction. A change to the ticket now must wait for the desk;
# had the reader no lock, the change would write its ticket.yaml and the
# reader then replace it with one rendered from the older HEAD.
test_expect_success 'a change while a reader syncs: ticket.yaml is the newer HEAD'"'"'s' '
	behind && cp "$YAML" "$TRASH/before" &&
	rm -rf "$TRASH/hold" && mkdir "$TRASH/hold" &&
	{ RT_TEST_SYNC_HOLD=$TRASH/hold rt-ls --all >"$TRASH/ls" & } && reader=$! &&
	wait_for "$TRASH/hold/held" &&
	if flock -n .git/rt/lock true; then
		echo "the desk lock is free while the reader renders ticket.yaml" &&
		: >"$TRASH/free" && tag 2 && : >"$TRASH/hold/release"
	else
		{ tag 2 & } && single=$! &&
		: >"$TRASH/hold/release" && wait $single
	fi &&
	wait $reader && grep -q printer "$TRASH/ls" &&
	grep -q floor2 "$YAML" && as_rebuilt && test ! -f "$TRASH/free"
'

# The lock busy (a writer holds it): the reader answers, leaves the stale
# ticket.yaml as it is, and the next command that has the lock renders it.
test_expect_success 'the lock busy: ticket.yaml waits for the next command with the lock' '
	cp .git/rt/cache.mdb "$TRASH/old.mdb" && cp "$YAML" "$TRASH/old.yaml" &&
	tag 3 && cp "$YAML" "$TRASH/new.yaml" && grep -q floor3 "$TRASH/new.yaml" &&
	cp "$TRASH/old.mdb" .git/rt/cache.mdb && cp "$TRASH/old.yaml" "$YAML" &&
	flock .git/rt/lock sh -c "rt-ls --all >\"$TRASH/ls\"" &&
	grep -q printer "$TRASH/ls" && test_cmp "$TRASH/old.yaml" "$YAML" &&
	rt-ls --all >/dev/null && test_cmp "$TRASH/new.yaml" "$YAML" && as_rebuilt
'

# Its words too wait with it: a search meanwhile reads the ticket itself.
test_expect_success 'the lock busy: a search finds the words of the waiting ticket' '
	cp .git/rt/cache.mdb "$TRASH/old.mdb" &&
	printf "From: c@example.com\nSubject: printer\nIn-Reply-To: <r1@x>\n\nthe toner too\n" |
	    rt-ingest -q && cp "$TRASH/old.mdb" .git/rt/cache.mdb && cp "$TRASH/old.yaml" "$YAML" &&
	flock .git/rt/lock sh -c "rt-ls --all --text toner --format \"%{id}\\n\" >\"$TRASH/hits\"" &&
	echo "$ID" >expect && test_cmp expect "$TRASH/hits" && test_cmp "$TRASH/old.yaml" "$YAML" &&
	rt-ls --all --text toner --format "%{id}\n" >"$TRASH/hits" && test_cmp expect "$TRASH/hits" &&
	test_cmp "$TRASH/new.yaml" "$YAML"
'

# The lock busy and the reader held after it read HEAD, a writer moves
# the branch and brings the cache to its commit. The reader must not take
# the cache back to the older HEAD it read: the cache only ever moves
# forward. behind_probe: a reader finds the cache behind HEAD (only then
# does it reach the hold).
behind_probe() {
	rm -rf "$TRASH/probe" && mkdir "$TRASH/probe" && : >"$TRASH/probe/release" &&
	RT_TEST_SYNC_HOLD=$TRASH/probe rt-ls --all >/dev/null && test -f "$TRASH/probe/held"
}
test_expect_success 'the lock busy: a reader never takes the cache back to an older HEAD' '
	rt-ls --all >/dev/null && ! behind_probe &&
	behind && rm -rf "$TRASH/hold" "$TRASH/unlock" && mkdir "$TRASH/hold" &&
	{ ( flock 9 && while [ ! -f "$TRASH/unlock" ]; do sleep 0.05; done ) 9>>.git/rt/lock & } &&
	locker=$! && test_when_finished ": >\"$TRASH/unlock\" && : >\"$TRASH/hold/release\"" && w=0 &&
	while flock -n .git/rt/lock true; do test $w -lt 600 || return 1; sleep 0.1; w=$((w + 1)); done &&
	{ RT_TEST_SYNC_HOLD=$TRASH/hold rt-ls --all >"$TRASH/ls" & } && reader=$! &&
	wait_for "$TRASH/hold/held" && : >"$TRASH/unlock" && wait $locker &&
	tag 4 && : >"$TRASH/hold/release" && wait $reader && grep -q printer "$TRASH/ls" &&
	! behind_probe && grep -q floor4 "$YAML" && as_rebuilt
'

command -v gdb >/dev/null && test_set_prereq GDB
# A reader that rebuilds the cache with the lock busy commits it in chunks
# (here of one ticket); a writer that gets the lock between two of them
# finds no head and builds the cache itself, from its newer commit. The
# reader leaves the rest to it and reads what it built (after waiting for
# it while it is still building, the next test) instead of writing the
# older HEAD's records over it and recording that HEAD.
test_expect_success GDB,!VALGRIND 'the lock busy, a reader rebuilding: a writer between its chunks is never undone' '
	for i in 2 3 4; do
		printf "From: c@example.com\nSubject: more %s\nMessage-Id: <r1%s@x>\n\nx\n" $i $i |
		    rt-ingest -q || return 1
	done &&
	rm -f .git/rt/cache.mdb .git/rt/cache.mdb-lock "$TRASH/unlock" &&
	{ ( flock 9 && while [ ! -f "$TRASH/unlock" ]; do sleep 0.05; done ) 9>>.git/rt/lock & } &&
	locker=$! && test_when_finished ": >\"$TRASH/unlock\"" && w=0 &&
	while flock -n .git/rt/lock true; do test $w -lt 600 || return 1; sleep 0.1; w=$((w + 1)); done &&
	printf "%s\n" "break unmap_pages" "ignore 1 1" run \
	    "shell : >\"$TRASH/unlock\"; sleep 0.3; rt-set $ID tags+=floor5 >/dev/null" \
	    delete continue "print \$_exitcode" >"$TRASH/gdb.cmd" &&
	RT_CACHE_CHUNK=1 RT_CACHE_NOTHREAD=1 ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0" \
	    gdb -q -batch -x "$TRASH/gdb.cmd" --args "$(command -v rt-ls)" --all >"$TRASH/gdb.out" 2>&1;
	wait $locker && test "$(sed -n "s/^\$1 = //p" "$TRASH/gdb.out" | tail -n 1)" = 0 &&
	grep "^$ID .*printer" "$TRASH/gdb.out" && test "$(grep -c "^[0-9A-Z]\{8\} " "$TRASH/gdb.out")" = 4 &&
	! behind_probe && grep -q floor5 "$YAML" && as_rebuilt
'

# The same, the writer still building when the reader looks: the reader
# waits for the desk lock (the writers' fair wait, RT_LOCK_TIMEOUT), which
# the builder holds until its cache is whole, and then reads it; it used
# to exit 75 ("try again"). The writer (W) stops after its first chunk
# and goes on a few seconds after the reader found its chunk.
test_expect_success GDB,!VALGRIND 'the lock busy, a reader rebuilding: a writer still building is waited for, then read' '
	rm -f .git/rt/cache.mdb .git/rt/cache.mdb-lock "$TRASH/unlock" "$TRASH/w.held" "$TRASH/w.done" &&
	{ ( flock 9 && while [ ! -f "$TRASH/unlock" ]; do sleep 0.05; done ) 9>>.git/rt/lock & } &&
	locker=$! && test_when_finished ": >\"$TRASH/unlock\"" && w=0 &&
	while flock -n .git/rt/lock true; do test $w -lt 600 || return 1; sleep 0.1; w=$((w + 1)); done &&
	printf "%s\n" "break unmap_pages" run "shell : >\"$TRASH/w.held\"; sleep 2" delete continue \
	    "print \$_exitcode" "shell : >\"$TRASH/w.done\"" >"$TRASH/w.cmd" &&
	printf "%s\n" "break unmap_pages" "ignore 1 1" run \
	    "shell : >\"$TRASH/unlock\"; (gdb -q -batch -x \"$TRASH/w.cmd\" --args \"$(command -v rt-set)\" $ID tags+=floor6 >\"$TRASH/w.out\" 2>&1 &); w=0; while [ ! -f \"$TRASH/w.held\" ] && [ \$w -lt 600 ]; do sleep 0.1; w=\$((w + 1)); done" \
	    delete continue "print \$_exitcode" >"$TRASH/gdb.cmd" &&
	RT_CACHE_CHUNK=1 RT_CACHE_NOTHREAD=1 ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0" \
	    gdb -q -batch -x "$TRASH/gdb.cmd" --args "$(command -v rt-ls)" --all >"$TRASH/gdb.out" 2>&1;
	wait $locker && wait_for "$TRASH/w.done" && test -f "$TRASH/w.held" &&
	test "$(sed -n "s/^\$1 = //p" "$TRASH/w.out" | tail -n 1)" = 0 &&
	test "$(sed -n "s/^\$1 = //p" "$TRASH/gdb.out" | tail -n 1)" = 0 &&
	grep "^$ID .*printer" "$TRASH/gdb.out" && test "$(grep -c "^[0-9A-Z]\{8\} " "$TRASH/gdb.out")" = 4 &&
	! behind_probe && grep -q floor6 "$YAML" && as_rebuilt
'

test_done
