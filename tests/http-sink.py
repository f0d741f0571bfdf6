#!/usr/bin/env python3
"""http-sink.py DIR: a small HTTP listener on 127.0.0.1 for tests.

Binds a free port chosen by the kernel and writes it to DIR/port; every
POST body is kept as DIR/N.body (its path in DIR/N.path), and answered
200 (or the status in DIR/status, if that file exists). Runs until killed.
"""
import http.server
import os
import sys

DIR = sys.argv[1]


class Handler(http.server.BaseHTTPRequestHandler):
    def do_POST(self):
        n = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(n)
        count = len([f for f in os.listdir(DIR) if f.endswith(".body")]) + 1
        with open(os.path.join(DIR, "%d.path" % count), "w") as f:
            f.write(self.path + "\n")
        with open(os.path.join(DIR, "%d.body" % count), "wb") as f:
            f.write(body)
        try:
            with open(os.path.join(DIR, "status")) as f:
                status = int(f.read().strip())
        except OSError:
            status = 200
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.end_headers()
        self.wfile.write(b'{"ok": %s}\n' % (b"true" if status == 200 else b"false"))

    def log_message(self, fmt, *args):
        pass


server = http.server.HTTPServer(("127.0.0.1", 0), Handler)
with open(os.path.join(DIR, "port.tmp"), "w") as f:
    f.write("%d\n" % server.server_address[1])
os.rename(os.path.join(DIR, "port.tmp"), os.path.join(DIR, "port"))
server.serve_forever()
