/*
 * tests/unit/core/test_staff.c: what staff do on a request's staff page
 * (issue #14): who may do each action (an access table), transfer moves
 * who sees it, assignment refuses outsiders, an answer queues exactly
 * one applicant alert in its own transaction, internal notes never reach
 * the applicant's view, render or SMS, the history, the SMS list without
 * one-time passwords, and canned answers per department.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/core.h"
#include "tests/support/testutil.h"

/* Applicants a and b; staff of department 2 (it, it2), of 5 (gas), of
 * the head's office 17 (office); the head; an admin. A file database,
 * so a second connection can add a trigger. */
struct world {
	char *dir, *path;
	struct db *db;
	int64_t a, b, it, it2, gas, office, head, admin;
	struct core_env env; /* with SMS */
};

static int
world_setup(void **state)
{
	static const int d2[] = {2}, d5[] = {5}, d17[] = {17};
	struct world *w = calloc(1, sizeof(*w));

	w->dir = tu_tmpdir();
	w->path = malloc(strlen(w->dir) + 16);
	sprintf(w->path, "%s/t.db", w->dir);
	w->db = tu_db_open(w->path);
	w->a = tu_user(w->db, "09131111111", CORE_ROLE_APPLICANT, NULL, 0);
	w->b = tu_user(w->db, "09132222222", CORE_ROLE_APPLICANT, NULL, 0);
	w->it = tu_user(w->db, "09133333333", CORE_ROLE_STAFF, d2, 1);
	w->it2 = tu_user(w->db, "09133333334", CORE_ROLE_STAFF, d2, 1);
	w->gas = tu_user(w->db, "09134444444", CORE_ROLE_STAFF, d5, 1);
	w->office = tu_user(w->db, "09137777777", CORE_ROLE_STAFF, d17, 1);
	w->head = tu_user(w->db, "09135555555", CORE_ROLE_HEAD, d17, 1);
	w->admin = tu_user(w->db, "09136666666", CORE_ROLE_ADMIN, NULL, 0);
	w->env = core_env_no_sms;
	w->env.base_url = "https://desk.example";
	w->env.effects = CORE_FX_SMS;
	*state = w;
	return 0;
}

static int
world_teardown(void **state)
{
	struct world *w = *state;

	db_close(w->db);
	tu_rmtree(w->dir);
	free(w->path);
	free(w->dir);
	free(w);
	return 0;
}

/* A new request of applicant a in department 2. */
static int64_t
new_request(struct world *w)
{
	char err[SD_ERRLEN];
	int64_t t = 0;

	if (core_request_create(w->db, &core_env_no_sms, tu_actor(w->db, w->a),
		2, CORE_PRIO_NORMAL, "پروانه اشتغال", "سلام، پرونده من کجاست؟",
		CORE_CHAN_WEB, &t, err) != SD_OK)
		fail_msg("create: %s", err);
	return t;
}

static struct db_request
get(struct world *w, int64_t t)
{
	struct db_request r;

	assert_int_equal(core_request_get(w->db, &core_actor_cli, t, &r),
	    SD_OK);
	return r;
}

static int64_t
audit_rows(struct world *w, int64_t t)
{
	char obj[32];
	int64_t n = -1;

	snprintf(obj, sizeof(obj), "request:%lld", (long long)t);
	assert_int_equal(db_audit_count(w->db, obj, &n), SD_OK);
	return n;
}

/* SMS about t to mobile (E.164), OTPs excluded. */
static size_t
sms_to(struct world *w, int64_t t, const char *mobile)
{
	struct db_sms_row *rows;
	size_t n, i, k = 0;

	assert_int_equal(db_request_sms(w->db, t, 100, &rows, &n), SD_OK);
	for (i = 0; i < n; i++)
		k += strcmp(rows[i].destination, mobile) == 0;
	free(rows);
	return k;
}

enum action {
	ACT_VIEW,
	ACT_ANSWER,
	ACT_CLOSE,
	ACT_REOPEN,
	ACT_TRANSFER,
	ACT_ASSIGN,
	ACT_NOTE,
	ACT_COUNT
};
static const char *const act_name[] = {"view", "answer", "close", "reopen",
    "transfer", "assign", "note"};

/* Run action on a fresh request as act; the rc, and on a refusal check
 * that nothing changed. */
static enum sd_rc
run(struct world *w, enum action x, const struct core_actor *act)
{
	struct core_staff_view v;
	struct db_request r;
	char err[SD_ERRLEN];
	int64_t t = new_request(w), before, assigned = -1;
	enum core_status st0;
	enum sd_rc rc = SD_EINTERNAL;

	if (x == ACT_REOPEN)
		assert_int_equal(core_request_set_status(w->db,
				     &core_env_no_sms, &core_actor_cli, t,
				     CORE_STATUS_CLOSED, err),
		    SD_OK);
	before = audit_rows(w, t);
	r = get(w, t);
	st0 = r.status;
	db_request_fini(&r);
	switch (x) {
	case ACT_VIEW:
		rc = core_staff_view(w->db, &w->env, act, t, &v);
		if (rc == SD_OK && v.req.tracking != t)
			fail_msg("view of another request");
		if (rc != SD_OK && (v.msgs != NULL || v.notes != NULL))
			fail_msg("a refused view holds rows");
		core_staff_view_fini(&v);
		break;
	case ACT_ANSWER:
		rc = core_staff_answer(w->db, &w->env, act, t, "پاسخ", NULL, 0,
		    NULL, err);
		break;
	case ACT_CLOSE:
		rc = core_staff_close(w->db, &w->env, act, t, err);
		break;
	case ACT_REOPEN:
		rc = core_staff_reopen(w->db, &w->env, act, t, err);
		break;
	case ACT_TRANSFER:
		rc = core_staff_transfer(w->db, &w->env, act, t, 5,
		    "مربوط به بازرسی فنی است", err);
		break;
	case ACT_ASSIGN:
		rc = core_staff_assign(w->db, act, t, w->it2, err);
		break;
	case ACT_NOTE:
		rc = core_staff_note(w->db, act, t, "یادداشت داخلی", NULL, err);
		break;
	case ACT_COUNT: break;
	}
	r = get(w, t);
	assert_int_equal(db_request_assigned(w->db, t, &assigned), SD_OK);
	if (rc != SD_OK &&
	    (audit_rows(w, t) != before || r.status != st0 || r.dept != 2 ||
		assigned != 0 || sms_to(w, t, "+989131111111") != 0))
		fail_msg("%s refused (%d) but something changed",
		    act_name[x], (int)rc);
	if (rc == SD_OK && x != ACT_VIEW && audit_rows(w, t) != before + 1)
		fail_msg("%s: %lld audit rows, want %lld", act_name[x],
		    (long long)audit_rows(w, t), (long long)before + 1);
	db_request_fini(&r);
	return rc;
}

/* Who may do what: every action by every kind of actor on a request of
 * department 2. Refusals read as a missing request and change nothing. */
static void
test_access_table(void **state)
{
	enum { OK = SD_OK, NF = SD_ENOTFOUND, INV = SD_EINVAL };
	struct world *w = *state;
	struct {
		const char *who;
		enum core_actor_kind kind;
		int64_t *id;
		int rc;
	} tab[] = {
	    {"its applicant", CORE_ACTOR_APPLICANT, &w->a, NF},
	    {"another applicant", CORE_ACTOR_APPLICANT, &w->b, NF},
	    {"staff of dept 2 (A)", CORE_ACTOR_STAFF, &w->it, OK},
	    {"staff of dept 5 (B)", CORE_ACTOR_STAFF, &w->gas, NF},
	    {"head's office staff, not escalated", CORE_ACTOR_STAFF,
		&w->office, NF},
	    {"head", CORE_ACTOR_HEAD, &w->head, OK},
	    {"admin", CORE_ACTOR_ADMIN, &w->admin, OK},
	    {"staff of 2 claiming admin", CORE_ACTOR_ADMIN, &w->it, NF},
	    {"applicant claiming staff", CORE_ACTOR_STAFF, &w->b, NF},
	    {"system", CORE_ACTOR_SYSTEM, NULL, INV},
	    {"cli", CORE_ACTOR_CLI, NULL, INV},
	    {"staff 0", CORE_ACTOR_STAFF, NULL, INV},
	};
	size_t i;
	int x;

	for (i = 0; i < sizeof(tab) / sizeof(tab[0]); i++)
		for (x = 0; x < ACT_COUNT; x++) {
			struct core_actor act = {tab[i].kind,
			    tab[i].id != NULL ? *tab[i].id : 0};
			enum sd_rc rc = run(w, (enum action)x, &act);

			if ((int)rc != tab[i].rc)
				fail_msg("%s: %s gave %d, want %d", tab[i].who,
				    act_name[x], (int)rc, tab[i].rc);
		}
	/* A missing request: the same answer as not yours. */
	{
		struct db_request r;

		assert_int_equal(core_staff_request(w->db,
				     tu_actor(w->db, w->gas), 99999, &r),
		    SD_ENOTFOUND);
	}
}

/* An escalated request is the head's office's too; their staff may act. */
static void
test_escalated_for_office(void **state)
{
	struct world *w = *state;
	char err[SD_ERRLEN];
	int64_t t = new_request(w);

	assert_int_equal(core_staff_note(w->db, tu_actor(w->db, w->office), t,
			     "x", NULL, err),
	    SD_ENOTFOUND);
	assert_int_equal(core_request_escalate(w->db, &core_env_no_sms,
			     &core_actor_cli, t, err),
	    SD_OK);
	assert_int_equal(core_staff_note(w->db, tu_actor(w->db, w->office), t,
			     "پیگیری دفتر ریاست", NULL, err),
	    SD_OK);
}

static void
test_transfer_moves_visibility(void **state)
{
	struct world *w = *state;
	struct db_request r;
	struct db_audit_row *h;
	char err[SD_ERRLEN], obj[32];
	int64_t t = new_request(w), who = -1;
	size_t n;

	assert_int_equal(core_staff_assign(w->db, tu_actor(w->db, w->it), t,
			     w->it2, err),
	    SD_OK);
	/* A reason is required; the department must be another, real one. */
	assert_int_equal(core_staff_transfer(w->db, &w->env,
			     tu_actor(w->db, w->it), t, 5, "  ", err),
	    SD_EINVAL);
	assert_int_equal(core_staff_transfer(w->db, &w->env,
			     tu_actor(w->db, w->it), t, 2, "همین‌جا", err),
	    SD_EINVAL);
	assert_int_equal(core_staff_transfer(w->db, &w->env,
			     tu_actor(w->db, w->it), t, 77, "ناموجود", err),
	    SD_EINVAL);
	assert_int_equal(core_staff_request(w->db, tu_actor(w->db, w->gas), t,
			     &r),
	    SD_ENOTFOUND);
	/* Not theirs: not found before anything typed is looked at. */
	assert_int_equal(core_staff_transfer(w->db, &w->env,
			     tu_actor(w->db, w->gas), t, 77, "  ", err),
	    SD_ENOTFOUND);
	assert_int_equal(core_staff_assign(w->db, tu_actor(w->db, w->gas), t,
			     -1, err),
	    SD_ENOTFOUND);
	assert_int_equal(core_staff_note(w->db, tu_actor(w->db, w->gas), t, "",
			     NULL, err),
	    SD_ENOTFOUND);
	assert_int_equal(core_staff_transfer(w->db, &w->env,
			     tu_actor(w->db, w->it), t, 5,
			     "مربوط به بازرسی فنی است", err),
	    SD_OK);
	r = get(w, t);
	assert_int_equal(r.dept, 5);
	assert_int_equal(r.orig_dept, 5);
	db_request_fini(&r);
	assert_int_equal(db_request_assigned(w->db, t, &who), SD_OK);
	assert_int_equal(who, 0);
	/* The new department sees it, as staff and as a reader; the old
	 * one no longer does. */
	assert_int_equal(core_staff_request(w->db, tu_actor(w->db, w->gas), t,
			     &r),
	    SD_OK);
	db_request_fini(&r);
	assert_int_equal(core_request_get(w->db, tu_actor(w->db, w->gas), t,
			     &r),
	    SD_OK);
	db_request_fini(&r);
	assert_int_equal(core_request_get(w->db, tu_actor(w->db, w->it), t,
			     &r),
	    SD_ENOTFOUND);
	assert_int_equal(core_staff_note(w->db, tu_actor(w->db, w->it), t,
			     "هنوز؟", NULL, err),
	    SD_ENOTFOUND);
	/* The history keeps who, what and why. */
	snprintf(obj, sizeof(obj), "request:%lld", (long long)t);
	assert_int_equal(db_audit_list(w->db, obj, 50, &h, &n), SD_OK);
	assert_int_equal(n, 3);
	assert_string_equal(h[0].action, "request.create");
	assert_string_equal(h[1].action, "request.assign");
	assert_string_equal(h[2].action, "request.transfer");
	assert_int_equal(h[2].actor_id, w->it);
	assert_string_equal(h[2].detail,
	    "from=2 to=5 reason=مربوط به بازرسی فنی است");
	assert_true(h[1].at <= h[2].at);
	db_audit_rows_free(h, n);
	/* Closed requests stay where they are. */
	assert_int_equal(core_staff_close(w->db, &w->env,
			     tu_actor(w->db, w->gas), t, err),
	    SD_OK);
	assert_int_equal(core_staff_transfer(w->db, &w->env,
			     tu_actor(w->db, w->gas), t, 2, "برگشت", err),
	    SD_ESTATE);
}

static void
test_assign_refuses_outsiders(void **state)
{
	struct world *w = *state;
	struct core_staff_view v;
	char err[SD_ERRLEN];
	int64_t t = new_request(w), who = -1;
	size_t i;
	bool listed_gas = false, listed_it2 = false;

	/* Staff of another department, an applicant, nobody. */
	assert_int_equal(core_staff_assign(w->db, tu_actor(w->db, w->it), t,
			     w->gas, err),
	    SD_EINVAL);
	assert_int_equal(core_staff_assign(w->db, tu_actor(w->db, w->it), t,
			     w->b, err),
	    SD_EINVAL);
	assert_int_equal(core_staff_assign(w->db, tu_actor(w->db, w->it), t,
			     987654, err),
	    SD_EINVAL);
	assert_int_equal(db_request_assigned(w->db, t, &who), SD_OK);
	assert_int_equal(who, 0);
	/* The head may assign, but only to the department's staff. */
	assert_int_equal(core_staff_assign(w->db, tu_actor(w->db, w->head), t,
			     w->head, err),
	    SD_EINVAL);
	assert_int_equal(core_staff_assign(w->db, tu_actor(w->db, w->head), t,
			     w->it2, err),
	    SD_OK);
	assert_int_equal(db_request_assigned(w->db, t, &who), SD_OK);
	assert_int_equal(who, w->it2);
	assert_int_equal(core_staff_view(w->db, &w->env,
			     tu_actor(w->db, w->it), t, &v),
	    SD_OK);
	assert_int_equal(v.assigned_to, w->it2);
	assert_string_equal(v.assignee.name, "نام نام‌خانوادگی");
	for (i = 0; i < v.n_staff; i++) {
		listed_gas = listed_gas || v.staff[i].id == w->gas;
		listed_it2 = listed_it2 || v.staff[i].id == w->it2;
	}
	assert_true(listed_it2);
	assert_false(listed_gas);
	core_staff_view_fini(&v);
	/* A disabled staff member is no one to assign to. */
	{
		sqlite3 *h;
		char sql[96];

		assert_int_equal(sqlite3_open(w->path, &h), SQLITE_OK);
		snprintf(sql, sizeof(sql),
		    "UPDATE users SET disabled = 1 WHERE id = %lld",
		    (long long)w->it);
		assert_int_equal(sqlite3_exec(h, sql, NULL, NULL, NULL),
		    SQLITE_OK);
		sqlite3_close(h);
	}
	assert_int_equal(core_staff_assign(w->db, tu_actor(w->db, w->it2), t,
			     w->it, err),
	    SD_EINVAL);
	/* 0 takes the assignment away. */
	assert_int_equal(core_staff_assign(w->db, tu_actor(w->db, w->it2), t,
			     0, err),
	    SD_OK);
	assert_int_equal(db_request_assigned(w->db, t, &who), SD_OK);
	assert_int_equal(who, 0);
}

/* An answer: «پاسخ داده شد», exactly one SMS to the applicant, and both
 * in one transaction: when the alert cannot be queued, the answer is
 * not stored either. */
static void
test_answer_alerts_once_same_tx(void **state)
{
	struct world *w = *state;
	struct db_request r;
	struct db_message *m;
	char err[SD_ERRLEN];
	int64_t t = new_request(w);
	size_t n;
	sqlite3 *h;

	assert_int_equal(sms_to(w, t, "+989131111111"), 0);
	assert_int_equal(core_staff_answer(w->db, &w->env,
			     tu_actor(w->db, w->it), t,
			     "با سلام، پرونده در دست بررسی است.", NULL, 0, NULL,
			     err),
	    SD_OK);
	r = get(w, t);
	assert_int_equal(r.status, CORE_STATUS_ANSWERED);
	db_request_fini(&r);
	assert_int_equal(sms_to(w, t, "+989131111111"), 1);
	assert_int_equal(sms_to(w, t, "+989133333333"), 0);
	assert_int_equal(core_request_thread(w->db, &core_actor_cli, t, &m, &n),
	    SD_OK);
	assert_int_equal(n, 2);
	assert_int_equal(m[1].author_id, w->it);
	assert_int_equal(m[1].author_role, CORE_ROLE_STAFF);
	db_message_list_free(m, n);

	/* The outbox refuses: nothing of the answer stays. */
	assert_int_equal(sqlite3_open(w->path, &h), SQLITE_OK);
	assert_int_equal(sqlite3_exec(h,
			     "CREATE TRIGGER no_sms BEFORE INSERT ON outbox "
			     "BEGIN SELECT RAISE(ABORT, 'no sms'); END;",
			     NULL, NULL, NULL),
	    SQLITE_OK);
	sqlite3_close(h);
	t = new_request(w);
	assert_int_not_equal(core_staff_answer(w->db, &w->env,
				 tu_actor(w->db, w->it), t, "پاسخ دوم", NULL,
				 0, NULL, err),
	    SD_OK);
	r = get(w, t);
	assert_int_equal(r.status, CORE_STATUS_AWAITING);
	db_request_fini(&r);
	assert_int_equal(core_request_thread(w->db, &core_actor_cli, t, &m, &n),
	    SD_OK);
	assert_int_equal(n, 1);
	db_message_list_free(m, n);
	assert_int_equal(audit_rows(w, t), 1);
	/* Closed: no answer. */
	assert_int_equal(sqlite3_open(w->path, &h), SQLITE_OK);
	assert_int_equal(sqlite3_exec(h, "DROP TRIGGER no_sms", NULL, NULL,
			     NULL),
	    SQLITE_OK);
	sqlite3_close(h);
	assert_int_equal(core_staff_close(w->db, &w->env,
			     tu_actor(w->db, w->it), t, err),
	    SD_OK);
	assert_int_equal(core_staff_answer(w->db, &w->env,
			     tu_actor(w->db, w->it), t, "دیر", NULL, 0, NULL,
			     err),
	    SD_ESTATE);
	assert_int_equal(core_staff_close(w->db, &w->env,
			     tu_actor(w->db, w->it), t, err),
	    SD_ESTATE);
	assert_int_equal(core_staff_reopen(w->db, &w->env,
			     tu_actor(w->db, w->it), t, err),
	    SD_OK);
	r = get(w, t);
	assert_int_equal(r.status, CORE_STATUS_AWAITING);
	db_request_fini(&r);
}

/* Internal notes: on the staff view only; never in the applicant's view,
 * thread, render, nor in any SMS. */
static void
test_notes_never_for_applicant(void **state)
{
	static const char secret[] = "یادداشت محرمانه ۷۳۱";
	struct world *w = *state;
	struct core_request_view v;
	struct core_staff_view sv;
	char err[SD_ERRLEN], *text;
	int64_t t = new_request(w), id = 0;
	size_t i;

	assert_int_equal(core_staff_note(w->db, tu_actor(w->db, w->it), t, "",
			     NULL, err),
	    SD_EINVAL);
	assert_int_equal(core_staff_note(w->db, tu_actor(w->db, w->it), t,
			     secret, &id, err),
	    SD_OK);
	assert_true(id > 0);
	assert_int_equal(core_staff_answer(w->db, &w->env,
			     tu_actor(w->db, w->it), t, "پاسخ عمومی", NULL, 0,
			     NULL, err),
	    SD_OK);
	/* Staff see it. */
	assert_int_equal(core_staff_view(w->db, &w->env,
			     tu_actor(w->db, w->it2), t, &sv),
	    SD_OK);
	assert_int_equal(sv.n_notes, 1);
	assert_string_equal(sv.notes[0].body, secret);
	assert_int_equal(sv.notes[0].author_id, w->it);
	core_staff_view_fini(&sv);
	/* The applicant does not, by any of their reads. */
	assert_int_equal(core_staff_view(w->db, &w->env, tu_actor(w->db, w->a),
			     t, &sv),
	    SD_ENOTFOUND);
	assert_int_equal(core_request_view(w->db, tu_actor(w->db, w->a), t, &v),
	    SD_OK);
	for (i = 0; i < v.n_msgs; i++)
		assert_null(strstr(v.msgs[i].body, secret));
	assert_int_equal(v.n_msgs, 2);
	core_request_view_fini(&v);
	assert_int_equal(core_request_render(w->db, tu_actor(w->db, w->a), t,
			     &text),
	    SD_OK);
	assert_null(strstr(text, secret));
	assert_non_null(strstr(text, "پاسخ عمومی"));
	free(text);
	/* Nor does any SMS carry it. */
	{
		struct db_outbox_row one;
		struct db_sms_row *s;
		size_t n, k;

		assert_int_equal(db_request_sms(w->db, t, 100, &s, &n), SD_OK);
		assert_true(n >= 1);
		for (k = 0; k < n; k++) {
			char *parts = NULL;

			assert_int_equal(db_outbox_get(w->db, s[k].id, &one,
					     &parts),
			    SD_OK);
			assert_null(strstr(one.body, secret));
			db_outbox_row_fini(&one);
			free(parts);
		}
		free(s);
	}
}

/* The staff view's history and SMS list: oldest first, OTPs left out. */
static void
test_view_history_and_sms(void **state)
{
	struct world *w = *state;
	struct core_staff_view v;
	struct db_outbox_new otp = {CORE_OUT_OTP, 0, "+989131111111",
	    "کد ورود: 123456", 0, 0, 0, false, -1, false};
	char err[SD_ERRLEN];
	int64_t t = new_request(w), id;
	size_t i;

	otp.tracking = t;
	assert_int_equal(db_outbox_add(w->db, &otp, &id), SD_OK);
	assert_int_equal(core_staff_answer(w->db, &w->env,
			     tu_actor(w->db, w->it), t, "پاسخ", NULL, 0, NULL,
			     err),
	    SD_OK);
	assert_int_equal(core_staff_close(w->db, &w->env,
			     tu_actor(w->db, w->it), t, err),
	    SD_OK);
	assert_int_equal(core_staff_view(w->db, &w->env,
			     tu_actor(w->db, w->it), t, &v),
	    SD_OK);
	assert_true(v.have_applicant);
	assert_string_equal(v.applicant.mobile, "+989131111111");
	assert_int_equal(v.n_history, 3);
	assert_string_equal(v.history[0].action, "request.create");
	assert_string_equal(v.history[1].action, "request.answer");
	assert_string_equal(v.history[2].action, "request.close");
	assert_string_equal(v.history[2].actor_name, "نام نام‌خانوادگی");
	/* The answer's alert and the closing's: no OTP. */
	assert_int_equal(v.n_sms, 2);
	for (i = 0; i < v.n_sms; i++) {
		assert_int_not_equal(v.sms[i].kind, CORE_OUT_OTP);
		assert_int_not_equal(v.sms[i].id, id);
		assert_int_equal(v.sms[i].state, CORE_OUT_QUEUED);
	}
	assert_true(v.sms[0].id < v.sms[1].id);
	assert_int_equal(v.due, 0); /* closed */
	core_staff_view_fini(&v);
}

static void
test_canned_per_department(void **state)
{
	struct world *w = *state;
	struct db_canned *rows, c;
	char err[SD_ERRLEN];
	int64_t id2 = 0, id5 = 0, x;
	size_t n;

	/* Staff of 2 keep department 2's; not department 5's. */
	assert_int_equal(core_canned_add(w->db, tu_actor(w->db, w->it), 2,
			     "مدارک ناقص", "لطفا مدارک را کامل کنید.", &id2,
			     err),
	    SD_OK);
	assert_int_equal(core_canned_add(w->db, tu_actor(w->db, w->it), 5,
			     "گاز", "متن", &x, err),
	    SD_ENOTFOUND);
	assert_int_equal(core_canned_add(w->db, tu_actor(w->db, w->a), 2, "x",
			     "y", &x, err),
	    SD_ENOTFOUND);
	assert_int_equal(core_canned_add(w->db, tu_actor(w->db, w->it2), 2,
			     "مدارک ناقص", "دوباره", &x, err),
	    SD_EEXIST);
	assert_int_equal(core_canned_add(w->db, tu_actor(w->db, w->it), 2, "",
			     "متن", &x, err),
	    SD_EINVAL);
	/* The head keeps any department's. */
	assert_int_equal(core_canned_add(w->db, tu_actor(w->db, w->head), 5,
			     "بازدید", "کارشناس بازدید خواهد کرد.", &id5, err),
	    SD_OK);
	/* Lists: each sees their departments' only. */
	assert_int_equal(core_canned_list(w->db, tu_actor(w->db, w->gas), 0,
			     &rows, &n),
	    SD_OK);
	assert_int_equal(n, 1);
	assert_int_equal(rows[0].id, id5);
	db_canned_list_free(rows, n);
	assert_int_equal(core_canned_list(w->db, tu_actor(w->db, w->gas), 2,
			     &rows, &n),
	    SD_ENOTFOUND);
	assert_int_equal(core_canned_list(w->db, tu_actor(w->db, w->admin), 0,
			     &rows, &n),
	    SD_OK);
	assert_int_equal(n, 2);
	db_canned_list_free(rows, n);
	/* Edit and delete: the department's staff, not another's. */
	assert_int_equal(core_canned_edit(w->db, tu_actor(w->db, w->gas), id2,
			     "ربودن", "متن", err),
	    SD_ENOTFOUND);
	assert_int_equal(core_canned_delete(w->db, tu_actor(w->db, w->gas),
			     id2, err),
	    SD_ENOTFOUND);
	assert_int_equal(core_canned_edit(w->db, tu_actor(w->db, w->it2), id2,
			     "مدارک ناقص", "لطفا مدارک را تا یک هفته کامل کنید.",
			     err),
	    SD_OK);
	assert_int_equal(core_canned_get(w->db, tu_actor(w->db, w->it), id2,
			     &c),
	    SD_OK);
	assert_string_equal(c.body, "لطفا مدارک را تا یک هفته کامل کنید.");
	assert_int_equal(c.updated_by, w->it2);
	db_canned_fini(&c);
	assert_int_equal(core_canned_get(w->db, tu_actor(w->db, w->gas), id2,
			     &c),
	    SD_ENOTFOUND);
	/* For a request's answer box: its department's only, and only for
	 * its staff. */
	{
		int64_t t = new_request(w);

		assert_int_equal(core_canned_for_request(w->db,
				     tu_actor(w->db, w->it), t, id2, &c),
		    SD_OK);
		db_canned_fini(&c);
		assert_int_equal(core_canned_for_request(w->db,
				     tu_actor(w->db, w->it), t, id5, &c),
		    SD_ENOTFOUND);
		assert_int_equal(core_canned_for_request(w->db,
				     tu_actor(w->db, w->head), t, id5, &c),
		    SD_ENOTFOUND);
		assert_int_equal(core_canned_for_request(w->db,
				     tu_actor(w->db, w->gas), t, id2, &c),
		    SD_ENOTFOUND);
		assert_int_equal(core_canned_for_request(w->db,
				     tu_actor(w->db, w->a), t, id2, &c),
		    SD_ENOTFOUND);
	}
	assert_int_equal(core_canned_delete(w->db, tu_actor(w->db, w->it), id2,
			     err),
	    SD_OK);
	assert_int_equal(core_canned_delete(w->db, tu_actor(w->db, w->it), id2,
			     err),
	    SD_ENOTFOUND);
	{
		int64_t k = -1;
		char obj[32];

		snprintf(obj, sizeof(obj), "canned:%lld", (long long)id2);
		assert_int_equal(db_audit_count(w->db, obj, &k), SD_OK);
		assert_int_equal(k, 3);
	}
}

/* A department with many canned answers does not crowd another's out of
 * its staff's list (the list is per department, not cut across all). */
static void
test_canned_not_crowded_out(void **state)
{
	struct world *w = *state;
	struct db_canned *rows;
	char err[SD_ERRLEN], title[32];
	int64_t id, mine = 0;
	size_t n;
	int i;

	for (i = 0; i < 510; i++) {
		snprintf(title, sizeof(title), "پاسخ %d", i);
		assert_int_equal(core_canned_add(w->db,
				     tu_actor(w->db, w->head), 1, title, "متن",
				     &id, err),
		    SD_OK);
	}
	assert_int_equal(core_canned_add(w->db, tu_actor(w->db, w->gas), 5,
			     "بازدید", "کارشناس بازدید خواهد کرد.", &mine, err),
	    SD_OK);
	assert_int_equal(core_canned_list(w->db, tu_actor(w->db, w->gas), 0,
			     &rows, &n),
	    SD_OK);
	assert_int_equal(n, 1);
	assert_int_equal(rows[0].id, mine);
	db_canned_list_free(rows, n);
}

/* Every text of the staff pages is there, and an id out of range is
 * "?". */
static void
test_texts_complete(void **state)
{
	int i;

	(void)state;
	for (i = 0; i < CORE_ST_COUNT; i++)
		if (strcmp(core_staff_txt((enum core_staff_txt)i), "?") == 0 ||
		    core_staff_txt((enum core_staff_txt)i)[0] == '\0')
			fail_msg("staff text %d missing", i);
	assert_string_equal(core_staff_txt(CORE_ST_COUNT), "?");
	assert_string_equal(core_staff_txt((enum core_staff_txt)-1), "?");
}

#define T(f) cmocka_unit_test_setup_teardown(f, world_setup, world_teardown)

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    T(test_access_table),
	    T(test_escalated_for_office),
	    T(test_transfer_moves_visibility),
	    T(test_assign_refuses_outsiders),
	    T(test_answer_alerts_once_same_tx),
	    T(test_notes_never_for_applicant),
	    T(test_view_history_and_sms),
	    T(test_canned_per_department),
	    T(test_canned_not_crowded_out),
	    cmocka_unit_test(test_texts_complete),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
