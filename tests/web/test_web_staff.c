/*
 * tests/web/test_web_staff.c: the staff request page and its actions over
 * HTTP (issue #14), with libcurl against a running 'smsdesk serve'
 * (tests/integ/test_web_staff.sh starts it and adds the people with the
 * CLI: applicant 09121000001, staff 09121000002 and 09121000003 of
 * department 2, staff 09121000004 of department 5, the head 09121000005,
 * and request T of the applicant in department 2).
 *
 * Usage: test_web_staff BASE_URL DB_PATH TRACKING
 *
 * Everyone signs in through the sign-in pages: a password (set here, in
 * the database, as a reset would), then the SMS code whenever the server
 * asks for one (read from the outbox), so the helper holds whether staff
 * are asked for a code on every browser or only on new ones.
 * Checked: an applicant on /staff/ pages and staff of department 5 on
 * department 2's request get 404, byte for byte the page of a missing
 * one, and change nothing; answer with a file (status, the applicant's
 * alert row, the download), a canned answer put into the text box,
 * assign (an outsider refused), an internal note (absent from the
 * applicant's page, the /r/ link and every SMS), close and reopen, a
 * POST without its CSRF token (403), and transfer (the old department
 * loses the page, the new one gets it).
 */
#include <curl/curl.h>
#include <dirent.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/core.h"
#include "db/db.h"
#include "tests/web/webc.h"

static const char *base, *dbp;
static long long T;

#define APPLICANT "09121000001"
#define STAFF_A "09121000002"
#define STAFF_A2 "09121000003"
#define STAFF_B "09121000004"
#define HEAD "09121000005"
#define PW "staff desk passphrase 7"

static long long
q(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* The integer of a one-value query built from fmt. */
static long long
q(const char *fmt, ...)
{
	char sql[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(sql, sizeof(sql), fmt, ap);
	va_end(ap);
	return webc_sql_int(dbp, sql);
}

/* "+98912..." of "0912...". */
static void
e164_of(const char *local, char out[SD_MOBILE_LEN])
{
	snprintf(out, SD_MOBILE_LEN, "+98%s", local + 1);
}

/* Give local's account the password PW, as a reset would. */
static void
set_password(const char *local)
{
	char hash[CORE_PWHASH_LEN], sql[512], e[SD_MOBILE_LEN];

	e164_of(local, e);
	if (core_password_hash(PW, hash) != SD_OK) {
		webc_check(false, "hash a password");
		return;
	}
	snprintf(sql, sizeof(sql),
	    "UPDATE users SET password_hash = '%s', verified = 1 WHERE "
	    "mobile = '%s'",
	    hash, e);
	webc_check(webc_sql(dbp, sql), "password set for %s", local);
}

/* The names of the first two password inputs of c's page ("" if
 * none): a step that asks for a password (or a new one, twice) gets PW. */
static void
pw_fields(const struct webc *c, char f0[64], char f1[64])
{
	const char *p = c->body;
	char *out[2] = {f0, f1};
	int k = 0;

	f0[0] = f1[0] = '\0';
	while (p != NULL && k < 2 && (p = strstr(p, "<input")) != NULL) {
		const char *end = strchr(p, '>'), *n;
		size_t i = 0;

		if (end == NULL)
			break;
		n = strstr(p, "name=\"");
		if (n != NULL && n < end &&
		    strstr(p, "type=\"password\"") != NULL &&
		    strstr(p, "type=\"password\"") < end) {
			n += strlen("name=\"");
			while (n[i] != '"' && i + 1 < 64)
				i++;
			memcpy(out[k], n, i);
			out[k][i] = '\0';
			k++;
		}
		p = end;
	}
}

/*
 * Sign local in on browser c (its own X-Forwarded-For): the password,
 * then as many SMS-code steps as the server asks for (entering the
 * password again where a step asks for one). True when signed in.
 */
static bool
sign_in(struct webc *c, const char *local, const char *xff)
{
	char e[SD_MOBILE_LEN], code[7], f0[64], f1[64];
	int step;

	e164_of(local, e);
	snprintf(c->xff, sizeof(c->xff), "%s", xff);
	webc_get(c, "/");
	if (webc_post(c, "/", "mobile", local, "password", PW, NULL) != 303)
		return false;
	for (step = 0; step < 3 && strcmp(c->location, "/verify") == 0;
	     step++) {
		webc_get(c, "/verify");
		if (!webc_otp(dbp, e, code))
			return false;
		pw_fields(c, f0, f1);
		if (f1[0] != '\0')
			webc_post(c, "/verify", "code", code, f0, PW, f1, PW,
			    NULL);
		else if (f0[0] != '\0')
			webc_post(c, "/verify", "code", code, f0, PW, NULL);
		else
			webc_post(c, "/verify", "code", code, NULL);
		if (c->status != 303)
			return false;
	}
	return c->status == 303 && strcmp(c->location, "/verify") != 0 &&
	    strcmp(c->location, "/") != 0;
}

/* ---- A multipart POST on c's handle (its cookies) ------------------------ */

struct sink {
	char *p;
	size_t n;
};

static size_t
sink_write(char *data, size_t sz, size_t nm, void *arg)
{
	struct sink *s = arg;
	size_t n = sz * nm;

	s->p = realloc(s->p, s->n + n + 1);
	if (s->p == NULL)
		abort();
	memcpy(s->p + s->n, data, n);
	s->n += n;
	s->p[s->n] = '\0';
	return n;
}

/* POST fields (name, value pairs) and one file (fname, data) as
 * multipart to path; the status; *loc gets the Location. */
static long
post_mime(struct webc *c, const char *path, const char *const *fields,
    const char *fname, const char *data, size_t len, char *loc, size_t locsz)
{
	struct sink body = {NULL, 0}, head = {NULL, 0};
	struct curl_slist *h = NULL;
	curl_mime *m = curl_mime_init(c->curl);
	curl_mimepart *p;
	char url[512], hdr[128];
	const char *l;
	long status = 0;
	size_t i;

	for (i = 0; fields[i] != NULL; i += 2) {
		p = curl_mime_addpart(m);
		curl_mime_name(p, fields[i]);
		curl_mime_data(p, fields[i + 1], CURL_ZERO_TERMINATED);
	}
	if (fname != NULL) {
		p = curl_mime_addpart(m);
		curl_mime_name(p, "file");
		curl_mime_filename(p, fname);
		curl_mime_data(p, data, len);
	}
	snprintf(url, sizeof(url), "%s%s", c->base, path);
	snprintf(hdr, sizeof(hdr), "X-Forwarded-For: %s", c->xff);
	h = curl_slist_append(h, hdr);
	h = curl_slist_append(h, "Expect:");
	curl_easy_setopt(c->curl, CURLOPT_URL, url);
	curl_easy_setopt(c->curl, CURLOPT_HTTPHEADER, h);
	curl_easy_setopt(c->curl, CURLOPT_WRITEFUNCTION, sink_write);
	curl_easy_setopt(c->curl, CURLOPT_WRITEDATA, &body);
	curl_easy_setopt(c->curl, CURLOPT_HEADERFUNCTION, sink_write);
	curl_easy_setopt(c->curl, CURLOPT_HEADERDATA, &head);
	curl_easy_setopt(c->curl, CURLOPT_MIMEPOST, m);
	if (curl_easy_perform(c->curl) == CURLE_OK)
		curl_easy_getinfo(c->curl, CURLINFO_RESPONSE_CODE, &status);
	curl_easy_setopt(c->curl, CURLOPT_MIMEPOST, NULL);
	curl_easy_setopt(c->curl, CURLOPT_HTTPHEADER, NULL);
	curl_slist_free_all(h);
	curl_mime_free(m);
	loc[0] = '\0';
	l = head.p != NULL ? strstr(head.p, "\nLocation: ") : NULL;
	if (l != NULL) {
		l += strlen("\nLocation: ");
		for (i = 0; i + 1 < locsz && l[i] != '\r' && l[i] != '\n'; i++)
			loc[i] = l[i];
		loc[i] = '\0';
	}
	free(body.p);
	free(head.p);
	return status;
}

/* Files in the attachments folder beside the database (the script puts
 * both in one folder). */
static long
stored_files(void)
{
	char dir[600];
	const char *slash = strrchr(dbp, '/');
	struct dirent *e;
	DIR *d;
	long n = 0;

	snprintf(dir, sizeof(dir), "%.*s/attachments",
	    slash != NULL ? (int)(slash - dbp) : 1, slash != NULL ? dbp : ".");
	d = opendir(dir);
	if (d == NULL)
		return 0;
	while ((e = readdir(d)) != NULL)
		n += e->d_name[0] != '.';
	closedir(d);
	return n;
}

/* ---- The cases ------------------------------------------------------------ */

static char page[64], missing[64];
static struct webc app, sa, sa2, sb, hd;

/* GET the last answer's Location on c. */
static long
follow(struct webc *c)
{
	char loc[sizeof(c->location)];

	snprintf(loc, sizeof(loc), "%s", c->location);
	return webc_get(c, loc);
}

/* body of GET path on c, copied (caller frees). */
static char *
get_copy(struct webc *c, const char *path, long *status)
{
	*status = webc_get(c, path);
	return strdup(c->body != NULL ? c->body : "");
}

static void
t_refusals(void)
{
	char *got, *want, url[96];
	long s1, s2;
	long long notes = q("SELECT count(*) FROM notes");

	/* The applicant: every /staff/ page is the missing page. */
	got = get_copy(&app, page, &s1);
	want = get_copy(&app, "/requests/999999", &s2);
	webc_check(s1 == 404 && s2 == 404 && strcmp(got, want) == 0,
	    "applicant on %s: 404, the same bytes as a missing request", page);
	free(got);
	got = get_copy(&app, "/staff/canned", &s1);
	webc_check(s1 == 404 && strcmp(got, want) == 0,
	    "applicant on /staff/canned: 404, the same bytes");
	free(got);
	free(want);
	webc_get(&app, "/requests");
	snprintf(url, sizeof(url), "%s/note", page);
	webc_check(webc_post(&app, url, "body", "نفوذ", NULL) == 404 &&
		q("SELECT count(*) FROM notes") == notes,
	    "applicant posting a note: 404, nothing stored");

	/* Staff of department 5 on department 2's request. */
	got = get_copy(&sb, page, &s1);
	want = get_copy(&sb, missing, &s2);
	webc_check(s1 == 404 && s2 == 404 && strcmp(got, want) == 0,
	    "staff of dept 5 on dept 2's request: 404, the same bytes as a "
	    "missing one");
	free(got);
	free(want);
	webc_get(&sb, "/staff/canned");
	webc_check(webc_post(&sb, url, "body", "نفوذ", NULL) == 404 &&
		q("SELECT count(*) FROM notes") == notes,
	    "staff of dept 5 posting a note on it: 404, nothing stored");
	snprintf(url, sizeof(url), "%s/close", page);
	webc_check(webc_post(&sb, url, NULL) == 404 &&
		q("SELECT status FROM requests WHERE tracking = %lld", T) ==
		    0,
	    "staff of dept 5 closing it: 404, still awaiting");
	snprintf(url, sizeof(url), "%s/answer", page);
	webc_check(webc_post(&sb, url, "body", "پاسخ", NULL) == 404 &&
		q("SELECT count(*) FROM messages WHERE tracking = %lld", T) ==
		    1,
	    "staff of dept 5 answering it: 404, no message");
}

static void
t_page(void)
{
	long st = webc_get(&sa, page);

	webc_check(st == 200, "staff of dept 2 open %s: 200", page);
	webc_check(webc_has(&sa, "علی") && webc_has(&sa, "رضایی") &&
		webc_has(&sa, APPLICANT),
	    "the page names the applicant and their mobile");
	webc_check(webc_has(&sa, "در انتظار پاسخ") &&
		webc_has(&sa, "مشکل ورود") &&
		webc_has(&sa, "سلام، نمی‌توانم وارد شوم"),
	    "the page shows status, subject and the thread");
	webc_check(webc_has(&sa, "action=\"" "/staff/requests/") &&
		webc_has(&sa, "name=\"canned\"") &&
		webc_has(&sa, "درج پاسخ آماده") &&
		webc_has(&sa, "enctype=\"multipart/form-data\""),
	    "the answer form: canned select, insert button, files");
	webc_check(webc_has(&sa, "/transfer") && webc_has(&sa, "/assign") &&
		webc_has(&sa, "/note") && webc_has(&sa, "/close"),
	    "forms for transfer, assign, note and close");
	webc_check(webc_has(&sa, "مهلت پاسخ") && webc_has(&sa, "تاریخچه") &&
		webc_has(&sa, "ثبت درخواست"),
	    "deadline and history shown");
	webc_check(!webc_has(&sa, "<script"), "no script");
	webc_check(sa.body_len < 30 * 1024, "page under 30 KB (%zu bytes)",
	    sa.body_len);
}

static void
t_canned(void)
{
	char url[96];
	long long id;

	webc_get(&sa, "/staff/canned");
	webc_check(sa.status == 200 && webc_has(&sa, "افزودن پاسخ آماده"),
	    "/staff/canned: 200 with the add form");
	webc_check(webc_post(&sa, "/staff/canned", "dept", "5", "title", "x",
		       "body", "y", NULL) == 404,
	    "adding a canned answer to another department: 404");
	webc_check(webc_post(&sa, "/staff/canned", "dept", "2", "title",
		       "مدارک ناقص", "body",
		       "با سلام، لطفا مدارک <ناقص> را بارگذاری کنید.",
		       NULL) == 303 &&
		strcmp(sa.location, "/staff/canned?m=canned-added") == 0,
	    "a canned answer added: 303 with a notice");
	id = q("SELECT id FROM canned WHERE title = 'مدارک ناقص'");
	webc_check(id > 0, "stored in table canned");
	webc_get(&sa, "/staff/canned?m=canned-added");
	webc_check(webc_has(&sa, "پاسخ آماده افزوده شد") &&
		webc_has(&sa, "&lt;ناقص&gt;"),
	    "the canned page: notice, the text escaped");
	webc_check(webc_post(&sa, "/staff/canned", "dept", "2", "title",
		       "مدارک ناقص", "body", "دوباره", NULL) == 303 &&
		strcmp(sa.location, "/staff/canned?m=canned-dup") == 0,
	    "the same title twice: refused with a notice");
	/* Staff of department 5 may not edit or delete it. */
	webc_get(&sb, "/staff/canned");
	snprintf(url, sizeof(url), "/staff/canned/%lld/edit", id);
	webc_check(webc_post(&sb, url, "title", "ربوده", "body", "z", NULL) ==
		    404,
	    "staff of dept 5 editing dept 2's canned answer: 404");
	snprintf(url, sizeof(url), "/staff/canned/%lld/delete", id);
	webc_check(webc_post(&sb, url, NULL) == 404 &&
		q("SELECT count(*) FROM canned WHERE id = %lld", id) == 1,
	    "... deleting it: 404, still there");
	/* Its department's staff edit it; a second one is added and
	 * deleted. */
	webc_get(&sa2, "/staff/canned");
	snprintf(url, sizeof(url), "/staff/canned/%lld/edit", id);
	webc_check(webc_post(&sa2, url, "title", "مدارک ناقص", "body",
		       "با سلام، لطفا مدارک <ناقص> را بارگذاری کنید.",
		       NULL) == 303 &&
		strcmp(sa2.location, "/staff/canned?m=canned-saved") == 0,
	    "a colleague edits it: 303 with a notice");
	webc_post(&sa2, "/staff/canned", "dept", "2", "title", "موقت", "body",
	    "متن موقت", NULL);
	{
		long long tmp = q("SELECT id FROM canned WHERE title = 'موقت'");

		webc_get(&sa2, "/staff/canned");
		snprintf(url, sizeof(url), "/staff/canned/%lld/delete", tmp);
		webc_check(tmp > 0 && webc_post(&sa2, url, NULL) == 303 &&
			strcmp(sa2.location,
			    "/staff/canned?m=canned-deleted") == 0 &&
			q("SELECT count(*) FROM canned WHERE id = %lld",
			    tmp) == 0,
		    "a canned answer deleted: 303 with a notice, gone");
	}
	/* Into the answer box, without JavaScript. */
	webc_get(&sa, page);
	snprintf(url, sizeof(url), "%s/answer", page);
	{
		char cid[24];

		snprintf(cid, sizeof(cid), "%lld", id);
		webc_post(&sa, url, "canned", cid, "insert", "1", "body", "",
		    NULL);
	}
	webc_check(sa.status == 200 &&
		webc_has(&sa,
		    "required>با سلام، لطفا مدارک &lt;ناقص&gt; را بارگذاری "
		    "کنید.</textarea>"),
	    "«درج پاسخ آماده»: the page again, the canned text in the box");
	webc_check(q("SELECT count(*) FROM messages WHERE tracking = %lld",
		       T) == 1,
	    "... and nothing was sent");
}

static void
t_answer(void)
{
	static const char pdf[] = "%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n"
				  "%%EOF\n";
	const char *fields[] = {"csrf", NULL, "body",
	    "با سلام، حساب شما فعال شد.", NULL};
	char url[96], loc[256], e[SD_MOBILE_LEN];
	long long alerts, fid;
	long st;

	e164_of(APPLICANT, e);
	/* Refusals first: an empty answer, a file that is not what it says. */
	webc_get(&sa, page);
	snprintf(url, sizeof(url), "%s/answer", page);
	webc_check(webc_post(&sa, url, "body", "  ", NULL) == 400 &&
		webc_has(&sa, "متن پاسخ را وارد کنید") &&
		q("SELECT count(*) FROM messages WHERE tracking = %lld", T) ==
		    1,
	    "an empty answer: 400, the form again with a notice");
	{
		const char *f[] = {"csrf", NULL, "body", "پاسخ با فایل بد",
		    NULL};
		long files = stored_files();

		webc_get(&sa, page);
		f[1] = sa.csrf;
		st = post_mime(&sa, url, f, "x.pdf", "not a pdf at all", 16,
		    loc, sizeof(loc));
		webc_check(st == 400 &&
			q("SELECT count(*) FROM messages WHERE tracking = "
			  "%lld",
			    T) == 1 &&
			stored_files() == files,
		    "a disguised file: 400, no answer, no file kept (%ld)",
		    st);
	}
	alerts = q("SELECT count(*) FROM outbox WHERE tracking = %lld AND "
		   "destination = '%s' AND kind = 1",
	    T, e);
	webc_get(&sa, page);
	fields[1] = sa.csrf;
	snprintf(url, sizeof(url), "%s/answer", page);
	st = post_mime(&sa, url, fields, "راهنما.pdf", pdf, sizeof(pdf) - 1,
	    loc, sizeof(loc));
	webc_check(st == 303 && strstr(loc, "?m=answered") != NULL,
	    "answer with a file: 303 back with a notice (%ld %s)", st, loc);
	webc_check(q("SELECT status FROM requests WHERE tracking = %lld", T) ==
		1,
	    "the request is answered");
	webc_check(q("SELECT count(*) FROM outbox WHERE tracking = %lld AND "
		     "destination = '%s' AND kind = 1",
		       T, e) == alerts + 1,
	    "exactly one alert row for the applicant in the outbox");
	fid = q("SELECT a.id FROM attachments a JOIN messages m ON m.id = "
		"a.message_id WHERE m.tracking = %lld",
	    T);
	webc_get(&sa, loc);
	webc_check(webc_has(&sa, "پاسخ ثبت شد") &&
		webc_has(&sa, "پاسخ داده شد") &&
		webc_has(&sa, "در صف ارسال") && webc_has(&sa, "اطلاع‌رسانی"),
	    "the page: notice, status, the alert queued in the SMS list");
	webc_check(webc_has(&sa, "09121000001</span> (متقاضی)"),
	    "the SMS list names the applicant as its recipient");
	/* A receipt says delivered (as smsc/receipt.c would move it; the
	 * outbox's counts mended): the page says so in Persian. */
	{
		char sql[512];

		snprintf(sql, sizeof(sql),
		    "UPDATE outbox SET state = 3, updated = updated + 7 WHERE "
		    "tracking = %lld AND kind = 1 AND state = 0; "
		    "UPDATE outbox_counts SET n = n - 1 WHERE kind = 1 AND "
		    "state = 0; UPDATE outbox_counts SET n = n + 1 WHERE "
		    "kind = 1 AND state = 3;",
		    T);
		webc_check(webc_sql(dbp, sql), "the alert marked delivered");
		webc_get(&sa, page);
		webc_check(webc_has(&sa, "class=\"out-delivered\">به گوشی "
					 "گیرنده رسید"),
		    "the SMS list: «به گوشی گیرنده رسید»");
	}
	webc_check(webc_has(&sa, "مریم") && webc_has(&sa, "کارشناس فناوری"),
	    "the answer shows its author's name and title");
	snprintf(url, sizeof(url), "/files/%lld", fid);
	webc_check(fid > 0 && webc_has(&sa, url),
	    "the file is listed with its download link");
	webc_check(stored_files() == 1, "the file stored once on disk");
	webc_check(webc_get(&sa, url) == 200 &&
		sa.body_len == sizeof(pdf) - 1,
	    "staff download it");
	webc_check(webc_get(&app, url) == 200, "the applicant downloads it");
	webc_check(webc_get(&sb, url) == 404,
	    "staff of dept 5 do not (404)");
	webc_check(webc_get(&app, "/requests") == 200 &&
		webc_get(&app, page + strlen("/staff")) == 200 &&
		webc_has(&app, "با سلام، حساب شما فعال شد."),
	    "the applicant sees the answer on their page");
	/* An OTP about the request (none is made so; planted here, expired,
	 * the outbox's counts mended): never on the staff page. */
	{
		char sql[512];

		snprintf(sql, sizeof(sql),
		    "INSERT INTO outbox (kind, priority, destination, body, "
		    "tracking, state, created, updated) VALUES (0, 0, '%s', "
		    "'OTP-5521 code', %lld, 5, 1700000000, 1700000000); "
		    "UPDATE outbox_counts SET n = n + 1 WHERE kind = 0 AND "
		    "state = 5;",
		    e, T);
		webc_check(webc_sql(dbp, sql), "an OTP row planted");
	}
	webc_get(&sa, page);
	webc_check(sa.status == 200 && !webc_has(&sa, "OTP-5521") &&
		!webc_has(&sa, "out-expired"),
	    "the SMS list leaves the OTP out (neither body nor row)");
}

static void
t_assign(void)
{
	char url[96], id[24];
	long long a2 = q("SELECT id FROM users WHERE mobile = '+98%s'",
		      STAFF_A2 + 1),
		  b = q("SELECT id FROM users WHERE mobile = '+98%s'",
		      STAFF_B + 1);

	webc_get(&sa, page);
	webc_check(webc_has(&sa, "<option value=\"") &&
		!webc_has(&sa, "رضا کریمی"),
	    "the assign select lists the department's staff, not others");
	snprintf(url, sizeof(url), "%s/assign", page);
	snprintf(id, sizeof(id), "%lld", b);
	webc_check(webc_post(&sa, url, "user", id, NULL) == 303 &&
		strstr(sa.location, "m=bad-assign") != NULL &&
		q("SELECT assigned_to IS NULL FROM requests WHERE tracking = "
		  "%lld",
		    T) == 1,
	    "assigning staff of another department: refused, not stored");
	snprintf(id, sizeof(id), "%lld", a2);
	webc_check(webc_post(&sa, url, "user", id, NULL) == 303 &&
		strstr(sa.location, "m=assigned") != NULL &&
		q("SELECT assigned_to FROM requests WHERE tracking = %lld",
		    T) == a2,
	    "assigned to a colleague of the department");
	follow(&sa);
	webc_check(webc_has(&sa, "کارشناس مسئول ثبت شد") &&
		webc_has(&sa, "تعیین کارشناس مسئول"),
	    "the page: notice, and the assignment in the history");
}

static void
t_note(void)
{
	static const char secret[] = "NOTE-7731 یادداشت محرمانه";
	struct db_config cfg;
	struct db *db = NULL;
	struct webc anon;
	char url[96], err[SD_ERRLEN], tok[CORE_LINK_TOKEN_LEN + 1], e[16];
	long long notes = q("SELECT count(*) FROM notes");

	webc_get(&sa, page);
	snprintf(url, sizeof(url), "%s/note", page);
	webc_check(webc_post(&sa, url, "body", secret, "csrf", NULL, NULL) ==
		    403 &&
		q("SELECT count(*) FROM notes") == notes,
	    "a note without its CSRF token: 403, not stored");
	webc_get(&sa, page);
	webc_check(webc_post(&sa, url, "body", "   ", NULL) == 303 &&
		strstr(sa.location, "m=bad-note") != NULL,
	    "an empty note: refused with a notice");
	webc_get(&sa, page);
	webc_check(webc_post(&sa, url, "body", secret, NULL) == 303 &&
		strstr(sa.location, "m=noted") != NULL &&
		q("SELECT count(*) FROM notes") == notes + 1,
	    "a note stored: 303 with a notice");
	webc_get(&sa2, page);
	webc_check(webc_has(&sa2, "NOTE-7731"),
	    "a colleague of the department sees the note");
	/* Never the applicant's. */
	webc_get(&app, page + strlen("/staff"));
	webc_check(app.status == 200 && !webc_has(&app, "NOTE-7731"),
	    "the note is not on the applicant's /requests/N");
	e164_of(APPLICANT, e);
	memset(&cfg, 0, sizeof(cfg));
	snprintf(cfg.path, sizeof(cfg.path), "%s", dbp);
	cfg.synchronous = 1;
	cfg.busy_timeout_ms = 5000;
	if (db_open(&cfg, &db, err) == SD_OK &&
	    core_link_make(db, T, e, time(NULL) + 86400, tok) == SD_OK) {
		webc_init(&anon, base);
		snprintf(url, sizeof(url), "/r/%s", tok);
		webc_get(&anon, url);
		webc_check(anon.status == 200 &&
			webc_has(&anon, "با سلام، حساب شما فعال شد.") &&
			!webc_has(&anon, "NOTE-7731"),
		    "the /r/ link shows the thread, not the note");
		webc_fini(&anon);
	} else {
		webc_check(false, "make a one-tap link: %s", err);
	}
	db_close(db);
	webc_check(q("SELECT count(*) FROM outbox WHERE body LIKE "
		     "'%%NOTE-7731%%'") == 0,
	    "no SMS carries the note");
	webc_check(q("SELECT count(*) FROM messages WHERE body LIKE "
		     "'%%NOTE-7731%%'") == 0,
	    "the note is no message of the thread");
}

static void
t_close_reopen(void)
{
	char url[96];

	webc_get(&sa, page);
	snprintf(url, sizeof(url), "%s/close", page);
	webc_check(webc_post(&sa, url, NULL) == 303 &&
		strstr(sa.location, "m=closed") != NULL &&
		q("SELECT status FROM requests WHERE tracking = %lld", T) == 2,
	    "close: 303, closed");
	follow(&sa);
	webc_check(webc_has(&sa, "درخواست بسته شد") &&
		webc_has(&sa, "بازگشایی درخواست") &&
		!webc_has(&sa, "name=\"insert\""),
	    "closed page: notice, reopen button, no answer form");
	snprintf(url, sizeof(url), "%s/close", page);
	webc_check(webc_post(&sa, url, NULL) == 303 &&
		strstr(sa.location, "m=state") != NULL,
	    "closing again: refused with a notice");
	webc_get(&sa, page);
	snprintf(url, sizeof(url), "%s/reopen", page);
	webc_check(webc_post(&sa, url, NULL) == 303 &&
		strstr(sa.location, "m=reopened") != NULL &&
		q("SELECT status FROM requests WHERE tracking = %lld", T) == 0,
	    "reopen: 303, awaiting again");
}

static void
t_transfer(void)
{
	char url[96];

	webc_get(&sa, page);
	snprintf(url, sizeof(url), "%s/transfer", page);
	webc_check(webc_post(&sa, url, "dept", "5", "reason", " ", NULL) ==
		    303 &&
		strstr(sa.location, "m=bad-transfer") != NULL &&
		q("SELECT dept_code FROM requests WHERE tracking = %lld", T) ==
		    2,
	    "a transfer without a reason: refused, not moved");
	webc_get(&sa, page);
	webc_check(webc_post(&sa, url, "dept", "5", "reason",
		       "مربوط به بازرسی گاز است", NULL) == 303 &&
		q("SELECT dept_code FROM requests WHERE tracking = %lld", T) ==
		    5 &&
		q("SELECT count(*) FROM audit WHERE object = 'request:%lld' "
		  "AND action = 'request.transfer' AND detail LIKE "
		  "'%%reason=مربوط به بازرسی گاز است'",
		    T) == 1,
	    "transfer to dept 5 with a reason: moved, audited with the "
	    "reason");
	webc_check(webc_get(&sa, page) == 404,
	    "the old department's staff no longer see it (404)");
	webc_check(webc_get(&hd, page) == 200,
	    "the head sees it wherever it is");
	webc_check(webc_get(&sb, page) == 200 &&
		webc_has(&sb, "مربوط به بازرسی گاز است") &&
		webc_has(&sb, "ارجاع به واحد دیگر") &&
		webc_has(&sb, "از «فناوری اطلاعات» به «بازرسی فنی»"),
	    "the new department's staff do, with the transfer and its "
	    "reason in the history");
}

int
main(int argc, char **argv)
{
	if (argc != 4) {
		fprintf(stderr,
		    "usage: test_web_staff BASE_URL DB_PATH TRACKING\n");
		return 2;
	}
	base = argv[1];
	dbp = argv[2];
	T = atoll(argv[3]);
	signal(SIGPIPE, SIG_IGN);
	snprintf(page, sizeof(page), "/staff/requests/%lld", T);
	snprintf(missing, sizeof(missing), "/staff/requests/%lld", T + 999);
	set_password(APPLICANT);
	set_password(STAFF_A);
	set_password(STAFF_A2);
	set_password(STAFF_B);
	set_password(HEAD);
	webc_init(&app, base);
	webc_init(&sa, base);
	webc_init(&sa2, base);
	webc_init(&sb, base);
	webc_init(&hd, base);
	webc_check(sign_in(&app, APPLICANT, "10.7.0.1"),
	    "the applicant signs in");
	webc_check(sign_in(&sa, STAFF_A, "10.7.0.2"),
	    "staff A (dept 2) signs in");
	webc_check(sign_in(&sa2, STAFF_A2, "10.7.0.3"),
	    "staff A2 (dept 2) signs in");
	webc_check(sign_in(&sb, STAFF_B, "10.7.0.4"),
	    "staff B (dept 5) signs in");
	webc_check(sign_in(&hd, HEAD, "10.7.0.5"), "the head signs in");
	if (webc_fails == 0) {
		t_refusals();
		t_page();
		t_canned();
		t_answer();
		t_assign();
		t_note();
		t_close_reopen();
		t_transfer();
	}
	webc_fini(&app);
	webc_fini(&sa);
	webc_fini(&sa2);
	webc_fini(&sb);
	webc_fini(&hd);
	printf("%s\n", webc_fails == 0 ? "all ok" : "FAILED");
	return webc_fails == 0 ? 0 : 1;
}
