/*
 * tests/integ/web_req.c: the request pages over HTTP (issue #13), with
 * libcurl against a running 'smsdesk serve' (tests/integ/test_web_requests.sh
 * starts it with [web] max_file_mb = 1).
 *
 * Usage: web-req-test URL DB ATTACHMENTS_DIR
 *
 * Users and signed-in sessions are made directly in the database (the
 * sign-in flow is tested by the account pages' own tests); everything
 * else goes over HTTP: a request with a file, its page as the seed shows
 * it, the download, another applicant's request, file, reply and link
 * (404, byte for byte the page of a missing one), forged, expired and
 * foreign /r/ tokens, over-size, disguised and too many files, a traversal
 * file name, HTML in a title, invalid UTF-8, a multipart body cut short
 * (no file left behind), a POST without its CSRF token, a follow-up with
 * a file and the «ارجاع به ریاست» button of an overdue request.
 * Prints "ok - ..." / "FAIL - ..."; exits 1 if any check failed.
 */
#include <arpa/inet.h>
#include <curl/curl.h>
#include <dirent.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "core/base/clock.h"
#include "core/core.h"
#include "db/db.h"

static int fails;
static const char *base, *attdir;
static struct db *db;

static void SD_PRINTF(2, 3) check(bool ok, const char *fmt, ...)
{
	va_list ap;

	printf("%s - ", ok ? "ok" : "FAIL");
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	fflush(stdout);
	if (!ok)
		fails++;
}

/* ---- HTTP --------------------------------------------------------------- */

struct resp {
	long status;
	char *body; /* NUL-terminated */
	size_t len;
	char *hdrs; /* every header line */
	size_t hlen;
};

static size_t
grow(char **p, size_t *len, const char *d, size_t n)
{
	*p = realloc(*p, *len + n + 1);
	if (*p == NULL)
		abort();
	memcpy(*p + *len, d, n);
	*len += n;
	(*p)[*len] = '\0';
	return n;
}

static size_t
on_body(char *d, size_t sz, size_t nm, void *arg)
{
	struct resp *r = arg;

	return grow(&r->body, &r->len, d, sz * nm);
}

static size_t
on_hdr(char *d, size_t sz, size_t nm, void *arg)
{
	struct resp *r = arg;

	return grow(&r->hdrs, &r->hlen, d, sz * nm);
}

static void
resp_free(struct resp *r)
{
	free(r->body);
	free(r->hdrs);
	memset(r, 0, sizeof(*r));
}

/* A user's browser: its session cookie and CSRF token. */
struct who {
	const char *name;
	int64_t id;
	char cookie[128];
	char csrf[CORE_TOKEN_LEN];
};

/* A part of a multipart form. */
struct part {
	const char *name;
	const char *data;
	size_t len; /* 0: strlen(data) */
	const char *filename;
};

/* method path as w (NULL: no cookie); parts (multipart) or none. */
static struct resp
http(const struct who *w, const char *method, const char *path,
    const struct part *parts, size_t nparts)
{
	struct resp r;
	CURL *c = curl_easy_init();
	curl_mime *mime = NULL;
	char url[1024];
	size_t i;

	memset(&r, 0, sizeof(r));
	r.body = calloc(1, 1);
	r.hdrs = calloc(1, 1);
	snprintf(url, sizeof(url), "%s%s", base, path);
	curl_easy_setopt(c, CURLOPT_URL, url);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_body);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, &r);
	curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, on_hdr);
	curl_easy_setopt(c, CURLOPT_HEADERDATA, &r);
	curl_easy_setopt(c, CURLOPT_TIMEOUT, 20L);
	if (w != NULL)
		curl_easy_setopt(c, CURLOPT_COOKIE, w->cookie);
	if (strcmp(method, "POST") == 0) {
		mime = curl_mime_init(c);
		for (i = 0; i < nparts; i++) {
			curl_mimepart *p = curl_mime_addpart(mime);

			curl_mime_name(p, parts[i].name);
			curl_mime_data(p, parts[i].data,
			    parts[i].len != 0 ? parts[i].len :
						CURL_ZERO_TERMINATED);
			if (parts[i].filename != NULL) {
				curl_mime_filename(p, parts[i].filename);
				curl_mime_type(p, "application/octet-stream");
			}
		}
		curl_easy_setopt(c, CURLOPT_MIMEPOST, mime);
	}
	if (curl_easy_perform(c) != CURLE_OK)
		r.status = -1;
	else
		curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &r.status);
	curl_mime_free(mime);
	curl_easy_cleanup(c);
	return r;
}

/* POST an url-encoded form (fields already encoded). */
static struct resp
post_form(const struct who *w, const char *path, const char *fields)
{
	struct resp r;
	CURL *c = curl_easy_init();
	char url[1024];

	memset(&r, 0, sizeof(r));
	r.body = calloc(1, 1);
	r.hdrs = calloc(1, 1);
	snprintf(url, sizeof(url), "%s%s", base, path);
	curl_easy_setopt(c, CURLOPT_URL, url);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_body);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, &r);
	curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, on_hdr);
	curl_easy_setopt(c, CURLOPT_HEADERDATA, &r);
	curl_easy_setopt(c, CURLOPT_TIMEOUT, 20L);
	curl_easy_setopt(c, CURLOPT_COOKIE, w->cookie);
	curl_easy_setopt(c, CURLOPT_POSTFIELDS, fields);
	if (curl_easy_perform(c) != CURLE_OK)
		r.status = -1;
	else
		curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &r.status);
	curl_easy_cleanup(c);
	return r;
}

static struct resp
get(const struct who *w, const char *path)
{
	return http(w, "GET", path, NULL, 0);
}

static bool
has(const struct resp *r, const char *s)
{
	return r->body != NULL && strstr(r->body, s) != NULL;
}

/* The value of header name (case-insensitive), in out; false if none. */
static bool
header(const struct resp *r, const char *name, char *out, size_t n)
{
	const char *p = r->hdrs;
	size_t k = strlen(name);

	while (p != NULL && *p != '\0') {
		const char *e = strstr(p, "\r\n");
		size_t l = e != NULL ? (size_t)(e - p) : strlen(p);

		if (l > k && strncasecmp(p, name, k) == 0 && p[k] == ':') {
			const char *v = p + k + 1;

			while (*v == ' ')
				v++;
			snprintf(out, n, "%.*s", (int)(l - (size_t)(v - p)), v);
			return true;
		}
		p = e != NULL ? e + 2 : NULL;
	}
	return false;
}

/* ---- The world ---------------------------------------------------------- */

static void
sign_in(struct who *w)
{
	struct db_session s;
	char tok[CORE_TOKEN_LEN], h[CORE_TOKEN_LEN];
	int64_t now = sd_clock_now();

	core_token_new(tok);
	core_token_hash(tok, h);
	memset(&s, 0, sizeof(s));
	s.user_id = w->id;
	core_token_new(w->csrf);
	snprintf(s.csrf, sizeof(s.csrf), "%s", w->csrf);
	s.created = now;
	s.expires = now + 3600;
	s.last_seen = now;
	if (db_session_add(db, h, &s) != SD_OK) {
		fprintf(stderr, "cannot add a session\n");
		exit(1);
	}
	snprintf(w->cookie, sizeof(w->cookie), "sd_s=%s", tok);
}

static int64_t
user(const char *mobile, const char *first, const char *last,
    enum core_role role, const char *title, int dept)
{
	char err[SD_ERRLEN];
	int64_t id = 0;

	if (core_user_add(db, 0, mobile, first, last, role, title,
		role == CORE_ROLE_APPLICANT ? NULL : &dept,
		role == CORE_ROLE_APPLICANT ? 0 : 1, &id, err) != SD_OK) {
		fprintf(stderr, "user %s: %s\n", mobile, err);
		exit(1);
	}
	return id;
}

/* Files in the attachments folder: stored (32 hex digits) and others. */
static void
att_count(int *stored, int *other)
{
	DIR *d = opendir(attdir);
	struct dirent *e;

	*stored = *other = 0;
	if (d == NULL)
		return;
	while ((e = readdir(d)) != NULL) {
		if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
			continue;
		if (strlen(e->d_name) == 32 &&
		    strspn(e->d_name, "0123456789abcdef") == 32)
			(*stored)++;
		else
			(*other)++;
	}
	closedir(d);
}

/* A JPEG of n bytes. */
static char *
jpeg(size_t n)
{
	static const unsigned char head[] = {0xff, 0xd8, 0xff, 0xe0, 0, 0x10,
	    'J', 'F', 'I', 'F', 0};
	char *p = malloc(n);
	size_t i;

	for (i = 0; i < n; i++)
		p[i] = (char)(i * 31 + 7);
	memcpy(p, head, sizeof(head) < n ? sizeof(head) : n);
	return p;
}

/* The first "/files/N" in a page, 0 if none. */
static long
file_link(const struct resp *r, int nth)
{
	const char *p = r->body;
	int k = 0;

	while ((p = strstr(p, "href=\"/files/")) != NULL) {
		p += strlen("href=\"/files/");
		if (k++ == nth)
			return strtol(p, NULL, 10);
	}
	return 0;
}

/* Two answers are the same bytes (status and body). */
static bool
same(const struct resp *a, const struct resp *b)
{
	return a->status == b->status && a->len == b->len &&
	    memcmp(a->body, b->body, a->len) == 0;
}

/* POST path with a body cut short: the head promises len bytes, half are
 * sent, then the connection closes. */
static void
post_cut(const struct who *w, const char *path, const char *csrf)
{
	static const char bnd[] = "XcutXcutX";
	struct sockaddr_in sa;
	char head[1024], pre[1024];
	const char *hostport = strstr(base, "//");
	char *img = jpeg(300000);
	int s, port, i, stored = 0, other = 0;
	size_t total = 400000;

	if (hostport == NULL ||
	    sscanf(strrchr(hostport, ':') + 1, "%d", &port) != 1) {
		check(false, "base url has a port");
		free(img);
		return;
	}
	s = socket(AF_INET, SOCK_STREAM, 0);
	memset(&sa, 0, sizeof(sa));
	sa.sin_family = AF_INET;
	sa.sin_port = htons((uint16_t)port);
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (connect(s, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		check(false, "connect for the cut upload");
		close(s);
		free(img);
		return;
	}
	snprintf(pre, sizeof(pre),
	    "--%s\r\nContent-Disposition: form-data; name=\"csrf\"\r\n\r\n%s\r\n"
	    "--%s\r\nContent-Disposition: form-data; name=\"dept\"\r\n\r\n2\r\n"
	    "--%s\r\nContent-Disposition: form-data; name=\"file\"; "
	    "filename=\"cut.jpg\"\r\nContent-Type: image/jpeg\r\n\r\n",
	    bnd, csrf, bnd, bnd);
	snprintf(head, sizeof(head),
	    "POST %s HTTP/1.1\r\nHost: 127.0.0.1\r\nCookie: %s\r\n"
	    "Content-Type: multipart/form-data; boundary=%s\r\n"
	    "Content-Length: %zu\r\n\r\n",
	    path, w->cookie, bnd, total);
	if (write(s, head, strlen(head)) < 0 ||
	    write(s, pre, strlen(pre)) < 0 || write(s, img, 150000) < 0)
		check(false, "send the cut upload");
	/* The server writes it to disk as it comes: a temporary file is
	 * there before the cut. */
	for (i = 0; i < 50; i++) {
		att_count(&stored, &other);
		if (other == 1)
			break;
		usleep(20 * 1000);
	}
	check(other == 1, "a cut upload: its temporary file while it lasts");
	close(s);
	free(img);
}

int
main(int argc, char **argv)
{
	struct db_config cfg;
	struct who a = {"A", 0, "", ""}, b = {"B", 0, "", ""},
		   it = {"IT", 0, "", ""};
	struct resp r, r2;
	char err[SD_ERRLEN], path[256], hv[512], tok[CORE_LINK_TOKEN_LEN + 1];
	char *img, *big;
	int stored, other, i;
	long fid;
	int64_t now;

	if (argc != 4) {
		fprintf(stderr, "usage: web-req-test URL DB ATTDIR\n");
		return 2;
	}
	base = argv[1];
	attdir = argv[3];
	memset(&cfg, 0, sizeof(cfg));
	snprintf(cfg.path, sizeof(cfg.path), "%s", argv[2]);
	cfg.busy_timeout_ms = 5000;
	if (db_open(&cfg, &db, err) != SD_OK) {
		fprintf(stderr, "db_open: %s\n", err);
		return 1;
	}
	curl_global_init(CURL_GLOBAL_DEFAULT);
	a.id = user("09131111111", "علی", "رضایی", CORE_ROLE_APPLICANT, "", 0);
	b.id = user("09132222222", "سارا", "احمدی", CORE_ROLE_APPLICANT, "", 0);
	it.id = user("09133333333", "محمدعلی", "نوروزی فر", CORE_ROLE_STAFF,
	    "کارشناس فناوری اطلاعات", 2);
	sign_in(&a);
	sign_in(&b);
	sign_in(&it);
	now = sd_clock_now();

	/* The list and the form. */
	r = get(&a, "/requests");
	check(r.status == 200 && has(&r, "درخواست‌های من") &&
		has(&r, "href=\"/requests/new\""),
	    "GET /requests: the list page (%ld)", r.status);
	resp_free(&r);
	r = get(&a, "/requests/new");
	check(r.status == 200 &&
		has(&r, "<label for=\"title\">عنوان درخواست") &&
		has(&r, "<label for=\"body\">درخواست خود را اینجا بنویسید") &&
		has(&r, "مرحله یک: نوع درخواست را انتخاب کنید.") &&
		has(&r, "مرحله پنج: ارسال درخواست") &&
		has(&r, "-- انتخاب کنید --") &&
		has(&r, ">ارسال درخواست</button>") &&
		has(&r, "enctype=\"multipart/form-data\"") &&
		has(&r, "name=\"csrf\""),
	    "GET /requests/new: the seed's five steps, labels and button");
	check(r.len < 30 * 1024, "the form is under 30 KB (%zu bytes)", r.len);
	resp_free(&r);

	/* A request with a picture, a title with HTML in it. */
	img = jpeg(20000);
	{
		struct part p[] = {
		    {"csrf", a.csrf, 0, NULL}, {"dept", "2", 0, NULL},
		    {"prio", "1", 0, NULL},
		    {"title", "<script>alert(1)</script> تست سیستم مکاتبات", 0,
			NULL},
		    {"body", "سلام\nتست سیستم مکاتبات", 0, NULL},
		    {"file", img, 20000, "Penguins.jpg"},
		    {"file", "", 0, ""}, /* an empty second input */
		};
		r = http(&a, "POST", "/requests/new", p, 7);
	}
	check(r.status == 303 && header(&r, "Location", hv, sizeof(hv)) &&
		strcmp(hv, "/requests/10001") == 0,
	    "POST /requests/new with a JPEG: 303 to /requests/10001 (%ld)",
	    r.status);
	resp_free(&r);
	att_count(&stored, &other);
	check(stored == 1 && other == 0,
	    "one stored file under a random name, nothing else (%d, %d)",
	    stored, other);

	r = get(&a, "/requests/10001");
	check(r.status == 200 && has(&r, "موضوع : ") &&
		has(&r, "&lt;script&gt;alert(1)&lt;/script&gt;") &&
		!has(&r, "<script>"),
	    "GET /requests/10001: the title shown escaped");
	check(has(&r, "نوع درخواست : فناوری اطلاعات") &&
		has(&r, "شماره رهگیری : 10001") &&
		has(&r, "وضعیت : در انتظار پاسخ") && has(&r, "اولویت : فوری") &&
		has(&r, "ارسال شده در تاریخ ") && has(&r, " ساعت "),
	    "... the seed's head lines");
	check(has(&r, "توسط: شما") && has(&r, "سلام<br>تست سیستم مکاتبات") &&
		has(&r, "نام فایل: Penguins.jpg") &&
		has(&r, "نوع فایل : تصویر (jpg)") && has(&r, "لینک دانلود :") &&
		has(&r, ">دانلود</a>") && has(&r, "رهگیری: 10001"),
	    "... the thread: «توسط: شما», the file, «رهگیری: 10001»");
	check(has(&r, "ارسال پاسخ جدید به این درخواست") &&
		!has(&r, "ارجاع به ریاست"),
	    "... the reply button; no «ارجاع به ریاست» before 2 working days");
	fid = file_link(&r, 0);
	resp_free(&r);

	snprintf(path, sizeof(path), "/files/%ld", fid);
	r = get(&a, path);
	check(r.status == 200 && r.len == 20000 &&
		memcmp(r.body, img, 20000) == 0,
	    "GET %s: the same bytes back", path);
	check(header(&r, "Content-Type", hv, sizeof(hv)) &&
		strcmp(hv, "image/jpeg") == 0,
	    "... Content-Type: image/jpeg (%s)", hv);
	check(header(&r, "Content-Disposition", hv, sizeof(hv)) &&
		strncmp(hv, "attachment; filename=\"Penguins.jpg\"", 35) == 0,
	    "... Content-Disposition: %s", hv);
	resp_free(&r);

	/* Another applicant: everything is "not found", the same bytes. */
	r2 = get(&b, "/requests/999999");
	r = get(&b, "/requests/10001");
	check(r.status == 404 && same(&r, &r2),
	    "another applicant's request: 404, the bytes of a missing one");
	resp_free(&r);
	r = get(&b, "/requests/10001/reply");
	check(same(&r, &r2), "... its reply page: the same 404");
	resp_free(&r);
	{
		struct part p[] = {{"csrf", b.csrf, 0, NULL},
		    {"body", "من", 0, NULL}};

		r = http(&b, "POST", "/requests/10001/reply", p, 2);
		check(same(&r, &r2), "... a reply to it: the same 404");
		resp_free(&r);
		snprintf(hv, sizeof(hv), "csrf=%s", b.csrf);
		r = post_form(&b, "/requests/10001/escalate", hv);
		check(same(&r, &r2), "... escalating it: the same 404");
		resp_free(&r);
	}
	resp_free(&r2);
	r2 = get(&b, "/files/999999");
	r = get(&b, path);
	check(r.status == 404 && same(&r, &r2) && !has(&r, "JFIF"),
	    "another applicant's file: 404, the bytes of a missing one");
	resp_free(&r);
	resp_free(&r2);
	r = get(NULL, path);
	check(r.status == 303, "a file without a session: to sign-in (%ld)",
	    r.status);
	resp_free(&r);

	/* The department's staff answer; they may download. */
	r = get(&it, path);
	check(r.status == 200 && r.len == 20000,
	    "the department's staff download it (%ld)", r.status);
	resp_free(&r);
	{
		struct core_actor act = core_actor_of(CORE_ROLE_STAFF, it.id);

		check(core_request_reply(db, &core_env_no_sms, &act, 10001,
			  "با سلام و احترام\nتست سیستم مکاتبات انجام شد.",
			  CORE_CHAN_WEB, NULL, err) == SD_OK,
		    "staff answer through core");
	}
	r = get(&a, "/requests/10001");
	check(has(&r, "توسط: محمدعلی نوروزی فر (کارشناس فناوری اطلاعات)") &&
		has(&r, "وضعیت : پاسخ داده شد"),
	    "the answer: «توسط: name (role title)», status answered");
	resp_free(&r);

	/* A follow-up with a PNG. */
	{
		static const char png[] = "\x89PNG\r\n\x1a\n\0\0\0\rIHDR";
		struct part p[] = {{"csrf", a.csrf, 0, NULL},
		    {"body", "مدرک تکمیلی", 0, NULL},
		    {"file", png, sizeof(png) - 1, "plan.png"}};

		r = http(&a, "POST", "/requests/10001/reply", p, 3);
		check(r.status == 303, "a follow-up with a PNG: 303 (%ld)",
		    r.status);
		resp_free(&r);
		r = get(&a, "/requests/10001");
		check(has(&r, "نام فایل: plan.png") &&
			has(&r, "نوع فایل : تصویر (png)") &&
			has(&r, "وضعیت : در انتظار پاسخ"),
		    "... shown under its message; awaiting again");
		resp_free(&r);
	}

	/* Refused files: the form comes back as typed, nothing stored. */
	big = jpeg(1024 * 1024 + 1);
	{
		struct part p[] = {{"csrf", a.csrf, 0, NULL},
		    {"dept", "5", 0, NULL}, {"prio", "2", 0, NULL},
		    {"title", "نقشه طبقه اول", 0, NULL},
		    {"body", "متن بلند من", 0, NULL},
		    {"file", big, 1024 * 1024 + 1, "big.jpg"}};

		r = http(&a, "POST", "/requests/new", p, 6);
		check(r.status == 400 &&
			has(&r, "حجم فایل «big.jpg» بیش از 1 مگابایت است") &&
			has(&r, "value=\"نقشه طبقه اول\"") &&
			has(&r, ">متن بلند من</textarea>") &&
			has(&r, "<option value=\"5\" selected>"),
		    "an over-size file: 400, a Persian reason, the form as typed "
		    "(%ld)",
		    r.status);
		resp_free(&r);
	}
	free(big);
	{
		static const char exe[] = "MZ\x90\0\3\0\0\0\4\0";
		struct part p[] = {{"csrf", a.csrf, 0, NULL},
		    {"dept", "2", 0, NULL}, {"prio", "2", 0, NULL},
		    {"title", "عکس", 0, NULL}, {"body", "عکس", 0, NULL},
		    {"file", exe, sizeof(exe) - 1, "photo.jpg"}};

		r = http(&a, "POST", "/requests/new", p, 6);
		check(r.status == 400 &&
			has(&r, "نوع فایل «photo.jpg» پذیرفته نیست"),
		    "an .exe renamed .jpg: refused (%ld)", r.status);
		resp_free(&r);
		p[5].data = "%PDF-1.4\n";
		p[5].len = 9;
		r = http(&a, "POST", "/requests/new", p, 6);
		check(r.status == 400 &&
			has(&r, "با محتوای آن نمی‌خواند"),
		    "a PDF named .jpg: refused (%ld)", r.status);
		resp_free(&r);
	}
	{
		struct part p[9] = {{"csrf", a.csrf, 0, NULL},
		    {"dept", "2", 0, NULL}, {"prio", "2", 0, NULL},
		    {"title", "شش فایل", 0, NULL}, {"body", "شش", 0, NULL}};

		for (i = 5; i < 9; i++)
			p[i] = (struct part){"file", img, 100, "a.jpg"};
		/* 4 + the 2 below = 6 files, one over max_files (5). */
		r = http(&a, "POST", "/requests/new", p, 9);
		check(r.status == 303, "four files: accepted (%ld)", r.status);
		resp_free(&r);
	}
	{
		struct part p[11] = {{"csrf", a.csrf, 0, NULL},
		    {"dept", "2", 0, NULL}, {"prio", "2", 0, NULL},
		    {"title", "شش فایل", 0, NULL}, {"body", "شش", 0, NULL}};

		for (i = 5; i < 11; i++)
			p[i] = (struct part){"file", img, 100, "a.jpg"};
		r = http(&a, "POST", "/requests/new", p, 11);
		check(r.status == 400 && has(&r, "حداکثر 5 فایل"),
		    "six files: refused, max_files (%ld)", r.status);
		resp_free(&r);
	}
	att_count(&stored, &other);
	check(stored == 6 && other == 0,
	    "refused forms left no file (%d stored, %d other)", stored, other);

	/* A traversal name: stored by its last component, inside the
	 * folder, under a random name. */
	{
		struct part p[] = {{"csrf", a.csrf, 0, NULL},
		    {"dept", "2", 0, NULL}, {"prio", "2", 0, NULL},
		    {"title", "پیمایش", 0, NULL}, {"body", "متن", 0, NULL},
		    {"file", img, 500, "../../../../tmp/evil.jpg"}};
		char up[1024];

		r = http(&a, "POST", "/requests/new", p, 6);
		check(r.status == 303 && header(&r, "Location", hv, sizeof(hv)),
		    "a traversal file name: accepted as a name (%ld)",
		    r.status);
		resp_free(&r);
		r = get(&a, hv);
		check(has(&r, "نام فایل: evil.jpg") && !has(&r, "../"),
		    "... shown as «evil.jpg»");
		resp_free(&r);
		snprintf(up, sizeof(up), "%s/../evil.jpg", attdir);
		check(access(up, F_OK) != 0 &&
			access("/tmp/evil.jpg", F_OK) != 0,
		    "... and written nowhere but the folder");
	}

	/* Invalid UTF-8 and a missing CSRF token: refused, nothing kept. */
	{
		struct part p[] = {{"csrf", a.csrf, 0, NULL},
		    {"dept", "2", 0, NULL}, {"prio", "2", 0, NULL},
		    {"title", "bad\xff\xfe title", 0, NULL},
		    {"body", "متن", 0, NULL}, {"file", img, 300, "x.jpg"}};

		r = http(&a, "POST", "/requests/new", p, 6);
		check(r.status == 400, "invalid UTF-8 in a title: 400 (%ld)",
		    r.status);
		resp_free(&r);
		p[3].data = "عنوان";
		r = http(&a, "POST", "/requests/new", p + 1, 5);
		check(r.status == 403, "no CSRF token: 403 (%ld)", r.status);
		resp_free(&r);
		p[0].data = b.csrf; /* another session's token */
		r = http(&a, "POST", "/requests/new", p, 6);
		check(r.status == 403,
		    "another session's CSRF token: 403 (%ld)", r.status);
		resp_free(&r);
	}
	/* A body cut short. */
	post_cut(&a, "/requests/new", a.csrf);
	for (i = 0; i < 50; i++) {
		att_count(&stored, &other);
		if (other == 0)
			break;
		usleep(100 * 1000);
	}
	check(stored == 7 && other == 0,
	    "after all that: 7 stored files, nothing half written (%d, %d)",
	    stored, other);
	{
		struct core_actor act = core_actor_of(CORE_ROLE_APPLICANT,
		    a.id);
		struct db_request *rows = NULL;
		size_t n = 0;

		bool ok = core_request_list_mine(db, &act, 100, &rows, &n) ==
		    SD_OK;

		check(ok && n == 3,
		    "three requests stored, no refused one (%zu)", n);
		db_request_list_free(rows, n);
	}

	/* One-tap links. */
	check(core_link_make(db, 10001, "+989131111111", now + 86400, tok) ==
		SD_OK,
	    "a token for 10001 and A's phone");
	snprintf(path, sizeof(path), "/r/%s", tok);
	r = get(NULL, path);
	check(r.status == 200 && has(&r, "شماره رهگیری : 10001") &&
		has(&r, "توسط: شما") &&
		has(&r, "href=\"/?next=/requests/10001\"") &&
		!has(&r, "/requests/10001/reply") && !has(&r, "name=\"csrf\""),
	    "GET /r/TOKEN without a session: the request read-only, sign-in "
	    "to reply (%ld)",
	    r.status);
	resp_free(&r);
	r = get(&a, path);
	check(r.status == 303, "... with A's session: to /requests/10001");
	resp_free(&r);
	r2 = get(NULL, "/r/AAAAAAAAAAAAAAAAAA");
	check(r2.status == 404, "a made-up token: 404");
	path[5] = path[5] == 'A' ? 'B' : 'A';
	r = get(NULL, path);
	check(same(&r, &r2), "a forged token: the same 404");
	resp_free(&r);
	check(core_link_make(db, 10001, "+989132222222", now + 86400, tok) ==
		SD_OK,
	    "a token for 10001 and B's phone");
	snprintf(path, sizeof(path), "/r/%s", tok);
	r = get(NULL, path);
	check(same(&r, &r2), "another applicant's phone: the same 404");
	resp_free(&r);
	resp_free(&r2);
	check(core_link_make(db, 10001, "+989131111111", now - 2 * 86400,
		  tok) == SD_OK,
	    "an expired token");
	snprintf(path, sizeof(path), "/r/%s", tok);
	r = get(NULL, path);
	check(r.status == 410 && has(&r, "مهلت این پیوند تمام شده است") &&
		!has(&r, "10001"),
	    "an expired token: 410, sign in, nothing of the request (%ld)",
	    r.status);
	resp_free(&r);

	/* «ارجاع به ریاست» after the deadline. */
	{
		struct core_actor act = core_actor_of(CORE_ROLE_APPLICANT,
		    b.id);
		int64_t t = 0;
		char form[128];
		bool ok;

		snprintf(form, sizeof(form), "csrf=%s", b.csrf);
		ok = core_request_create(db, &core_env_no_sms, &act, 2,
			 CORE_PRIO_NORMAL, "دیر", "بی‌پاسخ",
			 CORE_CHAN_SMS, &t, err) == SD_OK;
		check(ok, "B's request %lld", (long long)t);
		snprintf(path, sizeof(path), "/requests/%lld/escalate",
		    (long long)t);
		r = post_form(&b, path, form);
		check(r.status == 409 && has(&r, "ارجاع به ریاست از "),
		    "escalating before the deadline: 409 and when (%ld)",
		    r.status);
		resp_free(&r);
		sd_clock_set_fixed(now - 30 * 86400);
		ok = core_request_create(db, &core_env_no_sms, &act, 2,
			 CORE_PRIO_NORMAL, "قدیمی", "بی‌پاسخ",
			 CORE_CHAN_SMS, &t, err) == SD_OK;
		check(ok, "B's request %lld, a month old", (long long)t);
		sd_clock_set_fixed(0);
		snprintf(path, sizeof(path), "/requests/%lld", (long long)t);
		r = get(&b, path);
		check(has(&r, ">ارجاع به ریاست</button>"),
		    "an overdue request shows «ارجاع به ریاست»");
		resp_free(&r);
		snprintf(path, sizeof(path), "/requests/%lld/escalate",
		    (long long)t);
		r = post_form(&b, path, form);
		check(r.status == 303, "... it escalates (%ld)", r.status);
		resp_free(&r);
		snprintf(path, sizeof(path), "/requests/%lld", (long long)t);
		r = get(&b, path);
		check(has(&r, "به دفتر رئیس سازمان ارجاع شده است") &&
			!has(&r, ">ارجاع به ریاست</button>"),
		    "... and says so, without the button");
		resp_free(&r);
	}

	/* A bidi override in a body is shown, not obeyed. */
	{
		struct core_actor act = core_actor_of(CORE_ROLE_APPLICANT,
		    a.id);
		int64_t t = 0;
		bool ok = core_request_create(db, &core_env_no_sms, &act, 2,
			      CORE_PRIO_LOW, "جهت",
			      "abc\xe2\x80\xae"
			      "fdp.exe",
			      CORE_CHAN_SMS, &t, err) == SD_OK;

		snprintf(path, sizeof(path), "/requests/%lld", (long long)t);
		r = get(&a, path);
		check(ok && has(&r, "abc&lt;U+202E&gt;fdp.exe") &&
			!has(&r, "\xe2\x80\xae"),
		    "a bidi override in a body: shown as <U+202E>");
		resp_free(&r);
	}

	/* The seed's own example: sent 2020-04-26 04:39:11 UTC. */
	{
		struct core_actor act = core_actor_of(CORE_ROLE_APPLICANT,
		    a.id);
		int64_t t = 0;
		bool ok;

		sd_clock_set_fixed(1587875951);
		ok = core_request_create(db, &core_env_no_sms, &act, 2,
			 CORE_PRIO_URGENT, "تست سیستم مکاتبات",
			 "سلام\nتست سیستم مکاتبات", CORE_CHAN_WEB, &t,
			 err) == SD_OK;
		sd_clock_set_fixed(0);
		snprintf(path, sizeof(path), "/requests/%lld", (long long)t);
		r = get(&a, path);
		check(ok &&
			has(&r,
			    "ارسال شده در تاریخ 1399/02/07 ساعت "
			    "09:09:11") &&
			has(&r, "1399/02/07 - 09:09:11"),
		    "the seed's dates: «ارسال شده در تاریخ 1399/02/07 ساعت "
		    "09:09:11», «1399/02/07 - 09:09:11»");
		resp_free(&r);
	}

	r = get(&a, "/requests");
	check(has(&r, "href=\"/requests/10001\"") && has(&r, "آخرین تغییر") &&
		has(&r, "فناوری اطلاعات"),
	    "the list: tracking numbers, departments, last change");
	resp_free(&r);

	/* Paged: 20 a page, newest first. */
	{
		struct core_actor act = core_actor_of(CORE_ROLE_APPLICANT,
		    a.id);
		int64_t t = 0;

		for (i = 0; i < 20; i++)
			if (core_request_create(db, &core_env_no_sms, &act, 3,
				CORE_PRIO_LOW, "صفحه", "متن", CORE_CHAN_SMS, &t,
				err) != SD_OK)
				break;
		check(i == 20, "20 more requests");
		r = get(&a, "/requests");
		r2 = get(&a, "/requests?page=2");
		snprintf(path, sizeof(path), "href=\"/requests/%lld\"",
		    (long long)t);
		check(has(&r, path) && !has(&r, "href=\"/requests/10001\"") &&
			has(&r, "href=\"/requests?page=2\"") &&
			has(&r2, "href=\"/requests/10001\"") &&
			!has(&r2, path) &&
			has(&r2, "href=\"/requests?page=1\""),
		    "the list in pages: the newest on page 1, 10001 on page 2");
		resp_free(&r);
		resp_free(&r2);
	}

	free(img);
	db_close(db);
	curl_global_cleanup();
	printf("web-req: %d check(s) failed\n", fails);
	return fails == 0 ? 0 : 1;
}
