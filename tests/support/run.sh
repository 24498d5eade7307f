#!/bin/sh
# Run test programs; one PASS/FAIL line each; output kept in build/logs.
# Usage: run.sh SUITE PROGRAM...   ($RESULTS, if set, collects the lines;
# $RUN_WRAP, if set, is a command each script runs under: tests/support/tsan.sh.)
set -u
suite=$1
shift
logdir=${LOGDIR:-build/logs}
mkdir -p "$logdir"
fail=0
export ASAN_OPTIONS="${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=0:exitcode=86}"
export UBSAN_OPTIONS="${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}"
for t in "$@"; do
	name=$(echo "$t" | sed 's|^build/||; s|/|_|g')
	log="$logdir/$suite-$name.log"
	start=$(date +%s)
	case "$t" in
	# shellcheck disable=SC2086 # RUN_WRAP is a command line
	*.sh) timeout 300 ${RUN_WRAP:-} sh "$t" >"$log" 2>&1 ;;
	*) timeout 300 "$t" >"$log" 2>&1 ;;
	esac
	rc=$?
	secs=$(($(date +%s) - start))
	if [ $rc -eq 0 ]; then
		line="PASS $suite $t (${secs}s)"
	else
		line="FAIL $suite $t rc=$rc (${secs}s) log=$log"
		fail=1
	fi
	echo "$line"
	[ -n "${RESULTS:-}" ] && echo "$line" >>"$RESULTS"
	if [ $rc -ne 0 ]; then tail -n 30 "$log"; fi
done
exit $fail
