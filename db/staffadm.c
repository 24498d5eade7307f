/*
 * db/staffadm.c: what the staff admin (issue #14) and the one-working-day
 * reminder need of users and requests: disabling, editing, departments
 * cleared, and the reminder's candidates and marks.
 */
#include "db/db.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db/db_int.h"

static const char
    sql_user_disabled[] = "SELECT disabled FROM users WHERE id = ?1";
static const char
    sql_user_set_disabled[] = "UPDATE users SET disabled = ?2 WHERE id = ?1";
static const char sql_user_edit
    [] = "UPDATE users SET first_name = ?2, last_name = ?3, title = ?4,"
	 " role = ?5 WHERE id = ?1";
static const char
    sql_staff_dept_clear[] = "DELETE FROM staff_departments WHERE user_id = ?1";
static const char sql_remind_candidates
    [] = "SELECT tracking, dept_code, waiting_since, title FROM requests"
	 " WHERE status = 0 AND escalated = 0 AND waiting_since > 0"
	 " AND waiting_since <= ?1 AND waiting_since >= ?3 AND tracking > ?4"
	 " AND reminded <> waiting_since ORDER BY tracking LIMIT ?2";
static const char
    sql_remind_mark[] = "UPDATE requests SET reminded = ?2 WHERE tracking = ?1"
			" AND status = 0 AND waiting_since = ?2"
			" AND reminded <> ?2";
static const char sql_remind_staff
    [] = "SELECT id, mobile FROM users WHERE role <> 0 AND disabled = 0"
	 " AND alerts_off = 0 AND id IN (SELECT user_id FROM staff_departments"
	 " WHERE dept_code = ?1) ORDER BY id";

enum sd_rc
db_user_disabled(struct db *db, int64_t id, bool *yes)
{
	sqlite3_stmt *st = db_stmt(db, sql_user_disabled);
	enum sd_rc rc = SD_OK;
	int r;

	*yes = false;
	if (st == NULL)
		return db_stmt_rc(db);
	sqlite3_bind_int64(st, 1, id);
	r = sqlite3_step(st);
	if (r == SQLITE_ROW)
		*yes = sqlite3_column_int(st, 0) != 0;
	else
		rc = r == SQLITE_DONE ? SD_ENOTFOUND :
					db_rc(sqlite3_extended_errcode(db->h));
	sqlite3_reset(st);
	return rc;
}

enum sd_rc
db_user_set_disabled(struct db *db, int64_t id, bool disabled)
{
	sqlite3_stmt *st = db_stmt(db, sql_user_set_disabled);
	enum sd_rc rc;

	if (st == NULL)
		return db_stmt_rc(db);
	sqlite3_bind_int64(st, 1, id);
	sqlite3_bind_int(st, 2, disabled ? 1 : 0);
	rc = db_step_done(db, st);
	if (rc == SD_OK && sqlite3_changes(db->h) == 0)
		rc = SD_ENOTFOUND;
	return rc;
}

enum sd_rc
db_user_edit(struct db *db, int64_t id, const char *first, const char *last,
    const char *title, enum core_role role)
{
	sqlite3_stmt *st = db_stmt(db, sql_user_edit);
	enum sd_rc rc;

	if (st == NULL)
		return db_stmt_rc(db);
	sqlite3_bind_int64(st, 1, id);
	db_bind_text(st, 2, first);
	db_bind_text(st, 3, last);
	db_bind_text(st, 4, title);
	sqlite3_bind_int(st, 5, (int)role);
	rc = db_step_done(db, st);
	if (rc == SD_OK && sqlite3_changes(db->h) == 0)
		rc = SD_ENOTFOUND;
	return rc;
}

enum sd_rc
db_staff_dept_clear(struct db *db, int64_t id)
{
	sqlite3_stmt *st = db_stmt(db, sql_staff_dept_clear);

	if (st == NULL)
		return db_stmt_rc(db);
	sqlite3_bind_int64(st, 1, id);
	return db_step_done(db, st);
}

void
db_remind_list_free(struct db_remind *rows, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		free(rows[i].title);
	free(rows);
}

static void
remind_read(sqlite3_stmt *st, void *row)
{
	struct db_remind *x = row;

	x->tracking = sqlite3_column_int64(st, 0);
	x->dept = sqlite3_column_int(st, 1);
	x->waiting_since = sqlite3_column_int64(st, 2);
	x->title = db_col_text(st, 3);
}

static void
remind_release(void *rows, size_t n)
{
	db_remind_list_free(rows, n);
}

enum sd_rc
db_remind_candidates(struct db *db, int64_t since, int64_t before,
    int64_t after, size_t max, struct db_remind **rows, size_t *n)
{
	sqlite3_stmt *st = db_stmt(db, sql_remind_candidates);
	void *v;
	enum sd_rc rc;

	*rows = NULL;
	*n = 0;
	if (st == NULL)
		return db_stmt_rc(db);
	sqlite3_bind_int64(st, 1, before);
	sqlite3_bind_int64(st, 2, (int64_t)max);
	sqlite3_bind_int64(st, 3, since);
	sqlite3_bind_int64(st, 4, after);
	rc = db_rows(db, st, sizeof(**rows), remind_read, remind_release, &v,
	    n);
	*rows = v;
	return rc;
}

enum sd_rc
db_remind_mark(struct db *db, int64_t tracking, int64_t waiting_since)
{
	sqlite3_stmt *st = db_stmt(db, sql_remind_mark);
	enum sd_rc rc;

	if (st == NULL)
		return db_stmt_rc(db);
	sqlite3_bind_int64(st, 1, tracking);
	sqlite3_bind_int64(st, 2, waiting_since);
	rc = db_step_done(db, st);
	if (rc == SD_OK && sqlite3_changes(db->h) == 0)
		rc = SD_ENOTFOUND;
	return rc;
}

enum sd_rc
db_remind_staff(struct db *db, int code, int64_t *ids,
    char (*mobiles)[SD_MOBILE_LEN], size_t max, size_t *n)
{
	sqlite3_stmt *st = db_stmt(db, sql_remind_staff);
	int r;

	*n = 0;
	if (st == NULL)
		return db_stmt_rc(db);
	sqlite3_bind_int(st, 1, code);
	while ((r = sqlite3_step(st)) == SQLITE_ROW && *n < max) {
		const unsigned char *m = sqlite3_column_text(st, 1);

		ids[*n] = sqlite3_column_int64(st, 0);
		snprintf(mobiles[*n], SD_MOBILE_LEN, "%s",
		    m != NULL ? (const char *)m : "");
		(*n)++;
	}
	sqlite3_reset(st);
	if (r != SQLITE_DONE && r != SQLITE_ROW)
		return db_rc(sqlite3_extended_errcode(db->h));
	return SD_OK;
}
