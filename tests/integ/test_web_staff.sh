#!/bin/sh
# tests/integ/test_web_staff.sh: the staff request page and its actions
# over HTTP (issue #14). Adds an applicant, two staff members of
# department 2 and one of department 5 with the CLI (`smsdesk user add`,
# `smsdesk staff add`) and a request of the applicant in department 2
# (`smsdesk request new`), starts 'smsdesk serve' without SMPP (no
# dispatcher sends, so each OTP row keeps its code for the client to
# read) behind a pretend proxy (each browser its own X-Forwarded-For),
# and runs the libcurl client tests/web/test_web_staff.c against it.
set -u
. tests/integ/lib.sh
BIN=${BIN:-build/smsdesk}
WEB_STAFF_TEST=${WEB_STAFF_TEST:-$(dirname "$BIN")/tests/web/test_web_staff}
integ_begin webstaff
need "$BIN" "build first (make)"
need "$WEB_STAFF_TEST" "build $WEB_STAFF_TEST first (make unit-bin)"

free_port || { echo "FAIL - no free port"; exit 1; }
cat >"$T/smsdesk.ini" <<INI
[db]
path = $T/smsdesk.db
[web]
listen = 127.0.0.1:$PORT
attachments_dir = $T/attachments
trusted_proxies = 127.0.0.1
request_deadline_s = 5
threads = 4
[smpp]
enabled = no
INI
C="$BIN -c $T/smsdesk.ini"
$C db migrate >"$T/cli.log" 2>&1
check "user add: the applicant" \
    "$C user add --mobile 09121000001 --first علی --last رضایی >>$T/cli.log 2>&1"
check "staff add: two of department 2, one of department 5, the head" \
    "$C staff add --mobile 09121000002 --first مریم --last احمدی --title 'کارشناس فناوری' --dept 2 >>$T/cli.log 2>&1 &&
     $C staff add --mobile 09121000003 --first سارا --last محمدی --title 'کارشناس فناوری' --dept 2 >>$T/cli.log 2>&1 &&
     $C staff add --mobile 09121000004 --first رضا --last کریمی --title 'کارشناس بازرسی گاز' --dept 5 >>$T/cli.log 2>&1 &&
     $C staff add --mobile 09121000005 --first حسین --last نوری --title 'رئیس سازمان' --dept 17 --head >>$T/cli.log 2>&1"
TRACKING=$($C request new --from 09121000001 --dept 2 --priority N \
    --title "مشکل ورود" --text "سلام، نمی‌توانم وارد شوم" 2>>"$T/cli.log" | tail -1)
check "request new: a request in department 2 ($TRACKING)" \
    "[ -n '$TRACKING' ] && [ '$TRACKING' -gt 10000 ] 2>/dev/null"

serve_start "$T/smsdesk.ini" || exit 1

timeout 300 "$WEB_STAFF_TEST" "http://127.0.0.1:$PORT" "$T/smsdesk.db" "$TRACKING"
rc=$?
check "the HTTP client's cases (tests/web/test_web_staff.c)" "[ $rc -eq 0 ]"
check "no attachment left half written" \
    "! ls $T/attachments 2>/dev/null | grep -q -e '^\\.' -e 'tmp'"
check "the server never logged a note's text" "! grep -q 'NOTE-7731' $T/serve.log"
check "the server is still up" "kill -0 $PID"
kill "$PID"
wait "$PID"
src=$?
PID=""
check "serve stopped cleanly, no sanitizer report (rc=$src)" \
    "[ $src -eq 0 ] && ! grep -q -e 'Sanitizer' -e 'runtime error' $T/serve.log"
[ $src -eq 0 ] || tail -40 "$T/serve.log"
[ $fails -eq 0 ] && echo "all ok" || echo "web staff: $fails failure(s)"
exit $fails
