/*
 * tests/unit/base/test_buf.c: the bounded string buffer (core/base/buf.c):
 * appends up to the maximum and not one byte beyond, a refused append
 * leaves the content as it was, printf output, take hands the memory over
 * and leaves an empty buffer, reuse after fini.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/base/buf.h"

static void
test_empty(void **state)
{
	struct sd_buf b;
	char *s;

	(void)state;
	sd_buf_init(&b, 10);
	assert_string_equal(sd_buf_str(&b), "");
	assert_int_equal(sd_buf_len(&b), 0);
	s = sd_buf_take(&b);
	assert_string_equal(s, "");
	free(s);
	sd_buf_fini(&b);
}

static void
test_max_is_exact(void **state)
{
	struct sd_buf b;

	(void)state;
	sd_buf_init(&b, 10);
	assert_int_equal(sd_buf_adds(&b, "12345"), SD_OK);
	assert_int_equal(sd_buf_add(&b, "67890", 5), SD_OK);
	assert_string_equal(sd_buf_str(&b), "1234567890");
	/* One byte more is refused, and nothing of it is kept. */
	assert_int_equal(sd_buf_adds(&b, "x"), SD_ETOOBIG);
	assert_string_equal(sd_buf_str(&b), "1234567890");
	assert_int_equal(sd_buf_addf(&b, "%d", 7), SD_ETOOBIG);
	assert_int_equal(sd_buf_len(&b), 10);
	/* Nothing appended is fine even when full. */
	assert_int_equal(sd_buf_adds(&b, ""), SD_OK);
	sd_buf_reset(&b);
	assert_string_equal(sd_buf_str(&b), "");
	assert_int_equal(sd_buf_adds(&b, "abc"), SD_OK);
	assert_string_equal(sd_buf_str(&b), "abc");
	sd_buf_fini(&b);
}

static void
test_addf_and_growth(void **state)
{
	struct sd_buf b;
	char want[16];
	int i;

	(void)state;
	sd_buf_init(&b, 100000);
	for (i = 0; i < 10000; i++)
		assert_int_equal(sd_buf_addf(&b, "%04d|", i % 10000), SD_OK);
	assert_int_equal(sd_buf_len(&b), 50000);
	assert_memory_equal(sd_buf_str(&b), "0000|0001|", 10);
	snprintf(want, sizeof(want), "%04d|", 9999);
	assert_string_equal(sd_buf_str(&b) + 49995, want);
	/* A long piece that would pass the maximum in one go. */
	{
		char *big = malloc(60001);

		memset(big, 'y', 60000);
		big[60000] = '\0';
		assert_int_equal(sd_buf_addf(&b, "%s", big), SD_ETOOBIG);
		assert_int_equal(sd_buf_adds(&b, big + 10000), SD_OK);
		assert_int_equal(sd_buf_len(&b), 100000);
		free(big);
	}
	sd_buf_fini(&b);
}

static void
test_take_hands_over(void **state)
{
	struct sd_buf b;
	char *s, *t;

	(void)state;
	sd_buf_init(&b, 32);
	assert_int_equal(sd_buf_addf(&b, "%s=%d", "n", 42), SD_OK);
	s = sd_buf_take(&b);
	assert_string_equal(s, "n=42");
	/* b is empty again with the same maximum and does not share s. */
	assert_string_equal(sd_buf_str(&b), "");
	assert_int_equal(sd_buf_adds(&b, "again"), SD_OK);
	t = sd_buf_take(&b);
	assert_ptr_not_equal(s, t);
	assert_string_equal(s, "n=42");
	assert_string_equal(t, "again");
	free(s);
	free(t);
	/* The maximum survives take and fini. */
	sd_buf_fini(&b);
	assert_int_equal(sd_buf_add(&b, "0123456789012345678901234567890123",
	    33), SD_ETOOBIG);
	sd_buf_fini(&b);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_empty),
		cmocka_unit_test(test_max_is_exact),
		cmocka_unit_test(test_addf_and_growth),
		cmocka_unit_test(test_take_hands_over),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
