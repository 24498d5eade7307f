#!/bin/sh
# tests/bench/bench_metrics.sh ROWS: the cost of one GET /metrics with ROWS
# rows in the outbox (issue #9, "/metrics cost").
#
# A database with ROWS outbox rows is made once into
# build/bench/metrics-ROWS/ (again when build/smsdesk is newer): the
# schema by 'smsdesk db migrate', the rows by one INSERT ... SELECT over
# a recursive CTE in the sqlite3 shell (and outbox_counts by one GROUP
# BY, as the migration fills it), in the mix a busy gateway's
# outbox holds: per thousand, 5 queued (not due for ten years, so
# nothing is sent), 895 delivered, 80 accepted, 10 undeliverable, 5
# expired, 5 failed; the four kinds in turn. Each run copies it, starts
# 'smsdesk serve' on the copy ([smpp] enabled = no, so the outbox does
# not move), scrapes /metrics once to warm the page cache, then
# BENCH_METRICS_SCRAPES (20) times, one after another, and checks that
# the scraped smsdesk_outbox_messages add up to ROWS. Prints one line:
#
#   metrics rows=R scrapes=N median_ms=M p90_ms=P max_ms=X bytes=B
#       fill_s=F serve_start_s=S
#
# (fill_s: the time to fill the template, "-" when it was reused;
# serve_start_s: from start to the ready file.) On failure the line
# has median_ms=- and error="..." and the exit status is 1.
#
# Only 127.0.0.1 is used; the server is stopped by PID (SIGTERM, then
# SIGKILL after 5 s) and the copy removed, also on Ctrl-C.
set -u
[ $# -eq 1 ] || { echo "usage: $0 ROWS" >&2; exit 2; }
ROWS=$1
case $ROWS in '' | *[!0-9]*) echo "usage: $0 ROWS" >&2; exit 2 ;; esac
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
BUILD=${BUILD:-$ROOT/build}
case $BUILD in /*) ;; *) BUILD=$ROOT/$BUILD ;; esac
BIN=$BUILD/smsdesk
UTIL="python3 $ROOT/tests/bench/bench_util.py"
SCRAPES=${BENCH_METRICS_SCRAPES:-20}
T=$(mktemp -d "${TMPDIR:-/tmp}/smsdesk-metrics-XXXXXX")
PID=""
FILL_S=-

cleanup() {
	if [ -n "$PID" ]; then
		kill "$PID" 2>/dev/null
		i=0
		while [ $i -lt 50 ] && kill -0 "$PID" 2>/dev/null; do
			sleep 0.1
			i=$((i + 1))
		done
		kill -0 "$PID" 2>/dev/null && kill -9 "$PID" 2>/dev/null
		wait "$PID" 2>/dev/null
		PID=""
	fi
	rm -rf "$T"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

fail() {
	echo "metrics rows=$ROWS scrapes=$SCRAPES median_ms=- error=\"$1\""
	exit 1
}

[ -x "$BIN" ] || fail "$BIN missing (make)"
command -v sqlite3 >/dev/null 2>&1 || fail "sqlite3 shell missing"

tpl=$BUILD/bench/metrics-$ROWS
if [ ! -s "$tpl/smsdesk.db" ] || [ "$BIN" -nt "$tpl/smsdesk.db" ]; then
	rm -rf "$tpl.tmp" "$tpl"
	mkdir -p "$tpl.tmp"
	printf '[db]\npath = %s\n[smpp]\nenabled = no\n' \
	    "$tpl.tmp/smsdesk.db" >"$tpl.tmp/make.ini"
	f0=$(date +%s.%N)
	"$BIN" -c "$tpl.tmp/make.ini" db migrate >"$tpl.tmp/make.log" 2>&1 ||
		fail "db migrate: $(tail -n 1 "$tpl.tmp/make.log")"
	now=$(date +%s)
	sqlite3 "$tpl.tmp/smsdesk.db" >>"$tpl.tmp/make.log" 2>&1 <<SQL ||
PRAGMA journal_mode = WAL;
PRAGMA synchronous = OFF;
PRAGMA cache_size = -262144;
BEGIN;
WITH RECURSIVE c(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM c
    WHERE i + 1 < $ROWS)
INSERT INTO outbox (kind, priority, destination, body, not_before,
    attempts, state, smsc_id, created, created_ms, updated, parts, route,
    receipt)
SELECT i % 4, 2, '+98913' || (1000000 + i % 1000000),
    'اطلاعیه آزمایشی #' || i,
    CASE WHEN i % 1000 < 5 THEN $now + 315360000 ELSE 0 END,
    CASE WHEN i % 1000 < 5 THEN 0 ELSE 1 END,
    CASE WHEN i % 1000 < 5 THEN 0
         WHEN i % 1000 < 900 THEN 3
         WHEN i % 1000 < 980 THEN 2
         WHEN i % 1000 < 990 THEN 4
         WHEN i % 1000 < 995 THEN 5
         ELSE 6 END,
    CASE WHEN i % 1000 < 5 THEN NULL ELSE printf('%08x', i) END,
    $now - $ROWS + i, ($now - $ROWS + i) * 1000, $now - $ROWS + i, 1, 1, 0
FROM c;
COMMIT;
PRAGMA wal_checkpoint(TRUNCATE);
SQL
		fail "fill: $(tail -n 1 "$tpl.tmp/make.log")"
	# The counts smsdesk keeps as it changes rows (schema 6, absent
	# before), made as the migration makes them.
	if [ "$(sqlite3 "$tpl.tmp/smsdesk.db" "SELECT count(*) FROM
	    sqlite_master WHERE name = 'outbox_counts'")" = 1 ]; then
		sqlite3 "$tpl.tmp/smsdesk.db" >>"$tpl.tmp/make.log" 2>&1 <<SQL ||
BEGIN;
DELETE FROM outbox_counts;
INSERT INTO outbox_counts (kind, state, n)
SELECT kind, state, count(*) FROM outbox GROUP BY kind, state;
INSERT INTO outbox_counts (kind, state, n) SELECT -1, -1,
    coalesce((SELECT min(id) FROM outbox WHERE state IN (0, 1)), 0);
COMMIT;
SQL
			fail "counts: $(tail -n 1 "$tpl.tmp/make.log")"
	fi
	FILL_S=$(python3 -c 'import sys, time
print("%.1f" % (time.time() - float(sys.argv[1])))' "$f0")
	mv "$tpl.tmp" "$tpl"
fi

set -- $($UTIL freeport 1)
WEB=$1
cp "$tpl/smsdesk.db" "$T/smsdesk.db" || fail "copy failed"
cat >"$T/smsdesk.ini" <<INI
[db]
path = $T/smsdesk.db

[web]
listen = 127.0.0.1:$WEB
base_url = http://127.0.0.1:$WEB
attachments_dir = $T/attachments

[smpp]
enabled = no

[sla]
holidays_file = $ROOT/conf/holidays.txt

[log]
level = warn
INI
s0=$(date +%s.%N)
"$BIN" -c "$T/smsdesk.ini" serve --ready-file "$T/ready" \
    >"$T/serve.log" 2>&1 &
PID=$!
i=0
while [ ! -s "$T/ready" ]; do
	kill -0 "$PID" 2>/dev/null ||
		fail "smsdesk did not start: $(tail -n 1 "$T/serve.log")"
	[ $i -ge 1200 ] && fail "smsdesk not ready after 120 s"
	sleep 0.1
	i=$((i + 1))
done
START_S=$(python3 -c 'import sys, time
print("%.1f" % (time.time() - float(sys.argv[1])))' "$s0")
res=$($UTIL scrape "http://127.0.0.1:$WEB/metrics" "$SCRAPES" "$ROWS") ||
	fail "scrape: $res"
echo "metrics rows=$ROWS scrapes=$SCRAPES $res fill_s=$FILL_S" \
    "serve_start_s=$START_S"
