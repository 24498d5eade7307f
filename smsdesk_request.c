/*
 * smsdesk_request.c: the operator's commands on requests (request new,
 * reply, close, reopen, escalate, list, show) and sla sweep. Every change
 * goes through core/ with app->env, so its SMS alerts are queued in the
 * same transaction.
 */
#include "smsdesk_int.h"

#include "core/base/clock.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Parse a tracking number argument, in any digits. */
static int
parse_tracking(const char *s, int64_t *out)
{
	if (app_arg_number(s, INT64_MAX, out) < 0) {
		fprintf(stderr, "smsdesk: '%s' is not a tracking number\n", s);
		return -1;
	}
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
		fprintf(stderr, "smsdesk: %s\n",
		    rc == SD_ENOTFOUND ? "no user with that mobile number" :
					 db_errmsg(app->db));
		return -1;
	}
	*id = u.id;
	db_user_fini(&u);
	return 0;
}

/* The actor of the user with that mobile number, by their stored role. */
static int
actor_of(struct app *app, const char *mobile, struct core_actor *out)
{
	int64_t id;

	if (user_id_of(app, mobile, &id) < 0)
		return -1;
	if (core_actor_user(app->db, id, out) != SD_OK) {
		fprintf(stderr, "smsdesk: %s\n", db_errmsg(app->db));
		return -1;
	}
	return 0;
}

int
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
	char err[SD_ERRLEN], *p;
	struct core_actor actor;
	int64_t tracking, code;
	enum sd_rc rc;

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
		fprintf(stderr,
		    "smsdesk: --from, --dept, --title and --text "
		    "are required\n");
		return EXIT_USAGE;
	}
	if (app_arg_number(dept, 999, &code) < 0) {
		fprintf(stderr, "smsdesk: --dept '%s' is not a code\n", dept);
		return EXIT_USAGE;
	}
	p = app_arg_norm(prio_s);
	rc = p != NULL ? core_priority_parse(p, &prio) : SD_EINVAL;
	free(p);
	if (rc != SD_OK) {
		fprintf(stderr,
		    "smsdesk: --priority '%s': use very-urgent, "
		    "urgent, normal or low (VF, F, N, L; خیلی فوری، فوری، "
		    "عادی، ضعیف or خف، ف، ع، ض)\n",
		    prio_s);
		return EXIT_USAGE;
	}
	if (actor_of(app, from, &actor) < 0)
		return 1;
	if (core_request_create(app->db, &app->env, &actor, (int)code, prio,
		title, text, CORE_CHAN_CLI, &tracking, err) != SD_OK) {
		fprintf(stderr, "smsdesk: %s\n", err);
		return 1;
	}
	printf("%lld\n", (long long)tracking);
	return 0;
}

int
cmd_request_reply(struct app *app, int argc, char **argv)
{
	static const struct option lo[] = {
	    {"from", required_argument, NULL, 'f'},
	    {"text", required_argument, NULL, 'x'},
	    {NULL, 0, NULL, 0},
	};
	const char *from = NULL, *text = NULL;
	char err[SD_ERRLEN];
	struct core_actor actor;
	int64_t tracking;

	OPT_BEGIN(argc, argv, "", lo)
	{
	case 'f': from = optarg; break;
	case 'x': text = optarg; break;
	default: return EXIT_USAGE;
	}
	OPT_END;
	if (optind != argc - 1 || from == NULL || text == NULL) {
		fprintf(stderr,
		    "usage: smsdesk request reply N --from M "
		    "--text BODY\n");
		return EXIT_USAGE;
	}
	if (parse_tracking(argv[optind], &tracking) < 0)
		return EXIT_USAGE;
	if (actor_of(app, from, &actor) < 0)
		return 1;
	if (core_request_reply(app->db, &app->env, &actor, tracking, text,
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
	struct core_actor actor;
	int64_t tracking;

	OPT_BEGIN(argc, argv, "", lo)
	{
	case 'b': by = optarg; break;
	default: return EXIT_USAGE;
	}
	OPT_END;
	if (optind != argc - 1 || by == NULL) {
		fprintf(stderr,
		    "usage: smsdesk request close|reopen N --by M\n");
		return EXIT_USAGE;
	}
	if (parse_tracking(argv[optind], &tracking) < 0)
		return EXIT_USAGE;
	if (actor_of(app, by, &actor) < 0)
		return 1;
	if (core_request_set_status(app->db, &app->env, &actor, tracking, st,
		err) != SD_OK) {
		fprintf(stderr, "smsdesk: %s\n", err);
		return 1;
	}
	return 0;
}

int
cmd_request_close(struct app *app, int argc, char **argv)
{
	return set_status(app, argc, argv, CORE_STATUS_CLOSED);
}

int
cmd_request_reopen(struct app *app, int argc, char **argv)
{
	return set_status(app, argc, argv, CORE_STATUS_AWAITING);
}

int
cmd_request_escalate(struct app *app, int argc, char **argv)
{
	char err[SD_ERRLEN];
	int64_t tracking;

	if (argc != 2)
		return EXIT_USAGE;
	if (parse_tracking(argv[1], &tracking) < 0)
		return EXIT_USAGE;
	if (core_request_escalate(app->db, &app->env, &core_actor_cli, tracking,
		err) != SD_OK) {
		fprintf(stderr, "smsdesk: %s\n", err);
		return 1;
	}
	return 0;
}

int
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
	{
		size_t sms = 0, r = 0;

		if (core_reminder_sweep(app->db, &app->env, &sms, &r, err) !=
		    SD_OK) {
			fprintf(stderr, "smsdesk: %s\n", err);
			return 1;
		}
		if (r > 0)
			printf("reminded %zu (%zu SMS)\n", r, sms);
	}

	/* Issue 14: deadlines for awaiting rows that have none (all of them
	 * again when the calendar or answer_days changed). */
	if (core_request_due_rebase(app->db, &app->env, &n) != SD_OK ||
	    core_request_due_fill(app->db, &app->env, &n) != SD_OK)
		fprintf(stderr, "smsdesk: cannot fill due times\n");
	/* Issue 11: at night the sweep escalates nothing; say until when. */
	if (app->cfg.sla.escalation != CORE_ESC_APPLICANT &&
	    app->env.cal != NULL &&
	    !core_calendar_in_office(app->env.cal, sd_clock_now())) {
		char when[SD_JALALI_LEN];
		int64_t at;

		if (core_calendar_open_at(app->env.cal, sd_clock_now(), &at) ==
		    SD_OK)
			fprintf(stderr,
			    "smsdesk: outside office hours: overdue requests "
			    "wait for %s\n",
			    core_jalali_format(at, when));
	}
	return 0;
}

int
cmd_request_list(struct app *app, int argc, char **argv)
{
	static const struct option lo[] = {
	    {"mobile", required_argument, NULL, 'm'},
	    {NULL, 0, NULL, 0},
	};
	const char *mobile = NULL;
	struct db_request *r;
	size_t n, i;
	struct core_actor actor;

	OPT_BEGIN(argc, argv, "", lo)
	{
	case 'm': mobile = optarg; break;
	default: return EXIT_USAGE;
	}
	OPT_END;
	if (optind != argc || mobile == NULL)
		return EXIT_USAGE;
	if (actor_of(app, mobile, &actor) < 0)
		return 1;
	if (core_request_list_mine(app->db, &actor, 100, &r, &n) != SD_OK) {
		fprintf(stderr, "smsdesk: %s\n", db_errmsg(app->db));
		return 1;
	}
	for (i = 0; i < n; i++) {
		char date[SD_JALALI_LEN];
		/* Titles are cleaned when stored; rows from before may not
		 * be, and this goes to a terminal. */
		char *title = core_text_escape(r[i].title, 0);

		printf("%lld  %s  %s%s%s  %s  %s\n", (long long)r[i].tracking,
		    core_jalali_format(r[i].updated, date),
		    core_status_label(r[i].status), r[i].escalated ? "، " : "",
		    r[i].escalated ? core_escalated_label() : "",
		    core_priority_label(r[i].prio), title);
		free(title);
	}
	db_request_list_free(r, n);
	return 0;
}

int
cmd_request_show(struct app *app, int argc, char **argv)
{
	static const struct option lo[] = {
	    {"as", required_argument, NULL, 'a'},
	    {NULL, 0, NULL, 0},
	};
	const char *as = NULL;
	struct core_actor viewer = core_actor_cli;
	int64_t tracking;
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
	if (as != NULL && actor_of(app, as, &viewer) < 0)
		return 1;
	rc = core_request_render(app->db, &viewer, tracking, &text);
	if (rc != SD_OK) {
		fprintf(stderr, "smsdesk: %s\n",
		    rc == SD_ENOTFOUND ? "no such request" :
					 db_errmsg(app->db));
		return 1;
	}
	fputs(text, stdout);
	free(text);
	return 0;
}
