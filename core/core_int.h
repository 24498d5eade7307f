/*
 * core/core_int.h: private to core/. Shared checks of user-supplied text.
 */
#ifndef SMSDESK_CORE_CORE_INT_H
#define SMSDESK_CORE_CORE_INT_H

#include <stddef.h>

#include "core/base/rc.h"

/*
 * Check and clean a one-line field (name, title): valid UTF-8, Persian
 * normalization of spaces, ZWNJ and Arabic letters, non-empty, at most max
 * bytes after cleaning. what names the field in the reason. *out is owned
 * by the caller.
 */
enum sd_rc core_field_line(const char *in, size_t max, const char *what,
    char **out, char err[SD_ERRLEN]) SD_MUSTCHECK;

/*
 * Check and clean a multi-line body: valid UTF-8, trimmed of surrounding
 * white space (inner lines kept as typed), non-empty, at most max bytes.
 */
enum sd_rc core_field_body(const char *in, size_t max, const char *what,
    char **out, char err[SD_ERRLEN]) SD_MUSTCHECK;

#endif
