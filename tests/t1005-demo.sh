#!/bin/sh
# make demo: the README's first command, run as it runs it
. "$(dirname "$0")/lib.sh"

test_expect_success 'the demo runs to its end and leaves git status clean' '
	sh "$SRC_ROOT/share/demo/demo.sh" "$TRASH/demo" >out 2>err &&
	grep "^The desk is in $TRASH/demo$" out && grep "^(clean)$" out
'
test_expect_success 'its report counts the tickets it made' '
	cd "$TRASH/demo" && n=$(rt-ls --ids | wc -l) && test $n = 4 &&
	grep "^period .*, $n tickets$" "$TRASH/out" &&
	grep "^total  *$n " "$TRASH/out"
'
test_done
