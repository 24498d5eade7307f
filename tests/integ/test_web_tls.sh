#!/bin/sh
# tests/integ/test_web_tls.sh: the web view over TLS ([web] tls_cert,
# tls_key; libmicrohttpd with GnuTLS), with a self-signed certificate made
# here by openssl: HTTPS answers with the sign-in page and a Secure
# cookie, plain HTTP on the same port gets no page, and a missing key
# file stops serve at start with the reason.
set -u
BIN=${BIN:-build/smsdesk}
T=$(mktemp -d "${TMPDIR:-/tmp}/smsdesk-webtls-XXXXXX")
PID=""
cleanup() {
	if [ -n "$PID" ]; then
		kill "$PID" 2>/dev/null
		wait "$PID" 2>/dev/null
	fi
	rm -rf "$T"
}
trap cleanup EXIT
trap 'exit 130' INT TERM
fails=0
check() { if eval "$2"; then echo "ok - $1"; else echo "FAIL - $1"; fails=$((fails + 1)); fi; }
[ -x "$BIN" ] || { echo "FAIL - build first (make)"; exit 1; }
command -v openssl >/dev/null || { echo "ok - # SKIP no openssl"; exit 0; }

openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj "/CN=127.0.0.1" \
    -keyout "$T/key.pem" -out "$T/cert.pem" >/dev/null 2>&1 ||
	{ echo "FAIL - openssl could not make a certificate"; exit 1; }
PORT=""
for i in 1 2 3 4 5 6 7 8 9 10; do
	p=$((20000 + $(od -An -N2 -tu2 /dev/urandom | tr -d ' ') % 20000))
	if ! curl -s -o /dev/null --max-time 1 "http://127.0.0.1:$p/"; then
		PORT=$p
		break
	fi
done
[ -n "$PORT" ] || { echo "FAIL - no free port"; exit 1; }
conf() {
	cat <<INI
[db]
path = $T/smsdesk.db
[web]
listen = 127.0.0.1:$PORT
attachments_dir = $T/attachments
tls_cert = $T/cert.pem
tls_key = $1
[smpp]
enabled = no
INI
}
conf "$T/nokey.pem" >"$T/bad.ini"
"$BIN" -c "$T/bad.ini" serve --ready-file "$T/ready0" >"$T/bad.log" 2>&1
check "a missing key file: serve refuses to start, naming it" \
    "[ $? -ne 0 ] && grep -q 'nokey.pem' $T/bad.log"

conf "$T/key.pem" >"$T/smsdesk.ini"
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
code=$(curl -s --cacert "$T/cert.pem" -D "$T/h" -o "$T/body" -w '%{http_code}' \
    "https://127.0.0.1:$PORT/")
check "HTTPS with the certificate: the sign-in page" \
    "[ '$code' = 200 ] && grep -q 'به سامانه مکاتبات' $T/body"
check "... its cookie is Secure" \
    "grep -i '^Set-Cookie: sd_p=' $T/h | grep -q '; Secure'"
check "plain HTTP on the TLS port gets no page" \
    "! curl -s --max-time 3 http://127.0.0.1:$PORT/ | grep -q 'html'"
check "serve logs tls=yes" "grep -q 'tls=yes' $T/serve.log"
[ $fails -eq 0 ] && echo "all ok" || echo "web tls: $fails failure(s)"
exit $fails
