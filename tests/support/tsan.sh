#!/bin/sh
# Run one test command with our binaries built with ThreadSanitizer
# (make tsan): every report goes to a file of its own (log_path), since
# the tests keep the daemon's stderr in their own logs or kill it with
# SIGKILL before it could exit with TSan's status; the test fails if any
# report was written, and the reports are printed.
# Usage: tsan.sh COMMAND [ARGS...]    (TSAN_SUPP: a suppressions file)
set -u
dir=$(mktemp -d "${TMPDIR:-/tmp}/smsdesk-tsan-XXXXXX")
trap 'rm -rf "$dir"' EXIT
opts="log_path=$dir/report halt_on_error=0 second_deadlock_stack=1"
[ -n "${TSAN_SUPP:-}" ] && opts="$opts suppressions=$TSAN_SUPP"
TSAN_OPTIONS="$opts${TSAN_OPTIONS:+ $TSAN_OPTIONS}" "$@"
rc=$?
n=$(find "$dir" -name 'report*' -type f | wc -l)
if [ "$n" -gt 0 ]; then
	echo "FAIL - ThreadSanitizer: $n process(es) reported:"
	for f in "$dir"/report*; do
		echo "==== $f"
		cat "$f"
	done
	[ $rc -eq 0 ] && rc=66
else
	echo "ok - ThreadSanitizer: no report"
fi
exit $rc
