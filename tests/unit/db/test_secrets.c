/*
 * tests/unit/db/test_secrets.c: secrets at rest (issue #9).
 *
 * An OTP's text holds its code: once the row is accepted, delivered,
 * undeliverable, expired or failed its digits are masked, and after a
 * truncating checkpoint neither the database file nor its WAL holds the
 * code's bytes. Other kinds keep their text. The database and its -wal
 * and -shm files are created 0600 whatever the umask, and an existing
 * database readable by others is made private.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/base/clock.h"
#include "core/core.h"
#include "tests/support/testutil.h"

#define NOW 1764000000
/* Codes in the texts: ASCII digits (as core/otp.c writes them) and
 * Persian digits. */
#define CODE_A "735194"
#define CODE_P "\xdb\xb6\xdb\xb2\xdb\xb8\xdb\xb4\xdb\xb0\xdb\xb1" /* ۶۲۸۴۰۱ */
#define ALERT_DIGITS "482913"

static int64_t
queue(struct db *db, enum core_out_kind kind, const char *text,
    int64_t expires)
{
	struct core_out m;
	int64_t id = 0;

	memset(&m, 0, sizeof(m));
	m.kind = kind;
	m.dest = "+989131111111";
	m.text = text;
	m.expires = expires;
	assert_int_equal(db_begin(db), SD_OK);
	assert_int_equal(core_out_queue(db, &m, &id), SD_OK);
	assert_int_equal(db_commit(db), SD_OK);
	return id;
}

static size_t
claim(struct db *db)
{
	struct db_outbox_row rows[64];
	size_t n = 0, exp = 0, i;

	assert_int_equal(db_begin(db), SD_OK);
	assert_int_equal(db_outbox_claim(db, sd_clock_now(), ~0u, 64, rows, &n,
			     &exp),
	    SD_OK);
	assert_int_equal(db_commit(db), SD_OK);
	for (i = 0; i < n; i++)
		db_outbox_row_fini(&rows[i]);
	return n + exp;
}

static char *
body_of(struct db *db, int64_t id, enum core_out_state *st)
{
	struct db_outbox_row r;
	char *b;

	assert_int_equal(db_outbox_get(db, id, &r, NULL), SD_OK);
	if (st != NULL)
		*st = r.state;
	b = r.body;
	r.body = NULL;
	db_outbox_row_fini(&r);
	return b;
}

static bool
has_digit(const char *s)
{
	for (; *s != '\0'; s++) {
		unsigned char c = (unsigned char)s[0], d = (unsigned char)s[1];

		if (c >= '0' && c <= '9')
			return true;
		if ((c == 0xd9 && d >= 0xa0 && d <= 0xa9) ||
		    (c == 0xdb && d >= 0xb0 && d <= 0xb9))
			return true;
	}
	return false;
}

/* True if the file at path holds needle (a missing file holds nothing). */
static bool
file_has(const char *path, const char *needle)
{
	size_t n = strlen(needle), len = 0, cap = 0, r;
	char *buf = NULL;
	bool found;
	FILE *fp = fopen(path, "rb");

	if (fp == NULL)
		return false;
	for (;;) {
		if (len == cap) {
			cap = cap ? cap * 2 : 65536;
			buf = realloc(buf, cap);
			assert_non_null(buf);
		}
		r = fread(buf + len, 1, cap - len, fp);
		if (r == 0)
			break;
		len += r;
	}
	fclose(fp);
	found = len >= n && memmem(buf, len, needle, n) != NULL;
	free(buf);
	return found;
}

static void
assert_masked(struct db *db, int64_t id, enum core_out_state want)
{
	enum core_out_state st;
	char *b = body_of(db, id, &st);

	assert_int_equal(st, want);
	if (has_digit(b))
		fail_msg("row %lld (%s) keeps digits: %s", (long long)id,
		    core_out_state_name(st), b);
	assert_non_null(strstr(b, "کد ورود"));
	free(b);
}

/* Every way an OTP row ends masks its code; an alert keeps its text. */
static void
test_issue9_otp_masked_in_every_end_state(void **state)
{
	struct db *db;
	int64_t acc, del, und, exp, expq, fail, alert;
	bool final = false;
	char *b;

	(void)state;
	sd_clock_set_fixed(NOW);
	db = tu_db_open(":memory:");
	acc = queue(db, CORE_OUT_OTP, "کد ورود: " CODE_A, NOW + 120);
	del = queue(db, CORE_OUT_OTP, "کد ورود: " CODE_P, NOW + 120);
	und = queue(db, CORE_OUT_OTP, "کد ورود: 111111", NOW + 120);
	exp = queue(db, CORE_OUT_OTP, "کد ورود: 222222", NOW + 120);
	fail = queue(db, CORE_OUT_OTP, "کد ورود: 333333", NOW + 120);
	alert = queue(db, CORE_OUT_ALERT, "درخواست " ALERT_DIGITS, 0);
	expq = queue(db, CORE_OUT_OTP, "کد ورود: 444444", NOW + 1);
	sd_clock_set_fixed(NOW + 1);
	assert_int_equal(claim(db), 7);
	/* Expired before it could be claimed. */
	assert_masked(db, expq, CORE_OUT_EXPIRED);

	/* Submitted: the text is still needed. */
	b = body_of(db, acc, NULL);
	assert_non_null(strstr(b, CODE_A));
	free(b);

	assert_int_equal(db_begin(db), SD_OK);
	assert_int_equal(db_outbox_accepted(db, acc, 1, 1, "m1", CORE_OUT_ROUTE_SMPP, true,
			     true),
	    SD_OK);
	assert_int_equal(db_outbox_accepted(db, del, 1, 1, "m2", CORE_OUT_ROUTE_SMPP, true,
			     true),
	    SD_OK);
	assert_int_equal(db_outbox_accepted(db, und, 1, 1, "m3", CORE_OUT_ROUTE_SMPP, true,
			     true),
	    SD_OK);
	assert_int_equal(db_outbox_accepted(db, alert, 1, 1, "m4", CORE_OUT_ROUTE_SMPP, true,
			     true),
	    SD_OK);
	assert_int_equal(db_outbox_expire(db, exp, "too late"), SD_OK);
	assert_int_equal(db_outbox_failed(db, fail, false, "rejected", NOW + 1,
			     5, 30, &final),
	    SD_OK);
	assert_true(final);
	assert_int_equal(db_commit(db), SD_OK);

	assert_masked(db, acc, CORE_OUT_ACCEPTED);
	assert_masked(db, del, CORE_OUT_ACCEPTED);
	assert_masked(db, und, CORE_OUT_ACCEPTED);
	assert_masked(db, exp, CORE_OUT_EXPIRED);
	assert_masked(db, fail, CORE_OUT_FAILED);
	b = body_of(db, alert, NULL);
	assert_string_equal(b, "درخواست " ALERT_DIGITS);
	free(b);
	db_close(db);
	sd_clock_set_fixed(0);
}

/* A part accepted while others are pending keeps the text (it may be
 * sent again); the last part's acceptance masks it. */
static void
test_issue9_otp_masked_when_complete(void **state)
{
	struct db *db;
	int64_t id;
	char *b;

	(void)state;
	sd_clock_set_fixed(NOW);
	db = tu_db_open(":memory:");
	id = queue(db, CORE_OUT_OTP, "کد ورود: " CODE_A, NOW + 120);
	assert_int_equal(claim(db), 1);
	assert_int_equal(db_begin(db), SD_OK);
	assert_int_equal(db_outbox_accepted(db, id, 1, 2, "p1", CORE_OUT_ROUTE_SMPP, true,
			     false),
	    SD_OK);
	assert_int_equal(db_commit(db), SD_OK);
	b = body_of(db, id, NULL);
	assert_non_null(strstr(b, CODE_A));
	free(b);
	assert_int_equal(db_begin(db), SD_OK);
	assert_int_equal(db_outbox_accepted(db, id, 2, 2, "p2", CORE_OUT_ROUTE_SMPP, true,
			     true),
	    SD_OK);
	assert_int_equal(db_commit(db), SD_OK);
	assert_masked(db, id, CORE_OUT_ACCEPTED);
	db_close(db);
	sd_clock_set_fixed(0);
}

/* On disk: after acceptance and a truncating checkpoint the codes' bytes
 * are in neither the database nor the WAL. Batches as the pipeline makes
 * them (queue, claim, accept with a growing row), so rows move within
 * and between pages; without secure_delete some 7% of the codes stayed
 * behind in freed cells. */
#define DISK_BATCHES 40
#define DISK_BATCH 10
static void
test_issue9_otp_gone_from_disk(void **state)
{
	char *dir = tu_tmpdir(), path[512], wal[520], code[16], text[128];
	char codes[DISK_BATCHES * DISK_BATCH / 2][8], sid[32];
	struct db_config cfg;
	struct db *db;
	int64_t ids[DISK_BATCH], p;
	size_t b, k, nc = 0, left = 0;
	char err[SD_ERRLEN];

	(void)state;
	sd_clock_set_fixed(NOW);
	snprintf(path, sizeof(path), "%s/desk.db", dir);
	snprintf(wal, sizeof(wal), "%s-wal", path);
	tu_db_config(&cfg, path);
	cfg.synchronous = 1; /* normal: no fsync a commit, same pages */
	assert_int_equal(db_open(&cfg, &db, err), SD_OK);
	p = queue(db, CORE_OUT_OTP, "کد ورود: " CODE_P, NOW + 120);
	(void)queue(db, CORE_OUT_ALERT, "درخواست " ALERT_DIGITS, 0);
	for (b = 0; b < DISK_BATCHES; b++) {
		for (k = 0; k < DISK_BATCH; k++) {
			if (k % 2 == 0) {
				/* Distinct codes, digits spread. */
				snprintf(code, sizeof(code), "%06zu",
				    (nc * 7919 + 104729) % 1000000);
				snprintf(codes[nc++], 8, "%s", code);
				snprintf(text, sizeof(text), "کد سامانه "
				    "مکاتبات: %s\nتا دو دقیقه معتبر است",
				    code);
				ids[k] = queue(db, CORE_OUT_OTP, text,
				    NOW + 120);
			} else {
				ids[k] = queue(db, CORE_OUT_REPLY,
				    "پاسخ درخواست شما ثبت شد", 0);
			}
		}
		assert_int_equal(claim(db), b == 0 ? DISK_BATCH + 2 :
		    DISK_BATCH);
		if (b == 0) {
			/* The scan can see a code: checkpointed while
			 * still submitted. */
			assert_int_equal(db_checkpoint(db, true), SD_OK);
			assert_true(file_has(path, codes[0]));
			assert_true(file_has(path, CODE_P));
		}
		assert_int_equal(db_begin(db), SD_OK);
		for (k = 0; k < DISK_BATCH; k++) {
			/* A letters-only SMSC id: no false match. */
			snprintf(sid, sizeof(sid), "id-%c%c%c-abcdefgh",
			    'a' + (int)(b % 26), 'a' + (int)(k % 26),
			    'a' + (int)((b / 26) % 26));
			assert_int_equal(db_outbox_accepted(db, ids[k], 1, 1,
					     sid, CORE_OUT_ROUTE_SMPP, true, true),
			    SD_OK);
		}
		assert_int_equal(db_commit(db), SD_OK);
	}
	assert_int_equal(db_begin(db), SD_OK);
	assert_int_equal(db_outbox_accepted(db, p, 1, 1, "m-p", CORE_OUT_ROUTE_HTTP, true, true),
	    SD_OK);
	assert_int_equal(db_commit(db), SD_OK);
	assert_int_equal(db_checkpoint(db, true), SD_OK);
	for (k = 0; k < nc; k++)
		if (file_has(path, codes[k]) || file_has(wal, codes[k]))
			left++;
	if (left > 0)
		fail_msg("%zu of %zu codes still on disk", left, nc);
	if (file_has(path, CODE_P) || file_has(wal, CODE_P))
		fail_msg("the Persian-digit code is still on disk");
	/* Not a scan that finds nothing: the alert is there. */
	assert_true(file_has(path, ALERT_DIGITS));
	db_close(db);
	tu_rmtree(dir);
	free(dir);
	sd_clock_set_fixed(0);
}

static void
assert_private(const char *path)
{
	struct stat st;

	if (stat(path, &st) != 0)
		fail_msg("%s: missing", path);
	if ((st.st_mode & 077) != 0)
		fail_msg("%s: mode %04o, want no group/other access", path,
		    (unsigned)(st.st_mode & 07777));
}

/* New database files are 0600 under umask 022; an existing world-readable
 * one is made private when opened. */
static void
test_issue9_db_files_private(void **state)
{
	char *dir = tu_tmpdir(), path[512], f[540];
	struct db *db;
	mode_t old = umask(022);
	int fd;

	(void)state;
	sd_clock_set_fixed(NOW);
	snprintf(path, sizeof(path), "%s/new.db", dir);
	db = tu_db_open(path);
	(void)queue(db, CORE_OUT_ALERT, "x", 0);
	assert_private(path);
	snprintf(f, sizeof(f), "%s-wal", path);
	assert_private(f);
	snprintf(f, sizeof(f), "%s-shm", path);
	assert_private(f);
	db_close(db);

	/* A database an older version left 0644. */
	snprintf(path, sizeof(path), "%s/old.db", dir);
	fd = open(path, O_CREAT | O_WRONLY, 0644);
	assert_true(fd >= 0);
	close(fd);
	assert_int_equal(chmod(path, 0644), 0);
	db = tu_db_open(path);
	(void)queue(db, CORE_OUT_ALERT, "x", 0);
	assert_private(path);
	snprintf(f, sizeof(f), "%s-wal", path);
	assert_private(f);
	db_close(db);

	umask(old);
	tu_rmtree(dir);
	free(dir);
	sd_clock_set_fixed(0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_issue9_otp_masked_in_every_end_state),
		cmocka_unit_test(test_issue9_otp_masked_when_complete),
		cmocka_unit_test(test_issue9_otp_gone_from_disk),
		cmocka_unit_test(test_issue9_db_files_private),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
