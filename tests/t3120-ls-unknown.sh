#!/bin/sh
# Scripts never get a silently empty answer: an unknown status, queue,
# owner, priority, channel or sort key is an error naming the valid values
# (rt-set's words and exit code); an impossible date is an error naming it.
. "$(dirname "$0")/lib.sh"

new_desk || exit 1
cat >>rt.yaml <<\EOC
agents:
  anna: anna@example.org
  bob: bob@example.org
fields:
  hours: {type: number}
workflows:
  incidents:
    types: [incident]
    statuses: [new, triage, mitigated, resolved]
EOC
sed -i "/^queues:/a\\  billing: {address: billing@example.org}" rt.yaml
git commit -qm config rt.yaml
test_expect_success 'setup: one ticket' '
	printf "From: c@example.com\nSubject: hi\nMessage-Id: <u1@x>\n\nHello\n" | rt-ingest >id
'

test_expect_code 65 'an unknown status names the statuses, workflows included' '
	rt-ls --status opne 2>err >out; rc=$?;
	cat err; test_must_fail test -s out &&
	grep -x "rt-ls: unknown status .opne. (rt.yaml workflows: new, open, waiting, resolved, closed, triage, mitigated, merged)" err &&
	exit $rc
'

test_expect_success 'statuses of a workflow and merged are valid' '
	rt-ls --ids --status triage,mitigated >out && test_must_fail test -s out &&
	rt-ls --ids --status merged --all >out && test_must_fail test -s out &&
	rt-ls --ids --status new >out && test_cmp id out
'

test_expect_code 65 'an unknown queue: the words of rt-set' '
	rt-ls --queue biling 2>err; rc=$?;
	rt-set $(cat id) queue=biling 2>seterr;
	sed "s/^rt-set: #[A-Z0-9]*: //" seterr >expect && sed "s/^rt-ls: //" err >actual &&
	test_cmp expect actual &&
	grep "unknown queue .biling. (rt.yaml queues: billing, general)" err && exit $rc
'

test_expect_code 65 'an unknown owner names the agents' '
	rt-ls --owner anne 2>err; rc=$?;
	grep "rt-ls: unknown agent .anne. (rt.yaml agents: anna, bob)" err && exit $rc
'

test_expect_success 'owner none and known agents are fine' '
	rt-ls --ids --owner none >out && test_cmp id out &&
	rt-ls --ids --owner anna,bob >out && test_must_fail test -s out
'

test_expect_code 65 'an unknown priority' '
	rt-ls --priority hihg 2>err; rc=$?;
	grep "rt-ls: .hihg. is not a priority (low, normal, high, urgent, critical)" err && exit $rc
'

test_expect_code 64 'an unknown priority before + names the priorities too (exit 64, t3100)' '
	rt-ls --priority hihg+ 2>err; rc=$?;
	test $(wc -l <err) = 1 &&
	grep "rt-ls: .hihg. is not a priority (low, normal, high, urgent, critical)" err && exit $rc
'

test_expect_success 'rt-set status= and rt-reply --set-status refuse the same names' '
	for s in on.hold "a b" x:y; do
		rt-set $(cat id) status="$s" 2>err; rc=$?
		test $rc = 65 && grep "^rt-set: #$(cat id): .$s. is not a status\$" err ||
			{ echo "rt-set $s"; cat err; return 1; }
		echo hi | rt-reply -n --set-status "$s" $(cat id) >out 2>err; rc=$?
		test $rc = 64 && test $(wc -l <err) = 1 &&
		grep "^rt-reply: --set-status: .$s. is not a status\$" err || { echo "$s"; cat err; return 1; }
	done
'

test_expect_code 65 'an unknown channel names the channels' '
	rt-ls --channel emial 2>err; rc=$?;
	grep "rt-ls: unknown channel .emial. (mail, chat, social, phone," err && exit $rc
'

test_expect_code 64 'an unknown sort key names the keys, custom fields too' '
	rt-ls --sort -craeted 2>err; rc=$?;
	grep "rt-ls: unknown sort key .craeted. (id, subject, status," err &&
	grep "esc-level, .*hours)\$" err && exit $rc
'

test_expect_success 'known sort keys and free-form filters stay free' '
	rt-ls --ids --sort -updated,hours >out && test_cmp id out &&
	rt-ls --ids --tag anything --requestor nobody@example.net --customer whoever \
	    --where foo=bar >out && test_must_fail test -s out
'

test_expect_code 65 '--json prints nothing on an unknown value' '
	rt-ls --json --queue nope >out 2>err; rc=$?;
	test_must_fail test -s out && exit $rc
'

test_expect_code 64 'impossible dates in rt-ls name the value' '
	rt-ls --created-since 2026-11-31 2>err; rc=$?;
	grep "rt-ls: .2026-11-31. is not a time for --created-since" err &&
	rt-ls --updated-until 2026-02-30T10:00:00Z 2>err;
	grep "2026-02-30T10:00:00Z" err &&
	rt-ls --created-since 2026-11-23T25:00:00Z 2>err;
	grep "2026-11-23T25:00:00Z" err && exit $rc
'

test_expect_code 64 'impossible dates in rt-report name the value' '
	rt-report --since 2026-02-30 2>err; rc=$?;
	grep "rt-report: .2026-02-30. is not a time for --since" err &&
	rt-report --as-of 2026-11-31 2>err;
	grep "2026-11-31" err && exit $rc
'

test_expect_code 65 'rt-set due= refuses 31 November' '
	rt-set $(cat id) due=2026-11-31 2>err; rc=$?;
	grep "2026-11-31" err && ! grep -q "^due:" $(ticket_dir $(cat id))/ticket.yaml && exit $rc
'

test_expect_code 78 'a holiday on 30 February is a config error at its position' '
	cp rt.yaml rt.yaml.orig &&
	printf "calendars:\n  office:\n    holidays: [2026-12-24, 2026-02-30]\n" >>rt.yaml &&
	line=$(grep -n "2026-02-30" rt.yaml | cut -d: -f1) &&
	rt-escalate --status $(cat id) 2>err; rc=$?;
	cp rt.yaml.orig rt.yaml;
	cat err;
	grep "rt.yaml:$line:[0-9]*: .2026-02-30. is not a date" err && exit $rc
'

test_expect_success 'a channel of a ticket counts (rt-new takes any word)' '
	printf "Called about the fax\n" | rt-new --requestor f@example.com --channel letter \
	    --subject "Fax" >fax &&
	rt-ls --ids --channel letter >out && test_cmp fax out &&
	rt-ls --channel telegram 2>err; test $? = 65 &&
	grep "unknown channel .telegram. (mail, .*, letter)" err
'

test_done
