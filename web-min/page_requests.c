/*
 * web-min/page_requests.c: the applicant's requests (issue #13).
 *
 *   GET  /requests              the list, newest first, paged (?page=N)
 *   GET  /requests/new          the seed's five steps on one page
 *   POST /requests/new          multipart: fields + files streamed to disk
 *   GET  /requests/N            the request and its thread, as the seed
 *   GET  /requests/N/reply      «ارسال پاسخ جدید به این درخواست»
 *   POST /requests/N/reply      multipart, like /requests/new
 *   POST /requests/N/escalate   «ارجاع به ریاست» (SMS ESCALATE's rule)
 *   GET  /files/ID              a download, Content-Disposition: attachment
 *   GET  /r/TOKEN               a one-tap link from an SMS: read-only
 *
 * Every read goes through core's access check (core_request_get and the
 * calls built on it); whatever is not the viewer's is answered by
 * web_not_found(), byte for byte the page of a missing one. Files go
 * from libmicrohttpd's post processor straight to core's writer
 * (core/upload.c): at most CORE_FT_SNIFF bytes of a file are ever in
 * memory, a refused or cut file is removed at once, and the files of a
 * form that is refused are removed when the request ends. Every value is
 * written HTML-escaped, after core_text_escape() has made controls and
 * bidi overrides visible.
 */
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/base/clock.h"
#include "core/base/log.h"
#include "core/base/xmalloc.h"
#include "web-min/web_int.h"

/* Rows of the list a page shows. */
#define REQ_PER_PAGE 20
#define MB (1024 * 1024)

/* ---- Small writers ------------------------------------------------------ */

static const char *
rt(enum core_req_txt id)
{
	return core_req_txt(id);
}

/* "1399/02/07" and "09:09:11" of utc. */
static void
jdate_parts(int64_t utc, char date[16], char time[16])
{
	struct core_jdate j;

	if (core_jalali_from_utc(utc, &j) != SD_OK) {
		snprintf(date, 16, "?");
		snprintf(time, 16, "?");
		return;
	}
	snprintf(date, 16, "%04d/%02d/%02d", j.year, j.month, j.day);
	snprintf(time, 16, "%02d:%02d:%02d", j.hour, j.minute, j.second);
}

static void
put_text(struct web_req *req, const char *tag, const char *cls,
    enum core_req_txt id)
{
	if (cls != NULL)
		web_printf_html(req, "<%s class=\"%s\">", tag, cls);
	else
		web_printf_html(req, "<%s>", tag);
	web_esc(req, rt(id));
	web_printf_html(req, "</%s>", tag);
}

/* The department's full name, "?" if unknown. */
static char *
dept_name(struct db *db, int code)
{
	struct db_dept d;
	char *s;

	if (db_dept_get(db, code, &d) != SD_OK)
		return xstrdup("?");
	s = xstrdup(d.name);
	db_dept_fini(&d);
	return s;
}

/* ---- Uploads: multipart file parts to core's writer --------------------- */

/* The files of one POST (req->upload_arg). */
struct up_state {
	struct core_upload *files[SD_ATTACH_MAX]; /* finished, in order */
	size_t n;                                 /* how many */
	struct core_upload *cur; /* the file being received, or NULL */
	bool skip;               /* this part is not a file we keep (an
				    empty file input, another field) */
	enum core_ftype_why why; /* the first refusal, CORE_FTW_OK if none */
	char *bad;               /* its file name, as shown (escaped) */
};

static struct up_state *
up_state(struct web_req *req)
{
	if (req->upload_arg == NULL)
		req->upload_arg = xcalloc(1, sizeof(struct up_state));
	return req->upload_arg;
}

/* Keep the first refusal and the name it was for. */
static void
up_refuse(struct up_state *st, enum core_ftype_why why, const char *name)
{
	const char *base = name, *p;

	if (st->why != CORE_FTW_OK)
		return;
	for (p = name; *p != '\0'; p++)
		if (*p == '/' || *p == '\\')
			base = p + 1;
	st->why = why;
	st->bad = core_text_escape(base, 0);
	if (strlen(st->bad) > 200) {
		size_t k = 200;

		/* Cut at a character's start. */
		while (k > 0 && ((unsigned char)st->bad[k] & 0xc0) == 0x80)
			k--;
		strcpy(st->bad + k, "…");
	}
}

static enum sd_rc
up_begin(struct web_req *req, const char *field, const char *filename,
    const char *ctype)
{
	struct up_state *st = up_state(req);
	enum core_ftype_why why = CORE_FTW_OK;
	char err[SD_ERRLEN];
	enum sd_rc rc;

	(void)ctype; /* the client's word for the type decides nothing */
	/* A part that never ended is not kept (nor left on disk). */
	core_upload_free(st->cur);
	st->cur = NULL;
	st->skip = false;
	if (strcmp(field, "file") != 0 || filename == NULL ||
	    filename[0] == '\0') {
		st->skip = true; /* an empty <input type=file> */
		return SD_OK;
	}
	if (st->n >= (size_t)req->cfg->max_files || st->n >= SD_ATTACH_MAX) {
		up_refuse(st, CORE_FTW_TOOMANY, filename);
		st->skip = true;
		return SD_ETOOBIG;
	}
	rc = core_upload_begin(req->cfg->attachments_dir, filename,
	    (int64_t)req->cfg->max_file_mb * MB, &st->cur, &why, err);
	if (rc != SD_OK) {
		if (why == CORE_FTW_OK)
			log_warnx("web", "upload begin failed rc=%s %s",
			    sd_rc_str(rc), err);
		up_refuse(st, why != CORE_FTW_OK ? why : CORE_FTW_REFUSED,
		    filename);
		st->skip = true;
	}
	return rc;
}

static enum sd_rc
up_data(struct web_req *req, const char *buf, size_t n)
{
	struct up_state *st = up_state(req);
	enum core_ftype_why why = CORE_FTW_OK;
	char err[SD_ERRLEN];
	enum sd_rc rc;

	if (st->skip || st->cur == NULL)
		return SD_OK;
	rc = core_upload_write(st->cur, buf, n, &why, err);
	if (rc != SD_OK) {
		up_refuse(st, why != CORE_FTW_OK ? why : CORE_FTW_REFUSED,
		    core_upload_info(st->cur)->name);
		core_upload_free(st->cur);
		st->cur = NULL;
		st->skip = true;
	}
	return rc;
}

static enum sd_rc
up_end(struct web_req *req)
{
	struct up_state *st = up_state(req);
	enum core_ftype_why why = CORE_FTW_OK;
	char err[SD_ERRLEN];
	enum sd_rc rc;

	if (st->skip || st->cur == NULL) {
		st->skip = false;
		return SD_OK;
	}
	rc = core_upload_finish(st->cur, &why, err);
	if (rc != SD_OK) {
		up_refuse(st, why != CORE_FTW_OK ? why : CORE_FTW_REFUSED,
		    core_upload_info(st->cur)->name);
		core_upload_free(st->cur);
		st->cur = NULL;
		return rc;
	}
	st->files[st->n++] = st->cur;
	st->cur = NULL;
	return SD_OK;
}

/* End of the request: what no committed message took is removed (a body
 * cut short included: then the handler never ran). */
static void
up_cleanup(struct web_req *req, bool complete)
{
	struct up_state *st = req->upload_arg;
	size_t i;

	if (st == NULL)
		return;
	if (!complete && (st->cur != NULL || st->n > 0))
		log_info("web", "upload cut short: files removed n=%zu",
		    st->n + (st->cur != NULL));
	core_upload_free(st->cur);
	for (i = 0; i < st->n; i++)
		core_upload_free(st->files[i]);
	free(st->bad);
	free(st);
	req->upload_arg = NULL;
}

/* A form that is refused: its files go now, before the answer (the
 * cleanup at the end of the request then finds nothing). */
static void
up_release(struct web_req *req)
{
	struct up_state *st = req->upload_arg;
	size_t i;

	if (st == NULL)
		return;
	core_upload_free(st->cur);
	st->cur = NULL;
	for (i = 0; i < st->n; i++)
		core_upload_free(st->files[i]);
	st->n = 0;
}

/* The Persian sentence for the upload's refusal, if any, as a notice. */
static bool
up_notice(struct web_req *req)
{
	struct up_state *st = req->upload_arg;
	char num[24];

	if (st == NULL || st->why == CORE_FTW_OK) {
		if (req->upload_rc == SD_OK)
			return false;
		/* A refusal the writer did not name (I/O). */
		web_puts(req, "<p class=\"err\" role=\"alert\">");
		web_esc(req, rt(CORE_RT_ERR_STORE));
		web_puts(req, "</p>");
		return true;
	}
	snprintf(num, sizeof(num), "%ld",
	    st->why == CORE_FTW_TOOMANY ? req->cfg->max_files :
					  req->cfg->max_file_mb);
	web_puts(req, "<p class=\"err\" role=\"alert\">");
	web_fill(req, core_ftype_why_text(st->why), st->bad, num, NULL);
	web_puts(req, "</p>");
	return true;
}

/* The files of a POST that passed, for core. */
static struct core_upload *const *
up_files(struct web_req *req, size_t *n)
{
	struct up_state *st = req->upload_arg;

	*n = st != NULL ? st->n : 0;
	return st != NULL ? st->files : NULL;
}

/* The file input and its note. */
static void
put_file_input(struct web_req *req)
{
	char files[24], mb[24];

	snprintf(files, sizeof(files), "%ld", req->cfg->max_files);
	snprintf(mb, sizeof(mb), "%ld", req->cfg->max_file_mb);
	web_puts(req, "<label for=\"file\">");
	web_esc(req, rt(CORE_RT_FILES_LABEL));
	web_puts(req,
	    "</label><input type=\"file\" id=\"file\" name=\"file\""
	    " multiple accept=\".jpg,.jpeg,.png,.pdf,.doc,.docx,"
	    ".xls,.xlsx,.pptx,.zip,.dwg\"><p class=\"note\">");
	web_fill(req, rt(CORE_RT_FILES_NOTE), files, mb, NULL);
	web_puts(req, "</p>");
}

/* ---- /requests ---------------------------------------------------------- */

static enum sd_rc
page_list(struct web_req *req)
{
	struct db_request *rows = NULL;
	struct db_dept *depts = NULL;
	const char *ps = web_field(req, "page");
	char date[SD_JALALI_LEN], num[24];
	size_t n = 0, nd = 0, i, from, to, limit;
	long page = 1;
	enum sd_rc rc;

	if (ps != NULL) {
		char *end;

		errno = 0;
		page = strtol(ps, &end, 10);
		if (errno != 0 || *end != '\0' || page < 1 ||
		    page > SD_LIST_MAX / REQ_PER_PAGE)
			page = 1;
	}
	limit = (size_t)page * REQ_PER_PAGE + 1;
	if (limit > SD_LIST_MAX)
		limit = SD_LIST_MAX;
	rc = core_request_list_mine(req->db, &req->actor, limit, &rows, &n);
	if (rc == SD_OK)
		rc = db_dept_list(req->db, &depts, &nd);
	if (rc != SD_OK) {
		db_request_list_free(rows, n);
		return rc;
	}
	web_page_begin(req, rt(CORE_RT_LIST_TITLE));
	web_printf_html(req,
	    "<h1>%s</h1><p><a href=\"/requests/new\">%s</a></p>",
	    rt(CORE_RT_LIST_TITLE), rt(CORE_RT_NEW_LINK));
	from = (size_t)(page - 1) * REQ_PER_PAGE;
	to = from + REQ_PER_PAGE < n ? from + REQ_PER_PAGE : n;
	if (from >= n) {
		web_printf_html(req, "<p>%s</p>", rt(CORE_RT_LIST_EMPTY));
	} else {
		/* class "list": on a narrow screen each row is a card and
		 * each cell says its column (data-label; site.css). */
		web_printf_html(req,
		    "<table class=\"list\"><thead><tr><th>%s</th><th>%s</th>"
		    "<th>%s</th><th>%s</th><th>%s</th><th>%s</th></tr></thead>"
		    "<tbody>",
		    rt(CORE_RT_TRACKING), rt(CORE_RT_SUBJECT), rt(CORE_RT_DEPT),
		    rt(CORE_RT_STATUS), rt(CORE_RT_PRIO), rt(CORE_RT_UPDATED));
		for (i = from; i < to; i++) {
			const char *dn = core_dept_name(depts, nd,
			    rows[i].dept);

			web_printf_html(req,
			    "<tr><td data-label=\"%s\"><a href=\"/requests/%lld\">"
			    "%lld</a></td><td data-label=\"%s\">",
			    rt(CORE_RT_TRACKING), (long long)rows[i].tracking,
			    (long long)rows[i].tracking, rt(CORE_RT_SUBJECT));
			web_line(req, rows[i].title);
			web_printf_html(req,
			    "</td><td data-label=\"%s\">%s</td>"
			    "<td data-label=\"%s\">%s</td>"
			    "<td data-label=\"%s\">%s</td><td data-label=\"%s\">"
			    "<span dir=\"ltr\">%s</span></td></tr>",
			    rt(CORE_RT_DEPT), dn, rt(CORE_RT_STATUS),
			    core_status_label(rows[i].status), rt(CORE_RT_PRIO),
			    core_priority_label(rows[i].prio),
			    rt(CORE_RT_UPDATED),
			    core_jalali_format(rows[i].updated, date));
		}
		web_puts(req, "</tbody></table>");
	}
	if (page > 1 || n > to) {
		web_puts(req, "<nav class=\"pages\">");
		if (page > 1)
			web_printf_html(req,
			    "<a href=\"/requests?page=%ld\">%s</a> ", page - 1,
			    rt(CORE_RT_PREV));
		snprintf(num, sizeof(num), "%ld", page);
		web_fill(req, rt(CORE_RT_PAGE), num, NULL, NULL);
		if (n > to)
			web_printf_html(req,
			    " <a href=\"/requests?page=%ld\">%s</a>", page + 1,
			    rt(CORE_RT_NEXT));
		web_puts(req, "</nav>");
	}
	web_page_end(req);
	db_request_list_free(rows, n);
	db_dept_list_free(depts, nd);
	return SD_OK;
}

/* ---- /requests/new ------------------------------------------------------ */

/* The form, with what was typed and the reasons it was refused. */
static enum sd_rc
new_form(struct web_req *req, const enum core_req_txt *errs, size_t nerr,
    bool files_again)
{
	const char *dept = web_field(req, "dept"),
		   *prio = web_field(req, "prio");
	const char *title = web_field(req, "title"),
		   *body = web_field(req, "body");
	struct db_dept *depts = NULL;
	char v[24];
	size_t nd = 0, i;
	int p;
	enum sd_rc rc;

	/* Shown again: whatever was uploaded is not kept. */
	up_release(req);
	rc = db_dept_list(req->db, &depts, &nd);
	if (rc != SD_OK)
		return rc;
	web_page_begin(req, rt(CORE_RT_NEW_TITLE));
	web_printf_html(req, "<h1>%s</h1>", rt(CORE_RT_NEW_TITLE));
	for (i = 0; i < nerr; i++) {
		web_puts(req, "<p class=\"err\" role=\"alert\">");
		web_esc(req, rt(errs[i]));
		web_puts(req, "</p>");
	}
	if (up_notice(req) || files_again)
		put_text(req, "p", "note", CORE_RT_FILES_AGAIN);
	put_text(req, "p", NULL, CORE_RT_NEW_INTRO);
	web_form_begin(req, "/requests/new", true);
	/* Step one: the department. */
	put_text(req, "h2", NULL, CORE_RT_STEP1);
	put_text(req, "p", "note", CORE_RT_STEP1_HELP);
	web_printf_html(req,
	    "<label for=\"dept\">%s</label><select id=\"dept\" name=\"dept\" "
	    "required><option value=\"\">%s</option>",
	    rt(CORE_RT_DEPT), rt(CORE_RT_CHOOSE));
	for (i = 0; i < nd; i++) {
		snprintf(v, sizeof(v), "%d", depts[i].code);
		web_printf_html(req, "<option value=\"%s\"%s>%s</option>", v,
		    dept != NULL && strcmp(dept, v) == 0 ? " selected" : "",
		    depts[i].name);
	}
	web_puts(req, "</select>");
	/* Step two: the priority. */
	put_text(req, "h2", NULL, CORE_RT_STEP2);
	put_text(req, "p", "note", CORE_RT_STEP2_HELP);
	web_printf_html(req,
	    "<label for=\"prio\">%s</label><select id=\"prio\" name=\"prio\" "
	    "required><option value=\"\">%s</option>",
	    rt(CORE_RT_PRIO), rt(CORE_RT_CHOOSE));
	for (p = CORE_PRIO_VERY_URGENT; p <= CORE_PRIO_LOW; p++) {
		snprintf(v, sizeof(v), "%d", p);
		web_printf_html(req, "<option value=\"%s\"%s>%s</option>", v,
		    prio != NULL && strcmp(prio, v) == 0 ? " selected" : "",
		    core_priority_label((enum core_priority)p));
	}
	web_puts(req, "</select>");
	/* Step three: title and text. */
	put_text(req, "h2", NULL, CORE_RT_STEP3);
	put_text(req, "p", "note", CORE_RT_STEP3_HELP);
	web_printf_html(req,
	    "<label for=\"title\">%s</label><input id=\"title\" name=\"title\" "
	    "maxlength=\"300\" required placeholder=\"%s\" value=\"%s\">",
	    rt(CORE_RT_TITLE_LABEL), rt(CORE_RT_TITLE_HINT),
	    title != NULL ? title : "");
	web_printf_html(req,
	    "<label for=\"body\">%s</label><textarea id=\"body\" name=\"body\" "
	    "rows=\"8\" required>%s</textarea>",
	    rt(CORE_RT_BODY_LABEL), body != NULL ? body : "");
	/* Step four: files. */
	put_text(req, "h2", NULL, CORE_RT_STEP4);
	put_text(req, "p", "note", CORE_RT_STEP4_HELP);
	put_file_input(req);
	/* Step five: send. */
	put_text(req, "h2", NULL, CORE_RT_STEP5);
	put_text(req, "p", "note", CORE_RT_STEP5_HELP);
	web_printf_html(req, "<button type=\"submit\">%s</button>",
	    rt(CORE_RT_SEND));
	web_form_end(req);
	web_page_end(req);
	db_dept_list_free(depts, nd);
	return SD_OK;
}

static enum sd_rc
page_new_get(struct web_req *req)
{
	return new_form(req, NULL, 0, false);
}

static enum sd_rc
page_new_post(struct web_req *req)
{
	enum core_req_txt errs[4];
	const char *title = web_field(req, "title");
	const char *body = web_field(req, "body");
	struct core_upload *const *files;
	char err[SD_ERRLEN], url[48];
	struct db_dept d;
	size_t nerr = 0, nfiles;
	int64_t t = 0;
	long dept, prio;
	enum sd_rc rc;

	dept = web_field_long(req, "dept", 1, 1000, -1);
	if (dept > 0 && db_dept_get(req->db, (int)dept, &d) == SD_OK)
		db_dept_fini(&d);
	else
		errs[nerr++] = CORE_RT_ERR_DEPT;
	prio = web_field_long(req, "prio", CORE_PRIO_VERY_URGENT, CORE_PRIO_LOW,
	    -1);
	if (prio < 0)
		errs[nerr++] = CORE_RT_ERR_PRIO;
	if (!web_filled(title) || strlen(title) > SD_REQ_TITLE_MAX)
		errs[nerr++] = CORE_RT_ERR_TITLE;
	if (!web_filled(body) || strlen(body) > SD_BODY_MAX)
		errs[nerr++] = CORE_RT_ERR_BODY;
	if (nerr > 0 || req->upload_rc != SD_OK) {
		req->status = 400;
		return new_form(req, errs, nerr, req->upload_arg != NULL);
	}
	files = up_files(req, &nfiles);
	rc = core_request_create_files(req->db, req->env, &req->actor,
	    (int)dept, (enum core_priority)prio, title, body, CORE_CHAN_WEB,
	    files, nfiles, &t, err);
	if (rc == SD_EINVAL || rc == SD_ETOOBIG) {
		/* Checks only core makes (controls, normalization). */
		errs[nerr++] = strncmp(err, "title", 5) == 0 ?
		    CORE_RT_ERR_TITLE :
		    CORE_RT_ERR_BODY;
		req->status = 400;
		return new_form(req, errs, nerr, nfiles > 0);
	}
	if (rc != SD_OK) {
		log_warnx("web", "request not stored rc=%s %s", sd_rc_str(rc),
		    err);
		errs[nerr++] = CORE_RT_ERR_STORE;
		req->status = 503;
		return new_form(req, errs, nerr, nfiles > 0);
	}
	snprintf(url, sizeof(url), "/requests/%lld", (long long)t);
	return web_redirect(req, url);
}

/* ---- /requests/N -------------------------------------------------------- */

void
web_put_files(struct web_req *req, const struct db_attachment *files, size_t nf,
    int64_t msg_id)
{
	size_t i;

	for (i = 0; i < nf; i++) {
		char *name;

		if (files[i].message_id != msg_id)
			continue;
		name = core_text_escape(files[i].name, 0);
		web_puts(req, "<div class=\"file\"><p>");
		web_fill(req, rt(CORE_RT_FILE_NAME), name, NULL, NULL);
		web_puts(req, "</p><p>");
		web_fill(req, rt(CORE_RT_FILE_TYPE),
		    core_ftype_label(core_ftype_parse(files[i].type)), NULL,
		    NULL);
		web_printf_html(req,
		    "</p><p>%s <a href=\"/files/%lld\" download>%s</a></p></div>",
		    rt(CORE_RT_FILE_LINK), (long long)files[i].id,
		    rt(CORE_RT_DOWNLOAD));
		free(name);
	}
}

/* One message of the thread, with its files. */
static void
put_message(struct web_req *req, const struct db_message *m, int64_t viewer,
    const struct db_attachment *files, size_t nf)
{
	char date[SD_JALALI_LEN], num[24];

	web_puts(req, "<article class=\"msg\"><p class=\"by\">");
	if (m->author_id == viewer) {
		web_esc(req, rt(CORE_RT_BY_YOU));
	} else {
		char *who = m->author_title != NULL &&
			m->author_title[0] != '\0' ?
		    xasprintf("%s (%s)", m->author_name, m->author_title) :
		    xstrdup(m->author_name);
		char *v = core_text_escape(who, 0);

		web_fill(req, rt(CORE_RT_BY), v, NULL, NULL);
		free(v);
		free(who);
	}
	web_puts(req, "</p><p class=\"body\">");
	web_body(req, m->body);
	web_puts(req, "</p>");
	web_put_files(req, files, nf, m->id);
	snprintf(num, sizeof(num), "%lld", (long long)m->tracking);
	web_puts(req, "<p class=\"note\">");
	web_fill(req, rt(CORE_RT_MSG_TRACKING), num, NULL, NULL);
	web_printf_html(req, "<br><span dir=\"ltr\">%s</span></p></article>",
	    core_jalali_format(m->created, date));
}

/*
 * The request page for actor, whose user is viewer. readonly: opened by
 * a one-tap link (no forms; sign in to reply or attach). SD_ENOTFOUND
 * when actor may not see it.
 */
static enum sd_rc
render_request(struct web_req *req, const struct core_actor *actor,
    int64_t viewer, int64_t tracking, bool readonly)
{
	struct core_request_view v;
	const struct db_request *rq = &v.req;
	char date[16], time[16], num[24], url[64], *dn = NULL, *title;
	size_t i;
	int64_t due = 0;
	enum sd_rc rc;

	rc = core_request_view(req->db, actor, tracking, &v);
	if (rc != SD_OK)
		goto out;
	dn = dept_name(req->db, rq->dept);
	snprintf(num, sizeof(num), "%lld", (long long)rq->tracking);
	title = core_text_escape(rq->title, 0);
	web_page_begin(req, title);
	free(title);
	web_puts(req, "<section class=\"req\"><h1>");
	web_esc(req, rt(CORE_RT_SUBJECT));
	web_puts(req, " : ");
	web_line(req, rq->title);
	web_printf_html(req,
	    "</h1><ul><li>%s : %s</li><li>%s : %s</li><li>%s : %s</li>"
	    "<li>%s : %s</li></ul>",
	    rt(CORE_RT_DEPT), dn, rt(CORE_RT_TRACKING), num, rt(CORE_RT_STATUS),
	    core_status_label(rq->status), rt(CORE_RT_PRIO),
	    core_priority_label(rq->prio));
	jdate_parts(rq->created, date, time);
	web_puts(req, "<p>");
	web_fill(req, rt(CORE_RT_SENT_AT), date, time, NULL);
	web_puts(req, "</p>");
	if (rq->escalated)
		put_text(req, "p", "note", CORE_RT_ESC_DONE);
	web_puts(req, "</section>");
	for (i = 0; i < v.n_msgs; i++)
		put_message(req, &v.msgs[i], viewer, v.files, v.n_files);
	if (readonly) {
		snprintf(url, sizeof(url), "/?next=/requests/%lld",
		    (long long)rq->tracking);
		put_text(req, "p", "note", CORE_RT_LINK_SIGNIN);
		web_printf_html(req, "<p><a href=\"%s\">%s</a></p>", url,
		    rt(CORE_RT_SIGNIN));
	} else if (rq->status == CORE_STATUS_CLOSED) {
		put_text(req, "p", "note", CORE_RT_CLOSED);
	} else {
		put_text(req, "p", NULL, CORE_RT_NEED_REPLY);
		put_text(req, "p", "note", CORE_RT_NEED_REPLY2);
		web_printf_html(req,
		    "<p><a class=\"button\" href=\"/requests/%lld/reply\">%s</a>"
		    "</p>",
		    (long long)rq->tracking, rt(CORE_RT_REPLY_BTN));
		if (rq->applicant_id == viewer &&
		    core_request_may_escalate(req->env, rq, sd_clock_now(),
			&due) == CORE_ESCV_OK) {
			put_text(req, "p", "note", CORE_RT_ESC_NOTE);
			snprintf(url, sizeof(url), "/requests/%lld/escalate",
			    (long long)rq->tracking);
			web_form_begin(req, url, false);
			web_printf_html(req,
			    "<button type=\"submit\" class=\"alt\">%s</button>",
			    rt(CORE_RT_ESC_BTN));
			web_form_end(req);
		}
	}
	web_page_end(req);
out:
	free(dn);
	core_request_view_fini(&v);
	return rc;
}

static enum sd_rc
page_view(struct web_req *req)
{
	enum sd_rc rc = render_request(req, &req->actor, req->user_id,
	    req->param, false);

	return rc == SD_ENOTFOUND ? web_not_found(req) : rc;
}

/* ---- /requests/N/reply -------------------------------------------------- */

static enum sd_rc
reply_form(struct web_req *req, const struct db_request *r,
    const enum core_req_txt *errs, size_t nerr, bool files_again)
{
	const char *body = web_field(req, "body");
	char url[64];
	size_t i;

	up_release(req);
	web_page_begin(req, rt(CORE_RT_REPLY_BTN));
	web_puts(req, "<h1>");
	web_esc(req, rt(CORE_RT_REPLY_BTN));
	web_puts(req, "</h1><p>");
	web_esc(req, rt(CORE_RT_SUBJECT));
	web_puts(req, " : ");
	web_line(req, r->title);
	web_printf_html(req, " (%s: %lld)</p>", rt(CORE_RT_TRACKING),
	    (long long)r->tracking);
	for (i = 0; i < nerr; i++) {
		web_puts(req, "<p class=\"err\" role=\"alert\">");
		web_esc(req, rt(errs[i]));
		web_puts(req, "</p>");
	}
	if (up_notice(req) || files_again)
		put_text(req, "p", "note", CORE_RT_FILES_AGAIN);
	if (r->status == CORE_STATUS_CLOSED) {
		put_text(req, "p", "note", CORE_RT_CLOSED);
	} else {
		snprintf(url, sizeof(url), "/requests/%lld/reply",
		    (long long)r->tracking);
		web_form_begin(req, url, true);
		web_printf_html(req,
		    "<label for=\"body\">%s</label><textarea id=\"body\" "
		    "name=\"body\" rows=\"8\" required>%s</textarea>",
		    rt(CORE_RT_REPLY_LABEL), body != NULL ? body : "");
		put_file_input(req);
		web_printf_html(req, "<button type=\"submit\">%s</button>",
		    rt(CORE_RT_REPLY_BTN));
		web_form_end(req);
	}
	web_printf_html(req, "<p><a href=\"/requests/%lld\">%s</a></p>",
	    (long long)r->tracking, rt(CORE_RT_BACK));
	web_page_end(req);
	return SD_OK;
}

static enum sd_rc
page_reply_get(struct web_req *req)
{
	struct db_request r;
	enum sd_rc rc;

	rc = core_request_get(req->db, &req->actor, req->param, &r);
	if (rc == SD_ENOTFOUND)
		return web_not_found(req);
	if (rc != SD_OK)
		return rc;
	rc = reply_form(req, &r, NULL, 0, false);
	db_request_fini(&r);
	return rc;
}

static enum sd_rc
page_reply_post(struct web_req *req)
{
	const char *body = web_field(req, "body");
	struct core_upload *const *files;
	enum core_req_txt errs[2];
	struct db_request r;
	char err[SD_ERRLEN], url[48];
	size_t nerr = 0, nfiles;
	enum sd_rc rc;

	rc = core_request_get(req->db, &req->actor, req->param, &r);
	if (rc == SD_ENOTFOUND)
		return web_not_found(req);
	if (rc != SD_OK)
		return rc;
	if (!web_filled(body) || strlen(body) > SD_BODY_MAX)
		errs[nerr++] = CORE_RT_ERR_BODY;
	if (nerr > 0 || req->upload_rc != SD_OK ||
	    r.status == CORE_STATUS_CLOSED) {
		req->status = r.status == CORE_STATUS_CLOSED ? 409 : 400;
		rc = reply_form(req, &r, errs, nerr, req->upload_arg != NULL);
		goto out;
	}
	files = up_files(req, &nfiles);
	rc = core_request_reply_files(req->db, req->env, &req->actor,
	    r.tracking, body, CORE_CHAN_WEB, files, nfiles, NULL, err);
	if (rc == SD_ENOTFOUND) {
		rc = web_not_found(req);
		goto out;
	}
	if (rc == SD_EINVAL || rc == SD_ETOOBIG || rc == SD_ESTATE) {
		if (rc != SD_ESTATE)
			errs[nerr++] = CORE_RT_ERR_BODY;
		req->status = rc == SD_ESTATE ? 409 : 400;
		rc = reply_form(req, &r, errs, nerr, nfiles > 0);
		goto out;
	}
	if (rc != SD_OK) {
		log_warnx("web", "reply not stored rc=%s %s", sd_rc_str(rc),
		    err);
		errs[nerr++] = CORE_RT_ERR_STORE;
		req->status = 503;
		rc = reply_form(req, &r, errs, nerr, nfiles > 0);
		goto out;
	}
	snprintf(url, sizeof(url), "/requests/%lld", (long long)r.tracking);
	rc = web_redirect(req, url);
out:
	db_request_fini(&r);
	return rc;
}

/* ---- /requests/N/escalate ----------------------------------------------- */

static enum sd_rc
page_escalate(struct web_req *req)
{
	struct db_request r;
	enum core_esc_verdict v;
	char err[SD_ERRLEN], url[48], when[SD_JALALI_LEN] = "";
	int64_t due = 0;
	enum sd_rc rc;

	rc = core_request_get(req->db, &req->actor, req->param, &r);
	if (rc == SD_OK && r.applicant_id != req->user_id) {
		/* Staff escalate from the CLI; the button is the
		 * applicant's, as SMS ESCALATE is. */
		db_request_fini(&r);
		rc = SD_ENOTFOUND;
	}
	if (rc == SD_ENOTFOUND)
		return web_not_found(req);
	if (rc != SD_OK)
		return rc;
	snprintf(url, sizeof(url), "/requests/%lld", (long long)r.tracking);
	v = core_request_may_escalate(req->env, &r, sd_clock_now(), &due);
	if (v == CORE_ESCV_OK) {
		rc = core_request_escalate(req->db, req->env, &req->actor,
		    r.tracking, err);
		if (rc == SD_OK || rc == SD_ESTATE)
			rc = web_redirect(req, url);
		else
			log_warnx("web", "escalate failed rc=%s %s",
			    sd_rc_str(rc), err);
	} else if (v == CORE_ESCV_ALREADY) {
		rc = web_redirect(req, url);
	} else {
		char *text;

		if (v == CORE_ESCV_WAIT) {
			size_t k;

			core_jalali_format(due, when);
			/* "1399/02/07 - 09:09:11" without the seconds. */
			k = strlen(when);
			if (k > 3)
				when[k - 3] = '\0';
		}
		sd_buf_reset(&req->out);
		req->status = 409;
		web_page_begin(req, rt(CORE_RT_ESC_BTN));
		web_printf_html(req, "<h1>%s</h1><p class=\"err\">",
		    rt(CORE_RT_ESC_BTN));
		text = xstrdup(rt(
		    v == CORE_ESCV_WAIT ? CORE_RT_ESC_WAIT : CORE_RT_ESC_NO));
		web_fill(req, text, when, NULL, NULL);
		free(text);
		web_printf_html(req, "</p><p><a href=\"%s\">%s</a></p>", url,
		    rt(CORE_RT_BACK));
		web_page_end(req);
	}
	db_request_fini(&r);
	return rc;
}

/* ---- /files/ID ---------------------------------------------------------- */

/* Content-Disposition for name: attachment, an ASCII fallback and the
 * UTF-8 name percent-encoded (RFC 6266, RFC 8187). */
static char *
disposition(const char *name, const char *ext)
{
	static const char hex[] = "0123456789ABCDEF";
	struct sd_buf b;
	const unsigned char *p;
	char *out;
	bool ascii = true;

	enum sd_rc rc;

	sd_buf_init(&b, 4096);
	for (p = (const unsigned char *)name; *p != '\0'; p++)
		if (*p < 0x20 || *p >= 0x7f || *p == '"' || *p == '\\' ||
		    *p == ';' || *p == '%')
			ascii = false;
	if (ascii)
		rc = sd_buf_addf(&b, "attachment; filename=\"%s\"", name);
	else
		rc = sd_buf_addf(&b, "attachment; filename=\"file.%s\"", ext);
	if (rc == SD_OK)
		rc = sd_buf_adds(&b, "; filename*=UTF-8''");
	for (p = (const unsigned char *)name; *p != '\0' && rc == SD_OK; p++) {
		if ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
		    (*p >= '0' && *p <= '9') || strchr("-._~", *p) != NULL) {
			rc = sd_buf_add(&b, p, 1);
		} else {
			char e[3] = {'%', hex[*p >> 4], hex[*p & 15]};

			rc = sd_buf_add(&b, e, 3);
		}
	}
	out = xstrdup(sd_buf_str(&b));
	sd_buf_fini(&b);
	return out;
}

static enum sd_rc
page_file(struct web_req *req)
{
	struct db_attachment a;
	struct stat st;
	char *disp;
	int fd = -1;
	enum sd_rc rc;

	rc = core_file_open(req->db, &req->actor, req->cfg->attachments_dir,
	    req->param, &a, &fd);
	if (rc == SD_ENOTFOUND)
		return web_not_found(req);
	if (rc != SD_OK)
		return rc;
	if (fstat(fd, &st) < 0) {
		close(fd);
		db_attachment_fini(&a);
		return SD_EIO;
	}
	disp = disposition(a.name, a.type);
	rc = web_send_file(req, fd, (uint64_t)st.st_size,
	    core_ftype_mime(core_ftype_parse(a.type)), disp);
	free(disp);
	db_attachment_fini(&a);
	return rc;
}

/* ---- /r/TOKEN ----------------------------------------------------------- */

static enum sd_rc
page_link(struct web_req *req)
{
	struct db_user u;
	struct core_actor a;
	char phone[SD_MOBILE_LEN], url[64];
	int64_t t = 0;
	enum sd_rc rc;

	rc = core_link_check(req->db, req->param_s, sd_clock_now(), &t, phone);
	if (rc == SD_ESTATE) {
		req->status = 410;
		web_page_begin(req, rt(CORE_RT_SIGNIN));
		web_printf_html(req,
		    "<p class=\"err\">%s</p><p><a href=\"/\">%s</a></p>",
		    rt(CORE_RT_LINK_EXPIRED), rt(CORE_RT_SIGNIN));
		web_page_end(req);
		return SD_OK;
	}
	if (rc == SD_EINVAL)
		return web_not_found(req);
	if (rc != SD_OK)
		return rc;
	if (req->signed_in) {
		/* The page of the signed-in user, with its forms (its own
		 * access check decides). */
		snprintf(url, sizeof(url), "/requests/%lld", (long long)t);
		return web_redirect(req, url);
	}
	rc = db_user_by_mobile(req->db, phone, &u);
	if (rc == SD_ENOTFOUND)
		return web_not_found(req);
	if (rc != SD_OK)
		return rc;
	a = core_actor_of(u.role, u.id);
	rc = render_request(req, &a, u.id, t, true);
	db_user_fini(&u);
	if (rc == SD_ENOTFOUND || rc == SD_EINVAL)
		return web_not_found(req);
	return rc;
}

const struct web_route web_routes_req[] = {
    {"GET", "/requests", page_list, WEB_AUTH | WEB_READ, NULL},
    {"GET", "/requests/new", page_new_get, WEB_AUTH | WEB_READ, NULL},
    {"POST", "/requests/new", page_new_post, WEB_AUTH | WEB_CSRF | WEB_UPLOAD,
	&web_upload_attach},
    {"GET", "/requests/#", page_view, WEB_AUTH | WEB_READ, NULL},
    {"GET", "/requests/#/reply", page_reply_get, WEB_AUTH | WEB_READ, NULL},
    {"POST", "/requests/#/reply", page_reply_post,
	WEB_AUTH | WEB_CSRF | WEB_UPLOAD, &web_upload_attach},
    {"POST", "/requests/#/escalate", page_escalate, WEB_AUTH | WEB_CSRF, NULL},
    {"GET", "/files/#", page_file, WEB_AUTH | WEB_READ, NULL},
    {"GET", "/r/*", page_link, 0, NULL},
    {NULL, NULL, NULL, 0, NULL},
};

/* ---- Shared with the staff pages (issue #14) ---------------------------- */

const struct web_upload web_upload_attach = {
    up_begin,
    up_data,
    up_end,
    up_cleanup,
};

void
web_upload_release(struct web_req *req)
{
	up_release(req);
}

bool
web_upload_notice(struct web_req *req)
{
	return up_notice(req);
}

struct core_upload *const *
web_upload_files(struct web_req *req, size_t *n)
{
	return up_files(req, n);
}

void
web_upload_input(struct web_req *req)
{
	put_file_input(req);
}
