/*
 * smsdesk.c: the program's entry point. The daemon (smsdesk serve) and the
 * operator's subcommands in one binary; the only file that includes every
 * module and <ini.h>.
 *
 * Subcommands are a table of word patterns -> handlers (OpenSMTPD smtpctl
 * style). Handlers go through core/ for every domain write; none holds SQL.
 * Errors go to stderr with a non-zero exit: 1 for a failure, 2 for a usage
 * error.
 */
#include <assert.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <ini.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/base/clock.h"
#include "core/base/conf.h"
#include "core/base/log.h"
#include "core/base/loop.h"
#include "core/base/xmalloc.h"
#include "core/core.h"
#include "db/db.h"
#include "smsc/smsc.h"
#include "web-min/web.h"

#define SMSDESK_VERSION "0.1.0"
#define EXIT_USAGE 2

/* Where an install puts the holidays file (make PREFIX=...; README). */
#ifndef SMSDESK_SHAREDIR
#define SMSDESK_SHAREDIR "/usr/local/share/smsdesk"
#endif

/* Section [log]. */
struct log_config {
	int level;                     /* enum log_level */
	char trace[SD_CONF_VALUE_MAX]; /* "smpp,db" */
};

static const char *const log_level_choices[] = {"error", "warn", "info",
	"debug", NULL};

static enum sd_rc
log_check_trace(const char *v, char err[SD_ERRLEN])
{
	unsigned mask;

	return log_trace_parse(v, &mask, err);
}

static const struct sd_conf_key log_config_keys[] = {
	{"level", SD_CONF_ENUM, offsetof(struct log_config, level), "info", 0,
	    0, log_level_choices, NULL, "error | warn | info | debug"},
	{"trace", SD_CONF_STR, offsetof(struct log_config, trace), "", 0, 0,
	    NULL, log_check_trace, "trace subsystems: smpp,db,http,cmd,all"},
	{NULL, SD_CONF_STR, 0, NULL, 0, 0, NULL, NULL, NULL},
};

/* The whole configuration, one struct per section. Immutable once
 * loaded; passed by const pointer. */
struct app_config {
	struct db_config db;          /* [db] */
	struct web_config web;        /* [web] */
	struct smsc_config smpp;      /* [smpp] */
	struct smsc_http_config http; /* [http_sms] */
	struct smsc_pipe_config queue; /* [queue] */
	struct core_otp_config otp;   /* [otp] */
	struct core_sms_config sms;   /* [sms] */
	struct core_sla_config sla;   /* [sla] */
	struct core_alert_config alerts; /* [alerts] */
	struct log_config log;        /* [log] */
};

#define APP_N_SECTIONS 10

static void
app_sections(struct app_config *c, struct sd_conf_section s[APP_N_SECTIONS])
{
	const struct sd_conf_section tab[APP_N_SECTIONS] = {
		{"db", db_config_keys, &c->db},
		{"web", web_config_keys, &c->web},
		{"smpp", smsc_config_keys, &c->smpp},
		{"http_sms", smsc_http_config_keys, &c->http},
		{"queue", smsc_pipe_config_keys, &c->queue},
		{"otp", core_otp_config_keys, &c->otp},
		{"sms", core_sms_config_keys, &c->sms},
		{"sla", core_sla_config_keys, &c->sla},
		{"alerts", core_alert_config_keys, &c->alerts},
		{"log", log_config_keys, &c->log},
	};

	memcpy(s, tab, sizeof(tab));
}

static void
app_config_defaults(struct app_config *c)
{
	struct sd_conf_section s[APP_N_SECTIONS];
	size_t i;

	memset(c, 0, sizeof(*c));
	app_sections(c, s);
	for (i = 0; i < APP_N_SECTIONS; i++)
		sd_conf_defaults(&s[i]);
}

/* State of one INI parse: line counting reader plus collected errors. */
struct conf_parse {
	FILE *fp;                /* the file */
	const char *path;        /* for messages */
	int line;                /* line just read */
	int n_errors;            /* errors reported */
	struct app_config *cfg;  /* being filled */
	const char *secret;      /* a secret key the file sets, or NULL */
	char dir[PATH_MAX];      /* the file's folder, absolute */
};

/*
 * Keys that name a file or folder. A relative value written in a config
 * file is read from that file's folder (issue #10), never from wherever
 * the command happens to run; the built-in defaults stay relative to the
 * working folder (make run).
 */
static const struct conf_path_key {
	const char *section; /* its section */
	const char *key;     /* its key */
} conf_path_keys[] = {
	{"db", "path"},
	{"web", "attachments_dir"},
	{"http_sms", "ca_file"},
	{"sla", "holidays_file"},
};

/* The folder of the file at path, absolute, in out (PATH_MAX). -1 if
 * the file cannot be resolved. */
static int
conf_dir_of(const char *path, char *out)
{
	char *slash;

	if (realpath(path, out) == NULL)
		return -1;
	slash = strrchr(out, '/');
	if (slash == out)
		slash[1] = '\0'; /* "/x.ini" -> "/" */
	else if (slash != NULL)
		*slash = '\0';
	return 0;
}

/* If key of sec names a path and its value is relative, make it relative
 * to dir. Values that are not a file name stay: empty (none), ":memory:",
 * and [sla] holidays_file's "auto". */
static enum sd_rc
conf_path_resolve(const struct sd_conf_section *sec, const char *key,
    const char *dir, char err[SD_ERRLEN])
{
	const struct sd_conf_key *k;
	char tmp[SD_CONF_VALUE_MAX], *v;
	size_t i;

	for (i = 0; i < sizeof(conf_path_keys) / sizeof(conf_path_keys[0]);
	     i++)
		if (strcmp(conf_path_keys[i].section, sec->name) == 0 &&
		    strcmp(conf_path_keys[i].key, key) == 0)
			break;
	if (i == sizeof(conf_path_keys) / sizeof(conf_path_keys[0]))
		return SD_OK;
	for (k = sec->keys; k->name != NULL && strcmp(k->name, key) != 0; k++)
		;
	assert(k->name != NULL && k->type == SD_CONF_STR);
	v = (char *)sec->cfg + k->off;
	if (v[0] == '\0' || v[0] == '/' || strcmp(v, ":memory:") == 0 ||
	    strcmp(v, CORE_HOLIDAYS_AUTO) == 0)
		return SD_OK;
	if (snprintf(tmp, sizeof(tmp), "%s%s%s", dir,
		dir[strlen(dir) - 1] == '/' ? "" : "/", v) >= (int)sizeof(tmp)) {
		snprintf(err, SD_ERRLEN, "%s: too long once read from the "
		    "file's folder %s", key, dir);
		return SD_EINVAL;
	}
	memcpy(v, tmp, sizeof(tmp));
	return SD_OK;
}

/* True if name is one of the sections. */
static int
conf_section_known(struct app_config *cfg, const char *name, size_t len)
{
	struct sd_conf_section s[APP_N_SECTIONS];
	size_t i;

	app_sections(cfg, s);
	for (i = 0; i < APP_N_SECTIONS; i++)
		if (strlen(s[i].name) == len && strncmp(s[i].name, name, len) == 0)
			return 1;
	return 0;
}

/* fgets for inih that counts lines and reports unknown [sections] on
 * their own line (inih calls the handler only for keys). */
static char *
conf_reader(char *str, int num, void *stream)
{
	struct conf_parse *p = stream;
	char *r = fgets(str, num, p->fp);
	const char *b = str, *e;

	if (r == NULL)
		return r;
	p->line++;
	while (*b == ' ' || *b == '\t')
		b++;
	if (*b == '[' && (e = strchr(b, ']')) != NULL &&
	    !conf_section_known(p->cfg, b + 1, (size_t)(e - b - 1))) {
		fprintf(stderr, "%s:%d: unknown section [%.*s]\n", p->path,
		    p->line, (int)(e - b - 1), b + 1);
		p->n_errors++;
	}
	return r;
}

static int
conf_handler(void *user, const char *section, const char *name,
    const char *value)
{
	struct conf_parse *p = user;
	struct sd_conf_section s[APP_N_SECTIONS];
	char err[SD_ERRLEN];
	size_t i;

	app_sections(p->cfg, s);
	for (i = 0; i < APP_N_SECTIONS; i++)
		if (strcmp(s[i].name, section) == 0)
			break;
	if (i == APP_N_SECTIONS) {
		/* Reported once, on the [section] line, by conf_reader();
		 * a key before any section has section "". */
		if (section[0] == '\0') {
			fprintf(stderr, "%s:%d: '%s' is outside any [section]\n",
			    p->path, p->line, name);
			p->n_errors++;
		}
		return 1; /* keep going: report every error at once */
	}
	/* Secrets the file sets (an empty url or header holds none). */
	if (strcmp(section, "smpp") == 0 && strcmp(name, "password") == 0)
		p->secret = "the SMPP password";
	else if (p->secret == NULL && value[0] != '\0' &&
	    strcmp(section, "http_sms") == 0 &&
	    (strcmp(name, "auth_header") == 0 || strcmp(name, "url") == 0))
		p->secret = "[http_sms] credentials";
	if (sd_conf_set(&s[i], name, value, err) != SD_OK ||
	    conf_path_resolve(&s[i], name, p->dir, err) != SD_OK) {
		fprintf(stderr, "%s:%d: [%s] %s\n", p->path, p->line, section,
		    err);
		p->n_errors++;
	}
	return 1;
}

/*
 * Load path over the defaults. Errors are printed as "file:line: reason";
 * returns the number of errors (0 = OK). Relative paths the file writes
 * are made relative to its folder (conf_path_keys). *loose (may be NULL) names the
 * secret the file holds ([smpp] password, [http_sms] url or auth_header)
 * when group or others may read it, else is NULL (style.md A6: secrets
 * live only in the 0600 config file).
 */
static int
app_config_load(const char *path, struct app_config *cfg,
    const char **loose)
{
	struct conf_parse p;
	struct stat st;
	int r;

	if (loose != NULL)
		*loose = NULL;
	app_config_defaults(cfg);
	memset(&p, 0, sizeof(p));
	p.path = path;
	p.cfg = cfg;
	p.fp = fopen(path, "r");
	if (p.fp == NULL || conf_dir_of(path, p.dir) < 0) {
		fprintf(stderr, "%s: cannot open: %s\n", path, strerror(errno));
		if (p.fp != NULL)
			fclose(p.fp);
		return 1;
	}
	r = ini_parse_stream(conf_reader, &p, conf_handler, &p);
	if (p.secret != NULL && fstat(fileno(p.fp), &st) == 0 &&
	    (st.st_mode & 077) != 0) {
		/* Not warned here, for every command that reads the
		 * file: serve and config check say it (config_warn). */
		if (loose != NULL)
			*loose = p.secret;
	}
	fclose(p.fp);
	if (r > 0) {
		/* A syntax error inih itself found (no '=' or ']'). */
		fprintf(stderr, "%s:%d: syntax error (expected [section] or "
		    "key = value)\n", path, r);
		p.n_errors++;
	}
	return p.n_errors;
}

/* The warning for a config file with secrets readable by others. */
static void
config_warn(const char *path, const char *what)
{
	struct stat st;

	if (stat(path, &st) != 0)
		return;
	log_warnx("config", "file holds %s and is readable by %s: chmod "
	    "600 it path=%s mode=%04o", what,
	    (st.st_mode & 007) != 0 ? "others" : "its group", path,
	    (unsigned)(st.st_mode & 0777));
}

/*
 * [sla] holidays_file = auto (the default): the first readable
 * holidays.txt of, in order,
 *   1. the config file's folder (with -c FILE),
 *   2. $SMSDESK_DATADIR,
 *   3. the bundle: conf/ of the source tree the running binary was built
 *      in (build/smsdesk -> ../conf, build/asan/smsdesk -> ../../conf),
 *   4. SMSDESK_SHAREDIR (make's PREFIX/share/smsdesk,
 *      /usr/local/share/smsdesk by default),
 * so a command finds it from any folder (issue #10). The path found is
 * written into cfg. -1, with the places tried on stderr, if none is.
 */
static int
app_holidays_find(struct app_config *cfg, const char *config_path)
{
	enum { N_CAND = 5 };
	char cand[N_CAND][PATH_MAX], dir[PATH_MAX], exe[PATH_MAX];
	const char *datadir = getenv("SMSDESK_DATADIR");
	size_t n = 0, i;
	ssize_t len;

	if (config_path != NULL && conf_dir_of(config_path, dir) == 0)
		snprintf(cand[n++], PATH_MAX, "%s/holidays.txt", dir);
	if (datadir != NULL && datadir[0] != '\0')
		snprintf(cand[n++], PATH_MAX, "%s/holidays.txt", datadir);
	len = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	if (len > 0) {
		exe[len] = '\0';
		*strrchr(exe, '/') = '\0';
		snprintf(cand[n++], PATH_MAX, "%s/../conf/holidays.txt", exe);
		snprintf(cand[n++], PATH_MAX, "%s/../../conf/holidays.txt",
		    exe);
	}
	snprintf(cand[n++], PATH_MAX, "%s/holidays.txt", SMSDESK_SHAREDIR);
	for (i = 0; i < n; i++) {
		char real[PATH_MAX];

		if (access(cand[i], R_OK) != 0)
			continue;
		if (realpath(cand[i], real) == NULL)
			snprintf(real, sizeof(real), "%s", cand[i]);
		if (strlen(real) >= sizeof(cfg->sla.holidays_file))
			continue;
		strcpy(cfg->sla.holidays_file, real);
		return 0;
	}
	fprintf(stderr, "smsdesk: [sla] holidays_file = auto: no readable "
	    "holidays.txt in");
	for (i = 0; i < n; i++)
		fprintf(stderr, "%s %s", i > 0 ? "," : "", cand[i]);
	fprintf(stderr, "; set [sla] holidays_file (empty: no holidays) or "
	    "SMSDESK_DATADIR\n");
	return -1;
}

/* The working-day calendar of cfg's [sla] (the holidays file found
 * first if it is auto). -1, with the reason on stderr, if it cannot be
 * read; prefix (may be NULL) starts that line. */
static int
app_calendar(struct app_config *cfg, const char *config_path,
    const char *prefix, struct core_calendar **cal)
{
	char err[SD_ERRLEN];

	if (strcmp(cfg->sla.holidays_file, CORE_HOLIDAYS_AUTO) == 0 &&
	    app_holidays_find(cfg, config_path) < 0)
		return -1;
	if (core_calendar_new(&cfg->sla, cal, err) != SD_OK) {
		fprintf(stderr, "%s: %s\n", prefix != NULL ? prefix :
		    "smsdesk", err);
		return -1;
	}
	return 0;
}

/* What every handler gets. */
struct app {
	struct app_config cfg;     /* loaded configuration */
	const char *config_path;   /* NULL: built-in defaults */
	const char *config_loose;  /* the secret others may read there, or
				      NULL */
	struct db *db;             /* opened for handlers that need it */
	struct core_env env;       /* what the domain reads of cfg: set
				      for commands with CMD_ENV only */
	struct core_calendar *cal; /* built by app_env_init() */
};

/*
 * The domain's view of the configuration, with SMS side effects, and the
 * working-day calendar, for a command marked CMD_ENV, before it runs.
 * -1, with the reason on stderr, if the holidays file cannot be read:
 * such a command must not run without it (issue #10: an answer was
 * stored and its alert silently dropped).
 */
static int
app_env_init(struct app *app)
{
	if (app_calendar(&app->cfg, app->config_path, NULL, &app->cal) < 0)
		return -1;
	app->env.base_url = app->cfg.web.base_url;
	app->env.sms = &app->cfg.sms;
	app->env.sla = &app->cfg.sla;
	app->env.cal = app->cal;
	app->env.alerts = &app->cfg.alerts;
	app->env.effects = CORE_FX_SMS;
	return 0;
}

/* What a command needs before its handler runs (struct cmd needs). */
#define CMD_DB 0x1  /* the database, open in app->db */
#define CMD_ENV 0x2 /* app->env, with the calendar: refused without it */

struct cmd {
	const char *words[3];                       /* e.g. "staff", "add" */
	int (*fn)(struct app *app, int argc, char **argv); /* handler */
	const char *usage;                          /* arguments */
	const char *help;                           /* one line */
	unsigned needs;                             /* CMD_DB | CMD_ENV */
};

static int cmd_serve(struct app *, int, char **);
static int cmd_config_check(struct app *, int, char **);
static int cmd_config_defaults(struct app *, int, char **);
static int cmd_db_migrate(struct app *, int, char **);
static int cmd_dept_list(struct app *, int, char **);
static int cmd_staff_add(struct app *, int, char **);
static int cmd_staff_list(struct app *, int, char **);
static int cmd_user_add(struct app *, int, char **);
static int cmd_request_new(struct app *, int, char **);
static int cmd_request_reply(struct app *, int, char **);
static int cmd_request_close(struct app *, int, char **);
static int cmd_request_reopen(struct app *, int, char **);
static int cmd_request_escalate(struct app *, int, char **);
static int cmd_request_list(struct app *, int, char **);
static int cmd_request_show(struct app *, int, char **);
static int cmd_queue(struct app *, int, char **);
static int cmd_queue_show(struct app *, int, char **);
static int cmd_queue_retry(struct app *, int, char **);
static int cmd_queue_add(struct app *, int, char **);
static int cmd_otp_send(struct app *, int, char **);
static int cmd_sla_sweep(struct app *, int, char **);

static const struct cmd cmds[] = {
	{{"serve"}, cmd_serve, "[--ready-file PATH]",
	    "run the daemon in the foreground (SIGINT/SIGTERM stop it)",
	    CMD_ENV},
	{{"config", "check"}, cmd_config_check, "FILE",
	    "validate a configuration file; errors as file:line", 0},
	{{"config", "defaults"}, cmd_config_defaults, "",
	    "print every key with its default and a comment", 0},
	{{"db", "migrate"}, cmd_db_migrate, "",
	    "create or upgrade the database schema", 0},
	{{"dept", "list"}, cmd_dept_list, "", "list departments and codes",
	    CMD_DB},
	{{"staff", "add"}, cmd_staff_add,
	    "--mobile M --first F --last L --title T --dept CODE[,CODE] "
	    "[--head|--admin]",
	    "add a staff member", CMD_DB},
	{{"staff", "list"}, cmd_staff_list, "", "list staff", CMD_DB},
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
	    "queue an SMS (N copies numbered \"T #i\"; tests, operators)",
	    CMD_DB},
	{{"queue"}, cmd_queue, "",
	    "outbound messages by kind and state, and the oldest waiting",
	    CMD_DB},
	{{"otp", "send"}, cmd_otp_send, "--mobile M [--purpose signup|login]",
	    "issue a one-time password and queue it (the code is not shown)",
	    CMD_DB},
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
		if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0)
			return 1;
	return 0;
}

/* Parse a tracking number argument. */
static int
parse_tracking(const char *s, int64_t *out)
{
	char *end;
	long long v;

	errno = 0;
	v = strtoll(s, &end, 10);
	if (*s == '\0' || *end != '\0' || errno != 0 || v < 1) {
		fprintf(stderr, "smsdesk: '%s' is not a tracking number\n", s);
		return -1;
	}
	*out = v;
	return 0;
}

/* Resolve a mobile number to a user id. */
static int
user_id_of(struct app *app, const char *mobile, int64_t *id)
{
	struct db_user u;
	char e164[SD_MOBILE_LEN], err[SD_ERRLEN];
	enum sd_rc rc;

	if (core_mobile_parse(mobile, e164, err) != SD_OK) {
		fprintf(stderr, "smsdesk: mobile '%s': %s\n", mobile, err);
		return -1;
	}
	rc = db_user_by_mobile(app->db, e164, &u);
	if (rc != SD_OK) {
		fprintf(stderr, "smsdesk: %s\n", rc == SD_ENOTFOUND ?
		    "no user with that mobile number" : db_errmsg(app->db));
		return -1;
	}
	*id = u.id;
	db_user_fini(&u);
	return 0;
}

/* getopt_long over a subcommand's arguments; resets getopt state. */
#define OPT_BEGIN(argc, argv, shortopts, longopts)                           \
	optind = 0; /* 0, not 1: glibc then re-reads the "+" mode too */ \
	opterr = 1;                                                          \
	for (int ch_; (ch_ = getopt_long(argc, argv, shortopts, longopts,    \
			   NULL)) != -1;)                                    \
		switch (ch_)
#define OPT_END

/* ---- serve ------------------------------------------------------------- */

/* The daemon's state, owned by the main (gw) thread. */
struct serve {
	struct app *app;             /* configuration */
	struct sd_loop *loop;        /* the gw event loop */
	struct db *db;               /* the gw thread's connection */
	struct web *web;             /* the web view */
	struct smsc_pipe *pipe;      /* outbox, inbox, SMPP and HTTP */
	struct smsc_pipe_hooks hooks; /* its events */
	struct web_hooks web_hooks;  /* what the web view serves for us */
	const struct core_env *env;  /* what the domain reads */
	int lock_fd;                 /* flock'ed <db>.lock */
	int stopping;                /* a stop signal arrived */
	uint64_t sla_timer;          /* the next SLA sweep */
};

/* The two-working-day rule: soon after start, then every minute. */
#define SLA_FIRST_MS 1000
#define SLA_EVERY_MS 60000

static void
serve_sla_tick(struct sd_loop *loop, uint64_t id, void *arg)
{
	struct serve *s = arg;
	char err[SD_ERRLEN];
	size_t n = 0;

	(void)id;
	s->sla_timer = 0;
	if (s->stopping)
		return;
	if (core_sla_sweep(s->db, s->env, &n, err) != SD_OK)
		log_warnx("sla", "sweep failed, next in %d s error=\"%s\"",
		    SLA_EVERY_MS / 1000, err);
	if (n > 0)
		log_info("sla", "escalated overdue requests n=%zu", n);
	/* Very urgent requests held back by the hourly limits: digests. */
	if (core_alert_digest(s->db, s->env, &n, err) != SD_OK)
		log_warnx("alert", "digest failed, next in %d s error=\"%s\"",
		    SLA_EVERY_MS / 1000, err);
	s->sla_timer = sd_loop_timer_add(loop, SLA_EVERY_MS, serve_sla_tick, s);
}

static void
serve_pipe_stopped(void *arg)
{
	struct serve *s = arg;

	sd_loop_stop(s->loop);
}

/* An MO, on the pipeline's store thread inside its transaction: the
 * command channel reads it and queues the answer. */
static enum sd_rc
serve_handle_mo(void *arg, struct db *db, const struct smsc_pipe_mo *mo,
    int64_t *reply_id)
{
	struct serve *s = arg;
	struct core_mo m;

	memset(&m, 0, sizeof(m));
	m.from = mo->from;
	m.to = mo->to;
	m.text = mo->text;
	m.ussd = mo->ussd;
	m.ussd_session = mo->ussd_session;
	return core_mo_handle(db, s->env, &m, reply_id);
}

/* GET /metrics on the web thread. */
static char *
serve_metrics(void *arg, struct db *db)
{
	struct serve *s = arg;

	return smsc_pipe_metrics(s->pipe, db);
}

/*
 * A delivery report from the HTTP SMS provider, on the web thread. It
 * changes a row only if the row went over HTTP, is submitted or accepted
 * and the report carries the row's secret (issue #9): ids are sequential,
 * so anyone could otherwise mark queued messages delivered. SD_EINVAL
 * (not a report), SD_EPERM (refused: no such row, not HTTP, wrong state
 * or secret; logged with the reason), a temporary code, or SD_OK.
 */
static enum sd_rc
serve_http_receipt(void *arg, struct db *db, const char *query)
{
	struct serve *s = arg;
	char tok[SMSC_HTTP_TOKEN_LEN + 1];
	const char *why;
	uint64_t id;
	int state;
	enum sd_rc rc;

	if (smsc_http_parse_receipt(&s->app->cfg.http, query, &id, &state,
		tok) != SD_OK) {
		log_warnx("main", "http receipt refused: not a delivery report");
		return SD_EINVAL;
	}
	rc = db_begin(db);
	if (rc == SD_OK)
		rc = db_outbox_receipt_http(db, (int64_t)id, tok, state,
		    "http receipt");
	if (rc == SD_OK)
		rc = db_commit(db);
	if (rc != SD_OK)
		db_rollback(db);
	switch (rc) {
	case SD_OK:
		log_info("main", "http receipt id=%llu state=%d",
		    (unsigned long long)id, state);
		return SD_OK;
	case SD_ENOTFOUND: why = "no such message"; break;
	case SD_ESTATE: why = "not sent over http or not awaiting a receipt";
		break;
	case SD_EPERM: why = tok[0] == '\0' ? "no token" : "wrong token";
		break;
	default:
		log_warnx("main", "http receipt not stored id=%llu rc=%s",
		    (unsigned long long)id, sd_rc_str(rc));
		return rc;
	}
	/* The token itself is never logged. */
	log_warnx("main", "http receipt refused id=%llu state=%d reason=\"%s\"",
	    (unsigned long long)id, state, why);
	return SD_EPERM;
}

static void
serve_on_signal(struct sd_loop *loop, int signo, void *arg)
{
	struct serve *s = arg;

	if (signo == SIGHUP) {
		log_info("main", "SIGHUP ignored (restart to reload the "
		    "configuration)");
		return;
	}
	if (s->stopping || s->pipe == NULL) {
		log_info("main", "stopping now signal=%s", strsignal(signo));
		sd_loop_stop(loop);
		return;
	}
	/* First let the SMPP link finish what is in flight and unbind;
	 * a second signal stops at once. */
	log_info("main", "stopping signal=%s", strsignal(signo));
	s->stopping = 1;
	smsc_pipe_stop(s->pipe, serve_pipe_stopped, s);
}

/* mkdir -p of the directory part of path. */
static int
mkdir_parent(const char *path)
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

/* Take the exclusive lock that keeps a second daemon off this database. */
static int
serve_lock(struct serve *s)
{
	char path[PATH_MAX], pid[32];
	ssize_t n;
	int fd;

	if (snprintf(path, sizeof(path), "%s.lock", s->app->cfg.db.path) >=
	    (int)sizeof(path)) {
		log_error("main", "database path too long");
		return -1;
	}
	fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0640);
	if (fd < 0) {
		log_warn("main", "cannot open lock file path=%s", path);
		return -1;
	}
	if (flock(fd, LOCK_EX | LOCK_NB) < 0) {
		n = read(fd, pid, sizeof(pid) - 1);
		pid[n > 0 ? n : 0] = '\0';
		pid[strcspn(pid, "\n")] = '\0';
		log_error("main", "another smsdesk serve is running on this "
		    "database db=%s pid=%s", s->app->cfg.db.path,
		    pid[0] != '\0' ? pid : "?");
		close(fd);
		return -1;
	}
	n = snprintf(pid, sizeof(pid), "%ld\n", (long)getpid());
	if (ftruncate(fd, 0) < 0 || pwrite(fd, pid, (size_t)n, 0) != n)
		log_warn("main", "cannot write pid to lock file");
	s->lock_fd = fd;
	return 0;
}

static int
write_ready_file(const char *path)
{
	char tmp[PATH_MAX];
	FILE *fp;

	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	fp = fopen(tmp, "w");
	if (fp == NULL)
		return -1;
	fprintf(fp, "%ld\n", (long)getpid());
	if (fclose(fp) != 0 || rename(tmp, path) != 0)
		return -1;
	return 0;
}

static int
cmd_serve(struct app *app, int argc, char **argv)
{
	static const struct option lo[] = {
		{"ready-file", required_argument, NULL, 'r'},
		{NULL, 0, NULL, 0},
	};
	static const int sigs[] = {SIGINT, SIGTERM, SIGHUP};
	const char *ready = NULL;
	char err[SD_ERRLEN];
	struct serve s;
	int rc = 1;

	OPT_BEGIN(argc, argv, "r:", lo)
	{
	case 'r':
		ready = optarg;
		break;
	default:
		return EXIT_USAGE;
	}
	OPT_END;
	if (optind != argc) {
		fprintf(stderr, "smsdesk serve: unexpected argument '%s'\n",
		    argv[optind]);
		return EXIT_USAGE;
	}
	memset(&s, 0, sizeof(s));
	s.app = app;
	s.lock_fd = -1;
	signal(SIGPIPE, SIG_IGN);
	log_info("main", "starting version=%s config=%s db=%s", SMSDESK_VERSION,
	    app->config_path != NULL ? app->config_path : "(built-in)",
	    app->cfg.db.path);
	if (app->config_loose != NULL)
		config_warn(app->config_path, app->config_loose);
	if (mkdir_parent(app->cfg.db.path) < 0) {
		log_warn("main", "cannot create the database folder path=%s",
		    app->cfg.db.path);
		return 1;
	}
	if (serve_lock(&s) < 0)
		return 1;
	s.loop = sd_loop_new();
	if (s.loop == NULL) {
		log_warn("main", "cannot create the event loop");
		goto out;
	}
	/* Block the stop signals before any thread starts, so only the
	 * loop's signalfd sees them. */
	if (sd_loop_signals(s.loop, sigs, 3, serve_on_signal, &s) != SD_OK) {
		log_warn("main", "cannot set up signal handling");
		goto out;
	}
	if (db_open(&app->cfg.db, &s.db, err) != SD_OK) {
		log_error("main", "database: %s", err);
		goto out;
	}
	s.env = &app->env;
	s.hooks.arg = &s;
	s.hooks.handle_mo = serve_handle_mo;
	if (!app->cfg.smpp.enabled)
		log_info("main", "smpp disabled ([smpp] enabled = no)");
	if (smsc_pipe_new(&app->cfg.queue, &app->cfg.db, &app->cfg.smpp,
		&app->cfg.http, s.loop, &s.hooks, &s.pipe, err) != SD_OK) {
		log_error("main", "queue: %s", err);
		goto out;
	}
	s.web_hooks.arg = &s;
	s.web_hooks.metrics = serve_metrics;
	if (app->cfg.http.url[0] != '\0') {
		s.web_hooks.sms_receipt = serve_http_receipt;
		s.web_hooks.receipt_path = app->cfg.http.receipt_path;
	}
	if (web_start(&app->cfg.web, &app->cfg.db, &s.web_hooks, &s.web,
		err) != SD_OK) {
		log_error("main", "web: %s", err);
		goto out;
	}
	if (app->cfg.sla.escalation != CORE_ESC_APPLICANT)
		s.sla_timer = sd_loop_timer_add(s.loop, SLA_FIRST_MS,
		    serve_sla_tick, &s);
	if (ready != NULL && write_ready_file(ready) < 0)
		log_warn("main", "cannot write ready file path=%s", ready);
	log_info("main", "ready web=%s", app->cfg.web.listen);
	if (sd_loop_run(s.loop) != SD_OK)
		goto out;
	rc = 0;
out:
	/* Finish what is in flight: the web thread completes its requests
	 * before MHD_stop_daemon returns; the store thread commits what it
	 * holds; then the databases close. */
	web_stop(s.web);
	smsc_pipe_free(s.pipe);
	db_close(s.db);
	sd_loop_free(s.loop);
	if (ready != NULL)
		unlink(ready);
	if (s.lock_fd >= 0) {
		if (ftruncate(s.lock_fd, 0) < 0)
			log_warn("main", "cannot clear lock file");
		close(s.lock_fd);
	}
	log_info("main", "stopped rc=%d", rc);
	return rc;
}

/* ---- config ------------------------------------------------------------ */

static int
cmd_config_check(struct app *app, int argc, char **argv)
{
	struct app_config cfg;
	const char *loose = NULL;
	int n;

	(void)app;
	if (argc != 2) {
		fprintf(stderr, "usage: smsdesk config check FILE\n");
		return EXIT_USAGE;
	}
	n = app_config_load(argv[1], &cfg, &loose);
	if (loose != NULL)
		config_warn(argv[1], loose);
	/* The holidays file too: a command that needs it would refuse to
	 * run. */
	if (n == 0) {
		struct core_calendar *cal = NULL;

		if (app_calendar(&cfg, argv[1], argv[1], &cal) < 0)
			n++;
		core_calendar_free(cal);
	}
	if (n != 0) {
		fprintf(stderr, "%s: %d error%s\n", argv[1], n,
		    n == 1 ? "" : "s");
		return 1;
	}
	printf("%s: configuration OK\n", argv[1]);
	return 0;
}

static int
cmd_config_defaults(struct app *app, int argc, char **argv)
{
	struct sd_conf_section s[APP_N_SECTIONS];
	struct app_config cfg;
	size_t i;

	(void)app;
	(void)argv;
	if (argc != 1)
		return EXIT_USAGE;
	app_config_defaults(&cfg);
	app_sections(&cfg, s);
	printf("; smsdesk configuration: every key with its built-in "
	    "default.\n; Keys not written in a file keep these values.\n\n");
	for (i = 0; i < APP_N_SECTIONS; i++)
		sd_conf_print_defaults(&s[i], stdout);
	return 0;
}

/* ---- db, dept, staff, user -------------------------------------------- */

static int
cmd_db_migrate(struct app *app, int argc, char **argv)
{
	char err[SD_ERRLEN];
	int from, to;

	struct db *db;
	enum sd_rc rc;

	(void)argv;
	if (argc != 1)
		return EXIT_USAGE;
	if (mkdir_parent(app->cfg.db.path) < 0 ||
	    db_open_nomigrate(&app->cfg.db, &db, err) != SD_OK) {
		fprintf(stderr, "smsdesk: cannot open %s\n", app->cfg.db.path);
		return 1;
	}
	rc = db_migrate(db, &from, &to, err);
	db_close(db);
	if (rc != SD_OK) {
		fprintf(stderr, "smsdesk: %s\n", err);
		return 1;
	}
	if (from == to)
		printf("schema version %d: up to date\n", to);
	else
		printf("schema migrated from version %d to %d\n", from, to);
	return 0;
}

static int
cmd_dept_list(struct app *app, int argc, char **argv)
{
	struct db_dept *d;
	size_t n, i;

	(void)argv;
	if (argc != 1)
		return EXIT_USAGE;
	if (db_dept_list(app->db, &d, &n) != SD_OK) {
		fprintf(stderr, "smsdesk: %s\n", db_errmsg(app->db));
		return 1;
	}
	for (i = 0; i < n; i++)
		printf("%2d  %s\n", d[i].code, d[i].name);
	db_dept_list_free(d, n);
	return 0;
}

/* "2,5,17" -> codes. */
static int
parse_depts(const char *s, int *codes, size_t max, size_t *n)
{
	const char *p = s;

	*n = 0;
	while (*p != '\0') {
		char *end;
		long v;

		errno = 0;
		v = strtol(p, &end, 10);
		if (end == p || errno != 0 || v < 1 || v > 99 ||
		    (*end != ',' && *end != '\0') || *n == max) {
			fprintf(stderr, "smsdesk: --dept '%s' is not a list "
			    "of department codes like 2,5\n", s);
			return -1;
		}
		codes[(*n)++] = (int)v;
		p = *end == ',' ? end + 1 : end;
	}
	if (*n == 0) {
		fprintf(stderr, "smsdesk: --dept needs at least one code\n");
		return -1;
	}
	return 0;
}

static int
add_user(struct app *app, int argc, char **argv, int staff)
{
	static const struct option lo[] = {
		{"mobile", required_argument, NULL, 'm'},
		{"first", required_argument, NULL, 'f'},
		{"last", required_argument, NULL, 'l'},
		{"title", required_argument, NULL, 't'},
		{"dept", required_argument, NULL, 'd'},
		{"head", no_argument, NULL, 'H'},
		{"admin", no_argument, NULL, 'A'},
		{NULL, 0, NULL, 0},
	};
	const char *mobile = NULL, *first = NULL, *last = NULL, *title = NULL,
		   *dept = NULL;
	enum core_role role = staff ? CORE_ROLE_STAFF : CORE_ROLE_APPLICANT;
	int codes[SD_STAFF_DEPTS_MAX];
	size_t n_codes = 0;
	char err[SD_ERRLEN];
	int64_t id;

	OPT_BEGIN(argc, argv, "", lo)
	{
	case 'm': mobile = optarg; break;
	case 'f': first = optarg; break;
	case 'l': last = optarg; break;
	case 't': title = optarg; break;
	case 'd': dept = optarg; break;
	case 'H': role = CORE_ROLE_HEAD; break;
	case 'A': role = CORE_ROLE_ADMIN; break;
	default: return EXIT_USAGE;
	}
	OPT_END;
	if (optind != argc || mobile == NULL || first == NULL ||
	    last == NULL || (staff && title == NULL) ||
	    (!staff && (title != NULL || dept != NULL ||
			   role != CORE_ROLE_APPLICANT))) {
		fprintf(stderr, "smsdesk: missing or unexpected arguments "
		    "(see --help)\n");
		return EXIT_USAGE;
	}
	if (dept != NULL &&
	    parse_depts(dept, codes, SD_STAFF_DEPTS_MAX, &n_codes) < 0)
		return EXIT_USAGE;
	if (core_user_add(app->db, 0, mobile, first, last, role, title, codes,
		n_codes, &id, err) != SD_OK) {
		fprintf(stderr, "smsdesk: %s\n", err);
		return 1;
	}
	printf("user %lld added\n", (long long)id);
	return 0;
}

static int
cmd_staff_add(struct app *app, int argc, char **argv)
{
	return add_user(app, argc, argv, 1);
}

static int
cmd_user_add(struct app *app, int argc, char **argv)
{
	return add_user(app, argc, argv, 0);
}

static int
cmd_staff_list(struct app *app, int argc, char **argv)
{
	struct db_user *u;
	size_t n, i, j;

	(void)argv;
	if (argc != 1)
		return EXIT_USAGE;
	if (db_user_list_staff(app->db, &u, &n) != SD_OK) {
		fprintf(stderr, "smsdesk: %s\n", db_errmsg(app->db));
		return 1;
	}
	for (i = 0; i < n; i++) {
		char local[SD_MOBILE_LEN], *first, *last, *title;
		int codes[SD_STAFF_DEPTS_MAX];
		size_t nc = 0;

		core_mobile_local(u[i].mobile, local);
		if (db_staff_depts(app->db, u[i].id, codes, SD_STAFF_DEPTS_MAX,
			&nc) != SD_OK)
			nc = 0;
		first = core_text_escape(u[i].first, 0);
		last = core_text_escape(u[i].last, 0);
		title = core_text_escape(u[i].title, 0);
		printf("%-5lld %s  %s %s  (%s)  %s  depts=", (long long)u[i].id,
		    local, first, last, title, core_role_label(u[i].role));
		free(first);
		free(last);
		free(title);
		for (j = 0; j < nc; j++)
			printf("%s%d", j > 0 ? "," : "", codes[j]);
		printf("%s\n", nc == 0 ? "-" : "");
	}
	db_user_list_free(u, n);
	return 0;
}

/* ---- request ----------------------------------------------------------- */

static int
cmd_request_new(struct app *app, int argc, char **argv)
{
	static const struct option lo[] = {
		{"from", required_argument, NULL, 'f'},
		{"dept", required_argument, NULL, 'd'},
		{"priority", required_argument, NULL, 'p'},
		{"title", required_argument, NULL, 't'},
		{"text", required_argument, NULL, 'x'},
		{NULL, 0, NULL, 0},
	};
	const char *from = NULL, *dept = NULL, *prio_s = "normal",
		   *title = NULL, *text = NULL;
	enum core_priority prio;
	char err[SD_ERRLEN], *end;
	int64_t uid, tracking;
	long code;

	OPT_BEGIN(argc, argv, "", lo)
	{
	case 'f': from = optarg; break;
	case 'd': dept = optarg; break;
	case 'p': prio_s = optarg; break;
	case 't': title = optarg; break;
	case 'x': text = optarg; break;
	default: return EXIT_USAGE;
	}
	OPT_END;
	if (optind != argc || from == NULL || dept == NULL || title == NULL ||
	    text == NULL) {
		fprintf(stderr, "smsdesk: --from, --dept, --title and --text "
		    "are required\n");
		return EXIT_USAGE;
	}
	code = strtol(dept, &end, 10);
	if (*dept == '\0' || *end != '\0') {
		fprintf(stderr, "smsdesk: --dept '%s' is not a code\n", dept);
		return EXIT_USAGE;
	}
	if (core_priority_parse(prio_s, &prio) != SD_OK) {
		fprintf(stderr, "smsdesk: --priority '%s': use very-urgent, "
		    "urgent, normal or low\n", prio_s);
		return EXIT_USAGE;
	}
	if (user_id_of(app, from, &uid) < 0)
		return 1;
	if (core_request_create(app->db, &app->env, uid, (int)code, prio,
		title, text, CORE_CHAN_CLI, &tracking, err) != SD_OK) {
		fprintf(stderr, "smsdesk: %s\n", err);
		return 1;
	}
	printf("%lld\n", (long long)tracking);
	return 0;
}

static int
cmd_request_reply(struct app *app, int argc, char **argv)
{
	static const struct option lo[] = {
		{"from", required_argument, NULL, 'f'},
		{"text", required_argument, NULL, 'x'},
		{NULL, 0, NULL, 0},
	};
	const char *from = NULL, *text = NULL;
	char err[SD_ERRLEN];
	int64_t uid, tracking;

	OPT_BEGIN(argc, argv, "", lo)
	{
	case 'f': from = optarg; break;
	case 'x': text = optarg; break;
	default: return EXIT_USAGE;
	}
	OPT_END;
	if (optind != argc - 1 || from == NULL || text == NULL) {
		fprintf(stderr, "usage: smsdesk request reply N --from M "
		    "--text BODY\n");
		return EXIT_USAGE;
	}
	if (parse_tracking(argv[optind], &tracking) < 0)
		return EXIT_USAGE;
	if (user_id_of(app, from, &uid) < 0)
		return 1;
	if (core_request_reply(app->db, &app->env, uid, tracking, text,
		CORE_CHAN_CLI, NULL, err) != SD_OK) {
		fprintf(stderr, "smsdesk: %s\n", err);
		return 1;
	}
	return 0;
}

static int
set_status(struct app *app, int argc, char **argv, enum core_status st)
{
	static const struct option lo[] = {
		{"by", required_argument, NULL, 'b'},
		{NULL, 0, NULL, 0},
	};
	const char *by = NULL;
	char err[SD_ERRLEN];
	int64_t uid, tracking;

	OPT_BEGIN(argc, argv, "", lo)
	{
	case 'b': by = optarg; break;
	default: return EXIT_USAGE;
	}
	OPT_END;
	if (optind != argc - 1 || by == NULL) {
		fprintf(stderr, "usage: smsdesk request close|reopen N --by M\n");
		return EXIT_USAGE;
	}
	if (parse_tracking(argv[optind], &tracking) < 0)
		return EXIT_USAGE;
	if (user_id_of(app, by, &uid) < 0)
		return 1;
	if (core_request_set_status(app->db, &app->env, uid, tracking, st,
		err) != SD_OK) {
		fprintf(stderr, "smsdesk: %s\n", err);
		return 1;
	}
	return 0;
}

static int
cmd_request_close(struct app *app, int argc, char **argv)
{
	return set_status(app, argc, argv, CORE_STATUS_CLOSED);
}

static int
cmd_request_reopen(struct app *app, int argc, char **argv)
{
	return set_status(app, argc, argv, CORE_STATUS_AWAITING);
}

static int
cmd_request_escalate(struct app *app, int argc, char **argv)
{
	char err[SD_ERRLEN];
	int64_t tracking;

	if (argc != 2)
		return EXIT_USAGE;
	if (parse_tracking(argv[1], &tracking) < 0)
		return EXIT_USAGE;
	if (core_request_escalate(app->db, &app->env, 0, tracking, err) !=
	    SD_OK) {
		fprintf(stderr, "smsdesk: %s\n", err);
		return 1;
	}
	return 0;
}

static int
cmd_sla_sweep(struct app *app, int argc, char **argv)
{
	char err[SD_ERRLEN];
	size_t n = 0;

	(void)argv;
	if (argc != 1)
		return EXIT_USAGE;
	if (app->cfg.sla.escalation == CORE_ESC_APPLICANT)
		printf("escalation = applicant: nothing is escalated by the "
		       "system\n");
	if (core_sla_sweep(app->db, &app->env, &n, err) != SD_OK) {
		fprintf(stderr, "smsdesk: %s\n", err);
		return 1;
	}
	printf("escalated %zu\n", n);
	return 0;
}

static int
cmd_request_list(struct app *app, int argc, char **argv)
{
	static const struct option lo[] = {
		{"mobile", required_argument, NULL, 'm'},
		{NULL, 0, NULL, 0},
	};
	const char *mobile = NULL;
	struct db_request *r;
	size_t n, i;
	int64_t uid;

	OPT_BEGIN(argc, argv, "", lo)
	{
	case 'm': mobile = optarg; break;
	default: return EXIT_USAGE;
	}
	OPT_END;
	if (optind != argc || mobile == NULL)
		return EXIT_USAGE;
	if (user_id_of(app, mobile, &uid) < 0)
		return 1;
	if (core_request_list_mine(app->db, uid, 100, &r, &n) != SD_OK) {
		fprintf(stderr, "smsdesk: %s\n", db_errmsg(app->db));
		return 1;
	}
	for (i = 0; i < n; i++) {
		char date[SD_JALALI_LEN];
		/* Titles are cleaned when stored; rows from before may not
		 * be, and this goes to a terminal. */
		char *title = core_text_escape(r[i].title, 0);

		printf("%lld  %s  %s  %s  %s\n", (long long)r[i].tracking,
		    core_jalali_format(r[i].updated, date),
		    core_status_label(r[i].status),
		    core_priority_label(r[i].prio), title);
		free(title);
	}
	db_request_list_free(r, n);
	return 0;
}

static int
cmd_request_show(struct app *app, int argc, char **argv)
{
	static const struct option lo[] = {
		{"as", required_argument, NULL, 'a'},
		{NULL, 0, NULL, 0},
	};
	const char *as = NULL;
	int64_t viewer = 0, tracking;
	enum sd_rc rc;
	char *text;

	OPT_BEGIN(argc, argv, "", lo)
	{
	case 'a': as = optarg; break;
	default: return EXIT_USAGE;
	}
	OPT_END;
	if (optind != argc - 1) {
		fprintf(stderr, "usage: smsdesk request show N [--as M]\n");
		return EXIT_USAGE;
	}
	if (parse_tracking(argv[optind], &tracking) < 0)
		return EXIT_USAGE;
	if (as != NULL && user_id_of(app, as, &viewer) < 0)
		return 1;
	rc = core_request_render(app->db, viewer, tracking, &text);
	if (rc != SD_OK) {
		fprintf(stderr, "smsdesk: %s\n", rc == SD_ENOTFOUND ?
		    "no such request" : db_errmsg(app->db));
		return 1;
	}
	fputs(text, stdout);
	free(text);
	return 0;
}

/* ---- queue --------------------------------------------------------------- */

static int
parse_id(const char *s, int64_t *out)
{
	char *end;
	long long v;

	errno = 0;
	v = strtoll(s, &end, 10);
	if (*s == '\0' || *end != '\0' || errno != 0 || v < 1) {
		fprintf(stderr, "smsdesk: '%s' is not a message id\n", s);
		return -1;
	}
	*out = v;
	return 0;
}

static int
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

static int
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
		fprintf(stderr, "smsdesk: %s\n", rc == SD_ENOTFOUND ?
		    "no such message" : db_errmsg(app->db));
		return 1;
	}
	printf("id: %lld\nkind: %s\npriority: %d\nto: %s\nstate: %s\n"
	    "attempts: %d\nroute: %s\nsmsc id: %s\nparts: %d%s%s\n"
	    "queued: %s\nupdated: %s\n",
	    (long long)r.id, core_out_kind_name(r.kind), r.priority,
	    r.destination, core_out_state_name(r.state), r.attempts,
	    r.route == 1 ? "smpp" : r.route == 2 ? "http" : "-",
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
	printf("text: %s\n", r.kind == CORE_OUT_OTP ? "(one-time password, "
	    "not shown)" : text);
	free(text);
	free(parts);
	db_outbox_row_fini(&r);
	return 0;
}

static int
cmd_queue_retry(struct app *app, int argc, char **argv)
{
	char detail[32];
	int64_t id;
	enum sd_rc rc;

	if (argc != 2) {
		fprintf(stderr, "usage: smsdesk queue retry ID\n");
		return EXIT_USAGE;
	}
	if (parse_id(argv[1], &id) < 0)
		return EXIT_USAGE;
	rc = db_begin(app->db);
	if (rc == SD_OK)
		rc = db_outbox_retry(app->db, id);
	snprintf(detail, sizeof(detail), "outbox:%lld", (long long)id);
	if (rc == SD_OK)
		rc = db_audit_add(app->db, 0, "queue.retry", detail, "");
	if (rc == SD_OK)
		rc = db_commit(app->db);
	if (rc != SD_OK) {
		db_rollback(app->db);
		fprintf(stderr, "smsdesk: %s\n", rc == SD_ENOTFOUND ?
		    "no such message" : rc == SD_ESTATE ?
		    "it is still queued or in flight" : rc == SD_EPERM ?
		    "a one-time password is never sent again (its code is "
		    "masked once final); issue a new one" : db_errmsg(app->db));
		return 1;
	}
	printf("queued again: %lld\n", (long long)id);
	return 0;
}

static int
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
	char e164[SD_MOBILE_LEN], err[SD_ERRLEN], *buf;
	enum core_out_kind kind = CORE_OUT_ALERT;
	struct core_out m;
	long count = 1, i;
	int64_t first = 0, id = 0;
	enum sd_rc rc;

	OPT_BEGIN(argc, argv, "", lo)
	{
	case 't': to = optarg; break;
	case 'x': text = optarg; break;
	case 'k':
		if (core_out_kind_parse(optarg, &kind) != SD_OK ||
		    kind == CORE_OUT_USSD) {
			fprintf(stderr, "smsdesk: --kind is otp, alert or "
			    "reply\n");
			return EXIT_USAGE;
		}
		break;
	case 'n': count = atol(optarg); break;
	default: return EXIT_USAGE;
	}
	OPT_END;
	if (to == NULL || text == NULL || optind != argc || count < 1 ||
	    count > 1000000) {
		fprintf(stderr, "usage: smsdesk queue add --to M --text T "
		    "[--kind otp|alert|reply] [--count N (1..1000000)]\n");
		return EXIT_USAGE;
	}
	if (core_mobile_parse(to, e164, err) != SD_OK) {
		fprintf(stderr, "smsdesk: --to: %s\n", err);
		return EXIT_USAGE;
	}
	buf = xmalloc(strlen(text) + 32);
	rc = db_begin(app->db);
	for (i = 1; i <= count && rc == SD_OK; i++) {
		if (count > 1)
			sprintf(buf, "%s #%ld", text, i);
		else
			strcpy(buf, text);
		memset(&m, 0, sizeof(m));
		m.kind = kind;
		m.dest = e164;
		m.text = buf;
		rc = core_out_queue(app->db, &m, &id);
		if (i == 1)
			first = id;
	}
	if (rc == SD_OK)
		rc = db_audit_add(app->db, 0, "queue.add", e164,
		    core_out_kind_name(kind));
	if (rc == SD_OK)
		rc = db_commit(app->db);
	free(buf);
	if (rc != SD_OK) {
		db_rollback(app->db);
		fprintf(stderr, "smsdesk: %s\n", rc == SD_EINVAL ?
		    "the text is empty or not valid UTF-8" :
		    db_errmsg(app->db));
		return 1;
	}
	if (count == 1)
		printf("%lld\n", (long long)first);
	else
		printf("%lld..%lld\n", (long long)first, (long long)id);
	return 0;
}

static int
cmd_otp_send(struct app *app, int argc, char **argv)
{
	static const struct option lo[] = {
		{"mobile", required_argument, NULL, 'm'},
		{"purpose", required_argument, NULL, 'p'},
		{NULL, 0, NULL, 0},
	};
	enum core_otp_purpose purpose = CORE_OTP_LOGIN;
	const char *mobile = NULL;
	char err[SD_ERRLEN];
	int64_t id = 0;
	enum sd_rc rc;

	OPT_BEGIN(argc, argv, "", lo)
	{
	case 'm': mobile = optarg; break;
	case 'p':
		if (strcmp(optarg, "signup") == 0)
			purpose = CORE_OTP_SIGNUP;
		else if (strcmp(optarg, "login") == 0)
			purpose = CORE_OTP_LOGIN;
		else if (strcmp(optarg, "reset") == 0)
			purpose = CORE_OTP_RESET;
		else
			return EXIT_USAGE;
		break;
	default: return EXIT_USAGE;
	}
	OPT_END;
	if (mobile == NULL || optind != argc) {
		fprintf(stderr, "usage: smsdesk otp send --mobile M "
		    "[--purpose signup|login|reset]\n");
		return EXIT_USAGE;
	}
	rc = core_otp_issue(app->db, &app->cfg.otp, mobile, purpose, &id, err);
	if (rc != SD_OK) {
		fprintf(stderr, "smsdesk: %s\n", err);
		return rc == SD_EINVAL ? EXIT_USAGE : 1;
	}
	printf("%lld\n", (long long)id);
	return 0;
}

/* ---- main -------------------------------------------------------------- */

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
		fprintf(stderr, "smsdesk: unknown command '%s'%s%s (see "
		    "smsdesk --help)\n", sub[0], nsub > 1 ? " " : "",
		    nsub > 1 ? sub[1] : "");
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
	log_set_level(verbose ? LOG_LVL_DEBUG :
				(enum log_level)app.cfg.log.level);
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
		sd_clock_set_offset(strtoll(getenv("SMSDESK_CLOCK_OFFSET"),
		    NULL, 10));

	/* Before anything is opened: a command that would change a request
	 * without its working-day calendar must not run at all. */
	if ((c->needs & CMD_ENV) != 0 && app_env_init(&app) < 0) {
		fprintf(stderr, "smsdesk: %s%s%s not run: it needs the "
		    "working-day calendar ([sla] holidays_file)\n", c->words[0],
		    c->words[1] != NULL ? " " : "",
		    c->words[1] != NULL ? c->words[1] : "");
		return 1;
	}
	if ((c->needs & CMD_DB) != 0) {
		if (mkdir_parent(app.cfg.db.path) < 0) {
			fprintf(stderr, "smsdesk: cannot create the folder of "
			    "%s: %s\n", app.cfg.db.path, strerror(errno));
			return 1;
		}
		/* Admin commands are quiet unless -v. */
		if (!verbose)
			log_set_level(LOG_LVL_WARN);
		if (db_open(&app.cfg.db, &app.db, err) != SD_OK) {
			fprintf(stderr, "smsdesk: %s\n", err);
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
