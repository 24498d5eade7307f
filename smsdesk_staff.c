/*
 * smsdesk_staff.c: the operator's staff commands of issue #14: staff
 * disable, staff enable, staff edit. The same core functions as the
 * admin's web pages (core/staffadm.c), as the CLI actor.
 */
#include "smsdesk_int.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The user of mobile (any accepted form) into *u; prints why not. */
static int
staff_find(struct app *app, const char *mobile, struct db_user *u)
{
	char e164[SD_MOBILE_LEN], err[SD_ERRLEN];
	enum sd_rc rc;

	if (core_mobile_parse(mobile, e164, err) != SD_OK) {
		fprintf(stderr, "smsdesk: mobile number: %s\n", err);
		return EXIT_USAGE;
	}
	rc = db_user_by_mobile(app->db, e164, u);
	if (rc == SD_ENOTFOUND) {
		fprintf(stderr, "smsdesk: no user with mobile %s\n", e164);
		return 1;
	}
	if (rc != SD_OK) {
		fprintf(stderr, "smsdesk: %s\n", db_errmsg(app->db));
		return 1;
	}
	return 0;
}

static int
staff_switch(struct app *app, int argc, char **argv, bool disabled)
{
	char err[SD_ERRLEN];
	struct db_user u;
	int rc;

	if (argc != 2)
		return EXIT_USAGE;
	rc = staff_find(app, argv[1], &u);
	if (rc != 0)
		return rc;
	if (core_staff_set_disabled(app->db, &core_actor_cli, u.id, disabled,
		err) != SD_OK) {
		fprintf(stderr, "smsdesk: %s\n", err);
		db_user_fini(&u);
		return 1;
	}
	printf("user %lld %s\n", (long long)u.id,
	    disabled ? "disabled" : "enabled");
	db_user_fini(&u);
	return 0;
}

int
cmd_staff_disable(struct app *app, int argc, char **argv)
{
	return staff_switch(app, argc, argv, true);
}

int
cmd_staff_enable(struct app *app, int argc, char **argv)
{
	return staff_switch(app, argc, argv, false);
}

int
cmd_staff_edit(struct app *app, int argc, char **argv)
{
	static const struct option lo[] = {
	    {"first", required_argument, NULL, 'f'},
	    {"last", required_argument, NULL, 'l'},
	    {"title", required_argument, NULL, 't'},
	    {"dept", required_argument, NULL, 'd'},
	    {"role", required_argument, NULL, 'r'},
	    {NULL, 0, NULL, 0},
	};
	const char *first = NULL, *last = NULL, *title = NULL, *dept = NULL,
		   *role_s = NULL;
	int codes[SD_STAFF_DEPTS_MAX];
	size_t n_codes = 0;
	char err[SD_ERRLEN];
	enum core_role role;
	struct db_user u;
	int rc;

	OPT_BEGIN(argc, argv, "", lo)
	{
	case 'f': first = optarg; break;
	case 'l': last = optarg; break;
	case 't': title = optarg; break;
	case 'd': dept = optarg; break;
	case 'r': role_s = optarg; break;
	default: return EXIT_USAGE;
	}
	OPT_END;
	if (optind != argc - 1) {
		fprintf(stderr, "smsdesk: staff edit MOBILE [options]\n");
		return EXIT_USAGE;
	}
	rc = staff_find(app, argv[optind], &u);
	if (rc != 0)
		return rc;
	role = u.role;
	if (role_s != NULL) {
		if (strcmp(role_s, "staff") == 0)
			role = CORE_ROLE_STAFF;
		else if (strcmp(role_s, "head") == 0)
			role = CORE_ROLE_HEAD;
		else if (strcmp(role_s, "admin") == 0)
			role = CORE_ROLE_ADMIN;
		else {
			fprintf(stderr,
			    "smsdesk: --role is staff, head or admin\n");
			rc = EXIT_USAGE;
			goto out;
		}
	}
	if (dept != NULL) {
		if (app_arg_depts(dept, codes, SD_STAFF_DEPTS_MAX, &n_codes) <
		    0) {
			rc = EXIT_USAGE;
			goto out;
		}
	} else if (db_staff_depts(app->db, u.id, codes, SD_STAFF_DEPTS_MAX,
		       &n_codes) != SD_OK) {
		fprintf(stderr, "smsdesk: %s\n", db_errmsg(app->db));
		rc = 1;
		goto out;
	}
	if (core_staff_edit(app->db, &core_actor_cli, u.id,
		first != NULL ? first : u.first, last != NULL ? last : u.last,
		role, title != NULL ? title : u.title, codes, n_codes,
		err) != SD_OK) {
		fprintf(stderr, "smsdesk: %s\n", err);
		rc = 1;
		goto out;
	}
	printf("user %lld edited\n", (long long)u.id);
out:
	db_user_fini(&u);
	return rc;
}
