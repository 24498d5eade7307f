/*
 * db/attachment.c: attached files (the attachments table of schema 1).
 *
 * A row is written in the transaction of the message it came with, after
 * its file was stored under a random name (core/upload.c): a row always
 * names a complete file. storage_path holds that name alone, relative to
 * [web] attachments_dir; file_type the detected type's key ("jpg").
 */
#include "db/db.h"

#include <stdlib.h>

#include "db/db_int.h"

static const char sql_att_add
    [] = "INSERT INTO attachments (message_id, file_name, file_type, size,"
	 " sha256, storage_path, created) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)";
static const char sql_att_get
    [] = "SELECT a.id, a.message_id, m.tracking, a.file_name, a.file_type,"
	 " a.size, a.sha256, a.storage_path, a.created FROM attachments a"
	 " JOIN messages m ON m.id = a.message_id WHERE a.id = ?1";
static const char sql_att_list
    [] = "SELECT a.id, a.message_id, m.tracking, a.file_name, a.file_type,"
	 " a.size, a.sha256, a.storage_path, a.created FROM messages m"
	 " JOIN attachments a ON a.message_id = m.id WHERE m.tracking = ?1"
	 " ORDER BY m.id, a.id";

void
db_attachment_fini(struct db_attachment *a)
{
	if (a == NULL)
		return;
	free(a->name);
	free(a->type);
	free(a->sha256);
	free(a->stored);
	a->name = a->type = a->sha256 = a->stored = NULL;
}

void
db_attachment_list_free(struct db_attachment *rows, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		db_attachment_fini(&rows[i]);
	free(rows);
}

static void
att_read(sqlite3_stmt *st, void *row)
{
	struct db_attachment *a = row;

	a->id = sqlite3_column_int64(st, 0);
	a->message_id = sqlite3_column_int64(st, 1);
	a->tracking = sqlite3_column_int64(st, 2);
	a->name = db_col_text(st, 3);
	a->type = db_col_text(st, 4);
	a->size = sqlite3_column_int64(st, 5);
	a->sha256 = db_col_text(st, 6);
	a->stored = db_col_text(st, 7);
	a->created = sqlite3_column_int64(st, 8);
}

enum sd_rc
db_attachment_add(struct db *db, const struct db_attachment *a, int64_t *id)
{
	sqlite3_stmt *st = db_stmt(db, sql_att_add);
	enum sd_rc rc;

	if (st == NULL)
		return db_stmt_rc(db);
	sqlite3_bind_int64(st, 1, a->message_id);
	db_bind_text(st, 2, a->name);
	db_bind_text(st, 3, a->type);
	sqlite3_bind_int64(st, 4, a->size);
	db_bind_text(st, 5, a->sha256);
	db_bind_text(st, 6, a->stored);
	sqlite3_bind_int64(st, 7, a->created);
	rc = db_step_done(db, st);
	if (rc == SD_OK && id != NULL)
		*id = sqlite3_last_insert_rowid(db->h);
	return rc;
}

enum sd_rc
db_attachment_get(struct db *db, int64_t id, struct db_attachment *out)
{
	sqlite3_stmt *st = db_stmt(db, sql_att_get);
	int r;

	if (st == NULL)
		return db_stmt_rc(db);
	sqlite3_bind_int64(st, 1, id);
	r = sqlite3_step(st);
	if (r == SQLITE_ROW)
		att_read(st, out);
	sqlite3_reset(st);
	if (r == SQLITE_ROW)
		return SD_OK;
	return r == SQLITE_DONE ? SD_ENOTFOUND :
				  db_rc(sqlite3_extended_errcode(db->h));
}

static void
att_release(void *rows, size_t n)
{
	db_attachment_list_free(rows, n);
}

enum sd_rc
db_attachment_list(struct db *db, int64_t tracking, struct db_attachment **rows,
    size_t *n)
{
	sqlite3_stmt *st = db_stmt(db, sql_att_list);
	void *v;
	enum sd_rc rc;

	*rows = NULL;
	*n = 0;
	if (st == NULL)
		return db_stmt_rc(db);
	sqlite3_bind_int64(st, 1, tracking);
	rc = db_rows(db, st, sizeof(**rows), att_read, att_release, &v, n);
	*rows = v;
	return rc;
}
