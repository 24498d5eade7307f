/*
 * core/inbox_staff.c: the staff inbox (issue #14): who sees which
 * requests, what the search box means, and the upkeep of requests.due.
 *
 * Who: staff see their departments' requests (staff_departments), and
 * the escalated ones too when they are in the head's office
 * (CORE_DEPT_HEAD); the head and admins see all, as req_load() in
 * core/request.c decides for one request. The actor's kind must be its
 * stored role's: anyone else is told SD_ENOTFOUND (the page is then "not
 * found", like a missing one).
 *
 * The search box: digits (ASCII, Persian or Arabic-Indic; spaces and
 * dashes between them allowed) that parse as an Iranian mobile
 * (09.., +98.., 98.., 9..) search the applicant with that number; other
 * digits a tracking number; anything else words of the subject and the
 * first message (db/fts.c).
 */
#include "core/core.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/base/clock.h"
#include "core/base/log.h"
#include "core/base/xmalloc.h"
#include "core/core_int.h"

/* Digits of s (ASCII, Persian, Arabic-Indic) as ASCII into out (cap
 * bytes), a leading '+' kept; spaces, dashes, dots and parentheses
 * skipped. False if s has anything else, or no digit, or too many. */
static bool
inbox_digits(const char *s, char *out, size_t cap)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t o = 0;

	while (*p == ' ')
		p++;
	if (*p == '+' && o + 1 < cap) {
		out[o++] = '+';
		p++;
	}
	while (*p != '\0') {
		if (*p >= '0' && *p <= '9') {
			if (o + 1 >= cap)
				return false;
			out[o++] = (char)*p++;
		} else if ((p[0] == 0xDB && p[1] >= 0xB0 && p[1] <= 0xB9) ||
		    (p[0] == 0xD9 && p[1] >= 0xA0 && p[1] <= 0xA9)) {
			if (o + 1 >= cap)
				return false;
			out[o++] = (char)('0' + (p[1] & 0x0F));
			p += 2;
		} else if (*p == ' ' || *p == '-' || *p == '.' || *p == '(' ||
		    *p == ')')
			p++;
		else
			return false;
	}
	out[o] = '\0';
	return o > 0 && !(o == 1 && out[0] == '+');
}

enum sd_rc
core_inbox_search_parse(const char *q, struct core_inbox_search *out)
{
	char d[32], e164[SD_MOBILE_LEN], err[SD_ERRLEN];
	size_t len;

	memset(out, 0, sizeof(*out));
	out->kind = CORE_ISEARCH_NONE;
	if (q == NULL)
		return SD_OK;
	while (*q == ' ')
		q++;
	if (*q == '\0')
		return SD_OK;
	if (inbox_digits(q, d, sizeof(d))) {
		len = strlen(d);
		/* Ten digits and more (9131111111, 09.., 98.., +98..): a
		 * mobile; a tracking number is far shorter. */
		if (len >= 10 && core_mobile_parse(d, e164, err) == SD_OK) {
			out->kind = CORE_ISEARCH_MOBILE;
			snprintf(out->mobile, sizeof(out->mobile), "%s", e164);
			return SD_OK;
		}
		if (d[0] != '+' && len <= 15) {
			out->kind = CORE_ISEARCH_TRACKING;
			out->tracking = strtoll(d, NULL, 10);
			if (out->tracking <= 0)
				out->kind = CORE_ISEARCH_NOTHING;
			return SD_OK;
		}
		out->kind = CORE_ISEARCH_NOTHING;
		return SD_OK;
	}
	if (strlen(q) > DB_FTS_QUERY_MAX)
		return SD_ETOOBIG;
	out->kind = CORE_ISEARCH_WORDS;
	out->words = q;
	return SD_OK;
}

void
core_inbox_page_fini(struct core_inbox_page *p)
{
	if (p == NULL)
		return;
	db_sinbox_rows_free(p->rows, p->n);
	p->rows = NULL;
	p->n = 0;
}

enum sd_rc
core_inbox_staff(struct db *db, const struct core_actor *actor,
    const struct core_inbox_query *q, struct core_inbox_page *out)
{
	struct db_sinbox_filter f;
	struct core_inbox_search s;
	struct db_user u;
	enum core_role role;
	enum sd_rc rc;
	bool head_office = false;

	memset(out, 0, sizeof(*out));
	/* Rights need the kind and the stored role both. */
	rc = core_staff_role(db, actor, &role);
	if (rc == SD_EINVAL)
		rc = SD_ENOTFOUND;
	if (rc != SD_OK)
		return rc;
	if (actor->kind == CORE_ACTOR_STAFF) {
		rc = db_staff_in_dept(db, actor->id, CORE_DEPT_HEAD,
		    &head_office);
		if (rc != SD_OK)
			return rc;
	}
	rc = core_inbox_search_parse(q->q, &s);
	if (rc != SD_OK)
		return rc;

	memset(&f, 0, sizeof(f));
	f.viewer = actor->id;
	f.all = actor->kind != CORE_ACTOR_STAFF;
	f.head_office = head_office;
	f.status = q->status;
	f.prio = q->prio;
	f.dept = q->dept;
	f.overdue = q->overdue;
	f.mine = q->mine;
	f.now = q->now != 0 ? q->now : sd_clock_now();
	out->now = f.now;
	out->per_page = CORE_INBOX_PER_PAGE;
	out->page = q->page >= 1 ? q->page : 1;
	if (out->page > CORE_INBOX_PAGES_MAX)
		out->page = CORE_INBOX_PAGES_MAX;
	f.limit = CORE_INBOX_PER_PAGE;
	f.offset = (out->page - 1) * CORE_INBOX_PER_PAGE;
	out->search = s.kind;
	switch (s.kind) {
	case CORE_ISEARCH_NONE: break;
	case CORE_ISEARCH_NOTHING: return SD_OK; /* no such request */
	case CORE_ISEARCH_TRACKING: f.tracking = s.tracking; break;
	case CORE_ISEARCH_WORDS: f.words = s.words; break;
	case CORE_ISEARCH_MOBILE:
		rc = db_user_by_mobile(db, s.mobile, &u);
		if (rc == SD_ENOTFOUND)
			return SD_OK; /* nobody's number: nothing */
		if (rc != SD_OK)
			return rc;
		f.applicant = u.id;
		db_user_fini(&u);
		break;
	}
	return db_sinbox_page(db, &f, &out->rows, &out->n, &out->total);
}

enum sd_rc
core_request_due_rebase(struct db *db, const struct core_env *env,
    size_t *cleared)
{
	uint64_t basis, stored = 0;
	long days = env->sla != NULL ? env->sla->answer_days : 2;
	size_t len = 0;
	enum sd_rc rc;

	core_env_check(env);
	*cleared = 0;
	basis = (env->cal != NULL ? core_calendar_fingerprint(env->cal) : 0) ^
	    ((uint64_t)days * 0x9e3779b97f4a7c15ULL);
	rc = db_secret_get(db, "due_basis", &stored, sizeof(stored), &len);
	if (rc == SD_OK && len == sizeof(stored) && stored == basis)
		return SD_OK;
	if (rc != SD_OK && rc != SD_ENOTFOUND && rc != SD_ETOOBIG)
		return rc;
	rc = db_begin(db);
	if (rc != SD_OK)
		return rc;
	rc = db_request_due_clear(db, cleared);
	if (rc == SD_OK)
		rc = db_secret_set(db, "due_basis", &basis, sizeof(basis));
	if (rc == SD_OK)
		rc = db_commit(db);
	if (rc != SD_OK) {
		db_rollback(db);
		*cleared = 0;
	}
	return rc;
}

/* Rows of one pass of core_request_due_fill(). */
#define DUE_BATCH 256

enum sd_rc
core_request_due_fill(struct db *db, const struct core_env *env, size_t *filled)
{
	int64_t tr[DUE_BATCH], since[DUE_BATCH], after = 0;
	size_t n, i;
	enum sd_rc rc;

	core_env_check(env);
	*filled = 0;
	for (;;) {
		rc = db_request_due_missing(db, after, DUE_BATCH, tr, since,
		    &n);
		if (rc != SD_OK || n == 0)
			return rc;
		rc = db_begin(db);
		if (rc != SD_OK)
			return rc;
		for (i = 0; i < n && rc == SD_OK; i++) {
			int64_t due = 0;

			if (core_due_from(env, since[i], &due) != SD_OK ||
			    due <= 0) {
				log_warnx("sla",
				    "no due time tracking=%lld since=%lld",
				    (long long)tr[i], (long long)since[i]);
				continue;
			}
			rc = db_request_due_set(db, tr[i], since[i], due);
			if (rc == SD_OK)
				(*filled)++;
		}
		if (rc == SD_OK)
			rc = db_commit(db);
		if (rc != SD_OK) {
			db_rollback(db);
			return rc;
		}
		after = tr[n - 1];
		if (n < DUE_BATCH)
			return SD_OK;
	}
}
