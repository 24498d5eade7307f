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
#include "core/model.h"

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

/* What keys a USSD dialogue on the operator's side ([ussd] session_key). */
enum smsc_ussd_key {
	SMSC_USSD_KEY_ITS = 0,    /* its_session_info's session number */
	SMSC_USSD_KEY_UMR = 1,    /* user_message_reference (vendor TLV) */
	SMSC_USSD_KEY_MSISDN = 2, /* the number alone: one dialogue each */
};

/*
 * The transport's keys of section [ussd] (the menu's own keys, such as
 * session_s, are core's: core_ussd_config_keys). Operators differ in the
 * ussd_service_op of each step and in what names a dialogue.
 */
struct smsc_ussd_config {
	long op_begin;                        /* the dial: PSSR indication 1 */
	long op_continue;                     /* our screen, awaiting an
						 answer: USSR request 2 */
	long op_answer;                       /* the user's answer: USSR
						 confirm 18 */
	long op_end;                          /* our last screen: PSSR
						 response 17 (or USSN 3) */
	int session_key;                      /* enum smsc_ussd_key */
	char service_type[SD_CONF_VALUE_MAX]; /* on our USSD submits:
						 "USSD" or "" */
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
	long throttle_pause_ms;                /* first pause after
						  ESME_RTHROTTLED */
	int long_sms;                          /* enum smsc_long_sms */
	long max_parts;                        /* parts of a long text */
	long gsm7_data_coding;                 /* 0, or 1 for SMSCs that
						  read 0 as Latin-1 */
	struct smsc_ussd_config ussd;          /* section [ussd]: its own
						  key table below */
};

/* The request method of the HTTP transport. */
enum smsc_http_method {
	SMSC_HTTP_GET = 0,  /* everything in the URL (Kannel sendsms) */
	SMSC_HTTP_POST = 1, /* body as content_type says */
};

/*
 * Section [http_sms]. url and body are templates: {to} (+98...),
 * {to_plain} (98...), {text}, {id}, {from}, {receipt_url} and
 * {validity_min} are replaced, each escaped for where it lands (see
 * smsc/http.c and conf/http_sms.examples.ini).
 */
struct smsc_http_config {
	char url[SD_CONF_VALUE_MAX];            /* empty: no fallback */
	long fallback_after_s;                  /* SMPP down this long */
	char fallback_kinds[SD_CONF_VALUE_MAX]; /* "otp", "otp,alert" */
	int method;                             /* enum smsc_http_method */
	char body[SD_CONF_VALUE_MAX];           /* POST body template */
	char content_type[SD_CONF_VALUE_MAX];   /* of the body; picks the
						   escaping (json, form) */
	char auth_header[SD_CONF_VALUE_MAX];    /* "Name: value"; secret:
						   never logged */
	char success_status[SD_CONF_VALUE_MAX]; /* "200-299", "202,200" */
	char success_body[SD_CONF_VALUE_MAX];   /* must appear; "" any */
	char id_field[SD_CONF_VALUE_MAX];       /* JSON member with the
						   provider's id; "" none */
	char from[SD_CONF_VALUE_MAX];           /* {from}: the sender */
	char base_url[SD_CONF_VALUE_MAX];       /* ours, as the provider
						   reaches it */
	char receipt_path[SD_CONF_VALUE_MAX];   /* callback path under it */
	long timeout_s;                         /* one request at most */
	long retries;                           /* extra tries on 5xx or a
						   transport error */
	long retry_delay_ms;                    /* first retry; doubles */
	bool tls_verify;                        /* check peer and host */
	char ca_file[SD_CONF_VALUE_MAX];        /* CA bundle; "" system */
	long parallel;                          /* requests at once */
	long queue_max;                         /* messages held at most */
};

extern const struct sd_conf_key smsc_config_keys[];
extern const struct sd_conf_key smsc_http_config_keys[];
/* The transport's keys of [ussd]: they point into struct smsc_config (its
 * ussd member), so the section's cfg is the [smpp] struct. */
extern const struct sd_conf_key smsc_ussd_config_keys[];

/* ---- The SMPP client (smsc/esme.c) ------------------------------------ */

struct sd_loop;
struct smsc_esme;

/* Longest address and message id kept (SMPP: 21 and 65 with the NUL). */
#define SMSC_ADDR_LEN 22
#define SMSC_ID_LEN 66

/* One outbound message. Borrowed for the duration of smsc_esme_submit(). */
struct smsc_submit {
	uint64_t local_id;         /* the caller's id (outbox row) */
	const char *dest;          /* "+989131111111" or a bare number */
	const char *text;          /* UTF-8 */
	bool receipt;              /* ask for a delivery receipt */
	const char *receipt_token; /* HTTP with receipt: the message's
				      secret, SMSC_HTTP_TOKEN_LEN hex digits
				      (smsc_http_token_new()), put in the
				      receipt URL; unused by SMPP */
	long validity_s;           /* 0: the SMSC's default validity */
	uint8_t priority_flag;     /* 0..3; OTPs go with 1 */
	bool ussd;        /* a USSD screen: never split; ussd_service_op
			     and the session TLVs from [ussd] */
	bool ussd_end;    /* the dialogue's last screen ([ussd] op_end,
			     end-of-session bit) or not (op_continue) */
	int ussd_session; /* the dialogue's key as smsc_mo gave it
			     (ussd_key), -1 if none */
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
	bool has_umr;             /* carried user_message_reference */
	uint16_t umr;             /* its value */
	bool ussd_begin;          /* a dial ([ussd] op_begin) */
	int ussd_key;             /* the dialogue's key per [ussd]
				     session_key, -1 if none */
	bool concat;              /* came in parts: concat_* name the group */
	uint16_t concat_ref;      /* its reference */
	uint8_t concat_total;     /* parts it was sent in */
	uint64_t token;           /* for smsc_esme_mo_done() when deferred */
};

/*
 * One part of a long MO, held until the others come. The part hook makes
 * it durable before its deliver_sm_resp (a restart gives it back with
 * smsc_esme_restore_part()); the whole message later names the group in
 * smsc_mo's concat_* fields, so the parts can be let go. Valid during the
 * hook only.
 */
struct smsc_mo_part {
	char from[SMSC_ADDR_LEN]; /* source_addr */
	char to[SMSC_ADDR_LEN];   /* destination_addr */
	uint16_t ref;             /* the group's reference */
	uint8_t total;            /* parts in the group */
	uint8_t esm_class;        /* as received */
	uint8_t data_coding;      /* as received */
	const uint8_t *sm;        /* short_message (or message_payload) */
	size_t len;               /* octets in sm */
	bool has_sar;             /* sar_* TLVs present */
	uint16_t sar_ref;         /* sar_msg_ref_num */
	uint8_t sar_total;        /* sar_total_segments */
	uint8_t sar_seq;          /* sar_segment_seqnum */
	uint64_t token;           /* for smsc_esme_mo_done() when deferred */
};

/* A delivery receipt. Valid during the receipt hook only. */
struct smsc_receipt {
	char msgid[SMSC_ID_LEN];  /* the SMSC's message id, as written */
	int state;                /* SMPP message_state (2 delivered, 5
				     undeliverable, ...), for logs */
	enum core_out_state out;  /* what it means for the message or part
				     (smsc_receipt_out_state()) */
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
	/* A part of a long MO arrived and is held for the others; NULL:
	 * acknowledged at once (a restart then loses it). */
	enum smsc_verdict (*part)(void *arg, const struct smsc_mo_part *p);
};

/* Counters, for logs, metrics and tests. */
struct smsc_esme_stats {
	uint64_t binds;         /* successful binds */
	uint64_t bind_failures; /* refused or timed out */
	uint64_t submits;       /* submit_sm written */
	uint64_t accepted;      /* submit_sm_resp OK */
	uint64_t throttled;     /* ESME_RTHROTTLED / ESME_RMSGQFUL */
	uint64_t failed_temp;   /* other temporary errors */
	uint64_t failed_perm;   /* permanent errors */
	uint64_t resent;        /* parts sent again after a drop/throttle */
	uint64_t mo;            /* whole MO messages handed up */
	uint64_t receipts;      /* receipts handed up */
	uint64_t enquire_sent;  /* our enquire_link */
	uint64_t timeouts;      /* responses that never came */
	uint64_t generic_nacks; /* generic_nack received */
	uint64_t bad_pdus;      /* PDUs we could not decode */
	unsigned window_used;   /* submits awaiting a response now */
	unsigned queued;        /* parts waiting for the window */
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

/*
 * Give back a held part a previous run stored (see struct smsc_mo_part;
 * its token is ignored), received age_s seconds ago: it waits for the
 * others again, and if it completes a message, that goes to the inbound
 * hook (with token 0: nothing to answer). SD_EINVAL (reason in err) for
 * a part that cannot be read.
 */
enum sd_rc smsc_esme_restore_part(struct smsc_esme *e,
    const struct smsc_mo_part *p, int64_t age_s, char err[SD_ERRLEN]);

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

/* ---- The store-and-forward pipeline (smsc/pipe*.c) -------------------- */

struct db;
struct db_config;
struct smsc_pipe;

/* Section [queue]. */
struct smsc_pipe_config {
	long max_attempts;                     /* tries before failed */
	long retry_s;                          /* first retry delay */
	long retry_max_s;                      /* longest retry delay */
	long dedupe_window_s;                  /* MO redelivery window */
	char receipt_kinds[SD_CONF_VALUE_MAX]; /* kinds asking for receipts */
	long batch_max;                        /* items per transaction */
	long poll_ms;                          /* look for others' rows */
};

extern const struct sd_conf_key smsc_pipe_config_keys[];

/* One inbound message for the domain. */
struct smsc_pipe_mo {
	const char *from, *to, *text; /* as received; text UTF-8 */
	bool ussd;                    /* a USSD step */
	bool ussd_begin;              /* the dialogue's first step (a dial) */
	int ussd_session;             /* the dialogue's key ([ussd]
					 session_key), -1 if none */
};

struct smsc_pipe_hooks {
	void *arg;
	/* Handle one MO on the store thread, inside its open transaction,
	 * with its connection db: queue any reply with db_outbox_add() and
	 * give its row in *reply_id. It runs in a savepoint: on an error
	 * nothing it wrote stays. A temporary error (sd_rc_is_temp) fails
	 * the batch (the SMSC resends; a stored MO is handled again later);
	 * other errors mark this message handled with no answer. why
	 * (DB_INBOX_REASON_LEN, "" on entry) may get why it was not
	 * processed as usual, kept in the inbox row. */
	enum sd_rc (*handle_mo)(void *arg, struct db *db,
	    const struct smsc_pipe_mo *mo, int64_t *reply_id, char *why);
	/* Whether text, seen again from the same number within [queue]
	 * dedupe_window_s, is a repeat not to apply twice (its answer is
	 * sent again): true for commands that change something
	 * (core_cmd_changes). NULL: every text is. Store thread. */
	bool (*mo_changes)(void *arg, const char *text);
};

/*
 * Start the pipeline on loop: open its own connection to dbcfg, queue
 * again what a crash left submitted, handle MOs stored but not handled,
 * create the SMPP client (if smpp->enabled) and the HTTP transport (if
 * httpcfg->url is set), and start the store thread. Every config must
 * outlive the pipeline. gw thread.
 */
enum sd_rc smsc_pipe_new(const struct smsc_pipe_config *cfg,
    const struct db_config *dbcfg, const struct smsc_config *smpp,
    const struct smsc_http_config *httpcfg, struct sd_loop *loop,
    const struct smsc_pipe_hooks *hooks, struct smsc_pipe **out,
    char err[SD_ERRLEN]) SD_MUSTCHECK;

/* Handle MOs stored but not handled, by the rules of hooks.handle_mo
 * (called by smsc_pipe_new; after a temporary error there, the store
 * thread calls it again until it succeeds). A temporary error leaves
 * the batch it hit unhandled, none of it committed. */
enum sd_rc smsc_pipe_handle_stored(struct smsc_pipe *p,
    char err[SD_ERRLEN]) SD_MUSTCHECK;

/* Stop sending, unbind after the responses in flight (bounded), then
 * call done(arg); then smsc_pipe_free() commits what is left. */
void smsc_pipe_stop(struct smsc_pipe *p, void (*done)(void *arg), void *arg);

/* True while the SMPP link is bound. gw thread. */
bool smsc_pipe_link_up(const struct smsc_pipe *p);

/* The metrics in Prometheus text format (queue depths read with db, the
 * caller's connection). Any thread; free() the result. */
char *smsc_pipe_metrics(struct smsc_pipe *p, struct db *db);

/* Stop everything and free. NULL is a no-op. */
void smsc_pipe_free(struct smsc_pipe *p);

/* ---- The HTTP transport (smsc/http.c) --------------------------------- */

struct smsc_http;

/*
 * Create the HTTP transport for cfg ([http_sms]) on loop and start its
 * worker thread; cfg and hooks must outlive it. Hooks fire on loop's
 * thread (the gw thread) like the ESME's, once per message:
 * accepted(local_id, 1, 1, the id the provider gave or "http-<local_id>")
 * or failed(local_id, temporary, reason); link and the inbound hooks are
 * not used. The requests themselves run on the worker, so the loop never
 * waits on the network. SD_EINVAL with a reason when cfg->url is empty or
 * a template, status list, header or CA file is bad; SD_EIO when a
 * thread or an eventfd cannot be had. gw thread only; so are all the
 * functions below but smsc_http_parse_receipt().
 */
enum sd_rc smsc_http_new(const struct smsc_http_config *cfg,
    struct sd_loop *loop, const struct smsc_hooks *hooks,
    struct smsc_http **out, char err[SD_ERRLEN]) SD_MUSTCHECK;

/*
 * Queue one message (whole: the provider splits it); m is borrowed for
 * the call. Only local_id, dest ("+98..." or digits), text, receipt and
 * validity_s of m are used. SD_EBUSY when [http_sms] queue_max messages
 * are held already (try again after a hook fired), SD_EINVAL on a bad
 * address or no text, SD_ETOOBIG on a text or request over the limits
 * of smsc/http_int.h, each with a reason in err.
 */
enum sd_rc smsc_http_submit(struct smsc_http *h, const struct smsc_submit *m,
    char err[SD_ERRLEN]) SD_MUSTCHECK;

/* Counters of the HTTP transport. */
struct smsc_http_stats {
	uint64_t sent;        /* requests started, retries included */
	uint64_t accepted;    /* messages accepted */
	uint64_t failed_temp; /* messages failed for now (tries used up) */
	uint64_t failed_perm; /* messages refused for good */
	unsigned in_flight;   /* messages held: queued, sent or waiting to
				 be tried again */
};

/* Copy the counters. */
void smsc_http_stats(const struct smsc_http *h, struct smsc_http_stats *st);

/* Stop the worker (in-flight requests are abandoned and no hook fires
 * for them: their rows stay submitted and go again at the next start) and
 * free. Never from inside one of its hooks. NULL is a no-op. */
void smsc_http_free(struct smsc_http *h);

/* Hex digits of the secret a receipt URL carries (128 bits). */
#define SMSC_HTTP_TOKEN_LEN 32

/* A fresh receipt secret from the kernel's CSPRNG (getrandom): 32
 * lowercase hex digits and a NUL in out. Aborts if no randomness can be
 * had. Any thread. */
void smsc_http_token_new(char out[SMSC_HTTP_TOKEN_LEN + 1]);

/*
 * A delivery report called back over HTTP on [http_sms] receipt_path
 * (Kannel's dlr-url): from the callback's query string (with or without
 * the leading '?'), the local id (id=), the message's secret (tok=, ""
 * when missing or not SMSC_HTTP_TOKEN_LEN hex digits) and the SMPP
 * message_state it reports: Kannel's type= (1 delivered -> 2 DELIVERED,
 * 2 failed -> 5 UNDELIVERABLE, 16 SMSC reject -> 8 REJECTED, 4 buffered
 * and 8 SMSC ack -> 1 ENROUTE) or a provider's status= word (delivered,
 * failed, rejected, expired, sent, queued, ...). SD_EINVAL if it is not
 * one; the outputs are set on SD_OK only. Whether the secret is the
 * message's is for the caller to check (db_outbox_receipt_http()).
 * Pure: any thread.
 */
enum sd_rc smsc_http_parse_receipt(const struct smsc_http_config *cfg,
    const char *query, uint64_t *local_id, int *state,
    char token[SMSC_HTTP_TOKEN_LEN + 1]) SD_MUSTCHECK;

/*
 * Store a delivery report called back over HTTP (query as for
 * smsc_http_parse_receipt()) on db, in a transaction of its own. It
 * changes a row only if the row went over HTTP, is submitted or accepted
 * and the report carries the row's secret (issue #9): ids are sequential,
 * so anyone could otherwise mark queued messages delivered. SD_EINVAL
 * (not a report), SD_EPERM (refused: no such row, not HTTP, wrong state
 * or secret; logged with the reason, never the secret), a temporary code
 * (not stored; the provider may call again), or SD_OK. The web thread,
 * with its own connection (web_hooks sms_receipt).
 */
enum sd_rc smsc_http_receipt_store(struct db *db,
    const struct smsc_http_config *cfg, const char *query) SD_MUSTCHECK;

#endif
