#!/bin/sh
# The store-and-forward pipeline against the SMSC simulator: kill -9 while
# draining 10,000 messages and while 10,000 MOs come in, the OTP's
# priority over a backlog of 100,000 alerts, and a drain through link
# drops, throttling, stalled responses and an outage, and long MOs
# whose parts straddle two kills
# (tests/integ/pipeline.py). PIPELINE_SCALE scales the counts (make test
# runs 0.1 under ThreadSanitizer); PIPELINE_CASES picks cases (default all).
set -u
BIN=${BIN:-build/smsdesk}
SIM=${SIM:-build/smsdesk-smsc-sim}
[ -x "$BIN" ] || { echo "FAIL - $BIN missing (make)"; exit 1; }
[ -x "$SIM" ] || { echo "FAIL - $SIM missing (make)"; exit 1; }
command -v python3 >/dev/null 2>&1 ||
    { echo "FAIL - python3 not found (apt-get install python3)"; exit 1; }
# shellcheck disable=SC2086 # a list of case names
BIN=$BIN SIM=$SIM exec python3 "$(dirname "$0")/pipeline.py" ${PIPELINE_CASES:-}
