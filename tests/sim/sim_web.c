/*
 * tests/sim/sim_web.c: the control endpoints and the virtual phone page,
 * answered in the loop thread (sim_http.c hands requests over).
 *
 * Endpoints (arguments in the query string or a form body):
 *   GET  /                  the virtual phone (HTML)
 *   GET  /healthz           "ok"
 *   GET  /stats             counters, gauges and faults (JSON)
 *   GET  /submits?since=N[&limit=L][&to=NUMBER]
 *                           stored messages with seq > N (JSON lines)
 *   POST /mo?from=&to=&text=[&parts=N][&coding=gsm7|ucs2|auto][&count=K]
 *           [&numbered=0|1][&spread=S][&text_spread=0|1][&gap_ms=M]
 *                           count=K copies, numbered " #i" unless
 *                           numbered=0, from S numbers in turn (from,
 *                           from+1, ..); with text_spread=1 the number
 *                           ending the text goes up with the sender;
 *                           part k of each goes (k-1)*M ms late
 *   POST /ussd?from=&text=[&to=][&op=N][&session=N]
 *   POST /fault/drop | /fault/throttle?n=K | /fault/no-enquire |
 *        /fault/delay?ms=M | /fault/clear
 *   POST /fault/chaos?[drop_every=N][&throttle_pct=P][&stall_every=K]
 *        [&stall_ms=M][&seed=S]
 *                           standing faults until /fault/clear: every
 *                           link dropped after each N PDUs read; P% of
 *                           submits throttled; every K-th submit_sm's
 *                           response (and those after it) held back M ms
 *   POST /fault/down?ms=M   drop every link and refuse new ones for M ms
 *   POST /phone/sms, /phone/ussd   the phone page's forms (303 to /)
 * Replies are JSON ({"error": "..."} with a 4xx status on bad input),
 * JSON lines, plain text or HTML; every value written into HTML is
 * escaped, every string written into JSON is JSON-escaped.
 */
#include "tests/sim/sim.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/base/clock.h"
#include "core/base/log.h"
#include "core/base/xmalloc.h"

#define CT_JSON "application/json"
#define CT_JSONL "application/x-ndjson; charset=utf-8"
#define CT_TEXT "text/plain; charset=utf-8"
#define CT_HTML "text/html; charset=utf-8"
#define SUBMITS_LIMIT_DEFAULT 1000
#define SUBMITS_LIMIT_MAX 100000
#define PHONE_DEFAULT "989131111111"
#define PHONE_ITEMS 50       /* messages shown on the phone page, each way */
#define USSD_OP_PSSR_IND 1   /* phone starts a session */
#define USSD_OP_USSR_CONF 18 /* phone answers a menu */
#define FAULT_THROTTLE_MAX 1000000000ull
#define FAULT_DELAY_MAX 600000

static void
reply(struct sim_req *r, unsigned status, const char *ctype, struct sim_buf *b)
{
	r->status = status;
	r->ctype = ctype;
	r->body_len = b->len;
	r->body = sim_buf_take(b);
}

static void
reply_error(struct sim_req *r, unsigned status, const char *msg)
{
	struct sim_buf b = {0};

	sim_buf_adds(&b, "{\"error\":");
	sim_buf_json(&b, msg);
	sim_buf_adds(&b, "}\n");
	reply(r, status, CT_JSON, &b);
}

/* Read an unsigned argument: def when absent; false (after a 400 reply)
 * when malformed or outside min..max. */
static bool
arg_u64(struct sim_req *r, const char *key, uint64_t def, uint64_t min,
    uint64_t max, uint64_t *out)
{
	const char *v = sim_req_arg(r, key);
	char *end = NULL, msg[SD_ERRLEN];
	unsigned long long x;

	if (v == NULL || v[0] == '\0') {
		*out = def;
		return true;
	}
	if (v[0] < '0' || v[0] > '9')
		goto bad;
	x = strtoull(v, &end, 10);
	if (*end != '\0' || x < min || x > max)
		goto bad;
	*out = (uint64_t)x;
	return true;
bad:
	snprintf(msg, sizeof(msg), "%s must be a number %" PRIu64 "..%" PRIu64,
	    key, min, max);
	reply_error(r, 400, msg);
	return false;
}

static void
fmt_time(int64_t t, char out[32])
{
	time_t tt = (time_t)t;
	struct tm tm;

	gmtime_r(&tt, &tm);
	strftime(out, 32, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

static void
url_encode(struct sim_buf *b, const char *s)
{
	static const char hex[] = "0123456789ABCDEF";

	for (; *s != '\0'; s++) {
		unsigned char c = (unsigned char)*s;

		if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		    (c >= '0' && c <= '9') || c == '-' || c == '_' ||
		    c == '.' || c == '~') {
			sim_buf_add(b, s, 1);
		} else {
			char e[3] = {'%', hex[c >> 4], hex[c & 15]};

			sim_buf_add(b, e, 3);
		}
	}
}

/* ---------------------------------------------------------------------
 * GET /healthz, /stats, /submits
 */

static void
web_healthz(struct sim *s, struct sim_req *r)
{
	struct sim_buf b = {0};

	(void)s;
	sim_buf_adds(&b, "ok\n");
	reply(r, 200, CT_TEXT, &b);
}

static void
json_statmap(
    struct sim_buf *b, const char *name, const struct sim_statcount *tab)
{
	size_t i;

	sim_buf_addf(b, ",\"%s\":{", name);
	for (i = 0; i < SIM_STATUS_SLOTS && tab[i].n != 0; i++)
		sim_buf_addf(b, "%s\"0x%08x\":%" PRIu64, i > 0 ? "," : "",
		    tab[i].status, tab[i].n);
	sim_buf_adds(b, "}");
}

/* The faults in force as a JSON object, extra ("\"k\":v,") first. */
static void
faults_json(const struct sim *s, struct sim_buf *b, const char *extra)
{
	const struct sim_faults *f = &s->faults;
	int64_t down = f->down_until - sd_clock_mono_ms();

	sim_buf_addf(b,
	    "{%s\"throttle_left\":%" PRIu64 ",\"no_enquire\":%s,"
	    "\"delay_ms\":%" PRId64 ",\"drop_every\":%" PRIu64
	    ",\"throttle_pct\":%u,\"stall_every\":%" PRIu64
	    ",\"stall_ms\":%" PRId64 ",\"down_ms\":%" PRId64 "}",
	    extra, f->throttle_left, f->no_enquire ? "true" : "false",
	    f->delay_ms, f->drop_every, f->throttle_pct, f->stall_every,
	    f->stall_ms, down > 0 ? down : 0);
}

static void
web_stats(struct sim *s, struct sim_req *r)
{
	const struct sim_counters *k = &s->ctr;
	struct sim_buf b = {0};
	size_t open, tx, rx, trx, msgs, bytes, groups, queued;
	uint64_t mo_left;

	sim_smpp_sessions(s, &open, &tx, &rx, &trx);
	sim_store_gauges(s->store, &msgs, &bytes, &groups);
	sim_deliver_gauges(s, &queued, &mo_left);
	sim_buf_addf(&b,
	    "{\"uptime_ms\":%" PRId64 ",\"smpp_port\":%d,"
	    "\"http_port\":%d",
	    sd_clock_mono_ms() - s->started_ms, s->smpp_port, s->http_port);
	sim_buf_addf(&b,
	    ",\"sessions\":{\"open\":%zu,\"tx\":%zu,\"rx\":%zu,"
	    "\"trx\":%zu}",
	    open, tx, rx, trx);
#define C(name) sim_buf_addf(&b, ",\"" #name "\":%" PRIu64, k->name)
	C(connections);
	C(conns_refused);
	C(binds_ok);
	C(binds_failed);
	C(submit_sm);
	sim_buf_addf(&b, ",\"submits\":%" PRIu64, k->submits_ok);
	C(throttled);
	C(parts);
	C(messages);
	C(incomplete);
	C(decode_problems);
	C(receipts_sent);
	C(receipts_delivrd);
	C(receipts_undeliv);
	C(receipts_dropped);
	C(mo_messages);
	C(mos_sent);
	C(ussd_sent);
	C(deliver_sm_resp);
	C(deliver_resp_err);
	C(deliver_timeouts);
	C(deliver_requeued);
	C(deliver_dropped);
	C(enquire_link);
	C(enquire_ignored);
	C(unbinds);
	C(generic_nack_sent);
	C(generic_nack_rcvd);
	C(bad_pdus);
	C(drops);
	C(chaos_drops);
	C(stalled);
#undef C
	/* The benchmark clock: ms since start, to the microsecond; 0 when
	 * nothing happened yet. */
	sim_buf_addf(&b,
	    ",\"first_mo_ms\":%.3f,\"last_mo_ms\":%.3f,"
	    "\"first_submit_ms\":%.3f,\"last_submit_ms\":%.3f,"
	    "\"last_message_ms\":%.3f",
	    (double)s->first_mo_us / 1000.0, (double)s->last_mo_us / 1000.0,
	    (double)s->first_submit_us / 1000.0,
	    (double)s->last_submit_us / 1000.0,
	    (double)s->last_message_us / 1000.0);
	json_statmap(&b, "submit_status", k->submit_status);
	json_statmap(&b, "deliver_resp_status", k->deliver_status);
	sim_buf_addf(&b,
	    ",\"gauges\":{\"stored\":%zu,\"store_bytes\":%zu,"
	    "\"concat_groups\":%zu,\"queued\":%zu,\"inflight\":%zu,"
	    "\"receipts_waiting\":%zu,\"mo_jobs\":%zu,\"mo_copies_left\":"
	    "%" PRIu64 "}",
	    msgs, bytes, groups, queued, s->n_inflight, s->n_receipts,
	    s->n_jobs, mo_left);
	sim_buf_adds(&b, ",\"faults\":");
	faults_json(s, &b, "");
	sim_buf_adds(&b, "}\n");
	reply(r, 200, CT_JSON, &b);
}

static const char *
concat_name(uint8_t c)
{
	switch (c) {
	case SIM_CONCAT_UDH8: return "udh8";
	case SIM_CONCAT_UDH16: return "udh16";
	case SIM_CONCAT_SAR: return "sar";
	default: return "none";
	}
}

static void
json_msg(struct sim_buf *b, const struct sim_msg *m)
{
	char t[32];
	const char *p, *q;

	fmt_time(m->time, t);
	sim_buf_addf(
	    b, "{\"seq\":%" PRIu64 ",\"time\":\"%s\",\"from\":", m->seq, t);
	sim_buf_json(b, m->src);
	sim_buf_adds(b, ",\"to\":");
	sim_buf_json(b, m->dst);
	sim_buf_adds(b, ",\"text\":");
	sim_buf_json(b, m->text);
	sim_buf_addf(b,
	    ",\"data_coding\":%u,\"alphabet\":\"%s\","
	    "\"esm_class\":%u,\"registered_delivery\":%u,\"parts\":%u,"
	    "\"parts_received\":%u,\"complete\":%s,\"concat\":\"%s\","
	    "\"payload\":%s,\"source_ton\":%u,\"source_npi\":%u,"
	    "\"dest_ton\":%u,\"dest_npi\":%u,\"bad_units\":%zu",
	    m->dc, sim_alpha_name(sim_dc_alpha(m->dc)), m->esm_class, m->rd,
	    m->parts, m->parts_seen, m->complete ? "true" : "false",
	    concat_name(m->concat), m->payload ? "true" : "false", m->src_ton,
	    m->src_npi, m->dst_ton, m->dst_npi, m->bad_units);
	if (m->has_ussd_op)
		sim_buf_addf(b, ",\"ussd_op\":%u", m->ussd_op);
	if (m->has_session)
		sim_buf_addf(b, ",\"session\":%u", m->session);
	/* ids are digits and hex letters from msgid_next(): no escaping
	 * needed, but go through sim_buf_json all the same. */
	sim_buf_adds(b, ",\"message_ids\":[");
	for (p = m->ids; *p != '\0'; p = *q != '\0' ? q + 1 : q) {
		char id[SIM_MSGID_MAX];
		size_t n;

		q = strchr(p, ',');
		if (q == NULL)
			q = p + strlen(p);
		n = (size_t)(q - p) < sizeof(id) ? (size_t)(q - p)
						 : sizeof(id) - 1;
		memcpy(id, p, n);
		id[n] = '\0';
		if (p != m->ids)
			sim_buf_adds(b, ",");
		sim_buf_json(b, id);
	}
	sim_buf_adds(b, "],\"message_id\":");
	q = strchr(m->ids, ',');
	if (q == NULL) {
		sim_buf_json(b, m->ids);
	} else {
		char id[SIM_MSGID_MAX];
		size_t n = (size_t)(q - m->ids) < sizeof(id)
			       ? (size_t)(q - m->ids)
			       : sizeof(id) - 1;

		memcpy(id, m->ids, n);
		id[n] = '\0';
		sim_buf_json(b, id);
	}
	sim_buf_adds(b, "}\n");
}

static void
web_submits(struct sim *s, struct sim_req *r)
{
	struct sim_buf b = {0};
	uint64_t since, limit, first, last, q, n = 0;
	const char *to = sim_req_arg(r, "to");

	if (!arg_u64(r, "since", 0, 0, UINT64_MAX - 1, &since) ||
	    !arg_u64(r, "limit", SUBMITS_LIMIT_DEFAULT, 1, SUBMITS_LIMIT_MAX,
		&limit))
		return;
	sim_store_range(s->store, &first, &last);
	for (q = since + 1 > first ? since + 1 : first; q <= last && n < limit;
	     q++) {
		const struct sim_msg *m = sim_store_get(s->store, q);

		if (m == NULL)
			continue;
		if (to != NULL && to[0] != '\0' && !sim_phone_match(m->dst, to))
			continue;
		json_msg(&b, m);
		n++;
	}
	sim_buf_add(&b, "", 0);
	reply(r, 200, CT_JSONL, &b);
}

/* ---------------------------------------------------------------------
 * POST /mo, /ussd, /fault/...
 */

static void
web_mo(struct sim *s, struct sim_req *r)
{
	struct sim_mo_in in;
	struct sim_buf b = {0};
	char err[SD_ERRLEN];
	uint64_t parts, count, job, numbered, spread, text_spread, gap;
	unsigned np = 0;
	enum sd_rc rc;

	memset(&in, 0, sizeof(in));
	in.from = sim_req_arg(r, "from");
	in.to = sim_req_arg(r, "to");
	in.text = sim_req_arg(r, "text");
	in.coding = sim_req_arg(r, "coding");
	if (in.from == NULL || in.text == NULL) {
		reply_error(r, 400, "from and text are required");
		return;
	}
	if (in.to == NULL || in.to[0] == '\0')
		in.to = s->opts->short_code;
	if (!arg_u64(r, "parts", 0, 1, SIM_PARTS_MAX, &parts) ||
	    !arg_u64(r, "count", 1, 1, SIM_MO_COUNT_MAX, &count) ||
	    !arg_u64(r, "numbered", 1, 0, 1, &numbered) ||
	    !arg_u64(r, "spread", 1, 1, SIM_MO_COUNT_MAX, &spread) ||
	    !arg_u64(r, "text_spread", 0, 0, 1, &text_spread) ||
	    !arg_u64(r, "gap_ms", 0, 0, FAULT_DELAY_MAX, &gap))
		return;
	in.gap_ms = gap;
	in.parts = (unsigned)parts;
	in.count = count;
	in.unnumbered = numbered == 0;
	in.spread = spread;
	in.text_spread = text_spread != 0;
	rc = sim_mo_inject(s, &in, &job, &np, err);
	if (rc != SD_OK) {
		reply_error(r, rc == SD_ETOOBIG ? 503 : 400, err);
		return;
	}
	sim_buf_addf(&b,
	    "{\"queued\":true,\"job\":%" PRIu64 ",\"count\":%" PRIu64
	    ",\"parts\":%u}\n",
	    job, count, np);
	reply(r, 202, CT_JSON, &b);
}

static void
web_ussd(struct sim *s, struct sim_req *r)
{
	const char *from = sim_req_arg(r, "from");
	const char *to = sim_req_arg(r, "to");
	const char *text = sim_req_arg(r, "text");
	const char *sess = sim_req_arg(r, "session");
	struct sim_buf b = {0};
	char err[SD_ERRLEN];
	uint64_t op, session;

	if (from == NULL || text == NULL) {
		reply_error(r, 400, "from and text are required");
		return;
	}
	if (to == NULL || to[0] == '\0')
		to = s->opts->short_code;
	if (!arg_u64(r, "op", USSD_OP_PSSR_IND, 0, 255, &op) ||
	    !arg_u64(r, "session", 0, 0, 65535, &session))
		return;
	if (sim_ussd_inject(s, from, to, text, (uint8_t)op,
		sess != NULL && sess[0] != '\0', (uint16_t)session,
		err) != SD_OK) {
		reply_error(r, 400, err);
		return;
	}
	sim_buf_addf(&b, "{\"queued\":true,\"op\":%" PRIu64 "}\n", op);
	reply(r, 202, CT_JSON, &b);
}

static void
reply_faults(struct sim *s, struct sim_req *r, const char *extra)
{
	struct sim_buf b = {0};

	faults_json(s, &b, extra);
	sim_buf_adds(&b, "\n");
	reply(r, 200, CT_JSON, &b);
}

static void
web_fault_drop(struct sim *s, struct sim_req *r)
{
	char extra[64];
	size_t n = sim_smpp_drop_all(s);

	s->ctr.drops++;
	log_info("fault", "drop connections=%zu", n);
	snprintf(extra, sizeof(extra), "\"dropped\":%zu,", n);
	reply_faults(s, r, extra);
}

static void
web_fault_throttle(struct sim *s, struct sim_req *r)
{
	uint64_t n;

	if (!arg_u64(r, "n", 1, 0, FAULT_THROTTLE_MAX, &n))
		return;
	s->faults.throttle_left = n;
	log_info("fault", "throttle next=%" PRIu64, n);
	reply_faults(s, r, "");
}

static void
web_fault_no_enquire(struct sim *s, struct sim_req *r)
{
	s->faults.no_enquire = true;
	log_info("fault", "no-enquire");
	reply_faults(s, r, "");
}

static void
web_fault_delay(struct sim *s, struct sim_req *r)
{
	uint64_t ms;

	if (sim_req_arg(r, "ms") == NULL) {
		reply_error(r, 400, "ms is required");
		return;
	}
	if (!arg_u64(r, "ms", 0, 0, FAULT_DELAY_MAX, &ms))
		return;
	s->faults.delay_ms = (int64_t)ms;
	log_info("fault", "delay ms=%" PRIu64, ms);
	reply_faults(s, r, "");
}

static void
web_fault_chaos(struct sim *s, struct sim_req *r)
{
	uint64_t drop, pct, stall, stall_ms, seed;
	struct sim_faults *f = &s->faults;

	if (!arg_u64(r, "drop_every", 0, 0, FAULT_THROTTLE_MAX, &drop) ||
	    !arg_u64(r, "throttle_pct", 0, 0, 100, &pct) ||
	    !arg_u64(r, "stall_every", 0, 0, FAULT_THROTTLE_MAX, &stall) ||
	    !arg_u64(r, "stall_ms", 0, 0, FAULT_DELAY_MAX, &stall_ms) ||
	    !arg_u64(r, "seed", 1, 1, UINT64_MAX, &seed))
		return;
	if (stall > 0 && stall_ms == 0) {
		reply_error(r, 400, "stall_every needs stall_ms");
		return;
	}
	f->drop_every = drop;
	f->pdus_in = 0;
	f->throttle_pct = (unsigned)pct;
	f->stall_every = stall;
	f->stall_ms = (int64_t)stall_ms;
	f->submits_in = 0;
	f->rng = seed;
	log_info("fault",
	    "chaos drop_every=%" PRIu64 " throttle_pct=%" PRIu64
	    " stall_every=%" PRIu64 " stall_ms=%" PRIu64,
	    drop, pct, stall, stall_ms);
	reply_faults(s, r, "");
}

static void
web_fault_down(struct sim *s, struct sim_req *r)
{
	char extra[64];
	uint64_t ms;
	size_t n;

	if (sim_req_arg(r, "ms") == NULL) {
		reply_error(r, 400, "ms is required");
		return;
	}
	if (!arg_u64(r, "ms", 0, 1, FAULT_DELAY_MAX, &ms))
		return;
	s->faults.down_until = sd_clock_mono_ms() + (int64_t)ms;
	n = sim_smpp_drop_all(s);
	s->ctr.drops++;
	log_info("fault", "down ms=%" PRIu64 " dropped=%zu", ms, n);
	snprintf(extra, sizeof(extra), "\"dropped\":%zu,", n);
	reply_faults(s, r, extra);
}

static void
web_fault_clear(struct sim *s, struct sim_req *r)
{
	memset(&s->faults, 0, sizeof(s->faults));
	log_info("fault", "clear");
	reply_faults(s, r, "");
}

/* ---------------------------------------------------------------------
 * The virtual phone
 */

static bool
phone_ok(const char *p)
{
	size_t n = strlen(p), i;

	if (n == 0 || n >= SIM_ADDR_MAX)
		return false;
	for (i = 0; i < n; i++)
		if (!((p[i] >= '0' && p[i] <= '9') || (i == 0 && p[i] == '+')))
			return false;
	return true;
}

/* 303 back to the phone page, with a note. */
static void
phone_redirect(struct sim_req *r, const char *phone, const char *note)
{
	struct sim_buf loc = {0}, b = {0};

	sim_buf_adds(&loc, "/?phone=");
	url_encode(&loc, phone);
	sim_buf_adds(&loc, "&note=");
	url_encode(&loc, note);
	r->location = sim_buf_take(&loc);
	sim_buf_adds(&b, "see other\n");
	reply(r, 303, CT_TEXT, &b);
}

static void
web_phone_sms(struct sim *s, struct sim_req *r)
{
	const char *phone = sim_req_arg(r, "phone");
	const char *to = sim_req_arg(r, "to");
	struct sim_mo_in in;
	char err[SD_ERRLEN];
	uint64_t job;
	unsigned np;

	if (phone == NULL || !phone_ok(phone)) {
		reply_error(r, 400, "phone must be a number");
		return;
	}
	memset(&in, 0, sizeof(in));
	in.from = phone;
	in.to = to != NULL && to[0] != '\0' ? to : s->opts->short_code;
	in.text = sim_req_arg(r, "text");
	in.count = 1;
	if (in.text == NULL || in.text[0] == '\0') {
		phone_redirect(r, phone, "Nothing to send.");
		return;
	}
	if (sim_mo_inject(s, &in, &job, &np, err) != SD_OK) {
		phone_redirect(r, phone, err);
		return;
	}
	phone_redirect(
	    r, phone, np > 1 ? "SMS sent (long, several parts)." : "SMS sent.");
}

/* Where the phone's USSD dialogue stands, as the page shows it. */
enum phone_ussd {
	PHONE_USSD_NONE,    /* never dialled, no screen */
	PHONE_USSD_WAITING, /* dialled or answered; no screen since */
	PHONE_USSD_OPEN,    /* a screen awaits the user's answer */
	PHONE_USSD_ENDED,   /* the last screen came: dial again */
};

/* Messages looked at for the phone's last screen, newest first. */
#define PHONE_USSD_SCAN 100000

/* A screen ends the dialogue when its its_session_info has the
 * end-of-session bit (octet 2, bit 0) or its op is anything but USSR
 * request (2): PSSR response 17, USSN 3, ... */
static bool
ussd_screen_final(const struct sim_msg *m)
{
	return (m->has_session && (m->session & 1) != 0) || m->ussd_op != 2;
}

/* The phone's dialogue: its state and last screen (NULL if none). */
static enum phone_ussd
phone_ussd_state(struct sim *s, const char *phone, const struct sim_msg **scr)
{
	const struct sim_sent *step = NULL;
	uint64_t first, last, q, n = 0;
	size_t k, shown;

	*scr = NULL;
	sim_store_range(s->store, &first, &last);
	for (q = last; q >= first && q > 0 && n < PHONE_USSD_SCAN; q--, n++) {
		const struct sim_msg *m = sim_store_get(s->store, q);

		if (m != NULL && m->has_ussd_op &&
		    sim_phone_match(m->dst, phone)) {
			*scr = m;
			break;
		}
	}
	shown = s->sent_next < SIM_SENT_MAX ? s->sent_next : SIM_SENT_MAX;
	for (k = 0; k < shown; k++) {
		const struct sim_sent *e =
		    &s->sent[(s->sent_next - 1 - k) % SIM_SENT_MAX];

		if (e->text != NULL && e->ussd &&
		    sim_phone_match(e->from, phone)) {
			step = e;
			break;
		}
	}
	if (step != NULL && (*scr == NULL || (*scr)->seq <= step->mark))
		return PHONE_USSD_WAITING;
	if (*scr == NULL)
		return PHONE_USSD_NONE;
	return ussd_screen_final(*scr) ? PHONE_USSD_ENDED : PHONE_USSD_OPEN;
}

static void
web_phone_ussd(struct sim *s, struct sim_req *r)
{
	const char *phone = sim_req_arg(r, "phone");
	const char *text = sim_req_arg(r, "text");
	const char *action = sim_req_arg(r, "action");
	char err[SD_ERRLEN];
	uint64_t session = 0;
	uint8_t op = USSD_OP_PSSR_IND;

	if (phone == NULL || !phone_ok(phone)) {
		reply_error(r, 400, "phone must be a number");
		return;
	}
	if (text == NULL || text[0] == '\0') {
		phone_redirect(r, phone, "Nothing to dial.");
		return;
	}
	if (action != NULL && strcmp(action, "reply") == 0) {
		const struct sim_msg *scr;

		/* The operator honours the end bit: no answer after the
		 * last screen, nor before the first. */
		if (phone_ussd_state(s, phone, &scr) != PHONE_USSD_OPEN) {
			phone_redirect(r, phone,
			    "No USSD menu is waiting for an answer; dial "
			    "again.");
			return;
		}
		if (!arg_u64(r, "session", 0, 0, 65535, &session))
			return;
		if (scr->has_session)
			session = scr->session;
		op = USSD_OP_USSR_CONF;
		/* Next dialogue unit: same session octet, sequence + 1. */
		session =
		    (session & 0xFF00) | ((((session >> 1) + 1) & 0x7F) << 1);
	} else {
		s->ussd_session = (uint8_t)(s->ussd_session % 255 + 1);
		session = (uint64_t)s->ussd_session << 8;
	}
	if (sim_ussd_inject(s, phone, s->opts->short_code, text, op, true,
		(uint16_t)session, err) != SD_OK) {
		phone_redirect(r, phone, err);
		return;
	}
	phone_redirect(r, phone,
	    op == USSD_OP_PSSR_IND ? "USSD dialled." : "USSD answered.");
}

/* One line of the conversation. */
struct phone_item {
	int64_t time;             /* wall clock (s) */
	bool in;                  /* received by the phone */
	const struct sim_msg *m;  /* received: the submit */
	const struct sim_sent *e; /* sent: the MO or USSD step */
};

static const char phone_css[] =
    "body{font-family:system-ui,Tahoma,sans-serif;max-width:42rem;"
    "margin:1rem auto;padding:0 1rem;background:#f3f4f6;color:#111}"
    "h1{font-size:1.3rem}h2{font-size:1.05rem;margin:1.2rem 0 .4rem}"
    "form{margin:.3rem 0}input,textarea,button{font:inherit}"
    "textarea{width:100%;box-sizing:border-box}"
    ".note{background:#fff7d6;padding:.4rem .6rem;border-radius:.3rem}"
    "ol{list-style:none;padding:0}"
    "li{margin:.5rem 0;padding:.5rem .7rem;border-radius:.6rem;"
    "max-width:85%}"
    "li.in{background:#fff;margin-inline-end:auto}"
    "li.out{background:#d9f2d9;margin-inline-start:auto}"
    ".meta{font-size:.75rem;color:#555}"
    ".text{white-space:pre-wrap;overflow-wrap:anywhere;text-align:start}"
    "footer{font-size:.8rem;color:#555;margin-top:2rem}"
    ".screen{white-space:pre-wrap;background:#111;color:#e8f5e8;"
    "font-family:monospace;padding:.7rem;border-radius:.4rem;"
    "max-width:24rem}"
    ".end{font-weight:bold}";

static void
phone_item_html(struct sim_buf *b, const struct phone_item *it)
{
	char t[32];

	fmt_time(it->time, t);
	sim_buf_addf(
	    b, "<li class=\"%s\"><div class=\"meta\">", it->in ? "in" : "out");
	sim_buf_html(b, t);
	if (it->in) {
		const struct sim_msg *m = it->m;

		sim_buf_adds(b, " &middot; from <bdi>");
		sim_buf_html(b, m->src);
		sim_buf_adds(b, "</bdi>");
		if (m->has_ussd_op)
			sim_buf_addf(b, " &middot; USSD op %u", m->ussd_op);
		if (m->parts > 1)
			sim_buf_addf(b, " &middot; %u/%u parts", m->parts_seen,
			    m->parts);
		sim_buf_addf(b, " &middot; %s &middot; id <bdi>",
		    sim_alpha_name(sim_dc_alpha(m->dc)));
		sim_buf_html(b, m->ids);
		sim_buf_adds(
		    b, "</bdi></div><div class=\"text\" dir=\"auto\">");
		sim_buf_html(b, m->text);
	} else {
		sim_buf_adds(b, it->e->ussd ? " &middot; USSD to <bdi>"
					    : " &middot; SMS to <bdi>");
		sim_buf_html(b, it->e->to);
		sim_buf_adds(
		    b, "</bdi></div><div class=\"text\" dir=\"auto\">");
		sim_buf_html(b, it->e->text);
	}
	sim_buf_adds(b, "</div></li>\n");
}

/* The USSD panel: the screen the phone shows, the answer form while a
 * menu waits, the end of the dialogue, and the dial form. data-ussd on
 * the panel says the state (none, waiting, open, ended) for scripts. */
static void
phone_ussd_html(struct sim_buf *b, struct sim *s, const char *phone)
{
	static const char *const names[] = {"none", "waiting", "open",
	    "ended"};
	const struct sim_msg *scr;
	enum phone_ussd st = phone_ussd_state(s, phone, &scr);

	sim_buf_addf(b,
	    "<h2>USSD</h2>\n<section class=\"ussd\" "
	    "data-ussd=\"%s\">\n",
	    names[st]);
	if (st == PHONE_USSD_WAITING)
		sim_buf_adds(b, "<p class=\"note\">Waiting for the service"
				"&hellip; (Refresh)</p>\n");
	if (scr != NULL && st != PHONE_USSD_WAITING) {
		sim_buf_adds(b, "<div class=\"screen\" dir=\"auto\">");
		sim_buf_html(b, scr->text);
		sim_buf_adds(b, "</div>\n");
		if (scr->has_session)
			sim_buf_addf(b,
			    "<p class=\"meta\">op %u &middot; "
			    "its_session_info session %u sequence %u%s</p>\n",
			    scr->ussd_op, scr->session >> 8,
			    (scr->session & 0xff) >> 1,
			    (scr->session & 1) != 0 ? " &middot; end" : "");
	}
	if (st == PHONE_USSD_OPEN) {
		sim_buf_adds(b, "<form method=\"post\" action=\"/phone/ussd\">"
				"<input type=\"hidden\" name=\"phone\" "
				"value=\"");
		sim_buf_html(b, phone);
		sim_buf_addf(b,
		    "\"><input type=\"hidden\" name=\"action\" "
		    "value=\"reply\"><input type=\"hidden\" "
		    "name=\"session\" value=\"%u\">"
		    "<label>Answer <input name=\"text\" "
		    "dir=\"auto\" size=\"10\" autofocus required></label> "
		    "<button>Send</button></form>\n",
		    scr->has_session ? scr->session : 0);
	} else if (st == PHONE_USSD_ENDED) {
		sim_buf_adds(b, "<p class=\"end\">Session ended.</p>\n");
	}
	sim_buf_adds(b, "<form method=\"post\" "
			"action=\"/phone/ussd\"><input type=\"hidden\" "
			"name=\"phone\" value=\"");
	sim_buf_html(b, phone);
	sim_buf_adds(b, "\"><input type=\"hidden\" name=\"action\" "
			"value=\"dial\"><input name=\"text\" dir=\"ltr\" "
			"required value=\"");
	sim_buf_html(b, s->opts->ussd_code);
	sim_buf_addf(b, "\"> <button>%s</button></form>\n</section>\n",
	    st == PHONE_USSD_OPEN ? "Dial again (ends this menu)" : "Dial");
}

static void
web_phone(struct sim *s, struct sim_req *r)
{
	const char *phone = sim_req_arg(r, "phone");
	const char *note = sim_req_arg(r, "note");
	struct phone_item in[PHONE_ITEMS], out[PHONE_ITEMS];
	struct sim_buf b = {0};
	size_t nin = 0, nout = 0, i, j, k, shown;
	uint64_t first, last, q;

	if (phone == NULL || phone[0] == '\0') {
		phone = PHONE_DEFAULT;
	} else if (!phone_ok(phone)) {
		note = "That is not a phone number; showing the default one.";
		phone = PHONE_DEFAULT;
	}
	/* Newest first, each way. */
	sim_store_range(s->store, &first, &last);
	for (q = last; q >= first && q > 0 && nin < PHONE_ITEMS; q--) {
		const struct sim_msg *m = sim_store_get(s->store, q);

		if (m == NULL || !sim_phone_match(m->dst, phone))
			continue;
		in[nin].time = m->time;
		in[nin].in = true;
		in[nin].m = m;
		in[nin].e = NULL;
		nin++;
	}
	shown = s->sent_next < SIM_SENT_MAX ? s->sent_next : SIM_SENT_MAX;
	for (k = 0; k < shown && nout < PHONE_ITEMS; k++) {
		const struct sim_sent *e =
		    &s->sent[(s->sent_next - 1 - k) % SIM_SENT_MAX];

		if (e->text == NULL || !sim_phone_match(e->from, phone))
			continue;
		out[nout].time = e->time;
		out[nout].in = false;
		out[nout].m = NULL;
		out[nout].e = e;
		nout++;
	}

	sim_buf_adds(&b, "<!doctype html>\n<html lang=\"en\"><head>"
			 "<meta charset=\"utf-8\">"
			 "<meta name=\"viewport\" content=\"width=device-width,"
			 "initial-scale=1\"><title>Virtual phone ");
	sim_buf_html(&b, phone);
	sim_buf_adds(&b, " - smsdesk SMSC simulator</title><style>");
	sim_buf_adds(&b, phone_css);
	sim_buf_adds(&b, "</style></head><body>\n<h1>Virtual phone</h1>\n"
			 "<form method=\"get\" action=\"/\"><label>Number "
			 "<input name=\"phone\" dir=\"ltr\" inputmode=\"tel\" "
			 "required value=\"");
	sim_buf_html(&b, phone);
	sim_buf_adds(&b, "\"></label> <button>Open</button></form>\n");
	if (note != NULL && note[0] != '\0') {
		sim_buf_adds(
		    &b, "<p class=\"note\" role=\"status\" dir=\"auto\">");
		sim_buf_html(&b, note);
		sim_buf_adds(&b, "</p>\n");
	}

	sim_buf_adds(&b, "<h2>Send an SMS</h2>\n<form method=\"post\" "
			 "action=\"/phone/sms\"><input type=\"hidden\" "
			 "name=\"phone\" value=\"");
	sim_buf_html(&b, phone);
	sim_buf_adds(&b, "\"><textarea name=\"text\" rows=\"3\" dir=\"auto\" "
			 "required placeholder=\"STATUS 10025\"></textarea>"
			 "<label>To <input name=\"to\" dir=\"ltr\" size=\"8\" "
			 "value=\"");
	sim_buf_html(&b, s->opts->short_code);
	sim_buf_adds(&b, "\"></label> <button>Send</button></form>\n");

	phone_ussd_html(&b, s, phone);

	sim_buf_adds(&b, "<h2>Messages</h2>\n<form method=\"get\" "
			 "action=\"/\"><input type=\"hidden\" name=\"phone\" "
			 "value=\"");
	sim_buf_html(&b, phone);
	sim_buf_adds(&b, "\"><button>Refresh</button></form>\n<ol>\n");
	/* Merge the two lists, newest first. */
	for (i = j = 0; i < nin || j < nout;) {
		if (j == nout || (i < nin && in[i].time >= out[j].time))
			phone_item_html(&b, &in[i++]);
		else
			phone_item_html(&b, &out[j++]);
	}
	if (nin == 0 && nout == 0)
		sim_buf_adds(&b, "<li class=\"in\">No messages yet.</li>\n");
	sim_buf_addf(&b,
	    "</ol>\n<footer>SMSC simulator: SMPP on "
	    "127.0.0.1:%d &middot; <a href=\"/stats\">stats</a> "
	    "&middot; <a href=\"/submits\">submits</a></footer>\n"
	    "</body></html>\n",
	    s->smpp_port);
	reply(r, 200, CT_HTML, &b);
}

/* ---------------------------------------------------------------------
 * Routing
 */

typedef void (*web_fn)(struct sim *s, struct sim_req *r);

static const struct route {
	const char *method; /* "GET" (also answers HEAD) or "POST" */
	const char *path;   /* exact path */
	web_fn fn;          /* handler */
} routes[] = {
    {"GET", "/", web_phone},
    {"GET", "/healthz", web_healthz},
    {"GET", "/stats", web_stats},
    {"GET", "/submits", web_submits},
    {"POST", "/mo", web_mo},
    {"POST", "/ussd", web_ussd},
    {"POST", "/fault/drop", web_fault_drop},
    {"POST", "/fault/throttle", web_fault_throttle},
    {"POST", "/fault/no-enquire", web_fault_no_enquire},
    {"POST", "/fault/delay", web_fault_delay},
    {"POST", "/fault/chaos", web_fault_chaos},
    {"POST", "/fault/down", web_fault_down},
    {"POST", "/fault/clear", web_fault_clear},
    {"POST", "/phone/sms", web_phone_sms},
    {"POST", "/phone/ussd", web_phone_ussd},
};

void
sim_web_handle(struct sim *s, struct sim_req *r)
{
	const char *m = strcmp(r->method, "HEAD") == 0 ? "GET" : r->method;
	size_t i;
	const struct route *path_match = NULL;

	log_trace(TRACE_HTTP, "http", "request method=%s path=%s", r->method,
	    r->path);
	for (i = 0; i < sizeof(routes) / sizeof(routes[0]); i++) {
		if (strcmp(routes[i].path, r->path) != 0)
			continue;
		path_match = &routes[i];
		if (strcmp(routes[i].method, m) == 0) {
			routes[i].fn(s, r);
			return;
		}
	}
	if (path_match != NULL) {
		r->allow = strcmp(path_match->method, "GET") == 0 ? "GET, HEAD"
								  : "POST";
		reply_error(r, 405, "method not allowed");
		return;
	}
	reply_error(r, 404, "not found");
}
