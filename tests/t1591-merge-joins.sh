#!/bin/sh
# rt-merge joins the duplicate's tags to the survivor's; run again on a
# ticket an older rt-merge merged (its links still name the merged id),
# it finishes that merge in one commit, and then has nothing left to do.
. "$(dirname "$0")/lib.sh"

mk() { printf 'From: %s\nTo: support@example.org\nSubject: %s\nMessage-Id: <%s@x>\n\nhi %s\n' "${2:-c@example.com}" "$1" "$1" "$1" | rt-ingest; }
# fld ID KEY: the field as rt-ls prints it (lists joined by commas)
fld() { rt-ls --all --where id="$1" --format "%{$2}\n"; }

new_desk desk || exit 1

test_expect_success 'the duplicate'"'"'s tags join the survivor'"'"'s' '
	D=$(mk dup) && I=$(mk into) &&
	rt-set $D tags+=billing >/dev/null && rt-set $D tags+=vip >/dev/null &&
	rt-set $I tags+=vip >/dev/null &&
	rt-merge $D $I >/dev/null &&
	test "$(fld $I tags)" = "vip,billing" &&
	rt-ls --tag billing --ids >ids && echo $I >expect && test_cmp expect ids
'

# The state an rt-merge before the last stop left: the merge's own events,
# without the links, watchers and tags it did not carry. Made from what
# today's rt-merge writes, by dropping those events from the logs.
test_expect_success 'setup: a merge made by an older rt-merge, links still naming the merged id' '
	OD=$(mk olddup) && OI=$(mk oldinto) && OC=$(mk oldchild) && OR=$(mk oldref) &&
	echo "$OD $OI $OC $OR" >$TRASH/ids &&
	rt-link $OC --parent $OD && rt-link $OD --refers $OR &&
	rt-set $OD tags+=legacy watchers+=w@example.org >/dev/null &&
	pre=$(git rev-parse HEAD) && rt-merge $OD $OI >/dev/null && rt-gc -q &&
	for t in $OC $OR; do
		git show $pre:$(ticket_dir $t)/log.yaml >$(ticket_dir $t)/log.yaml || return 1
	done &&
	for t in $OD $OI; do
		l=$(ticket_dir $t)/log.yaml && n=$(git show $pre:$l | wc -l) &&
		{ git show $pre:$l && sed "1,${n}d" $l |
		  grep -v "ev: link\|ev: unlink\|field: children\|field: parent\|field: refers\|field: tags\|field: watchers"; } >log.new &&
		mv log.new $l || return 1
	done &&
	git commit -qam "as an older rt-merge left it" &&
	test "$(fld $OC parent)" = $OD && test "$(fld $OR refers)" = $OD &&
	test "$(fld $OD children)" = $OC && test "$(fld $OD status)" = merged &&
	test -z "$(fld $OI tags)$(fld $OI children)"
'
read OD OI OC OR <$TRASH/ids

test_expect_success 'rt-merge(1)'"'"'s repair loop finishes it: links, tags and watchers move, one commit' '
	before=$(git rev-list --count HEAD) &&
	rt-ls --status merged --format "%{id} %{merged-into}\n" |
	while read dup into; do rt-merge "$dup" "$into" || exit 1; done >out &&
	grep -x $OI out &&
	test $(git rev-list --count HEAD) = $((before + 1)) &&
	test "$(fld $OC parent)" = $OI && test "$(fld $OI children)" = $OC &&
	test "$(fld $OR refers)" = $OI && test "$(fld $OI refers)" = $OR &&
	test -z "$(fld $OD children)$(fld $OD refers)" &&
	test "$(fld $OI tags)" = legacy && rt-show $OI | grep "^watchers *w@example.org" &&
	test "$(fld $OD status)" = merged && test "$(fld $OD merged-into)" = $OI &&
	test "$(grep -c "ev: merge" $(ticket_dir $OI)/log.yaml)" = 1
'

test_expect_success 'and then has nothing left to do: 0, no commit' '
	before=$(git rev-parse HEAD) &&
	rt-merge $OD $OI >out && echo $OI >expect && test_cmp expect out &&
	test "$(git rev-parse HEAD)" = "$before"
'

test_expect_code 65 'a merged ticket given another survivor is refused' '
	X=$(mk other) && before=$(git rev-parse HEAD) &&
	rt-merge $OD $X 2>err; rc=$?; cat err;
	grep "already merged into #$OI" err && test "$(git rev-parse HEAD)" = "$before" && exit $rc
'

test_done
