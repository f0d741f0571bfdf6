#!/bin/sh
# rt: the command dispatcher
. "$(dirname "$0")/lib.sh"

test_expect_success 'rt --version' '
	rt --version >out && grep "^rt [0-9]" out
'
test_expect_success 'rt COMMAND runs rt-COMMAND with its arguments' '
	new_desk d1 && printf "From: a@x.example\nSubject: s\nMessage-Id: <1@x>\n\nx\n" | rt ingest >id &&
	rt ls --ids >out && test_cmp id out &&
	rt set $(cat id) priority=high >out && test_cmp id out
'
test_expect_success 'RT_EXEC_PATH comes first; exit status passes through' '
	mkdir bin && printf "#!/bin/sh\necho \"mine \$*\"\nexit 7\n" >bin/rt-ls && chmod +x bin/rt-ls &&
	RT_EXEC_PATH=$PWD/bin rt ls a "b c" >out; test $? = 7 &&
	echo "mine a b c" >expect && test_cmp expect out
'
test_expect_success 'rt finds commands beside itself before PATH' '
	mkdir other && printf "#!/bin/sh\necho other\n" >other/rt-ls && chmod +x other/rt-ls &&
	PATH=$PWD/other:$PATH rt ls --help >out && ! grep other out &&
	PATH=$PWD/other:$PATH rt-ls >out && grep other out
'
test_expect_success 'PATH commands are found' '
	printf "#!/bin/sh\necho hello\n" >other/rt-hello && chmod +x other/rt-hello &&
	PATH=$PWD/other:$PATH rt hello >out && echo hello >expect && test_cmp expect out
'
test_expect_success 'rt help lists commands with descriptions, once each' '
	PATH=$PWD/other:$PATH RT_EXEC_PATH=$PWD/bin rt help >out &&
	grep "^   set  *change ticket fields$" out &&
	grep "^   hello *$" out &&
	test $(grep -c "^   ls " out) = 1
'
test_expect_success 'rt help describes every command rt ships' '
	rt help >out &&
	for c in $(cd "$RT_BUILD/bin" && ls rt-*); do
		grep "^   ${c#rt-}  *[a-z]" out || { echo "no description: $c"; return 1; }
	done
'
test_expect_success 'unknown commands and bad names are usage errors' '
	rt no-such-command 2>err; test $? = 64 && grep "not an rt command" err &&
	rt ../bin/rt-ls 2>err; test $? = 64 &&
	rt 2>err; test $? = 64
'
test_expect_success 'rt help COMMAND runs man' '
	printf "#!/bin/sh\necho \"man \$*\"\n" >other/man && chmod +x other/man &&
	PATH=$PWD/other:$PATH rt help set >out && echo "man rt-set" >expect && test_cmp expect out
'
test_done
