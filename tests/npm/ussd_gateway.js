#!/usr/bin/env node
/*
 * tests/npm/ussd_gateway.js: an operator's USSD gateway nobody here
 * wrote, for tests/integ/test_ussd.sh (issue #12). The SMPP side is the
 * npm package smpp (pinned in package.json); this file plays the
 * handsets: it walks scripted dialogues against the ESME bound to it and
 * records every screen as it arrived on the wire.
 *
 *   node ussd_gateway.js --ready FILE --summary FILE --plan FILE
 *        [--lifetime S] [--verbose]
 *
 * The plan (JSON): {"op_begin": 1, "op_answer": 18, "dialogues": [
 *   {"name": "...", "from": "98913...", "to": "3000",
 *    "key": "its_session_info" | "user_message_reference" | "msisdn",
 *    "session": N, "steps": ["*3000#", "1", "10001"], "wait_s": 10}]}
 * Dialogues run one after another once a receiving session is bound. A
 * dialogue's first step goes as a deliver_sm with ussd_service_op
 * op_begin, the others with op_answer, each after the screen that
 * answers the step before; with key its_session_info each carries
 * its_session_info = [session, sequence << 1] (sequence 0, 1, ... as a
 * handset's dialogue units), with user_message_reference that TLV =
 * session, with msisdn no session TLV at all. A screen (a submit_sm with
 * ussd_service_op) is recorded with its op, its_session_info octets
 * (hex), user_message_reference, service_type and text. A dialogue ends
 * at a screen whose its_session_info has the end bit (octet 2, bit 0) or
 * whose op is not USSR request (2); with steps left then, or no screen
 * within wait_s, it is recorded as an error. A dialogue whose steps run
 * out while a menu still waits is left open (abandoned, as a handset
 * walking away) and recorded so. A dialogue with "close": true sends
 * its last step with the end bit set in its_session_info (the handset
 * cancels) and expects no screen for it within 700 ms. With "ussn_confirm": N in the plan, a
 * last screen sent as USSN (op 3) is acknowledged as a handset does,
 * with a deliver_sm of ussd_service_op N (USSN confirm, 19) and the
 * dialogue's session TLV; the next dialogue starts 500 ms later, so a
 * screen answering the confirm lands in the finished dialogue's record.
 *
 * Texts (SMS) the ESME sends meanwhile are recorded in sms[]. The
 * summary is written when the plan is done (then the process exits), on
 * SIGTERM, or after --lifetime seconds (60 by default).
 */
'use strict';

const fs = require('fs');
const smpp = require('smpp');

function usage(msg) {
	if (msg)
		process.stderr.write('ussd_gateway: ' + msg + '\n');
	process.stderr.write('usage: node ussd_gateway.js --ready FILE ' +
	    '--summary FILE --plan FILE [--lifetime S] [--verbose]\n');
	process.exit(2);
}

const opt = {ready: null, summary: null, plan: null, lifetime: 60,
	verbose: false};
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
		case '--plan': opt.plan = need(); break;
		case '--lifetime': opt.lifetime = Number(need()); break;
		case '--verbose': case '-v': opt.verbose = true; break;
		default: usage('unknown argument ' + a[i]);
		}
	}
	if (!opt.ready || !opt.summary || !opt.plan)
		usage('--ready, --summary and --plan are required');
	if (!(opt.lifetime > 0 && opt.lifetime <= 600))
		usage('--lifetime is 1..600 seconds');
}

const plan = JSON.parse(fs.readFileSync(opt.plan, 'utf8'));
const OP_BEGIN = plan.op_begin !== undefined ? plan.op_begin : 1;
const OP_ANSWER = plan.op_answer !== undefined ? plan.op_answer : 18;
const OP_CONTINUE = 2; /* USSR request: the only op a menu waits with */

function log(...args) {
	if (opt.verbose)
		process.stderr.write('ussd_gateway: ' + args.join(' ') + '\n');
}

const S = {
	package: 'smpp@' + require('smpp/package.json').version,
	port: null,
	binds: 0,
	dialogues: [],  /* one record per dialogue of the plan */
	sms: [],        /* submit_sm without ussd_service_op */
	errors: [],
	end_reason: null,
};

function fail(what) {
	S.errors.push(what);
	log('error:', what);
}

function writeSummary() {
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
	writeSummary();
	process.exit(0);
}
process.on('SIGTERM', () => finish('SIGTERM'));
process.on('SIGINT', () => finish('SIGINT'));
setTimeout(() => finish('lifetime of ' + opt.lifetime + ' s'),
    opt.lifetime * 1000);

/* The text as the handset sends it: GSM 7-bit (unpacked) when it can,
 * else UCS-2. */
function encode(text) {
	if (/^[\x20-\x7e]*$/.test(text))
		return {dc: 0, sm: smpp.encodings.ASCII.encode(text)};
	return {dc: 8, sm: smpp.encodings.UCS2.encode(text)};
}

function textOf(pdu) {
	const sm = pdu.short_message;
	if (sm && typeof sm === 'object' && !Buffer.isBuffer(sm))
		return typeof sm.message === 'string' ? sm.message : null;
	return typeof sm === 'string' ? sm : null;
}

/* ---- the dialogues ---------------------------------------------------- */

let session = null;   /* the bound receiving ESME session */
let cur = null;       /* {d, rec, step, timer} of the dialogue running */
let started = false;

function sendStep() {
	const d = cur.d;
	const k = cur.step;
	const e = encode(d.steps[k]);
	const pdu = {
		service_type: 'USSD',
		source_addr_ton: 1,
		source_addr_npi: 1,
		source_addr: d.from,
		dest_addr_ton: 0,
		dest_addr_npi: 1,
		destination_addr: d.to || '3000',
		data_coding: e.dc,
		short_message: e.sm,
		ussd_service_op: k === 0 ? OP_BEGIN : OP_ANSWER,
	};
	const closing = d.close === true && k + 1 === d.steps.length;
	if (d.key === 'its_session_info')
		pdu.its_session_info = Buffer.from([d.session & 0xff,
		    ((k << 1) & 0xfe) | (closing ? 1 : 0)]);
	else if (d.key === 'user_message_reference')
		pdu.user_message_reference = d.session;
	cur.rec.steps.push({text: d.steps[k], op: pdu.ussd_service_op,
	    its: pdu.its_session_info ? pdu.its_session_info.toString('hex') :
	    null});
	log('dialogue', d.name, 'step', k, JSON.stringify(d.steps[k]));
	session.deliver_sm(pdu, (resp) => {
		if (resp.command_status !== 0)
			fail(d.name + ': step ' + k + ' answered status ' +
			    resp.command_status);
	});
	clearTimeout(cur.timer);
	if (closing) {
		cur.rec.closed = true;
		cur.timer = setTimeout(nextDialogue, 700);
		return;
	}
	cur.timer = setTimeout(() => {
		fail(d.name + ': no screen within ' + (d.wait_s || 10) +
		    ' s after step ' + k);
		nextDialogue();
	}, (d.wait_s || 10) * 1000);
}

/* The handset acknowledges a USSN (our last screen). */
function sendConfirm() {
	const d = cur.d;
	const pdu = {
		service_type: 'USSD',
		source_addr_ton: 1,
		source_addr_npi: 1,
		source_addr: d.from,
		dest_addr_ton: 0,
		dest_addr_npi: 1,
		destination_addr: d.to || '3000',
		data_coding: 0,
		short_message: Buffer.alloc(0),
		ussd_service_op: plan.ussn_confirm,
	};
	if (d.key === 'its_session_info')
		pdu.its_session_info = Buffer.from([d.session & 0xff,
		    ((cur.step + 1) << 1) & 0xfe]);
	else if (d.key === 'user_message_reference')
		pdu.user_message_reference = d.session;
	const rec = cur.rec;
	rec.confirm_sent = true;
	log('dialogue', d.name, 'USSN confirm op', plan.ussn_confirm);
	session.deliver_sm(pdu, (resp) => {
		rec.confirm_status = resp.command_status;
	});
}

function nextDialogue() {
	if (cur !== null)
		clearTimeout(cur.timer);
	const i = cur === null ? 0 : cur.index + 1;
	if (i >= plan.dialogues.length) {
		cur = null;
		/* Let the last texts (an SMS after the screen) come in. */
		setTimeout(() => finish('plan done'), plan.linger_ms || 1000);
		return;
	}
	const d = plan.dialogues[i];
	const rec = {name: d.name, from: d.from, key: d.key,
		session: d.session, steps: [], screens: [], ended: false,
		abandoned: false};
	S.dialogues.push(rec);
	cur = {index: i, d: d, rec: rec, step: 0, timer: null};
	sendStep();
}

function onScreen(pdu) {
	const its = pdu.its_session_info;
	const scr = {
		op: pdu.ussd_service_op,
		its: Buffer.isBuffer(its) ? its.toString('hex') : null,
		umr: pdu.user_message_reference !== undefined ?
		    pdu.user_message_reference : null,
		service_type: pdu.service_type,
		data_coding: pdu.data_coding,
		esm_class: pdu.esm_class,
		text: textOf(pdu),
		to: pdu.destination_addr,
	};
	scr.end = (Buffer.isBuffer(its) && its.length === 2 &&
	    (its[1] & 1) === 1) || scr.op !== OP_CONTINUE;
	if (cur === null || !pdu.destination_addr.endsWith(
	    cur.d.from.slice(-10))) {
		fail('a screen to ' + pdu.destination_addr +
		    ' with no dialogue open: ' + JSON.stringify(scr));
		return;
	}
	cur.rec.screens.push(scr);
	if (cur.rec.closed) {
		fail(cur.d.name + ': a screen after the handset closed: ' +
		    JSON.stringify(scr.text));
		return;
	}
	log('dialogue', cur.d.name, 'screen op=' + scr.op, 'its=' + scr.its,
	    'end=' + scr.end, JSON.stringify(scr.text));
	if (scr.end) {
		if (cur.rec.ended) {
			fail(cur.d.name + ': a screen after the last one: ' +
			    JSON.stringify(scr.text));
			return;
		}
		cur.rec.ended = true;
		if (cur.step + 1 < cur.d.steps.length)
			fail(cur.d.name + ': ended after step ' + cur.step +
			    ' of ' + cur.d.steps.length);
		if (plan.ussn_confirm !== undefined && scr.op === 3) {
			sendConfirm();
			clearTimeout(cur.timer);
			cur.timer = setTimeout(nextDialogue, 500);
			return;
		}
		nextDialogue();
		return;
	}
	cur.step++;
	if (cur.step >= cur.d.steps.length) {
		cur.rec.abandoned = true; /* the handset walks away */
		nextDialogue();
		return;
	}
	sendStep();
}

const server = smpp.createServer((sess) => {
	sess.on('error', (e) => log('session error', e.message));
	for (const cmd of ['bind_transceiver', 'bind_receiver',
		'bind_transmitter']) {
		sess.on(cmd, (pdu) => {
			S.binds++;
			sess.send(pdu.response({system_id: 'npmussd'}), () => {
				if (cmd === 'bind_transmitter')
					return;
				session = sess;
				if (!started) {
					started = true;
					setTimeout(nextDialogue, 50);
				}
			});
		});
	}
	sess.on('enquire_link', (pdu) => sess.send(pdu.response()));
	sess.on('unbind', (pdu) => {
		sess.send(pdu.response(), () => sess.close());
	});
	sess.on('submit_sm', (pdu) => {
		sess.send(pdu.response({message_id: 'u' + Date.now().toString(16) +
		    Math.floor(Math.random() * 1e6).toString(16)}));
		if (pdu.ussd_service_op !== undefined)
			onScreen(pdu);
		else
			S.sms.push({to: pdu.destination_addr,
			    text: textOf(pdu)});
	});
});

server.on('error', (e) => finish('server error: ' + e.message));
server.listen(0, '127.0.0.1', () => {
	S.port = server.address().port;
	const tmp = opt.ready + '.tmp' + process.pid;
	fs.writeFileSync(tmp, S.port + '\n');
	fs.renameSync(tmp, opt.ready);
	log('listening on 127.0.0.1:' + S.port);
});
