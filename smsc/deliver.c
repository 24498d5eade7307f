/*
 * smsc/deliver.c: read an inbound deliver_sm with libsmpp34 and copy out
 * what the ESME needs. Kept apart from the session so the fuzzer
 * (tests/fuzz/fuzz_deliver.c) drives exactly the code a hostile SMSC
 * reaches.
 */
#include "smsc/pdu_int.h"

#include <smpp34.h>
#include <smpp34_structs.h>
#include <stdio.h>
#include <string.h>

static void
deliver_copy_addr(char *out, size_t cap, const uint8_t *in, size_t n)
{
	size_t i;

	for (i = 0; i < n && i + 1 < cap && in[i] != 0; i++)
		out[i] = in[i] >= 0x20 && in[i] < 0x7f ? (char)in[i] : '?';
	out[i] = '\0';
}

static void
deliver_tlvs(const tlv_t *t, struct smsc_deliver *d)
{
	unsigned sar = 0;

	for (; t != NULL; t = t->next) {
		d->tlv_count++;
		size_t n = t->length < sizeof(t->value.octet) ?
		    t->length :
		    sizeof(t->value.octet);

		switch (t->tag) {
		case TLVID_receipted_message_id:
			deliver_copy_addr(d->receipted_id,
			    sizeof(d->receipted_id), t->value.octet, n);
			d->has_receipted_id = true;
			break;
		case TLVID_message_state:
			d->message_state = t->value.val08;
			d->has_message_state = true;
			break;
		case TLVID_network_error_code:
			if (t->length == 3) {
				memcpy(d->net_err, t->value.octet, 3);
				d->has_net_err = true;
			}
			break;
		case TLVID_sar_msg_ref_num:
			d->sar_ref = t->value.val16;
			sar |= 1;
			break;
		case TLVID_sar_total_segments:
			d->sar_total = t->value.val08;
			sar |= 2;
			break;
		case TLVID_sar_segment_seqnum:
			d->sar_seq = t->value.val08;
			sar |= 4;
			break;
		case TLVID_message_payload:
			n = n < sizeof(d->payload) ? n : sizeof(d->payload);
			memcpy(d->payload, t->value.octet, n);
			d->payload_len = n;
			d->has_payload = true;
			break;
		case TLVID_ussd_service_op:
			d->ussd_op = t->value.octet[0];
			d->has_ussd_op = true;
			break;
		case TLVID_its_session_info:
			d->session = t->value.val16;
			d->has_session = true;
			break;
		case TLVID_user_message_reference:
			d->umr = t->value.val16;
			d->has_umr = true;
			break;
		default: break;
		}
	}
	d->has_sar = sar == 7;
}

/* Skip a C-Octet String of at most max octets with its NUL. */
static bool
deliver_skip_cstr(const uint8_t **p, const uint8_t *end, size_t max)
{
	const uint8_t *nul = memchr(*p, 0, (size_t)(end - *p));

	if (nul == NULL || (size_t)(nul - *p) + 1 > max)
		return false;
	*p = nul + 1;
	return true;
}

/*
 * Check the layout of a deliver_sm before libsmpp34 sees it. libsmpp34
 * 1.14 logs every field it parses into the 2048-byte global
 * smpp34_strerror and, once that is full, writes past its end (its
 * remaining-length counter goes negative): about 54 bytes a TLV, so a
 * well-formed deliver_sm with 28 TLVs corrupts memory (found by
 * tests/fuzz/fuzz_deliver.c). It also leaks the TLVs it allocated when a
 * TLV's length runs past the PDU. So: mandatory fields within bounds, every
 * TLV inside the PDU, and at most SMSC_TLV_MAX of them. The count holds
 * only if libsmpp34 reads each TLV at its declared length: it reads
 * message_state, sar_* and the like at their type's size and parses the
 * rest as more TLVs, so every length is checked against what the library
 * will read (smsc_pdu_tlv_check(); issue #9, the 254-byte PDU).
 */
static enum sd_rc
deliver_validate(const uint8_t *pdu, size_t len, unsigned *ntlv,
    char err[SD_ERRLEN])
{
	const uint8_t *p = pdu + SMSC_PDU_HDR, *end = pdu + len;
	unsigned n = 0;

	/* service_type, source ton/npi/addr, dest ton/npi/addr, esm_class,
	 * protocol_id, priority_flag, schedule_delivery_time,
	 * validity_period, then 4 single octets and sm_length. */
	static const struct {
		unsigned skip; /* single octets before the string */
		size_t max;    /* the string's size with its NUL */
	} f[] = {{0, 6}, {2, 65}, {2, 65}, {3, 17}, {0, 17}};
	size_t i;

	for (i = 0; i < sizeof(f) / sizeof(f[0]); i++) {
		if ((size_t)(end - p) < f[i].skip)
			goto short_pdu;
		p += f[i].skip;
		if (!deliver_skip_cstr(&p, end, f[i].max))
			goto short_pdu;
	}
	if (end - p < 5)
		goto short_pdu;
	p += 4; /* registered_delivery .. sm_default_msg_id */
	if ((size_t)(end - p) < 1u + p[0]) {
		snprintf(err, SD_ERRLEN,
		    "deliver_sm: sm_length %u runs past "
		    "the PDU",
		    p[0]);
		return SD_EINVAL;
	}
	p += 1 + p[0];
	while (p < end) {
		size_t tl;

		if (end - p < 4) {
			snprintf(err, SD_ERRLEN, "deliver_sm: truncated TLV");
			return SD_EINVAL;
		}
		tl = (size_t)p[2] << 8 | p[3];
		if ((size_t)(end - p) - 4 < tl) {
			snprintf(err, SD_ERRLEN,
			    "deliver_sm: TLV 0x%02x%02x "
			    "length %zu runs past the PDU",
			    p[0], p[1], tl);
			return SD_EINVAL;
		}
		if (smsc_pdu_tlv_check(DELIVER_SM, (uint16_t)(p[0] << 8 | p[1]),
			tl, err) != SD_OK)
			return SD_EINVAL;
		if (++n > SMSC_TLV_MAX) {
			snprintf(err, SD_ERRLEN,
			    "deliver_sm: more than %d TLVs", SMSC_TLV_MAX);
			return SD_EINVAL;
		}
		p += 4 + tl;
	}
	*ntlv = n;
	return SD_OK;
short_pdu:
	snprintf(err, SD_ERRLEN,
	    "deliver_sm: mandatory fields run past the "
	    "PDU");
	return SD_EINVAL;
}

enum sd_rc
smsc_deliver_decode(const uint8_t *pdu, size_t len, struct smsc_deliver *d,
    char err[SD_ERRLEN])
{
	deliver_sm_t m;
	enum sd_rc rc;
	unsigned ntlv = 0;

	memset(d, 0, sizeof(*d));
	rc = deliver_validate(pdu, len, &ntlv, err);
	if (rc != SD_OK)
		return rc;
	rc = smsc_pdu_unpack(&m, sizeof(m), pdu, len, err);
	if (rc != SD_OK)
		return rc;
	deliver_tlvs(m.tlv, d);
	if (d->tlv_count != ntlv) {
		/* The validator and the library disagree on the layout: the
		 * table in pdu.c misses a case. Never act on such a PDU. */
		snprintf(err, SD_ERRLEN,
		    "deliver_sm: libsmpp34 read %u TLVs, "
		    "the PDU declares %u",
		    d->tlv_count, ntlv);
		smsc_pdu_release();
		memset(d, 0, sizeof(*d));
		return SD_EINVAL;
	}
	deliver_copy_addr(d->src, sizeof(d->src), m.source_addr,
	    sizeof(m.source_addr));
	deliver_copy_addr(d->dst, sizeof(d->dst), m.destination_addr,
	    sizeof(m.destination_addr));
	d->esm_class = m.esm_class;
	d->data_coding = m.data_coding;
	d->sm_len = m.sm_length <= sizeof(m.short_message) ? m.sm_length : 0;
	memcpy(d->sm, m.short_message, d->sm_len);
	smsc_pdu_release();
	return SD_OK;
}

bool
smsc_deliver_is_receipt(const struct smsc_deliver *d)
{
	return (d->esm_class & 0x3c) == SMPP34_DELIVERY_RECEIPT ||
	    (d->has_receipted_id && d->has_message_state);
}
