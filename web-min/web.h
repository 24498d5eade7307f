/*
 * web-min/web.h: the minimal Persian, right-to-left web view.
 *
 * libmicrohttpd runs in its own internal polling thread, with its own
 * struct db; it shares nothing with the gateway thread but the database.
 * Until the web issue lands this serves a placeholder home page that
 * lists the departments, and /healthz.
 */
#ifndef SMSDESK_WEB_MIN_WEB_H
#define SMSDESK_WEB_MIN_WEB_H

#include "core/base/conf.h"
#include "core/base/rc.h"
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
};

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

/* Escape s for HTML text and attribute values (& < > " ') into a new
 * string owned by the caller. Any thread. */
char *web_html_escape(const char *s);

#endif
