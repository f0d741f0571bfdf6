#!/bin/sh
# rt-ingest on every real mail of the shared corpus: stored or quarantined, never lost
. "$(dirname "$0")/lib.sh"

test_expect_success 'the vendored fixtures match their recorded sha256' '
	sed "1,/^path	/d" "$FIXTURES/README" >list && test -s list &&
	while IFS="	" read -r path bytes sum _; do
		test "$(wc -c <"$FIXTURES/$path")" = "$bytes" &&
		echo "$sum  $FIXTURES/$path" | sha256sum -c --quiet || exit 1
	done <list &&
	(cd "$FIXTURES" && find mail events -type f | sort) >have &&
	cut -f1 list | sort >want && test_cmp want have
'

test_expect_success CORPUS 'the vendored fixtures are the corpus files of the same path' '
	while IFS="	" read -r path _ _ origin _; do
		case $origin in hand-made*) continue ;; esac
		cmp "$FIXTURES/$path" "$CORPUS/$path" || exit 1
	done <list
'

new_desk desk || exit 1

# one_by_one: each mail of the list (PATH TAGS) its own rt-ingest, as
# an MTA delivers it (an mbox file --mbox); results gets "STATUS IDS PATH"
one_by_one() {
	while IFS="	" read -r path tags; do
		f="$CORPUS/$path"
		case ",$tags," in
		*,multi-message-file,*) rt-ingest --mbox "$f" >out 2>err ;;
		*) rt-ingest <"$f" >out 2>err ;;
		esac
		rc=$?
		echo "$rc $(wc -l <out) $path" >>results
		case $rc in
		0) test -s out || { echo "no id for $path"; return 1; } ;;
		65) grep -q "kept in quarantine as " err || { echo "no reason for $path"; cat err; return 1; } ;;
		*) echo "exit $rc for $path"; cat err; return 1 ;;
		esac
	done
}
# batched: the same, but each run of single mails of one source in one
# rt-ingest --maildir, named in list order, so stored in that order; a
# mail's status is its quarantine line (which names its file), else the
# next id. Under ASan a process's start and exit cost more than most
# mails (713 processes were ~150 s of CI); the plain run keeps one a mail.
batched() {
	awk -F'\t' '{ s = $1; sub(/^mail\//, "", s); sub(/\/.*/, "", s)
		m = ("," $2 ",") ~ /,multi-message-file,/
		if (m || s != last) g++
		last = m ? "" : s
		print g "\t" (m ? "mbox" : "mail") "\t" $1 "\t" $2 }' >plan &&
	for g in $(cut -f1 plan | uniq); do
		awk -F'\t' -v g=$g '$1 == g' plan >group
		if [ "$(cut -f2 group)" = mbox ]; then cut -f3,4 group | one_by_one || return 1; continue; fi
		rm -rf md && mkdir -p md/cur md/new md/tmp && n=10000 &&
		while IFS="	" read -r _ _ path _; do
			n=$((n + 1)) && cp "$CORPUS/$path" md/cur/$n || return 1
		done <group
		rt-ingest --maildir md >out 2>err </dev/null
		rc=$?
		case $rc in 0|65) ;; *) echo "exit $rc for the batch from $(head -n 1 group)"; cat err; return 1 ;; esac
		awk -F'\t' -v rc=$rc '
		    FILENAME == "err" { if ($0 ~ /^rt-ingest: md\/cur\/[0-9]+: .*kept in quarantine as /) {
				split($0, a, /[\/:]/); q[a[4]] = 1 }; next }
		    FILENAME == "out" { id[++nid] = $0; next }
		    { f = 10000 + ++n
		      if (f in q) { print "65 0 " $3; nq++ }
		      else if (id[++k] != "") print "0 1 " $3
		      else { print "no id for " $3 >"/dev/stderr"; bad = 1 } }
		    END { if (k != nid) { print nid " ids for " k " stored mails" >"/dev/stderr"; bad = 1 }
			  if ((nq > 0) != (rc == 65)) { print "exit " rc " with " nq " quarantined" >"/dev/stderr"; bad = 1 }
			  exit bad }' err out group >>results || { cat err; return 1; }
	done
}

test_expect_success CORPUS 'every corpus mail is stored or quarantined with a reason' '
	: >results && grep "^mail/" "$CORPUS/manifest.tsv" | cut -f1,8 >mails &&
	if sanitized_build; then batched <mails; else one_by_one <mails; fi &&
	test $(wc -l <results) = $(wc -l <mails)
'

test_expect_success CORPUS 'no crash, and each single mail maps to a stored file' '
	awk "\$1 == 0" results | wc -l >stored && test $(cat stored) -gt 500 &&
	git ls-tree -r --name-only HEAD tickets | grep -c "\.eml$" >emls &&
	git ls-tree -r --name-only HEAD quarantine | grep -c "\.eml$" >quar &&
	echo "stored $(cat stored) mails, $(cat emls) files, $(cat quar) quarantined" &&
	test $(cat emls) -gt 0
'

test_expect_success 'the desk passes git fsck and git status is clean after rt-gc' '
	git fsck --strict 2>&1 | tee fsck && ! grep -Ei "error|fatal" fsck &&
	rt-gc -q &&
	git status --porcelain --untracked-files=no >st && test_cmp /dev/null st
'

test_expect_success 'a single stored mail is byte-exact' '
	f=$(mail_fixture cpython-test-email/msg_22.txt) &&
	id=$(rt-ingest <"$f") &&
	git grep -l -F "$(sed -n 1p "$f")" HEAD -- "tickets/*.eml" >/dev/null &&
	found= &&
	for e in $(git ls-tree -r --name-only HEAD tickets | grep "/$id/msg/.*\.eml$"); do cmp -s "$f" "$e" && found=$e; done &&
	test -n "$found"
'

test_done
