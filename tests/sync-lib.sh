# tests/sync-lib.sh: clones that work apart and sync (t8000-sync-*.sh).
# setup SEED makes $TRASH/sSEED with central.git and clones a (the
# escalation sweeper, tickets T0..T4 in id0..id4), b and c; one_op CLONE N
# MINUTE does a random operation (R is the seed's sequence); check says
# whether the three clones agree and are clean.

mail() { # MSGID SUBJECT BODY
	printf 'From: kunde@example.com\nTo: support@example.org\nSubject: %s\nMessage-Id: <%s>\n\n%s\n' \
	    "$2" "$1" "$3"
}
# rnd N: RN, a number below N from the seed's sequence (R); pick WORD...: P, one of them
rnd() { R=$(( (R * 1103515245 + 12345) % 2147483648 )); RN=$(( (R / 65536) % $1 )); }
pick() { rnd $#; shift $RN; P=$1; }

# setup SEED [nocascade]: central.git, clone a (the sweeper) with tickets
# T0..T4, b, c; resolving a parent cascades unless nocascade
setup() {
	rm -rf "$TRASH/s$1" && mkdir "$TRASH/s$1" && cd "$TRASH/s$1" &&
	new_desk a >/dev/null && cd .. &&
	cat >>a/rt.yaml <<-EOC &&
	workflows:
	  default:
	    cascade: $([ "${2:-}" = nocascade ] && echo false || echo true)
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
	rnd 5 && read -r T <id$RN && read -r _t0 <id0	# (read: no cat process an op)
	rnd 8
	case $RN in
	0|1) pick "More info." "My lawyer agrees." "Still down." &&
		mail "$_c$_n@s$SEED" "Re: [Test #$T] ticket" "$P" |
		RT_NOW=$_t rt-ingest --desk $_c >/dev/null && echo "$_c$_n@s$SEED" >>msgids ;;
	2) pick open waiting resolved && RT_NOW=$_t rt-set --desk $_c $T status=$P >/dev/null ;;
	3) pick low normal high urgent && _p=$P && pick anna bob carl &&
		RT_NOW=$_t rt-set --desk $_c $T priority=$_p owner=$P >/dev/null ;;
	4) pick x y z && _p=$P && pick x y z &&
		RT_NOW=$_t rt-set --desk $_c $T tags+=$_p tags-=$P >/dev/null ;;
	5) RT_NOW=$_t rt-comment --desk $_c -m "note $_c$_n" $T >/dev/null ;;
	6) [ "$T" = "$_t0" ] || RT_NOW=$_t rt-link --desk $_c $T --parent $_t0 >/dev/null ;;
	7) pick resolved open && RT_NOW=$_t rt-set --desk $_c $_t0 status=$P >/dev/null ;;
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
			cmp "a/$(ticket_dir $id a)/ticket.yaml" "$c/$(ticket_dir $id $c)/ticket.yaml" ||
				{ echo "#$id: ticket.yaml differs in $c"; return 1; }
		done
	done &&
	# every message once in the tickets that live on (not merged into another)
	rt-ls --desk a --all --format '%{id} %{merged-into}\n' | awk 'NF == 1 { print $1 }' >live &&
	# (one awk over the live tickets' mails, not a cat and a grep for every
	# message in every ticket: 650 processes, 20 s a check on a loaded host)
	files= &&
	for id in $(cat live); do
		for f in "a/$(ticket_dir $id a)"/msg/*.eml; do
			if [ -f "$f" ]; then files="$files $f"; fi
		done
	done &&
	awk 'FILENAME == ARGV[1] { n["Message-Id: <" $0 ">"] = 0; next }
	    $0 in n { n[$0]++ }
	    END { for (m in n) if (n[m] != 1) { print m " stored " n[m] " times"; bad = 1 }
		exit bad }' msgids $files /dev/null &&
	# every escalation notice once, and one per step the tickets hold
	awk '/^X-RT-Ticket: / { t = $2 } /^X-RT-Escalation: / { print t, $2 }' sent 2>/dev/null | sort >notices &&
	sort notices | uniq -d >twice && test_cmp /dev/null twice &&
	rt-ls --desk a --all --format '%{id} %{esc-steps}\n' | awk '{ n = split($2, s, ","); for (i = 1; i <= n; i++) if (s[i] != "") print $1, s[i] }' | sort >steps &&
	test_cmp steps notices
}

