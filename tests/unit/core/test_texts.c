/*
 * tests/unit/core/test_texts.c: every SMS text at its longest (issue #11).
 *
 * Each text of core/texts.c is rendered with the longest values it can
 * meet (a 7-digit tracking number, the longest department name, names
 * and titles at their limits, a long base URL, a signature of
 * CORE_SIGNATURE_MAX characters) and put in its final form by
 * core_out_compose(), as replies and alerts are. Checked: the parts it
 * takes (core_sms_count, the count the codec sends by) against the text's
 * budget; whether it must arrive whole (the OTP, the help, every short
 * answer) or may be cut; that a cut ends a whole word and is followed by
 * «…», the link and the signature; that every English text with English
 * values is GSM 7-bit (a Persian word would send it as UCS-2); and that no
 * Persian text or department name has a compound without its ZWNJ.
 *
 * Then the same through core_mo_handle(): STATUS, LIST, DEPTS and HELP of
 * a world with the longest values and a signature.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/base/clock.h"
#include "core/core.h"
#include "core/core_int.h"
#include "tests/support/testutil.h"

#define T0 1764138600
/* The longest tracking number we plan for: 7 digits. */
#define TRACK 9999999LL
/* A signature of CORE_SIGNATURE_MAX (22) characters. */
#define SIG "نظام مهندسی ساختمان قم"
#define BASE "https://nezam-kerman.example.ir"
/* A one-tap link: "/r/" and a token of CORE_LINK_TOKEN_LEN (18). */
#define LINK BASE "/r/AbCdEfGhIjKlMnOpQr"
#define BUF 4096

/* Compounds written without their ZWNJ (or with a space for it). */
static const char *const no_zwnj[] = {"ثبت نام", "ثبتنام", "درخواست ها",
    "درخواستها", "می شود", "نمی شود", "پیامک ها", "پیامکها", "واحد ها",
    "پیام ها", "پیامها", "نویسه ها", "کد ها", "نقشه برداری", "نمایندگی ها",
    "ذی صلاح", "اطلاع رسانی", "بی پاسخ", "پیش تر", "روابط‌عمومی"};

static size_t
chars(const char *s)
{
	size_t n = 0;

	for (; *s != '\0'; s++)
		if (((unsigned char)*s & 0xc0) != 0x80)
			n++;
	return n;
}

/* Fail if s has a compound of no_zwnj or a word «می», «نمی», «ها»,
 * «های» standing alone (a prefix or suffix cut off by a space). */
static void
check_zwnj(const char *what, const char *s)
{
	static const char *const alone[] = {"می", "نمی", "ها", "های", "ذی"};
	char w[64];
	const char *p = s;
	size_t i;

	for (i = 0; i < sizeof(no_zwnj) / sizeof(no_zwnj[0]); i++)
		if (strstr(s, no_zwnj[i]) != NULL)
			fail_msg("%s: «%s» without its ZWNJ in «%s»", what,
			    no_zwnj[i], s);
	while (*p != '\0') {
		size_t len = strcspn(p, " \n،؛.:()«»");

		if (len > 0 && len < sizeof(w)) {
			memcpy(w, p, len);
			w[len] = '\0';
			for (i = 0; i < sizeof(alone) / sizeof(alone[0]); i++)
				if (strcmp(w, alone[i]) == 0)
					fail_msg(
					    "%s: «%s» stands alone in «%s»",
					    what, w, s);
		}
		p += len;
		if (*p != '\0')
			p++;
	}
}

static struct core_sms_count
count(const char *s)
{
	struct core_sms_count c;
	char err[SD_ERRLEN];

	if (core_sms_count(s, strlen(s), 0, &c, NULL, 0, err) != SD_OK)
		fail_msg("count: %s", err);
	return c;
}

static bool
is_space(char c)
{
	return c == ' ' || c == '\n';
}

/*
 * out is raw in its final form: raw whole then "\n" sig, or a start of raw
 * ending a word, then «…» ("..." in GSM 7-bit), "\n" link, "\n" sig. Fails
 * otherwise; true if it was cut.
 */
static bool
check_form(const char *what, const char *raw, const char *out, const char *link,
    const char *sig)
{
	char tail[BUF];
	size_t len, k;
	const char *ell;

	snprintf(tail, sizeof(tail), "%s%s", sig[0] != '\0' ? "\n" : "", sig);
	len = strlen(out);
	if (len < strlen(tail) || strcmp(out + len - strlen(tail), tail) != 0)
		fail_msg("%s: does not end with its signature: «%s»", what,
		    out);
	len -= strlen(tail);
	if (len == strlen(raw) && strncmp(out, raw, len) == 0)
		return false; /* whole */
	/* Cut: "…\nlink" before the signature. */
	snprintf(tail, sizeof(tail), "\n%s", link);
	if (len < strlen(tail) ||
	    strncmp(out + len - strlen(tail), tail, strlen(tail)) != 0)
		fail_msg("%s: cut without its link: «%s»", what, out);
	len -= strlen(tail);
	if (len >= 3 && strncmp(out + len - 3, "…", 3) == 0)
		ell = "…";
	else if (len >= 3 && strncmp(out + len - 3, "...", 3) == 0)
		ell = "...";
	else
		fail_msg("%s: cut without «…»: «%s»", what, out);
	k = len - 3;
	if (strncmp(out, raw, k) != 0)
		fail_msg("%s: the cut text is not the start of «%s»: «%s»",
		    what, raw, out);
	/* A whole word: raw goes on with a space there, and the kept part
	 * ends in none (or nothing is kept). */
	if (k > 0 && (is_space(raw[k - 1]) || !is_space(raw[k])))
		fail_msg("%s: cut inside a word (%s after «%.*s»)", what, ell,
		    (int)k, out);
	return true;
}

/* ---- Every text, rendered at its longest -------------------------------- */

struct longest {
	char dept[256];      /* the longest full department name */
	char short_name[64]; /* the longest one-word name */
	char title[256];     /* a title at SD_REQ_TITLE_MAX, excerpted */
	char title_raw[SD_REQ_TITLE_MAX + 1]; /* ... whole (staff LIST) */
	char answer[256]; /* an answer excerpted as STATUS and alerts do */
	char first[SD_NAME_MAX + 1], last[SD_NAME_MAX + 1];
	char digest[256]; /* 8 tracking numbers and "…" */
};

/* Persian words, to n bytes at most. */
static void
words(char *out, size_t n, const char *word)
{
	out[0] = '\0';
	while (strlen(out) + strlen(word) + 1 < n)
		snprintf(out + strlen(out), n - strlen(out), "%s%s",
		    out[0] != '\0' ? " " : "", word);
}

static void
longest_fill(struct longest *l, struct db *db, bool en)
{
	struct db_dept *d;
	char text[SD_BODY_MAX + 1];
	size_t n, i;

	memset(l, 0, sizeof(*l));
	assert_int_equal(db_dept_list(db, &d, &n), SD_OK);
	for (i = 0; i < n; i++) {
		if (chars(d[i].name) > chars(l->dept))
			snprintf(l->dept, sizeof(l->dept), "%s", d[i].name);
		if (chars(d[i].short_name) > chars(l->short_name))
			snprintf(l->short_name, sizeof(l->short_name), "%s",
			    d[i].short_name);
	}
	db_dept_list_free(d, n);
	if (en)
		snprintf(l->dept, sizeof(l->dept), "department 17");
	words(l->title_raw, sizeof(l->title_raw), en ? "leaking" : "نشتی");
	core_excerpt(l->title_raw, 40, l->title, sizeof(l->title));
	words(text, sizeof(text), en ? "replaced" : "تعویض");
	core_excerpt(text, 40, l->answer, sizeof(l->answer));
	/* As command.c ends an English excerpt: "..." (GSM 7-bit). */
	if (en) {
		char *p;

		while ((p = strstr(l->title, "…")) != NULL)
			memcpy(p, "...", 3);
		while ((p = strstr(l->answer, "…")) != NULL)
			memcpy(p, "...", 3);
	}
	/* Names at SD_NAME_MAX bytes, as core_user_add() allows. */
	words(l->first, sizeof(l->first), en ? "Mohammad" : "محمدعلی");
	words(l->last, sizeof(l->last), en ? "Tehrani" : "نوروزی‌فر");
	for (i = 0; i < 8; i++)
		snprintf(l->digest + strlen(l->digest),
		    sizeof(l->digest) - strlen(l->digest), "%s%lld",
		    i > 0 ? (en ? ", " : "، ") : "", TRACK - (long long)i);
	strcat(l->digest, en ? ", ..." : "، …");
}

/* How a text may reach the phone. */
enum fit {
	WHOLE, /* must arrive whole in its budget */
	CUT,   /* may be cut (names, titles, lists at their longest) */
};

struct rendered {
	char raw[BUF];  /* as the command or alert builds it */
	char link[256]; /* what a cut ends with */
	long parts;     /* its budget */
	bool sign;      /* signed (all but the OTP) */
	enum fit fit;
};

/* Text id rendered as its caller does, at its longest. False if this
 * test does not know id (a text added since: give it its values). */
static bool
render(enum core_txt id, bool en, const struct longest *l, struct rendered *r)
{
	const char *status = en ? "answered" :
				  core_status_label(CORE_STATUS_AWAITING);
	int k;

	memset(r, 0, sizeof(*r));
	snprintf(r->link, sizeof(r->link), "%s", LINK);
	r->parts = 2;
	r->sign = true;
	r->fit = WHOLE;
#define ADD(...) core_txt_add(r->raw, sizeof(r->raw), en, __VA_ARGS__)
	switch (id) {
	case CORE_TXT_OTP:
		/* [otp] ttl_s is at most 3600: «۶۰» minutes. */
		ADD(id, "123456", en ? "60" : "۶۰");
		r->parts = 1;
		r->sign = false;
		return true;
	case CORE_TXT_HELP:
	case CORE_TXT_UNKNOWN:
	case CORE_TXT_LIST_EMPTY:
	case CORE_TXT_WAIT_NONE:
	case CORE_TXT_REG_ALREADY:
	case CORE_TXT_REG_BAD:
	case CORE_TXT_REG_CHARS:
	case CORE_TXT_REG_TEMPLATE:
	case CORE_TXT_STOP:
	case CORE_TXT_START:
	case CORE_TXT_FLOOD:
	case CORE_TXT_BAD_TEXT:
		ADD(id, 0);
		snprintf(r->link, sizeof(r->link), "%s", BASE);
		return true;
	case CORE_TXT_NOT_FOUND:
	case CORE_TXT_FOLLOWUP_OK:
	case CORE_TXT_ANSWER_OK:
	case CORE_TXT_CLOSED:
	case CORE_TXT_ESC_OK:
	case CORE_TXT_ESC_ALREADY:
	case CORE_TXT_CLOSE_OK: ADD(id, TRACK); return true;
	case CORE_TXT_ESC_ANSWERED:
	case CORE_TXT_THANKS: ADD(id, TRACK, TRACK); return true;
	case CORE_TXT_ESC_WAIT:
		/* [sla] answer_days is at most 30. */
		ADD(id, TRACK, "1405/12/29 23:59", 30L);
		return true;
	case CORE_TXT_ESC_AUTO: ADD(id, 30L); return true;
	case CORE_TXT_BAD_DEPT: ADD(id, 999); return true;
	case CORE_TXT_HINT:
		/* The longest usage with a 12-digit number. */
		ADD(id, en ? "ESCALATE 999999999999" : "پاسخ 999999999999 متن");
		return true;
	case CORE_TXT_USAGE:
		ADD(id, en ? "ESCALATE 10025" : "جدید 2 متن درخواست");
		return true;
	case CORE_TXT_UNREGISTERED:
		/* Whole with a base URL of up to 27 characters; a longer
		 * one cuts the text, the address kept as the link. */
		ADD(id, BASE);
		snprintf(r->link, sizeof(r->link), "%s", BASE);
		r->fit = CUT;
		return true;
	case CORE_TXT_STATUS:
	case CORE_TXT_STATUS_TITLE:
	case CORE_TXT_STATUS_ESCALATED:
	case CORE_TXT_STATUS_ANSWER:
	case CORE_TXT_LINK: {
		/* As do_status() puts them together: may be cut at the
		 * end, the status line whole (checked below). */
		char st[128];

		snprintf(st, sizeof(st), "%s", status);
		core_txt_add(st, sizeof(st), en, CORE_TXT_STATUS_ESCALATED, 0);
		ADD(CORE_TXT_STATUS, TRACK, st);
		ADD(CORE_TXT_STATUS_ANSWER, l->answer);
		ADD(CORE_TXT_STATUS_TITLE, l->dept, l->title);
		snprintf(r->raw + strlen(r->raw),
		    sizeof(r->raw) - strlen(r->raw), "\n%s", LINK);
		r->fit = CUT;
		return true;
	}
	case CORE_TXT_LIST_HEAD:
	case CORE_TXT_LIST_LINE:
		ADD(CORE_TXT_LIST_HEAD, 0);
		for (k = 0; k < 5; k++)
			ADD(CORE_TXT_LIST_LINE, TRACK - k, status,
			    en ? "department 17" : l->short_name);
		snprintf(r->link, sizeof(r->link), "%s", BASE);
		r->fit = CUT;
		return true;
	case CORE_TXT_WAIT_HEAD:
	case CORE_TXT_WAIT_LINE:
	case CORE_TXT_WAIT_LATE: {
		char late[64] = "";

		core_txt_add(late, sizeof(late), en, CORE_TXT_WAIT_LATE, 0);
		ADD(CORE_TXT_WAIT_HEAD, 0);
		for (k = 0; k < 5; k++)
			ADD(CORE_TXT_WAIT_LINE, TRACK - k, l->title_raw, late);
		snprintf(r->link, sizeof(r->link), "%s", BASE);
		r->fit = CUT;
		return true;
	}
	case CORE_TXT_DEPTS_HEAD:
	case CORE_TXT_DEPTS_MORE:
		/* Rendered from the database by test_handler_longest. */
		ADD(CORE_TXT_DEPTS_HEAD, 0);
		ADD(CORE_TXT_DEPTS_MORE, 0);
		return true;
	case CORE_TXT_NEW_OK:
		/* With the longest department and link it is cut before
		 * the link, which it keeps. */
		ADD(CORE_TXT_NEW_OK, TRACK, l->dept, LINK);
		r->fit = CUT;
		return true;
	case CORE_TXT_TEXT_CUT:
		/* A cut text's notice follows the confirmation, with two
		 * parts more (command.c): whole. */
		ADD(CORE_TXT_NEW_OK, TRACK, l->dept, LINK);
		ADD(CORE_TXT_TEXT_CUT, (size_t)10000, (size_t)16999);
		r->parts = 4;
		return true;
	case CORE_TXT_REG_OK:
		/* Names at their limit (100 bytes each) do not fit with
		 * the rest: cut, the address kept as the link. */
		ADD(id, l->first, l->last, BASE);
		snprintf(r->link, sizeof(r->link), "%s", BASE);
		r->fit = CUT;
		return true;
	/* Alerts quoting an excerpt: cut in it when the rest is at its
	 * longest, the link kept. */
	case CORE_TXT_ALERT_ANSWER:
		ADD(id, TRACK, l->answer, LINK);
		r->fit = CUT;
		return true;
	case CORE_TXT_ALERT_CLOSED:
	case CORE_TXT_ALERT_ESCALATED: ADD(id, TRACK, LINK); return true;
	case CORE_TXT_ALERT_VERY_URGENT:
	case CORE_TXT_ALERT_HEAD:
		ADD(id, TRACK, l->dept, l->title, LINK);
		r->fit = CUT;
		return true;
	case CORE_TXT_ALERT_DIGEST:
		/* Eight 7-digit numbers: cut between two of them. */
		ADD(id, 1000LL, l->digest, BASE);
		snprintf(r->link, sizeof(r->link), "%s", BASE);
		r->fit = CUT;
		return true;
	case CORE_TXT_COUNT: break;
	}
#undef ADD
	return false;
}

struct world {
	struct db *db;
	struct core_sms_config sms;
	struct core_env env;
};

static int
setup(void **state)
{
	struct world *w = calloc(1, sizeof(*w));

	sd_clock_set_fixed(T0);
	w->db = tu_db_open(":memory:");
	w->sms.max_reply_parts = 2;
	w->sms.mo_per_hour = 30;
	w->sms.staff_mo_per_hour = 300;
	w->sms.link_ttl_days = 7;
	snprintf(w->sms.thanks_phrases, sizeof(w->sms.thanks_phrases), "%s",
	    CORE_THANKS_DEFAULT);
	snprintf(w->sms.signature, sizeof(w->sms.signature), "%s", SIG);
	w->env.base_url = BASE;
	w->env.sms = &w->sms;
	w->env.effects = CORE_FX_SMS;
	*state = w;
	return 0;
}

static int
teardown(void **state)
{
	struct world *w = *state;

	db_close(w->db);
	free(w);
	sd_clock_set_fixed(0);
	return 0;
}

/* The signature of the test is the longest [sms] signature allows. */
static void
test_signature_is_the_longest(void **state)
{
	(void)state;
	assert_int_equal(chars(SIG), CORE_SIGNATURE_MAX);
}

static void
every_text(struct world *w, bool en)
{
	struct longest l;
	struct rendered r;
	char out[BUF];
	int id, cut = 0, whole = 0;

	longest_fill(&l, w->db, en);
	for (id = 0; id < CORE_TXT_COUNT; id++) {
		struct core_sms_count c;
		char what[64];

		/* The format itself: no compound without its ZWNJ; English
		 * GSM 7-bit. */
		check_zwnj("format", core_txt((enum core_txt)id, false));
		if (en &&
		    count(core_txt((enum core_txt)id, true)).alphabet !=
			CORE_SMS_GSM7)
			fail_msg("text %d: English not GSM 7-bit: «%s»", id,
			    core_txt((enum core_txt)id, true));
		if (!render((enum core_txt)id, en, &l, &r)) {
			print_message("text %d: no longest values here\n", id);
			continue;
		}
		snprintf(what, sizeof(what), "text %d (%s)", id,
		    en ? "en" : "fa");
		snprintf(out, sizeof(out), "%s", r.raw);
		core_out_compose(&w->env, en, r.sign, out, sizeof(out), r.link,
		    r.parts);
		c = count(out);
		if ((long)c.parts > r.parts)
			fail_msg("%s: %zu parts, budget %ld: «%s»", what,
			    c.parts, r.parts, out);
		/* An English reply signs with a GSM 7-bit signature only:
		 * this one is Persian. */
		if (check_form(what, r.raw, out, r.link,
			r.sign && !en ? SIG : "")) {
			if (r.fit == WHOLE)
				fail_msg("%s: cut, must arrive whole (%zu "
					 "characters): «%s»",
				    what, chars(r.raw), out);
			cut++;
		} else {
			whole++;
		}
		if (en && c.alphabet != CORE_SMS_GSM7)
			fail_msg("%s: English reply not GSM 7-bit: «%s»", what,
			    out);
		if (!en)
			check_zwnj(what, out);
	}
	print_message("%s: %d texts whole, %d cut at a word\n",
	    en ? "English" : "Persian", whole, cut);
	assert_true(cut > 0); /* the cut path was taken */
}

static void
test_every_text_fa(void **state)
{
	every_text(*state, false);
}

static void
test_every_text_en(void **state)
{
	every_text(*state, true);
}

/* The help, with CLOSE, in two parts with the longest signature; the
 * OTP in one. */
static void
test_help_and_otp(void **state)
{
	struct world *w = *state;
	char out[BUF];
	int en;

	for (en = 0; en < 2; en++) {
		out[0] = '\0';
		core_txt_add(out, sizeof(out), en, CORE_TXT_HELP, 0);
		assert_non_null(strstr(out, en ? "CLOSE 10025" : "بستن 10025"));
		assert_non_null(
		    strstr(out, en ? "ESCALATE 10025" : "ارجاع 10025"));
		core_out_compose(&w->env, en, true, out, sizeof(out), BASE, 2);
		assert_null(strstr(out, "…"));
		assert_null(strstr(out, "..."));
		assert_int_equal(count(out).parts, en ? 1 : 2);
		if (!en)
			assert_non_null(strstr(out, "\n" SIG));
	}
	out[0] = '\0';
	core_txt_add(out, sizeof(out), false, CORE_TXT_OTP, "123456", "۶۰");
	assert_string_equal(out,
	    "کد تأیید سامانه مکاتبات: 123456\nاعتبار: ۶۰ "
	    "دقیقه. آن را به کسی ندهید.");
	assert_int_equal(count(out).parts, 1);
}

/* Department names: the ZWNJ compounds, 17 the office. */
static void
test_department_names(void **state)
{
	struct world *w = *state;
	struct db_dept *d;
	size_t n, i;

	assert_int_equal(db_dept_list(w->db, &d, &n), SD_OK);
	for (i = 0; i < n; i++) {
		check_zwnj("department", d[i].name);
		check_zwnj("department", d[i].short_name);
		/* ASCII digits, as everywhere else («ماده 27»). */
		assert_null(strstr(d[i].short_name, "۲"));
	}
	assert_string_equal(d[16].name, "دفتر رئیس سازمان");
	db_dept_list_free(d, n);
}

/* Excerpts end at a word with «…», never inside a word or number. */
static void
test_excerpt_word(void **state)
{
	static const struct {
		const char *in, *want;
	} t[] = {
	    {"کد 1234567 را بفرستید", "کد…"},
	    {"شماره 12345678", "شماره…"},
	    {"کوتاه", "کوتاه"},
	    {"یک دو سه", "یک دو سه"},
	    {"abc defghij", "abc…"},
	    {"abcdefghijk", "abcdefghi…"}, /* one word: cut within */
	    {"ab\ncd efgh", "ab cd…"},
	};
	char out[64];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		out[0] = '\0';
		core_excerpt(t[i].in, 9, out, sizeof(out));
		if (strcmp(out, t[i].want) != 0)
			fail_msg("«%s»: «%s», want «%s»", t[i].in, out,
			    t[i].want);
	}
}

/* ---- The same through the handler ------------------------------------- */

static char *
mo(struct world *w, const char *from, const char *text)
{
	struct db_outbox_row r;
	struct core_mo m;
	int64_t id = 0;
	char *body, why[DB_INBOX_REASON_LEN];

	memset(&m, 0, sizeof(m));
	m.from = from;
	m.to = "3000";
	m.text = text;
	m.ussd_session = -1;
	assert_int_equal(db_begin(w->db), SD_OK);
	assert_int_equal(core_mo_handle(w->db, &w->env, &m, &id, why), SD_OK);
	assert_int_equal(db_commit(w->db), SD_OK);
	assert_true(id != 0);
	assert_int_equal(db_outbox_get(w->db, id, &r, NULL), SD_OK);
	body = strdup(r.body);
	db_outbox_row_fini(&r);
	return body;
}

/* The reply's parts within max_reply_parts, signed; true if it was cut
 * (then at a word, «…» and a link before the signature). */
static bool
reply_ok(const char *what, const char *r)
{
	const char *sig = "\n" SIG, *ell;
	size_t len = strlen(r);

	if ((long)count(r).parts > 2)
		fail_msg("%s: %zu parts: «%s»", what, count(r).parts, r);
	if (len < strlen(sig) || strcmp(r + len - strlen(sig), sig) != 0)
		fail_msg("%s: not signed: «%s»", what, r);
	ell = strstr(r, "…\n" BASE);
	if (ell == NULL)
		return false;
	if (ell == r || is_space(ell[-1]))
		fail_msg("%s: «…» after a space: «%s»", what, r);
	check_zwnj(what, r);
	return true;
}

static void
test_handler_longest(void **state)
{
	struct world *w = *state;
	char path[256], err[SD_ERRLEN], title[SD_REQ_TITLE_MAX + 1], *r, *dir;
	int64_t a, it, t = 0;
	sqlite3 *h;
	int k;
	static const int d15[] = {15};

	/* A file, so the sequence can be set to 7 digits by hand. */
	db_close(w->db);
	dir = tu_tmpdir();
	snprintf(path, sizeof(path), "%s/t.db", dir);
	w->db = tu_db_open(path);
	a = tu_user(w->db, "09131111111", CORE_ROLE_APPLICANT, NULL, 0);
	it = tu_user(w->db, "09133333333", CORE_ROLE_STAFF, d15, 1);
	assert_int_equal(sqlite3_open(path, &h), SQLITE_OK);
	assert_int_equal(sqlite3_exec(h,
			     "UPDATE sqlite_sequence SET seq = 9999990"
			     " WHERE name = 'requests'",
			     NULL, NULL, NULL),
	    SQLITE_OK);
	sqlite3_close(h);
	words(title, sizeof(title), "نشتی");
	for (k = 0; k < 5; k++)
		assert_int_equal(core_request_create(w->db, &w->env,
				     tu_actor(w->db, a), 15,
				     CORE_PRIO_VERY_URGENT, title, "متن",
				     CORE_CHAN_WEB, &t, err),
		    SD_OK);
	assert_true(t >= 1000000);
	words(title, sizeof(title), "تعویض");
	assert_int_equal(core_request_reply(w->db, &w->env, tu_actor(w->db, it),
			     t, title, CORE_CHAN_WEB, NULL, err),
	    SD_OK);
	assert_int_equal(core_request_escalate(w->db, &w->env,
			     tu_actor(w->db, it), t - 1, err),
	    SD_OK);

	r = mo(w, "989131111111", "راهنما");
	assert_false(reply_ok("HELP", r));
	assert_non_null(strstr(r, "بستن 10025"));
	free(r);
	snprintf(path, sizeof(path), "وضعیت %lld", (long long)t);
	r = mo(w, "989131111111", path);
	(void)reply_ok("STATUS", r);
	/* Cut at the end: the status whole, then the answer. */
	snprintf(path, sizeof(path),
	    "درخواست %lld: پاسخ داده شد\nپاسخ: «تعویض تعویض", (long long)t);
	assert_non_null(strstr(r, path));
	free(r);
	snprintf(path, sizeof(path), "وضعیت %lld", (long long)t - 1);
	r = mo(w, "989131111111", path);
	(void)reply_ok("STATUS escalated", r);
	assert_non_null(strstr(r, ": در انتظار پاسخ دفتر رئیس سازمان\nمجریان"));
	free(r);
	r = mo(w, "989131111111", "لیست");
	(void)reply_ok("LIST", r);
	free(r);
	r = mo(w, "989133333333", "لیست");
	assert_true(reply_ok("staff LIST", r));
	free(r);
	r = mo(w, "989131111111", "واحدها");
	assert_false(reply_ok("DEPTS", r));
	free(r);
	r = mo(w, "989131111111", "واحدها 2");
	assert_false(reply_ok("DEPTS 2", r));
	assert_non_null(strstr(r, "17 دفتر رئیس"));
	free(r);
	/* English DEPTS: the names are Persian (there are no English
	 * ones), so UCS-2, and still two parts a page, unsigned. */
	r = mo(w, "989131111111", "DEPTS");
	assert_true(count(r).parts <= 2);
	assert_null(strstr(r, "…"));
	assert_non_null(strstr(r, "\nMore: DEPTS 2"));
	free(r);
	r = mo(w, "989131111111", "DEPTS 2");
	assert_true(count(r).parts <= 2);
	assert_non_null(strstr(r, "\n17 دفتر رئیس"));
	free(r);
	/* English: GSM 7-bit, the excerpts' ellipsis too, unsigned (the
	 * signature is Persian), cut at a word with "...". */
	words(title, sizeof(title), "leaking");
	assert_int_equal(core_request_create(w->db, &w->env, tu_actor(w->db, a),
			     15, CORE_PRIO_NORMAL, title, "text", CORE_CHAN_WEB,
			     &t, err),
	    SD_OK);
	words(title, sizeof(title), "replaced");
	assert_int_equal(core_request_reply(w->db, &w->env, tu_actor(w->db, it),
			     t, title, CORE_CHAN_WEB, NULL, err),
	    SD_OK);
	snprintf(path, sizeof(path), "STATUS %lld", (long long)t);
	r = mo(w, "989131111111", path);
	assert_int_equal(count(r).alphabet, CORE_SMS_GSM7);
	assert_true(count(r).parts <= 2);
	assert_null(strstr(r, SIG));
	snprintf(path, sizeof(path),
	    "Request %lld: answered\nAnswer: \"replaced replaced ",
	    (long long)t);
	assert_non_null(strstr(r, path));
	assert_non_null(strstr(r, "replaced...\"\ndepartment 15: \"leaking "));
	free(r);
	tu_rmtree(dir);
	free(dir);
}

/* The web's texts (issues #13, #14): every table, the same ZWNJ rule. */
static void
test_web_texts_zwnj(void **state)
{
	char what[48];
	int i;

	(void)state;
	for (i = 0; i < CORE_WT_COUNT; i++) {
		snprintf(what, sizeof(what), "web text %d", i);
		check_zwnj(what, core_web_txt((enum core_web_txt)i));
	}
	for (i = 0; i < CORE_RT_COUNT; i++) {
		snprintf(what, sizeof(what), "request text %d", i);
		check_zwnj(what, core_req_txt((enum core_req_txt)i));
	}
	for (i = 0; i < CORE_ST_COUNT; i++) {
		snprintf(what, sizeof(what), "staff text %d", i);
		check_zwnj(what, core_staff_txt((enum core_staff_txt)i));
	}
	for (i = 0; i < CORE_SA_COUNT; i++) {
		snprintf(what, sizeof(what), "admin text %d", i);
		check_zwnj(what, core_sa_txt((enum core_sa_txt)i));
	}
	for (i = 0; i < CORE_IT_COUNT; i++) {
		snprintf(what, sizeof(what), "inbox text %d", i);
		check_zwnj(what, core_inbox_txt((enum core_inbox_txt)i));
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_signature_is_the_longest),
	    cmocka_unit_test_setup_teardown(test_every_text_fa, setup,
		teardown),
	    cmocka_unit_test_setup_teardown(test_every_text_en, setup,
		teardown),
	    cmocka_unit_test_setup_teardown(test_help_and_otp, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_department_names, setup,
		teardown),
	    cmocka_unit_test(test_excerpt_word),
	    cmocka_unit_test(test_web_texts_zwnj),
	    cmocka_unit_test_setup_teardown(test_handler_longest, setup,
		teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
