/*
 * db/secret.c: server secrets (schema 13), e.g. the key that signs the
 * one-tap links of SMS texts. A secret is made once and never changes
 * by itself; values are never logged.
 */
#include "db/db.h"

#include <string.h>

#include "core/base/clock.h"
#include "db/db_int.h"

static const char
    sql_secret_get[] = "SELECT value FROM secrets WHERE name = ?1";
static const char sql_secret_put[] =
    "INSERT OR IGNORE INTO secrets (name, value, created) VALUES (?1, ?2, ?3)";
static const char sql_secret_set[] =
    "INSERT OR REPLACE INTO secrets (name, value, created) VALUES (?1, ?2, ?3)";

/* The stored value: SD_ENOTFOUND if none. */
static enum sd_rc
secret_get(struct db *db, const char *name, void *out, size_t cap, size_t *len)
{
	sqlite3_stmt *st = db_stmt(db, sql_secret_get);
	enum sd_rc rc = SD_OK;
	int r;

	if (st == NULL)
		return db_stmt_rc(db);
	db_bind_text(st, 1, name);
	r = sqlite3_step(st);
	if (r == SQLITE_ROW) {
		size_t k = (size_t)sqlite3_column_bytes(st, 0);

		if (k > cap)
			rc = SD_ETOOBIG;
		else {
			memcpy(out, sqlite3_column_blob(st, 0), k);
			*len = k;
		}
	} else if (r == SQLITE_DONE)
		rc = SD_ENOTFOUND;
	else
		rc = db_rc(sqlite3_extended_errcode(db->h));
	sqlite3_reset(st);
	return rc;
}

enum sd_rc
db_secret_get_or_put(struct db *db, const char *name, const void *fresh,
    size_t fresh_len, void *out, size_t cap, size_t *len)
{
	sqlite3_stmt *st;
	enum sd_rc rc;

	rc = secret_get(db, name, out, cap, len);
	if (rc != SD_ENOTFOUND)
		return rc;
	st = db_stmt(db, sql_secret_put);
	if (st == NULL)
		return db_stmt_rc(db);
	db_bind_text(st, 1, name);
	sqlite3_bind_blob(st, 2, fresh, (int)fresh_len, SQLITE_STATIC);
	sqlite3_bind_int64(st, 3, sd_clock_now());
	rc = db_step_done(db, st);
	if (rc != SD_OK)
		return rc;
	return secret_get(db, name, out, cap, len);
}

enum sd_rc
db_secret_get(struct db *db, const char *name, void *out, size_t cap,
    size_t *len)
{
	return secret_get(db, name, out, cap, len);
}

enum sd_rc
db_secret_set(struct db *db, const char *name, const void *value, size_t len)
{
	sqlite3_stmt *st = db_stmt(db, sql_secret_set);

	if (st == NULL)
		return db_stmt_rc(db);
	db_bind_text(st, 1, name);
	sqlite3_bind_blob(st, 2, value, (int)len, SQLITE_STATIC);
	sqlite3_bind_int64(st, 3, sd_clock_now());
	return db_step_done(db, st);
}
