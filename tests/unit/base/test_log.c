/*
 * tests/unit/base/test_log.c: the log line budget (struct log_ratelim):
 * a burst per period, the count of what was held back carried by the next
 * line written or by a summary once the period is over or at once when
 * forced, and nothing lost from the count.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "core/base/limits.h"
#include "core/base/log.h"

#define BURST 3
#define PERIOD 1000

static void
test_ratelim_burst_then_count(void **state)
{
	struct log_ratelim rl = {0};
	unsigned long sup = 99;
	int i, written = 0;

	(void)state;
	for (i = 0; i < 10; i++)
		if (log_ratelim_ok(&rl, BURST, PERIOD, 5000 + i, &sup)) {
			assert_int_equal(sup, 0);
			written++;
		}
	assert_int_equal(written, BURST);
	/* Within the period: no summary yet, unless forced. */
	assert_int_equal(log_ratelim_flush(&rl, PERIOD, 5500, false), 0);
	/* The first line of the next period carries the count. */
	assert_true(log_ratelim_ok(&rl, BURST, PERIOD, 6000, &sup));
	assert_int_equal(sup, 10 - BURST);
	/* ... and it is not counted twice. */
	assert_int_equal(log_ratelim_flush(&rl, PERIOD, 9000, true), 0);
}

static void
test_ratelim_summary(void **state)
{
	struct log_ratelim rl = {0};
	unsigned long sup, total = 0;
	int i, written = 0;

	(void)state;
	for (i = 0; i < 1000; i++) {
		if (log_ratelim_ok(&rl, BURST, PERIOD, 100 + i / 10, &sup)) {
			written++;
			total += sup;
		}
	}
	/* The period is over: the summary gives the rest, once. */
	total += log_ratelim_flush(&rl, PERIOD, 100 + PERIOD, false);
	assert_int_equal(log_ratelim_flush(&rl, PERIOD, 100 + PERIOD, true), 0);
	assert_int_equal(written, BURST);
	assert_int_equal(written + total, 1000);
}

static void
test_ratelim_force(void **state)
{
	struct log_ratelim rl = {0};
	unsigned long sup;
	int i;

	(void)state;
	for (i = 0; i < BURST + 4; i++)
		(void)log_ratelim_ok(&rl, BURST, PERIOD, 42, &sup);
	assert_int_equal(log_ratelim_flush(&rl, PERIOD, 42, true), 4);
	assert_int_equal(log_ratelim_flush(&rl, PERIOD, 42, true), 0);
}

/* The one masking of phone numbers in logs: the middle never shows. */
static void
test_mask_mobile(void **state)
{
	char out[SD_MOBILE_LEN + 8];

	(void)state;
	assert_string_equal(log_mask_mobile("+989131234567", out, sizeof(out)),
	    "+98913***4567");
	assert_string_equal(log_mask_mobile("989131234567", out, sizeof(out)),
	    "989131***4567");
	assert_null(strstr(out, "123"));
	assert_string_equal(log_mask_mobile("3000", out, sizeof(out)), "***");
	assert_string_equal(log_mask_mobile("", out, sizeof(out)), "***");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ratelim_burst_then_count),
		cmocka_unit_test(test_ratelim_summary),
		cmocka_unit_test(test_ratelim_force),
		cmocka_unit_test(test_mask_mobile),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
