/*
 * db/db_int.h: private to db/. The connection struct and the statement
 * cache.
 *
 * Statements are prepared once per connection and looked up by the
 * address of their static SQL text (each call site passes the same string
 * literal), so a hot path never re-parses SQL.
 */
#ifndef SMSDESK_DB_DB_INT_H
#define SMSDESK_DB_DB_INT_H

#include <sqlite3.h>

#include "db/db.h"

/* Statements cached per connection; one more aborts (fatalx). db/ has
 * 96 distinct ones, the transaction statements included. */
#define DB_STMT_MAX 256

struct db_stmt_slot {
	const char *sql;    /* the static SQL text, the cache key */
	sqlite3_stmt *stmt; /* prepared statement */
};

/* Transactions nest this deep (the outermost plus savepoints). */
#define DB_NEST_MAX 5

/* Changes to outbox_counts and its "waiting from" cell (schema 6) made in
 * the open transaction, not yet written. */
struct db_counts_delta {
	int64_t d[CORE_OUT_KIND_COUNT]
		 [CORE_OUT_STATE_COUNT]; /* [kind][state] */
	bool any;                        /* some d != 0 */
	int64_t entered; /* lowest id that became waiting, 0 if none */
	bool left;       /* some row stopped waiting */
};

struct db {
	sqlite3 *h;                             /* the connection */
	struct db_stmt_slot stmts[DB_STMT_MAX]; /* prepared statements */
	size_t n_stmts;                         /* slots in use */
	int depth;                              /* nested db_begin()s */
	int reads;    /* nested db_read_begin()s (0: none) */
	bool read_tx; /* the deferred BEGIN of db_read_begin() is open */
	int stmt_err; /* SQLite's code for the last failed prepare */
	/* The outbox's count changes of the open transaction, and what
	 * they were when each savepoint was set (saved[d - 1] at depth d):
	 * written to outbox_counts just before COMMIT, dropped with a
	 * ROLLBACK, taken back to the savepoint's with a ROLLBACK TO. */
	struct db_counts_delta counts;
	struct db_counts_delta counts_saved[DB_NEST_MAX];
};

/* The prepared statement for sql (a string literal), reset and with its
 * bindings cleared. NULL on a prepare error (logged): return
 * db_stmt_rc() then. */
sqlite3_stmt *db_stmt(struct db *db, const char *sql);

/* What the db_stmt() that just returned NULL failed with: SD_ENOMEM or
 * SD_EIO (temporary: out of memory or an I/O error reading the schema),
 * SD_EINTERNAL for bad SQL. */
enum sd_rc db_stmt_rc(struct db *db);

/* Map a SQLite result code to enum sd_rc (BUSY/LOCKED -> EBUSY, FULL/IOERR
 * -> EIO, NOMEM -> ENOMEM, CONSTRAINT_UNIQUE -> EEXIST, other constraints
 * -> EINVAL, else EINTERNAL). */
enum sd_rc db_rc(int src);

/* Step a statement that returns no rows; maps the result. */
enum sd_rc db_step_done(struct db *db, sqlite3_stmt *st);

/* Copy a text column (NULL -> ""). */
char *db_col_text(sqlite3_stmt *st, int col);

/* Every row of st (bound; stepped here to its end, then reset), each
 * read by read() into the next element, zeroed first, of a growing array
 * of elements of size sz: *out gets the array (the caller's; NULL when
 * there is no row) and *n its length. On a step error release() (NULL:
 * free()) takes the rows read so far, *out stays NULL and the error is
 * returned. The one collector of db/'s list functions. */
enum sd_rc db_rows(struct db *db, sqlite3_stmt *st, size_t sz,
    void (*read)(sqlite3_stmt *st, void *row),
    void (*release)(void *rows, size_t n), void **out, size_t *n);

/* Outbox counts (db/outbox.c). Write db->counts to outbox_counts (inside
 * the open transaction, just before its COMMIT) and clear it. */
enum sd_rc db_outbox_counts_flush(struct db *db);

/* Bind a UTF-8 string, not copied (SQLITE_STATIC, so binding cannot
 * fail): s must stay valid until the statement is stepped and reset, as
 * every caller's argument does (db_stmt() clears bindings on reuse). */
int db_bind_text(sqlite3_stmt *st, int idx, const char *s);

/* The schema migrations (db/schema.c). */
struct db_migration {
	int version;            /* user_version after applying */
	const char *const *sql; /* its statements, NULL-terminated */
};
extern const struct db_migration db_migrations[];
extern const size_t db_n_migrations;

/* ---- Full-text search (db/fts.c) ---- */

/* Register the FTS5 tokenizer "sd_fa" of requests_fts (db/fts.c) on
 * db's connection: db_open does, before any statement runs. */
enum sd_rc db_fts_register(struct db *db, char err[SD_ERRLEN]) SD_MUSTCHECK;

#endif
