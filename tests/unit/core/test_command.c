/*
 * tests/unit/core/test_command.c: the SMS command channel (issue #5).
 *
 * The parser: every command in Persian and English, with Persian and
 * Arabic-Indic digits, Arabic letters, extra spaces and ZWNJ, missing
 * arguments, and 200 random inputs. The handler, against a database: each
 * command's answer (and its language), access (another person's request
 * reads as a missing one), alerts and STOP, the two-working-day rule with
 * a fixed clock, registration, flooding, the length limit. And OTP issue.
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
#include "smsc/smsc_int.h"
#include "tests/support/testutil.h"

/* ---- The parser ------------------------------------------------------------ */

struct pcase {
	const char *text;
	enum core_cmd_id id;
	bool en, missing;
	int64_t tracking;
	int dept;
	enum core_priority prio;
	const char *arg, *last;
};

static const struct pcase pcases[] = {
	{"HELP", CORE_CMD_HELP, true, false, 0, 0, 2, "", ""},
	{"?", CORE_CMD_HELP, true, false, 0, 0, 2, "", ""},
	{"  help  ", CORE_CMD_HELP, true, false, 0, 0, 2, "", ""},
	{"راهنما", CORE_CMD_HELP, false, false, 0, 0, 2, "", ""},
	{"STATUS 10025", CORE_CMD_STATUS, true, false, 10025, 0, 2, "", ""},
	{"status   10025", CORE_CMD_STATUS, true, false, 10025, 0, 2, "", ""},
	{"Status ۱۰۰۲۵", CORE_CMD_STATUS, true, false, 10025, 0, 2, "", ""},
	{"10025", CORE_CMD_STATUS, false, false, 10025, 0, 2, "", ""},
	{" ۱۰۰۲۵ ", CORE_CMD_STATUS, false, false, 10025, 0, 2, "", ""},
	{"١٠٠٢٥", CORE_CMD_STATUS, false, false, 10025, 0, 2, "", ""},
	{"وضعیت 10025", CORE_CMD_STATUS, false, false, 10025, 0, 2, "", ""},
	{"وضعيت ۱۰۰۲۵", CORE_CMD_STATUS, false, false, 10025, 0, 2, "", ""},
	{"وضعیت\u200c 10025", CORE_CMD_STATUS, false, false, 10025, 0, 2, "",
	    ""},
	{"وضعیت", CORE_CMD_STATUS, false, true, 0, 0, 2, "", ""},
	{"STATUS abc", CORE_CMD_STATUS, true, true, 0, 0, 2, "", ""},
	{"LIST", CORE_CMD_LIST, true, false, 0, 0, 2, "", ""},
	{"لیست", CORE_CMD_LIST, false, false, 0, 0, 2, "", ""},
	{"ليست", CORE_CMD_LIST, false, false, 0, 0, 2, "", ""},
	{"DEPTS", CORE_CMD_DEPTS, true, false, 1, 0, 2, "", ""},
	{"واحدها", CORE_CMD_DEPTS, false, false, 1, 0, 2, "", ""},
	{"NEW 2 printer broken", CORE_CMD_NEW, true, false, 0, 2, 2,
	    "printer broken", ""},
	{"new 2 F printer broken", CORE_CMD_NEW, true, false, 0, 2, 1,
	    "printer broken", ""},
	{"NEW 5 vf gas leak", CORE_CMD_NEW, true, false, 0, 5, 0, "gas leak",
	    ""},
	{"NEW 3 L later", CORE_CMD_NEW, true, false, 0, 3, 3, "later", ""},
	{"جدید 2 چاپگر خراب است", CORE_CMD_NEW, false, false, 0, 2, 2,
	    "چاپگر خراب است", ""},
	{"جدید ۲ ف چاپگر", CORE_CMD_NEW, false, false, 0, 2, 1, "چاپگر", ""},
	{"جدید ۱۷  خف   نشت گاز", CORE_CMD_NEW, false, false, 0, 17, 0,
	    "نشت گاز", ""},
	{"جدید 4 ض بعداً", CORE_CMD_NEW, false, false, 0, 4, 3, "بعداً", ""},
	{"جدید", CORE_CMD_NEW, false, true, 0, 0, 2, "", ""},
	{"NEW 2", CORE_CMD_NEW, true, true, 0, 2, 2, "", ""},
	{"NEW x text", CORE_CMD_NEW, true, true, 0, 0, 2, "text", ""},
	{"DEPTS 2", CORE_CMD_DEPTS, true, false, 2, 0, 2, "", ""},
	{"واحدها ۲", CORE_CMD_DEPTS, false, false, 2, 0, 2, "", ""},
	{"R 10025 thanks", CORE_CMD_REPLY, true, false, 10025, 0, 2, "thanks",
	    ""},
	{"r ۱۰۰۲۵   many   thanks", CORE_CMD_REPLY, true, false, 10025, 0, 2,
	    "many thanks", ""},
	{"پاسخ 10025 سپاس", CORE_CMD_REPLY, false, false, 10025, 0, 2, "سپاس",
	    ""},
	{"پاسخ 10025", CORE_CMD_REPLY, false, true, 10025, 0, 2, "", ""},
	{"پاسخ", CORE_CMD_REPLY, false, true, 0, 0, 2, "", ""},
	{"ESCALATE 10025", CORE_CMD_ESCALATE, true, false, 10025, 0, 2, "",
	    ""},
	/* Issue 11: «پیگیری» is tracking (a status query); escalation is
	 * «ارجاع». */
	{"پیگیری ۱۰۰۲۵", CORE_CMD_STATUS, false, false, 10025, 0, 2, "", ""},
	{"پیگیری", CORE_CMD_STATUS, false, true, 0, 0, 2, "", ""},
	{"ارجاع ۱۰۰۲۵", CORE_CMD_ESCALATE, false, false, 10025, 0, 2, "", ""},
	{"ارجاع", CORE_CMD_ESCALATE, false, true, 0, 0, 2, "", ""},
	/* Issue 11: the number glued, after a colon or a '#'. */
	{"وضعیت10013", CORE_CMD_STATUS, false, false, 10013, 0, 2, "", ""},
	{"وضعیت: 10013", CORE_CMD_STATUS, false, false, 10013, 0, 2, "", ""},
	{"وضعیت:۱۰۰۱۳", CORE_CMD_STATUS, false, false, 10013, 0, 2, "", ""},
	{"وضعیت #10013", CORE_CMD_STATUS, false, false, 10013, 0, 2, "", ""},
	{"وضعيت#١٠٠١٣", CORE_CMD_STATUS, false, false, 10013, 0, 2, "", ""},
	{"status: #10013", CORE_CMD_STATUS, true, false, 10013, 0, 2, "", ""},
	{"پیگیری10013", CORE_CMD_STATUS, false, false, 10013, 0, 2, "", ""},
	{"#10013", CORE_CMD_STATUS, false, false, 10013, 0, 2, "", ""},
	{"ارجاع#10013", CORE_CMD_ESCALATE, false, false, 10013, 0, 2, "", ""},
	{"پاسخ10025 سپاس", CORE_CMD_REPLY, false, false, 10025, 0, 2, "سپاس",
	    ""},
	{"وضعیت #", CORE_CMD_STATUS, false, true, 0, 0, 2, "", ""},
	{"وضعیت ۱۰۰۱۳#", CORE_CMD_STATUS, false, true, 0, 0, 2, "", ""},
	{"سلام10013", CORE_CMD_NONE, false, false, 0, 0, 2, "", ""},
	/* Issue 11: «واحد ها» in two words. */
	{"واحد ها", CORE_CMD_DEPTS, false, false, 1, 0, 2, "", ""},
	{"واحد ها ۲", CORE_CMD_DEPTS, false, false, 2, 0, 2, "", ""},
	{"واحد‌ها", CORE_CMD_DEPTS, false, false, 1, 0, 2, "", ""},
	/* Issue 11: «خیلی فوری» in two words, as the guide spells it. */
	{"جدید 2 خیلی فوری نشت گاز", CORE_CMD_NEW, false, false, 0, 2, 0,
	    "نشت گاز", ""},
	{"جدید ۱۷ خيلي فوري نشت", CORE_CMD_NEW, false, false, 0, 17, 0, "نشت",
	    ""},
	{"جدید 2 خیلی‌فوری نشت", CORE_CMD_NEW, false, false, 0, 2, 0,
	    "نشت", ""},
	{"NEW 2 very urgent gas leak", CORE_CMD_NEW, true, false, 0, 2, 0,
	    "gas leak", ""},
	{"جدید 2 خیلی فوری", CORE_CMD_NEW, false, true, 0, 2, 0, "", ""},
	{"جدید 2 خیلی خوب است", CORE_CMD_NEW, false, false, 0, 2, 2,
	    "خیلی خوب است", ""},
	{"REG Ali Rezaei", CORE_CMD_REG, true, false, 0, 0, 2, "Ali",
	    "Rezaei"},
	{"reg  Ali  Rezaei Far", CORE_CMD_REG, true, false, 0, 0, 2, "Ali",
	    "Rezaei Far"},
	{"ثبت نام علی رضایی", CORE_CMD_REG, false, false, 0, 0, 2, "علی",
	    "رضایی"},
	{"ثبت\u200cنام علی نوروزی\u200cفر", CORE_CMD_REG, false, false, 0, 0,
	    2, "علی", "نوروزی\u200cفر"},
	{"ثبتنام علی رضایی", CORE_CMD_REG, false, false, 0, 0, 2, "علی",
	    "رضایی"},
	{"ثبت نام علی", CORE_CMD_REG, false, true, 0, 0, 2, "", ""},
	{"STOP", CORE_CMD_STOP, true, false, 0, 0, 2, "", ""},
	{"لغو", CORE_CMD_STOP, false, false, 0, 0, 2, "", ""},
	{"START", CORE_CMD_START, true, false, 0, 0, 2, "", ""},
	{"شروع", CORE_CMD_START, false, false, 0, 0, 2, "", ""},
	{"بستن 10025", CORE_CMD_CLOSE, false, false, 10025, 0, 2, "", ""},
	{"CLOSE ۱۰۰۲۵", CORE_CMD_CLOSE, true, false, 10025, 0, 2, "", ""},
	{"close", CORE_CMD_CLOSE, true, true, 0, 0, 2, "", ""},
	{"hello there", CORE_CMD_NONE, true, false, 0, 0, 2, "", ""},
	{"سلام", CORE_CMD_NONE, false, false, 0, 0, 2, "", ""},
	{"", CORE_CMD_NONE, false, false, 0, 0, 2, "", ""},
};

static void
test_parse_table(void **state)
{
	struct core_cmd c;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(pcases) / sizeof(pcases[0]); i++) {
		const struct pcase *t = &pcases[i];

		core_cmd_parse(t->text, &c);
		if (c.id != t->id || c.en != t->en || c.missing != t->missing ||
		    c.tracking != t->tracking || c.dept != t->dept ||
		    (t->id == CORE_CMD_NEW && c.prio != t->prio) ||
		    strcmp(c.text, t->arg) != 0 || strcmp(c.last, t->last) != 0)
			fail_msg("case %zu '%s': id=%d en=%d missing=%d "
				 "tracking=%lld dept=%d prio=%d text='%s' "
				 "last='%s'",
			    i, t->text, c.id, c.en, c.missing,
			    (long long)c.tracking, c.dept, c.prio, c.text,
			    c.last);
	}
}

/* Mistyped words get the closest command as a hint. */
static void
test_parse_closest(void **state)
{
	struct core_cmd c;

	(void)state;
	core_cmd_parse("STATSU 10025", &c);
	assert_int_equal(c.id, CORE_CMD_NONE);
	assert_int_equal(c.closest, CORE_CMD_STATUS);
	assert_true(c.en);
	core_cmd_parse("وضعیتت 10025", &c);
	assert_int_equal(c.closest, CORE_CMD_STATUS);
	assert_false(c.en);
	core_cmd_parse("لیستت", &c);
	assert_int_equal(c.closest, CORE_CMD_LIST);
	core_cmd_parse("10025 لطفا", &c);
	assert_int_equal(c.id, CORE_CMD_NONE);
	assert_int_equal(c.closest, CORE_CMD_STATUS);
	core_cmd_parse("xyzzyplugh", &c);
	assert_int_equal(c.closest, CORE_CMD_NONE);
}

/* A tiny LCG: the same inputs every run. */
static unsigned
rnd(unsigned *seed, unsigned n)
{
	*seed = *seed * 1103515245u + 12345u;
	return (*seed >> 16) % n;
}

/* Append s to buf (cap bytes), which must have room. */
static void
put(char *buf, size_t cap, const char *s)
{
	size_t len = strlen(buf);

	assert_true(len + strlen(s) < cap);
	memcpy(buf + len, s, strlen(s) + 1);
}

/*
 * The property: a command as a phone may type it (random runs of spaces
 * and tabs around its words, ZWNJ at word edges, Arabic ي and ك for
 * Persian ی and ک, Persian or Arabic-Indic digits) parses exactly as its
 * clean form. Then random bytes and random mixtures of command words: no
 * crash, the text fields always terminated.
 */
static void
test_parse_random(void **state)
{
	static const char *const clean[] = {
		"وضعیت 10025", "10025", "لیست", "واحدها 2", "جدید 2 چاپگر خراب است",
		"جدید 17 خف نشت گاز", "جدید 4 ض کار تکمیلی", "پاسخ 10025 کیفیت کار",
		"پیگیری 10025", "ارجاع 10025", "وضعیت #10025", "واحد ها 2",
		"جدید 2 خیلی فوری نشت گاز",
		"ثبت نام علی رضایی", "ثبت نام کیان کاکایی",
		"لغو", "شروع", "راهنما", "STATUS 10025", "NEW 2 F printer broken",
		"R 10025 many thanks", "REG Ali Rezaei", "ESCALATE 10025",
	};
	static const char *const fa_digit[10] = {"۰", "۱", "۲", "۳", "۴", "۵",
		"۶", "۷", "۸", "۹"};
	static const char *const ar_digit[10] = {"٠", "١", "٢", "٣", "٤", "٥",
		"٦", "٧", "٨", "٩"};
	static const char *const bits[] = {"وضعیت", "جدید", "۱", "2", " ",
		"\u200c", "ي", "STATUS", "NEW", "R", "ثبت", "نام", "\xff",
		"\xd9", "VF", "خف", "\n", "10025", "؟"};
	char buf[1024];
	struct core_cmd want, c;
	unsigned seed = 12345;
	int i, k, changed = 0;

	(void)state;
	for (i = 0; i < 400; i++) {
		const char *p = clean[i % (sizeof(clean) / sizeof(clean[0]))];
		unsigned sp;

		core_cmd_parse(p, &want);
		assert_int_not_equal(want.id, CORE_CMD_NONE);
		buf[0] = '\0';
		for (sp = rnd(&seed, 3); sp > 0; sp--)
			put(buf, sizeof(buf), rnd(&seed, 2) ? " " : "\t");
		while (*p != '\0') {
			if (*p == ' ') {
				/* A word break: spaces, ZWNJ on its edges. */
				if (rnd(&seed, 2))
					put(buf, sizeof(buf), "\u200c");
				for (sp = 1 + rnd(&seed, 3); sp > 0; sp--)
					put(buf, sizeof(buf), " ");
				if (rnd(&seed, 2))
					put(buf, sizeof(buf), "\u200c");
				p++;
			} else if (*p >= '0' && *p <= '9') {
				unsigned how = rnd(&seed, 3);
				char d[2] = {*p, '\0'};

				put(buf, sizeof(buf), how == 0 ? d : how == 1 ?
				    fa_digit[*p - '0'] : ar_digit[*p - '0']);
				p++;
			} else if (strncmp(p, "ی", 2) == 0) {
				put(buf, sizeof(buf), rnd(&seed, 2) ? "ي" : "ی");
				p += 2;
			} else if (strncmp(p, "ک", 2) == 0) {
				put(buf, sizeof(buf), rnd(&seed, 2) ? "ك" : "ک");
				p += 2;
			} else {
				char ch[2] = {*p++, '\0'};

				put(buf, sizeof(buf), ch);
			}
		}
		for (sp = rnd(&seed, 3); sp > 0; sp--)
			put(buf, sizeof(buf), rnd(&seed, 2) ? "\u200c" : " ");
		if (strcmp(buf, clean[i % (sizeof(clean) / sizeof(clean[0]))]))
			changed++;
		core_cmd_parse(buf, &c);
		if (c.id != want.id || c.en != want.en ||
		    c.missing != want.missing || c.tracking != want.tracking ||
		    c.dept != want.dept || c.prio != want.prio ||
		    strcmp(c.text, want.text) != 0 ||
		    strcmp(c.last, want.last) != 0)
			fail_msg("'%s' parsed as id=%d en=%d missing=%d "
				 "tracking=%lld dept=%d prio=%d text='%s' "
				 "last='%s'; its clean form as id=%d "
				 "tracking=%lld dept=%d text='%s' last='%s'",
			    buf, c.id, c.en, c.missing, (long long)c.tracking,
			    c.dept, c.prio, c.text, c.last, want.id,
			    (long long)want.tracking, want.dept, want.text,
			    want.last);
	}
	/* The noise was there: most inputs differ from their clean form. */
	assert_true(changed > 300);
	for (i = 0; i < 200; i++) {
		size_t len = 0;
		int n = (int)rnd(&seed, 12);

		buf[0] = '\0';
		for (k = 0; k < n; k++) {
			if (i % 3 == 0) {
				buf[len++] = (char)(rnd(&seed, 255) + 1);
				buf[len] = '\0';
			} else {
				const char *b = bits[rnd(&seed,
				    sizeof(bits) / sizeof(bits[0]))];

				if (len + strlen(b) + 1 < sizeof(buf)) {
					strcat(buf, b);
					len += strlen(b);
				}
			}
		}
		core_cmd_parse(buf, &c);
		assert_true(c.id <= CORE_CMD_LAST);
		assert_true(strlen(c.text) < sizeof(c.text));
		assert_true(strlen(c.last) < sizeof(c.last));
	}
	core_cmd_parse(NULL, &c);
	assert_int_equal(c.id, CORE_CMD_NONE);
}

/* Issue 9: the text of NEW and R starts where the sender's text starts,
 * as sent: line breaks, digits and spelling kept (the parser's own copy
 * is normalized on one line, for the title). */
static void
test_parse_body_as_sent(void **state)
{
	static const struct {
		const char *text, *body;
	} t[] = {
		{"NEW 2 line one\nline two", "line one\nline two"},
		{"جدید ۲ خف  نشت گاز\n\nطبقه ۳", "نشت گاز\n\nطبقه ۳"},
		{"  R\t۱۰۰۲۵\n\u200c many\r\nthanks", "many\r\nthanks"},
		{"\u200cپاسخ \u200c 10025 متن", "متن"},
		{"NEW 2\nالف\u200cب ي", "الف\u200cب ي"},
		{"پاسخ10025 متن\nدوم", "متن\nدوم"},
		{"R#۱۰۰۲۵  many\nthanks", "many\nthanks"},
		{"جدید ۲ خیلی  فوری نشت\nگاز", "نشت\nگاز"},
	};
	struct core_cmd c;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		core_cmd_parse(t[i].text, &c);
		assert_false(c.missing);
		if (strcmp(t[i].text + c.body_off, t[i].body) != 0)
			fail_msg("case %zu: body «%s», want «%s»", i,
			    t[i].text + c.body_off, t[i].body);
	}
}

/* ---- The handler ------------------------------------------------------------- */

#define T0 1763971200 /* 2025-11-24 08:00 UTC: Monday 11:30 in Tehran */

struct world {
	struct db *db;
	int64_t a, b, it, t;
	struct core_sms_config sms;
	struct core_sla_config sla;
	struct core_alert_config alerts;
	struct core_calendar *cal;
	struct core_env env;
};

static int
setup(void **state)
{
	static const int d2[] = {2};
	struct world *w = calloc(1, sizeof(*w));
	char err[SD_ERRLEN];

	sd_clock_set_fixed(T0);
	w->db = tu_db_open(":memory:");
	w->a = tu_user(w->db, "09131111111", CORE_ROLE_APPLICANT, NULL, 0);
	w->b = tu_user(w->db, "09132222222", CORE_ROLE_APPLICANT, NULL, 0);
	w->it = tu_user(w->db, "09133333333", CORE_ROLE_STAFF, d2, 1);
	w->sms.max_reply_parts = 2;
	w->sms.mo_per_hour = 30;
	w->sms.staff_mo_per_hour = 300;
	w->sms.link_ttl_days = 7;
	snprintf(w->sms.thanks_phrases, sizeof(w->sms.thanks_phrases), "%s",
	    CORE_THANKS_DEFAULT);
	snprintf(w->sla.working_days, sizeof(w->sla.working_days),
	    "sat,sun,mon,tue,wed");
	w->sla.thursday = CORE_THU_OFF;
	w->sla.escalation = CORE_ESC_BOTH;
	w->sla.answer_days = 2;
	if (core_calendar_new(&w->sla, &w->cal, err) != SD_OK)
		fail_msg("calendar: %s", err);
	w->env.base_url = "https://desk.example";
	w->env.sms = &w->sms;
	w->env.sla = &w->sla;
	w->env.cal = w->cal;
	w->alerts.very_urgent_per_applicant_hour = 2;
	w->alerts.very_urgent_per_dept_hour = 10;
	w->alerts.digest_every_min = 60;
	w->env.alerts = &w->alerts;
	w->env.effects = CORE_FX_SMS;
	if (core_request_create(w->db, &w->env, tu_actor(w->db, w->a), 2, CORE_PRIO_URGENT,
		"عنوان", "سلام", CORE_CHAN_WEB, &w->t, err) != SD_OK)
		fail_msg("create: %s", err);
	*state = w;
	return 0;
}

static int
teardown(void **state)
{
	struct world *w = *state;

	db_close(w->db);
	core_calendar_free(w->cal);
	free(w);
	sd_clock_set_fixed(0);
	return 0;
}

/* Send text from from; the reply queued (caller frees), or NULL. The
 * inbox row is stored as the pipeline does (for flood counting). */
static char *
mo(struct world *w, const char *from, const char *text)
{
	struct db_outbox_row r;
	struct core_mo m;
	int64_t id = 0, in;
	char *body, why[DB_INBOX_REASON_LEN];

	memset(&m, 0, sizeof(m));
	m.from = from;
	m.to = "3000";
	m.text = text;
	m.ussd_session = -1;
	assert_int_equal(db_begin(w->db), SD_OK);
	assert_int_equal(core_mo_handle(w->db, &w->env, &m, &id, why), SD_OK);
	assert_int_equal(db_inbox_add_handled(w->db, from, "3000", text,
			     DB_INBOX_SMS, NULL, id, &in),
	    SD_OK);
	if (why[0] != '\0')
		assert_int_equal(db_inbox_set_reason(w->db, in, why), SD_OK);
	assert_int_equal(db_commit(w->db), SD_OK);
	if (id == 0)
		return NULL;
	assert_int_equal(db_outbox_get(w->db, id, &r, NULL), SD_OK);
	assert_int_equal(r.kind, CORE_OUT_REPLY);
	assert_string_equal(r.destination, from);
	body = strdup(r.body);
	db_outbox_row_fini(&r);
	return body;
}

/* Alerts queued for e164 (claimed, so each is seen once). */
static int
alerts_for(struct world *w, const char *e164, char *last, size_t n)
{
	struct db_outbox_row rows[32];
	size_t got = 0, exp, i;
	int k = 0;

	assert_int_equal(db_begin(w->db), SD_OK);
	assert_int_equal(db_outbox_claim(w->db, sd_clock_now(),
			     1u << CORE_OUT_ALERT, 32, rows, &got, &exp),
	    SD_OK);
	assert_int_equal(db_commit(w->db), SD_OK);
	for (i = 0; i < got; i++) {
		if (strcmp(rows[i].destination, e164) == 0) {
			k++;
			if (last != NULL)
				snprintf(last, n, "%s", rows[i].body);
		}
		db_outbox_row_fini(&rows[i]);
	}
	return k;
}

/* UTF-16 units of a text (UCS-2 SMS length). */
static size_t
units(const char *s)
{
	size_t u = 0;

	for (; *s != '\0'; s++)
		if (((unsigned char)*s & 0xc0) != 0x80)
			u += (unsigned char)*s >= 0xf0 ? 2 : 1;
	return u;
}

static enum core_status
status_of(struct world *w, int64_t t)
{
	struct db_request r;
	enum core_status s;

	assert_int_equal(db_request_get(w->db, t, &r), SD_OK);
	s = r.status;
	db_request_fini(&r);
	return s;
}

static void
test_status(void **state)
{
	struct world *w = *state;
	char err[SD_ERRLEN], *r;

	assert_int_equal(core_request_reply(w->db, &w->env, tu_actor(w->db, w->it), w->t,
			     "پاسخ کارشناس به درخواست", CORE_CHAN_WEB, NULL,
			     err),
	    SD_OK);
	r = mo(w, "989131111111", "وضعیت ۱۰۰۰۱");
	/* Issue 11: the title and the department's full name. */
	assert_non_null(strstr(r, "درخواست 10001: پاسخ داده شد\n"
				  "پاسخ: «پاسخ کارشناس به درخواست»\n"
				  "فناوری اطلاعات: «عنوان»\n"));
	tu_assert_link(w->db, r, "https://desk.example", 10001,
	    "+989131111111");
	assert_true(units(r) <= 134);
	free(r);
	r = mo(w, "989131111111", "  10001 ");
	assert_non_null(strstr(r, "پاسخ داده شد"));
	free(r);
	r = mo(w, "989131111111", "STATUS 10001");
	assert_non_null(strstr(r, "Request 10001"));
	assert_non_null(strstr(r, "Request 10001: answered\n"));
	assert_non_null(strstr(r, "\ndepartment 2: \"عنوان\"\n"));
	free(r);
	/* Staff of the department see it too. */
	r = mo(w, "989133333333", "10001");
	assert_non_null(strstr(r, "درخواست 10001"));
	free(r);
}

/* Another person's request, a missing one: the same answer. */
static void
test_not_found(void **state)
{
	struct world *w = *state;
	char *other, *missing;

	other = mo(w, "+989132222222", "وضعیت 10001");
	missing = mo(w, "+989132222222", "وضعیت 10099");
	assert_non_null(strstr(other, "10001 برای شما یافت نشد"));
	assert_non_null(strstr(missing, "10099 برای شما یافت نشد"));
	free(other);
	free(missing);
	other = mo(w, "+989132222222", "R 10001 hello");
	assert_non_null(strstr(other, "No request 10001"));
	free(other);
	other = mo(w, "+989132222222", "ارجاع 10001");
	assert_non_null(strstr(other, "یافت نشد"));
	free(other);
	assert_int_equal(status_of(w, w->t), CORE_STATUS_AWAITING);
}

static void
test_help_list_depts(void **state)
{
	struct world *w = *state;
	char *r;

	r = mo(w, "989131111111", "راهنما");
	/* Issue 11: the priority letters, «ارجاع», and an example of
	 * registration, not its template. */
	assert_non_null(strstr(r, "جدید 2 [خف|ف|ع|ض] متن"));
	assert_non_null(strstr(r, "ارجاع 10025"));
	assert_non_null(strstr(r, "ثبت‌نام علی رضایی"));
	assert_null(strstr(r, "فامیل"));
	assert_null(strstr(r, "پیگیری"));
	assert_true(units(r) <= 134); /* two UCS-2 parts */
	free(r);
	r = mo(w, "989131111111", "HELP");
	assert_non_null(strstr(r, "ESCALATE 10025"));
	assert_non_null(strstr(r, "REG Ali Rezaei"));
	assert_true(strlen(r) <= 306); /* two GSM parts */
	free(r);
	r = mo(w, "989131111111", "لیست");
	assert_non_null(strstr(r, "درخواست‌های شما:"));
	assert_non_null(strstr(r, "10001 در انتظار پاسخ، فناوری"));
	free(r);
	r = mo(w, "989132222222", "LIST");
	assert_non_null(strstr(r, "no requests"));
	free(r);
	r = mo(w, "989131111111", "واحدها");
	assert_non_null(strstr(r, "واحدها:\n1 آموزش\n"));
	assert_non_null(strstr(r, "\n8 نقشه‌برداری\n"));
	assert_non_null(strstr(r, "واحدها 2"));
	assert_null(strstr(r, "…"));
	assert_true(units(r) <= 134);
	free(r);
	r = mo(w, "989131111111", "واحد ها ۲");
	assert_non_null(strstr(r, "\n9 اداری\n"));
	assert_non_null(strstr(r, "10 دبیرخانه"));
	assert_non_null(strstr(r, "17 دفتر رئیس"));
	assert_null(strstr(r, "…"));
	assert_true(units(r) <= 134);
	free(r);
	/* Unknown and mistyped. */
	r = mo(w, "989131111111", "سلام خوبید؟");
	assert_non_null(strstr(r, "متأسفانه پیام شما شناخته نشد."));
	assert_non_null(strstr(r, "(مثلاً 10025)"));
	free(r);
	/* Issue 11: the hint carries the sender's own number. */
	r = mo(w, "989131111111", "STATSU 10001");
	assert_non_null(strstr(r, "Did you mean \"STATUS 10001\"?"));
	free(r);
	r = mo(w, "989131111111", "وضیعت ۱۰۰۰۱");
	assert_non_null(strstr(r, "آیا منظورتان «وضعیت 10001» بود؟"));
	assert_null(strstr(r, "10025"));
	free(r);
	r = mo(w, "989131111111", "ارجاغ10001");
	assert_non_null(strstr(r, "آیا منظورتان «ارجاع 10001» بود؟"));
	free(r);
	r = mo(w, "989131111111", "وضیعت");
	assert_non_null(strstr(r, "آیا منظورتان «وضعیت 10025» بود؟"));
	free(r);
	r = mo(w, "989131111111", "\xff\xfe");
	assert_non_null(strstr(r, "شناخته نشد"));
	free(r);
	r = mo(w, "989131111111", "جدید");
	assert_non_null(strstr(r, "شکل درست: جدید 2 متن"));
	free(r);
}

/* NEW, then a staff answer by SMS alerts the applicant; the applicant's
 * follow-up sets it awaiting again; a closed one takes no more. */
static void
test_new_reply_alert(void **state)
{
	struct world *w = *state;
	char alert[1024], err[SD_ERRLEN], *r;
	struct db_request q;

	(void)alerts_for(w, "", NULL, 0); /* drain */
	r = mo(w, "989131111111", "جدید ۲ ف چاپگر طبقه دوم کار نمی‌کند");
	assert_non_null(strstr(r, "شماره رهگیری 10002 برای «فناوری اطلاعات» "
				  "ثبت شد."));
	tu_assert_link(w->db, r, "https://desk.example", 10002,
	    "+989131111111");
	free(r);
	assert_int_equal(db_request_get(w->db, 10002, &q), SD_OK);
	assert_int_equal(q.dept, 2);
	assert_int_equal(q.prio, CORE_PRIO_URGENT);
	assert_int_equal(q.chan, CORE_CHAN_SMS);
	assert_string_equal(q.title, "چاپگر طبقه دوم کار نمی‌کند");
	db_request_fini(&q);
	r = mo(w, "989131111111", "جدید 99 متن");
	assert_non_null(strstr(r, "واحدی با کد 99 وجود ندارد؛ کد واحدها از 1 "
				  "تا 17 است."));
	free(r);
	/* Staff answer from their phone. */
	r = mo(w, "989133333333", "پاسخ 10002 کارتریج عوض شد");
	assert_non_null(strstr(r, "پاسخ شما به درخواست 10002 ثبت شد"));
	free(r);
	assert_int_equal(status_of(w, 10002), CORE_STATUS_ANSWERED);
	assert_int_equal(alerts_for(w, "+989131111111", alert, sizeof(alert)),
	    1);
	assert_non_null(strstr(alert, "به درخواست 10002 شما پاسخ داده شد: "
				      "«کارتریج عوض شد»"));
	tu_assert_link(w->db, alert, "https://desk.example", 10002,
	    "+989131111111");
	r = mo(w, "989131111111", "LIST");
	assert_non_null(strstr(r, "10002 answered"));
	free(r);
	/* The applicant's follow-up. */
	r = mo(w, "989131111111", "R 10002 still broken");
	assert_non_null(strstr(r, "added to request 10002"));
	free(r);
	assert_int_equal(status_of(w, 10002), CORE_STATUS_AWAITING);
	assert_int_equal(core_request_set_status(w->db, &w->env, tu_actor(w->db, w->it), 10002,
			     CORE_STATUS_CLOSED, err),
	    SD_OK);
	assert_int_equal(alerts_for(w, "+989131111111", alert, sizeof(alert)),
	    1);
	assert_non_null(strstr(alert, "درخواست 10002 شما بسته شد"));
	r = mo(w, "989131111111", "پاسخ 10002 باز هم");
	assert_non_null(strstr(r, "درخواست 10002 بسته شده است"));
	free(r);
}

/* Very urgent requests alert the department's staff. */
static void
test_very_urgent(void **state)
{
	struct world *w = *state;
	char alert[1024], *r;
	struct db_request q;

	(void)alerts_for(w, "", NULL, 0);
	r = mo(w, "989131111111", "NEW 2 VF server room flooded");
	assert_non_null(strstr(r, "Request 10002"));
	free(r);
	assert_int_equal(alerts_for(w, "+989133333333", alert, sizeof(alert)),
	    1);
	assert_non_null(strstr(alert, "درخواست خیلی فوری 10002"));
	r = mo(w, "989131111111", "NEW 2 N not urgent");
	free(r);
	assert_int_equal(alerts_for(w, "+989133333333", NULL, 0), 0);
	/* Issue 11: «خیلی فوری» in two words, as the guide writes it, is
	 * the priority, not the start of the title. */
	r = mo(w, "989131111111", "جدید ۲ خیلی فوری سرور از کار افتاد");
	assert_non_null(strstr(r, "شماره رهگیری 10004"));
	free(r);
	assert_int_equal(db_request_get(w->db, 10004, &q), SD_OK);
	assert_int_equal(q.prio, CORE_PRIO_VERY_URGENT);
	assert_string_equal(q.title, "سرور از کار افتاد");
	db_request_fini(&q);
	assert_int_equal(alerts_for(w, "+989133333333", alert, sizeof(alert)),
	    1);
	assert_non_null(strstr(alert, "درخواست خیلی فوری 10004"));
}

/* Alerts queued for anyone (claimed); the number, and the body of the
 * last one for e164 in last. */
static int
alerts_all(struct world *w, const char *e164, char *last, size_t n,
    int *to_e164)
{
	struct db_outbox_row rows[64];
	size_t got = 0, exp, i;
	int k = 0;

	*to_e164 = 0;
	do {
		assert_int_equal(db_begin(w->db), SD_OK);
		assert_int_equal(db_outbox_claim(w->db, sd_clock_now(),
				     1u << CORE_OUT_ALERT, 64, rows, &got, &exp),
		    SD_OK);
		assert_int_equal(db_commit(w->db), SD_OK);
		for (i = 0; i < got; i++) {
			if (strcmp(rows[i].destination, e164) == 0) {
				(*to_e164)++;
				if (last != NULL)
					snprintf(last, n, "%s", rows[i].body);
			}
			db_outbox_row_fini(&rows[i]);
		}
		k += (int)got;
	} while (got == 64);
	return k;
}

/* Issue 9: ten «جدید 2 خف …» from one number made 60 SMS to a
 * department's six staff, each with the sender's text. Now at most
 * [alerts] very_urgent_per_applicant_hour of an applicant's and
 * very_urgent_per_dept_hour of a department's go out at once; the rest
 * wait for one digest per staff member (tracking numbers only), at most
 * one every digest_every_min. Counted from the database. */
static void
test_very_urgent_limited(void **state)
{
	static const int d2[] = {2};
	static const char *const more[] = {"09134000001", "09134000002",
		"09134000003", "09134000004", "09134000005"};
	struct world *w = *state;
	char text[64], last[1024], err[SD_ERRLEN], *r;
	size_t sent = 99, i;
	int to_it;

	for (i = 0; i < 5; i++)
		(void)tu_user(w->db, more[i], CORE_ROLE_STAFF, d2, 1);
	(void)alerts_all(w, "", NULL, 0, &to_it);
	for (i = 0; i < 10; i++) {
		snprintf(text, sizeof(text), "جدید 2 خف سرور %zu از کار افتاد",
		    i);
		r = mo(w, "989131111111", text);
		assert_non_null(strstr(r, "ثبت شد"));
		free(r);
	}
	/* Two requests (10002, 10003) alerted the six; 10004..10011 wait. */
	assert_int_equal(alerts_all(w, "+989133333333", last, sizeof(last),
			     &to_it),
	    12);
	assert_int_equal(to_it, 2);
	assert_non_null(strstr(last, "درخواست خیلی فوری 10003"));

	assert_int_equal(core_alert_digest(w->db, &w->env, &sent, err), SD_OK);
	assert_int_equal(sent, 6);
	assert_int_equal(alerts_all(w, "+989133333333", last, sizeof(last),
			     &to_it),
	    6);
	assert_int_equal(to_it, 1);
	assert_non_null(strstr(last, "8 درخواست خیلی فوری دیگر در صف"));
	assert_non_null(strstr(last, "10004، 10005، 10006، 10007، 10008، "
				     "10009، 10010، 10011"));
	assert_null(strstr(last, "سرور")); /* no sender's text */
	/* Once: nothing new, and not again within the hour. */
	assert_int_equal(core_alert_digest(w->db, &w->env, &sent, err), SD_OK);
	assert_int_equal(sent, 0);

	/* Another applicant is not held back by the first. */
	r = mo(w, "989132222222", "NEW 2 VF power cut");
	free(r);
	assert_int_equal(alerts_all(w, "+989133333333", NULL, 0, &to_it), 6);
	/* The first applicant's next one waits; the digest for it comes an
	 * hour after the last digest, with it alone. */
	sd_clock_set_fixed(T0 + 1800);
	free(mo(w, "989131111111", "جدید 2 خف دوباره"));
	assert_int_equal(alerts_all(w, "+989133333333", NULL, 0, &to_it), 0);
	assert_int_equal(core_alert_digest(w->db, &w->env, &sent, err), SD_OK);
	assert_int_equal(sent, 0);
	sd_clock_set_fixed(T0 + 3601);
	assert_int_equal(core_alert_digest(w->db, &w->env, &sent, err), SD_OK);
	assert_int_equal(sent, 6);
	assert_int_equal(alerts_all(w, "+989133333333", last, sizeof(last),
			     &to_it),
	    6);
	assert_non_null(strstr(last, "1 درخواست خیلی فوری دیگر در صف"));
	assert_non_null(strstr(last, "10013"));
	assert_null(strstr(last, "10004"));

	/* The department's limit: three an hour, from four applicants. */
	sd_clock_set_fixed(T0 + 3 * 3600);
	w->alerts.very_urgent_per_dept_hour = 3;
	for (i = 0; i < 4; i++) {
		char mobile[16];

		snprintf(mobile, sizeof(mobile), "0913500000%zu", i);
		(void)tu_user(w->db, mobile, CORE_ROLE_APPLICANT, NULL, 0);
		snprintf(mobile, sizeof(mobile), "98913500000%zu", i);
		free(mo(w, mobile, "NEW 2 VF help"));
	}
	assert_int_equal(alerts_all(w, "+989133333333", NULL, 0, &to_it),
	    18);
	assert_int_equal(to_it, 3);
	assert_int_equal(core_alert_digest(w->db, &w->env, &sent, err), SD_OK);
	assert_int_equal(sent, 6);
}

/* STOP stops alerts, not the answers to the sender's own commands. */
static void
test_stop_start(void **state)
{
	struct world *w = *state;
	char err[SD_ERRLEN], *r;

	(void)alerts_for(w, "", NULL, 0);
	r = mo(w, "989131111111", "لغو");
	assert_non_null(strstr(r, "پیامک‌های اطلاع‌رسانی قطع شد"));
	free(r);
	assert_int_equal(core_request_reply(w->db, &w->env, tu_actor(w->db, w->it), w->t,
			     "answer one", CORE_CHAN_WEB, NULL, err),
	    SD_OK);
	assert_int_equal(alerts_for(w, "+989131111111", NULL, 0), 0);
	r = mo(w, "989131111111", "وضعیت 10001");
	assert_non_null(strstr(r, "پاسخ داده شد"));
	free(r);
	r = mo(w, "989131111111", "START");
	assert_non_null(strstr(r, "Alerts are on again"));
	free(r);
	assert_int_equal(core_request_reply(w->db, &w->env, tu_actor(w->db, w->it), w->t,
			     "answer two", CORE_CHAN_WEB, NULL, err),
	    SD_OK);
	assert_int_equal(alerts_for(w, "+989131111111", NULL, 0), 1);
}

/* ESCALATE: not before two working days; after, to the head's office. */
static void
test_escalate(void **state)
{
	struct world *w = *state;
	struct db_request q;
	char alert[512], *r;

	/* Created Monday 11:30: Tuesday counts, then Wednesday 11:30. */
	sd_clock_set_fixed(T0 + 86400); /* Tuesday */
	r = mo(w, "989131111111", "ارجاع 10001");
	assert_non_null(strstr(r, "درخواست 10001 را از 1404/09/05 11:30 "
				  "می‌توانید به دفتر رئیس سازمان ارجاع "
				  "دهید"));
	free(r);
	sd_clock_set_fixed(T0 + 2 * 86400 - 60);
	r = mo(w, "989131111111", "ESCALATE 10001");
	assert_non_null(strstr(r, "can be escalated from"));
	free(r);
	(void)alerts_for(w, "", NULL, 0);
	sd_clock_set_fixed(T0 + 2 * 86400);
	/* Issue 11: «پیگیری» asks for the status; it escalates nothing. */
	r = mo(w, "989131111111", "پیگیری ۱۰۰۰۱");
	assert_non_null(strstr(r, "درخواست 10001: در انتظار پاسخ\nفناوری "
				  "اطلاعات: «عنوان»\n"));
	free(r);
	assert_int_equal(db_request_get(w->db, 10001, &q), SD_OK);
	assert_false(q.escalated);
	db_request_fini(&q);
	r = mo(w, "989131111111", "ارجاع ۱۰۰۰۱");
	assert_non_null(strstr(r, "به دفتر رئیس سازمان ارجاع شد"));
	free(r);
	/* Issue 11: it stays in its department, flagged. */
	assert_int_equal(db_request_get(w->db, 10001, &q), SD_OK);
	assert_true(q.escalated);
	assert_int_equal(q.dept, 2);
	assert_int_equal(q.orig_dept, 2);
	db_request_fini(&q);
	/* One SMS to the applicant (the answer above), not an alert
	 * saying the same again. */
	assert_int_equal(alerts_for(w, "+989131111111", alert, sizeof(alert)),
	    0);
	r = mo(w, "989131111111", "ارجاع 10001");
	assert_non_null(strstr(r, "پیش‌تر به دفتر رئیس"));
	free(r);
	/* Its staff still find it, and STATUS says it is escalated. */
	r = mo(w, "989133333333", "وضعیت 10001");
	assert_non_null(strstr(r, "درخواست 10001: در انتظار پاسخ دفتر رئیس "
				  "سازمان\nفناوری اطلاعات: «عنوان»"));
	free(r);
	r = mo(w, "989131111111", "STATUS 10001");
	assert_non_null(strstr(r, "Request 10001: awaiting (escalated to the "
				  "head's office)\n"));
	free(r);
}

/* Issue 11: the applicant closes their own request by SMS (no alert
 * besides the answer); a short thanks after an answer keeps it
 * answered and says how to close it. */
static void
test_close_and_thanks(void **state)
{
	struct world *w = *state;
	char err[SD_ERRLEN], *r;

	assert_int_equal(core_request_reply(w->db, &w->env,
			     tu_actor(w->db, w->it), w->t, "انجام شد",
			     CORE_CHAN_WEB, NULL, err),
	    SD_OK);
	r = mo(w, "989131111111", "پاسخ 10001 خيلي ممنون!");
	assert_non_null(strstr(r, "در وضعیت «پاسخ داده شد» می‌ماند"));
	assert_non_null(strstr(r, "بستن 10001"));
	free(r);
	assert_int_equal(status_of(w, w->t), CORE_STATUS_ANSWERED);
	r = mo(w, "989132222222", "بستن 10001");
	assert_non_null(strstr(r, "یافت نشد"));
	free(r);
	(void)alerts_for(w, "", NULL, 0);
	r = mo(w, "989131111111", "بستن ۱۰۰۰۱");
	assert_non_null(strstr(r, "درخواست 10001، چنان‌که خواسته بودید، بسته "
				  "شد."));
	free(r);
	assert_int_equal(status_of(w, w->t), CORE_STATUS_CLOSED);
	assert_int_equal(alerts_for(w, "+989131111111", NULL, 0), 0);
	r = mo(w, "989131111111", "CLOSE 10001");
	assert_non_null(strstr(r, "Request 10001 is closed"));
	free(r);
}

/* Thursday (off) and Friday do not count; a holiday neither. */
static void
test_calendar(void **state)
{
	struct world *w = *state;
	int64_t due;

	(void)state;
	/* Wednesday 2025-11-26 10:00 Tehran (06:30 UTC): Saturday and
	 * Sunday count; due Sunday 24:00 - (14 h of Wednesday) = Sunday
	 * 10:00. */
	assert_int_equal(core_calendar_due(w->cal, 1764138600, 2, &due),
	    SD_OK);
	assert_int_equal(due, 1764138600 + 4 * 86400);
	/* From a Friday: Saturday and Sunday whole: Monday 00:00. */
	assert_int_equal(core_calendar_due(w->cal, 1764311400, 2, &due),
	    SD_OK);
	/* Issue 11: office hours: Sunday 14:30 Tehran, the close. */
	assert_int_equal(due, 1764500400);
	assert_false(core_calendar_working(w->cal, 1764311400));
	assert_true(core_calendar_working(w->cal, 1764138600));
}

static void
test_reg_unregistered(void **state)
{
	struct world *w = *state;
	struct db_user u;
	char *r;

	r = mo(w, "989139999999", "وضعیت 10001");
	assert_non_null(strstr(r, "ثبت نشده"));
	assert_non_null(strstr(r, "ثبت‌نام علی رضایی"));
	assert_non_null(strstr(r, "https://desk.example بروید.")); /* whole */
	free(r);
	/* Issue 11: the template's own words register nobody; the sender
	 * gets the example. */
	{
		static const char *const tmpl[] = {"ثبت نام نام فامیل",
		    "ثبت‌نام نام و نام خانوادگی", "ثبتنام نام نام‌خانوادگی",
		    "REG first last", "reg First Last"};
		size_t k;

		for (k = 0; k < sizeof(tmpl) / sizeof(tmpl[0]); k++) {
			r = mo(w, "989139999999", tmpl[k]);
			if (strstr(r, k < 3 ? "ثبت‌نام علی رضایی" :
					      "REG Ali Rezaei") == NULL ||
			    strstr(r, k < 3 ? "خودتان" : "your own") == NULL)
				fail_msg("«%s» answered «%s»", tmpl[k], r);
			free(r);
			assert_int_equal(db_user_by_mobile(w->db,
					     "+989139999999", &u),
			    SD_ENOTFOUND);
		}
	}
	r = mo(w, "989139999999", "HELP");
	assert_non_null(strstr(r, "STATUS"));
	free(r);
	r = mo(w, "989139999999", "ثبت نام علی");
	assert_non_null(strstr(r, "ثبت نشده"));
	free(r);
	r = mo(w, "989139999999", "ثبت نام علی رضایی");
	assert_non_null(strstr(r, "علی رضایی عزیز، ثبت‌نام شما انجام شد."));
	/* The web address, not «گذرواژه وب: URL» (a password?). */
	assert_non_null(strstr(r, "تعیین گذرواژه به https://desk.example "
				  "بروید."));
	assert_null(strstr(r, "گذرواژه وب:"));
	free(r);
	assert_int_equal(db_user_by_mobile(w->db, "+989139999999", &u), SD_OK);
	assert_string_equal(u.first, "علی");
	assert_string_equal(u.last, "رضایی");
	assert_int_equal(u.role, CORE_ROLE_APPLICANT);
	assert_true(u.verified);
	db_user_fini(&u);
	r = mo(w, "989139999999", "REG Ali Again");
	assert_non_null(strstr(r, "already registered"));
	free(r);
	r = mo(w, "989139999999", "لیست");
	assert_non_null(strstr(r, "درخواستی ندارید"));
	free(r);
	/* drive_smpp's "456" is no mobile: told how to register. */
	r = mo(w, "456", "REG A B");
	assert_non_null(strstr(r, "not registered"));
	free(r);
}

/* More than mo_per_hour from one number: one answer, then silence. */
static void
test_flood(void **state)
{
	struct world *w = *state;
	char *r;
	int i;

	w->sms.mo_per_hour = 5;
	for (i = 0; i < 5; i++)
		free(mo(w, "989131111111", "10001"));
	r = mo(w, "989131111111", "10001");
	assert_non_null(strstr(r, "از حد مجاز در ساعت گذشت"));
	/* Issue 11: it says what happens to the next ones. */
	assert_non_null(strstr(r, "پیام‌های بعدی تا یک ساعت بررسی "
				  "نمی‌شوند."));
	free(r);
	assert_null(mo(w, "989131111111", "10001"));
	assert_null(mo(w, "989131111111", "HELP"));
	/* Another number is not affected; an hour later it is over. */
	r = mo(w, "989132222222", "10001");
	assert_non_null(r);
	free(r);
	sd_clock_set_fixed(T0 + 3601);
	r = mo(w, "989131111111", "10001");
	assert_non_null(strstr(r, "درخواست 10001"));
	free(r);
}

/* Issue #11: which commands are repeats not to apply twice (they change
 * something) and which only read, so are answered afresh every time. */
static void
test_cmd_changes(void **state)
{
	static const char *const reads[] = {"HELP", "راهنما", "وضعیت 10005",
	    "STATUS 10005", "10005", "پیگیری 10005", "لیست", "LIST", "واحدها", "DEPTS 2",
	    "سلام", "R", "جدید", "REG", ""};
	static const char *const writes[] = {"جدید 2 متن درخواست",
	    "NEW 2 F text", "R 10005 ok", "پاسخ 10005 متن", "ESCALATE 10005",
	    "ارجاع 10005", "بستن 10005", "CLOSE 10005", "REG Ali Rezaei", "ثبت نام علی رضایی", "STOP", "لغو", "START",
	    "شروع"};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(reads) / sizeof(reads[0]); i++)
		if (core_cmd_changes(reads[i]))
			fail_msg("\"%s\" taken for a change", reads[i]);
	for (i = 0; i < sizeof(writes) / sizeof(writes[0]); i++)
		if (!core_cmd_changes(writes[i]))
			fail_msg("\"%s\" taken for a read", writes[i]);
}

/* The inbox row of the latest MO: its reason ("" if processed). */
static void
last_reason(struct world *w, char *out, size_t n)
{
	struct db_inbox_entry *rows;
	size_t k;

	assert_int_equal(db_inbox_recent(w->db, 1, &rows, &k), SD_OK);
	assert_int_equal(k, 1);
	snprintf(out, n, "%s", rows[0].reason);
	db_inbox_entries_free(rows, k);
}

/* Issue #11: a staff phone's 35 answers in an hour are all applied (its
 * own limit, staff_mo_per_hour); an applicant over mo_per_hour is stored
 * with its reason, never dropped silently. */
static void
test_staff_limit(void **state)
{
	struct world *w = *state;
	struct db_message *msgs;
	char text[64], why[DB_INBOX_REASON_LEN], *r;
	int64_t before = 0, after = 0;
	size_t n;
	int i;

	w->sms.mo_per_hour = 30;
	w->sms.staff_mo_per_hour = 300;
	for (i = 1; i <= 35; i++) {
		snprintf(text, sizeof(text), "R %lld answer %d",
		    (long long)w->t, i);
		r = mo(w, "989133333333", text);
		if (r == NULL || strstr(r, "10001") == NULL)
			fail_msg("answer %d not applied: %s", i,
			    r != NULL ? r : "(no reply)");
		free(r);
		last_reason(w, why, sizeof(why));
		assert_string_equal(why, "");
	}
	assert_int_equal(core_request_thread(w->db, tu_actor(w->db, w->it),
			     w->t, &msgs, &n),
	    SD_OK);
	assert_int_equal(n, 1 + 35);
	db_message_list_free(msgs, n);

	/* An applicant over mo_per_hour: every message stored, the reason
	 * kept, one notice. */
	w->sms.mo_per_hour = 3;
	assert_int_equal(db_inbox_count(w->db, &before), SD_OK);
	for (i = 0; i < 3; i++)
		free(mo(w, "989131111111", "10001"));
	last_reason(w, why, sizeof(why));
	assert_string_equal(why, "");
	r = mo(w, "989131111111", "10001");
	assert_non_null(r);
	free(r);
	last_reason(w, why, sizeof(why));
	assert_string_equal(why, "over mo_per_hour=3: notice sent, not processed");
	assert_null(mo(w, "989131111111", "R 10001 more"));
	last_reason(w, why, sizeof(why));
	assert_string_equal(why, "over mo_per_hour=3: not processed");
	assert_int_equal(db_inbox_count(w->db, &after), SD_OK);
	assert_int_equal(after - before, 5);
}

/* Issue #11: LIST from a staff phone lists their departments' waiting
 * requests, the overdue first, with tracking numbers and titles. */
static void
test_staff_list(void **state)
{
	struct world *w = *state;
	char err[SD_ERRLEN], *r, *p1, *p2;
	int64_t t2 = 0, t3 = 0;

	/* 10002 in department 2, made a day later; 10003 elsewhere. */
	sd_clock_set_fixed(T0 + 86400);
	assert_int_equal(core_request_create(w->db, &w->env,
			     tu_actor(w->db, w->b), 2, CORE_PRIO_NORMAL,
			     "دومی", "متن", CORE_CHAN_WEB, &t2, err),
	    SD_OK);
	assert_int_equal(core_request_create(w->db, &w->env,
			     tu_actor(w->db, w->b), 5, CORE_PRIO_NORMAL,
			     "جای دیگر", "متن", CORE_CHAN_WEB, &t3, err),
	    SD_OK);
	/* Three days on: 10001 is overdue, 10002 not yet answered either. */
	sd_clock_set_fixed(T0 + 3 * 86400);
	r = mo(w, "989133333333", "لیست");
	assert_non_null(r);
	assert_null(strstr(r, "ندارید"));
	p1 = strstr(r, "10001 «عنوان»");
	p2 = strstr(r, "10002 «دومی»");
	if (p1 == NULL || p2 == NULL || p1 > p2)
		fail_msg("not the waiting list, oldest overdue first: %s", r);
	assert_non_null(strstr(p1, "دیرکرد"));
	assert_null(strstr(r, "10003"));
	free(r);
	r = mo(w, "989133333333", "LIST");
	assert_non_null(strstr(r, "10001 \"عنوان\" (overdue)"));
	free(r);
	/* Answered: no longer waiting. */
	assert_int_equal(core_request_reply(w->db, &w->env,
			     tu_actor(w->db, w->it), w->t, "پاسخ", CORE_CHAN_WEB,
			     NULL, err),
	    SD_OK);
	r = mo(w, "989133333333", "لیست");
	assert_null(strstr(r, "10001"));
	assert_non_null(strstr(r, "10002"));
	free(r);
	/* An applicant's LIST is still their own requests. */
	r = mo(w, "989131111111", "لیست");
	assert_non_null(strstr(r, "10001"));
	assert_null(strstr(r, "10002"));
	free(r);
}

/* A text of at least chars characters: Persian (or English) words, a line
 * break after every seventh. Caller frees. */
static char *
long_text(size_t chars, bool persian)
{
	const char *word = persian ? "درخواست" : "request";
	size_t wl = strlen(word), n = 0, k = 0, words = 0;
	char *s = malloc(chars * 4 + 64);

	assert_non_null(s);
	while (n < chars) {
		memcpy(s + k, word, wl);
		k += wl;
		n += 7;
		s[k++] = ++words % 7 == 0 ? '\n' : ' ';
		n++;
	}
	s[k - 1] = '.';
	s[k] = '\0';
	return s;
}

static size_t
chars_of(const char *s)
{
	size_t n = 0;

	for (; *s != '\0'; s++)
		if (((unsigned char)*s & 0xc0) != 0x80)
			n++;
	return n;
}

/* The body of message i of tracking (caller frees). */
static char *
body_of(struct world *w, int64_t t, size_t i)
{
	struct db_message *m;
	size_t n;
	char *b;

	assert_int_equal(db_message_list(w->db, t, &m, &n), SD_OK);
	assert_true(i < n);
	b = strdup(m[i].body);
	db_message_list_free(m, n);
	return b;
}

/* Issue 9: a 2,399-character NEW was stored as 681 characters cut
 * mid-word, a 3,160-character reply as 1,023 without its line breaks,
 * and both were confirmed. Now both are kept whole with their line
 * breaks; a text over the body limit is cut at the end at a word and the
 * sender is told so in the confirmation. */
static void
test_long_texts_kept(void **state)
{
	struct world *w = *state;
	char *body, *msg, *r, *got, *notice;
	struct db_request q;
	size_t len;

	body = long_text(2399, true);
	assert_true(chars_of(body) >= 2399);
	assert_int_equal(asprintf(&msg, "جدید ۲ %s", body) > 0, 1);
	r = mo(w, "989131111111", msg);
	assert_non_null(strstr(r, "شماره رهگیری 10002"));
	assert_null(strstr(r, "کوتاه شد"));
	free(r);
	free(msg);
	got = body_of(w, 10002, 0);
	assert_string_equal(got, body);
	free(got);
	/* The title is still the first words. */
	assert_int_equal(db_request_get(w->db, 10002, &q), SD_OK);
	assert_string_equal(q.title, "درخواست درخواست درخواست درخواست "
				     "درخواست درخواست");
	db_request_fini(&q);
	free(body);

	body = long_text(3160, false);
	assert_int_equal(asprintf(&msg, "R 10002 %s", body) > 0, 1);
	r = mo(w, "989131111111", msg);
	assert_non_null(strstr(r, "added to request 10002"));
	assert_null(strstr(r, "cut"));
	free(r);
	free(msg);
	got = body_of(w, 10002, 1);
	assert_string_equal(got, body);
	assert_non_null(strchr(got, '\n'));
	free(got);
	free(body);

	/* Over the limit: 12,000 Persian characters are 24,000 bytes. */
	body = long_text(12000, true);
	assert_true(strlen(body) > SD_BODY_MAX);
	assert_int_equal(asprintf(&msg, "جدید 2 %s", body) > 0, 1);
	r = mo(w, "989131111111", msg);
	assert_non_null(strstr(r, "شماره رهگیری 10003"));
	notice = strstr(r, "متن شما بلندتر از حد مجاز بود و از انتها کوتاه "
			   "شد");
	assert_non_null(notice);
	got = body_of(w, 10003, 0);
	len = strlen(got);
	assert_true(len <= SD_BODY_MAX && len > SD_BODY_MAX - 100);
	assert_memory_equal(got, body, len);
	assert_true(body[len] == ' ' || body[len] == '\n'); /* at a word */
	{
		char want[128];

		snprintf(want, sizeof(want), "%zu نویسه از %zu نویسه ثبت شد",
		    chars_of(got), chars_of(body));
		assert_non_null(strstr(notice, want));
	}
	tu_assert_link(w->db, r, "https://desk.example", 10003,
	    "+989131111111");
	/* max_reply_parts (2) and the two parts the notice may add
	 * (core_mo_handle): with a signed link (18 characters of token
	 * instead of 5 digits) the confirmation and the notice take 207
	 * units, 4 parts, no longer 3. */
	assert_true(units(r) > 3 * 67 && units(r) <= 4 * 67);
	free(got);
	free(r);
	free(msg);
	r = mo(w, "989131111111", "R 10003 short");
	assert_null(strstr(r, "cut"));
	free(r);
	assert_int_equal(asprintf(&msg, "R 10003 %s", body) > 0, 1);
	r = mo(w, "989131111111", msg);
	assert_non_null(strstr(r, "added to request 10003"));
	assert_non_null(strstr(r, "was cut at the end"));
	free(r);
	free(msg);
	free(body);
}

/* Issue 9: controls and bidi overrides of an answer do not reach the
 * phone raw (STATUS excerpt, alert); REG with them gets a Persian reason
 * and registers nobody. */
static void
test_sms_controls(void **state)
{
	struct world *w = *state;
	char alert[1024], err[SD_ERRLEN], *r;
	struct db_user u;

	(void)alerts_for(w, "", NULL, 0);
	assert_int_equal(core_request_reply(w->db, &w->env, tu_actor(w->db, w->it), w->t,
			     "ok\x1b[2J \u202Eevil", CORE_CHAN_WEB, NULL, err),
	    SD_OK);
	r = mo(w, "989131111111", "10001");
	assert_null(strchr(r, '\x1b'));
	assert_null(strstr(r, "\u202E"));
	assert_non_null(strstr(r, "ok<U+001B>[2J <U+202E>evil"));
	free(r);
	assert_int_equal(alerts_for(w, "+989131111111", alert, sizeof(alert)),
	    1);
	assert_null(strchr(alert, '\x1b'));
	assert_non_null(strstr(alert, "<U+202E>evil"));
	r = mo(w, "989139999999", "ثبت نام علی \u202Eیضار");
	assert_non_null(strstr(r, "نویسه‌های نامرئی یا کنترلی"));
	free(r);
	assert_int_equal(db_user_by_mobile(w->db, "+989139999999", &u),
	    SD_ENOTFOUND);
	r = mo(w, "989139999999", "REG Ali\x1b[8m Rezaei");
	assert_non_null(strstr(r, "invisible or control"));
	free(r);
}

/* The parts the smsc codec really cuts text into (UDH mode, the
 * dispatcher's encoding), as the oracle of the reply's length: not a
 * count of our own. */
static size_t
codec_parts(const char *text)
{
	struct smsc_seg_opts o;
	struct smsc_seg seg;
	char err[SD_ERRLEN];
	size_t n;

	smsc_seg_opts_default(&o);
	o.max_parts = SMSC_PARTS_MAX;
	if (smsc_seg_split(text, strlen(text), &o, 1, &seg, err) != SD_OK)
		fail_msg("codec: %s", err);
	n = seg.nparts;
	smsc_seg_fini(&seg);
	return n;
}

/* A reply over max_reply_parts is cut and ends with the link; the limit
 * holds for the parts the codec produces. */
static void
test_shorten(void **state)
{
	struct world *w = *state;
	char *r;

	w->sms.max_reply_parts = 1;
	r = mo(w, "989131111111", "راهنما");
	assert_int_equal(codec_parts(r), 1);
	assert_non_null(strstr(r, "…\nhttps://desk.example"));
	free(r);
	/* The English help fits one GSM part (160 septets) as it is: the
	 * '|' of the extension table costs two septets each. */
	r = mo(w, "989131111111", "HELP");
	assert_null(strstr(r, "..."));
	assert_int_equal(codec_parts(r), 1);
	free(r);
	/* STATUS in English with a Persian answer: cut in one UCS-2 part. */
	r = mo(w, "989131111111", "STATUS 10001");
	assert_int_equal(codec_parts(r), 1);
	tu_assert_link(w->db, r, "https://desk.example", 10001,
	    "+989131111111");
	free(r);
	/* Plain ASCII is not GSM 7-bit: a backtick has no GSM form, so this
	 * English reply of ~140 characters goes as UCS-2 (70 a part) and
	 * must be cut to one part of those, not budgeted as 160 septets. */
	r = mo(w, "989134444444",
	    "REG Ali O`Brien Abbasi Tehrani Esfahani Shirazi Kermani Yazdi "
	    "Kashani Qomi");
	assert_non_null(strstr(r, "Dear Ali O`Brien"));
	assert_int_equal(codec_parts(r), 1);
	/* Issue 11: cut after a whole word. */
	assert_non_null(strstr(r, "Kermani…\nhttps://desk.example") != NULL ?
		strstr(r, "Kermani…") :
		strstr(r, "i…\nhttps://desk.example"));
	assert_null(strstr(r, " …"));
	free(r);
	/* Two parts allowed: the same reply is cut to two UCS-2 parts. */
	w->sms.max_reply_parts = 2;
	r = mo(w, "989135555555",
	    "REG Alireza-Mohammad-Hossein-Gholam {O`Brien} Abbasi Tehrani "
	    "Esfahani Shirazi Kermani Yazdi Kashani Qomi Rashti Tabrizi");
	assert_non_null(strstr(r, "Dear Alireza"));
	assert_int_equal(codec_parts(r), 2);
	assert_non_null(strstr(r, "https://desk.example"));
	free(r);
}

static void
test_otp(void **state)
{
	struct world *w = *state;
	struct core_otp_config cfg = {120, 5, 60, 5, 20, 200};
	struct db_outbox_row r;
	char err[SD_ERRLEN];
	int64_t id = 0, id2 = 0;
	const char *p;
	int digits = 0;

	assert_int_equal(core_otp_issue(w->db, &cfg, "09131111111",
			     CORE_OTP_LOGIN, &id, err),
	    SD_OK);
	assert_int_equal(db_outbox_get(w->db, id, &r, NULL), SD_OK);
	assert_int_equal(r.kind, CORE_OUT_OTP);
	assert_int_equal(r.priority, 0);
	assert_int_equal(r.expires, T0 + 120);
	assert_string_equal(r.destination, "+989131111111");
	for (p = r.body; *p != '\0' && digits < 6; p++)
		digits = *p >= '0' && *p <= '9' ? digits + 1 : 0;
	assert_int_equal(digits, 6);
	assert_true(units(r.body) <= 70); /* one SMS */
	/* Issue 11: as a Persian reader expects it; 120 s is «۲» minutes. */
	assert_int_equal(strncmp(r.body, "کد تأیید سامانه مکاتبات: ",
			     strlen("کد تأیید سامانه مکاتبات: ")),
	    0);
	assert_non_null(strstr(r.body, "\nاعتبار: ۲ دقیقه. آن را به کسی "
					"ندهید."));
	db_outbox_row_fini(&r);
	assert_int_equal(core_otp_issue(w->db, &cfg, "09131111111",
			     CORE_OTP_LOGIN, &id2, err),
	    SD_EBUSY);
	assert_non_null(strstr(err, "wait"));
	sd_clock_set_fixed(T0 + 61);
	assert_int_equal(core_otp_issue(w->db, &cfg, "09131111111",
			     CORE_OTP_LOGIN, &id2, err),
	    SD_OK);
	assert_true(id2 > id);
	assert_int_equal(core_otp_issue(w->db, &cfg, "12", CORE_OTP_LOGIN,
			     &id2, err),
	    SD_EINVAL);
}

/* Issue #11: the staff LIST marks a request overdue by the same deadline
 * the escalation uses, from the applicant's first unanswered message: a
 * «خبری نشد؟» on Wednesday does not make 10001 (sent Monday 11:30, due
 * Wednesday 11:30) look in time on Thursday. Before, the mark counted
 * from the request's last change. */
static void
test_staff_list_overdue_from_first_unanswered(void **state)
{
	struct world *w = *state;
	char *r;

	sd_clock_set_fixed(T0 + 2 * 86400);
	free(mo(w, "989131111111", "R 10001 خبری نشد؟"));
	sd_clock_set_fixed(T0 + 3 * 86400);
	r = mo(w, "989133333333", "LIST");
	assert_non_null(r);
	if (strstr(r, "10001 \"عنوان\" (overdue)") == NULL)
		fail_msg("10001 not marked overdue: %s", r);
	free(r);
}

/* Rows of the kinds in mask that the dispatcher would send at now
 * (claimed, so each is counted once). */
static int
due_at(struct world *w, int64_t now, unsigned mask)
{
	struct db_outbox_row rows[32];
	size_t got = 0, exp, i;

	assert_int_equal(db_begin(w->db), SD_OK);
	assert_int_equal(db_outbox_claim(w->db, now, mask, 32, rows, &got,
			     &exp),
	    SD_OK);
	assert_int_equal(db_commit(w->db), SD_OK);
	for (i = 0; i < got; i++)
		db_outbox_row_fini(&rows[i]);
	return (int)got;
}

/*
 * Issue 11: [sms] quiet_hours (22:00-07:00 Tehran). An answer's alert
 * created at 23:00 waits until 07:00 the next morning; one at 12:00 goes
 * at once. The reply to a command, an OTP and a very urgent alert (urgent)
 * at 23:00 are not held; no digest is sent at 23:00, the one at 07:00
 * lists what was held. Before, every alert went at 23:00.
 */
static void
test_quiet_hours(void **state)
{
	const unsigned alert = 1u << CORE_OUT_ALERT,
		       now_kinds = (1u << CORE_OUT_REPLY) |
	    (1u << CORE_OUT_OTP);
	/* T0 is Monday 11:30 Tehran: 23:00 and the next 07:00. */
	const int64_t night = T0 + 11 * 3600 + 1800,
		      morning = T0 + 19 * 3600 + 1800, noon = T0 + 1800;
	struct core_otp_config otp = {120, 5, 60, 5, 20, 200};
	struct world *w = *state;
	char err[SD_ERRLEN];
	int64_t id, until;
	size_t sent = 99;

	snprintf(w->sms.quiet_hours, sizeof(w->sms.quiet_hours),
	    "22:00-07:00");
	(void)due_at(w, INT64_MAX / 2, ~0u); /* the world's own rows */

	/* An answer at 12:00: its alert goes at once. */
	sd_clock_set_fixed(noon);
	assert_int_equal(core_request_reply(w->db, &w->env,
			     tu_actor(w->db, w->it), w->t, "پاسخ ظهر",
			     CORE_CHAN_WEB, &id, err),
	    SD_OK);
	assert_int_equal(due_at(w, noon, alert), 1);

	/* An answer at 23:00: not before 07:00. */
	sd_clock_set_fixed(night);
	assert_int_equal(core_quiet_end(w->sms.quiet_hours, night, &until),
	    SD_OK);
	assert_int_equal(until, morning);
	free(mo(w, "989131111111", "R 10001 one more question"));
	(void)due_at(w, night, now_kinds);
	assert_int_equal(core_request_reply(w->db, &w->env,
			     tu_actor(w->db, w->it), w->t, "پاسخ شب",
			     CORE_CHAN_WEB, &id, err),
	    SD_OK);
	assert_int_equal(due_at(w, night, alert), 0);
	assert_int_equal(due_at(w, morning - 1, alert), 0);
	assert_int_equal(due_at(w, morning, alert), 1);

	/* The reply to a command and an OTP at 23:00 are not held. */
	free(mo(w, "989131111111", "وضعیت 10001"));
	assert_int_equal(core_otp_issue(w->db, &otp, "09131111111",
			     CORE_OTP_LOGIN, &id, err),
	    SD_OK);
	assert_int_equal(due_at(w, night, now_kinds), 2);

	/* A very urgent request at 23:00 alerts its staff at once... */
	free(mo(w, "989132222222", "جدید 2 خف نشت گاز"));
	assert_int_equal(due_at(w, night, alert), 1);
	/* ... but a digest of held ones waits for the morning. */
	w->alerts.very_urgent_per_applicant_hour = 0;
	free(mo(w, "989132222222", "جدید 2 خف باز هم نشت"));
	(void)due_at(w, night, now_kinds);
	assert_int_equal(due_at(w, night, alert), 0);
	assert_int_equal(core_alert_digest(w->db, &w->env, &sent, err), SD_OK);
	assert_int_equal(sent, 0);
	assert_int_equal(due_at(w, morning, alert), 0);
	sd_clock_set_fixed(morning);
	assert_int_equal(core_alert_digest(w->db, &w->env, &sent, err), SD_OK);
	assert_int_equal(sent, 1);
	assert_int_equal(due_at(w, morning, alert), 1);

	/* off: nothing is held. */
	snprintf(w->sms.quiet_hours, sizeof(w->sms.quiet_hours), "off");
	sd_clock_set_fixed(night + 86400);
	assert_int_equal(core_request_reply(w->db, &w->env,
			     tu_actor(w->db, w->it), w->t, "پاسخ دیگر",
			     CORE_CHAN_WEB, &id, err),
	    SD_OK);
	assert_int_equal(due_at(w, night + 86400, alert), 1);
}

/* Issue 11: the quiet period a time is in, Tehran wall clock. */
static void
test_quiet_end_table(void **state)
{
	static const struct {
		const char *spec;
		int at;    /* minutes after T0's midnight (Monday) */
		int until; /* the same; -1: not quiet */
	} cases[] = {
	    {"22:00-07:00", 23 * 60, (24 + 7) * 60},
	    {"22:00-07:00", 22 * 60, (24 + 7) * 60},
	    {"22:00-07:00", 21 * 60 + 59, -1},
	    {"22:00-07:00", 3 * 60, 7 * 60},
	    {"22:00-07:00", 7 * 60, -1},
	    {"22:00-07:00", 12 * 60, -1},
	    {"۲۲:۰۰-۰۷:۰۰", 23 * 60, (24 + 7) * 60},
	    {"13:00 - 15:00", 14 * 60, 15 * 60},
	    {"13:00-15:00", 15 * 60, -1},
	    {"off", 23 * 60, -1},
	    {"", 23 * 60, -1},
	    {NULL, 23 * 60, (24 + 7) * 60}, /* the default */
	};
	/* T0 is 11:30 Tehran: its midnight is 11.5 h before. */
	const int64_t midnight = T0 - 11 * 3600 - 1800;
	int64_t until;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		assert_int_equal(core_quiet_end(cases[i].spec,
				     midnight + cases[i].at * 60, &until),
		    SD_OK);
		if (until != (cases[i].until < 0 ? 0 :
				       midnight + cases[i].until * 60))
			fail_msg("'%s' at %02d:%02d: until %lld",
			    cases[i].spec != NULL ? cases[i].spec : "(null)",
			    cases[i].at / 60, cases[i].at % 60,
			    (long long)(until - midnight));
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_table),
		cmocka_unit_test(test_parse_closest),
		cmocka_unit_test(test_parse_random),
		cmocka_unit_test(test_parse_body_as_sent),
		cmocka_unit_test(test_cmd_changes),
#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)
		T(test_status),
		T(test_not_found),
		T(test_help_list_depts),
		T(test_new_reply_alert),
		T(test_very_urgent),
		T(test_very_urgent_limited),
		T(test_stop_start),
		T(test_escalate),
		T(test_close_and_thanks),
		T(test_calendar),
		T(test_reg_unregistered),
		T(test_flood),
		T(test_staff_limit),
		T(test_staff_list),
		T(test_shorten),
		T(test_long_texts_kept),
		T(test_sms_controls),
		T(test_otp),
		T(test_quiet_hours),
		T(test_staff_list_overdue_from_first_unanswered),
		T(test_quiet_end_table),
#undef T
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
