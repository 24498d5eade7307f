/*
 * core/command.c: the SMS command channel (issue #5). An MO text is
 * normalized (Persian and Arabic-Indic digits, Arabic letters, spaces,
 * ZWNJ at word edges), split into words, its first word (or two: «ثبت
 * نام») looked up in the command table in Persian or English in any
 * case, and the command run against the database in the caller's
 * transaction; its answer, and any alert it causes, are queued in the
 * outbox there. The answer is Persian, or English when the command was.
 *
 *   HELP ?  راهنما        STATUS N, N  وضعیت N  پیگیری N
 *   LIST  لیست            DEPTS  واحدها (واحد ها)
 *   NEW D [P] text  جدید D [P] متن
 *   R N text  پاسخ N متن  ESCALATE N  ارجاع N
 *   REG first last  ثبت‌نام نام نام‌خانوادگی
 *   STOP  لغو             START  شروع
 *   CLOSE N  بستن N
 *
 * «پیگیری» is tracking to Iranian users (the confirmation of NEW says
 * «پیوست و پیگیری: link»), so it asks for the status; escalation is
 * «ارجاع». A tracking number may be glued to its command word or follow
 * a colon or '#' («وضعیت10013», «وضعیت: 10013», «وضعیت #10013»). The
 * priority of NEW is a letter or a word, «خیلی فوری» in two words too.
 *
 * A number nobody registered gets the way to register for anything but
 * REG and HELP. Anything else gets a hint with the closest command. More
 * than [sms] mo_per_hour messages in an hour from one number are answered
 * once, then ignored until the hour has passed. A reply longer than
 * [sms] max_reply_parts SMS parts is cut and ends with a link.
 *
 * The text of NEW and R is stored as the sender wrote it, line breaks
 * included, up to SD_BODY_MAX bytes; a longer one is cut at the end and
 * the confirmation says so (issue #9). Only the command words and the
 * title are read from the normalized copy.
 */
#include "core/core.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/base/clock.h"
#include "core/base/log.h"
#include "core/base/xmalloc.h"
#include "core/core_int.h"

/* Longest reply built before shortening. */
#define REPLY_MAX 2048
/* Characters of the latest answer quoted in a STATUS reply. */
#define EXCERPT_CHARS 40
/* Departments on the first page of DEPTS (the second has the rest, 9):
 * each page two UCS-2 parts with a signature. */
#define DEPTS_PAGE 8
/* Requests listed by LIST. */
#define LIST_N 5
/* Words and characters of a NEW text that make its title. */
#define TITLE_WORDS 6
#define TITLE_CHARS 60
/* Words in an MO we look at. */
#define MAX_WORDS 64
/* A text over SD_BODY_MAX is cut at the last word that ends in this many
 * bytes before the limit (else at a character). */
#define CUT_LOOKBACK 200

/* The command words. Lower-case ASCII; Persian without ZWNJ. */
static const struct {
	const char *word;
	enum core_cmd_id id;
	bool en;
} cmd_words[] = {
    {"help", CORE_CMD_HELP, true},
    {"?", CORE_CMD_HELP, true},
    {"راهنما", CORE_CMD_HELP, false},
    {"؟", CORE_CMD_HELP, false},
    {"status", CORE_CMD_STATUS, true},
    {"وضعیت", CORE_CMD_STATUS, false},
    {"list", CORE_CMD_LIST, true},
    {"لیست", CORE_CMD_LIST, false},
    {"فهرست", CORE_CMD_LIST, false},
    {"depts", CORE_CMD_DEPTS, true},
    {"واحدها", CORE_CMD_DEPTS, false},
    {"new", CORE_CMD_NEW, true},
    {"جدید", CORE_CMD_NEW, false},
    {"r", CORE_CMD_REPLY, true},
    {"reply", CORE_CMD_REPLY, true},
    {"پاسخ", CORE_CMD_REPLY, false},
    {"پیگیری", CORE_CMD_STATUS, false},
    {"escalate", CORE_CMD_ESCALATE, true},
    {"ارجاع", CORE_CMD_ESCALATE, false},
    {"reg", CORE_CMD_REG, true},
    {"ثبتنام", CORE_CMD_REG, false},
    {"stop", CORE_CMD_STOP, true},
    {"لغو", CORE_CMD_STOP, false},
    {"start", CORE_CMD_START, true},
    {"شروع", CORE_CMD_START, false},
    {"close", CORE_CMD_CLOSE, true},
    {"بستن", CORE_CMD_CLOSE, false},
};
#define N_WORDS (sizeof(cmd_words) / sizeof(cmd_words[0]))

/* Usage of each command, Persian and English. */
static const char *const usage[][2] = {
    [CORE_CMD_NONE] = {"راهنما", "HELP"},
    [CORE_CMD_HELP] = {"راهنما", "HELP"},
    [CORE_CMD_STATUS] = {"وضعیت 10025", "STATUS 10025"},
    [CORE_CMD_LIST] = {"لیست", "LIST"},
    [CORE_CMD_DEPTS] = {"واحدها", "DEPTS"},
    [CORE_CMD_NEW] = {"جدید 2 متن درخواست", "NEW 2 text"},
    [CORE_CMD_REPLY] = {"پاسخ 10025 متن", "R 10025 text"},
    [CORE_CMD_ESCALATE] = {"ارجاع 10025", "ESCALATE 10025"},
    [CORE_CMD_REG] = {"ثبت‌نام علی رضایی", "REG Ali Rezaei"},
    [CORE_CMD_STOP] = {"لغو", "STOP"},
    [CORE_CMD_START] = {"شروع", "START"},
    [CORE_CMD_CLOSE] = {"بستن 10025", "CLOSE 10025"},
};

const char *
core_cmd_name(enum core_cmd_id id, bool en)
{
	static const char *const names[][2] = {
	    [CORE_CMD_NONE] = {"?", "?"},
	    [CORE_CMD_HELP] = {"راهنما", "HELP"},
	    [CORE_CMD_STATUS] = {"وضعیت", "STATUS"},
	    [CORE_CMD_LIST] = {"لیست", "LIST"},
	    [CORE_CMD_DEPTS] = {"واحدها", "DEPTS"},
	    [CORE_CMD_NEW] = {"جدید", "NEW"},
	    [CORE_CMD_REPLY] = {"پاسخ", "R"},
	    [CORE_CMD_ESCALATE] = {"ارجاع", "ESCALATE"},
	    [CORE_CMD_REG] = {"ثبت‌نام", "REG"},
	    [CORE_CMD_STOP] = {"لغو", "STOP"},
	    [CORE_CMD_START] = {"شروع", "START"},
	    [CORE_CMD_CLOSE] = {"بستن", "CLOSE"},
	};

	return (unsigned)id <= CORE_CMD_CLOSE ? names[id][en ? 1 : 0] : "?";
}

/* ---- Parsing ------------------------------------------------------------- */

/* A word of the normalized text: where it is and its matching key. */
struct word {
	const char *s; /* in the normalized text */
	size_t len;
	char key[64]; /* lower-case ASCII, ZWNJ removed; "" if longer */
};

static void
word_key(struct word *w)
{
	size_t i, k = 0;

	w->key[0] = '\0';
	for (i = 0; i < w->len; i++) {
		unsigned char c = (unsigned char)w->s[i];

		/* ZWNJ U+200C is E2 80 8C. */
		if (c == 0xe2 && i + 2 < w->len &&
		    (unsigned char)w->s[i + 1] == 0x80 &&
		    (unsigned char)w->s[i + 2] == 0x8c) {
			i += 2;
			continue;
		}
		if (k + 1 >= sizeof(w->key)) {
			w->key[0] = '\0';
			return;
		}
		w->key[k++] = (char)tolower(c);
	}
	/* «وضعیت: 10013»: the colon after a word is not part of it. */
	while (k > 0 && w->key[k - 1] == ':')
		k--;
	w->key[k] = '\0';
}

static size_t
split(const char *s, struct word *w, size_t max)
{
	size_t n = 0;

	while (*s != '\0' && n < max) {
		while (*s == ' ')
			s++;
		if (*s == '\0')
			break;
		w[n].s = s;
		while (*s != '\0' && *s != ' ')
			s++;
		w[n].len = (size_t)(s - w[n].s);
		word_key(&w[n]);
		n++;
	}
	return n;
}

/* A tracking number: 1..12 ASCII digits (after normalization), after
 * an optional '#' («وضعیت #10013»). */
static int64_t
as_number(const struct word *w)
{
	const char *s = w->s;
	size_t len = w->len, i;
	int64_t v = 0;

	if (len > 1 && s[0] == '#') {
		s++;
		len--;
	}
	if (len == 0 || len > 12)
		return 0;
	for (i = 0; i < len; i++) {
		if (s[i] < '0' || s[i] > '9')
			return 0;
		v = v * 10 + (s[i] - '0');
	}
	return v;
}

/* The command word key names; CORE_CMD_NONE if none. */
static enum core_cmd_id
lookup(const char *key, bool *en)
{
	size_t i;

	for (i = 0; i < N_WORDS; i++) {
		if (strcmp(key, cmd_words[i].word) == 0) {
			*en = cmd_words[i].en;
			return cmd_words[i].id;
		}
	}
	return CORE_CMD_NONE;
}

/*
 * «وضعیت10013», «وضعیت:10013», «status#10013»: a command word with the
 * number glued to it becomes two words, w[0] and w[1] (w has room for
 * *n + 1). True if it did.
 */
static bool
unglue(struct word *w, size_t *n)
{
	struct word head = w[0], num;
	size_t i, cut;
	bool en;

	for (i = 0; i < w[0].len; i++)
		if (w[0].s[i] >= '0' && w[0].s[i] <= '9')
			break;
	if (i == 0 || i == w[0].len)
		return false;
	cut = i;
	if (w[0].s[cut - 1] == '#')
		cut--;
	head.len = cut;
	word_key(&head);
	num.s = w[0].s + cut;
	num.len = w[0].len - cut;
	num.key[0] = '\0';
	if (lookup(head.key, &en) == CORE_CMD_NONE || as_number(&num) == 0)
		return false;
	memmove(&w[1], &w[0], *n * sizeof(w[0]));
	w[0] = head;
	w[1] = num;
	(*n)++;
	return true;
}

/* The number a word ends with («وضیعت10001»), 0 if none. */
static int64_t
trailing_number(const struct word *w)
{
	struct word num;
	size_t i = w->len;

	while (i > 0 && w->s[i - 1] >= '0' && w->s[i - 1] <= '9')
		i--;
	if (i == w->len)
		return 0;
	num.s = w->s + i;
	num.len = w->len - i;
	num.key[0] = '\0';
	return as_number(&num);
}

/* A priority letter or word of NEW. */
static bool
as_priority(const struct word *w, enum core_priority *p)
{
	static const struct {
		const char *key;
		enum core_priority p;
	} t[] = {
	    {"vf", CORE_PRIO_VERY_URGENT},
	    {"f", CORE_PRIO_URGENT},
	    {"n", CORE_PRIO_NORMAL},
	    {"l", CORE_PRIO_LOW},
	    {"خف", CORE_PRIO_VERY_URGENT},
	    {"ف", CORE_PRIO_URGENT},
	    {"ع", CORE_PRIO_NORMAL},
	    {"ض", CORE_PRIO_LOW},
	    {"خیلیفوری", CORE_PRIO_VERY_URGENT},
	    {"فوری", CORE_PRIO_URGENT},
	    {"عادی", CORE_PRIO_NORMAL},
	    {"ضعیف", CORE_PRIO_LOW},
	};
	size_t i;

	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		if (strcmp(w->key, t[i].key) == 0) {
			*p = t[i].p;
			return true;
		}
	}
	return false;
}

/* «خیلی فوری» or "very urgent" as two words. */
static bool
very_urgent(const struct word *a, const struct word *b)
{
	return (strcmp(a->key, "خیلی") == 0 && strcmp(b->key, "فوری") == 0) ||
	    (strcmp(a->key, "very") == 0 && strcmp(b->key, "urgent") == 0);
}

/* The rest of the text from word i on, into out. */
static void
rest(const struct word *w, size_t n, size_t i, char *out, size_t outsz)
{
	size_t len;

	out[0] = '\0';
	if (i >= n)
		return;
	len = strlen(w[i].s);
	if (len >= outsz)
		len = outsz - 1;
	/* Do not end inside a UTF-8 sequence. */
	while (len > 0 && ((unsigned char)w[i].s[len] & 0xc0) == 0x80)
		len--;
	memcpy(out, w[i].s, len);
	out[len] = '\0';
}

/* Levenshtein distance between two UTF-8 strings, in code points, capped. */
static unsigned
distance(const char *a, const char *b)
{
	uint32_t x[32], y[32];
	unsigned d[33], prev, tmp;
	size_t nx = 0, ny = 0, i, j;
	const unsigned char *p;

	for (p = (const unsigned char *)a; *p != 0 && nx < 32; p++)
		if ((*p & 0xc0) != 0x80)
			x[nx++] = *p;
		else
			x[nx - 1] = (x[nx - 1] << 6) | (*p & 0x3f);
	for (p = (const unsigned char *)b; *p != 0 && ny < 32; p++)
		if ((*p & 0xc0) != 0x80)
			y[ny++] = *p;
		else
			y[ny - 1] = (y[ny - 1] << 6) | (*p & 0x3f);
	for (j = 0; j <= ny; j++)
		d[j] = (unsigned)j;
	for (i = 1; i <= nx; i++) {
		prev = d[0];
		d[0] = (unsigned)i;
		for (j = 1; j <= ny; j++) {
			tmp = d[j];
			d[j] = x[i - 1] == y[j - 1] ? prev :
						      1 +
				(prev < d[j] ?
					(prev < d[j - 1] ? prev : d[j - 1]) :
					(d[j] < d[j - 1] ? d[j] : d[j - 1]));
			prev = tmp;
		}
	}
	return d[ny];
}

/* The command a mistyped word most likely meant; NONE if none is close. */
static enum core_cmd_id
closest(const struct word *w, bool *en)
{
	unsigned best = 3, dist;
	enum core_cmd_id id = CORE_CMD_NONE;
	size_t i;

	if (w->key[0] == '\0')
		return CORE_CMD_NONE;
	for (i = 0; i < N_WORDS; i++) {
		if (strlen(cmd_words[i].word) < 3)
			continue; /* "r", "?" match anything short */
		dist = distance(w->key, cmd_words[i].word);
		if (dist < best) {
			best = dist;
			id = cmd_words[i].id;
			*en = cmd_words[i].en;
		}
	}
	return id;
}

/* closest() of a word with a number glued to it («ارجاغ10001»), read
 * without the number. */
static enum core_cmd_id
closest_glued(const struct word *w, bool *en)
{
	struct word head = *w;

	while (head.len > 0 &&
	    ((head.s[head.len - 1] >= '0' && head.s[head.len - 1] <= '9') ||
		head.s[head.len - 1] == '#' || head.s[head.len - 1] == ':'))
		head.len--;
	if (head.len == 0 || head.len == w->len)
		return CORE_CMD_NONE;
	word_key(&head);
	return closest(&head, en);
}

void
core_cmd_parse(const char *text, struct core_cmd *c)
{
	struct word w[MAX_WORDS + 1];
	char err[SD_ERRLEN], *norm = NULL;
	size_t n, args = 1;
	bool glued = false;

	memset(c, 0, sizeof(*c));
	c->prio = CORE_PRIO_NORMAL;
	if (text == NULL || strlen(text) > SD_TEXT_MAX ||
	    core_text_normalize(text, CORE_NORM_ALL, &norm, err) != SD_OK)
		return;
	n = split(norm, w, MAX_WORDS);
	if (n == 0)
		goto out;
	/* A bare tracking number asks for its status. */
	if (n == 1 && as_number(&w[0]) != 0) {
		c->id = CORE_CMD_STATUS;
		c->tracking = as_number(&w[0]);
		goto out;
	}
	c->id = lookup(w[0].key, &c->en);
	if (c->id == CORE_CMD_NONE && unglue(w, &n)) {
		c->id = lookup(w[0].key, &c->en);
		glued = true;
	}
	/* «ثبت نام» and «واحد ها» are two words. */
	if (c->id == CORE_CMD_NONE && n >= 2 && strcmp(w[0].key, "ثبت") == 0 &&
	    strcmp(w[1].key, "نام") == 0) {
		c->id = CORE_CMD_REG;
		args = 2;
	}
	if (c->id == CORE_CMD_NONE && n >= 2 && strcmp(w[0].key, "واحد") == 0 &&
	    strcmp(w[1].key, "ها") == 0) {
		c->id = CORE_CMD_DEPTS;
		args = 2;
	}
	switch (c->id) {
	case CORE_CMD_NONE:
		c->en = isalpha((unsigned char)w[0].s[0]) != 0;
		c->closest = closest(&w[0], &c->en);
		if (c->closest == CORE_CMD_NONE)
			c->closest = closest_glued(&w[0], &c->en);
		if (c->closest == CORE_CMD_NONE && as_number(&w[0]) != 0)
			c->closest = CORE_CMD_STATUS;
		/* «وضیعت 10001», «10001 لطفا», «وضیعت10001»: the hint
		 * shows the sender's own number. */
		c->hint_tracking = as_number(&w[0]);
		if (c->hint_tracking == 0 && n > 1)
			c->hint_tracking = as_number(&w[1]);
		if (c->hint_tracking == 0)
			c->hint_tracking = trailing_number(&w[0]);
		break;
	case CORE_CMD_DEPTS:
		/* DEPTS 2: the second page. */
		c->tracking = n > args && as_number(&w[args]) == 2 ? 2 : 1;
		break;
	case CORE_CMD_HELP:
	case CORE_CMD_LIST:
	case CORE_CMD_STOP:
	case CORE_CMD_START: break; /* anything after the word is ignored */
	case CORE_CMD_STATUS:
	case CORE_CMD_ESCALATE:
	case CORE_CMD_CLOSE:
		c->tracking = n > 1 ? as_number(&w[1]) : 0;
		c->missing = c->tracking == 0;
		break;
	case CORE_CMD_REPLY:
		c->tracking = n > 1 ? as_number(&w[1]) : 0;
		rest(w, n, 2, c->text, sizeof(c->text));
		c->body_off = core_text_word_at(text, glued ? 1 : 2);
		c->missing = c->tracking == 0 || c->text[0] == '\0';
		break;
	case CORE_CMD_NEW: {
		int64_t d = n > 1 ? as_number(&w[1]) : 0;
		size_t from = 2;

		c->dept = d > 0 && d < 1000 ? (int)d : 0;
		/* «خیلی فوری», as the guide spells it, is two words. */
		if (n > 3 && very_urgent(&w[2], &w[3])) {
			c->prio = CORE_PRIO_VERY_URGENT;
			from = 4;
		} else if (n > 2 && as_priority(&w[2], &c->prio)) {
			from = 3;
		}
		rest(w, n, from, c->text, sizeof(c->text));
		c->body_off = core_text_word_at(text, from - (glued ? 1 : 0));
		c->missing = c->dept == 0 || c->text[0] == '\0';
		break;
	}
	case CORE_CMD_REG:
		if (n >= args + 2) {
			snprintf(c->text, sizeof(c->text), "%.*s",
			    (int)w[args].len, w[args].s);
			rest(w, n, args + 1, c->last, sizeof(c->last));
		}
		c->missing = c->text[0] == '\0' || c->last[0] == '\0';
		break;
	}
out:
	free(norm);
}

bool
core_cmd_changes(const char *text)
{
	struct core_cmd c;

	core_cmd_parse(text, &c);
	if (c.missing)
		return false; /* answered with its usage only */
	switch (c.id) {
	case CORE_CMD_NEW:
	case CORE_CMD_REPLY:
	case CORE_CMD_ESCALATE:
	case CORE_CMD_CLOSE:
	case CORE_CMD_REG:
	case CORE_CMD_STOP:
	case CORE_CMD_START: return true;
	case CORE_CMD_NONE:
	case CORE_CMD_HELP:
	case CORE_CMD_STATUS:
	case CORE_CMD_LIST:
	case CORE_CMD_DEPTS: break;
	}
	return false;
}

/* ---- Replies ------------------------------------------------------------- */

/* The context of one MO. */
struct mo_ctx {
	struct db *db;
	const struct core_env *env;
	const struct core_mo *mo;
	struct core_cmd c;
	struct db_user u;        /* the sender, if known */
	struct core_actor actor; /* ... acting by their stored role */
	bool known;
	char reply[REPLY_MAX];
	int64_t link_tracking;    /* the request a cut reply links to */
	char e164[SD_MOBILE_LEN]; /* the sender's number, "" if not a mobile:
				     one-tap links are signed for it */
	bool cut;                 /* the sender's text was cut to SD_BODY_MAX */
	size_t cut_kept;          /* ... to this many characters */
	size_t cut_total;         /* ... of this many */
};

static void SD_PRINTF(2, 3) say(struct mo_ctx *x, const char *fmt, ...)
{
	size_t len = strlen(x->reply);
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(x->reply + len, sizeof(x->reply) - len, fmt, ap);
	va_end(ap);
}

#define SAY(x, id, ...)                                                        \
	core_txt_add((x)->reply, sizeof((x)->reply), (x)->c.en, (id),          \
	    __VA_ARGS__)

static void
say_usage(struct mo_ctx *x)
{
	SAY(x, CORE_TXT_USAGE, usage[x->c.id][x->c.en ? 1 : 0]);
}

static const char *
status_word(const struct mo_ctx *x, enum core_status s)
{
	return x->c.en ? core_status_label_en(s) : core_status_label(s);
}

static void
jalali_short(int64_t t, char *out, size_t n)
{
	struct core_jdate j;

	if (core_jalali_from_utc(t, &j) == SD_OK)
		snprintf(out, n, "%04d/%02d/%02d %02d:%02d", j.year, j.month,
		    j.day, j.hour, j.minute);
	else
		snprintf(out, n, "?");
}

/* An excerpt's «…» as "..." (the same three bytes), for an English
 * reply: U+2026 is not GSM 7-bit and would send it all as UCS-2. */
static void
gsm_ellipsis(char *s)
{
	while ((s = strstr(s, "…")) != NULL)
		memcpy(s, "...", 3);
}

/* STATUS: the status (whose answer an escalated one awaits), an excerpt
 * of the latest answer, the department's full name and the title, the
 * link: a cut takes from the end. Not visible = not found. */
static enum sd_rc
do_status(struct mo_ctx *x)
{
	char ex[256] = "", link[SD_CONF_VALUE_MAX + 32];
	char title[256] = "", dept[256], status[128];
	struct db_request r;
	struct db_message m;
	struct db_dept d;
	enum sd_rc rc;

	rc = core_request_get(x->db, &x->actor, x->c.tracking, &r);
	if (rc == SD_ENOTFOUND) {
		SAY(x, CORE_TXT_NOT_FOUND, (long long)x->c.tracking);
		return SD_OK;
	}
	if (rc != SD_OK)
		return rc;
	rc = db_dept_get(x->db, r.dept, &d);
	if (rc != SD_OK) {
		db_request_fini(&r);
		return rc;
	}
	core_excerpt(r.title, EXCERPT_CHARS, title, sizeof(title));
	if (x->c.en)
		gsm_ellipsis(title);
	core_dept_label(&d, x->c.en, dept, sizeof(dept));
	/* «در انتظار پاسخ دفتر رئیس سازمان»: answered or closed, the
	 * escalation is over. */
	snprintf(status, sizeof(status), "%s", status_word(x, r.status));
	if (r.escalated && r.status == CORE_STATUS_AWAITING)
		core_txt_add(status, sizeof(status), x->c.en,
		    CORE_TXT_STATUS_ESCALATED, 0);
	SAY(x, CORE_TXT_STATUS, (long long)r.tracking, status);
	rc = db_message_last_answer(x->db, r.tracking, &m);
	if (rc == SD_OK) {
		core_excerpt(m.body, EXCERPT_CHARS, ex, sizeof(ex));
		if (x->c.en)
			gsm_ellipsis(ex);
		SAY(x, CORE_TXT_STATUS_ANSWER, ex);
		db_message_fini(&m);
	}
	SAY(x, CORE_TXT_STATUS_TITLE, dept, title);
	core_link(x->db, x->env, r.tracking, x->e164, sd_clock_now(), link,
	    sizeof(link));
	say(x, "\n%s", link);
	x->link_tracking = r.tracking;
	db_dept_fini(&d);
	db_request_fini(&r);
	return rc == SD_ENOTFOUND ? SD_OK : rc;
}

/* Whether r is past its SLA due time, as the escalation counts it
 * (core_request_due(): from the first unanswered message). */
static bool
overdue(const struct mo_ctx *x, const struct db_request *r, int64_t now)
{
	int64_t due;

	return core_request_due(x->env, r, &due) == SD_OK && now >= due;
}

/* LIST from a staff, head or admin phone: what waits for their answer,
 * the longest overdue first, with tracking numbers and titles. */
static enum sd_rc
do_list_waiting(struct mo_ctx *x)
{
	struct db_request *rows;
	int64_t now = sd_clock_now();
	size_t n, i;
	enum sd_rc rc;

	rc = core_request_list_waiting(x->db, &x->actor, LIST_N, &rows, &n);
	if (rc != SD_OK)
		return rc;
	SAY(x, n == 0 ? CORE_TXT_WAIT_NONE : CORE_TXT_WAIT_HEAD, 0);
	for (i = 0; i < n; i++) {
		char mark[64] = "";

		if (overdue(x, &rows[i], now))
			core_txt_add(mark, sizeof(mark), x->c.en,
			    CORE_TXT_WAIT_LATE, 0);
		SAY(x, CORE_TXT_WAIT_LINE, (long long)rows[i].tracking,
		    rows[i].title, mark);
	}
	db_request_list_free(rows, n);
	return SD_OK;
}

static enum sd_rc
do_list(struct mo_ctx *x)
{
	char dept[256];
	struct db_request *rows;
	size_t n, i;
	enum sd_rc rc;

	rc = core_request_list_mine(x->db, &x->actor, LIST_N, &rows, &n);
	if (rc != SD_OK)
		return rc;
	if (n == 0)
		SAY(x, CORE_TXT_LIST_EMPTY, 0);
	else
		SAY(x, CORE_TXT_LIST_HEAD, 0);
	for (i = 0; i < n && rc == SD_OK; i++) {
		struct db_dept d;

		rc = db_dept_get(x->db, rows[i].dept, &d);
		if (rc != SD_OK)
			break;
		/* The one-word names of DEPTS: a list of full names would
		 * not fit two parts. English names the code. */
		if (x->c.en)
			core_dept_label(&d, true, dept, sizeof(dept));
		else
			snprintf(dept, sizeof(dept), "%s", d.short_name);
		SAY(x, CORE_TXT_LIST_LINE, (long long)rows[i].tracking,
		    status_word(x, rows[i].status), dept);
		db_dept_fini(&d);
	}
	db_request_list_free(rows, n);
	return rc;
}

static enum sd_rc
do_depts(struct mo_ctx *x)
{
	struct db_dept *d;
	size_t n, i;
	enum sd_rc rc;

	/* Seventeen names do not fit in two UCS-2 parts: two pages. */
	size_t first = x->c.tracking == 2 ? DEPTS_PAGE : 0;

	rc = db_dept_list(x->db, &d, &n);
	if (rc != SD_OK)
		return rc;
	SAY(x, CORE_TXT_DEPTS_HEAD, 0);
	/* One a line: a line break costs one character, «، » two, and
	 * the page must hold a signature too. */
	for (i = first; i < n && (first > 0 || i < DEPTS_PAGE); i++)
		say(x, "\n%d %s", d[i].code, d[i].short_name);
	if (first == 0 && n > DEPTS_PAGE)
		SAY(x, CORE_TXT_DEPTS_MORE, 0);
	db_dept_list_free(d, n);
	return SD_OK;
}

static size_t
chars_in(const char *s, size_t len)
{
	size_t i, n = 0;

	for (i = 0; i < len; i++)
		if (((unsigned char)s[i] & 0xc0) != 0x80)
			n++;
	return n;
}

static bool
is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' ||
	    c == '\f';
}

/*
 * The text of NEW or R as the sender wrote it (line breaks, digits and
 * letters kept, as the web form keeps them), from where the parser found
 * it in the MO. Longer than SD_BODY_MAX bytes (a long MO may have up to
 * SMSC_PARTS_MAX parts) it is cut at the end, at a word if one ends near
 * the limit, and x->cut says so for the confirmation. Caller frees.
 */
static char *
mo_body(struct mo_ctx *x)
{
	const char *s = x->mo->text + x->c.body_off;
	size_t len = strlen(s), end, i;

	while (len > 0 && is_space(s[len - 1]))
		len--;
	if (len <= SD_BODY_MAX)
		return xstrndup(s, len);
	end = SD_BODY_MAX;
	while (end > 0 && ((unsigned char)s[end] & 0xc0) == 0x80)
		end--;
	for (i = end; i > 0 && i + CUT_LOOKBACK > end; i--) {
		if (is_space(s[i])) {
			end = i;
			break;
		}
	}
	while (end > 0 && is_space(s[end - 1]))
		end--;
	x->cut = true;
	x->cut_kept = chars_in(s, end);
	x->cut_total = chars_in(s, len);
	log_info("cmd", "text cut kept=%zu of=%zu chars", x->cut_kept,
	    x->cut_total);
	return xstrndup(s, end);
}

/* Tell the sender their text was cut (after the confirmation). */
static void
say_cut(struct mo_ctx *x)
{
	if (x->cut)
		SAY(x, CORE_TXT_TEXT_CUT, x->cut_kept, x->cut_total);
}

/* The first words of text, as a title. */
static void
make_title(const char *text, char *out, size_t n)
{
	size_t i = 0, words = 0, chars = 0, end = 0;

	while (text[i] != '\0' && words < TITLE_WORDS && chars < TITLE_CHARS) {
		unsigned char c = (unsigned char)text[i];

		if (c == ' ' || c == '\n') {
			words++;
			end = i;
		} else if ((c & 0xc0) != 0x80) {
			chars++;
		}
		i++;
	}
	if (text[i] == '\0')
		end = i;
	if (end == 0)
		end = i;
	while (end > 0 && ((unsigned char)text[end] & 0xc0) == 0x80)
		end--;
	if (end >= n)
		end = n - 1;
	memcpy(out, text, end);
	out[end] = '\0';
}

static enum sd_rc
do_new(struct mo_ctx *x)
{
	char title[TITLE_CHARS * 4 + 8], err[SD_ERRLEN], *body;
	char link[SD_CONF_VALUE_MAX + 32], dept[256];
	struct db_dept d;
	int64_t t = 0;
	enum sd_rc rc;

	if (x->c.dept < 1 || x->c.dept > CORE_DEPT_COUNT) {
		SAY(x, CORE_TXT_BAD_DEPT, x->c.dept);
		return SD_OK;
	}
	make_title(x->c.text, title, sizeof(title));
	body = mo_body(x);
	rc = core_request_create(x->db, x->env, &x->actor, x->c.dept, x->c.prio,
	    title, body, x->mo->ussd ? CORE_CHAN_USSD : CORE_CHAN_SMS, &t, err);
	free(body);
	if (rc == SD_EINVAL || rc == SD_ETOOBIG) {
		SAY(x, CORE_TXT_BAD_TEXT, 0);
		return SD_OK;
	}
	if (rc != SD_OK)
		return rc;
	rc = db_dept_get(x->db, x->c.dept, &d);
	if (rc != SD_OK)
		return rc;
	core_link(x->db, x->env, t, x->e164, sd_clock_now(), link,
	    sizeof(link));
	core_dept_label(&d, x->c.en, dept, sizeof(dept));
	SAY(x, CORE_TXT_NEW_OK, (long long)t, dept, link);
	say_cut(x);
	x->link_tracking = t;
	db_dept_fini(&d);
	return SD_OK;
}

static enum sd_rc
do_reply(struct mo_ctx *x)
{
	struct db_request r;
	char err[SD_ERRLEN], *body;
	bool own, thanks;
	enum sd_rc rc;

	/* Whose request: the answer says whether it was an answer or a
	 * follow-up. */
	rc = core_request_get(x->db, &x->actor, x->c.tracking, &r);
	if (rc == SD_ENOTFOUND) {
		SAY(x, CORE_TXT_NOT_FOUND, (long long)x->c.tracking);
		return SD_OK;
	}
	if (rc != SD_OK)
		return rc;
	own = r.applicant_id == x->u.id;
	body = mo_body(x);
	/* The same test core_request_reply() makes to keep it answered. */
	thanks = own && r.status == CORE_STATUS_ANSWERED &&
	    core_request_is_thanks(x->env, body);
	db_request_fini(&r);
	rc = core_request_reply(x->db, x->env, &x->actor, x->c.tracking, body,
	    x->mo->ussd ? CORE_CHAN_USSD : CORE_CHAN_SMS, NULL, err);
	free(body);
	switch (rc) {
	case SD_OK:
		if (thanks)
			SAY(x, CORE_TXT_THANKS, (long long)x->c.tracking,
			    (long long)x->c.tracking);
		else
			SAY(x, own ? CORE_TXT_FOLLOWUP_OK : CORE_TXT_ANSWER_OK,
			    (long long)x->c.tracking);
		say_cut(x);
		return SD_OK;
	case SD_ESTATE:
		SAY(x, CORE_TXT_CLOSED, (long long)x->c.tracking);
		return SD_OK;
	case SD_ENOTFOUND:
		SAY(x, CORE_TXT_NOT_FOUND, (long long)x->c.tracking);
		return SD_OK;
	case SD_EINVAL:
	case SD_ETOOBIG: SAY(x, CORE_TXT_BAD_TEXT, 0); return SD_OK;
	default: return rc;
	}
}

/* ESCALATE: the applicant's own request, unanswered for answer_days
 * working days, goes to the head's office. */
static enum sd_rc
do_escalate(struct mo_ctx *x)
{
	const struct core_sla_config *sla = x->env->sla;
	long days = sla != NULL ? sla->answer_days : 2;
	char err[SD_ERRLEN], when[32];
	struct db_request r;
	int64_t due = 0;
	enum sd_rc rc;

	rc = core_request_get(x->db, &x->actor, x->c.tracking, &r);
	if (rc == SD_OK && r.applicant_id != x->u.id) {
		db_request_fini(&r);
		rc = SD_ENOTFOUND; /* staff escalate with the CLI or web */
	}
	if (rc == SD_ENOTFOUND) {
		SAY(x, CORE_TXT_NOT_FOUND, (long long)x->c.tracking);
		return SD_OK;
	}
	if (rc != SD_OK)
		return rc;
	/* The rule the web's «ارجاع به ریاست» button follows too. */
	switch (core_request_may_escalate(x->env, &r, sd_clock_now(), &due)) {
	case CORE_ESCV_AUTO: SAY(x, CORE_TXT_ESC_AUTO, days); break;
	case CORE_ESCV_ALREADY:
		SAY(x, CORE_TXT_ESC_ALREADY, (long long)r.tracking);
		break;
	case CORE_ESCV_CLOSED:
		SAY(x, CORE_TXT_CLOSED, (long long)r.tracking);
		break;
	case CORE_ESCV_ANSWERED:
		SAY(x, CORE_TXT_ESC_ANSWERED, (long long)r.tracking,
		    (long long)r.tracking);
		break;
	case CORE_ESCV_WAIT:
		jalali_short(due, when, sizeof(when));
		SAY(x, CORE_TXT_ESC_WAIT, (long long)r.tracking, when, days);
		break;
	case CORE_ESCV_ERROR: rc = SD_EINTERNAL; break;
	case CORE_ESCV_OK:
		rc = core_request_escalate(x->db, x->env, &x->actor, r.tracking,
		    err);
		if (rc == SD_OK)
			SAY(x, CORE_TXT_ESC_OK, (long long)r.tracking);
		break;
	}
	db_request_fini(&r);
	return rc;
}

/* s without spaces and ZWNJ, lower-case ASCII, into out. */
static void
squeeze(const char *s, char *out, size_t n)
{
	size_t k = 0;

	for (; *s != '\0' && k + 1 < n; s++) {
		if (*s == ' ')
			continue;
		if (strncmp(s, "\u200c", 3) == 0) {
			s += 2;
			continue;
		}
		out[k++] = (char)tolower((unsigned char)*s);
	}
	out[k] = '\0';
}

/*
 * A name that is the words of a usage template («ثبت‌نام نام و
 * نام خانوادگی», «ثبت نام نام فامیل», "REG first last") sent as it is: no one
 * is called «نام فامیل».
 */
static bool
template_name(const char *first, const char *last)
{
	static const char *const firsts[] = {"نام", "first", "firstname"};
	static const char *const lasts[] = {"فامیل", "نامفامیل", "خانوادگی",
	    "نامخانوادگی", "ونامخانوادگی", "last", "lastname", "surname"};
	char f[64], l[256];
	size_t i;

	squeeze(first, f, sizeof(f));
	squeeze(last, l, sizeof(l));
	for (i = 0; i < sizeof(firsts) / sizeof(firsts[0]); i++)
		if (strcmp(f, firsts[i]) == 0)
			return true;
	for (i = 0; i < sizeof(lasts) / sizeof(lasts[0]); i++)
		if (strcmp(l, lasts[i]) == 0)
			return true;
	return false;
}

/* CLOSE: the applicant closes their own request (staff may too). */
static enum sd_rc
do_close(struct mo_ctx *x)
{
	char err[SD_ERRLEN];
	enum sd_rc rc;

	rc = core_request_set_status(x->db, x->env, &x->actor, x->c.tracking,
	    CORE_STATUS_CLOSED, err);
	switch (rc) {
	case SD_OK: SAY(x, CORE_TXT_CLOSE_OK, (long long)x->c.tracking); break;
	case SD_ESTATE:
		SAY(x, CORE_TXT_CLOSED, (long long)x->c.tracking);
		break;
	case SD_ENOTFOUND:
	case SD_EPERM:
		SAY(x, CORE_TXT_NOT_FOUND, (long long)x->c.tracking);
		break;
	default: return rc;
	}
	return SD_OK;
}

enum sd_rc
core_cmd_register(struct db *db, const char *e164, const char *first,
    const char *last, enum core_txt *said, int64_t *id)
{
	char err[SD_ERRLEN];
	uint32_t cp;
	int64_t uid = 0;
	enum sd_rc rc;

	if (id != NULL)
		*id = 0;
	/* core_user_add() refuses these too; the sender is told which
	 * rule. */
	if (core_text_line_unsafe(first, &cp) ||
	    core_text_line_unsafe(last, &cp)) {
		*said = CORE_TXT_REG_CHARS;
		return SD_OK;
	}
	if (template_name(first, last)) {
		*said = CORE_TXT_REG_TEMPLATE;
		return SD_OK;
	}
	rc = core_user_add(db, 0, e164, first, last, CORE_ROLE_APPLICANT, "",
	    NULL, 0, &uid, err);
	if (rc == SD_EINVAL || rc == SD_ETOOBIG) {
		*said = CORE_TXT_REG_BAD;
		return SD_OK;
	}
	if (rc == SD_EEXIST) {
		*said = CORE_TXT_REG_ALREADY;
		return SD_OK;
	}
	/* The MO itself proves the number. */
	if (rc == SD_OK)
		rc = db_user_set_verified(db, uid);
	if (rc == SD_OK) {
		*said = CORE_TXT_REG_OK;
		if (id != NULL)
			*id = uid;
	}
	return rc;
}

static enum sd_rc
do_reg(struct mo_ctx *x, const char *e164)
{
	enum core_txt said = CORE_TXT_REG_BAD;
	enum sd_rc rc;

	if (x->known) {
		SAY(x, CORE_TXT_REG_ALREADY, 0);
		return SD_OK;
	}
	rc = core_cmd_register(x->db, e164, x->c.text, x->c.last, &said, NULL);
	if (rc != SD_OK)
		return rc;
	if (said == CORE_TXT_REG_OK)
		SAY(x, CORE_TXT_REG_OK, x->c.text, x->c.last, x->env->base_url);
	else
		SAY(x, said, 0);
	return SD_OK;
}

static enum sd_rc
do_stop(struct mo_ctx *x, bool off)
{
	enum sd_rc rc = db_user_set_alerts(x->db, x->u.id, off);
	char detail[8], object[32];

	if (rc == SD_OK) {
		snprintf(object, sizeof(object), "user:%lld",
		    (long long)x->u.id);
		snprintf(detail, sizeof(detail), "%s", off ? "stop" : "start");
		rc = db_audit_add(x->db, x->u.id, "user.alerts", object,
		    detail);
	}
	if (rc == SD_OK)
		SAY(x, off ? CORE_TXT_STOP : CORE_TXT_START, 0);
	return rc;
}

/* The hint's example: the closest command's usage, with the sender's
 * own tracking number in place of the example's («وضعیت 10001»). */
static void
hint_example(const struct core_cmd *c, char *out, size_t n)
{
	const char *u = usage[c->closest][c->en ? 1 : 0];
	const char *at = strstr(u, "10025");

	if (at == NULL || c->hint_tracking == 0)
		snprintf(out, n, "%s", u);
	else
		snprintf(out, n, "%.*s%lld%s", (int)(at - u), u,
		    (long long)c->hint_tracking, at + 5);
}

static enum sd_rc
dispatch(struct mo_ctx *x, const char *e164)
{
	if (x->c.id == CORE_CMD_HELP) {
		SAY(x, CORE_TXT_HELP, 0);
		return SD_OK;
	}
	if (x->c.id == CORE_CMD_REG && !x->c.missing)
		return do_reg(x, e164);
	if (!x->known) {
		SAY(x, CORE_TXT_UNREGISTERED, x->env->base_url);
		return SD_OK;
	}
	if (x->c.id == CORE_CMD_NONE) {
		if (x->c.closest != CORE_CMD_NONE) {
			char hint[128];

			hint_example(&x->c, hint, sizeof(hint));
			SAY(x, CORE_TXT_HINT, hint);
		} else
			SAY(x, CORE_TXT_UNKNOWN, 0);
		return SD_OK;
	}
	if (x->c.missing) {
		say_usage(x);
		return SD_OK;
	}
	switch (x->c.id) {
	case CORE_CMD_STATUS: return do_status(x);
	case CORE_CMD_LIST:
		return x->u.role == CORE_ROLE_APPLICANT ? do_list(x) :
							  do_list_waiting(x);
	case CORE_CMD_DEPTS: return do_depts(x);
	case CORE_CMD_NEW: return do_new(x);
	case CORE_CMD_REPLY: return do_reply(x);
	case CORE_CMD_ESCALATE: return do_escalate(x);
	case CORE_CMD_REG: return do_reg(x, e164);
	case CORE_CMD_STOP: return do_stop(x, true);
	case CORE_CMD_START: return do_stop(x, false);
	case CORE_CMD_CLOSE: return do_close(x);
	default: break;
	}
	SAY(x, CORE_TXT_UNKNOWN, 0);
	return SD_OK;
}

/*
 * The sender's hourly limit ([sms] mo_per_hour, or staff_mo_per_hour for
 * staff, head and admin: their answers must not be lost to a limit meant
 * for abuse by unknown numbers) and the messages they sent in the last
 * hour before this one. *name gets the limit's key for the inbox reason.
 */
static enum sd_rc
mo_limit(struct mo_ctx *x, long *per_hour, const char **name, int64_t *seen)
{
	const struct core_sms_config *sms = x->env->sms;
	bool staff = x->known && x->u.role != CORE_ROLE_APPLICANT;

	if (staff) {
		*per_hour = sms != NULL ? sms->staff_mo_per_hour : 300;
		*name = "staff_mo_per_hour";
	} else {
		*per_hour = sms != NULL ? sms->mo_per_hour : 30;
		*name = "mo_per_hour";
	}
	/* SMS only: USSD steps have their own limit ([ussd] mo_per_hour),
	 * and a dialogue takes several. */
	return db_inbox_count_kind_since(x->db, x->mo->from, DB_INBOX_SMS,
	    sd_clock_now() - 3600, seen);
}

enum sd_rc
core_mo_handle(struct db *db, const struct core_env *env,
    const struct core_mo *mo, int64_t *reply_id, char *why)
{
	char e164[SD_MOBILE_LEN] = "", err[SD_ERRLEN], masked[SD_MOBILE_LEN];
	char link[SD_CONF_VALUE_MAX + 32];
	const char *limit_name = "mo_per_hour";
	long max_parts, per_hour = 30;
	struct mo_ctx *x;
	struct core_out m;
	int64_t seen = 0;
	enum sd_rc rc;

	*reply_id = 0;
	if (why != NULL)
		why[0] = '\0';
	core_env_check(env);
	/* A USSD step is the menu's (core/ussd.c), not a command. */
	if (mo->ussd)
		return core_ussd_handle(db, env, mo, reply_id, why);
	max_parts = env->sms != NULL ? env->sms->max_reply_parts : 2;
	x = xcalloc(1, sizeof(*x));
	x->db = db;
	x->env = env;
	x->mo = mo;
	core_cmd_parse(mo->text, &x->c);
	/* Who sent it decides their limit. */
	if (core_mobile_parse(mo->from, e164, err) == SD_OK) {
		memcpy(x->e164, e164, sizeof(x->e164));
		rc = db_user_by_mobile(db, e164, &x->u);
		if (rc == SD_OK)
			x->known = true;
		else if (rc != SD_ENOTFOUND)
			goto out;
	} else if (x->c.id == CORE_CMD_REG) {
		/* Not a mobile number: nothing to register. */
		x->c.id = CORE_CMD_NONE;
	}
	rc = mo_limit(x, &per_hour, &limit_name, &seen);
	if (rc != SD_OK)
		goto out;
	/* Over the limit: answered once, then not processed for the rest
	 * of the hour; the caller keeps the MO with the reason. */
	if (seen > per_hour) {
		log_debug("cmd", "flood: not processed from=%s n=%lld",
		    log_mask_mobile(mo->from, masked, sizeof(masked)),
		    (long long)seen);
		if (why != NULL)
			snprintf(why, DB_INBOX_REASON_LEN,
			    "over %s=%ld: not processed", limit_name, per_hour);
		goto out;
	}
	if (seen == per_hour) {
		log_warnx("cmd",
		    "flood: more than %ld messages in an hour "
		    "from=%s; answered once, then not processed",
		    per_hour,
		    log_mask_mobile(mo->from, masked, sizeof(masked)));
		if (why != NULL)
			snprintf(why, DB_INBOX_REASON_LEN,
			    "over %s=%ld: notice sent, not processed",
			    limit_name, per_hour);
		SAY(x, CORE_TXT_FLOOD, 0);
		goto queue;
	}
	if (x->known) {
		x->actor = core_actor_of(x->u.role, x->u.id);
		if (!x->u.verified) {
			rc = db_user_set_verified(db, x->u.id);
			if (rc != SD_OK)
				goto out;
		}
	}
	rc = dispatch(x, e164);
	if (rc != SD_OK)
		goto out;
	log_trace(TRACE_CMD, "cmd", "mo cmd=%s en=%d known=%d",
	    core_cmd_name(x->c.id, true), x->c.en, x->known);
queue:
	if (x->link_tracking != 0)
		core_link(db, env, x->link_tracking, x->e164, sd_clock_now(),
		    link, sizeof(link));
	else
		snprintf(link, sizeof(link), "%s", x->env->base_url);
	/* The notice of a cut text must reach the sender: two parts more
	 * (their own text took a hundred), as it follows the confirmation
	 * and its link. A USSD menu is not signed. */
	core_out_compose(env, x->c.en, !mo->ussd, x->reply, sizeof(x->reply),
	    link, max_parts + (x->cut ? 2 : 0));
	memset(&m, 0, sizeof(m));
	m.kind = mo->ussd ? CORE_OUT_USSD : CORE_OUT_REPLY;
	m.dest = mo->from;
	m.text = x->reply;
	m.tracking = x->link_tracking;
	m.ussd_session = mo->ussd_session;
	rc = core_out_queue(db, &m, reply_id);
out:
	if (x->known)
		db_user_fini(&x->u);
	free(x);
	return rc;
}
