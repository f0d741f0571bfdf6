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

test_expect_success CORPUS 'every corpus mail is stored or quarantined with a reason' '
	: >results &&
	grep "^mail/" "$CORPUS/manifest.tsv" | while IFS="	" read -r path _ _ _ _ _ _ tags; do
		f="$CORPUS/$path"
		case ",$tags," in
		*,multi-message-file,*) rt-ingest --mbox "$f" >out 2>err ;;
		*) rt-ingest <"$f" >out 2>err ;;
		esac
		rc=$?
		echo "$rc $(wc -l <out) $path" >>results
		case $rc in
		0) test -s out || { echo "no id for $path"; exit 1; } ;;
		65) grep -q "kept in quarantine as " err || { echo "no reason for $path"; cat err; exit 1; } ;;
		*) echo "exit $rc for $path"; cat err; exit 1 ;;
		esac
	done
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
