/*
 * smsdesk_queue.c: the operator's commands on the outbox: queue (counts
 * by kind and state), queue show, queue retry, queue add; and on the
 * inbox: inbox (recent MOs with their state and reason).
 */
#include "smsdesk_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/base/clock.h"

/* A message id, in any digits. */
static int
parse_id(const char *s, int64_t *out)
{
	if (app_arg_number(s, INT64_MAX, out) < 0) {
		fprintf(stderr, "smsdesk: '%s' is not a message id\n", s);
		return -1;
	}
	return 0;
}

int
cmd_queue(struct app *app, int argc, char **argv)
{
	struct db_outbox_counts c;
	char when[SD_JALALI_LEN];
	int k, st;

	(void)argv;
	if (argc != 1) {
		fprintf(stderr, "usage: smsdesk queue\n");
		return EXIT_USAGE;
	}
	if (db_outbox_counts(app->db, &c) != SD_OK) {
		fprintf(stderr, "smsdesk: %s\n", db_errmsg(app->db));
		return 1;
	}
	printf("%-6s", "kind");
	for (st = 0; st < CORE_OUT_STATE_COUNT; st++)
		printf(" %13s", core_out_state_name((enum core_out_state)st));
	printf("\n");
	for (k = 0; k < CORE_OUT_KIND_COUNT; k++) {
		printf("%-6s", core_out_kind_name((enum core_out_kind)k));
		for (st = 0; st < CORE_OUT_STATE_COUNT; st++)
			printf(" %13lld", (long long)c.n[k][st]);
		printf("\n");
	}
	if (c.oldest_waiting != 0)
		printf("oldest waiting: %s (%lld s ago)\n",
		    core_jalali_format(c.oldest_waiting, when),
		    (long long)(sd_clock_now() - c.oldest_waiting));
	else
		printf("oldest waiting: none\n");
	return 0;
}

int
cmd_queue_show(struct app *app, int argc, char **argv)
{
	struct db_outbox_row r;
	char when[SD_JALALI_LEN], upd[SD_JALALI_LEN], *parts = NULL, *text;
	int64_t id;
	enum sd_rc rc;

	if (argc != 2) {
		fprintf(stderr, "usage: smsdesk queue show ID\n");
		return EXIT_USAGE;
	}
	if (parse_id(argv[1], &id) < 0)
		return EXIT_USAGE;
	rc = db_outbox_get(app->db, id, &r, &parts);
	if (rc != SD_OK) {
		fprintf(stderr, "smsdesk: %s\n",
		    rc == SD_ENOTFOUND ? "no such message" :
					 db_errmsg(app->db));
		return 1;
	}
	printf("id: %lld\nkind: %s\npriority: %d\nto: %s\nstate: %s\n"
	       "attempts: %d\nroute: %s\nsmsc id: %s\nparts: %d%s%s\n"
	       "queued: %s\nupdated: %s\n",
	    (long long)r.id, core_out_kind_name(r.kind), r.priority,
	    r.destination, core_out_state_name(r.state), r.attempts,
	    r.route == CORE_OUT_ROUTE_SMPP     ? "smpp" :
		r.route == CORE_OUT_ROUTE_HTTP ? "http" :
						 "-",
	    r.smsc_id[0] != '\0' ? r.smsc_id : "-", r.parts,
	    parts != NULL && parts[0] != '\0' ? " " : "",
	    parts != NULL ? parts : "", core_jalali_format(r.created, when),
	    core_jalali_format(r.updated, upd));
	if (r.tracking != 0)
		printf("request: %lld\n", (long long)r.tracking);
	if (r.expires != 0)
		printf("expires: %s\n", core_jalali_format(r.expires, when));
	if (r.reason[0] != '\0')
		printf("reason: %s\n", r.reason);
	/* An OTP's text holds a live code: never print it. Others may
	 * quote what a sender wrote: escaped for the terminal. */
	text = core_text_escape(r.body, CORE_ESC_LINES);
	printf("text: %s\n",
	    r.kind == CORE_OUT_OTP ? "(one-time password, "
				     "not shown)" :
				     text);
	free(text);
	free(parts);
	db_outbox_row_fini(&r);
	return 0;
}

int
cmd_queue_retry(struct app *app, int argc, char **argv)
{
	char err[SD_ERRLEN];
	int64_t id;
	enum sd_rc rc;

	if (argc != 2) {
		fprintf(stderr, "usage: smsdesk queue retry ID\n");
		return EXIT_USAGE;
	}
	if (parse_id(argv[1], &id) < 0)
		return EXIT_USAGE;
	rc = core_out_retry(app->db, id, err);
	if (rc != SD_OK) {
		fprintf(stderr, "smsdesk: %s\n",
		    rc == SD_ENOTFOUND ?
			"no such message" :
			rc == SD_ESTATE ?
			"it is still queued or submitted" :
			rc == SD_EPERM ?
			"a one-time password is never sent again (its code is "
			"masked once final); issue a new one" :
			err);
		return 1;
	}
	printf("queued again: %lld\n", (long long)id);
	return 0;
}

int
cmd_queue_add(struct app *app, int argc, char **argv)
{
	static const struct option lo[] = {
	    {"to", required_argument, NULL, 't'},
	    {"text", required_argument, NULL, 'x'},
	    {"kind", required_argument, NULL, 'k'},
	    {"count", required_argument, NULL, 'n'},
	    {NULL, 0, NULL, 0},
	};
	const char *to = NULL, *text = NULL;
	char e164[SD_MOBILE_LEN], err[SD_ERRLEN];
	enum core_out_kind kind = CORE_OUT_ALERT;
	int64_t count = 1, first = 0, last = 0;
	enum sd_rc rc;

	OPT_BEGIN(argc, argv, "", lo)
	{
	case 't': to = optarg; break;
	case 'x': text = optarg; break;
	case 'k':
		if (core_out_kind_parse(optarg, &kind) != SD_OK ||
		    kind == CORE_OUT_USSD) {
			fprintf(stderr,
			    "smsdesk: --kind is otp, alert or "
			    "reply\n");
			return EXIT_USAGE;
		}
		break;
	case 'n':
		if (app_arg_number(optarg, 1000000, &count) < 0)
			count = 0; /* the usage below */
		break;
	default: return EXIT_USAGE;
	}
	OPT_END;
	if (to == NULL || text == NULL || optind != argc || count < 1 ||
	    count > 1000000) {
		fprintf(stderr,
		    "usage: smsdesk queue add --to M --text T "
		    "[--kind otp|alert|reply] [--count N (1..1000000)]\n");
		return EXIT_USAGE;
	}
	if (core_mobile_parse(to, e164, err) != SD_OK) {
		fprintf(stderr, "smsdesk: --to: %s\n", err);
		return EXIT_USAGE;
	}
	rc = core_out_add(app->db, kind, e164, text, count, &first, &last, err);
	if (rc != SD_OK) {
		fprintf(stderr, "smsdesk: %s\n",
		    rc == SD_EINVAL ? "the text is empty or not valid UTF-8" :
				      err);
		return 1;
	}
	if (count == 1)
		printf("%lld\n", (long long)first);
	else
		printf("%lld..%lld\n", (long long)first, (long long)last);
	return 0;
}

/* At most chars characters of s on one line (line breaks as spaces),
 * "…" when cut, into out. */
static void
one_line(const char *s, size_t chars, char *out, size_t n)
{
	size_t k = 0, c = 0;

	for (; *s != '\0' && k + 5 < n; s++) {
		unsigned char b = (unsigned char)*s;

		if ((b & 0xc0) != 0x80 && c++ == chars)
			break;
		out[k++] = b == '\n' || b == '\r' || b == '\t' ? ' ' : (char)b;
	}
	out[k] = '\0';
	if (*s != '\0')
		snprintf(out + k, n - k, "…");
}

int
cmd_inbox(struct app *app, int argc, char **argv)
{
	struct db_inbox_entry *rows;
	char when[SD_JALALI_LEN], text[256], state[32], reply[24];
	int64_t limit = 20;
	size_t n, i;

	if (argc == 3 && strcmp(argv[1], "--limit") == 0) {
		/* Persian or Arabic-Indic digits too (app_arg_number). */
		if (app_arg_number(argv[2], SD_LIST_MAX, &limit) < 0 ||
		    limit < 1) {
			fprintf(stderr,
			    "smsdesk: --limit wants 1..%d, not '%s'\n",
			    SD_LIST_MAX, argv[2]);
			return EXIT_USAGE;
		}
	} else if (argc != 1) {
		fprintf(stderr, "usage: smsdesk inbox [--limit N]\n");
		return EXIT_USAGE;
	}
	if (db_inbox_recent(app->db, (size_t)limit, &rows, &n) != SD_OK) {
		fprintf(stderr, "smsdesk: %s\n", db_errmsg(app->db));
		return 1;
	}
	printf("%-7s %-21s %-15s %-5s %-14s %-7s %s\n", "id", "received",
	    "from", "kind", "state", "answer", "text / reason");
	for (i = 0; i < n; i++) {
		const struct db_inbox_entry *r = &rows[i];

		if (r->dup_of != 0)
			snprintf(state, sizeof(state), "repeat of %lld",
			    (long long)r->dup_of);
		else
			snprintf(state, sizeof(state), "%s",
			    r->state == 0 ? "stored" : "handled");
		if (r->reply_id != 0)
			snprintf(reply, sizeof(reply), "%lld",
			    (long long)r->reply_id);
		else
			snprintf(reply, sizeof(reply), "-");
		one_line(r->body, 40, text, sizeof(text));
		printf("%-7lld %-21s %-15s %-5s %-14s %-7s %s\n",
		    (long long)r->id, core_jalali_format(r->received, when),
		    r->source, r->kind == DB_INBOX_USSD ? "ussd" : "sms", state,
		    reply, text);
		if (r->reason[0] != '\0')
			printf("%-7s reason: %s\n", "", r->reason);
	}
	db_inbox_entries_free(rows, n);
	return 0;
}
