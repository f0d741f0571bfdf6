#!/bin/sh
# rt-gc folds the young objects into the largest pack, as deltas of the versions there
. "$(dirname "$0")/lib.sh"

new_desk desk
# the desk's first pack stays (fewer objects than RT_PACK_SMALL are rolled up)
export RT_PACK_SMALL=500 RT_PACK_FOLD_MIN=1
mail() { # N [TICKET-N]: a new ticket, or with TICKET-N a reply to that one
	printf 'From: c%s@example.com\nSubject: ticket %s\nMessage-Id: <m%s@x>\n' $1 $1 $1
	[ -z "${2:-}" ] || printf 'In-Reply-To: <m%s@x>\n' $2
	printf '\n'
	for l in 1 2 3 4 5 6; do printf 'Line %s of mail %s: the printer on floor 3 shows an error.\n' $l $1; done
}
mbox() { for i in $(seq "$1" "$2"); do echo "From MAILER-DAEMON Mon Nov 23 10:00:00 2026"; mail $i; echo; done; }
npacks() { ls .git/objects/pack/*.pack | wc -l; }
packed() { find .git/objects/pack -type f -printf "%s\n" | awk "{ n += \$1 } END { print n + 0 }"; }
# kinds: every object of the packs, its type, whether it is a delta, its depth and size
kinds() {
	for i in .git/objects/pack/*.idx; do git verify-pack -v "$i" || return 1; done >vp &&
	awk "NF >= 5 && \$2 ~ /^(blob|tree|commit)\$/ { print \$1, \$2, (NF >= 7 ? \"delta \" \$6 : \"whole 0\"), \$3 }" vp | sort -u
}
# the trees of 100 bytes or more that the last N commits wrote, stored
# whole, whose path was there before them (a smaller tree, one entry, is
# no larger whole than as a delta)
oldpaths_whole() {
	git rev-list --objects HEAD~$1..HEAD --not HEAD~$1 | sort >objs && kinds >k && join objs k >new &&
	awk "NF == 6 && \$3 == \"tree\" && \$4 == \"whole\" && \$6 >= 100 { print \$2 }" new |
	    while read -r p; do git cat-file -e "HEAD~$1:$p" 2>/dev/null && echo "$p"; done
	awk "NF == 5 && \$2 == \"tree\" && \$3 == \"whole\" { print \"(root)\" }" new
}
# every ticket read through rt: list, show, the raw mails (each rt-show
# reads every ticket it is given and fails if one fails: two processes,
# not two a ticket, which under ASan took 100 of the file's 150 s)
readall() {
	rt-ls --all --ids >ids && test -s ids &&
	rt-show $(cat ids) && rt-show --raw 1 $(cat ids)
}

test_expect_success 'a desk of 120 tickets in one pack, then 10 new tickets and 10 replies one process each' '
	mbox 1 120 >base.mbox && rt-ingest -q --mbox base.mbox && rt-gc -q && test $(npacks) = 1 &&
	for i in $(seq 121 130); do mail $i | rt-ingest -q || return 1; done &&
	for i in $(seq 1 10); do mail $((200 + i)) $((i * 11)) | rt-ingest -q || return 1; done &&
	test $(npacks) -gt 2 && rm -rf ../nofold && cp -a . ../nofold
'

test_expect_success 'rt-gc folds the young pack into the largest: one pack, valid for git' '
	before=$(packed) && rt-gc >out && cat out &&
	grep "^fold: the new objects written into the largest pack, [1-9][0-9]* as deltas there$" out &&
	test $(npacks) = 1 && kinds >/dev/null &&
	git fsck --full --strict --no-dangling >fsck 2>&1 && test_cmp /dev/null fsck &&
	git rev-list --objects --all | cut -d" " -f1 | git cat-file --batch-check >have &&
	! grep missing have && echo $(( $(packed) - before )) >grew
'

test_expect_success 'trees whose path was there before: deltas folded, whole beside (RT_PACK_FOLD_MAX=0)' '
	oldpaths_whole 20 >whole &&
	(cd ../nofold && before=$(packed) && RT_PACK_FOLD_MAX=0 rt-gc >out && ! grep "^fold" out &&
	 test $(npacks) = 2 && oldpaths_whole 20 >whole &&
	 echo $(( $(packed) - before )) >grew) &&
	echo "whole: $(wc -l <whole) trees folded, $(wc -l <../nofold/whole) beside" &&
	test $(( $(wc -l <whole) * 2 )) -le $(wc -l <../nofold/whole) &&
	echo "pack growth: $(cat grew) bytes folded, $(cat ../nofold/grew) beside" &&
	test $(( $(cat grew) * 10 )) -le $(( $(cat ../nofold/grew) * 8 ))
'

test_expect_success 'every ticket reads the same through rt from both desks' '
	readall >shown && (cd ../nofold && readall) >shown.nofold && test_cmp shown.nofold shown &&
	test $(wc -l <ids) = 130
'

test_expect_success 'a pack larger than RT_PACK_FOLD_MAX is not rewritten, nor for fewer objects than RT_PACK_FOLD_MIN' '
	mail 300 5 | rt-ingest -q && RT_PACK_FOLD_MAX=1000 rt-gc >out && ! grep "^fold" out &&
	test $(npacks) = 2 && git fsck --full --strict --no-dangling &&
	RT_PACK_FOLD_MIN=1000 rt-gc >out && ! grep "^fold" out && test $(npacks) = 2 &&
	rt-gc >out && grep "^fold" out && test $(npacks) = 1
'

test_expect_success 'chains of deltas stay within the depth (RT_PACK_DEPTH=3, one reply and rt-gc a round)' '
	for r in 1 2 3 4 5 6; do
		mail $((400 + r)) 7 | rt-ingest -q && RT_PACK_DEPTH=3 rt-gc -q || return 1
	done &&
	test $(npacks) = 1 && git rev-list --objects HEAD~6..HEAD --not HEAD~6 | cut -d" " -f1 |
	    sort >objs && kinds >k && join objs k >new &&
	deepest=$(awk "\$4 > m { m = \$4 } END { print m + 0 }" new) && echo "deepest: $deepest" &&
	test $deepest -le 3 && test $deepest -ge 2 &&
	git fsck --full --strict --no-dangling && readall >/dev/null
'

test_expect_success 'a reader holding the old packs open reads on after the fold' '
	old=$(git rev-parse HEAD:rt.yaml) && tree=$(git rev-parse HEAD^{tree}) &&
	mkfifo in && { git cat-file --batch-check <in >reader.out & } &&
	exec 3>in && echo "$tree" >&3 &&
	mail 500 9 | rt-ingest -q && rt-gc >out && grep "^fold" out &&
	echo "$old" >&3 && exec 3>&- && wait &&
	cat reader.out && test $(grep -c " blob \| tree " reader.out) = 2
'

command -v strace >/dev/null && strace -f -o /dev/null true 2>/dev/null && test_set_prereq STRACE
# Killed at its Nth rename or unlink (the young pack, its rewrite, the fold's
# pack and index, the young and old packs going), rt-gc leaves every object
# readable, and the next rt-gc leaves one pack.
test_expect_success STRACE 'rt-gc killed at any rename or unlink of a fold loses no object' '
	killed=0 &&
	for n in $(seq 1 16); do
		mail $((600 + n)) $((n * 3)) | rt-ingest -q || return 1
		git rev-list --objects --all | cut -d" " -f1 | sort >want &&
		strace -f -o /dev/null -e trace=rename,renameat,renameat2,unlink,unlinkat \
		    -e inject=rename,renameat,renameat2,unlink,unlinkat:signal=KILL:when=$n rt-gc -q 2>/dev/null
		test $? = 0 || killed=$((killed + 1))
		git cat-file --batch-check <want >have && ! grep missing have &&
		git fsck --full --no-dangling >fsck 2>&1 || { cat fsck; return 1; }
		for i in .git/objects/pack/pack-*.pack; do
			test -f "${i%.pack}.idx" || continue
			git verify-pack "${i%.pack}.idx" || return 1
		done
	done &&
	echo "rt-gc killed $killed times" && test $killed -ge 8 &&
	rt-gc -q --stale 0 && test $(npacks) = 1 && git fsck --full --strict --no-dangling &&
	git cat-file --batch-check <want >have && ! grep missing have &&
	for i in .git/objects/pack/*; do
		case $i in *.pack) test -f "${i%.pack}.idx" ;; *.idx) test -f "${i%.idx}.pack" ;; *) false ;; esac ||
		    { echo "left: $i"; return 1; }
	done
'

test_done
