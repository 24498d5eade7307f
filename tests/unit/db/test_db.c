/*
 * tests/unit/db/test_db.c: schema, migrations, seed data, tracking numbers
 * (including concurrent writers), append-only audit.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <pthread.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/core.h"
#include "db/db.h"
#include "db/db_int.h"
#include "tests/support/testutil.h"

/* The whole schema as text, read with a separate raw connection. */
static char *
schema_dump(const char *path)
{
	sqlite3 *h;
	sqlite3_stmt *st;
	char *out = calloc(1, 1);
	size_t len = 0;

	assert_int_equal(sqlite3_open(path, &h), SQLITE_OK);
	assert_int_equal(sqlite3_prepare_v2(h,
	    "SELECT type || name || coalesce(sql, '') FROM sqlite_master "
	    "ORDER BY type, name", -1, &st, NULL), SQLITE_OK);
	while (sqlite3_step(st) == SQLITE_ROW) {
		const char *t = (const char *)sqlite3_column_text(st, 0);

		out = realloc(out, len + strlen(t) + 2);
		memcpy(out + len, t, strlen(t));
		len += strlen(t);
		out[len++] = '\n';
		out[len] = '\0';
	}
	sqlite3_finalize(st);
	sqlite3_close(h);
	return out;
}

static int64_t
raw_count(const char *path, const char *sql)
{
	sqlite3 *h;
	sqlite3_stmt *st;
	int64_t n = -1;

	assert_int_equal(sqlite3_open(path, &h), SQLITE_OK);
	assert_int_equal(sqlite3_prepare_v2(h, sql, -1, &st, NULL), SQLITE_OK);
	if (sqlite3_step(st) == SQLITE_ROW)
		n = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	sqlite3_close(h);
	return n;
}

static void
test_migrate_twice_is_noop(void **state)
{
	char *dir = tu_tmpdir(), *path, *before, *after;
	char err[SD_ERRLEN];
	struct db *db;
	int from = -1, to = -1, v = -1;

	(void)state;
	assert_true(asprintf(&path, "%s/t.db", dir) > 0);
	db = tu_db_open(path);
	assert_int_equal(db_schema_version(db, &v), SD_OK);
	assert_int_equal(v, db_schema_latest());
	before = schema_dump(path);

	assert_int_equal(db_migrate(db, &from, &to, err), SD_OK);
	assert_int_equal(from, db_schema_latest());
	assert_int_equal(to, db_schema_latest());
	db_close(db);
	/* Opening again migrates again: still nothing to do. */
	db = tu_db_open(path);
	assert_int_equal(db_migrate(db, &from, &to, err), SD_OK);
	assert_int_equal(from, to);
	db_close(db);

	after = schema_dump(path);
	assert_string_equal(before, after);
	assert_int_equal(raw_count(path, "SELECT count(*) FROM departments"),
	    17);
	assert_int_equal(raw_count(path, "SELECT count(*) FROM priorities"),
	    4);
	free(before);
	free(after);
	free(path);
	tu_rmtree(dir);
	free(dir);
}

/* Count the rows of t through h (our connection's handle or another). */
static int64_t
h_count(sqlite3 *h)
{
	sqlite3_stmt *st;
	int64_t n = -1;

	assert_int_equal(sqlite3_prepare_v2(h, "SELECT count(*) FROM t", -1,
	    &st, NULL), SQLITE_OK);
	if (sqlite3_step(st) == SQLITE_ROW)
		n = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return n;
}

/*
 * db_read_begin(): the reads up to the outermost db_read_end() see one
 * snapshot, nested calls share it, a db_begin() in between ends it (the
 * write sees the newest rows), and inside db_begin() it is a no-op that
 * neither commits nor ends the write.
 */
static void
test_read_snapshot(void **state)
{
	char *dir = tu_tmpdir(), *path;
	sqlite3 *other;
	struct db *db;

	(void)state;
	assert_true(asprintf(&path, "%s/t.db", dir) > 0);
	db = tu_db_open(path);
	assert_int_equal(sqlite3_open(path, &other), SQLITE_OK);
	assert_int_equal(sqlite3_exec(other, "CREATE TABLE t(x); "
	    "INSERT INTO t VALUES (1)", NULL, NULL, NULL), SQLITE_OK);

	assert_int_equal(db_read_begin(db), SD_OK);
	assert_int_equal(h_count(db->h), 1);
	assert_int_equal(sqlite3_exec(other, "INSERT INTO t VALUES (2)", NULL,
	    NULL, NULL), SQLITE_OK);
	assert_int_equal(h_count(db->h), 1); /* still the first snapshot */
	assert_int_equal(db_read_begin(db), SD_OK); /* nested */
	db_read_end(db);
	assert_int_equal(sqlite3_get_autocommit(db->h), 0);
	assert_int_equal(h_count(db->h), 1);
	/* A write in between ends the snapshot and sees the new row. */
	assert_int_equal(db_begin(db), SD_OK);
	assert_int_equal(h_count(db->h), 2);
	assert_int_equal(db_commit(db), SD_OK);
	assert_int_equal(sqlite3_get_autocommit(db->h), 1);
	db_read_end(db);
	assert_int_equal(sqlite3_get_autocommit(db->h), 1);
	db_read_end(db); /* unbalanced: ignored */

	/* Inside a write: a no-op that leaves the write open. */
	assert_int_equal(db_begin(db), SD_OK);
	assert_int_equal(db_read_begin(db), SD_OK);
	db_read_end(db);
	assert_true(db_in_transaction(db));
	assert_int_equal(sqlite3_get_autocommit(db->h), 0);
	db_rollback(db);

	/* After the outermost end, other writers' rows are seen again. */
	assert_int_equal(db_read_begin(db), SD_OK);
	db_read_end(db);
	assert_int_equal(sqlite3_exec(other, "INSERT INTO t VALUES (3)", NULL,
	    NULL, NULL), SQLITE_OK);
	assert_int_equal(h_count(db->h), 3);
	sqlite3_close(other);
	db_close(db);
	free(path);
	tu_rmtree(dir);
	free(dir);
}

static void
test_wal_and_foreign_keys(void **state)
{
	char *dir = tu_tmpdir(), *path;
	sqlite3 *h;
	sqlite3_stmt *st;
	struct db *db;

	(void)state;
	assert_true(asprintf(&path, "%s/t.db", dir) > 0);
	db = tu_db_open(path);
	assert_int_equal(sqlite3_open(path, &h), SQLITE_OK);
	assert_int_equal(sqlite3_prepare_v2(h, "PRAGMA journal_mode", -1, &st,
	    NULL), SQLITE_OK);
	assert_int_equal(sqlite3_step(st), SQLITE_ROW);
	assert_string_equal((const char *)sqlite3_column_text(st, 0), "wal");
	sqlite3_finalize(st);
	sqlite3_close(h);
	/* Foreign keys are on in our connection: staff in a missing dept
	 * is refused. */
	{
		int64_t id = tu_user(db, "09120000001", CORE_ROLE_APPLICANT,
		    NULL, 0);

		assert_int_equal(db_staff_dept_add(db, id, 42), SD_ENOTFOUND);
	}
	db_close(db);
	free(path);
	tu_rmtree(dir);
	free(dir);
}

static void
test_departments_seeded_in_order(void **state)
{
	/* Issue 11: ZWNJ in the compounds, 17 the office, not «رئیس». */
	static const char *const names[17] = {"آموزش، توسعه و پژوهش",
		"فناوری اطلاعات", "کنترل مقررات", "بازرسی گاز", "بازرسی فنی",
		"پروانه عضویت", "پروانه اشتغال", "نقشه‌برداری",
		"اداری و پشتیبانی", "دبیرخانه", "روابط عمومی",
		"دفتر نمایندگی‌ها", "شورای انتظامی", "مالی",
		"مجریان ذی‌صلاح و شناسنامه فنی", "ماده 27",
		"دفتر رئیس سازمان"};
	/* The one-word names of SMS lists: the two inspections apart, no
	 * ZWNJ between two words, ASCII digits as everywhere else. */
	static const char *const shorts[17] = {"آموزش", "فناوری", "مقررات",
		"بازرسی گاز", "بازرسی فنی", "عضویت", "اشتغال", "نقشه‌برداری",
		"اداری", "دبیرخانه", "روابط عمومی", "نمایندگی", "انتظامی",
		"مالی", "مجریان", "ماده 27", "دفتر رئیس"};
	struct db *db = tu_db_open(":memory:");
	struct db_dept *d, one;
	size_t n, i;

	(void)state;
	assert_int_equal(db_dept_list(db, &d, &n), SD_OK);
	assert_int_equal(n, 17);
	for (i = 0; i < n; i++) {
		assert_int_equal(d[i].code, (int)i + 1);
		assert_string_equal(d[i].name, names[i]);
		assert_string_equal(d[i].short_name, shorts[i]);
	}
	db_dept_list_free(d, n);
	assert_int_equal(db_dept_get(db, CORE_DEPT_HEAD, &one), SD_OK);
	assert_string_equal(one.name, "دفتر رئیس سازمان");
	db_dept_fini(&one);
	assert_int_equal(db_dept_get(db, 18, &one), SD_ENOTFOUND);
	assert_int_equal(db_dept_get(db, 0, &one), SD_ENOTFOUND);
	db_close(db);
}

static void
test_tracking_starts_at_10001_never_reused(void **state)
{
	char *dir = tu_tmpdir(), *path, err[SD_ERRLEN];
	struct db *db;
	int64_t a, t1, t2, t3;
	sqlite3 *h;

	(void)state;
	assert_true(asprintf(&path, "%s/t.db", dir) > 0);
	db = tu_db_open(path);
	a = tu_user(db, "09131111111", CORE_ROLE_APPLICANT, NULL, 0);
	assert_int_equal(core_request_create(db, &core_env_no_sms, tu_actor(db, a), 2, CORE_PRIO_URGENT,
	    "عنوان", "متن", CORE_CHAN_WEB, &t1, err), SD_OK);
	assert_int_equal(t1, CORE_TRACKING_FIRST);
	assert_int_equal(core_request_create(db, &core_env_no_sms, tu_actor(db, a), 2, CORE_PRIO_URGENT,
	    "عنوان", "متن", CORE_CHAN_WEB, &t2, err), SD_OK);
	assert_int_equal(t2, 10002);
	/* Even if the newest row vanished (by hand, say), its number is
	 * not handed out again. */
	assert_int_equal(sqlite3_open(path, &h), SQLITE_OK);
	assert_int_equal(sqlite3_exec(h, "PRAGMA foreign_keys=OFF;"
	    "DELETE FROM messages WHERE tracking = 10002;"
	    "DELETE FROM requests WHERE tracking = 10002", NULL, NULL, NULL),
	    SQLITE_OK);
	sqlite3_close(h);
	assert_int_equal(core_request_create(db, &core_env_no_sms, tu_actor(db, a), 2, CORE_PRIO_URGENT,
	    "عنوان", "متن", CORE_CHAN_WEB, &t3, err), SD_OK);
	assert_int_equal(t3, 10003);
	db_close(db);
	free(path);
	tu_rmtree(dir);
	free(dir);
}

#define THREAD_INSERTS 150

struct writer {
	const char *path;       /* database file */
	int64_t applicant;      /* owner of the requests */
	int64_t got[THREAD_INSERTS]; /* tracking numbers received */
	int failures;           /* calls that failed */
};

static void *
writer_run(void *arg)
{
	struct writer *w = arg;
	struct db_config cfg;
	char err[SD_ERRLEN];
	struct db *db;
	int i;

	tu_db_config(&cfg, w->path);
	if (db_open(&cfg, &db, err) != SD_OK) {
		w->failures = THREAD_INSERTS;
		return NULL;
	}
	for (i = 0; i < THREAD_INSERTS; i++)
		if (core_request_create(db, &core_env_no_sms, tu_actor(db, w->applicant), 3, CORE_PRIO_NORMAL,
			"هم‌زمان", "درخواست هم‌زمان", CORE_CHAN_SMS,
			&w->got[i], err) != SD_OK)
			w->failures++;
	db_close(db);
	return NULL;
}

static int
cmp_i64(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;

	return (x > y) - (x < y);
}

static void
test_tracking_unique_under_concurrent_writers(void **state)
{
	char *dir = tu_tmpdir(), *path;
	struct writer w[2];
	pthread_t th[2];
	int64_t all[2 * THREAD_INSERTS], a;
	struct db *db;
	int i;

	(void)state;
	assert_true(asprintf(&path, "%s/t.db", dir) > 0);
	db = tu_db_open(path);
	a = tu_user(db, "09131111112", CORE_ROLE_APPLICANT, NULL, 0);
	db_close(db);
	memset(w, 0, sizeof(w));
	for (i = 0; i < 2; i++) {
		w[i].path = path;
		w[i].applicant = a;
		assert_int_equal(pthread_create(&th[i], NULL, writer_run, &w[i]),
		    0);
	}
	for (i = 0; i < 2; i++)
		pthread_join(th[i], NULL);
	assert_int_equal(w[0].failures, 0);
	assert_int_equal(w[1].failures, 0);
	memcpy(all, w[0].got, sizeof(w[0].got));
	memcpy(all + THREAD_INSERTS, w[1].got, sizeof(w[1].got));
	qsort(all, 2 * THREAD_INSERTS, sizeof(all[0]), cmp_i64);
	/* Unique and gap-free: exactly 10001 .. 10300. */
	for (i = 0; i < 2 * THREAD_INSERTS; i++)
		assert_int_equal(all[i], CORE_TRACKING_FIRST + i);
	assert_int_equal(raw_count(path, "SELECT count(*) FROM requests"),
	    2 * THREAD_INSERTS);
	assert_int_equal(raw_count(path,
	    "SELECT count(*) FROM audit WHERE action = 'request.create'"),
	    2 * THREAD_INSERTS);
	free(path);
	tu_rmtree(dir);
	free(dir);
}

static void
test_audit_is_append_only(void **state)
{
	char *dir = tu_tmpdir(), *path;
	struct db *db;
	sqlite3 *h;
	int64_t n = 0;

	(void)state;
	assert_true(asprintf(&path, "%s/t.db", dir) > 0);
	db = tu_db_open(path);
	assert_int_equal(db_audit_add(db, 0, "test", "x:1", "d"), SD_OK);
	assert_int_equal(db_audit_count(db, "x:1", &n), SD_OK);
	assert_int_equal(n, 1);
	assert_int_equal(sqlite3_open(path, &h), SQLITE_OK);
	assert_int_not_equal(sqlite3_exec(h, "UPDATE audit SET detail = 'z'",
	    NULL, NULL, NULL), SQLITE_OK);
	assert_int_not_equal(sqlite3_exec(h, "DELETE FROM audit", NULL, NULL,
	    NULL), SQLITE_OK);
	sqlite3_close(h);
	assert_int_equal(db_audit_count(db, "x:1", &n), SD_OK);
	assert_int_equal(n, 1);
	db_close(db);
	free(path);
	tu_rmtree(dir);
	free(dir);
}

static void
test_newer_schema_refused(void **state)
{
	char *dir = tu_tmpdir(), *path, err[SD_ERRLEN], sql[64];
	struct db_config cfg;
	struct db *db;
	sqlite3 *h;

	(void)state;
	assert_true(asprintf(&path, "%s/t.db", dir) > 0);
	db_close(tu_db_open(path));
	assert_int_equal(sqlite3_open(path, &h), SQLITE_OK);
	snprintf(sql, sizeof(sql), "PRAGMA user_version = %d",
	    db_schema_latest() + 1);
	assert_int_equal(sqlite3_exec(h, sql, NULL, NULL, NULL), SQLITE_OK);
	sqlite3_close(h);
	tu_db_config(&cfg, path);
	assert_int_equal(db_open(&cfg, &db, err), SD_ESTATE);
	assert_null(db);
	assert_non_null(strstr(err, "newer"));
	free(path);
	tu_rmtree(dir);
	free(dir);
}

/* Run the migrations after the file's version up to version upto on
 * the raw file at path (as the build that stopped there did). */
static void
migrate_raw(const char *path, int upto)
{
	char sql[64];
	sqlite3 *h;
	size_t i, k;

	int64_t cur = raw_count(path, "PRAGMA user_version");

	assert_int_equal(sqlite3_open(path, &h), SQLITE_OK);
	for (i = 0; i < db_n_migrations; i++) {
		int v;

		if (db_migrations[i].version > upto)
			break;
		if (db_migrations[i].version <= cur)
			continue;
		for (k = 0; db_migrations[i].sql[k] != NULL; k++)
			if (sqlite3_exec(h, db_migrations[i].sql[k], NULL, NULL,
				NULL) != SQLITE_OK)
				fail_msg("migration %d: %s",
				    db_migrations[i].version, sqlite3_errmsg(h));
		v = db_migrations[i].version;
		snprintf(sql, sizeof(sql), "PRAGMA user_version = %d", v);
		assert_int_equal(sqlite3_exec(h, sql, NULL, NULL, NULL),
		    SQLITE_OK);
	}
	sqlite3_close(h);
}

/* Schema 7 (issue #10): a schema-6 database whose part states are SMPP
 * message_state values (2 delivered, 3 expired, 5 undeliverable, 8
 * rejected, 1 enroute, 0 none yet) gets ours (delivered 3, expired 5,
 * undeliverable 4, accepted 2); "no receipt yet" for part 1 stays 0, the
 * rows' own states and counts do not move; and the last part's receipt
 * then ends a three-part message, reading its first two parts as
 * delivered. */
static void
test_migrate_v6_part_states(void **state)
{
	static const char *const rows =
	    "INSERT INTO outbox (id, kind, priority, destination, body, state,"
	    " smsc_id, created, updated, parts, p1_state, route, receipt)"
	    " VALUES"
	    " (1, 2, 1, '+989131111111', 'a', 2, 'a1', 1, 1, 3, 2, 1, 1),"
	    " (2, 1, 2, '+989131111111', 'b', 4, 'b1', 1, 1, 2, 1, 1, 1),"
	    " (3, 1, 2, '+989131111111', 'c', 3, 'c1', 1, 1, 1, 2, 1, 1),"
	    " (4, 1, 2, '+989131111111', 'd', 5, 'd1', 1, 1, 1, 3, 1, 1),"
	    " (5, 1, 2, '+989131111111', 'e', 4, 'e1', 1, 1, 1, 5, 1, 1),"
	    " (6, 1, 2, '+989131111111', 'f', 0, NULL, 1, 1, 0, 0, 0, 0);"
	    "INSERT INTO outbox_parts (outbox_id, part, smsc_id, state) VALUES"
	    " (1, 2, 'a2', 2), (1, 3, 'a3', 0), (2, 2, 'b2', 8);";
	static const struct {
		const char *sql;
		int64_t want;
	} after[] = {
		{"SELECT p1_state FROM outbox WHERE id = 1", CORE_OUT_DELIVERED},
		{"SELECT p1_state FROM outbox WHERE id = 2", CORE_OUT_ACCEPTED},
		{"SELECT p1_state FROM outbox WHERE id = 3", CORE_OUT_DELIVERED},
		{"SELECT p1_state FROM outbox WHERE id = 4", CORE_OUT_EXPIRED},
		{"SELECT p1_state FROM outbox WHERE id = 5",
		    CORE_OUT_UNDELIVERABLE},
		{"SELECT p1_state FROM outbox WHERE id = 6", 0},
		{"SELECT state FROM outbox_parts WHERE smsc_id = 'a2'",
		    CORE_OUT_DELIVERED},
		{"SELECT state FROM outbox_parts WHERE smsc_id = 'a3'",
		    CORE_OUT_ACCEPTED},
		{"SELECT state FROM outbox_parts WHERE smsc_id = 'b2'",
		    CORE_OUT_UNDELIVERABLE},
		/* The rows' states, and their counts, as they were. */
		{"SELECT group_concat(state, ',') FROM"
		 " (SELECT state FROM outbox ORDER BY id)", -1},
		{"SELECT n FROM outbox_counts WHERE kind = 1 AND state = 4", 2},
		{"SELECT n FROM outbox_counts WHERE kind = 2 AND state = 2", 1},
	};
	char *dir = tu_tmpdir(), *path, *states;
	const char *a3[] = {"a3"};
	struct db_outbox_counts c;
	struct db *db;
	sqlite3 *h;
	int64_t got = 0;
	size_t i;
	int v = -1;

	(void)state;
	assert_true(asprintf(&path, "%s/v6.db", dir) > 0);
	migrate_raw(path, 5);
	assert_int_equal(sqlite3_open(path, &h), SQLITE_OK);
	if (sqlite3_exec(h, rows, NULL, NULL, NULL) != SQLITE_OK)
		fail_msg("rows: %s", sqlite3_errmsg(h));
	sqlite3_close(h);
	migrate_raw(path, 6); /* counts the rows */
	assert_int_equal(raw_count(path, "PRAGMA user_version"), 6);

	db = tu_db_open(path);
	assert_int_equal(db_schema_version(db, &v), SD_OK);
	assert_int_equal(v, db_schema_latest());
	assert_true(v >= 7);
	for (i = 0; i < sizeof(after) / sizeof(after[0]); i++) {
		if (after[i].want < 0)
			continue;
		if (raw_count(path, after[i].sql) != after[i].want)
			fail_msg("%s: %lld, want %lld", after[i].sql,
			    (long long)raw_count(path, after[i].sql),
			    (long long)after[i].want);
	}
	assert_int_equal(sqlite3_open(path, &h), SQLITE_OK);
	{
		sqlite3_stmt *st;

		assert_int_equal(sqlite3_prepare_v2(h, after[9].sql, -1, &st,
				     NULL),
		    SQLITE_OK);
		assert_int_equal(sqlite3_step(st), SQLITE_ROW);
		states = strdup((const char *)sqlite3_column_text(st, 0));
		sqlite3_finalize(st);
	}
	sqlite3_close(h);
	assert_string_equal(states, "2,4,3,5,4,0");
	free(states);

	/* Parts 1 and 2 delivered (read as ours), part 3's receipt now. */
	assert_int_equal(db_outbox_receipt(db, a3, 1, CORE_OUT_DELIVERED, "",
			     &got),
	    SD_OK);
	assert_int_equal(got, 1);
	assert_int_equal(raw_count(path, "SELECT state FROM outbox WHERE id = 1"),
	    CORE_OUT_DELIVERED);
	assert_int_equal(db_outbox_counts(db, &c), SD_OK);
	assert_int_equal(c.n[CORE_OUT_REPLY][CORE_OUT_DELIVERED], 1);
	assert_int_equal(c.n[CORE_OUT_REPLY][CORE_OUT_ACCEPTED], 0);
	assert_int_equal(c.n[CORE_OUT_ALERT][CORE_OUT_UNDELIVERABLE], 2);
	db_close(db);
	tu_rmtree(dir);
	free(path);
	free(dir);
}

/* Schema 9 (issue #11): a request that an older build moved to the
 * head's office (17) goes back to its department, still flagged; each
 * request's SLA clock starts at its first applicant message after the
 * last staff answer (none: its last change). */
static void
test_migrate_v9_waiting_since(void **state)
{
	static const char *const rows =
	    "INSERT INTO users (id, mobile, first_name, last_name, role,"
	    " created) VALUES (1, '+989131111111', 'a', 'b', 0, 1),"
	    " (2, '+989133333333', 'c', 'd', 1, 1);"
	    "INSERT INTO requests (tracking, applicant_id, dept_code,"
	    " orig_dept, priority, title, status, channel, created, updated,"
	    " escalated) VALUES"
	    " (10001, 1, 17, 5, 2, 't', 0, 1, 100, 900, 1),"
	    " (10002, 1, 2, 2, 2, 't', 0, 1, 100, 900, 0),"
	    " (10003, 1, 2, 2, 2, 't', 1, 1, 100, 900, 0);"
	    "INSERT INTO messages (id, tracking, author_id, author_role,"
	    " author_name, body, channel, created) VALUES"
	    " (1, 10001, 1, 0, 'a b', 'x', 1, 100),"
	    " (2, 10001, 1, 0, 'a b', 'x', 1, 800),"
	    " (3, 10002, 1, 0, 'a b', 'x', 1, 100),"
	    " (4, 10002, 2, 1, 'c d', 'y', 0, 200),"
	    " (5, 10002, 1, 0, 'a b', 'x', 1, 300),"
	    " (6, 10002, 1, 0, 'a b', 'x', 1, 900),"
	    " (7, 10003, 1, 0, 'a b', 'x', 1, 100),"
	    " (8, 10003, 2, 1, 'c d', 'y', 0, 900);";
	static const struct {
		const char *sql;
		int64_t want;
	} after[] = {
		{"SELECT dept_code FROM requests WHERE tracking = 10001", 5},
		{"SELECT escalated FROM requests WHERE tracking = 10001", 1},
		{"SELECT waiting_since FROM requests WHERE tracking = 10001",
		    100},
		{"SELECT waiting_since FROM requests WHERE tracking = 10002",
		    300},
		{"SELECT waiting_since FROM requests WHERE tracking = 10003",
		    900},
	};
	char *dir = tu_tmpdir(), *path;
	struct db *db;
	sqlite3 *h;
	size_t i;

	(void)state;
	assert_true(asprintf(&path, "%s/v7.db", dir) > 0);
	migrate_raw(path, 7);
	assert_int_equal(sqlite3_open(path, &h), SQLITE_OK);
	if (sqlite3_exec(h, rows, NULL, NULL, NULL) != SQLITE_OK)
		fail_msg("rows: %s", sqlite3_errmsg(h));
	sqlite3_close(h);
	db = tu_db_open(path);
	for (i = 0; i < sizeof(after) / sizeof(after[0]); i++)
		if (raw_count(path, after[i].sql) != after[i].want)
			fail_msg("%s: %lld, want %lld", after[i].sql,
			    (long long)raw_count(path, after[i].sql),
			    (long long)after[i].want);
	db_close(db);
	tu_rmtree(dir);
	free(path);
	free(dir);
}

/* Schema 11 (issue #11): a schema-9 database's seeded department names
 * become the new ones; a name changed by hand is left alone. */
static void
test_migrate_v11_dept_names(void **state)
{
	static const struct {
		const char *sql;
		int64_t want;
	} after[] = {
		{"SELECT count(*) FROM departments WHERE code = 8 AND"
		 " name = 'نقشه‌برداری'", 1},
		{"SELECT count(*) FROM departments WHERE code = 12 AND"
		 " name = 'دفتر نمایندگی‌ها'", 1},
		{"SELECT count(*) FROM departments WHERE code = 15 AND"
		 " name = 'مجریان ذی‌صلاح و شناسنامه فنی'", 1},
		{"SELECT count(*) FROM departments WHERE code = 17 AND"
		 " name = 'دفتر رئیس سازمان' AND short_name = 'دفتر رئیس'", 1},
		{"SELECT count(*) FROM departments WHERE code = 5 AND"
		 " short_name = 'بازرسی فنی'", 1},
		{"SELECT count(*) FROM departments WHERE code = 16 AND"
		 " short_name = 'ماده 27'", 1},
		/* Renamed by hand before the migration: kept. */
		{"SELECT count(*) FROM departments WHERE code = 11 AND"
		 " short_name = 'روابط'", 1},
		/* Migrated on to the latest (not only to 11). */
		{"SELECT user_version >= 11 FROM pragma_user_version", 1},
	};
	char *dir = tu_tmpdir(), *path;
	struct db *db;
	sqlite3 *h;
	size_t i;

	(void)state;
	assert_true(asprintf(&path, "%s/v9.db", dir) > 0);
	migrate_raw(path, 9);
	assert_int_equal(sqlite3_open(path, &h), SQLITE_OK);
	assert_int_equal(sqlite3_exec(h,
			     "UPDATE departments SET short_name = 'روابط'"
			     " WHERE code = 11",
			     NULL, NULL, NULL),
	    SQLITE_OK);
	sqlite3_close(h);
	db = tu_db_open(path);
	for (i = 0; i < sizeof(after) / sizeof(after[0]); i++)
		if (raw_count(path, after[i].sql) != after[i].want)
			fail_msg("%s: %lld, want %lld", after[i].sql,
			    (long long)raw_count(path, after[i].sql),
			    (long long)after[i].want);
	db_close(db);
	tu_rmtree(dir);
	free(path);
	free(dir);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_migrate_twice_is_noop),
		cmocka_unit_test(test_migrate_v6_part_states),
		cmocka_unit_test(test_migrate_v9_waiting_since),
		cmocka_unit_test(test_migrate_v11_dept_names),
		cmocka_unit_test(test_wal_and_foreign_keys),
		cmocka_unit_test(test_read_snapshot),
		cmocka_unit_test(test_departments_seeded_in_order),
		cmocka_unit_test(test_tracking_starts_at_10001_never_reused),
		cmocka_unit_test(test_tracking_unique_under_concurrent_writers),
		cmocka_unit_test(test_audit_is_append_only),
		cmocka_unit_test(test_newer_schema_refused),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
