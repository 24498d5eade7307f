#!/usr/bin/env node
/*
 * tests/browser/staff_browser.js: the staff console in a real browser
 * (issue #14). Debian's chromium, headless, driven by playwright-core,
 * JavaScript OFF. Run by tests/integ/test_staff_browser.sh with BIN, SIM
 * and SCREENS (build/screens-staff).
 *
 * The SMSC simulator (receipts after 50 ms) and 'smsdesk serve'; the CLI
 * adds a staff member of department 2 (no password yet) and an applicant
 * with two requests there, one «خیلی فوری» and one «عادی». Then, as the
 * staff member's phone (360 px wide):
 *   - first sign-in: the sign-in page's link for staff, the mobile, the
 *     code the simulator received, a new password: signed in, at the
 *     inbox (/staff/); sign out;
 *   - sign in with that password: an SMS code is asked (always, for
 *     staff, even from this browser that has passed a code), the code
 *     from the simulator, and the inbox (/staff/) opens;
 *   - the inbox filtered by priority «خیلی فوری»: only that request;
 *   - open it, answer with a PNG attached: status «پاسخ داده شد»;
 *   - the applicant's phone (the simulator) receives the alert;
 *   - the request page's SMS list shows the alert turn «به گوشی گیرنده
 *     رسید» (delivered) once the simulator's receipt is in;
 *   - sign out.
 * Each page: a screenshot at 360 px in SCREENS, no horizontal scrolling
 * at 320 px, its HTML under 30 KB, lang="fa" dir="rtl". Bounded by
 * DEADLINE_S; everything started is stopped by PID.
 */
'use strict';
const { chromium } = require('playwright-core');
const { check, state, stop, smsTo, waitSms, makePng, pageChecks, setup, run,
    startDesk, sleep } = require('./lib');
const fs = require('fs');
const { execFileSync } = require('child_process');

const BIN = process.env.BIN || 'build/smsdesk';
const SIM = process.env.SIM || 'build/smsdesk-smsc-sim';
const SCREENS = process.env.SCREENS || 'build/screens-staff';
const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium';
const DEADLINE_S = Number(process.env.DEADLINE_S || 90);

const STAFF = { mobile: '09133334444', intl: '989133334444', first: 'محمد', last: 'نوری',
    title: 'کارشناس فناوری', dept: '2', password: 'سیرجان-کویر-۱۴۰۵-نخل' };
const APPLICANT = { mobile: '09131112233', intl: '989131112233', first: 'سارا', last: 'کاظمی' };

/* The 6-digit code of the newest SMS to intl after the first `since`. */
async function codeFrom(simHttp, intl, since) {
	const got = await waitSms(simHttp, intl, since, 1, 15);
	const m = got.length ? /#(\d{6})\s*$/.exec(got[got.length - 1]) : null;
	return m ? m[1] : null;
}

async function main() {
	const tmp = setup(SCREENS, 'smsdesk-staff-browser-');
	let urgent = null;
	let normal = null;
	const d = await startDesk(BIN, SIM, tmp, '', (cli) => {
		cli('staff', 'add', '--mobile', STAFF.mobile, '--first', STAFF.first, '--last', STAFF.last,
		    '--title', STAFF.title, '--dept', STAFF.dept);
		cli('user', 'add', '--mobile', APPLICANT.mobile, '--first', APPLICANT.first,
		    '--last', APPLICANT.last);
		normal = cli('request', 'new', '--from', APPLICANT.mobile, '--dept', STAFF.dept,
		    '--priority', 'N', '--title', 'درخواست نصب نرم‌افزار نقشه‌کشی',
		    '--text', 'لطفاً نسخه تازه نرم‌افزار را نصب کنید.').trim().split('\n').pop();
		urgent = cli('request', 'new', '--from', APPLICANT.mobile, '--dept', STAFF.dept,
		    '--priority', 'VF', '--title', 'سامانه پروانه اشتغال از دسترس خارج است',
		    '--text', 'از صبح امروز صفحه ورود سامانه باز نمی‌شود.').trim().split('\n').pop();
	});
	const { simHttp, serve, serveLog, base } = d;
	check(`two requests opened by the CLI (${urgent}, ${normal})`,
	    /^\d+$/.test(urgent) && /^\d+$/.test(normal), `${urgent} ${normal}`);

	const browser = await chromium.launch({ executablePath: CHROMIUM, headless: true,
	    args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage'] });
	state.browser = browser;
	const ctx = await browser.newContext({ viewport: { width: 360, height: 740 },
	    javaScriptEnabled: false, locale: 'fa-IR' });
	ctx.setDefaultTimeout(10000);
	const page = await ctx.newPage();
	const look = pageChecks(page, SCREENS);
	const text = async () => page.evaluate(() => document.body.innerText);
	const path = () => new URL(page.url()).pathname;

	/* 1. First sign-in: set a password by SMS code. */
	await page.goto(base + '/');
	await look('signin');
	await page.goto(base + '/reset');
	await page.getByLabel('شماره موبایل').fill(STAFF.mobile);
	let before = (await smsTo(simHttp, STAFF.intl)).length;
	await Promise.all([page.waitForURL('**/verify'), page.click('form[action="/reset"] button[type=submit]')]);
	let code = await codeFrom(simHttp, STAFF.intl, before);
	check('first sign-in: the code reached the staff phone', code !== null);
	await page.getByLabel('کد امنیتی را اینجا وارد نمایید').fill(code || '');
	await page.fill('#password', STAFF.password);
	await look('first-password');
	await Promise.all([page.waitForURL((u) => u.pathname.startsWith('/staff')),
	    page.click('form[action="/verify"] button[type=submit]')]);
	check('the password is set and the code signed in: the inbox', path() === '/staff/', page.url());
	await page.goto(base + '/signout');
	await Promise.all([page.waitForURL((u) => u.pathname === '/'),
	    page.click('form[action="/signout"] button[type=submit]')]);

	/* 2. Sign in with the password: a code is asked even from this
	 * browser. The reset's code is made a minute older than it is (the
	 * sqlite3 shell), as if the staff member came back later: a second
	 * code within [otp] resend_after_s (60 s) would be refused. */
	execFileSync('sqlite3', [`${tmp}/desk.db`, 'UPDATE otps SET created = created - 61']);
	await page.getByLabel('شماره موبایل').fill(STAFF.mobile);
	await page.getByLabel('کلمه عبور').fill(STAFF.password);
	before = (await smsTo(simHttp, STAFF.intl)).length;
	await page.click('form[action="/"] button[type=submit]');
	check('staff are asked for an SMS code after the password, on a browser that passed one',
	    path() === '/verify', page.url());
	code = await codeFrom(simHttp, STAFF.intl, before);
	check('the sign-in code reached the staff phone', code !== null);
	await look('staff-code');
	await page.getByLabel('کد امنیتی را اینجا وارد نمایید').fill(code || '');
	await Promise.all([page.waitForURL((u) => u.pathname.startsWith('/staff')),
	    page.click('form[action="/verify"] button[type=submit]')]);
	let t = await text();
	check('signed in: the inbox (/staff/) with both requests',
	    path().startsWith('/staff') && t.includes(urgent) && t.includes(normal), page.url());
	await look('inbox');

	/* 3. Filter: very urgent only. */
	await page.selectOption('#prio', '0');
	await Promise.all([page.waitForURL(/prio=0/), page.click('form.filters button[type=submit]')]);
	t = await text();
	check('filtered by «خیلی فوری»: the urgent request only',
	    t.includes(urgent) && !t.includes(normal), t.slice(0, 600));
	await look('inbox-filtered');

	/* 4. Open it. */
	await Promise.all([page.waitForURL(new RegExp(`/staff/requests/${urgent}$`)),
	    page.click(`a[href="/staff/requests/${urgent}"]`)]);
	t = await text();
	check('the staff request page: the applicant\'s name and mobile',
	    t.includes(`${APPLICANT.first} ${APPLICANT.last}`) && t.includes(APPLICANT.mobile), t.slice(0, 600));
	await look('staff-request');

	/* 5. Answer with an attachment. */
	const png = makePng(48, 32);
	const answer = 'سامانه دوباره راه‌اندازی شد؛ لطفاً دوباره وارد شوید. تصویر صفحه پیوست است.';
	await page.fill('textarea#body', answer);
	await page.setInputFiles('#file', { name: 'صفحه ورود.png', mimeType: 'image/png', buffer: png });
	const aBefore = (await smsTo(simHttp, APPLICANT.intl)).length;
	await Promise.all([page.waitForURL(new RegExp(`/staff/requests/${urgent}`)),
	    page.click(`form[action="/staff/requests/${urgent}/answer"] button[type=submit]:not([name])`)]);
	t = await text();
	check('answered: the answer and its file in the thread, status «پاسخ داده شد»',
	    t.includes(answer) && t.includes('صفحه ورود.png') && t.includes('پاسخ داده شد'), t.slice(0, 900));
	await look('staff-answered');

	/* 6. The applicant's phone gets the alert. */
	const alert = await waitSms(simHttp, APPLICANT.intl, aBefore, 1, 15);
	check('the applicant\'s phone received the answer\'s alert',
	    alert.some((s) => s.includes(`به درخواست ${urgent} شما پاسخ داده شد`)), JSON.stringify(alert));

	/* 7. The SMS list turns to delivered (the simulator's receipt). */
	let delivered = false;
	const end = Date.now() + 20000;
	while (!delivered && Date.now() < end) {
		await page.goto(base + `/staff/requests/${urgent}`);
		const sms = await page.locator('section.sms').innerText().catch(() => '');
		delivered = sms.includes('به گوشی گیرنده رسید');
		if (!delivered)
			await sleep(300);
	}
	check('the alert\'s state on the staff page: «به گوشی گیرنده رسید»', delivered);
	await look('staff-delivered');

	/* 8. Sign out. */
	await page.goto(base + '/signout');
	await Promise.all([page.waitForURL((u) => u.pathname === '/'),
	    page.click('form[action="/signout"] button[type=submit]')]);
	await page.goto(base + '/staff/');
	check('signed out: the inbox asks to sign in', path() === '/', page.url());

	await browser.close();
	state.browser = null;
	const rc = await stop(serve);
	check('serve stopped cleanly on SIGTERM', rc === 0, rc);
	const log = fs.readFileSync(serveLog, 'utf8');
	check('serve: no sanitizer report', !log.includes('Sanitizer'), log.slice(-2000));
}

run(main, DEADLINE_S, SCREENS);
