#!/bin/sh
# smsdesk serve against a hostile SMSC (tests/integ/hostile_smsc.py): one
# that never reads, one that streams enquire_links, one that blasts 20,000
# MOs without waiting, and one that sends 100,000 undecodable PDUs. The
# link's memory and work stay bounded, each MO has one answer path, and
# the log stays small.
set -u
BIN=${BIN:-build/smsdesk}
[ -x "$BIN" ] || { echo "FAIL - $BIN missing (make)"; exit 1; }
command -v python3 >/dev/null 2>&1 ||
    { echo "FAIL - python3 not found (apt-get install python3)"; exit 1; }
BIN=$BIN exec python3 "$(dirname "$0")/hostile_smsc.py"
