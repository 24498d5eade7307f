/*
 * tests/unit/core/test_calendar.c: the working-day calendar with the
 * shipped holidays file (conf/holidays.txt, or $HOLIDAYS_FILE), and the
 * ICU suggestion of a year's holidays.
 *
 * Issue 11: the file had only the solar holidays of 1405, so a request
 * sent on 1405/12/26 escalated on 1406/01/02, in the middle of Nowruz,
 * and every lunar holiday counted as a working day.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/core.h"
#include "db/db.h"
#include "tests/support/testutil.h"

static const char *
holidays_path(void)
{
	const char *p = getenv("HOLIDAYS_FILE");

	return p != NULL ? p : "conf/holidays.txt";
}

/* The calendar of the default working week (Saturday to Wednesday,
 * Thursday half) with the shipped holidays. */
static struct core_calendar *
shipped_calendar(void)
{
	struct core_sla_config sla;
	struct core_calendar *cal = NULL;
	char err[SD_ERRLEN];

	memset(&sla, 0, sizeof(sla));
	snprintf(sla.working_days, sizeof(sla.working_days),
	    "sat,sun,mon,tue,wed");
	sla.thursday = CORE_THU_HALF;
	sla.answer_days = 2;
	snprintf(sla.holidays_file, sizeof(sla.holidays_file), "%s",
	    holidays_path());
	if (core_calendar_new(&sla, &cal, err) != SD_OK)
		fail_msg("%s", err);
	return cal;
}

static int64_t
jday(int y, int m, int d, int hour)
{
	int64_t t;

	assert_int_equal(core_jalali_to_utc(y, m, d, &t), SD_OK);
	return t + hour * 3600;
}

/* Sent on Wednesday 1405/12/26 at 10:00: Thursday is half a day, then
 * Friday, Oil Nationalization Day and the four days of Nowruz 1406 are
 * off. Not due before the end of Nowruz. */
static void
test_not_due_during_nowruz(void **state)
{
	struct core_calendar *cal = shipped_calendar();
	int64_t due;
	struct core_jdate j;

	(void)state;
	assert_int_equal(core_calendar_due(cal, jday(1405, 12, 26, 10), 2,
			     &due),
	    SD_OK);
	assert_int_equal(core_jalali_from_utc(due, &j), SD_OK);
	if (due < jday(1406, 1, 5, 0))
		fail_msg("due %04d/%02d/%02d %02d:%02d, in Nowruz", j.year,
		    j.month, j.day, j.hour, j.minute);
	for (int d = 1; d <= 4; d++)
		assert_false(core_calendar_working(cal, jday(1406, 1, d, 10)));
	assert_false(core_calendar_working(cal, jday(1405, 12, 29, 10)));
	core_calendar_free(cal);
}

/*
 * The official holidays of 1405: the days the official calendar of Iran
 * for 1405 (University of Tehran, Institute of Geophysics, Calendar
 * Center, approved by the Council for Public Culture: Calendar-1405.pdf,
 * pages 3-14) marks «تعطیل», and its lunar month starts. Lunar: the date
 * follows the Hijri calendar. The ILNA list of 2025-10-30 ("25 holidays")
 * leaves out 1405/01/25 (25 Shawwal), which the calendar marks.
 */
static const struct {
	int key;
	bool lunar;
} official_1405[] = {
    {14050101, true},
    {14050102, true},
    {14050103, false},
    {14050104, false},
    {14050112, false},
    {14050113, false},
    {14050125, true},
    {14050306, true},
    {14050314, true},
    {14050315, false},
    {14050403, true},
    {14050404, true},
    {14050513, true},
    {14050521, true},
    {14050522, true},
    {14050530, true},
    {14050608, true},
    {14050822, true},
    {14051002, true},
    {14051016, true},
    {14051104, true},
    {14051122, false},
    {14051209, true},
    {14051219, true},
    {14051220, true},
    {14051229, false},
};

/* The first day (Jalali) of each Hijri month the 1405 calendar begins. */
static const struct {
	int hy, hm, key;
} official_1405_months[] = {
    {1447, 10, 14050101},
    {1447, 11, 14050130},
    {1447, 12, 14050228},
    {1448, 1, 14050326},
    {1448, 2, 14050425},
    {1448, 3, 14050523},
    {1448, 4, 14050622},
    {1448, 5, 14050720},
    {1448, 6, 14050820},
    {1448, 7, 14050920},
    {1448, 8, 14051020},
    {1448, 9, 14051119},
    {1448, 10, 14051219},
};

#define N_OFFICIAL_1405 (sizeof(official_1405) / sizeof(official_1405[0]))

static bool
official_1405_has(int key)
{
	size_t i;

	for (i = 0; i < N_OFFICIAL_1405; i++)
		if (official_1405[i].key == key)
			return true;
	return false;
}

/* The lunar holidays of 1405 on weekdays that are otherwise working are
 * off, and the days the earlier computed dates put them on work again
 * (Arbaeen was on 05/12, Eid al-Fitr 1448 on 12/18). */
static void
test_lunar_holidays_1405_off(void **state)
{
	static const int days[][3] = {
	    {1405, 1, 25},  /* 25 Shawwal, Tuesday */
	    {1405, 3, 6},   /* Eid al-Adha, Wednesday */
	    {1405, 4, 3},   /* Tasua, Wednesday */
	    {1405, 5, 13},  /* Arbaeen, Tuesday */
	    {1405, 5, 21},  /* 28 Safar, Wednesday */
	    {1405, 6, 8},   /* 17 Rabi al-Awwal, Sunday */
	    {1405, 10, 2},  /* 13 Rajab, Wednesday */
	    {1405, 11, 4},  /* 15 Sha'ban, Sunday */
	    {1405, 12, 19}, /* Eid al-Fitr 1448, Wednesday */
	};
	static const int work[][3] = {
	    {1405, 5, 12},
	    {1405, 5, 20},
	    {1405, 10, 1},
	    {1405, 11, 3},
	    {1405, 12, 18},
	};
	struct core_calendar *cal = shipped_calendar();
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(days) / sizeof(days[0]); i++)
		if (core_calendar_working(cal,
			jday(days[i][0], days[i][1], days[i][2], 10)))
			fail_msg("%d/%02d/%02d is a working day", days[i][0],
			    days[i][1], days[i][2]);
	for (i = 0; i < sizeof(work) / sizeof(work[0]); i++)
		if (!core_calendar_working(cal,
			jday(work[i][0], work[i][1], work[i][2], 10)))
			fail_msg("%d/%02d/%02d is off", work[i][0], work[i][1],
			    work[i][2]);
	/* An ordinary Saturday still works. */
	assert_true(core_calendar_working(cal, jday(1405, 2, 5, 10)));
	core_calendar_free(cal);
}

/* The shipped 1405 is the official calendar's, day for day, and none of
 * it is marked to be checked. */
static void
test_shipped_1405_official(void **state)
{
	struct core_holiday *file;
	char err[SD_ERRLEN];
	size_t nf, k, in_year = 0;

	(void)state;
	assert_int_equal(core_holidays_read(holidays_path(), &file, &nf, err),
	    SD_OK);
	for (k = 0; k < nf; k++) {
		if (file[k].key / 10000 != 1405)
			continue;
		in_year++;
		if (!official_1405_has(file[k].key))
			fail_msg("shipped %d (%s) is not an official holiday",
			    file[k].key, file[k].name);
		if (file[k].computed)
			fail_msg("shipped %d (%s) still marked '?'",
			    file[k].key, file[k].name);
	}
	assert_int_equal(in_year, N_OFFICIAL_1405);
	free(file);
}

/* Days between two holiday keys (Jalali dates). */
static int64_t key_days(int a, int b);

/* The predicted Hijri month starts against the 13 the official calendar
 * of 1405 gives: at least 11 exact (umalqura, the rule before, had 6),
 * none more than a day off. */
static void
test_month_start_official_1405(void **state)
{
	size_t i, exact = 0;

	(void)state;
	for (i = 0;
	     i < sizeof(official_1405_months) / sizeof(official_1405_months[0]);
	     i++) {
		struct core_jdate j;
		int64_t t, off;

		assert_int_equal(core_hijri_month_start(official_1405_months[i]
							    .hy,
				     official_1405_months[i].hm, &t),
		    SD_OK);
		assert_int_equal(core_jalali_from_utc(t, &j), SD_OK);
		off = key_days(core_holiday_key(j.year, j.month, j.day),
		    official_1405_months[i].key);
		if (llabs(off) > 1)
			fail_msg("%d/%d predicted %d days off",
			    official_1405_months[i].hy,
			    official_1405_months[i].hm, (int)off);
		exact += off == 0;
	}
	if (exact < 11)
		fail_msg("%zu of 13 month starts exact", exact);
	assert_int_equal(core_hijri_month_start(1448, 0, &(int64_t){0}),
	    SD_EINVAL);
	assert_int_equal(core_hijri_month_start(1448, 13, &(int64_t){0}),
	    SD_EINVAL);
}

/* The suggestion for 1405 against the official calendar: every official
 * holiday suggested within a day, nothing else suggested, and at least 23
 * of the 26 dates exact (umalqura's rule gave 19). */
static void
test_suggest_1405_official(void **state)
{
	struct core_holiday sug[CORE_HOLIDAYS_YEAR_MAX];
	size_t ns, i, k, exact = 0;

	(void)state;
	assert_int_equal(core_holidays_suggest(1405, sug,
			     CORE_HOLIDAYS_YEAR_MAX, &ns),
	    SD_OK);
	for (k = 0; k < N_OFFICIAL_1405; k++) {
		int64_t best = 99;

		for (i = 0; i < ns; i++) {
			int64_t d = llabs(
			    key_days(sug[i].key, official_1405[k].key));

			if (d < best)
				best = d;
		}
		if (best > 1)
			fail_msg("official %d not suggested",
			    official_1405[k].key);
		exact += best == 0;
	}
	for (i = 0; i < ns; i++) {
		for (k = 0; k < N_OFFICIAL_1405; k++)
			if (llabs(key_days(sug[i].key, official_1405[k].key)) <=
			    1)
				break;
		if (k == N_OFFICIAL_1405)
			fail_msg("suggested %d (%s) is no holiday", sug[i].key,
			    sug[i].name);
	}
	if (exact < 23)
		fail_msg("%zu of %zu official dates suggested exactly", exact,
		    N_OFFICIAL_1405);
}

/* Days between two holiday keys (Jalali dates). */
static int64_t
key_days(int a, int b)
{
	return (jday(a / 10000, a / 100 % 100, a % 100, 12) -
		   jday(b / 10000, b / 100 % 100, b % 100, 12)) /
	    86400;
}

/* ICU's suggestion for 1405 and 1406 matches the shipped dates within a
 * day, both ways: every suggested date has a shipped one at most a day
 * away, and every shipped date a suggested one. */
static void
test_suggest_matches_shipped(void **state)
{
	struct core_holiday *file, sug[CORE_HOLIDAYS_YEAR_MAX];
	char err[SD_ERRLEN];
	size_t nf, ns, i, k;
	int year;

	(void)state;
	assert_int_equal(core_holidays_read(holidays_path(), &file, &nf, err),
	    SD_OK);
	for (year = 1405; year <= 1406; year++) {
		size_t in_year = 0;

		assert_int_equal(core_holidays_suggest(year, sug,
				     CORE_HOLIDAYS_YEAR_MAX, &ns),
		    SD_OK);
		assert_true(ns >= 24);
		for (i = 0; i < ns; i++) {
			for (k = 0; k < nf; k++)
				if (llabs(key_days(sug[i].key, file[k].key)) <=
				    1)
					break;
			if (k == nf)
				fail_msg("suggested %d (%s) not shipped",
				    sug[i].key, sug[i].name);
		}
		for (k = 0; k < nf; k++) {
			if (file[k].key / 10000 != year)
				continue;
			in_year++;
			for (i = 0; i < ns; i++)
				if (llabs(key_days(sug[i].key, file[k].key)) <=
				    1)
					break;
			if (i == ns)
				fail_msg("shipped %d (%s) not suggested",
				    file[k].key, file[k].name);
		}
		assert_true(in_year >= 24);
	}
	free(file);
}

/* The solar holidays are exact and unmarked; the lunar ones marked. */
static void
test_suggest_marks_lunar(void **state)
{
	struct core_holiday sug[CORE_HOLIDAYS_YEAR_MAX];
	size_t n, i;
	bool nowruz = false, adha = false;

	(void)state;
	assert_int_equal(core_holidays_suggest(1405, sug,
			     CORE_HOLIDAYS_YEAR_MAX, &n),
	    SD_OK);
	for (i = 1; i < n; i++)
		assert_true(sug[i - 1].key < sug[i].key);
	for (i = 0; i < n; i++) {
		if (sug[i].key == 14050102) {
			nowruz = true;
			assert_false(sug[i].computed);
		}
		if (sug[i].key == 14050306) { /* Eid al-Adha, as published */
			adha = true;
			assert_true(sug[i].computed);
			assert_non_null(strstr(sug[i].name, "قربان"));
		}
	}
	assert_true(nowruz && adha);
	assert_int_equal(core_holidays_suggest(99, sug, 64, &n), SD_EINVAL);
	assert_int_equal(core_holidays_suggest(1405, sug, 5, &n), SD_ETOOBIG);
}

/* Lines in Persian and Arabic-Indic digits, the '?' mark, bad lines. */
static void
test_parse_line(void **state)
{
	struct core_holiday h;
	bool blank;

	(void)state;
	assert_int_equal(core_holiday_parse("۱۴۰۵/۰۱/۰۱ نوروز\n", &h, &blank),
	    SD_OK);
	assert_false(blank);
	assert_int_equal(h.key, 14050101);
	assert_string_equal(h.name, "نوروز");
	assert_false(h.computed);
	assert_int_equal(core_holiday_parse("١٤٠٥/٠٤/٠٣? تاسوعا # x", &h,
			     &blank),
	    SD_OK);
	assert_int_equal(h.key, 14050403);
	assert_true(h.computed);
	assert_string_equal(h.name, "تاسوعا");
	assert_int_equal(core_holiday_parse("  # only a comment", &h, &blank),
	    SD_OK);
	assert_true(blank);
	assert_int_equal(core_holiday_parse("1404/12/30 x", &h, &blank),
	    SD_EINVAL); /* 1404 has no Esfand 30 */
	assert_int_equal(core_holiday_parse("1405/13/01", &h, &blank),
	    SD_EINVAL);
	assert_int_equal(core_holiday_parse("1405-01-01", &h, &blank),
	    SD_EINVAL);
	assert_int_equal(core_holiday_parse("1405/01/011", &h, &blank),
	    SD_EINVAL);
}

/* Imported holidays: a year in the table replaces the file's year; a
 * reload sees an import made after the calendar was built, and says
 * whether anything changed. */
static void
test_db_year_replaces_file_year(void **state)
{
	struct core_calendar *cal = shipped_calendar();
	struct db *db = tu_db_open(":memory:");
	struct core_holiday h[2];
	struct db_holiday *rows;
	char err[SD_ERRLEN];
	bool changed, blank;
	size_t n;
	uint64_t fp;

	(void)state;
	/* Not yet imported: the file's Tasua, and Saturday 1405/02/05 works. */
	assert_int_equal(core_calendar_reload(cal, db, &changed), SD_OK);
	assert_false(changed);
	fp = core_calendar_fingerprint(cal);
	assert_false(core_calendar_working(cal, jday(1405, 4, 3, 10)));
	assert_true(core_calendar_working(cal, jday(1405, 2, 5, 10)));
	assert_true(core_calendar_year_holidays(cal, 1405) >= 24);

	assert_int_equal(core_holiday_parse("۱۴۰۵/۰۲/۰۵ روز آزمون", &h[0],
			     &blank),
	    SD_OK);
	assert_int_equal(core_holiday_parse("1405/02/06? دیگری", &h[1], &blank),
	    SD_OK);
	assert_int_equal(core_holidays_import(db, h, 2, err), SD_OK);
	/* The calendar does not see it before a reload. */
	assert_true(core_calendar_working(cal, jday(1405, 2, 5, 10)));
	assert_int_equal(core_calendar_reload(cal, db, &changed), SD_OK);
	assert_true(changed);
	/* What deadlines are counted from changed (due times recounted). */
	assert_true(core_calendar_fingerprint(cal) != fp);
	assert_false(core_calendar_working(cal, jday(1405, 2, 5, 10)));
	/* 1405 is now the table's alone: the file's Tasua no longer counts;
	 * 1406 is still the file's. */
	assert_true(core_calendar_working(cal, jday(1405, 4, 3, 10)));
	assert_int_equal(core_calendar_year_holidays(cal, 1405), 2);
	assert_false(core_calendar_working(cal, jday(1406, 1, 2, 10)));
	fp = core_calendar_fingerprint(cal);
	assert_int_equal(core_calendar_reload(cal, db, &changed), SD_OK);
	assert_false(changed);
	assert_true(core_calendar_fingerprint(cal) == fp);

	/* Stored as "YYYY/MM/DD", the mark kept in the name. */
	assert_int_equal(db_holiday_list(db, 1405, &rows, &n), SD_OK);
	assert_int_equal(n, 2);
	assert_string_equal(rows[0].jdate, "1405/02/05");
	assert_string_equal(rows[1].name, "?دیگری");
	db_holiday_list_free(rows, n);
	/* Importing the year again replaces it as a whole. */
	assert_int_equal(core_holidays_import(db, h, 1, err), SD_OK);
	assert_int_equal(db_holiday_list(db, 0, &rows, &n), SD_OK);
	assert_int_equal(n, 1);
	db_holiday_list_free(rows, n);

	db_close(db);
	core_calendar_free(cal);
}

/* Minutes after midnight. */
#define HM(h, m) ((h)*60 + (m))

/* Jalali y/m/d at min minutes after midnight, Tehran wall clock (for
 * days without a clock change). */
static int64_t
jat(int y, int m, int d, int min)
{
	return jday(y, m, d, 0) + (int64_t)min * 60;
}

/*
 * Issue 11: working time is office time. Each row: sent at a Tehran
 * wall-clock time, with Thursday off or half; due (answer_days working
 * days, each 07:30-14:30, a half Thursday 07:30-12:30) at another. Before
 * office hours the clock ran midnight to midnight (Wednesday 16:00 was
 * due Sunday 16:00, Saturday 07:29 Monday 07:29).
 * Weekdays of 1405/09: 11 Wednesday, 12 Thursday, 13 Friday, 14
 * Saturday, 15 Sunday, 16 Monday; 1405/09/30 Monday, 1405/10/01 Tuesday,
 * 1405/10/02 Wednesday (a holiday, 13 Rajab), 1405/10/05 Saturday.
 */
static void
test_due_office_hours_table(void **state)
{
	static const struct {
		const char *what;
		int thursday; /* enum core_thursday */
		long days;    /* answer_days */
		int sent[4];  /* y, m, d, minutes */
		int due[4];   /* the same */
	} cases[] = {
	    {"the issue: Wednesday 16:00, after the close, is due Sunday at "
	     "the close",
		CORE_THU_OFF, 2, {1405, 9, 11, HM(16, 0)},
		{1405, 9, 15, HM(14, 30)}},
	    {"the issue: Saturday 10:00 is due Monday 10:00", CORE_THU_OFF, 2,
		{1405, 9, 14, HM(10, 0)}, {1405, 9, 16, HM(10, 0)}},
	    {"Saturday 07:29, before the opening, counts from 07:30",
		CORE_THU_OFF, 2, {1405, 9, 14, HM(7, 29)},
		{1405, 9, 15, HM(14, 30)}},
	    {"Saturday 07:30, at the opening", CORE_THU_OFF, 2,
		{1405, 9, 14, HM(7, 30)}, {1405, 9, 15, HM(14, 30)}},
	    {"Saturday 14:29, a minute before the close", CORE_THU_OFF, 2,
		{1405, 9, 14, HM(14, 29)}, {1405, 9, 16, HM(14, 29)}},
	    {"Saturday 14:31, after the close, counts from Sunday",
		CORE_THU_OFF, 2, {1405, 9, 14, HM(14, 31)},
		{1405, 9, 16, HM(14, 30)}},
	    {"Friday counts from Saturday 07:30", CORE_THU_OFF, 2,
		{1405, 9, 13, HM(10, 0)}, {1405, 9, 15, HM(14, 30)}},
	    {"Thursday off: Thursday 10:00 counts from Saturday", CORE_THU_OFF,
		2, {1405, 9, 12, HM(10, 0)}, {1405, 9, 15, HM(14, 30)}},
	    {"half Thursday: Thursday 10:00 counts its 2.5 h left",
		CORE_THU_HALF, 2, {1405, 9, 12, HM(10, 0)},
		{1405, 9, 15, HM(12, 0)}},
	    {"half Thursday: Wednesday 16:00 counts Thursday's 5 h",
		CORE_THU_HALF, 2, {1405, 9, 11, HM(16, 0)},
		{1405, 9, 15, HM(9, 30)}},
	    {"half Thursday: Thursday 13:00, after its close", CORE_THU_HALF, 2,
		{1405, 9, 12, HM(13, 0)}, {1405, 9, 15, HM(14, 30)}},
	    {"working Thursday is a full day", CORE_THU_WORKING, 2,
		{1405, 9, 11, HM(16, 0)}, {1405, 9, 14, HM(14, 30)}},
	    {"a holiday in the middle (1405/10/02)", CORE_THU_OFF, 2,
		{1405, 9, 30, HM(10, 0)}, {1405, 10, 5, HM(10, 0)}},
	    {"one working day: Wednesday 14:00 is due Saturday 14:00",
		CORE_THU_OFF, 1, {1405, 9, 11, HM(14, 0)},
		{1405, 9, 14, HM(14, 0)}},
	    {"Nowruz: Wednesday 1405/12/26 10:00 is due after Nowruz",
		CORE_THU_OFF, 2, {1405, 12, 26, HM(10, 0)},
		{1406, 1, 8, HM(10, 0)}},
	    {"Nowruz, half Thursday: the Thursday after it", CORE_THU_HALF, 2,
		{1405, 12, 26, HM(10, 0)}, {1406, 1, 5, HM(12, 0)}},
	    {"1400, with daylight saving then: Saturday 10:00, Monday 10:00",
		CORE_THU_OFF, 2, {1400, 5, 2, HM(10, 0)},
		{1400, 5, 4, HM(10, 0)}},
	};
	struct core_sla_config sla;
	struct core_calendar *cal;
	char err[SD_ERRLEN];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		int64_t sent = jat(cases[i].sent[0], cases[i].sent[1],
			    cases[i].sent[2], cases[i].sent[3]),
			want = jat(cases[i].due[0], cases[i].due[1],
			    cases[i].due[2], cases[i].due[3]),
			due = 0;
		struct core_jdate j, wj;

		memset(&sla, 0, sizeof(sla));
		snprintf(sla.working_days, sizeof(sla.working_days),
		    "sat,sun,mon,tue,wed");
		sla.thursday = cases[i].thursday;
		sla.answer_days = cases[i].days;
		snprintf(sla.holidays_file, sizeof(sla.holidays_file), "%s",
		    holidays_path());
		if (core_calendar_new(&sla, &cal, err) != SD_OK)
			fail_msg("%s", err);
		assert_int_equal(core_calendar_due(cal, sent, cases[i].days,
				     &due),
		    SD_OK);
		core_calendar_free(cal);
		if (due == want)
			continue;
		assert_int_equal(core_jalali_from_utc(due, &j), SD_OK);
		assert_int_equal(core_jalali_from_utc(want, &wj), SD_OK);
		fail_msg("%s: due %04d/%02d/%02d %02d:%02d, want "
			 "%04d/%02d/%02d %02d:%02d",
		    cases[i].what, j.year, j.month, j.day, j.hour, j.minute,
		    wj.year, wj.month, wj.day, wj.hour, wj.minute);
	}
}

/*
 * Issue 14: the time left before a deadline, in office time. Each row:
 * office seconds between two Tehran wall-clock times (1405/09: 11
 * Wednesday, 12 Thursday, 13 Friday, 14 Saturday, 15 Sunday, 16 Monday;
 * 1405/10/02 Wednesday a holiday), with Thursday off or half.
 */
static void
test_work_s_table(void **state)
{
	static const struct {
		const char *what;
		int thursday;
		int from[4], to[4]; /* y, m, d, minutes */
		long secs;
	} cases[] = {
	    {"within one morning", CORE_THU_OFF, {1405, 9, 14, HM(8, 0)},
		{1405, 9, 14, HM(11, 20)}, 3 * 3600 + 20 * 60},
	    {"a whole day, opening to close", CORE_THU_OFF,
		{1405, 9, 14, HM(7, 30)}, {1405, 9, 14, HM(14, 30)}, 7 * 3600},
	    {"night and early morning count nothing", CORE_THU_OFF,
		{1405, 9, 14, HM(15, 0)}, {1405, 9, 15, HM(7, 0)}, 0},
	    {"across a night: 14:00 to 08:00 is 1 h", CORE_THU_OFF,
		{1405, 9, 14, HM(14, 0)}, {1405, 9, 15, HM(8, 0)}, 3600},
	    {"Thursday off and Friday: Wednesday 14:00 to Saturday 08:00",
		CORE_THU_OFF, {1405, 9, 11, HM(14, 0)}, {1405, 9, 14, HM(8, 0)},
		3600},
	    {"half Thursday counts 07:30-12:30", CORE_THU_HALF,
		{1405, 9, 11, HM(14, 0)}, {1405, 9, 14, HM(8, 0)},
		3600 + 5 * 3600},
	    {"working Thursday counts a full day", CORE_THU_WORKING,
		{1405, 9, 11, HM(14, 0)}, {1405, 9, 14, HM(8, 0)},
		3600 + 7 * 3600},
	    {"a holiday counts nothing (Tuesday 10:00, 13 Rajab on "
	     "Wednesday, to Saturday 10:00)",
		CORE_THU_OFF, {1405, 10, 1, HM(10, 0)},
		{1405, 10, 5, HM(10, 0)}, 7 * 3600},
	    {"reversed: overdue by 2 h", CORE_THU_OFF, {1405, 9, 14, HM(12, 0)},
		{1405, 9, 14, HM(10, 0)}, -2 * 3600},
	    {"equal instants", CORE_THU_OFF, {1405, 9, 14, HM(12, 0)},
		{1405, 9, 14, HM(12, 0)}, 0},
	    {"both in a weekend", CORE_THU_OFF, {1405, 9, 12, HM(9, 0)},
		{1405, 9, 13, HM(12, 0)}, 0},
	};
	struct core_sla_config sla;
	struct core_calendar *cal;
	char err[SD_ERRLEN];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		int64_t secs = -1;

		memset(&sla, 0, sizeof(sla));
		snprintf(sla.working_days, sizeof(sla.working_days),
		    "sat,sun,mon,tue,wed");
		sla.thursday = cases[i].thursday;
		sla.answer_days = 2;
		snprintf(sla.holidays_file, sizeof(sla.holidays_file), "%s",
		    holidays_path());
		if (core_calendar_new(&sla, &cal, err) != SD_OK)
			fail_msg("%s", err);
		assert_int_equal(core_calendar_work_s(cal,
				     jat(cases[i].from[0], cases[i].from[1],
					 cases[i].from[2], cases[i].from[3]),
				     jat(cases[i].to[0], cases[i].to[1],
					 cases[i].to[2], cases[i].to[3]),
				     &secs),
		    SD_OK);
		core_calendar_free(cal);
		if (secs != cases[i].secs)
			fail_msg("%s: %lld s, want %ld", cases[i].what,
			    (long long)secs, cases[i].secs);
	}
}

/* work_s agrees with due: from any start, due(n days) is n office days
 * away, and the time left shrinks to 0 at the deadline. */
static void
test_work_s_matches_due(void **state)
{
	static const int starts[][4] = {
	    {1405, 9, 11, HM(16, 0)},
	    {1405, 9, 14, HM(10, 0)},
	    {1405, 9, 12, HM(10, 0)},
	    {1405, 12, 26, HM(10, 0)},
	    {1405, 9, 30, HM(13, 45)},
	};
	struct core_calendar *cal = shipped_calendar();
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(starts) / sizeof(starts[0]); i++) {
		int64_t from = jat(starts[i][0], starts[i][1], starts[i][2],
			    starts[i][3]),
			due, secs;

		assert_int_equal(core_calendar_due(cal, from, 2, &due), SD_OK);
		assert_int_equal(core_calendar_work_s(cal, from, due, &secs),
		    SD_OK);
		assert_int_equal(secs, 2 * 7 * 3600);
		assert_int_equal(core_calendar_work_s(cal, due, due, &secs),
		    SD_OK);
		assert_int_equal(secs, 0);
		assert_int_equal(core_calendar_work_s(cal, due, from, &secs),
		    SD_OK);
		assert_int_equal(secs, -2 * 7 * 3600);
	}
	core_calendar_free(cal);
}

/* The zone ICU uses: Iran dropped daylight saving after 1401 (tzdata
 * 2022b). In 1400 summer midnights sit an hour off spring's; in 1405
 * every midnight is 20:30 UTC, and summer noon reads 12:00. */
static void
test_tehran_zone_no_dst(void **state)
{
	struct core_jdate j;

	(void)state;
	assert_int_equal((jday(1400, 4, 1, 0) - jday(1400, 1, 1, 0)) % 86400,
	    86400 - 3600);
	assert_int_equal((jday(1405, 4, 1, 0) - jday(1405, 1, 1, 0)) % 86400,
	    0);
	assert_int_equal(jday(1405, 4, 1, 0) % 86400, 20 * 3600 + 1800);
	assert_int_equal(core_jalali_from_utc(jday(1405, 4, 1, 12), &j), SD_OK);
	assert_int_equal(j.hour, 12);
	assert_int_equal(j.minute, 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_not_due_during_nowruz),
	    cmocka_unit_test(test_lunar_holidays_1405_off),
	    cmocka_unit_test(test_shipped_1405_official),
	    cmocka_unit_test(test_month_start_official_1405),
	    cmocka_unit_test(test_suggest_1405_official),
	    cmocka_unit_test(test_suggest_matches_shipped),
	    cmocka_unit_test(test_suggest_marks_lunar),
	    cmocka_unit_test(test_parse_line),
	    cmocka_unit_test(test_db_year_replaces_file_year),
	    cmocka_unit_test(test_due_office_hours_table),
	    cmocka_unit_test(test_tehran_zone_no_dst),
	    cmocka_unit_test(test_work_s_table),
	    cmocka_unit_test(test_work_s_matches_due),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
