/* tests/support/testutil.c: see testutil.h. */
#include "tests/support/testutil.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/base/clock.h"
#include "core/core.h"

char *
tu_tmpdir(void)
{
	const char *base = getenv("TMPDIR");
	char *path;

	if (base == NULL || base[0] == '\0')
		base = "/tmp";
	if (asprintf(&path, "%s/smsdesk-test-XXXXXX", base) < 0)
		abort();
	if (mkdtemp(path) == NULL) {
		perror("mkdtemp");
		abort();
	}
	return path;
}

static int
tu_rm_one(const char *p, const struct stat *sb, int flag, struct FTW *ftw)
{
	(void)sb;
	(void)flag;
	(void)ftw;
	return remove(p);
}

void
tu_rmtree(const char *path)
{
	nftw(path, tu_rm_one, 16, FTW_DEPTH | FTW_PHYS);
}

void
tu_db_config(struct db_config *cfg, const char *path)
{
	struct sd_conf_section sec = {"db", db_config_keys, cfg};

	sd_conf_defaults(&sec);
	snprintf(cfg->path, sizeof(cfg->path), "%s", path);
}

struct db *
tu_db_open(const char *path)
{
	struct db_config cfg;
	char err[SD_ERRLEN];
	struct db *db = NULL;

	tu_db_config(&cfg, path);
	if (db_open(&cfg, &db, err) != SD_OK)
		fail_msg("db_open %s: %s", path, err);
	return db;
}

int64_t
tu_user(struct db *db, const char *mobile, int role, const int *depts,
    size_t n)
{
	char err[SD_ERRLEN];
	int64_t id = 0;
	enum sd_rc rc;

	rc = core_user_add(db, 0, mobile, "نام", "نام‌خانوادگی",
	    (enum core_role)role, role == CORE_ROLE_APPLICANT ? NULL :
	    "کارشناس فناوری اطلاعات", depts, n, &id, err);
	if (rc != SD_OK)
		fail_msg("core_user_add %s: %s", mobile, err);
	return id;
}

const struct core_actor *
tu_actor(struct db *db, int64_t id)
{
	static _Thread_local struct core_actor ring[8];
	static _Thread_local unsigned next;
	struct core_actor *a = &ring[next++ % 8];

	if (core_actor_user(db, id, a) != SD_OK)
		fail_msg("tu_actor: no user %lld", (long long)id);
	return a;
}

void
tu_assert_link(struct db *db, const char *text, const char *base,
    int64_t tracking, const char *e164)
{
	char want[256], token[CORE_LINK_TOKEN_LEN + 1], phone[SD_MOBILE_LEN];
	const char *p;
	int64_t t = 0;
	enum sd_rc rc;

	snprintf(want, sizeof(want), "%s/r/", base);
	p = strstr(text, want);
	if (p == NULL)
		fail_msg("no link %s in «%s»", want, text);
	p += strlen(want);
	if (strspn(p, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
		      "0123456789-_") != CORE_LINK_TOKEN_LEN)
		fail_msg("link token not %d characters in «%s»",
		    CORE_LINK_TOKEN_LEN, text);
	memcpy(token, p, CORE_LINK_TOKEN_LEN);
	token[CORE_LINK_TOKEN_LEN] = '\0';
	rc = core_link_check(db, token, sd_clock_now(), &t, phone);
	if (rc != SD_OK)
		fail_msg("link %s: %s", token, sd_rc_str(rc));
	assert_int_equal(t, tracking);
	assert_string_equal(phone, e164);
}
