/*
 * core/ussd.c: the USSD menus (issue #12). A dial of [ussd] service_code
 * opens a dialogue; each answer of the user moves it through the one
 * table below (machine[]), whose rows are the screens and their
 * transitions; ussd_enter() logs every move. The dialogue lives in memory
 * (struct core_ussd: at most [ussd] max_sessions, keyed by number and the
 * transport's session key), until its last screen, or until it has been
 * idle [ussd] session_s (then it is abandoned; the next dial starts
 * afresh). Each end is a log line and an audit row ("ussd.end",
 * "ussd.abandon"); the inbox has a row for every step.
 *
 * The states (each a screen the user answers) and their moves; "00" is
 * back, "0" the next page; END is the last screen (ussd_end):
 *
 *   dial *CODE#: unregistered -> REG_FIRST, staff -> STAFF, else MAIN
 *   dial *CODE*N#: N a digit: MAIN (or STAFF) with input N; else END with
 *                  request N's status
 *
 *   REG_FIRST --name--> REG_LAST --name, registered--> MAIN
 *       ^----------------00 / refused------------'
 *   STAFF --1--> TRACK                (counts of their departments)
 *   MAIN --1--> TRACK --number--> END (status)          TRACK --00--> home
 *        --2--> LIST  --line or number--> END (status)  (none: END)
 *        --3--> DEPT  --code--> PRIO --1..4--> TEXT --text--> CONFIRM
 *        --4--> HELP                 CONFIRM --1--> END (tracking number
 *                                              and an SMS with the link)
 *                                    CONFIRM --2--> END (cancelled)
 *   back: PRIO -> DEPT, TEXT -> PRIO, CONFIRM -> TEXT; on the first page
 *   of LIST, DEPT, HELP -> MAIN (an earlier page otherwise)
 *
 * Screens: every one fits one USSD string (182 GSM 7-bit characters or
 * 80 UCS-2 units: 160 octets, never split), counted with core_sms_count().
 * A list that does not fit is paged ("0" next, "00" back), pages computed
 * from the texts; an item longer than a page holds is cut at a word. An
 * input that no row takes re-asks the screen with a short reason, which
 * replaces the screen's title when both do not fit (the pages leave room
 * for the longest reason). Input is read normalized: Persian and
 * Arabic-Indic digits as ASCII.
 *
 * Every read of a request goes through core_request_get() with the
 * dialer's actor. A flood from one number ([ussd] mo_per_hour USSD steps
 * an hour) is told so once and then not answered, as SMS floods are.
 *
 * Locking: the table has one mutex, held for a whole step on the store
 * thread (inside its database transaction). core_ussd_expire() (serve's
 * timer, gw thread) only drops sessions under it and writes their audit
 * rows after releasing it, so no thread waits for the database while it
 * holds the table. A step that fails on the database puts its dialogue
 * back as it was, so the MO handled again takes the same step; a batch
 * rolled back after the step succeeded (its commit failed) leaves the
 * dialogue one step on (a dialogue is a best effort; what it writes is
 * transactional).
 */
#include "core/core.h"

#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/base/clock.h"
#include "core/base/log.h"
#include "core/base/xmalloc.h"
#include "core/core_int.h"

/* One USSD string: 182 septets, or 80 UCS-2 units. */
#define USSD_GSM7_MAX 182
#define USSD_UCS2_MAX 80
/* A screen as built, bytes (80 Persian characters are 160 bytes). */
#define SCREEN_MAX 1024
/* The latest requests option 2 lists. */
#define LIST_N 5
/* What a user may type in one step, bytes (182 characters of up to 4). */
#define INPUT_MAX 800
/* The items of a paged screen at most (departments). */
#define ITEMS_MAX 32
/* A request's title made from its USSD text. */
#define TITLE_CHARS 60

/* Where a dialogue is: the screen the user sees and answers. */
enum ussd_state {
	U_NONE = 0,  /* no dialogue */
	U_MAIN,      /* main menu: 1..4 */
	U_TRACK,     /* asks a tracking number */
	U_LIST,      /* the 5 latest requests: pick one */
	U_DEPT,      /* departments, paged: a code */
	U_PRIO,      /* the priority: 1..4 */
	U_TEXT,      /* the request's text */
	U_CONFIRM,   /* 1 yes, 2 no */
	U_HELP,      /* help, paged */
	U_REG_FIRST, /* unregistered: first name */
	U_REG_LAST,  /* ... last name */
	U_STAFF,     /* staff: their departments' counts; 1 status */
	U_END,       /* the last screen: the dialogue is over */
	U_COUNT
};

static const char *const state_name[U_COUNT] = {
    [U_NONE] = "none",
    [U_MAIN] = "main",
    [U_TRACK] = "tracking",
    [U_LIST] = "list",
    [U_DEPT] = "dept",
    [U_PRIO] = "priority",
    [U_TEXT] = "text",
    [U_CONFIRM] = "confirm",
    [U_HELP] = "help",
    [U_REG_FIRST] = "reg_first",
    [U_REG_LAST] = "reg_last",
    [U_STAFF] = "staff",
    [U_END] = "end",
};

/* One dialogue. */
struct ussd_sess {
	long slot;                /* its index in the table */
	char from[SD_ADDR_LEN];   /* the number as the SMSC wrote it */
	int key;                  /* the transport's session key, -1 if none */
	enum ussd_state st;       /* the screen the user answers */
	int64_t started;          /* UTC seconds of the dial */
	int64_t last;             /* ... of the last step */
	unsigned steps;           /* MOs in this dialogue */
	int page;                 /* of a paged screen */
	int dept;                 /* new request: department code */
	enum core_priority prio;  /* ... priority */
	char text[INPUT_MAX + 1]; /* ... its text */
	char first[SD_NAME_MAX + 1]; /* registration: first name */
	int64_t picks[LIST_N];       /* LIST: the tracking numbers shown */
	size_t n_picks;              /* ... how many */
	bool registered;             /* registered in this dialogue */
	char final[SCREEN_MAX];      /* U_END: the last screen */
};

struct core_ussd {
	struct core_ussd_config cfg;  /* a copy */
	pthread_mutex_t mu;           /* guards everything below */
	struct ussd_sess **sess;      /* cfg.max_sessions slots, NULL if
					 free: memory goes with the
					 dialogues held, not the bound */
	struct core_ussd_stats stats; /* counts */
};

/* One step being handled. */
struct ussd_ctx {
	struct db *db;
	const struct core_env *env;
	struct core_ussd *u;
	struct ussd_sess *s;
	const char *in;      /* the input, normalized */
	const char *raw;     /* ... as typed (a request's text) */
	struct db_user user; /* the dialer, if known */
	bool known;
	struct core_actor actor;   /* ... acting by their stored role */
	char e164[SD_MOBILE_LEN];  /* "" if the number is not a mobile */
	enum core_ussd_txt reason; /* re-ask with this; CORE_UT_COUNT: none */
	int64_t link_tracking;     /* a request created: its SMS link */
};

/* ---- Fitting one USSD string ------------------------------------------- */

/* Whether s is one USSD string. */
static bool
fits(const char *s)
{
	struct core_sms_count c;

	if (core_sms_count(s, strlen(s), 0, &c, NULL, 0, NULL) != SD_OK)
		return false;
	return c.units <=
	    (c.alphabet == CORE_SMS_GSM7 ? USSD_GSM7_MAX : USSD_UCS2_MAX);
}

/* Append fmt to buf (size SCREEN_MAX). */
static void SD_PRINTF(2, 3) add(char *buf, const char *fmt, ...)
{
	size_t len = strlen(buf);
	va_list ap;

	if (len + 1 >= SCREEN_MAX)
		return;
	va_start(ap, fmt);
	vsnprintf(buf + len, SCREEN_MAX - len, fmt, ap);
	va_end(ap);
}

/*
 * s cut at a word so that prefix + s + suffix fits one USSD string, "…"
 * marking the cut, into out (SCREEN_MAX). s is taken whole if it fits; if
 * not even its first word does, it is cut at a character. Line breaks in
 * s become spaces (one line).
 */
static void
cut_to_fit(const char *prefix, const char *s, const char *suffix, char *out)
{
	char line[SCREEN_MAX], try[SCREEN_MAX * 2 + 8];
	size_t len, i, best = 0, last_char = 0;

	snprintf(line, sizeof(line), "%s", s);
	len = strlen(line);
	if (strlen(s) >= sizeof(line)) {
		/* Cut by the copy: drop its last, perhaps partial,
		 * character. */
		while (len > 0 && ((unsigned char)line[len - 1] & 0xc0) == 0x80)
			len--;
		if (len > 0)
			len--;
		line[len] = '\0';
	}
	for (i = 0; line[i] != '\0'; i++)
		if (line[i] == '\n' || line[i] == '\r' || line[i] == '\t')
			line[i] = ' ';
	snprintf(try, sizeof(try), "%s%s%s", prefix, line, suffix);
	if (fits(try)) {
		snprintf(out, SCREEN_MAX, "%s", line);
		return;
	}
	/* The longest start ending before a space that fits with "…"; else
	 * the longest start ending at a character. */
	for (i = 1; i <= len; i++) {
		bool word = i == len || line[i] == ' ';
		bool boundary = i == len ||
		    ((unsigned char)line[i] & 0xc0) != 0x80;

		if (!boundary)
			continue;
		snprintf(try, sizeof(try), "%s%.*s…%s", prefix, (int)i, line,
		    suffix);
		if (!fits(try))
			break;
		last_char = i;
		if (word && line[i - 1] != ' ')
			best = i;
	}
	/* A word longer than half of what fits (a title of one long word)
	 * is cut inside rather than dropped whole. */
	if (best == 0 || best < last_char / 2)
		best = last_char;
	snprintf(out, SCREEN_MAX, "%.*s…", (int)best, line);
}

/* s cut at a word so that prefix + s leaves room for room more
 * characters in one USSD string, into out (SCREEN_MAX). */
static void
cut_room(const char *prefix, const char *s, size_t room, char *out)
{
	char suffix[256];

	if (room >= sizeof(suffix))
		room = sizeof(suffix) - 1;
	memset(suffix, '-', room);
	suffix[room] = '\0';
	cut_to_fit(prefix, s, suffix, out);
}

/* Whether prefix leaves room for room more characters. */
static bool
has_room(const char *prefix, size_t room)
{
	char out[SCREEN_MAX];

	cut_room(prefix, "", room, out);
	return out[0] == '\0';
}

/* ---- Paged screens ------------------------------------------------------ */

/* A screen: a title line, items, and the navigation lines. */
struct page_spec {
	const char *title;            /* first line */
	const char *items[ITEMS_MAX]; /* one a line, as shown ("3 گاز") */
	size_t n;                     /* items */
	bool back;                    /* "00 back" on the first page too */
};

/* The text of items [from, to) of p with title t, into out. */
static void
page_text(const struct page_spec *p, const char *t, size_t from, size_t to,
    char *out)
{
	size_t i;

	out[0] = '\0';
	add(out, "%s", t);
	for (i = from; i < to; i++)
		add(out, "\n%s", p->items[i]);
	if (to < p->n)
		add(out, "\n%s", core_ussd_txt(CORE_UT_NEXT));
	if (from > 0 || p->back)
		add(out, "\n%s", core_ussd_txt(CORE_UT_BACK));
}

/* The longest reason an input can be refused with. */
static const char *
longest_reason(void)
{
	static const enum core_ussd_txt reasons[] = {CORE_UT_BAD_CHOICE,
	    CORE_UT_BAD_TRACKING, CORE_UT_NOT_FOUND, CORE_UT_BAD_DEPT,
	    CORE_UT_BAD_TEXT, CORE_UT_BAD_NAME, CORE_UT_NAME_CHARS,
	    CORE_UT_NAME_TEMPLATE, CORE_UT_REG_TAKEN};
	const char *best = "";
	size_t i;

	for (i = 0; i < sizeof(reasons) / sizeof(reasons[0]); i++)
		if (strlen(core_ussd_txt(reasons[i])) > strlen(best))
			best = core_ussd_txt(reasons[i]);
	return best;
}

/* The title a page is laid out with: the title or the longest reason,
 * whichever is longer, so a reason can take the title's place. */
static const char *
room_title(const struct page_spec *p)
{
	const char *r = longest_reason();

	return strlen(r) > strlen(p->title) ? r : p->title;
}

/* Where page k starts (k pages laid out greedily from item 0); *end gets
 * where it ends. Pages hold at least one item. */
static size_t
page_bounds(const struct page_spec *p, int k, size_t *end)
{
	char buf[SCREEN_MAX];
	const char *t = room_title(p);
	size_t from = 0, to = 0, j;
	int page;

	for (page = 0;; page++) {
		to = from + 1;
		for (j = from + 1; j <= p->n; j++) {
			page_text(p, t, from, j, buf);
			if (fits(buf))
				to = j;
		}
		if (p->n == 0)
			to = 0;
		if (page == k || to >= p->n)
			break;
		from = to;
	}
	*end = to;
	return from;
}

/* The number of pages of p. */
static int
page_count(const struct page_spec *p)
{
	size_t end = 0;
	int k = 0;

	while (page_bounds(p, k, &end) < p->n && end < p->n)
		k++;
	return k + 1;
}

/* Page k of p into out; reason (may be NULL) on top, or in the title's
 * place when both do not fit. */
static void
page_render(const struct page_spec *p, int k, const char *reason, char *out)
{
	char title[SCREEN_MAX];
	size_t from, to;

	from = page_bounds(p, k, &to);
	if (reason != NULL) {
		snprintf(title, sizeof(title), "%s\n%s", reason, p->title);
		page_text(p, title, from, to, out);
		if (fits(out))
			return;
		page_text(p, reason, from, to, out);
		return;
	}
	page_text(p, p->title, from, to, out);
}

/* An item "N text" cut at a word to fit a page of p with the room title
 * and both navigation lines, into a static slot of items. */
static void
item_fit(const struct page_spec *p, char *slot, const char *num,
    const char *text)
{
	char prefix[SCREEN_MAX], suffix[128], cut[SCREEN_MAX];

	snprintf(prefix, sizeof(prefix), "%s\n%s ", room_title(p), num);
	snprintf(suffix, sizeof(suffix), "\n%s\n%s",
	    core_ussd_txt(CORE_UT_NEXT), core_ussd_txt(CORE_UT_BACK));
	cut_to_fit(prefix, text, suffix, cut);
	snprintf(slot, SCREEN_MAX, "%s %s", num, cut);
}

/* ---- The state machine --------------------------------------------------- */

static void
ussd_enter(struct ussd_ctx *x, enum ussd_state to, const char *why)
{
	char masked[SD_ADDR_LEN];
	struct ussd_sess *s = x->s;

	if (s->st == to)
		return;
	log_info("ussd", "from=%s session=%d state %s -> %s%s%s",
	    log_mask_mobile(s->from, masked, sizeof(masked)), s->key,
	    state_name[s->st], state_name[to], why != NULL ? " reason=" : "",
	    why != NULL ? why : "");
	/* "Registered" is the main menu's title once. */
	if (s->st == U_MAIN)
		s->registered = false;
	s->st = to;
	s->page = 0;
}

/* How an input is matched. */
enum ussd_in {
	IN_NONE = 0, /* the end of a row list */
	IN_KEY,      /* exactly key */
	IN_NUM,      /* a whole number (digits only) */
	IN_TEXT,     /* any non-empty text */
};

/* An action of a move: may refuse the input (x->reason: the screen is
 * asked again) or send the dialogue elsewhere (*to). Database errors
 * only are returned. */
typedef enum sd_rc (*ussd_act_fn)(struct ussd_ctx *x, enum ussd_state *to);
/* A screen: its text for the session's state and page into out (the
 * reason, if any, on top). */
typedef enum sd_rc (*ussd_screen_fn)(struct ussd_ctx *x, char *out);

#define MOVES_MAX 6

struct ussd_move {
	enum ussd_in in;    /* how the input is matched */
	const char *key;    /* IN_KEY */
	ussd_act_fn act;    /* NULL: none */
	enum ussd_state to; /* where it goes (unless act says otherwise) */
};

struct ussd_row {
	ussd_screen_fn screen;             /* what the user sees here */
	enum core_ussd_txt bad;            /* why no move took the input */
	struct ussd_move moves[MOVES_MAX]; /* first match wins */
};

/* Screens and actions, defined below the table. */
static enum sd_rc scr_main(struct ussd_ctx *x, char *out);
static enum sd_rc scr_track(struct ussd_ctx *x, char *out);
static enum sd_rc scr_list(struct ussd_ctx *x, char *out);
static enum sd_rc scr_dept(struct ussd_ctx *x, char *out);
static enum sd_rc scr_prio(struct ussd_ctx *x, char *out);
static enum sd_rc scr_text(struct ussd_ctx *x, char *out);
static enum sd_rc scr_confirm(struct ussd_ctx *x, char *out);
static enum sd_rc scr_help(struct ussd_ctx *x, char *out);
static enum sd_rc scr_reg_first(struct ussd_ctx *x, char *out);
static enum sd_rc scr_reg_last(struct ussd_ctx *x, char *out);
static enum sd_rc scr_staff(struct ussd_ctx *x, char *out);
static enum sd_rc scr_end(struct ussd_ctx *x, char *out);
static enum sd_rc act_home(struct ussd_ctx *x, enum ussd_state *to);
static enum sd_rc act_next(struct ussd_ctx *x, enum ussd_state *to);
static enum sd_rc act_back(struct ussd_ctx *x, enum ussd_state *to);
static enum sd_rc act_status(struct ussd_ctx *x, enum ussd_state *to);
static enum sd_rc act_list(struct ussd_ctx *x, enum ussd_state *to);
static enum sd_rc act_pick(struct ussd_ctx *x, enum ussd_state *to);
static enum sd_rc act_dept(struct ussd_ctx *x, enum ussd_state *to);
static enum sd_rc act_prio(struct ussd_ctx *x, enum ussd_state *to);
static enum sd_rc act_text(struct ussd_ctx *x, enum ussd_state *to);
static enum sd_rc act_create(struct ussd_ctx *x, enum ussd_state *to);
static enum sd_rc act_cancel(struct ussd_ctx *x, enum ussd_state *to);
static enum sd_rc act_first(struct ussd_ctx *x, enum ussd_state *to);
static enum sd_rc act_register(struct ussd_ctx *x, enum ussd_state *to);

/*
 * THE TABLE: each screen and the moves its input makes. "0" and "00" are
 * listed before a number, so they page instead of being read as one.
 * act_back on a first page goes to the move's target (the screen before).
 */
static const struct ussd_row machine[U_COUNT] = {
    [U_MAIN] = {scr_main, CORE_UT_BAD_CHOICE,
	{
	    {IN_KEY, "1", NULL, U_TRACK},
	    {IN_KEY, "2", act_list, U_LIST},
	    {IN_KEY, "3", NULL, U_DEPT},
	    {IN_KEY, "4", NULL, U_HELP},
	}},
    [U_TRACK] = {scr_track, CORE_UT_BAD_TRACKING,
	{
	    {IN_KEY, "00", act_home, U_MAIN},
	    {IN_NUM, NULL, act_status, U_END},
	}},
    [U_LIST] = {scr_list, CORE_UT_BAD_CHOICE,
	{
	    {IN_KEY, "0", act_next, U_LIST},
	    {IN_KEY, "00", act_back, U_MAIN},
	    {IN_NUM, NULL, act_pick, U_END},
	}},
    [U_DEPT] = {scr_dept, CORE_UT_BAD_DEPT,
	{
	    {IN_KEY, "0", act_next, U_DEPT},
	    {IN_KEY, "00", act_back, U_MAIN},
	    {IN_NUM, NULL, act_dept, U_PRIO},
	}},
    [U_PRIO] = {scr_prio, CORE_UT_BAD_CHOICE,
	{
	    {IN_KEY, "00", NULL, U_DEPT},
	    {IN_NUM, NULL, act_prio, U_TEXT},
	}},
    [U_TEXT] = {scr_text, CORE_UT_BAD_TEXT,
	{
	    {IN_KEY, "00", NULL, U_PRIO},
	    {IN_TEXT, NULL, act_text, U_CONFIRM},
	}},
    [U_CONFIRM] = {scr_confirm, CORE_UT_BAD_CHOICE,
	{
	    {IN_KEY, "1", act_create, U_END},
	    {IN_KEY, "2", act_cancel, U_END},
	    {IN_KEY, "00", NULL, U_TEXT},
	}},
    [U_HELP] = {scr_help, CORE_UT_BAD_CHOICE,
	{
	    {IN_KEY, "0", act_next, U_HELP},
	    {IN_KEY, "00", act_back, U_MAIN},
	}},
    [U_REG_FIRST] = {scr_reg_first, CORE_UT_BAD_NAME,
	{
	    {IN_TEXT, NULL, act_first, U_REG_LAST},
	}},
    [U_REG_LAST] = {scr_reg_last, CORE_UT_BAD_NAME,
	{
	    {IN_KEY, "00", NULL, U_REG_FIRST},
	    {IN_TEXT, NULL, act_register, U_MAIN},
	}},
    [U_STAFF] = {scr_staff, CORE_UT_BAD_CHOICE,
	{
	    {IN_KEY, "1", NULL, U_TRACK},
	}},
    [U_END] = {scr_end, CORE_UT_COUNT, {{IN_NONE, NULL, NULL, U_END}}},
};

/* A whole number of at most 12 digits, or -1. */
static int64_t
as_number(const char *s)
{
	int64_t v = 0;
	size_t i;

	if (s[0] == '\0' || strlen(s) > 12)
		return -1;
	for (i = 0; s[i] != '\0'; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		v = v * 10 + (s[i] - '0');
	}
	return v;
}

static bool
move_matches(const struct ussd_move *m, const char *in)
{
	switch (m->in) {
	case IN_KEY: return strcmp(in, m->key) == 0;
	case IN_NUM: return as_number(in) >= 0;
	case IN_TEXT: return in[0] != '\0';
	case IN_NONE: break;
	}
	return false;
}

/* Apply the user's input x->in to the session's screen. */
static enum sd_rc
ussd_step(struct ussd_ctx *x)
{
	const struct ussd_row *row = &machine[x->s->st];
	enum ussd_state to;
	enum sd_rc rc;
	size_t i;

	for (i = 0; i < MOVES_MAX && row->moves[i].in != IN_NONE; i++) {
		const struct ussd_move *m = &row->moves[i];

		if (!move_matches(m, x->in))
			continue;
		to = m->to;
		if (m->act != NULL) {
			rc = m->act(x, &to);
			if (rc != SD_OK)
				return rc;
			if (x->reason != CORE_UT_COUNT)
				return SD_OK; /* asked again */
		}
		ussd_enter(x, to, NULL);
		return SD_OK;
	}
	x->reason = row->bad;
	return SD_OK;
}

/* ---- Screens ------------------------------------------------------------- */

static const char *
reason_of(const struct ussd_ctx *x)
{
	return x->reason != CORE_UT_COUNT ? core_ussd_txt(x->reason) : NULL;
}

static enum sd_rc
scr_main(struct ussd_ctx *x, char *out)
{
	static const enum core_ussd_txt items[] = {CORE_UT_MAIN_STATUS,
	    CORE_UT_MAIN_MINE, CORE_UT_MAIN_NEW, CORE_UT_MAIN_HELP};
	char slots[4][SCREEN_MAX];
	struct page_spec p;
	size_t i;

	memset(&p, 0, sizeof(p));
	p.title = core_ussd_txt(
	    x->s->registered ? CORE_UT_REG_OK : CORE_UT_TITLE);
	for (i = 0; i < 4; i++) {
		char num[4];

		snprintf(num, sizeof(num), "%zu", i + 1);
		item_fit(&p, slots[i], num, core_ussd_txt(items[i]));
		p.items[p.n++] = slots[i];
	}
	page_render(&p, x->s->page, reason_of(x), out);
	return SD_OK;
}

/* A prompt: the question, "00 back" if back, the reason on top. */
static void
prompt(struct ussd_ctx *x, enum core_ussd_txt q, bool back, char *out)
{
	struct page_spec p;

	memset(&p, 0, sizeof(p));
	p.title = core_ussd_txt(q);
	p.back = back;
	page_render(&p, 0, reason_of(x), out);
}

static enum sd_rc
scr_track(struct ussd_ctx *x, char *out)
{
	prompt(x, CORE_UT_ASK_TRACKING, true, out);
	return SD_OK;
}

static enum sd_rc
scr_text(struct ussd_ctx *x, char *out)
{
	prompt(x, CORE_UT_ASK_TEXT, true, out);
	return SD_OK;
}

static enum sd_rc
scr_reg_first(struct ussd_ctx *x, char *out)
{
	prompt(x, CORE_UT_REG_FIRST, false, out);
	return SD_OK;
}

static enum sd_rc
scr_reg_last(struct ussd_ctx *x, char *out)
{
	prompt(x, CORE_UT_REG_LAST, true, out);
	return SD_OK;
}

static enum sd_rc
scr_end(struct ussd_ctx *x, char *out)
{
	snprintf(out, SCREEN_MAX, "%s", x->s->final);
	return SD_OK;
}

/* The department list as a paged screen; slots hold the items. */
static enum sd_rc
dept_spec(struct ussd_ctx *x, struct page_spec *p, char (*slots)[SCREEN_MAX],
    struct db_dept **d, size_t *n)
{
	enum sd_rc rc;
	size_t i;

	memset(p, 0, sizeof(*p));
	p->title = core_ussd_txt(CORE_UT_DEPT_HEAD);
	p->back = true;
	rc = db_dept_list(x->db, d, n);
	if (rc != SD_OK)
		return rc;
	for (i = 0; i < *n && i < ITEMS_MAX; i++) {
		char num[16];

		snprintf(num, sizeof(num), "%d", (*d)[i].code);
		/* The short names, as the SMS channel lists them: the
		 * full ones took twice the pages. */
		item_fit(p, slots[i], num, (*d)[i].short_name);
		p->items[p->n++] = slots[i];
	}
	return SD_OK;
}

static enum sd_rc
scr_dept(struct ussd_ctx *x, char *out)
{
	char(*slots)[SCREEN_MAX] = xcalloc(ITEMS_MAX, SCREEN_MAX);
	struct page_spec p;
	struct db_dept *d = NULL;
	size_t n = 0;
	enum sd_rc rc;

	rc = dept_spec(x, &p, slots, &d, &n);
	if (rc == SD_OK)
		page_render(&p, x->s->page, reason_of(x), out);
	db_dept_list_free(d, n);
	free(slots);
	return rc;
}

static enum sd_rc
scr_prio(struct ussd_ctx *x, char *out)
{
	char slots[CORE_PRIO_COUNT][SCREEN_MAX];
	struct page_spec p;
	int i;

	memset(&p, 0, sizeof(p));
	p.title = core_ussd_txt(CORE_UT_PRIO_HEAD);
	p.back = true;
	for (i = 0; i < CORE_PRIO_COUNT; i++) {
		char num[4];

		snprintf(num, sizeof(num), "%d", i + 1);
		item_fit(&p, slots[i], num,
		    core_priority_label((enum core_priority)i));
		p.items[p.n++] = slots[i];
	}
	page_render(&p, x->s->page, reason_of(x), out);
	return SD_OK;
}

static enum sd_rc
scr_confirm(struct ussd_ctx *x, char *out)
{
	char title[SCREEN_MAX], yes[SCREEN_MAX], no[SCREEN_MAX];
	struct page_spec p;
	struct db_dept d;
	enum sd_rc rc;

	rc = db_dept_get(x->db, x->s->dept, &d);
	if (rc != SD_OK)
		return rc;
	title[0] = '\0';
	/* Both names are short; the full name would not leave room. */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat-nonliteral"
	snprintf(title, sizeof(title), core_ussd_txt(CORE_UT_CONFIRM), "",
	    core_priority_label(x->s->prio));
	cut_room(title, d.short_name, 30, yes);
	snprintf(title, sizeof(title), core_ussd_txt(CORE_UT_CONFIRM), yes,
	    core_priority_label(x->s->prio));
#pragma GCC diagnostic pop
	db_dept_fini(&d);
	memset(&p, 0, sizeof(p));
	p.title = title;
	p.back = true;
	snprintf(yes, sizeof(yes), "1 %s", core_ussd_txt(CORE_UT_CONFIRM_YES));
	snprintf(no, sizeof(no), "2 %s", core_ussd_txt(CORE_UT_CONFIRM_NO));
	p.items[p.n++] = yes;
	p.items[p.n++] = no;
	page_render(&p, x->s->page, reason_of(x), out);
	return SD_OK;
}

/* Help as a paged screen; code holds its line with the service code. */
static void
help_spec(struct ussd_ctx *x, struct page_spec *p, char *code)
{
	static const enum core_ussd_txt lines[] = {CORE_UT_HELP1, CORE_UT_HELP2,
	    CORE_UT_HELP3, CORE_UT_HELP4, CORE_UT_HELP5, CORE_UT_HELP6,
	    CORE_UT_HELP7};
	const char *sc = x->u->cfg.service_code;
	char prefix[32];
	size_t i;

	memset(p, 0, sizeof(*p));
	p->title = core_ussd_txt(CORE_UT_MAIN_HELP);
	p->back = true;
	/* "*123#" -> "*123" */
	snprintf(prefix, sizeof(prefix), "%.*s",
	    (int)(strlen(sc) > 0 ? strlen(sc) - 1 : 0), sc);
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat-nonliteral"
	snprintf(code, SCREEN_MAX, core_ussd_txt(CORE_UT_HELP2), prefix);
#pragma GCC diagnostic pop
	for (i = 0; i < sizeof(lines) / sizeof(lines[0]); i++)
		p->items[p->n++] = lines[i] == CORE_UT_HELP2 ?
		    code :
		    core_ussd_txt(lines[i]);
}

static enum sd_rc
scr_help(struct ussd_ctx *x, char *out)
{
	char code[SCREEN_MAX];
	struct page_spec p;

	help_spec(x, &p, code);
	page_render(&p, x->s->page, reason_of(x), out);
	return SD_OK;
}

/* The latest requests (act_list kept their numbers) as a paged screen,
 * each read again with the access check; slots hold the items. */
static enum sd_rc
list_spec(struct ussd_ctx *x, struct page_spec *p, char (*slots)[SCREEN_MAX])
{
	size_t i;
	enum sd_rc rc;

	memset(p, 0, sizeof(*p));
	p->title = core_ussd_txt(CORE_UT_LIST_HEAD);
	p->back = true;
	for (i = 0; i < x->s->n_picks; i++) {
		struct db_request r;
		char num[8], text[SCREEN_MAX];

		rc = core_request_get(x->db, &x->actor, x->s->picks[i], &r);
		if (rc == SD_ENOTFOUND)
			continue;
		if (rc != SD_OK)
			return rc;
		snprintf(num, sizeof(num), "%zu", i + 1);
		snprintf(text, sizeof(text), "%lld %s", (long long)r.tracking,
		    r.title);
		db_request_fini(&r);
		item_fit(p, slots[p->n], num, text);
		p->items[p->n] = slots[p->n];
		p->n++;
	}
	return SD_OK;
}

static enum sd_rc
scr_list(struct ussd_ctx *x, char *out)
{
	char slots[LIST_N][SCREEN_MAX];
	struct page_spec p;
	enum sd_rc rc;

	rc = list_spec(x, &p, slots);
	if (rc == SD_OK)
		page_render(&p, x->s->page, reason_of(x), out);
	return rc;
}

static enum sd_rc
scr_staff(struct ussd_ctx *x, char *out)
{
	struct db_request *rows = NULL;
	char title[SCREEN_MAX], item[SCREEN_MAX];
	long waiting = 0, late = 0;
	int64_t now = sd_clock_now();
	struct page_spec p;
	size_t n = 0, i;
	enum sd_rc rc;

	rc = core_request_list_waiting(x->db, &x->actor, SD_LIST_MAX, &rows,
	    &n);
	if (rc != SD_OK)
		return rc;
	for (i = 0; i < n; i++) {
		int64_t due = 0;

		waiting++;
		if (core_request_due(x->env, &rows[i], &due) == SD_OK &&
		    now >= due)
			late++;
	}
	db_request_list_free(rows, n);
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat-nonliteral"
	snprintf(title, sizeof(title), core_ussd_txt(CORE_UT_STAFF), waiting,
	    late);
#pragma GCC diagnostic pop
	memset(&p, 0, sizeof(p));
	p.title = title;
	snprintf(item, sizeof(item), "1 %s",
	    core_ussd_txt(CORE_UT_MAIN_STATUS));
	p.items[p.n++] = item;
	page_render(&p, 0, reason_of(x), out);
	return SD_OK;
}

/* ---- Actions ------------------------------------------------------------- */

/* The spec of the session's paged screen (for next and back). */
static enum sd_rc
pages_of(struct ussd_ctx *x, int *pages)
{
	char(*slots)[SCREEN_MAX];
	struct page_spec p;
	struct db_dept *d = NULL;
	size_t n = 0;
	enum sd_rc rc = SD_OK;

	switch (x->s->st) {
	case U_HELP: {
		char code[SCREEN_MAX];

		help_spec(x, &p, code);
		*pages = page_count(&p);
		return SD_OK;
	}
	case U_DEPT:
		slots = xcalloc(ITEMS_MAX, SCREEN_MAX);
		rc = dept_spec(x, &p, slots, &d, &n);
		if (rc == SD_OK)
			*pages = page_count(&p);
		db_dept_list_free(d, n);
		free(slots);
		return rc;
	case U_LIST: {
		char lslots[LIST_N][SCREEN_MAX];

		rc = list_spec(x, &p, lslots);
		if (rc == SD_OK)
			*pages = page_count(&p);
		return rc;
	}
	default: *pages = 1; return SD_OK;
	}
}

static enum sd_rc
act_next(struct ussd_ctx *x, enum ussd_state *to)
{
	int pages = 1;
	enum sd_rc rc;

	(void)to;
	rc = pages_of(x, &pages);
	if (rc != SD_OK)
		return rc;
	if (x->s->page + 1 >= pages) {
		x->reason = CORE_UT_BAD_CHOICE;
		return SD_OK;
	}
	x->s->page++;
	return SD_OK;
}

/* Back to the dialer's first menu: staff have their own. */
static enum sd_rc
act_home(struct ussd_ctx *x, enum ussd_state *to)
{
	if (x->known && x->user.role != CORE_ROLE_APPLICANT)
		*to = U_STAFF;
	return SD_OK;
}

static enum sd_rc
act_back(struct ussd_ctx *x, enum ussd_state *to)
{
	if (x->s->page > 0) {
		x->s->page--;
		*to = x->s->st; /* the page before, same screen */
	}
	return SD_OK;
}

/* Characters of the latest answer a status screen keeps room for. */
#define ANSWER_ROOM 16

/*
 * The status screen of tracking as the last screen (department, status,
 * the date and start of the latest answer), or the reason. What does not
 * fit goes in this order: the answer's end (cut at a word), the
 * escalation line, the answer's text.
 */
static enum sd_rc
show_status(struct ussd_ctx *x, int64_t tracking)
{
	char head[SCREEN_MAX], line1[SCREEN_MAX], dept[SCREEN_MAX];
	char pre[SCREEN_MAX * 2], ex[SCREEN_MAX], when[32], label[128];
	const char *fmt, *cut;
	struct db_request r;
	struct db_message m;
	struct db_dept d;
	struct core_jdate j;
	char *esc;
	enum sd_rc rc;

	rc = core_request_get(x->db, &x->actor, tracking, &r);
	if (rc == SD_ENOTFOUND || rc == SD_EINVAL) {
		x->reason = CORE_UT_NOT_FOUND;
		return SD_OK;
	}
	if (rc != SD_OK)
		return rc;
	rc = db_dept_get(x->db, r.dept, &d);
	if (rc != SD_OK) {
		db_request_fini(&r);
		return rc;
	}
	/* The department's name cut (a renamed one may be long) to leave
	 * room for the rest. */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat-nonliteral"
	snprintf(line1, sizeof(line1), core_ussd_txt(CORE_UT_STATUS),
	    (long long)r.tracking, core_status_label(r.status), "");
	cut_room(line1, d.short_name, ANSWER_ROOM + 14, dept);
	snprintf(head, sizeof(head), core_ussd_txt(CORE_UT_STATUS),
	    (long long)r.tracking, core_status_label(r.status), dept);
#pragma GCC diagnostic pop
	db_dept_fini(&d);
	rc = db_message_last_answer(x->db, r.tracking, &m);
	if (rc == SD_ENOTFOUND) {
		snprintf(pre, sizeof(pre), "%s%s%s", head,
		    r.escalated ? core_ussd_txt(CORE_UT_STATUS_ESC) : "",
		    core_ussd_txt(CORE_UT_STATUS_NONE));
		if (!fits(pre))
			snprintf(pre, sizeof(pre), "%s%s", head,
			    core_ussd_txt(CORE_UT_STATUS_NONE));
		if (!fits(pre))
			snprintf(pre, sizeof(pre), "%s", head);
		snprintf(x->s->final, sizeof(x->s->final), "%s", pre);
		db_request_fini(&r);
		return SD_OK;
	}
	db_request_fini(&r);
	if (rc != SD_OK)
		return rc;
	if (core_jalali_from_utc(m.created, &j) == SD_OK)
		snprintf(when, sizeof(when), "%04d/%02d/%02d", j.year, j.month,
		    j.day);
	else
		snprintf(when, sizeof(when), "?");
	/* "\nپاسخ DATE: " then as much of the answer as fits. */
	fmt = core_ussd_txt(CORE_UT_STATUS_ANSWER);
	cut = strstr(fmt, "%s: %s");
	snprintf(label, sizeof(label),
	    "%.*s%s: ", cut != NULL ? (int)(cut - fmt) : 0, fmt, when);
	snprintf(pre, sizeof(pre), "%s%s%s", head,
	    r.escalated ? core_ussd_txt(CORE_UT_STATUS_ESC) : "", label);
	if (!has_room(pre, ANSWER_ROOM))
		snprintf(pre, sizeof(pre), "%s%s", head, label);
	esc = core_text_escape(m.body, CORE_ESC_LINES);
	db_message_fini(&m);
	cut_to_fit(pre, esc, "", ex);
	free(esc);
	snprintf(x->s->final, sizeof(x->s->final), "%s%s", pre, ex);
	if (!fits(x->s->final))
		snprintf(x->s->final, sizeof(x->s->final), "%s", head);
	return SD_OK;
}

static enum sd_rc
act_status(struct ussd_ctx *x, enum ussd_state *to)
{
	int64_t t = as_number(x->in);

	(void)to;
	if (t <= 0) {
		x->reason = CORE_UT_BAD_TRACKING;
		return SD_OK;
	}
	return show_status(x, t);
}

static enum sd_rc
act_list(struct ussd_ctx *x, enum ussd_state *to)
{
	struct db_request *rows = NULL;
	size_t n = 0, i;
	enum sd_rc rc;

	rc = core_request_list_mine(x->db, &x->actor, LIST_N, &rows, &n);
	if (rc == SD_EINVAL) {
		/* Not a person: nothing of their own. */
		n = 0;
		rc = SD_OK;
	}
	if (rc != SD_OK)
		return rc;
	x->s->n_picks = 0;
	for (i = 0; i < n && i < LIST_N; i++)
		x->s->picks[x->s->n_picks++] = rows[i].tracking;
	db_request_list_free(rows, n);
	if (x->s->n_picks == 0) {
		snprintf(x->s->final, sizeof(x->s->final), "%s",
		    core_ussd_txt(CORE_UT_LIST_EMPTY));
		*to = U_END;
	}
	return SD_OK;
}

static enum sd_rc
act_pick(struct ussd_ctx *x, enum ussd_state *to)
{
	int64_t k = as_number(x->in);

	(void)to;
	/* A tracking number typed instead of its line: as option 1. */
	if (k > LIST_N)
		return show_status(x, k);
	if (k < 1 || (size_t)k > x->s->n_picks) {
		x->reason = CORE_UT_BAD_CHOICE;
		return SD_OK;
	}
	return show_status(x, x->s->picks[k - 1]);
}

static enum sd_rc
act_dept(struct ussd_ctx *x, enum ussd_state *to)
{
	int64_t k = as_number(x->in);
	struct db_dept d;
	enum sd_rc rc;

	(void)to;
	if (k < 1 || k > CORE_DEPT_COUNT) {
		x->reason = CORE_UT_BAD_DEPT;
		return SD_OK;
	}
	rc = db_dept_get(x->db, (int)k, &d);
	if (rc == SD_ENOTFOUND) {
		x->reason = CORE_UT_BAD_DEPT;
		return SD_OK;
	}
	if (rc != SD_OK)
		return rc;
	db_dept_fini(&d);
	x->s->dept = (int)k;
	return SD_OK;
}

static enum sd_rc
act_prio(struct ussd_ctx *x, enum ussd_state *to)
{
	int64_t k = as_number(x->in);

	(void)to;
	if (k < 1 || k > CORE_PRIO_COUNT) {
		x->reason = CORE_UT_BAD_CHOICE;
		return SD_OK;
	}
	x->s->prio = (enum core_priority)(k - 1);
	return SD_OK;
}

static enum sd_rc
act_text(struct ussd_ctx *x, enum ussd_state *to)
{
	uint32_t cp;

	(void)to;
	if (strlen(x->in) > INPUT_MAX || core_text_line_unsafe(x->in, &cp)) {
		x->reason = CORE_UT_BAD_TEXT;
		return SD_OK;
	}
	/* The text as typed (its digits too), trimmed. */
	{
		const char *b = x->raw;
		size_t len;

		while (*b == ' ' || *b == '\n' || *b == '\t' || *b == '\r')
			b++;
		len = strlen(b);
		while (len > 0 &&
		    (b[len - 1] == ' ' || b[len - 1] == '\n' ||
			b[len - 1] == '\t' || b[len - 1] == '\r'))
			len--;
		if (len == 0 || len > INPUT_MAX) {
			x->reason = CORE_UT_BAD_TEXT;
			return SD_OK;
		}
		snprintf(x->s->text, sizeof(x->s->text), "%.*s", (int)len, b);
	}
	return SD_OK;
}

/* The first words of text, at most TITLE_CHARS characters, as a title. */
static void
make_title(const char *text, char *out, size_t n)
{
	size_t i = 0, chars = 0, end = 0;

	while (text[i] != '\0' && chars < TITLE_CHARS) {
		unsigned char c = (unsigned char)text[i];

		if (c == ' ')
			end = i;
		if ((c & 0xc0) != 0x80)
			chars++;
		i++;
	}
	if (text[i] == '\0' || end == 0)
		end = i;
	while (end > 0 && ((unsigned char)text[end] & 0xc0) == 0x80)
		end--;
	if (end >= n)
		end = n - 1;
	memcpy(out, text, end);
	out[end] = '\0';
}

static enum sd_rc
act_create(struct ussd_ctx *x, enum ussd_state *to)
{
	char title[TITLE_CHARS * 4 + 8], err[SD_ERRLEN], sms[1024] = "";
	char link[SD_CONF_VALUE_MAX + 32];
	struct core_out m;
	struct db_dept d;
	int64_t t = 0;
	enum sd_rc rc;

	(void)to;
	make_title(x->s->text, title, sizeof(title));
	rc = core_request_create(x->db, x->env, &x->actor, x->s->dept,
	    x->s->prio, title, x->s->text, CORE_CHAN_USSD, &t, err);
	if (rc == SD_EINVAL || rc == SD_ETOOBIG) {
		x->reason = CORE_UT_BAD_TEXT;
		*to = U_TEXT;
		/* Back to the text, as a move (the reason on top). */
		ussd_enter(x, U_TEXT, "refused");
		return SD_OK;
	}
	if (rc != SD_OK)
		return rc;
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat-nonliteral"
	snprintf(x->s->final, sizeof(x->s->final),
	    core_ussd_txt(CORE_UT_NEW_OK), (long long)t);
#pragma GCC diagnostic pop
	/* The SMS with the link to add attachments: the confirmation SMS
	 * NEW sends, with the same link. */
	rc = db_dept_get(x->db, x->s->dept, &d);
	if (rc != SD_OK)
		return rc;
	core_link(x->db, x->env, t, x->e164, sd_clock_now(), link,
	    sizeof(link));
	core_txt_add(sms, sizeof(sms), false, CORE_TXT_NEW_OK, (long long)t,
	    d.short_name, link);
	db_dept_fini(&d);
	memset(&m, 0, sizeof(m));
	m.kind = CORE_OUT_REPLY;
	m.dest = x->e164[0] != '\0' ? x->e164 : x->s->from;
	m.text = sms;
	m.tracking = t;
	m.ussd_session = -1;
	x->link_tracking = t;
	return core_out_queue(x->db, &m, NULL);
}

static enum sd_rc
act_cancel(struct ussd_ctx *x, enum ussd_state *to)
{
	(void)to;
	snprintf(x->s->final, sizeof(x->s->final), "%s",
	    core_ussd_txt(CORE_UT_CANCELLED));
	return SD_OK;
}

/* A name as typed: one line, no control characters. */
static bool
name_ok(struct ussd_ctx *x, const char *s)
{
	uint32_t cp;

	if (strlen(s) > SD_NAME_MAX) {
		x->reason = CORE_UT_BAD_NAME;
		return false;
	}
	if (core_text_line_unsafe(s, &cp)) {
		x->reason = CORE_UT_NAME_CHARS;
		return false;
	}
	return true;
}

static enum sd_rc
act_first(struct ussd_ctx *x, enum ussd_state *to)
{
	(void)to;
	if (!name_ok(x, x->in))
		return SD_OK;
	snprintf(x->s->first, sizeof(x->s->first), "%s", x->in);
	return SD_OK;
}

static enum sd_rc
act_register(struct ussd_ctx *x, enum ussd_state *to)
{
	enum core_txt said = CORE_TXT_REG_BAD;
	int64_t id = 0;
	enum sd_rc rc;

	if (!name_ok(x, x->in))
		return SD_OK;
	if (x->e164[0] == '\0') {
		x->reason = CORE_UT_BAD_NAME;
		return SD_OK;
	}
	rc = core_cmd_register(x->db, x->e164, x->s->first, x->in, &said, &id);
	if (rc != SD_OK)
		return rc;
	switch (said) {
	case CORE_TXT_REG_OK:
		x->s->registered = true;
		x->actor = core_actor_of(CORE_ROLE_APPLICANT, id);
		return SD_OK;
	case CORE_TXT_REG_CHARS: x->reason = CORE_UT_NAME_CHARS; break;
	case CORE_TXT_REG_TEMPLATE: x->reason = CORE_UT_NAME_TEMPLATE; break;
	case CORE_TXT_REG_ALREADY:
		/* Registered meanwhile (the web, an SMS): the menu. */
		x->reason = CORE_UT_REG_TAKEN;
		*to = U_MAIN;
		ussd_enter(x, U_MAIN, "registered elsewhere");
		return SD_OK;
	default: x->reason = CORE_UT_BAD_NAME; break;
	}
	/* Both names are asked again. */
	ussd_enter(x, U_REG_FIRST, "refused");
	return SD_OK;
}

/* ---- Sessions ------------------------------------------------------------ */

enum sd_rc
core_ussd_new(const struct core_ussd_config *cfg, struct core_ussd **out)
{
	struct core_ussd *u;

	*out = NULL;
	if (cfg->max_sessions < 1 || cfg->max_sessions > 100000 ||
	    cfg->session_s < 1)
		return SD_EINVAL;
	u = xcalloc(1, sizeof(*u));
	u->cfg = *cfg;
	u->sess = xcalloc((size_t)cfg->max_sessions, sizeof(*u->sess));
	pthread_mutex_init(&u->mu, NULL);
	*out = u;
	return SD_OK;
}

void
core_ussd_free(struct core_ussd *u)
{
	if (u == NULL)
		return;
	pthread_mutex_destroy(&u->mu);
	for (long i = 0; i < u->cfg.max_sessions; i++)
		free(u->sess[i]);
	free(u->sess);
	free(u);
}

void
core_ussd_stats(struct core_ussd *u, struct core_ussd_stats *out)
{
	pthread_mutex_lock(&u->mu);
	*out = u->stats;
	pthread_mutex_unlock(&u->mu);
}

/* What is kept of a dialogue that is over, to record it. */
struct ussd_gone {
	char from[SD_ADDR_LEN]; /* the number as the SMSC wrote it */
	int key;                /* its session key */
	enum ussd_state st;     /* the screen it ended on */
	unsigned steps;         /* MOs it took */
	int64_t started;        /* UTC seconds of the dial */
};

/* The end of a dialogue (how: "end" or "abandon"): a log line and, with
 * db, an audit row in db's transaction. */
static void
gone_record(struct db *db, const struct ussd_gone *g, const char *how,
    int64_t now)
{
	char masked[SD_ADDR_LEN], object[64], detail[128], action[32];

	log_info("ussd",
	    "dialogue %s from=%s session=%d state=%s steps=%u s=%lld", how,
	    log_mask_mobile(g->from, masked, sizeof(masked)), g->key,
	    state_name[g->st], g->steps, (long long)(now - g->started));
	if (db == NULL)
		return;
	snprintf(action, sizeof(action), "ussd.%s", how);
	snprintf(object, sizeof(object), "ussd:%s", masked);
	snprintf(detail, sizeof(detail), "session=%d state=%s steps=%u s=%lld",
	    g->key, state_name[g->st], g->steps, (long long)(now - g->started));
	if (db_audit_add(db, 0, action, object, detail) != SD_OK)
		log_warnx("ussd", "cannot record the dialogue's end from=%s",
		    masked);
}

/* Free the slot of s (the table's lock held), counted; *g gets what is
 * kept of it. */
static void
sess_drop(struct core_ussd *u, struct ussd_sess *s, bool finished,
    struct ussd_gone *g)
{
	snprintf(g->from, sizeof(g->from), "%s", s->from);
	g->key = s->key;
	g->st = s->st;
	g->steps = s->steps;
	g->started = s->started;
	if (finished)
		u->stats.finished++;
	else
		u->stats.abandoned++;
	u->stats.active--;
	u->sess[s->slot] = NULL;
	free(s);
}

/* Drop s and record it in db's transaction (the MO's). */
static void
sess_close(struct core_ussd *u, struct db *db, struct ussd_sess *s,
    const char *how, int64_t now)
{
	struct ussd_gone g;

	sess_drop(u, s, strcmp(how, "end") == 0, &g);
	gone_record(db, &g, how, now);
}

/* Drop the idle ones (the lock held); recorded in db's transaction. */
static void
expire_locked(struct core_ussd *u, struct db *db, int64_t now)
{
	long i;

	for (i = 0; i < u->cfg.max_sessions; i++) {
		struct ussd_sess *s = u->sess[i];

		if (s != NULL && now - s->last >= u->cfg.session_s)
			sess_close(u, db, s, "abandon", now);
	}
}

void
core_ussd_expire(struct core_ussd *u, struct db *db, int64_t now)
{
	struct ussd_gone *g = NULL;
	size_t n = 0, i;
	long k;

	if (u == NULL)
		return;
	/* Dropped under the lock, recorded after it: the store thread
	 * holds the database's write lock while it waits for the table's,
	 * so this thread must never wait for the database holding it. */
	pthread_mutex_lock(&u->mu);
	if (u->stats.active > 0)
		g = xcalloc(u->stats.active, sizeof(*g));
	for (k = 0; k < u->cfg.max_sessions && g != NULL; k++) {
		struct ussd_sess *s = u->sess[k];

		if (s != NULL && now - s->last >= u->cfg.session_s)
			sess_drop(u, s, false, &g[n++]);
	}
	pthread_mutex_unlock(&u->mu);
	if (n > 0 && db != NULL && db_begin(db) != SD_OK)
		db = NULL; /* logged only */
	for (i = 0; i < n; i++)
		gone_record(db, &g[i], "abandon", now);
	if (n > 0 && db != NULL && db_commit(db) != SD_OK) {
		log_warnx("ussd", "cannot record abandoned dialogues n=%zu", n);
		db_rollback(db);
	}
	free(g);
}

static struct ussd_sess *
sess_find(struct core_ussd *u, const char *from, int key)
{
	long i;

	for (i = 0; i < u->cfg.max_sessions; i++)
		if (u->sess[i] != NULL && u->sess[i]->key == key &&
		    strcmp(u->sess[i]->from, from) == 0)
			return u->sess[i];
	return NULL;
}

/* A new dialogue in a free slot; NULL if max_sessions are held. */
static struct ussd_sess *
sess_new(struct core_ussd *u)
{
	long i;

	for (i = 0; i < u->cfg.max_sessions; i++) {
		if (u->sess[i] == NULL) {
			u->sess[i] = xcalloc(1, sizeof(*u->sess[i]));
			u->sess[i]->slot = i;
			return u->sess[i];
		}
	}
	return NULL;
}

/*
 * A dial string: the service code ("*123#"), or it with one more group
 * ("*123*10025#": *arg gets 10025). False if text is not a dial of
 * code.
 */
static bool
dial_parse(const char *code, const char *text, int64_t *arg)
{
	size_t cl = strlen(code), tl = strlen(text);

	*arg = -1;
	if (cl < 2 || tl < cl || strncmp(text, code, cl - 1) != 0)
		return false;
	if (strcmp(text + cl - 1, "#") == 0)
		return true;
	if (text[cl - 1] != '*' || text[tl - 1] != '#')
		return false;
	{
		char num[16];
		size_t n = tl - cl - 1;

		if (n == 0 || n >= sizeof(num))
			return false;
		memcpy(num, text + cl, n);
		num[n] = '\0';
		*arg = as_number(num);
		return *arg >= 0;
	}
}

/* The first screen of a dial; direct strings skip the menu. */
static enum sd_rc
ussd_begin(struct ussd_ctx *x, int64_t arg)
{
	char in[4];
	enum sd_rc rc;

	if (!x->known) {
		ussd_enter(x, U_REG_FIRST, "dial, unregistered");
		return SD_OK;
	}
	ussd_enter(x, x->user.role != CORE_ROLE_APPLICANT ? U_STAFF : U_MAIN,
	    "dial");
	if (arg < 0)
		return SD_OK;
	/* *CODE*N#: a menu choice (one digit) or a tracking number. */
	if (arg <= 9) {
		snprintf(in, sizeof(in), "%d", (int)arg);
		x->in = in;
		rc = ussd_step(x);
		x->in = "";
		return rc;
	}
	rc = show_status(x, arg);
	if (rc == SD_OK && x->reason == CORE_UT_COUNT)
		ussd_enter(x, U_END, "direct");
	return rc;
}

/* Queue the answer text for mo (end: the dialogue's last screen). */
static enum sd_rc
answer(struct db *db, const struct core_ussd_config *cfg,
    const struct core_mo *mo, const char *text, bool end, int64_t tracking,
    int64_t *reply_id)
{
	struct core_out m;

	memset(&m, 0, sizeof(m));
	m.kind = CORE_OUT_USSD;
	m.dest = mo->from;
	m.text = text;
	m.tracking = tracking;
	m.ussd_session = mo->ussd_session;
	m.ussd_end = end;
	/* Never sent after its dialogue is over. */
	m.expires = sd_clock_now() + (cfg != NULL ? cfg->session_s : 120);
	return core_out_queue(db, &m, reply_id);
}

/* The per-number limit; true if this MO is not to be processed (*say:
 * tell the user so once). */
static enum sd_rc
flood(struct db *db, const struct core_ussd_config *cfg,
    const struct core_mo *mo, char *why, bool *over, bool *say)
{
	char masked[SD_ADDR_LEN];
	int64_t seen = 0;
	enum sd_rc rc;

	*over = *say = false;
	rc = db_inbox_count_kind_since(db, mo->from, DB_INBOX_USSD,
	    sd_clock_now() - 3600, &seen);
	if (rc != SD_OK || seen < cfg->mo_per_hour)
		return rc;
	*over = true;
	*say = seen == cfg->mo_per_hour;
	if (*say)
		log_warnx("ussd",
		    "flood: more than %ld USSD messages in an hour from=%s; "
		    "answered once, then not processed",
		    cfg->mo_per_hour,
		    log_mask_mobile(mo->from, masked, sizeof(masked)));
	if (why != NULL)
		snprintf(why, DB_INBOX_REASON_LEN,
		    "over [ussd] mo_per_hour=%ld: %s", cfg->mo_per_hour,
		    *say ? "notice sent, not processed" : "not processed");
	return SD_OK;
}

enum sd_rc
core_ussd_handle(struct db *db, const struct core_env *env,
    const struct core_mo *mo, int64_t *reply_id, char *why)
{
	struct core_ussd *u = env->ussd;
	struct ussd_ctx *x = NULL;
	struct ussd_sess *before = NULL;
	char err[SD_ERRLEN], screen[SCREEN_MAX], *norm = NULL;
	int64_t now = sd_clock_now(), arg = -1;
	bool over, say, dial;
	enum sd_rc rc;

	*reply_id = 0;
	if (why != NULL)
		why[0] = '\0';
	if (u == NULL)
		return answer(db, NULL, mo, core_ussd_txt(CORE_UT_UNAVAILABLE),
		    true, 0, reply_id);
	pthread_mutex_lock(&u->mu);
	expire_locked(u, db, now);
	rc = flood(db, &u->cfg, mo, why, &over, &say);
	if (rc != SD_OK || over) {
		struct ussd_sess *s = sess_find(u, mo->from, mo->ussd_session);

		if (rc == SD_OK && s != NULL)
			sess_close(u, db, s, "abandon", now);
		if (rc == SD_OK && say)
			rc = answer(db, &u->cfg, mo,
			    core_ussd_txt(CORE_UT_FLOOD), true, 0, reply_id);
		goto out;
	}
	x = xcalloc(1, sizeof(*x));
	x->db = db;
	x->env = env;
	x->u = u;
	x->reason = CORE_UT_COUNT;
	if (mo->text == NULL || strlen(mo->text) > INPUT_MAX ||
	    core_text_normalize(mo->text, CORE_NORM_ALL, &norm, err) != SD_OK)
		norm = xstrdup("");
	dial = dial_parse(u->cfg.service_code, norm, &arg);
	x->s = sess_find(u, mo->from, mo->ussd_session);
	/* A dial of the service code always opens a dialogue afresh (with
	 * the MSISDN as the only key, a new dial meets the old one). */
	if (mo->ussd_begin || dial) {
		if (x->s != NULL)
			sess_close(u, db, x->s, "abandon", now);
		x->s = sess_new(u);
		if (x->s == NULL) {
			u->stats.refused++;
			log_warnx("ussd", "dial refused: max_sessions=%ld held",
			    u->cfg.max_sessions);
			rc = answer(db, &u->cfg, mo,
			    core_ussd_txt(CORE_UT_BUSY), true, 0, reply_id);
			if (why != NULL && rc == SD_OK)
				snprintf(why, DB_INBOX_REASON_LEN,
				    "USSD refused: max_sessions=%ld held",
				    u->cfg.max_sessions);
			goto out;
		}
		snprintf(x->s->from, sizeof(x->s->from), "%s", mo->from);
		x->s->key = mo->ussd_session;
		x->s->started = now;
		u->stats.started++;
		u->stats.active++;
		if (!dial)
			arg = -1; /* the operator said begin: a plain dial */
	} else if (x->s != NULL) {
		/* Put back if this step fails: the MO is handled again. */
		before = xmalloc(sizeof(*before));
		*before = *x->s;
	} else {
		/* An answer to a dialogue that is over (expired). */
		rc = answer(db, &u->cfg, mo, core_ussd_txt(CORE_UT_EXPIRED),
		    true, 0, reply_id);
		goto out;
	}
	x->s->last = now;
	x->s->steps++;
	x->in = norm;
	x->raw = norm[0] != '\0' ? mo->text : "";
	/* Who dials decides their menu. */
	if (core_mobile_parse(mo->from, x->e164, err) == SD_OK) {
		rc = db_user_by_mobile(db, x->e164, &x->user);
		if (rc == SD_OK) {
			x->known = true;
			x->actor = core_actor_of(x->user.role, x->user.id);
		} else if (rc != SD_ENOTFOUND) {
			goto out;
		}
	} else {
		x->e164[0] = '\0';
	}
	if (x->s->st == U_NONE)
		rc = ussd_begin(x, arg);
	else
		rc = ussd_step(x);
	if (rc != SD_OK)
		goto out;
	rc = machine[x->s->st].screen(x, screen);
	if (rc != SD_OK)
		goto out;
	if (!fits(screen))
		log_warnx("ussd", "screen state=%s does not fit one string",
		    state_name[x->s->st]);
	rc = answer(db, &u->cfg, mo, screen, x->s->st == U_END,
	    x->link_tracking, reply_id);
	if (rc == SD_OK && x->s->st == U_END)
		sess_close(u, db, x->s, "end", now);
out:
	/* A database error: the dialogue as it was before this step (a
	 * fresh one is dropped uncounted), so the step can be taken again
	 * when the MO is. */
	if (rc != SD_OK && x != NULL && x->s != NULL) {
		if (before != NULL) {
			*x->s = *before;
		} else {
			u->sess[x->s->slot] = NULL;
			free(x->s);
			u->stats.started--;
			u->stats.active--;
		}
	}
	free(before);
	if (x != NULL && x->known)
		db_user_fini(&x->user);
	free(x);
	free(norm);
	pthread_mutex_unlock(&u->mu);
	return rc;
}
