/*
 * smsc/pdu_int.h: private to smsc/. SMPP 3.4 PDU framing and the safe
 * wrapper around libsmpp34's pack/unpack.
 *
 * Framing: every PDU starts with a 16-byte header, big-endian
 *   command_length (whole PDU, header included) | command_id |
 *   command_status | sequence_number
 * A command_length below 16 or above SMSC_PDU_MAX is a framing error: the
 * stream cannot be resynchronised, so the link is dropped after a
 * generic_nack.
 *
 * Memory: libsmpp34 1.14 leaks the TLVs it allocated when it gives up on a
 * malformed PDU (design §8). All its allocations are routed through
 * smpp34_set_memory_functions() into an arena that smsc_pdu_release()
 * empties after each unpack, so a hostile SMSC cannot grow the process.
 * libsmpp34 keeps its error state in globals: call these from the gw
 * thread only.
 */
#ifndef SMSDESK_SMSC_PDU_INT_H
#define SMSDESK_SMSC_PDU_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/base/rc.h"

/* Smallest and largest PDU accepted. */
#define SMSC_PDU_HDR 16
#define SMSC_PDU_MAX 65536
/* TLVs accepted in one inbound PDU (see deliver.c for why it is low). */
#define SMSC_TLV_MAX 16
/* Longest TLV value libsmpp34 keeps (its MAX_TLV_SIZE). */
#define SMSC_TLV_VALUE_MAX 1024

/* The header fields. */
struct smsc_pdu_hdr {
	uint32_t len;    /* command_length */
	uint32_t id;     /* command_id */
	uint32_t status; /* command_status */
	uint32_t seq;    /* sequence_number */
};

/* Read the header of buf[0..len). Returns 0 if fewer than 16 bytes are
 * there, 1 if a header was read, -1 if its command_length is out of
 * range (a framing error). A complete PDU needs len >= h->len. */
int smsc_pdu_peek(const uint8_t *buf, size_t len, struct smsc_pdu_hdr *h);

/* Write a body-less PDU (enquire_link, unbind, generic_nack, *_resp
 * without body) into out. */
void smsc_pdu_put_header(uint8_t out[SMSC_PDU_HDR], uint32_t id,
    uint32_t status, uint32_t seq);

/*
 * Unpack the PDU p[0..len) into *out, a libsmpp34 struct (submit_sm_t,
 * deliver_sm_t, ...) of outsz bytes chosen by the caller from the
 * command_id. TLV lists in *out live in the arena: copy what is needed,
 * then call smsc_pdu_release(). SD_EINVAL with libsmpp34's reason.
 */
enum sd_rc smsc_pdu_unpack(void *out, size_t outsz, const uint8_t *p,
    size_t len, char err[SD_ERRLEN]) SD_MUSTCHECK;

/* Free everything libsmpp34 allocated since the last call. */
void smsc_pdu_release(void);

/* Bytes libsmpp34 holds in the arena now (tests: 0 after release). */
size_t smsc_pdu_arena_bytes(void);

/*
 * Pack the libsmpp34 struct *in (its command_id set) into buf (cap
 * bytes); *len gets the PDU size. SD_EINVAL with the reason.
 */
enum sd_rc smsc_pdu_pack(void *in, uint8_t *buf, size_t cap, size_t *len,
    char err[SD_ERRLEN]) SD_MUSTCHECK;

/*
 * Check one TLV of an inbound PDU before libsmpp34 sees it: a tag that
 * libsmpp34 reads at a fixed size must declare exactly that size, any
 * other may not exceed what libsmpp34 keeps of it. SD_EINVAL with the
 * reason; command ids other than deliver_sm are refused (the client
 * hands no other PDU to libsmpp34). Pure.
 */
enum sd_rc smsc_pdu_tlv_check(uint32_t command_id, uint16_t tag, size_t len,
    char err[SD_ERRLEN]) SD_MUSTCHECK;

/* Name of an SMPP command_status ("ESME_RTHROTTLED"), static. */
const char *smsc_status_name(uint32_t status);

/* How the ESME reacts to a command_status on submit_sm_resp. */
enum smsc_status_class {
	SMSC_ST_OK = 0,       /* accepted */
	SMSC_ST_THROTTLE = 1, /* slow down, resend the same message later */
	SMSC_ST_TEMP = 2,     /* temporary: retry with back-off */
	SMSC_ST_PERM = 3,     /* permanent: give up on this message */
};
enum smsc_status_class smsc_status_classify(uint32_t status);

/* ---- deliver_sm decoding (smsc/deliver.c) ------------------------------ */

/* The fields of an inbound deliver_sm the ESME uses, copied out of
 * libsmpp34's structs (so the arena is empty again on return). Strings are
 * NUL-terminated printable ASCII. */
struct smsc_deliver {
	char src[22];          /* source_addr */
	char dst[22];          /* destination_addr */
	uint8_t esm_class;     /* 0x04: receipt, 0x40: UDH */
	uint8_t data_coding;   /* as received */
	uint8_t sm[256];       /* short_message */
	size_t sm_len;         /* its octets */
	char receipted_id[66]; /* receipted_message_id (0x001E) */
	bool has_receipted_id;
	uint8_t message_state; /* message_state (0x0427) */
	bool has_message_state;
	uint8_t net_err[3]; /* network_error_code (0x0423) */
	bool has_net_err;
	bool has_sar; /* all three sar_* TLVs */
	uint16_t sar_ref;
	uint8_t sar_total, sar_seq;
	uint8_t payload[1024]; /* message_payload (0x0424) */
	size_t payload_len;
	bool has_payload;
	uint8_t ussd_op; /* ussd_service_op (0x0501) */
	bool has_ussd_op;
	uint16_t session; /* its_session_info (0x1383) */
	bool has_session;
	uint16_t umr; /* user_message_reference (0x0204) */
	bool has_umr;
	unsigned tlv_count; /* TLVs libsmpp34 read (fuzz oracle) */
};

/*
 * Decode the deliver_sm pdu[0..len) (its header already checked by
 * smsc_pdu_peek()). SD_EINVAL with the reason when libsmpp34 cannot read
 * it. The arena is released before returning. gw thread only.
 */
enum sd_rc smsc_deliver_decode(const uint8_t *pdu, size_t len,
    struct smsc_deliver *d, char err[SD_ERRLEN]) SD_MUSTCHECK;

/* True if d is a delivery receipt (esm_class type 0x04, or both receipt
 * TLVs present). */
bool smsc_deliver_is_receipt(const struct smsc_deliver *d);

#endif
