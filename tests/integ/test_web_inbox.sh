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
T=$(mktemp -d "${TMPDIR:-/tmp}/smsdesk-webinbox-XXXXXX")
PID=""
cleanup() {
	stop "$PID"
	rm -rf "$T"
}
trap cleanup EXIT
trap 'exit 130' INT TERM
fails=0
check() { if eval "$2"; then echo "ok - $1"; else echo "FAIL - $1"; fails=$((fails + 1)); fi; }
[ -x "$BIN" ] || { echo "FAIL - build first (make)"; exit 1; }
[ -x "$WEB_TEST" ] || { echo "FAIL - build $WEB_TEST first (make unit-bin)"; exit 1; }

PORT=""
for i in 1 2 3 4 5 6 7 8 9 10; do
	p=$((20000 + $(od -An -N2 -tu2 /dev/urandom | tr -d ' ') % 20000))
	if ! curl -s -o /dev/null --max-time 1 "http://127.0.0.1:$p/"; then
		PORT=$p
		break
	fi
done
[ -n "$PORT" ] || { echo "FAIL - no free port"; exit 1; }
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
"$BIN" -c "$T/smsdesk.ini" serve --ready-file "$T/ready" >"$T/serve.log" 2>&1 &
PID=$!
i=0
while [ ! -s "$T/ready" ]; do
	if ! kill -0 "$PID" 2>/dev/null || [ $i -ge 150 ]; then
		echo "FAIL - serve did not start"
		cat "$T/serve.log"
		exit 1
	fi
	sleep 0.1
	i=$((i + 1))
done

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
