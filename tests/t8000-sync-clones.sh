#!/bin/sh
# Three clones and a bare central repository: each ingests follow-ups to
# the same tickets, sets status, priority, owner and tags, comments, links,
# one merges, each sweeps escalations; then they sync in a random order,
# twice. Every clone ends with the same tickets, the same ticket.yaml files,
# every message once, no conflict markers, a clean git status, git fsck
# clean and every escalation notice sent once. Seeds are pinned (SEEDS=...
# to try others); each is printed.
. "$(dirname "$0")/lib.sh"

SEEDS=${SEEDS:-"11 23 42"}
OPS=${OPS:-8}

rt-init probe >/dev/null 2>&1 && test -f probe/.rt/format && test_set_prereq FORMAT2

. "$TEST_ROOT/sync-lib.sh"

for SEED in $SEEDS; do
	R=$SEED
	test_expect_success FORMAT2 "seed $SEED: three clones work apart, then sync in a random order twice" '
		echo "seed $SEED" &&
		setup $SEED && cd "$TRASH/s$SEED" &&
		RT_NOW=2026-11-25T08:30:00Z rt-sync --desk b -q && RT_NOW=2026-11-25T08:30:00Z rt-sync --desk c -q &&
		: >msgids && for i in 0 1 2 3 4; do echo "t$i@s$SEED" >>msgids; done &&
		RT_NOW=2026-11-25T09:00:00Z rt-merge --desk a $(cat id4) $(cat id3) >/dev/null &&
		m=10 && for n in $(seq 1 $OPS); do
			for c in a b c; do
				m=$((m + 1)) && one_op $c $n $m || exit 1
			done
		done &&
		for c in a b c; do RT_NOW=2026-11-25T11:00:00Z rt-escalate --desk $c >/dev/null 2>&1 || exit 1; done &&
		pick "a b c" "a c b" "b a c" "b c a" "c a b" "c b a" && order=$P &&
		echo "sync order: $order" &&
		for round in 1 2; do
			for c in $order; do RT_NOW=2026-11-25T11:1$round:00Z rt-sync --desk $c -q || exit 1; done
		done &&
		RT_NOW=2026-11-25T11:20:00Z rt-escalate --desk a >/dev/null &&
		for c in a b c; do RT_NOW=2026-11-25T11:21:00Z rt-sync --desk $c -q || exit 1; done &&
		check
	'
done

test_done
