/*
 * smsc/codec.c: text codecs (GSM 7-bit, UCS-2/UTF-16BE, Latin-1, 8-bit),
 * the choice of encoding for an outbound text and its segmentation.
 *
 * GSM 7-bit follows 3GPP TS 23.038 §6.2.1: the 128-entry default alphabet
 * and its extension table, reached through the escape septet 0x1B, whose
 * characters cost two septets. Packing puts septet k at bit
 * fill_bits + 7k of the octet string, least significant bit first; after
 * a UDH of u octets the fill is (7 - 8u mod 7) mod 7 bits, so UDH plus
 * text end on a septet boundary (1 bit after the 6-octet concat UDH).
 *
 * UTF-8 input is validated strictly (no overlong forms, no encoded
 * surrogates, nothing above U+10FFFF, no U+0000): outbound text comes from
 * our own database and a bad byte there is a bug to report, not to guess
 * around. Decoders are strict by default and lenient on request
 * (SMSC_DECODE_LENIENT), for inbound text from handsets.
 *
 * Segmentation is greedy: a part takes characters while their cost fits,
 * so an escape sequence (2 septets) or a surrogate pair (2 code units)
 * that would straddle a boundary starts the next part instead.
 */
#include "smsc/smsc_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/base/xmalloc.h"
#include "core/core.h"

/*
 * Read one code point of s (len bytes) at *pos. Returns 0 and advances
 * *pos, or -1 with the reason in err. U+0000 is refused: no SMS text
 * carries it and it would end a C string early.
 */
static int
utf8_next(const uint8_t *s, size_t len, size_t *pos, uint32_t *cp, char *err)
{
	size_t i = *pos, n, k;
	uint32_t c = s[i], min;

	if (c < 0x80) {
		n = 0;
		min = 0;
	} else if (c >= 0xC2 && c <= 0xDF) {
		n = 1;
		c &= 0x1F;
		min = 0x80;
	} else if (c >= 0xE0 && c <= 0xEF) {
		n = 2;
		c &= 0x0F;
		min = 0x800;
	} else if (c >= 0xF0 && c <= 0xF4) {
		n = 3;
		c &= 0x07;
		min = 0x10000;
	} else {
		sd_errf(err, "invalid UTF-8: byte 0x%02X at offset %zu", s[i],
		    i);
		return -1;
	}
	if (n > len - i - 1) {
		sd_errf(err, "invalid UTF-8: truncated sequence at offset %zu",
		    i);
		return -1;
	}
	for (k = 1; k <= n; k++) {
		if ((s[i + k] & 0xC0) != 0x80) {
			sd_errf(err,
			    "invalid UTF-8: byte 0x%02X at offset %zu is not "
			    "a continuation",
			    s[i + k], i + k);
			return -1;
		}
		c = (c << 6) | (s[i + k] & 0x3Fu);
	}
	if (c < min) {
		sd_errf(err, "invalid UTF-8: overlong form at offset %zu", i);
		return -1;
	}
	if (c >= 0xD800 && c <= 0xDFFF) {
		sd_errf(err, "invalid UTF-8: surrogate U+%04X at offset %zu",
		    (unsigned)c, i);
		return -1;
	}
	if (c > 0x10FFFF) {
		sd_errf(err, "invalid UTF-8: beyond U+10FFFF at offset %zu", i);
		return -1;
	}
	if (c == 0) {
		sd_errf(err, "U+0000 at offset %zu", i);
		return -1;
	}
	*cp = c;
	*pos = i + n + 1;
	return 0;
}

/*
 * Append cp as UTF-8 to out (cap bytes) at *pos, keeping one byte for the
 * NUL. Returns 0, or -1 when it does not fit.
 */
static int
utf8_put(char *out, size_t cap, size_t *pos, uint32_t cp)
{
	size_t n = cp < 0x80 ? 1 : cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4;
	size_t i = *pos;

	if (cap < 1 || n > cap - 1 - i)
		return -1;
	switch (n) {
	case 1: out[i] = (char)cp; break;
	case 2:
		out[i] = (char)(0xC0 | (cp >> 6));
		out[i + 1] = (char)(0x80 | (cp & 0x3F));
		break;
	case 3:
		out[i] = (char)(0xE0 | (cp >> 12));
		out[i + 1] = (char)(0x80 | ((cp >> 6) & 0x3F));
		out[i + 2] = (char)(0x80 | (cp & 0x3F));
		break;
	default:
		out[i] = (char)(0xF0 | (cp >> 18));
		out[i + 1] = (char)(0x80 | ((cp >> 12) & 0x3F));
		out[i + 2] = (char)(0x80 | ((cp >> 6) & 0x3F));
		out[i + 3] = (char)(0x80 | (cp & 0x3F));
		break;
	}
	*pos = i + n;
	return 0;
}

/*
 * Walk utf8 as GSM 7-bit: count septets into *n and, when out is not
 * NULL, write them (cap octets).
 */
static enum sd_rc
gsm7_walk(const char *utf8, size_t len, uint8_t *out, size_t cap, size_t *n,
    char *err)
{
	const uint8_t *s = (const uint8_t *)utf8;
	size_t pos = 0, k = 0;

	if (len > SMSC_TEXT_MAX) {
		sd_errf(err, "text of %zu bytes, at most %d", len,
		    SMSC_TEXT_MAX);
		return SD_ETOOBIG;
	}
	while (pos < len) {
		size_t at = pos;
		uint32_t cp;
		int g;

		if (utf8_next(s, len, &pos, &cp, err) != 0)
			return SD_EINVAL;
		g = core_sms_gsm7_septet(cp);
		if (g < 0) {
			sd_errf(err,
			    "U+%04X at offset %zu has no GSM 7-bit form",
			    (unsigned)cp, at);
			return SD_ENOTFOUND;
		}
		if (g & CORE_SMS_GSM7_ESC) {
			if (out != NULL) {
				if (cap - k < 2)
					goto toobig;
				out[k] = 0x1B;
				out[k + 1] = (uint8_t)(g & 0x7F);
			}
			k += 2;
		} else {
			if (out != NULL) {
				if (cap - k < 1)
					goto toobig;
				out[k] = (uint8_t)g;
			}
			k++;
		}
	}
	*n = k;
	return SD_OK;
toobig:
	sd_errf(err, "septets do not fit in %zu octets", cap);
	return SD_ETOOBIG;
}

enum sd_rc
smsc_gsm7_measure(const char *utf8, size_t len, size_t *nseptets,
    char err[SD_ERRLEN])
{
	return gsm7_walk(utf8, len, NULL, 0, nseptets, err);
}

enum sd_rc
smsc_gsm7_encode(const char *utf8, size_t len, uint8_t *out, size_t cap,
    size_t *nseptets, char err[SD_ERRLEN])
{
	return gsm7_walk(utf8, len, out, cap, nseptets, err);
}

enum sd_rc
smsc_gsm7_decode(const uint8_t *septets, size_t n, unsigned flags, char *out,
    size_t cap, size_t *outlen, char err[SD_ERRLEN])
{
	size_t i, pos = 0;

	if (n > SMSC_DECODE_MAX) {
		sd_errf(err, "%zu septets, at most %d", n, SMSC_DECODE_MAX);
		return SD_ETOOBIG;
	}
	for (i = 0; i < n; i++) {
		uint8_t s = septets[i];
		uint32_t cp;

		if (s > 0x7F) {
			if (!(flags & SMSC_DECODE_LENIENT)) {
				sd_errf(err,
				    "octet 0x%02X at %zu is not a GSM 7-bit "
				    "septet",
				    s, i);
				return SD_EINVAL;
			}
			cp = 0xFFFD;
		} else if (s == 0x1B) {
			/*
			 * 23.038: an escape before a code the extension table
			 * lacks shows the main-table character; 1B 1B (a
			 * further table) and a lone escape show a space. An
			 * escape before a non-septet leaves that octet to the
			 * next turn.
			 */
			cp = ' ';
			if (i + 1 < n && septets[i + 1] <= 0x7F) {
				uint8_t e = septets[++i];

				cp = core_sms_gsm7_ext_char(e);
				if (cp == 0)
					cp = e == 0x1B ? ' ' :
							 core_sms_gsm7_char(e);
			}
		} else
			cp = core_sms_gsm7_char(s);
		if (utf8_put(out, cap, &pos, cp) != 0)
			goto toobig;
	}
	if (cap < 1)
		goto toobig;
	out[pos] = '\0';
	*outlen = pos;
	return SD_OK;
toobig:
	sd_errf(err, "decoded text does not fit in %zu bytes", cap);
	return SD_ETOOBIG;
}

/* Or the 7 bits of v into out at bit position bit. */
static void
gsm7_put7(uint8_t *out, size_t bit, uint8_t v)
{
	size_t o = bit / 8;
	unsigned sh = bit % 8;

	out[o] |= (uint8_t)(v << sh);
	if (sh > 1)
		out[o + 1] |= (uint8_t)(v >> (8 - sh));
}

/* The 7 bits of in at bit position bit (all of them inside in). */
static uint8_t
gsm7_get7(const uint8_t *in, size_t bit)
{
	size_t o = bit / 8;
	unsigned sh = bit % 8;
	unsigned v = (unsigned)in[o] >> sh;

	if (sh > 1)
		v |= (unsigned)in[o + 1] << (8 - sh);
	return (uint8_t)(v & 0x7F);
}

enum sd_rc
smsc_gsm7_pack(const uint8_t *septets, size_t n, unsigned fill_bits,
    uint8_t *out, size_t cap, size_t *outlen)
{
	size_t bits, olen, i;

	if (fill_bits > 6)
		return SD_EINVAL;
	if (n > SMSC_DECODE_MAX)
		return SD_ETOOBIG;
	bits = fill_bits + 7 * n;
	olen = (bits + 7) / 8;
	if (olen > cap)
		return SD_ETOOBIG;
	memset(out, 0, olen);
	for (i = 0; i < n; i++) {
		if (septets[i] > 0x7F)
			return SD_EINVAL;
		gsm7_put7(out, fill_bits + 7 * i, septets[i]);
	}
	if (olen * 8 - bits == 7)
		gsm7_put7(out, bits, 0x0D);
	*outlen = olen;
	return SD_OK;
}

enum sd_rc
smsc_gsm7_unpack(const uint8_t *octets, size_t len, unsigned fill_bits,
    size_t nseptets, uint8_t *out, size_t cap, size_t *outn)
{
	size_t bits, avail, n, i;

	if (fill_bits > 6)
		return SD_EINVAL;
	if (len > SMSC_DECODE_MAX)
		return SD_ETOOBIG;
	bits = len * 8 < fill_bits ? 0 : len * 8 - fill_bits;
	avail = bits / 7;
	if (nseptets != 0) {
		if (nseptets > avail)
			return SD_EINVAL;
		n = nseptets;
	} else {
		n = avail;
		/* 7 spare bits at the end read as one more septet: the
		 * sender's padding (CR, or 0 from senders that ignore
		 * 23.038 §6.1.2.3.1). */
		if (n > 0 && bits % 7 == 0) {
			uint8_t last = gsm7_get7(octets,
			    fill_bits + 7 * (n - 1));

			if (last == 0x0D || last == 0x00)
				n--;
		}
	}
	if (n > cap)
		return SD_ETOOBIG;
	for (i = 0; i < n; i++)
		out[i] = gsm7_get7(octets, fill_bits + 7 * i);
	*outn = n;
	return SD_OK;
}

/*
 * Walk utf8 as UTF-16: count octets into *olen and, when out is not NULL,
 * write them big-endian (cap octets).
 */
static enum sd_rc
ucs2_walk(const char *utf8, size_t len, uint8_t *out, size_t cap, size_t *olen,
    char *err)
{
	const uint8_t *s = (const uint8_t *)utf8;
	size_t pos = 0, k = 0;

	if (len > SMSC_TEXT_MAX) {
		sd_errf(err, "text of %zu bytes, at most %d", len,
		    SMSC_TEXT_MAX);
		return SD_ETOOBIG;
	}
	while (pos < len) {
		uint32_t cp, u[2];
		size_t nu, j;

		if (utf8_next(s, len, &pos, &cp, err) != 0)
			return SD_EINVAL;
		if (cp < 0x10000) {
			u[0] = cp;
			nu = 1;
		} else {
			u[0] = 0xD800 + ((cp - 0x10000) >> 10);
			u[1] = 0xDC00 + ((cp - 0x10000) & 0x3FF);
			nu = 2;
		}
		if (out != NULL) {
			if (cap - k < 2 * nu) {
				sd_errf(err,
				    "UTF-16 does not fit in %zu octets", cap);
				return SD_ETOOBIG;
			}
			for (j = 0; j < nu; j++) {
				out[k + 2 * j] = (uint8_t)(u[j] >> 8);
				out[k + 2 * j + 1] = (uint8_t)(u[j] & 0xFF);
			}
		}
		k += 2 * nu;
	}
	*olen = k;
	return SD_OK;
}

enum sd_rc
smsc_ucs2_encode(const char *utf8, size_t len, uint8_t *out, size_t cap,
    size_t *outlen, char err[SD_ERRLEN])
{
	return ucs2_walk(utf8, len, out, cap, outlen, err);
}

enum sd_rc
smsc_ucs2_decode(const uint8_t *in, size_t len, unsigned flags, char *out,
    size_t cap, size_t *outlen, char err[SD_ERRLEN])
{
	bool lenient = (flags & SMSC_DECODE_LENIENT) != 0;
	size_t i = 0, pos = 0;

	if (len > SMSC_DECODE_MAX) {
		sd_errf(err, "%zu octets, at most %d", len, SMSC_DECODE_MAX);
		return SD_ETOOBIG;
	}
	if (len % 2 != 0 && !lenient) {
		sd_errf(err, "UCS-2 text of an odd number of octets (%zu)",
		    len);
		return SD_EINVAL;
	}
	while (i + 1 < len) {
		uint32_t u = (uint32_t)in[i] << 8 | in[i + 1], cp = u;
		size_t at = i;

		i += 2;
		if (u >= 0xD800 && u <= 0xDBFF) {
			uint32_t lo = i + 1 < len ?
			    ((uint32_t)in[i] << 8 | in[i + 1]) :
			    0;

			if (lo >= 0xDC00 && lo <= 0xDFFF) {
				cp = 0x10000 + ((u - 0xD800) << 10) +
				    (lo - 0xDC00);
				i += 2;
			} else if (!lenient) {
				sd_errf(err,
				    "unpaired high surrogate %04X at octet %zu",
				    (unsigned)u, at);
				return SD_EINVAL;
			} else
				cp = 0xFFFD;
		} else if (u >= 0xDC00 && u <= 0xDFFF) {
			if (!lenient) {
				sd_errf(err,
				    "unpaired low surrogate %04X at octet %zu",
				    (unsigned)u, at);
				return SD_EINVAL;
			}
			cp = 0xFFFD;
		} else if (u == 0) {
			if (!lenient) {
				sd_errf(err, "U+0000 at octet %zu", at);
				return SD_EINVAL;
			}
			continue;
		}
		if (utf8_put(out, cap, &pos, cp) != 0)
			goto toobig;
	}
	if (len % 2 != 0 && utf8_put(out, cap, &pos, 0xFFFD) != 0)
		goto toobig;
	if (cap < 1)
		goto toobig;
	out[pos] = '\0';
	*outlen = pos;
	return SD_OK;
toobig:
	sd_errf(err, "decoded text does not fit in %zu bytes", cap);
	return SD_ETOOBIG;
}

enum sd_rc
smsc_latin1_decode(const uint8_t *in, size_t len, unsigned flags, char *out,
    size_t cap, size_t *outlen, char err[SD_ERRLEN])
{
	size_t i, pos = 0;

	if (len > SMSC_DECODE_MAX) {
		sd_errf(err, "%zu octets, at most %d", len, SMSC_DECODE_MAX);
		return SD_ETOOBIG;
	}
	for (i = 0; i < len; i++) {
		if (in[i] == 0) {
			if (flags & SMSC_DECODE_LENIENT)
				continue;
			sd_errf(err, "octet 0 at %zu", i);
			return SD_EINVAL;
		}
		if (utf8_put(out, cap, &pos, in[i]) != 0)
			goto toobig;
	}
	if (cap < 1)
		goto toobig;
	out[pos] = '\0';
	*outlen = pos;
	return SD_OK;
toobig:
	sd_errf(err, "decoded text does not fit in %zu bytes", cap);
	return SD_ETOOBIG;
}

enum sd_rc
smsc_binary_decode(const uint8_t *in, size_t len, unsigned flags, char *out,
    size_t cap, size_t *outlen, char err[SD_ERRLEN])
{
	size_t pos = 0;
	uint32_t cp;

	if (len > SMSC_DECODE_MAX) {
		sd_errf(err, "%zu octets, at most %d", len, SMSC_DECODE_MAX);
		return SD_ETOOBIG;
	}
	while (pos < len && utf8_next(in, len, &pos, &cp, NULL) == 0)
		;
	if (pos < len)
		return smsc_latin1_decode(in, len, flags, out, cap, outlen,
		    err);
	if (cap < 1 || len > cap - 1) {
		sd_errf(err, "decoded text does not fit in %zu bytes", cap);
		return SD_ETOOBIG;
	}
	if (len > 0)
		memcpy(out, in, len);
	out[len] = '\0';
	*outlen = len;
	return SD_OK;
}

enum sd_rc
smsc_text_decode(enum smsc_alphabet alpha, const uint8_t *units, size_t len,
    unsigned flags, char **out, size_t *outlen, char err[SD_ERRLEN])
{
	enum sd_rc rc;
	size_t cap;
	char *buf;

	*out = NULL;
	if (len > SMSC_DECODE_MAX) {
		sd_errf(err, "%zu units, at most %d", len, SMSC_DECODE_MAX);
		return SD_ETOOBIG;
	}
	cap = SMSC_UTF8_MAX(len);
	buf = xmalloc(cap);
	switch (alpha) {
	case SMSC_ALPHA_GSM7:
		rc = smsc_gsm7_decode(units, len, flags, buf, cap, outlen, err);
		break;
	case SMSC_ALPHA_UCS2:
		rc = smsc_ucs2_decode(units, len, flags, buf, cap, outlen, err);
		break;
	case SMSC_ALPHA_LATIN1:
		rc = smsc_latin1_decode(units, len, flags, buf, cap, outlen,
		    err);
		break;
	case SMSC_ALPHA_BINARY:
		rc = smsc_binary_decode(units, len, flags, buf, cap, outlen,
		    err);
		break;
	default:
		sd_errf(err, "unknown alphabet %d", (int)alpha);
		rc = SD_EINVAL;
		break;
	}
	if (rc != SD_OK) {
		free(buf);
		return rc;
	}
	*out = buf;
	return SD_OK;
}

enum sd_rc
smsc_dc_alphabet(uint8_t data_coding, uint8_t gsm7_dc,
    enum smsc_alphabet *alpha, char err[SD_ERRLEN])
{
	uint8_t dc = data_coding;

	switch (dc) {
	case 0x00:
		*alpha = gsm7_dc == 1 ? SMSC_ALPHA_LATIN1 : SMSC_ALPHA_GSM7;
		return SD_OK;
	case 0x01:
		*alpha = gsm7_dc == 1 ? SMSC_ALPHA_GSM7 : SMSC_ALPHA_LATIN1;
		return SD_OK;
	case 0x02:
	case 0x04: *alpha = SMSC_ALPHA_BINARY; return SD_OK;
	case 0x03: *alpha = SMSC_ALPHA_LATIN1; return SD_OK;
	case 0x08: *alpha = SMSC_ALPHA_UCS2; return SD_OK;
	default: break;
	}
	if (dc >= 0x10 && dc <= 0x7F && !(dc & 0x20)) {
		/* General data coding / automatic deletion groups:
		 * bits 3..2 give the alphabet. */
		switch ((dc >> 2) & 3) {
		case 0: *alpha = SMSC_ALPHA_GSM7; return SD_OK;
		case 1: *alpha = SMSC_ALPHA_BINARY; return SD_OK;
		case 2: *alpha = SMSC_ALPHA_UCS2; return SD_OK;
		default: break;
		}
	} else if (dc >= 0xC0 && dc <= 0xDF) {
		*alpha = SMSC_ALPHA_GSM7; /* message waiting, discard/store */
		return SD_OK;
	} else if (dc >= 0xE0 && dc <= 0xEF) {
		*alpha = SMSC_ALPHA_UCS2; /* message waiting, store, UCS-2 */
		return SD_OK;
	} else if (dc >= 0xF0) {
		*alpha = (dc & 0x04) ? SMSC_ALPHA_BINARY : SMSC_ALPHA_GSM7;
		return SD_OK;
	}
	sd_errf(err, "data_coding 0x%02X is not supported", dc);
	return SD_EINVAL;
}

enum sd_rc
smsc_text_choose(const char *utf8, size_t len, uint8_t gsm7_dc,
    enum smsc_alphabet *alpha, uint8_t *data_coding, size_t *units,
    char err[SD_ERRLEN])
{
	struct core_sms_count c;
	enum sd_rc rc;

	if (gsm7_dc > 1) {
		sd_errf(err, "GSM 7-bit data_coding %u, must be 0 or 1",
		    gsm7_dc);
		return SD_EINVAL;
	}
	if (len > SMSC_TEXT_MAX) {
		sd_errf(err, "text of %zu bytes, at most %d", len,
		    SMSC_TEXT_MAX);
		return SD_ETOOBIG;
	}
	/* The alphabet and the count are core's, so that the command
	 * channel budgets a reply exactly as it is sent. */
	rc = core_sms_count(utf8, len, CORE_SMS_ONE_PART, &c, NULL, 0, err);
	if (rc != SD_OK)
		return rc;
	*alpha = c.alphabet == CORE_SMS_GSM7 ? SMSC_ALPHA_GSM7 :
					       SMSC_ALPHA_UCS2;
	if (data_coding != NULL)
		*data_coding = c.alphabet == CORE_SMS_GSM7 ? gsm7_dc :
							     SMSC_DC_UCS2;
	if (units != NULL)
		*units = c.units;
	return SD_OK;
}

/* The concat UDH of UDH mode: 05 00 03 ref total seq. */
#define SEG_UDH_LEN 6

/* How a text will be cut. */
struct seg_plan {
	enum smsc_alphabet alpha;          /* GSM 7-bit or UCS-2 */
	uint8_t dc;                        /* its data_coding */
	size_t units;                      /* septets or code units in all */
	size_t nparts;                     /* parts needed */
	size_t bounds[SMSC_PARTS_MAX + 1]; /* byte offset where part i
					      starts; [nparts] = len (only
					      while nparts <= SMSC_PARTS_MAX) */
};

void
smsc_seg_opts_default(struct smsc_seg_opts *o)
{
	memset(o, 0, sizeof(*o));
	o->mode = SMSC_SEG_UDH;
	o->max_parts = 6;
	o->gsm7_dc = SMSC_DC_DEFAULT;
	o->gsm7_packed = false;
	o->sar_full = false;
}

static enum sd_rc
seg_opts_check(const struct smsc_seg_opts *o, char *err)
{
	if (o->mode != SMSC_SEG_UDH && o->mode != SMSC_SEG_SAR &&
	    o->mode != SMSC_SEG_PAYLOAD) {
		sd_errf(err, "unknown long-text mode %d", (int)o->mode);
		return SD_EINVAL;
	}
	if (o->max_parts < 1 || o->max_parts > SMSC_PARTS_MAX) {
		sd_errf(err, "max_parts %u, must be 1..%d", o->max_parts,
		    SMSC_PARTS_MAX);
		return SD_EINVAL;
	}
	if (o->gsm7_dc > 1) {
		sd_errf(err, "GSM 7-bit data_coding %u, must be 0 or 1",
		    o->gsm7_dc);
		return SD_EINVAL;
	}
	return SD_OK;
}

/* Octets the text of n units takes in a PDU of this plan. */
static size_t
seg_octets(const struct seg_plan *p, const struct smsc_seg_opts *o, size_t n,
    unsigned fill)
{
	if (p->alpha == SMSC_ALPHA_UCS2)
		return 2 * n;
	if (o->gsm7_packed)
		return (fill + 7 * n + 7) / 8;
	return n;
}

/*
 * Choose the encoding of utf8 and find where its parts start, by
 * core_sms_count(). The count in p->nparts is exact even beyond
 * SMSC_PARTS_MAX (only bounds stop being filled).
 */
static enum sd_rc
seg_plan_make(const char *utf8, size_t len, const struct smsc_seg_opts *o,
    struct seg_plan *p, char *err)
{
	struct core_sms_count c;
	unsigned flags = 0;
	enum sd_rc rc;

	if (o->mode == SMSC_SEG_PAYLOAD || o->ussd)
		flags |= CORE_SMS_ONE_PART;
	else if (o->mode == SMSC_SEG_SAR && o->sar_full)
		flags |= CORE_SMS_FULL_PARTS;
	rc = core_sms_count(utf8, len, flags, &c, p->bounds,
	    sizeof(p->bounds) / sizeof(p->bounds[0]), err);
	if (rc != SD_OK)
		return rc;
	p->alpha = c.alphabet == CORE_SMS_GSM7 ? SMSC_ALPHA_GSM7 :
						 SMSC_ALPHA_UCS2;
	p->dc = c.alphabet == CORE_SMS_GSM7 ? o->gsm7_dc : SMSC_DC_UCS2;
	p->units = c.units;
	p->nparts = c.parts;
	return SD_OK;
}

enum sd_rc
smsc_seg_count(const char *utf8, size_t len, const struct smsc_seg_opts *o,
    size_t *nparts, size_t *units, char err[SD_ERRLEN])
{
	struct seg_plan p;
	enum sd_rc rc;

	rc = seg_opts_check(o, err);
	if (rc != SD_OK)
		return rc;
	rc = seg_plan_make(utf8, len, o, &p, err);
	if (rc != SD_OK)
		return rc;
	*nparts = p.nparts;
	if (units != NULL)
		*units = p.units;
	return SD_OK;
}

/*
 * Encode the text t (tl bytes) of one part behind udh (udhl octets, may
 * be 0) into a new part->sm. tmp (tmpcap octets) is scratch space of at
 * least 2 * tl octets.
 */
static enum sd_rc
seg_part_encode(const struct seg_plan *p, const struct smsc_seg_opts *o,
    const char *t, size_t tl, const uint8_t *udh, size_t udhl, uint8_t *tmp,
    size_t tmpcap, struct smsc_part *part, char *err)
{
	unsigned fill = 0;
	size_t n, olen;
	enum sd_rc rc;

	if (p->alpha == SMSC_ALPHA_GSM7) {
		rc = smsc_gsm7_encode(t, tl, tmp, tmpcap, &n, err);
		if (rc != SD_OK)
			return rc;
		if (udhl > 0)
			fill = (unsigned)((7 - (udhl * 8) % 7) % 7);
	} else {
		rc = smsc_ucs2_encode(t, tl, tmp, tmpcap, &olen, err);
		if (rc != SD_OK)
			return rc;
		n = olen / 2;
	}
	olen = seg_octets(p, o, n, fill);
	part->sm = xmalloc(udhl + olen);
	part->len = udhl + olen;
	part->units = n;
	part->data_coding = p->dc;
	if (udhl > 0)
		memcpy(part->sm, udh, udhl);
	if (p->alpha == SMSC_ALPHA_GSM7 && o->gsm7_packed) {
		size_t plen;

		rc = smsc_gsm7_pack(tmp, n, fill, part->sm + udhl, olen, &plen);
		if (rc != SD_OK) {
			sd_errf(err, "packing failed");
			return rc;
		}
	} else if (olen > 0)
		memcpy(part->sm + udhl, tmp, olen);
	return SD_OK;
}

enum sd_rc
smsc_seg_split(const char *utf8, size_t len, const struct smsc_seg_opts *o,
    uint16_t ref, struct smsc_seg *s, char err[SD_ERRLEN])
{
	struct seg_plan *p = NULL;
	uint8_t *tmp = NULL;
	size_t i, tmpcap;
	enum sd_rc rc;

	memset(s, 0, sizeof(*s));
	if (utf8 == NULL)
		utf8 = ""; /* with len 0, below: no arithmetic on NULL */
	rc = seg_opts_check(o, err);
	if (rc != SD_OK)
		return rc;
	if (len > SMSC_TEXT_MAX) {
		sd_errf(err, "text of %zu bytes, at most %d", len,
		    SMSC_TEXT_MAX);
		return SD_ETOOBIG;
	}
	p = xmalloc(sizeof(*p));
	rc = seg_plan_make(utf8, len, o, p, err);
	if (rc != SD_OK)
		goto fail;
	if (p->nparts > o->max_parts) {
		sd_errf(err, "text of %zu %s needs %zu parts, at most %u",
		    p->units,
		    p->alpha == SMSC_ALPHA_GSM7 ? "septets" : "code units",
		    p->nparts, o->max_parts);
		rc = SD_ETOOBIG;
		goto fail;
	}
	if (o->ussd &&
	    p->units > (p->alpha == SMSC_ALPHA_GSM7 ? SMSC_USSD_GSM7_MAX :
						      SMSC_USSD_UCS2_MAX)) {
		sd_errf(err, "text of %zu %s, one USSD string holds %d",
		    p->units,
		    p->alpha == SMSC_ALPHA_GSM7 ? "septets" : "code units",
		    p->alpha == SMSC_ALPHA_GSM7 ? SMSC_USSD_GSM7_MAX :
						  SMSC_USSD_UCS2_MAX);
		rc = SD_ETOOBIG;
		goto fail;
	}
	if (o->mode == SMSC_SEG_PAYLOAD &&
	    seg_octets(p, o, p->units, 0) > SMSC_PAYLOAD_MAX) {
		sd_errf(err, "text needs %zu octets, message_payload holds %d",
		    seg_octets(p, o, p->units, 0), SMSC_PAYLOAD_MAX);
		rc = SD_ETOOBIG;
		goto fail;
	}
	tmpcap = 2 * len + 2;
	tmp = xmalloc(tmpcap);
	s->parts = xcalloc(p->nparts, sizeof(*s->parts));
	s->nparts = p->nparts;
	s->alphabet = p->alpha;
	s->data_coding = p->dc;
	s->payload = o->mode == SMSC_SEG_PAYLOAD;
	s->units = p->units;
	for (i = 0; i < p->nparts; i++) {
		struct smsc_part *part = &s->parts[i];
		uint8_t udh[SEG_UDH_LEN] = {0x05, 0x00, 0x03, (uint8_t)ref,
		    (uint8_t)p->nparts, (uint8_t)(i + 1)};
		bool multi = p->nparts > 1;
		bool with_udh = multi && o->mode == SMSC_SEG_UDH;

		rc = seg_part_encode(p, o, utf8 + p->bounds[i],
		    p->bounds[i + 1] - p->bounds[i], udh,
		    with_udh ? SEG_UDH_LEN : 0, tmp, tmpcap, part, err);
		if (rc != SD_OK)
			goto fail;
		part->esm_class = with_udh ? SMSC_ESM_UDHI : 0;
		if (multi && o->mode == SMSC_SEG_SAR) {
			part->sar = true;
			part->sar_msg_ref_num = ref;
			part->sar_total_segments = (uint8_t)p->nparts;
			part->sar_segment_seqnum = (uint8_t)(i + 1);
		}
	}
	free(tmp);
	free(p);
	return SD_OK;
fail:
	smsc_seg_fini(s);
	free(tmp);
	free(p);
	return rc;
}

void
smsc_seg_fini(struct smsc_seg *s)
{
	size_t i;

	if (s == NULL)
		return;
	for (i = 0; i < s->nparts && s->parts != NULL; i++)
		free(s->parts[i].sm);
	free(s->parts);
	memset(s, 0, sizeof(*s));
}
