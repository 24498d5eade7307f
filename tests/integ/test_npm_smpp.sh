#!/bin/sh
# Interoperability with an SMSC nobody here wrote: the npm package smpp
# (0.5.1, pinned in tests/npm/package.json) as the server, driven by
# tests/npm/smsc_server.js. smsdesk's ESME (build/esme-peer) binds to it,
# submits UCS-2 Persian texts (one in three UDH parts, one short) and a
# GSM text in two parts, asks for receipts, and receives three MOs (a
# Persian one, a GSM one, a Persian one in two UDH parts); the long
# Persian text goes again with long_sms sar and payload. The server
# writes what it decoded to a JSON summary; the texts are compared byte
# for byte with what was submitted, the MOs with what esme-peer printed.
# A wrong password must be refused with ESME_RINVPASWD. Receipts are
# matched by id through esme-peer -v's debug line "receipt id=I state=S".
#
# Needs node and npm; tests/npm/node_modules is installed with npm ci
# when missing (skipped when present, so it also runs offline).
set -u
PEER=${PEER:-build/esme-peer}
NPMDIR=tests/npm

command -v node >/dev/null 2>&1 ||
    { echo "FAIL - node not found (apt-get install nodejs npm)"; exit 1; }
command -v npm >/dev/null 2>&1 ||
    { echo "FAIL - npm not found (apt-get install npm)"; exit 1; }
[ -x "$PEER" ] || { echo "FAIL - $PEER missing (make build/esme-peer)"; exit 1; }
if [ ! -d "$NPMDIR/node_modules/smpp" ]; then
	echo "installing $NPMDIR/node_modules (npm ci)"
	(cd "$NPMDIR" && npm ci --no-audit --no-fund --loglevel=error) ||
	    { echo "FAIL - npm ci in $NPMDIR failed"; exit 1; }
fi

T=$(mktemp -d "${TMPDIR:-/tmp}/smsdesk-npm-XXXXXX")
SPID=""
cleanup() {
	[ -n "$SPID" ] && kill "$SPID" 2>/dev/null
	rm -rf "$T"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

SUM="$T/summary.json"
node "$NPMDIR/smsc_server.js" --ready "$T/ready" --summary "$SUM" \
    --mo 3 --lifetime 120 --verbose >"$T/server.log" 2>&1 &
SPID=$!
i=0
while [ ! -s "$T/ready" ] && [ $i -lt 100 ] && kill -0 "$SPID" 2>/dev/null; do
	sleep 0.1
	i=$((i + 1))
done
[ -s "$T/ready" ] || { echo "FAIL - the npm SMSC did not start"; cat "$T/server.log"; exit 1; }
PORT=$(cat "$T/ready")
echo "npm smpp SMSC on 127.0.0.1:$PORT"

fails=0
check() {
	if eval "$2"; then
		echo "ok - $1"
	else
		echo "FAIL - $1"
		fails=$((fails + 1))
	fi
}

# js EXPR: evaluate EXPR with s = the server's summary; strings print as
# they are (UTF-8, no newline), anything else as JSON.
js() {
	node -e '
const s = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8"));
const v = new Function("s", "return (" + process.argv[2] + ");")(s);
process.stdout.write(typeof v === "string" ? v : JSON.stringify(v));
' "$SUM" "$1"
}

# The texts. LONG: 184 Persian characters (UCS-2: 3 parts of at most 67),
# with Persian digits and a ZWNJ. GSM: 190 septets with extension
# characters (GSM 7-bit: 2 parts of at most 153).
LONG='سلام! این یک پیام آزمایشی طولانی از میز کمک پیامکی است. شماره پیگیری شما ۱۲۳۴۵۶۷۸۹۰ است و کارشناس ما تا ۲۴ ساعت آینده با شما تماس می‌گیرد. با سپاس از شکیبایی شما، ژاله و گروه پشتیبانی.'
SHORT='درود، درخواست ۴۲ شما ثبت شد.'
GSM='Ticket [SD-1042] update: your request about the {billing} issue was received; fee ~5 EUR (5€). Reply HELP for help or STOP to opt out. Thanks from the smsdesk team @ 24/7 support_line!'

# run NAME TO TEXT EXPECT_RECEIPTS [esme-peer options...]
run() {
	name=$1 to=$2 text=$3 nrec=$4
	shift 4
	"$PEER" --port "$PORT" --submit 1 --to "$to" --text "$text" \
	    --receipts --expect-receipts "$nrec" --timeout 30 \
	    --response-timeout 2 -v "$@" >"$T/$name.out" 2>"$T/$name.err"
	echo $? >"$T/$name.rc"
	printf '%s' "$text" >"$T/$name.want"
	echo "$name: $(tail -n 1 "$T/$name.out")"
}

run long +989131111111 "$LONG" 3 --expect-mo 3 --print-mo
run short +989131111112 "$SHORT" 1
run gsm +989131111113 "$GSM" 2 --bind tx+rx
run sar +989131111114 "$LONG" 3 --long-sms sar
run payload +989131111115 "$LONG" 1 --long-sms payload
# It must wait for something to try a bind at all: an MO that never comes.
"$PEER" --port "$PORT" --password wrong --expect-mo 1 --timeout 2 \
    --response-timeout 2 >"$T/badpw.out" 2>"$T/badpw.err"
echo $? >"$T/badpw.rc"
echo "badpw: $(tail -n 1 "$T/badpw.out")"

# Stop the server: it writes its final summary on SIGTERM.
kill "$SPID" 2>/dev/null
i=0
while kill -0 "$SPID" 2>/dev/null && [ $i -lt 50 ]; do sleep 0.1; i=$((i + 1)); done
kill -0 "$SPID" 2>/dev/null && kill -9 "$SPID" 2>/dev/null
wait "$SPID" 2>/dev/null
SPID=""
[ -s "$SUM" ] || { echo "FAIL - no summary from the npm SMSC"; cat "$T/server.log"; exit 1; }
check "server is $(js 's.package')" "[ \"\$(js 's.package')\" = smpp@0.5.1 ]"

# peer NAME KEY: a number from esme-peer's summary line.
peer() { tail -n 1 "$T/$1.out" | tr ' ' '\n' | sed -n "s/^$2=//p"; }

# msg DEST EXPR: EXPR of the message the server reassembled for DEST.
msg() { js "(s.messages.find((m) => m.destination_addr === '$1') || {})$2"; }

# Each submitted text, as the far side decoded and joined it.
# name:destination:submit_sm:data_coding:joined by:carried in
for r in long:989131111111:3:8:udh8:short_message \
    short:989131111112:1:8:none:short_message \
    gsm:989131111113:2:0:udh8:short_message \
    sar:989131111114:3:8:sar:short_message \
    payload:989131111115:1:8:none:message_payload; do
	IFS=: read -r name dest parts dc how where <<EOF
$r
EOF
	check "$name: esme-peer met its expectations" "[ \"\$(cat $T/$name.rc)\" = 0 ]"
	nb=1
	[ "$name" = gsm ] && nb=2 # a transmitter and a receiver
	check "$name: $nb successful bind(s)" "[ \"\$(peer $name binds)\" = $nb ]"
	msg "$dest" '.text' >"$T/$name.got"
	check "$name: text arrived intact (byte for byte)" "cmp -s $T/$name.want $T/$name.got"
	check "$name: in $parts part(s)" "[ \"\$(msg $dest .parts)\" = $parts ]"
	check "$name: data_coding $dc in every part" \
	    "[ \"\$(msg $dest '.data_codings.every((d) => d === $dc)')\" = true ]"
	check "$name: destination 989... with TON 1 NPI 1" \
	    "[ \"\$(msg $dest .dest_addr_ton)/\$(msg $dest .dest_addr_npi)\" = 1/1 ]"
	check "$name: carried in $how / $where" \
	    "[ \"\$(msg $dest .concat)\" = $how ] && [ \"\$(msg $dest '.text_in.every((w) => w === \"$where\")')\" = true ]"
	if [ "$how" = udh8 ]; then
		check "$name: UDHI set (esm_class 0x40) in every part" \
		    "[ \"\$(msg $dest '.esm_classes.every((e) => (e & 0x40) !== 0)')\" = true ]"
	fi
	# Receipts: one per part asked for, each matched by our client to
	# the message id the server gave (esme-peer -v logs the id it read).
	check "$name: receipts asked for every part" \
	    "[ \"\$(msg $dest '.registered_delivery.every((r) => (r & 1) === 1)')\" = true ]"
	check "$name: $parts receipt(s) received (receipts=$(peer "$name" receipts))" \
	    "[ \"\$(peer $name receipts)\" = $parts ]"
	for id in $(msg "$dest" '.message_ids.join(" ")'); do
		check "$name: receipt for message id $id read as delivered" \
		    "grep -q 'receipt id=$id state=delivered' $T/$name.err"
	done
	check "$name: no undecodable PDU, no generic_nack" \
	    "[ \"\$(peer $name bad_pdus)/\$(peer $name generic_nacks)\" = 0/0 ]"
	# esme-peer queues its submit while the first connect is in
	# progress: a "connect timeout" here means the session missed the
	# connect's completion (sess_flush() re-arming the fd for reading
	# only while CONNECTING was such a bug).
	check "$name: no timeout (timeouts=$(peer "$name" timeouts))" \
	    "[ \"\$(peer $name timeouts)\" = 0 ]"
done
check "every submit_sm answered with a distinct message id" \
    "[ \"\$(js 'new Set(s.submits.map((x) => x.message_id)).size')\" = \"\$(js 's.submits.length')\" ]"
check "10 submit_sm in all (3 + 1 + 2 + 3 + 1)" "[ \"\$(js 's.submits.length')\" = 10 ]"
check "no concatenated message left incomplete" "[ \"\$(js 's.incomplete.length')\" = 0 ]"
check "all 10 receipts answered ESME_ROK" \
    "[ \"\$(js 's.receipts.filter((r) => r.resp_status === 0).length')\" = 10 ]"

# The MOs: each printed by esme-peer exactly as the server sent it.
check "long: 3 MOs received (mo=$(peer long mo))" "[ \"\$(peer long mo)\" = 3 ]"
for k in 0 1 2; do
	js "s.mo[$k].text" >"$T/mo$k.want"
	mparts=$(js "s.mo[$k].parts")
	grep "^mo from=" "$T/long.out" | sed -n "$((k + 1))p" >"$T/mo$k.line"
	sed 's/^mo from=[^ ]* to=[^ ]* parts=[^ ]* incomplete=[^ ]* ussd=[^ ]* text=//' "$T/mo$k.line" | tr -d '\n' >"$T/mo$k.got"
	check "MO $((k + 1)) ($mparts part(s), data_coding $(js "s.mo[$k].data_coding")) acknowledged" \
	    "[ \"\$(js 's.mo[$k].parts_acked')\" = $mparts ]"
	check "MO $((k + 1)) text intact at our side" "cmp -s $T/mo$k.want $T/mo$k.got"
	check "MO $((k + 1)) joined from $mparts part(s), complete" \
	    "grep -q ' parts=$mparts incomplete=0 ' $T/mo$k.line"
	check "MO $((k + 1)) from 989121234567 to 30001234" \
	    "grep -q '^mo from=989121234567 to=30001234 ' $T/mo$k.line"
done

# The wrong password.
check "badpw: esme-peer did not bind" "[ \"\$(peer badpw binds)\" = 0 ] && [ \"\$(cat $T/badpw.rc)\" != 0 ]"
check "badpw: refused with ESME_RINVPASWD" \
    "[ \"\$(js 's.binds.filter((b) => b.status_name === \"ESME_RINVPASWD\").length')\" -ge 1 ]"
check "badpw: only that bind refused" "[ \"\$(js 's.binds.filter((b) => b.status !== 0).every((b) => b.status_name === \"ESME_RINVPASWD\")')\" = true ]"

check "the npm SMSC saw nothing wrong" "[ \"\$(js 's.errors.length')\" = 0 ]"
if [ $fails -ne 0 ]; then
	echo "--- server errors: $(js 's.errors')"
	for n in long short gsm sar payload badpw; do
		echo "--- $n (esme-peer)"
		tail -n 15 "$T/$n.err"
	done
	echo "--- server log"
	tail -n 40 "$T/server.log"
fi
if [ $fails -ne 0 ]; then
	echo "npm-smpp: $fails check(s) failed"
	exit 1
fi
echo "npm-smpp: every check passed"
exit 0
