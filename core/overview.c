/*
 * core/overview.c: the head's overview (issue #14) and its CSV export:
 * requests per department and status, the overdue ones, the escalated
 * ones, first-answer times in office hours over the last 30 days, and
 * answers per staff member. Only the head and admins see it.
 *
 * Office time between two moments is the calendar's count
 * (core_calendar_work_s); for many requests at once the office periods
 * of the window are tabled once (ov_spans) and the test checks that the
 * two agree.
 */
#include "core/core.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/base/buf.h"
#include "core/base/xmalloc.h"
#include "core/core_int.h"

#define OV_WINDOW_S (30 * 86400)
/* Requests looked at for the overdue counts and the first answers. */
#define OV_AWAIT_MAX 200000
#define OV_FIRST_MAX 100000

static bool
ov_allowed(const struct core_actor *actor)
{
	return actor != NULL && actor->id > 0 &&
	    (actor->kind == CORE_ACTOR_HEAD || actor->kind == CORE_ACTOR_ADMIN);
}

static int
ov_cmp_i64(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;

	return x < y ? -1 : x > y;
}

/* Nearest rank: the smallest value with at least pct percent of the
 * values at or below it. */
static int64_t
ov_rank(const int64_t *v, size_t n, int pct)
{
	size_t k = (n * (size_t)pct + 99) / 100;

	return v[k > 0 ? k - 1 : 0];
}

const char *
core_overview_dept(const struct core_overview *o, int code)
{
	return core_dept_name(o->depts, o->n_depts, code);
}

void
core_overview_fini(struct core_overview *o)
{
	db_ov_req_list_free(o->esc, o->n_esc);
	db_ov_staff_list_free(o->staff, o->n_staff);
	db_dept_list_free(o->depts, o->n_depts);
	memset(o, 0, sizeof(*o));
}

/* The latest start whose due time is before now (0 if none within 90
 * days): a halving search over the start, as the due time never goes
 * back when the start moves on. */
static enum sd_rc
ov_last_overdue_start(const struct core_env *env, int64_t now, int64_t *last)
{
	int64_t lo = now - 90 * 86400, hi = now, due = 0;
	enum sd_rc rc;

	*last = 0;
	rc = core_due_from(env, lo, &due);
	if (rc != SD_OK || due >= now)
		return rc;
	/* due(lo) < now <= due(hi) */
	while (hi - lo > 1) {
		int64_t mid = lo + (hi - lo) / 2;

		rc = core_due_from(env, mid, &due);
		if (rc != SD_OK)
			return rc;
		if (due < now)
			lo = mid;
		else
			hi = mid;
	}
	*last = lo;
	return SD_OK;
}

/* The overdue counts of the awaiting requests. */
static enum sd_rc
ov_overdue(struct db *db, const struct core_env *env, int64_t now,
    struct core_overview *o)
{
	struct db_ov_wait *w = NULL;
	int64_t last = 0;
	size_t n = 0, i;
	enum sd_rc rc;

	rc = db_ov_awaiting(db, OV_AWAIT_MAX, &w, &n);
	/* A row without its due time (requests.due 0): overdue when
	 * waiting since at most last, found once (the due time grows with
	 * the start), not a calendar walk per row. */
	if (rc == SD_OK)
		rc = ov_last_overdue_start(env, now, &last);
	for (i = 0; i < n && rc == SD_OK; i++) {
		bool late = w[i].due > 0 ?
		    w[i].due < now :
		    w[i].waiting_since > 0 && w[i].waiting_since <= last;

		if (late && w[i].dept > 0 && w[i].dept < CORE_OV_DEPTS) {
			o->overdue[w[i].dept]++;
			o->overdue_total++;
		}
	}
	free(w);
	return rc;
}

/*
 * The office periods of [lo, hi), each [a, e), in order, with cum[i] the
 * office seconds before period i: built once per overview (a few dozen
 * calendar questions a day), so each request's office time is two
 * halving searches instead of a walk through the calendar.
 */
struct ov_spans {
	int64_t lo, hi;
	int64_t *a, *e, *cum;
	size_t n, cap;
};

static void
ov_spans_build(const struct core_calendar *cal, int64_t lo, int64_t hi,
    struct ov_spans *s)
{
	int64_t t = lo, a, e, total = 0;

	memset(s, 0, sizeof(*s));
	s->lo = lo;
	s->hi = hi;
	while (t < hi) {
		if (core_calendar_period_at(cal, t, &a, &e) != SD_OK || a >= hi)
			break;
		if (s->n == s->cap) {
			s->cap = s->cap == 0 ? 64 : s->cap * 2;
			s->a = xrealloc(s->a, s->cap * sizeof(*s->a));
			s->e = xrealloc(s->e, s->cap * sizeof(*s->e));
			s->cum = xrealloc(s->cum, s->cap * sizeof(*s->cum));
		}
		s->a[s->n] = a;
		s->e[s->n] = e;
		s->cum[s->n] = total;
		s->n++;
		total += e - a;
		t = e;
	}
}

static void
ov_spans_free(struct ov_spans *s)
{
	free(s->a);
	free(s->e);
	free(s->cum);
}

/* Office seconds from s->lo to x (x within [lo, hi]). */
static int64_t
ov_spans_upto(const struct ov_spans *s, int64_t x)
{
	size_t lo = 0, hi = s->n;
	int64_t in;

	/* The last period that opens at or before x. */
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (s->a[mid] <= x)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo == 0)
		return 0;
	in = x - s->a[lo - 1];
	if (in > s->e[lo - 1] - s->a[lo - 1])
		in = s->e[lo - 1] - s->a[lo - 1];
	return s->cum[lo - 1] + in;
}

/* Office seconds between from and to: the table within its range, the
 * calendar walk outside it. */
static int64_t
ov_spans_work(const struct core_calendar *cal, const struct ov_spans *s,
    int64_t from, int64_t to)
{
	if (to <= from)
		return 0;
	if (cal == NULL || from < s->lo || to > s->hi)
		return core_calendar_office_s(cal, from, to);
	return ov_spans_upto(s, to) - ov_spans_upto(s, from);
}

/* Median and 90th percentile of first answers in office time. */
static enum sd_rc
ov_first(struct db *db, const struct core_env *env, int64_t now,
    struct core_overview *o)
{
	int64_t *c = xmalloc(OV_FIRST_MAX * sizeof(*c));
	int64_t *a = xmalloc(OV_FIRST_MAX * sizeof(*a));
	struct ov_spans spans;
	size_t n = 0, i, k = 0;
	enum sd_rc rc;

	memset(&spans, 0, sizeof(spans));
	rc = db_ov_first_answers(db, now - OV_WINDOW_S, OV_FIRST_MAX, c, a, &n);
	if (rc == SD_OK && n > 0 && env->cal != NULL)
		ov_spans_build(env->cal, now - OV_WINDOW_S - 86400, now + 86400,
		    &spans);
	for (i = 0; i < n && rc == SD_OK; i++)
		if (a[i] > 0)
			c[k++] = ov_spans_work(env->cal, &spans, c[i], a[i]);
	ov_spans_free(&spans);
	if (rc == SD_OK && k > 0) {
		qsort(c, k, sizeof(*c), ov_cmp_i64);
		o->n_first = k;
		o->median_s = ov_rank(c, k, 50);
		o->p90_s = ov_rank(c, k, 90);
	}
	free(c);
	free(a);
	return rc;
}

enum sd_rc
core_overview_get(struct db *db, const struct core_env *env,
    const struct core_actor *actor, int64_t now, struct core_overview *out)
{
	struct db_ov_count *cnt = NULL;
	size_t n = 0, i;
	enum sd_rc rc;

	memset(out, 0, sizeof(*out));
	core_env_check(env);
	if (!ov_allowed(actor))
		return SD_ENOTFOUND;
	rc = db_read_begin(db);
	if (rc != SD_OK)
		return rc;
	rc = db_dept_list(db, &out->depts, &out->n_depts);
	if (rc == SD_OK)
		rc = db_ov_counts(db, &cnt, &n);
	for (i = 0; i < n && rc == SD_OK; i++)
		if (cnt[i].dept > 0 && cnt[i].dept < CORE_OV_DEPTS &&
		    cnt[i].status >= 0 && cnt[i].status < 3)
			out->counts[cnt[i].dept][cnt[i].status] += cnt[i].n;
	free(cnt);
	if (rc == SD_OK)
		rc = ov_overdue(db, env, now, out);
	if (rc == SD_OK)
		rc = db_ov_escalated(db, CORE_OV_ESC_MAX, &out->esc,
		    &out->n_esc);
	if (rc == SD_OK)
		rc = ov_first(db, env, now, out);
	if (rc == SD_OK)
		rc = db_ov_answers(db, now - OV_WINDOW_S, &out->staff,
		    &out->n_staff);
	db_read_end(db);
	return rc;
}

/* ---- CSV ------------------------------------------------------------- */

enum sd_rc
core_csv_cell(struct sd_buf *out, const char *s)
{
	bool quote = strpbrk(s, ",\"\r\n") != NULL;
	bool guard = s[0] == '=' || s[0] == '+' || s[0] == '-' || s[0] == '@' ||
	    s[0] == '\t' || s[0] == '\r';
	enum sd_rc rc = SD_OK;
	const char *p;

	if (quote)
		rc = sd_buf_adds(out, "\"");
	if (rc == SD_OK && guard)
		rc = sd_buf_adds(out, "'");
	for (p = s; *p != '\0' && rc == SD_OK; p++)
		rc = *p == '"' ? sd_buf_adds(out, "\"\"") :
				 sd_buf_add(out, p, 1);
	if (rc == SD_OK && quote)
		rc = sd_buf_adds(out, "\"");
	return rc;
}

const char *
core_jalali_short(int64_t utc, char out[SD_JALALI_LEN])
{
	struct core_jdate j;

	if (core_jalali_from_utc(utc, &j) != SD_OK) {
		snprintf(out, SD_JALALI_LEN, "?");
		return out;
	}
	snprintf(out, SD_JALALI_LEN, "%04d/%02d/%02d %02d:%02d", j.year,
	    j.month, j.day, j.hour, j.minute);
	return out;
}

struct ov_csv {
	int fd;
	struct sd_buf b;
	const struct db_dept *depts;
	size_t n_depts;
};

static enum sd_rc
ov_write(int fd, const char *s, size_t n)
{
	while (n > 0) {
		ssize_t w = write(fd, s, n);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return SD_EIO;
		s += w;
		n -= (size_t)w;
	}
	return SD_OK;
}

static enum sd_rc
ov_csv_row(void *arg, const struct db_ov_req *r)
{
	struct ov_csv *c = arg;
	char num[32], d1[SD_JALALI_LEN], d2[SD_JALALI_LEN], *name;
	char local[SD_MOBILE_LEN];
	const char *dept = core_dept_name(c->depts, c->n_depts, r->dept);
	const char *cells[10];
	size_t i, len;
	enum sd_rc rc = SD_OK;

	snprintf(num, sizeof(num), "%lld", (long long)r->tracking);
	len = strlen(r->first) + strlen(r->last) + 2;
	name = xmalloc(len);
	snprintf(name, len, "%s %s", r->first, r->last);
	cells[0] = num;
	cells[1] = r->title;
	cells[2] = dept;
	cells[3] = core_status_label((enum core_status)r->status);
	cells[4] = core_priority_label((enum core_priority)r->prio);
	cells[5] = name;
	core_mobile_local(r->mobile, local);
	cells[6] = local;
	cells[7] = core_jalali_short(r->created, d1);
	cells[8] = core_jalali_short(r->updated, d2);
	cells[9] = core_sa_txt(r->escalated ? CORE_SA_YES : CORE_SA_NO);
	sd_buf_reset(&c->b);
	for (i = 0; i < 10 && rc == SD_OK; i++) {
		if (i > 0)
			rc = sd_buf_adds(&c->b, ",");
		if (rc == SD_OK)
			rc = core_csv_cell(&c->b, cells[i]);
	}
	if (rc == SD_OK)
		rc = sd_buf_adds(&c->b, "\r\n");
	free(name);
	if (rc == SD_OK)
		rc = ov_write(c->fd, sd_buf_str(&c->b), sd_buf_len(&c->b));
	return rc;
}

enum sd_rc
core_overview_csv(struct db *db, const struct core_actor *actor, int fd)
{
	static const char bom[] = "\xef\xbb\xbf";
	struct ov_csv c;
	struct db_dept *depts = NULL;
	size_t n = 0;
	enum sd_rc rc;

	if (!ov_allowed(actor))
		return SD_ENOTFOUND;
	memset(&c, 0, sizeof(c));
	sd_buf_init(&c.b, 64 * 1024);
	c.fd = fd;
	rc = db_read_begin(db);
	if (rc != SD_OK)
		return rc;
	rc = db_dept_list(db, &depts, &n);
	c.depts = depts;
	c.n_depts = n;
	if (rc == SD_OK)
		rc = ov_write(fd, bom, 3);
	if (rc == SD_OK)
		rc = ov_write(fd, core_sa_txt(CORE_SA_CSV_HEAD),
		    strlen(core_sa_txt(CORE_SA_CSV_HEAD)));
	if (rc == SD_OK)
		rc = ov_write(fd, "\r\n", 2);
	if (rc == SD_OK)
		rc = db_ov_each(db, ov_csv_row, &c);
	db_read_end(db);
	db_dept_list_free(depts, n);
	sd_buf_fini(&c.b);
	return rc;
}
