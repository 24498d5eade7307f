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
enum sd_rc db_migrate(struct db *db, int *from, int *to, char err[SD_ERRLEN])
    SD_MUSTCHECK;

/* Current PRAGMA user_version. */
enum sd_rc db_schema_version(struct db *db, int *version) SD_MUSTCHECK;

/* BEGIN IMMEDIATE / COMMIT / ROLLBACK. db_rollback never fails visibly. */
enum sd_rc db_begin(struct db *db) SD_MUSTCHECK;
enum sd_rc db_commit(struct db *db) SD_MUSTCHECK;
void db_rollback(struct db *db);

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
enum sd_rc db_dept_get(struct db *db, int code, struct db_dept *out)
    SD_MUSTCHECK;
/* All departments by code. */
enum sd_rc db_dept_list(struct db *db, struct db_dept **rows, size_t *n)
    SD_MUSTCHECK;

/* ---- Users and staff membership ---------------------------------------- */

struct db_user {
	int64_t id;                /* row id, > 0 */
	char mobile[SD_MOBILE_LEN]; /* E.164 */
	char *first;               /* first name */
	char *last;                /* last name */
	char *title;               /* staff role title, "" for applicants */
	char *user_type;           /* نوع کاربری, "" if not given */
	enum core_role role;       /* what the user may do */
	bool verified;             /* mobile proven by OTP or MO */
	int64_t created;           /* UTC seconds */
};

void db_user_fini(struct db_user *u);
void db_user_list_free(struct db_user *rows, size_t n);
/* Insert u (id and created are ignored; created = now). SD_EEXIST if the
 * mobile is taken. */
enum sd_rc db_user_insert(struct db *db, const struct db_user *u,
    int64_t *id) SD_MUSTCHECK;
enum sd_rc db_user_get(struct db *db, int64_t id, struct db_user *out)
    SD_MUSTCHECK;
enum sd_rc db_user_by_mobile(struct db *db, const char *e164,
    struct db_user *out) SD_MUSTCHECK;
/* Users with a role other than applicant, by last name. */
enum sd_rc db_user_list_staff(struct db *db, struct db_user **rows,
    size_t *n) SD_MUSTCHECK;
/* Add user to department code. SD_EEXIST if already a member;
 * SD_ENOTFOUND if the department does not exist. */
enum sd_rc db_staff_dept_add(struct db *db, int64_t user_id, int code)
    SD_MUSTCHECK;
/* The department codes of a staff member, ascending, at most max. */
enum sd_rc db_staff_depts(struct db *db, int64_t user_id, int *codes,
    size_t max, size_t *n) SD_MUSTCHECK;
/* *yes = user_id is a member of department code. */
enum sd_rc db_staff_in_dept(struct db *db, int64_t user_id, int code,
    bool *yes) SD_MUSTCHECK;

/* ---- Requests ---------------------------------------------------------- */

struct db_request {
	int64_t tracking;        /* شماره رهگیری, from 10001, never reused */
	int64_t applicant_id;    /* owner */
	int dept;                /* department code */
	enum core_priority prio; /* priority */
	char *title;             /* title */
	enum core_status status; /* status */
	enum core_channel chan;  /* where it came from */
	int64_t created;         /* UTC seconds */
	int64_t updated;         /* UTC seconds of the last change */
	int64_t due;             /* SLA due time, UTC seconds, 0 = none */
	bool escalated;          /* sent to the head's office */
	int orig_dept;           /* department before escalation */
};

void db_request_fini(struct db_request *r);
void db_request_list_free(struct db_request *rows, size_t n);
/* Insert r (tracking ignored); *tracking gets the new number. */
enum sd_rc db_request_insert(struct db *db, const struct db_request *r,
    int64_t *tracking) SD_MUSTCHECK;
enum sd_rc db_request_get(struct db *db, int64_t tracking,
    struct db_request *out) SD_MUSTCHECK;
/* Set status and updated. SD_ENOTFOUND if no such request. */
enum sd_rc db_request_set_status(struct db *db, int64_t tracking,
    enum core_status status, int64_t now) SD_MUSTCHECK;
/* Mark escalated and move to department dept (orig_dept keeps the old). */
enum sd_rc db_request_escalate(struct db *db, int64_t tracking, int dept,
    int64_t now) SD_MUSTCHECK;
/* Requests of applicant_id, newest first, at most limit. */
enum sd_rc db_request_list_by_applicant(struct db *db, int64_t applicant_id,
    size_t limit, struct db_request **rows, size_t *n) SD_MUSTCHECK;

/* ---- Messages (a request's thread) ------------------------------------- */

struct db_message {
	int64_t id;              /* row id */
	int64_t tracking;        /* the request */
	int64_t author_id;       /* the user who wrote it */
	enum core_role author_role; /* author's role when written */
	char *author_name;       /* "first last" when written */
	char *author_title;      /* staff role title when written, or "" */
	char *body;              /* text */
	enum core_channel chan;  /* where it came from */
	int64_t created;         /* UTC seconds */
};

void db_message_fini(struct db_message *m);
void db_message_list_free(struct db_message *rows, size_t n);
/* Insert m (id ignored). */
enum sd_rc db_message_insert(struct db *db, const struct db_message *m,
    int64_t *id) SD_MUSTCHECK;
/* The thread of tracking, oldest first. */
enum sd_rc db_message_list(struct db *db, int64_t tracking,
    struct db_message **rows, size_t *n) SD_MUSTCHECK;

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
/* Rows in the inbox (tests, metrics). */
enum sd_rc db_inbox_count(struct db *db, int64_t *n) SD_MUSTCHECK;

/* ---- Audit log (append-only; triggers refuse UPDATE and DELETE) -------- */

/* Append one audit row: who (0 = system), what, on which object, detail. */
enum sd_rc db_audit_add(struct db *db, int64_t actor_id, const char *action,
    const char *object, const char *detail) SD_MUSTCHECK;
/* Number of audit rows for object (e.g. "request:10001"); tests, CLI. */
enum sd_rc db_audit_count(struct db *db, const char *object, int64_t *n)
    SD_MUSTCHECK;

#endif
