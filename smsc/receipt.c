/*
 * smsc/receipt.c: SMPP delivery receipts and message-id matching.
 *
 * A receipt is a deliver_sm with esm_class type 0x04. Its facts come from
 * two places: the TLVs receipted_message_id (0x001E), message_state
 * (0x0427) and network_error_code (0x0423), which SMPP 3.4 defines
 * exactly and which win when present; and the text of SMPP 3.4 Appendix B,
 *
 *   id:IIIIIIIIII sub:SSS dlvrd:DDD submit date:YYMMDDhhmm
 *   done date:YYMMDDhhmm stat:DDDDDDD err:E text:...
 *
 * which the appendix calls "vendor specific" and SMSCs indeed vary: key
 * case, missing fields, seconds in the dates, spaces around the colon,
 * ids in hex or decimal, full state words. The parser below looks for
 * the known keys at word starts and ignores everything else; "text:"
 * takes the rest of the message because it is the message's own text.
 *
 * Message ids: the appendix does not say whether the receipt's id is
 * written like submit_sm_resp's, and SMSCs differ (Kannel's msg-id-type
 * exists for this), so ids are compared as numbers in either base at any
 * length, with big-endian byte strings as the common form.
 *
 * States: smsc_receipt_out_state() maps SMPP's message_state to the
 * outbox's enum core_out_state, for SMPP receipts (esme.c) and HTTP
 * providers' reports (http_receipt.c) alike.
 */
#include "smsc/smsc_int.h"

#include <stdio.h>
#include <string.h>

/* Which receipt field a key names. */
enum dlr_field {
	DLR_F_ID,
	DLR_F_SUB,
	DLR_F_DLVRD,
	DLR_F_SUBMIT,
	DLR_F_DONE,
	DLR_F_STAT,
	DLR_F_ERR,
	DLR_F_TEXT,
};

/* Keys in lower case; a space matches any run of spaces or underscores,
 * or none ("submit date", "submit_date", "submitdate"). */
static const struct {
	const char *key;      /* as matched */
	enum dlr_field field; /* what it fills */
} dlr_keys[] = {
    {"id", DLR_F_ID},
    {"sub", DLR_F_SUB},
    {"dlvrd", DLR_F_DLVRD},
    {"submit date", DLR_F_SUBMIT},
    {"done date", DLR_F_DONE},
    {"stat", DLR_F_STAT},
    {"err", DLR_F_ERR},
    {"text", DLR_F_TEXT},
};

#define DLR_NKEYS (sizeof(dlr_keys) / sizeof(dlr_keys[0]))

/* stat: words (upper case) and the state each means. */
static const struct {
	const char *word;          /* as written by SMSCs */
	enum smsc_dlr_state state; /* what it means */
} dlr_stats[] = {
    {"DELIVRD", SMSC_DLR_DELIVERED},
    {"DELIVERED", SMSC_DLR_DELIVERED},
    {"EXPIRED", SMSC_DLR_EXPIRED},
    {"DELETED", SMSC_DLR_DELETED},
    {"UNDELIV", SMSC_DLR_UNDELIVERABLE},
    {"UNDELIVERABLE", SMSC_DLR_UNDELIVERABLE},
    {"UNDELIVERED", SMSC_DLR_UNDELIVERABLE},
    {"FAILED", SMSC_DLR_UNDELIVERABLE},
    {"ACCEPTD", SMSC_DLR_ACCEPTED},
    {"ACCEPTED", SMSC_DLR_ACCEPTED},
    {"UNKNOWN", SMSC_DLR_UNKNOWN},
    {"REJECTD", SMSC_DLR_REJECTED},
    {"REJECTED", SMSC_DLR_REJECTED},
    {"ENROUTE", SMSC_DLR_ENROUTE},
};

#define DLR_NSTATS (sizeof(dlr_stats) / sizeof(dlr_stats[0]))

static bool
dlr_is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

static char
dlr_lower(char c)
{
	return c >= 'A' && c <= 'Z' ? (char)(c - 'A' + 'a') : c;
}

static char
dlr_upper(char c)
{
	return c >= 'a' && c <= 'z' ? (char)(c - 'a' + 'A') : c;
}

/*
 * If s[i..n) starts with key (any case) and a colon, possibly after
 * spaces, return the index just past the colon; else 0.
 */
static size_t
dlr_key_match(const char *s, size_t n, size_t i, const char *key)
{
	for (; *key != '\0'; key++) {
		if (*key == ' ') {
			while (i < n && (s[i] == ' ' || s[i] == '_'))
				i++;
			continue;
		}
		if (i >= n || dlr_lower(s[i]) != *key)
			return 0;
		i++;
	}
	while (i < n && (s[i] == ' ' || s[i] == '\t'))
		i++;
	if (i >= n || s[i] != ':')
		return 0;
	return i + 1;
}

/* The key starting at s[i], as an index into dlr_keys, or -1; *v gets
 * the index past its colon. */
static int
dlr_key_at(const char *s, size_t n, size_t i, size_t *v)
{
	size_t k;

	for (k = 0; k < DLR_NKEYS; k++) {
		*v = dlr_key_match(s, n, i, dlr_keys[k].key);
		if (*v != 0)
			return (int)k;
	}
	return -1;
}

/* Copy s (n bytes) into dst (cap with the NUL), non-printable ASCII as
 * '?', truncating. */
static void
dlr_copy(char *dst, size_t cap, const char *s, size_t n)
{
	size_t i;

	if (n > cap - 1)
		n = cap - 1;
	for (i = 0; i < n; i++)
		dst[i] = (s[i] >= 0x20 && s[i] < 0x7F) ? s[i] : '?';
	dst[n] = '\0';
}

/* A small decimal count ("001"), or -1. */
static int
dlr_count(const char *s, size_t n)
{
	size_t i;
	int v = 0;

	if (n == 0 || n > 6)
		return -1;
	for (i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		v = v * 10 + (s[i] - '0');
	}
	return v;
}

/* Keep a date of 10 or 12 digits, else leave dst empty. */
static void
dlr_date(char dst[13], const char *s, size_t n)
{
	size_t i;

	dst[0] = '\0';
	if (n != 10 && n != 12)
		return;
	for (i = 0; i < n; i++)
		if (s[i] < '0' || s[i] > '9')
			return;
	memcpy(dst, s, n);
	dst[n] = '\0';
}

/* The state a message_state value means (SMPP 5.0 added SCHEDULED 0,
 * which 3.4 SMSCs report as ENROUTE, and SKIPPED 9: never sent). */
static enum smsc_dlr_state
dlr_state_of_tlv(uint8_t v)
{
	if (v == 0)
		return SMSC_DLR_ENROUTE;
	if (v >= SMSC_DLR_ENROUTE && v <= SMSC_DLR_REJECTED)
		return (enum smsc_dlr_state)v;
	if (v == 9)
		return SMSC_DLR_UNDELIVERABLE;
	return SMSC_DLR_UNKNOWN;
}

/* The state a stat: word means; a digit is read as message_state. */
static enum smsc_dlr_state
dlr_state_of_stat(const char *s, size_t n)
{
	size_t k, i;

	if (n == 1 && s[0] >= '0' && s[0] <= '9')
		return dlr_state_of_tlv((uint8_t)(s[0] - '0'));
	for (k = 0; k < DLR_NSTATS; k++) {
		const char *w = dlr_stats[k].word;

		if (strlen(w) != n)
			continue;
		for (i = 0; i < n; i++)
			if (dlr_upper(s[i]) != w[i])
				break;
		if (i == n)
			return dlr_stats[k].state;
	}
	return SMSC_DLR_UNKNOWN;
}

/* True if s (n bytes) is a usable message id: printable, no spaces. */
static bool
dlr_id_ok(const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (s[i] <= 0x20 || s[i] >= 0x7F)
			return false;
	return true;
}

/*
 * Read the text form into d. *have_id and *have_state tell what it gave.
 */
static enum sd_rc
dlr_parse_text(const char *s, size_t n, struct smsc_dlr *d, bool *have_id,
    bool *have_state, char *err)
{
	size_t i = 0;

	while (i < n) {
		size_t v, e, past;
		int k;

		while (i < n && dlr_is_space(s[i]))
			i++;
		if (i >= n)
			break;
		k = dlr_key_at(s, n, i, &v);
		if (k < 0) {
			/* Not a key we know: skip the word. */
			while (i < n && !dlr_is_space(s[i]))
				i++;
			continue;
		}
		if (dlr_keys[k].field == DLR_F_TEXT) {
			dlr_copy(d->text, sizeof(d->text), s + v, n - v);
			break;
		}
		while (v < n && (s[v] == ' ' || s[v] == '\t'))
			v++;
		/* "id: sub:001" is an empty value before the next key. */
		e = v;
		if (v < n && dlr_key_at(s, n, v, &past) < 0)
			while (e < n && !dlr_is_space(s[e]))
				e++;
		switch (dlr_keys[k].field) {
		case DLR_F_ID:
			if (e - v > SMSC_MSGID_MAX) {
				sd_errf(err,
				    "receipt id of %zu characters, "
				    "at most %d",
				    e - v, SMSC_MSGID_MAX);
				return SD_EINVAL;
			}
			if (e > v && dlr_id_ok(s + v, e - v)) {
				memcpy(d->id, s + v, e - v);
				d->id[e - v] = '\0';
				*have_id = true;
			}
			break;
		case DLR_F_SUB: d->sub = dlr_count(s + v, e - v); break;
		case DLR_F_DLVRD: d->dlvrd = dlr_count(s + v, e - v); break;
		case DLR_F_SUBMIT:
			dlr_date(d->submit_date, s + v, e - v);
			break;
		case DLR_F_DONE: dlr_date(d->done_date, s + v, e - v); break;
		case DLR_F_STAT:
			if (e > v) {
				dlr_copy(d->stat, sizeof(d->stat), s + v,
				    e - v);
				d->state = dlr_state_of_stat(s + v, e - v);
				*have_state = true;
			}
			break;
		case DLR_F_ERR:
			dlr_copy(d->err, sizeof(d->err), s + v, e - v);
			break;
		case DLR_F_TEXT: break;
		}
		i = e;
	}
	return SD_OK;
}

enum sd_rc
smsc_dlr_parse(const uint8_t *sm, size_t len, const struct smsc_dlr_tlv *tlv,
    struct smsc_dlr *d, char err[SD_ERRLEN])
{
	bool have_id = false, have_state = false;
	enum sd_rc rc;

	memset(d, 0, sizeof(*d));
	d->sub = -1;
	d->dlvrd = -1;
	d->state = SMSC_DLR_UNKNOWN;
	if (len > SMSC_PAYLOAD_MAX) {
		sd_errf(err, "receipt of %zu octets", len);
		return SD_ETOOBIG;
	}
	if (sm != NULL && len > 0) {
		rc = dlr_parse_text((const char *)sm, len, d, &have_id,
		    &have_state, err);
		if (rc != SD_OK)
			return rc;
	}
	if (tlv != NULL && tlv->receipted_message_id != NULL &&
	    tlv->receipted_message_id[0] != '\0') {
		const char *id = tlv->receipted_message_id;
		size_t n = strnlen(id, SMSC_MSGID_MAX + 1);

		if (n > SMSC_MSGID_MAX) {
			sd_errf(err, "receipted_message_id longer than %d",
			    SMSC_MSGID_MAX);
			return SD_EINVAL;
		}
		if (!dlr_id_ok(id, n)) {
			sd_errf(err,
			    "receipted_message_id has a non-printable "
			    "character");
			return SD_EINVAL;
		}
		memcpy(d->id, id, n + 1);
		d->id_from_tlv = true;
		have_id = true;
	}
	if (tlv != NULL && tlv->has_message_state) {
		d->state = dlr_state_of_tlv(tlv->message_state);
		d->state_from_tlv = true;
		have_state = true;
	}
	if (tlv != NULL && tlv->network_error_code != NULL &&
	    tlv->network_error_code_len == 3) {
		d->has_net_err = true;
		d->net_err_type = tlv->network_error_code[0];
		d->net_err_code = (uint16_t)(tlv->network_error_code[1] << 8 |
		    tlv->network_error_code[2]);
	}
	if (!have_id) {
		sd_errf(err, "receipt has no message id");
		return SD_EINVAL;
	}
	if (!have_state) {
		sd_errf(err, "receipt id=%s has no state", d->id);
		return SD_EINVAL;
	}
	d->final = smsc_dlr_state_final(d->state);
	return SD_OK;
}

bool
smsc_dlr_state_final(enum smsc_dlr_state s)
{
	switch (s) {
	case SMSC_DLR_DELIVERED:
	case SMSC_DLR_EXPIRED:
	case SMSC_DLR_DELETED:
	case SMSC_DLR_UNDELIVERABLE:
	case SMSC_DLR_ACCEPTED:
	case SMSC_DLR_REJECTED: return true;
	case SMSC_DLR_ENROUTE:
	case SMSC_DLR_UNKNOWN: return false;
	}
	return false;
}

enum core_out_state
smsc_receipt_out_state(int message_state)
{
	switch (message_state) {
	case SMSC_DLR_DELIVERED: return CORE_OUT_DELIVERED;
	case SMSC_DLR_EXPIRED: return CORE_OUT_EXPIRED;
	case SMSC_DLR_UNDELIVERABLE:
	case SMSC_DLR_REJECTED: return CORE_OUT_UNDELIVERABLE;
	}
	return CORE_OUT_ACCEPTED;
}

const char *
smsc_dlr_state_str(enum smsc_dlr_state s)
{
	switch (s) {
	case SMSC_DLR_ENROUTE: return "enroute";
	case SMSC_DLR_DELIVERED: return "delivered";
	case SMSC_DLR_EXPIRED: return "expired";
	case SMSC_DLR_DELETED: return "deleted";
	case SMSC_DLR_UNDELIVERABLE: return "undeliverable";
	case SMSC_DLR_ACCEPTED: return "accepted";
	case SMSC_DLR_UNKNOWN: return "unknown";
	case SMSC_DLR_REJECTED: return "rejected";
	}
	return "unknown";
}

/* Bytes of a number's value: 64 hex digits are 32 bytes, 64 decimal
 * digits fewer. */
#define MSGID_VAL 33

/*
 * The value of s in base 10 or 16 (an optional 0x only in hex) as a
 * big-endian byte string of MSGID_VAL bytes. False if s is not such a
 * number or is longer than SMSC_MSGID_MAX.
 */
static bool
msgid_value(const char *s, unsigned base, uint8_t v[MSGID_VAL])
{
	size_t n;

	if (base == 16 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X'))
		s += 2;
	n = strnlen(s, SMSC_MSGID_MAX + 1);
	if (n == 0 || n > SMSC_MSGID_MAX)
		return false;
	memset(v, 0, MSGID_VAL);
	for (; *s != '\0'; s++) {
		unsigned d, carry;
		size_t j;

		if (*s >= '0' && *s <= '9')
			d = (unsigned)(*s - '0');
		else if (base == 16 && *s >= 'a' && *s <= 'f')
			d = (unsigned)(*s - 'a' + 10);
		else if (base == 16 && *s >= 'A' && *s <= 'F')
			d = (unsigned)(*s - 'A' + 10);
		else
			return false;
		carry = d;
		for (j = MSGID_VAL; j-- > 0;) {
			unsigned t = v[j] * base + carry;

			v[j] = (uint8_t)(t & 0xFF);
			carry = t >> 8;
		}
		if (carry != 0)
			return false;
	}
	return true;
}

bool
smsc_msgid_equal(const char *resp_id, const char *dlr_id,
    enum smsc_msgid_mode mode)
{
	uint8_t rd[MSGID_VAL], rh[MSGID_VAL], dd[MSGID_VAL], dh[MSGID_VAL];
	bool r_dec, r_hex, d_dec, d_hex, same, hexdec, dechex;

	if (resp_id == NULL || dlr_id == NULL || resp_id[0] == '\0' ||
	    dlr_id[0] == '\0')
		return false;
	if (strcmp(resp_id, dlr_id) == 0)
		return true;
	r_dec = msgid_value(resp_id, 10, rd);
	r_hex = msgid_value(resp_id, 16, rh);
	d_dec = msgid_value(dlr_id, 10, dd);
	d_hex = msgid_value(dlr_id, 16, dh);
	same = (r_dec && d_dec && memcmp(rd, dd, MSGID_VAL) == 0) ||
	    (r_hex && d_hex && memcmp(rh, dh, MSGID_VAL) == 0);
	hexdec = r_hex && d_dec && memcmp(rh, dd, MSGID_VAL) == 0;
	dechex = r_dec && d_hex && memcmp(rd, dh, MSGID_VAL) == 0;
	switch (mode) {
	case SMSC_MSGID_AUTO: return same || hexdec || dechex;
	case SMSC_MSGID_SAME: return same;
	case SMSC_MSGID_HEX_DEC: return hexdec;
	case SMSC_MSGID_DEC_HEX: return dechex;
	}
	return false;
}
