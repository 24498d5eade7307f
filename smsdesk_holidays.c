/*
 * smsdesk_holidays.c: the official holidays, operator's side.
 *
 *   holidays list [YEAR]    the year's holidays as the calendar counts
 *                           them: the database's when it has the year,
 *                           else the holidays file's; in the file's own
 *                           format, so the output can be edited and
 *                           imported back
 *   holidays import FILE    store FILE's holidays in the database,
 *                           replacing each year it covers; `serve` picks
 *                           them up within a minute
 *   holidays suggest YEAR   the fixed solar holidays plus the lunar ones
 *                           predicted from ICU's Islamic calendar, marked
 *                           '?' (to be checked against the official one)
 *
 * And app_holidays_sync(): the calendar takes the database's holidays,
 * and warns when this year or the next has none, or has dates still
 * marked '?' (serve, sla sweep).
 */
#include "smsdesk_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/base/clock.h"
#include "core/base/log.h"

/* YEAR as typed (ASCII, Persian or Arabic-Indic digits): 1300..1600, or
 * -1. */
static int
hol_year_arg(const char *arg)
{
	struct core_holiday h;
	char line[64];
	bool blank;
	int y;

	if (strlen(arg) > 16)
		return -1;
	snprintf(line, sizeof(line), "%s/01/01", arg);
	if (core_holiday_parse(line, &h, &blank) != SD_OK || blank)
		return -1;
	y = h.key / 10000;
	return y >= 1300 && y <= 1600 ? y : -1;
}

static int
hol_this_year(void)
{
	struct core_jdate j;

	if (core_jalali_from_utc(sd_clock_now(), &j) != SD_OK)
		return -1;
	return j.year;
}

/* Print one holiday in the file's format. */
static void
hol_print(FILE *fp, int key, bool computed, const char *name)
{
	fprintf(fp, "%04d/%02d/%02d%s %s\n", key / 10000, key / 100 % 100,
	    key % 100, computed ? "?" : "", name);
}

/* The holidays of year as the calendar counts them: the database's when
 * it has the year, else the holidays file's. Printed to fp in the file's
 * format after a line naming their source (fp NULL: not printed); *shown
 * counts them, *marked those marked '?'. -1 with the reason in err. */
static int
hol_year_walk(struct app *app, struct db *db, int year, FILE *fp, size_t *shown,
    size_t *marked, char err[SD_ERRLEN])
{
	struct db_holiday *rows;
	struct core_holiday *h = NULL;
	size_t n, i;

	*shown = *marked = 0;
	if (db_holiday_list(db, year, &rows, &n) != SD_OK) {
		snprintf(err, SD_ERRLEN, "%s", db_errmsg(db));
		return -1;
	}
	if (n > 0) {
		if (fp != NULL)
			fprintf(fp, "# %d: from the database\n", year);
		for (i = 0; i < n; i++) {
			const char *name = rows[i].name;
			bool q = name[0] == '?';
			int y, m, d;

			if (sscanf(rows[i].jdate, "%4d/%2d/%2d", &y, &m, &d) !=
			    3)
				continue;
			if (fp != NULL)
				hol_print(fp, core_holiday_key(y, m, d), q,
				    name + q);
			(*shown)++;
			*marked += q;
		}
		db_holiday_list_free(rows, n);
		return 0;
	}
	if (app->cfg.sla.holidays_file[0] == '\0')
		return 0;
	if (core_holidays_read(app->cfg.sla.holidays_file, &h, &n, err) !=
	    SD_OK)
		return -1;
	if (fp != NULL)
		fprintf(fp, "# %d: from %s (not imported)\n", year,
		    app->cfg.sla.holidays_file);
	for (i = 0; i < n; i++) {
		if (h[i].key / 10000 != year)
			continue;
		if (fp != NULL)
			hol_print(fp, h[i].key, h[i].computed, h[i].name);
		(*shown)++;
		*marked += h[i].computed;
	}
	free(h);
	return 0;
}

int
app_holidays_sync(struct app *app, struct db *db, enum app_hol_sync mode)
{
	char err[SD_ERRLEN];
	bool changed;
	int y, year;

	if (core_calendar_reload(app->cal, db, &changed) != SD_OK) {
		snprintf(err, sizeof(err), "%s", db_errmsg(db));
		log_error("calendar",
		    "cannot read the holidays table error=\"%s\"", err);
		return -1;
	}
	if (mode == APP_HOL_QUIET)
		return 0;
	if (changed)
		log_info("calendar", "holidays table read");
	if (mode == APP_HOL_WARN_CHANGED && !changed)
		return 0;
	if ((year = hol_this_year()) < 0)
		return 0;
	for (y = year; y <= year + 1; y++) {
		size_t shown, marked;

		if (core_calendar_year_holidays(app->cal, y) == 0) {
			log_warnx("calendar",
			    "WARNING no holidays for year=%d: every day but "
			    "Friday counts as a working day and requests will "
			    "escalate on holidays; import them: smsdesk "
			    "holidays suggest %d, check, smsdesk holidays "
			    "import FILE",
			    y, y);
			continue;
		}
		/* Computed dates may be a day off: say so until the year's
		 * official calendar has been checked. */
		if (hol_year_walk(app, db, y, NULL, &shown, &marked, err) ==
			0 &&
		    marked > 0)
			log_warnx("calendar",
			    "year=%d has %zu of its %zu holidays marked '?' "
			    "(computed, not checked): check them against the "
			    "official calendar (smsdesk holidays list %d), "
			    "drop the '?', smsdesk holidays import FILE",
			    y, marked, shown, y);
	}
	return 0;
}

int
cmd_holidays_list(struct app *app, int argc, char **argv)
{
	char err[SD_ERRLEN];
	size_t shown, marked;
	int year;

	if (argc > 2)
		return EXIT_USAGE;
	year = argc == 2 ? hol_year_arg(argv[1]) : hol_this_year();
	if (year < 0) {
		fprintf(stderr, "smsdesk: not a Jalali year: %s\n", argv[1]);
		return EXIT_USAGE;
	}
	if (hol_year_walk(app, app->db, year, stdout, &shown, &marked, err) <
	    0) {
		fprintf(stderr, "smsdesk: %s\n", err);
		return 1;
	}
	if (shown == 0) {
		fprintf(stderr,
		    "smsdesk: WARNING no holidays for %d: every day but "
		    "Friday counts as a working day (see smsdesk holidays "
		    "suggest %d)\n",
		    year, year);
		return 1;
	}
	printf("# %zu holidays", shown);
	if (marked > 0)
		printf(", %zu marked '?': computed, to be checked against "
		       "the official calendar",
		    marked);
	printf("\n");
	return 0;
}

int
cmd_holidays_import(struct app *app, int argc, char **argv)
{
	struct core_holiday *h;
	char err[SD_ERRLEN];
	size_t n, i, marked = 0;
	int years[8], ny = 0;

	if (argc != 2)
		return EXIT_USAGE;
	if (core_holidays_read(argv[1], &h, &n, err) != SD_OK) {
		fprintf(stderr, "smsdesk: %s\n", err);
		return 1;
	}
	if (n == 0) {
		fprintf(stderr, "smsdesk: %s: no holidays in it\n", argv[1]);
		free(h);
		return 1;
	}
	if (core_holidays_import(app->db, h, n, err) != SD_OK) {
		fprintf(stderr, "smsdesk: %s\n", err);
		free(h);
		return 1;
	}
	for (i = 0; i < n; i++) {
		int y = h[i].key / 10000, k;

		marked += h[i].computed;
		for (k = 0; k < ny && years[k] != y; k++)
			;
		if (k == ny && ny < (int)(sizeof(years) / sizeof(years[0])))
			years[ny++] = y;
	}
	printf("imported %zu holidays for", n);
	for (int k = 0; k < ny; k++)
		printf(" %d", years[k]);
	printf(" (each year replaced)");
	if (marked > 0)
		printf("; %zu marked '?' to be checked", marked);
	printf("\n");
	free(h);
	return 0;
}

int
cmd_holidays_suggest(struct app *app, int argc, char **argv)
{
	struct core_holiday h[CORE_HOLIDAYS_YEAR_MAX];
	size_t n, i;
	int year;

	(void)app;
	if (argc != 2)
		return EXIT_USAGE;
	if ((year = hol_year_arg(argv[1])) < 0) {
		fprintf(stderr, "smsdesk: not a Jalali year (1300..1600): %s\n",
		    argv[1]);
		return EXIT_USAGE;
	}
	if (core_holidays_suggest(year, h, CORE_HOLIDAYS_YEAR_MAX, &n) !=
	    SD_OK) {
		fprintf(stderr,
		    "smsdesk: cannot compute the holidays of %d "
		    "(ICU's Islamic calendar)\n",
		    year);
		return 1;
	}
	printf("# %d: the fixed solar holidays, and the lunar ones predicted "
	       "from ICU's\n# astronomical Islamic calendar, marked '?': "
	       "Iran sights the moon, so each\n# may be a day off. Check "
	       "them against the official calendar, then\n# smsdesk "
	       "holidays import FILE.\n",
	    year);
	for (i = 0; i < n; i++)
		hol_print(stdout, h[i].key, h[i].computed, h[i].name);
	return 0;
}
