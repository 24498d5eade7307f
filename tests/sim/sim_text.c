/*
 * tests/sim/sim_text.c: strings, escaping and SMS codecs of the simulator.
 *
 * The decoders are the simulator's own, written apart from smsc/'s codecs
 * on purpose: a simulator that shared the ESME's codec would agree with
 * its bugs. Formats:
 *   - GSM 7-bit (3GPP TS 23.038) as submit_sm carries it: one septet per
 *     octet, 0x1B escaping into the extension table; the UDH, when there
 *     is one, takes whole octets before the first septet.
 *   - UCS-2 as UTF-16BE; surrogate pairs are joined, strays become
 *     U+FFFD.
 *   - Latin-1 maps octet n to U+00nn.
 *   - UDH (23.040 §9.2.3.24): UDHL, then IEI/IEL/data; concatenation is
 *     IEI 0x00 (8-bit reference, IEL 3) or 0x08 (16-bit, IEL 4).
 * Decoded text is always well-formed UTF-8 without NUL.
 */
#include "tests/sim/sim.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "core/base/xmalloc.h"

/* ---------------------------------------------------------------------
 * sim_buf
 */

static void
buf_reserve(struct sim_buf *b, size_t more)
{
	size_t need = b->len + more + 1;

	if (need <= b->cap)
		return;
	if (b->cap == 0)
		b->cap = 64;
	while (b->cap < need)
		b->cap *= 2;
	b->p = xrealloc(b->p, b->cap);
}

void
sim_buf_add(struct sim_buf *b, const void *data, size_t n)
{
	buf_reserve(b, n);
	if (n > 0)
		memcpy(b->p + b->len, data, n);
	b->len += n;
	b->p[b->len] = '\0';
}

void
sim_buf_adds(struct sim_buf *b, const char *s)
{
	sim_buf_add(b, s, strlen(s));
}

void
sim_buf_addf(struct sim_buf *b, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	buf_reserve(b, (size_t)n);
	va_start(ap, fmt);
	(void)vsnprintf(b->p + b->len, (size_t)n + 1, fmt, ap);
	va_end(ap);
	b->len += (size_t)n;
}

void
sim_buf_add_cp(struct sim_buf *b, uint32_t cp)
{
	char u[4];
	size_t n;

	if (cp < 0x80) {
		u[0] = (char)cp;
		n = 1;
	} else if (cp < 0x800) {
		u[0] = (char)(0xC0 | (cp >> 6));
		u[1] = (char)(0x80 | (cp & 0x3F));
		n = 2;
	} else if (cp < 0x10000) {
		u[0] = (char)(0xE0 | (cp >> 12));
		u[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
		u[2] = (char)(0x80 | (cp & 0x3F));
		n = 3;
	} else {
		u[0] = (char)(0xF0 | (cp >> 18));
		u[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
		u[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
		u[3] = (char)(0x80 | (cp & 0x3F));
		n = 4;
	}
	sim_buf_add(b, u, n);
}

void
sim_buf_json(struct sim_buf *b, const char *s)
{
	const char *run = s;

	sim_buf_add(b, "\"", 1);
	for (; *s != '\0'; s++) {
		unsigned char ch = (unsigned char)*s;
		const char *esc = NULL;
		char u[8];

		switch (ch) {
		case '"': esc = "\\\""; break;
		case '\\': esc = "\\\\"; break;
		case '\n': esc = "\\n"; break;
		case '\r': esc = "\\r"; break;
		case '\t': esc = "\\t"; break;
		default:
			if (ch < 0x20) {
				snprintf(u, sizeof(u), "\\u%04x", ch);
				esc = u;
			}
		}
		if (esc == NULL)
			continue;
		sim_buf_add(b, run, (size_t)(s - run));
		sim_buf_adds(b, esc);
		run = s + 1;
	}
	sim_buf_add(b, run, (size_t)(s - run));
	sim_buf_add(b, "\"", 1);
}

void
sim_buf_html(struct sim_buf *b, const char *s)
{
	const char *run = s;

	for (; *s != '\0'; s++) {
		const char *esc;

		switch (*s) {
		case '&': esc = "&amp;"; break;
		case '<': esc = "&lt;"; break;
		case '>': esc = "&gt;"; break;
		case '"': esc = "&quot;"; break;
		case '\'': esc = "&#39;"; break;
		default: continue;
		}
		sim_buf_add(b, run, (size_t)(s - run));
		sim_buf_adds(b, esc);
		run = s + 1;
	}
	sim_buf_add(b, run, (size_t)(s - run));
}

char *
sim_buf_take(struct sim_buf *b)
{
	char *p = b->p;

	if (p == NULL)
		p = xstrdup("");
	b->p = NULL;
	b->len = b->cap = 0;
	return p;
}

void
sim_buf_fini(struct sim_buf *b)
{
	free(b->p);
	b->p = NULL;
	b->len = b->cap = 0;
}

/* ---------------------------------------------------------------------
 * GSM 03.38 default alphabet
 */

/* The basic table, eight septets a row from 0x00. */
/* clang-format off */
static const uint16_t gsm7_basic[128] = {
	0x0040, 0x00A3, 0x0024, 0x00A5, 0x00E8, 0x00E9, 0x00F9, 0x00EC,
	0x00F2, 0x00C7, 0x000A, 0x00D8, 0x00F8, 0x000D, 0x00C5, 0x00E5,
	0x0394, 0x005F, 0x03A6, 0x0393, 0x039B, 0x03A9, 0x03A0, 0x03A8,
	0x03A3, 0x0398, 0x039E, 0x00A0, 0x00C6, 0x00E6, 0x00DF, 0x00C9,
	0x0020, 0x0021, 0x0022, 0x0023, 0x00A4, 0x0025, 0x0026, 0x0027,
	0x0028, 0x0029, 0x002A, 0x002B, 0x002C, 0x002D, 0x002E, 0x002F,
	0x0030, 0x0031, 0x0032, 0x0033, 0x0034, 0x0035, 0x0036, 0x0037,
	0x0038, 0x0039, 0x003A, 0x003B, 0x003C, 0x003D, 0x003E, 0x003F,
	0x00A1, 0x0041, 0x0042, 0x0043, 0x0044, 0x0045, 0x0046, 0x0047,
	0x0048, 0x0049, 0x004A, 0x004B, 0x004C, 0x004D, 0x004E, 0x004F,
	0x0050, 0x0051, 0x0052, 0x0053, 0x0054, 0x0055, 0x0056, 0x0057,
	0x0058, 0x0059, 0x005A, 0x00C4, 0x00D6, 0x00D1, 0x00DC, 0x00A7,
	0x00BF, 0x0061, 0x0062, 0x0063, 0x0064, 0x0065, 0x0066, 0x0067,
	0x0068, 0x0069, 0x006A, 0x006B, 0x006C, 0x006D, 0x006E, 0x006F,
	0x0070, 0x0071, 0x0072, 0x0073, 0x0074, 0x0075, 0x0076, 0x0077,
	0x0078, 0x0079, 0x007A, 0x00E4, 0x00F6, 0x00F1, 0x00FC, 0x00E0,
};
/* clang-format on */

/* The extension table (after 0x1B). */
/* clang-format off */
static const struct {
	uint8_t septet; /* code after the escape */
	uint16_t cp;    /* Unicode */
} gsm7_ext[] = {
	{0x0A, 0x000C}, {0x14, 0x005E}, {0x28, 0x007B}, {0x29, 0x007D},
	{0x2F, 0x005C}, {0x3C, 0x005B}, {0x3D, 0x007E}, {0x3E, 0x005D},
	{0x40, 0x007C}, {0x65, 0x20AC},
};
/* clang-format on */

#define GSM7_ESC 0x1B
#define NITEMS(a) (sizeof(a) / sizeof((a)[0]))

static size_t
gsm7_decode(const uint8_t *in, size_t n, struct sim_buf *out)
{
	size_t i, bad = 0;

	for (i = 0; i < n; i++) {
		uint8_t c = in[i];

		if (c > 0x7F) {
			sim_buf_add_cp(out, 0xFFFD);
			bad++;
			continue;
		}
		if (c == GSM7_ESC && i + 1 < n && in[i + 1] <= 0x7F) {
			uint8_t e = in[++i];
			size_t k;

			for (k = 0; k < NITEMS(gsm7_ext); k++)
				if (gsm7_ext[k].septet == e)
					break;
			/* 23.038: an unknown extension shows as the basic
			 * character; a second escape as a space. */
			if (k < NITEMS(gsm7_ext))
				sim_buf_add_cp(out, gsm7_ext[k].cp);
			else if (e == GSM7_ESC)
				sim_buf_add_cp(out, 0x20);
			else
				sim_buf_add_cp(out, gsm7_basic[e]);
			continue;
		}
		if (c == GSM7_ESC) {
			/* A trailing escape: nothing follows it. */
			sim_buf_add_cp(out, 0x20);
			continue;
		}
		sim_buf_add_cp(out, gsm7_basic[c]);
	}
	return bad;
}

static size_t
ucs2_decode(const uint8_t *in, size_t n, struct sim_buf *out)
{
	size_t i, bad = 0;

	for (i = 0; i + 1 < n; i += 2) {
		uint32_t u = (uint32_t)in[i] << 8 | in[i + 1];

		if (u >= 0xD800 && u <= 0xDBFF && i + 3 < n) {
			uint32_t lo = (uint32_t)in[i + 2] << 8 | in[i + 3];

			if (lo >= 0xDC00 && lo <= 0xDFFF) {
				sim_buf_add_cp(out, 0x10000 +
							((u - 0xD800) << 10) +
							(lo - 0xDC00));
				i += 2;
				continue;
			}
		}
		if ((u >= 0xD800 && u <= 0xDFFF) || u == 0) {
			sim_buf_add_cp(out, 0xFFFD);
			bad++;
			continue;
		}
		sim_buf_add_cp(out, u);
	}
	if (n % 2 != 0) {
		sim_buf_add_cp(out, 0xFFFD);
		bad++;
	}
	return bad;
}

enum sim_alpha
sim_dc_alpha(uint8_t dc)
{
	switch (dc) {
	case 0x00:
	case 0x01: return SIM_ALPHA_GSM7;
	case 0x03: return SIM_ALPHA_LATIN1;
	case 0x08: return SIM_ALPHA_UCS2;
	default: break;
	}
	if (dc < 0x10)
		return SIM_ALPHA_BINARY;
	/* GSM 03.38 §4: general data coding (00xx) and message waiting
	 * groups carry the alphabet in bits 3..2; 0xF0..0xFF in bit 2. */
	if ((dc & 0xC0) == 0x00) {
		switch ((dc >> 2) & 0x03) {
		case 0: return SIM_ALPHA_GSM7;
		case 2: return SIM_ALPHA_UCS2;
		default: return SIM_ALPHA_BINARY;
		}
	}
	if ((dc & 0xF0) == 0xC0 || (dc & 0xF0) == 0xD0)
		return SIM_ALPHA_GSM7;
	if ((dc & 0xF0) == 0xE0)
		return SIM_ALPHA_UCS2;
	if ((dc & 0xF0) == 0xF0)
		return (dc & 0x04) ? SIM_ALPHA_BINARY : SIM_ALPHA_GSM7;
	return SIM_ALPHA_BINARY;
}

const char *
sim_alpha_name(enum sim_alpha a)
{
	switch (a) {
	case SIM_ALPHA_GSM7: return "gsm7";
	case SIM_ALPHA_LATIN1: return "latin1";
	case SIM_ALPHA_UCS2: return "ucs2";
	case SIM_ALPHA_BINARY: return "binary";
	}
	return "binary";
}

size_t
sim_text_decode(
    enum sim_alpha a, const uint8_t *in, size_t n, struct sim_buf *out)
{
	size_t i, bad = 0;

	/* Make sure out is a string even for an empty text. */
	sim_buf_add(out, "", 0);
	switch (a) {
	case SIM_ALPHA_GSM7: return gsm7_decode(in, n, out);
	case SIM_ALPHA_UCS2: return ucs2_decode(in, n, out);
	case SIM_ALPHA_LATIN1:
		for (i = 0; i < n; i++) {
			if (in[i] == 0) {
				sim_buf_add_cp(out, 0xFFFD);
				bad++;
			} else {
				sim_buf_add_cp(out, in[i]);
			}
		}
		return bad;
	case SIM_ALPHA_BINARY:
		sim_buf_adds(out, "[binary ");
		for (i = 0; i < n; i++)
			sim_buf_addf(out, "%02x", in[i]);
		sim_buf_adds(out, "]");
		return 0;
	}
	return 0;
}

/* Decode one UTF-8 sequence at s[*i] (n bytes); false when malformed
 * (overlong, surrogate, past U+10FFFF, truncated). */
static bool
utf8_next(const char *s, size_t n, size_t *i, uint32_t *cp)
{
	const unsigned char *p = (const unsigned char *)s + *i;
	size_t left = n - *i, len, k;
	uint32_t c;

	if (p[0] < 0x80) {
		*cp = p[0];
		*i += 1;
		return true;
	}
	if ((p[0] & 0xE0) == 0xC0) {
		len = 2;
		c = p[0] & 0x1F;
	} else if ((p[0] & 0xF0) == 0xE0) {
		len = 3;
		c = p[0] & 0x0F;
	} else if ((p[0] & 0xF8) == 0xF0) {
		len = 4;
		c = p[0] & 0x07;
	} else {
		return false;
	}
	if (left < len)
		return false;
	for (k = 1; k < len; k++) {
		if ((p[k] & 0xC0) != 0x80)
			return false;
		c = c << 6 | (p[k] & 0x3F);
	}
	if ((len == 2 && c < 0x80) || (len == 3 && c < 0x800) ||
	    (len == 4 && c < 0x10000) || c > 0x10FFFF ||
	    (c >= 0xD800 && c <= 0xDFFF))
		return false;
	*cp = c;
	*i += len;
	return true;
}

bool
sim_utf8_valid(const char *s, size_t n)
{
	size_t i = 0;
	uint32_t cp;

	while (i < n) {
		if (!utf8_next(s, n, &i, &cp) || cp == 0)
			return false;
	}
	return true;
}

/* The GSM 7-bit form of cp: one septet, or 0x1B and a second one.
 * Code points below 256 go through a table made at the first call (the
 * simulator encodes every MO copy; the loop thread alone calls this). */
static size_t
gsm7_of(uint32_t cp, uint8_t out[2])
{
	/* 0: none; 1..128: septet + 1; 0x100 | s: escape and s. */
	static uint16_t low[256];
	static bool low_ready;
	size_t k;

	if (!low_ready) {
		for (k = 0; k < 128; k++)
			if (k != GSM7_ESC && gsm7_basic[k] < 256 &&
			    low[gsm7_basic[k]] == 0)
				low[gsm7_basic[k]] = (uint16_t)(k + 1);
		for (k = 0; k < NITEMS(gsm7_ext); k++)
			if (gsm7_ext[k].cp < 256 && low[gsm7_ext[k].cp] == 0)
				low[gsm7_ext[k].cp] =
				    (uint16_t)(0x100 | gsm7_ext[k].septet);
		low_ready = true;
	}
	if (cp < 256) {
		if (low[cp] == 0)
			return 0;
		if (low[cp] & 0x100) {
			out[0] = GSM7_ESC;
			out[1] = (uint8_t)low[cp];
			return 2;
		}
		out[0] = (uint8_t)(low[cp] - 1);
		return 1;
	}
	for (k = 0; k < 128; k++) {
		/* 0x1B is the escape, never a character of its own. */
		if (k != GSM7_ESC && gsm7_basic[k] == cp) {
			out[0] = (uint8_t)k;
			return 1;
		}
	}
	for (k = 0; k < NITEMS(gsm7_ext); k++) {
		if (gsm7_ext[k].cp == cp) {
			out[0] = GSM7_ESC;
			out[1] = gsm7_ext[k].septet;
			return 2;
		}
	}
	return 0;
}

enum sd_rc
sim_text_encode(enum sim_alpha a, const char *utf8, size_t n, uint8_t *out,
    size_t cap, size_t *outlen)
{
	size_t i = 0, o = 0;
	uint32_t cp;

	if (a != SIM_ALPHA_GSM7 && a != SIM_ALPHA_UCS2)
		return SD_EINVAL;
	while (i < n) {
		uint8_t u[4];
		size_t k;

		if (!utf8_next(utf8, n, &i, &cp) || cp == 0)
			return SD_EINVAL;
		if (a == SIM_ALPHA_GSM7) {
			k = gsm7_of(cp, u);
			if (k == 0)
				return SD_EINVAL;
		} else if (cp < 0x10000) {
			u[0] = (uint8_t)(cp >> 8);
			u[1] = (uint8_t)cp;
			k = 2;
		} else {
			uint32_t v = cp - 0x10000;
			uint32_t hi = 0xD800 + (v >> 10);
			uint32_t lo = 0xDC00 + (v & 0x3FF);

			u[0] = (uint8_t)(hi >> 8);
			u[1] = (uint8_t)hi;
			u[2] = (uint8_t)(lo >> 8);
			u[3] = (uint8_t)lo;
			k = 4;
		}
		if (o + k > cap)
			return SD_ETOOBIG;
		memcpy(out + o, u, k);
		o += k;
	}
	*outlen = o;
	return SD_OK;
}

size_t
sim_gsm7_lenient(const char *s, size_t max_chars, uint8_t *out, size_t cap)
{
	size_t n = strlen(s), i = 0, o = 0, chars = 0;
	uint32_t cp;

	while (i < n && chars < max_chars) {
		uint8_t u[2];
		size_t k;

		if (!utf8_next(s, n, &i, &cp)) {
			i++;
			cp = '?';
		}
		k = gsm7_of(cp, u);
		if (k == 0) {
			u[0] = 0x3F; /* '?' */
			k = 1;
		}
		if (o + k > cap)
			break;
		memcpy(out + o, u, k);
		o += k;
		chars++;
	}
	return o;
}

/* ---------------------------------------------------------------------
 * UDH and splitting
 */

enum sd_rc
sim_udh_parse(const uint8_t *sm, size_t n, struct sim_udh *u)
{
	size_t off, end;

	memset(u, 0, sizeof(*u));
	if (n < 1 || (size_t)sm[0] + 1 > n)
		return SD_EINVAL;
	end = (size_t)sm[0] + 1;
	u->len = end;
	for (off = 1; off < end;) {
		uint8_t iei, iel;
		const uint8_t *d;

		if (off + 2 > end)
			return SD_EINVAL;
		iei = sm[off];
		iel = sm[off + 1];
		d = sm + off + 2;
		if (off + 2 + iel > end)
			return SD_EINVAL;
		if (iei == 0x00 || iei == 0x08) {
			uint16_t ref;
			uint8_t total, seq;

			if (iel != (iei == 0x00 ? 3 : 4))
				return SD_EINVAL;
			if (iei == 0x00) {
				ref = d[0];
				total = d[1];
				seq = d[2];
			} else {
				ref = (uint16_t)(d[0] << 8 | d[1]);
				total = d[2];
				seq = d[3];
			}
			if (total != 0 && seq != 0 && seq <= total) {
				u->concat = true;
				u->ref16 = iei == 0x08;
				u->ref = ref;
				u->total = total;
				u->seq = seq;
			}
		}
		off += 2 + (size_t)iel;
	}
	return SD_OK;
}

enum sd_rc
sim_text_split(enum sim_alpha a, const uint8_t *units, size_t n, unsigned want,
    size_t *ends, unsigned *nparts, char err[SD_ERRLEN])
{
	size_t usz = a == SIM_ALPHA_UCS2 ? 2 : 1;
	size_t total = n / usz, one, multi, off = 0;
	unsigned k = 0;

	if (a != SIM_ALPHA_GSM7 && a != SIM_ALPHA_UCS2) {
		snprintf(err, SD_ERRLEN, "alphabet cannot be split");
		return SD_EINVAL;
	}
	one = a == SIM_ALPHA_UCS2 ? 70 : 160;
	multi = a == SIM_ALPHA_UCS2 ? 67 : 153;
	if (want > SIM_PARTS_MAX) {
		snprintf(err, SD_ERRLEN, "parts must be 1..%d", SIM_PARTS_MAX);
		return SD_EINVAL;
	}
	if ((want == 0 && total <= one) || want == 1) {
		if (total > one) {
			snprintf(err, SD_ERRLEN,
			    "text is %zu units, more than one part holds (%zu)",
			    total, one);
			return SD_EINVAL;
		}
		ends[0] = n;
		*nparts = 1;
		return SD_OK;
	}
	while (off < total) {
		size_t left = total - off, size, end;

		if (k == SIM_PARTS_MAX || (want != 0 && k == want)) {
			snprintf(err, SD_ERRLEN,
			    "text does not fit in %u parts",
			    want != 0 ? want : SIM_PARTS_MAX);
			return SD_EINVAL;
		}
		if (want != 0)
			size = (left + (want - k) - 1) / (want - k);
		else
			size = left;
		if (size > multi)
			size = multi;
		end = off + size;
		if (end < total) {
			/* Keep an escape with its character and a surrogate
			 * pair together. */
			if (a == SIM_ALPHA_GSM7 && units[end - 1] == GSM7_ESC)
				end--;
			else if (a == SIM_ALPHA_UCS2 &&
				 units[(end - 1) * 2] >= 0xD8 &&
				 units[(end - 1) * 2] <= 0xDB)
				end--;
		}
		if (end <= off) {
			snprintf(err, SD_ERRLEN, "too many parts for the text");
			return SD_EINVAL;
		}
		ends[k++] = end * usz;
		off = end;
	}
	if (want != 0 && k != want) {
		snprintf(err, SD_ERRLEN,
		    "text of %zu units cannot make %u parts", total, want);
		return SD_EINVAL;
	}
	*nparts = k;
	return SD_OK;
}

/* ---------------------------------------------------------------------
 * Phone numbers
 */

static size_t
digits_of(const char *s, char *out, size_t cap)
{
	size_t n = 0;

	for (; *s != '\0' && n + 1 < cap; s++)
		if (*s >= '0' && *s <= '9')
			out[n++] = *s;
	out[n] = '\0';
	return n;
}

bool
sim_phone_match(const char *a, const char *b)
{
	char da[32], db[32];
	size_t na = digits_of(a, da, sizeof(da));
	size_t nb = digits_of(b, db, sizeof(db));

	if (na == 0 || nb == 0)
		return strcmp(a, b) == 0;
	if (na >= 10 && nb >= 10)
		return strcmp(da + na - 10, db + nb - 10) == 0;
	return strcmp(da, db) == 0;
}
