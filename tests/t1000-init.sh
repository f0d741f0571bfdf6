#!/bin/sh
# rt-init: creating a desk
. "$(dirname "$0")/lib.sh"

test_expect_success 'rt-init creates a desk with one commit and a clean tree' '
	rt-init --name "Acme Support" --address help@acme.example --tag Acme d1 >out &&
	grep "initialised desk in d1" out &&
	git -C d1 log --format=%s >log &&
	echo "init: new desk" >expect && test_cmp expect log &&
	test -z "$(git -C d1 status --porcelain)" &&
	grep "^  name: .Acme Support.$" d1/rt.yaml &&
	grep "^  address: help@acme.example$" d1/rt.yaml &&
	grep "^  tag: Acme$" d1/rt.yaml &&
	grep "merge=union" d1/.gitattributes
'

test_expect_success '--address is the address of the default queue too' '
	sed -n "/^queues:/,/^\$/p" d1/rt.yaml >q &&
	grep "^  general:$" q && grep "^    address: help@acme.example$" q &&
	! grep "^[^#]*example.org" d1/rt.yaml
'

test_expect_code 64 'an --address that is not a mail address is refused, nothing created' '
	rt-init --address "help@acme.example, evil@x" d3; rc=$?
	test ! -e d3 && exit $rc
'

test_expect_success 'a missing share file fails before anything is created' '
	mkdir share && cp "$RT_SHAREDIR/desk/rt.yaml" share/ && mkdir share/desk && mv share/rt.yaml share/desk/ &&
	test_must_fail env RT_SHAREDIR=$TRASH/share rt-init d4 2>err &&
	grep "gitattributes" err && test ! -e d4 &&
	rt-init d4 >/dev/null && git -C d4 log --oneline >log && test $(wc -l <log) = 1
'

test_expect_success 'a failed rt-init leaves nothing behind and can be re-run' '
	mkdir d5 && echo keep >d5/notes && mkdir d5/.gitattributes &&
	test_must_fail rt-init d5 2>err && cat err &&
	ls -A d5 >left && printf ".gitattributes\nnotes\n" >expect && test_cmp expect left &&
	rmdir d5/.gitattributes && rt-init d5 >/dev/null &&
	test -z "$(git -C d5 status --porcelain --untracked-files=no)" && test -f d5/notes
'

test_expect_code 73 'rt-init refuses a folder that already holds a desk' '
	head=$(git -C d1 rev-parse HEAD) &&
	cp d1/rt.yaml saved &&
	rt-init d1; rc=$?;
	test "$(git -C d1 rev-parse HEAD)" = "$head" && cmp saved d1/rt.yaml && exit $rc
'

test_expect_code 73 'rt-init refuses an existing git repository' '
	git init -q plain && rt-init plain
'

test_expect_success PYYAML 'the configuration written by rt-init parses as YAML' '
	python3 -c "import yaml,sys; d=yaml.safe_load(open(\"d1/rt.yaml\")); assert d[\"desk\"][\"tag\"]==\"Acme\""
'

test_expect_success PYYAML 'the shipped rt.yaml has a commented web: section naming every key rt-web reads; uncommented it is read' '
	sed -n "/^#web:/,/^\$/p" d1/rt.yaml | sed "s/^#//" >web.yaml && test -s web.yaml &&
	python3 -c "import yaml, sys
def keys(m, p):
    for k, v in m.items():
        yield p + k
        if isinstance(v, dict) and k != \"hooks\":
            yield from keys(v, p + k + \".\")
print(\"\\n\".join(sorted(keys(yaml.safe_load(open(\"web.yaml\")), \"\"))))" >shipped &&
	grep -ho "cfg[a-z_]*([a-z]*, \"web\.[a-z.-]*\"" "$SRC_ROOT"/lib/*.c | sed "s/.*\"\(web\..*\)\"/\1/" | sort -u >read &&
	test $(wc -l <read) -ge 8 &&
	comm -13 shipped read >missing && test_cmp /dev/null missing &&
	# the defaults of lib/web.h and lib/web_form.c
	grep "^  form-max-bytes: $((64 << 10)) " web.yaml && grep "^  attach-max-bytes: $((1 << 20)) " web.yaml &&
	grep "^  rate-limit: {per-address: 5, per-client: 20, period: 3600} " web.yaml &&
	rt-web --desk d1 --token a@example.com | grep "^/status/[0-9a-f]\{32\}$" &&
	cp d1/rt.yaml rt.yaml.d1 && test_when_finished "cp rt.yaml.d1 d1/rt.yaml && git -C d1 commit -qm back rt.yaml" &&
	cat web.yaml >>d1/rt.yaml && git -C d1 commit -qm web rt.yaml &&
	rt-web --desk d1 --token a@example.com | grep "^https://help.example.org/rt/status/[0-9a-f]\{32\}$"
'

test_expect_success 'rt-init --shared makes a group-writable repository' '
	rt-init --shared d2 >/dev/null &&
	test "$(git -C d2 config core.sharedRepository)" = 0660 &&
	test -n "$(find d2/.git/objects -maxdepth 0 -perm -g+w)"
'

# the admin makes the folder first so that the mail user may own it
test_expect_success 'rt-init --shared into an empty folder made beforehand: group-writable, setgid, not for others' '
	mkdir -m 755 d3 &&
	rt-init --shared d3 >/dev/null &&
	test "$(stat -c %a d3)" = 2770 &&
	test "$(stat -c %a d3/.git)" = "$(stat -c %a d2/.git)"
'

test_expect_success '--help is short and names the synopsis' '
	rt-init --help >out && head -1 out | grep "^usage: rt-init" && test $(wc -l <out) -lt 12
'

test_expect_code 64 'an unknown option is a usage error' 'rt-init --frobnicate'

test_done
