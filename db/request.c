/* db/request.c: requests, their threads (messages) and the audit log. */
#include "db/db.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/base/clock.h"
#include "db/db_int.h"

#define REQ_COLS                                                               \
	"tracking, applicant_id, dept_code, priority, title, status,"          \
	" channel, created, updated, due, escalated, orig_dept, waiting_since"

static const char sql_req_insert
    [] = "INSERT INTO requests (applicant_id, dept_code, orig_dept, priority,"
	 " title, status, channel, created, updated, due, waiting_since)"
	 " VALUES (?1, ?2, ?2, ?3, ?4, ?5, ?6, ?7, ?7, ?8, ?7)";
static const char sql_req_get[] = "SELECT " REQ_COLS
				  " FROM requests WHERE tracking = ?1";
/* Turning awaiting starts the SLA clock; staying awaiting keeps it. */
static const char sql_req_set_status
    [] = "UPDATE requests SET waiting_since = CASE WHEN ?2 = 0 AND status != 0"
	 " THEN ?3 ELSE waiting_since END, due = CASE WHEN ?2 != 0 THEN 0"
	 " WHEN status != 0 THEN ?4 ELSE due END, status = ?2, updated = ?3"
	 " WHERE tracking = ?1";
static const char sql_req_escalate
    [] = "UPDATE requests SET escalated = 1, updated = ?2 WHERE tracking = ?1";
static const char sql_req_awaiting
    [] = "SELECT tracking, waiting_since FROM requests WHERE status = 0"
	 " AND escalated = 0 AND waiting_since <= ?1"
	 " AND (waiting_since, tracking) > (?3, ?4)"
	 " ORDER BY waiting_since, tracking LIMIT ?2";
static const char
    sql_req_by_applicant[] = "SELECT " REQ_COLS
			     " FROM requests WHERE applicant_id = ?1"
			     " ORDER BY tracking DESC LIMIT ?2";
/* Waiting requests of a staff member's departments (either the one it
 * is in or the one it came from before an escalation), or of all (?1 =
 * 0): by due time where one is kept, else by the last change the SLA
 * counts from, so the longest overdue come first. */
static const char sql_req_waiting_for
    [] = "SELECT " REQ_COLS " FROM requests WHERE status = 0 AND (?1 = 0"
	 " OR dept_code IN (SELECT dept_code FROM staff_departments"
	 " WHERE user_id = ?1) OR orig_dept IN (SELECT dept_code FROM"
	 " staff_departments WHERE user_id = ?1))"
	 " ORDER BY CASE WHEN due != 0 THEN due ELSE updated END, tracking"
	 " LIMIT ?2";
static const char sql_msg_insert
    [] = "INSERT INTO messages (tracking, author_id, author_role, author_name,"
	 " author_title, body, channel, created)"
	 " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)";
static const char
    sql_msg_list[] = "SELECT id, tracking, author_id, author_role, author_name,"
		     " author_title, body, channel, created FROM messages"
		     " WHERE tracking = ?1 ORDER BY id";
static const char sql_msg_last_answer
    [] = "SELECT id, tracking, author_id, author_role, author_name,"
	 " author_title, body, channel, created FROM messages"
	 " WHERE tracking = ?1 AND author_role > 0 ORDER BY id DESC LIMIT 1";
static const char
    sql_audit_add[] = "INSERT INTO audit (at, actor_id, action, object, detail)"
		      " VALUES (?1, ?2, ?3, ?4, ?5)";
static const char sql_req_set_staff_alert
    [] = "UPDATE requests SET staff_alert = ?2 WHERE tracking = ?1";
static const char sql_req_alerted_applicant
    [] = "SELECT count(*) FROM requests WHERE applicant_id = ?1"
	 " AND staff_alert = 1 AND created >= ?2";
static const char sql_req_alerted_dept
    [] = "SELECT count(*) FROM requests WHERE orig_dept = ?1"
	 " AND staff_alert = 1 AND created >= ?2";
static const char sql_req_held_staff
    [] = "SELECT DISTINCT s.user_id FROM requests r JOIN staff_departments s"
	 " ON s.dept_code = r.orig_dept JOIN users u ON u.id = s.user_id"
	 " WHERE u.disabled = 0 AND r.staff_alert = 2"
	 " AND r.status = 0 AND r.created >= ?1 ORDER BY s.user_id LIMIT ?2";
static const char sql_req_held_for
    [] = "SELECT r.tracking FROM requests r JOIN staff_departments s"
	 " ON s.dept_code = r.orig_dept WHERE s.user_id = ?1"
	 " AND r.staff_alert = 2 AND r.status = 0 AND r.tracking > ?2"
	 " AND r.created >= ?3 ORDER BY r.tracking LIMIT ?4";
static const char sql_audit_last
    [] = "SELECT at, detail FROM audit WHERE object = ?1 AND action = ?2"
	 " ORDER BY id DESC LIMIT 1";
static const char
    sql_audit_count[] = "SELECT count(*) FROM audit WHERE object = ?1";

void
db_request_fini(struct db_request *r)
{
	if (r == NULL)
		return;
	free(r->title);
	r->title = NULL;
}

void
db_request_list_free(struct db_request *rows, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		db_request_fini(&rows[i]);
	free(rows);
}

static void
req_read(sqlite3_stmt *st, void *row)
{
	struct db_request *r = row;

	memset(r, 0, sizeof(*r));
	r->tracking = sqlite3_column_int64(st, 0);
	r->applicant_id = sqlite3_column_int64(st, 1);
	r->dept = sqlite3_column_int(st, 2);
	r->prio = (enum core_priority)sqlite3_column_int(st, 3);
	r->title = db_col_text(st, 4);
	r->status = (enum core_status)sqlite3_column_int(st, 5);
	r->chan = (enum core_channel)sqlite3_column_int(st, 6);
	r->created = sqlite3_column_int64(st, 7);
	r->updated = sqlite3_column_int64(st, 8);
	r->due = sqlite3_column_int64(st, 9);
	r->escalated = sqlite3_column_int(st, 10) != 0;
	r->orig_dept = sqlite3_column_int(st, 11);
	r->waiting_since = sqlite3_column_int64(st, 12);
}

enum sd_rc
db_request_insert(struct db *db, const struct db_request *r, int64_t *tracking)
{
	sqlite3_stmt *st = db_stmt(db, sql_req_insert);
	enum sd_rc rc;

	if (st == NULL)
		return db_stmt_rc(db);
	sqlite3_bind_int64(st, 1, r->applicant_id);
	sqlite3_bind_int(st, 2, r->dept);
	sqlite3_bind_int(st, 3, (int)r->prio);
	db_bind_text(st, 4, r->title);
	sqlite3_bind_int(st, 5, (int)r->status);
	sqlite3_bind_int(st, 6, (int)r->chan);
	sqlite3_bind_int64(st, 7, r->created);
	sqlite3_bind_int64(st, 8, r->due);
	rc = db_step_done(db, st);
	if (rc == SD_OK)
		*tracking = sqlite3_last_insert_rowid(db->h);
	/* Its search entry in the same transaction (db/fts.c). */
	if (rc == SD_OK)
		rc = db_fts_put(db, *tracking, r->title, "");
	return rc;
}

enum sd_rc
db_request_get(struct db *db, int64_t tracking, struct db_request *out)
{
	sqlite3_stmt *st = db_stmt(db, sql_req_get);
	enum sd_rc rc = SD_OK;
	int r;

	if (st == NULL)
		return db_stmt_rc(db);
	sqlite3_bind_int64(st, 1, tracking);
	r = sqlite3_step(st);
	if (r == SQLITE_ROW)
		req_read(st, out);
	else
		rc = r == SQLITE_DONE ? SD_ENOTFOUND :
					db_rc(sqlite3_extended_errcode(db->h));
	sqlite3_reset(st);
	return rc;
}

/* Step an UPDATE keyed by tracking; SD_ENOTFOUND if it touched no row. */
static enum sd_rc
req_update(struct db *db, sqlite3_stmt *st)
{
	enum sd_rc rc = db_step_done(db, st);

	if (rc == SD_OK && sqlite3_changes(db->h) == 0)
		return SD_ENOTFOUND;
	return rc;
}

enum sd_rc
db_request_set_status_due(struct db *db, int64_t tracking,
    enum core_status status, int64_t now, int64_t due)
{
	sqlite3_stmt *st = db_stmt(db, sql_req_set_status);

	if (st == NULL)
		return db_stmt_rc(db);
	sqlite3_bind_int64(st, 1, tracking);
	sqlite3_bind_int(st, 2, (int)status);
	sqlite3_bind_int64(st, 3, now);
	sqlite3_bind_int64(st, 4, due);
	return req_update(db, st);
}

enum sd_rc
db_request_awaiting(struct db *db, int64_t waiting_before,
    const struct db_request_age *after, size_t max, struct db_request_age *out,
    size_t *n)
{
	sqlite3_stmt *st = db_stmt(db, sql_req_awaiting);
	size_t k = 0;
	int r = SQLITE_DONE;

	*n = 0;
	if (st == NULL)
		return db_stmt_rc(db);
	sqlite3_bind_int64(st, 1, waiting_before);
	sqlite3_bind_int64(st, 2, (int64_t)max);
	sqlite3_bind_int64(st, 3,
	    after != NULL ? after->waiting_since : INT64_MIN);
	sqlite3_bind_int64(st, 4, after != NULL ? after->tracking : 0);
	while (k < max && (r = sqlite3_step(st)) == SQLITE_ROW) {
		out[k].tracking = sqlite3_column_int64(st, 0);
		out[k].waiting_since = sqlite3_column_int64(st, 1);
		k++;
	}
	if (k == max)
		r = SQLITE_DONE;
	sqlite3_reset(st);
	if (r != SQLITE_DONE)
		return db_rc(sqlite3_extended_errcode(db->h));
	*n = k;
	return SD_OK;
}

enum sd_rc
db_request_escalate(struct db *db, int64_t tracking, int64_t now)
{
	sqlite3_stmt *st = db_stmt(db, sql_req_escalate);

	if (st == NULL)
		return db_stmt_rc(db);
	sqlite3_bind_int64(st, 1, tracking);
	sqlite3_bind_int64(st, 2, now);
	return req_update(db, st);
}

static void
req_release(void *rows, size_t n)
{
	db_request_list_free(rows, n);
}

/* The rows of st (bound, not yet stepped), into *rows. */
static enum sd_rc
req_list(struct db *db, sqlite3_stmt *st, struct db_request **rows, size_t *n)
{
	void *v;
	enum sd_rc rc;

	rc = db_rows(db, st, sizeof(**rows), req_read, req_release, &v, n);
	*rows = v;
	return rc;
}

enum sd_rc
db_request_list_by_applicant(struct db *db, int64_t applicant_id, size_t limit,
    struct db_request **rows, size_t *n)
{
	sqlite3_stmt *st = db_stmt(db, sql_req_by_applicant);

	*rows = NULL;
	*n = 0;
	if (st == NULL)
		return db_stmt_rc(db);
	sqlite3_bind_int64(st, 1, applicant_id);
	sqlite3_bind_int64(st, 2, (sqlite3_int64)limit);
	return req_list(db, st, rows, n);
}

enum sd_rc
db_request_waiting_for(struct db *db, int64_t user_id, size_t limit,
    struct db_request **rows, size_t *n)
{
	sqlite3_stmt *st = db_stmt(db, sql_req_waiting_for);

	*rows = NULL;
	*n = 0;
	if (st == NULL)
		return db_stmt_rc(db);
	sqlite3_bind_int64(st, 1, user_id);
	sqlite3_bind_int64(st, 2, (sqlite3_int64)limit);
	return req_list(db, st, rows, n);
}

void
db_message_fini(struct db_message *m)
{
	if (m == NULL)
		return;
	free(m->author_name);
	free(m->author_title);
	free(m->body);
	m->author_name = m->author_title = m->body = NULL;
}

void
db_message_list_free(struct db_message *rows, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		db_message_fini(&rows[i]);
	free(rows);
}

enum sd_rc
db_message_insert(struct db *db, const struct db_message *m, int64_t *id)
{
	sqlite3_stmt *st = db_stmt(db, sql_msg_insert);
	enum sd_rc rc;

	if (st == NULL)
		return db_stmt_rc(db);
	sqlite3_bind_int64(st, 1, m->tracking);
	sqlite3_bind_int64(st, 2, m->author_id);
	sqlite3_bind_int(st, 3, (int)m->author_role);
	db_bind_text(st, 4, m->author_name);
	db_bind_text(st, 5, m->author_title != NULL ? m->author_title : "");
	db_bind_text(st, 6, m->body);
	sqlite3_bind_int(st, 7, (int)m->chan);
	sqlite3_bind_int64(st, 8, m->created);
	rc = db_step_done(db, st);
	if (rc == SD_OK && id != NULL)
		*id = sqlite3_last_insert_rowid(db->h);
	/* The first message's text is searched with the title. */
	if (rc == SD_OK && m->author_role == CORE_ROLE_APPLICANT)
		rc = db_fts_first_body(db, m->tracking, m->body);
	return rc;
}

static void
msg_read(sqlite3_stmt *st, void *row)
{
	struct db_message *m = row;

	m->id = sqlite3_column_int64(st, 0);
	m->tracking = sqlite3_column_int64(st, 1);
	m->author_id = sqlite3_column_int64(st, 2);
	m->author_role = (enum core_role)sqlite3_column_int(st, 3);
	m->author_name = db_col_text(st, 4);
	m->author_title = db_col_text(st, 5);
	m->body = db_col_text(st, 6);
	m->chan = (enum core_channel)sqlite3_column_int(st, 7);
	m->created = sqlite3_column_int64(st, 8);
}

enum sd_rc
db_message_last_answer(struct db *db, int64_t tracking, struct db_message *out)
{
	sqlite3_stmt *st = db_stmt(db, sql_msg_last_answer);
	int r;

	if (st == NULL)
		return db_stmt_rc(db);
	sqlite3_bind_int64(st, 1, tracking);
	r = sqlite3_step(st);
	if (r == SQLITE_ROW)
		msg_read(st, out);
	sqlite3_reset(st);
	if (r == SQLITE_ROW)
		return SD_OK;
	return r == SQLITE_DONE ? SD_ENOTFOUND :
				  db_rc(sqlite3_extended_errcode(db->h));
}

static void
msg_release(void *rows, size_t n)
{
	db_message_list_free(rows, n);
}

enum sd_rc
db_message_list(struct db *db, int64_t tracking, struct db_message **rows,
    size_t *n)
{
	sqlite3_stmt *st = db_stmt(db, sql_msg_list);
	void *v;
	enum sd_rc rc;

	*rows = NULL;
	*n = 0;
	if (st == NULL)
		return db_stmt_rc(db);
	sqlite3_bind_int64(st, 1, tracking);
	rc = db_rows(db, st, sizeof(**rows), msg_read, msg_release, &v, n);
	*rows = v;
	return rc;
}

enum sd_rc
db_audit_add(struct db *db, int64_t actor_id, const char *action,
    const char *object, const char *detail)
{
	sqlite3_stmt *st = db_stmt(db, sql_audit_add);

	if (st == NULL)
		return db_stmt_rc(db);
	sqlite3_bind_int64(st, 1, sd_clock_now());
	sqlite3_bind_int64(st, 2, actor_id);
	db_bind_text(st, 3, action);
	db_bind_text(st, 4, object);
	db_bind_text(st, 5, detail != NULL ? detail : "");
	return db_step_done(db, st);
}

enum sd_rc
db_audit_count(struct db *db, const char *object, int64_t *n)
{
	sqlite3_stmt *st = db_stmt(db, sql_audit_count);
	int r;

	if (st == NULL)
		return db_stmt_rc(db);
	db_bind_text(st, 1, object);
	r = sqlite3_step(st);
	if (r == SQLITE_ROW)
		*n = sqlite3_column_int64(st, 0);
	sqlite3_reset(st);
	return r == SQLITE_ROW ? SD_OK : db_rc(sqlite3_extended_errcode(db->h));
}

enum sd_rc
db_request_set_staff_alert(struct db *db, int64_t tracking,
    enum db_staff_alert a)
{
	sqlite3_stmt *st = db_stmt(db, sql_req_set_staff_alert);

	if (st == NULL)
		return db_stmt_rc(db);
	sqlite3_bind_int64(st, 1, tracking);
	sqlite3_bind_int(st, 2, (int)a);
	return db_step_done(db, st);
}

enum sd_rc
db_request_alerted_since(struct db *db, int64_t applicant_id, int dept,
    int64_t since, int64_t *n)
{
	sqlite3_stmt *st = db_stmt(db,
	    applicant_id != 0 ? sql_req_alerted_applicant :
				sql_req_alerted_dept);
	int r;

	if (st == NULL)
		return db_stmt_rc(db);
	if (applicant_id != 0)
		sqlite3_bind_int64(st, 1, applicant_id);
	else
		sqlite3_bind_int(st, 1, dept);
	sqlite3_bind_int64(st, 2, since);
	r = sqlite3_step(st);
	if (r == SQLITE_ROW)
		*n = sqlite3_column_int64(st, 0);
	sqlite3_reset(st);
	return r == SQLITE_ROW ? SD_OK : db_rc(sqlite3_extended_errcode(db->h));
}

/* Step st (bound) collecting its first column into v (at most max). */
static enum sd_rc
collect_ids(struct db *db, sqlite3_stmt *st, int64_t *v, size_t max, size_t *n)
{
	int r = SQLITE_DONE;

	*n = 0;
	while (*n < max && (r = sqlite3_step(st)) == SQLITE_ROW)
		v[(*n)++] = sqlite3_column_int64(st, 0);
	if (*n == max)
		r = SQLITE_DONE;
	sqlite3_reset(st);
	return r == SQLITE_DONE ? SD_OK :
				  db_rc(sqlite3_extended_errcode(db->h));
}

enum sd_rc
db_request_held_staff(struct db *db, int64_t since, int64_t *ids, size_t max,
    size_t *n)
{
	sqlite3_stmt *st = db_stmt(db, sql_req_held_staff);

	*n = 0;
	if (st == NULL)
		return db_stmt_rc(db);
	sqlite3_bind_int64(st, 1, since);
	sqlite3_bind_int64(st, 2, (int64_t)max);
	return collect_ids(db, st, ids, max, n);
}

enum sd_rc
db_request_held_for(struct db *db, int64_t user_id, int64_t after,
    int64_t since, int64_t *trackings, size_t max, size_t *n)
{
	sqlite3_stmt *st = db_stmt(db, sql_req_held_for);

	*n = 0;
	if (st == NULL)
		return db_stmt_rc(db);
	sqlite3_bind_int64(st, 1, user_id);
	sqlite3_bind_int64(st, 2, after);
	sqlite3_bind_int64(st, 3, since);
	sqlite3_bind_int64(st, 4, (int64_t)max);
	return collect_ids(db, st, trackings, max, n);
}

enum sd_rc
db_audit_last(struct db *db, const char *object, const char *action,
    int64_t *at, char *detail, size_t n)
{
	sqlite3_stmt *st = db_stmt(db, sql_audit_last);
	const unsigned char *d;
	int r;

	if (st == NULL)
		return db_stmt_rc(db);
	db_bind_text(st, 1, object);
	db_bind_text(st, 2, action);
	r = sqlite3_step(st);
	if (r == SQLITE_ROW) {
		*at = sqlite3_column_int64(st, 0);
		d = sqlite3_column_text(st, 1);
		snprintf(detail, n, "%s", d != NULL ? (const char *)d : "");
	}
	sqlite3_reset(st);
	if (r == SQLITE_ROW)
		return SD_OK;
	return r == SQLITE_DONE ? SD_ENOTFOUND :
				  db_rc(sqlite3_extended_errcode(db->h));
}
