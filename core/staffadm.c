/*
 * core/staffadm.c: managing staff (issue #14), for the admin's web pages
 * and the CLI alike: disable and enable (a disabled member's sessions end
 * in the same transaction), edit names, title, role and departments.
 * Adding stays core_user_add(). Each change is one transaction with its
 * audit row on "user:ID".
 */
#include "core/core.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/base/log.h"
#include "core/core_int.h"

bool
core_staff_may_admin(struct db *db, const struct core_actor *actor)
{
	struct db_user u;
	bool ok;

	if (actor == NULL)
		return false;
	if (actor->kind == CORE_ACTOR_CLI)
		return true;
	if (actor->kind != CORE_ACTOR_ADMIN || actor->id <= 0)
		return false;
	if (db_user_get(db, actor->id, &u) != SD_OK)
		return false;
	ok = u.role == CORE_ROLE_ADMIN && !u.disabled;
	db_user_fini(&u);
	return ok;
}

bool
core_user_active(struct db *db, int64_t id)
{
	bool off = true;

	return db_user_disabled(db, id, &off) == SD_OK && !off;
}

/* The staff member id inside the open transaction: SD_ENOTFOUND if
 * none, SD_EINVAL for an applicant. */
static enum sd_rc
staff_load(struct db *db, int64_t id, struct db_user *u, char err[SD_ERRLEN])
{
	enum sd_rc rc = db_user_get(db, id, u);

	if (rc == SD_ENOTFOUND) {
		snprintf(err, SD_ERRLEN, "no user %lld", (long long)id);
		return rc;
	}
	if (rc != SD_OK) {
		snprintf(err, SD_ERRLEN, "cannot read user: %s", db_errmsg(db));
		return rc;
	}
	if (u->role == CORE_ROLE_APPLICANT) {
		snprintf(err, SD_ERRLEN, "user %lld is not a staff member",
		    (long long)id);
		db_user_fini(u);
		return SD_EINVAL;
	}
	return SD_OK;
}

enum sd_rc
core_staff_set_disabled(struct db *db, const struct core_actor *actor,
    int64_t id, bool disabled, char err[SD_ERRLEN])
{
	struct db_user u;
	char object[32];
	enum sd_rc rc;

	if (!core_staff_may_admin(db, actor)) {
		snprintf(err, SD_ERRLEN, "no user %lld", (long long)id);
		return SD_ENOTFOUND;
	}
	if (disabled && actor->kind == CORE_ACTOR_ADMIN && actor->id == id) {
		snprintf(err, SD_ERRLEN, "an admin cannot disable themself");
		return SD_EPERM;
	}
	rc = db_begin(db);
	if (rc != SD_OK) {
		snprintf(err, SD_ERRLEN, "database busy: %s", db_errmsg(db));
		return rc;
	}
	rc = staff_load(db, id, &u, err);
	if (rc != SD_OK)
		goto fail;
	db_user_fini(&u);
	rc = db_user_set_disabled(db, id, disabled);
	/* Their sessions end now, not at their idle end. */
	if (rc == SD_OK && disabled)
		rc = db_session_delete_user(db, id);
	snprintf(object, sizeof(object), "user:%lld", (long long)id);
	if (rc == SD_OK)
		rc = db_audit_add(db, actor->id,
		    disabled ? "user.disable" : "user.enable", object, "");
	if (rc == SD_OK)
		rc = db_commit(db);
	if (rc != SD_OK) {
		snprintf(err, SD_ERRLEN, "cannot change user: %s",
		    db_errmsg(db));
		goto fail;
	}
	log_info("core", "user %s id=%lld by=%lld",
	    disabled ? "disabled" : "enabled", (long long)id,
	    (long long)actor->id);
	return SD_OK;
fail:
	db_rollback(db);
	return rc;
}

enum sd_rc
core_staff_edit(struct db *db, const struct core_actor *actor, int64_t id,
    const char *first, const char *last, enum core_role role, const char *title,
    const int *depts, size_t n_depts, char err[SD_ERRLEN])
{
	char *f = NULL, *l = NULL, *t = NULL, object[32], detail[128];
	struct db_user u;
	enum sd_rc rc;
	size_t i, k;

	if (!core_staff_may_admin(db, actor)) {
		snprintf(err, SD_ERRLEN, "no user %lld", (long long)id);
		return SD_ENOTFOUND;
	}
	if (role != CORE_ROLE_STAFF && role != CORE_ROLE_HEAD &&
	    role != CORE_ROLE_ADMIN) {
		snprintf(err, SD_ERRLEN, "role must be staff, head or admin");
		return SD_EINVAL;
	}
	if (actor->kind == CORE_ACTOR_ADMIN && actor->id == id &&
	    role != CORE_ROLE_ADMIN) {
		snprintf(err, SD_ERRLEN,
		    "an admin cannot take the admin role from themself");
		return SD_EPERM;
	}
	if ((rc = core_field_line(first, SD_NAME_MAX, "first name",
		 CORE_FIELD_REJECT, &f, err)) != SD_OK ||
	    (rc = core_field_line(last, SD_NAME_MAX, "last name",
		 CORE_FIELD_REJECT, &l, err)) != SD_OK ||
	    (rc = core_field_line(title, SD_TITLE_MAX, "role title",
		 CORE_FIELD_REJECT, &t, err)) != SD_OK)
		goto out;
	if ((role == CORE_ROLE_STAFF && n_depts == 0) ||
	    n_depts > SD_STAFF_DEPTS_MAX) {
		snprintf(err, SD_ERRLEN, "staff need 1..%d departments",
		    SD_STAFF_DEPTS_MAX);
		rc = SD_EINVAL;
		goto out;
	}
	rc = db_begin(db);
	if (rc != SD_OK) {
		snprintf(err, SD_ERRLEN, "database busy: %s", db_errmsg(db));
		goto out;
	}
	rc = staff_load(db, id, &u, err);
	if (rc != SD_OK)
		goto fail;
	db_user_fini(&u);
	rc = db_user_edit(db, id, f, l, t, role);
	if (rc == SD_OK)
		rc = db_staff_dept_clear(db, id);
	for (i = 0; i < n_depts && rc == SD_OK; i++) {
		rc = db_staff_dept_add(db, id, depts[i]);
		if (rc == SD_EEXIST) {
			snprintf(err, SD_ERRLEN, "department %d given twice",
			    depts[i]);
			goto fail;
		}
		if (rc != SD_OK) {
			snprintf(err, SD_ERRLEN, "no department with code %d",
			    depts[i]);
			rc = SD_EINVAL;
			goto fail;
		}
	}
	snprintf(object, sizeof(object), "user:%lld", (long long)id);
	k = (size_t)snprintf(detail, sizeof(detail),
	    "role=%d depts=", (int)role);
	for (i = 0; i < n_depts && k + 4 < sizeof(detail); i++)
		k += (size_t)snprintf(detail + k, sizeof(detail) - k, "%s%d",
		    i > 0 ? "," : "", depts[i]);
	if (rc == SD_OK)
		rc = db_audit_add(db, actor->id, "user.edit", object, detail);
	if (rc == SD_OK)
		rc = db_commit(db);
	if (rc != SD_OK) {
		snprintf(err, SD_ERRLEN, "cannot edit user: %s", db_errmsg(db));
		goto fail;
	}
	log_info("core", "user edited id=%lld by=%lld %s", (long long)id,
	    (long long)actor->id, detail);
	goto out;
fail:
	db_rollback(db);
out:
	free(f);
	free(l);
	free(t);
	return rc;
}
