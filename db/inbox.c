/*
 * db/inbox.c: the inbox. An MO is stored here, and committed, before the
 * SMSC gets its deliver_sm_resp: whatever was acknowledged is on disk.
 * A redelivery (same source and body within the caller's window) is
 * stored as a row pointing at the first copy, never handled twice.
 */
#include "db/db.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/base/clock.h"
#include "core/base/xmalloc.h"
#include "db/db_int.h"

static const char sql_inbox_add
    [] = "INSERT INTO inbox (source, destination, body, kind, ussd_session,"
	 " state, received, body_hash) VALUES (?1, ?2, ?3, ?4, ?5, 0, ?6, ?7)";
static const char sql_inbox_add_handled
    [] = "INSERT INTO inbox (source, destination, body, kind, ussd_session,"
	 " state, received, body_hash, reply_id) VALUES (?1, ?2, ?3, ?4, ?5, 1,"
	 " ?6, ?7, nullif(?8, 0))";
static const char sql_inbox_add_dup
    [] = "INSERT INTO inbox (source, destination, body, kind, state, received,"
	 " body_hash, dup_of) VALUES (?1, ?2, ?3, ?4, 1, ?5, ?6, ?7)";
static const char sql_inbox_find_dup
    [] = "SELECT id, coalesce(reply_id, 0), resent FROM inbox"
	 " WHERE source = ?1 AND body_hash = ?2 AND received >= ?3"
	 " AND dup_of IS NULL AND body = ?4 ORDER BY received DESC LIMIT 1";
static const char sql_inbox_handled
    [] = "UPDATE inbox SET state = 1, reply_id = nullif(?2, 0) WHERE id = ?1";
static const char
    sql_inbox_resent[] = "UPDATE inbox SET resent = resent + 1 WHERE id = ?1";
static const char sql_inbox_unhandled
    [] = "SELECT id, source, destination, body, kind, ussd_session FROM inbox"
	 " WHERE state = 0 ORDER BY id LIMIT ?1";
static const char sql_inbox_count[] = "SELECT count(*) FROM inbox";
static const char sql_part_add
    [] = "INSERT INTO inbox_parts (source, destination, ref, total, esm_class,"
	 " data_coding, sm, sar, sar_ref, sar_total, sar_seq, received)"
	 " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)";
static const char sql_parts_drop
    [] = "DELETE FROM inbox_parts WHERE source = ?1 AND destination = ?2"
	 " AND ref = ?3 AND total = ?4";
static const char sql_parts
    [] = "SELECT source, destination, ref, total, esm_class, data_coding, sm,"
	 " sar, sar_ref, sar_total, sar_seq, received FROM inbox_parts"
	 " ORDER BY id";
static const char
    sql_inbox_reason[] = "UPDATE inbox SET reason = ?2 WHERE id = ?1";
static const char sql_inbox_recent
    [] = "SELECT id, received, source, body, kind, state,"
	 " coalesce(dup_of, 0), coalesce(reply_id, 0), reason FROM inbox"
	 " ORDER BY id DESC LIMIT ?1";
static const char sql_inbox_count_since
    [] = "SELECT count(*) FROM inbox WHERE source = ?1 AND received >= ?2"
	 " AND dup_of IS NULL";
static const char sql_inbox_count_kind_since
    [] = "SELECT count(*) FROM inbox WHERE source = ?1 AND received >= ?2"
	 " AND dup_of IS NULL AND kind = ?3";

enum sd_rc
db_inbox_add(struct db *db, const char *source, const char *destination,
    const char *body, enum db_inbox_kind kind, const char *session, int64_t *id)
{
	sqlite3_stmt *st = db_stmt(db, sql_inbox_add);
	enum sd_rc rc;

	if (st == NULL)
		return db_stmt_rc(db);
	db_bind_text(st, 1, source);
	db_bind_text(st, 2, destination);
	db_bind_text(st, 3, body);
	sqlite3_bind_int(st, 4, (int)kind);
	db_bind_text(st, 5, session != NULL ? session : "");
	sqlite3_bind_int64(st, 6, sd_clock_now());
	sqlite3_bind_int64(st, 7, db_inbox_hash(body));
	rc = db_step_done(db, st);
	if (rc == SD_OK && id != NULL)
		*id = sqlite3_last_insert_rowid(db->h);
	return rc;
}

enum sd_rc
db_inbox_add_handled(struct db *db, const char *source, const char *destination,
    const char *body, enum db_inbox_kind kind, const char *session,
    int64_t reply_id, int64_t *id)
{
	sqlite3_stmt *st = db_stmt(db, sql_inbox_add_handled);
	enum sd_rc rc;

	if (st == NULL)
		return db_stmt_rc(db);
	db_bind_text(st, 1, source);
	db_bind_text(st, 2, destination);
	db_bind_text(st, 3, body);
	sqlite3_bind_int(st, 4, (int)kind);
	db_bind_text(st, 5, session != NULL ? session : "");
	sqlite3_bind_int64(st, 6, sd_clock_now());
	sqlite3_bind_int64(st, 7, db_inbox_hash(body));
	sqlite3_bind_int64(st, 8, reply_id);
	rc = db_step_done(db, st);
	if (rc == SD_OK && id != NULL)
		*id = sqlite3_last_insert_rowid(db->h);
	return rc;
}

enum sd_rc
db_inbox_count(struct db *db, int64_t *n)
{
	sqlite3_stmt *st = db_stmt(db, sql_inbox_count);
	int r;

	if (st == NULL)
		return db_stmt_rc(db);
	r = sqlite3_step(st);
	if (r == SQLITE_ROW)
		*n = sqlite3_column_int64(st, 0);
	sqlite3_reset(st);
	return r == SQLITE_ROW ? SD_OK : db_rc(sqlite3_extended_errcode(db->h));
}

enum sd_rc
db_inbox_count_kind_since(struct db *db, const char *source,
    enum db_inbox_kind kind, int64_t since, int64_t *n)
{
	sqlite3_stmt *st = db_stmt(db, sql_inbox_count_kind_since);
	int r;

	if (st == NULL)
		return db_stmt_rc(db);
	db_bind_text(st, 1, source);
	sqlite3_bind_int64(st, 2, since);
	sqlite3_bind_int(st, 3, (int)kind);
	r = sqlite3_step(st);
	if (r == SQLITE_ROW)
		*n = sqlite3_column_int64(st, 0);
	sqlite3_reset(st);
	return r == SQLITE_ROW ? SD_OK : db_rc(sqlite3_extended_errcode(db->h));
}

int64_t
db_inbox_hash(const char *body)
{
	uint64_t h = 14695981039346656037ull;
	const unsigned char *p;

	for (p = (const unsigned char *)body; *p != '\0'; p++) {
		h ^= *p;
		h *= 1099511628211ull;
	}
	return (int64_t)(h >> 1); /* keep it positive */
}

enum sd_rc
db_inbox_find_dup(struct db *db, const char *source, const char *body,
    int64_t since, struct db_inbox_dup *out)
{
	sqlite3_stmt *st = db_stmt(db, sql_inbox_find_dup);
	int r;

	if (st == NULL)
		return db_stmt_rc(db);
	db_bind_text(st, 1, source);
	sqlite3_bind_int64(st, 2, db_inbox_hash(body));
	sqlite3_bind_int64(st, 3, since);
	db_bind_text(st, 4, body);
	r = sqlite3_step(st);
	if (r == SQLITE_ROW) {
		out->id = sqlite3_column_int64(st, 0);
		out->reply_id = sqlite3_column_int64(st, 1);
		out->resent = sqlite3_column_int(st, 2);
	}
	sqlite3_reset(st);
	if (r == SQLITE_ROW)
		return SD_OK;
	return r == SQLITE_DONE ? SD_ENOTFOUND :
				  db_rc(sqlite3_extended_errcode(db->h));
}

enum sd_rc
db_inbox_add_dup(struct db *db, const char *source, const char *destination,
    const char *body, enum db_inbox_kind kind, int64_t dup_of, int64_t *id)
{
	sqlite3_stmt *st = db_stmt(db, sql_inbox_add_dup);
	enum sd_rc rc;

	if (st == NULL)
		return db_stmt_rc(db);
	db_bind_text(st, 1, source);
	db_bind_text(st, 2, destination);
	db_bind_text(st, 3, body);
	sqlite3_bind_int(st, 4, (int)kind);
	sqlite3_bind_int64(st, 5, sd_clock_now());
	sqlite3_bind_int64(st, 6, db_inbox_hash(body));
	sqlite3_bind_int64(st, 7, dup_of);
	rc = db_step_done(db, st);
	if (rc == SD_OK && id != NULL)
		*id = sqlite3_last_insert_rowid(db->h);
	return rc;
}

static enum sd_rc
inbox_update(struct db *db, const char *sql, int64_t id, int64_t arg,
    bool has_arg)
{
	sqlite3_stmt *st = db_stmt(db, sql);

	if (st == NULL)
		return db_stmt_rc(db);
	sqlite3_bind_int64(st, 1, id);
	if (has_arg)
		sqlite3_bind_int64(st, 2, arg);
	return db_step_done(db, st);
}

enum sd_rc
db_inbox_handled(struct db *db, int64_t id, int64_t reply_id)
{
	return inbox_update(db, sql_inbox_handled, id, reply_id, true);
}

enum sd_rc
db_inbox_resent(struct db *db, int64_t id)
{
	return inbox_update(db, sql_inbox_resent, id, 0, false);
}

enum sd_rc
db_inbox_set_reason(struct db *db, int64_t id, const char *reason)
{
	sqlite3_stmt *st = db_stmt(db, sql_inbox_reason);
	char r[DB_INBOX_REASON_LEN];

	if (st == NULL)
		return db_stmt_rc(db);
	snprintf(r, sizeof(r), "%s", reason);
	sqlite3_bind_int64(st, 1, id);
	sqlite3_bind_text(st, 2, r, -1, SQLITE_TRANSIENT);
	return db_step_done(db, st);
}

void
db_inbox_entries_free(struct db_inbox_entry *rows, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		free(rows[i].body);
	free(rows);
}

enum sd_rc
db_inbox_recent(struct db *db, size_t max, struct db_inbox_entry **rows,
    size_t *n)
{
	sqlite3_stmt *st = db_stmt(db, sql_inbox_recent);
	struct db_inbox_entry *v;
	size_t k = 0;
	int r = SQLITE_DONE;

	*rows = NULL;
	*n = 0;
	if (st == NULL)
		return db_stmt_rc(db);
	if (max == 0 || max > SD_LIST_MAX)
		max = SD_LIST_MAX;
	v = xcalloc(max, sizeof(*v));
	sqlite3_bind_int64(st, 1, (int64_t)max);
	while (k < max && (r = sqlite3_step(st)) == SQLITE_ROW) {
		struct db_inbox_entry *x = &v[k++];
		const char *why = (const char *)sqlite3_column_text(st, 8);

		x->id = sqlite3_column_int64(st, 0);
		x->received = sqlite3_column_int64(st, 1);
		snprintf(x->source, sizeof(x->source), "%s",
		    (const char *)sqlite3_column_text(st, 2));
		x->body = db_col_text(st, 3);
		x->kind = (enum db_inbox_kind)sqlite3_column_int(st, 4);
		x->state = sqlite3_column_int(st, 5);
		x->dup_of = sqlite3_column_int64(st, 6);
		x->reply_id = sqlite3_column_int64(st, 7);
		snprintf(x->reason, sizeof(x->reason), "%s",
		    why != NULL ? why : "");
	}
	sqlite3_reset(st);
	if (r != SQLITE_DONE && r != SQLITE_ROW) {
		db_inbox_entries_free(v, k);
		return db_rc(sqlite3_extended_errcode(db->h));
	}
	*rows = v;
	*n = k;
	return SD_OK;
}

void
db_inbox_rows_free(struct db_inbox_row *rows, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		free(rows[i].body);
	free(rows);
}

enum sd_rc
db_inbox_unhandled(struct db *db, size_t max, struct db_inbox_row **rows,
    size_t *n)
{
	sqlite3_stmt *st = db_stmt(db, sql_inbox_unhandled);
	struct db_inbox_row *v;
	size_t k = 0;
	int r;

	*rows = NULL;
	*n = 0;
	if (st == NULL)
		return db_stmt_rc(db);
	v = xcalloc(max > 0 ? max : 1, sizeof(*v));
	sqlite3_bind_int64(st, 1, (int64_t)max);
	while (k < max && (r = sqlite3_step(st)) == SQLITE_ROW) {
		struct db_inbox_row *x = &v[k++];
		const char *sess = (const char *)sqlite3_column_text(st, 5);

		x->id = sqlite3_column_int64(st, 0);
		snprintf(x->source, sizeof(x->source), "%s",
		    (const char *)sqlite3_column_text(st, 1));
		snprintf(x->destination, sizeof(x->destination), "%s",
		    (const char *)sqlite3_column_text(st, 2));
		x->body = db_col_text(st, 3);
		x->kind = (enum db_inbox_kind)sqlite3_column_int(st, 4);
		x->ussd_session = sess != NULL && sess[0] != '\0' ? atoi(sess) :
								    -1;
	}
	r = sqlite3_errcode(db->h);
	sqlite3_reset(st);
	if (r != SQLITE_OK && r != SQLITE_DONE && r != SQLITE_ROW) {
		db_inbox_rows_free(v, k);
		return db_rc(sqlite3_extended_errcode(db->h));
	}
	if (k == 0) {
		free(v); /* nothing for the caller to free */
		return SD_OK;
	}
	*rows = v;
	*n = k;
	return SD_OK;
}

enum sd_rc
db_inbox_count_since(struct db *db, const char *source, int64_t since,
    int64_t *n)
{
	sqlite3_stmt *st = db_stmt(db, sql_inbox_count_since);
	int r;

	if (st == NULL)
		return db_stmt_rc(db);
	db_bind_text(st, 1, source);
	sqlite3_bind_int64(st, 2, since);
	r = sqlite3_step(st);
	if (r == SQLITE_ROW)
		*n = sqlite3_column_int64(st, 0);
	sqlite3_reset(st);
	return r == SQLITE_ROW ? SD_OK : db_rc(sqlite3_extended_errcode(db->h));
}

enum sd_rc
db_inbox_part_add(struct db *db, const struct db_inbox_part *p)
{
	sqlite3_stmt *st = db_stmt(db, sql_part_add);

	if (st == NULL)
		return db_stmt_rc(db);
	sqlite3_bind_text(st, 1, p->source, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, p->destination, -1, SQLITE_STATIC);
	sqlite3_bind_int(st, 3, p->ref);
	sqlite3_bind_int(st, 4, p->total);
	sqlite3_bind_int(st, 5, p->esm_class);
	sqlite3_bind_int(st, 6, p->data_coding);
	sqlite3_bind_blob(st, 7, p->len > 0 ? (const void *)p->sm : "",
	    (int)p->len, SQLITE_STATIC);
	sqlite3_bind_int(st, 8, p->sar ? 1 : 0);
	sqlite3_bind_int(st, 9, p->sar_ref);
	sqlite3_bind_int(st, 10, p->sar_total);
	sqlite3_bind_int(st, 11, p->sar_seq);
	sqlite3_bind_int64(st, 12, p->received);
	return db_step_done(db, st);
}

enum sd_rc
db_inbox_parts_drop(struct db *db, const char *source, const char *destination,
    int ref, int total)
{
	sqlite3_stmt *st = db_stmt(db, sql_parts_drop);

	if (st == NULL)
		return db_stmt_rc(db);
	sqlite3_bind_text(st, 1, source, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, destination, -1, SQLITE_STATIC);
	sqlite3_bind_int(st, 3, ref);
	sqlite3_bind_int(st, 4, total);
	return db_step_done(db, st);
}

void
db_inbox_parts_free(struct db_inbox_part *parts, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		free(parts[i].sm);
	free(parts);
}

static void
part_read(sqlite3_stmt *st, void *row)
{
	struct db_inbox_part *x = row;
	const void *b = sqlite3_column_blob(st, 6);
	int bl = sqlite3_column_bytes(st, 6);

	snprintf(x->source, sizeof(x->source), "%s",
	    (const char *)sqlite3_column_text(st, 0));
	snprintf(x->destination, sizeof(x->destination), "%s",
	    (const char *)sqlite3_column_text(st, 1));
	x->ref = sqlite3_column_int(st, 2);
	x->total = sqlite3_column_int(st, 3);
	x->esm_class = sqlite3_column_int(st, 4);
	x->data_coding = sqlite3_column_int(st, 5);
	x->len = bl > 0 ? (size_t)bl : 0;
	x->sm = xmalloc(x->len > 0 ? x->len : 1);
	if (x->len > 0)
		memcpy(x->sm, b, x->len);
	x->sar = sqlite3_column_int(st, 7) != 0;
	x->sar_ref = sqlite3_column_int(st, 8);
	x->sar_total = sqlite3_column_int(st, 9);
	x->sar_seq = sqlite3_column_int(st, 10);
	x->received = sqlite3_column_int64(st, 11);
}

static void
part_release(void *rows, size_t n)
{
	db_inbox_parts_free(rows, n);
}

enum sd_rc
db_inbox_parts(struct db *db, struct db_inbox_part **parts, size_t *n)
{
	sqlite3_stmt *st = db_stmt(db, sql_parts);
	void *v;
	enum sd_rc rc;

	*parts = NULL;
	*n = 0;
	if (st == NULL)
		return db_stmt_rc(db);
	rc = db_rows(db, st, sizeof(**parts), part_read, part_release, &v, n);
	*parts = v;
	return rc;
}
