/*
 * tests/support/testutil.h: helpers shared by the unit tests: temporary
 * folders, fresh databases, users.
 */
#ifndef SMSDESK_TESTS_SUPPORT_TESTUTIL_H
#define SMSDESK_TESTS_SUPPORT_TESTUTIL_H

#include <stddef.h>
#include <stdint.h>

#include "db/db.h"

/* A new empty folder under $TMPDIR (or /tmp); the caller frees the path
 * and removes the folder with tu_rmtree(). */
char *tu_tmpdir(void);
/* rm -rf path. */
void tu_rmtree(const char *path);
/* Default [db] config pointing at path (":memory:" allowed). */
void tu_db_config(struct db_config *cfg, const char *path);
/* Open a migrated database at path; fails the test on error. */
struct db *tu_db_open(const char *path);
/* Add a user through core; fails the test on error. depts is a
 * comma-free array of n codes. */
int64_t tu_user(struct db *db, const char *mobile, int role, const int *depts,
    size_t n);

struct core_actor;
/* The actor of user id by its stored role (core_actor_user()); fails the
 * test on error. Points into a ring of 8: valid for the next 7 calls. */
const struct core_actor *tu_actor(struct db *db, int64_t id);

/* text holds base "/r/" and a one-tap token that core_link_check() takes,
 * now (sd_clock_now()), for request tracking and phone e164; fails the
 * test otherwise. */
void tu_assert_link(struct db *db, const char *text, const char *base,
    int64_t tracking, const char *e164);

#endif
