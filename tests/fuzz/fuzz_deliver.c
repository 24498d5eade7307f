/*
 * tests/fuzz/fuzz_deliver.c: the inbound PDU path a hostile SMSC reaches:
 * framing (smsc_pdu_peek), libsmpp34's unpack through our arena
 * (smsc_deliver_decode), then the receipt parser or the reassembly store
 * with its timeouts. The input is a deliver_sm body: the target writes a
 * valid header so libsmpp34 gets past the framing checks. After every
 * input nothing may stay in the libsmpp34 arena (design §8: the library
 * leaks TLVs on malformed PDUs), and libsmpp34 may never have read more
 * TLVs than SMSC_TLV_MAX (issue #9: a fixed-size TLV declared longer hid
 * more TLVs inside it and overflowed the library's error text). A USSD
 * step goes on through the transport's dialogue keying and the answer's
 * TLVs (smsc/ussd.c, issue #12), under each [ussd] session_key in turn.
 */
#include <stdlib.h>
#include <string.h>

#include "core/base/conf.h"
#include "smsc/pdu_int.h"
#include "smsc/smsc.h"
#include "smsc/smsc_int.h"
#include "tests/fuzz/fuzz.h"

static struct smsc_concat *store;
static int64_t clock_s;
static struct smsc_config ussd_cfg;
static struct smsc_ussd_track *ussd_track;
static unsigned ussd_turn;

/* A whole USSD step: key it as each profile would, answer it. */
static void
fuzz_ussd(const struct smsc_deliver *d, const struct smsc_concat_msg *msg)
{
	struct smsc_ussd_out o;
	struct smsc_mo mo;

	if (ussd_track == NULL) {
		struct sd_conf_section u = {"ussd", smsc_ussd_config_keys,
			&ussd_cfg};

		sd_conf_defaults(&u);
		ussd_track = calloc(1, sizeof(*ussd_track));
		if (ussd_track == NULL)
			abort();
	}
	ussd_cfg.ussd.session_key = (int)(ussd_turn++ % 3);
	memset(&mo, 0, sizeof(mo));
	memcpy(mo.from, d->src, sizeof(mo.from));
	mo.text = msg->text;
	mo.text_len = msg->text_len;
	mo.ussd = true;
	mo.ussd_op = d->ussd_op;
	mo.has_session = d->has_session;
	mo.ussd_session = d->session;
	mo.has_umr = d->has_umr;
	mo.umr = d->umr;
	if (!smsc_ussd_inbound(&ussd_cfg.ussd, ussd_track, &mo)) {
		if ((d->ussd_op != SMSC_USSD_OP_USSN_CONF &&
			!(d->has_session && (d->session & 1) != 0)) ||
		    mo.ussd_key != -1)
			abort(); /* only a USSN confirm or a closed dialogue */
		return;
	}
	if (mo.ussd_key < -1 || mo.ussd_key > 65535 ||
	    (ussd_cfg.ussd.session_key == SMSC_USSD_KEY_ITS &&
		mo.ussd_key > 255) ||
	    (ussd_cfg.ussd.session_key == SMSC_USSD_KEY_MSISDN &&
		mo.ussd_key != -1))
		abort();
	smsc_ussd_outbound(&ussd_cfg.ussd, ussd_track, mo.from,
	    (ussd_turn & 1) != 0, mo.ussd_key, &o);
	if (o.op != ((ussd_turn & 1) != 0 ? 17 : 2))
		abort();
	if (o.has_its && ((o.its & 1) != 0) != ((ussd_turn & 1) != 0))
		abort(); /* the end bit on the last screen only */
	if (strpbrk(mo.from, "0123456789") != NULL && d->has_session &&
	    o.has_its && (o.its | 1) != (d->session | 1) &&
	    (ussd_cfg.ussd.session_key != SMSC_USSD_KEY_ITS ||
		mo.ussd_key == (d->session >> 8)))
		abort(); /* the step's own TLV is echoed */
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint8_t pdu[SMSC_PDU_MAX];
	struct smsc_pdu_hdr h;
	struct smsc_deliver d;
	char err[SD_ERRLEN];
	size_t len;

	if (store == NULL) {
		struct smsc_concat_config cfg;

		smsc_concat_config_default(&cfg);
		cfg.max_groups = 4;
		cfg.timeout_s = 5;
		if (smsc_concat_new(&cfg, &store, err) != SD_OK)
			abort();
	}
	if (size > SMSC_PDU_MAX - SMSC_PDU_HDR)
		return 0;
	len = SMSC_PDU_HDR + size;
	smsc_pdu_put_header(pdu, 0x00000005, 0, (uint32_t)(size + 1));
	pdu[0] = (uint8_t)(len >> 24);
	pdu[1] = (uint8_t)(len >> 16);
	pdu[2] = (uint8_t)(len >> 8);
	pdu[3] = (uint8_t)len;
	memcpy(pdu + SMSC_PDU_HDR, data, size);
	if (smsc_pdu_peek(pdu, len, &h) != 1 || h.len != len)
		abort();
	if (smsc_deliver_decode(pdu, len, &d, err) == SD_OK) {
		if (d.tlv_count > SMSC_TLV_MAX)
			abort();
		if (smsc_deliver_is_receipt(&d)) {
			struct smsc_dlr_tlv t;
			struct smsc_dlr dlr;

			memset(&t, 0, sizeof(t));
			t.receipted_message_id =
			    d.has_receipted_id ? d.receipted_id : NULL;
			t.has_message_state = d.has_message_state;
			t.message_state = d.message_state;
			t.network_error_code = d.has_net_err ? d.net_err : NULL;
			t.network_error_code_len = d.has_net_err ? 3 : 0;
			if (smsc_dlr_parse(d.sm, d.sm_len, &t, &dlr, err) == SD_OK &&
			    strlen(dlr.id) > SMSC_MSGID_MAX)
				abort();
		} else {
			struct smsc_mo_pdu mp;
			struct smsc_concat_out out;
			struct smsc_concat_msg m;

			memset(&mp, 0, sizeof(mp));
			mp.src = d.src;
			mp.dst = d.dst;
			mp.esm_class = d.esm_class;
			mp.data_coding = d.data_coding;
			mp.sm = d.sm_len == 0 && d.has_payload ? d.payload : d.sm;
			mp.len = d.sm_len == 0 && d.has_payload ? d.payload_len :
								  d.sm_len;
			mp.has_sar = d.has_sar;
			mp.sar_msg_ref_num = d.sar_ref;
			mp.sar_total_segments = d.sar_total;
			mp.sar_segment_seqnum = d.sar_seq;
			if (smsc_concat_add(store, &mp, clock_s, &out, err) ==
			    SD_OK) {
				if (out.result == SMSC_CONCAT_DONE &&
				    out.msg.text != NULL &&
				    strlen(out.msg.text) != out.msg.text_len)
					abort();
				if (out.result == SMSC_CONCAT_DONE &&
				    out.msg.text != NULL && d.has_ussd_op)
					fuzz_ussd(&d, &out.msg);
				smsc_concat_out_fini(&out);
			}
			clock_s += 2;
			while (smsc_concat_expire(store, clock_s, &m))
				smsc_concat_msg_fini(&m);
		}
	}
	if (smsc_pdu_arena_bytes() != 0)
		abort(); /* libsmpp34 kept memory past the PDU */
	return 0;
}
