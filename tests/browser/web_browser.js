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
const path = require('path');
const { chromium } = require('playwright-core');
const { check, state, stop, smsTo, waitSms, makePng, pageChecks, setup, run,
    startDesk } = require('./lib');

const BIN = process.env.BIN || 'build/smsdesk';
const SIM = process.env.SIM || 'build/smsdesk-smsc-sim';
const SCREENS = process.env.SCREENS || 'build/screens';
const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium';
const DEADLINE_S = Number(process.env.DEADLINE_S || 90);

const APPLICANT = { first: 'سارا', last: 'کاظمی', mobile: '09131112233',
    intl: '989131112233', password: 'کرمان-باغ-۱۴۰۳-سرو' };
const STAFF = { mobile: '09133334444', first: 'محمد', last: 'نوری',
    title: 'کارشناس فناوری', dept: '2' };

async function main() {
	const tmp = setup(SCREENS, 'smsdesk-browser-');

	const d = await startDesk(BIN, SIM, tmp, '', (cli) => cli('staff', 'add', '--mobile', STAFF.mobile,
	    '--first', STAFF.first, '--last', STAFF.last, '--title', STAFF.title, '--dept', STAFF.dept));
	const { sim, simHttp, serve, serveLog, base, cli } = d;

	const browser = await chromium.launch({ executablePath: CHROMIUM, headless: true,
	    args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage'] });
	state.browser = browser;
	const ctx = await browser.newContext({ viewport: { width: 360, height: 740 },
	    javaScriptEnabled: false, acceptDownloads: true, locale: 'fa-IR' });
	ctx.setDefaultTimeout(10000);
	const page = await ctx.newPage();
	const look = pageChecks(page, SCREENS);
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
	state.browser = null;
	const rc = await stop(serve);
	check('serve stopped cleanly on SIGTERM', rc === 0, rc);
	const log = fs.readFileSync(serveLog, 'utf8');
	check('serve: no sanitizer report', !log.includes('Sanitizer'), log.slice(-2000));
	await stop(sim);
}

run(main, DEADLINE_S, SCREENS);
