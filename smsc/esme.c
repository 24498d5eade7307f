/*
 * smsc/esme.c: the SMPP 3.4 client (ESME) on the gw thread's event loop.
 *
 * One struct smsc_esme drives one link to the SMSC: a transceiver session,
 * or a transmitter plus a receiver session ([smpp] bind = tx+rx). Each
 * session is an explicit state machine; esme_enter() logs every
 * transition:
 *
 *   DOWN --connect--> CONNECTING --writable--> BINDING --bind_resp OK-->
 *   BOUND --stop--> UNBINDING --unbind_resp/timeout--> DOWN
 *   any --error, timeout, unbind from SMSC--> DOWN --back-off--> CONNECTING
 *
 * Outbound: smsc_esme_submit() encodes and cuts a text into parts that
 * wait in a FIFO. esme_pump() moves parts into the window (at most
 * [smpp] window submit_sm awaiting their response, matched by
 * sequence_number) under a token bucket of max_tps. A part leaves the
 * window only on its response: accepted, failed, or put back at the head
 * of the FIFO (throttled, or the link dropped), so nothing queued is lost
 * while the process lives; the outbox (issue #4) covers crashes.
 *
 * Inbound: deliver_sm is unpacked with libsmpp34 (pdu.c's arena keeps it
 * from leaking), receipts are parsed (receipt.c), texts are decoded and
 * concatenated parts joined (concat.c). The deliver_sm_resp goes out only
 * after the hook said the message is stored (SMSC_ACK, or SMSC_DEFER then
 * smsc_esme_mo_done()); so does a part held for the others, through the
 * part hook (smsc_esme_restore_part() gives stored parts back).
 *
 * Bounded work and memory: one read of at most ESME_READ_MAX bytes per
 * wakeup, so the loop's timers, commits and other fds run between reads
 * however fast the SMSC sends. Answers the SMSC does not read stop the
 * reading: above ESME_OUT_PAUSE bytes of unsent output the session stops
 * watching for input until the output is back under ESME_OUT_RESUME; a
 * session whose output makes no progress for response_timeout_s, or that
 * would exceed ESME_OUT_MAX, is dropped ("SMSC not reading"). A
 * deliver_sm takes its slot in the defer table (ESME_DEFER_MAX) before
 * anything is handed up; with none free it is answered ESME_RX_T_APPN and
 * handed nowhere, so the hooks hold at most that many unanswered
 * messages. Warnings about what a peer sends are rate-limited per session
 * and kind (ESME_WARN_BURST a period), with the count of those held back.
 *
 * Time: deadlines are CLOCK_MONOTONIC milliseconds checked by one tick
 * timer (ESME_TICK_MS), so a stalled SMSC is noticed within a tick of
 * response_timeout_s. Reconnects back off from 1 s doubling to 60 s with
 * ±20% jitter; a bind refused for its credentials waits 60 s each time.
 */
#include "smsc/smsc.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <smpp34.h>
#include <smpp34_structs.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "core/base/clock.h"
#include "core/base/log.h"
#include "core/base/loop.h"
#include "core/base/xmalloc.h"
#include "smsc/pdu_int.h"
#include "smsc/smsc_int.h"

/* Period of the deadline check. */
#define ESME_TICK_MS 100
/* Reconnect back-off bounds, and the wait after refused credentials. */
#define ESME_BACKOFF_MIN_S 1
#define ESME_BACKOFF_MAX_S 60
#define ESME_AUTH_RETRY_S 60
/* Pause after ESME_RTHROTTLED / ESME_RMSGQFUL: throttle_pause_ms, doubling
 * while they last up to this many times that. */
#define ESME_THROTTLE_MAX_FACTOR 32
/* Parts waiting for the window at most (smsc_esme_submit() says EBUSY). */
#define ESME_QUEUE_MAX 20000
/* Unsent output kept per session before the pump waits. */
#define ESME_OUT_HIGH (256 * 1024)
/* Unsent output above which a session stops reading (each PDU read may
 * add an answer the SMSC is not taking), and under which it reads again. */
#define ESME_OUT_PAUSE (512 * 1024)
#define ESME_OUT_RESUME (128 * 1024)
/* Unsent output a session may never exceed: the link is dropped. While
 * reading is paused the output grows by one read's answers, the deferred
 * acknowledgements and the pump's ESME_OUT_HIGH at most, far below. */
#define ESME_OUT_MAX (1024 * 1024)
/* Bytes read from a session per wakeup (one read(2)): up to 4096 PDUs. */
#define ESME_READ_MAX (64 * 1024)
/* Deferred inbound acknowledgements outstanding at most. */
#define ESME_DEFER_MAX 4096
/* Warnings of one kind per session: ESME_WARN_BURST per period, then a
 * count of those held back. */
#define ESME_WARN_BURST 10
#define ESME_WARN_PERIOD_MS (60 * 1000)

enum esme_state {
	ESME_DOWN = 0,
	ESME_CONNECTING,
	ESME_BINDING,
	ESME_BOUND,
	ESME_UNBINDING,
};

static const char *const esme_state_name[] = {"down", "connecting", "binding",
    "bound", "unbinding"};

/* Kinds of rate-limited warnings (what a peer can repeat at will). */
enum esme_warn_kind {
	ESME_WARN_BAD_PDU = 0, /* undecodable deliver_sm, receipt, text */
	ESME_WARN_UNSUPPORTED, /* a command we do not serve */
	ESME_WARN_UNEXPECTED,  /* a response we did not ask for, a nack */
	ESME_WARN_BUSY,        /* a deliver_sm refused: defer table full */
	ESME_WARN_INCOMPLETE,  /* a long MO given up with parts missing */
	ESME_WARN_KINDS,
};

static const char *const esme_warn_name[ESME_WARN_KINDS] = {"bad_pdu",
    "unsupported", "unexpected", "busy", "incomplete"};

/* One submit_sm to send: a part of a message. */
struct esme_part {
	struct esme_part *next;      /* FIFO link */
	uint64_t local_id;           /* the caller's message */
	uint8_t part, parts;         /* 1..parts */
	char dest[SMSC_ADDR_LEN];    /* destination_addr */
	uint8_t dest_ton, dest_npi;  /* its TON/NPI */
	uint8_t esm_class;           /* 0x40 with a UDH */
	uint8_t data_coding;         /* 0/1 GSM, 8 UCS-2 */
	uint8_t priority;            /* priority_flag */
	uint8_t registered_delivery; /* 1: receipt wanted */
	char validity[17];           /* relative validity or "" */
	uint8_t *sm;                 /* short_message or payload, owned */
	size_t sm_len;               /* its octets */
	bool payload;                /* sm goes in message_payload */
	bool sar;                    /* sar_* TLVs */
	uint16_t sar_ref;
	uint8_t sar_total, sar_seq;
	bool ussd;               /* a USSD screen: the TLVs below and
				    [ussd] service_type */
	struct smsc_ussd_out uo; /* ussd_service_op and session TLVs */
	int64_t ussd_expires;    /* mono ms after which the dialogue is
				    over: never sent again; 0 none */
	unsigned sends;          /* times written */
};

/* A window slot: a submit_sm awaiting its response. */
struct esme_slot {
	struct esme_part *p; /* NULL: free */
	uint32_t seq;        /* its sequence_number */
	int64_t deadline;    /* mono ms */
};

/* A deliver_sm whose response waits for the caller's storage. */
struct esme_defer {
	uint64_t token; /* handed to the hook; 0: free */
	int sess;       /* index of the session */
	uint64_t gen;   /* the session's connection generation */
	uint32_t seq;   /* the deliver_sm's sequence_number */
};

struct esme_sess {
	struct smsc_esme *e; /* owner */
	int idx;             /* 0 or 1 */
	const char *name;    /* "trx", "tx", "rx" for logs */
	uint32_t bind_cmd;   /* BIND_TRANSCEIVER/TRANSMITTER/RECEIVER */
	bool tx, rx;         /* sends submits / gets deliveries */
	int fd;              /* -1 when down */
	unsigned ev;         /* events the loop watches on fd */
	enum esme_state st;  /* see the file comment */
	uint64_t gen;        /* bumped at every connect */
	uint8_t *in;         /* received, not yet parsed */
	size_t in_len, in_cap;
	uint8_t *out; /* to write */
	size_t out_off, out_len, out_cap;
	int64_t out_moved; /* mono ms output last moved (or began) */
	bool out_over;     /* a PDU would have passed ESME_OUT_MAX */
	bool rd_paused;    /* not reading: unsent output above the mark */
	struct log_ratelim warn[ESME_WARN_KINDS];
	uint32_t seq;             /* last sequence_number used */
	int64_t last_rx;          /* mono ms of the last PDU in */
	uint32_t enq_seq;         /* our enquire_link awaiting an answer */
	int64_t enq_deadline;     /* 0: none */
	uint32_t ctl_seq;         /* bind or unbind awaiting an answer */
	int64_t ctl_deadline;     /* 0: none */
	unsigned backoff_s;       /* next reconnect delay */
	uint64_t reconnect_timer; /* 0: none */
	bool auth_failed;         /* last bind refused for credentials */
};

struct smsc_esme {
	const struct smsc_config *cfg;     /* borrowed */
	const struct smsc_hooks *hooks;    /* borrowed */
	struct sd_loop *loop;              /* the gw loop */
	struct esme_sess sess[2];          /* [0] trx or tx, [1] rx */
	int n_sess;                        /* 1 or 2 */
	bool up;                           /* last link state told upward */
	struct esme_part *q_head, *q_tail; /* FIFO of parts */
	unsigned q_len;
	struct esme_slot *win; /* cfg->window slots */
	unsigned win_used;
	double tokens;              /* token bucket */
	int64_t tokens_at;          /* mono ms of the last refill */
	int64_t throttle_until;     /* mono ms; 0: not throttled */
	unsigned throttle_ms;       /* current pause */
	uint16_t next_ref;          /* concatenation reference */
	struct smsc_concat *concat; /* inbound reassembly */
	struct esme_defer defer[ESME_DEFER_MAX];
	unsigned defer_used; /* slots taken */
	uint64_t next_token;
	uint64_t tick_timer;
	uint64_t pace_timer;  /* next token or end of a pause */
	bool stopping;        /* smsc_esme_stop() called */
	void (*done)(void *); /* stop finished */
	void *done_arg;
	int64_t stop_deadline; /* mono ms */
	struct smsc_esme_stats st;
	struct smsc_ussd_track *ussd; /* last USSD step per number */
};

static void esme_sess_drop(struct esme_sess *s, const char *why);
static void esme_pump(struct smsc_esme *e);
static void esme_connect(struct esme_sess *s);

/* ---- small helpers ----------------------------------------------------- */

static void
esme_enter(struct esme_sess *s, enum esme_state to, const char *why)
{
	if (s->st == to)
		return;
	log_info("smpp", "session=%s state %s -> %s%s%s", s->name,
	    esme_state_name[s->st], esme_state_name[to],
	    why != NULL ? " reason=" : "", why != NULL ? why : "");
	s->st = to;
}

/* A warning about what the peer sent, within the session's budget for its
 * kind; the first one written after some were held back says how many. */
static void SD_PRINTF(3, 4)
    esme_warn(struct esme_sess *s, enum esme_warn_kind k, const char *fmt, ...)
{
	char line[512];
	unsigned long sup;
	va_list ap;

	if (!log_ratelim_ok(&s->warn[k], ESME_WARN_BURST, ESME_WARN_PERIOD_MS,
		sd_clock_mono_ms(), &sup))
		return;
	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	if (sup > 0)
		log_warnx("smpp", "%s kind=%s suppressed=%lu", line,
		    esme_warn_name[k], sup);
	else
		log_warnx("smpp", "%s", line);
}

/* Say how many warnings were held back: once their period is over, or
 * at once (force) when the session goes down. */
static void
esme_warn_flush(struct esme_sess *s, int64_t now, bool force)
{
	int k;

	for (k = 0; k < ESME_WARN_KINDS; k++) {
		unsigned long n = log_ratelim_flush(&s->warn[k],
		    ESME_WARN_PERIOD_MS, now, force);

		if (n > 0)
			log_warnx("smpp",
			    "session=%s warnings held back "
			    "kind=%s suppressed=%lu",
			    s->name, esme_warn_name[k], n);
	}
}

static struct esme_sess *
esme_tx(struct smsc_esme *e)
{
	return &e->sess[0];
}

/* Tell the hooks when the link (every session bound) changes. */
static void
esme_link_update(struct smsc_esme *e)
{
	bool up = true;
	int i;

	for (i = 0; i < e->n_sess; i++)
		if (e->sess[i].st != ESME_BOUND)
			up = false;
	if (up == e->up)
		return;
	e->up = up;
	log_info("smpp", "link %s", up ? "up" : "down");
	if (e->hooks->link != NULL)
		e->hooks->link(e->hooks->arg, up);
}

static void
part_free(struct esme_part *p)
{
	if (p == NULL)
		return;
	free(p->sm);
	free(p);
}

static void
queue_push_back(struct smsc_esme *e, struct esme_part *p)
{
	p->next = NULL;
	if (e->q_tail != NULL)
		e->q_tail->next = p;
	else
		e->q_head = p;
	e->q_tail = p;
	e->q_len++;
}

static void
queue_push_front(struct smsc_esme *e, struct esme_part *p)
{
	p->next = e->q_head;
	e->q_head = p;
	if (e->q_tail == NULL)
		e->q_tail = p;
	e->q_len++;
}

static struct esme_part *
queue_pop(struct smsc_esme *e)
{
	struct esme_part *p = e->q_head;

	if (p == NULL)
		return NULL;
	e->q_head = p->next;
	if (e->q_head == NULL)
		e->q_tail = NULL;
	e->q_len--;
	p->next = NULL;
	return p;
}

/* Drop the queued parts of local_id (its message failed for good). */
static void
queue_drop_message(struct smsc_esme *e, uint64_t local_id)
{
	struct esme_part **pp = &e->q_head, *p;

	e->q_tail = NULL;
	while ((p = *pp) != NULL) {
		if (p->local_id == local_id) {
			*pp = p->next;
			e->q_len--;
			part_free(p);
			continue;
		}
		e->q_tail = p;
		pp = &p->next;
	}
}

/* ---- output ------------------------------------------------------------ */

static void sess_on_io(struct sd_loop *loop, int fd, unsigned ev, void *arg);

/* Write what the socket takes, then watch for what is needed next:
 * writability while output is left, input unless reading is paused. May
 * drop the session (write error, or output over ESME_OUT_MAX). */
static void
sess_flush(struct esme_sess *s)
{
	size_t pending;

	/* While connecting, the loop waits for writability to learn the
	 * connect's outcome; nothing is queued yet. */
	if (s->fd < 0 || s->st == ESME_CONNECTING)
		return;
	if (s->out_over) {
		char why[96];

		snprintf(why, sizeof(why),
		    "SMSC not reading: unsent output "
		    "over %d bytes",
		    ESME_OUT_MAX);
		esme_sess_drop(s, why);
		return;
	}
	while (s->out_off < s->out_len) {
		ssize_t n = write(s->fd, s->out + s->out_off,
		    s->out_len - s->out_off);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			if (errno == EAGAIN || errno == EWOULDBLOCK)
				break;
			esme_sess_drop(s, strerror(errno));
			return;
		}
		s->out_off += (size_t)n;
		s->out_moved = sd_clock_mono_ms();
	}
	if (s->out_off == s->out_len)
		s->out_off = s->out_len = 0;
	pending = s->out_len - s->out_off;
	if (!s->rd_paused && pending >= ESME_OUT_PAUSE) {
		s->rd_paused = true;
		log_debug("smpp", "session=%s reading paused unsent=%zu",
		    s->name, pending);
	} else if (s->rd_paused && pending <= ESME_OUT_RESUME) {
		s->rd_paused = false;
		log_debug("smpp", "session=%s reading resumed unsent=%zu",
		    s->name, pending);
	}
	{
		unsigned want = (s->rd_paused ? 0 : SD_LOOP_READ) |
		    (pending > 0 ? SD_LOOP_WRITE : 0);

		if (want == s->ev)
			return;
		if (sd_loop_fd_mod(s->e->loop, s->fd, want) != SD_OK) {
			esme_sess_drop(s, "epoll");
			return;
		}
		s->ev = want;
	}
}

/* Before the loop sleeps: write what this turn queued, in one write per
 * session rather than one per PDU. */
static void
esme_before_sleep(struct sd_loop *loop, void *arg)
{
	struct smsc_esme *e = arg;
	int k;

	(void)loop;
	for (k = 0; k < e->n_sess; k++) {
		struct esme_sess *s = &e->sess[k];

		if (s->fd >= 0 && (s->out_len > s->out_off || s->out_over))
			sess_flush(s);
	}
}

/* Append a packed PDU to the session's output. One that would pass
 * ESME_OUT_MAX is not kept: the session is marked, and the next flush
 * drops it (callers never see the session go down here). */
static void
sess_write(struct esme_sess *s, const uint8_t *pdu, size_t len)
{
	if (s->fd < 0 || s->out_over)
		return;
	if (s->out_off > 0 && s->out_off == s->out_len)
		s->out_off = s->out_len = 0;
	if (s->out_len - s->out_off + len > ESME_OUT_MAX) {
		s->out_over = true;
		return;
	}
	if (s->out_len == s->out_off)
		s->out_moved = sd_clock_mono_ms();
	if (s->out_len + len > s->out_cap) {
		if (s->out_off > 0) {
			memmove(s->out, s->out + s->out_off,
			    s->out_len - s->out_off);
			s->out_len -= s->out_off;
			s->out_off = 0;
		}
		if (s->out_len + len > s->out_cap) {
			s->out_cap = (s->out_len + len) * 2;
			s->out = xrealloc(s->out, s->out_cap);
		}
	}
	memcpy(s->out + s->out_len, pdu, len);
	s->out_len += len;
	log_trace(TRACE_SMPP, "smpp", "session=%s out len=%zu", s->name, len);
}

static uint32_t
sess_next_seq(struct esme_sess *s)
{
	/* sequence_number is 1..0x7FFFFFFF (SMPP 3.4 §5.1.4). */
	s->seq = s->seq >= 0x7fffffffu ? 1 : s->seq + 1;
	return s->seq;
}

static void
sess_send_header(struct esme_sess *s, uint32_t id, uint32_t status,
    uint32_t seq)
{
	uint8_t h[SMSC_PDU_HDR];

	smsc_pdu_put_header(h, id, status, seq);
	sess_write(s, h, sizeof(h));
}

/* deliver_sm_resp: header plus an empty message_id. */
static void
sess_send_deliver_resp(struct esme_sess *s, uint32_t status, uint32_t seq)
{
	uint8_t p[SMSC_PDU_HDR + 1];

	smsc_pdu_put_header(p, DELIVER_SM_RESP, status, seq);
	p[3] = SMSC_PDU_HDR + 1;
	p[SMSC_PDU_HDR] = 0;
	sess_write(s, p, sizeof(p));
}

/* ---- connection -------------------------------------------------------- */

static void
esme_reconnect_fire(struct sd_loop *loop, uint64_t id, void *arg)
{
	struct esme_sess *s = arg;

	(void)loop;
	(void)id;
	s->reconnect_timer = 0;
	esme_connect(s);
}

static void
sess_schedule_reconnect(struct esme_sess *s)
{
	int64_t ms;

	if (s->e->stopping || s->reconnect_timer != 0)
		return;
	if (s->auth_failed) {
		ms = (int64_t)ESME_AUTH_RETRY_S * 1000;
	} else {
		/* ±20% jitter so many clients do not reconnect in step. */
		ms = (int64_t)s->backoff_s * 1000;
		ms = ms * (80 + (int64_t)(random() % 41)) / 100;
		s->backoff_s = s->backoff_s * 2 > ESME_BACKOFF_MAX_S ?
		    ESME_BACKOFF_MAX_S :
		    s->backoff_s * 2;
	}
	log_info("smpp", "session=%s reconnect in_ms=%lld", s->name,
	    (long long)ms);
	s->reconnect_timer = sd_loop_timer_add(s->e->loop, ms,
	    esme_reconnect_fire, s);
}

static void
esme_check_stopped(struct smsc_esme *e)
{
	int i;

	if (!e->stopping || e->done == NULL)
		return;
	for (i = 0; i < e->n_sess; i++)
		if (e->sess[i].fd >= 0)
			return;
	log_info("smpp", "stopped");
	{
		void (*done)(void *) = e->done;

		e->done = NULL;
		done(e->done_arg);
	}
}

/* Close the session; its window goes back to the head of the queue. */
static void
esme_sess_drop(struct esme_sess *s, const char *why)
{
	struct smsc_esme *e = s->e;
	unsigned i, back = 0;

	if (s->fd >= 0) {
		sd_loop_fd_del(e->loop, s->fd);
		close(s->fd);
		s->fd = -1;
	}
	if (s->st == ESME_UNBINDING)
		log_info("smpp", "session=%s closed reason=\"%s\"", s->name,
		    why);
	else if (s->st != ESME_DOWN)
		log_warnx("smpp", "session=%s dropped reason=\"%s\"", s->name,
		    why);
	esme_enter(s, ESME_DOWN, why);
	esme_warn_flush(s, sd_clock_mono_ms(), true);
	s->in_len = 0;
	s->out_off = s->out_len = 0;
	s->out_over = s->rd_paused = false;
	s->enq_deadline = s->ctl_deadline = 0;
	/* Parts awaiting an answer were perhaps sent: send them again
	 * (at-least-once), oldest first, ahead of the rest. */
	if (s->tx) {
		/* Re-queue in ascending sequence order: the highest goes
		 * to the front first. */
		for (;;) {
			struct esme_slot *best = NULL;

			for (i = 0; i < (unsigned)e->cfg->window; i++) {
				struct esme_slot *sl = &e->win[i];

				if (sl->p != NULL &&
				    (best == NULL || sl->seq > best->seq))
					best = sl;
			}
			if (best == NULL)
				break;
			queue_push_front(e, best->p);
			best->p = NULL;
			e->win_used--;
			back++;
		}
		if (back > 0) {
			e->st.resent += back;
			log_info("smpp", "requeued parts=%u after drop", back);
		}
	}
	/* Deferred acks of this connection can no longer be sent: the
	 * SMSC will redeliver those messages. */
	for (i = 0; i < ESME_DEFER_MAX; i++)
		if (e->defer[i].token != 0 && e->defer[i].sess == s->idx) {
			e->defer[i].token = 0;
			e->defer_used--;
		}
	esme_link_update(e);
	if (e->stopping)
		esme_check_stopped(e);
	else
		sess_schedule_reconnect(s);
}

static void
sess_send_bind(struct esme_sess *s)
{
	const struct smsc_config *c = s->e->cfg;
	bind_transceiver_t b; /* same layout for all three binds */
	uint8_t buf[256];
	char err[SD_ERRLEN];
	size_t len;

	memset(&b, 0, sizeof(b));
	b.command_id = s->bind_cmd;
	b.sequence_number = s->ctl_seq = sess_next_seq(s);
	snprintf((char *)b.system_id, sizeof(b.system_id), "%s", c->system_id);
	snprintf((char *)b.password, sizeof(b.password), "%s", c->password);
	snprintf((char *)b.system_type, sizeof(b.system_type), "%s",
	    c->system_type);
	b.interface_version = SMPP_VERSION;
	b.addr_ton = (uint8_t)c->source_ton;
	b.addr_npi = (uint8_t)c->source_npi;
	snprintf((char *)b.address_range, sizeof(b.address_range), "%s",
	    c->address_range);
	if (smsc_pdu_pack(&b, buf, sizeof(buf), &len, err) != SD_OK) {
		log_error("smpp", "cannot pack bind error=\"%s\"", err);
		esme_sess_drop(s, "bind pack");
		return;
	}
	sess_write(s, buf, len);
	s->ctl_deadline = sd_clock_mono_ms() + c->response_timeout_s * 1000;
	esme_enter(s, ESME_BINDING, NULL);
	log_info("smpp", "session=%s bind system_id=%s", s->name, c->system_id);
}

static void
esme_connect(struct esme_sess *s)
{
	const struct smsc_config *c = s->e->cfg;
	struct addrinfo hints, *ai = NULL, *a;
	char port[8];
	int fd = -1, one = 1, r;

	if (s->fd >= 0 || s->e->stopping)
		return;
	memset(&hints, 0, sizeof(hints));
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_flags = AI_NUMERICSERV;
	snprintf(port, sizeof(port), "%ld", c->port);
	/* A numeric host never blocks; a name is looked up here, once per
	 * connect, which the loop can afford at back-off pace. */
	r = getaddrinfo(c->host, port, &hints, &ai);
	if (r != 0) {
		log_warnx("smpp",
		    "session=%s cannot resolve host=%s error=\"%s\"", s->name,
		    c->host, gai_strerror(r));
		sess_schedule_reconnect(s);
		return;
	}
	for (a = ai; a != NULL; a = a->ai_next) {
		fd = socket(a->ai_family,
		    a->ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC,
		    a->ai_protocol);
		if (fd < 0)
			continue;
		/* Small PDUs must not wait for Nagle and delayed ACKs. */
		(void)setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one,
		    sizeof(one));
		(void)setsockopt(fd, SOL_SOCKET, SO_KEEPALIVE, &one,
		    sizeof(one));
		if (connect(fd, a->ai_addr, a->ai_addrlen) == 0 ||
		    errno == EINPROGRESS)
			break;
		close(fd);
		fd = -1;
	}
	freeaddrinfo(ai);
	if (fd < 0) {
		log_warn("smpp", "session=%s connect failed host=%s port=%ld",
		    s->name, c->host, c->port);
		sess_schedule_reconnect(s);
		return;
	}
	s->fd = fd;
	s->gen++;
	s->in_len = s->out_off = s->out_len = 0;
	s->out_over = s->rd_paused = false;
	s->last_rx = sd_clock_mono_ms();
	s->ev = SD_LOOP_WRITE;
	if (sd_loop_fd_add(s->e->loop, fd, SD_LOOP_WRITE, sess_on_io, s) !=
	    SD_OK) {
		close(fd);
		s->fd = -1;
		sess_schedule_reconnect(s);
		return;
	}
	s->ctl_deadline = sd_clock_mono_ms() + c->response_timeout_s * 1000;
	esme_enter(s, ESME_CONNECTING, NULL);
}

/* ---- inbound PDUs ------------------------------------------------------ */

static struct esme_slot *
win_find(struct smsc_esme *e, uint32_t seq)
{
	unsigned i;

	for (i = 0; i < (unsigned)e->cfg->window; i++)
		if (e->win[i].p != NULL && e->win[i].seq == seq)
			return &e->win[i];
	return NULL;
}

static void
on_bind_resp(struct esme_sess *s, const struct smsc_pdu_hdr *h)
{
	struct smsc_esme *e = s->e;

	if (s->st != ESME_BINDING || h->seq != s->ctl_seq) {
		esme_warn(s, ESME_WARN_UNEXPECTED,
		    "session=%s unexpected "
		    "bind_resp seq=%u",
		    s->name, h->seq);
		return;
	}
	s->ctl_deadline = 0;
	if (h->status != ESME_ROK) {
		e->st.bind_failures++;
		s->auth_failed = h->status == ESME_RINVPASWD ||
		    h->status == ESME_RINVSYSID ||
		    h->status == ESME_RBINDFAIL || h->status == ESME_RINVSYSTYP;
		log_error("smpp", "session=%s bind refused status=%s%s",
		    s->name, smsc_status_name(h->status),
		    s->auth_failed ? " (check system_id and password in "
				     "[smpp]; retrying slowly)" :
				     "");
		esme_sess_drop(s, smsc_status_name(h->status));
		return;
	}
	s->auth_failed = false;
	s->backoff_s = ESME_BACKOFF_MIN_S;
	e->st.binds++;
	esme_enter(s, ESME_BOUND, NULL);
	esme_link_update(e);
	esme_pump(e);
}

/* The message_id of a submit_sm_resp: a C-Octet String, possibly absent
 * (some SMSCs, Kannel's drive_smpp among them, send none). */
static void
resp_message_id(const uint8_t *p, size_t len, char out[SMSC_ID_LEN])
{
	size_t i, n = len > SMSC_PDU_HDR ? len - SMSC_PDU_HDR : 0;

	for (i = 0; i < n && i < SMSC_ID_LEN - 1 && p[SMSC_PDU_HDR + i] != 0;
	     i++) {
		unsigned char ch = p[SMSC_PDU_HDR + i];

		out[i] = ch >= 0x20 && ch < 0x7f ? (char)ch : '?';
	}
	out[i] = '\0';
}

static void
on_submit_resp(struct esme_sess *s, const struct smsc_pdu_hdr *h,
    const uint8_t *pdu)
{
	struct smsc_esme *e = s->e;
	struct esme_slot *sl = win_find(e, h->seq);
	struct esme_part *p;
	char id[SMSC_ID_LEN];

	if (sl == NULL) {
		esme_warn(s, ESME_WARN_UNEXPECTED,
		    "session=%s submit_sm_resp "
		    "for unknown seq=%u (late, after a timeout?)",
		    s->name, h->seq);
		return;
	}
	p = sl->p;
	sl->p = NULL;
	e->win_used--;
	switch (smsc_status_classify(h->status)) {
	case SMSC_ST_OK:
		resp_message_id(pdu, h->len, id);
		e->st.accepted++;
		e->throttle_ms = 0;
		if (e->hooks->accepted != NULL)
			e->hooks->accepted(e->hooks->arg, p->local_id, p->part,
			    p->parts, id);
		part_free(p);
		break;
	case SMSC_ST_THROTTLE:
		/* Same part again, later, first in line. */
		e->st.throttled++;
		e->throttle_ms = e->throttle_ms == 0 ?
		    (unsigned)e->cfg->throttle_pause_ms :
		    e->throttle_ms * 2;
		if (e->throttle_ms > (unsigned)e->cfg->throttle_pause_ms *
			ESME_THROTTLE_MAX_FACTOR)
			e->throttle_ms = (unsigned)e->cfg->throttle_pause_ms *
			    ESME_THROTTLE_MAX_FACTOR;
		e->throttle_until = sd_clock_mono_ms() + e->throttle_ms;
		log_info("smpp", "throttled status=%s pause_ms=%u",
		    smsc_status_name(h->status), e->throttle_ms);
		e->st.resent++;
		queue_push_front(e, p);
		break;
	case SMSC_ST_TEMP:
		if (h->status == ESME_RINVBNDSTS) {
			/* The SMSC thinks we are not bound: rebind and send
			 * this part again. */
			queue_push_front(e, p);
			esme_sess_drop(s, "ESME_RINVBNDSTS");
			return;
		}
		e->st.failed_temp++;
		log_warnx("smpp", "submit failed id=%llu status=%s temporary",
		    (unsigned long long)p->local_id,
		    smsc_status_name(h->status));
		if (e->hooks->failed != NULL)
			e->hooks->failed(e->hooks->arg, p->local_id, true,
			    smsc_status_name(h->status));
		queue_drop_message(e, p->local_id);
		part_free(p);
		break;
	case SMSC_ST_PERM:
		e->st.failed_perm++;
		log_warnx("smpp", "submit failed id=%llu status=%s permanent",
		    (unsigned long long)p->local_id,
		    smsc_status_name(h->status));
		if (e->hooks->failed != NULL)
			e->hooks->failed(e->hooks->arg, p->local_id, false,
			    smsc_status_name(h->status));
		queue_drop_message(e, p->local_id);
		part_free(p);
		break;
	}
	esme_pump(e);
}

static void
on_generic_nack(struct esme_sess *s, const struct smsc_pdu_hdr *h)
{
	struct smsc_esme *e = s->e;
	struct esme_slot *sl;

	e->st.generic_nacks++;
	esme_warn(s, ESME_WARN_UNEXPECTED,
	    "session=%s generic_nack seq=%u "
	    "status=%s",
	    s->name, h->seq, smsc_status_name(h->status));
	if (h->seq == s->enq_seq)
		s->enq_deadline = 0; /* the SMSC is alive, at least */
	sl = win_find(e, h->seq);
	if (sl != NULL) {
		/* The SMSC could not read our submit: send it again once,
		 * then report it failed temporarily. */
		struct esme_part *p = sl->p;

		sl->p = NULL;
		e->win_used--;
		if (p->sends < 2) {
			e->st.resent++;
			queue_push_front(e, p);
		} else {
			e->st.failed_temp++;
			if (e->hooks->failed != NULL)
				e->hooks->failed(e->hooks->arg, p->local_id,
				    true, "generic_nack");
			queue_drop_message(e, p->local_id);
			part_free(p);
		}
	}
	if (s->st == ESME_BINDING && h->seq == s->ctl_seq)
		esme_sess_drop(s, "bind answered with generic_nack");
}

/* Find a deferred slot for a deliver_sm; 0 if the table is full. */
static uint64_t
defer_add(struct esme_sess *s, uint32_t seq)
{
	struct smsc_esme *e = s->e;
	unsigned i;

	if (e->defer_used >= ESME_DEFER_MAX)
		return 0;
	for (i = 0; i < ESME_DEFER_MAX; i++) {
		if (e->defer[i].token == 0) {
			e->defer_used++;
			e->defer[i].token = ++e->next_token;
			e->defer[i].sess = s->idx;
			e->defer[i].gen = s->gen;
			e->defer[i].seq = seq;
			return e->defer[i].token;
		}
	}
	return 0;
}

/* Free token's slot without answering (the caller answers). */
static void
defer_drop(struct smsc_esme *e, uint64_t token)
{
	unsigned i;

	for (i = 0; i < ESME_DEFER_MAX; i++)
		if (e->defer[i].token == token) {
			e->defer[i].token = 0;
			e->defer_used--;
			return;
		}
}

/* Answer a deliver_sm after the hook's verdict; token is the defer slot
 * taken for it, freed here with the answer unless the hook deferred. */
static void
deliver_answer(struct esme_sess *s, enum smsc_verdict v, uint64_t token)
{
	if (v != SMSC_DEFER)
		smsc_esme_mo_done(s->e, token, v == SMSC_ACK);
}

/* Hand a whole (or given-up) message upward. Returns the verdict. */
static enum smsc_verdict
mo_hand_up(struct esme_sess *s, const struct smsc_concat_msg *m,
    const struct smsc_deliver *t, uint64_t token)
{
	struct smsc_esme *e = s->e;
	struct smsc_mo mo;

	memset(&mo, 0, sizeof(mo));
	snprintf(mo.from, sizeof(mo.from), "%s", m->src);
	snprintf(mo.to, sizeof(mo.to), "%s", m->dst);
	mo.text = m->text != NULL ? m->text : "";
	mo.text_len = m->text != NULL ? m->text_len : 0;
	mo.data_coding = m->data_coding;
	mo.parts = m->nparts;
	mo.incomplete = m->why != SMSC_CONCAT_COMPLETE;
	if (t != NULL) {
		mo.ussd = t->has_ussd_op;
		mo.ussd_op = t->ussd_op;
		mo.has_session = t->has_session;
		mo.ussd_session = t->session;
		mo.has_umr = t->has_umr;
		mo.umr = t->umr;
	}
	mo.ussd_key = -1;
	if (mo.ussd && !smsc_ussd_inbound(&e->cfg->ussd, e->ussd, &mo)) {
		/* USSN confirm, or the handset closed the dialogue. */
		log_debug("smpp",
		    "session=%s ussd step needs no answer op=%u its=0x%04x",
		    s->name, mo.ussd_op, mo.ussd_session);
		return SMSC_ACK;
	}
	if (m->total > 1) {
		mo.concat = true;
		mo.concat_ref = m->ref;
		mo.concat_total = m->total;
	}
	mo.token = token;
	e->st.mo++;
	if (mo.incomplete)
		esme_warn(s, ESME_WARN_INCOMPLETE,
		    "session=%s incomplete "
		    "message ref=%u parts=%u/%u reason=%s",
		    s->name, m->ref, m->nparts, m->total,
		    m->why == SMSC_CONCAT_TIMEOUT ? "timeout" : "evicted");
	if (e->hooks->inbound == NULL)
		return SMSC_ACK;
	return e->hooks->inbound(e->hooks->arg, &mo);
}

/* Hand a held part upward to be stored. Returns the verdict. */
static enum smsc_verdict
part_hand_up(struct smsc_esme *e, const struct smsc_mo_pdu *mp,
    const struct smsc_concat_out *out, uint64_t token)
{
	struct smsc_mo_part p;

	memset(&p, 0, sizeof(p));
	snprintf(p.from, sizeof(p.from), "%s", mp->src);
	snprintf(p.to, sizeof(p.to), "%s", mp->dst);
	p.ref = out->ref;
	p.total = out->total;
	p.esm_class = mp->esm_class;
	p.data_coding = mp->data_coding;
	p.sm = mp->sm;
	p.len = mp->len;
	p.has_sar = mp->has_sar;
	p.sar_ref = mp->sar_msg_ref_num;
	p.sar_total = mp->sar_total_segments;
	p.sar_seq = mp->sar_segment_seqnum;
	p.token = token;
	return e->hooks->part(e->hooks->arg, &p);
}

static void
on_deliver(struct esme_sess *s, const struct smsc_pdu_hdr *h,
    const uint8_t *pdu)
{
	struct smsc_esme *e = s->e;
	struct smsc_deliver t;
	char err[SD_ERRLEN];
	enum smsc_verdict v;
	uint64_t token;

	if (smsc_deliver_decode(pdu, h->len, &t, err) != SD_OK) {
		e->st.bad_pdus++;
		esme_warn(s, ESME_WARN_BAD_PDU,
		    "session=%s undecodable "
		    "deliver_sm seq=%u error=\"%s\"",
		    s->name, h->seq, err);
		/* Permanent: redelivering the same bytes will not help. */
		sess_send_deliver_resp(s, ESME_RX_P_APPN, h->seq);
		return;
	}
	/* The slot comes first: with none free, nothing is handed up (the
	 * hooks would store a message the SMSC is told to send again). */
	token = defer_add(s, h->seq);
	if (token == 0) {
		esme_warn(s, ESME_WARN_BUSY,
		    "session=%s deliver_sm refused "
		    "seq=%u status=ESME_RX_T_APPN reason=\"%d acknowledgements "
		    "outstanding\"",
		    s->name, h->seq, ESME_DEFER_MAX);
		sess_send_deliver_resp(s, ESME_RX_T_APPN, h->seq);
		return;
	}
	if (smsc_deliver_is_receipt(&t)) {
		struct smsc_dlr_tlv dt;
		struct smsc_dlr dlr;
		struct smsc_receipt r;

		memset(&dt, 0, sizeof(dt));
		dt.receipted_message_id = t.has_receipted_id ? t.receipted_id :
							       NULL;
		dt.has_message_state = t.has_message_state;
		dt.message_state = t.message_state;
		dt.network_error_code = t.has_net_err ? t.net_err : NULL;
		dt.network_error_code_len = t.has_net_err ? 3 : 0;
		if (smsc_dlr_parse(t.sm, t.sm_len, &dt, &dlr, err) != SD_OK) {
			e->st.bad_pdus++;
			esme_warn(s, ESME_WARN_BAD_PDU,
			    "session=%s unreadable "
			    "receipt error=\"%s\"",
			    s->name, err);
			defer_drop(e, token);
			sess_send_deliver_resp(s, ESME_ROK, h->seq);
			return;
		}
		memset(&r, 0, sizeof(r));
		snprintf(r.msgid, sizeof(r.msgid), "%s", dlr.id);
		r.state = (int)dlr.state;
		r.out = smsc_receipt_out_state(r.state);
		r.final = dlr.final;
		r.error = dlr.has_net_err ? dlr.net_err_code :
					    (int)strtol(dlr.err, NULL, 10);
		snprintf(r.from, sizeof(r.from), "%s", t.src);
		e->st.receipts++;
		log_debug("smpp", "receipt id=%s state=%s", r.msgid,
		    smsc_dlr_state_str(dlr.state));
		v = SMSC_ACK;
		if (e->hooks->receipt != NULL) {
			r.token = token;
			v = e->hooks->receipt(e->hooks->arg, &r);
		}
		deliver_answer(s, v, token);
		return;
	}

	{
		struct smsc_mo_pdu mp;
		struct smsc_concat_out out;
		int64_t now = sd_clock_mono_ms() / 1000;

		memset(&mp, 0, sizeof(mp));
		mp.src = t.src;
		mp.dst = t.dst;
		mp.esm_class = t.esm_class;
		mp.data_coding = t.data_coding;
		if (t.sm_len == 0 && t.has_payload) {
			mp.sm = t.payload;
			mp.len = t.payload_len;
		} else {
			mp.sm = t.sm;
			mp.len = t.sm_len;
		}
		mp.has_sar = t.has_sar;
		mp.sar_msg_ref_num = t.sar_ref;
		mp.sar_total_segments = t.sar_total;
		mp.sar_segment_seqnum = t.sar_seq;
		if (smsc_concat_add(e->concat, &mp, now, &out, err) != SD_OK) {
			e->st.bad_pdus++;
			esme_warn(s, ESME_WARN_BAD_PDU,
			    "session=%s unreadable "
			    "message from=%s error=\"%s\"",
			    s->name, t.src, err);
			defer_drop(e, token);
			sess_send_deliver_resp(s, ESME_RX_P_APPN, h->seq);
			return;
		}
		if (out.evicted)
			(void)mo_hand_up(s, &out.old, NULL, 0);
		switch (out.result) {
		case SMSC_CONCAT_HELD:
		case SMSC_CONCAT_DUPLICATE:
			/* Durable before it is acknowledged, like a whole
			 * message: a restart gives it back. (A duplicate is
			 * stored again: its first copy may have failed to
			 * be, and the SMSC is sending it again for that.) */
			if (e->hooks->part == NULL) {
				deliver_answer(s, SMSC_ACK, token);
				break;
			}
			v = part_hand_up(e, &mp, &out, token);
			deliver_answer(s, v, token);
			break;
		case SMSC_CONCAT_DONE:
			v = mo_hand_up(s, &out.msg, &t, token);
			deliver_answer(s, v, token);
			break;
		}
		smsc_concat_out_fini(&out);
	}
}

static void
on_pdu(struct esme_sess *s, const struct smsc_pdu_hdr *h, const uint8_t *pdu)
{
	struct smsc_esme *e = s->e;

	s->last_rx = sd_clock_mono_ms();
	log_trace(TRACE_SMPP, "smpp",
	    "session=%s in id=0x%08x status=%s seq=%u "
	    "len=%u",
	    s->name, h->id, smsc_status_name(h->status), h->seq, h->len);
	switch (h->id) {
	case BIND_TRANSCEIVER_RESP:
	case BIND_TRANSMITTER_RESP:
	case BIND_RECEIVER_RESP: on_bind_resp(s, h); break;
	case SUBMIT_SM_RESP: on_submit_resp(s, h, pdu); break;
	case DELIVER_SM:
		if (s->st != ESME_BOUND || !s->rx) {
			sess_send_deliver_resp(s, ESME_RINVBNDSTS, h->seq);
			break;
		}
		on_deliver(s, h, pdu);
		break;
	case ENQUIRE_LINK:
		sess_send_header(s, ENQUIRE_LINK_RESP, ESME_ROK, h->seq);
		break;
	case ENQUIRE_LINK_RESP:
		if (h->seq == s->enq_seq)
			s->enq_deadline = 0;
		break;
	case UNBIND:
		sess_send_header(s, UNBIND_RESP, ESME_ROK, h->seq);
		sess_flush(s);
		if (s->fd >= 0) {
			/* The SMSC wants us gone for now: come back soon. */
			s->backoff_s = ESME_BACKOFF_MIN_S;
			esme_sess_drop(s, "unbind from SMSC");
		}
		break;
	case UNBIND_RESP:
		if (s->st == ESME_UNBINDING)
			esme_sess_drop(s, "unbound");
		break;
	case GENERIC_NACK: on_generic_nack(s, h); break;
	case OUTBIND:
	case ALERT_NOTIFICATION: break; /* nothing to answer */
	default:
		if (h->id & GENERIC_NACK) {
			log_debug("smpp",
			    "session=%s ignored response "
			    "id=0x%08x",
			    s->name, h->id);
			break;
		}
		/* data_sm, query_sm, ... are not ours to serve. */
		esme_warn(s, ESME_WARN_UNSUPPORTED,
		    "session=%s unsupported "
		    "command id=0x%08x answered with generic_nack",
		    s->name, h->id);
		sess_send_header(s, GENERIC_NACK, ESME_RINVCMDID, h->seq);
		break;
	}
	(void)e;
}

/* One read of at most ESME_READ_MAX bytes and the PDUs complete in the
 * buffer; the loop calls again (level-triggered) while more is waiting, so
 * no flood from the SMSC holds up the loop's other work. */
static void
sess_read(struct esme_sess *s)
{
	ssize_t n;
	size_t off = 0, room;
	uint64_t gen = s->gen;

	if (s->in_cap - s->in_len < 4096) {
		s->in_cap = s->in_cap == 0 ? 65536 : s->in_cap * 2;
		if (s->in_cap > 4 * SMSC_PDU_MAX)
			s->in_cap = 4 * SMSC_PDU_MAX;
		s->in = xrealloc(s->in, s->in_cap);
	}
	room = s->in_cap - s->in_len;
	if (room > ESME_READ_MAX)
		room = ESME_READ_MAX;
	do
		n = read(s->fd, s->in + s->in_len, room);
	while (n < 0 && errno == EINTR);
	if (n == 0) {
		esme_sess_drop(s, "closed by SMSC");
		return;
	}
	if (n < 0) {
		if (errno != EAGAIN && errno != EWOULDBLOCK)
			esme_sess_drop(s, strerror(errno));
		return;
	}
	s->in_len += (size_t)n;
	while (s->fd >= 0 && s->gen == gen) {
		struct smsc_pdu_hdr h;
		int r = smsc_pdu_peek(s->in + off, s->in_len - off, &h);

		if (r == 0 || (r > 0 && s->in_len - off < h.len))
			break;
		if (r < 0) {
			s->e->st.bad_pdus++;
			log_warnx("smpp",
			    "session=%s framing error "
			    "command_length=%u",
			    s->name, h.len);
			sess_send_header(s, GENERIC_NACK, ESME_RINVCMDLEN,
			    h.seq);
			sess_flush(s);
			esme_sess_drop(s, "framing error");
			return;
		}
		on_pdu(s, &h, s->in + off);
		off += h.len;
	}
	if (s->fd < 0 || s->gen != gen)
		return;
	memmove(s->in, s->in + off, s->in_len - off);
	s->in_len -= off;
}

static void
sess_on_io(struct sd_loop *loop, int fd, unsigned ev, void *arg)
{
	struct esme_sess *s = arg;

	(void)loop;
	(void)fd;
	if (s->st == ESME_CONNECTING) {
		int soerr = 0;
		socklen_t sl = sizeof(soerr);

		if (getsockopt(s->fd, SOL_SOCKET, SO_ERROR, &soerr, &sl) < 0 ||
		    soerr != 0) {
			esme_sess_drop(s,
			    soerr != 0 ? strerror(soerr) : "connect failed");
			return;
		}
		log_info("smpp", "session=%s connected host=%s port=%ld",
		    s->name, s->e->cfg->host, s->e->cfg->port);
		sess_send_bind(s);
		sess_flush(s);
		return;
	}
	if (ev & (SD_LOOP_READ | SD_LOOP_ERROR))
		sess_read(s);
	if (s->fd >= 0 && (ev & SD_LOOP_WRITE))
		sess_flush(s);
	if (s->fd >= 0 && s->tx)
		esme_pump(s->e);
	if (s->fd >= 0)
		sess_flush(s);
}

/* ---- outbound ---------------------------------------------------------- */

/* Pack and write one part into free window slot sl. */
static bool
esme_send_part(struct smsc_esme *e, struct esme_sess *s, struct esme_slot *sl,
    struct esme_part *p)
{
	const struct smsc_config *c = e->cfg;
	submit_sm_t m;
	tlv_t tl[7];
	int nt = 0, i;
	uint8_t buf[2048];
	char err[SD_ERRLEN];
	size_t len;

	memset(&m, 0, sizeof(m));
	memset(tl, 0, sizeof(tl));
	m.command_id = SUBMIT_SM;
	m.sequence_number = sess_next_seq(s);
	m.source_addr_ton = (uint8_t)c->source_ton;
	m.source_addr_npi = (uint8_t)c->source_npi;
	snprintf((char *)m.source_addr, sizeof(m.source_addr), "%s",
	    c->source_addr);
	m.dest_addr_ton = p->dest_ton;
	m.dest_addr_npi = p->dest_npi;
	snprintf((char *)m.destination_addr, sizeof(m.destination_addr), "%s",
	    p->dest);
	m.esm_class = p->esm_class;
	m.priority_flag = p->priority;
	snprintf((char *)m.validity_period, sizeof(m.validity_period), "%s",
	    p->validity);
	m.registered_delivery = p->registered_delivery;
	m.data_coding = p->data_coding;
	if (p->payload) {
		tl[nt].tag = TLVID_message_payload;
		tl[nt].length = (uint16_t)p->sm_len;
		memcpy(tl[nt].value.octet, p->sm, p->sm_len);
		nt++;
	} else {
		m.sm_length = (uint8_t)p->sm_len;
		memcpy(m.short_message, p->sm, p->sm_len);
	}
	if (p->sar) {
		tl[nt].tag = TLVID_sar_msg_ref_num;
		tl[nt].length = 2;
		tl[nt++].value.val16 = p->sar_ref;
		tl[nt].tag = TLVID_sar_total_segments;
		tl[nt].length = 1;
		tl[nt++].value.val08 = p->sar_total;
		tl[nt].tag = TLVID_sar_segment_seqnum;
		tl[nt].length = 1;
		tl[nt++].value.val08 = p->sar_seq;
	}
	if (p->ussd) {
		snprintf((char *)m.service_type, sizeof(m.service_type), "%s",
		    c->ussd.service_type);
		tl[nt].tag = TLVID_ussd_service_op;
		tl[nt].length = 1;
		tl[nt++].value.octet[0] = p->uo.op;
	}
	if (p->ussd && p->uo.has_its) {
		tl[nt].tag = TLVID_its_session_info;
		tl[nt].length = 2;
		tl[nt++].value.val16 = p->uo.its;
	}
	if (p->ussd && p->uo.has_umr) {
		tl[nt].tag = TLVID_user_message_reference;
		tl[nt].length = 2;
		tl[nt++].value.val16 = p->uo.umr;
	}
	for (i = 0; i + 1 < nt; i++)
		tl[i].next = &tl[i + 1];
	m.tlv = nt > 0 ? &tl[0] : NULL;
	if (smsc_pdu_pack(&m, buf, sizeof(buf), &len, err) != SD_OK) {
		log_error("smpp", "cannot pack submit id=%llu error=\"%s\"",
		    (unsigned long long)p->local_id, err);
		e->st.failed_perm++;
		if (e->hooks->failed != NULL)
			e->hooks->failed(e->hooks->arg, p->local_id, false,
			    "cannot encode the message");
		queue_drop_message(e, p->local_id);
		part_free(p);
		return false;
	}
	sess_write(s, buf, len);
	sl->p = p;
	sl->seq = m.sequence_number;
	sl->deadline = sd_clock_mono_ms() + c->response_timeout_s * 1000;
	p->sends++;
	e->win_used++;
	e->st.submits++;
	return true;
}

static void esme_pace(struct smsc_esme *e, struct esme_sess *s, int64_t now);

static void
esme_refill(struct smsc_esme *e, int64_t now)
{
	double cap = e->cfg->max_tps / 10.0;

	if (cap < 1)
		cap = 1;
	e->tokens += (double)(now - e->tokens_at) * (double)e->cfg->max_tps /
	    1000.0;
	if (e->tokens > cap)
		e->tokens = cap;
	e->tokens_at = now;
}

static void
esme_pump(struct smsc_esme *e)
{
	struct esme_sess *s = esme_tx(e);
	int64_t now;
	unsigned i = 0;

	if (s->st != ESME_BOUND || e->stopping || e->q_head == NULL)
		return;
	now = sd_clock_mono_ms();
	if (e->throttle_until != 0) {
		if (now < e->throttle_until) {
			esme_pace(e, s, now);
			return;
		}
		e->throttle_until = 0;
	}
	esme_refill(e, now);
	while (e->q_head != NULL && e->win_used < (unsigned)e->cfg->window &&
	    e->tokens >= 1.0 && s->out_len - s->out_off < ESME_OUT_HIGH &&
	    s->fd >= 0) {
		struct esme_part *p;

		while (e->win[i].p != NULL)
			i++;
		p = queue_pop(e);
		if (p->ussd && p->ussd_expires != 0 && now >= p->ussd_expires) {
			/* The dialogue is over on the handset: a screen sent
			 * now would open nothing (issue #12). */
			log_info("smpp",
			    "ussd screen dropped, its dialogue is over "
			    "id=%llu sends=%u",
			    (unsigned long long)p->local_id, p->sends);
			e->st.failed_perm++;
			if (e->hooks->failed != NULL)
				e->hooks->failed(e->hooks->arg, p->local_id,
				    false, "the USSD dialogue is over");
			part_free(p);
			continue;
		}
		if (p->sends > 0)
			log_debug("smpp", "resending id=%llu part=%u",
			    (unsigned long long)p->local_id, p->part);
		if (esme_send_part(e, s, &e->win[i], p))
			e->tokens -= 1.0;
	}
	esme_pace(e, s, now);
}

static void
esme_pace_fire(struct sd_loop *loop, uint64_t id, void *arg)
{
	struct smsc_esme *e = arg;

	(void)loop;
	(void)id;
	e->pace_timer = 0;
	esme_pump(e);
	if (esme_tx(e)->fd >= 0)
		sess_flush(esme_tx(e));
}

/* When only the rate cap or a throttle pause holds back what is queued,
 * wake when it lifts, not at the next tick: sends stay evenly spaced (no
 * burst of max_tps / 10 every tick) and an urgent message waits for one
 * token, not up to a tick. */
static void
esme_pace(struct smsc_esme *e, struct esme_sess *s, int64_t now)
{
	int64_t ms;

	if (e->pace_timer != 0 || e->q_head == NULL || s->fd < 0 ||
	    e->win_used >= (unsigned)e->cfg->window)
		return;
	if (e->throttle_until > now)
		ms = e->throttle_until - now;
	else if (e->tokens < 1.0)
		ms = (int64_t)((1.0 - e->tokens) * 1000.0 /
			 (double)e->cfg->max_tps) +
		    1;
	else
		return;
	e->pace_timer = sd_loop_timer_add(e->loop, ms, esme_pace_fire, e);
}

/* ---- the tick: deadlines, keep-alive, reassembly timeouts -------------- */

static void
esme_tick(struct sd_loop *loop, uint64_t id, void *arg)
{
	struct smsc_esme *e = arg;
	int64_t now = sd_clock_mono_ms();
	int i;

	(void)id;
	e->tick_timer = 0;
	for (i = 0; i < e->n_sess; i++) {
		struct esme_sess *s = &e->sess[i];
		const char *why = NULL;
		char stall[96];
		unsigned k;

		esme_warn_flush(s, now, false);
		if (s->fd < 0)
			continue;
		if (s->ctl_deadline != 0 && now >= s->ctl_deadline)
			why = s->st == ESME_CONNECTING ? "connect timeout" :
			    s->st == ESME_BINDING      ? "no bind_resp" :
							 "no unbind_resp";
		else if (s->enq_deadline != 0 && now >= s->enq_deadline)
			why = "no enquire_link_resp";
		else if (s->out_len > s->out_off && s->st != ESME_CONNECTING &&
		    now - s->out_moved >= e->cfg->response_timeout_s * 1000) {
			snprintf(stall, sizeof(stall),
			    "SMSC not reading: "
			    "unsent=%zu bytes, none taken for %lld ms",
			    s->out_len - s->out_off,
			    (long long)(now - s->out_moved));
			why = stall;
		}
		if (why == NULL && s->tx)
			for (k = 0; k < (unsigned)e->cfg->window; k++)
				if (e->win[k].p != NULL &&
				    now >= e->win[k].deadline) {
					why = "no submit_sm_resp";
					break;
				}
		if (why == NULL && e->stopping && s->st == ESME_BOUND &&
		    (e->win_used == 0 || !s->tx || now >= e->stop_deadline)) {
			/* In-flight answers are in (or waited for long
			 * enough): unbind. */
			s->ctl_seq = sess_next_seq(s);
			sess_send_header(s, UNBIND, ESME_ROK, s->ctl_seq);
			s->ctl_deadline = now +
			    e->cfg->response_timeout_s * 1000;
			esme_enter(s, ESME_UNBINDING, NULL);
			sess_flush(s);
			continue;
		}
		if (why != NULL) {
			e->st.timeouts++;
			if (s->st == ESME_BINDING)
				e->st.bind_failures++;
			esme_sess_drop(s, why);
			continue;
		}
		if (s->st == ESME_BOUND && s->enq_deadline == 0 &&
		    now - s->last_rx >= e->cfg->enquire_link_s * 1000) {
			s->enq_seq = sess_next_seq(s);
			sess_send_header(s, ENQUIRE_LINK, ESME_ROK, s->enq_seq);
			s->enq_deadline = now +
			    e->cfg->response_timeout_s * 1000;
			e->st.enquire_sent++;
			/* Count the probe as traffic so the next one waits a
			 * whole period after its answer. */
			s->last_rx = now;
			sess_flush(s);
		}
	}
	{
		struct smsc_concat_msg m;

		while (smsc_concat_expire(e->concat, now / 1000, &m)) {
			(void)mo_hand_up(&e->sess[e->n_sess - 1], &m, NULL, 0);
			smsc_concat_msg_fini(&m);
		}
	}
	esme_pump(e);
	if (esme_tx(e)->fd >= 0)
		sess_flush(esme_tx(e));
	if (!(e->stopping && e->done == NULL))
		e->tick_timer = sd_loop_timer_add(loop, ESME_TICK_MS, esme_tick,
		    e);
}

/* ---- public API -------------------------------------------------------- */

enum sd_rc
smsc_esme_new(const struct smsc_config *cfg, struct sd_loop *loop,
    const struct smsc_hooks *hooks, struct smsc_esme **out, char err[SD_ERRLEN])
{
	struct smsc_concat_config cc;
	struct smsc_esme *e;
	int i;

	*out = NULL;
	if (cfg->window < 1 || cfg->max_tps < 1) {
		snprintf(err, SD_ERRLEN, "window and max_tps must be >= 1");
		return SD_EINVAL;
	}
	e = xcalloc(1, sizeof(*e));
	e->cfg = cfg;
	e->hooks = hooks;
	e->loop = loop;
	e->win = xcalloc((size_t)cfg->window, sizeof(*e->win));
	e->ussd = xcalloc(1, sizeof(*e->ussd));
	e->tokens = 1;
	e->tokens_at = sd_clock_mono_ms();
	e->next_ref = (uint16_t)(random() & 0xffff);
	smsc_concat_config_default(&cc);
	cc.gsm7_dc = (uint8_t)cfg->gsm7_data_coding;
	if (smsc_concat_new(&cc, &e->concat, err) != SD_OK) {
		free(e->ussd);
		free(e->win);
		free(e);
		return SD_EINVAL;
	}
	if (cfg->bind == SMSC_BIND_TRX) {
		e->n_sess = 1;
		e->sess[0].name = "trx";
		e->sess[0].bind_cmd = BIND_TRANSCEIVER;
		e->sess[0].tx = e->sess[0].rx = true;
	} else {
		e->n_sess = 2;
		e->sess[0].name = "tx";
		e->sess[0].bind_cmd = BIND_TRANSMITTER;
		e->sess[0].tx = true;
		e->sess[1].name = "rx";
		e->sess[1].bind_cmd = BIND_RECEIVER;
		e->sess[1].rx = true;
	}
	for (i = 0; i < e->n_sess; i++) {
		e->sess[i].e = e;
		e->sess[i].idx = i;
		e->sess[i].fd = -1;
		e->sess[i].backoff_s = ESME_BACKOFF_MIN_S;
		esme_connect(&e->sess[i]);
	}
	e->tick_timer = sd_loop_timer_add(loop, ESME_TICK_MS, esme_tick, e);
	sd_loop_before_sleep(loop, esme_before_sleep, e);
	*out = e;
	return SD_OK;
}

/* "+98913..." -> "98913..." TON 1 NPI 1; other digits: TON 0 NPI 1. */
static enum sd_rc
esme_dest(const char *in, char out[SMSC_ADDR_LEN], uint8_t *ton, uint8_t *npi,
    char err[SD_ERRLEN])
{
	const char *p = in;
	size_t n;

	*ton = 0;
	*npi = 1;
	if (*p == '+') {
		*ton = 1;
		p++;
	}
	n = strlen(p);
	if (n == 0 || n > 20 || strspn(p, "0123456789") != n) {
		snprintf(err, SD_ERRLEN, "destination '%.30s' is not a number",
		    in);
		return SD_EINVAL;
	}
	memcpy(out, p, n + 1);
	return SD_OK;
}

enum sd_rc
smsc_esme_submit(struct smsc_esme *e, const struct smsc_submit *m,
    char err[SD_ERRLEN])
{
	const struct smsc_config *c = e->cfg;
	struct smsc_seg_opts o;
	struct smsc_seg seg;
	struct smsc_ussd_out uo = {0};
	int64_t ussd_expires = 0;
	char dest[SMSC_ADDR_LEN], validity[17] = "";
	uint8_t ton, npi;
	enum sd_rc rc;
	size_t i;

	if (e->stopping) {
		snprintf(err, SD_ERRLEN, "the SMPP client is stopping");
		return SD_EBUSY;
	}
	rc = esme_dest(m->dest, dest, &ton, &npi, err);
	if (rc != SD_OK)
		return rc;
	smsc_seg_opts_default(&o);
	o.mode = (enum smsc_seg_mode)c->long_sms;
	o.max_parts = m->ussd ? 1 : (unsigned)c->max_parts;
	if (m->ussd) {
		/* One USSD string is one short_message (160 octets): never
		 * split, never moved into message_payload. */
		o.mode = SMSC_SEG_UDH;
		o.ussd = true;
	}
	o.gsm7_dc = (uint8_t)c->gsm7_data_coding;
	rc = smsc_seg_split(m->text, strlen(m->text), &o, e->next_ref, &seg,
	    err);
	if (rc != SD_OK)
		return rc;
	if (e->q_len + seg.nparts > ESME_QUEUE_MAX) {
		smsc_seg_fini(&seg);
		snprintf(err, SD_ERRLEN, "SMPP queue full (%u parts)",
		    e->q_len);
		return SD_EBUSY;
	}
	if (m->ussd) {
		/* Only once the screen is taken: the last screen forgets
		 * the number's TLVs. */
		smsc_ussd_outbound(&c->ussd, e->ussd, m->dest, m->ussd_end,
		    m->ussd_session, &uo);
		if (m->validity_s > 0)
			ussd_expires = sd_clock_mono_ms() +
			    (int64_t)m->validity_s * 1000;
	}
	e->next_ref++;
	if (m->validity_s > 0) {
		long v = m->validity_s;

		/* Relative time "YYMMDDhhmmss000R" (SMPP 3.4 §7.1.1.2). */
		snprintf(validity, sizeof(validity),
		    "0000%02ld%02ld%02ld%02ld000R",
		    v / 86400 > 99 ? 99 : v / 86400, v % 86400 / 3600,
		    v % 3600 / 60, v % 60);
	}
	for (i = 0; i < seg.nparts; i++) {
		struct esme_part *p = xcalloc(1, sizeof(*p));
		const struct smsc_part *sp = &seg.parts[i];

		p->local_id = m->local_id;
		p->part = (uint8_t)(i + 1);
		p->parts = (uint8_t)seg.nparts;
		memcpy(p->dest, dest, sizeof(p->dest));
		p->dest_ton = ton;
		p->dest_npi = npi;
		p->esm_class = sp->esm_class;
		p->data_coding = sp->data_coding;
		p->priority = m->priority_flag > 3 ? 3 : m->priority_flag;
		p->registered_delivery = m->receipt ? 1 : 0;
		memcpy(p->validity, validity, sizeof(validity));
		p->sm = xmalloc(sp->len > 0 ? sp->len : 1);
		memcpy(p->sm, sp->sm, sp->len);
		p->sm_len = sp->len;
		p->payload = seg.payload;
		p->sar = sp->sar;
		p->sar_ref = sp->sar_msg_ref_num;
		p->sar_total = sp->sar_total_segments;
		p->sar_seq = sp->sar_segment_seqnum;
		p->ussd = m->ussd;
		p->uo = uo;
		p->ussd_expires = ussd_expires;
		if (p->payload && p->sm_len > 1024) {
			/* libsmpp34 carries at most 1024 octets in a TLV. */
			part_free(p);
			smsc_seg_fini(&seg);
			queue_drop_message(e, m->local_id);
			snprintf(err, SD_ERRLEN,
			    "text too long for one "
			    "message_payload (1024 octets)");
			return SD_ETOOBIG;
		}
		queue_push_back(e, p);
	}
	smsc_seg_fini(&seg);
	esme_pump(e);
	/* Written by esme_before_sleep() with the rest of this turn. */
	return SD_OK;
}

bool
smsc_esme_up(const struct smsc_esme *e)
{
	return e->sess[0].st == ESME_BOUND;
}

bool
smsc_esme_ready(const struct smsc_esme *e)
{
	return smsc_esme_up(e) && !e->stopping && e->q_head == NULL &&
	    e->win_used < (unsigned)e->cfg->window;
}

void
smsc_esme_mo_done(struct smsc_esme *e, uint64_t token, bool stored)
{
	unsigned i;

	if (token == 0)
		return;
	for (i = 0; i < ESME_DEFER_MAX; i++) {
		struct esme_defer *d = &e->defer[i];
		struct esme_sess *s;

		if (d->token != token)
			continue;
		d->token = 0;
		e->defer_used--;
		s = &e->sess[d->sess];
		if (s->fd < 0 || s->gen != d->gen)
			return; /* that connection is gone */
		sess_send_deliver_resp(s, stored ? ESME_ROK : ESME_RX_T_APPN,
		    d->seq);
		return;
	}
}

enum sd_rc
smsc_esme_restore_part(struct smsc_esme *e, const struct smsc_mo_part *p,
    int64_t age_s, char err[SD_ERRLEN])
{
	struct smsc_mo_pdu mp;
	struct smsc_concat_out out;
	enum sd_rc rc;

	memset(&mp, 0, sizeof(mp));
	mp.src = p->from;
	mp.dst = p->to;
	mp.esm_class = p->esm_class;
	mp.data_coding = p->data_coding;
	mp.sm = p->sm;
	mp.len = p->len;
	mp.has_sar = p->has_sar;
	mp.sar_msg_ref_num = p->sar_ref;
	mp.sar_total_segments = p->sar_total;
	mp.sar_segment_seqnum = p->sar_seq;
	rc = smsc_concat_add(e->concat, &mp,
	    sd_clock_mono_ms() / 1000 - (age_s > 0 ? age_s : 0), &out, err);
	if (rc != SD_OK)
		return rc;
	/* Handed up with token 0 and no session: nothing to answer. */
	if (out.evicted)
		(void)mo_hand_up(&e->sess[e->n_sess - 1], &out.old, NULL, 0);
	if (out.result == SMSC_CONCAT_DONE)
		(void)mo_hand_up(&e->sess[e->n_sess - 1], &out.msg, NULL, 0);
	smsc_concat_out_fini(&out);
	return SD_OK;
}

void
smsc_esme_stats(const struct smsc_esme *e, struct smsc_esme_stats *st)
{
	*st = e->st;
	st->window_used = e->win_used;
	st->queued = e->q_len;
}

void
smsc_esme_stop(struct smsc_esme *e, void (*done)(void *arg), void *arg)
{
	int i;

	e->stopping = true;
	e->done = done;
	e->done_arg = arg;
	e->stop_deadline = sd_clock_mono_ms() +
	    e->cfg->response_timeout_s * 1000;
	for (i = 0; i < e->n_sess; i++) {
		struct esme_sess *s = &e->sess[i];

		if (s->reconnect_timer != 0) {
			sd_loop_timer_cancel(e->loop, s->reconnect_timer);
			s->reconnect_timer = 0;
		}
		/* Not bound: nothing to unbind, close now. */
		if (s->fd >= 0 && s->st != ESME_BOUND)
			esme_sess_drop(s, "stopping");
	}
	log_info("smpp", "stopping in_flight=%u queued=%u", e->win_used,
	    e->q_len);
	esme_check_stopped(e);
}

void
smsc_esme_free(struct smsc_esme *e)
{
	struct esme_part *p;
	unsigned i;
	int k;

	if (e == NULL)
		return;
	sd_loop_before_sleep(e->loop, NULL, e);
	for (k = 0; k < e->n_sess; k++) {
		struct esme_sess *s = &e->sess[k];

		if (s->fd >= 0) {
			sd_loop_fd_del(e->loop, s->fd);
			close(s->fd);
		}
		if (s->reconnect_timer != 0)
			sd_loop_timer_cancel(e->loop, s->reconnect_timer);
		free(s->in);
		free(s->out);
	}
	if (e->tick_timer != 0)
		sd_loop_timer_cancel(e->loop, e->tick_timer);
	if (e->pace_timer != 0)
		sd_loop_timer_cancel(e->loop, e->pace_timer);
	for (i = 0; i < (unsigned)e->cfg->window; i++)
		part_free(e->win[i].p);
	while ((p = queue_pop(e)) != NULL)
		part_free(p);
	free(e->ussd);
	free(e->win);
	smsc_concat_free(e->concat);
	free(e);
}
