/*
 * tests/unit/smsc/test_receipt.c: delivery receipts in the text forms
 * SMSCs really send and in TLVs, and message-id matching across bases.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "smsc/smsc_int.h"

/* Parse the text receipt s with optional TLVs; fail the test on error. */
static void
parse_ok(const char *s, const struct smsc_dlr_tlv *tlv, struct smsc_dlr *d)
{
	char err[SD_ERRLEN];

	if (smsc_dlr_parse((const uint8_t *)s, strlen(s), tlv, d, err) !=
	    SD_OK)
		fail_msg("parse '%s': %s", s, err);
}

static void
test_appendix_b_classic(void **state)
{
	struct smsc_dlr d;

	(void)state;
	parse_ok("id:0123456789 sub:001 dlvrd:001 submit date:0610191018 "
		 "done date:0610191018 stat:DELIVRD err:000 text:This is a "
		 "test message", NULL, &d);
	assert_string_equal(d.id, "0123456789");
	assert_int_equal(d.sub, 1);
	assert_int_equal(d.dlvrd, 1);
	assert_string_equal(d.submit_date, "0610191018");
	assert_string_equal(d.done_date, "0610191018");
	assert_string_equal(d.stat, "DELIVRD");
	assert_int_equal(d.state, SMSC_DLR_DELIVERED);
	assert_true(d.final);
	assert_string_equal(d.err, "000");
	assert_string_equal(d.text, "This is a test message");
	assert_false(d.id_from_tlv);
	assert_false(d.state_from_tlv);
	assert_false(d.has_net_err);
}

static void
test_kannel_style_hex_id(void **state)
{
	struct smsc_dlr d;

	(void)state;
	/* Kannel writes "Text:" with a capital; this SMSC uses hex ids. */
	parse_ok("id:1A2B3C sub:001 dlvrd:000 submit date:2401011200 done "
		 "date:2401011201 stat:UNDELIV err:011 Text:Salam", NULL, &d);
	assert_string_equal(d.id, "1A2B3C");
	assert_int_equal(d.dlvrd, 0);
	assert_int_equal(d.state, SMSC_DLR_UNDELIVERABLE);
	assert_true(d.final);
	assert_string_equal(d.err, "011");
	assert_string_equal(d.text, "Salam");
	assert_true(smsc_msgid_equal("1715004", d.id, SMSC_MSGID_AUTO));
}

static void
test_case_and_spacing_variants(void **state)
{
	struct smsc_dlr d;

	(void)state;
	parse_ok("ID:12345 SUB:001 DLVRD:001 SUBMIT DATE:2401011200 DONE "
		 "DATE:2401011200 STAT:expired ERR:000 TEXT:x", NULL, &d);
	assert_string_equal(d.id, "12345");
	assert_int_equal(d.state, SMSC_DLR_EXPIRED);
	assert_string_equal(d.stat, "expired");
	assert_string_equal(d.submit_date, "2401011200");
	assert_string_equal(d.text, "x");

	/* Seconds in the dates, runs of spaces, a space after the colon,
	 * an empty text. */
	parse_ok("id:  77   sub:001   dlvrd:001  submit date:240101120059 "
		 "done  date:240101120105 stat : ACCEPTD err:000 text:", NULL,
	    &d);
	assert_string_equal(d.id, "77");
	assert_string_equal(d.submit_date, "240101120059");
	assert_string_equal(d.done_date, "240101120105");
	assert_int_equal(d.state, SMSC_DLR_ACCEPTED);
	assert_true(d.final);
	assert_string_equal(d.text, "");

	/* Underscored keys, full state words, fields out of order. */
	parse_ok("stat:DELIVERED submit_date:2401011200 done_date:2401011230 "
		 "id:abc-9", NULL, &d);
	assert_string_equal(d.id, "abc-9");
	assert_int_equal(d.state, SMSC_DLR_DELIVERED);
	assert_string_equal(d.done_date, "2401011230");
	assert_int_equal(d.sub, -1);

	/* A malformed date is dropped, not fatal. */
	parse_ok("id:5 stat:DELIVRD submit date:24-01-01 done date:2401", NULL,
	    &d);
	assert_string_equal(d.submit_date, "");
	assert_string_equal(d.done_date, "");
}

static void
test_missing_sub_and_dlvrd(void **state)
{
	struct smsc_dlr d;

	(void)state;
	parse_ok("id:msg-77f0 submit date:2401011200 done date:2401011200 "
		 "stat:REJECTD err:001", NULL, &d);
	assert_string_equal(d.id, "msg-77f0");
	assert_int_equal(d.sub, -1);
	assert_int_equal(d.dlvrd, -1);
	assert_int_equal(d.state, SMSC_DLR_REJECTED);
	assert_true(d.final);
	assert_string_equal(d.text, "");
}

static void
test_tlv_only_and_tlv_wins(void **state)
{
	static const uint8_t nec[] = {0x03, 0x00, 0x0B};
	struct smsc_dlr_tlv tlv;
	struct smsc_dlr d;
	char err[SD_ERRLEN];

	(void)state;
	memset(&tlv, 0, sizeof(tlv));
	tlv.receipted_message_id = "5F3A";
	tlv.has_message_state = true;
	tlv.message_state = 2;
	tlv.network_error_code = nec;
	tlv.network_error_code_len = 3;
	assert_int_equal(smsc_dlr_parse(NULL, 0, &tlv, &d, err), SD_OK);
	assert_string_equal(d.id, "5F3A");
	assert_true(d.id_from_tlv);
	assert_true(d.state_from_tlv);
	assert_int_equal(d.state, SMSC_DLR_DELIVERED);
	assert_true(d.has_net_err);
	assert_int_equal(d.net_err_type, 3);
	assert_int_equal(d.net_err_code, 11);

	/* The TLVs win over the text where both speak. */
	tlv.message_state = 5;
	tlv.network_error_code_len = 2; /* malformed: ignored */
	parse_ok("id:0000024378 sub:001 dlvrd:000 submit date:2401011200 "
		 "done date:2401011200 stat:ENROUTE err:000 text:", &tlv, &d);
	assert_string_equal(d.id, "5F3A");
	assert_int_equal(d.state, SMSC_DLR_UNDELIVERABLE);
	assert_string_equal(d.stat, "ENROUTE");
	assert_false(d.has_net_err);
	assert_true(smsc_msgid_equal("24378", "5F3A", SMSC_MSGID_AUTO));

	/* TLV id with the state from the text; an empty TLV id falls back
	 * to the text's. */
	tlv.has_message_state = false;
	parse_ok("stat:ENROUTE", &tlv, &d);
	assert_int_equal(d.state, SMSC_DLR_ENROUTE);
	assert_false(d.final);
	tlv.receipted_message_id = "";
	parse_ok("id:42 stat:UNKNOWN", &tlv, &d);
	assert_string_equal(d.id, "42");
	assert_int_equal(d.state, SMSC_DLR_UNKNOWN);
	assert_false(d.final);

	/* SMPP 5.0 values: SCHEDULED reads as ENROUTE, SKIPPED as
	 * undeliverable, anything else as UNKNOWN. */
	tlv.receipted_message_id = "9";
	tlv.has_message_state = true;
	tlv.message_state = 0;
	assert_int_equal(smsc_dlr_parse(NULL, 0, &tlv, &d, err), SD_OK);
	assert_int_equal(d.state, SMSC_DLR_ENROUTE);
	tlv.message_state = 9;
	assert_int_equal(smsc_dlr_parse(NULL, 0, &tlv, &d, err), SD_OK);
	assert_int_equal(d.state, SMSC_DLR_UNDELIVERABLE);
	tlv.message_state = 200;
	assert_int_equal(smsc_dlr_parse(NULL, 0, &tlv, &d, err), SD_OK);
	assert_int_equal(d.state, SMSC_DLR_UNKNOWN);
}

static void
test_every_stat_word(void **state)
{
	static const struct {
		const char *stat;          /* as written */
		enum smsc_dlr_state state; /* meaning */
		bool final;                /* no receipt follows */
	} t[] = {
		{"DELIVRD", SMSC_DLR_DELIVERED, true},
		{"EXPIRED", SMSC_DLR_EXPIRED, true},
		{"DELETED", SMSC_DLR_DELETED, true},
		{"UNDELIV", SMSC_DLR_UNDELIVERABLE, true},
		{"ACCEPTD", SMSC_DLR_ACCEPTED, true},
		{"UNKNOWN", SMSC_DLR_UNKNOWN, false},
		{"REJECTD", SMSC_DLR_REJECTED, true},
		{"ENROUTE", SMSC_DLR_ENROUTE, false},
		{"delivrd", SMSC_DLR_DELIVERED, true},
		{"FAILED", SMSC_DLR_UNDELIVERABLE, true},
		{"2", SMSC_DLR_DELIVERED, true},
		{"WEIRD", SMSC_DLR_UNKNOWN, false},
	};
	struct smsc_dlr d;
	char buf[128];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		snprintf(buf, sizeof(buf), "id:1 stat:%s err:000", t[i].stat);
		parse_ok(buf, NULL, &d);
		if (d.state != t[i].state || d.final != t[i].final)
			fail_msg("stat %s: state %s final %d", t[i].stat,
			    smsc_dlr_state_str(d.state), d.final);
	}
	assert_string_equal(smsc_dlr_state_str(SMSC_DLR_UNDELIVERABLE),
	    "undeliverable");
}

static void
test_text_field_and_odd_input(void **state)
{
	static const uint8_t junk[] = {0x00, 0xFF, 'i', 'd', ':', 0x01, ' ',
	    's', 't', 'a', 't', ':', 0x80};
	struct smsc_dlr_tlv tlv;
	struct smsc_dlr d;
	char err[SD_ERRLEN], big[200];

	(void)state;
	/* text: is the message's own text: keys inside it are not keys. */
	parse_ok("id:1 stat:DELIVRD text:stat:UNDELIV id:2 \x01", NULL, &d);
	assert_string_equal(d.id, "1");
	assert_int_equal(d.state, SMSC_DLR_DELIVERED);
	assert_string_equal(d.text, "stat:UNDELIV id:2 ?");

	/* "id:" with no value, the id coming from the TLV. */
	memset(&tlv, 0, sizeof(tlv));
	tlv.receipted_message_id = "77";
	parse_ok("id: sub:001 dlvrd:001 stat:DELIVRD", &tlv, &d);
	assert_string_equal(d.id, "77");
	assert_int_equal(d.sub, 1);

	/* No id, no state, an id too long, garbage: clear errors. */
	assert_int_equal(smsc_dlr_parse((const uint8_t *)"stat:DELIVRD", 12,
	    NULL, &d, err), SD_EINVAL);
	assert_non_null(strstr(err, "no message id"));
	assert_int_equal(smsc_dlr_parse((const uint8_t *)"id:12 err:000", 13,
	    NULL, &d, err), SD_EINVAL);
	assert_non_null(strstr(err, "no state"));
	memset(big, '7', sizeof(big));
	memcpy(big, "id:", 3);
	memcpy(big + 190, " stat:1  ", 9);
	assert_int_equal(smsc_dlr_parse((const uint8_t *)big, sizeof(big),
	    NULL, &d, err), SD_EINVAL);
	assert_int_equal(smsc_dlr_parse(junk, sizeof(junk), NULL, &d, err),
	    SD_EINVAL);
	assert_int_equal(smsc_dlr_parse(NULL, 0, NULL, &d, err), SD_EINVAL);
}

static void
test_msgid_hex_decimal(void **state)
{
	(void)state;
	/* submit_sm_resp in hex, receipt in decimal, and the reverse. */
	assert_true(smsc_msgid_equal("1A2B3C", "1715004", SMSC_MSGID_AUTO));
	assert_true(smsc_msgid_equal("1A2B3C", "1715004",
	    SMSC_MSGID_HEX_DEC));
	assert_true(smsc_msgid_equal("1715004", "1a2b3c", SMSC_MSGID_AUTO));
	assert_true(smsc_msgid_equal("1715004", "1a2b3c",
	    SMSC_MSGID_DEC_HEX));
	assert_false(smsc_msgid_equal("1A2B3C", "1715004",
	    SMSC_MSGID_DEC_HEX));
	assert_false(smsc_msgid_equal("1A2B3C", "1715004", SMSC_MSGID_SAME));
	/* Leading zeros, case, 0x. */
	assert_true(smsc_msgid_equal("0001715004", "1A2B3C", SMSC_MSGID_AUTO));
	assert_true(smsc_msgid_equal("001a2b3c", "1A2B3C", SMSC_MSGID_SAME));
	assert_true(smsc_msgid_equal("0x1A2B3C", "1715004", SMSC_MSGID_AUTO));
	assert_true(smsc_msgid_equal("0000000042", "42", SMSC_MSGID_SAME));
	/* Beyond 64 bits. */
	assert_true(smsc_msgid_equal("FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF",
	    "340282366920938463463374607431768211455", SMSC_MSGID_AUTO));
	assert_false(smsc_msgid_equal("FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF",
	    "340282366920938463463374607431768211454", SMSC_MSGID_AUTO));
	/* Different numbers. */
	assert_false(smsc_msgid_equal("1A2B3C", "1715005", SMSC_MSGID_AUTO));
	assert_false(smsc_msgid_equal("12345", "12346", SMSC_MSGID_AUTO));
	/* A fixed convention removes AUTO's ambiguity between bases. */
	assert_true(smsc_msgid_equal("10", "16", SMSC_MSGID_HEX_DEC));
	assert_false(smsc_msgid_equal("10", "010", SMSC_MSGID_HEX_DEC));
	assert_true(smsc_msgid_equal("10", "010", SMSC_MSGID_SAME));
}

static void
test_msgid_plain_strings(void **state)
{
	(void)state;
	assert_true(smsc_msgid_equal("msg-1", "msg-1", SMSC_MSGID_AUTO));
	assert_false(smsc_msgid_equal("msg-1", "MSG-1", SMSC_MSGID_AUTO));
	assert_false(smsc_msgid_equal("abc-123", "abc-0123",
	    SMSC_MSGID_AUTO));
	assert_false(smsc_msgid_equal("ff-01", "255-01", SMSC_MSGID_AUTO));
	assert_false(smsc_msgid_equal("g1", "G1", SMSC_MSGID_AUTO));
	assert_false(smsc_msgid_equal("12 34", "1234", SMSC_MSGID_AUTO));
	assert_false(smsc_msgid_equal("-5", "5", SMSC_MSGID_AUTO));
	assert_false(smsc_msgid_equal("0x", "0", SMSC_MSGID_AUTO));
	/* Empty ids (drive_smpp sends none) never match. */
	assert_false(smsc_msgid_equal("", "", SMSC_MSGID_AUTO));
	assert_false(smsc_msgid_equal(NULL, "1", SMSC_MSGID_AUTO));
}

/* SMPP message_state to the outbox's states (issue #10): the one map,
 * for SMPP receipts and HTTP providers' reports alike. */
static void
test_out_state_map(void **state)
{
	static const struct {
		int ms;
		enum core_out_state out;
	} tab[] = {
		{0, CORE_OUT_ACCEPTED},  /* SCHEDULED (SMPP 5.0) */
		{SMSC_DLR_ENROUTE, CORE_OUT_ACCEPTED},
		{SMSC_DLR_DELIVERED, CORE_OUT_DELIVERED},
		{SMSC_DLR_EXPIRED, CORE_OUT_EXPIRED},
		{SMSC_DLR_DELETED, CORE_OUT_ACCEPTED},
		{SMSC_DLR_UNDELIVERABLE, CORE_OUT_UNDELIVERABLE},
		{SMSC_DLR_ACCEPTED, CORE_OUT_ACCEPTED},
		{SMSC_DLR_UNKNOWN, CORE_OUT_ACCEPTED},
		{SMSC_DLR_REJECTED, CORE_OUT_UNDELIVERABLE},
		{9, CORE_OUT_ACCEPTED},  /* SKIPPED (SMPP 5.0) */
		{255, CORE_OUT_ACCEPTED},
		{-1, CORE_OUT_ACCEPTED},
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(tab) / sizeof(tab[0]); i++)
		if (smsc_receipt_out_state(tab[i].ms) != tab[i].out)
			fail_msg("message_state %d: %s, want %s", tab[i].ms,
			    core_out_state_name(smsc_receipt_out_state(
				tab[i].ms)),
			    core_out_state_name(tab[i].out));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_out_state_map),
		cmocka_unit_test(test_appendix_b_classic),
		cmocka_unit_test(test_kannel_style_hex_id),
		cmocka_unit_test(test_case_and_spacing_variants),
		cmocka_unit_test(test_missing_sub_and_dlvrd),
		cmocka_unit_test(test_tlv_only_and_tlv_wins),
		cmocka_unit_test(test_every_stat_word),
		cmocka_unit_test(test_text_field_and_odd_input),
		cmocka_unit_test(test_msgid_hex_decimal),
		cmocka_unit_test(test_msgid_plain_strings),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
