#!/bin/sh
# Print "N passed, N failed" from a results file; exit non-zero on failure.
f=$1
p=$(grep -c '^PASS' "$f" 2>/dev/null)
n=$(grep -c '^FAIL' "$f" 2>/dev/null)
echo "${p:-0} passed, ${n:-0} failed"
[ "${n:-0}" -eq 0 ] && [ "${p:-0}" -gt 0 ]
