/*
 * smsc/smsc.h: everything that touches the operator, its one public header.
 *
 * The SMPP 3.4 client (libsmpp34), the codecs, the outbox dispatcher and
 * the HTTP fallback transport live here. This header holds the [smpp] and
 * [http_sms] configuration sections, which operators' files use already;
 * the client that reads them arrives with issue #3, the fallback with #4.
 */
#ifndef SMSDESK_SMSC_SMSC_H
#define SMSDESK_SMSC_SMSC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/base/conf.h"
#include "core/base/rc.h"

/* How to bind. */
enum smsc_bind_mode {
	SMSC_BIND_TRX = 0,   /* one transceiver session */
	SMSC_BIND_TX_RX = 1, /* a transmitter plus a receiver */
};

/* How long texts are sent. */
enum smsc_long_sms {
	SMSC_LONG_UDH = 0,     /* 8-bit UDH concatenation, esm_class 0x40 */
	SMSC_LONG_SAR = 1,     /* SAR TLVs */
	SMSC_LONG_PAYLOAD = 2, /* one message_payload TLV */
};

/* Section [smpp]. */
struct smsc_config {
	bool enabled;                          /* connect at all */
	char host[SD_CONF_VALUE_MAX];          /* SMSC address */
	long port;                             /* SMSC port */
	char system_id[SD_CONF_VALUE_MAX];     /* bind credentials */
	char password[SD_CONF_VALUE_MAX];      /* secret: never logged */
	char system_type[SD_CONF_VALUE_MAX];   /* often empty */
	char address_range[SD_CONF_VALUE_MAX]; /* bind address_range */
	int bind;                              /* enum smsc_bind_mode */
	char source_addr[SD_CONF_VALUE_MAX];   /* short code, number, name */
	long source_ton;                       /* type of number */
	long source_npi;                       /* numbering plan */
	long window;                           /* outstanding submit_sm */
	long max_tps;                          /* submits per second */
	long enquire_link_s;                   /* keep-alive period */
	long response_timeout_s;               /* a PDU with no answer */
	int long_sms;                          /* enum smsc_long_sms */
	long max_parts;                        /* parts of a long text */
	long gsm7_data_coding;                 /* 0, or 1 for SMSCs that
						  read 0 as Latin-1 */
};

/* Section [http_sms]. */
struct smsc_http_config {
	char url[SD_CONF_VALUE_MAX];            /* empty: no fallback */
	long fallback_after_s;                  /* SMPP down this long */
	char fallback_kinds[SD_CONF_VALUE_MAX]; /* "otp", "otp,alert" */
};

extern const struct sd_conf_key smsc_config_keys[];
extern const struct sd_conf_key smsc_http_config_keys[];

/* ---- The SMPP client (smsc/esme.c) ------------------------------------ */

struct sd_loop;
struct smsc_esme;

/* Longest address and message id kept (SMPP: 21 and 65 with the NUL). */
#define SMSC_ADDR_LEN 22
#define SMSC_ID_LEN 66

/* One outbound message. Borrowed for the duration of smsc_esme_submit(). */
struct smsc_submit {
	uint64_t local_id;     /* the caller's id (outbox row) */
	const char *dest;      /* "+989131111111" or a bare number */
	const char *text;      /* UTF-8 */
	bool receipt;          /* ask for a delivery receipt */
	long validity_s;       /* 0: the SMSC's default validity */
	uint8_t priority_flag; /* 0..3; OTPs go with 1 */
	bool ussd;             /* a USSD answer: ussd_service_op below */
	uint8_t ussd_op;       /* ussd_service_op (e.g. 17 = PSSR response) */
	bool has_session;      /* its_session_info below is set */
	uint16_t ussd_session; /* its_session_info echoed back */
};

/* One inbound text (a whole message: parts already joined) or USSD step.
 * Valid during the inbound hook only. */
struct smsc_mo {
	char from[SMSC_ADDR_LEN]; /* source_addr as received */
	char to[SMSC_ADDR_LEN];   /* destination_addr */
	const char *text;         /* decoded UTF-8 */
	size_t text_len;          /* bytes */
	uint8_t data_coding;      /* as received */
	unsigned parts;           /* parts it came in */
	bool incomplete;          /* parts were missing (timeout/eviction) */
	bool ussd;                /* carried ussd_service_op */
	uint8_t ussd_op;          /* its value */
	bool has_session;         /* carried its_session_info */
	uint16_t ussd_session;    /* its value */
	uint64_t token;           /* for smsc_esme_mo_done() when deferred */
};

/* A delivery receipt. Valid during the receipt hook only. */
struct smsc_receipt {
	char msgid[SMSC_ID_LEN];  /* the SMSC's message id, as written */
	int state;                /* SMPP message_state (2 delivered, 5
				     undeliverable, ...) */
	bool final;               /* no other receipt will follow */
	int error;                /* err: / network error code, 0 if none */
	char from[SMSC_ADDR_LEN]; /* the handset the message went to */
	uint64_t token;           /* for smsc_esme_mo_done() when deferred */
};

/* What the inbound and receipt hooks answer. */
enum smsc_verdict {
	SMSC_ACK = 0,   /* stored durably: deliver_sm_resp OK now */
	SMSC_DEFER = 1, /* being stored: call smsc_esme_mo_done() later */
	SMSC_RETRY = 2, /* could not store: ESME_RX_T_APPN, SMSC redelivers */
};

/*
 * Events, called on the gw thread from inside the loop. None may block
 * or free the ESME. accepted/failed are per part of a message.
 */
struct smsc_hooks {
	void *arg; /* passed to every hook */
	/* The link went up (bound) or down. */
	void (*link)(void *arg, bool up);
	/* Part part (1..parts) of local_id was accepted with msgid. */
	void (*accepted)(void *arg, uint64_t local_id, unsigned part,
	    unsigned parts, const char *msgid);
	/* local_id failed: temporary (retry later) or permanent; reason
	 * names the SMPP status or the local cause. */
	void (*failed)(void *arg, uint64_t local_id, bool temporary,
	    const char *reason);
	/* A delivery receipt arrived. */
	enum smsc_verdict (*receipt)(void *arg, const struct smsc_receipt *r);
	/* An MO text or USSD step arrived. */
	enum smsc_verdict (*inbound)(void *arg, const struct smsc_mo *mo);
};

/* Counters, for logs, metrics and tests. */
struct smsc_esme_stats {
	uint64_t binds;          /* successful binds */
	uint64_t bind_failures;  /* refused or timed out */
	uint64_t submits;        /* submit_sm written */
	uint64_t accepted;       /* submit_sm_resp OK */
	uint64_t throttled;      /* ESME_RTHROTTLED / ESME_RMSGQFUL */
	uint64_t failed_temp;    /* other temporary errors */
	uint64_t failed_perm;    /* permanent errors */
	uint64_t resent;         /* parts sent again after a drop/throttle */
	uint64_t mo;             /* whole MO messages handed up */
	uint64_t receipts;       /* receipts handed up */
	uint64_t enquire_sent;   /* our enquire_link */
	uint64_t timeouts;       /* responses that never came */
	uint64_t generic_nacks;  /* generic_nack received */
	uint64_t bad_pdus;       /* PDUs we could not decode */
	unsigned window_used;    /* submits awaiting a response now */
	unsigned queued;         /* parts waiting for the window */
};

/*
 * Create the client for cfg on loop and start connecting. cfg and hooks
 * must outlive it. SD_EINVAL with a reason in err on a bad setting.
 * gw thread only; so are all the functions below.
 */
enum sd_rc smsc_esme_new(const struct smsc_config *cfg, struct sd_loop *loop,
    const struct smsc_hooks *hooks, struct smsc_esme **out,
    char err[SD_ERRLEN]) SD_MUSTCHECK;

/*
 * Queue a message: it is encoded (GSM 7-bit or UCS-2), cut into parts as
 * [smpp] long_sms says, and sent as the window, the rate cap and the link
 * allow. SD_EBUSY when the queue is full (try again after a hook fires),
 * SD_ETOOBIG when it needs more than max_parts parts, SD_EINVAL on bad
 * text or address, each with a reason. A queued message is sent again
 * after a drop until the SMSC answers it (at-least-once).
 */
enum sd_rc smsc_esme_submit(struct smsc_esme *e, const struct smsc_submit *m,
    char err[SD_ERRLEN]) SD_MUSTCHECK;

/* True if bound and a new message would be sent at once. */
bool smsc_esme_ready(const struct smsc_esme *e);
/* True if the transmitting session is bound. */
bool smsc_esme_up(const struct smsc_esme *e);

/* Finish a deferred inbound or receipt: stored (true) answers OK, not
 * stored (false) answers ESME_RX_T_APPN. Unknown tokens (the link
 * dropped meanwhile) are ignored: the SMSC redelivers. */
void smsc_esme_mo_done(struct smsc_esme *e, uint64_t token, bool stored);

/* Copy the counters. */
void smsc_esme_stats(const struct smsc_esme *e, struct smsc_esme_stats *st);

/*
 * Stop: no new submits; wait (at most response_timeout_s) for the
 * responses in flight, unbind, close. done(arg) is called once it is
 * closed; then smsc_esme_free() may be called.
 */
void smsc_esme_stop(struct smsc_esme *e, void (*done)(void *arg), void *arg);

/* Close everything now and free. NULL is a no-op. */
void smsc_esme_free(struct smsc_esme *e);

#endif
