/* db/otp.c: one-time passwords, stored hashed. */
#include "db/db.h"

#include "core/base/clock.h"
#include "db/db_int.h"

static const char sql_otp_add
    [] = "INSERT INTO otps (mobile, purpose, code_hash, created, expires)"
	 " VALUES (?1, ?2, ?3, ?4, ?5)";
static const char
    sql_otp_recent[] = "SELECT count(*), coalesce(max(created), 0) FROM otps"
		       " WHERE mobile = ?1 AND created >= ?2";

enum sd_rc
db_otp_add(struct db *db, const char *mobile, int purpose,
    const char *code_hash, int64_t expires, int64_t *id)
{
	sqlite3_stmt *st = db_stmt(db, sql_otp_add);
	enum sd_rc rc;

	if (st == NULL)
		return db_stmt_rc(db);
	db_bind_text(st, 1, mobile);
	sqlite3_bind_int(st, 2, purpose);
	db_bind_text(st, 3, code_hash);
	sqlite3_bind_int64(st, 4, sd_clock_now());
	sqlite3_bind_int64(st, 5, expires);
	rc = db_step_done(db, st);
	if (rc == SD_OK && id != NULL)
		*id = sqlite3_last_insert_rowid(db->h);
	return rc;
}

enum sd_rc
db_otp_recent(struct db *db, const char *mobile, int64_t since, int64_t *n,
    int64_t *last)
{
	sqlite3_stmt *st = db_stmt(db, sql_otp_recent);
	int r;

	if (st == NULL)
		return db_stmt_rc(db);
	db_bind_text(st, 1, mobile);
	sqlite3_bind_int64(st, 2, since);
	r = sqlite3_step(st);
	if (r == SQLITE_ROW) {
		*n = sqlite3_column_int64(st, 0);
		*last = sqlite3_column_int64(st, 1);
	}
	sqlite3_reset(st);
	return r == SQLITE_ROW ? SD_OK : db_rc(sqlite3_extended_errcode(db->h));
}
