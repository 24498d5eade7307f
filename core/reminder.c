/*
 * core/reminder.c: the one-working-day reminder of issue #14. When one
 * working day of office time is left before an awaiting request's
 * deadline, each active staff member of its department (not disabled,
 * alerts on) gets one SMS listing all such requests of theirs: a digest
 * per staff member per run, never one SMS per request. The SMS are
 * queued and the requests marked (requests.reminded = waiting_since) in
 * one transaction, so a second run, or a run after a restart, finds
 * nothing left to say; a follow-up after an answer starts a new waiting
 * period, which is reminded of again.
 *
 * Like the very urgent digest (core/alert.c), it runs only outside quiet
 * hours, and like the escalation (core_sla_sweep) only in office hours:
 * the reminder is for people at their desks.
 */
#include "core/core.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/base/clock.h"
#include "core/base/log.h"
#include "core/base/xmalloc.h"
#include "core/core_int.h"

/* Requests read at once; a run reads batches until none is left. */
#define REMIND_BATCH 512
/* Waiting periods older than this are past any deadline (N working days
 * never span a month, long holidays included): never looked at. */
#define REMIND_WINDOW_S (30 * 86400)
/* Staff of one department. */
#define REMIND_STAFF_MAX 256
/* An SMS's text buffer and its parts (UCS-2: 4 * 67 characters). */
#define REMIND_TEXT_MAX 2048
#define REMIND_PARTS 4
/* Characters of a title in a line. */
#define REMIND_TITLE_CHARS 22
/* Reserve for "و N درخواست دیگر", the signature and the link. */
#define REMIND_RESERVE_UNITS 80

/* One staff member's digest being built. */
struct remind_to {
	int64_t id;
	char mobile[SD_MOBILE_LEN];
	char text[REMIND_TEXT_MAX];
	size_t listed; /* requests in text */
	size_t more;   /* requests that did not fit */
};

/* Add request r's line to t's text if it still fits REMIND_PARTS parts
 * with the reserve; else count it as one more. */
static void
remind_add(struct remind_to *t, const struct db_remind *r)
{
	char line[256], ex[160] = "", cand[REMIND_TEXT_MAX];
	struct core_sms_count c;

	if (t->more == 0) {
		core_excerpt(r->title, REMIND_TITLE_CHARS, ex, sizeof(ex));
		snprintf(line, sizeof(line), "\n%lld %s",
		    (long long)r->tracking, ex);
		if (strlen(t->text) + strlen(line) < sizeof(cand)) {
			snprintf(cand, sizeof(cand), "%s%s", t->text, line);
			if (core_sms_count(cand, strlen(cand), 0, &c, NULL, 0,
				NULL) == SD_OK &&
			    c.units + REMIND_RESERVE_UNITS <=
				REMIND_PARTS * CORE_SMS_UCS2_PART) {
				memcpy(t->text, cand, strlen(cand) + 1);
				t->listed++;
				return;
			}
		}
	}
	t->more++;
}

/* The staff entry for id in to[0..*n), added with mobile if new. */
static struct remind_to *
remind_find(struct remind_to **to, size_t *n, size_t *cap, int64_t id,
    const char *mobile)
{
	size_t i;

	for (i = 0; i < *n; i++)
		if ((*to)[i].id == id)
			return &(*to)[i];
	if (*n == *cap) {
		*cap = *cap == 0 ? 8 : *cap * 2;
		*to = xrealloc(*to, *cap * sizeof(**to));
	}
	memset(&(*to)[*n], 0, sizeof(**to));
	(*to)[*n].id = id;
	snprintf((*to)[*n].mobile, SD_MOBILE_LEN, "%s", mobile);
	snprintf((*to)[*n].text, REMIND_TEXT_MAX, "%s",
	    core_sa_txt(CORE_SA_REMIND_HEAD));
	return &(*to)[(*n)++];
}

/* Whether request r is in its last working day at now. */
static enum sd_rc
remind_due(const struct core_env *env, const struct db_remind *r, long days,
    int64_t now, bool *yes)
{
	int64_t deadline = 0, at = 0;
	enum sd_rc rc;

	*yes = false;
	rc = core_calendar_due(env->cal, r->waiting_since, days, &deadline);
	if (rc == SD_OK)
		rc = core_calendar_due(env->cal, r->waiting_since,
		    days > 1 ? days - 1 : 0, &at);
	if (rc == SD_OK)
		*yes = now >= at && now < deadline;
	return rc;
}

/* The candidates in their last working day at now, read in batches by
 * tracking (requests past their deadline stay candidates: they cannot
 * hide the others), into *due (owned) in one snapshot: no write lock is
 * taken for a minute with nothing to remind. */
static enum sd_rc
remind_collect(struct db *db, const struct core_env *env, long days,
    int64_t now, int64_t before, struct db_remind **due, size_t *n_due)
{
	struct db_remind *rows = NULL;
	size_t n = 0, i, cap = 0;
	int64_t after = 0;
	enum sd_rc rc = db_read_begin(db);

	*due = NULL;
	*n_due = 0;
	if (rc != SD_OK)
		return rc;
	do {
		db_remind_list_free(rows, n);
		rows = NULL;
		n = 0;
		rc = db_remind_candidates(db, now - REMIND_WINDOW_S, before,
		    after, REMIND_BATCH, &rows, &n);
		if (rc == SD_OK && n > 0)
			after = rows[n - 1].tracking;
		for (i = 0; i < n && rc == SD_OK; i++) {
			bool yes;

			rc = remind_due(env, &rows[i], days, now, &yes);
			if (rc != SD_OK || !yes)
				continue;
			if (*n_due == cap) {
				cap = cap == 0 ? 16 : cap * 2;
				*due = xrealloc(*due, cap * sizeof(**due));
			}
			(*due)[(*n_due)++] = rows[i];
			rows[i].title = NULL; /* now *due's */
		}
	} while (rc == SD_OK && n == REMIND_BATCH);
	db_remind_list_free(rows, n);
	db_read_end(db);
	return rc;
}

/* due[0..n) added to the staff's digests in *to and marked reminded, in
 * the caller's transaction; one changed since it was read is left out.
 * *reminded counts them. */
static enum sd_rc
remind_mark(struct db *db, const struct db_remind *due, size_t n,
    struct remind_to **to, size_t *n_to, size_t *cap_to, size_t *reminded)
{
	int64_t ids[REMIND_STAFF_MAX];
	char mobiles[REMIND_STAFF_MAX][SD_MOBILE_LEN];
	size_t i, j, n_staff = 0;
	enum sd_rc rc = SD_OK;

	for (i = 0; i < n && rc == SD_OK; i++) {
		/* Marked even with no one to tell: the inbox shows it. */
		rc = db_remind_mark(db, due[i].tracking, due[i].waiting_since);
		if (rc == SD_ENOTFOUND) {
			rc = SD_OK;
			continue;
		}
		if (rc == SD_OK)
			rc = db_remind_staff(db, due[i].dept, ids, mobiles,
			    REMIND_STAFF_MAX, &n_staff);
		for (j = 0; j < n_staff && rc == SD_OK; j++)
			remind_add(remind_find(to, n_to, cap_to, ids[j],
				       mobiles[j]),
			    &due[i]);
		if (rc == SD_OK)
			(*reminded)++;
	}
	return rc;
}

enum sd_rc
core_reminder_sweep(struct db *db, const struct core_env *env, size_t *sent,
    size_t *reminded, char err[SD_ERRLEN])
{
	int64_t now = sd_clock_now(), quiet = 0, before;
	struct db_remind *rows = NULL;
	struct remind_to *to = NULL;
	size_t n = 0, n_to = 0, cap_to = 0, i;
	const char *link;
	long days;
	enum sd_rc rc;

	*sent = 0;
	*reminded = 0;
	core_env_check(env);
	if (!core_env_sms(env) || env->cal == NULL || env->sla == NULL)
		return SD_OK;
	if (!core_calendar_in_office(env->cal, now))
		return SD_OK;
	rc = core_quiet_end(env->sms != NULL ? env->sms->quiet_hours : NULL,
	    now, &quiet);
	if (rc != SD_OK) {
		snprintf(err, SD_ERRLEN, "reminder: no Tehran time");
		return rc;
	}
	if (quiet != 0)
		return SD_OK;
	days = env->sla->answer_days > 0 ? env->sla->answer_days : 2;
	/* days - 1 working days of office time span more than days - 2
	 * whole days (an hour spared for a clock change). */
	before = days >= 2 ? now - (days - 2) * 86400 + 3600 : now;
	link = env->base_url != NULL ? env->base_url : "";

	rc = remind_collect(db, env, days, now, before, &rows, &n);
	if (rc == SD_OK && n == 0)
		return SD_OK;
	if (rc == SD_OK)
		rc = db_begin(db);
	if (rc != SD_OK) {
		snprintf(err, SD_ERRLEN, "reminder: %s", db_errmsg(db));
		db_remind_list_free(rows, n);
		return rc;
	}
	rc = remind_mark(db, rows, n, &to, &n_to, &cap_to, reminded);
	for (i = 0; i < n_to && rc == SD_OK; i++) {
		struct core_out m;
		char more[64], num[24];

		if (to[i].more > 0) {
			const char *f = core_sa_txt(CORE_SA_REMIND_MORE);
			const char *q = strstr(f, "%s");

			snprintf(num, sizeof(num), "%zu", to[i].more);
			snprintf(more, sizeof(more), "\n%.*s%s%s",
			    q != NULL ? (int)(q - f) : 0, f, num,
			    q != NULL ? q + 2 : "");
			if (strlen(to[i].text) + strlen(more) <
			    sizeof(to[i].text))
				strcat(to[i].text, more);
		}
		if (link[0] != '\0' &&
		    strlen(to[i].text) + strlen(link) + 8 < sizeof(to[i].text))
			snprintf(to[i].text + strlen(to[i].text),
			    sizeof(to[i].text) - strlen(to[i].text),
			    "\n%s/staff", link);
		core_out_compose(env, false, true, to[i].text,
		    sizeof(to[i].text), link, REMIND_PARTS);
		memset(&m, 0, sizeof(m));
		m.kind = CORE_OUT_ALERT;
		m.dest = to[i].mobile;
		m.text = to[i].text;
		rc = core_out_queue(db, &m, NULL);
		if (rc == SD_OK)
			(*sent)++;
	}
	if (rc == SD_OK && *reminded > 0) {
		char detail[64];

		snprintf(detail, sizeof(detail), "requests=%zu sms=%zu",
		    *reminded, *sent);
		rc = db_audit_add(db, 0, "remind.digest", "sla", detail);
	}
	if (rc == SD_OK)
		rc = db_commit(db);
	if (rc != SD_OK) {
		snprintf(err, SD_ERRLEN, "reminder: %s", db_errmsg(db));
		db_rollback(db);
		*sent = 0;
		*reminded = 0;
	} else if (*reminded > 0) {
		log_info("sla", "reminders requests=%zu sms=%zu", *reminded,
		    *sent);
	}
	db_remind_list_free(rows, n);
	free(to);
	return rc;
}
