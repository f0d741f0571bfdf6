#!/bin/sh
# ingest.max-bytes bounds memory and storage: oversized mail keeps only its headers
. "$(dirname "$0")/lib.sh"
export RT_NOW=2026-11-23T10:00:00Z
# Memory figures mean nothing under ASan (its quarantine keeps freed memory) or valgrind.
SANITIZED=${RT_VALGRIND:-}
sanitized_build && SANITIZED=1

new_desk desk
LIMIT=4000
sed -i "s/^  max-bytes: .*/  max-bytes: $LIMIT/" rt.yaml && grep -q "max-bytes: $LIMIT" rt.yaml &&
git commit -qam "limit" || exit 1

sized() { # sized MSGID BYTES: a mail of exactly BYTES bytes
	h=$(printf 'From: k@example.com\nSubject: size %s\nMessage-Id: <%s>\n\n' "$2" "$1")
	printf '%s\n\n' "$h" >mail.$1 && n=$(( $2 - $(wc -c <mail.$1) - 1 )) &&
	head -c $n /dev/zero | tr '\0' x >>mail.$1 && echo >>mail.$1 &&
	test $(wc -c <mail.$1) = $2
}

test_expect_success 'limit-1 and limit bytes are stored' '
	sized l1 $((LIMIT - 1)) && rt-ingest <mail.l1 >id1 && test -s id1 &&
	sized l2 $LIMIT && rt-ingest <mail.l2 >id2 && test -s id2
'

test_expect_code 65 'limit+1 bytes: refused, only the headers kept in quarantine' '
	sized l3 $((LIMIT + 1)) && before=$(git rev-parse HEAD) &&
	rt-ingest <mail.l3 >out 2>err; rc=$?; cat err;
	test ! -s out && grep "message too large ($((LIMIT + 1)) bytes, limit $LIMIT)" err &&
	q=$(git ls-tree -r --name-only HEAD quarantine | grep "\.eml$") && test -n "$q" &&
	grep "^Message-Id: <l3>" $q && ! grep xxxxxxxx $q &&
	grep "only the header section above is kept" $q &&
	grep "^size: $((LIMIT + 1))$" ${q%.eml}.yaml &&
	test -z "$(ls .git/rt/tmp)" && exit $rc
'

# The line goes back to the sender in the mail system's bounce: it names
# the entry as rt-quarantine(1) does, not where the desk keeps it.
test_expect_success 'the refusal names the quarantine entry, not its path in the desk' '
	q=$(git ls-tree -r --name-only HEAD quarantine | grep "\.eml$") && id=$(basename "${q%.eml}") &&
	grep "^rt-ingest: <stdin>: message too large ($((LIMIT + 1)) bytes, limit $LIMIT) (headers kept in quarantine as $id)$" err &&
	! grep quarantine/ err && rt-quarantine show "$id" >shown && grep "^Message-Id: <l3>" shown
'

test_expect_success 'a 30 MB mail under a 4 KB limit costs neither memory nor storage' '
	du -sk .git | cut -f1 >git.before &&
	{ printf "From: k@example.com\nSubject: huge\nMessage-Id: <huge@x>\n\n"; head -c 30000000 /dev/zero | tr "\\0" y; } >huge &&
	/usr/bin/time -f %M -o rss rt-ingest <huge >out 2>err; test $? = 65 &&
	echo "peak RSS $(tail -1 rss) KB" && { [ -n "$SANITIZED" ] || test $(tail -1 rss) -lt 20000; } &&
	du -sk .git | cut -f1 >git.after &&
	test $(( $(cat git.after) - $(cat git.before) )) -lt 2000 &&
	test -z "$(ls .git/rt/tmp)"
'

test_expect_success 'an oversized message in an mbox is refused alone' '
	{ echo "From k@x Mon Nov 23 09:00:00 2026"; cat mail.l1; echo;
	  echo "From k@x Mon Nov 23 09:00:00 2026"; sized l4 $((LIMIT + 500)) && cat mail.l4; echo;
	  echo "From k@x Mon Nov 23 09:00:00 2026"; printf "From: k@x\nSubject: small\nMessage-Id: <l5>\n\nhi\n"; } >m.mbox &&
	rt-ingest --mbox m.mbox >ids 2>err; test $? = 65 &&
	test $(wc -l <ids) = 2 && grep "message 2: message too large" err
'

# A subject is one header line (RFC 5322: 998 characters); a mail within
# max-bytes may still carry megabytes of it, and the ticket's subject,
# its log (twice) and the commit message each held it all again.
test_expect_success 'a 1 MB Subject is stored as its first 998 characters; --raw keeps it all' '
	sed -i "s/^  max-bytes: .*/  max-bytes: 10M/" rt.yaml && git commit -q -m "10M" rt.yaml &&
	{ printf "From: k@example.com\nMessage-Id: <subj@x>\nSubject: "
	  head -c 1000000 /dev/zero | tr "\\0" w; printf "\n\nbody\n"; } >subj &&
	/usr/bin/time -f %M -o rss rt-ingest <subj >id && echo "peak RSS $(tail -1 rss) KB" &&
	{ [ -n "$SANITIZED" ] || test $(tail -1 rss) -lt 24000; } &&
	rt-ls --format "%{subject}\n" --where id=$(cat id) >s && test $(tr -d "\n" <s | wc -c) = 998 &&
	rt-show $(cat id) >shown && test $(wc -c <shown) -lt 8000 &&
	test $(git log -1 --format=%B | wc -c) -lt 2000 &&
	test $(git cat-file -s HEAD:$(ticket_dir $(cat id))/log.yaml) -lt 4000 &&
	rt-show --raw 1 $(cat id) | cmp - subj
'

test_done
