/*
 * core/password.c: passwords of the web view (issue 13). 8 to 128
 * characters, anything printable, no composition rules, but not one of
 * the 10,000 most common passwords (conf/common-passwords.txt, loaded
 * once, compared with ASCII lower-cased). Stored as argon2id strings
 * (libsodium crypto_pwhash_str, interactive limits); a hash made with
 * older limits is replaced at the next sign-in.
 */
#include "core/core.h"

#include <ctype.h>
#include <errno.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/base/xmalloc.h"

/* The longest line of the list that is kept. */
#define PWLIST_LINE_MAX 256
/* Entries at most (the list has 10,000). */
#define PWLIST_MAX 1000000

struct core_pwlist {
	char **v; /* sorted, lower-cased */
	size_t n;
};

static void
lower_ascii(char *s)
{
	for (; *s != '\0'; s++)
		if (*s >= 'A' && *s <= 'Z')
			*s = (char)(*s - 'A' + 'a');
}

static int
cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

enum sd_rc
core_pwlist_load(const char *path, struct core_pwlist **out,
    char err[SD_ERRLEN])
{
	struct core_pwlist *l;
	char line[PWLIST_LINE_MAX];
	size_t cap = 0;
	FILE *f;

	*out = NULL;
	f = fopen(path, "r");
	if (f == NULL) {
		snprintf(err, SD_ERRLEN, "common passwords %s: %s", path,
		    strerror(errno));
		return SD_ECONFIG;
	}
	l = xcalloc(1, sizeof(*l));
	while (fgets(line, sizeof(line), f) != NULL && l->n < PWLIST_MAX) {
		line[strcspn(line, "\r\n")] = '\0';
		if (line[0] == '\0' || line[0] == '#')
			continue;
		lower_ascii(line);
		if (l->n == cap) {
			cap = cap == 0 ? 1024 : cap * 2;
			l->v = xrealloc(l->v, cap * sizeof(*l->v));
		}
		l->v[l->n++] = xstrdup(line);
	}
	fclose(f);
	if (l->n == 0) {
		snprintf(err, SD_ERRLEN, "common passwords %s: empty", path);
		core_pwlist_free(l);
		return SD_ECONFIG;
	}
	qsort(l->v, l->n, sizeof(*l->v), cmp_str);
	*out = l;
	return SD_OK;
}

void
core_pwlist_free(struct core_pwlist *l)
{
	size_t i;

	if (l == NULL)
		return;
	for (i = 0; i < l->n; i++)
		free(l->v[i]);
	free(l->v);
	free(l);
}

size_t
core_pwlist_size(const struct core_pwlist *l)
{
	return l != NULL ? l->n : 0;
}

/* Code points of valid UTF-8 s; -1 if invalid or a control character. */
static long
pw_chars(const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	long n = 0;

	if (!core_text_utf8_valid(s, strlen(s)))
		return -1;
	for (; *p != '\0'; p++) {
		if (*p < 0x20 || *p == 0x7f)
			return -1;
		if ((*p & 0xc0) != 0x80)
			n++;
	}
	return n;
}

enum core_pw_problem
core_password_check(const struct core_pwlist *list, const char *pw)
{
	long n = pw_chars(pw);

	if (n < 0)
		return CORE_PW_BAD;
	if (n < CORE_PW_MIN)
		return CORE_PW_SHORT;
	if (n > CORE_PW_MAX)
		return CORE_PW_LONG;
	if (list != NULL && strlen(pw) < PWLIST_LINE_MAX) {
		char low[PWLIST_LINE_MAX], *key = low;

		snprintf(low, sizeof(low), "%s", pw);
		lower_ascii(low);
		if (bsearch(&key, list->v, list->n, sizeof(*list->v),
			cmp_str) != NULL)
			return CORE_PW_COMMON;
	}
	return CORE_PW_OK;
}

enum sd_rc
core_password_hash(const char *pw, char out[CORE_PWHASH_LEN])
{
	if (sodium_init() < 0)
		return SD_EINTERNAL;
	if (crypto_pwhash_str(out, pw, strlen(pw),
		crypto_pwhash_OPSLIMIT_INTERACTIVE,
		crypto_pwhash_MEMLIMIT_INTERACTIVE) != 0)
		return SD_ENOMEM;
	return SD_OK;
}

bool
core_password_verify(const char *hash, const char *pw, bool *rehash)
{
	bool ok;

	if (rehash != NULL)
		*rehash = false;
	if (hash == NULL || hash[0] == '\0' || sodium_init() < 0)
		return false;
	ok = crypto_pwhash_str_verify(hash, pw, strlen(pw)) == 0;
	if (ok && rehash != NULL)
		*rehash = crypto_pwhash_str_needs_rehash(hash,
			      crypto_pwhash_OPSLIMIT_INTERACTIVE,
			      crypto_pwhash_MEMLIMIT_INTERACTIVE) != 0;
	return ok;
}
