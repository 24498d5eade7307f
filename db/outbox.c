/*
 * db/outbox.c: the outbox. A message is queued in the same transaction as
 * the change that causes it; the dispatcher claims due rows (most urgent
 * first), records what the SMSC answered and what the receipts say.
 *
 * States (core_out_state): queued -> submitted (claimed) -> accepted ->
 * delivered | undeliverable | expired, or failed; a temporary failure puts
 * a row back to queued with a later not_before. A crash leaves rows
 * submitted: they are queued again at the next start (at-least-once).
 * The moves allowed are one table, move_rules below, with what each
 * target state implies (an attempt, the OTP mask, the HTTP secret void);
 * every single-row change of state is move_row() (db_outbox_move()),
 * which checks the table, guards the UPDATE with the state it read,
 * counts and logs the move ("outbox: id=7 queued -> submitted"). Two
 * set-based updates (the claim's expiry, the restart requeue) make moves
 * of the table without it: test_outbox_move checks that they are in it.
 *
 * An OTP's text is needed until the SMSC has it: from accepted on, and in
 * every final state, its digits are masked (SCRUB below). With
 * secure_delete (db/db.c) the old cell is zeroed, so after a checkpoint
 * the code is in neither the database file nor the WAL.
 *
 * Counts (schema 6): outbox_counts holds the rows of each kind in each
 * state, for /metrics and 'smsdesk queue' without a scan. Every statement
 * here that inserts a row or changes its kind or state records the move
 * with count_move() (knowing the row's kind and old state: read with it,
 * or RETURNING for the rare many-row updates); the moves of a transaction
 * are written to outbox_counts just before its COMMIT (db_commit) and
 * dropped with its rollback, so the counts stay equal to the rows at
 * every commit, for every connection. A function called outside a
 * transaction opens its own. Nothing else writes outbox.state.
 *
 * The oldest waiting (queued or submitted) row: the cell (-1, -1) of
 * outbox_counts ("waiting from"; there, a commit dirties one page more,
 * not two) holds an id below which no row waits. A row that waits again
 * below it (the operator's retry, a failure after acceptance) lowers it
 * at commit; a commit in which rows stopped waiting moves it up to the
 * first waiting row, reading WAITING_STEP rows at most (the next commit
 * goes on). /metrics finds the oldest waiting row there or a few rows on.
 * (An index of the waiting rows did the same for 15% more CPU in the
 * outbox drain.) Ids grow with created: the lowest waiting id is the
 * oldest.
 */
#include "db/db.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/base/buf.h"
#include "core/base/clock.h"
#include "core/base/log.h"
#include "core/base/xmalloc.h"
#include "db/db_int.h"

#define COLS                                                                   \
	"id, kind, priority, destination, body, coalesce(tracking, 0),"        \
	" not_before, expires, attempts, state, coalesce(smsc_id, ''),"        \
	" coalesce(reason, ''), created, created_ms, updated, parts, route,"   \
	" receipt, ussd_session, ussd_end"

/* An OTP's text (kind 0) holds its code: a row that reaches accepted or
 * a final state keeps it with the digits masked (sd_scrub(), db/db.c),
 * never in clear (issue #9). */
#define SCRUB                                                                  \
	"body = CASE WHEN kind = 0 THEN sd_scrub(body) ELSE body END"          \
	", dlr_token = NULL"

/* States as SQL literals, where a partial index (outbox_queued,
 * outbox_expiry: WHERE state = 0) needs a constant to be used. */
#define S_QUEUED "0"
#define S_SUBMITTED "1"
_Static_assert(CORE_OUT_QUEUED == 0 && CORE_OUT_SUBMITTED == 1,
    "S_QUEUED and S_SUBMITTED name the enum's values");
/* outbox.kind of an OTP, in SCRUB. */
_Static_assert(CORE_OUT_OTP == 0, "SCRUB names the OTP kind");

static const char sql_add
    [] = "INSERT INTO outbox (kind, priority, destination, body, tracking,"
	 " not_before, expires, receipt, ussd_session, ussd_end, state,"
	 " created, created_ms, updated) VALUES (?1, ?2, ?3, ?4, nullif(?5, 0),"
	 " ?6, ?7, ?8, ?9, ?12, " S_QUEUED ", ?10, ?11, ?10)";
/* Claim: read the due rows, most urgent first, then move each to
 * submitted. (One UPDATE ... RETURNING did both, but SQLite buffers
 * RETURNING rows in a temporary table: 12 us a row against 2 for the two
 * statements, the largest single cost of an MO round trip.) The caller
 * holds the write transaction, so nothing else claims in between; the
 * move checks the state all the same. */
static const char sql_claim_select
    [] = "SELECT " COLS " FROM outbox WHERE state = " S_QUEUED
	 " AND not_before <= ?1 AND (expires = 0 OR expires > ?1)"
	 " AND ((?3 >> kind) & 1) = 1"
	 " ORDER BY priority, not_before, id LIMIT ?2";
/* The one statement that moves a row (move_row()): guarded by the state
 * read before, with what the target state implies as flags ?6.. from
 * move_rules. ?5 NULL keeps the reason, ?9 NULL the not_before. */
static const char
    sql_move[] = "UPDATE outbox SET state = ?3, updated = ?4,"
		 " reason = coalesce(?5, reason), attempts = attempts + ?6,"
		 " body = CASE WHEN ?7 THEN sd_scrub(body) ELSE body END,"
		 " dlr_token = CASE WHEN ?8 THEN NULL ELSE dlr_token END,"
		 " not_before = coalesce(?9, not_before)"
		 " WHERE id = ?1 AND state = ?2";
/* The rows due to expire, by kind (through outbox_expiry: usually none,
 * read before the update so that a claim needs no RETURNING table). */
static const char sql_expire_due_kinds[] = "SELECT kind, count(*) FROM outbox"
					   " WHERE state = " S_QUEUED
					   " AND expires != 0 AND expires <= ?1"
					   " GROUP BY kind";
/* queued -> expired for every row due (a move of move_rules). */
static const char
    sql_expire_due[] = "UPDATE outbox SET state = ?2,"
		       " reason = 'expired before it could be sent', " SCRUB
		       ", updated = ?1"
		       " WHERE state = " S_QUEUED
		       " AND expires != 0 AND expires <= ?1";
/* submitted -> queued for every row (a move of move_rules). */
static const char sql_requeue[] = "UPDATE outbox SET state = " S_QUEUED
				  ", updated = ?1"
				  " WHERE state = " S_SUBMITTED
				  " RETURNING kind";
/* What the SMSC answered for part 1 (its id) or part n; the state moves
 * apart (move_row()) once every part is accepted. */
static const char sql_accepted1
    [] = "UPDATE outbox SET smsc_id = ?2, parts = max(parts, ?3), route = ?4,"
	 " updated = ?5, receipt = ?6 WHERE id = ?1";
static const char sql_acceptedn
    [] = "UPDATE outbox SET parts = max(parts, ?2), route = ?3, updated = ?4"
	 " WHERE id = ?1";
/* A part accepted: at the SMSC, no receipt yet (state accepted). */
static const char sql_part_add
    [] = "INSERT INTO outbox_parts (outbox_id, part, smsc_id, state)"
	 " VALUES (?1, ?2, ?3, ?4) ON CONFLICT (outbox_id, part)"
	 " DO UPDATE SET smsc_id = excluded.smsc_id";
static const char
    sql_attempts[] = "SELECT attempts, state, kind FROM outbox WHERE id = ?1";
static const char
    sql_kind_state[] = "SELECT kind, state FROM outbox WHERE id = ?1";
static const char sql_by_smsc_id[] = "SELECT id, parts, state, kind FROM outbox"
				     " WHERE smsc_id = ?1 AND receipt = 1"
				     " ORDER BY id DESC LIMIT 1";
static const char sql_part_by_smsc_id
    [] = "SELECT outbox_id, part FROM outbox_parts WHERE smsc_id = ?1"
	 " ORDER BY outbox_id DESC LIMIT 1";
static const char
    sql_p1_state[] = "UPDATE outbox SET p1_state = ?2 WHERE id = ?1";
static const char sql_part_state[] =
    "UPDATE outbox_parts SET state = ?3 WHERE outbox_id = ?1 AND part = ?2";
/* A row's parts: how many are delivered (?2), the worst final state of
 * one (?3 undeliverable, ?4 expired: the larger, expired, wins). */
_Static_assert(CORE_OUT_EXPIRED > CORE_OUT_UNDELIVERABLE,
    "sql_part_states: max() finds expired before undeliverable");
static const char sql_part_states
    [] = "SELECT o.parts, o.p1_state, o.state,"
	 " (SELECT count(*) FROM outbox_parts p WHERE p.outbox_id = o.id"
	 "  AND p.state = ?2),"
	 " (SELECT max(p.state) FROM outbox_parts p WHERE p.outbox_id = o.id"
	 "  AND p.state IN (?3, ?4)), o.kind"
	 " FROM outbox o WHERE o.id = ?1";
static const char sql_http_token
    [] = "UPDATE outbox SET route = ?4, dlr_token = ?2, updated = ?3"
	 " WHERE id = ?1 AND state = ?5";
static const char sql_http_row
    [] = "SELECT route, state, coalesce(dlr_token, ''), kind FROM outbox"
	 " WHERE id = ?1";
/* The operator's retry forgets the last sending (then moves the row). */
static const char
    sql_retry[] = "UPDATE outbox SET smsc_id = NULL, parts = 0, p1_state = 0"
		  " WHERE id = ?1";
static const char
    sql_parts_del[] = "DELETE FROM outbox_parts WHERE outbox_id = ?1";
static const char sql_get[] = "SELECT " COLS " FROM outbox WHERE id = ?1";
static const char sql_parts_list
    [] = "SELECT part, smsc_id, state FROM outbox_parts WHERE outbox_id = ?1"
	 " ORDER BY part";
/* Both read a few rows whatever the size of the outbox: the counts from
 * outbox_counts, the oldest from the first waiting row at or after its
 * "waiting from" cell. */
static const char sql_counts[] = "SELECT kind, state, n FROM outbox_counts";
static const char sql_counts_add
    [] = "UPDATE outbox_counts SET n = n + ?3 WHERE kind = ?1 AND state = ?2";
static const char sql_counts_new
    [] = "INSERT INTO outbox_counts (kind, state, n) VALUES (?1, ?2, ?3)";
static const char
    sql_oldest[] = "SELECT created FROM outbox WHERE id >= coalesce((SELECT n"
		   " FROM outbox_counts WHERE kind = -1 AND state = -1), 0)"
		   " AND state IN (" S_QUEUED ", " S_SUBMITTED
		   ") ORDER BY id LIMIT 1";
static const char sql_waiting_get
    [] = "SELECT n FROM outbox_counts WHERE kind = -1 AND state = -1";
static const char sql_waiting_set
    [] = "INSERT INTO outbox_counts (kind, state, n) VALUES (-1, -1, ?1)"
	 " ON CONFLICT (kind, state) DO UPDATE SET n = excluded.n";
static const char sql_waiting_scan[] = "SELECT id, state IN (" S_QUEUED
				       ", " S_SUBMITTED ") FROM outbox"
				       " WHERE id >= ?1 ORDER BY id LIMIT ?2";
/* Rows a commit reads at most to move "waiting from" up. */
#define WAITING_STEP 2000
static const char sql_data_version[] = "PRAGMA data_version";

/* ---- Counts ------------------------------------------------------------- */

/* A row of kind moved from state from (-1: a new row) to state to (-1:
 * gone) in the open transaction. */
static void
count_move(struct db *db, int kind, int from, int to)
{
	bool was = from == CORE_OUT_QUEUED || from == CORE_OUT_SUBMITTED;
	bool is = to == CORE_OUT_QUEUED || to == CORE_OUT_SUBMITTED;

	if (was && !is)
		db->counts.left = true;
	if (from == to || kind < 0 || kind >= CORE_OUT_KIND_COUNT)
		return;
	if (from >= 0 && from < CORE_OUT_STATE_COUNT)
		db->counts.d[kind][from]--;
	if (to >= 0 && to < CORE_OUT_STATE_COUNT)
		db->counts.d[kind][to]++;
	db->counts.any = true;
}

/* Row id started waiting (a new row, or the operator's retry). */
static void
waiting_enter(struct db *db, int64_t id)
{
	if (db->counts.entered == 0 || id < db->counts.entered)
		db->counts.entered = id;
}

/* Write the transaction's changes to "waiting from". */
static enum sd_rc
waiting_flush(struct db *db)
{
	sqlite3_stmt *st;
	int64_t from = 0, to, id = 0;
	enum sd_rc rc;
	int r, n = 0;
	bool found = false, have;

	st = db_stmt(db, sql_waiting_get);
	if (st == NULL)
		return db_stmt_rc(db);
	r = sqlite3_step(st);
	have = r == SQLITE_ROW;
	if (have)
		from = sqlite3_column_int64(st, 0);
	sqlite3_reset(st);
	/* No cell (a recount by hand dropped it): from 0, always right. */
	if (!have && r != SQLITE_DONE)
		return db_rc(sqlite3_extended_errcode(db->h));
	to = from;
	if (db->counts.entered != 0 && db->counts.entered < to)
		to = db->counts.entered;
	if (db->counts.left) {
		/* Up to the first waiting row, reading WAITING_STEP rows at
		 * most; past the last row when none waits. */
		st = db_stmt(db, sql_waiting_scan);
		if (st == NULL)
			return db_stmt_rc(db);
		sqlite3_bind_int64(st, 1, to);
		sqlite3_bind_int(st, 2, WAITING_STEP);
		while ((r = sqlite3_step(st)) == SQLITE_ROW) {
			id = sqlite3_column_int64(st, 0);
			n++;
			if (sqlite3_column_int(st, 1) != 0) {
				found = true;
				break;
			}
		}
		sqlite3_reset(st);
		if (r != SQLITE_ROW && r != SQLITE_DONE)
			return db_rc(sqlite3_extended_errcode(db->h));
		if (found)
			to = id;
		else if (n > 0)
			to = id + 1;
	}
	if (to != from || !have) {
		st = db_stmt(db, sql_waiting_set);
		if (st == NULL)
			return db_stmt_rc(db);
		sqlite3_bind_int64(st, 1, to);
		rc = db_step_done(db, st);
		if (rc != SD_OK)
			return rc;
	}
	/* Cleared once written: a commit retried after a failure (its
	 * level still open) writes what is left. */
	db->counts.entered = 0;
	db->counts.left = false;
	return SD_OK;
}

enum sd_rc
db_outbox_counts_flush(struct db *db)
{
	sqlite3_stmt *st;
	enum sd_rc rc;
	int k, s;

	if (db->counts.entered != 0 || db->counts.left) {
		rc = waiting_flush(db);
		if (rc != SD_OK)
			return rc;
	}
	if (!db->counts.any)
		return SD_OK;
	for (k = 0; k < CORE_OUT_KIND_COUNT; k++)
		for (s = 0; s < CORE_OUT_STATE_COUNT; s++) {
			if (db->counts.d[k][s] == 0)
				continue;
			st = db_stmt(db, sql_counts_add);
			if (st == NULL)
				return db_stmt_rc(db);
			sqlite3_bind_int(st, 1, k);
			sqlite3_bind_int(st, 2, s);
			sqlite3_bind_int64(st, 3, db->counts.d[k][s]);
			rc = db_step_done(db, st);
			if (rc == SD_OK && sqlite3_changes(db->h) == 0) {
				/* The migration made every cell; not this. */
				st = db_stmt(db, sql_counts_new);
				if (st == NULL)
					return db_stmt_rc(db);
				sqlite3_bind_int(st, 1, k);
				sqlite3_bind_int(st, 2, s);
				sqlite3_bind_int64(st, 3, db->counts.d[k][s]);
				rc = db_step_done(db, st);
			}
			if (rc != SD_OK)
				return rc;
			db->counts.d[k][s] = 0;
		}
	db->counts.any = false;
	return SD_OK;
}

/* Open a transaction for a function called outside one (*own). */
static enum sd_rc
own_begin(struct db *db, bool *own)
{
	*own = !db_in_transaction(db);
	return *own ? db_begin(db) : SD_OK;
}

/* End it: commit on SD_OK, else roll back; rc, or the commit's error. */
static enum sd_rc
own_end(struct db *db, bool own, enum sd_rc rc)
{
	if (!own)
		return rc;
	if (rc == SD_OK)
		rc = db_commit(db);
	if (rc != SD_OK)
		db_rollback(db);
	return rc;
}

/* The kind and state of row id; SD_ENOTFOUND if none. */
static enum sd_rc
kind_state(struct db *db, int64_t id, int *kind, int *state)
{
	sqlite3_stmt *st = db_stmt(db, sql_kind_state);
	int r;

	if (st == NULL)
		return db_stmt_rc(db);
	sqlite3_bind_int64(st, 1, id);
	r = sqlite3_step(st);
	if (r == SQLITE_ROW) {
		*kind = sqlite3_column_int(st, 0);
		*state = sqlite3_column_int(st, 1);
	}
	sqlite3_reset(st);
	if (r == SQLITE_ROW)
		return SD_OK;
	return r == SQLITE_DONE ? SD_ENOTFOUND :
				  db_rc(sqlite3_extended_errcode(db->h));
}

/* Step a "... RETURNING kind" update to its end, counting each row it
 * changed as moved from from to to; *n gets how many. */
static enum sd_rc
step_moves(struct db *db, sqlite3_stmt *st, int from, int to, int64_t *n)
{
	int r;

	*n = 0;
	while ((r = sqlite3_step(st)) == SQLITE_ROW) {
		count_move(db, sqlite3_column_int(st, 0), from, to);
		(*n)++;
	}
	sqlite3_reset(st);
	return r == SQLITE_DONE ? SD_OK :
				  db_rc(sqlite3_extended_errcode(db->h));
}

/* ---- Moves: the one way a row's state changes ------------------------ */

#define B(s) (1u << (s))

/* For each state, the states a row may reach it from, and what reaching
 * it implies. A move not listed is refused (SD_ESTATE). */
static const struct move_rule {
	unsigned from;   /* bits B(state) of the states it is reached from */
	bool attempt;    /* a sending begins: attempts + 1 */
	bool scrub;      /* an OTP's code is masked: the SMSC has it, or
			    it will never be sent */
	bool void_token; /* the HTTP receipt secret of the last sending is
			    void: a new sending, or a final state */
	bool loud;       /* logged at info (else debug): it ends badly */
} move_rules[CORE_OUT_STATE_COUNT] = {
    /* A temporary failure or the restart (from submitted); the
     * operator's retry (from accepted or final). */
    [CORE_OUT_QUEUED] = {B(CORE_OUT_SUBMITTED) | B(CORE_OUT_ACCEPTED) |
	    B(CORE_OUT_DELIVERED) | B(CORE_OUT_UNDELIVERABLE) |
	    B(CORE_OUT_EXPIRED) | B(CORE_OUT_FAILED),
	false, false, false, false},
    /* The claim. */
    [CORE_OUT_SUBMITTED] = {B(CORE_OUT_QUEUED), true, false, true, false},
    /* Every part accepted; from queued: the late answer to a sending
     * given up on for now (the SMSC has it: not sent again). */
    [CORE_OUT_ACCEPTED] = {B(CORE_OUT_SUBMITTED) | B(CORE_OUT_QUEUED), false,
	true, false, false},
    /* Receipts; from submitted: a part's receipt before the last
     * part's answer. */
    [CORE_OUT_DELIVERED] = {B(CORE_OUT_SUBMITTED) | B(CORE_OUT_ACCEPTED), false,
	true, true, false},
    [CORE_OUT_UNDELIVERABLE] = {B(CORE_OUT_SUBMITTED) | B(CORE_OUT_ACCEPTED),
	false, true, true, true},
    /* Too late to send (queued or claimed), or a receipt. */
    [CORE_OUT_EXPIRED] = {B(CORE_OUT_QUEUED) | B(CORE_OUT_SUBMITTED) |
	    B(CORE_OUT_ACCEPTED),
	false, true, true, true},
    /* Refused, or no tries left; from queued: another part of a
     * message already queued again is refused for good. */
    [CORE_OUT_FAILED] = {B(CORE_OUT_SUBMITTED) | B(CORE_OUT_QUEUED), false,
	true, true, true},
};

/* The states each kind of event may move a row from. */
#define M_SENDING (B(CORE_OUT_QUEUED) | B(CORE_OUT_SUBMITTED))
#define M_RECEIPT (B(CORE_OUT_SUBMITTED) | B(CORE_OUT_ACCEPTED))
#define M_DONE                                                                 \
	(B(CORE_OUT_ACCEPTED) | B(CORE_OUT_DELIVERED) |                        \
	    B(CORE_OUT_UNDELIVERABLE) | B(CORE_OUT_EXPIRED) |                  \
	    B(CORE_OUT_FAILED))

bool
db_outbox_move_ok(enum core_out_state from, enum core_out_state to)
{
	if ((unsigned)from >= CORE_OUT_STATE_COUNT ||
	    (unsigned)to >= CORE_OUT_STATE_COUNT)
		return false;
	return (move_rules[to].from & B(from)) != 0;
}

static const char *
state_name(int s)
{
	static const char
	    *const names[CORE_OUT_STATE_COUNT] = CORE_OUT_STATE_NAMES;

	return (unsigned)s < CORE_OUT_STATE_COUNT ? names[s] : "?";
}

/* Row id, of kind, read in state cur in this transaction: to state to
 * with reason (NULL or "": kept) and not_before (< 0: kept), if cur is
 * one of from_mask (the caller's) and the move one of move_rules.
 * Counted and logged. SD_ESTATE when refused, or when the row is no
 * longer in cur. */
static enum sd_rc
move_row(struct db *db, int64_t id, int kind, int cur, unsigned from_mask,
    enum core_out_state to, const char *reason, int64_t not_before)
{
	const struct move_rule *m;
	sqlite3_stmt *st;
	enum sd_rc rc;

	if ((unsigned)cur >= CORE_OUT_STATE_COUNT ||
	    (from_mask & B(cur)) == 0 ||
	    !db_outbox_move_ok((enum core_out_state)cur, to)) {
		log_debug("outbox", "id=%lld %s -> %s refused", (long long)id,
		    state_name(cur), state_name(to));
		return SD_ESTATE;
	}
	m = &move_rules[to];
	st = db_stmt(db, sql_move);
	if (st == NULL)
		return db_stmt_rc(db);
	sqlite3_bind_int64(st, 1, id);
	sqlite3_bind_int(st, 2, cur);
	sqlite3_bind_int(st, 3, (int)to);
	sqlite3_bind_int64(st, 4, sd_clock_now());
	if (reason != NULL && reason[0] != '\0')
		db_bind_text(st, 5, reason);
	else
		sqlite3_bind_null(st, 5);
	sqlite3_bind_int(st, 6, m->attempt ? 1 : 0);
	sqlite3_bind_int(st, 7, m->scrub && kind == CORE_OUT_OTP ? 1 : 0);
	sqlite3_bind_int(st, 8, m->void_token ? 1 : 0);
	if (not_before >= 0)
		sqlite3_bind_int64(st, 9, not_before);
	else
		sqlite3_bind_null(st, 9);
	rc = db_step_done(db, st);
	if (rc != SD_OK)
		return rc;
	if (sqlite3_changes(db->h) != 1)
		return SD_ESTATE; /* moved since it was read */
	count_move(db, kind, cur, (int)to);
	/* A row that waits again may be below "waiting from". */
	if (to == CORE_OUT_QUEUED && cur != CORE_OUT_SUBMITTED)
		waiting_enter(db, id);
	if (m->loud)
		log_info("outbox", "id=%lld %s -> %s reason=\"%s\"",
		    (long long)id, state_name(cur), state_name(to),
		    reason != NULL ? reason : "");
	else
		log_debug("outbox", "id=%lld %s -> %s%s%s%s", (long long)id,
		    state_name(cur), state_name(to),
		    reason != NULL && reason[0] != '\0' ? " reason=\"" : "",
		    reason != NULL ? reason : "",
		    reason != NULL && reason[0] != '\0' ? "\"" : "");
	return SD_OK;
}

enum sd_rc
db_outbox_move(struct db *db, int64_t id, unsigned from_mask,
    enum core_out_state to, const char *reason)
{
	enum sd_rc rc;
	int kind, cur;
	bool own;

	rc = own_begin(db, &own);
	if (rc != SD_OK)
		return rc;
	rc = kind_state(db, id, &kind, &cur);
	if (rc == SD_OK)
		rc = move_row(db, id, kind, cur, from_mask, to, reason, -1);
	return own_end(db, own, rc);
}

/* ---- Rows ------------------------------------------------------------- */

void
db_outbox_row_fini(struct db_outbox_row *r)
{
	if (r == NULL)
		return;
	free(r->body);
	free(r->reason);
	r->body = r->reason = NULL;
}

void
db_outbox_rows_free(struct db_outbox_row *rows, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		db_outbox_row_fini(&rows[i]);
	free(rows);
}

static void
row_read(sqlite3_stmt *st, struct db_outbox_row *r)
{
	memset(r, 0, sizeof(*r));
	r->id = sqlite3_column_int64(st, 0);
	r->kind = (enum core_out_kind)sqlite3_column_int(st, 1);
	r->priority = sqlite3_column_int(st, 2);
	snprintf(r->destination, sizeof(r->destination), "%s",
	    (const char *)sqlite3_column_text(st, 3));
	r->body = db_col_text(st, 4);
	r->tracking = sqlite3_column_int64(st, 5);
	r->not_before = sqlite3_column_int64(st, 6);
	r->expires = sqlite3_column_int64(st, 7);
	r->attempts = sqlite3_column_int(st, 8);
	r->state = (enum core_out_state)sqlite3_column_int(st, 9);
	snprintf(r->smsc_id, sizeof(r->smsc_id), "%s",
	    (const char *)sqlite3_column_text(st, 10));
	r->reason = db_col_text(st, 11);
	r->created = sqlite3_column_int64(st, 12);
	r->created_ms = sqlite3_column_int64(st, 13);
	r->updated = sqlite3_column_int64(st, 14);
	r->parts = sqlite3_column_int(st, 15);
	r->route = (enum core_out_route)sqlite3_column_int(st, 16);
	r->receipt = sqlite3_column_int(st, 17) != 0;
	r->ussd_session = sqlite3_column_int(st, 18);
	r->ussd_end = sqlite3_column_int(st, 19) != 0;
}

enum sd_rc
db_outbox_add(struct db *db, const struct db_outbox_new *m, int64_t *id)
{
	sqlite3_stmt *st;
	int64_t now = sd_clock_now();
	enum sd_rc rc;
	bool own;

	rc = own_begin(db, &own);
	if (rc != SD_OK)
		return rc;
	st = db_stmt(db, sql_add);
	if (st == NULL)
		return own_end(db, own, db_stmt_rc(db));
	sqlite3_bind_int(st, 1, (int)m->kind);
	sqlite3_bind_int(st, 2, m->priority);
	db_bind_text(st, 3, m->destination);
	db_bind_text(st, 4, m->body);
	sqlite3_bind_int64(st, 5, m->tracking);
	sqlite3_bind_int64(st, 6, m->not_before);
	sqlite3_bind_int64(st, 7, m->expires);
	sqlite3_bind_int(st, 8, m->receipt ? 1 : 0);
	sqlite3_bind_int(st, 9, m->ussd_session);
	sqlite3_bind_int64(st, 10, now);
	sqlite3_bind_int64(st, 11, sd_clock_now_ms());
	/* Only a USSD row can continue its dialogue. */
	sqlite3_bind_int(st, 12, m->kind != CORE_OUT_USSD || m->ussd_end);
	rc = db_step_done(db, st);
	if (rc == SD_OK && id != NULL)
		*id = sqlite3_last_insert_rowid(db->h);
	/* A new row waits above "waiting from": that is at most one
	 * past the last row, and rows are never deleted. */
	if (rc == SD_OK)
		count_move(db, (int)m->kind, -1, CORE_OUT_QUEUED);
	return own_end(db, own, rc);
}

static int
row_cmp(const void *a, const void *b)
{
	const struct db_outbox_row *x = a, *y = b;

	if (x->priority != y->priority)
		return x->priority < y->priority ? -1 : 1;
	return x->id < y->id ? -1 : x->id > y->id;
}

static enum sd_rc
claim_in(struct db *db, int64_t now, unsigned kind_mask, size_t max,
    struct db_outbox_row *rows, size_t *n, size_t *expired)
{
	struct {
		int kind;
		int64_t n;
	} kn[CORE_OUT_KIND_COUNT + 1];
	sqlite3_stmt *st;
	size_t got = 0, i, ndue = 0;
	int64_t nexp = 0;
	enum sd_rc rc;
	int r = SQLITE_DONE;

	*n = 0;
	if (expired != NULL)
		*expired = 0;
	if (max == 0)
		return SD_OK;
	/* Rows too late to send never go: they become expired. */
	st = db_stmt(db, sql_expire_due_kinds);
	if (st == NULL)
		return db_stmt_rc(db);
	sqlite3_bind_int64(st, 1, now);
	while ((r = sqlite3_step(st)) == SQLITE_ROW) {
		kn[ndue].kind = sqlite3_column_int(st, 0);
		kn[ndue].n = sqlite3_column_int64(st, 1);
		nexp += kn[ndue].n;
		if (ndue + 1 < sizeof(kn) / sizeof(kn[0]))
			ndue++;
	}
	sqlite3_reset(st);
	if (r != SQLITE_DONE)
		return db_rc(sqlite3_extended_errcode(db->h));
	if (nexp > 0) {
		st = db_stmt(db, sql_expire_due);
		if (st == NULL)
			return db_stmt_rc(db);
		sqlite3_bind_int64(st, 1, now);
		sqlite3_bind_int(st, 2, CORE_OUT_EXPIRED);
		rc = db_step_done(db, st);
		if (rc != SD_OK)
			return rc;
		if (sqlite3_changes(db->h) != nexp)
			return SD_EINTERNAL; /* the caller holds the lock */
		for (i = 0; i < ndue; i++)
			while (kn[i].n-- > 0)
				count_move(db, kn[i].kind, CORE_OUT_QUEUED,
				    CORE_OUT_EXPIRED);
		log_info("outbox",
		    "n=%lld queued -> expired reason=\"expired "
		    "before it could be sent\"",
		    (long long)nexp);
	}
	if (expired != NULL)
		*expired = (size_t)nexp;
	st = db_stmt(db, sql_claim_select);
	if (st == NULL)
		return db_stmt_rc(db);
	sqlite3_bind_int64(st, 1, now);
	sqlite3_bind_int64(st, 2, (int64_t)max);
	sqlite3_bind_int64(st, 3, (int64_t)(kind_mask & 0xffffu));
	while (got < max && (r = sqlite3_step(st)) == SQLITE_ROW)
		row_read(st, &rows[got++]);
	r = got == max ? SQLITE_DONE : r;
	sqlite3_reset(st);
	rc = r == SQLITE_DONE ? SD_OK : db_rc(sqlite3_extended_errcode(db->h));
	for (i = 0; i < got && rc == SD_OK; i++) {
		rc = move_row(db, rows[i].id, (int)rows[i].kind,
		    CORE_OUT_QUEUED, B(CORE_OUT_QUEUED), CORE_OUT_SUBMITTED,
		    NULL, -1);
		if (rc == SD_ESTATE)
			rc = SD_EBUSY; /* claimed meanwhile: cannot happen */
		if (rc == SD_OK) {
			rows[i].state = CORE_OUT_SUBMITTED;
			rows[i].attempts++;
			rows[i].updated = now;
		}
	}
	if (rc != SD_OK) {
		for (i = 0; i < got; i++)
			db_outbox_row_fini(&rows[i]);
		return rc;
	}
	qsort(rows, got, sizeof(*rows), row_cmp);
	*n = got;
	return SD_OK;
}

enum sd_rc
db_outbox_claim(struct db *db, int64_t now, unsigned kind_mask, size_t max,
    struct db_outbox_row *rows, size_t *n, size_t *expired)
{
	enum sd_rc rc;
	size_t i;
	bool own;

	*n = 0;
	rc = own_begin(db, &own);
	if (rc == SD_OK)
		rc = claim_in(db, now, kind_mask, max, rows, n, expired);
	if (own) {
		rc = own_end(db, own, rc);
		if (rc != SD_OK) {
			for (i = 0; i < *n; i++)
				db_outbox_row_fini(&rows[i]);
			*n = 0;
		}
	}
	return rc;
}

enum sd_rc
db_outbox_requeue_submitted(struct db *db, int64_t *n)
{
	sqlite3_stmt *st;
	int64_t got = 0;
	enum sd_rc rc;
	bool own;

	if (n != NULL)
		*n = 0;
	rc = own_begin(db, &own);
	if (rc != SD_OK)
		return rc;
	st = db_stmt(db, sql_requeue);
	if (st == NULL)
		return own_end(db, own, db_stmt_rc(db));
	sqlite3_bind_int64(st, 1, sd_clock_now());
	rc = step_moves(db, st, CORE_OUT_SUBMITTED, CORE_OUT_QUEUED, &got);
	rc = own_end(db, own, rc);
	if (n != NULL && rc == SD_OK)
		*n = got;
	return rc;
}

static enum sd_rc
accepted_in(struct db *db, int64_t id, int part, int parts, const char *smsc_id,
    enum core_out_route route, bool receipt, bool complete)
{
	sqlite3_stmt *st;
	int64_t now = sd_clock_now();
	enum sd_rc rc;
	int kind = -1, cur = CORE_OUT_ACCEPTED;
	bool moves;

	/* The row moves to accepted when complete and not past it. */
	rc = kind_state(db, id, &kind, &cur);
	if (rc != SD_OK && rc != SD_ENOTFOUND)
		return rc;
	moves = complete && rc == SD_OK && (M_SENDING & B(cur)) != 0;
	if (part <= 1) {
		st = db_stmt(db, sql_accepted1);
		if (st == NULL)
			return db_stmt_rc(db);
		sqlite3_bind_int64(st, 1, id);
		db_bind_text(st, 2, smsc_id);
		sqlite3_bind_int(st, 3, parts);
		sqlite3_bind_int(st, 4, (int)route);
		sqlite3_bind_int64(st, 5, now);
		sqlite3_bind_int(st, 6, receipt ? 1 : 0);
		rc = db_step_done(db, st);
		if (rc == SD_OK && moves)
			rc = move_row(db, id, kind, cur, M_SENDING,
			    CORE_OUT_ACCEPTED, NULL, -1);
		return rc;
	}
	st = db_stmt(db, sql_acceptedn);
	if (st == NULL)
		return db_stmt_rc(db);
	sqlite3_bind_int64(st, 1, id);
	sqlite3_bind_int(st, 2, parts);
	sqlite3_bind_int(st, 3, (int)route);
	sqlite3_bind_int64(st, 4, now);
	rc = db_step_done(db, st);
	if (rc == SD_OK && moves)
		rc = move_row(db, id, kind, cur, M_SENDING, CORE_OUT_ACCEPTED,
		    NULL, -1);
	if (rc != SD_OK || smsc_id == NULL || smsc_id[0] == '\0')
		return rc;
	st = db_stmt(db, sql_part_add);
	if (st == NULL)
		return db_stmt_rc(db);
	sqlite3_bind_int64(st, 1, id);
	sqlite3_bind_int(st, 2, part);
	db_bind_text(st, 3, smsc_id);
	sqlite3_bind_int(st, 4, CORE_OUT_ACCEPTED);
	return db_step_done(db, st);
}

enum sd_rc
db_outbox_accepted(struct db *db, int64_t id, int part, int parts,
    const char *smsc_id, enum core_out_route route, bool receipt, bool complete)
{
	enum sd_rc rc;
	bool own;

	rc = own_begin(db, &own);
	if (rc == SD_OK)
		rc = accepted_in(db, id, part, parts, smsc_id, route, receipt,
		    complete);
	return own_end(db, own, rc);
}

static enum sd_rc
failed_in(struct db *db, int64_t id, bool temporary, const char *reason,
    int64_t now, int max_attempts, int64_t retry_s, bool *final)
{
	sqlite3_stmt *st = db_stmt(db, sql_attempts);
	int attempts, cur, kind, r;
	enum sd_rc rc;
	bool last;

	if (st == NULL)
		return db_stmt_rc(db);
	sqlite3_bind_int64(st, 1, id);
	r = sqlite3_step(st);
	if (r != SQLITE_ROW) {
		sqlite3_reset(st);
		return r == SQLITE_DONE ?
		    SD_ENOTFOUND :
		    db_rc(sqlite3_extended_errcode(db->h));
	}
	attempts = sqlite3_column_int(st, 0);
	cur = sqlite3_column_int(st, 1);
	kind = sqlite3_column_int(st, 2);
	sqlite3_reset(st);
	last = !temporary || attempts >= max_attempts;
	if (final != NULL)
		*final = last;
	/* Queued already (another part's temporary failure): to be sent
	 * again anyway; only a refusal for good changes it. */
	if (!last && cur == CORE_OUT_QUEUED)
		return SD_OK;
	rc = move_row(db, id, kind, cur, M_SENDING,
	    last ? CORE_OUT_FAILED : CORE_OUT_QUEUED, reason,
	    last ? -1 : now + retry_s);
	/* Past it (accepted or final): a late word on an earlier sending
	 * changes nothing. */
	if (rc == SD_ESTATE) {
		if (final != NULL)
			*final = cur != CORE_OUT_ACCEPTED;
		rc = SD_OK;
	}
	return rc;
}

enum sd_rc
db_outbox_failed(struct db *db, int64_t id, bool temporary, const char *reason,
    int64_t now, int max_attempts, int64_t retry_s, bool *final)
{
	enum sd_rc rc;
	bool own;

	rc = own_begin(db, &own);
	if (rc == SD_OK)
		rc = failed_in(db, id, temporary, reason, now, max_attempts,
		    retry_s, final);
	return own_end(db, own, rc);
}

enum sd_rc
db_outbox_expire(struct db *db, int64_t id, const char *reason)
{
	enum sd_rc rc;
	int kind, cur;
	bool own;

	rc = own_begin(db, &own);
	if (rc != SD_OK)
		return rc;
	rc = kind_state(db, id, &kind, &cur);
	/* No row, or past queued and submitted: the expiry is moot. */
	if (rc == SD_OK)
		rc = move_row(db, id, kind, cur, M_SENDING, CORE_OUT_EXPIRED,
		    reason, -1);
	if (rc == SD_ENOTFOUND || rc == SD_ESTATE)
		rc = SD_OK;
	return own_end(db, own, rc);
}

/* Find the row and part that carry smsc_id: 0 when none. */
static enum sd_rc
receipt_find(struct db *db, const char *smsc_id, int64_t *id, int *part,
    int *parts, int *cur, int *kind)
{
	sqlite3_stmt *st;
	int r;

	*id = 0;
	*part = 0;
	*parts = 0;
	st = db_stmt(db, sql_by_smsc_id);
	if (st == NULL)
		return db_stmt_rc(db);
	db_bind_text(st, 1, smsc_id);
	r = sqlite3_step(st);
	if (r == SQLITE_ROW) {
		*id = sqlite3_column_int64(st, 0);
		*part = 1;
		*parts = sqlite3_column_int(st, 1);
		*cur = sqlite3_column_int(st, 2);
		*kind = sqlite3_column_int(st, 3);
	}
	sqlite3_reset(st);
	if (r != SQLITE_ROW && r != SQLITE_DONE)
		return db_rc(sqlite3_extended_errcode(db->h));
	if (*id != 0)
		return SD_OK;
	st = db_stmt(db, sql_part_by_smsc_id);
	if (st == NULL)
		return db_stmt_rc(db);
	db_bind_text(st, 1, smsc_id);
	r = sqlite3_step(st);
	if (r == SQLITE_ROW) {
		*id = sqlite3_column_int64(st, 0);
		*part = sqlite3_column_int(st, 1);
	}
	sqlite3_reset(st);
	if (r != SQLITE_ROW && r != SQLITE_DONE)
		return db_rc(sqlite3_extended_errcode(db->h));
	return SD_OK;
}

/* Row id's part part (of parts) is in state state by a receipt; whole:
 * the receipt speaks for the whole message (an HTTP provider's). Keep it
 * with the part, then move the row once its parts tell how it ended:
 * expired if a part expired, else undeliverable if a part is, delivered
 * once every part is. kind and cur: the row's, when read already (part 1
 * found by the row's smsc_id); else read here. The one receipt logic of
 * SMPP and HTTP receipts alike. */
static enum sd_rc
receipt_apply(struct db *db, int64_t id, int part, int parts, bool whole,
    int kind, int cur, enum core_out_state state, const char *reason)
{
	sqlite3_stmt *st;
	enum core_out_state to;
	int p1, ndeliv, worst, r;
	enum sd_rc rc;

	if (part == 1) {
		st = db_stmt(db, sql_p1_state);
		if (st == NULL)
			return db_stmt_rc(db);
		sqlite3_bind_int64(st, 1, id);
		sqlite3_bind_int(st, 2, (int)state);
	} else {
		st = db_stmt(db, sql_part_state);
		if (st == NULL)
			return db_stmt_rc(db);
		sqlite3_bind_int64(st, 1, id);
		sqlite3_bind_int(st, 2, part);
		sqlite3_bind_int(st, 3, (int)state);
	}
	rc = db_step_done(db, st);
	if (rc != SD_OK)
		return rc;
	if (whole || (part == 1 && parts <= 1)) {
		/* One part: the receipt decides alone. */
		worst = state == CORE_OUT_EXPIRED ||
			state == CORE_OUT_UNDELIVERABLE ?
		    (int)state :
		    -1;
		ndeliv = state == CORE_OUT_DELIVERED;
		parts = 1;
	} else {
		/* The row's state from all its parts. */
		st = db_stmt(db, sql_part_states);
		if (st == NULL)
			return db_stmt_rc(db);
		sqlite3_bind_int64(st, 1, id);
		sqlite3_bind_int(st, 2, CORE_OUT_DELIVERED);
		sqlite3_bind_int(st, 3, CORE_OUT_UNDELIVERABLE);
		sqlite3_bind_int(st, 4, CORE_OUT_EXPIRED);
		r = sqlite3_step(st);
		if (r != SQLITE_ROW) {
			sqlite3_reset(st);
			return db_rc(sqlite3_extended_errcode(db->h));
		}
		parts = sqlite3_column_int(st, 0);
		p1 = sqlite3_column_int(st, 1);
		cur = sqlite3_column_int(st, 2);
		ndeliv = sqlite3_column_int(st, 3) + (p1 == CORE_OUT_DELIVERED);
		worst = sqlite3_column_type(st, 4) == SQLITE_NULL ?
		    -1 :
		    sqlite3_column_int(st, 4);
		kind = sqlite3_column_int(st, 5);
		sqlite3_reset(st);
		if ((p1 == CORE_OUT_EXPIRED || p1 == CORE_OUT_UNDELIVERABLE) &&
		    p1 > worst)
			worst = p1;
	}
	if (worst == CORE_OUT_EXPIRED)
		to = CORE_OUT_EXPIRED;
	else if (worst >= 0)
		to = CORE_OUT_UNDELIVERABLE;
	else if (ndeliv >= (parts > 0 ? parts : 1))
		to = CORE_OUT_DELIVERED;
	else
		return SD_OK; /* more parts to hear from */
	if ((int)to == cur)
		return SD_OK;
	rc = move_row(db, id, kind, cur, M_RECEIPT, to, reason, -1);
	/* Not awaiting a receipt (final, queued again): the part's state is
	 * kept, the row's stands. */
	return rc == SD_ESTATE ? SD_OK : rc;
}

static enum sd_rc
receipt_in(struct db *db, const char *const *smsc_ids, size_t n,
    enum core_out_state state, const char *reason, int64_t *id)
{
	int part = 0, parts = 0, cur = -1, kind = -1;
	enum sd_rc rc;
	size_t i;

	*id = 0;
	for (i = 0; i < n && *id == 0; i++) {
		if (smsc_ids[i] == NULL || smsc_ids[i][0] == '\0')
			continue;
		rc = receipt_find(db, smsc_ids[i], id, &part, &parts, &cur,
		    &kind);
		if (rc != SD_OK)
			return rc;
	}
	if (*id == 0)
		return SD_OK;
	return receipt_apply(db, *id, part, parts, false, kind, cur, state,
	    reason);
}

enum sd_rc
db_outbox_receipt(struct db *db, const char *const *smsc_ids, size_t n,
    enum core_out_state state, const char *reason, int64_t *id)
{
	enum sd_rc rc;
	bool own;

	*id = 0;
	rc = own_begin(db, &own);
	if (rc == SD_OK)
		rc = receipt_in(db, smsc_ids, n, state, reason, id);
	return own_end(db, own, rc);
}

enum sd_rc
db_outbox_http_token(struct db *db, int64_t id, const char *token, bool *set)
{
	sqlite3_stmt *st = db_stmt(db, sql_http_token);
	enum sd_rc rc;

	*set = false;
	if (st == NULL)
		return db_stmt_rc(db);
	sqlite3_bind_int64(st, 1, id);
	db_bind_text(st, 2, token);
	sqlite3_bind_int64(st, 3, sd_clock_now());
	sqlite3_bind_int(st, 4, CORE_OUT_ROUTE_HTTP);
	sqlite3_bind_int(st, 5, CORE_OUT_SUBMITTED);
	rc = db_step_done(db, st);
	if (rc == SD_OK)
		*set = sqlite3_changes(db->h) == 1;
	return rc;
}

/* a and b equal, in a time that depends on their lengths only. */
static bool
token_equal(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b), i;
	volatile unsigned char d = la != lb;

	for (i = 0; i < la && i < lb; i++)
		d |= (unsigned char)(a[i] ^ b[i]);
	return d == 0;
}

static enum sd_rc
receipt_http_in(struct db *db, int64_t id, const char *token,
    enum core_out_state state, const char *reason)
{
	sqlite3_stmt *st;
	char stored[72];
	int route, cur, kind, r;
	bool match;

	st = db_stmt(db, sql_http_row);
	if (st == NULL)
		return db_stmt_rc(db);
	sqlite3_bind_int64(st, 1, id);
	r = sqlite3_step(st);
	if (r != SQLITE_ROW) {
		sqlite3_reset(st);
		return r == SQLITE_DONE ?
		    SD_ENOTFOUND :
		    db_rc(sqlite3_extended_errcode(db->h));
	}
	route = sqlite3_column_int(st, 0);
	cur = sqlite3_column_int(st, 1);
	snprintf(stored, sizeof(stored), "%s",
	    (const char *)sqlite3_column_text(st, 2));
	kind = sqlite3_column_int(st, 3);
	sqlite3_reset(st);
	/* Compared whatever the row's state, so the time says nothing. */
	match = stored[0] != '\0' && token_equal(stored, token);
	if (route != CORE_OUT_ROUTE_HTTP ||
	    (cur != CORE_OUT_SUBMITTED && cur != CORE_OUT_ACCEPTED))
		return SD_ESTATE;
	if (!match)
		return SD_EPERM;

	return receipt_apply(db, id, 1, 1, true, kind, cur, state, reason);
}

enum sd_rc
db_outbox_receipt_http(struct db *db, int64_t id, const char *token,
    enum core_out_state state, const char *reason)
{
	enum sd_rc rc;
	bool own;

	rc = own_begin(db, &own);
	if (rc == SD_OK)
		rc = receipt_http_in(db, id, token, state, reason);
	return own_end(db, own, rc);
}

static enum sd_rc
retry_in(struct db *db, int64_t id)
{
	struct db_outbox_row row;
	sqlite3_stmt *st;
	enum sd_rc rc;

	rc = db_outbox_get(db, id, &row, NULL);
	if (rc != SD_OK)
		return rc;
	db_outbox_row_fini(&row);
	if (row.state == CORE_OUT_QUEUED || row.state == CORE_OUT_SUBMITTED)
		return SD_ESTATE;
	/* A final OTP's code is masked at rest (issue #9), and a stale code
	 * is useless anyway: the user asks for a new one. */
	if (row.kind == CORE_OUT_OTP)
		return SD_EPERM;
	st = db_stmt(db, sql_parts_del);
	if (st == NULL)
		return db_stmt_rc(db);
	sqlite3_bind_int64(st, 1, id);
	rc = db_step_done(db, st);
	if (rc != SD_OK)
		return rc;
	st = db_stmt(db, sql_retry);
	if (st == NULL)
		return db_stmt_rc(db);
	sqlite3_bind_int64(st, 1, id);
	rc = db_step_done(db, st);
	if (rc == SD_OK)
		rc = move_row(db, id, (int)row.kind, (int)row.state, M_DONE,
		    CORE_OUT_QUEUED, "retried by the operator", 0);
	return rc;
}

enum sd_rc
db_outbox_retry(struct db *db, int64_t id)
{
	enum sd_rc rc;
	bool own;

	rc = own_begin(db, &own);
	if (rc == SD_OK)
		rc = retry_in(db, id);
	return own_end(db, own, rc);
}

enum sd_rc
db_outbox_get(struct db *db, int64_t id, struct db_outbox_row *out,
    char **parts)
{
	sqlite3_stmt *st = db_stmt(db, sql_get);
	int r;

	if (parts != NULL)
		*parts = NULL;
	if (st == NULL)
		return db_stmt_rc(db);
	sqlite3_bind_int64(st, 1, id);
	r = sqlite3_step(st);
	if (r == SQLITE_ROW)
		row_read(st, out);
	sqlite3_reset(st);
	if (r != SQLITE_ROW)
		return r == SQLITE_DONE ?
		    SD_ENOTFOUND :
		    db_rc(sqlite3_extended_errcode(db->h));
	if (parts == NULL)
		return SD_OK;
	st = db_stmt(db, sql_parts_list);
	if (st == NULL) {
		db_outbox_row_fini(out);
		return db_stmt_rc(db);
	}
	sqlite3_bind_int64(st, 1, id);
	{
		struct sd_buf buf;
		enum sd_rc rc = SD_OK;

		/* At most SMSC_PARTS_MAX parts of a 64-octet id each. */
		sd_buf_init(&buf, 255 * (SD_MSGID_LEN + 32));
		while ((r = sqlite3_step(st)) == SQLITE_ROW && rc == SD_OK)
			rc = sd_buf_addf(&buf, "%s%d:%s(%s)",
			    sd_buf_len(&buf) > 0 ? " " : "",
			    sqlite3_column_int(st, 0),
			    (const char *)sqlite3_column_text(st, 1),
			    state_name(sqlite3_column_int(st, 2)));
		sqlite3_reset(st);
		*parts = sd_buf_take(&buf);
	}
	return SD_OK;
}

enum sd_rc
db_outbox_counts(struct db *db, struct db_outbox_counts *c)
{
	sqlite3_stmt *st = db_stmt(db, sql_counts);
	int64_t waiting = 0;
	int r, i;

	memset(c, 0, sizeof(*c));
	if (st == NULL)
		return db_stmt_rc(db);
	while ((r = sqlite3_step(st)) == SQLITE_ROW) {
		int k = sqlite3_column_int(st, 0),
		    s = sqlite3_column_int(st, 1);

		if (k >= 0 && k < CORE_OUT_KIND_COUNT && s >= 0 &&
		    s < CORE_OUT_STATE_COUNT)
			c->n[k][s] = sqlite3_column_int64(st, 2);
	}
	sqlite3_reset(st);
	if (r != SQLITE_DONE)
		return db_rc(sqlite3_extended_errcode(db->h));
	for (i = 0; i < CORE_OUT_KIND_COUNT; i++)
		waiting += c->n[i][CORE_OUT_QUEUED] +
		    c->n[i][CORE_OUT_SUBMITTED];
	if (waiting == 0)
		return SD_OK;
	st = db_stmt(db, sql_oldest);
	if (st == NULL)
		return db_stmt_rc(db);
	r = sqlite3_step(st);
	if (r == SQLITE_ROW)
		c->oldest_waiting = sqlite3_column_int64(st, 0);
	sqlite3_reset(st);
	return r == SQLITE_ROW || r == SQLITE_DONE ?
	    SD_OK :
	    db_rc(sqlite3_extended_errcode(db->h));
}

enum sd_rc
db_data_version(struct db *db, int64_t *v)
{
	sqlite3_stmt *st = db_stmt(db, sql_data_version);
	int r;

	if (st == NULL)
		return db_stmt_rc(db);
	r = sqlite3_step(st);
	if (r == SQLITE_ROW)
		*v = sqlite3_column_int64(st, 0);
	sqlite3_reset(st);
	return r == SQLITE_ROW ? SD_OK : db_rc(sqlite3_extended_errcode(db->h));
}
