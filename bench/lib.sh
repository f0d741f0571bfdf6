# bench/lib.sh: timing helpers for benchmarks.
now_ns() { date +%s%N; }
# median of numbers on stdin
median() { sort -n | awk '{ v[NR] = $1 } END { if (NR % 2) print v[(NR + 1) / 2]; else print (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
# ms CMD...: wall time of one run in milliseconds
ms() { _s=$(now_ns); "$@" >/dev/null 2>&1; _e=$(now_ns); echo "$(( (_e - _s) / 1000 ))" | awk '{ printf "%.2f\n", $1 / 1000 }'; }
