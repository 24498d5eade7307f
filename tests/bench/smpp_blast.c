/*
 * tests/bench/smpp_blast.c: the thinnest SMPP 3.4 ESME that answers MOs,
 * to measure the simulator's own ceiling (tests/bench/bench_mo.sh
 * blast). It binds as a transceiver, and for every deliver_sm read it
 * queues the deliver_sm_resp and a submit_sm with a fixed GSM 7-bit text
 * back to the sender; everything queued while handling one read() goes
 * out in one write. No window, no library, no store: it checks framing
 * only, and stops (unbind, exit 0) after --expect submit_sm_resp, or on
 * SIGTERM/SIGINT (exit 1).
 *
 *   smpp-blast --port P [--system-id S] [--password W] [--text T]
 *              [--expect N]
 *
 * Built by bench_mo.sh with the system compiler (libc only) into
 * build/bench/smpp-blast; not part of smsdesk.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#define BIND_TRX 0x00000009u
#define SUBMIT_SM 0x00000004u
#define DELIVER_SM 0x00000005u
#define UNBIND 0x00000006u
#define ENQUIRE_LINK 0x00000015u
#define RESP 0x80000000u
#define PDU_MAX 65536
#define RBUF (4 * PDU_MAX)

static volatile sig_atomic_t stop;

static void
on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

static uint32_t
get32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	       (uint32_t)p[2] << 8 | p[3];
}

static void
put32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

/* Output buffer: grows as needed. */
static uint8_t *out;
static size_t out_len, out_cap;

static uint8_t *
out_room(size_t n)
{
	if (out_len + n > out_cap) {
		out_cap = out_cap == 0 ? 65536 : out_cap;
		while (out_len + n > out_cap)
			out_cap *= 2;
		out = realloc(out, out_cap);
		if (out == NULL) {
			perror("smpp-blast: realloc");
			exit(1);
		}
	}
	return out + out_len;
}

static void
out_header(uint8_t *p, uint32_t len, uint32_t cmd, uint32_t status,
    uint32_t seq)
{
	put32(p, len);
	put32(p + 4, cmd);
	put32(p + 8, status);
	put32(p + 12, seq);
}

static void
out_flush(int fd)
{
	size_t off = 0;

	while (off < out_len) {
		ssize_t n = send(fd, out + off, out_len - off, MSG_NOSIGNAL);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			perror("smpp-blast: send");
			exit(1);
		}
		off += (size_t)n;
	}
	out_len = 0;
}

/* Append a C-Octet String. */
static size_t
cstr(uint8_t *p, const char *s)
{
	size_t n = strlen(s) + 1;

	memcpy(p, s, n);
	return n;
}

static uint32_t next_seq = 1;

/* Queue a submit_sm of text to dst (TON/NPI as the MO's source). */
static void
queue_submit(const char *dst, uint8_t ton, uint8_t npi, const char *text)
{
	size_t tl = strlen(text);
	uint8_t *p = out_room(16 + 6 + 2 + 21 + 2 + 21 + 12 + tl);
	size_t o = 16;

	o += cstr(p + o, "");     /* service_type */
	p[o++] = 0;               /* source_addr_ton */
	p[o++] = 1;               /* source_addr_npi */
	o += cstr(p + o, "3000"); /* source_addr */
	p[o++] = ton;
	p[o++] = npi;
	o += cstr(p + o, dst);
	p[o++] = 0; /* esm_class */
	p[o++] = 0; /* protocol_id */
	p[o++] = 0; /* priority_flag */
	p[o++] = 0; /* schedule_delivery_time */
	p[o++] = 0; /* validity_period */
	p[o++] = 0; /* registered_delivery */
	p[o++] = 0; /* replace_if_present_flag */
	p[o++] = 0; /* data_coding: GSM 7-bit (ASCII text) */
	p[o++] = 0; /* sm_default_msg_id */
	p[o++] = (uint8_t)tl;
	memcpy(p + o, text, tl);
	o += tl;
	out_header(p, (uint32_t)o, SUBMIT_SM, 0, next_seq++);
	out_len += o;
}

/* The source address and TON/NPI of a deliver_sm body, or -1. */
static int
deliver_source(const uint8_t *b, size_t n, char src[21], uint8_t *ton,
    uint8_t *npi)
{
	size_t o = 0, k;

	while (o < n && b[o] != 0) /* service_type */
		o++;
	o++;
	if (o + 2 > n)
		return -1;
	*ton = b[o];
	*npi = b[o + 1];
	o += 2;
	for (k = 0; o + k < n && b[o + k] != 0 && k < 20; k++)
		src[k] = (char)b[o + k];
	if (o + k >= n || b[o + k] != 0)
		return -1;
	src[k] = '\0';
	return 0;
}

static void
usage(void)
{
	fprintf(stderr, "usage: smpp-blast --port P [--system-id S]"
			" [--password W] [--text T] [--expect N]\n");
	exit(2);
}

int
main(int argc, char **argv)
{
	const char *sysid = "smsdesk", *pw = "secret", *text = "ok";
	long port = 0, expect = 0, mo = 0, resp = 0, bad = 0;
	struct sockaddr_in sa;
	static uint8_t rbuf[RBUF];
	size_t rlen = 0;
	int fd, one = 1, i, bound = 0;

	for (i = 1; i < argc; i++) {
		if (i + 1 >= argc)
			usage();
		if (strcmp(argv[i], "--port") == 0)
			port = atol(argv[++i]);
		else if (strcmp(argv[i], "--system-id") == 0)
			sysid = argv[++i];
		else if (strcmp(argv[i], "--password") == 0)
			pw = argv[++i];
		else if (strcmp(argv[i], "--text") == 0)
			text = argv[++i];
		else if (strcmp(argv[i], "--expect") == 0)
			expect = atol(argv[++i]);
		else
			usage();
	}
	if (port <= 0 || port > 65535 || strlen(text) > 160 ||
	    strlen(sysid) > 15 || strlen(pw) > 8)
		usage();
	signal(SIGTERM, on_signal);
	signal(SIGINT, on_signal);
	signal(SIGPIPE, SIG_IGN);
	fd = socket(AF_INET, SOCK_STREAM, 0);
	memset(&sa, 0, sizeof(sa));
	sa.sin_family = AF_INET;
	sa.sin_port = htons((uint16_t)port);
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (fd < 0 || connect(fd, (struct sockaddr *)&sa, sizeof(sa)) != 0) {
		perror("smpp-blast: connect");
		return 1;
	}
	(void)setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	{
		uint8_t *p = out_room(64);
		size_t o = 16;

		o += cstr(p + o, sysid);
		o += cstr(p + o, pw);
		o += cstr(p + o, ""); /* system_type */
		p[o++] = 0x34;        /* interface_version */
		p[o++] = 0;           /* addr_ton */
		p[o++] = 0;           /* addr_npi */
		o += cstr(p + o, ""); /* address_range */
		out_header(p, (uint32_t)o, BIND_TRX, 0, next_seq++);
		out_len += o;
		out_flush(fd);
	}
	while (!stop && (expect == 0 || resp < expect)) {
		ssize_t n = recv(fd, rbuf + rlen, sizeof(rbuf) - rlen, 0);
		size_t off = 0;

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			fprintf(stderr, "smpp-blast: connection closed\n");
			return 1;
		}
		rlen += (size_t)n;
		while (rlen - off >= 16) {
			const uint8_t *p = rbuf + off;
			uint32_t len = get32(p), cmd = get32(p + 4);
			uint32_t st = get32(p + 8), seq = get32(p + 12);

			if (len < 16 || len > PDU_MAX) {
				fprintf(stderr, "smpp-blast: bad frame\n");
				return 1;
			}
			if (rlen - off < len)
				break;
			if (cmd == (BIND_TRX | RESP)) {
				if (st != 0) {
					fprintf(stderr, "smpp-blast: bind refused"
							" 0x%08x\n", st);
					return 1;
				}
				bound = 1;
			} else if (cmd == DELIVER_SM) {
				char src[21];
				uint8_t ton, npi, *q = out_room(17);

				out_header(q, 17, DELIVER_SM | RESP, 0, seq);
				q[16] = 0;
				out_len += 17;
				if (deliver_source(p + 16, len - 16, src, &ton,
					&npi) == 0) {
					queue_submit(src, ton, npi, text);
					mo++;
				} else {
					bad++;
				}
			} else if (cmd == (SUBMIT_SM | RESP)) {
				if (st == 0)
					resp++;
				else
					bad++;
			} else if (cmd == ENQUIRE_LINK) {
				uint8_t *q = out_room(16);

				out_header(q, 16, ENQUIRE_LINK | RESP, 0, seq);
				out_len += 16;
			} else if (cmd == UNBIND) {
				uint8_t *q = out_room(16);

				out_header(q, 16, UNBIND | RESP, 0, seq);
				out_len += 16;
				stop = 1;
			}
			off += len;
		}
		memmove(rbuf, rbuf + off, rlen - off);
		rlen -= off;
		if (out_len > 0)
			out_flush(fd);
	}
	if (bound) {
		uint8_t *q = out_room(16);

		out_header(q, 16, UNBIND, 0, next_seq++);
		out_len += 16;
		out_flush(fd);
	}
	close(fd);
	printf("mo=%ld submit_resp=%ld bad=%ld\n", mo, resp, bad);
	return expect > 0 && resp >= expect ? 0 : 1;
}
