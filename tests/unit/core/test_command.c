/*
 * tests/unit/core/test_command.c: the SMS command channel as far as the
 * pipeline needs it (STATUS, HELP, hints, unregistered senders), and OTP
 * issue: the reply is queued in the same transaction, in the sender's
 * language, and another person's request reads as not found.
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

struct world {
	struct db *db;
	int64_t a, b, it, t;
	struct core_cmd_config cfg;
};

static int
setup(void **state)
{
	static const int d2[] = {2};
	struct world *w = calloc(1, sizeof(*w));
	char err[SD_ERRLEN];

	w->db = tu_db_open(":memory:");
	w->a = tu_user(w->db, "09131111111", CORE_ROLE_APPLICANT, NULL, 0);
	w->b = tu_user(w->db, "09132222222", CORE_ROLE_APPLICANT, NULL, 0);
	w->it = tu_user(w->db, "09133333333", CORE_ROLE_STAFF, d2, 1);
	if (core_request_create(w->db, w->a, 2, CORE_PRIO_URGENT, "عنوان",
		"سلام", CORE_CHAN_WEB, &w->t, err) != SD_OK)
		fail_msg("create: %s", err);
	if (core_request_reply(w->db, w->it, w->t, "پاسخ کارشناس به درخواست",
		CORE_CHAN_WEB, NULL, err) != SD_OK)
		fail_msg("reply: %s", err);
	w->cfg.base_url = "https://desk.example";
	*state = w;
	return 0;
}

static int
teardown(void **state)
{
	struct world *w = *state;

	db_close(w->db);
	free(w);
	return 0;
}

/* Send text from from; returns the reply queued (caller frees). */
static char *
mo(struct world *w, const char *from, const char *text)
{
	struct db_outbox_row r;
	struct core_mo m;
	int64_t id = 0;
	char *body;

	memset(&m, 0, sizeof(m));
	m.from = from;
	m.to = "3000";
	m.text = text;
	m.ussd_session = -1;
	assert_int_equal(db_begin(w->db), SD_OK);
	assert_int_equal(core_mo_handle(w->db, &w->cfg, &m, &id), SD_OK);
	assert_int_equal(db_commit(w->db), SD_OK);
	assert_true(id > 0);
	assert_int_equal(db_outbox_get(w->db, id, &r, NULL), SD_OK);
	assert_int_equal(r.kind, CORE_OUT_REPLY);
	assert_int_equal(r.state, CORE_OUT_QUEUED);
	assert_string_equal(r.destination, from);
	body = strdup(r.body);
	db_outbox_row_fini(&r);
	return body;
}

static void
test_status(void **state)
{
	struct world *w = *state;
	const char *forms[] = {"وضعیت 10001", "وضعیت ۱۰۰۰۱", "  وضعيت   ١٠٠٠١ ",
		"10001", "۱۰۰۰۱"};
	size_t i;
	char *r;

	for (i = 0; i < sizeof(forms) / sizeof(forms[0]); i++) {
		r = mo(w, "989131111111", forms[i]);
		assert_non_null(strstr(r, "درخواست 10001 (فناوری)"));
		assert_non_null(strstr(r, "پاسخ داده شد"));
		assert_non_null(strstr(r, "پاسخ: پاسخ کارشناس"));
		assert_non_null(strstr(r, "https://desk.example/r/10001"));
		free(r);
	}
	r = mo(w, "989131111111", "STATUS 10001");
	assert_non_null(strstr(r, "Request 10001"));
	assert_non_null(strstr(r, "answered"));
	free(r);
}

/* Another person's request and a missing one get the same answer. */
static void
test_status_not_found(void **state)
{
	struct world *w = *state;
	char *other, *missing;

	other = mo(w, "+989132222222", "وضعیت 10001");
	missing = mo(w, "+989132222222", "وضعیت 10099");
	assert_non_null(strstr(other, "10001 برای شما یافت نشد"));
	assert_non_null(strstr(missing, "10099 برای شما یافت نشد"));
	free(other);
	free(missing);
}

static void
test_help_hint_unregistered(void **state)
{
	struct world *w = *state;
	char *r;

	r = mo(w, "989131111111", "راهنما");
	assert_non_null(strstr(r, "راهنما"));
	free(r);
	r = mo(w, "989131111111", "HELP");
	assert_non_null(strstr(r, "STATUS 10025"));
	free(r);
	r = mo(w, "989131111111", "سلام خوبید؟");
	assert_non_null(strstr(r, "فهمیده نشد"));
	free(r);
	r = mo(w, "989131111111", "blah");
	assert_non_null(strstr(r, "not understood"));
	free(r);
	/* Not a registered number: the way to sign up, even for STATUS. */
	r = mo(w, "989139999999", "وضعیت 10001");
	assert_non_null(strstr(r, "ثبت نشده"));
	assert_null(strstr(r, "10001"));
	free(r);
	/* Not a mobile number at all (drive_smpp sends from "456"). */
	r = mo(w, "456", "1");
	assert_non_null(strstr(r, "ثبت نشده"));
	free(r);
	/* Invalid UTF-8 is answered, not an error. */
	r = mo(w, "989131111111", "\xff\xfe");
	assert_non_null(strstr(r, "فهمیده نشد"));
	free(r);
}

static void
test_otp(void **state)
{
	struct world *w = *state;
	struct core_otp_config cfg = {120, 5, 60, 5, 20};
	struct db_outbox_row r;
	char err[SD_ERRLEN], code[8];
	int64_t id = 0, id2 = 0;
	const char *p;
	int digits = 0;

	sd_clock_set_fixed(1764000000);
	assert_int_equal(core_otp_issue(w->db, &cfg, "09131111111",
			     CORE_OTP_LOGIN, &id, err),
	    SD_OK);
	assert_int_equal(db_outbox_get(w->db, id, &r, NULL), SD_OK);
	assert_int_equal(r.kind, CORE_OUT_OTP);
	assert_int_equal(r.priority, 0);
	assert_int_equal(r.expires, 1764000000 + 120);
	assert_string_equal(r.destination, "+989131111111");
	for (p = r.body; *p != '\0' && digits < 6; p++)
		digits = *p >= '0' && *p <= '9' ? digits + 1 : 0;
	assert_int_equal(digits, 6);
	memcpy(code, p - 6, 6);
	code[6] = '\0';
	db_outbox_row_fini(&r);
	/* Too soon for another. */
	assert_int_equal(core_otp_issue(w->db, &cfg, "09131111111",
			     CORE_OTP_LOGIN, &id2, err),
	    SD_EBUSY);
	assert_non_null(strstr(err, "wait"));
	/* Later, another code (the same one only by a 1e-6 chance). */
	sd_clock_set_fixed(1764000000 + 61);
	assert_int_equal(core_otp_issue(w->db, &cfg, "09131111111",
			     CORE_OTP_LOGIN, &id2, err),
	    SD_OK);
	assert_true(id2 > id);
	assert_int_equal(core_otp_issue(w->db, &cfg, "12", CORE_OTP_LOGIN,
			     &id2, err),
	    SD_EINVAL);
	sd_clock_set_fixed(0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_status, setup, teardown),
		cmocka_unit_test_setup_teardown(test_status_not_found, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_help_hint_unregistered,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_otp, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
