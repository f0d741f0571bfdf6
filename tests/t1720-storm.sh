#!/bin/sh
# A SIGKILL storm: deliveries and rt-gc killed at random moments, each
# mail delivered again after any non-zero exit (as an MTA does). Every
# mail ends stored exactly once, with no manual step, git fsck clean.
# RT_STORM_MAILS (300) and RT_STORM_SEED (the day) change the run.
. "$(dirname "$0")/lib.sh"

export RT_NOW=2026-11-23T10:00:00Z
N=${RT_STORM_MAILS:-300} P=4 SEED=${RT_STORM_SEED:-$(date +%j)}
[ -n "${RT_VALGRIND:-}" ] && N=20

# worker W: delivers mails W, W+P, ...; every other attempt (at random)
# is killed after a random 0-149 ms unless it ended first (a delivery
# takes 20-150 ms here, with the machine's load). Logs "mail rc" per try.
worker() {
	w=$1
	awk -v s=$((SEED * 10 + w)) 'BEGIN { srand(s); for (i = 0; i < 100000; i++)
	    if (rand() < 0.5) print "-"; else printf "0.%03d\n", int(rand() * 150) }' >delays.$w
	exec 3<delays.$w
	i=$w
	while [ $i -le $N ]; do
		n=0
		while :; do
			n=$((n + 1))
			[ $n -gt 40 ] && { echo "m$i gave up" >>log.$w; break; }
			printf 'From: c%s@example.com\nSubject: storm %s\nMessage-Id: <m%s@storm>\n\nmail %s\n' \
			    $i $i $i $i >mail.$w
			rt-ingest -q <mail.$w 2>>err.$w &
			pid=$!
			read d <&3
			[ $d = - ] || { sleep $d; kill -9 $pid 2>/dev/null; }
			wait $pid
			rc=$?
			echo "m$i $rc" >>log.$w
			[ $rc = 0 ] && break
		done
		i=$((i + P))
	done
}

# rt-gc every so often, killed at random too, until the deliveries end.
gc_loop() {
	awk -v s=$SEED 'BEGIN { srand(s); for (i = 0; i < 100000; i++)
	    printf "0.%03d\n", int(rand() * 200) }' >delays.gc
	exec 3<delays.gc
	while [ ! -f done ]; do
		rt-gc -q --no-pack 2>>err.gc &
		pid=$!
		read d <&3
		sleep $d
		kill -9 $pid 2>/dev/null
		wait $pid
		echo "gc $?" >>log.gc
		sleep 0.1
	done
}

new_desk desk || exit 1

test_expect_success "storm: $N mails, $P parallel deliveries and rt-gc, SIGKILL at random (seed $SEED)" '
	gc_loop & pids=$!
	for w in $(seq 1 $P); do worker $w & pids="$pids $!"; done
	test_when_finished "kill $pids 2>/dev/null"
	for p in ${pids#* }; do wait $p; done; : >done; wait ${pids%% *}
	cat log.[0-9]* >attempts && ! grep "gave up" attempts
'

test_expect_success 'no manual step: the next writer and rt-gc clear what the kills left' '
	printf "From: x@example.com\nSubject: after\nMessage-Id: <after@storm>\n\nx\n" | rt-ingest -q &&
	rt-gc --stale 0 >gc.out && cat gc.out &&
	find .git -name "*.lock" >locks && test_cmp /dev/null locks &&
	find .git/rt -path ".git/rt/tmp/*" >spools && test_cmp /dev/null spools &&
	git fsck --strict --no-dangling >fsck 2>&1 && test_cmp /dev/null fsck &&
	git status --porcelain --untracked-files=no >st && test_cmp /dev/null st &&
	git status --porcelain tickets >st && test_cmp /dev/null st
'

test_expect_success 'every mail is stored exactly once' '
	git grep -h "^Message-Id: <m[0-9]*@storm>" HEAD -- "tickets/*.eml" |
	    sed "s/.*<m\([0-9]*\)@.*/\1/" | sort -n >stored &&
	seq 1 $N >want && sort -n stored | uniq >unique &&
	comm -23 want unique >lost && comm -13 unique stored >dup.ids &&
	uniq -d stored >dup &&
	rt-ls --all --format "%{subject}\n" | grep -c "^storm " >nticket &&
	echo "# storm: tried $(wc -l <attempts), killed $(grep -c " 137$" attempts)," \
	    "deferred $(grep -c " 75$" attempts), other $(grep -vc " \(0\|75\|137\)$" attempts);" \
	    "lost $(wc -l <lost), duplicated $(wc -l <dup); rt-gc runs $(wc -l <log.gc)," \
	    "killed $(grep -c " 137$" log.gc); stale locks removed $(cat err.* | grep -c "removed .*lock")," \
	    "spools stored again by rt-gc: $(sed -n "s/.*, \([0-9]*\) spooled.*/\1/p" gc.out)" >figures &&
	test_cmp /dev/null lost && test_cmp /dev/null dup &&
	test $(cat nticket) = $N &&
	! grep -v " \(0\|75\|137\)$" attempts
'

[ -s figures ] && cat figures
test_done
