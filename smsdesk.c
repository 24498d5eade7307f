/*
 * smsdesk.c: the program's entry point. The daemon (smsdesk serve) and the
 * operator's subcommands in one binary: main, the global options, the
 * command table and the usage. The rooms beside it are listed in
 * smsdesk_int.h.
 *
 * Subcommands are a table of word patterns -> handlers (OpenSMTPD smtpctl
 * style). Handlers go through core/ for every domain write; none holds SQL.
 * Errors go to stderr with a non-zero exit: 1 for a failure, 2 for a usage
 * error.
 */
#include "smsdesk_int.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "core/base/clock.h"
#include "core/base/log.h"

/* What a command needs before its handler runs (struct cmd needs). */
#define CMD_DB 0x1  /* the database, open in app->db */
#define CMD_ENV 0x2 /* app->env, with the calendar: refused without it */

struct cmd {
	const char *words[3]; /* e.g. "staff", "add" */
	int (*fn)(struct app *app, int argc, char **argv); /* handler */
	const char *usage;                                 /* arguments */
	const char *help;                                  /* one line */
	unsigned needs; /* CMD_DB | CMD_ENV */
};

static const struct cmd cmds[] = {
    {{"serve"}, cmd_serve, "[--ready-file PATH]",
	"run the daemon in the foreground (SIGINT/SIGTERM stop it)", CMD_ENV},
    {{"config", "check"}, cmd_config_check, "FILE",
	"validate a configuration file; errors as file:line", 0},
    {{"config", "defaults"}, cmd_config_defaults, "",
	"print every key with its default and a comment", 0},
    {{"db", "migrate"}, cmd_db_migrate, "",
	"create or upgrade the database schema", 0},
    {{"dept", "list"}, cmd_dept_list, "", "list departments and codes", CMD_DB},
    {{"staff", "add"}, cmd_staff_add,
	"--mobile M --first F --last L --title T --dept CODE[,CODE] "
	"[--head|--admin]",
	"add a staff member", CMD_DB},
    {{"staff", "list"}, cmd_staff_list, "", "list staff", CMD_DB},
    {{"staff", "disable"}, cmd_staff_disable, "MOBILE",
	"disable a staff member: no sign-in, sessions end at once", CMD_DB},
    {{"staff", "enable"}, cmd_staff_enable, "MOBILE",
	"enable a disabled staff member again", CMD_DB},
    {{"staff", "edit"}, cmd_staff_edit,
	"MOBILE [--first F] [--last L] [--title T] [--dept CODE[,CODE]] "
	"[--role staff|head|admin]",
	"change a staff member's names, title, role or departments", CMD_DB},
    {{"user", "add"}, cmd_user_add, "--mobile M --first F --last L",
	"add an applicant (verified by the operator)", CMD_DB},
    {{"request", "new"}, cmd_request_new,
	"--from M --dept CODE --priority P --title T --text BODY",
	"open a request for an applicant", CMD_DB | CMD_ENV},
    {{"request", "reply"}, cmd_request_reply, "N --from M --text BODY",
	"add a message to request N (staff answer or follow-up)",
	CMD_DB | CMD_ENV},
    {{"request", "close"}, cmd_request_close, "N --by M",
	"close request N as staff member M", CMD_DB | CMD_ENV},
    {{"request", "reopen"}, cmd_request_reopen, "N --by M",
	"reopen closed request N as staff member M", CMD_DB | CMD_ENV},
    {{"request", "escalate"}, cmd_request_escalate, "N",
	"send request N to the head's office", CMD_DB | CMD_ENV},
    {{"request", "list"}, cmd_request_list, "--mobile M",
	"an applicant's requests, newest first", CMD_DB},
    {{"request", "show"}, cmd_request_show, "N [--as M]",
	"show request N and its thread (as M: with M's access)", CMD_DB},
    {{"queue", "show"}, cmd_queue_show, "ID",
	"one outbound message: state, attempts, SMSC ids, reason", CMD_DB},
    {{"queue", "retry"}, cmd_queue_retry, "ID",
	"send a failed, expired or undeliverable message again", CMD_DB},
    {{"queue", "add"}, cmd_queue_add,
	"--to M --text T [--kind otp|alert|reply] [--count N]",
	"queue an SMS (N copies numbered \"T #i\"; tests, operators)", CMD_DB},
    {{"queue"}, cmd_queue, "",
	"outbound messages by kind and state, and the oldest waiting", CMD_DB},
    {{"inbox"}, cmd_inbox, "[--limit N]",
	"recent inbound messages, newest first: state, answer, and why one "
	"was not processed (a repeat, over a limit)",
	CMD_DB},
    {{"otp", "send"}, cmd_otp_send, "--mobile M [--purpose signup|login]",
	"issue a one-time password and queue it (the code is not shown)",
	CMD_DB},
    {{"holidays", "list"}, cmd_holidays_list, "[YEAR]",
	"the official holidays of YEAR (default: this year), '?' = to check",
	CMD_DB | CMD_ENV},
    {{"holidays", "import"}, cmd_holidays_import, "FILE",
	"store FILE's holidays (YYYY/MM/DD name), replacing its years", CMD_DB},
    {{"holidays", "suggest"}, cmd_holidays_suggest, "YEAR",
	"solar holidays + lunar ones computed with ICU, marked to check", 0},
    {{"sla", "sweep"}, cmd_sla_sweep, "",
	"escalate every request unanswered for [sla] answer_days working "
	"days (serve does this every minute)",
	CMD_DB | CMD_ENV},
};
#define N_CMDS (sizeof(cmds) / sizeof(cmds[0]))

static void
usage_all(FILE *fp)
{
	size_t i;

	fprintf(fp,
	    "usage: smsdesk [-c FILE] [-v] [-T smpp,db,...] COMMAND [ARGS]\n"
	    "\n"
	    "SMS-first help desk of the Construction Engineering "
	    "Organization.\n"
	    "\n"
	    "  -c, --config FILE  configuration (default: built-in; see "
	    "'config defaults')\n"
	    "  -v, --verbose      debug logging\n"
	    "  -T, --trace LIST   trace smpp,db,http,cmd,all\n"
	    "  -h, --help         this help; COMMAND --help for a command\n"
	    "      --version      print the version\n\ncommands:\n");
	for (i = 0; i < N_CMDS; i++) {
		char name[32];

		snprintf(name, sizeof(name), "%s%s%s", cmds[i].words[0],
		    cmds[i].words[1] != NULL ? " " : "",
		    cmds[i].words[1] != NULL ? cmds[i].words[1] : "");
		fprintf(fp, "  %-18s %s\n", name, cmds[i].help);
	}
}

static void
usage_cmd(const struct cmd *c, FILE *fp)
{
	fprintf(fp, "usage: smsdesk %s%s%s %s\n  %s\n", c->words[0],
	    c->words[1] != NULL ? " " : "",
	    c->words[1] != NULL ? c->words[1] : "", c->usage, c->help);
}

/* True if argv has -h or --help. */
static int
wants_help(int argc, char **argv)
{
	int i;

	for (i = 1; i < argc; i++)
		if (strcmp(argv[i], "--help") == 0 ||
		    strcmp(argv[i], "-h") == 0)
			return 1;
	return 0;
}

/* mkdir -p of the directory part of path. */
int
app_mkdir_parent(const char *path)
{
	char buf[PATH_MAX], *p;

	if (strlen(path) >= sizeof(buf))
		return -1;
	strcpy(buf, path);
	p = strrchr(buf, '/');
	if (p == NULL || p == buf)
		return 0;
	*p = '\0';
	for (p = buf + 1; *p != '\0'; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(buf, 0750) < 0 && errno != EEXIST)
			return -1;
		*p = '/';
	}
	if (mkdir(buf, 0750) < 0 && errno != EEXIST)
		return -1;
	return 0;
}

char *
app_arg_norm(const char *s)
{
	char err[SD_ERRLEN], *out = NULL;

	if (core_text_normalize(s, CORE_NORM_ALL | CORE_NORM_ZWNJ_DROP, &out,
		err) != SD_OK)
		return NULL;
	return out;
}

int
app_arg_number(const char *s, int64_t max, int64_t *out)
{
	char *n = app_arg_norm(s), *end;
	long long v = 0;
	int ok;

	if (n == NULL)
		return -1;
	errno = 0;
	/* Digits only: strtoll would take "-5", " 5" and "+5". */
	ok = n[0] >= '0' && n[0] <= '9';
	if (ok)
		v = strtoll(n, &end, 10);
	ok = ok && *end == '\0' && errno == 0 && v >= 1 && v <= max;
	free(n);
	if (!ok)
		return -1;
	*out = v;
	return 0;
}

int
app_arg_depts(const char *s, int *codes, size_t max, size_t *n)
{
	char *norm = app_arg_norm(s), *p, *q;
	int rc = -1;

	*n = 0;
	if (norm == NULL)
		goto out;
	/* «،» (U+060C, D8 8C) is the comma of a Persian keyboard. */
	while ((q = strstr(norm, "\xd8\x8c")) != NULL) {
		*q = ',';
		memmove(q + 1, q + 2, strlen(q + 2) + 1);
	}
	p = norm;
	while (*p != '\0') {
		char *end;
		long v;

		errno = 0;
		v = *p >= '0' && *p <= '9' ? strtol(p, &end, 10) : 0;
		if (v < 1 || v > 99 || errno != 0 ||
		    (*end != ',' && *end != '\0') || *n == max)
			goto out;
		codes[(*n)++] = (int)v;
		p = *end == ',' ? end + 1 : end;
	}
	rc = 0;
out:
	if (rc < 0)
		fprintf(stderr,
		    "smsdesk: --dept '%s' is not a list of department codes "
		    "like 2,5\n",
		    s);
	free(norm);
	return rc;
}

static const struct cmd *
cmd_find(int argc, char **argv, int *used)
{
	size_t i;

	for (i = 0; i < N_CMDS; i++) {
		const struct cmd *c = &cmds[i];
		int k = 0;

		while (k < 3 && c->words[k] != NULL && k < argc &&
		    strcmp(c->words[k], argv[k]) == 0)
			k++;
		if (k == 3 || c->words[k] == NULL) {
			*used = k;
			return c;
		}
	}
	return NULL;
}

int
main(int argc, char **argv)
{
	static const struct option lo[] = {
	    {"config", required_argument, NULL, 'c'},
	    {"verbose", no_argument, NULL, 'v'},
	    {"trace", required_argument, NULL, 'T'},
	    {"help", no_argument, NULL, 'h'},
	    {"version", no_argument, NULL, 'V'},
	    {NULL, 0, NULL, 0},
	};
	const char *trace = NULL;
	const struct cmd *c;
	struct app app;
	char err[SD_ERRLEN];
	unsigned mask = 0;
	int ch, used, verbose = 0, rc;
	char **sub;
	int nsub;

	memset(&app, 0, sizeof(app));
	/* '+': stop at the first non-option, the command word. */
	while ((ch = getopt_long(argc, argv, "+c:vT:h", lo, NULL)) != -1) {
		switch (ch) {
		case 'c': app.config_path = optarg; break;
		case 'v': verbose = 1; break;
		case 'T': trace = optarg; break;
		case 'h': usage_all(stdout); return 0;
		case 'V': printf("smsdesk %s\n", SMSDESK_VERSION); return 0;
		default: usage_all(stderr); return EXIT_USAGE;
		}
	}
	sub = argv + optind;
	nsub = argc - optind;
	if (nsub == 0) {
		usage_all(stderr);
		return EXIT_USAGE;
	}
	c = cmd_find(nsub, sub, &used);
	if (c == NULL) {
		fprintf(stderr,
		    "smsdesk: unknown command '%s'%s%s (see "
		    "smsdesk --help)\n",
		    sub[0], nsub > 1 ? " " : "", nsub > 1 ? sub[1] : "");
		return EXIT_USAGE;
	}
	/* The handler sees argv[0] = its last command word. */
	sub += used - 1;
	nsub -= used - 1;
	if (wants_help(nsub, sub)) {
		usage_cmd(c, stdout);
		return 0;
	}

	if (app.config_path != NULL) {
		int n = app_config_load(app.config_path, &app.cfg,
		    &app.config_loose);

		if (n != 0) {
			fprintf(stderr, "%s: %d configuration error%s\n",
			    app.config_path, n, n == 1 ? "" : "s");
			return 1;
		}
	} else {
		app_config_defaults(&app.cfg);
	}
	log_set_level(
	    verbose ? LOG_LVL_DEBUG : (enum log_level)app.cfg.log.level);
	if (trace == NULL && app.cfg.log.trace[0] != '\0')
		trace = app.cfg.log.trace;
	if (trace != NULL) {
		if (log_trace_parse(trace, &mask, err) != SD_OK) {
			fprintf(stderr, "smsdesk: -T: %s\n", err);
			return EXIT_USAGE;
		}
		log_set_trace(mask);
	}
	if (getenv("SMSDESK_CLOCK_OFFSET") != NULL)
		sd_clock_set_offset(
		    strtoll(getenv("SMSDESK_CLOCK_OFFSET"), NULL, 10));

	/* Before anything is opened: a command that would change a request
	 * without its working-day calendar must not run at all. */
	if ((c->needs & CMD_ENV) != 0 && app_env_init(&app) < 0) {
		fprintf(stderr,
		    "smsdesk: %s%s%s not run: it needs the "
		    "working-day calendar ([sla] holidays_file)\n",
		    c->words[0], c->words[1] != NULL ? " " : "",
		    c->words[1] != NULL ? c->words[1] : "");
		return 1;
	}
	if ((c->needs & CMD_DB) != 0) {
		if (app_mkdir_parent(app.cfg.db.path) < 0) {
			fprintf(stderr,
			    "smsdesk: cannot create the folder of "
			    "%s: %s\n",
			    app.cfg.db.path, strerror(errno));
			return 1;
		}
		/* Admin commands are quiet unless -v. */
		if (!verbose)
			log_set_level(LOG_LVL_WARN);
		if (db_open(&app.cfg.db, &app.db, err) != SD_OK) {
			fprintf(stderr, "smsdesk: %s\n", err);
			return 1;
		}
		/* The imported holidays count too (the file's for the
		 * other years). */
		if ((c->needs & CMD_ENV) != 0 &&
		    app_holidays_sync(&app, app.db,
			c->fn == cmd_sla_sweep ? APP_HOL_WARN : APP_HOL_QUIET) <
			0) {
			fprintf(stderr,
			    "smsdesk: %s%s%s not run: cannot read the "
			    "holidays table (smsdesk db migrate?)\n",
			    c->words[0], c->words[1] != NULL ? " " : "",
			    c->words[1] != NULL ? c->words[1] : "");
			db_close(app.db);
			core_calendar_free(app.cal);
			return 1;
		}
	}
	rc = c->fn(&app, nsub, sub);
	if (rc == EXIT_USAGE && !wants_help(nsub, sub))
		usage_cmd(c, stderr);
	db_close(app.db);
	core_calendar_free(app.cal);
	return rc;
}
