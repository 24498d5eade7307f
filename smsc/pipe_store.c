/*
 * smsc/pipe_store.c: the pipeline's store thread, the one writer of the
 * gw's work (see pipe.c for the whole flow).
 *
 * Each turn takes a batch from the gw under mu (MOs and held parts, the
 * state changes of sent messages, how many rows the gw would take),
 * decides whether to claim due outbox rows, runs it all in one
 * transaction (group commit, synchronous=FULL) and publishes the
 * results to the gw: MOs may be acknowledged only now; a failed batch
 * refuses its MOs (the SMSC resends) and queues its ops again.
 *
 * The domain's handler runs for each MO in a savepoint of that
 * transaction (pipe_handle_one), for fresh MOs and for those a previous
 * run stored but did not handle alike: a temporary error fails the
 * batch, any other leaves the MO handled with no answer.
 *
 * Owns the pipeline's database connection once started; the gw thread
 * uses it only before (smsc_pipe_new) and after (smsc_pipe_free).
 */
#include "smsc/pipe_int.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "core/base/clock.h"
#include "core/base/log.h"
#include "smsc/smsc_int.h"

/* ---- One batch in one transaction ---------------------------------------- */

/* Backoff after the n-th attempt: retry_s doubling, capped. */
static int64_t
retry_after(const struct smsc_pipe_config *cfg, int attempts)
{
	int64_t d = cfg->retry_s;
	int i;

	for (i = 1; i < attempts && d < cfg->retry_max_s; i++)
		d *= 2;
	return d < cfg->retry_max_s ? d : cfg->retry_max_s;
}

/* The decimal and hexadecimal readings of an SMSC id, for receipts that
 * write it the other way. */
static size_t
id_forms(const char *id, char forms[3][SMSC_ID_LEN])
{
	size_t n = 0, len = strlen(id), i;
	bool dec = len > 0 && len <= 18, hex = len > 0 && len <= 15;
	unsigned long long v;

	snprintf(forms[n++], SMSC_ID_LEN, "%s", id);
	for (i = 0; i < len; i++) {
		if (id[i] < '0' || id[i] > '9')
			dec = false;
		if (!((id[i] >= '0' && id[i] <= '9') ||
			(id[i] >= 'a' && id[i] <= 'f') ||
			(id[i] >= 'A' && id[i] <= 'F')))
			hex = false;
	}
	if (dec) {
		v = strtoull(id, NULL, 10);
		snprintf(forms[n++], SMSC_ID_LEN, "%llx", v);
	}
	if (hex) {
		v = strtoull(id, NULL, 16);
		snprintf(forms[n++], SMSC_ID_LEN, "%llu", v);
	}
	return n;
}

static enum sd_rc
store_op(struct smsc_pipe *p, struct job_op *op, int64_t now)
{
	char forms[3][SMSC_ID_LEN], why[64];
	const char *fp[3];
	int64_t id = 0;
	enum sd_rc rc = SD_OK;
	size_t n, i;

	switch (op->type) {
	case OP_ACCEPTED:
		if (op->part > 1 && op->msgid[0] == '\0' && !op->final)
			break; /* counted only: its id is not needed */
		rc = db_outbox_accepted(p->db, op->id, op->part, op->parts,
		    op->msgid, op->route, op->receipt, op->final);
		break;
	case OP_FAILED: {
		struct db_outbox_row r;
		bool final = true;
		int attempts = 1;

		if (db_outbox_get(p->db, op->id, &r, NULL) == SD_OK) {
			attempts = r.attempts;
			db_outbox_row_fini(&r);
		}
		rc = db_outbox_failed(p->db, op->id, op->temporary, op->reason,
		    now, (int)p->cfg->max_attempts,
		    retry_after(p->cfg, attempts), &final);
		if (rc == SD_ENOTFOUND)
			rc = SD_OK;
		break;
	}
	case OP_EXPIRED:
		rc = db_outbox_expire(p->db, op->id, op->reason);
		break;
	case OP_HTTP_TOKEN: {
		bool set = false;

		rc = db_outbox_http_token(p->db, op->id, op->tok, &set);
		op->ok = set; /* the gw sends it only then */
		break;
	}
	case OP_RECEIPT:
		n = id_forms(op->msgid, forms);
		for (i = 0; i < n; i++)
			fp[i] = forms[i];
		why[0] = '\0';
		if (op->error != 0)
			snprintf(why, sizeof(why), "receipt err:%d", op->error);
		rc = db_outbox_receipt(p->db, fp, n, op->state, why, &id);
		if (rc == SD_OK && id == 0)
			log_debug("queue",
			    "receipt for an unknown message "
			    "id=%s",
			    op->msgid);
		break;
	}
	return rc;
}

/*
 * The domain's handler on one MO, in a savepoint of the caller's open
 * transaction, for a fresh MO (store_mo) and one a previous run stored
 * (smsc_pipe_handle_stored) alike. *reply gets the answer's outbox row.
 * A temporary error (sd_rc_is_temp) is returned with the savepoint
 * rolled back: the caller fails its batch and the MO is handled again
 * later. Any other error means this MO cannot be handled: whatever the
 * handler wrote is rolled back, it is logged, and SD_OK returns with
 * *reply 0 (handled, answered by nothing), so one bad message does not
 * hold up the others.
 */
static enum sd_rc
pipe_handle_one(struct smsc_pipe *p, const struct smsc_pipe_mo *in,
    int64_t *reply, char reason[DB_INBOX_REASON_LEN])
{
	char why[SD_ERRLEN], masked[32];
	enum sd_rc rc;

	*reply = 0;
	reason[0] = '\0';
	if (p->hooks.handle_mo == NULL)
		return SD_OK;
	rc = db_begin(p->db);
	if (rc != SD_OK)
		return rc;
	rc = p->hooks.handle_mo(p->hooks.arg, p->db, in, reply, reason);
	if (rc == SD_OK)
		rc = db_commit(p->db);
	if (rc == SD_OK)
		return SD_OK;
	/* The message before the rollback replaces it. */
	snprintf(why, sizeof(why), "%s", db_errmsg(p->db));
	/* A failed db_commit leaves its level open (db.h). */
	db_rollback(p->db);
	*reply = 0;
	if (sd_rc_is_temp(rc))
		return rc;
	log_warnx("queue", "mo not handled from=%s rc=%s error=\"%s\"",
	    log_mask_mobile(in->from, masked, sizeof(masked)), sd_rc_str(rc),
	    why);
	snprintf(reason, DB_INBOX_REASON_LEN, "not processed: %s",
	    sd_rc_str(rc));
	return SD_OK;
}

/*
 * A repeat of d's MO (same number and text within the window, a command
 * that changes something): stored as a row pointing at the first copy,
 * not applied again, and the first copy's answer queued once more, each
 * time, so the phone always gets an answer (idempotency keys, issue #11).
 */
static enum sd_rc
store_repeat(struct smsc_pipe *p, struct job_mo *mo, enum db_inbox_kind kind,
    const struct db_inbox_dup *d)
{
	struct db_outbox_row r;
	struct db_outbox_new nw;
	int64_t id = 0, reply = 0;
	enum sd_rc rc;

	rc = db_inbox_add_dup(p->db, mo->from, mo->to, mo->text, kind, d->id,
	    &id);
	if (rc != SD_OK)
		return rc;
	if (d->reply_id == 0)
		return db_inbox_set_reason(p->db, id,
		    "repeat: not applied again; first copy had no answer");
	rc = db_outbox_get(p->db, d->reply_id, &r, NULL);
	if (rc == SD_ENOTFOUND)
		return db_inbox_set_reason(p->db, id,
		    "repeat: not applied again; answer gone");
	if (rc != SD_OK)
		return rc;
	memset(&nw, 0, sizeof(nw));
	nw.kind = r.kind;
	nw.priority = r.priority;
	nw.destination = r.destination;
	nw.body = r.body;
	nw.tracking = r.tracking;
	nw.receipt = r.receipt;
	nw.ussd_session = r.ussd_session;
	nw.ussd_end = r.ussd_end;
	rc = db_outbox_add(p->db, &nw, &reply);
	db_outbox_row_fini(&r);
	if (rc == SD_OK)
		rc = db_inbox_resent(p->db, d->id);
	if (rc == SD_OK)
		rc = db_inbox_handled(p->db, id, reply);
	if (rc == SD_OK)
		rc = db_inbox_set_reason(p->db, id,
		    "repeat: not applied again; answer sent again");
	return rc;
}

/* One MO: repeat check, inbox row, the domain's handler. */
static enum sd_rc
store_mo(struct smsc_pipe *p, struct job_mo *mo, int64_t now, bool *dup)
{
	struct db_inbox_dup d;
	struct smsc_pipe_mo in;
	int64_t id = 0, reply = 0;
	enum db_inbox_kind kind = mo->ussd ? DB_INBOX_USSD : DB_INBOX_SMS;
	enum sd_rc rc;
	char sess[16], why[DB_INBOX_REASON_LEN];

	*dup = false;
	if (mo->is_part)
		return db_inbox_part_add(p->db, &mo->part);
	if (mo->concat) {
		/* Whole (or given up): its held parts are no longer needed,
		 * in the same transaction as the message itself. */
		rc = db_inbox_parts_drop(p->db, mo->from, mo->to,
		    mo->concat_ref, mo->concat_total);
		if (rc != SD_OK)
			return rc;
	}
	/* Only a command that changes something is a repeat: one that
	 * reads is answered from the current data every time. */
	if (p->cfg->dedupe_window_s > 0 && !mo->ussd &&
	    (p->hooks.mo_changes == NULL ||
		p->hooks.mo_changes(p->hooks.arg, mo->text))) {
		rc = db_inbox_find_dup(p->db, mo->from, mo->text,
		    now - p->cfg->dedupe_window_s, &d);
		if (rc == SD_OK) {
			*dup = true;
			return store_repeat(p, mo, kind, &d);
		}
		if (rc != SD_ENOTFOUND)
			return rc;
	}
	snprintf(sess, sizeof(sess), "%d", mo->session);
	memset(&in, 0, sizeof(in));
	in.from = mo->from;
	in.to = mo->to;
	in.text = mo->text;
	in.ussd = mo->ussd;
	in.ussd_begin = mo->ussd_begin;
	in.ussd_session = mo->session;
	rc = pipe_handle_one(p, &in, &reply, why);
	if (rc != SD_OK)
		return rc;
	/* Stored and handled in the same transaction: one row. */
	rc = db_inbox_add_handled(p->db, mo->from, mo->to, mo->text, kind,
	    mo->session >= 0 ? sess : NULL, reply, &id);
	if (rc == SD_OK && why[0] != '\0')
		rc = db_inbox_set_reason(p->db, id, why);
	return rc;
}

/* One batch in one transaction. */
static enum sd_rc
store_batch(struct smsc_pipe *p, vec_mo *mos, vec_op *ops, long want,
    unsigned mask, vec_row *rows, long *confirmed, uint64_t *dups)
{
	int64_t now = sd_clock_now();
	size_t i, n = 0, expired = 0;
	enum sd_rc rc;
	bool dup;

	*confirmed = 0;
	*dups = 0;
	rc = db_begin(p->db);
	if (rc != SD_OK)
		return rc;
	for (i = 0; i < ops->n && rc == SD_OK; i++) {
		rc = store_op(p, &ops->v[i], now);
		if (ops->v[i].final)
			(*confirmed)++;
	}
	for (i = 0; i < mos->n && rc == SD_OK; i++) {
		rc = store_mo(p, &mos->v[i], now, &dup);
		if (dup)
			(*dups)++;
	}
	if (rc == SD_OK && want > 0) {
		if (rows->cap < (size_t)want) {
			rows->cap = (size_t)want;
			rows->v = xrealloc(rows->v,
			    rows->cap * sizeof(*rows->v));
		}
		rc = db_outbox_claim(p->db, now, mask, (size_t)want, rows->v,
		    &n, &expired);
		rows->n = rc == SD_OK ? n : 0;
		if (expired > 0)
			log_info("queue", "expired before sending n=%zu",
			    expired);
	}
	if (rc == SD_OK)
		rc = db_commit(p->db);
	if (rc != SD_OK) {
		log_warnx("queue",
		    "batch not stored, retrying rc=%s "
		    "error=\"%s\"",
		    sd_rc_str(rc), db_errmsg(p->db));
		db_rollback(p->db);
		for (i = 0; i < rows->n; i++)
			db_outbox_row_fini(&rows->v[i]);
		rows->n = 0;
	}
	return rc;
}

/* ---- The thread's turn: take a batch, decide, store, publish ------------ */

/* One turn's work, taken from the gw under mu, and its results. */
struct batch {
	vec_mo mos;
	vec_op ops;
	vec_row rows;   /* claimed rows */
	long want;      /* rows the gw would take */
	unsigned mask;  /* of these kinds */
	bool kick;      /* claim now (new rows, link up) */
	bool quit;      /* stopping and nothing left for later turns */
	long confirmed; /* final ops in the batch */
	uint64_t dups;  /* MOs recognized as redeliveries */
};

/* What the store thread keeps from one turn to the next. */
struct store_memo {
	int64_t last_version; /* PRAGMA data_version at the last claim */
	int64_t last_claim;   /* mono ms */
	int64_t last_stored;  /* mono ms of the last try of stored MOs */
	bool own_rows;        /* the last claim may have left rows behind */
};

/* Wait (at most [queue] poll_ms) for work, then take a batch; the rest
 * waits for the next turn. */
static void
store_take(struct smsc_pipe *p, struct batch *b)
{
	size_t i, take;

	pthread_mutex_lock(&p->mu);
	while (!p->quit && p->in_mo.n == 0 && p->in_op.n == 0 && !p->kick) {
		struct timespec ts;

		clock_gettime(CLOCK_REALTIME, &ts);
		ts.tv_nsec += p->cfg->poll_ms * 1000000L;
		ts.tv_sec += ts.tv_nsec / 1000000000L;
		ts.tv_nsec %= 1000000000L;
		if (pthread_cond_timedwait(&p->cv, &p->mu, &ts) == ETIMEDOUT)
			break;
	}
	take = p->in_mo.n < (size_t)p->cfg->batch_max ?
	    p->in_mo.n :
	    (size_t)p->cfg->batch_max;
	b->mos.n = 0;
	for (i = 0; i < take; i++)
		VEC_PUSH(b->mos, p->in_mo.v[i]);
	if (take > 0) /* v may still be NULL: memmove wants a pointer */
		memmove(p->in_mo.v, p->in_mo.v + take,
		    (p->in_mo.n - take) * sizeof(*p->in_mo.v));
	p->in_mo.n -= take;
	take = p->in_op.n < (size_t)p->cfg->batch_max * 4 ?
	    p->in_op.n :
	    (size_t)p->cfg->batch_max * 4;
	b->ops.n = 0;
	for (i = 0; i < take; i++)
		VEC_PUSH(b->ops, p->in_op.v[i]);
	if (take > 0)
		memmove(p->in_op.v, p->in_op.v + take,
		    (p->in_op.n - take) * sizeof(*p->in_op.v));
	p->in_op.n -= take;
	b->want = p->want - p->requested;
	b->mask = p->want_mask;
	b->kick = p->kick;
	p->kick = false;
	b->quit = p->quit && p->in_mo.n == 0 && p->in_op.n == 0;
	pthread_mutex_unlock(&p->mu);
	b->rows.n = 0;
	b->confirmed = 0;
	b->dups = 0;
}

/* Stored MOs a temporary error left at start-up: again each second
 * until they are handled. */
static void
store_retry_stored(struct smsc_pipe *p, struct store_memo *st, int64_t now)
{
	char err[SD_ERRLEN];
	enum sd_rc rc;

	if (now - st->last_stored < 1000)
		return;
	st->last_stored = now;
	rc = smsc_pipe_handle_stored(p, err);
	if (rc == SD_OK) {
		p->stored_pending = false;
		st->own_rows = true; /* their answers */
	} else if (!sd_rc_is_temp(rc)) {
		p->stored_pending = false;
		log_warnx("queue", "stored MOs not handled %s", err);
	}
}

/* Whether this turn claims outbox rows: when something may have become
 * due (our own inserts, another connection's commit, a retry's time). */
static bool
store_decide(struct smsc_pipe *p, struct store_memo *st, const struct batch *b,
    int64_t now)
{
	bool claim = false;
	int64_t v = 0;

	if (b->want <= 0 || b->quit)
		return false;
	if (db_data_version(p->db, &v) == SD_OK && v != st->last_version) {
		st->last_version = v;
		claim = true;
	}
	if (b->kick || st->own_rows || b->mos.n > 0 ||
	    now - st->last_claim >= 1000)
		claim = true;
	return claim;
}

/* Hand the batch's results to the gw (or, if it failed, its ops back to
 * the queue and its MOs refused, so the SMSC sends them again), and wake
 * the gw. */
static void
store_publish(struct smsc_pipe *p, struct batch *b, enum sd_rc rc)
{
	size_t i;

	pthread_mutex_lock(&p->mu);
	p->m.batches++;
	if (rc != SD_OK) {
		p->m.batch_failures++;
		/* Ops go again (their rows are still known); MOs are
		 * refused so the SMSC sends them again. */
		for (i = 0; i < b->ops.n; i++)
			VEC_PUSH(p->in_op, b->ops.v[i]);
		for (i = 0; i < b->mos.n; i++) {
			b->mos.v[i].ok = false;
			VEC_PUSH(p->out_mo, b->mos.v[i]);
		}
	} else {
		for (i = 0; i < b->mos.n; i++) {
			b->mos.v[i].ok = true;
			VEC_PUSH(p->out_mo, b->mos.v[i]);
		}
		for (i = 0; i < b->ops.n; i++) {
			if (b->ops.v[i].type == OP_HTTP_TOKEN) {
				VEC_PUSH(p->out_op, b->ops.v[i]);
				continue;
			}
			if (b->ops.v[i].type != OP_RECEIPT)
				continue;
			b->ops.v[i].ok = true;
			VEC_PUSH(p->out_op, b->ops.v[i]);
		}
		for (i = 0; i < b->rows.n; i++)
			VEC_PUSH(p->out_rows, b->rows.v[i]);
		p->requested += (long)b->rows.n;
		p->out_confirmed += b->confirmed;
		p->m.mo_dup += b->dups;
	}
	pthread_mutex_unlock(&p->mu);
	if (b->mos.n > 0 || b->rows.n > 0 || b->confirmed > 0 || b->ops.n > 0) {
		uint64_t one = 1;

		if (write(p->evfd, &one, sizeof(one)) < 0 && errno != EAGAIN)
			log_warn("queue", "eventfd write");
	}
}

void *
pipe_store_main(void *arg)
{
	struct smsc_pipe *p = arg;
	struct store_memo st = {-1, 0, 0, false};
	struct batch b;
	enum sd_rc rc;
	int64_t now;
	bool claim;

	memset(&b, 0, sizeof(b));
	for (;;) {
		store_take(p, &b);
		now = sd_clock_mono_ms();
		if (p->stored_pending && !b.quit)
			store_retry_stored(p, &st, now);
		claim = store_decide(p, &st, &b, now);
		if (b.mos.n == 0 && b.ops.n == 0 && !claim) {
			if (b.quit)
				break;
			continue;
		}
		rc = store_batch(p, &b.mos, &b.ops, claim ? b.want : 0, b.mask,
		    &b.rows, &b.confirmed, &b.dups);
		if (claim && rc == SD_OK) {
			st.last_claim = now;
			/* A full claim may have left more behind. */
			st.own_rows = b.rows.n == (size_t)b.want;
		}
		store_publish(p, &b, rc);
		if (rc != SD_OK) {
			/* The database refused: do not spin on it. */
			struct timespec ts = {0, 100 * 1000000L};

			nanosleep(&ts, NULL);
		}
	}
	free(b.mos.v);
	free(b.ops.v);
	free(b.rows.v);
	return NULL;
}

/* ---- Stored MOs -----------------------------------------------------------
 */

enum sd_rc
smsc_pipe_handle_stored(struct smsc_pipe *p, char err[SD_ERRLEN])
{
	struct db_inbox_row *rows;
	size_t n, i, total = 0;
	enum sd_rc rc;

	/* MOs a previous run stored but did not handle (it died between
	 * the two). A batch in one transaction; a temporary error rolls it
	 * back whole, to be handled again later. */
	for (;;) {
		rc = db_inbox_unhandled(p->db, 256, &rows, &n);
		if (rc != SD_OK)
			snprintf(err, SD_ERRLEN, "rc=%s error=\"inbox: %s\"",
			    sd_rc_str(rc), db_errmsg(p->db));
		if (rc != SD_OK || n == 0)
			break;
		rc = db_begin(p->db);
		for (i = 0; i < n && rc == SD_OK; i++) {
			struct smsc_pipe_mo in;
			char why[DB_INBOX_REASON_LEN];
			int64_t reply = 0;

			memset(&in, 0, sizeof(in));
			in.from = rows[i].source;
			in.to = rows[i].destination;
			in.text = rows[i].body;
			in.ussd = rows[i].kind == DB_INBOX_USSD;
			/* No op stored: a dial is known by its shape. */
			in.ussd_begin = in.ussd &&
			    smsc_ussd_is_dial(in.text, strlen(in.text));
			in.ussd_session = rows[i].ussd_session;
			rc = pipe_handle_one(p, &in, &reply, why);
			if (rc == SD_OK)
				rc = db_inbox_handled(p->db, rows[i].id, reply);
			if (rc == SD_OK && why[0] != '\0')
				rc = db_inbox_set_reason(p->db, rows[i].id,
				    why);
		}
		if (rc == SD_OK)
			rc = db_commit(p->db);
		if (rc != SD_OK) {
			snprintf(err, SD_ERRLEN, "rc=%s error=\"inbox: %s\"",
			    sd_rc_str(rc), db_errmsg(p->db));
			db_rollback(p->db);
		} else {
			total += n;
		}
		db_inbox_rows_free(rows, n);
		if (rc != SD_OK)
			break;
	}
	if (rc != SD_OK)
		return rc;
	if (total > 0)
		log_info("queue", "handled MOs a previous run had stored n=%zu",
		    total);
	return SD_OK;
}
