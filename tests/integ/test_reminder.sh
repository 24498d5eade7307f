#!/bin/sh
# tests/integ/test_reminder.sh: the one-working-day reminder digest of
# issue #14 through 'smsdesk serve', with its clock moved by
# SMSDESK_CLOCK_OFFSET. Two requests to department 2 are sent on
# Wednesday 1405/09/11 at 16:00 Tehran (deadline: Sunday 14:30; one
# working day before it: Saturday's 14:30 close). serve run on Saturday at
# 14:00 sends nothing; run on Sunday at 07:31 each of the department's two
# staff members gets one SMS listing both; serve restarted a few minutes
# later sends nothing again.
set -u
. tests/integ/lib.sh
BIN=${BIN:-build/smsdesk}
integ_begin remind
need "$BIN" "build first (make)"

free_port || { echo "FAIL - no free port"; exit 1; }
cat >"$T/smsdesk.ini" <<INI
[db]
path = $T/smsdesk.db
[web]
listen = 127.0.0.1:$PORT
base_url = https://desk.example
attachments_dir = $T/attachments
[sla]
holidays_file =
[smpp]
enabled = no
INI
C="$BIN -c $T/smsdesk.ini"
# 2026-12-02 07:00 UTC is Wednesday 1405/09/11 10:30 Tehran.
WED=1796194800
at() { # UTC seconds -> the offset that makes now that moment
	echo $(($1 - $(date +%s)))
}
SENT=$((WED + 5 * 3600 + 1800))                # Wednesday 16:00
SAT=$((WED + 3 * 86400 + 3 * 3600 + 1800))     # Saturday 14:00
SUN=$((WED + 4 * 86400 - 3 * 3600 + 60))       # Sunday 07:31
$C db migrate >/dev/null 2>&1 || { echo "FAIL - db migrate"; exit 1; }
$C staff add --mobile 09120000003 --first کارمند --last یک --title کارشناس --dept 2 >/dev/null 2>&1 &&
$C staff add --mobile 09120000004 --first کارمند --last دو --title کارشناس --dept 2 >/dev/null 2>&1 &&
$C staff add --mobile 09120000005 --first کارمند --last سه --title کارشناس --dept 5 >/dev/null 2>&1 &&
$C user add --mobile 09130000009 --first متقاضی --last آزمون >/dev/null 2>&1 ||
	{ echo "FAIL - adding users"; exit 1; }
for title in 'پروانه ساختمان' 'تمدید عضویت'; do
	SMSDESK_CLOCK_OFFSET=$(at $SENT) $C request new --from 09130000009 \
	    --dept 2 --priority normal --title "$title" --text 'متن' >/dev/null 2>&1 ||
		{ echo "FAIL - request new"; exit 1; }
done

reminders() { # SMS with the reminder to department 2's staff
	sqlite3 "$T/smsdesk.db" "SELECT count(*) FROM outbox WHERE kind = 1 AND destination IN ('+989120000003', '+989120000004') AND body LIKE '%یادآوری%'"
}
others() { # anything to department 5's member
	sqlite3 "$T/smsdesk.db" "SELECT count(*) FROM outbox WHERE destination = '+989120000005'"
}

run_serve() { # offset: start serve with its clock moved
	rm -f "$T/ready"
	SMSDESK_CLOCK_OFFSET=$1 "$BIN" -c "$T/smsdesk.ini" serve --ready-file "$T/ready" >>"$T/serve.log" 2>&1 &
	PID=$!
	if ! wait_until 150 test -s "$T/ready"; then
		echo "FAIL - serve did not start"
		cat "$T/serve.log"
		exit 1
	fi
}

run_serve "$(at $SAT)"
sleep 2.5
check "Saturday 14:00 (before the last working day): no reminder" "[ \$(reminders) -eq 0 ]"
stop "$PID"
PID=""

run_serve "$(at $SUN)"
wait_until 50 sh -c "[ \$(sqlite3 '$T/smsdesk.db' \"SELECT count(*) FROM outbox WHERE kind = 1 AND body LIKE '%یادآوری%'\") -ge 2 ]"
sleep 1
check "Sunday 07:31: one digest to each staff member of department 2" "[ \$(reminders) -eq 2 ]"
check "... listing both requests" \
    "[ \$(sqlite3 $T/smsdesk.db \"SELECT count(*) FROM outbox WHERE destination = '+989120000003' AND body LIKE '%10001 %' AND body LIKE '%10002 %'\") -eq 1 ]"
check "... nothing to another department's staff" "[ \$(others) -eq 0 ]"
check "... the requests marked reminded" \
    "[ \$(sqlite3 $T/smsdesk.db 'SELECT count(*) FROM requests WHERE reminded = waiting_since AND reminded > 0') -eq 2 ]"
stop "$PID"
PID=""

run_serve "$(at $((SUN + 300)))"
sleep 2.5
check "serve restarted a few minutes later: nothing sent twice" "[ \$(reminders) -eq 2 ]"
check "sla sweep by hand: nothing either" \
    "SMSDESK_CLOCK_OFFSET=$(at $((SUN + 600))) $C sla sweep >/dev/null 2>&1 && [ \$(reminders) -eq 2 ]"
check "the server is still up" "kill -0 $PID"
kill "$PID"
wait "$PID"
src=$?
PID=""
check "serve stopped cleanly, no sanitizer report (rc=$src)" \
    "[ $src -eq 0 ] && ! grep -q -e 'Sanitizer' -e 'runtime error' $T/serve.log"
[ $fails -eq 0 ] && echo "all ok" || echo "reminder: $fails failure(s)"
exit $fails
