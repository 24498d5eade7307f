#!/usr/bin/env python3
"""tests/integ/hostile_smsc.py: smsdesk serve against a hostile SMSC
(driven by test_hostile_smsc.sh, which passes BIN). The SMSC here is a
small SMPP server in this file, bound to 127.0.0.1 on an ephemeral port;
smsdesk connects to it as it would to an operator.

  no-read    the SMSC streams enquire_links and never reads: smsdesk must
             stop reading while its unsent output is high, keep its RSS
             bounded, and drop the link with a log line within a few
             seconds (response_timeout_s = 2).
  stream     the SMSC streams enquire_links as fast as it can (and reads
             the answers) and sends one MO in the middle: the MO is
             acknowledged within 1 s and RSS stays bounded.
  blast      20,000 MOs from 20,000 numbers sent without waiting for any
             response: every MO acknowledged OK is stored and answered,
             every one refused (ESME_RX_T_APPN) is neither stored nor
             answered; refused ones are sent again until all are in, and
             then each number has one inbox row and one answer.
  bad-pdus   100,000 undecodable deliver_sm: the log stays small and says
             how many warnings it suppressed, and every warning is either
             printed or counted.
  hidden-tlvs
             deliver_sm PDUs whose fixed-size message_state TLV declares
             1 + 5K octets and so hides K more TLVs from a TLV count
             (libsmpp34 reads the state's one octet and parses the rest):
             the 254-byte PDU of the audit (K = 40) killed serve, K = 30..37
             corrupted its clock. Each must be answered with an error,
             serve stays up, and the next good MO is stored with the right
             received time and answered.

Every process started here is ended by its PID; ports are ephemeral.
Usage: hostile_smsc.py [no-read] [stream] [blast] [bad-pdus] [hidden-tlvs]
(default: all).
"""
import os
import queue
import re
import signal
import socket
import sqlite3
import struct
import subprocess
import sys
import tempfile
import threading
import time

BIN = os.environ.get("BIN", "build/smsdesk")
FAILS = []

BIND_TRX = 0x00000009
DELIVER_SM = 0x00000005
SUBMIT_SM = 0x00000004
ENQUIRE_LINK = 0x00000015
GENERIC_NACK = 0x80000000
RESP = 0x80000000
ESME_ROK = 0
ESME_RX_T_APPN = 0x64
RSS_GROWTH_MAX_MB = 64


def check(name, ok, detail=""):
    print(("ok - " if ok else "FAIL - ") + name + (f" ({detail})" if detail else ""))
    if not ok:
        FAILS.append(name)
    sys.stdout.flush()


def pdu(cmd, seq, body=b"", status=0):
    return struct.pack(">IIII", 16 + len(body), cmd, status, seq) + body


def deliver_sm(seq, src, text, dst="3000", tlvs=b""):
    sm = text.encode()
    body = (b"\0" + bytes([1, 1]) + src.encode() + b"\0" + bytes([0, 0]) +
            dst.encode() + b"\0" + bytes([0, 0, 0]) + b"\0" + b"\0" +
            bytes([0, 0, 0, 0, len(sm)]) + sm + tlvs)
    return pdu(DELIVER_SM, seq, body)


def hidden_tlvs(k):
    """message_state declared 1 + 5k octets: one octet for the state, then
    k inner message_state TLVs that libsmpp34 parses as more TLVs."""
    inner = b"".join(struct.pack(">HHB", 0x0427, 1, 2) for _ in range(k))
    return struct.pack(">HH", 0x0427, 1 + len(inner)) + b"\x02" + inner


def rss_kb(pid):
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


def wait_until(pred, secs, step=0.02):
    end = time.time() + secs
    while time.time() < end:
        if pred():
            return True
        time.sleep(step)
    return pred()


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


class Smsc:
    """The listening side; accept() gives one bound link at a time."""

    def __init__(self):
        self.ls = socket.socket()
        self.ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.ls.bind(("127.0.0.1", 0))
        self.ls.listen(4)
        self.port = self.ls.getsockname()[1]

    def accept(self, secs=10.0, sndbuf=0):
        """Accept a connection, answer its bind_transceiver; the socket."""
        self.ls.settimeout(secs)
        c, _ = self.ls.accept()
        c.settimeout(secs)
        if sndbuf:
            c.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, sndbuf)
        h = b""
        while len(h) < 16:
            h += c.recv(16 - len(h))
        n, cmd, _, seq = struct.unpack(">IIII", h)
        body = b""
        while len(body) < n - 16:
            body += c.recv(n - 16 - len(body))
        if cmd != BIND_TRX:
            raise SystemExit(f"FAIL - expected bind_transceiver, got 0x{cmd:08x}")
        c.sendall(pdu(BIND_TRX | RESP, seq, b"hostile\0"))
        return c

    def close(self):
        self.ls.close()


class Desk:
    """smsdesk serve with its own configuration and database in tmp."""

    def __init__(self, tmp, smsc, window=10, max_tps=5000):
        self.tmp = tmp
        self.conf = os.path.join(tmp, "smsdesk.ini")
        self.db = os.path.join(tmp, "desk.db")
        self.logpath = os.path.join(tmp, "serve.log")
        with open(self.conf, "w") as f:
            f.write(f"""[db]
path = {self.db}
[web]
listen = 127.0.0.1:{free_port()}
base_url = https://desk.example
[smpp]
port = {smsc.port}
window = {window}
max_tps = {max_tps}
response_timeout_s = 2
""")
        self.p = None

    def start(self):
        ready = os.path.join(self.tmp, "serve.ready")
        self.log = open(self.logpath, "w")
        self.p = subprocess.Popen([BIN, "-c", self.conf, "serve", "--ready-file", ready],
                                  stdout=self.log, stderr=subprocess.STDOUT)
        if not wait_until(lambda: os.path.exists(ready) and os.path.getsize(ready) > 0
                          or self.p.poll() is not None, 20, 0.05) or self.p.poll() is not None:
            raise SystemExit("FAIL - smsdesk serve did not start; see " + self.logpath)

    def rss_kb(self):
        return rss_kb(self.p.pid)

    def logtext(self):
        with open(self.logpath, errors="replace") as f:
            return f.read()

    def stop(self):
        if self.p is None or self.p.poll() is not None:
            return None
        self.p.send_signal(signal.SIGTERM)
        try:
            rc = self.p.wait(20)
        except subprocess.TimeoutExpired:
            self.p.kill()
            rc = self.p.wait()
        self.log.close()
        return rc

    def sql(self, q):
        c = sqlite3.connect(self.db, timeout=10)
        try:
            return c.execute(q).fetchall()
        finally:
            c.close()


class Sampler(threading.Thread):
    """Samples the RSS of pid every 20 ms until stopped."""

    def __init__(self, pid):
        super().__init__(daemon=True)
        self.pid, self.peak, self.halt = pid, 0, False

    def run(self):
        while not self.halt:
            self.peak = max(self.peak, rss_kb(self.pid))
            time.sleep(0.02)


ENQ_CHUNK = b"".join(pdu(ENQUIRE_LINK, 1000 + i) for i in range(4096))  # 64 KiB


def no_read():
    with tempfile.TemporaryDirectory(prefix="smsdesk-hostile-") as tmp:
        smsc = Smsc()
        desk = Desk(tmp, smsc)
        try:
            desk.start()
            c = smsc.accept()
            time.sleep(0.2)  # settle after the bind
            base = desk.rss_kb()
            smp = Sampler(desk.p.pid)
            smp.start()
            state = {"err": None, "sent": 0}
            limit_kb = base + RSS_GROWTH_MAX_MB * 1024

            def writer():
                c.settimeout(0.2)
                end = time.time() + 8
                while time.time() < end and smp.peak < limit_kb:
                    try:
                        state["sent"] += c.send(ENQ_CHUNK)
                    except socket.timeout:
                        continue  # smsdesk stopped reading: keep pressing
                    except OSError as e:
                        state["err"] = e
                        return

            t0 = time.time()
            w = threading.Thread(target=writer, daemon=True)
            w.start()
            w.join(10)
            secs = time.time() - t0
            smp.halt = True
            smp.join()
            growth = (smp.peak - base) // 1024
            check("no-read: RSS growth stays under %d MB" % RSS_GROWTH_MAX_MB,
                  smp.peak < limit_kb, f"base={base // 1024}MB peak={smp.peak // 1024}MB "
                  f"growth={growth}MB sent={state['sent'] // 1024}KiB")
            check("no-read: smsdesk dropped the link", state["err"] is not None,
                  f"after {secs:.1f}s: {state['err']}")
            log = desk.logtext()
            m = re.search(r"session=trx dropped reason=\"SMSC not reading[^\"]*\"", log)
            check("no-read: the drop is logged with its reason", m is not None,
                  m.group(0) if m else "no such line")
            print(f"no-read: base_rss={base}kB peak_rss={smp.peak}kB drop_after={secs:.2f}s")
            c.close()
            check("no-read: smsdesk still runs", desk.p.poll() is None)
        finally:
            rc = desk.stop()
            check("no-read: clean stop", rc == 0, f"rc={rc}")
            smsc.close()


def stream():
    with tempfile.TemporaryDirectory(prefix="smsdesk-hostile-") as tmp:
        smsc = Smsc()
        desk = Desk(tmp, smsc)
        try:
            desk.start()
            c = smsc.accept(sndbuf=256 * 1024)
            time.sleep(0.2)
            base = desk.rss_kb()
            smp = Sampler(desk.p.pid)
            smp.start()
            limit_kb = base + RSS_GROWTH_MAX_MB * 1024
            # Stop pressing at 4 times the limit only: long enough to see
            # the MO wait when reading never yields to the loop.
            guard_kb = base + 4 * RSS_GROWTH_MAX_MB * 1024
            mo_seq = 0x7ffff000
            pat = struct.pack(">III", 17, DELIVER_SM | RESP, ESME_ROK) + struct.pack(">I", mo_seq)
            st = {"t_mo": None, "t_ack": None, "bytes_in": 0, "stop": False}

            def reader():
                tail = b""
                while not st["stop"]:
                    try:
                        b = c.recv(1 << 20)
                    except socket.timeout:
                        continue
                    except OSError:
                        return
                    if not b:
                        return
                    st["bytes_in"] += len(b)
                    buf = tail + b
                    if st["t_ack"] is None and buf.find(pat) >= 0:
                        st["t_ack"] = time.time()
                    tail = buf[-(len(pat) - 1):]

            def writer():
                t0 = time.time()
                sent_mo = False
                while not st["stop"] and smp.peak < guard_kb:
                    now = time.time()
                    if st["t_ack"] is not None and now - st["t_ack"] > 0.3:
                        break
                    if now - t0 > 4:
                        break
                    if not sent_mo and now - t0 > 0.5:
                        c.sendall(deliver_sm(mo_seq, "989121234567", "HELP"))
                        st["t_mo"] = time.time()
                        sent_mo = True
                        continue
                    try:
                        c.sendall(ENQ_CHUNK)
                    except OSError:
                        return

            c.settimeout(0.2)
            r = threading.Thread(target=reader, daemon=True)
            w = threading.Thread(target=writer, daemon=True)
            r.start()
            w.start()
            w.join(10)
            st["stop"] = True
            r.join(2)
            smp.halt = True
            smp.join()
            lat = (st["t_ack"] - st["t_mo"]) if st["t_ack"] and st["t_mo"] else None
            check("stream: the MO is acknowledged within 1 s while enquire_links stream",
                  lat is not None and lat < 1.0,
                  f"latency={lat if lat is None else round(lat, 3)}s")
            check("stream: RSS growth stays under %d MB" % RSS_GROWTH_MAX_MB,
                  smp.peak < limit_kb, f"base={base // 1024}MB peak={smp.peak // 1024}MB")
            print(f"stream: answers_in={st['bytes_in'] // 1024}KiB peak_rss={smp.peak}kB "
                  f"mo_ack_latency={lat}")
            c.close()
            check("stream: smsdesk still runs", desk.p.poll() is None)
        finally:
            rc = desk.stop()
            check("stream: clean stop", rc == 0, f"rc={rc}")
            smsc.close()


class Peer:
    """A full-speed SMSC link: answers submit_sm and enquire_link, records
    each deliver_sm_resp's status by sequence number."""

    def __init__(self, c):
        self.c, self.q = c, queue.Queue()
        self.resp, self.submits, self.closed = {}, [], False
        self.msgid = 0
        # Reading never waits for writing (a blocked send must not stop
        # the reads smsdesk's own output waits for).
        self.t = threading.Thread(target=self.run, daemon=True)
        self.w = threading.Thread(target=self.write, daemon=True)
        self.t.start()
        self.w.start()

    def send(self, b):
        self.q.put(b)

    def write(self):
        while True:
            b = self.q.get()
            try:
                self.c.sendall(b)
            except OSError:
                return

    def run(self):
        buf = b""
        self.c.settimeout(None)
        while True:
            try:
                b = self.c.recv(1 << 20)
            except OSError:
                b = b""
            if not b:
                self.closed = True
                return
            buf += b
            off, out = 0, []
            while len(buf) - off >= 16:
                n, cmd, status, seq = struct.unpack_from(">IIII", buf, off)
                if len(buf) - off < n:
                    break
                if cmd == DELIVER_SM | RESP:
                    self.resp[seq] = status
                elif cmd == SUBMIT_SM:
                    self.submits.append(buf[off:off + n])
                    self.msgid += 1
                    out.append(pdu(SUBMIT_SM | RESP, seq, b"m%d\0" % self.msgid))
                elif cmd == ENQUIRE_LINK:
                    out.append(pdu(ENQUIRE_LINK | RESP, seq))
                off += n
            buf = buf[off:]
            if out:
                self.send(b"".join(out))


def blast():
    n = 20000
    with tempfile.TemporaryDirectory(prefix="smsdesk-hostile-") as tmp:
        smsc = Smsc()
        desk = Desk(tmp, smsc, window=100, max_tps=50000)
        try:
            desk.start()
            peer = Peer(smsc.accept())
            nums = {i + 1: "98912%07d" % i for i in range(n)}
            seq_num = {}
            seq = 0

            def send(idx):
                nonlocal seq
                out = []
                for i in idx:
                    seq += 1
                    seq_num[seq] = i
                    out.append(deliver_sm(seq, nums[i], "HELP"))
                peer.send(b"".join(out))
                return seq

            first_last = send(range(1, n + 1))
            ok = wait_until(lambda: len(peer.resp) >= first_last, 60, 0.05)
            check("blast: every MO of the burst answered", ok, f"answered={len(peer.resp)}/{n}")
            resp = dict(peer.resp)
            ok1 = {seq_num[s] for s, v in resp.items() if v == ESME_ROK}
            ref1 = {seq_num[s] for s, v in resp.items() if v == ESME_RX_T_APPN}
            other = {v for v in resp.values() if v not in (ESME_ROK, ESME_RX_T_APPN)}
            check("blast: only ESME_ROK or ESME_RX_T_APPN answers", not other, f"{other}")
            stored = {r[0].lstrip("+") for r in desk.sql("SELECT source FROM inbox")}
            rows = desk.sql("SELECT count(*) FROM inbox")[0][0]
            ok_src = {nums[i] for i in ok1}
            ref_src = {nums[i] for i in ref1}
            print(f"blast: burst acked={len(ok1)} refused={len(ref1)} inbox_rows={rows}")
            # Each acknowledged MO is committed before its answer, and a
            # refused one is never handed up: the inbox holds exactly the
            # acknowledged ones.
            check("blast: inbox rows == MOs acknowledged OK", rows == len(ok1) and
                  stored == ok_src, f"rows={rows} acked={len(ok1)}")
            check("blast: no refused MO stored", not (stored & ref_src),
                  f"refused_but_stored={len(stored & ref_src)}")
            # Send the refused ones again, as an SMSC would, until all are in.
            rounds, pending = 0, ref1
            while pending and rounds < 30:
                rounds += 1
                last = send(sorted(pending))
                wait_until(lambda: last in peer.resp, 30, 0.02)
                pending = {seq_num[s] for s, v in dict(peer.resp).items()
                           if v != ESME_ROK and s > last - len(pending)}
            check("blast: every MO in after redelivery", not pending,
                  f"rounds={rounds} pending={len(pending)}")
            done = wait_until(lambda: desk.sql(
                "SELECT count(*) FROM outbox WHERE state < 2")[0][0] == 0 and
                desk.sql("SELECT count(*) FROM outbox")[0][0] >= n, 60, 0.2)
            check("blast: every answer sent", done)
            per = desk.sql("SELECT destination, count(*) FROM outbox GROUP BY destination")
            twice = sum(1 for _, k in per if k > 1)
            check(f"blast: each of {n} numbers answered exactly once",
                  len(per) == n and twice == 0, f"numbers={len(per)} more_than_once={twice}")
            firsts = desk.sql("SELECT count(*), count(DISTINCT source) FROM inbox "
                              "WHERE dup_of IS NULL")[0]
            dups = desk.sql("SELECT count(*) FROM inbox WHERE dup_of IS NOT NULL")[0][0]
            check("blast: one inbox row per number, no redelivery stored twice",
                  firsts == (n, n) and dups == 0, f"first={firsts} dups={dups}")
            print(f"blast: redelivery_rounds={rounds} submits_seen={len(peer.submits)}")
        finally:
            rc = desk.stop()
            check("blast: clean stop", rc == 0, f"rc={rc}")
            smsc.close()


def bad_pdus():
    n = 100000
    with tempfile.TemporaryDirectory(prefix="smsdesk-hostile-") as tmp:
        smsc = Smsc()
        desk = Desk(tmp, smsc)
        try:
            desk.start()
            c = smsc.accept()
            time.sleep(0.2)
            size0 = os.path.getsize(desk.logpath)
            # A deliver_sm whose mandatory fields run past its end.
            bad = pdu(DELIVER_SM, 7, b"\x01\x01\x01")
            end_seq = 0x7ffffff0
            pat = struct.pack(">IIII", 16, ENQUIRE_LINK | RESP, 0, end_seq)
            st = {"seen": False}

            def reader():
                tail = b""
                while True:
                    try:
                        b = c.recv(1 << 20)
                    except OSError:
                        return
                    if not b:
                        return
                    buf = tail + b
                    if buf.find(pat) >= 0:
                        st["seen"] = True
                        return
                    tail = buf[-15:]

            c.settimeout(30)
            r = threading.Thread(target=reader, daemon=True)
            r.start()
            t0 = time.time()
            c.sendall(bad * n + pdu(ENQUIRE_LINK, end_seq))
            r.join(60)
            secs = time.time() - t0
            check(f"bad-pdus: {n} bad PDUs answered", st["seen"], f"{secs:.1f}s")
            c.close()  # the drop reports what was suppressed
            wait_until(lambda: "closed by SMSC" in desk.logtext(), 5)
            time.sleep(0.1)
            log = desk.logtext()
            grown = os.path.getsize(desk.logpath) - size0
            lines = [x for x in log.splitlines() if "undecodable deliver_sm" in x]
            supp = sum(int(x) for x in re.findall(r"suppressed=(\d+)", log))
            check("bad-pdus: the log grew by less than 64 KiB", grown < 64 * 1024,
                  f"grew={grown}B lines={len(lines)}")
            check("bad-pdus: suppressed warnings are counted in the log",
                  supp > 0 and len(lines) + supp == n,
                  f"printed={len(lines)} suppressed={supp} sum={len(lines) + supp}")
            print(f"bad-pdus: n={n} log_growth={grown}B printed={len(lines)} suppressed={supp}")
            check("bad-pdus: smsdesk still runs", desk.p.poll() is None)
        finally:
            rc = desk.stop()
            check("bad-pdus: clean stop", rc == 0, f"rc={rc}")
            smsc.close()


class Link:
    """One bound link read in order: answers smsdesk's submit_sm and
    enquire_link while waiting for what the test wants."""

    def __init__(self, c):
        self.c, self.buf, self.submits = c, b"", 0

    def read(self):
        while len(self.buf) < 16 or len(self.buf) < struct.unpack(">I", self.buf[:4])[0]:
            d = self.c.recv(65536)
            if not d:
                raise EOFError("closed by smsdesk")
            self.buf += d
        n, cmd, st, seq = struct.unpack(">IIII", self.buf[:16])
        self.buf = self.buf[n:]
        if cmd == SUBMIT_SM:
            self.submits += 1
            self.c.sendall(pdu(cmd | RESP, seq, b"%d\0" % self.submits))
        elif cmd == ENQUIRE_LINK:
            self.c.sendall(pdu(cmd | RESP, seq))
        return cmd, st, seq

    def resp_for(self, want):
        """The command_status of the deliver_sm_resp to sequence want."""
        while True:
            cmd, st, seq = self.read()
            if cmd == DELIVER_SM | RESP and seq == want:
                return st


def hidden_tlv_pdus():
    smsc = Smsc()
    with tempfile.TemporaryDirectory(prefix="smsdesk-hostile-") as tmp:
        desk = Desk(tmp, smsc)
        try:
            desk.start()
            link = Link(smsc.accept())
            seq = 100
            for k in (40, 30, 35, 37, 39, 200):
                seq += 1
                data = deliver_sm(seq, "989131111111", "" if k == 40 else "HELP",
                                  tlvs=hidden_tlvs(k))
                if k == 40:
                    check("hidden-tlvs: the audit's PDU is 254 bytes", len(data) == 254,
                          str(len(data)))
                link.c.sendall(data)
                st = link.resp_for(seq)
                check(f"hidden-tlvs: {len(data)}-byte deliver_sm hiding {k} TLVs "
                      "answered with an error", st != ESME_ROK, f"0x{st:08x}")
                check(f"hidden-tlvs: serve still up after K={k}", desk.p.poll() is None)
            seq += 1
            t0 = time.time()
            link.c.sendall(deliver_sm(seq, "989131111111", "HELP"))
            st = link.resp_for(seq)
            check("hidden-tlvs: a good MO after them is acknowledged", st == ESME_ROK,
                  f"0x{st:08x}")
            rows = desk.sql("SELECT received FROM inbox WHERE body = 'HELP'")
            check("hidden-tlvs: only the good MO was stored", len(rows) == 1, str(rows))
            check("hidden-tlvs: its received time is now (the clock is intact)",
                  len(rows) == 1 and abs(rows[0][0] - t0) < 30, str(rows))
            end = time.time() + 10
            link.c.settimeout(1.0)
            while link.submits == 0 and time.time() < end:
                try:
                    link.read()
                except socket.timeout:
                    pass
            check("hidden-tlvs: and answered", link.submits >= 1)
            log = desk.logtext()
            check("hidden-tlvs: the refusals logged with the TLV at fault",
                  "undecodable deliver_sm" in log and "0x0427" in log)
        except (EOFError, socket.timeout) as e:
            time.sleep(0.5)
            check("hidden-tlvs: the link to serve held", False,
                  f"{e}; serve exit status {desk.p.poll()}")
        finally:
            rc = desk.stop()
            check("hidden-tlvs: clean stop", rc == 0, f"rc={rc}")
            smsc.close()


def main():
    cases = {"no-read": no_read, "stream": stream, "blast": blast, "bad-pdus": bad_pdus,
             "hidden-tlvs": hidden_tlv_pdus}
    names = sys.argv[1:] or list(cases)
    for name in names:
        t0 = time.time()
        cases[name]()
        print(f"# {name}: {time.time() - t0:.1f}s")
    print(f"{len(FAILS)} failed" if FAILS else "all passed")
    return 1 if FAILS else 0


if __name__ == "__main__":
    sys.exit(main())
