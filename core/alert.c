/*
 * core/alert.c: SMS alerts that follow a change of a request: an answer,
 * a closure, an escalation to the head's office (to the applicant, unless
 * they sent STOP; and to the head's office itself, once per request), and
 * a new very urgent request (to the department's
 * staff, when the department wants it). Each is queued in the same
 * transaction as the change, as kind alert (after OTPs and replies).
 *
 * Very urgent alerts are bounded (issue #9): past [alerts]
 * very_urgent_per_applicant_hour alerted requests of one applicant, or
 * very_urgent_per_dept_hour of one department, in the last hour, a very
 * urgent request is marked held (requests.staff_alert) instead, and
 * core_alert_digest() later sends each staff member one SMS with the
 * tracking numbers of the held ones, at most every digest_every_min
 * minutes (its last one is an audit row "alert.digest" on "user:ID",
 * whose "upto=T" says what it covered).
 *
 * Quiet hours (issue #11): an alert that is not urgent, queued within
 * [sms] quiet_hours (22:00-07:00 Tehran time by default), waits in the
 * outbox until the quiet period ends (not_before): an answer's, a
 * closure's and an escalation's alert to the applicant, and the digest
 * (no digest run happens then; the next one after the quiet period lists
 * what was held). Urgent ones go at once: a very urgent request's alert
 * to its department's staff (the department asked for them) and the
 * head's office's escalation alert (the SLA sweep escalates only in
 * office hours, so at night that is an applicant's own ESCALATE). OTPs
 * and replies to a command are not alerts and are never held.
 */
#include "core/core.h"

#include <assert.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/base/clock.h"
#include "core/base/log.h"
#include "core/core_int.h"

/* The buffer of an alert's text. */
#define ALERT_TEXT_MAX 1024
/* Characters of an answer quoted in an alert. */
#define ALERT_EXCERPT 40
/* [alerts] defaults, for an env without the section (tests, tools). */
#define ALERT_VU_APPLICANT_DEF 2
#define ALERT_VU_DEPT_DEF 10
#define ALERT_DIGEST_MIN_DEF 60
/* A digest counts up to this many held requests and lists the first
 * DIGEST_SHOW tracking numbers (two SMS parts). */
#define DIGEST_LIST_MAX 1000
#define DIGEST_SHOW 8
/* Staff members served by one digest run (the next run does the rest). */
#define DIGEST_STAFF_MAX 256
/* Held requests older than this get no digest. */
#define DIGEST_WINDOW_S 86400

const struct core_env core_env_no_sms = {
    .base_url = "",
    .effects = CORE_FX_NONE,
};

void
core_env_check(const struct core_env *env)
{
	assert(env != NULL);
	assert(env->effects == CORE_FX_SMS || env->effects == CORE_FX_NONE);
	(void)env; /* NDEBUG */
}

bool
core_env_sms(const struct core_env *env)
{
	core_env_check(env);
	return env->effects == CORE_FX_SMS;
}

/* [sms] quiet_hours of env, NULL for the default. */
static const char *
alert_quiet_spec(const struct core_env *env)
{
	return env->sms != NULL ? env->sms->quiet_hours : NULL;
}

/* Queue text (a buffer of ALERT_TEXT_MAX bytes, which it signs and fits
 * to [sms] max_reply_parts, link kept) as an alert to mobile; one that is
 * not urgent waits for the end of the quiet hours it is created in. */
static enum sd_rc
alert_queue(struct db *db, const struct core_env *env, const char *mobile,
    int64_t tracking, char *text, const char *link, bool urgent)
{
	long parts = env->sms != NULL ? env->sms->max_reply_parts : 2;
	struct core_out m;
	enum sd_rc rc;

	core_out_compose(env, false, true, text, ALERT_TEXT_MAX, link, parts);
	memset(&m, 0, sizeof(m));
	m.kind = CORE_OUT_ALERT;
	m.dest = mobile;
	m.text = text;
	m.tracking = tracking;
	if (!urgent) {
		rc = core_quiet_end(alert_quiet_spec(env), sd_clock_now(),
		    &m.not_before);
		if (rc != SD_OK)
			return rc;
		if (m.not_before != 0)
			log_debug("alert",
			    "quiet hours: held tracking=%lld not_before=%lld",
			    (long long)tracking, (long long)m.not_before);
	}
	return core_out_queue(db, &m, NULL);
}

enum sd_rc
core_alert_user(struct db *db, const struct core_env *env, int64_t user_id,
    int64_t tracking, enum core_alert a, const char *excerpt)
{
	char text[ALERT_TEXT_MAX] = "", link[SD_CONF_VALUE_MAX + 32],
	     ex[256] = "";
	struct db_user u;
	enum sd_rc rc;

	if (!core_env_sms(env))
		return SD_OK;
	rc = db_user_get(db, user_id, &u);
	if (rc != SD_OK)
		return rc;
	if (u.alerts_off) {
		log_debug("core", "alert not sent (STOP) tracking=%lld",
		    (long long)tracking);
		db_user_fini(&u);
		return SD_OK;
	}
	core_link(db, env, tracking, u.mobile, sd_clock_now(), link,
	    sizeof(link));
	switch (a) {
	case CORE_ALERT_ANSWER:
		core_excerpt(excerpt != NULL ? excerpt : "", ALERT_EXCERPT, ex,
		    sizeof(ex));
		core_txt_add(text, sizeof(text), false, CORE_TXT_ALERT_ANSWER,
		    (long long)tracking, ex, link);
		break;
	case CORE_ALERT_CLOSED:
		core_txt_add(text, sizeof(text), false, CORE_TXT_ALERT_CLOSED,
		    (long long)tracking, link);
		break;
	case CORE_ALERT_ESCALATED:
		core_txt_add(text, sizeof(text), false,
		    CORE_TXT_ALERT_ESCALATED, (long long)tracking, link);
		break;
	}
	rc = alert_queue(db, env, u.mobile, tracking, text, link, false);
	db_user_fini(&u);
	return rc;
}

/* The limits of [alerts], or their defaults when env has none. */
static void
alert_limits(const struct core_env *env, long *per_applicant, long *per_dept,
    long *every_s)
{
	const struct core_alert_config *a = env->alerts;

	*per_applicant = a != NULL ? a->very_urgent_per_applicant_hour :
				     ALERT_VU_APPLICANT_DEF;
	*per_dept = a != NULL ? a->very_urgent_per_dept_hour :
				ALERT_VU_DEPT_DEF;
	*every_s = (a != NULL ? a->digest_every_min : ALERT_DIGEST_MIN_DEF) *
	    60;
}

enum sd_rc
core_alert_very_urgent(struct db *db, const struct core_env *env,
    int64_t tracking, int dept, int64_t applicant_id, const char *title)
{
	char text[ALERT_TEXT_MAX], link[SD_CONF_VALUE_MAX + 32], ex[256] = "";
	struct db_user *staff = NULL;
	struct db_dept d;
	int64_t since = sd_clock_now() - 3600, by_applicant = 0, by_dept = 0;
	long per_applicant, per_dept, every_s;
	size_t n = 0, i;
	enum sd_rc rc;

	if (!core_env_sms(env))
		return SD_OK;
	rc = db_dept_get(db, dept, &d);
	if (rc != SD_OK)
		return rc;
	if (!d.alert_very_urgent) {
		db_dept_fini(&d);
		return SD_OK;
	}
	/* One sender's very urgent requests must not turn into a flood of
	 * SMS to a department's staff, each quoting the sender: past the
	 * hourly limits they wait for the digest. Counted from the requests
	 * table, so a restart forgets nothing. */
	alert_limits(env, &per_applicant, &per_dept, &every_s);
	rc = db_request_alerted_since(db, applicant_id, 0, since,
	    &by_applicant);
	if (rc == SD_OK)
		rc = db_request_alerted_since(db, 0, dept, since, &by_dept);
	if (rc == SD_OK &&
	    (by_applicant >= per_applicant || by_dept >= per_dept)) {
		log_info("alert",
		    "very urgent held for the digest "
		    "tracking=%lld dept=%d applicant_hour=%lld dept_hour=%lld",
		    (long long)tracking, dept, (long long)by_applicant,
		    (long long)by_dept);
		rc = db_request_set_staff_alert(db, tracking,
		    DB_STAFF_ALERT_HELD);
		db_dept_fini(&d);
		return rc;
	}
	if (rc == SD_OK)
		rc = db_request_set_staff_alert(db, tracking,
		    DB_STAFF_ALERT_SENT);
	if (rc == SD_OK)
		rc = db_staff_of_dept(db, dept, &staff, &n);
	core_excerpt(title, ALERT_EXCERPT, ex, sizeof(ex));
	for (i = 0; i < n && rc == SD_OK; i++) {
		if (staff[i].alerts_off)
			continue;
		/* Each phone its own signed link. */
		core_link(db, env, tracking, staff[i].mobile, sd_clock_now(),
		    link, sizeof(link));
		text[0] = '\0';
		core_txt_add(text, sizeof(text), false,
		    CORE_TXT_ALERT_VERY_URGENT, (long long)tracking, d.name, ex,
		    link);
		rc = alert_queue(db, env, staff[i].mobile, tracking, text, link,
		    true);
	}
	db_user_list_free(staff, n);
	db_dept_fini(&d);
	return rc;
}

enum sd_rc
core_alert_head_office(struct db *db, const struct core_env *env,
    int64_t tracking, int dept, const char *title)
{
	char text[ALERT_TEXT_MAX], link[SD_CONF_VALUE_MAX + 32], ex[256] = "";
	struct db_user *head = NULL;
	struct db_dept d;
	size_t n = 0, i, sent = 0;
	enum sd_rc rc;

	if (!core_env_sms(env))
		return SD_OK;
	rc = db_dept_get(db, dept, &d);
	if (rc != SD_OK)
		return rc;
	rc = db_user_head_office(db, CORE_DEPT_HEAD, &head, &n);
	core_excerpt(title, ALERT_EXCERPT, ex, sizeof(ex));
	for (i = 0; i < n && rc == SD_OK; i++) {
		if (head[i].alerts_off)
			continue;
		core_link(db, env, tracking, head[i].mobile, sd_clock_now(),
		    link, sizeof(link));
		text[0] = '\0';
		core_txt_add(text, sizeof(text), false, CORE_TXT_ALERT_HEAD,
		    (long long)tracking, d.name, ex, link);
		rc = alert_queue(db, env, head[i].mobile, tracking, text, link,
		    true);
		sent++;
	}
	if (rc == SD_OK && n == 0)
		log_warnx("alert",
		    "escalated request alerts no one: the head's office "
		    "has no staff tracking=%lld",
		    (long long)tracking);
	else if (rc == SD_OK)
		log_info("alert", "head's office alerted tracking=%lld n=%zu",
		    (long long)tracking, sent);
	db_user_list_free(head, n);
	db_dept_fini(&d);
	return rc;
}

/* One staff member's digest, in its own transaction; *done if queued. */
static enum sd_rc
digest_one(struct db *db, const struct core_env *env, int64_t user_id,
    int64_t now, int64_t since, long every_s, bool *done)
{
	int64_t held[DIGEST_LIST_MAX], at = 0;
	long long upto = 0;
	char object[32], detail[64], list[DIGEST_LIST_MAX * 24];
	char text[ALERT_TEXT_MAX] = "";
	struct db_user u;
	size_t n = 0, i;
	bool have_user = false;
	enum sd_rc rc;

	*done = false;
	rc = db_begin(db);
	if (rc != SD_OK)
		return rc;
	rc = db_user_get(db, user_id, &u);
	if (rc != SD_OK)
		goto out;
	have_user = true;
	if (u.alerts_off)
		goto out;
	snprintf(object, sizeof(object), "user:%lld", (long long)user_id);
	rc = db_audit_last(db, object, "alert.digest", &at, detail,
	    sizeof(detail));
	if (rc == SD_OK) {
		if (now - at < every_s)
			goto out; /* not again so soon */
		if (sscanf(detail, "upto=%lld", &upto) != 1)
			upto = 0;
	} else if (rc == SD_ENOTFOUND) {
		rc = SD_OK;
	} else {
		goto out;
	}
	rc = db_request_held_for(db, user_id, (int64_t)upto, since, held,
	    DIGEST_LIST_MAX, &n);
	if (rc != SD_OK || n == 0)
		goto out;
	/* Tracking numbers only: nothing a sender wrote. */
	list[0] = '\0';
	for (i = 0; i < n && i < DIGEST_SHOW; i++)
		snprintf(list + strlen(list), sizeof(list) - strlen(list),
		    "%s%lld", i > 0 ? "، " : "", (long long)held[i]);
	if (n > DIGEST_SHOW)
		snprintf(list + strlen(list), sizeof(list) - strlen(list),
		    "، …");
	core_txt_add(text, sizeof(text), false, CORE_TXT_ALERT_DIGEST,
	    (long long)n, list, env->base_url != NULL ? env->base_url : "");
	rc = alert_queue(db, env, u.mobile, 0, text,
	    env->base_url != NULL ? env->base_url : "", false);
	if (rc == SD_OK) {
		snprintf(detail, sizeof(detail), "upto=%lld n=%zu",
		    (long long)held[n - 1], n);
		rc = db_audit_add(db, 0, "alert.digest", object, detail);
	}
	if (rc == SD_OK)
		rc = db_commit(db);
	if (rc == SD_OK) {
		*done = true;
		have_user = false;
		db_user_fini(&u);
		return SD_OK;
	}
out:
	db_rollback(db);
	if (have_user)
		db_user_fini(&u);
	return rc;
}

enum sd_rc
core_alert_digest(struct db *db, const struct core_env *env, size_t *sent,
    char err[SD_ERRLEN])
{
	int64_t ids[DIGEST_STAFF_MAX], now = sd_clock_now(), quiet = 0;
	long per_applicant, per_dept, every_s;
	size_t n = 0, i;
	bool done;
	enum sd_rc rc, first = SD_OK;

	*sent = 0;
	if (!core_env_sms(env))
		return SD_OK;
	/* Quiet hours: no digest now; the first run after them lists what
	 * was held meanwhile (a day's worth, DIGEST_WINDOW_S). */
	rc = core_quiet_end(alert_quiet_spec(env), now, &quiet);
	if (rc != SD_OK) {
		snprintf(err, SD_ERRLEN, "alert digest: no Tehran time");
		return rc;
	}
	if (quiet != 0)
		return SD_OK;
	alert_limits(env, &per_applicant, &per_dept, &every_s);
	/* A request held for more than a day is in the staff's web inbox;
	 * a digest would not make it more urgent. */
	rc = db_request_held_staff(db, now - DIGEST_WINDOW_S, ids,
	    DIGEST_STAFF_MAX, &n);
	if (rc != SD_OK) {
		snprintf(err, SD_ERRLEN, "alert digest: %s", db_errmsg(db));
		return rc;
	}
	for (i = 0; i < n; i++) {
		rc = digest_one(db, env, ids[i], now, now - DIGEST_WINDOW_S,
		    every_s, &done);
		if (rc != SD_OK && first == SD_OK) {
			first = rc;
			snprintf(err, SD_ERRLEN,
			    "alert digest to user %lld: %s", (long long)ids[i],
			    db_errmsg(db));
		}
		if (done)
			(*sent)++;
	}
	if (*sent > 0)
		log_info("alert", "very urgent digests sent n=%zu", *sent);
	return first;
}
