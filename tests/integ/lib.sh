# Sourced by integration tests: stopping what they started, waiting
# for a condition, a free port, starting serve, and the start every
# test shares (temp folder, exit traps, check, need), written once
# (tests/integ/kannel.sh and the web tests use them).

stop() { # pid: TERM, wait at most 5 s, then KILL
	[ -n "$1" ] || return 0
	kill "$1" 2>/dev/null
	i=0
	while kill -0 "$1" 2>/dev/null && [ $i -lt 50 ]; do sleep 0.1; i=$((i + 1)); done
	kill -9 "$1" 2>/dev/null
	wait "$1" 2>/dev/null
}

wait_until() { # tenths of a second, command...
	n=$1
	shift
	i=0
	until "$@" >/dev/null 2>&1; do
		[ $i -ge "$n" ] && return 1
		sleep 0.1
		i=$((i + 1))
	done
}

free_port() { # sets PORT: a random one of 20000-39999 nothing answers on
	PORT=""
	for i in 1 2 3 4 5 6 7 8 9 10; do
		p=$((20000 + $(od -An -N2 -tu2 /dev/urandom | tr -d ' ') % 20000))
		if ! curl -s -o /dev/null --max-time 1 "http://127.0.0.1:$p/"; then
			PORT=$p
			return 0
		fi
	done
	return 1
}

serve_start() { # conf: "$BIN" -c conf serve in the background (PID), its
	# log $T/serve.log, ready file $T/ready; waits at most 15 s for it
	"$BIN" -c "$1" serve --ready-file "$T/ready" >"$T/serve.log" 2>&1 &
	PID=$!
	i=0
	while [ ! -s "$T/ready" ]; do
		if ! kill -0 "$PID" 2>/dev/null || [ $i -ge 150 ]; then
			echo "FAIL - serve did not start"
			cat "$T/serve.log"
			return 1
		fi
		sleep 0.1
		i=$((i + 1))
	done
}

integ_begin() { # name: sets T (a new folder smsdesk-NAME-XXXXXX under
	# TMPDIR), PID="" and fails=0; at exit integ_end runs (INT and TERM
	# exit 130). A script that starts more sets INTEG_CLEANUP to a
	# command (a function of its own) that stops it.
	T=$(mktemp -d "${TMPDIR:-/tmp}/smsdesk-$1-XXXXXX")
	PID=""
	fails=0
	trap integ_end EXIT
	trap 'exit 130' INT TERM
}

integ_end() { # integ_begin's exit trap: stops PID, runs $INTEG_CLEANUP
	# (if set), removes T
	stop "$PID"
	eval "${INTEG_CLEANUP:-}"
	rm -rf "$T"
}

check() { # description, shell condition (eval'd): prints "ok - " or
	# "FAIL - " and the description; a failure adds one to fails
	if eval "$2"; then echo "ok - $1"; else echo "FAIL - $1"; fails=$((fails + 1)); fi
}

need() { # file, hint: unless file is executable, prints "FAIL - hint"
	# and exits 1
	[ -x "$1" ] || { echo "FAIL - $2"; exit 1; }
}
