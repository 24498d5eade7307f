/*
 * core/staff.c: what staff do with a request on its staff page (issue
 * #14): answer, close, reopen, transfer, assign, internal notes, and the
 * departments' canned answers.
 *
 * Invariants:
 * - Every action first passes core_request_get_staff(), core_request_get()'s
 *   access check kept to its staff side: staff of the request's
 *   department, the head's office for an escalated one, the head and
 *   admins. Its applicant, anyone else and a missing request all get
 *   SD_ENOTFOUND, the same answer.
 * - Every change is one transaction with its audit row on "request:N"
 *   (or "canned:ID"): who, when, what. Close and reopen run
 *   core_request_set_status() and an answer core_request_reply_files(),
 *   so their rules, audit rows and the applicant's SMS stay one.
 * - Notes are read only through core_staff_view(): nothing of the
 *   applicant's (core_request_view, core_request_render, links, SMS,
 *   downloads) reads the notes table.
 */
#include "core/core.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/base/clock.h"
#include "core/base/log.h"
#include "core/base/xmalloc.h"
#include "core/core_int.h"

/* Rows a staff page lists at most. */
#define STAFF_LIST_MAX 500

/* True for the kinds of a person with rights beyond their own. */
static bool
staff_kind(enum core_actor_kind k)
{
	return k == CORE_ACTOR_STAFF || k == CORE_ACTOR_HEAD ||
	    k == CORE_ACTOR_ADMIN;
}

enum sd_rc
core_staff_request(struct db *db, const struct core_actor *actor,
    int64_t tracking, struct db_request *out)
{
	memset(out, 0, sizeof(*out));
	/* An applicant is no staff: their answer is "not found". */
	if (actor != NULL && actor->kind == CORE_ACTOR_APPLICANT &&
	    actor->id > 0)
		return SD_ENOTFOUND;
	if (actor == NULL || !staff_kind(actor->kind) || actor->id <= 0)
		return SD_EINVAL;
	return core_request_get_staff(db, actor, tracking, out);
}

/* Open a transaction and check actor on tracking: *r filled on SD_OK (the
 * transaction open), else rolled back with err set. */
static enum sd_rc
staff_begin(struct db *db, const struct core_actor *actor, int64_t tracking,
    struct db_request *r, char err[SD_ERRLEN])
{
	enum sd_rc rc;

	memset(r, 0, sizeof(*r));
	rc = db_begin(db);
	if (rc != SD_OK) {
		snprintf(err, SD_ERRLEN, "database busy: %s", db_errmsg(db));
		return rc;
	}
	rc = core_staff_request(db, actor, tracking, r);
	if (rc != SD_OK) {
		core_request_load_err(rc, tracking, db, err);
		db_rollback(db);
	}
	return rc;
}

/* Commit after rc; roll back on any error. */
static enum sd_rc
staff_end(struct db *db, enum sd_rc rc, const char *what, char err[SD_ERRLEN])
{
	if (rc == SD_OK)
		rc = db_commit(db);
	if (rc != SD_OK) {
		if (err[0] == '\0')
			snprintf(err, SD_ERRLEN, "cannot %s: %s", what,
			    db_errmsg(db));
		db_rollback(db);
	}
	return rc;
}

/* ---- Actions ---------------------------------------------------------- */

enum sd_rc
core_staff_answer(struct db *db, const struct core_env *env,
    const struct core_actor *actor, int64_t tracking, const char *body,
    struct core_upload *const *files, size_t nfiles, int64_t *msg_id,
    char err[SD_ERRLEN])
{
	struct db_request r;
	enum sd_rc rc;

	/* The staff rule first; core_request_reply_files() then checks
	 * again in its own transaction (the one its files need): for
	 * someone not the applicant its rule is this one. */
	rc = core_staff_request(db, actor, tracking, &r);
	if (rc != SD_OK) {
		core_request_load_err(rc, tracking, db, err);
		return rc;
	}
	db_request_fini(&r);
	return core_request_reply_files(db, env, actor, tracking, body,
	    CORE_CHAN_WEB, files, nfiles, msg_id, err);
}

/* Close or reopen, as staff. */
static enum sd_rc
staff_status(struct db *db, const struct core_env *env,
    const struct core_actor *actor, int64_t tracking, enum core_status s,
    char err[SD_ERRLEN])
{
	struct db_request r;
	enum sd_rc rc;

	err[0] = '\0';
	rc = staff_begin(db, actor, tracking, &r, err);
	if (rc != SD_OK)
		return rc;
	db_request_fini(&r);
	rc = core_request_set_status(db, env, actor, tracking, s, err);
	return staff_end(db, rc, "change status", err);
}

enum sd_rc
core_staff_close(struct db *db, const struct core_env *env,
    const struct core_actor *actor, int64_t tracking, char err[SD_ERRLEN])
{
	return staff_status(db, env, actor, tracking, CORE_STATUS_CLOSED, err);
}

enum sd_rc
core_staff_reopen(struct db *db, const struct core_env *env,
    const struct core_actor *actor, int64_t tracking, char err[SD_ERRLEN])
{
	return staff_status(db, env, actor, tracking, CORE_STATUS_AWAITING,
	    err);
}

enum sd_rc
core_staff_transfer(struct db *db, const struct core_env *env,
    const struct core_actor *actor, int64_t tracking, int dept,
    const char *reason, char err[SD_ERRLEN])
{
	struct db_request r;
	struct db_dept d;
	char *why = NULL, *detail = NULL;
	enum sd_rc rc;

	core_env_check(env);
	err[0] = '\0';
	/* Access first: "not yours" is answered before anything typed. */
	rc = staff_begin(db, actor, tracking, &r, err);
	if (rc != SD_OK)
		return rc;
	rc = core_field_line(reason != NULL ? reason : "",
	    CORE_STAFF_REASON_MAX, "reason", CORE_FIELD_STRIP, &why, err);
	if (rc != SD_OK)
		goto out;
	if (r.status == CORE_STATUS_CLOSED) {
		snprintf(err, SD_ERRLEN, "request %lld is closed",
		    (long long)tracking);
		rc = SD_ESTATE;
		goto out;
	}
	rc = db_dept_get(db, dept, &d);
	if (rc != SD_OK) {
		snprintf(err, SD_ERRLEN, "no department with code %d", dept);
		rc = rc == SD_ENOTFOUND ? SD_EINVAL : rc;
		goto out;
	}
	db_dept_fini(&d);
	if (dept == r.dept) {
		snprintf(err, SD_ERRLEN, "request %lld is in department %d",
		    (long long)tracking, dept);
		rc = SD_EINVAL;
		goto out;
	}
	rc = db_request_transfer(db, tracking, dept, sd_clock_now());
	if (rc == SD_OK) {
		detail = xasprintf("from=%d to=%d reason=%s", r.dept, dept,
		    why);
		rc = core_request_audit(db, actor->id, "request.transfer",
		    tracking, detail);
	}
	if (rc == SD_OK)
		log_info("core", "request transferred tracking=%lld %d->%d",
		    (long long)tracking, r.dept, dept);
out:
	rc = staff_end(db, rc, "transfer", err);
	db_request_fini(&r);
	free(detail);
	free(why);
	return rc;
}

enum sd_rc
core_staff_assign(struct db *db, const struct core_actor *actor,
    int64_t tracking, int64_t user_id, char err[SD_ERRLEN])
{
	struct db_request r;
	char detail[64];
	bool ok = user_id == 0;
	enum sd_rc rc;

	err[0] = '\0';
	rc = staff_begin(db, actor, tracking, &r, err);
	if (rc != SD_OK)
		return rc;
	if (user_id < 0) {
		snprintf(err, SD_ERRLEN, "no such staff member");
		rc = SD_EINVAL;
	} else if (user_id != 0) {
		rc = db_staff_assignable(db, user_id, r.dept, &ok);
	}
	if (rc == SD_OK && !ok) {
		snprintf(err, SD_ERRLEN,
		    "user %lld is not staff of department %d",
		    (long long)user_id, r.dept);
		rc = SD_EINVAL;
	}
	if (rc == SD_OK)
		rc = db_request_assign(db, tracking, user_id, sd_clock_now());
	if (rc == SD_OK) {
		snprintf(detail, sizeof(detail), "to=%lld", (long long)user_id);
		rc = core_request_audit(db, actor->id, "request.assign",
		    tracking, detail);
	}
	rc = staff_end(db, rc, "assign", err);
	db_request_fini(&r);
	return rc;
}

enum sd_rc
core_staff_note(struct db *db, const struct core_actor *actor, int64_t tracking,
    const char *body, int64_t *note_id, char err[SD_ERRLEN])
{
	struct db_request r;
	char *b = NULL, detail[48];
	int64_t id = 0;
	enum sd_rc rc;

	err[0] = '\0';
	rc = staff_begin(db, actor, tracking, &r, err);
	if (rc != SD_OK)
		return rc;
	rc = core_field_body(body != NULL ? body : "", SD_BODY_MAX, "note", &b,
	    err);
	if (rc == SD_OK)
		rc = db_note_add(db, tracking, actor->id, b, sd_clock_now(),
		    &id);
	if (rc == SD_OK) {
		snprintf(detail, sizeof(detail), "note=%lld", (long long)id);
		rc = core_request_audit(db, actor->id, "request.note", tracking,
		    detail);
	}
	rc = staff_end(db, rc, "store note", err);
	if (rc == SD_OK && note_id != NULL)
		*note_id = id;
	db_request_fini(&r);
	free(b);
	return rc;
}

/* ---- The staff view ----------------------------------------------------- */

enum sd_rc
core_staff_view(struct db *db, const struct core_env *env,
    const struct core_actor *actor, int64_t tracking,
    struct core_staff_view *out)
{
	const struct db_request *r = &out->req;
	char object[32];
	enum sd_rc rc;

	core_env_check(env);
	memset(out, 0, sizeof(*out));
	rc = db_read_begin(db);
	if (rc != SD_OK)
		return rc;
	rc = core_staff_request(db, actor, tracking, &out->req);
	if (rc != SD_OK)
		goto out;
	snprintf(object, sizeof(object), "request:%lld", (long long)tracking);
	rc = db_user_get(db, r->applicant_id, &out->applicant);
	if (rc == SD_OK)
		out->have_applicant = true;
	if (rc == SD_OK)
		rc = db_message_list(db, tracking, &out->msgs, &out->n_msgs);
	if (rc == SD_OK)
		rc = db_attachment_list(db, tracking, &out->files,
		    &out->n_files);
	if (rc == SD_OK)
		rc = db_request_assigned(db, tracking, &out->assigned_to);
	if (rc == SD_OK && out->assigned_to > 0) {
		rc = db_staff_ref_get(db, out->assigned_to, &out->assignee);
		if (rc == SD_ENOTFOUND)
			rc = SD_OK;
	}
	if (rc == SD_OK)
		rc = db_note_list(db, tracking, STAFF_LIST_MAX, &out->notes,
		    &out->n_notes);
	if (rc == SD_OK)
		rc = db_audit_list(db, object, STAFF_LIST_MAX, &out->history,
		    &out->n_history);
	if (rc == SD_OK)
		rc = db_request_sms(db, tracking, STAFF_LIST_MAX, &out->sms,
		    &out->n_sms);
	if (rc == SD_OK)
		rc = db_staff_active_of_dept(db, r->dept, STAFF_LIST_MAX,
		    &out->staff, &out->n_staff);
	if (rc == SD_OK)
		rc = db_canned_list(db, r->dept, STAFF_LIST_MAX, &out->canned,
		    &out->n_canned);
	if (rc == SD_OK && r->status == CORE_STATUS_AWAITING &&
	    core_request_due(env, r, &out->due) != SD_OK)
		out->due = 0;
out:
	db_read_end(db);
	if (rc != SD_OK)
		core_staff_view_fini(out);
	return rc;
}

void
core_staff_view_fini(struct core_staff_view *v)
{
	db_request_fini(&v->req);
	if (v->have_applicant)
		db_user_fini(&v->applicant);
	db_message_list_free(v->msgs, v->n_msgs);
	db_attachment_list_free(v->files, v->n_files);
	free(v->assignee.name);
	free(v->assignee.title);
	db_note_list_free(v->notes, v->n_notes);
	db_audit_rows_free(v->history, v->n_history);
	free(v->sms);
	db_staff_ref_list_free(v->staff, v->n_staff);
	db_canned_list_free(v->canned, v->n_canned);
	memset(v, 0, sizeof(*v));
}

/* ---- Canned answers ------------------------------------------------------ */

enum sd_rc
core_staff_role(struct db *db, const struct core_actor *actor,
    enum core_role *role)
{
	struct db_user u;
	enum sd_rc rc;

	if (actor != NULL && actor->kind == CORE_ACTOR_APPLICANT &&
	    actor->id > 0)
		return SD_ENOTFOUND;
	if (actor == NULL || !staff_kind(actor->kind) || actor->id <= 0)
		return SD_EINVAL;
	rc = db_user_get(db, actor->id, &u);
	if (rc != SD_OK)
		return rc;
	*role = u.role;
	rc = core_actor_of(u.role, actor->id).kind == actor->kind ?
	    SD_OK :
	    SD_ENOTFOUND;
	db_user_fini(&u);
	return rc;
}

enum sd_rc
core_staff_depts(struct db *db, const struct core_actor *actor, int *codes,
    size_t max, size_t *n)
{
	enum core_role role;
	enum sd_rc rc;

	*n = 0;
	rc = core_staff_role(db, actor, &role);
	if (rc != SD_OK)
		return rc;
	if (role == CORE_ROLE_HEAD || role == CORE_ROLE_ADMIN) {
		struct db_dept *d = NULL;
		size_t nd = 0, i;

		rc = db_dept_list(db, &d, &nd);
		for (i = 0; rc == SD_OK && i < nd && *n < max; i++)
			codes[(*n)++] = d[i].code;
		db_dept_list_free(d, nd);
		return rc;
	}
	return db_staff_depts(db, actor->id, codes, max, n);
}

/* SD_OK if actor manages dept's canned answers; SD_ENOTFOUND else. */
static enum sd_rc
canned_may(struct db *db, const struct core_actor *actor, int dept)
{
	enum core_role role;
	bool member = false;
	enum sd_rc rc;

	rc = core_staff_role(db, actor, &role);
	if (rc != SD_OK)
		return rc;
	if (role == CORE_ROLE_HEAD || role == CORE_ROLE_ADMIN)
		return SD_OK;
	rc = db_staff_in_dept(db, actor->id, dept, &member);
	if (rc == SD_OK && !member)
		rc = SD_ENOTFOUND;
	return rc;
}

enum sd_rc
core_canned_list(struct db *db, const struct core_actor *actor, int dept,
    struct db_canned **rows, size_t *n)
{
	struct db_canned *all = NULL;
	int codes[CORE_STAFF_DEPTS_MAX];
	size_t na = 0, nc = 0, i, k, cnt = 0;
	enum sd_rc rc;

	*rows = NULL;
	*n = 0;
	if (dept != 0) {
		rc = canned_may(db, actor, dept);
		return rc == SD_OK ?
		    db_canned_list(db, dept, STAFF_LIST_MAX, rows, n) :
		    rc;
	}
	/* Each of the actor's departments in turn (in code order): a list
	 * of every department's, cut at STAFF_LIST_MAX and then filtered,
	 * could leave theirs out. */
	rc = core_staff_depts(db, actor, codes, CORE_STAFF_DEPTS_MAX, &nc);
	for (k = 0; rc == SD_OK && k < nc && cnt < STAFF_LIST_MAX; k++) {
		struct db_canned *part = NULL;

		rc = db_canned_list(db, codes[k], STAFF_LIST_MAX - cnt, &part,
		    &na);
		if (rc != SD_OK || na == 0) {
			db_canned_list_free(part, na);
			continue;
		}
		all = xrealloc(all, (cnt + na) * sizeof(*all));
		for (i = 0; i < na; i++)
			all[cnt++] = part[i];
		free(part);
	}
	if (rc != SD_OK) {
		db_canned_list_free(all, cnt);
		return rc;
	}
	*rows = all;
	*n = cnt;
	return SD_OK;
}

enum sd_rc
core_canned_get(struct db *db, const struct core_actor *actor, int64_t id,
    struct db_canned *out)
{
	enum sd_rc rc = db_canned_get(db, id, out);

	if (rc == SD_OK && (rc = canned_may(db, actor, out->dept)) != SD_OK)
		db_canned_fini(out);
	return rc;
}

enum sd_rc
core_canned_for_request(struct db *db, const struct core_actor *actor,
    int64_t tracking, int64_t id, struct db_canned *out)
{
	struct db_request r;
	enum sd_rc rc;

	memset(out, 0, sizeof(*out));
	rc = core_staff_request(db, actor, tracking, &r);
	if (rc != SD_OK)
		return rc;
	rc = db_canned_get(db, id, out);
	if (rc == SD_OK && out->dept != r.dept) {
		db_canned_fini(out);
		rc = SD_ENOTFOUND;
	}
	db_request_fini(&r);
	return rc;
}

/* Clean a canned answer's title and body. */
static enum sd_rc
canned_clean(const char *title, const char *body, char **t, char **b,
    char err[SD_ERRLEN])
{
	enum sd_rc rc;

	*t = *b = NULL;
	rc = core_field_line(title != NULL ? title : "", CORE_CANNED_TITLE_MAX,
	    "title", CORE_FIELD_STRIP, t, err);
	if (rc == SD_OK)
		rc = core_field_body(body != NULL ? body : "", SD_BODY_MAX,
		    "text", b, err);
	if (rc != SD_OK) {
		free(*t);
		*t = NULL;
	}
	return rc;
}

static enum sd_rc
audit_canned(struct db *db, int64_t actor_id, const char *action, int64_t id,
    int dept)
{
	char object[32], detail[32];

	snprintf(object, sizeof(object), "canned:%lld", (long long)id);
	snprintf(detail, sizeof(detail), "dept=%d", dept);
	return db_audit_add(db, actor_id, action, object, detail);
}

enum sd_rc
core_canned_add(struct db *db, const struct core_actor *actor, int dept,
    const char *title, const char *body, int64_t *id, char err[SD_ERRLEN])
{
	char *t, *b;
	int64_t cid = 0;
	enum sd_rc rc;

	err[0] = '\0';
	rc = canned_clean(title, body, &t, &b, err);
	if (rc != SD_OK)
		return rc;
	rc = db_begin(db);
	if (rc != SD_OK) {
		snprintf(err, SD_ERRLEN, "database busy: %s", db_errmsg(db));
		goto out;
	}
	rc = canned_may(db, actor, dept);
	if (rc == SD_OK)
		rc = db_canned_add(db, dept, t, b, actor->id, sd_clock_now(),
		    &cid);
	if (rc == SD_EEXIST)
		snprintf(err, SD_ERRLEN, "department %d has that title", dept);
	if (rc == SD_OK)
		rc = audit_canned(db, actor->id, "canned.add", cid, dept);
	rc = staff_end(db, rc, "store canned answer", err);
	if (rc == SD_OK && id != NULL)
		*id = cid;
out:
	free(t);
	free(b);
	return rc;
}

/* Edit (title, body) or delete (title NULL) canned answer id. */
static enum sd_rc
canned_change(struct db *db, const struct core_actor *actor, int64_t id,
    const char *title, const char *body, char err[SD_ERRLEN])
{
	struct db_canned c;
	char *t = NULL, *b = NULL;
	bool del = title == NULL;
	enum sd_rc rc;

	err[0] = '\0';
	if (!del && (rc = canned_clean(title, body, &t, &b, err)) != SD_OK)
		return rc;
	rc = db_begin(db);
	if (rc != SD_OK) {
		snprintf(err, SD_ERRLEN, "database busy: %s", db_errmsg(db));
		goto out;
	}
	rc = core_canned_get(db, actor, id, &c);
	if (rc == SD_OK) {
		rc = del ?
		    db_canned_delete(db, id) :
		    db_canned_update(db, id, t, b, actor->id, sd_clock_now());
		if (rc == SD_EEXIST)
			snprintf(err, SD_ERRLEN, "department %d has that title",
			    c.dept);
		if (rc == SD_OK)
			rc = audit_canned(db, actor->id,
			    del ? "canned.delete" : "canned.edit", id, c.dept);
		db_canned_fini(&c);
	} else if (rc == SD_ENOTFOUND) {
		snprintf(err, SD_ERRLEN, "no canned answer %lld",
		    (long long)id);
	}
	rc = staff_end(db, rc, "change canned answer", err);
out:
	free(t);
	free(b);
	return rc;
}

enum sd_rc
core_canned_edit(struct db *db, const struct core_actor *actor, int64_t id,
    const char *title, const char *body, char err[SD_ERRLEN])
{
	if (title == NULL)
		title = "";
	return canned_change(db, actor, id, title, body, err);
}

enum sd_rc
core_canned_delete(struct db *db, const struct core_actor *actor, int64_t id,
    char err[SD_ERRLEN])
{
	return canned_change(db, actor, id, NULL, NULL, err);
}
