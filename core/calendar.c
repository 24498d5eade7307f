/*
 * core/calendar.c: working days, for the two-working-day rule.
 *
 * The working week comes from [sla] working_days (Saturday to Wednesday by
 * default), Thursday from [sla] thursday (off, half or working), Friday is
 * always off, and the official holidays are read from [sla] holidays_file
 * (core/holidays.c: one Jalali YYYY/MM/DD per line, then a name) and
 * from the database's holidays table (`smsdesk holidays import`): a year
 * the table has any holiday of is the table's alone, so an imported year
 * replaces the file's; the other years come from the file. `serve`
 * re-reads the table every minute (core_calendar_reload), so an import
 * takes effect without a restart. The table's set is swapped under a
 * mutex: the SMS, web and SLA threads share one calendar.
 *
 * Working time is office time (issue #11): each working day counts from
 * [sla] office_hours' opening to its close (07:30-14:30 by default), a
 * half Thursday to [sla] thursday_hours' close (07:30-12:30), in
 * Asia/Tehran local time (Iran has had no daylight saving since 1401;
 * ICU's zone data says so, and the arithmetic below does not assume it).
 * N working days are N times a full office day of office time (N * 7 h by
 * default), counted from the moment sent, or from the next opening when
 * sent outside office hours; a half Thursday gives only its shorter day.
 * So a request sent on Wednesday at 16:00 counts from Saturday 07:30 and
 * is due on Sunday at 14:30 (the close); one sent on Saturday at 10:00 is
 * due on Monday at 10:00. A due time is always inside office hours, at
 * most at a close. core_calendar_due() is the one place that computes it.
 */
#include "core/core.h"

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/base/log.h"
#include "core/base/xmalloc.h"

/* The defaults of [sla] office_hours and thursday_hours, for an [sla]
 * filled by hand (tests, tools) that leaves them empty. */
#define CAL_OFFICE_DEF "07:30-14:30"
#define CAL_THURSDAY_DEF "07:30-12:30"

/* One decimal digit at *p (ASCII, Persian or Arabic-Indic): its value,
 * advancing *p; -1 if none. */
static int
hours_digit(const char **p)
{
	const unsigned char *s = (const unsigned char *)*p;

	if (s[0] >= '0' && s[0] <= '9') {
		*p += 1;
		return s[0] - '0';
	}
	/* U+06F0..U+06F9 = DB B0..DB B9; U+0660..U+0669 = D9 A0..D9 A9 */
	if ((s[0] == 0xDB && s[1] >= 0xB0 && s[1] <= 0xB9) ||
	    (s[0] == 0xD9 && s[1] >= 0xA0 && s[1] <= 0xA9)) {
		*p += 2;
		return s[1] & 0x0F;
	}
	return -1;
}

/* "H:MM" or "HH:MM" at *p as minutes after midnight, advancing *p. */
static enum sd_rc
hours_clock(const char **p, int *min, char err[SD_ERRLEN])
{
	int h = 0, m = 0, n, d;

	while (**p == ' ')
		(*p)++;
	for (n = 0; n < 2 && (d = hours_digit(p)) >= 0; n++)
		h = h * 10 + d;
	if (n == 0 || **p != ':') {
		snprintf(err, SD_ERRLEN,
		    "a time is written HH:MM, as in 07:30-14:30");
		return SD_EINVAL;
	}
	(*p)++;
	for (n = 0; n < 2 && (d = hours_digit(p)) >= 0; n++)
		m = m * 10 + d;
	if (n != 2) {
		snprintf(err, SD_ERRLEN,
		    "a time is written HH:MM, as in 07:30-14:30");
		return SD_EINVAL;
	}
	if (h > 23 || m > 59) {
		snprintf(err, SD_ERRLEN, "%02d:%02d is not a time of day", h,
		    m);
		return SD_EINVAL;
	}
	while (**p == ' ')
		(*p)++;
	*min = h * 60 + m;
	return SD_OK;
}

enum sd_rc
core_hours_parse(const char *s, int *from, int *to, char err[SD_ERRLEN])
{
	const char *p = s;
	enum sd_rc rc;

	if (strchr(s, '-') == NULL) {
		snprintf(err, SD_ERRLEN,
		    "'%s' is not a period: write HH:MM-HH:MM", s);
		return SD_EINVAL;
	}
	rc = hours_clock(&p, from, err);
	if (rc == SD_OK && *p != '-') {
		snprintf(err, SD_ERRLEN,
		    "'%s' is not a period: write HH:MM-HH:MM", s);
		rc = SD_EINVAL;
	}
	if (rc == SD_OK) {
		p++;
		rc = hours_clock(&p, to, err);
	}
	if (rc == SD_OK && *p != '\0') {
		snprintf(err, SD_ERRLEN,
		    "'%s' is not a period: write HH:MM-HH:MM", s);
		rc = SD_EINVAL;
	}
	if (rc == SD_OK && *from == *to) {
		snprintf(err, SD_ERRLEN, "'%s' starts and ends at once", s);
		rc = SD_EINVAL;
	}
	return rc;
}

/* Office hours: a period within one day (it must end after it starts). */
static enum sd_rc
cal_office_parse(const char *s, const char *def, int *from, int *to,
    char err[SD_ERRLEN])
{
	enum sd_rc rc;

	rc = core_hours_parse(s[0] != '\0' ? s : def, from, to, err);
	if (rc == SD_OK && *to < *from) {
		snprintf(err, SD_ERRLEN,
		    "'%s' ends before it starts (office hours stay within "
		    "one day)",
		    s);
		rc = SD_EINVAL;
	}
	return rc;
}

enum sd_rc
core_office_hours_check(const char *s, char err[SD_ERRLEN])
{
	int from, to;

	if (s[0] == '\0') {
		snprintf(err, SD_ERRLEN,
		    "office hours are needed (HH:MM-HH:MM)");
		return SD_EINVAL;
	}
	return cal_office_parse(s, "", &from, &to, err);
}

struct core_calendar {
	int open[7], close[7]; /* office hours of a weekday (0 = Saturday) in
				  minutes after midnight; open == close: no
				  working day */
	int64_t full_s;        /* seconds of a full office day */
	int *hol;              /* the file's holidays, y * 10000 + m * 100 + d,
				  sorted */
	size_t n_hol;
	pthread_mutex_t *mu; /* guards the table's set below (a pointer:
				locked through a const calendar too) */
	int *db_hol;         /* the table's holidays, sorted */
	size_t n_db_hol;
	int *db_years; /* the years the table has, sorted */
	size_t n_db_years;
};

static int
int_cmp(const void *a, const void *b)
{
	int x = *(const int *)a, y = *(const int *)b;

	return x < y ? -1 : x > y;
}

static enum sd_rc
cal_read_holidays(struct core_calendar *c, const char *path,
    char err[SD_ERRLEN])
{
	struct core_holiday *h;
	size_t n, i;
	enum sd_rc rc;

	rc = core_holidays_read(path, &h, &n, err);
	if (rc != SD_OK)
		return rc;
	c->hol = xrealloc(c->hol, (n + 1) * sizeof(*c->hol));
	for (i = 0; i < n; i++)
		c->hol[i] = h[i].key;
	c->n_hol = n;
	free(h);
	qsort(c->hol, c->n_hol, sizeof(*c->hol), int_cmp);
	return SD_OK;
}

enum sd_rc
core_calendar_new(const struct core_sla_config *sla, struct core_calendar **out,
    char err[SD_ERRLEN])
{
	static const char *const days[] = {"sat", "sun", "mon", "tue", "wed"};
	struct core_calendar *c = xcalloc(1, sizeof(*c));
	const char *p = sla->working_days;
	int o, cl, to, tc;
	size_t i;
	enum sd_rc rc;

	*out = NULL;
	c->mu = xcalloc(1, sizeof(*c->mu));
	pthread_mutex_init(c->mu, NULL);
	rc = cal_office_parse(sla->office_hours, CAL_OFFICE_DEF, &o, &cl, err);
	if (rc == SD_OK)
		rc = cal_office_parse(sla->thursday_hours, CAL_THURSDAY_DEF,
		    &to, &tc, err);
	if (rc != SD_OK) {
		core_calendar_free(c);
		return SD_ECONFIG;
	}
	c->full_s = (int64_t)(cl - o) * 60;
	while (*p != '\0') {
		size_t len = strcspn(p, ",");

		for (i = 0; i < 5; i++)
			if (len == 3 && strncmp(p, days[i], 3) == 0) {
				c->open[i] = o;
				c->close[i] = cl;
			}
		p += len;
		if (*p == ',')
			p++;
	}
	if (sla->thursday == CORE_THU_WORKING) {
		c->open[5] = o;
		c->close[5] = cl;
	} else if (sla->thursday == CORE_THU_HALF) {
		c->open[5] = to;
		c->close[5] = tc;
	}
	/* Friday (6) is never a working day. */
	if (sla->holidays_file[0] != '\0') {
		rc = cal_read_holidays(c, sla->holidays_file, err);
		if (rc != SD_OK) {
			core_calendar_free(c);
			return rc;
		}
	}
	*out = c;
	return SD_OK;
}

void
core_calendar_free(struct core_calendar *c)
{
	if (c == NULL)
		return;
	free(c->hol);
	free(c->db_hol);
	free(c->db_years);
	pthread_mutex_destroy(c->mu);
	free(c->mu);
	free(c);
}

/* True if key is a holiday: the table's when it has key's year, else the
 * file's. Caller holds c->mu. */
static bool
cal_is_holiday(const struct core_calendar *c, int key)
{
	int year = key / 10000;

	if (c->n_db_years > 0 &&
	    bsearch(&year, c->db_years, c->n_db_years, sizeof(int), int_cmp) !=
		NULL)
		return bsearch(&key, c->db_hol, c->n_db_hol, sizeof(int),
			   int_cmp) != NULL;
	return c->n_hol > 0 &&
	    bsearch(&key, c->hol, c->n_hol, sizeof(*c->hol), int_cmp) != NULL;
}

enum sd_rc
core_calendar_reload(struct core_calendar *c, struct db *db, bool *changed)
{
	struct db_holiday *rows;
	size_t n, i, ny = 0;
	int *keys, *years;
	enum sd_rc rc;

	*changed = false;
	rc = db_holiday_list(db, 0, &rows, &n);
	if (rc != SD_OK)
		return rc;
	keys = xcalloc(n + 1, sizeof(*keys));
	years = xcalloc(n + 1, sizeof(*years));
	for (i = 0; i < n; i++) {
		int y, m, d;

		if (sscanf(rows[i].jdate, "%4d/%2d/%2d", &y, &m, &d) != 3)
			continue; /* import checks every date */
		keys[i] = core_holiday_key(y, m, d);
		if (ny == 0 || years[ny - 1] != y)
			years[ny++] = y; /* rows come by date */
	}
	db_holiday_list_free(rows, n);
	qsort(keys, n, sizeof(*keys), int_cmp);
	pthread_mutex_lock(c->mu);
	if (n != c->n_db_hol ||
	    (n > 0 && memcmp(keys, c->db_hol, n * sizeof(*keys)) != 0)) {
		free(c->db_hol);
		free(c->db_years);
		c->db_hol = keys;
		c->n_db_hol = n;
		c->db_years = years;
		c->n_db_years = ny;
		keys = years = NULL;
		*changed = true;
	}
	pthread_mutex_unlock(c->mu);
	free(keys);
	free(years);
	return SD_OK;
}

size_t
core_calendar_year_holidays(const struct core_calendar *c, int year)
{
	size_t n = 0;
	int m, d;

	pthread_mutex_lock(c->mu);
	for (m = 1; m <= 12; m++)
		for (d = 1; d <= 31; d++)
			n += cal_is_holiday(c, core_holiday_key(year, m, d));
	pthread_mutex_unlock(c->mu);
	return n;
}

/* Whether the Tehran day of j is a working day. */
static bool
cal_works(const struct core_calendar *c, const struct core_jdate *j)
{
	bool hol;

	if (c->open[j->wday] >= c->close[j->wday])
		return false;
	pthread_mutex_lock(c->mu);
	hol = cal_is_holiday(c, core_holiday_key(j->year, j->month, j->day));
	pthread_mutex_unlock(c->mu);
	return !hol;
}

/* The instant of min minutes after midnight, Tehran wall clock, on the
 * day of j. Counted from the day's first second and corrected once by
 * what the wall clock then reads: right across a daylight saving change
 * (none since 1401, but the dates before stay exact). */
static enum sd_rc
cal_at(const struct core_jdate *j, int min, int64_t *utc)
{
	struct core_jdate s;
	int64_t t;
	enum sd_rc rc;

	rc = core_jalali_to_utc(j->year, j->month, j->day, &t);
	if (rc == SD_OK)
		rc = core_jalali_from_utc(t, &s);
	if (rc != SD_OK)
		return rc;
	t += (int64_t)(min - (s.hour * 60 + s.minute)) * 60 - s.second;
	rc = core_jalali_from_utc(t, &s);
	if (rc != SD_OK)
		return rc;
	t += (int64_t)(min - (s.hour * 60 + s.minute)) * 60;
	*utc = t;
	return SD_OK;
}

/* The Tehran day after j's. */
static enum sd_rc
cal_next_day(struct core_jdate *j)
{
	int64_t t;
	enum sd_rc rc;

	rc = core_jalali_to_utc(j->year, j->month, j->day, &t);
	if (rc == SD_OK)
		rc = core_jalali_from_utc(t + 36 * 3600, j);
	return rc;
}

bool
core_calendar_working(const struct core_calendar *c, int64_t utc)
{
	struct core_jdate j;

	return core_jalali_from_utc(utc, &j) == SD_OK && cal_works(c, &j);
}

/* A year of days at most: no calendar has that many holidays. */
#define CAL_DAYS_MAX 400
/* The longest span core_calendar_work_s() counts, day by day: ten years. */
#define CAL_SPAN_DAYS 3700

enum sd_rc
core_calendar_period_at(const struct core_calendar *c, int64_t t, int64_t *at,
    int64_t *close)
{
	struct core_jdate j;
	int guard;
	enum sd_rc rc;

	rc = core_jalali_from_utc(t, &j);
	for (guard = 0; rc == SD_OK && guard < CAL_DAYS_MAX; guard++) {
		int64_t o, cl;

		if (cal_works(c, &j)) {
			rc = cal_at(&j, c->open[j.wday], &o);
			if (rc == SD_OK)
				rc = cal_at(&j, c->close[j.wday], &cl);
			if (rc != SD_OK)
				return rc;
			if (t < cl) {
				*at = t > o ? t : o;
				if (close != NULL)
					*close = cl;
				return SD_OK;
			}
		}
		rc = cal_next_day(&j);
	}
	return rc != SD_OK ? rc : SD_EINTERNAL;
}

enum sd_rc
core_calendar_open_at(const struct core_calendar *c, int64_t t, int64_t *at)
{
	return core_calendar_period_at(c, t, at, NULL);
}

bool
core_calendar_in_office(const struct core_calendar *c, int64_t utc)
{
	int64_t at;

	return core_calendar_open_at(c, utc, &at) == SD_OK && at == utc;
}

/*
 * Working-time arithmetic: days * full_s seconds of office time, taken
 * day by day from each working day's office hours that lie after from.
 * The day that completes it gives the due time, so it falls inside that
 * day's office hours (at its close, when it takes the whole day).
 */
enum sd_rc
core_calendar_due(const struct core_calendar *c, int64_t from, long days,
    int64_t *due)
{
	int64_t need = (int64_t)days * c->full_s, have = 0;
	struct core_jdate j;
	int guard;
	enum sd_rc rc;

	rc = core_jalali_from_utc(from, &j);
	for (guard = 0; rc == SD_OK && guard < CAL_DAYS_MAX; guard++) {
		int64_t o, cl, b;

		if (cal_works(c, &j)) {
			rc = cal_at(&j, c->open[j.wday], &o);
			if (rc == SD_OK)
				rc = cal_at(&j, c->close[j.wday], &cl);
			if (rc != SD_OK)
				return rc;
			b = from > o ? from : o;
			if (b < cl && have + (cl - b) >= need) {
				*due = b + (need - have);
				return SD_OK;
			}
			if (b < cl)
				have += cl - b;
		}
		rc = cal_next_day(&j);
	}
	return rc != SD_OK ? rc : SD_EINTERNAL;
}

/*
 * Office time between two instants: the parts of each working day's
 * office hours that lie in [a, b), summed day by day, as
 * core_calendar_due() counts them, so work_s(from, due(from, n)) is n
 * full office days. Reversed (b < a): the negative of [b, a).
 */
enum sd_rc
core_calendar_work_s(const struct core_calendar *c, int64_t from, int64_t to,
    int64_t *secs)
{
	int64_t a = from < to ? from : to, b = from < to ? to : from, have = 0;
	struct core_jdate j;
	int guard;
	enum sd_rc rc;

	*secs = 0;
	if (a == b)
		return SD_OK;
	rc = core_jalali_from_utc(a, &j);
	for (guard = 0; rc == SD_OK && guard < CAL_SPAN_DAYS; guard++) {
		int64_t o, cl, lo, hi;

		if (cal_works(c, &j)) {
			rc = cal_at(&j, c->open[j.wday], &o);
			if (rc == SD_OK)
				rc = cal_at(&j, c->close[j.wday], &cl);
			if (rc != SD_OK)
				return rc;
			if (o >= b)
				break;
			lo = a > o ? a : o;
			hi = b < cl ? b : cl;
			if (hi > lo)
				have += hi - lo;
		} else {
			int64_t mid;

			/* A day off: stop once it starts after b. */
			rc = cal_at(&j, 0, &mid);
			if (rc != SD_OK)
				return rc;
			if (mid >= b)
				break;
		}
		rc = cal_next_day(&j);
	}
	if (rc != SD_OK)
		return rc;
	if (guard == CAL_SPAN_DAYS)
		return SD_ETOOBIG;
	*secs = from <= to ? have : -have;
	return SD_OK;
}

int64_t
core_calendar_office_s(const struct core_calendar *cal, int64_t from,
    int64_t to)
{
	int64_t secs = 0;

	if (to <= from)
		return 0;
	if (cal == NULL)
		return to - from;
	if (core_calendar_work_s(cal, from, to, &secs) != SD_OK)
		return to - from; /* over ten years: wall time */
	return secs;
}

enum sd_rc
core_quiet_end(const char *spec, int64_t now, int64_t *until)
{
	char err[SD_ERRLEN];
	struct core_jdate j;
	int from, to, m;
	enum sd_rc rc;

	*until = 0;
	if (spec == NULL)
		spec = CORE_QUIET_DEFAULT;
	if (spec[0] == '\0' || strcmp(spec, "off") == 0)
		return SD_OK;
	rc = core_hours_parse(spec, &from, &to, err);
	if (rc == SD_OK)
		rc = core_jalali_from_utc(now, &j);
	if (rc != SD_OK)
		return rc;
	m = j.hour * 60 + j.minute;
	if (from < to ? (m >= from && m < to) : m < to)
		return cal_at(&j, to, until); /* ends today */
	if (from > to && m >= from) {         /* ends tomorrow */
		rc = cal_next_day(&j);
		return rc == SD_OK ? cal_at(&j, to, until) : rc;
	}
	return SD_OK;
}

/* FNV-1a over n bytes, from h. */
static uint64_t
cal_fnv(uint64_t h, const void *p, size_t n)
{
	const unsigned char *b = p;
	size_t i;

	for (i = 0; i < n; i++) {
		h ^= b[i];
		h *= 0x100000001b3ULL;
	}
	return h;
}

uint64_t
core_calendar_fingerprint(const struct core_calendar *c)
{
	uint64_t h = 0xcbf29ce484222325ULL;

	h = cal_fnv(h, c->open, sizeof(c->open));
	h = cal_fnv(h, c->close, sizeof(c->close));
	h = cal_fnv(h, &c->full_s, sizeof(c->full_s));
	h = cal_fnv(h, c->hol, c->n_hol * sizeof(*c->hol));
	pthread_mutex_lock(c->mu);
	h = cal_fnv(h, c->db_hol, c->n_db_hol * sizeof(*c->db_hol));
	pthread_mutex_unlock(c->mu);
	return h;
}
