/*
 * db/inbox_staff.c: the staff inbox's query (issue #14) and the upkeep
 * of requests.due (schema 15).
 *
 * The inbox's WHERE is put together from fixed fragments, one for each
 * filter in use, every value bound: a filter left out is not in the SQL
 * at all, so SQLite picks an index for the filters there are (a
 * "?N IS NULL OR col = ?N" for each would keep it off every index). The
 * statement is prepared for each page (some 50 us), not cached.
 *
 * Order: overdue (awaiting and 0 < due < now) first, then priority (0
 * very urgent .. 3 low), then created (oldest first), then tracking. With
 * 100,000 requests a staff member's departments hold a few thousand: the
 * rows are found by requests_dept (dept_code, status, priority, created,
 * due; schema 15 added due), and the page is a top-N sort of those index
 * entries alone; only the page's rows are read and joined
 * (tests/bench/bench_staff.sh).
 */
#include "db/db.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/base/buf.h"
#include "core/base/log.h"
#include "core/base/xmalloc.h"
#include "db/db_int.h"

/* Parameters by number, so fragments can repeat them. */
enum {
	P_VIEWER = 1,
	P_STATUS,
	P_PRIO,
	P_DEPT,
	P_NOW,
	P_TRACKING,
	P_APPLICANT,
	P_MATCH,
	P_LIMIT,
	P_OFFSET,
};

#define INBOX_COLS                                                             \
	"r.tracking, r.title, u.first_name || ' ' || u.last_name, u.mobile,"   \
	" r.dept_code, d.name, r.status, r.priority, r.created, r.due,"        \
	" r.waiting_since, r.reminded, r.escalated,"                           \
	" coalesce(r.assigned_to, 0)"

#define INBOX_OVERDUE "(r.status = 0 AND r.due > 0 AND r.due < ?5)"

/* The WHERE of f into b (" WHERE 1" and the fragments). */
static enum sd_rc
inbox_where(const struct db_sinbox_filter *f, struct sd_buf *b)
{
	enum sd_rc rc = sd_buf_adds(b, " WHERE 1");

	if (rc == SD_OK && !f->all)
		rc = sd_buf_adds(b,
		    f->head_office ?
			" AND (r.dept_code IN (SELECT dept_code FROM"
			" staff_departments WHERE user_id = ?1)"
			" OR r.escalated = 1)" :
			" AND r.dept_code IN (SELECT dept_code FROM"
			" staff_departments WHERE user_id = ?1)");
	if (rc == SD_OK && f->status == DB_SINBOX_OPEN)
		rc = sd_buf_adds(b, " AND r.status IN (0, 1)");
	else if (rc == SD_OK && f->status >= 0)
		rc = sd_buf_adds(b, " AND r.status = ?2");
	if (rc == SD_OK && f->prio >= 0)
		rc = sd_buf_adds(b, " AND r.priority = ?3");
	if (rc == SD_OK && f->dept > 0)
		rc = sd_buf_adds(b, " AND r.dept_code = ?4");
	if (rc == SD_OK && f->overdue)
		rc = sd_buf_adds(b, " AND " INBOX_OVERDUE);
	if (rc == SD_OK && f->mine)
		rc = sd_buf_adds(b, " AND r.assigned_to = ?1");
	if (rc == SD_OK && f->tracking > 0)
		rc = sd_buf_adds(b, " AND r.tracking = ?6");
	if (rc == SD_OK && f->applicant != 0)
		rc = sd_buf_adds(b, " AND r.applicant_id = ?7");
	if (rc == SD_OK && f->words != NULL)
		rc = sd_buf_adds(b,
		    " AND r.tracking IN (SELECT rowid FROM requests_fts"
		    " WHERE requests_fts MATCH ?8)");
	return rc;
}

/* Prepare sql and bind what f uses (match: the FTS expression). */
static enum sd_rc
inbox_prepare(struct db *db, const char *sql, const struct db_sinbox_filter *f,
    const char *match, sqlite3_stmt **out)
{
	sqlite3_stmt *st = NULL;
	int r;

	r = sqlite3_prepare_v2(db->h, sql, -1, &st, NULL);
	if (r != SQLITE_OK) {
		log_warnx("db", "inbox query: %s", sqlite3_errmsg(db->h));
		sqlite3_finalize(st);
		return db_rc(r);
	}
	/* A parameter the text does not use is ignored (SQLITE_RANGE). */
	sqlite3_bind_int64(st, P_VIEWER, f->viewer);
	sqlite3_bind_int(st, P_STATUS, f->status);
	sqlite3_bind_int(st, P_PRIO, f->prio);
	sqlite3_bind_int(st, P_DEPT, f->dept);
	sqlite3_bind_int64(st, P_NOW, f->now);
	sqlite3_bind_int64(st, P_TRACKING, f->tracking);
	sqlite3_bind_int64(st, P_APPLICANT, f->applicant);
	if (match != NULL)
		db_bind_text(st, P_MATCH, match);
	sqlite3_bind_int64(st, P_LIMIT, (int64_t)f->limit);
	sqlite3_bind_int64(st, P_OFFSET, (int64_t)f->offset);
	*out = st;
	return SD_OK;
}

static void
inbox_read(sqlite3_stmt *st, struct db_sinbox_row *r)
{
	const unsigned char *m;

	memset(r, 0, sizeof(*r));
	r->tracking = sqlite3_column_int64(st, 0);
	r->title = db_col_text(st, 1);
	r->applicant = db_col_text(st, 2);
	m = sqlite3_column_text(st, 3);
	snprintf(r->mobile, sizeof(r->mobile), "%s",
	    m != NULL ? (const char *)m : "");
	r->dept = sqlite3_column_int(st, 4);
	r->dept_name = db_col_text(st, 5);
	r->status = (enum core_status)sqlite3_column_int(st, 6);
	r->prio = (enum core_priority)sqlite3_column_int(st, 7);
	r->created = sqlite3_column_int64(st, 8);
	r->due = sqlite3_column_int64(st, 9);
	r->waiting_since = sqlite3_column_int64(st, 10);
	r->reminded = sqlite3_column_int64(st, 11);
	r->escalated = sqlite3_column_int(st, 12) != 0;
	r->assigned_to = sqlite3_column_int64(st, 13);
}

void
db_sinbox_rows_free(struct db_sinbox_row *rows, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		free(rows[i].title);
		free(rows[i].applicant);
		free(rows[i].dept_name);
	}
	free(rows);
}

enum sd_rc
db_sinbox_page(struct db *db, const struct db_sinbox_filter *f,
    struct db_sinbox_row **rows, size_t *n, int64_t *total)
{
	struct sd_buf where, sql;
	struct db_sinbox_row *v = NULL;
	sqlite3_stmt *st = NULL;
	char *match = NULL;
	size_t k = 0, limit = f->limit;
	enum sd_rc rc;
	int r;

	*rows = NULL;
	*n = 0;
	*total = 0;
	if (limit == 0 || limit > DB_SINBOX_PAGE_MAX)
		return SD_EINVAL;
	if (f->words != NULL) {
		rc = db_fts_query(f->words, &match);
		if (rc == SD_ENOTFOUND)
			return SD_OK; /* words, but none to search: nothing */
		if (rc != SD_OK)
			return rc;
	}
	sd_buf_init(&where, 2048);
	sd_buf_init(&sql, 4096);
	rc = inbox_where(f, &where);
	if (rc == SD_OK)
		rc = sd_buf_addf(&sql, "SELECT count(*) FROM requests r%s",
		    sd_buf_str(&where));
	if (rc == SD_OK)
		rc = inbox_prepare(db, sd_buf_str(&sql), f, match, &st);
	if (rc != SD_OK)
		goto out;
	r = sqlite3_step(st);
	if (r == SQLITE_ROW)
		*total = sqlite3_column_int64(st, 0);
	else {
		rc = db_rc(sqlite3_extended_errcode(db->h));
		goto out;
	}
	sqlite3_finalize(st);
	st = NULL;
	if (*total <= (int64_t)f->offset)
		goto out;

	/* The page's trackings first, from the index alone (a top-N sort
	 * of the index entries), then their rows and names: sorting the
	 * joined rows read every matching row, its applicant and its
	 * department (2.3 ms a page at 2,500 open requests; bench_staff). */
	sd_buf_reset(&sql);
	rc = sd_buf_addf(&sql,
	    "WITH k AS MATERIALIZED (SELECT r.tracking AS t, " INBOX_OVERDUE
	    " AS o, r.priority AS p, r.created AS c FROM requests r%s"
	    " ORDER BY o DESC, p, c, t LIMIT ?9 OFFSET ?10)"
	    " SELECT " INBOX_COLS " FROM k JOIN requests r ON r.tracking = k.t"
	    " JOIN users u ON u.id = r.applicant_id"
	    " JOIN departments d ON d.code = r.dept_code"
	    " ORDER BY k.o DESC, k.p, k.c, k.t",
	    sd_buf_str(&where));
	if (rc == SD_OK)
		rc = inbox_prepare(db, sd_buf_str(&sql), f, match, &st);
	if (rc != SD_OK)
		goto out;
	v = xcalloc(limit, sizeof(*v));
	while (k < limit && (r = sqlite3_step(st)) == SQLITE_ROW)
		inbox_read(st, &v[k++]);
	if (k < limit && r != SQLITE_DONE) {
		rc = db_rc(sqlite3_extended_errcode(db->h));
		db_sinbox_rows_free(v, k);
		goto out;
	}
	*rows = v;
	*n = k;
out:
	sqlite3_finalize(st);
	sd_buf_fini(&where);
	sd_buf_fini(&sql);
	free(match);
	return rc;
}

/* ---- requests.due --------------------------------------------------- */

static const char
    sql_due_missing[] = "SELECT tracking, waiting_since FROM requests"
			" WHERE status = 0 AND due = 0 AND tracking > ?1"
			" ORDER BY tracking LIMIT ?2";
static const char sql_due_clear[] = "UPDATE requests SET due = 0"
				    " WHERE status = 0 AND due > 0";
static const char sql_due_set[] = "UPDATE requests SET due = ?3"
				  " WHERE tracking = ?1 AND status = 0"
				  " AND due = 0 AND waiting_since = ?2";

enum sd_rc
db_request_due_missing(struct db *db, int64_t after, size_t max,
    int64_t *tracking, int64_t *since, size_t *n)
{
	sqlite3_stmt *st = db_stmt(db, sql_due_missing);
	size_t k = 0;
	int r = SQLITE_DONE;

	*n = 0;
	if (st == NULL)
		return db_stmt_rc(db);
	sqlite3_bind_int64(st, 1, after);
	sqlite3_bind_int64(st, 2, (int64_t)max);
	while (k < max && (r = sqlite3_step(st)) == SQLITE_ROW) {
		tracking[k] = sqlite3_column_int64(st, 0);
		since[k] = sqlite3_column_int64(st, 1);
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
db_request_due_set(struct db *db, int64_t tracking, int64_t since, int64_t due)
{
	sqlite3_stmt *st = db_stmt(db, sql_due_set);

	if (st == NULL)
		return db_stmt_rc(db);
	sqlite3_bind_int64(st, 1, tracking);
	sqlite3_bind_int64(st, 2, since);
	sqlite3_bind_int64(st, 3, due);
	return db_step_done(db, st);
}

enum sd_rc
db_request_due_clear(struct db *db, size_t *n)
{
	enum sd_rc rc = db_step_done(db, db_stmt(db, sql_due_clear));

	*n = rc == SD_OK ? (size_t)sqlite3_changes(db->h) : 0;
	return rc;
}
