#!/bin/sh
# rt-gc packs each file and tree as a delta against another version of its path
. "$(dirname "$0")/lib.sh"

new_desk desk
mbox() { # FIRST LAST
	for i in $(seq "$1" "$2"); do
		printf 'From MAILER-DAEMON Mon Nov 23 10:00:00 2026\nFrom: c%s@example.com\nSubject: ticket %s\nMessage-Id: <t%s@x>\n\n' $i $i $i
		for l in 1 2 3 4 5 6; do printf 'Line %s of mail %s: the printer on floor 3 shows an error.\n' $l $i; done
		echo
	done
}
# kinds: every object in the packs, with its type and whether it is a delta
kinds() {
	for i in .git/objects/pack/*.idx; do git verify-pack -v "$i"; done |
	    awk "NF >= 5 && \$2 ~ /^(blob|tree|commit)\$/ { print \$1, \$2, (NF >= 7 ? \"delta\" : \"whole\") }" | sort -u
}

test_expect_success 'a desk of 100 tickets, then 60 more one process each' '
	mbox 1 100 >base.mbox && rt-ingest -q --mbox base.mbox && rt-gc -q &&
	for i in $(seq 101 160); do mbox $i $i | rt-ingest -q || return 1; done &&
	test $(ls .git/objects/pack/*.pack | wc -l) -gt 2
'

# wholetrees: how many of the last 60 commits' trees are stored whole
wholetrees() {
	git rev-list --objects HEAD~60..HEAD --not HEAD~60 | sort >objs && kinds >k &&
	join objs k | grep -c " tree whole$"
}

test_expect_success 'by geometry alone (RT_PACK_SMALL=0) the young objects stay in several packs' '
	rm -rf ../geo && cp -a . ../geo &&
	RT_PACK_SMALL=0 rt-gc -q --desk ../geo &&
	test $(ls ../geo/.git/objects/pack/*.pack | wc -l) -gt 1 &&
	(cd ../geo && git fsck --strict --no-dangling && wholetrees) >geo.whole
'

test_expect_success 'rt-gc rolls every young pack into one; the mails and logs are deltas' '
	n=$(ls .git/objects/pack/*.pack | wc -l) &&
	rt-gc >out && grep "^packs: [1-9][0-9]* merged, 1 left$" out &&
	test $(ls .git/objects/pack/*.pack | wc -l) = 1 &&
	git fsck --strict --no-dangling >fsck 2>&1 && test_cmp /dev/null fsck &&
	git rev-list --objects HEAD~60..HEAD --not HEAD~60 | sort >objs && kinds >k && join objs k >new &&
	blobs=$(grep -c " blob " new) && d=$(grep " blob " new | grep -c " delta$") &&
	echo "$blobs blobs, $d deltas" && test $blobs -ge 120 && test $((d * 10)) -ge $((blobs * 8))
'

test_expect_success 'one young pack stores fewer trees whole than the geometric ladder' '
	one=$(wholetrees) && geo=$(cat geo.whole) &&
	echo "whole trees: $one in one pack, $geo in the ladder" && test "$one" -lt "$geo"
'

# types: the type of each entry of the packs (6 OFS_DELTA, 7 REF_DELTA),
# read from its first byte at the offset the index gives
types() {
	for i in .git/objects/pack/*.idx; do
		git show-index <"$i" | cut -d" " -f1 >offsets &&
		od -An -v -tu1 "${i%.idx}.pack" |
		    awk "NR == FNR { at[\$1] = 1; next }
			{ for (k = 1; k <= NF; k++) if ((pos++) in at) print int(\$k / 16) % 8 }" offsets -
	done | sort | uniq -c
}

test_expect_success 'deltas name their base by offset, as git writes them, not by id' '
	types >t && cat t &&
	grep -q " 6$" t && ! grep -q " 7$" t
'

# The shape of a big desk's fan-out: 32 folders of 32 entries, so every
# folder's tree has the same size, then 100 commits that each change one
# file, each commit in its own pack as rt-ingest leaves them. Size cannot
# tell the folders apart; rt-gc hands the packbuilder each object with its
# path (it sorts by type, a hash of the path and size, then compares each
# object with its 10 neighbours), so versions of one folder meet.
A=0123456789ABCDEFGHJKMNPQRSTVWXYZ
fanout() {
	awk -v A=$A 'BEGIN {
		printf "commit refs/t1525/fanout\ncommitter T <t@x> 1795000000 +0000\ndata 1\n0\n"
		for (i = 1; i <= 32; i++)
			for (j = 1; j <= 32; j++) {
				x = substr(A, i, 1); y = substr(A, j, 1)
				printf "M 100644 inline d/%s/%s\ndata 8\nv0000%s%s\n", x, y, x, y
			}
		print "checkpoint"
		srand(7)
		for (c = 1; c <= 100; c++) {
			i = int(rand() * 32) + 1; j = int(rand() * 32) + 1
			x = substr(A, i, 1); y = substr(A, j, 1)
			printf "commit refs/t1525/fanout\ncommitter T <t@x> 1795000000 +0000\ndata 1\n%d\n", c % 10
			printf "M 100644 inline d/%s/%s\ndata 8\nv%04d%s%s\ncheckpoint\n", x, y, c, x, y
		}
	}'
}

# (in a copy of the desk: the kill rounds below repack the whole desk 24
# times, and under ASan each of the fan-out's 3,000 objects is slow to pack)
test_expect_success 'versions of one folder are deltas of each other, not of same-sized folders' '
	rm -rf ../fan && cp -a . ../fan && cd ../fan &&
	fanout | fast_import -c fastimport.unpackLimit=1 &&
	test $(git count-objects | cut -d" " -f1) = 0 &&
	test $(ls .git/objects/pack/*.pack | wc -l) -gt 100 &&
	rt-gc -q && test $(ls .git/objects/pack/*.pack | wc -l) -le 3 &&
	git rev-list --objects refs/t1525/fanout~100..refs/t1525/fanout --not refs/t1525/fanout~100 |
	    awk "NF == 2 && \$2 ~ /^d\/.\$/" | sort >folders &&
	kinds | join folders - >trees &&
	awk "{ n[\$2]++; if (\$4 == \"whole\") w[\$2]++ } END { for (p in n) { v += n[p] - 1; bad += (w[p] > 1 ? w[p] - 1 : 0) } print v, bad }" trees >count &&
	read versions whole <count && echo "$versions later versions of a folder, $whole not deltas" &&
	test "$versions" -ge 40 && test $((whole * 5)) -le "$versions"
'

command -v strace >/dev/null && strace -f -o /dev/null true 2>/dev/null && test_set_prereq STRACE
# Killed at its Nth rename or Nth unlink (index, new pack, rewritten pack, the
# old packs and loose files going), rt-gc leaves every object readable,
# and the next rt-gc finishes the job.
test_expect_success STRACE 'rt-gc killed at any rename or unlink of a repack loses no object' '
	killed=0 &&
	for n in $(seq 1 24); do
		for i in 1 2 3; do mbox $((200 + n * 3 + i)) $((200 + n * 3 + i)) | rt-ingest -q || return 1; done &&
		echo "a loose blob $n" | git hash-object -w --stdin >>loose &&
		{ git rev-list --objects --all | cut -d" " -f1; cat loose; } | sort >want &&
		strace -f -o /dev/null -e trace=rename,renameat,renameat2,unlink,unlinkat \
		    -e inject=rename,renameat,renameat2,unlink,unlinkat:signal=KILL:when=$n rt-gc -q 2>/dev/null
		test $? = 0 || killed=$((killed + 1))
		git cat-file --batch-check <want >have && ! grep missing have &&
		git fsck --full --no-dangling >fsck 2>&1 || { cat fsck; return 1; }
		for i in .git/objects/pack/pack-*.pack; do
			# an index without its pack (libgit2 links the index first) is skipped by readers
			test -f "${i%.pack}.idx" || continue
			git verify-pack "${i%.pack}.idx" || return 1
		done
	done &&
	echo "rt-gc killed $killed times" && test $killed -ge 16 &&
	rt-gc -q --stale 0 && git fsck --full --strict --no-dangling &&
	test $(git count-objects | cut -d" " -f1) = 0 &&
	git cat-file --batch-check <want >have && ! grep missing have &&
	for i in .git/objects/pack/*; do
		case $i in *.pack) test -f "${i%.pack}.idx" ;; *.idx) test -f "${i%.idx}.pack" ;; *) false ;; esac ||
		    { echo "left: $i"; return 1; }
	done
'

test_expect_success 'objects no ref reaches are packed too, without a path' '
	b=$(echo "a blob no commit has" | git hash-object -w --stdin) &&
	test $(git count-objects | cut -d" " -f1) = 1 &&
	rt-gc -q && test $(git count-objects | cut -d" " -f1) = 0 &&
	git cat-file -e $b && kinds | grep -q "^$b blob "
'

test_done
