/*
 * core/render.c: a request and its thread as plain text, for a terminal
 * (smsdesk request show) and, later, the web view's text form.
 *
 * It reads through core_request_get(), so the access check is the one of
 * core/request.c; the words and labels come from core/texts.c, which
 * stays a leaf table (texts.c -> request.c -> alert.c -> texts.c was a
 * circle while the renderer lived there).
 */
#include "core/core.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/base/buf.h"

/* The longest rendered thread: a thread's messages are each at most
 * SD_BODY_MAX, escaped; a thread past this is refused, not cut. */
#define RENDER_MAX (64u * 1024 * 1024)

enum sd_rc
core_request_render(struct db *db, const struct core_actor *actor,
    int64_t tracking, char **out)
{
	struct db_request r;
	struct db_message *m = NULL;
	struct db_dept d;
	char date[SD_JALALI_LEN], *title;
	struct sd_buf buf;
	size_t n = 0, i;
	enum sd_rc rc;

	*out = NULL;
	rc = core_request_get(db, actor, tracking, &r);
	if (rc != SD_OK)
		return rc;
	rc = db_dept_get(db, r.dept, &d);
	if (rc != SD_OK)
		goto fail_req;
	rc = db_message_list(db, tracking, &m, &n);
	if (rc != SD_OK)
		goto fail_dept;
	sd_buf_init(&buf, RENDER_MAX);
	core_jalali_format(r.created, date);
	title = core_text_escape(r.title, 0);
	rc = sd_buf_addf(&buf,
	    "موضوع : %s\nنوع درخواست : %s\nشماره رهگیری : %lld\n"
	    "وضعیت : %s\nاولویت : %s\n",
	    title, d.name, (long long)r.tracking, core_status_label(r.status),
	    core_priority_label(r.prio));
	free(title);
	if (rc == SD_OK && r.escalated)
		rc = sd_buf_adds(&buf, "ارجاع به رئیس : بله\n");
	/* "1399/02/07 - 09:09:11" -> date and time apart, as the seed says
	 * «ارسال شده در تاریخ 1399/02/07 ساعت 09:09:11». */
	if (rc == SD_OK && strlen(date) == 21)
		rc = sd_buf_addf(&buf, "ارسال شده در تاریخ %.10s ساعت %s\n",
		    date, date + 13);
	for (i = 0; i < n && rc == SD_OK; i++) {
		char *name = core_text_escape(m[i].author_name, 0);
		char *title_of = core_text_escape(m[i].author_title, 0);
		const char *p, *nl;
		char *body;

		core_jalali_format(m[i].created, date);
		/* Who wrote it is said by the stored role, never by what a
		 * name or a body holds: «پاسخ کارشناس:» only for staff. */
		if (m[i].author_role == CORE_ROLE_APPLICANT)
			rc = sd_buf_addf(&buf, "\n%s: %s\n",
			    core_role_label(CORE_ROLE_APPLICANT),
			    actor->kind != CORE_ACTOR_SYSTEM &&
				    actor->kind != CORE_ACTOR_CLI &&
				    m[i].author_id == actor->id ?
				"شما" :
				name);
		else if (title_of[0] != '\0')
			rc = sd_buf_addf(&buf, "\nپاسخ %s: %s (%s)\n",
			    core_role_label(m[i].author_role), name, title_of);
		else
			rc = sd_buf_addf(&buf, "\nپاسخ %s: %s\n",
			    core_role_label(m[i].author_role), name);
		free(name);
		free(title_of);
		/* Every line of the body is set off, so none of it can pass
		 * for a line of ours (an author line, a date). */
		body = core_text_escape(m[i].body, CORE_ESC_LINES);
		for (p = body; rc == SD_OK && *p != '\0';
		     p = *nl != '\0' ? nl + 1 : nl) {
			nl = strchr(p, '\n');
			if (nl == NULL)
				nl = p + strlen(p);
			rc = sd_buf_addf(&buf, "| %.*s\n", (int)(nl - p), p);
		}
		free(body);
		if (rc == SD_OK)
			rc = sd_buf_addf(&buf, "%s\n", date);
	}
	if (rc == SD_OK)
		*out = sd_buf_take(&buf);
	sd_buf_fini(&buf);
	db_message_list_free(m, n);
fail_dept:
	db_dept_fini(&d);
fail_req:
	db_request_fini(&r);
	return rc;
}
