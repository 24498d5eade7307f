/*
 * tests/unit/db/test_fts.c: search of requests (db/fts.c, schema 15) and
 * the staff inbox's query (db/inbox_staff.c, core/inbox_staff.c).
 *
 * Issue 14: a subject typed with Arabic ي/ك is found by a Persian query
 * and the reverse; ZWNJ and its absence match; a query with quotes, AND,
 * NEAR or * is words, never FTS5 syntax.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/base/clock.h"
#include "core/core.h"
#include "db/db.h"
#include "db/db_int.h"
#include "tests/support/testutil.h"

struct fx {
	char *dir;
	struct db *db;
	int64_t app; /* an applicant */
};

static int
setup(void **state)
{
	struct fx *f = calloc(1, sizeof(*f));
	char path[512];

	f->dir = tu_tmpdir();
	snprintf(path, sizeof(path), "%s/smsdesk.db", f->dir);
	f->db = tu_db_open(path);
	f->app = tu_user(f->db, "09131111111", CORE_ROLE_APPLICANT, NULL, 0);
	*state = f;
	return 0;
}

static int
teardown(void **state)
{
	struct fx *f = *state;

	db_close(f->db);
	tu_rmtree(f->dir);
	free(f->dir);
	free(f);
	return 0;
}

static int64_t
mk(struct fx *f, int dept, int prio, const char *title, const char *body)
{
	char err[SD_ERRLEN];
	int64_t t = 0;

	if (core_request_create(f->db, &core_env_no_sms,
		tu_actor(f->db, f->app), dept, (enum core_priority)prio, title,
		body, CORE_CHAN_WEB, &t, err) != SD_OK)
		fail_msg("create: %s", err);
	return t;
}

/* The trackings text finds, as a count; out[0] the first. */
static size_t
find(struct fx *f, const char *text, int64_t *first)
{
	int64_t out[16];
	size_t n = 99;

	assert_int_equal(db_fts_search(f->db, text, 16, out, &n), SD_OK);
	if (first != NULL)
		*first = n > 0 ? out[0] : 0;
	return n;
}

static void
test_normalize(void **state)
{
	/* ي ك ى ة, Persian and Arabic digits, a fatha, tatweel, ZWNJ */
	static const char in[] = "\xd9\x8a\xd9\x83\xd9\x89\xd8\xa9 "
				 "\xdb\xb1\xdb\xb2\xd9\xa3 "
				 "\xd8\xa8\xd9\x8e\xd9\x80\xd8\xa7 "
				 "\xd9\x85\xdb\x8c\xe2\x80\x8c\xd8\xb1\xd9\x88";
	static const char want[] = "\xdb\x8c\xda\xa9\xdb\x8c\xd9\x87 "
				   "123 "
				   "\xd8\xa8\xd8\xa7 "
				   "\xd9\x85\xdb\x8c\xd8\xb1\xd9\x88";
	char out[sizeof(in)];
	int map[sizeof(in) + 1];
	size_t n;

	(void)state;
	n = db_fts_normalize(in, strlen(in), out, map);
	assert_int_equal(n, strlen(want));
	assert_memory_equal(out, want, n);
	/* Offsets map back into the input: "123" starts after "يكىة ". */
	assert_int_equal(map[9], 9);
	assert_int_equal(map[n], (int)strlen(in));
}

/* Arabic ي/ك in the subject, Persian ی/ک in the query, and the reverse. */
static void
test_arabic_persian_letters(void **state)
{
	struct fx *f = *state;
	int64_t a, b, got;

	/* «كارت يارانه» with Arabic kaf and yeh */
	a = mk(f, 2, 2,
	    "\xd9\x83\xd8\xa7\xd8\xb1\xd8\xaa \xd9\x8a\xd8\xa7\xd8"
	    "\xb1\xd8\xa7\xd9\x86\xd9\x87",
	    "متن");
	/* «پیگیری کلاس» in Persian letters */
	b = mk(f, 2, 2, "پیگیری کلاس", "متن");
	assert_int_equal(find(f, "کارت", &got), 1);
	assert_int_equal(got, a);
	assert_int_equal(find(f, "یارانه", &got), 1);
	assert_int_equal(got, a);
	/* the reverse: Arabic letters in the query */
	assert_int_equal(find(f,
			     "\xd9\xbe\xd9\x8a\xda\xaf\xd9\x8a\xd8\xb1"
			     "\xd9\x8a",
			     &got),
	    1);
	assert_int_equal(got, b);
	assert_int_equal(find(f, "\xd9\x83\xd9\x84\xd8\xa7\xd8\xb3", &got), 1);
	assert_int_equal(got, b);
	/* both words must match */
	assert_int_equal(find(f, "کارت کلاس", NULL), 0);
}

/* ZWNJ joins: «می‌خواهم» (with ZWNJ) and «میخواهم» are one
 * word.
 */
static void
test_zwnj(void **state)
{
	struct fx *f = *state;
	int64_t a, b, got;

	a = mk(f, 2, 2, "درخواست می\xe2\x80\x8cخواهم", "متن");
	b = mk(f, 2, 2, "نامه ها", "متن");
	assert_int_equal(find(f, "میخواهم", &got), 1);
	assert_int_equal(got, a);
	assert_int_equal(find(f, "می\xe2\x80\x8cخواهم", &got), 1);
	assert_int_equal(got, a);
	/* «نامه‌ها» typed with a ZWNJ finds «نامه ها»? No: a
	 * space splits, a ZWNJ joins (db/fts.c). Both words typed apart do. */
	assert_int_equal(find(f, "نامه\xe2\x80\x8cها", NULL), 0);
	assert_int_equal(find(f, "نامه ها", &got), 1);
	assert_int_equal(got, b);
	/* Persian digits and harakat in the query */
	assert_int_equal(find(f, "دَرخواست", &got), 1);
	assert_int_equal(got, a);
}

/* The first message's text is searched too; later ones are not. */
static void
test_first_body(void **state)
{
	struct fx *f = *state;
	char err[SD_ERRLEN];
	int64_t a, got;

	a = mk(f, 2, 2, "موضوع", "پروانه اشتغال من منقضی شده");
	assert_int_equal(find(f, "منقضی", &got), 1);
	assert_int_equal(got, a);
	assert_int_equal(core_request_reply(f->db, &core_env_no_sms,
			     tu_actor(f->db, f->app), a, "پیگیری دوباره",
			     CORE_CHAN_WEB, NULL, err),
	    SD_OK);
	assert_int_equal(find(f, "دوباره", NULL), 0);
	assert_int_equal(find(f, "منقضی", NULL), 1);
}

/* No user text is FTS5 syntax: each is words, found or not, no error. */
static void
test_query_injection(void **state)
{
	static const char *const hostile[] = {
	    "\"",
	    "\"\"",
	    "a\"b",
	    "AND",
	    "OR",
	    "NOT",
	    "x AND y",
	    "NEAR(a b)",
	    "NEAR",
	    "*",
	    "a*",
	    "^a",
	    "title:a",
	    "{title body}:a",
	    "(",
	    ")",
	    "a OR",
	    "- a",
	    "+",
	    ":",
	    "\"a\" OR \"b\"",
	    "col:\"x",
	    "'",
	    ";",
	    "a) OR (b",
	    "\\",
	    "\x01",
	    "ا*",
	    "نام\"ه",
	};
	struct fx *f = *state;
	char *q = NULL;
	size_t i;
	int64_t a, got;

	a = mk(f, 2, 2, "AND گزارش", "NEAR متن");
	for (i = 0; i < sizeof(hostile) / sizeof(hostile[0]); i++) {
		int64_t out[4];
		size_t n;

		if (db_fts_search(f->db, hostile[i], 4, out, &n) != SD_OK)
			fail_msg("query '%s' failed", hostile[i]);
	}
	/* Operators are plain words: "AND" finds the subject with AND. */
	assert_int_equal(find(f, "AND", &got), 1);
	assert_int_equal(got, a);
	assert_int_equal(find(f, "NEAR", &got), 1);
	assert_int_equal(find(f, "گزارش OR نیست", NULL), 0);
	assert_int_equal(db_fts_query("a \"b\" c", &q), SD_OK);
	assert_string_equal(q, "\"a\" \"\"\"b\"\"\" \"c\"");
	free(q);
	assert_int_equal(db_fts_query("   ", &q), SD_ENOTFOUND);
}

/* Rows written behind db/'s back are indexed by db_fts_catch_up(). */
static void
test_catch_up(void **state)
{
	struct fx *f = *state;
	size_t n;
	int64_t got;

	assert_int_equal(sqlite3_exec(f->db->h,
			     "INSERT INTO requests (applicant_id, dept_code,"
			     " orig_dept, priority, title, status, channel,"
			     " created, updated) VALUES (1, 3, 3, 2,"
			     " 'بازرسي ساختمان', 0, 0, 1, 1)",
			     NULL, NULL, NULL),
	    SQLITE_OK);
	assert_int_equal(find(f, "بازرسی", NULL), 0);
	assert_int_equal(db_fts_catch_up(f->db, false, &n), SD_OK);
	assert_int_equal(n, 1);
	assert_int_equal(find(f, "بازرسی", &got), 1);
	assert_int_equal(db_fts_catch_up(f->db, false, &n), SD_OK);
	assert_int_equal(n, 0);
	/* A row below the highest indexed: only the whole check finds it. */
	assert_int_equal(
	    sqlite3_exec(f->db->h,
		"INSERT INTO requests (tracking, applicant_id,"
		" dept_code, orig_dept, priority, title, status,"
		" channel, created, updated) VALUES (5000, 1, 3, 3,"
		" 2, 'نقشه قديمي', 0, 0, 1, 1)",
		NULL, NULL, NULL),
	    SQLITE_OK);
	assert_int_equal(db_fts_catch_up(f->db, false, &n), SD_OK);
	assert_int_equal(n, 0);
	assert_int_equal(db_fts_catch_up(f->db, true, &n), SD_OK);
	assert_int_equal(n, 1);
	assert_int_equal(find(f, "قدیمی", &got), 1);
	assert_int_equal(got, 5000);
	assert_int_equal(db_fts_catch_up(f->db, true, &n), SD_OK);
	assert_int_equal(n, 0);
}

/* requests.due: set on create, 0 when answered, again when reopened;
 * filled for rows without one, once. */
static void
test_due_kept(void **state)
{
	struct fx *f = *state;
	int64_t staff, t, want;
	struct db_request r;
	char err[SD_ERRLEN];
	int dept = 2;
	size_t n;

	staff = tu_user(f->db, "09132222222", CORE_ROLE_STAFF, &dept, 1);
	t = mk(f, 2, 2, "موضوع", "متن");
	assert_int_equal(db_request_get(f->db, t, &r), SD_OK);
	assert_int_equal(core_request_due(&core_env_no_sms, &r, &want), SD_OK);
	assert_true(r.due > r.created);
	assert_int_equal(r.due, want);
	db_request_fini(&r);
	assert_int_equal(core_request_reply(f->db, &core_env_no_sms,
			     tu_actor(f->db, staff), t, "پاسخ", CORE_CHAN_WEB,
			     NULL, err),
	    SD_OK);
	assert_int_equal(db_request_get(f->db, t, &r), SD_OK);
	assert_int_equal(r.status, CORE_STATUS_ANSWERED);
	assert_int_equal(r.due, 0);
	db_request_fini(&r);
	sd_clock_set_offset(3600);
	assert_int_equal(core_request_reply(f->db, &core_env_no_sms,
			     tu_actor(f->db, f->app), t, "سوال دیگر",
			     CORE_CHAN_WEB, NULL, err),
	    SD_OK);
	sd_clock_set_offset(0);
	assert_int_equal(db_request_get(f->db, t, &r), SD_OK);
	assert_int_equal(r.status, CORE_STATUS_AWAITING);
	assert_int_equal(core_request_due(&core_env_no_sms, &r, &want), SD_OK);
	assert_int_equal(r.due, want);
	db_request_fini(&r);

	/* A row left without one is filled, once. */
	assert_int_equal(sqlite3_exec(f->db->h, "UPDATE requests SET due = 0",
			     NULL, NULL, NULL),
	    SQLITE_OK);
	assert_int_equal(core_request_due_fill(f->db, &core_env_no_sms, &n),
	    SD_OK);
	assert_int_equal(n, 1);
	assert_int_equal(db_request_get(f->db, t, &r), SD_OK);
	assert_int_equal(r.due, want);
	db_request_fini(&r);
	assert_int_equal(core_request_due_fill(f->db, &core_env_no_sms, &n),
	    SD_OK);
	assert_int_equal(n, 0);
}

/* Due times counted with another calendar or answer_days are counted
 * again (core_request_due_rebase), once; unchanged, nothing is. */
static void
test_due_rebased(void **state)
{
	struct fx *f = *state;
	struct core_sla_config sla3;
	struct core_env env3 = core_env_no_sms;
	struct db_request r;
	int64_t t, since;
	size_t n;

	t = mk(f, 2, 2, "موضوع", "متن");
	assert_int_equal(db_request_get(f->db, t, &r), SD_OK);
	since = r.waiting_since;
	assert_int_equal(r.due, since + 2 * 86400);
	db_request_fini(&r);
	/* The first run stores the basis (and counts again, the same). */
	assert_int_equal(core_request_due_rebase(f->db, &core_env_no_sms, &n),
	    SD_OK);
	assert_int_equal(core_request_due_fill(f->db, &core_env_no_sms, &n),
	    SD_OK);
	assert_int_equal(core_request_due_rebase(f->db, &core_env_no_sms, &n),
	    SD_OK);
	assert_int_equal(n, 0);
	/* answer_days 3 after a restart: every due time counted again. */
	memset(&sla3, 0, sizeof(sla3));
	sla3.answer_days = 3;
	env3.sla = &sla3;
	assert_int_equal(core_request_due_rebase(f->db, &env3, &n), SD_OK);
	assert_int_equal(n, 1);
	assert_int_equal(core_request_due_fill(f->db, &env3, &n), SD_OK);
	assert_int_equal(n, 1);
	assert_int_equal(db_request_get(f->db, t, &r), SD_OK);
	assert_int_equal(r.due, since + 3 * 86400);
	db_request_fini(&r);
	assert_int_equal(core_request_due_rebase(f->db, &env3, &n), SD_OK);
	assert_int_equal(n, 0);
}

/* The inbox: departments, order, filters, search. */
static void
test_inbox_staff(void **state)
{
	struct fx *f = *state;
	struct core_inbox_query q;
	struct core_inbox_page p;
	int d2 = 2, d17[] = {17};
	int64_t s2, head_off, t1, t2, t3, t4, t5;
	char sql[160];

	s2 = tu_user(f->db, "09132222222", CORE_ROLE_STAFF, &d2, 1);
	head_off = tu_user(f->db, "09133333333", CORE_ROLE_STAFF, d17, 1);
	t1 = mk(f, 2, 3, "کم", "متن");    /* low */
	t2 = mk(f, 2, 0, "فوری", "متن");  /* very urgent */
	t3 = mk(f, 5, 0, "دیگری", "متن"); /* another department */
	t4 = mk(f, 2, 3, "دیر", "متن");   /* low, but overdue */
	t5 = mk(f, 2, 0, "فوری۲", "متن"); /* very urgent, younger */
	snprintf(sql, sizeof(sql),
	    "UPDATE requests SET due = 1000 WHERE tracking = %lld;"
	    " UPDATE requests SET created = created + 10 WHERE tracking = %lld",
	    (long long)t4, (long long)t5);
	assert_int_equal(sqlite3_exec(f->db->h, sql, NULL, NULL, NULL),
	    SQLITE_OK);

	memset(&q, 0, sizeof(q));
	q.status = DB_SINBOX_OPEN;
	q.prio = -1;
	assert_int_equal(core_inbox_staff(f->db, tu_actor(f->db, s2), &q, &p),
	    SD_OK);
	assert_int_equal(p.total, 4);
	assert_int_equal(p.n, 4);
	assert_int_equal(p.rows[0].tracking, t4); /* overdue first */
	assert_int_equal(p.rows[1].tracking, t2); /* then very urgent, */
	assert_int_equal(p.rows[2].tracking, t5); /* oldest first */
	assert_int_equal(p.rows[3].tracking, t1);
	core_inbox_page_fini(&p);

	/* The applicant is no staff: not found. */
	assert_int_equal(core_inbox_staff(f->db, tu_actor(f->db, f->app), &q,
			     &p),
	    SD_ENOTFOUND);

	/* The head's office sees none until one is escalated. */
	assert_int_equal(core_inbox_staff(f->db, tu_actor(f->db, head_off), &q,
			     &p),
	    SD_OK);
	assert_int_equal(p.total, 0);
	core_inbox_page_fini(&p);
	snprintf(sql, sizeof(sql),
	    "UPDATE requests SET escalated = 1 WHERE tracking = %lld",
	    (long long)t3);
	assert_int_equal(sqlite3_exec(f->db->h, sql, NULL, NULL, NULL),
	    SQLITE_OK);
	assert_int_equal(core_inbox_staff(f->db, tu_actor(f->db, head_off), &q,
			     &p),
	    SD_OK);
	assert_int_equal(p.total, 1);
	assert_int_equal(p.rows[0].tracking, t3);
	assert_true(p.rows[0].escalated);
	core_inbox_page_fini(&p);

	/* Filters and search. */
	q.prio = 0;
	assert_int_equal(core_inbox_staff(f->db, tu_actor(f->db, s2), &q, &p),
	    SD_OK);
	assert_int_equal(p.total, 2);
	core_inbox_page_fini(&p);
	q.prio = -1;
	q.overdue = true;
	assert_int_equal(core_inbox_staff(f->db, tu_actor(f->db, s2), &q, &p),
	    SD_OK);
	assert_int_equal(p.total, 1);
	assert_int_equal(p.rows[0].tracking, t4);
	core_inbox_page_fini(&p);
	q.overdue = false;
	snprintf(sql, sizeof(sql), "%lld", (long long)t1);
	q.q = sql;
	assert_int_equal(core_inbox_staff(f->db, tu_actor(f->db, s2), &q, &p),
	    SD_OK);
	assert_int_equal(p.total, 1);
	assert_int_equal(p.rows[0].tracking, t1);
	core_inbox_page_fini(&p);
	q.q = "۰۹۱۳ ۱۱۱ ۱۱۱۱"; /* the applicant's, in Persian digits */
	assert_int_equal(core_inbox_staff(f->db, tu_actor(f->db, s2), &q, &p),
	    SD_OK);
	assert_int_equal(p.search, CORE_ISEARCH_MOBILE);
	assert_int_equal(p.total, 4);
	core_inbox_page_fini(&p);
	q.q = "+989139999999"; /* nobody's */
	assert_int_equal(core_inbox_staff(f->db, tu_actor(f->db, s2), &q, &p),
	    SD_OK);
	assert_int_equal(p.total, 0);
	core_inbox_page_fini(&p);
	q.q = "\xd8\xaf\xd9\x8a\xd8\xb1"; /* «دير», Arabic yeh */
	assert_int_equal(core_inbox_staff(f->db, tu_actor(f->db, s2), &q, &p),
	    SD_OK);
	assert_int_equal(p.total, 1);
	assert_int_equal(p.rows[0].tracking, t4);
	core_inbox_page_fini(&p);
	/* Another department's words are not found by dept 2's staff. */
	q.q = "دیگری";
	assert_int_equal(core_inbox_staff(f->db, tu_actor(f->db, s2), &q, &p),
	    SD_OK);
	assert_int_equal(p.total, 0);
	core_inbox_page_fini(&p);
}

/* The inbox uses indexes, never a scan of requests, and the staff page's
 * SMS list none of the outbox (schema 15). */
static void
test_inbox_plan(void **state)
{
	static const char *const queries[] = {
	    "SELECT count(*) FROM requests r WHERE 1 AND r.dept_code IN"
	    " (SELECT dept_code FROM staff_departments WHERE user_id = 5)"
	    " AND r.status IN (0, 1)",
	    "SELECT count(*) FROM requests r WHERE 1 AND r.status IN (0, 1)",
	    "SELECT count(*) FROM requests r WHERE 1 AND (r.status = 0 AND"
	    " r.due > 0 AND r.due < 99)",
	    "SELECT count(*) FROM requests r WHERE 1 AND (r.dept_code IN"
	    " (SELECT dept_code FROM staff_departments WHERE user_id = 5)"
	    " OR r.escalated = 1) AND r.status IN (0, 1)",
	    "SELECT tracking FROM requests WHERE status = 0 AND due = 0"
	    " AND tracking > 0 ORDER BY tracking LIMIT 5",
	    /* The staff page's SMS list (db/staff.c). */
	    "SELECT id, kind FROM outbox WHERE tracking = 7 AND kind <> 0"
	    " ORDER BY id LIMIT 5",
	};
	struct fx *f = *state;
	size_t i;

	for (i = 0; i < sizeof(queries) / sizeof(queries[0]); i++) {
		char sql[600];
		sqlite3_stmt *st;
		bool scan = false;

		snprintf(sql, sizeof(sql), "EXPLAIN QUERY PLAN %s", queries[i]);
		assert_int_equal(sqlite3_prepare_v2(f->db->h, sql, -1, &st,
				     NULL),
		    SQLITE_OK);
		while (sqlite3_step(st) == SQLITE_ROW) {
			const char *d = (const char *)sqlite3_column_text(st,
			    3);

			if (strstr(d, "SCAN r") != NULL &&
			    strstr(d, "INDEX") == NULL)
				scan = true;
			if (strcmp(d, "SCAN requests") == 0 ||
			    strcmp(d, "SCAN outbox") == 0)
				scan = true;
		}
		sqlite3_finalize(st);
		if (scan)
			fail_msg("a scan of a table: %s", queries[i]);
	}
	(void)state;
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_normalize),
	    cmocka_unit_test_setup_teardown(test_arabic_persian_letters, setup,
		teardown),
	    cmocka_unit_test_setup_teardown(test_zwnj, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_first_body, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_query_injection, setup,
		teardown),
	    cmocka_unit_test_setup_teardown(test_catch_up, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_due_rebased, setup,
		teardown),
	    cmocka_unit_test_setup_teardown(test_due_kept, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_inbox_staff, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_inbox_plan, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
