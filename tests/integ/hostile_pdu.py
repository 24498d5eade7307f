#!/usr/bin/env python3
"""tests/integ/hostile_pdu.py: smsdesk serve bound to a hostile SMSC that
sends crafted deliver_sm PDUs (issue #9). Run by test_hostile_pdu.sh with
BIN.

The SMSC here is a few lines of Python over a socket, so it can send
bytes no well-behaved peer would. Each crafted PDU must be answered with
an error deliver_sm_resp; serve must stay up, and the next good MO must
be stored with the right received time and answered (libsmpp34's error
text once overflowed into the clock's globals: K = 30..37 hidden TLVs
left serve running with a received time in the year 2.4e11, K >= 39
killed it).

Every process started here is ended by its PID; the port is ephemeral.
"""
import os
import socket
import struct
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import pipeline as P  # noqa: E402  (Desk, check)

DELIVER_SM = 0x00000005
DELIVER_SM_RESP = 0x80000005
SUBMIT_SM = 0x00000004
ENQUIRE_LINK = 0x00000015
UNBIND = 0x00000006


def pdu(cmd, seq, body=b"", status=0):
    return struct.pack(">IIII", 16 + len(body), cmd, status, seq) + body


def deliver_body(src, text, tlvs=b""):
    sm = text.encode("ascii")
    return (b"\0" + b"\x01\x01" + src.encode() + b"\0" + b"\0\0" +
            b"3000\0" + b"\0\0\0" + b"\0" + b"\0" + b"\0\0\0\0" +
            bytes([len(sm)]) + sm + tlvs)


def hidden_tlvs(k):
    """message_state declared 1 + 5k octets: one octet for the state, then
    k inner message_state TLVs that libsmpp34 parses as more TLVs."""
    inner = b"".join(struct.pack(">HHB", 0x0427, 1, 2) for _ in range(k))
    return struct.pack(">HH", 0x0427, 1 + len(inner)) + b"\x02" + inner


class Smsc:
    def __init__(self):
        self.ls = socket.socket()
        self.ls.bind(("127.0.0.1", 0))
        self.ls.listen(1)
        self.smpp = self.ls.getsockname()[1]
        self.c = None
        self.buf = b""
        self.submits = []

    def accept(self, secs=10):
        self.ls.settimeout(secs)
        self.c, _ = self.ls.accept()
        self.c.settimeout(secs)
        cmd, st, seq, body = self.read()
        # bind_transceiver (or transmitter/receiver): say yes.
        self.c.sendall(pdu(cmd | 0x80000000, seq, b"hostile\0"))

    def read(self):
        while len(self.buf) < 16 or len(self.buf) < struct.unpack(">I", self.buf[:4])[0]:
            d = self.c.recv(65536)
            if not d:
                raise EOFError("closed by smsdesk")
            self.buf += d
        n, cmd, st, seq = struct.unpack(">IIII", self.buf[:16])
        body, self.buf = self.buf[16:n], self.buf[n:]
        return cmd, st, seq, body

    def send(self, data):
        self.c.sendall(data)

    def resp_for(self, want_seq, secs=10):
        """Serve smsdesk's requests until the deliver_sm_resp for want_seq
        comes; its command_status."""
        end = time.time() + secs
        while time.time() < end:
            cmd, st, seq, body = self.read()
            if cmd == DELIVER_SM_RESP and seq == want_seq:
                return st
            if cmd == SUBMIT_SM:
                self.submits.append(body)
                self.send(pdu(cmd | 0x80000000, seq, b"%d\0" % (len(self.submits))))
            elif cmd in (ENQUIRE_LINK, UNBIND):
                self.send(pdu(cmd | 0x80000000, seq))
        raise TimeoutError("no deliver_sm_resp")


def main():
    with tempfile.TemporaryDirectory(prefix="smsdesk-hostile-") as tmp:
        smsc = Smsc()
        desk = P.Desk(tmp, smsc, extra="[sla]\nholidays_file =\n")
        try:
            desk.start()
            smsc.accept()
            exchange(desk, smsc)
        except (EOFError, TimeoutError, socket.timeout) as e:
            time.sleep(0.5)
            P.check("the hostile SMSC kept talking to serve", False,
                    f"{e}; serve exit status {desk.p.poll()}")
        finally:
            if desk.p is not None and desk.p.poll() is None:
                desk.p.kill()
                desk.p.wait()
    if P.FAILS:
        print(f"FAIL - {len(P.FAILS)} check(s) failed")
        sys.exit(1)
    print("PASS - hostile deliver_sm PDUs")


def exchange(desk, smsc):
    """The crafted PDUs, then a good MO."""
    seq = 100
    sizes = {}
    for k in (40, 30, 35, 37, 39, 200):
        seq += 1
        body = deliver_body("989131111111", "HELP", hidden_tlvs(k))
        if k == 40:
            body = deliver_body("989131111111", "", hidden_tlvs(k))
        data = pdu(DELIVER_SM, seq, body)
        sizes[k] = len(data)
        smsc.send(data)
        st = smsc.resp_for(seq)
        P.check(f"{len(data)}-byte deliver_sm hiding {k} TLVs refused "
                f"with an error", st != 0, f"command_status=0x{st:08x}")
        P.check(f"serve still up after K={k}", desk.p.poll() is None)
    P.check("the audit's PDU is 254 bytes", sizes[40] == 254, str(sizes[40]))
    # A good MO afterwards: stored now, not in the year 2.4e11.
    seq += 1
    t0 = time.time()
    smsc.send(pdu(DELIVER_SM, seq, deliver_body("989131111111", "HELP")))
    st = smsc.resp_for(seq)
    P.check("a good MO after them is acknowledged", st == 0, f"0x{st:08x}")
    rows = desk.sql("SELECT received FROM inbox WHERE body = 'HELP'")
    P.check("only the good MO was stored", len(rows) == 1, str(rows))
    P.check("its received time is now (the clock is intact)",
            rows and abs(rows[0][0] - t0) < 30, str(rows))
    end = time.time() + 10
    while not smsc.submits and time.time() < end:
        try:
            smsc.c.settimeout(max(0.1, end - time.time()))
            cmd, st, s2, body = smsc.read()
        except (socket.timeout, TimeoutError):
            break
        if cmd == SUBMIT_SM:
            smsc.submits.append(body)
            smsc.send(pdu(cmd | 0x80000000, s2, b"1\0"))
        elif cmd == ENQUIRE_LINK:
            smsc.send(pdu(cmd | 0x80000000, s2))
    P.check("and answered", len(smsc.submits) >= 1, str(len(smsc.submits)))
    log = open(desk.log.name, encoding="utf-8", errors="replace").read()
    P.check("each refusal logged with its reason",
            log.count("undecodable deliver_sm") >= 1 and "0x0427" in log)
    rc = desk.stop()
    P.check("serve exits cleanly", rc == 0, f"rc={rc}")


if __name__ == "__main__":
    main()
