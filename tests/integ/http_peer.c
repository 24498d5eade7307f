/*
 * tests/integ/http_peer.c: a small program around smsc/http.c for the
 * interoperability tests: send messages through an HTTP SMS provider
 * (Kannel's smsbox, cgi-bin/sendsms) and, optionally, take the delivery
 * reports it calls back on [http_sms] receipt_path with a tiny listener
 * on the same event loop, read with smsc_http_parse_receipt(). Prints
 * one line per outcome and a summary; exits 0 only when every
 * expectation was met before the deadline.
 *
 *   http-peer --set KEY=VALUE ... ([http_sms] keys, in order)
 *             [--to NUM] [--text T] [--submit N] [--receipts]
 *             [--listen PORT] (receipt listener on 127.0.0.1:PORT, 0 for
 *             any; sets base_url to it) [--expect-receipts N]
 *             [--expect-state S] (wait for a receipt in SMPP state S)
 *             [--timeout S] [-v]
 *
 * Each message asks for its receipt with a fresh secret
 * (smsc_http_token_new()); a callback counts as a receipt only when it
 * carries that message's secret.
 *
 * Output lines: "accepted id=N msgid=M", "failed id=N temporary=0|1
 * reason=R", "receipt id=N state=S token=ok", "listening port=P", and
 * "submitted=N accepted=N failed=N receipts=N bad_callbacks=N ok=0|1".
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "core/base/conf.h"
#include "core/base/log.h"
#include "core/base/loop.h"
#include "smsc/smsc.h"

/* Bytes of a callback request read at most. */
#define PEER_REQ_MAX 8192
/* Callback connections open at once. */
#define PEER_CONN_MAX 16

/* One callback connection. */
struct conn {
	int fd;                     /* -1: free */
	char buf[PEER_REQ_MAX + 1]; /* what arrived */
	size_t len;                 /* its bytes */
};

struct peer {
	struct sd_loop *loop;         /* the loop */
	struct smsc_http *http;       /* the transport under test */
	struct smsc_http_config cfg;  /* its settings */
	struct smsc_hooks hooks;      /* our callbacks */
	const char *to, *text;        /* what to submit */
	long n_submit;                /* how many */
	bool want_receipts;           /* ask for receipts */
	long submitted;               /* queued so far */
	long accepted, failed;        /* outcomes */
	long expect_receipts;         /* receipts to wait for */
	int expect_state;             /* a receipt in this state, or 0 */
	bool seen_state;              /* it came */
	long receipts;                /* callbacks read */
	long bad_callbacks;           /* callbacks that were not receipts */
	char (*toks)[SMSC_HTTP_TOKEN_LEN + 1]; /* message i+1's secret */
	int lfd;                      /* listener, or -1 */
	struct conn conns[PEER_CONN_MAX]; /* callback connections */
};

static bool
peer_satisfied(const struct peer *p)
{
	return p->accepted + p->failed >= p->n_submit &&
	    p->receipts >= p->expect_receipts &&
	    (p->expect_state == 0 || p->seen_state);
}

static void
peer_feed(struct peer *p)
{
	char err[SD_ERRLEN];

	while (p->submitted < p->n_submit) {
		struct smsc_submit m;
		enum sd_rc rc;

		memset(&m, 0, sizeof(m));
		m.local_id = (uint64_t)p->submitted + 1;
		m.dest = p->to;
		m.text = p->text;
		m.receipt = p->want_receipts;
		smsc_http_token_new(p->toks[p->submitted]);
		m.receipt_token = p->toks[p->submitted];
		rc = smsc_http_submit(p->http, &m, err);
		if (rc == SD_EBUSY)
			return; /* the queue is full: after a hook */
		if (rc != SD_OK) {
			fprintf(stderr, "http-peer: submit: %s\n", err);
			exit(3);
		}
		p->submitted++;
	}
}

static void
on_accepted(void *arg, uint64_t id, unsigned part, unsigned parts,
    const char *msgid)
{
	struct peer *p = arg;

	(void)part;
	(void)parts;
	printf("accepted id=%llu msgid=%s\n", (unsigned long long)id, msgid);
	fflush(stdout);
	p->accepted++;
	peer_feed(p);
	if (peer_satisfied(p))
		sd_loop_stop(p->loop);
}

static void
on_failed(void *arg, uint64_t id, bool temporary, const char *why)
{
	struct peer *p = arg;

	printf("failed id=%llu temporary=%d reason=%s\n",
	    (unsigned long long)id, temporary, why);
	fflush(stdout);
	p->failed++;
	peer_feed(p);
	if (peer_satisfied(p))
		sd_loop_stop(p->loop);
}

static void
conn_close(struct peer *p, struct conn *c)
{
	sd_loop_fd_del(p->loop, c->fd);
	close(c->fd);
	c->fd = -1;
	c->len = 0;
}

/* A whole request head arrived on c: answer it and close. */
static void
conn_request(struct peer *p, struct conn *c)
{
	static const char ok[] = "HTTP/1.1 200 OK\r\nContent-Length: 3\r\n"
				 "Connection: close\r\n\r\nOK\n";
	static const char bad[] = "HTTP/1.1 400 Bad Request\r\n"
				  "Content-Length: 4\r\nConnection: close\r\n"
				  "\r\nBAD\n";
	char *target, *sp, *q, tok[SMSC_HTTP_TOKEN_LEN + 1];
	uint64_t id;
	int state;
	bool good = false;

	/* "GET /sms/dlr?id=1&type=1 HTTP/1.1" */
	sp = strchr(c->buf, ' ');
	if (sp != NULL) {
		target = sp + 1;
		sp = strchr(target, ' ');
		if (sp != NULL) {
			*sp = '\0';
			q = strchr(target, '?');
			if (q != NULL)
				*q++ = '\0';
			if (q != NULL &&
			    strcmp(target, p->cfg.receipt_path) == 0 &&
			    smsc_http_parse_receipt(&p->cfg, q, &id, &state,
				tok) == SD_OK && id >= 1 &&
			    id <= (uint64_t)p->submitted &&
			    strcmp(tok, p->toks[id - 1]) == 0) {
				printf("receipt id=%llu state=%d token=ok\n",
				    (unsigned long long)id, state);
				fflush(stdout);
				p->receipts++;
				if (state == p->expect_state)
					p->seen_state = true;
				good = true;
			}
		}
	}
	if (!good) {
		p->bad_callbacks++;
		fprintf(stderr, "http-peer: not a receipt: %.200s\n", c->buf);
	}
	/* A short answer into an empty socket buffer: one write does. */
	if (write(c->fd, good ? ok : bad, good ? sizeof(ok) - 1 :
	    sizeof(bad) - 1) < 0)
		fprintf(stderr, "http-peer: write: %s\n", strerror(errno));
	conn_close(p, c);
	if (peer_satisfied(p))
		sd_loop_stop(p->loop);
}

static void
on_conn(struct sd_loop *loop, int fd, unsigned events, void *arg)
{
	struct peer *p = arg;
	struct conn *c = NULL;
	ssize_t n;
	int i;

	(void)loop;
	(void)events;
	for (i = 0; i < PEER_CONN_MAX; i++)
		if (p->conns[i].fd == fd)
			c = &p->conns[i];
	if (c == NULL)
		return;
	n = read(fd, c->buf + c->len, PEER_REQ_MAX - c->len);
	if (n < 0 && (errno == EAGAIN || errno == EINTR))
		return;
	if (n <= 0) {
		conn_close(p, c);
		return;
	}
	c->len += (size_t)n;
	c->buf[c->len] = '\0';
	if (strstr(c->buf, "\r\n\r\n") != NULL)
		conn_request(p, c);
	else if (c->len == PEER_REQ_MAX)
		conn_close(p, c);
}

static void
on_accept(struct sd_loop *loop, int fd, unsigned events, void *arg)
{
	struct peer *p = arg;
	int c, i;

	(void)events;
	while ((c = accept4(fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC)) >=
	    0) {
		for (i = 0; i < PEER_CONN_MAX && p->conns[i].fd >= 0; i++)
			;
		if (i == PEER_CONN_MAX ||
		    sd_loop_fd_add(loop, c, SD_LOOP_READ, on_conn, p) !=
			SD_OK) {
			close(c);
			continue;
		}
		p->conns[i].fd = c;
		p->conns[i].len = 0;
	}
}

/* Listen on 127.0.0.1:port (0: any); the port bound, or -1. */
static int
peer_listen(struct peer *p, int port)
{
	struct sockaddr_in a;
	socklen_t al = sizeof(a);
	int one = 1;

	p->lfd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC,
	    0);
	if (p->lfd < 0)
		return -1;
	(void)setsockopt(p->lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	memset(&a, 0, sizeof(a));
	a.sin_family = AF_INET;
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	a.sin_port = htons((uint16_t)port);
	if (bind(p->lfd, (struct sockaddr *)&a, sizeof(a)) < 0 ||
	    listen(p->lfd, 16) < 0 ||
	    getsockname(p->lfd, (struct sockaddr *)&a, &al) < 0 ||
	    sd_loop_fd_add(p->loop, p->lfd, SD_LOOP_READ, on_accept, p) !=
		SD_OK)
		return -1;
	return ntohs(a.sin_port);
}

static void
on_deadline(struct sd_loop *loop, uint64_t id, void *arg)
{
	(void)id;
	(void)arg;
	fprintf(stderr, "http-peer: deadline reached\n");
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
usage(void)
{
	fprintf(stderr, "usage: http-peer --set KEY=VALUE ... [--to NUM] "
	    "[--text T] [--submit N] [--receipts] [--listen PORT] "
	    "[--expect-receipts N] [--expect-state S] [--timeout S] [-v]\n");
	exit(2);
}

int
main(int argc, char **argv)
{
	static const struct option lo[] = {
		{"set", required_argument, NULL, 'S'},
		{"to", required_argument, NULL, 't'},
		{"text", required_argument, NULL, 'x'},
		{"submit", required_argument, NULL, 'n'},
		{"receipts", no_argument, NULL, 'r'},
		{"listen", required_argument, NULL, 'l'},
		{"expect-receipts", required_argument, NULL, 'R'},
		{"expect-state", required_argument, NULL, 'E'},
		{"timeout", required_argument, NULL, 'o'},
		{"verbose", no_argument, NULL, 'v'},
		{NULL, 0, NULL, 0},
	};
	static const int sigs[] = {SIGINT, SIGTERM};
	struct sd_conf_section sec;
	struct smsc_http_stats st;
	struct peer p;
	char err[SD_ERRLEN], base[64];
	long timeout = 30, listen_port = -1;
	int ch, ok, i, port;

	memset(&p, 0, sizeof(p));
	p.lfd = -1;
	for (i = 0; i < PEER_CONN_MAX; i++)
		p.conns[i].fd = -1;
	sec.name = "http_sms";
	sec.keys = smsc_http_config_keys;
	sec.cfg = &p.cfg;
	sd_conf_defaults(&sec);
	p.to = "+989131111111";
	p.text = "test";
	p.n_submit = 1;
	log_set_level(LOG_LVL_WARN);
	while ((ch = getopt_long(argc, argv, "v", lo, NULL)) != -1) {
		char *eq;

		switch (ch) {
		case 'S':
			eq = strchr(optarg, '=');
			if (eq == NULL)
				usage();
			*eq = '\0';
			if (sd_conf_set(&sec, optarg, eq + 1, err) != SD_OK) {
				fprintf(stderr, "http-peer: %s\n", err);
				return 2;
			}
			break;
		case 't': p.to = optarg; break;
		case 'x': p.text = optarg; break;
		case 'n': p.n_submit = atol(optarg); break;
		case 'r': p.want_receipts = true; break;
		case 'l': listen_port = atol(optarg); break;
		case 'R': p.expect_receipts = atol(optarg); break;
		case 'E': p.expect_state = atoi(optarg); break;
		case 'o': timeout = atol(optarg); break;
		case 'v': log_set_level(LOG_LVL_DEBUG); break;
		default: usage();
		}
	}
	if (optind != argc || listen_port > 65535 || p.n_submit < 1 ||
	    p.n_submit > 1000000)
		usage();
	p.toks = calloc((size_t)p.n_submit, sizeof(*p.toks));
	if (p.toks == NULL)
		return 1;
	p.loop = sd_loop_new();
	if (p.loop == NULL ||
	    sd_loop_signals(p.loop, sigs, 2, on_signal, NULL) != SD_OK)
		return 1;
	if (listen_port >= 0) {
		port = peer_listen(&p, (int)listen_port);
		if (port < 0) {
			fprintf(stderr, "http-peer: listen: %s\n",
			    strerror(errno));
			return 1;
		}
		snprintf(base, sizeof(base), "http://127.0.0.1:%d", port);
		if (sd_conf_set(&sec, "base_url", base, err) != SD_OK) {
			fprintf(stderr, "http-peer: %s\n", err);
			return 1;
		}
		printf("listening port=%d\n", port);
		fflush(stdout);
	}
	p.hooks.arg = &p;
	p.hooks.accepted = on_accepted;
	p.hooks.failed = on_failed;
	if (smsc_http_new(&p.cfg, p.loop, &p.hooks, &p.http, err) != SD_OK) {
		fprintf(stderr, "http-peer: %s\n", err);
		return 1;
	}
	peer_feed(&p);
	(void)sd_loop_timer_add(p.loop, timeout * 1000, on_deadline, NULL);
	if (!peer_satisfied(&p) && sd_loop_run(p.loop) != SD_OK)
		return 1;
	ok = peer_satisfied(&p) && p.failed == 0 && p.bad_callbacks == 0;
	smsc_http_stats(p.http, &st);
	printf("submitted=%ld accepted=%ld failed=%ld receipts=%ld "
	    "bad_callbacks=%ld sent=%llu ok=%d\n", p.submitted, p.accepted,
	    p.failed, p.receipts, p.bad_callbacks,
	    (unsigned long long)st.sent, ok);
	smsc_http_free(p.http);
	for (i = 0; i < PEER_CONN_MAX; i++)
		if (p.conns[i].fd >= 0)
			conn_close(&p, &p.conns[i]);
	if (p.lfd >= 0) {
		sd_loop_fd_del(p.loop, p.lfd);
		close(p.lfd);
	}
	sd_loop_free(p.loop);
	free(p.toks);
	return ok ? 0 : 1;
}
