/*
 * tests/unit/smsc/test_http.c: the HTTP SMS transport: template
 * expansion and escaping, the success test, receipts parsed from a
 * callback's query string, and real round trips through libcurl against
 * a tiny HTTP server that this test runs in a thread on an ephemeral
 * 127.0.0.1 port (202 accepted, a provider id read from JSON, 500 then a
 * retry then success, 400 permanent, a timeout, a full queue).
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <unistd.h>

#include "core/base/conf.h"
#include "core/base/log.h"
#include "core/base/loop.h"
#include "smsc/http_int.h"
#include "smsc/smsc.h"
#include "smsc/smsc_int.h"

/* An OTP as smsdesk sends it: Persian letters and digits, a colon, an
 * em dash. */
static const char otp[] = "کد ورود شما: ۱۲۳۴۵۶ — سامانه مکاتبات";

/* ---- helpers ------------------------------------------------------------ */

/* [http_sms] with its defaults, then key=value pairs (NULL-terminated). */
static void
cfg_make(struct smsc_http_config *cfg, ...)
{
	struct sd_conf_section sec = {"http_sms", smsc_http_config_keys, cfg};
	char err[SD_ERRLEN];
	const char *k, *v;
	va_list ap;

	sd_conf_defaults(&sec);
	va_start(ap, cfg);
	while ((k = va_arg(ap, const char *)) != NULL) {
		v = va_arg(ap, const char *);
		if (sd_conf_set(&sec, k, v, err) != SD_OK)
			fail_msg("set %s=%s: %s", k, v, err);
	}
	va_end(ap);
}

/* Expand tpl with the usual test message; fail the test on error. */
static char *
expand(const char *tpl, enum smsc_http_esc esc, const char *text)
{
	struct smsc_http_vars v;
	char err[SD_ERRLEN], *out;

	memset(&v, 0, sizeof(v));
	v.v[SMSC_HTTP_VAR_TO] = "+989131111111";
	v.v[SMSC_HTTP_VAR_TO_PLAIN] = "989131111111";
	v.v[SMSC_HTTP_VAR_TEXT] = text;
	v.v[SMSC_HTTP_VAR_ID] = "42";
	v.v[SMSC_HTTP_VAR_FROM] = "3000";
	v.v[SMSC_HTTP_VAR_RECEIPT_URL] =
	    "http://127.0.0.1:8080/sms/dlr?id=42&type=%d";
	if (smsc_http_expand(tpl, esc, &v, 65536, &out, err) != SD_OK)
		fail_msg("expand '%s': %s", tpl, err);
	return out;
}

static int
hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

/* The URL-decoded value of parameter name in a query or form body, as a
 * new string; NULL if absent. */
static char *
param(const char *q, const char *name)
{
	size_t nl = strlen(name);
	const char *p = strchr(q, '?') != NULL ? strchr(q, '?') + 1 : q;

	while (*p != '\0') {
		size_t len = strcspn(p, "&");

		if (len > nl && strncmp(p, name, nl) == 0 && p[nl] == '=') {
			char *out = malloc(len + 1);
			size_t i, k = 0;

			assert_non_null(out);
			for (i = nl + 1; i < len; i++) {
				if (p[i] == '+') {
					out[k++] = ' ';
				} else if (p[i] == '%' && i + 2 < len &&
				    hexval(p[i + 1]) >= 0 &&
				    hexval(p[i + 2]) >= 0) {
					out[k++] = (char)(hexval(p[i + 1]) *
					    16 + hexval(p[i + 2]));
					i += 2;
				} else {
					out[k++] = p[i];
				}
			}
			out[k] = '\0';
			return out;
		}
		p += len;
		if (*p == '&')
			p++;
	}
	return NULL;
}

/* ---- templates and escaping ------------------------------------------- */

static void
test_expand_url_kannel(void **state)
{
	char *u, *v;

	(void)state;
	u = expand("http://h:13013/cgi-bin/sendsms?username=u&password=p"
		   "&from={from}&to={to}&text={text}&charset=UTF-8&coding=2"
		   "&dlr-mask=3&dlr-url={receipt_url}",
	    SMSC_HTTP_ESC_URL, otp);
	/* Nothing but unreserved characters and escapes in the values. */
	assert_non_null(strstr(u, "&to=%2B989131111111&"));
	assert_null(strchr(u, ' '));
	v = param(u, "text");
	assert_string_equal(v, otp);
	free(v);
	v = param(u, "dlr-url");
	assert_string_equal(v, "http://127.0.0.1:8080/sms/dlr?id=42&type=%d");
	free(v);
	assert_non_null(strstr(u, "dlr-url=http%3A%2F%2F127.0.0.1%3A8080%2F"
				  "sms%2Fdlr%3Fid%3D42%26type%3D%25d"));
	free(u);
}

static void
test_expand_form_specials(void **state)
{
	const char *t = "a&b=c \"q\" 'x'\nline2 +100% سلام";
	char *u, *v;

	(void)state;
	u = expand("to={to_plain}&text={text}&id={id}",
	    smsc_http_body_esc("application/x-www-form-urlencoded"), t);
	assert_non_null(strstr(u, "to=989131111111&text="));
	assert_non_null(strstr(u, "&id=42"));
	/* The text's own & and = cannot split the form. */
	assert_int_equal(strchr(strchr(u, '&') + 1, '&') - u,
	    strstr(u, "&id=") - u);
	assert_non_null(strstr(u, "a%26b%3Dc%20%22q%22%20%27x%27%0Aline2"
				  "%20%2B100%25%20%D8%B3%D9%84%D8%A7%D9%85"));
	v = param(u, "text");
	assert_string_equal(v, t);
	free(v);
	free(u);
}

static void
test_expand_json(void **state)
{
	char *b;

	(void)state;
	assert_int_equal(smsc_http_body_esc("application/json; charset=utf-8"),
	    SMSC_HTTP_ESC_JSON);
	b = expand("{\"to\":\"{to}\",\"text\":\"{text}\",\"ref\":{id}}",
	    SMSC_HTTP_ESC_JSON, "He said \"hi\"\\\n\ttab\x01 سلام");
	assert_string_equal(b, "{\"to\":\"+989131111111\",\"text\":\"He said "
			       "\\\"hi\\\"\\\\\\n\\ttab\\u0001 سلام\","
			       "\"ref\":42}");
	free(b);
	b = expand("{\"text\":\"{text}\"}", SMSC_HTTP_ESC_JSON, otp);
	assert_int_equal(strncmp(b + 9, otp, strlen(otp)), 0);
	free(b);
}

static void
test_expand_xml_and_plain(void **state)
{
	char *b;

	(void)state;
	assert_int_equal(smsc_http_body_esc("text/xml"), SMSC_HTTP_ESC_XML);
	assert_int_equal(smsc_http_body_esc("text/plain"), SMSC_HTTP_ESC_NONE);
	b = expand("<sms to='{to}'>{text}</sms>", SMSC_HTTP_ESC_XML,
	    "<b>&\"'</b>");
	assert_string_equal(b, "<sms to='+989131111111'>&lt;b&gt;&amp;&quot;"
			       "&apos;&lt;/b&gt;</sms>");
	free(b);
	b = expand("{text}", SMSC_HTTP_ESC_NONE, "a&b");
	assert_string_equal(b, "a&b");
	free(b);
}

static void
test_template_check(void **state)
{
	struct smsc_http_vars v;
	char err[SD_ERRLEN], *out;

	(void)state;
	assert_int_equal(smsc_http_template_check("{\"a\":{\"b\":1}}", err),
	    SD_OK);
	assert_int_equal(smsc_http_template_check("{} { {to} {text", err),
	    SD_OK);
	assert_int_equal(smsc_http_template_check("to={dest}", err),
	    SD_EINVAL);
	assert_non_null(strstr(err, "{dest}"));
	assert_int_equal(smsc_http_template_check("{TO}", err), SD_EINVAL);
	/* Too long: ETOOBIG, nothing returned. */
	memset(&v, 0, sizeof(v));
	v.v[SMSC_HTTP_VAR_TEXT] = otp;
	assert_int_equal(smsc_http_expand("x={text}", SMSC_HTTP_ESC_URL, &v,
			     20, &out, err),
	    SD_ETOOBIG);
	assert_null(out);
	/* Missing values expand to nothing. */
	assert_int_equal(smsc_http_expand("a{receipt_url}b", SMSC_HTTP_ESC_URL,
			     &v, 100, &out, err),
	    SD_OK);
	assert_string_equal(out, "ab");
	free(out);
}

static void
test_config_checks(void **state)
{
	struct smsc_http_config cfg;
	struct sd_conf_section sec = {"http_sms", smsc_http_config_keys, &cfg};
	char err[SD_ERRLEN];

	(void)state;
	sd_conf_defaults(&sec);
	assert_string_equal(cfg.url, "");
	assert_int_equal(cfg.method, SMSC_HTTP_GET);
	assert_true(cfg.tls_verify);
	assert_string_equal(cfg.receipt_path, "/sms/dlr");
	assert_int_equal(sd_conf_set(&sec, "url", "ftp://x", err), SD_EINVAL);
	assert_int_equal(sd_conf_set(&sec, "url", "http://x/?t={txt}", err),
	    SD_EINVAL);
	assert_int_equal(sd_conf_set(&sec, "url", "http://x/?t={text}", err),
	    SD_OK);
	assert_int_equal(sd_conf_set(&sec, "success_status", "2xx", err),
	    SD_EINVAL);
	assert_int_equal(sd_conf_set(&sec, "success_status", "200-99", err),
	    SD_EINVAL);
	assert_int_equal(sd_conf_set(&sec, "success_status", "202, 200", err),
	    SD_OK);
	assert_int_equal(sd_conf_set(&sec, "auth_header", "Bearer x", err),
	    SD_EINVAL);
	assert_int_equal(sd_conf_set(&sec, "auth_header",
			     "Authorization: Bearer k", err),
	    SD_OK);
	assert_int_equal(sd_conf_set(&sec, "receipt_path", "dlr", err),
	    SD_EINVAL);
	assert_int_equal(sd_conf_set(&sec, "method", "put", err), SD_EINVAL);
	assert_int_equal(sd_conf_set(&sec, "body", "{\"t\":\"{tex}\"}", err),
	    SD_EINVAL);
}

/* ---- success test ------------------------------------------------------- */

static void
test_status_match(void **state)
{
	(void)state;
	assert_true(smsc_http_status_match("200-299", 202));
	assert_false(smsc_http_status_match("200-299", 300));
	assert_true(smsc_http_status_match("202", 202));
	assert_false(smsc_http_status_match("202", 200));
	assert_true(smsc_http_status_match("200,202", 200));
	assert_true(smsc_http_status_match("200, 202-204", 203));
}

static void
test_judge(void **state)
{
	struct smsc_http_config cfg;
	char id[65], why[SD_ERRLEN];
	const char *b;

	(void)state;
	cfg_make(&cfg, "id_field", "message_id", "success_body", "\"ok\"",
	    NULL);
	b = "{\"status\":\"ok\",\"data\":{\"message_id\":\"abc-123\"}}";
	assert_int_equal(smsc_http_judge(&cfg, 200, b, strlen(b), id,
			     sizeof(id), why),
	    SMSC_HTTP_ACCEPTED);
	assert_string_equal(id, "abc-123");
	b = "{\"status\":\"error\",\"message\":\"bad\\nnumber\"}";
	assert_int_equal(smsc_http_judge(&cfg, 200, b, strlen(b), id,
			     sizeof(id), why),
	    SMSC_HTTP_PERMFAIL);
	assert_non_null(strstr(why, "HTTP 200"));
	assert_null(strchr(why, '\n'));
	assert_int_equal(smsc_http_judge(&cfg, 500, "oops", 4, id, sizeof(id),
			     why),
	    SMSC_HTTP_TEMPFAIL);
	assert_string_equal(why, "HTTP 500: oops");
	assert_int_equal(smsc_http_judge(&cfg, 429, NULL, 0, id, sizeof(id),
			     why),
	    SMSC_HTTP_TEMPFAIL);
	assert_int_equal(smsc_http_judge(&cfg, 400, "no", 2, id, sizeof(id),
			     why),
	    SMSC_HTTP_PERMFAIL);
	assert_int_equal(smsc_http_judge(&cfg, 302, "", 0, id, sizeof(id),
			     why),
	    SMSC_HTTP_PERMFAIL);
	/* Kannel's sendsms: 202 "0: Accepted for delivery", no id. */
	cfg_make(&cfg, "success_status", "202", "success_body", "Accepted",
	    NULL);
	b = "0: Accepted for delivery";
	assert_int_equal(smsc_http_judge(&cfg, 202, b, strlen(b), id,
			     sizeof(id), why),
	    SMSC_HTTP_ACCEPTED);
	assert_string_equal(id, "");
}

static void
test_json_field(void **state)
{
	char out[16];
	const char *b;

	(void)state;
	b = "{\"a\":\"message_id\",\"x\":{\"message_id\": 98765 }}";
	assert_true(smsc_http_json_field(b, strlen(b), "message_id", out,
	    sizeof(out)));
	assert_string_equal(out, "98765");
	b = "{\"id\":\"a\\\"b\\\\c\"}";
	assert_true(smsc_http_json_field(b, strlen(b), "id", out,
	    sizeof(out)));
	assert_string_equal(out, "a\"b\\c");
	b = "{\"id\":\"0123456789abcdefXYZ\"}";
	assert_false(smsc_http_json_field(b, strlen(b), "id", out,
	    sizeof(out)));
	b = "{\"id\":null}";
	assert_false(smsc_http_json_field(b, strlen(b), "id", out,
	    sizeof(out)));
	b = "{\"id\":\"unterminated";
	assert_false(smsc_http_json_field(b, strlen(b), "id", out,
	    sizeof(out)));
	assert_false(smsc_http_json_field("", 0, "id", out, sizeof(out)));
}

static void
test_url_for_log(void **state)
{
	char out[64];

	(void)state;
	smsc_http_url_for_log("http://127.0.0.1:13013/cgi-bin/sendsms?"
			      "username=u&password=SECRET",
	    out, sizeof(out));
	assert_string_equal(out, "http://127.0.0.1:13013/cgi-bin/sendsms");
	smsc_http_url_for_log("https://user:pw@api.example/v1/sms#x", out,
	    sizeof(out));
	assert_string_equal(out, "https://api.example/v1/sms");
	smsc_http_url_for_log("https://h?a@b", out, sizeof(out));
	assert_string_equal(out, "https://h");
	smsc_http_url_for_log("https://averyveryveryverylonghostname.example."
			      "com/with/a/long/path/indeed",
	    out, 16);
	assert_int_equal(strlen(out), 15);
}

/* ---- receipts ----------------------------------------------------------- */

static void
test_parse_receipt(void **state)
{
	struct smsc_http_config cfg;
	char tok[SMSC_HTTP_TOKEN_LEN + 1];
	uint64_t id = 0;
	int st = 0;

	(void)state;
	cfg_make(&cfg, NULL);
	assert_int_equal(smsc_http_parse_receipt(&cfg, "id=42&type=1", &id,
			     &st, tok),
	    SD_OK);
	assert_int_equal(id, 42);
	assert_int_equal(st, SMSC_DLR_DELIVERED);
	assert_int_equal(smsc_http_parse_receipt(&cfg, "?type=2&id=7", &id,
			     &st, tok),
	    SD_OK);
	assert_int_equal(id, 7);
	assert_int_equal(st, SMSC_DLR_UNDELIVERABLE);
	assert_int_equal(smsc_http_parse_receipt(&cfg, "id=7&type=16", &id,
			     &st, tok),
	    SD_OK);
	assert_int_equal(st, SMSC_DLR_REJECTED);
	assert_int_equal(smsc_http_parse_receipt(&cfg, "id=7&type=8", &id,
			     &st, tok),
	    SD_OK);
	assert_int_equal(st, SMSC_DLR_ENROUTE);
	assert_int_equal(smsc_http_parse_receipt(&cfg, "id=7&type=4", &id,
			     &st, tok),
	    SD_OK);
	assert_int_equal(st, SMSC_DLR_ENROUTE);
	/* Percent-encoded, and a provider's status word instead. */
	assert_int_equal(smsc_http_parse_receipt(&cfg,
			     "%69d=18446744073709551615&status=Delivered",
			     &id, &st, tok),
	    SD_OK);
	assert_int_equal(id, UINT64_MAX);
	assert_int_equal(st, SMSC_DLR_DELIVERED);
	assert_int_equal(smsc_http_parse_receipt(&cfg,
			     "id=9&status=expired&x=1", &id, &st, tok),
	    SD_OK);
	assert_int_equal(st, SMSC_DLR_EXPIRED);
	/* Not receipts. */
	assert_int_equal(smsc_http_parse_receipt(&cfg, "id=7&type=%d", &id,
			     &st, tok),
	    SD_EINVAL);
	/* Not Kannel: %d stays, the provider adds its status. */
	assert_int_equal(smsc_http_parse_receipt(&cfg,
			     "id=7&type=%25d&status=failed", &id, &st, tok),
	    SD_OK);
	assert_int_equal(st, SMSC_DLR_UNDELIVERABLE);
	assert_int_equal(smsc_http_parse_receipt(&cfg, "id=7&type=%d&status=Sent",
			     &id, &st, tok),
	    SD_OK);
	assert_int_equal(st, SMSC_DLR_ENROUTE);
	assert_int_equal(smsc_http_parse_receipt(&cfg, "id=7&type=0", &id,
			     &st, tok),
	    SD_EINVAL);
	assert_int_equal(smsc_http_parse_receipt(&cfg, "type=1", &id, &st, tok),
	    SD_EINVAL);
	assert_int_equal(smsc_http_parse_receipt(&cfg, "id=x&type=1", &id,
			     &st, tok),
	    SD_EINVAL);
	assert_int_equal(smsc_http_parse_receipt(&cfg, "id=0&type=1", &id,
			     &st, tok),
	    SD_EINVAL);
	assert_int_equal(smsc_http_parse_receipt(&cfg,
			     "id=18446744073709551616&type=1", &id, &st, tok),
	    SD_EINVAL);
	assert_int_equal(smsc_http_parse_receipt(&cfg, "id=1&status=meh", &id,
			     &st, tok),
	    SD_EINVAL);
	assert_int_equal(smsc_http_parse_receipt(&cfg, "", &id, &st, tok),
	    SD_EINVAL);
	assert_int_equal(smsc_http_parse_receipt(&cfg, "&&=&id", &id, &st, tok),
	    SD_EINVAL);
}

/* The receipt URL carries a per-message secret; the parser hands it back
 * (issue #9). */
static void
test_issue9_receipt_token(void **state)
{
	static const char t1[] = "0123456789abcdef0123456789abcdef";
	struct smsc_http_config cfg;
	char tok[SMSC_HTTP_TOKEN_LEN + 1], a[SMSC_HTTP_TOKEN_LEN + 1];
	char b[SMSC_HTTP_TOKEN_LEN + 1];
	uint64_t id = 0;
	int st = 0;
	size_t i;

	(void)state;
	cfg_make(&cfg, NULL);
	assert_int_equal(smsc_http_parse_receipt(&cfg,
			     "id=42&tok=0123456789abcdef0123456789abcdef&type=1",
			     &id, &st, tok),
	    SD_OK);
	assert_int_equal(id, 42);
	assert_int_equal(st, SMSC_DLR_DELIVERED);
	assert_string_equal(tok, t1);
	/* Without one, or a malformed one: a receipt with no token. */
	assert_int_equal(smsc_http_parse_receipt(&cfg, "id=42&type=1", &id,
			     &st, tok),
	    SD_OK);
	assert_string_equal(tok, "");
	assert_int_equal(smsc_http_parse_receipt(&cfg,
			     "id=42&tok=0123456789abcdef0123456789abcdef0&type=1",
			     &id, &st, tok),
	    SD_OK);
	assert_string_equal(tok, "");
	assert_int_equal(smsc_http_parse_receipt(&cfg,
			     "id=42&tok=0123456789abcdef0123456789abcdeX&type=1",
			     &id, &st, tok),
	    SD_OK);
	assert_string_equal(tok, "");
	/* Fresh tokens: 32 lowercase hex digits, never twice the same. */
	smsc_http_token_new(a);
	smsc_http_token_new(b);
	assert_int_equal(strlen(a), SMSC_HTTP_TOKEN_LEN);
	for (i = 0; i < SMSC_HTTP_TOKEN_LEN; i++)
		assert_non_null(strchr("0123456789abcdef", a[i]));
	assert_string_not_equal(a, b);
}

/* ---- a tiny HTTP server ----------------------------------------------- */

#define SRV_SCRIPT_MAX 8
#define SRV_REQ_MAX 16
#define SRV_BUF 16384

/* One canned answer. */
struct srv_resp {
	int status;       /* status code */
	const char *body; /* answer body */
	int delay_ms;     /* wait first (less if the client hangs up) */
};

/* One request as received. */
struct srv_req {
	char head[SRV_BUF]; /* request line and headers */
	char body[SRV_BUF]; /* body */
};

struct srv {
	int fd;                                /* listening */
	int port;                              /* its port */
	pthread_t thr;                         /* the server thread */
	pthread_mutex_t mu;                    /* guards all below */
	bool stop;                             /* return */
	struct srv_resp script[SRV_SCRIPT_MAX]; /* answers, in order */
	int nscript;                           /* the last one repeats */
	struct srv_req reqs[SRV_REQ_MAX];      /* requests seen */
	int nreq;
};

/* Read one request from c into r; false on a broken one. */
static bool
srv_read(int c, struct srv_req *r)
{
	char buf[2 * SRV_BUF];
	size_t len = 0, hl, want;
	char *end = NULL, *cl;
	ssize_t n;

	while (end == NULL) {
		if (len >= sizeof(buf) - 1)
			return false;
		n = read(c, buf + len, sizeof(buf) - 1 - len);
		if (n <= 0)
			return false;
		len += (size_t)n;
		buf[len] = '\0';
		end = strstr(buf, "\r\n\r\n");
	}
	hl = (size_t)(end - buf) + 4;
	if (hl >= SRV_BUF)
		return false;
	memcpy(r->head, buf, hl);
	r->head[hl] = '\0';
	want = 0;
	cl = strcasestr(r->head, "\r\ncontent-length:");
	if (cl != NULL)
		want = strtoul(cl + 17, NULL, 10);
	if (want >= SRV_BUF)
		return false;
	while (len - hl < want) {
		n = read(c, buf + len, sizeof(buf) - 1 - len);
		if (n <= 0)
			return false;
		len += (size_t)n;
	}
	memcpy(r->body, buf + hl, want);
	r->body[want] = '\0';
	return true;
}

static void *
srv_main(void *arg)
{
	struct srv *s = arg;

	for (;;) {
		struct pollfd pf = {s->fd, POLLIN, 0};
		struct srv_resp resp;
		struct srv_req *req = malloc(sizeof(*req));
		char out[SRV_BUF];
		int c, n;
		bool stop;

		if (req == NULL)
			abort();
		pthread_mutex_lock(&s->mu);
		stop = s->stop;
		pthread_mutex_unlock(&s->mu);
		if (stop) {
			free(req);
			return NULL;
		}
		if (poll(&pf, 1, 50) <= 0 ||
		    (c = accept(s->fd, NULL, NULL)) < 0) {
			free(req);
			continue;
		}
		if (!srv_read(c, req)) {
			close(c);
			free(req);
			continue;
		}
		pthread_mutex_lock(&s->mu);
		if (s->nreq < SRV_REQ_MAX)
			s->reqs[s->nreq] = *req;
		n = s->nreq++;
		resp = s->script[n < s->nscript ? n : s->nscript - 1];
		pthread_mutex_unlock(&s->mu);
		free(req);
		if (resp.delay_ms > 0) {
			/* Wait, but stop early when the client gives up. */
			struct pollfd cf = {c, POLLIN | POLLRDHUP, 0};

			(void)poll(&cf, 1, resp.delay_ms);
		}
		n = snprintf(out, sizeof(out),
		    "HTTP/1.1 %d X\r\nContent-Type: text/plain\r\n"
		    "Content-Length: %zu\r\nConnection: close\r\n\r\n%s",
		    resp.status, strlen(resp.body), resp.body);
		(void)send(c, out, (size_t)n, MSG_NOSIGNAL);
		close(c);
	}
}

/* Start a server answering with the n responses of script. */
static struct srv *
srv_start(const struct srv_resp *script, int n)
{
	struct srv *s = calloc(1, sizeof(*s));
	struct sockaddr_in a;
	socklen_t al = sizeof(a);

	assert_non_null(s);
	assert_true(n >= 1 && n <= SRV_SCRIPT_MAX);
	memcpy(s->script, script, sizeof(*script) * (size_t)n);
	s->nscript = n;
	pthread_mutex_init(&s->mu, NULL);
	s->fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	assert_true(s->fd >= 0);
	memset(&a, 0, sizeof(a));
	a.sin_family = AF_INET;
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	assert_int_equal(bind(s->fd, (struct sockaddr *)&a, sizeof(a)), 0);
	assert_int_equal(listen(s->fd, 16), 0);
	assert_int_equal(getsockname(s->fd, (struct sockaddr *)&a, &al), 0);
	s->port = ntohs(a.sin_port);
	assert_int_equal(pthread_create(&s->thr, NULL, srv_main, s), 0);
	return s;
}

static int
srv_nreq(struct srv *s)
{
	int n;

	pthread_mutex_lock(&s->mu);
	n = s->nreq;
	pthread_mutex_unlock(&s->mu);
	return n;
}

static void
srv_stop(struct srv *s)
{
	pthread_mutex_lock(&s->mu);
	s->stop = true;
	pthread_mutex_unlock(&s->mu);
	pthread_join(s->thr, NULL);
	close(s->fd);
	pthread_mutex_destroy(&s->mu);
	free(s);
}

/* ---- round trips ------------------------------------------------------ */

#define RT_MAX 8

/* What the hooks saw. */
struct rt {
	struct sd_loop *loop;      /* the loop the transport runs on */
	int want;                  /* stop after this many outcomes */
	int n;                     /* outcomes so far */
	uint64_t id[RT_MAX];       /* local id of each */
	bool ok[RT_MAX];           /* accepted */
	bool temp[RT_MAX];         /* failed temporarily */
	char msgid[RT_MAX][66];    /* the id accepted gave */
	char why[RT_MAX][SD_ERRLEN]; /* the reason failed gave */
	unsigned parts[RT_MAX];    /* part/parts of accepted */
};

static void
rt_accepted(void *arg, uint64_t id, unsigned part, unsigned parts,
    const char *msgid)
{
	struct rt *t = arg;

	if (t->n < RT_MAX) {
		t->id[t->n] = id;
		t->ok[t->n] = true;
		t->parts[t->n] = part * 10 + parts;
		snprintf(t->msgid[t->n], sizeof(t->msgid[0]), "%s", msgid);
	}
	if (++t->n >= t->want)
		sd_loop_stop(t->loop);
}

static void
rt_failed(void *arg, uint64_t id, bool temporary, const char *why)
{
	struct rt *t = arg;

	if (t->n < RT_MAX) {
		t->id[t->n] = id;
		t->temp[t->n] = temporary;
		snprintf(t->why[t->n], sizeof(t->why[0]), "%s", why);
	}
	if (++t->n >= t->want)
		sd_loop_stop(t->loop);
}

static void
rt_deadline(struct sd_loop *loop, uint64_t id, void *arg)
{
	(void)id;
	(void)arg;
	sd_loop_stop(loop);
}

/* Run the loop until t->want outcomes or ms milliseconds. */
static void
rt_run(struct rt *t, int want, int64_t ms)
{
	uint64_t tm;

	t->want = want;
	if (t->n >= want)
		return;
	tm = sd_loop_timer_add(t->loop, ms, rt_deadline, NULL);
	assert_int_equal(sd_loop_run(t->loop), SD_OK);
	sd_loop_timer_cancel(t->loop, tm);
}

/* A transport on a new loop for cfg, hooks into t. */
static struct smsc_http *
rt_new(struct rt *t, struct smsc_hooks *hooks,
    const struct smsc_http_config *cfg)
{
	struct smsc_http *h;
	char err[SD_ERRLEN];

	memset(t, 0, sizeof(*t));
	memset(hooks, 0, sizeof(*hooks));
	t->loop = sd_loop_new();
	assert_non_null(t->loop);
	hooks->arg = t;
	hooks->accepted = rt_accepted;
	hooks->failed = rt_failed;
	if (smsc_http_new(cfg, t->loop, hooks, &h, err) != SD_OK)
		fail_msg("smsc_http_new: %s", err);
	return h;
}

static void
rt_free(struct rt *t, struct smsc_http *h)
{
	smsc_http_free(h);
	sd_loop_free(t->loop);
}

/* The receipt token submit() gives. */
#define TOK "00112233445566778899aabbccddeeff"

static enum sd_rc
submit(struct smsc_http *h, uint64_t id, const char *text, bool receipt)
{
	struct smsc_submit m;
	char err[SD_ERRLEN];

	memset(&m, 0, sizeof(m));
	m.local_id = id;
	m.dest = "+989131111111";
	m.text = text;
	m.receipt = receipt;
	m.receipt_token = receipt ? TOK : NULL;
	return smsc_http_submit(h, &m, err);
}

static char *
url_of(int port, const char *rest)
{
	static char u[1024];

	snprintf(u, sizeof(u), "http://127.0.0.1:%d%s", port, rest);
	return u;
}

/* Kannel-style GET, answered 202: accepted with our own id, the text
 * arrives byte for byte. */
static void
test_rt_get_202(void **state)
{
	static const struct srv_resp script[] = {
		{202, "0: Accepted for delivery", 0}};
	struct srv *s = srv_start(script, 1);
	struct smsc_http_config cfg;
	struct smsc_hooks hooks;
	struct smsc_http_stats st;
	struct smsc_http *h;
	struct rt t;
	char *v;

	(void)state;
	cfg_make(&cfg, "url",
	    url_of(s->port, "/cgi-bin/sendsms?username=u&password=p&from="
			    "{from}&to={to}&text={text}&coding=2&charset=UTF-8"
			    "&dlr-mask=3&dlr-url={receipt_url}"),
	    "success_status", "202", "success_body", "Accepted", "base_url",
	    "http://127.0.0.1:9/", NULL);
	h = rt_new(&t, &hooks, &cfg);
	assert_int_equal(submit(h, 11, otp, true), SD_OK);
	rt_run(&t, 1, 10000);
	assert_int_equal(t.n, 1);
	assert_true(t.ok[0]);
	assert_int_equal(t.id[0], 11);
	assert_int_equal(t.parts[0], 11);
	assert_string_equal(t.msgid[0], "http-11");
	assert_int_equal(srv_nreq(s), 1);
	assert_int_equal(strncmp(s->reqs[0].head, "GET /cgi-bin/sendsms?", 21),
	    0);
	v = param(strtok(s->reqs[0].head + 4, " "), "text");
	assert_string_equal(v, otp);
	free(v);
	v = param(s->reqs[0].head + 4, "dlr-url");
	assert_string_equal(v,
	    "http://127.0.0.1:9/sms/dlr?id=11&tok=" TOK "&type=%d");
	free(v);
	v = param(s->reqs[0].head + 4, "to");
	assert_string_equal(v, "+989131111111");
	free(v);
	smsc_http_stats(h, &st);
	assert_int_equal(st.sent, 1);
	assert_int_equal(st.accepted, 1);
	assert_int_equal(st.in_flight, 0);
	{
		/* A receipt asked without its secret: never sent. */
		struct smsc_submit m;
		char err[SD_ERRLEN];

		memset(&m, 0, sizeof(m));
		m.local_id = 12;
		m.dest = "+989131111111";
		m.text = otp;
		m.receipt = true;
		assert_int_equal(smsc_http_submit(h, &m, err), SD_EINVAL);
		assert_non_null(strstr(err, "token"));
	}
	rt_free(&t, h);
	srv_stop(s);
}

/* JSON REST: POST with an auth header; the provider's id is read. */
static void
test_rt_json_id(void **state)
{
	static const struct srv_resp script[] = {{200,
	    "{\"status\":\"ok\",\"data\":{\"message_id\":\"abc-123\"}}", 0}};
	struct srv *s = srv_start(script, 1);
	struct smsc_http_config cfg;
	struct smsc_hooks hooks;
	struct smsc_http *h;
	struct rt t;
	char want[512];

	(void)state;
	cfg_make(&cfg, "url", url_of(s->port, "/v1/sms"), "method", "post",
	    "content_type", "application/json", "body",
	    "{\"to\":\"{to_plain}\",\"text\":\"{text}\",\"ref\":\"{id}\"}",
	    "auth_header", "Authorization: Bearer s3cr3t", "id_field",
	    "message_id", NULL);
	h = rt_new(&t, &hooks, &cfg);
	assert_int_equal(submit(h, 12, "«سلام» \"x\"\n۱", false), SD_OK);
	rt_run(&t, 1, 10000);
	assert_int_equal(t.n, 1);
	assert_true(t.ok[0]);
	assert_string_equal(t.msgid[0], "abc-123");
	assert_int_equal(srv_nreq(s), 1);
	assert_int_equal(strncmp(s->reqs[0].head, "POST /v1/sms ", 13), 0);
	assert_non_null(strcasestr(s->reqs[0].head,
	    "\r\nContent-Type: application/json\r\n"));
	assert_non_null(strcasestr(s->reqs[0].head,
	    "\r\nAuthorization: Bearer s3cr3t\r\n"));
	assert_null(strcasestr(s->reqs[0].head, "Expect:"));
	snprintf(want, sizeof(want), "{\"to\":\"989131111111\",\"text\":"
				     "\"«سلام» \\\"x\\\"\\n۱\",\"ref\":\"12\"}");
	assert_string_equal(s->reqs[0].body, want);
	rt_free(&t, h);
	srv_stop(s);
}

/* 500, 500, then 200: two retries, then accepted. */
static void
test_rt_retry_then_ok(void **state)
{
	static const struct srv_resp script[] = {{500, "busy", 0},
	    {503, "busy", 0}, {200, "OK", 0}};
	struct srv *s = srv_start(script, 3);
	struct smsc_http_config cfg;
	struct smsc_hooks hooks;
	struct smsc_http_stats st;
	struct smsc_http *h;
	struct rt t;

	(void)state;
	cfg_make(&cfg, "url", url_of(s->port, "/s?t={text}"), "retries", "2",
	    "retry_delay_ms", "20", NULL);
	h = rt_new(&t, &hooks, &cfg);
	assert_int_equal(submit(h, 13, "hi", false), SD_OK);
	rt_run(&t, 1, 10000);
	assert_int_equal(t.n, 1);
	assert_true(t.ok[0]);
	assert_int_equal(srv_nreq(s), 3);
	smsc_http_stats(h, &st);
	assert_int_equal(st.sent, 3);
	assert_int_equal(st.accepted, 1);
	rt_free(&t, h);
	srv_stop(s);
}

/* 5xx every time: after 1 + retries tries, a temporary failure. */
static void
test_rt_retries_exhausted(void **state)
{
	static const struct srv_resp script[] = {{502, "bad gateway", 0}};
	struct srv *s = srv_start(script, 1);
	struct smsc_http_config cfg;
	struct smsc_hooks hooks;
	struct smsc_http_stats st;
	struct smsc_http *h;
	struct rt t;

	(void)state;
	cfg_make(&cfg, "url", url_of(s->port, "/s?t={text}"), "retries", "1",
	    "retry_delay_ms", "10", NULL);
	h = rt_new(&t, &hooks, &cfg);
	assert_int_equal(submit(h, 14, "hi", false), SD_OK);
	rt_run(&t, 1, 10000);
	assert_int_equal(t.n, 1);
	assert_false(t.ok[0]);
	assert_true(t.temp[0]);
	assert_string_equal(t.why[0], "HTTP 502: bad gateway");
	assert_int_equal(srv_nreq(s), 2);
	smsc_http_stats(h, &st);
	assert_int_equal(st.failed_temp, 1);
	rt_free(&t, h);
	srv_stop(s);
}

/* 400: permanent at once, no retry. */
static void
test_rt_400_permanent(void **state)
{
	static const struct srv_resp script[] = {
		{400, "Missing receiver\n", 0}};
	struct srv *s = srv_start(script, 1);
	struct smsc_http_config cfg;
	struct smsc_hooks hooks;
	struct smsc_http_stats st;
	struct smsc_http *h;
	struct rt t;

	(void)state;
	cfg_make(&cfg, "url", url_of(s->port, "/s?t={text}"), "retries", "3",
	    "retry_delay_ms", "10", NULL);
	h = rt_new(&t, &hooks, &cfg);
	assert_int_equal(submit(h, 15, "hi", false), SD_OK);
	rt_run(&t, 1, 10000);
	assert_int_equal(t.n, 1);
	assert_false(t.ok[0]);
	assert_false(t.temp[0]);
	assert_string_equal(t.why[0], "HTTP 400: Missing receiver");
	assert_int_equal(srv_nreq(s), 1);
	smsc_http_stats(h, &st);
	assert_int_equal(st.failed_perm, 1);
	assert_int_equal(st.sent, 1);
	rt_free(&t, h);
	srv_stop(s);
}

/* No answer within timeout_s: a temporary failure. */
static void
test_rt_timeout(void **state)
{
	static const struct srv_resp script[] = {{200, "late", 4000}};
	struct srv *s = srv_start(script, 1);
	struct smsc_http_config cfg;
	struct smsc_hooks hooks;
	struct smsc_http *h;
	struct rt t;

	(void)state;
	cfg_make(&cfg, "url", url_of(s->port, "/s?t={text}"), "retries", "0",
	    "timeout_s", "1", NULL);
	h = rt_new(&t, &hooks, &cfg);
	assert_int_equal(submit(h, 16, "hi", false), SD_OK);
	rt_run(&t, 1, 8000);
	assert_int_equal(t.n, 1);
	assert_false(t.ok[0]);
	assert_true(t.temp[0]);
	assert_non_null(strcasestr(t.why[0], "timeout"));
	rt_free(&t, h);
	srv_stop(s);
}

/* Nobody listening: a temporary failure after the retries. */
static void
test_rt_refused(void **state)
{
	struct smsc_http_config cfg;
	struct smsc_hooks hooks;
	struct smsc_http *h;
	struct srv *s;
	struct rt t;
	int port;

	(void)state;
	/* A port that was just free. */
	s = srv_start((const struct srv_resp[]){{200, "", 0}}, 1);
	port = s->port;
	srv_stop(s);
	cfg_make(&cfg, "url", url_of(port, "/s?t={text}"), "retries", "1",
	    "retry_delay_ms", "10", NULL);
	h = rt_new(&t, &hooks, &cfg);
	assert_int_equal(submit(h, 17, "hi", false), SD_OK);
	rt_run(&t, 1, 8000);
	assert_int_equal(t.n, 1);
	assert_false(t.ok[0]);
	assert_true(t.temp[0]);
	rt_free(&t, h);
}

/* queue_max messages held: the next one is refused with SD_EBUSY until a
 * hook fired. */
static void
test_rt_queue_full(void **state)
{
	static const struct srv_resp script[] = {{200, "OK", 300}};
	struct srv *s = srv_start(script, 1);
	struct smsc_http_config cfg;
	struct smsc_hooks hooks;
	struct smsc_http_stats st;
	struct smsc_http *h;
	struct rt t;

	(void)state;
	cfg_make(&cfg, "url", url_of(s->port, "/s?t={text}"), "queue_max", "2",
	    "parallel", "1", NULL);
	h = rt_new(&t, &hooks, &cfg);
	assert_int_equal(submit(h, 21, "a", false), SD_OK);
	assert_int_equal(submit(h, 22, "b", false), SD_OK);
	assert_int_equal(submit(h, 23, "c", false), SD_EBUSY);
	smsc_http_stats(h, &st);
	assert_int_equal(st.in_flight, 2);
	rt_run(&t, 1, 10000);
	assert_int_equal(t.n, 1);
	assert_int_equal(t.id[0], 21);
	assert_int_equal(submit(h, 23, "c", false), SD_OK);
	rt_run(&t, 3, 10000);
	assert_int_equal(t.n, 3);
	assert_int_equal(t.id[1], 22);
	assert_int_equal(t.id[2], 23);
	assert_true(t.ok[2]);
	rt_free(&t, h);
	srv_stop(s);
}

/* Bad input and bad settings. */
static void
test_rt_bad_input(void **state)
{
	struct smsc_http_config cfg;
	struct smsc_hooks hooks;
	struct smsc_http *h;
	struct smsc_submit m;
	struct sd_loop *loop = sd_loop_new();
	char err[SD_ERRLEN], *big;

	(void)state;
	memset(&hooks, 0, sizeof(hooks));
	cfg_make(&cfg, NULL);
	assert_int_equal(smsc_http_new(&cfg, loop, &hooks, &h, err),
	    SD_EINVAL);
	assert_null(h);
	cfg_make(&cfg, "url", "http://127.0.0.1:9/x", "body", "a={text}",
	    NULL);
	assert_int_equal(smsc_http_new(&cfg, loop, &hooks, &h, err),
	    SD_EINVAL);
	assert_non_null(strstr(err, "post"));
	cfg_make(&cfg, "url", "https://127.0.0.1:9/x", "ca_file",
	    "/nonexistent/ca.pem", NULL);
	assert_int_equal(smsc_http_new(&cfg, loop, &hooks, &h, err),
	    SD_EINVAL);
	assert_non_null(strstr(err, "ca_file"));
	cfg_make(&cfg, "url", "http://127.0.0.1:9/x?t={text}", NULL);
	assert_int_equal(smsc_http_new(&cfg, loop, &hooks, &h, err), SD_OK);
	memset(&m, 0, sizeof(m));
	m.local_id = 1;
	m.text = "x";
	m.dest = "+98 913";
	assert_int_equal(smsc_http_submit(h, &m, err), SD_EINVAL);
	m.dest = "+";
	assert_int_equal(smsc_http_submit(h, &m, err), SD_EINVAL);
	m.dest = "09131111111";
	m.text = NULL;
	assert_int_equal(smsc_http_submit(h, &m, err), SD_EINVAL);
	big = malloc(SMSC_HTTP_TEXT_MAX + 2);
	assert_non_null(big);
	memset(big, 'a', SMSC_HTTP_TEXT_MAX + 1);
	big[SMSC_HTTP_TEXT_MAX + 1] = '\0';
	m.text = big;
	assert_int_equal(smsc_http_submit(h, &m, err), SD_ETOOBIG);
	free(big);
	smsc_http_free(h);
	smsc_http_free(NULL);
	sd_loop_free(loop);
}

/* Freed with requests queued and in flight: nothing leaks, no hook. */
static void
test_rt_free_abandons(void **state)
{
	static const struct srv_resp script[] = {{200, "OK", 2000}};
	struct srv *s = srv_start(script, 1);
	struct smsc_http_config cfg;
	struct smsc_hooks hooks;
	struct smsc_http *h;
	struct rt t;
	int i;

	(void)state;
	cfg_make(&cfg, "url", url_of(s->port, "/s?t={text}"), "parallel", "1",
	    NULL);
	h = rt_new(&t, &hooks, &cfg);
	for (i = 0; i < 3; i++)
		assert_int_equal(submit(h, (uint64_t)(30 + i), "x", true),
		    SD_OK);
	/* Let the first one reach the server. */
	for (i = 0; i < 200 && srv_nreq(s) == 0; i++)
		usleep(10000);
	assert_int_equal(srv_nreq(s), 1);
	rt_free(&t, h);
	assert_int_equal(t.n, 0);
	srv_stop(s);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_expand_url_kannel),
		cmocka_unit_test(test_expand_form_specials),
		cmocka_unit_test(test_expand_json),
		cmocka_unit_test(test_expand_xml_and_plain),
		cmocka_unit_test(test_template_check),
		cmocka_unit_test(test_config_checks),
		cmocka_unit_test(test_status_match),
		cmocka_unit_test(test_judge),
		cmocka_unit_test(test_json_field),
		cmocka_unit_test(test_url_for_log),
		cmocka_unit_test(test_parse_receipt),
		cmocka_unit_test(test_issue9_receipt_token),
		cmocka_unit_test(test_rt_get_202),
		cmocka_unit_test(test_rt_json_id),
		cmocka_unit_test(test_rt_retry_then_ok),
		cmocka_unit_test(test_rt_retries_exhausted),
		cmocka_unit_test(test_rt_400_permanent),
		cmocka_unit_test(test_rt_timeout),
		cmocka_unit_test(test_rt_refused),
		cmocka_unit_test(test_rt_queue_full),
		cmocka_unit_test(test_rt_bad_input),
		cmocka_unit_test(test_rt_free_abandons),
	};

	log_set_level(LOG_LVL_WARN);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
