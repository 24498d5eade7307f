/*
 * smsdesk_admin.c: the operator's commands about the database and people:
 * db migrate, dept list, staff add/list, user add, otp send.
 */
#include "smsdesk_int.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int
cmd_db_migrate(struct app *app, int argc, char **argv)
{
	char err[SD_ERRLEN];
	int from, to;

	struct db *db;
	enum sd_rc rc;

	(void)argv;
	if (argc != 1)
		return EXIT_USAGE;
	if (app_mkdir_parent(app->cfg.db.path) < 0 ||
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

int
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
	if (optind != argc || mobile == NULL || first == NULL || last == NULL ||
	    (staff && title == NULL) ||
	    (!staff &&
		(title != NULL || dept != NULL ||
		    role != CORE_ROLE_APPLICANT))) {
		fprintf(stderr,
		    "smsdesk: missing or unexpected arguments "
		    "(see --help)\n");
		return EXIT_USAGE;
	}
	if (dept != NULL) {
		if (app_arg_depts(dept, codes, SD_STAFF_DEPTS_MAX, &n_codes) <
		    0)
			return EXIT_USAGE;
		if (n_codes == 0) {
			fprintf(stderr,
			    "smsdesk: --dept needs at least one code\n");
			return EXIT_USAGE;
		}
	}
	if (core_user_add(app->db, 0, mobile, first, last, role, title, codes,
		n_codes, &id, err) != SD_OK) {
		fprintf(stderr, "smsdesk: %s\n", err);
		return 1;
	}
	printf("user %lld added\n", (long long)id);
	return 0;
}

int
cmd_staff_add(struct app *app, int argc, char **argv)
{
	return add_user(app, argc, argv, 1);
}

int
cmd_user_add(struct app *app, int argc, char **argv)
{
	return add_user(app, argc, argv, 0);
}

int
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
		printf("%s%s\n", nc == 0 ? "-" : "",
		    u[i].disabled ? "  disabled" : "");
	}
	db_user_list_free(u, n);
	return 0;
}

int
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
		fprintf(stderr,
		    "usage: smsdesk otp send --mobile M "
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
