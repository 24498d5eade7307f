#!/bin/sh
# tests/integ/test_sim.sh: the bundled SMSC simulator (tests/sim/) on its
# own, driven by tests/sim/sim_check.py (an SMPP client in Python, socket
# + struct): binds (good and bad credentials), enquire_link, unbind,
# generic_nack for unknown commands and bad command_length, UCS-2 Persian,
# GSM 7-bit in 3 UDH parts, 16-bit UDH, SAR and message_payload submits
# decoded and reassembled, receipts (DELIVRD and UNDELIV, text form and
# TLVs), MOs in parts and count=K through the window, USSD TLVs, the
# throttle, no-enquire, delay and drop faults, redelivery after a drop,
# the phone page's escaping, HTTP limits, the stored-submit limit, the
# concatenation timeout, and a clean SIGTERM (unbind, ready file gone,
# exit 0; under ASan also no leak).
#
# Two simulators run on ephemeral ports; each is waited for on its ready
# file (bounded, 0.1 s steps) and killed by PID at the end.
set -u
SIM=${SIM:-build/smsdesk-smsc-sim}
HERE=$(cd "$(dirname "$0")" && pwd)
CHECK="$HERE/../sim/sim_check.py"
T=$(mktemp -d "${TMPDIR:-/tmp}/smsdesk-sim-XXXXXX")
PID1=""
PID2=""
cleanup() {
	[ -n "$PID1" ] && kill "$PID1" 2>/dev/null
	[ -n "$PID2" ] && kill "$PID2" 2>/dev/null
	rm -rf "$T"
}
trap cleanup EXIT
trap 'exit 130' INT TERM
fails=0
ok() { echo "ok - $1"; }
bad() { echo "FAIL - $1"; fails=$((fails + 1)); }

[ -x "$SIM" ] || { echo "FAIL - $SIM missing (make)"; exit 1; }
command -v python3 >/dev/null 2>&1 ||
    { echo "FAIL - python3 not found (apt-get install python3)"; exit 1; }

# wait_ready FILE PID: up to 10 s for the ready file, 0.1 s at a time.
wait_ready() {
	i=0
	while [ $i -lt 100 ]; do
		[ -s "$1" ] && return 0
		kill -0 "$2" 2>/dev/null || return 1
		sleep 0.1
		i=$((i + 1))
	done
	return 1
}

# wait_exit PID: up to 5 s for the process to end; its status in $rc.
wait_exit() {
	i=0
	while [ $i -lt 50 ] && kill -0 "$1" 2>/dev/null; do
		sleep 0.1
		i=$((i + 1))
	done
	if kill -0 "$1" 2>/dev/null; then
		kill -9 "$1" 2>/dev/null
		wait "$1" 2>/dev/null
		rc=137
		return 1
	fi
	wait "$1"
	rc=$?
	return 0
}

# --- command line -----------------------------------------------------
if "$SIM" --help >"$T/help" 2>&1; then
	missing=""
	for o in --port --http-port --ready-file --system-id --password \
	    --hex-ids --dlr-id-dec --dlr-delay-ms --undeliv-share --undeliv \
	    --log-submits --log --mo-window --max-conns --max-submits \
	    --max-store-mb --max-receipts --concat-timeout-ms --short-code \
	    --verbose --trace --help; do
		grep -q -- "$o" "$T/help" || missing="$missing $o"
	done
	if [ -z "$missing" ]; then ok "--help lists every option"; else
		bad "--help misses:$missing"; fi
else
	bad "--help exits 0"
fi
"$SIM" --port nope >/dev/null 2>&1
[ $? -eq 2 ] && ok "a bad option value exits 2" || bad "bad value exits 2"
"$SIM" --password toolongpw >/dev/null 2>&1
[ $? -eq 2 ] && ok "a password over 8 characters exits 2" ||
    bad "long password exits 2"

# --- the main suite ---------------------------------------------------
"$SIM" --port 0 --http-port 0 --ready-file "$T/ready1" --hex-ids \
    --dlr-delay-ms 50 --undeliv 989120000000 --mo-window 20 \
    --log "$T/submits.log" 2>"$T/sim1.log" &
PID1=$!
if wait_ready "$T/ready1" "$PID1"; then
	ok "simulator 1 ready: $(cat "$T/ready1")"
	if timeout 180 python3 "$CHECK" --ready "$T/ready1" >"$T/check1" 2>&1
	then
		ok "sim_check.py main suite ($(grep -c '^ok' "$T/check1") checks)"
	else
		bad "sim_check.py main suite"
		grep -v '^ok' "$T/check1"
	fi
	if grep -q 'to=989131111111 dc=8 parts=1/1 text="سلام، درخواست شما ثبت شد"' \
	    "$T/submits.log"; then
		ok "--log has the decoded Persian submit"
	else
		bad "--log has the decoded Persian submit"
	fi
	kill "$PID1"
	if wait_exit "$PID1" && [ "$rc" -eq 0 ]; then
		ok "simulator 1 stops cleanly on SIGTERM"
	else
		bad "simulator 1 exit status $rc"
		tail -n 20 "$T/sim1.log"
	fi
	PID1=""
	[ -e "$T/ready1" ] && bad "ready file 1 left behind" ||
	    ok "ready file 1 removed"
else
	bad "simulator 1 did not get ready"
	cat "$T/sim1.log"
fi

# --- limits, and SIGTERM with a bound session -------------------------
"$SIM" --port 0 --http-port 0 --ready-file "$T/ready2" --max-submits 5 \
    --concat-timeout-ms 300 --undeliv-share 50 --dlr-delay-ms 0 \
    2>"$T/sim2.log" &
PID2=$!
if wait_ready "$T/ready2" "$PID2"; then
	if timeout 120 python3 "$CHECK" --suite limits --ready "$T/ready2" \
	    --pid "$PID2" >"$T/check2" 2>&1; then
		ok "sim_check.py limits suite ($(grep -c '^ok' "$T/check2") checks)"
	else
		bad "sim_check.py limits suite"
		grep -v '^ok' "$T/check2"
	fi
	if wait_exit "$PID2" && [ "$rc" -eq 0 ]; then
		ok "simulator 2 exits 0 after unbinding"
	else
		bad "simulator 2 exit status $rc"
		tail -n 20 "$T/sim2.log"
	fi
	PID2=""
else
	bad "simulator 2 did not get ready"
	cat "$T/sim2.log"
fi

grep -n 'runtime error\|AddressSanitizer\|LeakSanitizer' "$T"/sim*.log &&
    bad "sanitizer reports in the simulator's log"

echo "$fails failed"
[ $fails -eq 0 ]
