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
 * Working time runs like a clock that only ticks on working days (at half
 * speed on a half Thursday), midnight to midnight in Asia/Tehran: a
 * request sent on Saturday at 10:00 has had two working days on Monday at
 * 10:00; one sent on a Friday, on Monday at 00:00.
 */
#include "core/core.h"

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/base/log.h"
#include "core/base/xmalloc.h"

struct core_calendar {
	unsigned credit[7]; /* half-days a weekday is worth, 0 = Saturday */
	int *hol;           /* the file's holidays, y * 10000 + m * 100 + d,
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
	size_t i;
	enum sd_rc rc;

	*out = NULL;
	c->mu = xcalloc(1, sizeof(*c->mu));
	pthread_mutex_init(c->mu, NULL);
	while (*p != '\0') {
		size_t len = strcspn(p, ",");

		for (i = 0; i < 5; i++)
			if (len == 3 && strncmp(p, days[i], 3) == 0)
				c->credit[i] = 2;
		p += len;
		if (*p == ',')
			p++;
	}
	c->credit[5] = sla->thursday == CORE_THU_WORKING ? 2 :
	    sla->thursday == CORE_THU_HALF               ? 1 :
							   0;
	c->credit[6] = 0; /* Friday */
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

/* Half-days the Tehran day of j is worth. */
static unsigned
cal_credit(const struct core_calendar *c, const struct core_jdate *j)
{
	bool hol;

	pthread_mutex_lock(c->mu);
	hol = cal_is_holiday(c, core_holiday_key(j->year, j->month, j->day));
	pthread_mutex_unlock(c->mu);
	return hol ? 0 : c->credit[j->wday];
}

bool
core_calendar_working(const struct core_calendar *c, int64_t utc)
{
	struct core_jdate j;

	return core_jalali_from_utc(utc, &j) == SD_OK && cal_credit(c, &j) > 0;
}

enum sd_rc
core_calendar_due(const struct core_calendar *c, int64_t from, long days,
    int64_t *due)
{
	/* Work in half-day-seconds: a full working day gives 2 * 86400. */
	int64_t need = (int64_t)days * 2 * 86400, have = 0, start, next;
	struct core_jdate j;
	int guard;
	enum sd_rc rc;

	rc = core_jalali_from_utc(from, &j);
	if (rc != SD_OK)
		return rc;
	rc = core_jalali_to_utc(j.year, j.month, j.day, &start);
	if (rc != SD_OK)
		return rc;
	/* A year of days at most: no calendar has that many holidays. */
	for (guard = 0; guard < 400; guard++) {
		unsigned cr = cal_credit(c, &j);
		int64_t from_here = from > start ? from : start, len, gain;

		/* The next day's start (days are 23 to 25 hours long). */
		rc = core_jalali_from_utc(start + 36 * 3600, &j);
		if (rc != SD_OK)
			return rc;
		rc = core_jalali_to_utc(j.year, j.month, j.day, &next);
		if (rc != SD_OK)
			return rc;
		len = next - from_here;
		gain = len * (int64_t)cr;
		if (cr > 0 && have + gain >= need) {
			*due = from_here + (need - have) / (int64_t)cr;
			return SD_OK;
		}
		have += gain;
		start = next;
	}
	return SD_EINTERNAL;
}
