/* db/user.c: users and staff membership. */
#include "db/db.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/base/clock.h"
#include "db/db_int.h"

#define USER_COLS                                                              \
	"id, mobile, first_name, last_name, title, user_type, role,"           \
	" verified, created, alerts_off, disabled"

static const char sql_user_insert
    [] = "INSERT INTO users (mobile, first_name, last_name, title, user_type,"
	 " role, verified, created) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)";
static const char sql_user_get[] = "SELECT " USER_COLS
				   " FROM users WHERE id = ?1";
static const char sql_user_by_mobile[] = "SELECT " USER_COLS
					 " FROM users WHERE mobile = ?1";
static const char sql_user_list_staff[] = "SELECT " USER_COLS
					  " FROM users WHERE role <> 0"
					  " ORDER BY last_name, first_name, id";
static const char sql_staff_add
    [] = "INSERT INTO staff_departments (user_id, dept_code) VALUES (?1, ?2)";
static const char sql_staff_depts
    [] = "SELECT dept_code FROM staff_departments WHERE user_id = ?1"
	 " ORDER BY dept_code";
static const char
    sql_user_set_alerts[] = "UPDATE users SET alerts_off = ?2 WHERE id = ?1";
static const char
    sql_user_set_verified[] = "UPDATE users SET verified = 1 WHERE id = ?1";
static const char sql_staff_of_dept
    [] = "SELECT " USER_COLS " FROM users WHERE id IN (SELECT user_id FROM"
	 " staff_departments WHERE dept_code = ?1) AND role <> 0"
	 " AND disabled = 0 ORDER BY id";
static const char sql_head_office
    [] = "SELECT " USER_COLS " FROM users WHERE disabled = 0 AND (role = 2"
	 " OR (role <> 0 AND id IN (SELECT user_id FROM staff_departments"
	 " WHERE dept_code = ?1))) ORDER BY id";
static const char sql_staff_in_dept[] =
    "SELECT 1 FROM staff_departments WHERE user_id = ?1 AND dept_code = ?2";

void
db_user_fini(struct db_user *u)
{
	if (u == NULL)
		return;
	free(u->first);
	free(u->last);
	free(u->title);
	free(u->user_type);
	u->first = u->last = u->title = u->user_type = NULL;
}

void
db_user_list_free(struct db_user *rows, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		db_user_fini(&rows[i]);
	free(rows);
}

static void
user_read(sqlite3_stmt *st, void *row)
{
	struct db_user *u = row;
	const unsigned char *m;

	memset(u, 0, sizeof(*u));
	u->id = sqlite3_column_int64(st, 0);
	m = sqlite3_column_text(st, 1);
	if (m != NULL)
		snprintf(u->mobile, sizeof(u->mobile), "%s", (const char *)m);
	u->first = db_col_text(st, 2);
	u->last = db_col_text(st, 3);
	u->title = db_col_text(st, 4);
	u->user_type = db_col_text(st, 5);
	u->role = (enum core_role)sqlite3_column_int(st, 6);
	u->verified = sqlite3_column_int(st, 7) != 0;
	u->created = sqlite3_column_int64(st, 8);
	u->alerts_off = sqlite3_column_int(st, 9) != 0;
	u->disabled = sqlite3_column_int(st, 10) != 0;
}

static enum sd_rc
user_update(struct db *db, const char *sql, int64_t id, int v, bool has_v)
{
	sqlite3_stmt *st = db_stmt(db, sql);
	enum sd_rc rc;

	if (st == NULL)
		return db_stmt_rc(db);
	sqlite3_bind_int64(st, 1, id);
	if (has_v)
		sqlite3_bind_int(st, 2, v);
	rc = db_step_done(db, st);
	if (rc == SD_OK && sqlite3_changes(db->h) == 0)
		rc = SD_ENOTFOUND;
	return rc;
}

enum sd_rc
db_user_set_alerts(struct db *db, int64_t id, bool off)
{
	return user_update(db, sql_user_set_alerts, id, off ? 1 : 0, true);
}

enum sd_rc
db_user_set_verified(struct db *db, int64_t id)
{
	return user_update(db, sql_user_set_verified, id, 0, false);
}

static void
user_release(void *rows, size_t n)
{
	db_user_list_free(rows, n);
}

/* Every row of st (bound, not yet stepped) as users; reset after. */
static enum sd_rc
user_rows(struct db *db, sqlite3_stmt *st, struct db_user **rows, size_t *n)
{
	void *v;
	enum sd_rc rc;

	rc = db_rows(db, st, sizeof(**rows), user_read, user_release, &v, n);
	*rows = v;
	return rc;
}

enum sd_rc
db_staff_of_dept(struct db *db, int code, struct db_user **rows, size_t *n)
{
	sqlite3_stmt *st = db_stmt(db, sql_staff_of_dept);

	*rows = NULL;
	*n = 0;
	if (st == NULL)
		return db_stmt_rc(db);
	sqlite3_bind_int(st, 1, code);
	return user_rows(db, st, rows, n);
}

enum sd_rc
db_user_head_office(struct db *db, int code, struct db_user **rows, size_t *n)
{
	sqlite3_stmt *st = db_stmt(db, sql_head_office);

	*rows = NULL;
	*n = 0;
	if (st == NULL)
		return db_stmt_rc(db);
	sqlite3_bind_int(st, 1, code);
	return user_rows(db, st, rows, n);
}

enum sd_rc
db_user_insert(struct db *db, const struct db_user *u, int64_t *id)
{
	sqlite3_stmt *st = db_stmt(db, sql_user_insert);
	enum sd_rc rc;

	if (st == NULL)
		return db_stmt_rc(db);
	db_bind_text(st, 1, u->mobile);
	db_bind_text(st, 2, u->first);
	db_bind_text(st, 3, u->last);
	db_bind_text(st, 4, u->title != NULL ? u->title : "");
	db_bind_text(st, 5, u->user_type != NULL ? u->user_type : "");
	sqlite3_bind_int(st, 6, (int)u->role);
	sqlite3_bind_int(st, 7, u->verified ? 1 : 0);
	sqlite3_bind_int64(st, 8, sd_clock_now());
	rc = db_step_done(db, st);
	if (rc == SD_OK && id != NULL)
		*id = sqlite3_last_insert_rowid(db->h);
	return rc;
}

static enum sd_rc
user_fetch_one(struct db *db, sqlite3_stmt *st, struct db_user *out)
{
	enum sd_rc rc = SD_OK;
	int r = sqlite3_step(st);

	if (r == SQLITE_ROW)
		user_read(st, out);
	else
		rc = r == SQLITE_DONE ? SD_ENOTFOUND :
					db_rc(sqlite3_extended_errcode(db->h));
	sqlite3_reset(st);
	return rc;
}

enum sd_rc
db_user_get(struct db *db, int64_t id, struct db_user *out)
{
	sqlite3_stmt *st = db_stmt(db, sql_user_get);

	if (st == NULL)
		return db_stmt_rc(db);
	sqlite3_bind_int64(st, 1, id);
	return user_fetch_one(db, st, out);
}

enum sd_rc
db_user_by_mobile(struct db *db, const char *e164, struct db_user *out)
{
	sqlite3_stmt *st = db_stmt(db, sql_user_by_mobile);

	if (st == NULL)
		return db_stmt_rc(db);
	db_bind_text(st, 1, e164);
	return user_fetch_one(db, st, out);
}

enum sd_rc
db_user_list_staff(struct db *db, struct db_user **rows, size_t *n)
{
	sqlite3_stmt *st = db_stmt(db, sql_user_list_staff);

	*rows = NULL;
	*n = 0;
	if (st == NULL)
		return db_stmt_rc(db);
	return user_rows(db, st, rows, n);
}

enum sd_rc
db_staff_dept_add(struct db *db, int64_t user_id, int code)
{
	sqlite3_stmt *st = db_stmt(db, sql_staff_add);

	if (st == NULL)
		return db_stmt_rc(db);
	sqlite3_bind_int64(st, 1, user_id);
	sqlite3_bind_int(st, 2, code);
	return db_step_done(db, st);
}

enum sd_rc
db_staff_depts(struct db *db, int64_t user_id, int *codes, size_t max,
    size_t *n)
{
	sqlite3_stmt *st = db_stmt(db, sql_staff_depts);
	int r;

	*n = 0;
	if (st == NULL)
		return db_stmt_rc(db);
	sqlite3_bind_int64(st, 1, user_id);
	while ((r = sqlite3_step(st)) == SQLITE_ROW && *n < max)
		codes[(*n)++] = sqlite3_column_int(st, 0);
	sqlite3_reset(st);
	if (r != SQLITE_DONE && r != SQLITE_ROW)
		return db_rc(sqlite3_extended_errcode(db->h));
	return SD_OK;
}

enum sd_rc
db_staff_in_dept(struct db *db, int64_t user_id, int code, bool *yes)
{
	sqlite3_stmt *st = db_stmt(db, sql_staff_in_dept);
	int r;

	if (st == NULL)
		return db_stmt_rc(db);
	sqlite3_bind_int64(st, 1, user_id);
	sqlite3_bind_int(st, 2, code);
	r = sqlite3_step(st);
	sqlite3_reset(st);
	if (r != SQLITE_ROW && r != SQLITE_DONE)
		return db_rc(sqlite3_extended_errcode(db->h));
	*yes = r == SQLITE_ROW;
	return SD_OK;
}
