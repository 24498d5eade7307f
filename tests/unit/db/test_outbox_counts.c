/*
 * tests/unit/db/test_outbox_counts.c: the outbox's counts by kind and
 * state (issue #9, /metrics cost). db_outbox_counts() must cost the same
 * whatever the size of the outbox, and must equal a GROUP BY over the
 * rows after any mix of changes: queue, claim, accept, receipts by SMSC
 * id and over HTTP (route 2, with the row's secret, right or wrong),
 * any move of db_outbox_move() (issue #10),
 * failure, expiry, the restart requeue, the operator's retry (refused for
 * an OTP), batches committed or rolled back (whole or to a savepoint),
 * and writers on another connection; an OTP's code is masked in every
 * state from accepted on, whatever path took it there; a database made
 * before the counts existed gets them right when it is migrated, and so
 * does one recounted by hand as README says.
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
#include "db/db_int.h"
#include "tests/support/testutil.h"

#define NOW 1764000000

static int64_t now;
static unsigned states_seen; /* bit s: some check saw rows in state s */
static int http_final[2];    /* HTTP receipts that made a row final:
                              * [0] from submitted, [1] from accepted */
static int otp_masked;       /* OTP rows a check saw masked */

static int
setup(void **state)
{
	(void)state;
	now = NOW;
	sd_clock_set_fixed(now);
	return 0;
}

static int
teardown(void **state)
{
	(void)state;
	sd_clock_set_fixed(0);
	return 0;
}

/* xorshift64*: the same mix for a seed on every machine. */
static uint64_t rng;

static unsigned
rnd(unsigned n)
{
	rng ^= rng >> 12;
	rng ^= rng << 25;
	rng ^= rng >> 27;
	return (unsigned)((rng * 2685821657736338717ULL) >> 33) % n;
}

static void
add(struct db *db, enum core_out_kind kind, int64_t expires)
{
	struct core_out m;
	int64_t id = 0;

	memset(&m, 0, sizeof(m));
	m.kind = kind;
	m.dest = "+989131111111";
	/* An OTP carries its code, to be masked once the SMSC has it. */
	m.text = kind == CORE_OUT_OTP ? "کد ورود: 493817" : "پیام آزمایشی";
	m.expires = expires;
	assert_int_equal(core_out_queue(db, &m, &id), SD_OK);
}

/* Compare db_outbox_counts() on db with the rows themselves, read with a
 * GROUP BY and a scan that cannot use the index. */
static void
check(struct db *db, const char *after)
{
	struct db_outbox_counts c;
	int64_t want[CORE_OUT_KIND_COUNT][CORE_OUT_STATE_COUNT];
	int64_t oldest = 0, total = 0, sum = 0;
	sqlite3_stmt *st;
	int k, s;

	memset(want, 0, sizeof(want));
	assert_int_equal(sqlite3_prepare_v2(db->h,
			     "SELECT kind, state, count(*) FROM outbox"
			     " GROUP BY kind, state",
			     -1, &st, NULL),
	    SQLITE_OK);
	while (sqlite3_step(st) == SQLITE_ROW) {
		k = sqlite3_column_int(st, 0);
		s = sqlite3_column_int(st, 1);
		assert_true(k >= 0 && k < CORE_OUT_KIND_COUNT);
		assert_true(s >= 0 && s < CORE_OUT_STATE_COUNT);
		want[k][s] = sqlite3_column_int64(st, 2);
		total += want[k][s];
		states_seen |= 1u << s;
	}
	sqlite3_finalize(st);
	/* From accepted on, an OTP's text keeps no digit of its code. */
	assert_int_equal(sqlite3_prepare_v2(db->h,
			     "SELECT id, state, body FROM outbox"
			     " WHERE kind = 0 AND state >= 2",
			     -1, &st, NULL),
	    SQLITE_OK);
	while (sqlite3_step(st) == SQLITE_ROW) {
		const char *body = (const char *)sqlite3_column_text(st, 2);

		if (strstr(body, "493817") != NULL ||
		    strstr(body, "******") == NULL)
			fail_msg("after %s: OTP row %lld in state %d not "
				 "masked: %s",
			    after, (long long)sqlite3_column_int64(st, 0),
			    sqlite3_column_int(st, 1), body);
		otp_masked++;
	}
	sqlite3_finalize(st);
	assert_int_equal(sqlite3_prepare_v2(db->h,
			     "SELECT coalesce(min(created), 0) FROM outbox"
			     " WHERE +state IN (0, 1)",
			     -1, &st, NULL),
	    SQLITE_OK);
	assert_int_equal(sqlite3_step(st), SQLITE_ROW);
	oldest = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);

	assert_int_equal(db_outbox_counts(db, &c), SD_OK);
	for (k = 0; k < CORE_OUT_KIND_COUNT; k++)
		for (s = 0; s < CORE_OUT_STATE_COUNT; s++) {
			if (c.n[k][s] != want[k][s])
				fail_msg("after %s: kind %d state %d: counted "
					 "%lld, rows %lld",
				    after, k, s, (long long)c.n[k][s],
				    (long long)want[k][s]);
			sum += c.n[k][s];
		}
	assert_int_equal(sum, total);
	if (c.oldest_waiting != oldest)
		fail_msg("after %s: oldest waiting %lld, rows %lld", after,
		    (long long)c.oldest_waiting, (long long)oldest);
}

static int64_t
max_id(struct db *db)
{
	sqlite3_stmt *st;
	int64_t n;

	assert_int_equal(
	    sqlite3_prepare_v2(db->h, "SELECT coalesce(max(id), 0) FROM outbox",
		-1, &st, NULL),
	    SQLITE_OK);
	assert_int_equal(sqlite3_step(st), SQLITE_ROW);
	n = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return n;
}

/* rc is SD_OK or one of the answers a change may give in a state that
 * does not allow it. */
static const char *
ok_or(const char *what, enum sd_rc rc, enum sd_rc other)
{
	if (rc != SD_OK && rc != other)
		fail_msg("%s: unexpected rc %d", what, (int)rc);
	return what;
}

/* The id of a random row for which sql (a count, then the ids ordered
 * with LIMIT 1 OFFSET ?1) finds one, 0 if none; with its dlr_token
 * when tok is not NULL. */
static int64_t
pick(struct db *db, const char *count_sql, const char *sql, char *tok,
    size_t toklen)
{
	sqlite3_stmt *st;
	int64_t n, id = 0;

	assert_int_equal(
	    sqlite3_prepare_v2(db->h, count_sql, -1, &st, NULL), SQLITE_OK);
	assert_int_equal(sqlite3_step(st), SQLITE_ROW);
	n = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	if (n == 0)
		return 0;
	assert_int_equal(sqlite3_prepare_v2(db->h, sql, -1, &st, NULL),
	    SQLITE_OK);
	sqlite3_bind_int64(st, 1, (int64_t)rnd((unsigned)n));
	if (sqlite3_step(st) == SQLITE_ROW) {
		id = sqlite3_column_int64(st, 0);
		if (tok != NULL)
			snprintf(tok, toklen, "%s",
			    (const char *)sqlite3_column_text(st, 1));
	}
	sqlite3_finalize(st);
	return id;
}

/* The HTTP path of the pipeline: for a submitted row, its secret and
 * route 2 recorded, as before the request leaves; or for one so sent,
 * the provider's acceptance. */
static const char *
http_send(struct db *db)
{
	char tok[40];
	int64_t id;
	bool set;

	if (rnd(2) == 0) {
		id = pick(db,
		    "SELECT count(*) FROM outbox WHERE state = 1"
		    " AND dlr_token IS NOT NULL",
		    "SELECT id FROM outbox WHERE state = 1"
		    " AND dlr_token IS NOT NULL ORDER BY id LIMIT 1 OFFSET ?1",
		    NULL, 0);
		if (id != 0) {
			assert_int_equal(db_outbox_accepted(db, id, 1, 1, "",
					     CORE_OUT_ROUTE_HTTP, true, true),
			    SD_OK);
			return "http accepted";
		}
	}
	id = pick(db, "SELECT count(*) FROM outbox WHERE state = 1",
	    "SELECT id FROM outbox WHERE state = 1 ORDER BY id"
	    " LIMIT 1 OFFSET ?1",
	    NULL, 0);
	if (id == 0)
		return "http token (none submitted)";
	snprintf(tok, sizeof(tok), "%032llx",
	    (unsigned long long)(rng ^ (uint64_t)id));
	assert_int_equal(db_outbox_http_token(db, id, tok, &set), SD_OK);
	assert_true(set);
	return "http token";
}

/* A provider's receipt over HTTP: for a row sent over HTTP with its
 * secret (usually), a wrong one, none, or any row. */
static const char *
http_receipt(struct db *db)
{
	static const enum core_out_state ms[] = {CORE_OUT_ACCEPTED,
		CORE_OUT_DELIVERED, CORE_OUT_EXPIRED, CORE_OUT_UNDELIVERABLE,
		CORE_OUT_UNDELIVERABLE}; /* what receipts say */
	struct db_outbox_row row;
	char tok[72] = "";
	int64_t id;
	enum sd_rc rc;
	int before, how = (int)rnd(8);

	id = pick(db, "SELECT count(*) FROM outbox WHERE dlr_token IS NOT NULL",
	    "SELECT id, dlr_token FROM outbox WHERE dlr_token IS NOT NULL"
	    " ORDER BY id LIMIT 1 OFFSET ?1",
	    tok, sizeof(tok));
	if (how == 0 || id == 0) { /* any row, no secret */
		id = 1 + (int64_t)rnd((unsigned)max_id(db) + 1);
		tok[0] = '\0';
	} else if (how == 1) { /* a forged secret */
		tok[0] = tok[0] == 'f' ? '0' : 'f';
	}
	before = -1;
	if (db_outbox_get(db, id, &row, NULL) == SD_OK) {
		before = (int)row.state;
		db_outbox_row_fini(&row);
	}
	rc = db_outbox_receipt_http(db, id, tok, ms[rnd(5)], "receipt");
	if (rc != SD_OK && rc != SD_ENOTFOUND && rc != SD_ESTATE &&
	    rc != SD_EPERM)
		fail_msg("http receipt: unexpected rc %d", (int)rc);
	if (rc == SD_OK && db_outbox_get(db, id, &row, NULL) == SD_OK) {
		if ((int)row.state != before)
			http_final[before == CORE_OUT_ACCEPTED]++;
		db_outbox_row_fini(&row);
	}
	return rc == SD_OK ? "http receipt" : "http receipt refused";
}

/* One random change through db/ (or core/ to queue); its name. */
static const char *
change(struct db *db)
{
	static const enum core_out_state ms[] = {CORE_OUT_ACCEPTED,
		CORE_OUT_DELIVERED, CORE_OUT_EXPIRED, CORE_OUT_UNDELIVERABLE,
		CORE_OUT_UNDELIVERABLE}; /* what receipts say */
	struct db_outbox_row rows[8];
	char sid[32];
	const char *ids[1];
	int64_t max = max_id(db), id = 1 + (int64_t)rnd((unsigned)max + 1);
	int64_t got, n;
	size_t nr = 0, ex = 0, i;
	int part = 1 + (int)rnd(2);
	enum sd_rc rc;
	bool fin;

	snprintf(sid, sizeof(sid), "m%lld-%d", (long long)id, part);
	ids[0] = sid;
	switch (max == 0 ? 0 : rnd(16)) {
	case 0:
	case 1:
		add(db, (enum core_out_kind)rnd(CORE_OUT_KIND_COUNT),
		    rnd(3) == 0 ? now + (int64_t)rnd(20) : 0);
		return "queue";
	case 2:
		assert_int_equal(db_begin(db), SD_OK);
		assert_int_equal(db_outbox_claim(db, now, 1u + rnd(15),
				     1 + rnd(8), rows, &nr, &ex),
		    SD_OK);
		for (i = 0; i < nr; i++)
			db_outbox_row_fini(&rows[i]);
		if (rnd(4) == 0) {
			db_rollback(db);
			return "claim rolled back";
		}
		assert_int_equal(db_commit(db), SD_OK);
		return "claim";
	case 3:
		/* A row that is not there has no parts to accept. */
		if (id > max)
			return "clock";
		return ok_or("accepted",
		    db_outbox_accepted(db, id, part, 1 + (int)rnd(2), sid,
			(enum core_out_route)(1 + rnd(2)), true, rnd(3) != 0),
		    SD_OK);
	case 4:
		return ok_or("receipt",
		    db_outbox_receipt(db, ids, 1, ms[rnd(5)], "receipt", &got),
		    SD_OK);
	case 5:
	case 12:
		return http_send(db);
	case 10:
	case 11:
	case 13:
		return http_receipt(db);
	case 6:
		return ok_or("failed",
		    db_outbox_failed(db, id, rnd(2) == 0, "refused", now, 3,
			(int64_t)rnd(5), &fin),
		    SD_ENOTFOUND);
	case 7:
		return ok_or(
		    "expire", db_outbox_expire(db, id, "too late"), SD_OK);
	case 8:
		assert_int_equal(db_outbox_requeue_submitted(db, &n), SD_OK);
		return "restart requeue";
	case 9:
		if (id > max)
			return ok_or("operator retry", db_outbox_retry(db, id),
			    SD_ENOTFOUND);
		rc = db_outbox_retry(db, id);
		if (rc == SD_EPERM) /* a final OTP: its code is masked */
			return "operator retry (OTP refused)";
		return ok_or("operator retry", rc, SD_ESTATE);
	case 15:
		/* Any move through the table's one door, with any mask. */
		return ok_or("move",
		    db_outbox_move(db, id, (unsigned)rnd(1u << CORE_OUT_STATE_COUNT),
			(enum core_out_state)rnd(CORE_OUT_STATE_COUNT), "moved"),
		    id > max ? SD_ENOTFOUND : SD_ESTATE);
	default:
		now += 1 + (int64_t)rnd(8);
		sd_clock_set_fixed(now);
		return "clock";
	}
}

/* Random mixes on two connections to one file: after every change or
 * batch, both read counts equal to the rows; a rolled-back batch leaves
 * no trace. */
static void
test_counts_follow_rows(void **state)
{
	static const uint64_t seeds[] = {1, 0x9e3779b97f4a7c15ULL, 20261206};
	char *dir = tu_tmpdir(), path[512];
	struct db *a, *b, *db;
	size_t si;
	int i, j;

	(void)state;
	snprintf(path, sizeof(path), "%s/smsdesk.db", dir);
	states_seen = 0;
	memset(http_final, 0, sizeof(http_final));
	otp_masked = 0;
	a = tu_db_open(path);
	b = tu_db_open(path);
	for (si = 0; si < sizeof(seeds) / sizeof(seeds[0]); si++) {
		rng = seeds[si];
		for (i = 0; i < 400; i++) {
			char what[64];

			db = rnd(2) == 0 ? a : b;
			if (rnd(10) == 0) {
				/* A batch of changes, as the store thread
				 * commits them (a claim in it may roll back to
				 * its savepoint), or that fails and is undone,
				 * counts too. */
				bool keep = rnd(2) == 0;

				assert_int_equal(db_begin(db), SD_OK);
				for (j = 0; j < 6; j++)
					(void)change(db);
				if (keep)
					assert_int_equal(db_commit(db), SD_OK);
				else
					db_rollback(db);
				snprintf(what, sizeof(what),
				    "seed %zu step %d batch %s", si, i,
				    keep ? "committed" : "rolled back");
			} else {
				snprintf(what, sizeof(what),
				    "seed %zu step %d %s", si, i, change(db));
			}
			check(a, what);
			check(b, what);
		}
	}
	/* The mix went through every state, made rows final by HTTP
	 * receipts and masked OTPs. */
	print_message("HTTP receipts that ended a row: %d submitted, %d "
		      "accepted; masked OTP rows checked: %d\n",
	    http_final[0], http_final[1], otp_masked);
	assert_int_equal(states_seen, (1u << CORE_OUT_STATE_COUNT) - 1);
	assert_true(http_final[0] >= 5 && http_final[1] >= 5);
	assert_true(otp_masked > 0);
	db_close(a);
	db_close(b);
	tu_rmtree(dir);
	free(dir);
}

/* VM steps of one db_outbox_counts(): the sum over every statement of
 * the connection. */
static long
counts_steps(struct db *db)
{
	struct db_outbox_counts c;
	sqlite3_stmt *st;
	long n = 0;

	for (st = sqlite3_next_stmt(db->h, NULL); st != NULL;
	     st = sqlite3_next_stmt(db->h, st))
		(void)sqlite3_stmt_status(st, SQLITE_STMTSTATUS_VM_STEP, 1);
	assert_int_equal(db_outbox_counts(db, &c), SD_OK);
	for (st = sqlite3_next_stmt(db->h, NULL); st != NULL;
	     st = sqlite3_next_stmt(db->h, st))
		n += sqlite3_stmt_status(st, SQLITE_STMTSTATUS_VM_STEP, 1);
	return n;
}

static void
fill(struct db *db, int n)
{
	struct db_outbox_row rows[8];
	size_t nr = 0, ex = 0, i;
	int k;

	assert_int_equal(db_begin(db), SD_OK);
	for (k = 0; k < n; k++)
		add(db, (enum core_out_kind)(k % CORE_OUT_KIND_COUNT), 0);
	/* Every state of the mix holds rows at each size. */
	assert_int_equal(
	    db_outbox_claim(db, now, 0xf, 8, rows, &nr, &ex), SD_OK);
	for (i = 0; i < nr; i++) {
		if (i % 2 == 0)
			assert_int_equal(db_outbox_accepted(db, rows[i].id, 1,
					     1, "x", CORE_OUT_ROUTE_SMPP, false, true),
			    SD_OK);
		db_outbox_row_fini(&rows[i]);
	}
	assert_int_equal(db_commit(db), SD_OK);
}

/* The cost of the counts does not grow with the outbox: the same VM
 * steps with 1,000 rows and with 30,000 (the GROUP BY took 30 times
 * more). */
static void
test_counts_cost_flat(void **state)
{
	struct db *db = tu_db_open(":memory:");
	long small, big;

	(void)state;
	fill(db, 1000);
	small = counts_steps(db);
	fill(db, 29000);
	big = counts_steps(db);
	print_message("db_outbox_counts: %ld VM steps at 1,000 rows, %ld at "
		      "30,000\n",
	    small, big);
	assert_true(small > 0);
	assert_true(big <= small + small / 10);
	check(db, "fill");
	db_close(db);
}

/* A database from before schema 6 (rows, no counts): migrating counts
 * what is there, and db/outbox.c takes it from there. */
static void
test_counts_migrated(void **state)
{
	static const char *const undo[] = {
	    "DROP TABLE outbox_counts",
	    /* schema 15 */
	    "DROP TABLE requests_fts",
	    "DROP INDEX requests_inbox",
	    "DROP INDEX requests_escalated",
	    "DROP INDEX requests_overdue",
	    "DROP INDEX requests_due_missing",
	    "DROP INDEX outbox_tracking",
	    "DROP INDEX requests_dept",
	    "CREATE INDEX requests_dept ON requests (dept_code, status,"
	    " priority, created)",
	    /* schema 14 */
	    "DROP TABLE notes",
	    "DROP TABLE canned",
	    "DROP INDEX requests_assigned",
	    "ALTER TABLE requests DROP COLUMN assigned_to",
	    "ALTER TABLE requests DROP COLUMN reminded",
	    "ALTER TABLE users DROP COLUMN disabled",
	    "DROP TABLE secrets", /* schema 13 */
	    /* schema 12 */
	    "DROP TABLE web_pending",
	    "DROP TABLE web_devices",
	    "DROP TABLE web_fails",
	    "DROP INDEX web_sessions_user",
	    "DROP INDEX otps_addr",
	    "DROP INDEX otps_created",
	    "ALTER TABLE otps DROP COLUMN addr",
	    "ALTER TABLE outbox DROP COLUMN ussd_end", /* schema 11 */
	    "ALTER TABLE requests DROP COLUMN waiting_since", /* schema 9 */
	    "ALTER TABLE inbox DROP COLUMN reason", /* schema 8 */
	    "PRAGMA user_version = 5",
	};
	char *dir = tu_tmpdir(), path[512];
	struct db *db;
	size_t i;
	int v;

	(void)state;
	snprintf(path, sizeof(path), "%s/smsdesk.db", dir);
	db = tu_db_open(path);
	rng = 7;
	for (i = 0; i < 300; i++)
		(void)change(db);
	for (i = 0; i < sizeof(undo) / sizeof(undo[0]); i++)
		assert_int_equal(
		    sqlite3_exec(db->h, undo[i], NULL, NULL, NULL), SQLITE_OK);
	db_close(db);
	db = tu_db_open(path);
	assert_int_equal(db_schema_version(db, &v), SD_OK);
	assert_int_equal(v, db_schema_latest());
	check(db, "migration");
	for (i = 0; i < 100; i++)
		check(db, change(db));
	/* The recount README gives after rows changed by hand drops the
	 * oldest-waiting marker too: counting goes on from there. */
	assert_int_equal(sqlite3_exec(db->h,
			     "DELETE FROM outbox_counts;"
			     " INSERT INTO outbox_counts SELECT kind, state,"
			     " count(*) FROM outbox GROUP BY kind, state;",
			     NULL, NULL, NULL),
	    SQLITE_OK);
	check(db, "recount");
	for (i = 0; i < 100; i++)
		check(db, change(db));
	db_close(db);
	tu_rmtree(dir);
	free(dir);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(
		test_counts_cost_flat, setup, teardown),
	    cmocka_unit_test_setup_teardown(
		test_counts_follow_rows, setup, teardown),
	    cmocka_unit_test_setup_teardown(
		test_counts_migrated, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
