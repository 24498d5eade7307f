#!/usr/bin/env python3
"""tests/bench/bench_util.py: small helpers for tests/bench/*.sh.

    freeport [K]                 K free TCP ports on 127.0.0.1 (default 1)
    wait-bound HTTP SECS K PID.. wait until the simulator has K sessions
                                 that take MOs (rx or trx), every PID
                                 alive; exit 1 on timeout or death
    wait-http URL SECS [GREP]    wait until URL answers 200 (and its body
                                 contains GREP)
    inject HTTP N TEXT FROM SPREAD
                                 POST /mo: N MOs, copy i from FROM + k
                                 with the number ending TEXT raised by k,
                                 k = i mod SPREAD, and " #i" after it:
                                 "STATUS 10001 #1" from 989131000000,
                                 "STATUS 10002 #2" from 989131000001...
                                 (every MO distinct, so none is taken
                                 for a redelivery of another)
    measure HTTP N SECS START PID..
                                 poll /stats until N whole messages were
                                 submitted (or nothing new came for SECS,
                                 or a PID died), sampling VmHWM of the
                                 PIDs; the time is last_message_ms -
                                 START (first_mo_ms or first_submit_ms);
                                 prints "ok|timeout SECONDS MESSAGES
                                 HWM_KB MOS_ACKED SUBMIT_SM_PARTS"
    hwm PID..                    sum of VmHWM (kB) of the live PIDs
    cpu PID..                    their user + system CPU time (s)
    median X..                   the median (the lower middle for an even
                                 count)
    scrape URL N ROWS            GET URL once to warm up, then N times in
                                 turn; each time the smsdesk_outbox_messages
                                 must add up to ROWS; prints "median_ms=M
                                 p90_ms=P max_ms=X bytes=B"
Every wait is bounded; nothing here starts or stops a process.
"""
import json
import os
import socket
import sys
import time
import urllib.parse
import urllib.request


def http_get(url, timeout=5.0):
    with urllib.request.urlopen(url, timeout=timeout) as r:
        return r.status, r.read().decode("utf-8", "replace")


def stats(base):
    _, body = http_get(base + "/stats")
    return json.loads(body)


def alive(pid):
    try:
        with open("/proc/%d/status" % pid) as f:
            for line in f:
                if line.startswith("State:"):
                    return "Z" not in line.split()[1]
    except OSError:
        return False
    return True


def vmhwm(pid):
    try:
        with open("/proc/%d/status" % pid) as f:
            for line in f:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1])
    except (OSError, ValueError, IndexError):
        pass
    return 0


def cmd_freeport(args):
    k = int(args[0]) if args else 1
    socks = []
    for _ in range(k):
        s = socket.socket()
        s.bind(("127.0.0.1", 0))
        socks.append(s)
    print(" ".join(str(s.getsockname()[1]) for s in socks))
    for s in socks:
        s.close()
    return 0


def cmd_wait_bound(args):
    base, secs, want = args[0], float(args[1]), int(args[2])
    pids = [int(p) for p in args[3:]]
    deadline = time.monotonic() + secs
    while time.monotonic() < deadline:
        for p in pids:
            if not alive(p):
                print("process %d died" % p, file=sys.stderr)
                return 1
        try:
            s = stats(base)["sessions"]
            if s["rx"] + s["trx"] >= want:
                return 0
        except (OSError, ValueError, KeyError):
            pass
        time.sleep(0.05)
    print("not bound after %g s" % secs, file=sys.stderr)
    return 1


def cmd_wait_http(args):
    url, secs = args[0], float(args[1])
    grep = args[2] if len(args) > 2 else None
    deadline = time.monotonic() + secs
    while time.monotonic() < deadline:
        try:
            st, body = http_get(url, 2.0)
            if st == 200 and (grep is None or grep in body):
                return 0
        except OSError:
            pass
        time.sleep(0.05)
    return 1


def cmd_inject(args):
    base, n, text, frm, spread = args[0], int(args[1]), args[2], args[3], \
        int(args[4])
    data = urllib.parse.urlencode({
        "from": frm, "text": text, "count": n, "numbered": 1,
        "spread": spread, "text_spread": 1}).encode()
    req = urllib.request.Request(base + "/mo", data=data)
    with urllib.request.urlopen(req, timeout=5) as r:
        if r.status != 202:
            print("POST /mo: HTTP %d" % r.status, file=sys.stderr)
            return 1
    return 0


def cmd_measure(args):
    base, n, secs, start = args[0], int(args[1]), float(args[2]), args[3]
    pids = [int(p) for p in args[4:]]
    hwm = {p: 0 for p in pids}
    last_change, last_seen, s = time.monotonic(), -1, None

    def elapsed(st):
        if st and st[start] > 0 and st["last_message_ms"] > 0:
            return (st["last_message_ms"] - st[start]) / 1000.0
        return 0.0

    while True:
        for p in pids:
            hwm[p] = max(hwm[p], vmhwm(p))
        try:
            s = stats(base)
        except (OSError, ValueError):
            s = None
        now = time.monotonic()
        if s is not None:
            seen = s["messages"] + s["submits"]
            if seen != last_seen:
                last_seen, last_change = seen, now
            if s["messages"] >= n:
                break
        dead = [p for p in pids if not alive(p)]
        if now - last_change > secs or (dead and s is not None):
            print("timeout %.3f %d %d %d %d" % (
                elapsed(s), s["messages"] if s else 0, sum(hwm.values()),
                s["deliver_sm_resp"] if s else 0, s["submits"] if s else 0))
            return 1
        time.sleep(0.2)
    for p in pids:
        hwm[p] = max(hwm[p], vmhwm(p))
    print("ok %.3f %d %d %d %d" % (elapsed(s), s["messages"],
                                   sum(hwm.values()), s["deliver_sm_resp"],
                                   s["submits"]))
    return 0


def cpu_s(pid):
    try:
        with open("/proc/%d/stat" % pid) as f:
            f2 = f.read().rsplit(")", 1)[1].split()
        return (int(f2[11]) + int(f2[12])) / os.sysconf("SC_CLK_TCK")
    except (OSError, ValueError, IndexError):
        return 0.0


def cmd_cpu(args):
    print("%.2f" % sum(cpu_s(int(p)) for p in args))
    return 0


def cmd_hwm(args):
    print(sum(vmhwm(int(p)) for p in args))
    return 0


def cmd_median(args):
    xs = sorted(float(x) for x in args)
    if not xs:
        print("-")
        return 1
    m = xs[(len(xs) - 1) // 2]
    print(("%d" % m) if m == int(m) else ("%.3f" % m))
    return 0


def cmd_scrape(args):
    url, n, rows = args[0], int(args[1]), int(args[2])
    times, size = [], 0
    for k in range(n + 1):
        t0 = time.perf_counter()
        st, body = http_get(url, 600.0)
        dt = (time.perf_counter() - t0) * 1000.0
        total = sum(int(line.rsplit(" ", 1)[1]) for line in body.splitlines()
                    if line.startswith("smsdesk_outbox_messages{"))
        if st != 200 or total != rows:
            print("HTTP %d, outbox messages %d, not %d" % (st, total, rows))
            return 1
        size = len(body.encode())
        if k > 0:
            times.append(dt)
    times.sort()
    p90 = times[min(len(times) - 1, (len(times) * 9 + 9) // 10 - 1)]
    print("median_ms=%.2f p90_ms=%.2f max_ms=%.2f bytes=%d" % (
        times[(len(times) - 1) // 2], p90, times[-1], size))
    return 0


CMDS = {"freeport": cmd_freeport, "wait-bound": cmd_wait_bound,
        "wait-http": cmd_wait_http, "inject": cmd_inject,
        "measure": cmd_measure, "hwm": cmd_hwm, "cpu": cmd_cpu, "median": cmd_median,
        "scrape": cmd_scrape}

if __name__ == "__main__":
    if len(sys.argv) < 2 or sys.argv[1] not in CMDS:
        print(__doc__, file=sys.stderr)
        sys.exit(2)
    sys.exit(CMDS[sys.argv[1]](sys.argv[2:]))
