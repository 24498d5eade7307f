/*
 * tests/unit/smsc/test_codec.c: GSM 7-bit, UCS-2, Latin-1 and 8-bit
 * codecs, the choice of encoding and the segmentation of long texts.
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

/* The Persian reply of the design's examples. */
static const char persian[] = "سلام، درخواست ۱۰۰۲۵ پاسخ داده شد";

/* n copies of the UTF-8 character c, as a new string. */
static char *
repeat(const char *c, size_t n)
{
	size_t cl = strlen(c), i;
	char *s = malloc(cl * n + 1);

	assert_non_null(s);
	for (i = 0; i < n; i++)
		memcpy(s + i * cl, c, cl);
	s[cl * n] = '\0';
	return s;
}

/* Concatenation of a and b, as a new string. */
static char *
join(const char *a, const char *b)
{
	size_t al = strlen(a), bl = strlen(b);
	char *s = malloc(al + bl + 1);

	assert_non_null(s);
	memcpy(s, a, al);
	memcpy(s + al, b, bl + 1);
	return s;
}

/* Encode s to septets, decode them back and compare. */
static void
gsm7_roundtrip(const char *s, size_t want_septets)
{
	uint8_t sept[512];
	char back[SMSC_UTF8_MAX(512)], err[SD_ERRLEN];
	size_t n, m, blen;

	assert_int_equal(smsc_gsm7_measure(s, strlen(s), &m, err), SD_OK);
	assert_int_equal(smsc_gsm7_encode(s, strlen(s), sept, sizeof(sept),
	    &n, err), SD_OK);
	assert_int_equal(n, m);
	assert_int_equal(n, want_septets);
	assert_int_equal(smsc_gsm7_decode(sept, n, 0, back, sizeof(back),
	    &blen, err), SD_OK);
	assert_int_equal(blen, strlen(s));
	assert_string_equal(back, s);
}

static void
test_gsm7_known_vector(void **state)
{
	static const uint8_t want[] = {0xE8, 0x32, 0x9B, 0xFD, 0x46, 0x97,
	    0xD9, 0xEC, 0x37};
	uint8_t sept[16], packed[16], un[16];
	char text[64], err[SD_ERRLEN];
	size_t n, plen, un_n, tlen;

	(void)state;
	assert_int_equal(smsc_gsm7_encode("hellohello", 10, sept,
	    sizeof(sept), &n, err), SD_OK);
	assert_int_equal(n, 10);
	assert_int_equal(smsc_gsm7_pack(sept, n, 0, packed, sizeof(packed),
	    &plen), SD_OK);
	assert_int_equal(plen, sizeof(want));
	assert_memory_equal(packed, want, sizeof(want));
	assert_int_equal(smsc_gsm7_unpack(packed, plen, 0, 0, un, sizeof(un),
	    &un_n), SD_OK);
	assert_int_equal(un_n, 10);
	assert_int_equal(smsc_gsm7_decode(un, un_n, 0, text, sizeof(text),
	    &tlen, err), SD_OK);
	assert_string_equal(text, "hellohello");
	/* Too small an output is refused, not overrun. */
	assert_int_equal(smsc_gsm7_pack(sept, n, 0, packed, 8, &plen),
	    SD_ETOOBIG);
	assert_int_equal(smsc_gsm7_encode("hellohello", 10, sept, 9, &n, err),
	    SD_ETOOBIG);
}

static void
test_gsm7_default_alphabet_roundtrip(void **state)
{
	uint8_t all[127], sept[256];
	char text[SMSC_UTF8_MAX(127)], err[SD_ERRLEN];
	size_t i, k = 0, tlen, n;

	(void)state;
	/* Every septet but the escape decodes and encodes back to itself. */
	for (i = 0; i < 128; i++)
		if (i != 0x1B)
			all[k++] = (uint8_t)i;
	assert_int_equal(smsc_gsm7_decode(all, k, 0, text, sizeof(text),
	    &tlen, err), SD_OK);
	assert_int_equal(smsc_gsm7_encode(text, tlen, sept, sizeof(sept), &n,
	    err), SD_OK);
	assert_int_equal(n, k);
	assert_memory_equal(sept, all, k);
	gsm7_roundtrip("Hello @£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ "
	    "!\"#¤%&'()*+,-./0123456789:;<=>?¡ABCXYZÄÖÑÜ§¿abcxyzäöñüà", 93);
}

static void
test_gsm7_extension_table(void **state)
{
	static const char ext[] = "^{}\\[~]|€\f";
	static const uint8_t want[] = {0x1B, 0x14, 0x1B, 0x28, 0x1B, 0x29,
	    0x1B, 0x2F, 0x1B, 0x3C, 0x1B, 0x3D, 0x1B, 0x3E, 0x1B, 0x40, 0x1B,
	    0x65, 0x1B, 0x0A};
	static const uint8_t unknown_esc[] = {0x1B, 0x41, 0x1B};
	uint8_t sept[64];
	char text[64], err[SD_ERRLEN];
	size_t n, tlen;

	(void)state;
	assert_int_equal(smsc_gsm7_encode(ext, strlen(ext), sept,
	    sizeof(sept), &n, err), SD_OK);
	assert_int_equal(n, sizeof(want));
	assert_memory_equal(sept, want, sizeof(want));
	gsm7_roundtrip(ext, 20);
	gsm7_roundtrip("a^b€c", 7);
	/* An escape before a code the table lacks shows the main-table
	 * character; a lone trailing escape shows a space. */
	assert_int_equal(smsc_gsm7_decode(unknown_esc, 3, 0, text,
	    sizeof(text), &tlen, err), SD_OK);
	assert_string_equal(text, "A ");
	/* Room for the escape pair is checked as a whole. */
	assert_int_equal(smsc_gsm7_encode("€", 3, sept, 1, &n, err),
	    SD_ETOOBIG);
}

static void
test_gsm7_does_not_fit(void **state)
{
	static const uint8_t bad[] = {0x41, 0x80, 0x42};
	char err[SD_ERRLEN], text[64];
	size_t n, tlen;

	(void)state;
	assert_int_equal(smsc_gsm7_measure(persian, strlen(persian), &n, err),
	    SD_ENOTFOUND);
	assert_non_null(strstr(err, "U+0633"));
	assert_int_equal(smsc_gsm7_measure("a`b", 3, &n, err), SD_ENOTFOUND);
	assert_int_equal(smsc_gsm7_measure("tab\there", 8, &n, err),
	    SD_ENOTFOUND);
	/* Invalid UTF-8 is a different error from "does not fit". */
	assert_int_equal(smsc_gsm7_measure("a\xC3", 2, &n, err), SD_EINVAL);
	/* Octets that are not septets. */
	assert_int_equal(smsc_gsm7_decode(bad, 3, 0, text, sizeof(text),
	    &tlen, err), SD_EINVAL);
	assert_int_equal(smsc_gsm7_decode(bad, 3, SMSC_DECODE_LENIENT, text,
	    sizeof(text), &tlen, err), SD_OK);
	assert_string_equal(text, "A\xEF\xBF\xBD" "B");
}

/* Pack bit by bit, the slow obvious way, for comparison. */
static size_t
ref_pack(const uint8_t *sept, size_t n, unsigned fill, uint8_t *out)
{
	size_t bits = fill + 7 * n, olen = (bits + 7) / 8, i;
	unsigned b;

	memset(out, 0, olen);
	for (i = 0; i < n; i++)
		for (b = 0; b < 7; b++)
			if (sept[i] & (1u << b)) {
				size_t at = fill + 7 * i + b;

				out[at / 8] |= (uint8_t)(1u << (at % 8));
			}
	return olen;
}

static void
test_gsm7_pack_fill_bits(void **state)
{
	uint8_t sept[200], packed[200], want[200], un[250];
	size_t n, plen, wlen, un_n, i;
	unsigned fill;

	(void)state;
	srand(3);
	for (fill = 0; fill <= 6; fill++)
		for (n = 1; n <= 170; n += 13) {
			for (i = 0; i < n; i++)
				sept[i] = (uint8_t)(rand() & 0x7F);
			sept[n - 1] = 0x41; /* not padding-like */
			assert_int_equal(smsc_gsm7_pack(sept, n, fill, packed,
			    sizeof(packed), &plen), SD_OK);
			wlen = ref_pack(sept, n, fill, want);
			assert_int_equal(plen, wlen);
			if (wlen * 8 - (fill + 7 * n) == 7)
				/* the CR padding is the only difference */
				want[wlen - 1] |= (uint8_t)(0x0D << 1);
			assert_memory_equal(packed, want, plen);
			assert_int_equal(smsc_gsm7_unpack(packed, plen, fill,
			    n, un, sizeof(un), &un_n), SD_OK);
			assert_int_equal(un_n, n);
			assert_memory_equal(un, sept, n);
			assert_int_equal(smsc_gsm7_unpack(packed, plen, fill,
			    0, un, sizeof(un), &un_n), SD_OK);
			assert_int_equal(un_n, n);
			assert_memory_equal(un, sept, n);
		}
	/* 7 septets leave 7 spare bits: padded with CR, which unpacking
	 * drops again. */
	memset(sept, 'a', 7);
	assert_int_equal(smsc_gsm7_pack(sept, 7, 0, packed, sizeof(packed),
	    &plen), SD_OK);
	assert_int_equal(plen, 7);
	assert_int_equal(packed[6] >> 1, 0x0D);
	assert_int_equal(smsc_gsm7_unpack(packed, plen, 0, 0, un, sizeof(un),
	    &un_n), SD_OK);
	assert_int_equal(un_n, 7);
	/* After the 6-octet concat UDH, 153 septets with 1 fill bit make
	 * exactly 134 octets: UDH + text = 140. */
	memset(sept, 'x', 153);
	assert_int_equal(smsc_gsm7_pack(sept, 153, 1, packed, sizeof(packed),
	    &plen), SD_OK);
	assert_int_equal(plen + 6, 140);
	assert_int_equal(packed[0] & 1, 0);
	/* Bad arguments. */
	assert_int_equal(smsc_gsm7_pack(sept, 1, 7, packed, sizeof(packed),
	    &plen), SD_EINVAL);
	sept[0] = 0x80;
	assert_int_equal(smsc_gsm7_pack(sept, 1, 0, packed, sizeof(packed),
	    &plen), SD_EINVAL);
	assert_int_equal(smsc_gsm7_unpack(packed, 2, 0, 3, un, sizeof(un),
	    &un_n), SD_EINVAL);
	assert_int_equal(smsc_gsm7_unpack(packed, 7, 0, 0, un, 3, &un_n),
	    SD_ETOOBIG);
}

/* Encode s to UTF-16BE, decode back and compare. */
static void
ucs2_roundtrip(const char *s, size_t want_units)
{
	uint8_t u[1024];
	char back[SMSC_UTF8_MAX(1024)], err[SD_ERRLEN];
	size_t ulen, blen;

	assert_int_equal(smsc_ucs2_encode(s, strlen(s), u, sizeof(u), &ulen,
	    err), SD_OK);
	assert_int_equal(ulen, 2 * want_units);
	assert_int_equal(smsc_ucs2_decode(u, ulen, 0, back, sizeof(back),
	    &blen, err), SD_OK);
	assert_string_equal(back, s);
}

static void
test_ucs2_persian(void **state)
{
	uint8_t u[256];
	char err[SD_ERRLEN];
	size_t ulen;

	(void)state;
	ucs2_roundtrip(persian, 32);
	assert_int_equal(smsc_ucs2_encode(persian, strlen(persian), u,
	    sizeof(u), &ulen, err), SD_OK);
	/* س ل ... and the Persian digit ۱ (U+06F1). */
	assert_int_equal(u[0], 0x06);
	assert_int_equal(u[1], 0x33);
	assert_int_equal(u[2 * 14], 0x06);
	assert_int_equal(u[2 * 14 + 1], 0xF1);
	assert_int_equal(smsc_ucs2_encode(persian, strlen(persian), u, 10,
	    &ulen, err), SD_ETOOBIG);
}

static void
test_ucs2_emoji_surrogates(void **state)
{
	static const uint8_t want[] = {0xD8, 0x3D, 0xDE, 0x00};
	static const uint8_t mixed[] = {0x00, 0x61, 0xD8, 0x3D, 0xDE, 0x00,
	    0x06, 0x33};
	uint8_t u[16];
	char text[64], err[SD_ERRLEN];
	size_t ulen, tlen;

	(void)state;
	assert_int_equal(smsc_ucs2_encode("😀", 4, u, sizeof(u), &ulen, err),
	    SD_OK);
	assert_int_equal(ulen, 4);
	assert_memory_equal(u, want, 4);
	ucs2_roundtrip("😀", 2);
	ucs2_roundtrip("a😀bس", 5);
	assert_int_equal(smsc_ucs2_decode(mixed, sizeof(mixed), 0, text,
	    sizeof(text), &tlen, err), SD_OK);
	assert_string_equal(text, "a😀س");
	/* The last character of the BMP and the last of Unicode. */
	ucs2_roundtrip("\xEF\xBF\xBD\xF4\x8F\xBF\xBF", 3);
}

static void
test_utf8_and_utf16_rejected(void **state)
{
	static const struct {
		const char *s;   /* bad UTF-8 */
		const char *why; /* part of the reason */
	} bad8[] = {
		{"\xC0\x80", "byte 0xC0"},
		{"\xE0\x80\xAF", "overlong"},
		{"\xED\xA0\x80", "surrogate U+D800"},
		{"\xF4\x90\x80\x80", "beyond U+10FFFF"},
		{"ab\xE2\x82", "truncated"},
		{"\x80", "byte 0x80"},
		{"a\xC3(", "not a continuation"},
	};
	static const uint8_t hi_alone[] = {0xD8, 0x3D, 0x00, 0x41};
	static const uint8_t lo_alone[] = {0x00, 0x41, 0xDE, 0x00};
	static const uint8_t hi_end[] = {0x00, 0x41, 0xD8, 0x3D};
	static const uint8_t odd[] = {0x00, 0x41, 0x00};
	static const uint8_t nul[] = {0x00, 0x41, 0x00, 0x00};
	uint8_t u[64];
	char text[64], err[SD_ERRLEN];
	size_t i, ulen, tlen;

	(void)state;
	for (i = 0; i < sizeof(bad8) / sizeof(bad8[0]); i++) {
		err[0] = '\0';
		assert_int_equal(smsc_ucs2_encode(bad8[i].s, strlen(bad8[i].s),
		    u, sizeof(u), &ulen, err), SD_EINVAL);
		if (strstr(err, bad8[i].why) == NULL)
			fail_msg("case %zu: reason '%s' lacks '%s'", i, err,
			    bad8[i].why);
	}
	assert_int_equal(smsc_ucs2_encode("a\0b", 3, u, sizeof(u), &ulen, err),
	    SD_EINVAL);
	assert_int_equal(smsc_ucs2_decode(hi_alone, 4, 0, text, sizeof(text),
	    &tlen, err), SD_EINVAL);
	assert_non_null(strstr(err, "unpaired high surrogate D83D"));
	assert_int_equal(smsc_ucs2_decode(lo_alone, 4, 0, text, sizeof(text),
	    &tlen, err), SD_EINVAL);
	assert_non_null(strstr(err, "unpaired low surrogate DE00"));
	assert_int_equal(smsc_ucs2_decode(hi_end, 4, 0, text, sizeof(text),
	    &tlen, err), SD_EINVAL);
	assert_int_equal(smsc_ucs2_decode(odd, 3, 0, text, sizeof(text),
	    &tlen, err), SD_EINVAL);
	assert_non_null(strstr(err, "odd"));
	assert_int_equal(smsc_ucs2_decode(nul, 4, 0, text, sizeof(text),
	    &tlen, err), SD_EINVAL);
	/* Lenient: U+FFFD for what is broken, U+0000 dropped. */
	assert_int_equal(smsc_ucs2_decode(hi_alone, 4, SMSC_DECODE_LENIENT,
	    text, sizeof(text), &tlen, err), SD_OK);
	assert_string_equal(text, "\xEF\xBF\xBD" "A");
	assert_int_equal(smsc_ucs2_decode(odd, 3, SMSC_DECODE_LENIENT, text,
	    sizeof(text), &tlen, err), SD_OK);
	assert_string_equal(text, "A\xEF\xBF\xBD");
	assert_int_equal(smsc_ucs2_decode(nul, 4, SMSC_DECODE_LENIENT, text,
	    sizeof(text), &tlen, err), SD_OK);
	assert_string_equal(text, "A");
	/* Output capacity is respected. */
	assert_int_equal(smsc_ucs2_decode(lo_alone, 2, 0, text, 1, &tlen, err),
	    SD_ETOOBIG);
}

static void
test_latin1_and_binary(void **state)
{
	static const uint8_t cafe[] = {'c', 'a', 'f', 0xE9};
	static const uint8_t utf8[] = {'c', 'a', 'f', 0xC3, 0xA9};
	char *t = NULL, err[SD_ERRLEN], text[32];
	size_t tlen;

	(void)state;
	assert_int_equal(smsc_latin1_decode(cafe, 4, 0, text, sizeof(text),
	    &tlen, err), SD_OK);
	assert_string_equal(text, "café");
	assert_int_equal(tlen, 5);
	/* 8-bit data: valid UTF-8 passes as it is, anything else is
	 * Latin-1. */
	assert_int_equal(smsc_binary_decode(utf8, 5, 0, text, sizeof(text),
	    &tlen, err), SD_OK);
	assert_string_equal(text, "café");
	assert_int_equal(smsc_binary_decode(cafe, 4, 0, text, sizeof(text),
	    &tlen, err), SD_OK);
	assert_string_equal(text, "café");
	assert_int_equal(smsc_latin1_decode(cafe, 4, 0, text, 5, &tlen, err),
	    SD_ETOOBIG);
	assert_int_equal(smsc_text_decode(SMSC_ALPHA_LATIN1, cafe, 4, 0, &t,
	    &tlen, err), SD_OK);
	assert_string_equal(t, "café");
	free(t);
	assert_int_equal(smsc_text_decode(SMSC_ALPHA_UCS2, cafe, 3, 0, &t,
	    &tlen, err), SD_EINVAL);
	assert_null(t);
}

static void
test_data_coding_map(void **state)
{
	static const struct {
		uint8_t dc;               /* data_coding received */
		uint8_t gsm7_dc;          /* configured */
		enum sd_rc rc;            /* expected result */
		enum smsc_alphabet alpha; /* and alphabet */
	} t[] = {
		{0x00, 0, SD_OK, SMSC_ALPHA_GSM7},
		{0x01, 0, SD_OK, SMSC_ALPHA_LATIN1},
		{0x00, 1, SD_OK, SMSC_ALPHA_LATIN1},
		{0x01, 1, SD_OK, SMSC_ALPHA_GSM7},
		{0x02, 0, SD_OK, SMSC_ALPHA_BINARY},
		{0x03, 0, SD_OK, SMSC_ALPHA_LATIN1},
		{0x04, 0, SD_OK, SMSC_ALPHA_BINARY},
		{0x08, 0, SD_OK, SMSC_ALPHA_UCS2},
		{0x06, 0, SD_EINVAL, SMSC_ALPHA_GSM7},
		{0x11, 0, SD_OK, SMSC_ALPHA_GSM7},
		{0x18, 0, SD_OK, SMSC_ALPHA_UCS2},
		{0x15, 0, SD_OK, SMSC_ALPHA_BINARY},
		{0x28, 0, SD_EINVAL, SMSC_ALPHA_GSM7}, /* compressed */
		{0x9C, 0, SD_EINVAL, SMSC_ALPHA_GSM7}, /* reserved */
		{0xC8, 0, SD_OK, SMSC_ALPHA_GSM7},
		{0xE0, 0, SD_OK, SMSC_ALPHA_UCS2},
		{0xF0, 0, SD_OK, SMSC_ALPHA_GSM7},
		{0xF4, 0, SD_OK, SMSC_ALPHA_BINARY},
	};
	enum smsc_alphabet a;
	char err[SD_ERRLEN];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		enum sd_rc rc = smsc_dc_alphabet(t[i].dc, t[i].gsm7_dc, &a,
		    err);

		if (rc != t[i].rc || (rc == SD_OK && a != t[i].alpha))
			fail_msg("data_coding 0x%02X: rc %d alpha %d", t[i].dc,
			    (int)rc, (int)a);
	}
}

static void
test_choose_encoding(void **state)
{
	enum smsc_alphabet a;
	char err[SD_ERRLEN];
	uint8_t dc;
	size_t units;

	(void)state;
	assert_int_equal(smsc_text_choose("STATUS 10025 {x}", 16, 0, &a, &dc,
	    &units, err), SD_OK);
	assert_int_equal(a, SMSC_ALPHA_GSM7);
	assert_int_equal(dc, 0);
	assert_int_equal(units, 18);
	assert_int_equal(smsc_text_choose("hi", 2, 1, &a, &dc, &units, err),
	    SD_OK);
	assert_int_equal(dc, 1);
	assert_int_equal(smsc_text_choose(persian, strlen(persian), 0, &a, &dc,
	    &units, err), SD_OK);
	assert_int_equal(a, SMSC_ALPHA_UCS2);
	assert_int_equal(dc, SMSC_DC_UCS2);
	assert_int_equal(units, 32);
	assert_int_equal(smsc_text_choose("ok 😀", 7, 0, &a, &dc, &units, err),
	    SD_OK);
	assert_int_equal(a, SMSC_ALPHA_UCS2);
	assert_int_equal(units, 5);
	assert_int_equal(smsc_text_choose("\xFF", 1, 0, &a, &dc, &units, err),
	    SD_EINVAL);
	assert_int_equal(smsc_text_choose("hi", 2, 2, &a, &dc, &units, err),
	    SD_EINVAL);
}

/* Parts smsc_seg_count() gives for n copies of c. */
static size_t
count_of(const char *c, size_t n)
{
	struct smsc_seg_opts o;
	char *s = repeat(c, n), err[SD_ERRLEN];
	size_t parts;

	smsc_seg_opts_default(&o);
	if (smsc_seg_count(s, strlen(s), &o, &parts, NULL, err) != SD_OK)
		fail_msg("count: %s", err);
	free(s);
	return parts;
}

static void
test_segment_counts_at_boundaries(void **state)
{
	(void)state;
	assert_int_equal(count_of("a", 0), 1);
	assert_int_equal(count_of("a", 160), 1);
	assert_int_equal(count_of("a", 161), 2);
	assert_int_equal(count_of("a", 306), 2);
	assert_int_equal(count_of("a", 307), 3);
	assert_int_equal(count_of("س", 70), 1);
	assert_int_equal(count_of("س", 71), 2);
	assert_int_equal(count_of("س", 134), 2);
	assert_int_equal(count_of("س", 135), 3);
	/* Escapes count 2: 80 euro signs are 160 septets, 81 are 162. */
	assert_int_equal(count_of("€", 80), 1);
	assert_int_equal(count_of("€", 81), 2);
	/* Emoji count 2 code units. */
	assert_int_equal(count_of("😀", 35), 1);
	assert_int_equal(count_of("😀", 36), 2);
	/* The count ignores max_parts (for shortening replies). */
	assert_int_equal(count_of("a", 153 * 7), 7);
	assert_int_equal(count_of("a", 153 * 300), 300);
}

/* Split s with o and check success. */
static void
split_ok(const char *s, const struct smsc_seg_opts *o, uint16_t ref,
    struct smsc_seg *seg)
{
	char err[SD_ERRLEN];

	if (smsc_seg_split(s, strlen(s), o, ref, seg, err) != SD_OK)
		fail_msg("split: %s", err);
}

static void
test_segment_udh_parts(void **state)
{
	static const uint8_t udh1[] = {0x05, 0x00, 0x03, 0x2A, 0x02, 0x01};
	static const uint8_t udh2[] = {0x05, 0x00, 0x03, 0x2A, 0x02, 0x02};
	struct smsc_seg_opts o;
	struct smsc_seg seg;
	char *s = repeat("a", 161);

	(void)state;
	smsc_seg_opts_default(&o);
	split_ok(s, &o, 0x012A, &seg);
	assert_int_equal(seg.nparts, 2);
	assert_int_equal(seg.alphabet, SMSC_ALPHA_GSM7);
	assert_int_equal(seg.data_coding, 0);
	assert_false(seg.payload);
	assert_int_equal(seg.units, 161);
	assert_int_equal(seg.parts[0].esm_class, SMSC_ESM_UDHI);
	assert_int_equal(seg.parts[0].len, 6 + 153);
	assert_int_equal(seg.parts[0].units, 153);
	assert_memory_equal(seg.parts[0].sm, udh1, 6);
	assert_int_equal(seg.parts[0].sm[6], 'a');
	assert_false(seg.parts[0].sar);
	assert_int_equal(seg.parts[1].len, 6 + 8);
	assert_memory_equal(seg.parts[1].sm, udh2, 6);
	smsc_seg_fini(&seg);
	free(s);

	/* Exactly one message: no UDH at all. */
	s = repeat("a", 160);
	split_ok(s, &o, 7, &seg);
	assert_int_equal(seg.nparts, 1);
	assert_int_equal(seg.parts[0].esm_class, 0);
	assert_int_equal(seg.parts[0].len, 160);
	assert_memory_equal(seg.parts[0].sm, s, 160);
	smsc_seg_fini(&seg);
	free(s);

	/* UCS-2 parts: 67 code units behind the UDH, data_coding 8. */
	s = repeat("س", 71);
	split_ok(s, &o, 9, &seg);
	assert_int_equal(seg.nparts, 2);
	assert_int_equal(seg.data_coding, SMSC_DC_UCS2);
	assert_int_equal(seg.parts[0].data_coding, SMSC_DC_UCS2);
	assert_int_equal(seg.parts[0].len, 6 + 134);
	assert_int_equal(seg.parts[1].len, 6 + 8);
	assert_int_equal(seg.parts[1].sm[6], 0x06);
	assert_int_equal(seg.parts[1].sm[7], 0x33);
	smsc_seg_fini(&seg);
	free(s);

	/* Empty text: one empty part. */
	split_ok("", &o, 1, &seg);
	assert_int_equal(seg.nparts, 1);
	assert_int_equal(seg.parts[0].len, 0);
	smsc_seg_fini(&seg);
}

static void
test_segment_escape_not_split(void **state)
{
	struct smsc_seg_opts o;
	struct smsc_seg seg;
	char *a = repeat("a", 152), *s = join(a, "€bbbbbbbbbb");

	(void)state;
	smsc_seg_opts_default(&o);
	split_ok(s, &o, 1, &seg);
	assert_int_equal(seg.units, 164);
	assert_int_equal(seg.nparts, 2);
	/* 152 + 2 would be 154 > 153: the escape pair moves on whole. */
	assert_int_equal(seg.parts[0].units, 152);
	assert_int_equal(seg.parts[0].sm[6 + 151], 'a');
	assert_int_equal(seg.parts[1].units, 12);
	assert_int_equal(seg.parts[1].sm[6], 0x1B);
	assert_int_equal(seg.parts[1].sm[7], 0x65);
	smsc_seg_fini(&seg);
	free(s);
	free(a);

	/* With 151 'a' the pair fits exactly at 152..153. */
	a = repeat("a", 151);
	s = join(a, "€bbbbbbbbbb");
	split_ok(s, &o, 1, &seg);
	assert_int_equal(seg.parts[0].units, 153);
	assert_int_equal(seg.parts[0].sm[6 + 151], 0x1B);
	assert_int_equal(seg.parts[0].sm[6 + 152], 0x65);
	smsc_seg_fini(&seg);
	free(s);
	free(a);
}

static void
test_segment_surrogate_not_split(void **state)
{
	struct smsc_seg_opts o;
	struct smsc_seg seg;
	char *a = repeat("س", 66), *s = join(a, "😀سسسسس");

	(void)state;
	smsc_seg_opts_default(&o);
	split_ok(s, &o, 1, &seg);
	assert_int_equal(seg.units, 73);
	assert_int_equal(seg.nparts, 2);
	assert_int_equal(seg.parts[0].units, 66);
	assert_int_equal(seg.parts[0].len, 6 + 132);
	assert_int_equal(seg.parts[1].units, 7);
	assert_int_equal(seg.parts[1].sm[6], 0xD8);
	assert_int_equal(seg.parts[1].sm[7], 0x3D);
	assert_int_equal(seg.parts[1].sm[8], 0xDE);
	assert_int_equal(seg.parts[1].sm[9], 0x00);
	smsc_seg_fini(&seg);
	free(s);
	free(a);
}

static void
test_segment_max_parts(void **state)
{
	struct smsc_seg_opts o;
	struct smsc_seg seg;
	char *s = repeat("a", 153 * 6 + 1), err[SD_ERRLEN];

	(void)state;
	smsc_seg_opts_default(&o);
	assert_int_equal(o.max_parts, 6);
	assert_int_equal(smsc_seg_split(s, strlen(s), &o, 1, &seg, err),
	    SD_ETOOBIG);
	assert_non_null(strstr(err, "7 parts"));
	assert_null(seg.parts);
	assert_int_equal(seg.nparts, 0);
	o.max_parts = 7;
	split_ok(s, &o, 1, &seg);
	assert_int_equal(seg.nparts, 7);
	assert_int_equal(seg.parts[6].units, 1);
	smsc_seg_fini(&seg);
	o.max_parts = 0;
	assert_int_equal(smsc_seg_split(s, strlen(s), &o, 1, &seg, err),
	    SD_EINVAL);
	o.max_parts = 6;
	assert_int_equal(smsc_seg_split("a\xFF", 2, &o, 1, &seg, err),
	    SD_EINVAL);
	free(s);
}

static void
test_segment_sar_and_payload(void **state)
{
	struct smsc_seg_opts o;
	struct smsc_seg seg;
	char *s = repeat("a", 200), *p = repeat("س", 500);
	size_t i;

	(void)state;
	smsc_seg_opts_default(&o);
	o.mode = SMSC_SEG_SAR;
	split_ok(s, &o, 0xBEEF, &seg);
	assert_int_equal(seg.nparts, 2);
	for (i = 0; i < 2; i++) {
		assert_int_equal(seg.parts[i].esm_class, 0);
		assert_true(seg.parts[i].sar);
		assert_int_equal(seg.parts[i].sar_msg_ref_num, 0xBEEF);
		assert_int_equal(seg.parts[i].sar_total_segments, 2);
		assert_int_equal(seg.parts[i].sar_segment_seqnum, i + 1);
		assert_int_equal(seg.parts[i].sm[0], 'a');
	}
	assert_int_equal(seg.parts[0].len, 153);
	assert_int_equal(seg.parts[1].len, 47);
	smsc_seg_fini(&seg);
	o.sar_full = true;
	split_ok(s, &o, 0xBEEF, &seg);
	assert_int_equal(seg.parts[0].len, 160);
	assert_int_equal(seg.parts[1].len, 40);
	smsc_seg_fini(&seg);

	/* Payload: the whole text in one part, whatever its length. */
	o.mode = SMSC_SEG_PAYLOAD;
	o.max_parts = 1;
	split_ok(p, &o, 1, &seg);
	assert_int_equal(seg.nparts, 1);
	assert_true(seg.payload);
	assert_int_equal(seg.parts[0].len, 1000);
	assert_int_equal(seg.parts[0].esm_class, 0);
	assert_false(seg.parts[0].sar);
	smsc_seg_fini(&seg);
	free(s);
	free(p);
}

static void
test_segment_packed_roundtrip(void **state)
{
	struct smsc_seg_opts o;
	struct smsc_seg seg;
	uint8_t sept[200];
	char *r = repeat("a^", 100), *s = join("b", r);
	char back[SMSC_UTF8_MAX(200)], err[SD_ERRLEN];
	size_t n, blen, i, off = 0;

	(void)state;
	free(r);
	smsc_seg_opts_default(&o);
	o.gsm7_packed = true;
	split_ok(s, &o, 5, &seg);
	assert_int_equal(seg.units, 301);
	assert_int_equal(seg.nparts, 2);
	/* 153 septets would split "^": the first part takes 152. */
	assert_int_equal(seg.parts[0].units, 152);
	assert_int_equal(seg.parts[0].len, 6 + (1 + 7 * 152 + 7) / 8);
	for (i = 0; i < seg.nparts; i++) {
		struct smsc_part *p = &seg.parts[i];

		assert_true(p->len <= 140);
		assert_int_equal(smsc_gsm7_unpack(p->sm + 6, p->len - 6, 1,
		    p->units, sept, sizeof(sept), &n), SD_OK);
		assert_int_equal(smsc_gsm7_decode(sept, n, 0, back,
		    sizeof(back), &blen, err), SD_OK);
		assert_memory_equal(back, s + off, blen);
		off += blen;
	}
	assert_int_equal(off, strlen(s));
	smsc_seg_fini(&seg);
	free(s);

	/* A single packed message of 160 septets is 140 octets. */
	s = repeat("z", 160);
	split_ok(s, &o, 5, &seg);
	assert_int_equal(seg.parts[0].len, 140);
	smsc_seg_fini(&seg);
	free(s);
}

/* A USSD screen (issue #12) is one USSD string of 160 octets: 80 UCS-2
 * code units or 182 GSM 7-bit characters, in one short_message with no
 * UDH; one more is refused, never split. Before, max_parts 1 held a
 * screen to one SMS (70 code units): every Persian menu over 70 failed. */
static void
test_segment_ussd(void **state)
{
	struct smsc_seg_opts o;
	struct smsc_seg seg;
	char err[SD_ERRLEN], fa[80 * 2 + 3], la[184];
	size_t i;

	(void)state;
	smsc_seg_opts_default(&o);
	o.max_parts = 1;
	o.ussd = true;
	for (i = 0; i < 80; i++)
		memcpy(fa + 2 * i, "\xd8\xb3", 2); /* U+0633 */
	fa[160] = '\0';
	assert_int_equal(smsc_seg_split(fa, strlen(fa), &o, 1, &seg, err),
	    SD_OK);
	assert_int_equal(seg.nparts, 1);
	assert_int_equal(seg.parts[0].len, 160);
	assert_int_equal(seg.parts[0].esm_class, 0);
	assert_false(seg.payload);
	smsc_seg_fini(&seg);
	memcpy(fa + 160, "\xd8\xb3", 3);
	assert_int_equal(smsc_seg_split(fa, strlen(fa), &o, 1, &seg, err),
	    SD_ETOOBIG);
	assert_non_null(strstr(err, "one USSD string holds 80"));
	memset(la, 'a', 182);
	la[182] = '\0';
	assert_int_equal(smsc_seg_split(la, strlen(la), &o, 1, &seg, err),
	    SD_OK);
	assert_int_equal(seg.nparts, 1);
	assert_int_equal(seg.parts[0].len, 182);
	smsc_seg_fini(&seg);
	la[182] = 'a';
	la[183] = '\0';
	assert_int_equal(smsc_seg_split(la, strlen(la), &o, 1, &seg, err),
	    SD_ETOOBIG);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_gsm7_known_vector),
		cmocka_unit_test(test_gsm7_default_alphabet_roundtrip),
		cmocka_unit_test(test_gsm7_extension_table),
		cmocka_unit_test(test_gsm7_does_not_fit),
		cmocka_unit_test(test_gsm7_pack_fill_bits),
		cmocka_unit_test(test_ucs2_persian),
		cmocka_unit_test(test_ucs2_emoji_surrogates),
		cmocka_unit_test(test_utf8_and_utf16_rejected),
		cmocka_unit_test(test_latin1_and_binary),
		cmocka_unit_test(test_data_coding_map),
		cmocka_unit_test(test_choose_encoding),
		cmocka_unit_test(test_segment_counts_at_boundaries),
		cmocka_unit_test(test_segment_udh_parts),
		cmocka_unit_test(test_segment_escape_not_split),
		cmocka_unit_test(test_segment_surrogate_not_split),
		cmocka_unit_test(test_segment_max_parts),
		cmocka_unit_test(test_segment_sar_and_payload),
		cmocka_unit_test(test_segment_packed_roundtrip),
		cmocka_unit_test(test_segment_ussd),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
