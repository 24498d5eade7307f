/*
 * web-min/page_staff.c: a request as staff see it and what they do with
 * it (issue #14): the thread, the applicant, the fate of every SMS about
 * it, answer, close, reopen, transfer, assign, internal notes, canned
 * answers. Routes are WEB_AUTH | WEB_STAFF; whatever is not the staff
 * member's is web_not_found().
 *
 *   GET  /staff/requests/N            the page, with a form per action
 *   POST /staff/requests/N/answer     multipart (files); with "insert" it
 *                                     shows the page again with the chosen
 *                                     canned answer in the text box
 *   POST /staff/requests/N/close, /reopen, /transfer, /assign, /note
 *   GET  /staff/canned                the user's departments' canned
 *   POST /staff/canned                answers, and a form to add one
 *   POST /staff/canned/ID/edit, /staff/canned/ID/delete
 *
 * Every action goes through core/staff.c (the access check, one
 * transaction, an audit row) and answers 303 to its page with a notice
 * named in the query (?m=CODE, looked up in a fixed table: nothing typed
 * is reflected). Internal notes are read only here.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/base/log.h"
#include "core/base/xmalloc.h"
#include "web-min/web_int.h"

/* Where a staff member goes when a request left their reach (transferred
 * to a department that is not theirs). */
#define STAFF_HOME "/staff/inbox"

static const char *
st(enum core_staff_txt id)
{
	return core_staff_txt(id);
}

/* A Jalali date and time, left to right. */
static void
put_time(struct web_req *req, int64_t utc)
{
	char date[SD_JALALI_LEN];

	web_printf_html(req, "<span dir=\"ltr\">%s</span>",
	    core_jalali_format(utc, date));
}

/* ---- Notices ------------------------------------------------------------ */

static const struct {
	const char *code;
	enum core_staff_txt text;
	bool ok;
} notices[] = {
    {"answered", CORE_ST_MSG_ANSWERED, true},
    {"closed", CORE_ST_MSG_CLOSED, true},
    {"reopened", CORE_ST_MSG_REOPENED, true},
    {"transferred", CORE_ST_MSG_TRANSFERRED, true},
    {"assigned", CORE_ST_MSG_ASSIGNED, true},
    {"noted", CORE_ST_MSG_NOTED, true},
    {"state", CORE_ST_MSG_STATE, false},
    {"bad-transfer", CORE_ST_MSG_BAD_TRANSFER, false},
    {"bad-assign", CORE_ST_MSG_BAD_ASSIGN, false},
    {"bad-note", CORE_ST_MSG_BAD_NOTE, false},
    {"store", CORE_ST_MSG_STORE, false},
    {"canned-added", CORE_ST_MSG_CANNED_ADDED, true},
    {"canned-saved", CORE_ST_MSG_CANNED_SAVED, true},
    {"canned-deleted", CORE_ST_MSG_CANNED_DELETED, true},
    {"canned-dup", CORE_ST_MSG_CANNED_DUP, false},
    {"canned-bad", CORE_ST_MSG_CANNED_BAD, false},
};

/* The notice named by ?m=, if it is one of ours. */
static void
put_notice(struct web_req *req)
{
	const char *m = web_field(req, "m");
	size_t i;

	if (m == NULL)
		return;
	for (i = 0; i < sizeof(notices) / sizeof(notices[0]); i++)
		if (strcmp(m, notices[i].code) == 0)
			web_notice(req, notices[i].ok ? "ok" : "err",
			    st(notices[i].text));
}

/* 303 to request tracking's page with notice code. */
static enum sd_rc
back(struct web_req *req, int64_t tracking, const char *code)
{
	char url[96];

	snprintf(url, sizeof(url), "/staff/requests/%lld?m=%s",
	    (long long)tracking, code);
	return web_redirect(req, url);
}

/* ---- /staff/requests/N ----------------------------------------------------
 */

static const char *
out_state_label(enum core_out_state s)
{
	switch (s) {
	case CORE_OUT_QUEUED: return st(CORE_ST_OUT_QUEUED);
	case CORE_OUT_SUBMITTED: return st(CORE_ST_OUT_SUBMITTED);
	case CORE_OUT_ACCEPTED: return st(CORE_ST_OUT_ACCEPTED);
	case CORE_OUT_DELIVERED: return st(CORE_ST_OUT_DELIVERED);
	case CORE_OUT_UNDELIVERABLE: return st(CORE_ST_OUT_UNDELIVERABLE);
	case CORE_OUT_EXPIRED: return st(CORE_ST_OUT_EXPIRED);
	case CORE_OUT_FAILED: return st(CORE_ST_OUT_FAILED);
	}
	return "?";
}

static const char *
out_kind_label(enum core_out_kind k)
{
	switch (k) {
	case CORE_OUT_ALERT: return st(CORE_ST_KIND_ALERT);
	case CORE_OUT_REPLY: return st(CORE_ST_KIND_REPLY);
	case CORE_OUT_USSD: return st(CORE_ST_KIND_USSD);
	case CORE_OUT_OTP: break;
	}
	return "?";
}

/* The Persian name of an audit action, NULL if none. */
static const char *
action_label(const char *a)
{
	static const struct {
		const char *action;
		enum core_staff_txt text;
	} tab[] = {
	    {"request.create", CORE_ST_ACT_CREATE},
	    {"request.answer", CORE_ST_ACT_ANSWER},
	    {"request.followup", CORE_ST_ACT_FOLLOWUP},
	    {"request.thanks", CORE_ST_ACT_THANKS},
	    {"request.close", CORE_ST_ACT_CLOSE},
	    {"request.reopen", CORE_ST_ACT_REOPEN},
	    {"request.escalate", CORE_ST_ACT_ESCALATE},
	    {"request.transfer", CORE_ST_ACT_TRANSFER},
	    {"request.assign", CORE_ST_ACT_ASSIGN},
	    {"request.note", CORE_ST_ACT_NOTE},
	};
	size_t i;

	for (i = 0; i < sizeof(tab) / sizeof(tab[0]); i++)
		if (strcmp(a, tab[i].action) == 0)
			return st(tab[i].text);
	return NULL;
}

/* What a history row adds: a transfer's departments and reason, an
 * assignment's staff member. */
static void
put_detail(struct web_req *req, const struct db_audit_row *h,
    const struct db_dept *d, size_t nd)
{
	int from = 0, to = 0;
	long long who = 0;
	const char *why;

	if (strcmp(h->action, "request.transfer") == 0 &&
	    sscanf(h->detail, "from=%d to=%d", &from, &to) == 2) {
		web_fill(req, st(CORE_ST_FROM_TO), core_dept_name(d, nd, from),
		    core_dept_name(d, nd, to), NULL);
		why = strstr(h->detail, " reason=");
		if (why != NULL) {
			web_printf_html(req, "، %s: ", st(CORE_ST_REASON));
			web_line(req, why + strlen(" reason="));
		}
	} else if (strcmp(h->action, "request.assign") == 0 &&
	    sscanf(h->detail, "to=%lld", &who) == 1) {
		struct db_staff_ref s;

		if (who == 0) {
			web_printf_html(req, ": %s", st(CORE_ST_NOBODY));
		} else if (db_staff_ref_get(req->db, who, &s) == SD_OK) {
			web_puts(req, ": ");
			web_line(req, s.name);
			free(s.name);
			free(s.title);
		}
	}
}

static void
put_message(struct web_req *req, const struct core_staff_view *v,
    const struct db_message *m)
{
	web_puts(req, "<article class=\"msg\"><p class=\"by\">");
	web_esc(req, core_role_label(m->author_role));
	web_puts(req, ": ");
	web_line(req, m->author_name);
	if (m->author_title != NULL && m->author_title[0] != '\0') {
		web_puts(req, " (");
		web_line(req, m->author_title);
		web_puts(req, ")");
	}
	web_puts(req, "</p><p class=\"body\">");
	web_body(req, m->body);
	web_puts(req, "</p>");
	web_put_files(req, v->files, v->n_files, m->id);
	web_puts(req, "<p class=\"note\">");
	put_time(req, m->created);
	web_puts(req, "</p></article>");
}

/* The answer form, with text in the box. */
static void
put_answer_form(struct web_req *req, const struct core_staff_view *v,
    const char *text, const char *url)
{
	size_t i;

	web_printf_html(req, "<section><h2>%s</h2>", st(CORE_ST_ANSWER));
	web_form_begin(req, url, true);
	web_printf_html(req,
	    "<label for=\"canned\">%s</label><select id=\"canned\" "
	    "name=\"canned\">",
	    st(CORE_ST_CANNED_PICK));
	if (v->n_canned == 0)
		web_printf_html(req, "<option value=\"\">%s</option>",
		    st(CORE_ST_CANNED_NONE));
	for (i = 0; i < v->n_canned; i++) {
		web_printf_html(req, "<option value=\"%lld\">",
		    (long long)v->canned[i].id);
		web_line(req, v->canned[i].title);
		web_puts(req, "</option>");
	}
	web_printf_html(req,
	    "</select> <button type=\"submit\" name=\"insert\" value=\"1\" "
	    "class=\"alt\" formnovalidate>%s</button>"
	    "<label for=\"body\">%s</label><textarea id=\"body\" name=\"body\" "
	    "rows=\"8\" required>",
	    st(CORE_ST_CANNED_INSERT), st(CORE_ST_ANSWER_LABEL));
	if (text != NULL)
		web_esc(req, text);
	web_puts(req, "</textarea>");
	web_upload_input(req);
	web_printf_html(req, "<button type=\"submit\">%s</button>",
	    st(CORE_ST_ANSWER_BTN));
	web_form_end(req);
	web_printf_html(req,
	    "<p class=\"note\"><a href=\"/staff/canned\">%s</a></p></section>",
	    st(CORE_ST_CANNED_MANAGE));
}

static void
put_actions(struct web_req *req, const struct core_staff_view *v,
    const struct db_dept *d, size_t nd, const char *base)
{
	const struct db_request *r = &v->req;
	char url[96];
	size_t i;

	/* Close or reopen. */
	snprintf(url, sizeof(url), "%s/%s", base,
	    r->status == CORE_STATUS_CLOSED ? "reopen" : "close");
	web_form_begin(req, url, false);
	web_printf_html(req,
	    "<button type=\"submit\" class=\"alt\">%s</button>",
	    st(r->status == CORE_STATUS_CLOSED ? CORE_ST_REOPEN_BTN :
						 CORE_ST_CLOSE_BTN));
	web_form_end(req);
	/* Transfer. */
	if (r->status != CORE_STATUS_CLOSED) {
		snprintf(url, sizeof(url), "%s/transfer", base);
		web_printf_html(req, "<section><h2>%s</h2>",
		    st(CORE_ST_TRANSFER));
		web_form_begin(req, url, false);
		web_printf_html(req,
		    "<label for=\"dept\">%s</label><select id=\"dept\" "
		    "name=\"dept\" required><option value=\"\">%s</option>",
		    st(CORE_ST_TRANSFER_TO), core_req_txt(CORE_RT_CHOOSE));
		for (i = 0; i < nd; i++)
			if (d[i].code != r->dept)
				web_printf_html(req,
				    "<option value=\"%d\">%s</option>",
				    d[i].code, d[i].name);
		web_printf_html(req,
		    "</select><label for=\"reason\">%s</label><input "
		    "id=\"reason\" name=\"reason\" maxlength=\"%d\" required>"
		    "<button type=\"submit\">%s</button>",
		    st(CORE_ST_REASON), CORE_STAFF_REASON_MAX,
		    st(CORE_ST_TRANSFER_BTN));
		web_form_end(req);
		web_puts(req, "</section>");
	}
	/* Assign. */
	snprintf(url, sizeof(url), "%s/assign", base);
	web_printf_html(req, "<section><h2>%s</h2>", st(CORE_ST_ASSIGN));
	web_form_begin(req, url, false);
	web_printf_html(req,
	    "<label for=\"user\">%s</label><select id=\"user\" name=\"user\">"
	    "<option value=\"0\">%s</option>",
	    st(CORE_ST_ASSIGNED), st(CORE_ST_ASSIGN_NONE));
	for (i = 0; i < v->n_staff; i++) {
		web_printf_html(req, "<option value=\"%lld\"%s>",
		    (long long)v->staff[i].id,
		    v->staff[i].id == v->assigned_to ? " selected" : "");
		web_line(req, v->staff[i].name);
		if (v->staff[i].title[0] != '\0') {
			web_puts(req, " (");
			web_line(req, v->staff[i].title);
			web_puts(req, ")");
		}
		web_puts(req, "</option>");
	}
	web_printf_html(req, "</select><button type=\"submit\">%s</button>",
	    st(CORE_ST_ASSIGN_BTN));
	web_form_end(req);
	web_puts(req, "</section>");
}

static void
put_notes(struct web_req *req, const struct core_staff_view *v,
    const char *base)
{
	char url[96];
	size_t i;

	web_printf_html(req,
	    "<section class=\"notes\"><h2>%s</h2><p class=\"note\">%s</p>",
	    st(CORE_ST_NOTES), st(CORE_ST_NOTES_HINT));
	if (v->n_notes == 0)
		web_printf_html(req, "<p>%s</p>", st(CORE_ST_NOTES_EMPTY));
	for (i = 0; i < v->n_notes; i++) {
		web_puts(req,
		    "<article class=\"msg internal\"><p class=\"by\">");
		web_line(req, v->notes[i].author_name);
		web_puts(req, "</p><p class=\"body\">");
		web_body(req, v->notes[i].body);
		web_puts(req, "</p><p class=\"note\">");
		put_time(req, v->notes[i].created);
		web_puts(req, "</p></article>");
	}
	snprintf(url, sizeof(url), "%s/note", base);
	web_form_begin(req, url, false);
	web_printf_html(req,
	    "<label for=\"note\">%s</label><textarea id=\"note\" name=\"body\" "
	    "rows=\"3\" required></textarea><button type=\"submit\">%s</button>",
	    st(CORE_ST_NOTE_LABEL), st(CORE_ST_NOTE_BTN));
	web_form_end(req);
	web_puts(req, "</section>");
}

static void
put_history(struct web_req *req, const struct core_staff_view *v,
    const struct db_dept *d, size_t nd)
{
	size_t i;

	web_printf_html(req,
	    "<section><h2>%s</h2><table class=\"list\"><thead><tr><th>%s</th>"
	    "<th>%s</th><th>%s</th></tr></thead><tbody>",
	    st(CORE_ST_HISTORY), st(CORE_ST_WHEN), st(CORE_ST_WHO),
	    st(CORE_ST_WHAT));
	for (i = 0; i < v->n_history; i++) {
		const struct db_audit_row *h = &v->history[i];
		const char *label = action_label(h->action);

		web_printf_html(req, "<tr><td data-label=\"%s\">",
		    st(CORE_ST_WHEN));
		put_time(req, h->at);
		web_printf_html(req, "</td><td data-label=\"%s\">",
		    st(CORE_ST_WHO));
		if (h->actor_id == 0 || h->actor_name[0] == '\0')
			web_esc(req, st(CORE_ST_SYSTEM));
		else
			web_line(req, h->actor_name);
		web_printf_html(req, "</td><td data-label=\"%s\">",
		    st(CORE_ST_WHAT));
		if (label != NULL)
			web_esc(req, label);
		else
			web_line(req, h->action);
		put_detail(req, h, d, nd);
		web_puts(req, "</td></tr>");
	}
	web_puts(req, "</tbody></table></section>");
}

static void
put_sms(struct web_req *req, const struct core_staff_view *v)
{
	char local[SD_MOBILE_LEN];
	size_t i;

	web_printf_html(req, "<section class=\"sms\"><h2>%s</h2>",
	    st(CORE_ST_SMS));
	if (v->n_sms == 0) {
		web_printf_html(req, "<p>%s</p></section>",
		    st(CORE_ST_SMS_EMPTY));
		return;
	}
	web_printf_html(req,
	    "<table class=\"list\"><thead><tr><th>%s</th><th>%s</th>"
	    "<th>%s</th><th>%s</th><th>%s</th></tr></thead><tbody>",
	    st(CORE_ST_SMS_KIND), st(CORE_ST_SMS_TO), st(CORE_ST_STATUS),
	    st(CORE_ST_SMS_CREATED), st(CORE_ST_SMS_UPDATED));
	for (i = 0; i < v->n_sms; i++) {
		const struct db_sms_row *s = &v->sms[i];

		if (s->kind == CORE_OUT_OTP) /* never: db leaves them out */
			continue;
		core_mobile_local(s->destination, local);
		web_printf_html(req,
		    "<tr><td data-label=\"%s\">%s</td><td data-label=\"%s\">"
		    "<span dir=\"ltr\">%s</span>",
		    st(CORE_ST_SMS_KIND), out_kind_label(s->kind),
		    st(CORE_ST_SMS_TO), local);
		if (v->have_applicant &&
		    strcmp(s->destination, v->applicant.mobile) == 0)
			web_printf_html(req, " (%s)", st(CORE_ST_APPLICANT));
		web_printf_html(req,
		    "</td><td data-label=\"%s\" class=\"out-%s\">%s</td>"
		    "<td data-label=\"%s\">",
		    st(CORE_ST_STATUS), core_out_state_name(s->state),
		    out_state_label(s->state), st(CORE_ST_SMS_CREATED));
		put_time(req, s->created);
		web_printf_html(req, "</td><td data-label=\"%s\">",
		    st(CORE_ST_SMS_UPDATED));
		put_time(req, s->updated);
		web_puts(req, "</td></tr>");
	}
	web_puts(req, "</tbody></table></section>");
}

/*
 * The staff page of request tracking. answer: the text for the answer
 * box (NULL: empty); err: a notice of ours (or -1); files_again: the
 * form came back and its files were not kept.
 */
static enum sd_rc
render(struct web_req *req, int64_t tracking, const char *answer, int err,
    bool files_again)
{
	struct core_staff_view v;
	const struct db_request *r = &v.req;
	struct db_dept *d = NULL;
	char base[64], url[96], local[SD_MOBILE_LEN], *title;
	size_t nd = 0, i;
	enum sd_rc rc;

	web_upload_release(req);
	rc = core_staff_view(req->db, req->env, &req->actor, tracking, &v);
	if (rc == SD_ENOTFOUND || rc == SD_EINVAL)
		return web_not_found(req);
	if (rc != SD_OK)
		return rc;
	rc = db_dept_list(req->db, &d, &nd);
	if (rc != SD_OK)
		goto out;
	snprintf(base, sizeof(base), "/staff/requests/%lld",
	    (long long)r->tracking);
	title = core_text_escape(r->title, 0);
	web_page_begin(req, title);
	free(title);
	web_printf_html(req,
	    "<section class=\"req\"><h1>%s : ", core_req_txt(CORE_RT_SUBJECT));
	web_line(req, r->title);
	web_puts(req, "</h1>");
	put_notice(req);
	if (err >= 0)
		web_notice(req, "err", st((enum core_staff_txt)err));
	if (web_upload_notice(req) || files_again)
		web_printf_html(req, "<p class=\"note\">%s</p>",
		    core_req_txt(CORE_RT_FILES_AGAIN));
	web_printf_html(req,
	    "<ul><li>%s : %lld</li><li>%s : %s</li><li>%s : <span "
	    "class=\"status\">%s</span></li><li>%s : %s</li><li>%s : ",
	    st(CORE_ST_TRACKING), (long long)r->tracking, st(CORE_ST_DEPT),
	    core_dept_name(d, nd, r->dept), st(CORE_ST_STATUS),
	    core_status_label(r->status), st(CORE_ST_PRIO),
	    core_priority_label(r->prio), st(CORE_ST_DUE));
	if (v.due > 0)
		put_time(req, v.due);
	else
		web_esc(req, st(CORE_ST_NO_DUE));
	web_printf_html(req, "</li><li>%s : <span class=\"assigned\">",
	    st(CORE_ST_ASSIGNED));
	if (v.assigned_to > 0 && v.assignee.name != NULL)
		web_line(req, v.assignee.name);
	else
		web_esc(req, st(CORE_ST_NOBODY));
	web_puts(req, "</span></li></ul>");
	if (r->escalated)
		web_printf_html(req, "<p class=\"note escalated\">%s</p>",
		    core_escalated_label());
	web_puts(req, "</section>");
	/* The applicant. */
	web_printf_html(req, "<section class=\"applicant\"><h2>%s</h2><ul>",
	    st(CORE_ST_APPLICANT));
	if (v.have_applicant) {
		core_mobile_local(v.applicant.mobile, local);
		web_printf_html(req, "<li>%s : ", st(CORE_ST_NAME));
		web_line(req, v.applicant.first);
		web_puts(req, " ");
		web_line(req, v.applicant.last);
		web_printf_html(req,
		    "</li><li>%s : <span dir=\"ltr\">%s</span></li><li>%s : ",
		    st(CORE_ST_MOBILE), local, st(CORE_ST_USER_TYPE));
		if (v.applicant.user_type[0] != '\0')
			web_line(req, v.applicant.user_type);
		else
			web_esc(req, st(CORE_ST_NOT_GIVEN));
		web_puts(req, "</li>");
	}
	web_puts(req, "</ul></section>");
	/* The thread. */
	web_printf_html(req, "<section class=\"thread\"><h2>%s</h2>",
	    st(CORE_ST_THREAD));
	for (i = 0; i < v.n_msgs; i++)
		put_message(req, &v, &v.msgs[i]);
	web_puts(req, "</section>");
	/* The actions. */
	if (r->status == CORE_STATUS_CLOSED) {
		web_printf_html(req, "<p class=\"note\">%s</p>",
		    st(CORE_ST_CLOSED));
	} else {
		snprintf(url, sizeof(url), "%s/answer", base);
		put_answer_form(req, &v, answer, url);
	}
	put_actions(req, &v, d, nd, base);
	put_notes(req, &v, base);
	put_history(req, &v, d, nd);
	put_sms(req, &v);
	web_page_end(req);
out:
	db_dept_list_free(d, nd);
	core_staff_view_fini(&v);
	return rc;
}

static enum sd_rc
page_view(struct web_req *req)
{
	return render(req, req->param, NULL, -1, false);
}

static enum sd_rc
page_answer(struct web_req *req)
{
	const char *body = web_field(req, "body");
	struct core_upload *const *files;
	char err[SD_ERRLEN];
	size_t nfiles;
	enum sd_rc rc;

	if (web_field(req, "insert") != NULL) {
		/* «درج پاسخ آماده»: the page again, the text in the box. */
		struct db_canned c;
		long id = web_field_long(req, "canned", 1, 1L << 30, -1);
		bool got = id > 0 &&
		    core_canned_for_request(req->db, &req->actor, req->param,
			id, &c) == SD_OK;

		rc = render(req, req->param, got ? c.body : body, -1,
		    req->upload_arg != NULL);
		if (got)
			db_canned_fini(&c);
		return rc;
	}
	if (!web_filled(body) || req->upload_rc != SD_OK) {
		req->status = 400;
		return render(req, req->param, body,
		    web_filled(body) ? -1 : (int)CORE_ST_MSG_BAD_ANSWER,
		    req->upload_arg != NULL);
	}
	files = web_upload_files(req, &nfiles);
	rc = core_staff_answer(req->db, req->env, &req->actor, req->param, body,
	    files, nfiles, NULL, err);
	if (rc == SD_ENOTFOUND || rc == SD_EINVAL) {
		if (rc == SD_EINVAL && strncmp(err, "text", 4) == 0) {
			req->status = 400;
			return render(req, req->param, body,
			    CORE_ST_MSG_BAD_ANSWER, nfiles > 0);
		}
		return web_not_found(req);
	}
	if (rc == SD_ETOOBIG) {
		req->status = 400;
		return render(req, req->param, body, CORE_ST_MSG_BAD_ANSWER,
		    nfiles > 0);
	}
	if (rc == SD_ESTATE)
		return back(req, req->param, "state");
	if (rc != SD_OK) {
		log_warnx("web", "staff answer not stored rc=%s %s",
		    sd_rc_str(rc), err);
		req->status = 503;
		return render(req, req->param, body, CORE_ST_MSG_STORE,
		    nfiles > 0);
	}
	return back(req, req->param, "answered");
}

/* The answer to a simple action's rc. */
static enum sd_rc
action_done(struct web_req *req, enum sd_rc rc, const char *err, const char *ok,
    const char *bad)
{
	if (rc == SD_OK)
		return back(req, req->param, ok);
	if (rc == SD_ENOTFOUND)
		return web_not_found(req);
	if (rc == SD_ESTATE)
		return back(req, req->param, "state");
	if ((rc == SD_EINVAL || rc == SD_ETOOBIG) && bad != NULL)
		return back(req, req->param, bad);
	if (rc == SD_EINVAL)
		return web_not_found(req);
	log_warnx("web", "staff action failed rc=%s %s", sd_rc_str(rc), err);
	return back(req, req->param, "store");
}

static enum sd_rc
page_close(struct web_req *req)
{
	char err[SD_ERRLEN] = "";
	enum sd_rc rc = core_staff_close(req->db, req->env, &req->actor,
	    req->param, err);

	return action_done(req, rc, err, "closed", NULL);
}

static enum sd_rc
page_reopen(struct web_req *req)
{
	char err[SD_ERRLEN] = "";
	enum sd_rc rc = core_staff_reopen(req->db, req->env, &req->actor,
	    req->param, err);

	return action_done(req, rc, err, "reopened", NULL);
}

static enum sd_rc
page_transfer(struct web_req *req)
{
	struct db_request r;
	char err[SD_ERRLEN] = "";
	long dept = web_field_long(req, "dept", 1, 99, -1);
	enum sd_rc rc;

	/* core checks access before the form: not theirs is not found,
	 * whatever the form says; no department (0) is a bad form. */
	rc = core_staff_transfer(req->db, req->env, &req->actor, req->param,
	    dept < 0 ? 0 : (int)dept, web_field(req, "reason"), err);
	if (rc == SD_OK &&
	    core_staff_request(req->db, &req->actor, req->param, &r) != SD_OK)
		return web_redirect(req, STAFF_HOME "?m=transferred");
	if (rc == SD_OK)
		db_request_fini(&r);
	return action_done(req, rc, err, "transferred", "bad-transfer");
}

static enum sd_rc
page_assign(struct web_req *req)
{
	char err[SD_ERRLEN] = "";
	long user = web_field_long(req, "user", 0, 1L << 30, -1);
	enum sd_rc rc;

	/* (A bad field is -1: refused by core after its access check.) */
	rc = core_staff_assign(req->db, &req->actor, req->param, user, err);
	return action_done(req, rc, err, "assigned", "bad-assign");
}

static enum sd_rc
page_note(struct web_req *req)
{
	char err[SD_ERRLEN] = "";
	enum sd_rc rc;

	rc = core_staff_note(req->db, &req->actor, req->param,
	    web_field(req, "body"), NULL, err);
	return action_done(req, rc, err, "noted", "bad-note");
}

/* ---- /staff/canned ------------------------------------------------------ */

static enum sd_rc
page_canned(struct web_req *req)
{
	struct db_canned *rows = NULL;
	struct db_dept *d = NULL;
	int codes[CORE_STAFF_DEPTS_MAX];
	char url[64];
	size_t n = 0, nd = 0, nc = 0, i;
	enum sd_rc rc;

	rc = core_staff_depts(req->db, &req->actor, codes, CORE_STAFF_DEPTS_MAX,
	    &nc);
	if (rc == SD_OK)
		rc = core_canned_list(req->db, &req->actor, 0, &rows, &n);
	if (rc == SD_OK)
		rc = db_dept_list(req->db, &d, &nd);
	if (rc == SD_ENOTFOUND || rc == SD_EINVAL) {
		rc = web_not_found(req);
		goto out;
	}
	if (rc != SD_OK)
		goto out;
	web_page_begin(req, st(CORE_ST_CANNED_TITLE));
	web_printf_html(req, "<h1>%s</h1>", st(CORE_ST_CANNED_TITLE));
	put_notice(req);
	if (n == 0)
		web_printf_html(req, "<p>%s</p>", st(CORE_ST_CANNED_EMPTY));
	for (i = 0; i < n; i++) {
		web_printf_html(req, "<section class=\"canned\"><h2>%s</h2>",
		    core_dept_name(d, nd, rows[i].dept));
		snprintf(url, sizeof(url), "/staff/canned/%lld/edit",
		    (long long)rows[i].id);
		web_form_begin(req, url, false);
		web_printf_html(req,
		    "<label for=\"t%lld\">%s</label><input id=\"t%lld\" "
		    "name=\"title\" maxlength=\"%d\" required value=\"",
		    (long long)rows[i].id, st(CORE_ST_CANNED_NAME),
		    (long long)rows[i].id, CORE_CANNED_TITLE_MAX);
		web_esc(req, rows[i].title);
		web_printf_html(req,
		    "\"><label for=\"b%lld\">%s</label><textarea id=\"b%lld\" "
		    "name=\"body\" rows=\"4\" required>",
		    (long long)rows[i].id, st(CORE_ST_CANNED_TEXT),
		    (long long)rows[i].id);
		web_esc(req, rows[i].body);
		web_printf_html(req,
		    "</textarea><button type=\"submit\">%s</button>",
		    st(CORE_ST_CANNED_SAVE));
		web_form_end(req);
		snprintf(url, sizeof(url), "/staff/canned/%lld/delete",
		    (long long)rows[i].id);
		web_form_begin(req, url, false);
		web_printf_html(req,
		    "<button type=\"submit\" class=\"alt\">%s</button>",
		    st(CORE_ST_CANNED_DELETE));
		web_form_end(req);
		web_puts(req, "</section>");
	}
	web_printf_html(req, "<section><h2>%s</h2>", st(CORE_ST_CANNED_ADD));
	web_form_begin(req, "/staff/canned", false);
	web_printf_html(req,
	    "<label for=\"dept\">%s</label><select id=\"dept\" name=\"dept\" "
	    "required>",
	    st(CORE_ST_DEPT));
	for (i = 0; i < nc; i++)
		web_printf_html(req, "<option value=\"%d\">%s</option>",
		    codes[i], core_dept_name(d, nd, codes[i]));
	web_printf_html(req,
	    "</select><label for=\"title\">%s</label><input id=\"title\" "
	    "name=\"title\" maxlength=\"%d\" required><label for=\"body\">%s"
	    "</label><textarea id=\"body\" name=\"body\" rows=\"4\" required>"
	    "</textarea><button type=\"submit\">%s</button>",
	    st(CORE_ST_CANNED_NAME), CORE_CANNED_TITLE_MAX,
	    st(CORE_ST_CANNED_TEXT), st(CORE_ST_CANNED_ADD));
	web_form_end(req);
	web_puts(req, "</section>");
	web_page_end(req);
out:
	db_canned_list_free(rows, n);
	db_dept_list_free(d, nd);
	return rc;
}

/* 303 to the canned page with a notice. */
static enum sd_rc
canned_back(struct web_req *req, enum sd_rc rc, const char *err, const char *ok)
{
	char url[64];

	if (rc == SD_ENOTFOUND)
		return web_not_found(req);
	if (rc != SD_OK && rc != SD_EEXIST && rc != SD_EINVAL &&
	    rc != SD_ETOOBIG)
		log_warnx("web", "canned answer not stored rc=%s %s",
		    sd_rc_str(rc), err);
	snprintf(url, sizeof(url), "/staff/canned?m=%s",
	    rc == SD_OK                             ? ok :
		rc == SD_EEXIST                     ? "canned-dup" :
		rc == SD_EINVAL || rc == SD_ETOOBIG ? "canned-bad" :
						      "store");
	return web_redirect(req, url);
}

static enum sd_rc
page_canned_add(struct web_req *req)
{
	char err[SD_ERRLEN] = "";
	long dept = web_field_long(req, "dept", 1, 99, -1);
	enum sd_rc rc;

	if (dept < 0)
		return canned_back(req, SD_EINVAL, err, NULL);
	rc = core_canned_add(req->db, &req->actor, (int)dept,
	    web_field(req, "title"), web_field(req, "body"), NULL, err);
	return canned_back(req, rc, err, "canned-added");
}

static enum sd_rc
page_canned_edit(struct web_req *req)
{
	char err[SD_ERRLEN] = "";
	enum sd_rc rc = core_canned_edit(req->db, &req->actor, req->param,
	    web_field(req, "title"), web_field(req, "body"), err);

	return canned_back(req, rc, err, "canned-saved");
}

static enum sd_rc
page_canned_delete(struct web_req *req)
{
	char err[SD_ERRLEN] = "";
	enum sd_rc rc = core_canned_delete(req->db, &req->actor, req->param,
	    err);

	return canned_back(req, rc, err, "canned-deleted");
}

#define STAFF_GET (WEB_AUTH | WEB_STAFF | WEB_READ)
#define STAFF_POST (WEB_AUTH | WEB_STAFF | WEB_CSRF)

const struct web_route web_routes_staff[] = {
    {"GET", "/staff/requests/#", page_view, STAFF_GET, NULL},
    {"POST", "/staff/requests/#/answer", page_answer, STAFF_POST | WEB_UPLOAD,
	&web_upload_attach},
    {"POST", "/staff/requests/#/close", page_close, STAFF_POST, NULL},
    {"POST", "/staff/requests/#/reopen", page_reopen, STAFF_POST, NULL},
    {"POST", "/staff/requests/#/transfer", page_transfer, STAFF_POST, NULL},
    {"POST", "/staff/requests/#/assign", page_assign, STAFF_POST, NULL},
    {"POST", "/staff/requests/#/note", page_note, STAFF_POST, NULL},
    {"GET", "/staff/canned", page_canned, STAFF_GET, NULL},
    {"POST", "/staff/canned", page_canned_add, STAFF_POST, NULL},
    {"POST", "/staff/canned/#/edit", page_canned_edit, STAFF_POST, NULL},
    {"POST", "/staff/canned/#/delete", page_canned_delete, STAFF_POST, NULL},
    {NULL, NULL, NULL, 0, NULL},
};
