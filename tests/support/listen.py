#!/usr/bin/env python3
"""Park a do-nothing TCP listener on 127.0.0.1:PORT for at most SECONDS.

Kannel's drive_smpp dials a fake smsbox on 127.0.0.1:13001 at its first
connection and panics when nothing listens there; this is that listener.
Writes READY_FILE once listening."""
import socket
import sys
import time

port, seconds, ready = int(sys.argv[1]), float(sys.argv[2]), sys.argv[3]
s = socket.socket()
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("127.0.0.1", port))
s.listen(8)
s.settimeout(0.2)
open(ready, "w").close()
conns = []
end = time.time() + seconds
while time.time() < end:
    try:
        c, _ = s.accept()
        conns.append(c)
    except socket.timeout:
        pass
