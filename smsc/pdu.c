/*
 * smsc/pdu.c: PDU framing, the libsmpp34 arena, command_status names and
 * classes. See pdu_int.h for the framing and the reason for the arena.
 */
#include "smsc/pdu_int.h"

#include <pthread.h>
#include <smpp34.h>
#include <smpp34_heap.h>
#include <smpp34_structs.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/base/log.h"
#include "core/base/xmalloc.h"

/* Every block libsmpp34 allocates carries this header, linked into one
 * list so smsc_pdu_release() can free what the library forgot. */
struct arena_blk {
	struct arena_blk *prev, *next; /* the live list */
	size_t size;                   /* user bytes */
	max_align_t align[];           /* user data starts here */
};

static struct arena_blk arena_head = {&arena_head, &arena_head, 0};
static size_t arena_bytes;
static pthread_once_t arena_once = PTHREAD_ONCE_INIT;

static void *
arena_malloc(size_t sz)
{
	struct arena_blk *b = malloc(sizeof(*b) + sz);

	if (b == NULL)
		return NULL;
	b->size = sz;
	b->next = arena_head.next;
	b->prev = &arena_head;
	arena_head.next->prev = b;
	arena_head.next = b;
	arena_bytes += sz;
	return b->align;
}

static struct arena_blk *
arena_blk_of(void *p)
{
	return (
	    struct arena_blk *)((char *)p - offsetof(struct arena_blk, align));
}

static void
arena_free(void *p)
{
	struct arena_blk *b;

	if (p == NULL)
		return;
	b = arena_blk_of(p);
	b->prev->next = b->next;
	b->next->prev = b->prev;
	arena_bytes -= b->size;
	free(b);
}

static void *
arena_realloc(void *p, size_t sz)
{
	struct arena_blk *b;
	void *q;

	if (p == NULL)
		return arena_malloc(sz);
	b = arena_blk_of(p);
	q = arena_malloc(sz);
	if (q == NULL)
		return NULL;
	memcpy(q, p, b->size < sz ? b->size : sz);
	arena_free(p);
	return q;
}

static void
arena_install(void)
{
	static const struct smpp34_memory_functions mf = {arena_malloc,
	    arena_realloc, arena_free};

	smpp34_set_memory_functions(&mf);
}

void
smsc_pdu_release(void)
{
	while (arena_head.next != &arena_head)
		arena_free(arena_head.next->align);
}

size_t
smsc_pdu_arena_bytes(void)
{
	return arena_bytes;
}

static uint32_t
be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	    (uint32_t)p[2] << 8 | p[3];
}

static void
put_be32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

int
smsc_pdu_peek(const uint8_t *buf, size_t len, struct smsc_pdu_hdr *h)
{
	if (len < SMSC_PDU_HDR)
		return 0;
	h->len = be32(buf);
	h->id = be32(buf + 4);
	h->status = be32(buf + 8);
	h->seq = be32(buf + 12);
	if (h->len < SMSC_PDU_HDR || h->len > SMSC_PDU_MAX)
		return -1;
	return 1;
}

void
smsc_pdu_put_header(uint8_t out[SMSC_PDU_HDR], uint32_t id, uint32_t status,
    uint32_t seq)
{
	put_be32(out, SMSC_PDU_HDR);
	put_be32(out + 4, id);
	put_be32(out + 8, status);
	put_be32(out + 12, seq);
}

/* libsmpp34 logs every field it read into smpp34_strerror, as
 * "[name:value(OK)]..."; the last group names the field it refused. */
static void
pdu_lib_error(char err[SD_ERRLEN])
{
	const char *last = strrchr(smpp34_strerror, '[');

	snprintf(err, SD_ERRLEN, "libsmpp34: %.200s",
	    last != NULL ? last : smpp34_strerror);
	err[strcspn(err, "\n")] = '\0';
}

enum sd_rc
smsc_pdu_unpack(void *out, size_t outsz, const uint8_t *p, size_t len,
    char err[SD_ERRLEN])
{
	const uint8_t *src = p;
	uint8_t *copy = NULL;
	int r;

	pthread_once(&arena_once, arena_install);
	memset(out, 0, outsz);
	if (len < SMSC_PDU_HDR || len > SMSC_PDU_MAX || be32(p) != len) {
		snprintf(err, SD_ERRLEN, "bad command_length");
		return SD_EINVAL;
	}
	if (be32(p + 12) == 0 || be32(p + 12) > 0x7fffffffu) {
		/* libsmpp34 refuses sequence_number 0 (and > 0x7FFFFFFF);
		 * some SMSCs (Kannel's drive_smpp among them) send 0. The
		 * caller answers with the number from the header, so unpack
		 * a copy with a valid one instead of losing the message. */
		copy = xmalloc(len);
		memcpy(copy, p, len);
		put_be32(copy + 12, 1);
		src = copy;
	}
	r = smpp34_unpack2(out, src, (int)len);
	free(copy);
	if (r != 0) {
		pdu_lib_error(err);
		smsc_pdu_release();
		return SD_EINVAL;
	}
	return SD_OK;
}

enum sd_rc
smsc_pdu_pack(void *in, uint8_t *buf, size_t cap, size_t *len,
    char err[SD_ERRLEN])
{
	int n = 0;

	pthread_once(&arena_once, arena_install);
	if (smpp34_pack2(buf, (int)(cap > SMSC_PDU_MAX ? SMSC_PDU_MAX : cap),
		&n, in) != 0) {
		pdu_lib_error(err);
		smsc_pdu_release();
		return SD_EINVAL;
	}
	*len = (size_t)n;
	smsc_pdu_release();
	return SD_OK;
}

/*
 * TLV sizes as libsmpp34 1.14 reads them in a deliver_sm
 * (def_frame/deliver_sm.tlv). A tag read as U08/U16 is read at that size
 * whatever length it declares, and the rest of the declared value is
 * parsed as further TLVs: one outer TLV can hide dozens, each logged into
 * the 2048-byte smpp34_strerror, which then overflows (issue #9). An
 * octet tag is refused by the library beyond its maximum; every other
 * tag is an octet string of at most MAX_TLV_SIZE (1024). Checked by
 * tests/unit/smsc/test_deliver.c against the library itself.
 */
static const struct {
	uint16_t tag;  /* TLV tag */
	uint16_t size; /* fixed size, or the octet string's maximum */
	bool fixed;    /* read as an integer of exactly size octets */
} deliver_tlv_tab[] = {
    {TLVID_source_network_type, 1, true},
    {TLVID_payload_type, 1, true},
    {TLVID_receipted_message_id, 65, false},
    {TLVID_privacy_indicator, 1, true},
    {TLVID_source_subaddress, 23, false},
    {TLVID_dest_subaddress, 23, false},
    {TLVID_user_message_reference, 2, true},
    {TLVID_user_response_code, 1, true},
    {TLVID_source_port, 2, true},
    {TLVID_destination_port, 2, true},
    {TLVID_sar_msg_ref_num, 2, true},
    {TLVID_language_indicator, 1, true},
    {TLVID_sar_total_segments, 1, true},
    {TLVID_sar_segment_seqnum, 1, true},
    {TLVID_callback_num, 19, false},
    {TLVID_set_dpf, 1, true},
    {TLVID_network_error_code, 3, false},
    {TLVID_message_state, 1, true},
    {TLVID_its_session_info, 2, true},
};

enum sd_rc
smsc_pdu_tlv_check(uint32_t command_id, uint16_t tag, size_t len,
    char err[SD_ERRLEN])
{
	size_t i;

	if (command_id != DELIVER_SM) {
		/* No other PDU reaches libsmpp34's unpack in the client:
		 * bind and submit_sm responses are read by hand (esme.c). */
		snprintf(err, SD_ERRLEN, "command 0x%08x: TLVs not checked",
		    command_id);
		return SD_EINVAL;
	}
	for (i = 0; i < sizeof(deliver_tlv_tab) / sizeof(deliver_tlv_tab[0]);
	     i++) {
		if (deliver_tlv_tab[i].tag != tag)
			continue;
		if (deliver_tlv_tab[i].fixed &&
		    len != deliver_tlv_tab[i].size) {
			snprintf(err, SD_ERRLEN,
			    "TLV 0x%04x declares %zu "
			    "octets, its value is %u",
			    tag, len, deliver_tlv_tab[i].size);
			return SD_EINVAL;
		}
		if (len > deliver_tlv_tab[i].size) {
			snprintf(err, SD_ERRLEN,
			    "TLV 0x%04x declares %zu "
			    "octets, at most %u",
			    tag, len, deliver_tlv_tab[i].size);
			return SD_EINVAL;
		}
		return SD_OK;
	}
	if (len > SMSC_TLV_VALUE_MAX) {
		snprintf(err, SD_ERRLEN,
		    "TLV 0x%04x declares %zu octets, at "
		    "most %d",
		    tag, len, SMSC_TLV_VALUE_MAX);
		return SD_EINVAL;
	}
	return SD_OK;
}

static const struct {
	uint32_t status;            /* command_status */
	const char *name;           /* SMPP name */
	enum smsc_status_class cls; /* what to do */
} status_tab[] = {
    {ESME_ROK, "ESME_ROK", SMSC_ST_OK},
    {ESME_RINVMSGLEN, "ESME_RINVMSGLEN", SMSC_ST_PERM},
    {ESME_RINVCMDLEN, "ESME_RINVCMDLEN", SMSC_ST_PERM},
    {ESME_RINVCMDID, "ESME_RINVCMDID", SMSC_ST_PERM},
    {ESME_RINVBNDSTS, "ESME_RINVBNDSTS", SMSC_ST_TEMP},
    {ESME_RALYBND, "ESME_RALYBND", SMSC_ST_TEMP},
    {ESME_RINVPRTFLG, "ESME_RINVPRTFLG", SMSC_ST_PERM},
    {ESME_RINVREGDLVFLG, "ESME_RINVREGDLVFLG", SMSC_ST_PERM},
    {ESME_RSYSERR, "ESME_RSYSERR", SMSC_ST_TEMP},
    {ESME_RINVSRCADR, "ESME_RINVSRCADR", SMSC_ST_PERM},
    {ESME_RINVDSTADR, "ESME_RINVDSTADR", SMSC_ST_PERM},
    {ESME_RINVMSGID, "ESME_RINVMSGID", SMSC_ST_PERM},
    {ESME_RBINDFAIL, "ESME_RBINDFAIL", SMSC_ST_TEMP},
    {ESME_RINVPASWD, "ESME_RINVPASWD", SMSC_ST_PERM},
    {ESME_RINVSYSID, "ESME_RINVSYSID", SMSC_ST_PERM},
    {ESME_RCANCELFAIL, "ESME_RCANCELFAIL", SMSC_ST_PERM},
    {ESME_RREPLACEFAIL, "ESME_RREPLACEFAIL", SMSC_ST_PERM},
    {ESME_RMSGQFUL, "ESME_RMSGQFUL", SMSC_ST_THROTTLE},
    {ESME_RINVSERTYP, "ESME_RINVSERTYP", SMSC_ST_PERM},
    {ESME_RINVNUMDESTS, "ESME_RINVNUMDESTS", SMSC_ST_PERM},
    {ESME_RINVDLNAME, "ESME_RINVDLNAME", SMSC_ST_PERM},
    {ESME_RINVDESTFLAG, "ESME_RINVDESTFLAG", SMSC_ST_PERM},
    {ESME_RINVSUBREP, "ESME_RINVSUBREP", SMSC_ST_PERM},
    {ESME_RINVESMCLASS, "ESME_RINVESMCLASS", SMSC_ST_PERM},
    {ESME_RCNTSUBDL, "ESME_RCNTSUBDL", SMSC_ST_PERM},
    {ESME_RSUBMITFAIL, "ESME_RSUBMITFAIL", SMSC_ST_TEMP},
    {ESME_RINVSRCTON, "ESME_RINVSRCTON", SMSC_ST_PERM},
    {ESME_RINVSRCNPI, "ESME_RINVSRCNPI", SMSC_ST_PERM},
    {ESME_RINVDSTTON, "ESME_RINVDSTTON", SMSC_ST_PERM},
    {ESME_RINVDSTNPI, "ESME_RINVDSTNPI", SMSC_ST_PERM},
    {ESME_RINVSYSTYP, "ESME_RINVSYSTYP", SMSC_ST_PERM},
    {ESME_RINVREPFLAG, "ESME_RINVREPFLAG", SMSC_ST_PERM},
    {ESME_RINVNUMMSGS, "ESME_RINVNUMMSGS", SMSC_ST_PERM},
    {ESME_RTHROTTLED, "ESME_RTHROTTLED", SMSC_ST_THROTTLE},
    {ESME_RINVSCHED, "ESME_RINVSCHED", SMSC_ST_PERM},
    {ESME_RINVEXPIRY, "ESME_RINVEXPIRY", SMSC_ST_PERM},
    {ESME_RINVDFTMSGID, "ESME_RINVDFTMSGID", SMSC_ST_PERM},
    {ESME_RX_T_APPN, "ESME_RX_T_APPN", SMSC_ST_TEMP},
    {ESME_RX_P_APPN, "ESME_RX_P_APPN", SMSC_ST_PERM},
    {ESME_RX_R_APPN, "ESME_RX_R_APPN", SMSC_ST_PERM},
    {ESME_RQUERYFAIL, "ESME_RQUERYFAIL", SMSC_ST_PERM},
    {ESME_RINVOPTPARSTREAM, "ESME_RINVOPTPARSTREAM", SMSC_ST_PERM},
    {ESME_ROPTPARNOTALLWD, "ESME_ROPTPARNOTALLWD", SMSC_ST_PERM},
    {ESME_RINVPARLEN, "ESME_RINVPARLEN", SMSC_ST_PERM},
    {ESME_RMISSINGOPTPARAM, "ESME_RMISSINGOPTPARAM", SMSC_ST_PERM},
    {ESME_RINVOPTPARAMVAL, "ESME_RINVOPTPARAMVAL", SMSC_ST_PERM},
    {ESME_RDELIVERYFAILURE, "ESME_RDELIVERYFAILURE", SMSC_ST_TEMP},
    {ESME_RUNKNOWNERR, "ESME_RUNKNOWNERR", SMSC_ST_TEMP},
};

const char *
smsc_status_name(uint32_t status)
{
	size_t i;

	for (i = 0; i < sizeof(status_tab) / sizeof(status_tab[0]); i++)
		if (status_tab[i].status == status)
			return status_tab[i].name;
	/* 0x400-0x4FF are SMSC vendor specific. */
	return status >= 0x400 && status <= 0x4ff ? "ESME_VENDOR" :
						    "ESME_UNKNOWN";
}

enum smsc_status_class
smsc_status_classify(uint32_t status)
{
	size_t i;

	for (i = 0; i < sizeof(status_tab) / sizeof(status_tab[0]); i++)
		if (status_tab[i].status == status)
			return status_tab[i].cls;
	/* Unknown and vendor codes: retry, as Kannel does, but bounded by
	 * the outbox's attempt limit. */
	return SMSC_ST_TEMP;
}
