#!/bin/sh
# tests/integ/test_cli.sh: the smsdesk binary end to end: config check and
# defaults, db migrate, dept/staff/user/request commands, and the daemon
# (answers on HTTP, refuses a second instance, stops cleanly on SIGTERM).
set -u
BIN=${BIN:-build/smsdesk}
# Absolute: some commands run from another folder.
case $BIN in /*) ;; *) BIN=$PWD/$BIN ;; esac
# The holidays file is found without it (issue 10); a test sets it.
unset SMSDESK_DATADIR
T=$(mktemp -d "${TMPDIR:-/tmp}/smsdesk-cli-XXXXXX")
SERVE_PID=""
cleanup() {
	[ -n "$SERVE_PID" ] && kill "$SERVE_PID" 2>/dev/null
	rm -rf "$T"
}
trap cleanup EXIT
fails=0
ok() { echo "ok - $1"; }
bad() { echo "FAIL - $1"; fails=$((fails + 1)); }
check() { # description, command...
	d=$1
	shift
	if "$@"; then ok "$d"; else bad "$d"; fi
}

# A free loopback port (nothing answers on it now).
PORT=""
for i in 1 2 3 4 5 6 7 8 9 10; do
	p=$((20000 + $(od -An -N2 -tu2 /dev/urandom | tr -d ' ') % 20000))
	if ! curl -s -o /dev/null --max-time 1 "http://127.0.0.1:$p/"; then
		PORT=$p
		break
	fi
done
[ -n "$PORT" ] || { echo "no free port"; exit 1; }

cat >"$T/good.ini" <<INI
; a valid file
[db]
path = $T/var/smsdesk.db
[web]
listen = 127.0.0.1:$PORT   ; inline comment
[smpp]
bind = tx+rx
window = 20
[sla]
thursday = half
INI

# --- help and usage ---------------------------------------------------
check "--help exits 0" sh -c "$BIN --help | grep -q 'staff add'"
check "staff add --help" sh -c "$BIN staff add --help | grep -q -- '--mobile'"
check "unknown command is a usage error" sh -c \
    "$BIN frobnicate 2>/dev/null; [ \$? -eq 2 ]"

# --- config -----------------------------------------------------------
check "config check on a good file" sh -c \
    "$BIN config check $T/good.ini | grep -q 'configuration OK'"
# A file that holds the SMPP password and others may read (issue #9).
printf '[smpp]\npassword = s3cr3t\n' >"$T/secret.ini"
chmod 644 "$T/secret.ini"
check "config check warns: the SMPP password is readable by others" sh -c \
    "$BIN config check $T/secret.ini 2>$T/err | grep -q 'configuration OK' && grep -q 'warn config: file holds the SMPP password and is readable by others: chmod 600 it' $T/err"
chmod 640 "$T/secret.ini"
check "config check warns: readable by the group" sh -c \
    "$BIN config check $T/secret.ini 2>$T/err >/dev/null && grep -q 'readable by its group' $T/err"
chmod 600 "$T/secret.ini"
check "config check is quiet at 0600" sh -c \
    "$BIN config check $T/secret.ini 2>$T/err >/dev/null && ! grep -q 'readable' $T/err"
check "a 0644 file without secrets gets no warning" sh -c \
    "$BIN config check $T/good.ini 2>$T/err >/dev/null && ! grep -q 'readable' $T/err"
# Issue 11: [sms] signature, at most 22 characters (the help must still
# fit two parts with it).
printf '[sms]\nsignature = نظام مهندسی کرمان\n' >"$T/sig.ini"
check "config check takes a signature" sh -c \
    "$BIN config check $T/sig.ini | grep -q 'configuration OK'"
printf '[sms]\nsignature = سازمان نظام مهندسی ساختمان استان کرمان\n' >"$T/sig.ini"
check "config check refuses a signature over 22 characters" sh -c \
    "! $BIN config check $T/sig.ini 2>$T/err >/dev/null && grep -q 'at most 22' $T/err"
printf '[db]\npath = x.db\nbogus = 1\n' >"$T/unknown.ini"
$BIN config check "$T/unknown.ini" 2>"$T/err" >/dev/null
rc=$?
check "unknown key fails" [ $rc -ne 0 ]
check "unknown key reported as file:line" grep -q "$T/unknown.ini:3: \[db\] unknown key 'bogus'" "$T/err"
printf '[web]\nlisten = 127.0.0.1:8080\n\n[smpp]\nwindow = lots\nbind = both\n' >"$T/badval.ini"
$BIN config check "$T/badval.ini" 2>"$T/err" >/dev/null
rc=$?
check "bad value fails" [ $rc -ne 0 ]
check "bad value reported as file:line with reason" grep -q "$T/badval.ini:5: \[smpp\] window: 'lots' is not a whole number" "$T/err"
check "every bad value reported" grep -q "$T/badval.ini:6: \[smpp\] bind: 'both' is not one of: trx | tx+rx" "$T/err"
printf '[nosuch]\na = 1\n' >"$T/sect.ini"
check "unknown section fails" sh -c "! $BIN config check $T/sect.ini 2>$T/err && grep -q ':1: unknown section \[nosuch\]' $T/err"
# [ussd] is one section read by two tables: the menu's keys (core) and
# the transport's (smsc); a key neither knows is still an error (#12).
printf '[ussd]\nsession_s = 60\nsession_key = msisdn\nop_end = 3\nservice_code = *444#\n' >"$T/ussd.ini"
check "[ussd]: the menu's and the transport's keys in one section" sh -c \
    "$BIN config check $T/ussd.ini | grep -q 'configuration OK'"
printf '[ussd]\nsession_key = imsi\nbogus = 1\n' >"$T/ussdbad.ini"
check "[ussd]: a bad session_key and an unknown key, each on its line" sh -c \
    "! $BIN config check $T/ussdbad.ini 2>$T/err >/dev/null && grep -q 'ussdbad.ini:2: \[ussd\] session_key: .imsi. is not one of: its_session_info | user_message_reference | msisdn' $T/err && grep -q \"ussdbad.ini:3: \[ussd\] unknown key 'bogus'\" $T/err"
printf '[otp]\nttl_s = 5\n' >"$T/range.ini"
check "out-of-range value fails" sh -c "! $BIN config check $T/range.ini 2>$T/err && grep -q 'range.ini:2: .*out of range 30..3600' $T/err"
# Issue 11: office and quiet hours, each bad value with its reason.
printf '[sla]\noffice_hours = 25:00-07:00\nthursday_hours = 12:30-07:30\n[sms]\nquiet_hours = 22.00-07.00\n' >"$T/hours.ini"
check "bad hours fail config check, each with its reason" sh -c \
    "! $BIN config check $T/hours.ini 2>$T/err && grep -q 'hours.ini:2: \[sla\] office_hours: 25:00 is not a time of day' $T/err && grep -q \"hours.ini:3: \[sla\] thursday_hours: '12:30-07:30' ends before it starts\" $T/err && grep -q 'hours.ini:5: \[sms\] quiet_hours: a time is written HH:MM' $T/err"
printf '[sla]\noffice_hours = 07:30\n' >"$T/hours.ini"
check "office hours without a dash fail" sh -c \
    "! $BIN config check $T/hours.ini 2>$T/err && grep -q \"office_hours: '07:30' is not a period: write HH:MM-HH:MM\" $T/err"
printf '[sla]\noffice_hours = ۰۸:۰۰-۱۵:۰۰\n[sms]\nquiet_hours = off\n' >"$T/hours.ini"
check "office hours in Persian digits, quiet hours off: OK" sh -c \
    "$BIN config check $T/hours.ini | grep -q 'configuration OK'"
$BIN config defaults >"$T/defaults.ini"
check "config defaults: office and quiet hours" sh -c \
    "grep -q '^office_hours = 07:30-14:30 ' $T/defaults.ini && grep -q '^thursday_hours = 07:30-12:30 ' $T/defaults.ini && grep -q '^quiet_hours = 22:00-07:00 ' $T/defaults.ini"
check "config defaults lists every section" sh -c \
    "for s in db web smpp http_sms otp sms sla alerts ussd log; do grep -q \"^\[\$s\]\" $T/defaults.ini || exit 1; done"
check "config defaults: one [ussd] with the menu's and the transport's keys" sh -c \
    "[ \$(grep -c '^\[ussd\]' $T/defaults.ini) = 1 ] && sed -n '/^\[ussd\]/,/^\$/p' $T/defaults.ini | grep -q '^session_s = 120 ' && sed -n '/^\[ussd\]/,/^\$/p' $T/defaults.ini | grep -q '^session_key = its_session_info '"
check "config defaults: the very urgent alert limits" sh -c \
    "grep -q '^very_urgent_per_applicant_hour = 2 ' $T/defaults.ini && grep -q '^very_urgent_per_dept_hour = 10 ' $T/defaults.ini && grep -q '^digest_every_min = 60 ' $T/defaults.ini"
check "config defaults has comments" grep -q '^window = 10 .*; submit_sm awaiting' "$T/defaults.ini"
check "config defaults reads back as a valid file" sh -c \
    "$BIN config check $T/defaults.ini >/dev/null"
check "serve with a bad file refuses to start" sh -c \
    "! $BIN -c $T/badval.ini serve 2>/dev/null"

# --- database and operator commands ------------------------------------
C="$BIN -c $T/good.ini"
# A folder that is not the repository's, to run commands from (issue 10).
AWAY=$T/away/here
mkdir -p "$AWAY"
# Alerts in the outbox, in every state, of the database of config $1.
alerts() {
	$BIN -c "$1" queue | awk '$1 == "alert" { n = 0
		for (i = 2; i <= NF; i++) n += $i
		print n }'
}
check "db migrate creates the schema" sh -c "$C db migrate | grep -q 'migrated from version 0 to'"
check "db migrate again is a no-op" sh -c "$C db migrate | grep -q 'up to date'"
check "dept list has 17 departments" sh -c "[ \$($C dept list | wc -l) -eq 17 ]"
check "department 17 is the head's office" sh -c "$C dept list | grep -q '^17  دفتر رئیس سازمان$'"
check "staff add" sh -c "$C staff add --mobile 09133333333 --first محمدعلی --last 'نوروزی فر' --title 'کارشناس فناوری اطلاعات' --dept 2 >/dev/null"
check "head add" sh -c "$C staff add --mobile +989135555555 --first رئیس --last سازمان --title 'رئیس سازمان' --dept 17 --head >/dev/null"
check "staff add rejects a bad mobile with a reason" sh -c \
    "! $C staff add --mobile 0211234567 --first a --last b --title t --dept 2 2>$T/err && grep -q 'mobile' $T/err"
check "staff add rejects a missing department" sh -c \
    "! $C staff add --mobile 09137777777 --first a --last b --title t --dept 99 2>$T/err && grep -q 'department' $T/err"
check "staff add refuses a taken number" sh -c \
    "! $C staff add --mobile 9133333333 --first a --last b --title t --dept 2 2>$T/err && grep -q 'already registered' $T/err"
check "staff list shows the staff" sh -c "$C staff list | grep -q '09133333333  محمدعلی نوروزی فر'"
check "user add" sh -c "$C user add --mobile ۰۹۱۳۱۱۱۱۱۱۱ --first تست --last تست >/dev/null"
check "user add (second applicant)" sh -c "$C user add --mobile 09132222222 --first دیگر --last کاربر >/dev/null"
N=$($C request new --from 09131111111 --dept 2 --priority urgent --title 'تست سیستم مکاتبات' --text 'سلام')
check "first tracking number is 10001" [ "$N" = "10001" ]
A0=$(alerts "$T/good.ini")
check "staff answer" $C request reply 10001 --from 09133333333 --text 'با سلام و احترام'
check "staff answer queues exactly one alert to the applicant" \
    [ "$(alerts "$T/good.ini")" -eq $((A0 + 1)) ]
$C request show 10001 >"$T/show"
check "request show: status answered" grep -q 'وضعیت : پاسخ داده شد' "$T/show"
check "request show: staff name and title" grep -q 'پاسخ کارشناس: محمدعلی نوروزی فر (کارشناس فناوری اطلاعات)' "$T/show"
check "request show: Jalali date" grep -Eq '^14[0-9]{2}/[01][0-9]/[0-3][0-9] - [0-2][0-9]:[0-5][0-9]:[0-5][0-9]$' "$T/show"
check "applicant sees own request" sh -c "$C request show 10001 --as 09131111111 | grep -q 'متقاضی: شما'"
check "another applicant gets not-found" sh -c \
    "! $C request show 10001 --as 09132222222 2>$T/err && grep -q 'no such request' $T/err"
check "a missing request gets the same not-found" sh -c \
    "! $C request show 10999 --as 09132222222 2>$T/err2 && cmp -s $T/err $T/err2"
check "applicant follow-up" $C request reply 10001 --from 09131111111 --text 'مدارک'
check "status back to awaiting" sh -c "$C request show 10001 | grep -q 'وضعیت : در انتظار پاسخ'"
check "applicant cannot reopen" sh -c "! $C request reopen 10001 --by 09131111111 2>/dev/null"
check "another applicant cannot close" sh -c "! $C request close 10001 --by 09132222222 2>/dev/null"
A0=$(alerts "$T/good.ini")
check "staff close from another folder (-c)" sh -c \
    "cd $AWAY && $C request close 10001 --by 09133333333"
check "staff close from another folder queues its alert" \
    [ "$(alerts "$T/good.ini")" -eq $((A0 + 1)) ]
check "closed is final" sh -c "! $C request reply 10001 --from 09131111111 --text x 2>$T/err && grep -q closed $T/err"
check "staff reopen" $C request reopen 10001 --by 09133333333
A0=$(alerts "$T/good.ini")
check "escalate" $C request escalate 10001
# Issue 11: escalation keeps the department and marks the request.
check "escalated keeps its department, marked" sh -c \
    "$C request show 10001 >$T/esc && grep -q 'نوع درخواست : فناوری اطلاعات' $T/esc && grep -q 'ارجاع به رئیس : بله' $T/esc"
check "escalated: its department's staff still see it" sh -c \
    "$C request show 10001 --as 09133333333 | grep -q 'شماره رهگیری : 10001'"
check "escalate alerts the applicant and the head once" \
    [ "$(alerts "$T/good.ini")" -eq $((A0 + 2)) ]
check "request list" sh -c "$C request list --mobile 09131111111 | grep -q '^10001 '"
check "request list marks the escalated" sh -c \
    "$C request list --mobile 09131111111 | grep '^10001 ' | grep -q 'ارجاع‌شده به دفتر رئیس'"
check "the applicant closes their own request" sh -c \
    "$C request close 10001 --by 09131111111 && $C request show 10001 | grep -q 'وضعیت : بسته شده'"
check "... and staff reopen it" $C request reopen 10001 --by 09133333333
check "SQL in a title is stored as text" sh -c \
    "N=\$($C request new --from 09131111111 --dept 3 --title \"x'); DROP TABLE requests;--\" --text t) && $C request show \$N | grep -q 'DROP TABLE requests'"

# --- the two-working-day rule, run by the system ------------------------
# 10002 (above) awaits an answer: not overdue now, overdue two weeks on.
# Issue 11: the sweep escalates only in office hours, so "two weeks on" is
# 10:00 Tehran (UTC+03:30, no DST) of the first Saturday to Wednesday from
# 14 days on that the calendar does not call a holiday: sla sweep says on
# stderr when a time is outside office hours. OFF is that clock offset
# (from a shifted clock too: SMSDESK_CLOCK_OFFSET runs the whole script
# at another time of day).
office_offsets() { # days: offsets to 10:00 Tehran of the next Sat..Wed
	python3 -c '
import os, sys, time
from datetime import datetime, timedelta, timezone
real = time.time()
now = real + int(os.environ.get("SMSDESK_CLOCK_OFFSET", "0"))
tz = timezone(timedelta(hours=3, minutes=30))
base = datetime.fromtimestamp(now, tz) + timedelta(days=int(sys.argv[1]))
for k in range(21):
    d = (base + timedelta(days=k)).replace(hour=10, minute=0, second=0,
                                           microsecond=0)
    if d.weekday() in (5, 6, 0, 1, 2):
        print(int(d.timestamp() - real))' "$1"
}
# 23:00 Tehran of the day 14 days on: the sweep waits, says so.
NIGHT=$(python3 -c '
import os, time
from datetime import datetime, timedelta, timezone
real = time.time()
now = real + int(os.environ.get("SMSDESK_CLOCK_OFFSET", "0"))
tz = timezone(timedelta(hours=3, minutes=30))
d = (datetime.fromtimestamp(now, tz) + timedelta(days=14)).replace(
    hour=23, minute=0, second=0, microsecond=0)
print(int(d.timestamp() - real))')
check "sla sweep: nothing overdue yet" sh -c "[ \"\$($C sla sweep)\" = 'escalated 0' ]"
check "sla sweep two weeks on at 23:00 escalates nothing and says why" sh -c \
    "[ \"\$(SMSDESK_CLOCK_OFFSET=$NIGHT $C sla sweep 2>$T/err)\" = 'escalated 0' ] && grep -q 'outside office hours: overdue requests wait for 14' $T/err"
# The probe: the same calendar over an empty database.
printf '[db]\npath = %s/probe.db\n[sla]\nthursday = half\n' "$T" >"$T/probe.ini"
$BIN -c "$T/probe.ini" db migrate >/dev/null
OFF=""
for o in $(office_offsets 14); do
	SMSDESK_CLOCK_OFFSET=$o $BIN -c "$T/probe.ini" sla sweep \
	    >/dev/null 2>"$T/err"
	grep -q 'outside office hours' "$T/err" && continue
	OFF=$o
	break
done
check "a working day 14 to 35 days on (clock offset ${OFF:-none})" [ -n "$OFF" ]
check "sla sweep two weeks on, from another folder: 10002 escalated" sh -c \
    "cd $AWAY && [ \"\$(SMSDESK_CLOCK_OFFSET=$OFF $C sla sweep)\" = 'escalated 1' ]"
check "sla sweep: once only" sh -c \
    "[ \"\$(SMSDESK_CLOCK_OFFSET=$OFF $C sla sweep)\" = 'escalated 0' ]"
check "10002 is the head's office's too, in its department" sh -c \
    "$C request show 10002 | grep -q 'ارجاع به رئیس : بله' && ! $C request show 10002 | grep -q 'نوع درخواست : رئیس'"
# serve sweeps by itself, a second after start.
N3=$($C request new --from 09131111111 --dept 4 --title 'بدون پاسخ' --text t)
SMSDESK_CLOCK_OFFSET=$OFF $C serve --ready-file "$T/ready-sla" \
    2>"$T/serve-sla.log" &
SLA_PID=$!
i=0
while ! grep -q 'escalated overdue requests n=1' "$T/serve-sla.log" &&
    [ $i -lt 100 ]; do
	kill -0 $SLA_PID 2>/dev/null || break
	sleep 0.1
	i=$((i + 1))
done
kill -TERM $SLA_PID 2>/dev/null
wait $SLA_PID
check "serve escalates an overdue request by itself ($N3)" sh -c \
    "grep -q 'escalated overdue requests n=1' $T/serve-sla.log && $C request show $N3 | grep -q 'ارجاع به رئیس : بله'"

# --- issue 10: the holidays file, found from any folder -------------------
# Without -c, from another folder: the built-in defaults (the database in
# ./var there) find the bundled holidays file and the answer alerts.
(cd "$AWAY" && $BIN db migrate >/dev/null 2>&1 &&
	$BIN staff add --mobile 09133333333 --first a --last b --title t \
	    --dept 2 >/dev/null &&
	$BIN user add --mobile 09131111111 --first c --last d >/dev/null &&
	$BIN request new --from 09131111111 --dept 2 --title x --text y \
	    >/dev/null)
check "without -c from another folder: staff answer" sh -c \
    "cd $AWAY && $BIN request reply 10001 --from 09133333333 --text z"
check "without -c from another folder: its alert is queued" sh -c \
    "cd $AWAY && [ \$($BIN queue | awk '\$1 == \"alert\" { print \$2 }') -eq 1 ]"
# Relative paths in a config file are read from the file's folder: the
# same database as good.ini, and a copy of the holidays beside the file.
mkdir -p "$T/etc"
cp conf/holidays.txt "$T/etc/hol.txt"
printf '[db]\npath = ../var/smsdesk.db\n[sla]\nholidays_file = hol.txt\n' \
    >"$T/etc/rel.ini"
A0=$(alerts "$T/good.ini")
check "relative paths in a file: close as the head from another folder" \
    sh -c "cd $AWAY && $BIN -c ../../etc/rel.ini request close 10001 --by 09135555555"
check "relative paths in a file: the same database" sh -c \
    "$C request show 10001 | grep -q 'وضعیت : بسته شده'"
check "relative paths in a file: the close queued its alert" \
    [ "$(alerts "$T/good.ini")" -eq $((A0 + 1)) ]
# A holidays file that cannot be read: the command fails before it runs.
printf '[db]\npath = ../var/smsdesk.db\n[sla]\nholidays_file = nosuch.txt\n' \
    >"$T/etc/missing.ini"
check "unreadable holidays file: reopen refused, naming the file" sh -c \
    "cd $AWAY && ! $BIN -c $T/etc/missing.ini request reopen 10001 --by 09135555555 2>$T/err && grep -q '$T/etc/nosuch.txt' $T/err"
check "unreadable holidays file: nothing changed" sh -c \
    "$C request show 10001 | grep -q 'وضعیت : بسته شده'"
check "unreadable holidays file: sla sweep fails" sh -c \
    "! $BIN -c $T/etc/missing.ini sla sweep >/dev/null 2>&1"
check "config check reports an unreadable holidays file" sh -c \
    "! $BIN config check $T/etc/missing.ini 2>$T/err >/dev/null && grep -q 'nosuch.txt' $T/err"
$C request reopen 10001 --by 09135555555
# The built-in default looks in $SMSDESK_DATADIR before the bundled file.
mkdir -p "$T/data"
echo '1403/13/40' >"$T/data/holidays.txt"
check "SMSDESK_DATADIR's holidays.txt is read (a bad line there fails)" sh -c \
    "! SMSDESK_DATADIR=$T/data $C sla sweep 2>$T/err && grep -q '$T/data/holidays.txt:1' $T/err"

# --- issue 9: controls and bidi overrides never reach the terminal ------
RLO=$(printf '\342\200\256')
check "user add refuses a bidi override in a name, naming it" sh -c \
    "! $C user add --mobile 09138888888 --first محمد --last 'نوری$RLO' 2>$T/err && grep -q 'U+202E' $T/err"
N4=$($C request new --from 09131111111 --dept 2 \
    --title "$(printf 'عنوان\033[2J')" \
    --text "$(printf 'سلام\033[31m قرمز\007\r\nپاسخ کارشناس: جعلی\n%sevil' "$RLO")")
$C request show "$N4" >"$T/show4"
check "request show: no ESC, BEL or CR byte" \
    [ "$(tr -cd '\033\007\015' <"$T/show4" | wc -c)" -eq 0 ]
check "request show: no bidi override" sh -c "! grep -q '$RLO' $T/show4"
check "request show: the escape shown as <U+001B>" \
    grep -qF 'سلام<U+001B>[31m قرمز<U+0007>' "$T/show4"
check "request show: the applicant marked by role" \
    grep -qx 'متقاضی: تست تست' "$T/show4"
check "request show: a body line cannot pass for a staff answer" sh -c \
    "grep -qx '| پاسخ کارشناس: جعلی' $T/show4 && ! grep -q '^پاسخ کارشناس' $T/show4"
check "request list: the title without its escape" sh -c \
    "$C request list --mobile 09131111111 | grep -q '  عنوان\[2J$' && [ \$($C request list --mobile 09131111111 | tr -cd '\033' | wc -c) -eq 0 ]"

# --- the operator's outbox writes (core_out_add, core_out_retry) -----------
Q1=$($C queue add --to 09131111111 --text 'operator note')
check "queue add prints the row" sh -c "$C queue show $Q1 | grep -q '^text: operator note$'"
check "queue add --count 3 prints the range" sh -c \
    "$C queue add --to 09131111111 --text n --count 3 | grep -Eq '^[0-9]+\.\.[0-9]+$'"
check "queue retry of a queued message is refused" sh -c \
    "! $C queue retry $Q1 2>$T/err && grep -q 'still queued or submitted' $T/err"
check "queue retry of a missing message" sh -c \
    "! $C queue retry 999999 2>$T/err && grep -q 'no such message' $T/err"

# --- the daemon ---------------------------------------------------------
$C serve --ready-file "$T/ready" 2>"$T/serve.log" &
SERVE_PID=$!
i=0
while [ ! -f "$T/ready" ] && [ $i -lt 100 ]; do
	kill -0 $SERVE_PID 2>/dev/null || break
	sleep 0.1
	i=$((i + 1))
done
check "serve becomes ready" [ -f "$T/ready" ]
check "home page is the sign-in page with the seed's welcome (#13)" sh -c \
    "curl -sf http://127.0.0.1:$PORT/ | grep -q 'به سامانه مکاتبات'"
check "home page is right-to-left Persian" sh -c \
    "curl -sf http://127.0.0.1:$PORT/ | grep -q 'dir=\"rtl\"'"
check "healthz" sh -c "[ \"\$(curl -sf http://127.0.0.1:$PORT/healthz)\" = ok ]"
check "security headers" sh -c \
    "curl -sI http://127.0.0.1:$PORT/ | grep -qi '^x-content-type-options: nosniff'"
check "a POST without the form's CSRF token is refused (#13)" sh -c \
    "[ \$(curl -s -o /dev/null -w '%{http_code}' -X POST http://127.0.0.1:$PORT/) = 403 ]"
check "a method the page has not is refused" sh -c \
    "[ \$(curl -s -o /dev/null -w '%{http_code}' -X PUT http://127.0.0.1:$PORT/) = 405 ]"
check "unknown page is 404" sh -c \
    "[ \$(curl -s -o /dev/null -w '%{http_code}' http://127.0.0.1:$PORT/nope) = 404 ]"
check "log lines carry level and subsystem" grep -Eq 'Z info web: listening addr=127.0.0.1:' "$T/serve.log"
check "the database and its WAL are private (0600)" sh -c \
    "[ \$(stat -c %a $T/var/smsdesk.db) = 600 ] && [ \$(stat -c %a $T/var/smsdesk.db-wal) = 600 ] && [ \$(stat -c %a $T/var/smsdesk.db-shm) = 600 ]"
$C serve 2>"$T/serve2.log"
rc=$?
check "a second serve on the same database is refused" [ $rc -ne 0 ]
check "the refusal says why" grep -q "another smsdesk serve is running on this database.*pid=$SERVE_PID" "$T/serve2.log"
kill -TERM $SERVE_PID
wait $SERVE_PID
rc=$?
SERVE_PID=""
check "SIGTERM stops serve with exit 0" [ $rc -eq 0 ]
check "stop is logged" grep -q 'main: stopped rc=0' "$T/serve.log"
check "ready file removed" [ ! -f "$T/ready" ]
check "database intact after stop" sh -c "$C request show 10001 >/dev/null"

# Issue 11: Persian and Arabic-Indic digits and Arabic letters, as SMS
# reads them: tracking numbers, department codes, priorities.
$C request show 10001 >"$T/show-ascii"
check "request show ۱۰۰۰۱ (Persian digits)" sh -c \
    "$C request show ۱۰۰۰۱ >$T/show-fa && cmp -s $T/show-ascii $T/show-fa"
check "request show ١٠٠٠١ (Arabic-Indic digits)" sh -c \
    "$C request show ١٠٠٠١ | cmp -s $T/show-ascii -"
check "request show ۱۰۰x1 is refused" sh -c \
    "! $C request show ۱۰۰x1 2>$T/err && grep -q 'not a tracking number' $T/err"
check "request new --dept ۴ --priority «خيلي فوري» (Arabic letters)" sh -c \
    "N=\$($C request new --from ۰۹۱۳۱۱۱۱۱۱۱ --dept ۴ --priority 'خيلي فوري' --title t --text t) && $C request show \$N | grep -q 'اولویت : خیلی فوری'"
check "request new --priority خف, ض and خیلی‌فوری (ZWNJ)" sh -c \
    "N=\$($C request new --from 09131111111 --dept ٤ --priority خف --title t --text t) && $C request show \$N | grep -q 'اولویت : خیلی فوری' &&
     N=\$($C request new --from 09131111111 --dept 4 --priority ض --title t --text t) && $C request show \$N | grep -q 'اولویت : ضعیف' &&
     N=\$($C request new --from 09131111111 --dept 4 --priority 'خیلی‌فوری' --title t --text t) && $C request show \$N | grep -q 'اولویت : خیلی فوری'"
check "staff add --dept ۲،۵ (Persian digits and comma)" sh -c \
    "$C staff add --mobile 09136666666 --first a --last b --title t --dept ۲،۵ >/dev/null && $C staff list | grep 09136666666 | grep -q 'depts=2,5'"
check "queue show ۱" sh -c "$C queue show ۱ >/dev/null"

# --- issue 11: the holidays: list, import, suggest; serve re-reads them ----
# Their own database, and no holidays file: only what is imported counts.
mkdir -p "$T/hol"
printf '[db]\npath = %s/hol/smsdesk.db\n[web]\nlisten = 127.0.0.1:%s\n[sla]\nholidays_file =\n' \
    "$T" "$PORT" >"$T/hol.ini"
H="$BIN -c $T/hol.ini"
$H db migrate >/dev/null 2>&1
check "holidays suggest 1405: Nowruz exact, Eid al-Adha computed ('?')" sh -c \
    "$BIN holidays suggest 1405 >$T/sug && grep -q '^1405/01/02 نوروز' $T/sug && grep -q '^1405/03/06? عید سعید قربان' $T/sug"
check "holidays suggest takes Persian digits" sh -c \
    "$BIN holidays suggest ۱۴۰۶ | grep -q '^1406/01/01 نوروز'"
check "holidays suggest of a nonsense year is a usage error" sh -c \
    "$BIN holidays suggest 99 2>/dev/null; [ \$? -eq 2 ]"
check "holidays list: the bundled file's year when none is imported" sh -c \
    "$C holidays list 1405 >$T/list && grep -q 'conf/holidays.txt (not imported)' $T/list && grep -q '^1405/04/03 تاسوعای حسینی' $T/list && grep -q '^1405/12/29 ' $T/list"
check "holidays list of a year without holidays fails loudly" sh -c \
    "! $C holidays list 1410 2>$T/err >/dev/null && grep -q 'WARNING no holidays for 1410' $T/err"
check "sla sweep warns loudly with no holidays this year and next" sh -c \
    "$H sla sweep 2>$T/err >/dev/null && grep -q 'WARNING no holidays for year=1405' $T/err && grep -q 'WARNING no holidays for year=1406' $T/err"
# A file in Persian digits: config check accepts it; a bad line is named.
printf '# test\n۱۴۰۵/۰۲/۰۵ روز آزمون\n١٤٠٥/٠٢/٠٦? دیگری\n' >"$T/hol/fa.txt"
printf '[db]\npath = %s/hol/smsdesk.db\n[sla]\nholidays_file = fa.txt\n' "$T" \
    >"$T/hol/fa.ini"
check "config check accepts a holidays file in Persian digits" sh -c \
    "$BIN config check $T/hol/fa.ini | grep -q 'configuration OK'"
printf '1405/01/01 نوروز\n1405/07/31 نه\n' >"$T/hol/bad.txt"
printf '[sla]\nholidays_file = bad.txt\n' >"$T/hol/bad.ini"
check "config check names a holidays line that is not a date" sh -c \
    "! $BIN config check $T/hol/bad.ini 2>$T/err >/dev/null && grep -q 'bad.txt:2' $T/err"
check "holidays import refuses a bad file, storing nothing" sh -c \
    "! $H holidays import $T/hol/bad.txt 2>/dev/null && ! $H holidays list 1405 >/dev/null 2>&1"
# serve reads the table at start, and again on SIGHUP (or the next sweep).
$H serve --ready-file "$T/hol/ready" 2>"$T/hol/serve.log" &
SERVE_PID=$!
i=0
while [ ! -f "$T/hol/ready" ] && [ $i -lt 100 ]; do
	kill -0 $SERVE_PID 2>/dev/null || break
	sleep 0.1
	i=$((i + 1))
done
check "serve warns loudly at start with no holidays" sh -c \
    "grep -q 'warn calendar: WARNING no holidays for year=1405' $T/hol/serve.log"
check "holidays import from a Persian-digit file" sh -c \
    "$H holidays import $T/hol/fa.txt | grep -q 'imported 2 holidays for 1405'"
check "holidays list shows the imported year, marks kept" sh -c \
    "$H holidays list ۱۴۰۵ >$T/list && grep -q 'from the database' $T/list && grep -q '^1405/02/05 روز آزمون' $T/list && grep -q '^1405/02/06? دیگری' $T/list"
kill -HUP $SERVE_PID
i=0
while ! grep -q 'calendar: holidays table read' "$T/hol/serve.log" &&
    [ $i -lt 100 ]; do
	sleep 0.1
	i=$((i + 1))
done
check "serve re-reads the holidays table without a restart" sh -c \
    "grep -q 'calendar: holidays table read' $T/hol/serve.log && kill -0 $SERVE_PID"
check "after the re-read only the next year lacks holidays" sh -c \
    "[ \$(grep -c 'WARNING no holidays for year=1405' $T/hol/serve.log) -eq 1 ] && [ \$(grep -c 'WARNING no holidays for year=1406' $T/hol/serve.log) -eq 2 ]"
kill -TERM $SERVE_PID
wait $SERVE_PID
SERVE_PID=""
# Dates still marked '?' in this year or the next: sla sweep (and serve)
# say so until they are checked and imported without the mark.
mkdir -p "$T/hol2"
Y=$($H holidays list 2>&1 | grep -o '1[3-5][0-9][0-9]' | head -1) # this year
$BIN holidays suggest "$Y" | sed 's/?//' >"$T/hol2/both.txt"
$BIN holidays suggest $((Y + 1)) >>"$T/hol2/both.txt"
$BIN holidays suggest $((Y + 1)) | sed 's/?//' >"$T/hol2/next.txt"
printf '[db]\npath = %s/hol2/smsdesk.db\n[sla]\nholidays_file = both.txt\n' \
    "$T" >"$T/hol2/h.ini"
H2="$BIN -c $T/hol2/h.ini"
$H2 db migrate >/dev/null 2>&1
check "sla sweep names next year's dates still marked '?'" sh -c \
    "$H2 sla sweep 2>$T/err >/dev/null && grep -q \"warn calendar: year=$((Y + 1)) has [0-9]* of its [0-9]* holidays marked '?'\" $T/err && ! grep -q 'year=$Y has' $T/err"
check "checked and imported: no more '?' warning" sh -c \
    "$H2 holidays import $T/hol2/next.txt >/dev/null && $H2 sla sweep 2>$T/err >/dev/null && ! grep -q 'marked' $T/err"
check "sla sweep exits non-zero when it cannot open its database" sh -c \
    "printf '[db]\npath = $T/hol\n[sla]\nholidays_file =\n' >$T/hol/dir.ini && ! $BIN -c $T/hol/dir.ini sla sweep 2>/dev/null >/dev/null"

echo "$fails failures"
[ $fails -eq 0 ]
