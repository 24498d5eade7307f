/*
 * tests/unit/smsc/test_config.c: the kind lists of [queue] receipt_kinds
 * and [http_sms] fallback_kinds, read by one function (smsc_kinds_parse)
 * with the names of core_out_kind_name(), and checked by the key tables.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "core/base/conf.h"
#include "core/core.h"
#include "smsc/smsc.h"
#include "smsc/smsc_int.h"

static void
test_kinds_parse(void **state)
{
	char err[SD_ERRLEN];
	unsigned m = 99;

	(void)state;
	assert_int_equal(smsc_kinds_parse("", &m, err), SD_OK);
	assert_int_equal(m, 0);
	assert_int_equal(smsc_kinds_parse("otp,alert", &m, err), SD_OK);
	assert_int_equal(m, 1u << CORE_OUT_OTP | 1u << CORE_OUT_ALERT);
	assert_int_equal(smsc_kinds_parse(" Reply, ussd ,OTP", &m, err),
	    SD_OK);
	assert_int_equal(m, 1u << CORE_OUT_REPLY | 1u << CORE_OUT_USSD |
		1u << CORE_OUT_OTP);
	assert_int_equal(smsc_kinds_parse("otp,alrt", &m, err), SD_EINVAL);
	assert_non_null(strstr(err, "'alrt' is not a kind"));
	assert_int_equal(smsc_kinds_parse("otpx", &m, NULL), SD_EINVAL);
}

/* Both keys are checked when the file is read. */
static void
test_kinds_keys(void **state)
{
	struct smsc_pipe_config q;
	struct smsc_http_config h;
	struct sd_conf_section qs = {"queue", smsc_pipe_config_keys, &q};
	struct sd_conf_section hs = {"http_sms", smsc_http_config_keys, &h};
	char err[SD_ERRLEN];

	(void)state;
	sd_conf_defaults(&qs);
	sd_conf_defaults(&hs);
	assert_string_equal(q.receipt_kinds, "otp,alert");
	assert_int_equal(sd_conf_set(&qs, "receipt_kinds", "otp,sms", err),
	    SD_EINVAL);
	assert_int_equal(sd_conf_set(&hs, "fallback_kinds", "alert,x", err),
	    SD_EINVAL);
	assert_int_equal(sd_conf_set(&qs, "receipt_kinds", "otp, reply", err),
	    SD_OK);
	assert_int_equal(sd_conf_set(&hs, "fallback_kinds", "otp,alert", err),
	    SD_OK);
	/* A USSD screen never goes out as an SMS (#12). */
	assert_int_equal(sd_conf_set(&hs, "fallback_kinds", "otp,ussd", err),
	    SD_EINVAL);
	assert_non_null(strstr(err, "ussd cannot fall back"));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_kinds_parse),
		cmocka_unit_test(test_kinds_keys),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
