/*
 * db/db.c: connection, pragmas, statement cache, transactions, [db] config.
 *
 * Pragmas set at open: journal_mode=WAL (readers never block the writer),
 * foreign_keys=ON, busy_timeout from config, synchronous FULL by default
 * (in WAL, NORMAL may lose the last committed transactions on power loss;
 * FULL fsyncs the WAL at every commit, which the store-and-forward promise
 * needs before an SMSC is acknowledged), secure_delete=FAST (freed cells
 * are zeroed: no stale OTP text).
 *
 * Files: the database is created 0600 before SQLite opens it, so its
 * -wal, -shm and -journal (which SQLite creates with the database's
 * mode) are 0600 too; an existing one readable by others is made private
 * (issue #9).
 */
#include "db/db.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/base/log.h"
#include "core/base/xmalloc.h"
#include "db/db_int.h"

static const char *const db_sync_choices[] = {"full", "normal", NULL};

const struct sd_conf_key db_config_keys[] = {
    {"path", SD_CONF_STR, offsetof(struct db_config, path), "var/smsdesk.db", 0,
	0, NULL, NULL,
	"SQLite database file (created with its folder if missing)"},
    {"synchronous", SD_CONF_ENUM, offsetof(struct db_config, synchronous),
	"full", 0, 0, db_sync_choices, NULL,
	"full: every commit survives power loss; normal: faster, may "
	"lose the last commits"},
    {"busy_timeout_ms", SD_CONF_INT,
	offsetof(struct db_config, busy_timeout_ms), "5000", 10, 600000, NULL,
	NULL, "how long a writer waits for the lock"},
    {NULL, SD_CONF_STR, 0, NULL, 0, 0, NULL, NULL, NULL},
};

enum sd_rc
db_rc(int src)
{
	switch (src & 0xff) {
	case SQLITE_OK:
	case SQLITE_DONE:
	case SQLITE_ROW: return SD_OK;
	case SQLITE_BUSY:
	case SQLITE_LOCKED: return SD_EBUSY;
	case SQLITE_FULL:
	case SQLITE_IOERR:
	case SQLITE_CANTOPEN:
	case SQLITE_PROTOCOL: return SD_EIO;
	case SQLITE_NOMEM: return SD_ENOMEM;
	case SQLITE_CONSTRAINT:
		if (src == SQLITE_CONSTRAINT_UNIQUE ||
		    src == SQLITE_CONSTRAINT_PRIMARYKEY)
			return SD_EEXIST;
		if (src == SQLITE_CONSTRAINT_FOREIGNKEY)
			return SD_ENOTFOUND;
		return SD_EINVAL;
	case SQLITE_TOOBIG: return SD_ETOOBIG;
	default: return SD_EINTERNAL;
	}
}

sqlite3_stmt *
db_stmt(struct db *db, const char *sql)
{
	sqlite3_stmt *st;
	size_t i;
	int r;

	for (i = 0; i < db->n_stmts; i++) {
		if (db->stmts[i].sql == sql) {
			st = db->stmts[i].stmt;
			sqlite3_reset(st);
			sqlite3_clear_bindings(st);
			return st;
		}
	}
	r = sqlite3_prepare_v3(db->h, sql, -1, SQLITE_PREPARE_PERSISTENT, &st,
	    NULL);
	if (r != SQLITE_OK) {
		db->stmt_err = sqlite3_extended_errcode(db->h);
		log_error("db",
		    "prepare failed code=%d error=\"%s\" "
		    "sql=\"%.60s\"",
		    db->stmt_err, sqlite3_errmsg(db->h), sql);
		return NULL;
	}
	if (db->n_stmts == DB_STMT_MAX)
		fatalx("db", "statement cache full (raise DB_STMT_MAX)");
	db->stmts[db->n_stmts].sql = sql;
	db->stmts[db->n_stmts].stmt = st;
	db->n_stmts++;
	return st;
}

enum sd_rc
db_stmt_rc(struct db *db)
{
	/* Out of memory or an I/O error while preparing passes (retry);
	 * SQL that does not compile is ours to fix. Before this, every
	 * failed prepare was SD_EINTERNAL, a permanent error for a
	 * temporary fault (tests/fault). */
	return db->stmt_err == SQLITE_OK ? SD_EINTERNAL : db_rc(db->stmt_err);
}

enum sd_rc
db_step_done(struct db *db, sqlite3_stmt *st)
{
	int r, ext;

	if (st == NULL)
		return db_stmt_rc(db);
	r = sqlite3_step(st);
	ext = sqlite3_extended_errcode(db->h);

	sqlite3_reset(st);
	if (r == SQLITE_DONE || r == SQLITE_ROW)
		return SD_OK;
	log_debug("db", "step failed code=%d error=\"%s\"", ext,
	    sqlite3_errmsg(db->h));
	return db_rc(ext);
}

char *
db_col_text(sqlite3_stmt *st, int col)
{
	const unsigned char *t = sqlite3_column_text(st, col);

	return xstrdup(t == NULL ? "" : (const char *)t);
}

enum sd_rc
db_rows(struct db *db, sqlite3_stmt *st, size_t sz,
    void (*read)(sqlite3_stmt *st, void *row),
    void (*release)(void *rows, size_t n), void **out, size_t *n)
{
	char *v = NULL;
	size_t cnt = 0, cap = 0;
	int r;

	*out = NULL;
	*n = 0;
	while ((r = sqlite3_step(st)) == SQLITE_ROW) {
		if (cnt == cap) {
			cap = cap == 0 ? 16 : cap * 2;
			v = xrealloc(v, cap * sz);
		}
		memset(v + cnt * sz, 0, sz);
		read(st, v + cnt * sz);
		cnt++;
	}
	sqlite3_reset(st);
	if (r != SQLITE_DONE) {
		if (release != NULL)
			release(v, cnt);
		else
			free(v);
		return db_rc(sqlite3_extended_errcode(db->h));
	}
	*out = v;
	*n = cnt;
	return SD_OK;
}

int
db_bind_text(sqlite3_stmt *st, int idx, const char *s)
{
	/* SQLITE_STATIC: a copy (SQLITE_TRANSIENT) needs memory, and a
	 * failed bind leaves the parameter NULL while the step goes on and
	 * succeeds: out of memory, a receipt matched nothing, a duplicate
	 * MO was not recognized, held parts were not dropped, and each
	 * reported SD_OK (tests/fault). */
	return sqlite3_bind_text(st, idx, s, -1, SQLITE_STATIC);
}

const char *
db_errmsg(struct db *db)
{
	return sqlite3_errmsg(db->h);
}

static enum sd_rc
db_exec(struct db *db, const char *sql, char err[SD_ERRLEN])
{
	char *msg = NULL;
	int r = sqlite3_exec(db->h, sql, NULL, NULL, &msg);

	if (r != SQLITE_OK) {
		if (err != NULL)
			snprintf(err, SD_ERRLEN, "%s",
			    msg != NULL ? msg : sqlite3_errstr(r));
		sqlite3_free(msg);
		return db_rc(sqlite3_extended_errcode(db->h));
	}
	return SD_OK;
}

/* Nested transactions: the outermost is BEGIN IMMEDIATE ... COMMIT, inner
 * ones are savepoints, so a domain function that opens its own
 * transaction also runs inside the pipeline's batch. */
static const char *const sql_tx[3] = {"BEGIN IMMEDIATE", "COMMIT", "ROLLBACK"};
static const char sql_read_begin[] = "BEGIN DEFERRED";
static const char *const sql_sp[DB_NEST_MAX][3] = {
    {"SAVEPOINT sd1", "RELEASE sd1", "ROLLBACK TO sd1"},
    {"SAVEPOINT sd2", "RELEASE sd2", "ROLLBACK TO sd2"},
    {"SAVEPOINT sd3", "RELEASE sd3", "ROLLBACK TO sd3"},
    {"SAVEPOINT sd4", "RELEASE sd4", "ROLLBACK TO sd4"},
};

static pthread_once_t db_once = PTHREAD_ONCE_INIT;

static void
db_global_init(void)
{
	(void)sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
}

enum sd_rc
db_open(const struct db_config *cfg, struct db **out, char err[SD_ERRLEN])
{
	enum sd_rc rc = db_open_nomigrate(cfg, out, err);

	if (rc != SD_OK)
		return rc;
	rc = db_migrate(*out, NULL, NULL, err);
	if (rc != SD_OK) {
		db_close(*out);
		*out = NULL;
	}
	return rc;
}

/*
 * sd_scrub(text): text with every digit (ASCII, Persian U+06F0..U+06F9,
 * Arabic-Indic U+0660..U+0669) replaced by '*'. The outbox keeps an OTP's
 * text this way once the code is no longer needed (db/outbox.c).
 */
static void
db_fn_scrub(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
	const unsigned char *t;
	char *out;
	int n, i, k = 0;

	(void)argc;
	t = sqlite3_value_text(argv[0]);
	if (t == NULL) {
		sqlite3_result_null(ctx);
		return;
	}
	n = sqlite3_value_bytes(argv[0]);
	out = sqlite3_malloc(n + 1);
	if (out == NULL) {
		sqlite3_result_error_nomem(ctx);
		return;
	}
	for (i = 0; i < n; i++) {
		if (t[i] >= '0' && t[i] <= '9') {
			out[k++] = '*';
		} else if (i + 1 < n &&
		    ((t[i] == 0xd9 && t[i + 1] >= 0xa0 && t[i + 1] <= 0xa9) ||
			(t[i] == 0xdb && t[i + 1] >= 0xb0 &&
			    t[i + 1] <= 0xb9))) {
			out[k++] = '*';
			i++;
		} else {
			out[k++] = (char)t[i];
		}
	}
	out[k] = '\0';
	sqlite3_result_text(ctx, out, k, sqlite3_free);
}

/*
 * Make the database at path private before SQLite opens it: create it
 * 0600 if missing (SQLite gives its -wal, -shm and -journal the mode of
 * the database file), and take group and other access away from an
 * existing one and its companions (an older version created them 0644
 * under the usual umask). ":memory:" and URIs are left alone.
 *
 * An existing file is changed by path, never opened: closing any
 * descriptor of a file drops every POSIX lock this process holds on it,
 * so another connection's locks (the gw thread's, while the store thread
 * opens its own) would go and the database could be corrupted.
 */
static enum sd_rc
db_file_private(const char *path, char err[SD_ERRLEN])
{
	static const char *const sfx[] = {"", "-wal", "-shm", "-journal"};
	char f[PATH_MAX];
	struct stat st;
	size_t i;
	int fd;

	if (path[0] == '\0' || strcmp(path, ":memory:") == 0 ||
	    strncmp(path, "file:", 5) == 0)
		return SD_OK;
	fd = open(path, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC | O_NOCTTY, 0600);
	if (fd >= 0) {
		close(fd); /* new: nobody else has it open */
		return SD_OK;
	}
	if (errno != EEXIST) {
		snprintf(err, SD_ERRLEN, "cannot create database %s: %s", path,
		    strerror(errno));
		return SD_EIO;
	}
	for (i = 0; i < sizeof(sfx) / sizeof(sfx[0]); i++) {
		if (snprintf(f, sizeof(f), "%s%s", path, sfx[i]) >=
		    (int)sizeof(f))
			continue;
		if (stat(f, &st) != 0 || (st.st_mode & 077) == 0)
			continue;
		if (chmod(f, st.st_mode & 0700) != 0) {
			snprintf(err, SD_ERRLEN,
			    "cannot make %s private "
			    "(chmod 600): %s",
			    f, strerror(errno));
			return SD_EIO;
		}
		log_warnx("db",
		    "file was readable by others, now private "
		    "path=%s mode=%04o",
		    f, (unsigned)(st.st_mode & 0777));
	}
	return SD_OK;
}

enum sd_rc
db_open_nomigrate(const struct db_config *cfg, struct db **out,
    char err[SD_ERRLEN])
{
	struct db *db;
	char sql[224];
	enum sd_rc rc;
	int r;

	*out = NULL;
	db = xcalloc(1, sizeof(*db));
	/* No global memory statistics: they take a process-wide mutex on
	 * every allocation (measured: a few per cent of an MO's cost). */
	(void)pthread_once(&db_once, db_global_init);
	rc = db_file_private(cfg->path, err);
	if (rc != SD_OK)
		goto fail;
	r = sqlite3_open_v2(cfg->path, &db->h,
	    SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX,
	    NULL);
	if (r != SQLITE_OK) {
		snprintf(err, SD_ERRLEN, "cannot open database %s: %s",
		    cfg->path,
		    db->h != NULL ? sqlite3_errmsg(db->h) : sqlite3_errstr(r));
		rc = SD_EIO;
		goto fail;
	}
	sqlite3_extended_result_codes(db->h, 1);
	sqlite3_busy_timeout(db->h, (int)cfg->busy_timeout_ms);
	rc = db_exec(db, "PRAGMA journal_mode=WAL", err);
	if (rc != SD_OK)
		goto fail;
	/* A 16 MB page cache (the default is 2 MB) and reads through mmap:
	 * a busy link's indexes stay in memory and read without a syscall
	 * a page. */
	/* secure_delete=FAST zeroes what a change frees inside a b-tree
	 * page, so a masked OTP text leaves no copy of its code in a freed
	 * cell (issue #9). Measured: 20,000 rows queued, claimed and
	 * accepted took 1% longer; ON, which also zeroes freelist pages,
	 * 29%. Without it, 33 of 500 codes stayed in the file after a
	 * checkpoint in a plain outbox table. */
	snprintf(sql, sizeof(sql),
	    "PRAGMA foreign_keys=ON; PRAGMA synchronous=%s;"
	    " PRAGMA cache_size=-16384; PRAGMA mmap_size=268435456;"
	    " PRAGMA secure_delete=FAST",
	    cfg->synchronous == 0 ? "FULL" : "NORMAL");
	rc = db_exec(db, sql, err);
	if (rc != SD_OK)
		goto fail;
	r = sqlite3_create_function_v2(db->h, "sd_scrub", 1,
	    SQLITE_UTF8 | SQLITE_DETERMINISTIC | SQLITE_INNOCUOUS, NULL,
	    db_fn_scrub, NULL, NULL, NULL);
	if (r != SQLITE_OK) {
		snprintf(err, SD_ERRLEN, "cannot register sd_scrub: %s",
		    sqlite3_errmsg(db->h));
		rc = SD_EINTERNAL;
		goto fail;
	}
	rc = db_fts_register(db, err);
	if (rc != SD_OK)
		goto fail;
	/* The transaction statements now, while nothing is at stake: a
	 * ROLLBACK that could not be prepared (out of memory) left its
	 * transaction open, every later BEGIN failed and the write lock
	 * was held for good (tests/fault). */
	for (size_t i = 0; i < 3 + 3 * DB_NEST_MAX; i++) {
		const char *q = i < 3 ? sql_tx[i] : sql_sp[(i - 3) / 3][i % 3];

		if (q != NULL && db_stmt(db, q) == NULL) {
			snprintf(err, SD_ERRLEN, "cannot prepare %s: %s", q,
			    sqlite3_errmsg(db->h));
			rc = db_stmt_rc(db);
			goto fail;
		}
	}
	*out = db;
	return SD_OK;
fail:
	db_close(db);
	return rc;
}

void
db_close(struct db *db)
{
	size_t i;

	if (db == NULL)
		return;
	for (i = 0; i < db->n_stmts; i++)
		sqlite3_finalize(db->stmts[i].stmt);
	if (db->h != NULL && sqlite3_close(db->h) != SQLITE_OK)
		log_warnx("db", "close failed error=\"%s\"",
		    sqlite3_errmsg(db->h));
	free(db);
}

/* End the read snapshot, if open (it has nothing to keep). */
static void
db_read_close(struct db *db)
{
	if (!db->read_tx)
		return;
	db->read_tx = false;
	if (!sqlite3_get_autocommit(db->h) &&
	    db_step_done(db, db_stmt(db, sql_tx[1])) != SD_OK) {
		log_warnx("db", "ending a read failed error=\"%s\"",
		    sqlite3_errmsg(db->h));
		(void)db_step_done(db, db_stmt(db, sql_tx[2]));
	}
}

enum sd_rc
db_read_begin(struct db *db)
{
	enum sd_rc rc;

	db->reads++;
	if (db->depth > 0 || db->read_tx || !sqlite3_get_autocommit(db->h))
		return SD_OK;
	rc = db_step_done(db, db_stmt(db, sql_read_begin));
	if (rc != SD_OK) {
		db->reads--;
		return rc;
	}
	db->read_tx = true;
	return SD_OK;
}

void
db_read_end(struct db *db)
{
	if (db->reads <= 0)
		return;
	if (--db->reads == 0)
		db_read_close(db);
}

enum sd_rc
db_begin(struct db *db)
{
	enum sd_rc rc;

	if (db->depth == 0)
		db_read_close(db);
	if (db->depth > 0 && sqlite3_get_autocommit(db->h))
		db->depth = 0; /* SQLite ended it (e.g. on an I/O error) */
	if (db->depth == 0 && !sqlite3_get_autocommit(db->h)) {
		/* A transaction left open by a ROLLBACK that failed: end it
		 * now, or this BEGIN and every later one fail for good. */
		log_warnx("db", "rolling back a transaction left open");
		rc = db_step_done(db, db_stmt(db, sql_tx[2]));
		if (rc != SD_OK)
			return rc;
	}
	if (db->depth == 0) {
		memset(&db->counts, 0, sizeof(db->counts));
		rc = db_step_done(db, db_stmt(db, sql_tx[0]));
	} else if (db->depth <= DB_NEST_MAX) {
		rc = db_step_done(db, db_stmt(db, sql_sp[db->depth - 1][0]));
		db->counts_saved[db->depth - 1] = db->counts;
	} else
		return SD_EINTERNAL;
	if (rc == SD_OK)
		db->depth++;
	return rc;
}

enum sd_rc
db_commit(struct db *db)
{
	enum sd_rc rc;

	if (db->depth <= 0)
		return SD_EINTERNAL;
	if (db->depth == 1) {
		/* The outbox counts go in the same transaction. */
		rc = db_outbox_counts_flush(db);
		if (rc == SD_OK)
			rc = db_step_done(db, db_stmt(db, sql_tx[1]));
	} else
		rc = db_step_done(db, db_stmt(db, sql_sp[db->depth - 2][1]));
	if (rc == SD_OK)
		db->depth--;
	return rc;
}

void
db_rollback(struct db *db)
{
	if (db->depth <= 0)
		return;
	if (sqlite3_get_autocommit(db->h)) {
		db->depth = 0; /* SQLite already rolled back (e.g. on IOERR) */
		memset(&db->counts, 0, sizeof(db->counts));
		return;
	}
	if (db->depth == 1)
		memset(&db->counts, 0, sizeof(db->counts));
	else
		db->counts = db->counts_saved[db->depth - 2];
	if (db->depth == 1) {
		if (db_step_done(db, db_stmt(db, sql_tx[2])) != SD_OK)
			log_warnx("db", "rollback failed error=\"%s\"",
			    sqlite3_errmsg(db->h));
	} else if (db_step_done(db, db_stmt(db, sql_sp[db->depth - 2][2])) !=
		SD_OK ||
	    db_step_done(db, db_stmt(db, sql_sp[db->depth - 2][1])) != SD_OK) {
		log_warnx("db", "rollback to savepoint failed error=\"%s\"",
		    sqlite3_errmsg(db->h));
	}
	db->depth--;
}

bool
db_in_transaction(const struct db *db)
{
	return db->depth > 0;
}

enum sd_rc
db_checkpoint(struct db *db, bool truncate)
{
	int r, log = 0, done = 0;

	if (db->depth > 0)
		return SD_ESTATE;
	r = sqlite3_wal_checkpoint_v2(db->h, NULL,
	    truncate ? SQLITE_CHECKPOINT_TRUNCATE : SQLITE_CHECKPOINT_PASSIVE,
	    &log, &done);
	if (r != SQLITE_OK)
		return db_rc(sqlite3_extended_errcode(db->h));
	/* PASSIVE may leave frames a reader still needs. */
	return log == done ? SD_OK : SD_EBUSY;
}

enum sd_rc
db_schema_version(struct db *db, int *version)
{
	sqlite3_stmt *st = db_stmt(db, "PRAGMA user_version");
	int r;

	if (st == NULL)
		return db_stmt_rc(db);
	r = sqlite3_step(st);
	if (r != SQLITE_ROW) {
		sqlite3_reset(st);
		return db_rc(sqlite3_extended_errcode(db->h));
	}
	*version = sqlite3_column_int(st, 0);
	sqlite3_reset(st);
	return SD_OK;
}

int
db_schema_latest(void)
{
	return db_migrations[db_n_migrations - 1].version;
}

enum sd_rc
db_migrate(struct db *db, int *from, int *to, char err[SD_ERRLEN])
{
	enum sd_rc rc;
	int v0, v;
	size_t i;

	err[0] = '\0';
	rc = db_schema_version(db, &v0);
	if (rc != SD_OK) {
		snprintf(err, SD_ERRLEN, "cannot read schema version: %s",
		    sqlite3_errmsg(db->h));
		return rc;
	}
	if (v0 > db_schema_latest()) {
		snprintf(err, SD_ERRLEN,
		    "database schema %d is newer than this build (%d)", v0,
		    db_schema_latest());
		return SD_ESTATE;
	}
	v = v0;
	for (i = 0; i < db_n_migrations; i++) {
		const struct db_migration *m = &db_migrations[i];
		char sql[64];
		int cur;

		if (m->version <= v)
			continue;
		rc = db_begin(db);
		if (rc != SD_OK) {
			snprintf(err, SD_ERRLEN,
			    "migration %d: cannot begin: %s", m->version,
			    sqlite3_errmsg(db->h));
			return rc;
		}
		/* Another process may have migrated while we waited. */
		rc = db_schema_version(db, &cur);
		if (rc == SD_OK && cur >= m->version) {
			db_rollback(db);
			v = cur;
			continue;
		}
		for (size_t k = 0; rc == SD_OK && m->sql[k] != NULL; k++)
			rc = db_exec(db, m->sql[k], err);
		snprintf(sql, sizeof(sql), "PRAGMA user_version=%d",
		    m->version);
		if (rc == SD_OK)
			rc = db_exec(db, sql, err);
		if (rc == SD_OK)
			rc = db_commit(db);
		if (rc != SD_OK) {
			char why[SD_ERRLEN];

			snprintf(why, sizeof(why), "%s", err);
			snprintf(err, SD_ERRLEN, "migration %d failed: %s",
			    m->version, why);
			db_rollback(db);
			return rc;
		}
		log_info("db", "migrated to=%d", m->version);
		v = m->version;
	}
	if (from != NULL)
		*from = v0;
	if (to != NULL)
		*to = v;
	return SD_OK;
}
