/*
 * db/staff.c: what the staff request page reads and writes (issue #14):
 * internal notes, canned answers, a request's assignment and transfer,
 * its history (the audit rows of "request:N") and the SMS sent about it.
 *
 * Notes live in their own table (schema 14) and are read only here: no
 * query of the applicant's pages, links or SMS touches it. The SMS list
 * never selects a body, and leaves one-time passwords out altogether.
 */
#include "db/db.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db/db_int.h"

static const char
    sql_note_add[] = "INSERT INTO notes (tracking, author_id, body, created)"
		     " VALUES (?1, ?2, ?3, ?4)";
static const char sql_note_list
    [] = "SELECT n.id, n.tracking, n.author_id,"
	 " coalesce(u.first_name || ' ' || u.last_name, ''), n.body,"
	 " n.created FROM notes n LEFT JOIN users u ON u.id = n.author_id"
	 " WHERE n.tracking = ?1 ORDER BY n.id LIMIT ?2";
static const char sql_canned_add
    [] = "INSERT INTO canned (dept_code, title, body, updated_by, updated)"
	 " VALUES (?1, ?2, ?3, ?4, ?5)";
static const char sql_canned_get
    [] = "SELECT id, dept_code, title, body, updated_by, updated FROM canned"
	 " WHERE id = ?1";
static const char sql_canned_update
    [] = "UPDATE canned SET title = ?2, body = ?3, updated_by = ?4,"
	 " updated = ?5 WHERE id = ?1";
static const char sql_canned_delete[] = "DELETE FROM canned WHERE id = ?1";
static const char sql_canned_list
    [] = "SELECT id, dept_code, title, body, updated_by, updated FROM canned"
	 " WHERE ?1 = 0 OR dept_code = ?1 ORDER BY dept_code, title, id"
	 " LIMIT ?2";
static const char sql_req_assigned
    [] = "SELECT coalesce(assigned_to, 0) FROM requests WHERE tracking = ?1";
static const char sql_req_assign
    [] = "UPDATE requests SET assigned_to = nullif(?2, 0), updated = ?3"
	 " WHERE tracking = ?1";
static const char sql_req_transfer
    [] = "UPDATE requests SET dept_code = ?2, orig_dept = ?2,"
	 " assigned_to = NULL, updated = ?3 WHERE tracking = ?1";
static const char sql_staff_assignable
    [] = "SELECT 1 FROM users u JOIN staff_departments s ON s.user_id = u.id"
	 " WHERE u.id = ?1 AND s.dept_code = ?2 AND u.role <> 0"
	 " AND u.disabled = 0";
static const char sql_staff_active
    [] = "SELECT u.id, u.first_name || ' ' || u.last_name, u.title"
	 " FROM users u JOIN staff_departments s ON s.user_id = u.id"
	 " WHERE s.dept_code = ?1 AND u.role <> 0 AND u.disabled = 0"
	 " ORDER BY u.last_name, u.first_name, u.id LIMIT ?2";
static const char sql_staff_ref
    [] = "SELECT id, first_name || ' ' || last_name, title FROM users"
	 " WHERE id = ?1";
static const char sql_audit_list
    [] = "SELECT a.id, a.at, a.actor_id,"
	 " coalesce(u.first_name || ' ' || u.last_name, ''), a.action,"
	 " a.detail FROM audit a LEFT JOIN users u ON u.id = a.actor_id"
	 " WHERE a.object = ?1 ORDER BY a.id LIMIT ?2";
/* Never the body; never a one-time password (kind 0). */
static const char sql_req_sms
    [] = "SELECT id, kind, destination, state, created, updated FROM outbox"
	 " WHERE tracking = ?1 AND kind <> 0 ORDER BY id LIMIT ?2";

/* The error of a statement that stopped with r. */
static enum sd_rc
step_rc(struct db *db, int r)
{
	return r == SQLITE_DONE ? SD_OK :
				  db_rc(sqlite3_extended_errcode(db->h));
}

/* ---- Notes ----------------------------------------------------------------
 */

void
db_note_list_free(struct db_note *rows, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		free(rows[i].author_name);
		free(rows[i].body);
	}
	free(rows);
}

enum sd_rc
db_note_add(struct db *db, int64_t tracking, int64_t author_id,
    const char *body, int64_t now, int64_t *id)
{
	sqlite3_stmt *st = db_stmt(db, sql_note_add);
	enum sd_rc rc;

	if (st == NULL)
		return db_stmt_rc(db);
	sqlite3_bind_int64(st, 1, tracking);
	sqlite3_bind_int64(st, 2, author_id);
	db_bind_text(st, 3, body);
	sqlite3_bind_int64(st, 4, now);
	rc = db_step_done(db, st);
	if (rc == SD_OK && id != NULL)
		*id = sqlite3_last_insert_rowid(db->h);
	return rc;
}

static void
note_read(sqlite3_stmt *st, void *row)
{
	struct db_note *x = row;

	x->id = sqlite3_column_int64(st, 0);
	x->tracking = sqlite3_column_int64(st, 1);
	x->author_id = sqlite3_column_int64(st, 2);
	x->author_name = db_col_text(st, 3);
	x->body = db_col_text(st, 4);
	x->created = sqlite3_column_int64(st, 5);
}

static void
note_release(void *rows, size_t n)
{
	db_note_list_free(rows, n);
}

enum sd_rc
db_note_list(struct db *db, int64_t tracking, size_t max, struct db_note **rows,
    size_t *n)
{
	sqlite3_stmt *st = db_stmt(db, sql_note_list);
	void *v;
	enum sd_rc rc;

	*rows = NULL;
	*n = 0;
	if (st == NULL)
		return db_stmt_rc(db);
	sqlite3_bind_int64(st, 1, tracking);
	sqlite3_bind_int64(st, 2, (int64_t)max);
	rc = db_rows(db, st, sizeof(**rows), note_read, note_release, &v, n);
	*rows = v;
	return rc;
}

/* ---- Canned answers ------------------------------------------------------ */

void
db_canned_fini(struct db_canned *c)
{
	if (c == NULL)
		return;
	free(c->title);
	free(c->body);
	c->title = c->body = NULL;
}

void
db_canned_list_free(struct db_canned *rows, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		db_canned_fini(&rows[i]);
	free(rows);
}

static void
canned_read(sqlite3_stmt *st, void *row)
{
	struct db_canned *c = row;

	c->id = sqlite3_column_int64(st, 0);
	c->dept = sqlite3_column_int(st, 1);
	c->title = db_col_text(st, 2);
	c->body = db_col_text(st, 3);
	c->updated_by = sqlite3_column_int64(st, 4);
	c->updated = sqlite3_column_int64(st, 5);
}

enum sd_rc
db_canned_add(struct db *db, int dept, const char *title, const char *body,
    int64_t by, int64_t now, int64_t *id)
{
	sqlite3_stmt *st = db_stmt(db, sql_canned_add);
	enum sd_rc rc;

	if (st == NULL)
		return db_stmt_rc(db);
	sqlite3_bind_int(st, 1, dept);
	db_bind_text(st, 2, title);
	db_bind_text(st, 3, body);
	sqlite3_bind_int64(st, 4, by);
	sqlite3_bind_int64(st, 5, now);
	rc = db_step_done(db, st);
	if (rc == SD_OK && id != NULL)
		*id = sqlite3_last_insert_rowid(db->h);
	return rc;
}

enum sd_rc
db_canned_get(struct db *db, int64_t id, struct db_canned *out)
{
	sqlite3_stmt *st = db_stmt(db, sql_canned_get);
	int r;

	memset(out, 0, sizeof(*out));
	if (st == NULL)
		return db_stmt_rc(db);
	sqlite3_bind_int64(st, 1, id);
	r = sqlite3_step(st);
	if (r == SQLITE_ROW)
		canned_read(st, out);
	sqlite3_reset(st);
	if (r == SQLITE_ROW)
		return SD_OK;
	return r == SQLITE_DONE ? SD_ENOTFOUND : step_rc(db, r);
}

enum sd_rc
db_canned_update(struct db *db, int64_t id, const char *title, const char *body,
    int64_t by, int64_t now)
{
	sqlite3_stmt *st = db_stmt(db, sql_canned_update);
	enum sd_rc rc;

	if (st == NULL)
		return db_stmt_rc(db);
	sqlite3_bind_int64(st, 1, id);
	db_bind_text(st, 2, title);
	db_bind_text(st, 3, body);
	sqlite3_bind_int64(st, 4, by);
	sqlite3_bind_int64(st, 5, now);
	rc = db_step_done(db, st);
	if (rc == SD_OK && sqlite3_changes(db->h) == 0)
		rc = SD_ENOTFOUND;
	return rc;
}

enum sd_rc
db_canned_delete(struct db *db, int64_t id)
{
	sqlite3_stmt *st = db_stmt(db, sql_canned_delete);
	enum sd_rc rc;

	if (st == NULL)
		return db_stmt_rc(db);
	sqlite3_bind_int64(st, 1, id);
	rc = db_step_done(db, st);
	if (rc == SD_OK && sqlite3_changes(db->h) == 0)
		rc = SD_ENOTFOUND;
	return rc;
}

static void
canned_release(void *rows, size_t n)
{
	db_canned_list_free(rows, n);
}

enum sd_rc
db_canned_list(struct db *db, int dept, size_t max, struct db_canned **rows,
    size_t *n)
{
	sqlite3_stmt *st = db_stmt(db, sql_canned_list);
	void *v;
	enum sd_rc rc;

	*rows = NULL;
	*n = 0;
	if (st == NULL)
		return db_stmt_rc(db);
	sqlite3_bind_int(st, 1, dept);
	sqlite3_bind_int64(st, 2, (int64_t)max);
	rc = db_rows(db, st, sizeof(**rows), canned_read, canned_release, &v,
	    n);
	*rows = v;
	return rc;
}

/* ---- Assignment and transfer --------------------------------------------- */

enum sd_rc
db_request_assigned(struct db *db, int64_t tracking, int64_t *user_id)
{
	sqlite3_stmt *st = db_stmt(db, sql_req_assigned);
	int r;

	*user_id = 0;
	if (st == NULL)
		return db_stmt_rc(db);
	sqlite3_bind_int64(st, 1, tracking);
	r = sqlite3_step(st);
	if (r == SQLITE_ROW)
		*user_id = sqlite3_column_int64(st, 0);
	sqlite3_reset(st);
	if (r == SQLITE_ROW)
		return SD_OK;
	return r == SQLITE_DONE ? SD_ENOTFOUND : step_rc(db, r);
}

/* Run an UPDATE of one request: SD_ENOTFOUND if it changed nothing. */
static enum sd_rc
req_update(struct db *db, sqlite3_stmt *st)
{
	enum sd_rc rc = db_step_done(db, st);

	if (rc == SD_OK && sqlite3_changes(db->h) == 0)
		rc = SD_ENOTFOUND;
	return rc;
}

enum sd_rc
db_request_assign(struct db *db, int64_t tracking, int64_t user_id, int64_t now)
{
	sqlite3_stmt *st = db_stmt(db, sql_req_assign);

	if (st == NULL)
		return db_stmt_rc(db);
	sqlite3_bind_int64(st, 1, tracking);
	sqlite3_bind_int64(st, 2, user_id);
	sqlite3_bind_int64(st, 3, now);
	return req_update(db, st);
}

enum sd_rc
db_request_transfer(struct db *db, int64_t tracking, int dept, int64_t now)
{
	sqlite3_stmt *st = db_stmt(db, sql_req_transfer);

	if (st == NULL)
		return db_stmt_rc(db);
	sqlite3_bind_int64(st, 1, tracking);
	sqlite3_bind_int(st, 2, dept);
	sqlite3_bind_int64(st, 3, now);
	return req_update(db, st);
}

enum sd_rc
db_staff_assignable(struct db *db, int64_t user_id, int dept, bool *yes)
{
	sqlite3_stmt *st = db_stmt(db, sql_staff_assignable);
	int r;

	*yes = false;
	if (st == NULL)
		return db_stmt_rc(db);
	sqlite3_bind_int64(st, 1, user_id);
	sqlite3_bind_int(st, 2, dept);
	r = sqlite3_step(st);
	*yes = r == SQLITE_ROW;
	sqlite3_reset(st);
	return r == SQLITE_ROW ? SD_OK : step_rc(db, r);
}

void
db_staff_ref_list_free(struct db_staff_ref *rows, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		free(rows[i].name);
		free(rows[i].title);
	}
	free(rows);
}

static void
ref_read(sqlite3_stmt *st, void *row)
{
	struct db_staff_ref *s = row;

	s->id = sqlite3_column_int64(st, 0);
	s->name = db_col_text(st, 1);
	s->title = db_col_text(st, 2);
}

static void
ref_release(void *rows, size_t n)
{
	db_staff_ref_list_free(rows, n);
}

enum sd_rc
db_staff_active_of_dept(struct db *db, int dept, size_t max,
    struct db_staff_ref **rows, size_t *n)
{
	sqlite3_stmt *st = db_stmt(db, sql_staff_active);
	void *v;
	enum sd_rc rc;

	*rows = NULL;
	*n = 0;
	if (st == NULL)
		return db_stmt_rc(db);
	sqlite3_bind_int(st, 1, dept);
	sqlite3_bind_int64(st, 2, (int64_t)max);
	rc = db_rows(db, st, sizeof(**rows), ref_read, ref_release, &v, n);
	*rows = v;
	return rc;
}

enum sd_rc
db_staff_ref_get(struct db *db, int64_t id, struct db_staff_ref *out)
{
	sqlite3_stmt *st = db_stmt(db, sql_staff_ref);
	int r;

	memset(out, 0, sizeof(*out));
	if (st == NULL)
		return db_stmt_rc(db);
	sqlite3_bind_int64(st, 1, id);
	r = sqlite3_step(st);
	if (r == SQLITE_ROW)
		ref_read(st, out);
	sqlite3_reset(st);
	if (r == SQLITE_ROW)
		return SD_OK;
	return r == SQLITE_DONE ? SD_ENOTFOUND : step_rc(db, r);
}

/* ---- History and SMS ------------------------------------------------------
 */

void
db_audit_rows_free(struct db_audit_row *rows, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		free(rows[i].actor_name);
		free(rows[i].action);
		free(rows[i].detail);
	}
	free(rows);
}

static void
audit_read(sqlite3_stmt *st, void *row)
{
	struct db_audit_row *a = row;

	a->id = sqlite3_column_int64(st, 0);
	a->at = sqlite3_column_int64(st, 1);
	a->actor_id = sqlite3_column_int64(st, 2);
	a->actor_name = db_col_text(st, 3);
	a->action = db_col_text(st, 4);
	a->detail = db_col_text(st, 5);
}

static void
audit_release(void *rows, size_t n)
{
	db_audit_rows_free(rows, n);
}

enum sd_rc
db_audit_list(struct db *db, const char *object, size_t max,
    struct db_audit_row **rows, size_t *n)
{
	sqlite3_stmt *st = db_stmt(db, sql_audit_list);
	void *v;
	enum sd_rc rc;

	*rows = NULL;
	*n = 0;
	if (st == NULL)
		return db_stmt_rc(db);
	db_bind_text(st, 1, object);
	sqlite3_bind_int64(st, 2, (int64_t)max);
	rc = db_rows(db, st, sizeof(**rows), audit_read, audit_release, &v, n);
	*rows = v;
	return rc;
}

static void
sms_read(sqlite3_stmt *st, void *row)
{
	struct db_sms_row *m = row;
	const unsigned char *d = sqlite3_column_text(st, 2);

	m->id = sqlite3_column_int64(st, 0);
	m->kind = (enum core_out_kind)sqlite3_column_int(st, 1);
	snprintf(m->destination, sizeof(m->destination), "%s",
	    d != NULL ? (const char *)d : "");
	m->state = (enum core_out_state)sqlite3_column_int(st, 3);
	m->created = sqlite3_column_int64(st, 4);
	m->updated = sqlite3_column_int64(st, 5);
}

enum sd_rc
db_request_sms(struct db *db, int64_t tracking, size_t max,
    struct db_sms_row **rows, size_t *n)
{
	sqlite3_stmt *st = db_stmt(db, sql_req_sms);
	void *v;
	enum sd_rc rc;

	*rows = NULL;
	*n = 0;
	if (st == NULL)
		return db_stmt_rc(db);
	sqlite3_bind_int64(st, 1, tracking);
	sqlite3_bind_int64(st, 2, (int64_t)max);
	rc = db_rows(db, st, sizeof(**rows), sms_read, NULL, &v, n);
	*rows = v;
	return rc;
}
