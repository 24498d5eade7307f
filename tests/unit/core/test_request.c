/*
 * tests/unit/core/test_request.c: status rules, access checks, the thread,
 * escalation, bad input that must leave stored data intact, audit rows.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/base/clock.h"
#include "core/core.h"
#include "tests/support/testutil.h"

/* A small world: two applicants, staff of department 2, staff of
 * department 5, the head and an admin; one request of applicant A to
 * department 2. */
struct world {
	struct db *db;
	int64_t a, b, it, gas, head, admin;
	int64_t t; /* A's request */
};

static int
world_setup(void **state)
{
	static const int d2[] = {2}, d5[] = {5}, d17[] = {17};
	struct world *w = calloc(1, sizeof(*w));
	char err[SD_ERRLEN];

	w->db = tu_db_open(":memory:");
	w->a = tu_user(w->db, "09131111111", CORE_ROLE_APPLICANT, NULL, 0);
	w->b = tu_user(w->db, "09132222222", CORE_ROLE_APPLICANT, NULL, 0);
	w->it = tu_user(w->db, "09133333333", CORE_ROLE_STAFF, d2, 1);
	w->gas = tu_user(w->db, "09134444444", CORE_ROLE_STAFF, d5, 1);
	w->head = tu_user(w->db, "09135555555", CORE_ROLE_HEAD, d17, 1);
	w->admin = tu_user(w->db, "09136666666", CORE_ROLE_ADMIN, NULL, 0);
	if (core_request_create(w->db, &core_env_no_sms, tu_actor(w->db, w->a), 2, CORE_PRIO_URGENT,
		"تست سیستم مکاتبات", "سلام\nتست سیستم مکاتبات", CORE_CHAN_WEB,
		&w->t, err) != SD_OK)
		fail_msg("create: %s", err);
	*state = w;
	return 0;
}

static int
world_teardown(void **state)
{
	struct world *w = *state;

	db_close(w->db);
	free(w);
	return 0;
}

static enum core_status
status_of(struct world *w, int64_t t)
{
	struct db_request r;
	enum core_status s;

	assert_int_equal(core_request_get(w->db, &core_actor_cli, t, &r), SD_OK);
	s = r.status;
	db_request_fini(&r);
	return s;
}

static size_t
thread_len(struct world *w, int64_t t)
{
	struct db_message *m;
	size_t n;

	assert_int_equal(core_request_thread(w->db, &core_actor_cli, t, &m, &n), SD_OK);
	db_message_list_free(m, n);
	return n;
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

static void
test_status_rules_table(void **state)
{
	static const struct {
		enum core_status cur;
		enum core_event ev;
		enum sd_rc rc;
		enum core_status next;
	} tab[] = {
		{CORE_STATUS_AWAITING, CORE_EV_STAFF_MSG, SD_OK,
		    CORE_STATUS_ANSWERED},
		{CORE_STATUS_AWAITING, CORE_EV_APPLICANT_MSG, SD_OK,
		    CORE_STATUS_AWAITING},
		{CORE_STATUS_ANSWERED, CORE_EV_APPLICANT_MSG, SD_OK,
		    CORE_STATUS_AWAITING},
		{CORE_STATUS_ANSWERED, CORE_EV_STAFF_MSG, SD_OK,
		    CORE_STATUS_ANSWERED},
		{CORE_STATUS_AWAITING, CORE_EV_CLOSE, SD_OK,
		    CORE_STATUS_CLOSED},
		{CORE_STATUS_ANSWERED, CORE_EV_CLOSE, SD_OK,
		    CORE_STATUS_CLOSED},
		{CORE_STATUS_CLOSED, CORE_EV_REOPEN, SD_OK,
		    CORE_STATUS_AWAITING},
		{CORE_STATUS_CLOSED, CORE_EV_APPLICANT_MSG, SD_ESTATE, 0},
		{CORE_STATUS_CLOSED, CORE_EV_STAFF_MSG, SD_ESTATE, 0},
		{CORE_STATUS_CLOSED, CORE_EV_CLOSE, SD_ESTATE, 0},
		{CORE_STATUS_AWAITING, CORE_EV_REOPEN, SD_ESTATE, 0},
		{CORE_STATUS_ANSWERED, CORE_EV_REOPEN, SD_ESTATE, 0},
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(tab) / sizeof(tab[0]); i++) {
		enum core_status next = (enum core_status)99;

		assert_int_equal(core_status_next(tab[i].cur, tab[i].ev, &next),
		    tab[i].rc);
		if (tab[i].rc == SD_OK)
			assert_int_equal(next, tab[i].next);
	}
}

static void
test_create_stores_request_thread_audit(void **state)
{
	struct world *w = *state;
	struct db_request r;
	struct db_message *m;
	size_t n;

	assert_int_equal(w->t, CORE_TRACKING_FIRST);
	assert_int_equal(core_request_get(w->db, tu_actor(w->db, w->a), w->t, &r), SD_OK);
	assert_int_equal(r.dept, 2);
	assert_int_equal(r.orig_dept, 2);
	assert_int_equal(r.prio, CORE_PRIO_URGENT);
	assert_int_equal(r.status, CORE_STATUS_AWAITING);
	assert_int_equal(r.chan, CORE_CHAN_WEB);
	assert_string_equal(r.title, "تست سیستم مکاتبات");
	assert_false(r.escalated);
	db_request_fini(&r);
	assert_int_equal(core_request_thread(w->db, tu_actor(w->db, w->a), w->t, &m, &n), SD_OK);
	assert_int_equal(n, 1);
	assert_string_equal(m[0].body, "سلام\nتست سیستم مکاتبات");
	assert_int_equal(m[0].author_id, w->a);
	assert_int_equal(m[0].author_role, CORE_ROLE_APPLICANT);
	db_message_list_free(m, n);
	assert_int_equal(audit_rows(w, w->t), 1);
}

static void
test_reply_cycle(void **state)
{
	struct world *w = *state;
	struct db_message *m;
	char err[SD_ERRLEN];
	size_t n;

	/* Staff answer -> answered, with the staff's name and title. */
	assert_int_equal(core_request_reply(w->db, &core_env_no_sms, tu_actor(w->db, w->it), w->t,
	    "با سلام و احترام\nتست سیستم مکاتبات انجام شد.", CORE_CHAN_WEB,
	    NULL, err), SD_OK);
	assert_int_equal(status_of(w, w->t), CORE_STATUS_ANSWERED);
	/* Applicant follow-up -> awaiting again. */
	assert_int_equal(core_request_reply(w->db, &core_env_no_sms, tu_actor(w->db, w->a), w->t, "مدارک تکمیلی",
	    CORE_CHAN_SMS, NULL, err), SD_OK);
	assert_int_equal(status_of(w, w->t), CORE_STATUS_AWAITING);
	/* The head answers too. */
	assert_int_equal(core_request_reply(w->db, &core_env_no_sms, tu_actor(w->db, w->head), w->t, "پیگیری شد",
	    CORE_CHAN_WEB, NULL, err), SD_OK);
	assert_int_equal(status_of(w, w->t), CORE_STATUS_ANSWERED);

	assert_int_equal(core_request_thread(w->db, tu_actor(w->db, w->a), w->t, &m, &n), SD_OK);
	assert_int_equal(n, 4);
	assert_int_equal(m[1].author_role, CORE_ROLE_STAFF);
	assert_string_equal(m[1].author_title, "کارشناس فناوری اطلاعات");
	assert_string_equal(m[1].author_name, "نام نام‌خانوادگی");
	assert_int_equal(m[2].chan, CORE_CHAN_SMS);
	assert_string_equal(m[2].author_title, "");
	db_message_list_free(m, n);
	assert_int_equal(audit_rows(w, w->t), 4);
}

static void
test_closed_is_final_unless_reopened_by_staff(void **state)
{
	struct world *w = *state;
	char err[SD_ERRLEN];

	/* (The applicant may close their own: test_applicant_closes_own.) */
	assert_int_equal(core_request_set_status(w->db, &core_env_no_sms, tu_actor(w->db, w->it), w->t,
	    CORE_STATUS_CLOSED, err), SD_OK);
	assert_int_equal(status_of(w, w->t), CORE_STATUS_CLOSED);
	/* Nobody may write to a closed request; nothing is stored. */
	assert_int_equal(core_request_reply(w->db, &core_env_no_sms, tu_actor(w->db, w->a), w->t, "هنوز؟",
	    CORE_CHAN_WEB, NULL, err), SD_ESTATE);
	assert_int_equal(core_request_reply(w->db, &core_env_no_sms, tu_actor(w->db, w->it), w->t, "پاسخ",
	    CORE_CHAN_WEB, NULL, err), SD_ESTATE);
	assert_int_equal(thread_len(w, w->t), 1);
	assert_int_equal(core_request_set_status(w->db, &core_env_no_sms, tu_actor(w->db, w->it), w->t,
	    CORE_STATUS_CLOSED, err), SD_ESTATE);
	/* Only staff reopen; the applicant cannot. */
	assert_int_equal(core_request_set_status(w->db, &core_env_no_sms, tu_actor(w->db, w->a), w->t,
	    CORE_STATUS_AWAITING, err), SD_EPERM);
	assert_int_equal(core_request_set_status(w->db, &core_env_no_sms, tu_actor(w->db, w->it), w->t,
	    CORE_STATUS_AWAITING, err), SD_OK);
	assert_int_equal(status_of(w, w->t), CORE_STATUS_AWAITING);
	/* ANSWERED can't be set by hand: it comes with an answer. */
	assert_int_equal(core_request_set_status(w->db, &core_env_no_sms, tu_actor(w->db, w->it), w->t,
	    CORE_STATUS_ANSWERED, err), SD_EINVAL);
	assert_int_equal(audit_rows(w, w->t), 3);
}

/* Who may read which request: every actor against A's request in
 * department 2 and B's in department 5, through get, thread, render
 * and the page's view.
 * "Not yours" must be answered exactly like "no such request"; an actor
 * that names nobody (id 0 for a person, a zeroed actor) sees nothing. */
static void
test_access_checks(void **state)
{
	enum { A_REQ, B_REQ };
	enum { OK = SD_OK, NF = SD_ENOTFOUND, INV = SD_EINVAL };
	struct world *w = *state;
	struct db_request r;
	struct db_message *m;
	char err[SD_ERRLEN], want[SD_ERRLEN], *text;
	int64_t tb, req[2];
	size_t n, i, k;
	struct {
		const char *who;
		enum core_actor_kind kind;
		int64_t *id;  /* NULL: id 0 */
		int rc[2];    /* for A_REQ, B_REQ */
	} tab[] = {
		{"applicant A", CORE_ACTOR_APPLICANT, &w->a, {OK, NF}},
		{"applicant B", CORE_ACTOR_APPLICANT, &w->b, {NF, OK}},
		{"staff of 2", CORE_ACTOR_STAFF, &w->it, {OK, NF}},
		{"staff of 5", CORE_ACTOR_STAFF, &w->gas, {NF, OK}},
		{"head", CORE_ACTOR_HEAD, &w->head, {OK, OK}},
		{"admin", CORE_ACTOR_ADMIN, &w->admin, {OK, OK}},
		{"system", CORE_ACTOR_SYSTEM, NULL, {OK, OK}},
		{"cli", CORE_ACTOR_CLI, NULL, {OK, OK}},
		/* Nobody: never "the operator". */
		{"applicant 0", CORE_ACTOR_APPLICANT, NULL, {INV, INV}},
		{"staff 0", CORE_ACTOR_STAFF, NULL, {INV, INV}},
		{"head 0", CORE_ACTOR_HEAD, NULL, {INV, INV}},
		{"admin 0", CORE_ACTOR_ADMIN, NULL, {INV, INV}},
		{"zeroed", CORE_ACTOR_NONE, NULL, {INV, INV}},
		/* A claimed kind the stored role does not back: own only. */
		{"A as admin", CORE_ACTOR_ADMIN, &w->a, {OK, NF}},
		{"A as head", CORE_ACTOR_HEAD, &w->a, {OK, NF}},
		{"staff of 2 as admin", CORE_ACTOR_ADMIN, &w->it, {NF, NF}},
		{"head as applicant", CORE_ACTOR_APPLICANT, &w->head, {NF, NF}},
	};

	assert_int_equal(core_request_create(w->db, &core_env_no_sms, tu_actor(w->db, w->b),
	    5, CORE_PRIO_NORMAL, "گاز", "بوی گاز", CORE_CHAN_SMS, &tb, err),
	    SD_OK);
	req[A_REQ] = w->t;
	req[B_REQ] = tb;
	for (i = 0; i < sizeof(tab) / sizeof(tab[0]); i++) {
		struct core_actor act = {tab[i].kind,
		    tab[i].id != NULL ? *tab[i].id : 0};
		enum sd_rc missing = core_request_get(w->db, &act, 99999, &r);

		for (k = 0; k < 2; k++) {
			enum sd_rc g = core_request_get(w->db, &act, req[k], &r);
			enum sd_rc t = core_request_thread(w->db, &act, req[k],
			    &m, &n);
			enum sd_rc x = core_request_render(w->db, &act, req[k],
			    &text);
			struct core_request_view v;
			enum sd_rc pv = core_request_view(w->db, &act, req[k],
			    &v);

			if (pv == SD_OK && (v.req.tracking != req[k] ||
			    v.n_msgs == 0))
				fail_msg("%s: view of %zu is not that request",
				    tab[i].who, k);
			if (pv != SD_OK && (v.n_msgs != 0 || v.msgs != NULL))
				fail_msg("%s: a refused view holds messages",
				    tab[i].who);
			core_request_view_fini(&v);
			if (g == SD_OK)
				db_request_fini(&r);
			if (t == SD_OK)
				db_message_list_free(m, n);
			if (x == SD_OK)
				free(text);
			if ((int)g != tab[i].rc[k] || (int)t != tab[i].rc[k] ||
			    (int)x != tab[i].rc[k] || (int)pv != tab[i].rc[k])
				fail_msg("%s on request %zu: get %d thread %d "
					 "render %d view %d, want %d",
				    tab[i].who, k, (int)g, (int)t, (int)x,
				    (int)pv, tab[i].rc[k]);
			/* Not yours reads as missing: same code. */
			if (tab[i].rc[k] == NF && g != missing)
				fail_msg("%s: 'not yours' %d, missing %d",
				    tab[i].who, (int)g, (int)missing);
		}
	}
	/* Writing is checked the same way, answered in the same words as a
	 * missing request, and leaves nothing behind. */
	assert_int_equal(core_request_reply(w->db, &core_env_no_sms, tu_actor(w->db, w->b),
	    99999, "نفوذ", CORE_CHAN_SMS, NULL, want), SD_ENOTFOUND);
	assert_int_equal(core_request_reply(w->db, &core_env_no_sms, tu_actor(w->db, w->b),
	    w->t, "نفوذ", CORE_CHAN_SMS, NULL, err), SD_ENOTFOUND);
	snprintf(want, sizeof(want), "no request %lld", (long long)w->t);
	assert_string_equal(err, want);
	assert_int_equal(core_request_reply(w->db, &core_env_no_sms, tu_actor(w->db, w->gas),
	    w->t, "پاسخ", CORE_CHAN_SMS, NULL, err), SD_ENOTFOUND);
	assert_int_equal(core_request_set_status(w->db, &core_env_no_sms,
	    tu_actor(w->db, w->b), w->t, CORE_STATUS_CLOSED, err),
	    SD_ENOTFOUND);
	/* An applicant with no id writes nothing and lists nothing. */
	{
		struct core_actor nobody = {CORE_ACTOR_APPLICANT, 0};
		struct db_request *rows;

		assert_int_equal(core_request_reply(w->db, &core_env_no_sms, &nobody, w->t,
		    "x", CORE_CHAN_WEB, NULL, err), SD_EINVAL);
		assert_int_equal(core_request_set_status(w->db, &core_env_no_sms, &nobody,
		    w->t, CORE_STATUS_CLOSED, err), SD_EINVAL);
		assert_int_equal(core_request_escalate(w->db, &core_env_no_sms, &nobody,
		    w->t, err), SD_EINVAL);
		assert_int_equal(core_request_list_mine(w->db, &nobody, 5,
		    &rows, &n), SD_EINVAL);
		assert_int_equal(core_request_create(w->db, &core_env_no_sms, &nobody, 2,
		    CORE_PRIO_LOW, "x", "y", CORE_CHAN_WEB, &tb, err),
		    SD_EINVAL);
		/* The system and the CLI author no messages. */
		assert_int_equal(core_request_reply(w->db, &core_env_no_sms,
		    &core_actor_cli, w->t, "x", CORE_CHAN_CLI, NULL, err),
		    SD_EINVAL);
	}
	assert_int_equal(thread_len(w, w->t), 1);
	assert_int_equal(status_of(w, w->t), CORE_STATUS_AWAITING);
	assert_int_equal(audit_rows(w, w->t), 1);
}

static void
test_escalation_flags_for_head(void **state)
{
	struct world *w = *state;
	struct db_request r;
	char err[SD_ERRLEN];

	assert_int_equal(core_request_escalate(w->db, &core_env_no_sms, tu_actor(w->db, w->a), w->t, err), SD_OK);
	assert_int_equal(core_request_get(w->db, tu_actor(w->db, w->head), w->t, &r), SD_OK);
	assert_true(r.escalated);
	assert_int_equal(r.dept, 2);
	assert_int_equal(r.orig_dept, 2);
	db_request_fini(&r);
	assert_int_equal(core_request_escalate(w->db, &core_env_no_sms, tu_actor(w->db, w->a), w->t, err),
	    SD_ESTATE);
	/* Another applicant can't escalate what they can't see. */
	assert_int_equal(core_request_escalate(w->db, &core_env_no_sms, tu_actor(w->db, w->b), w->t, err),
	    SD_ENOTFOUND);
	assert_int_equal(audit_rows(w, w->t), 2);
}

static void
test_bad_input_leaves_data_intact(void **state)
{
	struct world *w = *state;
	char err[SD_ERRLEN], big[SD_BODY_MAX + 10];
	struct db_request r;
	int64_t t;

	/* SQL in a title is just text. */
	assert_int_equal(core_request_create(w->db, &core_env_no_sms, tu_actor(w->db, w->a), 3, CORE_PRIO_LOW,
	    "x'); DROP TABLE requests; --", "<script>alert(1)</script>",
	    CORE_CHAN_WEB, &t, err), SD_OK);
	assert_int_equal(core_request_get(w->db, tu_actor(w->db, w->a), t, &r), SD_OK);
	assert_string_equal(r.title, "x'); DROP TABLE requests; --");
	db_request_fini(&r);
	/* Invalid UTF-8, empty, too long, unknown department or priority. */
	assert_int_equal(core_request_create(w->db, &core_env_no_sms, tu_actor(w->db, w->a), 3, CORE_PRIO_LOW,
	    "bad \xc0\x80", "متن", CORE_CHAN_WEB, &t, err), SD_EINVAL);
	assert_int_equal(core_request_create(w->db, &core_env_no_sms, tu_actor(w->db, w->a), 3, CORE_PRIO_LOW,
	    "عنوان", "\xff", CORE_CHAN_WEB, &t, err), SD_EINVAL);
	assert_int_equal(core_request_create(w->db, &core_env_no_sms, tu_actor(w->db, w->a), 3, CORE_PRIO_LOW,
	    "   ", "متن", CORE_CHAN_WEB, &t, err), SD_EINVAL);
	assert_int_equal(core_request_create(w->db, &core_env_no_sms, tu_actor(w->db, w->a), 3, CORE_PRIO_LOW,
	    "عنوان", " \n\t ", CORE_CHAN_WEB, &t, err), SD_EINVAL);
	memset(big, 'a', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	assert_int_equal(core_request_create(w->db, &core_env_no_sms, tu_actor(w->db, w->a), 3, CORE_PRIO_LOW,
	    "عنوان", big, CORE_CHAN_WEB, &t, err), SD_ETOOBIG);
	assert_int_equal(core_request_create(w->db, &core_env_no_sms, tu_actor(w->db, w->a), 18, CORE_PRIO_LOW,
	    "عنوان", "متن", CORE_CHAN_WEB, &t, err), SD_EINVAL);
	assert_non_null(strstr(err, "18"));
	assert_int_equal(core_request_create(w->db, &core_env_no_sms, tu_actor(w->db, w->a), 3,
	    (enum core_priority)7, "عنوان", "متن", CORE_CHAN_WEB, &t, err),
	    SD_EINVAL);
	assert_int_equal(core_request_reply(w->db, &core_env_no_sms, tu_actor(w->db, w->a), w->t, "\xed\xa0\x80",
	    CORE_CHAN_SMS, NULL, err), SD_EINVAL);
	/* Nothing of that was stored: the next number is the next one. */
	assert_int_equal(core_request_create(w->db, &core_env_no_sms, tu_actor(w->db, w->a), 3, CORE_PRIO_LOW,
	    "عنوان", "متن", CORE_CHAN_WEB, &t, err), SD_OK);
	assert_int_equal(t, CORE_TRACKING_FIRST + 2);
	assert_int_equal(thread_len(w, w->t), 1);
}

static void
test_users_checked(void **state)
{
	struct world *w = *state;
	static const int d2[] = {2}, dup[] = {2, 2}, bad[] = {40};
	char err[SD_ERRLEN];
	int64_t id;

	/* The same mobile in another form is the same number. */
	assert_int_equal(core_user_add(w->db, 0, "+989131111111", "الف", "ب",
	    CORE_ROLE_APPLICANT, NULL, NULL, 0, &id, err), SD_EEXIST);
	assert_int_equal(core_user_add(w->db, 0, "۰۹۱۳۱۱۱۱۱۱۱", "الف", "ب",
	    CORE_ROLE_APPLICANT, NULL, NULL, 0, &id, err), SD_EEXIST);
	assert_int_equal(core_user_add(w->db, 0, "12345", "الف", "ب",
	    CORE_ROLE_APPLICANT, NULL, NULL, 0, &id, err), SD_EINVAL);
	assert_int_equal(core_user_add(w->db, 0, "09137777777", "", "ب",
	    CORE_ROLE_APPLICANT, NULL, NULL, 0, &id, err), SD_EINVAL);
	assert_int_equal(core_user_add(w->db, 0, "09137777777", "الف", "ب",
	    CORE_ROLE_STAFF, NULL, d2, 1, &id, err), SD_EINVAL);
	assert_int_equal(core_user_add(w->db, 0, "09137777777", "الف", "ب",
	    CORE_ROLE_STAFF, "کارشناس", NULL, 0, &id, err), SD_EINVAL);
	assert_int_equal(core_user_add(w->db, 0, "09137777777", "الف", "ب",
	    CORE_ROLE_STAFF, "کارشناس", dup, 2, &id, err), SD_EEXIST);
	assert_int_equal(core_user_add(w->db, 0, "09137777777", "الف", "ب",
	    CORE_ROLE_STAFF, "کارشناس", bad, 1, &id, err), SD_EINVAL);
	/* None of the failures left a user behind. */
	assert_int_equal(core_user_add(w->db, 0, "09137777777", "الف", "ب",
	    CORE_ROLE_APPLICANT, NULL, NULL, 0, &id, err), SD_OK);
}

static void
test_list_mine_newest_first(void **state)
{
	struct world *w = *state;
	struct db_request *r;
	char err[SD_ERRLEN];
	int64_t t2;
	size_t n;

	assert_int_equal(core_request_create(w->db, &core_env_no_sms, tu_actor(w->db, w->a), 4,
	    CORE_PRIO_VERY_URGENT, "گاز", "نشت گاز", CORE_CHAN_SMS, &t2, err),
	    SD_OK);
	assert_int_equal(core_request_list_mine(w->db, tu_actor(w->db, w->a), 5, &r, &n), SD_OK);
	assert_int_equal(n, 2);
	assert_int_equal(r[0].tracking, t2);
	assert_int_equal(r[1].tracking, w->t);
	db_request_list_free(r, n);
	assert_int_equal(core_request_list_mine(w->db, tu_actor(w->db, w->b), 5, &r, &n), SD_OK);
	assert_int_equal(n, 0);
	db_request_list_free(r, n);
}

static void
test_render_thread_in_seed_wording(void **state)
{
	struct world *w = *state;
	char err[SD_ERRLEN], *text;

	/* 2020-04-26 04:39:11 UTC = 1399/02/07 09:09:11 in Tehran. */
	sd_clock_set_fixed(1587875951);
	assert_int_equal(core_request_reply(w->db, &core_env_no_sms, tu_actor(w->db, w->it), w->t,
	    "تست سیستم مکاتبات انجام شد.", CORE_CHAN_WEB, NULL, err), SD_OK);
	sd_clock_set_fixed(0);
	assert_int_equal(core_request_render(w->db, tu_actor(w->db, w->a), w->t, &text), SD_OK);
	assert_non_null(strstr(text, "موضوع : تست سیستم مکاتبات\n"));
	assert_non_null(strstr(text, "نوع درخواست : فناوری اطلاعات\n"));
	assert_non_null(strstr(text, "شماره رهگیری : 10001\n"));
	assert_non_null(strstr(text, "وضعیت : پاسخ داده شد\n"));
	assert_non_null(strstr(text, "اولویت : فوری\n"));
	assert_non_null(strstr(text, "متقاضی: شما\n| سلام\n"
				     "| تست سیستم مکاتبات\n"));
	assert_non_null(strstr(text,
	    "پاسخ کارشناس: نام نام‌خانوادگی (کارشناس فناوری اطلاعات)\n"
	    "| تست سیستم مکاتبات انجام شد.\n1399/02/07 - 09:09:11\n"));
	free(text);
}

/* Issue 9: names and role titles with controls or bidi overrides are
 * refused with the character named; a request title loses them. */
static void
test_names_titles_no_controls(void **state)
{
	static const struct {
		const char *first, *last, *code;
	} bad[] = {
		{"محمد\x1b[31m", "نوری", "U+001B"},
		{"محمد", "نوری\x07", "U+0007"},
		{"محمد", "\u202Eنوری", "U+202E"},
		{"\u2067محمد", "نوری", "U+2067"},
		{"محمد", "نو\xc2\x9bری", "U+009B"},
		{"محمد\u200F", "نوری", "U+200F"},
		{"محمد", "نوری\x7f", "U+007F"},
	};
	static const int d2[] = {2};
	struct world *w = *state;
	char err[SD_ERRLEN], mobile[16];
	struct db_request r;
	int64_t id, t;
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		snprintf(mobile, sizeof(mobile), "0913700000%zu", i);
		err[0] = '\0';
		assert_int_equal(core_user_add(w->db, 0, mobile, bad[i].first,
				     bad[i].last, CORE_ROLE_APPLICANT, "", NULL,
				     0, &id, err),
		    SD_EINVAL);
		if (strstr(err, bad[i].code) == NULL)
			fail_msg("case %zu: «%s» does not name %s", i, err,
			    bad[i].code);
	}
	assert_int_equal(core_user_add(w->db, 0, "09137000009", "کارمند",
			     "تازه", CORE_ROLE_STAFF, "کارشناس\u202E فناوری",
			     d2, 1, &id, err),
	    SD_EINVAL);
	assert_non_null(strstr(err, "U+202E"));
	/* Tabs and line breaks are white space: folded, not refused; ZWNJ
	 * and ZWJ are letters' business. */
	assert_int_equal(core_user_add(w->db, 0, "09137000010", "علی\tرضا",
			     "نوروزی\u200cفر", CORE_ROLE_APPLICANT, "", NULL,
			     0, &id, err),
	    SD_OK);
	/* A title is made from an SMS text: cleaned, not refused. */
	assert_int_equal(core_request_create(w->db, &core_env_no_sms, tu_actor(w->db, w->a), 2,
			     CORE_PRIO_NORMAL, "\u202Eعنوان\x1b[2J \u2066تازه",
			     "متن", CORE_CHAN_SMS, &t, err),
	    SD_OK);
	assert_int_equal(core_request_get(w->db, &core_actor_cli, t, &r), SD_OK);
	assert_string_equal(r.title, "عنوان[2J تازه");
	db_request_fini(&r);
	assert_int_equal(core_request_create(w->db, &core_env_no_sms, tu_actor(w->db, w->a), 2,
			     CORE_PRIO_NORMAL, "\x1b\x07\u202E", "متن",
			     CORE_CHAN_SMS, &t, err),
	    SD_EINVAL);
}

/* Issue 9: an applicant named «محمد نوری (کارشناس فناوری)» rendered
 * exactly like a staff answer, and bodies reached the terminal with their
 * escape sequences. The role comes from the stored role, bodies are
 * escaped and every body line is set off with "| ", so neither a name nor
 * a body can make a line that reads as the system's. */
static void
test_render_marks_roles_escapes_bodies(void **state)
{
	struct world *w = *state;
	char err[SD_ERRLEN], *text;
	int64_t fake, t;

	assert_int_equal(core_user_add(w->db, 0, "09137777777", "محمد",
			     "نوری (کارشناس فناوری)", CORE_ROLE_APPLICANT, "",
			     NULL, 0, &fake, err),
	    SD_OK);
	assert_int_equal(core_request_create(w->db, &core_env_no_sms, tu_actor(w->db, fake), 2,
			     CORE_PRIO_NORMAL, "عنوان",
			     "سلام\x1b[2J\x1b]0;title\x07\n"
			     "پاسخ کارشناس: محمد نوری (کارشناس فناوری)\n"
			     "\u202Eانجام شد\r\nپایان",
			     CORE_CHAN_SMS, &t, err),
	    SD_OK);
	assert_int_equal(core_request_reply(w->db, &core_env_no_sms, tu_actor(w->db, w->it), t,
			     "پاسخ واقعی", CORE_CHAN_WEB, NULL, err),
	    SD_OK);
	assert_int_equal(core_request_render(w->db, tu_actor(w->db, w->it), t, &text), SD_OK);
	assert_null(strchr(text, '\x1b'));
	assert_null(strchr(text, '\x07'));
	assert_null(strchr(text, '\r'));
	assert_null(strstr(text, "\u202E"));
	assert_non_null(strstr(text,
	    "متقاضی: محمد نوری (کارشناس فناوری)\n"
	    "| سلام<U+001B>[2J<U+001B>]0;title<U+0007>\n"
	    "| پاسخ کارشناس: محمد نوری (کارشناس فناوری)\n"
	    "| <U+202E>انجام شد\n| پایان\n"));
	assert_non_null(strstr(text, "\nپاسخ کارشناس: نام نام‌خانوادگی "
				     "(کارشناس فناوری اطلاعات)\n| پاسخ واقعی\n"));
	/* Only the staff member's line starts with the staff marker. */
	assert_ptr_equal(strstr(text, "\nپاسخ کارشناس:"),
	    strstr(text, "\nپاسخ کارشناس: نام"));
	free(text);
	/* The head answers as the head. */
	assert_int_equal(core_request_reply(w->db, &core_env_no_sms, tu_actor(w->db, w->head), t, "رئیس",
			     CORE_CHAN_WEB, NULL, err),
	    SD_OK);
	assert_int_equal(core_request_render(w->db, &core_actor_cli, t, &text), SD_OK);
	assert_non_null(strstr(text, "\nپاسخ رئیس: نام نام‌خانوادگی"));
	free(text);
}

static int64_t
alerts_queued(struct world *w)
{
	struct db_outbox_counts c;

	assert_int_equal(db_outbox_counts(w->db, &c), SD_OK);
	return c.n[CORE_OUT_ALERT][CORE_OUT_QUEUED];
}

/* The two-working-day rule run by the system: due in working days (a
 * weekend does not count), the applicant alerted, audited, once only;
 * answered requests stay; escalation = applicant turns it off. */
static void
test_sla_sweep_escalates_overdue(void **state)
{
	struct world *w = *state;
	struct core_sla_config sla;
	struct core_calendar *cal;
	struct core_env env = {"https://desk.example", NULL, &sla, NULL,
	    NULL, CORE_FX_SMS, NULL};
	struct db_request r;
	char err[SD_ERRLEN];
	int64_t wed = 1796194800; /* 2026-12-02 07:00 UTC, a Wednesday */
	int64_t t, answered, msg, due, audits, alerts;
	size_t n = 99;

	memset(&sla, 0, sizeof(sla));
	snprintf(sla.working_days, sizeof(sla.working_days),
	    "sat,sun,mon,tue,wed");
	sla.thursday = CORE_THU_OFF;
	sla.escalation = CORE_ESC_BOTH;
	sla.answer_days = 2;
	assert_int_equal(core_calendar_new(&sla, &cal, err), SD_OK);
	env.cal = cal;
	sd_clock_set_fixed(wed);
	assert_int_equal(core_request_create(w->db, &env, tu_actor(w->db, w->a), 2,
			     CORE_PRIO_NORMAL, "پروانه", "متن", CORE_CHAN_SMS, &t,
			     err),
	    SD_OK);
	assert_int_equal(core_request_create(w->db, &env, tu_actor(w->db, w->a), 2,
			     CORE_PRIO_NORMAL, "دیگری", "متن", CORE_CHAN_SMS,
			     &answered, err),
	    SD_OK);
	assert_int_equal(core_request_reply(w->db, &env, tu_actor(w->db, w->it), answered,
			     "پاسخ کارشناس", CORE_CHAN_WEB, &msg, err),
	    SD_OK);
	assert_int_equal(core_calendar_due(cal, wed, 2, &due), SD_OK);
	/* Thursday and Friday are off: more than two calendar days. */
	assert_true(due - wed > 3 * 86400);
	audits = audit_rows(w, t);
	alerts = alerts_queued(w);

	sd_clock_set_fixed(due - 60);
	assert_int_equal(core_sla_sweep(w->db, &env, &n, err), SD_OK);
	assert_int_equal(n, 0);
	assert_int_equal(core_request_get(w->db, &core_actor_cli, t, &r), SD_OK);
	assert_false(r.escalated);
	db_request_fini(&r);

	sd_clock_set_fixed(due + 60);
	assert_int_equal(core_sla_sweep(w->db, &env, &n, err), SD_OK);
	assert_int_equal(n, 1);
	assert_int_equal(core_request_get(w->db, &core_actor_cli, t, &r), SD_OK);
	assert_true(r.escalated);
	assert_int_equal(r.dept, 2);
	assert_int_equal(r.orig_dept, 2);
	db_request_fini(&r);
	assert_int_equal(audit_rows(w, t), audits + 1);
	/* The applicant and the head's office (the head). */
	assert_int_equal(alerts_queued(w), alerts + 2);
	/* The answered one and the world's own request (created now, not
	 * at wed) stay. */
	assert_int_equal(core_request_get(w->db, &core_actor_cli, answered, &r), SD_OK);
	assert_false(r.escalated);
	db_request_fini(&r);

	/* Once only. */
	assert_int_equal(core_sla_sweep(w->db, &env, &n, err), SD_OK);
	assert_int_equal(n, 0);
	assert_int_equal(audit_rows(w, t), audits + 1);

	/* escalation = applicant: the system escalates nothing. */
	sla.escalation = CORE_ESC_APPLICANT;
	sd_clock_set_fixed(wed + 365 * 86400);
	assert_int_equal(core_sla_sweep(w->db, &env, &n, err), SD_OK);
	assert_int_equal(n, 0);
	sd_clock_set_fixed(0);
	core_calendar_free(cal);
}

/* Alerts queued for user id (claimed, so each is seen once); the last
 * one's text in last (may be NULL). */
static int
alerts_to(struct world *w, int64_t id, char *last, size_t n)
{
	struct db_outbox_row rows[64];
	struct db_user u;
	size_t got = 0, exp, i;
	int k = 0;

	assert_int_equal(db_user_get(w->db, id, &u), SD_OK);
	assert_int_equal(db_begin(w->db), SD_OK);
	assert_int_equal(db_outbox_claim(w->db, sd_clock_now(),
			     1u << CORE_OUT_ALERT, 64, rows, &got, &exp),
	    SD_OK);
	assert_int_equal(db_commit(w->db), SD_OK);
	for (i = 0; i < got; i++) {
		if (strcmp(rows[i].destination, u.mobile) == 0) {
			k++;
			if (last != NULL)
				snprintf(last, n, "%s", rows[i].body);
		}
		db_outbox_row_fini(&rows[i]);
	}
	db_user_fini(&u);
	return k;
}

/* A calendar of the seed's week (Thursday and Friday off) in *cal and
 * an env with SMS alerts that uses it. */
static void
sla_env(struct core_sla_config *sla, struct core_calendar **cal,
    struct core_env *env)
{
	char err[SD_ERRLEN];

	memset(sla, 0, sizeof(*sla));
	snprintf(sla->working_days, sizeof(sla->working_days),
	    "sat,sun,mon,tue,wed");
	sla->thursday = CORE_THU_OFF;
	sla->escalation = CORE_ESC_BOTH;
	sla->answer_days = 2;
	assert_int_equal(core_calendar_new(sla, cal, err), SD_OK);
	memset(env, 0, sizeof(*env));
	env->base_url = "https://desk.example";
	env->sla = sla;
	env->cal = *cal;
	env->effects = CORE_FX_SMS;
}

static bool
escalated(struct world *w, int64_t t)
{
	struct db_request r;
	bool e;

	assert_int_equal(core_request_get(w->db, &core_actor_cli, t, &r), SD_OK);
	e = r.escalated;
	db_request_fini(&r);
	return e;
}

/*
 * Issue 11: no escalation at night. A request sent Wednesday 1405/09/11
 * at 16:00 Tehran is due Sunday at the close (14:30). A sweep at 14:31,
 * at 23:00 (serve was down all afternoon) or at 07:29 on Monday escalates
 * nothing; the one at Monday's 07:30 opening does. Before, the 23:00
 * sweep escalated it and the head's office got its SMS at night.
 */
static void
test_sla_sweep_waits_for_office_hours(void **state)
{
	static const int64_t after[] = {60, 8 * 3600 + 1800, 17 * 3600 - 60};
	struct world *w = *state;
	struct core_sla_config sla;
	struct core_calendar *cal;
	struct core_env env;
	char err[SD_ERRLEN];
	/* 2026-12-02 07:00 UTC is Wednesday 10:30 Tehran. */
	const int64_t wed = 1796194800, sent = wed + 5 * 3600 + 1800,
		      sun_close = wed + 4 * 86400 + 4 * 3600,
		      mon_open = wed + 5 * 86400 - 3 * 3600;
	int64_t t, due, at;
	size_t n = 99, i;

	sla_env(&sla, &cal, &env);
	sd_clock_set_fixed(sent);
	assert_int_equal(core_request_create(w->db, &env,
			     tu_actor(w->db, w->a), 2, CORE_PRIO_NORMAL,
			     "پروانه", "متن", CORE_CHAN_SMS, &t, err),
	    SD_OK);
	assert_int_equal(core_calendar_due(cal, sent, 2, &due), SD_OK);
	assert_int_equal(due, sun_close);
	sd_clock_set_fixed(due - 60);
	assert_int_equal(core_sla_sweep(w->db, &env, &n, err), SD_OK);
	assert_false(escalated(w, t));
	for (i = 0; i < sizeof(after) / sizeof(after[0]); i++) {
		sd_clock_set_fixed(due + after[i]);
		assert_int_equal(core_sla_sweep(w->db, &env, &n, err),
		    SD_OK);
		assert_int_equal(n, 0);
		if (escalated(w, t))
			fail_msg("escalated %lld s after the close",
			    (long long)after[i]);
	}
	assert_int_equal(core_calendar_open_at(cal, due + 60, &at), SD_OK);
	assert_int_equal(at, mon_open);
	sd_clock_set_fixed(mon_open);
	assert_int_equal(core_sla_sweep(w->db, &env, &n, err), SD_OK);
	assert_int_equal(n, 1);
	assert_true(escalated(w, t));
	sd_clock_set_fixed(0);
	core_calendar_free(cal);
}

/* Issue 11: the deadline runs from the applicant's first message that is
 * still unanswered. Each case opens a request on Wednesday 10:30 Tehran
 * (due Sunday 10:30 if nothing moves it), maybe has staff answer, then
 * the applicant's follow-ups; the sweep must not escalate a minute
 * before the expected deadline and must a minute after it. */
static void
test_sla_clock_first_unanswered(void **state)
{
	enum { H = 3600, D = 86400, MAXF = 3 };
	static const struct {
		const char *what;
		int64_t answer;          /* staff answer at wed + this; 0: none */
		int64_t followup[MAXF];  /* applicant at wed + these; 0: none */
		int64_t start;           /* the clock's start: wed + this */
	} cases[] = {
	    {"no follow-up", 0, {0}, 0},
	    {"«خبری نشد؟» an hour before the deadline does not move it", 0,
		{4 * D - H}, 0},
	    {"three follow-ups on a waiting request: the first message "
	     "counts",
		0, {H, 2 * H, 3 * D}, 0},
	    {"a follow-up after an answer starts a new deadline", H,
		{2 * H}, 2 * H},
	    {"... from its first follow-up, not its last", H,
		{2 * H, 3 * H, 4 * D}, 2 * H},
	};
	struct world *w = *state;
	struct core_sla_config sla;
	struct core_calendar *cal;
	struct core_env env;
	char err[SD_ERRLEN];
	int64_t wed = 1796194800; /* 2026-12-02 07:00 UTC, a Wednesday */
	int64_t t, due;
	size_t i, k, n;

	sla_env(&sla, &cal, &env);
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct db_request r;

		sd_clock_set_fixed(wed);
		assert_int_equal(core_request_create(w->db, &env,
				     tu_actor(w->db, w->a), 2,
				     CORE_PRIO_NORMAL, "پروانه", "متن",
				     CORE_CHAN_SMS, &t, err),
		    SD_OK);
		if (cases[i].answer != 0) {
			sd_clock_set_fixed(wed + cases[i].answer);
			assert_int_equal(core_request_reply(w->db, &env,
					     tu_actor(w->db, w->it), t, "پاسخ",
					     CORE_CHAN_WEB, NULL, err),
			    SD_OK);
		}
		for (k = 0; k < MAXF && cases[i].followup[k] != 0; k++) {
			sd_clock_set_fixed(wed + cases[i].followup[k]);
			assert_int_equal(core_request_reply(w->db, &env,
					     tu_actor(w->db, w->a), t,
					     "خبری نشد؟", CORE_CHAN_SMS, NULL,
					     err),
			    SD_OK);
		}
		assert_int_equal(core_request_get(w->db, &core_actor_cli, t,
				     &r),
		    SD_OK);
		assert_int_equal(r.waiting_since, wed + cases[i].start);
		db_request_fini(&r);
		assert_int_equal(core_calendar_due(cal, wed + cases[i].start,
				     2, &due),
		    SD_OK);
		sd_clock_set_fixed(due - 60);
		assert_int_equal(core_sla_sweep(w->db, &env, &n, err), SD_OK);
		if (escalated(w, t))
			fail_msg("%s: escalated before its deadline",
			    cases[i].what);
		sd_clock_set_fixed(due + 60);
		assert_int_equal(core_sla_sweep(w->db, &env, &n, err), SD_OK);
		if (!escalated(w, t))
			fail_msg("%s: not escalated after its deadline",
			    cases[i].what);
	}
	sd_clock_set_fixed(0);
	core_calendar_free(cal);
}

/* Issue 11: escalation keeps the request in its department (its staff
 * still find it), flags it, makes it the head's office's as well (staff
 * of department 17 see and answer it), and alerts the head's office by
 * SMS once; the applicant who escalated gets no alert repeating their
 * command's answer, one escalated by the system does. */
static void
test_escalation_keeps_dept_alerts_head_once(void **state)
{
	static const int d17[] = {17};
	struct world *w = *state;
	struct core_sla_config sla;
	struct core_calendar *cal;
	struct core_env env;
	struct db_request r;
	char err[SD_ERRLEN], text[512], *show;
	int64_t office, t2;

	sla_env(&sla, &cal, &env);
	office = tu_user(w->db, "09137777777", CORE_ROLE_STAFF, d17, 1);
	/* Not escalated: not the head office's. */
	assert_int_equal(core_request_get(w->db, tu_actor(w->db, office), w->t,
			     &r),
	    SD_ENOTFOUND);
	(void)alerts_to(w, w->a, NULL, 0);

	assert_int_equal(core_request_escalate(w->db, &env,
			     tu_actor(w->db, w->a), w->t, err),
	    SD_OK);
	assert_int_equal(core_request_get(w->db, tu_actor(w->db, w->it), w->t,
			     &r),
	    SD_OK);
	assert_int_equal(r.dept, 2);
	assert_true(r.escalated);
	db_request_fini(&r);
	assert_int_equal(core_request_get(w->db, tu_actor(w->db, w->gas), w->t,
			     &r),
	    SD_ENOTFOUND);
	/* Alerts are claimed per call: count them all in one go. */
	{
		struct db_outbox_row rows[16];
		size_t got = 0, exp, i;
		int to_a = 0, to_head = 0, to_office = 0, to_it = 0;
		struct db_user ua, uh, uo, ui;

		assert_int_equal(db_user_get(w->db, w->a, &ua), SD_OK);
		assert_int_equal(db_user_get(w->db, w->head, &uh), SD_OK);
		assert_int_equal(db_user_get(w->db, office, &uo), SD_OK);
		assert_int_equal(db_user_get(w->db, w->it, &ui), SD_OK);
		assert_int_equal(db_begin(w->db), SD_OK);
		assert_int_equal(db_outbox_claim(w->db, sd_clock_now(),
				     1u << CORE_OUT_ALERT, 16, rows, &got,
				     &exp),
		    SD_OK);
		assert_int_equal(db_commit(w->db), SD_OK);
		for (i = 0; i < got; i++) {
			to_a += strcmp(rows[i].destination, ua.mobile) == 0;
			to_head += strcmp(rows[i].destination, uh.mobile) == 0;
			to_office += strcmp(rows[i].destination, uo.mobile) ==
			    0;
			to_it += strcmp(rows[i].destination, ui.mobile) == 0;
			if (strcmp(rows[i].destination, uo.mobile) == 0)
				snprintf(text, sizeof(text), "%s",
				    rows[i].body);
			db_outbox_row_fini(&rows[i]);
		}
		db_user_fini(&ua);
		db_user_fini(&uh);
		db_user_fini(&uo);
		db_user_fini(&ui);
		assert_int_equal(to_a, 0);
		assert_int_equal(to_head, 1);
		assert_int_equal(to_office, 1);
		assert_int_equal(to_it, 0);
		assert_non_null(strstr(text, "10001"));
		assert_non_null(strstr(text, "فناوری اطلاعات"));
		assert_non_null(strstr(text, "تست سیستم مکاتبات"));
	}
	/* The head's office answers it as staff. */
	assert_int_equal(core_request_reply(w->db, &env,
			     tu_actor(w->db, office), w->t, "پیگیری شد",
			     CORE_CHAN_WEB, NULL, err),
	    SD_OK);
	assert_int_equal(status_of(w, w->t), CORE_STATUS_ANSWERED);
	/* Once: never again, and no alert with the refusal. */
	assert_int_equal(core_request_escalate(w->db, &env,
			     &core_actor_cli, w->t, err),
	    SD_ESTATE);
	assert_int_equal(alerts_to(w, w->head, NULL, 0), 0);
	/* Shown as the seed's department, marked escalated. */
	assert_int_equal(core_request_render(w->db, &core_actor_cli, w->t,
			     &show),
	    SD_OK);
	assert_non_null(strstr(show, "نوع درخواست : فناوری اطلاعات\n"));
	assert_non_null(strstr(show, "ارجاع به رئیس : بله"));
	assert_null(strstr(show, "نوع درخواست : رئیس"));
	free(show);

	/* Escalated by someone else: the applicant is told. */
	assert_int_equal(core_request_create(w->db, &env, tu_actor(w->db, w->b),
			     5, CORE_PRIO_NORMAL, "گاز", "متن", CORE_CHAN_SMS,
			     &t2, err),
	    SD_OK);
	assert_int_equal(core_request_escalate(w->db, &env,
			     &core_actor_system, t2, err),
	    SD_OK);
	assert_int_equal(alerts_to(w, w->b, NULL, 0), 1);
	sd_clock_set_fixed(0);
	core_calendar_free(cal);
}

/* Issue 11: the applicant closes their own request (no alert: they
 * asked), cannot reopen it; nobody else's. */
static void
test_applicant_closes_own(void **state)
{
	struct world *w = *state;
	struct core_sla_config sla;
	struct core_calendar *cal;
	struct core_env env;
	char err[SD_ERRLEN];

	sla_env(&sla, &cal, &env);
	(void)alerts_to(w, w->a, NULL, 0);
	assert_int_equal(core_request_set_status(w->db, &env,
			     tu_actor(w->db, w->b), w->t, CORE_STATUS_CLOSED,
			     err),
	    SD_ENOTFOUND);
	assert_int_equal(core_request_set_status(w->db, &env,
			     tu_actor(w->db, w->a), w->t, CORE_STATUS_CLOSED,
			     err),
	    SD_OK);
	assert_int_equal(status_of(w, w->t), CORE_STATUS_CLOSED);
	assert_int_equal(alerts_to(w, w->a, NULL, 0), 0);
	assert_int_equal(core_request_set_status(w->db, &env,
			     tu_actor(w->db, w->a), w->t, CORE_STATUS_CLOSED,
			     err),
	    SD_ESTATE);
	assert_int_equal(core_request_set_status(w->db, &env,
			     tu_actor(w->db, w->a), w->t, CORE_STATUS_AWAITING,
			     err),
	    SD_EPERM);
	/* Staff reopen and close: the applicant is told of that close. */
	assert_int_equal(core_request_set_status(w->db, &env,
			     tu_actor(w->db, w->it), w->t,
			     CORE_STATUS_AWAITING, err),
	    SD_OK);
	assert_int_equal(core_request_set_status(w->db, &env,
			     tu_actor(w->db, w->it), w->t, CORE_STATUS_CLOSED,
			     err),
	    SD_OK);
	assert_int_equal(alerts_to(w, w->a, NULL, 0), 1);
	core_calendar_free(cal);
}

/* Issue 11: a short thanks after an answer is stored and leaves the
 * request answered (normalized: Arabic letters, spaces, punctuation,
 * case); anything more, or any text while it waits, is a follow-up.
 * The phrases come from [sms] thanks_phrases. */
static void
test_thanks_after_answer(void **state)
{
	static const struct {
		const char *phrases; /* NULL: the built-in default */
		const char *body;
		enum core_status want;
	} cases[] = {
	    {NULL, "ممنون", CORE_STATUS_ANSWERED},
	    {NULL, "  ممنونم!! ", CORE_STATUS_ANSWERED},
	    {NULL, "خيلي ممنون 🙏", CORE_STATUS_ANSWERED},
	    {NULL, "با  تشكر.", CORE_STATUS_ANSWERED},
	    {NULL, "متشکرم\u200c", CORE_STATUS_ANSWERED},
	    {NULL, "Thanks.", CORE_STATUS_ANSWERED},
	    {NULL, "THANK YOU!", CORE_STATUS_ANSWERED},
	    {NULL, "ممنون ولی هنوز کار نمی‌کند", CORE_STATUS_AWAITING},
	    {NULL, "خبری نشد؟", CORE_STATUS_AWAITING},
	    {NULL, "thanks but no", CORE_STATUS_AWAITING},
	    {"عالی, سپاس", "عالی!", CORE_STATUS_ANSWERED},
	    {"عالی, سپاس", "ممنون", CORE_STATUS_AWAITING},
	    {"", "ممنون", CORE_STATUS_AWAITING},
	};
	struct world *w = *state;
	struct core_sms_config sms;
	struct core_env env = core_env_no_sms;
	char err[SD_ERRLEN];
	size_t i, len;

	memset(&sms, 0, sizeof(sms));
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		env.sms = NULL;
		if (cases[i].phrases != NULL) {
			snprintf(sms.thanks_phrases,
			    sizeof(sms.thanks_phrases), "%s",
			    cases[i].phrases);
			env.sms = &sms;
		}
		assert_int_equal(core_request_reply(w->db, &env,
				     tu_actor(w->db, w->it), w->t, "انجام شد",
				     CORE_CHAN_WEB, NULL, err),
		    SD_OK);
		len = thread_len(w, w->t);
		assert_int_equal(core_request_reply(w->db, &env,
				     tu_actor(w->db, w->a), w->t,
				     cases[i].body, CORE_CHAN_SMS, NULL, err),
		    SD_OK);
		assert_int_equal(thread_len(w, w->t), len + 1);
		if (status_of(w, w->t) != cases[i].want)
			fail_msg("«%s» with phrases «%s»: status %d, want %d",
			    cases[i].body,
			    cases[i].phrases != NULL ? cases[i].phrases :
						       "(default)",
			    (int)status_of(w, w->t), (int)cases[i].want);
	}
	/* A thanks while it waits is a follow-up like any other. */
	env.sms = NULL;
	assert_int_equal(core_request_reply(w->db, &env, tu_actor(w->db, w->a),
			     w->t, "ممنون", CORE_CHAN_SMS, NULL, err),
	    SD_OK);
	assert_int_equal(status_of(w, w->t), CORE_STATUS_AWAITING);
	assert_true(core_request_is_thanks(&env, "مرسي"));
	assert_false(core_request_is_thanks(&env, ""));
	assert_false(core_request_is_thanks(&env, "!!!"));
}

/* Issue 10: "no SMS side effects" is said by the env (CORE_FX_NONE),
 * never by a NULL pointer: the same answer with CORE_FX_SMS alerts the
 * applicant, with core_env_no_sms it changes the request and alerts
 * no one. */
static void
test_env_effects_explicit(void **state)
{
	struct world *w = *state;
	struct core_env sms = core_env_no_sms;
	char err[SD_ERRLEN];
	int64_t alerts = alerts_queued(w);

	sms.effects = CORE_FX_SMS;
	assert_int_equal(core_request_reply(w->db, &core_env_no_sms,
			     tu_actor(w->db, w->it),
			     w->t, "پاسخ اول", CORE_CHAN_WEB, NULL, err),
	    SD_OK);
	assert_int_equal(status_of(w, w->t), CORE_STATUS_ANSWERED);
	assert_int_equal(alerts_queued(w), alerts);
	assert_int_equal(core_request_reply(w->db, &sms, tu_actor(w->db, w->it), w->t,
			     "پاسخ دوم", CORE_CHAN_WEB, NULL, err),
	    SD_OK);
	assert_int_equal(alerts_queued(w), alerts + 1);
}

#define T(f) cmocka_unit_test_setup_teardown(f, world_setup, world_teardown)

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_status_rules_table),
		T(test_create_stores_request_thread_audit),
		T(test_reply_cycle),
		T(test_closed_is_final_unless_reopened_by_staff),
		T(test_access_checks),
		T(test_escalation_flags_for_head),
		T(test_sla_clock_first_unanswered),
		T(test_sla_sweep_waits_for_office_hours),
		T(test_escalation_keeps_dept_alerts_head_once),
		T(test_applicant_closes_own),
		T(test_thanks_after_answer),
		T(test_sla_sweep_escalates_overdue),
		T(test_bad_input_leaves_data_intact),
		T(test_users_checked),
		T(test_list_mine_newest_first),
		T(test_render_thread_in_seed_wording),
		T(test_names_titles_no_controls),
		T(test_render_marks_roles_escapes_bodies),
		T(test_env_effects_explicit),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
