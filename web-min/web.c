/*
 * web-min/web.c: the libmicrohttpd server of the web view.
 *
 * Threads: libmicrohttpd's pool of [web] threads, each listening on the
 * shared socket, each with its own struct db opened on first use (a
 * blocked thread, hashing or waiting for the database, stalls only the
 * connections it holds; the others go on accepting). argon2id is further
 * bounded by a counting semaphore of [web] hash_workers: when every slot
 * is taken a request gets a 503 page at once instead of a queue.
 *
 * Limits (libmicrohttpd 0.9.75 sets none by default, design §8): idle
 * timeout, connections in total and per address, 64 KB per connection
 * for the head; then in our code a deadline per request (the head and
 * the body within [web] request_deadline_s, upload_deadline_s for an
 * upload route) kept by a watchdog thread that shuts the socket of a
 * connection past it (slowloris, slow POST); a request with both
 * Transfer-Encoding and Content-Length is refused (request smuggling),
 * and a body larger than the route allows is refused from its
 * Content-Length before a byte of it is read (413), or as soon as a
 * chunked one passes it.
 *
 * Every answer carries the security headers (CSP without inline script,
 * nosniff, frame-ancestors 'none', Referrer-Policy) and no-store.
 */
#include "web-min/web.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <microhttpd.h>
#include <netdb.h>
#include <pthread.h>
#include <semaphore.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "core/base/buf.h"
#include "core/base/clock.h"
#include "core/base/log.h"
#include "core/base/xmalloc.h"
#include "core/core.h"
#include "web-min/web_int.h"
#include "web-min/web_priv.h"

static enum sd_rc
web_check_user_types(const char *v, char err[SD_ERRLEN])
{
	if (v[0] == '\0' || strchr(v, ',') == NULL) {
		snprintf(err, SD_ERRLEN,
		    "user_types: at least two types, comma separated");
		return SD_EINVAL;
	}
	return SD_OK;
}

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
    {"max_files", SD_CONF_INT, offsetof(struct web_config, max_files), "5", 1,
	20, NULL, NULL, "attachments of one message at most"},
    {"conn_timeout_s", SD_CONF_INT, offsetof(struct web_config, conn_timeout_s),
	"30", 1, 3600, NULL, NULL,
	"close idle HTTP connections after this many seconds"},
    {"max_connections", SD_CONF_INT,
	offsetof(struct web_config, max_connections), "256", 1, 10000, NULL,
	NULL, "HTTP connections at once"},
    {"per_ip_connections", SD_CONF_INT,
	offsetof(struct web_config, per_ip_connections), "16", 1, 10000, NULL,
	NULL, "HTTP connections at once from one address"},
    {"threads", SD_CONF_INT, offsetof(struct web_config, threads), "4", 1, 64,
	NULL, NULL, "web server threads (each has its own database link)"},
    {"request_deadline_s", SD_CONF_INT,
	offsetof(struct web_config, request_deadline_s), "30", 1, 3600, NULL,
	NULL,
	"a request's head and body must arrive within this (slow clients "
	"are cut off)"},
    {"upload_deadline_s", SD_CONF_INT,
	offsetof(struct web_config, upload_deadline_s), "600", 1, 7200, NULL,
	NULL, "the same for a form with attachments"},
    {"max_form_kb", SD_CONF_INT, offsetof(struct web_config, max_form_kb),
	"128", 4, 4096, NULL, NULL,
	"largest body of a form without files, in KB"},
    {"hash_workers", SD_CONF_INT, offsetof(struct web_config, hash_workers),
	"2", 1, 64, NULL, NULL,
	"password hashes computed at once (64 MB each); more get 'try again'"},
    {"trusted_device_days", SD_CONF_INT,
	offsetof(struct web_config, trusted_device_days), "30", 0, 365, NULL,
	NULL,
	"no SMS code at sign-in from a browser that passed one within this "
	"many days (0: always ask)"},
    {"org_name", SD_CONF_STR, offsetof(struct web_config, org_name),
	"سازمان نظام مهندسی ساختمان استان کرمان", 0, 0, NULL, NULL,
	"the organization's name on every page"},
    {"user_types", SD_CONF_STR, offsetof(struct web_config, user_types),
	"مهندس عضو,کاردان,مالک / متقاضی,کارمند سازمان,سایر", 0, 0, NULL,
	web_check_user_types, "sign-up user types, comma separated"},
    {"trusted_proxies", SD_CONF_STR,
	offsetof(struct web_config, trusted_proxies), "", 0, 0, NULL, NULL,
	"reverse proxies (IP addresses, comma separated) whose "
	"X-Forwarded-For and X-Forwarded-Proto are believed"},
    {"tls_cert", SD_CONF_STR, offsetof(struct web_config, tls_cert), "", 0, 0,
	NULL, NULL, "PEM certificate chain: serve HTTPS (with tls_key)"},
    {"tls_key", SD_CONF_STR, offsetof(struct web_config, tls_key), "", 0, 0,
	NULL, NULL, "PEM private key of tls_cert"},
    {"common_passwords", SD_CONF_STR,
	offsetof(struct web_config, common_passwords), WEB_COMMON_AUTO, 0, 0,
	NULL, NULL,
	"refused passwords, one a line; auto: the bundled or installed "
	"common-passwords.txt"},
    {NULL, SD_CONF_STR, 0, NULL, 0, 0, NULL, NULL, NULL},
};

/* One connection, for the deadline watchdog. */
struct web_conn {
	struct web_conn *prev, *next;
	int fd;
	int64_t deadline_ms; /* monotonic; 0: none (answer being sent) */
	bool cut;            /* shut down by the watchdog */
};

/* A thread's database link, kept to close them all at stop. */
struct web_dblink {
	struct web_dblink *next;
	struct db *db;
};

/* The longest query string a receipt may have. */
#define WEB_QUERY_MAX 4096

/* How the body of a request is taken. */
enum web_body {
	WEB_BODY_NONE = 0,
	WEB_BODY_FORM,      /* url-encoded, gathered in ctx->body */
	WEB_BODY_MULTIPART, /* streamed through the post processor */
};

/* One request in progress (libmicrohttpd's req_cls). */
struct web_ctx {
	struct web_req req;
	enum web_body body_kind;
	struct sd_buf body; /* url-encoded form */
	uint64_t body_max;  /* the route's limit */
	uint64_t body_seen; /* bytes so far */
	struct MHD_PostProcessor *pp;
	bool answered;       /* a response is queued */
	bool file_open;      /* an upload part between begin and end */
	bool upload_touched; /* begin was called once */
	bool upload_failed;  /* stop calling back for files */
	bool bad_field;      /* invalid UTF-8 / NUL / too many fields */
	bool handler_ran;    /* the route's handler was called */
	bool session_loaded; /* at the head (a WEB_AUTH POST) */
	bool builtin;        /* /healthz, /metrics, /static/, receipts */
	char cur_field[WEB_FIELD_NAME_MAX];
	struct sd_buf cur_value; /* a multipart non-file field */
};

static pthread_once_t web_tls_once = PTHREAD_ONCE_INIT;
static pthread_key_t web_tls_key;

static void
web_tls_init(void)
{
	if (pthread_key_create(&web_tls_key, NULL) != 0)
		fatalx("web", "pthread_key_create failed");
}

/* ---- Helpers -------------------------------------------------------- */

/* The database link of this thread, opened on first use. NULL (logged)
 * if it cannot be opened. */
static struct db *
web_thread_db(struct web *w)
{
	struct web_dblink *l;
	char err[SD_ERRLEN];
	struct db *db;

	db = pthread_getspecific(web_tls_key);
	if (db != NULL)
		return db;
	if (db_open(w->dbcfg, &db, err) != SD_OK) {
		log_warnx("web", "database open failed: %s", err);
		return NULL;
	}
	l = xcalloc(1, sizeof(*l));
	l->db = db;
	pthread_mutex_lock(&w->lock);
	l->next = w->dbs;
	w->dbs = l;
	pthread_mutex_unlock(&w->lock);
	(void)pthread_setspecific(web_tls_key, db);
	return db;
}

/* The text form of a socket address. */
static void
web_addr_str(const struct sockaddr *sa, char out[WEB_ADDR_LEN])
{
	out[0] = '\0';
	if (sa == NULL)
		return;
	if (sa->sa_family == AF_INET)
		inet_ntop(AF_INET,
		    &((const struct sockaddr_in *)(const void *)sa)->sin_addr,
		    out, WEB_ADDR_LEN);
	else if (sa->sa_family == AF_INET6)
		inet_ntop(AF_INET6,
		    &((const struct sockaddr_in6 *)(const void *)sa)->sin6_addr,
		    out, WEB_ADDR_LEN);
}

/* True if the peer of c is on the loopback interface. */
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

/* True if addr is one of the comma separated list. */
static bool
web_addr_in_list(const char *list, const char *addr)
{
	size_t n = strlen(addr);
	const char *p = list;

	if (n == 0)
		return false;
	while (*p != '\0') {
		const char *e;
		size_t k;

		while (*p == ' ' || *p == ',')
			p++;
		e = p + strcspn(p, ",");
		k = (size_t)(e - p);
		while (k > 0 && p[k - 1] == ' ')
			k--;
		if (k == n && memcmp(p, addr, n) == 0)
			return true;
		p = e;
	}
	return false;
}

/* Who the client is: the peer, or the last hop of X-Forwarded-For when
 * the peer is a trusted proxy (which then also tells the scheme). */
static void
web_client_of(struct web *w, struct web_req *req)
{
	const union MHD_ConnectionInfo *ci = MHD_get_connection_info(req->conn,
	    MHD_CONNECTION_INFO_CLIENT_ADDRESS);
	const char *xff, *proto;

	web_addr_str(ci != NULL ? ci->client_addr : NULL, req->addr);
	req->https = w->tls;
	if (w->cfg->trusted_proxies[0] == '\0' ||
	    !web_addr_in_list(w->cfg->trusted_proxies, req->addr))
		return;
	xff = MHD_lookup_connection_value(req->conn, MHD_HEADER_KIND,
	    "X-Forwarded-For");
	if (xff != NULL) {
		const char *last = strrchr(xff, ',');
		char a[WEB_ADDR_LEN];
		size_t k;

		last = last != NULL ? last + 1 : xff;
		while (*last == ' ')
			last++;
		k = strcspn(last, " ");
		if (k > 0 && k < sizeof(a)) {
			unsigned char bin[16];

			memcpy(a, last, k);
			a[k] = '\0';
			if (inet_pton(AF_INET, a, bin) == 1 ||
			    inet_pton(AF_INET6, a, bin) == 1)
				memcpy(req->addr, a, k + 1);
		}
	}
	proto = MHD_lookup_connection_value(req->conn, MHD_HEADER_KIND,
	    "X-Forwarded-Proto");
	if (proto != NULL)
		req->https = strcmp(proto, "https") == 0;
}

const char *
web_field(struct web_req *req, const char *name)
{
	size_t i;

	for (i = 0; i < req->n_fields; i++)
		if (strcmp(req->fields[i].name, name) == 0)
			return req->fields[i].value;
	return NULL;
}

const char *
web_cookie(struct web_req *req, const char *name)
{
	return MHD_lookup_connection_value(req->conn, MHD_COOKIE_KIND, name);
}

const char *
web_header(struct web_req *req, const char *name)
{
	return MHD_lookup_connection_value(req->conn, MHD_HEADER_KIND, name);
}

void
web_header_add(struct web_req *req, const char *name, const char *value)
{
	if (req->n_hdrs >= WEB_HEADERS_MAX) {
		log_warnx("web", "too many headers name=%s", name);
		return;
	}
	req->hdr_name[req->n_hdrs] = xstrdup(name);
	req->hdr_value[req->n_hdrs] = xstrdup(value);
	req->n_hdrs++;
}

void
web_cookie_set(struct web_req *req, const char *name, const char *value,
    long max_age_s)
{
	char v[512];

	if (max_age_s < 0)
		snprintf(v, sizeof(v),
		    "%s=; Max-Age=0; Path=/; HttpOnly; SameSite=Lax%s", name,
		    req->https ? "; Secure" : "");
	else if (max_age_s == 0)
		snprintf(v, sizeof(v),
		    "%s=%s; Path=/; HttpOnly; SameSite=Lax%s", name, value,
		    req->https ? "; Secure" : "");
	else
		snprintf(v, sizeof(v),
		    "%s=%s; Max-Age=%ld; Path=/; HttpOnly; SameSite=Lax%s",
		    name, value, max_age_s, req->https ? "; Secure" : "");
	web_header_add(req, "Set-Cookie", v);
}

enum sd_rc
web_send_file(struct web_req *req, int fd, uint64_t size, const char *ctype,
    const char *disposition)
{
	if (req->file_fd >= 0)
		close(req->file_fd);
	req->file_fd = fd;
	req->file_size = size;
	req->ctype = ctype;
	if (disposition != NULL)
		web_header_add(req, "Content-Disposition", disposition);
	return SD_OK;
}

void
web_wipe(void *p, size_t n)
{
	volatile unsigned char *v = p;

	while (n-- > 0)
		*v++ = 0;
}

bool
web_hash_acquire(struct web_req *req)
{
	return sem_trywait(&req->w->hash_slots) == 0;
}

void
web_hash_release(struct web_req *req)
{
	sem_post(&req->w->hash_slots);
}

/* ---- Answers ---------------------------------------------------------- */

/* The headers every answer carries. */
static void
web_std_headers(struct MHD_Response *r)
{
	MHD_add_response_header(r, "X-Content-Type-Options", "nosniff");
	MHD_add_response_header(r, "X-Frame-Options", "DENY");
	MHD_add_response_header(r, "Referrer-Policy", "no-referrer");
	MHD_add_response_header(r, "Content-Security-Policy",
	    "default-src 'self'; script-src 'none'; object-src 'none'; "
	    "base-uri 'none'; form-action 'self'; frame-ancestors 'none'");
	MHD_add_response_header(r, "Cache-Control", "no-store");
}

/* A plain answer outside the page machinery (built-ins, early refusals):
 * body is taken. */
static enum MHD_Result
web_reply(struct MHD_Connection *c, unsigned code, const char *ctype,
    char *body, bool close_conn)
{
	struct MHD_Response *r;
	enum MHD_Result ret;

	r = MHD_create_response_from_buffer(strlen(body), body,
	    MHD_RESPMEM_MUST_FREE);
	if (r == NULL) {
		free(body);
		return MHD_NO;
	}
	MHD_add_response_header(r, "Content-Type", ctype);
	web_std_headers(r);
	if (close_conn)
		MHD_add_response_header(r, "Connection", "close");
	ret = MHD_queue_response(c, code, r);
	MHD_destroy_response(r);
	return ret;
}

/* The answer a handler built in req. */
static enum MHD_Result
web_reply_req(struct web_ctx *x)
{
	struct web_req *req = &x->req;
	struct MHD_Response *r;
	enum MHD_Result ret;
	size_t i;

	if (req->file_fd >= 0) {
		r = MHD_create_response_from_fd64(req->file_size, req->file_fd);
		if (r != NULL)
			req->file_fd = -1; /* MHD closes it */
	} else {
		size_t len = sd_buf_len(&req->out);
		char *body = sd_buf_take(&req->out);

		if (body == NULL)
			body = xstrdup("");
		r = MHD_create_response_from_buffer(len, body,
		    MHD_RESPMEM_MUST_FREE);
		if (r == NULL)
			free(body);
	}
	if (r == NULL)
		return MHD_NO;
	MHD_add_response_header(r, "Content-Type",
	    req->ctype != NULL ? req->ctype : "text/html; charset=utf-8");
	web_std_headers(r);
	for (i = 0; i < req->n_hdrs; i++)
		MHD_add_response_header(r, req->hdr_name[i], req->hdr_value[i]);
	ret = MHD_queue_response(req->conn,
	    req->status != 0 ? req->status : 200, r);
	MHD_destroy_response(r);
	x->answered = true;
	return ret;
}

/* ---- The deadline watchdog --------------------------------------------- */

static void
web_conn_deadline(struct web *w, struct web_conn *wc, int64_t deadline_ms)
{
	if (wc == NULL)
		return;
	pthread_mutex_lock(&w->lock);
	wc->deadline_ms = deadline_ms;
	pthread_mutex_unlock(&w->lock);
}

static void *
web_watchdog(void *arg)
{
	struct web *w = arg;

	pthread_mutex_lock(&w->lock);
	while (!w->stopping) {
		struct timespec ts;
		struct web_conn *c;
		int64_t now = sd_clock_mono_ms();
		unsigned long held = 0;

		for (c = w->conns; c != NULL; c = c->next) {
			if (c->deadline_ms == 0 || c->cut ||
			    now < c->deadline_ms)
				continue;
			/* The socket is still MHD's: it closes it after
			 * the CLOSED notice, which takes this lock. */
			shutdown(c->fd, SHUT_RDWR);
			c->cut = true;
			w->cut_total++;
			/* A slowloris flood is one line a second. */
			if (log_ratelim_ok(&w->cut_log, 5, 1000, now, &held))
				log_info("web",
				    "request deadline passed: cut fd=%d "
				    "total=%lu held=%lu",
				    c->fd, w->cut_total, held);
		}
		clock_gettime(CLOCK_REALTIME, &ts);
		ts.tv_nsec += 200 * 1000 * 1000;
		if (ts.tv_nsec >= 1000000000L) {
			ts.tv_sec++;
			ts.tv_nsec -= 1000000000L;
		}
		pthread_cond_timedwait(&w->cond, &w->lock, &ts);
	}
	pthread_mutex_unlock(&w->lock);
	return NULL;
}

static void
web_notify_conn(void *cls, struct MHD_Connection *c, void **socket_context,
    enum MHD_ConnectionNotificationCode toe)
{
	struct web *w = cls;
	struct web_conn *wc;

	if (toe == MHD_CONNECTION_NOTIFY_STARTED) {
		const union MHD_ConnectionInfo *ci = MHD_get_connection_info(c,
		    MHD_CONNECTION_INFO_CONNECTION_FD);

		wc = xcalloc(1, sizeof(*wc));
		wc->fd = ci != NULL ? ci->connect_fd : -1;
		wc->deadline_ms = sd_clock_mono_ms() +
		    w->cfg->request_deadline_s * 1000;
		pthread_mutex_lock(&w->lock);
		wc->next = w->conns;
		if (w->conns != NULL)
			w->conns->prev = wc;
		w->conns = wc;
		pthread_mutex_unlock(&w->lock);
		*socket_context = wc;
		return;
	}
	wc = *socket_context;
	if (wc == NULL)
		return;
	pthread_mutex_lock(&w->lock);
	if (wc->prev != NULL)
		wc->prev->next = wc->next;
	else
		w->conns = wc->next;
	if (wc->next != NULL)
		wc->next->prev = wc->prev;
	pthread_mutex_unlock(&w->lock);
	free(wc);
	*socket_context = NULL;
}

/* ---- Requests ---------------------------------------------------------- */

static void
web_ctx_free(struct web *w, struct web_ctx *x, bool complete)
{
	struct web_req *req = &x->req;
	size_t i;

	(void)w;
	(void)complete;
	if (x->upload_touched && req->route != NULL &&
	    req->route->upload != NULL && req->route->upload->cleanup != NULL)
		req->route->upload->cleanup(req, x->handler_ran);
	if (x->pp != NULL)
		MHD_destroy_post_processor(x->pp);
	for (i = 0; i < req->n_fields; i++) {
		free(req->fields[i].name);
		free(req->fields[i].value);
	}
	for (i = 0; i < req->n_hdrs; i++) {
		free(req->hdr_name[i]);
		free(req->hdr_value[i]);
	}
	if (req->file_fd >= 0)
		close(req->file_fd);
	sd_buf_fini(&req->out);
	sd_buf_fini(&x->body);
	sd_buf_fini(&x->cur_value);
	free((char *)(uintptr_t)req->path);
	free(x);
}

static void
web_completed(void *cls, struct MHD_Connection *c, void **req_cls,
    enum MHD_RequestTerminationCode toe)
{
	struct web *w = cls;
	struct web_ctx *x = *req_cls;
	const union MHD_ConnectionInfo *ci = MHD_get_connection_info(c,
	    MHD_CONNECTION_INFO_SOCKET_CONTEXT);

	/* The next request on this connection has its own deadline. */
	if (ci != NULL)
		web_conn_deadline(w, ci->socket_context,
		    sd_clock_mono_ms() + w->cfg->request_deadline_s * 1000);
	if (x == NULL)
		return;
	web_ctx_free(w, x, toe == MHD_REQUEST_TERMINATED_COMPLETED_OK);
	*req_cls = NULL;
}

/* Store a form field (copied). false if the value is not UTF-8, holds a
 * NUL, or there are too many fields. */
static bool
web_field_add(struct web_req *req, const char *name, size_t nlen,
    const char *value, size_t vlen)
{
	struct web_kv *kv;

	if (req->n_fields >= WEB_FIELDS_MAX || nlen == 0 ||
	    nlen >= WEB_FIELD_NAME_MAX || memchr(value, '\0', vlen) != NULL ||
	    memchr(name, '\0', nlen) != NULL ||
	    !core_text_utf8_valid(name, nlen) ||
	    !core_text_utf8_valid(value, vlen))
		return false;
	kv = &req->fields[req->n_fields++];
	kv->name = xmalloc(nlen + 1);
	memcpy(kv->name, name, nlen);
	kv->name[nlen] = '\0';
	kv->value = xmalloc(vlen + 1);
	memcpy(kv->value, value, vlen);
	kv->value[vlen] = '\0';
	return true;
}

static int
web_hexval(char ch)
{
	if (ch >= '0' && ch <= '9')
		return ch - '0';
	if (ch >= 'a' && ch <= 'f')
		return ch - 'a' + 10;
	if (ch >= 'A' && ch <= 'F')
		return ch - 'A' + 10;
	return -1;
}

/* Decode an url-encoded component in place ('+' is a space); its new
 * length. */
static size_t
web_urldecode(char *s, size_t n)
{
	size_t i, o = 0;

	for (i = 0; i < n; i++) {
		if (s[i] == '+') {
			s[o++] = ' ';
		} else if (s[i] == '%' && i + 2 < n &&
		    web_hexval(s[i + 1]) >= 0 && web_hexval(s[i + 2]) >= 0) {
			s[o++] = (char)(web_hexval(s[i + 1]) * 16 +
			    web_hexval(s[i + 2]));
			i += 2;
		} else {
			s[o++] = s[i];
		}
	}
	return o;
}

/* Parse "a=1&b=2" (len bytes, modified) into req's fields. */
static bool
web_parse_form(struct web_req *req, char *s, size_t len)
{
	size_t i = 0;

	while (i < len) {
		size_t e = i, eq, nl, vl;

		while (e < len && s[e] != '&')
			e++;
		for (eq = i; eq < e && s[eq] != '='; eq++)
			;
		if (e > i) {
			nl = web_urldecode(s + i, eq - i);
			vl = eq < e ? web_urldecode(s + eq + 1, e - eq - 1) : 0;
			if (!web_field_add(req, s + i, nl, s + eq + 1, vl))
				return false;
		}
		i = e + 1;
	}
	return true;
}

/* GET arguments become fields too (after the form's). */
static enum MHD_Result
web_arg_add(void *cls, enum MHD_ValueKind kind, const char *key,
    const char *value)
{
	struct web_ctx *x = cls;

	(void)kind;
	if (!web_field_add(&x->req, key, strlen(key),
		value != NULL ? value : "", value != NULL ? strlen(value) : 0))
		x->bad_field = true;
	return MHD_YES;
}

/* Finish a multipart non-file field. */
static void
web_mp_flush(struct web_ctx *x)
{
	if (x->cur_field[0] == '\0')
		return;
	if (!web_field_add(&x->req, x->cur_field, strlen(x->cur_field),
		sd_buf_len(&x->cur_value) > 0 ? sd_buf_str(&x->cur_value) : "",
		sd_buf_len(&x->cur_value)))
		x->bad_field = true;
	x->cur_field[0] = '\0';
	sd_buf_reset(&x->cur_value);
}

static void
web_mp_file_end(struct web_ctx *x)
{
	struct web_req *req = &x->req;
	enum sd_rc rc;

	if (!x->file_open)
		return;
	x->file_open = false;
	if (x->upload_failed)
		return;
	rc = req->route->upload->end(req);
	if (rc != SD_OK) {
		x->upload_failed = true;
		if (req->upload_rc == SD_OK)
			req->upload_rc = rc;
	}
}

static enum MHD_Result
web_mp_iter(void *cls, enum MHD_ValueKind kind, const char *key,
    const char *filename, const char *content_type,
    const char *transfer_encoding, const char *data, uint64_t off, size_t size)
{
	struct web_ctx *x = cls;
	struct web_req *req = &x->req;
	const struct web_upload *up = req->route->upload;
	enum sd_rc rc;

	(void)kind;
	(void)transfer_encoding;
	if (filename == NULL) {
		if (off == 0 || strcmp(x->cur_field, key) != 0) {
			web_mp_file_end(x);
			web_mp_flush(x);
			snprintf(x->cur_field, sizeof(x->cur_field), "%s", key);
		}
		if (size > 0 && sd_buf_add(&x->cur_value, data, size) != SD_OK)
			x->bad_field = true;
		return MHD_YES;
	}
	if (filename[0] == '\0')
		return MHD_YES; /* a file input left empty */
	if (off == 0) {
		web_mp_flush(x);
		web_mp_file_end(x);
		x->upload_touched = true;
		x->file_open = true;
		if (!x->upload_failed) {
			rc = up->begin(req, key, filename, content_type);
			if (rc != SD_OK) {
				x->upload_failed = true;
				if (req->upload_rc == SD_OK)
					req->upload_rc = rc;
			}
		}
	}
	if (size > 0 && !x->upload_failed) {
		rc = up->data(req, data, size);
		if (rc != SD_OK) {
			x->upload_failed = true;
			if (req->upload_rc == SD_OK)
				req->upload_rc = rc;
		}
	}
	return MHD_YES;
}

/* Match path against pattern; fill req's params. */
static bool
web_route_match(const char *pattern, const char *path, struct web_req *req)
{
	const char *p = pattern, *s = path;

	req->param = 0;
	req->param_s[0] = '\0';
	while (*p != '\0' && *s != '\0') {
		if (*p == '#') {
			int64_t v = 0;
			size_t k = 0;

			while (s[k] >= '0' && s[k] <= '9') {
				if (v > (INT64_C(1) << 62) / 10)
					return false;
				v = v * 10 + (s[k] - '0');
				k++;
			}
			if (k == 0 || k > 18 || v == 0 || s[0] == '0')
				return false;
			req->param = v;
			s += k;
			p++;
		} else if (*p == '*') {
			size_t k = 0;

			while (s[k] != '\0' && s[k] != '/') {
				if (!((s[k] >= 'a' && s[k] <= 'z') ||
					(s[k] >= 'A' && s[k] <= 'Z') ||
					(s[k] >= '0' && s[k] <= '9') ||
					s[k] == '-' || s[k] == '_'))
					return false;
				k++;
			}
			if (k == 0 || k >= WEB_PARAM_MAX)
				return false;
			memcpy(req->param_s, s, k);
			req->param_s[k] = '\0';
			s += k;
			p++;
		} else if (*p == *s) {
			p++;
			s++;
		} else {
			return false;
		}
	}
	return *p == '\0' && *s == '\0';
}

/* Staff, head or admin: who may open /staff/ pages (WEB_STAFF). */
static bool
web_actor_is_staff(const struct core_actor *a)
{
	return a->id > 0 &&
	    (a->kind == CORE_ACTOR_STAFF || a->kind == CORE_ACTOR_HEAD ||
		a->kind == CORE_ACTOR_ADMIN);
}

const char *
web_home(const struct web_req *req)
{
	return web_actor_is_staff(&req->actor) ? "/staff/" : "/requests";
}

/* The route for method and path, or NULL; *other_method is set when the
 * path exists for another method. */
static const struct web_route *
web_route_find(struct web_req *req, const char *method, bool *other_method)
{
	static const struct web_route *const tables[] = {web_routes_auth,
	    web_routes_req, web_routes_staff, web_routes_inbox,
	    web_routes_admin};
	const char *m = strcmp(method, "HEAD") == 0 ? "GET" : method;
	size_t t;

	*other_method = false;
	for (t = 0; t < sizeof(tables) / sizeof(tables[0]); t++) {
		const struct web_route *r;

		for (r = tables[t]; r->method != NULL; r++) {
			if (!web_route_match(r->pattern, req->path, req))
				continue;
			if (strcmp(r->method, m) == 0)
				return r;
			/* A staff page's other method is "no page", not 405:
			 * a 405 would tell anyone which /staff/ paths exist. */
			if ((r->flags & WEB_STAFF) == 0)
				*other_method = true;
		}
	}
	return NULL;
}

/* Refuse before reading a body: the connection closes. */
static enum MHD_Result
web_refuse_early(struct web_ctx *x, unsigned code, const char *fa)
{
	char *body;
	struct sd_buf b;

	sd_buf_init(&b, 4096);
	if (sd_buf_addf(&b,
		"<!doctype html><html lang=\"fa\" dir=\"rtl\"><head><meta "
		"charset=\"utf-8\"><meta name=\"viewport\" content=\"width="
		"device-width, initial-scale=1\"><title>%s</title><link "
		"rel=\"stylesheet\" href=\"/static/site.css\"></head><body>"
		"<main><p class=\"err\">%s</p></main></body></html>",
		fa, fa) != SD_OK)
		sd_buf_reset(&b);
	body = sd_buf_take(&b);
	if (body == NULL)
		body = xstrdup("");
	x->answered = true;
	return web_reply(x->req.conn, code, "text/html; charset=utf-8", body,
	    true);
}

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

/* True if url is one of the built-in paths below. */
static bool
web_is_builtin(struct web *w, const char *url)
{
	return strcmp(url, "/healthz") == 0 ||
	    strcmp(url, "/static/site.css") == 0 ||
	    (strcmp(url, "/metrics") == 0 && w->hooks.metrics != NULL) ||
	    (w->hooks.sms_receipt != NULL && w->hooks.receipt_path != NULL &&
		strcmp(url, w->hooks.receipt_path) == 0);
}

/* Built-in paths that are not pages; false: not one of them. */
static bool
web_builtin(struct web *w, struct MHD_Connection *c, const char *url,
    enum MHD_Result *ret)
{
	if (strcmp(url, "/healthz") == 0) {
		*ret = web_reply(c, MHD_HTTP_OK, "text/plain; charset=utf-8",
		    xstrdup("ok\n"), false);
		return true;
	}
	if (strcmp(url, "/static/site.css") == 0) {
		struct MHD_Response
		    *r = MHD_create_response_from_buffer(strlen(web_site_css),
			(void *)(uintptr_t)web_site_css,
			MHD_RESPMEM_PERSISTENT);

		MHD_add_response_header(r, "Content-Type",
		    "text/css; charset=utf-8");
		web_std_headers(r);
		/* The stylesheet changes only with the program. */
		MHD_del_response_header(r, "Cache-Control", "no-store");
		MHD_add_response_header(r, "Cache-Control",
		    "public, max-age=3600");
		*ret = MHD_queue_response(c, MHD_HTTP_OK, r);
		MHD_destroy_response(r);
		return true;
	}
	if (strcmp(url, "/metrics") == 0 && w->hooks.metrics != NULL) {
		struct db *db;
		char *m;

		/* The peer itself on loopback, and no proxy in between
		 * (a local nginx would make every client look local). */
		if (!web_client_local(c) ||
		    MHD_lookup_connection_value(c, MHD_HEADER_KIND,
			"X-Forwarded-For") != NULL) {
			*ret = web_reply(c, MHD_HTTP_FORBIDDEN,
			    "text/plain; charset=utf-8",
			    xstrdup("metrics are for loopback clients\n"),
			    false);
			return true;
		}
		db = web_thread_db(w);
		/* The hooks were written for one web thread: one at a
		 * time still. */
		pthread_mutex_lock(&w->hooks_lock);
		m = db != NULL ? w->hooks.metrics(w->hooks.arg, db) : NULL;
		pthread_mutex_unlock(&w->hooks_lock);
		if (m == NULL)
			*ret = web_reply(c, MHD_HTTP_SERVICE_UNAVAILABLE,
			    "text/plain; charset=utf-8",
			    xstrdup("try again later\n"), false);
		else
			*ret = web_reply(c, MHD_HTTP_OK,
			    "text/plain; version=0.0.4; charset=utf-8", m,
			    false);
		return true;
	}
	if (w->hooks.sms_receipt != NULL && w->hooks.receipt_path != NULL &&
	    strcmp(url, w->hooks.receipt_path) == 0) {
		struct sd_buf q;
		struct db *db;
		enum sd_rc rc;

		sd_buf_init(&q, WEB_QUERY_MAX);
		MHD_get_connection_values(c, MHD_GET_ARGUMENT_KIND,
		    web_query_add, &q);
		db = web_thread_db(w);
		pthread_mutex_lock(&w->hooks_lock);
		rc = db != NULL ?
		    w->hooks.sms_receipt(w->hooks.arg, db, sd_buf_str(&q)) :
		    SD_EIO;
		pthread_mutex_unlock(&w->hooks_lock);
		sd_buf_fini(&q);
		if (rc == SD_OK)
			*ret = web_reply(c, MHD_HTTP_OK,
			    "text/plain; charset=utf-8", xstrdup("ok\n"),
			    false);
		else if (rc == SD_EPERM)
			*ret = web_reply(c, MHD_HTTP_FORBIDDEN,
			    "text/plain; charset=utf-8",
			    xstrdup("receipt refused\n"), false);
		else if (sd_rc_is_temp(rc))
			*ret = web_reply(c, MHD_HTTP_SERVICE_UNAVAILABLE,
			    "text/plain; charset=utf-8",
			    xstrdup("try again later\n"), false);
		else
			*ret = web_reply(c, MHD_HTTP_BAD_REQUEST,
			    "text/plain; charset=utf-8",
			    xstrdup("not a delivery report\n"), false);
		return true;
	}
	return false;
}

/* The head is in: decide whether to read a body, and how. */
static enum MHD_Result
web_begin(struct web *w, struct MHD_Connection *c, const char *url,
    const char *method, void **req_cls)
{
	const char *te, *cl, *ct;
	const union MHD_ConnectionInfo *ci;
	struct web_ctx *x;
	struct web_req *req;
	bool other = false;
	unsigned long long len = 0;

	x = xcalloc(1, sizeof(*x));
	*req_cls = x;
	req = &x->req;
	req->w = w;
	req->conn = c;
	req->method = method;
	req->path = xstrdup(url);
	req->file_fd = -1;
	req->cfg = w->cfg;
	req->env = w->env;
	req->otp = w->otp;
	sd_buf_init(&req->out, WEB_PAGE_MAX);
	sd_buf_init(&x->body, 0);
	sd_buf_init(&x->cur_value, SD_BODY_MAX * 2);
	ci = MHD_get_connection_info(c, MHD_CONNECTION_INFO_SOCKET_CONTEXT);
	req->wc = ci != NULL ? ci->socket_context : NULL;
	log_trace(TRACE_HTTP, "web", "request method=%s url=%.100s", method,
	    url);

	te = MHD_lookup_connection_value(c, MHD_HEADER_KIND,
	    MHD_HTTP_HEADER_TRANSFER_ENCODING);
	cl = MHD_lookup_connection_value(c, MHD_HEADER_KIND,
	    MHD_HTTP_HEADER_CONTENT_LENGTH);
	if (te != NULL && cl != NULL) {
		log_info("web",
		    "refused: Transfer-Encoding with "
		    "Content-Length");
		return web_refuse_early(x, MHD_HTTP_BAD_REQUEST,
		    core_web_txt(CORE_WT_BAD_REQUEST));
	}
	if (cl != NULL) {
		char *end;

		errno = 0;
		len = strtoull(cl, &end, 10);
		if (errno != 0 || *end != '\0' || end == cl)
			return web_refuse_early(x, MHD_HTTP_BAD_REQUEST,
			    core_web_txt(CORE_WT_BAD_REQUEST));
	}
	if (web_is_builtin(w, url)) {
		/* Answered at the next call, once libmicrohttpd knows there
		 * is no body: an answer queued now would close the
		 * connection (keep-alive lost for every /static/ fetch). */
		if ((cl != NULL && len > 0) || te != NULL)
			return web_refuse_early(x, MHD_HTTP_CONTENT_TOO_LARGE,
			    core_web_txt(CORE_WT_TOO_LARGE));
		x->builtin = true;
		return MHD_YES;
	}
	if (strcmp(method, "GET") != 0 && strcmp(method, "HEAD") != 0 &&
	    strcmp(method, "POST") != 0)
		return web_refuse_early(x, MHD_HTTP_METHOD_NOT_ALLOWED,
		    core_web_txt(CORE_WT_BAD_REQUEST));
	req->route = web_route_find(req, method, &other);
	if (req->route == NULL && other)
		return web_refuse_early(x, MHD_HTTP_METHOD_NOT_ALLOWED,
		    core_web_txt(CORE_WT_BAD_REQUEST));
	if (strcmp(method, "POST") != 0) {
		if ((cl != NULL && len > 0) || te != NULL)
			return web_refuse_early(x, MHD_HTTP_CONTENT_TOO_LARGE,
			    core_web_txt(CORE_WT_TOO_LARGE));
		return MHD_YES;
	}
	if (req->route == NULL)
		return web_refuse_early(x, MHD_HTTP_NOT_FOUND,
		    core_web_txt(CORE_WT_NOT_FOUND));
	x->body_max = (uint64_t)w->cfg->max_form_kb * 1024;
	if ((req->route->flags & WEB_UPLOAD) != 0)
		x->body_max = (uint64_t)w->cfg->max_files *
			(uint64_t)w->cfg->max_file_mb * 1024 * 1024 +
		    (uint64_t)w->cfg->max_form_kb * 1024;
	if (cl != NULL && len > x->body_max) {
		log_info("web", "refused: body too large len=%llu max=%llu",
		    len, (unsigned long long)x->body_max);
		return web_refuse_early(x, MHD_HTTP_CONTENT_TOO_LARGE,
		    core_web_txt(CORE_WT_TOO_LARGE));
	}
	/* A page for signed-in users reads no body from anyone else
	 * (attachments above all): the session is known from the head. */
	if ((req->route->flags & WEB_AUTH) != 0) {
		web_client_of(w, req);
		req->db = web_thread_db(w);
		if (req->db == NULL || web_session_load(req) != SD_OK)
			return web_refuse_early(x, MHD_HTTP_SERVICE_UNAVAILABLE,
			    core_web_txt(CORE_WT_BUSY));
		x->session_loaded = true;
		if (!req->signed_in) {
			log_info("web",
			    "refused: POST without a session "
			    "path=%.100s",
			    req->path);
			return web_refuse_early(x, MHD_HTTP_FORBIDDEN,
			    core_web_txt(CORE_WT_SIGNIN_NEEDED));
		}
		/* Not staff: the answer of a POST to no page at all. */
		if ((req->route->flags & WEB_STAFF) != 0 &&
		    !web_actor_is_staff(&req->actor)) {
			log_info("web",
			    "refused: not staff user=%lld "
			    "path=%.100s",
			    (long long)req->user_id, req->path);
			return web_refuse_early(x, MHD_HTTP_NOT_FOUND,
			    core_web_txt(CORE_WT_NOT_FOUND));
		}
	}
	ct = MHD_lookup_connection_value(c, MHD_HEADER_KIND,
	    MHD_HTTP_HEADER_CONTENT_TYPE);
	if ((ct != NULL &&
		strncasecmp(ct, "application/x-www-form-urlencoded", 33) ==
		    0) ||
	    (ct == NULL && te == NULL && len == 0)) {
		/* (An empty POST is an empty form: its CSRF check fails.) */
		x->body_kind = WEB_BODY_FORM;
		sd_buf_init(&x->body, (size_t)x->body_max);
	} else if (ct != NULL &&
	    strncasecmp(ct, "multipart/form-data", 19) == 0 &&
	    (req->route->flags & WEB_UPLOAD) != 0 &&
	    req->route->upload != NULL) {
		x->body_kind = WEB_BODY_MULTIPART;
		x->pp = MHD_create_post_processor(c, 16 * 1024, web_mp_iter, x);
		if (x->pp == NULL)
			return web_refuse_early(x, MHD_HTTP_BAD_REQUEST,
			    core_web_txt(CORE_WT_BAD_REQUEST));
		web_conn_deadline(w, req->wc,
		    sd_clock_mono_ms() + w->cfg->upload_deadline_s * 1000);
	} else {
		return web_refuse_early(x, MHD_HTTP_UNSUPPORTED_MEDIA_TYPE,
		    core_web_txt(CORE_WT_BAD_REQUEST));
	}
	return MHD_YES;
}

/* The whole request is in: run its handler. */
static enum MHD_Result
web_run(struct web *w, struct web_ctx *x)
{
	struct web_req *req = &x->req;
	enum MHD_Result ret;
	enum sd_rc rc;

	/* The answer is the client's to read at its pace now (idle
	 * timeout only). */
	web_conn_deadline(w, req->wc, 0);
	if (x->body_kind == WEB_BODY_MULTIPART) {
		if (x->pp != NULL &&
		    MHD_destroy_post_processor(x->pp) != MHD_YES)
			x->bad_field = true;
		x->pp = NULL;
		web_mp_file_end(x);
		web_mp_flush(x);
	} else if (x->body_kind == WEB_BODY_FORM && sd_buf_len(&x->body) > 0) {
		if (!web_parse_form(req, x->body.s, sd_buf_len(&x->body)))
			x->bad_field = true;
	}
	MHD_get_connection_values(req->conn, MHD_GET_ARGUMENT_KIND, web_arg_add,
	    x);
	if (!x->session_loaded)
		web_client_of(w, req);
	if (x->bad_field)
		return web_refuse_early(x, MHD_HTTP_BAD_REQUEST,
		    core_web_txt(CORE_WT_BAD_FIELD));
	req->db = web_thread_db(w);
	if (req->db == NULL)
		return web_refuse_early(x, MHD_HTTP_SERVICE_UNAVAILABLE,
		    core_web_txt(CORE_WT_BUSY));
	if (req->route == NULL) {
		/* Signed in, the same page as a WEB_STAFF route refused
		 * (its header shows the user's links): a path with no page
		 * and a page that is not theirs must read alike. */
		if (web_session_load(req) != SD_OK)
			log_warnx("web", "no session for a 404 path=%.100s",
			    req->path);
		(void)web_not_found(req);
		return web_reply_req(x);
	}
	rc = x->session_loaded ? SD_OK : web_session_load(req);
	if (rc != SD_OK) {
		(void)web_refuse(req, MHD_HTTP_SERVICE_UNAVAILABLE,
		    core_web_txt(CORE_WT_BUSY_TITLE),
		    core_web_txt(CORE_WT_BUSY));
		return web_reply_req(x);
	}
	if (strcmp(req->method, "POST") == 0 && !web_csrf_ok(req)) {
		log_info("web", "refused: csrf path=%.100s", req->path);
		(void)web_refuse(req, MHD_HTTP_FORBIDDEN,
		    core_web_txt(CORE_WT_CSRF_TITLE),
		    core_web_txt(CORE_WT_CSRF));
	} else if ((req->route->flags & WEB_AUTH) != 0 && !req->signed_in) {
		struct sd_buf to;

		sd_buf_init(&to, 1024);
		if (sd_buf_adds(&to, "/?next=") != SD_OK ||
		    (strcmp(req->method, "GET") == 0 &&
			sd_buf_adds(&to, req->path) != SD_OK))
			sd_buf_reset(&to);
		(void)web_redirect(req, sd_buf_str(&to));
		sd_buf_fini(&to);
	} else if ((req->route->flags & WEB_ANON) != 0 && req->signed_in) {
		(void)web_redirect(req, web_home(req));
	} else if ((req->route->flags & WEB_STAFF) != 0 &&
	    !web_actor_is_staff(&req->actor)) {
		log_info("web", "refused: not staff user=%lld path=%.100s",
		    (long long)req->user_id, req->path);
		(void)web_not_found(req);
	} else {
		bool snap = (req->route->flags & WEB_READ) != 0 &&
		    db_read_begin(req->db) == SD_OK;

		x->handler_ran = true;
		rc = req->route->handler(req);
		if (snap)
			db_read_end(req->db);
		if (rc != SD_OK && req->status == 0) {
			log_warnx("web", "handler failed path=%.100s rc=%s",
			    req->path, sd_rc_str(rc));
			sd_buf_reset(&req->out);
			req->title_done = false;
			(void)web_refuse(req,
			    sd_rc_is_temp(rc) ? MHD_HTTP_SERVICE_UNAVAILABLE :
						MHD_HTTP_INTERNAL_SERVER_ERROR,
			    core_web_txt(CORE_WT_BUSY_TITLE),
			    core_web_txt(CORE_WT_BUSY));
		}
	}
	ret = web_reply_req(x);
	return ret;
}

static enum MHD_Result
web_handle(void *cls, struct MHD_Connection *c, const char *url,
    const char *method, const char *version, const char *upload_data,
    size_t *upload_size, void **req_cls)
{
	struct web *w = cls;
	struct web_ctx *x = *req_cls;

	(void)version;
	if (x == NULL)
		return web_begin(w, c, url, method, req_cls);
	if (x->builtin && !x->answered && *upload_size == 0) {
		enum MHD_Result ret = MHD_NO;

		web_conn_deadline(w, x->req.wc, 0);
		x->answered = true;
		(void)web_builtin(w, c, url, &ret);
		return ret;
	}
	if (x->answered) {
		/* Refused before the body: it is not read. */
		*upload_size = 0;
		return MHD_YES;
	}
	if (*upload_size != 0) {
		size_t n = *upload_size;

		x->body_seen += n;
		*upload_size = 0;
		/* libmicrohttpd 0.9.75 takes no answer in the middle of a
		 * body: a chunked body past its limit (a Content-Length
		 * one was refused from the head) or a broken one closes
		 * the connection, and reading stops there. */
		if (x->body_seen > x->body_max ||
		    x->body_kind == WEB_BODY_NONE) {
			log_info("web",
			    "refused: chunked body over its limit "
			    "max=%llu: connection closed",
			    (unsigned long long)x->body_max);
			return MHD_NO;
		}
		if (x->body_kind == WEB_BODY_FORM) {
			if (sd_buf_add(&x->body, upload_data, n) != SD_OK)
				return MHD_NO;
		} else if (MHD_post_process(x->pp, upload_data, n) != MHD_YES) {
			log_info("web", "refused: malformed multipart body");
			return MHD_NO;
		}
		return MHD_YES;
	}
	return web_run(w, x);
}

static void SD_PRINTF(2, 0) web_log_mhd(void *cls, const char *fmt, va_list ap)
{
	char buf[512];

	(void)cls;
	vsnprintf(buf, sizeof(buf), fmt, ap);
	buf[strcspn(buf, "\n")] = '\0';
	log_warnx("web", "mhd: %s", buf);
}

/* Read a whole small file (a PEM) into a new string. */
static char *
web_slurp(const char *path, char err[SD_ERRLEN])
{
	struct sd_buf b;
	char chunk[4096];
	FILE *f = fopen(path, "r");
	size_t n;

	if (f == NULL) {
		snprintf(err, SD_ERRLEN, "cannot read %s: %s", path,
		    strerror(errno));
		return NULL;
	}
	sd_buf_init(&b, 1024 * 1024);
	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0)
		if (sd_buf_add(&b, chunk, n) != SD_OK) {
			snprintf(err, SD_ERRLEN, "%s is too large", path);
			sd_buf_fini(&b);
			fclose(f);
			return NULL;
		}
	fclose(f);
	if (sd_buf_len(&b) == 0) {
		snprintf(err, SD_ERRLEN, "%s is empty", path);
		sd_buf_fini(&b);
		return NULL;
	}
	return sd_buf_take(&b);
}

enum sd_rc
web_start(const struct web_config *cfg, const struct db_config *dbcfg,
    const struct web_hooks *hooks, struct web **out, char err[SD_ERRLEN])
{
	static const struct core_otp_config otp_defaults = {120, 5, 60, 5, 20,
	    200};
	struct MHD_OptionItem ops[24];
	struct addrinfo hints, *ai = NULL;
	char host[256], port_s[8];
	struct web *w;
	enum sd_rc rc;
	size_t k = 0;
	int port, r;
	unsigned flags;

	*out = NULL;
	pthread_once(&web_tls_once, web_tls_init);
	if (sd_conf_split_hostport(cfg->listen, host, sizeof(host), &port) !=
	    SD_OK) {
		snprintf(err, SD_ERRLEN, "web listen '%s' is not host:port",
		    cfg->listen);
		return SD_ECONFIG;
	}
	if ((cfg->tls_cert[0] == '\0') != (cfg->tls_key[0] == '\0')) {
		snprintf(err, SD_ERRLEN,
		    "[web] tls_cert and tls_key go together");
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
	w->dbcfg = dbcfg;
	if (hooks != NULL)
		w->hooks = *hooks;
	w->env = w->hooks.env != NULL ? w->hooks.env : &core_env_no_sms;
	w->otp = w->hooks.otp != NULL ? w->hooks.otp : &otp_defaults;
	pthread_mutex_init(&w->lock, NULL);
	pthread_mutex_init(&w->hooks_lock, NULL);
	pthread_cond_init(&w->cond, NULL);
	sem_init(&w->hash_slots, 0, (unsigned)cfg->hash_workers);
	rc = web_account_init(w, err);
	if (rc != SD_OK)
		goto fail;
	if (cfg->tls_cert[0] != '\0') {
		if (MHD_is_feature_supported(MHD_FEATURE_TLS) != MHD_YES) {
			snprintf(err, SD_ERRLEN,
			    "this libmicrohttpd has no TLS support");
			rc = SD_ECONFIG;
			goto fail;
		}
		w->tls_cert = web_slurp(cfg->tls_cert, err);
		w->tls_key = w->tls_cert != NULL ?
		    web_slurp(cfg->tls_key, err) :
		    NULL;
		if (w->tls_key == NULL) {
			rc = SD_ECONFIG;
			goto fail;
		}
		w->tls = true;
		ops[k++] = (struct MHD_OptionItem){MHD_OPTION_HTTPS_MEM_CERT, 0,
		    w->tls_cert};
		ops[k++] = (struct MHD_OptionItem){MHD_OPTION_HTTPS_MEM_KEY, 0,
		    w->tls_key};
	}
	ops[k++] = (struct MHD_OptionItem){MHD_OPTION_THREAD_POOL_SIZE,
	    (intptr_t)cfg->threads, NULL};
	ops[k++] = (struct MHD_OptionItem){MHD_OPTION_END, 0, NULL};
	if (pthread_create(&w->watchdog, NULL, web_watchdog, w) != 0) {
		snprintf(err, SD_ERRLEN, "cannot start the watchdog thread");
		rc = SD_EINTERNAL;
		goto fail;
	}
	w->watchdog_on = true;
	flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_AUTO |
	    MHD_USE_ERROR_LOG | (w->tls ? MHD_USE_TLS : 0) |
	    (ai->ai_family == AF_INET6 ? MHD_USE_IPv6 : 0);
	w->mhd = MHD_start_daemon(flags, (uint16_t)port, NULL, NULL, web_handle,
	    w, MHD_OPTION_EXTERNAL_LOGGER, web_log_mhd, NULL,
	    MHD_OPTION_SOCK_ADDR, ai->ai_addr, MHD_OPTION_CONNECTION_TIMEOUT,
	    (unsigned)cfg->conn_timeout_s, MHD_OPTION_CONNECTION_LIMIT,
	    (unsigned)cfg->max_connections, MHD_OPTION_PER_IP_CONNECTION_LIMIT,
	    (unsigned)cfg->per_ip_connections,
	    MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)WEB_CONN_POOL,
	    MHD_OPTION_NOTIFY_COMPLETED, web_completed, w,
	    MHD_OPTION_NOTIFY_CONNECTION, web_notify_conn, w, MHD_OPTION_ARRAY,
	    ops, MHD_OPTION_END);
	if (w->mhd == NULL) {
		snprintf(err, SD_ERRLEN,
		    "cannot listen on %s (in use, not a local address, or a "
		    "bad certificate?)",
		    cfg->listen);
		rc = SD_EIO;
		goto fail;
	}
	freeaddrinfo(ai);
	log_info("web", "listening addr=%s threads=%ld tls=%s", cfg->listen,
	    cfg->threads, w->tls ? "yes" : "no");
	*out = w;
	return SD_OK;
fail:
	freeaddrinfo(ai);
	w->mhd = NULL;
	web_stop_quiet(w);
	return rc;
}

void
web_stop_quiet(struct web *w)
{
	struct web_dblink *l, *next;

	if (w->mhd != NULL)
		MHD_stop_daemon(w->mhd);
	if (w->watchdog_on) {
		pthread_mutex_lock(&w->lock);
		w->stopping = true;
		pthread_cond_signal(&w->cond);
		pthread_mutex_unlock(&w->lock);
		pthread_join(w->watchdog, NULL);
	}
	for (l = w->dbs; l != NULL; l = next) {
		next = l->next;
		db_close(l->db);
		free(l);
	}
	web_account_fini(w);
	sem_destroy(&w->hash_slots);
	pthread_cond_destroy(&w->cond);
	pthread_mutex_destroy(&w->hooks_lock);
	pthread_mutex_destroy(&w->lock);
	free(w->tls_cert);
	free(w->tls_key);
	free(w);
}

void
web_stop(struct web *w)
{
	if (w == NULL)
		return;
	web_stop_quiet(w);
	log_info("web", "stopped");
}
