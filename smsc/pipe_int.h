/*
 * smsc/pipe_int.h: the pipeline's private parts, shared by its files:
 *
 *   pipe.c          the dispatcher on the gw thread (the transports'
 *                   hooks, the ready heap, the in-flight table, pump)
 *                   and the life cycle (new, stop, free, restore);
 *   pipe_store.c    the store thread: every database write, in batches;
 *   pipe_metrics.c  the counters and their /metrics text.
 *
 * Threads and what they may touch are written on struct smsc_pipe's
 * fields: "gw thread only", "shared, under mu", "store thread only".
 * Private to smsc/ (and its tests).
 */
#ifndef SMSDESK_SMSC_PIPE_INT_H
#define SMSDESK_SMSC_PIPE_INT_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/base/xmalloc.h"
#include "db/db.h"
#include "smsc/smsc.h"

/* ---- Work items --------------------------------------------------------- */

/* An MO waiting for the store thread. */
struct job_mo {
	uint64_t token;           /* for smsc_esme_mo_done() */
	char from[SMSC_ADDR_LEN]; /* sender as received */
	char to[SMSC_ADDR_LEN];   /* short code */
	char *text;               /* UTF-8, owned */
	bool ussd;                /* a USSD step */
	bool ussd_begin;          /* its first step (a dial) */
	int session;              /* the dialogue's key, -1 if none */
	bool concat;              /* came in parts: let the stored ones go */
	int concat_ref, concat_total;
	bool is_part; /* not a message: a held part (part.sm
			 owned; text NULL) */
	struct db_inbox_part part;
	bool ok; /* result: committed */
};

enum op_type {
	OP_ACCEPTED,   /* a part was accepted */
	OP_FAILED,     /* the message failed */
	OP_RECEIPT,    /* a delivery receipt */
	OP_EXPIRED,    /* too late to send */
	OP_HTTP_TOKEN, /* record route HTTP and the receipt secret */
};

/* A state change waiting for the store thread. */
struct job_op {
	enum op_type type;
	int64_t id;                /* outbox row (0 for receipts) */
	int part, parts;           /* OP_ACCEPTED */
	enum core_out_route route; /* OP_ACCEPTED: by SMPP or HTTP */
	bool final;                /* the message's outcome is now known */
	bool receipt;              /* OP_ACCEPTED: a receipt was asked */
	bool temporary;            /* OP_FAILED */
	enum core_out_state state; /* OP_RECEIPT: what it says */
	int error;                 /* OP_RECEIPT: error code */
	uint64_t token;            /* OP_RECEIPT: for smsc_esme_mo_done() */
	bool ok;                   /* result: committed */
	char msgid[SMSC_ID_LEN];   /* SMSC message id */
	char reason[96];           /* OP_FAILED, OP_EXPIRED */
	char tok[SMSC_HTTP_TOKEN_LEN + 1]; /* OP_HTTP_TOKEN */
};

/* A growable array of one item type. */
#define VEC(T)                                                                 \
	struct {                                                               \
		T *v;                                                          \
		size_t n, cap;                                                 \
	}

#define VEC_PUSH(vec, item)                                                    \
	do {                                                                   \
		if ((vec).n == (vec).cap) {                                    \
			(vec).cap = (vec).cap ? (vec).cap * 2 : 64;            \
			(vec).v = xrealloc((vec).v,                            \
			    (vec).cap * sizeof(*(vec).v));                     \
		}                                                              \
		(vec).v[(vec).n++] = (item);                                   \
	} while (0)

typedef VEC(struct job_mo) vec_mo;
typedef VEC(struct job_op) vec_op;
typedef VEC(struct db_outbox_row) vec_row;

/* A message handed to a transport, waiting for its parts' answers. */
struct flight {
	int64_t id;                /* outbox row; 0 = free slot */
	int parts_done;            /* parts answered */
	int64_t since_ms;          /* the row's created_ms, for the latency */
	int kind;                  /* enum core_out_kind */
	enum core_out_route route; /* SMPP or HTTP */
	bool receipt; /* a receipt was asked: keep every part's id */
};

/* The /metrics text at most (a few kB: its lines are bounded by the
 * kinds, states, routes and 32 error names). */
#define SMSC_METRICS_MAX (64 * 1024)

/* Buckets of the queued-to-accepted histogram (their bounds are in
 * pipe_metrics.c), plus one past the last. */
#define PIPE_LAT_N 12

/* Counters shown on /metrics, written on the gw thread. */
struct pipe_metrics {
	uint64_t mo, mo_dup, mo_failed;
	uint64_t submits[CORE_OUT_ROUTE_COUNT]; /* by route (none unused) */
	uint64_t accepted[CORE_OUT_ROUTE_COUNT];
	uint64_t receipts[CORE_OUT_STATE_COUNT + 1]; /* by state, last: other */
	uint64_t lat_count, lat_bucket[PIPE_LAT_N + 1];
	double lat_sum;
	uint64_t batches, batch_failures;
	bool link_up;
	bool http_active;
	/* The SMPP client's counters as the gw thread last published them
	 * (pipe_metrics_publish_esme(), every tick): the client's own struct is
	 * the gw thread's alone, and /metrics runs on the web thread. */
	struct smsc_esme_stats esme;
	bool has_esme;
	struct {
		char name[40];
		uint64_t n;
	} errors[32]; /* failures by SMPP status name */
	size_t n_errors;
};

struct smsc_pipe {
	const struct smsc_pipe_config *cfg;
	const struct smsc_config *smpp;
	const struct smsc_http_config *httpcfg;
	struct sd_loop *loop;
	struct smsc_pipe_hooks hooks;
	struct smsc_hooks th;   /* what the transports call */
	struct smsc_esme *esme; /* NULL when [smpp] enabled = no */
	struct smsc_http *http; /* NULL without [http_sms] url */
	unsigned receipt_mask;  /* kinds that ask for receipts */
	unsigned fallback_mask; /* kinds HTTP may carry */

	/* gw thread only. */
	vec_row ready;     /* claimed rows, a heap by priority, id */
	vec_row http_wait; /* to go over HTTP once their receipt
			      secret is committed (OP_HTTP_TOKEN;
			      the op brings the secret back) */
	struct flight *fl; /* in-flight messages (open addressing) */
	size_t fl_cap;
	long unconfirmed;        /* handed over, outcome not committed */
	long window;             /* cap of unconfirmed */
	int64_t link_down_since; /* mono ms, 0 while up */
	bool link_up;
	uint64_t pump_timer;
	int evfd; /* store thread -> gw */
	bool stopping;
	void (*stop_done)(void *);
	void *stop_arg;

	/* Shared, under mu. */
	pthread_mutex_t mu;
	pthread_cond_t cv;
	/* gw -> store. Bounded by the ESME, not here: every MO or part
	 * handed up from a deliver_sm holds one of its ESME_DEFER_MAX (4096)
	 * slots until the answer to its commit, and none is handed up
	 * without one. The others carry token 0: a long MO evicted from
	 * reassembly (at most one per slot-holding entry, queued ahead of
	 * it) or timed out there (at most the open groups, which only
	 * slot-holding entries open). So in_mo stays under 2 x 4096 + the
	 * reassembly's groups (SMSC_CONCAT_GROUPS_DEF, 256) entries however
	 * fast the SMSC sends. in_op's receipts hold slots the same way; its
	 * other entries follow submits, at most [smpp] window of them
	 * unconfirmed (see the top of the file). */
	vec_mo in_mo;
	vec_op in_op;
	long want;          /* rows the gw would take */
	unsigned want_mask; /* of these kinds */
	bool kick;          /* claim now (new rows, link up) */
	bool quit;
	vec_mo out_mo; /* store -> gw */
	vec_op out_op;
	vec_row out_rows;
	long out_confirmed;    /* final ops committed */
	long requested;        /* rows claimed and not yet taken */
	struct pipe_metrics m; /* read by metrics on any thread */

	/* Store thread only (and the gw thread before it starts). */
	pthread_t thr;
	bool thr_started;
	bool stored_pending; /* stored MOs wait for a retry */
	struct db *db;
	const struct db_config *dbcfg;
};

/* ---- The store thread (pipe_store.c) ----------------------------------- */

/* The store thread's body; arg is the struct smsc_pipe. Returns when
 * quit is set and what was queued to it is committed. */
void *pipe_store_main(void *arg);

/* ---- Metrics (pipe_metrics.c) ------------------------------------------- */

/* Count a failed send under the first word of its reason (the SMPP
 * status name, "ESME_RSYSERR (temporary)"). Takes mu. */
void pipe_metrics_error(struct smsc_pipe *p, const char *reason);

/* Observe a message accepted, queued since since_ms (UTC ms). Takes mu. */
void pipe_metrics_latency(struct smsc_pipe *p, int64_t since_ms);

/* Copy the SMPP client's counters where /metrics (the web thread) may
 * read them. gw thread; takes mu. */
void pipe_metrics_publish_esme(struct smsc_pipe *p);

#endif
