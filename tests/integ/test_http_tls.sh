#!/bin/sh
# TLS of the HTTP SMS transport: verification is on by default. Against
# `openssl s_server -www` (any GET gets a 200 status page) with a fresh
# self-signed certificate, build/http-peer must: fail by default (unknown
# CA, temporary), succeed with ca_file naming that certificate, fail with
# a trusted certificate made out to another host name (host check), and
# succeed with tls_verify = no.
set -u
HTTP_PEER=${HTTP_PEER:-build/http-peer}
command -v openssl >/dev/null 2>&1 || { echo "missing openssl (apt-get install openssl)"; exit 1; }
[ -x "$HTTP_PEER" ] || { echo "missing $HTTP_PEER (make)"; exit 1; }
T=$(mktemp -d "${TMPDIR:-/tmp}/smsdesk-tls-XXXXXX")
S1=""
S2=""
cleanup() {
	for p in $S1 $S2; do
		kill "$p" 2>/dev/null
		wait "$p" 2>/dev/null
	done
	rm -rf "$T"
}
trap cleanup EXIT

cert() { # name, subjectAltName
	openssl req -x509 -newkey rsa:2048 -nodes -days 1 -subj "/CN=$1" \
	    -addext "subjectAltName=$2" -keyout "$T/$1.key" \
	    -out "$T/$1.pem" >/dev/null 2>&1
}
cert good IP:127.0.0.1 || { echo "openssl req failed"; exit 1; }
cert other DNS:other.example || { echo "openssl req failed"; exit 1; }

P=$((30000 + $(od -An -N2 -tu2 /dev/urandom | tr -d ' ') % 20000))
P2=$((P + 1))
openssl s_server -quiet -www -accept "127.0.0.1:$P" -cert "$T/good.pem" \
    -key "$T/good.key" >"$T/s1.log" 2>&1 </dev/null &
S1=$!
openssl s_server -quiet -www -accept "127.0.0.1:$P2" -cert "$T/other.pem" \
    -key "$T/other.key" >"$T/s2.log" 2>&1 </dev/null &
S2=$!
for port in $P $P2; do
	i=0
	until curl -sk -o /dev/null "https://127.0.0.1:$port/" || [ $i -ge 50 ]; do
		sleep 0.1
		i=$((i + 1))
	done
done

peer() { # output file, --set args...
	out=$1
	shift
	"$HTTP_PEER" --text "کد ۱۲۳۴۵۶" --timeout 20 --set retries=0 \
	    --set timeout_s=5 "$@" >"$T/$out" 2>&1
}
fails=0
check() { if eval "$2"; then echo "ok - $1"; else echo "FAIL - $1"; fails=$((fails + 1)); cat "$T/$3"; fi; }

peer default --set "url=https://127.0.0.1:$P/send?to={to}&text={text}"
check "by default an unknown CA is refused (temporary)" \
    "grep -q '^failed id=1 temporary=1 reason=.*certificate' $T/default" default
peer cafile --set "url=https://127.0.0.1:$P/send?to={to}&text={text}" \
    --set "ca_file=$T/good.pem"
check "ca_file makes that certificate trusted" \
    "grep -q '^accepted id=1 ' $T/cafile" cafile
peer host --set "url=https://127.0.0.1:$P2/send?to={to}&text={text}" \
    --set "ca_file=$T/other.pem"
check "a trusted certificate for another host is refused" \
    "grep -q '^failed id=1 temporary=1 reason=.*\(subject\|name\|match\)' $T/host" host
peer noverify --set "url=https://127.0.0.1:$P2/send?to={to}&text={text}" \
    --set tls_verify=no
check "tls_verify = no accepts it (and says so)" \
    "grep -q '^accepted id=1 ' $T/noverify && grep -q 'tls_verify is off' $T/noverify" noverify
exit $fails
