#!/bin/sh
# A desk grown mail by mail keeps a few packs: each writer merges small packs
# by copying their entries (lib/packroll.c), never losing or breaking an object
. "$(dirname "$0")/lib.sh"

new_desk desk
npacks() { ls .git/objects/pack/*.pack | wc -l; }
one() { # N: one new-ticket mail
	printf "From: c%s@example.com\nSubject: grown %s\nMessage-Id: <g%s@x>\n\nbody of mail %s\n" $1 $1 $1 $1
}
# whole: git and rt read every object and ticket, the packs verify
whole() {
	git fsck --strict --no-dangling >fsck 2>&1 && test_cmp /dev/null fsck &&
	for i in .git/objects/pack/*.idx; do git verify-pack "$i" || return 1; done &&
	git cat-file --batch-all-objects --batch-check >all && ! grep missing all &&
	git rev-list --objects --all | cut -d" " -f1 | git cat-file --batch >/dev/null &&
	rt-ls --count --all >n && echo "$1" >expect && test_cmp expect n &&
	# one rt-show of every ticket: it fails when any one cannot be read
	ids=$(rt-ls --ids --all) && test $(echo "$ids" | wc -l) = "$1" &&
	rt-show $ids >/dev/null
}

test_expect_success 'a desk grown by 60 single mails never holds more than 8 packs' '
	max=0 && i=1 &&
	while [ $i -le 60 ]; do
		one $i | rt-ingest >/dev/null || return 1
		n=$(npacks) && [ $n -gt $max ] && max=$n
		i=$((i + 1))
	done &&
	echo "at most $max packs, $(npacks) at the end" && test $max -le 8 &&
	whole 60
'

test_expect_success 'packs with deltas by offset and objects in two packs are merged correctly' '
	rt-gc -q && test $(npacks) = 1 && gc=$(ls .git/objects/pack/*.pack) &&
	git verify-pack -v ${gc%.pack}.idx | grep -q "chain length = 1" &&
	# a second pack that holds HEAD again, deltas by offset and all
	git rev-list --objects -1 HEAD | git pack-objects -q .git/objects/pack/pack >/dev/null &&
	test $(npacks) = 2 && i=100 &&
	while [ -f $gc ]; do
		one $i | rt-ingest >/dev/null || return 1
		i=$((i + 1)); test $i -lt 200 || return 1
	done &&
	echo "merged after $((i - 100)) mails, $(npacks) packs" &&
	git verify-pack -v .git/objects/pack/*.idx | grep -q "chain length = 1" &&
	whole $((60 + i - 100))
'

test_expect_success 'a reader holding an old pack open reads on through a roll-up' '
	rm -f in && mkfifo in &&
	{ git cat-file --batch <in >read.out & pid=$!; } &&
	exec 3>in &&
	head=$(git rev-parse HEAD) && echo $head >&3 &&
	for x in .git/objects/pack/*.idx; do
		git show-index <$x | grep -q " $head" && old=${x%.idx}.pack
	done &&
	test -f "$old" && sleep 1 && i=300 &&
	while test -f $old; do
		one $i | rt-ingest >/dev/null || { exec 3>&-; return 1; }
		i=$((i + 1)); test $i -lt 400 || { exec 3>&-; return 1; }
	done &&
	git rev-list --objects --all | cut -d" " -f1 >&3 && exec 3>&- && wait $pid &&
	! grep -q " missing$" read.out &&
	test $(grep -c "^[0-9a-f]\{40\} \(commit\|tree\|blob\) " read.out) = $(( $(git rev-list --objects --all | wc -l) + 1 ))
'

test_expect_success 'git gc beside the writers loses nothing' '
	c=$(rt-ls --count --all) &&
	{ for k in 1 2 3; do git gc --quiet 2>/dev/null; done & pid=$!; } &&
	for i in $(seq 500 519); do one $i | rt-ingest >/dev/null || return 1; done &&
	wait $pid; git gc --quiet &&
	whole $((c + 20))
'

test_done
