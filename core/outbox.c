/*
 * core/outbox.c: how the domain queues outbound messages. Each kind has
 * its priority (an OTP never waits behind alerts); the row is written in
 * the caller's transaction, together with the change that causes it.
 */
#include "core/core.h"

#include <string.h>

int
core_out_priority(enum core_out_kind kind)
{
	switch (kind) {
	case CORE_OUT_OTP:
	case CORE_OUT_USSD:
		return 0; /* someone is waiting with the phone in hand */
	case CORE_OUT_REPLY:
		return 1;
	case CORE_OUT_ALERT:
		break;
	}
	return 2;
}

const char *
core_out_kind_name(enum core_out_kind kind)
{
	static const char *const names[CORE_OUT_KIND_COUNT] = {
		"otp", "alert", "reply", "ussd"};

	return (unsigned)kind < CORE_OUT_KIND_COUNT ? names[kind] : "?";
}

const char *
core_out_state_name(enum core_out_state state)
{
	static const char *const names[CORE_OUT_STATE_COUNT] = {"queued",
		"submitted", "accepted", "delivered", "undeliverable",
		"expired", "failed"};

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
	    m->text[0] == '\0' || !core_text_utf8_valid(m->text,
	    strlen(m->text)))
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
	return db_outbox_add(db, &n, id);
}
