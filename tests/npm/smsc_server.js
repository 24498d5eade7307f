#!/usr/bin/env node
/*
 * tests/npm/smsc_server.js: an SMSC nobody here wrote, for
 * tests/integ/test_npm_smpp.sh. The SMPP side is the npm package smpp
 * (pinned to 0.5.1 in package.json); this file only adds the SMSC's
 * behaviour: bind checks, message ids, receipts, MOs, and a record of
 * what arrived.
 *
 *   node smsc_server.js --ready FILE --summary FILE [--system-id S]
 *        [--password W] [--mo N] [--lifetime S] [--verbose]
 *
 * It listens on 127.0.0.1 on a port the kernel picks and writes that
 * port to the ready file (atomically: a temporary file, then rename).
 * Any number of ESME sessions may come and go one after another or at
 * once (a transmitter plus a receiver, or one transceiver).
 *
 * - bind_*: system_id and password must match (ESME_RINVSYSID,
 *   ESME_RINVPASWD otherwise); anything but a bind before it is
 *   answered ESME_RINVBNDSTS.
 * - enquire_link, unbind: answered (the session is closed after
 *   unbind_resp).
 * - submit_sm: recorded, answered with a unique message_id; parts of a
 *   concatenated message are joined by the UDH (IEI 0x00 or 0x08), or by
 *   the sar_* TLVs. smpp 0.5.1 decodes short_message (and
 *   message_payload) itself: into {udh: [IE, ...], message: String} when
 *   esm_class has UDHI 0x40 (each IE a Buffer IEI, IEL, data; the text
 *   decoded by data_coding: 8 UTF-16BE via iconv-lite, 0 and 1 GSM 03.38
 *   one septet per octet, 3 Latin-1), else into {message: String}. The
 *   text kept is that decoding, parts joined in sequence order.
 * - registered_delivery & 1: a receipt goes back as deliver_sm (esm_class
 *   0x04) with receipted_message_id and message_state TLVs and the
 *   Appendix B text, on a session of the same system_id that may receive
 *   (the transceiver, or the receiver of tx+rx), once one is bound.
 * - MOs: the first --mo of three (a Persian UCS-2 text, a GSM text, a
 *   Persian UCS-2 text in two UDH parts) go to the first receiving
 *   session bound; parts not answered ESME_ROK go again on the next one.
 *
 * The summary (JSON) is rewritten after every unbind and close, and at
 * exit: on SIGTERM/SIGINT, or --lifetime seconds after the start (30 by
 * default) whether or not anybody connected.
 */
'use strict';

const fs = require('fs');
const path = require('path');
const smpp = require('smpp');

/* ---- options ---------------------------------------------------------- */

function usage(msg) {
	if (msg)
		process.stderr.write('smsc_server: ' + msg + '\n');
	process.stderr.write('usage: node smsc_server.js --ready FILE ' +
	    '--summary FILE [--system-id S] [--password W] [--mo N] ' +
	    '[--lifetime S] [--verbose]\n');
	process.exit(2);
}

const opt = {
	ready: null,
	summary: null,
	systemId: 'smsdesk',
	password: 'secret',
	mo: 3,
	lifetime: 30,
	verbose: false,
};
{
	const a = process.argv.slice(2);
	for (let i = 0; i < a.length; i++) {
		const need = () => {
			if (i + 1 >= a.length)
				usage(a[i] + ' needs a value');
			return a[++i];
		};
		switch (a[i]) {
		case '--ready': opt.ready = need(); break;
		case '--summary': opt.summary = need(); break;
		case '--system-id': opt.systemId = need(); break;
		case '--password': opt.password = need(); break;
		case '--mo': opt.mo = Number(need()); break;
		case '--lifetime': opt.lifetime = Number(need()); break;
		case '--verbose': case '-v': opt.verbose = true; break;
		default: usage('unknown argument ' + a[i]);
		}
	}
	if (!opt.ready || !opt.summary)
		usage('--ready and --summary are required');
	if (!(opt.mo >= 0 && opt.mo <= 3))
		usage('--mo is 0..3');
	if (!(opt.lifetime > 0 && opt.lifetime <= 600))
		usage('--lifetime is 1..600 seconds');
}

function log(...args) {
	if (opt.verbose)
		process.stderr.write('smsc_server: ' + args.join(' ') + '\n');
}

/* Keep a copy of every PDU's bytes, for the record: the library parses
 * them unchanged (not enumerable, so its own loops over a PDU's keys
 * never see it). */
{
	const fromBuffer = smpp.PDU.prototype.fromBuffer;
	smpp.PDU.prototype.fromBuffer = function (buf) {
		Object.defineProperty(this, 'raw', {value: Buffer.from(buf),
		    enumerable: false, writable: true});
		return fromBuffer.call(this, buf);
	};
}

/* ---- state ------------------------------------------------------------ */

const started = new Date();
const S = {
	package: 'smpp@' + require('smpp/package.json').version,
	port: null,
	started: started.toISOString(),
	ended: null,
	end_reason: null,
	sessions: 0,
	binds: [],          /* every bind attempt */
	enquire_links: 0,
	unbinds: 0,
	submits: [],        /* every submit_sm, in arrival order */
	messages: [],       /* whole messages, in completion order */
	incomplete: [],     /* filled at the end: groups still missing parts */
	receipts: [],       /* receipts sent */
	mo: [],             /* MOs sent */
	other_pdus: [],     /* anything else the ESME sent */
	errors: [],         /* what should not have happened */
};

let nextSession = 0;
/* Message ids: a per-run base so that two runs never share one. */
const idBase = (Date.now() % 0x10000000) * 0x100;
let nextId = 0;
/* Open concatenation groups: key -> {parts: Map(seq -> part), ...}. */
const groups = new Map();
/* Deliveries (receipts, MO parts) waiting for a receiving session. */
const outQueue = [];
/* MO messages queued so far (only once per run). */
let moQueued = false;

function newMessageId() {
	nextId++;
	return (idBase + nextId).toString(16);
}

function hex(buf) {
	return Buffer.isBuffer(buf) ? buf.toString('hex') : null;
}

function fail(what) {
	S.errors.push(what);
	log('error:', what);
}

/* ---- the summary ------------------------------------------------------ */

function writeSummary() {
	S.ended = new Date().toISOString();
	S.incomplete = [];
	for (const [key, g] of groups)
		S.incomplete.push({key: key, total: g.total,
		    have: [...g.parts.keys()].sort((x, y) => x - y)});
	S.counts = {
		submits: S.submits.length,
		messages: S.messages.length,
		binds_ok: S.binds.filter((b) => b.status === 0).length,
		binds_refused: S.binds.filter((b) => b.status !== 0).length,
		receipts_sent: S.receipts.length,
		receipts_acked: S.receipts.filter((r) => r.resp_status === 0)
		    .length,
		mo_sent: S.mo.filter((m) => m.parts_sent >= m.parts).length,
		mo_acked: S.mo.filter((m) => m.parts_acked === m.parts).length,
	};
	const tmp = opt.summary + '.tmp' + process.pid;
	fs.writeFileSync(tmp, JSON.stringify(S, null, 1) + '\n');
	fs.renameSync(tmp, opt.summary);
}

let ending = false;
function finish(reason) {
	if (ending)
		return;
	ending = true;
	S.end_reason = reason;
	log('exiting:', reason);
	try {
		writeSummary();
	} catch (e) {
		process.stderr.write('smsc_server: cannot write summary: ' +
		    e.message + '\n');
		process.exit(1);
	}
	process.exit(0);
}

process.on('SIGTERM', () => finish('SIGTERM'));
process.on('SIGINT', () => finish('SIGINT'));
setTimeout(() => finish('lifetime of ' + opt.lifetime + ' s'),
    opt.lifetime * 1000);

/* ---- decoding --------------------------------------------------------- */

/* The concatenation facts of one submit_sm, or null if it stands alone.
 * udh is smpp 0.5.1's list of IEs (Buffers: IEI, IEL, data...). */
function concatOf(pdu, udh) {
	for (const ie of udh || []) {
		if (ie[0] === 0x00 && ie[1] === 3 && ie.length >= 5)
			return {how: 'udh8', ref: ie[2], total: ie[3],
			    seq: ie[4]};
		if (ie[0] === 0x08 && ie[1] === 4 && ie.length >= 6)
			return {how: 'udh16', ref: ie[2] << 8 | ie[3],
			    total: ie[4], seq: ie[5]};
	}
	if (pdu.sar_msg_ref_num !== undefined &&
	    pdu.sar_total_segments !== undefined &&
	    pdu.sar_segment_seqnum !== undefined)
		return {how: 'sar', ref: pdu.sar_msg_ref_num,
		    total: pdu.sar_total_segments,
		    seq: pdu.sar_segment_seqnum};
	return null;
}

/* What smpp 0.5.1 made of the text of a submit_sm: {udh, text, where}. */
function textOf(pdu) {
	const sm = pdu.short_message;
	const pl = pdu.message_payload;
	const smText = sm && typeof sm === 'object' && !Buffer.isBuffer(sm) ?
	    sm.message : sm;
	if ((smText === undefined || smText === '' ||
	    (Buffer.isBuffer(smText) && smText.length === 0)) &&
	    pl !== undefined && pl !== null) {
		if (typeof pl === 'object' && !Buffer.isBuffer(pl))
			return {udh: pl.udh, text: pl.message,
			    where: 'message_payload'};
		return {udh: undefined, text: pl, where: 'message_payload'};
	}
	if (sm && typeof sm === 'object' && !Buffer.isBuffer(sm))
		return {udh: sm.udh, text: sm.message, where: 'short_message'};
	return {udh: undefined, text: sm, where: 'short_message'};
}

/* ---- deliveries to the ESME ------------------------------------------- */

function canReceive(sess) {
	return sess.bound && !sess.closed && sess.systemId !== null &&
	    (sess.mode === 'trx' || sess.mode === 'rx');
}

/* A session of system_id that may receive: the newest. */
function receiverFor(systemId) {
	let best = null;
	for (const sess of server.sessions)
		if (canReceive(sess.st) && sess.st.systemId === systemId)
			best = sess;
	return best;
}

/* Send what waits in outQueue for this system_id. */
function flushOut() {
	for (let i = 0; i < outQueue.length;) {
		const item = outQueue[i];
		const sess = receiverFor(item.systemId);
		if (sess === null) {
			i++;
			continue;
		}
		outQueue.splice(i, 1);
		item.send(sess);
	}
}

function ymdhm(d) {
	const p = (n) => String(n).padStart(2, '0');
	return p(d.getUTCFullYear() % 100) + p(d.getUTCMonth() + 1) +
	    p(d.getUTCDate()) + p(d.getUTCHours()) + p(d.getUTCMinutes());
}

function queueReceipt(systemId, sub) {
	const now = new Date();
	const first = String(sub.text || '').slice(0, 20)
	    .replace(/[^\x20-\x7e]/g, '?');
	const text = 'id:' + sub.message_id + ' sub:001 dlvrd:001 submit ' +
	    'date:' + ymdhm(sub.at) + ' done date:' + ymdhm(now) +
	    ' stat:DELIVRD err:000 text:' + first;
	const rec = {
		message_id: sub.message_id,
		to: sub.source_addr,   /* the receipt goes back to the sender */
		from: sub.destination_addr,
		text: text,
		session: null,
		resp_status: null,
	};
	S.receipts.push(rec);
	outQueue.push({
		systemId: systemId,
		send: (sess) => {
			rec.session = sess.st.id;
			const ok = sess.deliver_sm({
				source_addr_ton: sub.dest_addr_ton,
				source_addr_npi: sub.dest_addr_npi,
				source_addr: sub.destination_addr,
				dest_addr_ton: sub.source_addr_ton,
				dest_addr_npi: sub.source_addr_npi,
				destination_addr: sub.source_addr,
				esm_class: smpp.ESM_CLASS.MC_DELIVERY_RECEIPT,
				data_coding: 0,
				short_message: Buffer.from(text, 'ascii'),
				receipted_message_id: sub.message_id,
				message_state: smpp.MESSAGE_STATE.DELIVERED,
			}, (resp) => {
				rec.resp_status = resp.command_status;
				if (resp.command_status !== 0)
					fail('receipt ' + sub.message_id +
					    ' answered status ' +
					    resp.command_status);
			});
			if (!ok)
				fail('receipt ' + sub.message_id +
				    ': session not writable');
		},
	});
}

/* The MOs: text, data_coding, and how many UDH parts. */
const MO_TEXTS = [
	{text: 'سلام، لطفاً وضعیت سفارش ۴۸۱۵ را اعلام کنید.',
	    data_coding: 8, parts: 1},
	{text: 'Hi! Where is my order #4815? Call me @ 0912 [urgent] ~ 10:30 {ok}',
	    data_coding: 0, parts: 1},
	{text: 'با درود؛ دیروز پیامکی رسید که بسته‌ام ارسال شده، اما هنوز ' +
	    'چیزی نرسیده. کد رهگیری ۹۸۷۶۵۴۳۲۱ است. لطفاً پیگیری کنید.',
	    data_coding: 8, parts: 2},
];
const MO_FROM = '989121234567';
const MO_TO = '30001234';

function encodeMo(m) {
	if (m.data_coding === 8)
		return smpp.encodings.UCS2.encode(m.text);
	return smpp.encodings.ASCII.encode(m.text); /* GSM 03.38, unpacked */
}

function queueMos(systemId) {
	if (moQueued)
		return;
	moQueued = true;
	let ref = 0x5a;
	for (const m of MO_TEXTS.slice(0, opt.mo)) {
		const body = encodeMo(m);
		const chunks = [];
		if (m.parts === 1) {
			chunks.push({udh: null, data: body});
		} else {
			/* UCS-2: 67 characters (134 octets) a part. */
			const per = 134;
			if (body.length <= per * (m.parts - 1) ||
			    body.length > per * m.parts) {
				fail('MO text does not make ' + m.parts +
				    ' parts');
				continue;
			}
			for (let k = 0; k < m.parts; k++)
				chunks.push({
					udh: Buffer.from([0x05, 0x00, 0x03, ref,
					    m.parts, k + 1]),
					data: body.slice(k * per, (k + 1) * per),
				});
			ref++;
		}
		const rec = {text: m.text, data_coding: m.data_coding,
		    parts: chunks.length, parts_sent: 0, parts_acked: 0,
		    statuses: [], hex: hex(body)};
		S.mo.push(rec);
		for (const c of chunks) {
			const item = {
				systemId: systemId,
				send: (sess) => {
					const sm = c.udh ?
					    Buffer.concat([c.udh, c.data]) : c.data;
					const ok = sess.deliver_sm({
						source_addr_ton: 1,
						source_addr_npi: 1,
						source_addr: MO_FROM,
						dest_addr_ton: 0,
						dest_addr_npi: 1,
						destination_addr: MO_TO,
						esm_class: c.udh ? 0x40 : 0,
						data_coding: m.data_coding,
						short_message: sm,
					}, (resp) => {
						rec.statuses.push(
						    resp.command_status);
						if (resp.command_status === 0) {
							rec.parts_acked++;
							return;
						}
						/* Not taken: again on the next
						 * receiving bind, like an SMSC. */
						outQueue.push(item);
					});
					if (ok)
						rec.parts_sent++;
					else
						outQueue.push(item);
				},
			};
			outQueue.push(item);
		}
	}
}

/* ---- submit_sm -------------------------------------------------------- */

function onSubmit(sess, pdu) {
	const st = sess.st;
	const at = new Date();
	if (!st.bound || st.mode === 'rx') {
		sess.send(pdu.response({
		    command_status: smpp.ESME_RINVBNDSTS}));
		fail('submit_sm on a session not bound to send (session ' +
		    st.id + ')');
		return;
	}
	const t = textOf(pdu);
	const c = concatOf(pdu, t.udh);
	const messageId = newMessageId();
	const rec = {
		session: st.id,
		sequence_number: pdu.sequence_number,
		message_id: messageId,
		at: at,
		service_type: pdu.service_type,
		source_addr_ton: pdu.source_addr_ton,
		source_addr_npi: pdu.source_addr_npi,
		source_addr: pdu.source_addr,
		dest_addr_ton: pdu.dest_addr_ton,
		dest_addr_npi: pdu.dest_addr_npi,
		destination_addr: pdu.destination_addr,
		esm_class: pdu.esm_class,
		priority_flag: pdu.priority_flag,
		registered_delivery: pdu.registered_delivery,
		data_coding: pdu.data_coding,
		text_in: t.where,
		udh: (t.udh || []).map(hex),
		concat: c,
		text: typeof t.text === 'string' ? t.text : null,
		pdu_hex: hex(pdu.raw),
	};
	if (rec.text === null)
		fail('submit_sm seq ' + pdu.sequence_number +
		    ': smpp 0.5.1 gave no text (data_coding ' + pdu.data_coding +
		    ')');
	S.submits.push(rec);
	log('submit_sm seq=' + pdu.sequence_number, 'id=' + messageId,
	    'dc=' + pdu.data_coding, 'esm=' + pdu.esm_class,
	    c ? c.how + ' ' + c.seq + '/' + c.total + ' ref=' + c.ref :
	    'single');

	sess.send(pdu.response({message_id: messageId}), () => {
		if ((pdu.registered_delivery & 1) !== 0) {
			queueReceipt(st.systemId, rec);
			setTimeout(flushOut, 10);
		}
	});

	if (c === null || c.total <= 1) {
		completeMessage([rec], c ? c.how : 'none');
		return;
	}
	if (c.seq < 1 || c.seq > c.total) {
		fail('submit_sm ' + messageId + ': part ' + c.seq + ' of ' +
		    c.total);
		return;
	}
	const key = [c.how, pdu.source_addr, pdu.destination_addr, c.ref,
		c.total].join('/');
	let g = groups.get(key);
	if (!g) {
		g = {total: c.total, how: c.how, parts: new Map()};
		groups.set(key, g);
	}
	if (g.parts.has(c.seq))
		fail('part ' + c.seq + ' of ' + key + ' came twice (ids ' +
		    g.parts.get(c.seq).message_id + ', ' + messageId + ')');
	g.parts.set(c.seq, rec);
	if (g.parts.size === g.total) {
		groups.delete(key);
		const parts = [];
		for (let k = 1; k <= g.total; k++)
			parts.push(g.parts.get(k));
		completeMessage(parts, g.how);
	}
}

function completeMessage(parts, how) {
	const m = {
		text: parts.map((p) => p.text === null ? '' : p.text).join(''),
		parts: parts.length,
		concat: how,
		data_codings: parts.map((p) => p.data_coding),
		esm_classes: parts.map((p) => p.esm_class),
		text_in: parts.map((p) => p.text_in),
		registered_delivery: parts.map((p) => p.registered_delivery),
		message_ids: parts.map((p) => p.message_id),
		source_addr: parts[0].source_addr,
		destination_addr: parts[0].destination_addr,
		dest_addr_ton: parts[0].dest_addr_ton,
		dest_addr_npi: parts[0].dest_addr_npi,
		sessions: [...new Set(parts.map((p) => p.session))],
	};
	/* Every part of one message has one data_coding. */
	if (new Set(m.data_codings).size !== 1)
		fail('message to ' + m.destination_addr + ' mixes data_codings ' +
		    m.data_codings.join(','));
	S.messages.push(m);
	log('message to', m.destination_addr, 'parts=' + m.parts, how,
	    JSON.stringify(m.text));
}

/* ---- sessions --------------------------------------------------------- */

const BIND_MODE = {
	bind_transceiver: 'trx',
	bind_transmitter: 'tx',
	bind_receiver: 'rx',
};

const server = smpp.createServer((sess) => {
	const st = {id: ++nextSession, bound: false, closed: false,
	    mode: null, systemId: null};
	sess.st = st;
	S.sessions++;
	log('session', st.id, 'connected');

	sess.on('error', (e) => {
		/* A reset after the ESME left: recorded, not fatal. */
		log('session', st.id, 'error', e.message);
	});
	sess.on('close', () => {
		st.closed = true;
		st.bound = false;
		log('session', st.id, 'closed');
		try {
			writeSummary();
		} catch (e) {
			process.stderr.write('smsc_server: ' + e.message + '\n');
		}
	});

	for (const cmd of Object.keys(BIND_MODE)) {
		sess.on(cmd, (pdu) => {
			const b = {session: st.id, command: cmd,
			    system_id: pdu.system_id,
			    system_type: pdu.system_type,
			    interface_version: pdu.interface_version,
			    addr_ton: pdu.addr_ton, addr_npi: pdu.addr_npi,
			    address_range: pdu.address_range,
			    status: 0, status_name: 'ESME_ROK'};
			S.binds.push(b);
			if (st.bound) {
				b.status = smpp.ESME_RALYBND;
				b.status_name = 'ESME_RALYBND';
			} else if (pdu.system_id !== opt.systemId) {
				b.status = smpp.ESME_RINVSYSID;
				b.status_name = 'ESME_RINVSYSID';
			} else if (pdu.password !== opt.password) {
				b.status = smpp.ESME_RINVPASWD;
				b.status_name = 'ESME_RINVPASWD';
			}
			log('session', st.id, cmd, 'system_id=' + pdu.system_id,
			    '->', b.status_name);
			if (b.status !== 0) {
				sess.send(pdu.response({
				    command_status: b.status}));
				return;
			}
			st.bound = true;
			st.mode = BIND_MODE[cmd];
			st.systemId = pdu.system_id;
			sess.send(pdu.response({system_id: 'npmsmsc'}), () => {
				if (st.mode !== 'tx')
					queueMos(st.systemId);
				flushOut();
			});
		});
	}

	sess.on('enquire_link', (pdu) => {
		S.enquire_links++;
		sess.send(pdu.response());
	});

	sess.on('unbind', (pdu) => {
		S.unbinds++;
		st.bound = false;
		log('session', st.id, 'unbind');
		sess.send(pdu.response(), () => {
			try {
				writeSummary();
			} catch (e) {
				process.stderr.write('smsc_server: ' + e.message +
				    '\n');
			}
			sess.close();
		});
	});

	sess.on('submit_sm', (pdu) => onSubmit(sess, pdu));

	sess.on('pdu', (pdu) => {
		const known = ['bind_transceiver', 'bind_transmitter',
			'bind_receiver', 'enquire_link', 'unbind', 'submit_sm',
			'deliver_sm_resp', 'enquire_link_resp', 'unbind_resp'];
		if (known.includes(pdu.command))
			return;
		S.other_pdus.push({session: st.id, command: pdu.command,
		    command_id: pdu.command_id,
		    command_status: pdu.command_status,
		    pdu_hex: hex(pdu.raw)});
		if (pdu.command === 'generic_nack') {
			fail('generic_nack from the ESME, seq ' +
			    pdu.sequence_number + ' status ' +
			    pdu.command_status);
			return;
		}
		if (pdu.isResponse())
			return;
		if (!st.bound) {
			sess.send(pdu.response({
			    command_status: smpp.ESME_RINVBNDSTS}));
			return;
		}
		/* Bound, but nothing this SMSC offers. */
		if (pdu.command === 'unknown')
			sess.send(pdu.response());
		else
			sess.send(pdu.response({
			    command_status: smpp.ESME_RINVCMDID}));
	});
});

server.on('error', (e) => {
	process.stderr.write('smsc_server: ' + e.message + '\n');
	finish('server error: ' + e.message);
});

server.listen(0, '127.0.0.1', () => {
	S.port = server.address().port;
	const tmp = opt.ready + '.tmp' + process.pid;
	fs.writeFileSync(tmp, S.port + '\n');
	fs.renameSync(tmp, opt.ready);
	log('listening on 127.0.0.1:' + S.port, 'summary',
	    path.resolve(opt.summary));
});
