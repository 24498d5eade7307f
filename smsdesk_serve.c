/*
 * smsdesk_serve.c: smsdesk serve, the daemon's wiring. The gw thread's
 * event loop, the pipeline (smsc/: outbox, inbox, SMPP, HTTP), the web
 * view (web-min/) and the SLA timer, joined by the hooks they define:
 * an MO goes to core's command channel, the web view's metrics and HTTP
 * delivery reports go to the pipeline. One daemon per database (a lock
 * file); SIGINT/SIGTERM stop it after what is in flight.
 */
#include "smsdesk_int.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <unistd.h>

#include "core/base/clock.h"
#include "core/base/log.h"
#include "core/base/loop.h"

/* The daemon's state, owned by the main (gw) thread. */
struct serve {
	struct app *app;              /* configuration */
	struct sd_loop *loop;         /* the gw event loop */
	struct db *db;                /* the gw thread's connection */
	struct web *web;              /* the web view */
	struct smsc_pipe *pipe;       /* outbox, inbox, SMPP and HTTP */
	struct smsc_pipe_hooks hooks; /* its events */
	struct web_hooks web_hooks;   /* what the web view serves for us */
	const struct core_env *env;   /* what the domain reads */
	struct core_ussd *ussd;       /* USSD dialogues (env->ussd) */
	uint64_t ussd_timer;          /* the next expiry of idle ones */
	int lock_fd;                  /* flock'ed <db>.lock */
	int stopping;                 /* a stop signal arrived */
	uint64_t sla_timer;           /* the next SLA sweep */
};

/* Idle USSD dialogues are dropped (and recorded) this often, besides at
 * every USSD MO. */
#define USSD_EVERY_MS 10000

static void
serve_ussd_tick(struct sd_loop *loop, uint64_t id, void *arg)
{
	struct serve *s = arg;

	(void)id;
	s->ussd_timer = 0;
	if (s->stopping)
		return;
	core_ussd_expire(s->ussd, s->db, sd_clock_now());
	s->ussd_timer = sd_loop_timer_add(loop, USSD_EVERY_MS, serve_ussd_tick,
	    s);
}

/* The two-working-day rule: soon after start, then every minute. */
#define SLA_FIRST_MS 1000
#define SLA_EVERY_MS 60000

/* Issue 14: deadlines kept for awaiting rows that have none, and search
 * entries for rows written without db/ (the sqlite3 shell, a bulk load):
 * at start every row is checked, then the newest only (the gw loop's
 * timer). Cheap when there is nothing to do (partial index, rowid). */
static void
serve_inbox_upkeep(struct db *db, const struct core_env *env, bool start)
{
	size_t n = 0;

	/* Holidays, office hours or answer_days changed since the due
	 * times were counted: count them again. */
	if (core_request_due_rebase(db, env, &n) != SD_OK)
		log_warnx("sla", "cannot check the due times' basis");
	else if (n > 0)
		log_info("sla", "calendar changed: due times recounted n=%zu",
		    n);
	if (core_request_due_fill(db, env, &n) != SD_OK)
		log_warnx("sla", "cannot fill due times, next sweep tries");
	else if (n > 0)
		log_info("sla", "due times kept n=%zu", n);
	if (db_fts_catch_up(db, start, &n) != SD_OK)
		log_warnx("db", "cannot index requests for search");
	else if (n > 0)
		log_info("db", "requests indexed for search n=%zu", n);
}

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
	/* Holidays imported since: counted from this sweep on. */
	(void)app_holidays_sync(s->app, s->db, APP_HOL_WARN_CHANGED);
	serve_inbox_upkeep(s->db, s->env, false);
	if (core_sla_sweep(s->db, s->env, &n, err) != SD_OK)
		log_warnx("sla", "sweep failed, next in %d s error=\"%s\"",
		    SLA_EVERY_MS / 1000, err);
	if (n > 0)
		log_info("sla", "escalated overdue requests n=%zu", n);
	/* One working day left: the staff's reminder digests (issue #14). */
	{
		size_t r = 0;

		if (core_reminder_sweep(s->db, s->env, &n, &r, err) != SD_OK)
			log_warnx("sla", "reminders failed error=\"%s\"", err);
	}
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
    int64_t *reply_id, char *why)
{
	struct serve *s = arg;
	struct core_mo m;

	memset(&m, 0, sizeof(m));
	m.from = mo->from;
	m.to = mo->to;
	m.text = mo->text;
	m.ussd = mo->ussd;
	m.ussd_begin = mo->ussd_begin;
	m.ussd_session = mo->ussd_session;
	return core_mo_handle(db, s->env, &m, reply_id, why);
}

/* Whether an MO repeated within [queue] dedupe_window_s is a repeat not
 * to apply twice: core decides (a command that changes something). */
static bool
serve_mo_changes(void *arg, const char *text)
{
	(void)arg;
	return core_cmd_changes(text);
}

/* GET /metrics on the web thread. */
static char *
serve_metrics(void *arg, struct db *db)
{
	struct serve *s = arg;
	struct core_ussd_stats u;
	char *pm, *out;

	pm = smsc_pipe_metrics(s->pipe, db);
	if (pm == NULL || s->ussd == NULL)
		return pm;
	core_ussd_stats(s->ussd, &u);
	if (asprintf(&out,
		"%s# HELP smsdesk_ussd_sessions USSD dialogues held in "
		"memory.\n# TYPE smsdesk_ussd_sessions gauge\n"
		"smsdesk_ussd_sessions %lu\n"
		"# HELP smsdesk_ussd_dialogues_total USSD dialogues by how "
		"they ended.\n# TYPE smsdesk_ussd_dialogues_total counter\n"
		"smsdesk_ussd_dialogues_total{result=\"started\"} %lu\n"
		"smsdesk_ussd_dialogues_total{result=\"finished\"} %lu\n"
		"smsdesk_ussd_dialogues_total{result=\"abandoned\"} %lu\n"
		"smsdesk_ussd_dialogues_total{result=\"refused\"} %lu\n",
		pm, u.active, u.started, u.finished, u.abandoned,
		u.refused) < 0) {
		out = pm; /* the pipeline's alone */
		return out;
	}
	free(pm);
	return out;
}

/* A delivery report from the HTTP SMS provider, on the web thread. */
static enum sd_rc
serve_http_receipt(void *arg, struct db *db, const char *query)
{
	struct serve *s = arg;

	return smsc_http_receipt_store(db, &s->app->cfg.http, query);
}

static void
serve_on_signal(struct sd_loop *loop, int signo, void *arg)
{
	struct serve *s = arg;

	if (signo == SIGHUP) {
		/* The holidays table now rather than at the next sweep; the
		 * configuration file needs a restart. */
		log_info("main",
		    "SIGHUP: holidays re-read (restart to reload the "
		    "configuration)");
		if (s->db != NULL)
			(void)app_holidays_sync(s->app, s->db, APP_HOL_WARN);
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
		log_error("main",
		    "another smsdesk serve is running on this "
		    "database db=%s pid=%s",
		    s->app->cfg.db.path, pid[0] != '\0' ? pid : "?");
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

int
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
	size_t swept = 0;
	int rc = 1;

	OPT_BEGIN(argc, argv, "r:", lo)
	{
	case 'r': ready = optarg; break;
	default: return EXIT_USAGE;
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
		app_config_warn(app->config_path, app->config_loose);
	if (app_mkdir_parent(app->cfg.db.path) < 0) {
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
	if (core_ussd_new(&app->cfg.ussd, &s.ussd) != SD_OK) {
		log_error("main", "ussd: bad [ussd] settings");
		goto out;
	}
	app->env.ussd = s.ussd;
	s.env = &app->env;
	if (app_holidays_sync(app, s.db, APP_HOL_WARN) < 0)
		goto out;
	serve_inbox_upkeep(s.db, &app->env, true);
	s.hooks.arg = &s;
	s.hooks.handle_mo = serve_handle_mo;
	s.hooks.mo_changes = serve_mo_changes;
	if (!app->cfg.smpp.enabled)
		log_info("main", "smpp disabled ([smpp] enabled = no)");
	if (smsc_pipe_new(&app->cfg.queue, &app->cfg.db, &app->cfg.smpp,
		&app->cfg.http, s.loop, &s.hooks, &s.pipe, err) != SD_OK) {
		log_error("main", "queue: %s", err);
		goto out;
	}
	s.web_hooks.arg = &s;
	s.web_hooks.metrics = serve_metrics;
	s.web_hooks.env = &app->env;
	s.web_hooks.otp = &app->cfg.otp;
	if (app->cfg.http.url[0] != '\0') {
		s.web_hooks.sms_receipt = serve_http_receipt;
		s.web_hooks.receipt_path = app->cfg.http.receipt_path;
	}
	/* No upload is in flight yet: a temporary file is a crash's. */
	if (core_upload_sweep(app->cfg.web.attachments_dir, &swept) != SD_OK)
		log_warn("main", "cannot sweep attachments_dir=%s",
		    app->cfg.web.attachments_dir);
	if (web_start(&app->cfg.web, &app->cfg.db, &s.web_hooks, &s.web, err) !=
	    SD_OK) {
		log_error("main", "web: %s", err);
		goto out;
	}
	if (app->cfg.sla.escalation != CORE_ESC_APPLICANT)
		s.sla_timer = sd_loop_timer_add(s.loop, SLA_FIRST_MS,
		    serve_sla_tick, &s);
	s.ussd_timer = sd_loop_timer_add(s.loop, USSD_EVERY_MS, serve_ussd_tick,
	    &s);
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
	app->env.ussd = NULL;
	core_ussd_free(s.ussd);
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
