#!/bin/sh
# Interoperability of the HTTP SMS transport (smsc/http.c) with a real
# Kannel: bearerbox with an smsc group of type "fake", Kannel's fakesmsc
# as that SMSC, and smsbox with a sendsms-user (Debian kannel and
# kannel-extras). build/http-peer sends a Persian OTP through
# cgi-bin/sendsms (charset=UTF-8, coding=2), as the default [http_sms]
# example does; the test checks that fakesmsc received it as UCS-2 and
# that it decodes, byte for byte, to the text sent; then that Kannel's
# delivery report came back on dlr-url, carrying the message's secret
# token, and smsc_http_parse_receipt() read it (id 1, state 2 =
# DELIVERED).
#
# fakesmsc prints each message it receives as
#   Got message N: <SENDER RECEIVER ucs-2 DATA>
# where DATA is the UTF-16BE octets URL-encoded by Kannel (space as '+').
set -u
. tests/integ/kannel.sh
HTTP_PEER=${HTTP_PEER:-build/http-peer}
BB=/usr/sbin/bearerbox
SB=/usr/sbin/smsbox
FAKE=/usr/lib/kannel/test/fakesmsc
for b in "$BB" "$SB"; do
	[ -x "$b" ] || { echo "missing $b (apt-get install kannel)"; exit 1; }
done
[ -x "$FAKE" ] || { echo "missing $FAKE (apt-get install kannel-extras)"; exit 1; }
[ -x "$HTTP_PEER" ] || { echo "missing $HTTP_PEER (make)"; exit 1; }

TEXT='کد ورود شما: ۱۲۳۴۵۶ — سامانه مکاتبات'
TO=+989131111111
PASS=Pw-7f3a9q # sendsms password: must never reach a log line
T=$(mktemp -d "${TMPDIR:-/tmp}/smsdesk-khttp-XXXXXX")
BPID=""
SPID=""
FPID=""
cleanup() {
	stop "$FPID"
	stop "$SPID"
	stop "$BPID"
	rm -rf "$T"
}
trap cleanup EXIT


# Four unusual ports in a row: admin, smsbox, fake SMSC, sendsms.
free_ports 4 || { echo "FAIL - no 4 free ports in a row"; exit 1; }
ADMIN=$P SMSBOX=$((P + 1)) FAKEP=$((P + 2)) SEND=$((P + 3))

cat >"$T/kannel.conf" <<EOF
group = core
admin-port = $ADMIN
admin-interface = 127.0.0.1
admin-password = adm-$P
smsbox-port = $SMSBOX
smsbox-interface = 127.0.0.1
box-allow-ip = 127.0.0.1
log-file = "$T/bearerbox.log"
log-level = 0
dlr-storage = internal

group = smsc
smsc = fake
smsc-id = fake
host = 127.0.0.1
port = $FAKEP
our-host = 127.0.0.1
connect-allow-ip = 127.0.0.1

group = smsbox
bearerbox-host = 127.0.0.1
bearerbox-port = $SMSBOX
sendsms-port = $SEND
sendsms-interface = 127.0.0.1
log-file = "$T/smsbox.log"
log-level = 0

group = sendsms-user
username = smsdesk
password = $PASS
EOF

kannel_start "$T/kannel.conf" "$T" "$SEND" "$FAKEP" || exit 1

URL="http://127.0.0.1:$SEND/cgi-bin/sendsms?username=smsdesk&password=$PASS"
URL="$URL&from={from}&to={to}&text={text}&charset=UTF-8&coding=2"
URL="$URL&dlr-mask=3&dlr-url={receipt_url}"
"$HTTP_PEER" -v --set "url=$URL" --set success_status=202 \
    --set success_body=Accepted --set from=3000 --set timeout_s=10 \
    --to "$TO" --text "$TEXT" --receipts --listen 0 \
    --expect-receipts 1 --expect-state 2 --timeout 40 \
    >"$T/peer.out" 2>"$T/peer.err"
prc=$?
# fakesmsc prints what it received; give it a moment if the DLR raced.
wait_until 50 grep -q "Got message 1:" "$T/fake.out"

cat "$T/peer.out"
grep "Got message" "$T/fake.out"
fails=0
check() { if eval "$2"; then echo "ok - $1"; else echo "FAIL - $1"; fails=$((fails + 1)); fi; }
check "http-peer met its expectations" "[ $prc -eq 0 ]"
check "smsbox accepted the OTP (202)" "grep -q '^accepted id=1 msgid=http-1\$' $T/peer.out"
check "fakesmsc received exactly one message" \
    "[ \$(grep -c 'Got message' $T/fake.out) -eq 1 ]"
check "it came as UCS-2 from 3000 to $TO, the text intact byte for byte" \
    "TEXT='$TEXT' TO='$TO' python3 - $T/fake.out <<'PY'
import os, re, sys, urllib.parse
want = os.environb[b'TEXT']
line = open(sys.argv[1], 'rb').read()
m = re.search(rb'Got message 1: <(\S+) (\S+) (\S+) (.*)>', line)
if not m:
    sys.exit('no message line')
frm, to, typ, data = m.groups()
got = urllib.parse.unquote_to_bytes(data.replace(b'+', b' '))
exp = want.decode('utf-8').encode('utf-16-be')
print('  fakesmsc: type=%s %d octets: %s' % (typ.decode(), len(got), got.hex()))
print('  expected:             %d octets: %s' % (len(exp), exp.hex()))
ok = (frm == b'3000' and to == os.environb[b'TO'] and typ == b'ucs-2'
      and got == exp and got.decode('utf-16-be').encode('utf-8') == want)
sys.exit(0 if ok else 1)
PY"
check "Kannel's DLR reached receipt_path with the message's secret (id=1 state=2)" \
    "grep -q '^receipt id=1 state=2 token=ok\$' $T/peer.out"
check "no callback was refused" "grep -q ' bad_callbacks=0 ' $T/peer.out"
check "the sendsms password never reached a log line" \
    "! grep -q -- '$PASS' $T/peer.err $T/peer.out"
check "the OTP text never reached a log line" \
    "! grep -q '۱۲۳۴۵۶' $T/peer.err"
[ $fails -eq 0 ] || {
	tail -n 20 "$T/peer.err"
	tail -n 20 "$T/fake.out"
	grep -E "ERROR|WARNING|sendsms|DLR" "$T/sb.out" | tail -n 20
}
exit $fails
