#!/bin/sh
# tests/integ/test_web_tls.sh: the web view over TLS ([web] tls_cert,
# tls_key; libmicrohttpd with GnuTLS), with a self-signed certificate made
# here by openssl: HTTPS answers with the sign-in page and a Secure
# cookie, plain HTTP on the same port gets no page, and a missing key
# file stops serve at start with the reason.
set -u
. tests/integ/lib.sh
BIN=${BIN:-build/smsdesk}
integ_begin webtls
need "$BIN" "build first (make)"
command -v openssl >/dev/null || { echo "ok - # SKIP no openssl"; exit 0; }

openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj "/CN=127.0.0.1" \
    -keyout "$T/key.pem" -out "$T/cert.pem" >/dev/null 2>&1 ||
	{ echo "FAIL - openssl could not make a certificate"; exit 1; }
free_port || { echo "FAIL - no free port"; exit 1; }
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
serve_start "$T/smsdesk.ini" || exit 1
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
