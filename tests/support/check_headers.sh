#!/bin/sh
# Every header compiles on its own (style.md A5).
set -u
cc=$1
flags=$2
bad=0
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
for h in core/base/*.h core/*.h db/*.h smsc/*.h web-min/*.h smsdesk*.h; do
	[ -f "$h" ] || continue
	printf '#include "%s"\n#include "%s"\n' "$h" "$h" >"$tmp/t.c"
	if ! $cc -std=c11 -D_GNU_SOURCE -I. $flags -Wall -Werror \
	    -fsyntax-only "$tmp/t.c" 2>"$tmp/err"; then
		echo "check-headers: $h does not compile alone:"
		cat "$tmp/err"
		bad=1
	fi
done
[ $bad -eq 0 ] && echo "check-headers: ok"
exit $bad
