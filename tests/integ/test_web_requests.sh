#!/bin/sh
# tests/integ/test_web_requests.sh: the request pages over HTTP (issue #13).
# Starts 'smsdesk serve' (web only, [web] max_file_mb = 1 so an over-size
# file is cheap) and runs the libcurl client tests/integ/web_req.c against
# it, which also opens the database to make users and sessions.
set -u
. tests/integ/lib.sh
BIN=${BIN:-build/smsdesk}
WEB_REQ=${WEB_REQ:-build/web-req-test}
integ_begin webreq
need "$BIN" "build first (make)"
need "$WEB_REQ" "build $WEB_REQ first (make unit-bin)"

free_port || { echo "FAIL - no free port"; exit 1; }
cat >"$T/smsdesk.ini" <<INI
[db]
path = $T/smsdesk.db
[web]
listen = 127.0.0.1:$PORT
base_url = http://127.0.0.1:$PORT
attachments_dir = $T/attachments
max_file_mb = 1
[smpp]
enabled = no
INI
# What a crash mid-upload leaves behind: swept when serve starts.
mkdir -p "$T/attachments"
echo half >"$T/attachments/.part-0123456789abcdef0123456789abcdef"
serve_start "$T/smsdesk.ini" || exit 1
fails=0
if [ -e "$T/attachments/.part-0123456789abcdef0123456789abcdef" ]; then
	echo "FAIL - a crash's temporary upload is swept at start"
	fails=1
else
	echo "ok - a crash's temporary upload is swept at start"
fi
"$WEB_REQ" "http://127.0.0.1:$PORT" "$T/smsdesk.db" "$T/attachments"
rc=$?
[ $fails -eq 0 ] || rc=1
# Stop serve and read its log: a sanitizer's report (ASan build) fails.
kill "$PID" 2>/dev/null
i=0
while kill -0 "$PID" 2>/dev/null && [ $i -lt 100 ]; do
	sleep 0.1
	i=$((i + 1))
done
wait "$PID" 2>/dev/null
PID=""
if grep -q "Sanitizer" "$T/serve.log"; then
	echo "FAIL - serve: a sanitizer report"
	rc=1
fi
if [ $rc -ne 0 ]; then
	echo "--- serve.log (last 60 lines)"
	tail -n 60 "$T/serve.log"
fi
exit $rc
