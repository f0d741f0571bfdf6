#!/bin/sh
# Deferred index updates on big desks, rt-gc, and the documented cron line
. "$(dirname "$0")/lib.sh"

mail() { printf 'From: a@example.com\nSubject: %s\nMessage-Id: <%s>\n\nx\n' "$2" "$1"; }
new_desk desk

test_expect_success 'ingest defers the index and rt-gc applies it' '
	mail g1@x "big desk mail" | rt-ingest >id1 &&
	git status --porcelain --untracked-files=no >st && test -s st &&
	test -s .git/rt/pending &&
	rt-gc >out && grep "index: [1-9][0-9]* pending paths applied" out &&
	git status --porcelain --untracked-files=no >st && test_cmp /dev/null st &&
	test ! -s .git/rt/pending &&
	git diff --quiet HEAD
'

test_expect_success 'rt-gc repairs a work-tree file a crash left behind' '
	d=$(git ls-tree -r --name-only HEAD tickets | grep "/log.yaml$" | head -1) &&
	rm "$d" && echo "$d" >>.git/rt/pending &&
	rt-gc -q && test -f "$d" &&
	git status --porcelain --untracked-files=no >st && test_cmp /dev/null st
'

npacks() { ls .git/objects/pack/*.pack | wc -l; }

test_expect_success 'a command writes one pack per commit, no loose objects' '
	rt-gc -q && n=$(npacks) &&
	mail g2@x two | rt-ingest >/dev/null && mail g3@x three | rt-ingest >/dev/null &&
	test $(git count-objects | cut -d" " -f1) = 0 && test $(npacks) = $((n + 2)) &&
	git fsck --strict 2>&1 | tee fsck && ! grep -Ei "error|missing" fsck
'

test_expect_success 'rt-gc packs loose objects and merges the small packs' '
	echo loose | git hash-object -w --stdin >/dev/null &&
	test $(git count-objects | cut -d" " -f1) = 1 &&
	n=$(npacks) && rt-gc >out && grep "^objects: 1 packed$" out &&
	grep "^packs: [2-9] merged, $(npacks) left$" out && test $(npacks) -lt $n &&
	test $(git count-objects | cut -d" " -f1) = 0 &&
	git fsck --strict 2>&1 | tee fsck && ! grep -Ei "error|missing" fsck
'

# RT_PACK_SMALL=0: by geometry alone (rt-gc otherwise rolls all of a desk this small into one pack)
test_expect_success 'with rt-gc after every mail the pack count stays logarithmic' '
	for i in 1 2 3 4 5 6 7 8 9 10 11 12; do
		mail gl$i@x "log $i" | rt-ingest >/dev/null && RT_PACK_SMALL=0 rt-gc -q || return 1
		# about 10 objects a mail: log2 of 130 objects is 7; geometric keeps 4 at most
		test $(npacks) -le 4 || { echo "$(npacks) packs after mail $i"; return 1; }
	done &&
	git fsck --strict 2>&1 | tee fsck && ! grep -Ei "error|missing" fsck &&
	mail g4@x four | rt-ingest >/dev/null && git fsck >fsck 2>&1 && ! grep -i error fsck
'

test_expect_success 'rt-gc --rebuild-cache rebuilds the ticket cache' '
	rm .git/rt/cache.mdb .git/rt/cache.mdb-lock &&
	rt-gc --rebuild-cache >out && grep "cache: 16 tickets" out &&
	printf "From: a@example.com\nSubject: x\nIn-Reply-To: <g1@x>\nMessage-Id: <g5@x>\n\nx\n" | rt-ingest >id2 &&
	test_cmp id1 id2
'

test_expect_success 'a rebuild in several transactions gives the same cache as one' '
	rt-ls --all --ids | sort >one && rt-ls --all --text "log" --ids | sort >one.text &&
	test -s one.text &&
	rm .git/rt/cache.mdb .git/rt/cache.mdb-lock &&
	RT_CACHE_CHUNK=3 rt-gc --rebuild-cache >out && grep "cache: 16 tickets" out &&
	rt-ls --all --ids | sort >three && test_cmp one three &&
	rt-ls --all --text "log" --ids | sort >three.text && test_cmp one.text three.text &&
	c=$(git rev-list --count HEAD) &&
	printf "From: a@example.com\nSubject: x\nIn-Reply-To: <g1@x>\nMessage-Id: <g5@x>\n\nx\n" | rt-ingest >id3 &&
	test_cmp id1 id3 && test $(git rev-list --count HEAD) = $c
'

test_expect_success 'a rebuild on two threads gives the same cache as on one' '
	rm .git/rt/cache.mdb .git/rt/cache.mdb-lock &&
	RT_CACHE_NOTHREAD=1 rt-gc --rebuild-cache >out && grep "cache: 16 tickets" out &&
	rt-ls --all --json >one.json && rt-ls --all --text "log" --ids >one.text &&
	rt-ls --all --sort -updated --format "%{id} %{msgs-in} %{timeline}\n" >one.fmt &&
	rm .git/rt/cache.mdb .git/rt/cache.mdb-lock &&
	RT_CACHE_THREADED_MIN=2 RT_CACHE_CHUNK=5 rt-gc --rebuild-cache >out &&
	grep "cache: 16 tickets" out &&
	rt-ls --all --json >two.json && test_cmp one.json two.json &&
	rt-ls --all --text "log" --ids >two.text && test_cmp one.text two.text &&
	rt-ls --all --sort -updated --format "%{id} %{msgs-in} %{timeline}\n" >two.fmt &&
	test_cmp one.fmt two.fmt &&
	printf "From: a@example.com\nSubject: x\nIn-Reply-To: <g2@x>\nMessage-Id: <g7@x>\n\nx\n" |
		rt-ingest >id4 && rt-ls --all --text "two" --ids >id5 && test_cmp id5 id4
'

test_expect_success 'the documented cron line gives git log -- TICKET Bloom filters' '
	cron=$(grep -h "commit-graph write" "$SRC_ROOT/README" | head -1 | sed "s/^[0-9 *]*//; s|/srv/desk|$PWD|g") &&
	sh -c "$cron" &&
	ls .git/objects/info/commit-graphs/*.graph >/dev/null &&
	git -c core.commitGraph=true log --format=%s -- $(dirname $(git ls-tree -r --name-only HEAD tickets | grep "/$(cat id1)/log.yaml$")) >log &&
	test $(wc -l <log) = 2 && grep "big desk mail" log
'

test_expect_success 'a damaged cache file is thrown away and rebuilt' '
	echo garbage >.git/rt/cache.mdb && rm -f .git/rt/cache.mdb-lock &&
	mail g6@x "after damage" | rt-ingest >/dev/null &&
	rt-gc >out && grep "cache: 17 tickets" out
'

texts() { # FILE-PREFIX: what searches and a route find, one file each
	for q in log four "big desk" after x zzznothing; do
		rt-ls --all --text "$q" --ids | sort >"$1.$q" || return 1
	done
	rt-ls --all --format "%{id}\n" | while read -r id; do
		rt-route --dry-run "$id" || return 1
	done >"$1.route" 2>&1
}

test_expect_success 'a rebuild leaves the text index to its first use, with the same answers' '
	texts inc && test -s inc.log && test -s "inc.big desk" && test ! -s inc.zzznothing &&
	rm .git/rt/cache.mdb .git/rt/cache.mdb-lock &&
	RT_CACHE_LAZY_MIN=1 rt-ls --all --count >/dev/null && texts lazy &&
	for q in log four "big desk" after x zzznothing route; do
		test_cmp "inc.$q" "lazy.$q" || return 1
	done
'

test_expect_success 'a text index build stopped half way is finished, with what changed meanwhile' '
	rm .git/rt/cache.mdb .git/rt/cache.mdb-lock &&
	RT_CACHE_LAZY_MIN=1 RT_CACHE_CHUNK=3 rt-ls --all --count >/dev/null &&
	RT_CACHE_TEXT_CHUNKS=2 RT_CACHE_CHUNK=3 RT_CACHE_THREADED_MIN=2 rt-ls --all --text log --ids |
		sort >half && test_cmp inc.log half &&
	printf "From: a@example.com\nSubject: x\nIn-Reply-To: <g1@x>\nMessage-Id: <g8@x>\n\nquuxword\n" |
		rt-ingest >/dev/null &&
	mail g9@x "zebraword ticket" | rt-ingest >zebra &&
	RT_CACHE_CHUNK=3 RT_CACHE_THREADED_MIN=2 rt-ls --all --text zebraword --ids >out &&
	test_cmp zebra out &&
	rt-ls --all --text quuxword --ids >out && test_cmp id1 out &&
	rt-ls --all --text log --ids | sort >out && test_cmp inc.log out &&
	rm .git/rt/cache.mdb .git/rt/cache.mdb-lock && rt-ls --all --count >/dev/null &&
	rt-ls --all --text zebraword --ids >fresh && test_cmp zebra fresh &&
	rt-ls --all --text quuxword --ids >fresh && test_cmp id1 fresh
'

test_expect_success 'one mail leaves its words to the next search or rt-gc, with the same answers' '
	rt-gc -q && texts eager &&
	mail g10@x "walrusword ticket" | rt-ingest >walrus &&
	printf "From: a@example.com\nSubject: x\nIn-Reply-To: <g1@x>\nMessage-Id: <g11@x>\n\nnarwhalword\n" |
		rt-ingest >/dev/null &&
	rt-route --dry-run $(cat walrus) >route.marked 2>&1 &&
	rt-route --dry-run $(cat id1) >route1.marked 2>&1 &&
	rt-gc >out && grep "^text index: 2 tickets indexed$" out &&
	rt-gc >out && grep "^text index: 0 tickets indexed$" out &&
	rt-route --dry-run $(cat walrus) >route.indexed 2>&1 && test_cmp route.indexed route.marked &&
	rt-route --dry-run $(cat id1) >route1.indexed 2>&1 && test_cmp route1.indexed route1.marked &&
	mail g12@x "okapiword ticket" | rt-ingest >okapi &&
	rt-ls --all --text okapiword --ids >out && test_cmp okapi out &&
	rt-ls --all --text walrusword --ids >out && test_cmp walrus out &&
	rt-ls --all --text narwhalword --ids >out && test_cmp id1 out &&
	rt-gc >out && grep "^text index: 0 tickets indexed$" out &&
	texts after && for q in log four "big desk" zzznothing; do
		test_cmp "eager.$q" "after.$q" || return 1
	done
'

command -v gdb >/dev/null && test_set_prereq GDB
# calls of mdb_cursor_get by "$@" (LSan cannot run under a debugger)
cursor_gets() {
	_p=$(command -v "$1") && shift &&
	ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0" gdb -q -batch \
		-ex "break mdb_cursor_get" -ex "ignore 1 10000000" -ex run -ex "info breakpoints" \
		--args "$_p" "$@" 2>&1 | sed -n "s/.*already hit \([0-9]*\) time.*/\1/p"
}

test_expect_success GDB,!VALGRIND 'a search finds the waiting tickets without listing them all per chunk' '
	for i in $(seq 1 20); do mail m$i@x "tapirword$i" | rt-ingest >/dev/null || return 1; done &&
	RT_CACHE_CHUNK=1 cursor_gets rt-ls --all --text tapirword7 --ids >gets &&
	n=$(cat gets) && test "$n" -gt 0 && test "$n" -lt 60 &&
	rt-gc >out && grep "^text index: 0 tickets indexed$" out &&
	rt-ls --all --text tapirword7 --ids >out && test $(wc -l <out) = 1
'

snap() { find tickets -name ticket.yaml | sort | while read -r f; do echo "== $f"; cat "$f"; done; }

test_expect_success 'reading threads mirror each ticket.yaml whole, into its own folder' '
	find tickets -name ticket.yaml -exec rm {} + && rm .git/rt/cache.mdb .git/rt/cache.mdb-lock &&
	RT_CACHE_NOTHREAD=1 rt-ls --all --count >/dev/null && snap >one && grep -q "^subject: " one &&
	for round in 1 2 3 4 5; do
		find tickets -name ticket.yaml -exec rm {} + && rm .git/rt/cache.mdb .git/rt/cache.mdb-lock &&
		RT_CACHE_THREADED_MIN=2 rt-ls --all --count >/dev/null && snap >two &&
		test_cmp one two || return 1
	done
'

test_expect_success 'a rebuild mirrors ticket.yaml into checked-out folders, and only there' '
	ids=$(rt-ls --all --ids | sort) && a=$(echo "$ids" | head -1) && b=$(echo "$ids" | tail -1) &&
	gone=$(dirname "$(ticket_dir $b)") &&
	for env in RT_CACHE_NOTHREAD=1 RT_CACHE_THREADED_MIN=2; do
		rm "$(ticket_dir $a)/ticket.yaml" && rm -r "$gone" &&
		rm .git/rt/cache.mdb .git/rt/cache.mdb-lock &&
		env $env rt-ls --all --ids >/dev/null &&
		grep "^subject: " "$(ticket_dir $a)/ticket.yaml" && test ! -e "$gone" &&
		git checkout -- tickets || return 1
	done &&
	test ! -e "$(ticket_dir $b)/ticket.yaml" &&
	rm .git/rt/cache.mdb .git/rt/cache.mdb-lock && rt-ls --all --ids >/dev/null &&
	grep "^subject: " "$(ticket_dir $b)/ticket.yaml"
'

test_done
