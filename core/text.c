/*
 * core/text.c: normalization of Persian text typed on phones and keyboards,
 * UTF-8 validation, and Iranian mobile numbers.
 *
 * The same word reaches us in many spellings: Persian (۰-۹) or Arabic-Indic
 * (٠-٩) digits, the Arabic letters ي ى ك instead of the Persian ی ک,
 * non-breaking or doubled spaces, and stray zero-width non-joiners (ZWNJ,
 * U+200C, the «نیم‌فاصله»). core_text_normalize() folds those so
 * that stored text, commands and keywords compare equal.
 *
 * Invariants:
 *   - Input is checked for well-formed UTF-8 (no overlongs, surrogates,
 *     code points above U+10FFFF or truncated sequences) before ICU sees
 *     it, so that the reason names the offending byte.
 *   - Every mapping turns one code point into at most as many UTF-8 bytes
 *     (a digit becomes one ASCII byte, ي/ك and ی/ک are two bytes each, a
 *     run of white space becomes one space), so the output never outgrows
 *     the input and its buffer is sized from the input.
 *   - Nothing here has state: any thread may call every function.
 *
 * Characters that act instead of showing (issue #9): C0/C1 controls move
 * a terminal's cursor or retitle its window, bidi overrides and isolates
 * reorder what follows them. One-line fields (names, titles) may not
 * hold them (core_text_line_unsafe, core_text_line_strip); bodies keep
 * what was sent and every output escapes it (core_text_escape).
 *
 * Mobile numbers are stored in E.164, "+989XXXXXXXXX": Iranian mobiles are
 * 9 followed by nine more digits after the country code 98.
 */
#include "core/core.h"

#include <assert.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <unicode/uchar.h>
#include <unicode/ustring.h>
#include <unicode/utf16.h>
#include <unicode/utf8.h>
#include <unicode/utypes.h>

#include "core/base/xmalloc.h"
#include "core/core_int.h"

#define ZWNJ 0x200C
/* Arabic letters that Persian keyboards of some phones still produce. */
#define AR_YEH 0x064A          /* ي */
#define AR_ALEF_MAKSURA 0x0649 /* ى */
#define AR_KAF 0x0643          /* ك */
#define FA_YEH 0x06CC          /* ی */
#define FA_KEHEH 0x06A9        /* ک */

#define NORM_KNOWN                                                             \
	(CORE_NORM_DIGITS | CORE_NORM_LETTERS | CORE_NORM_SPACES |             \
	    CORE_NORM_ZWNJ | CORE_NORM_ZWNJ_DROP)

/* Digits of an Iranian mobile after the country code or the leading 0. */
#define MOBILE_NSN_LEN 10
_Static_assert(3 + MOBILE_NSN_LEN + 1 <= SD_MOBILE_LEN,
    "SD_MOBILE_LEN holds \"+98\", the ten digits and the NUL");

/*
 * Offset of the first ill-formed sequence in s[0..len), or len if there is
 * none. Follows Unicode's table of well-formed byte sequences (The Unicode
 * Standard, table 3-7): the narrowed second-byte ranges after E0, ED, F0
 * and F4 exclude overlongs, surrogates and code points above U+10FFFF, and
 * C0, C1 and F5..FF never start a sequence. *truncated tells whether the
 * sequence at that offset was cut short by the end of the input.
 */
static size_t
utf8_bad(const unsigned char *s, size_t len, bool *truncated)
{
	unsigned lo, hi;
	size_t i, k, n;

	*truncated = false;
	for (i = 0; i < len; i += n + 1) {
		lo = 0x80;
		hi = 0xBF;
		if (s[i] < 0x80) {
			n = 0;
			continue;
		} else if (s[i] >= 0xC2 && s[i] <= 0xDF) {
			n = 1;
		} else if (s[i] >= 0xE0 && s[i] <= 0xEF) {
			n = 2;
			if (s[i] == 0xE0)
				lo = 0xA0; /* below: overlong */
			else if (s[i] == 0xED)
				hi = 0x9F; /* above: surrogates */
		} else if (s[i] >= 0xF0 && s[i] <= 0xF4) {
			n = 3;
			if (s[i] == 0xF0)
				lo = 0x90; /* below: overlong */
			else if (s[i] == 0xF4)
				hi = 0x8F; /* above: > U+10FFFF */
		} else {
			return i;
		}
		for (k = 1; k <= n; k++) {
			if (i + k >= len) {
				*truncated = true;
				return i;
			}
			if (s[i + k] < (k == 1 ? lo : 0x80) ||
			    s[i + k] > (k == 1 ? hi : 0xBF))
				return i;
		}
	}
	return len;
}

/* Check s[0..len) and describe the first fault in err. */
static bool
utf8_check(const char *s, size_t len, char *err)
{
	const unsigned char *u = (const unsigned char *)s;
	bool truncated;
	size_t at;

	at = utf8_bad(u, len, &truncated);
	if (at == len)
		return true;
	if (truncated)
		sd_errf(err, "not valid UTF-8: sequence cut short at byte %zu",
		    at);
	else
		sd_errf(err, "not valid UTF-8: bad sequence 0x%02X at byte %zu",
		    u[at], at);
	return false;
}

bool
core_text_utf8_valid(const char *s, size_t len)
{
	bool truncated;

	if (s == NULL)
		return len == 0;
	return utf8_bad((const unsigned char *)s, len, &truncated) == len;
}

/* The per-character mappings: digits and Arabic letters. */
static UChar32
norm_char(UChar32 c, unsigned flags)
{
	int32_t v;

	/* Any Unicode decimal digit (Nd), not just the two Persian and
	 * Arabic-Indic blocks: phones offer others too, and a digit's value
	 * never depends on its script. */
	if ((flags & CORE_NORM_DIGITS) != 0 && c >= 0x80 &&
	    u_charType(c) == U_DECIMAL_DIGIT_NUMBER) {
		v = u_charDigitValue(c);
		if (v >= 0 && v <= 9)
			return '0' + v;
	}
	if ((flags & CORE_NORM_LETTERS) != 0) {
		switch (c) {
		case AR_YEH:
		case AR_ALEF_MAKSURA: return FA_YEH;
		case AR_KAF: return FA_KEHEH;
		default: break;
		}
	}
	return c;
}

/*
 * Normalize s[0..n) into o, which has room for n units; returns the
 * length written. Spaces and ZWNJs are context-dependent, so a run of
 * either is only remembered (space, zwnj) and written, or dropped, when
 * the next ordinary character shows what the run was next to.
 */
static int32_t
norm_u16(const UChar *s, int32_t n, unsigned flags, UChar *o)
{
	bool space = false; /* a run of white space waits (CORE_NORM_SPACES) */
	bool zwnj = false;  /* a run of ZWNJ waits (CORE_NORM_ZWNJ) */
	bool edge = true;   /* at the start, or just after white space */
	int32_t i = 0, k = 0;
	UChar32 c;

	while (i < n) {
		U16_NEXT(s, i, n, c);
		if (c == ZWNJ && (flags & CORE_NORM_ZWNJ_DROP) != 0)
			continue;
		if (c == ZWNJ && (flags & CORE_NORM_ZWNJ) != 0) {
			zwnj = true;
			continue;
		}
		if (u_isUWhiteSpace(c)) {
			zwnj = false; /* a ZWNJ before a space joins nothing */
			if ((flags & CORE_NORM_SPACES) != 0) {
				space = true;
				continue;
			}
			U16_APPEND_UNSAFE(o, k, c);
			edge = true;
			continue;
		}
		if (space) {
			if (k > 0) /* else leading: trimmed */
				o[k++] = ' ';
			space = false;
			edge = true;
		}
		if (zwnj) {
			if (!edge) /* else at the start or after a space */
				o[k++] = ZWNJ;
			zwnj = false;
		}
		c = norm_char(c, flags);
		U16_APPEND_UNSAFE(o, k, c);
		edge = false;
	}
	/* A pending space or ZWNJ here is trailing: dropped. */
	return k;
}

enum sd_rc
core_text_normalize(const char *in, unsigned flags, char **out,
    char err[SD_ERRLEN])
{
	UErrorCode st = U_ZERO_ERROR;
	UChar *u16 = NULL, *o16 = NULL;
	int32_t n16, on, n8;
	char *res = NULL;
	enum sd_rc rc;
	size_t len;

	assert((flags & ~NORM_KNOWN) == 0);
	*out = NULL;
	if (in == NULL) {
		sd_errf(err, "no text");
		return SD_EINVAL;
	}
	len = strnlen(in, (size_t)SD_TEXT_MAX + 1);
	if (len > SD_TEXT_MAX) {
		sd_errf(err, "text is longer than %d bytes", SD_TEXT_MAX);
		return SD_ETOOBIG;
	}
	if (!utf8_check(in, len, err))
		return SD_EINVAL;

	/* UTF-16 never needs more units than UTF-8 has bytes. */
	u16 = xmalloc((len + 1) * sizeof(*u16));
	u_strFromUTF8(u16, (int32_t)len + 1, &n16, in, (int32_t)len, &st);
	if (U_FAILURE(st)) {
		/* utf8_check() accepted it, so ICU and we disagree. */
		sd_errf(err, "not valid UTF-8 (ICU: %s)", u_errorName(st));
		rc = SD_EINVAL;
		goto fail;
	}
	o16 = xmalloc(((size_t)n16 + 1) * sizeof(*o16));
	on = norm_u16(u16, n16, flags, o16);

	/* No longer than the input: see the invariants at the top. */
	res = xmalloc(len + 1);
	st = U_ZERO_ERROR;
	u_strToUTF8(res, (int32_t)len + 1, &n8, o16, on, &st);
	if (U_FAILURE(st) || st == U_STRING_NOT_TERMINATED_WARNING) {
		sd_errf(err, "text conversion failed (ICU: %s)",
		    u_errorName(st));
		rc = SD_EINTERNAL;
		goto fail;
	}
	free(o16);
	free(u16);
	*out = res;
	return SD_OK;
fail:
	free(res);
	free(o16);
	free(u16);
	return rc;
}

size_t
core_text_word_at(const char *s, size_t k)
{
	int32_t len = (int32_t)strnlen(s, (size_t)SD_TEXT_MAX + 1), i = 0;
	int32_t at, start;
	bool word;
	UChar32 c;

	for (;;) {
		/* White space before the word. */
		while (i < len) {
			at = i;
			U8_NEXT(s, i, len, c);
			if (c < 0 || !u_isUWhiteSpace(c)) {
				i = at;
				break;
			}
		}
		if (i >= len)
			return (size_t)len;
		/* The word; one of ZWNJ alone is dropped by the normalizer
		 * (CORE_NORM_ZWNJ), so it is no word here either. */
		start = i;
		word = false;
		while (i < len) {
			at = i;
			U8_NEXT(s, i, len, c);
			if (c >= 0 && u_isUWhiteSpace(c)) {
				i = at;
				break;
			}
			if (c != ZWNJ)
				word = true;
		}
		if (word && k-- == 0)
			return (size_t)start;
	}
}

/*
 * Length of the country calling code that starts digits (ITU-T E.164
 * assignments): 1 and 7 are one digit, the listed ones two, all others
 * three. Only used to name the country code in a reason.
 */
static size_t
cc_len(const char *digits)
{
	static const char two[] = "20 27 30 31 32 33 34 36 39 40 41 43 44 45 "
				  "46 47 48 49 51 52 53 54 55 56 57 58 60 61 "
				  "62 63 64 65 66 81 82 84 86 90 91 92 93 94 "
				  "95 98";
	size_t i;

	if (digits[0] == '1' || digits[0] == '7')
		return 1;
	if (digits[0] == '\0' || digits[1] == '\0')
		return strlen(digits);
	for (i = 0; i + 1 < sizeof(two); i += 3)
		if (two[i] == digits[0] && two[i + 1] == digits[1])
			return 2;
	return 3;
}

/*
 * Check the ASCII digits of a number (plus: it began with '+') and write
 * its E.164 form. The forms: +98 9.., 0098 9.., 0 9.., 98 9.. (12 digits)
 * and 9.. (10 digits).
 */
static enum sd_rc
mobile_digits(const char *d, bool plus, char out[SD_MOBILE_LEN], char *err)
{
	const char *rest, *after, *cc;
	size_t n, ncc;

	if (plus || strncmp(d, "00", 2) == 0) {
		cc = plus ? d : d + 2;
		if (cc[0] == '\0' || cc[0] == '0') {
			sd_errf(err, "'%s' must be followed by a country code",
			    plus ? "+" : "00");
			return SD_EINVAL;
		}
		if (strncmp(cc, "98", 2) != 0) {
			ncc = cc_len(cc);
			sd_errf(err, "country code +%.*s is not Iran", (int)ncc,
			    cc);
			return SD_EINVAL;
		}
		rest = cc + 2;
		after = " after the country code";
	} else if (d[0] == '0') {
		rest = d + 1;
		after = " after the leading 0";
	} else if (d[0] == '9' && d[1] == '8' && strlen(d) > MOBILE_NSN_LEN) {
		/* 98913...: the country code without '+'. Ten digits that
		 * start with 98 are a national number (0981...) instead. */
		rest = d + 2;
		after = " after the country code";
	} else {
		rest = d;
		after = "";
	}
	n = strlen(rest);
	if (n > 0 && rest[0] != '9') {
		sd_errf(err,
		    "not an Iranian mobile: must start with 9 after 0 "
		    "or +98");
		return SD_EINVAL;
	}
	if (n != MOBILE_NSN_LEN) {
		sd_errf(err, "too %s: %zu digit%s%s, need %d",
		    n < MOBILE_NSN_LEN ? "short" : "long", n, n == 1 ? "" : "s",
		    after, MOBILE_NSN_LEN);
		return SD_EINVAL;
	}
	memcpy(out, "+98", 3);
	memcpy(out + 3, rest, MOBILE_NSN_LEN + 1);
	return SD_OK;
}

/* Name the character c, which is not allowed in a number, in err. */
static void
mobile_bad_char(UChar32 c, char *err)
{
	char ch[U8_MAX_LENGTH + 1];
	int32_t k = 0;

	/* ICU counts format characters (ZWSP, ZWNJ, marks of direction) as
	 * graphic, but quoting them shows the user nothing. */
	if (u_isgraph(c) && u_charType(c) != U_FORMAT_CHAR) {
		U8_APPEND_UNSAFE(ch, k, c);
		ch[k] = '\0';
		sd_errf(err, "contains a letter or symbol '%s'", ch);
	} else {
		sd_errf(err, "contains an invisible character U+%04X",
		    (unsigned)c);
	}
}

enum sd_rc
core_mobile_parse(const char *in, char out[SD_MOBILE_LEN], char err[SD_ERRLEN])
{
	UChar u[SD_MOBILE_IN_MAX + 1];
	char d[SD_MOBILE_IN_MAX + 1]; /* the digits in ASCII */
	UErrorCode st = U_ZERO_ERROR;
	int32_t n16, b, e, i, at;
	bool plus = false;
	size_t len, nd = 0;
	UChar32 c;

	if (in == NULL)
		in = "";
	len = strnlen(in, (size_t)SD_MOBILE_IN_MAX + 1);
	if (len > SD_MOBILE_IN_MAX) {
		sd_errf(err, "too long: more than %d bytes", SD_MOBILE_IN_MAX);
		return SD_EINVAL;
	}
	if (!utf8_check(in, len, err))
		return SD_EINVAL;
	u_strFromUTF8(u, SD_MOBILE_IN_MAX + 1, &n16, in, (int32_t)len, &st);
	if (U_FAILURE(st)) {
		sd_errf(err, "not valid UTF-8 (ICU: %s)", u_errorName(st));
		return SD_EINVAL;
	}

	/* Every White_Space character is in the BMP, so one unit is one
	 * character here. */
	b = 0;
	e = n16;
	while (b < e && u_isUWhiteSpace(u[b]))
		b++;
	while (e > b && u_isUWhiteSpace(u[e - 1]))
		e--;
	if (b == e) {
		sd_errf(err, "empty");
		return SD_EINVAL;
	}

	for (i = b; i < e;) {
		at = i;
		U16_NEXT(u, i, e, c);
		if (u_charType(c) == U_DECIMAL_DIGIT_NUMBER) {
			d[nd++] = (char)('0' + u_charDigitValue(c));
		} else if (c == '+') {
			if (at != b) {
				sd_errf(err, "'+' only allowed at the start");
				return SD_EINVAL;
			}
			plus = true;
		} else if (!u_isUWhiteSpace(c) && c != '-' && c != '.' &&
		    c != '(' && c != ')') {
			mobile_bad_char(c, err);
			return SD_EINVAL;
		}
	}
	d[nd] = '\0';
	if (nd == 0) {
		sd_errf(err, "no digits");
		return SD_EINVAL;
	}
	return mobile_digits(d, plus, out, err);
}

void
core_mobile_local(const char *e164, char out[SD_MOBILE_LEN])
{
	if (e164 != NULL && strncmp(e164, "+98", 3) == 0)
		snprintf(out, SD_MOBILE_LEN, "0%s", e164 + 3);
	else
		snprintf(out, SD_MOBILE_LEN, "%s", e164 != NULL ? e164 : "");
}

/* ---- Characters that act instead of showing (issue #9) ------------------ */

#define ZWJ 0x200D

/* A bidi embedding, override or isolate: reorders the text after it. */
static bool
bidi_reorders(UChar32 c)
{
	return (c >= 0x202A && c <= 0x202E) || (c >= 0x2066 && c <= 0x2069);
}

/* Not allowed in a one-line field (name, title): controls (C0, DEL, C1),
 * bidi controls (U+061C, U+200E/F, embeddings, overrides, isolates), line
 * and paragraph separators, and invisible format characters other than
 * ZWNJ and ZWJ. */
static bool
unsafe_line_char(UChar32 c)
{
	int8_t type = u_charType(c);

	if (type == U_CONTROL_CHAR || type == U_LINE_SEPARATOR ||
	    type == U_PARAGRAPH_SEPARATOR)
		return true;
	if (u_hasBinaryProperty(c, UCHAR_BIDI_CONTROL))
		return true;
	return type == U_FORMAT_CHAR && c != ZWNJ && c != ZWJ;
}

/* Escaped in a body: controls but line feed and tab, what reorders text,
 * and the separators that some renderers take for line breaks. */
static bool
unsafe_body_char(UChar32 c)
{
	if (c == '\n' || c == '\t')
		return false;
	return u_charType(c) == U_CONTROL_CHAR || bidi_reorders(c) ||
	    c == 0x2028 || c == 0x2029;
}

bool
core_text_line_unsafe(const char *s, uint32_t *cp)
{
	int32_t len = (int32_t)strnlen(s, (size_t)SD_TEXT_MAX + 1), i = 0;
	UChar32 c;

	while (i < len) {
		U8_NEXT(s, i, len, c);
		if (c >= 0 && !u_isUWhiteSpace(c) && unsafe_line_char(c)) {
			*cp = (uint32_t)c;
			return true;
		}
	}
	return false;
}

char *
core_text_line_strip(const char *s)
{
	int32_t len = (int32_t)strnlen(s, (size_t)SD_TEXT_MAX + 1), i = 0, at;
	char *o = xmalloc((size_t)len + 1);
	size_t k = 0;
	UChar32 c;

	while (i < len) {
		at = i;
		U8_NEXT(s, i, len, c);
		/* White space is the normalizer's to fold. */
		if (c >= 0 && !u_isUWhiteSpace(c) && unsafe_line_char(c))
			continue;
		memcpy(o + k, s + at, (size_t)(i - at));
		k += (size_t)(i - at);
	}
	o[k] = '\0';
	return o;
}

/* Printable ASCII and the Arabic block's letters, marks, digits and
 * punctuation (U+0621..U+06D5: no control, format or bidi control among
 * them; U+0600..U+0605, U+061C and U+06DD are) are never escaped: most of
 * a page is these, and they skip ICU's property lookups. */
static bool
safe_fast(UChar32 c)
{
	return (c >= 0x20 && c < 0x7F) || (c >= 0x0621 && c <= 0x06D5);
}

char *
core_text_escape(const char *s, unsigned flags)
{
	size_t len, cap, k = 0;
	int32_t i = 0, at, n;
	char *o;
	UChar32 c;

	if (s == NULL)
		return NULL;
	len = strlen(s);
	/* At most 8 bytes ("<U+XXXX>", "<0xXX>" is 6) for each input byte:
	 * every escaped character is at least one byte. Bodies are bounded
	 * by SD_BODY_MAX, so this stays small. */
	assert(len < (size_t)INT32_MAX / 10);
	n = (int32_t)len;
	cap = len * 10 + 1;
	o = xmalloc(cap);
	while (i < n) {
		at = i;
		if ((unsigned char)s[i] >= 0x20 && (unsigned char)s[i] < 0x7F) {
			o[k++] = s[i++];
			continue;
		}
		U8_NEXT(s, i, n, c);
		if (c >= 0 && safe_fast(c)) {
			memcpy(o + k, s + at, (size_t)(i - at));
			k += (size_t)(i - at);
		} else if (c < 0) {
			/* U8_NEXT skipped the ill-formed sequence: show its
			 * bytes one by one. */
			for (; at < i; at++)
				k += (size_t)snprintf(o + k, cap - k,
				    "<0x%02X>", (unsigned char)s[at]);
		} else if ((flags & CORE_ESC_LINES) != 0 ?
			unsafe_body_char(c) :
			unsafe_line_char(c)) {
			k += (size_t)snprintf(o + k, cap - k, "<U+%04X>",
			    (unsigned)c);
		} else {
			memcpy(o + k, s + at, (size_t)(i - at));
			k += (size_t)(i - at);
		}
	}
	o[k] = '\0';
	return xrealloc(o, k + 1);
}

/* ---- Pieces of SMS texts: excerpts (links: core/link.c) ---------------- */

void
core_excerpt(const char *text, size_t max, char *out, size_t outsz)
{
	/* What a phone would act on (controls, bidi overrides that would
	 * reorder the rest of the SMS, link included) is shown escaped. */
	char *s = core_text_escape(text, CORE_ESC_LINES);
	size_t i = 0, chars = 0, o = strlen(out), start = o;

	while (s[i] != '\0' && chars < max) {
		unsigned char ch = (unsigned char)s[i];
		size_t n = ch < 0x80 ? 1 : ch < 0xe0 ? 2 : ch < 0xf0 ? 3 : 4;

		if (o + n + 4 >= outsz)
			break;
		if (ch == '\n' || ch == '\r' || ch == '\t') {
			if (o > 0 && out[o - 1] != ' ')
				out[o++] = ' ';
			i++;
		} else {
			memcpy(out + o, s + i, n);
			o += n;
			i += n;
		}
		chars++;
	}
	/* Cut: at the end of the last whole word («…», never mid-word or
	 * mid-number), unless the text is one word longer than max. */
	if (s[i] != '\0') {
		size_t end = o;

		if (s[i] != ' ' && s[i] != '\n' && s[i] != '\r' &&
		    s[i] != '\t') {
			while (end > start && out[end - 1] != ' ')
				end--;
			if (end == start)
				end = o;
		}
		while (end > start && out[end - 1] == ' ')
			end--;
		o = end;
	}
	out[o] = '\0';
	if (s[i] != '\0' && o + 4 < outsz)
		strcat(out, "…");
	free(s);
}

const char *
core_fa_digits(const char *ascii, char *out, size_t cap)
{
	size_t o = 0;

	if (cap == 0)
		return out;
	for (; *ascii != '\0'; ascii++) {
		if (*ascii >= '0' && *ascii <= '9') {
			if (o + 2 >= cap)
				break;
			out[o++] = (char)0xDB;
			out[o++] = (char)(0xB0 + (*ascii - '0'));
		} else {
			if (o + 1 >= cap)
				break;
			out[o++] = *ascii;
		}
	}
	out[o] = '\0';
	return out;
}

const char *
core_fa_number(long long v, char *out, size_t cap)
{
	char ascii[24];

	snprintf(ascii, sizeof(ascii), "%lld", v);
	return core_fa_digits(ascii, out, cap);
}
