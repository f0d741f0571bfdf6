#!/bin/sh
# The cost of replaying one ticket's log of 10, 100 and 1,000 events
# (bench/replay.c), as a ratio against parsing the same log.yaml without
# replaying it, measured in the same run; and the replay's cost per event
# against the 10-event log's. Then what that means for a change: a
# customer's follow-up (rt-ingest) to a ticket of 100 and 1,000 events
# against one to a ticket of one event (median of 9 runs each, wall time).
cd "$(dirname "$0")" && . ./lib.sh
"$RT_BUILD/bench/replay" 10 100 1000
out=$RT_BENCH_OUT/replay
rm -rf "$out" && mkdir -p "$out"
export TZ=UTC
desk=$out/desk
rt-init --name Bench --tag B --address support@example.org "$desk" >/dev/null
printf '#!/bin/sh\ncat >/dev/null\n' >"$out/sendmail" && chmod +x "$out/sendmail"
sed -i "s|mailer: 'sendmail:///usr/sbin/sendmail'|mailer: 'sendmail://$out/sendmail'|" "$desk/rt.yaml"
git -C "$desk" commit -qm "bench: mailer stand-in" rt.yaml
mail() { # SUBJECT MESSAGE-ID
	printf 'From: k@example.com\nTo: support@example.org\nSubject: %s\nMessage-Id: <%s@bench>\n\nHelp.\n' "$1" "$2"
}
# a grown log: comments, priority sets and customer mails, a second apart
grow() { # N
	awk -v n="$1" 'BEGIN { a = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
		for (i = 1; i < n; i++) {
			id = ""; x = i
			for (k = 0; k < 10; k++) { id = substr(a, x % 32 + 1, 1) id; x = int(x / 32) }
			h = sprintf("%.0f-0", 1764064800000 + i * 1000)
			p = "- {id: " id ", hlc: \047" h "\047, at: \0472026-11-25T10:00:00Z\047, "
			if (i % 4 == 0) print p "by: anna, ev: comment, file: msg/c" i ".note}"
			else if (i % 4 == 1) print p "by: anna, ev: set, field: priority, old: normal, new: high}"
			else if (i % 4 == 2) print p "by: anna, ev: set, field: priority, old: high, new: normal}"
			else print p "by: k@example.com, ev: mail-in, file: msg/m" i ".eml, message-id: m" i "@x, from: k@example.com, subject: x}"
		} }'
}
for n in 1 100 1000; do
	mail "ticket of $n" "t$n" | rt-ingest --desk "$desk" >"$out/id$n"
done
# rt commits through libgit2: bring the index to HEAD, then commit the hand edit
git -C "$desk" reset -q
for n in 100 1000; do
	f=$(git -C "$desk" ls-tree -r --name-only HEAD | grep "/$(cat "$out/id$n")/log.yaml$")
	grow $((n - 1)) >>"$desk/$f"
	git -C "$desk" commit -qm "bench: a log of $n events" -- "$f"
done
i=0
follow_up() { # N: median wall ms of 9 follow-ups to the ticket of N events
	id=$(cat "$out/id$1")
	for r in 1 2 3 4 5 6 7 8 9; do
		i=$((i + 1))
		mail "Re: [B #$id] more" "f$i" >"$out/m"
		ms sh -c "rt-ingest -q --desk '$desk' <'$out/m'"
	done | median
}
one=$(follow_up 1)
printf 'follow-up to a ticket of    1 event  %8s ms\n' "$one"
for n in 100 1000; do
	t=$(follow_up $n)
	printf 'follow-up to a ticket of %4s events %8s ms  ratio %s\n' "$n" "$t" "$(ratio "$t" "$one")"
done
