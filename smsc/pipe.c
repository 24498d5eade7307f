/*
 * smsc/pipe.c: the store-and-forward pipeline between the transports
 * (SMPP, HTTP) and the database.
 *
 * Two threads. The gw thread runs the event loop with the ESME and the
 * HTTP transport; the store thread owns a database connection and does
 * every write in batches (group commit):
 *
 *   MO in:   ESME inbound hook -> copy, answer DEFER -> store thread:
 *            inbox row, duplicate check, the domain's handler (which
 *            queues the reply in the outbox), all in the batch's
 *            transaction -> COMMIT -> gw: deliver_sm_resp OK (or
 *            ESME_RX_T_APPN when the batch failed, so the SMSC resends).
 *   MT out:  the store thread claims due outbox rows (most urgent first,
 *            marking them submitted) -> gw: a priority queue in memory ->
 *            ESME (or HTTP) as the window allows -> accepted / failed /
 *            receipt events -> store thread -> the row's new state.
 *
 * HTTP with a receipt: the row's receipt secret and route are committed
 * (OP_HTTP_TOKEN) before the request leaves, so a receipt that races the
 * provider's answer finds them; until then the row waits in http_wait.
 *
 * Nothing is acknowledged before it is committed. Messages handed to a
 * transport whose outcome is not yet committed ("unconfirmed") are kept
 * at most [smpp] window, so a kill -9 makes at most a window of
 * duplicates: rows still submitted at start are sent again
 * (at-least-once).
 *
 * This file is the dispatcher on the gw thread (the transports' hooks,
 * the ready heap, the in-flight table, pump) and the life cycle; the
 * store thread is pipe_store.c, the counters and /metrics
 * pipe_metrics.c, their shared types pipe_int.h, the [queue] keys
 * config.c.
 */
#include "smsc/pipe_int.h"

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include "core/base/clock.h"
#include "core/base/log.h"
#include "core/base/loop.h"
#include "core/base/xmalloc.h"
#include "smsc/smsc_int.h"

static void
job_mo_fini(struct job_mo *j)
{
	free(j->text);
	free(j->part.sm);
}

/* ---- Helpers ------------------------------------------------------------ */

static bool
row_before(const struct db_outbox_row *a, const struct db_outbox_row *b)
{
	if (a->priority != b->priority)
		return a->priority < b->priority;
	return a->id < b->id;
}

static void
heap_push(vec_row *h, struct db_outbox_row r)
{
	size_t i;

	VEC_PUSH(*h, r);
	i = h->n - 1;
	while (i > 0) {
		size_t up = (i - 1) / 2;
		struct db_outbox_row t;

		if (!row_before(&h->v[i], &h->v[up]))
			break;
		t = h->v[i];
		h->v[i] = h->v[up];
		h->v[up] = t;
		i = up;
	}
}

static struct db_outbox_row
heap_pop(vec_row *h)
{
	struct db_outbox_row top = h->v[0];
	size_t i = 0;

	h->v[0] = h->v[--h->n];
	for (;;) {
		size_t l = 2 * i + 1, r = l + 1, m = i;
		struct db_outbox_row t;

		if (l < h->n && row_before(&h->v[l], &h->v[m]))
			m = l;
		if (r < h->n && row_before(&h->v[r], &h->v[m]))
			m = r;
		if (m == i)
			break;
		t = h->v[i];
		h->v[i] = h->v[m];
		h->v[m] = t;
		i = m;
	}
	return top;
}

/* In-flight table: open addressing on the row id, linear probing. */
static struct flight *
fl_find(struct smsc_pipe *p, int64_t id)
{
	size_t i = (size_t)id & (p->fl_cap - 1), k;

	for (k = 0; k < p->fl_cap; k++, i = (i + 1) & (p->fl_cap - 1)) {
		if (p->fl[i].id == id)
			return &p->fl[i];
		if (p->fl[i].id == 0)
			return NULL;
	}
	return NULL;
}

static void fl_remove(struct smsc_pipe *p, struct flight *f);

static void
fl_add(struct smsc_pipe *p, const struct db_outbox_row *r,
    enum core_out_route route, bool receipt)
{
	size_t i;

	if (fl_find(p, r->id) != NULL)
		return;
	i = (size_t)r->id & (p->fl_cap - 1);
	while (p->fl[i].id != 0)
		i = (i + 1) & (p->fl_cap - 1);
	p->fl[i].id = r->id;
	p->fl[i].parts_done = 0;
	p->fl[i].since_ms = r->created_ms;
	p->fl[i].kind = (int)r->kind;
	p->fl[i].route = route;
	p->fl[i].receipt = receipt;
}

/* Delete keeping probe chains intact (backward shift). */
static void
fl_remove(struct smsc_pipe *p, struct flight *f)
{
	size_t mask = p->fl_cap - 1, i = (size_t)(f - p->fl), j = i;

	p->fl[i].id = 0;
	for (;;) {
		size_t home;

		j = (j + 1) & mask;
		if (p->fl[j].id == 0)
			return;
		home = (size_t)p->fl[j].id & mask;
		/* Move j back to i when i lies on j's probe path. */
		if ((j > i && (home <= i || home > j)) ||
		    (j < i && (home <= i && home > j))) {
			p->fl[i] = p->fl[j];
			p->fl[j].id = 0;
			i = j;
		}
	}
}

static void
push_op(struct smsc_pipe *p, const struct job_op *op)
{
	pthread_mutex_lock(&p->mu);
	VEC_PUSH(p->in_op, *op);
	pthread_mutex_unlock(&p->mu);
}

/* ---- The gw side -----------------------------------------------------------
 */

static void pump(struct smsc_pipe *p);
static enum sd_rc restore_parts(struct smsc_pipe *p, char err[SD_ERRLEN]);

/* How many rows the gw wants and of which kinds; wakes the store thread
 * when that grew. */
static void
update_want(struct smsc_pipe *p)
{
	long target = 0, have;
	unsigned mask = 0;

	if (p->stopping) {
		target = 0;
	} else if (p->link_up) {
		target = p->window * 2 + 16;
		mask = ~0u;
	} else if (p->http != NULL && p->link_down_since != 0 &&
	    sd_clock_mono_ms() - p->link_down_since >=
		p->httpcfg->fallback_after_s * 1000) {
		target = 16;
		mask = p->fallback_mask;
	}
	have = (long)p->ready.n;
	pthread_mutex_lock(&p->mu);
	if (!p->m.http_active && mask == p->fallback_mask && target > 0) {
		log_info("queue",
		    "smpp down for %lld s: kinds %s go over "
		    "http",
		    (long long)p->httpcfg->fallback_after_s,
		    p->httpcfg->fallback_kinds);
		p->m.http_active = true;
	} else if (p->m.http_active && p->link_up) {
		log_info("queue", "smpp is back: traffic returns to it");
		p->m.http_active = false;
	}
	p->want = target - have > 0 ? target - have : 0;
	if (p->want > 0 && p->want_mask != mask)
		p->kick = true;
	p->want_mask = mask;
	if (p->want > 0 && p->requested == 0)
		pthread_cond_signal(&p->cv);
	pthread_mutex_unlock(&p->mu);
}

static void
on_accepted(void *arg, uint64_t id, unsigned part, unsigned parts,
    const char *msgid)
{
	struct smsc_pipe *p = arg;
	struct flight *f = fl_find(p, (int64_t)id);
	struct job_op op;
	bool keep;

	/* Part 1 makes the row accepted; the other parts' ids matter only
	 * to match receipts. */
	keep = part <= 1 || f == NULL || f->receipt;
	memset(&op, 0, sizeof(op));
	op.type = OP_ACCEPTED;
	op.id = (int64_t)id;
	op.part = (int)part;
	op.parts = (int)parts;
	op.route = f != NULL ? f->route : CORE_OUT_ROUTE_SMPP;
	op.receipt = f == NULL || f->receipt;
	snprintf(op.msgid, sizeof(op.msgid), "%s", msgid != NULL ? msgid : "");
	if (f != NULL && ++f->parts_done >= (int)parts) {
		op.final = true;
		pipe_metrics_latency(p, f->since_ms);
		pthread_mutex_lock(&p->mu);
		p->m.accepted[op.route]++;
		pthread_mutex_unlock(&p->mu);
		fl_remove(p, f);
	}
	if (!keep)
		op.msgid[0] = '\0';
	if (keep || op.final)
		push_op(p, &op);
}

static void
on_failed(void *arg, uint64_t id, bool temporary, const char *reason)
{
	struct smsc_pipe *p = arg;
	struct flight *f = fl_find(p, (int64_t)id);
	struct job_op op;

	memset(&op, 0, sizeof(op));
	op.type = OP_FAILED;
	op.id = (int64_t)id;
	op.temporary = temporary;
	op.final = f != NULL;
	snprintf(op.reason, sizeof(op.reason), "%s", reason);
	pipe_metrics_error(p, reason);
	log_info("queue", "send failed id=%llu temporary=%d reason=\"%s\"",
	    (unsigned long long)id, temporary, reason);
	if (f != NULL)
		fl_remove(p, f);
	push_op(p, &op);
}

static enum smsc_verdict
on_receipt(void *arg, const struct smsc_receipt *r)
{
	struct smsc_pipe *p = arg;
	struct job_op op;
	/* Counted by what it says; not final ("accepted"): other. */
	int st = r->out == CORE_OUT_ACCEPTED ? CORE_OUT_STATE_COUNT :
					       (int)r->out;

	memset(&op, 0, sizeof(op));
	op.type = OP_RECEIPT;
	op.state = r->out;
	op.error = r->error;
	op.token = r->token;
	snprintf(op.msgid, sizeof(op.msgid), "%s", r->msgid);
	pthread_mutex_lock(&p->mu);
	p->m.receipts[st]++;
	VEC_PUSH(p->in_op, op);
	pthread_mutex_unlock(&p->mu);
	return SMSC_DEFER;
}

static enum smsc_verdict
on_inbound(void *arg, const struct smsc_mo *mo)
{
	struct smsc_pipe *p = arg;
	struct job_mo j;

	if (p->stopping)
		return SMSC_RETRY;
	memset(&j, 0, sizeof(j));
	j.token = mo->token;
	snprintf(j.from, sizeof(j.from), "%s", mo->from);
	snprintf(j.to, sizeof(j.to), "%s", mo->to);
	j.text = xmalloc(mo->text_len + 1);
	memcpy(j.text, mo->text, mo->text_len);
	j.text[mo->text_len] = '\0';
	j.ussd = mo->ussd;
	j.ussd_begin = mo->ussd_begin;
	j.session = mo->ussd ? mo->ussd_key : -1;
	j.concat = mo->concat;
	j.concat_ref = mo->concat_ref;
	j.concat_total = mo->concat_total;
	pthread_mutex_lock(&p->mu);
	p->m.mo++;
	VEC_PUSH(p->in_mo, j);
	pthread_mutex_unlock(&p->mu);
	return SMSC_DEFER;
}

/* A part held for the rest of its message: stored like an MO (the same
 * batch, the same acknowledgement after the commit). */
static enum smsc_verdict
on_part(void *arg, const struct smsc_mo_part *mp)
{
	struct smsc_pipe *p = arg;
	struct job_mo j;

	if (p->stopping)
		return SMSC_RETRY;
	memset(&j, 0, sizeof(j));
	j.token = mp->token;
	j.is_part = true;
	snprintf(j.from, sizeof(j.from), "%s", mp->from);
	snprintf(j.to, sizeof(j.to), "%s", mp->to);
	snprintf(j.part.source, sizeof(j.part.source), "%s", mp->from);
	snprintf(j.part.destination, sizeof(j.part.destination), "%s", mp->to);
	j.part.ref = mp->ref;
	j.part.total = mp->total;
	j.part.esm_class = mp->esm_class;
	j.part.data_coding = mp->data_coding;
	j.part.len = mp->len;
	j.part.sm = xmalloc(mp->len > 0 ? mp->len : 1);
	if (mp->len > 0)
		memcpy(j.part.sm, mp->sm, mp->len);
	j.part.sar = mp->has_sar;
	j.part.sar_ref = mp->sar_ref;
	j.part.sar_total = mp->sar_total;
	j.part.sar_seq = mp->sar_seq;
	j.part.received = sd_clock_now();
	pthread_mutex_lock(&p->mu);
	VEC_PUSH(p->in_mo, j);
	pthread_mutex_unlock(&p->mu);
	return SMSC_DEFER;
}

static void
on_link(void *arg, bool up)
{
	struct smsc_pipe *p = arg;

	p->link_up = up;
	p->link_down_since = up ? 0 : sd_clock_mono_ms();
	pthread_mutex_lock(&p->mu);
	p->m.link_up = up;
	p->kick = up;
	pthread_mutex_unlock(&p->mu);
	log_info("queue", "smsc link=%s", up ? "up" : "down");
	update_want(p);
	pump(p);
}

/* Hand due rows to a transport while the window allows. */
static void
pump(struct smsc_pipe *p)
{
	char err[SD_ERRLEN];
	int64_t now = sd_clock_now();

	while (p->ready.n > 0 && p->unconfirmed < p->window && !p->stopping) {
		struct db_outbox_row *r = &p->ready.v[0];
		struct smsc_submit m;
		bool http;
		enum sd_rc rc;

		if (r->expires != 0 && r->expires <= now) {
			struct db_outbox_row x = heap_pop(&p->ready);
			struct job_op op;

			memset(&op, 0, sizeof(op));
			op.type = OP_EXPIRED;
			op.id = x.id;
			snprintf(op.reason, sizeof(op.reason),
			    "expired before it could be sent");
			push_op(p, &op);
			db_outbox_row_fini(&x);
			continue;
		}
		http = !p->link_up && p->m.http_active &&
		    (p->fallback_mask & (1u << r->kind)) != 0;
		if (!http && (p->esme == NULL || !smsc_esme_ready(p->esme)))
			break;
		memset(&m, 0, sizeof(m));
		m.local_id = (uint64_t)r->id;
		m.dest = r->destination;
		m.text = r->body;
		m.receipt = (p->receipt_mask & (1u << r->kind)) != 0;
		m.validity_s = r->expires != 0 ? (long)(r->expires - now) : 0;
		m.priority_flag = r->kind == CORE_OUT_OTP ? 1 : 0;
		if (r->kind == CORE_OUT_USSD) {
			/* [ussd] op_continue or op_end and the session TLVs
			 * are the SMPP client's (smsc/ussd.c). */
			m.ussd = true;
			m.ussd_end = r->ussd_end;
			m.ussd_session = r->ussd_session;
		}
		if (http && m.receipt) {
			struct smsc_http_stats hs;
			struct job_op op;
			struct db_outbox_row x;

			/* Its secret and route are committed first; the
			 * request goes in on_results(). */
			smsc_http_stats(p->http, &hs);
			if ((long)(hs.in_flight + p->http_wait.n) >=
			    p->httpcfg->queue_max)
				break;
			x = heap_pop(&p->ready);
			memset(&op, 0, sizeof(op));
			op.type = OP_HTTP_TOKEN;
			op.id = x.id;
			smsc_http_token_new(op.tok);
			push_op(p, &op);
			fl_add(p, &x, CORE_OUT_ROUTE_HTTP, true);
			p->unconfirmed++;
			VEC_PUSH(p->http_wait, x);
			continue;
		}
		rc = http ? smsc_http_submit(p->http, &m, err) :
			    smsc_esme_submit(p->esme, &m, err);
		if (rc == SD_EBUSY)
			break;
		{
			struct db_outbox_row x = heap_pop(&p->ready);

			if (rc != SD_OK) {
				struct job_op op;

				memset(&op, 0, sizeof(op));
				op.type = OP_FAILED;
				op.id = x.id;
				op.temporary = false;
				snprintf(op.reason, sizeof(op.reason), "%s",
				    err);
				log_warnx("queue",
				    "cannot send id=%lld "
				    "reason=\"%s\"",
				    (long long)x.id, err);
				push_op(p, &op);
			} else {
				fl_add(p, &x,
				    http ? CORE_OUT_ROUTE_HTTP :
					   CORE_OUT_ROUTE_SMPP,
				    m.receipt);
				p->unconfirmed++;
				pthread_mutex_lock(&p->mu);
				p->m.submits[http ? CORE_OUT_ROUTE_HTTP :
						    CORE_OUT_ROUTE_SMPP]++;
				pthread_mutex_unlock(&p->mu);
			}
			db_outbox_row_fini(&x);
		}
	}
	update_want(p);
}

/* A row whose receipt secret the store thread committed (op->ok) or
 * could not record: send it over HTTP now, or let it go. */
static void
http_send_waiting(struct smsc_pipe *p, const struct job_op *op)
{
	struct db_outbox_row x;
	struct smsc_submit m;
	struct flight *f;
	char err[SD_ERRLEN];
	int64_t now = sd_clock_now();
	enum sd_rc rc = SD_EINTERNAL;
	size_t i;

	for (i = 0; i < p->http_wait.n; i++)
		if (p->http_wait.v[i].id == op->id)
			break;
	if (i == p->http_wait.n)
		return;
	x = p->http_wait.v[i];
	p->http_wait.v[i] = p->http_wait.v[--p->http_wait.n];
	if (op->ok && !p->stopping) {
		memset(&m, 0, sizeof(m));
		m.local_id = (uint64_t)x.id;
		m.dest = x.destination;
		m.text = x.body;
		m.receipt = true;
		m.receipt_token = op->tok;
		m.validity_s = x.expires != 0 ? (long)(x.expires - now) : 0;
		m.priority_flag = x.kind == CORE_OUT_OTP ? 1 : 0;
		rc = smsc_http_submit(p->http, &m, err);
	}
	if (rc == SD_OK) {
		pthread_mutex_lock(&p->mu);
		p->m.submits[CORE_OUT_ROUTE_HTTP]++;
		pthread_mutex_unlock(&p->mu);
		db_outbox_row_fini(&x);
		return;
	}
	/* Not handed over: out of the window again. */
	f = fl_find(p, x.id);
	if (f != NULL)
		fl_remove(p, f);
	if (p->unconfirmed > 0)
		p->unconfirmed--;
	if (rc == SD_EBUSY) {
		heap_push(&p->ready, x); /* a new secret next time */
		return;
	}
	if (op->ok && !p->stopping) {
		struct job_op fo;

		memset(&fo, 0, sizeof(fo));
		fo.type = OP_FAILED;
		fo.id = x.id;
		snprintf(fo.reason, sizeof(fo.reason), "%s", err);
		log_warnx("queue", "cannot send id=%lld reason=\"%s\"",
		    (long long)x.id, err);
		push_op(p, &fo);
	} else if (!op->ok) {
		log_warnx("queue",
		    "not sent over http: no longer submitted "
		    "id=%lld",
		    (long long)x.id);
	}
	/* Stopping: it stays submitted and goes at the next start. */
	db_outbox_row_fini(&x);
}

/* Results of a batch: answer the SMSC, queue the claimed rows. */
static void
on_results(struct sd_loop *loop, int fd, unsigned ev, void *arg)
{
	struct smsc_pipe *p = arg;
	vec_mo mos;
	vec_op ops;
	vec_row rows;
	long confirmed;
	uint64_t cnt;
	size_t i;

	(void)loop;
	(void)ev;
	if (read(fd, &cnt, sizeof(cnt)) < 0 && errno != EAGAIN)
		log_warn("queue", "eventfd read");
	pthread_mutex_lock(&p->mu);
	mos = p->out_mo;
	ops = p->out_op;
	rows = p->out_rows;
	memset(&p->out_mo, 0, sizeof(p->out_mo));
	memset(&p->out_op, 0, sizeof(p->out_op));
	memset(&p->out_rows, 0, sizeof(p->out_rows));
	confirmed = p->out_confirmed;
	p->out_confirmed = 0;
	p->requested -= (long)rows.n;
	pthread_mutex_unlock(&p->mu);

	for (i = 0; i < mos.n; i++) {
		if (p->esme != NULL)
			smsc_esme_mo_done(p->esme, mos.v[i].token, mos.v[i].ok);
		if (!mos.v[i].ok) {
			pthread_mutex_lock(&p->mu);
			p->m.mo_failed++;
			pthread_mutex_unlock(&p->mu);
		}
		job_mo_fini(&mos.v[i]);
	}
	for (i = 0; i < ops.n; i++) {
		if (ops.v[i].type == OP_HTTP_TOKEN)
			http_send_waiting(p, &ops.v[i]);
		else if (p->esme != NULL && ops.v[i].token != 0)
			smsc_esme_mo_done(p->esme, ops.v[i].token, ops.v[i].ok);
	}
	for (i = 0; i < rows.n; i++)
		heap_push(&p->ready, rows.v[i]);
	p->unconfirmed -= confirmed;
	if (p->unconfirmed < 0)
		p->unconfirmed = 0;
	free(mos.v);
	free(ops.v);
	free(rows.v);
	pump(p);
}

/* Before the loop sleeps: wake the store thread for what the hooks
 * queued in this turn, and send what can go. */
static void
before_sleep(struct sd_loop *loop, void *arg)
{
	struct smsc_pipe *p = arg;

	(void)loop;
	pthread_mutex_lock(&p->mu);
	if (p->in_mo.n > 0 || p->in_op.n > 0)
		pthread_cond_signal(&p->cv);
	pthread_mutex_unlock(&p->mu);
}

/* A slow tick: the rate cap refills, the fallback clock runs, the SMPP
 * counters are published for /metrics (at most 250 ms old). */
static void
on_tick(struct sd_loop *loop, uint64_t id, void *arg)
{
	struct smsc_pipe *p = arg;

	(void)id;
	pipe_metrics_publish_esme(p);
	pump(p);
	p->pump_timer = sd_loop_timer_add(loop, p->ready.n > 0 ? 20 : 250,
	    on_tick, p);
}

/* ---- Life cycle ------------------------------------------------------------
 */

enum sd_rc
smsc_pipe_new(const struct smsc_pipe_config *cfg, const struct db_config *dbcfg,
    const struct smsc_config *smpp, const struct smsc_http_config *httpcfg,
    struct sd_loop *loop, const struct smsc_pipe_hooks *hooks,
    struct smsc_pipe **out, char err[SD_ERRLEN])
{
	struct smsc_pipe *p;
	int64_t requeued = 0;
	enum sd_rc rc;

	*out = NULL;
	p = xcalloc(1, sizeof(*p));
	p->cfg = cfg;
	p->smpp = smpp;
	p->httpcfg = httpcfg;
	p->dbcfg = dbcfg;
	p->loop = loop;
	p->hooks = *hooks;
	p->evfd = -1;
	p->window = smpp->window;
	p->link_down_since = sd_clock_mono_ms();
	/* Both lists passed their check at load: an error cannot be. */
	if (smsc_kinds_parse(cfg->receipt_kinds, &p->receipt_mask, NULL) !=
	    SD_OK)
		p->receipt_mask = 0;
	if (smsc_kinds_parse(httpcfg->fallback_kinds, &p->fallback_mask,
		NULL) != SD_OK)
		p->fallback_mask = 0;
	for (p->fl_cap = 64; p->fl_cap < (size_t)p->window * 4;)
		p->fl_cap *= 2;
	p->fl = xcalloc(p->fl_cap, sizeof(*p->fl));
	pthread_mutex_init(&p->mu, NULL);
	pthread_cond_init(&p->cv, NULL);
	rc = db_open(dbcfg, &p->db, err);
	if (rc != SD_OK)
		goto fail;
	/* What a crash left in flight goes again. */
	rc = db_outbox_requeue_submitted(p->db, &requeued);
	if (rc != SD_OK) {
		snprintf(err, SD_ERRLEN, "outbox: %s", db_errmsg(p->db));
		goto fail;
	}
	if (requeued > 0)
		log_info("queue",
		    "requeued rows a previous run left submitted "
		    "n=%lld",
		    (long long)requeued);
	rc = smsc_pipe_handle_stored(p, err);
	if (rc != SD_OK && !sd_rc_is_temp(rc))
		goto fail;
	if (rc != SD_OK) {
		/* The store thread tries again (pipe_store_main). */
		log_warnx("queue", "stored MOs not handled yet, retrying %s",
		    err);
		p->stored_pending = true;
	}
	p->evfd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	if (p->evfd < 0) {
		snprintf(err, SD_ERRLEN, "eventfd: %s", strerror(errno));
		rc = SD_EIO;
		goto fail;
	}
	rc = sd_loop_fd_add(loop, p->evfd, SD_LOOP_READ, on_results, p);
	if (rc != SD_OK) {
		snprintf(err, SD_ERRLEN, "cannot watch the eventfd");
		goto fail;
	}
	p->th.arg = p;
	p->th.link = on_link;
	p->th.accepted = on_accepted;
	p->th.failed = on_failed;
	p->th.receipt = on_receipt;
	p->th.inbound = on_inbound;
	p->th.part = on_part;
	if (httpcfg->url[0] != '\0') {
		rc = smsc_http_new(httpcfg, loop, &p->th, &p->http, err);
		if (rc != SD_OK)
			goto fail;
	}
	if (smpp->enabled) {
		rc = smsc_esme_new(smpp, loop, &p->th, &p->esme, err);
		if (rc != SD_OK)
			goto fail;
		rc = restore_parts(p, err);
		if (rc != SD_OK)
			goto fail;
	}
	if (pthread_create(&p->thr, NULL, pipe_store_main, p) != 0) {
		snprintf(err, SD_ERRLEN, "cannot start the store thread");
		rc = SD_EINTERNAL;
		goto fail;
	}
	p->thr_started = true;
	sd_loop_before_sleep(loop, before_sleep, p);
	p->pump_timer = sd_loop_timer_add(loop, 250, on_tick, p);
	*out = p;
	return SD_OK;
fail:
	smsc_pipe_free(p);
	return rc;
}

/* Parts of long MOs a previous run acknowledged and stored wait for the
 * rest again (the reassembly timeout counts from when they came). */
static enum sd_rc
restore_parts(struct smsc_pipe *p, char err[SD_ERRLEN])
{
	struct db_inbox_part *v;
	size_t n, i, bad = 0;
	int64_t now = sd_clock_now();
	enum sd_rc rc;

	rc = db_inbox_parts(p->db, &v, &n);
	if (rc != SD_OK) {
		snprintf(err, SD_ERRLEN, "inbox parts: %s", db_errmsg(p->db));
		return rc;
	}
	for (i = 0; i < n; i++) {
		struct smsc_mo_part mp;
		char why[SD_ERRLEN], masked[32];

		memset(&mp, 0, sizeof(mp));
		snprintf(mp.from, sizeof(mp.from), "%s", v[i].source);
		snprintf(mp.to, sizeof(mp.to), "%s", v[i].destination);
		mp.ref = (uint16_t)v[i].ref;
		mp.total = (uint8_t)v[i].total;
		mp.esm_class = (uint8_t)v[i].esm_class;
		mp.data_coding = (uint8_t)v[i].data_coding;
		mp.sm = v[i].sm;
		mp.len = v[i].len;
		mp.has_sar = v[i].sar;
		mp.sar_ref = (uint16_t)v[i].sar_ref;
		mp.sar_total = (uint8_t)v[i].sar_total;
		mp.sar_seq = (uint8_t)v[i].sar_seq;
		if (smsc_esme_restore_part(p->esme, &mp, now - v[i].received,
			why) != SD_OK) {
			bad++;
			log_warnx("queue",
			    "stored part unreadable from=%s "
			    "error=\"%s\"",
			    log_mask_mobile(v[i].source, masked,
				sizeof(masked)),
			    why);
		}
	}
	if (n > 0)
		log_info("queue",
		    "parts of long messages waiting again n=%zu "
		    "unreadable=%zu",
		    n, bad);
	db_inbox_parts_free(v, n);
	return SD_OK;
}

static void
pipe_esme_stopped(void *arg)
{
	struct smsc_pipe *p = arg;

	if (p->stop_done != NULL)
		p->stop_done(p->stop_arg);
}

void
smsc_pipe_stop(struct smsc_pipe *p, void (*done)(void *arg), void *arg)
{
	p->stopping = true;
	p->stop_done = done;
	p->stop_arg = arg;
	update_want(p);
	if (p->esme != NULL)
		smsc_esme_stop(p->esme, pipe_esme_stopped, p);
	else if (done != NULL)
		done(arg);
}

bool
smsc_pipe_link_up(const struct smsc_pipe *p)
{
	return p->link_up;
}

void
smsc_pipe_free(struct smsc_pipe *p)
{
	size_t i;

	if (p == NULL)
		return;
	if (p->thr_started) {
		/* The store thread commits what it has, then ends. */
		pthread_mutex_lock(&p->mu);
		p->quit = true;
		p->want = 0;
		pthread_cond_signal(&p->cv);
		pthread_mutex_unlock(&p->mu);
		pthread_join(p->thr, NULL);
	}
	if (p->pump_timer != 0)
		sd_loop_timer_cancel(p->loop, p->pump_timer);
	smsc_esme_free(p->esme);
	smsc_http_free(p->http);
	if (p->evfd >= 0) {
		sd_loop_fd_del(p->loop, p->evfd);
		close(p->evfd);
	}
	sd_loop_before_sleep(p->loop, NULL, NULL);
	for (i = 0; i < p->in_mo.n; i++)
		job_mo_fini(&p->in_mo.v[i]);
	for (i = 0; i < p->out_mo.n; i++)
		job_mo_fini(&p->out_mo.v[i]);
	free(p->in_mo.v);
	free(p->out_mo.v);
	free(p->in_op.v);
	free(p->out_op.v);
	db_outbox_rows_free(p->out_rows.v, p->out_rows.n);
	db_outbox_rows_free(p->ready.v, p->ready.n);
	db_outbox_rows_free(p->http_wait.v, p->http_wait.n);
	free(p->fl);
	db_close(p->db);
	pthread_cond_destroy(&p->cv);
	pthread_mutex_destroy(&p->mu);
	free(p);
}
