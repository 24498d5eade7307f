/*
 * db/fts.c: full-text search of requests (issue #14, schema 15) and the
 * FTS5 tokenizer "sd_fa" that makes Persian text typed either way match.
 *
 * requests_fts (schema 15) holds, by rowid = tracking, a request's title
 * and the body of its first message. db/request.c writes it in the
 * transaction that stores the request or its first message;
 * db_fts_catch_up() indexes rows written behind db/'s back (the sqlite3
 * shell, a bulk load): every such row at `serve` start-up, the newest at
 * each SLA tick.
 *
 * sd_fa wraps FTS5's unicode61 (registered on every connection by
 * db_open, before any statement can touch the table) and first rewrites
 * the text, the same way for what is indexed and for a query:
 *   Arabic yeh ي (U+064A) and alef maksura ى (U+0649) -> Persian yeh ی
 *   Arabic kaf ك (U+0643) -> Persian keheh ک
 *   teh marbuta ة (U+0629) and heh with yeh ۀ (U+06C0) -> heh ه
 *   Persian (U+06F0..) and Arabic-Indic (U+0660..) digits -> ASCII
 *   harakat (U+064B..U+065F, superscript alef U+0670) and tatweel
 *   (U+0640): dropped
 *   ZWNJ (U+200C): dropped, so it JOINS: "mi<ZWNJ>ravam" and
 *   "miravam" are one word; a space (or any separator of unicode61)
 *   splits: "mi ravam" is two words and does not match "miravam".
 * The text only shrinks, so one buffer of the input's size holds it; a
 * map of byte offsets gives FTS5 the offsets of the original text.
 *
 * A query never reaches FTS5's syntax: db_fts_query() quotes each word
 * of the user's text as a phrase (a '"' doubled), so AND, NEAR, '*',
 * parentheses or a stray quote are words to look for, never operators.
 */
#include "db/db.h"

#include <stdlib.h>
#include <string.h>

#include "core/base/log.h"
#include "core/base/xmalloc.h"
#include "db/db_int.h"

#define FTS_TOKENIZER "sd_fa"

struct fts_tok {
	fts5_tokenizer inner_api; /* unicode61's methods */
	Fts5Tokenizer *inner;     /* unicode61's instance */
};

size_t
db_fts_normalize(const char *in, size_t n, char *out, int *map)
{
	const unsigned char *s = (const unsigned char *)in;
	size_t i = 0, o = 0;

	while (i < n) {
		unsigned c = s[i], d = i + 1 < n ? s[i + 1] : 0;
		size_t len = 1;
		const char *rep = NULL; /* NULL: copy; "": drop */
		char digit[2] = {0, 0};

		if (c >= 0xC0 && c < 0xE0)
			len = 2;
		else if (c >= 0xE0 && c < 0xF0)
			len = 3;
		else if (c >= 0xF0)
			len = 4;
		if (i + len > n)
			len = n - i;
		if (len == 2 && c == 0xD9) {
			if (d == 0x8A || d == 0x89)
				rep = "\xDB\x8C"; /* ی */
			else if (d == 0x83)
				rep = "\xDA\xA9"; /* ک */
			else if ((d >= 0x8B && d <= 0x9F) || d == 0xB0 ||
			    d == 0x80)
				rep = ""; /* harakat, tatweel */
			else if (d >= 0xA0 && d <= 0xA9) {
				digit[0] = (char)('0' + (d - 0xA0));
				rep = digit;
			}
		} else if (len == 2 && c == 0xD8 && d == 0xA9)
			rep = "\xD9\x87"; /* ة -> ه */
		else if (len == 2 && c == 0xDB) {
			if (d >= 0xB0 && d <= 0xB9) {
				digit[0] = (char)('0' + (d - 0xB0));
				rep = digit;
			} else if (d == 0x80)
				rep = "\xD9\x87"; /* ۀ -> ه */
		} else if (len == 3 && c == 0xE2 && d == 0x80 && i + 2 < n &&
		    s[i + 2] == 0x8C)
			rep = ""; /* ZWNJ joins */
		if (rep == NULL) {
			for (size_t k = 0; k < len; k++) {
				if (map != NULL)
					map[o] = (int)(i + k);
				out[o++] = (char)s[i + k];
			}
		} else {
			for (size_t k = 0; rep[k] != '\0'; k++) {
				if (map != NULL)
					map[o] = (int)i;
				out[o++] = rep[k];
			}
		}
		i += len;
	}
	if (map != NULL)
		map[o] = (int)n;
	return o;
}

struct fts_cb {
	void *ctx;
	int (*x_token)(void *, int, const char *, int, int, int);
	const int *map;
};

static int
fts_tok_cb(void *p, int tflags, const char *tok, int ntok, int start, int end)
{
	struct fts_cb *cb = p;

	return cb->x_token(cb->ctx, tflags, tok, ntok, cb->map[start],
	    cb->map[end]);
}

static int
fts_tokenize(Fts5Tokenizer *t, void *ctx, int flags, const char *text,
    int ntext, int (*x_token)(void *, int, const char *, int, int, int))
{
	struct fts_tok *ft = (struct fts_tok *)t;
	struct fts_cb cb;
	char stack_buf[512], *buf = stack_buf;
	int stack_map[513], *map = stack_map, r;
	size_t n;

	if (ntext < 0)
		return SQLITE_MISUSE;
	if ((size_t)ntext > sizeof(stack_buf)) {
		buf = xmalloc((size_t)ntext);
		map = xmalloc(((size_t)ntext + 1) * sizeof(*map));
	}
	n = db_fts_normalize(text, (size_t)ntext, buf, map);
	cb.ctx = ctx;
	cb.x_token = x_token;
	cb.map = map;
	r = ft->inner_api.xTokenize(ft->inner, &cb, flags, buf, (int)n,
	    fts_tok_cb);
	if (buf != stack_buf) {
		free(buf);
		free(map);
	}
	return r;
}

static int
fts_create(void *ctx, const char **args, int nargs, Fts5Tokenizer **out)
{
	fts5_api *api = ctx;
	struct fts_tok *ft;
	void *ud = NULL;
	int r;

	ft = xcalloc(1, sizeof(*ft));
	r = api->xFindTokenizer(api, "unicode61", &ud, &ft->inner_api);
	if (r == SQLITE_OK)
		r = ft->inner_api.xCreate(ud, args, nargs, &ft->inner);
	if (r != SQLITE_OK) {
		free(ft);
		return r;
	}
	*out = (Fts5Tokenizer *)ft;
	return SQLITE_OK;
}

static void
fts_delete(Fts5Tokenizer *t)
{
	struct fts_tok *ft = (struct fts_tok *)t;

	if (ft == NULL)
		return;
	ft->inner_api.xDelete(ft->inner);
	free(ft);
}

enum sd_rc
db_fts_register(struct db *db, char err[SD_ERRLEN])
{
	static fts5_tokenizer tok = {fts_create, fts_delete, fts_tokenize};
	sqlite3_stmt *st = NULL;
	fts5_api *api = NULL;
	int r;

	r = sqlite3_prepare_v2(db->h, "SELECT fts5(?1)", -1, &st, NULL);
	if (r == SQLITE_OK) {
		sqlite3_bind_pointer(st, 1, (void *)&api, "fts5_api_ptr", NULL);
		(void)sqlite3_step(st);
		r = sqlite3_finalize(st);
	}
	if (r != SQLITE_OK || api == NULL || api->iVersion < 2) {
		snprintf(err, SD_ERRLEN, "SQLite has no FTS5: %s",
		    sqlite3_errmsg(db->h));
		return SD_EINTERNAL;
	}
	r = api->xCreateTokenizer(api, FTS_TOKENIZER, api, &tok, NULL);
	if (r != SQLITE_OK) {
		snprintf(err, SD_ERRLEN, "cannot register tokenizer %s: %s",
		    FTS_TOKENIZER, sqlite3_errstr(r));
		return SD_EINTERNAL;
	}
	return SD_OK;
}

/* ASCII white space, and the separators a pasted text brings. */
static size_t
fts_space(const unsigned char *s)
{
	if (*s == ' ' || *s == '\t' || *s == '\n' || *s == '\r' || *s == '\f' ||
	    *s == '\v')
		return 1;
	if (s[0] == 0xC2 && s[1] == 0xA0) /* no-break space */
		return 2;
	return 0;
}

enum sd_rc
db_fts_query(const char *text, char **match)
{
	const unsigned char *s = (const unsigned char *)text;
	size_t n = strlen(text), o = 0, words = 0, sp;
	char *q;

	*match = NULL;
	if (n > DB_FTS_QUERY_MAX)
		return SD_ETOOBIG;
	/* Each byte at most doubled, a quote pair and a space a word. */
	q = xmalloc(3 * n + 3);
	while (*s != '\0') {
		if ((sp = fts_space(s)) > 0) {
			s += sp;
			continue;
		}
		if (words++ > 0)
			q[o++] = ' ';
		q[o++] = '"';
		while (*s != '\0' && fts_space(s) == 0) {
			if (*s == '"')
				q[o++] = '"';
			q[o++] = (char)*s++;
		}
		q[o++] = '"';
	}
	q[o] = '\0';
	if (words == 0) {
		free(q);
		return SD_ENOTFOUND;
	}
	*match = q;
	return SD_OK;
}

static const char sql_fts_search
    [] = "SELECT rowid FROM requests_fts WHERE requests_fts MATCH ?1"
	 " ORDER BY rowid LIMIT ?2";

enum sd_rc
db_fts_search(struct db *db, const char *text, size_t max, int64_t *out,
    size_t *n)
{
	sqlite3_stmt *st;
	char *q = NULL;
	size_t k = 0;
	enum sd_rc rc;
	int r = SQLITE_DONE;

	*n = 0;
	rc = db_fts_query(text, &q);
	if (rc == SD_ENOTFOUND)
		return SD_OK; /* no words: nothing found */
	if (rc != SD_OK)
		return rc;
	st = db_stmt(db, sql_fts_search);
	if (st == NULL) {
		free(q);
		return db_stmt_rc(db);
	}
	db_bind_text(st, 1, q);
	sqlite3_bind_int64(st, 2, (int64_t)max);
	while (k < max && (r = sqlite3_step(st)) == SQLITE_ROW)
		out[k++] = sqlite3_column_int64(st, 0);
	if (k == max)
		r = SQLITE_DONE;
	sqlite3_reset(st);
	free(q);
	if (r != SQLITE_DONE)
		return db_rc(sqlite3_extended_errcode(db->h));
	*n = k;
	return SD_OK;
}

static const char
    sql_fts_put[] = "INSERT INTO requests_fts (rowid, title, body)"
		    " VALUES (?1, ?2, ?3)";
static const char sql_fts_body[] = "UPDATE requests_fts SET body = ?2"
				   " WHERE rowid = ?1 AND body = ''";

enum sd_rc
db_fts_put(struct db *db, int64_t tracking, const char *title, const char *body)
{
	sqlite3_stmt *st = db_stmt(db, sql_fts_put);

	if (st == NULL)
		return db_stmt_rc(db);
	sqlite3_bind_int64(st, 1, tracking);
	db_bind_text(st, 2, title);
	db_bind_text(st, 3, body);
	return db_step_done(db, st);
}

enum sd_rc
db_fts_first_body(struct db *db, int64_t tracking, const char *body)
{
	sqlite3_stmt *st = db_stmt(db, sql_fts_body);

	if (st == NULL)
		return db_stmt_rc(db);
	sqlite3_bind_int64(st, 1, tracking);
	db_bind_text(st, 2, body);
	return db_step_done(db, st);
}

/* Rows after the highest indexed, with their first message's body. */
static const char sql_fts_catch_up
    [] = "INSERT INTO requests_fts (rowid, title, body)"
	 " SELECT r.tracking, r.title, coalesce((SELECT m.body FROM messages m"
	 " WHERE m.tracking = r.tracking ORDER BY m.id LIMIT 1), '')"
	 " FROM requests r WHERE r.tracking > coalesce((SELECT rowid FROM"
	 " requests_fts ORDER BY rowid DESC LIMIT 1), 0)";
/* Every row not indexed: FTS5 keeps one requests_fts_docsize row (id =
 * rowid) per indexed row, a plain table, so the check is a rowid lookup
 * a request (45 ms at 100,000). */
static const char sql_fts_catch_up_all
    [] = "INSERT INTO requests_fts (rowid, title, body)"
	 " SELECT r.tracking, r.title, coalesce((SELECT m.body FROM messages m"
	 " WHERE m.tracking = r.tracking ORDER BY m.id LIMIT 1), '')"
	 " FROM requests r WHERE NOT EXISTS (SELECT 1 FROM"
	 " requests_fts_docsize d WHERE d.id = r.tracking)";

enum sd_rc
db_fts_catch_up(struct db *db, bool all, size_t *added)
{
	sqlite3_stmt *st;
	enum sd_rc rc;

	/* One statement: atomic on its own, no write transaction taken
	 * each minute for nothing to add. */
	*added = 0;
	st = db_stmt(db, all ? sql_fts_catch_up_all : sql_fts_catch_up);
	rc = db_step_done(db, st);
	if (rc == SD_OK)
		*added = (size_t)sqlite3_changes(db->h);
	return rc;
}
