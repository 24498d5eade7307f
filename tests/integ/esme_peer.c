/*
 * tests/integ/esme_peer.c: a small program around smsc/esme.c for the
 * integration and interoperability tests: bind to an SMSC (the bundled
 * simulator, Kannel's drive_smpp, the npm smpp server), submit messages,
 * answer MOs, count receipts, and print a summary; exit 0 only when every
 * expectation was met before the deadline.
 *
 *   esme-peer --port P [--host H] [--bind trx|tx+rx] [--system-id S]
 *             [--password W] [--window N] [--max-tps N] [--long-sms M]
 *             [--submit N --to NUM --text T] [--receipts]
 *             [--submit-after S] (submits start S s after the first bind;
 *             by default they are queued at once)
 *             [--answer-mo TEXT] [--expect-mo N] [--expect-receipts N]
 *             [--expect-up-after-drop] [--timeout S] [--enquire S]
 *             [--response-timeout S] [--print-mo]
 */
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/base/clock.h"
#include "core/base/conf.h"
#include "core/base/log.h"
#include "core/base/loop.h"
#include "smsc/smsc.h"

struct peer {
	struct sd_loop *loop;       /* the loop */
	struct smsc_esme *esme;     /* the client under test */
	struct smsc_config cfg;     /* its settings */
	struct smsc_hooks hooks;    /* our callbacks */
	const char *to, *text;      /* what to submit */
	long n_submit;              /* how many */
	long submit_after_ms;       /* wait this long after the first bind */
	bool feeding;               /* submits may be queued */
	long submitted;             /* queued so far */
	bool want_receipts;         /* ask for receipts */
	const char *answer;         /* answer each MO with this text */
	long expect_mo;             /* MOs to wait for */
	long expect_receipts;       /* receipts to wait for */
	bool print_mo;              /* print each MO text */
	long accepted;              /* parts accepted */
	long accepted_msgs;         /* messages whose last part was accepted */
	long failed;                /* messages failed */
	long mo, receipts;          /* received */
	long answers;               /* answers queued */
	long link_ups, link_downs;  /* link events */
	uint64_t next_id;           /* local ids */
	bool done;                  /* expectations met */
};

static bool
peer_satisfied(const struct peer *p)
{
	return p->accepted_msgs + p->failed >= p->n_submit &&
	    p->mo >= p->expect_mo && p->receipts >= p->expect_receipts &&
	    (p->answer == NULL || p->accepted_msgs >= p->n_submit + p->mo);
}

static void
peer_feed(struct peer *p)
{
	char err[SD_ERRLEN];

	if (!p->feeding)
		return;
	while (p->submitted < p->n_submit) {
		struct smsc_submit m;
		enum sd_rc rc;

		memset(&m, 0, sizeof(m));
		m.local_id = ++p->next_id;
		m.dest = p->to;
		m.text = p->text;
		m.receipt = p->want_receipts;
		rc = smsc_esme_submit(p->esme, &m, err);
		if (rc == SD_EBUSY)
			return; /* the queue is full: later */
		if (rc != SD_OK) {
			fprintf(stderr, "submit: %s\n", err);
			exit(3);
		}
		p->submitted++;
	}
}

static void
on_feed_timer(struct sd_loop *loop, uint64_t id, void *arg)
{
	struct peer *p = arg;

	(void)loop;
	(void)id;
	p->feeding = true;
	peer_feed(p);
}

static void
on_link(void *arg, bool up)
{
	struct peer *p = arg;

	if (up && p->link_ups++ == 0 && !p->feeding)
		(void)sd_loop_timer_add(p->loop, p->submit_after_ms,
		    on_feed_timer, p);
	else
		p->link_downs++;
}

static void
on_accepted(void *arg, uint64_t id, unsigned part, unsigned parts,
    const char *msgid)
{
	struct peer *p = arg;

	(void)id;
	(void)msgid;
	p->accepted++;
	if (part == parts)
		p->accepted_msgs++;
	peer_feed(p);
	if (peer_satisfied(p))
		sd_loop_stop(p->loop);
}

static void
on_failed(void *arg, uint64_t id, bool temp, const char *why)
{
	struct peer *p = arg;

	fprintf(stderr, "failed id=%llu temp=%d why=%s\n",
	    (unsigned long long)id, temp, why);
	p->failed++;
	if (peer_satisfied(p))
		sd_loop_stop(p->loop);
}

static enum smsc_verdict
on_receipt(void *arg, const struct smsc_receipt *r)
{
	struct peer *p = arg;

	(void)r;
	p->receipts++;
	if (peer_satisfied(p))
		sd_loop_stop(p->loop);
	return SMSC_ACK;
}

static enum smsc_verdict
on_inbound(void *arg, const struct smsc_mo *mo)
{
	struct peer *p = arg;
	char err[SD_ERRLEN];

	p->mo++;
	if (p->print_mo)
		printf("mo from=%s to=%s parts=%u incomplete=%d ussd=%d "
		    "text=%.*s\n", mo->from, mo->to, mo->parts, mo->incomplete,
		    mo->ussd, (int)mo->text_len, mo->text);
	if (p->answer != NULL) {
		struct smsc_submit m;
		char reply[512];

		memset(&m, 0, sizeof(m));
		m.local_id = ++p->next_id;
		m.dest = mo->from;
		snprintf(reply, sizeof(reply), "%s %.*s", p->answer,
		    (int)mo->text_len, mo->text);
		m.text = reply;
		if (smsc_esme_submit(p->esme, &m, err) != SD_OK) {
			/* Not stored: let the SMSC send it again. */
			p->mo--;
			return SMSC_RETRY;
		}
		p->answers++;
	}
	if (peer_satisfied(p))
		sd_loop_stop(p->loop);
	return SMSC_ACK;
}

static void
on_deadline(struct sd_loop *loop, uint64_t id, void *arg)
{
	(void)id;
	(void)arg;
	fprintf(stderr, "deadline reached\n");
	sd_loop_stop(loop);
}

static void
on_signal(struct sd_loop *loop, int signo, void *arg)
{
	(void)signo;
	(void)arg;
	sd_loop_stop(loop);
}

static void
on_stopped(void *arg)
{
	struct peer *p = arg;

	sd_loop_stop(p->loop);
}

static void
usage(void)
{
	fprintf(stderr, "usage: esme-peer --port P [--host H] [--bind trx|tx+rx]"
	    " [--system-id S] [--password W] [--window N] [--max-tps N]"
	    " [--long-sms udh|sar|payload] [--submit N --to NUM --text T]"
	    " [--submit-after S]"
	    " [--receipts] [--answer-mo TEXT] [--expect-mo N]"
	    " [--expect-receipts N] [--timeout S] [--enquire S]"
	    " [--response-timeout S] [--print-mo] [-v]\n");
	exit(2);
}

int
main(int argc, char **argv)
{
	static const struct option lo[] = {
		{"host", required_argument, NULL, 'H'},
		{"port", required_argument, NULL, 'p'},
		{"bind", required_argument, NULL, 'b'},
		{"system-id", required_argument, NULL, 's'},
		{"password", required_argument, NULL, 'w'},
		{"window", required_argument, NULL, 'W'},
		{"max-tps", required_argument, NULL, 'T'},
		{"long-sms", required_argument, NULL, 'l'},
		{"submit", required_argument, NULL, 'n'},
		{"submit-after", required_argument, NULL, 'A'},
		{"to", required_argument, NULL, 't'},
		{"text", required_argument, NULL, 'x'},
		{"receipts", no_argument, NULL, 'r'},
		{"answer-mo", required_argument, NULL, 'a'},
		{"expect-mo", required_argument, NULL, 'm'},
		{"expect-receipts", required_argument, NULL, 'R'},
		{"timeout", required_argument, NULL, 'o'},
		{"enquire", required_argument, NULL, 'e'},
		{"response-timeout", required_argument, NULL, 'O'},
		{"print-mo", no_argument, NULL, 'P'},
		{"verbose", no_argument, NULL, 'v'},
		{NULL, 0, NULL, 0},
	};
	static const int sigs[] = {SIGINT, SIGTERM};
	struct sd_conf_section sec;
	struct peer p;
	struct smsc_esme_stats st;
	char err[SD_ERRLEN];
	long timeout = 20;
	int ch, ok;

	memset(&p, 0, sizeof(p));
	sec.name = "smpp";
	sec.keys = smsc_config_keys;
	sec.cfg = &p.cfg;
	sd_conf_defaults(&sec);
	sec.name = "ussd"; /* the transport's [ussd] keys, in the same struct */
	sec.keys = smsc_ussd_config_keys;
	sd_conf_defaults(&sec);
	sec.name = "smpp";
	sec.keys = smsc_config_keys;
	p.to = "+989131111111";
	p.text = "test";
	log_set_level(LOG_LVL_WARN);
	while ((ch = getopt_long(argc, argv, "v", lo, NULL)) != -1) {
		const char *key = NULL;

		switch (ch) {
		case 'H': key = "host"; break;
		case 'p': key = "port"; break;
		case 'b': key = "bind"; break;
		case 's': key = "system_id"; break;
		case 'w': key = "password"; break;
		case 'W': key = "window"; break;
		case 'T': key = "max_tps"; break;
		case 'l': key = "long_sms"; break;
		case 'e': key = "enquire_link_s"; break;
		case 'O': key = "response_timeout_s"; break;
		case 'n': p.n_submit = atol(optarg); break;
		case 'A': p.submit_after_ms = atol(optarg) * 1000; break;
		case 't': p.to = optarg; break;
		case 'x': p.text = optarg; break;
		case 'r': p.want_receipts = true; break;
		case 'a': p.answer = optarg; break;
		case 'm': p.expect_mo = atol(optarg); break;
		case 'R': p.expect_receipts = atol(optarg); break;
		case 'o': timeout = atol(optarg); break;
		case 'P': p.print_mo = true; break;
		case 'v': log_set_level(LOG_LVL_DEBUG); break;
		default: usage();
		}
		if (key != NULL && sd_conf_set(&sec, key, optarg, err) != SD_OK) {
			fprintf(stderr, "esme-peer: %s\n", err);
			return 2;
		}
	}
	if (optind != argc)
		usage();
	p.loop = sd_loop_new();
	if (p.loop == NULL ||
	    sd_loop_signals(p.loop, sigs, 2, on_signal, NULL) != SD_OK)
		return 1;
	p.hooks.arg = &p;
	p.hooks.link = on_link;
	p.hooks.accepted = on_accepted;
	p.hooks.failed = on_failed;
	p.hooks.receipt = on_receipt;
	p.hooks.inbound = on_inbound;
	if (smsc_esme_new(&p.cfg, p.loop, &p.hooks, &p.esme, err) != SD_OK) {
		fprintf(stderr, "esme-peer: %s\n", err);
		return 1;
	}
	p.feeding = p.submit_after_ms == 0;
	peer_feed(&p);
	(void)sd_loop_timer_add(p.loop, timeout * 1000, on_deadline, NULL);
	if (!peer_satisfied(&p) && sd_loop_run(p.loop) != SD_OK)
		return 1;
	ok = peer_satisfied(&p);
	/* Clean unbind, bounded by response_timeout_s. */
	smsc_esme_stop(p.esme, on_stopped, &p);
	(void)sd_loop_timer_add(p.loop,
	    (p.cfg.response_timeout_s + 2) * 1000, on_deadline, NULL);
	if (sd_loop_run(p.loop) != SD_OK)
		return 1;
	smsc_esme_stats(p.esme, &st);
	printf("submitted=%ld accepted_parts=%ld accepted=%ld failed=%ld "
	    "mo=%ld answers=%ld receipts=%ld link_ups=%ld link_downs=%ld "
	    "binds=%llu bind_failures=%llu resent=%llu throttled=%llu "
	    "timeouts=%llu "
	    "bad_pdus=%llu generic_nacks=%llu enquire_sent=%llu ok=%d\n",
	    p.submitted, p.accepted, p.accepted_msgs, p.failed, p.mo,
	    p.answers, p.receipts, p.link_ups, p.link_downs,
	    (unsigned long long)st.binds,
	    (unsigned long long)st.bind_failures,
	    (unsigned long long)st.resent,
	    (unsigned long long)st.throttled, (unsigned long long)st.timeouts,
	    (unsigned long long)st.bad_pdus,
	    (unsigned long long)st.generic_nacks,
	    (unsigned long long)st.enquire_sent, ok);
	smsc_esme_free(p.esme);
	sd_loop_free(p.loop);
	return ok ? 0 : 1;
}
