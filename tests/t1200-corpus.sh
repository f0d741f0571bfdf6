#!/bin/sh
# rt-ingest on every real mail of the shared corpus: stored or quarantined, never lost
. "$(dirname "$0")/lib.sh"

[ -d "$CORPUS/mail" ] || { test_skip 'corpus ingest' "no corpus at $CORPUS"; test_done; exit; }
new_desk desk

test_expect_success 'every corpus mail is stored or quarantined with a reason' '
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
		65) grep -q "kept as quarantine/" err || { echo "no reason for $path"; cat err; exit 1; } ;;
		*) echo "exit $rc for $path"; cat err; exit 1 ;;
		esac
	done
'

test_expect_success 'no crash, and each single mail maps to a stored file' '
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
	f="$CORPUS/mail/cpython-test-email/msg_22.txt" &&
	id=$(rt-ingest <"$f") &&
	git grep -l -F "$(sed -n 1p "$f")" -- "tickets/*.eml" >/dev/null &&
	for e in $(git ls-tree -r --name-only HEAD tickets | grep "/$id/msg/.*\.eml$"); do cmp "$f" "$e" && exit 0; done; exit 1
'

test_done
