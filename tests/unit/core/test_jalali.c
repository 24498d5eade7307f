/*
 * tests/unit/core/test_jalali.c: Jalali dates in Asia/Tehran.
 *
 * The expected values are written down here, not computed with ICU:
 * Gregorian dates of Nowruz (1 Farvardin) from the Iranian calendar
 * authority's published tables, and Tehran's UTC offsets from tzdata
 * (+03:30; +04:30 in daylight saving time, which until 2022 ran from
 * 00:00 of 2 Farvardin to 24:00 of 30 Shahrivar). Gregorian dates become
 * epoch seconds through days_from_civil() below, so no time zone of the
 * test machine is involved.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <string.h>

#include "core/core.h"

#define DAY 86400
/* Iran Standard Time, +03:30. */
#define IRST (3 * 3600 + 30 * 60)

/* Days from 1970-01-01 to the Gregorian date y-m-d (H. Hinnant's
 * days_from_civil). */
static int64_t
days_from_civil(int y, int m, int d)
{
	int64_t era, yoe, doy, doe;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = y - era * 400;
	doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

/* UTC seconds of h:00 in Tehran on the Gregorian date y-m-d, for a day on
 * which Tehran keeps standard time at that hour. */
static int64_t
tehran_std(int y, int m, int d, int h)
{
	return days_from_civil(y, m, d) * DAY + h * 3600 - IRST;
}

static void
assert_jdate(int64_t utc, int y, int m, int d, int hh, int mm, int ss)
{
	struct core_jdate j;

	assert_int_equal(core_jalali_from_utc(utc, &j), SD_OK);
	if (j.year != y || j.month != m || j.day != d || j.hour != hh ||
	    j.minute != mm || j.second != ss)
		fail_msg("utc %lld: got %04d/%02d/%02d %02d:%02d:%02d, want "
			 "%04d/%02d/%02d %02d:%02d:%02d",
		    (long long)utc, j.year, j.month, j.day, j.hour, j.minute,
		    j.second, y, m, d, hh, mm, ss);
}

/* The seed's example: 2020-04-26 04:39:11 UTC, in daylight saving time. */
static void
test_known_value(void **state)
{
	struct core_jdate j;
	char buf[SD_JALALI_LEN];

	(void)state;
	assert_int_equal(1587875951,
	    days_from_civil(2020, 4, 26) * DAY + 4 * 3600 + 39 * 60 + 11);
	assert_jdate(1587875951, 1399, 2, 7, 9, 9, 11);
	assert_int_equal(core_jalali_from_utc(1587875951, &j), SD_OK);
	assert_int_equal(j.wday, 1); /* Sunday */
	assert_string_equal(
	    core_jalali_format(1587875951, buf), "1399/02/07 - 09:09:11");
}

/* Esfand 30 of leap years and the first day after them. */
static void
test_year_ends(void **state)
{
	(void)state;
	assert_jdate(tehran_std(2021, 3, 20, 12), 1399, 12, 30, 12, 0, 0);
	assert_jdate(tehran_std(2021, 3, 21, 12), 1400, 1, 1, 12, 0, 0);
	assert_jdate(tehran_std(2025, 3, 20, 12), 1403, 12, 30, 12, 0, 0);
	assert_jdate(tehran_std(2025, 3, 21, 12), 1404, 1, 1, 12, 0, 0);
	/* The last and first second of 1403. */
	assert_jdate(tehran_std(2025, 3, 21, 0) - 1, 1403, 12, 30, 23, 59, 59);
	assert_jdate(tehran_std(2025, 3, 21, 0), 1404, 1, 1, 0, 0, 0);
}

/*
 * Nowruz 1395..1410. esfand is the length of the last month of the year
 * before (30 in leap years: 1395, 1399, 1403 and 1408 here).
 */
static const struct nowruz {
	int jy;         /* Jalali year */
	int gy, gm, gd; /* its 1 Farvardin, Gregorian */
	int esfand;     /* days in Esfand of jy - 1 */
} nowruz[] = {
    {1395, 2016, 3, 20, 29},
    {1396, 2017, 3, 21, 30},
    {1397, 2018, 3, 21, 29},
    {1398, 2019, 3, 21, 29},
    {1399, 2020, 3, 20, 29},
    {1400, 2021, 3, 21, 30},
    {1401, 2022, 3, 21, 29},
    {1402, 2023, 3, 21, 29},
    {1403, 2024, 3, 20, 29},
    {1404, 2025, 3, 21, 30},
    {1405, 2026, 3, 21, 29},
    {1406, 2027, 3, 21, 29},
    {1407, 2028, 3, 20, 29},
    {1408, 2029, 3, 20, 29},
    {1409, 2030, 3, 21, 30},
    {1410, 2031, 3, 21, 29},
};
#define NOWRUZ_N (sizeof(nowruz) / sizeof(nowruz[0]))

/* The table agrees with itself: a year is 365 days plus its leap day. */
static void
test_nowruz_table(void **state)
{
	size_t i;

	(void)state;
	for (i = 1; i < NOWRUZ_N; i++) {
		int64_t len =
		    days_from_civil(nowruz[i].gy, nowruz[i].gm, nowruz[i].gd) -
		    days_from_civil(
			nowruz[i - 1].gy, nowruz[i - 1].gm, nowruz[i - 1].gd);

		assert_int_equal(nowruz[i].jy, nowruz[i - 1].jy + 1);
		assert_int_equal(len, 336 + nowruz[i].esfand);
	}
}

static void
test_nowruz(void **state)
{
	const struct nowruz *n;
	struct core_jdate j;
	int64_t utc, noon;
	size_t i;

	(void)state;
	for (i = 0; i < NOWRUZ_N; i++) {
		n = &nowruz[i];
		/* 00:00 of Nowruz is standard time in every year: daylight
		 * saving time began a day later. */
		assert_int_equal(core_jalali_to_utc(n->jy, 1, 1, &utc), SD_OK);
		if (utc != tehran_std(n->gy, n->gm, n->gd, 0))
			fail_msg("%d/01/01: ICU gives utc %lld, want "
				 "%04d-%02d-%02d 00:00 Tehran (%lld)",
			    n->jy, (long long)utc, n->gy, n->gm, n->gd,
			    (long long)tehran_std(n->gy, n->gm, n->gd, 0));

		noon = tehran_std(n->gy, n->gm, n->gd, 12);
		assert_jdate(noon, n->jy, 1, 1, 12, 0, 0);
		assert_jdate(noon - DAY, n->jy - 1, 12, n->esfand, 12, 0, 0);

		/* The last day of the year before exists; one more does
		 * not. */
		assert_int_equal(
		    core_jalali_to_utc(n->jy - 1, 12, n->esfand, &utc), SD_OK);
		assert_int_equal(utc, tehran_std(n->gy, n->gm, n->gd, 0) - DAY);
		if (n->esfand == 29)
			assert_int_equal(
			    core_jalali_to_utc(n->jy - 1, 12, 30, &utc),
			    SD_EINVAL);
		assert_int_equal(core_jalali_from_utc(noon, &j), SD_OK);
	}
}

static void
test_leap_years(void **state)
{
	int64_t utc;

	(void)state;
	assert_int_equal(core_jalali_to_utc(1403, 12, 30, &utc), SD_OK);
	assert_int_equal(utc, tehran_std(2025, 3, 20, 0));
	assert_int_equal(core_jalali_to_utc(1399, 12, 30, &utc), SD_OK);
	assert_int_equal(utc, tehran_std(2021, 3, 20, 0));
	assert_int_equal(core_jalali_to_utc(1408, 12, 30, &utc), SD_OK);
	assert_int_equal(utc, tehran_std(2030, 3, 20, 0));
	assert_int_equal(core_jalali_to_utc(1404, 12, 30, &utc), SD_EINVAL);
	assert_int_equal(core_jalali_to_utc(1402, 12, 30, &utc), SD_EINVAL);
	assert_int_equal(core_jalali_to_utc(1403, 12, 31, &utc), SD_EINVAL);
}

static void
test_to_utc_rejects(void **state)
{
	int64_t utc = 42;

	(void)state;
	assert_int_equal(core_jalali_to_utc(1403, 13, 1, &utc), SD_EINVAL);
	assert_int_equal(core_jalali_to_utc(1403, 0, 10, &utc), SD_EINVAL);
	assert_int_equal(core_jalali_to_utc(1403, 1, 0, &utc), SD_EINVAL);
	assert_int_equal(core_jalali_to_utc(1403, 1, 32, &utc), SD_EINVAL);
	/* Months 7..11 have 30 days. */
	assert_int_equal(core_jalali_to_utc(1403, 7, 31, &utc), SD_EINVAL);
	assert_int_equal(core_jalali_to_utc(1403, 11, 31, &utc), SD_EINVAL);
	assert_int_equal(core_jalali_to_utc(1403, -1, 1, &utc), SD_EINVAL);
	assert_int_equal(core_jalali_to_utc(0, 1, 1, &utc), SD_EINVAL);
	assert_int_equal(core_jalali_to_utc(100000, 1, 1, &utc), SD_EINVAL);
	assert_int_equal(utc, 42); /* untouched on failure */
	assert_int_equal(core_jalali_to_utc(1403, 6, 31, &utc), SD_OK);
	assert_int_equal(core_jalali_to_utc(1403, 7, 30, &utc), SD_OK);
}

/*
 * Daylight saving time: in 1396 the clocks went from 2017-03-21 23:59:59
 * +03:30 to 2017-03-22 01:00:00 +04:30, so 2 Farvardin began at 01:00;
 * they went back at 24:00 of 1399/06/30 (2020-09-20 19:30 UTC).
 */
static void
test_dst(void **state)
{
	int64_t utc;

	(void)state;
	assert_int_equal(core_jalali_to_utc(1396, 1, 2, &utc), SD_OK);
	assert_int_equal(utc, 1490128200); /* 2017-03-21T20:30:00Z */
	assert_int_equal(utc, tehran_std(2017, 3, 22, 0));
	assert_jdate(utc, 1396, 1, 2, 1, 0, 0);
	assert_jdate(utc - 1, 1396, 1, 1, 23, 59, 59);

	assert_int_equal(core_jalali_to_utc(1399, 1, 2, &utc), SD_OK);
	assert_int_equal(utc, tehran_std(2020, 3, 21, 0));

	/* 2020-09-20 19:29:59 UTC is 23:59:59 +04:30; a second later it is
	 * 23:00:00 +03:30 once more. */
	utc = days_from_civil(2020, 9, 20) * DAY + 19 * 3600 + 29 * 60 + 59;
	assert_jdate(utc, 1399, 6, 30, 23, 59, 59);
	assert_jdate(utc + 1, 1399, 6, 30, 23, 0, 0);
	assert_int_equal(core_jalali_to_utc(1399, 6, 31, &utc), SD_OK);
	assert_int_equal(utc, tehran_std(2020, 9, 21, 0));

	/* No daylight saving time since 2022 (tzdata 2022b). */
	assert_jdate(days_from_civil(2024, 6, 1) * DAY + 12 * 3600, 1403, 3, 12,
	    15, 30, 0);
}

static void
test_wday(void **state)
{
	static const struct {
		int y, m, d; /* Gregorian */
		int wday;    /* 0 = Saturday */
	} days[] = {
	    {2020, 4, 26, 1}, /* Sunday */
	    {2024, 6, 1, 0},  /* Saturday */
	    {2024, 6, 3, 2},  /* Monday */
	    {2024, 6, 6, 5},  /* Thursday */
	    {2024, 6, 7, 6},  /* Friday */
	    {2025, 3, 21, 6}, /* Nowruz 1404, a Friday */
	};
	struct core_jdate j;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(days) / sizeof(days[0]); i++) {
		assert_int_equal(
		    core_jalali_from_utc(
			tehran_std(days[i].y, days[i].m, days[i].d, 12), &j),
		    SD_OK);
		assert_int_equal(j.wday, days[i].wday);
	}
	/* Just before and after midnight in Tehran. */
	assert_int_equal(
	    core_jalali_from_utc(tehran_std(2024, 6, 1, 0) - 1, &j), SD_OK);
	assert_int_equal(j.wday, 6);
	assert_int_equal(
	    core_jalali_from_utc(tehran_std(2024, 6, 1, 0), &j), SD_OK);
	assert_int_equal(j.wday, 0);
}

static void
test_format(void **state)
{
	char buf[SD_JALALI_LEN];

	(void)state;
	assert_string_equal(core_jalali_format(tehran_std(2025, 3, 21, 0), buf),
	    "1404/01/01 - 00:00:00");
	assert_string_equal(
	    core_jalali_format(tehran_std(2025, 3, 21, 0) - 1, buf),
	    "1403/12/30 - 23:59:59");
	assert_string_equal(core_jalali_format(0, buf),
	    "1348/10/11 - 03:30:00"); /* 1970-01-01 */
	/* Out of range: "?" and nothing behind it. */
	memset(buf, 'x', sizeof(buf));
	assert_ptr_equal(core_jalali_format(INT64_MAX, buf), buf);
	assert_string_equal(buf, "?");
	assert_string_equal(buf + 13, "");
	assert_string_equal(core_jalali_format(INT64_MIN, buf), "?");
}

/*
 * Every day of 1394..1409 exists exactly when the month lengths say
 * (31 x 6, 30 x 5, then 29 or 30), reads back as itself, and starts one
 * day (give or take a daylight saving hour) after the day before.
 */
static void
test_every_day(void **state)
{
	struct core_jdate j;
	int64_t utc, prev = 0;
	int y, m, d, len, days;
	enum sd_rc rc;
	size_t i;

	(void)state;
	for (y = 1394; y <= 1409; y++) {
		days = 0;
		for (m = 1; m <= 12; m++) {
			for (d = 1; d <= 31; d++) {
				len = m <= 6 ? 31 : m <= 11 ? 30 : 29;
				for (i = 0; m == 12 && i < NOWRUZ_N; i++)
					if (nowruz[i].jy == y + 1)
						len = nowruz[i].esfand;
				rc = core_jalali_to_utc(y, m, d, &utc);
				if (d > len) {
					if (rc != SD_EINVAL)
						fail_msg(
						    "%d/%d/%d exists", y, m, d);
					continue;
				}
				if (rc != SD_OK)
					fail_msg("%d/%d/%d: %s", y, m, d,
					    sd_rc_str(rc));
				assert_int_equal(
				    core_jalali_from_utc(utc, &j), SD_OK);
				assert_int_equal(j.year, y);
				assert_int_equal(j.month, m);
				assert_int_equal(j.day, d);
				assert_int_equal(j.minute, 0);
				assert_int_equal(j.second, 0);
				assert_true(j.hour == 0 || j.hour == 1);
				if (prev != 0 && utc - prev != DAY &&
				    utc - prev != DAY - 3600 &&
				    utc - prev != DAY + 3600)
					fail_msg("%d/%d/%d starts %lld s after "
						 "the day before",
					    y, m, d, (long long)(utc - prev));
				prev = utc;
				days++;
			}
		}
		assert_true(days == 365 || days == 366);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_known_value),
	    cmocka_unit_test(test_year_ends),
	    cmocka_unit_test(test_nowruz_table),
	    cmocka_unit_test(test_nowruz),
	    cmocka_unit_test(test_leap_years),
	    cmocka_unit_test(test_to_utc_rejects),
	    cmocka_unit_test(test_dst),
	    cmocka_unit_test(test_wday),
	    cmocka_unit_test(test_format),
	    cmocka_unit_test(test_every_day),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
