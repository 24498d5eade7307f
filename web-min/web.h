/*
 * web-min/web.h: the Persian, right-to-left web view for applicants.
 *
 * libmicrohttpd runs a small pool of threads ([web] threads), each with
 * its own struct db opened on first use; they share nothing with the
 * gateway thread but the database. Slow work (argon2id) runs on those
 * threads, bounded by [web] hash_workers, never on the listener's.
 * The framework is web-min/web_int.h; the pages are web-min/page_*.c.
 */
#ifndef SMSDESK_WEB_MIN_WEB_H
#define SMSDESK_WEB_MIN_WEB_H

#include "core/base/conf.h"
#include "core/base/rc.h"
#include "core/core.h"
#include "db/db.h"

/* Section [web]. */
struct web_config {
	char listen[SD_CONF_VALUE_MAX];          /* host:port */
	char base_url[SD_CONF_VALUE_MAX];        /* links sent by SMS */
	char attachments_dir[SD_CONF_VALUE_MAX]; /* outside any served dir */
	long max_file_mb;                        /* per attachment */
	long conn_timeout_s;                     /* idle connection timeout */
	long max_connections;                    /* in total */
	long per_ip_connections;                 /* per client address */
	long max_files;                          /* attachments per message */
	long threads;                            /* libmicrohttpd pool */
	long request_deadline_s;  /* a request's head and body within this */
	long upload_deadline_s;   /* the same for an upload route */
	long max_form_kb;         /* an url-encoded form's body */
	long hash_workers;        /* argon2id at once; more get a 503 */
	long trusted_device_days; /* no SMS code at sign-in from a browser
				     that passed one within this */
	char org_name[SD_CONF_VALUE_MAX];         /* shown on every page */
	char user_types[SD_CONF_VALUE_MAX];       /* comma separated */
	char trusted_proxies[SD_CONF_VALUE_MAX];  /* addresses, comma sep. */
	char tls_cert[SD_CONF_VALUE_MAX];         /* PEM; "" no TLS */
	char tls_key[SD_CONF_VALUE_MAX];          /* PEM */
	char common_passwords[SD_CONF_VALUE_MAX]; /* one a line; "auto" */
};

/* [web] common_passwords' default: the bundled conf/ file or the
 * installed one (the program writes the path it found in its place). */
#define WEB_COMMON_AUTO "auto"

/* The [web] key table (terminated by name == NULL). */
extern const struct sd_conf_key web_config_keys[];

struct web;

/* What the rest of the program serves through the web view. Called on the
 * web thread with its connection db; either may be NULL. */
struct web_hooks {
	void *arg;
	/* GET /metrics: Prometheus text, free()d by the caller. Loopback
	 * clients only. */
	char *(*metrics)(void *arg, struct db *db);
	/* GET [http_sms] receipt_path?query: a delivery report from the HTTP
	 * SMS provider. SD_OK answers 200, SD_EPERM (a refused receipt)
	 * 403, a temporary code 503, anything else 400. */
	enum sd_rc (*sms_receipt)(void *arg, struct db *db, const char *query);
	const char *receipt_path; /* e.g. "/sms/dlr"; NULL: none */
	/* The domain's configuration for the pages (sign-up codes, links);
	 * NULL: core_env_no_sms and the [otp] defaults. */
	const struct core_env *env;
	const struct core_otp_config *otp;
};

/*
 * Start the web server on cfg->listen, opening its own connection to the
 * database of dbcfg. The configs (and hooks, may be NULL) must outlive the
 * server. On failure returns SD_EIO / SD_ECONFIG with a reason in err.
 * Main thread only.
 */
enum sd_rc web_start(const struct web_config *cfg,
    const struct db_config *dbcfg, const struct web_hooks *hooks,
    struct web **out, char err[SD_ERRLEN]) SD_MUSTCHECK;

/* Stop accepting, finish requests in flight, close the database.
 * web_stop(NULL) is a no-op. Main thread only. */
void web_stop(struct web *w);

#endif
