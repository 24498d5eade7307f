/*
 * tests/bench/hijri_months.c: how well the holiday suggestion predicts
 * Iran's lunar months (issue #11). Reads official Hijri month starts, one
 * a line:
 *
 *     [*]AH-YEAR/MONTH YYYY-MM-DD [# comment]
 *
 * (the format of the CC0 data set github.com/roozbehp/qamari,
 * sources/calendar-center.txt: the Calendar Center's official calendars;
 * '*' marks a month the authorities announced on another day than the
 * calendar had), and prints, for smsdesk's rule (core_hijri_month_start)
 * and for ICU's islamic-umalqura, how many months each gives exactly, a
 * day early, a day late, or further off.
 *
 * Run: make hijri-check MONTHS=FILE (tests/bench/hijri_months.sh).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <unicode/ucal.h>

#include "core/core.h"

struct tally {
	const char *rule;
	long exact, early, late, far;
};

static void
tally_add(struct tally *t, long days)
{
	if (days == 0)
		t->exact++;
	else if (days == -1)
		t->early++;
	else if (days == 1)
		t->late++;
	else
		t->far++;
}

static void
tally_print(const struct tally *t, long n)
{
	printf("%-28s %5ld %6.1f %% exact %6.1f %% a day early %6.1f %% a "
	       "day late %6.1f %% further\n",
	    t->rule, n, 100.0 * t->exact / n, 100.0 * t->early / n,
	    100.0 * t->late / n, 100.0 * t->far / n);
}

/* Days from the official start (Gregorian y-m-d) to the predicted one
 * (UTC seconds at some hour of its Tehran day). */
static long
days_off(int64_t predicted, int y, int m, int d)
{
	struct tm tm;
	int64_t official;

	memset(&tm, 0, sizeof(tm));
	tm.tm_year = y - 1900;
	tm.tm_mon = m - 1;
	tm.tm_mday = d;
	tm.tm_hour = 12;
	official = (int64_t)timegm(&tm) - 3 * 3600 - 1800; /* Tehran noon */
	return (long)((predicted - official + 43200 + 10 * 86400) / 86400) - 10;
}

int
main(int argc, char **argv)
{
	static const UChar zone[] = {'A', 's', 'i', 'a', '/', 'T', 'e', 'h',
	    'r', 'a', 'n', 0};
	struct tally ours = {"smsdesk (ICU islamic + 1)", 0, 0, 0, 0};
	struct tally umq = {"ICU islamic-umalqura", 0, 0, 0, 0};
	char line[256];
	UErrorCode st = U_ZERO_ERROR;
	UCalendar *cal;
	FILE *fp;
	long n = 0, bad = 0;

	if (argc != 2) {
		fprintf(stderr, "usage: %s MONTH-STARTS-FILE\n", argv[0]);
		return 2;
	}
	if ((fp = fopen(argv[1], "r")) == NULL) {
		perror(argv[1]);
		return 1;
	}
	cal = ucal_open(zone, -1, "fa_IR@calendar=islamic-umalqura",
	    UCAL_DEFAULT, &st);
	if (U_FAILURE(st)) {
		fprintf(stderr, "ICU: %s\n", u_errorName(st));
		return 1;
	}
	while (fgets(line, sizeof(line), fp) != NULL) {
		const char *p = line + strspn(line, " \t\r\n");
		int hy, hm, y, m, d;
		int64_t t;

		if (*p == '#' || *p == '\0')
			continue;
		p += *p == '*';
		if (sscanf(p, "%d/%d %d-%d-%d", &hy, &hm, &y, &m, &d) != 5) {
			bad++;
			continue;
		}
		if (core_hijri_month_start(hy, hm, &t) != SD_OK) {
			bad++;
			continue;
		}
		tally_add(&ours, days_off(t, y, m, d));
		ucal_clear(cal);
		st = U_ZERO_ERROR;
		ucal_setDateTime(cal, hy, hm - 1, 1, 12, 0, 0, &st);
		t = (int64_t)(ucal_getMillis(cal, &st) / 1000.0);
		if (U_FAILURE(st)) {
			bad++;
			continue;
		}
		tally_add(&umq, days_off(t, y, m, d));
		n++;
	}
	fclose(fp);
	ucal_close(cal);
	if (n == 0) {
		fprintf(stderr, "%s: no month starts read\n", argv[1]);
		return 1;
	}
	printf("%ld official month starts from %s (lines not read: %ld)\n", n,
	    argv[1], bad);
	tally_print(&ours, n);
	tally_print(&umq, n);
	return 0;
}
