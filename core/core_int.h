/*
 * core/core_int.h: private to core/. Shared checks of user-supplied text.
 */
#ifndef SMSDESK_CORE_CORE_INT_H
#define SMSDESK_CORE_CORE_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/base/rc.h"
#include "core/model.h"

/* What core_field_line() does with controls and bidi controls. */
enum core_field_mode {
	CORE_FIELD_REJECT, /* SD_EINVAL naming the character (names) */
	CORE_FIELD_STRIP,  /* dropped (a title made from an SMS text) */
};

/*
 * Check and clean a one-line field (name, title): valid UTF-8, Persian
 * normalization of spaces, ZWNJ and Arabic letters, no character that
 * core_text_line_unsafe() finds (refused or dropped, per mode), non-empty,
 * at most max bytes after cleaning. what names the field in the reason.
 * *out is owned by the caller.
 */
enum sd_rc core_field_line(const char *in, size_t max, const char *what,
    enum core_field_mode mode, char **out, char err[SD_ERRLEN]) SD_MUSTCHECK;

/*
 * Check and clean a multi-line body: valid UTF-8, trimmed of surrounding
 * white space, line breaks made "\n" (CR LF, CR, U+2028 and U+2029: a
 * lone CR would let a text overwrite its own line on a terminal), inner
 * lines otherwise kept as typed, non-empty, at most max bytes.
 */
enum sd_rc core_field_body(const char *in, size_t max, const char *what,
    char **out, char err[SD_ERRLEN]) SD_MUSTCHECK;

/*
 * Byte offset in s (UTF-8) of its word k (0 = the first), counted as
 * core_text_normalize() with CORE_NORM_SPACES | CORE_NORM_ZWNJ leaves
 * them: words are separated by White_Space, and a run of ZWNJ alone is no
 * word. So word k of the normalized text starts here in the text as sent.
 * strlen(s) if s has fewer words. Any thread.
 */
size_t core_text_word_at(const char *s, size_t k);

/*
 * True if s (UTF-8) holds a character a one-line field (name, title) may
 * not: a control, a bidi control, a line or paragraph separator, or an
 * invisible format character other than ZWNJ and ZWJ (white space is not
 * counted: the normalizer folds it). *cp gets the first. Any thread.
 */
bool core_text_line_unsafe(const char *s, uint32_t *cp);

/* A copy of s without those characters (white space kept). Caller frees. */
char *core_text_line_strip(const char *s);

struct core_env;

/* [sms] link_ttl_days when env has no [sms]. */
#define CORE_LINK_TTL_DEFAULT 7

struct db;
/* The one-tap link of request tracking for phone e164 in SMS texts
 * (core/link.c): "https://desk.example/r/TOKEN", signed and valid [sms]
 * link_ttl_days from now. For a phone that is not E.164, or if the key
 * cannot be read (logged), the home page "https://desk.example/". */
void core_link(struct db *db, const struct core_env *env, int64_t tracking,
    const char *e164, int64_t now, char *out, size_t n);

/* Append the first max characters of s, on one line, to out (size n),
 * when cut ending with its last whole word and "…" (a single word longer
 * than max is cut within); controls and bidi overrides escaped as by
 * core_text_escape(). */
void core_excerpt(const char *s, size_t max, char *out, size_t n);

/* ---- Requests (core/request.c) ---------------------------------------- */

struct core_actor;
struct db;
struct db_request;

/* core_request_get() for staff only: SD_OK if actor sees request
 * tracking as staff of its department, the head's office for an escalated
 * one, the head or an admin; its own applicant, anyone else and a missing
 * request get SD_ENOTFOUND. */
enum sd_rc core_request_get_staff(struct db *db, const struct core_actor *actor,
    int64_t tracking, struct db_request *out) SD_MUSTCHECK;
/* The audit row of actor_id's action on "request:TRACKING". */
enum sd_rc core_request_audit(struct db *db, int64_t actor_id,
    const char *action, int64_t tracking, const char *detail) SD_MUSTCHECK;
/* The err text of a failed core_request_get*() for request tracking. */
void core_request_load_err(enum sd_rc rc, int64_t tracking, struct db *db,
    char err[SD_ERRLEN]);

/* ---- Staff (core/staff.c) ---------------------------------------------- */

/* The stored role of actor if it backs a staff kind (staff, head, admin):
 * SD_OK with *role; SD_ENOTFOUND for an applicant or a role that does not
 * back the kind, SD_EINVAL for no person. */
enum sd_rc core_staff_role(struct db *db, const struct core_actor *actor,
    enum core_role *role) SD_MUSTCHECK;

/* ---- SMS alerts (core/alert.c) ---------------------------------------- */

struct core_env;
struct db;

enum core_alert {
	CORE_ALERT_ANSWER,    /* staff answered: an excerpt follows */
	CORE_ALERT_CLOSED,    /* staff closed it */
	CORE_ALERT_ESCALATED, /* sent to the head's office */
};

/*
 * Check env as every public function that takes one does first: not
 * NULL, and its effects one of enum core_effects (a programmer error
 * otherwise: asserted).
 */
void core_env_check(const struct core_env *env);

/* core_env_check(env), then true if it asks for SMS side effects
 * (CORE_FX_SMS). */
bool core_env_sms(const struct core_env *env);

/* Queue alert a about tracking for user_id in the caller's transaction,
 * unless env has CORE_FX_NONE or the user sent STOP. excerpt: the answer's text
 * (ANSWER only). */
enum sd_rc core_alert_user(struct db *db, const struct core_env *env,
    int64_t user_id, int64_t tracking, enum core_alert a,
    const char *excerpt) SD_MUSTCHECK;

/* A new very urgent request of applicant_id: alert the department's
 * staff (if the department wants it), or, past the hourly limits of
 * [alerts], mark it held for core_alert_digest(). */
enum sd_rc core_alert_very_urgent(struct db *db, const struct core_env *env,
    int64_t tracking, int dept, int64_t applicant_id,
    const char *title) SD_MUSTCHECK;

/* A request escalated: alert the head's office (role head, and staff of
 * CORE_DEPT_HEAD, alerts on) with its department and title. */
enum sd_rc core_alert_head_office(struct db *db, const struct core_env *env,
    int64_t tracking, int dept, const char *title) SD_MUSTCHECK;

/* ---- Texts of the SMS channel (core/texts.c) -------------------------- */

/* The texts a phone receives; each has a Persian and an English form
 * (printf formats; arguments as noted). */
enum core_txt {
	CORE_TXT_OTP,           /* code, minutes (a string: Persian digits) */
	CORE_TXT_HELP,          /* (none) */
	CORE_TXT_NOT_FOUND,     /* tracking */
	CORE_TXT_STATUS,        /* tracking, status (+ STATUS_ESCALATED) */
	CORE_TXT_STATUS_TITLE,  /* dept label, title excerpt */
	CORE_TXT_STATUS_ANSWER, /* excerpt */
	CORE_TXT_LINK,          /* base_url, tracking */
	CORE_TXT_UNREGISTERED,  /* base_url */
	CORE_TXT_UNKNOWN,       /* (none) */
	CORE_TXT_LIST_HEAD,     /* (none) */
	CORE_TXT_LIST_LINE,     /* tracking, status, dept */
	CORE_TXT_LIST_EMPTY,    /* (none) */
	CORE_TXT_WAIT_HEAD,     /* (none): LIST from staff */
	CORE_TXT_WAIT_LINE,     /* tracking, title, late mark */
	CORE_TXT_WAIT_LATE,     /* (none): overdue */
	CORE_TXT_WAIT_NONE,     /* (none) */
	CORE_TXT_DEPTS_HEAD,    /* (none) */
	CORE_TXT_DEPTS_MORE,    /* (none) */
	CORE_TXT_NEW_OK,        /* tracking, dept label, link */
	CORE_TXT_BAD_DEPT,      /* code */
	CORE_TXT_FOLLOWUP_OK,   /* tracking */
	CORE_TXT_ANSWER_OK,     /* tracking */
	CORE_TXT_CLOSED,        /* tracking */
	CORE_TXT_ESC_OK,        /* tracking */
	CORE_TXT_ESC_WAIT,      /* tracking, Jalali date, days */
	CORE_TXT_ESC_ANSWERED,  /* tracking, tracking */
	CORE_TXT_ESC_ALREADY,   /* tracking */
	CORE_TXT_ESC_AUTO,      /* days */
	CORE_TXT_REG_OK,        /* first, last, base_url */
	CORE_TXT_REG_ALREADY,   /* (none) */
	CORE_TXT_REG_BAD,       /* (none) */
	CORE_TXT_REG_CHARS,     /* (none) */
	CORE_TXT_REG_TEMPLATE,  /* (none): the help's own words as a name */
	CORE_TXT_STOP,          /* (none) */
	CORE_TXT_START,         /* (none) */
	CORE_TXT_HINT,          /* closest command's usage, the sender's
				   number in it */
	CORE_TXT_USAGE,         /* the command's usage */
	CORE_TXT_FLOOD,         /* (none) */
	CORE_TXT_BAD_TEXT,      /* (none) */
	CORE_TXT_TEXT_CUT,      /* characters kept, characters sent (size_t) */
	CORE_TXT_ALERT_ANSWER,  /* tracking, excerpt, link */
	CORE_TXT_ALERT_CLOSED,  /* tracking, link */
	CORE_TXT_ALERT_ESCALATED,   /* tracking, link */
	CORE_TXT_ALERT_VERY_URGENT, /* tracking, dept, title excerpt, link */
	CORE_TXT_ALERT_DIGEST, /* count (long long), tracking numbers, base_url
				*/
	CORE_TXT_STATUS_ESCALATED, /* (none): after an awaiting status */
	CORE_TXT_CLOSE_OK,         /* tracking */
	CORE_TXT_THANKS,           /* tracking, tracking */
	CORE_TXT_ALERT_HEAD,       /* tracking, dept, title excerpt, link */
	CORE_TXT_COUNT
};

/* The text id in Persian (en false) or English. */
const char *core_txt(enum core_txt id, bool en);
/*
 * Append text id, formatted with the arguments noted above, to the string
 * in buf (size sz), truncating. The formats are this table's own, so the
 * arguments are checked by the tests, not the compiler.
 */
void core_txt_add(char *buf, size_t sz, bool en, int id, ...);

/* ---- Texts of the USSD menus (core/texts.c, the block at its end) ----- */

/* Each screen's pieces, Persian only (the menu has no English form). A
 * screen holds one USSD string: 80 characters in Persian (UCS-2). */
enum core_ussd_txt {
	CORE_UT_TITLE,       /* the main menu's first line */
	CORE_UT_MAIN_STATUS, /* its items */
	CORE_UT_MAIN_MINE,
	CORE_UT_MAIN_NEW,
	CORE_UT_MAIN_HELP,
	CORE_UT_NEXT, /* "0 next" */
	CORE_UT_BACK, /* "00 back" */
	CORE_UT_ASK_TRACKING,
	CORE_UT_LIST_HEAD,
	CORE_UT_LIST_EMPTY, /* (final) */
	CORE_UT_DEPT_HEAD,
	CORE_UT_PRIO_HEAD,
	CORE_UT_ASK_TEXT,
	CORE_UT_CONFIRM, /* dept, priority */
	CORE_UT_CONFIRM_YES,
	CORE_UT_CONFIRM_NO,
	CORE_UT_NEW_OK,        /* tracking (final) */
	CORE_UT_STATUS,        /* tracking, status, dept */
	CORE_UT_STATUS_ANSWER, /* Jalali date, the start of the answer */
	CORE_UT_STATUS_NONE,   /* no answer yet */
	CORE_UT_STATUS_ESC,    /* escalated */
	CORE_UT_HELP1,         /* help, one item a line */
	CORE_UT_HELP2,         /* the service code without its '#' */
	CORE_UT_HELP3,
	CORE_UT_HELP4,
	CORE_UT_HELP5,
	CORE_UT_HELP6,
	CORE_UT_HELP7,
	CORE_UT_REG_FIRST,
	CORE_UT_REG_LAST,
	CORE_UT_REG_OK,      /* replaces the main menu's title */
	CORE_UT_STAFF,       /* waiting, overdue (long) */
	CORE_UT_CANCELLED,   /* (final) */
	CORE_UT_EXPIRED,     /* (final) */
	CORE_UT_BUSY,        /* (final): max_sessions */
	CORE_UT_UNAVAILABLE, /* (final): no USSD service */
	CORE_UT_FLOOD,       /* (final) */
	CORE_UT_BAD_CHOICE,  /* reasons an input is refused */
	CORE_UT_BAD_TRACKING,
	CORE_UT_NOT_FOUND,
	CORE_UT_BAD_DEPT,
	CORE_UT_BAD_TEXT,
	CORE_UT_BAD_NAME,
	CORE_UT_NAME_CHARS,
	CORE_UT_NAME_TEMPLATE,
	CORE_UT_REG_TAKEN,
	CORE_UT_COUNT
};

/* The text of id; "?" out of range. Any thread. */
const char *core_ussd_txt(enum core_ussd_txt id);

/*
 * Register e164 as an applicant named first last, as the SMS command
 * REG does (core/command.c): names with invisible or control characters
 * or the help's own words are refused, the MO proves the number. In the
 * caller's transaction. *said gets the answer: CORE_TXT_REG_OK,
 * REG_CHARS, REG_TEMPLATE, REG_BAD or REG_ALREADY; only database
 * failures return an error. *id (may be NULL) gets the new user.
 */
enum sd_rc core_cmd_register(struct db *db, const char *e164, const char *first,
    const char *last, enum core_txt *said, int64_t *id) SD_MUSTCHECK;

struct core_mo;

/*
 * A USSD MO (mo->ussd), from core_mo_handle(): the menu's next step for
 * its dialogue, queued as a CORE_OUT_USSD row (ussd_end set on the last
 * screen), in the caller's transaction. Same contract as
 * core_mo_handle() (core/ussd.c).
 */
enum sd_rc core_ussd_handle(struct db *db, const struct core_env *env,
    const struct core_mo *mo, int64_t *reply_id, char *why) SD_MUSTCHECK;

/* ---- Attachments (core/upload.c) -------------------------------------- */

struct core_upload;

/* Record files[0..n) (each finished) as attachments of message msg_id in
 * the caller's transaction. SD_ESTATE if one is not finished,
 * SD_ETOOBIG past SD_ATTACH_MAX. */
enum sd_rc core_upload_attach(struct db *db, int64_t msg_id,
    struct core_upload *const *files, size_t n, int64_t now) SD_MUSTCHECK;
/* After the commit that recorded u: its file stays when u is freed. */
void core_upload_keep(struct core_upload *u);

#endif
