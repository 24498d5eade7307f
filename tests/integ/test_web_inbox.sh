#!/bin/sh
# tests/integ/test_web_inbox.sh: the staff inbox over HTTP (issue #14).
# Starts 'smsdesk serve' without SMPP (no dispatcher sends, so each OTP
# row keeps its code for the client to read) and runs the libcurl client
# tests/web/test_web_inbox.c against it; the client opens requests with
# this smsdesk's `request new` on the same database.
set -u
. tests/integ/lib.sh
BIN=${BIN:-build/smsdesk}
WEB_TEST=${WEB_TEST:-$(dirname "$BIN")/tests/web/test_web_inbox}
integ_begin webinbox
need "$BIN" "build first (make)"
need "$WEB_TEST" "build $WEB_TEST first (make unit-bin)"

free_port || { echo "FAIL - no free port"; exit 1; }
cat >"$T/smsdesk.ini" <<INI
[db]
path = $T/smsdesk.db
[web]
listen = 127.0.0.1:$PORT
attachments_dir = $T/attachments
threads = 4
[otp]
per_addr_hour = 100
global_hour = 400
[smpp]
enabled = no
INI
serve_start "$T/smsdesk.ini" || exit 1

"$WEB_TEST" "http://127.0.0.1:$PORT" "$T/smsdesk.db" "$BIN" "$T/smsdesk.ini"
rc=$?
check "the HTTP client's cases (tests/web/test_web_inbox.c)" "[ $rc -eq 0 ]"
check "the server is still up" "kill -0 $PID"
kill "$PID"
wait "$PID"
src=$?
PID=""
check "serve stopped cleanly, no sanitizer report (rc=$src)" \
    "[ $src -eq 0 ] && ! grep -q -e 'Sanitizer' -e 'runtime error' $T/serve.log"
[ $src -eq 0 ] || tail -40 "$T/serve.log"
[ $fails -eq 0 ] && echo "all ok" || echo "web inbox: $fails failure(s)"
exit $fails
