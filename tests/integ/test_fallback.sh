#!/bin/sh
# The HTTP fallback route end to end (issue #4): smsdesk serve with its
# SMPP link down and [http_sms] pointing at a real Kannel (bearerbox,
# smsbox with a sendsms-user, Kannel's fakesmsc as the SMSC). After
# fallback_after_s an OTP issued with `smsdesk otp send` goes over HTTP
# and fakesmsc receives it as UCS-2, byte for byte the text queued; the
# delivery report comes back on /sms/dlr with the row's secret and marks
# the row delivered. An alert (not a fallback kind) waits. Forged
# receipts (issue #9: a queued row by its id, a wrong or missing secret)
# get 403, a log line, and change nothing. Then the SMSC simulator comes up on
# the SMPP port: the alert and the next OTP go over SMPP, none over HTTP.
set -u
. tests/integ/kannel.sh
BIN=${BIN:-build/smsdesk}
SIM=${SIM:-build/smsdesk-smsc-sim}
BB=/usr/sbin/bearerbox
SB=/usr/sbin/smsbox
FAKE=/usr/lib/kannel/test/fakesmsc
for b in "$BB" "$SB"; do
	need "$b" "missing $b (apt-get install kannel)"
done
need "$FAKE" "missing $FAKE (apt-get install kannel-extras)"
need "$BIN" "build first (make)"
need "$SIM" "build first (make)"

integ_begin fallback
BPID="" SPID="" FPID="" DPID="" MPID=""
stop_all() { # at exit (integ_end): serve, the simulator, then Kannel
	stop "$DPID"
	stop "$MPID"
	stop "$FPID"
	stop "$SPID"
	stop "$BPID"
}
INTEG_CLEANUP=stop_all

# Seven unusual ports in a row: Kannel admin, smsbox, fake SMSC, sendsms;
# our web view; the SMPP port (nobody listens there at first); the
# simulator's HTTP control.
free_ports 7 || { echo "FAIL - no 7 free ports in a row"; exit 1; }
ADMIN=$P SMSBOX=$((P + 1)) FAKEP=$((P + 2)) SEND=$((P + 3))
WEB=$((P + 4)) SMPP=$((P + 5)) SIMHTTP=$((P + 6))
PASS=Fb-29xk

cat >"$T/kannel.conf" <<EOF
group = core
admin-port = $ADMIN
admin-interface = 127.0.0.1
admin-password = adm-$P
smsbox-port = $SMSBOX
smsbox-interface = 127.0.0.1
box-allow-ip = 127.0.0.1
log-file = "$T/bearerbox.log"
log-level = 1
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
log-level = 1

group = sendsms-user
username = smsdesk
password = $PASS
EOF
kannel_start "$T/kannel.conf" "$T" "$SEND" "$FAKEP" || exit 1

cat >"$T/smsdesk.ini" <<EOF
[db]
path = $T/desk.db
[web]
listen = 127.0.0.1:$WEB
base_url = http://127.0.0.1:$WEB
[smpp]
port = $SMPP
max_tps = 100
[http_sms]
url = http://127.0.0.1:$SEND/cgi-bin/sendsms?username=smsdesk&password=$PASS&from={from}&to={to}&text={text}&charset=UTF-8&coding=2&dlr-mask=3&dlr-url={receipt_url}
success_status = 202
base_url = http://127.0.0.1:$WEB
fallback_after_s = 1
fallback_kinds = otp
EOF
Q() { "$BIN" -c "$T/smsdesk.ini" "$@"; }
"$BIN" -c "$T/smsdesk.ini" serve --ready-file "$T/ready" >"$T/serve.log" 2>&1 &
DPID=$!
wait_until 100 test -s "$T/ready" || { echo "FAIL - serve did not start"; tail "$T/serve.log"; exit 1; }
metric() { curl -s "http://127.0.0.1:$WEB/metrics" | sed -n "s/^$1 //p"; }
sql() { sqlite3 "$T/desk.db" "$1"; }

# The SMPP link has been down since the start; after fallback_after_s the
# OTPs go over HTTP.
wait_until 50 test "$(metric smsdesk_http_fallback_active)" = 1
check "fallback active once SMPP was down for 1 s" \
    "[ \"\$(metric smsdesk_http_fallback_active)\" = 1 ]"
ALERT=$(Q queue add --to 09131111112 --text 'alert while down')
OTP=$(Q otp send --mobile 09131111111)
wait_until 100 grep -q "Got message 1:" "$T/fake.out"
check "fakesmsc received the OTP" "grep -q 'Got message 1:' $T/fake.out"
# The row's text is masked once the provider took it (issue #9): what
# fakesmsc got, digits masked (ASCII, Persian and Arabic-Indic, as
# sd_scrub does: the OTP text gives its minutes in Persian digits), is
# the stored text, and it held the code.
wait_until 100 test "$(sql "SELECT state FROM outbox WHERE id = $OTP")" -ge 2
sql "SELECT body FROM outbox WHERE id = $OTP" >"$T/stored.txt"
check "as UCS-2 to +989131111111 from 3000, byte for byte the text queued" \
    "python3 - $T/fake.out $T/stored.txt $T/otp.txt <<'PY'
import re, sys, urllib.parse
line = open(sys.argv[1], 'rb').read()
stored = open(sys.argv[2], 'rb').read().rstrip(b'\\n').decode()
m = re.search(rb'Got message 1: <(\\S+) (\\S+) (\\S+) (.*)>', line)
got = urllib.parse.unquote_to_bytes(m.group(4).replace(b'+', b' '))
text = got.decode('utf-16-be')
open(sys.argv[3], 'w').write(text + '\\n')
ok = (m.group(1) == b'3000' and m.group(2) == b'+989131111111' and
      m.group(3) == b'ucs-2' and re.search(r'[0-9]{6}', text) and
      re.sub(r'[0-9\u06f0-\u06f9\u0660-\u0669]', '*', text) == stored)
sys.exit(0 if ok else 1)
PY"
wait_until 100 test "$(sql "SELECT state FROM outbox WHERE id = $OTP")" = 3
check "Kannel's delivery report marked it delivered (route http)" \
    "[ \"\$(sql \"SELECT state || '/' || route FROM outbox WHERE id = $OTP\")\" = 3/2 ]"
check "the alert waits for SMPP" \
    "[ \"\$(sql \"SELECT state FROM outbox WHERE id = $ALERT\")\" = 0 ]"
# Forged receipts (issue #9).
dlr() { curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$WEB/sms/dlr?$1"; }
check "a forged receipt for the queued alert is refused (403)" \
    "[ \"\$(dlr \"id=$ALERT&type=1\")\" = 403 ]"
check "... with any token (403)" \
    "[ \"\$(dlr \"id=$ALERT&tok=0123456789abcdef0123456789abcdef&type=1\")\" = 403 ]"
check "the alert is still queued, never marked delivered" \
    "[ \"\$(sql \"SELECT state || '/' || p1_state FROM outbox WHERE id = $ALERT\")\" = 0/0 ]"
check "a receipt without the secret for the HTTP-sent OTP is refused (403)" \
    "[ \"\$(dlr \"id=$OTP&type=2\")\" = 403 ]"
check "... with a wrong secret (403)" \
    "[ \"\$(dlr \"id=$OTP&tok=0123456789abcdef0123456789abcdef&type=2\")\" = 403 ]"
check "the OTP stays delivered" \
    "[ \"\$(sql \"SELECT state FROM outbox WHERE id = $OTP\")\" = 3 ]"
check "a request that is not a report gets 400" "[ \"\$(dlr 'id=x')\" = 400 ]"
check "each refusal is logged with its reason" \
    "[ \$(grep -c 'http: receipt refused id=' $T/serve.log) -eq 4 ] && grep -q \"refused id=$ALERT state=2 reason=.not sent over http\" $T/serve.log"
check "the OTP's secret is void once it is final" \
    "[ \"\$(sql \"SELECT dlr_token IS NULL FROM outbox WHERE id = $OTP\")\" = 1 ]"
check "the OTP's code is masked in the database once delivered" \
    "! sql \"SELECT body FROM outbox WHERE id = $OTP\" | grep -q '[0-9]'"
check "the OTP code never reached the log" \
    "! grep -q \"\$(grep -o '[0-9]\{6\}' $T/otp.txt)\" $T/serve.log"

# SMPP comes back.
"$SIM" --port "$SMPP" --http-port "$SIMHTTP" --ready-file "$T/sim.ready" \
    >"$T/sim.log" 2>&1 &
MPID=$!
wait_until 100 test "$(metric smsdesk_smpp_link_up)" = 1
check "the link is up again" "[ \"\$(metric smsdesk_smpp_link_up)\" = 1 ]"
OTP2=$(Q otp send --mobile 09131111113)
wait_until 100 test "$(sql "SELECT state FROM outbox WHERE id = $ALERT")" -ge 2
wait_until 100 test "$(sql "SELECT state FROM outbox WHERE id = $OTP2")" -ge 2
check "the waiting alert went over SMPP" \
    "[ \"\$(sql \"SELECT route FROM outbox WHERE id = $ALERT AND state >= 2\")\" = 1 ]"
check "the next OTP went over SMPP" \
    "[ \"\$(sql \"SELECT route FROM outbox WHERE id = $OTP2 AND state >= 2\")\" = 1 ]"
check "the simulator got both" \
    "curl -s 'http://127.0.0.1:$SIMHTTP/submits?since=0' | grep -c '\"to\":\"98913111111[23]\"' | grep -qx 2"
check "nothing more over HTTP" "[ \$(grep -c 'Got message' $T/fake.out) -eq 1 ]"
check "fallback no longer active" "[ \"\$(metric smsdesk_http_fallback_active)\" = 0 ]"
[ $fails -eq 0 ] || { tail -n 30 "$T/serve.log"; grep -E "ERROR|WARN" "$T/sb.out" | tail; }
echo "fallback: $fails failure(s)"
exit $fails
