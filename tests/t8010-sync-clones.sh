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

mail() { # MSGID SUBJECT BODY
	printf 'From: kunde@example.com\nTo: support@example.org\nSubject: %s\nMessage-Id: <%s>\n\n%s\n' \
	    "$2" "$1" "$3"
}
# rnd N: a number below N from the seed's sequence (R)
rnd() { R=$(( (R * 1103515245 + 12345) % 2147483648 )); echo $(( (R / 65536) % $1 )); }
pick() { shift $(rnd $#); echo "$1"; }

# setup SEED: central.git, clone a (the sweeper) with tickets T0..T4, b, c
setup() {
	rm -rf "$TRASH/s$1" && mkdir "$TRASH/s$1" && cd "$TRASH/s$1" &&
	new_desk a >/dev/null && cd .. &&
	cat >>a/rt.yaml <<-EOC &&
	workflows:
	  default:
	    cascade: true
	sla:
	  policies:
	    - {name: standard, first-response: 1h}
	escalation:
	  sweeper: a
	  mailer: sendmail://$TRASH/s$1/standin
	  levels:
	    - {name: lead, notify: [lead@example.org]}
	  triggers:
	    - {on: "first-response:breach", level: 1}
	    - {on: phrase, name: lawyer, level: 1, phrases: [lawyer]}
	EOC
	printf '#!/bin/sh\ncat >>"%s/sent"\n' "$TRASH/s$1" >standin && chmod +x standin &&
	git -C a commit -qm "escalation, swept by a" rt.yaml &&
	for i in 0 1 2 3 4; do
		mail "t$i@s$1" "ticket $i" "Hello $i." | RT_NOW=2026-11-25T08:0$i:00Z rt-ingest --desk a >id$i ||
			return 1
	done &&
	git clone -q --bare a central.git && git -C a remote add origin "$TRASH/s$1/central.git" &&
	git -C a config rt.clone a &&
	git clone -q central.git b && git -C b config rt.clone b &&
	git clone -q central.git c && git -C c config rt.clone c &&
	rm -f sent
}

# one_op CLONE N MINUTE: a random operation in CLONE at 09:MINUTE
one_op() {
	_c=$1 _n=$2 _t=2026-11-25T09:$3:00Z
	T=$(cat id$(rnd 5))
	case $(rnd 8) in
	0|1) mail "$_c$_n@s$SEED" "Re: [Test #$T] ticket" "$(pick "More info." "My lawyer agrees." "Still down.")" |
		RT_NOW=$_t rt-ingest --desk $_c >/dev/null ;;
	2) RT_NOW=$_t rt-set --desk $_c $T status=$(pick open waiting resolved) >/dev/null ;;
	3) RT_NOW=$_t rt-set --desk $_c $T priority=$(pick low normal high urgent) owner=$(pick anna bob carl) >/dev/null ;;
	4) RT_NOW=$_t rt-set --desk $_c $T tags+=$(pick x y z) tags-=$(pick x y z) >/dev/null ;;
	5) RT_NOW=$_t rt-comment --desk $_c -m "note $_c$_n" $T >/dev/null ;;
	6) [ "$T" = "$(cat id0)" ] || RT_NOW=$_t rt-link --desk $_c $T --parent $(cat id0) >/dev/null ;;
	7) RT_NOW=$_t rt-set --desk $_c $(cat id0) status=$(pick resolved open) >/dev/null ;;
	esac
}

# check: the three clones agree and are clean
check() {
	for c in a b c; do
		rt-ls --desk $c --all --json >$c.json || return 1
		test -z "$(git -C $c status --porcelain)" || { echo "$c: git status"; git -C $c status --short; return 1; }
		test ! -e $c/.git/MERGE_HEAD || { echo "$c: merge in progress"; return 1; }
		git -C $c fsck --no-dangling --no-progress || return 1
		! git -C $c grep -q -e "^<<<<<<< " -e "^>>>>>>> " -- tickets || { echo "$c: conflict markers"; return 1; }
	done &&
	test_cmp a.json b.json && test_cmp a.json c.json &&
	rt-ls --desk a --all --ids >ids &&
	for id in $(cat ids); do
		for c in b c; do
			cmp "$(ticket_dir $id a)/ticket.yaml" "$(ticket_dir $id $c)/ticket.yaml" ||
				{ echo "#$id: ticket.yaml differs in $c"; return 1; }
		done
	done &&
	# every message once in the tickets that live on
	rt-ls --desk a --all --format '%{id} %{status}\n' | awk '$2 != "merged" { print $1 }' >live &&
	for m in $(cat msgids); do
		n=0
		for id in $(cat live); do
			k=$(cat "$(ticket_dir $id a)"/msg/*.eml 2>/dev/null | grep -c "^Message-Id: <$m>$")
			n=$((n + k))
		done
		test $n = 1 || { echo "<$m> stored $n times"; return 1; }
	done &&
	# every escalation notice once, and one per step the logs hold
	awk '/^X-RT-Ticket: / { t = $2 } /^X-RT-Escalation: / { print t, $2 }' sent 2>/dev/null | sort >notices &&
	sort notices | uniq -d >twice && test_cmp /dev/null twice &&
	rt-ls --desk a --all --format '%{id} %{esc-steps}\n' | awk '{ n = split($2, s, ","); for (i = 1; i <= n; i++) if (s[i] != "") print $1, s[i] }' | sort >steps &&
	test_cmp steps notices
}

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
				echo "$c$n@s$SEED" >>msgids
			done
		done &&
		for c in a b c; do RT_NOW=2026-11-25T11:00:00Z rt-escalate --desk $c >/dev/null 2>&1 || exit 1; done &&
		order=$(for c in a b c; do echo "$(rnd 1000) $c"; done | sort -n | awk "{ print \$2 }") &&
		echo "sync order: $order" $order &&
		for round in 1 2; do
			for c in $order; do RT_NOW=2026-11-25T11:1$round:00Z rt-sync --desk $c -q || exit 1; done
		done &&
		grep -l "" msgids >/dev/null && cat msgids | while read m; do
			git -C a log --all --format=%b | grep -q "^Message-Id: $m$" || sed -i "/^$m$/d" msgids
		done &&
		check
	'
done

test_done
