#!/bin/sh
# tests/integ/test_metrics.sh: GET /metrics of 'smsdesk serve' (issue #9,
# /metrics cost). The counts now come from a table that db/outbox.c keeps,
# not from a GROUP BY over the outbox: the text keeps its format line for line
# (the shape below is main's output before the change, values replaced by
# N), and messages queued by another process ('smsdesk queue add' while
# serve runs) show at the next scrape, as 'smsdesk queue' shows them.
set -u
. tests/integ/lib.sh
BIN=${BIN:-build/smsdesk}
integ_begin metrics
need "$BIN" "build first (make)"

free_port || { echo "FAIL - no free port"; exit 1; }
cat >"$T/smsdesk.ini" <<INI
[db]
path = $T/smsdesk.db
[web]
listen = 127.0.0.1:$PORT
attachments_dir = $T/attachments
[smpp]
enabled = no
INI
serve_start "$T/smsdesk.ini" || exit 1
scrape() { curl -s --max-time 10 "http://127.0.0.1:$PORT/metrics" >"$T/$1"; }
value() { sed -n "s/^$2 //p" "$T/$1"; }

cat >"$T/shape" <<'SHAPE'
# HELP smsdesk_outbox_messages Outbound messages by kind and state.
# TYPE smsdesk_outbox_messages gauge
smsdesk_outbox_messages{kind="otp",state="queued"} N
smsdesk_outbox_messages{kind="otp",state="submitted"} N
smsdesk_outbox_messages{kind="otp",state="accepted"} N
smsdesk_outbox_messages{kind="otp",state="delivered"} N
smsdesk_outbox_messages{kind="otp",state="undeliverable"} N
smsdesk_outbox_messages{kind="otp",state="expired"} N
smsdesk_outbox_messages{kind="otp",state="failed"} N
smsdesk_outbox_messages{kind="alert",state="queued"} N
smsdesk_outbox_messages{kind="alert",state="submitted"} N
smsdesk_outbox_messages{kind="alert",state="accepted"} N
smsdesk_outbox_messages{kind="alert",state="delivered"} N
smsdesk_outbox_messages{kind="alert",state="undeliverable"} N
smsdesk_outbox_messages{kind="alert",state="expired"} N
smsdesk_outbox_messages{kind="alert",state="failed"} N
smsdesk_outbox_messages{kind="reply",state="queued"} N
smsdesk_outbox_messages{kind="reply",state="submitted"} N
smsdesk_outbox_messages{kind="reply",state="accepted"} N
smsdesk_outbox_messages{kind="reply",state="delivered"} N
smsdesk_outbox_messages{kind="reply",state="undeliverable"} N
smsdesk_outbox_messages{kind="reply",state="expired"} N
smsdesk_outbox_messages{kind="reply",state="failed"} N
smsdesk_outbox_messages{kind="ussd",state="queued"} N
smsdesk_outbox_messages{kind="ussd",state="submitted"} N
smsdesk_outbox_messages{kind="ussd",state="accepted"} N
smsdesk_outbox_messages{kind="ussd",state="delivered"} N
smsdesk_outbox_messages{kind="ussd",state="undeliverable"} N
smsdesk_outbox_messages{kind="ussd",state="expired"} N
smsdesk_outbox_messages{kind="ussd",state="failed"} N
# HELP smsdesk_outbox_oldest_waiting_seconds Age of the oldest queued or submitted message.
# TYPE smsdesk_outbox_oldest_waiting_seconds gauge
smsdesk_outbox_oldest_waiting_seconds N
# HELP smsdesk_smpp_link_up 1 while bound to the SMSC.
# TYPE smsdesk_smpp_link_up gauge
smsdesk_smpp_link_up N
# HELP smsdesk_http_fallback_active 1 while fallback kinds go over HTTP.
# TYPE smsdesk_http_fallback_active gauge
smsdesk_http_fallback_active N
# HELP smsdesk_submits_total Messages handed to a transport.
# TYPE smsdesk_submits_total counter
smsdesk_submits_total{route="smpp"} N
smsdesk_submits_total{route="http"} N
# HELP smsdesk_accepted_total Messages the SMSC accepted (every part).
# TYPE smsdesk_accepted_total counter
smsdesk_accepted_total{route="smpp"} N
smsdesk_accepted_total{route="http"} N
# HELP smsdesk_send_errors_total Failed sends by SMPP status or cause.
# TYPE smsdesk_send_errors_total counter
# HELP smsdesk_receipts_total Delivery receipts by the state they report.
# TYPE smsdesk_receipts_total counter
smsdesk_receipts_total{state="delivered"} N
smsdesk_receipts_total{state="undeliverable"} N
smsdesk_receipts_total{state="expired"} N
smsdesk_receipts_total{state="failed"} N
smsdesk_receipts_total{state="other"} N
# HELP smsdesk_mo_total Inbound messages (SMS and USSD).
# TYPE smsdesk_mo_total counter
smsdesk_mo_total N
# HELP smsdesk_mo_duplicates_total Redeliveries recognized.
# TYPE smsdesk_mo_duplicates_total counter
smsdesk_mo_duplicates_total N
# HELP smsdesk_store_batches_total Group commits.
# TYPE smsdesk_store_batches_total counter
smsdesk_store_batches_total N
smsdesk_store_batch_failures_total N
# HELP smsdesk_queue_to_accept_seconds From queued to accepted by the SMSC.
# TYPE smsdesk_queue_to_accept_seconds histogram
smsdesk_queue_to_accept_seconds_bucket{le="0.01"} N
smsdesk_queue_to_accept_seconds_bucket{le="0.05"} N
smsdesk_queue_to_accept_seconds_bucket{le="0.1"} N
smsdesk_queue_to_accept_seconds_bucket{le="0.25"} N
smsdesk_queue_to_accept_seconds_bucket{le="0.5"} N
smsdesk_queue_to_accept_seconds_bucket{le="1"} N
smsdesk_queue_to_accept_seconds_bucket{le="2.5"} N
smsdesk_queue_to_accept_seconds_bucket{le="5"} N
smsdesk_queue_to_accept_seconds_bucket{le="10"} N
smsdesk_queue_to_accept_seconds_bucket{le="30"} N
smsdesk_queue_to_accept_seconds_bucket{le="60"} N
smsdesk_queue_to_accept_seconds_bucket{le="300"} N
smsdesk_queue_to_accept_seconds_bucket{le="+Inf"} N
smsdesk_queue_to_accept_seconds_sum N
smsdesk_queue_to_accept_seconds_count N
# HELP smsdesk_ussd_sessions USSD dialogues held in memory.
# TYPE smsdesk_ussd_sessions gauge
smsdesk_ussd_sessions N
# HELP smsdesk_ussd_dialogues_total USSD dialogues by how they ended.
# TYPE smsdesk_ussd_dialogues_total counter
smsdesk_ussd_dialogues_total{result="started"} N
smsdesk_ussd_dialogues_total{result="finished"} N
smsdesk_ussd_dialogues_total{result="abandoned"} N
smsdesk_ussd_dialogues_total{result="refused"} N
SHAPE

# --- the format, on an empty outbox --------------------------------------
scrape m0
sed 's/^\([^#][^ ]*\) .*$/\1 N/' "$T/m0" >"$T/m0.shape"
check "the text has main's shape, line for line" \
    'diff "$T/shape" "$T/m0.shape"'
check "every sample's value is a number" \
    '! grep -v "^#" "$T/m0" | grep -Evq " -?[0-9]+(\.[0-9]+)?$"'
check "an empty outbox counts 0 everywhere" \
    '! grep "^smsdesk_outbox_messages{" "$T/m0" | grep -vq " 0$"'

# --- rows queued by another process ---------------------------------------
"$BIN" -c "$T/smsdesk.ini" queue add --to 09131000000 --text "اطلاعیه" \
    --kind alert --count 3 >/dev/null 2>&1
"$BIN" -c "$T/smsdesk.ini" queue add --to 09131000001 --text "کد" \
    --kind otp --count 2 >/dev/null 2>&1
scrape m1
check "3 alerts queued by the CLI counted at once" \
    '[ "$(value m1 "smsdesk_outbox_messages{kind=\"alert\",state=\"queued\"}")" = 3 ]'
check "2 OTPs queued by the CLI counted at once" \
    '[ "$(value m1 "smsdesk_outbox_messages{kind=\"otp\",state=\"queued\"}")" = 2 ]'
check "nothing else counted" \
    '[ "$(grep "^smsdesk_outbox_messages{" "$T/m1" | grep -vc " 0$")" = 2 ]'
age=$(value m1 smsdesk_outbox_oldest_waiting_seconds)
check "the oldest waiting is seconds old (age=$age)" \
    '[ -n "$age" ] && [ "$age" -ge 0 ] && [ "$age" -lt 60 ]'
"$BIN" -c "$T/smsdesk.ini" queue >"$T/queue" 2>&1
check "'smsdesk queue' agrees" \
    'grep -Eq "^alert +3 +0 +0" "$T/queue" && grep -Eq "^otp +2 +0 +0" "$T/queue"'
scrape m2
sed 's/^\([^#][^ ]*\) .*$/\1 N/' "$T/m2" >"$T/m2.shape"
check "the same shape with rows" 'diff "$T/shape" "$T/m2.shape"'

[ $fails -eq 0 ] || exit 1
echo "all ok"
