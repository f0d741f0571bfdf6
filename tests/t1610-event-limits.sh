#!/bin/sh
# rt-ingest --event: per-event storage and the limits of rt.yaml ingest:
# each limit at its value (stored) and one past it (refused, 65, only the
# payload's head quarantined, no ticket written).
. "$(dirname "$0")/lib.sh"
export RT_NOW=2026-11-23T10:00:00Z

new_desk desk

# limit KEY VALUE: sets ingest.KEY in the committed rt.yaml.
limit() {
	sed -i "/^  $1:/d" rt.yaml &&
	sed -i "s/^ingest:\$/ingest:\n  $1: $2/" rt.yaml &&
	grep -q "^  $1: $2\$" rt.yaml && git commit -qm "limit $1" rt.yaml
}
# events N: a JSON array of N generic events.
events() {
	awk -v n="$1" 'BEGIN { printf "["; for (i = 1; i <= n; i++)
		printf "%s{\"title\":\"event %d\",\"from\":\"cron@h%d\"}", (i > 1 ? "," : ""), i, i;
		print "]" }'
}
tickets() { find tickets -name ticket.yaml 2>/dev/null | wc -l; }
# refused FILE KEY: exit 65, the limit named, only the head quarantined, no ticket.
refused() {
	n=$(tickets) &&
	{ rt-ingest --event "$1" >out 2>err; rc=$?; test $rc = 65 || { echo "exit $rc"; cat err; return 1; }; } &&
	grep -q "$2" err && test ! -s out && test "$(tickets)" = $n &&
	q=$(quarantined err) && test -f "$q" &&
	test $(wc -c <"$q") -le 4096 && head -c $(wc -c <"$q") "$1" | cmp - "$q" &&
	grep -q "^reason: .*$2.*kept: the first $(wc -c <"$q") of $(wc -c <"$1") bytes" "${q%.eml}.yaml" &&
	rt-gc -q && git status --porcelain --untracked-files=no >st && test_cmp /dev/null st &&
	git status --porcelain tickets quarantine >st && test_cmp /dev/null st
}

test_expect_success 'each ticket keeps its own event; the payload is kept once' '
	events 3 >three.json && rt-ingest --event three.json >ids && test $(sort -u ids | wc -l) = 3 &&
	blob=$(git hash-object three.json) && i=0 &&
	for id in $(cat ids); do
		i=$((i + 1)) &&
		grep -q "ev: event-in, file: \(msg/[^,]*\),.*part: .$i., payload: $blob" $(ticket_dir $id)/log.yaml &&
		f=$(sed -n "s/.*ev: event-in, file: \(msg\/[^,]*\),.*/\1/p" $(ticket_dir $id)/log.yaml) &&
		printf "{\"title\":\"event %d\",\"from\":\"cron@h%d\"}\n" $i $i >expect &&
		test_cmp expect $(ticket_dir $id)/$f || exit 1
	done &&
	find tickets -path "*/msg/*" -type f -exec cmp -s three.json {} \; -print >whole &&
	test $(wc -l <whole) = 1 && test "$(git cat-file blob $blob | git hash-object --stdin)" = $blob
'

test_expect_success 'each call of a CSV keeps the header and its own record' '
	printf "callid,caller_id_number,destination_number\r\nk1,+491,100\r\nk2,+492,100\r\n" >calls.csv &&
	rt-ingest --event calls.csv >ids && test $(wc -l <ids) = 2 &&
	id=$(sed -n 2p ids) && f=$(sed -n "s/.*ev: event-in, file: \(msg\/[^,]*\),.*/\1/p" $(ticket_dir $id)/log.yaml) &&
	printf "callid,caller_id_number,destination_number\r\nk2,+492,100\r\n" >expect &&
	test_cmp expect $(ticket_dir $id)/$f
'

test_expect_success 'ingest.max-events: at the limit stored' '
	limit max-events 5 && events 5 >e5.json &&
	rt-ingest --event e5.json >ids && test $(wc -l <ids) = 5
'

test_expect_success 'ingest.max-events: one past the limit refused' '
	events 6 >e6.json && refused e6.json "more than 5 events in the payload (ingest.max-events)" &&
	grep -q "^reason: .*bytes (blob $(git hash-object e6.json))" quarantine/*/*.yaml
'

test_expect_success 'ingest.max-events counts alerts, not webhooks' '
	awk "BEGIN { printf \"{\\\"status\\\":\\\"firing\\\",\\\"groupKey\\\":\\\"g\\\",\\\"alerts\\\":[\";
		for (i = 1; i <= 6; i++) printf \"%s{\\\"fingerprint\\\":\\\"f%d\\\",\\\"labels\\\":{\\\"alertname\\\":\\\"A%d\\\"}}\", (i > 1 ? \",\" : \"\"), i, i;
		print \"]}\" }" >a6.json &&
	refused a6.json "ingest.max-events"
'

test_expect_success 'ingest.max-payload-bytes: at the limit stored' '
	limit max-events 1000 &&
	printf "{\"title\":\"%s\"}" $(printf "%0200d" 0) >p.json &&
	size=$(wc -c <p.json) && limit max-payload-bytes $size &&
	rt-ingest --event p.json >id && test -s id
'

test_expect_success 'ingest.max-payload-bytes: one past the limit refused' '
	printf "{\"title\":\"%s\"}" $(printf "%0201d" 0) >p1.json &&
	refused p1.json "event payload too large ($(wc -c <p1.json) bytes, limit $(($(wc -c <p1.json) - 1)): ingest.max-payload-bytes)" &&
	{ yes "{\"title\":\"x\"}" | head -c 300000 | rt-ingest --event; test $? = 65; } 2>err &&
	grep -q "too large (300000 bytes" err && q=$(quarantined err) &&
	test $(wc -c <"$q") = $(($(wc -c <p1.json))) && test -z "$(ls "$(git rev-parse --git-dir)/rt/tmp")"
'

test_expect_success 'ingest.max-json-depth: at the limit stored' '
	limit max-payload-bytes 10485760 && limit max-json-depth 5 &&
	echo "{\"title\":\"deep\",\"x\":[[[{\"y\":1}]]]}" >d5.json &&
	rt-ingest --event d5.json >id && test -s id
'

test_expect_success 'ingest.max-json-depth: one past the limit refused' '
	echo "{\"title\":\"deeper\",\"x\":[[[[{\"y\":1}]]]]}" >d6.json &&
	refused d6.json "JSON nested deeper than 5 levels (ingest.max-json-depth)"
'

test_expect_success 'ingest.max-json-depth: brackets inside strings do not count' '
	echo "{\"title\":\"[[[[[[[[{{{{{{ \\\" [[[[[[\"}" >s.json &&
	rt-ingest --event s.json >id && test -s id
'

test_expect_success 'ingest.max-csv-fields: at the limit stored' '
	limit max-csv-fields 4 &&
	printf "callid,caller_id_number,destination_number,start\nf1,+491,100,x\n" >f4.csv &&
	rt-ingest --event f4.csv >id && test -s id
'

test_expect_success 'ingest.max-csv-fields: one past the limit refused' '
	printf "callid,caller_id_number,destination_number,start\nf2,+491,100,x,y\n" >f5.csv &&
	refused f5.csv "CSV line 2 has more than 4 fields (ingest.max-csv-fields)"
'

test_expect_success 'ingest.max-csv-fields: a line of commas is refused at once' '
	awk "BEGIN { for (i = 0; i < 200000; i++) printf \",,,,,\"; print \"\" }" >commas.csv &&
	refused commas.csv "CSV line 1 has more than 4 fields"
'

test_expect_success 'ingest.max-line-bytes: at the limit stored (CSV record, log line)' '
	limit max-csv-fields 256 && limit max-line-bytes 50 &&
	printf "caller_id_number,destination_number\n+4930%041d,100\n" 0 >l50.csv &&
	test $(sed -n 2p l50.csv | wc -c) = 51 &&
	rt-ingest --event l50.csv >id && test -s id &&
	printf "[1700000000] HOST ALERT: db;DOWN;HARD;1;%010d\n" 0 >l50.log &&
	test $(wc -c <l50.log) = 51 &&
	rt-ingest --event l50.log >id && test -s id
'

test_expect_success 'ingest.max-line-bytes: one past the limit refused' '
	printf "caller_id_number,destination_number\n+4930%042d,100\n" 0 >l51.csv &&
	refused l51.csv "CSV line 2 is longer than 50 bytes (ingest.max-line-bytes)" &&
	printf "[1700000000] HOST ALERT: db;DOWN;HARD;1;%011d\n" 0 >l51.log &&
	refused l51.log "log line 1 is longer than 50 bytes (ingest.max-line-bytes)"
'

test_expect_success 'an open quote after good records stores nothing and leaks nothing' '
	limit max-line-bytes 65536 &&
	printf "callid,caller_id_number,destination_number\nq1,+491,100\nq2,\"+492,100\n" >open.csv &&
	n=$(tickets) && test_expect_rc() { "$@"; test $? = 65; } &&
	test_expect_rc rt-ingest --event open.csv 2>err &&
	grep -q "unterminated quoted field in CSV line 3" err && test "$(tickets)" = $n
'

if [ -d "$CORPUS/events/phone-cdr" ]; then
test_expect_code 65 'the corpus CSV with an open quote is refused' '
	rt-ingest --event "$CORPUS/events/phone-cdr/asterisk_cdr_buggy.csv"
'
else
test_skip 'the corpus CSV with an open quote is refused' 'no ../shared/corpus'
fi

test_done
