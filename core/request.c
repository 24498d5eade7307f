/*
 * core/request.c: requests (tickets), their threads, status rules and the
 * access check.
 *
 * Invariants:
 * - Every change runs in one BEGIN IMMEDIATE transaction with its audit
 *   row; on any error the whole change is rolled back.
 * - A request that a viewer may not see is reported SD_ENOTFOUND, exactly
 *   like a missing one, so tracking numbers cannot be probed.
 * - Status follows core_status_next() and nothing else, but for a short
 *   thanks after an answer (core_request_is_thanks()), which is stored
 *   and leaves the request answered.
 * - The SLA deadline runs from requests.waiting_since, the applicant's
 *   first message still unanswered: set when the request turns awaiting
 *   (db_request_set_status_due), kept by follow-ups while it waits.
 * - Escalation never changes the department: it sets a flag, and staff
 *   of the head's office (CORE_DEPT_HEAD) see the request too.
 */
#include "core/core.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/base/clock.h"
#include "core/base/log.h"
#include "core/base/xmalloc.h"
#include "core/core_int.h"

enum sd_rc
core_status_next(enum core_status cur, enum core_event ev,
    enum core_status *next)
{
	if (cur == CORE_STATUS_CLOSED) {
		if (ev != CORE_EV_REOPEN)
			return SD_ESTATE;
		*next = CORE_STATUS_AWAITING;
		return SD_OK;
	}
	switch (ev) {
	case CORE_EV_APPLICANT_MSG: *next = CORE_STATUS_AWAITING; return SD_OK;
	case CORE_EV_STAFF_MSG: *next = CORE_STATUS_ANSWERED; return SD_OK;
	case CORE_EV_CLOSE: *next = CORE_STATUS_CLOSED; return SD_OK;
	case CORE_EV_REOPEN:
		return SD_ESTATE; /* only a closed request can be reopened */
	}
	return SD_EINVAL;
}

const struct core_actor core_actor_system = {CORE_ACTOR_SYSTEM, 0};
const struct core_actor core_actor_cli = {CORE_ACTOR_CLI, 0};

struct core_actor
core_actor_of(enum core_role role, int64_t id)
{
	struct core_actor a = {CORE_ACTOR_NONE, id};

	switch (role) {
	case CORE_ROLE_APPLICANT: a.kind = CORE_ACTOR_APPLICANT; break;
	case CORE_ROLE_STAFF: a.kind = CORE_ACTOR_STAFF; break;
	case CORE_ROLE_HEAD: a.kind = CORE_ACTOR_HEAD; break;
	case CORE_ROLE_ADMIN: a.kind = CORE_ACTOR_ADMIN; break;
	}
	return a;
}

enum sd_rc
core_actor_user(struct db *db, int64_t user_id, struct core_actor *out)
{
	struct db_user u;
	enum sd_rc rc;

	out->kind = CORE_ACTOR_NONE;
	out->id = 0;
	if (user_id <= 0)
		return SD_ENOTFOUND;
	rc = db_user_get(db, user_id, &u);
	if (rc != SD_OK)
		return rc;
	*out = core_actor_of(u.role, user_id);
	db_user_fini(&u);
	return SD_OK;
}

const char *
core_actor_kind_name(enum core_actor_kind kind)
{
	switch (kind) {
	case CORE_ACTOR_APPLICANT: return "applicant";
	case CORE_ACTOR_STAFF: return "staff";
	case CORE_ACTOR_HEAD: return "head";
	case CORE_ACTOR_ADMIN: return "admin";
	case CORE_ACTOR_SYSTEM: return "system";
	case CORE_ACTOR_CLI: return "cli";
	case CORE_ACTOR_NONE: break;
	}
	return "?";
}

/* True if actor is a person (a user id). */
static bool
actor_person(const struct core_actor *a)
{
	return a->kind == CORE_ACTOR_APPLICANT || a->kind == CORE_ACTOR_STAFF ||
	    a->kind == CORE_ACTOR_HEAD || a->kind == CORE_ACTOR_ADMIN;
}

/*
 * SD_OK if actor may be asked about a request at all: a person with an
 * id, or system or cli. Anything else is a caller's bug, refused (and
 * logged) rather than read as "the operator".
 */
static enum sd_rc
actor_check(const struct core_actor *a)
{
	if (a != NULL &&
	    ((actor_person(a) && a->id > 0) ||
		(a->kind == CORE_ACTOR_SYSTEM || a->kind == CORE_ACTOR_CLI)))
		return SD_OK;
	log_warnx("core",
	    "request access refused: invalid actor kind=%s "
	    "id=%lld",
	    a != NULL ? core_actor_kind_name(a->kind) : "null",
	    a != NULL ? (long long)a->id : 0LL);
	return SD_EINVAL;
}

/* The audit row's actor: the person, or 0 for system and cli. */
static int64_t
actor_audit_id(const struct core_actor *a)
{
	return actor_person(a) ? a->id : 0;
}

/* How an actor relates to a request. */
enum req_rel {
	REL_NONE,      /* may not see it */
	REL_APPLICANT, /* owns it */
	REL_STAFF,     /* staff of its department, the head, an admin */
	REL_OPERATOR,  /* system or cli */
};

/*
 * Load request tracking and decide how actor relates to it. A request
 * the actor may not see gives SD_ENOTFOUND and *r is left empty; an
 * invalid actor SD_EINVAL before anything is read. On success *r is
 * filled (db_request_fini()) and *viewer too if the actor is a person
 * (zeroed otherwise; db_user_fini() is safe on both).
 */
static enum sd_rc
req_load(struct db *db, const struct core_actor *actor, int64_t tracking,
    struct db_request *r, struct db_user *viewer, enum req_rel *rel)
{
	enum sd_rc rc;
	bool member = false;

	memset(r, 0, sizeof(*r));
	memset(viewer, 0, sizeof(*viewer));
	rc = actor_check(actor);
	if (rc != SD_OK)
		return rc;
	rc = db_request_get(db, tracking, r);
	if (rc != SD_OK)
		return rc;
	if (!actor_person(actor)) {
		*rel = REL_OPERATOR;
		return SD_OK;
	}
	rc = db_user_get(db, actor->id, viewer);
	if (rc != SD_OK)
		goto fail;
	if (r->applicant_id == actor->id) {
		*rel = REL_APPLICANT;
		return SD_OK;
	}
	/* Rights beyond one's own need the kind and the stored role both. */
	if (core_actor_of(viewer->role, actor->id).kind != actor->kind)
		goto none;
	switch (viewer->role) {
	case CORE_ROLE_HEAD:
	case CORE_ROLE_ADMIN: *rel = REL_STAFF; return SD_OK;
	case CORE_ROLE_STAFF:
		rc = db_staff_in_dept(db, actor->id, r->dept, &member);
		/* An escalated request is the head's office's as well. */
		if (rc == SD_OK && !member && r->escalated)
			rc = db_staff_in_dept(db, actor->id, CORE_DEPT_HEAD,
			    &member);
		if (rc != SD_OK)
			goto fail;
		if (member) {
			*rel = REL_STAFF;
			return SD_OK;
		}
		break;
	case CORE_ROLE_APPLICANT: break;
	}
none:
	rc = SD_ENOTFOUND;
fail:
	db_request_fini(r);
	db_user_fini(viewer);
	return rc;
}

/* Write the err text for a failed load/access check. */
void
core_request_load_err(enum sd_rc rc, int64_t tracking, struct db *db,
    char err[SD_ERRLEN])
{
	if (rc == SD_ENOTFOUND)
		snprintf(err, SD_ERRLEN, "no request %lld",
		    (long long)tracking);
	else if (rc == SD_EINVAL)
		snprintf(err, SD_ERRLEN, "request %lld: no valid actor",
		    (long long)tracking);
	else
		snprintf(err, SD_ERRLEN, "cannot read request %lld: %s",
		    (long long)tracking, db_errmsg(db));
}

enum sd_rc
core_request_audit(struct db *db, int64_t actor_id, const char *action,
    int64_t tracking, const char *detail)
{
	char object[32];

	snprintf(object, sizeof(object), "request:%lld", (long long)tracking);
	return db_audit_add(db, actor_id, action, object, detail);
}

/* The due time of a waiting period that starts at now; 0 if it cannot be
 * computed (core_request_due_fill() tries again). */
static int64_t
req_due_from(const struct core_env *env, int64_t now)
{
	int64_t due = 0;

	if (core_due_from(env, now, &due) != SD_OK)
		return 0;
	return due;
}

enum sd_rc
core_request_create(struct db *db, const struct core_env *env,
    const struct core_actor *actor, int dept, enum core_priority prio,
    const char *title, const char *body, enum core_channel chan,
    int64_t *tracking, char err[SD_ERRLEN])
{
	return core_request_create_files(db, env, actor, dept, prio, title,
	    body, chan, NULL, 0, tracking, err);
}

enum sd_rc
core_request_create_files(struct db *db, const struct core_env *env,
    const struct core_actor *actor, int dept, enum core_priority prio,
    const char *title, const char *body, enum core_channel chan,
    struct core_upload *const *files, size_t nfiles, int64_t *tracking,
    char err[SD_ERRLEN])
{
	int64_t msg_id = 0;
	size_t i;
	struct db_request r;
	struct db_message m;
	struct db_user u;
	struct db_dept d;
	char *t = NULL, *b = NULL, *name = NULL, detail[64], empty[1] = "";
	bool in_tx = false, have_user = false;
	enum sd_rc rc;
	int64_t now = sd_clock_now(), applicant_id;

	core_env_check(env);

	memset(&u, 0, sizeof(u));
	if (actor_check(actor) != SD_OK || !actor_person(actor)) {
		snprintf(err, SD_ERRLEN,
		    "a request needs a person as its "
		    "applicant");
		return SD_EINVAL;
	}
	applicant_id = actor->id;
	if (prio < CORE_PRIO_VERY_URGENT || prio > CORE_PRIO_LOW ||
	    chan < CORE_CHAN_WEB || chan > CORE_CHAN_CLI) {
		snprintf(err, SD_ERRLEN, "unknown priority or channel");
		return SD_EINVAL;
	}
	if ((rc = core_field_line(title, SD_REQ_TITLE_MAX, "title",
		 CORE_FIELD_STRIP, &t, err)) != SD_OK ||
	    (rc = core_field_body(body, SD_BODY_MAX, "text", &b, err)) != SD_OK)
		goto fail;

	rc = db_begin(db);
	if (rc != SD_OK) {
		snprintf(err, SD_ERRLEN, "database busy: %s", db_errmsg(db));
		goto fail;
	}
	in_tx = true;
	rc = db_dept_get(db, dept, &d);
	if (rc != SD_OK) {
		snprintf(err, SD_ERRLEN, "no department with code %d", dept);
		rc = rc == SD_ENOTFOUND ? SD_EINVAL : rc;
		goto fail;
	}
	db_dept_fini(&d);
	rc = db_user_get(db, applicant_id, &u);
	if (rc != SD_OK) {
		snprintf(err, SD_ERRLEN, "no user %lld",
		    (long long)applicant_id);
		goto fail;
	}
	have_user = true;

	memset(&r, 0, sizeof(r));
	r.applicant_id = applicant_id;
	r.dept = dept;
	r.prio = prio;
	r.title = t;
	r.status = CORE_STATUS_AWAITING;
	r.chan = chan;
	r.created = now;
	r.due = req_due_from(env, now);
	rc = db_request_insert(db, &r, tracking);
	if (rc != SD_OK) {
		snprintf(err, SD_ERRLEN, "cannot store request: %s",
		    db_errmsg(db));
		goto fail;
	}
	name = xasprintf("%s %s", u.first, u.last);
	memset(&m, 0, sizeof(m));
	m.tracking = *tracking;
	m.author_id = applicant_id;
	m.author_role = CORE_ROLE_APPLICANT;
	m.author_name = name;
	m.author_title = empty;
	m.body = b;
	m.chan = chan;
	m.created = now;
	rc = db_message_insert(db, &m, &msg_id);
	if (rc == SD_OK && nfiles > 0)
		rc = core_upload_attach(db, msg_id, files, nfiles, now);
	if (rc == SD_OK) {
		/* The detail as before, with the files when there are. */
		snprintf(detail, sizeof(detail), "dept=%d prio=%d chan=%d",
		    dept, (int)prio, (int)chan);
		if (nfiles > 0)
			snprintf(detail + strlen(detail),
			    sizeof(detail) - strlen(detail), " files=%zu",
			    nfiles);
		rc = core_request_audit(db, applicant_id, "request.create",
		    *tracking, detail);
	}
	if (rc == SD_OK && prio == CORE_PRIO_VERY_URGENT)
		rc = core_alert_very_urgent(db, env, *tracking, dept,
		    applicant_id, t);
	if (rc == SD_OK)
		rc = db_commit(db);
	if (rc != SD_OK) {
		snprintf(err, SD_ERRLEN, "cannot store request: %s",
		    db_errmsg(db));
		goto fail;
	}
	for (i = 0; i < nfiles; i++)
		core_upload_keep(files[i]);
	log_info("core",
	    "request created tracking=%lld dept=%d prio=%d "
	    "chan=%d files=%zu",
	    (long long)*tracking, dept, (int)prio, (int)chan, nfiles);
	rc = SD_OK;
	in_tx = false;
fail:
	if (in_tx)
		db_rollback(db);
	if (have_user)
		db_user_fini(&u);
	free(name);
	free(t);
	free(b);
	return rc;
}

enum sd_rc
core_request_reply(struct db *db, const struct core_env *env,
    const struct core_actor *actor, int64_t tracking, const char *body,
    enum core_channel chan, int64_t *msg_id, char err[SD_ERRLEN])
{
	return core_request_reply_files(db, env, actor, tracking, body, chan,
	    NULL, 0, msg_id, err);
}

enum sd_rc
core_request_reply_files(struct db *db, const struct core_env *env,
    const struct core_actor *actor, int64_t tracking, const char *body,
    enum core_channel chan, struct core_upload *const *files, size_t nfiles,
    int64_t *msg_id, char err[SD_ERRLEN])
{
	int64_t mid = 0;
	size_t i;
	struct db_request r;
	struct db_user u;
	struct db_message m;
	enum core_status next;
	enum req_rel rel;
	char *b = NULL, *name = NULL, detail[64], empty[1] = "";
	bool in_tx = false, loaded = false;
	enum sd_rc rc;
	int64_t now = sd_clock_now(), author_id;

	core_env_check(env);

	if (actor_check(actor) != SD_OK || !actor_person(actor)) {
		snprintf(err, SD_ERRLEN, "a message needs an author");
		return SD_EINVAL;
	}
	author_id = actor->id;
	rc = core_field_body(body, SD_BODY_MAX, "text", &b, err);
	if (rc != SD_OK)
		return rc;
	rc = db_begin(db);
	if (rc != SD_OK) {
		snprintf(err, SD_ERRLEN, "database busy: %s", db_errmsg(db));
		goto fail;
	}
	in_tx = true;
	rc = req_load(db, actor, tracking, &r, &u, &rel);
	if (rc != SD_OK) {
		core_request_load_err(rc, tracking, db, err);
		goto fail;
	}
	loaded = true;
	rc = core_status_next(r.status,
	    rel == REL_APPLICANT ? CORE_EV_APPLICANT_MSG : CORE_EV_STAFF_MSG,
	    &next);
	if (rc != SD_OK) {
		snprintf(err, SD_ERRLEN, "request %lld is closed",
		    (long long)tracking);
		goto fail;
	}
	/* «ممنون» after an answer is not a new question. */
	if (rel == REL_APPLICANT && r.status == CORE_STATUS_ANSWERED &&
	    core_request_is_thanks(env, b))
		next = CORE_STATUS_ANSWERED;
	name = xasprintf("%s %s", u.first, u.last);
	memset(&m, 0, sizeof(m));
	m.tracking = tracking;
	m.author_id = author_id;
	m.author_role = rel == REL_APPLICANT ? CORE_ROLE_APPLICANT : u.role;
	m.author_name = name;
	m.author_title = rel == REL_APPLICANT ? empty : u.title;
	m.body = b;
	m.chan = chan;
	m.created = now;
	rc = db_message_insert(db, &m, &mid);
	if (rc == SD_OK && msg_id != NULL)
		*msg_id = mid;
	if (rc == SD_OK && nfiles > 0)
		rc = core_upload_attach(db, mid, files, nfiles, now);
	if (rc == SD_OK)
		rc = db_request_set_status_due(db, tracking, next, now,
		    next == CORE_STATUS_AWAITING && r.status != next ?
			req_due_from(env, now) :
			0);
	if (rc == SD_OK) {
		snprintf(detail, sizeof(detail), "status=%d->%d chan=%d",
		    (int)r.status, (int)next, (int)chan);
		if (nfiles > 0)
			snprintf(detail + strlen(detail),
			    sizeof(detail) - strlen(detail), " files=%zu",
			    nfiles);
		rc = core_request_audit(db, author_id,
		    rel != REL_APPLICANT             ? "request.answer" :
			next == CORE_STATUS_ANSWERED ? "request.thanks" :
						       "request.followup",
		    tracking, detail);
	}
	if (rc == SD_OK && rel != REL_APPLICANT)
		rc = core_alert_user(db, env, r.applicant_id, tracking,
		    CORE_ALERT_ANSWER, b);
	if (rc == SD_OK)
		rc = db_commit(db);
	if (rc != SD_OK) {
		snprintf(err, SD_ERRLEN, "cannot store message: %s",
		    db_errmsg(db));
		goto fail;
	}
	in_tx = false;
	for (i = 0; i < nfiles; i++)
		core_upload_keep(files[i]);
	log_info("core",
	    "request message tracking=%lld by=%s status=%d files=%zu",
	    (long long)tracking, rel == REL_APPLICANT ? "applicant" : "staff",
	    (int)next, nfiles);
fail:
	if (in_tx)
		db_rollback(db);
	if (loaded) {
		db_request_fini(&r);
		db_user_fini(&u);
	}
	free(name);
	free(b);
	return rc;
}

enum sd_rc
core_request_set_status(struct db *db, const struct core_env *env,
    const struct core_actor *actor, int64_t tracking, enum core_status status,
    char err[SD_ERRLEN])
{
	struct db_request r;
	struct db_user u;
	enum core_status next;
	enum core_event ev;
	enum req_rel rel;
	char detail[48];
	bool in_tx = false, loaded = false;
	int64_t now;
	enum sd_rc rc;

	core_env_check(env);

	if (status == CORE_STATUS_CLOSED)
		ev = CORE_EV_CLOSE;
	else if (status == CORE_STATUS_AWAITING)
		ev = CORE_EV_REOPEN;
	else {
		snprintf(err, SD_ERRLEN,
		    "status can only be set to closed "
		    "or reopened (awaiting); answers come with a reply");
		return SD_EINVAL;
	}
	rc = db_begin(db);
	if (rc != SD_OK) {
		snprintf(err, SD_ERRLEN, "database busy: %s", db_errmsg(db));
		return rc;
	}
	in_tx = true;
	rc = req_load(db, actor, tracking, &r, &u, &rel);
	if (rc != SD_OK) {
		core_request_load_err(rc, tracking, db, err);
		goto fail;
	}
	loaded = true;
	if (rel == REL_APPLICANT && ev != CORE_EV_CLOSE) {
		snprintf(err, SD_ERRLEN, "only staff can reopen request %lld",
		    (long long)tracking);
		rc = SD_EPERM;
		goto fail;
	}
	rc = core_status_next(r.status, ev, &next);
	if (rc != SD_OK) {
		snprintf(err, SD_ERRLEN, "request %lld is %s",
		    (long long)tracking,
		    r.status == CORE_STATUS_CLOSED ? "closed" : "not closed");
		goto fail;
	}
	now = sd_clock_now();
	rc = db_request_set_status_due(db, tracking, next, now,
	    next == CORE_STATUS_AWAITING ? req_due_from(env, now) : 0);
	if (rc == SD_OK) {
		snprintf(detail, sizeof(detail), "status=%d->%d", (int)r.status,
		    (int)next);
		rc = core_request_audit(db, actor_audit_id(actor),
		    ev == CORE_EV_CLOSE ? "request.close" : "request.reopen",
		    tracking, detail);
	}
	/* An applicant who closed it knows. */
	if (rc == SD_OK && ev == CORE_EV_CLOSE && rel != REL_APPLICANT)
		rc = core_alert_user(db, env, r.applicant_id, tracking,
		    CORE_ALERT_CLOSED, NULL);
	if (rc == SD_OK)
		rc = db_commit(db);
	if (rc != SD_OK) {
		snprintf(err, SD_ERRLEN, "cannot change status: %s",
		    db_errmsg(db));
		goto fail;
	}
	in_tx = false;
	log_info("core", "request status tracking=%lld status=%d",
	    (long long)tracking, (int)next);
fail:
	if (in_tx)
		db_rollback(db);
	if (loaded) {
		db_request_fini(&r);
		db_user_fini(&u);
	}
	return rc;
}

enum core_esc_verdict
core_request_may_escalate(const struct core_env *env,
    const struct db_request *r, int64_t now, int64_t *due)
{
	const struct core_sla_config *sla = env->sla;

	*due = 0;
	if (sla != NULL && sla->escalation == CORE_ESC_AUTO)
		return CORE_ESCV_AUTO;
	if (r->escalated)
		return CORE_ESCV_ALREADY;
	if (r->status == CORE_STATUS_CLOSED)
		return CORE_ESCV_CLOSED;
	if (r->status == CORE_STATUS_ANSWERED)
		return CORE_ESCV_ANSWERED;
	if (core_request_due(env, r, due) != SD_OK)
		return CORE_ESCV_ERROR;
	return now < *due ? CORE_ESCV_WAIT : CORE_ESCV_OK;
}

enum sd_rc
core_request_escalate(struct db *db, const struct core_env *env,
    const struct core_actor *actor, int64_t tracking, char err[SD_ERRLEN])
{
	struct db_request r;
	struct db_user u;
	enum req_rel rel;
	char detail[48];
	bool in_tx = false, loaded = false;
	enum sd_rc rc;

	core_env_check(env);

	rc = db_begin(db);
	if (rc != SD_OK) {
		snprintf(err, SD_ERRLEN, "database busy: %s", db_errmsg(db));
		return rc;
	}
	in_tx = true;
	rc = req_load(db, actor, tracking, &r, &u, &rel);
	if (rc != SD_OK) {
		core_request_load_err(rc, tracking, db, err);
		goto fail;
	}
	loaded = true;
	if (r.status == CORE_STATUS_CLOSED || r.escalated) {
		snprintf(err, SD_ERRLEN, "request %lld is %s",
		    (long long)tracking,
		    r.escalated ? "already escalated" : "closed");
		rc = SD_ESTATE;
		goto fail;
	}
	rc = db_request_escalate(db, tracking, sd_clock_now());
	if (rc == SD_OK) {
		snprintf(detail, sizeof(detail), "dept=%d by=%s", r.dept,
		    core_actor_kind_name(actor->kind));
		rc = core_request_audit(db, actor_audit_id(actor),
		    "request.escalate", tracking, detail);
	}
	/* The applicant who asked gets their command's answer, not a
	 * second SMS saying the same. */
	if (rc == SD_OK && rel != REL_APPLICANT)
		rc = core_alert_user(db, env, r.applicant_id, tracking,
		    CORE_ALERT_ESCALATED, NULL);
	/* Once: a request is escalated once (SD_ESTATE above). */
	if (rc == SD_OK)
		rc = core_alert_head_office(db, env, tracking, r.dept, r.title);
	if (rc == SD_OK)
		rc = db_commit(db);
	if (rc != SD_OK) {
		snprintf(err, SD_ERRLEN, "cannot escalate: %s", db_errmsg(db));
		goto fail;
	}
	in_tx = false;
	log_info("core", "request escalated tracking=%lld dept=%d by=%s",
	    (long long)tracking, r.dept, core_actor_kind_name(actor->kind));
fail:
	if (in_tx)
		db_rollback(db);
	if (loaded) {
		db_request_fini(&r);
		db_user_fini(&u);
	}
	return rc;
}

enum sd_rc
core_due_from(const struct core_env *env, int64_t since, int64_t *due)
{
	long days = env->sla != NULL ? env->sla->answer_days : 2;

	if (env->cal != NULL)
		return core_calendar_due(env->cal, since, days, due);
	*due = since + days * 86400;
	return SD_OK;
}

enum sd_rc
core_request_due(const struct core_env *env, const struct db_request *r,
    int64_t *due)
{
	return core_due_from(env, r->waiting_since, due);
}

/* Code points dropped at the ends of a thanks: ASCII punctuation, Persian
 * and Arabic punctuation, symbols and emoji (U+2000 on), ZWJ. */
static bool
thanks_trim_cp(uint32_t cp)
{
	return (cp < 0x80 &&
		   !((cp >= '0' && cp <= '9') || (cp >= 'a' && cp <= 'z') ||
		       (cp >= 'A' && cp <= 'Z'))) ||
	    cp == 0x060C || cp == 0x061B || cp == 0x061F || cp == 0x06D4 ||
	    cp == 0x066B || cp == 0x066C || cp >= 0x2000;
}

/* The code point at s (valid UTF-8, at most len bytes) in *cp; its
 * length, 0 at the end. */
static size_t
utf8_at(const char *s, size_t len, uint32_t *cp)
{
	const unsigned char *u = (const unsigned char *)s;
	size_t n, i;

	if (len == 0)
		return 0;
	n = u[0] < 0x80 ? 1 : u[0] < 0xe0 ? 2 : u[0] < 0xf0 ? 3 : 4;
	if (n > len)
		return 0;
	*cp = n == 1 ? u[0] : u[0] & (0xff >> (n + 1));
	for (i = 1; i < n; i++)
		*cp = (*cp << 6) | (u[i] & 0x3f);
	return n;
}

/* s normalized for matching, as a new string (caller frees): normalized,
 * every ZWNJ dropped, ASCII lower-cased, the ends trimmed of
 * thanks_trim_cp() characters and spaces. NULL if s is no text. */
static char *
thanks_key(const char *s)
{
	char err[SD_ERRLEN], *n = NULL, *p, *start, *end;

	if (strlen(s) > SD_TEXT_MAX ||
	    core_text_normalize(s, CORE_NORM_ALL | CORE_NORM_ZWNJ_DROP, &n,
		err) != SD_OK)
		return NULL;
	for (p = n; *p != '\0'; p++)
		if (*p >= 'A' && *p <= 'Z')
			*p = (char)(*p - 'A' + 'a');
	start = n;
	end = n + strlen(n);
	for (;;) { /* the front */
		uint32_t cp;
		size_t len = utf8_at(start, (size_t)(end - start), &cp);

		if (len == 0 || !(cp == ' ' || thanks_trim_cp(cp)))
			break;
		start += len;
	}
	while (end > start) { /* the back: find the last code point */
		char *q = end - 1;
		uint32_t cp;

		while (q > start && ((unsigned char)*q & 0xc0) == 0x80)
			q--;
		if (utf8_at(q, (size_t)(end - q), &cp) == 0 ||
		    !(cp == ' ' || thanks_trim_cp(cp)))
			break;
		end = q;
	}
	memmove(n, start, (size_t)(end - start));
	n[end - start] = '\0';
	return n;
}

bool
core_request_is_thanks(const struct core_env *env, const char *text)
{
	const char *list = env->sms != NULL ? env->sms->thanks_phrases :
					      CORE_THANKS_DEFAULT;
	char *key, *phrases, *p, *save = NULL;
	bool yes = false;

	if (text == NULL || (key = thanks_key(text)) == NULL)
		return false;
	phrases = xstrdup(list);
	for (p = strtok_r(phrases, ",", &save); p != NULL && !yes;
	     p = strtok_r(NULL, ",", &save)) {
		char *k = thanks_key(p);

		yes = k != NULL && k[0] != '\0' && strcmp(k, key) == 0;
		free(k);
	}
	free(phrases);
	free(key);
	return yes;
}

/* Escalate tracking for the system if it is still due; *done
 * when it was. The check and core_request_escalate() share one
 * transaction, so an answer that came meanwhile keeps it where it is. */
static enum sd_rc
sla_escalate_one(struct db *db, const struct core_env *env, int64_t tracking,
    int64_t now, bool *done)
{
	struct db_request r;
	char err[SD_ERRLEN];
	int64_t due = 0;
	bool due_now;
	enum sd_rc rc;

	*done = false;
	rc = db_begin(db);
	if (rc != SD_OK)
		return rc;
	rc = db_request_get(db, tracking, &r);
	if (rc != SD_OK) {
		db_rollback(db);
		return rc == SD_ENOTFOUND ? SD_OK : rc;
	}
	rc = core_request_due(env, &r, &due);
	due_now = r.status == CORE_STATUS_AWAITING && !r.escalated &&
	    now >= due;
	db_request_fini(&r);
	if (rc == SD_OK && due_now)
		rc = core_request_escalate(db, env, &core_actor_system,
		    tracking, err);
	if (rc == SD_OK && due_now)
		rc = db_commit(db);
	else
		db_rollback(db);
	*done = rc == SD_OK && due_now;
	return rc;
}

enum sd_rc
core_sla_sweep(struct db *db, const struct core_env *env, size_t *escalated,
    char err[SD_ERRLEN])
{
	enum { SWEEP_BATCH = 256 };
	struct db_request_age rows[SWEEP_BATCH], last;
	int64_t now = sd_clock_now(), before;
	bool more = false;
	long days;
	size_t n = 0, i, failed = 0;
	enum sd_rc rc, first = SD_OK;

	*escalated = 0;
	core_env_check(env);
	if (env->sla == NULL || env->sla->escalation == CORE_ESC_APPLICANT)
		return SD_OK;
	/* No escalation at night (issue #11): due times lie in office
	 * hours, and one found past them (a request due at a close, or serve
	 * down for a while) waits for the next opening, when the head's
	 * office is there to read it. */
	if (env->cal != NULL && !core_calendar_in_office(env->cal, now)) {
		log_debug("sla", "outside office hours, nothing escalated");
		return SD_OK;
	}
	days = env->sla->answer_days;
	/* N working days of office time take N days at least, so span more
	 * than N - 1 whole days (an hour spared for a clock change): only
	 * requests older than that can be due. */
	before = now - (days - 1) * 86400 + 3600;
	do {
		rc = db_request_awaiting(db, before, more ? &last : NULL,
		    SWEEP_BATCH, rows, &n);
		if (rc != SD_OK) {
			snprintf(err, SD_ERRLEN, "sla sweep: %s",
			    db_errmsg(db));
			return rc;
		}
		for (i = 0; i < n; i++) {
			bool done;

			rc = sla_escalate_one(db, env, rows[i].tracking, now,
			    &done);
			if (rc != SD_OK) {
				if (failed++ == 0) {
					first = rc;
					snprintf(err, SD_ERRLEN,
					    "escalating %lld: %s",
					    (long long)rows[i].tracking,
					    db_errmsg(db));
				}
				continue;
			}
			if (done)
				(*escalated)++;
		}
		/* Rows not due in working days stay awaiting: go on after
		 * the last one seen, never around again. */
		if (n > 0) {
			last = rows[n - 1];
			more = true;
		}
	} while (n == SWEEP_BATCH && failed == 0);
	return failed > 0 ? first : SD_OK;
}

enum sd_rc
core_request_get(struct db *db, const struct core_actor *actor,
    int64_t tracking, struct db_request *out)
{
	struct db_user u;
	enum req_rel rel;
	enum sd_rc rc;

	rc = req_load(db, actor, tracking, out, &u, &rel);
	if (rc == SD_OK)
		db_user_fini(&u);
	return rc;
}

enum sd_rc
core_request_get_staff(struct db *db, const struct core_actor *actor,
    int64_t tracking, struct db_request *out)
{
	struct db_user u;
	enum req_rel rel;
	enum sd_rc rc;

	rc = req_load(db, actor, tracking, out, &u, &rel);
	if (rc != SD_OK)
		return rc;
	db_user_fini(&u);
	if (rel != REL_STAFF) {
		db_request_fini(out);
		memset(out, 0, sizeof(*out));
		return SD_ENOTFOUND;
	}
	return SD_OK;
}

enum sd_rc
core_request_thread(struct db *db, const struct core_actor *actor,
    int64_t tracking, struct db_message **msgs, size_t *n)
{
	struct db_request r;
	enum sd_rc rc;

	*msgs = NULL;
	*n = 0;
	rc = core_request_get(db, actor, tracking, &r);
	if (rc != SD_OK)
		return rc;
	db_request_fini(&r);
	return db_message_list(db, tracking, msgs, n);
}

enum sd_rc
core_request_list_mine(struct db *db, const struct core_actor *actor,
    size_t limit, struct db_request **rows, size_t *n)
{
	*rows = NULL;
	*n = 0;
	if (actor_check(actor) != SD_OK || !actor_person(actor))
		return SD_EINVAL;
	if (limit == 0 || limit > SD_LIST_MAX)
		limit = SD_LIST_MAX;
	return db_request_list_by_applicant(db, actor->id, limit, rows, n);
}

enum sd_rc
core_request_list_waiting(struct db *db, const struct core_actor *actor,
    size_t limit, struct db_request **rows, size_t *n)
{
	*rows = NULL;
	*n = 0;
	if (actor_check(actor) != SD_OK || !actor_person(actor) ||
	    actor->kind == CORE_ACTOR_APPLICANT)
		return SD_EINVAL;
	if (limit == 0 || limit > SD_LIST_MAX)
		limit = SD_LIST_MAX;
	return db_request_waiting_for(db,
	    actor->kind == CORE_ACTOR_STAFF ? actor->id : 0, limit, rows, n);
}
