#!/bin/sh
# tests/integ/test_esme_sim.sh: smsdesk's SMPP client (through esme-peer)
# against the bundled SMSC simulator: bind, submit (Persian, long), receipts,
# MO in (plain, concatenated, USSD), enquire_link, and every fault the
# simulator can inject: throttling, a dropped link mid-burst, unanswered
# enquire_link, responses delayed past the timeout, refused credentials.
# After each, nothing submitted is lost and the client recovers without a
# busy loop.
set -u
PEER=${PEER:-build/esme-peer}
SIM=${SIM:-build/smsdesk-smsc-sim}
T=$(mktemp -d "${TMPDIR:-/tmp}/smsdesk-esme-XXXXXX")
SPID=""
BG=""
cleanup() {
	[ -n "$BG" ] && kill "$BG" 2>/dev/null
	[ -n "$SPID" ] && kill "$SPID" 2>/dev/null
	rm -rf "$T"
}
trap cleanup EXIT
fails=0
check() { # description, shell condition
	if eval "$2"; then echo "ok - $1"; else echo "FAIL - $1"; fails=$((fails + 1)); fi
}

"$SIM" --port 0 --http-port 0 --ready-file "$T/ready" --dlr-delay-ms 20 \
    >"$T/sim.log" 2>&1 &
SPID=$!
i=0
while [ ! -s "$T/ready" ] && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
[ -s "$T/ready" ] || { echo "simulator did not start"; cat "$T/sim.log"; exit 1; }
P=$(sed 's/.*smpp=\([0-9]*\).*/\1/' "$T/ready")
H=$(sed 's/.*http=\([0-9]*\).*/\1/' "$T/ready")
U="http://127.0.0.1:$H"

# stat NAME: a top-level number from the simulator's /stats.
stat() { curl -s "$U/stats" | sed -n "s/.*\"$1\":\([0-9]*\).*/\1/p"; }
# field NAME FILE: a number from esme-peer's summary line.
field() { sed -n "s/.* $1=\([0-9]*\).*/\1/p" "$2" | tail -n 1; }
post() { curl -s -o /dev/null -w '%{http_code}' -X POST "$U$1" "$@"; }
# Wait (bounded) until the simulator has a bound session.
wait_bound() {
	i=0
	until curl -s "$U/stats" | grep -q '"open":[1-9]' || [ $i -ge 100 ]; do
		sleep 0.1
		i=$((i + 1))
	done
}

LONG_FA="سلام، درخواست ۱۰۰۲۵ شما در واحد فناوری اطلاعات پاسخ داده شد. برای دیدن متن کامل پاسخ و پیوست‌ها به نشانی سامانه بروید."

# --- 1. submits and receipts -------------------------------------------
m0=$(stat messages)
"$PEER" --port "$P" --submit 300 --receipts --expect-receipts 600 \
    --text "$LONG_FA" --window 20 --timeout 30 >"$T/1.out" 2>"$T/1.err"
rc=$?
check "300 two-part Persian messages accepted" "[ $rc -eq 0 ] && [ \"\$(field accepted $T/1.out)\" = 300 ]"
check "a receipt for each of the 600 parts" "[ \"\$(field receipts $T/1.out)\" -ge 600 ]"
check "the simulator joined 300 messages" "[ \$((\$(stat messages) - m0)) -eq 300 ]"
check "no incomplete or undecodable message on the far side" "[ \"\$(stat incomplete)\" = 0 ] && [ \"\$(stat decode_problems)\" = 0 ]"
curl -s "$U/submits?since=0&limit=1" >"$T/1.sub"
check "the Persian text arrived intact" "grep -qF '$LONG_FA' $T/1.sub"

# --- 2. MO: plain, concatenated, USSD; each answered -------------------
"$PEER" --port "$P" --expect-mo 3 --print-mo --answer-mo "ok" --timeout 20 \
    >"$T/2.out" 2>"$T/2.err" &
BG=$!
wait_bound
post "/mo" --data-urlencode "from=989131111111" --data-urlencode "text=وضعیت ۱۰۰۲۵" >/dev/null
post "/mo" --data-urlencode "from=989132222222" --data-urlencode "parts=3" \
    --data-urlencode "text=$LONG_FA" >/dev/null
post "/ussd" --data-urlencode "from=989133333333" --data-urlencode "text=*3000#" \
    --data-urlencode "session=42" >/dev/null
wait $BG
rc=$?
BG=""
check "three MOs received and answered" "[ $rc -eq 0 ] && [ \"\$(field mo $T/2.out)\" = 3 ] && [ \"\$(field accepted $T/2.out)\" = 3 ]"
check "plain Persian MO decoded" "grep -qF 'from=989131111111 to=3000 parts=1 incomplete=0 ussd=0 text=وضعیت ۱۰۰۲۵' $T/2.out"
check "3-part MO joined in order" "grep -qF 'from=989132222222 to=3000 parts=3 incomplete=0 ussd=0 text=$LONG_FA' $T/2.out"
check "USSD step passed through" "grep -q 'from=989133333333 .*ussd=1 text=\*3000#' $T/2.out"

# --- 3. throttling ------------------------------------------------------
t0=$(stat throttled)
post "/fault/throttle?n=5" >/dev/null
"$PEER" --port "$P" --submit 100 --text "throttle test" --timeout 30 \
    >"$T/3.out" 2>"$T/3.err"
rc=$?
check "throttled submits are sent again, all 100 accepted" "[ $rc -eq 0 ] && [ \"\$(field accepted $T/3.out)\" = 100 ] && [ \"\$(field failed $T/3.out)\" = 0 ]"
check "the client saw the 5 ESME_RTHROTTLED" "[ \"\$(field throttled $T/3.out)\" = 5 ] && [ \$((\$(stat throttled) - t0)) -eq 5 ]"

# --- 4. the link dropped mid-burst --------------------------------------
m0=$(stat messages)
"$PEER" --port "$P" --submit 5000 --max-tps 2500 --window 10 \
    --text "burst" --timeout 40 >"$T/4.out" 2>"$T/4.err" &
BG=$!
wait_bound
sleep 0.7
post "/fault/drop" >/dev/null
wait $BG
rc=$?
BG=""
got=$(($(stat messages) - m0))
check "after a drop every one of 5000 is accepted" "[ $rc -eq 0 ] && [ \"\$(field accepted $T/4.out)\" = 5000 ]"
check "the client rebound" "[ \"\$(field binds $T/4.out)\" -ge 2 ]"
check "the SMSC got all 5000, duplicates at most one window ($got)" "[ $got -ge 5000 ] && [ $got -le 5010 ]"

# --- 5. enquire_link unanswered -----------------------------------------
post "/fault/no-enquire" >/dev/null
"$PEER" --port "$P" --enquire 5 --response-timeout 1 --expect-mo 1 \
    --timeout 25 --print-mo >"$T/5.out" 2>"$T/5.err" &
BG=$!
wait_bound
sleep 7 # one enquire_link period, its timeout, and the rebind
post "/fault/clear" >/dev/null
sleep 1.5
post "/mo" --data-urlencode "from=989131111111" --data-urlencode "text=after" >/dev/null
wait $BG
rc=$?
BG=""
check "a link that stops answering enquire_link is dropped and rebound" "[ $rc -eq 0 ] && [ \"\$(field timeouts $T/5.out)\" -ge 1 ] && [ \"\$(field binds $T/5.out)\" -ge 2 ]"
check "and then receives again" "grep -q 'text=after' $T/5.out"

# --- 6. responses delayed past the timeout ------------------------------
# The peer binds at once and submits 2 s later, when every response is
# held 2.5 s (past its 1 s timeout): the link is dropped, the bind_resp of
# the rebind is late too, and once the fault is cleared the same 10
# messages go again and are accepted.
"$PEER" --port "$P" --response-timeout 1 --submit 10 --text "slow" \
    --submit-after 2 --timeout 30 >"$T/6.out" 2>"$T/6.err" &
BG=$!
sleep 1
post "/fault/delay?ms=2500" >/dev/null
sleep 5
post "/fault/clear" >/dev/null
wait $BG
rc=$?
BG=""
check "submits whose response is late are sent again and accepted ($(tail -n 1 $T/6.out))" "[ $rc -eq 0 ] && [ \"\$(field accepted $T/6.out)\" = 10 ] && [ \"\$(field timeouts $T/6.out)\" -ge 1 ] && [ \"\$(field resent $T/6.out)\" -ge 1 ]"

# --- 7. refused credentials: clear error, slow retry --------------------
f0=$(stat binds_failed)
"$PEER" --port "$P" --password wrong --submit 1 --timeout 4 \
    >"$T/7.out" 2>"$T/7.err"
rc=$?
check "a refused bind fails the run" "[ $rc -ne 0 ]"
check "the log says why" "grep -q 'bind refused status=ESME_RINVPASWD (check system_id and password' $T/7.err"
check "and does not retry in a tight loop" "[ \$((\$(stat binds_failed) - f0)) -eq 1 ]"

# --- 8. no busy loop while the SMSC is unreachable ----------------------
DEAD=$((P + 1))
python3 - "$PEER" "$DEAD" >"$T/8.out" 2>"$T/8.err" <<'EOF'
import resource, subprocess, sys
# The children's time so far is not the peer's: a python3 started by a
# wrapper (pyenv's shim) inherits the wrapper's children's time.
r0 = resource.getrusage(resource.RUSAGE_CHILDREN)
p = subprocess.run([sys.argv[1], "--port", sys.argv[2], "--submit", "1",
                    "--timeout", "6"], capture_output=True, text=True)
r = resource.getrusage(resource.RUSAGE_CHILDREN)
print("cpu=%.3f attempts=%d" % (r.ru_utime + r.ru_stime - r0.ru_utime - r0.ru_stime,
      p.stderr.count("connect failed") + p.stderr.count("dropped")))
EOF
cat "$T/8.out"
cpu=$(sed -n 's/cpu=\([0-9.]*\).*/\1/p' "$T/8.out")
att=$(sed -n 's/.*attempts=\([0-9]*\).*/\1/p' "$T/8.out")
check "6 s with the SMSC down cost under 0.2 s of CPU ($cpu)" "awk 'BEGIN{exit !($cpu < 0.2)}'"
check "with back-off: at most 4 connection attempts in 6 s ($att)" "[ $att -ge 2 ] && [ $att -le 4 ]"

[ $fails -eq 0 ] || { echo "--- simulator log"; tail -30 "$T/sim.log"; for f in "$T"/*.err; do echo "--- $f"; tail -5 "$f"; done; }
echo "$fails failures"
exit $fails
