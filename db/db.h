/*
 * db/db.h: the SQLite store of smsdesk, its one public header.
 *
 * db/ is the only place with SQL. The database runs in WAL mode with
 * foreign keys on and a busy timeout; the schema is versioned with
 * PRAGMA user_version and migrated at open. Every statement is prepared
 * once per connection and bound, never built from strings.
 *
 * Threads: a struct db is one connection and belongs to one thread. Each
 * thread opens its own. Write transactions start with BEGIN IMMEDIATE so
 * two writers queue on the busy timeout instead of failing mid-way.
 *
 * Rows returned are copies owned by the caller; free them with the
 * matching _fini / _free.
 */
#ifndef SMSDESK_DB_DB_H
#define SMSDESK_DB_DB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/base/conf.h"
#include "core/base/rc.h"
#include "core/model.h"

struct db;

/* ---- Configuration: section [db] --------------------------------------- */

struct db_config {
	char path[SD_CONF_VALUE_MAX]; /* SQLite file */
	int synchronous;              /* index: 0 full, 1 normal */
	long busy_timeout_ms;         /* wait for a lock this long */
};

/* The [db] key table (terminated by name == NULL). */
extern const struct sd_conf_key db_config_keys[];

/* ---- Connection -------------------------------------------------------- */

/*
 * Open (creating if needed) the database at cfg->path, set WAL, foreign
 * keys, busy_timeout and synchronous, and apply pending migrations.
 * ":memory:" works for tests. On failure returns SD_EIO / SD_EINVAL with a
 * reason in err and *out is NULL. The caller owns *out (db_close()).
 */
enum sd_rc db_open(const struct db_config *cfg, struct db **out,
    char err[SD_ERRLEN]) SD_MUSTCHECK;

/* As db_open() but without migrating: for "smsdesk db migrate", which
 * reports the versions itself. */
enum sd_rc db_open_nomigrate(const struct db_config *cfg, struct db **out,
    char err[SD_ERRLEN]) SD_MUSTCHECK;

/* Close the connection (finalizing statements). db_close(NULL) is a no-op. */
void db_close(struct db *db);

/* Latest schema version this build knows. */
int db_schema_latest(void);

/*
 * Apply pending migrations, each in its own transaction. *from and *to
 * (either may be NULL) receive the version before and after. Applying
 * twice is a no-op. A database newer than this build is SD_ESTATE.
 */
enum sd_rc db_migrate(struct db *db, int *from, int *to,
    char err[SD_ERRLEN]) SD_MUSTCHECK;

/* Current PRAGMA user_version. */
enum sd_rc db_schema_version(struct db *db, int *version) SD_MUSTCHECK;

/*
 * BEGIN IMMEDIATE / COMMIT / ROLLBACK, nesting: inside an open
 * transaction db_begin() sets a savepoint, db_commit() keeps what followed
 * it and db_rollback() undoes only that, so a domain function with its own
 * transaction can run inside a larger batch. Nothing is durable before
 * the outermost commit. db_rollback never fails visibly. A failed
 * db_commit leaves its level open (as SQLite leaves a failed COMMIT):
 * the caller must db_rollback() it, or the levels above go wrong. A
 * transaction left open by a ROLLBACK that failed is rolled back by the
 * next outermost db_begin().
 */
enum sd_rc db_begin(struct db *db) SD_MUSTCHECK;
enum sd_rc db_commit(struct db *db) SD_MUSTCHECK;
void db_rollback(struct db *db);
/* True inside db_begin() .. db_commit()/db_rollback(). */
bool db_in_transaction(const struct db *db);

/*
 * One snapshot for several reads (a page, a view of a request): a
 * deferred BEGIN, so the statements up to the matching db_read_end() see
 * one state of the database and SQLite takes and drops its file and WAL
 * locks once instead of once per statement (half the CPU time of a page
 * was spent there). Nests; a no-op inside db_begin(). A db_begin() in
 * between ends the snapshot first (the write sees the newest data, and
 * the reads after it autocommit until the outermost db_read_end()). A
 * write statement outside db_begin() must not run inside it: it could
 * fail with SQLITE_BUSY_SNAPSHOT instead of waiting. db_read_end() never
 * fails visibly (a read has nothing to lose).
 */
enum sd_rc db_read_begin(struct db *db) SD_MUSTCHECK;
void db_read_end(struct db *db);

/*
 * Checkpoint the WAL into the database file; with truncate, also cut the
 * WAL to zero bytes (PRAGMA wal_checkpoint(TRUNCATE)), so what earlier
 * transactions wrote (e.g. an OTP text since masked) leaves the WAL.
 * SD_EBUSY when a reader or writer kept it from completing (try later).
 * Not inside a transaction. Any thread, on its own connection.
 */
enum sd_rc db_checkpoint(struct db *db, bool truncate) SD_MUSTCHECK;

/* The last SQLite error message of this connection (borrowed, valid until
 * the next call on db). */
const char *db_errmsg(struct db *db);

/* ---- Departments ------------------------------------------------------- */

struct db_dept {
	int code;               /* 1..17, the SMS/USSD code */
	char *name;             /* full Persian name */
	char *short_name;       /* one word, for SMS lists */
	bool alert_very_urgent; /* SMS staff on very urgent requests */
};

void db_dept_fini(struct db_dept *d);
void db_dept_list_free(struct db_dept *rows, size_t n);
/* The department with code; SD_ENOTFOUND if none. */
enum sd_rc db_dept_get(struct db *db, int code,
    struct db_dept *out) SD_MUSTCHECK;
/* All departments by code. */
enum sd_rc db_dept_list(struct db *db, struct db_dept **rows,
    size_t *n) SD_MUSTCHECK;

/* ---- Official holidays (db/holiday.c) ---------------------------------- */

struct db_holiday {
	char jdate[16]; /* "YYYY/MM/DD" */
	char *name;     /* a leading '?': computed, to be checked */
};

void db_holiday_list_free(struct db_holiday *rows, size_t n);
/* The holidays of Jalali year (0: all years) by date, SD_HOLIDAYS_MAX at
 * most. */
enum sd_rc db_holiday_list(struct db *db, int year, struct db_holiday **rows,
    size_t *n) SD_MUSTCHECK;
/* Delete Jalali year's holidays (inside the caller's transaction). */
enum sd_rc db_holiday_clear_year(struct db *db, int year) SD_MUSTCHECK;
/* Insert or replace the holiday on jdate. */
enum sd_rc db_holiday_put(struct db *db, const char *jdate,
    const char *name) SD_MUSTCHECK;

/* ---- Users and staff membership ---------------------------------------- */

struct db_user {
	int64_t id;                 /* row id, > 0 */
	char mobile[SD_MOBILE_LEN]; /* E.164 */
	char *first;                /* first name */
	char *last;                 /* last name */
	char *title;                /* staff role title, "" for applicants */
	char *user_type;            /* نوع کاربری, "" if not given */
	enum core_role role;        /* what the user may do */
	bool verified;              /* mobile proven by OTP or MO */
	int64_t created;            /* UTC seconds */
	bool alerts_off;            /* STOP: no alerts (OTPs and answers to
				       the user's own commands still go) */
	bool disabled;              /* a staff member who may no longer sign
				       in (schema 14); read only */
};

void db_user_fini(struct db_user *u);
void db_user_list_free(struct db_user *rows, size_t n);
/* Insert u (id and created are ignored; created = now). SD_EEXIST if the
 * mobile is taken. */
enum sd_rc db_user_insert(struct db *db, const struct db_user *u,
    int64_t *id) SD_MUSTCHECK;
enum sd_rc db_user_get(struct db *db, int64_t id,
    struct db_user *out) SD_MUSTCHECK;
enum sd_rc db_user_by_mobile(struct db *db, const char *e164,
    struct db_user *out) SD_MUSTCHECK;
/* STOP / START: alerts off or on. SD_ENOTFOUND if no such user. */
enum sd_rc db_user_set_alerts(struct db *db, int64_t id, bool off) SD_MUSTCHECK;
/* The mobile is proven (an MO came from it, or an OTP). */
enum sd_rc db_user_set_verified(struct db *db, int64_t id) SD_MUSTCHECK;
/* Staff (any role but applicant) of department code, by id; disabled
 * ones (schema 14) left out: they get no alert and no link opens for
 * them. */
enum sd_rc db_staff_of_dept(struct db *db, int code, struct db_user **rows,
    size_t *n) SD_MUSTCHECK;
/* The head's office: users of role head, and staff (any role but
 * applicant) of department code (the head's, 17), by id; not the
 * disabled. */
enum sd_rc db_user_head_office(struct db *db, int code, struct db_user **rows,
    size_t *n) SD_MUSTCHECK;
/* Users with a role other than applicant, by last name. */
enum sd_rc db_user_list_staff(struct db *db, struct db_user **rows,
    size_t *n) SD_MUSTCHECK;
/* Add user to department code. SD_EEXIST if already a member;
 * SD_ENOTFOUND if the department does not exist. */
enum sd_rc db_staff_dept_add(struct db *db, int64_t user_id,
    int code) SD_MUSTCHECK;
/* The department codes of a staff member, ascending, at most max. */
enum sd_rc db_staff_depts(struct db *db, int64_t user_id, int *codes,
    size_t max, size_t *n) SD_MUSTCHECK;
/* *yes = user_id is a member of department code. */
enum sd_rc db_staff_in_dept(struct db *db, int64_t user_id, int code,
    bool *yes) SD_MUSTCHECK;

/* ---- Requests ---------------------------------------------------------- */

struct db_request {
	int64_t tracking; /* شماره رهگیری, from 10001, never reused */
	int64_t applicant_id;    /* owner */
	int dept;                /* department code */
	enum core_priority prio; /* priority */
	char *title;             /* title */
	enum core_status status; /* status */
	enum core_channel chan;  /* where it came from */
	int64_t created;         /* UTC seconds */
	int64_t updated;         /* UTC seconds of the last change */
	int64_t due;             /* SLA due time, UTC seconds, 0 = none */
	bool escalated;          /* also the head's office's (issue #11) */
	int orig_dept;           /* = dept (escalation keeps it) */
	int64_t waiting_since;   /* UTC seconds of the first applicant
				    message still unanswered: the SLA
				    deadline runs from it */
};

void db_request_fini(struct db_request *r);
void db_request_list_free(struct db_request *rows, size_t n);
/* Insert r (tracking ignored); *tracking gets the new number. */
enum sd_rc db_request_insert(struct db *db, const struct db_request *r,
    int64_t *tracking) SD_MUSTCHECK;
enum sd_rc db_request_get(struct db *db, int64_t tracking,
    struct db_request *out) SD_MUSTCHECK;
/* Mark escalated (its department stays). */
enum sd_rc db_request_escalate(struct db *db, int64_t tracking,
    int64_t now) SD_MUSTCHECK;
/* Requests awaiting an answer, never escalated, waiting since at or
 * before waiting_before: at most max, oldest first, after the row after
 * (NULL: from the start) in that order (the SLA sweep). */
struct db_request_age {
	int64_t tracking;
	int64_t waiting_since;
};
enum sd_rc db_request_awaiting(struct db *db, int64_t waiting_before,
    const struct db_request_age *after, size_t max, struct db_request_age *out,
    size_t *n) SD_MUSTCHECK;
/* Requests of applicant_id, newest first, at most limit. */
enum sd_rc db_request_list_by_applicant(struct db *db, int64_t applicant_id,
    size_t limit, struct db_request **rows, size_t *n) SD_MUSTCHECK;

/* Requests awaiting an answer in the departments of staff member
 * user_id (where they are, or were before an escalation), or in every
 * department if user_id is 0, at most limit: the soonest due first (by
 * due where it is kept, else by updated, which the SLA counts from), so
 * the longest overdue lead. */
enum sd_rc db_request_waiting_for(struct db *db, int64_t user_id, size_t limit,
    struct db_request **rows, size_t *n) SD_MUSTCHECK;

/* requests.staff_alert (schema 4). */
enum db_staff_alert {
	DB_STAFF_ALERT_NONE = 0, /* none due */
	DB_STAFF_ALERT_SENT = 1, /* the department's staff alerted at once */
	DB_STAFF_ALERT_HELD = 2, /* left for their digest */
};
/* Record how request tracking alerted its staff. */
enum sd_rc db_request_set_staff_alert(struct db *db, int64_t tracking,
    enum db_staff_alert a) SD_MUSTCHECK;
/* *n = requests created at or after since whose staff were alerted at
 * once (DB_STAFF_ALERT_SENT): of applicant_id if it is not 0, else of
 * department dept (the one they were sent to). */
enum sd_rc db_request_alerted_since(struct db *db, int64_t applicant_id,
    int dept, int64_t since, int64_t *n) SD_MUSTCHECK;
/* Staff members (ids, at most max) of the departments of held requests
 * (DB_STAFF_ALERT_HELD) still awaiting an answer, created at or after
 * since. */
enum sd_rc db_request_held_staff(struct db *db, int64_t since, int64_t *ids,
    size_t max, size_t *n) SD_MUSTCHECK;
/* Held requests still awaiting, created at or after since, with a
 * tracking number above after, of the departments of staff member
 * user_id: the tracking numbers, ascending, at most max. */
enum sd_rc db_request_held_for(struct db *db, int64_t user_id, int64_t after,
    int64_t since, int64_t *trackings, size_t max, size_t *n) SD_MUSTCHECK;

/* ---- Messages (a request's thread) ------------------------------------- */

struct db_message {
	int64_t id;                 /* row id */
	int64_t tracking;           /* the request */
	int64_t author_id;          /* the user who wrote it */
	enum core_role author_role; /* author's role when written */
	char *author_name;          /* "first last" when written */
	char *author_title;         /* staff role title when written, or "" */
	char *body;                 /* text */
	enum core_channel chan;     /* where it came from */
	int64_t created;            /* UTC seconds */
};

void db_message_fini(struct db_message *m);
void db_message_list_free(struct db_message *rows, size_t n);
/* Insert m (id ignored). */
enum sd_rc db_message_insert(struct db *db, const struct db_message *m,
    int64_t *id) SD_MUSTCHECK;
/* The latest staff (or head/admin) message of tracking; SD_ENOTFOUND if
 * none. out is filled with copies (db_message_fini()). */
enum sd_rc db_message_last_answer(struct db *db, int64_t tracking,
    struct db_message *out) SD_MUSTCHECK;
/* The thread of tracking, oldest first. */
enum sd_rc db_message_list(struct db *db, int64_t tracking,
    struct db_message **rows, size_t *n) SD_MUSTCHECK;

/* ---- Outbox: every outbound message, stored before it is sent -------- */

/* A message to queue. */
struct db_outbox_new {
	enum core_out_kind kind; /* otp, alert, reply, ussd */
	int priority;            /* 0 first; see core_out_priority() */
	const char *destination; /* E.164 or the MO's source as received */
	const char *body;        /* UTF-8 text */
	int64_t tracking;        /* the request it is about, 0 if none */
	int64_t not_before;      /* UTC seconds, 0 = now */
	int64_t expires;         /* UTC seconds, 0 = never (OTPs expire) */
	bool receipt;            /* ask for a delivery receipt */
	int ussd_session;        /* its_session_info to echo, -1 if none */
	bool ussd_end; /* USSD: the dialogue's last screen (false: it waits
			  for the user's answer) */
};

/* A stored outbound message. */
struct db_outbox_row {
	int64_t id;                    /* row id: the local message id */
	enum core_out_kind kind;       /* what it is */
	int priority;                  /* 0 first */
	char destination[SD_ADDR_LEN]; /* where it goes */
	char *body;                    /* text */
	int64_t tracking;              /* request, 0 if none */
	int64_t not_before;            /* UTC seconds */
	int64_t expires;               /* UTC seconds, 0 = never */
	int attempts;                  /* times handed to a transport */
	enum core_out_state state;     /* where it is */
	char smsc_id[SD_MSGID_LEN];    /* SMSC id of part 1, "" if none */
	char *reason;                  /* last failure, "" if none */
	int64_t created;               /* UTC seconds */
	int64_t created_ms;            /* UTC milliseconds */
	int64_t updated;               /* UTC seconds */
	int parts;                     /* parts the SMSC accepted */
	enum core_out_route route;     /* the transport it last went by */
	bool receipt;                  /* a receipt was asked for */
	int ussd_session;              /* -1 if not USSD */
	bool ussd_end;                 /* USSD: the dialogue's last screen */
};

void db_outbox_row_fini(struct db_outbox_row *r);
void db_outbox_rows_free(struct db_outbox_row *rows, size_t n);

/*
 * The outbox's transition table (db/outbox.c): true if a row in state
 * from may move to state to. Every change of outbox.state is one of
 * these moves: queued -> submitted (claim), -> expired (too late),
 * -> accepted (a late answer), -> failed (another part refused);
 * submitted -> queued (temporary failure, restart), -> accepted,
 * -> delivered | undeliverable | expired (receipt, or too late),
 * -> failed; accepted -> delivered | undeliverable | expired (receipt);
 * accepted or final -> queued (the operator's retry).
 */
bool db_outbox_move_ok(enum core_out_state from, enum core_out_state to);

/* The bit of state s in a from_mask of db_outbox_move(). */
#define DB_OUT_BIT(s) (1u << (s))

/*
 * Move row id to state to if it is in one of the states of from_mask
 * (DB_OUT_BIT(state) | ...) and the move is in the table, keeping reason
 * (NULL or "": the row's stays), in the open transaction or one of its
 * own. What the new state implies comes with it: a claim counts an
 * attempt and voids the HTTP receipt secret; from accepted on an OTP's
 * code is masked; a final state voids the secret. The move is counted
 * (db_outbox_counts()) and logged ("outbox: id=7 queued -> submitted").
 * SD_ENOTFOUND, or SD_ESTATE when the row is in no state of from_mask or
 * the table refuses the move; nothing changes then.
 */
enum sd_rc db_outbox_move(struct db *db, int64_t id, unsigned from_mask,
    enum core_out_state to, const char *reason) SD_MUSTCHECK;

/* Queue m (state queued, created = now); *id gets its row. Runs in the
 * caller's transaction: queue a message together with what causes it. */
enum sd_rc db_outbox_add(struct db *db, const struct db_outbox_new *m,
    int64_t *id) SD_MUSTCHECK;

/*
 * Claim up to max due rows (queued, not_before <= now) for sending, most
 * urgent first (priority, then id), of the kinds in kind_mask (bit 1 << kind).
 * Rows past their expiry become expired and are not returned (*expired
 * counts them). The rest become submitted with attempts + 1. rows must
 * hold max entries; the caller frees their contents (db_outbox_row_fini).
 * Run it inside a write transaction.
 */
enum sd_rc db_outbox_claim(struct db *db, int64_t now, unsigned kind_mask,
    size_t max, struct db_outbox_row *rows, size_t *n,
    size_t *expired) SD_MUSTCHECK;

/* At start: rows left submitted by a crash go back to queued (*n of them). */
enum sd_rc db_outbox_requeue_submitted(struct db *db, int64_t *n) SD_MUSTCHECK;

/* Part part of parts of id was accepted by route as
 * smsc_id ("" for a part whose id is not kept). receipt: one was asked
 * for, so db_outbox_receipt() must find it by smsc_id. complete: every
 * part is now accepted and the row becomes accepted; until then it stays
 * submitted, so a crash between parts sends the whole message again. */
enum sd_rc db_outbox_accepted(struct db *db, int64_t id, int part, int parts,
    const char *smsc_id, enum core_out_route route, bool receipt,
    bool complete) SD_MUSTCHECK;

/*
 * Sending id failed. temporary and attempts below max_attempts: queued
 * again with not_before = now + retry_s; otherwise failed. reason is kept.
 * *final (may be NULL) tells which.
 */
enum sd_rc db_outbox_failed(struct db *db, int64_t id, bool temporary,
    const char *reason, int64_t now, int max_attempts, int64_t retry_s,
    bool *final) SD_MUSTCHECK;

/* Mark id expired (too late to send) with reason. */
enum sd_rc db_outbox_expire(struct db *db, int64_t id,
    const char *reason) SD_MUSTCHECK;

/*
 * A delivery receipt for SMSC id smsc_id (try each of the n forms given:
 * SMSCs write ids in decimal or hexadecimal) saying the part is in state
 * state: delivered, undeliverable, expired, or accepted (nothing final
 * yet); smsc_receipt_out_state() maps SMPP's message_state. The part's
 * state is kept; the row (submitted or accepted) becomes delivered once
 * every part is delivered, undeliverable (or expired) as soon as one part
 * is; a final row stays as it is. *id gets the row, 0 when no row carries
 * that id (not an error).
 */
enum sd_rc db_outbox_receipt(struct db *db, const char *const *smsc_ids,
    size_t n, enum core_out_state state, const char *reason,
    int64_t *id) SD_MUSTCHECK;

/*
 * Before row id goes to an HTTP provider with a receipt asked: record
 * route HTTP and the secret token its receipt URL carries, committed
 * before the URL leaves (as a row is marked submitted before submit_sm).
 * *set is false, and nothing changes, if the row is no longer submitted.
 */
enum sd_rc db_outbox_http_token(struct db *db, int64_t id, const char *token,
    bool *set) SD_MUSTCHECK;

/*
 * A receipt called back over HTTP naming our row id, with the token of
 * its receipt URL ("" if none) and the state it reports (as for
 * db_outbox_receipt(), for the whole message);
 * reason is kept with a final state. Applied only to a row sent over
 * HTTP (CORE_OUT_ROUTE_HTTP) that is submitted or accepted and whose stored
 * token equals token (compared in constant time): SD_ENOTFOUND when there is no
 * such row, SD_ESTATE when it was not sent over HTTP or is queued or final,
 * SD_EPERM when the token is missing or wrong; nothing changes then. A final
 * state makes the row delivered, undeliverable or expired and voids the token.
 * The caller holds the transaction.
 */
enum sd_rc db_outbox_receipt_http(struct db *db, int64_t id, const char *token,
    enum core_out_state state, const char *reason) SD_MUSTCHECK;

/* Put id back in the queue now (operator's retry of a failed, expired or
 * undeliverable row). SD_ENOTFOUND / SD_ESTATE (queued or submitted) /
 * SD_EPERM (a one-time password: its code is masked once final). */
enum sd_rc db_outbox_retry(struct db *db, int64_t id) SD_MUSTCHECK;

/* One row with its parts' SMSC ids ("2:id 3:id", "" if single). */
enum sd_rc db_outbox_get(struct db *db, int64_t id, struct db_outbox_row *out,
    char **parts) SD_MUSTCHECK;

/* Counts by kind and state, and the oldest waiting row's created time.
 * Reads a few rows, not the outbox (counts kept as rows change, and an
 * index): as cheap at 10 M rows as at 10. */
struct db_outbox_counts {
	int64_t n[CORE_OUT_KIND_COUNT][CORE_OUT_STATE_COUNT];
	int64_t oldest_waiting; /* UTC seconds of the oldest queued or
				   submitted row, 0 if none */
};
enum sd_rc db_outbox_counts(struct db *db,
    struct db_outbox_counts *c) SD_MUSTCHECK;

/* PRAGMA data_version: changes when another connection commits. */
enum sd_rc db_data_version(struct db *db, int64_t *v) SD_MUSTCHECK;

/* ---- Inbox: every MO text and USSD step, stored before it is acked ---- */

/* What an inbox row holds. */
enum db_inbox_kind {
	DB_INBOX_SMS = 0,  /* a text message */
	DB_INBOX_USSD = 1, /* a USSD dialogue step */
};

/* Store one inbound message (state 0, received = now); *id gets its row.
 * session may be NULL. Runs in the caller's transaction if one is open. */
enum sd_rc db_inbox_add(struct db *db, const char *source,
    const char *destination, const char *body, enum db_inbox_kind kind,
    const char *session, int64_t *id) SD_MUSTCHECK;

/* The same, already handled in this transaction: answered by outbox row
 * reply_id (0 if none). */
enum sd_rc db_inbox_add_handled(struct db *db, const char *source,
    const char *destination, const char *body, enum db_inbox_kind kind,
    const char *session, int64_t reply_id, int64_t *id) SD_MUSTCHECK;

/* MOs (first copies) from source received at or after since. */
enum sd_rc db_inbox_count_since(struct db *db, const char *source,
    int64_t since, int64_t *n) SD_MUSTCHECK;

/* The same, of one kind only (USSD steps have their own limit). */
enum sd_rc db_inbox_count_kind_since(struct db *db, const char *source,
    enum db_inbox_kind kind, int64_t since, int64_t *n) SD_MUSTCHECK;

/* 64-bit FNV-1a of body: the inbox's duplicate key with the source. */
int64_t db_inbox_hash(const char *body);

/* The earlier copy of an MO: same source and body since since. */
struct db_inbox_dup {
	int64_t id;       /* its row */
	int64_t reply_id; /* the outbox row that answered it, 0 if none */
	int resent;       /* times the reply went again */
};

/* Find an earlier copy; SD_ENOTFOUND if none. */
enum sd_rc db_inbox_find_dup(struct db *db, const char *source,
    const char *body, int64_t since, struct db_inbox_dup *out) SD_MUSTCHECK;

/* Store a redelivery of dup_of (handled at once); *id gets its row. */
enum sd_rc db_inbox_add_dup(struct db *db, const char *source,
    const char *destination, const char *body, enum db_inbox_kind kind,
    int64_t dup_of, int64_t *id) SD_MUSTCHECK;

/* Mark id handled, answered by outbox row reply_id (0 if none). */
enum sd_rc db_inbox_handled(struct db *db, int64_t id,
    int64_t reply_id) SD_MUSTCHECK;

/* Longest reason kept with an inbox row, NUL included. */
#define DB_INBOX_REASON_LEN 64

/* Record why MO id was not processed as usual (schema 8; at most
 * DB_INBOX_REASON_LEN - 1 bytes kept). */
enum sd_rc db_inbox_set_reason(struct db *db, int64_t id,
    const char *reason) SD_MUSTCHECK;

/* One row of the inbox as `smsdesk inbox` shows it. */
struct db_inbox_entry {
	int64_t id;                       /* row */
	int64_t received;                 /* UTC seconds */
	char source[SD_ADDR_LEN];         /* as the SMSC wrote it */
	char *body;                       /* owned */
	enum db_inbox_kind kind;          /* sms or ussd */
	int state;                        /* 0 stored, 1 handled */
	int64_t dup_of;                   /* first copy, 0 if this is one */
	int64_t reply_id;                 /* answering outbox row, 0 if none */
	char reason[DB_INBOX_REASON_LEN]; /* "" if processed as usual */
};
void db_inbox_entries_free(struct db_inbox_entry *rows, size_t n);
/* The latest max (<= SD_LIST_MAX) inbox rows, newest first; *rows owned
 * by the caller (db_inbox_entries_free). */
enum sd_rc db_inbox_recent(struct db *db, size_t max,
    struct db_inbox_entry **rows, size_t *n) SD_MUSTCHECK;

/* Count one more resend of the reply of id. */
enum sd_rc db_inbox_resent(struct db *db, int64_t id) SD_MUSTCHECK;

/* Rows still unhandled (stored by a run that died before handling them),
 * oldest first, at most max. */
struct db_inbox_row {
	int64_t id;
	char source[SD_ADDR_LEN];
	char destination[SD_ADDR_LEN];
	char *body;
	enum db_inbox_kind kind;
	int ussd_session; /* -1 if none */
};
void db_inbox_rows_free(struct db_inbox_row *rows, size_t n);
enum sd_rc db_inbox_unhandled(struct db *db, size_t max,
    struct db_inbox_row **rows, size_t *n) SD_MUSTCHECK;
/* Rows in the inbox (tests, metrics). */
enum sd_rc db_inbox_count(struct db *db, int64_t *n) SD_MUSTCHECK;

/* A part of a long MO held for the others (smsc_mo_part, stored). */
struct db_inbox_part {
	char source[SD_ADDR_LEN];
	char destination[SD_ADDR_LEN];
	int ref, total; /* the group */
	int esm_class, data_coding;
	uint8_t *sm; /* owned by a list from db_inbox_parts() */
	size_t len;
	bool sar; /* sar_* TLVs present */
	int sar_ref, sar_total, sar_seq;
	int64_t received; /* UTC seconds */
};
enum sd_rc db_inbox_part_add(struct db *db,
    const struct db_inbox_part *p) SD_MUSTCHECK;
/* Let go of a group's parts: its message is stored (or given up). */
enum sd_rc db_inbox_parts_drop(struct db *db, const char *source,
    const char *destination, int ref, int total) SD_MUSTCHECK;
/* Every held part, oldest first; free with db_inbox_parts_free(). */
enum sd_rc db_inbox_parts(struct db *db, struct db_inbox_part **parts,
    size_t *n) SD_MUSTCHECK;
void db_inbox_parts_free(struct db_inbox_part *parts, size_t n);

/* ---- One-time passwords ------------------------------------------------ */

/* Store a code's hash for mobile (E.164); *id (may be NULL) its row. */
enum sd_rc db_otp_add(struct db *db, const char *mobile, int purpose,
    const char *code_hash, int64_t expires, int64_t *id) SD_MUSTCHECK;
/* Codes issued to mobile since since (*n) and the latest one's time. */
enum sd_rc db_otp_recent(struct db *db, const char *mobile, int64_t since,
    int64_t *n, int64_t *last) SD_MUSTCHECK;

/* ---- Audit log (append-only; triggers refuse UPDATE and DELETE) -------- */

/* Append one audit row: who (0 = system), what, on which object, detail. */
enum sd_rc db_audit_add(struct db *db, int64_t actor_id, const char *action,
    const char *object, const char *detail) SD_MUSTCHECK;
/* Number of audit rows for object (e.g. "request:10001"); tests, CLI. */
/* The time and detail (copied into detail, size n) of the latest audit row
 * of action on object; SD_ENOTFOUND if none. */
enum sd_rc db_audit_last(struct db *db, const char *object, const char *action,
    int64_t *at, char *detail, size_t n) SD_MUSTCHECK;
enum sd_rc db_audit_count(struct db *db, const char *object,
    int64_t *n) SD_MUSTCHECK;

/* ---- The web view's accounts (db/web.c, schema 12) --------------------- */

/* A hash of a token as stored: 64 hex digits and the NUL. */
#define DB_HASH_LEN 65

/* The argon2id hash of user id's password (*hash owned by the caller),
 * NULL in *hash if none is set. SD_ENOTFOUND if no such user. */
enum sd_rc db_user_password(struct db *db, int64_t id,
    char **hash) SD_MUSTCHECK;
/* Set it (and verified: the number was proven to set it). */
enum sd_rc db_user_set_password(struct db *db, int64_t id,
    const char *hash) SD_MUSTCHECK;
/* Set user_type. */
enum sd_rc db_user_set_type(struct db *db, int64_t id,
    const char *user_type) SD_MUSTCHECK;

/* A signed-in browser. */
struct db_session {
	int64_t user_id;
	char csrf[DB_HASH_LEN];
	int64_t created, expires, last_seen; /* UTC seconds */
};
enum sd_rc db_session_add(struct db *db, const char *id_hash,
    const struct db_session *s) SD_MUSTCHECK;
/* SD_ENOTFOUND if none. */
enum sd_rc db_session_get(struct db *db, const char *id_hash,
    struct db_session *out) SD_MUSTCHECK;
enum sd_rc db_session_touch(struct db *db, const char *id_hash,
    int64_t now) SD_MUSTCHECK;
enum sd_rc db_session_delete(struct db *db, const char *id_hash) SD_MUSTCHECK;
/* Every session of user_id (a password change). */
enum sd_rc db_session_delete_user(struct db *db, int64_t user_id) SD_MUSTCHECK;
/* Sessions, pending steps and devices past their end, and failures
 * older than fails_before. */
enum sd_rc db_web_purge(struct db *db, int64_t now,
    int64_t fails_before) SD_MUSTCHECK;

/* A browser between two steps. */
struct db_pending {
	int purpose; /* enum core_otp_purpose */
	char mobile[SD_MOBILE_LEN];
	int64_t user_id; /* 0: none yet (sign-up of a new number) */
	char *first, *last, *user_type, *pw_hash; /* "" when not used */
	int64_t created, expires;
};
void db_pending_fini(struct db_pending *p);
/* Insert or replace the step of id_hash. */
enum sd_rc db_pending_put(struct db *db, const char *id_hash,
    const struct db_pending *p) SD_MUSTCHECK;
/* SD_ENOTFOUND if none (expired ones included: the caller checks). */
enum sd_rc db_pending_get(struct db *db, const char *id_hash,
    struct db_pending *out) SD_MUSTCHECK;
enum sd_rc db_pending_delete(struct db *db, const char *id_hash) SD_MUSTCHECK;

/* A browser that passed an SMS code for user_id, until expires. */
enum sd_rc db_device_add(struct db *db, const char *token_hash, int64_t user_id,
    int64_t expires) SD_MUSTCHECK;
/* *yes = token_hash is a device of user_id not expired at now. */
enum sd_rc db_device_ok(struct db *db, const char *token_hash, int64_t user_id,
    int64_t now, bool *yes) SD_MUSTCHECK;

/* Failed sign-ins: add one for key at at; count since since (*n) and
 * the oldest of them (*oldest, 0 if none). */
enum sd_rc db_fail_add(struct db *db, const char *key, int64_t at) SD_MUSTCHECK;
enum sd_rc db_fail_count(struct db *db, const char *key, int64_t since,
    int64_t *n, int64_t *oldest) SD_MUSTCHECK;
/* Forget the failures of key (a successful sign-in). */
enum sd_rc db_fail_clear(struct db *db, const char *key) SD_MUSTCHECK;

/* The latest code of mobile for purpose. */
struct db_otp {
	int64_t id;
	char code_hash[160];
	int64_t created, expires;
	int tries;
	bool used;
};
/* SD_ENOTFOUND if mobile has none for purpose. */
enum sd_rc db_otp_latest(struct db *db, const char *mobile, int purpose,
    struct db_otp *out) SD_MUSTCHECK;
/* One more wrong try on code id. */
enum sd_rc db_otp_try(struct db *db, int64_t id) SD_MUSTCHECK;
/* Code id was right: it is spent. */
enum sd_rc db_otp_use(struct db *db, int64_t id) SD_MUSTCHECK;
/* Codes asked from web address addr since since (*n) and the oldest's
 * time; with addr NULL every code of anyone (the global cap). */
enum sd_rc db_otp_count(struct db *db, const char *addr, int64_t since,
    int64_t *n, int64_t *oldest) SD_MUSTCHECK;
/* The same for the codes of mobile. */
enum sd_rc db_otp_count_mobile(struct db *db, const char *mobile, int64_t since,
    int64_t *n, int64_t *oldest) SD_MUSTCHECK;
/* Record the asking address on code row id (after db_otp_add). */
enum sd_rc db_otp_set_addr(struct db *db, int64_t id,
    const char *addr) SD_MUSTCHECK;

/* ---- Attachments (db/attachment.c; the table of schema 1) ------------- */

/* One attached file. */
struct db_attachment {
	int64_t id;         /* row id: /files/ID */
	int64_t message_id; /* the message it came with */
	int64_t tracking;   /* that message's request (read from messages) */
	char *name;         /* original name, sanitized */
	char *type;         /* detected type's key ("jpg") */
	int64_t size;       /* bytes */
	char *sha256;       /* 64 hex digits */
	char *stored;       /* the random file name in [web] attachments_dir */
	int64_t created;    /* UTC seconds */
};

void db_attachment_fini(struct db_attachment *a);
void db_attachment_list_free(struct db_attachment *rows, size_t n);
/* Insert a (id, tracking ignored) in the caller's transaction; *id (may
 * be NULL) gets its row. SD_EEXIST for a stored name already used. */
enum sd_rc db_attachment_add(struct db *db, const struct db_attachment *a,
    int64_t *id) SD_MUSTCHECK;
/* Attachment id with its request's tracking. SD_ENOTFOUND if none. */
enum sd_rc db_attachment_get(struct db *db, int64_t id,
    struct db_attachment *out) SD_MUSTCHECK;
/* Every attachment of request tracking, by message then id. */
enum sd_rc db_attachment_list(struct db *db, int64_t tracking,
    struct db_attachment **rows, size_t *n) SD_MUSTCHECK;

/* ---- Server secrets (db/secret.c, schema 13) ------------------------- */

/*
 * The secret called name: *len bytes (at most cap) into out. If there is
 * none yet, fresh (len bytes of the caller's, e.g. a new random key) is
 * stored first (INSERT OR IGNORE: of two racing writers the first one
 * wins and both read it). SD_ETOOBIG if the stored value is longer than
 * cap. Never logged.
 */
enum sd_rc db_secret_get_or_put(struct db *db, const char *name,
    const void *fresh, size_t fresh_len, void *out, size_t cap,
    size_t *len) SD_MUSTCHECK;
/* The stored value called name (SD_ENOTFOUND if none; SD_ETOOBIG over
 * cap), and setting it (replacing). Also for server state that is no
 * secret: "due_basis" (core_request_due_rebase()). */
enum sd_rc db_secret_get(struct db *db, const char *name, void *out, size_t cap,
    size_t *len) SD_MUSTCHECK;
enum sd_rc db_secret_set(struct db *db, const char *name, const void *value,
    size_t len) SD_MUSTCHECK;

/* ---- issue #14: staff admin, overview, reminders (db/staffadm.c,
 * db/overview.c) ---- */

/* *yes = user id is disabled (users.disabled, schema 14). SD_ENOTFOUND
 * if there is no such user. */
enum sd_rc db_user_disabled(struct db *db, int64_t id, bool *yes) SD_MUSTCHECK;
/* Set or clear users.disabled. SD_ENOTFOUND if no such user. */
enum sd_rc db_user_set_disabled(struct db *db, int64_t id,
    bool disabled) SD_MUSTCHECK;
/* Change a user's names, title and role (strings already cleaned).
 * SD_ENOTFOUND if no such user. */
enum sd_rc db_user_edit(struct db *db, int64_t id, const char *first,
    const char *last, const char *title, enum core_role role) SD_MUSTCHECK;
/* Remove user id from every department. */
enum sd_rc db_staff_dept_clear(struct db *db, int64_t id) SD_MUSTCHECK;

/* An awaiting request that may need its one-working-day reminder. */
struct db_remind {
	int64_t tracking;
	int dept;
	int64_t waiting_since;
	char *title;
};
void db_remind_list_free(struct db_remind *rows, size_t n);
/* Requests awaiting an answer, not escalated, with waiting_since in
 * [since, before] and reminded != waiting_since, tracking > after, by
 * tracking, at most max. */
enum sd_rc db_remind_candidates(struct db *db, int64_t since, int64_t before,
    int64_t after, size_t max, struct db_remind **rows, size_t *n) SD_MUSTCHECK;
/* requests.reminded = waiting_since of tracking, if it still waits since
 * then and was not reminded of it; SD_ENOTFOUND if not (changed since it
 * was read). */
enum sd_rc db_remind_mark(struct db *db, int64_t tracking,
    int64_t waiting_since) SD_MUSTCHECK;
/* Staff (role <> applicant) of department code who are neither disabled
 * nor have alerts off: ids and mobiles (E.164), by id, at most max. */
enum sd_rc db_remind_staff(struct db *db, int code, int64_t *ids,
    char (*mobiles)[SD_MOBILE_LEN], size_t max, size_t *n) SD_MUSTCHECK;

/* The overview (db/overview.c). Counts per department and status. */
struct db_ov_count {
	int dept;
	int status;
	int64_t n;
};
enum sd_rc db_ov_counts(struct db *db, struct db_ov_count **rows,
    size_t *n) SD_MUSTCHECK;
/* An awaiting request's timing, for the overdue counts. */
struct db_ov_wait {
	int64_t tracking;
	int dept;
	int64_t waiting_since;
	int64_t due;
	int prio;
	int64_t created;
	int escalated;
};
/* Awaiting requests, at most max. */
enum sd_rc db_ov_awaiting(struct db *db, size_t max, struct db_ov_wait **rows,
    size_t *n) SD_MUSTCHECK;
/* A request in a list of the overview (escalated ones, the CSV). */
struct db_ov_req {
	int64_t tracking;
	char *title;
	int dept;
	int status;
	int prio;
	char *first;
	char *last;
	char mobile[SD_MOBILE_LEN];
	int64_t created;
	int64_t updated;
	bool escalated;
};
void db_ov_req_fini(struct db_ov_req *r);
void db_ov_req_list_free(struct db_ov_req *rows, size_t n);
/* Escalated requests not closed, newest first, at most max. */
enum sd_rc db_ov_escalated(struct db *db, size_t max, struct db_ov_req **rows,
    size_t *n) SD_MUSTCHECK;
/* Every request by tracking, each passed to fn (its strings live during
 * the call only); fn returning non-SD_OK stops with that code. */
enum sd_rc db_ov_each(struct db *db,
    enum sd_rc (*fn)(void *arg, const struct db_ov_req *r),
    void *arg) SD_MUSTCHECK;
/* Requests created at or after since with the time of their first
 * message by someone other than the applicant with a staff role
 * (0: none yet): created[i], answered[i], at most max. */
enum sd_rc db_ov_first_answers(struct db *db, int64_t since, size_t max,
    int64_t *created, int64_t *answered, size_t *n) SD_MUSTCHECK;
/* Answers (messages by a staff role on a request not their own) at or
 * after since, per author, most first. */
struct db_ov_staff {
	int64_t user_id;
	char *first;
	char *last;
	int64_t n;
};
void db_ov_staff_list_free(struct db_ov_staff *rows, size_t n);
enum sd_rc db_ov_answers(struct db *db, int64_t since,
    struct db_ov_staff **rows, size_t *n) SD_MUSTCHECK;

/* ---- issue #14: staff request page and actions (db/staff.c) ---- */

/* An internal note on a request: staff only, never shown to its
 * applicant (no page, link, SMS or download of theirs reads it). */
struct db_note {
	int64_t id;        /* row id */
	int64_t tracking;  /* the request */
	int64_t author_id; /* the staff member who wrote it */
	char *author_name; /* "first last" now, "" if the user is gone */
	char *body;        /* text, as cleaned by core */
	int64_t created;   /* UTC seconds */
};
void db_note_list_free(struct db_note *rows, size_t n);
/* Add a note (in the caller's transaction); *id (may be NULL) its row. */
enum sd_rc db_note_add(struct db *db, int64_t tracking, int64_t author_id,
    const char *body, int64_t now, int64_t *id) SD_MUSTCHECK;
/* The notes of tracking, oldest first, at most max. */
enum sd_rc db_note_list(struct db *db, int64_t tracking, size_t max,
    struct db_note **rows, size_t *n) SD_MUSTCHECK;

/* A department's canned answer. */
struct db_canned {
	int64_t id;         /* row id: /staff/canned/ID */
	int dept;           /* department code */
	char *title;        /* unique in its department */
	char *body;         /* the answer's text */
	int64_t updated_by; /* user id */
	int64_t updated;    /* UTC seconds */
};
void db_canned_fini(struct db_canned *c);
void db_canned_list_free(struct db_canned *rows, size_t n);
/* SD_EEXIST if dept has one with that title. */
enum sd_rc db_canned_add(struct db *db, int dept, const char *title,
    const char *body, int64_t by, int64_t now, int64_t *id) SD_MUSTCHECK;
/* SD_ENOTFOUND if none (out zeroed). */
enum sd_rc db_canned_get(struct db *db, int64_t id,
    struct db_canned *out) SD_MUSTCHECK;
/* SD_ENOTFOUND if none, SD_EEXIST for a title taken in its dept. */
enum sd_rc db_canned_update(struct db *db, int64_t id, const char *title,
    const char *body, int64_t by, int64_t now) SD_MUSTCHECK;
enum sd_rc db_canned_delete(struct db *db, int64_t id) SD_MUSTCHECK;
/* The canned answers of dept (0: every department), by department then
 * title, at most max. */
enum sd_rc db_canned_list(struct db *db, int dept, size_t max,
    struct db_canned **rows, size_t *n) SD_MUSTCHECK;

/* requests.assigned_to of tracking (0: none). SD_ENOTFOUND if none. */
enum sd_rc db_request_assigned(struct db *db, int64_t tracking,
    int64_t *user_id) SD_MUSTCHECK;
/* Assign tracking to user_id (0: to nobody). */
enum sd_rc db_request_assign(struct db *db, int64_t tracking, int64_t user_id,
    int64_t now) SD_MUSTCHECK;
/* Move tracking to department dept: dept_code and orig_dept both (the
 * old department's staff no longer see it), its assignment cleared. */
enum sd_rc db_request_transfer(struct db *db, int64_t tracking, int dept,
    int64_t now) SD_MUSTCHECK;
/* *yes = user_id is staff (any role but applicant), not disabled, and a
 * member of department dept. */
enum sd_rc db_staff_assignable(struct db *db, int64_t user_id, int dept,
    bool *yes) SD_MUSTCHECK;

/* A staff member as a list shows them. */
struct db_staff_ref {
	int64_t id;  /* user id */
	char *name;  /* "first last" */
	char *title; /* role title */
};
void db_staff_ref_list_free(struct db_staff_ref *rows, size_t n);
/* The staff of dept who may be assigned (db_staff_assignable()), by
 * name, at most max. */
enum sd_rc db_staff_active_of_dept(struct db *db, int dept, size_t max,
    struct db_staff_ref **rows, size_t *n) SD_MUSTCHECK;
/* User id's name and title (free() both). SD_ENOTFOUND if none. */
enum sd_rc db_staff_ref_get(struct db *db, int64_t id,
    struct db_staff_ref *out) SD_MUSTCHECK;

/* An audit row with its actor's name ("" for the system, actor 0). */
struct db_audit_row {
	int64_t id;       /* row id: the order of events */
	int64_t at;       /* UTC seconds */
	int64_t actor_id; /* the user, 0 for the system and the CLI */
	char *actor_name; /* "first last" now, "" for actor 0 */
	char *action;     /* "request.answer", ... */
	char *detail;     /* "from=2 to=5 reason=...", ... */
};
void db_audit_rows_free(struct db_audit_row *rows, size_t n);
/* The audit rows of object ("request:N"), oldest first, at most max. */
enum sd_rc db_audit_list(struct db *db, const char *object, size_t max,
    struct db_audit_row **rows, size_t *n) SD_MUSTCHECK;

/* An SMS about a request, as the staff page lists it: no body. */
struct db_sms_row {
	int64_t id;                    /* outbox row id */
	enum core_out_kind kind;       /* never CORE_OUT_OTP */
	char destination[SD_ADDR_LEN]; /* E.164 as queued */
	enum core_out_state state;     /* the row's state, receipts included */
	int64_t created, updated;      /* UTC seconds */
};
/* Every outbox row about tracking but one-time passwords, oldest first,
 * at most max; free(*rows). */
enum sd_rc db_request_sms(struct db *db, int64_t tracking, size_t max,
    struct db_sms_row **rows, size_t *n) SD_MUSTCHECK;

/* ---- issue #14: staff inbox (helper S2) ---- */

/* Full-text search of requests (db/fts.c, schema 15). */

/* The longest search text db_fts_query() takes, in bytes. */
#define DB_FTS_QUERY_MAX 256
/*
 * The tokenizer's rewriting of n bytes of UTF-8 at in (see db/fts.c:
 * Arabic letters to Persian, digits to ASCII, harakat, tatweel and ZWNJ
 * dropped) into out (n bytes suffice: the text only shrinks); map (NULL
 * or n + 1 ints) gets each output byte's offset in in. Returns the
 * output's length (not terminated). Pure; any thread.
 */
size_t db_fts_normalize(const char *in, size_t n, char *out, int *map);
/*
 * The FTS5 MATCH expression of a user's search text: each word (split at
 * white space) a quoted phrase, '"' doubled, so no text can be an FTS5
 * operator or a syntax error; all words must match. *match is the
 * caller's (free()). SD_ENOTFOUND if text has no word, SD_ETOOBIG past
 * DB_FTS_QUERY_MAX.
 */
enum sd_rc db_fts_query(const char *text, char **match) SD_MUSTCHECK;
/* The trackings (at most max, ascending) whose title or first message
 * has every word of text; none for a text of no word. */
enum sd_rc db_fts_search(struct db *db, const char *text, size_t max,
    int64_t *out, size_t *n) SD_MUSTCHECK;
/* Index request tracking (db_request_insert() does, in its transaction). */
enum sd_rc db_fts_put(struct db *db, int64_t tracking, const char *title,
    const char *body) SD_MUSTCHECK;
/* Index the first message's body of tracking if none is yet
 * (db_message_insert() does, for applicants' messages). */
enum sd_rc db_fts_first_body(struct db *db, int64_t tracking,
    const char *body) SD_MUSTCHECK;
/* Index the requests written without db/ (the sqlite3 shell, a bulk
 * load): all of them (a rowid lookup a request), or only those after
 * the highest indexed (cheap: for a timer). *added: how many. Its own
 * transaction. */
enum sd_rc db_fts_catch_up(struct db *db, bool all, size_t *added) SD_MUSTCHECK;

/* The staff inbox (db/inbox_staff.c). */

/* Rows of one inbox page at most. */
#define DB_SINBOX_PAGE_MAX 100
/* Status filter beyond enum core_status. */
#define DB_SINBOX_ANY (-1)  /* every status */
#define DB_SINBOX_OPEN (-2) /* awaiting or answered */

struct db_sinbox_filter {
	int64_t viewer;    /* the staff member's user id */
	bool all;          /* every department (head, admin) */
	bool head_office;  /* viewer is in the head's office: escalated
			      requests too */
	int status;        /* enum core_status, DB_SINBOX_ANY or _OPEN */
	int prio;          /* enum core_priority, or -1 for any */
	int dept;          /* a department code, or 0 for any */
	bool overdue;      /* only those past their due time */
	bool mine;         /* only those assigned to viewer */
	int64_t tracking;  /* > 0: only this number */
	int64_t applicant; /* != 0: only this applicant's (-1: nobody's) */
	const char *words; /* search words (db_fts_query), NULL: none */
	int64_t now;       /* UTC seconds, for "overdue" */
	size_t offset;     /* rows skipped */
	size_t limit;      /* rows wanted, at most DB_SINBOX_PAGE_MAX */
};

struct db_sinbox_row {
	int64_t tracking;
	char *title;
	char *applicant; /* "first last" */
	char mobile[SD_MOBILE_LEN];
	int dept;
	char *dept_name;
	enum core_status status;
	enum core_priority prio;
	int64_t created;
	int64_t due;           /* 0: not waiting */
	int64_t waiting_since; /* the waiting period */
	int64_t reminded;      /* the waiting_since reminded of, 0: none */
	bool escalated;
	int64_t assigned_to; /* 0: nobody */
};

/*
 * One page of the inbox f describes: overdue first (awaiting, 0 < due <
 * now), then by priority (very urgent first), then oldest first, then by
 * tracking. *rows (db_sinbox_rows_free()), *n of them, and *total, the
 * rows of every page. Access is the caller's (core_inbox_staff()).
 */
enum sd_rc db_sinbox_page(struct db *db, const struct db_sinbox_filter *f,
    struct db_sinbox_row **rows, size_t *n, int64_t *total) SD_MUSTCHECK;
void db_sinbox_rows_free(struct db_sinbox_row *rows, size_t n);

/* Awaiting requests with no due time kept (due = 0): at most max, by
 * tracking after after, their waiting_since in since[]. */
enum sd_rc db_request_due_missing(struct db *db, int64_t after, size_t max,
    int64_t *tracking, int64_t *since, size_t *n) SD_MUSTCHECK;
/* Forget the due time of every waiting request (*n of them), for
 * core_request_due_fill() to count again. */
enum sd_rc db_request_due_clear(struct db *db, size_t *n) SD_MUSTCHECK;
/* Keep due for request tracking if it still waits since since with no
 * due time (a row changed meanwhile is left alone). */
enum sd_rc db_request_due_set(struct db *db, int64_t tracking, int64_t since,
    int64_t due) SD_MUSTCHECK;
/*
 * Set status and updated; turning awaiting (from answered or closed)
 * also sets waiting_since to now, staying awaiting keeps it. requests.due
 * is 0 unless status is awaiting; due when the request turns awaiting now
 * (0: unknown, for core_request_due_fill()); unchanged while it stays
 * awaiting. SD_ENOTFOUND if no such request.
 */
enum sd_rc db_request_set_status_due(struct db *db, int64_t tracking,
    enum core_status status, int64_t now, int64_t due) SD_MUSTCHECK;

#endif
