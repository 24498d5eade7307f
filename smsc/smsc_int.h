/*
 * smsc/smsc_int.h: the socket-free building blocks of the SMPP client.
 *
 * Private to smsc/ (and its tests). Nothing here touches a socket,
 * libsmpp34 or a clock: the session code unpacks a PDU, hands the fields
 * in, and packs what comes back. All functions are pure or work on an
 * object the caller owns, so any thread may call them on its own data;
 * in practice the gw thread does.
 *
 * Formats:
 * - GSM 7-bit (3GPP TS 23.038): a text is a sequence of septets, 0..127.
 *   A character of the extension table is two septets, 0x1B then its
 *   code. "Unpacked" form keeps one septet per octet (what most SMSCs
 *   want in short_message with data_coding 0); "packed" form puts 8
 *   septets in 7 octets, least significant bit first, after fill bits
 *   that align the text on a septet boundary behind a UDH.
 * - UCS-2 here means UTF-16BE: characters beyond the BMP (emoji) travel
 *   as surrogate pairs, as every handset sends and expects them.
 * - A concatenated part in UDH mode starts with the 6-octet UDH
 *   05 00 03 ref total seq (IEI 0x00, 8-bit reference); inbound, IEI 0x08
 *   (16-bit reference, 7 octets) and the SAR TLVs are understood as well.
 *
 * Invariants: every input size is checked against a limit below before
 * anything is allocated; decoders never write more than the capacity
 * they are given and always NUL-terminate on success.
 */
#ifndef SMSDESK_SMSC_SMSC_INT_H
#define SMSDESK_SMSC_SMSC_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/base/limits.h"
#include "core/base/rc.h"
#include "core/core.h"

/*
 * Limits. TODO(#3): move these into core/base/limits.h with the rest.
 */
/* Octets of short_message (SMPP 3.4 sm_length is at most 254). */
#define SMSC_SM_MAX 254
/* Octets of a message_payload TLV value (16-bit TLV length). */
#define SMSC_PAYLOAD_MAX 65535
/* Parts of one concatenated message (the UDH and SAR counters are 8-bit). */
#define SMSC_PARTS_MAX 255
/* Bytes of UTF-8 text handed to an encoder or the segmenter. */
#define SMSC_TEXT_MAX SD_TEXT_MAX
/* Octets (or septets) handed to a decoder: a full message_payload or 255
 * parts of 254 octets unpacked to septets, whichever is larger. */
#define SMSC_DECODE_MAX 131072
/* Characters of an SMPP message_id / receipted_message_id, without NUL. */
#define SMSC_MSGID_MAX 64
/* Characters of an SMPP address (data_sm allows 64), without NUL. */
#define SMSC_ADDR_MAX 64
/* Bytes of the "text:" field kept from a delivery receipt, without NUL. */
#define SMSC_DLR_TEXT_MAX 40
/* Septets or octets one stored inbound part may hold: a short_message of
 * SMSC_SM_MAX octets packed 8 septets in 7. */
#define SMSC_CONCAT_UNITS_MAX ((SMSC_SM_MAX * 8) / 7 + 1)
/* Open reassembly groups and stored parts: defaults and hard ceilings. */
#define SMSC_CONCAT_GROUPS_DEF 256
#define SMSC_CONCAT_GROUPS_MAX 4096
#define SMSC_CONCAT_PARTS_DEF 4096
#define SMSC_CONCAT_PARTS_MAX 65536
/* Seconds an incomplete group waits for its missing parts, by default. */
#define SMSC_CONCAT_TIMEOUT_DEF 300

/* Bytes of UTF-8 (with the NUL) that decoding n units may produce, in any
 * alphabet and mode: at worst 3 bytes (U+FFFD) per unit. */
#define SMSC_UTF8_MAX(n) ((size_t)(n)*3 + 4)

/* esm_class bit: short_message starts with a User Data Header. */
#define SMSC_ESM_UDHI 0x40
/* esm_class message type mask and its "delivery receipt" value. */
#define SMSC_ESM_TYPE_MASK 0x3c
#define SMSC_ESM_TYPE_RECEIPT 0x04

/* data_coding values used on the way out. */
#define SMSC_DC_DEFAULT 0x00 /* SMSC default alphabet (GSM 7-bit here) */
#define SMSC_DC_IA5 0x01     /* IA5; GSM 7-bit for some SMSCs */
#define SMSC_DC_LATIN1 0x03  /* ISO-8859-1 */
#define SMSC_DC_UCS2 0x08    /* UCS-2 / UTF-16BE */

/* Decoder flag: replace what cannot be decoded by U+FFFD (and drop
 * U+0000) instead of failing. For inbound text, where losing a whole
 * message to one bad code unit is worse than a replacement character. */
#define SMSC_DECODE_LENIENT 0x01u

/* ---------------------------------------------------------------------
 * smsc/codec.c: alphabets
 */

/* What the octets of a message mean. */
enum smsc_alphabet {
	SMSC_ALPHA_GSM7 = 0, /* GSM 03.38 default alphabet + extension */
	SMSC_ALPHA_UCS2,     /* UTF-16BE */
	SMSC_ALPHA_LATIN1,   /* ISO-8859-1 (also IA5/ASCII) */
	SMSC_ALPHA_BINARY,   /* 8-bit data */
};

/*
 * Measure utf8 (len bytes, not NUL-terminated) in GSM 7-bit: *nseptets
 * gets the septets it needs, characters of the extension table counting
 * 2. Returns SD_OK; SD_ENOTFOUND when a character has no GSM 7-bit form
 * ("does not fit": err names it, e.g. U+0633); SD_EINVAL on invalid
 * UTF-8 or U+0000; SD_ETOOBIG when len > SMSC_TEXT_MAX. Pure.
 */
enum sd_rc smsc_gsm7_measure(const char *utf8, size_t len, size_t *nseptets,
    char err[SD_ERRLEN]) SD_MUSTCHECK;

/*
 * Convert utf8 (len bytes) to septets, one per octet, into out (cap
 * octets). *nseptets gets the count. Returns as smsc_gsm7_measure(),
 * plus SD_ETOOBIG when cap is too small. out is undefined on error.
 */
enum sd_rc smsc_gsm7_encode(const char *utf8, size_t len, uint8_t *out,
    size_t cap, size_t *nseptets, char err[SD_ERRLEN]) SD_MUSTCHECK;

/*
 * Convert n septets (one per octet) to NUL-terminated UTF-8 in out (cap
 * bytes; SMSC_UTF8_MAX(n) is always enough). *outlen gets the length
 * without the NUL. An escape followed by a code the extension table lacks
 * gives the main-table character (23.038 §6.2.1.1); a lone trailing
 * escape gives a space. A value above 0x7F is SD_EINVAL, or U+FFFD with
 * SMSC_DECODE_LENIENT. SD_ETOOBIG when cap is too small or n >
 * SMSC_DECODE_MAX.
 */
enum sd_rc smsc_gsm7_decode(const uint8_t *septets, size_t n, unsigned flags,
    char *out, size_t cap, size_t *outlen, char err[SD_ERRLEN]) SD_MUSTCHECK;

/*
 * Pack n septets (values 0..127) into out (cap octets) after fill_bits
 * (0..6) zero bits, least significant bit first. *outlen gets
 * ceil((fill_bits + 7n) / 8). When exactly 7 bits are left over at the
 * end they are set to CR (0x0D), as 23.038 §6.1.2.3.1 asks, so the
 * receiver does not read a trailing '@'. Returns SD_OK, SD_EINVAL on a
 * bad septet or fill_bits, SD_ETOOBIG when cap is too small.
 */
enum sd_rc smsc_gsm7_pack(const uint8_t *septets, size_t n, unsigned fill_bits,
    uint8_t *out, size_t cap, size_t *outlen) SD_MUSTCHECK;

/*
 * Unpack octets (len) into septets, one per octet, in out (cap), skipping
 * fill_bits (0..6) first. When nseptets is not 0 exactly that many are
 * taken (SD_EINVAL if the octets hold fewer); when it is 0 the count is
 * inferred, and a last septet made only of padding (the leftover 7 bits
 * being CR or 0) is dropped. *outn gets the count. SD_ETOOBIG when cap is
 * too small or len > SMSC_DECODE_MAX.
 */
enum sd_rc smsc_gsm7_unpack(const uint8_t *octets, size_t len,
    unsigned fill_bits, size_t nseptets, uint8_t *out, size_t cap,
    size_t *outn) SD_MUSTCHECK;

/*
 * Convert utf8 (len bytes) to UTF-16BE in out (cap octets), characters
 * beyond U+FFFF as surrogate pairs. *outlen gets the octets (2 per code
 * unit). SD_EINVAL on invalid UTF-8 (overlong forms, encoded surrogates,
 * beyond U+10FFFF, truncated sequences) or U+0000, with the reason and
 * offset in err; SD_ETOOBIG when cap is too small or len > SMSC_TEXT_MAX.
 */
enum sd_rc smsc_ucs2_encode(const char *utf8, size_t len, uint8_t *out,
    size_t cap, size_t *outlen, char err[SD_ERRLEN]) SD_MUSTCHECK;

/*
 * Convert UTF-16BE (len octets) to NUL-terminated UTF-8 in out (cap
 * bytes; SMSC_UTF8_MAX(len) is enough). SD_EINVAL on an odd length, an
 * unpaired surrogate or U+0000, with the reason and offset in err;
 * with SMSC_DECODE_LENIENT those become U+FFFD (U+0000 is dropped).
 * SD_ETOOBIG when cap is too small or len > SMSC_DECODE_MAX.
 */
enum sd_rc smsc_ucs2_decode(const uint8_t *in, size_t len, unsigned flags,
    char *out, size_t cap, size_t *outlen, char err[SD_ERRLEN]) SD_MUSTCHECK;

/*
 * Convert ISO-8859-1 (len octets) to NUL-terminated UTF-8 in out (cap;
 * SMSC_UTF8_MAX(len) is enough). An octet 0 is SD_EINVAL, or dropped
 * with SMSC_DECODE_LENIENT. SD_ETOOBIG as for the other decoders.
 */
enum sd_rc smsc_latin1_decode(const uint8_t *in, size_t len, unsigned flags,
    char *out, size_t cap, size_t *outlen, char err[SD_ERRLEN]) SD_MUSTCHECK;

/*
 * Turn 8-bit data into text: octets that already are valid UTF-8 (some
 * handsets and gateways send UTF-8 with data_coding 4) are copied as they
 * are, anything else is read as ISO-8859-1. Arguments and results as for
 * smsc_latin1_decode().
 */
enum sd_rc smsc_binary_decode(const uint8_t *in, size_t len, unsigned flags,
    char *out, size_t cap, size_t *outlen, char err[SD_ERRLEN]) SD_MUSTCHECK;

/*
 * Decode units of alphabet alpha (septets one per octet for GSM 7-bit,
 * octets otherwise; len of them) into a new NUL-terminated UTF-8 string
 * *out (caller frees; *outlen without the NUL). flags as above. Returns
 * the decoder's rc; *out is NULL on error.
 */
enum sd_rc smsc_text_decode(enum smsc_alphabet alpha, const uint8_t *units,
    size_t len, unsigned flags, char **out, size_t *outlen,
    char err[SD_ERRLEN]) SD_MUSTCHECK;

/*
 * Map an inbound data_coding to an alphabet. gsm7_dc is the configured
 * data_coding for GSM 7-bit (0, or 1 for SMSCs that read 0 as Latin-1,
 * in which case 0 is read as Latin-1). 0x02/0x04 are binary, 0x03
 * Latin-1, 0x08 UCS-2; GSM 03.38 coding groups (0x10-0x7F without
 * compression, 0xC0-0xEF, 0xF0-0xFF) are followed. Other values
 * (Cyrillic, Hebrew, JIS, KS C, compressed, reserved) are SD_EINVAL.
 */
enum sd_rc smsc_dc_alphabet(uint8_t data_coding, uint8_t gsm7_dc,
    enum smsc_alphabet *alpha, char err[SD_ERRLEN]) SD_MUSTCHECK;

/*
 * Pick the encoding for an outbound text: GSM 7-bit with data_coding
 * gsm7_dc when every character fits, else UCS-2 with data_coding 8.
 * *units gets the septets or UTF-16 code units the text needs. Any of
 * the out pointers but alpha may be NULL. SD_EINVAL on invalid UTF-8.
 */
enum sd_rc smsc_text_choose(const char *utf8, size_t len, uint8_t gsm7_dc,
    enum smsc_alphabet *alpha, uint8_t *data_coding, size_t *units,
    char err[SD_ERRLEN]) SD_MUSTCHECK;

/* ---------------------------------------------------------------------
 * smsc/codec.c: segmentation of outbound texts
 */

/* How a text longer than one message travels. Same values as
 * enum smsc_long_sms in smsc/smsc.h (this header may not include it). */
enum smsc_seg_mode {
	SMSC_SEG_UDH = 0,     /* 8-bit concat UDH in each part, esm 0x40 */
	SMSC_SEG_SAR = 1,     /* sar_* TLVs, no UDH */
	SMSC_SEG_PAYLOAD = 2, /* one message_payload, never split */
};

/* The sizes of a message and of its parts (160/70, 153/67) and the
 * choice of alphabet are core's: core_sms_count() in core/core.h decides
 * them for the command channel and for this codec alike. */

/* Segmentation options; smsc_seg_opts_default() fills the defaults. */
struct smsc_seg_opts {
	enum smsc_seg_mode mode; /* default SMSC_SEG_UDH */
	unsigned max_parts;      /* 1..SMSC_PARTS_MAX, default 6 */
	uint8_t gsm7_dc;         /* data_coding for GSM 7-bit: 0 or 1 */
	bool gsm7_packed;        /* pack septets 8 in 7 octets; default
				    false: one septet per octet */
	bool sar_full;           /* SAR parts of 160/70 rather than
				    153/67; see smsc_seg_split() */
	bool ussd;               /* one USSD string: never split, at most
				    SMSC_USSD_GSM7_MAX septets or
				    SMSC_USSD_UCS2_MAX code units */
};

/* One USSD string is 160 octets (3GPP TS 23.038): 182 GSM 7-bit
 * characters packed, 80 UCS-2 code units. It cannot be split. */
#define SMSC_USSD_GSM7_MAX 182
#define SMSC_USSD_UCS2_MAX 80

/* One PDU's worth of a text. */
struct smsc_part {
	uint8_t *sm;                /* short_message (UDH first in UDH
				       mode), or the message_payload value
				       in payload mode; owned */
	size_t len;                 /* octets in sm */
	size_t units;               /* septets or code units of text */
	uint8_t esm_class;          /* SMSC_ESM_UDHI or 0 */
	uint8_t data_coding;        /* as for the whole message */
	bool sar;                   /* send the three sar_* TLVs */
	uint16_t sar_msg_ref_num;   /* sar_msg_ref_num (0x020C) */
	uint8_t sar_total_segments; /* sar_total_segments (0x020E) */
	uint8_t sar_segment_seqnum; /* sar_segment_seqnum (0x020F), 1.. */
};

/* A text cut into parts. */
struct smsc_seg {
	struct smsc_part *parts;     /* nparts entries, owned */
	size_t nparts;               /* 1..max_parts */
	enum smsc_alphabet alphabet; /* SMSC_ALPHA_GSM7 or SMSC_ALPHA_UCS2 */
	uint8_t data_coding;         /* gsm7_dc or SMSC_DC_UCS2 */
	bool payload;                /* parts[0].sm is a message_payload */
	size_t units;                /* septets or code units in all */
};

/* Fill o with the defaults: UDH, 6 parts, data_coding 0, unpacked. */
void smsc_seg_opts_default(struct smsc_seg_opts *o);

/*
 * Encode utf8 (len bytes) for submit_sm: GSM 7-bit if it fits, else
 * UCS-2, cut into parts as o->mode says. A text within one message (160
 * septets / 70 code units) is one part with no UDH or SAR. Longer, in UDH
 * mode each part carries 05 00 03 ref total seq (ref & 0xFF) and at most
 * 153 septets / 67 code units; in SAR mode the same sizes by default,
 * because the SMSC must put a UDH back in front of each part on the air
 * interface (140 octets), or 160/70 with o->sar_full for SMSCs that cut
 * again themselves; in payload mode the whole text is one part. An escape
 * sequence or a surrogate pair never straddles two parts. ref is the
 * caller's reference number (sar_msg_ref_num in full). On success *s is
 * filled (smsc_seg_fini()). SD_ETOOBIG when more than o->max_parts parts
 * would be needed (or the payload exceeds SMSC_PAYLOAD_MAX, or len
 * SMSC_TEXT_MAX); SD_EINVAL on invalid UTF-8 or options. *s is empty on
 * error.
 */
enum sd_rc smsc_seg_split(const char *utf8, size_t len,
    const struct smsc_seg_opts *o, uint16_t ref, struct smsc_seg *s,
    char err[SD_ERRLEN]) SD_MUSTCHECK;

/*
 * Count the parts smsc_seg_split() would make, without encoding, and
 * without applying o->max_parts (so a caller shortening a reply can see
 * by how much it is over). *units, if not NULL, gets the septets or code
 * units. SD_EINVAL on invalid UTF-8; SD_ETOOBIG over SMSC_TEXT_MAX.
 */
enum sd_rc smsc_seg_count(const char *utf8, size_t len,
    const struct smsc_seg_opts *o, size_t *nparts, size_t *units,
    char err[SD_ERRLEN]) SD_MUSTCHECK;

/* Free what smsc_seg_split() put in s and empty it. NULL-safe. */
void smsc_seg_fini(struct smsc_seg *s);

/* ---------------------------------------------------------------------
 * smsc/receipt.c: delivery receipts
 */

/* State of a submitted message. Values are SMPP 3.4 message_state. */
enum smsc_dlr_state {
	SMSC_DLR_ENROUTE = 1,       /* ENROUTE: still trying */
	SMSC_DLR_DELIVERED = 2,     /* DELIVRD */
	SMSC_DLR_EXPIRED = 3,       /* EXPIRED: validity period over */
	SMSC_DLR_DELETED = 4,       /* DELETED */
	SMSC_DLR_UNDELIVERABLE = 5, /* UNDELIV */
	SMSC_DLR_ACCEPTED = 6,      /* ACCEPTD */
	SMSC_DLR_UNKNOWN = 7,       /* UNKNOWN, or a stat we do not know */
	SMSC_DLR_REJECTED = 8,      /* REJECTD */
};

/* The receipt TLVs of a deliver_sm, as the session unpacked them. */
struct smsc_dlr_tlv {
	const char *receipted_message_id;  /* 0x001E value (NUL-terminated
					      C-Octet String); NULL: absent */
	bool has_message_state;            /* 0x0427 present */
	uint8_t message_state;             /* its value */
	const uint8_t *network_error_code; /* 0x0423 value; NULL: absent */
	size_t network_error_code_len;     /* its length: 3 when valid */
};

/* A parsed delivery receipt. Strings are NUL-terminated and printable
 * ASCII (anything else became '?'), so they are safe to log. */
struct smsc_dlr {
	char id[SMSC_MSGID_MAX + 1]; /* message id as the SMSC wrote it */
	enum smsc_dlr_state state;   /* from message_state, else stat: */
	bool final;                  /* no further receipt will follow */
	bool id_from_tlv;            /* id came from receipted_message_id */
	bool state_from_tlv;         /* state came from message_state */
	int sub;                     /* sub:, -1 when absent */
	int dlvrd;                   /* dlvrd:, -1 when absent */
	char submit_date[13];        /* YYMMDDhhmm[ss], "" when absent */
	char done_date[13];          /* YYMMDDhhmm[ss], "" when absent */
	char stat[16];               /* stat: as written, "" when absent */
	char err[16];                /* err: as written, "" when absent */
	bool has_net_err;            /* network_error_code TLV was valid */
	uint8_t net_err_type;        /* its network type (1 ANSI-136 ..
					8 SMPP) */
	uint16_t net_err_code;       /* its error code */
	char text[SMSC_DLR_TEXT_MAX + 1]; /* text: (start of the message) */
};

/*
 * Parse the receipt in a deliver_sm whose esm_class says receipt:
 * short_message sm (len octets, may be empty, not NUL-terminated) and
 * the receipt TLVs (tlv may be NULL). TLV values win over the text form
 * `id:X sub:001 dlvrd:001 submit date:YYMMDDhhmm done date:YYMMDDhhmm
 * stat:DELIVRD err:000 text:...`, which is read leniently: keys in any
 * case, fields missing or in any order, extra spaces, dates with seconds,
 * submit_date/done_date spellings, full state words (DELIVERED ...).
 * Returns SD_OK and fills *d; SD_EINVAL when no message id or no state
 * can be found, or the id is longer than SMSC_MSGID_MAX or not printable,
 * with the reason in err; SD_ETOOBIG when len > SMSC_PAYLOAD_MAX. Pure.
 */
enum sd_rc smsc_dlr_parse(const uint8_t *sm, size_t len,
    const struct smsc_dlr_tlv *tlv, struct smsc_dlr *d,
    char err[SD_ERRLEN]) SD_MUSTCHECK;

/* True for the states after which no other receipt follows: delivered,
 * expired, deleted, undeliverable, accepted, rejected. ENROUTE and
 * UNKNOWN are not final: the SMSC may still learn the outcome. */
bool smsc_dlr_state_final(enum smsc_dlr_state s);

/* Short stable name for logs ("delivered"). Never NULL; static. */
const char *smsc_dlr_state_str(enum smsc_dlr_state s);

/*
 * The outbox state an SMPP message_state (SMPP 3.4 §5.2.28, as a receipt
 * or an HTTP provider's report gives it) means for a message or a part:
 * delivered; expired; undeliverable (undeliverable or rejected); else
 * accepted: the SMSC has it and has said nothing final (enroute,
 * accepted, unknown, deleted, or a value we do not know). The only place
 * SMPP's states become ours (db/ and the pipeline know ours only).
 */
enum core_out_state smsc_receipt_out_state(int message_state);

/* How the ids of submit_sm_resp and of the receipt relate. */
enum smsc_msgid_mode {
	SMSC_MSGID_AUTO = 0, /* any of the three below */
	SMSC_MSGID_SAME,     /* same base: equal as strings, or as numbers
				(leading zeros, hex digit case) */
	SMSC_MSGID_HEX_DEC,  /* resp in hex, receipt in decimal */
	SMSC_MSGID_DEC_HEX,  /* resp in decimal, receipt in hex */
};

/*
 * True if resp_id (from submit_sm_resp) and dlr_id (from a receipt) name
 * the same message. Equal strings always match. Otherwise both must be
 * numbers (decimal digits, or hex digits with an optional 0x) and are
 * compared by value, in the bases mode allows, at any length; ids with
 * other characters never match anything but themselves. AUTO cannot tell
 * "10" (hex) = "16" (decimal) from two different decimal ids, so set the
 * SMSC's convention once it is known. Pure.
 */
bool smsc_msgid_equal(const char *resp_id, const char *dlr_id,
    enum smsc_msgid_mode mode);

/* ---------------------------------------------------------------------
 * smsc/concat.c: inbound concatenation
 */

/* The concatenation information element of a UDH, or the SAR TLVs. */
struct smsc_udh_concat {
	bool found;    /* a valid concat IE was present */
	bool ref16;    /* 16-bit reference (IEI 0x08, or SAR) */
	uint16_t ref;  /* reference number */
	uint8_t total; /* parts in the message, 1.. */
	uint8_t seq;   /* this part, 1..total */
};

/*
 * Parse the UDH at the start of sm (len octets; esm_class had
 * SMSC_ESM_UDHI). *udh_len gets the UDH's size with its length octet, so
 * the text starts at sm + *udh_len. *ci gets the last concat IE (0x00 or
 * 0x08); one with seq 0, total 0 or seq > total is ignored (found false),
 * as 23.040 §9.2.3.24.1 says. SD_EINVAL when the UDH length or an IE
 * length runs past the data, or a concat IE has the wrong length. Pure;
 * safe on any input.
 */
enum sd_rc smsc_udh_parse(const uint8_t *sm, size_t len, size_t *udh_len,
    struct smsc_udh_concat *ci, char err[SD_ERRLEN]) SD_MUSTCHECK;

/* The fields of one inbound deliver_sm (or data_sm) that reassembly
 * needs. Borrowed for the duration of the call. */
struct smsc_mo_pdu {
	const char *src;            /* source_addr */
	const char *dst;            /* destination_addr */
	uint8_t esm_class;          /* SMSC_ESM_UDHI tells of a UDH */
	uint8_t data_coding;        /* as received */
	const uint8_t *sm;          /* short_message, or message_payload */
	size_t len;                 /* octets in sm */
	bool has_sar;               /* the three sar_* TLVs were present */
	uint16_t sar_msg_ref_num;   /* sar_msg_ref_num (0x020C) */
	uint8_t sar_total_segments; /* sar_total_segments (0x020E) */
	uint8_t sar_segment_seqnum; /* sar_segment_seqnum (0x020F) */
};

/* Reassembly settings; smsc_concat_config_default() fills them. */
struct smsc_concat_config {
	unsigned max_groups; /* open groups, 1..SMSC_CONCAT_GROUPS_MAX */
	unsigned max_parts;  /* stored parts, SMSC_PARTS_MAX..
				SMSC_CONCAT_PARTS_MAX */
	int64_t timeout_s;   /* an incomplete group is given up this many
				seconds after its first part; >= 1 */
	uint8_t gsm7_dc;     /* see smsc_dc_alphabet() */
	bool gsm7_packed;    /* the SMSC sends GSM 7-bit packed */
};

/* Why a message is handed back. */
enum smsc_concat_why {
	SMSC_CONCAT_COMPLETE = 0, /* every part arrived (or not a part) */
	SMSC_CONCAT_TIMEOUT,      /* gave up waiting: parts are missing */
	SMSC_CONCAT_EVICTED,      /* dropped to make room: parts missing */
};

/* A reassembled (or given-up) message. Owns its buffers. */
struct smsc_concat_msg {
	enum smsc_concat_why why;    /* see above */
	char src[SMSC_ADDR_MAX + 1]; /* source_addr */
	char dst[SMSC_ADDR_MAX + 1]; /* destination_addr */
	uint16_t ref;                /* reference (0 for a single) */
	uint8_t total;               /* parts expected (1 for a single) */
	uint8_t nparts;              /* parts held */
	uint8_t have[32];            /* bit seq-1 set: part seq held */
	uint8_t data_coding;         /* of the parts */
	enum smsc_alphabet alphabet; /* from data_coding */
	uint8_t *units;              /* held parts' text units in order
					(septets one per octet for GSM) */
	size_t len;                  /* octets in units */
	char *text;                  /* units decoded leniently: UTF-8 */
	size_t text_len;             /* bytes in text, without the NUL */
	int64_t first_seen;          /* now of the first part */
};

/* The result of offering one PDU. */
enum smsc_concat_result {
	SMSC_CONCAT_HELD = 0,  /* kept; the message is not complete */
	SMSC_CONCAT_DUPLICATE, /* that part was held already: ignored */
	SMSC_CONCAT_DONE,      /* out->msg holds the whole message */
};

/* What smsc_concat_add() hands back. */
struct smsc_concat_out {
	enum smsc_concat_result result; /* see above */
	uint16_t ref;                   /* HELD, DUPLICATE: the group's */
	uint8_t total;                  /* reference and size */
	struct smsc_concat_msg msg;     /* valid when result is DONE */
	bool evicted;                   /* an older group was dropped */
	struct smsc_concat_msg old;     /* it, when evicted */
};

/* The reassembly store; opaque. */
struct smsc_concat;

/* Fill cfg with the defaults (256 groups, 4096 parts, 300 s, data_coding
 * 0 for GSM 7-bit, unpacked). */
void smsc_concat_config_default(struct smsc_concat_config *cfg);

/*
 * Create a store with a copy of cfg. SD_EINVAL (reason in err) when a
 * setting is out of range. *c is owned by the caller (smsc_concat_free()).
 */
enum sd_rc smsc_concat_new(const struct smsc_concat_config *cfg,
    struct smsc_concat **c, char err[SD_ERRLEN]) SD_MUSTCHECK;

/* Free the store and every part it holds. NULL-safe. */
void smsc_concat_free(struct smsc_concat *c);

/*
 * Offer one inbound PDU received at time now (seconds, any epoch, the
 * same for every call). A PDU that is not a part of a longer message
 * (no concat IE, no SAR, or total 1) comes back at once as DONE. Parts
 * are grouped by (src, dst, reference, total); a part already held is
 * DUPLICATE; the last missing one makes the group DONE. A new group or
 * part that would exceed max_groups or max_parts first evicts the
 * oldest other group into out->old. On SD_OK *out is filled
 * (smsc_concat_out_fini()). SD_EINVAL on a malformed UDH, an unsupported
 * data_coding, an address over SMSC_ADDR_MAX, a data_coding that differs
 * from the group's; SD_ETOOBIG when the PDU's data exceeds
 * SMSC_PAYLOAD_MAX or a part's text SMSC_CONCAT_UNITS_MAX. On error
 * nothing is stored and *out is empty.
 */
enum sd_rc smsc_concat_add(struct smsc_concat *c, const struct smsc_mo_pdu *pdu,
    int64_t now, struct smsc_concat_out *out, char err[SD_ERRLEN]) SD_MUSTCHECK;

/*
 * Hand back the oldest group whose first part arrived timeout_s or more
 * before now, as a TIMEOUT message with the parts that did arrive, and
 * forget it. Returns true and fills *msg (smsc_concat_msg_fini()), or
 * false when none is due. Call until false.
 */
bool smsc_concat_expire(struct smsc_concat *c, int64_t now,
    struct smsc_concat_msg *msg);

/* When the next group falls due for smsc_concat_expire(); INT64_MAX when
 * no group is open. For the loop's timer. */
int64_t smsc_concat_deadline(const struct smsc_concat *c);

/* Open groups and stored parts, for metrics. */
void smsc_concat_stats(const struct smsc_concat *c, size_t *groups,
    size_t *parts);

/* Free a message's buffers and empty it. NULL-safe. */
void smsc_concat_msg_fini(struct smsc_concat_msg *m);

/* Free both messages of out and empty it. NULL-safe. */
void smsc_concat_out_fini(struct smsc_concat_out *out);

/* ---- Kind lists of the configuration (smsc/config.c) ------------------ */

/*
 * Read a list of outbox kinds ("otp,alert"; commas or spaces between,
 * any case; the names of core_out_kind_name()) into *mask, bit k for
 * kind k. SD_EINVAL for a name that is not a kind, with a reason in err
 * (err may be NULL).
 */
enum sd_rc smsc_kinds_parse(const char *list, unsigned *mask,
    char err[SD_ERRLEN]) SD_MUSTCHECK;

/* ---- USSD dialogues as the operator carries them (smsc/ussd.c) -------- */

struct smsc_mo;
struct smsc_ussd_config;

/* Numbers whose last USSD step's session TLVs are kept for the answer.
 * A handset has one USSD dialogue at a time, so this bounds the
 * dialogues open at once on the link; the least recently seen number
 * gives its place up. */
#define SMSC_USSD_TRACK_MAX 4096
/* Digits of a number kept as its key: the national significant number
 * (Iran's 9xx xxx xxxx), so "98913...", "+98913..." and "0913..." meet. */
#define SMSC_USSD_NUM_DIGITS 10

/* The operator's session TLVs of one number's last USSD step. */
struct smsc_ussd_peer {
	char num[SMSC_USSD_NUM_DIGITS + 1]; /* key: last digits; "" free */
	bool has_its;                       /* its_session_info came */
	uint16_t its;                       /* its value as received */
	bool has_umr;                       /* user_message_reference came */
	uint16_t umr;                       /* its value */
	uint64_t used;                      /* tick of the last step */
};

/* Every number's last step. Owned by the ESME, gw thread. */
struct smsc_ussd_track {
	struct smsc_ussd_peer v[SMSC_USSD_TRACK_MAX];
	uint64_t tick; /* bumped at every step */
};

/* ussd_service_op USSN confirm: a handset acknowledges a notification
 * (an operator whose last screen is USSN, op_end 3, sends it back). */
#define SMSC_USSD_OP_USSN_CONF 19

/*
 * An inbound USSD step (mo->ussd set; ussd_op, has_session/ussd_session
 * and has_umr/umr as received): set mo->ussd_begin (ussd_service_op is
 * [ussd] op_begin; or it is neither op_begin nor op_answer and text has
 * the dial's shape "*...#") and mo->ussd_key (per session_key: the
 * session number octet of its_session_info, user_message_reference, or
 * -1; -1 too when the TLV it names is missing), and remember the TLVs
 * for the answer. text is mo->text (text_len bytes). False for a USSN
 * confirm (unless [ussd] names op 19 as a dial or an answer: the handset
 * acknowledging our last screen) and for a step whose its_session_info
 * has the end-of-session bit (the handset or the network closed the
 * dialogue): nothing to answer; it is acknowledged and not handed up,
 * and the number is forgotten.
 */
bool smsc_ussd_inbound(const struct smsc_ussd_config *c,
    struct smsc_ussd_track *t, struct smsc_mo *mo);

/* What a USSD screen carries. */
struct smsc_ussd_out {
	uint8_t op;   /* ussd_service_op */
	bool has_its; /* send its_session_info */
	uint16_t its; /* its value */
	bool has_umr; /* send user_message_reference */
	uint16_t umr; /* its value */
};

/*
 * The TLVs of a screen to dest: op_end (end) or op_continue; the
 * its_session_info of dest's last step echoed (session number and
 * sequence octet) with the end-of-session bit (the sequence octet's low
 * bit) set on the last screen only, and its user_message_reference
 * echoed. With no step remembered, key (the dialogue's key from
 * smsc_ussd_inbound, -1 if none) rebuilds them as session_key says. The
 * last screen forgets dest.
 */
void smsc_ussd_outbound(const struct smsc_ussd_config *c,
    struct smsc_ussd_track *t, const char *dest, bool end, int key,
    struct smsc_ussd_out *o);

/* True if text (len bytes) has a dial's shape: '*', then digits, '*'
 * and '#' only, ending in '#'. */
bool smsc_ussd_is_dial(const char *text, size_t len);

#endif
