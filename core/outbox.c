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

/* ---- The final form of a reply or an alert -------------------------------
 */

/* The parts s takes as it will be sent: core_sms_count(), the count the
 * smsc codec encodes by. *alpha (may be NULL) gets its alphabet. A text
 * that cannot be counted (not UTF-8: never ours) counts as too long. */
static size_t
out_parts(const char *s, enum core_sms_alphabet *alpha)
{
	struct core_sms_count c;

	if (core_sms_count(s, strlen(s), 0, &c, NULL, 0, NULL) != SD_OK)
		return (size_t)-1;
	if (alpha != NULL)
		*alpha = c.alphabet;
	return c.parts;
}

static bool
out_space(char c)
{
	return c == ' ' || c == '\n' || c == '\t' || c == '\r';
}

/*
 * The first len bytes of body, then "…" (or "..." when the result is
 * GSM 7-bit) and "\n" link if cut, then "\n" sig if any, into out (n
 * bytes). True if that fits max parts and n bytes.
 */
static bool
out_fits(const char *body, size_t len, bool cut, const char *link,
    const char *sig, size_t max, char *out, size_t n)
{
	enum core_sms_alphabet alpha = CORE_SMS_UCS2;
	const char *nl = link[0] != '\0' ? "\n" : "";
	const char *snl = sig[0] != '\0' ? "\n" : "";
	size_t extra = strlen(link) + strlen(sig) + 8;

	if (len + extra >= n)
		return false;
	memcpy(out, body, len);
	if (cut) {
		/* The ellipsis in the alphabet the rest goes in. */
		snprintf(out + len, n - len, "%s%s%s%s", nl, link, snl, sig);
		(void)out_parts(out, &alpha);
		snprintf(out + len, n - len, "%s%s%s%s%s",
		    alpha == CORE_SMS_GSM7 ? "..." : "…", nl, link, snl, sig);
	} else {
		snprintf(out + len, n - len, "%s%s", snl, sig);
	}
	return out_parts(out, NULL) <= max;
}

void
core_out_compose(const struct core_env *env, bool en, bool sign, char *text,
    size_t sz, const char *link, long parts)
{
	const char *sig = "";
	size_t max = parts < 1 ? 1 : (size_t)parts, len = strlen(text);
	size_t *ends, n = 0, i, lo, hi;
	char *try;

	if (sign && env != NULL && env->sms != NULL)
		sig = env->sms->signature;
	/* A Persian signature would send an English text as UCS-2. */
	if (en && sig[0] != '\0') {
		enum core_sms_alphabet alpha = CORE_SMS_UCS2;

		(void)out_parts(sig, &alpha);
		if (alpha != CORE_SMS_GSM7)
			sig = "";
	}
	if (link == NULL)
		link = "";
	while (len > 0 && out_space(text[len - 1]))
		len--;
	text[len] = '\0';
	try = xmalloc(sz);
	if (out_fits(text, len, false, link, sig, max, try, sz)) {
		snprintf(text, sz, "%s", try);
		free(try);
		return;
	}
	/* ends[k]: the end of the k-th word (a cut point: the byte before
	 * it is not a space nor a label's colon, the byte at it is a
	 * space); more text never takes fewer parts, so the last end that
	 * fits is searched for. */
	ends = xcalloc(len + 1, sizeof(*ends));
	ends[n++] = 0;
	for (i = 1; i < len; i++)
		if (out_space(text[i]) && !out_space(text[i - 1]) &&
		    text[i - 1] != ':')
			ends[n++] = i; /* not after a label: «پاسخ:…» */
	lo = 0;
	hi = n - 1;
	while (lo < hi) {
		size_t mid = lo + (hi - lo + 1) / 2;

		if (out_fits(text, ends[mid], true, link, sig, max, try, sz))
			lo = mid;
		else
			hi = mid - 1;
	}
	/* Nothing fits (a link or signature longer than the budget):
	 * they go alone, if the buffer holds them. */
	if (out_fits(text, ends[lo], true, link, sig, max, try, sz) ||
	    (lo == 0 && strlen(link) + strlen(sig) + 8 < sz))
		snprintf(text, sz, "%s", try);
	free(try);
	free(ends);
}
