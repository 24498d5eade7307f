/*
 * db/web.c: the web view's own bookkeeping (schema 12): sessions, steps
 * between two pages, trusted browsers, failed sign-ins, and the OTP rows'
 * reads for checking a code. Tokens are stored only as hashes (the
 * caller hashes); nothing here sees a token or a code.
 */
#include "db/db.h"

#include <stdlib.h>
#include <string.h>

#include "core/base/clock.h"
#include "core/base/xmalloc.h"
#include "db/db_int.h"

static const char
    sql_pw_get[] = "SELECT password_hash FROM users WHERE id = ?1";
static const char sql_pw_set[] = "UPDATE users SET password_hash = ?2,"
				 " verified = 1 WHERE id = ?1";
static const char sql_type_set[] = "UPDATE users SET user_type = ?2"
				   " WHERE id = ?1";
static const char sql_sess_add
    [] = "INSERT INTO web_sessions (id_hash, user_id, csrf, created, expires,"
	 " last_seen) VALUES (?1, ?2, ?3, ?4, ?5, ?6)";
static const char sql_sess_get[] = "SELECT user_id, csrf, created, expires,"
				   " last_seen FROM web_sessions"
				   " WHERE id_hash = ?1";
static const char sql_sess_touch[] = "UPDATE web_sessions SET last_seen = ?2"
				     " WHERE id_hash = ?1";
static const char
    sql_sess_del[] = "DELETE FROM web_sessions WHERE id_hash = ?1";
static const char sql_sess_del_user[] = "DELETE FROM web_sessions"
					" WHERE user_id = ?1";
static const char sql_purge_sess[] = "DELETE FROM web_sessions"
				     " WHERE expires < ?1";
static const char sql_purge_pend[] = "DELETE FROM web_pending"
				     " WHERE expires < ?1";
static const char sql_purge_dev[] = "DELETE FROM web_devices"
				    " WHERE expires < ?1";
static const char sql_purge_fail[] = "DELETE FROM web_fails WHERE at < ?1";
static const char sql_pend_put[] =
    "INSERT OR REPLACE INTO web_pending (id_hash, purpose, mobile, user_id,"
    " first_name, last_name, user_type, pw_hash, created, expires)"
    " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)";
static const char sql_pend_get
    [] = "SELECT purpose, mobile, user_id, first_name, last_name, user_type,"
	 " pw_hash, created, expires FROM web_pending WHERE id_hash = ?1";
static const char sql_pend_del[] = "DELETE FROM web_pending WHERE id_hash = ?1";
static const char sql_dev_add
    [] = "INSERT OR REPLACE INTO web_devices (token_hash, user_id, created,"
	 " expires) VALUES (?1, ?2, ?3, ?4)";
static const char sql_dev_ok[] = "SELECT 1 FROM web_devices WHERE"
				 " token_hash = ?1 AND user_id = ?2"
				 " AND expires >= ?3";
static const char sql_fail_add[] = "INSERT INTO web_fails (key, at)"
				   " VALUES (?1, ?2)";
static const char sql_fail_count[] = "SELECT count(*), coalesce(min(at), 0)"
				     " FROM web_fails WHERE key = ?1"
				     " AND at >= ?2";
static const char sql_fail_clear[] = "DELETE FROM web_fails WHERE key = ?1";
static const char sql_otp_latest
    [] = "SELECT id, code_hash, created, expires, tries, used FROM otps"
	 " WHERE mobile = ?1 AND purpose = ?2 ORDER BY id DESC LIMIT 1";
static const char sql_otp_try[] = "UPDATE otps SET tries = tries + 1"
				  " WHERE id = ?1";
static const char sql_otp_use[] = "UPDATE otps SET used = 1 WHERE id = ?1";
static const char sql_otp_count_addr
    [] = "SELECT count(*), coalesce(min(created), 0) FROM otps"
	 " WHERE addr = ?1 AND created >= ?2";
static const char sql_otp_count_all
    [] = "SELECT count(*), coalesce(min(created), 0) FROM otps"
	 " WHERE created >= ?2 AND addr IS NOT NULL AND ?1 IS NULL";
static const char sql_otp_count_mobile
    [] = "SELECT count(*), coalesce(min(created), 0) FROM otps"
	 " WHERE mobile = ?1 AND created >= ?2";
static const char sql_otp_set_addr[] = "UPDATE otps SET addr = ?2"
				       " WHERE id = ?1";

/* Step st (bound) expecting at most one row; SD_ENOTFOUND on none. The
 * caller reads the row before sqlite3_reset. */
static enum sd_rc
web_row(struct db *db, sqlite3_stmt *st, int *r)
{
	*r = sqlite3_step(st);
	if (*r == SQLITE_ROW)
		return SD_OK;
	sqlite3_reset(st);
	if (*r == SQLITE_DONE)
		return SD_ENOTFOUND;
	return db_rc(sqlite3_extended_errcode(db->h));
}

static enum sd_rc
web_exec_id_text(struct db *db, const char *sql, int64_t id, const char *t)
{
	sqlite3_stmt *st = db_stmt(db, sql);
	enum sd_rc rc;

	if (st == NULL)
		return db_stmt_rc(db);
	sqlite3_bind_int64(st, 1, id);
	if (t != NULL)
		db_bind_text(st, 2, t);
	rc = db_step_done(db, st);
	if (rc == SD_OK && sqlite3_changes(db->h) == 0 && t != NULL)
		rc = SD_ENOTFOUND;
	return rc;
}

static enum sd_rc
web_exec_text(struct db *db, const char *sql, const char *t, int64_t v)
{
	sqlite3_stmt *st = db_stmt(db, sql);

	if (st == NULL)
		return db_stmt_rc(db);
	if (t != NULL)
		db_bind_text(st, 1, t);
	else
		sqlite3_bind_int64(st, 1, v);
	return db_step_done(db, st);
}

enum sd_rc
db_user_password(struct db *db, int64_t id, char **hash)
{
	sqlite3_stmt *st = db_stmt(db, sql_pw_get);
	enum sd_rc rc;
	int r;

	*hash = NULL;
	if (st == NULL)
		return db_stmt_rc(db);
	sqlite3_bind_int64(st, 1, id);
	rc = web_row(db, st, &r);
	if (rc != SD_OK)
		return rc;
	if (sqlite3_column_type(st, 0) != SQLITE_NULL)
		*hash = db_col_text(st, 0);
	sqlite3_reset(st);
	return SD_OK;
}

enum sd_rc
db_user_set_password(struct db *db, int64_t id, const char *hash)
{
	return web_exec_id_text(db, sql_pw_set, id, hash);
}

enum sd_rc
db_user_set_type(struct db *db, int64_t id, const char *user_type)
{
	return web_exec_id_text(db, sql_type_set, id, user_type);
}

enum sd_rc
db_session_add(struct db *db, const char *id_hash, const struct db_session *s)
{
	sqlite3_stmt *st = db_stmt(db, sql_sess_add);

	if (st == NULL)
		return db_stmt_rc(db);
	db_bind_text(st, 1, id_hash);
	sqlite3_bind_int64(st, 2, s->user_id);
	db_bind_text(st, 3, s->csrf);
	sqlite3_bind_int64(st, 4, s->created);
	sqlite3_bind_int64(st, 5, s->expires);
	sqlite3_bind_int64(st, 6, s->last_seen);
	return db_step_done(db, st);
}

enum sd_rc
db_session_get(struct db *db, const char *id_hash, struct db_session *out)
{
	sqlite3_stmt *st = db_stmt(db, sql_sess_get);
	const unsigned char *t;
	enum sd_rc rc;
	int r;

	memset(out, 0, sizeof(*out));
	if (st == NULL)
		return db_stmt_rc(db);
	db_bind_text(st, 1, id_hash);
	rc = web_row(db, st, &r);
	if (rc != SD_OK)
		return rc;
	out->user_id = sqlite3_column_int64(st, 0);
	t = sqlite3_column_text(st, 1);
	snprintf(out->csrf, sizeof(out->csrf), "%s",
	    t != NULL ? (const char *)t : "");
	out->created = sqlite3_column_int64(st, 2);
	out->expires = sqlite3_column_int64(st, 3);
	out->last_seen = sqlite3_column_int64(st, 4);
	sqlite3_reset(st);
	return SD_OK;
}

enum sd_rc
db_session_touch(struct db *db, const char *id_hash, int64_t now)
{
	sqlite3_stmt *st = db_stmt(db, sql_sess_touch);

	if (st == NULL)
		return db_stmt_rc(db);
	db_bind_text(st, 1, id_hash);
	sqlite3_bind_int64(st, 2, now);
	return db_step_done(db, st);
}

enum sd_rc
db_session_delete(struct db *db, const char *id_hash)
{
	return web_exec_text(db, sql_sess_del, id_hash, 0);
}

enum sd_rc
db_session_delete_user(struct db *db, int64_t user_id)
{
	return web_exec_text(db, sql_sess_del_user, NULL, user_id);
}

enum sd_rc
db_web_purge(struct db *db, int64_t now, int64_t fails_before)
{
	enum sd_rc rc;

	rc = web_exec_text(db, sql_purge_sess, NULL, now);
	if (rc == SD_OK)
		rc = web_exec_text(db, sql_purge_pend, NULL, now);
	if (rc == SD_OK)
		rc = web_exec_text(db, sql_purge_dev, NULL, now);
	if (rc == SD_OK)
		rc = web_exec_text(db, sql_purge_fail, NULL, fails_before);
	return rc;
}

void
db_pending_fini(struct db_pending *p)
{
	free(p->first);
	free(p->last);
	free(p->user_type);
	free(p->pw_hash);
	memset(p, 0, sizeof(*p));
}

enum sd_rc
db_pending_put(struct db *db, const char *id_hash, const struct db_pending *p)
{
	sqlite3_stmt *st = db_stmt(db, sql_pend_put);

	if (st == NULL)
		return db_stmt_rc(db);
	db_bind_text(st, 1, id_hash);
	sqlite3_bind_int(st, 2, p->purpose);
	db_bind_text(st, 3, p->mobile);
	sqlite3_bind_int64(st, 4, p->user_id);
	db_bind_text(st, 5, p->first != NULL ? p->first : "");
	db_bind_text(st, 6, p->last != NULL ? p->last : "");
	db_bind_text(st, 7, p->user_type != NULL ? p->user_type : "");
	db_bind_text(st, 8, p->pw_hash != NULL ? p->pw_hash : "");
	sqlite3_bind_int64(st, 9, p->created);
	sqlite3_bind_int64(st, 10, p->expires);
	return db_step_done(db, st);
}

enum sd_rc
db_pending_get(struct db *db, const char *id_hash, struct db_pending *out)
{
	sqlite3_stmt *st = db_stmt(db, sql_pend_get);
	const unsigned char *t;
	enum sd_rc rc;
	int r;

	memset(out, 0, sizeof(*out));
	if (st == NULL)
		return db_stmt_rc(db);
	db_bind_text(st, 1, id_hash);
	rc = web_row(db, st, &r);
	if (rc != SD_OK)
		return rc;
	out->purpose = sqlite3_column_int(st, 0);
	t = sqlite3_column_text(st, 1);
	snprintf(out->mobile, sizeof(out->mobile), "%s",
	    t != NULL ? (const char *)t : "");
	out->user_id = sqlite3_column_int64(st, 2);
	out->first = db_col_text(st, 3);
	out->last = db_col_text(st, 4);
	out->user_type = db_col_text(st, 5);
	out->pw_hash = db_col_text(st, 6);
	out->created = sqlite3_column_int64(st, 7);
	out->expires = sqlite3_column_int64(st, 8);
	sqlite3_reset(st);
	return SD_OK;
}

enum sd_rc
db_pending_delete(struct db *db, const char *id_hash)
{
	return web_exec_text(db, sql_pend_del, id_hash, 0);
}

enum sd_rc
db_device_add(struct db *db, const char *token_hash, int64_t user_id,
    int64_t expires)
{
	sqlite3_stmt *st = db_stmt(db, sql_dev_add);

	if (st == NULL)
		return db_stmt_rc(db);
	db_bind_text(st, 1, token_hash);
	sqlite3_bind_int64(st, 2, user_id);
	sqlite3_bind_int64(st, 3, sd_clock_now());
	sqlite3_bind_int64(st, 4, expires);
	return db_step_done(db, st);
}

enum sd_rc
db_device_ok(struct db *db, const char *token_hash, int64_t user_id,
    int64_t now, bool *yes)
{
	sqlite3_stmt *st = db_stmt(db, sql_dev_ok);
	enum sd_rc rc;
	int r;

	*yes = false;
	if (st == NULL)
		return db_stmt_rc(db);
	db_bind_text(st, 1, token_hash);
	sqlite3_bind_int64(st, 2, user_id);
	sqlite3_bind_int64(st, 3, now);
	rc = web_row(db, st, &r);
	if (rc == SD_ENOTFOUND)
		return SD_OK;
	if (rc != SD_OK)
		return rc;
	*yes = true;
	sqlite3_reset(st);
	return SD_OK;
}

enum sd_rc
db_fail_add(struct db *db, const char *key, int64_t at)
{
	sqlite3_stmt *st = db_stmt(db, sql_fail_add);

	if (st == NULL)
		return db_stmt_rc(db);
	db_bind_text(st, 1, key);
	sqlite3_bind_int64(st, 2, at);
	return db_step_done(db, st);
}

/* count(*), min(x) of st bound with text (or NULL) and since. */
static enum sd_rc
web_count(struct db *db, const char *sql, const char *key, int64_t since,
    int64_t *n, int64_t *oldest)
{
	sqlite3_stmt *st = db_stmt(db, sql);
	enum sd_rc rc;
	int r;

	*n = 0;
	*oldest = 0;
	if (st == NULL)
		return db_stmt_rc(db);
	if (key != NULL)
		db_bind_text(st, 1, key);
	else
		sqlite3_bind_null(st, 1);
	sqlite3_bind_int64(st, 2, since);
	rc = web_row(db, st, &r);
	if (rc != SD_OK)
		return rc;
	*n = sqlite3_column_int64(st, 0);
	*oldest = sqlite3_column_int64(st, 1);
	sqlite3_reset(st);
	return SD_OK;
}

enum sd_rc
db_fail_count(struct db *db, const char *key, int64_t since, int64_t *n,
    int64_t *oldest)
{
	return web_count(db, sql_fail_count, key, since, n, oldest);
}

enum sd_rc
db_fail_clear(struct db *db, const char *key)
{
	return web_exec_text(db, sql_fail_clear, key, 0);
}

enum sd_rc
db_otp_latest(struct db *db, const char *mobile, int purpose,
    struct db_otp *out)
{
	sqlite3_stmt *st = db_stmt(db, sql_otp_latest);
	const unsigned char *t;
	enum sd_rc rc;
	int r;

	memset(out, 0, sizeof(*out));
	if (st == NULL)
		return db_stmt_rc(db);
	db_bind_text(st, 1, mobile);
	sqlite3_bind_int(st, 2, purpose);
	rc = web_row(db, st, &r);
	if (rc != SD_OK)
		return rc;
	out->id = sqlite3_column_int64(st, 0);
	t = sqlite3_column_text(st, 1);
	snprintf(out->code_hash, sizeof(out->code_hash), "%s",
	    t != NULL ? (const char *)t : "");
	out->created = sqlite3_column_int64(st, 2);
	out->expires = sqlite3_column_int64(st, 3);
	out->tries = sqlite3_column_int(st, 4);
	out->used = sqlite3_column_int(st, 5) != 0;
	sqlite3_reset(st);
	return SD_OK;
}

enum sd_rc
db_otp_try(struct db *db, int64_t id)
{
	return web_exec_text(db, sql_otp_try, NULL, id);
}

enum sd_rc
db_otp_use(struct db *db, int64_t id)
{
	return web_exec_text(db, sql_otp_use, NULL, id);
}

enum sd_rc
db_otp_count(struct db *db, const char *addr, int64_t since, int64_t *n,
    int64_t *oldest)
{
	return web_count(db,
	    addr != NULL ? sql_otp_count_addr : sql_otp_count_all, addr, since,
	    n, oldest);
}

enum sd_rc
db_otp_count_mobile(struct db *db, const char *mobile, int64_t since,
    int64_t *n, int64_t *oldest)
{
	return web_count(db, sql_otp_count_mobile, mobile, since, n, oldest);
}

enum sd_rc
db_otp_set_addr(struct db *db, int64_t id, const char *addr)
{
	return web_exec_id_text(db, sql_otp_set_addr, id, addr);
}
