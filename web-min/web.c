/*
 * web-min/web.c: libmicrohttpd server, security headers, placeholder page.
 *
 * libmicrohttpd 0.9.75 sets no connection timeout and no per-address limit
 * by default (design §8): both are always set here from [web]. Only GET and
 * HEAD are served until the web issue adds forms.
 */
#include "web-min/web.h"

#include <arpa/inet.h>
#include <microhttpd.h>
#include <netdb.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "core/base/buf.h"
#include "core/base/log.h"
#include "core/base/xmalloc.h"
#include "core/core.h"

const struct sd_conf_key web_config_keys[] = {
    {"listen", SD_CONF_STR, offsetof(struct web_config, listen),
	"127.0.0.1:8080", 0, 0, NULL, sd_conf_check_hostport,
	"address:port of the web view"},
    {"base_url", SD_CONF_STR, offsetof(struct web_config, base_url),
	"http://127.0.0.1:8080", 0, 0, NULL, NULL,
	"public URL used in links sent by SMS"},
    {"attachments_dir", SD_CONF_STR,
	offsetof(struct web_config, attachments_dir), "var/attachments", 0, 0,
	NULL, NULL, "where attachments are stored (never served as is)"},
    {"max_file_mb", SD_CONF_INT, offsetof(struct web_config, max_file_mb), "6",
	1, 100, NULL, NULL, "largest attachment, in MB"},
    {"conn_timeout_s", SD_CONF_INT, offsetof(struct web_config, conn_timeout_s),
	"30", 1, 3600, NULL, NULL,
	"close idle HTTP connections after this many seconds"},
    {"max_connections", SD_CONF_INT,
	offsetof(struct web_config, max_connections), "256", 1, 10000, NULL,
	NULL, "HTTP connections at once"},
    {"per_ip_connections", SD_CONF_INT,
	offsetof(struct web_config, per_ip_connections), "16", 1, 10000, NULL,
	NULL, "HTTP connections at once from one address"},
    {NULL, SD_CONF_STR, 0, NULL, 0, 0, NULL, NULL, NULL},
};

struct web {
	struct MHD_Daemon *mhd;       /* the server */
	struct db *db;                /* this thread's connection */
	pthread_mutex_t db_lock;      /* MHD may call from its one thread
					 only, but guard anyway */
	const struct web_config *cfg; /* borrowed */
	struct web_hooks hooks;       /* the rest of the program */
};

/* The longest query string a receipt may have. */
#define WEB_QUERY_MAX 4096

/* Rebuild the query string of c ("k=v&k=v", values percent-encoded) in
 * the struct sd_buf cls (at most WEB_QUERY_MAX: a longer one stops at
 * the last whole pair). */
static enum MHD_Result
web_query_add(void *cls, enum MHD_ValueKind kind, const char *key,
    const char *value)
{
	static const char hex[] = "0123456789ABCDEF";
	struct sd_buf *q = cls, pair;
	const unsigned char *v;
	enum sd_rc rc;

	(void)kind;
	sd_buf_init(&pair, WEB_QUERY_MAX);
	rc = sd_buf_addf(&pair, "%s%s=", sd_buf_len(q) > 0 ? "&" : "", key);
	for (v = (const unsigned char *)(value != NULL ? value : "");
	     rc == SD_OK && *v != 0; v++) {
		if ((*v >= 'a' && *v <= 'z') || (*v >= 'A' && *v <= 'Z') ||
		    (*v >= '0' && *v <= '9') || strchr("-_.~", *v) != NULL)
			rc = sd_buf_add(&pair, v, 1);
		else
			rc = sd_buf_addf(&pair, "%%%c%c", hex[*v >> 4],
			    hex[*v & 15]);
	}
	if (rc == SD_OK)
		rc = sd_buf_add(q, sd_buf_str(&pair), sd_buf_len(&pair));
	sd_buf_fini(&pair);
	return rc == SD_OK ? MHD_YES : MHD_NO;
}

/* True if the client is on the loopback interface. */
static bool
web_client_local(struct MHD_Connection *c)
{
	const union MHD_ConnectionInfo *ci = MHD_get_connection_info(c,
	    MHD_CONNECTION_INFO_CLIENT_ADDRESS);
	const struct sockaddr *sa = ci != NULL ? ci->client_addr : NULL;

	if (sa == NULL)
		return false;
	if (sa->sa_family == AF_INET)
		return (ntohl(((const struct sockaddr_in *)(const void *)sa)
				  ->sin_addr.s_addr) >>
			   24) == 127;
	if (sa->sa_family == AF_INET6)
		return IN6_IS_ADDR_LOOPBACK(
		    &((const struct sockaddr_in6 *)(const void *)sa)
			 ->sin6_addr);
	return false;
}

char *
web_html_escape(const char *s)
{
	size_t n = 0;
	const char *p;
	char *out, *o;

	for (p = s; *p != '\0'; p++)
		n += strchr("&<>\"'", *p) != NULL ? 6 : 1;
	out = o = xmalloc(n + 1);
	for (p = s; *p != '\0'; p++) {
		switch (*p) {
		case '&':
			memcpy(o, "&amp;", 5);
			o += 5;
			break;
		case '<':
			memcpy(o, "&lt;", 4);
			o += 4;
			break;
		case '>':
			memcpy(o, "&gt;", 4);
			o += 4;
			break;
		case '"':
			memcpy(o, "&quot;", 6);
			o += 6;
			break;
		case '\'':
			memcpy(o, "&#39;", 5);
			o += 5;
			break;
		default: *o++ = *p; break;
		}
	}
	*o = '\0';
	return out;
}

static enum MHD_Result
web_reply(struct MHD_Connection *c, unsigned code, const char *ctype,
    char *body)
{
	struct MHD_Response *r;
	enum MHD_Result ret;

	r = MHD_create_response_from_buffer(strlen(body), body,
	    MHD_RESPMEM_MUST_FREE);
	MHD_add_response_header(r, "Content-Type", ctype);
	MHD_add_response_header(r, "X-Content-Type-Options", "nosniff");
	MHD_add_response_header(r, "X-Frame-Options", "DENY");
	MHD_add_response_header(r, "Referrer-Policy", "no-referrer");
	MHD_add_response_header(r, "Content-Security-Policy",
	    "default-src 'none'; style-src 'unsafe-inline'");
	MHD_add_response_header(r, "Cache-Control", "no-store");
	ret = MHD_queue_response(c, code, r);
	MHD_destroy_response(r);
	return ret;
}

/* The home page's size limit: the departments' names are ours, short. */
#define WEB_PAGE_MAX (256 * 1024)

static char *
web_page_home(struct web *w)
{
	struct db_dept *d = NULL;
	struct sd_buf html;
	size_t n = 0, i;
	enum sd_rc rc;

	sd_buf_init(&html, WEB_PAGE_MAX);
	rc = sd_buf_adds(&html,
	    "<!doctype html><html lang=\"fa\" dir=\"rtl\"><head>"
	    "<meta charset=\"utf-8\"><meta name=\"viewport\" "
	    "content=\"width=device-width, initial-scale=1\">"
	    "<title>سامانه مکاتبات</title><style>body{font-family:Tahoma,"
	    "sans-serif;max-width:40em;margin:1em auto;padding:0 1em;"
	    "line-height:1.8}</style></head><body>"
	    "<h1>سامانه مکاتبات</h1>"
	    "<p>سازمان نظام مهندسی ساختمان. پیگیری درخواست‌ها با پیامک: "
	    "«وضعیت» و شماره رهگیری را بفرستید.</p><h2>واحدها</h2><ol>");
	pthread_mutex_lock(&w->db_lock);
	if (db_dept_list(w->db, &d, &n) != SD_OK)
		n = 0;
	pthread_mutex_unlock(&w->db_lock);
	for (i = 0; i < n && rc == SD_OK; i++) {
		char *e = web_html_escape(d[i].name);

		rc = sd_buf_addf(&html, "<li>%s</li>", e);
		free(e);
	}
	db_dept_list_free(d, n);
	if (rc == SD_OK)
		rc = sd_buf_adds(&html, "</ol></body></html>");
	if (rc != SD_OK)
		log_warnx("web", "home page over %d bytes", WEB_PAGE_MAX);
	return sd_buf_take(&html);
}

static enum MHD_Result
web_handle(void *cls, struct MHD_Connection *c, const char *url,
    const char *method, const char *version, const char *upload_data,
    size_t *upload_size, void **req_cls)
{
	struct web *w = cls;
	static int first_call_marker;

	(void)version;
	(void)upload_data;
	if (*req_cls == NULL) {
		/* First call: headers only. Refuse bodies on GET/HEAD. */
		*req_cls = &first_call_marker;
		return MHD_YES;
	}
	if (*upload_size != 0) {
		*upload_size = 0;
		return web_reply(c, MHD_HTTP_CONTENT_TOO_LARGE,
		    "text/plain; charset=utf-8", xstrdup("no body expected\n"));
	}
	if (strcmp(method, "GET") != 0 && strcmp(method, "HEAD") != 0)
		return web_reply(c, MHD_HTTP_METHOD_NOT_ALLOWED,
		    "text/plain; charset=utf-8",
		    xstrdup("method not allowed\n"));
	log_trace(TRACE_HTTP, "web", "request method=%s url=%.100s", method,
	    url);
	if (strcmp(url, "/healthz") == 0)
		return web_reply(c, MHD_HTTP_OK, "text/plain; charset=utf-8",
		    xstrdup("ok\n"));
	if (strcmp(url, "/") == 0)
		return web_reply(c, MHD_HTTP_OK, "text/html; charset=utf-8",
		    web_page_home(w));
	if (strcmp(url, "/metrics") == 0 && w->hooks.metrics != NULL) {
		char *m;

		if (!web_client_local(c))
			return web_reply(c, MHD_HTTP_FORBIDDEN,
			    "text/plain; charset=utf-8",
			    xstrdup("metrics are for loopback clients\n"));
		pthread_mutex_lock(&w->db_lock);
		m = w->hooks.metrics(w->hooks.arg, w->db);
		pthread_mutex_unlock(&w->db_lock);
		return web_reply(c, MHD_HTTP_OK,
		    "text/plain; version=0.0.4; charset=utf-8", m);
	}
	if (w->hooks.sms_receipt != NULL && w->hooks.receipt_path != NULL &&
	    strcmp(url, w->hooks.receipt_path) == 0) {
		struct sd_buf q;
		enum sd_rc rc;

		sd_buf_init(&q, WEB_QUERY_MAX);
		MHD_get_connection_values(c, MHD_GET_ARGUMENT_KIND,
		    web_query_add, &q);
		pthread_mutex_lock(&w->db_lock);
		rc = w->hooks.sms_receipt(w->hooks.arg, w->db, sd_buf_str(&q));
		pthread_mutex_unlock(&w->db_lock);
		sd_buf_fini(&q);
		if (rc == SD_OK)
			return web_reply(c, MHD_HTTP_OK,
			    "text/plain; charset=utf-8", xstrdup("ok\n"));
		if (rc == SD_EPERM)
			return web_reply(c, MHD_HTTP_FORBIDDEN,
			    "text/plain; charset=utf-8",
			    xstrdup("receipt refused\n"));
		if (sd_rc_is_temp(rc))
			return web_reply(c, MHD_HTTP_SERVICE_UNAVAILABLE,
			    "text/plain; charset=utf-8",
			    xstrdup("try again later\n"));
		return web_reply(c, MHD_HTTP_BAD_REQUEST,
		    "text/plain; charset=utf-8",
		    xstrdup("not a delivery report\n"));
	}
	return web_reply(c, MHD_HTTP_NOT_FOUND, "text/html; charset=utf-8",
	    xstrdup("<!doctype html><html lang=\"fa\" dir=\"rtl\"><meta "
		    "charset=\"utf-8\"><title>یافت نشد</title>"
		    "<p>صفحه یافت نشد.</p></html>"));
}

static void SD_PRINTF(2, 0) web_log_mhd(void *cls, const char *fmt, va_list ap)
{
	char buf[512];

	(void)cls;
	vsnprintf(buf, sizeof(buf), fmt, ap);
	buf[strcspn(buf, "\n")] = '\0';
	log_warnx("web", "mhd: %s", buf);
}

enum sd_rc
web_start(const struct web_config *cfg, const struct db_config *dbcfg,
    const struct web_hooks *hooks, struct web **out, char err[SD_ERRLEN])
{
	struct addrinfo hints, *ai = NULL;
	char host[256], port_s[8];
	struct web *w;
	enum sd_rc rc;
	int port, r;

	*out = NULL;
	if (sd_conf_split_hostport(cfg->listen, host, sizeof(host), &port) !=
	    SD_OK) {
		snprintf(err, SD_ERRLEN, "web listen '%s' is not host:port",
		    cfg->listen);
		return SD_ECONFIG;
	}
	memset(&hints, 0, sizeof(hints));
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV;
	snprintf(port_s, sizeof(port_s), "%d", port);
	r = getaddrinfo(host, port_s, &hints, &ai);
	if (r != 0) {
		snprintf(err, SD_ERRLEN, "web listen '%s': %s", cfg->listen,
		    gai_strerror(r));
		return SD_ECONFIG;
	}
	w = xcalloc(1, sizeof(*w));
	w->cfg = cfg;
	if (hooks != NULL)
		w->hooks = *hooks;
	pthread_mutex_init(&w->db_lock, NULL);
	rc = db_open(dbcfg, &w->db, err);
	if (rc != SD_OK)
		goto fail;
	w->mhd = MHD_start_daemon(MHD_USE_INTERNAL_POLLING_THREAD |
		MHD_USE_AUTO | MHD_USE_ERROR_LOG |
		(ai->ai_family == AF_INET6 ? MHD_USE_IPv6 : 0),
	    (uint16_t)port, NULL, NULL, web_handle, w,
	    MHD_OPTION_EXTERNAL_LOGGER, web_log_mhd, NULL, MHD_OPTION_SOCK_ADDR,
	    ai->ai_addr, MHD_OPTION_CONNECTION_TIMEOUT,
	    (unsigned)cfg->conn_timeout_s, MHD_OPTION_CONNECTION_LIMIT,
	    (unsigned)cfg->max_connections, MHD_OPTION_PER_IP_CONNECTION_LIMIT,
	    (unsigned)cfg->per_ip_connections,
	    MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)64 * 1024,
	    MHD_OPTION_END);
	if (w->mhd == NULL) {
		snprintf(err, SD_ERRLEN,
		    "cannot listen on %s (in use, or not a local address?)",
		    cfg->listen);
		rc = SD_EIO;
		goto fail;
	}
	freeaddrinfo(ai);
	log_info("web", "listening addr=%s", cfg->listen);
	*out = w;
	return SD_OK;
fail:
	freeaddrinfo(ai);
	db_close(w->db);
	pthread_mutex_destroy(&w->db_lock);
	free(w);
	return rc;
}

void
web_stop(struct web *w)
{
	if (w == NULL)
		return;
	MHD_stop_daemon(w->mhd);
	db_close(w->db);
	pthread_mutex_destroy(&w->db_lock);
	free(w);
	log_info("web", "stopped");
}
