/*
 * tests/unit/core/test_otp.c: one-time passwords under a flood (issue #9).
 *
 * The rate limits (resend_after_s, per_number_hour) are checked before
 * the code is hashed, so requests over a limit cost a database read and
 * no argon2id: 100 refused requests take far less than 100 hashes. The
 * refusals come with the reason, and nothing is queued for them.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "core/base/clock.h"
#include "core/core.h"
#include "tests/support/testutil.h"

#define T0 1764000000
#define FLOOD 100

static int
setup(void **state)
{
	sd_clock_set_fixed(T0);
	*state = tu_db_open(":memory:");
	return 0;
}

static int
teardown(void **state)
{
	db_close(*state);
	sd_clock_set_fixed(0);
	return 0;
}

static double
mono_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int64_t
outbox_rows(struct db *db)
{
	struct db_outbox_counts c;
	int64_t n = 0;
	int k, s;

	assert_int_equal(db_outbox_counts(db, &c), SD_OK);
	for (k = 0; k < CORE_OUT_KIND_COUNT; k++)
		for (s = 0; s < CORE_OUT_STATE_COUNT; s++)
			n += c.n[k][s];
	return n;
}

/* FLOOD refused requests; their total time in seconds. */
static double
flood(struct db *db, const struct core_otp_config *cfg, const char *want)
{
	char err[SD_ERRLEN];
	double t;
	int i;

	t = mono_s();
	for (i = 0; i < FLOOD; i++) {
		assert_int_equal(core_otp_issue(db, cfg, "09131111111",
				     CORE_OTP_LOGIN, NULL, err),
		    SD_EBUSY);
		assert_non_null(strstr(err, want));
	}
	return mono_s() - t;
}

static void
test_issue9_rate_limit_before_hash(void **state)
{
	struct db *db = *state;
	struct core_otp_config cfg = {120, 5, 60, 3, 20, 200};
	char err[SD_ERRLEN];
	double one = 1e9, t, resend, number;
	int64_t rows;
	int i;

	/* Three codes, a minute apart: each pays one hash. */
	for (i = 0; i < 3; i++) {
		sd_clock_set_fixed(T0 + 61 * i);
		t = mono_s();
		assert_int_equal(core_otp_issue(db, &cfg, "09131111111",
				     CORE_OTP_LOGIN, NULL, err),
		    SD_OK);
		t = mono_s() - t;
		if (t < one)
			one = t;
	}
	rows = outbox_rows(db);
	assert_int_equal(rows, 3);

	/* Within resend_after_s of the last code. */
	resend = flood(db, &cfg, "wait");
	/* A minute later the per-number limit (3 an hour) holds. */
	sd_clock_set_fixed(T0 + 61 * 3);
	number = flood(db, &cfg, "per_number_hour");
	assert_int_equal(outbox_rows(db), rows);
	print_message("one issue with its hash: %.2f ms; %d refused: "
		      "resend %.2f ms, per-number %.2f ms\n",
	    one * 1e3, FLOOD, resend * 1e3, number * 1e3);
	/* Hashing each would take FLOOD * one; allow a tenth of it. */
	assert_true(resend < FLOOD * one / 10);
	assert_true(number < FLOOD * one / 10);

	/* An hour after the first, the number may ask again. */
	sd_clock_set_fixed(T0 + 3601);
	assert_int_equal(core_otp_issue(db, &cfg, "09131111111",
			     CORE_OTP_LOGIN, NULL, err),
	    SD_OK);
	assert_int_equal(outbox_rows(db), rows + 1);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(
		    test_issue9_rate_limit_before_hash, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
