#!/usr/bin/env python3
"""bash-tab.py COMPLETION-FILE LINE: types LINE into an interactive bash
(on a pseudo-terminal, so readline and programmable completion run as for
a user), presses TAB once and prints the line readline then holds.

The completion file is sourced first; bash runs without rc files in the
current folder with the caller's environment. Exits 1 when bash did not
answer within 30 seconds.
"""
import os
import pty
import select
import sys
import time

comp, line = sys.argv[1], sys.argv[2]
pid, fd = pty.fork()
if pid == 0:
    os.environ["PS1"] = "$ "
    os.environ["TERM"] = "dumb"
    os.execvp("bash", ["bash", "--norc", "--noprofile", "-i"])

got = b""


def wait_for(marker, timeout=30.0):
    global got
    end = time.time() + timeout
    while marker not in got:
        left = end - time.time()
        if left <= 0:
            return False
        r, _, _ = select.select([fd], [], [], left)
        if r:
            try:
                data = os.read(fd, 4096)
            except OSError:
                return False
            if not data:
                return False
            got += data
    return True


def send(s):
    os.write(fd, s.encode())


send(". '%s' && echo SOURCED-$((6*7))\n" % comp.replace("'", "'\\''"))
ok = wait_for(b"SOURCED-42")
# C-x C-p prints what readline holds; TAB completes once, no bell, no list
send("bind 'set bell-style none'; bind -x '\"\\C-x\\C-p\": "
     "printf \"LINE<%s>END\\n\" \"$READLINE_LINE\"'; echo BOUND-$((6*7))\n")
ok = ok and wait_for(b"BOUND-42")
got = b""
send(line + "\t")
send("\x18\x10")
ok = ok and wait_for(b">END")
send("\x15exit\n")
try:
    os.waitpid(pid, 0)
except OSError:
    pass
if not ok:
    sys.stderr.write("bash-tab.py: no answer from bash; it said: %r\n" % got)
    sys.exit(1)
text = got.decode("utf-8", "replace")
start = text.rindex("LINE<") + 5
print(text[start:text.rindex(">END")])
