/*
 * tests/sim/sim.h: smsdesk-smsc-sim, the bundled SMSC simulator (internal
 * header shared by the tests/sim/ files; nothing outside tests/sim/
 * includes it).
 *
 * The simulator is an SMPP 3.4 SMSC on loopback for the ESME in smsc/:
 * it answers binds, submits, enquire_link and unbind, sends delivery
 * receipts, injected MOs and USSD steps, stores what was submitted
 * (decoded to UTF-8 and reassembled), and injects faults. It is driven
 * over a small HTTP control interface that also serves a "virtual phone"
 * page.
 *
 * Threads (style.md A2, design.md §8):
 *   - The main thread runs one core/base loop. It owns every SMPP socket,
 *     every libsmpp34 call (libsmpp34 keeps its error state in globals),
 *     the message store, the delivery queues, the faults and the
 *     counters. Nothing in struct sim is touched by another thread.
 *   - libmicrohttpd runs its own polling thread (sim_http.c). It only
 *     copies each request into a struct sim_req, queues it under a mutex,
 *     wakes the loop through the loop's eventfd and waits on a condition
 *     variable; the loop answers it in sim_web.c.
 *
 * Files: sim_main.c (options, start-up, shutdown), sim_smpp.c (sockets,
 * framing, PDUs), sim_deliver.c (receipts, MOs, USSD, delivery queues),
 * sim_store.c (submitted messages, reassembly), sim_text.c (codecs,
 * buffers, escaping), sim_http.c (libmicrohttpd thread), sim_web.c
 * (control endpoints and the phone page).
 */
#ifndef SMSDESK_TESTS_SIM_SIM_H
#define SMSDESK_TESTS_SIM_SIM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "core/base/loop.h"
#include "core/base/rc.h"

/* ---------------------------------------------------------------------
 * Limits (the simulator's own; core/base/limits.h is the daemon's)
 */

/* Longest PDU accepted (command_length); longer ones are malformed. */
#define SIM_PDU_MAX 65536
/* An SMPP address (source_addr, destination_addr) with its NUL. */
#define SIM_ADDR_MAX 21
/* A message id with its NUL (SMPP allows 65). */
#define SIM_MSGID_MAX 65
/* short_message octets (sm_length is one octet; SMPP allows 254). */
#define SIM_SM_MAX 254
/* UTF-8 text of one injected MO or USSD step, in bytes. */
#define SIM_MO_TEXT_MAX 4000
/* Copies one POST /mo may ask for. */
#define SIM_MO_COUNT_MAX 10000000u
/* MO jobs (POST /mo calls) waiting at once. */
#define SIM_MO_JOBS_MAX 1000
/* Parts of a concatenated message (the UDH counts them in one octet). */
#define SIM_PARTS_MAX 255
/* Concatenation groups waiting for parts at once. */
#define SIM_GROUPS_MAX 10000
/* Destination numbers in --undeliv. */
#define SIM_UNDELIV_MAX 1000
/* Body of one HTTP request. */
#define SIM_HTTP_BODY_MAX 65536
/* Arguments (query plus form body) of one HTTP request. */
#define SIM_HTTP_ARGS_MAX 64
/* Longest value of --max-conns, --mo-window. */
#define SIM_CONNS_MAX 1024
#define SIM_WINDOW_MAX 10000
/* A deliver_sm with no answer after this long is sent again. */
#define SIM_DELIVER_TIMEOUT_MS 30000
/* Wait before a deliver_sm refused with a temporary error goes again. */
#define SIM_RETRY_MS 1000
/* deliver_sm attempts for one message before it is dropped. */
#define SIM_DELIVER_ATTEMPTS 10
/* Per-status counter slots (distinct command_status values counted). */
#define SIM_STATUS_SLOTS 32

/* ---------------------------------------------------------------------
 * Options (sim_main.c fills them once; immutable afterwards)
 */
struct sim_opts {
	long smpp_port;         /* --port; 0 = ephemeral */
	long http_port;         /* --http-port; 0 = ephemeral */
	const char *ready_file; /* --ready-file or NULL */
	const char *system_id;  /* --system-id */
	const char *password;   /* --password (never logged) */
	bool hex_ids;           /* --hex-ids: alternate dec/hex ids */
	bool dlr_id_dec;        /* --dlr-id-dec: receipts name hex ids
				   in decimal */
	long dlr_delay_ms;      /* --dlr-delay-ms */
	double undeliv_share;   /* --undeliv-share, percent 0..100 */
	char **undeliv;         /* --undeliv numbers (owned) */
	size_t n_undeliv;       /* entries in undeliv */
	bool log_submits;       /* --log-submits */
	const char *log_path;   /* --log FILE or NULL for stdout */
	long mo_window;         /* --mo-window, per session */
	long max_conns;         /* --max-conns */
	long max_submits;       /* --max-submits: messages kept */
	long max_store_mb;      /* --max-store-mb: their text, MiB */
	long max_receipts;      /* --max-receipts: receipts not yet
				   acknowledged */
	long concat_timeout_ms; /* --concat-timeout-ms */
	const char *short_code; /* --short-code: default MO address */
	const char *ussd_code;  /* --ussd-code: what the phone page dials */
	const char *smsc_id;    /* system_id in bind responses */
};

/* ---------------------------------------------------------------------
 * sim_text.c: growable strings, escaping, codecs, UDH, splitting
 */

/* A growable NUL-terminated string (p is NULL until the first add). */
struct sim_buf {
	char *p;    /* bytes, NUL-terminated when not NULL */
	size_t len; /* bytes used, without the NUL */
	size_t cap; /* bytes allocated */
};

/* Append n bytes / a C string / printf output / one code point as
 * UTF-8. Abort on out-of-memory (xmalloc). */
void sim_buf_add(struct sim_buf *b, const void *data, size_t n);
void sim_buf_adds(struct sim_buf *b, const char *s);
void sim_buf_addf(struct sim_buf *b, const char *fmt, ...) SD_PRINTF(2, 3);
void sim_buf_add_cp(struct sim_buf *b, uint32_t cp);
/* Append s as a quoted JSON string (s is valid UTF-8). */
void sim_buf_json(struct sim_buf *b, const char *s);
/* Append s with & < > " ' escaped for HTML text and attribute values. */
void sim_buf_html(struct sim_buf *b, const char *s);
/* The string, owned by the caller (never NULL); b is reset. */
char *sim_buf_take(struct sim_buf *b);
/* Free the bytes; b is reset. */
void sim_buf_fini(struct sim_buf *b);

/* How the octets of a short message are to be read. */
enum sim_alpha {
	SIM_ALPHA_GSM7 = 0, /* GSM 03.38 default alphabet, one septet per
			       octet (as submit_sm carries it) */
	SIM_ALPHA_LATIN1,   /* ISO-8859-1 */
	SIM_ALPHA_UCS2,     /* UCS-2 / UTF-16BE */
	SIM_ALPHA_BINARY,   /* 8-bit data: shown as hex */
};

/* The alphabet of a data_coding value: 0 and 1 GSM 7-bit (the project's
 * ESME labels GSM 7-bit with 1 for SMSCs that read 0 as Latin-1), 3
 * Latin-1, 8 UCS-2, 2 and 4 binary; 0x10.. by the GSM 03.38 coding
 * groups; anything else binary. */
enum sim_alpha sim_dc_alpha(uint8_t dc);
/* "gsm7", "latin1", "ucs2", "binary". Static. */
const char *sim_alpha_name(enum sim_alpha a);
/* Decode n octets in alphabet a, appending UTF-8 to out. Never fails:
 * invalid units become U+FFFD (or '?'), and the count of them is
 * returned. */
size_t sim_text_decode(enum sim_alpha a, const uint8_t *in, size_t n,
    struct sim_buf *out);
/* True if s[0..n) is well-formed UTF-8 without NUL. */
bool sim_utf8_valid(const char *s, size_t n);
/* Encode UTF-8 into GSM 7-bit (unpacked septets, with 0x1B escapes) or
 * UCS-2 (UTF-16BE, surrogate pairs for the rest). SD_EINVAL when a
 * character has no GSM 7-bit form (or a is not GSM7/UCS2), SD_ETOOBIG
 * when out (cap octets) is too small. */
enum sd_rc sim_text_encode(enum sim_alpha a, const char *utf8, size_t n,
    uint8_t *out, size_t cap, size_t *outlen) SD_MUSTCHECK;

/* Encode up to max_chars characters of UTF-8 s into GSM 7-bit septets,
 * '?' for what has no GSM 7-bit form, stopping before out (cap octets)
 * would overflow. Returns the octets written. */
size_t sim_gsm7_lenient(const char *s, size_t max_chars, uint8_t *out,
    size_t cap);

/* A parsed user data header. */
struct sim_udh {
	size_t len;    /* octets of the UDH with its length octet */
	bool concat;   /* a valid concatenation IE was found */
	bool ref16;    /* it was IEI 0x08 (16-bit reference) */
	uint16_t ref;  /* reference number */
	uint8_t total; /* parts, 1.. */
	uint8_t seq;   /* this part, 1..total */
};

/* Parse the UDH at the start of sm (n octets). SD_EINVAL when a length
 * runs past the data or a concatenation IE has the wrong length. A
 * concatenation IE with seq 0, total 0 or seq > total is ignored
 * (23.040 §9.2.3.24.1). Pure. */
enum sd_rc sim_udh_parse(const uint8_t *sm, size_t n,
    struct sim_udh *u) SD_MUSTCHECK;

/* Split n octets of units (GSM7 or UCS2) into SMS parts: one part of up
 * to 160 septets / 70 UCS-2 units, or parts of 153 / 67 behind a UDH;
 * never between an escape and its character or inside a surrogate pair.
 * want 0 takes as few parts as needed; want N asks for exactly N.
 * ends[i] gets the exclusive end offset of part i (ends has
 * SIM_PARTS_MAX entries). SD_EINVAL with the reason in err when it
 * cannot be done. Pure. */
enum sd_rc sim_text_split(enum sim_alpha a, const uint8_t *units, size_t n,
    unsigned want, size_t *ends, unsigned *nparts,
    char err[SD_ERRLEN]) SD_MUSTCHECK;

/* True if two phone numbers name the same phone: equal digits, or the
 * same last 10 digits when both have at least 10 (so 0913..., 98913...,
 * +98913... and 0098913... all match). Pure. */
bool sim_phone_match(const char *a, const char *b);

/* ---------------------------------------------------------------------
 * sim_store.c: submitted messages, reassembled, the newest N kept
 */

/* How the parts of a message were tied together. */
enum sim_concat {
	SIM_CONCAT_NONE = 0, /* a single submit_sm */
	SIM_CONCAT_UDH8,     /* UDH IEI 0x00 */
	SIM_CONCAT_UDH16,    /* UDH IEI 0x08 */
	SIM_CONCAT_SAR,      /* sar_* TLVs */
};

/* One stored message (one submit_sm, or the parts of one). */
struct sim_msg {
	uint64_t seq;             /* 1.., store order (/submits?since=) */
	int64_t time;             /* wall clock (s) when stored */
	char src[SIM_ADDR_MAX];   /* source_addr */
	char dst[SIM_ADDR_MAX];   /* destination_addr */
	uint8_t src_ton, src_npi; /* source TON/NPI */
	uint8_t dst_ton, dst_npi; /* destination TON/NPI */
	uint8_t dc;               /* data_coding (of the first part) */
	uint8_t esm_class;        /* esm_class (of the first part) */
	uint8_t rd;               /* registered_delivery (first part) */
	uint8_t concat;           /* enum sim_concat */
	bool payload;             /* text came in message_payload */
	bool complete;            /* every part arrived */
	unsigned parts;           /* parts expected (1 for a single) */
	unsigned parts_seen;      /* parts that arrived */
	bool has_ussd_op;         /* ussd_service_op TLV present */
	uint8_t ussd_op;          /* its value */
	bool has_session;         /* its_session_info TLV present */
	uint16_t session;         /* its value */
	char *text;               /* UTF-8 text, owned */
	char *ids;                /* message ids of the parts in order,
				     comma-separated, owned */
	size_t bad_units;         /* units that did not decode */
	size_t bytes;             /* memory accounted to this message */
};

/* One accepted submit_sm as the store sees it. Pointers are borrowed
 * for the call. */
struct sim_part {
	const char *src, *dst;    /* addresses */
	uint8_t src_ton, src_npi; /* TON/NPI */
	uint8_t dst_ton, dst_npi;
	const char *id;         /* message id given in submit_sm_resp */
	uint8_t dc;             /* data_coding */
	uint8_t esm_class;      /* esm_class */
	uint8_t rd;             /* registered_delivery */
	enum sim_concat concat; /* how it is tied to other parts */
	uint16_t ref;           /* concat reference */
	uint8_t total, seq;     /* concat position (when concat) */
	bool payload;           /* text from message_payload */
	const uint8_t *units;   /* text octets (UDH removed) */
	size_t n;               /* their count */
	bool has_ussd_op;       /* USSD TLVs, as in struct sim_msg */
	uint8_t ussd_op;
	bool has_session;
	uint16_t session;
};

struct sim_store;

/* Called for every message stored (complete, or incomplete after the
 * concatenation timeout or eviction). m is borrowed for the call. */
typedef void (*sim_store_fn)(const struct sim_msg *m, void *arg);

/* A store keeping the newest max_msgs messages and at most max_bytes of
 * them, holding incomplete groups for timeout_ms. */
struct sim_store *sim_store_new(size_t max_msgs, size_t max_bytes,
    int64_t timeout_ms, sim_store_fn fn, void *arg);
/* Free it and everything in it. NULL is a no-op. */
void sim_store_free(struct sim_store *s);
/* Add one part (now_ms is CLOCK_MONOTONIC); a message is stored (and fn
 * called) when it is complete. A part seen twice replaces the first. */
void sim_store_add(struct sim_store *s, const struct sim_part *p,
    int64_t now_ms);
/* Store, incomplete, the groups older than the timeout. */
void sim_store_expire(struct sim_store *s, int64_t now_ms);
/* The message with this seq, or NULL when evicted or not yet there.
 * Borrowed until the next sim_store_add/expire. */
const struct sim_msg *sim_store_get(const struct sim_store *s, uint64_t seq);
/* Oldest and newest seq kept (first > last when empty). */
void sim_store_range(const struct sim_store *s, uint64_t *first,
    uint64_t *last);
/* Gauges for /stats. */
void sim_store_gauges(const struct sim_store *s, size_t *msgs, size_t *bytes,
    size_t *groups);

/* ---------------------------------------------------------------------
 * State owned by the loop thread
 */

/* A deliver_sm the simulator owes an ESME (MO, receipt or USSD). */
enum sim_dlv_kind {
	SIM_DLV_MO = 0,
	SIM_DLV_RECEIPT,
	SIM_DLV_USSD,
};

struct sim_dlv {
	struct sim_dlv *next;        /* queue link */
	enum sim_dlv_kind kind;      /* what it is */
	int64_t due;                 /* CLOCK_MONOTONIC ms: not before */
	unsigned attempts;           /* deliver_sm sent so far */
	char service_type[6];        /* "" or "USSD" */
	char src[SIM_ADDR_MAX];      /* source_addr */
	char dst[SIM_ADDR_MAX];      /* destination_addr */
	uint8_t src_ton, src_npi;    /* source TON/NPI */
	uint8_t dst_ton, dst_npi;    /* destination TON/NPI */
	uint8_t esm_class;           /* 0x04 receipt, 0x40 UDH */
	uint8_t data_coding;         /* 0 GSM 7-bit, 8 UCS-2 */
	uint8_t sm_len;              /* octets in sm */
	uint8_t sm[SIM_SM_MAX];      /* short_message */
	char rcpt_id[SIM_MSGID_MAX]; /* receipt: receipted_message_id */
	uint8_t msg_state;           /* receipt: message_state */
	bool has_ussd_op;            /* USSD: ussd_service_op */
	uint8_t ussd_op;
	bool has_session; /* USSD: its_session_info */
	uint16_t session;
};

/* A FIFO of deliveries. */
struct sim_q {
	struct sim_dlv *head, *tail; /* oldest, newest */
	size_t n;                    /* entries */
};

/* A POST /mo waiting to be turned into deliver_sm (copies are made one
 * at a time, when a receiver has room, so count=K costs no memory). */
struct sim_mo_job {
	struct sim_mo_job *next; /* FIFO link */
	uint64_t id;             /* job id, for the reply */
	char from[SIM_ADDR_MAX]; /* the phone */
	char to[SIM_ADDR_MAX];   /* the short code */
	char *text;              /* UTF-8, owned */
	enum sim_alpha alpha;    /* GSM7 or UCS2 */
	unsigned parts;          /* 0: as many as needed */
	uint64_t count;          /* copies asked for */
	uint64_t made;           /* copies made so far */
	bool unnumbered;         /* numbered=0: copies keep the bare text */
	uint64_t spread;         /* copies come from K numbers (0, 1: one) */
	bool text_spread;        /* the number ending the text goes up too */
	uint64_t gap_ms;         /* part k goes (k - 1) * gap_ms late */
};

/* A counter per command_status value. */
struct sim_statcount {
	uint32_t status; /* command_status */
	uint64_t n;      /* times seen; 0: slot free */
};

struct sim_counters {
	uint64_t connections;       /* accepted */
	uint64_t conns_refused;     /* over --max-conns */
	uint64_t binds_ok;          /* successful binds */
	uint64_t binds_failed;      /* refused binds */
	uint64_t submit_sm;         /* submit_sm PDUs received */
	uint64_t submits_ok;        /* answered ESME_ROK */
	uint64_t throttled;         /* answered ESME_RTHROTTLED (fault) */
	uint64_t parts;             /* accepted parts of long messages */
	uint64_t messages;          /* whole messages stored */
	uint64_t incomplete;        /* stored with parts missing */
	uint64_t decode_problems;   /* invalid units in stored texts */
	uint64_t receipts_sent;     /* receipt deliver_sm sent */
	uint64_t receipts_delivrd;  /* receipts made with DELIVRD */
	uint64_t receipts_undeliv;  /* receipts made with UNDELIV */
	uint64_t receipts_dropped;  /* over --max-receipts */
	uint64_t mo_messages;       /* MO copies made */
	uint64_t mos_sent;          /* MO deliver_sm sent (parts) */
	uint64_t ussd_sent;         /* USSD deliver_sm sent */
	uint64_t deliver_sm_resp;   /* deliver_sm_resp received */
	uint64_t deliver_resp_err;  /* ... with a non-zero status */
	uint64_t deliver_timeouts;  /* no answer in time */
	uint64_t deliver_requeued;  /* sent again (drop, error, timeout) */
	uint64_t deliver_dropped;   /* given up */
	uint64_t enquire_link;      /* enquire_link received */
	uint64_t enquire_ignored;   /* ... left unanswered (fault) */
	uint64_t unbinds;           /* unbind received */
	uint64_t generic_nack_sent; /* generic_nack sent */
	uint64_t generic_nack_rcvd; /* generic_nack received */
	uint64_t bad_pdus;          /* malformed frames (closed) */
	uint64_t drops;             /* /fault/drop calls */
	uint64_t chaos_drops;       /* drops by drop_every */
	uint64_t stalled;           /* responses held back by stall_every */
	struct sim_statcount submit_status[SIM_STATUS_SLOTS];  /* answers */
	struct sim_statcount deliver_status[SIM_STATUS_SLOTS]; /* resps */
};

/* Faults injected over HTTP. */
struct sim_faults {
	uint64_t throttle_left; /* submits still to throttle */
	bool no_enquire;        /* leave enquire_link unanswered */
	int64_t delay_ms;       /* delay every response by this much */
	/* Standing faults (/fault/chaos), until /fault/clear: */
	uint64_t drop_every;   /* drop every link after this many PDUs in */
	uint64_t pdus_in;      /* ... PDUs read since the last such drop */
	unsigned throttle_pct; /* ESME_RTHROTTLED to this % of submits */
	uint64_t stall_every;  /* every K-th submit_sm's response ... */
	int64_t stall_ms;      /* ... is held back this long */
	uint64_t submits_in;   /* submit_sm read since chaos was set */
	uint64_t rng;          /* xorshift state for throttle_pct */
	int64_t down_until;    /* /fault/down: mono ms; links refused */
};

struct sim_conn;
struct sim_http;

/* A message the phone page shows as sent from a phone (the MO log). */
struct sim_sent {
	int64_t time;            /* wall clock (s) */
	char from[SIM_ADDR_MAX]; /* phone */
	char to[SIM_ADDR_MAX];   /* short code */
	char *text;              /* UTF-8, owned; NULL: slot empty */
	bool ussd;               /* a USSD step */
	uint64_t mark;           /* the store's last seq when it was sent:
				    a screen stored after it answers it */
};
#define SIM_SENT_MAX 256

struct sim {
	const struct sim_opts *opts;  /* immutable */
	struct sd_loop *loop;         /* the loop (main thread) */
	int64_t started_ms;           /* CLOCK_MONOTONIC at start */
	int64_t started_us;           /* the same in microseconds */
	int smpp_fd;                  /* listening socket, -1 closed */
	int smpp_port, http_port;     /* bound ports */
	struct sim_conn *conns;       /* every connection */
	size_t n_conns;               /* their number */
	uint64_t next_conn_id;        /* for logs */
	uint64_t rr;                  /* round-robin cursor (conn id) */
	uint8_t *scratch;             /* SIM_PDU_MAX + 1: unpack copies */
	struct sim_store *store;      /* submitted messages */
	struct sim_q ready;           /* deliveries due now */
	struct sim_q pending;         /* receipts waiting for the delay */
	struct sim_q retry;           /* deliveries refused, waiting */
	size_t n_receipts;            /* receipts alive anywhere */
	size_t n_inflight;            /* deliveries in session windows */
	uint64_t dlv_timer;           /* timer for pending/retry, 0: none */
	int64_t dlv_timer_due;        /* when it fires */
	struct sim_mo_job *jobs_head; /* MO jobs, oldest first */
	struct sim_mo_job *jobs_tail;
	size_t n_jobs;                      /* their number */
	uint64_t next_job_id;               /* job ids */
	uint8_t mo_ref;                     /* UDH reference of the last MO */
	uint8_t ussd_session;               /* last USSD session number made */
	uint64_t msgid_base;                /* message ids start above it */
	uint64_t msgid_count;               /* message ids given */
	double undeliv_acc;                 /* --undeliv-share accumulator */
	struct sim_sent sent[SIM_SENT_MAX]; /* MO log for the phone page */
	size_t sent_next;                   /* next slot in sent */
	struct sim_counters ctr;            /* counters */
	struct sim_faults faults;           /* faults */
	struct sim_http *http;              /* the HTTP side */
	FILE *submit_log;                   /* --log-submits output or NULL */
	/* Benchmark clock (sim_bench_us(): microseconds since start, 0:
	 * not yet): the first and last MO deliver_sm sent, the first and
	 * last submit_sm accepted, the last whole message stored. */
	int64_t first_mo_us, last_mo_us;
	int64_t first_submit_us, last_submit_us;
	int64_t last_message_us;
	bool stopping; /* SIGINT/SIGTERM seen */
};

/* Microseconds since the simulator started (CLOCK_MONOTONIC), at least
 * 1, for the benchmark clock. */
int64_t sim_bench_us(const struct sim *s);

/* Count status in tab (SIM_STATUS_SLOTS entries); when every slot is
 * taken the last one collects the rest under 0xffffffff. */
void sim_status_count(struct sim_statcount *tab, uint32_t status);

/* ---------------------------------------------------------------------
 * sim_smpp.c: the SMPP side
 */

/* Listen on 127.0.0.1:opts->smpp_port; sets s->smpp_port. SD_EIO with
 * the reason in err. */
enum sd_rc sim_smpp_listen(struct sim *s, char err[SD_ERRLEN]) SD_MUSTCHECK;
/* Before-sleep work: flush output, reap closed connections. */
void sim_smpp_flush(struct sim *s);
/* Periodic work: deliver_sm and closing timeouts. */
void sim_smpp_tick(struct sim *s, int64_t now_ms);
/* Close every ESME connection now (fault), without unbind. Returns the
 * number closed. */
size_t sim_smpp_drop_all(struct sim *s);
/* Shutdown: stop listening, unbind bound sessions, close the rest. */
void sim_smpp_shutdown(struct sim *s);
/* Free every connection (after the loop stopped). */
void sim_smpp_fini(struct sim *s);
/* Connections open (all / bound by kind). */
void sim_smpp_sessions(const struct sim *s, size_t *open, size_t *tx,
    size_t *rx, size_t *trx);
/* The next session (round robin) bound as receiver or transceiver with
 * room in its window, or NULL. */
struct sim_conn *sim_smpp_receiver(struct sim *s);
/* Send d as a deliver_sm on c (which had room); d belongs to c's window
 * until answered, or returns to s->ready if the connection goes. */
void sim_smpp_deliver(struct sim_conn *c, struct sim_dlv *d);

/* ---------------------------------------------------------------------
 * sim_deliver.c: receipts, MOs, USSD and the delivery queues
 */

/* What sim_smpp.c knows about an accepted submit_sm that asked for a
 * receipt. Strings are borrowed for the call. */
struct sim_rcpt_in {
	const char *id;    /* message id as in submit_sm_resp */
	uint64_t id_value; /* its numeric value */
	bool id_hex;       /* it was written in hex */
	const char *src;   /* the submit's source (short code) */
	uint8_t src_ton, src_npi;
	const char *dst; /* the submit's destination (phone) */
	uint8_t dst_ton, dst_npi;
	uint8_t rd;          /* registered_delivery */
	int64_t submit_time; /* wall clock (s) */
	const char *text;    /* start of the decoded text, UTF-8 */
};

/* Schedule the receipt of one accepted submit_sm (if rd asks for one);
 * decides DELIVRD or UNDELIV. */
void sim_receipt_schedule(struct sim *s, const struct sim_rcpt_in *in);

/* An MO to inject (POST /mo). */
struct sim_mo_in {
	const char *from, *to; /* addresses */
	const char *text;      /* UTF-8 */
	const char *coding;    /* "gsm7", "ucs2", "auto" or NULL (auto) */
	unsigned parts;        /* 0: as needed */
	uint64_t count;        /* copies, 1.. */
	bool unnumbered;       /* copies without the " #i" suffix */
	uint64_t spread;       /* copy i comes from from + (i-1) mod spread
				  (from all digits); 0 or 1: from itself */
	bool text_spread;      /* and the number that ends the text goes up
				  by as much (STATUS 10001, STATUS 10002..) */
	uint64_t gap_ms;       /* part k waits (k - 1) * gap_ms (0: none) */
};

/* Queue an MO job. SD_EINVAL (bad input) or SD_ETOOBIG (queue full)
 * with the reason in err; on success *job_id and *nparts (parts of the
 * first copy) are set. */
enum sd_rc sim_mo_inject(struct sim *s, const struct sim_mo_in *in,
    uint64_t *job_id, unsigned *nparts, char err[SD_ERRLEN]) SD_MUSTCHECK;
/* Queue a USSD step: a deliver_sm with ussd_service_op op and, when
 * has_session, its_session_info session. SD_EINVAL with the reason. */
enum sd_rc sim_ussd_inject(struct sim *s, const char *from, const char *to,
    const char *text, uint8_t op, bool has_session, uint16_t session,
    char err[SD_ERRLEN]) SD_MUSTCHECK;
/* Give due deliveries to receivers with room (before sleep). */
void sim_deliver_pump(struct sim *s);
/* A session went away (or timed out) with d unanswered: send it again
 * first. */
void sim_deliver_requeue(struct sim *s, struct sim_dlv *d);
/* The ESME answered d with status: done, retried later, or dropped. */
void sim_deliver_answered(struct sim *s, struct sim_dlv *d, uint32_t status);
/* A deliver_sm for d went out (counters). */
void sim_deliver_sent(struct sim *s, const struct sim_dlv *d);
/* Free every queued delivery and job (at exit). */
void sim_deliver_fini(struct sim *s);
/* Deliveries waiting (ready + pending + retry) and MO copies not yet
 * made. */
void sim_deliver_gauges(const struct sim *s, size_t *queued, uint64_t *mo_left);

/* ---------------------------------------------------------------------
 * sim_http.c / sim_web.c: the control interface
 */

/* One argument of an HTTP request (query or form body), decoded. */
struct sim_kv {
	char *key; /* owned */
	char *val; /* owned, "" for a bare key */
};

/* One HTTP request, copied by the HTTP thread and answered by the loop
 * thread. The reply fields belong to the loop thread until done. */
struct sim_req {
	struct sim_req *next; /* queue link */
	char *method;         /* "GET", "POST" ... (owned) */
	char *path;           /* URL path (owned) */
	struct sim_kv *kv;    /* query arguments, then form fields */
	size_t n_kv;          /* their number */
	unsigned status;      /* reply: HTTP status */
	const char *ctype;    /* reply: Content-Type (static) */
	char *body;           /* reply: body (owned, may be NULL) */
	size_t body_len;      /* its length */
	char *location;       /* reply: Location for 303 (owned) */
	const char *allow;    /* reply: Allow for 405 (static) */
	bool done;            /* reply complete (under the mutex) */
	bool abandoned;       /* the HTTP thread gave up waiting */
};

/* The value of argument key (query first, then form), or NULL. */
const char *sim_req_arg(const struct sim_req *r, const char *key);
/* Free a request and its reply. NULL is a no-op. */
void sim_req_free(struct sim_req *r);

/* Start libmicrohttpd on 127.0.0.1:opts->http_port (sets s->http_port);
 * requests are answered by sim_web_handle() in the loop thread. Call
 * after sim_loop signals are set up so the thread inherits the mask. */
enum sd_rc sim_http_start(struct sim *s, char err[SD_ERRLEN]) SD_MUSTCHECK;
/* Stop it: answer every waiting request with 503, stop the daemon. */
void sim_http_stop(struct sim *s);

/* Answer r (loop thread): fill status, ctype, body, location. */
void sim_web_handle(struct sim *s, struct sim_req *r);

#endif
