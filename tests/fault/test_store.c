/*
 * tests/fault/test_store.c: SQLite fault injection across the three
 * durable steps of the pipeline, through the public db/ API, by
 * SQLite's method (design A7): for each kind of fault (the N-th xWrite,
 * xSync or xFileSize fails with SQLITE_IOERR or SQLITE_FULL, once or
 * from then on; or the N-th allocation fails, once or from then on) and
 * N = 1, 2, ... until the fault no longer fires:
 *
 *   1. a fresh copy of the step's database is opened (db_open), the
 *      fault armed, and the step run in its own transaction, as the
 *      store thread runs it (smsc/pipe_store.c store_batch);
 *   2. the crash view: the database and its WAL are copied as they are
 *      on disk and opened elsewhere (recovery, as after kill -9): the
 *      copy passes PRAGMA integrity_check and holds exactly the state
 *      before the step or exactly the state after it, never a part;
 *      after it if the step reported success;
 *   3. a failed step returned a temporary error (sd_rc_is_temp: the
 *      caller keeps the MO unacknowledged, the rows claimable, and
 *      retries), and the retry on the same connection, with the fault
 *      gone, succeeds;
 *   4. the restart view: closed and reopened, integrity_check is "ok"
 *      and the state is exactly the state after the step.
 *
 * "The state" is every row of every table, so any half-done write
 * anywhere shows. The steps:
 *
 *   inbox    a batch of MOs: a part of a long MO held, a long MO made
 *            whole (its held parts dropped), two MOs answered by a reply
 *            queued inside the handler's savepoint, and a redelivery
 *            recognized as a duplicate;
 *   claim    db_outbox_claim of due rows (two expire on the way);
 *   receipt  db_outbox_receipt for a one-part message, the last part of
 *            a two-part one and an undeliverable one.
 *
 * FAULT_STEP=inbox|claim|receipt runs one; FAULT_VERBOSE=1 prints each
 * failed step's code and every problem. FAULT_MALLOC_EVERY=k fails only
 * about every k-th allocation (a different one in each stretch of k):
 * the ASan build, several times slower, runs with k = 4 (Makefile).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <fcntl.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/base/clock.h"
#include "db/db.h"
#include "tests/support/faultvfs.h"
#include "tests/support/testutil.h"

#define NOW 1764000000
#define DEDUPE_S 600

/* A step: setup makes the state before; run is the durable step. */
struct step {
	const char *name;
	void (*setup)(struct db *db);
	enum sd_rc (*run)(struct db *db);
};

static char *dir;
static char tmpl[512], work[512], crash[512];

/* ---- The inbox batch (smsc/pipe_store.c store_batch + store_mo) -------- */

#define SRC_A "989121111111"
#define SRC_B "989122222222"
#define SRC_C "989123333333"
#define SC "3000"

static void
part_fill(struct db_inbox_part *p, const char *src, int ref, int seq)
{
	static uint8_t sm[8] = {5, 0, 3, 0, 3, 0, 'h', 'i'};

	memset(p, 0, sizeof(*p));
	snprintf(p->source, sizeof(p->source), "%s", src);
	snprintf(p->destination, sizeof(p->destination), "%s", SC);
	p->ref = ref;
	p->total = 3;
	p->esm_class = 0x40;
	p->data_coding = 8;
	sm[3] = (uint8_t)ref;
	sm[5] = (uint8_t)seq;
	p->sm = sm;
	p->len = sizeof(sm);
	p->received = NOW;
}

static void
inbox_setup(struct db *db)
{
	struct db_inbox_part p;
	int64_t id, reply;
	struct db_outbox_new m;

	assert_int_equal(db_begin(db), SD_OK);
	/* An MO answered earlier: its redelivery comes in the batch. */
	memset(&m, 0, sizeof(m));
	m.kind = CORE_OUT_REPLY;
	m.priority = 2;
	m.destination = SRC_C;
	m.body = "answer to C";
	m.ussd_session = -1;
	assert_int_equal(db_outbox_add(db, &m, &reply), SD_OK);
	assert_int_equal(db_inbox_add_handled(db, SRC_C, SC, "status 10001",
			     DB_INBOX_SMS, NULL, reply, &id),
	    SD_OK);
	/* Two parts of a three-part MO from A, held. */
	part_fill(&p, SRC_A, 7, 1);
	assert_int_equal(db_inbox_part_add(db, &p), SD_OK);
	part_fill(&p, SRC_A, 7, 2);
	assert_int_equal(db_inbox_part_add(db, &p), SD_OK);
	assert_int_equal(db_commit(db), SD_OK);
}

/* The handler's work (core_mo_handle): a reply queued in a savepoint. */
static enum sd_rc
inbox_handler(struct db *db, const char *to, const char *text,
    int64_t *reply)
{
	struct db_outbox_new m;
	enum sd_rc rc;

	rc = db_begin(db);
	if (rc != SD_OK)
		return rc;
	memset(&m, 0, sizeof(m));
	m.kind = CORE_OUT_REPLY;
	m.priority = 2;
	m.destination = to;
	m.body = text;
	m.ussd_session = -1;
	rc = db_outbox_add(db, &m, reply);
	if (rc != SD_OK) {
		db_rollback(db);
		return rc;
	}
	return db_commit(db);
}

/* One whole MO as store_mo stores it: dedupe, handler, inbox row. */
static enum sd_rc
inbox_mo(struct db *db, const char *src, const char *text)
{
	struct db_inbox_dup d;
	int64_t id = 0, reply = 0;
	enum sd_rc rc;

	rc = db_inbox_find_dup(db, src, text, NOW - DEDUPE_S, &d);
	if (rc == SD_OK)
		return db_inbox_add_dup(db, src, SC, text, DB_INBOX_SMS, d.id,
		    &id);
	if (rc != SD_ENOTFOUND)
		return rc;
	rc = inbox_handler(db, src, text, &reply);
	if (rc != SD_OK)
		return rc;
	return db_inbox_add_handled(db, src, SC, text, DB_INBOX_SMS, NULL,
	    reply, &id);
}

static enum sd_rc
inbox_run(struct db *db)
{
	struct db_inbox_part p;
	enum sd_rc rc;

	rc = db_begin(db);
	if (rc != SD_OK)
		return rc;
	/* A part of another long MO, held. */
	part_fill(&p, SRC_B, 9, 1);
	rc = db_inbox_part_add(db, &p);
	/* A's long MO whole: its held parts go with it. */
	if (rc == SD_OK)
		rc = db_inbox_parts_drop(db, SRC_A, SC, 7, 3);
	if (rc == SD_OK)
		rc = inbox_mo(db, SRC_A, "a long text made whole");
	if (rc == SD_OK)
		rc = inbox_mo(db, SRC_B, "new 2 a new request");
	if (rc == SD_OK)
		rc = inbox_mo(db, SRC_C, "status 10001");
	if (rc == SD_OK)
		rc = db_commit(db);
	if (rc != SD_OK)
		db_rollback(db);
	return rc;
}

/* ---- The outbox claim (store_batch) ------------------------------------ */

static void
queue(struct db *db, enum core_out_kind kind, int prio, int64_t expires,
    int64_t not_before, int64_t *id)
{
	struct db_outbox_new m;
	char body[64];

	snprintf(body, sizeof(body), "message kind=%d prio=%d code 123456",
	    (int)kind, prio);
	memset(&m, 0, sizeof(m));
	m.kind = kind;
	m.priority = prio;
	m.destination = SRC_A;
	m.body = body;
	m.expires = expires;
	m.not_before = not_before;
	m.receipt = true;
	m.ussd_session = -1;
	assert_int_equal(db_outbox_add(db, &m, id), SD_OK);
}

static void
claim_setup(struct db *db)
{
	int64_t id;
	int i;

	assert_int_equal(db_begin(db), SD_OK);
	for (i = 0; i < 12; i++)
		queue(db, (enum core_out_kind)(i % 3), i % 3, 0, 0, &id);
	queue(db, CORE_OUT_OTP, 0, NOW - 1, 0, &id);   /* expires on the way */
	queue(db, CORE_OUT_OTP, 0, NOW, 0, &id);       /* so does this */
	queue(db, CORE_OUT_ALERT, 1, 0, NOW + 60, &id); /* not yet due */
	assert_int_equal(db_commit(db), SD_OK);
}

static enum sd_rc
claim_run(struct db *db)
{
	struct db_outbox_row rows[8];
	size_t n = 0, expired = 0, i;
	enum sd_rc rc;

	rc = db_begin(db);
	if (rc != SD_OK)
		return rc;
	rc = db_outbox_claim(db, NOW, 0xf, 8, rows, &n, &expired);
	if (rc == SD_OK) {
		for (i = 0; i < n; i++)
			db_outbox_row_fini(&rows[i]);
		rc = db_commit(db);
	}
	if (rc != SD_OK)
		db_rollback(db);
	return rc;
}

/* ---- A receipt (store_op OP_RECEIPT) ----------------------------------- */

/* What a receipt says (enum core_out_state, schema 7) */
#define MS_DELIVERED CORE_OUT_DELIVERED
#define MS_UNDELIVERABLE CORE_OUT_UNDELIVERABLE

static void
receipt_setup(struct db *db)
{
	struct db_outbox_row rows[4];
	const char *b1[] = {"b1"};
	size_t n = 0, expired = 0, i;
	int64_t id, got;

	assert_int_equal(db_begin(db), SD_OK);
	for (i = 0; i < 4; i++)
		queue(db, CORE_OUT_ALERT, 1, 0, 0, &id);
	assert_int_equal(db_outbox_claim(db, NOW, 0xf, 4, rows, &n, &expired),
	    SD_OK);
	assert_int_equal(n, 4);
	for (i = 0; i < n; i++)
		db_outbox_row_fini(&rows[i]);
	assert_int_equal(db_commit(db), SD_OK);
	assert_int_equal(db_begin(db), SD_OK);
	assert_int_equal(db_outbox_accepted(db, 1, 1, 1, "a1", CORE_OUT_ROUTE_SMPP, true, true),
	    SD_OK);
	assert_int_equal(db_outbox_accepted(db, 2, 1, 2, "b1", CORE_OUT_ROUTE_SMPP, true,
			     false),
	    SD_OK);
	assert_int_equal(db_outbox_accepted(db, 2, 2, 2, "b2", CORE_OUT_ROUTE_SMPP, true, true),
	    SD_OK);
	assert_int_equal(db_outbox_accepted(db, 3, 1, 1, "c1", CORE_OUT_ROUTE_SMPP, true, true),
	    SD_OK);
	assert_int_equal(db_outbox_accepted(db, 4, 1, 1, "d1", CORE_OUT_ROUTE_SMPP, true, true),
	    SD_OK);
	/* Part 1 of the two-part message is delivered already. */
	assert_int_equal(db_outbox_receipt(db, b1, 1, MS_DELIVERED, "", &got),
	    SD_OK);
	assert_int_equal(got, 2);
	assert_int_equal(db_commit(db), SD_OK);
}

static enum sd_rc
receipt_run(struct db *db)
{
	/* Each id in the forms the pipeline tries (smsc/pipe_store.c id_forms). */
	const char *a1[] = {"a1", "A1"}, *b2[] = {"b2"}, *c1[] = {"c1"};
	int64_t id = 0;
	enum sd_rc rc;

	rc = db_begin(db);
	if (rc != SD_OK)
		return rc;
	rc = db_outbox_receipt(db, a1, 2, MS_DELIVERED, "", &id);
	if (rc == SD_OK)
		rc = db_outbox_receipt(db, b2, 1, MS_DELIVERED, "", &id);
	if (rc == SD_OK)
		rc = db_outbox_receipt(db, c1, 1, MS_UNDELIVERABLE,
		    "receipt err:1", &id);
	if (rc == SD_OK)
		rc = db_commit(db);
	if (rc != SD_OK)
		db_rollback(db);
	return rc;
}

static struct step steps[] = {
	{"inbox", inbox_setup, inbox_run},
	{"claim", claim_setup, claim_run},
	{"receipt", receipt_setup, receipt_run},
};

/* ---- Files, snapshots ---------------------------------------------------- */

static void
rm_db(const char *path)
{
	char f[600];

	unlink(path);
	snprintf(f, sizeof(f), "%s-wal", path);
	unlink(f);
	snprintf(f, sizeof(f), "%s-shm", path);
	unlink(f);
	snprintf(f, sizeof(f), "%s-journal", path);
	unlink(f);
}

/* cp from to; a missing from is no copy (returns false). */
static bool
copy_file(const char *from, const char *to)
{
	char buf[65536];
	FILE *in, *out;
	size_t n;
	int fd;

	in = fopen(from, "rb");
	if (in == NULL)
		return false;
	fd = open(to, O_WRONLY | O_CREAT | O_TRUNC, 0600); /* as db/ makes them */
	out = fd >= 0 ? fdopen(fd, "wb") : NULL;
	if (out == NULL)
		fail_msg("cannot write %s", to);
	while ((n = fread(buf, 1, sizeof(buf), in)) > 0)
		if (fwrite(buf, 1, n, out) != n)
			fail_msg("cannot write %s", to);
	fclose(in);
	if (fclose(out) != 0)
		fail_msg("cannot write %s", to);
	return true;
}

/* The database (and WAL) at from as they are on disk, copied to to. */
static void
copy_db(const char *from, const char *to)
{
	char f[600], t[600];

	rm_db(to);
	if (!copy_file(from, to))
		fail_msg("no database %s", from);
	snprintf(f, sizeof(f), "%s-wal", from);
	snprintf(t, sizeof(t), "%s-wal", to);
	(void)copy_file(f, t);
}

struct text {
	char *s;
	size_t len, cap;
};

static void
text_add(struct text *t, const char *fmt, ...)
{
	va_list ap;
	int n;

	for (;;) {
		va_start(ap, fmt);
		n = vsnprintf(t->s + t->len, t->cap - t->len, fmt, ap);
		va_end(ap);
		if (n < 0)
			abort();
		if ((size_t)n < t->cap - t->len)
			break;
		t->cap = t->cap * 2 + (size_t)n + 256;
		t->s = realloc(t->s, t->cap);
		if (t->s == NULL)
			abort();
	}
	t->len += (size_t)n;
}

/*
 * Open path (recovering its WAL, as a restart does) with the fault off,
 * check integrity and return every row of every table as text (the
 * caller frees it); NULL with *why set if integrity_check says other
 * than "ok".
 */
static char *
snapshot(const char *path, char why[256])
{
	sqlite3 *h = NULL;
	sqlite3_stmt *tabs = NULL, *st = NULL;
	struct text t = {0};
	const char *ic;
	int r, i;

	tf_disarm();
	if (sqlite3_open_v2(path, &h, SQLITE_OPEN_READWRITE, NULL) != SQLITE_OK)
		fail_msg("cannot open %s: %s", path, sqlite3_errmsg(h));
	r = sqlite3_prepare_v2(h, "PRAGMA integrity_check", -1, &st, NULL);
	assert_int_equal(r, SQLITE_OK);
	r = sqlite3_step(st);
	ic = r == SQLITE_ROW ? (const char *)sqlite3_column_text(st, 0) :
	    sqlite3_errmsg(h);
	if (r != SQLITE_ROW || strcmp(ic, "ok") != 0) {
		snprintf(why, 256, "integrity_check: %s", ic);
		sqlite3_finalize(st);
		sqlite3_close(h);
		return NULL;
	}
	sqlite3_finalize(st);
	/* Not the FTS5 table (schema 15): its tokenizer is registered by
	 * db_open only; its rows are in its shadow tables, read here. */
	r = sqlite3_prepare_v2(h, "SELECT name FROM sqlite_schema WHERE type ="
	    " 'table' AND sql NOT LIKE 'CREATE VIRTUAL TABLE%' ORDER BY name",
	    -1, &tabs, NULL);
	assert_int_equal(r, SQLITE_OK);
	text_add(&t, "%s", "");
	while (sqlite3_step(tabs) == SQLITE_ROW) {
		char sql[256];

		snprintf(sql, sizeof(sql), "SELECT * FROM \"%s\"",
		    (const char *)sqlite3_column_text(tabs, 0));
		r = sqlite3_prepare_v2(h, sql, -1, &st, NULL);
		assert_int_equal(r, SQLITE_OK);
		text_add(&t, "[%s]\n", (const char *)sqlite3_column_text(tabs,
		    0));
		while ((r = sqlite3_step(st)) == SQLITE_ROW) {
			for (i = 0; i < sqlite3_column_count(st); i++) {
				if (sqlite3_column_type(st, i) == SQLITE_BLOB)
					text_add(&t, "blob:%d|",
					    sqlite3_column_bytes(st, i));
				else
					text_add(&t, "%s|",
					    (const char *)
					    sqlite3_column_text(st, i));
			}
			text_add(&t, "\n");
		}
		assert_int_equal(r, SQLITE_DONE);
		sqlite3_finalize(st);
	}
	sqlite3_finalize(tabs);
	sqlite3_close(h);
	return t.s;
}

static struct db *
open_db(const char *path)
{
	struct db_config cfg;
	char err[SD_ERRLEN];
	struct db *db = NULL;

	tu_db_config(&cfg, path);
	if (db_open(&cfg, &db, err) != SD_OK)
		fail_msg("db_open %s: %s", path, err);
	return db;
}

/* ---- The loop -------------------------------------------------------- */

struct fault {
	unsigned ops;
	int code;
	bool persistent;
};

static const struct fault faults[] = {
	{TF_WRITE, SQLITE_IOERR, false}, {TF_WRITE, SQLITE_IOERR, true},
	{TF_WRITE, SQLITE_FULL, false}, {TF_WRITE, SQLITE_FULL, true},
	{TF_SYNC, SQLITE_IOERR, false}, {TF_SYNC, SQLITE_IOERR, true},
	{TF_SYNC, SQLITE_FULL, false}, {TF_SYNC, SQLITE_FULL, true},
	{TF_FILESIZE, SQLITE_IOERR, false}, {TF_FILESIZE, SQLITE_IOERR, true},
	{TF_FILESIZE, SQLITE_FULL, false}, {TF_FILESIZE, SQLITE_FULL, true},
	{TF_MALLOC, SQLITE_NOMEM, false}, {TF_MALLOC, SQLITE_NOMEM, true},
};

static int nbad;

static void SD_PRINTF(2, 3)
bad(const char *ctx, const char *fmt, ...)
{
	va_list ap;

	nbad++;
	if (nbad > (getenv("FAULT_VERBOSE") != NULL ? 1000000 : 30))
		return;
	fprintf(stderr, "FAIL %s: ", ctx);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

/* The first line where a and b differ, for a message. */
static void
first_diff(const char *a, const char *b, char out[256])
{
	const char *la = a, *lb = b;

	while (*a != '\0' && *a == *b) {
		if (*a == '\n') {
			la = a + 1;
			lb = b + 1;
		}
		a++;
		b++;
	}
	snprintf(out, 256, "got \"%.100s\" want \"%.100s\"", la, lb);
	for (char *p = out; *p != '\0'; p++)
		if (*p == '\n')
			*p = ' ';
}

static void
run_step(void **state)
{
	const struct step *s = *state;
	const char *only = getenv("FAULT_STEP");
	bool verbose = getenv("FAULT_VERBOSE") != NULL;
	char why[256], ctx[160];
	char *before, *after, *snap;
	struct db *db;
	enum sd_rc rc;
	const char *ev = getenv("FAULT_MALLOC_EVERY");
	long every = ev != NULL && atol(ev) > 1 ? atol(ev) : 1;
	size_t f;
	long n, k, runs = 0, failed = 0;

	if (only != NULL && strcmp(only, s->name) != 0)
		skip();
	/* The state before, as a template copied for each run. */
	rm_db(tmpl);
	db = open_db(tmpl);
	s->setup(db);
	db_close(db);
	before = snapshot(tmpl, why);
	assert_non_null(before);
	/* The state after, fault free. */
	copy_db(tmpl, work);
	db = open_db(work);
	assert_int_equal(s->run(db), SD_OK);
	db_close(db);
	after = snapshot(work, why);
	assert_non_null(after);
	assert_string_not_equal(before, after);
	nbad = 0;

	for (f = 0; f < sizeof(faults) / sizeof(faults[0]); f++) {
		const struct fault *ft = &faults[f];

		for (k = 0, n = 1; n < 100000; k++) {
			bool fired;

			/* Every N, or for allocations with FAULT_MALLOC_EVERY
			 * one in each stretch of every, turning. */
			n = ft->ops == TF_MALLOC ? k * every + k % every + 1 : k + 1;

			snprintf(ctx, sizeof(ctx), "%s %s %s %s n=%ld", s->name,
			    tf_op_name(ft->ops), ft->code == SQLITE_FULL ?
			    "FULL" : ft->code == SQLITE_IOERR ? "IOERR" :
			    "NOMEM", ft->persistent ? "persistent" :
			    "transient", n);
			copy_db(tmpl, work);
			db = open_db(work);
			tf_arm(ft->ops, n, ft->code, ft->persistent);
			rc = s->run(db);
			fired = tf_fired() > 0;
			tf_disarm();
			runs++;
			/* The crash view: what is on disk right now. */
			copy_db(work, crash);
			snap = snapshot(crash, why);
			if (snap == NULL) {
				bad(ctx, "crash view: %s", why);
			} else if (strcmp(snap, after) != 0 &&
			    (rc == SD_OK || strcmp(snap, before) != 0)) {
				first_diff(snap, rc == SD_OK ? after : before,
				    why);
				bad(ctx, "crash view: rc=%s and the state is %s"
				    " (%s)", sd_rc_str(rc), rc == SD_OK ?
				    "not the state after" : "neither before "
				    "nor after", why);
			}
			free(snap);
			if (rc != SD_OK) {
				failed++;
				if (verbose)
					fprintf(stderr, "%s: rc=%s\n", ctx,
					    sd_rc_str(rc));
				if (!sd_rc_is_temp(rc))
					bad(ctx, "failed with a permanent "
					    "error rc=%s (%s)", sd_rc_str(rc),
					    db_errmsg(db));
				/* The caller retries; the fault is gone. */
				rc = s->run(db);
				if (rc != SD_OK)
					bad(ctx, "the retry failed rc=%s (%s)",
					    sd_rc_str(rc), db_errmsg(db));
			}
			db_close(db);
			/* The restart view. */
			snap = snapshot(work, why);
			if (snap == NULL) {
				bad(ctx, "after restart: %s", why);
			} else if (strcmp(snap, after) != 0) {
				first_diff(snap, after, why);
				bad(ctx, "after restart: not the state after "
				    "(%s)", why);
			}
			free(snap);
			if (!fired)
				break;
		}
		printf("%s: %s %s %s: faults N=1..%ld%s\n", s->name,
		    tf_op_name(ft->ops), ft->code == SQLITE_FULL ? "FULL" :
		    ft->code == SQLITE_IOERR ? "IOERR" : "NOMEM",
		    ft->persistent ? "persistent" : "transient", n - 1,
		    ft->ops == TF_MALLOC && every > 1 ? " (a sample)" : "");
	}
	printf("%s: %ld runs, %ld steps failed and were retried, %d "
	    "problems\n", s->name, runs, failed, nbad);
	free(before);
	free(after);
	assert_int_equal(nbad, 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_prestate(run_step, &steps[0]),
		cmocka_unit_test_prestate(run_step, &steps[1]),
		cmocka_unit_test_prestate(run_step, &steps[2]),
	};
	int r;

	tf_install(); /* before anything else touches SQLite */
	sd_clock_set_fixed(NOW);
	/* Thousands of fresh databases: in memory if there is a tmpfs
	 * (fsync costs there nothing; the crash view copies what the
	 * kernel holds either way). */
	if (getenv("TMPDIR") == NULL && access("/dev/shm", W_OK) == 0)
		setenv("TMPDIR", "/dev/shm", 1);
	dir = tu_tmpdir();
	snprintf(tmpl, sizeof(tmpl), "%s/template.db", dir);
	snprintf(work, sizeof(work), "%s/work.db", dir);
	snprintf(crash, sizeof(crash), "%s/crash.db", dir);
	r = cmocka_run_group_tests(tests, NULL, NULL);
	tu_rmtree(dir);
	free(dir);
	return r;
}
