#!/bin/sh
# People run git in a live desk (git status, git add, git commit of
# rt.yaml) while mail arrives and agents change tickets: git holds
# .git/index.lock for a moment, and a writer that meets it waits that
# moment out (up to 3 s, at most RT_LOCK_TIMEOUT) instead of deferring.
. "$(dirname "$0")/lib.sh"

mail() { printf 'From: c%s@example.com\nSubject: live %s\nMessage-Id: <%s@x>\n\nbody %s\n' "$1" "$1" "$1" "$1"; }
stored() { git log --format=%B | grep -q "^Message-Id: $1@x$"; }

new_desk desk || exit 1
# rounds of the loop below: a sanitized process starts 5x slower
N=30; sanitized_build && N=12

test_expect_success 'an index.lock git lets go of within the wait: stored, not deferred' '
	echo "git at work" >.git/index.lock &&
	{ ( sleep 0.5; rm -f .git/index.lock ) & } &&
	mail w1 | RT_LOCK_TIMEOUT=10 rt-ingest >../id 2>err; rc=$?; wait;
	cat err; test $rc = 0 && stored w1 && test_cmp /dev/null err &&
	rt-set $(cat ../id) priority=high >/dev/null 2>err && test_cmp /dev/null err
'

test_expect_success 'rt-set waits the moment out too' '
	echo "git at work" >.git/index.lock &&
	{ ( sleep 0.5; rm -f .git/index.lock ) & } &&
	RT_LOCK_TIMEOUT=10 rt-set $(cat ../id) priority=low >/dev/null 2>err; rc=$?; wait;
	cat err; test $rc = 0 && test_cmp /dev/null err &&
	git log -1 --format=%s | grep -q "priority=low"
'

test_expect_code 75 'an index.lock held past the wait (git commit in its editor): 75 as before' '
	echo "git at work" >.git/index.lock &&
	test_when_finished "rm -f .git/index.lock" &&
	mail w2 | RT_LOCK_TIMEOUT=1 rt-ingest 2>err; rc=$?;
	cat err; grep -q "git holds .*index.lock" err && ! stored w2 && exit $rc
'

test_expect_success "git status and commit by hand in a loop beside $N deliveries and changes: none deferred" '
	rm -f err && rt-gc -q && : >../codes && : >../errs &&
	{ ( i=0; while [ ! -f ../stop ]; do
		i=$((i + 1)); git status --short >/dev/null 2>&1
		# git refuses while an rt commit holds index.lock: tried again, as people do
		case $i in *0) echo "# hand $i" >>rt.yaml; n=0
			until git commit -q -m "hand $i" rt.yaml >/dev/null 2>&1 || [ $n = 100 ]; do
				n=$((n + 1)); sleep 0.01; done ;; esac
	    done ) & } && human=$! &&
	for i in $(seq 1 $N); do
		mail l$i | rt-ingest >/dev/null 2>>../errs; echo $? >>../codes
		rt-set $(cat ../id) priority=$( [ $((i % 2)) = 0 ] && echo high || echo low ) >/dev/null 2>>../errs
		echo $? >>../codes
	done; : >../stop; wait $human;
	sort ../codes | uniq -c && cat ../errs &&
	test "$(sort -u ../codes)" = 0 &&
	test $(git log --format=%B | grep -c "^Message-Id: l[0-9]*@x$") = $N &&
	rt-gc -q && git status --porcelain >../st && test_cmp /dev/null ../st &&
	git fsck --no-dangling >../fsck 2>&1 && test_cmp /dev/null ../fsck
'

test_done
