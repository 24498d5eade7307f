#!/bin/sh
# USSD menus end to end (issue #12; tests/integ/ussd.py): through the SMSC
# simulator's virtual phone (a new request with registration in the menu,
# its SMS link, a status dialogue, the direct string, an abandoned
# dialogue freed and counted in /metrics), and against the npm smpp
# package as the operator's USSD gateway (tests/npm/ussd_gateway.js) with
# [ussd] session_key its_session_info, msisdn and user_message_reference:
# op codes, its_session_info and the end bit checked on the far side.
# 127.0.0.1 only; about 20 s (10 s of it the abandoned dialogue's
# session_s, overlapped with the npm part).
#
# Needs node and npm; tests/npm/node_modules is installed with npm ci
# when missing (skipped when present, so it also runs offline).
set -u
BIN=${BIN:-build/smsdesk}
SIM=${SIM:-build/smsdesk-smsc-sim}
NPMDIR=$(dirname "$0")/../npm
[ -x "$BIN" ] && [ -x "$SIM" ] || { echo "FAIL - build first (make)"; exit 1; }
command -v python3 >/dev/null 2>&1 ||
    { echo "FAIL - python3 not found (apt-get install python3)"; exit 1; }
command -v node >/dev/null 2>&1 ||
    { echo "FAIL - node not found (apt-get install nodejs npm)"; exit 1; }
if [ ! -d "$NPMDIR/node_modules/smpp" ]; then
	command -v npm >/dev/null 2>&1 ||
	    { echo "FAIL - npm not found (apt-get install npm)"; exit 1; }
	echo "installing $NPMDIR/node_modules (npm ci)"
	(cd "$NPMDIR" && npm ci --no-audit --no-fund --loglevel=error) ||
	    { echo "FAIL - npm ci in $NPMDIR failed"; exit 1; }
fi
BIN=$BIN SIM=$SIM exec python3 "$(dirname "$0")/ussd.py"
