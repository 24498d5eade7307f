/* core/base/log.c: stderr logging, one write(2) per line. */
#include "core/base/log.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static enum log_level log_level = LOG_LVL_INFO;
static unsigned log_trace_mask;

static const char *const lvl_name[] = {"error", "warn", "info", "debug"};

void
log_set_level(enum log_level lvl)
{
	log_level = lvl;
}

void
log_set_trace(unsigned mask)
{
	log_trace_mask = mask;
}

enum sd_rc
log_trace_parse(const char *s, unsigned *mask, char err[SD_ERRLEN])
{
	static const struct {
		const char *name;
		unsigned bit;
	} tab[] = {{"smpp", TRACE_SMPP}, {"db", TRACE_DB}, {"http", TRACE_HTTP},
	    {"cmd", TRACE_CMD}, {"all", ~0u}};
	unsigned m = 0;
	const char *p = s;

	while (*p != '\0') {
		size_t len = strcspn(p, ",");
		size_t i;

		for (i = 0; i < sizeof(tab) / sizeof(tab[0]); i++)
			if (strlen(tab[i].name) == len &&
			    strncmp(tab[i].name, p, len) == 0)
				break;
		if (i == sizeof(tab) / sizeof(tab[0])) {
			snprintf(err, SD_ERRLEN,
			    "unknown trace name '%.*s' (smpp, db, http, cmd, all)",
			    (int)len, p);
			return SD_EINVAL;
		}
		m |= tab[i].bit;
		p += len;
		if (*p == ',')
			p++;
	}
	*mask = m;
	return SD_OK;
}

static void SD_PRINTF(3, 0) log_vemit(const char *lvl, const char *sub,
    const char *fmt, va_list ap, int errnum)
{
	char line[2048];
	struct timespec ts;
	struct tm tm;
	int n, m;

	clock_gettime(CLOCK_REALTIME, &ts);
	gmtime_r(&ts.tv_sec, &tm);
	n = snprintf(line, sizeof(line),
	    "%04d-%02d-%02dT%02d:%02d:%02d.%03ldZ %s %s: ", tm.tm_year + 1900,
	    tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec,
	    ts.tv_nsec / 1000000, lvl, sub);
	m = vsnprintf(line + n, sizeof(line) - (size_t)n, fmt, ap);
	if (m < 0)
		m = 0;
	n += m;
	if ((size_t)n >= sizeof(line) - 64)
		n = (int)sizeof(line) - 64; /* truncated line */
	if (errnum != 0)
		n += snprintf(line + n, sizeof(line) - (size_t)n,
		    " error=\"%s\"", strerror(errnum));
	line[n++] = '\n';
	/* One write so lines from several threads do not interleave. */
	(void)!write(STDERR_FILENO, line, (size_t)n);
}

#define LOG_BODY(lvl, name, errnum)                                            \
	do {                                                                   \
		va_list ap;                                                    \
		if (log_level < (lvl))                                         \
			return;                                                \
		va_start(ap, fmt);                                             \
		log_vemit(name, sub, fmt, ap, errnum);                         \
		va_end(ap);                                                    \
	} while (0)

void
log_warn(const char *sub, const char *fmt, ...)
{
	int e = errno;

	LOG_BODY(LOG_LVL_WARN, lvl_name[LOG_LVL_WARN], e);
}

void
log_warnx(const char *sub, const char *fmt, ...)
{
	LOG_BODY(LOG_LVL_WARN, lvl_name[LOG_LVL_WARN], 0);
}

void
log_info(const char *sub, const char *fmt, ...)
{
	LOG_BODY(LOG_LVL_INFO, lvl_name[LOG_LVL_INFO], 0);
}

void
log_debug(const char *sub, const char *fmt, ...)
{
	LOG_BODY(LOG_LVL_DEBUG, lvl_name[LOG_LVL_DEBUG], 0);
}

void
log_error(const char *sub, const char *fmt, ...)
{
	LOG_BODY(LOG_LVL_ERROR, lvl_name[LOG_LVL_ERROR], 0);
}

void
log_trace(unsigned mask, const char *sub, const char *fmt, ...)
{
	va_list ap;

	if ((log_trace_mask & mask) == 0)
		return;
	va_start(ap, fmt);
	log_vemit("trace", sub, fmt, ap, 0);
	va_end(ap);
}

void
fatalx(const char *sub, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_vemit("fatal", sub, fmt, ap, 0);
	va_end(ap);
	exit(1);
}

const char *
log_mask_mobile(const char *e164, char *out, size_t n)
{
	size_t len = strlen(e164);

	if (len < 9) {
		snprintf(out, n, "***");
		return out;
	}
	snprintf(out, n, "%.6s***%s", e164, e164 + len - 4);
	return out;
}

bool
log_ratelim_ok(struct log_ratelim *rl, unsigned burst, int64_t period_ms,
    int64_t now_ms, unsigned long *suppressed)
{
	if (rl->lines == 0 || now_ms - rl->start_ms >= period_ms) {
		rl->start_ms = now_ms;
		rl->lines = 0;
	}
	if (rl->lines >= burst) {
		rl->suppressed++;
		*suppressed = 0;
		return false;
	}
	rl->lines++;
	*suppressed = rl->suppressed;
	rl->suppressed = 0;
	return true;
}

unsigned long
log_ratelim_flush(struct log_ratelim *rl, int64_t period_ms, int64_t now_ms,
    bool force)
{
	unsigned long n = rl->suppressed;

	if (n == 0 || (!force && now_ms - rl->start_ms < period_ms))
		return 0;
	rl->suppressed = 0;
	return n;
}
