/*
 * smsc/http_int.h: the socket-free parts of the HTTP SMS transport.
 *
 * Private to smsc/ (config.c checks [http_sms] values with these) and its
 * tests. Nothing here touches libcurl, a socket or a clock: templates are
 * checked and expanded, responses judged, callbacks parsed. Pure
 * functions; any thread may call them.
 *
 * Template format: literal text with variables written {name}, name one
 * of the SMSC_HTTP_VAR_* below. A '{' that does not start a name made of
 * [a-z_] closed by '}' is literal, so JSON bodies need no quoting:
 * {"to":"{to}"} has one variable. An unknown name is an error, so a typo
 * is caught by check-config rather than sent to the provider.
 *
 * Escaping, by where a value lands: in the URL and in form bodies
 * (content type application/x-www-form-urlencoded) every byte but
 * A-Z a-z 0-9 - . _ ~ is percent-encoded (UTF-8 bytes as they are); in
 * JSON bodies (a content type containing "json") '"', '\' and control
 * characters are escaped and UTF-8 goes as it is; in XML bodies
 * ("xml") & < > " ' become entities; any other content type gets the
 * value verbatim.
 */
#ifndef SMSDESK_SMSC_HTTP_INT_H
#define SMSDESK_SMSC_HTTP_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/base/rc.h"

struct smsc_http_config;

/* Bytes of UTF-8 text in one message at most (a long SMS of 255 parts of
 * 67 UCS-2 characters fits; the provider splits it). */
#define SMSC_HTTP_TEXT_MAX 32768
/* Bytes of an expanded URL or body at most. */
#define SMSC_HTTP_REQ_MAX (4 * SMSC_HTTP_TEXT_MAX)
/* Bytes of a response body kept for the success test and the id. */
#define SMSC_HTTP_RESP_MAX 16384
/* Bytes of a provider message id kept, without the NUL. */
#define SMSC_HTTP_ID_MAX 64
/* Bytes of a callback query string looked at. */
#define SMSC_HTTP_QUERY_MAX 2048
/* Longest wait between two tries of one request. */
#define SMSC_HTTP_RETRY_MAX_MS 60000

/* How a value is escaped where it lands. */
enum smsc_http_esc {
	SMSC_HTTP_ESC_URL = 0,  /* percent-encoding */
	SMSC_HTTP_ESC_JSON = 1, /* inside a JSON string */
	SMSC_HTTP_ESC_XML = 2,  /* XML character data or attribute */
	SMSC_HTTP_ESC_NONE = 3, /* verbatim */
};

/* The variables a template may use, in the order of the fields below. */
enum smsc_http_var {
	SMSC_HTTP_VAR_TO = 0,       /* "+989131111111" */
	SMSC_HTTP_VAR_TO_PLAIN,     /* "989131111111" */
	SMSC_HTTP_VAR_TEXT,         /* the message, UTF-8 */
	SMSC_HTTP_VAR_ID,           /* our local id, decimal */
	SMSC_HTTP_VAR_FROM,         /* [http_sms] from */
	SMSC_HTTP_VAR_RECEIPT_URL,  /* our callback, "" if none wanted */
	SMSC_HTTP_VAR_VALIDITY_MIN, /* validity in minutes, "" if none */
	SMSC_HTTP_VAR_N,
};

/* The values of one message, borrowed for one expansion. */
struct smsc_http_vars {
	const char *v[SMSC_HTTP_VAR_N]; /* NULL counts as "" */
};

/* Escaping for a body of content type ct (case-insensitive match). */
enum smsc_http_esc smsc_http_body_esc(const char *ct);

/* SD_EINVAL with a reason if tpl names an unknown variable. */
enum sd_rc smsc_http_template_check(const char *tpl,
    char err[SD_ERRLEN]) SD_MUSTCHECK;

/*
 * Expand tpl with vars, each value escaped as esc says, into a new
 * string in *out (the caller frees it) of at most max bytes.
 * SD_ETOOBIG past max, SD_EINVAL on an unknown variable; *out is NULL
 * then.
 */
enum sd_rc smsc_http_expand(const char *tpl, enum smsc_http_esc esc,
    const struct smsc_http_vars *vars, size_t max, char **out,
    char err[SD_ERRLEN]) SD_MUSTCHECK;

/* SD_EINVAL with a reason unless spec is a comma-separated list of
 * status codes and ranges within 100..599 ("200-299", "202,200"). */
enum sd_rc smsc_http_status_check(const char *spec,
    char err[SD_ERRLEN]) SD_MUSTCHECK;
/* True if status matches spec (already checked). */
bool smsc_http_status_match(const char *spec, long status);

/* SD_EINVAL unless h is one "Name: value" header line without CR/LF. */
enum sd_rc smsc_http_header_check(const char *h,
    char err[SD_ERRLEN]) SD_MUSTCHECK;

/*
 * Find the first member named field, at any depth, of the JSON text
 * body[0..len) and copy its value (a string, unescaped for \" \\ \/, or a
 * number) into out (size n, NUL-terminated). False if there is none or
 * it does not fit.
 */
bool smsc_http_json_field(const char *body, size_t len, const char *field,
    char *out, size_t n);

/* What one HTTP answer means for the message. */
enum smsc_http_verdict {
	SMSC_HTTP_ACCEPTED = 0, /* the provider took it */
	SMSC_HTTP_TEMPFAIL = 1, /* 5xx, 408, 429: try again */
	SMSC_HTTP_PERMFAIL = 2, /* any other answer */
};

/*
 * Judge the answer status/body[0..len) against cfg's success_status and
 * success_body. On SMSC_HTTP_ACCEPTED, msgid (size idn) gets the
 * id_field value when there is one, else "". Otherwise reason gets the
 * status and the start of the body, made printable.
 */
enum smsc_http_verdict smsc_http_judge(const struct smsc_http_config *cfg,
    long status, const char *body, size_t len, char *msgid, size_t idn,
    char reason[SD_ERRLEN]);

/* Copy the URL template without its query, fragment and user info into
 * out (size n): what logs may show of it. */
void smsc_http_url_for_log(const char *url, char *out, size_t n);

#endif
