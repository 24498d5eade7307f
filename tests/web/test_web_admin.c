/*
 * tests/web/test_web_admin.c: staff sign-in, disabled staff, the admin's
 * staff pages and the head's overview over HTTP (issue #14), against a
 * running `smsdesk serve` (tests/integ/test_web_admin.sh starts it after
 * adding, by the CLI, an admin 09120000001, a head 09120000002, staff
 * 09120000003 (department 2) and 09120000004 (department 5), none with a
 * password, and three requests of applicant 09130000009, one titled
 * "=HYPERLINK(\"http://x\"),بد" and one escalated and answered).
 *
 *   test_web_admin BASE_URL DB_PATH
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/core.h"
#include "tests/web/webc.h"

static const char *base, *dbp;

#define PW "staff passphrase 1405"

static void
age_codes(void)
{
	webc_sql(dbp, "UPDATE otps SET created = created - 61");
}

static long long
user_id(const char *e164)
{
	char sql[160];

	snprintf(sql, sizeof(sql), "SELECT id FROM users WHERE mobile = '%s'",
	    e164);
	return webc_sql_int(dbp, sql);
}

/* Enter the newest code of e164 on /verify (with a new password pw for
 * a reset). */
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

/* First sign-in of a staff member added by the CLI: the reset flow sets
 * the password by SMS code, then password + code sign in. */
static bool
first_signin(struct webc *c, const char *local, const char *e164)
{
	long st;

	age_codes();
	webc_get(c, "/reset");
	if (webc_post(c, "/reset", "mobile", local, NULL) != 303)
		return false;
	/* The code and the new password sign in at once, at the inbox. */
	if (verify(c, e164, PW) != 303 || strcmp(c->location, "/staff/") != 0)
		return false;
	webc_get(c, "/signout");
	webc_post(c, "/signout", NULL);
	age_codes();
	webc_get(c, "/");
	st = webc_post(c, "/", "mobile", local, "password", PW, NULL);
	if (st != 303 || strcmp(c->location, "/verify") != 0)
		return false;
	return verify(c, e164, NULL) == 303;
}

/* Password, then the SMS code. */
static bool
signin(struct webc *c, const char *local, const char *e164)
{
	age_codes();
	webc_get(c, "/");
	if (webc_post(c, "/", "mobile", local, "password", PW, NULL) != 303 ||
	    strcmp(c->location, "/verify") != 0)
		return false;
	return verify(c, e164, NULL) == 303;
}

static void
t_staff_signin(void)
{
	struct webc c, app;
	char dev[80];
	long st;

	webc_init(&c, base);
	webc_get(&c, "/");
	webc_check(webc_has(&c, core_sa_txt(CORE_SA_STAFF_FIRST)),
	    "the sign-in page shows staff the way to a first password");
	st = webc_post(&c, "/", "mobile", "09120000003", "password", PW, NULL);
	webc_check(st == 401,
	    "a staff member added by the CLI has no password yet (%ld)", st);
	webc_check(first_signin(&c, "09120000003", "+989120000003"),
	    "first sign-in: SMS code sets the password, then password + "
	    "code");
	webc_check(webc_cookie(&c, "sd_d", dev, sizeof(dev)),
	    "the browser got a device cookie");
	webc_get(&c, "/account");
	webc_check(c.status == 200, "staff signed in (/account %ld)",
	    c.status);
	webc_get(&c, "/signout");
	webc_post(&c, "/signout", NULL);
	age_codes();
	webc_get(&c, "/");
	st = webc_post(&c, "/", "mobile", "09120000003", "password", PW, NULL);
	webc_check(st == 303 && strcmp(c.location, "/verify") == 0,
	    "staff from a trusted device: still asked for an SMS code (%ld "
	    "%s)",
	    st, c.location);
	webc_check(verify(&c, "+989120000003", NULL) == 303,
	    "... and signed in with it");
	webc_fini(&c);

	/* The contrast: an applicant's trusted device skips the code. */
	webc_init(&app, base);
	age_codes();
	webc_get(&app, "/signup");
	st = webc_post(&app, "/signup", "first", "مریم", "last", "احمدی",
	    "mobile", "09130000008", "password", PW, "user_type", "کاردان",
	    NULL);
	webc_check(st == 303 && verify(&app, "+989130000008", NULL) == 303,
	    "an applicant signs up");
	webc_get(&app, "/signout");
	webc_post(&app, "/signout", NULL);
	webc_get(&app, "/");
	st = webc_post(&app, "/", "mobile", "09130000008", "password", PW,
	    NULL);
	webc_check(st == 303 && strcmp(app.location, "/requests") == 0,
	    "... whose trusted device signs in without a code (%ld %s)", st,
	    app.location);
	webc_fini(&app);
}

/* GET path in c: 404 with exactly the body of a missing request. */
static bool
hidden(struct webc *c, const char *path)
{
	char *missing;
	bool same;

	webc_get(c, "/requests/99999999");
	if (c->status != 404)
		return false;
	missing = strdup(c->body);
	webc_get(c, path);
	same = c->status == 404 && strcmp(missing, c->body) == 0;
	free(missing);
	return same;
}

static void
t_not_found(struct webc *staff, struct webc *head)
{
	static const char *const paths[] = {"/staff/overview",
	    "/staff/overview.csv", "/staff/admin/staff",
	    "/staff/admin/staff/1"};
	struct webc app;
	size_t i;
	long st;

	webc_init(&app, base);
	webc_get(&app, "/");
	webc_post(&app, "/", "mobile", "09130000008", "password", PW, NULL);
	if (strcmp(app.location, "/verify") == 0)
		verify(&app, "+989130000008", NULL);
	for (i = 0; i < sizeof(paths) / sizeof(paths[0]); i++) {
		webc_check(hidden(&app, paths[i]),
		    "an applicant on %s: the missing page, same bytes",
		    paths[i]);
		webc_check(hidden(staff, paths[i]),
		    "a plain staff member on %s: the missing page, same "
		    "bytes",
		    paths[i]);
	}
	webc_check(hidden(head, "/staff/admin/staff") &&
		hidden(head, "/staff/admin/staff/1"),
	    "the head on the admin's pages: the missing page");
	/* A page that is there but not theirs reads like one that is not
	 * there at all: no hint of which /staff/ pages exist. */
	webc_check(hidden(&app, "/staff/no-such-page") &&
		hidden(&app, "/no/such/page"),
	    "an applicant on a path with no page: the same missing page");
	webc_check(hidden(&app, "/staff/requests/10001/close") &&
		hidden(&app, "/staff/canned/1/delete"),
	    "an applicant's GET of a staff page that takes POST only: the "
	    "same missing page, not 405");
	{
		char *unknown;
		long s1, s2;

		webc_get(&app, "/account");
		s1 = webc_post(&app, "/staff/no-such-page", "x", "1", NULL);
		unknown = strdup(app.body);
		webc_get(&app, "/account");
		s2 = webc_post(&app, "/staff/admin/staff", "first", "x", NULL);
		webc_check(s1 == 404 && s2 == 404 &&
			strcmp(unknown, app.body) == 0,
		    "an applicant's POST to an admin page answers like a POST "
		    "to no page (%ld, %ld)",
		    s1, s2);
		free(unknown);
	}
	webc_get(staff, "/account");
	st = webc_post(staff, "/staff/admin/staff/1", "op", "disable", NULL);
	webc_check(st == 404, "a plain staff member's POST to disable: 404");
	webc_check(webc_sql_int(dbp, "SELECT disabled FROM users WHERE id = 1") == 0,
	    "... and nothing changed");
	webc_fini(&app);
}

static void
t_overview(struct webc *head)
{
	char v[256];
	long st;

	st = webc_get(head, "/staff/overview");
	webc_check(st == 200 && webc_has(head, core_sa_txt(CORE_SA_OV_BY_DEPT)),
	    "the head's overview (%ld)", st);
	webc_check(webc_has(head, "فناوری اطلاعات") &&
		webc_has(head, core_sa_txt(CORE_SA_OV_OVERDUE)),
	    "... requests per department and status, overdue counts");
	webc_check(webc_has(head, "<a href=\"/staff/overview\">") &&
		!webc_has(head, "<a href=\"/staff/admin/staff\">"),
	    "the head's header links the overview, not the admin's pages");
	{
		char link[64];

		snprintf(link, sizeof(link), "href=\"/staff/requests/%lld\"",
		    webc_sql_int(dbp,
			"SELECT tracking FROM requests WHERE escalated = 1"));
		webc_check(webc_has(head, link),
		    "... the escalated request linked (%s)", link);
	}
	webc_check(webc_has(head, core_sa_txt(CORE_SA_OV_MEDIAN)) &&
		webc_has(head, core_sa_txt(CORE_SA_OV_P90)),
	    "... first answers: median and 90th percentile");
	webc_check(webc_has(head, "<td>کارمند یک</td><td>۱</td>"),
	    "... one answer of the staff member who answered");
	webc_check(head->body_len < 30 * 1024, "... under 30 KB (%zu)",
	    head->body_len);

	st = webc_get(head, "/staff/overview.csv");
	webc_check(st == 200, "the CSV (%ld)", st);
	webc_check(webc_header(head, "Content-Type", 0, v, sizeof(v)) &&
		strcmp(v, "text/csv; charset=utf-8") == 0,
	    "... Content-Type text/csv; charset=utf-8 (%s)", v);
	webc_check(webc_header(head, "Content-Disposition", 0, v, sizeof(v)) &&
		strncmp(v, "attachment", 10) == 0,
	    "... Content-Disposition attachment (%s)", v);
	webc_check(head->body_len > 3 &&
		memcmp(head->body, "\xef\xbb\xbf", 3) == 0,
	    "... starts with the UTF-8 BOM");
	webc_check(webc_has(head, "شماره رهگیری,عنوان,واحد"),
	    "... a Persian header row");
	webc_check(webc_has(head, "\"'=HYPERLINK(\"\"http://x\"\"),بد\""),
	    "... a formula cell made text (leading apostrophe), quoted");
	webc_check(!webc_has(head, ",=HYPERLINK"),
	    "... no cell starts with =");
	{
		/* A Jalali date and time: 14YY/MM/DD HH:MM. */
		const char *p = strstr(head->body, ",14");
		bool ok = p != NULL && strlen(p) > 16 && p[5] == '/' &&
		    p[8] == '/' && p[11] == ' ' && p[14] == ':';

		webc_check(ok, "... Jalali dates «1405/09/16 10:20»");
	}
	webc_check(webc_has(head, "09130000009"),
	    "... the applicant's mobile");
}

static void
t_admin(struct webc *adm, struct webc *staff2)
{
	long long id, s2 = user_id("+989120000004");
	char path[64];
	long st;

	st = webc_get(adm, "/staff/admin/staff");
	webc_check(st == 200 && webc_has(adm, "09120000003") &&
		webc_has(adm, "کارمند یک"),
	    "the admin's staff list (%ld)", st);
	st = webc_post(adm, "/staff/admin/staff", "first", "زهرا", "last",
	    "کاظمی", "mobile", "09120000005", "title", "کارشناس", "role", "1",
	    "dept_2", "1", "csrf", NULL, NULL);
	webc_check(st == 403, "add without the CSRF field: 403 (%ld)", st);
	webc_get(adm, "/staff/admin/staff");
	st = webc_post(adm, "/staff/admin/staff", "first", "زهرا", "last",
	    "کاظمی", "mobile", "09120000005", "title", "کارشناس", "role", "1",
	    NULL);
	webc_check(st == 422, "add staff without a department: refused (%ld)",
	    st);
	st = webc_post(adm, "/staff/admin/staff", "first", "زهرا", "last",
	    "کاظمی", "mobile", "09120000005", "title", "کارشناس", "role", "1",
	    "dept_2", "1", "dept_3", "1", NULL);
	webc_check(st == 303, "the admin adds a staff member (%ld)", st);
	id = user_id("+989120000005");
	webc_check(id > 0 &&
		webc_sql_int(dbp,
		    "SELECT count(*) FROM staff_departments sd JOIN users u "
		    "ON u.id = sd.user_id WHERE u.mobile = '+989120000005'") ==
		    2,
	    "... stored with two departments");
	webc_check(webc_sql_int(dbp,
		       "SELECT count(*) FROM audit WHERE action = 'user.add' "
		       "AND actor_id = 1") == 1,
	    "... audited as the admin's");
	st = webc_post(adm, "/staff/admin/staff", "first", "زهرا", "last",
	    "کاظمی", "mobile", "09120000005", "title", "کارشناس", "role", "1",
	    "dept_2", "1", NULL);
	webc_check(st == 422 && webc_has(adm, core_sa_txt(CORE_SA_ERR_MOBILE_TAKEN)),
	    "the same mobile again: refused, said so");

	snprintf(path, sizeof(path), "/staff/admin/staff/%lld", id);
	st = webc_get(adm, path);
	webc_check(st == 200 && webc_has(adm, "value=\"کارشناس\""),
	    "the edit form (%ld)", st);
	st = webc_post(adm, path, "op", "save", "first", "زهرا", "last",
	    "کاظمی‌نژاد", "title", "کارشناس ارشد", "role", "2", "dept_5", "1",
	    NULL);
	webc_check(st == 303, "the admin edits (%ld)", st);
	{
		char sql[512];

		snprintf(sql, sizeof(sql),
		    "SELECT count(*) FROM users WHERE id = %lld AND role = 2 "
		    "AND title = 'کارشناس ارشد' AND last_name = 'کاظمی‌نژاد' "
		    "AND (SELECT group_concat(dept_code) FROM "
		    "staff_departments WHERE user_id = %lld) = '5'",
		    id, id);
		webc_check(webc_sql_int(dbp, sql) == 1,
		    "... role, title, name and departments changed");
	}
	webc_check(webc_sql_int(dbp,
		       "SELECT count(*) FROM audit WHERE action = 'user.edit'") ==
		    1,
	    "... audited");

	/* Staff member 2 signs in, then is disabled. */
	webc_check(first_signin(staff2, "09120000004", "+989120000004"),
	    "staff member 2 signs in");
	webc_get(staff2, "/account");
	webc_check(staff2->status == 200, "... and has a session");
	{
		struct webc w;
		char wrong[32768];

		webc_init(&w, base);
		webc_get(&w, "/");
		st = webc_post(&w, "/", "mobile", "09120000004", "password",
		    "not the password at all", NULL);
		snprintf(wrong, sizeof(wrong), "%s", w.body);
		webc_check(st == 401, "a wrong password: 401");

		/* Keep a copy of the session row, to put it back below. */
		webc_sql(dbp,
		    "CREATE TABLE kept AS SELECT * FROM web_sessions WHERE "
		    "user_id = (SELECT id FROM users WHERE mobile = "
		    "'+989120000004')");
		snprintf(path, sizeof(path), "/staff/admin/staff/%lld", s2);
		webc_get(adm, path);
		st = webc_post(adm, path, "op", "disable", NULL);
		webc_check(st == 303, "the admin disables staff member 2 (%ld)",
		    st);
		webc_check(webc_sql_int(dbp,
			       "SELECT disabled FROM users WHERE mobile = "
			       "'+989120000004'") == 1 &&
			webc_sql_int(dbp,
			    "SELECT count(*) FROM web_sessions s JOIN users u "
			    "ON u.id = s.user_id WHERE u.mobile = "
			    "'+989120000004'") == 0,
		    "... stored, and their sessions deleted");
		webc_check(webc_sql_int(dbp,
			       "SELECT count(*) FROM audit WHERE action = "
			       "'user.disable'") == 1,
		    "... audited");
		st = webc_get(staff2, "/account");
		webc_check(st == 303 && strncmp(staff2->location, "/?next=", 7) == 0,
		    "the disabled member's open session is refused at once "
		    "(%ld %s)",
		    st, staff2->location);
		/* A session row that survived (put back by hand) is refused
		 * by the session load itself. */
		webc_sql(dbp, "INSERT INTO web_sessions SELECT * FROM kept");
		st = webc_get(staff2, "/account");
		webc_check(st == 303,
		    "a disabled member's surviving session row is refused on "
		    "load (%ld)",
		    st);
		webc_sql(dbp, "DELETE FROM web_sessions WHERE id_hash IN "
			      "(SELECT id_hash FROM kept)");
		age_codes();
		webc_get(&w, "/");
		st = webc_post(&w, "/", "mobile", "09120000004", "password", PW,
		    NULL);
		webc_check(st == 401 && strcmp(wrong, w.body) == 0,
		    "the right password of a disabled member: the same 401 "
		    "page as a wrong one (%ld)",
		    st);
		webc_check(webc_sql_int(dbp,
			       "SELECT count(*) FROM otps WHERE mobile = "
			       "'+989120000004' AND created > strftime('%s') - 30") ==
			0,
		    "... and no code was sent");
		webc_fini(&w);
	}
	st = webc_post(adm, "/staff/admin/staff/1", "op", "disable", NULL);
	webc_get(adm, "/staff/admin/staff/1");
	webc_check(webc_sql_int(dbp, "SELECT disabled FROM users WHERE id = 1") == 0 &&
		adm->status == 200,
	    "an admin cannot disable themself (and stays signed in)");
	snprintf(path, sizeof(path), "/staff/admin/staff/%lld", s2);
	webc_get(adm, path);
	st = webc_post(adm, path, "op", "enable", NULL);
	webc_check(st == 303 &&
		webc_sql_int(dbp,
		    "SELECT disabled FROM users WHERE mobile = "
		    "'+989120000004'") == 0,
	    "... and enables the member again");
	webc_check(webc_sql_int(dbp,
		       "SELECT count(*) FROM audit WHERE action = "
		       "'user.enable'") == 1,
	    "... audited");
	age_codes();
	webc_get(staff2, "/");
	st = webc_post(staff2, "/", "mobile", "09120000004", "password", PW,
	    NULL);
	webc_check(st == 303 && strcmp(staff2->location, "/verify") == 0,
	    "an enabled member signs in again (%ld)", st);
}

int
main(int argc, char **argv)
{
	struct webc staff, head, adm, staff2;

	if (argc != 3) {
		fprintf(stderr, "usage: test_web_admin BASE_URL DB_PATH\n");
		return 2;
	}
	base = argv[1];
	dbp = argv[2];
	signal(SIGPIPE, SIG_IGN);
	t_staff_signin();
	webc_init(&staff, base);
	webc_init(&head, base);
	webc_init(&adm, base);
	webc_init(&staff2, base);
	webc_check(signin(&staff, "09120000003", "+989120000003"),
	    "staff member 1 signs in (password and code)");
	webc_check(first_signin(&head, "09120000002", "+989120000002"),
	    "the head signs in");
	webc_check(first_signin(&adm, "09120000001", "+989120000001"),
	    "the admin signs in");
	webc_get(&staff, "/staff/");
	webc_check(webc_has(&staff, "<a href=\"/staff/\">") &&
		!webc_has(&staff, "<a href=\"/staff/overview\">") &&
		!webc_has(&staff, "<a href=\"/staff/admin/staff\">"),
	    "a staff member's header: the inbox, no overview, no admin");
	webc_get(&adm, "/staff/");
	webc_check(webc_has(&adm, "<a href=\"/staff/overview\">") &&
		webc_has(&adm, "<a href=\"/staff/admin/staff\">"),
	    "an admin's header: the overview and the staff pages");
	t_not_found(&staff, &head);
	t_overview(&head);
	t_admin(&adm, &staff2);
	webc_fini(&staff);
	webc_fini(&head);
	webc_fini(&adm);
	webc_fini(&staff2);
	printf("%s\n", webc_fails == 0 ? "all ok" : "FAILED");
	return webc_fails == 0 ? 0 : 1;
}
