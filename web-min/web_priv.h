/*
 * web-min/web_priv.h: what the server (web.c) and the pages share that
 * handlers do not use: the server's state, session loading, the CSRF
 * check and the account module's start-up.
 */
#ifndef SMSDESK_WEB_MIN_WEB_PRIV_H
#define SMSDESK_WEB_MIN_WEB_PRIV_H

#include <pthread.h>
#include <semaphore.h>
#include <stdbool.h>

#include "core/base/log.h"
#include "web-min/web.h"
#include "web-min/web_int.h"

struct MHD_Daemon;
struct web_conn;
struct web_dblink;
struct core_pwlist;

struct web {
	struct MHD_Daemon *mhd;            /* the server */
	const struct web_config *cfg;      /* borrowed */
	const struct db_config *dbcfg;     /* borrowed: each thread opens it */
	struct web_hooks hooks;            /* the rest of the program */
	const struct core_env *env;        /* hooks.env or core_env_no_sms */
	const struct core_otp_config *otp; /* hooks.otp or the defaults */
	pthread_mutex_t lock;              /* conns, dbs, stopping */
	pthread_mutex_t hooks_lock;        /* one hook call at a time */
	pthread_cond_t cond;               /* wakes the watchdog to stop */
	struct web_conn *conns;            /* open connections */
	struct web_dblink *dbs;            /* every thread's database */
	pthread_t watchdog;                /* cuts requests past deadline */
	bool watchdog_on;
	bool stopping;
	int64_t last_purge;      /* UTC seconds (lock) */
	unsigned long cut_total; /* connections cut (lock) */
	struct log_ratelim cut_log;
	/* watchdog thread only */        /* connections cut */
	sem_t hash_slots;                 /* free argon2id slots */
	bool tls;                         /* serving HTTPS */
	char *tls_cert, *tls_key;         /* PEM, for libmicrohttpd */
	struct core_pwlist *common;       /* refused passwords */
	char dummy_hash[CORE_PWHASH_LEN]; /* verified against when a number
					     has no password: same time */
};

/* /static/site.css (web-min/page.c). */
extern const char web_site_css[];

/* Find the browser's session (cookie) and fill req's who and csrf;
 * sets the anonymous CSRF cookie when there is none. SD_OK also when
 * there is no session. (web-min/session.c) */
enum sd_rc web_session_load(struct web_req *req) SD_MUSTCHECK;
/* Sign user_id in: a new session (the old id dies), its cookie, and
 * req's who. */
enum sd_rc web_session_start(struct web_req *req, int64_t user_id) SD_MUSTCHECK;
/* Sign out: the session is deleted and its cookie cleared. */
enum sd_rc web_session_end(struct web_req *req) SD_MUSTCHECK;
/* The browser's pre-session id, NULL if it has none yet. */
const char *web_pre_id(struct web_req *req);

/* The POST's csrf field equals the browser's token (constant time). */
bool web_csrf_ok(struct web_req *req);

/* Load the account pages' data (the common passwords); SD_ECONFIG with
 * a reason. */
enum sd_rc web_account_init(struct web *w, char err[SD_ERRLEN]) SD_MUSTCHECK;
void web_account_fini(struct web *w);

/* Zero n bytes of secret p (not optimized away). */
void web_wipe(void *p, size_t n);

/* Stop and free without the log line (also for a failed start). */
void web_stop_quiet(struct web *w);

#endif
