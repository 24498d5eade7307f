/*
 * web-min/page.c: writing pages. Every page has the same layout: lang="fa"
 * dir="rtl", a viewport for a 320 px phone, one stylesheet from /static/
 * (no inline style or script, so the CSP can forbid both), the
 * organization's name, and when signed in the links of the applicant.
 * Values from users are escaped on the way in (web_esc, web_printf_html).
 */
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/base/log.h"
#include "core/base/xmalloc.h"
#include "web-min/web_int.h"
#include "web-min/web_priv.h"

/* Small, no web fonts: Vazirmatn when installed, else Tahoma or the
 * system's sans-serif. Readable from 320 px up. */
const char web_site_css[] =
    "*{box-sizing:border-box}"
    "body{font-family:Vazirmatn,Tahoma,\"DejaVu Sans\",sans-serif;margin:0;"
    "line-height:1.8;color:#1b1b1b;background:#f4f5f7}"
    "header{background:#0b4f6c;color:#fff;padding:.5em 1em}"
    "header a,header button{color:#fff}"
    "header .org{font-weight:bold;margin:0}"
    "nav{display:flex;flex-wrap:wrap;gap:.5em 1em;align-items:center}"
    "nav form{margin:0;padding:0;background:none;border:0}"
    "nav button{background:none;border:0;padding:0;font:inherit;"
    "text-decoration:underline;cursor:pointer;width:auto}"
    "main{max-width:40em;margin:0 auto;padding:1em}"
    "h1{font-size:1.3em}h2{font-size:1.1em}"
    "form{background:#fff;border:1px solid #d5d8dc;border-radius:6px;"
    "padding:1em;margin:1em 0}"
    "label{display:block;margin-top:.6em;font-weight:bold}"
    "input,select,textarea,button{font:inherit;width:100%;padding:.45em;"
    "border:1px solid #9aa3ab;border-radius:4px;max-width:100%}"
    "input[type=hidden]{display:none}"
    "button{margin-top:1em;background:#0b4f6c;color:#fff;border:0;"
    "cursor:pointer}"
    "button.alt{background:#e9ecef;color:#1b1b1b}"
    ".err{background:#fdecea;border:1px solid #e0a9a2;padding:.5em;"
    "border-radius:4px}"
    ".ok{background:#e8f5e9;border:1px solid #a5d6a7;padding:.5em;"
    "border-radius:4px}"
    ".note{color:#555;font-size:.9em}"
    "table{border-collapse:collapse;width:100%}"
    "td,th{border-bottom:1px solid #d5d8dc;padding:.3em;text-align:right}"
    "input[dir=ltr]{text-align:left}"
    /* The request list on a phone: a card per row, each cell labelled
     * (a table's six columns are ~500 px wide). */
    "@media (max-width:600px){table.list,table.list tbody,table.list tr,"
    "table.list td{display:block}"
    "table.list thead{position:absolute;width:1px;height:1px;"
    "overflow:hidden;clip:rect(0 0 0 0)}"
    "table.list tr{background:#fff;border:1px solid #d5d8dc;"
    "border-radius:6px;margin:.6em 0;padding:.4em .8em}"
    "table.list td{border:0;padding:.15em 0}"
    "table.list td::before{content:attr(data-label) \" : \";"
    "font-weight:bold}}"
    "@media (max-width:400px){main{padding:.5em}}";

void
web_puts(struct web_req *req, const char *html)
{
	if (sd_buf_adds(&req->out, html) != SD_OK)
		log_warnx("web", "page over %d bytes path=%.100s", WEB_PAGE_MAX,
		    req->path);
}

void
web_esc(struct web_req *req, const char *s)
{
	/* Straight into the page, a run of plain bytes at a time: the
	 * request page escapes some hundred values. */
	static const char special[] = "&<>\"'";
	static const char *const ent[] = {"&amp;", "&lt;", "&gt;", "&quot;",
	    "&#39;"};
	enum sd_rc rc = SD_OK;

	if (s == NULL)
		return;
	while (*s != '\0' && rc == SD_OK) {
		size_t n = strcspn(s, special);

		if (n > 0)
			rc = sd_buf_add(&req->out, s, n);
		s += n;
		if (*s != '\0' && rc == SD_OK) {
			rc = sd_buf_adds(&req->out,
			    ent[strchr(special, *s) - special]);
			s++;
		}
	}
	if (rc != SD_OK)
		log_warnx("web", "page over %d bytes path=%.100s", WEB_PAGE_MAX,
		    req->path);
}

void
web_printf_html(struct web_req *req, const char *fmt, ...)
{
	char spec[16], tmp[64];
	const char *p = fmt;
	va_list ap;

	va_start(ap, fmt);
	while (*p != '\0') {
		const char *q = strchr(p, '%');
		size_t k = 0;
		char conv;

		if (q == NULL) {
			web_puts(req, p);
			break;
		}
		if (q > p) {
			if (sd_buf_add(&req->out, p, (size_t)(q - p)) != SD_OK)
				break;
		}
		p = q + 1;
		spec[k++] = '%';
		while (*p != '\0' && strchr("lzjh", *p) != NULL && k < 6)
			spec[k++] = *p++;
		conv = *p;
		if (conv == '\0')
			break;
		p++;
		spec[k++] = conv;
		spec[k] = '\0';
		tmp[0] = '\0';
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat-nonliteral"
		if (conv == '%') {
			web_puts(req, "%");
		} else if (conv == 's') {
			web_esc(req, va_arg(ap, const char *));
		} else if (strcmp(spec + 1, "lld") == 0 ||
		    strcmp(spec + 1, "llu") == 0) {
			snprintf(tmp, sizeof(tmp), spec, va_arg(ap, long long));
			web_puts(req, tmp);
		} else if (spec[1] == 'l' || spec[1] == 'z' || spec[1] == 'j') {
			snprintf(tmp, sizeof(tmp), spec, va_arg(ap, long));
			web_puts(req, tmp);
		} else if (strchr("diux", conv) != NULL) {
			snprintf(tmp, sizeof(tmp), spec, va_arg(ap, int));
			web_puts(req, tmp);
		}
#pragma GCC diagnostic pop
	}
	va_end(ap);
}

long
web_field_long(struct web_req *req, const char *name, long lo, long hi,
    long def)
{
	const char *s = web_field(req, name);
	char *end;
	long v;

	if (s == NULL || s[0] == '\0' || strlen(s) > 20)
		return def;
	errno = 0;
	v = strtol(s, &end, 10);
	if (errno != 0 || *end != '\0' || v < lo || v > hi)
		return def;
	return v;
}

bool
web_filled(const char *s)
{
	for (; s != NULL && *s != '\0'; s++)
		if (*s != ' ' && *s != '\t' && *s != '\r' && *s != '\n')
			return true;
	return false;
}

void
web_line(struct web_req *req, const char *s)
{
	char *v = core_text_escape(s != NULL ? s : "", 0);

	web_esc(req, v);
	free(v);
}

void
web_body(struct web_req *req, const char *s)
{
	char *v = core_text_escape(s != NULL ? s : "", CORE_ESC_LINES);
	char *p = v, *nl;

	while ((nl = strchr(p, '\n')) != NULL) {
		*nl = '\0';
		web_esc(req, p);
		web_puts(req, "<br>");
		p = nl + 1;
	}
	web_esc(req, p);
	free(v);
}

void
web_fill(struct web_req *req, const char *text, const char *a1, const char *a2,
    const char *a3)
{
	const char *args[3] = {a1, a2, a3}, *p = text, *q;
	size_t i = 0;

	while ((q = strstr(p, "%s")) != NULL) {
		if (sd_buf_add(&req->out, p, (size_t)(q - p)) != SD_OK)
			return;
		if (i < 3 && args[i] != NULL)
			web_esc(req, args[i]);
		i++;
		p = q + 2;
	}
	web_puts(req, p);
}

void
web_page_begin(struct web_req *req, const char *title)
{
	req->title_done = true;
	web_puts(req,
	    "<!doctype html><html lang=\"fa\" dir=\"rtl\"><head>"
	    "<meta charset=\"utf-8\"><meta name=\"viewport\" "
	    "content=\"width=device-width, initial-scale=1\">"
	    "<link rel=\"stylesheet\" href=\"/static/site.css\"><title>");
	web_esc(req, title);
	web_puts(req, " | ");
	web_esc(req, core_web_txt(CORE_WT_SITE));
	web_puts(req, "</title></head><body><header><p class=\"org\">");
	web_esc(req, req->cfg->org_name);
	web_puts(req, "</p>");
	if (req->signed_in) {
		web_puts(req, "<nav><a href=\"/requests\">");
		web_esc(req, core_web_txt(CORE_WT_REQUESTS));
		web_puts(req, "</a>");
		/* Issue 14: the staff inbox. */
		if (req->actor.kind == CORE_ACTOR_STAFF ||
		    req->actor.kind == CORE_ACTOR_HEAD ||
		    req->actor.kind == CORE_ACTOR_ADMIN) {
			web_puts(req, "<a href=\"/staff/\">");
			web_esc(req, core_inbox_txt(CORE_IT_TITLE));
			web_puts(req, "</a>");
		}
		/* The head's and admins' overview, the admins' staff. */
		if (req->actor.kind == CORE_ACTOR_HEAD ||
		    req->actor.kind == CORE_ACTOR_ADMIN) {
			web_puts(req, "<a href=\"/staff/overview\">");
			web_esc(req, core_sa_txt(CORE_SA_OV_TITLE));
			web_puts(req, "</a>");
		}
		if (req->actor.kind == CORE_ACTOR_ADMIN) {
			web_puts(req, "<a href=\"/staff/admin/staff\">");
			web_esc(req, core_sa_txt(CORE_SA_STAFF_TITLE));
			web_puts(req, "</a>");
		}
		web_form_begin(req, "/signout", false);
		web_puts(req, "<button type=\"submit\">");
		web_esc(req, core_web_txt(CORE_WT_SIGNOUT));
		web_puts(req, "</button>");
		web_form_end(req);
		web_puts(req, "</nav>");
	}
	web_puts(req, "</header><main>");
}

void
web_page_end(struct web_req *req)
{
	web_puts(req, "</main></body></html>");
}

void
web_form_begin(struct web_req *req, const char *action, bool multipart)
{
	web_puts(req, "<form method=\"post\" action=\"");
	web_esc(req, action);
	web_puts(req,
	    multipart ? "\" enctype=\"multipart/form-data\">" : "\">");
	web_puts(req, "<input type=\"hidden\" name=\"csrf\" value=\"");
	web_esc(req, req->csrf);
	web_puts(req, "\">");
}

void
web_form_end(struct web_req *req)
{
	web_puts(req, "</form>");
}

void
web_notice(struct web_req *req, const char *kind, const char *text)
{
	web_printf_html(req, "<p class=\"%s\" role=\"status\">%s</p>", kind,
	    text);
}

enum sd_rc
web_redirect(struct web_req *req, const char *url)
{
	/* Only a local path: never "//host" or "/\\host". */
	if (url == NULL || url[0] != '/' || url[1] == '/' || url[1] == '\\' ||
	    strpbrk(url, "\r\n") != NULL)
		url = "/";
	req->status = 303;
	web_header_add(req, "Location", url);
	sd_buf_reset(&req->out);
	return SD_OK;
}

enum sd_rc
web_not_found(struct web_req *req)
{
	sd_buf_reset(&req->out);
	req->status = 404;
	req->title_done = false;
	web_page_begin(req, core_web_txt(CORE_WT_NOT_FOUND_TITLE));
	web_printf_html(req, "<h1>%s</h1><p>%s</p>",
	    core_web_txt(CORE_WT_NOT_FOUND_TITLE),
	    core_web_txt(CORE_WT_NOT_FOUND));
	web_page_end(req);
	return SD_OK;
}

enum sd_rc
web_refuse(struct web_req *req, unsigned status, const char *title,
    const char *text)
{
	sd_buf_reset(&req->out);
	req->status = status;
	req->title_done = false;
	web_page_begin(req, title);
	web_printf_html(req,
	    "<h1>%s</h1><p class=\"err\" role=\"alert\">%s</p>", title, text);
	web_page_end(req);
	return SD_OK;
}

enum sd_rc
web_busy(struct web_req *req)
{
	web_header_add(req, "Retry-After", "2");
	return web_refuse(req, 503, core_web_txt(CORE_WT_BUSY_TITLE),
	    core_web_txt(CORE_WT_BUSY));
}
