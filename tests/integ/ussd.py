#!/usr/bin/env python3
"""tests/integ/ussd.py: USSD menus end to end (issue #12). Run by
test_ussd.sh with BIN and SIM (and node for the second part).

1. Through the SMSC simulator, driven by its virtual phone page's forms
   (POST /phone/ussd, the page read back for its state): a new number
   dials *123#, registers inside the menu, opens a request (department,
   priority, text, confirm): the last screen gives the tracking number,
   the request is in the database and the phone gets the SMS with the
   link; a status dialogue (the tracking number typed in Persian digits);
   the direct string *123*10001#; a dialogue left at its first screen is
   abandoned after [ussd] session_s and freed (smsdesk_ussd_sessions back
   to 0, smsdesk_ussd_dialogues_total{result="abandoned"} 1); a screen
   held in the SMPP client through an outage longer than session_s is
   dropped, never sent after its dialogue is over. Every screen
   is checked as the simulator received it: ussd_service_op 2 while the
   menu waits, 17 on the last screen; its_session_info with the
   dialogue's session number and the sequence of the step it answers, the
   end-of-session bit on the last screen only.
2. Interoperability: the npm smpp package as the operator's USSD gateway
   (tests/npm/ussd_gateway.js) walks the same dialogues; checked on the
   far side: op codes, its_session_info octets, the end bit, service_type
   USSD. Then a second profile, [ussd] session_key = msisdn, with a
   gateway that sends no session TLV at all; and a third,
   user_message_reference (a vendor's dialogue id), echoed as is; and an
   operator that ends with USSN (op_end 3): the handset's USSN confirm
   (19) is acknowledged and gets no screen back.
"""
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.request

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import pipeline as P  # noqa: E402  (Sim, Desk, check, wait_until)

HERE = os.path.dirname(os.path.abspath(__file__))
NPMDIR = os.path.join(HERE, "..", "npm")
CODE = "*123#"
A = "989131111111"  # a new applicant
B = "989132222222"  # dials and walks away
D = "989134444444"  # its screen is held in a link outage past session_s
NEW_STEPS = ["علی", "رضایی", "3", "2", "1", "چاپگر طبقه دوم کار نمی‌کند", "1"]
USSD_CONF = "[ussd]\nsession_s = 10\n"


def metrics(desk):
    with urllib.request.urlopen(f"http://127.0.0.1:{desk.web}/metrics", timeout=5) as r:
        text = r.read().decode()
    out = {}
    for line in text.splitlines():
        m = re.match(r'^(smsdesk_ussd_\w+(?:\{[^}]*\})?) (\d+)$', line)
        if m:
            out[m.group(1)] = int(m.group(2))
    return out


class Phone:
    """A handset on the simulator, driven through its phone page."""

    def __init__(self, sim, number):
        self.sim, self.number = sim, number

    def screens(self):
        return [s for s in self.sim.submits(to=self.number) if "ussd_op" in s]

    def sms(self):
        return [s["text"] for s in self.sim.submits(to=self.number) if "ussd_op" not in s]

    def state(self):
        page = self.sim.get(f"/?phone={self.number}")
        m = re.search(r'data-ussd="(\w+)"', page)
        return (m.group(1) if m else None), page

    def step(self, action, text, wait=10.0):
        """Dial or answer; the screen that comes back (None if none)."""
        before = len(self.screens())
        self.sim.post("/phone/ussd", phone=self.number, action=action, text=text)
        got = []
        P.wait_until(lambda: len(self.screens()) > before, wait)
        got = self.screens()[before:]
        scr = got[0] if got else None
        print(f"  {self.number[-4:]} > {text}\n  {self.number[-4:]} < " +
              (scr["text"].replace("\n", " / ") + f"  [op {scr['ussd_op']}"
               f" its {scr.get('session', -1):04x}]" if scr else "(nothing)"))
        return scr

    def dialogue(self, steps):
        """Dial steps[0], answer the rest; the screens."""
        out = [self.step("dial", steps[0])]
        for t in steps[1:]:
            if out[-1] is None:
                break
            out.append(self.step("reply", t))
        return out


def wire_ok(name, screens, nsteps):
    """ops 2 ... 17; its_session_info: one session number, the sequence
    of the step answered, the end bit on the last screen only."""
    P.check(f"{name}: {nsteps} screens", len(screens) == nsteps and None not in screens,
            f"{len([s for s in screens if s])}")
    if len(screens) != nsteps or None in screens:
        return
    ops = [s["ussd_op"] for s in screens]
    P.check(f"{name}: ussd_service_op 2 while the menu waits, 17 at the end",
            ops == [2] * (nsteps - 1) + [17], str(ops))
    its = [s.get("session") for s in screens]
    P.check(f"{name}: its_session_info on every screen", None not in its, str(its))
    if None in its:
        return
    P.check(f"{name}: one session number", len({x >> 8 for x in its}) == 1,
            str([f"{x:04x}" for x in its]))
    P.check(f"{name}: the sequence of the step each screen answers",
            [(x & 0xff) >> 1 for x in its] == list(range(nsteps)),
            str([f"{x:04x}" for x in its]))
    P.check(f"{name}: end-of-session bit on the last screen only",
            [x & 1 for x in its] == [0] * (nsteps - 1) + [1])


def through_sim(tmp):
    sim = P.Sim(tmp, "--ussd-code", CODE)
    desk = P.Desk(tmp, sim, extra="[sla]\nholidays_file =\n" + USSD_CONF)
    a, b = Phone(sim, A), Phone(sim, B)
    try:
        desk.start()
        st, page = a.state()
        P.check("phone page: no dialogue yet, the dial form holds *123#",
                st == "none" and 'value="*123#"' in page, st)

        # B dials and walks away: abandoned after session_s (10 s).
        t_abandon = time.time()
        s = b.step("dial", CODE)
        P.check("B: the menu (registration) is offered", s is not None and s["ussd_op"] == 2)
        m = metrics(desk)
        P.check("/metrics: one dialogue held", m.get("smsdesk_ussd_sessions") == 1, str(m))

        # A: a new request, registering inside the menu.
        scr = [a.step("dial", CODE)]
        st, page = a.state()
        P.check("phone page shows the open menu and the answer form",
                st == "open" and 'name="action" value="reply"' in page
                and "ثبت‌نام نشده" in page, st)
        for t in NEW_STEPS:
            if scr[-1] is None:
                break
            scr.append(a.step("reply", t))
        wire_ok("new request", scr, 1 + len(NEW_STEPS))
        last = scr[-1] or {"text": ""}
        P.check("new request: the last screen gives tracking number 10001",
                "10001" in last["text"], last["text"].replace("\n", " / "))
        st, page = a.state()
        P.check("phone page: 'Session ended.', no answer form",
                st == "ended" and "Session ended." in page
                and 'value="reply"' not in page, st)
        row = desk.sql("SELECT dept_code, body FROM requests r JOIN messages m "
                       "ON m.tracking = r.tracking WHERE r.tracking = 10001")
        P.check("request 10001 in the database: department 2, the text typed",
                row and row[0][0] == 2 and row[0][1] == NEW_STEPS[5], str(row))
        P.check("the SMS with the link arrives",
                P.wait_until(lambda: any("10001" in t and "desk.example" in t
                                         for t in a.sms()), 10),
                str(a.sms()))
        # The page logs what the phone sends as it sends it.
        sent = a.state()[1].count('<li class="out">')
        sim.post("/phone/ussd", phone=A, action="reply", text="1")
        st, page = a.state()
        P.check("an answer after the last screen: the phone sends nothing",
                page.count('<li class="out">') == sent and st == "ended",
                f"{sent} sent before")

        # Status: menu 1, the tracking number in Persian digits.
        scr = a.dialogue([CODE, "1", "۱۰۰۰۱"])
        wire_ok("status", scr, 3)
        P.check("status: request 10001, its department and state",
                scr[-1] is not None and "10001" in scr[-1]["text"]
                and "واحد" in scr[-1]["text"],
                scr[-1] and scr[-1]["text"].replace("\n", " / "))

        # The direct string: one screen, the end.
        scr = a.dialogue(["*123*10001#"])
        wire_ok("direct *123*10001#", scr, 1)
        P.check("direct: request 10001's status with no menu",
                scr[0] is not None and "10001" in scr[0]["text"],
                scr[0] and scr[0]["text"].replace("\n", " / "))

        return sim, desk, a, t_abandon
    except BaseException:
        desk.stop()
        sim.stop()
        raise


def outage_start(sim, desk):
    """D dials; the simulator holds the screen's submit_sm_resp, then
    drops the link and refuses binds for 10.5 s, longer than session_s
    (10): the screen waits in the SMPP client to be sent again (the
    client's back-off brings the link back some 15 s after the drop)."""
    d = Phone(sim, D)
    sim.post("/fault/delay", ms=30000)
    before = len(d.screens())
    sim.post("/phone/ussd", phone=D, action="dial", text=CODE)
    got = P.wait_until(lambda: len(d.screens()) > before, 5)
    P.check("D: the screen reached the SMSC once, its response held", got)
    sim.post("/fault/down", ms=10500)  # drops the link now
    sim.post("/fault/delay", ms=0)      # the next bind is answered
    return d, before + 1


def outage_end(sim, desk, d, want):
    """Once the link is back, the held screen is dropped, not sent again:
    its dialogue is over on the handset (issue #12)."""
    log = desk.log.name

    def dropped():
        with open(log) as f:
            return "ussd screen dropped, its dialogue is over" in f.read()
    ok = P.wait_until(dropped, 25)
    P.check("after the outage the stale screen is dropped (log line)", ok)
    P.check("... and never reaches the SMSC a second time",
            len(d.screens()) == want, f"{len(d.screens())} screens")
    sim.post("/fault/clear")


def abandoned(sim, desk, a, t_abandon):
    """B's dialogue (and D's, whose screen was lost) is over after
    session_s; any USSD step (A's direct string again) or serve's tick
    expires it."""
    try:
        left = 10.5 - (time.time() - t_abandon)
        if left > 0:
            time.sleep(left)  # session_s must pass; nothing to wait on
        a.step("dial", "*123*10001#")
        ok = P.wait_until(lambda: metrics(desk).get(
            'smsdesk_ussd_dialogues_total{result="abandoned"}') == 2, 12)
        m = metrics(desk)
        P.check("the 2 abandoned dialogues (B, D) counted in /metrics", ok, str(m))
        P.check("... and freed: no dialogue held", m.get("smsdesk_ussd_sessions") == 0, str(m))
        P.check("/metrics: 4 finished (new, status, 2 direct)",
                m.get('smsdesk_ussd_dialogues_total{result="finished"}') == 4, str(m))
    finally:
        rc = desk.stop()
        sim.stop()
    P.check("serve stopped cleanly (ASan: no report)", rc == 0, f"rc={rc}")


class Gateway:
    """tests/npm/ussd_gateway.js with a plan; smsdesk binds to it."""

    def __init__(self, tmp, name, plan):
        self.dir = os.path.join(tmp, name)
        os.makedirs(self.dir)
        self.ready = os.path.join(self.dir, "ready")
        self.summary = os.path.join(self.dir, "summary.json")
        with open(os.path.join(self.dir, "plan.json"), "w") as f:
            json.dump(plan, f)
        self.log = open(os.path.join(self.dir, "gateway.log"), "w")
        self.p = subprocess.Popen(
            ["node", os.path.join(NPMDIR, "ussd_gateway.js"), "--ready", self.ready,
             "--summary", self.summary, "--plan", os.path.join(self.dir, "plan.json"),
             "--lifetime", "40", "--verbose"], stdout=self.log, stderr=subprocess.STDOUT)
        if not P.wait_file(self.ready, self.p):
            raise SystemExit("FAIL - the npm USSD gateway did not start")
        self.smpp = int(open(self.ready).read())

    def result(self, secs=30):
        try:
            self.p.wait(secs)
        except subprocess.TimeoutExpired:
            self.p.terminate()
            self.p.wait()
        self.log.close()
        return json.load(open(self.summary))


def far_side(name, d, nsteps, key, session, op_end=17):
    """A dialogue as the npm gateway saw it."""
    scr = d["screens"]
    P.check(f"{name}: {nsteps} screens", len(scr) == nsteps, str(len(scr)))
    if len(scr) != nsteps:
        return
    ops = [s["op"] for s in scr]
    P.check(f"{name}: ops 2 ... {op_end}", ops == [2] * (nsteps - 1) + [op_end], str(ops))
    if op_end == 3:
        P.check(f"{name}: the USSN confirm (19) acknowledged, nothing sent back",
                d.get("confirm_sent") and d.get("confirm_status") == 0, str(d.get("confirm_status")))
    P.check(f"{name}: service_type USSD on every screen",
            all(s["service_type"] == "USSD" for s in scr))
    P.check(f"{name}: ended by the last screen only", d["ended"] and
            [s["end"] for s in scr] == [False] * (nsteps - 1) + [True])
    its = [s["its"] for s in scr]
    if key == "its_session_info":
        want = [f"{session:02x}{(k << 1) | (k == nsteps - 1):02x}" for k in range(nsteps)]
        P.check(f"{name}: its_session_info echoed, end bit on the last",
                its == want, f"{its} want {want}")
    else:
        P.check(f"{name}: no its_session_info (none was sent)", its == [None] * nsteps, str(its))
    umr = [s["umr"] for s in scr]
    want = [session] * nsteps if key == "user_message_reference" else [None] * nsteps
    P.check(f"{name}: user_message_reference {'echoed' if want[0] else 'absent'}",
            umr == want, str(umr))


def interop(tmp, key, n, op_end=17):
    """One smsdesk bound to the npm gateway with [ussd] session_key = key
    (and op_end: 3 ends with USSN, which the handset confirms with 19)."""
    who = "98913444444" + str(n)
    dialogues = [
        {"name": "new", "from": who, "to": "3000", "key": key,
         "session": 0x41 + 16 * n, "steps": [CODE] + NEW_STEPS},
        {"name": "status", "from": who, "to": "3000", "key": key,
         "session": 0x42 + 16 * n, "steps": [CODE, "1", "10001"]},
        {"name": "direct", "from": who, "to": "3000", "key": key,
         "session": 0x43 + 16 * n, "steps": ["*123*10001#"]},
        {"name": "abandon", "from": "98913555555" + str(n), "to": "3000",
         "key": key, "session": 0x44 + 16 * n, "steps": [CODE]},
    ]
    if key == "its_session_info" and op_end == 17:
        # The handset cancels at the menu: its step has the end bit.
        dialogues.insert(3, {"name": "cancel", "from": who, "to": "3000", "key": key,
                             "session": 0x45 + 16 * n, "steps": [CODE, "1"],
                             "close": True})
    plan = {"op_begin": 1, "op_answer": 18, "dialogues": dialogues, "linger_ms": 1500}
    if op_end == 3:
        plan["ussn_confirm"] = 19
    name = key if op_end == 17 else f"{key}-ussn"
    gw = Gateway(tmp, name, plan)

    class Port:
        smpp = gw.smpp
    d = os.path.join(tmp, name + "-desk")
    os.makedirs(d)
    desk = P.Desk(d, Port, extra="[sla]\nholidays_file =\n" + USSD_CONF +
                  f"session_key = {key}\nop_end = {op_end}\n")
    try:
        desk.start()
        s = gw.result()
    finally:
        rc = desk.stop()
    P.check(f"npm {name}: serve stopped cleanly (ASan: no report)", rc == 0, f"rc={rc}")
    print(f"  npm gateway ({key}): {len(s['dialogues'])} dialogues, errors {s['errors']}")
    for dd in s["dialogues"]:
        for st, sc in zip(dd["steps"], dd["screens"]):
            print(f"  {dd['name']} > {st['text']}\n  {dd['name']} < "
                  f"{(sc['text'] or '').replace(chr(10), ' / ')}  [op {sc['op']} its {sc['its']}"
                  f" umr {sc['umr']}]")
    P.check(f"npm {name}: the gateway saw nothing wrong", s["errors"] == [], str(s["errors"]))
    by = {dd["name"]: dd for dd in s["dialogues"]}
    for dn, nsteps in (("new", 1 + len(NEW_STEPS)), ("status", 3), ("direct", 1)):
        if dn in by:
            far_side(f"npm {name} {dn}", by[dn], nsteps, key,
                     [x for x in dialogues if x["name"] == dn][0]["session"], op_end)
        else:
            P.check(f"npm {name} {dn}: ran", False)
    if "new" in by and by["new"]["screens"]:
        P.check(f"npm {name}: the new request's tracking number on its last screen",
                "10001" in (by["new"]["screens"][-1]["text"] or ""))
    P.check(f"npm {name}: the SMS with the link went to the applicant",
            any("10001" in (m["text"] or "") and m["to"].endswith(who[-10:])
                for m in s["sms"]), str(s["sms"])[:300])
    if "cancel" in [x["name"] for x in dialogues]:
        cn = by.get("cancel")
        P.check(f"npm {name}: a step with the end bit (the handset closed) gets no screen",
                cn is not None and cn.get("closed") and len(cn["screens"]) == 1,
                str(cn and [x["text"] for x in cn["screens"]]))
    ab = by.get("abandon")
    P.check(f"npm {name}: the walked-away dialogue left open (op 2, no end bit)",
            ab is not None and ab["abandoned"] and not ab["ended"])


def main():
    have_node = shutil.which("node") is not None
    with tempfile.TemporaryDirectory(prefix="smsdesk-ussd-") as tmp:
        t0 = time.time()
        sim, desk, a, t_abandon = through_sim(tmp)
        # The npm profiles run while B's dialogue ages and D's screen
        # waits out the outage.
        try:
            d, want = outage_start(sim, desk)
            if have_node and os.path.isdir(os.path.join(NPMDIR, "node_modules", "smpp")):
                interop(tmp, "its_session_info", 1)
                interop(tmp, "msisdn", 2)
                interop(tmp, "user_message_reference", 3)
                interop(tmp, "its_session_info", 4, op_end=3)
            else:
                P.check("node and tests/npm/node_modules (test_ussd.sh installs them)", False)
            outage_end(sim, desk, d, want)
        finally:
            abandoned(sim, desk, a, t_abandon)
        print(f"ussd: {time.time() - t0:.1f} s")
    if P.FAILS:
        print(f"ussd: {len(P.FAILS)} check(s) failed")
        return 1
    print("ussd: every check passed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
