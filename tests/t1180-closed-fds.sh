#!/bin/sh
# A command started with stderr (or stdin, stdout) closed, as libmailutils'
# sendmail mailer starts its program, must not open desk files on those
# numbers: its messages, and those of the programs it starts, would go into
# a desk file. Each is opened on /dev/null first.
. "$(dirname "$0")/lib.sh"

export RT_NOW=2026-11-23T10:00:00Z
LOG=$TRASH/fds.log
export LOG

new_desk desk || exit 1
exec_on_open "'echo \"2=\$(readlink /proc/\$\$/fd/2)\" >>\"\$LOG\"; echo \"exec says so\" >&2; :'" || exit 1

test_expect_success 'an exec: started by rt with stderr closed writes to /dev/null' '
	rm -f "$LOG" &&
	rt-set $ID status=open >/dev/null 2>&- &&
	echo "2=/dev/null" >expect && test_cmp expect "$LOG"
'
test_expect_success 'a mail stored with stderr closed: no desk file holds a message' '
	rm -f "$LOG" &&
	printf "From: c@example.com\nTo: support@example.org\nSubject: Re: [Test #%s] help\nMessage-Id: <r@x>\n\nagain\n" $ID >reply &&
	rt-set $ID status=resolved >/dev/null &&
	rt-ingest <reply >/dev/null 2>&- &&
	echo "2=/dev/null" >expect && test_cmp expect "$LOG" &&
	! grep -rl "exec says so" . .git/rt 2>/dev/null | grep -v "^./fds.log" &&
	git fsck --no-progress 2>&1 | grep -v "^dangling" >fsck; test ! -s fsck
'
test_expect_success 'with stdin and stdout closed a command still says what is wrong on stderr' '
	rt-show ZZZZZZZZ <&- >&- 2>err; test $? = 66 &&
	grep "#ZZZZZZZZ: no such ticket" err
'
test_done
