/*
 * tests/unit/core/test_out_operator.c: the operator's outbox writes
 * (smsdesk queue add, queue retry), moved out of the CLI into core
 * (issue 10): each runs in one transaction with its audit row, and a
 * refusal changes nothing and audits nothing.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/core.h"
#include "tests/support/testutil.h"

#define DEST "+989131111111"

static int
setup(void **state)
{
	*state = tu_db_open(":memory:");
	return 0;
}

static int
teardown(void **state)
{
	db_close(*state);
	return 0;
}

static int64_t
audits(struct db *db, const char *object)
{
	int64_t n = -1;

	assert_int_equal(db_audit_count(db, object, &n), SD_OK);
	return n;
}

static int64_t
queued(struct db *db)
{
	struct db_outbox_counts c;

	assert_int_equal(db_outbox_counts(db, &c), SD_OK);
	return c.n[CORE_OUT_ALERT][CORE_OUT_QUEUED];
}

static void
test_add_numbers_copies_one_audit_row(void **state)
{
	struct db *db = *state;
	struct db_outbox_row r;
	char err[SD_ERRLEN];
	int64_t first, last;

	assert_int_equal(core_out_add(db, CORE_OUT_ALERT, DEST, "hi", 3,
			     &first, &last, err),
	    SD_OK);
	assert_int_equal(last, first + 2);
	assert_int_equal(queued(db), 3);
	assert_int_equal(db_outbox_get(db, last, &r, NULL), SD_OK);
	assert_string_equal(r.body, "hi #3");
	assert_string_equal(r.destination, DEST);
	db_outbox_row_fini(&r);
	assert_int_equal(audits(db, DEST), 1);

	/* One copy: the text as given. */
	assert_int_equal(core_out_add(db, CORE_OUT_ALERT, DEST, "one", 1,
			     &first, &last, err),
	    SD_OK);
	assert_int_equal(first, last);
	assert_int_equal(db_outbox_get(db, first, &r, NULL), SD_OK);
	assert_string_equal(r.body, "one");
	db_outbox_row_fini(&r);
	assert_int_equal(audits(db, DEST), 2);

	/* Not UTF-8: refused, nothing queued, nothing audited. */
	assert_int_equal(core_out_add(db, CORE_OUT_ALERT, DEST, "\xff", 2,
			     &first, &last, err),
	    SD_EINVAL);
	assert_int_equal(first, 0);
	assert_int_equal(queued(db), 4);
	assert_int_equal(audits(db, DEST), 2);
}

static void
test_retry_audited_refusals_not(void **state)
{
	struct db *db = *state;
	struct db_outbox_row r;
	char err[SD_ERRLEN], object[32];
	int64_t id, last;

	assert_int_equal(core_out_add(db, CORE_OUT_ALERT, DEST, "x", 1, &id,
			     &last, err),
	    SD_OK);
	snprintf(object, sizeof(object), "outbox:%lld", (long long)id);
	/* Still queued: refused, not audited. */
	assert_int_equal(core_out_retry(db, id, err), SD_ESTATE);
	assert_int_equal(core_out_retry(db, 999999, err), SD_ENOTFOUND);
	assert_int_equal(audits(db, object), 0);
	/* Expired: queued again, audited once. */
	assert_int_equal(db_outbox_expire(db, id, "too late"), SD_OK);
	assert_int_equal(core_out_retry(db, id, err), SD_OK);
	assert_int_equal(db_outbox_get(db, id, &r, NULL), SD_OK);
	assert_int_equal(r.state, CORE_OUT_QUEUED);
	db_outbox_row_fini(&r);
	assert_int_equal(audits(db, object), 1);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(
		    test_add_numbers_copies_one_audit_row, setup, teardown),
		cmocka_unit_test_setup_teardown(test_retry_audited_refusals_not,
		    setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
