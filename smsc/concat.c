/*
 * smsc/concat.c: the UDH parser and the reassembly of inbound
 * concatenated messages.
 *
 * UDH (3GPP TS 23.040 §9.2.3.24): octet 0 is UDHL, the length of what
 * follows; then information elements, each IEI, IEL, IEL octets of data.
 * Concatenation is IEI 0x00 (IEL 3: ref, total, seq) or IEI 0x08 (IEL 4:
 * 16-bit ref, total, seq). The parser trusts no length: UDHL must fit in
 * the short_message and every IE inside UDHL.
 *
 * Reassembly: a group is keyed by (source, destination, reference,
 * total) and holds the text units of each part by sequence number, GSM
 * 7-bit already unpacked to one septet per octet, so that parts join at
 * septet (and, for UCS-2, octet) level and an escape or a surrogate pair
 * that a sender split across parts still decodes. The store is bounded:
 * at most max_groups open groups and max_parts parts in all; a new group
 * or part beyond that first evicts the oldest other group, which goes
 * back to the caller with what it held. max_parts is at least
 * SMSC_PARTS_MAX, so the group being filled never has to be evicted to
 * make room for itself, and one eviction always suffices. Time comes in
 * as an argument: a group is given up timeout_s after its first part.
 *
 * Invariants: groups[0..ngroups) are open groups, each holding 1..total-1
 * parts; nparts is the sum of what they hold.
 */
#include "smsc/smsc_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/base/xmalloc.h"

/* One held part. */
struct concat_part {
	uint8_t *units; /* text units; NULL when not arrived */
	size_t len;     /* octets in units */
};

/* An open group. */
struct concat_group {
	char src[SMSC_ADDR_MAX + 1]; /* key: source_addr */
	char dst[SMSC_ADDR_MAX + 1]; /* key: destination_addr */
	uint16_t ref;                /* key: reference */
	uint8_t total;               /* key: parts expected, 2.. */
	uint8_t nparts;              /* parts held, 1..total-1 */
	uint8_t data_coding;         /* of the first part */
	enum smsc_alphabet alpha;    /* from data_coding */
	int64_t first_seen;          /* now of the first part */
	uint64_t serial;             /* creation order, breaks ties */
	struct concat_part *parts;   /* total entries, by seq - 1 */
};

struct smsc_concat {
	struct smsc_concat_config cfg; /* copy, validated */
	struct concat_group **groups;  /* cfg.max_groups slots */
	size_t ngroups;                /* open groups in groups[] */
	size_t nparts;                 /* parts held in all */
	uint64_t serial;               /* next group's serial */
};

enum sd_rc
smsc_udh_parse(const uint8_t *sm, size_t len, size_t *udh_len,
    struct smsc_udh_concat *ci, char err[SD_ERRLEN])
{
	size_t end, i;

	memset(ci, 0, sizeof(*ci));
	*udh_len = 0;
	if (sm == NULL || len == 0) {
		sd_errf(err, "UDH indicated but the message is empty");
		return SD_EINVAL;
	}
	end = (size_t)sm[0] + 1;
	if (end > len) {
		sd_errf(err,
		    "UDH length %u runs past the %zu octets of the "
		    "message",
		    sm[0], len);
		return SD_EINVAL;
	}
	for (i = 1; i < end;) {
		const uint8_t *d;
		uint8_t iei, iel;

		if (end - i < 2) {
			sd_errf(err,
			    "truncated information element at octet "
			    "%zu",
			    i);
			return SD_EINVAL;
		}
		iei = sm[i];
		iel = sm[i + 1];
		if (iel > end - i - 2) {
			sd_errf(err,
			    "information element 0x%02X of length %u "
			    "runs past the UDH",
			    iei, iel);
			return SD_EINVAL;
		}
		d = sm + i + 2;
		if (iei == 0x00 || iei == 0x08) {
			struct smsc_udh_concat c;

			if (iel != (iei == 0x00 ? 3 : 4)) {
				sd_errf(err,
				    "concatenation element 0x%02X of "
				    "length %u",
				    iei, iel);
				return SD_EINVAL;
			}
			memset(&c, 0, sizeof(c));
			c.ref16 = iei == 0x08;
			c.ref = c.ref16 ? (uint16_t)(d[0] << 8 | d[1]) : d[0];
			c.total = d[iel - 2];
			c.seq = d[iel - 1];
			/* 23.040: a zero or out-of-range counter voids the
			 * element; the last valid one counts. */
			if (c.total != 0 && c.seq != 0 && c.seq <= c.total) {
				c.found = true;
				*ci = c;
			}
		}
		i += 2 + (size_t)iel;
	}
	*udh_len = end;
	return SD_OK;
}

void
smsc_concat_config_default(struct smsc_concat_config *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
	cfg->max_groups = SMSC_CONCAT_GROUPS_DEF;
	cfg->max_parts = SMSC_CONCAT_PARTS_DEF;
	cfg->timeout_s = SMSC_CONCAT_TIMEOUT_DEF;
	cfg->gsm7_dc = SMSC_DC_DEFAULT;
	cfg->gsm7_packed = false;
}

enum sd_rc
smsc_concat_new(const struct smsc_concat_config *cfg, struct smsc_concat **c,
    char err[SD_ERRLEN])
{
	struct smsc_concat *s;

	*c = NULL;
	if (cfg->max_groups < 1 || cfg->max_groups > SMSC_CONCAT_GROUPS_MAX) {
		sd_errf(err, "max_groups %u, must be 1..%d", cfg->max_groups,
		    SMSC_CONCAT_GROUPS_MAX);
		return SD_EINVAL;
	}
	if (cfg->max_parts < SMSC_PARTS_MAX ||
	    cfg->max_parts > SMSC_CONCAT_PARTS_MAX) {
		sd_errf(err, "max_parts %u, must be %d..%d", cfg->max_parts,
		    SMSC_PARTS_MAX, SMSC_CONCAT_PARTS_MAX);
		return SD_EINVAL;
	}
	if (cfg->timeout_s < 1) {
		sd_errf(err, "timeout_s %lld, must be at least 1",
		    (long long)cfg->timeout_s);
		return SD_EINVAL;
	}
	if (cfg->gsm7_dc > 1) {
		sd_errf(err, "GSM 7-bit data_coding %u, must be 0 or 1",
		    cfg->gsm7_dc);
		return SD_EINVAL;
	}
	s = xcalloc(1, sizeof(*s));
	s->cfg = *cfg;
	s->groups = xcalloc(cfg->max_groups, sizeof(*s->groups));
	*c = s;
	return SD_OK;
}

static void
concat_group_free(struct concat_group *g)
{
	size_t i;

	if (g == NULL)
		return;
	for (i = 0; i < g->total; i++)
		free(g->parts[i].units);
	free(g->parts);
	free(g);
}

void
smsc_concat_free(struct smsc_concat *c)
{
	size_t i;

	if (c == NULL)
		return;
	for (i = 0; i < c->ngroups; i++)
		concat_group_free(c->groups[i]);
	free(c->groups);
	free(c);
}

/* When g falls due, without overflow. */
static int64_t
concat_due(const struct smsc_concat *c, const struct concat_group *g)
{
	if (g->first_seen > INT64_MAX - c->cfg.timeout_s)
		return INT64_MAX;
	return g->first_seen + c->cfg.timeout_s;
}

/* Index of the oldest group other than skip (NULL: any), or SIZE_MAX
 * when there is none. */
static size_t
concat_oldest(const struct smsc_concat *c, const struct concat_group *skip)
{
	size_t best = SIZE_MAX, i;

	for (i = 0; i < c->ngroups; i++) {
		const struct concat_group *g = c->groups[i], *b;

		if (g == skip)
			continue;
		if (best == SIZE_MAX) {
			best = i;
			continue;
		}
		b = c->groups[best];
		if (g->first_seen < b->first_seen ||
		    (g->first_seen == b->first_seen && g->serial < b->serial))
			best = i;
	}
	return best;
}

/* Decode m's units leniently into m->text. */
static void
concat_msg_finish(struct smsc_concat_msg *m)
{
	enum sd_rc rc;

	rc = smsc_text_decode(m->alphabet, m->units, m->len,
	    SMSC_DECODE_LENIENT, &m->text, &m->text_len, NULL);
	if (rc != SD_OK) {
		/* Only a size over SMSC_DECODE_MAX gets here, which the
		 * limits on parts rule out. */
		m->text = xstrdup("");
		m->text_len = 0;
	}
}

/* Move group i out of the store into m (why) and free it. */
static void
concat_take(struct smsc_concat *c, size_t i, enum smsc_concat_why why,
    struct smsc_concat_msg *m)
{
	struct concat_group *g = c->groups[i];
	size_t k, len = 0;

	memset(m, 0, sizeof(*m));
	m->why = why;
	memcpy(m->src, g->src, sizeof(m->src));
	memcpy(m->dst, g->dst, sizeof(m->dst));
	m->ref = g->ref;
	m->total = g->total;
	m->nparts = g->nparts;
	m->data_coding = g->data_coding;
	m->alphabet = g->alpha;
	m->first_seen = g->first_seen;
	for (k = 0; k < g->total; k++)
		len += g->parts[k].len;
	m->units = xmalloc(len);
	for (k = 0; k < g->total; k++) {
		struct concat_part *p = &g->parts[k];

		if (p->units == NULL)
			continue;
		m->have[k / 8] |= (uint8_t)(1u << (k % 8));
		if (p->len > 0)
			memcpy(m->units + m->len, p->units, p->len);
		m->len += p->len;
	}
	concat_msg_finish(m);
	c->nparts -= g->nparts;
	c->groups[i] = c->groups[c->ngroups - 1];
	c->groups[c->ngroups - 1] = NULL;
	c->ngroups--;
	concat_group_free(g);
}

/*
 * The text units of pdu's text (sm + udhl): GSM 7-bit unpacked when the
 * SMSC packs it, anything else as it is. Returns a new buffer in *units.
 */
static enum sd_rc
concat_units(const struct smsc_concat *c, const struct smsc_mo_pdu *pdu,
    enum smsc_alphabet alpha, size_t udhl, uint8_t **units, size_t *n,
    char *err)
{
	size_t tl = pdu->len - udhl;
	const uint8_t *t = tl > 0 ? pdu->sm + udhl : NULL;
	uint8_t *u;

	if (alpha == SMSC_ALPHA_GSM7 && c->cfg.gsm7_packed) {
		unsigned fill = 0;
		size_t cap = tl * 8 / 7 + 1;

		/* Fill bits bring the text to a septet boundary. */
		if (udhl > 0)
			fill = (unsigned)((7 - (udhl * 8) % 7) % 7);
		u = xmalloc(cap);
		if (smsc_gsm7_unpack(t, tl, fill, 0, u, cap, n) != SD_OK) {
			free(u);
			sd_errf(err, "cannot unpack %zu octets of GSM 7-bit",
			    tl);
			return SD_EINVAL;
		}
	} else {
		u = xmalloc(tl);
		if (tl > 0)
			memcpy(u, t, tl);
		*n = tl;
	}
	*units = u;
	return SD_OK;
}

/* Check an address and copy it into dst; NULL reads as "". */
static enum sd_rc
concat_addr(char dst[SMSC_ADDR_MAX + 1], const char *a, const char *what,
    char *err)
{
	size_t n;

	if (a == NULL)
		a = "";
	n = strnlen(a, SMSC_ADDR_MAX + 1);
	if (n > SMSC_ADDR_MAX) {
		sd_errf(err, "%s longer than %d characters", what,
		    SMSC_ADDR_MAX);
		return SD_EINVAL;
	}
	memcpy(dst, a, n + 1);
	return SD_OK;
}

enum sd_rc
smsc_concat_add(struct smsc_concat *c, const struct smsc_mo_pdu *pdu,
    int64_t now, struct smsc_concat_out *out, char err[SD_ERRLEN])
{
	char src[SMSC_ADDR_MAX + 1], dst[SMSC_ADDR_MAX + 1];
	struct smsc_udh_concat ci;
	struct concat_group *g = NULL;
	enum smsc_alphabet alpha;
	uint8_t *units = NULL;
	size_t udhl = 0, n, i, old;
	enum sd_rc rc;

	memset(out, 0, sizeof(*out));
	memset(&ci, 0, sizeof(ci));
	if (pdu->sm == NULL && pdu->len > 0) {
		sd_errf(err, "message of %zu octets without data", pdu->len);
		return SD_EINVAL;
	}
	if (pdu->len > SMSC_PAYLOAD_MAX) {
		sd_errf(err, "message of %zu octets, at most %d", pdu->len,
		    SMSC_PAYLOAD_MAX);
		return SD_ETOOBIG;
	}
	if ((rc = concat_addr(src, pdu->src, "source_addr", err)) != SD_OK ||
	    (rc = concat_addr(dst, pdu->dst, "destination_addr", err)) != SD_OK)
		return rc;
	rc = smsc_dc_alphabet(pdu->data_coding, c->cfg.gsm7_dc, &alpha, err);
	if (rc != SD_OK)
		return rc;
	if (pdu->esm_class & SMSC_ESM_UDHI) {
		rc = smsc_udh_parse(pdu->sm, pdu->len, &udhl, &ci, err);
		if (rc != SD_OK)
			return rc;
	}
	if (pdu->has_sar && pdu->sar_total_segments != 0 &&
	    pdu->sar_segment_seqnum != 0 &&
	    pdu->sar_segment_seqnum <= pdu->sar_total_segments) {
		/* SAR TLVs are SMPP's own statement: they win over a UDH. */
		memset(&ci, 0, sizeof(ci));
		ci.found = true;
		ci.ref16 = true;
		ci.ref = pdu->sar_msg_ref_num;
		ci.total = pdu->sar_total_segments;
		ci.seq = pdu->sar_segment_seqnum;
	}
	rc = concat_units(c, pdu, alpha, udhl, &units, &n, err);
	if (rc != SD_OK)
		return rc;

	if (!ci.found || ci.total == 1) {
		struct smsc_concat_msg *m = &out->msg;

		m->why = SMSC_CONCAT_COMPLETE;
		memcpy(m->src, src, sizeof(m->src));
		memcpy(m->dst, dst, sizeof(m->dst));
		m->ref = ci.found ? ci.ref : 0;
		m->total = 1;
		m->nparts = 1;
		m->have[0] = 1;
		m->data_coding = pdu->data_coding;
		m->alphabet = alpha;
		m->units = units;
		m->len = n;
		m->first_seen = now;
		concat_msg_finish(m);
		out->result = SMSC_CONCAT_DONE;
		return SD_OK;
	}
	if (n > SMSC_CONCAT_UNITS_MAX) {
		free(units);
		sd_errf(err, "part of %zu units, at most %d", n,
		    SMSC_CONCAT_UNITS_MAX);
		return SD_ETOOBIG;
	}

	for (i = 0; i < c->ngroups; i++) {
		struct concat_group *h = c->groups[i];

		if (h->ref == ci.ref && h->total == ci.total &&
		    strcmp(h->src, src) == 0 && strcmp(h->dst, dst) == 0) {
			g = h;
			break;
		}
	}
	if (g != NULL && g->data_coding != pdu->data_coding) {
		free(units);
		sd_errf(err,
		    "part %u/%u has data_coding 0x%02X, earlier parts "
		    "0x%02X",
		    ci.seq, ci.total, pdu->data_coding, g->data_coding);
		return SD_EINVAL;
	}
	out->ref = ci.ref;
	out->total = ci.total;
	if (g != NULL && g->parts[ci.seq - 1].units != NULL) {
		free(units);
		out->result = SMSC_CONCAT_DUPLICATE;
		return SD_OK;
	}

	/* Make room: one eviction frees a group slot and at least one
	 * part (see the invariants above). */
	if ((g == NULL && c->ngroups >= c->cfg.max_groups) ||
	    c->nparts >= c->cfg.max_parts) {
		old = concat_oldest(c, g);
		if (old != SIZE_MAX) {
			concat_take(c, old, SMSC_CONCAT_EVICTED, &out->old);
			out->evicted = true;
		}
	}
	if (g == NULL) {
		g = xcalloc(1, sizeof(*g));
		memcpy(g->src, src, sizeof(g->src));
		memcpy(g->dst, dst, sizeof(g->dst));
		g->ref = ci.ref;
		g->total = ci.total;
		g->data_coding = pdu->data_coding;
		g->alpha = alpha;
		g->first_seen = now;
		g->serial = c->serial++;
		g->parts = xcalloc(ci.total, sizeof(*g->parts));
		c->groups[c->ngroups++] = g;
	}
	g->parts[ci.seq - 1].units = units;
	g->parts[ci.seq - 1].len = n;
	g->nparts++;
	c->nparts++;
	if (g->nparts < g->total) {
		out->result = SMSC_CONCAT_HELD;
		return SD_OK;
	}
	for (i = 0; i < c->ngroups; i++)
		if (c->groups[i] == g)
			break;
	concat_take(c, i, SMSC_CONCAT_COMPLETE, &out->msg);
	out->result = SMSC_CONCAT_DONE;
	return SD_OK;
}

bool
smsc_concat_expire(struct smsc_concat *c, int64_t now,
    struct smsc_concat_msg *msg)
{
	size_t i;

	memset(msg, 0, sizeof(*msg));
	i = concat_oldest(c, NULL);
	if (i == SIZE_MAX || now < concat_due(c, c->groups[i]))
		return false;
	concat_take(c, i, SMSC_CONCAT_TIMEOUT, msg);
	return true;
}

int64_t
smsc_concat_deadline(const struct smsc_concat *c)
{
	size_t i = concat_oldest(c, NULL);

	return i == SIZE_MAX ? INT64_MAX : concat_due(c, c->groups[i]);
}

void
smsc_concat_stats(const struct smsc_concat *c, size_t *groups, size_t *parts)
{
	*groups = c->ngroups;
	*parts = c->nparts;
}

void
smsc_concat_msg_fini(struct smsc_concat_msg *m)
{
	if (m == NULL)
		return;
	free(m->units);
	free(m->text);
	memset(m, 0, sizeof(*m));
}

void
smsc_concat_out_fini(struct smsc_concat_out *out)
{
	if (out == NULL)
		return;
	smsc_concat_msg_fini(&out->msg);
	smsc_concat_msg_fini(&out->old);
	memset(out, 0, sizeof(*out));
}
