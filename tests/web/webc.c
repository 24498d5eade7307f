/*
 * tests/web/webc.c: the web tests' HTTP client (webc.h).
 */
#include "tests/web/webc.h"

#include <curl/curl.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <sqlite3.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>
#include <arpa/inet.h>

int webc_fails;

int64_t
webc_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

void
webc_check(bool ok, const char *fmt, ...)
{
	va_list ap;

	printf("%s - ", ok ? "ok" : "FAIL");
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	fflush(stdout);
	if (!ok)
		webc_fails++;
}

struct sink {
	char **p;
	size_t *len;
};

static size_t
webc_write(char *data, size_t size, size_t nmemb, void *arg)
{
	struct sink *s = arg;
	size_t n = size * nmemb;

	*s->p = realloc(*s->p, *s->len + n + 1);
	if (*s->p == NULL)
		abort();
	memcpy(*s->p + *s->len, data, n);
	*s->len += n;
	(*s->p)[*s->len] = '\0';
	return n;
}

void
webc_init(struct webc *c, const char *base)
{
	memset(c, 0, sizeof(*c));
	snprintf(c->base, sizeof(c->base), "%s", base);
	c->curl = curl_easy_init();
	if (c->curl == NULL)
		abort();
	curl_easy_setopt(c->curl, CURLOPT_COOKIEFILE, ""); /* the jar */
	curl_easy_setopt(c->curl, CURLOPT_TIMEOUT_MS, 20000L);
	curl_easy_setopt(c->curl, CURLOPT_NOSIGNAL, 1L);
}

void
webc_fini(struct webc *c)
{
	curl_easy_cleanup(c->curl);
	free(c->body);
	free(c->headers);
	memset(c, 0, sizeof(*c));
}

/* The csrf field of the last body. */
static void
webc_find_csrf(struct webc *c)
{
	const char *p = c->body != NULL ?
	    strstr(c->body, "name=\"csrf\" value=\"") :
	    NULL;
	size_t k = 0;

	if (p == NULL)
		return;
	p += strlen("name=\"csrf\" value=\"");
	while (p[k] != '"' && p[k] != '\0' && k + 1 < sizeof(c->csrf))
		k++;
	memcpy(c->csrf, p, k);
	c->csrf[k] = '\0';
}

static long
webc_do(struct webc *c, const char *path, const char *form)
{
	struct sink bs = {&c->body, &c->body_len};
	struct sink hs = {&c->headers, &c->headers_len};
	struct curl_slist *h = NULL;
	char url[1024], hdr[128], loc[512];
	CURLcode r;

	free(c->body);
	free(c->headers);
	c->body = c->headers = NULL;
	c->body_len = c->headers_len = 0;
	c->location[0] = '\0';
	c->status = 0;
	snprintf(url, sizeof(url), "%s%s", c->base, path);
	curl_easy_setopt(c->curl, CURLOPT_URL, url);
	curl_easy_setopt(c->curl, CURLOPT_WRITEFUNCTION, webc_write);
	curl_easy_setopt(c->curl, CURLOPT_WRITEDATA, &bs);
	curl_easy_setopt(c->curl, CURLOPT_HEADERFUNCTION, webc_write);
	curl_easy_setopt(c->curl, CURLOPT_HEADERDATA, &hs);
	if (c->xff[0] != '\0') {
		snprintf(hdr, sizeof(hdr), "X-Forwarded-For: %s", c->xff);
		h = curl_slist_append(h, hdr);
	}
	h = curl_slist_append(h, "Expect:");
	curl_easy_setopt(c->curl, CURLOPT_HTTPHEADER, h);
	if (form != NULL) {
		curl_easy_setopt(c->curl, CURLOPT_POSTFIELDS, form);
		curl_easy_setopt(c->curl, CURLOPT_POSTFIELDSIZE,
		    (long)strlen(form));
	} else {
		curl_easy_setopt(c->curl, CURLOPT_HTTPGET, 1L);
	}
	r = curl_easy_perform(c->curl);
	curl_slist_free_all(h);
	if (r != CURLE_OK) {
		fprintf(stderr, "webc: %s %s: %s\n", form ? "POST" : "GET",
		    path, curl_easy_strerror(r));
		return 0;
	}
	curl_easy_getinfo(c->curl, CURLINFO_RESPONSE_CODE, &c->status);
	if (webc_header(c, "Location", 0, loc, sizeof(loc))) {
		/* A path, as the server writes it. */
		snprintf(c->location, sizeof(c->location), "%s", loc);
	}
	if (c->body == NULL) {
		c->body = calloc(1, 1);
		if (c->body == NULL)
			abort();
	}
	webc_find_csrf(c);
	return c->status;
}

long
webc_get(struct webc *c, const char *path)
{
	return webc_do(c, path, NULL);
}

long
webc_post(struct webc *c, const char *path, ...)
{
	char *form = NULL;
	size_t len = 0;
	bool csrf_given = false;
	const char *k, *v;
	va_list ap;
	long st;

	va_start(ap, path);
	while ((k = va_arg(ap, const char *)) != NULL) {
		v = va_arg(ap, const char *);
		if (strcmp(k, "csrf") == 0)
			csrf_given = true;
		if (v == NULL)
			continue;
		{
			char *ek = curl_easy_escape(c->curl, k, 0);
			char *ev = curl_easy_escape(c->curl, v, (int)strlen(v));
			size_t n = strlen(ek) + strlen(ev) + 2;

			form = realloc(form, len + n + 1);
			if (form == NULL)
				abort();
			len += (size_t)sprintf(form + len, "%s%s=%s",
			    len > 0 ? "&" : "", ek, ev);
			curl_free(ek);
			curl_free(ev);
		}
	}
	va_end(ap);
	if (!csrf_given && c->csrf[0] != '\0') {
		size_t n = strlen(c->csrf) + 8;

		form = realloc(form, len + n + 1);
		if (form == NULL)
			abort();
		len += (size_t)sprintf(form + len, "%scsrf=%s",
		    len > 0 ? "&" : "", c->csrf);
	}
	if (form == NULL) {
		form = calloc(1, 1);
		if (form == NULL)
			abort();
	}
	st = webc_do(c, path, form);
	free(form);
	return st;
}

bool
webc_has(const struct webc *c, const char *s)
{
	return c->body != NULL && strstr(c->body, s) != NULL;
}

bool
webc_header(const struct webc *c, const char *name, int n, char *out, size_t sz)
{
	const char *p = c->headers;
	size_t nl = strlen(name);

	while (p != NULL && *p != '\0') {
		const char *e = strstr(p, "\r\n");
		size_t len = e != NULL ? (size_t)(e - p) : strlen(p);

		if (len > nl && strncasecmp(p, name, nl) == 0 && p[nl] == ':') {
			if (n-- == 0) {
				const char *v = p + nl + 1;

				while (*v == ' ')
					v++;
				snprintf(out, sz, "%.*s",
				    (int)(len - (size_t)(v - p)), v);
				return true;
			}
		}
		p = e != NULL ? e + 2 : NULL;
	}
	return false;
}

bool
webc_cookie(struct webc *c, const char *name, char *out, size_t sz)
{
	struct curl_slist *list = NULL, *l;
	bool found = false;

	curl_easy_getinfo(c->curl, CURLINFO_COOKIELIST, &list);
	for (l = list; l != NULL; l = l->next) {
		/* domain, flag, path, secure, expires, name, value */
		char *f[7], *copy = strdup(l->data), *save = NULL, *t;
		int i = 0;

		if (copy == NULL)
			abort();
		for (t = strtok_r(copy, "\t", &save); t != NULL && i < 7;
		     t = strtok_r(NULL, "\t", &save))
			f[i++] = t;
		if (i == 7 && strcmp(f[5], name) == 0) {
			snprintf(out, sz, "%s", f[6]);
			found = true;
		} else if (i == 6 && strcmp(f[5], name) == 0) {
			out[0] = '\0';
			found = true;
		}
		free(copy);
	}
	curl_slist_free_all(list);
	return found;
}

void
webc_cookie_put(struct webc *c, const char *name, const char *value)
{
	char line[512];
	const char *host = strstr(c->base, "://");

	host = host != NULL ? host + 3 : c->base;
	snprintf(line, sizeof(line), "Set-Cookie: %s=%s; Path=/; HttpOnly",
	    name, value);
	(void)host;
	curl_easy_setopt(c->curl, CURLOPT_URL, c->base);
	curl_easy_setopt(c->curl, CURLOPT_COOKIELIST, line);
}

bool
webc_sql(const char *db_path, const char *sql)
{
	sqlite3 *db = NULL;
	char *err = NULL;
	bool ok;

	if (sqlite3_open(db_path, &db) != SQLITE_OK)
		return false;
	sqlite3_busy_timeout(db, 5000);
	ok = sqlite3_exec(db, sql, NULL, NULL, &err) == SQLITE_OK;
	if (!ok)
		fprintf(stderr, "webc: sql: %s\n", err != NULL ? err : "?");
	sqlite3_free(err);
	sqlite3_close(db);
	return ok;
}

long long
webc_sql_int(const char *db_path, const char *sql)
{
	sqlite3 *db = NULL;
	sqlite3_stmt *st = NULL;
	long long v = -1;

	if (sqlite3_open_v2(db_path, &db, SQLITE_OPEN_READONLY, NULL) !=
	    SQLITE_OK) {
		sqlite3_close(db);
		return -1;
	}
	sqlite3_busy_timeout(db, 5000);
	if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) == SQLITE_OK &&
	    sqlite3_step(st) == SQLITE_ROW)
		v = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	sqlite3_close(db);
	return v;
}

bool
webc_otp(const char *db_path, const char *e164, char out[7])
{
	sqlite3 *db = NULL;
	sqlite3_stmt *st = NULL;
	bool ok = false;

	out[0] = '\0';
	if (sqlite3_open_v2(db_path, &db, SQLITE_OPEN_READONLY, NULL) !=
	    SQLITE_OK) {
		sqlite3_close(db);
		return false;
	}
	sqlite3_busy_timeout(db, 5000);
	/* kind 0 is an OTP (enum core_out_kind). */
	if (sqlite3_prepare_v2(db,
		"SELECT body FROM outbox WHERE destination = ?1 AND kind = 0"
		" ORDER BY id DESC LIMIT 1",
		-1, &st, NULL) == SQLITE_OK) {
		sqlite3_bind_text(st, 1, e164, -1, SQLITE_STATIC);
		if (sqlite3_step(st) == SQLITE_ROW) {
			const char *b = (const char *)sqlite3_column_text(st,
			    0);
			size_t i, run = 0;

			for (i = 0; b != NULL && b[i] != '\0'; i++) {
				run = b[i] >= '0' && b[i] <= '9' ? run + 1 : 0;
				if (run == 6) {
					memcpy(out, b + i - 5, 6);
					out[6] = '\0';
					ok = true;
					break;
				}
			}
		}
	}
	sqlite3_finalize(st);
	sqlite3_close(db);
	return ok;
}

int
webc_raw_connect(const char *base)
{
	const char *h = strstr(base, "://");
	char host[64];
	struct sockaddr_in sa;
	const char *colon;
	int fd;

	h = h != NULL ? h + 3 : base;
	colon = strrchr(h, ':');
	if (colon == NULL || (size_t)(colon - h) >= sizeof(host))
		return -1;
	memcpy(host, h, (size_t)(colon - h));
	host[colon - h] = '\0';
	memset(&sa, 0, sizeof(sa));
	sa.sin_family = AF_INET;
	sa.sin_port = htons((uint16_t)atoi(colon + 1));
	if (inet_pton(AF_INET, host, &sa.sin_addr) != 1)
		return -1;
	fd = socket(AF_INET, SOCK_STREAM, 0);
	if (fd < 0)
		return -1;
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) != 0) {
		close(fd);
		return -1;
	}
	return fd;
}

long
webc_raw_read(int fd, char *buf, size_t sz, int timeout_ms)
{
	int64_t end = webc_now_ms() + timeout_ms;
	size_t got = 0;

	while (got + 1 < sz) {
		struct pollfd p = {fd, POLLIN, 0};
		int64_t left = end - webc_now_ms();
		ssize_t n;

		if (left <= 0 || poll(&p, 1, (int)left) <= 0)
			break;
		n = recv(fd, buf + got, sz - 1 - got, 0);
		if (n <= 0)
			break;
		got += (size_t)n;
	}
	buf[got] = '\0';
	return (long)got;
}
