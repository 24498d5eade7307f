/*
 * db/holiday.c: the official holidays (table holidays), what
 * `smsdesk holidays import` stores and the working-day calendar reads.
 *
 * holidays.jdate is "YYYY/MM/DD" (ASCII digits, zero-padded, so text order
 * is date order); holidays.name the occasion, where a leading '?' marks a
 * date computed rather than read from the official calendar.
 */
#include "db/db.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/base/limits.h"
#include "core/base/xmalloc.h"
#include "db/db_int.h"

static const char sql_hol_list[] = "SELECT jdate, name FROM holidays"
				   " WHERE ?1 = '' OR substr(jdate, 1, 4) = ?1"
				   " ORDER BY jdate";
static const char sql_hol_del_year[] = "DELETE FROM holidays"
				       " WHERE substr(jdate, 1, 4) = ?1";
static const char sql_hol_put[] = "INSERT OR REPLACE INTO holidays"
				  " (jdate, name) VALUES (?1, ?2)";

void
db_holiday_list_free(struct db_holiday *rows, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		free(rows[i].name);
	free(rows);
}

enum sd_rc
db_holiday_list(struct db *db, int year, struct db_holiday **rows, size_t *n)
{
	sqlite3_stmt *st = db_stmt(db, sql_hol_list);
	struct db_holiday *v = NULL;
	size_t cnt = 0, cap = 0;
	char y[16] = "";
	int r;

	*rows = NULL;
	*n = 0;
	if (st == NULL)
		return db_stmt_rc(db);
	if (year > 0)
		snprintf(y, sizeof(y), "%04d", year);
	sqlite3_bind_text(st, 1, y, -1, SQLITE_TRANSIENT);
	while ((r = sqlite3_step(st)) == SQLITE_ROW) {
		const unsigned char *jd = sqlite3_column_text(st, 0);

		if (cnt == SD_HOLIDAYS_MAX)
			break;
		if (cnt == cap) {
			cap = cap == 0 ? 64 : cap * 2;
			v = xrealloc(v, cap * sizeof(*v));
		}
		snprintf(v[cnt].jdate, sizeof(v[cnt].jdate), "%s",
		    jd != NULL ? (const char *)jd : "");
		v[cnt].name = db_col_text(st, 1);
		cnt++;
	}
	sqlite3_reset(st);
	if (r != SQLITE_ROW && r != SQLITE_DONE) {
		db_holiday_list_free(v, cnt);
		return db_rc(sqlite3_extended_errcode(db->h));
	}
	*rows = v;
	*n = cnt;
	return SD_OK;
}

enum sd_rc
db_holiday_clear_year(struct db *db, int year)
{
	sqlite3_stmt *st = db_stmt(db, sql_hol_del_year);
	char y[16];
	int r;

	if (st == NULL)
		return db_stmt_rc(db);
	snprintf(y, sizeof(y), "%04d", year);
	sqlite3_bind_text(st, 1, y, -1, SQLITE_TRANSIENT);
	r = sqlite3_step(st);
	sqlite3_reset(st);
	return r == SQLITE_DONE ? SD_OK :
				  db_rc(sqlite3_extended_errcode(db->h));
}

enum sd_rc
db_holiday_put(struct db *db, const char *jdate, const char *name)
{
	sqlite3_stmt *st = db_stmt(db, sql_hol_put);
	int r;

	if (st == NULL)
		return db_stmt_rc(db);
	sqlite3_bind_text(st, 1, jdate, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, name, -1, SQLITE_STATIC);
	r = sqlite3_step(st);
	sqlite3_reset(st);
	return r == SQLITE_DONE ? SD_OK :
				  db_rc(sqlite3_extended_errcode(db->h));
}
