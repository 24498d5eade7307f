/*
 * tests/sim/sim_main.c: smsdesk-smsc-sim, the bundled SMSC simulator:
 * options, start-up, the loop hooks and a clean shutdown.
 *
 * Start-up: parse options (a usage error exits 2), set up the loop and
 * its signals (before any thread exists, so libmicrohttpd's thread
 * inherits the blocked mask), listen for SMPP and HTTP on 127.0.0.1,
 * then write the ready file atomically (PATH.tmp.PID, rename):
 *   smpp=PORT http=PORT
 * SIGINT/SIGTERM: stop accepting, unbind bound sessions (waiting up to a
 * second for unbind_resp), close the rest, stop HTTP, free everything,
 * remove the ready file, exit 0. A second signal stops at once.
 *
 * --log-submits writes one line per stored message (stdout or --log):
 *   TIME submit seq=N ids=ID[,ID..] from=SRC to=DST dc=N parts=K/N
 *   text="..." (JSON-escaped UTF-8)
 * buffered and flushed once per loop turn.
 */
#include "tests/sim/sim.h"

#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <signal.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "core/base/clock.h"
#include "core/base/log.h"
#include "core/base/xmalloc.h"

#define HOUSEKEEPING_MS 500 /* timeouts and concatenation expiry */
#define STOP_WAIT_MS 1500   /* longest clean shutdown */
#define EXIT_USAGE 2

static const char usage_text[] =
    "usage: smsdesk-smsc-sim [options]\n"
    "\n"
    "An SMPP 3.4 SMSC simulator on 127.0.0.1 for smsdesk's ESME, with an\n"
    "HTTP control interface and a virtual phone page on GET /.\n"
    "\n"
    "SMPP:\n"
    "  --port N               SMPP port (default 2775; 0 = ephemeral)\n"
    "  --system-id ID         system_id binds must use (default smsdesk)\n"
    "  --password PW          password binds must use (default secret)\n"
    "  --max-conns N          ESME connections at once (default 64)\n"
    "  --hex-ids              alternate decimal and hex message ids\n"
    "  --dlr-id-dec           receipts name hex ids in decimal (the\n"
    "                         'resp in hex, receipt in decimal' SMSCs)\n"
    "Receipts, MOs and USSD:\n"
    "  --dlr-delay-ms N       delay before a receipt (default 200)\n"
    "  --undeliv-share PCT    share of receipts with stat:UNDELIV, 0..100,\n"
    "                         deterministic (10 = every 10th; default 0)\n"
    "  --undeliv LIST         comma-separated destination numbers whose\n"
    "                         receipts say stat:UNDELIV\n"
    "  --max-receipts N       receipts waiting or unacknowledged at most\n"
    "                         (default 100000; more are dropped)\n"
    "  --mo-window N          unacknowledged deliver_sm per session\n"
    "                         (default 100)\n"
    "  --short-code CODE      default MO/USSD destination (default 3000)\n"
    "  --ussd-code CODE       the phone page's dial (default *123#, smsdesk's\n"
    "                         [ussd] service_code)\n"
    "Stored submits:\n"
    "  --max-submits N        messages kept for /submits (default 100000)\n"
    "  --max-store-mb N       memory for their text, MiB (default 256)\n"
    "  --concat-timeout-ms N  wait for missing parts (default 60000)\n"
    "  --log-submits          log every submitted message as text\n"
    "  --log FILE             ... to FILE (appended) instead of stdout\n"
    "                         (implies --log-submits)\n"
    "Control:\n"
    "  --http-port N          HTTP control port (default 8081;\n"
    "                         0 = ephemeral)\n"
    "  --ready-file PATH      write 'smpp=PORT http=PORT' there (tmp +\n"
    "                         rename) once listening; removed at exit\n"
    "  -v, --verbose          debug logging\n"
    "  -T, --trace LIST       trace smpp,http,all (per-PDU lines)\n"
    "  -h, --help             this text\n"
    "\n"
    "HTTP (127.0.0.1 only; arguments in the query or a form body):\n"
    "  GET  /                 virtual phone (HTML)\n"
    "  GET  /healthz          ok\n"
    "  GET  /stats            counters as JSON; first_mo_ms, last_mo_ms,\n"
    "                         first_submit_ms, last_submit_ms,\n"
    "                         last_message_ms time MO deliver_sm out,\n"
    "                         submit_sm in and whole messages stored (ms\n"
    "                         since start, 0: none yet)\n"
    "  GET  /submits?since=N[&limit=L][&to=NUMBER]  messages, JSON lines\n"
    "  POST /mo?from=&to=&text=[&parts=N][&coding=ucs2|gsm7|auto]"
    "[&count=K]\n"
    "       [&numbered=0] (copies without ' #i') [&spread=S] (copies from\n"
    "       S numbers in turn: from, from+1, ...) [&text_spread=1] (the\n"
    "       number ending the text goes up with them) [&gap_ms=M] (part k\n"
    "       of each message (k-1)*M ms after the first)\n"
    "  POST /ussd?from=&text=[&to=][&op=N][&session=N]\n"
    "  POST /fault/drop | /fault/throttle?n=K | /fault/no-enquire |\n"
    "       /fault/delay?ms=M | /fault/clear\n"
    "  POST /fault/chaos?[drop_every=N][&throttle_pct=P][&stall_every=K]\n"
    "       [&stall_ms=M][&seed=S]  standing faults until /fault/clear:\n"
    "       links dropped every N PDUs read, P% of submits throttled,\n"
    "       every K-th submit response (and those behind it) M ms late\n"
    "  POST /fault/down?ms=M  drop every link, refuse new ones M ms\n";

enum {
	OPT_PORT = 256,
	OPT_HTTP_PORT,
	OPT_READY,
	OPT_SYSID,
	OPT_PASSWORD,
	OPT_HEX,
	OPT_DLR_DEC,
	OPT_DLR_DELAY,
	OPT_UNDELIV_SHARE,
	OPT_UNDELIV,
	OPT_LOG_SUBMITS,
	OPT_LOG,
	OPT_MO_WINDOW,
	OPT_MAX_CONNS,
	OPT_MAX_SUBMITS,
	OPT_MAX_STORE,
	OPT_MAX_RECEIPTS,
	OPT_CONCAT_TIMEOUT,
	OPT_SHORT_CODE,
	OPT_USSD_CODE,
};

static const struct option long_opts[] = {
    {"port", required_argument, NULL, OPT_PORT},
    {"http-port", required_argument, NULL, OPT_HTTP_PORT},
    {"ready-file", required_argument, NULL, OPT_READY},
    {"system-id", required_argument, NULL, OPT_SYSID},
    {"password", required_argument, NULL, OPT_PASSWORD},
    {"hex-ids", no_argument, NULL, OPT_HEX},
    {"dlr-id-dec", no_argument, NULL, OPT_DLR_DEC},
    {"dlr-delay-ms", required_argument, NULL, OPT_DLR_DELAY},
    {"undeliv-share", required_argument, NULL, OPT_UNDELIV_SHARE},
    {"undeliv", required_argument, NULL, OPT_UNDELIV},
    {"log-submits", no_argument, NULL, OPT_LOG_SUBMITS},
    {"log", required_argument, NULL, OPT_LOG},
    {"mo-window", required_argument, NULL, OPT_MO_WINDOW},
    {"max-conns", required_argument, NULL, OPT_MAX_CONNS},
    {"max-submits", required_argument, NULL, OPT_MAX_SUBMITS},
    {"max-store-mb", required_argument, NULL, OPT_MAX_STORE},
    {"max-receipts", required_argument, NULL, OPT_MAX_RECEIPTS},
    {"concat-timeout-ms", required_argument, NULL, OPT_CONCAT_TIMEOUT},
    {"short-code", required_argument, NULL, OPT_SHORT_CODE},
    {"ussd-code", required_argument, NULL, OPT_USSD_CODE},
    {"verbose", no_argument, NULL, 'v'},
    {"trace", required_argument, NULL, 'T'},
    {"help", no_argument, NULL, 'h'},
    {NULL, 0, NULL, 0},
};

static void
opts_defaults(struct sim_opts *o)
{
	memset(o, 0, sizeof(*o));
	o->smpp_port = 2775;
	o->http_port = 8081;
	o->system_id = "smsdesk";
	o->password = "secret";
	o->dlr_delay_ms = 200;
	o->mo_window = 100;
	o->max_conns = 64;
	o->max_submits = 100000;
	o->max_store_mb = 256;
	o->max_receipts = 100000;
	o->concat_timeout_ms = 60000;
	o->short_code = "3000";
	o->ussd_code = "*123#";
	o->smsc_id = "smsdesk-sim";
}

static void usage_error(const char *fmt, ...) SD_PRINTF(1, 2)
    __attribute__((noreturn));

static void
usage_error(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "smsdesk-smsc-sim: ");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\n(see --help)\n");
	exit(EXIT_USAGE);
}

static long
opt_long(const char *name, const char *v, long min, long max)
{
	char *end = NULL;
	long x;

	errno = 0;
	x = strtol(v, &end, 10);
	if (errno != 0 || end == v || *end != '\0' || x < min || x > max) {
		fprintf(stderr, "smsdesk-smsc-sim: --%s must be %ld..%ld\n",
		    name, min, max);
		exit(EXIT_USAGE);
	}
	return x;
}

static void
opt_undeliv(struct sim_opts *o, const char *list)
{
	const char *p = list;

	while (*p != '\0') {
		size_t n = strcspn(p, ",");

		if (n > 0) {
			if (n >= SIM_ADDR_MAX)
				usage_error(
				    "--undeliv: number too long in '%s'", list);
			if (o->n_undeliv >= SIM_UNDELIV_MAX)
				usage_error("--undeliv: too many numbers in "
					    "'%s'",
				    list);
			o->undeliv = xrealloc(o->undeliv,
			    (o->n_undeliv + 1) * sizeof(*o->undeliv));
			o->undeliv[o->n_undeliv++] = xstrndup(p, n);
		}
		p += n;
		if (*p == ',')
			p++;
	}
}

static void
opts_parse(struct sim_opts *o, int argc, char **argv)
{
	char err[SD_ERRLEN];
	unsigned mask;
	int c;

	while ((c = getopt_long(argc, argv, "vT:h", long_opts, NULL)) != -1) {
		switch (c) {
		case OPT_PORT:
			o->smpp_port = opt_long("port", optarg, 0, 65535);
			break;
		case OPT_HTTP_PORT:
			o->http_port = opt_long("http-port", optarg, 0, 65535);
			break;
		case OPT_READY: o->ready_file = optarg; break;
		case OPT_SYSID: o->system_id = optarg; break;
		case OPT_PASSWORD: o->password = optarg; break;
		case OPT_HEX: o->hex_ids = true; break;
		case OPT_DLR_DEC: o->dlr_id_dec = true; break;
		case OPT_DLR_DELAY:
			o->dlr_delay_ms =
			    opt_long("dlr-delay-ms", optarg, 0, 3600000);
			break;
		case OPT_UNDELIV_SHARE: {
			char *end = NULL;

			o->undeliv_share = strtod(optarg, &end);
			if (end == optarg || *end != '\0' ||
			    !(o->undeliv_share >= 0 && o->undeliv_share <= 100))
				usage_error("--undeliv-share must be 0..100, "
					    "not '%s'",
				    optarg);
			break;
		}
		case OPT_UNDELIV: opt_undeliv(o, optarg); break;
		case OPT_LOG_SUBMITS: o->log_submits = true; break;
		case OPT_LOG: o->log_path = optarg; break;
		case OPT_MO_WINDOW:
			o->mo_window =
			    opt_long("mo-window", optarg, 1, SIM_WINDOW_MAX);
			break;
		case OPT_MAX_CONNS:
			o->max_conns =
			    opt_long("max-conns", optarg, 1, SIM_CONNS_MAX);
			break;
		case OPT_MAX_SUBMITS:
			o->max_submits =
			    opt_long("max-submits", optarg, 1, 10000000);
			break;
		case OPT_MAX_STORE:
			o->max_store_mb =
			    opt_long("max-store-mb", optarg, 1, 65536);
			break;
		case OPT_MAX_RECEIPTS:
			o->max_receipts =
			    opt_long("max-receipts", optarg, 1, 10000000);
			break;
		case OPT_CONCAT_TIMEOUT:
			o->concat_timeout_ms =
			    opt_long("concat-timeout-ms", optarg, 100, 3600000);
			break;
		case OPT_SHORT_CODE: o->short_code = optarg; break;
		case OPT_USSD_CODE: o->ussd_code = optarg; break;
		case 'v': log_set_level(LOG_LVL_DEBUG); break;
		case 'T':
			if (log_trace_parse(optarg, &mask, err) != SD_OK)
				usage_error("%s", err);
			log_set_trace(mask);
			break;
		case 'h': fputs(usage_text, stdout); exit(0);
		default: fprintf(stderr, "(see --help)\n"); exit(EXIT_USAGE);
		}
	}
	if (optind < argc)
		usage_error("unexpected argument '%s'", argv[optind]);
	/* SMPP C-Octet Strings: system_id 16, password 9 with the NUL. */
	if (o->system_id[0] == '\0' || strlen(o->system_id) > 15)
		usage_error("--system-id must be 1..15 characters");
	if (strlen(o->password) > 8)
		usage_error("--password must be at most 8 characters");
	if (o->ussd_code[0] == '\0' || strlen(o->ussd_code) > 40)
		usage_error("--ussd-code must be 1..40 characters");
	if (o->short_code[0] == '\0' || strlen(o->short_code) >= SIM_ADDR_MAX)
		usage_error("--short-code must be 1..20 characters");
	if (o->log_path != NULL)
		o->log_submits = true;
}

static int64_t
mono_us(void)
{
	struct timespec ts;

	(void)clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

int64_t
sim_bench_us(const struct sim *s)
{
	int64_t us = mono_us() - s->started_us;

	return us > 0 ? us : 1;
}

/* ---------------------------------------------------------------------
 * Loop hooks
 */

static void
on_stored(const struct sim_msg *m, void *arg)
{
	struct sim *s = arg;
	struct sim_buf b = {0};
	char t[32];
	time_t tt = (time_t)m->time;
	struct tm tm;

	s->ctr.messages++;
	s->last_message_us = sim_bench_us(s);
	if (!m->complete)
		s->ctr.incomplete++;
	s->ctr.decode_problems += m->bad_units;
	if (s->submit_log == NULL)
		return;
	gmtime_r(&tt, &tm);
	strftime(t, sizeof(t), "%Y-%m-%dT%H:%M:%SZ", &tm);
	sim_buf_addf(&b,
	    "%s submit seq=%" PRIu64 " ids=%s from=%s to=%s dc=%u"
	    " parts=%u/%u text=",
	    t, m->seq, m->ids, m->src, m->dst, m->dc, m->parts_seen, m->parts);
	sim_buf_json(&b, m->text);
	sim_buf_add(&b, "\n", 1);
	(void)fwrite(b.p, 1, b.len, s->submit_log);
	sim_buf_fini(&b);
}

static void
before_sleep(struct sd_loop *loop, void *arg)
{
	struct sim *s = arg;

	if (!s->stopping)
		sim_deliver_pump(s);
	sim_smpp_flush(s);
	if (s->submit_log != NULL)
		(void)fflush(s->submit_log);
	if (s->stopping && s->n_conns == 0)
		sd_loop_stop(loop);
}

static void
on_housekeeping(struct sd_loop *loop, uint64_t id, void *arg)
{
	struct sim *s = arg;
	int64_t now = sd_clock_mono_ms();

	(void)id;
	sim_store_expire(s->store, now);
	sim_smpp_tick(s, now);
	(void)sd_loop_timer_add(loop, HOUSEKEEPING_MS, on_housekeeping, s);
}

static void
on_stop_timeout(struct sd_loop *loop, uint64_t id, void *arg)
{
	(void)id;
	(void)arg;
	log_info("sim", "shutdown timeout: stopping now");
	sd_loop_stop(loop);
}

static void
on_signal(struct sd_loop *loop, int signo, void *arg)
{
	struct sim *s = arg;

	if (s->stopping) {
		sd_loop_stop(loop);
		return;
	}
	log_info("sim", "stopping signal=%d", signo);
	s->stopping = true;
	sim_smpp_shutdown(s);
	(void)sd_loop_timer_add(loop, STOP_WAIT_MS, on_stop_timeout, s);
}

/* Write the ready file atomically. */
static bool
ready_write(const char *path, int smpp, int http)
{
	char *tmp = xasprintf("%s.tmp.%ld", path, (long)getpid());
	FILE *f = fopen(tmp, "w");
	bool ok = false;

	if (f != NULL) {
		ok = fprintf(f, "smpp=%d http=%d\n", smpp, http) > 0;
		ok = fflush(f) == 0 && ok;
		ok = fsync(fileno(f)) == 0 && ok;
		ok = fclose(f) == 0 && ok;
		ok = ok && rename(tmp, path) == 0;
	}
	if (!ok) {
		log_warn("sim", "cannot write ready file path=%s", path);
		(void)unlink(tmp);
	}
	free(tmp);
	return ok;
}

int
main(int argc, char **argv)
{
	static const int sigs[] = {SIGINT, SIGTERM};
	struct sim_opts o;
	struct sim s;
	char err[SD_ERRLEN];
	size_t i;
	int status = 0;

	opts_defaults(&o);
	opts_parse(&o, argc, argv);
	memset(&s, 0, sizeof(s));
	s.opts = &o;
	s.smpp_fd = -1;
	(void)signal(SIGPIPE, SIG_IGN);
	s.loop = sd_loop_new();
	if (s.loop == NULL)
		fatalx("sim", "cannot create the event loop");
	/* Before any thread starts, so libmicrohttpd's inherits the mask. */
	if (sd_loop_signals(s.loop, sigs, 2, on_signal, &s) != SD_OK)
		fatalx("sim", "cannot set up signals");
	s.started_ms = sd_clock_mono_ms();
	s.started_us = mono_us();
	/* See msgid_next() in sim_smpp.c. */
	s.msgid_base =
	    0xA00000000000ull + (((uint64_t)time(NULL) & 0xFFFFFFull) << 20);
	s.scratch = xmalloc(SIM_PDU_MAX + 1);
	s.store = sim_store_new((size_t)o.max_submits,
	    (size_t)o.max_store_mb << 20, o.concat_timeout_ms, on_stored, &s);
	if (o.log_submits) {
		s.submit_log =
		    o.log_path != NULL ? fopen(o.log_path, "a") : stdout;
		if (s.submit_log == NULL)
			fatalx("sim", "cannot open log path=%s error=\"%s\"",
			    o.log_path, strerror(errno));
	}
	if (sim_smpp_listen(&s, err) != SD_OK)
		fatalx("sim", "%s", err);
	if (sim_http_start(&s, err) != SD_OK)
		fatalx("sim", "%s", err);
	sd_loop_before_sleep(s.loop, before_sleep, &s);
	(void)sd_loop_timer_add(s.loop, HOUSEKEEPING_MS, on_housekeeping, &s);
	if (o.ready_file != NULL &&
	    !ready_write(o.ready_file, s.smpp_port, s.http_port))
		fatalx("sim", "no ready file");
	log_info("sim",
	    "ready smpp=127.0.0.1:%d http=127.0.0.1:%d"
	    " system_id=%s",
	    s.smpp_port, s.http_port, o.system_id);

	if (sd_loop_run(s.loop) != SD_OK)
		status = 1;

	sim_http_stop(&s);
	sim_smpp_fini(&s);
	log_info("sim",
	    "stopped submits=%" PRIu64 " messages=%" PRIu64
	    " receipts_sent=%" PRIu64 " mos_sent=%" PRIu64
	    " deliver_sm_resp=%" PRIu64,
	    s.ctr.submits_ok, s.ctr.messages, s.ctr.receipts_sent,
	    s.ctr.mos_sent, s.ctr.deliver_sm_resp);
	sim_deliver_fini(&s);
	sim_store_free(s.store);
	if (s.submit_log != NULL) {
		(void)fflush(s.submit_log);
		if (s.submit_log != stdout)
			(void)fclose(s.submit_log);
	}
	if (o.ready_file != NULL)
		(void)unlink(o.ready_file);
	free(s.scratch);
	sd_loop_free(s.loop);
	for (i = 0; i < o.n_undeliv; i++)
		free(o.undeliv[i]);
	free(o.undeliv);
	return status;
}
