#!/bin/sh
# A bulk import's groups: 500 mails of a few KB are one pack and one branch move
. "$(dirname "$0")/lib.sh"

# Under ASan or valgrind a batch outlives its one second and is cut by time.
SANITIZED=${RT_VALGRIND:-}
sanitized_build && SANITIZED=1

new_desk desk
npacks() { ls .git/objects/pack/*.pack | wc -l; }
# mbox FIRST LAST: mails of about 30 KB (50 of them: 1.5 MB of blobs)
mbox() {
	for i in $(seq "$1" "$2"); do
		printf 'From MAILER-DAEMON Mon Nov 23 10:00:00 2026\nFrom: g%s@example.com\nSubject: group %s\nMessage-Id: <group%s@x>\n\n' $i $i $i
		seq 1 500 | sed "s/^/line of mail $i, the printer on floor 3 stopped: /"; echo
	done
}

test_expect_success '1.5 MB of mail is one group: one pack, one branch move' '
	mbox 1 50 >m.mbox && test $(wc -c <m.mbox) -gt 1300000 &&
	n=$(npacks) && c=$(git rev-list --count HEAD) && r=$(git reflog | wc -l) &&
	rt-ingest -q --mbox m.mbox && test $(git rev-list --count HEAD) = $((c + 50)) &&
	git reflog -$(( $(git reflog | wc -l) - r )) --format=%gs >groups && cat groups &&
	{ [ -n "$SANITIZED" ] || { echo "rt: batch of 50 commits" >expect && test_cmp expect groups &&
	    test $(npacks) = $((n + 1)); }; } &&
	rt-ls --text "group" --count >hits && echo 50 >expect && test_cmp expect hits &&
	git fsck --strict --no-dangling >fsck 2>&1 && test_cmp /dev/null fsck
'

command -v strace >/dev/null && strace -f -o /dev/null true 2>/dev/null && test_set_prereq STRACE
test_expect_success STRACE 'its pack, index, branch and their folders are fsynced once' '
	mbox 51 100 >m2.mbox &&
	LSAN_OPTIONS=detect_leaks=0 strace -f -y -e trace=fsync,fdatasync -o st rt-ingest -q --mbox m2.mbox &&
	grep "^[0-9]* *f[a-z]*sync([0-9]*</.*\.git/\(objects\|refs\)/" st | wc -l >n && cat n &&
	{ [ -n "$SANITIZED" ] || { echo 5 >expect && test_cmp expect n; }; } &&
	grep -q "fsync([0-9]*</.*\.git/objects/pack/tmp_pack_" st &&
	grep -q "fsync([0-9]*</.*\.git/refs/heads>" st
'

# 500 small mails: the last one makes the group due, so the batch lets go
# of the desk lock there; the ticket.yaml it left pending for its end are
# written under the lock again, never beside a single delivery's newer one.
test_expect_success STRACE 'a batch due at its last mail writes its ticket.yaml under the lock' '
	for i in $(seq 101 600); do
		printf "From MAILER-DAEMON Mon Nov 23 10:00:00 2026\nFrom: s%s@example.com\nSubject: small %s\nMessage-Id: <small%s@x>\n\nbody %s\n\n" $i $i $i $i
	done >m3.mbox &&
	LSAN_OPTIONS=detect_leaks=0 strace -f -y -e trace=openat,close,rename -o st3 rt-ingest -q --mbox m3.mbox &&
	# with -f a call that another thread interrupts ends "<unfinished ...>"
	test $(grep -c "rename(.*/ticket\.yaml\"" st3) -ge 500 &&
	awk "/openat\(.*\/rt\/lock\"/ { held = 1 }
	    /close\([0-9]*<.*\/rt\/lock>/ { held = 0 }
	    /rename\(.*\/ticket\.yaml\"/ && !held { bad++ }
	    END { print bad + 0 }" st3 >outside && echo 0 >expect && test_cmp expect outside
'

test_done
