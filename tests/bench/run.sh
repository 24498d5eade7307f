#!/bin/sh
# tests/bench/run.sh: make bench (issue #4). smsdesk against Kannel 1.4.5
# on this machine, in the same run, each facing a fresh simulator that
# sends N MOs and counts the replies (tests/bench/bench_mo.sh).
#
# For each N in BENCH_N ("10000 50000") every gateway in BENCH_GATEWAYS
# runs BENCH_RUNS (3) times; the summary gives each gateway's median
# MO/s, its peak RSS (the largest of its runs), and the ratios:
#   smsdesk / kannel-nostore   the target: at least 2
#   smsdesk / kannel-spool
#   blast / fastest gateway    the simulator's headroom: at least 3
#   plain / fastest gateway    smsdesk's SMPP client alone, no store
# then the outbox drain (smsdesk-drain: 100,000 queued; window 1, 10,
# 100), then the cost of a GET /metrics with 1 M and 10 M rows in the
# outbox (tests/bench/bench_metrics.sh: median and p90 of 20 scrapes),
# then the web view beside nginx (tests/bench/bench_web.sh: the sign-in
# and a request page; target: the request page at >= 0.5 x nginx's rate,
# p99 < 50 ms, no error).
#
# Every result line also goes to build/bench/results.txt (appended, with
# the date). The last line is "bench: target met" or "bench: target NOT
# met (reason)"; the exit status is 0 only when it was met.
#
# Environment: BENCH_N, BENCH_RUNS, BENCH_GATEWAYS, BENCH_DRAIN_N
# (100000), BENCH_DRAIN_WINDOWS ("1 10 100"), BENCH_DRAIN=0 to skip the
# drain, BENCH_METRICS_ROWS ("1000000 10000000"), BENCH_METRICS_SCRAPES
# (20), BENCH_METRICS=0 to skip the /metrics step, BENCH_WEB=0 to skip
# the web (BENCH_WEB_S, BENCH_WEB_CONNS: bench_web.sh), plus everything
# bench_mo.sh reads (KANNEL_*, SIM_MO_WINDOW, BENCH_IDLE...).
set -u
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
BUILD=${BUILD:-$ROOT/build}
case $BUILD in /*) ;; *) BUILD=$ROOT/$BUILD ;; esac
export BUILD
BENCH_N=${BENCH_N:-10000 50000}
BENCH_RUNS=${BENCH_RUNS:-3}
BENCH_GATEWAYS=${BENCH_GATEWAYS:-blast plain kannel-nostore kannel-spool smsdesk}
BENCH_DRAIN_N=${BENCH_DRAIN_N:-100000}
BENCH_DRAIN_WINDOWS=${BENCH_DRAIN_WINDOWS:-1 10 100}
BENCH_METRICS_ROWS=${BENCH_METRICS_ROWS:-1000000 10000000}
UTIL="python3 $HERE/bench_util.py"
mkdir -p "$BUILD/bench"
RESULTS=$BUILD/bench/results.txt
T=$(mktemp -d "${TMPDIR:-/tmp}/smsdesk-benchrun-XXXXXX")
trap 'rm -rf "$T"' EXIT
trap 'exit 130' INT TERM

# field LINE KEY: the value of key=value in a result line ("-" if none).
field() {
	v=$(printf '%s\n' "$1" | tr ' ' '\n' | sed -n "s/^$2=//p" | head -n 1)
	printf '%s\n' "${v:--}"
}

# ratio A B: A / B to two decimals, "-" if either is missing or 0.
ratio() {
	python3 -c '
import sys
try:
    a, b = float(sys.argv[1]), float(sys.argv[2])
    print("%.2f" % (a / b) if a > 0 and b > 0 else "-")
except ValueError:
    print("-")' "$1" "$2"
}

echo "bench: $(date -u +%Y-%m-%dT%H:%M:%SZ) on $(uname -n)," \
    "$(nproc) CPUs; N=$BENCH_N, $BENCH_RUNS runs each" | tee -a "$RESULTS"
if command -v dpkg-query >/dev/null 2>&1; then
	echo "bench: kannel $(dpkg-query -W -f='${Version}' kannel 2>/dev/null)"
fi
echo "bench: Kannel: $(sh "$HERE/bench_mo.sh" --kannel-settings)"

# --- MO round trips -------------------------------------------------------
# Runs go round-robin (run 1 of every gateway, then run 2...), so a slow
# patch of the machine costs every gateway alike. Kannel's spool makes
# and deletes a file per message, and ext4 scans past inodes deleted in
# the last minute or so when it allocates new ones: a spool run right
# after another one ran at a quarter of its speed here (the time going
# to the kernel's find_inode_bit/recently_deleted). So a kannel-spool run
# waits until SPOOL_COOLDOWN (90) s have passed since the previous one.
SPOOL_COOLDOWN=${SPOOL_COOLDOWN:-90}
spool_end=0
spool_cooldown() {
	[ "$spool_end" -eq 0 ] && return 0
	left=$((spool_end + SPOOL_COOLDOWN - $(date +%s)))
	if [ "$left" -gt 0 ]; then
		echo "  (waiting $left s: ext4 and the last spool run's deletions)"
		sleep "$left"
	fi
}

: >"$T/runs"
for n in $BENCH_N; do
	skip=""
	r=1
	while [ $r -le "$BENCH_RUNS" ]; do
		for gw in $BENCH_GATEWAYS; do
			case " $skip " in *" $gw "*) continue ;; esac
			[ "$gw" = kannel-spool ] && spool_cooldown
			line=$(sh "$HERE/bench_mo.sh" "$gw" "$n")
			[ "$gw" = kannel-spool ] && spool_end=$(date +%s)
			echo "  run $r: $line"
			echo "$(date -u +%FT%TZ) $line" >>"$RESULTS"
			secs=$(field "$line" seconds)
			rp=$(field "$line" replies)
			echo "$n $gw $secs $(field "$line" mo_per_s)" \
			    "$(field "$line" peak_rss_kb)" >>"$T/runs"
			# A gateway that answered nothing will not do better
			# on the next run: do not wait for it again.
			if [ "$secs" = - ] && { [ "$rp" = 0 ] || [ "$rp" = - ]; }
			then
				skip="$skip $gw"
			fi
		done
		r=$((r + 1))
	done
	for gw in $BENCH_GATEWAYS; do
		rates=$(awk -v n="$n" -v g="$gw" \
		    '$1 == n && $2 == g && $3 != "-" { printf " %s", $4 }' \
		    "$T/runs")
		ok=$(awk -v n="$n" -v g="$gw" \
		    '$1 == n && $2 == g && $3 != "-"' "$T/runs" | wc -l)
		rss=$(awk -v n="$n" -v g="$gw" 'BEGIN { m = 0 }
		    $1 == n && $2 == g && $5 != "-" && $5 + 0 > m { m = $5 + 0 }
		    END { print m }' "$T/runs")
		med=-
		[ "$ok" -gt 0 ] && med=$($UTIL median $rates)
		echo "$n $gw $med $ok $rss$rates" >>"$T/summary"
	done
done

# --- outbox drain ---------------------------------------------------------
# smsdesk's outbox drain alone: BENCH_DRAIN_N messages queued, then sent
# with [smpp] window 1, 10 and 100 (bench_mo.sh smsdesk-drain), BENCH_RUNS
# runs each, the median printed.
drain_bench() {
	echo "Outbox drain: $BENCH_DRAIN_N queued, median msg/s of $BENCH_RUNS runs"
	printf '%-7s %10s %12s  %s\n' window "msg/s" "peak RSS kB" "runs (msg/s)"
	for w in $BENCH_DRAIN_WINDOWS; do
		rates=""
		rss=0
		r=1
		while [ $r -le "$BENCH_RUNS" ]; do
			line=$(SMSDESK_WINDOW=$w sh "$HERE/bench_mo.sh" \
			    smsdesk-drain "$BENCH_DRAIN_N")
			echo "$(date -u +%FT%TZ) window=$w $line" >>"$RESULTS"
			v=$(field "$line" msg_per_s)
			[ "$(field "$line" seconds)" != - ] && rates="$rates $v"
			k=$(field "$line" peak_rss_kb)
			[ "$k" != - ] && [ "$k" -gt "$rss" ] && rss=$k
			r=$((r + 1))
		done
		med=-
		[ -n "$rates" ] && med=$($UTIL median $rates)
		printf '%-7s %10s %12s  %s\n' "$w" "$med" "$rss" "$rates"
	done
}

# --- /metrics cost ---------------------------------------------------------
# GET /metrics of 'smsdesk serve' on a database with ROWS outbox rows
# (bench_metrics.sh ROWS; the databases are made once into
# build/bench/metrics-ROWS, ~1.2 GB for 10 M rows).
metrics_bench() {
	echo "GET /metrics: ${BENCH_METRICS_SCRAPES:-20} scrapes one after another"
	printf '%-10s %10s %10s %10s  %s\n' "outbox" "median ms" "p90 ms" \
	    "max ms" "fill s"
	for rows in $BENCH_METRICS_ROWS; do
		line=$(sh "$HERE/bench_metrics.sh" "$rows")
		echo "$(date -u +%FT%TZ) $line" >>"$RESULTS"
		if [ "$(field "$line" median_ms)" = - ]; then
			echo "  $line"
			continue
		fi
		printf '%-10s %10s %10s %10s  %s\n' "$rows" \
		    "$(field "$line" median_ms)" "$(field "$line" p90_ms)" \
		    "$(field "$line" max_ms)" "$(field "$line" fill_s)"
	done
}

# --- summary --------------------------------------------------------------
echo
echo "MO round trips: median MO/s of $BENCH_RUNS runs, from the first MO" \
    "sent to the N-th reply received"
printf '%-7s %-15s %10s %6s %12s  %s\n' N gateway "MO/s" ok "peak RSS kB" \
    "runs (MO/s)"
while read -r n gw med ok rss rest; do
	printf '%-7s %-15s %10s %6s %12s  %s\n' "$n" "$gw" "$med" \
	    "$ok/$BENCH_RUNS" "$rss" "$rest"
done <"$T/summary"

verdict=""
get() { awk -v n="$1" -v g="$2" '$1 == n && $2 == g { print $3 }' \
    "$T/summary"; }
echo
echo "Ratios (medians):"
for n in $BENCH_N; do
	sd=$(get "$n" smsdesk)
	kn=$(get "$n" kannel-nostore)
	ks=$(get "$n" kannel-spool)
	bl=$(get "$n" blast)
	pl=$(get "$n" plain)
	fast=$(printf '%s\n' "${sd:--}" "${kn:--}" "${ks:--}" |
	    grep -v '^-$' | sort -n | tail -n 1)
	r1=$(ratio "${sd:--}" "${kn:--}")
	r2=$(ratio "${sd:--}" "${ks:--}")
	r3=$(ratio "${bl:--}" "${fast:--}")
	r4=$(ratio "${pl:--}" "${fast:--}")
	echo "  N=$n: smsdesk/kannel-nostore=$r1 (target >= 2)" \
	    " smsdesk/kannel-spool=$r2  blast/fastest=$r3 (>= 3)" \
	    " plain/fastest=$r4"
	ok1=$(python3 -c "import sys; print(1 if sys.argv[1] != '-' and float(sys.argv[1]) >= 2 else 0)" "$r1")
	ok3=$(python3 -c "import sys; print(1 if sys.argv[1] != '-' and float(sys.argv[1]) >= 3 else 0)" "$r3")
	[ "$ok1" = 1 ] || verdict="$verdict smsdesk/kannel-nostore at N=$n is $r1;"
	[ "$ok3" = 1 ] || verdict="$verdict blast/fastest at N=$n is $r3;"
done

echo
if [ "${BENCH_DRAIN:-1}" != 0 ]; then
	drain_bench
fi
if [ "${BENCH_METRICS:-1}" != 0 ]; then
	echo
	metrics_bench
fi
# The web view against nginx serving the same bytes (tests/bench/bench_web.sh).
if [ "${BENCH_WEB:-1}" != 0 ]; then
	echo
	sh "$HERE/bench_web.sh" >"$T/web" 2>&1
	cat "$T/web"
	sed -n 's/^  web /web /p' "$T/web" | while read -r l; do
		echo "$(date -u +%FT%TZ) $l" >>"$RESULTS"
	done
	if ! grep -q '^bench-web: target met' "$T/web"; then
		why=$(sed -n '/^bench-web: /{s///; s/^target NOT met (\(.*\))$/\1/; p;}' \
		    "$T/web" | tail -n 1)
		verdict="$verdict web: ${why:-no result};"
	fi
fi

echo
if [ -z "$verdict" ]; then
	echo "bench: target met" | tee -a "$RESULTS"
	exit 0
fi
verdict=${verdict# }
echo "bench: target NOT met (${verdict%;})" | tee -a "$RESULTS"
exit 1
