#!/usr/bin/env node
/*
 * tests/browser/web_browser.js: the web view in a real browser (issue
 * #13). Debian's chromium, headless, driven by playwright-core (no
 * browser download), with JavaScript OFF: every form must work without
 * it. Run by tests/integ/test_web_browser.sh with BIN, SIM and SCREENS.
 *
 * Starts the SMSC simulator and 'smsdesk serve' on 127.0.0.1 (free ports
 * the kernel gave), adds a staff member with the CLI, then as an applicant's
 * phone (360 px wide): sign up, read the code from the SMS the simulator
 * received, verify, open a request with an image attached, see it in the
 * list, open it, download the image (bytes compared), the staff member
 * answers from the CLI, the answer on the page and its SMS alert at the
 * simulator, a follow-up, sign out; signed out, the one-tap link of
 * the alert opens the request read-only, and signing in from it leads
 * back to the request; sign out. Each page: a screenshot at 360 px in
 * SCREENS, no horizontal scrolling at 320 px
 * (documentElement.scrollWidth <= 320), its HTML under 30 KB. Everything
 * it started is stopped by PID; the whole run is bounded (DEADLINE_S).
 */
'use strict';
const fs = require('fs');
const os = require('os');
const path = require('path');
const http = require('http');
const zlib = require('zlib');
const { spawn, execFileSync } = require('child_process');
const { chromium } = require('playwright-core');

const BIN = process.env.BIN || 'build/smsdesk';
const SIM = process.env.SIM || 'build/smsdesk-smsc-sim';
const SCREENS = process.env.SCREENS || 'build/screens';
const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium';
const DEADLINE_S = Number(process.env.DEADLINE_S || 90);
const PAGE_MAX = 30 * 1024;

const APPLICANT = { first: 'سارا', last: 'کاظمی', mobile: '09131112233',
    intl: '989131112233', password: 'کرمان-باغ-۱۴۰۳-سرو' };
const STAFF = { mobile: '09133334444', first: 'محمد', last: 'نوری',
    title: 'کارشناس فناوری', dept: '2' };

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
let browser = null;
let tmp = null;
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

async function main() {
	tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'smsdesk-browser-'));
	fs.mkdirSync(SCREENS, { recursive: true });
	for (const f of fs.readdirSync(SCREENS))
		if (f.endsWith('.png'))
			fs.unlinkSync(path.join(SCREENS, f));

	/* The simulator. */
	const simReady = path.join(tmp, 'sim.ready');
	const sim = start(SIM, ['--port', '0', '--http-port', '0', '--ready-file', simReady,
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
`);
	const cli = (...args) => execFileSync(BIN, ['-c', conf, ...args], { encoding: 'utf8' });
	cli('staff', 'add', '--mobile', STAFF.mobile, '--first', STAFF.first, '--last', STAFF.last,
	    '--title', STAFF.title, '--dept', STAFF.dept);
	const serveReady = path.join(tmp, 'serve.ready');
	const serveLog = path.join(tmp, 'serve.log');
	const serve = start(BIN, ['-c', conf, 'serve', '--ready-file', serveReady], serveLog);
	if (!await waitFile(serveReady, serve, 15))
		throw new Error('smsdesk serve did not start: ' + fs.readFileSync(serveLog, 'utf8'));
	const base = `http://127.0.0.1:${webPort}`;
	console.log(`# serve on ${base}, simulator smpp=${simf.smpp} http=${simHttp}`);

	browser = await chromium.launch({ executablePath: CHROMIUM, headless: true,
	    args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage'] });
	const ctx = await browser.newContext({ viewport: { width: 360, height: 740 },
	    javaScriptEnabled: false, acceptDownloads: true, locale: 'fa-IR' });
	ctx.setDefaultTimeout(10000);
	const page = await ctx.newPage();
	/* The last main-frame document answer: its bytes are the page's HTML. */
	let lastDoc = null;
	page.on('response', (r) => {
		if (r.request().resourceType() === 'document' && r.frame() === page.mainFrame())
			lastDoc = r;
	});

	let shot = 0;
	/* The page as it is now: a screenshot at 360 px, its width at 320 px,
	 * its HTML size. */
	async function look(name) {
		shot++;
		const file = path.join(SCREENS, `${String(shot).padStart(2, '0')}-${name}.png`);
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
	}
	const text = async () => page.evaluate(() => document.body.innerText);

	/* 1. The sign-in page. */
	await page.goto(base + '/');
	let t = await text();
	check('sign-in page: the welcome and «ورود به سامانه»',
	    t.includes('خوش آمدید') && t.includes('ورود به سامانه'));
	await look('signin');
	await page.click('a[href="/reset"]');
	check('the reset page asks for the mobile', (await page.locator('form[action="/reset"] #mobile').count()) === 1);
	await look('reset');
	await page.goto(base + '/');

	/* 2. Sign-up, by the link on the sign-in page. */
	await page.click('a[href="/signup"]');
	await page.getByLabel('نام', { exact: true }).fill(APPLICANT.first);
	await page.getByLabel('نام خانوادگی').fill(APPLICANT.last);
	await page.getByLabel('شماره موبایل').fill(APPLICANT.mobile);
	await page.getByLabel('کلمه عبور').fill(APPLICANT.password);
	await page.getByLabel('نوع کاربری خود را انتخاب کنید').selectOption({ index: 3 });
	await look('signup');
	const smsBefore = (await smsTo(simHttp, APPLICANT.intl)).length;
	await Promise.all([page.waitForURL('**/verify'), page.click('form[action="/signup"] button[type=submit]')]);
	t = await text();
	check('verify page: «… عزیز کد اعتبارسنجی 6 رقمی به شماره موبایل … ارسال شد.»',
	    t.includes(`${APPLICANT.first} ${APPLICANT.last} عزیز کد اعتبارسنجی 6 رقمی به شماره موبایل ${APPLICANT.mobile} ارسال شد.`),
	    t.slice(0, 300));
	const codeAttrs = await page.evaluate(() => {
		const i = document.getElementById('code');
		return i ? i.getAttribute('autocomplete') + '/' + i.getAttribute('inputmode') : '';
	});
	check('code field: autocomplete=one-time-code inputmode=numeric',
	    codeAttrs === 'one-time-code/numeric', codeAttrs);
	await look('verify');

	/* 3. The code, from the SMS the simulator received. */
	const otp = await waitSms(simHttp, APPLICANT.intl, smsBefore, 1, 15);
	const m = otp.length ? /#(\d{6})\s*$/.exec(otp[otp.length - 1]) : null;
	check('the code SMS reached the simulator, ending with the WebOTP line «@host #code»',
	    m !== null && /@127\.0\.0\.1(:\d+)? #\d{6}\s*$/.test(otp[otp.length - 1]), JSON.stringify(otp));
	if (m === null)
		throw new Error('no code');
	await page.getByLabel('کد امنیتی را اینجا وارد نمایید').fill(m[1]);
	await Promise.all([page.waitForURL('**/requests'), page.click('form[action="/verify"] button[type=submit]')]);
	check('verified: signed in, at /requests', new URL(page.url()).pathname === '/requests', page.url());
	await look('requests-empty');
	await page.goto(base + '/account');
	t = await text();
	check('the account page: name and number', t.includes(APPLICANT.last) && t.includes(APPLICANT.mobile), t.slice(0, 300));
	await look('account');
	await page.goto(base + '/requests');

	/* 4. A new request with an image. */
	const png = makePng(64, 48);
	const pngName = 'نقشه طبقه دوم.png';
	await page.click('a[href="/requests/new"]');
	await page.getByLabel('نوع درخواست').selectOption(STAFF.dept);
	await page.getByLabel('اولویت').selectOption('2');
	const title = 'چاپگر طبقه دوم <b>کار نمی‌کند</b>';
	await page.getByLabel('عنوان درخواست').fill(title);
	await page.getByLabel('درخواست خود را اینجا بنویسید').fill('سلام، چاپگر اتاق ۲۰۴ از دیروز کاغذ را گیر می‌اندازد.\nعکس پیوست است.');
	await page.setInputFiles('#file', { name: pngName, mimeType: 'image/png', buffer: png });
	await look('request-new');
	await Promise.all([page.waitForURL(/\/requests\/\d+$/), page.click('form[action="/requests/new"] button[type=submit]')]);
	const tracking = new URL(page.url()).pathname.split('/').pop();
	t = await text();
	check(`request ${tracking} created, its page shown`, /^\d+$/.test(tracking) && t.includes('شماره رهگیری'), page.url());
	check('the title shown as typed, escaped (no <b> element made)',
	    t.includes(title) && (await page.locator('h1 b, .req b').count()) === 0);
	check('the file is listed: its name and «نوع فایل : تصویر (png)»',
	    t.includes(pngName) && t.includes('نوع فایل : تصویر (png)'), t.slice(0, 600));

	/* Another's (here: nobody's) request: the not-found page. */
	const nf = await page.goto(base + '/requests/99999');
	check('a request not there: 404', nf.status() === 404, nf.status());
	await look('not-found');

	/* 5. In the list. */
	await page.goto(base + '/requests');
	t = await text();
	check(`the list shows ${tracking} and its title`, t.includes(tracking) && t.includes(title));
	await look('requests-list');

	/* 6. Open it from the list. */
	await page.click(`a[href="/requests/${tracking}"]`);
	t = await text();
	check('opened from the list: «ارسال شده در تاریخ … ساعت …» and «توسط: شما»',
	    /ارسال شده در تاریخ \d{4}\/\d{2}\/\d{2} ساعت \d{2}:\d{2}:\d{2}/.test(t) && t.includes('توسط: شما'),
	    t.slice(0, 400));
	await look('request-view');

	/* 7. Download the image: the same bytes. */
	const [dl] = await Promise.all([page.waitForEvent('download'), page.click('a[href^="/files/"]')]);
	const dlPath = path.join(tmp, 'download.bin');
	await dl.saveAs(dlPath);
	const got = fs.readFileSync(dlPath);
	check(`download: the same ${png.length} bytes`, got.equals(png), `${got.length} bytes`);
	check('download: named as uploaded', dl.suggestedFilename() === pngName, dl.suggestedFilename());

	/* 8. The staff member answers from the CLI. */
	const aBefore = (await smsTo(simHttp, APPLICANT.intl)).length;
	const answer = 'کارتریج و غلتک چاپگر تعویض شد؛ لطفاً دوباره امتحان کنید.';
	cli('request', 'reply', tracking, '--from', STAFF.mobile, '--text', answer);
	await page.reload();
	t = await text();
	check('the answer on the page, by «توسط: محمد نوری (کارشناس فناوری)»',
	    t.includes(answer) && t.includes(`توسط: ${STAFF.first} ${STAFF.last} (${STAFF.title})`), t.slice(0, 800));
	check('status «پاسخ داده شد»', t.includes('پاسخ داده شد'));
	const alert = await waitSms(simHttp, APPLICANT.intl, aBefore, 1, 15);
	check('the SMS alert of the answer reached the simulator',
	    alert.some((s) => s.includes(`به درخواست ${tracking} شما پاسخ داده شد`)), JSON.stringify(alert));
	check('... with a signed one-tap link',
	    alert.some((s) => /\/r\/[A-Za-z0-9_-]{18}/.test(s)), JSON.stringify(alert));
	await look('request-answered');

	/* 9. A follow-up. */
	await page.click(`a[href="/requests/${tracking}/reply"]`);
	t = await text();
	check('the follow-up form «ارسال پاسخ جدید به این درخواست»', t.includes('ارسال پاسخ جدید به این درخواست'));
	await look('request-reply');
	const follow = 'ممنون، درست شد. فقط صدای غلتک کمی زیاد است.';
	await page.fill('label[for=body] + textarea#body', follow);
	await Promise.all([page.waitForURL(new RegExp(`/requests/${tracking}$`)),
	    page.click(`form[action="/requests/${tracking}/reply"] button[type=submit]`)]);
	t = await text();
	const nmsg = await page.locator('article.msg').count();
	check('the follow-up in the thread, three messages', t.includes(follow) && nmsg === 3, nmsg);
	await look('request-followup');

	/* 10. Sign out. */
	await page.goto(base + '/signout');
	await look('signout');
	await Promise.all([page.waitForURL((u) => u.pathname === '/'), page.click('form[action="/signout"] button[type=submit]')]);
	await page.goto(base + `/requests/${tracking}`);
	check('signed out: the request page asks to sign in',
	    new URL(page.url()).pathname === '/' && (await text()).includes('ورود به سامانه'), page.url());

	/* 11. Signed out, the one-tap link from the SMS alert opens the
	 * request read-only, with a way to sign in and no form. */
	const lm = alert.map((s) => /(\/r\/[A-Za-z0-9_-]{18})/.exec(s)).find((x) => x);
	check('the alert carries a one-tap link', lm !== undefined, JSON.stringify(alert));
	if (lm) {
		await page.goto(base + lm[1]);
		t = await text();
		check('the SMS link opens the request without signing in',
		    new URL(page.url()).pathname === lm[1] && t.includes(answer) && t.includes(follow), page.url());
		check('... read-only: no form, no reply link, a sign-in link',
		    (await page.locator('main form').count()) === 0 &&
		    (await page.locator(`a[href="/requests/${tracking}/reply"]`).count()) === 0 &&
		    (await page.locator(`a[href="/?next=/requests/${tracking}"]`).count()) === 1);
		await look('one-tap-link');

		/* 12. Sign in from there: back to the request (this browser
		 * passed a code at sign-up: no new code asked). */
		await page.click(`a[href="/?next=/requests/${tracking}"]`);
		await page.getByLabel('شماره موبایل').fill(APPLICANT.mobile);
		await page.getByLabel('کلمه عبور').fill(APPLICANT.password);
		await Promise.all([page.waitForURL(new RegExp(`/requests/${tracking}$`)),
		    page.click('form[action="/"] button[type=submit]')]);
		check('signed in from the link: at the request, its reply link there',
		    (await page.locator(`a[href="/requests/${tracking}/reply"]`).count()) === 1, page.url());
		await page.goto(base + '/signout');
		await Promise.all([page.waitForURL((u) => u.pathname === '/'),
		    page.click('form[action="/signout"] button[type=submit]')]);
		check('signed out again', (await page.locator('form[action="/"] #password').count()) === 1);
	}

	await browser.close();
	browser = null;
	const rc = await stop(serve);
	check('serve stopped cleanly on SIGTERM', rc === 0, rc);
	const log = fs.readFileSync(serveLog, 'utf8');
	check('serve: no sanitizer report', !log.includes('Sanitizer'), log.slice(-2000));
	await stop(sim);
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

const deadline = setTimeout(() => {
	console.log(`FAIL - the browser test took more than ${DEADLINE_S} s`);
	stopAll();
	process.exit(1);
}, DEADLINE_S * 1000);

const t0 = Date.now();
main().catch((e) => {
	check('the flow ran to its end', false, e && e.stack ? e.stack.split('\n').slice(0, 4).join(' | ') : String(e));
}).finally(async () => {
	if (browser)
		await browser.close().catch(() => {});
	for (const c of children)
		await stop(c);
	clearTimeout(deadline);
	if (failed && tmp)
		for (const f of ['serve.log', 'sim.log']) {
			const p = path.join(tmp, f);
			if (fs.existsSync(p))
				console.log(`--- ${f} (last lines)\n` + fs.readFileSync(p, 'utf8').split('\n').slice(-30).join('\n'));
		}
	if (tmp)
		fs.rmSync(tmp, { recursive: true, force: true });
	console.log(`# screenshots in ${SCREENS}; ${((Date.now() - t0) / 1000).toFixed(1)} s`);
	console.log(`${passed} passed, ${failed} failed`);
	process.exit(failed ? 1 : 0);
});
