/*
 * tests/unit/smsc/test_deliver.c: reading inbound deliver_sm PDUs through
 * libsmpp34 safely: fields and TLVs copied out, the arena empty after every
 * PDU, and the layouts that make libsmpp34 leak or overflow its global
 * error buffer refused before it sees them.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "smsc/pdu_int.h"

/* A deliver_sm builder. */
struct b {
	uint8_t p[4096];
	size_t n;
};

static void
put(struct b *b, const void *d, size_t n)
{
	memcpy(b->p + b->n, d, n);
	b->n += n;
}

static void
put8(struct b *b, uint8_t v)
{
	b->p[b->n++] = v;
}

static void
put_cstr(struct b *b, const char *s)
{
	put(b, s, strlen(s) + 1);
}

static void
put_tlv(struct b *b, uint16_t tag, const void *v, uint16_t len)
{
	put8(b, (uint8_t)(tag >> 8));
	put8(b, (uint8_t)tag);
	put8(b, (uint8_t)(len >> 8));
	put8(b, (uint8_t)len);
	put(b, v, len);
}

static void
deliver_start(struct b *b, uint8_t esm, uint8_t dc, const void *sm,
    uint8_t sm_len)
{
	memset(b, 0, sizeof(*b));
	b->n = SMSC_PDU_HDR;
	put_cstr(b, "");
	put8(b, 1);
	put8(b, 1);
	put_cstr(b, "989131111111");
	put8(b, 0);
	put8(b, 0);
	put_cstr(b, "3000");
	put8(b, esm);
	put8(b, 0);
	put8(b, 0);
	put_cstr(b, "");
	put_cstr(b, "");
	put8(b, 0);
	put8(b, 0);
	put8(b, dc);
	put8(b, 0);
	put8(b, sm_len);
	put(b, sm, sm_len);
}

static void
deliver_finish(struct b *b)
{
	smsc_pdu_put_header(b->p, 0x00000005, 0, 7);
	b->p[0] = (uint8_t)(b->n >> 24);
	b->p[1] = (uint8_t)(b->n >> 16);
	b->p[2] = (uint8_t)(b->n >> 8);
	b->p[3] = (uint8_t)b->n;
}

static void
test_plain_and_tlvs_copied_out(void **state)
{
	static const uint8_t fa[] = {0x06, 0x33, 0x06, 0x44, 0x06, 0x27,
		0x06, 0x45};
	struct smsc_deliver d;
	char err[SD_ERRLEN];
	struct b b;

	(void)state;
	deliver_start(&b, 0, 8, fa, sizeof(fa));
	put_tlv(&b, 0x0501, "\x01", 1);
	put_tlv(&b, 0x1383, "\x00\x2a", 2);
	put_tlv(&b, 0x020C, "\x00\x09", 2);
	put_tlv(&b, 0x020E, "\x02", 1);
	put_tlv(&b, 0x020F, "\x01", 1);
	put_tlv(&b, 0x0204, "\x9c\x41", 2);
	deliver_finish(&b);
	assert_int_equal(smsc_deliver_decode(b.p, b.n, &d, err), SD_OK);
	assert_string_equal(d.src, "989131111111");
	assert_string_equal(d.dst, "3000");
	assert_int_equal(d.data_coding, 8);
	assert_int_equal(d.sm_len, sizeof(fa));
	assert_memory_equal(d.sm, fa, sizeof(fa));
	assert_true(d.has_ussd_op);
	assert_int_equal(d.ussd_op, 1);
	assert_true(d.has_session);
	assert_int_equal(d.session, 42);
	assert_true(d.has_umr); /* a vendor's USSD dialogue id (#12) */
	assert_int_equal(d.umr, 40001);
	assert_true(d.has_sar);
	assert_int_equal(d.sar_ref, 9);
	assert_int_equal(d.sar_total, 2);
	assert_int_equal(d.sar_seq, 1);
	assert_false(smsc_deliver_is_receipt(&d));
	assert_int_equal(smsc_pdu_arena_bytes(), 0);
}

static void
test_receipt_tlvs(void **state)
{
	struct smsc_deliver d;
	char err[SD_ERRLEN];
	struct b b;

	(void)state;
	deliver_start(&b, 4, 0, "", 0);
	put_tlv(&b, 0x001E, "1715004", 8);
	put_tlv(&b, 0x0427, "\x02", 1);
	put_tlv(&b, 0x0423, "\x03\x00\x01", 3);
	deliver_finish(&b);
	assert_int_equal(smsc_deliver_decode(b.p, b.n, &d, err), SD_OK);
	assert_true(smsc_deliver_is_receipt(&d));
	assert_string_equal(d.receipted_id, "1715004");
	assert_int_equal(d.message_state, 2);
	assert_true(d.has_net_err);
	assert_int_equal(smsc_pdu_arena_bytes(), 0);
}

/* Regression (fuzz_deliver): a deliver_sm with 30 TLVs made libsmpp34
 * write past its 2048-byte error buffer. It is refused before libsmpp34
 * sees it. */
static void
test_many_tlvs_refused(void **state)
{
	struct smsc_deliver d;
	char err[SD_ERRLEN];
	struct b b;
	int i;

	(void)state;
	deliver_start(&b, 0, 0, "hi", 2);
	for (i = 0; i < 30; i++)
		put_tlv(&b, 0x1400, "xx", 2);
	deliver_finish(&b);
	assert_int_equal(smsc_deliver_decode(b.p, b.n, &d, err), SD_EINVAL);
	assert_non_null(strstr(err, "more than 16 TLVs"));
	/* 16 is still fine. */
	deliver_start(&b, 0, 0, "hi", 2);
	for (i = 0; i < SMSC_TLV_MAX; i++)
		put_tlv(&b, 0x1400, "xx", 2);
	deliver_finish(&b);
	assert_int_equal(smsc_deliver_decode(b.p, b.n, &d, err), SD_OK);
	assert_int_equal(smsc_pdu_arena_bytes(), 0);
}

/* A TLV whose length runs past the PDU made libsmpp34 leak the TLVs it
 * had allocated; it never gets there now, and the arena is empty. */
static void
test_bad_tlv_length_no_leak(void **state)
{
	struct smsc_deliver d;
	char err[SD_ERRLEN];
	struct b b;

	(void)state;
	deliver_start(&b, 0, 0, "hi", 2);
	put_tlv(&b, 0x0501, "\x01", 1);
	put8(&b, 0x04);
	put8(&b, 0x24);
	put8(&b, 0xff);
	put8(&b, 0xff);
	put8(&b, 0x00);
	deliver_finish(&b);
	assert_int_equal(smsc_deliver_decode(b.p, b.n, &d, err), SD_EINVAL);
	assert_non_null(strstr(err, "runs past"));
	assert_int_equal(smsc_pdu_arena_bytes(), 0);
	/* Truncated mandatory part. */
	deliver_start(&b, 0, 0, "", 0);
	b.n = SMSC_PDU_HDR + 5;
	deliver_finish(&b);
	assert_int_equal(smsc_deliver_decode(b.p, b.n, &d, err), SD_EINVAL);
	/* sm_length past the end. */
	deliver_start(&b, 0, 0, "hello", 5);
	b.n -= 3;
	deliver_finish(&b);
	assert_int_equal(smsc_deliver_decode(b.p, b.n, &d, err), SD_EINVAL);
	assert_int_equal(smsc_pdu_arena_bytes(), 0);
}

/* Something libsmpp34 itself refuses (a value it calls invalid) comes
 * back as SD_EINVAL with its reason, and the arena is emptied. */
static void
test_libsmpp34_refusal_reported(void **state)
{
	struct smsc_deliver d;
	char err[SD_ERRLEN];
	struct b b;

	(void)state;
	deliver_start(&b, 0, 0, "hi", 2);
	/* schedule_delivery_time must be empty in a deliver_sm. */
	memset(&b, 0, sizeof(b));
	b.n = SMSC_PDU_HDR;
	put_cstr(&b, "");
	put8(&b, 1);
	put8(&b, 1);
	put_cstr(&b, "989131111111");
	put8(&b, 0);
	put8(&b, 0);
	put_cstr(&b, "3000");
	put8(&b, 0);
	put8(&b, 0);
	put8(&b, 0);
	put_cstr(&b, "000000000000000R");
	put_cstr(&b, "");
	put8(&b, 0);
	put8(&b, 0);
	put8(&b, 0);
	put8(&b, 0);
	put8(&b, 0);
	put_tlv(&b, 0x0501, "\x01", 1);
	deliver_finish(&b);
	assert_int_equal(smsc_deliver_decode(b.p, b.n, &d, err), SD_EINVAL);
	assert_non_null(strstr(err, "schedule_delivery_time"));
	assert_int_equal(smsc_pdu_arena_bytes(), 0);
}

/*
 * Issue #9: a fixed-size TLV declared longer than libsmpp34 reads. The
 * library reads message_state as one octet and parses the rest of the
 * declared value as further TLVs, so K inner TLVs hide behind one outer
 * one and slip past the TLV count: with K >= 30 its 2048-byte error text
 * overflows into our .bss (K = 40 is the 254-byte PDU of the audit).
 */
static void
test_fixed_tlv_hiding_tlvs_refused(void **state)
{
	uint8_t v[1 + 5 * 40];
	struct smsc_deliver d;
	char err[SD_ERRLEN];
	struct b b;
	size_t k;

	(void)state;
	v[0] = 2;
	for (k = 0; k < 40; k++) {
		uint8_t *t = v + 1 + 5 * k;

		t[0] = 0x04; /* message_state again, length 1 */
		t[1] = 0x27;
		t[2] = 0;
		t[3] = 1;
		t[4] = 2;
	}
	deliver_start(&b, 0, 0, "", 0);
	put_tlv(&b, 0x0427, v, sizeof(v));
	deliver_finish(&b);
	assert_int_equal(b.n, 254);
	assert_int_equal(smsc_deliver_decode(b.p, b.n, &d, err), SD_EINVAL);
	assert_non_null(strstr(err, "0x0427"));
	assert_int_equal(smsc_pdu_arena_bytes(), 0);
}

/* Every TLV libsmpp34 reads at a fixed size must say that size; an octet
 * TLV may not exceed what libsmpp34 keeps of it. One table, both ways. */
static void
test_tlv_lengths_table(void **state)
{
	static const uint8_t z[1100];
	static const struct {
		uint16_t tag;  /* TLV */
		uint16_t len;  /* declared length */
		enum sd_rc rc; /* expected */
	} c[] = {
		{0x0427, 1, SD_OK},     {0x0427, 0, SD_EINVAL},
		{0x0427, 2, SD_EINVAL}, {0x020C, 2, SD_OK},
		{0x020C, 1, SD_EINVAL}, {0x020C, 3, SD_EINVAL},
		{0x020E, 1, SD_OK},     {0x020E, 6, SD_EINVAL},
		{0x020F, 1, SD_OK},     {0x020F, 0, SD_EINVAL},
		{0x1383, 2, SD_OK},     {0x1383, 7, SD_EINVAL},
		{0x0204, 2, SD_OK},     {0x0204, 4, SD_EINVAL},
		{0x020A, 2, SD_OK},     {0x020B, 3, SD_EINVAL},
		{0x0205, 1, SD_OK},     {0x0201, 2, SD_EINVAL},
		{0x0019, 1, SD_OK},     {0x0019, 2, SD_EINVAL},
		{0x000E, 1, SD_OK},     {0x000E, 5, SD_EINVAL},
		{0x0421, 1, SD_OK},     {0x0421, 65, SD_EINVAL},
		{0x020D, 1, SD_OK},     {0x020D, 0, SD_EINVAL},
		{0x000D, 11, SD_OK},    {0x0006, 5, SD_OK},
		{0x0423, 3, SD_OK},     {0x0423, 4, SD_EINVAL},
		{0x001E, 65, SD_OK},    {0x001E, 66, SD_EINVAL},
		{0x0381, 19, SD_OK},    {0x0381, 20, SD_EINVAL},
		{0x0202, 23, SD_OK},    {0x0203, 24, SD_EINVAL},
		{0x0424, 1024, SD_OK},  {0x0424, 1025, SD_EINVAL},
		{0x0501, 1, SD_OK},     {0x1400, 1024, SD_OK},
		{0x1400, 1025, SD_EINVAL},
	};
	struct smsc_deliver d;
	char err[SD_ERRLEN];
	struct b b;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(c) / sizeof(c[0]); i++) {
		deliver_start(&b, 0, 0, "", 0);
		put_tlv(&b, c[i].tag, z, c[i].len);
		deliver_finish(&b);
		if (smsc_deliver_decode(b.p, b.n, &d, err) != c[i].rc)
			fail_msg("tag 0x%04x length %u: expected %s (%s)",
			    c[i].tag, c[i].len, c[i].rc == SD_OK ? "OK" :
			    "EINVAL", err);
		assert_int_equal(smsc_pdu_arena_bytes(), 0);
	}
}

static void
test_framing(void **state)
{
	struct smsc_pdu_hdr h;
	uint8_t p[SMSC_PDU_HDR];

	(void)state;
	smsc_pdu_put_header(p, 0x15, 0, 9);
	assert_int_equal(smsc_pdu_peek(p, 15, &h), 0);
	assert_int_equal(smsc_pdu_peek(p, 16, &h), 1);
	assert_int_equal(h.len, 16);
	assert_int_equal(h.id, 0x15);
	assert_int_equal(h.seq, 9);
	p[3] = 15; /* below the header size */
	assert_int_equal(smsc_pdu_peek(p, 16, &h), -1);
	p[0] = 0x7f; /* 2 GB */
	assert_int_equal(smsc_pdu_peek(p, 16, &h), -1);
	assert_string_equal(smsc_status_name(0x58), "ESME_RTHROTTLED");
	assert_int_equal(smsc_status_classify(0x58), SMSC_ST_THROTTLE);
	assert_int_equal(smsc_status_classify(0x14), SMSC_ST_THROTTLE);
	assert_int_equal(smsc_status_classify(0x0b), SMSC_ST_PERM);
	assert_int_equal(smsc_status_classify(0x08), SMSC_ST_TEMP);
	assert_int_equal(smsc_status_classify(0x401), SMSC_ST_TEMP);
	assert_string_equal(smsc_status_name(0x401), "ESME_VENDOR");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_plain_and_tlvs_copied_out),
		cmocka_unit_test(test_receipt_tlvs),
		cmocka_unit_test(test_many_tlvs_refused),
		cmocka_unit_test(test_bad_tlv_length_no_leak),
		cmocka_unit_test(test_libsmpp34_refusal_reported),
		cmocka_unit_test(test_fixed_tlv_hiding_tlvs_refused),
		cmocka_unit_test(test_tlv_lengths_table),
		cmocka_unit_test(test_framing),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
