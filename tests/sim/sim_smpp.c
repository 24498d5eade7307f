/*
 * tests/sim/sim_smpp.c: the SMSC side of SMPP 3.4: sockets, framing and
 * the PDUs, on libsmpp34.
 *
 * Framing: a PDU is command_length (4 octets, big endian, counting
 * itself), command_id, command_status, sequence_number, then the body.
 * Input collects in a per-connection buffer of 2 * SIM_PDU_MAX; whole
 * PDUs are handled in place and the rest moves to the front. A
 * command_length below 16 or above SIM_PDU_MAX gets generic_nack
 * (ESME_RINVCMDLEN) and the connection closes once that is written.
 *
 * libsmpp34 (design.md §8): every call is in this thread. Its unpack
 * reads C-Octet Strings with strlen() and its TLV parser caps
 * message_payload at 1024 octets, misreads fixed-size TLVs sent with
 * another length and leaks on broken ones. So the mandatory fields are
 * checked here first (pdu_scan), libsmpp34 unpacks a NUL-guarded copy of
 * the mandatory part only, and the TLVs are read here (tlv_scan): it
 * never allocates. PDUs sent are packed by libsmpp34, except header-only
 * PDUs with sequence_number 0, which it refuses.
 *
 * The hot path is the exception (tests/bench/, issue #4): libsmpp34
 * formats a log line with snprintf for every field it packs or unpacks
 * (into smpp34_strerror), which took about 70% of the simulator's CPU
 * in an MO blast. So submit_sm is read here from the offsets pdu_scan
 * found (with the checks libsmpp34 made: TON 0..6 and the NPIs it
 * knows), and deliver_sm and submit_sm_resp are packed here, octet for
 * octet as libsmpp34 packs them (the TLVs in the order given,
 * its_session_info in network order).
 *
 * Output: PDUs append to a per-connection write buffer that is written
 * once per loop turn (before sleep), so a burst of submit_sm costs one
 * send(). Above WBUF_HIGH unsent octets the connection stops reading
 * until it drops below WBUF_LOW. With /fault/delay, responses wait in a
 * per-connection FIFO (always in order) instead.
 *
 * Connections are never freed inside their own callbacks: conn_kill()
 * marks them dead and sim_smpp_flush() frees them before the loop
 * sleeps.
 */
#include "tests/sim/sim.h"

#include <errno.h>
#include <inttypes.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

/* libsmpp34's headers put a semicolon after every struct member macro,
 * which -Wpedantic rejects. */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wpedantic"
#include <smpp34.h>
#include <smpp34_structs.h>
#include <smpp34_params.h>
#pragma GCC diagnostic pop

#include "core/base/clock.h"
#include "core/base/log.h"
#include "core/base/xmalloc.h"

#define RBUF_CAP (2 * SIM_PDU_MAX) /* input buffer per connection */
#define WBUF_HIGH (4u << 20)       /* stop reading above this backlog */
#define WBUF_LOW (1u << 20)        /* and start again below this */
#define OUT_PDU_MAX 2048           /* largest PDU the simulator sends */
#define CLOSE_GRACE_MS 5000        /* output flush before a forced close */
#define UNBIND_WAIT_MS 1000        /* wait for unbind_resp at shutdown */

enum bind_kind {
	BIND_NONE = 0,
	BIND_TX,
	BIND_RX,
	BIND_TRX,
};

static const char *const bind_name[] = {"none", "tx", "rx", "trx"};

/* One deliver_sm waiting for its deliver_sm_resp. */
struct slot {
	uint32_t seq;      /* its sequence_number */
	int64_t sent_ms;   /* CLOCK_MONOTONIC when sent */
	struct sim_dlv *d; /* NULL: slot free */
};

/* One response held back by /fault/delay. */
struct delayed {
	struct delayed *next; /* FIFO link */
	int64_t due;          /* CLOCK_MONOTONIC ms */
	size_t len;           /* octets in data */
	uint8_t data[];       /* the packed PDU */
};

struct sim_conn {
	struct sim *sim;              /* owner */
	struct sim_conn *prev, *next; /* s->conns list */
	int fd;                       /* socket */
	uint64_t id;                  /* for logs, 1.. */
	enum bind_kind bind;          /* bound as */
	bool closing;                 /* no more input; close when flushed */
	bool dead;                    /* closed; freed before sleep */
	bool read_paused;             /* output backlog too large */
	bool unbind_sent;             /* we asked to unbind (shutdown) */
	int64_t closing_since;        /* CLOCK_MONOTONIC of closing/unbind */
	const char *close_reason;     /* static text for the log */
	unsigned events;              /* SD_LOOP_* now watched */
	uint8_t *rbuf;                /* input, RBUF_CAP octets */
	size_t rlen;                  /* input octets held */
	uint8_t *wbuf;                /* output */
	size_t wlen, woff, wcap;      /* used, sent, allocated */
	struct slot *win;             /* opts->mo_window slots */
	size_t n_win;                 /* slots in use */
	uint32_t next_seq;            /* for PDUs the SMSC starts */
	struct delayed *dq_head;      /* delayed responses */
	struct delayed *dq_tail;      /* newest delayed response */
	size_t dq_bytes;              /* octets held in the delay FIFO */
	uint64_t dq_timer;            /* timer for dq_head, 0: none */
};

static uint32_t
get32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	       (uint32_t)p[2] << 8 | p[3];
}

static uint16_t
get16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static void
put32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

/* A PDU packed by hand: octets appended to p (cap octets); over is set,
 * and nothing more written, when one would not fit. */
struct pk {
	uint8_t *p;
	size_t n, cap;
	bool over;
};

static void
pk_bytes(struct pk *k, const void *v, size_t n)
{
	if (k->over || n > k->cap - k->n) {
		k->over = true;
		return;
	}
	memcpy(k->p + k->n, v, n);
	k->n += n;
}

static void
pk_u8(struct pk *k, uint8_t v)
{
	pk_bytes(k, &v, 1);
}

static void
pk_u16(struct pk *k, uint16_t v)
{
	uint8_t b[2] = {(uint8_t)(v >> 8), (uint8_t)v};

	pk_bytes(k, b, 2);
}

static void
pk_u32(struct pk *k, uint32_t v)
{
	uint8_t b[4];

	put32(b, v);
	pk_bytes(k, b, 4);
}

/* A C-Octet String of at most max octets with its NUL (longer ones are
 * cut, as libsmpp34 does). */
static void
pk_cstr(struct pk *k, const char *str, size_t max)
{
	size_t n = strnlen(str, max - 1);

	pk_bytes(k, str, n);
	pk_u8(k, 0);
}

/* Header with command_length 0; pk_done() fills it in. */
static void
pk_header(struct pk *k, uint32_t cmd, uint32_t status, uint32_t seq)
{
	pk_u32(k, 0);
	pk_u32(k, cmd);
	pk_u32(k, status);
	pk_u32(k, seq);
}

/* The PDU's length, or 0 when it did not fit. */
static size_t
pk_done(struct pk *k)
{
	if (k->over || k->n < 16)
		return 0;
	put32(k->p, (uint32_t)k->n);
	return k->n;
}

/* TON and NPI values libsmpp34 accepts (str_addr_ton, str_addr_npi). */
static bool
ton_ok(uint8_t ton)
{
	return ton <= 6;
}

static bool
npi_ok(uint8_t npi)
{
	switch (npi) {
	case 0: case 1: case 3: case 4: case 6: case 8: case 9: case 10:
	case 14: case 18: return true;
	default: return false;
	}
}

void
sim_status_count(struct sim_statcount *tab, uint32_t status)
{
	size_t i;

	for (i = 0; i < SIM_STATUS_SLOTS; i++) {
		if (tab[i].n == 0 || tab[i].status == status) {
			tab[i].status = status;
			tab[i].n++;
			return;
		}
	}
	tab[SIM_STATUS_SLOTS - 1].status = 0xffffffffu;
	tab[SIM_STATUS_SLOTS - 1].n++;
}

/* ---------------------------------------------------------------------
 * Output
 */

static void
conn_set_events(struct sim_conn *c)
{
	unsigned ev = 0;

	if (c->dead)
		return;
	if (!c->closing && !c->read_paused)
		ev |= SD_LOOP_READ;
	if (c->wlen > c->woff)
		ev |= SD_LOOP_WRITE;
	if (ev == c->events)
		return;
	if (sd_loop_fd_mod(c->sim->loop, c->fd, ev) == SD_OK)
		c->events = ev;
}

/* Octets owed to the peer: unsent output and delayed responses. */
static size_t
conn_backlog(const struct sim_conn *c)
{
	return c->wlen - c->woff + c->dq_bytes;
}

/* Stop reading while the peer does not take what it is owed. */
static void
conn_check_backlog(struct sim_conn *c)
{
	if (!c->read_paused && conn_backlog(c) > WBUF_HIGH) {
		c->read_paused = true;
		log_debug("smpp", "reading paused conn=%" PRIu64 " backlog=%zu",
		    c->id, conn_backlog(c));
		conn_set_events(c);
	}
}

static void
conn_wbuf_add(struct sim_conn *c, const uint8_t *data, size_t n)
{
	if (c->dead)
		return;
	if (c->wlen + n > c->wcap) {
		if (c->woff > 0) {
			memmove(c->wbuf, c->wbuf + c->woff, c->wlen - c->woff);
			c->wlen -= c->woff;
			c->woff = 0;
		}
		if (c->wlen + n > c->wcap) {
			size_t cap = c->wcap == 0 ? 16384 : c->wcap;

			while (cap < c->wlen + n)
				cap *= 2;
			c->wbuf = xrealloc(c->wbuf, cap);
			c->wcap = cap;
		}
	}
	memcpy(c->wbuf + c->wlen, data, n);
	c->wlen += n;
	conn_check_backlog(c);
}

static void
conn_dq_fire(struct sd_loop *loop, uint64_t id, void *arg)
{
	struct sim_conn *c = arg;
	int64_t now = sd_clock_mono_ms();

	(void)loop;
	(void)id;
	c->dq_timer = 0;
	while (c->dq_head != NULL && c->dq_head->due <= now) {
		struct delayed *d = c->dq_head;

		c->dq_head = d->next;
		if (c->dq_head == NULL)
			c->dq_tail = NULL;
		c->dq_bytes -= d->len;
		conn_wbuf_add(c, d->data, d->len);
		free(d);
	}
	if (c->dq_head != NULL)
		c->dq_timer = sd_loop_timer_add(
		    c->sim->loop, c->dq_head->due - now, conn_dq_fire, c);
}

/* Queue a packed PDU: responses wait behind /fault/delay and extra_ms
 * (in order: one held back holds back those after it, as on a stalled
 * SMSC). */
static void
conn_out_late(struct sim_conn *c, const uint8_t *data, size_t n,
    bool response, int64_t extra_ms)
{
	struct sim *s = c->sim;
	struct delayed *d;
	int64_t now;

	if (!response ||
	    (s->faults.delay_ms <= 0 && extra_ms <= 0 && c->dq_head == NULL)) {
		conn_wbuf_add(c, data, n);
		return;
	}
	now = sd_clock_mono_ms();
	d = xmalloc(sizeof(*d) + n);
	d->next = NULL;
	d->due = now + (s->faults.delay_ms > 0 ? s->faults.delay_ms : 0) +
	    (extra_ms > 0 ? extra_ms : 0);
	if (c->dq_tail != NULL && d->due < c->dq_tail->due)
		d->due = c->dq_tail->due;
	d->len = n;
	memcpy(d->data, data, n);
	if (c->dq_tail != NULL)
		c->dq_tail->next = d;
	else
		c->dq_head = d;
	c->dq_tail = d;
	c->dq_bytes += n;
	conn_check_backlog(c);
	if (c->dq_timer == 0)
		c->dq_timer = sd_loop_timer_add(
		    s->loop, c->dq_head->due - now, conn_dq_fire, c);
}

static void
conn_out(struct sim_conn *c, const uint8_t *data, size_t n, bool response)
{
	conn_out_late(c, data, n, response, 0);
}

/* Pack pdu with libsmpp34 and queue it. False if it refused. */
static bool
conn_pack(struct sim_conn *c, void *pdu, bool response)
{
	uint8_t tmp[OUT_PDU_MAX];
	int n = 0;

	if (smpp34_pack2(tmp, (int)sizeof(tmp), &n, pdu) != 0 || n < 16) {
		log_warnx("smpp",
		    "pack failed conn=%" PRIu64 " error=\"%.300s\"", c->id,
		    smpp34_strerror);
		return false;
	}
	conn_out(c, tmp, (size_t)n, response);
	return true;
}

/* A PDU that is only a header (generic_nack, enquire_link_resp, unbind,
 * unbind_resp). */
static void
conn_header_pdu(struct sim_conn *c, uint32_t cmd, uint32_t status, uint32_t seq,
    bool response)
{
	/* The four types share def_frame/header.frame. */
	union {
		generic_nack_t nack;
		enquire_link_resp_t elr;
		unbind_t ub;
		unbind_resp_t ubr;
	} u;
	uint8_t h[16];

	memset(&u, 0, sizeof(u));
	u.nack.command_id = cmd;
	u.nack.command_status = status;
	u.nack.sequence_number = seq;
	if (seq != 0 && conn_pack(c, &u, response))
		return;
	/* libsmpp34 refuses sequence_number 0, which only a broken peer
	 * sends; answer it all the same. */
	put32(h, 16);
	put32(h + 4, cmd);
	put32(h + 8, status);
	put32(h + 12, seq);
	conn_out(c, h, sizeof(h), response);
}

static void
conn_nack(struct sim_conn *c, uint32_t status, uint32_t seq)
{
	c->sim->ctr.generic_nack_sent++;
	conn_header_pdu(c, GENERIC_NACK, status, seq, true);
}

/* ---------------------------------------------------------------------
 * Connection life
 */

static void conn_on_event(struct sd_loop *loop, int fd, unsigned ev, void *arg);

/* Close now: unanswered deliveries go back to the queue. */
static void
conn_kill(struct sim_conn *c, const char *why)
{
	struct sim *s = c->sim;
	struct delayed *d, *next;
	size_t i, back = 0;

	if (c->dead)
		return;
	c->dead = true;
	sd_loop_fd_del(s->loop, c->fd);
	if (c->dq_timer != 0)
		sd_loop_timer_cancel(s->loop, c->dq_timer);
	c->dq_timer = 0;
	for (d = c->dq_head; d != NULL; d = next) {
		next = d->next;
		free(d);
	}
	c->dq_head = c->dq_tail = NULL;
	c->dq_bytes = 0;
	for (i = 0; i < (size_t)s->opts->mo_window; i++) {
		if (c->win[i].d == NULL)
			continue;
		sim_deliver_requeue(s, c->win[i].d);
		c->win[i].d = NULL;
		s->n_inflight--;
		back++;
	}
	c->n_win = 0;
	log_info("smpp",
	    "closed conn=%" PRIu64 " bind=%s reason=\"%s\""
	    " requeued=%zu",
	    c->id, bind_name[c->bind], why, back);
	c->bind = BIND_NONE;
}

/* Stop reading; close once the output (and delayed responses) went. */
static void
conn_close_after(struct sim_conn *c, const char *why)
{
	if (c->closing || c->dead)
		return;
	c->closing = true;
	c->close_reason = why;
	c->closing_since = sd_clock_mono_ms();
	conn_set_events(c);
}

static void
conn_free(struct sim_conn *c)
{
	struct sim *s = c->sim;

	if (c->prev != NULL)
		c->prev->next = c->next;
	else
		s->conns = c->next;
	if (c->next != NULL)
		c->next->prev = c->prev;
	s->n_conns--;
	close(c->fd);
	free(c->rbuf);
	free(c->wbuf);
	free(c->win);
	free(c);
}

static void
conn_write(struct sim_conn *c)
{
	while (c->woff < c->wlen) {
		ssize_t n = send(
		    c->fd, c->wbuf + c->woff, c->wlen - c->woff, MSG_NOSIGNAL);

		if (n > 0) {
			c->woff += (size_t)n;
			continue;
		}
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			break;
		conn_kill(c, "write error");
		return;
	}
	if (c->woff == c->wlen)
		c->woff = c->wlen = 0;
	if (c->read_paused && conn_backlog(c) < WBUF_LOW) {
		c->read_paused = false;
		log_debug("smpp", "reading resumed conn=%" PRIu64, c->id);
	}
	conn_set_events(c);
}

static void
smpp_on_accept(struct sd_loop *loop, int fd, unsigned ev, void *arg)
{
	struct sim *s = arg;

	(void)loop;
	(void)ev;
	for (;;) {
		struct sockaddr_in sa;
		socklen_t sl = sizeof(sa);
		struct sim_conn *c;
		int one = 1;
		int cfd = accept4(fd, (struct sockaddr *)&sa, &sl,
		    SOCK_NONBLOCK | SOCK_CLOEXEC);

		if (cfd < 0) {
			if (errno == EINTR || errno == ECONNABORTED)
				continue;
			if (errno != EAGAIN && errno != EWOULDBLOCK)
				log_warn("smpp", "accept failed");
			return;
		}
		if (s->faults.down_until > sd_clock_mono_ms()) {
			s->ctr.conns_refused++;
			log_info("fault", "down: connection closed");
			close(cfd);
			continue;
		}
		if (s->stopping || s->n_conns >= (size_t)s->opts->max_conns) {
			s->ctr.conns_refused++;
			log_warnx("smpp", "connection refused open=%zu max=%ld",
			    s->n_conns, s->opts->max_conns);
			close(cfd);
			continue;
		}
		(void)setsockopt(
		    cfd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
		c = xcalloc(1, sizeof(*c));
		c->sim = s;
		c->fd = cfd;
		c->id = ++s->next_conn_id;
		c->next_seq = 1;
		c->rbuf = xmalloc(RBUF_CAP);
		c->win = xcalloc((size_t)s->opts->mo_window, sizeof(*c->win));
		if (sd_loop_fd_add(s->loop, cfd, SD_LOOP_READ, conn_on_event,
			c) != SD_OK) {
			close(cfd);
			free(c->rbuf);
			free(c->win);
			free(c);
			continue;
		}
		c->events = SD_LOOP_READ;
		c->next = s->conns;
		if (s->conns != NULL)
			s->conns->prev = c;
		s->conns = c;
		s->n_conns++;
		s->ctr.connections++;
		log_info("smpp", "connection conn=%" PRIu64 " port=%u open=%zu",
		    c->id, (unsigned)ntohs(sa.sin_port), s->n_conns);
	}
}

enum sd_rc
sim_smpp_listen(struct sim *s, char err[SD_ERRLEN])
{
	struct sockaddr_in sa;
	socklen_t sl = sizeof(sa);
	int one = 1;
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);

	if (fd < 0) {
		snprintf(err, SD_ERRLEN, "socket: %s", strerror(errno));
		return SD_EIO;
	}
	(void)setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	memset(&sa, 0, sizeof(sa));
	sa.sin_family = AF_INET;
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	sa.sin_port = htons((uint16_t)s->opts->smpp_port);
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) != 0 ||
	    listen(fd, 128) != 0 ||
	    getsockname(fd, (struct sockaddr *)&sa, &sl) != 0) {
		snprintf(err, SD_ERRLEN, "SMPP listen on 127.0.0.1:%ld: %s",
		    s->opts->smpp_port, strerror(errno));
		close(fd);
		return SD_EIO;
	}
	if (sd_loop_fd_add(s->loop, fd, SD_LOOP_READ, smpp_on_accept, s) !=
	    SD_OK) {
		snprintf(err, SD_ERRLEN, "cannot watch the SMPP socket");
		close(fd);
		return SD_EIO;
	}
	s->smpp_fd = fd;
	s->smpp_port = ntohs(sa.sin_port);
	return SD_OK;
}

/* ---------------------------------------------------------------------
 * Checking bodies before libsmpp34 sees them
 */

#define F_U8 0    /* one octet */
#define F_SM (-1) /* sm_length, then that many octets (at most 254) */
#define F_END (-2)

/* bind_transmitter/receiver/transceiver. */
static const int layout_bind[] = {16, 9, 13, F_U8, F_U8, F_U8, 41, F_END};
#define BIND_F_VERSION 3 /* index of interface_version */

/* submit_sm's mandatory part, and the index of the fields read. */
static const int layout_submit[] = {6, F_U8, F_U8, 21, F_U8, F_U8, 21, F_U8,
    F_U8, F_U8, 17, 17, F_U8, F_U8, F_U8, F_U8, F_SM, F_END};
#define SUBMIT_FIELDS 17
#define SF_SRC_TON 1 /* then source_addr_npi */
#define SF_SRC 3
#define SF_DST_TON 4 /* then dest_addr_npi */
#define SF_DST 6
#define SF_ESM 7
#define SF_RD 12
#define SF_DC 14
#define SF_SM 16 /* sm_length, then short_message */

/*
 * Walk the mandatory fields of the PDU p (len octets, header included)
 * by layout: n > 0 is a C-Octet String of at most n octets with its NUL
 * (as libsmpp34 sizes them). Returns the offset after the last field and
 * sets offs[i] (if offs) to the offset of field i; 0 when field *bad
 * does not fit.
 */
static size_t
pdu_scan(
    const uint8_t *p, size_t len, const int *layout, size_t *bad, size_t *offs)
{
	size_t off = 16, i;

	for (i = 0; layout[i] != F_END; i++) {
		if (offs != NULL)
			offs[i] = off;
		*bad = i;
		if (layout[i] == F_U8) {
			if (off + 1 > len)
				return 0;
			off++;
		} else if (layout[i] == F_SM) {
			size_t n;

			if (off + 1 > len)
				return 0;
			n = p[off];
			if (n > SIM_SM_MAX || off + 1 + n > len)
				return 0;
			off += 1 + n;
		} else {
			size_t max = (size_t)layout[i], k;

			for (k = 0; k < max && off + k < len; k++)
				if (p[off + k] == '\0')
					break;
			if (k == max || off + k >= len)
				return 0;
			off += k + 1;
		}
	}
	return off;
}

/* The TLVs of a submit_sm the simulator reads. */
struct tlv_in {
	const uint8_t *payload; /* message_payload, NULL: absent */
	size_t payload_len;     /* its length */
	bool has_sar_ref, has_sar_total, has_sar_seq; /* sar_* present */
	uint16_t sar_ref;                             /* sar_msg_ref_num */
	uint8_t sar_total;                            /* sar_total_segments */
	uint8_t sar_seq;                              /* sar_segment_seqnum */
	bool has_ussd_op;                             /* ussd_service_op */
	uint8_t ussd_op;
	bool has_session; /* its_session_info */
	uint16_t session;
};

/* Read the TLVs in p[0..n). Returns ESME_ROK or the status to answer. */
static uint32_t
tlv_scan(const uint8_t *p, size_t n, struct tlv_in *t)
{
	memset(t, 0, sizeof(*t));
	while (n > 0) {
		uint16_t tag, l;
		const uint8_t *v;

		if (n < 4)
			return ESME_RINVOPTPARSTREAM;
		tag = get16(p);
		l = get16(p + 2);
		if (l > n - 4)
			return ESME_RINVOPTPARSTREAM;
		v = p + 4;
		switch (tag) {
		case TLVID_message_payload:
			t->payload = v;
			t->payload_len = l;
			break;
		case TLVID_sar_msg_ref_num:
			if (l != 2)
				return ESME_RINVPARLEN;
			t->has_sar_ref = true;
			t->sar_ref = get16(v);
			break;
		case TLVID_sar_total_segments:
			if (l != 1)
				return ESME_RINVPARLEN;
			t->has_sar_total = true;
			t->sar_total = v[0];
			break;
		case TLVID_sar_segment_seqnum:
			if (l != 1)
				return ESME_RINVPARLEN;
			t->has_sar_seq = true;
			t->sar_seq = v[0];
			break;
		case TLVID_ussd_service_op:
			if (l != 1)
				return ESME_RINVPARLEN;
			t->has_ussd_op = true;
			t->ussd_op = v[0];
			break;
		case TLVID_its_session_info:
			if (l != 2)
				return ESME_RINVPARLEN;
			t->has_session = true;
			t->session = get16(v);
			break;
		default:
			/* Optional parameters the SMSC does not use are
			 * ignored, as SMPP 3.4 §3.2.4 asks. */
			break;
		}
		p += 4 + (size_t)l;
		n -= 4 + (size_t)l;
	}
	return ESME_ROK;
}

/* ---------------------------------------------------------------------
 * PDUs from the ESME
 */

static void
conn_on_bind(struct sim_conn *c, const uint8_t *p, size_t len, uint32_t cmd,
    uint32_t seq)
{
	struct sim *s = c->sim;
	union {
		bind_transmitter_t tx;
		bind_receiver_t rx;
		bind_transceiver_t trx;
	} req;
	union {
		bind_transmitter_resp_t tx;
		bind_receiver_resp_t rx;
		bind_transceiver_resp_t trx;
	} resp;
	tlv_t ver;
	enum bind_kind kind = cmd == BIND_TRANSMITTER ? BIND_TX
			      : cmd == BIND_RECEIVER  ? BIND_RX
						      : BIND_TRX;
	uint32_t status = ESME_ROK;
	size_t offs[8], bad = 0, end;
	const char *sysid = "", *pw = "";

	if (c->bind != BIND_NONE) {
		status = ESME_RALYBND;
		goto reply;
	}
	end = pdu_scan(p, len, layout_bind, &bad, offs);
	if (end == 0 || end != len) {
		status = end != 0   ? ESME_RBINDFAIL
			 : bad == 0 ? ESME_RINVSYSID
			 : bad == 1 ? ESME_RINVPASWD
				    : ESME_RBINDFAIL;
		goto reply;
	}
	memcpy(s->scratch, p, len);
	s->scratch[len] = '\0';
	/* libsmpp34 refuses any interface_version but 0x34 in
	 * bind_transmitter; an SMSC accepts older ESMEs (3.3 sends 0x33,
	 * some send 0), so read the bind as 3.4. */
	s->scratch[offs[BIND_F_VERSION]] = SMPP_VERSION;
	memset(&req, 0, sizeof(req));
	if (smpp34_unpack2(&req, s->scratch, (int)len) != 0) {
		log_info("smpp",
		    "bind unreadable conn=%" PRIu64 " error=\"%.300s\"", c->id,
		    smpp34_strerror);
		status = ESME_RBINDFAIL;
		goto reply;
	}
	switch (kind) {
	case BIND_TX:
		sysid = (const char *)req.tx.system_id;
		pw = (const char *)req.tx.password;
		break;
	case BIND_RX:
		sysid = (const char *)req.rx.system_id;
		pw = (const char *)req.rx.password;
		break;
	default:
		sysid = (const char *)req.trx.system_id;
		pw = (const char *)req.trx.password;
		break;
	}
	if (strcmp(sysid, s->opts->system_id) != 0)
		status = ESME_RINVSYSID;
	else if (strcmp(pw, s->opts->password) != 0)
		status = ESME_RINVPASWD;
reply:
	if (status == ESME_ROK) {
		c->bind = kind;
		s->ctr.binds_ok++;
		log_info("smpp", "bound conn=%" PRIu64 " as=%s system_id=%s",
		    c->id, bind_name[kind], sysid);
	} else {
		s->ctr.binds_failed++;
		log_info("smpp",
		    "bind refused conn=%" PRIu64 " as=%s"
		    " status=0x%08x",
		    c->id, bind_name[kind], status);
	}
	memset(&resp, 0, sizeof(resp));
	memset(&ver, 0, sizeof(ver));
	ver.tag = TLVID_sc_interface_version;
	ver.length = 1;
	ver.value.val08 = SMPP_VERSION;
	/* The three response types share one layout; fill the right one. */
	switch (kind) {
	case BIND_TX:
		resp.tx.command_id = BIND_TRANSMITTER_RESP;
		resp.tx.command_status = status;
		resp.tx.sequence_number = seq;
		snprintf((char *)resp.tx.system_id, sizeof(resp.tx.system_id),
		    "%s", s->opts->smsc_id);
		resp.tx.tlv = status == ESME_ROK ? &ver : NULL;
		break;
	case BIND_RX:
		resp.rx.command_id = BIND_RECEIVER_RESP;
		resp.rx.command_status = status;
		resp.rx.sequence_number = seq;
		snprintf((char *)resp.rx.system_id, sizeof(resp.rx.system_id),
		    "%s", s->opts->smsc_id);
		resp.rx.tlv = status == ESME_ROK ? &ver : NULL;
		break;
	default:
		resp.trx.command_id = BIND_TRANSCEIVER_RESP;
		resp.trx.command_status = status;
		resp.trx.sequence_number = seq;
		snprintf((char *)resp.trx.system_id, sizeof(resp.trx.system_id),
		    "%s", s->opts->smsc_id);
		resp.trx.tlv = status == ESME_ROK ? &ver : NULL;
		break;
	}
	if (!conn_pack(c, &resp, true))
		conn_header_pdu(c, cmd | 0x80000000u, status, seq, true);
}

/* The next message id: decimal, or (every other one with --hex-ids)
 * hex. Ids start at 0xA00000000000 plus the start time, so hex ids have
 * 12 digits and begin with a letter, decimal ones have 15, the two never
 * collide, and a restarted simulator does not reuse ids. */
static void
msgid_next(struct sim *s, char out[SIM_MSGID_MAX], uint64_t *val, bool *hex)
{
	uint64_t v = s->msgid_base + ++s->msgid_count;

	*hex = s->opts->hex_ids && s->msgid_count % 2 == 0;
	*val = v;
	if (*hex)
		snprintf(out, SIM_MSGID_MAX, "%" PRIx64, v);
	else
		snprintf(out, SIM_MSGID_MAX, "%" PRIu64, v);
}

/* True for throttle_pct % of the calls (xorshift64, seeded at
 * /fault/chaos: the same run of faults every time). */
static bool
chaos_throttle(struct sim_faults *f)
{
	if (f->throttle_pct == 0)
		return false;
	f->rng ^= f->rng << 13;
	f->rng ^= f->rng >> 7;
	f->rng ^= f->rng << 17;
	return f->rng % 100 < f->throttle_pct;
}

static void
conn_submit_resp(
    struct sim_conn *c, uint32_t status, uint32_t seq, const char *id)
{
	struct sim_faults *f = &c->sim->faults;
	uint8_t b[16 + SIM_MSGID_MAX];
	struct pk k = {b, 0, sizeof(b), false};
	int64_t late = 0;

	sim_status_count(c->sim->ctr.submit_status, status);
	/* Packed by hand (see the top of this file); the body only with
	 * ESME_ROK, as SMPP 3.4 §4.4.2 (and libsmpp34) have it. */
	pk_header(&k, SUBMIT_SM_RESP, status, seq);
	if (status == ESME_ROK)
		pk_cstr(&k, id != NULL ? id : "", SIM_MSGID_MAX);
	if (f->stall_every > 0 && f->submits_in % f->stall_every == 0) {
		late = f->stall_ms;
		c->sim->ctr.stalled++;
	}
	conn_out_late(c, b, pk_done(&k), true, late);
}

/* Map the field pdu_scan stopped at to a command_status. */
static uint32_t
submit_field_status(size_t bad)
{
	switch (bad) {
	case 0: return ESME_RINVSERTYP;
	case 3: return ESME_RINVSRCADR;
	case 6: return ESME_RINVDSTADR;
	case 10: return ESME_RINVSCHED;
	case 11: return ESME_RINVEXPIRY;
	case 16: return ESME_RINVMSGLEN;
	default: return ESME_RINVCMDLEN;
	}
}

static void
conn_on_submit(struct sim_conn *c, const uint8_t *p, size_t len, uint32_t seq)
{
	struct sim *s = c->sim;
	struct {
		uint8_t source_addr_ton, source_addr_npi;
		const char *source_addr;
		uint8_t dest_addr_ton, dest_addr_npi;
		const char *destination_addr;
		uint8_t esm_class, registered_delivery, data_coding;
		uint8_t sm_length;
		const uint8_t *short_message;
	} sm;
	struct tlv_in t;
	struct sim_udh udh;
	struct sim_part part;
	const uint8_t *units;
	size_t n, end, bad = 0, offs[SUBMIT_FIELDS];
	uint32_t status;
	char id[SIM_MSGID_MAX];
	uint64_t idv;
	bool idhex;

	s->ctr.submit_sm++;
	if (c->bind != BIND_TX && c->bind != BIND_TRX) {
		conn_submit_resp(c, ESME_RINVBNDSTS, seq, NULL);
		return;
	}
	s->faults.submits_in++;
	if (s->faults.throttle_left > 0 || chaos_throttle(&s->faults)) {
		if (s->faults.throttle_left > 0)
			s->faults.throttle_left--;
		s->ctr.throttled++;
		conn_submit_resp(c, ESME_RTHROTTLED, seq, NULL);
		return;
	}
	end = pdu_scan(p, len, layout_submit, &bad, offs);
	if (end == 0) {
		conn_submit_resp(c, submit_field_status(bad), seq, NULL);
		return;
	}
	status = tlv_scan(p + end, len - end, &t);
	if (status != ESME_ROK) {
		conn_submit_resp(c, status, seq, NULL);
		return;
	}
	/* The mandatory fields, read where pdu_scan found them (every
	 * C-Octet String is NUL-terminated inside the PDU). */
	sm.source_addr_ton = p[offs[SF_SRC_TON]];
	sm.source_addr_npi = p[offs[SF_SRC_TON] + 1];
	sm.source_addr = (const char *)p + offs[SF_SRC];
	sm.dest_addr_ton = p[offs[SF_DST_TON]];
	sm.dest_addr_npi = p[offs[SF_DST_TON] + 1];
	sm.destination_addr = (const char *)p + offs[SF_DST];
	sm.esm_class = p[offs[SF_ESM]];
	sm.registered_delivery = p[offs[SF_RD]];
	sm.data_coding = p[offs[SF_DC]];
	sm.sm_length = p[offs[SF_SM]];
	sm.short_message = p + offs[SF_SM] + 1;
	if (!ton_ok(sm.source_addr_ton) || !ton_ok(sm.dest_addr_ton) ||
	    !npi_ok(sm.source_addr_npi) || !npi_ok(sm.dest_addr_npi)) {
		status = !ton_ok(sm.source_addr_ton)	? ESME_RINVSRCTON
			 : !npi_ok(sm.source_addr_npi) ? ESME_RINVSRCNPI
			 : !ton_ok(sm.dest_addr_ton)   ? ESME_RINVDSTTON
						       : ESME_RINVDSTNPI;
		conn_submit_resp(c, status, seq, NULL);
		return;
	}
	if (sm.destination_addr[0] == '\0') {
		conn_submit_resp(c, ESME_RINVDSTADR, seq, NULL);
		return;
	}
	if (t.payload != NULL && sm.sm_length != 0) {
		/* SMPP 3.4 §5.3.2.32: message_payload only with
		 * sm_length 0. */
		conn_submit_resp(c, ESME_RINVPARLEN, seq, NULL);
		return;
	}
	units = t.payload != NULL ? t.payload : sm.short_message;
	n = t.payload != NULL ? t.payload_len : sm.sm_length;
	memset(&udh, 0, sizeof(udh));
	if ((sm.esm_class & SMPP34_UDHI_IND) &&
	    sim_udh_parse(units, n, &udh) != SD_OK) {
		conn_submit_resp(c, ESME_RINVESMCLASS, seq, NULL);
		return;
	}
	msgid_next(s, id, &idv, &idhex);
	s->ctr.submits_ok++;
	s->last_submit_us = sim_bench_us(s);
	if (s->first_submit_us == 0)
		s->first_submit_us = s->last_submit_us;
	conn_submit_resp(c, ESME_ROK, seq, id);

	memset(&part, 0, sizeof(part));
	part.src = sm.source_addr;
	part.dst = sm.destination_addr;
	part.src_ton = sm.source_addr_ton;
	part.src_npi = sm.source_addr_npi;
	part.dst_ton = sm.dest_addr_ton;
	part.dst_npi = sm.dest_addr_npi;
	part.id = id;
	part.dc = sm.data_coding;
	part.esm_class = sm.esm_class;
	part.rd = sm.registered_delivery;
	part.payload = t.payload != NULL;
	part.units = units + udh.len;
	part.n = n - udh.len;
	part.has_ussd_op = t.has_ussd_op;
	part.ussd_op = t.ussd_op;
	part.has_session = t.has_session;
	part.session = t.session;
	if (udh.concat) {
		part.concat = udh.ref16 ? SIM_CONCAT_UDH16 : SIM_CONCAT_UDH8;
		part.ref = udh.ref;
		part.total = udh.total;
		part.seq = udh.seq;
	} else if (t.has_sar_ref && t.has_sar_total && t.has_sar_seq &&
		   t.sar_total != 0 && t.sar_seq != 0 &&
		   t.sar_seq <= t.sar_total) {
		part.concat = SIM_CONCAT_SAR;
		part.ref = t.sar_ref;
		part.total = t.sar_total;
		part.seq = t.sar_seq;
	}
	if (part.concat != SIM_CONCAT_NONE && part.total > 1)
		s->ctr.parts++;
	log_trace(TRACE_SMPP, "smpp",
	    "submit conn=%" PRIu64 " id=%s dc=%u"
	    " esm=0x%02x rd=%u octets=%zu",
	    c->id, id, sm.data_coding, sm.esm_class, sm.registered_delivery,
	    part.n);

	if ((sm.registered_delivery & 0x03) != 0) {
		struct sim_rcpt_in in;
		struct sim_buf text = {0};

		(void)sim_text_decode(
		    sim_dc_alpha(sm.data_coding), part.units, part.n, &text);
		memset(&in, 0, sizeof(in));
		in.id = id;
		in.id_value = idv;
		in.id_hex = idhex;
		in.src = part.src;
		in.src_ton = part.src_ton;
		in.src_npi = part.src_npi;
		in.dst = part.dst;
		in.dst_ton = part.dst_ton;
		in.dst_npi = part.dst_npi;
		in.rd = sm.registered_delivery;
		in.submit_time = (int64_t)time(NULL);
		in.text = text.p != NULL ? text.p : "";
		sim_receipt_schedule(s, &in);
		sim_buf_fini(&text);
	}
	sim_store_add(s->store, &part, sd_clock_mono_ms());
}

static void
conn_on_deliver_resp(struct sim_conn *c, uint32_t status, uint32_t seq)
{
	struct sim *s = c->sim;
	struct sim_dlv *d;
	size_t i;

	/* Mostly in the slot its sequence number names (see
	 * sim_smpp_deliver). */
	i = seq % (size_t)s->opts->mo_window;
	if (c->win[i].d == NULL || c->win[i].seq != seq)
		for (i = 0; i < (size_t)s->opts->mo_window; i++)
			if (c->win[i].d != NULL && c->win[i].seq == seq)
				break;
	if (i == (size_t)s->opts->mo_window) {
		/* Late (after a timeout) or never asked for. */
		log_debug("smpp", "unexpected response conn=%" PRIu64 " seq=%u",
		    c->id, seq);
		return;
	}
	d = c->win[i].d;
	c->win[i].d = NULL;
	c->n_win--;
	s->n_inflight--;
	s->ctr.deliver_sm_resp++;
	sim_status_count(s->ctr.deliver_status, status);
	if (status != ESME_ROK)
		s->ctr.deliver_resp_err++;
	sim_deliver_answered(s, d, status);
}

static void
conn_dispatch(struct sim_conn *c, const uint8_t *p, size_t len)
{
	struct sim *s = c->sim;
	uint32_t cmd = get32(p + 4), status = get32(p + 8), seq = get32(p + 12);

	log_trace(TRACE_SMPP, "smpp",
	    "rx conn=%" PRIu64 " cmd=0x%08x"
	    " status=0x%08x seq=%u len=%zu",
	    c->id, cmd, status, seq, len);
	if (seq == 0 && (cmd & 0x80000000u) == 0) {
		/* SMPP sequence numbers start at 1; 0 cannot be answered
		 * through libsmpp34, and means a broken peer. */
		conn_nack(c, ESME_RUNKNOWNERR, 0);
		return;
	}
	switch (cmd) {
	case BIND_TRANSMITTER:
	case BIND_RECEIVER:
	case BIND_TRANSCEIVER: conn_on_bind(c, p, len, cmd, seq); break;
	case SUBMIT_SM: conn_on_submit(c, p, len, seq); break;
	case DELIVER_SM_RESP: conn_on_deliver_resp(c, status, seq); break;
	case ENQUIRE_LINK:
		s->ctr.enquire_link++;
		if (s->faults.no_enquire) {
			s->ctr.enquire_ignored++;
			break;
		}
		conn_header_pdu(c, ENQUIRE_LINK_RESP, ESME_ROK, seq, true);
		break;
	case ENQUIRE_LINK_RESP: break;
	case UNBIND:
		s->ctr.unbinds++;
		conn_header_pdu(c, UNBIND_RESP, ESME_ROK, seq, true);
		log_info("smpp", "unbind conn=%" PRIu64 " bind=%s", c->id,
		    bind_name[c->bind]);
		conn_close_after(c, "unbind");
		break;
	case UNBIND_RESP:
		if (c->unbind_sent)
			conn_close_after(c, "unbind_resp");
		break;
	case GENERIC_NACK:
		s->ctr.generic_nack_rcvd++;
		/* A generic_nack answering a deliver_sm counts as its
		 * refusal. */
		conn_on_deliver_resp(
		    c, status != ESME_ROK ? status : ESME_RUNKNOWNERR, seq);
		break;
	default: conn_nack(c, ESME_RINVCMDID, seq); break;
	}
}

static void
conn_parse(struct sim_conn *c)
{
	size_t off = 0;

	while (!c->dead && !c->closing && c->rlen - off >= 4) {
		const uint8_t *p = c->rbuf + off;
		uint32_t len = get32(p);

		if (len < 16 || len > SIM_PDU_MAX) {
			uint32_t seq = c->rlen - off >= 16 ? get32(p + 12) : 0;

			c->sim->ctr.bad_pdus++;
			log_warnx("smpp",
			    "bad frame conn=%" PRIu64 " command_length=%u",
			    c->id, len);
			conn_nack(c, ESME_RINVCMDLEN, seq);
			conn_close_after(c, "bad command_length");
			break;
		}
		if (c->rlen - off < len)
			break;
		conn_dispatch(c, p, len);
		off += len;
		if (c->sim->faults.drop_every > 0 &&
		    ++c->sim->faults.pdus_in >= c->sim->faults.drop_every) {
			/* Every link, this one too: the loop stops on dead. */
			c->sim->faults.pdus_in = 0;
			c->sim->ctr.chaos_drops++;
			log_info("fault", "drop_every=%" PRIu64 " reached",
			    c->sim->faults.drop_every);
			(void)sim_smpp_drop_all(c->sim);
		}
	}
	if (c->closing || c->dead) {
		c->rlen = 0;
		return;
	}
	if (off > 0) {
		memmove(c->rbuf, c->rbuf + off, c->rlen - off);
		c->rlen -= off;
	}
}

static void
conn_read(struct sim_conn *c)
{
	ssize_t n;

	if (c->closing || c->read_paused) {
		/* Not reading: a hang-up means the peer is gone. */
		conn_kill(c, c->closing ? c->close_reason : "peer hung up");
		return;
	}
	n = recv(c->fd, c->rbuf + c->rlen, RBUF_CAP - c->rlen, 0);
	if (n > 0) {
		c->rlen += (size_t)n;
		conn_parse(c);
	} else if (n == 0) {
		conn_kill(c, "peer closed");
	} else if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR) {
		conn_kill(c, "read error");
	}
}

static void
conn_on_event(struct sd_loop *loop, int fd, unsigned ev, void *arg)
{
	struct sim_conn *c = arg;

	(void)loop;
	(void)fd;
	if (c->dead)
		return;
	if (ev & SD_LOOP_WRITE)
		conn_write(c);
	if (!c->dead && (ev & (SD_LOOP_READ | SD_LOOP_ERROR)))
		conn_read(c);
}

/* ---------------------------------------------------------------------
 * Sending deliver_sm
 */

struct sim_conn *
sim_smpp_receiver(struct sim *s)
{
	struct sim_conn *c, *best = NULL, *lowest = NULL;

	for (c = s->conns; c != NULL; c = c->next) {
		if (c->dead || c->closing || c->unbind_sent ||
		    (c->bind != BIND_RX && c->bind != BIND_TRX) ||
		    c->n_win >= (size_t)s->opts->mo_window)
			continue;
		if (c->id > s->rr && (best == NULL || c->id < best->id))
			best = c;
		if (lowest == NULL || c->id < lowest->id)
			lowest = c;
	}
	if (best == NULL)
		best = lowest;
	if (best != NULL)
		s->rr = best->id;
	return best;
}

void
sim_smpp_deliver(struct sim_conn *c, struct sim_dlv *d)
{
	struct sim *s = c->sim;
	uint8_t b[OUT_PDU_MAX];
	struct pk k = {b, 0, sizeof(b), false};
	size_t i, n;
	uint32_t seq = c->next_seq;

	c->next_seq = c->next_seq >= 0x7FFFFFFFu ? 1 : c->next_seq + 1;
	/* Packed by hand (see the top of this file), as libsmpp34 packs a
	 * deliver_sm_t: empty schedule and validity, protocol_id,
	 * priority_flag, registered_delivery, replace_if_present_flag and
	 * sm_default_msg_id 0. */
	pk_header(&k, DELIVER_SM, ESME_ROK, seq);
	pk_cstr(&k, d->service_type, sizeof(d->service_type));
	pk_u8(&k, d->src_ton);
	pk_u8(&k, d->src_npi);
	pk_cstr(&k, d->src, SIM_ADDR_MAX);
	pk_u8(&k, d->dst_ton);
	pk_u8(&k, d->dst_npi);
	pk_cstr(&k, d->dst, SIM_ADDR_MAX);
	pk_u8(&k, d->esm_class);
	pk_u8(&k, 0); /* protocol_id */
	pk_u8(&k, 0); /* priority_flag */
	pk_u8(&k, 0); /* schedule_delivery_time "" */
	pk_u8(&k, 0); /* validity_period "" */
	pk_u8(&k, 0); /* registered_delivery */
	pk_u8(&k, 0); /* replace_if_present_flag */
	pk_u8(&k, d->data_coding);
	pk_u8(&k, 0); /* sm_default_msg_id */
	pk_u8(&k, d->sm_len);
	pk_bytes(&k, d->sm, d->sm_len);
	if (d->rcpt_id[0] != '\0') {
		size_t idlen = strnlen(d->rcpt_id, SIM_MSGID_MAX - 1) + 1;

		pk_u16(&k, TLVID_receipted_message_id);
		pk_u16(&k, (uint16_t)idlen);
		pk_bytes(&k, d->rcpt_id, idlen - 1);
		pk_u8(&k, 0);
		pk_u16(&k, TLVID_message_state);
		pk_u16(&k, 1);
		pk_u8(&k, d->msg_state);
	}
	if (d->has_ussd_op) {
		pk_u16(&k, TLVID_ussd_service_op);
		pk_u16(&k, 1);
		pk_u8(&k, d->ussd_op);
	}
	if (d->has_session) {
		pk_u16(&k, TLVID_its_session_info);
		pk_u16(&k, 2);
		pk_u16(&k, d->session);
	}
	n = pk_done(&k);
	if (n == 0) {
		/* Cannot happen with the sizes checked at injection; drop
		 * rather than loop on it. */
		log_warnx("smpp", "deliver_sm too long conn=%" PRIu64, c->id);
		sim_deliver_answered(s, d, ESME_RX_P_APPN);
		return;
	}
	conn_out(c, b, n, false);
	/* The slot seq names, or the first free one (c had room). */
	i = seq % (size_t)s->opts->mo_window;
	if (c->win[i].d != NULL)
		for (i = 0; i < (size_t)s->opts->mo_window; i++)
			if (c->win[i].d == NULL)
				break;
	c->win[i].seq = seq;
	c->win[i].sent_ms = sd_clock_mono_ms();
	c->win[i].d = d;
	c->n_win++;
	s->n_inflight++;
	d->attempts++;
	sim_deliver_sent(s, d);
}

/* ---------------------------------------------------------------------
 * Loop hooks and control
 */

void
sim_smpp_flush(struct sim *s)
{
	struct sim_conn *c, *next;

	for (c = s->conns; c != NULL; c = next) {
		next = c->next;
		if (!c->dead && c->wlen > c->woff)
			conn_write(c);
		if (!c->dead && c->closing && c->wlen == c->woff &&
		    c->dq_head == NULL)
			conn_kill(c, c->close_reason);
		if (c->dead)
			conn_free(c);
	}
}

void
sim_smpp_tick(struct sim *s, int64_t now)
{
	struct sim_conn *c;
	size_t i;

	for (c = s->conns; c != NULL; c = c->next) {
		if (c->dead)
			continue;
		if (c->closing && now - c->closing_since > CLOSE_GRACE_MS) {
			conn_kill(c, "output not taken");
			continue;
		}
		if (c->unbind_sent && now - c->closing_since > UNBIND_WAIT_MS) {
			conn_kill(c, "no unbind_resp");
			continue;
		}
		if (c->n_win == 0)
			continue;
		for (i = 0; i < (size_t)s->opts->mo_window; i++) {
			if (c->win[i].d == NULL ||
			    now - c->win[i].sent_ms < SIM_DELIVER_TIMEOUT_MS)
				continue;
			s->ctr.deliver_timeouts++;
			log_info("smpp",
			    "deliver_sm timeout conn=%" PRIu64 " seq=%u", c->id,
			    c->win[i].seq);
			sim_deliver_requeue(s, c->win[i].d);
			c->win[i].d = NULL;
			c->n_win--;
			s->n_inflight--;
		}
	}
}

size_t
sim_smpp_drop_all(struct sim *s)
{
	struct sim_conn *c;
	size_t n = 0;

	for (c = s->conns; c != NULL; c = c->next) {
		if (c->dead)
			continue;
		conn_kill(c, "fault drop");
		n++;
	}
	return n;
}

void
sim_smpp_shutdown(struct sim *s)
{
	struct sim_conn *c;
	int64_t now = sd_clock_mono_ms();

	if (s->smpp_fd >= 0) {
		sd_loop_fd_del(s->loop, s->smpp_fd);
		close(s->smpp_fd);
		s->smpp_fd = -1;
	}
	for (c = s->conns; c != NULL; c = c->next) {
		if (c->dead)
			continue;
		if (c->bind == BIND_NONE || c->closing) {
			conn_kill(c, "shutdown");
			continue;
		}
		conn_header_pdu(c, UNBIND, ESME_ROK, c->next_seq, false);
		c->next_seq++;
		c->unbind_sent = true;
		c->closing_since = now;
	}
}

void
sim_smpp_fini(struct sim *s)
{
	struct sim_conn *c;

	for (c = s->conns; c != NULL; c = c->next)
		conn_kill(c, "exit");
	while (s->conns != NULL)
		conn_free(s->conns);
	if (s->smpp_fd >= 0) {
		close(s->smpp_fd);
		s->smpp_fd = -1;
	}
}

void
sim_smpp_sessions(
    const struct sim *s, size_t *open, size_t *tx, size_t *rx, size_t *trx)
{
	const struct sim_conn *c;

	*open = *tx = *rx = *trx = 0;
	for (c = s->conns; c != NULL; c = c->next) {
		if (c->dead)
			continue;
		(*open)++;
		if (c->bind == BIND_TX)
			(*tx)++;
		else if (c->bind == BIND_RX)
			(*rx)++;
		else if (c->bind == BIND_TRX)
			(*trx)++;
	}
}
