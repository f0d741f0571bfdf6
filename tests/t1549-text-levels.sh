#!/bin/sh
# The text index's two levels: indexing writes a small recent level, rt-gc
# (and a writer, past a bound) folds it into the main one. A batch into a
# desk of many indexed tickets writes about as few cache pages as into a
# small desk, and searches answer as a rebuilt cache does before and after
# a fold, across follow-ups, subject changes, merges and removed tickets.
. "$(dirname "$0")/lib.sh"

command -v strace >/dev/null && strace -f -o /dev/null true 2>/dev/null && test_set_prereq STRACE
BIG=2500
# mbox FIRST LAST: new tickets sharing "line", "of", "mail" and 1 to 3
mbox() { bulk_mbox "$1" "$2" 3; }
# pages CMD...: cache.mdb pages the command wrote
pages() {
	LSAN_OPTIONS=detect_leaks=0 strace -f -o st -e trace=pwrite64,pwritev,writev \
	    -P .git/rt/cache.mdb "$@" >/dev/null &&
	grep -v unfinished st | sed -n 's/.*= \([0-9]*\)$/\1/p' |
	    awk '{ b += $1 } END { printf "%d\n", b / 4096 }'
}
# searches: what the searches print, in order
searches() {
	for q in line okapi okapiword1 okapiword2501 okapiword2510 "mail 3" end-12 \
	    renamed bulk okapiword7 followupword okapiword101; do
		echo "== $q" && rt-ls --all --ids --text "$q" | md5sum
	done
}
# same_as_rebuilt: the searches give what a rebuilt cache of a copy gives.
# The cache is rebuilt from HEAD, so the copy is the desk without its work
# tree: copying and removing the 2,500 tickets' 7,500 files took 13 s a
# check on this host's loaded disk (four checks), .git and the desk's files 0.2 s.
same_as_rebuilt() {
	searches >got && rm -rf ../copy && mkdir ../copy && cp -a .git .rt rt.yaml ../copy/ &&
	(cd ../copy && rt-gc -q --rebuild-cache && searches) >want &&
	test_cmp want got
}

new_desk small && mbox 1 100 >s.mbox && rt-ingest -q --mbox s.mbox && rt-gc -q && cd .. &&
new_desk desk && mbox 1 $BIG >b.mbox && rt-ingest -q --mbox b.mbox && rt-gc -q || exit 1
mbox 2501 2520 >new.mbox

test_expect_success STRACE 'a batch into a desk of many tickets writes as few index pages as into a small one' '
	s=$(cd ../small && pages rt-ingest -q --mbox ../desk/new.mbox) &&
	b=$(pages rt-ingest -q --mbox new.mbox) &&
	echo "20 new tickets: $s pages into 100 tickets, $b into $BIG" &&
	test "$b" -le $((s * 2))
'

test_expect_success 'searches as a rebuilt cache: a batch in the recent level' '
	test "$(rt-ls --all --ids | wc -l)" = 2520 &&
	rt-ls --all --ids --text okapiword2510 >out && test $(wc -l <out) = 1 &&
	rt-ls --all --ids --text line >out && test $(wc -l <out) = 2520 &&
	same_as_rebuilt
'

test_expect_success 'a follow-up, a subject change, a merge and a removed ticket' '
	a=$(rt-ls --all --ids --text okapiword1007) && b=$(rt-ls --all --ids --text okapiword2505) &&
	c=$(rt-ls --all --ids --text okapiword1012) && e=$(rt-ls --all --ids --text okapiword2512) &&
	f=$(rt-ls --all --ids --text okapiword1013) &&
	printf "From: c1007@example.com\nSubject: Re: [Test #%s] bulk 1007\nMessage-Id: <f1007@x>\n\nfollowupword\n" "$a" |
	    rt-ingest -q &&
	rt-ls --all --ids --text followupword >out && echo "$a" >want && test_cmp want out &&
	rt-set "$b" subject="renamed ticket" >/dev/null &&
	rt-ls --all --ids --text renamed >out && echo "$b" >want && test_cmp want out &&
	rt-merge "$c" "$a" >/dev/null &&
	GIT_INDEX_FILE=$PWD/rm.idx git read-tree HEAD &&
	GIT_INDEX_FILE=$PWD/rm.idx git rm -rq --cached "$(ticket_dir "$e")" "$(ticket_dir "$f")" &&
	git update-ref HEAD "$(git commit-tree -p HEAD -m "a ticket removed by hand" \
	    "$(GIT_INDEX_FILE=$PWD/rm.idx git write-tree)")" && rm rm.idx &&
	rt-ls --all --ids --text okapiword2512 >out && test_cmp /dev/null out &&
	rt-ls --all --ids --text okapiword1013 >out && test_cmp /dev/null out &&
	same_as_rebuilt
'

test_expect_success 'rt-gc folds the recent level: the same answers' '
	searches >before && rt-gc -q && searches >after && test_cmp before after &&
	same_as_rebuilt
'

test_expect_success 'a writer past the bound folds it: the same answers' '
	mbox 2521 2540 >more.mbox && RT_TEXT_RECENT=5 rt-ingest -q --mbox more.mbox &&
	rt-ls --all --ids --text okapiword2530 >out && test $(wc -l <out) = 1 &&
	same_as_rebuilt
'

test_done
