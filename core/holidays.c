/*
 * core/holidays.c: the official holidays of the Jalali year: the holidays
 * file's lines and the suggestion for a year (the fixed solar holidays
 * plus the lunar ones computed with ICU's Islamic calendar).
 *
 * File format, one holiday a line (README "Working days"):
 *
 *     1405/01/01 نوروز
 *     1406/04/12? تاسوعای حسینی
 *
 * a Jalali date YYYY/MM/DD in ASCII, Persian (۰-۹) or Arabic-Indic (٠-٩)
 * digits, then a name; '#' starts a comment. A '?' right after the date
 * marks a date computed rather than read from the official calendar: it
 * counts as a holiday, and `holidays list` shows it as to be checked.
 *
 * Iran fixes the lunar months by sighting the moon; the official
 * calendar (the University of Tehran's Calendar Center computes it, the
 * Council for Public Culture approves it) predicts them a year ahead. The
 * suggestion predicts a month's first day as the day after the one ICU's
 * astronomical Islamic calendar ("islamic") gives. Measured against the
 * Calendar Center's 298 month starts of AH 1423/1 to 1447/10 (its
 * official calendars of 1381 to 1404, as collected in the CC0 data set
 * github.com/roozbehp/qamari, sources/calendar-center.txt):
 *
 *     rule                     exact   a day early   a day late
 *     ICU islamic + 1 day       83 %       15 %          2 %
 *     ICU islamic-umalqura      34 %       65 %          0 %
 *
 * (and umalqura puts one month two days early). `make hijri-check
 * MONTHS=FILE` prints these figures from such a file.
 *
 * umalqura (the Saudi calendar) was this file's rule before. Of the 13
 * month starts in the official calendar of 1405, the new rule gives 11
 * (Muharram 1448 a day late, Sha'ban 1448 a day early), umalqura 6. So a
 * suggested lunar date is most often right and at most a day off; each
 * is marked to be checked all the same.
 *
 * The holiday names are calendar data, as the official calendar spells
 * them, not messages to users (those live in core/texts.c).
 */
#include "core/core.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <unicode/ucal.h>
#include <unicode/utypes.h>

#include "core/base/xmalloc.h"

/* The lunar holidays of the official calendar: Hijri month (1-based),
 * day (0: the last day of the month), name. */
static const struct {
	int month, day;
	const char *name;
} lunar[] = {
    {1, 9, "تاسوعای حسینی"},
    {1, 10, "عاشورای حسینی"},
    {2, 20, "اربعین حسینی"},
    {2, 28, "رحلت حضرت رسول اکرم (ص) و شهادت امام حسن مجتبی (ع)"},
    {2, 0, "شهادت امام رضا (ع)"},
    {3, 8, "شهادت امام حسن عسکری (ع)"},
    {3, 17, "میلاد حضرت رسول اکرم (ص) و امام جعفر صادق (ع)"},
    {6, 3, "شهادت حضرت فاطمه زهرا (س)"},
    {7, 13, "ولادت امام علی (ع)"},
    {7, 27, "مبعث حضرت رسول اکرم (ص)"},
    {8, 15, "ولادت حضرت قائم (عج)"},
    {9, 21, "شهادت حضرت علی (ع)"},
    {10, 1, "عید سعید فطر"},
    {10, 2, "تعطیل به مناسبت عید سعید فطر"},
    {10, 25, "شهادت امام جعفر صادق (ع)"},
    {12, 10, "عید سعید قربان"},
    {12, 18, "عید سعید غدیر خم"},
};

/* The fixed solar holidays: Jalali month, day, name. */
static const struct {
	int month, day;
	const char *name;
} solar[] = {
    {1, 1, "نوروز"},
    {1, 2, "نوروز"},
    {1, 3, "نوروز"},
    {1, 4, "نوروز"},
    {1, 12, "روز جمهوری اسلامی"},
    {1, 13, "روز طبیعت"},
    {3, 14, "رحلت امام خمینی"},
    {3, 15, "قیام ۱۵ خرداد"},
    {11, 22, "پیروزی انقلاب اسلامی"},
    {12, 29, "ملی شدن صنعت نفت"},
};

/* One decimal digit at *p (ASCII, Persian or Arabic-Indic): its value,
 * advancing *p; -1 if none. */
static int
hol_digit(const char **p)
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

/* A number of 1..max digits at *p. */
static int
hol_number(const char **p, int max)
{
	int v = 0, n = 0, d;

	while (n < max && (d = hol_digit(p)) >= 0) {
		v = v * 10 + d;
		n++;
	}
	return n == 0 ? -1 : v;
}

int
core_holiday_key(int y, int m, int d)
{
	return y * 10000 + m * 100 + d;
}

enum sd_rc
core_holiday_parse(const char *line, struct core_holiday *h, bool *blank)
{
	char buf[CORE_HOLIDAY_LINE_MAX];
	const char *p;
	int y, m, d;
	int64_t t;
	size_t len;

	*blank = false;
	memset(h, 0, sizeof(*h));
	if (strlen(line) >= sizeof(buf))
		return SD_EINVAL;
	strcpy(buf, line);
	buf[strcspn(buf, "#\r\n")] = '\0';
	p = buf + strspn(buf, " \t");
	if (*p == '\0') {
		*blank = true;
		return SD_OK;
	}
	if ((y = hol_number(&p, 4)) < 0 || *p++ != '/' ||
	    (m = hol_number(&p, 2)) < 0 || *p++ != '/' ||
	    (d = hol_number(&p, 2)) < 0)
		return SD_EINVAL;
	if (*p == '?') {
		h->computed = true;
		p++;
	}
	if (*p != '\0' && *p != ' ' && *p != '\t')
		return SD_EINVAL;
	if (core_jalali_to_utc(y, m, d, &t) != SD_OK)
		return SD_EINVAL;
	h->key = core_holiday_key(y, m, d);
	p += strspn(p, " \t");
	len = strlen(p);
	while (len > 0 && (p[len - 1] == ' ' || p[len - 1] == '\t'))
		len--;
	if (len >= sizeof(h->name))
		return SD_EINVAL;
	memcpy(h->name, p, len);
	h->name[len] = '\0';
	return SD_OK;
}

enum sd_rc
core_holidays_read(const char *path, struct core_holiday **out, size_t *n,
    char err[SD_ERRLEN])
{
	char line[CORE_HOLIDAY_LINE_MAX];
	struct core_holiday *v = NULL;
	size_t cnt = 0, cap = 0;
	int lineno = 0;
	FILE *fp;

	*out = NULL;
	*n = 0;
	fp = fopen(path, "r");
	if (fp == NULL) {
		snprintf(err, SD_ERRLEN, "[sla] holidays_file %s: %s", path,
		    strerror(errno));
		return SD_ECONFIG;
	}
	while (fgets(line, sizeof(line), fp) != NULL) {
		struct core_holiday h;
		bool blank;

		lineno++;
		if (core_holiday_parse(line, &h, &blank) != SD_OK) {
			snprintf(err, SD_ERRLEN,
			    "%s:%d: not a Jalali date YYYY/MM/DD[?] "
			    "then a name",
			    path, lineno);
			free(v);
			fclose(fp);
			return SD_ECONFIG;
		}
		if (blank)
			continue;
		if (cnt == cap) {
			cap = cap == 0 ? 64 : cap * 2;
			v = xrealloc(v, cap * sizeof(*v));
		}
		v[cnt++] = h;
	}
	fclose(fp);
	*out = v;
	*n = cnt;
	return SD_OK;
}

static int
hol_cmp(const void *a, const void *b)
{
	const struct core_holiday *x = a, *y = b;

	return x->key < y->key ? -1 : x->key > y->key;
}

/* Open ICU's astronomical Islamic calendar in Asia/Tehran. */
static UCalendar *
hol_islamic_open(void)
{
	static const UChar zone[] = {'A', 's', 'i', 'a', '/', 'T', 'e', 'h',
	    'r', 'a', 'n', 0};
	UErrorCode st = U_ZERO_ERROR;
	UCalendar *cal;

	cal = ucal_open(zone, -1, "fa_IR@calendar=islamic", UCAL_DEFAULT, &st);
	if (U_FAILURE(st)) {
		if (cal != NULL)
			ucal_close(cal);
		return NULL;
	}
	return cal;
}

/* Noon (Tehran) of the predicted first day of Hijri month hm (1..13: 13
 * is the next year's first) of year hy, UTC seconds in *t: the day after
 * ICU's astronomical calendar starts it (the rule at the top). */
static enum sd_rc
hol_month_start(UCalendar *cal, int hy, int hm, int64_t *t)
{
	UErrorCode st = U_ZERO_ERROR;
	UDate ms;

	if (hm == 13) {
		hy++;
		hm = 1;
	}
	ucal_clear(cal);
	ucal_setDateTime(cal, hy, hm - 1, 1, 12, 0, 0, &st);
	ms = ucal_getMillis(cal, &st);
	if (U_FAILURE(st))
		return SD_EINTERNAL;
	*t = (int64_t)(ms / 1000.0) + 86400;
	return SD_OK;
}

enum sd_rc
core_hijri_month_start(int hy, int hm, int64_t *t)
{
	UCalendar *cal;
	enum sd_rc rc;

	if (hy < 1 || hm < 1 || hm > 12)
		return SD_EINVAL;
	if ((cal = hol_islamic_open()) == NULL)
		return SD_EINTERNAL;
	rc = hol_month_start(cal, hy, hm, t);
	ucal_close(cal);
	return rc;
}

/* Add the lunar holidays of Hijri year hy that fall in Jalali year jy. */
static enum sd_rc
hol_lunar_year(UCalendar *cal, int hy, int jy, struct core_holiday *out,
    size_t cap, size_t *n)
{
	size_t i;

	for (i = 0; i < sizeof(lunar) / sizeof(lunar[0]); i++) {
		struct core_jdate j;
		int64_t t;

		if (lunar[i].day == 0) {
			/* The month's last day: the day before the next. */
			if (hol_month_start(cal, hy, lunar[i].month + 1, &t) !=
			    SD_OK)
				return SD_EINTERNAL;
			t -= 86400;
		} else {
			if (hol_month_start(cal, hy, lunar[i].month, &t) !=
			    SD_OK)
				return SD_EINTERNAL;
			t += (int64_t)(lunar[i].day - 1) * 86400;
		}
		if (core_jalali_from_utc(t, &j) != SD_OK)
			return SD_EINTERNAL;
		if (j.year != jy)
			continue;
		if (*n == cap)
			return SD_ETOOBIG;
		out[*n].key = core_holiday_key(j.year, j.month, j.day);
		out[*n].computed = true;
		snprintf(out[*n].name, sizeof(out[*n].name), "%s",
		    lunar[i].name);
		(*n)++;
	}
	return SD_OK;
}

enum sd_rc
core_holidays_suggest(int jy, struct core_holiday *out, size_t cap, size_t *n)
{
	UCalendar *cal;
	enum sd_rc rc = SD_OK;
	int64_t t;
	int hy;
	size_t i;

	*n = 0;
	if (jy < 1300 || jy > 1600)
		return SD_EINVAL;
	for (i = 0; i < sizeof(solar) / sizeof(solar[0]); i++) {
		if (*n == cap)
			return SD_ETOOBIG;
		out[*n].key = core_holiday_key(jy, solar[i].month,
		    solar[i].day);
		out[*n].computed = false;
		snprintf(out[*n].name, sizeof(out[*n].name), "%s",
		    solar[i].name);
		(*n)++;
	}
	if ((cal = hol_islamic_open()) == NULL)
		return SD_EINTERNAL;
	/* A Jalali year overlaps two Hijri years: the one current on 1
	 * Farvardin and the next; the one before too, as the prediction may
	 * start a year a day after ICU does. */
	if (core_jalali_to_utc(jy, 1, 1, &t) != SD_OK) {
		rc = SD_EINTERNAL;
		goto out;
	}
	{
		UErrorCode st = U_ZERO_ERROR;

		ucal_setMillis(cal, (UDate)t * 1000.0 + 43200000.0, &st);
		hy = ucal_get(cal, UCAL_EXTENDED_YEAR, &st);
		if (U_FAILURE(st)) {
			rc = SD_EINTERNAL;
			goto out;
		}
	}
	rc = hol_lunar_year(cal, hy - 1, jy, out, cap, n);
	if (rc == SD_OK)
		rc = hol_lunar_year(cal, hy, jy, out, cap, n);
	if (rc == SD_OK)
		rc = hol_lunar_year(cal, hy + 1, jy, out, cap, n);
	if (rc == SD_OK) {
		size_t k = 0;

		qsort(out, *n, sizeof(*out), hol_cmp);
		/* One line a day: two occasions on one day share it. The
		 * day is certain when one of them is (Nowruz and Eid al-Fitr
		 * on 1405/01/01 is off whatever the moon does). */
		for (i = 0; i < *n; i++) {
			if (k > 0 && out[k - 1].key == out[i].key) {
				size_t len = strlen(out[k - 1].name);

				snprintf(out[k - 1].name + len,
				    sizeof(out[k - 1].name) - len, "، %s",
				    out[i].name);
				out[k - 1].computed &= out[i].computed;
				continue;
			}
			out[k++] = out[i];
		}
		*n = k;
	}
out:
	ucal_close(cal);
	return rc;
}

enum sd_rc
core_holidays_import(struct db *db, const struct core_holiday *h, size_t n,
    char err[SD_ERRLEN])
{
	int last_year = 0;
	enum sd_rc rc;
	size_t i;

	if (n > SD_HOLIDAYS_MAX) {
		snprintf(err, SD_ERRLEN, "more than %d holidays",
		    SD_HOLIDAYS_MAX);
		return SD_ETOOBIG;
	}
	rc = db_begin(db);
	if (rc != SD_OK)
		goto fail_msg;
	/* Every year the file covers is replaced as a whole: a date moved
	 * by a day must not stay at its old place too. */
	for (i = 0; i < n; i++) {
		int y = h[i].key / 10000;
		size_t k;

		if (y == last_year)
			continue;
		for (k = 0; k < i && h[k].key / 10000 != y; k++)
			;
		last_year = y;
		if (k < i)
			continue;
		if ((rc = db_holiday_clear_year(db, y)) != SD_OK)
			goto fail;
	}
	for (i = 0; i < n; i++) {
		char jd[16], name[CORE_HOLIDAY_NAME_MAX + 2];

		snprintf(jd, sizeof(jd), "%04d/%02d/%02d", h[i].key / 10000,
		    h[i].key / 100 % 100, h[i].key % 100);
		snprintf(name, sizeof(name), "%s%s", h[i].computed ? "?" : "",
		    h[i].name);
		if ((rc = db_holiday_put(db, jd, name)) != SD_OK)
			goto fail;
	}
	rc = db_commit(db);
	if (rc != SD_OK)
		goto fail;
	return SD_OK;
fail:
	db_rollback(db);
fail_msg:
	snprintf(err, SD_ERRLEN, "holidays not stored: %s", db_errmsg(db));
	return rc;
}
