#!/usr/bin/env python3
"""tests/sim/sim_check.py: checks smsdesk-smsc-sim over loopback.

A small SMPP 3.4 ESME (socket + struct) and HTTP client. It expects a
simulator started with:
    --system-id smsdesk --password secret --hex-ids --dlr-delay-ms 50
    --undeliv 989120000000 --mo-window 20
and takes its ports from the ready file (--ready PATH) or --smpp/--http.
With --suite limits it expects instead:
    --max-submits 5 --concat-timeout-ms 300 --undeliv-share 50
    --dlr-delay-ms 0
and, given --pid, ends by sending SIGTERM and checking the unbind.
Every wait is bounded. Prints "ok - ..." per check and exits 1 if any
failed.
"""
import argparse
import json
import os
import signal
import socket
import struct
import sys
import time
import urllib.error
import urllib.parse
import urllib.request

GENERIC_NACK = 0x80000000
BIND_RX, BIND_TX, BIND_TRX = 0x1, 0x2, 0x9
SUBMIT_SM, SUBMIT_SM_RESP = 0x4, 0x80000004
DELIVER_SM, DELIVER_SM_RESP = 0x5, 0x80000005
UNBIND, UNBIND_RESP = 0x6, 0x80000006
ENQUIRE_LINK, ENQUIRE_LINK_RESP = 0x15, 0x80000015

ROK, RINVCMDLEN, RINVCMDID, RINVBNDSTS = 0, 0x2, 0x3, 0x4
RINVPASWD, RINVSYSID, RTHROTTLED = 0xE, 0xF, 0x58
RINVOPTPARSTREAM = 0xC0

TIMEOUT = 5.0
FAILS = []


def check(cond, what):
    if cond:
        print("ok - " + what)
    else:
        print("FAIL - " + what)
        FAILS.append(what)
    return cond


def cstr(s):
    return s.encode() + b"\0"


class Esme:
    """One SMPP connection: blocking socket with a timeout."""

    def __init__(self, port):
        self.sock = socket.create_connection(("127.0.0.1", port), TIMEOUT)
        self.sock.settimeout(TIMEOUT)
        self.seq = 0
        self.buf = b""
        self.pending = []  # PDUs read while waiting for another

    def close(self):
        self.sock.close()

    def send(self, cmd, body=b"", status=0, seq=None):
        if seq is None:
            self.seq += 1
            seq = self.seq
        self.sock.sendall(struct.pack(">IIII", 16 + len(body), cmd, status,
                                      seq) + body)
        return seq

    def read_pdu(self, timeout=TIMEOUT):
        """(cmd, status, seq, body) or None on EOF; socket.timeout."""
        deadline = time.monotonic() + timeout
        while True:
            if len(self.buf) >= 4:
                n = struct.unpack(">I", self.buf[:4])[0]
                if len(self.buf) >= n:
                    pdu, self.buf = self.buf[:n], self.buf[n:]
                    _, cmd, st, seq = struct.unpack(">IIII", pdu[:16])
                    return cmd, st, seq, pdu[16:]
            left = deadline - time.monotonic()
            if left <= 0:
                raise socket.timeout()
            self.sock.settimeout(left)
            chunk = self.sock.recv(65536)
            if not chunk:
                return None
            self.buf += chunk

    def wait(self, cmd, seq=None, timeout=TIMEOUT):
        """The next PDU with cmd (and seq); others are kept."""
        for i, p in enumerate(self.pending):
            if p[0] == cmd and (seq is None or p[2] == seq):
                return self.pending.pop(i)
        deadline = time.monotonic() + timeout
        while True:
            p = self.read_pdu(max(0.001, deadline - time.monotonic()))
            if p is None:
                return None
            if p[0] == cmd and (seq is None or p[2] == seq):
                return p
            self.pending.append(p)

    def bind(self, cmd=BIND_TRX, sysid="smsdesk", pw="secret"):
        body = cstr(sysid) + cstr(pw) + cstr("") + bytes([0x34, 0, 0]) + \
            cstr("")
        seq = self.send(cmd, body)
        p = self.wait(cmd | 0x80000000, seq)
        return p[1]

    def submit(self, dst, sm=b"", dc=0, esm=0, rd=0, tlvs=b"", src="3000"):
        body = (cstr("") + bytes([5, 0]) + cstr(src) + bytes([1, 1]) +
                cstr(dst) + bytes([esm, 0, 0]) + cstr("") + cstr("") +
                bytes([rd, 0, dc, 0, len(sm)]) + sm + tlvs)
        return self.send(SUBMIT_SM, body)

    def submit_wait(self, *a, **kw):
        seq = self.submit(*a, **kw)
        p = self.wait(SUBMIT_SM_RESP, seq)
        msgid = p[3].rstrip(b"\0").decode() if p[3] else ""
        return p[1], msgid


def tlv(tag, value):
    return struct.pack(">HH", tag, len(value)) + value


def parse_deliver(body):
    """deliver_sm body -> dict."""
    off = 0

    def cs():
        nonlocal off
        end = body.index(b"\0", off)
        s = body[off:end].decode("latin-1")
        off = end + 1
        return s
    d = {}
    d["service_type"] = cs()
    d["src_ton"], d["src_npi"] = body[off], body[off + 1]
    off += 2
    d["src"] = cs()
    d["dst_ton"], d["dst_npi"] = body[off], body[off + 1]
    off += 2
    d["dst"] = cs()
    d["esm"], d["pid"], d["prio"] = body[off], body[off + 1], body[off + 2]
    off += 3
    cs()
    cs()
    d["rd"], d["replace"], d["dc"], d["defid"], n = body[off:off + 5]
    off += 5
    d["sm"] = body[off:off + n]
    off += n
    d["tlv"] = {}
    while off < len(body):
        tag, ln = struct.unpack(">HH", body[off:off + 4])
        d["tlv"][tag] = body[off + 4:off + 4 + ln]
        off += 4 + ln
    return d


GSM7 = ("@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞ\x1bÆæßÉ !\"#¤%&'()*+,-./0123456789:;"
        "<=>?¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà")
GSM7_EXT = {"^": 0x14, "{": 0x28, "}": 0x29, "\\": 0x2F, "[": 0x3C,
            "~": 0x3D, "]": 0x3E, "|": 0x40, "€": 0x65}


def gsm7_encode(s):
    out = bytearray()
    for ch in s:
        if ch in GSM7_EXT:
            out += bytes([0x1B, GSM7_EXT[ch]])
        else:
            out.append(GSM7.index(ch))
    return bytes(out)


def gsm7_decode(b):
    rev = {v: k for k, v in GSM7_EXT.items()}
    out, i = [], 0
    while i < len(b):
        if b[i] == 0x1B and i + 1 < len(b):
            out.append(rev.get(b[i + 1], "?"))
            i += 2
        else:
            out.append(GSM7[b[i]])
            i += 1
    return "".join(out)


def sm_text(d):
    """Text of a deliver_sm (UDH removed) and its concat info."""
    sm, concat = d["sm"], None
    if d["esm"] & 0x40:
        udhl = sm[0]
        udh = sm[1:1 + udhl]
        if udh[0] == 0 and udh[1] == 3:
            concat = (udh[2], udh[3], udh[4])
        sm = sm[1 + udhl:]
    text = sm.decode("utf-16-be") if d["dc"] == 8 else gsm7_decode(sm)
    return text, concat


class Http:
    def __init__(self, port):
        self.base = "http://127.0.0.1:%d" % port

    def req(self, method, path, params=None, data=None):
        url = self.base + path
        if params:
            url += "?" + urllib.parse.urlencode(params)
        body = urllib.parse.urlencode(data).encode() if data else None
        r = urllib.request.Request(url, data=body, method=method)
        try:
            with urllib.request.urlopen(r, timeout=TIMEOUT) as resp:
                return resp.status, resp.read().decode()
        except urllib.error.HTTPError as e:
            return e.code, e.read().decode()

    def post(self, path, **params):
        return self.req("POST", path, params)

    def get(self, path, **params):
        return self.req("GET", path, params)

    def stats(self):
        return json.loads(self.get("/stats")[1])

    def submits(self, since=0, **kw):
        st, body = self.get("/submits", since=since, **kw)
        return [json.loads(x) for x in body.splitlines() if x.strip()]


def until(fn, timeout=TIMEOUT):
    """Poll fn() (every 20 ms) until true or timeout; returns its value."""
    deadline = time.monotonic() + timeout
    while True:
        v = fn()
        if v or time.monotonic() > deadline:
            return v
        time.sleep(0.02)


def ack_deliver(e, p, status=0):
    e.send(DELIVER_SM_RESP, b"\0", status=status, seq=p[2])


def test_binds(smpp):
    e = Esme(smpp)
    check(e.bind(BIND_TRX, pw="wrong") == RINVPASWD,
          "bind with a wrong password gets ESME_RINVPASWD")
    check(e.bind(BIND_TRX, sysid="other") == RINVSYSID,
          "bind with a wrong system_id gets ESME_RINVSYSID")
    seq = e.submit("989131111111", b"hi")
    check(e.wait(SUBMIT_SM_RESP, seq)[1] == RINVBNDSTS,
          "submit_sm before bind gets ESME_RINVBNDSTS")
    check(e.bind(BIND_TX) == ROK, "bind_transmitter succeeds")
    check(e.bind(BIND_TX) == 0x5, "a second bind gets ESME_RALYBND")
    seq = e.send(ENQUIRE_LINK)
    check(e.wait(ENQUIRE_LINK_RESP, seq) is not None,
          "enquire_link gets enquire_link_resp")
    seq = e.send(0x00000103, b"")  # data_sm: not supported
    p = e.wait(GENERIC_NACK, seq)
    check(p is not None and p[1] == RINVCMDID,
          "unknown command gets generic_nack ESME_RINVCMDID")
    seq = e.send(UNBIND)
    check(e.wait(UNBIND_RESP, seq) is not None, "unbind gets unbind_resp")
    check(e.read_pdu(2.0) is None, "connection closes after unbind")
    e.close()
    r = Esme(smpp)
    check(r.bind(BIND_RX) == ROK, "bind_receiver succeeds")
    seq = r.submit("989131111111", b"hi")
    check(r.wait(SUBMIT_SM_RESP, seq)[1] == RINVBNDSTS,
          "submit_sm on a receiver gets ESME_RINVBNDSTS")
    r.close()


def test_submits(smpp, http):
    e = Esme(smpp)
    check(e.bind(BIND_TRX) == ROK, "bind_transceiver succeeds")
    base = http.stats()["messages"]
    since = (http.submits(limit=100000) or [{"seq": 0}])[-1]["seq"]

    body = (cstr("") + bytes([7, 1]) + cstr("3000") + bytes([1, 1]) +
            cstr("989131111111") + bytes([0, 0, 0]) + cstr("") + cstr("") +
            bytes([0, 0, 0, 0, 1]) + b"x")
    e.send(SUBMIT_SM, body)
    p = e.wait(SUBMIT_SM_RESP)
    check(p is not None and p[1] == 0x48 and p[3] == b"",
          "source TON 7 gets ESME_RINVSRCTON and no message_id")

    fa = "سلام، درخواست شما ثبت شد"
    st, id1 = e.submit_wait("989131111111", fa.encode("utf-16-be"), dc=8,
                            rd=1)
    check(st == ROK and id1, "UCS-2 submit gets an id (%s)" % id1)
    p = e.wait(DELIVER_SM, timeout=3)
    d = parse_deliver(p[3]) if p else None
    check(d is not None and d["esm"] == 0x04, "a receipt arrives")
    if d:
        txt = d["sm"].decode("latin-1")
        check(txt.startswith("id:%s sub:001 dlvrd:001 submit date:" % id1)
              and "stat:DELIVRD err:000 text:" in txt,
              "receipt text form: " + txt[:60])
        check(d["tlv"].get(0x001E) == cstr(id1),
              "receipted_message_id TLV names the id")
        check(d["tlv"].get(0x0427) == b"\x02", "message_state 2")
        check(d["src"] == "989131111111" and d["dst"] == "3000",
              "receipt from the phone to the short code")
        ack_deliver(e, p)

    # 3-part GSM 7-bit with UDH IEI 0, one part with an escape split.
    long_text = ("Your request 10025 was answered. " * 9)[:400] + " €[]"
    units = gsm7_encode(long_text)
    chunks = [units[0:153], units[153:306], units[306:]]
    ids = []
    for i, ch in enumerate(chunks):
        udh = bytes([5, 0, 3, 0x42, 3, i + 1])
        st, mid = e.submit_wait("989131111111", udh + ch, dc=0, esm=0x40)
        ids.append(mid)
    check(all(ids) and len(set(ids)) == 3, "3 parts get 3 distinct ids")
    check(any(c in "abcdef" for c in "".join(ids)) and
          any(len(x) == 15 and x.isdigit() for x in ids),
          "--hex-ids alternates decimal and hex ids %s" % ids)
    # UCS-2 2-part with a 16-bit reference, split inside nothing odd.
    fa2 = "پاسخ درخواست 10025 (فناوری اطلاعات): " + "متن طولانی " * 8
    u = fa2.encode("utf-16-be")
    for i, ch in enumerate([u[:134], u[134:]]):
        udh = bytes([6, 8, 4, 0x12, 0x34, 2, i + 1])
        e.submit_wait("989131111112", udh + ch, dc=8, esm=0x40)
    # SAR, parts in reverse order.
    sar = ["first half ", "second half"]
    for i in (1, 0):
        t = (tlv(0x020C, struct.pack(">H", 77)) + tlv(0x020E, b"\x02") +
             tlv(0x020F, bytes([i + 1])))
        e.submit_wait("989131111113", gsm7_encode(sar[i]), tlvs=t)
    # message_payload longer than libsmpp34's 1024-octet cap.
    big = "م" * 700
    st, _ = e.submit_wait("989131111114", b"", dc=8,
                          tlvs=tlv(0x0424, big.encode("utf-16-be")))
    check(st == ROK, "a 1400-octet message_payload is accepted")
    # Latin-1.
    e.submit_wait("989131111115", "café £5".encode("latin-1"), dc=3)
    # A broken TLV stream.
    st, _ = e.submit_wait("989131111116", b"x", tlvs=b"\x04\x24\x00\x09ab")
    check(st == RINVOPTPARSTREAM, "a broken TLV gets ESME_RINVOPTPARSTREAM")
    # HTML that must come out escaped on the phone page.
    e.submit_wait("989131111117", b"<b>&\"x'")

    msgs = until(lambda: [m for m in http.submits(since)
                          if m["to"] != "989131111116"]
                 if len(http.submits(since)) >= 7 else None)
    msgs = msgs or []
    by_to = {m["to"]: m for m in msgs}
    m = [x for x in msgs if x["message_id"] == id1]
    check(len(m) == 1 and m[0]["text"] == fa and m[0]["data_coding"] == 8,
          "UCS-2 Persian decodes to the same text")
    longm = [x for x in msgs if x["to"] == "989131111111" and x["parts"] == 3]
    check(len(longm) == 1 and longm[0]["text"] == long_text and
          longm[0]["complete"] and longm[0]["message_ids"] == ids and
          longm[0]["concat"] == "udh8",
          "3-part GSM message is stored whole, ids in order")
    m = by_to.get("989131111112")
    check(m is not None and m["text"] == fa2 and m["concat"] == "udh16",
          "2-part UCS-2 with a 16-bit reference reassembles")
    m = by_to.get("989131111113")
    check(m is not None and m["text"] == "".join(sar) and
          m["concat"] == "sar", "SAR parts in reverse order reassemble")
    m = by_to.get("989131111114")
    check(m is not None and m["text"] == big and m["payload"],
          "message_payload decodes")
    m = by_to.get("989131111115")
    check(m is not None and m["text"] == "café £5", "Latin-1 decodes")
    st, page = http.get("/", phone="989131111117")
    check(st == 200 and "&lt;b&gt;&amp;&quot;x&#39;" in page and
          "<b>&" not in page, "phone page escapes HTML")
    st, page = http.get("/", phone="09131111111")
    check(fa in page, "phone page shows the Persian submit (0913... form)")
    st, page = http.get("/", phone="<script>")
    check(st == 200 and "<script>" not in page,
          "a bad phone number is not echoed raw")
    s = http.stats()
    check(s["messages"] - base >= 7 and s["parts"] >= 7,
          "stats count messages and parts")
    e.close()


def test_receipt_undeliv(smpp):
    e = Esme(smpp)
    e.bind(BIND_TRX)
    st, mid = e.submit_wait("989120000000", b"fail me", rd=1)
    p = e.wait(DELIVER_SM, timeout=3)
    d = parse_deliver(p[3]) if p else {"sm": b"", "tlv": {}}
    check("stat:UNDELIV err:001" in d["sm"].decode("latin-1") and
          d["tlv"].get(0x0427) == b"\x05",
          "--undeliv number gets stat:UNDELIV, message_state 5")
    if p:
        ack_deliver(e, p)
    e.close()


def test_mo(smpp, http):
    e = Esme(smpp)
    e.bind(BIND_TRX)
    tx = Esme(smpp)
    tx.bind(BIND_TX)
    fa = "وضعیت 10025 را بفرستید لطفا، این یک پیام بلند است که باید در دو قسمت برسد"
    st, body = http.post("/mo", **{"from": "989131111111", "to": "3000",
                                   "text": fa, "parts": 2,
                                   "coding": "ucs2"})
    check(st == 202 and json.loads(body)["parts"] == 2, "POST /mo queued")
    parts = {}
    for _ in range(2):
        p = e.wait(DELIVER_SM, timeout=3)
        if p is None:
            break
        d = parse_deliver(p[3])
        text, concat = sm_text(d)
        parts[concat[2] if concat else 1] = text
        check(d["src"] == "989131111111" and d["dst"] == "3000" and
              d["dc"] == 8 and d["esm"] == 0x40, "MO part from the phone")
        ack_deliver(e, p)
    check("".join(parts[k] for k in sorted(parts)) == fa,
          "MO parts join to the text")
    try:
        p = tx.read_pdu(0.3)
    except socket.timeout:
        p = None
    check(p is None or p[0] != DELIVER_SM,
          "a transmitter session gets no MO")
    tx.close()

    st, body = http.post("/ussd", **{"from": "989131111111",
                                     "text": "*3000#", "op": 1,
                                     "session": 0x0500})
    p = e.wait(DELIVER_SM, timeout=3)
    d = parse_deliver(p[3]) if p else {"tlv": {}}
    check(d["tlv"].get(0x0501) == b"\x01" and
          d["tlv"].get(0x1383) == b"\x05\x00",
          "USSD deliver_sm has ussd_service_op and its_session_info")
    if p:
        ack_deliver(e, p)

    # Load: 300 numbered copies through a 20-deep window.
    n = 300
    t0 = time.monotonic()
    http.post("/mo", **{"from": "989131111111", "text": "STATUS 10025",
                        "count": n})
    got, maxout = set(), 0
    outstanding = []
    while len(got) < n:
        try:
            p = e.read_pdu(3)
        except socket.timeout:
            break
        if p is None or p[0] != DELIVER_SM:
            continue
        outstanding.append(p)
        maxout = max(maxout, len(outstanding))
        got.add(sm_text(parse_deliver(p[3]))[0])
        # Ack in bursts so the window fills up.
        if len(outstanding) >= 20 or len(got) == n:
            for q in outstanding:
                ack_deliver(e, q)
            outstanding = []
    check(len(got) == n and "STATUS 10025 #1" in got and
          "STATUS 10025 #%d" % n in got,
          "count=%d MOs arrive numbered (%.2fs)" % (n, time.monotonic() - t0))
    check(maxout <= 20, "never more than --mo-window outstanding (%d)"
          % maxout)
    for q in outstanding:
        ack_deliver(e, q)
    s = until(lambda: (lambda x: x if x["gauges"]["inflight"] == 0 else None)
              (http.stats()))
    check(s is not None and s["mos_sent"] >= n + 2 and
          s["deliver_sm_resp"] >= n + 3, "stats count MOs and responses")

    # Benchmark options: numbered=0, spread=S, text_spread=1.
    st, _ = http.post("/mo", **{"from": "989131000008", "text": "STATUS 10098",
                                "count": 5, "numbered": 0, "spread": 3,
                                "text_spread": 1})
    got = []
    while len(got) < 5:
        p = e.wait(DELIVER_SM, timeout=3)
        if p is None:
            break
        d = parse_deliver(p[3])
        got.append((d["src"], sm_text(d)[0]))
        ack_deliver(e, p)
    check(got == [("989131000008", "STATUS 10098"),
                  ("989131000009", "STATUS 10099"),
                  ("989131000010", "STATUS 10100"),
                  ("989131000008", "STATUS 10098"),
                  ("989131000009", "STATUS 10099")],
          "spread=3 text_spread=1 numbered=0: senders and texts in turn")
    st, _ = http.post("/mo", **{"from": "abc", "text": "x", "count": 2,
                                "spread": 2})
    check(st == 400, "spread needs a numeric sender")

    # gap_ms: part k of a message comes (k - 1) * gap_ms after part 1.
    t0 = time.monotonic()
    http.post("/mo", **{"from": "989131000011", "text": "g" * 300,
                        "parts": 2, "gap_ms": 400})
    seen = []
    while len(seen) < 2:
        p = e.wait(DELIVER_SM, timeout=3)
        if p is None:
            break
        seen.append((sm_text(parse_deliver(p[3]))[1][2],
                     time.monotonic() - t0))
        ack_deliver(e, p)
    check(len(seen) == 2 and seen[0][0] == 1 and seen[1][0] == 2 and
          seen[0][1] < 0.3 and seen[1][1] >= 0.38,
          "gap_ms=400: the second part 400 ms after the first (%s)" % seen)
    s = http.stats()
    check(0 < s["first_mo_ms"] <= s["last_mo_ms"] and
          0 < s["first_submit_ms"] <= s["last_submit_ms"] and
          0 < s["last_message_ms"],
          "stats time the first and last MO, submit and message")
    e.close()


def test_faults(smpp, http):
    e = Esme(smpp)
    e.bind(BIND_TRX)
    http.post("/fault/throttle", n=2)
    sts = [e.submit_wait("989131111111", b"t%d" % i)[0] for i in range(3)]
    check(sts == [RTHROTTLED, RTHROTTLED, ROK],
          "throttle n=2 answers two submits ESME_RTHROTTLED")
    http.post("/fault/no-enquire")
    seq = e.send(ENQUIRE_LINK)
    try:
        p = e.wait(ENQUIRE_LINK_RESP, seq, timeout=0.4)
    except socket.timeout:
        p = None
    check(p is None, "no-enquire leaves enquire_link unanswered")
    http.post("/fault/clear")
    seq = e.send(ENQUIRE_LINK)
    check(e.wait(ENQUIRE_LINK_RESP, seq) is not None,
          "after clear enquire_link is answered")
    http.post("/fault/delay", ms=300)
    t0 = time.monotonic()
    e.submit_wait("989131111111", b"slow")
    dt = time.monotonic() - t0
    check(dt >= 0.28, "delay ms=300 delays the response (%.3fs)" % dt)
    http.post("/fault/clear")

    # An MO while no receiver is bound, left unanswered, then a drop:
    # it must come again on the next session.
    http.post("/mo", **{"from": "989131111119", "text": "redeliver me"})
    p = e.wait(DELIVER_SM, timeout=3)
    check(p is not None, "MO delivered (left unacknowledged)")
    st, body = http.post("/fault/drop")
    check(st == 200 and json.loads(body)["dropped"] >= 1, "fault/drop")
    try:
        eof = e.read_pdu(2.0) is None
    except (socket.timeout, ConnectionResetError):
        eof = False
    check(eof, "the ESME connection is closed by the drop")
    e.close()
    e = Esme(smpp)
    e.bind(BIND_RX)
    p = e.wait(DELIVER_SM, timeout=3)
    check(p is not None and
          sm_text(parse_deliver(p[3]))[0] == "redeliver me",
          "the unacknowledged MO is delivered again")
    if p:
        ack_deliver(e, p)
    e.close()

    # Standing faults: every 3rd PDU read drops the links; every 2nd
    # submit's response is held back; 100% throttled answers all.
    st, _ = http.post("/fault/chaos", stall_every=2)
    check(st == 400, "chaos: stall_every without stall_ms is refused")
    st, _ = http.post("/fault/chaos", throttle_pct=101)
    check(st == 400, "chaos: throttle_pct over 100 is refused")
    st, body = http.post("/fault/chaos", throttle_pct=100)
    check(st == 200 and json.loads(body)["throttle_pct"] == 100, "chaos: set")
    e = Esme(smpp)
    e.bind(BIND_TRX)
    sts = [e.submit_wait("989131111111", b"c%d" % i)[0] for i in range(3)]
    check(sts == [RTHROTTLED] * 3, "chaos: throttle_pct=100 throttles every submit")
    http.post("/fault/chaos", stall_every=2, stall_ms=400)
    t0 = time.monotonic()
    e.submit_wait("989131111111", b"s1")
    t1 = time.monotonic()
    e.submit_wait("989131111111", b"s2")
    t2 = time.monotonic()
    check(t1 - t0 < 0.3 and t2 - t1 >= 0.38,
          "chaos: every 2nd submit's response held back (%.3f, %.3f s)" %
          (t1 - t0, t2 - t1))
    http.post("/fault/chaos", drop_every=3)
    drops0 = http.stats()["chaos_drops"]
    e.submit_wait("989131111111", b"d1")
    e.submit_wait("989131111111", b"d2")
    e.send(ENQUIRE_LINK)
    try:
        eof = e.read_pdu(2.0) is None
    except (socket.timeout, ConnectionResetError):
        eof = False
    check(eof and http.stats()["chaos_drops"] == drops0 + 1,
          "chaos: drop_every=3 drops the link at the 3rd PDU")
    e.close()
    http.post("/fault/clear")
    st, body = http.post("/fault/down", ms=500)
    check(st == 200 and json.loads(body)["down_ms"] > 0, "fault/down")
    try:
        e = Esme(smpp)
        e.bind(BIND_TRX)
        refused = False
    except (OSError, AssertionError, ValueError, TypeError):
        refused = True
    check(refused, "down: a connection is closed at once")
    time.sleep(0.6)
    e = Esme(smpp)
    check(e.bind(BIND_TRX) == ROK, "down: binds again once it is over")
    e.close()

    # A PDU with command_length 8: generic_nack, then close.
    e = Esme(smpp)
    e.sock.sendall(struct.pack(">IIII", 8, SUBMIT_SM, 0, 9))
    p = e.read_pdu(2.0)
    check(p is not None and p[0] == GENERIC_NACK and p[1] == RINVCMDLEN,
          "command_length 8 gets generic_nack ESME_RINVCMDLEN")
    check(e.read_pdu(2.0) is None, "then the connection closes")
    e.close()
    e = Esme(smpp)
    e.sock.sendall(struct.pack(">IIII", 70000, SUBMIT_SM, 0, 10))
    p = e.read_pdu(2.0)
    check(p is not None and p[0] == GENERIC_NACK and p[1] == RINVCMDLEN,
          "command_length over 64 KiB gets generic_nack")
    e.close()


def test_http(http):
    st, _ = http.get("/healthz")
    check(st == 200, "GET /healthz")
    st, _ = http.get("/mo")
    check(st == 405, "GET /mo is 405")
    st, _ = http.get("/nope")
    check(st == 404, "unknown path is 404")
    st, _ = http.post("/mo", **{"from": "1", "text": "x", "count": "abc"})
    check(st == 400, "bad count is 400")
    st, _ = http.post("/mo", **{"from": "1", "text": "سلام",
                                "coding": "gsm7"})
    check(st == 400, "Persian as gsm7 is 400")
    st, _ = http.post("/mo", **{"from": "1", "text": "abc", "parts": 5})
    check(st == 400, "more parts than the text allows is 400")
    st, body = http.req("POST", "/phone/sms",
                        data={"phone": "989131111118", "text": "سلام"})
    check(st in (200, 303), "phone form posts an SMS")
    st, page = http.get("/", phone="989131111118")
    check("سلام" in page, "phone page lists the sent SMS")


def raw_http(port, request):
    """Send raw bytes, return the status code of the answer (0: none)."""
    s = socket.create_connection(("127.0.0.1", port), TIMEOUT)
    s.settimeout(TIMEOUT)
    try:
        s.sendall(request)
        data = s.recv(4096)
    except OSError:
        data = b""
    finally:
        s.close()
    parts = data.split(b" ", 2)
    return int(parts[1]) if len(parts) > 1 and parts[1].isdigit() else 0


def test_limits(smpp, http, http_port):
    e = Esme(smpp)
    e.bind(BIND_TRX)
    for i in range(12):
        e.submit_wait("989131110000", b"m%d" % i)
    got = http.submits(0)
    check([m["text"] for m in got] == ["m%d" % i for i in range(7, 12)],
          "--max-submits 5 keeps the newest 5")
    e.submit_wait("989131110001", bytes([5, 0, 3, 9, 2, 1]) + b"only half",
                  esm=0x40)
    m = until(lambda: [x for x in http.submits(0)
                       if x["to"] == "989131110001"], 3)
    check(m and not m[0]["complete"] and m[0]["parts_received"] == 1 and
          m[0]["text"] == "only half[part 2/2 missing]",
          "a missing part is given up after --concat-timeout-ms")
    stats = []
    for i in range(4):
        e.submit_wait("989131110002", b"r%d" % i, rd=1)
    for i in range(4):
        p = e.wait(DELIVER_SM, timeout=3)
        if p is None:
            break
        stats.append("UNDELIV" if b"stat:UNDELIV" in p[3] else "DELIVRD")
        ack_deliver(e, p)
    check(sorted(stats) == ["DELIVRD"] * 2 + ["UNDELIV"] * 2,
          "--undeliv-share 50 makes every other receipt UNDELIV")
    for i in range(2):
        e.submit_wait("989131110003", b"f%d" % i, rd=2)
    p = e.wait(DELIVER_SM, timeout=3)
    check(p is not None and b"stat:UNDELIV" in p[3],
          "registered_delivery 2 gets the failure receipt")
    ack_deliver(e, p)
    try:
        p = e.wait(DELIVER_SM, timeout=0.5)
    except socket.timeout:
        p = None
    check(p is None, "... and no receipt for the delivered one")
    st = raw_http(http_port, b"POST /fault/clear HTTP/1.1\r\nHost: x\r\n"
                  b"Content-Length: 3\r\nTransfer-Encoding: chunked\r\n"
                  b"\r\n3\r\nabc\r\n0\r\n\r\n")
    check(st == 400, "Transfer-Encoding with Content-Length is 400 (%d)" % st)
    big = b"text=" + b"a" * 70000
    st = raw_http(http_port, b"POST /mo HTTP/1.1\r\nHost: x\r\nContent-Type:"
                  b" application/x-www-form-urlencoded\r\nContent-Length: "
                  + str(len(big)).encode() + b"\r\n\r\n" + big)
    check(st == 413, "a body over 64 KiB is 413 (%d)" % st)
    st, body = http.req("POST", "/mo", data={"from": "989131110004",
                                             "text": "form body"})
    check(st == 202, "POST /mo takes a form body")
    p = e.wait(DELIVER_SM, timeout=3)
    check(p is not None and sm_text(parse_deliver(p[3]))[0] == "form body",
          "... and delivers it")
    ack_deliver(e, p)
    return e


def test_shutdown(e, pid, ready):
    os.kill(pid, signal.SIGTERM)
    p = e.wait(UNBIND, timeout=3)
    check(p is not None, "SIGTERM: the simulator unbinds")
    if p is not None:
        e.send(UNBIND_RESP, seq=p[2])
    try:
        eof = e.read_pdu(3) is None
    except (socket.timeout, ConnectionResetError):
        eof = False
    check(eof, "... and closes after unbind_resp")
    check(until(lambda: not os.path.exists(ready), 3),
          "... and removes the ready file")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--ready")
    ap.add_argument("--smpp", type=int)
    ap.add_argument("--http", type=int)
    ap.add_argument("--suite", default="main", choices=["main", "limits"])
    ap.add_argument("--pid", type=int)
    a = ap.parse_args()
    if a.ready:
        kv = dict(x.split("=") for x in open(a.ready).read().split())
        a.smpp, a.http = int(kv["smpp"]), int(kv["http"])
    http = Http(a.http)
    if a.suite == "limits":
        tests = [lambda: test_limits(a.smpp, http, a.http)]
    else:
        tests = [lambda: test_binds(a.smpp),
                 lambda: test_submits(a.smpp, http),
                 lambda: test_receipt_undeliv(a.smpp),
                 lambda: test_mo(a.smpp, http),
                 lambda: test_faults(a.smpp, http),
                 lambda: test_http(http)]
    for t in tests:
        try:
            e = t()
            if a.suite == "limits" and a.pid and a.ready:
                test_shutdown(e, a.pid, a.ready)
        except Exception as ex:  # a crash is a failure, not a stop
            check(False, "exception %r" % (ex,))
    print("%d failed" % len(FAILS))
    return 1 if FAILS else 0


if __name__ == "__main__":
    sys.exit(main())
