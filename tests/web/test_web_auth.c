/*
 * tests/web/test_web_auth.c: the account pages of the web view over HTTP
 * (issue 13), against a running `smsdesk serve` (tests/integ/
 * test_web_auth.sh starts it with [web] trusted_proxies = 127.0.0.1, so
 * each case speaks from its own X-Forwarded-For address, request_deadline_s
 * = 2, hash_workers = 1, and [otp] per_addr_hour = 6, global_hour = 40).
 *
 *   test_web_auth BASE_URL DB_PATH
 *
 * Codes are read from the outbox (tests/web/webc.h says why). Time is
 * moved by aging rows in the database (a code's created or expires, a
 * session's last_seen), not by sleeping.
 */
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "core/core.h"
#include "tests/web/webc.h"

static const char *base, *dbp;

/* The text of id up to its first "%s" (what a page shows of it). */
static bool
has_txt(const struct webc *c, enum core_web_txt id)
{
	const char *t = core_web_txt(id), *q = strstr(t, "%s");
	char part[512];

	snprintf(part, sizeof(part), "%.*s",
	    q != NULL ? (int)(q - t) : (int)strlen(t), t);
	return webc_has(c, part);
}

static void
age_codes(const char *e164, int secs)
{
	char sql[256];

	snprintf(sql, sizeof(sql),
	    "UPDATE otps SET created = created - %d WHERE mobile = '%s'", secs,
	    e164);
	webc_sql(dbp, sql);
}

/* Sign up in browser c; true if it reached /verify. */
static bool
signup(struct webc *c, const char *first, const char *last, const char *local,
    const char *pw)
{
	webc_get(c, "/signup");
	return webc_post(c, "/signup", "first", first, "last", last, "mobile",
		   local, "password", pw, "user_type", "کاردان", NULL) == 303 &&
	    strcmp(c->location, "/verify") == 0;
}

/* Enter the newest code of e164 on /verify. */
static long
verify(struct webc *c, const char *e164, const char *pw)
{
	char code[7];

	if (!webc_otp(dbp, e164, code))
		return -1;
	webc_get(c, "/verify");
	if (pw != NULL)
		return webc_post(c, "/verify", "code", code, "password", pw,
		    NULL);
	return webc_post(c, "/verify", "code", code, NULL);
}

static void
t_pages(void)
{
	struct webc c;
	const char *paths[] = {"/", "/signup", "/reset"};
	char v[512];
	size_t i;

	webc_init(&c, base);
	for (i = 0; i < 3; i++) {
		long st = webc_get(&c, paths[i]);

		webc_check(st == 200 && c.body_len < 30 * 1024 &&
			webc_has(&c, "<html lang=\"fa\" dir=\"rtl\">") &&
			webc_has(&c, "name=\"viewport\"") &&
			!webc_has(&c, "<script") && !webc_has(&c, "style=") &&
			webc_has(&c, "name=\"csrf\""),
		    "%s: 200, %zu bytes < 30 KB, lang=fa dir=rtl, no script or "
		    "inline style, a CSRF field",
		    paths[i], c.body_len);
	}
	webc_get(&c, "/");
	webc_check(webc_has(&c,
		       "به سامانه مکاتبات سازمان نظام مهندسی ساختمان "
		       "استان کرمان خوش آمدید") &&
		webc_has(&c, "جهت ورود اطلاعات کاربری خود را وارد نمایید") &&
		webc_has(&c, ">ورود به سامانه</button>") &&
		webc_has(&c, "<label for=\"mobile\">شماره موبایل</label>") &&
		webc_has(&c, "<label for=\"password\">کلمه عبور</label>"),
	    "/: the seed's welcome, hint, labels and button");
	webc_check(webc_header(&c, "Content-Security-Policy", 0, v,
		       sizeof(v)) &&
		strstr(v, "default-src 'self'") != NULL &&
		strstr(v, "frame-ancestors 'none'") != NULL &&
		strstr(v, "script-src 'none'") != NULL,
	    "CSP: default-src 'self', no script, frame-ancestors 'none'");
	webc_check(webc_header(&c, "X-Content-Type-Options", 0, v, sizeof(v)) &&
		strcmp(v, "nosniff") == 0 &&
		webc_header(&c, "Referrer-Policy", 0, v, sizeof(v)),
	    "nosniff and a Referrer-Policy");
	webc_get(&c, "/signup");
	webc_check(webc_has(&c, "<label for=\"first\">نام</label>") &&
		webc_has(&c, "<label for=\"last\">نام خانوادگی</label>") &&
		webc_has(&c,
		    "<label for=\"user_type\">نوع کاربری خود را "
		    "انتخاب کنید</label>") &&
		webc_has(&c, "-- انتخاب کنید --") &&
		webc_has(&c, ">مهندس عضو<") &&
		webc_has(&c, ">مالک / متقاضی<") &&
		webc_has(&c, "جهت ثبت‌نام اطلاعات خود را وارد نمایید"),
	    "/signup: the seed's labels, the user types of config defaults");
	webc_check(webc_get(&c, "/static/site.css") == 200 &&
		webc_header(&c, "Content-Type", 0, v, sizeof(v)) &&
		strncmp(v, "text/css", 8) == 0,
	    "/static/site.css served");
	webc_check(webc_get(&c, "/verify") == 410 &&
		has_txt(&c, CORE_WT_NO_PENDING),
	    "/verify with no step under way: 410, says start again");
	webc_check(webc_get(&c, "/account") == 303 &&
		strcmp(c.location, "/?next=/account") == 0,
	    "/account without a session: to / with next");
	webc_fini(&c);
}

static void
t_signup_flow(void)
{
	struct webc a, b;
	char v[512], sid1[80], sid2[80];
	long st;

	webc_init(&a, base);
	snprintf(a.xff, sizeof(a.xff), "10.0.1.1");
	webc_check(signup(&a, "<b>علی</b>", "رضایی", "09131000001",
		       "correct horse battery"),
	    "sign-up: to /verify");
	webc_get(&a, "/verify");
	webc_check(webc_has(&a,
		       "&lt;b&gt;علی&lt;/b&gt; رضایی عزیز کد "
		       "اعتبارسنجی 6 رقمی به شماره موبایل "
		       "09131000001 ارسال شد.") &&
		!webc_has(&a, "<b>علی"),
	    "/verify: the seed's sentence, the name's HTML escaped");
	webc_check(webc_has(&a, "autocomplete=\"one-time-code\"") &&
		webc_has(&a, "inputmode=\"numeric\"") &&
		webc_has(&a,
		    "<label for=\"code\">کد امنیتی را اینجا وارد "
		    "نمایید</label>"),
	    "/verify: the code field (one-time-code, numeric, seed label)");
	{
		char code[7], sql[256];

		webc_otp(dbp, "+989131000001", code);
		snprintf(sql, sizeof(sql),
		    "SELECT count(*) FROM outbox WHERE destination = "
		    "'+989131000001' AND kind = 0 AND body LIKE "
		    "'%%' || char(10) || '@127.0.0.1 #%s'",
		    code);
		webc_check(webc_sql_int(dbp, sql) == 1,
		    "the code's SMS ends with the WebOTP line «@127.0.0.1 "
		    "#code» (base_url's host)");
	}
	st = verify(&a, "+989131000001", NULL);
	webc_check(st == 303 && strcmp(a.location, "/requests") == 0,
	    "the right code: signed in, to /requests (%ld %s)", st, a.location);
	webc_check(webc_header(&a, "Set-Cookie", 0, v, sizeof(v)) &&
		webc_cookie(&a, "sd_s", sid1, sizeof(sid1)) &&
		strlen(sid1) == 64,
	    "a session cookie of 256 bits");
	{
		int i;
		bool attrs = false;

		for (i = 0; webc_header(&a, "Set-Cookie", i, v, sizeof(v)); i++)
			if (strncmp(v, "sd_s=", 5) == 0)
				attrs = strstr(v, "HttpOnly") != NULL &&
				    strstr(v, "SameSite=Lax") != NULL &&
				    strstr(v, "Path=/") != NULL &&
				    strstr(v, "Secure") == NULL;
		webc_check(attrs,
		    "session cookie HttpOnly; SameSite=Lax; Path=/ (no Secure "
		    "over plain HTTP)");
	}
	{
		char sql[256];

		snprintf(sql, sizeof(sql),
		    "SELECT count(*) FROM web_sessions WHERE id_hash = '%s'",
		    sid1);
		webc_check(webc_sql_int(dbp, sql) == 0 &&
			webc_sql_int(dbp,
			    "SELECT count(*) FROM web_sessions "
			    "WHERE length(id_hash) = 64") >= 1,
		    "sessions stored by hash, never the id");
	}
	webc_get(&a, "/account");
	webc_check(a.status == 200 && webc_has(&a, "&lt;b&gt;علی&lt;/b&gt;") &&
		webc_has(&a, ">کاردان<"),
	    "/account: the stored name escaped, the user type");
	webc_check(webc_get(&a, "/signup") == 303 &&
		strcmp(a.location, "/requests") == 0,
	    "signed in: /signup sends to /requests");

	/* Sign out, then in again from the same (trusted) browser. */
	webc_get(&a, "/signout");
	st = webc_post(&a, "/signout", NULL);
	webc_check(st == 303 && strcmp(a.location, "/?done=out") == 0,
	    "sign-out: to /");
	webc_get(&a, "/?done=out");
	webc_check(has_txt(&a, CORE_WT_SIGNED_OUT), "sign-out said");
	webc_check(webc_get(&a, "/account") == 303, "signed out: no session");
	webc_cookie_put(&a, "sd_s", sid1);
	webc_check(webc_get(&a, "/account") == 303,
	    "the signed-out id replayed: refused");
	webc_get(&a, "/");
	st = webc_post(&a, "/", "mobile", "۰۹۱۳۱۰۰۰۰۰۱", "password",
	    "correct horse battery", NULL);
	webc_check(st == 303 && strcmp(a.location, "/requests") == 0,
	    "sign-in (Persian digits) from the browser that passed a code: "
	    "no code asked");
	webc_check(webc_cookie(&a, "sd_s", sid2, sizeof(sid2)) &&
		strcmp(sid1, sid2) != 0,
	    "a new session id at sign-in (rotated)");

	/* A new browser: the password, then an SMS code. */
	webc_init(&b, base);
	snprintf(b.xff, sizeof(b.xff), "10.0.1.2");
	age_codes("+989131000001", 61);
	webc_get(&b, "/");
	st = webc_post(&b, "/", "mobile", "09131000001", "password",
	    "correct horse battery", NULL);
	webc_check(st == 303 && strcmp(b.location, "/verify") == 0,
	    "a new browser: the password right, then to /verify");
	webc_get(&b, "/verify");
	webc_check(has_txt(&b, CORE_WT_NEW_DEVICE) &&
		!webc_cookie(&b, "sd_s", v, sizeof(v)),
	    "... which says the browser is new, and no session yet");
	webc_check(webc_get(&b, "/account") == 303,
	    "... /account still refused");
	st = verify(&b, "+989131000001", NULL);
	webc_check(st == 303 && webc_get(&b, "/account") == 200,
	    "... the code: signed in");
	webc_fini(&b);

	/* Idle and absolute ends. */
	webc_sql(dbp, "UPDATE web_sessions SET last_seen = last_seen - 1801");
	webc_check(webc_get(&a, "/account") == 303,
	    "a session idle 30 min is over");
	webc_get(&a, "/");
	webc_post(&a, "/", "mobile", "09131000001", "password",
	    "correct horse battery", NULL);
	webc_sql(dbp, "UPDATE web_sessions SET expires = created - 1");
	webc_check(webc_get(&a, "/account") == 303,
	    "a session past its absolute end is over");
	webc_fini(&a);
}

static void
t_signin_refusals(void)
{
	struct webc c;
	char unk[4096], wrong[4096];
	long s1, s2;
	int i;

	webc_init(&c, base);
	snprintf(c.xff, sizeof(c.xff), "10.0.2.1");
	webc_get(&c, "/");
	s1 = webc_post(&c, "/", "mobile", "09131000001", "password",
	    "wrong password here", NULL);
	snprintf(wrong, sizeof(wrong), "%s",
	    strstr(c.body, "<p class=\"err\"") ?
		strstr(c.body, "<p class=\"err\"") :
		"");
	webc_check(s1 == 401 && has_txt(&c, CORE_WT_BAD_LOGIN),
	    "wrong password: 401, «%s»", core_web_txt(CORE_WT_BAD_LOGIN));
	s2 = webc_post(&c, "/", "mobile", "09131009999", "password",
	    "wrong password here", NULL);
	snprintf(unk, sizeof(unk), "%s",
	    strstr(c.body, "<p class=\"err\"") ?
		strstr(c.body, "<p class=\"err\"") :
		"");
	*strstr(wrong, "</p>") = '\0';
	*strstr(unk, "</p>") = '\0';
	webc_check(s1 == s2 && strcmp(wrong, unk) == 0,
	    "an unknown number gets the same status and words");
	for (i = 0; i < 4; i++)
		webc_post(&c, "/", "mobile", "09131000001", "password",
		    "wrong password here", NULL);
	s1 = webc_post(&c, "/", "mobile", "09131000001", "password",
	    "correct horse battery", NULL);
	webc_check(s1 == 429 && has_txt(&c, CORE_WT_LOGIN_LIMIT) &&
		webc_has(&c, "دقیقه دیگر"),
	    "5 failures for a number: even the right password waits (429, "
	    "says how long)");
	/* Per address: 20 failures on other numbers. */
	snprintf(c.xff, sizeof(c.xff), "10.0.2.2");
	for (i = 0; i < 20; i++) {
		char m[16];

		snprintf(m, sizeof(m), "0913200%04d", i);
		webc_post(&c, "/", "mobile", m, "password", "nope nope nope",
		    NULL);
	}
	s1 = webc_post(&c, "/", "mobile", "09132009999", "password",
	    "nope nope nope", NULL);
	webc_check(s1 == 429 && has_txt(&c, CORE_WT_LOGIN_LIMIT),
	    "20 failures from an address: refused (429)");
	webc_sql(dbp, "DELETE FROM web_fails");
	webc_fini(&c);
}

static void
t_csrf_and_input(void)
{
	struct webc c;
	long st;

	webc_init(&c, base);
	snprintf(c.xff, sizeof(c.xff), "10.0.3.1");
	webc_get(&c, "/");
	st = webc_post(&c, "/", "csrf", NULL, "mobile", "09131000001",
	    "password", "correct horse battery", NULL);
	webc_check(st == 403 && has_txt(&c, CORE_WT_CSRF),
	    "no CSRF token: 403 and why");
	st = webc_post(&c, "/", "csrf", "00", "mobile", "09131000001",
	    "password", "correct horse battery", NULL);
	webc_check(st == 403, "a wrong CSRF token: 403");
	{
		struct webc d;

		webc_init(&d, base);
		st = webc_post(&d, "/", "csrf", c.csrf, "mobile", "09131000001",
		    "password", "correct horse battery", NULL);
		webc_check(st == 403,
		    "another browser's CSRF token (no cookie): 403");
		webc_fini(&d);
	}
	webc_get(&c, "/signup");
	st = webc_post(&c, "/signup", "first", "\xff\xfe", "last", "x",
	    "mobile", "09131000002", "password", "correct horse battery",
	    "user_type", "کاردان", NULL);
	webc_check(st == 400 && has_txt(&c, CORE_WT_BAD_FIELD),
	    "invalid UTF-8 in a field: 400 and why");
	webc_get(&c, "/signup");
	st = webc_post(&c, "/signup", "first", "سارا", "last", "محمدی",
	    "mobile", "09131000002", "password", "password1", "user_type",
	    "کاردان", NULL);
	webc_check(st == 422 && has_txt(&c, CORE_WT_PW_COMMON) &&
		webc_has(&c, "value=\"سارا\"") &&
		!webc_has(&c, "value=\"password1\""),
	    "a common password refused, the form kept as typed (not the "
	    "password)");
	st = webc_post(&c, "/signup", "first", "سارا", "last", "محمدی",
	    "mobile", "09131000002", "password", "kotah", "user_type", "کاردان",
	    NULL);
	webc_check(st == 422 && has_txt(&c, CORE_WT_PW_SHORT),
	    "a short password refused");
	st = webc_post(&c, "/signup", "first", "سارا", "last", "محمدی",
	    "mobile", "12345", "password", "correct horse battery", "user_type",
	    "کاردان", NULL);
	webc_check(st == 422 && has_txt(&c, CORE_WT_BAD_MOBILE),
	    "a bad mobile number refused");
	st = webc_post(&c, "/signup", "first", "سارا", "last", "محمدی",
	    "mobile", "09131000002", "password", "correct horse battery",
	    "user_type", "هکر", NULL);
	webc_check(st == 422 && has_txt(&c, CORE_WT_BAD_TYPE),
	    "a user type not in the list refused");
	webc_check(webc_sql_int(dbp,
		       "SELECT count(*) FROM otps WHERE mobile "
		       "= '+989131000002'") == 0,
	    "no code sent for a refused form");
	webc_fini(&c);
}

static void
t_codes(void)
{
	struct webc c;
	char code[7], wrong[7];
	long st;
	int i;

	webc_init(&c, base);
	snprintf(c.xff, sizeof(c.xff), "10.0.4.1");
	signup(&c, "مریم", "احمدی", "09131000003", "correct horse battery");
	webc_otp(dbp, "+989131000003", code);
	snprintf(wrong, sizeof(wrong), "%06d", (atoi(code) + 1) % 1000000);
	webc_get(&c, "/verify");
	st = webc_post(&c, "/verify", "code", wrong, NULL);
	webc_check(st == 422 && webc_has(&c, "کد نادرست است؛ ۴ بار دیگر"),
	    "a wrong code: 422, «4 more tries» in Persian");
	st = webc_post(&c, "/verify", "code", "12ab", NULL);
	webc_check(st == 422 && webc_has(&c, "۳ بار دیگر"),
	    "a malformed code counts as a try");
	for (i = 0; i < 3; i++)
		st = webc_post(&c, "/verify", "code", wrong, NULL);
	webc_check(st == 422 && has_txt(&c, CORE_WT_CODE_DEAD),
	    "the fifth wrong code kills it");
	st = webc_post(&c, "/verify", "code", code, NULL);
	webc_check(st == 422 && has_txt(&c, CORE_WT_CODE_DEAD) &&
		webc_get(&c, "/account") == 303,
	    "the sixth try, even right, is refused");
	webc_get(&c, "/verify");
	st = webc_post(&c, "/verify/resend", NULL);
	webc_check(st == 429 && webc_has(&c, "ثانیه دیگر"),
	    "resend too soon: 429, says how many seconds");
	age_codes("+989131000003", 61);
	st = webc_post(&c, "/verify/resend", NULL);
	webc_check(st == 200, "resend after a minute: a new code");
	webc_sql(dbp,
	    "UPDATE otps SET expires = created WHERE mobile = "
	    "'+989131000003'");
	st = verify(&c, "+989131000003", NULL);
	webc_check(st == 422 && has_txt(&c, CORE_WT_CODE_EXPIRED),
	    "an expired code refused, says ask for a new one");
	webc_check(webc_sql_int(dbp,
		       "SELECT count(*) FROM users WHERE mobile "
		       "= '+989131000003'") == 0,
	    "no account until a code is right");
	/* Per number: 5 an hour. */
	for (i = 0; i < 3; i++) {
		age_codes("+989131000003", 61);
		webc_post(&c, "/verify/resend", NULL);
	}
	webc_check(webc_sql_int(dbp,
		       "SELECT count(*) FROM otps WHERE mobile "
		       "= '+989131000003'") == 5,
	    "five codes sent to the number");
	age_codes("+989131000003", 61);
	st = webc_post(&c, "/verify/resend", NULL);
	webc_check(st == 429 && has_txt(&c, CORE_WT_NUMBER_HOUR) &&
		webc_has(&c, "دقیقه دیگر"),
	    "the sixth code in an hour for a number: refused, says when");
	st = verify(&c, "+989131000003", NULL);
	webc_check(st == 303 && webc_get(&c, "/account") == 200,
	    "the fifth code still signs up");
	webc_fini(&c);
}

static void
t_addr_and_global_caps(void)
{
	struct webc c;
	long st = 0, n0, n;
	int i, k = 0;
	char m[16], ip[32];

	webc_init(&c, base);
	snprintf(c.xff, sizeof(c.xff), "10.0.5.1");
	for (i = 0; i < 6; i++) {
		snprintf(m, sizeof(m), "0913300%04d", i);
		signup(&c, "رضا", "کاظمی", m, "correct horse battery");
	}
	webc_get(&c, "/signup");
	st = webc_post(&c, "/signup", "first", "رضا", "last", "کاظمی", "mobile",
	    "09133009999", "password", "correct horse battery", "user_type",
	    "کاردان", NULL);
	webc_check(st == 429 && has_txt(&c, CORE_WT_ADDR_HOUR) &&
		webc_has(&c, "value=\"رضا\""),
	    "the 7th code from one address in an hour: 429, says when, form "
	    "kept");
	/* The global cap (40 an hour from the web): more addresses. */
	n0 = webc_sql_int(dbp,
	    "SELECT count(*) FROM otps WHERE addr IS NOT "
	    "NULL AND created >= strftime('%s') - 3600");
	for (i = 0; i < 60; i++) {
		snprintf(ip, sizeof(ip), "10.0.6.%d", 1 + i / 5);
		snprintf(c.xff, sizeof(c.xff), "%s", ip);
		snprintf(m, sizeof(m), "0913400%04d", i);
		webc_get(&c, "/signup");
		st = webc_post(&c, "/signup", "first", "رضا", "last", "کاظمی",
		    "mobile", m, "password", "correct horse battery",
		    "user_type", "کاردان", NULL);
		if (st != 303)
			break;
		k++;
	}
	n = webc_sql_int(dbp,
	    "SELECT count(*) FROM otps WHERE addr IS NOT "
	    "NULL AND created >= strftime('%s') - 3600");
	webc_check(st == 429 && has_txt(&c, CORE_WT_GLOBAL_HOUR) && n == 40,
	    "the global hourly cap: refused at 40 web codes (%ld before, %d "
	    "more, %ld now)",
	    n0, k, n);
	webc_sql(dbp, "UPDATE otps SET created = created - 3601, addr = 'old'");
	webc_fini(&c);
}

static void
t_claim_and_reset(void)
{
	struct webc c, d;
	long st;

	/* A number registered by SMS (REG): no password. */
	webc_sql(dbp,
	    "INSERT INTO users (mobile, first_name, last_name, "
	    "role, verified, created) VALUES ('+989131000005', "
	    "'حسن', 'کریمی', 0, 1, strftime('%s'))");
	webc_init(&c, base);
	snprintf(c.xff, sizeof(c.xff), "10.0.7.1");
	webc_get(&c, "/");
	st = webc_post(&c, "/", "mobile", "09131000005", "password",
	    "any password at all", NULL);
	webc_check(st == 401, "an SMS-registered number has no password yet");
	webc_check(signup(&c, "دیگری", "کس", "09131000005",
		       "claimed by code 123"),
	    "sign-up with that number: a code, as for anyone");
	st = verify(&c, "+989131000005", NULL);
	webc_get(&c, "/account");
	webc_check(st == 303 && c.status == 200 && webc_has(&c, ">حسن<") &&
		!webc_has(&c, "دیگری"),
	    "the code claims the SMS account: its names kept, the password "
	    "set");
	webc_fini(&c);

	/* Reset by code. */
	webc_init(&d, base);
	snprintf(d.xff, sizeof(d.xff), "10.0.7.2");
	age_codes("+989131000005", 61);
	webc_get(&d, "/reset");
	st = webc_post(&d, "/reset", "mobile", "09131000005", NULL);
	webc_check(st == 303 && strcmp(d.location, "/verify") == 0,
	    "reset: to /verify");
	webc_get(&d, "/verify");
	webc_check(webc_has(&d, "name=\"password\"") &&
		has_txt(&d, CORE_WT_NEW_PASSWORD),
	    "... which asks for the code and a new password");
	st = verify(&d, "+989131000005", "password123");
	webc_check(st == 422 && has_txt(&d, CORE_WT_PW_COMMON),
	    "a common new password refused before the code is tried");
	st = verify(&d, "+989131000005", "a brand new passphrase");
	webc_check(st == 303 && strcmp(d.location, "/requests") == 0,
	    "reset done: signed in, at the requests (%ld %s)", st,
	    d.location);
	webc_get(&d, "/account");
	webc_check(d.status == 200, "... signed in (/account %ld)", d.status);
	webc_get(&d, "/signout");
	webc_post(&d, "/signout", NULL);
	webc_get(&d, "/");
	st = webc_post(&d, "/", "mobile", "09131000005", "password",
	    "claimed by code 123", NULL);
	webc_check(st == 401, "the old password no longer works");
	st = webc_post(&d, "/", "mobile", "09131000005", "password",
	    "a brand new passphrase", NULL);
	webc_check(st == 303 && strcmp(d.location, "/requests") == 0,
	    "the new one does (this browser passed a code)");
	webc_fini(&d);
	webc_init(&d, base);
	snprintf(d.xff, sizeof(d.xff), "10.0.7.3");
	webc_get(&d, "/reset");
	st = webc_post(&d, "/reset", "mobile", "09131008888", NULL);
	webc_check(st == 303 && strcmp(d.location, "/verify") == 0,
	    "reset for an unknown number: the same answer (%ld)", st);
	webc_fini(&d);
}

/* True if the server closed fd (or answered) within ms. */
static bool
closed_within(int fd, int ms)
{
	struct pollfd p = {fd, POLLIN, 0};
	char b[256];

	if (poll(&p, 1, ms) <= 0)
		return false;
	(void)recv(fd, b, sizeof(b), MSG_DONTWAIT);
	return true;
}

/* Read /healthz's answer on a kept-alive connection, returning as soon
 * as its body "ok" is in (the connection stays open). */
static bool
healthz_answered(int fd)
{
	char b[1024];
	size_t got = 0;

	while (got + 1 < sizeof(b)) {
		struct pollfd p = {fd, POLLIN, 0};
		ssize_t r;

		if (poll(&p, 1, 1000) <= 0)
			return false;
		r = recv(fd, b + got, sizeof(b) - 1 - got, 0);
		if (r <= 0)
			return false;
		got += (size_t)r;
		b[got] = '\0';
		if (strstr(b, "\r\n\r\nok\n") != NULL)
			return true;
	}
	return false;
}

static void
t_limits(void)
{
	char buf[8192];
	int64_t t0;
	long n;
	int fd, i;

	/* Transfer-Encoding with Content-Length. */
	fd = webc_raw_connect(base);
	dprintf(fd,
	    "POST / HTTP/1.1\r\nHost: x\r\nContent-Type: "
	    "application/x-www-form-urlencoded\r\nContent-Length: "
	    "5\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n");
	webc_raw_read(fd, buf, sizeof(buf), 3000);
	close(fd);
	webc_check(strncmp(buf, "HTTP/1.1 400", 12) == 0,
	    "Transfer-Encoding with Content-Length: 400");

	/* A page for the signed-in: no session, no body read. */
	fd = webc_raw_connect(base);
	t0 = webc_now_ms();
	dprintf(fd,
	    "POST /signout HTTP/1.1\r\nHost: x\r\nContent-Type: "
	    "application/x-www-form-urlencoded\r\nContent-Length: "
	    "1000\r\n\r\n");
	n = webc_raw_read(fd, buf, sizeof(buf), 3000);
	close(fd);
	webc_check(n > 0 && strncmp(buf, "HTTP/1.1 403", 12) == 0 &&
		strstr(buf, "باید وارد سامانه شده باشید") != NULL &&
		webc_now_ms() - t0 < 1500,
	    "a POST to a signed-in page without a session: 403 from the head, "
	    "its body not awaited, says sign in");

	/* 50 MB announced, nothing sent: refused from the head. */
	fd = webc_raw_connect(base);
	t0 = webc_now_ms();
	dprintf(fd,
	    "POST / HTTP/1.1\r\nHost: x\r\nContent-Type: "
	    "application/x-www-form-urlencoded\r\nContent-Length: "
	    "52428800\r\n\r\n");
	n = webc_raw_read(fd, buf, sizeof(buf), 3000);
	close(fd);
	webc_check(n > 0 && strncmp(buf, "HTTP/1.1 413", 12) == 0 &&
		webc_now_ms() - t0 < 1500 &&
		strstr(buf, core_web_txt(CORE_WT_TOO_LARGE)) != NULL,
	    "a 50 MB POST: 413 from its Content-Length, before one byte of "
	    "body, in Persian (%lld ms)",
	    (long long)(webc_now_ms() - t0));

	/* Chunked past the limit: libmicrohttpd 0.9.75 cannot answer in the
	 * middle of a body, so the connection is closed there. */
	fd = webc_raw_connect(base);
	t0 = webc_now_ms();
	dprintf(fd,
	    "POST / HTTP/1.1\r\nHost: x\r\nContent-Type: "
	    "application/x-www-form-urlencoded\r\nTransfer-Encoding: "
	    "chunked\r\n\r\n");
	{
		static char chunk[8192];
		long sent = 0;

		memset(chunk, 'a', sizeof(chunk));
		for (i = 0; i < 200; i++) {
			dprintf(fd, "2000\r\n");
			if (send(fd, chunk, sizeof(chunk), MSG_NOSIGNAL) < 0)
				break;
			sent += (long)sizeof(chunk);
			if (dprintf(fd, "\r\n") < 0 || closed_within(fd, 5))
				break;
		}
		n = webc_raw_read(fd, buf, sizeof(buf), 2000);
		close(fd);
		webc_check(i < 200 && strstr(buf, "HTTP/1.1 2") == NULL &&
			strstr(buf, "HTTP/1.1 3") == NULL,
		    "a chunked body past 128 KB: the connection closed after "
		    "%ld KB sent, no page (%lld ms)",
		    sent / 1024, (long long)(webc_now_ms() - t0));
	}

	/* Slowloris: a header byte every 200 ms. */
	fd = webc_raw_connect(base);
	t0 = webc_now_ms();
	dprintf(fd, "GET / HTTP/1.1\r\nHost: x\r\n");
	for (i = 0; i < 50; i++)
		if (send(fd, "X", 1, MSG_NOSIGNAL) < 0 ||
		    closed_within(fd, 200))
			break;
	n = (long)(webc_now_ms() - t0);
	close(fd);
	webc_check(i < 50 && n >= 1800 && n < 4500,
	    "slowloris (a header byte every 200 ms): cut by the 2 s "
	    "deadline (%ld ms)",
	    n);

	/* Slow POST: the head at once, a body byte every 200 ms. */
	fd = webc_raw_connect(base);
	t0 = webc_now_ms();
	dprintf(fd,
	    "POST / HTTP/1.1\r\nHost: x\r\nContent-Type: "
	    "application/x-www-form-urlencoded\r\nContent-Length: "
	    "100\r\n\r\n");
	for (i = 0; i < 50; i++)
		if (send(fd, "a", 1, MSG_NOSIGNAL) < 0 ||
		    closed_within(fd, 200))
			break;
	n = (long)(webc_now_ms() - t0);
	close(fd);
	webc_check(i < 50 && n >= 1800 && n < 4500,
	    "slow POST (a body byte every 200 ms): cut by the deadline (%ld "
	    "ms)",
	    n);

	/* Per address: [web] per_ip_connections = 8 at once. Each of the
	 * 8 is known to be accepted (it answered /healthz and stays open,
	 * keep-alive); the 9th gets no answer and is closed. */
	{
		int fds[9], k, ok8 = 0, round;
		int64_t ms = -1;
		char b[512];

		/* A connection an earlier case closed may still count for a
		 * moment (the server drops it on its next turn; CI once saw
		 * only 7 of the 8 answered): up to 5 rounds, 300 ms apart,
		 * until the 8 are answered, and the 9th is judged in that
		 * round. */
		for (round = 0; round < 5; round++) {
			if (round > 0) {
				for (k = 0; k < 9; k++)
					if (fds[k] >= 0)
						close(fds[k]);
				usleep(300 * 1000);
			}
			ok8 = 0;
			for (k = 0; k < 9; k++) {
				fds[k] = webc_raw_connect(base);
				dprintf(fds[k],
				    "GET /healthz HTTP/1.1\r\nHost: "
				    "x\r\n\r\n");
				if (k < 8 && healthz_answered(fds[k]))
					ok8++;
			}
			if (ok8 != 8)
				continue;
			t0 = webc_now_ms();
			n = webc_raw_read(fds[8], b, sizeof(b), 1500);
			ms = webc_now_ms() - t0;
			/* An answer to the 9th is a failure, at once; neither an
			 * answer nor a close within 1 s may be a loaded machine
			 * (seen once, 1501 ms): another round. */
			if (n != 0 || ms < 1000)
				break;
		}
		webc_check(ok8 == 8 && n == 0 && ms < 1000,
		    "8 connections from one address answered, the 9th closed "
		    "at once (%d, %lld ms, round %d)",
		    ok8, (long long)ms, round + 1);
		for (k = 0; k < 9; k++)
			if (fds[k] >= 0)
				close(fds[k]);
	}
}

int
main(int argc, char **argv)
{
	if (argc != 3) {
		fprintf(stderr, "usage: test_web_auth BASE_URL DB_PATH\n");
		return 2;
	}
	base = argv[1];
	dbp = argv[2];
	signal(SIGPIPE, SIG_IGN);
	t_pages();
	t_signup_flow();
	t_signin_refusals();
	t_csrf_and_input();
	t_codes();
	t_addr_and_global_caps();
	t_claim_and_reset();
	t_limits();
	printf("%s\n", webc_fails == 0 ? "all ok" : "FAILED");
	return webc_fails == 0 ? 0 : 1;
}
