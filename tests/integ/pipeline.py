#!/usr/bin/env python3
"""tests/integ/pipeline.py: the store-and-forward pipeline end to end,
smsdesk serve against the bundled SMSC simulator (driven by
test_pipeline.sh, which passes BIN and SIM).

  crash-mt   10,000 messages queued; serve is killed with SIGKILL three
             times at random moments while draining and restarted; the
             simulator must get every one at least once, with at most a
             window of duplicates per kill.
  crash-mo   10,000 START commands from 10,000 numbers sent while serve is
             killed three times: every number is answered, at most twice
             (a redelivery gets its stored answer again), and no inbox row
             is left unhandled. In both, /metrics is read every 20 ms
             meanwhile (the web thread reading the other threads'
             counters: the ThreadSanitizer build watches).
  priority   with 100,000 alerts waiting, an OTP issued through the domain
             (smsdesk otp send) reaches the simulator in under 50 ms,
             median of 100 tries.
  crash-parts
             five 3-part MOs whose parts come 2 s apart; serve is killed
             with SIGKILL after the first parts are acknowledged and again
             after the second: the held parts are on disk, so every
             message arrives whole, is answered once, and no part is left.
  link-faults
             3,000 alerts and 200 OTPs drained while the simulator drops
             every link each 1,000 PDUs, throttles 10% of submits and
             holds some responses past the response timeout; 100 more
             OTPs queued mid-drain overtake the alerts; the link goes
             down for 6 s with a backlog waiting. Nothing lost, every
             receipt back, OTPs first, and serve nearly idle while down.

Every process started here is ended by its PID; ports are ephemeral.
Usage: pipeline.py [crash-mt] [crash-mo] [crash-parts] [priority] [link-faults]
(default: all).

PIPELINE_SCALE (default 1) multiplies every count above (messages, MOs,
backlog, tries, and the chaos intervals with them), so a slow build
(ThreadSanitizer: make test runs 0.1) checks the same properties on less
work. The latency bound is the optimized build's; under a sanitizer
(BIN in build/asan or build/tsan) only a loose one is checked.
"""
import json
import os
import random
import signal
import socket
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
import urllib.request

BIN = os.environ.get("BIN", "build/smsdesk")
SIM = os.environ.get("SIM", "build/smsdesk-smsc-sim")
FAILS = []
SCALE = float(os.environ.get("PIPELINE_SCALE", "1"))
SLOW = "asan" in BIN or "tsan" in BIN  # a sanitizer build


def scaled(n, least=1):
    """n times PIPELINE_SCALE, at least least."""
    return max(least, int(n * SCALE))


def check(name, ok, detail=""):
    print(("ok - " if ok else "FAIL - ") + name + (f" ({detail})" if detail else ""))
    if not ok:
        FAILS.append(name)
    sys.stdout.flush()


def wait_file(path, proc, secs=10.0):
    end = time.time() + secs
    while time.time() < end:
        if os.path.exists(path) and os.path.getsize(path) > 0:
            return True
        if proc.poll() is not None:
            return False
        time.sleep(0.05)
    return False


class Sim:
    def __init__(self, tmp, *extra):
        self.ready = os.path.join(tmp, "sim.ready")
        self.log = open(os.path.join(tmp, "sim.log"), "w")
        self.p = subprocess.Popen(
            [SIM, "--port", "0", "--http-port", "0", "--ready-file", self.ready,
             "--dlr-delay-ms", "50", "--max-submits", "400000", *extra],
            stdout=self.log, stderr=subprocess.STDOUT)
        if not wait_file(self.ready, self.p):
            raise SystemExit("FAIL - the simulator did not start")
        f = dict(kv.split("=") for kv in open(self.ready).read().split())
        self.smpp, self.http = int(f["smpp"]), int(f["http"])

    def get(self, path):
        with urllib.request.urlopen(f"http://127.0.0.1:{self.http}{path}", timeout=10) as r:
            return r.read().decode()

    def post(self, path, **args):
        data = urllib.parse.urlencode(args).encode()
        with urllib.request.urlopen(f"http://127.0.0.1:{self.http}{path}", data, timeout=10) as r:
            return r.read().decode()

    def stats(self):
        return json.loads(self.get("/stats"))

    def submits(self, to=None):
        """Every stored submit (joined message), in order."""
        out, since = [], 0
        while True:
            q = f"/submits?since={since}&limit=10000" + (f"&to={to}" if to else "")
            lines = [json.loads(x) for x in self.get(q).splitlines() if x.strip()]
            if not lines:
                return out
            out += lines
            since = lines[-1]["seq"]

    def stop(self):
        self.p.send_signal(signal.SIGTERM)
        try:
            self.p.wait(10)
        except subprocess.TimeoutExpired:
            self.p.kill()
            self.p.wait()
        self.log.close()


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


class Desk:
    """smsdesk with its own configuration and database in tmp."""

    def __init__(self, tmp, sim, window=10, max_tps=5000, extra="", timeout_s=5,
                 smpp_extra=""):
        self.tmp = tmp
        self.conf = os.path.join(tmp, "smsdesk.ini")
        self.db = os.path.join(tmp, "desk.db")
        self.web = free_port()
        with open(self.conf, "w") as f:
            f.write(f"""[db]
path = {self.db}
[web]
listen = 127.0.0.1:{self.web}
base_url = https://desk.example
[smpp]
port = {sim.smpp}
window = {window}
max_tps = {max_tps}
response_timeout_s = {timeout_s}
{smpp_extra}
[queue]
retry_s = 1
[otp]
resend_after_s = 10
{extra}
""")
        self.p = None
        self.runs = 0

    def cli(self, *args):
        r = subprocess.run([BIN, "-c", self.conf, *args], capture_output=True, text=True)
        if r.returncode != 0:
            raise SystemExit(f"FAIL - smsdesk {' '.join(args)}: {r.stderr.strip()}")
        return r.stdout

    def start(self):
        ready = os.path.join(self.tmp, "serve.ready")
        if os.path.exists(ready):
            os.unlink(ready)  # a killed run leaves it
        self.runs += 1
        self.log = open(os.path.join(self.tmp, f"serve{self.runs}.log"), "w")
        self.p = subprocess.Popen([BIN, "-c", self.conf, "serve", "--ready-file", ready],
                                  stdout=self.log, stderr=subprocess.STDOUT)
        if not wait_file(ready, self.p):
            raise SystemExit("FAIL - smsdesk serve did not start; see " + self.log.name)

    def kill9(self):
        self.p.send_signal(signal.SIGKILL)
        self.p.wait()
        self.log.close()

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


class MetricsPoller:
    """GET /metrics every 20 ms from a thread of its own while serve works:
    the web thread then reads what the gateway and store threads count,
    which is what the ThreadSanitizer build is there to watch. Errors
    (serve killed and restarting) are not counted."""

    def __init__(self, desk):
        self.url = f"http://127.0.0.1:{desk.web}/metrics"
        self.ok = 0
        self.done = threading.Event()
        self.t = threading.Thread(target=self.run, daemon=True)
        self.t.start()

    def run(self):
        while not self.done.wait(0.02):
            try:
                with urllib.request.urlopen(self.url, timeout=2) as r:
                    if r.status == 200 and b"smsdesk_" in r.read():
                        self.ok += 1
            except OSError:
                pass

    def stop(self):
        """Stop polling; the number of good answers."""
        self.done.set()
        self.t.join()
        return self.ok


def wait_until(pred, secs):
    end = time.time() + secs
    while time.time() < end:
        if pred():
            return True
        time.sleep(0.1)
    return pred()


def crash_mt():
    window, n = 10, scaled(10000, 100)
    with tempfile.TemporaryDirectory(prefix="smsdesk-crash-") as tmp:
        sim = Sim(tmp)
        desk = Desk(tmp, sim, window=window, max_tps=2500)
        desk.cli("queue", "add", "--to", "09131111111", "--text", "crash", "--count", str(n))
        rnd = random.Random(int(os.environ.get("SEED", "0")) or None)
        kills = 0
        poll = MetricsPoller(desk)
        try:
            for _ in range(3):
                desk.start()
                # A random moment while it drains: after 5-25% of the work.
                before = sim.stats().get("submits", 0)
                target = before + rnd.randint(n // 20, n // 4)
                wait_until(lambda: sim.stats().get("submits", 0) >= target, 30)
                time.sleep(rnd.random() * 0.2)
                desk.kill9()
                kills += 1
            desk.start()
            done = wait_until(lambda: desk.sql(
                "SELECT count(*) FROM outbox WHERE state < 2")[0][0] == 0, 120)
            check("crash-mt: the queue drained after 3 kills", done)
            polled = poll.stop()
            check("crash-mt: /metrics answered while draining", polled > 0,
                  f"answers={polled}")
            rc = desk.stop()
            check("crash-mt: clean stop after the last run", rc == 0, f"rc={rc}")
            subs = sim.submits(to="989131111111")
            seen = {}
            for s in subs:
                seen[s["text"]] = seen.get(s["text"], 0) + 1
            want = {f"crash #{i}" for i in range(1, n + 1)}
            missing = len(want - set(seen))
            dups = len(subs) - len(seen)
            check(f"crash-mt: all {n} reached the SMSC", missing == 0 and set(seen) <= want,
                  f"missing={missing} distinct={len(seen)}")
            check(f"crash-mt: duplicates at most a window ({window}) per kill",
                  dups <= window * kills, f"duplicates={dups} kills={kills}")
            st = dict(desk.sql("SELECT state, count(*) FROM outbox GROUP BY state"))
            check("crash-mt: every row accepted or delivered", sum(st.values()) == n and
                  st.get(2, 0) + st.get(3, 0) == n, f"states={st}")
            print(f"crash-mt: submits={len(subs)} duplicates={dups} kills={kills}")
        finally:
            poll.stop()
            desk.stop()
            sim.stop()


def mo_done(sim):
    g = sim.stats()["gauges"]
    return g["mo_copies_left"] == 0 and g["mo_jobs"] == 0 and g["inflight"] == 0


def crash_mo():
    n = scaled(10000, 100)
    with tempfile.TemporaryDirectory(prefix="smsdesk-crashmo-") as tmp:
        sim = Sim(tmp, "--mo-window", "50")
        desk = Desk(tmp, sim, window=20, max_tps=5000)
        desk.cli("user", "add", "--mobile", "09120000000", "--first", "آزمون", "--last", "یک")
        desk.cli("request", "new", "--from", "09120000000", "--dept", "2", "--priority", "normal",
                 "--title", "آزمون", "--text", "متن")
        rnd = random.Random(int(os.environ.get("SEED", "0")) or None)
        kills = 0
        poll = MetricsPoller(desk)
        try:
            desk.start()
            # 10,000 numbers, 989120000000 + i, each sending once a
            # command that changes something (START): only those are
            # recognized as repeats; a status query is answered afresh
            # every time (issue #11).
            sim.post("/mo", **{"from": "989120000000", "text": "شروع",
                               "count": str(n), "spread": str(n), "numbered": "0"})
            for _ in range(3):
                base = desk.sql("SELECT count(*) FROM inbox")[0][0]
                target = base + rnd.randint(n // 20, n // 5)
                wait_until(lambda: desk.sql("SELECT count(*) FROM inbox")[0][0] >= target, 30)
                time.sleep(rnd.random() * 0.2)
                desk.kill9()
                kills += 1
                desk.start()
            ok = wait_until(lambda: mo_done(sim) and desk.sql(
                "SELECT count(*) FROM outbox WHERE state < 2")[0][0] == 0, 120)
            check("crash-mo: every MO acknowledged and every answer sent", ok,
                  json.dumps(sim.stats()["gauges"]))
            polled = poll.stop()
            check("crash-mo: /metrics answered meanwhile", polled > 0, f"answers={polled}")
            desk.stop()
            answers = {}
            for s in sim.submits():
                answers[s["to"]] = answers.get(s["to"], 0) + 1
            numbers = {str(989120000000 + i) for i in range(n)}
            missing = len(numbers - set(answers))
            twice = sum(1 for k in numbers if answers.get(k, 0) == 2)
            over = sum(1 for k in numbers if answers.get(k, 0) > 2)
            check(f"crash-mo: all {n} numbers answered", missing == 0, f"missing={missing}")
            # Answers beyond one per number: one more for each recognized
            # redelivery (the stored answer again, issue #11), and the
            # at-least-once duplicates of answers in flight at a kill (a
            # window each).
            total = sum(answers[k] for k in numbers if k in answers)
            resent = desk.sql("SELECT coalesce(sum(resent), 0), coalesce(max(resent), 0) "
                              "FROM inbox WHERE dup_of IS NULL")[0]
            redeliv = desk.sql("SELECT count(*) FROM inbox WHERE dup_of IS NOT NULL")[0][0]
            mt_dups = total - n - resent[0]
            check("crash-mo: each redelivery got its stored answer once more",
                  resent[0] == redeliv, f"redeliveries={redeliv} answers_resent={resent[0]}")
            check("crash-mo: other extra answers at most a window (20) per kill",
                  0 <= mt_dups <= 20 * kills, f"mt_duplicates={mt_dups} twice={twice} more={over}")
            firsts = desk.sql("SELECT count(DISTINCT source) FROM inbox WHERE dup_of IS NULL")[0][0]
            rows = desk.sql("SELECT count(*) FROM inbox WHERE dup_of IS NULL")[0][0]
            check("crash-mo: each MO handled once (redeliveries recognized)",
                  firsts == n and rows == n, f"first copies={rows} numbers={firsts}")
            un = desk.sql("SELECT count(*) FROM inbox WHERE state = 0")[0][0]
            check("crash-mo: no inbox row left unhandled", un == 0, f"unhandled={un}")
            reqs = desk.sql("SELECT count(*) FROM requests")[0][0]
            check("crash-mo: no request created by a redelivery", reqs == 1, f"requests={reqs}")
            print(f"crash-mo: kills={kills} answered_twice={twice}")
        finally:
            poll.stop()
            desk.stop()
            sim.stop()


def priority():
    backlog, tries = scaled(100000, 1000), scaled(100, 10)
    with tempfile.TemporaryDirectory(prefix="smsdesk-prio-") as tmp:
        sim = Sim(tmp, "--dlr-delay-ms", "1000")
        desk = Desk(tmp, sim, window=10, max_tps=1000)
        desk.cli("queue", "add", "--to", "09131111111", "--text", "alert", "--count", str(backlog))
        lat = []
        try:
            desk.start()
            wait_until(lambda: sim.stats().get("submits", 0) >= 200, 30)
            for i in range(tries):
                to = f"0913200{i:04d}"
                want = "98" + to[1:]
                seen = len(sim.submits(to=want))
                desk.cli("otp", "send", "--mobile", to)
                t0 = time.monotonic()
                while len(sim.submits(to=want)) == seen:
                    if time.monotonic() - t0 > 5:
                        break
                    time.sleep(0.001)
                lat.append((time.monotonic() - t0) * 1000)
            waiting = desk.sql("SELECT count(*) FROM outbox WHERE kind = 1 AND state = 0")[0][0]
            med = statistics.median(lat)
            print(f"priority: otp_latency_ms median={med:.1f} "
                  f"p90={sorted(lat)[len(lat) * 9 // 10 - 1]:.1f} "
                  f"max={max(lat):.1f} alerts_still_waiting={waiting}")
            check("priority: the alerts were still waiting", waiting > backlog // 2,
                  f"waiting={waiting}")
            # The figure is the optimized build's; under ASan (several
            # times slower) only the order is checked, with a loose bound.
            bound = 500 if SLOW else 50
            check(f"priority: OTP reaches the SMSC in under {bound} ms (median of {tries})",
                  med < bound, f"median={med:.1f} ms")
        finally:
            desk.stop()
            sim.stop()


def cpu_s(pid):
    """User + system CPU seconds of pid."""
    with open(f"/proc/{pid}/stat") as f:
        v = f.read().rsplit(")", 1)[1].split()
    return (int(v[11]) + int(v[12])) / os.sysconf("SC_CLK_TCK")


def first_index(subs, prefix):
    """Position in the submit stream of each text's first arrival."""
    out = {}
    for i, s in enumerate(subs):
        if s["text"].startswith(prefix) and s["text"] not in out:
            out[s["text"]] = i
    return out


def crash_parts():
    n, parts, gap_ms = 5, 3, 2000
    text = ("درخواست من درباره پروانه ساختمان است و می‌خواهم بدانم مدارک "
            "کامل شده یا نه؛ لطفاً وضعیت پرونده و زمان بازدید را اعلام کنید. "
            "با تشکر از واحد صدور پروانه و همکاران محترم سازمان")
    with tempfile.TemporaryDirectory(prefix="smsdesk-parts-") as tmp:
        sim = Sim(tmp)
        desk = Desk(tmp, sim, window=10, max_tps=1000)
        first = 989133000000
        try:
            desk.start()
            wait_until(lambda: sim.stats()["sessions"]["trx"] >= 1, 10)
            acks0 = sim.stats()["deliver_sm_resp"]
            sim.post("/mo", **{"from": str(first), "text": text, "count": n, "spread": n,
                               "parts": parts, "coding": "ucs2", "gap_ms": gap_ms})
            stored = []
            for k in (1, 2):
                ok = wait_until(lambda: sim.stats()["deliver_sm_resp"] >= acks0 + n * k, 10)
                desk.kill9()
                stored.append(desk.sql("SELECT count(*) FROM inbox_parts")[0][0])
                check(f"crash-parts: the {n} part {k}s acknowledged, then kill -9", ok)
                desk.start()
            check("crash-parts: held parts were on disk at each kill",
                  stored == [n, 2 * n], f"stored={stored}")
            done = wait_until(lambda: desk.sql("SELECT count(*) FROM inbox")[0][0] >= n
                              and len(sim.submits()) >= n, 30)
            rows = dict(desk.sql("SELECT source, body FROM inbox"))
            want = {str(first + i): f"{text} #{i + 1}" for i in range(n)}
            check(f"crash-parts: all {n} messages arrived whole", done and rows == want,
                  f"rows={len(rows)} whole={sum(rows.get(k) == v for k, v in want.items())}")
            left = desk.sql("SELECT count(*) FROM inbox_parts")[0][0]
            check("crash-parts: no part left behind", left == 0, f"left={left}")
            answered = {}
            for x in sim.submits():
                answered[x["to"]] = answered.get(x["to"], 0) + 1
            check("crash-parts: each answered once",
                  sorted(answered) == sorted(want) and set(answered.values()) == {1},
                  f"answers={answered}")
            rc = desk.stop()
            check("crash-parts: clean stop", rc == 0, f"rc={rc}")
        finally:
            desk.stop()
            sim.stop()


def link_faults():
    window = 10
    n_alert, n_otp, n_late = scaled(3000, 300), scaled(200, 20), scaled(100, 10)
    with tempfile.TemporaryDirectory(prefix="smsdesk-faults-") as tmp:
        sim = Sim(tmp, "--dlr-delay-ms", "20", "--max-receipts", "100000")
        desk = Desk(tmp, sim, window=window, max_tps=3000, timeout_s=2,
                    smpp_extra="throttle_pause_ms = 20")
        to = "09131111111"
        desk.cli("queue", "add", "--to", to, "--text", "alert", "--kind", "alert",
                 "--count", str(n_alert))
        desk.cli("queue", "add", "--to", to, "--text", "otp", "--kind", "otp",
                 "--count", str(n_otp))
        # Every link dropped after 1,000 PDUs read (scaled; submits, responses,
        # enquire_links); 10% of submits throttled; every 1,200th submit's
        # response (and those queued behind it) 3 s late, past the 2 s
        # response timeout.
        sim.post("/fault/chaos", drop_every=scaled(1000, 100), throttle_pct=10,
                 stall_every=scaled(1200, 120), stall_ms=3000, seed=7)
        try:
            desk.start()
            # 100 more OTPs once a third of the alerts are out.
            wait_until(lambda: sim.stats()["messages"] >= n_otp + n_alert // 3, 120)
            desk.cli("queue", "add", "--to", to, "--text", "late", "--kind", "otp",
                     "--count", str(n_late))
            # The link down for 6 s with alerts still waiting: serve must
            # back off, not spin.
            wait_until(lambda: sim.stats()["messages"] >= n_otp + n_alert // 2, 120)
            waiting = desk.sql("SELECT count(*) FROM outbox WHERE state < 2")[0][0]
            refused0 = sim.stats()["conns_refused"]
            sim.post("/fault/down", ms=6000)
            time.sleep(0.5)
            c0 = cpu_s(desk.p.pid)
            time.sleep(5)
            idle = cpu_s(desk.p.pid) - c0
            refused = sim.stats()["conns_refused"] - refused0
            bound = 0.5 if SLOW else 0.25
            print(f"link-faults: link down 5 s with {waiting} waiting: serve used "
                  f"{idle:.2f} s CPU, {refused} connection attempts")
            check(f"link-faults: serve nearly idle while the link is down (< {bound} s CPU in 5 s)",
                  idle < bound and waiting > 0, f"cpu={idle:.2f}s waiting={waiting}")
            check("link-faults: reconnects back off while down (<= 5 attempts in 6 s)",
                  1 <= refused <= 5, f"attempts={refused}")
            total = n_alert + n_otp + n_late
            done = wait_until(lambda: desk.sql(
                "SELECT count(*) FROM outbox WHERE state = 3")[0][0] == total, 240)
            st = dict(desk.sql("SELECT state, count(*) FROM outbox GROUP BY state"))
            check("link-faults: every message delivered, its receipt back", done,
                  f"states={st}")
            sim.post("/fault/clear")
            stats = sim.stats()
            rc = desk.stop()
            check("link-faults: clean stop", rc == 0, f"rc={rc}")
            subs = sim.submits(to="98" + to[1:])
            texts = [x["text"] for x in subs]
            want = ({f"alert #{i}" for i in range(1, n_alert + 1)} |
                    {f"otp #{i}" for i in range(1, n_otp + 1)} |
                    {f"late #{i}" for i in range(1, n_late + 1)})
            missing = len(want - set(texts))
            dups = len(texts) - len(set(texts))
            faults = stats["chaos_drops"] + stats["stalled"] + stats["drops"]
            print(f"link-faults: submits={len(texts)} duplicates={dups} "
                  f"drops={stats['chaos_drops']} stalled={stats['stalled']} "
                  f"throttled={stats['throttled']} of {stats['submit_sm']} submit_sm")
            check(f"link-faults: all {total} reached the SMSC", missing == 0 and
                  set(texts) <= want, f"missing={missing}")
            check("link-faults: the faults happened (>= 3 drops, a stall, ~10% throttled)",
                  stats["chaos_drops"] >= 3 and stats["stalled"] >= 1 and
                  0.05 <= stats["throttled"] / stats["submit_sm"] <= 0.15,
                  f"drops={stats['chaos_drops']} stalled={stats['stalled']} "
                  f"throttled={stats['throttled']}/{stats['submit_sm']}")
            check("link-faults: duplicates at most a window per lost link",
                  dups <= window * faults, f"duplicates={dups} faults={faults}")
            # Order by priority: the first 200 OTPs, queued with the
            # alerts, come before them; the 100 queued mid-drain overtake
            # the alerts still waiting. A window in flight (and its
            # retries after a drop) may come between.
            otp = first_index(subs, "otp #")
            alert = first_index(subs, "alert #")
            late = first_index(subs, "late #")
            last_otp = max(otp.values())
            check("link-faults: the OTPs queued with the alerts went first",
                  last_otp < n_otp + 3 * window, f"last OTP at {last_otp}")
            lo, hi = min(late.values()), max(late.values())
            late_alerts = sum(1 for i in alert.values() if lo < i < hi)
            check("link-faults: OTPs queued mid-drain overtook the waiting alerts",
                  late_alerts <= 3 * window, f"alerts first sent among them: {late_alerts}, from {lo} to {hi}")
        finally:
            desk.stop()
            sim.stop()


def main():
    which = sys.argv[1:] or ["crash-mt", "crash-mo", "crash-parts", "priority",
                             "link-faults"]
    for w in which:
        {"crash-mt": crash_mt, "crash-mo": crash_mo, "crash-parts": crash_parts,
         "priority": priority, "link-faults": link_faults}[w]()
    if FAILS:
        print(f"pipeline: {len(FAILS)} check(s) failed")
        return 1
    print("pipeline: every check passed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
