#!/bin/sh
# rt-quarantine: list, show and re-ingest what rt-ingest kept in quarantine/
. "$(dirname "$0")/lib.sh"

new_desk || exit 1

test_expect_success 'setup: junk mail and an event payload nobody understands' '
	printf "\033[31mjunk\033]0;title\007 with controls\n\302\233 and a C1 CSI\n" >junk &&
	{ RT_NOW=2026-11-25T09:00:00Z rt-ingest <junk 2>err; test $? = 65; } &&
	printf "{\"foo\": 1}\n" >foo.json &&
	{ RT_NOW=2026-11-25T09:05:00Z rt-ingest --event foo.json 2>err; test $? = 65; } &&
	test $(git ls-tree -r --name-only HEAD quarantine | grep -c "\.yaml$") = 2
'

test_expect_success 'the list shows time, size, kind and reason, oldest first' '
	rt-quarantine >out &&
	head -1 out | grep "^ID  *RECEIVED  *SIZE  *SOURCE  *REASON$" &&
	test $(wc -l <out) = 3 &&
	sed -i "s|^  timezone: UTC$|  timezone: Europe/Berlin|" rt.yaml &&
	rt-quarantine | grep "2026-11-25T10:00:00+01:00" &&
	rt-quarantine --utc | grep "2026-11-25T09:00:00Z" &&
	git checkout -q rt.yaml &&
	sed -n 2p out | grep "2026-11-25T09:00:00Z .* $(wc -c <junk) mail " &&
	sed -n 3p out | grep "2026-11-25T09:05:00Z .* $(wc -c <foo.json) event .*no event in the payload" &&
	! grep -q "$(printf "\033")" out
'

test_expect_success 'the list as JSON' '
	rt-quarantine --json >out.json &&
	python3 -c "import json,sys; a=json.load(open(\"out.json\")); assert len(a)==2, a; \
	    assert a[1][\"kind\"]==\"event\" and a[1][\"received\"]==\"2026-11-25T09:05:00Z\", a; \
	    assert a[0][\"size\"]==$(wc -c <junk), a; print(a[0][\"id\"])" >id0 &&
	test -s id0
'

test_expect_success 'show never writes control characters, --raw is byte-exact' '
	id=$(cat id0) &&
	rt-quarantine show $id >out &&
	grep "^reason " out && grep "^kind         mail$" out &&
	grep "\\\\x1B\[31mjunk" out && grep "\\\\u009B and a C1 CSI" out &&
	! grep -q "$(printf "\033")" out && ! grep -q "$(printf "\007")" out &&
	! grep -q "$(printf "\302\233")" out &&
	rt-quarantine show --raw ${id%??????} >raw && cmp raw junk &&
	rt-quarantine show --bytes 4 $id >short && grep "more bytes" short
'

test_expect_code 66 'an unknown id is an error naming it' '
	rt-quarantine show 19990101 2>err; rc=$?; grep "no quarantine entry .19990101." err >&2; exit $rc
'

test_expect_success 'an event an older rt refused re-ingests into a ticket; the entry goes' '
	q=quarantine/2026-11/20261120T080000Z-0123456789 &&
	mkdir -p quarantine/2026-11 &&
	cp "$FIXTURES/events/alertmanager/prometheus-msteams_prom_post_request.json" $q.eml &&
	printf "reason: unknown event source\nreceived: 2026-11-20T08:00:00Z\nfile: %s\nkind: event\nsource: alertmanager\n" \
	    ${q##*/}.eml >$q.yaml &&
	rt-gc -q && git add quarantine && git commit -qm "quarantine: by an older rt" &&
	rt-quarantine >out && grep "^20261120T080000Z-0123456789 .* event/alertmanager *unknown event source" out &&
	before=$(git rev-list --count HEAD) &&
	RT_NOW=2026-11-25T10:00:00Z rt-quarantine reingest 20261120T08 >tid &&
	grep -E "^[0-9A-Z]{8}$" tid &&
	rt-show $(cat tid) >/dev/null &&
	test $(git rev-list --count HEAD) = $((before + 2)) &&
	git log -1 --format=%s >subj &&
	echo "quarantine: 20261120T080000Z-0123456789 re-ingested as #$(head -1 tid)" >expect && test_cmp expect subj &&
	! git ls-tree -r --name-only HEAD quarantine | grep -q 20261120T08 && test ! -e $q.eml &&
	test $(rt-quarantine | wc -l) = 3
'

test_expect_success 'an event quarantined for its size re-ingests once the limit allows it' '
	cp "$FIXTURES/events/pagerduty/events-v2_acknowledge.json" big.json &&
	sed -i "s/^  max-payload-bytes: .*/  max-payload-bytes: 100/" rt.yaml && git commit -qm limit rt.yaml &&
	{ RT_NOW=2026-11-25T11:00:00Z rt-ingest --event big.json 2>err; test $? = 65; } &&
	id=$(rt-quarantine --json | python3 -c "import json,sys; print([e[\"id\"] for e in json.load(sys.stdin) if e[\"received\"]==\"2026-11-25T11:00:00Z\"][0])") &&
	sed -i "s/^  max-payload-bytes: 100 *$/  max-payload-bytes: 100000/" rt.yaml && git commit -qm "no limit" rt.yaml &&
	git show HEAD:$(git ls-tree -r --name-only HEAD quarantine | grep "$id.yaml") >meta &&
	if grep -q "^kept:" meta || grep -q "kept: the first" meta; then
		# only its head was kept: refused, the entry stays
		test_must_fail rt-quarantine reingest $id 2>err &&
		grep "only part of the input was kept" err &&
		git ls-tree -r --name-only HEAD quarantine | grep -q "$id"
	else
		rt-quarantine reingest $id >tid &&
		grep -E "^[0-9A-Z]{8}$" tid && rt-show $(cat tid) >/dev/null &&
		! git ls-tree -r --name-only HEAD quarantine | grep -q "$id"
	fi
'

test_expect_success 'an entry kept only in part is listed as such and never re-ingested' '
	mkdir -p quarantine/2026-10 &&
	printf "{\"alerts\": [" >quarantine/2026-10/20261001T000000Z-aaaaaaaaaa.eml &&
	printf "reason: \"event payload too large; kept: the first 12 of 90000 bytes\"\nreceived: 2026-10-01T00:00:00Z\nfile: 20261001T000000Z-aaaaaaaaaa.eml\n" \
	    >quarantine/2026-10/20261001T000000Z-aaaaaaaaaa.yaml &&
	printf "From: a@b.example\nSubject: big\n" >quarantine/2026-10/20261001T000001Z-bbbbbbbbbb.eml &&
	printf "reason: mail too large\nreceived: 2026-10-01T00:00:01Z\nfile: 20261001T000001Z-bbbbbbbbbb.eml\nsize: 90000000\nkept: headers only\n" \
	    >quarantine/2026-10/20261001T000001Z-bbbbbbbbbb.yaml &&
	rt-gc -q && git add quarantine && git commit -qm "quarantine: partial" &&
	rt-quarantine >out &&
	grep "^20261001T000000Z-aaaaaaaaaa .* \[partial\]$" out &&
	grep "^20261001T000001Z-bbbbbbbbbb .*85M mail .*mail too large \[partial\]$" out &&
	before=$(git rev-parse HEAD) &&
	test_must_fail rt-quarantine reingest 20261001T000000Z 2>err &&
	grep "only part of the input was kept (the first 12 of 90000 bytes)" err &&
	test_must_fail rt-quarantine reingest 20261001T000001Z 2>err &&
	grep "only part of the input was kept (headers only)" err &&
	test $(git rev-parse HEAD) = $before
'

test_expect_success 'refused again: one entry, with the new reason' '
	id=$(cat id0) &&
	test_must_fail env RT_NOW=2026-11-26T08:00:00Z rt-quarantine reingest $id 2>err &&
	grep "still refused" err &&
	! git ls-tree -r --name-only HEAD quarantine | grep -q "$id" &&
	rt-quarantine >out && test $(grep -c "fddb18735d " out) = 1 &&
	grep "2026-11-26T08:00:00Z" out
'

# the candidates sorted (lib.sh: complete_words)
complete_sorted() { complete_words "$@" | sort; }

test_expect_success BASH 'bash completes the subcommands and the entry ids' '
	complete_sorted rt-quarantine "" >out &&
	printf "list\nreingest\nshow\n" >expect && test_cmp expect out &&
	complete_sorted rt quarantine "" >out && test_cmp expect out &&
	complete_sorted rt-quarantine show 2026112 >out &&
	rt-quarantine --json | grep -o "\"id\": *\"2026112[^\"]*\"" | cut -d\" -f4 | sort >expect &&
	test -s expect && test_cmp expect out
'

test_expect_success 'usage errors' '
	test_must_fail rt-quarantine frobnicate 2>err && grep "unknown subcommand" err &&
	test_must_fail rt-quarantine show 2>err &&
	test_must_fail rt-quarantine reingest 2>err
'

test_done
