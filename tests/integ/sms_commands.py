#!/usr/bin/env python3
"""tests/integ/sms_commands.py: the SMS command channel end to end, phones
on the SMSC simulator talking to smsdesk serve (issue #5). Run by
test_sms_commands.sh with BIN and SIM.

A phone registers by SMS, opens a request by SMS, asks its status; a staff
phone answers it by SMS; the applicant receives the alert; LIST shows it
answered; «پیگیری N» (tracking) answers the status. ESCALATE («ارجاع N»)
before and after two working days (serve restarted with
SMSDESK_CLOCK_OFFSET a week ahead). STOP suppresses alerts but not
command replies. An unregistered number is told how to register; an
English command is answered in English. Issue #11: a repeated status
query or LIST is answered from the current data; a repeated NEW makes one
request and gets the same answer; staff LIST shows their departments'
waiting requests; `smsdesk inbox` shows the repeat; every Persian reply
and alert ends with `[sms] signature`, English ones stay GSM 7-bit and
unsigned (the signature is Persian). Prints each exchange.
"""
import re
import os
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import pipeline as P  # noqa: E402  (Sim, Desk, check)

A = "989131111111"      # the applicant's phone
STAFF = "989133333333"  # the IT staff member's phone
STRANGER = "989135555555"
SIG = "نظام مهندسی کرمان"  # [sms] signature
B = "989132222222"      # a second applicant, who never sends STOP
HEAD = "989137777777"   # staff of the head's office (department 17)


class Phones:
    def __init__(self, sim):
        self.sim = sim
        self.seen = {}

    def inbox(self, number):
        return self.sim.submits(to=number)

    def send(self, number, text, expect=1, wait=10.0):
        """Send text from number; the texts of the expect new messages it
        receives (waits at most wait seconds)."""
        before = len(self.inbox(number))
        self.sim.post("/mo", **{"from": number, "text": text})
        end = time.time() + wait
        got = []
        while time.time() < end:
            got = self.inbox(number)[before:]
            if len(got) >= expect:
                break
            time.sleep(0.05)
        texts = [g["text"] for g in got]
        for t in texts or ["(nothing)"]:
            print(f"  {number[-4:]} > {text}\n  {number[-4:]} < " + t.replace("\n", " / "))
        return texts

    def new_for(self, number, since_count):
        return [g["text"] for g in self.inbox(number)[since_count:]]


def main():
    with tempfile.TemporaryDirectory(prefix="smsdesk-cmd-") as tmp:
        sim = P.Sim(tmp)
        # escalation = applicant: the ESCALATE command is what is tested
        # here (the SLA sweep would escalate 10002 itself a week on).
        # quiet_hours = off: the alerts' texts are checked here, at any
        # time of day (at 23:00 the answer's alert would wait for 07:00);
        # test_quiet_hours (unit) checks when they wait.
        desk = P.Desk(tmp, sim, max_tps=200,
                      extra="[sla]\nholidays_file =\nescalation = applicant\n"
                            "[sms]\nquiet_hours = off\n"
                            f"signature = {SIG}\n")
        desk.cli("staff", "add", "--mobile", "09133333333", "--first", "محمد",
                 "--last", "نوری", "--title", "کارشناس فناوری", "--dept", "2")
        desk.cli("staff", "add", "--mobile", "09137777777", "--first", "زهرا",
                 "--last", "کریمی", "--title", "دفتر رئیس", "--dept", "17")
        ph = Phones(sim)
        try:
            desk.start()
            r = ph.send(STRANGER, "10001")
            P.check("unregistered: told how to register, by an example",
                    r and "ثبت‌نام علی رضایی" in r[0])
            # Issue 11: the template's words register nobody.
            r = ph.send(STRANGER, "ثبت نام نام فامیل")
            P.check("REG «نام فامیل» (the template) refused with the example",
                    r and "خودتان" in r[0] and "ثبت‌نام علی رضایی" in r[0])
            P.check("... and nobody registered",
                    desk.sql("SELECT COUNT(*) FROM users WHERE mobile = "
                             f"'+{STRANGER}'") == [(0,)])
            r = ph.send(A, "ثبت نام علی رضایی")
            P.check("REG by SMS", r and "علی رضایی عزیز، ثبت‌نام شما انجام شد." in r[0]
                    and "https://desk.example" in r[0])
            P.check("... signed", r and r[0].endswith("\n" + SIG), r and r[0][-40:])
            r = ph.send(A, "جدید ۲ چاپگر طبقه دوم کار نمی‌کند")
            P.check("NEW by SMS gets tracking number 10001 and a signed link",
                    r and "شماره رهگیری 10001" in r[0]
                    and re.search(r"/r/[A-Za-z0-9_-]{18}(\s|$)", r[0]) is not None
                    and "/r/10001" not in r[0])
            r = ph.send(A, "وضعیت ۱۰۰۰۱")
            P.check("STATUS: awaiting", r and "در انتظار پاسخ" in r[0])
            a_before = len(ph.inbox(A))
            r = ph.send(STAFF, "پاسخ 10001 کارتریج تعویض شد")
            P.check("staff answer by SMS confirmed", r and "پاسخ شما به درخواست 10001" in r[0])
            ok = P.wait_until(lambda: len(ph.inbox(A)) > a_before, 10)
            alert = ph.new_for(A, a_before)
            print("  " + A[-4:] + " < " + (alert[0].replace("\n", " / ") if alert else "(nothing)"))
            P.check("the applicant received the alert", ok and alert and
                    "به درخواست 10001 شما پاسخ داده شد: «کارتریج" in alert[0])
            P.check("... signed", alert and alert[0].endswith("\n" + SIG))
            # Issue 11: the same status query again, within the dedupe
            # window, after the answer: the new state, every time (it
            # got the old answer, then nothing).
            for k in (1, 2):
                r = ph.send(A, "وضعیت ۱۰۰۰۱")
                P.check(f"repeated STATUS after the answer ({k}): the new state",
                        r and "پاسخ داده شد" in r[0] and "در انتظار" not in r[0])
            r = ph.send(A, "لیست")
            P.check("LIST shows it answered", r and "10001 پاسخ داده شد" in r[0])
            for k in (1, 2):
                r = ph.send(A, "لیست")
                P.check(f"repeated LIST ({k}): answered again from the data",
                        r and "10001 پاسخ داده شد" in r[0])
            r = ph.send(A, "STATUS 10001")
            P.check("English command, English answer", r and "Request 10001" in r[0] and
                    "answered" in r[0])
            # Issue 11: no Persian word (department name, signature)
            # sends an English reply as UCS-2.
            r = ph.send(A, "LIST")
            P.check("an English reply has no Persian word, no signature",
                    r and "department 2" in r[0] and SIG not in r[0]
                    and not any("\u0600" <= ch <= "\u06ff" for ch in r[0]), r and r[0])
            r = ph.send(A, "وضعیت 10002")
            P.check("a missing request: not found", r and "یافت نشد" in r[0])
            # Issue 11: «پیگیری» is tracking: the status, no escalation.
            r = ph.send(A, "پیگیری 10001")
            # With a signature and a signed link (issue #13: 18 characters
            # of token where 5 digits were) the department and title are
            # cut to «فناوری…»; the status and the answer stay whole.
            P.check("«پیگیری 10001» answers the status",
                    r and "درخواست 10001: پاسخ داده شد\nپاسخ: «کارتریج تعویض شد»\nفناوری" in r[0]
                    and re.search(r"/r/[A-Za-z0-9_-]{18}\n", r[0]) is not None,
                    r and r[0])
            P.check("... and escalates nothing",
                    desk.sql("SELECT escalated FROM requests WHERE tracking = 10001") == [(0,)])

            # ESCALATE: a new request, too early, then a week later.
            r = ph.send(A, "جدید 5 ف نشتی لوله گاز در ساختمان")
            P.check("second request 10002", r and "10002" in r[0])
            r = ph.send(A, "ارجاع 10002")
            P.check("ESCALATE before two working days: tells when",
                    r and "می‌توانید به دفتر رئیس سازمان ارجاع دهید" in r[0])
            desk.stop()
            os.environ["SMSDESK_CLOCK_OFFSET"] = str(7 * 86400)
            try:
                desk.start()
            finally:
                del os.environ["SMSDESK_CLOCK_OFFSET"]
            a_before = len(ph.inbox(A))
            h_before = len(ph.inbox(HEAD))
            r = ph.send(A, "ارجاع ۱۰۰۰۲")
            P.check("ESCALATE after two working days: sent to the head",
                    any("به دفتر رئیس سازمان ارجاع شد" in t for t in r))
            # Issue 11: the head's office is alerted once; its SMS is
            # queued after the applicant's (an alert, if there were one,
            # would have come before it), so once it is in, the
            # applicant's count is final: one SMS, not two identical.
            P.check("the head's office gets one SMS about 10002",
                    P.wait_until(lambda: len(ph.inbox(HEAD)) > h_before, 10)
                    and len(ph.new_for(HEAD, h_before)) == 1
                    and "10002" in ph.new_for(HEAD, h_before)[0],
                    str(ph.new_for(HEAD, h_before)))
            P.check("escalating by SMS sends the applicant one SMS",
                    len(ph.new_for(A, a_before)) == 1,
                    str(ph.new_for(A, a_before)))
            head = desk.sql("SELECT dept_code, escalated, orig_dept FROM requests WHERE tracking = 10002")
            P.check("request 10002 stays in department 5, escalated",
                    head == [(5, 1, 5)], str(head))
            r = ph.send(HEAD, "وضعیت 10002")
            P.check("the head's office sees it, marked escalated",
                    r and "درخواست 10002" in r[0]
                    and "در انتظار پاسخ دفتر رئیس سازمان" in r[0], r and r[0])
            r = ph.send(A, "وضعیت 10002")
            P.check("the applicant's STATUS says escalated",
                    r and "درخواست 10002: در انتظار پاسخ دفتر رئیس سازمان\nبازرسی فنی: «نشتی"
                    in r[0], r and r[0])

            # Issue 9: a long NEW, reassembled from 27 parts, is stored
            # whole with its line breaks (it was cut to 1 KB on one line).
            words = ["درخواست"] * 225
            long_text = "\n".join(" ".join(words[i:i + 7])
                                  for i in range(0, len(words), 7))
            r = ph.send(A, "جدید 2 " + long_text)
            P.check(f"a long NEW ({len(long_text)} characters) is registered, "
                    "nothing cut", r and "10003" in r[0] and "کوتاه" not in r[0])
            body = desk.sql("SELECT body FROM messages WHERE tracking = 10003")
            P.check("... and stored whole with its line breaks",
                    body == [(long_text,)],
                    f"stored {len(body[0][0]) if body else 0} characters")

            # STOP: no alerts, command replies still come. Checked
            # against a second applicant who did not send STOP and gets
            # the same two answers (CLI and SMS): their alerts must be
            # queued, so "no alert" cannot pass by nothing being sent.
            r = ph.send(B, "ثبت نام مریم احمدی")
            P.check("second applicant registered", r and "ثبت‌نام شما انجام شد" in r[0])
            r = ph.send(B, "جدید 2 اسکنر کار نمی‌کند")
            P.check("second applicant's request 10004", r and "10004" in r[0])
            r = ph.send(A, "لغو")
            P.check("STOP acknowledged", r and "قطع شد" in r[0])

            def alert_rows(number):
                return desk.sql("SELECT COUNT(*) FROM outbox WHERE kind = 1 "
                                f"AND destination = '+{number}'")[0][0]
            a_rows, b_rows = alert_rows(A), alert_rows(B)
            a_before, b_before = len(ph.inbox(A)), len(ph.inbox(B))
            for t in ("10001", "10004"):
                desk.cli("request", "reply", t, "--from", "09133333333",
                         "--text", "پاسخ دوم از وب")
                r = ph.send(STAFF, f"پاسخ {t} پاسخ سوم از پیامک")
                P.check(f"staff answer to {t} by SMS confirmed",
                        r and f"پاسخ شما به درخواست {t}" in r[0])
            # The alerts are queued in the answer's own transaction, so
            # the rows are there once the answers are confirmed.
            P.check("the same answers queue 2 alerts for an applicant "
                    "who did not send STOP", alert_rows(B) - b_rows == 2,
                    f"{alert_rows(B) - b_rows} rows")
            P.check("after STOP no alert is queued for the applicant",
                    alert_rows(A) == a_rows, f"{alert_rows(A) - a_rows} rows")
            P.check("the other applicant's phone receives both",
                    P.wait_until(lambda: len(ph.inbox(B)) >= b_before + 2, 10))
            P.check("after STOP no alert reaches the applicant's phone",
                    len(ph.inbox(A)) == a_before, str(ph.new_for(A, a_before)))
            r = ph.send(A, "وضعیت 10001")
            P.check("after STOP command replies still come", r and "10001" in r[0])
            r = ph.send(A, "شروع")
            P.check("START acknowledged", r and "دوباره وصل شد" in r[0])
            a_before = len(ph.inbox(A))
            ph.send(STAFF, "پاسخ 10001 پاسخ چهارم")
            P.check("after START alerts come again",
                    P.wait_until(lambda: len(ph.inbox(A)) > a_before, 10))
            # Issue 11: thanks after an answer keeps it answered; the
            # applicant closes it.
            r = ph.send(A, "پاسخ 10001 ممنون!")
            P.check("a thanks after an answer: told how to close",
                    r and "بستن 10001" in r[0])
            st = desk.sql("SELECT status FROM requests WHERE tracking = 10001")
            P.check("... and 10001 stays answered", st == [(1,)], str(st))
            r = ph.send(A, "بستن 10001")
            P.check("CLOSE by the applicant", r and "بسته شد" in r[0])
            st = desk.sql("SELECT status FROM requests WHERE tracking = 10001")
            P.check("... and 10001 is closed", st == [(2,)], str(st))
            # Issue 11: a NEW sent twice within the window is one
            # request; the phone gets the same answer twice.
            new = "جدید 2 مانیتور روشن نمی‌شود"
            r1 = ph.send(B, new)
            r2 = ph.send(B, new)
            n = desk.sql("SELECT count(*) FROM requests WHERE title LIKE 'مانیتور%'")[0][0]
            P.check("repeated NEW: one request, the same answer twice",
                    n == 1 and r1 and r2 and r1 == r2 and "10005" in r1[0],
                    f"requests={n}")
            # Staff list their departments' waiting requests by SMS.
            for k in (1, 2):
                r = ph.send(STAFF, "لیست")
                P.check(f"staff LIST ({k}): the department's waiting request",
                        r and "10005 «مانیتور" in r[0] and "ندارید" not in r[0])
            out = desk.cli("inbox", "--limit", "50")
            P.check("smsdesk inbox shows the repeat and its reason",
                    "repeat of" in out and "answer sent again" in out, out[-400:])
            r = ph.send(A, "سلام خوبید")
            P.check("unparseable: a hint, not silence",
                    r and "متأسفانه پیام شما شناخته نشد." in r[0])
            # Issue 11: the hint with the sender's own number.
            r = ph.send(A, "وضیعت 10002")
            P.check("a mistyped STATUS: «آیا منظورتان «وضعیت 10002» بود؟»",
                    r and "آیا منظورتان «وضعیت 10002» بود؟" in r[0])
        finally:
            desk.stop()
            sim.stop()
    if P.FAILS:
        print(f"sms-commands: {len(P.FAILS)} check(s) failed")
        return 1
    print("sms-commands: every check passed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
