/*
 * tests/unit/core/test_text.c: text normalization, UTF-8 validation and
 * Iranian mobile numbers.
 *
 * Every mobile form is tried in ASCII, Persian (۰-۹) and Arabic-Indic
 * (٠-٩) digits: with_digits() rewrites the ASCII digits of a case, so the
 * table stays readable.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <unicode/uchar.h>
#include <unicode/utf8.h>

#include "core/core.h"

#define MOBILE "+989131111111"

/* UTF-8 of U+200C ZERO WIDTH NON-JOINER and U+00A0 NO-BREAK SPACE. */
#define ZW "\xe2\x80\x8c"
#define NBSP "\xc2\xa0"

/*
 * Copy s into buf (size n) with every ASCII digit d replaced by the code
 * point zero + d (0x06F0 Persian, 0x0660 Arabic-Indic; both two bytes of
 * UTF-8, 0xD9/0xDB then 0xA0 + d or 0xB0 + d).
 */
static const char *
with_digits(const char *s, unsigned zero, char *buf, size_t n)
{
	size_t k = 0;
	unsigned cp;

	for (; *s != '\0'; s++) {
		assert_true(k + 3 < n);
		if (*s >= '0' && *s <= '9') {
			cp = zero + (unsigned)(*s - '0');
			buf[k++] = (char)(0xC0 | (cp >> 6));
			buf[k++] = (char)(0x80 | (cp & 0x3F));
		} else {
			buf[k++] = *s;
		}
	}
	buf[k] = '\0';
	return buf;
}

static void
expect_mobile(const char *in, const char *want)
{
	char out[SD_MOBILE_LEN], err[SD_ERRLEN] = "";

	if (core_mobile_parse(in, out, err) != SD_OK)
		fail_msg("«%s» rejected: %s", in, err);
	if (strcmp(out, want) != 0)
		fail_msg("«%s» gave %s, want %s", in, out, want);
}

/* in is rejected with a reason that contains why. */
static void
expect_bad_mobile(const char *in, const char *why)
{
	char out[SD_MOBILE_LEN] = "", err[SD_ERRLEN] = "";
	const char *name = in != NULL ? in : "(null)";

	if (core_mobile_parse(in, out, err) != SD_EINVAL)
		fail_msg("«%s» accepted as %s", name, out);
	if (err[0] == '\0')
		fail_msg("«%s» rejected without a reason", name);
	if (strstr(err, why) == NULL)
		fail_msg("«%s»: reason «%s» lacks «%s»", name, err, why);
}

static const char *const good_forms[] = {
    "09131111111",
    "9131111111",
    "+989131111111",
    "00989131111111",
    "989131111111",
    "0913 111 1111",
    "0913-111-1111",
    "0913.111.1111",
    "(0913) 111-1111",
    "0913 - 111 11 11",
    "+98 913 111 1111",
    "+98 (913) 111-11-11",
    "+98-913-111-1111",
    "0098 913 111 1111",
    "98 913 1111111",
    "913.111.1111",
    "  09131111111  ",
    "\t09131111111\r\n",
    "0913" NBSP "111" NBSP "1111",
};

static void
test_mobile_forms(void **state)
{
	char buf[128];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(good_forms) / sizeof(good_forms[0]); i++) {
		expect_mobile(good_forms[i], MOBILE);
		expect_mobile(
		    with_digits(good_forms[i], 0x06F0, buf, sizeof(buf)),
		    MOBILE);
		expect_mobile(
		    with_digits(good_forms[i], 0x0660, buf, sizeof(buf)),
		    MOBILE);
	}
}

/* A few written out, as users type them. */
static void
test_mobile_persian_literal(void **state)
{
	(void)state;
	expect_mobile("۰۹۱۳۱۱۱۱۱۱۱", MOBILE);
	expect_mobile("+۹۸۹۱۳۱۱۱۱۱۱۱", MOBILE);
	expect_mobile("۰۰۹۸ ۹۱۳ ۱۱۱ ۱۱۱۱", MOBILE);
	expect_mobile("٠٩١٣١١١١١١١", MOBILE);
	expect_mobile("٩٨٩١٣١١١١١١١", MOBILE);
	/* Mixed scripts in one number still name one number. */
	expect_mobile("۰۹۱۳-١١١-1111", MOBILE);
	expect_mobile("09121234567", "+989121234567");
	expect_mobile("0990 123 4567", "+989901234567");
}

static void
test_mobile_rejects(void **state)
{
	char big[200];

	(void)state;
	expect_bad_mobile("", "empty");
	expect_bad_mobile(NULL, "empty");
	expect_bad_mobile("    ", "empty");
	expect_bad_mobile("\t\n" NBSP, "empty");
	expect_bad_mobile("--", "no digits");
	expect_bad_mobile("0913111111a", "letter or symbol 'a'");
	expect_bad_mobile("0913-abc-1111", "letter or symbol 'a'");
	expect_bad_mobile("09131111111#", "letter or symbol '#'");
	expect_bad_mobile("۰۹۱۳۱۱۱۱۱۱ب", "letter or symbol 'ب'");
	expect_bad_mobile("0913" ZW "1111111", "invisible character U+200C");
	expect_bad_mobile("091311111", "too short: 8 digits after the "
				       "leading 0, need 10");
	expect_bad_mobile("0913111111", "too short: 9 digits");
	expect_bad_mobile("091311111111", "too long: 11 digits");
	expect_bad_mobile("913111111", "too short: 9 digits, need 10");
	expect_bad_mobile("+98913111111",
	    "too short: 9 digits after the country code, need 10");
	expect_bad_mobile("98913111111", "too short: 9 digits after the "
					 "country code");
	expect_bad_mobile("+9891311111111", "too long: 11 digits after the "
					    "country code");
	expect_bad_mobile("009891311111", "too short: 8 digits after the "
					  "country code");
	expect_bad_mobile("0", "too short: 0 digits");
	expect_bad_mobile("02112345678", "not an Iranian mobile");
	expect_bad_mobile("08131111111", "not an Iranian mobile");
	expect_bad_mobile("2112345678", "not an Iranian mobile");
	expect_bad_mobile("+9802112345678", "not an Iranian mobile");
	expect_bad_mobile("+98 0913 111 1111", "not an Iranian mobile");
	expect_bad_mobile("+449131111111", "country code +44 is not Iran");
	expect_bad_mobile("+44 20 7946 0958", "country code +44 is not Iran");
	expect_bad_mobile("0044 20 7946 0958", "country code +44 is not Iran");
	expect_bad_mobile("+1 555 123 4567", "country code +1 is not Iran");
	expect_bad_mobile("+971501234567", "country code +971 is not Iran");
	expect_bad_mobile("+09131111111", "'+' must be followed by a country");
	expect_bad_mobile("+", "no digits");
	expect_bad_mobile("++989131111111", "'+' only allowed at the start");
	expect_bad_mobile("0913+1111111", "'+' only allowed at the start");
	expect_bad_mobile("09131111111+", "'+' only allowed at the start");
	expect_bad_mobile("0913\xff"
			  "1111111",
	    "not valid UTF-8");
	memset(big, '1', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	expect_bad_mobile(big, "too long");
	memset(big, ' ', sizeof(big) - 1);
	expect_bad_mobile(big, "too long");
}

/* On failure the reason fits and is terminated; err may be NULL. */
static void
test_mobile_err_optional(void **state)
{
	char out[SD_MOBILE_LEN];

	(void)state;
	assert_int_equal(core_mobile_parse("x", out, NULL), SD_EINVAL);
	assert_int_equal(core_mobile_parse(MOBILE, out, NULL), SD_OK);
	assert_string_equal(out, MOBILE);
}

static void
test_mobile_local(void **state)
{
	char out[SD_MOBILE_LEN], e164[SD_MOBILE_LEN], err[SD_ERRLEN];

	(void)state;
	core_mobile_local("+989131111111", out);
	assert_string_equal(out, "09131111111");
	core_mobile_local("+989901234567", out);
	assert_string_equal(out, "09901234567");
	/* Round trip through the parser. */
	assert_int_equal(core_mobile_parse("۰۹۱۲ ۳۴۵ ۶۷۸۹", e164, err), SD_OK);
	core_mobile_local(e164, out);
	assert_string_equal(out, "09123456789");
	/* Not Iranian E.164: left as it is, never overrun. */
	core_mobile_local("+447946095800", out);
	assert_string_equal(out, "+447946095800");
	core_mobile_local("+98123456789012345678", out);
	assert_int_equal(strlen(out), SD_MOBILE_LEN - 1);
	core_mobile_local(NULL, out);
	assert_string_equal(out, "");
}

/* in normalized with flags gives want. */
static void
expect_norm(const char *in, unsigned flags, const char *want)
{
	char err[SD_ERRLEN] = "", *out = NULL;
	bool same;

	if (core_text_normalize(in, flags, &out, err) != SD_OK)
		fail_msg("«%s» flags %#x: %s", in, flags, err);
	same = strcmp(out, want) == 0;
	if (!same)
		fprintf(stderr, "got  «%s»\nwant «%s»\n", out, want);
	free(out);
	if (!same)
		fail_msg("«%s» flags %#x", in, flags);
}

static void
test_norm_digits(void **state)
{
	(void)state;
	expect_norm("۰۱۲۳۴۵۶۷۸۹", CORE_NORM_DIGITS, "0123456789");
	expect_norm("٠١٢٣٤٥٦٧٨٩", CORE_NORM_DIGITS, "0123456789");
	expect_norm("پیگیری ۱۰۰۰۱", CORE_NORM_DIGITS, "پیگیری 10001");
	expect_norm("r١٠٠٠١ ok", CORE_NORM_DIGITS, "r10001 ok");
	/* Any Nd: fullwidth, Devanagari, mathematical bold (outside the
	 * BMP, a surrogate pair in UTF-16). */
	expect_norm("１२\xf0\x9d\x9f\x8e", CORE_NORM_DIGITS, "120");
	/* Not digits: Arabic percent sign, superscript two (No, not Nd). */
	expect_norm("٪²", CORE_NORM_DIGITS, "٪²");
	/* Off unless asked for. */
	expect_norm("۱۲۳", CORE_NORM_LETTERS | CORE_NORM_SPACES, "۱۲۳");
}

static void
test_norm_letters(void **state)
{
	(void)state;
	expect_norm("علي", CORE_NORM_LETTERS, "علی");
	expect_norm("مصطفى", CORE_NORM_LETTERS, "مصطفی");
	expect_norm("كتاب", CORE_NORM_LETTERS, "کتاب");
	expect_norm("يك كيلو", CORE_NORM_LETTERS, "یک کیلو");
	expect_norm("علي", CORE_NORM_DIGITS, "علي");
	/* Persian letters and others stay. */
	expect_norm("پژوهش گچ", CORE_NORM_LETTERS, "پژوهش گچ");
}

static void
test_norm_spaces(void **state)
{
	(void)state;
	expect_norm("  سلام  ", CORE_NORM_SPACES, "سلام");
	expect_norm("a \t\n b" NBSP NBSP "c", CORE_NORM_SPACES, "a b c");
	expect_norm("\r\n", CORE_NORM_SPACES, "");
	expect_norm("", CORE_NORM_SPACES, "");
	expect_norm("x\xe2\x80\x83y\xe3\x80\x80z", CORE_NORM_SPACES, "x y z");
	expect_norm(" a  b ", CORE_NORM_DIGITS, " a  b ");
}

static void
test_norm_zwnj(void **state)
{
	const unsigned zs = CORE_NORM_ZWNJ | CORE_NORM_SPACES;

	(void)state;
	/* One ZWNJ inside a word is part of its spelling. */
	expect_norm("نام" ZW "خانوادگی", CORE_NORM_ZWNJ, "نام" ZW "خانوادگی");
	expect_norm(
	    "نام" ZW ZW ZW "خانوادگی", CORE_NORM_ZWNJ, "نام" ZW "خانوادگی");
	expect_norm(ZW "نام" ZW, CORE_NORM_ZWNJ, "نام");
	expect_norm(ZW ZW, CORE_NORM_ZWNJ, "");
	expect_norm("می" ZW " روم", zs, "می روم");
	expect_norm("می " ZW "روم", zs, "می روم");
	expect_norm("می " ZW ZW "  " ZW " روم", zs, "می روم");
	expect_norm(" " ZW "می" ZW "روم" ZW " ", zs, "می" ZW "روم");
	/* Without CORE_NORM_SPACES the spaces stay as typed. */
	expect_norm("a" ZW " b", CORE_NORM_ZWNJ, "a b");
	expect_norm("a  " ZW ZW "b", CORE_NORM_ZWNJ, "a  b");
	expect_norm("a" ZW "\n" ZW "b", CORE_NORM_ZWNJ, "a\nb");
	/* Drop them all, for keyword matching. */
	expect_norm("نام" ZW "خانوادگی", CORE_NORM_ZWNJ_DROP, "نامخانوادگی");
	expect_norm(
	    ZW "a" ZW ZW "b" ZW, CORE_NORM_ZWNJ_DROP | CORE_NORM_ZWNJ, "ab");
	/* Not asked for: kept, even next to spaces. */
	expect_norm(" " ZW "a ", CORE_NORM_SPACES, ZW "a");
}

static void
test_norm_all(void **state)
{
	char err[SD_ERRLEN], *once, *twice;
	const char *in =
	    "  علي   رضايي" ZW " \t ۱۲۳۴" NBSP "كد" ZW ZW "ملي  😀 ";

	(void)state;
	expect_norm(in, CORE_NORM_ALL, "علی رضایی 1234 کد" ZW "ملی 😀");
	expect_norm(in, 0, in);
	/* Normalizing twice changes nothing more. */
	assert_int_equal(
	    core_text_normalize(in, CORE_NORM_ALL, &once, err), SD_OK);
	assert_int_equal(
	    core_text_normalize(once, CORE_NORM_ALL, &twice, err), SD_OK);
	assert_string_equal(once, twice);
	free(once);
	free(twice);
}

/* Malformed UTF-8, as sequences a broken client or modem might send. */
static const struct {
	const char *s;
	const char *what;
} bad_utf8[] = {
    {"\xc0\x80", "overlong NUL"},
    {"a\xc1\xbf", "overlong 2-byte"},
    {"\xe0\x80\xaf", "overlong 3-byte '/'"},
    {"\xf0\x80\x80\xaf", "overlong 4-byte '/'"},
    {"\x80", "lone continuation byte"},
    {"abc\xbf", "continuation byte after ASCII"},
    {"\xed\xa0\x80", "surrogate U+D800"},
    {"\xed\xbf\xbf", "surrogate U+DFFF"},
    {"\xf4\x90\x80\x80", "above U+10FFFF"},
    {"\xf5\x80\x80\x80", "F5 lead byte"},
    {"\xf8\x88\x80\x80\x80", "5-byte form"},
    {"\xfe", "FE"},
    {"\xff", "FF"},
    {"\xd8", "truncated 2-byte"},
    {"\xe2\x82", "truncated 3-byte"},
    {"\xf0\x9f\x98", "truncated 4-byte"},
    {"\xd8\xb3\xd9", "truncated after a good letter"},
    {"\xe2\x28\xa1", "bad second byte"},
    {"\xf0\x9f\x28\x80", "bad third byte"},
};

static void
test_utf8_invalid(void **state)
{
	char err[SD_ERRLEN], *out, sentinel;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad_utf8) / sizeof(bad_utf8[0]); i++) {
		const char *s = bad_utf8[i].s;

		if (core_text_utf8_valid(s, strlen(s)))
			fail_msg("%s accepted", bad_utf8[i].what);
		err[0] = '\0';
		out = &sentinel;
		if (core_text_normalize(s, CORE_NORM_ALL, &out, err) !=
		    SD_EINVAL)
			fail_msg("normalize accepted %s", bad_utf8[i].what);
		assert_null(out);
		if (strstr(err, "not valid UTF-8") == NULL)
			fail_msg("%s: reason «%s»", bad_utf8[i].what, err);
	}
}

static void
test_utf8_reasons(void **state)
{
	char err[SD_ERRLEN], *out;

	(void)state;
	assert_int_equal(
	    core_text_normalize("ab\xc0\x80", 0, &out, err), SD_EINVAL);
	assert_string_equal(err, "not valid UTF-8: bad sequence 0xC0 at "
				 "byte 2");
	assert_int_equal(
	    core_text_normalize("سل\xd8", 0, &out, err), SD_EINVAL);
	assert_string_equal(err, "not valid UTF-8: sequence cut short at "
				 "byte 4");
}

static void
test_utf8_valid(void **state)
{
	static const char *const good[] = {
	    "", "plain ASCII", "سلام دنیا", "\xc2\x80", /* U+0080 */
	    "\xed\x9f\xbf",     /* U+D7FF, below the surrogates */
	    "\xee\x80\x80",     /* U+E000, above them */
	    "\xef\xbf\xbf",     /* U+FFFF */
	    "\xf0\x90\x80\x80", /* U+10000 */
	    "\xf0\x9f\x98\x80", /* an emoji */
	    "\xf4\x8f\xbf\xbf", /* U+10FFFF, the last */
	    "\xe0\xa0\x80",     /* U+0800, shortest 3-byte */
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(good) / sizeof(good[0]); i++)
		if (!core_text_utf8_valid(good[i], strlen(good[i])))
			fail_msg("good[%zu] rejected", i);
	/* The length counts, not the NUL: NUL is a character, and cutting
	 * a letter in half is a truncation. */
	assert_true(core_text_utf8_valid("a\0b", 3));
	assert_false(core_text_utf8_valid("\xd8\xb3", 1));
	assert_true(core_text_utf8_valid("\xd8\xb3", 2));
	assert_true(core_text_utf8_valid(NULL, 0));
}

static void
test_too_big(void **state)
{
	char err[SD_ERRLEN], *s, *out;
	size_t i;

	(void)state;
	s = malloc((size_t)SD_TEXT_MAX + 2);
	assert_non_null(s);

	/* One byte over the limit. */
	memset(s, 'a', (size_t)SD_TEXT_MAX + 1);
	s[SD_TEXT_MAX + 1] = '\0';
	err[0] = '\0';
	assert_int_equal(
	    core_text_normalize(s, CORE_NORM_ALL, &out, err), SD_ETOOBIG);
	assert_null(out);
	assert_true(err[0] != '\0');

	/* Exactly at the limit is fine. */
	s[SD_TEXT_MAX] = '\0';
	assert_int_equal(
	    core_text_normalize(s, CORE_NORM_ALL, &out, err), SD_OK);
	assert_int_equal(strlen(out), SD_TEXT_MAX);
	free(out);

	/* At the limit with digits that shrink (۱ is two bytes, 1 one). */
	for (i = 0; i + 2 <= SD_TEXT_MAX; i += 2)
		memcpy(s + i, "۱", 2);
	s[i] = '\0';
	assert_int_equal(
	    core_text_normalize(s, CORE_NORM_ALL, &out, err), SD_OK);
	assert_int_equal(strlen(out), SD_TEXT_MAX / 2);
	assert_true(strspn(out, "1") == SD_TEXT_MAX / 2);
	free(out);

	/* Letters of the same length, and characters outside the BMP. */
	for (i = 0; i + 4 <= SD_TEXT_MAX; i += 4)
		memcpy(s + i, i % 8 == 0 ? "يك" : "😀", 4);
	s[i] = '\0';
	assert_int_equal(
	    core_text_normalize(s, CORE_NORM_ALL, &out, err), SD_OK);
	assert_int_equal(strlen(out), i);
	assert_memory_equal(out, "یک😀", 8);
	free(out);
	free(s);
}

/* Issue 9: what a terminal or a bidi renderer would act on is shown as
 * <U+XXXX>: C0, DEL, C1, bidi embeddings, overrides and isolates, line
 * and paragraph separators; bodies keep \n and \t (and marks of
 * direction); one-line fields escape every invisible format character
 * but ZWNJ and ZWJ. */
static void
test_escape(void **state)
{
	static const struct {
		const char *in;
		unsigned flags;
		const char *want;
	} t[] = {
		{"a\x1b[31mb\x07", 0, "a<U+001B>[31mb<U+0007>"},
		{"a\x1b[31mb\x07", CORE_ESC_LINES, "a<U+001B>[31mb<U+0007>"},
		{"l1\n\tl2\r", CORE_ESC_LINES, "l1\n\tl2<U+000D>"},
		{"l1\n\tl2", 0, "l1<U+000A><U+0009>l2"},
		{"x\xc2\x9b" "2Jy\x7f", CORE_ESC_LINES, "x<U+009B>2Jy<U+007F>"},
		{"abc\u202Edef", CORE_ESC_LINES, "abc<U+202E>def"},
		{"\u2066a\u2069\u202A\u202B\u202C\u202D", CORE_ESC_LINES,
		    "<U+2066>a<U+2069><U+202A><U+202B><U+202C><U+202D>"},
		{"a\u2028b\u2029", CORE_ESC_LINES, "a<U+2028>b<U+2029>"},
		{"Word \u200Fمتن\u200E", CORE_ESC_LINES, "Word \u200Fمتن\u200E"},
		{"Word \u200Fمتن\u061C", 0, "Word <U+200F>متن<U+061C>"},
		{"\xef\xbb\xbfنوروزی" ZW "فر", 0, "<U+FEFF>نوروزی" ZW "فر"},
		{"سلام" ZW "ها \xe2\x80\x8d", 0, "سلام" ZW "ها \xe2\x80\x8d"},
		{"bad\xff", 0, "bad<0xFF>"},
		{"", 0, ""},
	};
	size_t i;
	char *out;

	(void)state;
	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		out = core_text_escape(t[i].in, t[i].flags);
		if (strcmp(out, t[i].want) != 0)
			fail_msg("case %zu: «%s», want «%s»", i, out,
			    t[i].want);
		free(out);
	}
	assert_null(core_text_escape(NULL, 0));
}

/* Every code point of the first planes' everyday blocks, alone and in
 * both modes, against the rule written out with ICU's properties here:
 * the fast path for ASCII and the Arabic block must agree with it. */
static void
test_escape_every_code_point(void **state)
{
	UChar32 c;

	(void)state;
	for (c = 1; c < 0x3000; c++) {
		char in[8], want[16], *out;
		int32_t n = 0;
		UBool err = false;
		int8_t type = u_charType(c);
		bool line_bad, body_bad;

		if (c >= 0xD800 && c <= 0xDFFF)
			continue;
		U8_APPEND(in, n, (int32_t)sizeof(in), c, err);
		assert_false(err);
		in[n] = '\0';
		line_bad = type == U_CONTROL_CHAR || type == U_LINE_SEPARATOR ||
		    type == U_PARAGRAPH_SEPARATOR ||
		    u_hasBinaryProperty(c, UCHAR_BIDI_CONTROL) ||
		    (type == U_FORMAT_CHAR && c != 0x200C && c != 0x200D);
		body_bad = c != '\n' && c != '\t' &&
		    (type == U_CONTROL_CHAR || (c >= 0x202A && c <= 0x202E) ||
			(c >= 0x2066 && c <= 0x2069) || c == 0x2028 ||
			c == 0x2029);
		snprintf(want, sizeof(want), "<U+%04X>", (unsigned)c);
		out = core_text_escape(in, 0);
		if (strcmp(out, line_bad ? want : in) != 0)
			fail_msg("U+%04X in a line: «%s»", (unsigned)c, out);
		free(out);
		out = core_text_escape(in, CORE_ESC_LINES);
		if (strcmp(out, body_bad ? want : in) != 0)
			fail_msg("U+%04X in a body: «%s»", (unsigned)c, out);
		free(out);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_mobile_forms),
	    cmocka_unit_test(test_mobile_persian_literal),
	    cmocka_unit_test(test_mobile_rejects),
	    cmocka_unit_test(test_mobile_err_optional),
	    cmocka_unit_test(test_mobile_local),
	    cmocka_unit_test(test_norm_digits),
	    cmocka_unit_test(test_norm_letters),
	    cmocka_unit_test(test_norm_spaces),
	    cmocka_unit_test(test_norm_zwnj),
	    cmocka_unit_test(test_norm_all),
	    cmocka_unit_test(test_utf8_invalid),
	    cmocka_unit_test(test_utf8_reasons),
	    cmocka_unit_test(test_utf8_valid),
	    cmocka_unit_test(test_too_big),
	    cmocka_unit_test(test_escape),
	    cmocka_unit_test(test_escape_every_code_point),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
