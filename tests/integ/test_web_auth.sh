#!/bin/sh
# tests/integ/test_web_auth.sh: the web view's accounts over HTTP (issue
# 13). Starts 'smsdesk serve' without SMPP (no dispatcher sends, so each
# OTP row keeps its code for the client to read), behind a pretend proxy
# ([web] trusted_proxies = 127.0.0.1: each case sends its own
# X-Forwarded-For), with a 2 s request deadline and one hashing slot, and
# runs the libcurl client tests/web/test_web_auth.c against it. Then a
# burst of sign-ins against the one slot: some get the 503 page, none
# anything else.
set -u
. tests/integ/lib.sh
BIN=${BIN:-build/smsdesk}
WEB_TEST=${WEB_TEST:-$(dirname "$BIN")/tests/web/test_web_auth}
integ_begin webauth
need "$BIN" "build first (make)"
need "$WEB_TEST" "build $WEB_TEST first (make unit-bin)"

free_port || { echo "FAIL - no free port"; exit 1; }
cat >"$T/smsdesk.ini" <<INI
[db]
path = $T/smsdesk.db
[web]
listen = 127.0.0.1:$PORT
attachments_dir = $T/attachments
trusted_proxies = 127.0.0.1
request_deadline_s = 2
hash_workers = 1
threads = 4
per_ip_connections = 8
[otp]
per_addr_hour = 6
global_hour = 40
[smpp]
enabled = no
INI
serve_start "$T/smsdesk.ini" || exit 1

check "config defaults shows [web] user_types in Persian" \
    "$BIN config defaults | grep -q '^user_types = مهندس عضو,کاردان,مالک / متقاضی,کارمند سازمان'"

"$WEB_TEST" "http://127.0.0.1:$PORT" "$T/smsdesk.db"
rc=$?
check "the HTTP client's cases (tests/web/test_web_auth.c)" "[ $rc -eq 0 ]"

# Behind the (trusted) proxy: X-Forwarded-Proto https makes cookies Secure.
curl -s -D "$T/proxy.h" -o /dev/null -H "X-Forwarded-Proto: https" \
    "http://127.0.0.1:$PORT/"
check "behind a trusted proxy saying https: the cookie is Secure" \
    "grep -i '^Set-Cookie: sd_p=' $T/proxy.h | grep -q '; Secure'"
curl -s -D "$T/plain.h" -o /dev/null "http://127.0.0.1:$PORT/"
check "... and not over plain HTTP" \
    "! grep -i '^Set-Cookie: sd_p=' $T/plain.h | grep -q 'Secure'"

# A burst of sign-ins against one hashing slot: 6 at once, each a right
# password (the account signed up above), from 6 addresses. Fewer than
# per_ip_connections (8): the sockets all come from 127.0.0.1, and a
# connection the previous case closed may still be counted for a moment
# (CI once saw the 8th of a burst of 8 closed, "000").
J=0
PIDS=""
while [ $J -lt 6 ]; do
	(
		curl -s -c "$T/jar$J" -b "$T/jar$J" -o "$T/get$J" \
		    -H "X-Forwarded-For: 10.9.0.$J" "http://127.0.0.1:$PORT/"
		C=$(sed -n 's/.*name="csrf" value="\([0-9a-f]*\)".*/\1/p' "$T/get$J" | head -1)
		curl -s -c "$T/jar$J" -b "$T/jar$J" -o "$T/body$J" \
		    -D "$T/head$J" -w '%{http_code}\n' \
		    -H "X-Forwarded-For: 10.9.0.$J" \
		    --data-urlencode "csrf=$C" --data-urlencode "mobile=09131000001" \
		    --data-urlencode "password=correct horse battery" \
		    "http://127.0.0.1:$PORT/" >"$T/code$J"
	) &
	PIDS="$PIDS $!"
	J=$((J + 1))
done
# shellcheck disable=SC2086 # a list of pids
wait $PIDS
codes=$(cat "$T"/code* | sort | uniq -c | tr '\n' ' ')
echo "# sign-in burst: $codes"
check "a burst over the hashing slots: some answered 503 at once" \
    "grep -l '^503' $T/code* >/dev/null"
check "... with the Persian 'try again in a moment' page and Retry-After" \
    "f=\$(grep -l '^503' $T/code* | head -1); n=\${f#$T/code}; grep -q 'چند لحظه دیگر' $T/body\$n && grep -qi '^Retry-After:' $T/head\$n"
check "... the others signed in or asked for a code (303), nothing else" \
    "! grep -v -e '^503' -e '^303' $T/code*"
check "the server never logged a code or a password" \
    "! grep -q -e 'correct horse' -e 'password=' $T/serve.log"
check "the server is still up" "kill -0 $PID"
kill "$PID"
wait "$PID"
src=$?
PID=""
check "serve stopped cleanly, no sanitizer report (rc=$src)" \
    "[ $src -eq 0 ] && ! grep -q -e 'Sanitizer' -e 'runtime error' $T/serve.log"
[ $src -eq 0 ] || tail -40 "$T/serve.log"
[ $fails -eq 0 ] && echo "all ok" || echo "web auth: $fails failure(s)"
exit $fails
