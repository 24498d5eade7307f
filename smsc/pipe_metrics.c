/*
 * smsc/pipe_metrics.c: the pipeline's counters (struct pipe_metrics in
 * struct smsc_pipe, under its mu) and their text for /metrics in the
 * Prometheus exposition format.
 *
 * The gw thread counts (pipe.c and the functions here); /metrics runs
 * on the web thread and reads a copy taken under mu, never the SMPP
 * client's own counters (pipe_metrics_publish_esme() copies those on
 * the gw tick).
 */
#include "smsc/pipe_int.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "core/base/buf.h"
#include "core/base/clock.h"
#include "core/base/log.h"
#include "core/core.h"

/* Upper bounds (seconds) of the queued-to-accepted histogram buckets. */
static const double lat_bounds[PIPE_LAT_N] = {0.01, 0.05, 0.1, 0.25, 0.5, 1,
    2.5, 5, 10, 30, 60, 300};

void
pipe_metrics_error(struct smsc_pipe *p, const char *reason)
{
	struct pipe_metrics *m = &p->m;
	char name[sizeof(m->errors[0].name)];
	size_t i, k = strcspn(reason, " :(");

	/* The first word ("ESME_RSYSERR (temporary)"). */
	if (k == 0 || k >= sizeof(name))
		k = sizeof(name) - 1 < 8 ? sizeof(name) - 1 : 8;
	snprintf(name, sizeof(name), "%.*s", (int)k, reason);
	pthread_mutex_lock(&p->mu);
	for (i = 0; i < m->n_errors; i++) {
		if (strcmp(m->errors[i].name, name) == 0) {
			m->errors[i].n++;
			break;
		}
	}
	if (i == m->n_errors &&
	    m->n_errors < sizeof(m->errors) / sizeof(m->errors[0])) {
		snprintf(m->errors[m->n_errors].name, sizeof(m->errors[0].name),
		    "%s", name);
		m->errors[m->n_errors++].n = 1;
	}
	pthread_mutex_unlock(&p->mu);
}

void
pipe_metrics_latency(struct smsc_pipe *p, int64_t since_ms)
{
	double s = (double)(sd_clock_now_ms() - since_ms) / 1000.0;
	size_t i;

	if (since_ms <= 0 || s < 0)
		return;
	for (i = 0; i < PIPE_LAT_N && s > lat_bounds[i]; i++)
		;
	pthread_mutex_lock(&p->mu);
	p->m.lat_count++;
	p->m.lat_sum += s;
	p->m.lat_bucket[i]++;
	pthread_mutex_unlock(&p->mu);
}

void
pipe_metrics_publish_esme(struct smsc_pipe *p)
{
	struct smsc_esme_stats es;

	if (p->esme == NULL)
		return;
	smsc_esme_stats(p->esme, &es);
	pthread_mutex_lock(&p->mu);
	p->m.esme = es;
	p->m.has_esme = true;
	pthread_mutex_unlock(&p->mu);
}

/* Append to b unless an earlier append failed (*rc): the text is cut at
 * a whole line if it ever reaches its maximum. */
static void SD_PRINTF(3, 4)
    out_add(struct sd_buf *b, enum sd_rc *rc, const char *fmt, ...)
{
	va_list ap;

	if (*rc != SD_OK)
		return;
	va_start(ap, fmt);
	*rc = sd_buf_vaddf(b, fmt, ap);
	va_end(ap);
}

/* A state's label: the outbox's names, and "other" for receipts of an
 * intermediate or unknown state (index CORE_OUT_STATE_COUNT). */
static const char *
state_name(int s)
{
	return s < CORE_OUT_STATE_COUNT ?
	    core_out_state_name((enum core_out_state)s) :
	    "other";
}

char *
smsc_pipe_metrics(struct smsc_pipe *p, struct db *db)
{
	static const char *const routes[CORE_OUT_ROUTE_COUNT] = {"", "smpp",
	    "http"};
	struct smsc_esme_stats es;
	struct db_outbox_counts c;
	struct pipe_metrics m;
	struct sd_buf b;
	enum sd_rc rc = SD_OK;
	size_t i;
	int k, s;
	uint64_t cum = 0;

	pthread_mutex_lock(&p->mu);
	m = p->m;
	pthread_mutex_unlock(&p->mu);
	sd_buf_init(&b, SMSC_METRICS_MAX);
	out_add(&b, &rc,
	    "# HELP smsdesk_outbox_messages Outbound messages "
	    "by kind and state.\n# TYPE smsdesk_outbox_messages gauge\n");
	if (db != NULL && db_outbox_counts(db, &c) == SD_OK) {
		for (k = 0; k < CORE_OUT_KIND_COUNT; k++)
			for (s = 0; s < CORE_OUT_STATE_COUNT; s++)
				out_add(&b, &rc,
				    "smsdesk_outbox_messages"
				    "{kind=\"%s\",state=\"%s\"} %lld\n",
				    core_out_kind_name((enum core_out_kind)k),
				    state_name(s), (long long)c.n[k][s]);
		out_add(&b, &rc,
		    "# HELP smsdesk_outbox_oldest_waiting_"
		    "seconds Age of the oldest queued or submitted message.\n"
		    "# TYPE smsdesk_outbox_oldest_waiting_seconds gauge\n"
		    "smsdesk_outbox_oldest_waiting_seconds %lld\n",
		    (long long)(c.oldest_waiting != 0 ?
			    sd_clock_now() - c.oldest_waiting :
			    0));
	}
	out_add(&b, &rc,
	    "# HELP smsdesk_smpp_link_up 1 while bound to the "
	    "SMSC.\n# TYPE smsdesk_smpp_link_up gauge\nsmsdesk_smpp_link_up "
	    "%d\n",
	    m.link_up ? 1 : 0);
	out_add(&b, &rc,
	    "# HELP smsdesk_http_fallback_active 1 while "
	    "fallback kinds go over HTTP.\n# TYPE smsdesk_http_fallback_active "
	    "gauge\nsmsdesk_http_fallback_active %d\n",
	    m.http_active ? 1 : 0);
	out_add(&b, &rc,
	    "# HELP smsdesk_submits_total Messages handed to "
	    "a transport.\n# TYPE smsdesk_submits_total counter\n");
	for (i = CORE_OUT_ROUTE_SMPP; i < CORE_OUT_ROUTE_COUNT; i++)
		out_add(&b, &rc, "smsdesk_submits_total{route=\"%s\"} %llu\n",
		    routes[i], (unsigned long long)m.submits[i]);
	out_add(&b, &rc,
	    "# HELP smsdesk_accepted_total Messages the SMSC "
	    "accepted (every part).\n# TYPE smsdesk_accepted_total counter\n");
	for (i = CORE_OUT_ROUTE_SMPP; i < CORE_OUT_ROUTE_COUNT; i++)
		out_add(&b, &rc,
		    "smsdesk_accepted_total{route=\"%s\"} "
		    "%llu\n",
		    routes[i], (unsigned long long)m.accepted[i]);
	out_add(&b, &rc,
	    "# HELP smsdesk_send_errors_total Failed sends by "
	    "SMPP status or cause.\n# TYPE smsdesk_send_errors_total counter\n");
	for (i = 0; i < m.n_errors; i++)
		out_add(&b, &rc,
		    "smsdesk_send_errors_total{status=\"%s\"} "
		    "%llu\n",
		    m.errors[i].name, (unsigned long long)m.errors[i].n);
	if (m.has_esme) {
		es = m.esme;
		out_add(&b, &rc,
		    "# HELP smsdesk_smpp_pdus_total SMPP "
		    "events by type.\n# TYPE smsdesk_smpp_pdus_total counter\n"
		    "smsdesk_smpp_pdus_total{type=\"submit_sm\"} %llu\n"
		    "smsdesk_smpp_pdus_total{type=\"submit_sm_resp_ok\"} %llu\n"
		    "smsdesk_smpp_pdus_total{type=\"throttled\"} %llu\n"
		    "smsdesk_smpp_pdus_total{type=\"resent\"} %llu\n"
		    "smsdesk_smpp_pdus_total{type=\"timeout\"} %llu\n"
		    "smsdesk_smpp_pdus_total{type=\"generic_nack\"} %llu\n"
		    "smsdesk_smpp_pdus_total{type=\"bad_pdu\"} %llu\n"
		    "smsdesk_smpp_pdus_total{type=\"bind\"} %llu\n"
		    "smsdesk_smpp_pdus_total{type=\"bind_failure\"} %llu\n",
		    (unsigned long long)es.submits,
		    (unsigned long long)es.accepted,
		    (unsigned long long)es.throttled,
		    (unsigned long long)es.resent,
		    (unsigned long long)es.timeouts,
		    (unsigned long long)es.generic_nacks,
		    (unsigned long long)es.bad_pdus,
		    (unsigned long long)es.binds,
		    (unsigned long long)es.bind_failures);
	}
	out_add(&b, &rc,
	    "# HELP smsdesk_receipts_total Delivery receipts "
	    "by the state they report.\n# TYPE smsdesk_receipts_total "
	    "counter\n");
	for (i = 0; i <= CORE_OUT_STATE_COUNT; i++)
		if (i >= CORE_OUT_DELIVERED)
			out_add(&b, &rc,
			    "smsdesk_receipts_total{state=\"%s\"}"
			    " %llu\n",
			    state_name((int)i),
			    (unsigned long long)m.receipts[i]);
	out_add(&b, &rc,
	    "# HELP smsdesk_mo_total Inbound messages (SMS and "
	    "USSD).\n# TYPE smsdesk_mo_total counter\nsmsdesk_mo_total %llu\n"
	    "# HELP smsdesk_mo_duplicates_total Redeliveries recognized.\n"
	    "# TYPE smsdesk_mo_duplicates_total counter\n"
	    "smsdesk_mo_duplicates_total %llu\n"
	    "# HELP smsdesk_store_batches_total Group commits.\n"
	    "# TYPE smsdesk_store_batches_total counter\n"
	    "smsdesk_store_batches_total %llu\n"
	    "smsdesk_store_batch_failures_total %llu\n",
	    (unsigned long long)m.mo, (unsigned long long)m.mo_dup,
	    (unsigned long long)m.batches,
	    (unsigned long long)m.batch_failures);
	out_add(&b, &rc,
	    "# HELP smsdesk_queue_to_accept_seconds From "
	    "queued to accepted by the SMSC.\n# TYPE "
	    "smsdesk_queue_to_accept_seconds histogram\n");
	for (i = 0; i < PIPE_LAT_N; i++) {
		cum += m.lat_bucket[i];
		out_add(&b, &rc,
		    "smsdesk_queue_to_accept_seconds_bucket"
		    "{le=\"%g\"} %llu\n",
		    lat_bounds[i], (unsigned long long)cum);
	}
	out_add(&b, &rc,
	    "smsdesk_queue_to_accept_seconds_bucket{le=\"+Inf\"}"
	    " %llu\nsmsdesk_queue_to_accept_seconds_sum %.6f\n"
	    "smsdesk_queue_to_accept_seconds_count %llu\n",
	    (unsigned long long)m.lat_count, m.lat_sum,
	    (unsigned long long)m.lat_count);
	if (rc != SD_OK)
		log_warnx("queue", "metrics cut short rc=%s max=%d",
		    sd_rc_str(rc), SMSC_METRICS_MAX);
	return sd_buf_take(&b);
}
