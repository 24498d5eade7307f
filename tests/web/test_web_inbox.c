/*
 * tests/web/test_web_inbox.c: the staff inbox over HTTP (issue #14),
 * against a running `smsdesk serve` (tests/integ/test_web_inbox.sh).
 *
 *   test_web_inbox BASE_URL DB_PATH SMSDESK_BIN CONFIG
 *
 * People sign up on the web (codes read from the outbox, as
 * tests/web/webc.h says); two of them are made staff of departments 2 and
 * 5 in the database, then sign in again in a fresh browser, entering an
 * SMS code whenever the server asks for one (staff always confirm with a
 * code, issue #14). Requests are opened with `smsdesk request new`, so
 * they go through core like any other. Deadlines, reminders, escalation
 * and assignment are set in the database, not waited for.
 */
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/core.h"
#include "tests/web/webc.h"

static const char *base, *dbp, *bin, *ini;

#define PW "correct horse battery"
#define APP_A "09131000001"
#define APP_B "09131000002"
#define STAFF2 "09121000002"
#define STAFF5 "09121000005"

static const char *
e164(const char *local, char out[SD_MOBILE_LEN])
{
	snprintf(out, SD_MOBILE_LEN, "+98%s", local + 1);
	return out;
}

/* Enter the newest code of mobile on /verify if the last answer sent us
 * there; the status of the last answer. */
static long
code_step(struct webc *c, const char *mobile)
{
	char code[7], e[SD_MOBILE_LEN];

	if (c->status != 303 || strcmp(c->location, "/verify") != 0)
		return c->status;
	if (!webc_otp(dbp, e164(mobile, e), code))
		return -1;
	webc_get(c, "/verify");
	return webc_post(c, "/verify", "code", code, NULL);
}

static bool
signup(struct webc *c, const char *first, const char *mobile)
{
	webc_get(c, "/signup");
	webc_post(c, "/signup", "first", first, "last", "آزمون", "mobile",
	    mobile, "password", PW, "user_type", "کاردان", NULL);
	return code_step(c, mobile) == 303;
}

/* Sign in with the password, and the SMS code whenever it is asked. */
static bool
signin(struct webc *c, const char *mobile)
{
	char q[160], e[SD_MOBILE_LEN];
	long st;

	/* The sign-up's code was sent a moment ago: a new one may be sent
	 * a minute after it ([otp] resend spacing). */
	snprintf(q, sizeof(q),
	    "UPDATE otps SET created = created - 120 WHERE mobile = '%s'",
	    e164(mobile, e));
	webc_sql(dbp, q);
	webc_get(c, "/");
	webc_post(c, "/", "mobile", mobile, "password", PW, NULL);
	st = code_step(c, mobile);
	if (st != 303)
		fprintf(stderr, "# sign-in %s: %ld %s\n%.2000s\n", mobile, st,
		    c->location, c->body != NULL ? c->body : "");
	return st == 303 && webc_get(c, "/requests") == 200;
}

/* `smsdesk request new`: the tracking number, 0 on failure. */
static long long
request_new(const char *from, int dept, const char *prio, const char *title)
{
	char cmd[1024];
	long long t = 0;
	FILE *p;

	snprintf(cmd, sizeof(cmd),
	    "'%s' -c '%s' request new --from %s --dept %d --priority %s "
	    "--title '%s' --text 'متن درخواست' 2>/dev/null",
	    bin, ini, from, dept, prio, title);
	p = popen(cmd, "r");
	if (p == NULL)
		return 0;
	if (fscanf(p, "%lld", &t) != 1)
		t = 0;
	pclose(p);
	return t;
}

static void sql(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static void
sql(const char *fmt, ...)
{
	char q[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(q, sizeof(q), fmt, ap);
	va_end(ap);
	if (!webc_sql(dbp, q))
		webc_check(false, "sql: %s", q);
}

/* The tracking numbers the last page links to, in order: *n of them. */
static size_t
listed(const struct webc *c, long long *out, size_t max)
{
	const char *p = c->body, *key = "href=\"/staff/requests/";
	size_t n = 0;

	while (p != NULL && n < max && (p = strstr(p, key)) != NULL) {
		p += strlen(key);
		out[n++] = strtoll(p, NULL, 10);
	}
	return n;
}

static bool
lists_only(const struct webc *c, long long t)
{
	long long v[64];
	size_t n = listed(c, v, 64);

	return n == 1 && v[0] == t;
}

static bool
lists(const struct webc *c, long long t)
{
	long long v[64];
	size_t n = listed(c, v, 64), i;

	for (i = 0; i < n; i++)
		if (v[i] == t)
			return true;
	return false;
}

/* The row of tracking t on the last page, into out ("" if absent). */
static void
row_of(const struct webc *c, long long t, char *out, size_t sz)
{
	char key[64];
	const char *p, *e;

	snprintf(key, sizeof(key), "href=\"/staff/requests/%lld\"", t);
	out[0] = '\0';
	p = strstr(c->body, key);
	if (p == NULL)
		return;
	e = strstr(p, "</tr>");
	snprintf(out, sz, "%.*s", e != NULL ? (int)(e - p) : 0, p);
}

static long get(struct webc *c, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static long
get(struct webc *c, const char *fmt, ...)
{
	char path[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(path, sizeof(path), fmt, ap);
	va_end(ap);
	return webc_get(c, path);
}

int
main(int argc, char **argv)
{
	struct webc app, s2, s5, anon;
	long long r[9], v[64], first[64];
	char row[4096], *body404;
	size_t n, n1, i;
	bool disjoint;

	if (argc != 5) {
		fprintf(stderr,
		    "usage: test_web_inbox BASE_URL DB_PATH BIN CONFIG\n");
		return 2;
	}
	base = argv[1];
	dbp = argv[2];
	bin = argv[3];
	ini = argv[4];
	signal(SIGPIPE, SIG_IGN);

	webc_init(&app, base);
	webc_init(&s2, base);
	webc_init(&s5, base);
	webc_init(&anon, base);
	webc_check(signup(&app, "مریم", APP_A), "applicant A signed up");
	{
		struct webc b;

		webc_init(&b, base);
		webc_check(signup(&b, "رضا", APP_B), "applicant B signed up");
		webc_fini(&b);
	}
	{
		struct webc t;

		webc_init(&t, base);
		webc_check(signup(&t, "سارا", STAFF2),
		    "a future staff member signed up");
		webc_fini(&t);
		webc_init(&t, base);
		webc_check(signup(&t, "علی", STAFF5),
		    "another future staff member signed up");
		webc_fini(&t);
	}
	webc_check(webc_sql(dbp,
		       "UPDATE users SET role = 1 WHERE mobile IN"
		       " ('+989121000002', '+989121000005')"),
	    "two of them made staff");
	webc_sql(dbp,
	    "INSERT INTO staff_departments (user_id, dept_code) SELECT id, 2"
	    " FROM users WHERE mobile = '+989121000002'");
	webc_sql(dbp,
	    "INSERT INTO staff_departments (user_id, dept_code) SELECT id, 5"
	    " FROM users WHERE mobile = '+989121000005'");
	webc_check(signin(&s2, STAFF2),
	    "staff of department 2 signs in (password, then the SMS code "
	    "when asked)");

	/* Requests, in this order (tracking order = age order). */
	r[0] = request_new(APP_A, 2, "low", "درخواست کم اهمیت");
	r[1] = request_new(APP_A, 2, "very-urgent", "پروانه اشتغال فوری");
	r[2] = request_new(APP_A, 5, "very-urgent", "بازرسی فنی ساختمان");
	/* «كارت يارانه» with Arabic kaf and yeh */
	r[3] = request_new(APP_A, 2, "normal",
	    "\xd9\x83\xd8\xa7\xd8\xb1\xd8\xaa \xd9\x8a\xd8\xa7\xd8\xb1\xd8\xa7"
	    "\xd9\x86\xd9\x87");
	/* «پیگیری می‌خواهم» with a ZWNJ */
	r[4] = request_new(APP_A, 2, "urgent", "پیگیری می\xe2\x80\x8cخواهم");
	r[5] = request_new(APP_A, 2, "low", "دیر شده");
	r[6] = request_new(APP_B, 2, "normal", "درخواست رضا");
	r[7] = request_new(APP_A, 2, "normal", "پاسخ داده شده");
	for (i = 0, n = 0; i < 8; i++)
		n += r[i] > 0;
	webc_check(n == 8, "8 requests opened with smsdesk request new");
	{
		char cmd[512];

		snprintf(cmd, sizeof(cmd),
		    "'%s' -c '%s' request reply %lld --from %s --text "
		    "'پاسخ کارشناس' >/dev/null 2>&1",
		    bin, ini, r[7], STAFF2);
		webc_check(system(cmd) == 0, "staff answered request %lld",
		    r[7]);
	}
	/* r[5] overdue; r[1] reminded; r[0] escalated. */
	sql("UPDATE requests SET due = strftime('%%s', 'now') - 3600"
	    " WHERE tracking = %lld",
	    r[5]);
	sql("UPDATE requests SET reminded = waiting_since WHERE tracking = %lld"
	    "",
	    r[1]);
	sql("UPDATE requests SET escalated = 1 WHERE tracking = %lld", r[0]);

	/* Who may see it. */
	webc_check(webc_get(&anon, "/staff/") == 303 &&
		strcmp(anon.location, "/?next=/staff/") == 0,
	    "/staff/ without a session: to sign-in");
	/* A missing request of theirs is the "not found" a signed-in
	 * applicant knows (an unknown path is answered before the session
	 * is read, without the header's links). */
	webc_get(&app, "/requests/999999999");
	body404 = strdup(
	    app.status == 404 && app.body != NULL ? app.body : "-");
	webc_check(webc_get(&app, "/staff/") == 404 &&
		strcmp(app.body, body404) == 0,
	    "an applicant on /staff/: 404, the same bytes as a missing "
	    "request");
	webc_check(webc_get(&app, "/staff/inbox") == 404 &&
		strcmp(app.body, body404) == 0 &&
		!webc_has(&app, "href=\"/staff/\""),
	    "... and on /staff/inbox; no inbox link in their header");
	free(body404);

	/* The inbox of department 2. */
	webc_check(webc_get(&s2, "/staff/") == 200 && s2.body_len < 30 * 1024 &&
		!webc_has(&s2, "<script") && !webc_has(&s2, "style=") &&
		webc_has(&s2, "<html lang=\"fa\" dir=\"rtl\">") &&
		webc_has(&s2, "href=\"/staff/\">کارتابل</a>"),
	    "/staff/: 200, %zu bytes < 30 KB, rtl, no script, the header's "
	    "«کارتابل» link",
	    s2.body_len);
	n = listed(&s2, v, 64);
	webc_check(n == 7 && v[0] == r[5] && v[1] == r[1] && v[2] == r[4] &&
		v[3] == r[3] && v[4] == r[6] && v[5] == r[7] && v[6] == r[0],
	    "order: overdue first, then very urgent .. low, then oldest "
	    "(got %zu rows)",
	    n);
	webc_check(!lists(&s2, r[2]), "department 5's request not listed");
	row_of(&s2, r[5], row, sizeof(row));
	webc_check(strstr(row, "گذشته") != NULL,
	    "the overdue row says «گذشته»");
	row_of(&s2, r[1], row, sizeof(row));
	webc_check(strstr(row, "یادآوری شد") != NULL &&
		strstr(row, "ساعت") != NULL &&
		strstr(row, "پروانه اشتغال فوری") != NULL &&
		strstr(row, "خیلی فوری") != NULL &&
		strstr(row, "در انتظار پاسخ") != NULL &&
		strstr(row, "مریم آزمون") != NULL &&
		strstr(row, "فناوری اطلاعات") != NULL &&
		strstr(row, "۱۴") != NULL,
	    "a waiting row: subject, applicant, department, status, "
	    "priority, reminder mark, a Jalali deadline and hours left");
	row_of(&s2, r[0], row, sizeof(row));
	webc_check(strstr(row, "ارجاع به ریاست") != NULL &&
		strstr(row, "یادآوری شد") == NULL,
	    "the escalated row is marked, and not as reminded");
	row_of(&s2, r[7], row, sizeof(row));
	webc_check(strstr(row, "پاسخ داده شد") != NULL &&
		strstr(row, "—") != NULL,
	    "the answered row has no deadline");

	/* Department 5's staff. */
	webc_check(signin(&s5, STAFF5), "staff of department 5 signs in");
	webc_get(&s5, "/staff/");
	webc_check(lists_only(&s5, r[2]), "department 5 sees its request only");

	/* Filters. */
	get(&s2, "/staff/?status=1");
	webc_check(lists_only(&s2, r[7]), "status=answered");
	get(&s2, "/staff/?status=0");
	webc_check(!lists(&s2, r[7]) && listed(&s2, v, 64) == 6,
	    "status=awaiting");
	get(&s2, "/staff/?prio=0");
	webc_check(lists_only(&s2, r[1]), "priority very urgent");
	get(&s2, "/staff/?prio=1");
	webc_check(lists_only(&s2, r[4]), "priority urgent");
	get(&s2, "/staff/?overdue=1");
	webc_check(lists_only(&s2, r[5]), "overdue only");
	get(&s2, "/staff/?dept=5");
	webc_check(listed(&s2, v, 64) == 0,
	    "department 5 chosen by department 2's staff: nothing");
	get(&s2, "/staff/?dept=2&prio=3");
	n = listed(&s2, v, 64);
	webc_check(n == 2 && v[0] == r[5] && v[1] == r[0],
	    "department 2 and low priority together");
	get(&s2, "/staff/?mine=1");
	webc_check(listed(&s2, v, 64) == 0, "assigned to me: none yet");
	sql("UPDATE requests SET assigned_to = (SELECT id FROM users WHERE"
	    " mobile = '+989121000002') WHERE tracking = %lld",
	    r[3]);
	get(&s2, "/staff/?mine=1");
	webc_check(lists_only(&s2, r[3]), "assigned to me: the one assigned");
	get(&s2, "/staff/?status=all");
	webc_check(listed(&s2, v, 64) == 7, "status=all");
	get(&s2, "/staff/?status=9&prio=x&dept=-1");
	webc_check(s2.status == 200 && listed(&s2, v, 64) == 7,
	    "bad filter values read as the defaults");

	/* Search. */
	{
		char q[256], fa[64], num[32];

		snprintf(num, sizeof(num), "%lld", r[3]);
		core_fa_digits(num, fa, sizeof(fa));
		snprintf(q, sizeof(q), "/staff/?q=%s", num);
		webc_get(&s2, q);
		webc_check(lists_only(&s2, r[3]), "search by tracking number");
		/* Persian digits, percent-encoded by hand */
		{
			char enc[256];
			size_t k = 0;

			for (i = 0; fa[i] != '\0' && k + 4 < sizeof(enc); i++)
				k += (size_t)snprintf(enc + k, sizeof(enc) - k,
				    "%%%02X", (unsigned char)fa[i]);
			snprintf(q, sizeof(q), "/staff/?q=%s", enc);
		}
		webc_get(&s2, q);
		webc_check(lists_only(&s2, r[3]),
		    "search by tracking number in Persian digits");
		snprintf(q, sizeof(q), "/staff/?q=%lld", r[2]);
		webc_get(&s2, q);
		webc_check(s2.status == 200 && listed(&s2, v, 64) == 0,
		    "another department's tracking number: nothing");
	}
	get(&s2, "/staff/?q=" APP_B);
	webc_check(lists_only(&s2, r[6]), "search by mobile 09..");
	webc_get(&s2, "/staff/?q=%2B98%20913%20100%200002");
	webc_check(lists_only(&s2, r[6]), "search by mobile +98 with spaces");
	/* «کارت» with Persian kaf finds the Arabic-kaf subject */
	webc_get(&s2, "/staff/?q=%DA%A9%D8%A7%D8%B1%D8%AA");
	webc_check(lists_only(&s2, r[3]),
	    "Persian «کارت» finds the subject typed «كارت» (Arabic kaf)");
	/* «پيگيري» with Arabic yeh finds the Persian subject */
	webc_get(&s2, "/staff/?q=%D9%BE%D9%8A%DA%AF%D9%8A%D8%B1%D9%8A");
	webc_check(lists_only(&s2, r[4]),
	    "Arabic-yeh «پيگيري» finds the subject typed «پیگیری»");
	/* «میخواهم» without a ZWNJ finds «می‌خواهم» */
	webc_get(&s2, "/staff/?q=%D9%85%DB%8C%D8%AE%D9%88%D8%A7%D9%87%D9%85");
	webc_check(lists_only(&s2, r[4]),
	    "«میخواهم» finds «می‌خواهم» (ZWNJ)");
	webc_get(&s2, "/staff/?q=%D8%A8%D8%A7%D8%B2%D8%B1%D8%B3%DB%8C");
	webc_check(s2.status == 200 && listed(&s2, v, 64) == 0,
	    "words of department 5's subject: nothing for department 2");
	webc_get(&s2, "/staff/?q=%22AND%22%20NEAR(%20*%20%22");
	webc_check(s2.status == 200 && listed(&s2, v, 64) == 0 &&
		webc_has(&s2, "پیدا نشد"),
	    "FTS5 syntax in the search box: an empty result, no error");
	webc_get(&s2, "/staff/?q=%3Cb%3Ex%22");
	webc_check(s2.status == 200 && !webc_has(&s2, "<b>x") &&
		webc_has(&s2, "value=\"&lt;b&gt;x&quot;\""),
	    "the search text is shown escaped");

	/* Paging: 30 more low-priority requests of department 2. */
	sql("WITH RECURSIVE k(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM k"
	    " WHERE i < %d) INSERT INTO requests (applicant_id, dept_code,"
	    " orig_dept, priority, title, status, channel, created, updated)"
	    " SELECT (SELECT id FROM users WHERE mobile = '+989131000001'),"
	    " 2, 2, 3, 'انبوه ' || i, 0, 3, strftime('%%s', 'now') + %d + i,"
	    " strftime('%%s', 'now') FROM k",
	    30, 100);
	get(&s2, "/staff/?prio=3");
	n1 = listed(&s2, first, 64);
	webc_check(n1 == 25 && webc_has(&s2, "rel=\"next\"") &&
		webc_has(&s2,
		    "href=\"/staff/?status=open&amp;prio=3&amp;"
		    "page=2\"") &&
		webc_has(&s2, "۳۲ درخواست"),
	    "page 1: 25 rows of 32, a next link that keeps the filters");
	get(&s2, "/staff/?status=open&prio=3&page=2");
	n = listed(&s2, v, 64);
	disjoint = true;
	for (i = 0; i < n; i++)
		for (size_t k = 0; k < n1; k++)
			if (v[i] == first[k])
				disjoint = false;
	webc_check(n == 7 && disjoint && webc_has(&s2, "rel=\"prev\"") &&
		!webc_has(&s2, "rel=\"next\""),
	    "page 2: the other 7, a previous link and no next");
	{
		FILE *f = fopen(getenv("INBOX_HTML") != NULL ?
			getenv("INBOX_HTML") :
			"/dev/null",
		    "w");

		if (f != NULL) {
			fputs(s2.body, f);
			fclose(f);
		}
	}
	get(&s2, "/staff/?prio=3&page=50");
	webc_check(s2.status == 200 && listed(&s2, v, 64) == 7 &&
		webc_has(&s2, "صفحه ۲ از ۲"),
	    "a page past the end: the last page");
	get(&s2, "/staff/?prio=3&page=999999999999999999999");
	webc_check(s2.status == 200 && listed(&s2, v, 64) == 25,
	    "a page number out of range: the first page");

	/* A long subject is cut in the table. */
	{
		char title[1024] = "", big[64];
		long long t;

		/* 17 x 9 characters, 289 bytes (SD_REQ_TITLE_MAX is 300) */
		for (i = 0; i < 17; i++)
			strcat(title, "ساختمان ۱");
		t = request_new(APP_A, 2, "low", title);
		snprintf(big, sizeof(big), "%lld", t);
		get(&s2, "/staff/?q=%s", big);
		row_of(&s2, t, row, sizeof(row));
		webc_check(t > 0 && strstr(row, "…") != NULL &&
			strstr(row, title) == NULL,
		    "a 153-character subject is cut with «…» in the table");
	}

	webc_fini(&app);
	webc_fini(&s2);
	webc_fini(&s5);
	webc_fini(&anon);
	printf("%s\n", webc_fails == 0 ? "all ok" : "FAILED");
	return webc_fails == 0 ? 0 : 1;
}
