/*
 * core/jalali.c: Jalali (Solar Hijri) dates in Asia/Tehran, through ICU's
 * Persian calendar.
 *
 * Each thread keeps its own two UCalendars ("fa_IR@calendar=persian", zone
 * Asia/Tehran; lenient and strict) in thread-specific data, closed when
 * the thread ends: a UCalendar is not thread-safe, and opening one per
 * call cost more than the rest of an SMS STATUS answer (measured with
 * perf on the MO benchmark).
 *
 * Conventions:
 *   - Times are UTC seconds since the epoch (int64_t); ICU works in UDate
 *     milliseconds (a double), exact for every second we accept.
 *   - struct core_jdate has 1-based month and day; ICU's UCAL_MONTH is
 *     0-based.
 *   - wday counts from Saturday (0) as the Iranian week does; ICU's
 *     UCAL_DAY_OF_WEEK is Sunday = 1 .. Saturday = 7, so wday = dow % 7.
 *   - The text form is "1399/02/07 - 09:09:11": ASCII digits, zero-padded,
 *     fixed width for years 1000..9999 (texts.c splits it at byte 13).
 *
 * A day may not start at 00:00. Until 2022 Iran began daylight saving time
 * at 00:00 on 2 Farvardin, so that day's wall clock went from 23:59:59
 * straight to 01:00:00. core_jalali_to_utc() returns the first second of
 * the day, which then is 01:00 local time.
 */
#include "core/core.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <unicode/ucal.h>
#include <unicode/utypes.h>

/* The accepted range: 1 AD to the end of 9999 AD. Wide enough for any
 * stored time, narrow enough that milliseconds stay exact in a double and
 * the formatted form fits SD_JALALI_LEN. Instants before 1 Farvardin 1
 * (March 622 AD) get ICU's extended year, zero or negative. */
#define JALALI_UTC_MIN (-62135596800LL) /* 0001-01-01T00:00:00Z */
#define JALALI_UTC_MAX 253402300799LL   /* 9999-12-31T23:59:59Z */
/* Jalali years whose every day lies within that range, for to_utc. */
#define JALALI_YEAR_MIN 1
#define JALALI_YEAR_MAX 9377

/*
 * Open a Persian calendar in Asia/Tehran. lenient selects whether ICU
 * rolls over out-of-range fields (1403/12/31 -> 1404/01/01) or rejects
 * them. Returns NULL on an ICU failure (missing data): callers turn that
 * into SD_EINTERNAL.
 */
static UCalendar *jalali_new(bool lenient);

/* The calling thread's calendars: [0] strict, [1] lenient. */
static pthread_key_t jalali_key;
static pthread_once_t jalali_once = PTHREAD_ONCE_INIT;

static void
jalali_tls_free(void *p)
{
	UCalendar **cals = p;

	if (cals[0] != NULL)
		ucal_close(cals[0]);
	if (cals[1] != NULL)
		ucal_close(cals[1]);
	free(cals);
}

static void
jalali_key_init(void)
{
	(void)pthread_key_create(&jalali_key, jalali_tls_free);
}

/* This thread's calendar; not to be closed by the caller. */
static UCalendar *
jalali_open(bool lenient)
{
	UCalendar **cals;

	(void)pthread_once(&jalali_once, jalali_key_init);
	cals = pthread_getspecific(jalali_key);
	if (cals == NULL) {
		cals = calloc(2, sizeof(*cals));
		if (cals == NULL)
			return NULL;
		if (pthread_setspecific(jalali_key, cals) != 0) {
			free(cals);
			return NULL;
		}
	}
	if (cals[lenient] == NULL)
		cals[lenient] = jalali_new(lenient);
	else /* core_jalali_to_utc() switches the strict one over */
		ucal_setAttribute(cals[lenient], UCAL_LENIENT, lenient ? 1 : 0);
	return cals[lenient];
}

static UCalendar *
jalali_new(bool lenient)
{
	/* In C, ICU's UChar is uint16_t, not char16_t, so a u"" literal
	 * would need a cast: spell the zone id out instead. */
	static const UChar zone[] = {'A', 's', 'i', 'a', '/', 'T', 'e', 'h',
	    'r', 'a', 'n', 0};
	UErrorCode st = U_ZERO_ERROR;
	UCalendar *cal;

	cal = ucal_open(zone, -1, "fa_IR@calendar=persian", UCAL_DEFAULT, &st);
	if (U_FAILURE(st)) {
		if (cal != NULL)
			ucal_close(cal);
		return NULL;
	}
	ucal_setAttribute(cal, UCAL_LENIENT, lenient ? 1 : 0);
	return cal;
}

/* Fill out from the instant cal is set to. */
static enum sd_rc
jalali_fields(const UCalendar *cal, struct core_jdate *out)
{
	UErrorCode st = U_ZERO_ERROR;
	struct core_jdate j;
	int dow;

	/* UCAL_EXTENDED_YEAR rather than UCAL_YEAR: the same for every year
	 * of the Hijri era, and continuous before it instead of restarting
	 * with another era. */
	j.year = ucal_get(cal, UCAL_EXTENDED_YEAR, &st);
	j.month = ucal_get(cal, UCAL_MONTH, &st) + 1;
	j.day = ucal_get(cal, UCAL_DATE, &st);
	j.hour = ucal_get(cal, UCAL_HOUR_OF_DAY, &st);
	j.minute = ucal_get(cal, UCAL_MINUTE, &st);
	j.second = ucal_get(cal, UCAL_SECOND, &st);
	dow = ucal_get(cal, UCAL_DAY_OF_WEEK, &st);
	if (U_FAILURE(st) || dow < UCAL_SUNDAY || dow > UCAL_SATURDAY)
		return SD_EINTERNAL;
	j.wday = dow % 7;
	*out = j;
	return SD_OK;
}

enum sd_rc
core_jalali_from_utc(int64_t utc, struct core_jdate *out)
{
	UErrorCode st = U_ZERO_ERROR;
	UCalendar *cal;
	enum sd_rc rc;

	if (utc < JALALI_UTC_MIN || utc > JALALI_UTC_MAX)
		return SD_EINVAL;
	if ((cal = jalali_open(true)) == NULL)
		return SD_EINTERNAL;
	ucal_setMillis(cal, (UDate)utc * 1000.0, &st);
	rc = U_FAILURE(st) ? SD_EINTERNAL : jalali_fields(cal, out);
	return rc;
}

enum sd_rc
core_jalali_to_utc(int y, int m, int d, int64_t *utc)
{
	UErrorCode st = U_ZERO_ERROR;
	struct core_jdate back;
	UCalendar *cal;
	enum sd_rc rc;
	UDate ms;

	if (y < JALALI_YEAR_MIN || y > JALALI_YEAR_MAX || m < 1 || m > 12 ||
	    d < 1 || d > 31)
		return SD_EINVAL;
	/*
	 * Ask a strict calendar for noon of that day: noon exists on every
	 * day (clocks in Tehran only ever changed around midnight), so a
	 * failure means the date itself does not exist, e.g. 1404/12/30 or
	 * 1403/07/31.
	 */
	if ((cal = jalali_open(false)) == NULL)
		return SD_EINTERNAL;
	ucal_clear(cal);
	ucal_setDateTime(cal, y, m - 1, d, 12, 0, 0, &st);
	(void)ucal_getMillis(cal, &st);
	if (U_FAILURE(st)) {
		rc = st == U_ILLEGAL_ARGUMENT_ERROR ? SD_EINVAL : SD_EINTERNAL;
		goto out;
	}
	/*
	 * Then midnight, leniently: a strict calendar also rejects a wall
	 * time that the clocks skipped, and 00:00 of 2 Farvardin was skipped
	 * in the years with daylight saving time. ICU's default for a
	 * skipped time (UCAL_WALLTIME_LAST) reads it with the offset in force
	 * before the jump, which is the instant the day began.
	 */
	ucal_setAttribute(cal, UCAL_LENIENT, 1);
	ucal_clear(cal);
	ucal_setDateTime(cal, y, m - 1, d, 0, 0, 0, &st);
	ms = ucal_getMillis(cal, &st);
	if (U_FAILURE(st)) {
		rc = SD_EINTERNAL;
		goto out;
	}
	/* Belt and braces: the instant must read back as the same day. */
	ucal_setMillis(cal, ms, &st);
	if (U_FAILURE(st) || jalali_fields(cal, &back) != SD_OK) {
		rc = SD_EINTERNAL;
		goto out;
	}
	if (back.year != y || back.month != m || back.day != d) {
		rc = SD_EINVAL;
		goto out;
	}
	/* Tehran's offsets (even its 1946 local mean time) are whole
	 * seconds, so ms is an exact multiple of 1000. */
	*utc = (int64_t)(ms / 1000.0);
	rc = SD_OK;
out:
	return rc;
}

const char *
core_jalali_format(int64_t utc, char out[SD_JALALI_LEN])
{
	struct core_jdate j;
	int n;

	/* Clear the whole buffer first so that a caller which slices the
	 * fixed-width form (texts.c reads out + 13) finds an empty string
	 * after "?" rather than stale bytes. */
	memset(out, 0, SD_JALALI_LEN);
	if (core_jalali_from_utc(utc, &j) != SD_OK) {
		out[0] = '?';
		return out;
	}
	n = snprintf(out, SD_JALALI_LEN, "%04d/%02d/%02d - %02d:%02d:%02d",
	    j.year, j.month, j.day, j.hour, j.minute, j.second);
	if (n < 0 || n >= SD_JALALI_LEN) {
		memset(out, 0, SD_JALALI_LEN);
		out[0] = '?';
	}
	return out;
}
