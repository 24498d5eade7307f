/*
 * core/base/xmalloc.h: allocation wrappers that abort on out-of-memory.
 *
 * Code does not carry OOM branches; in exchange every input-driven size is
 * checked against a named limit in core/base/limits.h before allocating.
 */
#ifndef SMSDESK_CORE_BASE_XMALLOC_H
#define SMSDESK_CORE_BASE_XMALLOC_H

#include <stddef.h>

void *xmalloc(size_t n);
void *xcalloc(size_t nmemb, size_t size);
void *xrealloc(void *p, size_t n);
/* Copy of s; xstrdup(NULL) returns NULL. */
char *xstrdup(const char *s);
char *xstrndup(const char *s, size_t n);
/* printf into a new string. */
char *xasprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
