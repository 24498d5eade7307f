/*
 * smsdesk_int.h: private to the smsdesk program (smsdesk.c and
 * smsdesk_*.c). The configuration as loaded, what every command handler
 * gets, and the handlers the command table in smsdesk.c names.
 *
 * The rooms: smsdesk.c holds main, the options, the command table and the
 * usage; smsdesk_conf.c the configuration file (the only file with
 * <ini.h>), config check and config defaults; smsdesk_serve.c the daemon's
 * wiring; smsdesk_holidays.c the holidays; smsdesk_admin.c, smsdesk_request.c
 * and smsdesk_queue.c the operator's commands. Handlers parse arguments, call
 * core/ (every write, with its transaction) or db/ reads, and print; none holds
 * SQL or a transaction.
 */
#ifndef SMSDESK_SMSDESK_INT_H
#define SMSDESK_SMSDESK_INT_H

#include <getopt.h>
#include <stdint.h>
#include <stdio.h>

#include "core/base/conf.h"
#include "core/base/limits.h"
#include "core/core.h"
#include "db/db.h"
#include "smsc/smsc.h"
#include "web-min/web.h"

#define SMSDESK_VERSION "0.1.0"
#define EXIT_USAGE 2 /* exit status of a usage error */

/* Section [log]. */
struct log_config {
	int level;                     /* enum log_level */
	char trace[SD_CONF_VALUE_MAX]; /* "smpp,db" */
};

/* The whole configuration, one struct per section. Immutable once
 * loaded; passed by const pointer. */
struct app_config {
	struct db_config db;             /* [db] */
	struct web_config web;           /* [web] */
	struct smsc_config smpp;         /* [smpp] */
	struct smsc_http_config http;    /* [http_sms] */
	struct smsc_pipe_config queue;   /* [queue] */
	struct core_otp_config otp;      /* [otp] */
	struct core_sms_config sms;      /* [sms] */
	struct core_sla_config sla;      /* [sla] */
	struct core_alert_config alerts; /* [alerts] */
	struct core_ussd_config ussd;    /* [ussd]: core's keys */
	struct log_config log;           /* [log] */
};

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

/* getopt_long over a subcommand's arguments; resets getopt state. */
#define OPT_BEGIN(argc, argv, shortopts, longopts)                             \
	optind = 0; /* 0, not 1: glibc then re-reads the "+" mode too */       \
	opterr = 1;                                                            \
	for (int ch_; (ch_ = getopt_long(argc, argv, shortopts, longopts,      \
			   NULL)) != -1;)                                      \
		switch (ch_)
#define OPT_END

/* ---- smsdesk_conf.c ----------------------------------------------------- */

/* Every section at its built-in default. */
void app_config_defaults(struct app_config *c);

/*
 * Load path over the defaults. Errors are printed as "file:line: reason";
 * returns the number of errors (0 = OK). Relative paths the file writes
 * are made relative to its folder. *loose (may be NULL) names the secret
 * the file holds when group or others may read it, else is NULL.
 */
int app_config_load(const char *path, struct app_config *cfg,
    const char **loose);

/* Warn that the config file at path holds what (a secret) and is
 * readable by group or others. */
void app_config_warn(const char *path, const char *what);

/*
 * Fill app->env (SMS side effects on) and app->cal for a command marked
 * CMD_ENV, before it runs. -1, with the reason on stderr, if the holidays
 * file cannot be read: such a command must not run without it.
 */
int app_env_init(struct app *app);

/* ---- smsdesk_holidays.c ------------------------------------------------- */

/* When app_holidays_sync() warns of a year without holidays. */
enum app_hol_sync {
	APP_HOL_QUIET,        /* never (commands other than serve, sweep) */
	APP_HOL_WARN,         /* always (serve's start, sla sweep, SIGHUP) */
	APP_HOL_WARN_CHANGED, /* when the table changed (serve's minute) */
};

/*
 * Bring app->cal up to db's holidays table (a year the table has replaces
 * the holidays file's) and, as mode says, log a loud warning for the
 * current or next Jalali year without any holiday. -1 if the table cannot
 * be read.
 */
int app_holidays_sync(struct app *app, struct db *db, enum app_hol_sync mode);

/* ---- smsdesk.c ---------------------------------------------------------- */

/* mkdir -p of the folder part of path. -1 with errno on failure. */
int app_mkdir_parent(const char *path);

/*
 * An argument read as the SMS channel reads a text (core_text_normalize():
 * Persian and Arabic-Indic digits as ASCII, Arabic letters as Persian,
 * spaces trimmed, every ZWNJ dropped), so «۱۰۰۰۱», «خيلي فوري» and
 * «۲،۵» work as typed on a Persian keyboard. A new string (free()), or
 * NULL if s is not UTF-8 or too long.
 */
char *app_arg_norm(const char *s);

/* A whole number from 1 to max in any digits: 0 with *out set, or -1. */
int app_arg_number(const char *s, int64_t max, int64_t *out);
/* A --dept list, "2,5,17" or «۲،۵» (any digits, a Persian comma), into
 * codes[0..*n) (at most max, each 1..99; may be empty): 0, or -1 after
 * saying on stderr what is wrong. */
int app_arg_depts(const char *s, int *codes, size_t max, size_t *n);

/* ---- The command handlers ----------------------------------------------- */

/*
 * Each gets argv[0] = its last command word and the rest of the command
 * line; returns the exit status: 0, 1 for a failure (said on stderr),
 * EXIT_USAGE. app->db is open for commands marked CMD_DB, app->env is
 * set for those marked CMD_ENV (smsdesk.c's table).
 */
int cmd_config_check(struct app *app, int argc, char **argv);
int cmd_config_defaults(struct app *app, int argc, char **argv);
int cmd_serve(struct app *app, int argc, char **argv);
int cmd_db_migrate(struct app *app, int argc, char **argv);
int cmd_dept_list(struct app *app, int argc, char **argv);
int cmd_staff_add(struct app *app, int argc, char **argv);
int cmd_staff_list(struct app *app, int argc, char **argv);
int cmd_user_add(struct app *app, int argc, char **argv);
int cmd_otp_send(struct app *app, int argc, char **argv);
int cmd_request_new(struct app *app, int argc, char **argv);
int cmd_request_reply(struct app *app, int argc, char **argv);
int cmd_request_close(struct app *app, int argc, char **argv);
int cmd_request_reopen(struct app *app, int argc, char **argv);
int cmd_request_escalate(struct app *app, int argc, char **argv);
int cmd_request_list(struct app *app, int argc, char **argv);
int cmd_request_show(struct app *app, int argc, char **argv);
int cmd_sla_sweep(struct app *app, int argc, char **argv);
int cmd_holidays_list(struct app *app, int argc, char **argv);
int cmd_holidays_import(struct app *app, int argc, char **argv);
int cmd_holidays_suggest(struct app *app, int argc, char **argv);
int cmd_queue(struct app *app, int argc, char **argv);
int cmd_queue_show(struct app *app, int argc, char **argv);
int cmd_queue_retry(struct app *app, int argc, char **argv);
int cmd_queue_add(struct app *app, int argc, char **argv);
int cmd_inbox(struct app *app, int argc, char **argv);

/* ---- issue #14: staff admin (smsdesk_staff.c) ---- */
int cmd_staff_disable(struct app *app, int argc, char **argv);
int cmd_staff_enable(struct app *app, int argc, char **argv);
int cmd_staff_edit(struct app *app, int argc, char **argv);

#endif
