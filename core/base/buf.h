/*
 * core/base/buf.h: a bounded growing string buffer, after curl's dynbuf.
 *
 * Every buffer has a maximum length, given at init and never implied:
 * an append that would pass it fails with SD_ETOOBIG and leaves the
 * buffer as it was, so input-driven text cannot grow without bound. The
 * content is always NUL-terminated once anything was added. Memory comes
 * from the x-alloc wrappers (abort on out-of-memory).
 *
 *	struct sd_buf b;
 *
 *	sd_buf_init(&b, 64 * 1024);
 *	if (sd_buf_addf(&b, "%d items\n", n) != SD_OK)
 *		goto fail;
 *	*out = sd_buf_take(&b);    (the caller frees; b is empty again)
 *	...
 * fail:
 *	sd_buf_fini(&b);
 *
 * Not thread-safe: one owner at a time.
 */
#ifndef SMSDESK_CORE_BASE_BUF_H
#define SMSDESK_CORE_BASE_BUF_H

#include <stdarg.h>
#include <stddef.h>

#include "core/base/rc.h"

struct sd_buf {
	char *s;    /* NULL until the first append */
	size_t len; /* bytes, without the NUL */
	size_t cap; /* allocated bytes */
	size_t max; /* len never exceeds this */
};

/* Start b empty with a maximum length of max bytes (without the NUL). */
void sd_buf_init(struct sd_buf *b, size_t max);
/* Free b's memory; b is empty again (same maximum) and may be reused. */
void sd_buf_fini(struct sd_buf *b);
/* Empty b but keep its memory. */
void sd_buf_reset(struct sd_buf *b);

/* Append n bytes of p. SD_ETOOBIG (b unchanged) past the maximum. */
enum sd_rc sd_buf_add(struct sd_buf *b, const void *p, size_t n) SD_MUSTCHECK;
/* Append the string s. */
enum sd_rc sd_buf_adds(struct sd_buf *b, const char *s) SD_MUSTCHECK;
/* Append printf output; SD_ETOOBIG (b unchanged) past the maximum. */
enum sd_rc sd_buf_addf(struct sd_buf *b, const char *fmt, ...)
    SD_PRINTF(2, 3) SD_MUSTCHECK;
enum sd_rc sd_buf_vaddf(struct sd_buf *b, const char *fmt, va_list ap)
    SD_PRINTF(2, 0) SD_MUSTCHECK;

/* The content, borrowed until the next change of b: "" when empty. */
const char *sd_buf_str(const struct sd_buf *b);
size_t sd_buf_len(const struct sd_buf *b);

/* Hand the content over: a NUL-terminated string the caller frees
 * (never NULL; "" when empty). b is empty again, same maximum. */
char *sd_buf_take(struct sd_buf *b);

#endif
