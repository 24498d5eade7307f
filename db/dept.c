/* db/dept.c: departments (نوع درخواست), read-only after the seed. */
#include "db/db.h"

#include <stdlib.h>

#include "db/db_int.h"

static const char sql_dept_get
    [] = "SELECT code, name, short_name, alert_very_urgent FROM departments"
	 " WHERE code = ?1";
static const char sql_dept_list
    [] = "SELECT code, name, short_name, alert_very_urgent FROM departments"
	 " ORDER BY code";

void
db_dept_fini(struct db_dept *d)
{
	if (d == NULL)
		return;
	free(d->name);
	free(d->short_name);
	d->name = d->short_name = NULL;
}

void
db_dept_list_free(struct db_dept *rows, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		db_dept_fini(&rows[i]);
	free(rows);
}

static void
dept_read(sqlite3_stmt *st, void *row)
{
	struct db_dept *d = row;

	d->code = sqlite3_column_int(st, 0);
	d->name = db_col_text(st, 1);
	d->short_name = db_col_text(st, 2);
	d->alert_very_urgent = sqlite3_column_int(st, 3) != 0;
}

enum sd_rc
db_dept_get(struct db *db, int code, struct db_dept *out)
{
	sqlite3_stmt *st = db_stmt(db, sql_dept_get);
	enum sd_rc rc = SD_OK;
	int r;

	if (st == NULL)
		return db_stmt_rc(db);
	sqlite3_bind_int(st, 1, code);
	r = sqlite3_step(st);
	if (r == SQLITE_ROW)
		dept_read(st, out);
	else
		rc = r == SQLITE_DONE ? SD_ENOTFOUND :
					db_rc(sqlite3_extended_errcode(db->h));
	sqlite3_reset(st);
	return rc;
}

static void
dept_release(void *rows, size_t n)
{
	db_dept_list_free(rows, n);
}

enum sd_rc
db_dept_list(struct db *db, struct db_dept **rows, size_t *n)
{
	sqlite3_stmt *st = db_stmt(db, sql_dept_list);
	void *v;
	enum sd_rc rc;

	*rows = NULL;
	*n = 0;
	if (st == NULL)
		return db_stmt_rc(db);
	rc = db_rows(db, st, sizeof(**rows), dept_read, dept_release, &v, n);
	*rows = v;
	return rc;
}
