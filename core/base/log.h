/*
 * core/base/log.h: one line per event on stderr.
 *
 * Format: "2026-11-25T09:10:11Z info db: migrated from=0 to=1".
 * The subsystem is the first argument; the message is key=value fields.
 * Never log OTPs, passwords or session ids; mask mobile numbers with
 * log_mask_mobile() at info level. Thread-safe: each call is one write(2).
 */
#ifndef SMSDESK_CORE_BASE_LOG_H
#define SMSDESK_CORE_BASE_LOG_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/base/rc.h"

enum log_level {
	LOG_LVL_ERROR = 0,
	LOG_LVL_WARN,
	LOG_LVL_INFO,
	LOG_LVL_DEBUG,
};

/* Trace masks for log_trace(), chosen with -T smpp,db,... */
#define TRACE_SMPP 0x01u
#define TRACE_DB 0x02u
#define TRACE_HTTP 0x04u
#define TRACE_CMD 0x08u

/* Set the highest level printed (default LOG_LVL_INFO). Call at start-up,
 * before threads exist. */
void log_set_level(enum log_level lvl);
/* Set the trace mask (default 0). Start-up only. */
void log_set_trace(unsigned mask);
/* Parse "smpp,db,http,cmd,all" into a mask. Returns SD_EINVAL on an
 * unknown name, with the name in err. */
enum sd_rc log_trace_parse(const char *s, unsigned *mask,
    char err[SD_ERRLEN]) SD_MUSTCHECK;

void log_warn(const char *sub, const char *fmt, ...) SD_PRINTF(2, 3);
void log_warnx(const char *sub, const char *fmt, ...) SD_PRINTF(2, 3);
void log_info(const char *sub, const char *fmt, ...) SD_PRINTF(2, 3);
void log_debug(const char *sub, const char *fmt, ...) SD_PRINTF(2, 3);
void log_error(const char *sub, const char *fmt, ...) SD_PRINTF(2, 3);
void log_trace(unsigned mask, const char *sub, const char *fmt, ...)
    SD_PRINTF(3, 4);
/* Log at error level and exit(1). For start-up and out-of-memory only. */
void fatalx(const char *sub, const char *fmt, ...) SD_PRINTF(2, 3)
    __attribute__((noreturn));

/* Write a masked form of a phone number into out (size n): its first six
 * and last four characters around "***" ("+98913***1111"), or "***" alone
 * when it is shorter than 9. The one way a number is written to a log
 * (any module: this is core/base). Returns out. */
const char *log_mask_mobile(const char *e164, char *out, size_t n);

/*
 * A budget of log lines for one kind of repeated event (a peer sending
 * bad input over and over): at most burst lines per period; the others
 * are counted, and the count goes into the next line written (or into a
 * summary line, see log_ratelim_flush()). Zero-initialize; not
 * thread-safe (one owner).
 */
struct log_ratelim {
	int64_t start_ms;         /* start of the current period */
	unsigned lines;           /* lines written in it */
	unsigned long suppressed; /* lines held back since the last one */
};

/* True if a line may be written at now_ms (any monotonic clock); then
 * *suppressed is the number held back before it (reset to 0 here), to be
 * written in that line. False: the line is counted, not written. */
bool log_ratelim_ok(struct log_ratelim *rl, unsigned burst, int64_t period_ms,
    int64_t now_ms, unsigned long *suppressed);

/* The number of lines held back, reset to 0, once the period they fell in
 * has ended at now_ms, or at once if force (the source is going away);
 * otherwise 0. The caller writes it in one summary line. */
unsigned long log_ratelim_flush(struct log_ratelim *rl, int64_t period_ms,
    int64_t now_ms, bool force);

#endif
