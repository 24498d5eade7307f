#!/bin/sh
# tools/demo.sh (make run): the whole system on one machine with no
# operator. The SMSC simulator listens on 127.0.0.1:2775 (SMPP) and
# 127.0.0.1:8081 (virtual phone and control), smsdesk serve binds to it
# with the embedded defaults and serves its web view on 127.0.0.1:8080.
# Ctrl-C stops both; the simulator is ended by its PID.
set -u
BIN=${BIN:-build/smsdesk}
SIM=${SIM:-build/smsdesk-smsc-sim}
mkdir -p var
SIMPID=""
cleanup() {
	[ -n "$SIMPID" ] && kill "$SIMPID" 2>/dev/null
	rm -f var/sim.ready
}
trap cleanup EXIT
trap 'exit 130' INT TERM

rm -f var/sim.ready
"$SIM" --port 2775 --http-port 8081 --ready-file var/sim.ready \
    --log var/sim-submits.log &
SIMPID=$!
i=0
while [ ! -s var/sim.ready ] && [ $i -lt 50 ]; do
	kill -0 "$SIMPID" 2>/dev/null || {
		echo "demo: the simulator did not start (ports 2775/8081 busy?)" >&2
		SIMPID=""
		exit 1
	}
	sleep 0.1
	i=$((i + 1))
done
cat <<MSG
demo: SMSC simulator up (SMPP 127.0.0.1:2775)
demo: virtual phone   http://127.0.0.1:8081/
demo: web view        http://127.0.0.1:8080/
demo: submits logged to var/sim-submits.log; Ctrl-C stops both
MSG
"$BIN" serve "$@"
