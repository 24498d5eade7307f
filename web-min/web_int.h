/*
 * web-min/web_int.h: the framework of the web view, shared by its pages.
 *
 * One HTTP request in progress is a struct web_req. The server
 * (web-min/web.c) reads the head, refuses what is malformed or too large
 * before reading a body, parses an url-encoded form itself or streams a
 * multipart one to the route's upload callbacks, loads the session,
 * checks the CSRF token of every POST, and calls the route's handler on
 * one of libmicrohttpd's pool threads with that thread's struct db. The
 * handler writes a page into req->out (bounded) with the helpers below,
 * or redirects. Every value that comes from a user is written through
 * web_esc() / web_printf_html() (HTML-escaped).
 *
 * Routes: the account pages' table is in web-min/page_account.c
 * (web_routes_auth), the requests' in web-min/page_requests.c
 * (web_routes_req). A pattern is a path whose segments are literal or
 * "#" (a decimal integer 1..2^62, in req->param) or "*" (one segment of
 * [A-Za-z0-9_-], at most WEB_PARAM_MAX bytes, in req->param_s).
 */
#ifndef SMSDESK_WEB_MIN_WEB_INT_H
#define SMSDESK_WEB_MIN_WEB_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/base/buf.h"
#include "core/base/rc.h"
#include "core/core.h"
#include "db/db.h"
#include "web-min/web.h"

struct MHD_Connection;
struct web;
struct web_conn;

/* A page's size limit (the issue asks < 30 KB; this is the hard stop). */
#define WEB_PAGE_MAX (256 * 1024)
/* Form fields of one request, and one field's name. */
#define WEB_FIELDS_MAX 48
#define WEB_FIELD_NAME_MAX 64
/* libmicrohttpd's memory pool per connection: the request line and
 * headers, the read buffer and the post processor (16 KB) live in it.
 * MHD clears the whole pool for each request of a kept-alive connection
 * (~3% of a request page's CPU at 64 KB), but at 32 KB a client that
 * cut its upload short went unnoticed until the request's deadline, the
 * half-written file with it, in 2 of 8 runs of test_web_requests under
 * load (0 of 8 at 64 KB): the read buffer left beside the post
 * processor was too small for MHD to read on and see the close. */
#define WEB_CONN_POOL (64 * 1024)
/* A "*" path segment. */
#define WEB_PARAM_MAX 256
/* Extra response headers. */
#define WEB_HEADERS_MAX 8
/* A client address as text. */
#define WEB_ADDR_LEN 64
/* A CSRF token: 64 hex digits and the NUL. */
#define WEB_TOKEN_LEN 65

/* Route flags. */
#define WEB_AUTH                                                               \
	0x01u /* a signed-in applicant (or staff) only; else a                 \
		 redirect to /?next=PATH */
#define WEB_CSRF                                                               \
	0x02u /* POST: the form's csrf field is checked (every                 \
		 POST is checked; the flag documents it) */
#define WEB_UPLOAD                                                             \
	0x04u /* POST multipart/form-data, files streamed to                   \
		 route->upload */
#define WEB_ANON                                                               \
	0x08u /* only without a session (sign-in, sign-up): a                  \
		 signed-in user is sent to /requests */
/* The handler only reads, or writes through db_begin() only: its reads
 * share one snapshot (db_read_begin()), taking SQLite's locks once. */
#define WEB_READ 0x10u
/* Staff pages (/staff/...): staff, head and admin only; a signed-in
 * applicant gets web_not_found(), the same bytes as a missing page
 * (issue #14). Combine with WEB_AUTH. */
#define WEB_STAFF 0x20u

struct web_req;

/*
 * The file callbacks of a WEB_UPLOAD route, all on the request's thread
 * in order: begin (a file part starts: its field name, the file name as
 * the client sent it, untrusted, and its declared type, may be NULL),
 * data (the next bytes, n > 0), end (the part is complete). Other fields
 * are stored as form fields (web_field()); a file input left empty
 * (filename "") is skipped. A callback that returns an error stops the
 * rest of that request's files (not its fields): req->upload_rc keeps
 * the first error, req->upload_err its reason, and the handler still
 * runs to show the form again. cleanup is called once at the end of
 * every request that reached begin at least once: handled is false when
 * the handler did not run (the body was cut short or malformed, the
 * CSRF token or the session was missing): remove what was written.
 */
struct web_upload {
	enum sd_rc (*begin)(struct web_req *req, const char *field,
	    const char *filename, const char *ctype);
	enum sd_rc (*data)(struct web_req *req, const char *buf, size_t n);
	enum sd_rc (*end)(struct web_req *req);
	void (*cleanup)(struct web_req *req, bool handled);
};

struct web_route {
	const char *method;  /* "GET" (HEAD too) or "POST" */
	const char *pattern; /* e.g. "/requests/#" */
	enum sd_rc (*handler)(struct web_req *req);
	unsigned flags;                  /* WEB_* */
	const struct web_upload *upload; /* WEB_UPLOAD only */
};

/* Route tables, each ended by method == NULL. */
extern const struct web_route web_routes_auth[];
extern const struct web_route web_routes_req[];
extern const struct web_route web_routes_staff[]; /* page_staff.c */
extern const struct web_route web_routes_inbox[]; /* page_inbox.c */
extern const struct web_route web_routes_admin[]; /* page_admin.c */

struct web_kv {
	char *name;
	char *value;
};

struct web_req {
	/* The request. */
	const char *method;          /* "GET", "HEAD", "POST" */
	const char *path;            /* decoded path, without the query */
	int64_t param;               /* the "#" segment, else 0 */
	char param_s[WEB_PARAM_MAX]; /* the "*" segment, else "" */
	char addr[WEB_ADDR_LEN];     /* the client (X-Forwarded-For's
					last hop if from a trusted proxy) */
	bool https;                  /* TLS, or a trusted proxy said so */
	const struct web_route *route;

	/* Who. */
	bool signed_in;           /* a full session */
	struct core_actor actor;  /* kind NONE when not signed in */
	int64_t user_id;          /* 0 when not signed in */
	char csrf[WEB_TOKEN_LEN]; /* this browser's token for forms */
	char pre[WEB_TOKEN_LEN];  /* its pre-session id ("" if signed in) */
	bool pre_new;             /* that id was made for this answer */

	/* Where. */
	struct db *db;                     /* this thread's connection */
	const struct web_config *cfg;      /* [web] */
	const struct core_env *env;        /* the domain's settings */
	const struct core_otp_config *otp; /* [otp] */

	/* Form fields (url-encoded body, or multipart's non-file parts). */
	struct web_kv fields[WEB_FIELDS_MAX];
	size_t n_fields;

	/* Upload: the route's state and its first error. */
	void *upload_arg;
	enum sd_rc upload_rc;
	char upload_err[SD_ERRLEN];

	/* The answer. */
	unsigned status;   /* 200 unless set */
	const char *ctype; /* "text/html; charset=utf-8" unless set */
	struct sd_buf out; /* the body, at most WEB_PAGE_MAX */
	char *hdr_name[WEB_HEADERS_MAX];
	char *hdr_value[WEB_HEADERS_MAX];
	size_t n_hdrs;
	int file_fd;        /* >= 0: send this file instead of out */
	uint64_t file_size; /* its size */

	/* The server's own. */
	struct web *w;
	struct MHD_Connection *conn;
	struct web_conn *wc;
	bool title_done; /* web_page_begin ran */
};

/* The form field or query argument name (a form field first); NULL if
 * absent. Valid UTF-8 without NUL (the server refuses anything else with
 * a 400 before the handler). The string lives as long as req. */
const char *web_field(struct web_req *req, const char *name);

/* The decimal field or argument name in [lo, hi]; def if absent or not
 * one. */
long web_field_long(struct web_req *req, const char *name, long lo, long hi,
    long def);
/* True if s (may be NULL) has something besides white space. */
bool web_filled(const char *s);

/* The cookie name, NULL if absent. */
const char *web_cookie(struct web_req *req, const char *name);

/* A request header, NULL if absent. */
const char *web_header(struct web_req *req, const char *name);

/* Add a response header (copied). At most WEB_HEADERS_MAX; more are
 * dropped with a log line. */
void web_header_add(struct web_req *req, const char *name, const char *value);

/* Set-Cookie name=value with HttpOnly; SameSite=Lax; Path=/, + Secure
 * when req->https; max_age_s > 0 persists it, 0 a browser-session cookie,
 * < 0 deletes it. */
void web_cookie_set(struct web_req *req, const char *name, const char *value,
    long max_age_s);

/* ---- Writing a page (web-min/page.c) ------------------------------------ */

/* Raw HTML (our own literals only). */
void web_puts(struct web_req *req, const char *html);
/* s HTML-escaped (& < > " '), for text and attribute values. */
void web_esc(struct web_req *req, const char *s);
/* printf into the page; every %s argument is HTML-escaped (use web_puts
 * for raw HTML). Conversions: %s %d %i %u %x %ld %lu %lld %llu %zu %%
 * and PRId64. */
void web_printf_html(struct web_req *req, const char *fmt, ...) SD_PRINTF(2, 3);

/* A stored value on one line (name, title): controls and bidi controls
 * shown as <U+XXXX> (core_text_escape()), then HTML-escaped. */
void web_line(struct web_req *req, const char *s);
/* A stored body: the same, lines kept, joined by <br>. */
void web_body(struct web_req *req, const char *s);

/* A text of core/texts.c with each "%s" in turn replaced by the next
 * of a1, a2, a3 (NULL ends them), every one escaped. */
void web_fill(struct web_req *req, const char *text, const char *a1,
    const char *a2, const char *a3);

/* The page's head and header (organization name, and when signed in
 * the links to the requests and a sign-out button), lang="fa"
 * dir="rtl", /static/site.css, no script. title is escaped. */
void web_page_begin(struct web_req *req, const char *title);
/* Close the page. */
void web_page_end(struct web_req *req);

/* <form method="post" action="ACTION"> with the CSRF hidden field
 * (multipart when multipart); action is escaped. */
void web_form_begin(struct web_req *req, const char *action, bool multipart);
void web_form_end(struct web_req *req);

/* A paragraph with a message for the user: kind "err" or "ok". */
void web_notice(struct web_req *req, const char *kind, const char *text);

/* Where a signed-in user starts: the inbox (/staff/) for staff, the head
 * and admins, their requests (/requests) for applicants. */
const char *web_home(const struct web_req *req);

/* 303 See Other to url (a local path, else "/" is used). */
enum sd_rc web_redirect(struct web_req *req, const char *url);

/* 404: the same bytes for "missing" and "not yours". */
enum sd_rc web_not_found(struct web_req *req);

/* A whole page saying text (Persian, why and when to try again) with
 * status. */
enum sd_rc web_refuse(struct web_req *req, unsigned status, const char *title,
    const char *text);

/* Send the open file fd (taken: the server closes it) of size bytes
 * with type ctype and Content-Disposition disposition (may be NULL;
 * copied into a header) instead of a page. */
enum sd_rc web_send_file(struct web_req *req, int fd, uint64_t size,
    const char *ctype, const char *disposition);

/* ---- Argon2id work (web-min/web.c) ------------------------------------ */

/* Take a slot of the [web] hash_workers pool for slow hashing; false
 * when all are busy (answer web_busy()). Pair with web_hash_release(). */
bool web_hash_acquire(struct web_req *req);
void web_hash_release(struct web_req *req);
/* The 503 page «try again in a moment», with Retry-After. */
enum sd_rc web_busy(struct web_req *req);

/* ---- issue #14: staff request page and actions ---- */

/* The attachments of a multipart form, shared by the applicant's and the
 * staff's pages (web-min/page_requests.c): the upload callbacks of a
 * WEB_UPLOAD route; release what a refused form uploaded; write the
 * refusal's Persian notice (false if none); the finished files for core;
 * the file input with its note. */
/* The files of message msg_id among files[0..nf): name, type and a
 * download link each (the applicant's and the staff request pages). */
void web_put_files(struct web_req *req, const struct db_attachment *files,
    size_t nf, int64_t msg_id);
extern const struct web_upload web_upload_attach;
void web_upload_release(struct web_req *req);
bool web_upload_notice(struct web_req *req);
struct core_upload *const *web_upload_files(struct web_req *req, size_t *n);
void web_upload_input(struct web_req *req);

#endif
