/*
 * tests/sim/sim_deliver.c: what the SMSC sends on its own: delivery
 * receipts, injected MOs and USSD steps.
 *
 * Queues (all FIFO, in the loop thread):
 *   pending  receipts waiting for --dlr-delay-ms; every receipt waits the
 *            same delay, so the queue stays sorted by due time
 *   retry    deliveries the ESME refused with a temporary error, each
 *            waiting SIM_RETRY_MS, and MO parts sent late (gap_ms);
 *            kept sorted by due time
 *   ready    deliveries due now, given to receivers by sim_deliver_pump()
 *            before every sleep, as long as a receiver's window has room
 * One loop timer fires for the earliest head of pending and retry.
 *
 * An MO job (POST /mo with count=K) makes its copies one at a time, and
 * only when ready is empty and a receiver has room, so a load test of a
 * million MOs costs one job. A delivery whose session goes away goes back
 * to the front of ready (the SMSC redelivers what was not acknowledged);
 * after SIM_DELIVER_ATTEMPTS it is dropped.
 *
 * Receipt format (SMPP 3.4 Appendix B), data_coding 0, esm_class 0x04:
 *   id:ID sub:001 dlvrd:001 submit date:YYMMDDhhmm done date:YYMMDDhhmm
 *   stat:DELIVRD err:000 text:<first 20 characters>
 * with receipted_message_id and message_state TLVs; an undeliverable
 * message gets dlvrd:000 stat:UNDELIV err:001 and message_state 5. Dates
 * are UTC.
 */
#include "tests/sim/sim.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/base/clock.h"
#include "core/base/log.h"
#include "core/base/xmalloc.h"

/* SMPP values used here (libsmpp34's header stays in sim_smpp.c). */
#define ESM_RECEIPT 0x04
#define ESM_UDHI 0x40
#define STATE_DELIVERED 2
#define STATE_UNDELIVERABLE 5
#define DC_GSM7 0x00
#define DC_UCS2 0x08
#define ST_OK 0x00000000u
#define ST_INVSRCADR 0x0000000Au
#define ST_INVDSTADR 0x0000000Bu
#define ST_X_P_APPN 0x00000065u
#define ST_X_R_APPN 0x00000066u

/* Units a USSD step holds (one short_message). */
#define USSD_GSM7_MAX 160
#define USSD_UCS2_MAX 140

static void
q_push(struct sim_q *q, struct sim_dlv *d)
{
	d->next = NULL;
	if (q->tail != NULL)
		q->tail->next = d;
	else
		q->head = d;
	q->tail = d;
	q->n++;
}

static void
q_push_front(struct sim_q *q, struct sim_dlv *d)
{
	d->next = q->head;
	q->head = d;
	if (q->tail == NULL)
		q->tail = d;
	q->n++;
}

/* Insert d by its due time, after those due no later. */
static void
q_insert_due(struct sim_q *q, struct sim_dlv *d)
{
	struct sim_dlv **pp = &q->head;

	while (*pp != NULL && (*pp)->due <= d->due)
		pp = &(*pp)->next;
	d->next = *pp;
	*pp = d;
	if (d->next == NULL)
		q->tail = d;
	q->n++;
}

static struct sim_dlv *
q_pop(struct sim_q *q)
{
	struct sim_dlv *d = q->head;

	if (d == NULL)
		return NULL;
	q->head = d->next;
	if (q->head == NULL)
		q->tail = NULL;
	q->n--;
	d->next = NULL;
	return d;
}

static void
dlv_free(struct sim *s, struct sim_dlv *d)
{
	if (d->kind == SIM_DLV_RECEIPT)
		s->n_receipts--;
	free(d);
}

static void dlv_arm(struct sim *s);

static void
dlv_on_timer(struct sd_loop *loop, uint64_t id, void *arg)
{
	struct sim *s = arg;
	int64_t now = sd_clock_mono_ms();

	(void)loop;
	(void)id;
	s->dlv_timer = 0;
	while (s->pending.head != NULL && s->pending.head->due <= now)
		q_push(&s->ready, q_pop(&s->pending));
	while (s->retry.head != NULL && s->retry.head->due <= now)
		q_push(&s->ready, q_pop(&s->retry));
	dlv_arm(s);
}

/* Make sure a timer fires for the earliest of pending and retry. */
static void
dlv_arm(struct sim *s)
{
	int64_t due = INT64_MAX, now;

	if (s->pending.head != NULL)
		due = s->pending.head->due;
	if (s->retry.head != NULL && s->retry.head->due < due)
		due = s->retry.head->due;
	if (due == INT64_MAX)
		return;
	if (s->dlv_timer != 0) {
		if (s->dlv_timer_due <= due)
			return;
		sd_loop_timer_cancel(s->loop, s->dlv_timer);
	}
	now = sd_clock_mono_ms();
	s->dlv_timer = sd_loop_timer_add(
	    s->loop, due > now ? due - now : 0, dlv_on_timer, s);
	s->dlv_timer_due = due;
}

/* SMPP TON/NPI for an address, and the address without a '+'. */
static void
addr_set(const char *a, char out[SIM_ADDR_MAX], uint8_t *ton, uint8_t *npi)
{
	size_t i, n;
	bool digits = true;

	if (a[0] == '+') {
		snprintf(out, SIM_ADDR_MAX, "%s", a + 1);
		*ton = 1;
		*npi = 1;
		return;
	}
	snprintf(out, SIM_ADDR_MAX, "%s", a);
	n = strlen(out);
	for (i = 0; i < n; i++)
		if (out[i] < '0' || out[i] > '9')
			digits = false;
	if (!digits) {
		*ton = 5; /* alphanumeric */
		*npi = 0;
	} else if (n >= 10) {
		*ton = out[0] == '0' ? 2 : 1; /* national : international */
		*npi = 1;
	} else {
		*ton = 0; /* a short code */
		*npi = 1;
	}
}

/* Addresses given over HTTP: 1..20 printable ASCII characters. */
static bool
addr_ok(const char *a)
{
	size_t n = strlen(a), i;

	if (n == 0 || n >= SIM_ADDR_MAX || (a[0] == '+' && n == 1))
		return false;
	for (i = 0; i < n; i++)
		if (a[i] <= 0x20 || a[i] >= 0x7F)
			return false;
	return true;
}

/* ---------------------------------------------------------------------
 * Receipts
 */

static bool
undeliverable(struct sim *s, const char *dst)
{
	size_t i;

	for (i = 0; i < s->opts->n_undeliv; i++)
		if (sim_phone_match(dst, s->opts->undeliv[i]))
			return true;
	if (s->opts->undeliv_share <= 0)
		return false;
	/* Deterministic share: 10 makes every 10th message undeliverable. */
	s->undeliv_acc += s->opts->undeliv_share;
	if (s->undeliv_acc >= 100.0) {
		s->undeliv_acc -= 100.0;
		return true;
	}
	return false;
}

static void
fmt_date(int64_t t, char out[16])
{
	time_t tt = (time_t)t;
	struct tm tm;

	gmtime_r(&tt, &tm);
	snprintf(out, 16, "%02d%02d%02d%02d%02d", tm.tm_year % 100,
	    tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min);
}

void
sim_receipt_schedule(struct sim *s, const struct sim_rcpt_in *in)
{
	struct sim_dlv *d;
	char head[200], sub[16], done[16], idbuf[SIM_MSGID_MAX];
	const char *id = in->id;
	bool undeliv = undeliverable(s, in->dst);
	unsigned rd = in->rd & 0x03;
	int n;

	if (rd == 2 && !undeliv)
		return; /* receipt on failure only */
	if (s->n_receipts >= (size_t)s->opts->max_receipts) {
		if (s->ctr.receipts_dropped++ == 0)
			log_warnx("deliver",
			    "receipt dropped: too many waiting"
			    " max=%ld",
			    s->opts->max_receipts);
		return;
	}
	if (s->opts->dlr_id_dec && in->id_hex) {
		snprintf(idbuf, sizeof(idbuf), "%" PRIu64, in->id_value);
		id = idbuf;
	}
	d = xcalloc(1, sizeof(*d));
	d->kind = SIM_DLV_RECEIPT;
	d->due = sd_clock_mono_ms() + s->opts->dlr_delay_ms;
	/* The receipt comes from the phone to the short code. */
	snprintf(d->src, sizeof(d->src), "%s", in->dst);
	d->src_ton = in->dst_ton;
	d->src_npi = in->dst_npi;
	snprintf(d->dst, sizeof(d->dst), "%s", in->src);
	d->dst_ton = in->src_ton;
	d->dst_npi = in->src_npi;
	d->esm_class = ESM_RECEIPT;
	d->data_coding = DC_GSM7;
	fmt_date(in->submit_time, sub);
	fmt_date(in->submit_time + s->opts->dlr_delay_ms / 1000, done);
	n = snprintf(head, sizeof(head),
	    "id:%s sub:001 dlvrd:%s submit date:%s done date:%s stat:%s"
	    " err:%s text:",
	    id, undeliv ? "000" : "001", sub, done,
	    undeliv ? "UNDELIV" : "DELIVRD", undeliv ? "001" : "000");
	if (n < 0 || (size_t)n >= sizeof(d->sm))
		n = 0;
	memcpy(d->sm, head, (size_t)n);
	d->sm_len =
	    (uint8_t)((size_t)n + sim_gsm7_lenient(in->text, 20, d->sm + n,
				      sizeof(d->sm) - 1 - (size_t)n));
	snprintf(d->rcpt_id, sizeof(d->rcpt_id), "%s", id);
	d->msg_state = undeliv ? STATE_UNDELIVERABLE : STATE_DELIVERED;
	if (undeliv)
		s->ctr.receipts_undeliv++;
	else
		s->ctr.receipts_delivrd++;
	s->n_receipts++;
	q_push(&s->pending, d);
	dlv_arm(s);
}

/* ---------------------------------------------------------------------
 * MOs and USSD
 */

static void
sent_log(struct sim *s, const char *from, const char *to, const char *text,
    bool ussd)
{
	struct sim_sent *e = &s->sent[s->sent_next % SIM_SENT_MAX];
	uint64_t first;

	free(e->text);
	sim_store_range(s->store, &first, &e->mark);
	e->time = (int64_t)time(NULL);
	snprintf(e->from, sizeof(e->from), "%s", from);
	snprintf(e->to, sizeof(e->to), "%s", to);
	e->text = xstrdup(text);
	e->ussd = ussd;
	s->sent_next++;
}

/* The text of copy i (1..count) of job j: numbered when count > 1
 * (unless unnumbered). */
static void
mo_copy_text(const char *text, uint64_t i, uint64_t count, bool unnumbered,
    struct sim_buf *out)
{
	sim_buf_adds(out, text);
	if (count > 1 && !unnumbered)
		sim_buf_addf(out, " #%" PRIu64, i);
}

/* Add v to the run of decimal digits that ends at s[end - 1], keeping
 * its width (the sum wraps within it). */
static void
digits_add(char *s, size_t end, uint64_t v)
{
	unsigned carry = 0;
	size_t p;

	for (p = end; p > 0 && (v > 0 || carry > 0); p--) {
		unsigned d;

		if (s[p - 1] < '0' || s[p - 1] > '9')
			break;
		d = (unsigned)(s[p - 1] - '0') + (unsigned)(v % 10) + carry;
		v /= 10;
		carry = d / 10;
		s[p - 1] = (char)('0' + d % 10);
	}
}

/* Copy i (1..) of a job spread over k numbers is the (i - 1) mod k-th:
 * it comes from from + that, and with text_spread the number that ends
 * its text (before any " #i") goes up by as much. */
static uint64_t
mo_copy_k(uint64_t i, uint64_t k)
{
	return k > 1 ? (i - 1) % k : 0;
}

/* True if a is digits, after an optional '+'. */
static bool
addr_digits(const char *a)
{
	if (*a == '+')
		a++;
	if (*a == '\0')
		return false;
	for (; *a != '\0'; a++)
		if (*a < '0' || *a > '9')
			return false;
	return true;
}

/* Encode and split one copy; false with err set when impossible. */
static bool
mo_encode(const char *text, enum sim_alpha a, unsigned want, uint8_t *units,
    size_t cap, size_t *n, size_t *ends, unsigned *nparts, char err[SD_ERRLEN])
{
	enum sd_rc rc = sim_text_encode(a, text, strlen(text), units, cap, n);

	if (rc == SD_EINVAL) {
		snprintf(err, SD_ERRLEN, "text has characters %s cannot carry",
		    sim_alpha_name(a));
		return false;
	}
	if (rc != SD_OK) {
		snprintf(err, SD_ERRLEN, "text too long");
		return false;
	}
	return sim_text_split(a, units, *n, want, ends, nparts, err) == SD_OK;
}

/* Units of the longest MO text: SIM_MO_TEXT_MAX UTF-8 bytes and a copy
 * number take at most two units' octets per byte. */
#define MO_UNITS_MAX (2 * (SIM_MO_TEXT_MAX + 32))

enum sd_rc
sim_mo_inject(struct sim *s, const struct sim_mo_in *in, uint64_t *job_id,
    unsigned *nparts, char err[SD_ERRLEN])
{
	uint8_t units[MO_UNITS_MAX];
	size_t ends[SIM_PARTS_MAX], n, tlen = strlen(in->text);
	struct sim_buf t = {0};
	struct sim_mo_job *j;
	enum sim_alpha a;
	unsigned np = 0, np_last = 0;
	bool ok;

	if (!addr_ok(in->from) || !addr_ok(in->to)) {
		snprintf(err, SD_ERRLEN,
		    "from and to must be 1..%d printable"
		    " ASCII characters",
		    SIM_ADDR_MAX - 1);
		return SD_EINVAL;
	}
	if (tlen > SIM_MO_TEXT_MAX || !sim_utf8_valid(in->text, tlen)) {
		snprintf(err, SD_ERRLEN,
		    "text must be UTF-8 of at most %d"
		    " bytes",
		    SIM_MO_TEXT_MAX);
		return SD_EINVAL;
	}
	if (in->count < 1 || in->count > SIM_MO_COUNT_MAX) {
		snprintf(
		    err, SD_ERRLEN, "count must be 1..%u", SIM_MO_COUNT_MAX);
		return SD_EINVAL;
	}
	if (in->spread > 1 && !addr_digits(in->from)) {
		snprintf(err, SD_ERRLEN, "spread needs a from of digits");
		return SD_EINVAL;
	}
	if (in->parts > SIM_PARTS_MAX) {
		snprintf(err, SD_ERRLEN, "parts must be 1..%d", SIM_PARTS_MAX);
		return SD_EINVAL;
	}
	if (in->coding == NULL || strcmp(in->coding, "auto") == 0 ||
	    in->coding[0] == '\0') {
		a = sim_text_encode(SIM_ALPHA_GSM7, in->text, tlen, units,
			sizeof(units), &n) == SD_OK
			? SIM_ALPHA_GSM7
			: SIM_ALPHA_UCS2;
	} else if (strcmp(in->coding, "gsm7") == 0) {
		a = SIM_ALPHA_GSM7;
	} else if (strcmp(in->coding, "ucs2") == 0) {
		a = SIM_ALPHA_UCS2;
	} else {
		snprintf(err, SD_ERRLEN, "coding must be gsm7, ucs2 or auto");
		return SD_EINVAL;
	}
	/* The first and the last copy bound every copy's length. */
	mo_copy_text(in->text, 1, in->count, in->unnumbered, &t);
	ok = mo_encode(
	    t.p, a, in->parts, units, sizeof(units), &n, ends, &np, err);
	sim_buf_fini(&t);
	if (ok && in->count > 1) {
		mo_copy_text(
		    in->text, in->count, in->count, in->unnumbered, &t);
		ok = mo_encode(t.p, a, in->parts, units, sizeof(units), &n,
		    ends, &np_last, err);
		sim_buf_fini(&t);
	}
	if (!ok)
		return SD_EINVAL;
	if (s->n_jobs >= SIM_MO_JOBS_MAX) {
		snprintf(err, SD_ERRLEN, "%d MO jobs already waiting",
		    SIM_MO_JOBS_MAX);
		return SD_ETOOBIG;
	}
	j = xcalloc(1, sizeof(*j));
	j->id = ++s->next_job_id;
	snprintf(j->from, sizeof(j->from), "%s", in->from);
	snprintf(j->to, sizeof(j->to), "%s", in->to);
	j->text = xstrdup(in->text);
	j->alpha = a;
	j->parts = in->parts;
	j->count = in->count;
	j->unnumbered = in->unnumbered;
	j->spread = in->spread;
	j->text_spread = in->text_spread;
	j->gap_ms = in->gap_ms;
	if (s->jobs_tail != NULL)
		s->jobs_tail->next = j;
	else
		s->jobs_head = j;
	s->jobs_tail = j;
	s->n_jobs++;
	*job_id = j->id;
	*nparts = np;
	if (in->count > 1) {
		mo_copy_text(in->text, 1, 1, false, &t);
		sim_buf_addf(&t, " (%" PRIu64 " copies)", in->count);
		sent_log(s, in->from, in->to, t.p, false);
		sim_buf_fini(&t);
	} else {
		sent_log(s, in->from, in->to, in->text, false);
	}
	log_info("deliver",
	    "mo queued job=%" PRIu64 " count=%" PRIu64 " parts=%u coding=%s",
	    j->id, j->count, np, sim_alpha_name(a));
	return SD_OK;
}

static void
job_pop(struct sim *s)
{
	struct sim_mo_job *j = s->jobs_head;

	s->jobs_head = j->next;
	if (s->jobs_head == NULL)
		s->jobs_tail = NULL;
	s->n_jobs--;
	free(j->text);
	free(j);
}

/* Make the next copy of the oldest job into ready. False if no job. */
static bool
mo_make_copy(struct sim *s)
{
	uint8_t units[MO_UNITS_MAX];
	size_t ends[SIM_PARTS_MAX], n = 0, off = 0;
	struct sim_mo_job *j = s->jobs_head;
	struct sim_buf t = {0};
	char err[SD_ERRLEN], from[SIM_ADDR_MAX];
	unsigned np = 0, k;
	uint8_t ref;
	bool late = false;

	if (j == NULL)
		return false;
	j->made++;
	snprintf(from, sizeof(from), "%s", j->from);
	digits_add(from, strlen(from), mo_copy_k(j->made, j->spread));
	sim_buf_adds(&t, j->text);
	if (j->text_spread && t.len > 0)
		digits_add(t.p, t.len, mo_copy_k(j->made, j->spread));
	if (j->count > 1 && !j->unnumbered)
		sim_buf_addf(&t, " #%" PRIu64, j->made);
	if (!mo_encode(t.p, j->alpha, j->parts, units, sizeof(units), &n, ends,
		&np, err)) {
		/* Checked at injection; cannot happen. */
		log_warnx("deliver",
		    "mo job dropped job=%" PRIu64 " reason=\"%s\"", j->id, err);
		sim_buf_fini(&t);
		job_pop(s);
		return true;
	}
	ref = ++s->mo_ref;
	for (k = 0; k < np; k++) {
		struct sim_dlv *d = xcalloc(1, sizeof(*d));
		size_t len = ends[k] - off, h = 0;

		d->kind = SIM_DLV_MO;
		d->due = 0;
		addr_set(from, d->src, &d->src_ton, &d->src_npi);
		addr_set(j->to, d->dst, &d->dst_ton, &d->dst_npi);
		d->data_coding = j->alpha == SIM_ALPHA_UCS2 ? DC_UCS2 : DC_GSM7;
		if (np > 1) {
			d->esm_class = ESM_UDHI;
			d->sm[0] = 5;    /* UDHL */
			d->sm[1] = 0x00; /* concatenation, 8-bit reference */
			d->sm[2] = 3;
			d->sm[3] = ref;
			d->sm[4] = (uint8_t)np;
			d->sm[5] = (uint8_t)(k + 1);
			h = 6;
		}
		memcpy(d->sm + h, units + off, len);
		d->sm_len = (uint8_t)(h + len);
		off = ends[k];
		if (k > 0 && j->gap_ms > 0) {
			/* Late parts wait with the retries (sorted). */
			d->due = sd_clock_mono_ms() + (int64_t)(j->gap_ms * k);
			q_insert_due(&s->retry, d);
			late = true;
		} else {
			q_push(&s->ready, d);
		}
	}
	if (late)
		dlv_arm(s);
	s->ctr.mo_messages++;
	sim_buf_fini(&t);
	if (j->made >= j->count)
		job_pop(s);
	return true;
}

enum sd_rc
sim_ussd_inject(struct sim *s, const char *from, const char *to,
    const char *text, uint8_t op, bool has_session, uint16_t session,
    char err[SD_ERRLEN])
{
	struct sim_dlv *d;
	size_t tlen = strlen(text), n = 0;
	uint8_t units[SIM_SM_MAX];
	enum sim_alpha a = SIM_ALPHA_GSM7;

	if (!addr_ok(from) || !addr_ok(to)) {
		snprintf(err, SD_ERRLEN,
		    "from and to must be 1..%d printable"
		    " ASCII characters",
		    SIM_ADDR_MAX - 1);
		return SD_EINVAL;
	}
	if (tlen > SIM_MO_TEXT_MAX || !sim_utf8_valid(text, tlen)) {
		snprintf(err, SD_ERRLEN, "text must be UTF-8");
		return SD_EINVAL;
	}
	if (sim_text_encode(SIM_ALPHA_GSM7, text, tlen, units, USSD_GSM7_MAX,
		&n) != SD_OK) {
		a = SIM_ALPHA_UCS2;
		if (sim_text_encode(SIM_ALPHA_UCS2, text, tlen, units,
			USSD_UCS2_MAX, &n) != SD_OK) {
			snprintf(err, SD_ERRLEN,
			    "text longer than one USSD"
			    " message (160 GSM or 70 UCS-2 characters)");
			return SD_EINVAL;
		}
	}
	d = xcalloc(1, sizeof(*d));
	d->kind = SIM_DLV_USSD;
	snprintf(d->service_type, sizeof(d->service_type), "USSD");
	addr_set(from, d->src, &d->src_ton, &d->src_npi);
	addr_set(to, d->dst, &d->dst_ton, &d->dst_npi);
	d->data_coding = a == SIM_ALPHA_UCS2 ? DC_UCS2 : DC_GSM7;
	memcpy(d->sm, units, n);
	d->sm_len = (uint8_t)n;
	d->has_ussd_op = true;
	d->ussd_op = op;
	d->has_session = has_session;
	d->session = session;
	q_push(&s->ready, d);
	sent_log(s, from, to, text, true);
	return SD_OK;
}

/* ---------------------------------------------------------------------
 * Pump and answers
 */

void
sim_deliver_pump(struct sim *s)
{
	for (;;) {
		struct sim_conn *c;

		if (s->ready.head == NULL && s->jobs_head == NULL)
			return;
		c = sim_smpp_receiver(s);
		if (c == NULL)
			return;
		if (s->ready.head == NULL && !mo_make_copy(s))
			return;
		if (s->ready.head == NULL)
			continue; /* a job was dropped */
		sim_smpp_deliver(c, q_pop(&s->ready));
	}
}

void
sim_deliver_requeue(struct sim *s, struct sim_dlv *d)
{
	if (d->attempts >= SIM_DELIVER_ATTEMPTS) {
		s->ctr.deliver_dropped++;
		log_info("deliver",
		    "dropped kind=%d attempts=%u reason="
		    "unanswered",
		    (int)d->kind, d->attempts);
		dlv_free(s, d);
		return;
	}
	s->ctr.deliver_requeued++;
	q_push_front(&s->ready, d);
}

void
sim_deliver_answered(struct sim *s, struct sim_dlv *d, uint32_t status)
{
	if (status == ST_OK) {
		dlv_free(s, d);
		return;
	}
	if (status == ST_X_P_APPN || status == ST_X_R_APPN ||
	    status == ST_INVDSTADR || status == ST_INVSRCADR ||
	    d->attempts >= SIM_DELIVER_ATTEMPTS) {
		s->ctr.deliver_dropped++;
		log_info("deliver", "dropped kind=%d attempts=%u status=0x%08x",
		    (int)d->kind, d->attempts, status);
		dlv_free(s, d);
		return;
	}
	s->ctr.deliver_requeued++;
	d->due = sd_clock_mono_ms() + SIM_RETRY_MS;
	q_push(&s->retry, d);
	dlv_arm(s);
}

void
sim_deliver_sent(struct sim *s, const struct sim_dlv *d)
{
	switch (d->kind) {
	case SIM_DLV_MO:
		s->ctr.mos_sent++;
		s->last_mo_us = sim_bench_us(s);
		if (s->first_mo_us == 0)
			s->first_mo_us = s->last_mo_us;
		break;
	case SIM_DLV_RECEIPT: s->ctr.receipts_sent++; break;
	case SIM_DLV_USSD: s->ctr.ussd_sent++; break;
	}
}

void
sim_deliver_gauges(const struct sim *s, size_t *queued, uint64_t *mo_left)
{
	const struct sim_mo_job *j;

	*queued = s->ready.n + s->pending.n + s->retry.n;
	*mo_left = 0;
	for (j = s->jobs_head; j != NULL; j = j->next)
		*mo_left += j->count - j->made;
}

void
sim_deliver_fini(struct sim *s)
{
	struct sim_dlv *d;
	size_t i;

	while ((d = q_pop(&s->ready)) != NULL)
		dlv_free(s, d);
	while ((d = q_pop(&s->pending)) != NULL)
		dlv_free(s, d);
	while ((d = q_pop(&s->retry)) != NULL)
		dlv_free(s, d);
	while (s->jobs_head != NULL)
		job_pop(s);
	for (i = 0; i < SIM_SENT_MAX; i++) {
		free(s->sent[i].text);
		s->sent[i].text = NULL;
	}
	if (s->dlv_timer != 0)
		sd_loop_timer_cancel(s->loop, s->dlv_timer);
	s->dlv_timer = 0;
}
