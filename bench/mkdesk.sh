#!/bin/sh
# bench/mkdesk.sh DIR N: a desk with N synthetic tickets, indexed and cached.
set -e
dir=$1 n=$2
rm -rf "$dir"
rt-init --name Bench --tag Bench --address support@example.org "$dir" >/dev/null
"$RT_BUILD/bench/gen_desk" "$n" | git -C "$dir" fast-import --quiet
git -C "$dir" read-tree HEAD          # index as a checkout would leave it
git -C "$dir" gc --quiet              # packed, as rt-gc or cron keeps a desk
rt-gc --desk "$dir" -q --rebuild-cache
