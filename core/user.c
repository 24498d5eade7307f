/*
 * core/user.c: adding users (applicants and staff) with their checks, and
 * the shared cleaning of user-supplied fields.
 */
#include "core/core.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/base/log.h"
#include "core/base/xmalloc.h"
#include "core/core_int.h"

enum sd_rc
core_field_line(const char *in, size_t max, const char *what,
    enum core_field_mode mode, char **out, char err[SD_ERRLEN])
{
	char why[SD_ERRLEN], *clean = NULL;
	uint32_t cp;
	enum sd_rc rc;

	*out = NULL;
	if (in == NULL || strlen(in) > SD_TEXT_MAX) {
		snprintf(err, SD_ERRLEN, "%s is missing or too long", what);
		return in == NULL ? SD_EINVAL : SD_ETOOBIG;
	}
	/* Invalid UTF-8 is the normalizer's to report. */
	if (mode == CORE_FIELD_STRIP && core_text_utf8_valid(in, strlen(in)))
		in = clean = core_text_line_strip(in);
	rc = core_text_normalize(in,
	    CORE_NORM_LETTERS | CORE_NORM_SPACES | CORE_NORM_ZWNJ, out, why);
	free(clean);
	if (rc != SD_OK) {
		snprintf(err, SD_ERRLEN, "%s: %s", what, why);
		return rc;
	}
	if (core_text_line_unsafe(*out, &cp)) {
		snprintf(err, SD_ERRLEN,
		    "%s contains an invisible control or "
		    "text-direction character U+%04X",
		    what, (unsigned)cp);
		free(*out);
		*out = NULL;
		return SD_EINVAL;
	}
	if ((*out)[0] == '\0' || strlen(*out) > max) {
		snprintf(err, SD_ERRLEN, "%s is %s (at most %zu bytes)", what,
		    (*out)[0] == '\0' ? "empty" : "too long", max);
		rc = (*out)[0] == '\0' ? SD_EINVAL : SD_ETOOBIG;
		free(*out);
		*out = NULL;
		return rc;
	}
	return SD_OK;
}

/* Copy s[0..len) with every line break as "\n": CR LF, CR, U+2028 LINE
 * SEPARATOR and U+2029 PARAGRAPH SEPARATOR (E2 80 A8/A9). Never longer. */
static char *
body_lines(const char *s, size_t len)
{
	char *o = xmalloc(len + 1);
	size_t i, k = 0;

	for (i = 0; i < len; i++) {
		if (s[i] == '\r') {
			if (i + 1 < len && s[i + 1] == '\n')
				i++;
			o[k++] = '\n';
		} else if ((unsigned char)s[i] == 0xe2 && i + 2 < len &&
		    (unsigned char)s[i + 1] == 0x80 &&
		    ((unsigned char)s[i + 2] == 0xa8 ||
			(unsigned char)s[i + 2] == 0xa9)) {
			i += 2;
			o[k++] = '\n';
		} else {
			o[k++] = s[i];
		}
	}
	o[k] = '\0';
	return o;
}

enum sd_rc
core_field_body(const char *in, size_t max, const char *what, char **out,
    char err[SD_ERRLEN])
{
	const char *s, *e;
	size_t len;

	*out = NULL;
	if (in == NULL) {
		snprintf(err, SD_ERRLEN, "%s is missing", what);
		return SD_EINVAL;
	}
	len = strlen(in);
	if (len > max + 1024) {
		snprintf(err, SD_ERRLEN, "%s is too long (at most %zu bytes)",
		    what, max);
		return SD_ETOOBIG;
	}
	if (!core_text_utf8_valid(in, len)) {
		snprintf(err, SD_ERRLEN, "%s is not valid UTF-8", what);
		return SD_EINVAL;
	}
	s = in;
	e = in + len;
	while (s < e && strchr(" \t\r\n\v\f", *s) != NULL)
		s++;
	while (e > s && strchr(" \t\r\n\v\f", e[-1]) != NULL)
		e--;
	if (s == e) {
		snprintf(err, SD_ERRLEN, "%s is empty", what);
		return SD_EINVAL;
	}
	if ((size_t)(e - s) > max) {
		snprintf(err, SD_ERRLEN, "%s is too long (at most %zu bytes)",
		    what, max);
		return SD_ETOOBIG;
	}
	*out = body_lines(s, (size_t)(e - s));
	return SD_OK;
}

enum sd_rc
core_user_add(struct db *db, int64_t actor_id, const char *mobile,
    const char *first, const char *last, enum core_role role, const char *title,
    const int *depts, size_t n_depts, int64_t *id, char err[SD_ERRLEN])
{
	struct db_user u;
	char *f = NULL, *l = NULL, *t = NULL, why[SD_ERRLEN];
	char object[32], detail[96], masked[SD_MOBILE_LEN + 8];
	bool in_tx = false;
	enum sd_rc rc;
	size_t i;

	memset(&u, 0, sizeof(u));
	rc = core_mobile_parse(mobile != NULL ? mobile : "", u.mobile, why);
	if (rc != SD_OK) {
		snprintf(err, SD_ERRLEN, "mobile number: %s", why);
		goto fail;
	}
	if ((rc = core_field_line(first, SD_NAME_MAX, "first name",
		 CORE_FIELD_REJECT, &f, err)) != SD_OK ||
	    (rc = core_field_line(last, SD_NAME_MAX, "last name",
		 CORE_FIELD_REJECT, &l, err)) != SD_OK)
		goto fail;
	if (role < CORE_ROLE_APPLICANT || role > CORE_ROLE_ADMIN) {
		snprintf(err, SD_ERRLEN, "unknown role %d", (int)role);
		rc = SD_EINVAL;
		goto fail;
	}
	if (role == CORE_ROLE_APPLICANT) {
		if ((title != NULL && title[0] != '\0') || n_depts != 0) {
			snprintf(err, SD_ERRLEN,
			    "an applicant has no role title or departments");
			rc = SD_EINVAL;
			goto fail;
		}
		t = xstrdup("");
	} else {
		rc = core_field_line(title, SD_TITLE_MAX, "role title",
		    CORE_FIELD_REJECT, &t, err);
		if (rc != SD_OK)
			goto fail;
		if (role == CORE_ROLE_STAFF && n_depts == 0) {
			snprintf(err, SD_ERRLEN,
			    "staff need at least one department");
			rc = SD_EINVAL;
			goto fail;
		}
		if (n_depts > SD_STAFF_DEPTS_MAX) {
			snprintf(err, SD_ERRLEN, "too many departments");
			rc = SD_EINVAL;
			goto fail;
		}
	}
	u.first = f;
	u.last = l;
	u.title = t;
	u.role = role;
	u.verified = role != CORE_ROLE_APPLICANT; /* the operator vouches */

	rc = db_begin(db);
	if (rc != SD_OK) {
		snprintf(err, SD_ERRLEN, "database busy: %s", db_errmsg(db));
		goto fail;
	}
	in_tx = true;
	rc = db_user_insert(db, &u, id);
	if (rc == SD_EEXIST) {
		snprintf(err, SD_ERRLEN, "mobile %s is already registered",
		    u.mobile);
		goto fail;
	}
	if (rc != SD_OK) {
		snprintf(err, SD_ERRLEN, "cannot add user: %s", db_errmsg(db));
		goto fail;
	}
	for (i = 0; i < n_depts; i++) {
		rc = db_staff_dept_add(db, *id, depts[i]);
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
	snprintf(object, sizeof(object), "user:%lld", (long long)*id);
	snprintf(detail, sizeof(detail), "role=%d mobile=%s depts=%zu",
	    (int)role, log_mask_mobile(u.mobile, masked, sizeof(masked)),
	    n_depts);
	rc = db_audit_add(db, actor_id, "user.add", object, detail);
	if (rc == SD_OK)
		rc = db_commit(db);
	if (rc != SD_OK) {
		snprintf(err, SD_ERRLEN, "cannot add user: %s", db_errmsg(db));
		goto fail;
	}
	log_info("core", "user added id=%lld role=%d mobile=%s", (long long)*id,
	    (int)role, masked);
	free(f);
	free(l);
	free(t);
	return SD_OK;
fail:
	if (in_tx)
		db_rollback(db);
	free(f);
	free(l);
	free(t);
	return rc;
}

enum sd_rc
core_user_name_clean(const char *in, char **out, char err[SD_ERRLEN])
{
	*out = NULL;
	return core_field_line(in != NULL ? in : "", SD_NAME_MAX, "name",
	    CORE_FIELD_REJECT, out, err);
}

enum sd_rc
core_user_signup(struct db *db, const char *e164, const char *first,
    const char *last, const char *user_type, const char *pw_hash, int64_t *id,
    bool *claimed, char err[SD_ERRLEN])
{
	struct db_user u, old;
	char *f = NULL, *l = NULL, object[32], masked[SD_MOBILE_LEN + 8];
	enum sd_rc rc;

	*id = 0;
	*claimed = false;
	memset(&u, 0, sizeof(u));
	memset(&old, 0, sizeof(old));
	log_mask_mobile(e164, masked, sizeof(masked));
	rc = db_begin(db);
	if (rc != SD_OK) {
		snprintf(err, SD_ERRLEN, "database busy: %s", db_errmsg(db));
		return rc;
	}
	rc = db_user_by_mobile(db, e164, &old);
	if (rc == SD_OK) {
		/* The number is known (REG by SMS, or an earlier sign-up):
		 * the code proved it, so its holder sets the password. The
		 * names stay the account's. */
		*id = old.id;
		*claimed = true;
		rc = db_user_set_password(db, old.id, pw_hash);
		if (rc == SD_OK && old.user_type[0] == '\0' &&
		    user_type != NULL && user_type[0] != '\0')
			rc = db_user_set_type(db, old.id, user_type);
		if (rc == SD_OK)
			rc = db_session_delete_user(db, old.id);
	} else if (rc == SD_ENOTFOUND) {
		rc = core_user_name_clean(first, &f, err);
		if (rc == SD_OK)
			rc = core_user_name_clean(last, &l, err);
		if (rc != SD_OK)
			goto fail;
		snprintf(u.mobile, sizeof(u.mobile), "%s", e164);
		u.first = f;
		u.last = l;
		u.title = (char *)(uintptr_t) "";
		u.user_type = (char *)(uintptr_t)(user_type != NULL ?
			user_type :
			"");
		u.role = CORE_ROLE_APPLICANT;
		u.verified = true;
		rc = db_user_insert(db, &u, id);
		if (rc == SD_OK)
			rc = db_user_set_password(db, *id, pw_hash);
	}
	if (rc == SD_OK) {
		snprintf(object, sizeof(object), "user:%lld", (long long)*id);
		rc = db_audit_add(db, *id,
		    *claimed ? "user.claim" : "user.signup", object, masked);
	}
	if (rc == SD_OK)
		rc = db_commit(db);
	if (rc != SD_OK) {
		if (err[0] == '\0')
			snprintf(err, SD_ERRLEN, "cannot sign up: %s",
			    db_errmsg(db));
		goto fail;
	}
	log_info("core", "web sign-up id=%lld mobile=%s claimed=%s",
	    (long long)*id, masked, *claimed ? "yes" : "no");
	db_user_fini(&old);
	free(f);
	free(l);
	return SD_OK;
fail:
	db_rollback(db);
	db_user_fini(&old);
	free(f);
	free(l);
	return rc;
}

enum sd_rc
core_user_set_password(struct db *db, int64_t id, const char *pw_hash,
    bool end_sessions, char err[SD_ERRLEN])
{
	char object[32];
	enum sd_rc rc;

	rc = db_begin(db);
	if (rc != SD_OK) {
		snprintf(err, SD_ERRLEN, "database busy: %s", db_errmsg(db));
		return rc;
	}
	rc = db_user_set_password(db, id, pw_hash);
	if (rc == SD_OK && end_sessions)
		rc = db_session_delete_user(db, id);
	snprintf(object, sizeof(object), "user:%lld", (long long)id);
	if (rc == SD_OK)
		rc = db_audit_add(db, id,
		    end_sessions ? "user.password" : "user.rehash", object, "");
	if (rc == SD_OK)
		rc = db_commit(db);
	if (rc != SD_OK) {
		snprintf(err, SD_ERRLEN, "cannot set the password: %s",
		    db_errmsg(db));
		db_rollback(db);
	}
	return rc;
}
