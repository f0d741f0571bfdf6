#!/usr/bin/env python3
# A POP3 server on stdin/stdout for fetchmail's --plugin: serves the files
# of a folder as messages; a message is removed only by DELE then QUIT.
import os, sys
drop = sys.argv[1]
names = sorted(n for n in os.listdir(drop) if not n.startswith('.'))
msgs = [open(os.path.join(drop, n), 'rb').read() for n in names]
deleted = set()
out = sys.stdout.buffer
def say(s):
    out.write(s.encode() + b'\r\n'); out.flush()
def listing(i):
    return '%d %d' % (i + 1, len(msgs[i]))
say('+OK rt test pop3')
for raw in sys.stdin.buffer:
    words = raw.decode('ascii', 'replace').strip().split()
    cmd = words[0].upper() if words else ''
    arg = int(words[1]) - 1 if len(words) > 1 and words[1].isdigit() else None
    if cmd in ('USER', 'PASS', 'NOOP', 'RSET'):
        if cmd == 'RSET': deleted.clear()
        say('+OK')
    elif cmd == 'CAPA':
        say('+OK'); say('USER'); say('UIDL'); say('.')
    elif cmd == 'STAT':
        say('+OK %d %d' % (len(msgs), sum(map(len, msgs))))
    elif cmd in ('LIST', 'UIDL'):
        line = (lambda i: listing(i)) if cmd == 'LIST' else (lambda i: '%d %s' % (i + 1, names[i]))
        if arg is not None:
            say('+OK ' + line(arg))
        else:
            say('+OK')
            for i in range(len(msgs)): say(line(i))
            say('.')
    elif cmd in ('RETR', 'TOP'):
        say('+OK')
        for l in msgs[arg].replace(b'\r\n', b'\n').split(b'\n')[:-1] if msgs[arg].endswith(b'\n') else msgs[arg].split(b'\n'):
            out.write((b'.' + l if l.startswith(b'.') else l) + b'\r\n')
        say('.')
    elif cmd == 'DELE':
        deleted.add(arg); say('+OK')
    elif cmd == 'QUIT':
        for i in deleted: os.unlink(os.path.join(drop, names[i]))
        say('+OK bye'); break
    else:
        say('-ERR unknown')
