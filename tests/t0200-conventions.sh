#!/bin/sh
# rt(7): one meaning per flag in every command, --dry-run and --json where
# a command changes state, old spellings working with a one-line warning
. "$(dirname "$0")/lib.sh"

command -v jq >/dev/null && test_set_prereq JQ
mail() { printf 'From: kim@example.net\nTo: support@example.org\nSubject: %s\nMessage-Id: <%s@x>\n\nHallo, %s\n' "$2" "$1" "$2"; }
# one line on stderr naming the old spelling and rt(7)
warned() { test $(wc -l <"$1") = 1 && grep -q "^$2: warning: .*deprecated.*(see rt(7))$" "$1"; }

test_expect_success 'a short flag means the same in every command (--help)' '
	for c in "$SRC_ROOT"/cmd/*.c; do
		n=$(basename "$c" .c) && $n --help >h 2>&1 &&
		grep -oE "^ +-[a-zA-Z], --[a-z-]+" h | sed "s/^ *//" || :
	done | sort -u >pairs &&
	cut -d, -f1 pairs | uniq -d >dups && test_cmp /dev/null dups &&
	grep -x -- "-n, --dry-run" pairs && grep -x -- "-q, --quiet" pairs &&
	grep -x -- "-j, --json" pairs
'

test_expect_success 'every manual page refers to rt(7), which names every common flag' '
	for m in "$SRC_ROOT"/man/*.[1-9]; do
		case $m in */rt.7) continue ;; esac
		grep -q "^\.Xr rt 7" "$m" || { echo "$m does not refer to rt(7)"; exit 1; }
	done &&
	for f in dry-run json quiet template message explain desk set-status; do
		grep -q "^\.It .*Fl -$f" "$SRC_ROOT/man/rt.7" || { echo "rt(7) lacks --$f"; exit 1; }
	done
'

# short_pairs PAGE: "CMD -X --long ARG" for each ".It Fl X , Fl -long" entry
# of the page (ARG: "x" when it takes one), old spellings left out
short_pairs() {
	sed 's/\\-/-/g' "$1" | awk -v cmd="$(basename "$1" .1)" '
		/^\.It Fl [a-zA-Z] , Fl -[a-z]/ {
			if ((getline nx) > 0 && nx ~ /^Old spelling/) next
			print cmd, "-" $3, "-" $6, ($7 == "Ar" ? "x" : "")
		}'
}

test_expect_success 'rt(7) names each short flag with every command whose page has it, and each takes it' '
	sed "s/\\\\-/-/g" "$SRC_ROOT/man/rt.7" | awk "
		/^\.Ss Common flags/ { f = 1; next } /^\.S[hs] / { f = 0 } !f { next }
		/^\.It Fl [a-zA-Z] , Fl -[a-z]/ { s = \"-\" \$3; l = \"-\" \$6; a = (\$7 == \"Ar\") ? \"x\" : \"\"; next }
		/^\.It / { s = \"\" }
		s != \"\" { for (i = 1; i < NF; i++) if (\$i == \".Xr\" || \$i == \"Xr\") print \$(i+1), s, l, a }
	" | sort -u >seven && grep "^rt-new -r --requestor x" seven &&
	for m in "$SRC_ROOT"/man/rt-*.1; do
		sed "s/\\\\-/-/g" "$m" | grep -q "^\.It Fl [a-zA-Z] , Fl -" || continue
		short_pairs "$m"
	done | grep -v "^[^ ]* -[Ch] " | sort -u >pages &&
	test_cmp seven pages &&
	while read -r cmd s l a; do
		$cmd $s $a --help >out 2>err || { echo "$cmd does not take $s"; cat err; return 1; }
	done <pages
'

test_expect_success 'every short flag a command parses is on its page (or an old spelling)' '
	for c in "$SRC_ROOT"/cmd/rt-*.c; do
		n=$(basename "$c" .c) &&
		sed -n "s/.*getopt_long(argc, argv, \"\([^\"]*\)\".*/\1/p" "$c" | tr -d ":+" | fold -w1 |
		while read -r x; do
			case $x in C|h) continue ;; esac
			sed "s/\\\\-/-/g" "$SRC_ROOT/man/$n.1" | grep -q "^\.It .*Fl $x\( \|$\)" ||
				{ echo "$n: -$x is on no .It line of $n.1"; exit 1; }
		done || return 1
	done
'

if command -v mandoc >/dev/null; then
test_expect_success 'only rt(7) and the old spelling'"'"'s own entry name an old spelling' '
	awk "/^\.Ss Old spellings/ { f = 1; next } /^\.S[hs] / { f = 0 }
		f && /^\.It Nm rt-/ { for (i = 4; i <= NF; i++) if (\$(i-1) == \"Fl\") print \$3, \"-\" \$i }" \
		"$SRC_ROOT/man/rt.7" >oldflags && grep -x "rt-reply --status" oldflags && grep -x "rt-init -n" oldflags &&
	while read -r cmd flag; do
		awk -v f="$flag" "{ for (i = 2; i <= NF; i++) if (\$(i-1) == \"Fl\" && \"-\" \$i == f) hit = 1 }
			hit && !(/^\.It / && (getline nx) > 0 && nx ~ /^Old spelling/) { print FILENAME \": \" \$0; bad = 1 }
			{ hit = 0 } END { exit bad }" "$SRC_ROOT/man/$cmd.1" || return 1
		for m in "$SRC_ROOT"/man/*.[1-9] "$SRC_ROOT/README"; do
			case $m in */rt.7|*/$cmd.1) continue ;; esac
			case $m in *README) cat "$m" ;; *) mandoc -Tascii "$m" | col -b ;; esac >text &&
			! grep -nE -- "$cmd(\(1\))? +(-[a-zA-Z-]+ +)*$flag([^a-zA-Z-]|\$)" text ||
				{ echo "$m names $cmd $flag"; return 1; }
		done
	done <oldflags
'
else
	test_skip 'only rt(7) and the old spelling'"'"'s own entry name an old spelling' 'mandoc not installed'
fi

test_expect_success 'setup: a desk with two tickets' '
	new_desk &&
	mail a "Drucker" | rt-ingest >a && mail b "Drucker kaputt" | rt-ingest >b &&
	printf "  billing:\n    description: money\n" >tmp && sed -i "/^queues:/r tmp" rt.yaml &&
	git commit -q -m billing rt.yaml
'
cd desk 2>/dev/null
A=$(cat a 2>/dev/null) B=$(cat b 2>/dev/null)

test_expect_success 'rt-set -n prints the change and commits nothing' '
	rt-gc -q && head=$(git rev-parse HEAD) &&
	rt-set -n $A priority=high queue=billing >out &&
	echo "$A priority=high queue=billing" >expect && test_cmp expect out &&
	test "$(git rev-parse HEAD)" = "$head" && test -z "$(git status --porcelain --untracked-files=no)" &&
	rt-set --dry-run $A priority=high >out && test "$(git rev-parse HEAD)" = "$head"
'

test_expect_success JQ 'rt-set --json commits and prints what it set' '
	rt-set --json $A priority=high >out &&
	jq -r "[.id, .set.priority] | join(\" \")" out >got &&
	echo "$A high" >expect && test_cmp expect got &&
	git log -1 --format=%s | grep "^set: #$A priority=high"
'

test_expect_success JQ 'rt-link -n and rt-merge -n show both tickets and change nothing' '
	rt-gc -q && head=$(git rev-parse HEAD) &&
	rt-link -n --parent $A $B >out &&
	printf "%s link:rel=parent,ticket=%s\n%s link:rel=child,ticket=%s\n" $B $A $A $B >expect &&
	test_cmp expect out &&
	rt-link -n --json --parent $A $B | jq -r ".id + \" \" + .events[0].rel" >got &&
	printf "%s parent\n%s child\n" $B $A >expect && test_cmp expect got &&
	rt-merge -n $B $A >out &&
	grep "^$B status=merged merge:into=$A$" out &&
	rt-merge -n --json $B $A | jq -r ".id" >got && printf "%s\n%s\n" $B $A >expect && test_cmp expect got &&
	test "$(git rev-parse HEAD)" = "$head" && test -z "$(git status --porcelain --untracked-files=no)"
'

test_expect_success 'rt-take -n and rt-comment -n change nothing' '
	rt-gc -q && head=$(git rev-parse HEAD) &&
	rt-take -n $B >out && echo "$B owner=Test Agent" >expect && test_cmp expect out &&
	rt-comment -n -m "intern" $B >out && grep "^$B comment:file=msg/.*\.note$" out &&
	test "$(git rev-parse HEAD)" = "$head" && test -z "$(git status --porcelain --untracked-files=no)"
'

test_expect_success JQ 'rt-route -n --json prints the plan as JSON' '
	sed -n "/^desk:/,/^\$/p" rt.yaml >new.yaml &&
	printf "queues: {general: {}, billing: {}}\nrouting:\n  - name: drucker\n    if: {subject: kaputt}\n    then: {queue: billing}\n" >>new.yaml &&
	mv new.yaml rt.yaml && git commit -q -am rules &&
	head=$(git rev-parse HEAD) &&
	rt-route -n --json $B >out && test "$(git rev-parse HEAD)" = "$head" &&
	jq -r "[.id, .set.queue, .rules] | join(\" \")" out >got &&
	echo "$B billing drucker" >expect && test_cmp expect got
'

test_expect_success JQ 'rt-reply --list --json and --suggest --json' '
	rt-reply --list --json | jq -r .name >names && grep -x ack names &&
	rt-reply --list >plain && test_cmp plain names &&
	rt-reply --suggest --json $A >out && test $(wc -l <out) = 1 &&
	jq -e ".id == \"$A\" and (.suggestions | type) == \"array\"" out
'

test_expect_code 64 'rt-reply --json without --list or --suggest is a usage error' '
	rt-reply --json -n -t ack $A
'

test_expect_success 'old spelling: rt-reply -q still quotes, with a warning' '
	echo "Wir schauen nach." | rt-reply -n -q $A >new 2>err &&
	warned err rt-reply && grep -- "-q" err &&
	echo "Wir schauen nach." | rt-reply -n --quote $A >old 2>err2 && test_cmp /dev/null err2 &&
	grep "^> Hallo, Drucker" old && grep "^> Hallo, Drucker" new
'

test_expect_success 'old spelling: rt-reply -s and --status still set the status, with a warning' '
	printf "#!/bin/sh\ncat >/dev/null\n" >"$TRASH/sendmail" && chmod +x "$TRASH/sendmail" &&
	sed -i "s|mailer: .*|mailer: sendmail://$TRASH/sendmail|" rt.yaml && git commit -q -am sendmail &&
	echo "Welches Modell?" | rt-reply -s waiting $A >out 2>err &&
	warned err rt-reply && grep -- "--set-status" err &&
	rt-ls --all --format "%{id} %{status}\n" | grep "^$A waiting$" &&
	echo "Danke." | rt-reply --status open $A >out 2>err && warned err rt-reply &&
	echo "Gern." | rt-reply --set-status waiting $A >out 2>err && test_cmp /dev/null err &&
	rt-ls --all --format "%{id} %{status}\n" | grep "^$A waiting$"
'

test_expect_success 'old spelling: rt-escalate -s and --status are --clocks, with a warning' '
	rt-escalate --clocks $A >new 2>err && test_cmp /dev/null err &&
	rt-escalate --status $A >old 2>err && warned err rt-escalate &&
	test_cmp new old && rt-escalate -s $A >old2 2>err && test_cmp new old2
'

test_expect_success 'old spelling: rt-init -n, -t and -s, one warning line each' '
	cd "$TRASH" && rt-init -n "Old Desk" -t OLD -s old >/dev/null 2>err &&
	test $(wc -l <err) = 3 && test $(grep -c "^rt-init: warning: .*deprecated" err) = 3 &&
	grep "^  name: .Old Desk.$" old/rt.yaml && grep "^  tag: OLD$" old/rt.yaml &&
	test -n "$(git -C old config core.sharedRepository)"
'

test_expect_success 'a time option takes the same forms in every command, -7d too' '
	cd "$TRASH/desk" &&
	rt-ls --ids --created-since -7d >out && grep -x $A out &&
	rt-ls --ids --created-since 2026-11-18T10:00:00Z >expect && test_cmp expect out &&
	rt-report --json --since -7d >out &&
	rt-report --json --since 2026-11-18T10:00:00Z >expect && test_cmp expect out &&
	rt-report --json --since -2w --until -1d >out &&
	rt-report --json --since 2026-11-11T10:00:00Z --until 2026-11-24T10:00:00Z >expect &&
	test_cmp expect out &&
	rt-escalate --now -1d --clocks --json $A >out &&
	rt-escalate --now 2026-11-24T10:00:00Z --clocks --json $A >expect && test_cmp expect out
'

test_expect_success 'a bad time names its option, exit 64, in every command' '
	for c in "rt-ls --created-since" "rt-ls --updated-until" "rt-report --since" \
	    "rt-report --until" "rt-report --as-of" "rt-escalate --now"; do
		$c 7d >out 2>err; rc=$?
		test $rc = 64 || { echo "$c 7d: exit $rc"; return 1; }
		test $(wc -l <err) = 1 && grep "^${c%% *}: .7d. is not a time for ${c#* } (" err ||
			{ echo "$c:"; cat err; return 1; }
	done
'

test_expect_success 'a bad number for an option is one line naming the option, exit 64' '
	for c in "rt-gc --stale" "rt-quarantine --bytes" "rt-show --raw" "rt-show --save" \
	    "rt-ls --limit" "rt-ls --due-window" "rt-report --topics"; do
		$c x $A >out 2>err; rc=$?
		test $rc = 64 || { echo "$c x: exit $rc"; return 1; }
		test $(wc -l <err) = 1 && grep "^${c%% *}: ${c#* } takes .*, not .x.\$" err ||
			{ echo "$c:"; cat err; return 1; }
	done
'

test_expect_success 'the library never prints a command name and never exits' '
	# allowed: a forked child that could not exec (_exit), and util.c oom(),
	# the one place that cannot return (rt-ingest under Postfix: 71 defers)
	grep -nE "(^|[^_a-z])(exit|v?errx?)[[:space:]]*\\(|(^|[^_a-z])v?warnx?[[:space:]]*\\([[:space:]]*\"|program_invocation|getprogname|cli\\.h" \
	    "$SRC_ROOT"/lib/*.c "$SRC_ROOT"/lib/*.h >hits || :
	grep -v "^$SRC_ROOT/lib/util.c:[0-9]*:.*\\(program_invocation_short_name\\|exit(EX_OSERR)\\)" hits >bad || :
	test_cmp /dev/null bad
'

test_done
