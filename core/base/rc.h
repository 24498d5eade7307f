/*
 * core/base/rc.h: the one error type of smsdesk.
 *
 * Every fallible function returns enum sd_rc and is marked SD_MUSTCHECK.
 * Each code is classed temporary (retry later, do not acknowledge) or
 * permanent (the input or the request is wrong; retrying changes nothing),
 * because the SMPP and outbox code decide acks and retries on that class.
 * Human-readable detail goes into a caller buffer of SD_ERRLEN bytes.
 */
#ifndef SMSDESK_CORE_BASE_RC_H
#define SMSDESK_CORE_BASE_RC_H

#include <stdbool.h>

#define SD_MUSTCHECK __attribute__((warn_unused_result))
#define SD_PRINTF(f, a) __attribute__((format(printf, f, a)))

/* Size of the caller-supplied buffers that receive error detail. */
#define SD_ERRLEN 256

enum sd_rc {
	SD_OK = 0,
	SD_EINVAL,    /* bad input: permanent */
	SD_ENOTFOUND, /* no such object, or not visible to the caller */
	SD_EEXIST,    /* already exists (unique key) */
	SD_EPERM,     /* not allowed for this actor */
	SD_ESTATE,    /* not allowed in the object's current state */
	SD_ETOOBIG,   /* over a named limit */
	SD_EBUSY,     /* database or resource busy: temporary */
	SD_EIO,       /* disk, database or network I/O: temporary */
	SD_ENOMEM,    /* out of memory inside a library: temporary */
	SD_ECONFIG,   /* configuration error: permanent */
	SD_EINTERNAL, /* programmer error or corrupt data: permanent */
};

/* Short stable name of rc ("EINVAL"), for logs. Never NULL; static. */
const char *sd_rc_str(enum sd_rc rc);

/* Write a printf-style reason into err (SD_ERRLEN bytes), cut to fit; err
 * may be NULL (the caller wants no detail). Any thread. */
void sd_errf(char *err, const char *fmt, ...) SD_PRINTF(2, 3);

/* True if the condition may clear by itself and the operation may be
 * retried unchanged (EBUSY, EIO, ENOMEM). */
bool sd_rc_is_temp(enum sd_rc rc);

#endif
