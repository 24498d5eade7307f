#!/bin/sh
# tests/integ/test_web_admin.sh: staff sign-in, disabled staff, the
# admin's staff pages and the head's overview over HTTP (issue #14).
# Adds the staff and three requests by the CLI, starts 'smsdesk serve'
# without SMPP (each OTP row keeps its code for the client to read) and
# runs the libcurl client tests/web/test_web_admin.c against it; then the
# CLI's staff disable / enable / edit on the same database.
set -u
. tests/integ/lib.sh
BIN=${BIN:-build/smsdesk}
WEB_TEST=${WEB_TEST:-$(dirname "$BIN")/tests/web/test_web_admin}
integ_begin webadmin
need "$BIN" "build first (make)"
need "$WEB_TEST" "build $WEB_TEST first (make unit-bin)"

free_port || { echo "FAIL - no free port"; exit 1; }
cat >"$T/smsdesk.ini" <<INI
[db]
path = $T/smsdesk.db
[web]
listen = 127.0.0.1:$PORT
base_url = http://127.0.0.1:$PORT
attachments_dir = $T/attachments
request_deadline_s = 5
threads = 4
[otp]
per_number_hour = 100
per_addr_hour = 200
global_hour = 400
[smpp]
enabled = no
INI
C="$BIN -c $T/smsdesk.ini"
$C db migrate >/dev/null 2>&1 || { echo "FAIL - db migrate"; exit 1; }
$C staff add --mobile 09120000001 --first مدیر --last سامانه --title مدیر --dept 2 --admin >/dev/null 2>&1 &&
$C staff add --mobile 09120000002 --first رئیس --last سازمان --title رئیس --dept 17 --head >/dev/null 2>&1 &&
$C staff add --mobile 09120000003 --first کارمند --last یک --title کارشناس --dept 2 >/dev/null 2>&1 &&
$C staff add --mobile 09120000004 --first کارمند --last دو --title کارشناس --dept 5 >/dev/null 2>&1 &&
$C user add --mobile 09130000009 --first متقاضی --last آزمون >/dev/null 2>&1 ||
	{ echo "FAIL - adding users"; exit 1; }
R1=$($C request new --from 09130000009 --dept 2 --priority normal --title '=HYPERLINK("http://x"),بد' --text 'متن' 2>/dev/null | grep -o '[0-9]\{5,\}' | head -1)
R2=$($C request new --from 09130000009 --dept 2 --priority urgent --title 'پروانه ساختمان' --text 'متن' 2>/dev/null | grep -o '[0-9]\{5,\}' | head -1)
R3=$($C request new --from 09130000009 --dept 5 --priority low --title 'گاز' --text 'متن' 2>/dev/null | grep -o '[0-9]\{5,\}' | head -1)
check "three requests by the CLI ($R1 $R2 $R3)" "[ -n '$R1' ] && [ -n '$R2' ] && [ -n '$R3' ]"
check "one answered by staff member 1" \
    "$C request reply $R2 --from 09120000003 --text 'پاسخ' >/dev/null 2>&1"
check "one escalated" "$C request escalate $R3 >/dev/null 2>&1"

serve_start "$T/smsdesk.ini" || exit 1

"$WEB_TEST" "http://127.0.0.1:$PORT" "$T/smsdesk.db"
rc=$?
check "the HTTP client's cases (tests/web/test_web_admin.c)" "[ $rc -eq 0 ]"
check "the server never logged a password" \
    "! grep -q -e 'staff passphrase' -e 'password=' $T/serve.log"

# The CLI: the same rules as the pages.
check "staff disable (CLI)" "$C staff disable 09120000003 >/dev/null 2>&1"
check "... stored, sessions gone" \
    "[ \"\$(sqlite3 $T/smsdesk.db \"SELECT disabled || '/' || (SELECT count(*) FROM web_sessions WHERE user_id = users.id) FROM users WHERE mobile = '+989120000003'\")\" = 1/0 ]"
check "staff list shows it" "$C staff list | grep 09120000003 | grep -q disabled"
check "staff enable (CLI)" "$C staff enable 09120000003 >/dev/null 2>&1"
check "staff edit (CLI): title and departments" \
    "$C staff edit 09120000003 --title 'کارشناس ارشد' --dept 2,3 >/dev/null 2>&1"
check "... stored" \
    "[ \"\$(sqlite3 $T/smsdesk.db \"SELECT title || '/' || (SELECT group_concat(dept_code) FROM staff_departments WHERE user_id = users.id) FROM users WHERE mobile = '+989120000003'\")\" = 'کارشناس ارشد/2,3' ]"
check "an applicant cannot be disabled as staff" \
    "! $C staff disable 09130000009 >/dev/null 2>&1"
check "audit rows of each change" \
    "[ \"\$(sqlite3 $T/smsdesk.db \"SELECT count(*) FROM audit WHERE action IN ('user.disable','user.enable','user.edit')\")\" -ge 5 ]"

check "the server is still up" "kill -0 $PID"
kill "$PID"
wait "$PID"
src=$?
PID=""
check "serve stopped cleanly, no sanitizer report (rc=$src)" \
    "[ $src -eq 0 ] && ! grep -q -e 'Sanitizer' -e 'runtime error' $T/serve.log"
[ $src -eq 0 ] || tail -40 "$T/serve.log"
[ $fails -eq 0 ] && echo "all ok" || echo "web admin: $fails failure(s)"
exit $fails
