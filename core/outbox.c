/*
 * core/outbox.c: how the domain queues outbound messages. Each kind has
 * its priority (an OTP never waits behind alerts); the row is written in
 * the caller's transaction, together with the change that causes it.
 * The operator's own writes (queue add, queue retry) run here too, each
 * in one transaction with its audit row.
 */
#include "core/core.h"

#include <assert.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/base/xmalloc.h"

int
core_out_priority(enum core_out_kind kind)
{
	switch (kind) {
	case CORE_OUT_OTP:
	case CORE_OUT_USSD:
		return 0; /* someone is waiting with the phone in hand */
	case CORE_OUT_REPLY: return 1;
	case CORE_OUT_ALERT: break;
	}
	return 2;
}

const char *
core_out_kind_name(enum core_out_kind kind)
{
	static const char *const names[CORE_OUT_KIND_COUNT] = {"otp", "alert",
	    "reply", "ussd"};

	return (unsigned)kind < CORE_OUT_KIND_COUNT ? names[kind] : "?";
}

const char *
core_out_state_name(enum core_out_state state)
{
	static const char
	    *const names[CORE_OUT_STATE_COUNT] = CORE_OUT_STATE_NAMES;

	return (unsigned)state < CORE_OUT_STATE_COUNT ? names[state] : "?";
}

enum sd_rc
core_out_kind_parse(const char *s, enum core_out_kind *out)
{
	int k;

	for (k = 0; k < CORE_OUT_KIND_COUNT; k++) {
		if (strcmp(s, core_out_kind_name((enum core_out_kind)k)) == 0) {
			*out = (enum core_out_kind)k;
			return SD_OK;
		}
	}
	return SD_EINVAL;
}

enum sd_rc
core_out_queue(struct db *db, const struct core_out *m, int64_t *id)
{
	struct db_outbox_new n;

	if (m->dest == NULL || m->dest[0] == '\0' || m->text == NULL ||
	    m->text[0] == '\0' ||
	    !core_text_utf8_valid(m->text, strlen(m->text)))
		return SD_EINVAL;
	memset(&n, 0, sizeof(n));
	n.kind = m->kind;
	n.priority = core_out_priority(m->kind);
	n.destination = m->dest;
	n.body = m->text;
	n.tracking = m->tracking;
	n.not_before = m->not_before;
	n.expires = m->expires;
	n.receipt = false; /* the dispatcher asks per kind ([queue]) */
	n.ussd_session = m->kind == CORE_OUT_USSD ? m->ussd_session : -1;
	n.ussd_end = m->kind != CORE_OUT_USSD || m->ussd_end;
	return db_outbox_add(db, &n, id);
}

/* End a transaction: COMMIT if rc is SD_OK, else ROLLBACK with the
 * failing step's message kept in err (for database errors). */
static enum sd_rc
out_tx_end(struct db *db, enum sd_rc rc, char err[SD_ERRLEN])
{
	if (rc == SD_OK)
		rc = db_commit(db);
	if (rc != SD_OK) {
		snprintf(err, SD_ERRLEN, "%s", db_errmsg(db));
		db_rollback(db);
	}
	return rc;
}

enum sd_rc
core_out_add(struct db *db, enum core_out_kind kind, const char *dest,
    const char *text, long count, int64_t *first, int64_t *last,
    char err[SD_ERRLEN])
{
	struct core_out m;
	char *buf;
	int64_t id = 0;
	long i;
	enum sd_rc rc;

	assert(count >= 1);
	*first = *last = 0;
	buf = xmalloc(strlen(text) + 32);
	rc = db_begin(db);
	for (i = 1; i <= count && rc == SD_OK; i++) {
		if (count > 1)
			sprintf(buf, "%s #%ld", text, i);
		else
			strcpy(buf, text);
		memset(&m, 0, sizeof(m));
		m.kind = kind;
		m.dest = dest;
		m.text = buf;
		rc = core_out_queue(db, &m, &id);
		if (i == 1)
			*first = id;
	}
	if (rc == SD_OK)
		rc = db_audit_add(db, 0, "queue.add", dest,
		    core_out_kind_name(kind));
	free(buf);
	rc = out_tx_end(db, rc, err);
	if (rc != SD_OK) {
		*first = 0;
		return rc;
	}
	*last = id;
	return SD_OK;
}

enum sd_rc
core_out_retry(struct db *db, int64_t id, char err[SD_ERRLEN])
{
	char detail[32];
	enum sd_rc rc;

	rc = db_begin(db);
	if (rc == SD_OK)
		rc = db_outbox_retry(db, id);
	snprintf(detail, sizeof(detail), "outbox:%lld", (long long)id);
	if (rc == SD_OK)
		rc = db_audit_add(db, 0, "queue.retry", detail, "");
	return out_tx_end(db, rc, err);
}
