#!/bin/sh
# The SMS command channel end to end through the SMSC simulator
# (tests/integ/sms_commands.py): register, open, status, a staff answer by
# SMS and its alert, LIST, ESCALATE before and after two working days,
# STOP and START.
set -u
BIN=${BIN:-build/smsdesk}
SIM=${SIM:-build/smsdesk-smsc-sim}
[ -x "$BIN" ] && [ -x "$SIM" ] || { echo "FAIL - build first (make)"; exit 1; }
command -v python3 >/dev/null 2>&1 ||
    { echo "FAIL - python3 not found (apt-get install python3)"; exit 1; }
BIN=$BIN SIM=$SIM exec python3 "$(dirname "$0")/sms_commands.py"
