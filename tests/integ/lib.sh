# Sourced by integration tests: stopping what they started and waiting
# for a condition, written once (tests/integ/kannel.sh and the web tests
# use them).

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
