/*
 * tests/unit/smsc/test_pipe.c: the pipeline's MO handler on MOs a
 * previous run stored but did not handle (smsc_pipe_new at start-up),
 * which must follow the same rules as a fresh MO's (store_mo):
 *
 *   - the handler runs in a savepoint: whatever it wrote before it
 *     failed is not committed;
 *   - a temporary error (sd_rc_is_temp) leaves the MO unhandled: it is
 *     handled again later and answered once;
 *   - a permanent error marks it handled with no answer.
 *
 * The pipeline runs with SMPP and HTTP off; its store thread retries.
 * The database is checked through a second connection (plain sqlite3).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <sqlite3.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/base/clock.h"
#include "core/base/conf.h"
#include "core/base/loop.h"
#include "db/db.h"
#include "smsc/smsc.h"
#include "tests/support/testutil.h"

#define SRC "989121111111"
#define SC "3000"

/* What the handler does on its n-th call (from 1). */
struct script {
	enum sd_rc fail_rc;   /* returned by the calls up to fail_calls */
	int fail_calls;
	atomic_int calls;
};

/* The domain's handler: queue an answer, then maybe fail (its write is
 * then a partial one that must not stay). */
static enum sd_rc
handler(void *arg, struct db *db, const struct smsc_pipe_mo *mo,
    int64_t *reply, char *why)
{
	struct script *s = arg;
	struct db_outbox_new m;
	int n = atomic_fetch_add(&s->calls, 1) + 1;
	char body[64];
	enum sd_rc rc;

	(void)why;
	snprintf(body, sizeof(body), "answer %d", n);
	memset(&m, 0, sizeof(m));
	m.kind = CORE_OUT_REPLY;
	m.priority = 1;
	m.destination = mo->from;
	m.body = body;
	m.ussd_session = -1;
	rc = db_outbox_add(db, &m, reply);
	if (rc != SD_OK)
		return rc;
	return n <= s->fail_calls ? s->fail_rc : SD_OK;
}

struct fx {
	char *dir;
	char path[512];
	struct db_config dbcfg;
	struct smsc_pipe_config qcfg;
	struct smsc_config smpp;
	struct smsc_http_config http;
	struct sd_loop *loop;
};

static int
fx_setup(void **state)
{
	struct fx *f = calloc(1, sizeof(*f));
	struct sd_conf_section q = {"queue", smsc_pipe_config_keys, &f->qcfg};
	struct sd_conf_section s = {"smpp", smsc_config_keys, &f->smpp};
	struct sd_conf_section h = {"http_sms", smsc_http_config_keys,
		&f->http};
	char err[SD_ERRLEN];
	struct db *db;
	int64_t id;

	assert_non_null(f);
	f->dir = tu_tmpdir();
	snprintf(f->path, sizeof(f->path), "%s/pipe.db", f->dir);
	tu_db_config(&f->dbcfg, f->path);
	sd_conf_defaults(&q);
	sd_conf_defaults(&s);
	sd_conf_defaults(&h);
	assert_int_equal(sd_conf_set(&s, "enabled", "no", err), SD_OK);
	/* An MO a previous run stored and did not handle. */
	db = tu_db_open(f->path);
	assert_int_equal(db_inbox_add(db, SRC, SC, "status 10001",
			     DB_INBOX_SMS, NULL, &id),
	    SD_OK);
	db_close(db);
	f->loop = sd_loop_new();
	*state = f;
	return 0;
}

static int
fx_teardown(void **state)
{
	struct fx *f = *state;

	sd_loop_free(f->loop);
	tu_rmtree(f->dir);
	free(f->dir);
	free(f);
	return 0;
}

/* One integer from sql on a second connection. */
static long long
q_int(const char *path, const char *sql)
{
	sqlite3 *h = NULL;
	sqlite3_stmt *st = NULL;
	long long v = -1;

	assert_int_equal(sqlite3_open_v2(path, &h, SQLITE_OPEN_READONLY, NULL),
	    SQLITE_OK);
	sqlite3_busy_timeout(h, 5000);
	assert_int_equal(sqlite3_prepare_v2(h, sql, -1, &st, NULL), SQLITE_OK);
	if (sqlite3_step(st) == SQLITE_ROW)
		v = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	sqlite3_close(h);
	return v;
}

/* Wait (at most 5 s) until the stored MO is handled. */
static bool
wait_handled(const char *path)
{
	struct timespec ts = {0, 20 * 1000000L};
	int i;

	for (i = 0; i < 250; i++) {
		if (q_int(path, "SELECT count(*) FROM inbox WHERE state = 0") ==
		    0)
			return true;
		nanosleep(&ts, NULL);
	}
	return false;
}

static struct smsc_pipe *
pipe_start(struct fx *f, struct script *s)
{
	struct smsc_pipe_hooks hooks = {s, handler, NULL};
	struct smsc_pipe *p = NULL;
	char err[SD_ERRLEN];

	if (smsc_pipe_new(&f->qcfg, &f->dbcfg, &f->smpp, &f->http, f->loop,
		&hooks, &p, err) != SD_OK)
		fail_msg("smsc_pipe_new: %s", err);
	return p;
}

/* A temporary failure at start-up: the MO stays unhandled, nothing the
 * handler wrote is kept; it is handled again and answered once. */
static void
test_stored_temporary(void **state)
{
	struct fx *f = *state;
	struct script s = {SD_EBUSY, 1, 0};
	struct smsc_pipe *p = pipe_start(f, &s);

	assert_true(wait_handled(f->path));
	smsc_pipe_free(p);
	/* Called again after the temporary failure... */
	assert_int_equal(atomic_load(&s.calls), 2);
	/* ...and answered once, by the second call's reply. */
	assert_int_equal(q_int(f->path, "SELECT count(*) FROM outbox"), 1);
	assert_int_equal(q_int(f->path, "SELECT count(*) FROM outbox WHERE "
			     "body = 'answer 2'"),
	    1);
	assert_int_equal(q_int(f->path, "SELECT count(*) FROM inbox i JOIN "
			     "outbox o ON o.id = i.reply_id WHERE o.body = "
			     "'answer 2'"),
	    1);
}

/* A permanent failure: handled with no answer, its partial write gone. */
static void
test_stored_permanent(void **state)
{
	struct fx *f = *state;
	struct script s = {SD_EINVAL, 100, 0};
	struct smsc_pipe *p = pipe_start(f, &s);

	/* Handled at once, before smsc_pipe_new returns. */
	assert_int_equal(q_int(f->path, "SELECT count(*) FROM inbox WHERE "
			     "state = 0"),
	    0);
	smsc_pipe_free(p);
	assert_int_equal(atomic_load(&s.calls), 1);
	assert_int_equal(q_int(f->path, "SELECT count(*) FROM outbox"), 0);
	assert_int_equal(q_int(f->path, "SELECT count(*) FROM inbox WHERE "
			     "reply_id IS NULL"),
	    1);
}

/* A handler that succeeds: answered once, at start-up. */
static void
test_stored_ok(void **state)
{
	struct fx *f = *state;
	struct script s = {SD_OK, 0, 0};
	struct smsc_pipe *p = pipe_start(f, &s);

	assert_int_equal(q_int(f->path, "SELECT count(*) FROM inbox WHERE "
			     "state = 0"),
	    0);
	smsc_pipe_free(p);
	assert_int_equal(atomic_load(&s.calls), 1);
	assert_int_equal(q_int(f->path, "SELECT count(*) FROM inbox i JOIN "
			     "outbox o ON o.id = i.reply_id WHERE o.body = "
			     "'answer 1'"),
	    1);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_stored_ok, fx_setup,
		    fx_teardown),
		cmocka_unit_test_setup_teardown(test_stored_permanent,
		    fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_stored_temporary,
		    fx_setup, fx_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
