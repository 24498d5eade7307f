/*
 * core/model.h: the domain's enums and plain structs. No functions.
 *
 * The numeric values are stored in the database: never renumber them.
 */
#ifndef SMSDESK_CORE_MODEL_H
#define SMSDESK_CORE_MODEL_H

#include <stdbool.h>
#include <stdint.h>

#include "core/base/limits.h"

/* What a user is allowed to do. Stored as the integer. */
enum core_role {
	CORE_ROLE_APPLICANT = 0, /* sees only their own requests */
	CORE_ROLE_STAFF = 1,     /* sees their departments' requests */
	CORE_ROLE_HEAD = 2,      /* the head's office (رئیس): sees all */
	CORE_ROLE_ADMIN = 3,     /* operator: sees all */
};

/* Request status (see design §2). Stored as the integer. */
enum core_status {
	CORE_STATUS_AWAITING = 0, /* در انتظار پاسخ */
	CORE_STATUS_ANSWERED = 1, /* پاسخ داده شد */
	CORE_STATUS_CLOSED = 2,   /* بسته شده */
};
#define CORE_STATUS_COUNT 3

/* Request priority, most urgent first. Stored as the integer. */
enum core_priority {
	CORE_PRIO_VERY_URGENT = 0, /* خیلی فوری */
	CORE_PRIO_URGENT = 1,      /* فوری */
	CORE_PRIO_NORMAL = 2,      /* عادی */
	CORE_PRIO_LOW = 3,         /* ضعیف */
};
#define CORE_PRIO_COUNT 4

/* Where a request or message came from. Stored as the integer. */
enum core_channel {
	CORE_CHAN_WEB = 0,
	CORE_CHAN_SMS = 1,
	CORE_CHAN_USSD = 2,
	CORE_CHAN_CLI = 3,
};
#define CORE_CHAN_COUNT 4

/* What an outbound message is. Stored as the integer. */
enum core_out_kind {
	CORE_OUT_OTP = 0,   /* a one-time password: goes before anything */
	CORE_OUT_ALERT = 1, /* a reply alert, escalation or closure notice */
	CORE_OUT_REPLY = 2, /* the answer to an SMS command */
	CORE_OUT_USSD = 3,  /* the answer to a USSD step */
};
#define CORE_OUT_KIND_COUNT 4

/* The life of an outbound message. Stored as the integer. */
enum core_out_state {
	CORE_OUT_QUEUED = 0,        /* waiting (maybe until not_before) */
	CORE_OUT_SUBMITTED = 1,     /* handed to a transport, no answer yet */
	CORE_OUT_ACCEPTED = 2,      /* the SMSC took it (smsc_id set) */
	CORE_OUT_DELIVERED = 3,     /* receipt: delivered (every part) */
	CORE_OUT_UNDELIVERABLE = 4, /* receipt: undeliverable or rejected */
	CORE_OUT_EXPIRED = 5,       /* too late to send, or SMSC expired it */
	CORE_OUT_FAILED = 6,        /* refused, or retries exhausted */
};
#define CORE_OUT_STATE_COUNT 7
/* Their names, in the enum's order: in logs, the CLI and /metrics labels
 * (a contract: never rename one). An initializer, not a function, so
 * that db/ names states with the same words (core_out_state_name()). */
#define CORE_OUT_STATE_NAMES                                                   \
	{                                                                      \
		"queued", "submitted", "accepted", "delivered",                \
		    "undeliverable", "expired", "failed"                       \
	}

/* The transport an outbound message last went by. Stored as the integer
 * (outbox.route). */
enum core_out_route {
	CORE_OUT_ROUTE_NONE = 0, /* not handed to a transport yet */
	CORE_OUT_ROUTE_SMPP = 1, /* the SMSC over SMPP */
	CORE_OUT_ROUTE_HTTP = 2, /* the HTTP SMS provider (libcurl) */
};
#define CORE_OUT_ROUTE_COUNT 3

/* Department code of the head's office (رئیس), the 17th of the seed. */
#define CORE_DEPT_HEAD 17
/* Number of departments seeded from the guide. */
#define CORE_DEPT_COUNT 17
/* First tracking number ever issued. */
#define CORE_TRACKING_FIRST 10001

#endif
