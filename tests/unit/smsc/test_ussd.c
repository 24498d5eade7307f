/*
 * tests/unit/smsc/test_ussd.c: USSD dialogues as operators carry them
 * (smsc/ussd.c, issue #12): which step is a dial, what keys a dialogue
 * under each [ussd] session_key profile, and what the answer carries:
 * the op code of a continuing or last screen, its_session_info echoed
 * with the end-of-session bit on the last screen only, the vendor's
 * user_message_reference echoed; and the [ussd] keys themselves.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "core/base/conf.h"
#include "smsc/smsc.h"
#include "smsc/smsc_int.h"

struct fx {
	struct smsc_config cfg;
	struct smsc_ussd_track *t;
};

static int
fx_setup(void **state)
{
	struct fx *f = calloc(1, sizeof(*f));
	struct sd_conf_section u = {"ussd", smsc_ussd_config_keys, &f->cfg};

	sd_conf_defaults(&u);
	f->t = calloc(1, sizeof(*f->t));
	*state = f;
	return 0;
}

static int
fx_teardown(void **state)
{
	struct fx *f = *state;

	free(f->t);
	free(f);
	return 0;
}

/* A step from from with op, text and the TLVs given (its < 0: none). */
static struct smsc_mo
step(const char *from, uint8_t op, const char *text, int its, int umr)
{
	struct smsc_mo mo;

	memset(&mo, 0, sizeof(mo));
	snprintf(mo.from, sizeof(mo.from), "%s", from);
	snprintf(mo.to, sizeof(mo.to), "3000");
	mo.text = text;
	mo.text_len = strlen(text);
	mo.ussd = true;
	mo.ussd_op = op;
	mo.has_session = its >= 0;
	mo.ussd_session = (uint16_t)(its >= 0 ? its : 0);
	mo.has_umr = umr >= 0;
	mo.umr = (uint16_t)(umr >= 0 ? umr : 0);
	return mo;
}

static void
test_defaults(void **state)
{
	struct fx *f = *state;
	struct sd_conf_section u = {"ussd", smsc_ussd_config_keys, &f->cfg};
	char err[SD_ERRLEN];

	assert_int_equal(f->cfg.ussd.op_begin, 1);
	assert_int_equal(f->cfg.ussd.op_continue, 2);
	assert_int_equal(f->cfg.ussd.op_answer, 18);
	assert_int_equal(f->cfg.ussd.op_end, 17);
	assert_int_equal(f->cfg.ussd.session_key, SMSC_USSD_KEY_ITS);
	assert_string_equal(f->cfg.ussd.service_type, "USSD");
	assert_int_equal(sd_conf_set(&u, "session_key", "msisdn", err), SD_OK);
	assert_int_equal(f->cfg.ussd.session_key, SMSC_USSD_KEY_MSISDN);
	assert_int_equal(sd_conf_set(&u, "session_key", "imsi", err),
	    SD_EINVAL);
	assert_int_equal(sd_conf_set(&u, "op_end", "256", err), SD_EINVAL);
	assert_int_equal(sd_conf_set(&u, "op_end", "3", err), SD_OK);
	/* service_type is 6 octets with its NUL. */
	assert_int_equal(sd_conf_set(&u, "service_type", "USSDXX", err),
	    SD_EINVAL);
	assert_int_equal(sd_conf_set(&u, "service_type", "", err), SD_OK);
	assert_int_equal(sd_conf_set(&u, "session_s", "5", err), SD_EINVAL);
}

static void
test_dial_shape(void **state)
{
	(void)state;
	assert_true(smsc_ussd_is_dial("*123#", 5));
	assert_true(smsc_ussd_is_dial("*123*10025#", 11));
	assert_false(smsc_ussd_is_dial("1", 1));
	assert_false(smsc_ussd_is_dial("*#", 2));
	assert_false(smsc_ussd_is_dial("*12a#", 5));
	assert_false(smsc_ussd_is_dial("123#", 4));
	assert_false(smsc_ussd_is_dial("*123", 4));
}

/* its_session_info: the session number keys; the TLV comes back with
 * the same session and sequence, the end bit on the last screen only. */
static void
test_its_profile(void **state)
{
	struct fx *f = *state;
	struct smsc_ussd_out o;
	struct smsc_mo mo = step("989121111111", 1, "*123#", 0x2a00, -1);

	smsc_ussd_inbound(&f->cfg.ussd, f->t, &mo);
	assert_true(mo.ussd_begin);
	assert_int_equal(mo.ussd_key, 0x2a);
	smsc_ussd_outbound(&f->cfg.ussd, f->t, "+989121111111", false, 0x2a,
	    &o);
	assert_int_equal(o.op, 2);
	assert_true(o.has_its);
	assert_int_equal(o.its, 0x2a00);
	assert_false(o.has_umr);

	/* The answer: sequence 1 (octet 0x02); same key. */
	mo = step("989121111111", 18, "3", 0x2a02, -1);
	smsc_ussd_inbound(&f->cfg.ussd, f->t, &mo);
	assert_false(mo.ussd_begin);
	assert_int_equal(mo.ussd_key, 0x2a);
	smsc_ussd_outbound(&f->cfg.ussd, f->t, "09121111111", true, 0x2a, &o);
	assert_int_equal(o.op, 17);
	assert_true(o.has_its);
	assert_int_equal(o.its, 0x2a03);

	/* The last screen forgot the number: with nothing remembered,
	 * the key rebuilds the TLV (a restart lost the table). */
	smsc_ussd_outbound(&f->cfg.ussd, f->t, "989121111111", true, 0x2a,
	    &o);
	assert_true(o.has_its);
	assert_int_equal(o.its, 0x2a01);

	/* No its_session_info in this profile: no key. */
	mo = step("989121111112", 1, "*123#", -1, -1);
	smsc_ussd_inbound(&f->cfg.ussd, f->t, &mo);
	assert_int_equal(mo.ussd_key, -1);
	smsc_ussd_outbound(&f->cfg.ussd, f->t, "989121111112", false, -1,
	    &o);
	assert_false(o.has_its);
}

/* A new dial while the old dialogue's answer waits: the old answer
 * does not take the new dialogue's TLVs. */
static void
test_its_newer_dialogue(void **state)
{
	struct fx *f = *state;
	struct smsc_ussd_out o;
	struct smsc_mo mo = step("989121111111", 1, "*123#", 0x0500, -1);

	smsc_ussd_inbound(&f->cfg.ussd, f->t, &mo);
	mo = step("989121111111", 1, "*123#", 0x0600, -1);
	smsc_ussd_inbound(&f->cfg.ussd, f->t, &mo);
	smsc_ussd_outbound(&f->cfg.ussd, f->t, "989121111111", true, 0x05,
	    &o);
	assert_int_equal(o.its, 0x0501);
	smsc_ussd_outbound(&f->cfg.ussd, f->t, "989121111111", false, 0x06,
	    &o);
	assert_int_equal(o.its, 0x0600);
}

static void
test_umr_profile(void **state)
{
	struct fx *f = *state;
	struct sd_conf_section u = {"ussd", smsc_ussd_config_keys, &f->cfg};
	struct smsc_ussd_out o;
	struct smsc_mo mo;
	char err[SD_ERRLEN];

	assert_int_equal(sd_conf_set(&u, "session_key",
			     "user_message_reference", err),
	    SD_OK);
	mo = step("989121111111", 1, "*123#", -1, 40001);
	smsc_ussd_inbound(&f->cfg.ussd, f->t, &mo);
	assert_int_equal(mo.ussd_key, 40001);
	smsc_ussd_outbound(&f->cfg.ussd, f->t, "989121111111", false, 40001,
	    &o);
	assert_true(o.has_umr);
	assert_int_equal(o.umr, 40001);
	assert_false(o.has_its);
}

/* msisdn: no key at all, but TLVs an operator sends still come back;
 * other op codes as configured; an op that is neither begin nor answer
 * is a dial by its shape. */
static void
test_msisdn_profile(void **state)
{
	struct fx *f = *state;
	struct sd_conf_section u = {"ussd", smsc_ussd_config_keys, &f->cfg};
	struct smsc_ussd_out o;
	struct smsc_mo mo;
	char err[SD_ERRLEN];

	assert_int_equal(sd_conf_set(&u, "session_key", "msisdn", err), SD_OK);
	assert_int_equal(sd_conf_set(&u, "op_end", "3", err), SD_OK);
	mo = step("989121111111", 1, "*123#", 0x0700, -1);
	smsc_ussd_inbound(&f->cfg.ussd, f->t, &mo);
	assert_int_equal(mo.ussd_key, -1);
	assert_true(mo.ussd_begin);
	smsc_ussd_outbound(&f->cfg.ussd, f->t, "989121111111", true, -1, &o);
	assert_int_equal(o.op, 3);
	assert_true(o.has_its);
	assert_int_equal(o.its, 0x0701);
	mo = step("989121111111", 0, "*123*10025#", -1, -1);
	smsc_ussd_inbound(&f->cfg.ussd, f->t, &mo);
	assert_true(mo.ussd_begin);
	mo = step("989121111111", 0, "2", -1, -1);
	smsc_ussd_inbound(&f->cfg.ussd, f->t, &mo);
	assert_false(mo.ussd_begin);
	smsc_ussd_outbound(&f->cfg.ussd, f->t, "989121111111", false, -1,
	    &o);
	assert_false(o.has_its);
	assert_false(o.has_umr);
}

/* A sender with no digits is keyed (its TLV) but remembered nowhere: in
 * a full table it takes nobody's place. */
static void
test_no_digits(void **state)
{
	struct fx *f = *state;
	struct smsc_ussd_out o;
	struct smsc_mo mo;
	char num[32];
	int i;

	for (i = 0; i < SMSC_USSD_TRACK_MAX; i++) {
		snprintf(num, sizeof(num), "98912%07d", i);
		mo = step(num, 1, "*123#", 0x0910, -1);
		smsc_ussd_inbound(&f->cfg.ussd, f->t, &mo);
	}
	mo = step("SMSC", 1, "*123#", 0x0a00, -1);
	smsc_ussd_inbound(&f->cfg.ussd, f->t, &mo);
	assert_int_equal(mo.ussd_key, 0x0a);
	/* The least recently seen number is still there. */
	smsc_ussd_outbound(&f->cfg.ussd, f->t, "989120000000", false, 0x09,
	    &o);
	assert_int_equal(o.its, 0x0910);
}

/* An operator ending with USSN (op_end 3) gets a USSN confirm (19) back:
 * the handset's acknowledgement, not input; swallowed, the number
 * forgotten. Named as a dial or an answer, 19 is an ordinary step. */
static void
test_ussn_confirm(void **state)
{
	struct fx *f = *state;
	struct sd_conf_section u = {"ussd", smsc_ussd_config_keys, &f->cfg};
	struct smsc_ussd_out o;
	struct smsc_mo mo = step("989121111111", 1, "*123*10001#", 0x0b00, -1);
	char err[SD_ERRLEN];

	assert_int_equal(sd_conf_set(&u, "op_end", "3", err), SD_OK);
	assert_true(smsc_ussd_inbound(&f->cfg.ussd, f->t, &mo));
	smsc_ussd_outbound(&f->cfg.ussd, f->t, "989121111111", false, 0x0b,
	    &o);
	assert_int_equal(o.its, 0x0b00);
	mo = step("989121111111", 19, "", 0x0b02, -1);
	assert_false(smsc_ussd_inbound(&f->cfg.ussd, f->t, &mo));
	assert_int_equal(mo.ussd_key, -1);
	/* Forgotten: a late screen of that dialogue is rebuilt (seq 0). */
	smsc_ussd_outbound(&f->cfg.ussd, f->t, "989121111111", false, 0x0b,
	    &o);
	assert_int_equal(o.its, 0x0b00);
	mo = step("989121111111", 19, "", 0x0b04, -1);
	smsc_ussd_inbound(&f->cfg.ussd, f->t, &mo);
	smsc_ussd_outbound(&f->cfg.ussd, f->t, "989121111111", false, 0x0b,
	    &o);
	assert_int_equal(o.its, 0x0b00); /* still nothing remembered */
	assert_int_equal(sd_conf_set(&u, "op_answer", "19", err), SD_OK);
	mo = step("989121111111", 19, "2", 0x0b06, -1);
	assert_true(smsc_ussd_inbound(&f->cfg.ussd, f->t, &mo));
	assert_int_equal(mo.ussd_key, 0x0b);
}

/* A step with the end-of-session bit: the handset closed the dialogue
 * (cancel); nothing to answer, the number forgotten. */
static void
test_closed_by_handset(void **state)
{
	struct fx *f = *state;
	struct smsc_ussd_out o;
	struct smsc_mo mo = step("989121111111", 1, "*123#", 0x0c00, -1);

	assert_true(smsc_ussd_inbound(&f->cfg.ussd, f->t, &mo));
	mo = step("989121111111", 18, "", 0x0c03, -1);
	assert_false(smsc_ussd_inbound(&f->cfg.ussd, f->t, &mo));
	smsc_ussd_outbound(&f->cfg.ussd, f->t, "989121111111", true, 0x0c,
	    &o);
	assert_int_equal(o.its, 0x0c01); /* rebuilt: nothing remembered */
}

/* The table is bounded: more numbers than places evict the oldest. */
static void
test_track_bounded(void **state)
{
	struct fx *f = *state;
	struct smsc_ussd_out o;
	char num[32];
	int i;

	for (i = 0; i < SMSC_USSD_TRACK_MAX + 10; i++) {
		struct smsc_mo mo;

		snprintf(num, sizeof(num), "98912%07d", i);
		mo = step(num, 1, "*123#", (i % 256) << 8 | 0x10, -1);
		smsc_ussd_inbound(&f->cfg.ussd, f->t, &mo);
	}
	/* The first is gone: rebuilt from the key (sequence 0). */
	smsc_ussd_outbound(&f->cfg.ussd, f->t, "989120000000", false, 0, &o);
	assert_int_equal(o.its, 0x0000);
	/* The last is there: its sequence octet echoed. */
	snprintf(num, sizeof(num), "98912%07d", SMSC_USSD_TRACK_MAX + 9);
	smsc_ussd_outbound(&f->cfg.ussd, f->t, num, false,
	    (SMSC_USSD_TRACK_MAX + 9) % 256, &o);
	assert_int_equal(o.its, ((SMSC_USSD_TRACK_MAX + 9) % 256) << 8 | 0x10);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_defaults, fx_setup,
		    fx_teardown),
		cmocka_unit_test_setup_teardown(test_dial_shape, fx_setup,
		    fx_teardown),
		cmocka_unit_test_setup_teardown(test_its_profile, fx_setup,
		    fx_teardown),
		cmocka_unit_test_setup_teardown(test_its_newer_dialogue,
		    fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_umr_profile, fx_setup,
		    fx_teardown),
		cmocka_unit_test_setup_teardown(test_msisdn_profile, fx_setup,
		    fx_teardown),
		cmocka_unit_test_setup_teardown(test_track_bounded, fx_setup,
		    fx_teardown),
		cmocka_unit_test_setup_teardown(test_no_digits, fx_setup,
		    fx_teardown),
		cmocka_unit_test_setup_teardown(test_ussn_confirm, fx_setup,
		    fx_teardown),
		cmocka_unit_test_setup_teardown(test_closed_by_handset,
		    fx_setup, fx_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
