/*
 * db/inbox.c: the inbox. An MO is stored here, and committed, before the
 * SMSC gets its deliver_sm_resp: whatever was acknowledged is on disk.
 * (Duplicate detection and the handled state come with issue #4.)
 */
#include "db/db.h"

#include "core/base/clock.h"
#include "db/db_int.h"

static const char sql_inbox_add[] =
    "INSERT INTO inbox (source, destination, body, kind, ussd_session,"
    " state, received) VALUES (?1, ?2, ?3, ?4, ?5, 0, ?6)";
static const char sql_inbox_count[] = "SELECT count(*) FROM inbox";

enum sd_rc
db_inbox_add(struct db *db, const char *source, const char *destination,
    const char *body, enum db_inbox_kind kind, const char *session,
    int64_t *id)
{
	sqlite3_stmt *st = db_stmt(db, sql_inbox_add);
	enum sd_rc rc;

	if (st == NULL)
		return SD_EINTERNAL;
	db_bind_text(st, 1, source);
	db_bind_text(st, 2, destination);
	db_bind_text(st, 3, body);
	sqlite3_bind_int(st, 4, (int)kind);
	db_bind_text(st, 5, session != NULL ? session : "");
	sqlite3_bind_int64(st, 6, sd_clock_now());
	rc = db_step_done(db, st);
	if (rc == SD_OK && id != NULL)
		*id = sqlite3_last_insert_rowid(db->h);
	return rc;
}

enum sd_rc
db_inbox_count(struct db *db, int64_t *n)
{
	sqlite3_stmt *st = db_stmt(db, sql_inbox_count);
	int r;

	if (st == NULL)
		return SD_EINTERNAL;
	r = sqlite3_step(st);
	if (r == SQLITE_ROW)
		*n = sqlite3_column_int64(st, 0);
	sqlite3_reset(st);
	return r == SQLITE_ROW ? SD_OK : db_rc(sqlite3_extended_errcode(db->h));
}
