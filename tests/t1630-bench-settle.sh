#!/bin/sh
# make bench's guards against a noisy machine (bench/lib.sh): the file-system
# probe, settle and its flag, per-pair ratios with their spread, deletions
# put off to the end of a run. No bench runs here: the probe is stubbed
# where a test needs given figures.
. "$(dirname "$0")/lib.sh"
. "$SRC_ROOT/bench/lib.sh"

export RT_BENCH_OUT="$TRASH/out" RT_BENCH_SETTLE_STEP=0
mkdir -p "$RT_BENCH_OUT" stub/bench
REAL_BUILD=$RT_BUILD
# stub FIGURE...: a fsprobe that prints the next figure each run (the last one again)
stub() {
	printf '%s\n' "$@" >stub/figures && : >stub/n &&
	cat >stub/bench/fsprobe <<-\EOS &&
	#!/bin/sh
	d=$(dirname "$0")/..
	n=$(( $(wc -l <"$d/n") + 1 )) && echo >>"$d/n"
	f=$(sed -n "${n}p" "$d/figures"); [ -n "$f" ] || f=$(tail -1 "$d/figures")
	echo "$f 1.0 $f"
	EOS
	chmod +x stub/bench/fsprobe && RT_BUILD=$TRASH/stub
}

test_expect_success 'fsprobe times 64 durable files and leaves nothing behind' '
	mkdir p && "$REAL_BUILD/bench/fsprobe" p >fig &&
	awk "NF == 3 && \$1 > 0 && \$1 >= \$2 && \$1 >= \$3 { ok = 1 } END { exit !ok }" fig &&
	ls -A p >left && test_cmp /dev/null left
'

test_expect_success 'a steady file system settles after five probes and keeps its best' '
	stub 10 10 11 10 12 && rm -f out/.fsbest &&
	settle "the rounds" >said && cat said &&
	grep "^  settle before the rounds: waited .* 5 probes; .* best seen here 10" said &&
	echo 10 >expect && test_cmp expect out/.fsbest &&
	test -z "$(fsflag)"
'

test_expect_code 64 'fsprobe without a folder is a usage error' '"$REAL_BUILD/bench/fsprobe"'

# 410 then four fast probes: one spike in a window of five is allowed
test_expect_success 'a spike of another user waits until the probes are near the best again' '
	stub 10 400 380 390 420 410 11 10 12 10 10 &&
	settle "the rounds" >said && cat said &&
	grep "settle before the rounds: .* 10 probes; probe (64 new files fsync.d) first 10 ms" said &&
	test -z "$(fsflag)"
'

test_expect_success 'a file system that never settles flags every figure' '
	stub 10 300 40 500 20 600 30 && RT_BENCH_SETTLE_MAX=0 settle "the bulk pairs" >said && cat said &&
	grep "^  UNSETTLED FILE SYSTEM before the bulk pairs: not stable near its best" said &&
	echo " [unsettled file system: probe 40 ms, best 10]" >expect && fsflag >flag && echo >>flag &&
	test_cmp expect flag
'

test_expect_success 'fscheck flags rounds during which the file system slowed' '
	stub 10 && settle "the rounds" >said && test -z "$(fsflag)" &&
	stub 30 30 30 30 30 && fscheck >said && cat said &&
	grep "file system after the rounds: probe 30 ms (settled at 10 ms)" said &&
	test "$(fsflag)" = " [file system slowed during the rounds: probe 10 -> 30 ms]"
'

test_expect_success 'settle waits after the bench'"'"'s own deletion and says so' '
	stub 10 && mkdir -p out/copy/a && gone out/copy && test ! -e out/copy &&
	test "$(cut -d" " -f2 out/.deleted)" = 1 &&
	RT_BENCH_SETTLE_AFTER=2 settle "the rounds" >said && cat said &&
	grep "the bench last deleted files [0-2] s before (waited until 2 s); waited [1-9]" said
'

test_expect_success 'later puts deletions off to gone_later, which records them' '
	mkdir -p out/w1 out/w2 && : >out/.deleted && later out/w1 out/w2 && later out/w1 &&
	test -d out/w1 && test -d out/w2 && test ! -s out/.deleted &&
	gone_later && test ! -e out/w1 && test ! -e out/w2 && test ! -e out/.later &&
	test "$(cut -d" " -f2 out/.deleted)" = 2
'

test_expect_success 'pairs: the median of per-pair ratios, with min [q1-q3] max' '
	printf "%s\n" 2 4 6 8 30 >a && printf "%s\n" 1 2 3 4 5 >b &&
	test "$(pairs a b)" = "2.00x (pairs 2.00 [2.00-2.00] 6.00, n=5)" &&
	printf "%s\n" 1 2 3 4 >a && printf "%s\n" 1 1 1 2 >b &&
	test "$(pairs a b)" = "2.00x (pairs 1.00 [1.00-2.00] 3.00, n=4)"
'

test_expect_success 'ingest.sh pairs every rt round with its reference beside it' '
	s="$SRC_ROOT/bench/ingest.sh" &&
	grep -c "ms \"\$RT_BUILD/bench/ref-maildir\" \"\$out/maildir\" <\"\$out/m.D\?\$i\" >>\"\$out/t.ref2\?\"" "$s" >n &&
	echo 4 >expect && test_cmp expect n &&
	grep -q "pairs \"\$out/t.small\" \"\$out/t.ref\"" "$s" &&
	grep -q "pairs \"\$out/t.big\" \"\$out/t.ref2\"" "$s" &&
	grep -q "pairs \"\$out/b.\$1.wr\" \"\$out/b.\$1.wf\"" "$s"
'

test_done
