/*
 * tests/fuzz/fuzz_search.c: the staff inbox's search box (issue #14) on
 * any text, as a browser could send it: core_inbox_search_parse() gives
 * one of its kinds with a well-formed value; db_fts_normalize() only
 * shrinks the text and maps each byte back in order; db_fts_query()'s
 * MATCH expression is quoted phrases only, and SQLite's FTS5 (with our
 * tokenizer, on an empty table) takes it without a syntax error, the
 * claim that nothing typed is FTS5 syntax.
 */
#include <sqlite3.h>
#include <stdlib.h>
#include <string.h>

#include "core/base/log.h"
#include "core/core.h"
#include "db/db.h"
#include "db/db_int.h"
#include "tests/fuzz/fuzz.h"

/* Quoted phrases separated by one space, '"' doubled inside. */
static int
only_phrases(const char *m)
{
	while (*m != '\0') {
		if (*m++ != '"')
			return 0;
		for (;;) {
			if (*m == '\0')
				return 0;
			if (*m == '"' && m[1] == '"') {
				m += 2;
				continue;
			}
			if (*m++ == '"')
				break;
		}
		if (*m == ' ')
			m++;
	}
	return 1;
}

static void
check_match(const char *match)
{
	struct db_config cfg;
	char err[SD_ERRLEN];
	struct db *db = NULL;
	sqlite3_stmt *st = NULL;
	int r;

	log_set_level(LOG_LVL_ERROR); /* not a line per migration per input */
	memset(&cfg, 0, sizeof(cfg));
	strcpy(cfg.path, ":memory:");
	cfg.busy_timeout_ms = 1000;
	if (db_open(&cfg, &db, err) != SD_OK)
		abort();
	if (sqlite3_prepare_v2(db->h,
		"SELECT count(*) FROM requests_fts WHERE requests_fts MATCH ?1",
		-1, &st, NULL) != SQLITE_OK)
		abort();
	sqlite3_bind_text(st, 1, match, -1, SQLITE_STATIC);
	r = sqlite3_step(st);
	if (r != SQLITE_ROW)
		abort(); /* a syntax error: typed text became FTS5 syntax */
	sqlite3_finalize(st);
	db_close(db);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct core_inbox_search s;
	char *q, *out, *match = NULL;
	int *map;
	size_t n, i;
	enum sd_rc rc;

	if (size > 4 * DB_FTS_QUERY_MAX)
		return 0;
	/* The server refuses a field with a NUL or invalid UTF-8. */
	if (memchr(data, '\0', size) != NULL ||
	    !core_text_utf8_valid((const char *)data, size))
		return 0;
	q = malloc(size + 1);
	memcpy(q, data, size);
	q[size] = '\0';

	rc = core_inbox_search_parse(q, &s);
	if (rc == SD_OK) {
		if (s.kind == CORE_ISEARCH_TRACKING && s.tracking <= 0)
			abort();
		if (s.kind == CORE_ISEARCH_MOBILE &&
		    strncmp(s.mobile, "+98", 3) != 0)
			abort();
		if (s.kind == CORE_ISEARCH_WORDS &&
		    (s.words == NULL || s.words < q || s.words > q + size))
			abort();
		if ((unsigned)s.kind > CORE_ISEARCH_NOTHING)
			abort();
	} else if (rc != SD_ETOOBIG) {
		abort();
	}

	out = malloc(size + 1);
	map = malloc((size + 1) * sizeof(*map));
	n = db_fts_normalize(q, size, out, map);
	if (n > size)
		abort();
	for (i = 0; i < n; i++)
		if (map[i] < 0 || (size_t)map[i] > size ||
		    (i > 0 && map[i] < map[i - 1]))
			abort();

	rc = db_fts_query(q, &match);
	if (rc == SD_OK) {
		if (match == NULL || !only_phrases(match))
			abort();
		check_match(match);
	} else if (rc != SD_ENOTFOUND && rc != SD_ETOOBIG) {
		abort();
	}
	free(match);
	free(map);
	free(out);
	free(q);
	return 0;
}
