#!/bin/sh
# rt-link, cascading resolution and rt-merge
. "$(dirname "$0")/lib.sh"

new_desk || exit 1
mk() { printf 'From: %s\nTo: support@example.org\nSubject: %s\nMessage-Id: <%s@x>\n\nhi %s\n' "${2:-c@example.com}" "$1" "$1" "$1" | rt-ingest; }
field() { sed -n "s/^$2: //p" $(ticket_dir $1)/ticket.yaml | tr -d "'"; }

test_expect_success 'setup' '
	mk p >$TRASH/p && mk a >$TRASH/a && mk b >$TRASH/b && mk q >$TRASH/q
'
P=$(cat $TRASH/p) A=$(cat $TRASH/a) B=$(cat $TRASH/b) Q=$(cat $TRASH/q)

test_expect_success '--parent: both tickets in one commit' '
	before=$(git rev-list --count HEAD) &&
	rt-link $A --parent $P >out && echo $A >expect && test_cmp expect out &&
	test $(git rev-list --count HEAD) = $((before + 1)) &&
	test "$(field $A parent)" = "$P" &&
	test "$(field $P children)" = "[$A]" &&
	git log -1 --format=%B >msg &&
	grep "^link: #$A link parent #$P$" msg && grep "^Also: $P$" msg &&
	grep "ev: link, rel: parent, ticket: .\?$P" $(ticket_dir $A)/log.yaml &&
	grep "ev: link, rel: child, ticket: .\?$A" $(ticket_dir $P)/log.yaml
'
test_expect_success '--child, ids from stdin; relinking is a no-op' '
	echo $P | rt-link --child $B >out && echo $P >expect && test_cmp expect out &&
	test "$(field $P children)" = "[$A, $B]" &&
	before=$(git rev-parse HEAD) &&
	rt-link $B --parent $P && test "$(git rev-parse HEAD)" = "$before"
'
test_expect_success 'a cycle is refused' '
	before=$(git rev-parse HEAD) &&
	test_must_fail rt-link $P --parent $A 2>err && grep "cycle" err &&
	test_must_fail rt-link $P --parent $P &&
	test "$(git rev-parse HEAD)" = "$before"
'
test_expect_success 'moving a child to a new parent updates the old one in the same commit' '
	rt-link $B --parent $Q &&
	test "$(field $P children)" = "[$A]" && test "$(field $Q children)" = "[$B]" &&
	git show --stat --format= HEAD | grep -c log.yaml >n && echo 3 >expect && test_cmp expect n &&
	rt-link $B --parent $P
'
test_expect_success '--refers both ways, --remove' '
	rt-link $A --refers $Q &&
	test "$(field $A refers)" = "[$Q]" && test "$(field $Q refers)" = "[$A]" &&
	rt-link --remove $A --refers $Q &&
	test -z "$(field $A refers)" && test -z "$(field $Q refers)" &&
	grep "ev: unlink, rel: refers" $(ticket_dir $Q)/log.yaml
'
test_expect_success 'resolving a parent with --cascade resolves open children' '
	rt-set $A status=open && rt-set $B status=closed &&
	rt-set --cascade $P status=resolved >out &&
	printf "%s\n%s\n" $P $A >expect && test_cmp expect out &&
	test "$(field $A status)" = resolved && test "$(field $B status)" = closed
'
test_expect_success 'workflow cascade: true does it without the option' '
	cat >>rt.yaml <<-\EOC &&
	workflows:
	  default:
	    cascade: true
	EOC
	rt-set $P $A status=open >/dev/null &&
	rt-set $P status=closed >out &&
	printf "%s\n%s\n" $P $A >expect && test_cmp expect out &&
	test "$(field $A status)" = closed
'
test_expect_success 'rt-set(1)'"'"'s cascade example as written, resolution uncommented in rt.yaml as the page says' '
	cp rt.yaml rt.yaml.keep && test_when_finished "cp rt.yaml.keep rt.yaml && git commit -qm back rt.yaml" &&
	sed -i "s/^#fields:/fields:/; s/^#  resolution:/  resolution:/" rt.yaml && git commit -qm fields rt.yaml &&
	mk op >op && mk oc >oc && OP=$(cat op) OC=$(cat oc) &&
	rt-link $OC --parent $OP && rt-set $OP tags+=outage >/dev/null &&
	rt-ls --tag outage --ids | rt-set --cascade resolution=fixed status=resolved &&
	test "$(field $OP status)" = resolved && test "$(field $OC status)" = resolved &&
	test "$(field $OP resolution)" = fixed
'
test_expect_success 'unlinking a parent' '
	rt-link --remove $A --parent $P &&
	test -z "$(field $A parent)" && test "$(field $P children)" = "[$B]"
'

test_expect_success 'merge: one commit; messages, events and requestors move' '
	D=$(RT_NOW=2026-11-23T10:00:00Z mk dup d@example.net) && I=$(RT_NOW=2026-11-23T11:00:00Z mk into) && echo $D >$TRASH/d && echo $I >$TRASH/i &&
	RT_NOW=2026-11-23T12:00:00Z rt-comment -m "dup note" $D >/dev/null &&
	before=$(git rev-list --count HEAD) &&
	rt-merge $D $I >out && echo $I >expect && test_cmp expect out &&
	test $(git rev-list --count HEAD) = $((before + 1)) &&
	git log -1 --format=%s | grep "^merge: #$D into #$I$" &&
	test "$(field $D status)" = merged && test "$(field $D merged-into)" = "$I" &&
	test "$(field $I merged)" = "[$D]" &&
	test "$(field $I requestors)" = "[c@example.com, d@example.net]" &&
	for f in $(cd $(ticket_dir $D) && ls msg); do
		cmp $(ticket_dir $D)/msg/$f $(ticket_dir $I)/msg/$f || return 1
	done &&
	grep "message-id: dup@x.*merged-from: .\?$D" $(ticket_dir $I)/log.yaml &&
	rt-show --raw 1 $I | grep "hi dup" && rt-show --raw 2 $I | grep "hi into" &&
	rt-show $I | grep -A1 "comment by" | grep "dup note"
'
D=$(cat $TRASH/d) I=$(cat $TRASH/i)
test_expect_success 'merged ids resolve to the target' '
	rt-show --raw 2 $D | grep "hi into" &&
	rt-set $D priority=high >out && echo $I >expect && test_cmp expect out &&
	test "$(field $I priority)" = high
'
test_expect_success 'a follow-up to the duplicate lands on the target' '
	printf "From: d@example.net\nSubject: Re: dup\nIn-Reply-To: <dup@x>\nMessage-Id: <dup2@x>\n\nmore\n" |
	    rt-ingest >out && echo $I >expect && test_cmp expect out &&
	printf "From: d@example.net\nSubject: [Test #$D] again\nMessage-Id: <dup3@x>\n\nmore\n" |
	    rt-ingest >out && test_cmp expect out
'
test_expect_success 'merged tickets are hidden from rt-ls unless asked' '
	! rt-ls --ids | grep $D && rt-ls --ids --status merged >out &&
	echo $D >expect && test_cmp expect out
'
test_expect_success 'merging again changes nothing; into another ticket or itself is refused' '
	before=$(git rev-parse HEAD) &&
	rt-merge $D $I >out && echo $I >expect && test_cmp expect out &&
	test_must_fail rt-merge $D $(cat $TRASH/q) 2>err && grep "already merged" err &&
	test_must_fail rt-merge $I $D 2>err &&
	test_must_fail rt-merge $I $I &&
	test "$(git rev-parse HEAD)" = "$before"
'
test_expect_success 'merging a parent into its child: the child is not its own parent' '
	mk mp >mp && mk mc >mc && MP=$(cat mp) MC=$(cat mc) &&
	rt-link $MC --parent $MP && rt-merge $MP $MC &&
	rt-show $MC >show && ! grep "^parent" show &&
	test -z "$(field $MC parent)" && test -z "$(field $MP children)" &&
	grep "ev: unlink, rel: parent, ticket: .\?$MP" $(ticket_dir $MC)/log.yaml
'
test_expect_success 'merging a child into its parent, or a referring ticket: the link goes' '
	mk rp >rp && mk rc >rc && mk r1 >r1 && RP=$(cat rp) RC=$(cat rc) R1=$(cat r1) &&
	rt-link $RC --parent $RP && rt-merge $RC $RP &&
	rt-show $RP >show && ! grep "^children" show && test -z "$(field $RP children)" &&
	rt-link $R1 --refers $RP && rt-merge $R1 $RP &&
	rt-show $RP >show && ! grep "^refers" show && test -z "$(field $RP refers)"
'
test_expect_success 'merge carries the duplicate'"'"'s other links and watchers to the survivor, in the one commit' '
	for t in lg ld lc1 lc2 lr li; do mk $t >$t || return 1; done &&
	LG=$(cat lg) LD=$(cat ld) LC1=$(cat lc1) LC2=$(cat lc2) LR=$(cat lr) LI=$(cat li) &&
	rt-link $LD --parent $LG && echo "$LC1 $LC2" | tr " " "\n" | rt-link --parent $LD &&
	rt-link $LD --refers $LR && rt-set $LD watchers+=w@example.org >/dev/null &&
	rt-merge -n $LD $LI | cut -d" " -f1 | sort >planned &&
	printf "%s\n" $LG $LD $LC1 $LC2 $LR $LI | sort >expect && test_cmp expect planned &&
	before=$(git rev-list --count HEAD) &&
	rt-merge $LD $LI >out && test $(git rev-list --count HEAD) = $((before + 1)) &&
	test "$(field $LI parent)" = "$LG" && test "$(field $LG children)" = "[$LI]" &&
	test "$(field $LC1 parent)" = "$LI" && test "$(field $LC2 parent)" = "$LI" &&
	test "$(field $LI children)" = "[$LC1, $LC2]" &&
	test "$(field $LI refers)" = "[$LR]" && test "$(field $LR refers)" = "[$LI]" &&
	rt-show $LI | grep "^watchers *w@example.org" &&
	test -z "$(field $LD parent)$(field $LD children)$(field $LD refers)" &&
	grep "ev: link, rel: parent, ticket: .\?$LI" $(ticket_dir $LC1)/log.yaml &&
	grep "ev: link, rel: refers, ticket: .\?$LI" $(ticket_dir $LR)/log.yaml &&
	rt-link $LC1 --parent $LG 2>err && test "$(field $LI children)" = "[$LC2]"
'
test_expect_success 'merge: a survivor with a parent keeps it, and never becomes its own ancestor; no link keeps the merged id' '
	for t in kp kd kq ki; do mk $t >$t || return 1; done &&
	KP=$(cat kp) KD=$(cat kd) KQ=$(cat kq) KI=$(cat ki) &&
	rt-link $KD --parent $KP && rt-link $KI --parent $KQ &&
	rt-link $KQ --parent $KD &&
	rt-merge $KD $KI >/dev/null &&
	test "$(field $KI parent)" = "$KQ" && test "$(field $KQ children)" = "[$KI]" &&
	test -z "$(field $KD parent)$(field $KD children)$(field $KP children)$(field $KQ parent)" &&
	test -z "$(field $KI children)" &&
	grep "ev: unlink, rel: child, ticket: .\?$KD" $(ticket_dir $KP)/log.yaml &&
	grep "ev: unlink, rel: parent, ticket: .\?$KD" $(ticket_dir $KQ)/log.yaml
'
test_done
