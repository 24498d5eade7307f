/*
 * web-min/page_inbox.c: the staff inbox (issue #14): the requests of the
 * staff member's departments, overdue first, filters and search.
 * Routes are WEB_AUTH | WEB_STAFF | WEB_READ: GET /staff, /staff/ and
 * /staff/inbox show the same page.
 *
 * The filters are a GET form (no state changes, so no CSRF field), and
 * every paging link carries them. A value that is not one of the form's
 * choices is read as the default (the page never fails on a bad link).
 * Each row: tracking number (to /staff/requests/N), subject, applicant,
 * department, status, priority, the deadline in Jalali and the time left
 * in office hours (core_calendar_work_s), or «گذشته» once it has
 * passed; a mark when the one-working-day reminder went out for this
 * waiting period (requests.reminded = waiting_since) and when it is
 * escalated.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/base/buf.h"
#include "core/base/xmalloc.h"
#include "web-min/web_int.h"

static const char *
it(enum core_inbox_txt id)
{
	return core_inbox_txt(id);
}

/* The page's filters as read from the query. */
struct inbox_args {
	struct core_inbox_query q;
	char status[12]; /* "open", "all", "0", "1", "2" */
};

static void
args_read(struct web_req *req, struct inbox_args *a)
{
	const char *st = web_field(req, "status");

	memset(a, 0, sizeof(*a));
	a->q.status = DB_SINBOX_OPEN;
	snprintf(a->status, sizeof(a->status), "open");
	if (st != NULL && strcmp(st, "all") == 0) {
		a->q.status = DB_SINBOX_ANY;
		snprintf(a->status, sizeof(a->status), "all");
	} else if (st != NULL && strlen(st) == 1 && st[0] >= '0' &&
	    st[0] <= '2') {
		a->q.status = st[0] - '0';
		snprintf(a->status, sizeof(a->status), "%s", st);
	}
	a->q.prio = (int)web_field_long(req, "prio", 0, 3, -1);
	a->q.dept = (int)web_field_long(req, "dept", 1, 99, 0);
	a->q.overdue = web_field_long(req, "overdue", 1, 1, 0) == 1;
	a->q.mine = web_field_long(req, "mine", 1, 1, 0) == 1;
	a->q.page = (size_t)web_field_long(req, "page", 1, CORE_INBOX_PAGES_MAX,
	    1);
	a->q.q = web_field(req, "q");
	if (a->q.q != NULL && a->q.q[0] == '\0')
		a->q.q = NULL;
}

/* s percent-encoded for a query string. */
static void
url_enc(struct sd_buf *b, const char *s)
{
	static const char hex[] = "0123456789ABCDEF";

	for (; *s != '\0'; s++) {
		unsigned char c = (unsigned char)*s;
		char e[4];

		if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		    (c >= '0' && c <= '9') || c == '-' || c == '_' ||
		    c == '.' || c == '~') {
			e[0] = (char)c;
			e[1] = '\0';
		} else {
			e[0] = '%';
			e[1] = hex[c >> 4];
			e[2] = hex[c & 15];
			e[3] = '\0';
		}
		if (sd_buf_adds(b, e) != SD_OK)
			return;
	}
}

/* The link to page of the same filters (escaped by the caller). The
 * buffer holds the longest: a search of DB_FTS_QUERY_MAX bytes is 3
 * times as long encoded. */
static char *
page_link(const struct inbox_args *a, size_t page)
{
	struct sd_buf b;
	enum sd_rc rc;

	sd_buf_init(&b, 4 * DB_FTS_QUERY_MAX + 256);
	rc = sd_buf_addf(&b, "/staff/?status=%s", a->status);
	if (rc == SD_OK && a->q.prio >= 0)
		rc = sd_buf_addf(&b, "&prio=%d", a->q.prio);
	if (rc == SD_OK && a->q.dept > 0)
		rc = sd_buf_addf(&b, "&dept=%d", a->q.dept);
	if (rc == SD_OK && a->q.overdue)
		rc = sd_buf_adds(&b, "&overdue=1");
	if (rc == SD_OK && a->q.mine)
		rc = sd_buf_adds(&b, "&mine=1");
	if (rc == SD_OK && a->q.q != NULL) {
		rc = sd_buf_adds(&b, "&q=");
		url_enc(&b, a->q.q);
	}
	if (rc == SD_OK)
		rc = sd_buf_addf(&b, "&page=%zu", page);
	if (rc != SD_OK) {
		sd_buf_fini(&b);
		return xstrdup("/staff/");
	}
	return sd_buf_take(&b);
}

static void
put_option(struct web_req *req, const char *value, bool selected,
    const char *label)
{
	web_printf_html(req, "<option value=\"%s\"%s>%s</option>", value,
	    selected ? " selected" : "", label);
}

/* The filter form, with what is chosen now. */
static enum sd_rc
put_filters(struct web_req *req, const struct inbox_args *a)
{
	struct db_dept *depts = NULL;
	int mine[CORE_STAFF_DEPTS_MAX];
	size_t nd = 0, nmine = 0, i;
	char v[16];
	enum sd_rc rc;
	int s;

	rc = db_dept_list(req->db, &depts, &nd);
	if (rc != SD_OK)
		return rc;
	web_printf_html(req,
	    "<form method=\"get\" action=\"/staff/\" class=\"filters\">"
	    "<h2>%s</h2><label for=\"q\">%s</label>"
	    "<input id=\"q\" name=\"q\" type=\"search\" maxlength=\"%d\" "
	    "value=\"%s\">",
	    it(CORE_IT_FILTERS), it(CORE_IT_Q), DB_FTS_QUERY_MAX,
	    a->q.q != NULL ? a->q.q : "");
	web_printf_html(req,
	    "<label for=\"status\">%s</label><select id=\"status\" "
	    "name=\"status\">",
	    it(CORE_IT_STATUS));
	put_option(req, "open", strcmp(a->status, "open") == 0,
	    it(CORE_IT_ST_OPEN));
	for (s = 0; s <= 2; s++) {
		snprintf(v, sizeof(v), "%d", s);
		put_option(req, v, strcmp(a->status, v) == 0,
		    core_status_label((enum core_status)s));
	}
	put_option(req, "all", strcmp(a->status, "all") == 0, it(CORE_IT_ANY));
	web_printf_html(req,
	    "</select><label for=\"prio\">%s</label><select id=\"prio\" "
	    "name=\"prio\">",
	    it(CORE_IT_PRIO));
	put_option(req, "", a->q.prio < 0, it(CORE_IT_ANY));
	for (s = 0; s <= 3; s++) {
		snprintf(v, sizeof(v), "%d", s);
		put_option(req, v, a->q.prio == s,
		    core_priority_label((enum core_priority)s));
	}
	web_printf_html(req,
	    "</select><label for=\"dept\">%s</label><select id=\"dept\" "
	    "name=\"dept\">",
	    it(CORE_IT_DEPT));
	put_option(req, "", a->q.dept == 0, it(CORE_IT_ANY));
	/* Staff choose among their departments (and the head's office's
	 * escalated ones come under their own); the head and admins among
	 * all. Read once, not a query per department. */
	if (core_staff_depts(req->db, &req->actor, mine, CORE_STAFF_DEPTS_MAX,
		&nmine) != SD_OK)
		nmine = 0;
	for (i = 0; i < nd; i++) {
		size_t k;

		for (k = 0; k < nmine && mine[k] != depts[i].code; k++)
			;
		if (k == nmine && depts[i].code != a->q.dept)
			continue;
		snprintf(v, sizeof(v), "%d", depts[i].code);
		put_option(req, v, a->q.dept == depts[i].code, depts[i].name);
	}
	db_dept_list_free(depts, nd);
	web_printf_html(req,
	    "</select><label><input type=\"checkbox\" name=\"overdue\" "
	    "value=\"1\"%s> %s</label><label><input type=\"checkbox\" "
	    "name=\"mine\" value=\"1\"%s> %s</label>"
	    "<button type=\"submit\">%s</button></form>",
	    a->q.overdue ? " checked" : "", it(CORE_IT_OVERDUE),
	    a->q.mine ? " checked" : "", it(CORE_IT_MINE), it(CORE_IT_APPLY));
	return SD_OK;
}

/* The time left before due, in office hours and minutes; «گذشته» once
 * it has passed. */
static void
put_left(struct web_req *req, const struct db_sinbox_row *r, int64_t now)
{
	char h[48], m[48];
	int64_t secs;

	if (r->due <= 0) {
		web_esc(req, it(CORE_IT_NO_DUE));
		return;
	}
	if (r->due <= now) {
		web_printf_html(req, "<strong class=\"late\">%s</strong>",
		    it(CORE_IT_PAST));
		return;
	}
	secs = core_calendar_office_s(req->env->cal, now, r->due);
	if (secs < 60) {
		web_esc(req, it(CORE_IT_UNDER_M));
		return;
	}
	core_fa_number(secs / 3600, h, sizeof(h));
	core_fa_number(secs % 3600 / 60, m, sizeof(m));
	if (secs / 3600 == 0)
		web_fill(req, it(CORE_IT_M), m, NULL, NULL);
	else if (secs % 3600 / 60 == 0)
		web_fill(req, it(CORE_IT_H), h, NULL, NULL);
	else
		web_fill(req, it(CORE_IT_H_M), h, m, NULL);
}

/* The deadline as a Jalali date and time, Persian digits. */
static void
put_due(struct web_req *req, int64_t due)
{
	struct core_jdate j;
	char a[24], d[64], t[64];

	if (due <= 0 || core_jalali_from_utc(due, &j) != SD_OK) {
		web_esc(req, it(CORE_IT_NO_DUE));
		return;
	}
	snprintf(a, sizeof(a), "%04d/%02d/%02d", j.year, j.month, j.day);
	core_fa_digits(a, d, sizeof(d));
	snprintf(a, sizeof(a), "%02d:%02d", j.hour, j.minute);
	core_fa_digits(a, t, sizeof(t));
	web_fill(req, it(CORE_IT_DATE_AT), d, t, NULL);
}

/* Subjects are cut to this many characters in the table (the request
 * page has the whole): 25 rows of 300-character subjects would pass the
 * 30 KB a page may weigh. */
#define INBOX_SUBJECT_CHARS 90

/* s cut (in place) after max UTF-8 characters, with "…" if it was. */
static void
cut_chars(char *s, size_t cap, size_t max)
{
	size_t i = 0, n = 0;

	while (s[i] != '\0' && n < max) {
		i++;
		while (((unsigned char)s[i] & 0xC0) == 0x80)
			i++;
		n++;
	}
	if (s[i] != '\0' && i + 4 <= cap) {
		memcpy(s + i, "\xE2\x80\xA6", 3);
		s[i + 3] = '\0';
	} else if (s[i] != '\0') {
		s[i] = '\0';
	}
}

static void
put_row(struct web_req *req, const struct db_sinbox_row *r, int64_t now)
{
	char *subj = core_text_escape(r->title, 0);
	size_t cap = strlen(subj) + 4;

	subj = xrealloc(subj, cap);
	cut_chars(subj, cap, INBOX_SUBJECT_CHARS);

	web_printf_html(req,
	    "<tr><td data-label=\"%s\"><a href=\"/staff/requests/%lld\">"
	    "%lld</a></td><td data-label=\"%s\">%s",
	    it(CORE_IT_TRACKING), (long long)r->tracking,
	    (long long)r->tracking, it(CORE_IT_SUBJECT), subj);
	free(subj);
	if (r->escalated)
		web_printf_html(req, " <span class=\"mark esc\">%s</span>",
		    it(CORE_IT_ESCALATED));
	if (r->reminded > 0 && r->reminded == r->waiting_since &&
	    r->status == CORE_STATUS_AWAITING)
		web_printf_html(req, " <span class=\"mark rem\">%s</span>",
		    it(CORE_IT_REMINDED));
	web_printf_html(req,
	    "</td><td data-label=\"%s\">%s</td><td data-label=\"%s\">%s</td>"
	    "<td data-label=\"%s\">%s</td><td data-label=\"%s\">%s</td>"
	    "<td data-label=\"%s\">",
	    it(CORE_IT_APPLICANT), r->applicant, it(CORE_IT_DEPT), r->dept_name,
	    it(CORE_IT_STATUS), core_status_label(r->status), it(CORE_IT_PRIO),
	    core_priority_label(r->prio), it(CORE_IT_DUE));
	put_due(req, r->due);
	web_printf_html(req, "</td><td data-label=\"%s\">", it(CORE_IT_LEFT));
	put_left(req, r, now);
	web_puts(req, "</td></tr>");
}

static enum sd_rc
page_inbox(struct web_req *req)
{
	struct inbox_args a;
	struct core_inbox_page p;
	char n1[48], n2[48];
	size_t i, pages;
	enum sd_rc rc;
	bool too_long = false;

	args_read(req, &a);
	rc = core_inbox_staff(req->db, &req->actor, &a.q, &p);
	if (rc == SD_ETOOBIG) {
		too_long = true;
		a.q.q = NULL;
		rc = core_inbox_staff(req->db, &req->actor, &a.q, &p);
	}
	/* A page past the last (an old link, a typed number): the last. */
	if (rc == SD_OK && p.n == 0 && p.total > 0) {
		a.q.page = (size_t)((p.total + CORE_INBOX_PER_PAGE - 1) /
		    CORE_INBOX_PER_PAGE);
		core_inbox_page_fini(&p);
		rc = core_inbox_staff(req->db, &req->actor, &a.q, &p);
	}
	if (rc == SD_ENOTFOUND)
		return web_not_found(req);
	if (rc != SD_OK)
		return rc;
	web_page_begin(req, it(CORE_IT_TITLE));
	web_printf_html(req, "<h1>%s</h1>", it(CORE_IT_TITLE));
	if (too_long)
		web_notice(req, "err", it(CORE_IT_Q_LONG));
	rc = put_filters(req, &a);
	if (rc != SD_OK) {
		core_inbox_page_fini(&p);
		return rc;
	}
	pages = (size_t)((p.total + (int64_t)p.per_page - 1) /
	    (int64_t)p.per_page);
	if (pages > CORE_INBOX_PAGES_MAX)
		pages = CORE_INBOX_PAGES_MAX;
	web_puts(req, "<p class=\"total\">");
	web_fill(req, it(CORE_IT_TOTAL),
	    core_fa_number(p.total, n1, sizeof(n1)), NULL, NULL);
	web_puts(req, "</p>");
	if (p.n == 0) {
		web_printf_html(req, "<p>%s</p>", it(CORE_IT_EMPTY));
	} else {
		web_printf_html(req,
		    "<table class=\"list inbox\"><thead><tr><th>%s</th>"
		    "<th>%s</th><th>%s</th><th>%s</th><th>%s</th><th>%s</th>"
		    "<th>%s</th><th>%s</th></tr></thead><tbody>",
		    it(CORE_IT_TRACKING), it(CORE_IT_SUBJECT),
		    it(CORE_IT_APPLICANT), it(CORE_IT_DEPT), it(CORE_IT_STATUS),
		    it(CORE_IT_PRIO), it(CORE_IT_DUE), it(CORE_IT_LEFT));
		for (i = 0; i < p.n; i++)
			put_row(req, &p.rows[i], p.now);
		web_puts(req, "</tbody></table>");
	}
	if (pages > 1) {
		char *link;

		web_puts(req, "<nav class=\"pages\">");
		if (p.page > 1) {
			link = page_link(&a, p.page - 1);
			web_printf_html(req,
			    "<a href=\"%s\" rel=\"prev\">%s</a> ", link,
			    it(CORE_IT_PREV));
			free(link);
		}
		web_fill(req, it(CORE_IT_PAGE),
		    core_fa_number((long long)p.page, n1, sizeof(n1)),
		    core_fa_number((long long)pages, n2, sizeof(n2)), NULL);
		if (p.page < pages) {
			link = page_link(&a, p.page + 1);
			web_printf_html(req,
			    " <a href=\"%s\" rel=\"next\">%s</a>", link,
			    it(CORE_IT_NEXT));
			free(link);
		}
		web_puts(req, "</nav>");
	}
	web_page_end(req);
	core_inbox_page_fini(&p);
	return SD_OK;
}

const struct web_route web_routes_inbox[] = {
    {"GET", "/staff", page_inbox, WEB_AUTH | WEB_STAFF | WEB_READ, NULL},
    {"GET", "/staff/", page_inbox, WEB_AUTH | WEB_STAFF | WEB_READ, NULL},
    {"GET", "/staff/inbox", page_inbox, WEB_AUTH | WEB_STAFF | WEB_READ, NULL},
    {NULL, NULL, NULL, 0, NULL},
};
