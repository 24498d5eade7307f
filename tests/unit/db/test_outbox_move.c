/*
 * tests/unit/db/test_outbox_move.c: the outbox's transition table (issue
 * #10). db_outbox_move_ok() is held against the table below, written out
 * by hand from the life of a message; every pair of states is then tried
 * on a real row through db_outbox_move(): an allowed move changes the
 * state, counts it (outbox_counts equal to the rows) and masks an OTP's
 * code where the new state says so; a refused one changes nothing. The
 * two set-based updates (the claim's expiry, the restart requeue) make
 * moves of the table. A move is logged "outbox: id=N from -> to".
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/base/clock.h"
#include "core/base/log.h"
#include "core/core.h"
#include "db/db_int.h"
#include "tests/support/testutil.h"

#define NOW 1764000000

#define Q CORE_OUT_QUEUED
#define S CORE_OUT_SUBMITTED
#define A CORE_OUT_ACCEPTED
#define D CORE_OUT_DELIVERED
#define U CORE_OUT_UNDELIVERABLE
#define E CORE_OUT_EXPIRED
#define F CORE_OUT_FAILED

/* allowed[from][to]: the moves a message may make. */
static const bool allowed[CORE_OUT_STATE_COUNT][CORE_OUT_STATE_COUNT] = {
	/*          Q  S  A  D  U  E  F */
	[Q] = {0, 1, 1, 0, 0, 1, 1}, /* claim, late answer, too late, refused */
	[S] = {1, 0, 1, 1, 1, 1, 1}, /* retry later / restart, answers */
	[A] = {1, 0, 0, 1, 1, 1, 0}, /* operator's retry, receipts */
	[D] = {1, 0, 0, 0, 0, 0, 0}, /* final: the operator's retry only */
	[U] = {1, 0, 0, 0, 0, 0, 0},
	[E] = {1, 0, 0, 0, 0, 0, 0},
	[F] = {1, 0, 0, 0, 0, 0, 0},
};

/* A path from queued to each state, through allowed moves. */
static const int route_to[CORE_OUT_STATE_COUNT][4] = {
	[Q] = {-1},
	[S] = {S, -1},
	[A] = {S, A, -1},
	[D] = {S, A, D, -1},
	[U] = {S, U, -1},
	[E] = {E, -1},
	[F] = {S, F, -1},
};

static int
setup(void **state)
{
	sd_clock_set_fixed(NOW);
	*state = tu_db_open(":memory:");
	return 0;
}

static int
teardown(void **state)
{
	db_close(*state);
	sd_clock_set_fixed(0);
	return 0;
}

static int64_t
queue(struct db *db, enum core_out_kind kind)
{
	struct core_out m;
	int64_t id = 0;

	memset(&m, 0, sizeof(m));
	m.kind = kind;
	m.dest = "+989131111111";
	m.text = kind == CORE_OUT_OTP ? "کد ورود: 493817" : "پیام";
	assert_int_equal(core_out_queue(db, &m, &id), SD_OK);
	return id;
}

static int
state_of(struct db *db, int64_t id, char **body)
{
	struct db_outbox_row r;
	int s;

	assert_int_equal(db_outbox_get(db, id, &r, NULL), SD_OK);
	s = (int)r.state;
	if (body != NULL)
		*body = strdup(r.body);
	db_outbox_row_fini(&r);
	return s;
}

/* outbox_counts equal to the rows. */
static void
counts_match(struct db *db)
{
	int64_t want[CORE_OUT_KIND_COUNT][CORE_OUT_STATE_COUNT];
	struct db_outbox_counts c;
	sqlite3_stmt *st;
	int k, s;

	memset(want, 0, sizeof(want));
	assert_int_equal(sqlite3_prepare_v2(db->h, "SELECT kind, state,"
			     " count(*) FROM outbox GROUP BY kind, state",
			     -1, &st, NULL),
	    SQLITE_OK);
	while (sqlite3_step(st) == SQLITE_ROW)
		want[sqlite3_column_int(st, 0)][sqlite3_column_int(st, 1)] =
		    sqlite3_column_int64(st, 2);
	sqlite3_finalize(st);
	assert_int_equal(db_outbox_counts(db, &c), SD_OK);
	for (k = 0; k < CORE_OUT_KIND_COUNT; k++)
		for (s = 0; s < CORE_OUT_STATE_COUNT; s++)
			if (c.n[k][s] != want[k][s])
				fail_msg("kind %d state %d: counted %lld, rows "
					 "%lld",
				    k, s, (long long)c.n[k][s],
				    (long long)want[k][s]);
}

/* The table, pair by pair; out of range is refused. */
static void
test_table(void **state)
{
	int f, t;

	(void)state;
	for (f = 0; f < CORE_OUT_STATE_COUNT; f++)
		for (t = 0; t < CORE_OUT_STATE_COUNT; t++)
			if (db_outbox_move_ok((enum core_out_state)f,
				(enum core_out_state)t) != allowed[f][t])
				fail_msg("%s -> %s: table says %d, want %d",
				    core_out_state_name((enum core_out_state)f),
				    core_out_state_name((enum core_out_state)t),
				    !allowed[f][t], allowed[f][t]);
	assert_false(db_outbox_move_ok((enum core_out_state)CORE_OUT_STATE_COUNT,
	    Q));
	assert_false(db_outbox_move_ok(Q,
	    (enum core_out_state)CORE_OUT_STATE_COUNT));
	assert_false(db_outbox_move_ok((enum core_out_state)-1, S));
	/* The set-based moves of db_outbox_claim() (expiry) and
	 * db_outbox_requeue_submitted() are moves of the table. */
	assert_true(db_outbox_move_ok(Q, E));
	assert_true(db_outbox_move_ok(S, Q));
}

/* Every pair on a real row of each kind: an allowed move is made and
 * counted, a refused one (SD_ESTATE) changes nothing; the mask of the
 * caller is obeyed; an OTP's code is gone from accepted on. */
static void
test_every_pair_on_a_row(void **state)
{
	struct db *db = *state;
	const unsigned all = (1u << CORE_OUT_STATE_COUNT) - 1;
	int k, f, t, i, moved = 0, refused = 0;
	char *body;
	int64_t id;

	for (k = 0; k < CORE_OUT_KIND_COUNT; k++)
		for (f = 0; f < CORE_OUT_STATE_COUNT; f++)
			for (t = 0; t < CORE_OUT_STATE_COUNT; t++) {
				enum sd_rc rc;

				id = queue(db, (enum core_out_kind)k);
				for (i = 0; route_to[f][i] >= 0; i++)
					assert_int_equal(db_outbox_move(db, id,
							     all,
							     (enum core_out_state)
							     route_to[f][i],
							     "path"),
					    SD_OK);
				assert_int_equal(state_of(db, id, NULL), f);
				/* Not in the caller's mask: refused. */
				assert_int_equal(db_outbox_move(db, id,
						     all & ~DB_OUT_BIT(f),
						     (enum core_out_state)t,
						     "masked"),
				    SD_ESTATE);
				rc = db_outbox_move(db, id, all,
				    (enum core_out_state)t, "try");
				assert_int_equal(rc, allowed[f][t] ? SD_OK :
							      SD_ESTATE);
				assert_int_equal(state_of(db, id, &body),
				    allowed[f][t] ? t : f);
				/* Masked once it reached accepted or a final
				 * state, and for good. */
				if (k == CORE_OUT_OTP)
					assert_int_equal(
					    strstr(body, "493817") == NULL,
					    f >= A || state_of(db, id, NULL) >= A);
				free(body);
				counts_match(db);
				if (allowed[f][t])
					moved++;
				else
					refused++;
			}
	assert_int_equal(db_outbox_move(db, 9999, all, S, NULL),
	    SD_ENOTFOUND);
	print_message("moves made %d, refused %d\n", moved, refused);
	assert_int_equal(moved, CORE_OUT_KIND_COUNT * 18);
}

/* A move made in a batch that rolls back leaves neither the state nor
 * the count. */
static void
test_move_rolled_back(void **state)
{
	struct db *db = *state;
	int64_t id = queue(db, CORE_OUT_ALERT);

	assert_int_equal(db_begin(db), SD_OK);
	assert_int_equal(db_outbox_move(db, id, DB_OUT_BIT(Q), S, NULL),
	    SD_OK);
	db_rollback(db);
	assert_int_equal(state_of(db, id, NULL), Q);
	counts_match(db);
}

/* "outbox: id=N queued -> submitted", and a final move with its
 * reason at info. */
static void
test_move_logged(void **state)
{
	struct db *db = *state;
	char path[] = "/tmp/test_outbox_move.XXXXXX", buf[4096], want[128];
	int64_t id = queue(db, CORE_OUT_REPLY);
	int fd = mkstemp(path), saved = dup(2);
	ssize_t n;

	assert_true(fd >= 0 && saved >= 0);
	log_set_level(LOG_LVL_DEBUG);
	assert_int_equal(dup2(fd, 2), 2);
	assert_int_equal(db_outbox_move(db, id, DB_OUT_BIT(Q), S, NULL),
	    SD_OK);
	assert_int_equal(db_outbox_move(db, id, DB_OUT_BIT(S), F,
			     "ESME_RINVDSTADR"),
	    SD_OK);
	assert_int_equal(db_outbox_move(db, id, DB_OUT_BIT(F), D, NULL),
	    SD_ESTATE);
	assert_int_equal(dup2(saved, 2), 2);
	log_set_level(LOG_LVL_INFO);
	close(saved);
	n = pread(fd, buf, sizeof(buf) - 1, 0);
	close(fd);
	unlink(path);
	assert_true(n > 0);
	buf[n] = '\0';
	snprintf(want, sizeof(want), "debug outbox: id=%lld queued -> "
	    "submitted\n", (long long)id);
	assert_non_null(strstr(buf, want));
	snprintf(want, sizeof(want), "info outbox: id=%lld submitted -> "
	    "failed reason=\"ESME_RINVDSTADR\"\n", (long long)id);
	assert_non_null(strstr(buf, want));
	snprintf(want, sizeof(want), "outbox: id=%lld failed -> delivered "
	    "refused", (long long)id);
	assert_non_null(strstr(buf, want));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_table),
		cmocka_unit_test_setup_teardown(test_every_pair_on_a_row,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_move_rolled_back, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_move_logged, setup,
		    teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
