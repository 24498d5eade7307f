/*
 * tests/unit/db/test_outbox.c: the outbox and inbox of the pipeline:
 * claims by priority, expiry, retries with back-off and their limit,
 * acceptance and receipts of multi-part messages (decimal or hexadecimal
 * ids), the crash requeue, operator retry, and duplicate MOs.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/base/clock.h"
#include "core/core.h"
#include "tests/support/testutil.h"

#define NOW 1764000000


static int
setup(void **state)
{
	sd_clock_set_fixed(NOW);
	*state = tu_db_open(":memory:");
	return 0;
}

static int
teardown(void **state)
{
	db_close(*state);
	sd_clock_set_fixed(0);
	return 0;
}

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
	assert_int_equal(core_out_queue(db, &m, &id), SD_OK);
	assert_true(id > 0);
	return id;
}

static size_t
claim(struct db *db, unsigned mask, size_t max, int64_t *ids)
{
	struct db_outbox_row rows[64];
	size_t n = 0, exp = 0, i;

	assert_true(max <= 64);
	assert_int_equal(db_begin(db), SD_OK);
	assert_int_equal(db_outbox_claim(db, sd_clock_now(), mask, max, rows,
			     &n, &exp),
	    SD_OK);
	assert_int_equal(db_commit(db), SD_OK);
	for (i = 0; i < n; i++) {
		ids[i] = rows[i].id;
		assert_int_equal(rows[i].state, CORE_OUT_SUBMITTED);
		db_outbox_row_fini(&rows[i]);
	}
	return n;
}

static enum core_out_state
state_of(struct db *db, int64_t id)
{
	struct db_outbox_row r;
	enum core_out_state st;

	assert_int_equal(db_outbox_get(db, id, &r, NULL), SD_OK);
	st = r.state;
	db_outbox_row_fini(&r);
	return st;
}

/* An OTP queued after many alerts is claimed first; replies before
 * alerts; within a priority, oldest first. */
static void
test_claim_priority(void **state)
{
	struct db *db = *state;
	int64_t a[5], r, o, ids[8];
	int i;

	for (i = 0; i < 5; i++)
		a[i] = queue(db, CORE_OUT_ALERT, "alert", 0);
	r = queue(db, CORE_OUT_REPLY, "reply", 0);
	o = queue(db, CORE_OUT_OTP, "otp", 0);
	assert_int_equal(claim(db, ~0u, 3, ids), 3);
	assert_int_equal(ids[0], o);
	assert_int_equal(ids[1], r);
	assert_int_equal(ids[2], a[0]);
	/* Claimed rows are not claimed twice. */
	assert_int_equal(claim(db, ~0u, 8, ids), 4);
	assert_int_equal(ids[0], a[1]);
	assert_int_equal(ids[3], a[4]);
	assert_int_equal(claim(db, ~0u, 8, ids), 0);
}

/* The kind mask (HTTP fallback carries only some kinds). */
static void
test_claim_mask(void **state)
{
	struct db *db = *state;
	int64_t o, ids[8];

	(void)queue(db, CORE_OUT_ALERT, "alert", 0);
	o = queue(db, CORE_OUT_OTP, "otp", 0);
	(void)queue(db, CORE_OUT_REPLY, "reply", 0);
	assert_int_equal(claim(db, 1u << CORE_OUT_OTP, 8, ids), 1);
	assert_int_equal(ids[0], o);
}

/* An OTP past its expiry is never sent: it becomes expired. */
static void
test_claim_expired(void **state)
{
	struct db *db = *state;
	int64_t late, fresh, ids[4];

	late = queue(db, CORE_OUT_OTP, "code 1", NOW - 1);
	fresh = queue(db, CORE_OUT_OTP, "code 2", NOW + 120);
	assert_int_equal(claim(db, ~0u, 4, ids), 1);
	assert_int_equal(ids[0], fresh);
	assert_int_equal(state_of(db, late), CORE_OUT_EXPIRED);
}

/* Temporary failures come back after a delay until max_attempts; a
 * permanent one fails at once with its reason. */
static void
test_failures(void **state)
{
	struct db *db = *state;
	struct db_outbox_row r;
	int64_t id, p, ids[4];
	bool final;
	int i;

	id = queue(db, CORE_OUT_ALERT, "x", 0);
	for (i = 1; i <= 3; i++) {
		assert_int_equal(claim(db, ~0u, 4, ids), 1);
		assert_int_equal(db_outbox_failed(db, id, true, "ESME_RSYSERR",
				     sd_clock_now(), 3, 30, &final),
		    SD_OK);
		assert_int_equal(final, i == 3);
		if (i < 3) {
			/* Not due before its back-off. */
			assert_int_equal(claim(db, ~0u, 4, ids), 0);
			sd_clock_set_fixed(sd_clock_now() + 30);
		}
	}
	assert_int_equal(db_outbox_get(db, id, &r, NULL), SD_OK);
	assert_int_equal(r.state, CORE_OUT_FAILED);
	assert_int_equal(r.attempts, 3);
	assert_string_equal(r.reason, "ESME_RSYSERR");
	db_outbox_row_fini(&r);
	p = queue(db, CORE_OUT_ALERT, "y", 0);
	assert_int_equal(claim(db, ~0u, 4, ids), 1);
	assert_int_equal(db_outbox_failed(db, p, false, "ESME_RINVDSTADR",
			     sd_clock_now(), 3, 30, &final),
	    SD_OK);
	assert_true(final);
	assert_int_equal(state_of(db, p), CORE_OUT_FAILED);
	/* The operator's retry puts it back; a queued row cannot be. */
	assert_int_equal(db_outbox_retry(db, p), SD_OK);
	assert_int_equal(state_of(db, p), CORE_OUT_QUEUED);
	assert_int_equal(db_outbox_retry(db, p), SD_ESTATE);
	assert_int_equal(db_outbox_retry(db, 999999), SD_ENOTFOUND);
	/* A final OTP is not sent again: its code is masked at rest and a
	 * stale code is useless anyway (issue #9); a new one is issued. */
	p = queue(db, CORE_OUT_OTP, "code 123456", 0);
	assert_int_equal(claim(db, 1u << CORE_OUT_OTP, 4, ids), 1);
	assert_int_equal(ids[0], p);
	assert_int_equal(db_outbox_failed(db, p, false, "ESME_RINVDSTADR",
			     sd_clock_now(), 3, 30, &final),
	    SD_OK);
	assert_int_equal(db_outbox_retry(db, p), SD_EPERM);
	assert_int_equal(state_of(db, p), CORE_OUT_FAILED);
}

/* Three parts accepted; receipts name them in decimal or hexadecimal; the
 * row is delivered only when every part is, undeliverable as soon as one
 * part is. */
static void
test_receipts_parts(void **state)
{
	struct db *db = *state;
	const char *f1[] = {"10"}, *f2[] = {"nope", "11"}, *f3[] = {"12"};
	int64_t id, u, got, ids[4];

	id = queue(db, CORE_OUT_REPLY, "long", 0);
	assert_int_equal(claim(db, ~0u, 4, ids), 1);
	assert_int_equal(db_outbox_accepted(db, id, 2, 3, "11", CORE_OUT_ROUTE_SMPP, true, false), SD_OK);
	assert_int_equal(db_outbox_accepted(db, id, 1, 3, "10", CORE_OUT_ROUTE_SMPP, true, false), SD_OK);
	/* Not accepted before every part is: a crash now sends it again. */
	assert_int_equal(state_of(db, id), CORE_OUT_SUBMITTED);
	assert_int_equal(db_outbox_accepted(db, id, 3, 3, "12", CORE_OUT_ROUTE_SMPP, true, true),
	    SD_OK);
	assert_int_equal(state_of(db, id), CORE_OUT_ACCEPTED);
	assert_int_equal(db_outbox_receipt(db, f1, 1, CORE_OUT_DELIVERED, "", &got), SD_OK);
	assert_int_equal(got, id);
	assert_int_equal(state_of(db, id), CORE_OUT_ACCEPTED);
	assert_int_equal(db_outbox_receipt(db, f2, 2, CORE_OUT_DELIVERED, "", &got), SD_OK);
	assert_int_equal(got, id);
	assert_int_equal(state_of(db, id), CORE_OUT_ACCEPTED);
	assert_int_equal(db_outbox_receipt(db, f3, 1, CORE_OUT_DELIVERED, "", &got), SD_OK);
	assert_int_equal(state_of(db, id), CORE_OUT_DELIVERED);
	/* An unknown id is no error. */
	{
		const char *x[] = {"zzz"};

		assert_int_equal(db_outbox_receipt(db, x, 1, CORE_OUT_DELIVERED, "", &got),
		    SD_OK);
		assert_int_equal(got, 0);
	}
	u = queue(db, CORE_OUT_REPLY, "two", 0);
	assert_int_equal(claim(db, ~0u, 4, ids), 1);
	assert_int_equal(db_outbox_accepted(db, u, 1, 2, "a1", CORE_OUT_ROUTE_SMPP, true, false), SD_OK);
	assert_int_equal(db_outbox_accepted(db, u, 2, 2, "a2", CORE_OUT_ROUTE_SMPP, true, true), SD_OK);
	{
		const char *x[] = {"a2"};

		assert_int_equal(db_outbox_receipt(db, x, 1, CORE_OUT_UNDELIVERABLE, "err:1", &got),
		    SD_OK);
	}
	assert_int_equal(got, u);
	assert_int_equal(state_of(db, u), CORE_OUT_UNDELIVERABLE);
}

/* HTTP receipts (issue #9): only for a row sent over HTTP with a receipt
 * secret, while submitted or accepted, and only with that secret; a
 * refusal changes nothing. A new attempt forgets the old secret. */
#define TOK_A "0123456789abcdef0123456789abcdef"
#define TOK_B "fedcba9876543210fedcba9876543210"
static void
test_issue9_http_receipt(void **state)
{
	struct db *db = *state;
	int64_t q, smpp, h, ids[8];
	bool set = false;

	/* Queued alerts (never sent) cannot be marked delivered. */
	q = queue(db, CORE_OUT_ALERT, "queued", 0);
	assert_int_equal(db_outbox_receipt_http(db, q, "", CORE_OUT_DELIVERED, "http"),
	    SD_ESTATE);
	assert_int_equal(db_outbox_receipt_http(db, q, TOK_A, CORE_OUT_DELIVERED, "http"),
	    SD_ESTATE);
	assert_int_equal(state_of(db, q), CORE_OUT_QUEUED);
	assert_int_equal(db_outbox_receipt_http(db, 999, TOK_A, CORE_OUT_DELIVERED, "http"),
	    SD_ENOTFOUND);

	/* Sent over SMPP: not HTTP's to report on. */
	smpp = queue(db, CORE_OUT_OTP, "smpp", NOW + 100);
	h = queue(db, CORE_OUT_OTP, "http", NOW + 100);
	assert_int_equal(claim(db, 1u << CORE_OUT_OTP, 8, ids), 2);
	assert_int_equal(db_outbox_accepted(db, smpp, 1, 1, "s1", CORE_OUT_ROUTE_SMPP, true,
			     true),
	    SD_OK);
	assert_int_equal(db_outbox_receipt_http(db, smpp, "", CORE_OUT_DELIVERED, "http"),
	    SD_ESTATE);
	assert_int_equal(state_of(db, smpp), CORE_OUT_ACCEPTED);

	/* Over HTTP with a secret: only that secret counts. */
	assert_int_equal(db_outbox_http_token(db, h, TOK_A, &set), SD_OK);
	assert_true(set);
	assert_int_equal(db_outbox_receipt_http(db, h, "", CORE_OUT_DELIVERED, "http"),
	    SD_EPERM);
	assert_int_equal(db_outbox_receipt_http(db, h, TOK_B, CORE_OUT_DELIVERED, "http"),
	    SD_EPERM);
	assert_int_equal(db_outbox_receipt_http(db, h,
			     "0123456789abcdef0123456789abcde", CORE_OUT_DELIVERED, "http"),
	    SD_EPERM);
	assert_int_equal(state_of(db, h), CORE_OUT_SUBMITTED);
	/* Right secret: an SMSC ack (not final), then delivered. */
	assert_int_equal(db_outbox_receipt_http(db, h, TOK_A, CORE_OUT_ACCEPTED, "http"),
	    SD_OK);
	assert_int_equal(state_of(db, h), CORE_OUT_SUBMITTED);
	assert_int_equal(db_outbox_accepted(db, h, 1, 1, "http-2", CORE_OUT_ROUTE_HTTP, true,
			     true),
	    SD_OK);
	assert_int_equal(db_outbox_receipt_http(db, h, TOK_A, CORE_OUT_DELIVERED, "http"),
	    SD_OK);
	assert_int_equal(state_of(db, h), CORE_OUT_DELIVERED);
	/* Final: nothing more to report. */
	assert_int_equal(db_outbox_receipt_http(db, h, TOK_A, CORE_OUT_UNDELIVERABLE, "http"),
	    SD_ESTATE);
	assert_int_equal(state_of(db, h), CORE_OUT_DELIVERED);

	/* A row no longer submitted takes no secret. */
	assert_int_equal(db_outbox_http_token(db, q, TOK_B, &set), SD_OK);
	assert_false(set);

	/* Sent over HTTP, failed for now, claimed again: the old secret
	 * is void before the new sending gets one. */
	h = queue(db, CORE_OUT_OTP, "again", NOW + 100);
	assert_int_equal(claim(db, 1u << CORE_OUT_OTP, 8, ids), 1);
	assert_int_equal(db_outbox_http_token(db, h, TOK_A, &set), SD_OK);
	assert_int_equal(db_outbox_failed(db, h, true, "timeout", NOW, 5, 0,
			     NULL),
	    SD_OK);
	assert_int_equal(claim(db, 1u << CORE_OUT_OTP, 8, ids), 1);
	assert_int_equal(db_outbox_receipt_http(db, h, TOK_A, CORE_OUT_DELIVERED, "http"),
	    SD_EPERM);
	assert_int_equal(state_of(db, h), CORE_OUT_SUBMITTED);
}

/* A final row stays final (issue #10, one transition table): a late or
 * contradicting receipt, a late failure or expiry of the sending that
 * ended it changes neither its state nor the counts. Only the operator's
 * retry moves it (back to queued). */
static void
test_final_stays_final(void **state)
{
	struct db *db = *state;
	const char *r1[] = {"r1"};
	struct db_outbox_counts c;
	int64_t d, got, ids[4];

	d = queue(db, CORE_OUT_REPLY, "once", 0);
	assert_int_equal(claim(db, ~0u, 4, ids), 1);
	assert_int_equal(db_outbox_accepted(db, d, 1, 1, "r1",
			     CORE_OUT_ROUTE_SMPP, true, true),
	    SD_OK);
	assert_int_equal(db_outbox_receipt(db, r1, 1, CORE_OUT_DELIVERED, "", &got),
	    SD_OK);
	assert_int_equal(got, d);
	assert_int_equal(state_of(db, d), CORE_OUT_DELIVERED);
	/* The SMSC contradicts itself: the first final word stands. */
	assert_int_equal(db_outbox_receipt(db, r1, 1, CORE_OUT_UNDELIVERABLE,
			     "err:1", &got),
	    SD_OK);
	assert_int_equal(state_of(db, d), CORE_OUT_DELIVERED);
	assert_int_equal(db_outbox_receipt(db, r1, 1, CORE_OUT_EXPIRED, "", &got),
	    SD_OK);
	assert_int_equal(state_of(db, d), CORE_OUT_DELIVERED);
	/* A failure or expiry of that sending, heard late. */
	assert_int_equal(db_outbox_failed(db, d, false, "late", NOW, 5, 0,
			     NULL),
	    SD_OK);
	assert_int_equal(state_of(db, d), CORE_OUT_DELIVERED);
	assert_int_equal(db_outbox_expire(db, d, "late"), SD_OK);
	assert_int_equal(state_of(db, d), CORE_OUT_DELIVERED);
	assert_int_equal(db_outbox_counts(db, &c), SD_OK);
	assert_int_equal(c.n[CORE_OUT_REPLY][CORE_OUT_DELIVERED], 1);
	assert_int_equal(c.n[CORE_OUT_REPLY][CORE_OUT_FAILED], 0);
	assert_int_equal(c.n[CORE_OUT_REPLY][CORE_OUT_EXPIRED], 0);
	assert_int_equal(c.n[CORE_OUT_REPLY][CORE_OUT_UNDELIVERABLE], 0);
	/* The operator may send it again. */
	assert_int_equal(db_outbox_retry(db, d), SD_OK);
	assert_int_equal(state_of(db, d), CORE_OUT_QUEUED);
}

/* Rows a crash left submitted go back to queued at start. */
static void
test_requeue(void **state)
{
	struct db *db = *state;
	int64_t a, b, n = 0, ids[4];

	a = queue(db, CORE_OUT_ALERT, "a", 0);
	b = queue(db, CORE_OUT_ALERT, "b", 0);
	assert_int_equal(claim(db, ~0u, 4, ids), 2);
	assert_int_equal(db_outbox_accepted(db, a, 1, 1, "77", CORE_OUT_ROUTE_SMPP, true, true), SD_OK);
	assert_int_equal(db_outbox_requeue_submitted(db, &n), SD_OK);
	assert_int_equal(n, 1);
	assert_int_equal(state_of(db, a), CORE_OUT_ACCEPTED);
	assert_int_equal(state_of(db, b), CORE_OUT_QUEUED);
}

/* A redelivered MO is found by source and text within the window only. */
static void
test_inbox_dup(void **state)
{
	struct db *db = *state;
	struct db_inbox_dup d;
	int64_t id, dup, reply;

	assert_int_equal(db_inbox_add(db, "989131111111", "3000", "وضعیت 10001",
			     DB_INBOX_SMS, NULL, &id),
	    SD_OK);
	reply = queue(db, CORE_OUT_REPLY, "answer", 0);
	assert_int_equal(db_inbox_handled(db, id, reply), SD_OK);
	assert_int_equal(db_inbox_find_dup(db, "989131111111", "وضعیت 10001",
			     NOW - 600, &d),
	    SD_OK);
	assert_int_equal(d.id, id);
	assert_int_equal(d.reply_id, reply);
	assert_int_equal(d.resent, 0);
	assert_int_equal(db_inbox_find_dup(db, "989131111112", "وضعیت 10001",
			     NOW - 600, &d),
	    SD_ENOTFOUND);
	assert_int_equal(db_inbox_find_dup(db, "989131111111", "وضعیت 10002",
			     NOW - 600, &d),
	    SD_ENOTFOUND);
	assert_int_equal(db_inbox_find_dup(db, "989131111111", "وضعیت 10001",
			     NOW + 1, &d),
	    SD_ENOTFOUND);
	assert_int_equal(db_inbox_add_dup(db, "989131111111", "3000",
			     "وضعیت 10001", DB_INBOX_SMS, id, &dup),
	    SD_OK);
	assert_int_equal(db_inbox_resent(db, id), SD_OK);
	/* The copy is never the original of a later one. */
	assert_int_equal(db_inbox_find_dup(db, "989131111111", "وضعیت 10001",
			     NOW - 600, &d),
	    SD_OK);
	assert_int_equal(d.id, id);
	assert_int_equal(d.resent, 1);
}

/* Issue #11: every MO stays in the inbox with why it was not processed
 * as usual; `smsdesk inbox` lists them newest first. */
static void
test_inbox_reason(void **state)
{
	struct db *db = *state;
	struct db_inbox_entry *rows;
	char longer[200];
	int64_t a, b, c, reply;
	size_t n;

	reply = queue(db, CORE_OUT_REPLY, "answer", 0);
	assert_int_equal(db_inbox_add_handled(db, "989131111111", "3000",
			     "لیست", DB_INBOX_SMS, NULL, reply, &a),
	    SD_OK);
	assert_int_equal(db_inbox_add_handled(db, "989131111111", "3000",
			     "R 10001 ok", DB_INBOX_SMS, NULL, 0, &b),
	    SD_OK);
	assert_int_equal(db_inbox_set_reason(db, b,
			     "over mo_per_hour=30: not processed"),
	    SD_OK);
	assert_int_equal(db_inbox_add_dup(db, "989131111111", "3000",
			     "R 10001 ok", DB_INBOX_SMS, b, &c),
	    SD_OK);
	memset(longer, 'x', sizeof(longer) - 1);
	longer[sizeof(longer) - 1] = '\0';
	assert_int_equal(db_inbox_set_reason(db, c, longer), SD_OK);
	assert_int_equal(db_inbox_recent(db, 2, &rows, &n), SD_OK);
	assert_int_equal(n, 2);
	assert_int_equal(rows[0].id, c);
	assert_int_equal(rows[0].dup_of, b);
	assert_int_equal(strlen(rows[0].reason), DB_INBOX_REASON_LEN - 1);
	assert_int_equal(rows[1].id, b);
	assert_string_equal(rows[1].body, "R 10001 ok");
	assert_int_equal(rows[1].state, 1);
	assert_string_equal(rows[1].reason,
	    "over mo_per_hour=30: not processed");
	db_inbox_entries_free(rows, n);
	assert_int_equal(db_inbox_recent(db, 10, &rows, &n), SD_OK);
	assert_int_equal(n, 3);
	assert_int_equal(rows[2].id, a);
	assert_int_equal(rows[2].reply_id, reply);
	assert_string_equal(rows[2].reason, "");
	assert_string_equal(rows[2].source, "989131111111");
	db_inbox_entries_free(rows, n);
}

/* Bad input to the queue leaves nothing behind. */
static void
test_queue_bad(void **state)
{
	struct db *db = *state;
	struct db_outbox_counts c;
	struct core_out m;
	int64_t id = 0;

	memset(&m, 0, sizeof(m));
	m.kind = CORE_OUT_ALERT;
	m.dest = "+989131111111";
	m.text = "\xff\xfe";
	assert_int_equal(core_out_queue(db, &m, &id), SD_EINVAL);
	m.text = "";
	assert_int_equal(core_out_queue(db, &m, &id), SD_EINVAL);
	assert_int_equal(db_outbox_counts(db, &c), SD_OK);
	assert_int_equal(c.n[CORE_OUT_ALERT][CORE_OUT_QUEUED], 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_inbox_reason, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_claim_priority, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_claim_mask, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_claim_expired, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_failures, setup, teardown),
		cmocka_unit_test_setup_teardown(test_receipts_parts, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_issue9_http_receipt, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_final_stays_final, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_requeue, setup, teardown),
		cmocka_unit_test_setup_teardown(test_inbox_dup, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_queue_bad, setup,
		    teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
