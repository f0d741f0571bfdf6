#!/bin/sh
# The checksums of the packs and indexes rt writes are git's: git index-pack
# recomputes every index byte for byte, and each pack is named by its trailer
. "$(dirname "$0")/lib.sh"

new_desk desk

# check_packs: every pack verifies and its index is the one git would write
check_packs() {
	for p in .git/objects/pack/pack-*.pack; do
		git index-pack -o ../git.idx "$p" >../name || return 1
		cmp ../git.idx "${p%.pack}.idx" || return 1
		sum=$(tail -c 20 "$p" | od -An -tx1 | tr -d " \n") &&
		test "$sum" = "$(cat ../name)" && test "$p" = ".git/objects/pack/pack-$sum.pack" ||
			return 1
		git verify-pack "${p%.pack}.idx" || return 1
	done
}

test_expect_success 'a mail with a large attachment: its pack and index checksums are git'"'"'s' '
	{
		printf "From: big@example.com\nSubject: large\nMessage-Id: <large@x>\n"
		printf "MIME-Version: 1.0\nContent-Type: multipart/mixed; boundary=b\n\n--b\n"
		printf "Content-Type: text/plain\n\nsee attached\n--b\n"
		printf "Content-Type: application/octet-stream; name=x.bin\nContent-Transfer-Encoding: base64\n\n"
		head -c 300001 /dev/urandom | base64
		printf "\n--b--\n"
	} >large.eml &&
	n=$(ls .git/objects/pack/*.pack | wc -l) &&
	rt-ingest <large.eml >id &&
	test $(ls .git/objects/pack/*.pack | wc -l) -gt $n &&
	check_packs
'

test_expect_success 'a batch of mails of every length around the 64-byte blocks: git agrees' '
	for i in $(seq 1 70); do
		printf "From MAILER-DAEMON Mon Nov 23 10:00:00 2026\nFrom: c%s@example.com\nSubject: len %s\nMessage-Id: <len%s@x>\n\n" $i $i $i
		head -c $((i * 7)) /dev/zero | tr "\0" "y"
		printf "\n\n"
	done >bulk.mbox &&
	rt-ingest --mbox bulk.mbox >ids && test $(wc -l <ids) = 70 &&
	check_packs &&
	git fsck --strict --no-dangling >fsck 2>&1 && test_cmp /dev/null fsck
'

test_done
