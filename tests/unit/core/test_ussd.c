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
#include "core/base/log.h"
#include "core/core.h"
#include "core/core_int.h"
#include "db/db_int.h"
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
		CORE_PRIO_URGENT, "چاپگر طبقه دوم",
		"سلام، چاپگر کار نمی‌کند", CORE_CHAN_WEB,
		&w->t, err) != SD_OK)
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
	bool none;  /* no answer at all */
	int64_t id; /* its outbox row */
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
	s.id = id;
	/* USSD_SHOW=1: the dialogue as a transcript (the README's). */
	if (getenv("USSD_SHOW") != NULL)
		fprintf(stderr, "> %s\n%s%s\n\n", text, r.body,
		    r.ussd_end ? "\n[end]" : "");
	s.end = r.ussd_end;
	db_outbox_row_fini(&r);
	return s;
}

static void
sql(struct world *w, const char *q)
{
	char *err = NULL;

	if (sqlite3_exec(w->db->h, q, NULL, NULL, &err) != SQLITE_OK)
		fail_msg("%s: %s", q, err);
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

#define CONTAINS(s, sub)                                                       \
	do {                                                                   \
		if (strstr((s), (sub)) == NULL)                                \
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

#define NOT_CONTAINS(s, sub)                                                   \
	do {                                                                   \
		if (strstr((s), (sub)) != NULL)                                \
			fail_msg("screen has \"%s\":\n%s", (sub), (s));        \
	} while (0)

/* A step from another number or session. */
static struct screen
step_from(struct world *w, const char *from, const char *text)
{
	struct screen s = ussd(w, from, w->session, false, text);

	assert_false(s.none);
	if (!fits(s.text))
		fail_msg("screen does not fit:\n%s", s.text);
	return s;
}

static void
stats(struct world *w, unsigned long active, unsigned long finished,
    unsigned long abandoned)
{
	struct core_ussd_stats st;

	core_ussd_stats(w->u, &st);
	assert_int_equal(st.active, active);
	assert_int_equal(st.finished, finished);
	assert_int_equal(st.abandoned, abandoned);
}

/* The audit rows of the dialogues of number from (as the SMSC wrote it,
 * masked). */
static int64_t
audits(struct world *w, const char *from, const char *action)
{
	char masked[SD_ADDR_LEN], object[64], detail[256];
	int64_t at = 0, n = 0;
	enum sd_rc rc;

	log_mask_mobile(from, masked, sizeof(masked));
	snprintf(object, sizeof(object), "ussd:%s", masked);
	rc = db_audit_last(w->db, object, action, &at, detail, sizeof(detail));
	if (rc == SD_ENOTFOUND)
		return 0;
	assert_int_equal(rc, SD_OK);
	assert_int_equal(db_audit_count(w->db, object, &n), SD_OK);
	return n;
}

/* Staff answer request t with body. */
static void
answer_it(struct world *w, int64_t t, const char *body)
{
	char err[SD_ERRLEN];

	assert_int_equal(core_request_reply(w->db, &w->env,
			     tu_actor(w->db, w->it), t, body, CORE_CHAN_WEB,
			     NULL, err),
	    SD_OK);
}

/* 1: invalid input re-asks with a reason, another person's request and
 * a missing one read alike, 00 goes back, Arabic-Indic digits. The
 * finished dialogue is audited. */
static void
test_status_invalid_and_back(void **state)
{
	struct world *w = *state;
	char err[SD_ERRLEN], num[32];
	int64_t other = 0;
	struct screen s;

	assert_int_equal(core_request_create(w->db, &w->env,
			     tu_actor(w->db, w->b), 3, CORE_PRIO_NORMAL,
			     "دیگری", "متن", CORE_CHAN_WEB, &other, err),
	    SD_OK);
	dial(w, APP, "*123#");
	s = step(w, "1");
	s = step(w, "abc");
	assert_false(s.end);
	CONTAINS(s.text, core_ussd_txt(CORE_UT_BAD_TRACKING));
	CONTAINS(s.text, core_ussd_txt(CORE_UT_ASK_TRACKING));
	snprintf(num, sizeof(num), "%lld", (long long)other);
	s = step(w, num);
	assert_false(s.end);
	CONTAINS(s.text, core_ussd_txt(CORE_UT_NOT_FOUND));
	s = step(w, "99999");
	assert_false(s.end);
	CONTAINS(s.text, core_ussd_txt(CORE_UT_NOT_FOUND));
	s = step(w, "00");
	assert_false(s.end);
	CONTAINS(s.text, "4 راهنما");
	s = step(w, "9");
	CONTAINS(s.text, core_ussd_txt(CORE_UT_BAD_CHOICE));
	CONTAINS(s.text, "4 راهنما");
	s = step(w, "1");
	s = step(w, "١٠٠٠١");
	assert_true(s.end);
	CONTAINS(s.text, "10001");
	stats(w, 0, 1, 0);
	assert_int_equal(audits(w, APP, "ussd.end"), 1);
	/* Over: a late answer in the same session is told so. */
	s = step(w, "1");
	assert_true(s.end);
	CONTAINS(s.text, core_ussd_txt(CORE_UT_EXPIRED));
}

/* 2: the latest five, newest first; pick one: status and the start of
 * the latest answer; a tracking number typed works too; 00 back. */
static void
test_my_requests(void **state)
{
	struct world *w = *state;
	char err[SD_ERRLEN], num[32];
	int64_t t[6];
	struct screen s;
	int i;

	answer_it(w, w->t,
	    "چاپگر را فردا صبح تعمیرکار می‌آورد و درست "
	    "می‌شود؛ اگر نشد دوباره بنویسید.");
	for (i = 0; i < 6; i++)
		assert_int_equal(core_request_create(w->db, &w->env,
				     tu_actor(w->db, w->a), 2, CORE_PRIO_NORMAL,
				     i == 5 ? "آخری" : "یکی", "متن",
				     CORE_CHAN_WEB, &t[i], err),
		    SD_OK);
	dial(w, APP, "*123#");
	s = step(w, "2");
	assert_false(s.end);
	CONTAINS(s.text, core_ussd_txt(CORE_UT_LIST_HEAD));
	snprintf(num, sizeof(num), "1 %lld", (long long)t[5]);
	CONTAINS(s.text, num);
	/* Every page of the five, then back through them. */
	for (i = 0; i < 5; i++) {
		s = step(w, "0");
		if (strstr(s.text, core_ussd_txt(CORE_UT_BAD_CHOICE)) != NULL)
			break;
	}
	assert_true(i < 5);
	/* 6 and up are tracking numbers typed: not one of theirs. */
	s = step(w, "6");
	CONTAINS(s.text, core_ussd_txt(CORE_UT_NOT_FOUND));
	for (; i >= 0; i--)
		s = step(w, "00");
	CONTAINS(s.text, "4 راهنما"); /* back in the main menu */
	s = step(w, "2");
	/* The first request (w->t) is not among the five latest: typed. */
	snprintf(num, sizeof(num), "%lld", (long long)w->t);
	s = step(w, num);
	assert_true(s.end);
	CONTAINS(s.text, "پاسخ داده شد");
	CONTAINS(s.text, "چاپگر را فردا");
	NOT_CONTAINS(s.text, "دوباره بنویسید"); /* cut at a word */
	CONTAINS(s.text, "…");
	/* Picked by its line. */
	dial(w, APP, "*123#");
	step(w, "2");
	s = step(w, "1");
	assert_true(s.end);
	snprintf(num, sizeof(num), "%lld", (long long)t[5]);
	CONTAINS(s.text, num);
	CONTAINS(s.text, core_ussd_txt(CORE_UT_STATUS_NONE) + 1);
}

static void
test_my_requests_empty(void **state)
{
	struct world *w = *state;
	struct screen s;

	ussd(w, "09132222222", ++w->session, true, "*123#");
	s = step_from(w, "09132222222", "2");
	assert_true(s.end);
	CONTAINS(s.text, core_ussd_txt(CORE_UT_LIST_EMPTY));
}

/* The requests of APP, newest first. */
static int64_t
latest_request(struct world *w, struct db_request *r)
{
	struct db_request *rows;
	size_t n;

	assert_int_equal(core_request_list_mine(w->db, tu_actor(w->db, w->a), 1,
			     &rows, &n),
	    SD_OK);
	assert_int_equal(n, 1);
	*r = rows[0];
	free(rows);
	return r->tracking;
}

/* 3: departments paged (0 next, 00 back), invalid input at each step,
 * back from each step, confirm: the tracking number on screen and the
 * SMS with the link; the request stored as typed. */
static void
test_new_request(void **state)
{
	struct world *w = *state;
	struct db_outbox_row sms;
	struct db_request r;
	struct screen s, first;
	char num[32];
	int pages = 1, i;

	dial(w, APP, "*123#");
	first = step(w, "3");
	assert_false(first.end);
	CONTAINS(first.text, core_ussd_txt(CORE_UT_DEPT_HEAD));
	CONTAINS(first.text, "1 آموزش\n");
	CONTAINS(first.text, core_ussd_txt(CORE_UT_NEXT));
	/* Forward to the last page: 17 is there, no "next". */
	for (i = 0; i < 20; i++) {
		s = step(w, "0");
		if (strstr(s.text, core_ussd_txt(CORE_UT_BAD_CHOICE)) != NULL)
			break;
		pages++;
	}
	assert_true(pages > 1 && i < 20);
	CONTAINS(s.text, "17 دفتر رئیس");
	NOT_CONTAINS(s.text, core_ussd_txt(CORE_UT_NEXT));
	/* Back to the first page, then the main menu. */
	for (i = 1; i < pages; i++)
		s = step(w, "00");
	assert_string_equal(s.text, first.text);
	s = step(w, "00");
	CONTAINS(s.text, "4 راهنما");
	s = step(w, "3");
	s = step(w, "18");
	CONTAINS(s.text, core_ussd_txt(CORE_UT_BAD_DEPT));
	s = step(w, "x");
	CONTAINS(s.text, core_ussd_txt(CORE_UT_BAD_DEPT));
	s = step(w, "۲");
	CONTAINS(s.text, core_ussd_txt(CORE_UT_PRIO_HEAD));
	CONTAINS(s.text, "1 خیلی فوری");
	CONTAINS(s.text, "4 ضعیف");
	s = step(w, "5");
	CONTAINS(s.text, core_ussd_txt(CORE_UT_BAD_CHOICE));
	s = step(w, "00");
	CONTAINS(s.text, core_ussd_txt(CORE_UT_DEPT_HEAD));
	s = step(w, "2");
	s = step(w, "2");
	CONTAINS(s.text, core_ussd_txt(CORE_UT_ASK_TEXT));
	s = step(w, "00");
	CONTAINS(s.text, core_ussd_txt(CORE_UT_PRIO_HEAD));
	s = step(w, "2");
	s = step(w, "   ");
	CONTAINS(s.text, core_ussd_txt(CORE_UT_BAD_TEXT));
	s = step(w, "چاپگر اتاق ۱۲ کاغذ گیر می‌کند");
	assert_false(s.end);
	CONTAINS(s.text, "فناوری");
	CONTAINS(s.text, "فوری");
	CONTAINS(s.text, "1 ثبت");
	s = step(w, "3");
	CONTAINS(s.text, core_ussd_txt(CORE_UT_BAD_CHOICE));
	s = step(w, "00");
	CONTAINS(s.text, core_ussd_txt(CORE_UT_ASK_TEXT));
	s = step(w, "چاپگر اتاق ۱۲ کاغذ گیر می‌کند");
	s = step(w, "1");
	assert_true(s.end);
	latest_request(w, &r);
	snprintf(num, sizeof(num), "%lld", (long long)r.tracking);
	CONTAINS(s.text, num);
	assert_int_equal(r.dept, 2);
	assert_int_equal(r.prio, CORE_PRIO_URGENT);
	assert_int_equal(r.chan, CORE_CHAN_USSD);
	assert_string_equal(r.title,
	    "چاپگر اتاق ۱۲ کاغذ گیر می‌کند");
	db_request_fini(&r);
	/* The SMS with the link, queued just before the last screen. */
	assert_int_equal(db_outbox_get(w->db, s.id - 1, &sms, NULL), SD_OK);
	assert_int_equal(sms.kind, CORE_OUT_REPLY);
	assert_string_equal(sms.destination, APP_E164);
	/* The link to add attachments: signed for this phone. */
	tu_assert_link(w->db, sms.body, "https://desk.example", sms.tracking,
	    APP_E164);
	db_outbox_row_fini(&sms);
	stats(w, 0, 1, 0);
}

static void
test_new_request_cancelled(void **state)
{
	struct world *w = *state;
	struct db_request r;
	struct screen s;

	dial(w, APP, "*123#");
	step(w, "3");
	step(w, "5");
	step(w, "3");
	step(w, "متن");
	s = step(w, "2");
	assert_true(s.end);
	CONTAINS(s.text, core_ussd_txt(CORE_UT_CANCELLED));
	assert_int_equal(latest_request(w, &r), w->t);
	db_request_fini(&r);
	/* A text of two lines: its title is one line, its body both. */
	dial(w, APP, "*123#");
	step(w, "3");
	step(w, "5");
	step(w, "3");
	step(w, "سطر یک\nسطر دو");
	s = step(w, "1");
	assert_true(s.end);
	latest_request(w, &r);
	assert_string_equal(r.title, "سطر یک سطر دو");
	{
		struct db_message *msgs;
		size_t n;

		assert_int_equal(core_request_thread(w->db,
				     tu_actor(w->db, w->a), r.tracking, &msgs,
				     &n),
		    SD_OK);
		assert_int_equal(n, 1);
		assert_string_equal(msgs[0].body, "سطر یک\nسطر دو");
		db_message_list_free(msgs, n);
	}
	db_request_fini(&r);
}

/* 4: help pages forward and back, then the main menu. */
static void
test_help(void **state)
{
	struct world *w = *state;
	struct screen s;
	int pages = 1, i;

	dial(w, APP, "*123#");
	s = step(w, "4");
	assert_false(s.end);
	CONTAINS(s.text, core_ussd_txt(CORE_UT_HELP1));
	for (i = 0; i < 10; i++) {
		s = step(w, "0");
		if (strstr(s.text, core_ussd_txt(CORE_UT_BAD_CHOICE)) != NULL)
			break;
		pages++;
	}
	CONTAINS(s.text, core_ussd_txt(CORE_UT_HELP7));
	assert_true(pages >= 2);
	s = step(w, "7");
	CONTAINS(s.text, core_ussd_txt(CORE_UT_BAD_CHOICE));
	for (i = 1; i < pages; i++)
		s = step(w, "00");
	CONTAINS(s.text, core_ussd_txt(CORE_UT_HELP1));
	s = step(w, "00");
	CONTAINS(s.text, "4 راهنما");
}

/* *CODE*N#: a request's status at once; a menu choice; not found. */
static void
test_direct_string(void **state)
{
	struct world *w = *state;
	char code[64];
	struct screen s;

	snprintf(code, sizeof(code), "*123*%lld#", (long long)w->t);
	s = dial(w, APP, code);
	assert_true(s.end);
	CONTAINS(s.text, "10001");
	CONTAINS(s.text, "فناوری");
	s = dial(w, APP, "*123*۱۰۰۰۱#");
	assert_true(s.end);
	CONTAINS(s.text, "10001");
	s = dial(w, APP, "*123*1#");
	assert_false(s.end);
	CONTAINS(s.text, core_ussd_txt(CORE_UT_ASK_TRACKING));
	s = dial(w, APP, "*123*99999#");
	assert_false(s.end);
	CONTAINS(s.text, core_ussd_txt(CORE_UT_NOT_FOUND));
	CONTAINS(s.text, "4 راهنما");
	/* Another service's code is no dial of ours: the menu all the
	 * same (the transport said begin). */
	s = dial(w, APP, "*124*10001#");
	assert_false(s.end);
	CONTAINS(s.text, "4 راهنما");
}

/* An unregistered number registers inside the menu: first name, last
 * name (00 back), refused names asked again; then the main menu. */
static void
test_registration(void **state)
{
	struct world *w = *state;
	struct db_user u;
	struct screen s;

	ussd(w, NEWBIE, ++w->session, true, "*123#");
	s = ussd(w, NEWBIE, w->session, false, "2");
	(void)s;
	/* The dial asked for the first name; "2" became it. */
	s = step_from(w, NEWBIE, "00");
	CONTAINS(s.text, core_ussd_txt(CORE_UT_REG_FIRST));
	s = step_from(w, NEWBIE, "نام");
	CONTAINS(s.text, core_ussd_txt(CORE_UT_REG_LAST));
	s = step_from(w, NEWBIE, "خانوادگی");
	CONTAINS(s.text, core_ussd_txt(CORE_UT_NAME_TEMPLATE));
	CONTAINS(s.text, core_ussd_txt(CORE_UT_REG_FIRST));
	s = step_from(w, NEWBIE, "علی\u202e");
	CONTAINS(s.text, core_ussd_txt(CORE_UT_NAME_CHARS));
	s = step_from(w, NEWBIE, "علی");
	s = step_from(w, NEWBIE, "رضایی");
	assert_false(s.end);
	CONTAINS(s.text, core_ussd_txt(CORE_UT_REG_OK));
	CONTAINS(s.text, "3 درخواست جدید");
	assert_int_equal(db_user_by_mobile(w->db, "+989135555555", &u), SD_OK);
	assert_string_equal(u.first, "علی");
	assert_string_equal(u.last, "رضایی");
	assert_int_equal(u.role, CORE_ROLE_APPLICANT);
	assert_true(u.verified);
	db_user_fini(&u);
	/* Now a registered applicant: the list is theirs (empty). */
	s = step_from(w, NEWBIE, "2");
	assert_true(s.end);
	CONTAINS(s.text, core_ussd_txt(CORE_UT_LIST_EMPTY));
	s = ussd(w, NEWBIE, ++w->session, true, "*123#");
	CONTAINS(s.text, core_ussd_txt(CORE_UT_TITLE));
}

static void
test_registration_first_screen(void **state)
{
	struct world *w = *state;
	struct screen s = dial(w, NEWBIE, "*123*10001#");

	assert_false(s.end);
	CONTAINS(s.text, core_ussd_txt(CORE_UT_REG_FIRST));
	s = step_from(w, NEWBIE, "   ");
	CONTAINS(s.text, core_ussd_txt(CORE_UT_BAD_NAME));
}

/* Staff see their departments' waiting and overdue counts, and read a
 * request of their department. */
static void
test_staff(void **state)
{
	struct world *w = *state;
	char line[256];
	struct screen s;

	s = dial(w, STAFF, "*123#");
	assert_false(s.end);
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat-nonliteral"
	snprintf(line, sizeof(line), core_ussd_txt(CORE_UT_STAFF), 1L, 0L);
#pragma GCC diagnostic pop
	CONTAINS(s.text, line);
	s = step_from(w, STAFF, "5");
	CONTAINS(s.text, core_ussd_txt(CORE_UT_BAD_CHOICE));
	s = step_from(w, STAFF, "1");
	s = step_from(w, STAFF, "00");
	CONTAINS(s.text, line); /* back to their own menu */
	s = step_from(w, STAFF, "1");
	s = step_from(w, STAFF, "10001");
	assert_true(s.end);
	CONTAINS(s.text, "10001");
	/* A week later the request is overdue. */
	sd_clock_set_fixed(T0 + 7 * 86400);
	s = dial(w, STAFF, "*123#");
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat-nonliteral"
	snprintf(line, sizeof(line), core_ussd_txt(CORE_UT_STAFF), 1L, 1L);
#pragma GCC diagnostic pop
	CONTAINS(s.text, line);
}

/* A dialogue idle past session_s is over: its late answer is told so,
 * the next dial starts afresh; its memory is freed and it is audited. */
static void
test_timeout(void **state)
{
	struct world *w = *state;
	struct screen s;

	dial(w, APP, "*123#");
	step(w, "3");
	step(w, "2");
	stats(w, 1, 0, 0);
	sd_clock_set_fixed(T0 + 121);
	s = step(w, "1");
	assert_true(s.end);
	CONTAINS(s.text, core_ussd_txt(CORE_UT_EXPIRED));
	stats(w, 0, 0, 1);
	assert_int_equal(audits(w, APP, "ussd.abandon"), 1);
	s = dial(w, APP, "*123#");
	CONTAINS(s.text, "4 راهنما");
	s = step(w, "1");
	CONTAINS(s.text, core_ussd_txt(CORE_UT_ASK_TRACKING));
	/* The periodic expiry frees an idle one too. */
	sd_clock_set_fixed(T0 + 121 + 119);
	core_ussd_expire(w->u, w->db, sd_clock_now());
	stats(w, 1, 0, 1);
	sd_clock_set_fixed(T0 + 121 + 120);
	core_ussd_expire(w->u, w->db, sd_clock_now());
	stats(w, 0, 0, 2);
}

/* A new dial in the same session (the MSISDN as the only key, -1)
 * replaces the dialogue; two sessions of one number stay apart. */
static void
test_session_keys(void **state)
{
	struct world *w = *state;
	struct screen s;

	s = ussd(w, APP, -1, true, "*123#");
	s = ussd(w, APP, -1, false, "1");
	CONTAINS(s.text, core_ussd_txt(CORE_UT_ASK_TRACKING));
	s = ussd(w, APP, -1, true, "*123#");
	CONTAINS(s.text, "4 راهنما");
	stats(w, 1, 0, 1);
	/* Without the begin flag, a dial string still begins. */
	s = ussd(w, APP, -1, false, "*123#");
	CONTAINS(s.text, "4 راهنما");
	s = ussd(w, APP, 7, true, "*123#");
	s = ussd(w, APP, 7, false, "4");
	CONTAINS(s.text, core_ussd_txt(CORE_UT_HELP1));
	s = ussd(w, APP, -1, false, "1");
	CONTAINS(s.text, core_ussd_txt(CORE_UT_ASK_TRACKING));
	stats(w, 2, 0, 2);
}

/* max_sessions held: a further dial is refused politely, and served
 * again once one ends. */
static void
test_max_sessions(void **state)
{
	struct world *w = *state;
	struct core_ussd_stats st;
	struct screen s;
	int i;

	for (i = 0; i < 4; i++)
		dial(w, APP, "*123#");
	s = dial(w, APP, "*123#");
	assert_true(s.end);
	CONTAINS(s.text, core_ussd_txt(CORE_UT_BUSY));
	core_ussd_stats(w->u, &st);
	assert_int_equal(st.refused, 1);
	assert_int_equal(st.active, 4);
	s = ussd(w, APP, w->session - 1, false, "1");
	s = ussd(w, APP, w->session - 1, false, "10001");
	assert_true(s.end);
	s = dial(w, APP, "*123#");
	assert_false(s.end);
	CONTAINS(s.text, "4 راهنما");
}

/* More than [ussd] mo_per_hour USSD messages in an hour from one
 * number: the one over is told so and ends, later ones get no answer;
 * an hour later it is served again; SMS do not count. */
static void
test_flood(void **state)
{
	struct world *w = *state;
	struct screen s;
	int64_t in;
	int i;

	core_ussd_free(w->u);
	w->ucfg.mo_per_hour = 5;
	assert_int_equal(core_ussd_new(&w->ucfg, &w->u), SD_OK);
	w->env.ussd = w->u;
	assert_int_equal(db_inbox_add_handled(w->db, APP_E164, "3000", "x",
			     DB_INBOX_SMS, NULL, 0, &in),
	    SD_OK);
	dial(w, APP, "*123#");
	for (i = 0; i < 4; i++)
		step(w, i % 2 == 0 ? "4" : "00");
	s = step(w, "4");
	assert_true(s.end);
	CONTAINS(s.text, core_ussd_txt(CORE_UT_FLOOD));
	CONTAINS(s.why, "mo_per_hour=5");
	stats(w, 0, 0, 1);
	s = ussd(w, APP, ++w->session, true, "*123#");
	assert_true(s.none);
	CONTAINS(s.why, "not processed");
	stats(w, 0, 0, 1);
	/* Another number is served. */
	s = dial(w, "09132222222", "*123#");
	assert_false(s.end);
	sd_clock_set_fixed(T0 + 3601);
	s = dial(w, APP, "*123#");
	assert_false(s.end);
}

/* USSD steps do not count against the SMS limit ([sms] mo_per_hour):
 * a user who walked the menu can still send an SMS command. */
static void
test_sms_limit_ignores_ussd(void **state)
{
	struct world *w = *state;
	struct db_outbox_row r;
	struct core_mo m;
	int64_t id = 0, in;
	char why[DB_INBOX_REASON_LEN];
	int i;

	w->sms.mo_per_hour = 3;
	dial(w, APP, "*123#");
	for (i = 0; i < 4; i++)
		step(w, i % 2 == 0 ? "4" : "00");
	memset(&m, 0, sizeof(m));
	m.from = APP;
	m.to = "3000";
	m.text = "وضعیت 10001";
	m.ussd_session = -1;
	assert_int_equal(db_begin(w->db), SD_OK);
	assert_int_equal(core_mo_handle(w->db, &w->env, &m, &id, why), SD_OK);
	assert_int_equal(db_inbox_add_handled(w->db, APP, "3000", m.text,
			     DB_INBOX_SMS, NULL, id, &in),
	    SD_OK);
	assert_int_equal(db_commit(w->db), SD_OK);
	assert_string_equal(why, "");
	assert_true(id != 0);
	assert_int_equal(db_outbox_get(w->db, id, &r, NULL), SD_OK);
	CONTAINS(r.body, "10001");
	db_outbox_row_fini(&r);
}

/* A step that fails on the database (here the outbox refuses its
 * answer) leaves the dialogue where it was, so the MO handled again
 * takes the same step; a dial that fails holds no dialogue. */
static void
test_failed_step_put_back(void **state)
{
	struct world *w = *state;
	struct core_ussd_stats st;
	struct core_mo m;
	struct screen s;
	int64_t id = 0;
	char why[DB_INBOX_REASON_LEN];

	dial(w, APP, "*123#");
	step(w, "3");
	sql(w,
	    "CREATE TRIGGER no_out BEFORE INSERT ON outbox"
	    " BEGIN SELECT RAISE(ABORT, 'full'); END");
	memset(&m, 0, sizeof(m));
	m.from = APP;
	m.to = "123";
	m.text = "2";
	m.ussd = true;
	m.ussd_session = w->session;
	assert_int_equal(db_begin(w->db), SD_OK);
	assert_int_not_equal(core_mo_handle(w->db, &w->env, &m, &id, why),
	    SD_OK);
	db_rollback(w->db);
	/* A dial that fails. */
	m.text = "*123#";
	m.ussd_begin = true;
	m.ussd_session = 99;
	assert_int_equal(db_begin(w->db), SD_OK);
	assert_int_not_equal(core_mo_handle(w->db, &w->env, &m, &id, why),
	    SD_OK);
	db_rollback(w->db);
	core_ussd_stats(w->u, &st);
	assert_int_equal(st.active, 1);
	assert_int_equal(st.started, 1);
	sql(w, "DROP TRIGGER no_out");
	/* The same "2" again: the department, not a priority. */
	s = step(w, "2");
	CONTAINS(s.text, core_ussd_txt(CORE_UT_PRIO_HEAD));
}

/* No USSD service (env->ussd NULL): answered and ended, not silence. */
static void
test_unavailable(void **state)
{
	struct world *w = *state;
	struct screen s;

	w->env.ussd = NULL;
	s = dial(w, APP, "*123#");
	assert_true(s.end);
	CONTAINS(s.text, core_ussd_txt(CORE_UT_UNAVAILABLE));
	w->env.ussd = w->u;
}

/* Every text that ends a dialogue, and every question with every reason
 * on top of it (the question must stay), is one USSD string. */
static void
test_texts_fit(void **state)
{
	static const enum core_ussd_txt finals[] = {CORE_UT_LIST_EMPTY,
	    CORE_UT_CANCELLED, CORE_UT_EXPIRED, CORE_UT_BUSY,
	    CORE_UT_UNAVAILABLE, CORE_UT_FLOOD};
	static const enum core_ussd_txt prompts[] = {CORE_UT_ASK_TRACKING,
	    CORE_UT_ASK_TEXT, CORE_UT_REG_FIRST, CORE_UT_REG_LAST};
	char buf[1024];
	int i, k;

	(void)state;
	for (i = 0; i < (int)(sizeof(finals) / sizeof(finals[0])); i++)
		if (!fits(core_ussd_txt(finals[i])))
			fail_msg("%s", core_ussd_txt(finals[i]));
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat-nonliteral"
	snprintf(buf, sizeof(buf), core_ussd_txt(CORE_UT_NEW_OK),
	    999999999999LL);
#pragma GCC diagnostic pop
	assert_true(fits(buf));
	for (i = 0; i < (int)(sizeof(prompts) / sizeof(prompts[0])); i++)
		for (k = CORE_UT_BAD_CHOICE; k < CORE_UT_COUNT; k++) {
			snprintf(buf, sizeof(buf), "%s\n%s\n%s",
			    core_ussd_txt((enum core_ussd_txt)k),
			    core_ussd_txt(prompts[i]),
			    core_ussd_txt(CORE_UT_BACK));
			if (!fits(buf))
				fail_msg("does not fit:\n%s", buf);
		}
	/* Every text is there. */
	for (k = 0; k < CORE_UT_COUNT; k++)
		assert_string_not_equal(core_ussd_txt((enum core_ussd_txt)k),
		    "?");
}

/* On every page of every screen, and with a wrong input (a reason) on
 * each, until "0" says there is no next page. */
static void
walk_pages(struct world *w, const char *from)
{
	struct screen s;
	int i;

	for (i = 0; i < 40; i++) {
		s = step_from(w, from, "abc");
		CONTAINS(s.text, "00");
		s = step_from(w, from, "0");
		if (strstr(s.text, core_ussd_txt(CORE_UT_BAD_CHOICE)) != NULL)
			return;
	}
	fail_msg("more than 40 pages");
}

/* Every screen within one USSD string with the longest department
 * names (the schema allows any length: 200 characters), long one-word
 * short names, titles of SD_REQ_TITLE_MAX bytes in long and short
 * words, a long answer, an escalated request: menus page, and what
 * must be cut is cut at a word. */
static void
test_every_screen_fits(void **state)
{
	struct world *w = *state;
	char q[4096], title[SD_REQ_TITLE_MAX + 1], err[SD_ERRLEN];
	char code[64];
	struct screen s;
	int64_t t;
	size_t i;
	int k;

	/* Names: "واحد N" then long words, 200 characters. */
	for (k = 1; k <= 17; k++) {
		char name[1024] = "", shortn[512] = "";

		snprintf(name, sizeof(name), "واحد %d", k);
		while (strlen(name) < 380)
			strcat(name, " مدیریت‌کل‌هماهنگی");
		for (i = 0; i < 40; i++)
			strcat(shortn, "ث");
		snprintf(q, sizeof(q),
		    "UPDATE departments SET name = '%s', short_name = '%s'"
		    " WHERE code = %d",
		    name, shortn, k);
		sql(w, q);
	}
	/* Titles: one word of 150 letters; many short words. */
	title[0] = '\0';
	for (i = 0; i < 150; i++)
		strcat(title, "ب");
	assert_int_equal(core_request_create(w->db, &w->env,
			     tu_actor(w->db, w->a), 2, CORE_PRIO_VERY_URGENT,
			     title, "متن", CORE_CHAN_WEB, &t, err),
	    SD_OK);
	title[0] = '\0';
	while (strlen(title) + 12 < SD_REQ_TITLE_MAX)
		strcat(title, "کار اداری ");
	for (k = 0; k < 4; k++)
		assert_int_equal(core_request_create(w->db, &w->env,
				     tu_actor(w->db, w->a), 2, CORE_PRIO_NORMAL,
				     title, "متن", CORE_CHAN_WEB, &t, err),
		    SD_OK);
	answer_it(w, w->t, title);
	assert_int_equal(core_request_escalate(w->db, &w->env, &core_actor_cli,
			     t, err),
	    SD_OK);
	answer_it(w, t,
	    "یک‌کلمه‌بسیاربلندیک‌کلمه‌بسیاربلندیک‌کلمه‌بسیاربلندیک‌"
	    "کلمه‌بسیاربلندیک‌کلمه‌بسیاربلندیک‌کلمه‌بسیاربلند");

	/* Main menu, with a reason. */
	dial(w, APP, "*123#");
	step(w, "9");
	/* Status screens: escalated with a long answer; a long title. */
	step(w, "1");
	step(w, "x");
	snprintf(code, sizeof(code), "%lld", (long long)t);
	s = step(w, code);
	assert_true(s.end);
	snprintf(code, sizeof(code), "*123*%lld#", (long long)w->t);
	s = dial(w, APP, code);
	assert_true(s.end);
	/* The list, every page, each item cut at a word or a letter. */
	dial(w, APP, "*123#");
	s = step(w, "2");
	CONTAINS(s.text, "…");
	walk_pages(w, APP);
	for (k = 1; k <= 5; k++) {
		char pick[4];

		dial(w, APP, "*123#");
		step(w, "2");
		snprintf(pick, sizeof(pick), "%d", k);
		s = step(w, pick);
		assert_true(s.end);
	}
	/* Departments, every page; priorities; text; confirm. */
	dial(w, APP, "*123#");
	s = step(w, "3");
	CONTAINS(s.text, "1 ثث");
	walk_pages(w, APP);
	s = step(w, "17");
	walk_pages(w, APP);
	s = step(w, "1");
	step(w, "\u202e");
	s = step(w, title);
	walk_pages(w, APP);
	s = step(w, "1");
	assert_true(s.end);
	/* Help, every page. */
	dial(w, APP, "*123#");
	step(w, "4");
	walk_pages(w, APP);
	/* Registration screens, each with a reason. */
	dial(w, NEWBIE, "*123#");
	step_from(w, NEWBIE, "   ");
	step_from(w, NEWBIE, "نام");
	step_from(w, NEWBIE, "\u202e");
	step_from(w, NEWBIE, "خانوادگی");
	step_from(w, NEWBIE, "علی");
	s = step_from(w, NEWBIE, "رضایی");
	CONTAINS(s.text, core_ussd_txt(CORE_UT_REG_OK));
	step_from(w, NEWBIE, "9");
	/* Staff, with counts of four digits. */
	s = dial(w, STAFF, "*123#");
	step_from(w, STAFF, "9");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_main_menu, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_status_by_tracking, setup,
		teardown),
	    cmocka_unit_test_setup_teardown(test_status_invalid_and_back, setup,
		teardown),
	    cmocka_unit_test_setup_teardown(test_my_requests, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_my_requests_empty, setup,
		teardown),
	    cmocka_unit_test_setup_teardown(test_new_request, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_new_request_cancelled, setup,
		teardown),
	    cmocka_unit_test_setup_teardown(test_help, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_direct_string, setup,
		teardown),
	    cmocka_unit_test_setup_teardown(test_registration, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_registration_first_screen,
		setup, teardown),
	    cmocka_unit_test_setup_teardown(test_staff, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_timeout, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_session_keys, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_max_sessions, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_flood, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_sms_limit_ignores_ussd, setup,
		teardown),
	    cmocka_unit_test_setup_teardown(test_failed_step_put_back, setup,
		teardown),
	    cmocka_unit_test_setup_teardown(test_unavailable, setup, teardown),
	    cmocka_unit_test(test_texts_fit),
	    cmocka_unit_test_setup_teardown(test_every_screen_fits, setup,
		teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
