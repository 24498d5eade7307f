/*
 * core/core.h: the domain of smsdesk, its one public header.
 *
 * core/ holds the rules: users, departments, requests and their threads,
 * status changes, access checks, text normalization, mobile numbers and
 * Jalali dates. It knows nothing of SMPP or HTTP. It has no mutable
 * globals, so any thread may call it with its own struct db.
 *
 * Every domain write runs in one transaction together with its audit row
 * (and, from the pipeline issue on, its outbox rows).
 */
#ifndef SMSDESK_CORE_CORE_H
#define SMSDESK_CORE_CORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/base/rc.h"
#include "core/model.h"
#include "db/db.h"

struct core_env; /* the configuration the domain reads, below */

/* ---- Text normalization (core/text.c) ---------------------------------- */

/* Flags for core_text_normalize(). */
#define CORE_NORM_DIGITS 0x01u    /* ۰-۹, ٠-٩ (any Unicode Nd) -> 0-9 */
#define CORE_NORM_LETTERS 0x02u   /* Arabic ي ى -> ی, ك -> ک */
#define CORE_NORM_SPACES 0x04u    /* trim; runs of white space -> one ' ' */
#define CORE_NORM_ZWNJ 0x08u      /* drop ZWNJ at word edges and repeats */
#define CORE_NORM_ZWNJ_DROP 0x10u /* drop every ZWNJ (keyword matching) */
#define CORE_NORM_ALL                                                          \
	(CORE_NORM_DIGITS | CORE_NORM_LETTERS | CORE_NORM_SPACES |             \
	    CORE_NORM_ZWNJ)

/*
 * Normalize UTF-8 text. in must be valid UTF-8 of at most SD_TEXT_MAX
 * bytes. On success *out is a new string owned by the caller (free()).
 * Returns SD_EINVAL (invalid UTF-8, with reason in err) or SD_ETOOBIG.
 * Any thread.
 */
enum sd_rc core_text_normalize(const char *in, unsigned flags, char **out,
    char err[SD_ERRLEN]) SD_MUSTCHECK;

/* Flags for core_text_escape(). */
#define CORE_ESC_LINES                                                         \
	0x01u /* a body: keep "\n", "\t" and marks of                          \
		 direction (LRM, RLM, ALM) */

/*
 * Copy s for output (a terminal, an SMS, a page) with every character a
 * terminal or a bidi renderer would act on written as "<U+XXXX>": C0
 * controls, DEL and C1 controls (but "\n" and "\t" with CORE_ESC_LINES),
 * bidi embeddings, overrides and isolates (U+202A..202E, U+2066..2069),
 * U+2028 and U+2029; without CORE_ESC_LINES (names, titles: one line) also
 * every other invisible format character (Cf: marks of direction, BOM,
 * ZWSP) except ZWNJ and ZWJ, which Persian and emoji need. A byte that is
 * not UTF-8 is written "<0xXX>". Returns a new string owned by the caller,
 * or NULL if s is NULL. Any thread.
 */
char *core_text_escape(const char *s, unsigned flags);

/* True if s[0..len) is valid UTF-8 (no overlongs, surrogates or > U+10FFFF). */
bool core_text_utf8_valid(const char *s, size_t len);

/*
 * Parse an Iranian mobile number in any common form: 09131111111,
 * 9131111111, +989131111111, 00989131111111, 989131111111, with Persian or
 * Arabic-Indic digits, and with spaces, dashes, dots or parentheses between
 * digit groups. On success writes the E.164 form ("+989131111111") into
 * out. Otherwise returns SD_EINVAL with a reason in err. Any thread.
 */
enum sd_rc core_mobile_parse(const char *in, char out[SD_MOBILE_LEN],
    char err[SD_ERRLEN]) SD_MUSTCHECK;

/* The national form of an E.164 Iranian mobile ("09131111111") in out. */
void core_mobile_local(const char *e164, char out[SD_MOBILE_LEN]);

/* ---- SMS alphabet and length (core/sms.c) ------------------------------ */

/* The alphabet a text goes in. */
enum core_sms_alphabet {
	CORE_SMS_GSM7 = 0, /* every character has a GSM 7-bit form */
	CORE_SMS_UCS2 = 1, /* anything else: UTF-16 code units */
};

/* A single message: 160 septets or 70 UTF-16 code units. */
#define CORE_SMS_GSM7_SINGLE 160
#define CORE_SMS_UCS2_SINGLE 70
/* A part of a concatenated message, behind the 6-octet UDH. */
#define CORE_SMS_GSM7_PART 153
#define CORE_SMS_UCS2_PART 67

/* Flags for core_sms_count(). */
#define CORE_SMS_FULL_PARTS                                                    \
	0x01u                   /* parts of 160/70 (SAR to an SMSC that        \
				   cuts again itself) */
#define CORE_SMS_ONE_PART 0x02u /* never cut (message_payload) */

/* What a text costs. */
struct core_sms_count {
	enum core_sms_alphabet alphabet;
	size_t units; /* septets (extension characters 2) or code units */
	size_t parts; /* 1.., exact however many */
};

/*
 * Count utf8 (len bytes, not NUL-terminated) as it will be sent: GSM
 * 7-bit when every character has a GSM 7-bit form (3GPP TS 23.038, the
 * extension table's characters costing two septets), else UCS-2; one
 * part within 160 septets / 70 units, else greedy parts of 153 / 67 (an
 * escape or surrogate pair never straddles two). When bounds is not NULL,
 * bounds[i] gets the byte offset where part i starts and bounds[parts]
 * len, as far as nbounds entries go. SD_EINVAL on invalid UTF-8 or
 * U+0000, SD_ETOOBIG over SD_TEXT_MAX, with the reason in err (may be
 * NULL). Pure; any thread. The smsc codec encodes by the same count.
 */
enum sd_rc core_sms_count(const char *utf8, size_t len, unsigned flags,
    struct core_sms_count *out, size_t *bounds, size_t nbounds,
    char err[SD_ERRLEN]) SD_MUSTCHECK;

/* core_sms_gsm7_septet() marks an extension character with this bit. */
#define CORE_SMS_GSM7_ESC 0x100
/* The GSM 7-bit form of code point cp: a septet 0..0x7F, CORE_SMS_GSM7_ESC
 * | code for a character of the extension table, or -1 when it has none. */
int core_sms_gsm7_septet(uint32_t cp);
/* The character of a default-alphabet septet; 0 for the escape slot or a
 * value above 0x7F. */
uint32_t core_sms_gsm7_char(uint8_t septet);
/* The character of extension code (after the escape); 0 if none. */
uint32_t core_sms_gsm7_ext_char(uint8_t code);

/* ---- Jalali dates (core/jalali.c, ICU Persian calendar, Asia/Tehran) --- */

/* A Jalali date and Tehran wall-clock time. */
struct core_jdate {
	int year;   /* e.g. 1399 */
	int month;  /* 1..12 */
	int day;    /* 1..31 */
	int hour;   /* 0..23, Asia/Tehran */
	int minute; /* 0..59 */
	int second; /* 0..59 */
	int wday;   /* 0 = Saturday (شنبه) .. 6 = Friday (جمعه) */
};

/* Convert UTC seconds to the Jalali calendar in Asia/Tehran. SD_EINVAL
 * outside years 1..9999 AD; SD_EINTERNAL if ICU fails. Any thread. */
enum sd_rc core_jalali_from_utc(int64_t utc,
    struct core_jdate *out) SD_MUSTCHECK;

/* UTC seconds of the first second of y/m/d in Asia/Tehran: 00:00:00,
 * or 01:00:00 on 2 Farvardin in the years with daylight saving (until
 * 1401), whose midnight did not exist. SD_EINVAL if the date does not
 * exist (e.g. 1404/12/30). Any thread. */
enum sd_rc core_jalali_to_utc(int y, int m, int d, int64_t *utc) SD_MUSTCHECK;

/* Format utc as "1399/02/07 - 09:09:11" (ASCII digits, as in the seed).
 * Returns out. On a conversion failure writes "?". Any thread. */
const char *core_jalali_format(int64_t utc, char out[SD_JALALI_LEN]);

/* ---- Labels (core/texts.c: every Persian user-facing text) ------------- */

/* Persian labels; static strings. Out-of-range values give "?". */
const char *core_status_label(enum core_status s);
/* "awaiting", "answered", "closed". */
const char *core_status_label_en(enum core_status s);
const char *core_priority_label(enum core_priority p);
/* "very-urgent", "urgent", "normal", "low". */
const char *core_priority_label_en(enum core_priority p);
/* A department as an SMS names it: its full Persian name, or in English
 * "department N" (a Persian name would send an English reply as UCS-2). */
void core_dept_label(const struct db_dept *d, bool en, char *out, size_t n);
/* The name of department code among d[0..n), or "?" if none has it. */
const char *core_dept_name(const struct db_dept *d, size_t n, int code);
const char *core_role_label(enum core_role r);
const char *core_channel_label(enum core_channel c);
/* The label of an escalated request in lists («ارجاع‌شده…»). */
const char *core_escalated_label(void);
/* Parse an English status name (awaiting, answered, closed) or its Persian
 * label. SD_EINVAL if unknown. */
enum sd_rc core_status_parse(const char *s, enum core_status *out) SD_MUSTCHECK;
/* Parse a priority: very-urgent|urgent|normal|low, VF|F|N|L, the Persian
 * label, its letter (خف|ف|ع|ض) or «خیلیفوری» (the label with its ZWNJ
 * dropped). Persian is read as written: normalize it first
 * (core_text_normalize). SD_EINVAL if unknown. */
enum sd_rc core_priority_parse(const char *s,
    enum core_priority *out) SD_MUSTCHECK;

/* ---- Status rules (core/request.c) ------------------------------------- */

/* What happens to a request. */
enum core_event {
	CORE_EV_APPLICANT_MSG, /* the applicant adds a follow-up */
	CORE_EV_STAFF_MSG,     /* staff answer */
	CORE_EV_CLOSE,         /* staff close it */
	CORE_EV_REOPEN,        /* staff reopen a closed request */
};

/*
 * The status rules of design §2: a staff answer makes a request
 * ANSWERED, an applicant follow-up makes it AWAITING again, CLOSE closes,
 * and CLOSED is final except for REOPEN (-> AWAITING). Returns SD_ESTATE
 * when ev is not allowed in cur. Pure; any thread.
 */
enum sd_rc core_status_next(enum core_status cur, enum core_event ev,
    enum core_status *next) SD_MUSTCHECK;

/* ---- Users and staff (core/user.c) ------------------------------------- */

/*
 * Add a user. mobile in any accepted form; first/last non-empty, at most
 * SD_NAME_MAX bytes of valid UTF-8 (normalized). For staff roles title is
 * required and depts (codes 1..17, n_depts >= 1) are their departments;
 * for applicants title and depts must be empty. actor_id is the user doing
 * it (0 = system/CLI). On success *id is the new user's id.
 * SD_EEXIST if the mobile is taken, SD_EINVAL with reason in err.
 */
enum sd_rc core_user_add(struct db *db, int64_t actor_id, const char *mobile,
    const char *first, const char *last, enum core_role role, const char *title,
    const int *depts, size_t n_depts, int64_t *id,
    char err[SD_ERRLEN]) SD_MUSTCHECK;

/* Clean a person's name as core_user_add() does (valid UTF-8, Persian
 * normalization, no control or bidi character, 1..SD_NAME_MAX bytes):
 * *out owned by the caller; SD_EINVAL with the reason. */
enum sd_rc core_user_name_clean(const char *in, char **out,
    char err[SD_ERRLEN]) SD_MUSTCHECK;

/*
 * A web sign-up whose number was just proven by its code: if e164 has no
 * account, a verified applicant with these names, user_type and password
 * hash (core_password_hash) is added; if it has one (registered by SMS
 * REG, or an earlier sign-up), its holder claims it: the password is set
 * (the names stay), and any other session of it ends. *claimed says
 * which. One transaction with its audit row.
 */
enum sd_rc core_user_signup(struct db *db, const char *e164, const char *first,
    const char *last, const char *user_type, const char *pw_hash, int64_t *id,
    bool *claimed, char err[SD_ERRLEN]) SD_MUSTCHECK;

/* Set user id's password hash (a reset: end_sessions ends every session
 * of the user; a rehash at sign-in does not), with an audit row. */
enum sd_rc core_user_set_password(struct db *db, int64_t id,
    const char *pw_hash, bool end_sessions, char err[SD_ERRLEN]) SD_MUSTCHECK;

/* ---- Who acts on a request (core/request.c) ---------------------------- */

/*
 * Every read and write of a request names who does it. There is no
 * "nobody" and no id that means "everyone": a web handler that has no
 * session has no actor to pass. The kinds that are people carry their
 * user id (never 0); the system and the operator's command line see
 * every request, and say so.
 */
enum core_actor_kind {
	CORE_ACTOR_NONE = 0,  /* a zeroed actor: refused (SD_EINVAL) */
	CORE_ACTOR_APPLICANT, /* sees their own requests */
	CORE_ACTOR_STAFF,     /* ... and their departments' */
	CORE_ACTOR_HEAD,      /* ... and every request */
	CORE_ACTOR_ADMIN,     /* ... and every request */
	CORE_ACTOR_SYSTEM,    /* the daemon's jobs (SLA sweep): all */
	CORE_ACTOR_CLI,       /* the operator's command line: all */
};

struct core_actor {
	enum core_actor_kind kind;
	int64_t id; /* the user, > 0, for applicant, staff, head, admin;
		       0 for system and cli (audited as actor 0) */
};

/* The system and the operator's CLI. */
extern const struct core_actor core_actor_system;
extern const struct core_actor core_actor_cli;

/* The actor of user id with stored role role. */
struct core_actor core_actor_of(enum core_role role, int64_t id);

/* The actor of user user_id, by its stored role. SD_ENOTFOUND if there
 * is no such user. */
enum sd_rc core_actor_user(struct db *db, int64_t user_id,
    struct core_actor *out) SD_MUSTCHECK;

/* "applicant", "staff", "head", "admin", "system", "cli"; "?" else. */
const char *core_actor_kind_name(enum core_actor_kind kind);

/*
 * Access to a request, for every function below: an applicant sees their
 * own; staff their own and their departments', and staff of the head's
 * office (CORE_DEPT_HEAD) every escalated one too; the head and admins all;
 * system and cli all. A person's rights beyond their own requests need
 * both the kind and the stored role (a staff member demoted to applicant
 * keeps only their own, whatever kind the caller claims). Anything not
 * visible is SD_ENOTFOUND, exactly like a missing request. An actor of
 * kind NONE, an unknown kind, or a person's kind with id <= 0 is
 * SD_EINVAL: refused before anything is read.
 */

/* ---- Requests (core/request.c) ----------------------------------------- */

/*
 * Open a new request of actor (a person: it is theirs) in department dept
 * with priority, title and the first message body. Both texts are
 * normalized and checked (valid UTF-8, non-empty, SD_REQ_TITLE_MAX /
 * SD_BODY_MAX). The request starts AWAITING. *tracking receives its
 * tracking number (10001, ...). A very urgent one alerts its department's
 * staff by SMS (when the department wants it and env->effects is
 * CORE_FX_SMS).
 */
enum sd_rc core_request_create(struct db *db, const struct core_env *env,
    const struct core_actor *actor, int dept, enum core_priority prio,
    const char *title, const char *body, enum core_channel chan,
    int64_t *tracking, char err[SD_ERRLEN]) SD_MUSTCHECK;

/*
 * Add a message of actor (a person) to a request's thread. If the actor is
 * the request's applicant this is a follow-up (-> AWAITING; the SLA clock
 * keeps running from the first unanswered message, and a short thanks
 * after an answer, core_request_is_thanks(), leaves it ANSWERED); if it is
 * staff of the request's department, the head or an admin, it is an
 * answer (-> ANSWERED). Anyone else gets SD_ENOTFOUND, as for a missing
 * request; system and cli SD_EINVAL (a message needs an author). A
 * closed request gets SD_ESTATE. *msg_id, if not NULL, gets the message's
 * id. A staff answer alerts the applicant by SMS (CORE_FX_SMS, alerts not
 * stopped), in the same transaction.
 */
enum sd_rc core_request_reply(struct db *db, const struct core_env *env,
    const struct core_actor *actor, int64_t tracking, const char *body,
    enum core_channel chan, int64_t *msg_id, char err[SD_ERRLEN]) SD_MUSTCHECK;

/*
 * Close (CLOSED) or reopen (AWAITING) a request. Staff who can see it
 * (and system, cli) may do both; its applicant may close it (no alert:
 * they asked) but not reopen it (SD_EPERM); anyone else gets
 * SD_ENOTFOUND. A reopened request's SLA clock starts again.
 */
enum sd_rc core_request_set_status(struct db *db, const struct core_env *env,
    const struct core_actor *actor, int64_t tracking, enum core_status status,
    char err[SD_ERRLEN]) SD_MUSTCHECK;

/*
 * Escalate a request to the head's office (رئیس): sets the escalated flag,
 * with an audit row; it stays in its department and becomes the head
 * office's as well. The head's office (role head, and staff of
 * CORE_DEPT_HEAD) is alerted by SMS once, and the applicant too unless
 * they are the actor (their command's answer says it). SD_ESTATE if
 * closed or already escalated.
 */
enum sd_rc core_request_escalate(struct db *db, const struct core_env *env,
    const struct core_actor *actor, int64_t tracking,
    char err[SD_ERRLEN]) SD_MUSTCHECK;

/*
 * When request r is due ([sla] answer_days working days of env->cal, or
 * calendar days without one, after r->waiting_since: the first applicant
 * message still unanswered). Any thread.
 */
/* The same from since (a waiting_since). */
enum sd_rc core_due_from(const struct core_env *env, int64_t since,
    int64_t *due) SD_MUSTCHECK;
enum sd_rc core_request_due(const struct core_env *env,
    const struct db_request *r, int64_t *due) SD_MUSTCHECK;

/*
 * True if text, normalized (digits, Arabic letters, spaces, every ZWNJ
 * dropped, ASCII lower-cased, punctuation and emoji at its ends
 * dropped), is one of the phrases of [sms] thanks_phrases (a comma
 * separated list, normalized the same way): a short thanks that does not
 * reopen an answered request. Any thread.
 */
bool core_request_is_thanks(const struct core_env *env, const char *text);

/*
 * The two-working-day rule, run by the system: every request still
 * awaiting an answer [sla] answer_days working days after its first
 * unanswered applicant message (core_request_due())
 * is escalated (core_request_escalate(): applicant and head's office
 * alerted with CORE_FX_SMS),
 * audited as actor 0 (core_actor_system). Only when env->sla is given and
 * [sla] escalation is auto or both (otherwise a no-op). *escalated counts
 * them; each is its own transaction, so one failure leaves the others
 * done (SD_OK is returned only if none failed).
 */
enum sd_rc core_sla_sweep(struct db *db, const struct core_env *env,
    size_t *escalated, char err[SD_ERRLEN]) SD_MUSTCHECK;

/*
 * Fetch request tracking for actor with the access check above. out is
 * filled with copies (db_request_fini()).
 */
enum sd_rc core_request_get(struct db *db, const struct core_actor *actor,
    int64_t tracking, struct db_request *out) SD_MUSTCHECK;

/*
 * The thread of a request for actor (same access check), oldest first.
 * *msgs is an array of *n entries owned by the caller
 * (db_message_list_free()).
 */
enum sd_rc core_request_thread(struct db *db, const struct core_actor *actor,
    int64_t tracking, struct db_message **msgs, size_t *n) SD_MUSTCHECK;

/* The actor's own requests (a person's), newest first, at most limit (<=
 * SD_LIST_MAX). SD_EINVAL for system, cli or an invalid actor. */
enum sd_rc core_request_list_mine(struct db *db, const struct core_actor *actor,
    size_t limit, struct db_request **rows, size_t *n) SD_MUSTCHECK;

/* Requests awaiting an answer that actor (staff: their departments'; head
 * and admin: all) should answer, overdue first (db_request_waiting_for),
 * at most limit (<= SD_LIST_MAX). SD_EINVAL for an applicant, system, cli
 * or an invalid actor. */
enum sd_rc core_request_list_waiting(struct db *db,
    const struct core_actor *actor, size_t limit, struct db_request **rows,
    size_t *n) SD_MUSTCHECK;

/* ---- A thread as text (core/render.c) ---------------------------------- */

/*
 * Render request tracking and its thread as plain text for actor (same
 * access check as core_request_get), in the seed's wording:
 * «موضوع : …», «نوع درخواست : …», «شماره رهگیری : …», «وضعیت : …»,
 * «اولویت : …», then each message: an author line that says the role
 * from the stored role, never from a name («متقاضی: name», «متقاضی:
 * شما», «پاسخ کارشناس: name (title)», «پاسخ رئیس: …»), the body with
 * every line set off by "| " and escaped (core_text_escape), and its
 * Jalali date. Names and titles are escaped too, for rows stored before
 * they were checked. *out is owned by the caller.
 */
enum sd_rc core_request_render(struct db *db, const struct core_actor *actor,
    int64_t tracking, char **out) SD_MUSTCHECK;

/*
 * Very urgent requests held back from their immediate staff alert (over
 * [alerts] very_urgent_per_applicant_hour or very_urgent_per_dept_hour):
 * each staff member of their departments with alerts on gets one SMS
 * listing those still awaiting that no digest told them of yet, at most
 * one every [alerts] digest_every_min minutes. Run by serve's minute
 * timer. *sent counts the digests queued; each staff member's is its own
 * transaction. Does nothing with CORE_FX_NONE.
 */
enum sd_rc core_alert_digest(struct db *db, const struct core_env *env,
    size_t *sent, char err[SD_ERRLEN]) SD_MUSTCHECK;

/* ---- Outbound messages (core/outbox.c) --------------------------------- */

/* A message for the outbox. */
struct core_out {
	enum core_out_kind kind; /* decides the priority */
	const char *dest;        /* E.164, or an MO's source as received */
	const char *text;        /* UTF-8 */
	int64_t tracking;        /* the request it is about, 0 if none */
	int64_t not_before;      /* UTC seconds, 0 = now */
	int64_t expires;         /* UTC seconds, 0 = never */
	int ussd_session;        /* USSD: its_session_info to echo */
	bool ussd_end;           /* USSD: the dialogue's last screen (false:
				    it waits for the user's answer) */
};

/* The queue priority of a kind: 0 (OTP, USSD) before 1 (command replies)
 * before 2 (alerts). */
int core_out_priority(enum core_out_kind kind);
/* "otp", "alert", "reply", "ussd"; and back. */
const char *core_out_kind_name(enum core_out_kind kind);
enum sd_rc core_out_kind_parse(const char *s,
    enum core_out_kind *out) SD_MUSTCHECK;
/* "queued", "submitted", "accepted", "delivered", ... */
const char *core_out_state_name(enum core_out_state state);

/* Queue m in the caller's transaction; *id (may be NULL) gets its row. */
/*
 * The one place an SMS reply or alert takes its final form. text (a
 * string in a buffer of sz bytes) gets a line break and env's [sms]
 * signature (an English text only a GSM 7-bit one: a Persian word would
 * send it as UCS-2, not sign = false: none), and if the whole is longer
 * than parts SMS parts (as core_sms_count() counts them), its body is cut
 * at the end of a word and followed by "…" ("..." in GSM 7-bit) and a
 * line break and link (if link is not empty): the signature is never cut.
 */
void core_out_compose(const struct core_env *env, bool en, bool sign,
    char *text, size_t sz, const char *link, long parts);

enum sd_rc core_out_queue(struct db *db, const struct core_out *m,
    int64_t *id) SD_MUSTCHECK;

/*
 * The operator's messages (smsdesk queue add): count (>= 1) copies of
 * text to dest (E.164) as kind, numbered "text #i" when count > 1, and one
 * audit row ("queue.add" on dest, detail the kind's name, actor 0), in one
 * transaction of its own. *first and *last get the first and last row.
 * SD_EINVAL when the text is empty or not UTF-8; a database error with
 * its message in err; nothing is queued then (*first = *last = 0).
 */
enum sd_rc core_out_add(struct db *db, enum core_out_kind kind,
    const char *dest, const char *text, long count, int64_t *first,
    int64_t *last, char err[SD_ERRLEN]) SD_MUSTCHECK;

/*
 * The operator's retry (smsdesk queue retry): row id back in the queue
 * now, with its audit row ("queue.retry" on "outbox:ID", actor 0), in one
 * transaction of its own. SD_ENOTFOUND, SD_ESTATE (still queued or
 * submitted), SD_EPERM (a one-time password: its code is masked once final),
 * or a database error with its message in err; nothing changes then.
 */
enum sd_rc core_out_retry(struct db *db, int64_t id,
    char err[SD_ERRLEN]) SD_MUSTCHECK;

/* ---- One-time passwords (core/otp.c) ----------------------------------- */

/* What a code is for. Stored as the integer. */
enum core_otp_purpose {
	CORE_OTP_SIGNUP = 0, /* prove the number at sign-up */
	CORE_OTP_LOGIN = 1,  /* sign in */
	CORE_OTP_RESET = 2,  /* set a new password */
};

struct core_otp_config;

/*
 * Issue a 6-digit code for mobile (any accepted form): drawn from the
 * CSPRNG (libsodium), stored as an argon2id hash, valid cfg->ttl_s, and
 * queued as an OTP SMS expiring with it, all in one transaction. SD_EBUSY
 * with a reason when the number asked less than resend_after_s ago or
 * more than per_number_hour times this hour, found before any hashing,
 * so a refused request costs no argon2id. *out_id (may be NULL) gets
 * the outbox row. The code itself is never returned or logged.
 */
enum sd_rc core_otp_issue(struct db *db, const struct core_otp_config *cfg,
    const char *mobile, enum core_otp_purpose purpose, int64_t *out_id,
    char err[SD_ERRLEN]) SD_MUSTCHECK;

/* ---- Inbound SMS and USSD (core/command.c) ----------------------------- */

/* One inbound text, as the pipeline hands it over. */
struct core_mo {
	const char *from; /* the sender as the SMSC wrote it */
	const char *to;   /* the short code it was sent to */
	const char *text; /* UTF-8, whole (parts joined) */
	bool ussd;        /* a USSD step */
	int ussd_session; /* its session key as the transport's [ussd]
			     session_key profile gives it, -1 if none */
	bool ussd_begin;  /* USSD: the dialogue's first message (a dial:
			     text is the dial string "*123#", "*123*10025#");
			     false: text is what the user typed */
};

/*
 * Whether a domain change may queue SMS beside it. Said explicitly by
 * every env: 0 is neither value, so an env left zeroed is caught (assert)
 * instead of silently meaning one or the other (issue #10: a NULL env
 * once meant "no SMS", and a CLI answer that could not read its holidays
 * file stored the answer and alerted no one).
 */
enum core_effects {
	CORE_FX_SMS = 1,  /* alerts to applicants and staff are queued */
	CORE_FX_NONE = 2, /* the domain change alone, no alert (tests and
			     tools); an MO still gets its own answer */
};

/*
 * What the domain needs from the configuration, read-only and shared by
 * every thread. Every function that takes an env requires one (NULL is a
 * programmer error, asserted). A field left NULL takes its defaults.
 */
struct core_sms_config;
struct core_sla_config;
struct core_alert_config;
struct core_calendar;
struct core_ussd;
struct core_env {
	const char *base_url;              /* [web] base_url: links in SMS */
	const struct core_sms_config *sms; /* [sms] */
	const struct core_sla_config *sla; /* [sla] */
	const struct core_calendar *cal;   /* working days and holidays */
	const struct core_alert_config *alerts; /* [alerts]; NULL: defaults */
	enum core_effects effects;              /* SMS side effects or none */
	struct core_ussd *ussd; /* USSD dialogues in memory; NULL: a USSD
				   MO is answered "service unavailable" and
				   its dialogue ends */
};

/* An env with no SMS side effects and every default (tests, tools). */
extern const struct core_env core_env_no_sms;

/* A parsed SMS command (core/command.c). */
enum core_cmd_id {
	CORE_CMD_NONE = 0, /* not understood */
	CORE_CMD_HELP,
	CORE_CMD_STATUS,
	CORE_CMD_LIST,
	CORE_CMD_DEPTS,
	CORE_CMD_NEW,
	CORE_CMD_REPLY,
	CORE_CMD_ESCALATE,
	CORE_CMD_REG,
	CORE_CMD_STOP,
	CORE_CMD_START,
	CORE_CMD_CLOSE,
	/* The highest, for range checks: a new command goes above it. */
	CORE_CMD_LAST = CORE_CMD_CLOSE,
};

struct core_cmd {
	enum core_cmd_id id;
	bool en;                  /* answer in English */
	bool missing;             /* the command word, but arguments missing or
				     malformed (answered with its usage) */
	int64_t tracking;         /* STATUS, R, ESCALATE, CLOSE */
	int dept;                 /* NEW: 1..17 as typed (checked later) */
	enum core_priority prio;  /* NEW: normal unless given */
	char text[1024];          /* NEW, R: the text normalized on one line
				     (cut; the title comes from it); REG:
				     first name */
	size_t body_off;          /* NEW, R: where the text starts in the MO
				     as sent (its whole body, line breaks
				     and spelling kept) */
	char last[256];           /* REG: last name */
	enum core_cmd_id closest; /* CORE_CMD_NONE: the likeliest meant */
	int64_t hint_tracking;    /* CORE_CMD_NONE: a tracking number the
				     sender gave, for the hint's example */
};

/*
 * Parse an MO text: normalized (digits, Arabic letters, ZWNJ, spaces),
 * the command word in Persian or English in any case. Pure; any thread.
 * Texts longer than SD_TEXT_MAX or not UTF-8 parse as CORE_CMD_NONE.
 */
void core_cmd_parse(const char *text, struct core_cmd *out);

/*
 * Whether the command in text changes something (NEW, R, ESCALATE, REG,
 * STOP, START with their arguments): the idempotency rule of the inbox
 * (issue #11). Such a command seen again from the same number within
 * [queue] dedupe_window_s is not applied twice and its stored answer is
 * sent again; anything else (HELP, STATUS, LIST, DEPTS, a usage hint, text
 * not understood) only reads, so it is never deduplicated and always
 * answered from the current data. Pure; any thread.
 */
bool core_cmd_changes(const char *text);

/* The name of a command in English ("STATUS") or Persian. */
const char *core_cmd_name(enum core_cmd_id id, bool en);

/*
 * Read one MO and do what it asks, inside the caller's transaction: every
 * reply and alert is queued in the outbox there (kind reply, or ussd).
 * *reply_id gets the reply's outbox row (0 if none: a number over its
 * hourly limit, [sms] mo_per_hour, or staff_mo_per_hour for staff, head
 * and admin numbers, is answered once and then not processed for the
 * hour). why (DB_INBOX_REASON_LEN bytes, may be NULL) gets why the MO was
 * not processed as usual, "" if it was: the caller keeps it with the
 * inbox row. Bad input gets a Persian (or English) answer, not an error;
 * only database failures return one.
 *
 * A USSD MO (mo->ussd) is a step of a menu dialogue instead (core/ussd.c,
 * env->ussd): its answer is one CORE_OUT_USSD row with ussd_end set on
 * the dialogue's last screen, ussd_session echoed and expires = now +
 * [ussd] session_s (a new request also queues its confirmation SMS);
 * the SMS hourly limits do not apply, [ussd] mo_per_hour does (counted
 * over USSD MOs only, as the SMS limits count SMS only). Called on the
 * store thread; the dialogue table has its own lock.
 */
enum sd_rc core_mo_handle(struct db *db, const struct core_env *env,
    const struct core_mo *mo, int64_t *reply_id, char *why) SD_MUSTCHECK;

/* ---- USSD menus (core/ussd.c) ------------------------------------------ */

/* The dialogues in memory: at most [ussd] max_sessions, each keyed by
 * (number, session key), with its own mutex. */
struct core_ussd;
struct core_ussd_config;

/* Counts since start, for /metrics. */
struct core_ussd_stats {
	unsigned long active;    /* dialogues held now */
	unsigned long started;   /* dials that opened one */
	unsigned long finished;  /* ended by their last screen */
	unsigned long abandoned; /* idle past session_s, or replaced by a
				    new dial from the same session */
	unsigned long refused;   /* dials refused: max_sessions held */
};

/* A table of cfg->max_sessions dialogues (cfg is copied). SD_EINVAL if
 * cfg is out of its keys' bounds. Any thread; once. */
enum sd_rc core_ussd_new(const struct core_ussd_config *cfg,
    struct core_ussd **out) SD_MUSTCHECK;
/* Free u and every dialogue it holds (NULL: nothing). */
void core_ussd_free(struct core_ussd *u);
/* Copy the counts. Any thread. */
void core_ussd_stats(struct core_ussd *u, struct core_ussd_stats *out);
/*
 * Drop the dialogues idle longer than session_s at now (UTC seconds):
 * each is recorded as abandoned (a log line and an audit row
 * "ussd.abandon" in db, in a transaction of its own unless the caller
 * holds one). Called by core_mo_handle() and by serve's periodic tick;
 * any thread with its own db.
 */
void core_ussd_expire(struct core_ussd *u, struct db *db, int64_t now);

/* ---- Official holidays (core/holidays.c) ------------------------------- */

#define CORE_HOLIDAY_LINE_MAX 512 /* a holidays file line, bytes */
#define CORE_HOLIDAY_NAME_MAX 256 /* a holiday's name, bytes with NUL */
#define CORE_HOLIDAYS_YEAR_MAX 64 /* holidays a suggested year can have */

/* One official holiday. */
struct core_holiday {
	int key;                          /* y * 10000 + m * 100 + d */
	bool computed;                    /* '?': computed, to be checked */
	char name[CORE_HOLIDAY_NAME_MAX]; /* as the calendar names it */
};

/* The sort key of Jalali y/m/d (y * 10000 + m * 100 + d). */
int core_holiday_key(int y, int m, int d);
/* Parse one holidays-file line ("YYYY/MM/DD[?] name", ASCII, Persian or
 * Arabic-Indic digits, '#' comment). *blank: a comment or empty line.
 * SD_EINVAL if not a valid Jalali date or the name is too long. */
enum sd_rc core_holiday_parse(const char *line, struct core_holiday *h,
    bool *blank) SD_MUSTCHECK;
/* Every line of the holidays file at path, in file order (*out is the
 * caller's, free()). SD_ECONFIG with "path:line: reason" in err. */
enum sd_rc core_holidays_read(const char *path, struct core_holiday **out,
    size_t *n, char err[SD_ERRLEN]) SD_MUSTCHECK;
/* The predicted first day of Hijri month hm (1..12) of year hy in Iran:
 * noon (Tehran) of the day after ICU's astronomical Islamic calendar
 * starts it, UTC seconds in *t (core/holidays.c has the rule's measured
 * agreement with the official calendar). SD_EINVAL for a bad month. */
enum sd_rc core_hijri_month_start(int hy, int hm, int64_t *t) SD_MUSTCHECK;
/* The holidays of Jalali year jy as far as they can be computed: the
 * fixed solar ones and the lunar ones from core_hijri_month_start (marked
 * computed: Iran sights the moon, so they may be a day off), sorted by
 * date, days with two occasions merged. SD_EINVAL for a year outside
 * 1300..1600, SD_ETOOBIG past cap. Any thread. */
enum sd_rc core_holidays_suggest(int jy, struct core_holiday *out, size_t cap,
    size_t *n) SD_MUSTCHECK;
/* Store h[0..n) in the holidays table, replacing every year they cover,
 * in one transaction; the '?' mark is kept (the name's leading '?').
 * SD_ETOOBIG past SD_HOLIDAYS_MAX. */
enum sd_rc core_holidays_import(struct db *db, const struct core_holiday *h,
    size_t n, char err[SD_ERRLEN]) SD_MUSTCHECK;

/* ---- Working days (core/calendar.c) ------------------------------------ */

/* Build the calendar of [sla] (reads holidays_file, a path as given;
 * empty: no holidays). SD_ECONFIG with file:line in err on a bad file. */
enum sd_rc core_calendar_new(const struct core_sla_config *sla,
    struct core_calendar **out, char err[SD_ERRLEN]) SD_MUSTCHECK;
void core_calendar_free(struct core_calendar *c);
/* True if the Tehran day of utc is (at least half) a working day. */
bool core_calendar_working(const struct core_calendar *c, int64_t utc);
/*
 * Take the database's holidays table as it is now: a year the table has
 * any holiday of is the table's alone; other years keep the holidays
 * file's. *changed: the table's set differs from the one held before.
 * Any thread (the set is swapped under the calendar's mutex).
 */
enum sd_rc core_calendar_reload(struct core_calendar *c, struct db *db,
    bool *changed) SD_MUSTCHECK;
/* How many holidays (beyond Fridays) Jalali year has in the calendar. */
size_t core_calendar_year_holidays(const struct core_calendar *c, int year);
/*
 * The moment days working days of office time have passed since from:
 * days times a full office day ([sla] office_hours) of the office hours
 * of working days (a half Thursday its [sla] thursday_hours), counted
 * from from, or from the next opening when from is outside office hours.
 * Always inside office hours, at most at a close. The one place that
 * computes a due time (core_request_due() asks it).
 */
enum sd_rc core_calendar_due(const struct core_calendar *c, int64_t from,
    long days, int64_t *due) SD_MUSTCHECK;
/* True if utc is within the office hours of a working day, from the
 * opening up to (not at) the close. */
bool core_calendar_in_office(const struct core_calendar *c, int64_t utc);
/* The first instant from t on that is within office hours (t itself if
 * it is): *at. */
enum sd_rc core_calendar_open_at(const struct core_calendar *c, int64_t t,
    int64_t *at) SD_MUSTCHECK;
/* The same *at, and in *close (NULL: not wanted) the close of the office
 * period *at is in: one working day's office hours. */
enum sd_rc core_calendar_period_at(const struct core_calendar *c, int64_t t,
    int64_t *at, int64_t *close) SD_MUSTCHECK;

/*
 * A period of the day, "HH:MM-HH:MM" (ASCII, Persian or Arabic-Indic
 * digits, spaces around the dash allowed): *from and *to in minutes after
 * midnight. It may wrap past midnight (22:00-07:00); the caller decides
 * whether that is allowed. SD_EINVAL with the reason in err.
 */
enum sd_rc core_hours_parse(const char *s, int *from, int *to,
    char err[SD_ERRLEN]) SD_MUSTCHECK;
/* [sla] office_hours' check: a period that ends after it starts. */
enum sd_rc core_office_hours_check(const char *s,
    char err[SD_ERRLEN]) SD_MUSTCHECK;

/* [sms] quiet_hours' default. */
#define CORE_QUIET_DEFAULT "22:00-07:00"
/*
 * The end of the quiet period ([sms] quiet_hours as spec, Tehran wall
 * clock; NULL: the default; "" or "off": none) that now is in: *until,
 * or 0 when now is not quiet. Alerts that are not urgent wait for it.
 */
enum sd_rc core_quiet_end(const char *spec, int64_t now,
    int64_t *until) SD_MUSTCHECK;

/* ---- Configuration: sections [otp] and [sla] (core/config.c) ---------- */

struct core_otp_config {
	long ttl_s;           /* a code is valid this long */
	long max_tries;       /* wrong tries that end a code */
	long resend_after_s;  /* earliest resend */
	long per_number_hour; /* codes per number per hour */
	long per_addr_hour;   /* codes per client address per hour */
	long global_hour;     /* codes to anyone per hour (SMS pumping) */
};

/* Thursday in the working week. */
enum core_thursday {
	CORE_THU_OFF = 0,
	CORE_THU_HALF = 1,
	CORE_THU_WORKING = 2,
};

/* Who may escalate an overdue request. */
enum core_escalation {
	CORE_ESC_AUTO = 0,      /* only the SLA sweep */
	CORE_ESC_APPLICANT = 1, /* only the applicant's command */
	CORE_ESC_BOTH = 2,
};

/* [sla] holidays_file's default: the program looks for the bundled or
 * installed holidays.txt and writes the path it found in its place
 * (core_calendar_new() reads paths only). */
#define CORE_HOLIDAYS_AUTO "auto"

struct core_sla_config {
	char working_days[SD_CONF_VALUE_MAX];   /* "sat,sun,mon,tue,wed" */
	int thursday;                           /* enum core_thursday */
	char holidays_file[SD_CONF_VALUE_MAX];  /* Jalali dates, one a line;
						   CORE_HOLIDAYS_AUTO: the
						   program finds it */
	int escalation;                         /* enum core_escalation */
	long answer_days;                       /* working days to answer */
	char office_hours[SD_CONF_VALUE_MAX];   /* "07:30-14:30"; "": that */
	char thursday_hours[SD_CONF_VALUE_MAX]; /* a half Thursday's,
						   "07:30-12:30"; "": that */
};

/* [sms] thanks_phrases' default. Kept short: a line of the config file
 * holds at most 200 bytes (inih). */
#define CORE_THANKS_DEFAULT                                                                                         \
	"ممنون,ممنونم,خیلی ممنون,مرسی,متشکرم,سپاس,تشکر,با تشکر,thanks," \
	"thank you"

/* Section [sms]: the SMS command channel. */
struct core_sms_config {
	long max_reply_parts;   /* a reply is shortened to this many parts */
	long mo_per_hour;       /* more from one number are not processed */
	long link_ttl_days;     /* one-tap links expire after this */
	long staff_mo_per_hour; /* mo_per_hour of staff, head, admin numbers */
	char thanks_phrases[SD_CONF_VALUE_MAX]; /* comma separated: a short
						   thanks that leaves an
						   answered request so */
	char quiet_hours[SD_CONF_VALUE_MAX];    /* "22:00-07:00"; "" or "off":
						   none */
	char signature[SD_CONF_VALUE_MAX]; /* ends every SMS reply and alert
					      ("" none); at most
					      CORE_SIGNATURE_MAX characters */
};

/* Section [alerts]: SMS alerts to staff. */
struct core_alert_config {
	long very_urgent_per_applicant_hour; /* immediate alerts caused by
						one applicant an hour */
	long very_urgent_per_dept_hour;      /* ... for one department */
	long digest_every_min; /* a staff member's digests at most this often */
};

/* The longest [sms] signature, in characters: with it and its line break
 * the help still fits two UCS-2 parts (tests/unit/core/test_texts.c). */
#define CORE_SIGNATURE_MAX 22

/* Section [ussd], the keys core reads (the transport's are smsc's). */
struct core_ussd_config {
	long session_s;    /* a dialogue idle this long is over */
	long max_sessions; /* dialogues held at once; more are refused */
	char service_code[SD_CONF_VALUE_MAX]; /* "*123#": a dial, and direct
						 strings "*123*10025#" */
	long mo_per_hour; /* USSD messages an hour from one number; the
			     one over it is told so, more get no answer */
};

extern const struct sd_conf_key core_ussd_config_keys[];
extern const struct sd_conf_key core_alert_config_keys[];
extern const struct sd_conf_key core_otp_config_keys[];
extern const struct sd_conf_key core_sla_config_keys[];
extern const struct sd_conf_key core_sms_config_keys[];

/* Why a code was not sent (core_otp_issue_web). */
enum core_otp_limit {
	CORE_OTP_LIM_NONE = 0,
	CORE_OTP_LIM_RESEND, /* the last one is younger than resend_after_s */
	CORE_OTP_LIM_NUMBER, /* per_number_hour reached for the number */
	CORE_OTP_LIM_ADDR,   /* per_addr_hour reached for the web address */
	CORE_OTP_LIM_GLOBAL, /* global_hour reached by every web address */
};
struct core_otp_refusal {
	enum core_otp_limit why;
	long wait_s; /* when a new code may be asked, seconds from now */
};

/*
 * core_otp_issue() for the web: also at most per_addr_hour codes asked
 * from addr (the client's address) and global_hour from all addresses
 * in the last hour (SMS pumping), all checked before any hashing and
 * again in the write transaction. A refusal is SD_EBUSY with *why
 * filled (reason and wait); err gets an English line for the log.
 * With base_url (the web's [web] base_url) the SMS ends with the WebOTP
 * line "@host #code" for the browser to fill the code in, when that still
 * fits one part (else the usual text).
 */
enum sd_rc core_otp_issue_web(struct db *db, const struct core_otp_config *cfg,
    const char *mobile, enum core_otp_purpose purpose, const char *addr,
    const char *base_url, int64_t *out_id, struct core_otp_refusal *why,
    char err[SD_ERRLEN]) SD_MUSTCHECK;

/*
 * Check code (as typed: Persian digits and spaces allowed) against the
 * latest code of e164 for purpose, in constant time (argon2id verify,
 * about 10 ms: call it bounded, like a password). SD_OK spends it.
 * SD_EPERM: wrong, one try counted, *tries_left more allowed; SD_ESTATE:
 * dead after max_tries wrong; SD_ENOTFOUND: none, spent or expired.
 */
enum sd_rc core_otp_check(struct db *db, const struct core_otp_config *cfg,
    const char *e164, enum core_otp_purpose purpose, const char *code,
    int *tries_left, char err[SD_ERRLEN]) SD_MUSTCHECK;

/* ---- Web tokens and passwords (core/session.c, core/password.c) ------- */

/* A token or its hash as hex: 64 digits and the NUL. */
#define CORE_TOKEN_LEN 65
/* An argon2id hash string (libsodium crypto_pwhash_STRBYTES). */
#define CORE_PWHASH_LEN 128

/* A new 256-bit random token (libsodium CSPRNG) as hex in out. */
void core_token_new(char out[CORE_TOKEN_LEN]);
/* The SHA-256 of token as hex: what is stored for a cookie's token. */
void core_token_hash(const char *token, char out[CORE_TOKEN_LEN]);
/* a equals b, in time independent of where they differ; false if either
 * is NULL or their lengths differ. */
bool core_token_eq(const char *a, const char *b);

/* A list of refused passwords, loaded once. */
struct core_pwlist;
/* Load path (one password a line, '#' comments); SD_ECONFIG with the
 * reason in err. */
enum sd_rc core_pwlist_load(const char *path, struct core_pwlist **out,
    char err[SD_ERRLEN]) SD_MUSTCHECK;
void core_pwlist_free(struct core_pwlist *l);
/* Entries loaded. */
size_t core_pwlist_size(const struct core_pwlist *l);

/* What is wrong with a new password. */
enum core_pw_problem {
	CORE_PW_OK = 0,
	CORE_PW_SHORT,  /* under 8 characters */
	CORE_PW_LONG,   /* over 128 characters */
	CORE_PW_COMMON, /* in the list (compared lower-cased) */
	CORE_PW_BAD,    /* not UTF-8, or a control character */
};
/* Characters (code points) of a password. */
#define CORE_PW_MIN 8
#define CORE_PW_MAX 128
/* Check a new password; no composition rules. list may be NULL. */
enum core_pw_problem core_password_check(const struct core_pwlist *list,
    const char *pw);

/* argon2id (libsodium crypto_pwhash_str, interactive limits: about 64 MB
 * and tens of ms; run it on a web thread, bounded by the caller) of pw
 * into out. SD_ENOMEM if it could not. */
enum sd_rc core_password_hash(const char *pw,
    char out[CORE_PWHASH_LEN]) SD_MUSTCHECK;
/* True if pw matches hash; *rehash (may be NULL) is set when hash was
 * made with other limits than today's (hash again and store it). */
bool core_password_verify(const char *hash, const char *pw, bool *rehash);

/* ---- Texts of the web pages (core/texts.c, the block at its end) ----- */

/* The web view's Persian texts; a "%s" is filled by the page (numbers in
 * Persian digits, names escaped). */
enum core_web_txt {
	CORE_WT_BAD_REQUEST,
	CORE_WT_TOO_LARGE,
	CORE_WT_NOT_FOUND_TITLE,
	CORE_WT_NOT_FOUND,
	CORE_WT_BAD_FIELD,
	CORE_WT_BUSY_TITLE,
	CORE_WT_BUSY,
	CORE_WT_CSRF_TITLE,
	CORE_WT_CSRF,
	CORE_WT_SITE,
	CORE_WT_WELCOME,
	CORE_WT_SIGNIN_HINT,
	CORE_WT_SIGNIN_BTN,
	CORE_WT_SIGNUP_TITLE,
	CORE_WT_SIGNUP_HINT,
	CORE_WT_SIGNUP_LINK,
	CORE_WT_SIGNUP_NOTE,
	CORE_WT_FIRST,
	CORE_WT_LAST,
	CORE_WT_MOBILE,
	CORE_WT_PASSWORD,
	CORE_WT_USER_TYPE,
	CORE_WT_CHOOSE,
	CORE_WT_PW_HINT,
	CORE_WT_VERIFY_TITLE,
	CORE_WT_VERIFY_SENT,
	CORE_WT_CODE_SENT,
	CORE_WT_CODE,
	CORE_WT_VERIFY_BTN,
	CORE_WT_RESEND_BTN,
	CORE_WT_NEW_DEVICE,
	CORE_WT_RESET_LINK,
	CORE_WT_RESET_TITLE,
	CORE_WT_RESET_HINT,
	CORE_WT_RESET_BTN,
	CORE_WT_NEW_PASSWORD,
	CORE_WT_RESET_DONE,
	CORE_WT_SIGNOUT,
	CORE_WT_SIGNED_OUT,
	CORE_WT_REQUESTS,
	CORE_WT_BAD_LOGIN,
	CORE_WT_LOGIN_LIMIT,
	CORE_WT_CODE_WRONG,
	CORE_WT_CODE_EXPIRED,
	CORE_WT_CODE_DEAD,
	CORE_WT_RESEND_WAIT,
	CORE_WT_NUMBER_HOUR,
	CORE_WT_ADDR_HOUR,
	CORE_WT_GLOBAL_HOUR,
	CORE_WT_PW_SHORT,
	CORE_WT_PW_LONG,
	CORE_WT_PW_COMMON,
	CORE_WT_BAD_MOBILE,
	CORE_WT_BAD_NAME,
	CORE_WT_BAD_TYPE,
	CORE_WT_NO_PENDING,
	CORE_WT_SIGNIN_TITLE,
	CORE_WT_REFUSED_TITLE,
	CORE_WT_ACCOUNT,
	CORE_WT_USER_TYPE_SHORT,
	CORE_WT_OTP_WEB,
	CORE_WT_SIGNIN_NEEDED,
	CORE_WT_COUNT
};

/* The text id; "?" if out of range. Any thread. */
const char *core_web_txt(enum core_web_txt id);

/* ---- Attachments: file types (core/filetype.c) ------------------------- */

/* An allowed attachment type; stored as its key (core_ftype_ext()). */
enum core_ftype {
	CORE_FT_NONE = 0, /* not allowed */
	CORE_FT_JPG,
	CORE_FT_PNG,
	CORE_FT_PDF,
	CORE_FT_DOCX,
	CORE_FT_XLSX,
	CORE_FT_PPTX,
	CORE_FT_DOC,
	CORE_FT_XLS,
	CORE_FT_ZIP,
	CORE_FT_DWG,
	CORE_FT_COUNT
};

/* Why a file is refused (or CORE_FTW_OK). core_ftype_why_text() says it
 * in Persian. */
enum core_ftype_why {
	CORE_FTW_OK = 0,
	CORE_FTW_EMPTY,    /* no bytes */
	CORE_FTW_REFUSED,  /* content of no allowed type */
	CORE_FTW_MISMATCH, /* the name's extension is not the content's */
	CORE_FTW_TOOBIG,   /* over the size limit */
	CORE_FTW_NAME,     /* no usable file name (invalid UTF-8, empty) */
	CORE_FTW_TOOMANY,  /* more files than a message may carry */
	CORE_FTW_COUNT
};

/* Bytes of a file's head that core_ftype_detect() looks at. */
#define CORE_FT_SNIFF 16384

/*
 * The type of a file from its first n bytes (head, at most CORE_FT_SNIFF
 * are looked at) and its name: the content must be of an allowed family
 * and the name's extension one of that family's (core/filetype.c lists
 * them). *type gets the type (CORE_FT_NONE unless CORE_FTW_OK). Pure;
 * any thread.
 */
enum core_ftype_why core_ftype_detect(const uint8_t *head, size_t n,
    const char *name, enum core_ftype *type);
/* "jpg", "pdf", ...; "" for CORE_FT_NONE. */
const char *core_ftype_ext(enum core_ftype t);
/* The Content-Type of a download ("image/jpeg"). */
const char *core_ftype_mime(enum core_ftype t);
/* The type of a stored key ("jpg"); CORE_FT_NONE if unknown. */
enum core_ftype core_ftype_parse(const char *ext);
/* The Persian label of a type as the seed shows it: «تصویر (jpg)»
 * (core/texts.c). Static. */
const char *core_ftype_label(enum core_ftype t);
/* The Persian sentence for a refusal (core/texts.c): a printf format
 * with "%s" for the file name and, for CORE_FTW_TOOBIG and TOOMANY, a
 * second "%s" for the limit (MB, files): not printf formats, the page
 * fills them escaped. Static. */
const char *core_ftype_why_text(enum core_ftype_why why);

/* ---- Attachments: the streaming writer (core/upload.c) ----------------- */

/*
 * One file being received, written straight to disk: begin() creates a
 * temporary file (0600, O_EXCL, in dir, created 0700 if missing), write()
 * appends a chunk (hashing it, keeping the head for the type check),
 * finish() checks the type, syncs the file and renames it to a random
 * name (32 hex digits from libsodium's randombytes) in the same folder.
 * A refused, aborted or over-size file is unlinked at once, so nothing
 * half written stays on disk. A finished file is attached to a message by
 * core_request_create_files() / core_request_reply_files() in the same
 * transaction as the message; core_upload_free() removes the file unless
 * such a call committed it. One thread at a time per upload.
 */
struct core_upload;

/* What a finished upload is. Strings live as long as the upload. */
struct core_upload_info {
	const char *name;     /* original name, sanitized: no path, no
				 controls, valid UTF-8, <= SD_FILE_NAME_MAX */
	enum core_ftype type; /* detected (after finish) */
	int64_t size;         /* bytes */
	const char *sha256;   /* 64 hex digits (after finish) */
	const char *stored;   /* the random name in dir (after finish) */
};

/*
 * Start receiving a file named name (as the client sent it: only what
 * follows its last '/' or '\\' is kept, controls dropped) into dir, at most
 * max_bytes. SD_EINVAL (*why CORE_FTW_NAME) for a name with nothing
 * left; SD_EIO if the folder or file cannot be made (reason in err).
 * *out is the caller's (core_upload_free()).
 */
enum sd_rc core_upload_begin(const char *dir, const char *name,
    int64_t max_bytes, struct core_upload **out, enum core_ftype_why *why,
    char err[SD_ERRLEN]) SD_MUSTCHECK;
/* Append n bytes. SD_ETOOBIG (*why CORE_FTW_TOOBIG) past max_bytes:
 * the file is removed then; SD_EIO on a write error; SD_ESTATE after an
 * error or finish. */
enum sd_rc core_upload_write(struct core_upload *u, const void *p, size_t n,
    enum core_ftype_why *why, char err[SD_ERRLEN]) SD_MUSTCHECK;
/* Check the type (core_ftype_detect()) and store the file under its
 * random name. SD_EINVAL with *why when refused (the file removed). */
enum sd_rc core_upload_finish(struct core_upload *u, enum core_ftype_why *why,
    char err[SD_ERRLEN]) SD_MUSTCHECK;
/* What u is; valid until core_upload_free(u). */
const struct core_upload_info *core_upload_info(const struct core_upload *u);
/* Abort or release: removes u's file unless it was attached and
 * committed; frees u. NULL: nothing. */
void core_upload_free(struct core_upload *u);
/* At start-up, before any upload: remove the temporary files a crash
 * left in dir (a process killed mid-upload cannot remove its own).
 * *removed counts them. SD_OK if dir does not exist yet. */
enum sd_rc core_upload_sweep(const char *dir, size_t *removed) SD_MUSTCHECK;

/*
 * core_request_create() and core_request_reply() with files[0..nfiles)
 * (each finished, at most SD_ATTACH_MAX) attached to the new message in
 * the same transaction; on success each upload is marked kept (its file
 * stays when it is freed). SD_ESTATE if one is not finished. Called
 * outside a transaction (the web's handlers): inside a caller's, a
 * rollback after this call's release would leave kept files that no row
 * names.
 */
enum sd_rc core_request_create_files(struct db *db, const struct core_env *env,
    const struct core_actor *actor, int dept, enum core_priority prio,
    const char *title, const char *body, enum core_channel chan,
    struct core_upload *const *files, size_t nfiles, int64_t *tracking,
    char err[SD_ERRLEN]) SD_MUSTCHECK;
enum sd_rc core_request_reply_files(struct db *db, const struct core_env *env,
    const struct core_actor *actor, int64_t tracking, const char *body,
    enum core_channel chan, struct core_upload *const *files, size_t nfiles,
    int64_t *msg_id, char err[SD_ERRLEN]) SD_MUSTCHECK;

/* The attachments of request tracking for actor (the access check of
 * core_request_get()), by message then id. db_attachment_list_free(). */
enum sd_rc core_request_files(struct db *db, const struct core_actor *actor,
    int64_t tracking, struct db_attachment **rows, size_t *n) SD_MUSTCHECK;

/*
 * A request as its page shows it: the request, its thread (oldest first)
 * and its files (by message, then id), read for actor with one access
 * check (core_request_get()'s) in one snapshot (db_read_begin()).
 * core_request_view_fini() frees it, also after an error.
 */
struct core_request_view {
	struct db_request req;
	struct db_message *msgs;
	size_t n_msgs;
	struct db_attachment *files;
	size_t n_files;
};
enum sd_rc core_request_view(struct db *db, const struct core_actor *actor,
    int64_t tracking, struct core_request_view *out) SD_MUSTCHECK;
void core_request_view_fini(struct core_request_view *v);

/*
 * Attachment id for actor: only if actor may see its request (the
 * request's applicant, its department's staff, the head's office for an
 * escalated one, head, admin), else SD_ENOTFOUND exactly as for a missing
 * id. On success *fd is the stored file opened read-only in dir (the
 * caller closes it) and out a copy of its row (db_attachment_fini()).
 */
enum sd_rc core_file_open(struct db *db, const struct core_actor *actor,
    const char *dir, int64_t id, struct db_attachment *out,
    int *fd) SD_MUSTCHECK;

/* ---- One-tap links (core/link.c) ---------------------------------------- */

/* A token: 13 bytes (tracking 3, expiry day 2, MAC 8 binding the phone)
 * in base64url without padding (core/link.c). */
#define CORE_LINK_TOKEN_LEN 18

/*
 * A signed token for request tracking (<= 16777215) and the phone e164
 * (E.164, "+989131111111": signed, not carried) valid until the end of
 * the UTC day of expires, in out (CORE_LINK_TOKEN_LEN + 1 bytes). The key
 * is the database's "link_key" secret (made on first use). SD_EINVAL for
 * a tracking or phone that does not fit; a database error otherwise. Any
 * thread with its own db.
 */
enum sd_rc core_link_make(struct db *db, int64_t tracking, const char *e164,
    int64_t expires, char out[CORE_LINK_TOKEN_LEN + 1]) SD_MUSTCHECK;
/*
 * Check token at now: SD_OK with *tracking and e164 (the phone it was
 * made for: the request's applicant, one of its department's staff or
 * of the head's office) filled; SD_EINVAL if malformed, forged or for no
 * such request or phone (the MAC compared in constant time), SD_ESTATE
 * if expired. No access check: the caller opens the request as the
 * phone's user through core_request_get(). Any thread with its own db.
 */
enum sd_rc core_link_check(struct db *db, const char *token, int64_t now,
    int64_t *tracking, char e164[SD_MOBILE_LEN]) SD_MUSTCHECK;

/* ---- The applicant's escalation rule (core/request.c) ------------------- */

/* Whether the applicant may escalate a request now (SMS ESCALATE and the
 * web's «ارجاع به ریاست» button). */
enum core_esc_verdict {
	CORE_ESCV_OK = 0,   /* overdue and awaiting: they may */
	CORE_ESCV_AUTO,     /* [sla] escalation = auto: only the sweep */
	CORE_ESCV_ALREADY,  /* already escalated */
	CORE_ESCV_CLOSED,   /* closed */
	CORE_ESCV_ANSWERED, /* answered: nothing is late */
	CORE_ESCV_WAIT,     /* not yet due (*due says when) */
	CORE_ESCV_ERROR,    /* the due time could not be computed */
};

/* The rule for request r at now; *due gets its due time when computed
 * (else 0). Pure but for the calendar; any thread. */
enum core_esc_verdict core_request_may_escalate(const struct core_env *env,
    const struct db_request *r, int64_t now, int64_t *due);

/* ---- Texts of the request pages (core/texts.c, issue #13) ---------------- */

/* Labels, buttons and messages of /requests, /requests/new, /requests/N,
 * /requests/N/reply and /r/TOKEN, in the seed's wording. "%s" marks a
 * value (the page fills and escapes it). */
enum core_req_txt {
	CORE_RT_LIST_TITLE, /* درخواست‌های من */
	CORE_RT_NEW_LINK,   /* ارسال درخواست جدید */
	CORE_RT_TRACKING,   /* شماره رهگیری */
	CORE_RT_SUBJECT,    /* موضوع */
	CORE_RT_DEPT,       /* نوع درخواست */
	CORE_RT_STATUS,     /* وضعیت */
	CORE_RT_PRIO,       /* اولویت */
	CORE_RT_UPDATED,    /* آخرین تغییر */
	CORE_RT_LIST_EMPTY, /* no requests yet */
	CORE_RT_PREV,       /* previous page */
	CORE_RT_NEXT,       /* next page */
	CORE_RT_PAGE,       /* page %s */
	CORE_RT_NEW_TITLE,  /* the new-request page's title */
	CORE_RT_NEW_INTRO, /* جهت ارسال ... مراحل زیر را طی فرمایید. */
	CORE_RT_STEP1,      /* مرحله یک: ... */
	CORE_RT_STEP1_HELP, /* نوع درخواست مشخص کننده ... */
	CORE_RT_CHOOSE,     /* -- انتخاب کنید -- */
	CORE_RT_STEP2,      /* مرحله دو: ... */
	CORE_RT_STEP2_HELP, /* می‌توانید بر اساس ... */
	CORE_RT_STEP3,      /* مرحله سه: ... */
	CORE_RT_STEP3_HELP, /* عنوان و محتوای درخواست خود را بنویسید. */
	CORE_RT_TITLE_LABEL, /* عنوان درخواست */
	CORE_RT_TITLE_HINT, /* عنوان درخواست را اینجا بنویسید */
	CORE_RT_BODY_LABEL, /* درخواست خود را اینجا بنویسید */
	CORE_RT_STEP4,       /* مرحله چهار: ... */
	CORE_RT_STEP4_HELP,  /* در صورتی که ... */
	CORE_RT_FILES_NOTE,  /* %s files, %s MB each, the allowed types */
	CORE_RT_FILES_LABEL, /* فایل‌های پیوست */
	CORE_RT_STEP5,       /* مرحله پنج: ارسال درخواست */
	CORE_RT_STEP5_HELP, /* جهت ارسال درخواست بر روی دکمه ... */
	CORE_RT_SEND,        /* ارسال درخواست (button) */
	CORE_RT_ERR_DEPT,    /* no department chosen */
	CORE_RT_ERR_PRIO,    /* no priority chosen */
	CORE_RT_ERR_TITLE,   /* title empty, too long or not text */
	CORE_RT_ERR_BODY,    /* body empty, too long or not text */
	CORE_RT_FILES_AGAIN, /* the form kept, files to be chosen again */
	CORE_RT_ERR_STORE,   /* database busy: try again */
	CORE_RT_SENT_AT, /* ارسال شده در تاریخ %s ساعت %s */
	CORE_RT_BY,      /* توسط: %s */
	CORE_RT_BY_YOU,  /* توسط: شما */
	CORE_RT_FILE_NAME,    /* نام فایل: %s */
	CORE_RT_FILE_TYPE,    /* نوع فایل : %s */
	CORE_RT_FILE_LINK,    /* لینک دانلود : */
	CORE_RT_DOWNLOAD,     /* دانلود */
	CORE_RT_MSG_TRACKING, /* رهگیری: %s */
	CORE_RT_NEED_REPLY, /* آیا نیاز به ارسال پاسخ دارید؟ */
	CORE_RT_NEED_REPLY2, /* با استفاده از دکمه ... */
	CORE_RT_REPLY_BTN, /* ارسال پاسخ جدید به این درخواست */
	CORE_RT_REPLY_LABEL,  /* the follow-up's text field */
	CORE_RT_ESC_BTN,      /* ارجاع به ریاست */
	CORE_RT_ESC_NOTE,     /* why the button is there */
	CORE_RT_ESC_DONE,     /* escalated: the head's office has it */
	CORE_RT_ESC_WAIT,     /* not yet: from %s on */
	CORE_RT_ESC_NO,       /* not possible now (closed, answered, auto) */
	CORE_RT_CLOSED,       /* closed: no follow-up */
	CORE_RT_LINK_SIGNIN,  /* read-only: sign in to reply or attach */
	CORE_RT_LINK_EXPIRED, /* the link's time is over: sign in */
	CORE_RT_SIGNIN,       /* ورود به سامانه */
	CORE_RT_BACK,         /* back to the request */
	CORE_RT_COUNT
};

/* The text id; "?" out of range. Static. Any thread. */
const char *core_req_txt(enum core_req_txt id);

/* ---- issue #14: staff admin, overview, reminders (core/staffadm.c,
 * core/overview.c, core/reminder.c, core/staffadm_texts.c) ---- */

/* True if actor may manage staff: the CLI, or a person whose stored role
 * is admin and who is not disabled. */
bool core_staff_may_admin(struct db *db, const struct core_actor *actor);

/*
 * Disable (or enable again) staff member id for actor (an admin or the
 * CLI; anyone else SD_ENOTFOUND, as for a missing user). A disabled user
 * cannot sign in, and every session of theirs is deleted in the same
 * transaction (they end at once). Only staff roles (staff, head, admin):
 * an applicant is SD_EINVAL; an admin cannot disable themself (SD_EPERM).
 * Audit "user.disable" / "user.enable" on "user:ID".
 */
enum sd_rc core_staff_set_disabled(struct db *db,
    const struct core_actor *actor, int64_t id, bool disabled,
    char err[SD_ERRLEN]) SD_MUSTCHECK;

/*
 * Edit staff member id for actor (as core_staff_set_disabled()): names,
 * title and role (staff, head or admin) cleaned and checked as by
 * core_user_add(), and departments (codes, replacing the old set; staff
 * need at least one). One transaction, audit "user.edit". An admin
 * cannot take the admin role from themself (SD_EPERM).
 */
enum sd_rc core_staff_edit(struct db *db, const struct core_actor *actor,
    int64_t id, const char *first, const char *last, enum core_role role,
    const char *title, const int *depts, size_t n_depts,
    char err[SD_ERRLEN]) SD_MUSTCHECK;

/* Whether user id may hold a session or sign in: exists and is not
 * disabled. */
bool core_user_active(struct db *db, int64_t id);

/*
 * The one-working-day reminder (issue #14): every awaiting request whose
 * deadline (core_request_due()) is one working day away (now >=
 * core_calendar_due(waiting_since, answer_days - 1) and now < deadline)
 * and whose waiting period was not reminded of yet (requests.reminded !=
 * waiting_since) is listed in ONE SMS to each active staff member of its
 * department with alerts on (a digest: tracking numbers and shortened
 * titles, within four SMS parts, and a link to BASE/staff), and marked
 * reminded, all in one transaction: a second run or a restart sends nothing
 * twice. Runs only in office hours (env->cal) and outside quiet hours; nothing
 * with CORE_FX_NONE or without a calendar or [sla]. *sent counts the
 * SMS, *reminded the requests marked. Called by serve's minute timer
 * next to core_sla_sweep(), and by `smsdesk sla sweep`.
 */
enum sd_rc core_reminder_sweep(struct db *db, const struct core_env *env,
    size_t *sent, size_t *reminded, char err[SD_ERRLEN]) SD_MUSTCHECK;

/* The head's overview. */
#define CORE_OV_DEPTS 100 /* department codes 1..99 */
#define CORE_OV_ESC_MAX 200
struct core_overview {
	int64_t counts[CORE_OV_DEPTS][3]; /* [dept][status] */
	int64_t overdue[CORE_OV_DEPTS];   /* awaiting and past due */
	int64_t overdue_total;
	struct db_ov_req *esc; /* escalated, not closed, newest first */
	size_t n_esc;
	size_t n_first;   /* requests of the last 30 days answered */
	int64_t median_s; /* first answer, office seconds (n_first > 0) */
	int64_t p90_s;    /* its 90th percentile (nearest rank) */
	struct db_ov_staff *staff; /* answers per staff member, 30 days */
	size_t n_staff;
	struct db_dept *depts; /* every department, for names */
	size_t n_depts;
};
/* The overview at now for actor (head or admin; anyone else
 * SD_ENOTFOUND), read in one snapshot. core_overview_fini() always. */
enum sd_rc core_overview_get(struct db *db, const struct core_env *env,
    const struct core_actor *actor, int64_t now,
    struct core_overview *out) SD_MUSTCHECK;
void core_overview_fini(struct core_overview *o);
/* The name of department code in o ("?" if unknown). */
const char *core_overview_dept(const struct core_overview *o, int code);

/* Append s to out as one CSV cell (RFC 4180: quoted when it holds a comma,
 * quote, CR or LF, quotes doubled) made safe for spreadsheets: a cell
 * starting with = + - @ (or TAB, CR) gets a leading apostrophe. */
struct sd_buf;
enum sd_rc core_csv_cell(struct sd_buf *out, const char *s) SD_MUSTCHECK;
/* "1405/09/16 10:20" (Tehran, ASCII digits) of utc into out; "?" on
 * failure. */
const char *core_jalali_short(int64_t utc, char out[SD_JALALI_LEN]);
/* Write every request as CSV (UTF-8 with BOM, CRLF lines, a header row)
 * to fd for actor (head or admin; else SD_ENOTFOUND): tracking, title,
 * department, status, priority, applicant, mobile, created, last update
 * (Jalali), escalated. */
enum sd_rc core_overview_csv(struct db *db, const struct core_actor *actor,
    int fd) SD_MUSTCHECK;

/* Texts of the admin pages, the overview and the reminder SMS
 * (core/staffadm_texts.c). */
enum core_sa_txt {
	CORE_SA_STAFF_TITLE,
	CORE_SA_NAME,
	CORE_SA_FIRST,
	CORE_SA_LAST,
	CORE_SA_MOBILE,
	CORE_SA_ROLE,
	CORE_SA_JOB_TITLE,
	CORE_SA_DEPTS,
	CORE_SA_STATE,
	CORE_SA_ACTIVE,
	CORE_SA_DISABLED,
	CORE_SA_EDIT,
	CORE_SA_ADD_TITLE,
	CORE_SA_ADD_BTN,
	CORE_SA_SAVE_BTN,
	CORE_SA_DISABLE_BTN,
	CORE_SA_ENABLE_BTN,
	CORE_SA_ADDED,
	CORE_SA_SAVED,
	CORE_SA_DISABLED_OK,
	CORE_SA_ENABLED_OK,
	CORE_SA_ERR_FIELDS,
	CORE_SA_ERR_MOBILE_TAKEN,
	CORE_SA_ERR_SELF,
	CORE_SA_BACK,
	CORE_SA_OV_TITLE,
	CORE_SA_OV_BY_DEPT,
	CORE_SA_OV_DEPT,
	CORE_SA_OV_TOTAL,
	CORE_SA_OV_OVERDUE,
	CORE_SA_OV_ESCALATED,
	CORE_SA_OV_NONE,
	CORE_SA_OV_FIRST,
	CORE_SA_OV_MEDIAN,
	CORE_SA_OV_P90,
	CORE_SA_OV_COUNT,
	CORE_SA_OV_STAFF,
	CORE_SA_OV_ANSWERS,
	CORE_SA_OV_CSV,
	CORE_SA_HOURS,
	CORE_SA_CSV_HEAD,
	CORE_SA_YES,
	CORE_SA_NO,
	CORE_SA_REMIND_HEAD,
	CORE_SA_REMIND_MORE,
	CORE_SA_STAFF_FIRST,
	CORE_SA_COUNT
};
const char *core_sa_txt(enum core_sa_txt id);

/* ---- issue #14: staff request page and actions (core/staff.c) ---- */

/* Limits of a transfer's reason and a canned answer's title (bytes). */
#define CORE_STAFF_REASON_MAX 500
#define CORE_CANNED_TITLE_MAX 200
/* Department codes a staff member may have (codes are 1..99). */
#define CORE_STAFF_DEPTS_MAX 99

/*
 * The staff rule on top of core_request_get()'s access check: actor acts
 * on request tracking as staff if it is staff of the request's
 * department, of the head's office (CORE_DEPT_HEAD) for an escalated
 * one, the head or an admin, and not the request's applicant (their own
 * request is the applicant's side). SD_ENOTFOUND otherwise, exactly as
 * for a missing request (an applicant's too); SD_EINVAL for an actor
 * that is no person (system, cli, zeroed) or has no id. out is filled on SD_OK
 * (db_request_fini()).
 */
enum sd_rc core_staff_request(struct db *db, const struct core_actor *actor,
    int64_t tracking, struct db_request *out) SD_MUSTCHECK;

/*
 * Each action: the staff rule above, one transaction, an audit row on
 * "request:N" (who, when, what). SD_ENOTFOUND for a request that is not
 * the actor's as staff, nothing changed.
 *
 * answer: core_request_reply_files() as actor (channel web): a message
 * with its files, «پاسخ داده شد», and the applicant's SMS alert queued in
 * its transaction. SD_ESTATE if closed.
 * close / reopen: core_request_set_status() inside the check's
 * transaction (closing alerts the applicant). SD_ESTATE if already so.
 * transfer: to department dept (dept_code and orig_dept; the assignment
 * cleared): the new department's staff see it, the old one's no longer
 * (unless it is escalated and they are the head's office). reason is
 * required (one line, <= CORE_STAFF_REASON_MAX) and kept in the audit
 * detail "from=A to=B reason=...". SD_EINVAL for no such or the same
 * department or no reason, SD_ESTATE if closed.
 * assign: to user_id, staff (not disabled) of the request's department;
 * 0 takes the assignment away. SD_EINVAL for anyone else.
 * note: an internal note (never shown to the applicant); *note_id (may
 * be NULL) its row.
 */
enum sd_rc core_staff_answer(struct db *db, const struct core_env *env,
    const struct core_actor *actor, int64_t tracking, const char *body,
    struct core_upload *const *files, size_t nfiles, int64_t *msg_id,
    char err[SD_ERRLEN]) SD_MUSTCHECK;
enum sd_rc core_staff_close(struct db *db, const struct core_env *env,
    const struct core_actor *actor, int64_t tracking,
    char err[SD_ERRLEN]) SD_MUSTCHECK;
enum sd_rc core_staff_reopen(struct db *db, const struct core_env *env,
    const struct core_actor *actor, int64_t tracking,
    char err[SD_ERRLEN]) SD_MUSTCHECK;
enum sd_rc core_staff_transfer(struct db *db, const struct core_env *env,
    const struct core_actor *actor, int64_t tracking, int dept,
    const char *reason, char err[SD_ERRLEN]) SD_MUSTCHECK;
enum sd_rc core_staff_assign(struct db *db, const struct core_actor *actor,
    int64_t tracking, int64_t user_id, char err[SD_ERRLEN]) SD_MUSTCHECK;
enum sd_rc core_staff_note(struct db *db, const struct core_actor *actor,
    int64_t tracking, const char *body, int64_t *note_id,
    char err[SD_ERRLEN]) SD_MUSTCHECK;

/*
 * A request as its staff page shows it, read for actor with the staff
 * rule in one snapshot: the request, its applicant, thread and files,
 * who it is assigned to, its internal notes, its history (the audit rows
 * of "request:N", oldest first), every SMS about it but one-time
 * passwords (no body), the staff it may be assigned to, its
 * department's canned answers, and its deadline (due, 0 unless
 * awaiting). core_staff_view_fini() frees it, also after an error.
 */
struct core_staff_view {
	struct db_request req;        /* the request */
	struct db_user applicant;     /* its applicant (if have_applicant) */
	bool have_applicant;          /* applicant was read */
	struct db_message *msgs;      /* the thread, oldest first */
	size_t n_msgs;                /* ... how many */
	struct db_attachment *files;  /* its files, by message then id */
	size_t n_files;               /* ... how many */
	int64_t assigned_to;          /* 0: nobody */
	struct db_staff_ref assignee; /* name and title when assigned */
	struct db_note *notes;        /* internal notes, oldest first */
	size_t n_notes;               /* ... how many */
	struct db_audit_row *history; /* audit rows of "request:N" */
	size_t n_history;             /* ... how many */
	struct db_sms_row *sms;       /* SMS about it, OTPs left out */
	size_t n_sms;                 /* ... how many */
	struct db_staff_ref *staff;   /* who it may be assigned to */
	size_t n_staff;               /* ... how many */
	struct db_canned *canned;     /* its department's canned answers */
	size_t n_canned;              /* ... how many */
	int64_t due;                  /* deadline, UTC seconds; 0 unless
					 awaiting */
};
enum sd_rc core_staff_view(struct db *db, const struct core_env *env,
    const struct core_actor *actor, int64_t tracking,
    struct core_staff_view *out) SD_MUSTCHECK;
void core_staff_view_fini(struct core_staff_view *v);

/* The departments actor works in as staff (head and admin: every one),
 * ascending, at most max. SD_ENOTFOUND for an applicant or a stored
 * role that does not back the kind, SD_EINVAL for no person. */
enum sd_rc core_staff_depts(struct db *db, const struct core_actor *actor,
    int *codes, size_t max, size_t *n) SD_MUSTCHECK;

/*
 * Canned answers: a department's are listed, added, edited and deleted
 * by its staff (head and admin: any department's). Anything else is
 * SD_ENOTFOUND, as a missing one. Title: one line, <=
 * CORE_CANNED_TITLE_MAX, unique in its department (SD_EEXIST); body as a
 * message's. Each change one transaction with an audit row on
 * "canned:ID". core_canned_list with dept 0: those of every department
 * of the actor.
 */
enum sd_rc core_canned_list(struct db *db, const struct core_actor *actor,
    int dept, struct db_canned **rows, size_t *n) SD_MUSTCHECK;
enum sd_rc core_canned_get(struct db *db, const struct core_actor *actor,
    int64_t id, struct db_canned *out) SD_MUSTCHECK;
/* Canned answer id for the answer box of request tracking: the staff
 * rule on the request (core_staff_request()) and id of the request's
 * department; SD_ENOTFOUND otherwise. */
enum sd_rc core_canned_for_request(struct db *db,
    const struct core_actor *actor, int64_t tracking, int64_t id,
    struct db_canned *out) SD_MUSTCHECK;
enum sd_rc core_canned_add(struct db *db, const struct core_actor *actor,
    int dept, const char *title, const char *body, int64_t *id,
    char err[SD_ERRLEN]) SD_MUSTCHECK;
enum sd_rc core_canned_edit(struct db *db, const struct core_actor *actor,
    int64_t id, const char *title, const char *body,
    char err[SD_ERRLEN]) SD_MUSTCHECK;
enum sd_rc core_canned_delete(struct db *db, const struct core_actor *actor,
    int64_t id, char err[SD_ERRLEN]) SD_MUSTCHECK;

/* The staff pages' Persian texts (core/texts_staff.c). */
enum core_staff_txt {
	CORE_ST_TRACKING,
	CORE_ST_DEPT,
	CORE_ST_STATUS,
	CORE_ST_PRIO,
	CORE_ST_DUE,
	CORE_ST_NO_DUE,
	CORE_ST_ASSIGNED,
	CORE_ST_NOBODY,
	CORE_ST_APPLICANT,
	CORE_ST_NAME,
	CORE_ST_MOBILE,
	CORE_ST_USER_TYPE,
	CORE_ST_NOT_GIVEN,
	CORE_ST_THREAD,
	CORE_ST_ANSWER,
	CORE_ST_ANSWER_LABEL,
	CORE_ST_ANSWER_BTN,
	CORE_ST_CANNED_PICK,
	CORE_ST_CANNED_NONE,
	CORE_ST_CANNED_INSERT,
	CORE_ST_CANNED_MANAGE,
	CORE_ST_CLOSE_BTN,
	CORE_ST_REOPEN_BTN,
	CORE_ST_CLOSED,
	CORE_ST_TRANSFER,
	CORE_ST_TRANSFER_TO,
	CORE_ST_REASON,
	CORE_ST_TRANSFER_BTN,
	CORE_ST_FROM_TO,
	CORE_ST_ASSIGN,
	CORE_ST_ASSIGN_NONE,
	CORE_ST_ASSIGN_BTN,
	CORE_ST_NOTES,
	CORE_ST_NOTES_HINT,
	CORE_ST_NOTES_EMPTY,
	CORE_ST_NOTE_LABEL,
	CORE_ST_NOTE_BTN,
	CORE_ST_HISTORY,
	CORE_ST_WHEN,
	CORE_ST_WHO,
	CORE_ST_WHAT,
	CORE_ST_SYSTEM,
	CORE_ST_SMS,
	CORE_ST_SMS_EMPTY,
	CORE_ST_SMS_KIND,
	CORE_ST_SMS_TO,
	CORE_ST_SMS_CREATED,
	CORE_ST_SMS_UPDATED,
	CORE_ST_KIND_ALERT,
	CORE_ST_KIND_REPLY,
	CORE_ST_KIND_USSD,
	CORE_ST_OUT_QUEUED,
	CORE_ST_OUT_SUBMITTED,
	CORE_ST_OUT_ACCEPTED,
	CORE_ST_OUT_DELIVERED,
	CORE_ST_OUT_UNDELIVERABLE,
	CORE_ST_OUT_EXPIRED,
	CORE_ST_OUT_FAILED,
	CORE_ST_ACT_CREATE,
	CORE_ST_ACT_ANSWER,
	CORE_ST_ACT_FOLLOWUP,
	CORE_ST_ACT_THANKS,
	CORE_ST_ACT_CLOSE,
	CORE_ST_ACT_REOPEN,
	CORE_ST_ACT_ESCALATE,
	CORE_ST_ACT_TRANSFER,
	CORE_ST_ACT_ASSIGN,
	CORE_ST_ACT_NOTE,
	CORE_ST_MSG_ANSWERED,
	CORE_ST_MSG_CLOSED,
	CORE_ST_MSG_REOPENED,
	CORE_ST_MSG_TRANSFERRED,
	CORE_ST_MSG_ASSIGNED,
	CORE_ST_MSG_NOTED,
	CORE_ST_MSG_STATE,
	CORE_ST_MSG_BAD_TRANSFER,
	CORE_ST_MSG_BAD_ASSIGN,
	CORE_ST_MSG_BAD_NOTE,
	CORE_ST_MSG_BAD_ANSWER,
	CORE_ST_MSG_STORE,
	CORE_ST_CANNED_TITLE,
	CORE_ST_CANNED_EMPTY,
	CORE_ST_CANNED_ADD,
	CORE_ST_CANNED_NAME,
	CORE_ST_CANNED_TEXT,
	CORE_ST_CANNED_SAVE,
	CORE_ST_CANNED_DELETE,
	CORE_ST_MSG_CANNED_ADDED,
	CORE_ST_MSG_CANNED_SAVED,
	CORE_ST_MSG_CANNED_DELETED,
	CORE_ST_MSG_CANNED_DUP,
	CORE_ST_MSG_CANNED_BAD,
	CORE_ST_BACK,
	CORE_ST_COUNT
};
/* The text id; "?" out of range. Static. Any thread. */
const char *core_staff_txt(enum core_staff_txt id);

/* ---- issue #14: staff inbox (helper S2) -------------------------------- */

/*
 * Office time between from and to in seconds (core/calendar.c): the
 * office hours of working days ([sla] office_hours, a half Thursday's
 * thursday_hours, holidays off) that lie between them, counted as
 * core_calendar_due() counts them. Negative when to < from, so the time
 * left before a deadline is core_calendar_work_s(cal, now, due), below 0
 * once it has passed. SD_ETOOBIG past ten years. Any thread.
 */
enum sd_rc core_calendar_work_s(const struct core_calendar *c, int64_t from,
    int64_t to, int64_t *secs) SD_MUSTCHECK;
/* Office seconds between from and to as core_calendar_work_s() counts
 * them, but 0 if to <= from, and wall seconds without a calendar (cal
 * NULL) or past its ten years (the inbox's time left, the overview). */
int64_t core_calendar_office_s(const struct core_calendar *cal, int64_t from,
    int64_t to);
/* A hash of what deadlines are counted from: office hours and every
 * holiday (the file's and the table's). Any thread. */
uint64_t core_calendar_fingerprint(const struct core_calendar *c);

/* The inbox's search box, parsed (core_inbox_search_parse()). */
enum core_isearch {
	CORE_ISEARCH_NONE,     /* empty: no search */
	CORE_ISEARCH_TRACKING, /* a tracking number */
	CORE_ISEARCH_MOBILE,   /* an applicant's mobile */
	CORE_ISEARCH_WORDS,    /* words of the subject or first message */
	CORE_ISEARCH_NOTHING,  /* digits that are neither: finds nothing */
};
struct core_inbox_search {
	enum core_isearch kind;
	int64_t tracking;           /* TRACKING */
	char mobile[SD_MOBILE_LEN]; /* MOBILE, E.164 */
	const char *words;          /* WORDS: into the text parsed */
};
/* Parse q (NULL or as typed: Persian digits, spaces and dashes between
 * digits allowed): see core/inbox_staff.c. SD_ETOOBIG past
 * DB_FTS_QUERY_MAX bytes of words. Pure; any thread. */
enum sd_rc core_inbox_search_parse(const char *q,
    struct core_inbox_search *out) SD_MUSTCHECK;

/* Rows of an inbox page, and the pages one may ask for. */
#define CORE_INBOX_PER_PAGE 25
#define CORE_INBOX_PAGES_MAX 4000

struct core_inbox_query {
	int status;    /* enum core_status, DB_SINBOX_ANY or _OPEN */
	int prio;      /* enum core_priority, -1 any */
	int dept;      /* a department code, 0 any */
	bool overdue;  /* only overdue ones */
	bool mine;     /* only those assigned to the actor */
	const char *q; /* the search box, NULL or "" none */
	size_t page;   /* from 1 (0 is 1; past CORE_INBOX_PAGES_MAX the
			  last) */
	int64_t now;   /* 0: sd_clock_now() */
};
struct core_inbox_page {
	struct db_sinbox_row *rows; /* this page's */
	size_t n;
	int64_t total;            /* rows of every page */
	size_t page, per_page;    /* the page shown (clamped) */
	int64_t now;              /* the instant "overdue" was judged at */
	enum core_isearch search; /* what the search box was taken for */
};

/*
 * The inbox page q asks for, of the requests actor may see (staff: their
 * departments', and the escalated ones in the head's office; head and
 * admin: all), in the order of db_sinbox_page(). SD_ENOTFOUND for an
 * actor who is not staff, head or admin by their stored role. *out is
 * the caller's (core_inbox_page_fini()). Any thread.
 */
enum sd_rc core_inbox_staff(struct db *db, const struct core_actor *actor,
    const struct core_inbox_query *q, struct core_inbox_page *out) SD_MUSTCHECK;
void core_inbox_page_fini(struct core_inbox_page *p);

/*
 * Keep requests.due for awaiting requests that have none (rows from
 * before schema 15, or written without it): core_request_due() from
 * their waiting_since, in batches, each its own transaction. Idempotent:
 * a row with a due, or changed meanwhile, is left alone. *filled: how
 * many got one. Run at `serve` start and by `sla sweep`.
 */
enum sd_rc core_request_due_fill(struct db *db, const struct core_env *env,
    size_t *filled) SD_MUSTCHECK;
/*
 * Due times are counted from the working calendar and [sla] answer_days:
 * when either differs from what the stored due times were counted with
 * (the database's "due_basis": a holiday imported, office hours or
 * answer_days changed across a restart), every waiting request's due time
 * is forgotten (*cleared of them) for core_request_due_fill() to count
 * again, and the new basis stored, in one transaction. Cheap when nothing
 * changed (one read). Run before core_request_due_fill().
 */
enum sd_rc core_request_due_rebase(struct db *db, const struct core_env *env,
    size_t *cleared) SD_MUSTCHECK;

/* The staff inbox's Persian texts (core/texts_inbox.c). */
enum core_inbox_txt {
	CORE_IT_TITLE,    /* کارتابل: the page and the header's link */
	CORE_IT_FILTERS,  /* the filter form's heading */
	CORE_IT_STATUS,   /* وضعیت */
	CORE_IT_ST_OPEN,  /* awaiting or answered */
	CORE_IT_ANY,      /* همه */
	CORE_IT_PRIO,     /* اولویت */
	CORE_IT_DEPT,     /* واحد */
	CORE_IT_OVERDUE,  /* only overdue */
	CORE_IT_MINE,     /* only assigned to me */
	CORE_IT_Q,        /* the search box's label */
	CORE_IT_APPLY,    /* the form's button */
	CORE_IT_TRACKING, /* columns: */
	CORE_IT_SUBJECT,
	CORE_IT_APPLICANT,
	CORE_IT_DUE,
	CORE_IT_LEFT,
	CORE_IT_PAST,      /* گذشته: the deadline has passed */
	CORE_IT_REMINDED,  /* یادآوری شد */
	CORE_IT_ESCALATED, /* ارجاع به ریاست */
	CORE_IT_H_M,       /* %s ساعت و %s دقیقه */
	CORE_IT_H,         /* %s ساعت */
	CORE_IT_M,         /* %s دقیقه */
	CORE_IT_UNDER_M,   /* under a minute */
	CORE_IT_NO_DUE,    /* not waiting: no deadline */
	CORE_IT_EMPTY,     /* nothing found */
	CORE_IT_TOTAL,     /* %s درخواست */
	CORE_IT_PREV,
	CORE_IT_NEXT,
	CORE_IT_PAGE,    /* صفحه %s از %s */
	CORE_IT_Q_LONG,  /* the search text is too long */
	CORE_IT_DATE_AT, /* %s ساعت %s: a date and a time */
	CORE_IT_COUNT
};
/* The text id; "?" out of range. Static. Any thread. */
const char *core_inbox_txt(enum core_inbox_txt id);
/* ascii with its digits as Persian digits into out (cap bytes, cut
 * short if need be). Returns out. (core/text.c) */
const char *core_fa_digits(const char *ascii, char *out, size_t cap);
/* v in Persian digits («۱۲»), as core_fa_digits(). Returns out. */
const char *core_fa_number(long long v, char *out, size_t cap);

#endif
