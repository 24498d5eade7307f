/*
 * core/sms.c: what an SMS text costs on the air: its alphabet, its units
 * and the parts it takes. The one place that decides it, for the command
 * channel (which cuts its replies to [sms] max_reply_parts) and for the
 * smsc codec (which encodes and splits what it is given): both must agree,
 * or a reply budgeted as two GSM 7-bit parts goes out as five UCS-2 ones.
 *
 * GSM 7-bit is 3GPP TS 23.038 §6.2.1: the 128-entry default alphabet and
 * its extension table, reached through the escape septet 0x1B, whose
 * characters cost two septets. A text goes as GSM 7-bit when every
 * character has a GSM 7-bit form, else as UCS-2 (UTF-16 code units, a
 * character beyond U+FFFF costing two). Plain ASCII is not enough: the
 * backtick, tab and most controls have no GSM 7-bit form.
 *
 * Parts: a text within one message (160 septets / 70 units) is one part;
 * longer, each part holds 153 septets / 67 units (the 6-octet concat UDH
 * takes the rest). Cutting is greedy: a part takes characters while their
 * cost fits, so an escape pair or a surrogate pair that would straddle a
 * boundary starts the next part instead.
 */
#include "core/core.h"

#include <stdio.h>
#include <string.h>

#include <unicode/utf8.h>

/* Not a character: the escape slot of the default alphabet. */
#define GSM7_NONE 0xFFFFu

/* 23.038 default alphabet: septet -> code point. */
static const uint16_t gsm7_basic[128] = {
    0x0040,
    0x00A3,
    0x0024,
    0x00A5,
    0x00E8,
    0x00E9,
    0x00F9,
    0x00EC,
    0x00F2,
    0x00C7,
    0x000A,
    0x00D8,
    0x00F8,
    0x000D,
    0x00C5,
    0x00E5,
    0x0394,
    0x005F,
    0x03A6,
    0x0393,
    0x039B,
    0x03A9,
    0x03A0,
    0x03A8,
    0x03A3,
    0x0398,
    0x039E,
    GSM7_NONE,
    0x00C6,
    0x00E6,
    0x00DF,
    0x00C9,
    0x0020,
    0x0021,
    0x0022,
    0x0023,
    0x00A4,
    0x0025,
    0x0026,
    0x0027,
    0x0028,
    0x0029,
    0x002A,
    0x002B,
    0x002C,
    0x002D,
    0x002E,
    0x002F,
    0x0030,
    0x0031,
    0x0032,
    0x0033,
    0x0034,
    0x0035,
    0x0036,
    0x0037,
    0x0038,
    0x0039,
    0x003A,
    0x003B,
    0x003C,
    0x003D,
    0x003E,
    0x003F,
    0x00A1,
    0x0041,
    0x0042,
    0x0043,
    0x0044,
    0x0045,
    0x0046,
    0x0047,
    0x0048,
    0x0049,
    0x004A,
    0x004B,
    0x004C,
    0x004D,
    0x004E,
    0x004F,
    0x0050,
    0x0051,
    0x0052,
    0x0053,
    0x0054,
    0x0055,
    0x0056,
    0x0057,
    0x0058,
    0x0059,
    0x005A,
    0x00C4,
    0x00D6,
    0x00D1,
    0x00DC,
    0x00A7,
    0x00BF,
    0x0061,
    0x0062,
    0x0063,
    0x0064,
    0x0065,
    0x0066,
    0x0067,
    0x0068,
    0x0069,
    0x006A,
    0x006B,
    0x006C,
    0x006D,
    0x006E,
    0x006F,
    0x0070,
    0x0071,
    0x0072,
    0x0073,
    0x0074,
    0x0075,
    0x0076,
    0x0077,
    0x0078,
    0x0079,
    0x007A,
    0x00E4,
    0x00F6,
    0x00F1,
    0x00FC,
    0x00E0,
};

/* 23.038 extension table: the septet after 0x1B -> code point. */
static const struct {
	uint8_t code; /* septet following the escape */
	uint16_t cp;  /* its character */
} gsm7_ext[] = {
    {0x0A, 0x000C}, /* form feed */
    {0x14, 0x005E}, /* ^ */
    {0x28, 0x007B}, /* { */
    {0x29, 0x007D}, /* } */
    {0x2F, 0x005C}, /* \ */
    {0x3C, 0x005B}, /* [ */
    {0x3D, 0x007E}, /* ~ */
    {0x3E, 0x005D}, /* ] */
    {0x40, 0x007C}, /* | */
    {0x65, 0x20AC}, /* euro sign */
};

#define GSM7_EXT_N (sizeof(gsm7_ext) / sizeof(gsm7_ext[0]))

int
core_sms_gsm7_septet(uint32_t cp)
{
	size_t i;

	/* Letters, digits and space sit where ASCII has them. */
	if ((cp >= 'A' && cp <= 'Z') || (cp >= 'a' && cp <= 'z') ||
	    (cp >= '0' && cp <= '9') || cp == ' ')
		return (int)cp;
	for (i = 0; i < 128; i++)
		if (gsm7_basic[i] == cp)
			return (int)i;
	for (i = 0; i < GSM7_EXT_N; i++)
		if (gsm7_ext[i].cp == cp)
			return CORE_SMS_GSM7_ESC | gsm7_ext[i].code;
	return -1;
}

uint32_t
core_sms_gsm7_char(uint8_t septet)
{
	if (septet > 0x7F || gsm7_basic[septet] == GSM7_NONE)
		return 0;
	return gsm7_basic[septet];
}

uint32_t
core_sms_gsm7_ext_char(uint8_t code)
{
	size_t i;

	for (i = 0; i < GSM7_EXT_N; i++)
		if (gsm7_ext[i].code == code)
			return gsm7_ext[i].cp;
	return 0;
}

/*
 * Read the code point at *pos of s (len bytes). Returns it, or -1 with
 * the reason in err on ill-formed UTF-8 (ICU's U8_NEXT refuses overlongs,
 * surrogates and anything above U+10FFFF) or U+0000.
 */
static int32_t
next_cp(const uint8_t *s, size_t len, size_t *pos, char *err)
{
	int32_t i = (int32_t)*pos, at = i;
	UChar32 c;

	U8_NEXT(s, i, (int32_t)len, c);
	if (c < 0) {
		sd_errf(err, "invalid UTF-8 at offset %ld", (long)at);
		return -1;
	}
	if (c == 0) {
		sd_errf(err, "U+0000 at offset %ld", (long)at);
		return -1;
	}
	*pos = (size_t)i;
	return c;
}

enum sd_rc
core_sms_count(const char *utf8, size_t len, unsigned flags,
    struct core_sms_count *out, size_t *bounds, size_t nbounds,
    char err[SD_ERRLEN])
{
	const uint8_t *s = (const uint8_t *)utf8;
	size_t pos = 0, septets = 0, units = 0, single, per, cur = 0;
	bool gsm7 = true;
	int32_t cp;

	memset(out, 0, sizeof(*out));
	if (len > SD_TEXT_MAX) {
		sd_errf(err, "text of %zu bytes, at most %d", len, SD_TEXT_MAX);
		return SD_ETOOBIG;
	}
	/* One pass for the alphabet and both counts. */
	while (pos < len) {
		if ((cp = next_cp(s, len, &pos, err)) < 0)
			return SD_EINVAL;
		units += cp >= 0x10000 ? 2 : 1;
		if (gsm7) {
			int g = core_sms_gsm7_septet((uint32_t)cp);

			if (g < 0)
				gsm7 = false;
			else
				septets += (g & CORE_SMS_GSM7_ESC) ? 2 : 1;
		}
	}
	out->alphabet = gsm7 ? CORE_SMS_GSM7 : CORE_SMS_UCS2;
	out->units = gsm7 ? septets : units;
	out->parts = 1;
	if (bounds != NULL && nbounds > 0)
		bounds[0] = 0;
	single = gsm7 ? CORE_SMS_GSM7_SINGLE : CORE_SMS_UCS2_SINGLE;
	if ((flags & CORE_SMS_ONE_PART) || out->units <= single) {
		if (bounds != NULL && nbounds > 1)
			bounds[1] = len;
		return SD_OK;
	}
	if (flags & CORE_SMS_FULL_PARTS)
		per = single;
	else
		per = gsm7 ? CORE_SMS_GSM7_PART : CORE_SMS_UCS2_PART;
	/* Greedy: the second pass cannot fail, the first checked it all. */
	for (pos = 0; pos < len;) {
		size_t at = pos, cost;

		cp = next_cp(s, len, &pos, NULL);
		if (gsm7)
			cost = (core_sms_gsm7_septet((uint32_t)cp) &
				   CORE_SMS_GSM7_ESC) ?
			    2 :
			    1;
		else
			cost = cp >= 0x10000 ? 2 : 1;
		if (cur + cost > per) {
			if (bounds != NULL && out->parts < nbounds)
				bounds[out->parts] = at;
			out->parts++;
			cur = 0;
		}
		cur += cost;
	}
	if (bounds != NULL && out->parts < nbounds)
		bounds[out->parts] = len;
	return SD_OK;
}
