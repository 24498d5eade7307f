/*
 * db/overview.c: the reads of the head's overview (issue #14): requests
 * per department and status, the awaiting ones' timing, the escalated
 * ones, first answers and answers per staff member, and every request
 * for the CSV export.
 */
#include "db/db.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db/db_int.h"

static const char
    sql_ov_counts[] = "SELECT dept_code, status, count(*) FROM requests"
		      " GROUP BY dept_code, status ORDER BY dept_code, status";
static const char sql_ov_awaiting
    [] = "SELECT tracking, dept_code, waiting_since, due, priority, created,"
	 " escalated FROM requests WHERE status = 0 ORDER BY tracking LIMIT ?1";
#define OV_REQ_COLS                                                            \
	"r.tracking, r.title, r.dept_code, r.status, r.priority,"              \
	" u.first_name, u.last_name, u.mobile, r.created, r.updated,"          \
	" r.escalated"
static const char sql_ov_escalated
    [] = "SELECT " OV_REQ_COLS " FROM requests r JOIN users u"
	 " ON u.id = r.applicant_id WHERE r.escalated = 1 AND r.status <> 2"
	 " ORDER BY r.tracking DESC LIMIT ?1";
static const char sql_ov_each[] = "SELECT " OV_REQ_COLS
				  " FROM requests r JOIN users u"
				  " ON u.id = r.applicant_id"
				  " ORDER BY r.tracking";
static const char
    sql_ov_first[] = "SELECT r.created, (SELECT min(m.created) FROM messages m"
		     " WHERE m.tracking = r.tracking AND m.author_role <> 0"
		     " AND m.author_id <> r.applicant_id) FROM requests r"
		     " WHERE r.created >= ?1 ORDER BY r.tracking LIMIT ?2";
static const char sql_ov_answers
    [] = "SELECT m.author_id, u.first_name, u.last_name, count(*) AS n"
	 " FROM messages m JOIN requests r ON r.tracking = m.tracking"
	 " JOIN users u ON u.id = m.author_id"
	 " WHERE m.created >= ?1 AND m.author_role <> 0"
	 " AND m.author_id <> r.applicant_id"
	 " GROUP BY m.author_id ORDER BY n DESC, m.author_id";

static void
ov_count_read(sqlite3_stmt *st, void *row)
{
	struct db_ov_count *c = row;

	c->dept = sqlite3_column_int(st, 0);
	c->status = sqlite3_column_int(st, 1);
	c->n = sqlite3_column_int64(st, 2);
}

enum sd_rc
db_ov_counts(struct db *db, struct db_ov_count **rows, size_t *n)
{
	sqlite3_stmt *st = db_stmt(db, sql_ov_counts);
	void *v;
	enum sd_rc rc;

	*rows = NULL;
	*n = 0;
	if (st == NULL)
		return db_stmt_rc(db);
	rc = db_rows(db, st, sizeof(**rows), ov_count_read, NULL, &v, n);
	*rows = v;
	return rc;
}

static void
ov_wait_read(sqlite3_stmt *st, void *row)
{
	struct db_ov_wait *w = row;

	w->tracking = sqlite3_column_int64(st, 0);
	w->dept = sqlite3_column_int(st, 1);
	w->waiting_since = sqlite3_column_int64(st, 2);
	w->due = sqlite3_column_int64(st, 3);
	w->prio = sqlite3_column_int(st, 4);
	w->created = sqlite3_column_int64(st, 5);
	w->escalated = sqlite3_column_int(st, 6);
}

enum sd_rc
db_ov_awaiting(struct db *db, size_t max, struct db_ov_wait **rows, size_t *n)
{
	sqlite3_stmt *st = db_stmt(db, sql_ov_awaiting);
	void *v;
	enum sd_rc rc;

	*rows = NULL;
	*n = 0;
	if (st == NULL)
		return db_stmt_rc(db);
	sqlite3_bind_int64(st, 1, (int64_t)max);
	rc = db_rows(db, st, sizeof(**rows), ov_wait_read, NULL, &v, n);
	*rows = v;
	return rc;
}

void
db_ov_req_fini(struct db_ov_req *r)
{
	if (r == NULL)
		return;
	free(r->title);
	free(r->first);
	free(r->last);
	r->title = r->first = r->last = NULL;
}

void
db_ov_req_list_free(struct db_ov_req *rows, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		db_ov_req_fini(&rows[i]);
	free(rows);
}

static void
ov_req_release(void *rows, size_t n)
{
	db_ov_req_list_free(rows, n);
}

static void
ov_req_read(sqlite3_stmt *st, void *row)
{
	struct db_ov_req *r = row;
	const unsigned char *m;

	memset(r, 0, sizeof(*r));
	r->tracking = sqlite3_column_int64(st, 0);
	r->title = db_col_text(st, 1);
	r->dept = sqlite3_column_int(st, 2);
	r->status = sqlite3_column_int(st, 3);
	r->prio = sqlite3_column_int(st, 4);
	r->first = db_col_text(st, 5);
	r->last = db_col_text(st, 6);
	m = sqlite3_column_text(st, 7);
	if (m != NULL)
		snprintf(r->mobile, sizeof(r->mobile), "%s", (const char *)m);
	r->created = sqlite3_column_int64(st, 8);
	r->updated = sqlite3_column_int64(st, 9);
	r->escalated = sqlite3_column_int(st, 10) != 0;
}

enum sd_rc
db_ov_escalated(struct db *db, size_t max, struct db_ov_req **rows, size_t *n)
{
	sqlite3_stmt *st = db_stmt(db, sql_ov_escalated);
	void *v;
	enum sd_rc rc;

	*rows = NULL;
	*n = 0;
	if (st == NULL)
		return db_stmt_rc(db);
	sqlite3_bind_int64(st, 1, (int64_t)max);
	rc = db_rows(db, st, sizeof(**rows), ov_req_read, ov_req_release, &v,
	    n);
	*rows = v;
	return rc;
}

enum sd_rc
db_ov_each(struct db *db,
    enum sd_rc (*fn)(void *arg, const struct db_ov_req *r), void *arg)
{
	sqlite3_stmt *st = db_stmt(db, sql_ov_each);
	struct db_ov_req one;
	enum sd_rc rc = SD_OK;
	int r;

	if (st == NULL)
		return db_stmt_rc(db);
	while (rc == SD_OK && (r = sqlite3_step(st)) == SQLITE_ROW) {
		ov_req_read(st, &one);
		rc = fn(arg, &one);
		db_ov_req_fini(&one);
	}
	if (rc == SD_OK && r != SQLITE_DONE)
		rc = db_rc(sqlite3_extended_errcode(db->h));
	sqlite3_reset(st);
	return rc;
}

enum sd_rc
db_ov_first_answers(struct db *db, int64_t since, size_t max, int64_t *created,
    int64_t *answered, size_t *n)
{
	sqlite3_stmt *st = db_stmt(db, sql_ov_first);
	int r;

	*n = 0;
	if (st == NULL)
		return db_stmt_rc(db);
	sqlite3_bind_int64(st, 1, since);
	sqlite3_bind_int64(st, 2, (int64_t)max);
	while ((r = sqlite3_step(st)) == SQLITE_ROW && *n < max) {
		created[*n] = sqlite3_column_int64(st, 0);
		answered[*n] = sqlite3_column_type(st, 1) == SQLITE_NULL ?
		    0 :
		    sqlite3_column_int64(st, 1);
		(*n)++;
	}
	sqlite3_reset(st);
	if (r != SQLITE_DONE && r != SQLITE_ROW)
		return db_rc(sqlite3_extended_errcode(db->h));
	return SD_OK;
}

void
db_ov_staff_list_free(struct db_ov_staff *rows, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		free(rows[i].first);
		free(rows[i].last);
	}
	free(rows);
}

static void
ov_staff_release(void *rows, size_t n)
{
	db_ov_staff_list_free(rows, n);
}

static void
ov_staff_read(sqlite3_stmt *st, void *row)
{
	struct db_ov_staff *s = row;

	s->user_id = sqlite3_column_int64(st, 0);
	s->first = db_col_text(st, 1);
	s->last = db_col_text(st, 2);
	s->n = sqlite3_column_int64(st, 3);
}

enum sd_rc
db_ov_answers(struct db *db, int64_t since, struct db_ov_staff **rows,
    size_t *n)
{
	sqlite3_stmt *st = db_stmt(db, sql_ov_answers);
	void *v;
	enum sd_rc rc;

	*rows = NULL;
	*n = 0;
	if (st == NULL)
		return db_stmt_rc(db);
	sqlite3_bind_int64(st, 1, since);
	rc = db_rows(db, st, sizeof(**rows), ov_staff_read, ov_staff_release,
	    &v, n);
	*rows = v;
	return rc;
}
