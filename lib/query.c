/*
 * query.c: the list/filter engine over the ticket cache (see query.h).
 * Records that pass the filters are streamed straight to the caller when
 * no sorting is needed; otherwise the values of the slots kept are copied
 * into one arena (a single growing buffer) and sorted by index, so a
 * listing costs no allocation per record. Sort keys are decoded once per
 * row; those that can (priorities, whole numbers, times) are packed into
 * one integer per row, so most comparisons are one integer compare.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#ifdef __SSE2__
#include <emmintrin.h>
#endif

#include "cache.h"
#include "desk.h"
#include "fieldset.h"
#include "mailbox.h"
#include "query.h"
#include "sla.h"
#include "status.h"
#include "textindex.h"
#include "ticket.h"
#include "workflow.h"
#include "yamlio.h"
#include "util.h"

void
query_init(struct query *q)
{
	memset(q, 0, sizeof(*q));
	q->prio_min = -1;
	q->esc_level = -1;
	q->limit = -1;
	q->s_id = query_slot(q, "id");
	q->s_status = query_slot(q, "status");
	q->s_queue = query_slot(q, "queue");
	q->s_owner = query_slot(q, "owner");
	q->s_prio = query_slot(q, "priority");
	q->s_channel = query_slot(q, "channel");
	q->s_customer = query_slot(q, "customer");
	q->s_tags = query_slot(q, "tags");
	q->s_req = query_slot(q, "requestors");
	q->s_created = query_slot(q, "created");
	q->s_updated = query_slot(q, "updated");
	q->s_sladue = query_slot(q, "sla-due");
	q->s_due = query_slot(q, "due");
	q->s_esc = query_slot(q, "esc-level");
	q->due_window = SLA_DUE_WINDOW;
}

static void
qlist_free(struct qlist *l)
{
	strv_free(l->v, l->n);
	l->v = NULL;
	l->n = 0;
}

void
query_free(struct query *q)
{
	qlist_free(&q->status);
	qlist_free(&q->queue);
	qlist_free(&q->owner);
	qlist_free(&q->priority);
	qlist_free(&q->channel);
	qlist_free(&q->customer);
	for (size_t i = 0; i < q->ntags; i++)
		qlist_free(&q->tags[i]);
	free(q->tags);
	free(q->requestor);
	free(q->text);
	free(q->created_since);
	free(q->created_until);
	free(q->updated_since);
	free(q->updated_until);
	for (size_t i = 0; i < q->nwhere; i++) {
		free(q->where[i].key);
		free(q->where[i].val);
	}
	free(q->where);
	for (size_t i = 0; i < q->nsort; i++)
		free(q->sort[i].key);
	free(q->sort);
	for (int i = 0; i < q->nslots; i++)
		free(q->slot_key[i]);
	sla_free(q->slacfg);
	memset(q, 0, sizeof(*q));
}

/* Options */

void
query_list(struct qlist *l, const char *s)
{
	char **v;
	size_t n = str_split(s, ",", &v);

	l->v = xrealloc(l->v, (l->n + n + 1) * sizeof(*l->v));
	memcpy(l->v + l->n, v, n * sizeof(*v));
	l->n += n;
	free(v);
}

int
query_priority(struct query *q, const char *s)
{
	size_t l = strlen(s);

	if (l > 1 && s[l - 1] == '+') {
		char *p = xstrndup(s, l - 1);
		int rc = priority_check(p, EX_USAGE);	/* a bad option value: 64 (t3100) */

		q->prio_min = priority_rank(p);
		free(p);
		if (rc != 0)
			return rc;
	} else
		query_list(&q->priority, s);
	return 0;
}

/* A requestor as an address, a "Name <addr>" pasted from a mail, or @domain. */
void
query_requestor(struct query *q, const char *s)
{
	free(q->requestor);
	q->requestor = mailbox_addr(s);
}

void
query_tag(struct query *q, const char *s)
{
	q->tags = xrealloc(q->tags, (q->ntags + 1) * sizeof(*q->tags));
	memset(&q->tags[q->ntags], 0, sizeof(*q->tags));
	query_list(&q->tags[q->ntags++], s);
}

int
query_owner(struct query *q, struct desk *d, const char *s)
{
	char **v;
	size_t n = str_split(s, ",", &v);

	for (size_t i = 0; i < n; i++) {
		char *x = strcmp(v[i], "none") == 0 ? xstrdup("") :
		    strcmp(v[i], "me") == 0 ? agent_of_actor(d) : xstrdup(v[i]);
		q->owner.v = xrealloc(q->owner.v, (q->owner.n + 1) * sizeof(char *));
		q->owner.v[q->owner.n++] = x;
	}
	strv_free(v, n);
	return 0;
}

int
query_time(char **out, const char *opt, const char *s)
{
	char buf[RT_TIMELEN];
	time_t t;
	int rc;

	if ((rc = rt_time_opt(opt, s, &t)) != 0)
		return rc;
	free(*out);
	*out = xstrdup(rt_fmttime(t, buf));
	return 0;
}

int
query_sla(struct query *q, const char *s)
{
	if (strcmp(s, "due-soon") == 0)
		q->sla = QUERY_SLA_SOON;
	else if (strcmp(s, "breached") == 0)
		q->sla = QUERY_SLA_BREACHED;
	else
		return rt_fail(EX_USAGE, "--sla takes due-soon or breached, not '%s'", s);
	return 0;
}

int
query_text(struct query *q, const char *s)
{
	char **w;
	size_t n = textindex_words(s, &w);

	strv_free(w, n);
	if (n == 0)
		return rt_fail(EX_USAGE, "'%s' holds no word to search for (two letters or "
		    "digits or more)", s);
	free(q->text);
	q->text = xstrdup(s);
	return 0;
}

int
query_duration(const char *s, long *out)
{
	long long secs = rt_duration(s);

	if (secs < 0)
		return rt_fail(EX_USAGE, "--due-window takes a duration (N[smhdw]), not '%s'", s);
	*out = (long)secs;
	return 0;
}

int
query_esc_level(struct query *q, const char *s)
{
	char *end;

	q->esc_level = strtol(s, &end, 10);
	q->esc_min = *end == '+';
	if (end == s || q->esc_level < 0 || (*end && strcmp(end, "+")))
		return rt_fail(EX_USAGE, "--esc-level takes N or N+, not '%s'", s);
	return 0;
}

int
query_where(struct query *q, const char *s)
{
	const char *eq = strchr(s, '=');

	if (eq == NULL || eq == s)
		return rt_fail(EX_USAGE, "--where takes KEY=VALUE, not '%s'", s);
	q->where = xrealloc(q->where, (q->nwhere + 1) * sizeof(*q->where));
	q->where[q->nwhere].key = xstrndup(s, (size_t)(eq - s));
	q->where[q->nwhere].val = xstrdup(eq + 1);
	if ((q->where[q->nwhere].slot = query_slot(q, q->where[q->nwhere].key)) < 0) {
		free(q->where[q->nwhere].key);
		free(q->where[q->nwhere].val);
		return EX_USAGE;
	}
	q->nwhere++;
	return 0;
}

int
query_sort(struct query *q, const char *s)
{
	char **v;
	size_t n = str_split(s, ",", &v);
	int rc = 0;

	q->sort = xrealloc(q->sort, (q->nsort + n) * sizeof(*q->sort));
	for (size_t i = 0; i < n; i++) {
		int desc = v[i][0] == '-', slot;
		char *key = v[i] + (v[i][0] == '-' || v[i][0] == '+');
		if (rc == 0 && (slot = query_slot(q, key)) >= 0) {
			q->sort[q->nsort].key = xstrdup(key);
			q->sort[q->nsort].desc = desc;
			q->sort[q->nsort++].slot = slot;
		} else
			rc = EX_USAGE;
		free(v[i]);
	}
	free(v);
	return rc;
}

int
query_limit(struct query *q, const char *s)
{
	char *end;

	q->limit = strtol(s, &end, 10);
	if (end == s || *end || q->limit < 0)
		return rt_fail(EX_USAGE, "--limit takes a number, not '%s'", s);
	return 0;
}

/* A record key's bucket in slot_tab: every key of a record is looked up. */
static size_t
slot_hash(const char *k, size_t kl)
{
	return kl ? rt_keyhash(k, kl) % (2 * QUERY_MAXSLOTS) : 0;
}

static int
slot_find(const struct query *q, const char *k, size_t kl)
{
	for (size_t h = slot_hash(k, kl); q->slot_tab[h]; h = (h + 1) % (2 * QUERY_MAXSLOTS)) {
		int i = q->slot_tab[h] - 1;
		if (q->slot_len[i] == kl && memcmp(q->slot_key[i], k, kl) == 0)
			return i;
	}
	return -1;
}

int
query_slot(struct query *q, const char *key)
{
	for (int i = 0; i < q->nslots; i++)
		if (strcmp(q->slot_key[i], key) == 0)
			return i;
	if (q->nslots == QUERY_MAXSLOTS)
		return rt_fail(EX_USAGE, "too many keys"), -1;
	q->slot_key[q->nslots] = xstrdup(key);
	q->slot_len[q->nslots] = strlen(key);
	size_t h = slot_hash(key, q->slot_len[q->nslots]);
	while (q->slot_tab[h])
		h = (h + 1) % (2 * QUERY_MAXSLOTS);
	q->slot_tab[h] = (unsigned char)(q->nslots + 1);
	return q->nslots++;
}

/* Checking values against rt.yaml */

/* Keys the cache adds to a ticket's own (see summary.c). */
static const char *const derived_keys[] = {
	"updated", "first-in", "first-response", "last-in", "last-out", "resolved-at",
	"closed-at", "msgs-in", "msgs-out", "reopens", "rating", "rated-at", "surveyed-at",
	"esc-level", "esc-steps", "escalate", "timeline", "mail-timeline", "set-by-hand",
	"untagged-by-hand", NULL
};

/* Channels tickets come in by; rt.yaml channels: may name more. */
static const char *const known_channels[] = {
	"mail", "chat", "social", "phone", "monitoring", "event", "web", "walk-in", NULL
};

static int
in_strv(const char *const *v, const char *s)
{
	for (; *v; v++)
		if (strcmp(*v, s) == 0)
			return 1;
	return 0;
}

static void
add_strv(struct sbuf *sb, const char *const *v)
{
	for (; *v; v++)
		sbuf_addf(sb, "%s%s", sb->len ? ", " : "", *v);
}

static void
add_keys(struct sbuf *sb, const struct ynode *m)
{
	for (size_t i = 0; m && m->kind == Y_MAP && i < m->n; i++)
		sbuf_addf(sb, "%s%s", sb->len ? ", " : "", m->keys[i]);
}

/* queue and priority as rt-set checks them (fieldset.c), same words. */
static int
check_as_set(struct desk *d, const char *field, const struct qlist *l)
{
	struct kvmap none = KVMAP_INIT;
	int rc = 0;

	for (size_t i = 0; rc == 0 && i < l->n; i++) {
		struct assign a = { (char *)field, '=', l->v[i] };
		char *nv = NULL;
		if (*l->v[i] == '\0')
			continue;
		rc = assign_value(d, &none, &a, &nv);
		free(nv);
	}
	return rc;
}

static int
check_status(struct desk *d, const struct qlist *l)
{
	for (size_t i = 0; i < l->n; i++) {
		char *names;
		int rc;
		if (workflow_status_known(d, l->v[i], NULL))
			continue;
		workflow_status_known(d, l->v[i], &names);
		rc = rt_fail(EX_DATAERR, "unknown status '%s' (rt.yaml workflows: %s)", l->v[i], names);
		free(names);
		return rc;
	}
	return 0;
}

/* Channels are free words (rt-new --channel): the tickets' own count as known. */
struct channels {
	const char *want;
	int found;
	struct sbuf seen;	/* ", a, b" */
};

static int
channel_seen(const struct rec *r, void *arg)
{
	struct channels *c = arg;
	const char *ch = rec_get(r, "channel");
	char **v;
	size_t n, k;

	if (ch == NULL || *ch == '\0')
		return 0;
	if (strcmp(ch, c->want) == 0)
		return c->found = 1;
	if (in_strv(known_channels, ch))
		return 0;
	n = str_split(c->seen.buf ? c->seen.buf : "", ", ", &v);
	for (k = 0; k < n && strcmp(v[k], ch) != 0; k++)
		;
	if (k == n && n < 50)
		sbuf_addf(&c->seen, ", %s", ch);
	strv_free(v, n);
	return 0;
}

static int
check_channel(struct desk *d, const struct qlist *l)
{
	const struct ynode *cfg = desk_cfg(d, "channels");

	for (size_t i = 0; i < l->n; i++) {
		struct channels c = { l->v[i], 0, SBUF_INIT };
		struct sbuf sb = SBUF_INIT;
		int rc;
		if (in_strv(known_channels, l->v[i]) ||
		    (cfg && cfg->kind == Y_MAP && ymap_get(cfg, l->v[i])))
			continue;
		if ((rc = cache_foreach(d, channel_seen, &c)) != 0 && rc != 1) {
			sbuf_free(&c.seen);
			return rc;
		}
		if (c.found) {
			sbuf_free(&c.seen);
			continue;
		}
		add_strv(&sb, known_channels);
		add_keys(&sb, cfg);
		rc = rt_fail(EX_DATAERR, "unknown channel '%s' (%s%s)", l->v[i], sb.buf,
		    c.seen.buf ? c.seen.buf : "");
		sbuf_free(&sb);
		sbuf_free(&c.seen);
		return rc;
	}
	return 0;
}

/* The keys a record can hold, each once, in the order first added. */
struct keys {
	struct sbuf list;	/* "a, b, c" for the message */
	char **v;
	size_t n;
};

static void
keys_add(const char *key, void *arg)
{
	struct keys *k = arg;

	for (size_t i = 0; i < k->n; i++)
		if (strcmp(k->v[i], key) == 0)
			return;
	k->v = xrealloc(k->v, (k->n + 1) * sizeof(*k->v));
	k->v[k->n++] = xstrdup(key);
	sbuf_addf(&k->list, "%s%s", k->list.len ? ", " : "", key);
}

static void
keys_add_strv(struct keys *k, const char *const *v)
{
	for (; *v; v++)
		keys_add(*v, k);
}

/*
 * Every key a record can hold: the ticket's own, the cache's, the fields
 * rt-set sets, rt.yaml's fields: and what its workflows set. The check
 * and its message read this one list.
 */
static void
record_keys(struct desk *d, struct keys *k)
{
	const struct ynode *fields = desk_cfg(d, "fields");

	keys_add_strv(k, ticket_keys);
	keys_add_strv(k, derived_keys);
	keys_add_strv(k, field_settable_builtin());
	for (size_t i = 0; fields && fields->kind == Y_MAP && i < fields->n; i++)
		keys_add(fields->keys[i], k);
	workflow_set_keys(d, keys_add, k);
}

int
query_key_check(struct desk *d, const char *key, const char *what)
{
	struct keys k = { SBUF_INIT, NULL, 0 };
	int rc = EX_USAGE;

	record_keys(d, &k);
	for (size_t i = 0; i < k.n && rc; i++)
		rc = strcmp(k.v[i], key) == 0 ? 0 : EX_USAGE;
	if (rc)
		rt_fail(rc, "unknown %s '%s' (%s)", what, key, k.list.buf);
	strv_free(k.v, k.n);
	sbuf_free(&k.list);
	return rc;
}

static int
check_sort(struct desk *d, const struct query *q)
{
	int rc;

	for (size_t i = 0; i < q->nsort; i++)
		if ((rc = query_key_check(d, q->sort[i].key, "sort key")) != 0)
			return rc;
	return 0;
}

int
query_check(const struct query *q, struct desk *d)
{
	int rc;

	if ((rc = check_status(d, &q->status)) != 0 ||
	    (rc = check_as_set(d, "queue", &q->queue)) != 0 ||
	    (rc = check_as_set(d, "owner", &q->owner)) != 0 ||
	    (rc = check_as_set(d, "priority", &q->priority)) != 0 ||
	    (rc = check_channel(d, &q->channel)) != 0 ||
	    (rc = check_sort(d, q)) != 0)
		return rc;
	return 0;
}

/* Matching */

/*
 * The NULs of a record in turn, found 64 bytes at a time: a record's
 * strings are short (a key, "open", a time) and follow each other, so
 * the end of the next is the next NUL; finding each end on its own cost
 * more than the rest of a sorted listing's scan.
 */
struct nuls {
	const char *at, *end;
	uint64_t m;		/* bit i: at[i] is a NUL not yet handed out */
};

/* Bit i: p[i] is a NUL, for i < 64 and p + i < end. */
static inline uint64_t
nul_mask(const char *p, const char *end)
{
	char tail[64];
	uint64_t m = 0;

	if (end - p < 64) {
		memset(tail, 1, sizeof(tail));
		memcpy(tail, p, (size_t)(end - p));
		p = tail;
	}
#ifdef __SSE2__
	const __m128i zero = _mm_setzero_si128();
	for (int i = 0; i < 4; i++) {
		__m128i b = _mm_loadu_si128((const __m128i *)(const void *)(p + 16 * i));
		m |= (uint64_t)(uint16_t)_mm_movemask_epi8(_mm_cmpeq_epi8(b, zero)) << (16 * i);
	}
#else
	for (int i = 0; i < 64; i++)
		m |= (uint64_t)(p[i] == '\0') << i;
#endif
	return m;
}

static inline void
nuls_init(struct nuls *n, const struct rec *r)
{
	n->at = r->buf;
	n->end = r->buf + r->len;
	n->m = r->len ? nul_mask(n->at, n->end) : 0;
}

/* The NUL ending the next string (the first at the record's start), or end. */
static inline const char *
nuls_next(struct nuls *n)
{
	const char *nul;

	while (n->m == 0) {
		if (n->end - n->at <= 64)
			return n->end;
		n->at += 64;
		n->m = nul_mask(n->at, n->end);
	}
	nul = n->at + __builtin_ctzll(n->m);
	n->m &= n->m - 1;
	return nul;
}

void
query_fill(const struct query *q, const struct rec *r, const char **v)
{
	const char *p = r->buf, *end = r->buf + r->len;
	struct nuls n;

	nuls_init(&n, r);
	memset(v, 0, (size_t)q->nslots * sizeof(*v));
	while (p < end) {
		const char *k = p, *val = nuls_next(&n) + 1;
		size_t kl = (size_t)(val - 1 - k);
		if (val >= end)
			break;
		int i = slot_find(q, k, kl);
		if (i >= 0)
			v[i] = val;
		p = nuls_next(&n) + 1;
	}
}

/* The slots query_match reads (QUERY_FILTERS below). */
static uint64_t match_slots(const struct query *q);

/*
 * The slots a sorted listing looks up (see fill_need): those filters
 * read, and need. Bit kl of screen[c] is set when one of their keys is
 * kl bytes long and begins with c: most keys of a record fail it with
 * one load, before slot_find hashes them.
 */
struct fillplan {
	uint64_t need;
	int nneed;
	uint32_t screen[256];
};

static void
fillplan_init(const struct query *q, uint64_t need, struct fillplan *fp)
{
	memset(fp, 0, sizeof(*fp));
	need |= match_slots(q);
	for (int i = 0; i < q->nslots; i++) {
		if (!(need >> i & 1))
			continue;
		fp->need |= UINT64_C(1) << i;
		fp->nneed++;
		if (q->slot_len[i] < 32)
			fp->screen[(unsigned char)q->slot_key[i][0]] |= UINT32_C(1) << q->slot_len[i];
	}
}

/*
 * As query_fill, the slots in fp's need only (the others NULL), and done
 * when they are found: a record's keys are distinct (kv_serialize).
 */
static void
fill_need(const struct query *q, const struct fillplan *fp, const struct rec *r,
    const char **v)
{
	const char *p = r->buf, *end = r->buf + r->len;
	int left = fp->nneed;
	struct nuls n;

	nuls_init(&n, r);
	memset(v, 0, (size_t)q->nslots * sizeof(*v));
	while (p < end && left > 0) {
		const char *k = p, *val = nuls_next(&n) + 1;
		size_t kl = (size_t)(val - 1 - k);
		int i;
		if (val >= end)
			break;
		p = nuls_next(&n) + 1;
		if (kl >= 32 || !(fp->screen[(unsigned char)*k] >> kl & 1))
			continue;
		if ((i = slot_find(q, k, kl)) >= 0 && fp->need >> i & 1) {
			v[i] = val;
			left--;
		}
	}
}

static int
list_match(const struct qlist *l, const char *val)
{
	if (l->n == 0)
		return 1;
	for (size_t i = 0; i < l->n; i++)
		if (strcmp(l->v[i], val ? val : "") == 0)
			return 1;
	return 0;
}

/* Any item of l is in the comma list val. */
static int
list_any_in(const struct qlist *l, const char *val)
{
	for (size_t i = 0; i < l->n; i++)
		if (kv_list_has(val ? val : "", l->v[i]))
			return 1;
	return 0;
}

static int
requestor_match(const char *list, const char *want)
{
	size_t wl = strlen(want);

	if (list == NULL)
		return 0;
	for (const char *p = list; *p;) {
		size_t k = strcspn(p, ",");
		if (want[0] == '@' ? (k >= wl && strncasecmp(p + k - wl, want, wl) == 0) :
		    (k == wl && strncasecmp(p, want, wl) == 0))
			return 1;
		p += k;
		if (*p)
			p++;
	}
	return 0;
}

/* since <= t < until; a missing time never matches a bound. */
static int
in_range(const char *t, const char *since, const char *until)
{
	if (since && (t == NULL || strcmp(t, since) < 0))
		return 0;
	if (until && (t == NULL || strcmp(t, until) >= 0))
		return 0;
	return 1;
}

/* The status filter: the statuses asked, else not merged (unless --all); --open. */
static int
status_pass(const struct query *q, const char *st)
{
	if (q->status.n) {
		if (!list_match(&q->status, st))
			return 0;
	} else if (!q->all && st && strcmp(st, "merged") == 0)
		return 0;
	return !(q->open && status_is_done(st));
}

/* Every --tag given has an item in the tags. */
static int
tags_pass(const struct query *q, const char *tags)
{
	for (size_t i = 0; i < q->ntags; i++)
		if (!list_any_in(&q->tags[i], tags))
			return 0;
	return 1;
}

static int
esc_pass(const struct query *q, const char *x)
{
	long l = x ? strtol(x, NULL, 10) : 0;

	return q->esc_min ? l >= q->esc_level : l == q->esc_level;
}

/*
 * The filters, one line each: X(GIVEN, SLOT, PASS): whether the query has
 * the filter, the slot (a struct query member) it reads, and whether the
 * slot's value x (NULL: none) passes it. query_match tests them,
 * match_slots asks for their slots: one list, so a filter cannot be read
 * and not looked up. The status is always read (merged tickets are
 * left out); --where's filters carry their slots (q->where).
 */
#define QUERY_FILTERS(X) \
	X(1, s_status, status_pass(q, x)) \
	X(q->queue.n, s_queue, list_match(&q->queue, x)) \
	X(q->owner.n, s_owner, list_match(&q->owner, x)) \
	X(q->priority.n || q->prio_min >= 0, s_prio, list_match(&q->priority, x) && \
	    (q->prio_min < 0 || priority_rank(x) >= q->prio_min)) \
	X(q->channel.n, s_channel, list_match(&q->channel, x)) \
	X(q->customer.n, s_customer, list_match(&q->customer, x)) \
	X(q->ntags, s_tags, tags_pass(q, x)) \
	X(q->requestor, s_req, requestor_match(x, q->requestor)) \
	X(q->created_since || q->created_until, s_created, \
	    in_range(x, q->created_since, q->created_until)) \
	X(q->updated_since || q->updated_until, s_updated, \
	    in_range(x, q->updated_since, q->updated_until)) \
	X(q->esc_level >= 0, s_esc, esc_pass(q, x))

static uint64_t
match_slots(const struct query *q)
{
	uint64_t m = 0;

#define SLOT(given, slot, pass) if (given) m |= UINT64_C(1) << q->slot;
	QUERY_FILTERS(SLOT)
#undef SLOT
	for (size_t i = 0; i < q->nwhere; i++)
		m |= UINT64_C(1) << q->where[i].slot;
	return m;
}

int
query_match(const struct query *q, const char **v)
{
#define PASS(given, slot, pass) if (given) { const char *x = v[q->slot]; if (!(pass)) return 0; }
	QUERY_FILTERS(PASS)
#undef PASS
	for (size_t i = 0; i < q->nwhere; i++) {
		const char *x = v[q->where[i].slot];
		if (strcmp(x ? x : "", q->where[i].val) != 0)
			return 0;
	}
	return 1;
}

/* The clock for --sla, and the policies that decide it. */
static int
prepare(struct query *q, struct desk *d)
{
	time_t now = rt_now();
	int rc;

	rt_fmttime(now, q->now);
	rt_fmttime(now + q->due_window, q->soon);
	if ((rc = query_check(q, d)) != 0)
		return rc;
	if (q->sla && q->slacfg == NULL && (rc = sla_load(&q->slacfg, d)) != 0) {
		sla_free(q->slacfg);
		q->slacfg = NULL;
		return rc;
	}
	return 0;
}

/* The filters, then what sla.c says the ticket needs (it reads the whole record). */
static int
match_rec(const struct query *q, const struct rec *r, const char **v)
{
	struct sla_ticket t;
	time_t now;

	if (!query_match(q, v))
		return 0;
	if (q->sla == 0)
		return 1;
	sla_ticket_from_rec(&t, r);
	rt_parsetime(q->now, &now);
	return (int)sla_alert_of(q->slacfg, &t, now, q->due_window) ==
	    (q->sla == QUERY_SLA_BREACHED ? SLA_ALERT_BREACHED : SLA_ALERT_DUE_SOON);
}

/* Running */

struct stream {
	const struct query *q;
	const char **v;
	query_fn fn;
	void *arg;
	long count;
	struct fillplan plan;	/* the slots looked up */
};

static int
stream_one(const struct rec *r, void *arg)
{
	struct stream *s = arg;

	fill_need(s->q, &s->plan, r, s->v);
	if (!match_rec(s->q, r, s->v))
		return 0;
	if (s->q->limit >= 0 && s->count >= s->q->limit)
		return 1;
	s->count++;
	return s->fn(r, s->v, s->arg) ? 1 : 0;
}

/* cache_foreach stops with 1 when told to; larger codes are its errors. */
static int
foreach_rc(int rc)
{
	return rc == 1 ? 0 : rc;
}

int
query_stream(struct query *q, struct desk *d, query_fn fn, void *arg, long *count)
{
	struct stream s = { q, NULL, fn, arg, 0, { 0 } };
	const char *v[QUERY_MAXSLOTS];
	int rc;

	if ((rc = prepare(q, d)) != 0)
		return rc;
	s.v = v;
	fillplan_init(q, q->keep ? q->keep | UINT64_C(1) << q->s_id : UINT64_MAX, &s.plan);
	rc = foreach_rc(q->text ? cache_text_search(d, q->text, stream_one, &s) :
	    cache_foreach(d, stream_one, &s));
	if (count)
		*count = s.count;
	return rc;
}

struct collect {
	const struct query *q;
	const char **v;
	struct query_rows *rows;
	size_t cap;
	int nkeep;		/* the slots whose values rows hold (rows->kept) */
	int borrow;		/* rows point into the records */
	struct fillplan plan;	/* the slots looked up */
	query_rows_fn fn;
	void *arg;
};

enum { BLOCK = 256 * 1024 };

/* A copy of the n bytes at s among the rows' blocks, which never move. */
static const char *
rows_copy(struct query_rows *rows, const char *s, size_t n)
{
	char *at;

	if (n > rows->room) {
		size_t size = n > BLOCK ? n : BLOCK;
		rows->block = xrealloc(rows->block, (rows->nblock + 1) * sizeof(*rows->block));
		rows->block[rows->nblock++] = xmalloc(size);
		rows->room = size;
	}
	at = rows->block[rows->nblock - 1] + (BLOCK > n ? BLOCK : n) - rows->room;
	memcpy(at, s, n);
	rows->room -= n;
	return at;
}

static int
collect_one(const struct rec *r, void *arg)
{
	struct collect *c = arg;
	struct query_rows *rows = c->rows;
	size_t nc = rows->ncols ? (size_t)rows->ncols : (size_t)rows->nslots;
	const char **out;

	fill_need(c->q, &c->plan, r, c->v);
	if (!match_rec(c->q, r, c->v))
		return 0;
	if (rows->n == c->cap) {
		/* large: realloc moves the pages (mremap), not the bytes */
		c->cap = c->cap ? c->cap * 2 : 1024;
		rows->slots = xrealloc(rows->slots, c->cap * nc * sizeof(*rows->slots) + 1);
		if (c->q->whole) {
			rows->recp = xrealloc(rows->recp, c->cap * sizeof(*rows->recp));
			rows->reclen = xrealloc(rows->reclen, c->cap * sizeof(*rows->reclen));
		}
	}
	out = &rows->slots[rows->n * nc];
	if (rows->ncols == 0)
		memcpy(out, c->v, nc * sizeof(*out));
	else
		for (size_t i = 0; i < nc; i++) {
			const char *val = c->v[rows->kept[i]];
			out[i] = val == NULL || c->borrow ? val : rows_copy(rows, val,
			    (size_t)(rec_strend(val, r->buf + r->len) - val) + 1);
		}
	if (c->q->whole) {
		/* valid until the read transaction ends, after c->fn */
		rows->recp[rows->n] = r->buf;
		rows->reclen[rows->n] = r->len;
	}
	rows->n++;
	return 0;
}

/* Slot s of row i (a row number, not a place in the output order). */
static inline const char *
row_val(const struct query_rows *rows, size_t i, int s)
{
	if (rows->ncols == 0)
		return rows->slots[i * (size_t)rows->nslots + (size_t)s];
	return rows->col[s] < 0 ? NULL :
	    rows->slots[i * (size_t)rows->ncols + (size_t)rows->col[s]];
}

/*
 * Sorting. Two values of a sort key compare so: a missing value after
 * any other (either direction); priorities by rank; two plain decimal
 * numbers as numbers; else as strcmp. Rows with equal keys go by id.
 *
 * A key whose every value is a priority, a whole number, digits in one
 * fixed layout (times: "2026-11-23T10:05:00Z"), or one of a few words
 * that are not numbers (queue, owner), is turned into an integer code
 * per row that compares exactly as its values do, pair by pair; a
 * leading run of such keys is packed into one 64-bit word. The keys
 * after it compare value by value as above. The merge sort is
 * glibc's qsort (top-down, halves n/2 and n - n/2, ties to the left),
 * so the order of rows is the same as it always was, whatever the keys.
 */

/* Sort keys of the unpacked rest, decoded once per row. */
struct skey {
	const char *s;		/* NULL: missing */
	uint64_t pfx[2];	/* its first 16 bytes, big-endian, zero-padded */
	double num;
	int isnum;
	int rank;		/* priority */
};

/* Plain decimal numbers ("12", "-3", "4.5") compare as numbers; times do not. */
static int
numeric(const char *s, double *out)
{
	const char *p = s + (*s == '-');
	int digits = 0, dots = 0;

	for (; *p; p++) {
		if (*p >= '0' && *p <= '9')
			digits++;
		else if (*p == '.' && dots++ == 0)
			;
		else
			return 0;
	}
	if (digits == 0)
		return 0;
	*out = strtod(s, NULL);
	return 1;
}

/* The 8 bytes of w in memory order, first the highest. */
static inline uint64_t
be64(uint64_t w)
{
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
	return __builtin_bswap64(w);
#else
	return w;
#endif
}

/* The first 16 bytes of s as two numbers that compare as strcmp would. */
static void
prefix(const char *s, uint64_t pfx[2])
{
	unsigned char b[16] = { 0 };
	uint64_t w[2];

	memcpy(b, s, strnlen(s, sizeof(b)));
	memcpy(w, b, sizeof(w));
	pfx[0] = be64(w[0]);
	pfx[1] = be64(w[1]);
}

/* A row to sort: its packed keys. */
struct srow {
	uint64_t key;
	size_t row;
};

struct sorting {
	const struct query *q;
	const struct query_rows *rows;
	uint64_t *id;		/* per row: the first 8 bytes of its id as prefix() makes them */
	size_t kfrom;		/* the first sort key not packed */
	struct skey *keys;	/* n * (nsort - kfrom) */
	int *is_prio;		/* per sort key */
};

/* Sort key k (>= kfrom) of rows a and b. */
static int
cmp_key(const struct sorting *st, size_t k, size_t a, size_t b)
{
	size_t nk = st->q->nsort - st->kfrom;
	const struct skey *x = &st->keys[a * nk + k - st->kfrom],
	    *y = &st->keys[b * nk + k - st->kfrom];
	int c;

	if (x->s == NULL || y->s == NULL) {
		if (x->s == y->s)
			return 0;
		return x->s == NULL ? 1 : -1;	/* missing values last */
	}
	if (st->is_prio[k])
		c = x->rank - y->rank;
	else if (x->isnum && y->isnum)
		c = x->num < y->num ? -1 : x->num > y->num;
	else if (x->pfx[0] != y->pfx[0])
		c = x->pfx[0] < y->pfx[0] ? -1 : 1;
	else if (x->pfx[1] != y->pfx[1])
		c = x->pfx[1] < y->pfx[1] ? -1 : 1;
	else	/* equal so far: both end here, or both go on */
		c = (y->pfx[1] & 0xff) == 0 ? 0 : strcmp(x->s + 16, y->s + 16);
	return st->q->sort[k].desc ? -c : c;
}

static const char *
row_id(const struct sorting *st, size_t row)
{
	static const char none[16];	/* "", and room for cmp_srow's id + 8 */
	const char *id = row_val(st->rows, row, st->q->s_id);

	return id ? id : none;
}

static inline int
cmp_srow(const struct srow *a, const struct srow *b, const struct sorting *st)
{
	if (a->key != b->key)
		return a->key < b->key ? -1 : 1;
	for (size_t k = st->kfrom; k < st->q->nsort; k++) {
		int c = cmp_key(st, k, a->row, b->row);
		if (c)
			return c;
	}
	if (st->id[a->row] != st->id[b->row])
		return st->id[a->row] < st->id[b->row] ? -1 : 1;
	if ((st->id[a->row] & 0xff) == 0)	/* both ids end in their first 8 bytes */
		return 0;
	return strcmp(row_id(st, a->row) + 8, row_id(st, b->row) + 8);
}

/*
 * Sorts from[] into to[] (both hold the rows, and each half of either
 * may be scratch): stable, and the same comparisons in the same order as
 * glibc's msort_with_tmp, without its copying back after each merge.
 */
static void
msort_rows(struct srow *from, struct srow *to, size_t n, const struct sorting *st)
{
	size_t n1 = n / 2, n2 = n - n1;
	struct srow *b1, *b2;

	if (n <= 1)
		return;
	msort_rows(to, from, n1, st);	/* the halves, sorted into from[] */
	msort_rows(to + n1, from + n1, n2, st);
	b1 = from;
	b2 = from + n1;
	while (n1 > 0 && n2 > 0) {
		if (cmp_srow(b1, b2, st) <= 0) {
			*to++ = *b1++;
			n1--;
		} else {
			*to++ = *b2++;
			n2--;
		}
	}
	memcpy(to, n1 ? b1 : b2, (n1 ? n1 : n2) * sizeof(*to));
}

/* A whole number of up to 15 digits, exact as the double numeric() makes of it. */
static int
whole_number(const char *s, uint64_t *out)
{
	const char *p = s + (*s == '-');
	int64_t v = 0;
	int n = 0;

	for (; *p >= '0' && *p <= '9'; p++)
		if (++n > 15)
			return 0;
		else
			v = v * 10 + (*p - '0');
	if (n == 0 || *p)
		return 0;
	*out = (uint64_t)(*s == '-' ? -v : v) ^ (UINT64_C(1) << 63);	/* in order, unsigned */
	return 1;
}

/* A layout of digits and other bytes: "DDDD-DD-DDTDD:DD:DDZ" (see layout_of). */
struct layout {
	size_t len, ndig, nsep;
	unsigned char dig[32], sep[32];	/* where the digits are; the others */
	char sepc[32];
};

/*
 * The layout of t. Can values of it compare by their digits? Yes if they
 * compare as strings (not numbers), their digits fit 64 bits and there
 * are some.
 */
static int
layout_of(const char *t, struct layout *l)
{
	double d;

	memset(l, 0, sizeof(*l));
	for (; t[l->len]; l->len++) {
		if (l->len == sizeof(l->dig))
			return 0;
		if (t[l->len] >= '0' && t[l->len] <= '9')
			l->dig[l->ndig++] = (unsigned char)l->len;
		else {
			l->sepc[l->nsep] = t[l->len];
			l->sep[l->nsep++] = (unsigned char)l->len;
		}
	}
	return l->ndig > 0 && l->ndig <= 19 && !numeric(t, &d);
}

/* Has s the layout l? Its digits as one number. */
static int
same_layout(const char *s, const struct layout *l, uint64_t *out)
{
	uint64_t v = 0;

	if (strnlen(s, l->len + 1) != l->len)
		return 0;
	for (size_t i = 0; i < l->nsep; i++)
		if (s[l->sep[i]] != l->sepc[i])
			return 0;
	for (size_t i = 0; i < l->ndig; i++) {
		unsigned d = (unsigned char)s[l->dig[i]] - (unsigned)'0';
		if (d > 9)
			return 0;
		v = v * 10 + d;
	}
	*out = v;
	return 1;
}

enum { CODE_PRIO, CODE_WHOLE, CODE_LAYOUT };

/*
 * The codes of sort key k as priorities, whole numbers or digits of one
 * layout, one per row (code[i] valid where the value is not missing),
 * and their least and greatest: 0 if they cannot be made so.
 */
static int
key_codes(const struct query *q, const struct query_rows *rows, size_t k, uint64_t *code,
    uint64_t *lo, uint64_t *hi)
{
	size_t n = rows->n;
	int slot = q->sort[k].slot;
	struct layout l;
	int how = strcmp(q->sort[k].key, "priority") == 0 ? CODE_PRIO : CODE_WHOLE, seen = 0;

	*lo = UINT64_MAX;
	*hi = 0;
	for (size_t i = 0; i < n; i++) {
		const char *s = row_val(rows, i, slot);
		if (s == NULL)
			continue;
		if (how == CODE_PRIO)
			code[i] = (uint64_t)(priority_rank(s) + 1);
		else if (how == CODE_WHOLE && !whole_number(s, &code[i])) {
			/* whole numbers before it cannot have its layout */
			if (seen || !layout_of(s, &l))
				return 0;
			how = CODE_LAYOUT;
		}
		if (how == CODE_LAYOUT && !same_layout(s, &l, &code[i]))
			return 0;
		seen = 1;
		if (code[i] < *lo)
			*lo = code[i];
		if (code[i] > *hi)
			*hi = code[i];
	}
	return 1;
}

/* A word and its place among the distinct words of a key. */
struct word {
	const char *s;
	size_t idx;
};

static int
cmp_word(const void *a, const void *b)
{
	return strcmp(((const struct word *)a)->s, ((const struct word *)b)->s);
}

enum { WORDS_MAX = 1024 };

/*
 * The codes of sort key k when its values are a few words, none of them
 * a number (status, queue, owner): each word's rank in strcmp order. As
 * key_codes; 0 past WORDS_MAX distinct values or at a number.
 */
static int
word_codes(const struct query *q, const struct query_rows *rows, size_t k, uint64_t *code,
    uint64_t *lo, uint64_t *hi)
{
	size_t n = rows->n, nw = 0;
	int slot = q->sort[k].slot;
	struct word w[WORDS_MAX];
	uint64_t rank[WORDS_MAX];
	unsigned short tab[2 * WORDS_MAX];	/* open addressing: index in w + 1, 0 empty */
	double d;

	memset(tab, 0, sizeof(tab));
	for (size_t i = 0; i < n; i++) {
		const char *s = row_val(rows, i, slot);
		uint32_t h = 2166136261u;	/* FNV-1a */
		if (s == NULL)
			continue;
		for (const char *p = s; *p; p++)
			h = (h ^ (unsigned char)*p) * 16777619u;
		for (h &= 2 * WORDS_MAX - 1; tab[h] && strcmp(w[tab[h] - 1].s, s) != 0;
		    h = (h + 1) & (2 * WORDS_MAX - 1))
			;
		if (tab[h] == 0) {
			if (nw == WORDS_MAX || numeric(s, &d))
				return 0;
			w[nw].s = s;
			w[nw].idx = nw;
			tab[h] = (unsigned short)++nw;
		}
		code[i] = tab[h] - 1U;
	}
	qsort(w, nw, sizeof(*w), cmp_word);	/* distinct: no ties */
	for (size_t r = 0; r < nw; r++)
		rank[w[r].idx] = r;
	for (size_t i = 0; i < n; i++)
		if (row_val(rows, i, slot) != NULL)
			code[i] = rank[code[i]];
	*lo = nw ? 0 : UINT64_MAX;
	*hi = nw ? nw - 1 : 0;
	return 1;
}

/* Bits for 0 .. max. */
static unsigned
bits_for(uint64_t max)
{
	return max ? 64 - (unsigned)__builtin_clzll(max) : 0;
}

/* Packs the leading sort keys that can be into sr[].key; returns how many. */
static size_t
pack_keys(const struct query *q, const struct query_rows *rows, struct srow *sr)
{
	size_t n = rows->n, k = 0;
	uint64_t *code = xmalloc((n + 1) * sizeof(*code)), lo, hi;
	unsigned used = 0;

	for (; k < q->nsort; k++) {
		int slot = q->sort[k].slot;
		if (!key_codes(q, rows, k, code, &lo, &hi) &&
		    !word_codes(q, rows, k, code, &lo, &hi))
			break;
		if (lo > hi)	/* every value missing */
			lo = hi = 0;
		/* present values 0 .. hi - lo, missing ones hi - lo + 1 (after them) */
		unsigned b = bits_for(hi - lo + 1);
		if (used + b > 64)
			break;
		used += b;
		for (size_t i = 0; i < n; i++) {
			uint64_t c = row_val(rows, i, slot) == NULL ? hi - lo + 1 :
			    q->sort[k].desc ? hi - code[i] : code[i] - lo;
			sr[i].key = b ? (sr[i].key << (b - 1) << 1) | c : sr[i].key;
		}
	}
	free(code);
	return k;
}

void
query_sort_rows(const struct query *q, struct query_rows *rows)
{
	struct sorting st = { q, rows, NULL, 0, NULL, NULL };
	size_t ns = q->nsort, nk, n = rows->n;
	struct srow *sr = xcalloc(n + 1, sizeof(*sr)), *tmp;

	st.id = xmalloc((n + 1) * sizeof(*st.id));
	for (size_t i = 0; i < n; i++) {
		uint64_t pfx[2];
		prefix(row_id(&st, i), pfx);
		st.id[i] = pfx[0];
		sr[i].row = i;
	}
	st.kfrom = pack_keys(q, rows, sr);
	nk = ns - st.kfrom;
	st.keys = xcalloc(n * nk + 1, sizeof(*st.keys));
	st.is_prio = xcalloc(ns + 1, sizeof(*st.is_prio));
	for (size_t k = st.kfrom; k < ns; k++)
		st.is_prio[k] = strcmp(q->sort[k].key, "priority") == 0;
	for (size_t i = 0; i < n; i++)
		for (size_t k = st.kfrom; k < ns; k++) {
			struct skey *x = &st.keys[i * nk + k - st.kfrom];
			x->s = row_val(rows, i, q->sort[k].slot);
			if (x->s == NULL)
				continue;
			if (st.is_prio[k])
				x->rank = priority_rank(x->s);
			else {
				x->isnum = numeric(x->s, &x->num);
				prefix(x->s, x->pfx);	/* for a number against a word */
			}
		}
	tmp = xmalloc((n + 1) * sizeof(*tmp));
	memcpy(tmp, sr, n * sizeof(*sr));
	msort_rows(tmp, sr, n, &st);
	for (size_t i = 0; i < n; i++)
		rows->order[i] = sr[i].row;
	free(tmp);
	free(sr);
	free(st.id);
	free(st.keys);
	free(st.is_prio);
}

/* The rows of a finished scan: sorted, limited. */
static void
collect_end(struct collect *c)
{
	struct query_rows *rows = c->rows;

	rows->order = xmalloc((rows->n + 1) * sizeof(*rows->order));
	for (size_t i = 0; i < rows->n; i++)
		rows->order[i] = i;
	rows->matched = (long)rows->n;
	if (c->q->nsort)
		query_sort_rows(c->q, rows);
	if (c->q->limit >= 0 && (size_t)c->q->limit < rows->n)
		rows->n = (size_t)c->q->limit;
}

/* The rows, while the records they may point into are there. */
static int
collect_done(int rc, void *arg)
{
	struct collect *c = arg;

	rc = foreach_rc(rc);
	collect_end(c);
	return rc == 0 ? c->fn(c->rows, c->arg) : rc;
}

int
query_sorted(struct query *q, struct desk *d, query_rows_fn fn, void *arg)
{
	struct query_rows rows;
	struct collect c = { 0 };
	const char *v[QUERY_MAXSLOTS];
	uint64_t keep = q->keep ? q->keep | UINT64_C(1) << q->s_id : UINT64_MAX;
	int rc;

	memset(&rows, 0, sizeof(rows));
	if ((rc = prepare(q, d)) != 0)
		return rc;
	for (size_t k = 0; k < q->nsort; k++)	/* and what sorting reads */
		keep |= UINT64_C(1) << q->sort[k].slot;
	rows.nslots = q->nslots;
	for (int i = 0; i < q->nslots; i++) {
		rows.col[i] = -1;
		if (keep >> i & 1) {
			rows.col[i] = c.nkeep;
			rows.kept[c.nkeep++] = i;
		}
	}
	/*
	 * Rows of a few values hold those alone. The values of a few (keep,
	 * e.g. --ids) are copied: after the scan the cache's pages are not
	 * read again, fewer are resident. Whole records, or every slot (a
	 * table), are read where they are: copying them cost more time and
	 * memory than reading the pages back.
	 */
	rows.ncols = q->keep ? c.nkeep : 0;
	if (rows.ncols)
		rows.wide = xcalloc(QUERY_MAXSLOTS, sizeof(*rows.wide));
	c.borrow = q->whole || q->keep == 0;
	c.q = q;
	c.rows = &rows;
	c.v = v;
	c.fn = fn;
	c.arg = arg;
	fillplan_init(q, keep, &c.plan);
	/* whole records are read again, in the sorted order, before the scan's transaction ends */
	rc = foreach_rc(q->text ? cache_text_search_then(d, q->text, collect_one, collect_done, &c) :
	    q->whole ? cache_foreach_reread(d, collect_one, collect_done, &c) :
	    cache_foreach_then(d, collect_one, collect_done, &c));
	query_rows_free(&rows);
	return rc;
}

void
query_rows_free(struct query_rows *r)
{
	free(r->order);
	free(r->recp);
	free(r->reclen);
	free(r->slots);
	free(r->wide);
	for (size_t i = 0; i < r->nblock; i++)
		free(r->block[i]);
	free(r->block);
	memset(r, 0, sizeof(*r));
}

const char **
query_row_slots(const struct query_rows *r, size_t k)
{
	size_t row = r->order[k];

	if (r->ncols == 0)
		return &r->slots[row * (size_t)r->nslots];
	for (int c = 0; c < r->ncols; c++)	/* the others stay NULL */
		r->wide[r->kept[c]] = r->slots[row * (size_t)r->ncols + (size_t)c];
	return r->wide;
}

/*
 * Rows are read in output order, their records scattered over the map:
 * the record a few rows on is fetched into the cache while this one is
 * written, so its bytes are not waited for then.
 */
enum { ROW_AHEAD = 4, AHEAD_MAX = 1024 };

struct rec
query_row_rec(const struct query_rows *r, size_t k)
{
	size_t row = r->order[k];
	struct rec rec = { r->recp ? r->recp[row] : NULL, r->reclen ? r->reclen[row] : 0 };

	if (r->recp && k + ROW_AHEAD < r->n) {
		size_t next = r->order[k + ROW_AHEAD];
		const char *p = r->recp[next];
		size_t len = r->reclen[next] < AHEAD_MAX ? r->reclen[next] : AHEAD_MAX;
		for (size_t i = 0; i < len; i += 64)
			__builtin_prefetch(p + i);
	}
	return rec;
}
