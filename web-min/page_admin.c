/*
 * web-min/page_admin.c: the head's and admin's overview and the admin's
 * staff pages (issue #14). Routes are WEB_AUTH | WEB_STAFF, and each
 * handler checks the role it needs (web_not_found() otherwise, the same
 * bytes as a missing page).
 *
 *   GET  /staff/admin/staff       staff, head and admins: name, mobile,
 *                                 role, title, departments, state; the
 *                                 add form (admin)
 *   POST /staff/admin/staff       add (core_user_add, as `staff add`)
 *   GET  /staff/admin/staff/N     edit form, disable / enable (admin)
 *   POST /staff/admin/staff/N     op=save (core_staff_edit), op=disable,
 *                                 op=enable (core_staff_set_disabled)
 *   GET  /staff/overview          the overview (head, admin)
 *   GET  /staff/overview.csv      every request as CSV (head, admin)
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/base/clock.h"
#include "core/base/log.h"
#include "web-min/web_int.h"

static const char *
sa(enum core_sa_txt id)
{
	return core_sa_txt(id);
}

static bool
adm_is_admin(struct web_req *req)
{
	return req->actor.kind == CORE_ACTOR_ADMIN &&
	    core_staff_may_admin(req->db, &req->actor);
}

/* ---- Staff list and add ------------------------------------------------ */

/* The role select with cur selected. */
static void
adm_role_select(struct web_req *req, enum core_role cur)
{
	static const enum core_role roles[] = {CORE_ROLE_STAFF, CORE_ROLE_HEAD,
	    CORE_ROLE_ADMIN};
	size_t i;

	web_printf_html(req,
	    "<label for=\"role\">%s</label>"
	    "<select id=\"role\" name=\"role\">",
	    sa(CORE_SA_ROLE));
	for (i = 0; i < 3; i++)
		web_printf_html(req, "<option value=\"%d\"%s>%s</option>",
		    (int)roles[i], roles[i] == cur ? " selected" : "",
		    core_role_label(roles[i]));
	web_puts(req, "</select>");
}

/* A checkbox per department, checked as in codes[0..n). */
static void
adm_dept_boxes(struct web_req *req, const struct db_dept *d, size_t nd,
    const int *codes, size_t n)
{
	size_t i, j;

	web_printf_html(req, "<fieldset><legend>%s</legend>",
	    sa(CORE_SA_DEPTS));
	for (i = 0; i < nd; i++) {
		bool on = false;

		for (j = 0; j < n; j++)
			on = on || codes[j] == d[i].code;
		web_printf_html(req,
		    "<label><input type=\"checkbox\" name=\"dept_%d\" "
		    "value=\"1\"%s> %s</label>",
		    d[i].code, on ? " checked" : "", d[i].name);
	}
	web_puts(req, "</fieldset>");
}

/* The departments ticked on the form, into codes (at most max). */
static size_t
adm_form_depts(struct web_req *req, const struct db_dept *d, size_t nd,
    int *codes, size_t max)
{
	char name[32];
	size_t i, n = 0;

	for (i = 0; i < nd && n < max; i++) {
		snprintf(name, sizeof(name), "dept_%d", d[i].code);
		if (web_field(req, name) != NULL)
			codes[n++] = d[i].code;
	}
	return n;
}

/* The role on the form; staff when absent or unknown. */
static enum core_role
adm_form_role(struct web_req *req)
{
	const char *r = web_field(req, "role");

	if (r != NULL && strcmp(r, "2") == 0)
		return CORE_ROLE_HEAD;
	if (r != NULL && strcmp(r, "3") == 0)
		return CORE_ROLE_ADMIN;
	return CORE_ROLE_STAFF;
}

/* A text input. */
static void
adm_input(struct web_req *req, const char *name, const char *label,
    const char *value, bool ltr)
{
	web_printf_html(req,
	    "<label for=\"%s\">%s</label><input id=\"%s\" name=\"%s\" "
	    "required maxlength=\"120\"%s value=\"%s\">",
	    name, label, name, name, ltr ? " dir=\"ltr\"" : "",
	    value != NULL ? value : "");
}

static enum sd_rc
adm_staff_page(struct web_req *req, const char *kind, const char *notice)
{
	struct db_user *u = NULL;
	struct db_dept *d = NULL;
	size_t n = 0, nd = 0, i, j;
	enum sd_rc rc;

	rc = db_user_list_staff(req->db, &u, &n);
	if (rc == SD_OK)
		rc = db_dept_list(req->db, &d, &nd);
	if (rc != SD_OK)
		goto out;
	web_page_begin(req, sa(CORE_SA_STAFF_TITLE));
	web_printf_html(req, "<h1>%s</h1>", sa(CORE_SA_STAFF_TITLE));
	if (notice != NULL)
		web_notice(req, kind, notice);
	web_printf_html(req,
	    "<table><thead><tr><th>%s</th><th>%s</th><th>%s</th>"
	    "<th>%s</th><th>%s</th><th>%s</th><th></th></tr></thead><tbody>",
	    sa(CORE_SA_NAME), sa(CORE_SA_MOBILE), sa(CORE_SA_ROLE),
	    sa(CORE_SA_JOB_TITLE), sa(CORE_SA_DEPTS), sa(CORE_SA_STATE));
	for (i = 0; i < n; i++) {
		int codes[SD_STAFF_DEPTS_MAX];
		size_t nc = 0;
		bool off = u[i].disabled;
		char local[SD_MOBILE_LEN];

		rc = db_staff_depts(req->db, u[i].id, codes, SD_STAFF_DEPTS_MAX,
		    &nc);
		if (rc != SD_OK)
			goto out;
		core_mobile_local(u[i].mobile, local);
		web_printf_html(req, "<tr%s><td>",
		    off ? " class=\"disabled\"" : "");
		web_line(req, u[i].first);
		web_puts(req, " ");
		web_line(req, u[i].last);
		web_printf_html(req,
		    "</td><td dir=\"ltr\">%s</td><td>%s</td><td>", local,
		    core_role_label(u[i].role));
		web_line(req, u[i].title);
		web_puts(req, "</td><td>");
		for (j = 0; j < nc; j++)
			web_printf_html(req, "%s%s", j > 0 ? "، " : "",
			    core_dept_name(d, nd, codes[j]));
		web_printf_html(req,
		    "</td><td>%s</td><td><a href=\"/staff/admin/staff/%lld\">"
		    "%s</a></td></tr>",
		    sa(off ? CORE_SA_DISABLED : CORE_SA_ACTIVE),
		    (long long)u[i].id, sa(CORE_SA_EDIT));
	}
	web_puts(req, "</tbody></table>");
	web_printf_html(req, "<h2>%s</h2>", sa(CORE_SA_ADD_TITLE));
	web_form_begin(req, "/staff/admin/staff", false);
	adm_input(req, "first", sa(CORE_SA_FIRST), web_field(req, "first"),
	    false);
	adm_input(req, "last", sa(CORE_SA_LAST), web_field(req, "last"), false);
	adm_input(req, "mobile", sa(CORE_SA_MOBILE), web_field(req, "mobile"),
	    true);
	adm_input(req, "title", sa(CORE_SA_JOB_TITLE), web_field(req, "title"),
	    false);
	adm_role_select(req, adm_form_role(req));
	adm_dept_boxes(req, d, nd, NULL, 0);
	web_printf_html(req, "<button type=\"submit\">%s</button>",
	    sa(CORE_SA_ADD_BTN));
	web_form_end(req);
	web_page_end(req);
out:
	db_user_list_free(u, n);
	db_dept_list_free(d, nd);
	return rc;
}

static enum sd_rc
adm_staff_get(struct web_req *req)
{
	const char *done = web_field(req, "done");

	if (!adm_is_admin(req))
		return web_not_found(req);
	if (done != NULL && strcmp(done, "added") == 0)
		return adm_staff_page(req, "ok", sa(CORE_SA_ADDED));
	return adm_staff_page(req, NULL, NULL);
}

static enum sd_rc
adm_staff_add(struct web_req *req)
{
	int codes[SD_STAFF_DEPTS_MAX];
	struct db_dept *d = NULL;
	size_t nd = 0, n;
	char err[SD_ERRLEN];
	int64_t id = 0;
	enum sd_rc rc;

	if (!adm_is_admin(req))
		return web_not_found(req);
	rc = db_dept_list(req->db, &d, &nd);
	if (rc != SD_OK)
		return rc;
	n = adm_form_depts(req, d, nd, codes, SD_STAFF_DEPTS_MAX);
	db_dept_list_free(d, nd);
	err[0] = '\0';
	rc = core_user_add(req->db, req->user_id, web_field(req, "mobile"),
	    web_field(req, "first"), web_field(req, "last"), adm_form_role(req),
	    web_field(req, "title"), codes, n, &id, err);
	if (rc == SD_EEXIST || rc == SD_EINVAL || rc == SD_ETOOBIG) {
		log_info("web", "staff add refused by=%lld: %s",
		    (long long)req->user_id, err);
		req->status = 422;
		return adm_staff_page(req, "err",
		    sa(rc == SD_EEXIST ? CORE_SA_ERR_MOBILE_TAKEN :
					 CORE_SA_ERR_FIELDS));
	}
	if (rc != SD_OK)
		return rc;
	return web_redirect(req, "/staff/admin/staff?done=added");
}

/* ---- One staff member ---------------------------------------------------- */

static enum sd_rc
adm_member_page(struct web_req *req, int64_t id, const char *kind,
    const char *notice)
{
	struct db_user u;
	struct db_dept *d = NULL;
	int codes[SD_STAFF_DEPTS_MAX];
	size_t nd = 0, nc = 0;
	char local[SD_MOBILE_LEN], action[64];
	bool off;
	enum sd_rc rc;

	rc = db_user_get(req->db, id, &u);
	if (rc == SD_ENOTFOUND)
		return web_not_found(req);
	if (rc != SD_OK)
		return rc;
	if (u.role == CORE_ROLE_APPLICANT) {
		db_user_fini(&u);
		return web_not_found(req);
	}
	rc = db_dept_list(req->db, &d, &nd);
	if (rc == SD_OK)
		rc = db_staff_depts(req->db, id, codes, SD_STAFF_DEPTS_MAX,
		    &nc);
	off = u.disabled;
	if (rc != SD_OK)
		goto out;
	core_mobile_local(u.mobile, local);
	snprintf(action, sizeof(action), "/staff/admin/staff/%lld",
	    (long long)id);
	web_page_begin(req, sa(CORE_SA_EDIT));
	web_puts(req, "<h1>");
	web_line(req, u.first);
	web_puts(req, " ");
	web_line(req, u.last);
	web_printf_html(req, "</h1><p><span dir=\"ltr\">%s</span> · %s</p>",
	    local, sa(off ? CORE_SA_DISABLED : CORE_SA_ACTIVE));
	if (notice != NULL)
		web_notice(req, kind, notice);
	web_form_begin(req, action, false);
	web_puts(req, "<input type=\"hidden\" name=\"op\" value=\"save\">");
	adm_input(req, "first", sa(CORE_SA_FIRST), u.first, false);
	adm_input(req, "last", sa(CORE_SA_LAST), u.last, false);
	adm_input(req, "title", sa(CORE_SA_JOB_TITLE), u.title, false);
	adm_role_select(req, u.role);
	adm_dept_boxes(req, d, nd, codes, nc);
	web_printf_html(req, "<button type=\"submit\">%s</button>",
	    sa(CORE_SA_SAVE_BTN));
	web_form_end(req);
	web_form_begin(req, action, false);
	web_printf_html(req,
	    "<input type=\"hidden\" name=\"op\" value=\"%s\">"
	    "<button type=\"submit\" class=\"alt\">%s</button>",
	    off ? "enable" : "disable",
	    sa(off ? CORE_SA_ENABLE_BTN : CORE_SA_DISABLE_BTN));
	web_form_end(req);
	web_printf_html(req, "<p><a href=\"/staff/admin/staff\">%s</a></p>",
	    sa(CORE_SA_BACK));
	web_page_end(req);
out:
	db_dept_list_free(d, nd);
	db_user_fini(&u);
	return rc;
}

static enum sd_rc
adm_member_get(struct web_req *req)
{
	const char *done = web_field(req, "done");
	const char *notice = NULL;

	if (!adm_is_admin(req))
		return web_not_found(req);
	if (done != NULL && strcmp(done, "saved") == 0)
		notice = sa(CORE_SA_SAVED);
	else if (done != NULL && strcmp(done, "disabled") == 0)
		notice = sa(CORE_SA_DISABLED_OK);
	else if (done != NULL && strcmp(done, "enabled") == 0)
		notice = sa(CORE_SA_ENABLED_OK);
	return adm_member_page(req, req->param, "ok", notice);
}

static enum sd_rc
adm_member_post(struct web_req *req)
{
	const char *op = web_field(req, "op"), *done;
	char err[SD_ERRLEN], to[80];
	int codes[SD_STAFF_DEPTS_MAX];
	struct db_dept *d = NULL;
	size_t nd = 0, n;
	enum sd_rc rc;

	if (!adm_is_admin(req) || op == NULL)
		return web_not_found(req);
	err[0] = '\0';
	if (strcmp(op, "disable") == 0 || strcmp(op, "enable") == 0) {
		bool off = op[0] == 'd';

		rc = core_staff_set_disabled(req->db, &req->actor, req->param,
		    off, err);
		done = off ? "disabled" : "enabled";
	} else if (strcmp(op, "save") == 0) {
		rc = db_dept_list(req->db, &d, &nd);
		if (rc != SD_OK)
			return rc;
		n = adm_form_depts(req, d, nd, codes, SD_STAFF_DEPTS_MAX);
		db_dept_list_free(d, nd);
		rc = core_staff_edit(req->db, &req->actor, req->param,
		    web_field(req, "first"), web_field(req, "last"),
		    adm_form_role(req), web_field(req, "title"), codes, n, err);
		done = "saved";
	} else {
		return web_not_found(req);
	}
	if (rc == SD_ENOTFOUND)
		return web_not_found(req);
	if (rc == SD_EINVAL || rc == SD_ETOOBIG || rc == SD_EPERM) {
		log_info("web", "staff change refused by=%lld id=%lld: %s",
		    (long long)req->user_id, (long long)req->param, err);
		req->status = 422;
		return adm_member_page(req, req->param, "err",
		    sa(rc == SD_EPERM ? CORE_SA_ERR_SELF : CORE_SA_ERR_FIELDS));
	}
	if (rc != SD_OK)
		return rc;
	snprintf(to, sizeof(to), "/staff/admin/staff/%lld?done=%s",
	    (long long)req->param, done);
	return web_redirect(req, to);
}

/* ---- The overview ------------------------------------------------------ */

/* Office seconds as «H ساعت و M دقیقه». */
static void
adm_hours(struct web_req *req, int64_t s)
{
	char h[32], m[32];
	const char *f = sa(CORE_SA_HOURS);

	core_fa_number((long long)(s / 3600), h, sizeof(h));
	core_fa_number((long long)((s % 3600) / 60), m, sizeof(m));
	web_fill(req, f, h, m, NULL);
}

static enum sd_rc
adm_overview(struct web_req *req)
{
	struct core_overview o;
	char num[32];
	size_t i;
	int s;
	enum sd_rc rc;

	rc = core_overview_get(req->db, req->env, &req->actor, sd_clock_now(),
	    &o);
	if (rc == SD_ENOTFOUND) {
		core_overview_fini(&o);
		return web_not_found(req);
	}
	if (rc != SD_OK) {
		core_overview_fini(&o);
		return rc;
	}
	web_page_begin(req, sa(CORE_SA_OV_TITLE));
	web_printf_html(req,
	    "<h1>%s</h1><p><a href=\"/staff/overview.csv\" download>%s</a></p>"
	    "<h2>%s</h2><table><thead><tr><th>%s</th>",
	    sa(CORE_SA_OV_TITLE), sa(CORE_SA_OV_CSV), sa(CORE_SA_OV_BY_DEPT),
	    sa(CORE_SA_OV_DEPT));
	for (s = 0; s < 3; s++)
		web_printf_html(req, "<th>%s</th>",
		    core_status_label((enum core_status)s));
	web_printf_html(req, "<th>%s</th><th>%s</th></tr></thead><tbody>",
	    sa(CORE_SA_OV_TOTAL), sa(CORE_SA_OV_OVERDUE));
	for (i = 0; i < o.n_depts; i++) {
		int c = o.depts[i].code;
		int64_t tot = 0;

		if (c <= 0 || c >= CORE_OV_DEPTS)
			continue;
		web_printf_html(req, "<tr><td>%s</td>", o.depts[i].name);
		for (s = 0; s < 3; s++) {
			tot += o.counts[c][s];
			web_printf_html(req, "<td>%s</td>",
			    core_fa_number(o.counts[c][s], num, sizeof(num)));
		}
		web_printf_html(req, "<td>%s</td>",
		    core_fa_number(tot, num, sizeof(num)));
		web_printf_html(req, "<td%s>%s</td></tr>",
		    o.overdue[c] > 0 ? " class=\"err\"" : "",
		    core_fa_number(o.overdue[c], num, sizeof(num)));
	}
	web_printf_html(req,
	    "</tbody><tfoot><tr><th>%s</th><td colspan=\"4\"></td>"
	    "<td>%s</td></tr></tfoot></table>",
	    sa(CORE_SA_OV_TOTAL),
	    core_fa_number(o.overdue_total, num, sizeof(num)));

	web_printf_html(req, "<h2>%s</h2>", sa(CORE_SA_OV_ESCALATED));
	if (o.n_esc == 0)
		web_printf_html(req, "<p>%s</p>", sa(CORE_SA_OV_NONE));
	else
		web_puts(req, "<ul>");
	for (i = 0; i < o.n_esc; i++) {
		web_printf_html(req,
		    "<li><a href=\"/staff/requests/%lld\">%lld</a> ",
		    (long long)o.esc[i].tracking, (long long)o.esc[i].tracking);
		web_line(req, o.esc[i].title);
		web_printf_html(req, " · %s · %s</li>",
		    core_overview_dept(&o, o.esc[i].dept),
		    core_status_label((enum core_status)o.esc[i].status));
	}
	if (o.n_esc > 0)
		web_puts(req, "</ul>");

	web_printf_html(req, "<h2>%s</h2>", sa(CORE_SA_OV_FIRST));
	if (o.n_first == 0) {
		web_printf_html(req, "<p>%s</p>", sa(CORE_SA_OV_NONE));
	} else {
		web_printf_html(req, "<table><tr><th>%s</th><td>",
		    sa(CORE_SA_OV_MEDIAN));
		adm_hours(req, o.median_s);
		web_printf_html(req, "</td></tr><tr><th>%s</th><td>",
		    sa(CORE_SA_OV_P90));
		adm_hours(req, o.p90_s);
		web_printf_html(req,
		    "</td></tr><tr><th>%s</th><td>%s</td></tr></table>",
		    sa(CORE_SA_OV_COUNT),
		    core_fa_number((long long)o.n_first, num, sizeof(num)));
	}

	web_printf_html(req, "<h2>%s</h2>", sa(CORE_SA_OV_STAFF));
	if (o.n_staff == 0)
		web_printf_html(req, "<p>%s</p>", sa(CORE_SA_OV_NONE));
	else
		web_printf_html(req,
		    "<table><thead><tr><th>%s</th><th>%s</th></tr></thead>"
		    "<tbody>",
		    sa(CORE_SA_NAME), sa(CORE_SA_OV_ANSWERS));
	for (i = 0; i < o.n_staff; i++) {
		web_puts(req, "<tr><td>");
		web_line(req, o.staff[i].first);
		web_puts(req, " ");
		web_line(req, o.staff[i].last);
		web_printf_html(req, "</td><td>%s</td></tr>",
		    core_fa_number(o.staff[i].n, num, sizeof(num)));
	}
	if (o.n_staff > 0)
		web_puts(req, "</tbody></table>");
	web_page_end(req);
	core_overview_fini(&o);
	return SD_OK;
}

static enum sd_rc
adm_overview_csv(struct web_req *req)
{
	const char *tmp = getenv("TMPDIR");
	char path[512], disp[128], day[SD_JALALI_LEN];
	off_t size;
	enum sd_rc rc;
	int fd;
	size_t i;

	if (req->actor.kind != CORE_ACTOR_HEAD &&
	    req->actor.kind != CORE_ACTOR_ADMIN)
		return web_not_found(req);
	/* Any number of requests: written to an unlinked file, sent from
	 * there, not held in memory. */
	snprintf(path, sizeof(path), "%s/smsdesk-csv-XXXXXX",
	    tmp != NULL && tmp[0] == '/' && strlen(tmp) < 400 ? tmp : "/tmp");
	fd = mkstemp(path);
	if (fd < 0) {
		log_warn("web", "csv: no temporary file");
		return SD_EIO;
	}
	unlink(path);
	rc = core_overview_csv(req->db, &req->actor, fd);
	if (rc == SD_ENOTFOUND) {
		close(fd);
		return web_not_found(req);
	}
	size = rc == SD_OK ? lseek(fd, 0, SEEK_CUR) : -1;
	if (rc != SD_OK || size < 0 || lseek(fd, 0, SEEK_SET) < 0) {
		close(fd);
		return rc != SD_OK ? rc : SD_EIO;
	}
	/* requests-14050916.csv: the Jalali day, digits only. */
	core_jalali_short(sd_clock_now(), day);
	for (i = 0; day[i] != '\0' && day[i] != ' '; i++)
		;
	day[i] = '\0';
	{
		char compact[SD_JALALI_LEN];
		size_t k = 0;

		for (i = 0; day[i] != '\0'; i++)
			if (day[i] >= '0' && day[i] <= '9')
				compact[k++] = day[i];
		compact[k] = '\0';
		snprintf(disp, sizeof(disp),
		    "attachment; filename=\"requests-%s.csv\"", compact);
	}
	log_info("web", "overview csv user=%lld bytes=%lld",
	    (long long)req->user_id, (long long)size);
	return web_send_file(req, fd, (uint64_t)size, "text/csv; charset=utf-8",
	    disp);
}

const struct web_route web_routes_admin[] = {
    {"GET", "/staff/admin/staff", adm_staff_get,
	WEB_AUTH | WEB_STAFF | WEB_READ, NULL},
    {"POST", "/staff/admin/staff", adm_staff_add,
	WEB_AUTH | WEB_STAFF | WEB_CSRF, NULL},
    {"GET", "/staff/admin/staff/#", adm_member_get,
	WEB_AUTH | WEB_STAFF | WEB_READ, NULL},
    {"POST", "/staff/admin/staff/#", adm_member_post,
	WEB_AUTH | WEB_STAFF | WEB_CSRF, NULL},
    {"GET", "/staff/overview", adm_overview, WEB_AUTH | WEB_STAFF | WEB_READ,
	NULL},
    {"GET", "/staff/overview.csv", adm_overview_csv,
	WEB_AUTH | WEB_STAFF | WEB_READ, NULL},
    {NULL, NULL, NULL, 0, NULL},
};
