#!/bin/sh
# Run fuzz targets.
#   run_fuzz.sh replay SUITE DIR NAME...        replay tests/fuzz/corpus/NAME
#   run_fuzz.sh libfuzzer SUITE DIR NAME... -- SECONDS
# One PASS/FAIL line per target (collected in $RESULTS when set).
set -u
mode=$1
suite=$2
dir=$3
shift 3
names=""
secs=60
while [ $# -gt 0 ]; do
	if [ "$1" = "--" ]; then secs=$2; break; fi
	names="$names $1"
	shift
done
mkdir -p build/logs
export ASAN_OPTIONS="${ASAN_OPTIONS:-detect_leaks=1}"
export UBSAN_OPTIONS="${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}"
fail=0
for n in $names; do
	log=build/logs/$suite-$n.log
	if [ "$mode" = replay ]; then
		timeout 300 "$dir/$n" "tests/fuzz/corpus/$n" >"$log" 2>&1
		rc=$?
		what="$(tail -n 1 "$log")"
	else
		work=build/fuzz/corpus/$n
		art=build/fuzz/artifacts/$n/
		mkdir -p "$work" "$art"
		cp -n tests/fuzz/corpus/$n/* "$work/" 2>/dev/null
		timeout $((secs + 60)) "$dir/$n" -max_total_time="$secs" \
		    -timeout=10 -rss_limit_mb=2048 -detect_leaks=1 \
		    -artifact_prefix="$art" "$work" >"$log" 2>&1
		rc=$?
		what="$(grep -E '^#[0-9]+.*DONE|Done [0-9]+ runs' "$log" | tail -n 1)"
	fi
	if [ $rc -eq 0 ]; then
		line="PASS $suite $n ($what)"
	else
		line="FAIL $suite $n rc=$rc log=$log"
		fail=1
		tail -n 30 "$log"
	fi
	echo "$line"
	[ -n "${RESULTS:-}" ] && echo "$line" >>"$RESULTS"
done
exit $fail
