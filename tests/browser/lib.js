/*
 * tests/browser/lib.js: what the browser tests share (web_browser.js for
 * applicants, staff_browser.js for staff): checks and their count, child
 * processes stopped by PID, the SMSC simulator's received SMS, a PNG made
 * here, a free port, the page check (screenshot at 360 px, no horizontal
 * scrolling at 320 px, HTML under 30 KB, lang/dir) and the bounded run.
 */
'use strict';
const fs = require('fs');
const os = require('os');
const path = require('path');
const http = require('http');
const zlib = require('zlib');
const { spawn, execFileSync } = require('child_process');

const PAGE_MAX = 30 * 1024;

let passed = 0;
let failed = 0;
function check(name, ok, detail) {
	if (ok) {
		passed++;
		console.log('ok - ' + name);
	} else {
		failed++;
		console.log('FAIL - ' + name + (detail !== undefined ? ' (' + detail + ')' : ''));
	}
	return ok;
}

const children = [];
const state = { browser: null, tmp: null };
function stopAll() {
	for (const c of children)
		if (c.exitCode === null && c.signalCode === null)
			try { c.kill('SIGTERM'); } catch (e) { /* gone */ }
}
process.on('exit', stopAll);
for (const sig of ['SIGINT', 'SIGTERM'])
	process.on(sig, () => {
		console.log(`FAIL - stopped by ${sig}`);
		stopAll();
		process.exit(1);
	});

function sleep(ms) { return new Promise((r) => setTimeout(r, ms)); }

async function waitFile(file, child, secs) {
	const end = Date.now() + secs * 1000;
	while (Date.now() < end) {
		if (fs.existsSync(file) && fs.statSync(file).size > 0)
			return fs.readFileSync(file, 'utf8');
		if (child.exitCode !== null || child.signalCode !== null)
			return null;
		await sleep(50);
	}
	return null;
}

function start(cmd, args, log) {
	const out = fs.openSync(log, 'w');
	const c = spawn(cmd, args, { stdio: ['ignore', out, out] });
	children.push(c);
	return c;
}

/* Wait (at most 20 s) for a child to end after SIGTERM; SIGKILL after. */
async function stop(c) {
	if (c.exitCode !== null || c.signalCode !== null)
		return c.exitCode;
	const done = new Promise((r) => c.once('exit', (code) => r(code)));
	c.kill('SIGTERM');
	const t = setTimeout(() => c.kill('SIGKILL'), 20000);
	const code = await done;
	clearTimeout(t);
	return code;
}

function httpGet(port, p) {
	return new Promise((resolve, reject) => {
		const req = http.get({ host: '127.0.0.1', port, path: p, timeout: 5000 }, (res) => {
			const chunks = [];
			res.on('data', (d) => chunks.push(d));
			res.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
		});
		req.on('timeout', () => req.destroy(new Error('timeout')));
		req.on('error', reject);
	});
}

/* The simulator's stored submits (joined messages) to a number. */
async function smsTo(simHttp, to) {
	const body = await httpGet(simHttp, `/submits?since=0&limit=10000&to=${to}`);
	return body.split('\n').filter((l) => l.trim()).map((l) => JSON.parse(l));
}

/* The texts received by `to` after the first `since`, once there are
 * at least `want` of them (at most secs seconds). */
async function waitSms(simHttp, to, since, want, secs) {
	const end = Date.now() + secs * 1000;
	let got = [];
	while (Date.now() < end) {
		got = (await smsTo(simHttp, to)).slice(since).map((s) => s.text);
		if (got.length >= want)
			break;
		await sleep(100);
	}
	return got;
}

/* A small real PNG (w x h, RGB stripes) made here: no binary in the tree. */
function makePng(w, h) {
	const crcTable = [];
	for (let n = 0; n < 256; n++) {
		let c = n;
		for (let k = 0; k < 8; k++)
			c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
		crcTable.push(c >>> 0);
	}
	const crc = (buf) => {
		let c = 0xffffffff;
		for (const b of buf)
			c = crcTable[(c ^ b) & 0xff] ^ (c >>> 8);
		return (c ^ 0xffffffff) >>> 0;
	};
	const chunk = (type, data) => {
		const len = Buffer.alloc(4);
		len.writeUInt32BE(data.length);
		const td = Buffer.concat([Buffer.from(type, 'ascii'), data]);
		const c = Buffer.alloc(4);
		c.writeUInt32BE(crc(td));
		return Buffer.concat([len, td, c]);
	};
	const ihdr = Buffer.alloc(13);
	ihdr.writeUInt32BE(w, 0);
	ihdr.writeUInt32BE(h, 4);
	ihdr[8] = 8; /* bit depth */
	ihdr[9] = 2; /* RGB */
	const raw = Buffer.alloc(h * (1 + w * 3));
	for (let y = 0; y < h; y++) {
		raw[y * (1 + w * 3)] = 0;
		for (let x = 0; x < w; x++) {
			const o = y * (1 + w * 3) + 1 + x * 3;
			raw[o] = (x * 7 + y) & 0xff;
			raw[o + 1] = (y * 5) & 0xff;
			raw[o + 2] = ((x ^ y) * 3) & 0xff;
		}
	}
	return Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
	    chunk('IHDR', ihdr), chunk('IDAT', zlib.deflateSync(raw)),
	    chunk('IEND', Buffer.alloc(0))]);
}

function freePort() {
	return new Promise((resolve, reject) => {
		const s = require('net').createServer();
		s.listen(0, '127.0.0.1', () => {
			const p = s.address().port;
			s.close(() => resolve(p));
		});
		s.on('error', reject);
	});
}

/* The SMSC simulator (receipts after 50 ms) and 'smsdesk serve' on free
 * ports of 127.0.0.1, a database in tmp, extra (text) appended to its
 * configuration; before(cli) runs CLI commands before serve starts. Returns { sim, simHttp, serve, serveLog, base,
 * cli, conf }; both are stopped at the end of run(). */
async function startDesk(bin, simBin, tmp, extra, before) {
	const simReady = path.join(tmp, 'sim.ready');
	const sim = start(simBin, ['--port', '0', '--http-port', '0', '--ready-file', simReady,
	    '--dlr-delay-ms', '50'], path.join(tmp, 'sim.log'));
	const sr = await waitFile(simReady, sim, 10);
	if (!sr)
		throw new Error('the simulator did not start: ' + fs.readFileSync(path.join(tmp, 'sim.log'), 'utf8'));
	const simf = Object.fromEntries(sr.trim().split(/\s+/).map((kv) => kv.split('=')));
	const simHttp = Number(simf.http);

	/* serve: the web on a free port (asked of the kernel, then released). */
	const conf = path.join(tmp, 'smsdesk.ini');
	const webPort = await freePort();
	fs.writeFileSync(conf, `[db]
path = ${tmp}/desk.db
[web]
listen = 127.0.0.1:${webPort}
base_url = http://127.0.0.1:${webPort}
attachments_dir = ${tmp}/attachments
[smpp]
port = ${simf.smpp}
max_tps = 200
[queue]
retry_s = 1
[sms]
quiet_hours = off
[sla]
holidays_file =
${extra || ''}`);
	const cli = (...args) => execFileSync(bin, ['-c', conf, ...args], { encoding: 'utf8' });
	if (before)
		before(cli);
	const serveReady = path.join(tmp, 'serve.ready');
	const serveLog = path.join(tmp, 'serve.log');
	const serve = start(bin, ['-c', conf, 'serve', '--ready-file', serveReady], serveLog);
	if (!await waitFile(serveReady, serve, 15))
		throw new Error('smsdesk serve did not start: ' + fs.readFileSync(serveLog, 'utf8'));
	const base = `http://127.0.0.1:${webPort}`;
	console.log(`# serve on ${base}, simulator smpp=${simf.smpp} http=${simHttp}`);
	return { sim, simHttp, serve, serveLog, base, cli, conf };
}

/* The page checks of one browser page: look(name) takes a screenshot
 * into screens (numbered), checks the width at 320 px, the size of the
 * last main-frame document and lang/dir. */
function pageChecks(page, screens) {
	let lastDoc = null;
	let shot = 0;
	page.on('response', (r) => {
		if (r.request().resourceType() === 'document' && r.frame() === page.mainFrame())
			lastDoc = r;
	});
	return async function look(name) {
		shot++;
		const file = path.join(screens, `${String(shot).padStart(2, '0')}-${name}.png`);
		await page.screenshot({ path: file, fullPage: true });
		await page.setViewportSize({ width: 320, height: 640 });
		const sw = await page.evaluate(() => document.documentElement.scrollWidth);
		await page.setViewportSize({ width: 360, height: 740 });
		check(`${name}: no horizontal scrolling at 320 px (scrollWidth ${sw})`, sw <= 320, sw);
		let size = -1;
		if (lastDoc !== null) {
			try { size = (await lastDoc.body()).length; } catch (e) { size = -1; }
		}
		check(`${name}: HTML ${size} bytes, under 30 KB`, size > 0 && size < PAGE_MAX, size);
		const lang = await page.evaluate(() => document.documentElement.lang + '/' + document.documentElement.dir);
		check(`${name}: lang="fa" dir="rtl"`, lang === 'fa/rtl', lang);
	};
}

/* A fresh temporary folder (state.tmp, removed at the end) and an empty
 * screens folder. */
function setup(screens, prefix) {
	state.tmp = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
	fs.mkdirSync(screens, { recursive: true });
	for (const f of fs.readdirSync(screens))
		if (f.endsWith('.png'))
			fs.unlinkSync(path.join(screens, f));
	return state.tmp;
}

/* Run main() within deadlineS seconds, then stop everything, print the
 * logs on failure and the count, and exit 0 only without failures. */
function run(main, deadlineS, screens) {
	const deadline = setTimeout(() => {
		console.log(`FAIL - the browser test took more than ${deadlineS} s`);
		stopAll();
		process.exit(1);
	}, deadlineS * 1000);

	const t0 = Date.now();
	main().catch((e) => {
		check('the flow ran to its end', false, e && e.stack ? e.stack.split('\n').slice(0, 4).join(' | ') : String(e));
	}).finally(async () => {
		if (state.browser)
			await state.browser.close().catch(() => {});
		for (const c of children)
			await stop(c);
		clearTimeout(deadline);
		if (failed && state.tmp)
			for (const f of ['serve.log', 'sim.log']) {
				const p = path.join(state.tmp, f);
				if (fs.existsSync(p))
					console.log(`--- ${f} (last lines)\n` + fs.readFileSync(p, 'utf8').split('\n').slice(-30).join('\n'));
			}
		if (state.tmp)
			fs.rmSync(state.tmp, { recursive: true, force: true });
		console.log(`# screenshots in ${screens}; ${((Date.now() - t0) / 1000).toFixed(1)} s`);
		console.log(`${passed} passed, ${failed} failed`);
		process.exit(failed ? 1 : 0);
	});
}

module.exports = { check, counts: () => ({ passed, failed }), state, stopAll, sleep, waitFile,
    start, stop, httpGet, smsTo, waitSms, makePng, freePort, pageChecks, setup, run, startDesk, PAGE_MAX };
