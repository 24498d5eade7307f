/*
 * smsc/http.c: the HTTP SMS transport (libcurl), the second route.
 *
 * One struct smsc_http sends whole messages to an HTTP SMS provider as
 * [http_sms] describes: a URL template (method get, Kannel's
 * cgi-bin/sendsms style) or a URL plus a body template (method post,
 * form or JSON), an optional auth header, and a success test on the
 * status code and the body. Templates are expanded with each value
 * escaped for where it lands (http_int.h).
 *
 * Threads: smsc_http_submit() expands the templates on the caller's
 * thread (the gw loop) and queues the request for a worker thread that
 * drives libcurl's multi interface (at most [http_sms] parallel requests
 * at once, with curl_multi_poll(); curl_multi_wakeup() tells it of new
 * work or of the stop). Finished requests go back on a second list and
 * an eventfd, watched by the gw loop, wakes the loop, which fires the
 * accepted/failed hooks on its own thread. The two lists and the
 * counters they share sit under one mutex (struct http_sync); everything
 * else belongs either to the worker or to the loop thread, as marked.
 * The gw loop never waits on the network. (style.md A2 sketches libcurl
 * driven by curl_multi_socket_action() on the gw loop itself; a worker
 * keeps name resolution, TLS handshakes and their CPU time off that loop
 * as smsc.h promises, for one thread and one eventfd.)
 *
 * Life of a request:
 *
 *   submit --> queued --worker--> in flight --answer-->
 *     accepted (success_status and success_body) ---------> accepted hook
 *     5xx, 408, 429, network error, timeout --tries left--> waiting
 *       (retry_delay_ms, doubling, at most SMSC_HTTP_RETRY_MAX_MS) -->
 *       in flight again;  no tries left --> failed hook, temporary
 *     anything else (4xx, a body without success_body) --> failed hook,
 *       permanent
 *
 * A message counts against queue_max from submit until its hook fired;
 * past it smsc_http_submit() says SD_EBUSY. At most 1 + retries attempts
 * are made; each is bounded by timeout_s. smsc_http_free() abandons what
 * is still held: those rows stay submitted in the outbox and go again
 * at the next start (at-least-once).
 *
 * Secrets: the auth header and the URL's query (Kannel's password) are
 * never logged; logs show the URL without query or user info, mobile
 * numbers masked, and never the text (OTPs).
 *
 * Receipts come back as an HTTP callback ({receipt_url}, Kannel's
 * dlr-url): base_url + receipt_path + "?id=<local id>&tok=<secret>&
 * type=%d", where Kannel puts its DLR type for %d (1 delivered, 2
 * failed, 4 buffered, 8 SMSC ack, 16 SMSC reject).
 * smsc_http_parse_receipt() maps it to an SMPP message_state and hands
 * back the secret: a random 128-bit token the caller made for this
 * sending (smsc_http_token_new()) and stored with the row, so that only
 * whoever saw the request (the provider) can report on it; ids alone are
 * sequential and easy to guess (issue #9). The URL (and so the token) is
 * never logged.
 */
#include "smsc/smsc.h"

#include <curl/curl.h>
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/eventfd.h>
#include <sys/random.h>
#include <unistd.h>

#include "core/base/clock.h"
#include "core/base/log.h"
#include "core/base/loop.h"
#include "core/base/xmalloc.h"
#include "smsc/http_int.h"
#include "smsc/smsc_int.h"

/* Longest wait of the worker when nothing is due (ms): a safety net, the
 * worker is woken for new work and for the stop. */
#define HTTP_IDLE_MS 1000
/* Bytes of an answer quoted in a failure reason. */
#define HTTP_EXCERPT 80

/* ---- templates and escaping ------------------------------------------- */

static const char *const http_var_name[SMSC_HTTP_VAR_N] = {"to", "to_plain",
    "text", "id", "from", "receipt_url", "validity_min"};

/* A growing string that refuses to pass max bytes (then over is set). */
struct hbuf {
	char *p;    /* NUL-terminated once anything was added */
	size_t len; /* bytes, without the NUL */
	size_t cap; /* allocated */
	size_t max; /* len never passes it */
	bool over;  /* something did not fit */
};

static void
hbuf_add(struct hbuf *b, const char *s, size_t n)
{
	size_t c;

	if (b->over)
		return;
	if (n > b->max - b->len) {
		b->over = true;
		return;
	}
	if (b->len + n + 1 > b->cap) {
		c = b->cap != 0 ? b->cap : 256;
		while (c < b->len + n + 1)
			c *= 2;
		b->p = xrealloc(b->p, c);
		b->cap = c;
	}
	memcpy(b->p + b->len, s, n);
	b->len += n;
	b->p[b->len] = '\0';
}

static bool
http_unreserved(unsigned char c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
	    (c >= '0' && c <= '9') || c == '-' || c == '.' || c == '_' ||
	    c == '~';
}

/* Append s escaped as esc says. */
static void
hbuf_add_esc(struct hbuf *b, const char *s, enum smsc_http_esc esc)
{
	static const char hex[] = "0123456789ABCDEF";

	for (; *s != '\0'; s++) {
		unsigned char c = (unsigned char)*s;
		char t[8];
		size_t n = 1;

		t[0] = (char)c;
		switch (esc) {
		case SMSC_HTTP_ESC_URL:
			if (!http_unreserved(c)) {
				t[0] = '%';
				t[1] = hex[c >> 4];
				t[2] = hex[c & 15];
				n = 3;
			}
			break;
		case SMSC_HTTP_ESC_JSON:
			if (c == '"' || c == '\\') {
				t[0] = '\\';
				t[1] = (char)c;
				n = 2;
			} else if (c == '\n') {
				memcpy(t, "\\n", n = 2);
			} else if (c == '\r') {
				memcpy(t, "\\r", n = 2);
			} else if (c == '\t') {
				memcpy(t, "\\t", n = 2);
			} else if (c < 0x20 || c == 0x7f) {
				n = (size_t)snprintf(t, sizeof(t), "\\u%04x",
				    c);
			}
			break;
		case SMSC_HTTP_ESC_XML:
			if (c == '&')
				memcpy(t, "&amp;", n = 5);
			else if (c == '<')
				memcpy(t, "&lt;", n = 4);
			else if (c == '>')
				memcpy(t, "&gt;", n = 4);
			else if (c == '"')
				memcpy(t, "&quot;", n = 6);
			else if (c == '\'')
				memcpy(t, "&apos;", n = 6);
			else if (c < 0x20 && c != '\t' && c != '\n' &&
			    c != '\r')
				n = 0; /* not allowed in XML 1.0 at all */
			break;
		case SMSC_HTTP_ESC_NONE: break;
		}
		hbuf_add(b, t, n);
	}
}

enum smsc_http_esc
smsc_http_body_esc(const char *ct)
{
	if (strcasestr(ct, "json") != NULL)
		return SMSC_HTTP_ESC_JSON;
	if (strcasestr(ct, "x-www-form-urlencoded") != NULL)
		return SMSC_HTTP_ESC_URL;
	if (strcasestr(ct, "xml") != NULL)
		return SMSC_HTTP_ESC_XML;
	return SMSC_HTTP_ESC_NONE;
}

static bool
tpl_name_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	    (c >= '0' && c <= '9') || c == '_';
}

/*
 * If p starts a variable ("{name}"), its name's length in *n and true.
 * A '{' followed by anything else is literal text.
 */
static bool
tpl_name(const char *p, size_t *n)
{
	size_t i = 1;

	while (tpl_name_char(p[i]))
		i++;
	if (i == 1 || p[i] != '}')
		return false;
	*n = i - 1;
	return true;
}

/* The variable named name[0..n), or -1. */
static int
tpl_var(const char *name, size_t n)
{
	int i;

	for (i = 0; i < SMSC_HTTP_VAR_N; i++)
		if (strlen(http_var_name[i]) == n &&
		    strncmp(http_var_name[i], name, n) == 0)
			return i;
	return -1;
}

/* Walk tpl; with b set, expand into it. */
static enum sd_rc
tpl_walk(const char *tpl, enum smsc_http_esc esc,
    const struct smsc_http_vars *vars, struct hbuf *b, char err[SD_ERRLEN])
{
	const char *p = tpl;

	while (*p != '\0') {
		size_t n, lit;
		int v;

		if (*p == '{' && tpl_name(p, &n)) {
			v = tpl_var(p + 1, n);
			if (v < 0) {
				snprintf(err, SD_ERRLEN,
				    "unknown variable {%.*s} (known: {to} "
				    "{to_plain} {text} {id} {from} "
				    "{receipt_url} {validity_min})",
				    (int)n, p + 1);
				return SD_EINVAL;
			}
			if (b != NULL && vars->v[v] != NULL)
				hbuf_add_esc(b, vars->v[v], esc);
			p += n + 2;
			continue;
		}
		lit = 1 + strcspn(p + 1, "{");
		if (b != NULL)
			hbuf_add(b, p, lit);
		p += lit;
	}
	return SD_OK;
}

enum sd_rc
smsc_http_template_check(const char *tpl, char err[SD_ERRLEN])
{
	return tpl_walk(tpl, SMSC_HTTP_ESC_NONE, NULL, NULL, err);
}

enum sd_rc
smsc_http_expand(const char *tpl, enum smsc_http_esc esc,
    const struct smsc_http_vars *vars, size_t max, char **out,
    char err[SD_ERRLEN])
{
	struct hbuf b = {NULL, 0, 0, max, false};
	enum sd_rc rc;

	*out = NULL;
	hbuf_add(&b, "", 0);
	rc = tpl_walk(tpl, esc, vars, &b, err);
	if (rc == SD_OK && b.over) {
		snprintf(err, SD_ERRLEN, "expands to more than %zu bytes", max);
		rc = SD_ETOOBIG;
	}
	if (rc != SD_OK) {
		free(b.p);
		return rc;
	}
	*out = b.p;
	return SD_OK;
}

/* ---- status, header and answer checks ---------------------------------- */

/* Parse one "N" or "N-M" at *pp, moving past it and a following comma.
 * False on a syntax error or a code outside 100..599. */
static bool
status_next(const char **pp, long *lo, long *hi)
{
	const char *p = *pp;
	char *end;

	while (*p == ' ')
		p++;
	if (*p < '0' || *p > '9')
		return false;
	*lo = strtol(p, &end, 10);
	*hi = *lo;
	p = end;
	while (*p == ' ')
		p++;
	if (*p == '-') {
		p++;
		while (*p == ' ')
			p++;
		if (*p < '0' || *p > '9')
			return false;
		*hi = strtol(p, &end, 10);
		p = end;
		while (*p == ' ')
			p++;
	}
	if (*lo < 100 || *hi > 599 || *lo > *hi)
		return false;
	if (*p == ',')
		p++;
	else if (*p != '\0')
		return false;
	*pp = p;
	return true;
}

enum sd_rc
smsc_http_status_check(const char *spec, char err[SD_ERRLEN])
{
	const char *p = spec;
	long lo, hi;

	if (*p == '\0')
		goto bad;
	while (*p != '\0')
		if (!status_next(&p, &lo, &hi))
			goto bad;
	return SD_OK;
bad:
	snprintf(err, SD_ERRLEN,
	    "'%s' is not a list of statuses and ranges "
	    "within 100-599 (e.g. 200-299 or 200,202)",
	    spec);
	return SD_EINVAL;
}

bool
smsc_http_status_match(const char *spec, long status)
{
	const char *p = spec;
	long lo, hi;

	while (*p != '\0') {
		if (!status_next(&p, &lo, &hi))
			return false;
		if (status >= lo && status <= hi)
			return true;
	}
	return false;
}

enum sd_rc
smsc_http_header_check(const char *h, char err[SD_ERRLEN])
{
	const char *colon = strchr(h, ':');
	const char *p;

	if (strpbrk(h, "\r\n") != NULL) {
		snprintf(err, SD_ERRLEN, "must be one line");
		return SD_EINVAL;
	}
	if (colon == NULL || colon == h) {
		snprintf(err, SD_ERRLEN, "must be 'Name: value'");
		return SD_EINVAL;
	}
	for (p = h; p < colon; p++)
		if (!tpl_name_char(*p) &&
		    strchr("!#$%&'*+-.^`|~", *p) == NULL) {
			snprintf(err, SD_ERRLEN,
			    "the header name holds a bad character");
			return SD_EINVAL;
		}
	return SD_OK;
}

static const char *
json_ws(const char *p, const char *end)
{
	while (p < end && (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r'))
		p++;
	return p;
}

/* p at an opening quote: the position after the closing one, or NULL. */
static const char *
json_skip_string(const char *p, const char *end)
{
	for (p++; p < end; p++) {
		if (*p == '\\')
			p++;
		else if (*p == '"')
			return p + 1;
	}
	return NULL;
}

bool
smsc_http_json_field(const char *body, size_t len, const char *field, char *out,
    size_t n)
{
	const char *p = body, *end = body + len, *q, *s;
	size_t flen = strlen(field), k = 0;

	if (body == NULL || n == 0)
		return false;
	while (p < end) {
		if (*p != '"') {
			p++;
			continue;
		}
		s = p + 1;
		q = json_skip_string(p, end);
		if (q == NULL)
			return false;
		p = q;
		if ((size_t)(q - 1 - s) != flen || memcmp(s, field, flen) != 0)
			continue;
		q = json_ws(q, end);
		if (q >= end || *q != ':')
			continue; /* a value equal to the name */
		q = json_ws(q + 1, end);
		if (q < end && *q == '"') {
			for (q++; q < end && *q != '"'; q++) {
				if (*q == '\\') {
					if (++q >= end || *q == 'u')
						return false;
				}
				if (k + 1 >= n || (unsigned char)*q < 0x20)
					return false;
				out[k++] = *q;
			}
			if (q >= end)
				return false;
		} else {
			while (q < end && *q != '\0' &&
			    strchr("-+.0123456789eE", *q) != NULL) {
				if (k + 1 >= n)
					return false;
				out[k++] = *q++;
			}
		}
		out[k] = '\0';
		return k > 0;
	}
	return false;
}

/* The start of body[0..len), made printable, in out (size n). */
static void
http_excerpt(const char *body, size_t len, char *out, size_t n)
{
	size_t k = len < n - 1 ? len : n - 1, i;

	if (body == NULL)
		k = 0;
	for (i = 0; i < k; i++) {
		unsigned char c = (unsigned char)body[i];

		out[i] = c < 0x20 || c == 0x7f ? ' ' : (char)c;
	}
	if (k < len) {
		/* Cut before a UTF-8 sequence that does not fit whole. */
		i = k;
		while (i > 0 && ((unsigned char)out[i - 1] & 0xc0) == 0x80)
			i--;
		if (i > 0 && (unsigned char)out[i - 1] >= 0xc0) {
			unsigned char c = (unsigned char)out[i - 1];
			size_t need = c >= 0xf0 ? 4 : c >= 0xe0 ? 3 : 2;

			if (k - (i - 1) < need)
				k = i - 1;
		}
	}
	while (k > 0 && out[k - 1] == ' ')
		k--;
	out[k] = '\0';
}

enum smsc_http_verdict
smsc_http_judge(const struct smsc_http_config *cfg, long status,
    const char *body, size_t len, char *msgid, size_t idn,
    char reason[SD_ERRLEN])
{
	char ex[HTTP_EXCERPT + 1];
	size_t sl = strlen(cfg->success_body);

	if (idn > 0)
		msgid[0] = '\0';
	reason[0] = '\0';
	if (body == NULL)
		len = 0;
	http_excerpt(body, len, ex, sizeof(ex));
	if (smsc_http_status_match(cfg->success_status, status)) {
		if (sl > 0 &&
		    (len < sl ||
			memmem(body, len, cfg->success_body, sl) == NULL)) {
			snprintf(reason, SD_ERRLEN,
			    "HTTP %ld without the success text: %s", status,
			    ex);
			return SMSC_HTTP_PERMFAIL;
		}
		if (cfg->id_field[0] != '\0' && idn > 0 &&
		    !smsc_http_json_field(body, len, cfg->id_field, msgid, idn))
			msgid[0] = '\0';
		return SMSC_HTTP_ACCEPTED;
	}
	snprintf(reason, SD_ERRLEN, "HTTP %ld: %s", status, ex);
	if (status >= 500 || status == 408 || status == 429)
		return SMSC_HTTP_TEMPFAIL;
	return SMSC_HTTP_PERMFAIL;
}

void
smsc_http_url_for_log(const char *url, char *out, size_t n)
{
	const char *auth = strstr(url, "://"), *at, *slash;
	size_t len, k = 0;

	if (n == 0)
		return;
	if (auth != NULL) {
		auth += 3;
		len = (size_t)(auth - url);
		k = len < n - 1 ? len : n - 1;
		memcpy(out, url, k);
		slash = auth + strcspn(auth, "/?#");
		at = memchr(auth, '@', (size_t)(slash - auth));
		url = at != NULL ? at + 1 : auth;
	}
	len = strcspn(url, "?#");
	if (len > n - 1 - k)
		len = n - 1 - k;
	memcpy(out + k, url, len);
	out[k + len] = '\0';
}

/* ---- receipts ---------------------------------------------------------- */

static int
http_hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* URL-decode s[0..n) into out (size on); false if it does not fit. */
static bool
http_unescape(const char *s, size_t n, char *out, size_t on)
{
	size_t i, k = 0;

	for (i = 0; i < n; i++) {
		char c = s[i];

		if (c == '+') {
			c = ' ';
		} else if (c == '%' && i + 2 < n &&
		    http_hexval(s[i + 1]) >= 0 && http_hexval(s[i + 2]) >= 0) {
			c = (char)(http_hexval(s[i + 1]) * 16 +
			    http_hexval(s[i + 2]));
			i += 2;
		}
		if (k + 1 >= on)
			return false;
		out[k++] = c;
	}
	out[k] = '\0';
	return true;
}

/* Kannel's DLR type bits to an SMPP message_state, the most final one
 * first; 0 if none is set. */
static int
http_kannel_state(unsigned long type)
{
	if (type & 1)
		return SMSC_DLR_DELIVERED;
	if (type & 2)
		return SMSC_DLR_UNDELIVERABLE;
	if (type & 16)
		return SMSC_DLR_REJECTED;
	if (type & (4 | 8))
		return SMSC_DLR_ENROUTE;
	return 0;
}

/* A provider's status word to an SMPP message_state; 0 if unknown. */
static int
http_word_state(const char *w)
{
	static const struct {
		const char *word;
		int state;
	} words[] = {
	    {"delivered", SMSC_DLR_DELIVERED},
	    {"delivrd", SMSC_DLR_DELIVERED},
	    {"undelivered", SMSC_DLR_UNDELIVERABLE},
	    {"undeliverable", SMSC_DLR_UNDELIVERABLE},
	    {"undeliv", SMSC_DLR_UNDELIVERABLE},
	    {"failed", SMSC_DLR_UNDELIVERABLE},
	    {"rejected", SMSC_DLR_REJECTED},
	    {"rejectd", SMSC_DLR_REJECTED},
	    {"expired", SMSC_DLR_EXPIRED},
	    {"enroute", SMSC_DLR_ENROUTE},
	    {"buffered", SMSC_DLR_ENROUTE},
	    {"queued", SMSC_DLR_ENROUTE},
	    {"sent", SMSC_DLR_ENROUTE},
	    {"submitted", SMSC_DLR_ENROUTE},
	    {"accepted", SMSC_DLR_ENROUTE},
	};
	size_t i;

	for (i = 0; i < sizeof(words) / sizeof(words[0]); i++)
		if (strcasecmp(w, words[i].word) == 0)
			return words[i].state;
	return 0;
}

void
smsc_http_token_new(char out[SMSC_HTTP_TOKEN_LEN + 1])
{
	static const char hex[] = "0123456789abcdef";
	unsigned char b[SMSC_HTTP_TOKEN_LEN / 2];
	size_t got = 0, i;
	ssize_t r;

	while (got < sizeof(b)) {
		r = getrandom(b + got, sizeof(b) - got, 0);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			fatalx("http", "getrandom: %s", strerror(errno));
		got += (size_t)r;
	}
	for (i = 0; i < sizeof(b); i++) {
		out[2 * i] = hex[b[i] >> 4];
		out[2 * i + 1] = hex[b[i] & 15];
	}
	out[SMSC_HTTP_TOKEN_LEN] = '\0';
}

/* True if s is a token: SMSC_HTTP_TOKEN_LEN lowercase hex digits. */
static bool
http_token_ok(const char *s)
{
	size_t i;

	for (i = 0; i < SMSC_HTTP_TOKEN_LEN; i++)
		if (!((s[i] >= '0' && s[i] <= '9') ||
			(s[i] >= 'a' && s[i] <= 'f')))
			return false;
	return s[i] == '\0';
}

enum sd_rc
smsc_http_parse_receipt(const struct smsc_http_config *cfg, const char *query,
    uint64_t *local_id, int *state, char token[SMSC_HTTP_TOKEN_LEN + 1])
{
	const char *p = query;
	char name[16], val[64], tok[SMSC_HTTP_TOKEN_LEN + 1];
	uint64_t lid = 0;
	bool have_id = false, have_tok = false;
	int st = 0;

	(void)cfg;
	if (query == NULL || strlen(query) > SMSC_HTTP_QUERY_MAX)
		return SD_EINVAL;
	if (*p == '?')
		p++;
	for (; *p != '\0'; p += *p != '\0' ? 1 : 0) {
		size_t len = strcspn(p, "&;"), nl = strcspn(p, "=");
		const char *v;
		char *end;

		if (nl > len)
			nl = len;
		v = p + nl + (nl < len ? 1 : 0);
		if (!http_unescape(p, nl, name, sizeof(name)) ||
		    !http_unescape(v, len - (size_t)(v - p), val,
			sizeof(val))) {
			p += len;
			continue; /* not one of ours */
		}
		p += len;
		if (!have_id && strcmp(name, "id") == 0) {
			unsigned long long id;

			errno = 0;
			id = strtoull(val, &end, 10);
			if (val[0] < '0' || val[0] > '9' || *end != '\0' ||
			    errno != 0 || id == 0)
				return SD_EINVAL;
			lid = id;
			have_id = true;
		} else if (!have_tok && strcmp(name, "tok") == 0) {
			/* A malformed one counts as none: refused later. */
			have_tok = true;
			tok[0] = '\0';
			if (http_token_ok(val))
				memcpy(tok, val, sizeof(tok));
		} else if (st == 0 && strcmp(name, "type") == 0) {
			unsigned long t;

			errno = 0;
			t = strtoul(val, &end, 10);
			if (val[0] < '0' || val[0] > '9' || *end != '\0' ||
			    errno != 0)
				continue; /* "%d" left as is: not Kannel */
			st = http_kannel_state(t);
			if (st == 0)
				return SD_EINVAL;
		} else if (st == 0 && strcmp(name, "status") == 0) {
			st = http_word_state(val);
			if (st == 0)
				return SD_EINVAL;
		}
	}
	if (!have_id || st == 0)
		return SD_EINVAL;
	*local_id = lid;
	*state = st;
	if (have_tok)
		memcpy(token, tok, sizeof(tok));
	else
		token[0] = '\0';
	return SD_OK;
}

/* ---- the transport ----------------------------------------------------- */

/* One message on its way. Owned by whichever list holds it. */
struct http_req {
	struct http_req *next;            /* list link */
	uint64_t local_id;                /* the caller's message */
	char *url;                        /* expanded; secret (query) */
	char *body;                       /* expanded; NULL for get */
	char to_log[SD_MOBILE_LEN + 8];   /* the destination, masked */
	unsigned tries;                   /* attempts started */
	int64_t due;                      /* mono ms of the next attempt */
	CURL *easy;                       /* the attempt in flight, or NULL */
	char *resp;                       /* answer body, at most
					     SMSC_HTTP_RESP_MAX bytes */
	size_t resp_len;                  /* its bytes */
	char curl_err[CURL_ERROR_SIZE];   /* libcurl's detail */
	bool ok;                          /* outcome: accepted */
	bool temporary;                   /* outcome: failed, may retry */
	char msgid[SMSC_HTTP_ID_MAX + 1]; /* outcome: provider's id */
	char reason[SD_ERRLEN];           /* outcome: why it failed */
};

/* What the worker and the loop thread share, under mu. Heap-allocated so
 * smsc_http_stats() can lock it through a const transport. */
struct http_sync {
	pthread_mutex_t mu;                   /* guards all below */
	struct http_req *in_head, *in_tail;   /* submitted, for the worker */
	struct http_req *out_head, *out_tail; /* finished, for the loop */
	unsigned held;                        /* submitted, hook not fired */
	uint64_t sent;                        /* attempts started */
	bool stop;                            /* the worker must return */
};

struct smsc_http {
	const struct smsc_http_config *cfg; /* borrowed */
	const struct smsc_hooks *hooks;     /* borrowed */
	struct sd_loop *loop;               /* the gw loop */
	int efd;                            /* eventfd: worker -> loop */
	bool efd_watched;                   /* registered on the loop */
	enum smsc_http_esc body_esc;        /* escaping of body values */
	char url_log[256];                  /* what logs show of the URL */
	bool curl_inited;                   /* curl_global_init() done */
	struct curl_slist *headers;         /* request headers (secret) */
	CURLM *multi;                       /* driven by the worker */
	pthread_t thread;                   /* the worker */
	bool thread_started;                /* and must be joined */
	struct http_sync *sync;             /* shared with the worker */
	/* The worker's own (the freeing thread's after the join). */
	struct http_req *wait_head, *wait_tail; /* to start, now or later */
	struct http_req *run;                   /* in flight */
	unsigned active;                        /* length of run */
	/* The loop thread's own. */
	uint64_t accepted;                 /* accepted hooks fired */
	uint64_t failed_temp, failed_perm; /* failed hooks fired */
};

static void
http_req_free(struct http_req *r)
{
	if (r == NULL)
		return;
	if (r->easy != NULL)
		curl_easy_cleanup(r->easy);
	free(r->url);
	free(r->body);
	free(r->resp);
	free(r);
}

static void
http_list_free(struct http_req *r)
{
	struct http_req *next;

	for (; r != NULL; r = next) {
		next = r->next;
		http_req_free(r);
	}
}

static void
http_wait_append(struct smsc_http *h, struct http_req *r)
{
	r->next = NULL;
	if (h->wait_tail != NULL)
		h->wait_tail->next = r;
	else
		h->wait_head = r;
	h->wait_tail = r;
}

static size_t
http_on_data(char *ptr, size_t size, size_t nmemb, void *arg)
{
	struct http_req *r = arg;
	size_t n = size * nmemb, room, k;

	if (r->resp == NULL)
		r->resp = xmalloc(SMSC_HTTP_RESP_MAX + 1);
	room = SMSC_HTTP_RESP_MAX - r->resp_len;
	k = n < room ? n : room;
	memcpy(r->resp + r->resp_len, ptr, k);
	r->resp_len += k;
	r->resp[r->resp_len] = '\0';
	return n; /* the rest is dropped, not an error */
}

/* Worker: start one attempt of r. */
static void
http_start(struct smsc_http *h, struct http_req *r)
{
	const struct smsc_http_config *cfg = h->cfg;
	CURL *e = curl_easy_init();

	if (e == NULL)
		fatalx("http", "curl_easy_init: out of memory");
	r->tries++;
	r->resp_len = 0;
	r->curl_err[0] = '\0';
	r->easy = e;
	curl_easy_setopt(e, CURLOPT_URL, r->url);
	curl_easy_setopt(e, CURLOPT_PRIVATE, (void *)r);
	curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(e, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(e, CURLOPT_FOLLOWLOCATION, 0L);
	curl_easy_setopt(e, CURLOPT_TIMEOUT_MS, cfg->timeout_s * 1000L);
	curl_easy_setopt(e, CURLOPT_CONNECTTIMEOUT_MS, cfg->timeout_s * 1000L);
	curl_easy_setopt(e, CURLOPT_SSL_VERIFYPEER, cfg->tls_verify ? 1L : 0L);
	curl_easy_setopt(e, CURLOPT_SSL_VERIFYHOST, cfg->tls_verify ? 2L : 0L);
	if (cfg->ca_file[0] != '\0')
		curl_easy_setopt(e, CURLOPT_CAINFO, cfg->ca_file);
	curl_easy_setopt(e, CURLOPT_USERAGENT, "smsdesk");
	curl_easy_setopt(e, CURLOPT_HTTPHEADER, h->headers);
	curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, http_on_data);
	curl_easy_setopt(e, CURLOPT_WRITEDATA, (void *)r);
	curl_easy_setopt(e, CURLOPT_ERRORBUFFER, r->curl_err);
	if (cfg->method == SMSC_HTTP_POST) {
		const char *b = r->body != NULL ? r->body : "";

		curl_easy_setopt(e, CURLOPT_POSTFIELDS, b);
		curl_easy_setopt(e, CURLOPT_POSTFIELDSIZE, (long)strlen(b));
	} else {
		curl_easy_setopt(e, CURLOPT_HTTPGET, 1L);
	}
	if (curl_multi_add_handle(h->multi, e) != CURLM_OK)
		fatalx("http", "curl_multi_add_handle failed");
	r->next = h->run;
	h->run = r;
	h->active++;
	pthread_mutex_lock(&h->sync->mu);
	h->sync->sent++;
	pthread_mutex_unlock(&h->sync->mu);
	log_debug("http", "sms request id=%llu to=%s try=%u",
	    (unsigned long long)r->local_id, r->to_log, r->tries);
}

/* Worker: start what is due while there is room; the ms until the next
 * waiting request is due (HTTP_IDLE_MS at most). */
static long
http_start_due(struct smsc_http *h, int64_t now)
{
	struct http_req **pp = &h->wait_head, *r, *last = NULL;
	long wait = HTTP_IDLE_MS;

	while ((r = *pp) != NULL) {
		if (r->due <= now && h->active < (unsigned)h->cfg->parallel) {
			*pp = r->next;
			http_start(h, r);
			continue;
		}
		/* A due request without room waits for curl to finish
		 * one: curl_multi_poll() returns then. */
		if (r->due > now && r->due - now < wait)
			wait = (long)(r->due - now);
		last = r;
		pp = &r->next;
	}
	h->wait_tail = last;
	return wait;
}

/* Worker: an attempt finished with res; retry it or hand it back. True
 * if it was handed back. */
static bool
http_done(struct smsc_http *h, CURL *e, CURLcode res)
{
	struct http_req *r = NULL, **pp;
	enum smsc_http_verdict v;
	long status = 0;
	char *priv = NULL;

	curl_easy_getinfo(e, CURLINFO_PRIVATE, &priv);
	r = (struct http_req *)(void *)priv;
	curl_easy_getinfo(e, CURLINFO_RESPONSE_CODE, &status);
	curl_multi_remove_handle(h->multi, e);
	curl_easy_cleanup(e);
	r->easy = NULL;
	for (pp = &h->run; *pp != NULL; pp = &(*pp)->next)
		if (*pp == r) {
			*pp = r->next;
			break;
		}
	h->active--;

	if (res != CURLE_OK) {
		snprintf(r->reason, SD_ERRLEN, "%s%s%s",
		    curl_easy_strerror(res), r->curl_err[0] != '\0' ? ": " : "",
		    r->curl_err);
		v = res == CURLE_URL_MALFORMAT ||
			res == CURLE_UNSUPPORTED_PROTOCOL ?
		    SMSC_HTTP_PERMFAIL :
		    SMSC_HTTP_TEMPFAIL;
	} else {
		v = smsc_http_judge(h->cfg, status, r->resp, r->resp_len,
		    r->msgid, sizeof(r->msgid), r->reason);
	}
	if (v == SMSC_HTTP_TEMPFAIL && r->tries <= (unsigned)h->cfg->retries) {
		int64_t delay = h->cfg->retry_delay_ms;
		unsigned i;

		for (i = 1; i < r->tries && delay < SMSC_HTTP_RETRY_MAX_MS; i++)
			delay *= 2;
		if (delay > SMSC_HTTP_RETRY_MAX_MS)
			delay = SMSC_HTTP_RETRY_MAX_MS;
		r->due = sd_clock_mono_ms() + delay;
		log_info("http",
		    "sms retry id=%llu to=%s try=%u in_ms=%lld "
		    "reason=%s",
		    (unsigned long long)r->local_id, r->to_log, r->tries,
		    (long long)delay, r->reason);
		http_wait_append(h, r);
		return false;
	}
	r->ok = v == SMSC_HTTP_ACCEPTED;
	r->temporary = v == SMSC_HTTP_TEMPFAIL;
	if (r->ok && r->msgid[0] == '\0')
		snprintf(r->msgid, sizeof(r->msgid), "http-%llu",
		    (unsigned long long)r->local_id);
	/* The secret URL and the body are no longer needed. */
	free(r->url);
	free(r->body);
	free(r->resp);
	r->url = r->body = r->resp = NULL;
	r->next = NULL;
	pthread_mutex_lock(&h->sync->mu);
	if (h->sync->out_tail != NULL)
		h->sync->out_tail->next = r;
	else
		h->sync->out_head = r;
	h->sync->out_tail = r;
	pthread_mutex_unlock(&h->sync->mu);
	return true;
}

static void *
http_worker(void *arg)
{
	struct smsc_http *h = arg;
	struct http_sync *sy = h->sync;

	for (;;) {
		struct http_req *in, *next;
		bool stop, handed = false, finished = false;
		CURLMsg *msg;
		int running, left;
		long wait;

		pthread_mutex_lock(&sy->mu);
		stop = sy->stop;
		in = sy->in_head;
		sy->in_head = sy->in_tail = NULL;
		pthread_mutex_unlock(&sy->mu);
		for (; in != NULL; in = next) {
			next = in->next;
			http_wait_append(h, in);
		}
		if (stop)
			break;
		wait = http_start_due(h, sd_clock_mono_ms());
		if (curl_multi_perform(h->multi, &running) != CURLM_OK)
			log_warnx("http", "curl_multi_perform failed");
		while ((msg = curl_multi_info_read(h->multi, &left)) != NULL) {
			if (msg->msg != CURLMSG_DONE)
				continue;
			finished = true;
			if (http_done(h, msg->easy_handle, msg->data.result))
				handed = true;
		}
		if (handed) {
			uint64_t one = 1;

			if (write(h->efd, &one, sizeof(one)) < 0 &&
			    errno != EAGAIN)
				log_warn("http", "eventfd write");
		}
		if (finished)
			continue; /* room for what waits: start it now */
		if (curl_multi_poll(h->multi, NULL, 0, (int)wait, NULL) !=
		    CURLM_OK)
			log_warnx("http", "curl_multi_poll failed");
	}
	return NULL;
}

/* Loop thread: fire the hooks of what the worker finished. */
static void
http_on_event(struct sd_loop *loop, int fd, unsigned events, void *arg)
{
	struct smsc_http *h = arg;
	struct http_req *list, *r, *next;
	uint64_t v;
	unsigned n = 0;

	(void)loop;
	(void)events;
	if (read(fd, &v, sizeof(v)) < 0 && errno != EAGAIN)
		log_warn("http", "eventfd read");
	pthread_mutex_lock(&h->sync->mu);
	list = h->sync->out_head;
	h->sync->out_head = h->sync->out_tail = NULL;
	for (r = list; r != NULL; r = r->next)
		n++;
	h->sync->held -= n; /* before the hooks, which may submit again */
	pthread_mutex_unlock(&h->sync->mu);
	for (r = list; r != NULL; r = next) {
		next = r->next;
		if (r->ok) {
			h->accepted++;
			log_info("http",
			    "sms accepted id=%llu to=%s msgid=%s "
			    "tries=%u",
			    (unsigned long long)r->local_id, r->to_log,
			    r->msgid, r->tries);
			if (h->hooks->accepted != NULL)
				h->hooks->accepted(h->hooks->arg, r->local_id,
				    1, 1, r->msgid);
		} else {
			if (r->temporary)
				h->failed_temp++;
			else
				h->failed_perm++;
			log_warnx("http",
			    "sms failed id=%llu to=%s tries=%u "
			    "temporary=%s reason=%s",
			    (unsigned long long)r->local_id, r->to_log,
			    r->tries, r->temporary ? "yes" : "no", r->reason);
			if (h->hooks->failed != NULL)
				h->hooks->failed(h->hooks->arg, r->local_id,
				    r->temporary, r->reason);
		}
		http_req_free(r);
	}
}

enum sd_rc
smsc_http_new(const struct smsc_http_config *cfg, struct sd_loop *loop,
    const struct smsc_hooks *hooks, struct smsc_http **out, char err[SD_ERRLEN])
{
	struct smsc_http *h;
	char why[SD_ERRLEN], *line;
	sigset_t all, old;
	enum sd_rc rc;
	int prc;

	*out = NULL;
	if (cfg->url[0] == '\0') {
		snprintf(err, SD_ERRLEN, "[http_sms] url is empty");
		return SD_EINVAL;
	}
	if (strncmp(cfg->url, "http://", 7) != 0 &&
	    strncmp(cfg->url, "https://", 8) != 0) {
		snprintf(err, SD_ERRLEN,
		    "[http_sms] url must start with "
		    "http:// or https://");
		return SD_EINVAL;
	}
	if (smsc_http_template_check(cfg->url, why) != SD_OK ||
	    smsc_http_template_check(cfg->body, why) != SD_OK) {
		snprintf(err, SD_ERRLEN, "[http_sms] %s", why);
		return SD_EINVAL;
	}
	if (cfg->method != SMSC_HTTP_POST && cfg->body[0] != '\0') {
		snprintf(err, SD_ERRLEN, "[http_sms] body needs method = post");
		return SD_EINVAL;
	}
	if (smsc_http_status_check(cfg->success_status, why) != SD_OK ||
	    (cfg->auth_header[0] != '\0' &&
		smsc_http_header_check(cfg->auth_header, why) != SD_OK)) {
		snprintf(err, SD_ERRLEN, "[http_sms] %s", why);
		return SD_EINVAL;
	}
	if (cfg->ca_file[0] != '\0' && access(cfg->ca_file, R_OK) != 0) {
		snprintf(err, SD_ERRLEN, "[http_sms] ca_file %s: %s",
		    cfg->ca_file, strerror(errno));
		return SD_EINVAL;
	}
	if (cfg->parallel < 1 || cfg->queue_max < 1 || cfg->timeout_s < 1 ||
	    cfg->retries < 0 || cfg->retry_delay_ms < 1) {
		snprintf(err, SD_ERRLEN,
		    "[http_sms] parallel, queue_max, "
		    "timeout_s and retry_delay_ms must be positive");
		return SD_EINVAL;
	}

	h = xcalloc(1, sizeof(*h));
	h->cfg = cfg;
	h->hooks = hooks;
	h->loop = loop;
	h->efd = -1;
	h->body_esc = smsc_http_body_esc(cfg->content_type);
	smsc_http_url_for_log(cfg->url, h->url_log, sizeof(h->url_log));
	h->sync = xcalloc(1, sizeof(*h->sync));
	pthread_mutex_init(&h->sync->mu, NULL);

	if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
		snprintf(err, SD_ERRLEN, "curl_global_init failed");
		rc = SD_EIO;
		goto fail;
	}
	h->curl_inited = true;
	if (cfg->method == SMSC_HTTP_POST) {
		line = xasprintf("Content-Type: %s", cfg->content_type);
		h->headers = curl_slist_append(h->headers, line);
		free(line);
		if (h->headers == NULL)
			fatalx("http", "curl_slist_append: out of memory");
	}
	/* No "Expect: 100-continue" round trip before a body. */
	h->headers = curl_slist_append(h->headers, "Expect:");
	if (h->headers == NULL)
		fatalx("http", "curl_slist_append: out of memory");
	if (cfg->auth_header[0] != '\0') {
		h->headers = curl_slist_append(h->headers, cfg->auth_header);
		if (h->headers == NULL)
			fatalx("http", "curl_slist_append: out of memory");
	}
	h->multi = curl_multi_init();
	if (h->multi == NULL)
		fatalx("http", "curl_multi_init: out of memory");
	curl_multi_setopt(h->multi, CURLMOPT_MAX_TOTAL_CONNECTIONS,
	    cfg->parallel);

	h->efd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	if (h->efd < 0) {
		snprintf(err, SD_ERRLEN, "eventfd: %s", strerror(errno));
		rc = SD_EIO;
		goto fail;
	}
	rc = sd_loop_fd_add(loop, h->efd, SD_LOOP_READ, http_on_event, h);
	if (rc != SD_OK) {
		snprintf(err, SD_ERRLEN, "cannot watch the eventfd");
		goto fail;
	}
	h->efd_watched = true;

	/* The worker takes no signals: the gw loop handles them. */
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	prc = pthread_create(&h->thread, NULL, http_worker, h);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (prc != 0) {
		snprintf(err, SD_ERRLEN, "pthread_create: %s", strerror(prc));
		rc = SD_EIO;
		goto fail;
	}
	h->thread_started = true;
	if (!cfg->tls_verify)
		log_warnx("http",
		    "tls_verify is off: the provider's "
		    "certificate is not checked");
	log_info("http",
	    "transport ready url=%s method=%s parallel=%ld "
	    "retries=%ld timeout_s=%ld tls_verify=%s",
	    h->url_log, cfg->method == SMSC_HTTP_POST ? "post" : "get",
	    cfg->parallel, cfg->retries, cfg->timeout_s,
	    cfg->tls_verify ? "yes" : "no");
	*out = h;
	return SD_OK;
fail:
	smsc_http_free(h);
	return rc;
}

/* Check dest ("+" and digits, or digits) and fill to/to_plain. */
static bool
http_dest(const char *dest, char *to, char *to_plain, size_t n)
{
	const char *d = dest[0] == '+' ? dest + 1 : dest;
	size_t len = strlen(d), i;

	if (len == 0 || len >= n - 1 || len > SMSC_ADDR_MAX)
		return false;
	for (i = 0; i < len; i++)
		if (d[i] < '0' || d[i] > '9')
			return false;
	snprintf(to, n, "%s", dest);
	snprintf(to_plain, n, "%s", d);
	return true;
}

enum sd_rc
smsc_http_submit(struct smsc_http *h, const struct smsc_submit *m,
    char err[SD_ERRLEN])
{
	const struct smsc_http_config *cfg = h->cfg;
	struct smsc_http_vars vars;
	struct http_req *r;
	char to[SMSC_ADDR_MAX + 2], to_plain[SMSC_ADDR_MAX + 2], id[24];
	char vmin[24], *rurl = NULL;
	size_t blen;
	enum sd_rc rc;

	if (m->dest == NULL || !http_dest(m->dest, to, to_plain, sizeof(to))) {
		snprintf(err, SD_ERRLEN, "bad destination address");
		return SD_EINVAL;
	}
	if (m->text == NULL) {
		snprintf(err, SD_ERRLEN, "no text");
		return SD_EINVAL;
	}
	if (strlen(m->text) > SMSC_HTTP_TEXT_MAX) {
		snprintf(err, SD_ERRLEN, "text longer than %d bytes",
		    SMSC_HTTP_TEXT_MAX);
		return SD_ETOOBIG;
	}
	pthread_mutex_lock(&h->sync->mu);
	rc = h->sync->held >= (unsigned)cfg->queue_max ? SD_EBUSY : SD_OK;
	pthread_mutex_unlock(&h->sync->mu);
	if (rc != SD_OK) {
		snprintf(err, SD_ERRLEN, "HTTP queue full (%ld)",
		    cfg->queue_max);
		return rc;
	}

	snprintf(id, sizeof(id), "%llu", (unsigned long long)m->local_id);
	vmin[0] = '\0';
	if (m->validity_s > 0)
		snprintf(vmin, sizeof(vmin), "%ld", (m->validity_s + 59) / 60);
	if (m->receipt) {
		if (m->receipt_token == NULL ||
		    !http_token_ok(m->receipt_token)) {
			snprintf(err, SD_ERRLEN, "a receipt needs a token");
			return SD_EINVAL;
		}
		blen = strlen(cfg->base_url);
		while (blen > 0 && cfg->base_url[blen - 1] == '/')
			blen--;
		rurl = xasprintf("%.*s%s?id=%s&tok=%s&type=%%d", (int)blen,
		    cfg->base_url, cfg->receipt_path, id, m->receipt_token);
	}
	memset(&vars, 0, sizeof(vars));
	vars.v[SMSC_HTTP_VAR_TO] = to;
	vars.v[SMSC_HTTP_VAR_TO_PLAIN] = to_plain;
	vars.v[SMSC_HTTP_VAR_TEXT] = m->text;
	vars.v[SMSC_HTTP_VAR_ID] = id;
	vars.v[SMSC_HTTP_VAR_FROM] = cfg->from;
	vars.v[SMSC_HTTP_VAR_RECEIPT_URL] = rurl;
	vars.v[SMSC_HTTP_VAR_VALIDITY_MIN] = vmin;

	r = xcalloc(1, sizeof(*r));
	r->local_id = m->local_id;
	log_mask_mobile(to, r->to_log, sizeof(r->to_log));
	rc = smsc_http_expand(cfg->url, SMSC_HTTP_ESC_URL, &vars,
	    SMSC_HTTP_REQ_MAX, &r->url, err);
	if (rc == SD_OK && cfg->method == SMSC_HTTP_POST)
		rc = smsc_http_expand(cfg->body, h->body_esc, &vars,
		    SMSC_HTTP_REQ_MAX, &r->body, err);
	free(rurl);
	if (rc != SD_OK) {
		http_req_free(r);
		return rc;
	}

	pthread_mutex_lock(&h->sync->mu);
	h->sync->held++;
	if (h->sync->in_tail != NULL)
		h->sync->in_tail->next = r;
	else
		h->sync->in_head = r;
	h->sync->in_tail = r;
	pthread_mutex_unlock(&h->sync->mu);
	curl_multi_wakeup(h->multi);
	log_debug("http", "sms queued id=%llu to=%s",
	    (unsigned long long)m->local_id, r->to_log);
	return SD_OK;
}

void
smsc_http_stats(const struct smsc_http *h, struct smsc_http_stats *st)
{
	memset(st, 0, sizeof(*st));
	st->accepted = h->accepted;
	st->failed_temp = h->failed_temp;
	st->failed_perm = h->failed_perm;
	pthread_mutex_lock(&h->sync->mu);
	st->sent = h->sync->sent;
	st->in_flight = h->sync->held;
	pthread_mutex_unlock(&h->sync->mu);
}

void
smsc_http_free(struct smsc_http *h)
{
	unsigned held = 0;

	if (h == NULL)
		return;
	if (h->thread_started) {
		pthread_mutex_lock(&h->sync->mu);
		h->sync->stop = true;
		pthread_mutex_unlock(&h->sync->mu);
		curl_multi_wakeup(h->multi);
		pthread_join(h->thread, NULL);
	}
	/* Abandoned: their outbox rows go again at the next start. */
	held = h->sync->held;
	while (h->run != NULL) {
		struct http_req *r = h->run;

		h->run = r->next;
		curl_multi_remove_handle(h->multi, r->easy);
		http_req_free(r);
	}
	http_list_free(h->wait_head);
	http_list_free(h->sync->in_head);
	http_list_free(h->sync->out_head);
	if (h->multi != NULL)
		curl_multi_cleanup(h->multi);
	curl_slist_free_all(h->headers);
	if (h->efd_watched)
		sd_loop_fd_del(h->loop, h->efd);
	if (h->efd >= 0)
		close(h->efd);
	if (h->curl_inited)
		curl_global_cleanup();
	pthread_mutex_destroy(&h->sync->mu);
	free(h->sync);
	if (h->thread_started)
		log_info("http", "transport stopped abandoned=%u", held);
	free(h);
}
