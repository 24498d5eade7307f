/*
 * tests/unit/core/test_link.c: signed one-tap links (issue #13).
 *
 * A token made for a request and a phone checks back to both until the
 * end of its last day; one day later it is expired. A forged one (any
 * character changed), one for a phone that the request's links are never
 * sent to, or for a missing request, is refused. The key is made once
 * and kept in the database: a token survives a restart, and a token of
 * another database's key is refused.
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

#define T0 1764138600 /* 2025-11-26 06:30 UTC */
#define DAY 86400
#define APP "+989131111111"
#define OTHER "+989132222222"
#define IT "+989133333333"

struct world {
	struct db *db;
	int64_t t; /* a request of APP in department 2 */
};

static int
setup(void **state)
{
	struct world *w = calloc(1, sizeof(*w));
	static const int d2[] = {2};
	char err[SD_ERRLEN];
	int64_t a;

	sd_clock_set_fixed(T0);
	w->db = tu_db_open(":memory:");
	a = tu_user(w->db, "09131111111", CORE_ROLE_APPLICANT, NULL, 0);
	(void)tu_user(w->db, "09132222222", CORE_ROLE_APPLICANT, NULL, 0);
	(void)tu_user(w->db, "09133333333", CORE_ROLE_STAFF, d2, 1);
	assert_int_equal(core_request_create(w->db, &core_env_no_sms,
			     tu_actor(w->db, a), 2, CORE_PRIO_URGENT, "عنوان",
			     "متن", CORE_CHAN_SMS, &w->t, err),
	    SD_OK);
	*state = w;
	return 0;
}

static int
teardown(void **state)
{
	struct world *w = *state;

	db_close(w->db);
	free(w);
	sd_clock_set_fixed(0);
	return 0;
}

static void
test_valid_and_expired(void **state)
{
	struct world *w = *state;
	char tok[CORE_LINK_TOKEN_LEN + 1], phone[SD_MOBILE_LEN];
	int64_t t = 0, exp = T0 + 7 * DAY;

	assert_int_equal(core_link_make(w->db, w->t, APP, exp, tok), SD_OK);
	assert_int_equal(strlen(tok), CORE_LINK_TOKEN_LEN);
	assert_int_equal(strspn(tok,
			     "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklm"
			     "nopqrstuvwxyz0123456789-_"),
	    CORE_LINK_TOKEN_LEN);
	assert_int_equal(core_link_check(w->db, tok, T0, &t, phone), SD_OK);
	assert_int_equal(t, w->t);
	assert_string_equal(phone, APP);
	/* Valid through the end of its last UTC day ... */
	assert_int_equal(core_link_check(w->db, tok,
			     (exp / DAY) * DAY + DAY - 1, &t, phone),
	    SD_OK);
	/* ... expired after it. */
	assert_int_equal(core_link_check(w->db, tok, (exp / DAY) * DAY + DAY,
			     &t, phone),
	    SD_ESTATE);
	assert_int_equal(t, 0);
	assert_string_equal(phone, "");
	/* The staff of its department get their own. */
	assert_int_equal(core_link_make(w->db, w->t, IT, exp, tok), SD_OK);
	assert_int_equal(core_link_check(w->db, tok, T0, &t, phone), SD_OK);
	assert_string_equal(phone, IT);
}

static void
test_forged(void **state)
{
	struct world *w = *state;
	char tok[CORE_LINK_TOKEN_LEN + 1], bad[CORE_LINK_TOKEN_LEN + 2];
	char phone[SD_MOBILE_LEN];
	int64_t t;
	size_t i;

	assert_int_equal(core_link_make(w->db, w->t, APP, T0 + DAY, tok),
	    SD_OK);
	/* Every single character changed. */
	for (i = 0; i < CORE_LINK_TOKEN_LEN; i++) {
		snprintf(bad, sizeof(bad), "%s", tok);
		bad[i] = bad[i] == 'A' ? 'B' : 'A';
		if (core_link_check(w->db, bad, T0, &t, phone) != SD_EINVAL)
			fail_msg("changed at %zu accepted: %s", i, bad);
	}
	/* Wrong lengths, padding, other alphabets, empty. */
	snprintf(bad, sizeof(bad), "%sA", tok);
	assert_int_equal(core_link_check(w->db, bad, T0, &t, phone), SD_EINVAL);
	assert_int_equal(core_link_check(w->db, tok + 1, T0, &t, phone),
	    SD_EINVAL);
	snprintf(bad, sizeof(bad), "%s", tok);
	bad[5] = '+';
	assert_int_equal(core_link_check(w->db, bad, T0, &t, phone), SD_EINVAL);
	bad[5] = '=';
	assert_int_equal(core_link_check(w->db, bad, T0, &t, phone), SD_EINVAL);
	assert_int_equal(core_link_check(w->db, "", T0, &t, phone), SD_EINVAL);
	assert_int_equal(core_link_check(w->db, "10001", T0, &t, phone),
	    SD_EINVAL);
}

static void
test_other_phone_or_request(void **state)
{
	struct world *w = *state;
	char tok[CORE_LINK_TOKEN_LEN + 1], phone[SD_MOBILE_LEN];
	int64_t t;

	/* Signed for a phone the request's links never go to. */
	assert_int_equal(core_link_make(w->db, w->t, OTHER, T0 + DAY, tok),
	    SD_OK);
	assert_int_equal(core_link_check(w->db, tok, T0, &t, phone), SD_EINVAL);
	/* For a request that does not exist. */
	assert_int_equal(core_link_make(w->db, w->t + 1, APP, T0 + DAY, tok),
	    SD_OK);
	assert_int_equal(core_link_check(w->db, tok, T0, &t, phone), SD_EINVAL);
	/* What does not fit a token. */
	assert_int_equal(core_link_make(w->db, 0, APP, T0, tok), SD_EINVAL);
	assert_int_equal(core_link_make(w->db, 16777216, APP, T0, tok),
	    SD_EINVAL);
	assert_int_equal(core_link_make(w->db, w->t, "1111", T0, tok),
	    SD_EINVAL);
	assert_int_equal(core_link_make(w->db, w->t, "+98913x111111", T0, tok),
	    SD_EINVAL);
	assert_string_equal(tok, "");
}

/* The key is made once, kept, and is this database's own. */
static void
test_key_kept(void **state)
{
	struct world *w = *state;
	char *dir = tu_tmpdir(), path[512], tok[CORE_LINK_TOKEN_LEN + 1];
	char phone[SD_MOBILE_LEN];
	struct db *db;
	int64_t t, a, tr = 0;
	char err[SD_ERRLEN];

	snprintf(path, sizeof(path), "%s/s.db", dir);
	db = tu_db_open(path);
	a = tu_user(db, "09131111111", CORE_ROLE_APPLICANT, NULL, 0);
	assert_int_equal(core_request_create(db, &core_env_no_sms,
			     tu_actor(db, a), 2, CORE_PRIO_URGENT, "عنوان",
			     "متن", CORE_CHAN_SMS, &tr, err),
	    SD_OK);
	assert_int_equal(tr, w->t); /* same number in both databases */
	assert_int_equal(core_link_make(db, tr, APP, T0 + DAY, tok), SD_OK);
	db_close(db);
	db = tu_db_open(path);
	assert_int_equal(core_link_check(db, tok, T0, &t, phone), SD_OK);
	db_close(db);
	/* Another database (another key) refuses it. */
	assert_int_equal(core_link_check(w->db, tok, T0, &t, phone), SD_EINVAL);
	tu_rmtree(dir);
	free(dir);
}

/* An SMS opened request's confirmation carries a token for its sender
 * (USSD's: test_ussd), and the answer alert one for the applicant. */
static void
test_sms_new_carries_token(void **state)
{
	struct world *w = *state;
	struct core_env env = core_env_no_sms;
	struct db_outbox_row r;
	struct core_mo m;
	int64_t id = 0;
	char why[DB_INBOX_REASON_LEN];

	env.base_url = "https://desk.example/";
	memset(&m, 0, sizeof(m));
	m.from = "989131111111";
	m.to = "3000";
	m.text = "جدید 2 چاپگر کار نمی‌کند";
	m.ussd_session = -1;
	assert_int_equal(db_begin(w->db), SD_OK);
	assert_int_equal(core_mo_handle(w->db, &env, &m, &id, why), SD_OK);
	assert_int_equal(db_commit(w->db), SD_OK);
	assert_int_equal(db_outbox_get(w->db, id, &r, NULL), SD_OK);
	tu_assert_link(w->db, r.body, "https://desk.example", w->t + 1, APP);
	assert_null(strstr(r.body, "/r/10002"));
	db_outbox_row_fini(&r);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_valid_and_expired, setup,
		teardown),
	    cmocka_unit_test_setup_teardown(test_forged, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_other_phone_or_request, setup,
		teardown),
	    cmocka_unit_test_setup_teardown(test_key_kept, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_sms_new_carries_token, setup,
		teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
