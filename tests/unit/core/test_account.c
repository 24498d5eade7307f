/*
 * tests/unit/core/test_account.c: the rules behind the web view's
 * accounts (issue 13): password length in characters, not bytes; the
 * common list (lower-cased); argon2id verify and rehash; a web code's
 * limits per address and in all, and checking a code (tries, death,
 * expiry, spent once right); sign-up and the claim of an SMS account.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/base/clock.h"
#include "core/core.h"
#include "tests/support/testutil.h"

#define T0 1764000000

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

static void
test_password_rules(void **state)
{
	struct core_pwlist *l = NULL;
	char err[SD_ERRLEN], big[200];

	(void)state;
	assert_int_equal(core_pwlist_load("conf/common-passwords.txt", &l, err),
	    SD_OK);
	assert_int_equal(core_pwlist_size(l), 10000);
	assert_int_equal(core_password_check(l, "kq7-bird"), CORE_PW_OK);
	assert_int_equal(core_password_check(l, "kq7-bir"), CORE_PW_SHORT);
	/* Characters, not bytes: 4 Persian letters are 8 bytes, 8 are 16. */
	assert_int_equal(core_password_check(l, "رمزع"), CORE_PW_SHORT);
	assert_int_equal(core_password_check(l, "رمزعبورم"), CORE_PW_OK);
	memset(big, 'x', 129);
	big[129] = '\0';
	assert_int_equal(core_password_check(l, big), CORE_PW_LONG);
	big[128] = '\0';
	assert_int_equal(core_password_check(l, big), CORE_PW_OK);
	assert_int_equal(core_password_check(l, "password1"), CORE_PW_COMMON);
	assert_int_equal(core_password_check(l, "PassWord1"), CORE_PW_COMMON);
	assert_int_equal(core_password_check(l, "12345678"), CORE_PW_COMMON);
	assert_int_equal(core_password_check(l,
			     "abc\x01"
			     "defgh"),
	    CORE_PW_BAD);
	assert_int_equal(core_password_check(l,
			     "abc\xff"
			     "defgh"),
	    CORE_PW_BAD);
	core_pwlist_free(l);
	assert_int_equal(core_pwlist_load("/nonexistent", &l, err), SD_ECONFIG);
	assert_null(l);
}

static void
test_password_hash(void **state)
{
	char h[CORE_PWHASH_LEN], old[crypto_pwhash_STRBYTES];
	bool rehash = true;

	(void)state;
	assert_int_equal(core_password_hash("kq7-bird and more", h), SD_OK);
	assert_true(strncmp(h, "$argon2id$", 10) == 0);
	assert_true(core_password_verify(h, "kq7-bird and more", &rehash));
	assert_false(rehash);
	assert_false(core_password_verify(h, "kq7-bird and mor", &rehash));
	assert_false(core_password_verify("", "x", NULL));
	/* A hash made with weaker limits asks to be made again. */
	assert_int_equal(crypto_pwhash_str(old, "pw pw pw pw", 11,
			     crypto_pwhash_OPSLIMIT_MIN, 8192 * 1024),
	    0);
	assert_true(core_password_verify(old, "pw pw pw pw", &rehash));
	assert_true(rehash);
}

static void
test_tokens(void **state)
{
	char a[CORE_TOKEN_LEN], b[CORE_TOKEN_LEN], h[CORE_TOKEN_LEN];

	(void)state;
	core_token_new(a);
	core_token_new(b);
	assert_int_equal(strlen(a), 64);
	assert_true(strcmp(a, b) != 0);
	core_token_hash("abc", h);
	assert_string_equal(h,
	    "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb"
	    "410ff61f20015ad");
	assert_true(core_token_eq(a, a));
	assert_false(core_token_eq(a, b));
	assert_false(core_token_eq(a, NULL));
	assert_false(core_token_eq("", ""));
}

/* The code of the newest OTP row (its 6 digits). */
static void
last_code(struct db *db, int64_t id, char out[7])
{
	struct db_outbox_row r;
	char *parts = NULL;
	const char *p;

	assert_int_equal(db_outbox_get(db, id, &r, &parts), SD_OK);
	p = strpbrk(r.body, "0123456789");
	assert_non_null(p);
	memcpy(out, p, 6);
	out[6] = '\0';
	db_outbox_row_fini(&r);
	free(parts);
}

static void
test_web_codes(void **state)
{
	struct db *db = *state;
	struct core_otp_config cfg = {120, 5, 60, 5, 2, 3};
	struct core_otp_refusal why;
	char err[SD_ERRLEN], code[7], wrong[7];
	int64_t id = 0;
	int left;

	assert_int_equal(core_otp_issue_web(db, &cfg, "09131111111",
			     CORE_OTP_SIGNUP, "10.0.0.1",
			     "https://d.example.ir", &id, &why, err),
	    SD_OK);
	last_code(db, id, code);
	snprintf(wrong, sizeof(wrong), "%06d", (atoi(code) + 1) % 1000000);
	/* Per address: 2; in all: 3. */
	assert_int_equal(core_otp_issue_web(db, &cfg, "09131111112",
			     CORE_OTP_SIGNUP, "10.0.0.1", NULL, NULL, &why,
			     err),
	    SD_OK);
	assert_int_equal(core_otp_issue_web(db, &cfg, "09131111113",
			     CORE_OTP_SIGNUP, "10.0.0.1", NULL, NULL, &why,
			     err),
	    SD_EBUSY);
	assert_int_equal(why.why, CORE_OTP_LIM_ADDR);
	assert_true(why.wait_s > 3500 && why.wait_s <= 3600);
	assert_int_equal(core_otp_issue_web(db, &cfg, "09131111113",
			     CORE_OTP_SIGNUP, "10.0.0.2", NULL, NULL, &why,
			     err),
	    SD_OK);
	assert_int_equal(core_otp_issue_web(db, &cfg, "09131111114",
			     CORE_OTP_SIGNUP, "10.0.0.3", NULL, NULL, &why,
			     err),
	    SD_EBUSY);
	assert_int_equal(why.why, CORE_OTP_LIM_GLOBAL);
	/* Resend too soon, with the seconds left. */
	sd_clock_set_fixed(T0 + 20);
	assert_int_equal(core_otp_issue_web(db, &cfg, "09131111111",
			     CORE_OTP_SIGNUP, "10.0.0.9", NULL, NULL, &why,
			     err),
	    SD_EBUSY);
	assert_int_equal(why.why, CORE_OTP_LIM_RESEND);
	assert_int_equal(why.wait_s, 40);

	/* Checking: wrong (counted), then right in Persian digits. */
	assert_int_equal(core_otp_check(db, &cfg, "+989131111111",
			     CORE_OTP_SIGNUP, wrong, &left, err),
	    SD_EPERM);
	assert_int_equal(left, 4);
	assert_int_equal(core_otp_check(db, &cfg, "+989131111111",
			     CORE_OTP_LOGIN, code, &left, err),
	    SD_ENOTFOUND); /* another purpose */
	{
		char fa[32];
		size_t i, k = 0;

		for (i = 0; i < 6; i++) {
			fa[k++] = (char)0xdb;
			fa[k++] = (char)(0xb0 + (code[i] - '0'));
		}
		fa[k] = '\0';
		assert_int_equal(core_otp_check(db, &cfg, "+989131111111",
				     CORE_OTP_SIGNUP, fa, &left, err),
		    SD_OK);
	}
	assert_int_equal(core_otp_check(db, &cfg, "+989131111111",
			     CORE_OTP_SIGNUP, code, &left, err),
	    SD_ENOTFOUND); /* spent */

	/* Five wrong tries kill a code; expiry. */
	last_code(db, 2, code); /* the second row: 09131111112 */
	snprintf(wrong, sizeof(wrong), "%06d", (atoi(code) + 1) % 1000000);
	for (left = 5; left > 1;)
		assert_int_equal(core_otp_check(db, &cfg, "+989131111112",
				     CORE_OTP_SIGNUP, wrong, &left, err),
		    SD_EPERM);
	assert_int_equal(core_otp_check(db, &cfg, "+989131111112",
			     CORE_OTP_SIGNUP, wrong, &left, err),
	    SD_ESTATE);
	assert_int_equal(core_otp_check(db, &cfg, "+989131111112",
			     CORE_OTP_SIGNUP, code, &left, err),
	    SD_ESTATE);
	sd_clock_set_fixed(T0 + 121);
	assert_int_equal(core_otp_check(db, &cfg, "+989131111113",
			     CORE_OTP_SIGNUP, "000000", &left, err),
	    SD_ENOTFOUND);
}

static void
test_signup_and_claim(void **state)
{
	struct db *db = *state;
	struct db_user u;
	char err[SD_ERRLEN], *hash = NULL;
	int64_t id = 0, reg;
	bool claimed = true;

	assert_int_equal(core_user_signup(db, "+989131111111", " علي ", "رضایی",
			     "کاردان", "$argon2id$x", &id, &claimed, err),
	    SD_OK);
	assert_false(claimed);
	assert_int_equal(db_user_get(db, id, &u), SD_OK);
	assert_string_equal(u.first, "علی"); /* normalized */
	assert_true(u.verified);
	assert_string_equal(u.user_type, "کاردان");
	db_user_fini(&u);
	assert_int_equal(core_user_signup(db, "+989131111112",
			     "\xe2\x80\xae"
			     "x",
			     "y", "", "$h", &id, &claimed, err),
	    SD_EINVAL); /* a bidi override in a name */
	/* A number registered by SMS: claimed, names kept. */
	reg = tu_user(db, "+989131111113", 0, NULL, 0);
	assert_int_equal(core_user_signup(db, "+989131111113", "other", "name",
			     "مالک / متقاضی", "$argon2id$y", &id, &claimed,
			     err),
	    SD_OK);
	assert_true(claimed);
	assert_int_equal(id, reg);
	assert_int_equal(db_user_get(db, id, &u), SD_OK);
	assert_string_not_equal(u.first, "other");
	db_user_fini(&u);
	assert_int_equal(db_user_password(db, id, &hash), SD_OK);
	assert_string_equal(hash, "$argon2id$y");
	free(hash);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_password_rules),
	    cmocka_unit_test(test_password_hash),
	    cmocka_unit_test(test_tokens),
	    cmocka_unit_test_setup_teardown(test_web_codes, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_signup_and_claim, setup,
		teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
