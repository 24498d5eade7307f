#!/bin/sh
# Interoperability with an SMSC nobody here wrote: Kannel's drive_smpp
# (Debian kannel-extras). smsdesk's ESME binds to it as a transmitter plus
# a receiver (drive_smpp answers no bind_transceiver), receives its MO
# messages and answers each one; the messages are counted on both sides.
set -u
N=${N:-300}
PEER=${PEER:-build/esme-peer}
DRIVE=/usr/lib/kannel/test/drive_smpp
[ -x "$DRIVE" ] || { echo "missing $DRIVE (apt-get install kannel-extras)"; exit 1; }
T=$(mktemp -d "${TMPDIR:-/tmp}/smsdesk-drive-XXXXXX")
LPID=""
DPID=""
cleanup() {
	[ -n "$DPID" ] && kill "$DPID" 2>/dev/null
	[ -n "$LPID" ] && kill "$LPID" 2>/dev/null
	rm -rf "$T"
}
trap cleanup EXIT

wait_for() { # file, tenths of a second
	i=0
	while [ ! -e "$1" ] && [ $i -lt "$2" ]; do sleep 0.1; i=$((i + 1)); done
	[ -e "$1" ]
}

# drive_smpp's fake smsbox, which it dials on 127.0.0.1:13001.
python3 tests/support/listen.py 13001 120 "$T/listening" &
LPID=$!
wait_for "$T/listening" 50 || { echo "cannot listen on 13001"; exit 1; }

PORT=$((30000 + $(od -An -N2 -tu2 /dev/urandom | tr -d ' ') % 20000))
"$DRIVE" -v 1 -p "$PORT" -m "$N" >"$T/drive.log" 2>&1 &
DPID=$!
i=0
until grep -q "Starting drive_smpp" "$T/drive.log" 2>/dev/null || [ $i -ge 50 ]; do
	sleep 0.1
	i=$((i + 1))
done
sleep 0.2 # its listener comes up right after that line

"$PEER" --port "$PORT" --bind tx+rx --system-id foo --password bar \
    --window 50 --max-tps 5000 --answer-mo "received" --expect-mo "$N" \
    --timeout 60 >"$T/peer.out" 2>"$T/peer.err"
prc=$?
# drive_smpp quits once the ESME has unbound and closed.
i=0
while kill -0 "$DPID" 2>/dev/null && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
kill "$DPID" 2>/dev/null
wait "$DPID" 2>/dev/null
DPID=""

cat "$T/peer.out"
grep -E "Number of messages|ERROR|PANIC" "$T/drive.log"
fails=0
check() { if eval "$2"; then echo "ok - $1"; else echo "FAIL - $1"; fails=$((fails + 1)); fi; }
check "esme-peer met its expectations" "[ $prc -eq 0 ]"
check "smsdesk received all $N MOs" "grep -q ' mo=$N ' $T/peer.out"
check "smsdesk answered all $N" "grep -q ' answers=$N ' $T/peer.out"
check "every answer was accepted" "grep -q ' accepted=$N ' $T/peer.out"
check "drive_smpp sent $N to the ESME" "grep -q 'Number of messages sent to ESME: $N\$' $T/drive.log"
check "drive_smpp received $N answers" "grep -q 'Number of messages sent to SMSC: $N\$' $T/drive.log"
check "no undecodable PDU" "grep -q ' bad_pdus=0 ' $T/peer.out"
[ $fails -eq 0 ] || { tail -20 "$T/peer.err"; tail -20 "$T/drive.log"; }
exit $fails
