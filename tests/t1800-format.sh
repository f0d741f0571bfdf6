#!/bin/sh
# Desk format 2 (rt-desk(5), FORMAT and REPLAY): the fan-out, the event
# clock, state replayed from log.yaml, plain git pull merging clones, and
# the upgrade of a format-1 desk
. "$(dirname "$0")/lib.sh"

mail() { printf 'From: kunde@example.com\nTo: support@example.org\nSubject: %s\nMessage-Id: <%s>\n%s\nBitte.\n' "$2" "$1" "${3:-}"; }
state() { rt-show --json "$1" | sed -n '/"events"/q;p'; }

new_desk desk

test_expect_success 'a new desk is format 2: marker, fan-out, untracked ticket.yaml' '
	test "$(git show HEAD:.rt/format)" = 2 &&
	git show HEAD:.gitignore | grep "^/tickets/\*\*/ticket.yaml$" &&
	git show HEAD:.gitattributes | grep "^log.yaml merge=union$" &&
	id=$(mail f1@x "Drucker kaputt" | rt-ingest) && echo $id >"$TRASH/id" &&
	d=$(ticket_dir $id) && case $d in tickets/?/?/?/$id) ;; *) false ;; esac &&
	git ls-tree -r --name-only HEAD $d >"$TRASH/files" && grep "/log.yaml$" "$TRASH/files" &&
	! grep ticket.yaml "$TRASH/files" &&
	grep "^subject: .Drucker kaputt.$" $d/ticket.yaml &&
	rt-gc -q && test -z "$(git status --porcelain)"
'
ID=$(cat "$TRASH/id")

test_expect_success 'every event has an id and a clock after the newest of its log' '
	rt-set $ID priority=high && rt-set $ID owner=anna && ev=$TRASH/ev &&
	sed -n "s/^- {id: .\{0,1\}\([0-9A-Z]\{10\}\).\{0,1\}, hlc: .\([0-9]*-[0-9]*\).*/\1 \2/p" \
		$(ticket_dir $ID)/log.yaml >$ev &&
	test $(wc -l <$ev) = $(wc -l <$(ticket_dir $ID)/log.yaml) &&
	test $(cut -d" " -f1 $ev | sort -u | wc -l) = $(wc -l <$ev) &&
	cut -d" " -f2 $ev | sort -t- -k1,1n -k2,2n -c &&
	cut -d" " -f2 $ev | tail -1 | grep "^1795600800000-[0-9]*$"
'

test_expect_success 'a hand-edited ticket.yaml changes nothing: the log is the truth' '
	sed -i "s/^priority: .*/priority: low/" $(ticket_dir $ID)/ticket.yaml &&
	rt-show $ID | grep "^priority *high$"
'
cd "$TRASH"

test_expect_success 'setup: two clones of a central desk' '
	rt-gc -q --desk desk && git clone -q --bare desk central.git &&
	git clone -q central.git a && git clone -q central.git b &&
	(cd a && rt-ls --ids) >ids && test_cmp id ids
'

test_expect_success 'different and same fields changed in two clones: git pull merges, nothing lost' '
	id=$ID &&
	(cd a && RT_NOW=2026-11-25T10:01:00Z rt-set $id priority=urgent type=incident tags=net,vpn &&
	 rt-gc -q && git push -q origin main) &&
	(cd b && RT_NOW=2026-11-25T10:02:00Z rt-set $id priority=low owner=bob tags=vpn,hw &&
	 rt-gc -q && git pull -q --no-rebase --no-edit origin main &&
	 test -z "$(git diff --name-only --diff-filter=U)" &&
	 ! git grep -q "^<<<<<<<" HEAD -- tickets &&
	 rt-show $id >../show && cat ../show &&
	 grep "^priority *low$" ../show && grep "^type *incident$" ../show &&
	 grep "^owner *bob$" ../show && grep "^tags *net,vpn,hw$" ../show &&
	 grep "^priority: low$" $(ticket_dir $id)/ticket.yaml &&
	 grep "^type: incident$" $(ticket_dir $id)/ticket.yaml &&
	 rt-show --log $id >../log && cat ../log &&
	 grep "lost priority: urgent (a concurrent set to low won)" ../log &&
	 rt-gc -q && test -z "$(git status --porcelain)")
'

test_expect_success 'the other clone pulls the merge and replays the same state' '
	id=$ID &&
	(cd b && git push -q origin main) &&
	(cd a && rt-gc -q && git pull -q --no-rebase origin main && state $id >../a.state &&
	 grep "^priority: low$" $(ticket_dir $id)/ticket.yaml) &&
	(cd b && state $id >../b.state) && test_cmp a.state b.state
'

test_expect_success 'a customer mail in one clone resumes a ticket set waiting in the other' '
	id=$ID &&
	(cd a && RT_NOW=2026-11-25T11:00:00Z rt-set $id status=waiting && rt-gc -q && git push -q origin main) &&
	(cd b && mail f2@x "Re: [Test #$id] noch kaputt" | RT_NOW=2026-11-25T11:00:30Z rt-ingest >/dev/null &&
	 rt-show $id | grep "^status *new$" &&
	 rt-gc -q && git pull -q --no-rebase --no-edit origin main &&
	 rt-show $id | grep "^status *open$" &&
	 grep "^status: open$" $(ticket_dir $id)/ticket.yaml)
'

# A format-1 desk, made by the binaries before format 2 (a fast-export of it)
test_expect_success 'a format-1 desk is readable as it is' '
	git init -q old && (cd old && git fast-import --quiet <"$FIXTURES/desk-format1.fi" &&
	 git checkout -q -f main && test ! -e .rt/format && git rev-parse HEAD >../old.head &&
	 rt-ls --all >../old.ls && rt-show 9QBAYTJQ >../old.show &&
	 rt-show --json 9QBAYTJQ | sed -n "/\"events\"/q;p" >../old.state &&
	 test "$(git rev-parse HEAD)" = "$(cat ../old.head)") &&
	grep "^9QBAYTJQ  waiting  high" old.ls && grep "^KNHNYBVK  new" old.ls &&
	grep "^refers *KNHNYBVK$" old.show
'

test_expect_success 'rt-gc --upgrade converts it in one commit, state and history kept' '
	cp -R old up && (cd up && rt-gc --upgrade >../out && grep "^format: 2$" ../out &&
	 test "$(git rev-parse HEAD^)" = "$(cat ../old.head)" &&
	 git log -1 --format=%s | grep "^upgrade: desk format 2$" &&
	 test "$(git show HEAD:.rt/format)" = 2 &&
	 git show HEAD:.gitignore | grep "ticket.yaml" &&
	 git ls-tree -r --name-only HEAD >../files && ! grep ticket.yaml ../files &&
	 grep "^tickets/9/Q/B/9QBAYTJQ/log.yaml$" ../files &&
	 grep "^tickets/K/N/H/KNHNYBVK/msg/" ../files && ! grep "^tickets/9Q/" ../files &&
	 test $(git log --oneline | wc -l) = $(( $(git log --oneline $(cat ../old.head) | wc -l) + 1 )) &&
	 git log --format=%s -- tickets/9Q/BA/9QBAYTJQ | grep "^comment: #9QBAYTJQ" &&
	 rt-ls --all >../up.ls && rt-show --json 9QBAYTJQ | sed -n "/\"events\"/q;p" >../up.state &&
	 test -f tickets/9/Q/B/9QBAYTJQ/ticket.yaml && test ! -e tickets/9Q &&
	 test -z "$(git status --porcelain)") &&
	test_cmp old.ls up.ls && test_cmp old.state up.state
'

test_expect_success 'two clones upgrading the same commit make the same tree' '
	cp -R old up2 && (cd up2 && RT_NOW=2027-01-01T00:00:00Z RT_ACTOR="Other <o@x>" rt-gc --upgrade -q) &&
	test "$(git -C up rev-parse HEAD^{tree})" = "$(git -C up2 rev-parse HEAD^{tree})"
'

test_expect_success 'the first write to a format-1 desk upgrades it' '
	cp -R old auto && (cd auto && RT_NOW=2026-11-21T09:00:00Z rt-set 9QBAYTJQ priority=urgent &&
	 test "$(git show HEAD:.rt/format)" = 2 &&
	 git log -2 --format=%s | sed -n 2p | grep "^upgrade: desk format 2$" &&
	 rt-show 9QBAYTJQ | grep "^priority *urgent$" &&
	 rt-show 9QBAYTJQ | grep "^status *waiting$" &&
	 test "$(mail f3@x "Re: [Old #9QBAYTJQ] wieder da" | RT_NOW=2026-11-21T09:01:00Z rt-ingest)" = 9QBAYTJQ &&
	 rt-show 9QBAYTJQ | grep "^status *open$")
'

test_expect_success 'rt-archive on a format-1 desk upgrades it first: the upgrade never meets an archived ticket' '
	cp -R old arch && (cd arch && rt-archive KNHNYBVK >../out &&
	 test "$(git show HEAD:.rt/format)" = 2 && git log -1 --format=%s | grep "^upgrade: desk format 2$" &&
	 test "$(rt-archive --list)" = KNHNYBVK && ! test -e "$(ticket_dir KNHNYBVK)" &&
	 test -z "$(git status --porcelain)" && rt-gc -q --upgrade && test "$(rt-archive --list)" = KNHNYBVK &&
	 ! test -e "$(ticket_dir KNHNYBVK)" && test -z "$(git status --porcelain)") &&
	echo KNHNYBVK >want && test_cmp want out
'

test_done
