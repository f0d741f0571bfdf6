#!/bin/sh
# bash completions: commands, options from --help, ticket ids from the desk
. "$(dirname "$0")/lib.sh"

# the candidates sorted (lib.sh: complete_words)
complete_sorted() { complete_words "$@" | sort; }

test_expect_success 'rt completes its subcommands from PATH' '
	complete_sorted rt ing >out && grep -x ingest out &&
	complete_sorted rt "" >out && grep -x init out && grep -x gc out
'

test_expect_success 'options come from the command --help' '
	complete_sorted rt-ingest --m >out &&
	printf "%s\n" --maildir --mbox >expect && test_cmp expect out &&
	complete_sorted rt ingest --q >out && grep -x -- --quiet out
'

command -v rt-ls >/dev/null && test_set_prereq RT_LS
test_expect_success RT_LS 'ticket ids complete from the desk when rt-ls is there' '
	new_desk d &&
	id=$(printf "From: a@example.com\nSubject: x\nMessage-Id: <c1@x>\n\nx\n" | rt-ingest) &&
	complete_sorted rt-show "" >out && grep -x "$id" out
'

test_expect_success RT_LS 'a field value completes one candidate per value' '
	cd d &&
	id2=$(printf "From: b@example.com\nSubject: y\nMessage-Id: <c2@x>\n\ny\n" | rt-ingest) &&
	printf "  billing:\n    description: money\n" >tmp && sed -i "/^queues:/r tmp" rt.yaml &&
	git commit -q -m billing rt.yaml && rt-set $id2 queue=billing >/dev/null &&
	complete_sorted rt-ls --queue "" >out &&
	printf "billing\ngeneral\n" >expect && test_cmp expect out &&
	complete_sorted rt ls --queue b >out &&
	echo billing >expect && test_cmp expect out &&
	complete_sorted rt-set $id2 queue= >out &&
	printf "queue=billing\nqueue=general\n" >expect && test_cmp expect out
'

test_done
