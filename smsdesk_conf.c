/*
 * smsdesk_conf.c: the configuration file. The INI reader (inih: this is
 * the only file with <ini.h>) maps each [section] to its module's key
 * table (core/base/conf.h); errors are reported as file:line with the
 * reason, all of them at once. Relative paths a file writes are read from
 * its folder, and [sla] holidays_file = auto is looked for where an
 * install or the source tree puts it (issue #10). Also the commands
 * config check and config defaults, and the domain's view of the
 * configuration (struct core_env) for the commands that need it.
 */
#include "smsdesk_int.h"

#include <assert.h>
#include <errno.h>
#include <ini.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/base/log.h"

/* Where an install puts the holidays file (make PREFIX=...; README). */
#ifndef SMSDESK_SHAREDIR
#define SMSDESK_SHAREDIR "/usr/local/share/smsdesk"
#endif

static const char *const log_level_choices[] = {"error", "warn", "info",
    "debug", NULL};

static enum sd_rc
log_check_trace(const char *v, char err[SD_ERRLEN])
{
	unsigned mask;

	return log_trace_parse(v, &mask, err);
}

static const struct sd_conf_key log_config_keys[] = {
    {"level", SD_CONF_ENUM, offsetof(struct log_config, level), "info", 0, 0,
	log_level_choices, NULL, "error | warn | info | debug"},
    {"trace", SD_CONF_STR, offsetof(struct log_config, trace), "", 0, 0, NULL,
	log_check_trace, "trace subsystems: smpp,db,http,cmd,all"},
    {NULL, SD_CONF_STR, 0, NULL, 0, 0, NULL, NULL, NULL},
};

#define APP_N_SECTIONS 11

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
	    {"ussd", core_ussd_config_keys, &c->ussd}, /* core's keys */
	    {"log", log_config_keys, &c->log},
	};

	memcpy(s, tab, sizeof(tab));
}

void
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
	FILE *fp;               /* the file */
	const char *path;       /* for messages */
	int line;               /* line just read */
	int n_errors;           /* errors reported */
	struct app_config *cfg; /* being filled */
	const char *secret;     /* a secret key the file sets, or NULL */
	char dir[PATH_MAX];     /* the file's folder, absolute */
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

	for (i = 0; i < sizeof(conf_path_keys) / sizeof(conf_path_keys[0]); i++)
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
		dir[strlen(dir) - 1] == '/' ? "" : "/",
		v) >= (int)sizeof(tmp)) {
		snprintf(err, SD_ERRLEN,
		    "%s: too long once read from the "
		    "file's folder %s",
		    key, dir);
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
		if (strlen(s[i].name) == len &&
		    strncmp(s[i].name, name, len) == 0)
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
			fprintf(stderr,
			    "%s:%d: '%s' is outside any [section]\n", p->path,
			    p->line, name);
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
 * are made relative to its folder (conf_path_keys). *loose (may be NULL) names
 * the secret the file holds ([smpp] password, [http_sms] url or auth_header)
 * when group or others may read it, else is NULL (style.md A6: secrets
 * live only in the 0600 config file).
 */
int
app_config_load(const char *path, struct app_config *cfg, const char **loose)
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
		fprintf(stderr,
		    "%s:%d: syntax error (expected [section] or "
		    "key = value)\n",
		    path, r);
		p.n_errors++;
	}
	return p.n_errors;
}

/* The warning for a config file with secrets readable by others. */
void
app_config_warn(const char *path, const char *what)
{
	struct stat st;

	if (stat(path, &st) != 0)
		return;
	log_warnx("config",
	    "file holds %s and is readable by %s: chmod "
	    "600 it path=%s mode=%04o",
	    what, (st.st_mode & 007) != 0 ? "others" : "its group", path,
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
	fprintf(stderr,
	    "smsdesk: [sla] holidays_file = auto: no readable "
	    "holidays.txt in");
	for (i = 0; i < n; i++)
		fprintf(stderr, "%s %s", i > 0 ? "," : "", cand[i]);
	fprintf(stderr,
	    "; set [sla] holidays_file (empty: no holidays) or "
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
		fprintf(stderr, "%s: %s\n", prefix != NULL ? prefix : "smsdesk",
		    err);
		return -1;
	}
	return 0;
}

/*
 * The domain's view of the configuration, with SMS side effects, and the
 * working-day calendar, for a command marked CMD_ENV, before it runs.
 * -1, with the reason on stderr, if the holidays file cannot be read:
 * such a command must not run without it (issue #10: an answer was
 * stored and its alert silently dropped).
 */
int
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

int
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
		app_config_warn(argv[1], loose);
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

int
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
