#!/bin/sh
# A hostile SMSC's crafted deliver_sm (issue #9): refused with an error,
# serve stays up with its clock intact (tests/integ/hostile_pdu.py).
set -u
BIN=${BIN:-build/smsdesk}
[ -x "$BIN" ] || { echo "FAIL - $BIN missing (make)"; exit 1; }
command -v python3 >/dev/null 2>&1 ||
    { echo "FAIL - python3 not found (apt-get install python3)"; exit 1; }
BIN=$BIN exec python3 "$(dirname "$0")/hostile_pdu.py"
