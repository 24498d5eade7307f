/*
 * core/core_int.h: private to core/. Shared checks of user-supplied text.
 */
#ifndef SMSDESK_CORE_CORE_INT_H
#define SMSDESK_CORE_CORE_INT_H

#include <stdbool.h>
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

/* ---- Texts of the SMS channel (core/texts.c) -------------------------- */

/* The texts a phone receives; each has a Persian and an English form
 * (printf formats; arguments as noted). */
enum core_txt {
	TXT_OTP,          /* code, minutes */
	TXT_HELP,         /* (none) */
	TXT_NOT_FOUND,    /* tracking */
	TXT_STATUS,       /* tracking, dept, status, Jalali "y/m/d h:m" */
	TXT_STATUS_PRIO,  /* priority */
	TXT_STATUS_ANSWER, /* excerpt */
	TXT_LINK,         /* base_url, tracking */
	TXT_UNREGISTERED, /* base_url */
	TXT_UNKNOWN,      /* (none) */
	TXT_COUNT
};

/* The text id in Persian (en false) or English. */
const char *core_txt(enum core_txt id, bool en);
/*
 * Append text id, formatted with the arguments noted above, to the string
 * in buf (size sz), truncating. The formats are this table's own, so the
 * arguments are checked by the tests, not the compiler.
 */
void core_txt_add(char *buf, size_t sz, enum core_txt id, bool en, ...);

#endif
