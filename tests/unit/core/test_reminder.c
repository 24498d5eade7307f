/*
 * tests/unit/core/test_reminder.c: the one-working-day reminder digest
 * of issue #14 (core_reminder_sweep), with a fixed clock and a database
 * file that is closed and opened again (a restart of serve).
 *
 * The week: Saturday to Wednesday, 07:30-14:30 Tehran. A request sent on
 * Wednesday 1405/09/12 at 16:00 counts from Saturday 07:30: its deadline
 * is Sunday 14:30, one working day before it is Saturday 14:30 (a close),
 * so its reminder goes at Sunday's 07:30 opening, once.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/base/clock.h"
#include "core/core.h"
#include "tests/support/testutil.h"

/* 2026-12-02 07:00 UTC is Wednesday 10:30 Tehran. */
#define WED 1796194800LL
#define SENT (WED + 5 * 3600 + 1800)             /* Wed 16:00 */
#define SAT_1429 (WED + 3 * 86400 + 4 * 3600 - 60) /* Sat 14:29 */
#define SAT_1431 (WED + 3 * 86400 + 4 * 3600 + 60) /* Sat 14:31 */
#define SUN_0729 (WED + 4 * 86400 - 3 * 3600 - 60) /* Sun 07:29 */
#define SUN_0730 (WED + 4 * 86400 - 3 * 3600)      /* Sun 07:30 */
#define SUN_1000 (WED + 4 * 86400 - 1800)          /* Sun 10:00 */
#define SAT_1000 (WED + 3 * 86400 - 1800)          /* Sat 10:00 */

struct rw {
	char *dir;
	char path[512];
	struct db *db;
	struct core_sla_config sla;
	struct core_calendar *cal;
	struct core_env env;
	int64_t a, s1, s2, s3, off;
};

static int
rw_setup(void **state)
{
	static const int d2[] = {2}, d5[] = {5};
	struct rw *w = calloc(1, sizeof(*w));
	char err[SD_ERRLEN];

	w->dir = tu_tmpdir();
	snprintf(w->path, sizeof(w->path), "%s/r.db", w->dir);
	w->db = tu_db_open(w->path);
	w->a = tu_user(w->db, "09131111111", CORE_ROLE_APPLICANT, NULL, 0);
	w->s1 = tu_user(w->db, "09133333331", CORE_ROLE_STAFF, d2, 1);
	w->s2 = tu_user(w->db, "09133333332", CORE_ROLE_STAFF, d2, 1);
	w->s3 = tu_user(w->db, "09134444444", CORE_ROLE_STAFF, d5, 1);
	w->off = tu_user(w->db, "09135555555", CORE_ROLE_STAFF, d2, 1);
	assert_int_equal(core_staff_set_disabled(w->db, &core_actor_cli,
			     w->off, true, err),
	    SD_OK);
	snprintf(w->sla.working_days, sizeof(w->sla.working_days),
	    "sat,sun,mon,tue,wed");
	w->sla.thursday = CORE_THU_OFF;
	w->sla.escalation = CORE_ESC_BOTH;
	w->sla.answer_days = 2;
	assert_int_equal(core_calendar_new(&w->sla, &w->cal, err), SD_OK);
	w->env.base_url = "https://desk.example";
	w->env.sla = &w->sla;
	w->env.cal = w->cal;
	w->env.effects = CORE_FX_SMS;
	*state = w;
	return 0;
}

static int
rw_teardown(void **state)
{
	struct rw *w = *state;

	sd_clock_set_fixed(0);
	db_close(w->db);
	core_calendar_free(w->cal);
	tu_rmtree(w->dir);
	free(w->dir);
	free(w);
	return 0;
}

/* Alerts queued since the last call (claimed, so each is seen once): how
 * many went to user id, the last one's text in last. */
struct seen {
	int n[8];
	char last[8][2048];
};

static void
claim(struct rw *w, const int64_t *ids, size_t n_ids, struct seen *s)
{
	struct db_outbox_row rows[64];
	size_t got = 0, exp = 0, i, k;

	memset(s, 0, sizeof(*s));
	assert_int_equal(db_begin(w->db), SD_OK);
	assert_int_equal(db_outbox_claim(w->db, sd_clock_now(),
			     1u << CORE_OUT_ALERT, 64, rows, &got, &exp),
	    SD_OK);
	assert_int_equal(db_commit(w->db), SD_OK);
	for (i = 0; i < got; i++) {
		for (k = 0; k < n_ids; k++) {
			struct db_user u;

			assert_int_equal(db_user_get(w->db, ids[k], &u), SD_OK);
			if (strcmp(rows[i].destination, u.mobile) == 0) {
				s->n[k]++;
				snprintf(s->last[k], sizeof(s->last[k]), "%s",
				    rows[i].body);
			}
			db_user_fini(&u);
		}
		db_outbox_row_fini(&rows[i]);
	}
}

static size_t
sweep(struct rw *w, int64_t now, size_t *sms)
{
	char err[SD_ERRLEN];
	size_t r = 99;

	sd_clock_set_fixed(now);
	assert_int_equal(core_reminder_sweep(w->db, &w->env, sms, &r, err),
	    SD_OK);
	return r;
}

static int64_t
create(struct rw *w, int dept, const char *title)
{
	char err[SD_ERRLEN];
	int64_t t;

	assert_int_equal(core_request_create(w->db, &core_env_no_sms,
			     tu_actor(w->db, w->a), dept, CORE_PRIO_NORMAL,
			     title, "متن درخواست", CORE_CHAN_WEB, &t, err),
	    SD_OK);
	return t;
}

static void
test_reminder_once_in_office_hours(void **state)
{
	struct rw *w = *state;
	const int64_t ids[] = {w->s1, w->s2, w->s3, w->off, w->a};
	struct seen s;
	size_t sms = 0;
	int64_t t1, t2, t3, t4, due, at;
	char num[32];

	sd_clock_set_fixed(SENT);
	t1 = create(w, 2, "پروانه ساختمان");
	t2 = create(w, 2, "تمدید عضویت");
	t3 = create(w, 5, "لوله‌کشی گاز");
	assert_int_equal(core_calendar_due(w->cal, SENT, 2, &due), SD_OK);
	assert_int_equal(core_calendar_due(w->cal, SENT, 1, &at), SD_OK);
	assert_int_equal(at, SAT_1429 + 60);
	assert_int_equal(due, SUN_0730 + 7 * 3600);
	sd_clock_set_fixed(SAT_1000);
	t4 = create(w, 2, "درخواست شنبه");

	/* Thursday, Friday, Saturday before 14:30: nothing yet. */
	assert_int_equal(sweep(w, WED + 86400, &sms), 0);
	assert_int_equal(sweep(w, SAT_1000 + 60, &sms), 0);
	assert_int_equal(sweep(w, SAT_1429, &sms), 0);
	/* One working day left from 14:30 on, but the office is closed. */
	assert_int_equal(sweep(w, SAT_1431, &sms), 0);
	assert_int_equal(sweep(w, SAT_1431 + 8 * 3600, &sms), 0); /* 22:31 */
	assert_int_equal(sweep(w, SUN_0729, &sms), 0);
	claim(w, ids, 5, &s);
	assert_int_equal(s.n[0] + s.n[1] + s.n[2] + s.n[3], 0);

	/* Sunday's opening: one digest per staff member. */
	assert_int_equal(sweep(w, SUN_0730, &sms), 3);
	assert_int_equal(sms, 3);
	claim(w, ids, 5, &s);
	assert_int_equal(s.n[0], 1);
	assert_int_equal(s.n[1], 1);
	assert_int_equal(s.n[2], 1);
	assert_int_equal(s.n[3], 0); /* disabled */
	assert_int_equal(s.n[4], 0); /* the applicant */
	snprintf(num, sizeof(num), "%lld", (long long)t1);
	assert_non_null(strstr(s.last[0], num));
	assert_non_null(strstr(s.last[0], "پروانه ساختمان"));
	snprintf(num, sizeof(num), "%lld", (long long)t2);
	assert_non_null(strstr(s.last[0], num));
	assert_non_null(strstr(s.last[1], num));
	assert_non_null(strstr(s.last[0], "یک روز کاری"));
	snprintf(num, sizeof(num), "%lld", (long long)t3);
	assert_null(strstr(s.last[0], num));
	assert_non_null(strstr(s.last[2], num));
	snprintf(num, sizeof(num), "%lld", (long long)t4);
	assert_null(strstr(s.last[0], num)); /* not yet */

	/* A second sweep: nothing twice. */
	assert_int_equal(sweep(w, SUN_0730 + 60, &sms), 0);
	assert_int_equal(sms, 0);
	claim(w, ids, 5, &s);
	assert_int_equal(s.n[0] + s.n[1] + s.n[2], 0);

	/* A restart: the database closed and opened again. */
	db_close(w->db);
	w->db = tu_db_open(w->path);
	assert_int_equal(sweep(w, SUN_0730 + 120, &sms), 0);
	assert_int_equal(sms, 0);
	claim(w, ids, 5, &s);
	assert_int_equal(s.n[0] + s.n[1] + s.n[2], 0);

	/* Saturday's request: its reminder at Sunday 10:00, alone. */
	assert_int_equal(sweep(w, SUN_1000 - 60, &sms), 0);
	assert_int_equal(sweep(w, SUN_1000, &sms), 1);
	assert_int_equal(sms, 2);
	claim(w, ids, 5, &s);
	assert_int_equal(s.n[0], 1);
	assert_int_equal(s.n[2], 0);
	snprintf(num, sizeof(num), "%lld", (long long)t4);
	assert_non_null(strstr(s.last[0], num));
	snprintf(num, sizeof(num), "%lld", (long long)t1);
	assert_null(strstr(s.last[0], num));
}

/* An answer before the reminder: nothing to remind of. */
static void
test_reminder_skips_answered(void **state)
{
	struct rw *w = *state;
	const int64_t ids[] = {w->s1};
	struct seen s;
	char err[SD_ERRLEN];
	size_t sms = 0;
	int64_t t;

	sd_clock_set_fixed(SENT);
	t = create(w, 2, "پاسخ داده می‌شود");
	sd_clock_set_fixed(SAT_1000);
	assert_int_equal(core_request_reply(w->db, &core_env_no_sms,
			     tu_actor(w->db, w->s1), t, "پاسخ", CORE_CHAN_WEB,
			     NULL, err),
	    SD_OK);
	assert_int_equal(sweep(w, SUN_0730, &sms), 0);
	claim(w, ids, 1, &s);
	assert_int_equal(s.n[0], 0);
}

/* Many requests: one SMS of at most four parts, the rest counted. */
static void
test_reminder_digest_is_short(void **state)
{
	struct rw *w = *state;
	const int64_t ids[] = {w->s1};
	struct core_sms_count c;
	struct seen s;
	size_t sms = 0, i;

	sd_clock_set_fixed(SENT);
	for (i = 0; i < 30; i++)
		(void)create(w, 2,
		    "عنوانی بسیار طولانی برای یک درخواست آزمایشی که کوتاه "
		    "می‌شود");
	assert_int_equal(sweep(w, SUN_0730, &sms), 30);
	claim(w, ids, 1, &s);
	assert_int_equal(s.n[0], 1);
	assert_int_equal(core_sms_count(s.last[0], strlen(s.last[0]), 0, &c,
			     NULL, 0, NULL),
	    SD_OK);
	assert_true(c.parts <= 4);
	assert_non_null(strstr(s.last[0], "درخواست دیگر"));
}

/* Many overdue requests that were never reminded (sent a week earlier,
 * not escalated) come first by tracking: the due one after them is still
 * found (the candidates are read in batches). */
static void
test_reminder_past_many_overdue(void **state)
{
	struct rw *w = *state;
	const int64_t ids[] = {w->s1};
	struct seen s;
	size_t sms = 0, i;
	int64_t t;
	char num[32];

	assert_int_equal(db_begin(w->db), SD_OK);
	sd_clock_set_fixed(SENT - 7 * 86400);
	for (i = 0; i < 700; i++)
		(void)create(w, 5, "قدیمی");
	assert_int_equal(db_commit(w->db), SD_OK);
	sd_clock_set_fixed(SENT);
	t = create(w, 2, "تازه");
	assert_int_equal(sweep(w, SUN_0730, &sms), 1);
	claim(w, ids, 1, &s);
	assert_int_equal(s.n[0], 1);
	snprintf(num, sizeof(num), "%lld", (long long)t);
	assert_non_null(strstr(s.last[0], num));
}

/* No reminder at all without SMS effects or in quiet hours. */
static void
test_reminder_respects_env(void **state)
{
	struct rw *w = *state;
	struct core_sms_config sms_cfg;
	size_t sms = 0, r = 0;
	char err[SD_ERRLEN];

	sd_clock_set_fixed(SENT);
	(void)create(w, 2, "آرام");
	w->env.effects = CORE_FX_NONE;
	assert_int_equal(sweep(w, SUN_0730, &sms), 0);
	w->env.effects = CORE_FX_SMS;
	/* Quiet hours that cover the whole office day. */
	memset(&sms_cfg, 0, sizeof(sms_cfg));
	snprintf(sms_cfg.quiet_hours, sizeof(sms_cfg.quiet_hours),
	    "06:00-15:00");
	sms_cfg.max_reply_parts = 2;
	w->env.sms = &sms_cfg;
	sd_clock_set_fixed(SUN_0730);
	assert_int_equal(core_reminder_sweep(w->db, &w->env, &sms, &r, err),
	    SD_OK);
	assert_int_equal(r, 0);
	w->env.sms = NULL;
	assert_int_equal(sweep(w, SUN_0730, &sms), 1);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_reminder_once_in_office_hours,
		rw_setup, rw_teardown),
	    cmocka_unit_test_setup_teardown(test_reminder_skips_answered,
		rw_setup, rw_teardown),
	    cmocka_unit_test_setup_teardown(test_reminder_digest_is_short,
		rw_setup, rw_teardown),
	    cmocka_unit_test_setup_teardown(test_reminder_past_many_overdue,
		rw_setup, rw_teardown),
	    cmocka_unit_test_setup_teardown(test_reminder_respects_env,
		rw_setup, rw_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
