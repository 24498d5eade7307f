/*
 * tests/sim/sim_store.c: the messages ESMEs submitted, decoded and
 * reassembled.
 *
 * Invariants:
 *   - Stored messages live in a ring of max_msgs slots in seq order; the
 *     message with seq q is at ring[(q - 1) % cap] while first <= q <=
 *     last. The oldest go first when the ring is full or the text bytes
 *     pass max_bytes (the newest message always stays).
 *   - Parts of a long message wait in a group keyed by (kind, source,
 *     destination, reference, total), found through a hash table and
 *     kept on an age list in creation order, so the groups to expire are
 *     always at its head. At most SIM_GROUPS_MAX groups wait; a new one
 *     pushes the oldest out as an incomplete message.
 *   - Parts keep their raw octets until the group is complete, so an
 *     escape or a surrogate pair split across parts still decodes; the
 *     text is decoded once, on the joined octets, when every part has the
 *     same data_coding.
 */
#include "tests/sim/sim.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/base/xmalloc.h"

#define STORE_BUCKETS 4096 /* power of two */

struct group_part {
	bool have;              /* arrived */
	uint8_t dc;             /* its data_coding */
	uint8_t *units;         /* its octets (owned) */
	size_t n;               /* their count */
	char id[SIM_MSGID_MAX]; /* its message id */
};

struct group {
	struct group *hnext;       /* hash chain */
	struct group *prev, *next; /* age list */
	uint64_t hash;             /* of the key */
	int64_t born_ms;           /* CLOCK_MONOTONIC at the first part */
	struct sim_msg head;       /* fields of the first part (no text) */
	uint16_t ref;              /* key: reference */
	uint8_t total;             /* key: parts */
	unsigned seen;             /* parts arrived */
	struct group_part *part;   /* total entries */
};

struct sim_store {
	struct sim_msg **ring;   /* cap slots */
	size_t cap;              /* max_msgs */
	uint64_t first, last;    /* seqs kept; first > last: empty */
	size_t bytes, max_bytes; /* accounted bytes and their limit */
	struct group *bucket[STORE_BUCKETS]; /* hash table */
	struct group *old, *young;           /* age list ends */
	size_t n_groups;                     /* groups waiting */
	int64_t timeout_ms;                  /* how long a group waits */
	sim_store_fn fn;                     /* on every stored message */
	void *arg;                           /* its argument */
};

struct sim_store *
sim_store_new(size_t max_msgs, size_t max_bytes, int64_t timeout_ms,
    sim_store_fn fn, void *arg)
{
	struct sim_store *s = xcalloc(1, sizeof(*s));

	s->cap = max_msgs == 0 ? 1 : max_msgs;
	s->ring = xcalloc(s->cap, sizeof(*s->ring));
	s->first = 1;
	s->last = 0;
	s->max_bytes = max_bytes;
	s->timeout_ms = timeout_ms;
	s->fn = fn;
	s->arg = arg;
	return s;
}

static void
msg_free(struct sim_msg *m)
{
	if (m == NULL)
		return;
	free(m->text);
	free(m->ids);
	free(m);
}

static void
group_free(struct group *g)
{
	unsigned i;

	for (i = 0; i < g->total; i++)
		free(g->part[i].units);
	free(g->part);
	free(g);
}

void
sim_store_free(struct sim_store *s)
{
	struct group *g, *next;
	uint64_t q;

	if (s == NULL)
		return;
	for (g = s->old; g != NULL; g = next) {
		next = g->next;
		group_free(g);
	}
	for (q = s->first; q <= s->last; q++)
		msg_free(s->ring[(q - 1) % s->cap]);
	free(s->ring);
	free(s);
}

/* Put m (complete or not) into the ring and tell the caller's hook. */
static void
store_put(struct sim_store *s, struct sim_msg *m)
{
	m->seq = s->last + 1;
	m->time = (int64_t)time(NULL);
	m->bytes = sizeof(*m) + strlen(m->text) + strlen(m->ids) + 2;
	while (s->first <= s->last && (s->last - s->first + 1 >= s->cap ||
					  s->bytes + m->bytes > s->max_bytes)) {
		struct sim_msg **slot = &s->ring[(s->first - 1) % s->cap];

		s->bytes -= (*slot)->bytes;
		msg_free(*slot);
		*slot = NULL;
		s->first++;
	}
	s->ring[(m->seq - 1) % s->cap] = m;
	s->last = m->seq;
	s->bytes += m->bytes;
	if (s->fn != NULL)
		s->fn(m, s->arg);
}

/* Copy an address, '?' for anything but printable ASCII: addresses come
 * from the ESME as any octets and go into JSON, HTML and the log. */
static void
addr_copy(char out[SIM_ADDR_MAX], const char *in)
{
	size_t i;

	for (i = 0; in[i] != '\0' && i + 1 < SIM_ADDR_MAX; i++)
		out[i] = in[i] >= 0x20 && in[i] < 0x7F ? in[i] : '?';
	out[i] = '\0';
}

static void
msg_fill_head(struct sim_msg *m, const struct sim_part *p)
{
	memset(m, 0, sizeof(*m));
	addr_copy(m->src, p->src);
	addr_copy(m->dst, p->dst);
	m->src_ton = p->src_ton;
	m->src_npi = p->src_npi;
	m->dst_ton = p->dst_ton;
	m->dst_npi = p->dst_npi;
	m->dc = p->dc;
	m->esm_class = p->esm_class;
	m->rd = p->rd;
	m->concat = (uint8_t)p->concat;
	m->payload = p->payload;
	m->has_ussd_op = p->has_ussd_op;
	m->ussd_op = p->ussd_op;
	m->has_session = p->has_session;
	m->session = p->session;
}

static uint64_t
group_hash(const struct sim_part *p)
{
	uint64_t h = 1469598103934665603ull; /* FNV-1a */
	const char *s;

	for (s = p->src; *s != '\0'; s++)
		h = (h ^ (unsigned char)*s) * 1099511628211ull;
	h = (h ^ 0xFF) * 1099511628211ull;
	for (s = p->dst; *s != '\0'; s++)
		h = (h ^ (unsigned char)*s) * 1099511628211ull;
	h = (h ^ p->ref) * 1099511628211ull;
	h = (h ^ p->total) * 1099511628211ull;
	h = (h ^ (uint64_t)p->concat) * 1099511628211ull;
	return h;
}

static bool
group_is(const struct group *g, uint64_t h, const struct sim_part *p)
{
	return g->hash == h && g->ref == p->ref && g->total == p->total &&
	       g->head.concat == (uint8_t)p->concat &&
	       strcmp(g->head.src, p->src) == 0 &&
	       strcmp(g->head.dst, p->dst) == 0;
}

static void
group_unlink(struct sim_store *s, struct group *g)
{
	struct group **pp = &s->bucket[g->hash & (STORE_BUCKETS - 1)];

	while (*pp != g)
		pp = &(*pp)->hnext;
	*pp = g->hnext;
	if (g->prev != NULL)
		g->prev->next = g->next;
	else
		s->old = g->next;
	if (g->next != NULL)
		g->next->prev = g->prev;
	else
		s->young = g->prev;
	s->n_groups--;
}

/* Turn a group (complete or not) into a stored message and free it. */
static void
group_finish(struct sim_store *s, struct group *g)
{
	struct sim_msg *m = xmalloc(sizeof(*m));
	struct sim_buf text = {0}, ids = {0};
	bool same_dc = true;
	uint8_t dc = 0;
	unsigned i;
	bool first = true;

	group_unlink(s, g);
	*m = g->head;
	m->parts = g->total;
	m->parts_seen = g->seen;
	m->complete = g->seen == g->total;
	for (i = 0; i < g->total; i++) {
		if (!g->part[i].have)
			continue;
		if (first)
			dc = g->part[i].dc;
		else if (g->part[i].dc != dc)
			same_dc = false;
		first = false;
		if (ids.len > 0)
			sim_buf_add(&ids, ",", 1);
		sim_buf_adds(&ids, g->part[i].id);
	}
	if (m->complete && same_dc) {
		struct sim_buf raw = {0};

		for (i = 0; i < g->total; i++)
			sim_buf_add(&raw, g->part[i].units, g->part[i].n);
		m->bad_units = sim_text_decode(
		    sim_dc_alpha(dc), (const uint8_t *)raw.p, raw.len, &text);
		sim_buf_fini(&raw);
	} else {
		for (i = 0; i < g->total; i++) {
			if (!g->part[i].have) {
				sim_buf_addf(&text, "[part %u/%u missing]",
				    i + 1, g->total);
				continue;
			}
			m->bad_units +=
			    sim_text_decode(sim_dc_alpha(g->part[i].dc),
				g->part[i].units, g->part[i].n, &text);
		}
	}
	m->text = sim_buf_take(&text);
	m->ids = sim_buf_take(&ids);
	group_free(g);
	store_put(s, m);
}

void
sim_store_add(struct sim_store *s, const struct sim_part *raw, int64_t now_ms)
{
	struct sim_part clean = *raw;
	const struct sim_part *p = &clean;
	char src[SIM_ADDR_MAX], dst[SIM_ADDR_MAX];
	struct group *g;
	struct group_part *gp;
	uint64_t h;

	/* Groups are keyed by the addresses as stored. */
	addr_copy(src, raw->src);
	addr_copy(dst, raw->dst);
	clean.src = src;
	clean.dst = dst;

	if (p->concat == SIM_CONCAT_NONE || p->total <= 1) {
		struct sim_msg *m = xmalloc(sizeof(*m));
		struct sim_buf text = {0};

		msg_fill_head(m, p);
		m->parts = m->parts_seen = 1;
		m->complete = true;
		m->bad_units =
		    sim_text_decode(sim_dc_alpha(p->dc), p->units, p->n, &text);
		m->text = sim_buf_take(&text);
		m->ids = xstrdup(p->id);
		store_put(s, m);
		return;
	}
	h = group_hash(p);
	for (g = s->bucket[h & (STORE_BUCKETS - 1)]; g != NULL; g = g->hnext)
		if (group_is(g, h, p))
			break;
	if (g == NULL) {
		if (s->n_groups >= SIM_GROUPS_MAX && s->old != NULL)
			group_finish(s, s->old);
		g = xcalloc(1, sizeof(*g));
		g->hash = h;
		g->born_ms = now_ms;
		msg_fill_head(&g->head, p);
		g->ref = p->ref;
		g->total = p->total;
		g->part = xcalloc(p->total, sizeof(*g->part));
		g->hnext = s->bucket[h & (STORE_BUCKETS - 1)];
		s->bucket[h & (STORE_BUCKETS - 1)] = g;
		g->prev = s->young;
		if (s->young != NULL)
			s->young->next = g;
		else
			s->old = g;
		s->young = g;
		s->n_groups++;
	}
	gp = &g->part[p->seq - 1];
	if (gp->have) {
		/* Sent again (the ESME retried): keep the newer copy. */
		free(gp->units);
	} else {
		g->seen++;
	}
	gp->have = true;
	gp->dc = p->dc;
	gp->units = xmalloc(p->n == 0 ? 1 : p->n);
	if (p->n > 0)
		memcpy(gp->units, p->units, p->n);
	gp->n = p->n;
	snprintf(gp->id, sizeof(gp->id), "%s", p->id);
	if (p->seq == 1) {
		/* The first part decides the message's header fields. */
		msg_fill_head(&g->head, p);
	}
	if (g->seen == g->total)
		group_finish(s, g);
}

void
sim_store_expire(struct sim_store *s, int64_t now_ms)
{
	while (s->old != NULL && s->old->born_ms + s->timeout_ms <= now_ms)
		group_finish(s, s->old);
}

const struct sim_msg *
sim_store_get(const struct sim_store *s, uint64_t seq)
{
	if (seq < s->first || seq > s->last)
		return NULL;
	return s->ring[(seq - 1) % s->cap];
}

void
sim_store_range(const struct sim_store *s, uint64_t *first, uint64_t *last)
{
	*first = s->first;
	*last = s->last;
}

void
sim_store_gauges(
    const struct sim_store *s, size_t *msgs, size_t *bytes, size_t *groups)
{
	*msgs = s->first <= s->last ? (size_t)(s->last - s->first + 1) : 0;
	*bytes = s->bytes;
	*groups = s->n_groups;
}
