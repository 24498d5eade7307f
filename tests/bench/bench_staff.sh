#!/bin/sh
# tests/bench/bench_staff.sh: the staff inbox with 100,000 requests in the
# database (issue #14), beside the applicant's request page, in the same
# run.
#
# A fresh database (smsdesk db migrate) gets BENCH_STAFF_ROWS (100000)
# requests of 2,000 applicants over the 16 departments, each with its
# first message, written by sqlite3 in one transaction (a few seconds):
# a year of them, 15% awaiting, 15% answered, the rest closed, of every
# priority. 'smsdesk serve' (web only) then starts as an operator would
# after such a load: its start-up gives the awaiting rows their due times
# (core_request_due_fill) and indexes the rows for search
# (db_fts_catch_up); the time it took is printed. A staff member of
# department 2 (about 6,250 requests, some 1,900 open) and an applicant
# sign in through the pages (curl: the form, the SMS code read from the
# outbox whenever the server asks for one), the applicant opening a
# request of their own, and so does the head (every department: some
# 30,000 open requests). Then wrk (Debian's), WRK_SECONDS (30) seconds,
# WRK_CONNS (50) connections, 2 threads, on:
#   inbox    GET /staff/        the staff member's first inbox page
#   request  GET /requests/N    the applicant's request page
#   head     GET /staff/        the head's first inbox page (and again
#                               over one connection: one person's wait)
# and prints, for each, requests/s, p99 and the answers that were not 200
# (a Lua hook: a lost session would answer 303 or 404), then the query
# plan of the inbox's first page. Only 127.0.0.1 is used; every process
# started here is stopped by PID. Exit status 0 when both ran without an
# error answer.
set -u
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
BUILD=${BUILD:-$ROOT/build}
case $BUILD in /*) ;; *) BUILD=$ROOT/$BUILD ;; esac
BIN=${BIN:-$BUILD/smsdesk}
SECS=${WRK_SECONDS:-30}
CONNS=${WRK_CONNS:-50}
ROWS=${BENCH_STAFF_ROWS:-100000}
UTIL="python3 $HERE/bench_util.py"

for tool in wrk curl sqlite3 python3; do
	command -v $tool >/dev/null 2>&1 || {
		echo "bench-staff: $tool missing (sh tests/support/deps.sh bench)"
		exit 1
	}
done
[ -x "$BIN" ] || { echo "bench-staff: $BIN missing (make)"; exit 1; }

T=$(mktemp -d "${TMPDIR:-/tmp}/smsdesk-benchstaff-XXXXXX")
SPID=""
stop_pid() {
	[ -n "$1" ] || return 0
	kill "$1" 2>/dev/null
	i=0
	while kill -0 "$1" 2>/dev/null && [ $i -lt 50 ]; do
		sleep 0.1
		i=$((i + 1))
	done
	kill -9 "$1" 2>/dev/null
	wait "$1" 2>/dev/null
}
cleanup() {
	stop_pid "$SPID"
	rm -rf "$T"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

fail() {
	echo "bench-staff: $*"
	[ -f "$T/serve.log" ] && tail -n 20 "$T/serve.log"
	exit 1
}

WPORT=$($UTIL freeport 1)
cat >"$T/smsdesk.ini" <<INI
[db]
path = $T/desk.db
[web]
listen = 127.0.0.1:$WPORT
base_url = http://127.0.0.1:$WPORT
attachments_dir = $T/attachments
per_ip_connections = 200
[otp]
per_addr_hour = 100
global_hour = 400
[smpp]
enabled = no
INI
SD() { "$BIN" -c "$T/smsdesk.ini" "$@"; }
DB="$T/desk.db"
SD db migrate >/dev/null || fail "db migrate failed"

# The load: applicants, then requests with their first messages, in one
# transaction. Deterministic (the row number decides everything).
t0=$(date +%s.%N)
sqlite3 "$DB" <<SQL || fail "the bulk load failed"
PRAGMA journal_mode = WAL;
BEGIN;
WITH RECURSIVE k(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM k WHERE i < 2000)
INSERT INTO users (mobile, first_name, last_name, role, verified, created)
SELECT printf('+98915%07d', i), 'متقاضی', printf('شماره %d', i), 0, 1,
 strftime('%s', 'now') - 400 * 86400 FROM k;
WITH RECURSIVE k(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM k WHERE i < $ROWS)
INSERT INTO requests (applicant_id, dept_code, orig_dept, priority, title,
 status, channel, created, updated, waiting_since)
SELECT (SELECT min(id) FROM users) + (i * 7919) % 2000,
 1 + i % 16, 1 + i % 16, (i * 31) % 4,
 printf('درخواست شماره %d درباره %s', i, CASE i % 5
  WHEN 0 THEN 'پروانه اشتغال' WHEN 1 THEN 'بازرسی ساختمان'
  WHEN 2 THEN 'كارت عضويت' WHEN 3 THEN 'نقشه‌برداری' ELSE 'پرداخت حق عضویت'
  END),
 CASE WHEN i % 20 < 3 THEN 0 WHEN i % 20 < 6 THEN 1 ELSE 2 END,
 i % 4, t, t, t
FROM (SELECT i, strftime('%s', 'now') - 365 * 86400 + i * (365 * 86400 / $ROWS) AS t FROM k);
INSERT INTO messages (tracking, author_id, author_role, author_name, body,
 channel, created)
SELECT tracking, applicant_id, 0, 'متقاضی', 'سلام، لطفاً درخواست من را بررسی کنید. '
 || title, channel, created FROM requests;
COMMIT;
SQL
t1=$(date +%s.%N)
n=$(sqlite3 "$DB" "SELECT count(*) FROM requests")
echo "bench-staff: $n requests loaded in $(python3 -c "print('%.1f' % ($t1 - $t0))") s"

t0=$(date +%s.%N)
"$BIN" -c "$T/smsdesk.ini" serve --ready-file "$T/ready" >"$T/serve.log" 2>&1 &
SPID=$!
i=0
while [ ! -s "$T/ready" ]; do
	kill -0 "$SPID" 2>/dev/null && [ $i -lt 1800 ] || fail "serve did not start"
	sleep 0.1
	i=$((i + 1))
done
t1=$(date +%s.%N)
echo "bench-staff: serve ready in $(python3 -c "print('%.1f' % ($t1 - $t0))") s" \
    "($(grep -o 'due times kept n=[0-9]*' "$T/serve.log" | head -n 1)," \
    "$(grep -o 'requests indexed for search n=[0-9]*' "$T/serve.log" | head -n 1))"
B=http://127.0.0.1:$WPORT

csrf() { sed -n 's/.*name="csrf" value="\([^"]*\)".*/\1/p' "$1" | head -n 1; }
# code MOBILE: the newest code sent to MOBILE (E.164).
code() {
	sqlite3 "$DB" "SELECT body FROM outbox WHERE destination = '$1'
	    ORDER BY id DESC LIMIT 1" | grep -o '[0-9]\{6\}' | head -n 1
}
# verify JAR MOBILE: if the last answer sent us to /verify, the code.
verify() {
	[ "$(cat "$T/loc")" = "$B/verify" ] || return 0
	c=$(code "$2")
	[ -n "$c" ] || fail "no code for $2 in the outbox"
	curl -s -c "$1" -b "$1" -o "$T/v" "$B/verify"
	curl -s -c "$1" -b "$1" -o /dev/null -w '%{redirect_url}' \
	    --data-urlencode "csrf=$(csrf "$T/v")" --data-urlencode "code=$c" \
	    "$B/verify" >"$T/loc"
}
# signup JAR LOCAL E164 FIRST: through the pages, the code too.
signup() {
	curl -s -c "$1" -b "$1" -o "$T/p" "$B/signup" || fail "GET /signup"
	curl -s -c "$1" -b "$1" -o /dev/null -w '%{redirect_url}' \
	    --data-urlencode "csrf=$(csrf "$T/p")" --data-urlencode "first=$4" \
	    --data-urlencode last=آزمون --data-urlencode "mobile=$2" \
	    --data-urlencode "password=کرمان-باغ-۱۴۰۳-سرو" \
	    --data-urlencode "user_type=مهندس عضو" "$B/signup" >"$T/loc"
	verify "$1" "$3"
}
# signin JAR LOCAL E164: password, and the code whenever it is asked.
signin() {
	# The sign-up's code went a moment ago: the next may go a minute on.
	sqlite3 "$DB" "UPDATE otps SET created = created - 120 WHERE mobile = '$3'"
	curl -s -c "$1" -b "$1" -o "$T/p" "$B/" || fail "GET /"
	curl -s -c "$1" -b "$1" -o /dev/null -w '%{redirect_url}' \
	    --data-urlencode "csrf=$(csrf "$T/p")" --data-urlencode "mobile=$2" \
	    --data-urlencode "password=کرمان-باغ-۱۴۰۳-سرو" "$B/" >"$T/loc"
	verify "$1" "$3"
}

# The applicant and a request of their own.
JA=$T/jar.app
signup "$JA" 09131112233 +989131112233 سارا
TRK=$(SD request new --from 09131112233 --dept 2 --priority normal \
    --title "چاپگر طبقه دوم کاغذ را گیر می‌اندازد" \
    --text "سلام، چاپگر اتاق ۲۰۴ از دیروز کاغذ را گیر می‌اندازد.") ||
    fail "request new failed"
SD request reply "$TRK" --from 09131112233 --text "پیگیری: هنوز درست نشده." \
    >/dev/null || fail "request reply failed"
ASID=$(awk '$6 == "sd_s" { print $7 }' "$JA")
[ -n "$ASID" ] || fail "no applicant session cookie"

# The staff member: signed up, made staff of department 2, signed in.
JS=$T/jar.staff
signup "$T/jar.tmp" 09133334444 +989133334444 محمد
sqlite3 "$DB" "UPDATE users SET role = 1, title = 'کارشناس فناوری'
    WHERE mobile = '+989133334444';
    INSERT INTO staff_departments (user_id, dept_code)
    SELECT id, 2 FROM users WHERE mobile = '+989133334444';" ||
    fail "cannot make the staff member"
signin "$JS" 09133334444 +989133334444
SSID=$(awk '$6 == "sd_s" { print $7 }' "$JS")
[ -n "$SSID" ] || fail "no staff session cookie (sign-in went to $(cat "$T/loc"))"

# The head: every department's requests (some 30,000 open).
JH=$T/jar.head
signup "$T/jar.tmp2" 09133335555 +989133335555 زهرا
sqlite3 "$DB" "UPDATE users SET role = 2, title = 'رئیس سازمان'
    WHERE mobile = '+989133335555'" || fail "cannot make the head"
signin "$JH" 09133335555 +989133335555
HSID=$(awk '$6 == "sd_s" { print $7 }' "$JH")
[ -n "$HSID" ] || fail "no head session cookie (sign-in went to $(cat "$T/loc"))"
c3=$(curl -s -o "$T/head.html" -w '%{http_code}' -H "Cookie: sd_s=$HSID" "$B/staff/")
[ "$c3" = 200 ] || fail "the head's inbox answered $c3"

c1=$(curl -s -o "$T/inbox.html" -w '%{http_code}' -H "Cookie: sd_s=$SSID" "$B/staff/")
c2=$(curl -s -o "$T/request.html" -w '%{http_code}' -H "Cookie: sd_s=$ASID" \
    "$B/requests/$TRK")
[ "$c1/$c2" = 200/200 ] || fail "pages answered $c1/$c2"
rows=$(grep -o 'href="/staff/requests/[0-9]*"' "$T/inbox.html" | wc -l)
total=$(sed -n 's/.*<p class="total">\([^<]*\)<.*/\1/p' "$T/inbox.html")
[ "$rows" -gt 0 ] || fail "the inbox lists nothing"
echo "bench-staff: inbox page $(wc -c <"$T/inbox.html") bytes, $rows rows" \
    "of «$total»; request page $(wc -c <"$T/request.html") bytes"


# run PAGE URL COOKIE: one wrk run; its result line.
run() {
	th=2
	[ "$CONNS" -ge 2 ] || th=1
	wrk -t$th -c"$CONNS" -d"${SECS}s" --timeout 10s -s "$HERE/non200.lua" \
	    -H "Cookie: $3" "$2" >"$T/wrk.$1" 2>&1
	o=$T/wrk.$1
	rps=$(awk '/^Requests\/sec:/ { print $2 }' "$o")
	p99=$(awk -F= '/^p99_us=/ { printf "%.2f", $2 / 1000 }' "$o")
	bad=$(awk -F= '/^non200=/ { print $2 }' "$o")
	se=$(awk '/Socket errors:/ { gsub(",", ""); print $4 + $6 + $8 + $10 }' "$o")
	echo "$1 ${rps:--} ${p99:--} ${bad:--} ${se:-0}"
}

echo "bench-staff: $(date -u +%Y-%m-%dT%H:%M:%SZ) $(nproc) CPUs, load" \
    "$(cut -d' ' -f1-3 /proc/loadavg); wrk $SECS s, $CONNS connections, 2 threads"
l1=$(run inbox "$B/staff/" "sd_s=$SSID")
l2=$(run request "$B/requests/$TRK" "sd_s=$ASID")
l3=$(run head "$B/staff/" "sd_s=$HSID")
# One person at a time: the head's page as the head sees it.
CONNS=1
l4=$(run head1 "$B/staff/" "sd_s=$HSID")
kill -0 "$SPID" 2>/dev/null || fail "serve died under load"
echo
printf '%-9s %-22s %10s %9s %8s %8s\n' page path "req/s" "p99 ms" "non-200" "sock err"
set -- $l1
printf '%-9s %-22s %10s %9s %8s %8s\n' "$1" "/staff/" "$2" "$3" "$4" "$5"
ok1=$([ "$4" = 0 ] && [ "$5" = 0 ] && echo 1)
set -- $l2
printf '%-9s %-22s %10s %9s %8s %8s\n' "$1" "/requests/$TRK" "$2" "$3" "$4" "$5"
ok2=$([ "$4" = 0 ] && [ "$5" = 0 ] && echo 1)
set -- $l3
printf '%-9s %-22s %10s %9s %8s %8s\n' "$1" "/staff/ (the head)" "$2" "$3" "$4" "$5"
ok3=$([ "$4" = 0 ] && [ "$5" = 0 ] && echo 1)
set -- $l4
printf '%-9s %-22s %10s %9s %8s %8s\n' "head" "/staff/, 1 connection" "$2" "$3" "$4" "$5"

# How SQLite reads the first page: the department's index entries
# (requests_dept with the sort keys), a top-25 sort of them, then the 25
# rows and their names.
echo
echo "the inbox's plan (first page, department 2, open):"
sqlite3 "$DB" "EXPLAIN QUERY PLAN WITH k AS MATERIALIZED (SELECT
    r.tracking AS t, (r.status = 0 AND r.due > 0 AND r.due < 1) AS o,
    r.priority AS p, r.created AS c FROM requests r WHERE 1 AND r.dept_code
    IN (SELECT dept_code FROM staff_departments WHERE user_id = 1) AND
    r.status IN (0, 1) ORDER BY o DESC, p, c, t LIMIT 25 OFFSET 0)
    SELECT r.title, u.last_name, d.name FROM k JOIN requests r
    ON r.tracking = k.t JOIN users u ON u.id = r.applicant_id
    JOIN departments d ON d.code = r.dept_code
    ORDER BY k.o DESC, k.p, k.c, k.t" | sed 's/^/  /'
if [ "$ok1$ok2$ok3" = 111 ]; then
	echo "bench-staff: done"
	exit 0
fi
echo "bench-staff: errors under load"
exit 1
