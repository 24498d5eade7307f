/*
 * tests/web/webc.h: a small HTTP client for the web view's tests, on
 * libcurl. One struct webc is one browser: its own cookie jar (libcurl's
 * in-memory engine), the last answer's status, headers and body, and the
 * CSRF token of the last page with a form. Also raw sockets for what
 * libcurl will not send (slow clients, Transfer-Encoding with
 * Content-Length), and the OTP read from the outbox.
 *
 * Reading the code: the test runs `smsdesk serve` with [smpp] enabled =
 * no and no [http_sms] url, so no dispatcher ever sends and masks an OTP
 * row; the code is read from the newest OTP row to the number
 * (webc_otp()). A test that wants to see it at an SMSC runs the
 * simulator and reads its /submits instead.
 */
#ifndef SMSDESK_TESTS_WEB_WEBC_H
#define SMSDESK_TESTS_WEB_WEBC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct webc {
	void *curl;     /* CURL * */
	char base[256]; /* "http://127.0.0.1:PORT" */
	char xff[64];   /* X-Forwarded-For to send, "" none */
	long status;    /* of the last answer */
	char *body;     /* the last answer's body (NUL-terminated) */
	size_t body_len;
	char *headers; /* the last answer's headers, as received */
	size_t headers_len;
	char location[512]; /* Location of the last answer */
	char csrf[80];      /* the last page's csrf field */
};

/* A new browser for base. */
void webc_init(struct webc *c, const char *base);
void webc_fini(struct webc *c);

/* GET path; the status (0 on a transport error). */
long webc_get(struct webc *c, const char *path);
/* POST an url-encoded form to path: fields are name, value pairs ended
 * by NULL; the csrf field of the last page is added unless a "csrf"
 * pair is given (value NULL: none sent). Values are percent-encoded
 * here, byte for byte. */
long webc_post(struct webc *c, const char *path, ...);

/* True if the last body contains s. */
bool webc_has(const struct webc *c, const char *s);
/* The value of the response header name (case-insensitive), the n-th
 * occurrence (0-based), into out; false if absent. */
bool webc_header(const struct webc *c, const char *name, int n, char *out,
    size_t sz);
/* The value of cookie name in the browser's jar into out; false if
 * absent. */
bool webc_cookie(struct webc *c, const char *name, char *out, size_t sz);
/* Set (replace) cookie name=value for the server. */
void webc_cookie_put(struct webc *c, const char *name, const char *value);

/* The 6-digit code of the newest OTP SMS to e164 in database db_path
 * into out[7]; false if none. */
bool webc_otp(const char *db_path, const char *e164, char out[7]);
/* Run one SQL statement on db_path (aging rows); false on error. */
bool webc_sql(const char *db_path, const char *sql);
/* The integer of a one-value query; -1 on error. */
long long webc_sql_int(const char *db_path, const char *sql);

/* A raw TCP connection to base's host:port; -1 on failure. */
int webc_raw_connect(const char *base);
/* Read what comes until close or timeout_ms, into buf (NUL-terminated);
 * bytes read, -1 on error. */
long webc_raw_read(int fd, char *buf, size_t sz, int timeout_ms);

/* Milliseconds, monotonic. */
int64_t webc_now_ms(void);

/* TAP-ish output: "ok - what" or "FAIL - what"; counts failures. */
extern int webc_fails;
void webc_check(bool ok, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

#endif
