# Sourced by the tests that run a real Kannel (bearerbox, smsbox and
# fakesmsc as its SMSC). Shared because a flaky start-up in one copy is
# a flaky start-up in all of them.
#
# CI once saw "fakesmsc did not connect": fakesmsc panics at once when
# its first connect is refused, and bearerbox prints "Start-up done"
# whether or not the fake SMSC's port is listening yet (or could be
# bound: the ports are picked at random). So: ports are checked free
# before use, fakesmsc is restarted until bearerbox reports it, and a
# failure prints what the peers said.

. tests/integ/lib.sh

# free_ports N: sets P to the first of N consecutive ports on 127.0.0.1
# that nobody holds right now (20 random tries).
free_ports() {
	P=$(python3 - "$1" <<'PY'
import random, socket, sys
n = int(sys.argv[1])
for _ in range(20):
    base = random.randrange(30000, 50000 - n)
    socks = []
    try:
        for p in range(base, base + n):
            s = socket.socket()
            s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            s.bind(("127.0.0.1", p))
            socks.append(s)
    except OSError:
        continue
    finally:
        for s in socks:
            s.close()
    print(base)
    break
PY
)
	[ -n "$P" ]
}

# kannel_start CONF DIR SENDPORT FAKEPORT: bearerbox, then fakesmsc
# (restarted while it dies before bearerbox reports it, at most 30 s),
# then smsbox until its sendsms port answers and it reached bearerbox.
# Sets BPID, FPID, SPID. Output in DIR/bb.out, DIR/fake.out, DIR/sb.out.
kannel_start() {
	/usr/sbin/bearerbox "$1" >"$2/bb.out" 2>&1 &
	BPID=$!
	wait_until 100 grep -q "Start-up done" "$2/bb.out" || {
		echo "FAIL - bearerbox did not start"; tail -n 20 "$2/bb.out"; return 1; }
	tries=0
	while :; do
		/usr/lib/kannel/test/fakesmsc -H 127.0.0.1 -r "$4" -i 1 -m 0 \
			"1 2 text unused" >"$2/fake.out" 2>&1 &
		FPID=$!
		k=0
		while [ $k -lt 50 ]; do
			grep -q "Fakesmsc client connected" "$2/bb.out" && break 2
			kill -0 "$FPID" 2>/dev/null || break
			sleep 0.1
			k=$((k + 1))
		done
		stop "$FPID"
		FPID=""
		tries=$((tries + 1))
		[ $tries -lt 10 ] || {
			echo "FAIL - fakesmsc did not connect to bearerbox on port $4 ($tries tries)"
			tail -n 20 "$2/bb.out" "$2/fake.out"; return 1; }
		sleep 0.5
	done
	/usr/sbin/smsbox "$1" >"$2/sb.out" 2>&1 &
	SPID=$!
	wait_until 100 curl -s -o /dev/null "http://127.0.0.1:$3/" || {
		echo "FAIL - smsbox did not listen on $3"; tail -n 20 "$2/sb.out"; return 1; }
	wait_until 100 grep -q "Client connected from" "$2/bb.out" || {
		echo "FAIL - smsbox did not reach bearerbox"; tail -n 20 "$2/bb.out" "$2/sb.out"; return 1; }
}
