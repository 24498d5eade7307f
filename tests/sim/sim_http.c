/*
 * tests/sim/sim_http.c: the libmicrohttpd side of the control interface.
 *
 * libmicrohttpd runs one internal polling thread. For each request it
 * collects the form body (at most SIM_HTTP_BODY_MAX octets; per-request
 * state is allocated on the first callback and freed in the completion
 * callback, as libmicrohttpd's largepost.c example does), copies method,
 * path and arguments into a struct sim_req, appends it to a queue under
 * a mutex and wakes the loop through its eventfd. The loop thread
 * (http_on_wake) answers every queued request with sim_web_handle() and
 * signals the condition variable. Nothing else crosses threads; in
 * particular libsmpp34 and struct sim stay in the loop thread.
 *
 * Ownership: a queued request belongs to the HTTP thread, which waits
 * for it; if the wait times out it marks the request abandoned and the
 * loop thread frees it when done. sim_http_stop() answers whatever is
 * still queued with 503 before stopping the daemon.
 *
 * libmicrohttpd 0.9.75 sets no connection timeout or limits and does not
 * reject a request carrying both Transfer-Encoding and Content-Length
 * (design.md §8): the limits are set here and such requests get 400.
 */
#include "tests/sim/sim.h"

#include <errno.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <microhttpd.h>

#include "core/base/log.h"
#include "core/base/xmalloc.h"

#define HTTP_WAIT_MS 10000     /* longest wait for the loop's answer */
#define HTTP_CONN_MAX 64       /* connections at once */
#define HTTP_CONN_TIMEOUT_S 30 /* idle connection timeout */

struct sim_http {
	struct MHD_Daemon *d; /* the daemon */
	struct sd_loop *loop; /* woken by the HTTP thread */
	struct sim *sim;      /* dereferenced by the loop thread only */
	int fd;               /* listening socket */
	pthread_mutex_t mu;   /* guards everything below */
	pthread_cond_t cv;    /* a request was answered */
	struct sim_req *head; /* requests for the loop, oldest first */
	struct sim_req *tail;
	bool closed; /* stopping: no more requests */
};

/* Per-request state of the HTTP thread. */
struct http_state {
	struct sim_buf body; /* form body so far */
	bool too_big;        /* body over SIM_HTTP_BODY_MAX */
	bool smuggle;        /* both Transfer-Encoding and Content-Length */
};

const char *
sim_req_arg(const struct sim_req *r, const char *key)
{
	size_t i;

	for (i = 0; i < r->n_kv; i++)
		if (strcmp(r->kv[i].key, key) == 0)
			return r->kv[i].val;
	return NULL;
}

void
sim_req_free(struct sim_req *r)
{
	size_t i;

	if (r == NULL)
		return;
	for (i = 0; i < r->n_kv; i++) {
		free(r->kv[i].key);
		free(r->kv[i].val);
	}
	free(r->kv);
	free(r->method);
	free(r->path);
	free(r->body);
	free(r->location);
	free(r);
}

static bool
req_add_arg(struct sim_req *r, const char *key, size_t klen, const char *val,
    size_t vlen)
{
	if (r->n_kv >= SIM_HTTP_ARGS_MAX)
		return false;
	if (r->kv == NULL)
		r->kv = xcalloc(SIM_HTTP_ARGS_MAX, sizeof(*r->kv));
	r->kv[r->n_kv].key = xstrndup(key, klen);
	r->kv[r->n_kv].val = xstrndup(val, vlen);
	r->n_kv++;
	return true;
}

static enum MHD_Result
http_query_arg(
    void *cls, enum MHD_ValueKind kind, const char *key, const char *value)
{
	struct sim_req *r = cls;

	(void)kind;
	if (value == NULL)
		value = "";
	return req_add_arg(r, key, strlen(key), value, strlen(value)) ? MHD_YES
								      : MHD_NO;
}

static int
hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* Decode application/x-www-form-urlencoded text in place; returns the
 * new length. */
static size_t
form_decode(char *s, size_t n)
{
	size_t i, o = 0;

	for (i = 0; i < n; i++) {
		if (s[i] == '+') {
			s[o++] = ' ';
		} else if (s[i] == '%' && i + 2 < n && hexval(s[i + 1]) >= 0 &&
			   hexval(s[i + 2]) >= 0) {
			s[o++] =
			    (char)(hexval(s[i + 1]) << 4 | hexval(s[i + 2]));
			i += 2;
		} else {
			s[o++] = s[i];
		}
	}
	return o;
}

/* Add the fields of a form body. False when there are too many. */
static bool
req_add_form(struct sim_req *r, char *body, size_t n)
{
	size_t i = 0;

	while (i < n) {
		size_t end = i, eq, klen, vlen;

		while (end < n && body[end] != '&')
			end++;
		for (eq = i; eq < end && body[eq] != '='; eq++)
			;
		klen = form_decode(body + i, eq - i);
		vlen = eq < end ? form_decode(body + eq + 1, end - eq - 1) : 0;
		if (klen > 0 && !req_add_arg(r, body + i, klen,
				    eq < end ? body + eq + 1 : "", vlen))
			return false;
		i = end + 1;
	}
	return true;
}

static void
http_on_wake(struct sd_loop *loop, void *arg)
{
	struct sim_http *h = arg;
	struct sim_req *r, *next;

	(void)loop;
	pthread_mutex_lock(&h->mu);
	r = h->head;
	h->head = h->tail = NULL;
	pthread_mutex_unlock(&h->mu);
	for (; r != NULL; r = next) {
		next = r->next;
		sim_web_handle(h->sim, r);
		pthread_mutex_lock(&h->mu);
		if (r->abandoned) {
			sim_req_free(r);
		} else {
			r->done = true;
			pthread_cond_broadcast(&h->cv);
		}
		pthread_mutex_unlock(&h->mu);
	}
}

static enum MHD_Result
http_reply(struct MHD_Connection *conn, unsigned status, const char *ctype,
    char *body, size_t len, const char *location, const char *allow)
{
	struct MHD_Response *resp;
	enum MHD_Result ret;

	if (body == NULL) {
		body = xstrdup("");
		len = 0;
	}
	resp =
	    MHD_create_response_from_buffer_with_free_callback(len, body, free);
	if (resp == NULL) {
		free(body);
		return MHD_NO;
	}
	(void)MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE,
	    ctype != NULL ? ctype : "text/plain; charset=utf-8");
	(void)MHD_add_response_header(
	    resp, MHD_HTTP_HEADER_CACHE_CONTROL, "no-store");
	(void)MHD_add_response_header(
	    resp, "X-Content-Type-Options", "nosniff");
	if (ctype != NULL && strncmp(ctype, "text/html", 9) == 0)
		(void)MHD_add_response_header(resp, "Content-Security-Policy",
		    "default-src 'none'; style-src 'unsafe-inline'; "
		    "form-action 'self'");
	if (location != NULL)
		(void)MHD_add_response_header(
		    resp, MHD_HTTP_HEADER_LOCATION, location);
	if (allow != NULL)
		(void)MHD_add_response_header(
		    resp, MHD_HTTP_HEADER_ALLOW, allow);
	ret = MHD_queue_response(conn, status, resp);
	MHD_destroy_response(resp);
	return ret;
}

static enum MHD_Result
http_error(struct MHD_Connection *conn, unsigned status, const char *msg)
{
	char *body = xasprintf("{\"error\":\"%s\"}\n", msg);

	return http_reply(
	    conn, status, "application/json", body, strlen(body), NULL, NULL);
}

/* Hand r to the loop thread and wait for its answer. True when answered;
 * false (r then belongs to the loop thread or was freed) when the
 * simulator is stopping or did not answer in time. */
static bool
http_ask_loop(struct sim_http *h, struct sim_req *r)
{
	struct timespec until;
	bool answered;

	clock_gettime(CLOCK_MONOTONIC, &until);
	until.tv_sec += HTTP_WAIT_MS / 1000;
	pthread_mutex_lock(&h->mu);
	if (h->closed) {
		pthread_mutex_unlock(&h->mu);
		sim_req_free(r);
		return false;
	}
	r->next = NULL;
	if (h->tail != NULL)
		h->tail->next = r;
	else
		h->head = r;
	h->tail = r;
	pthread_mutex_unlock(&h->mu);
	sd_loop_wake(h->loop);

	pthread_mutex_lock(&h->mu);
	while (!r->done) {
		if (pthread_cond_timedwait(&h->cv, &h->mu, &until) == ETIMEDOUT)
			break;
	}
	answered = r->done;
	if (!answered)
		r->abandoned = true; /* the loop (or stop) frees it */
	pthread_mutex_unlock(&h->mu);
	return answered;
}

static enum MHD_Result
http_on_request(void *cls, struct MHD_Connection *conn, const char *url,
    const char *method, const char *version, const char *upload_data,
    size_t *upload_data_size, void **con_cls)
{
	struct sim_http *h = cls;
	struct http_state *st = *con_cls;
	struct sim_req *r;
	const char *ctype;
	enum MHD_Result ret;

	(void)version;
	if (st == NULL) {
		st = xcalloc(1, sizeof(*st));
		*con_cls = st;
		st->smuggle = MHD_lookup_connection_value(conn, MHD_HEADER_KIND,
				  MHD_HTTP_HEADER_TRANSFER_ENCODING) != NULL &&
			      MHD_lookup_connection_value(conn, MHD_HEADER_KIND,
				  MHD_HTTP_HEADER_CONTENT_LENGTH) != NULL;
		return MHD_YES;
	}
	if (*upload_data_size != 0) {
		if (!st->too_big && !st->smuggle) {
			if (st->body.len + *upload_data_size >
			    SIM_HTTP_BODY_MAX) {
				st->too_big = true;
				sim_buf_fini(&st->body);
			} else {
				sim_buf_add(
				    &st->body, upload_data, *upload_data_size);
			}
		}
		*upload_data_size = 0;
		return MHD_YES;
	}
	if (st->smuggle)
		return http_error(conn, MHD_HTTP_BAD_REQUEST,
		    "both Transfer-Encoding and Content-Length");
	if (st->too_big)
		return http_error(
		    conn, MHD_HTTP_CONTENT_TOO_LARGE, "request body too large");

	r = xcalloc(1, sizeof(*r));
	r->method = xstrdup(method);
	r->path = xstrdup(url);
	if (MHD_get_connection_values(conn, MHD_GET_ARGUMENT_KIND,
		http_query_arg, r) > SIM_HTTP_ARGS_MAX) {
		sim_req_free(r);
		return http_error(
		    conn, MHD_HTTP_BAD_REQUEST, "too many arguments");
	}
	ctype = MHD_lookup_connection_value(
	    conn, MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_TYPE);
	if (st->body.len > 0 && ctype != NULL &&
	    strncasecmp(ctype, "application/x-www-form-urlencoded", 33) == 0 &&
	    !req_add_form(r, st->body.p, st->body.len)) {
		sim_req_free(r);
		return http_error(
		    conn, MHD_HTTP_BAD_REQUEST, "too many arguments");
	}
	if (!http_ask_loop(h, r))
		return http_error(conn, MHD_HTTP_SERVICE_UNAVAILABLE,
		    "simulator busy or stopping");
	/* Answered: the request is ours again. */
	ret = http_reply(conn, r->status, r->ctype, r->body, r->body_len,
	    r->location, r->allow);
	r->body = NULL;
	sim_req_free(r);
	return ret;
}

static void
http_on_completed(void *cls, struct MHD_Connection *conn, void **con_cls,
    enum MHD_RequestTerminationCode toe)
{
	struct http_state *st = *con_cls;

	(void)cls;
	(void)conn;
	(void)toe;
	if (st == NULL)
		return;
	sim_buf_fini(&st->body);
	free(st);
	*con_cls = NULL;
}

enum sd_rc
sim_http_start(struct sim *s, char err[SD_ERRLEN])
{
	struct sim_http *h = xcalloc(1, sizeof(*h));
	struct sockaddr_in sa;
	socklen_t sl = sizeof(sa);
	pthread_condattr_t ca;
	int one = 1;

	h->sim = s;
	h->loop = s->loop;
	pthread_mutex_init(&h->mu, NULL);
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&h->cv, &ca);
	pthread_condattr_destroy(&ca);
	s->http = h;

	/* Our own socket, so port 0 works and the bound port is known. */
	h->fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (h->fd < 0) {
		snprintf(err, SD_ERRLEN, "socket: %s", strerror(errno));
		return SD_EIO;
	}
	(void)setsockopt(h->fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	memset(&sa, 0, sizeof(sa));
	sa.sin_family = AF_INET;
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	sa.sin_port = htons((uint16_t)s->opts->http_port);
	if (bind(h->fd, (struct sockaddr *)&sa, sizeof(sa)) != 0 ||
	    listen(h->fd, 64) != 0 ||
	    getsockname(h->fd, (struct sockaddr *)&sa, &sl) != 0) {
		snprintf(err, SD_ERRLEN, "HTTP listen on 127.0.0.1:%ld: %s",
		    s->opts->http_port, strerror(errno));
		return SD_EIO;
	}
	s->http_port = ntohs(sa.sin_port);
	sd_loop_on_wake(s->loop, http_on_wake, h);
	h->d = MHD_start_daemon(
	    MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_AUTO | MHD_USE_ERROR_LOG,
	    0, NULL, NULL, http_on_request, h, MHD_OPTION_LISTEN_SOCKET, h->fd,
	    MHD_OPTION_CONNECTION_LIMIT, (unsigned)HTTP_CONN_MAX,
	    MHD_OPTION_PER_IP_CONNECTION_LIMIT, (unsigned)HTTP_CONN_MAX,
	    MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)HTTP_CONN_TIMEOUT_S,
	    MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)(128 * 1024),
	    MHD_OPTION_NOTIFY_COMPLETED, http_on_completed, h, MHD_OPTION_END);
	if (h->d == NULL) {
		snprintf(err, SD_ERRLEN, "libmicrohttpd did not start");
		return SD_EIO;
	}
	h->fd = -1; /* MHD_stop_daemon() closes it now */
	return SD_OK;
}

void
sim_http_stop(struct sim *s)
{
	struct sim_http *h = s->http;
	struct sim_req *r, *next;

	if (h == NULL)
		return;
	pthread_mutex_lock(&h->mu);
	h->closed = true;
	for (r = h->head; r != NULL; r = next) {
		next = r->next;
		if (r->abandoned) {
			sim_req_free(r);
			continue;
		}
		r->status = MHD_HTTP_SERVICE_UNAVAILABLE;
		r->ctype = "application/json";
		free(r->body);
		r->body = xstrdup("{\"error\":\"stopping\"}\n");
		r->body_len = strlen(r->body);
		r->done = true;
	}
	h->head = h->tail = NULL;
	pthread_cond_broadcast(&h->cv);
	pthread_mutex_unlock(&h->mu);
	if (h->d != NULL)
		MHD_stop_daemon(h->d);
	if (h->fd >= 0)
		close(h->fd);
	pthread_cond_destroy(&h->cv);
	pthread_mutex_destroy(&h->mu);
	free(h);
	s->http = NULL;
}
