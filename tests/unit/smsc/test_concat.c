/*
 * tests/unit/smsc/test_concat.c: the UDH parser and the reassembly of
 * inbound concatenated messages (order, duplicates, loss, eviction, 8-
 * and 16-bit references, SAR) and a split/reassemble round trip.
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

/* Room for one test PDU's short_message. */
#define PDU_MAX 300

/* A PDU under construction: the pdu points into buf. */
struct tpdu {
	struct smsc_mo_pdu pdu; /* what is offered */
	uint8_t buf[PDU_MAX];   /* its short_message */
};

/* A GSM 7-bit (unpacked, ASCII-compatible text) part with the 8-bit
 * concat UDH, from src to 3000. */
static void
part8(struct tpdu *t, const char *src, uint8_t ref, uint8_t total,
    uint8_t seq, const char *text)
{
	size_t n = strlen(text);

	memset(t, 0, sizeof(*t));
	t->buf[0] = 0x05;
	t->buf[1] = 0x00;
	t->buf[2] = 0x03;
	t->buf[3] = ref;
	t->buf[4] = total;
	t->buf[5] = seq;
	memcpy(t->buf + 6, text, n);
	t->pdu.src = src;
	t->pdu.dst = "3000";
	t->pdu.esm_class = SMSC_ESM_UDHI;
	t->pdu.data_coding = 0;
	t->pdu.sm = t->buf;
	t->pdu.len = 6 + n;
}

/* A store with the defaults but for max_groups; fails the test on
 * error. */
static struct smsc_concat *
store(unsigned max_groups)
{
	struct smsc_concat_config cfg;
	struct smsc_concat *c;
	char err[SD_ERRLEN];

	smsc_concat_config_default(&cfg);
	cfg.max_groups = max_groups;
	if (smsc_concat_new(&cfg, &c, err) != SD_OK)
		fail_msg("new: %s", err);
	return c;
}

/* Offer t at now and check the result. */
static void
offer(struct smsc_concat *c, struct tpdu *t, int64_t now,
    enum smsc_concat_result want, struct smsc_concat_out *out)
{
	char err[SD_ERRLEN];

	if (smsc_concat_add(c, &t->pdu, now, out, err) != SD_OK)
		fail_msg("add: %s", err);
	assert_int_equal(out->result, want);
}

/* Open groups in c. */
static size_t
groups_of(const struct smsc_concat *c)
{
	size_t g, p;

	smsc_concat_stats(c, &g, &p);
	return g;
}

static void
test_in_order(void **state)
{
	struct smsc_concat *c = store(16);
	struct smsc_concat_out out;
	struct tpdu t;
	size_t g, p;

	(void)state;
	part8(&t, "+989131111111", 0x42, 3, 1, "Hello ");
	offer(c, &t, 100, SMSC_CONCAT_HELD, &out);
	assert_false(out.evicted);
	smsc_concat_out_fini(&out);
	part8(&t, "+989131111111", 0x42, 3, 2, "World ");
	offer(c, &t, 101, SMSC_CONCAT_HELD, &out);
	smsc_concat_out_fini(&out);
	smsc_concat_stats(c, &g, &p);
	assert_int_equal(g, 1);
	assert_int_equal(p, 2);
	part8(&t, "+989131111111", 0x42, 3, 3, "Again");
	t.buf[t.pdu.len++] = 0x00; /* '@' is septet 0 */
	offer(c, &t, 102, SMSC_CONCAT_DONE, &out);
	assert_int_equal(out.msg.why, SMSC_CONCAT_COMPLETE);
	assert_string_equal(out.msg.text, "Hello World Again@");
	assert_int_equal(out.msg.text_len, 18);
	assert_string_equal(out.msg.src, "+989131111111");
	assert_string_equal(out.msg.dst, "3000");
	assert_int_equal(out.msg.ref, 0x42);
	assert_int_equal(out.msg.total, 3);
	assert_int_equal(out.msg.nparts, 3);
	assert_int_equal(out.msg.have[0], 0x07);
	assert_int_equal(out.msg.alphabet, SMSC_ALPHA_GSM7);
	assert_int_equal(out.msg.len, 18);
	assert_int_equal(out.msg.units[17], 0x00);
	assert_int_equal(out.msg.first_seen, 100);
	smsc_concat_out_fini(&out);
	smsc_concat_stats(c, &g, &p);
	assert_int_equal(g, 0);
	assert_int_equal(p, 0);
	assert_int_equal(smsc_concat_deadline(c), INT64_MAX);
	smsc_concat_free(c);
}

static void
test_out_of_order_and_duplicate(void **state)
{
	struct smsc_concat *c = store(16);
	struct smsc_concat_out out;
	struct tpdu t;

	(void)state;
	part8(&t, "0913", 7, 3, 3, "c");
	offer(c, &t, 10, SMSC_CONCAT_HELD, &out);
	smsc_concat_out_fini(&out);
	part8(&t, "0913", 7, 3, 1, "a");
	offer(c, &t, 11, SMSC_CONCAT_HELD, &out);
	smsc_concat_out_fini(&out);
	/* The SMSC redelivers part 1 (our resp was lost): ignored. */
	part8(&t, "0913", 7, 3, 1, "X");
	offer(c, &t, 12, SMSC_CONCAT_DUPLICATE, &out);
	smsc_concat_out_fini(&out);
	part8(&t, "0913", 7, 3, 3, "Y");
	offer(c, &t, 12, SMSC_CONCAT_DUPLICATE, &out);
	smsc_concat_out_fini(&out);
	/* Same reference from another sender is another message. */
	part8(&t, "0914", 7, 3, 2, "Z");
	offer(c, &t, 12, SMSC_CONCAT_HELD, &out);
	smsc_concat_out_fini(&out);
	assert_int_equal(groups_of(c), 2);
	part8(&t, "0913", 7, 3, 2, "b");
	offer(c, &t, 13, SMSC_CONCAT_DONE, &out);
	assert_string_equal(out.msg.text, "abc");
	smsc_concat_out_fini(&out);
	assert_int_equal(groups_of(c), 1);
	smsc_concat_free(c);
}

static void
test_lost_part_times_out(void **state)
{
	struct smsc_concat *c = store(16);
	struct smsc_concat_out out;
	struct smsc_concat_msg m;
	struct tpdu t;

	(void)state;
	part8(&t, "0913", 9, 3, 1, "first ");
	offer(c, &t, 1000, SMSC_CONCAT_HELD, &out);
	smsc_concat_out_fini(&out);
	part8(&t, "0913", 9, 3, 3, "third");
	offer(c, &t, 1100, SMSC_CONCAT_HELD, &out);
	smsc_concat_out_fini(&out);
	assert_int_equal(smsc_concat_deadline(c),
	    1000 + SMSC_CONCAT_TIMEOUT_DEF);
	assert_false(smsc_concat_expire(c, 1000 + SMSC_CONCAT_TIMEOUT_DEF - 1,
	    &m));
	assert_true(smsc_concat_expire(c, 1000 + SMSC_CONCAT_TIMEOUT_DEF, &m));
	assert_int_equal(m.why, SMSC_CONCAT_TIMEOUT);
	assert_int_equal(m.total, 3);
	assert_int_equal(m.nparts, 2);
	assert_int_equal(m.have[0], 0x05);
	assert_string_equal(m.text, "first third");
	assert_int_equal(m.ref, 9);
	smsc_concat_msg_fini(&m);
	assert_false(smsc_concat_expire(c, 99999, &m));
	assert_int_equal(groups_of(c), 0);
	/* The late part 2 opens a new group of its own. */
	part8(&t, "0913", 9, 3, 2, "second ");
	offer(c, &t, 1400, SMSC_CONCAT_HELD, &out);
	smsc_concat_out_fini(&out);
	smsc_concat_free(c);
}

static void
test_ref16_ucs2_split_surrogate(void **state)
{
	/* "😀س" as UTF-16BE, cut inside the surrogate pair by the sender. */
	static const uint8_t p1[] = {0x06, 0x08, 0x04, 0x12, 0x34, 0x02, 0x01,
	    0x00, 0x61, 0xD8, 0x3D};
	static const uint8_t p2[] = {0x06, 0x08, 0x04, 0x12, 0x34, 0x02, 0x02,
	    0xDE, 0x00, 0x06, 0x33};
	struct smsc_concat *c = store(16);
	struct smsc_concat_out out;
	struct tpdu t;

	(void)state;
	memset(&t, 0, sizeof(t));
	t.pdu.src = "+989131111111";
	t.pdu.dst = "3000";
	t.pdu.esm_class = SMSC_ESM_UDHI | 0x03;
	t.pdu.data_coding = SMSC_DC_UCS2;
	t.pdu.sm = p2;
	t.pdu.len = sizeof(p2);
	offer(c, &t, 5, SMSC_CONCAT_HELD, &out);
	smsc_concat_out_fini(&out);
	/* An 8-bit reference 0x34 is not the same as 0x1234. */
	part8(&t, "+989131111111", 0x34, 2, 1, "x");
	offer(c, &t, 5, SMSC_CONCAT_HELD, &out);
	smsc_concat_out_fini(&out);
	t.pdu.esm_class = SMSC_ESM_UDHI;
	t.pdu.data_coding = SMSC_DC_UCS2;
	t.pdu.sm = p1;
	t.pdu.len = sizeof(p1);
	offer(c, &t, 6, SMSC_CONCAT_DONE, &out);
	assert_int_equal(out.msg.ref, 0x1234);
	assert_int_equal(out.msg.alphabet, SMSC_ALPHA_UCS2);
	assert_int_equal(out.msg.data_coding, SMSC_DC_UCS2);
	assert_int_equal(out.msg.len, 8);
	assert_string_equal(out.msg.text, "a😀س");
	smsc_concat_out_fini(&out);
	smsc_concat_free(c);
}

static void
test_sar(void **state)
{
	struct smsc_concat *c = store(16);
	struct smsc_concat_out out;
	struct tpdu t;

	(void)state;
	memset(&t, 0, sizeof(t));
	t.pdu.src = "0913";
	t.pdu.dst = "3000";
	t.pdu.has_sar = true;
	t.pdu.sar_msg_ref_num = 0xBEEF;
	t.pdu.sar_total_segments = 2;
	t.pdu.sar_segment_seqnum = 2;
	t.pdu.sm = (const uint8_t *)" there";
	t.pdu.len = 6;
	offer(c, &t, 1, SMSC_CONCAT_HELD, &out);
	smsc_concat_out_fini(&out);
	t.pdu.sar_segment_seqnum = 1;
	t.pdu.sm = (const uint8_t *)"Hi";
	t.pdu.len = 2;
	offer(c, &t, 2, SMSC_CONCAT_DONE, &out);
	assert_string_equal(out.msg.text, "Hi there");
	assert_int_equal(out.msg.ref, 0xBEEF);
	smsc_concat_out_fini(&out);

	/* Broken SAR counters: taken as a single message. */
	t.pdu.sar_segment_seqnum = 3;
	offer(c, &t, 3, SMSC_CONCAT_DONE, &out);
	assert_int_equal(out.msg.total, 1);
	assert_string_equal(out.msg.text, "Hi");
	smsc_concat_out_fini(&out);
	smsc_concat_free(c);
}

static void
test_single_messages(void **state)
{
	static const uint8_t ports[] = {0x06, 0x05, 0x04, 0x0B, 0x84, 0x23,
	    0xF0, 'o', 'k'};
	static const uint8_t voided[] = {0x05, 0x00, 0x03, 0x01, 0x02, 0x00,
	    'h', 'i'};
	static const uint8_t fa[] = {0x06, 0x33, 0x06, 0x44, 0x06, 0x27, 0x06,
	    0x45};
	struct smsc_concat *c = store(16);
	struct smsc_concat_out out;
	struct tpdu t;

	(void)state;
	memset(&t, 0, sizeof(t));
	t.pdu.src = "0913";
	t.pdu.dst = "3000";
	t.pdu.data_coding = SMSC_DC_UCS2;
	t.pdu.sm = fa;
	t.pdu.len = sizeof(fa);
	offer(c, &t, 1, SMSC_CONCAT_DONE, &out);
	assert_int_equal(out.msg.why, SMSC_CONCAT_COMPLETE);
	assert_int_equal(out.msg.total, 1);
	assert_string_equal(out.msg.text, "سلام");
	smsc_concat_out_fini(&out);
	/* A UDH without a concat element (port addressing). */
	t.pdu.esm_class = SMSC_ESM_UDHI;
	t.pdu.data_coding = 0;
	t.pdu.sm = ports;
	t.pdu.len = sizeof(ports);
	offer(c, &t, 1, SMSC_CONCAT_DONE, &out);
	assert_string_equal(out.msg.text, "ok");
	smsc_concat_out_fini(&out);
	/* A concat element with seq 0 is void (23.040). */
	t.pdu.sm = voided;
	t.pdu.len = sizeof(voided);
	offer(c, &t, 1, SMSC_CONCAT_DONE, &out);
	assert_string_equal(out.msg.text, "hi");
	smsc_concat_out_fini(&out);
	assert_int_equal(groups_of(c), 0);
	smsc_concat_free(c);
}

static void
test_eviction_at_group_limit(void **state)
{
	struct smsc_concat *c = store(2);
	struct smsc_concat_out out;
	struct tpdu t;

	(void)state;
	part8(&t, "0911", 1, 2, 1, "A1");
	offer(c, &t, 1, SMSC_CONCAT_HELD, &out);
	smsc_concat_out_fini(&out);
	part8(&t, "0912", 2, 2, 1, "B1");
	offer(c, &t, 2, SMSC_CONCAT_HELD, &out);
	smsc_concat_out_fini(&out);
	/* Same sender and reference, other total: a third group. */
	part8(&t, "0912", 2, 3, 1, "C1");
	offer(c, &t, 3, SMSC_CONCAT_HELD, &out);
	assert_true(out.evicted);
	assert_int_equal(out.old.why, SMSC_CONCAT_EVICTED);
	assert_string_equal(out.old.src, "0911");
	assert_int_equal(out.old.ref, 1);
	assert_int_equal(out.old.nparts, 1);
	assert_string_equal(out.old.text, "A1");
	smsc_concat_out_fini(&out);
	assert_int_equal(groups_of(c), 2);
	/* B completes without evicting anything. */
	part8(&t, "0912", 2, 2, 2, "B2");
	offer(c, &t, 4, SMSC_CONCAT_DONE, &out);
	assert_false(out.evicted);
	assert_string_equal(out.msg.text, "B1B2");
	smsc_concat_out_fini(&out);
	/* A's late part opens a new group; room is there now. */
	part8(&t, "0911", 1, 2, 2, "A2");
	offer(c, &t, 5, SMSC_CONCAT_HELD, &out);
	assert_false(out.evicted);
	smsc_concat_out_fini(&out);
	/* The next new group evicts the oldest: C (t=3), not A (t=5). */
	part8(&t, "0913", 3, 2, 1, "D1");
	offer(c, &t, 6, SMSC_CONCAT_HELD, &out);
	assert_true(out.evicted);
	assert_int_equal(out.old.total, 3);
	assert_string_equal(out.old.text, "C1");
	smsc_concat_out_fini(&out);
	/* Expiry hands back the rest, oldest first. */
	{
		struct smsc_concat_msg m;

		assert_true(smsc_concat_expire(c, 1000, &m));
		assert_string_equal(m.text, "A2");
		smsc_concat_msg_fini(&m);
		assert_true(smsc_concat_expire(c, 1000, &m));
		assert_string_equal(m.text, "D1");
		smsc_concat_msg_fini(&m);
		assert_false(smsc_concat_expire(c, 1000, &m));
	}
	smsc_concat_free(c);
}

static void
test_malformed_udh(void **state)
{
	static const struct {
		uint8_t sm[12]; /* short_message */
		size_t len;     /* its length */
	} bad[] = {
		{{0x05, 0x00, 0x03, 0x01, 0x02}, 5},         /* UDHL past end */
		{{0x05, 0x00, 0x04, 0x01, 0x02, 0x01}, 6},   /* IE past UDH */
		{{0x04, 0x00, 0x02, 0x01, 0x02, 'x'}, 6},    /* IEL 2 for 00 */
		{{0x06, 0x08, 0x03, 0x01, 0x02, 0x01, 0x00}, 7}, /* IEL 3/08 */
		{{0x01, 0x00, 'x'}, 3},                      /* half an IE */
		{{0xFF, 0x00, 0x03}, 3},                     /* huge UDHL */
		{{0}, 0},                                    /* empty */
	};
	static const uint8_t mixed[] = {0x0B, 0x05, 0x04, 0x0B, 0x84, 0x23,
	    0xF0, 0x00, 0x03, 0x09, 0x04, 0x02, 'h', 'i'};
	struct smsc_concat *c = store(16);
	struct smsc_udh_concat ci;
	struct smsc_concat_out out;
	struct tpdu t;
	char err[SD_ERRLEN];
	uint8_t junk[64];
	size_t i, ul;
	int k;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		assert_int_equal(smsc_udh_parse(bad[i].len ? bad[i].sm : NULL,
		    bad[i].len, &ul, &ci, err), SD_EINVAL);
		assert_false(ci.found);
		memset(&t, 0, sizeof(t));
		t.pdu.esm_class = SMSC_ESM_UDHI;
		t.pdu.sm = bad[i].sm;
		t.pdu.len = bad[i].len;
		assert_int_equal(smsc_concat_add(c, &t.pdu, 1, &out, err),
		    SD_EINVAL);
		assert_null(out.msg.text);
	}
	/* The concat element found among others. */
	assert_int_equal(smsc_udh_parse(mixed, sizeof(mixed), &ul, &ci, err),
	    SD_OK);
	assert_int_equal(ul, 12);
	assert_true(ci.found);
	assert_false(ci.ref16);
	assert_int_equal(ci.ref, 9);
	assert_int_equal(ci.total, 4);
	assert_int_equal(ci.seq, 2);
	/* Random bytes: never past the end, never a crash. */
	srand(7);
	for (k = 0; k < 20000; k++) {
		size_t len = (size_t)(rand() % (int)sizeof(junk));

		for (i = 0; i < len; i++)
			junk[i] = (uint8_t)(rand() % 4 == 0 ? rand() % 8 :
			    rand());
		if (smsc_udh_parse(junk, len, &ul, &ci, err) == SD_OK)
			assert_true(ul >= 1 && ul <= len);
	}
	/* Other bad PDUs. */
	part8(&t, "0913", 1, 2, 1, "x");
	t.pdu.data_coding = 0x06;
	assert_int_equal(smsc_concat_add(c, &t.pdu, 1, &out, err), SD_EINVAL);
	part8(&t, "0913", 1, 2, 1, "x");
	offer(c, &t, 1, SMSC_CONCAT_HELD, &out);
	smsc_concat_out_fini(&out);
	part8(&t, "0913", 1, 2, 2, "y");
	t.pdu.data_coding = SMSC_DC_UCS2;
	assert_int_equal(smsc_concat_add(c, &t.pdu, 1, &out, err), SD_EINVAL);
	assert_non_null(strstr(err, "data_coding"));
	part8(&t, "012345678901234567890123456789012345678901234567890123456789"
		  "01234", 1, 2, 2, "y");
	assert_int_equal(smsc_concat_add(c, &t.pdu, 1, &out, err), SD_EINVAL);
	assert_int_equal(groups_of(c), 1);
	smsc_concat_free(c);
}

static void
test_config_checked(void **state)
{
	struct smsc_concat_config cfg;
	struct smsc_concat *c;
	char err[SD_ERRLEN];

	(void)state;
	smsc_concat_config_default(&cfg);
	cfg.max_parts = 10;
	assert_int_equal(smsc_concat_new(&cfg, &c, err), SD_EINVAL);
	assert_null(c);
	smsc_concat_config_default(&cfg);
	cfg.max_groups = 0;
	assert_int_equal(smsc_concat_new(&cfg, &c, err), SD_EINVAL);
	smsc_concat_config_default(&cfg);
	cfg.timeout_s = 0;
	assert_int_equal(smsc_concat_new(&cfg, &c, err), SD_EINVAL);
	smsc_concat_free(NULL);
}

/* Split text with o, offer the parts in reverse order to a store that
 * reads GSM 7-bit as packed or not, and compare the result. */
static void
roundtrip(const char *text, const struct smsc_seg_opts *o, size_t nparts)
{
	struct smsc_concat_config cfg;
	struct smsc_concat *c;
	struct smsc_concat_out out;
	struct smsc_seg seg;
	char err[SD_ERRLEN];
	size_t i;

	smsc_concat_config_default(&cfg);
	cfg.gsm7_packed = o->gsm7_packed;
	assert_int_equal(smsc_concat_new(&cfg, &c, err), SD_OK);
	if (smsc_seg_split(text, strlen(text), o, 0x77, &seg, err) != SD_OK)
		fail_msg("split: %s", err);
	assert_int_equal(seg.nparts, nparts);
	for (i = seg.nparts; i-- > 0;) {
		struct smsc_part *p = &seg.parts[i];
		struct smsc_mo_pdu pdu;

		memset(&pdu, 0, sizeof(pdu));
		pdu.src = "+989131111111";
		pdu.dst = "3000";
		pdu.esm_class = p->esm_class;
		pdu.data_coding = p->data_coding;
		pdu.sm = p->sm;
		pdu.len = p->len;
		pdu.has_sar = p->sar;
		pdu.sar_msg_ref_num = p->sar_msg_ref_num;
		pdu.sar_total_segments = p->sar_total_segments;
		pdu.sar_segment_seqnum = p->sar_segment_seqnum;
		assert_int_equal(smsc_concat_add(c, &pdu, 1, &out, err),
		    SD_OK);
		assert_int_equal(out.result, i == 0 ? SMSC_CONCAT_DONE :
		    SMSC_CONCAT_HELD);
		if (i == 0)
			assert_string_equal(out.msg.text, text);
		smsc_concat_out_fini(&out);
	}
	smsc_seg_fini(&seg);
	smsc_concat_free(c);
}

static void
test_split_then_reassemble(void **state)
{
	static const char fa[] = "سلام، درخواست ۱۰۰۲۵ پاسخ داده شد 😀 ";
	struct smsc_seg_opts o;
	char latin[400], persian[1200];
	size_t i;

	(void)state;
	/* 10 times 40 septets (9 escapes), 8 times 36 code units. */
	latin[0] = '\0';
	persian[0] = '\0';
	for (i = 0; i < 10; i++)
		strcat(latin, "Status {10025} [ok] 5€ ^~|\\ @$_");
	for (i = 0; i < 8; i++)
		strcat(persian, fa);
	smsc_seg_opts_default(&o);
	roundtrip(latin, &o, 3);
	roundtrip(persian, &o, 5);
	o.gsm7_packed = true;
	roundtrip(latin, &o, 3);
	o.gsm7_packed = false;
	o.mode = SMSC_SEG_SAR;
	roundtrip(latin, &o, 3);
	roundtrip(persian, &o, 5);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_in_order),
		cmocka_unit_test(test_out_of_order_and_duplicate),
		cmocka_unit_test(test_lost_part_times_out),
		cmocka_unit_test(test_ref16_ucs2_split_surrogate),
		cmocka_unit_test(test_sar),
		cmocka_unit_test(test_single_messages),
		cmocka_unit_test(test_eviction_at_group_limit),
		cmocka_unit_test(test_malformed_udh),
		cmocka_unit_test(test_config_checked),
		cmocka_unit_test(test_split_then_reassemble),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
