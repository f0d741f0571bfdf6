#!/bin/sh
# rt-quarantine reingest of an entry refused again within the same second
# keeps the same id: its one line says "still refused: REASON", not
# "still refused, now ID" naming the entry it started from. Identical
# input refused alike in one second is one entry (a commit each); input
# whose record differs (two payloads with the same kept head, the same
# bytes as mail and as an event) has its own entry, none written over
. "$(dirname "$0")/lib.sh"

RT_NOW=2026-11-25T10:00:00Z; export RT_NOW
new_desk desk || exit 1

test_expect_success 'a broken CSV refused twice in one second' '
	printf "\"a\",\"b\n" >bad.csv &&
	{ rt-ingest --event bad.csv 2>err; test $? = 65; } &&
	id=$(rt-quarantine --json | jq -r ".[0].id") && test -n "$id" &&
	{ rt-quarantine reingest $id 2>err; test $? = 65; } &&
	cat err &&
	grep "^rt-quarantine: $id: still refused: unterminated quoted field" err &&
	! grep "now $id" err && test $(wc -l <err) = 1 &&
	test $(rt-quarantine --json | jq length) = 1
'

test_expect_success 'the same non-mail twice in one second: one entry, both commits' '
	printf "\001not mail\n" >junk &&
	n=$(git rev-list --count HEAD) &&
	{ rt-ingest <junk 2>err1; test $? = 65; } && { rt-ingest <junk 2>err2; test $? = 65; } &&
	test $(git rev-list --count HEAD) = $((n + 2)) &&
	test_cmp err1 err2 &&
	test $(rt-quarantine --json | jq "[.[] | select(.kind == \"mail\")] | length") = 1
'

test_expect_success 'the same bytes as an event too: its own entry, the mail one kept' '
	{ rt-ingest --event junk 2>err; test $? = 65; } &&
	rt-quarantine --json >q && cat q &&
	test $(jq "[.[] | select(.size == 10)] | length" q) = 2 &&
	jq -r ".[] | select(.size == 10) | .kind" q | sort >kinds &&
	printf "event\nmail\n" >expect && test_cmp expect kinds
'

test_expect_success 'the list keeps its columns for a NAME-2 id' '
	rt-quarantine >list && cat list && grep -q "^[^ ]*-2 " list &&
	awk "{ print index(\$0, \"RECEIVED\") ? index(\$0, \"RECEIVED\") : index(\$0, \"2026-\") }" list |
	    sort -u >cols && test $(wc -l <cols) = 1 &&
	grep -c "^[^ ]*  " list >spaced && wc -l <list >lines && test_cmp lines spaced
'

# reason_at: each line's column where its REASON starts (after the SOURCE
# field, $4 with --utc, and at least one space)
reason_at() {
	awk "{ p = index(\$0, \" \" \$4 \" \") + length(\$4) + 1; r = substr(\$0, p);
	    match(r, /^ +/); print RLENGTH < 1 ? -1 : p + RLENGTH }" "$1"
}

test_expect_success 'the list keeps its columns for an event source wider than SOURCE was (12)' '
	q=quarantine/2026-11/20261125T090000Z-0123456789 && mkdir -p quarantine/2026-11 &&
	printf "{}" >$q.eml &&
	printf "reason: unknown event source\nreceived: 2026-11-25T09:00:00Z\nfile: %s\nkind: event\nsource: alertmanager\n" \
	    ${q##*/}.eml >$q.yaml &&
	rt-gc -q && git add quarantine && git commit -qm "quarantine: by an older rt" &&
	rt-quarantine --utc >list && cat list && grep -q " event/alertmanager " list &&
	reason_at list | sort -u >cols && cat cols && test $(wc -l <cols) = 1 && test "$(cat cols)" -gt 0
'

test_expect_success 'two payloads with the same kept head in one second: two entries' '
	sed -i "s/max-payload-bytes: .*/max-payload-bytes: 5000/" rt.yaml &&
	git commit -qm limit rt.yaml &&
	head=$(printf "%06000d" 0) &&
	printf "[{\"title\": \"%s\", \"n\": 1}]" $head >p1.json &&
	printf "[{\"title\": \"%s\", \"n\": 2, \"more\": 3}]" $head >p2.json &&
	{ rt-ingest --event p1.json 2>err1; test $? = 65; } &&
	{ rt-ingest --event p2.json 2>err2; test $? = 65; } &&
	q1=$(quarantined err1) && q1=${q1%.eml} &&
	q2=$(quarantined err2) && q2=${q2%.eml} &&
	test -n "$q1" && test "$q1" != "$q2" &&
	git show HEAD:$q1.yaml | grep "of $(wc -c <p1.json) bytes" &&
	git show HEAD:$q2.yaml | grep "of $(wc -c <p2.json) bytes" &&
	test "$(git rev-parse HEAD:$q1.eml)" = "$(git rev-parse HEAD:$q2.eml)"
'

test_expect_success 'and at once, four of each: one entry per record' '
	head=$(printf "%06000d" 0) &&
	printf "[{\"title\": \"%s\", \"n\": 333}]" $head >p3.json &&
	n=$(git rev-list --count HEAD) &&
	for i in 1 2 3 4; do
		{ rt-ingest --event p3.json 2>/dev/null; echo $? >>rcs; } &
		{ rt-ingest --event p2.json 2>/dev/null; echo $? >>rcs; } &
	done; wait &&
	test "$(sort -u rcs)" = 65 && test $(wc -l <rcs) = 8 &&
	test $(git rev-list --count HEAD) = $((n + 8)) &&
	rt-quarantine --json | jq -r ".[].reason" | grep -c "of $(wc -c <p3.json) bytes" >c3 &&
	rt-quarantine --json | jq -r ".[].reason" | grep -c "of $(wc -c <p2.json) bytes" >c2 &&
	test $(cat c3) = 1 && test $(cat c2) = 1
'

test_done
