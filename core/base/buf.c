/*
 * core/base/buf.c: the bounded string buffer (see buf.h).
 *
 * Invariants: len <= max; when s is not NULL, len < cap and s[len] is
 * the NUL. Growth doubles, capped at max + 1.
 */
#include "core/base/buf.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/base/xmalloc.h"

void
sd_buf_init(struct sd_buf *b, size_t max)
{
	b->s = NULL;
	b->len = 0;
	b->cap = 0;
	b->max = max;
}

void
sd_buf_fini(struct sd_buf *b)
{
	free(b->s);
	sd_buf_init(b, b->max);
}

void
sd_buf_reset(struct sd_buf *b)
{
	b->len = 0;
	if (b->s != NULL)
		b->s[0] = '\0';
}

/* Make room for n more bytes and the NUL; SD_ETOOBIG past max. */
static enum sd_rc
buf_room(struct sd_buf *b, size_t n)
{
	size_t need, cap;

	if (n > b->max - b->len)
		return SD_ETOOBIG;
	need = b->len + n + 1;
	if (need <= b->cap)
		return SD_OK;
	cap = b->cap > 0 ? b->cap : 64;
	while (cap < need)
		cap = cap > (b->max + 1) / 2 ? b->max + 1 : cap * 2;
	if (cap > b->max + 1)
		cap = b->max + 1;
	b->s = xrealloc(b->s, cap);
	b->cap = cap;
	return SD_OK;
}

enum sd_rc
sd_buf_add(struct sd_buf *b, const void *p, size_t n)
{
	enum sd_rc rc = buf_room(b, n);

	if (rc != SD_OK)
		return rc;
	if (n > 0)
		memcpy(b->s + b->len, p, n);
	b->len += n;
	b->s[b->len] = '\0';
	return SD_OK;
}

enum sd_rc
sd_buf_adds(struct sd_buf *b, const char *s)
{
	return sd_buf_add(b, s, strlen(s));
}

enum sd_rc
sd_buf_vaddf(struct sd_buf *b, const char *fmt, va_list ap)
{
	va_list aq;
	enum sd_rc rc;
	int n;

	va_copy(aq, ap);
	n = vsnprintf(NULL, 0, fmt, aq);
	va_end(aq);
	if (n < 0)
		return SD_EINVAL;
	rc = buf_room(b, (size_t)n);
	if (rc != SD_OK)
		return rc;
	vsnprintf(b->s + b->len, b->cap - b->len, fmt, ap);
	b->len += (size_t)n;
	return SD_OK;
}

enum sd_rc
sd_buf_addf(struct sd_buf *b, const char *fmt, ...)
{
	va_list ap;
	enum sd_rc rc;

	va_start(ap, fmt);
	rc = sd_buf_vaddf(b, fmt, ap);
	va_end(ap);
	return rc;
}

const char *
sd_buf_str(const struct sd_buf *b)
{
	return b->s != NULL ? b->s : "";
}

size_t
sd_buf_len(const struct sd_buf *b)
{
	return b->len;
}

char *
sd_buf_take(struct sd_buf *b)
{
	char *s = b->s != NULL ? b->s : xstrdup("");

	sd_buf_init(b, b->max);
	return s;
}
