/*
 * tests/unit/core/test_overview.c: the head's overview and its CSV
 * (core/overview.c), and managing staff (core/staffadm.c), issue #14.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/base/buf.h"
#include "core/base/clock.h"
#include "core/core.h"
#include "tests/support/testutil.h"

/* 2026-12-02 07:00 UTC is Wednesday 1405/09/11 10:30 Tehran. */
#define WED 1796194800LL

struct ow {
	struct db *db;
	struct core_sla_config sla;
	struct core_calendar *cal;
	struct core_env env;
	int64_t a, s2, s5, head, admin;
};

static int
ow_setup(void **state)
{
	static const int d2[] = {2}, d5[] = {5}, d17[] = {17};
	struct ow *w = calloc(1, sizeof(*w));
	char err[SD_ERRLEN];

	w->db = tu_db_open(":memory:");
	w->a = tu_user(w->db, "09131111111", CORE_ROLE_APPLICANT, NULL, 0);
	w->s2 = tu_user(w->db, "09133333333", CORE_ROLE_STAFF, d2, 1);
	w->s5 = tu_user(w->db, "09134444444", CORE_ROLE_STAFF, d5, 1);
	w->head = tu_user(w->db, "09135555555", CORE_ROLE_HEAD, d17, 1);
	w->admin = tu_user(w->db, "09136666666", CORE_ROLE_ADMIN, NULL, 0);
	snprintf(w->sla.working_days, sizeof(w->sla.working_days),
	    "sat,sun,mon,tue,wed");
	w->sla.thursday = CORE_THU_OFF;
	w->sla.escalation = CORE_ESC_BOTH;
	w->sla.answer_days = 2;
	assert_int_equal(core_calendar_new(&w->sla, &w->cal, err), SD_OK);
	w->env = core_env_no_sms;
	w->env.sla = &w->sla;
	w->env.cal = w->cal;
	*state = w;
	return 0;
}

static int
ow_teardown(void **state)
{
	struct ow *w = *state;

	sd_clock_set_fixed(0);
	db_close(w->db);
	core_calendar_free(w->cal);
	free(w);
	return 0;
}

/* Office time: 07:30-14:30, Saturday to Wednesday. */
static void
test_work_seconds(void **state)
{
	struct ow *w = *state;
	const int64_t wed1030 = WED, wed1600 = WED + 5 * 3600 + 1800;
	const int64_t sat0800 = WED + 3 * 86400 - 2 * 3600 - 1800;

	assert_int_equal(core_calendar_office_s(w->cal, wed1030, wed1030 + 3600),
	    3600);
	/* 10:30 to the 14:30 close, then nothing until Saturday 07:30. */
	assert_int_equal(core_calendar_office_s(w->cal, wed1030, wed1600),
	    4 * 3600);
	assert_int_equal(core_calendar_office_s(w->cal, wed1030, sat0800),
	    4 * 3600 + 1800);
	/* Sent after the close, answered Saturday 08:00: 30 minutes. */
	assert_int_equal(core_calendar_office_s(w->cal, wed1600, sat0800), 1800);
	/* A whole working week: five office days. */
	assert_int_equal(core_calendar_office_s(w->cal, wed1030, wed1030 + 7 * 86400),
	    5 * 7 * 3600);
	assert_int_equal(core_calendar_office_s(w->cal, sat0800, wed1600), 0);
	/* No calendar: wall time. */
	assert_int_equal(core_calendar_office_s(NULL, 100, 250), 150);
}

static void
test_csv_cell(void **state)
{
	static const struct {
		const char *in, *out;
	} cases[] = {
	    {"plain", "plain"},
	    {"سلام", "سلام"},
	    {"=1+2", "'=1+2"},
	    {"+98913", "'+98913"},
	    {"-5", "'-5"},
	    {"@SUM(A1)", "'@SUM(A1)"},
	    {"a,b", "\"a,b\""},
	    {"say \"hi\"", "\"say \"\"hi\"\"\""},
	    {"=HYPERLINK(\"x\"),y", "\"'=HYPERLINK(\"\"x\"\"),y\""},
	    {"two\nlines", "\"two\nlines\""},
	    {"mid=dle", "mid=dle"},
	    {"", ""},
	};
	struct sd_buf b;
	size_t i;

	(void)state;
	sd_buf_init(&b, 4096);
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		sd_buf_reset(&b);
		assert_int_equal(core_csv_cell(&b, cases[i].in), SD_OK);
		assert_string_equal(sd_buf_str(&b), cases[i].out);
	}
	sd_buf_fini(&b);
}

static void
test_jalali_short(void **state)
{
	char out[SD_JALALI_LEN];

	(void)state;
	assert_string_equal(core_jalali_short(WED, out), "1405/09/11 10:30");
}

static int64_t
create(struct ow *w, int dept, const char *title)
{
	char err[SD_ERRLEN];
	int64_t t;

	assert_int_equal(core_request_create(w->db, &w->env,
			     tu_actor(w->db, w->a), dept, CORE_PRIO_NORMAL,
			     title, "متن", CORE_CHAN_WEB, &t, err),
	    SD_OK);
	return t;
}

static void
answer(struct ow *w, int64_t staff, int64_t t)
{
	char err[SD_ERRLEN];

	assert_int_equal(core_request_reply(w->db, &w->env,
			     tu_actor(w->db, staff), t, "پاسخ", CORE_CHAN_WEB,
			     NULL, err),
	    SD_OK);
}

/*
 * Five requests of department 2 sent Wednesday 10:30 and answered after
 * 1, 2, 3, 4 and 10 office hours; one of department 5 left waiting past
 * its deadline, one escalated.
 */
static void
test_overview_numbers(void **state)
{
	static const int hours[] = {1, 2, 3, 4, 10};
	struct ow *w = *state;
	struct core_overview o;
	char err[SD_ERRLEN];
	int64_t t[5], late, esc, at;
	size_t i;

	sd_clock_set_fixed(WED);
	for (i = 0; i < 5; i++)
		t[i] = create(w, 2, "درخواست");
	late = create(w, 5, "دیرکرد");
	esc = create(w, 5, "ارجاع");
	assert_int_equal(core_request_escalate(w->db, &w->env, &core_actor_cli,
			     esc, err),
	    SD_OK);
	for (i = 0; i < 5; i++) {
		/* 4 office hours are left on Wednesday; the rest on
		 * Saturday from 07:30. */
		at = hours[i] <= 4 ?
		    WED + hours[i] * 3600 :
		    WED + 3 * 86400 - 3 * 3600 + (hours[i] - 4) * 3600;
		sd_clock_set_fixed(at);
		answer(w, w->s2, t[i]);
	}
	(void)late;
	/* Monday 10:30: the department 5 requests are past their deadline
	 * (Sunday 10:30). */
	sd_clock_set_fixed(WED + 5 * 86400);
	assert_int_equal(core_overview_get(w->db, &w->env,
			     tu_actor(w->db, w->head), sd_clock_now(), &o),
	    SD_OK);
	assert_int_equal(o.counts[2][CORE_STATUS_ANSWERED], 5);
	assert_int_equal(o.counts[2][CORE_STATUS_AWAITING], 0);
	assert_int_equal(o.counts[5][CORE_STATUS_AWAITING], 2);
	assert_int_equal(o.overdue[5], 2);
	assert_int_equal(o.overdue[2], 0);
	assert_int_equal(o.overdue_total, 2);
	assert_int_equal(o.n_esc, 1);
	assert_int_equal(o.esc[0].tracking, esc);
	assert_int_equal(o.n_first, 5);
	assert_int_equal(o.median_s, 3 * 3600);
	assert_int_equal(o.p90_s, 10 * 3600);
	assert_int_equal(o.n_staff, 1);
	assert_int_equal(o.staff[0].user_id, w->s2);
	assert_int_equal(o.staff[0].n, 5);
	assert_string_equal(core_overview_dept(&o, 2), "فناوری اطلاعات");
	core_overview_fini(&o);

	/* 34 days later the requests and answers are out of the window. */
	sd_clock_set_fixed(WED + 34 * 86400);
	assert_int_equal(core_overview_get(w->db, &w->env,
			     tu_actor(w->db, w->admin), sd_clock_now(), &o),
	    SD_OK);
	assert_int_equal(o.n_first, 0);
	assert_int_equal(o.n_staff, 0);
	core_overview_fini(&o);
}

static int
cmp64(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;

	return x < y ? -1 : x > y;
}

/* The overview's office times (a table of office periods) agree with
 * core_calendar_office_s() (a walk through the calendar) on requests spread
 * over three weeks, sent and answered at all hours. */
static void
test_overview_agrees_with_walk(void **state)
{
	struct ow *w = *state;
	struct core_overview o;
	int64_t sent[40], got[40], now = WED + 21 * 86400;
	size_t i, n = 40;

	for (i = 0; i < n; i++) {
		int64_t t;

		sent[i] = WED + (int64_t)i * 45000 + (int64_t)(i * i % 7) * 977;
		got[i] = sent[i] + 600 + (int64_t)(i % 9) * 20000;
		sd_clock_set_fixed(sent[i]);
		t = create(w, 2, "درخواست");
		sd_clock_set_fixed(got[i]);
		answer(w, w->s2, t);
		got[i] = core_calendar_office_s(w->cal, sent[i], got[i]);
	}
	qsort(got, n, sizeof(got[0]), cmp64);
	sd_clock_set_fixed(now);
	assert_int_equal(core_overview_get(w->db, &w->env,
			     tu_actor(w->db, w->admin), now, &o),
	    SD_OK);
	assert_int_equal(o.n_first, n);
	assert_int_equal(o.median_s, got[19]); /* rank 20 of 40 */
	assert_int_equal(o.p90_s, got[35]);    /* rank 36 of 40 */
	core_overview_fini(&o);
}

/* Overdue: past the deadline, not at it. Sent Wednesday 16:00, due
 * Sunday 14:30. */
static void
test_overdue_edge(void **state)
{
	struct ow *w = *state;
	struct core_overview o;
	const int64_t sent = WED + 5 * 3600 + 1800;
	int64_t due;

	sd_clock_set_fixed(sent);
	(void)create(w, 2, "مهلت");
	assert_int_equal(core_calendar_due(w->cal, sent, 2, &due), SD_OK);
	assert_int_equal(core_overview_get(w->db, &w->env,
			     tu_actor(w->db, w->head), due, &o),
	    SD_OK);
	assert_int_equal(o.overdue[2], 0);
	core_overview_fini(&o);
	assert_int_equal(core_overview_get(w->db, &w->env,
			     tu_actor(w->db, w->head), due + 1, &o),
	    SD_OK);
	assert_int_equal(o.overdue[2], 1);
	core_overview_fini(&o);
}

static void
test_overview_access(void **state)
{
	struct ow *w = *state;
	struct core_overview o;
	char path[] = "/tmp/smsdesk-ov-XXXXXX";
	int fd;

	assert_int_equal(core_overview_get(w->db, &w->env,
			     tu_actor(w->db, w->s2), 0, &o),
	    SD_ENOTFOUND);
	core_overview_fini(&o);
	assert_int_equal(core_overview_get(w->db, &w->env,
			     tu_actor(w->db, w->a), 0, &o),
	    SD_ENOTFOUND);
	core_overview_fini(&o);
	assert_int_equal(core_overview_get(w->db, &w->env, &core_actor_system,
			     0, &o),
	    SD_ENOTFOUND);
	core_overview_fini(&o);
	fd = mkstemp(path);
	assert_true(fd >= 0);
	unlink(path);
	assert_int_equal(core_overview_csv(w->db, tu_actor(w->db, w->s2), fd),
	    SD_ENOTFOUND);
	assert_int_equal(lseek(fd, 0, SEEK_END), 0);
	close(fd);
}

static void
test_csv_file(void **state)
{
	struct ow *w = *state;
	char path[] = "/tmp/smsdesk-ov-XXXXXX", buf[8192];
	ssize_t n;
	int fd;

	sd_clock_set_fixed(WED);
	(void)create(w, 2, "=cmd|' /C calc'!A0");
	(void)create(w, 5, "عادی، با ویرگول, لاتین");
	fd = mkstemp(path);
	assert_true(fd >= 0);
	unlink(path);
	assert_int_equal(core_overview_csv(w->db, tu_actor(w->db, w->admin), fd),
	    SD_OK);
	assert_int_equal(lseek(fd, 0, SEEK_SET), 0);
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	assert_true(n > 3);
	buf[n] = '\0';
	assert_memory_equal(buf, "\xef\xbb\xbf", 3);
	assert_non_null(strstr(buf, "شماره رهگیری,"));
	assert_non_null(strstr(buf,
	    "10001,'=cmd|' /C calc'!A0,فناوری اطلاعات,در انتظار پاسخ,"));
	assert_non_null(strstr(buf, "\"عادی، با ویرگول, لاتین\""));
	assert_non_null(strstr(buf, ",09131111111,1405/09/11 10:30,"
				    "1405/09/11 10:30,خیر\r\n"));
}

/* Disable, enable, edit: only an admin or the CLI. */
static void
test_staff_admin(void **state)
{
	static const int d3[] = {3, 4};
	struct ow *w = *state;
	struct db_user u;
	int codes[4];
	size_t n = 0;
	bool off = false;
	char err[SD_ERRLEN];

	assert_int_equal(core_staff_set_disabled(w->db,
			     tu_actor(w->db, w->head), w->s2, true, err),
	    SD_ENOTFOUND);
	assert_int_equal(core_staff_set_disabled(w->db,
			     tu_actor(w->db, w->s5), w->s2, true, err),
	    SD_ENOTFOUND);
	assert_true(core_user_active(w->db, w->s2));
	assert_int_equal(core_staff_set_disabled(w->db,
			     tu_actor(w->db, w->admin), w->a, true, err),
	    SD_EINVAL);
	assert_int_equal(core_staff_set_disabled(w->db,
			     tu_actor(w->db, w->admin), w->admin, true, err),
	    SD_EPERM);
	assert_int_equal(core_staff_set_disabled(w->db,
			     tu_actor(w->db, w->admin), w->s2, true, err),
	    SD_OK);
	assert_false(core_user_active(w->db, w->s2));
	assert_int_equal(db_user_disabled(w->db, w->s2, &off), SD_OK);
	assert_true(off);
	/* Alerts and one-tap links no longer find them. */
	{
		struct db_user *rows = NULL;
		size_t k, nr = 0;

		assert_int_equal(db_staff_of_dept(w->db, 2, &rows, &nr), SD_OK);
		for (k = 0; k < nr; k++)
			assert_true(rows[k].id != w->s2);
		db_user_list_free(rows, nr);
		assert_int_equal(db_user_head_office(w->db, 2, &rows, &nr),
		    SD_OK);
		for (k = 0; k < nr; k++)
			assert_true(rows[k].id != w->s2);
		db_user_list_free(rows, nr);
	}
	/* A disabled admin is no admin. */
	assert_int_equal(core_staff_set_disabled(w->db, &core_actor_cli,
			     w->admin, true, err),
	    SD_OK);
	assert_false(core_staff_may_admin(w->db, tu_actor(w->db, w->admin)));
	assert_int_equal(core_staff_set_disabled(w->db,
			     tu_actor(w->db, w->admin), w->s2, false, err),
	    SD_ENOTFOUND);
	assert_int_equal(core_staff_set_disabled(w->db, &core_actor_cli,
			     w->admin, false, err),
	    SD_OK);
	assert_int_equal(core_staff_set_disabled(w->db,
			     tu_actor(w->db, w->admin), w->s2, false, err),
	    SD_OK);
	assert_true(core_user_active(w->db, w->s2));

	/* Edit. */
	assert_int_equal(core_staff_edit(w->db, tu_actor(w->db, w->admin),
			     w->s2, "نام", "نو", CORE_ROLE_STAFF, "سمت", NULL,
			     0, err),
	    SD_EINVAL); /* staff need a department */
	assert_int_equal(core_staff_edit(w->db, tu_actor(w->db, w->admin),
			     w->s2, "نام", "", CORE_ROLE_STAFF, "سمت", d3, 2,
			     err),
	    SD_EINVAL);
	assert_int_equal(core_staff_edit(w->db, tu_actor(w->db, w->admin),
			     w->admin, "مدیر", "مدیر", CORE_ROLE_STAFF, "سمت",
			     d3, 2, err),
	    SD_EPERM);
	assert_int_equal(core_staff_edit(w->db, tu_actor(w->db, w->s5), w->s2,
			     "نام", "نو", CORE_ROLE_HEAD, "سمت", d3, 2, err),
	    SD_ENOTFOUND);
	assert_int_equal(core_staff_edit(w->db, tu_actor(w->db, w->admin),
			     w->s2, "نام", "نو", CORE_ROLE_HEAD, "سمت", d3, 2,
			     err),
	    SD_OK);
	assert_int_equal(db_user_get(w->db, w->s2, &u), SD_OK);
	assert_int_equal(u.role, CORE_ROLE_HEAD);
	assert_string_equal(u.last, "نو");
	assert_string_equal(u.title, "سمت");
	db_user_fini(&u);
	assert_int_equal(db_staff_depts(w->db, w->s2, codes, 4, &n), SD_OK);
	assert_int_equal(n, 2);
	assert_int_equal(codes[0], 3);
	assert_int_equal(codes[1], 4);
	{
		int64_t k = 0;
		char obj[32];

		snprintf(obj, sizeof(obj), "user:%lld", (long long)w->s2);
		assert_int_equal(db_audit_count(w->db, obj, &k), SD_OK);
		/* disable, enable, edit (and the add, if audited) */
		assert_true(k >= 3);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_work_seconds, ow_setup,
		ow_teardown),
	    cmocka_unit_test(test_csv_cell),
	    cmocka_unit_test(test_jalali_short),
	    cmocka_unit_test_setup_teardown(test_overview_numbers, ow_setup,
		ow_teardown),
	    cmocka_unit_test_setup_teardown(test_overview_agrees_with_walk,
		ow_setup, ow_teardown),
	    cmocka_unit_test_setup_teardown(test_overdue_edge, ow_setup,
		ow_teardown),
	    cmocka_unit_test_setup_teardown(test_overview_access, ow_setup,
		ow_teardown),
	    cmocka_unit_test_setup_teardown(test_csv_file, ow_setup,
		ow_teardown),
	    cmocka_unit_test_setup_teardown(test_staff_admin, ow_setup,
		ow_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
