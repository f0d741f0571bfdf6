#!/bin/sh
# A number in rt.yaml that is none ("10M", "lots") was the default without
# a word: an admin who lowered ingest.max-bytes to Postfix's limit as
# "10M" kept 50 MB. Now a warning names the file, line, key and the
# default used, once a run; the mail is stored all the same.
. "$(dirname "$0")/lib.sh"

new_desk || exit 1
test_expect_success 'ingest.max-bytes: 10M stores the mail and says the default is used, once' '
	sed -i "s/^  max-bytes: [0-9]*/  max-bytes: 10M/" rt.yaml &&
	line=$(grep -n "^  max-bytes: 10M" rt.yaml | cut -d: -f1) &&
	git commit -qm 10M rt.yaml &&
	printf "From: a@example.com\nSubject: x\nMessage-Id: <n1@x>\n\nx\n" | rt-ingest >id 2>err &&
	test -s id && cat err &&
	echo "rt-ingest: warning: $PWD/rt.yaml:$line:14: ingest.max-bytes '"'"'10M'"'"' is not a whole number; the default 52428800 is used" >expect &&
	test_cmp expect err
'

test_expect_success 'an event limit that is no number: the same warning, the event stored' '
	sed -i "s/^  max-events: [0-9]*/  max-events: lots/" rt.yaml &&
	git commit -qm lots rt.yaml &&
	printf "{\"title\": \"disk full\", \"message\": \"sda1 at 99%%\"}\n" |
		rt-ingest --event --source generic >id 2>err &&
	test -s id && grep "rt.yaml:[0-9]*:[0-9]*: ingest.max-events .lots. is not a whole number; the default 1000 is used" err
'

test_expect_success 'a whole number or no value: no warning' '
	sed -i "s/^  max-bytes: 10M/  max-bytes: 1048576/; s/^  max-events: lots/  max-events:/" rt.yaml &&
	git commit -qm fixed rt.yaml &&
	printf "From: a@example.com\nSubject: y\nMessage-Id: <n2@x>\n\ny\n" | rt-ingest >id 2>err &&
	test -s id && test ! -s err
'

test_done
