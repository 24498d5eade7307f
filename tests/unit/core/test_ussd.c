/*
 * tests/unit/core/test_ussd.c: the USSD menus (issue #12), through
 * core_mo_handle() as the pipeline calls it, against a database: every
 * path of the menu, next and back, a timeout mid-dialogue, invalid input
 * at each step, max_sessions, the flood limit, and every screen within
 * one USSD string with the longest department names and titles.
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
#include "core/core_int.h"
#include "tests/support/testutil.h"

#define T0 1796194800 /* 2026-12-02 07:00 UTC, a Wednesday */
#define APP "09131111111"
#define APP_E164 "+989131111111"
#define NEWBIE "09135555555"
#define STAFF "09133333333"

struct world {
	struct db *db;
	int64_t a, b, it, t;
	struct core_sms_config sms;
	struct core_sla_config sla;
	struct core_alert_config alerts;
	struct core_ussd_config ucfg;
	struct core_calendar *cal;
	struct core_ussd *u;
	struct core_env env;
	int session; /* the next dial's session key */
};

static int
setup(void **state)
{
	static const int d2[] = {2};
	struct world *w = calloc(1, sizeof(*w));
	char err[SD_ERRLEN];

	sd_clock_set_fixed(T0);
	w->db = tu_db_open(":memory:");
	w->a = tu_user(w->db, APP, CORE_ROLE_APPLICANT, NULL, 0);
	w->b = tu_user(w->db, "09132222222", CORE_ROLE_APPLICANT, NULL, 0);
	w->it = tu_user(w->db, STAFF, CORE_ROLE_STAFF, d2, 1);
	w->sms.max_reply_parts = 2;
	w->sms.mo_per_hour = 30;
	w->sms.staff_mo_per_hour = 300;
	w->sms.link_ttl_days = 7;
	snprintf(w->sms.thanks_phrases, sizeof(w->sms.thanks_phrases), "%s",
	    CORE_THANKS_DEFAULT);
	snprintf(w->sla.working_days, sizeof(w->sla.working_days),
	    "sat,sun,mon,tue,wed");
	w->sla.escalation = CORE_ESC_BOTH;
	w->sla.answer_days = 2;
	if (core_calendar_new(&w->sla, &w->cal, err) != SD_OK)
		fail_msg("calendar: %s", err);
	w->alerts.very_urgent_per_applicant_hour = 2;
	w->alerts.very_urgent_per_dept_hour = 10;
	w->alerts.digest_every_min = 60;
	w->ucfg.session_s = 120;
	w->ucfg.max_sessions = 4;
	w->ucfg.mo_per_hour = 100;
	snprintf(w->ucfg.service_code, sizeof(w->ucfg.service_code), "*123#");
	assert_int_equal(core_ussd_new(&w->ucfg, &w->u), SD_OK);
	w->env.base_url = "https://desk.example";
	w->env.sms = &w->sms;
	w->env.sla = &w->sla;
	w->env.cal = w->cal;
	w->env.alerts = &w->alerts;
	w->env.effects = CORE_FX_SMS;
	w->env.ussd = w->u;
	if (core_request_create(w->db, &w->env, tu_actor(w->db, w->a), 2,
		CORE_PRIO_URGENT, "چاپگر طبقه دوم", "سلام، چاپگر کار نمی‌کند",
		CORE_CHAN_WEB, &w->t, err) != SD_OK)
		fail_msg("create: %s", err);
	w->session = 1;
	*state = w;
	return 0;
}

static int
teardown(void **state)
{
	struct world *w = *state;

	db_close(w->db);
	core_ussd_free(w->u);
	core_calendar_free(w->cal);
	free(w);
	sd_clock_set_fixed(0);
	return 0;
}

/* One screen as the transport would send it. */
struct screen {
	char text[1024];
	bool end;
	bool none; /* no answer at all */
	char why[DB_INBOX_REASON_LEN];
};

/* Send one USSD MO (begin: a dial) from from in session key; the answer
 * queued. The inbox row is stored as the pipeline does. */
static struct screen
ussd(struct world *w, const char *from, int key, bool begin, const char *text)
{
	struct db_outbox_row r;
	struct core_mo m;
	struct screen s;
	int64_t id = 0, in;
	char sess[16];

	memset(&s, 0, sizeof(s));
	memset(&m, 0, sizeof(m));
	m.from = from;
	m.to = "123";
	m.text = text;
	m.ussd = true;
	m.ussd_session = key;
	m.ussd_begin = begin;
	snprintf(sess, sizeof(sess), "%d", key);
	assert_int_equal(db_begin(w->db), SD_OK);
	assert_int_equal(core_mo_handle(w->db, &w->env, &m, &id, s.why), SD_OK);
	assert_int_equal(db_inbox_add_handled(w->db, from, "123", text,
			     DB_INBOX_USSD, sess, id, &in),
	    SD_OK);
	assert_int_equal(db_commit(w->db), SD_OK);
	if (id == 0) {
		s.none = true;
		return s;
	}
	assert_int_equal(db_outbox_get(w->db, id, &r, NULL), SD_OK);
	assert_int_equal(r.kind, CORE_OUT_USSD);
	assert_string_equal(r.destination, from);
	assert_int_equal(r.ussd_session, key);
	assert_true(r.expires > sd_clock_now());
	snprintf(s.text, sizeof(s.text), "%s", r.body);
	s.end = r.ussd_end;
	db_outbox_row_fini(&r);
	return s;
}

/* Whether text is one USSD string: 182 GSM 7-bit or 80 UCS-2 units. */
static bool
fits(const char *text)
{
	struct core_sms_count c;

	assert_int_equal(core_sms_count(text, strlen(text), 0, &c, NULL, 0,
			     NULL),
	    SD_OK);
	return c.units <= (c.alphabet == CORE_SMS_GSM7 ? 182u : 80u);
}

#define CONTAINS(s, sub)                                                      \
	do {                                                                  \
		if (strstr((s), (sub)) == NULL)                               \
			fail_msg("screen lacks \"%s\":\n%s", (sub), (s));      \
	} while (0)

/* A dialogue step: answered, continues, fits. */
static struct screen
step(struct world *w, const char *text)
{
	struct screen s = ussd(w, APP, w->session, false, text);

	assert_false(s.none);
	if (!fits(s.text))
		fail_msg("screen does not fit:\n%s", s.text);
	return s;
}

static struct screen
dial(struct world *w, const char *from, const char *code)
{
	struct screen s = ussd(w, from, ++w->session, true, code);

	assert_false(s.none);
	if (!fits(s.text))
		fail_msg("screen does not fit:\n%s", s.text);
	return s;
}

static void
test_main_menu(void **state)
{
	struct world *w = *state;
	struct screen s = dial(w, APP, "*123#");

	assert_false(s.end);
	CONTAINS(s.text, core_ussd_txt(CORE_UT_TITLE));
	CONTAINS(s.text, "1 وضعیت درخواست");
	CONTAINS(s.text, "2 درخواست‌های من");
	CONTAINS(s.text, "3 درخواست جدید");
	CONTAINS(s.text, "4 راهنما");
}

static void
test_status_by_tracking(void **state)
{
	struct world *w = *state;
	char num[32];
	struct screen s;

	dial(w, APP, "*123#");
	s = step(w, "1");
	assert_false(s.end);
	CONTAINS(s.text, core_ussd_txt(CORE_UT_ASK_TRACKING));
	/* Persian digits. */
	s = step(w, "۱۰۰۰۱");
	snprintf(num, sizeof(num), "%lld", (long long)w->t);
	assert_true(s.end);
	CONTAINS(s.text, num);
	CONTAINS(s.text, "در انتظار پاسخ");
	CONTAINS(s.text, "فناوری");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_main_menu, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_status_by_tracking, setup,
		teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
