/* sla.c: SLA policies and clocks from cache records (see sla.h) */
#include <pthread.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "calendar.h"
#include "desk.h"
#include "kv.h"
#include "sla.h"
#include "status.h"
#include "util.h"
#include "yamlio.h"

const char *const sla_clock_names[SLA_NCLOCKS] = {
	"first-response", "next-response", "resolution"
};

enum cond_kind { C_FIELD, C_TAG, C_CONTRACT, C_VIP, C_CUSTOMER };

struct sla_cond {
	enum cond_kind kind;
	char *key;
	char **vals;
	size_t nvals;
	int vip;
};

struct sla {
	struct calendar **cals;
	size_t ncals;
	struct sla_policy *pol;
	size_t npol;
	char **pause;
	size_t npause;
	struct sla_customer *cust;	/* sorted by name */
	size_t ncust;
};

int
sla_clock_index(const char *name)
{
	for (int i = 0; i < SLA_NCLOCKS; i++)
		if (strcmp(name, sla_clock_names[i]) == 0)
			return i;
	return -1;
}

const char *
sla_state_name(enum sla_state s)
{
	switch (s) {
	case SLA_RUNNING: return "running";
	case SLA_PAUSED: return "paused";
	case SLA_STOPPED: return "stopped";
	default: return "-";
	}
}

/* ---- ticket fields ---- */

#define F(name, member) { name, sizeof(name) - 1, offsetof(struct sla_ticket, member) }
static const struct {
	const char *name;
	size_t len, off;
} fields[] = {
	F("id", id), F("subject", subject), F("status", status), F("queue", queue),
	F("priority", priority), F("severity", severity), F("type", type),
	F("owner", owner), F("team", team), F("requestors", requestors),
	F("customer", customer), F("contract", contract), F("tags", tags),
	F("created", created), F("first-response", first_response),
	F("last-in", last_in), F("last-out", last_out), F("resolved-at", resolved_at),
	F("timeline", timeline), F("esc-steps", esc_steps), F("esc-level", esc_level),
	F("reopens", reopens), F("rating", rating), F("rated-at", rated_at),
	F("merged-into", merged_into), F("escalate", escalate), F("due", due),
	F("mail-timeline", mail_timeline),
};
#undef F

/*
 * The fields by a hash of length, first and last byte, open addressing:
 * a sweep looks up every key of every record (about 40 a ticket), and a
 * scan of the 27 names with strcmp was a third of its instructions.
 */
#define FIELD_BUCKETS 64
static unsigned char field_tab[FIELD_BUCKETS];	/* field + 1, 0 empty */
static pthread_once_t field_once = PTHREAD_ONCE_INIT;

static size_t
field_hash(const char *k, size_t kl)
{
	return rt_keyhash(k, kl) % FIELD_BUCKETS;
}

static void
field_tab_build(void)
{
	for (size_t i = 0; i < LEN(fields); i++) {
		size_t h = field_hash(fields[i].name, fields[i].len);
		while (field_tab[h])
			h = (h + 1) % FIELD_BUCKETS;
		field_tab[h] = (unsigned char)(i + 1);
	}
}

/* The index in fields of key (kl bytes), or -1. */
static int
field_find(const char *key, size_t kl)
{
	if (kl == 0)
		return -1;
	pthread_once(&field_once, field_tab_build);
	for (size_t h = field_hash(key, kl); field_tab[h]; h = (h + 1) % FIELD_BUCKETS) {
		int i = field_tab[h] - 1;
		if (fields[i].len == kl && memcmp(fields[i].name, key, kl) == 0)
			return i;
	}
	return -1;
}

static const char **
field_at(struct sla_ticket *t, int i)
{
	return (const char **)(void *)((char *)t + fields[i].off);
}

static void
set_field(struct sla_ticket *t, const char *key, size_t kl, const char *val)
{
	int i = field_find(key, kl);

	if (i >= 0)
		*field_at(t, i) = *val ? val : NULL;
}

void
sla_ticket_from_rec(struct sla_ticket *t, const struct rec *r)
{
	const char *p = r->buf, *end = r->buf + r->len;

	memset(t, 0, sizeof(*t));
	t->rec = r;
	while (p < end) {
		size_t kl = strlen(p);
		const char *key = p, *val = key + kl + 1;
		if (val >= end)
			break;
		set_field(t, key, kl, val);
		p = val + strlen(val) + 1;
	}
}

void
sla_ticket_from_kvmap(struct sla_ticket *t, const struct kvmap *m)
{
	memset(t, 0, sizeof(*t));
	t->map = m;
	for (size_t i = 0; i < m->n; i++)
		set_field(t, m->v[i].key, strlen(m->v[i].key), m->v[i].val);
}

const char *
sla_ticket_get(const struct sla_ticket *t, const char *key)
{
	int i = field_find(key, strlen(key));

	if (i >= 0)
		return *(const char *const *)(const void *)((const char *)t + fields[i].off);
	if (t->rec)
		return rec_get(t->rec, key);
	if (t->map)
		return kv_get(t->map, key);
	return NULL;
}

/* ---- configuration ---- */

static int
cfg_err(const struct desk *d, const struct ynode *n, const char *fmt, const char *arg)
{
	char *msg = xasprintf(fmt, arg);
	int rc = rt_fail(EX_CONFIG, "%s: %s", desk_cfg_where(d, n), msg);

	free(msg);
	return rc;
}

struct calendar *
sla_calendar(struct sla *s, const char *name)
{
	for (size_t i = 0; i < s->ncals; i++)
		if (strcmp(calendar_name(s->cals[i]), name) == 0)
			return s->cals[i];
	return NULL;
}

static void
add_calendar(struct sla *s, struct calendar *c)
{
	s->cals = xrealloc(s->cals, (s->ncals + 1) * sizeof(*s->cals));
	s->cals[s->ncals++] = c;
}

static int
load_calendars(struct sla *s, const struct desk *d)
{
	const struct ynode *n = desk_cfg(d, "calendars");
	int rc;

	if (n && !yscalar_is_null(n)) {
		if (n->kind != Y_MAP)
			return cfg_err(d, n, "%s must map names to calendars", "calendars");
		for (size_t i = 0; i < n->n; i++) {
			struct calendar *c;
			rc = calendar_parse(&c, n->keys[i], n->items[i], d->config_name);
			add_calendar(s, c);
			if (rc != 0)
				return rc;
		}
	}
	if (sla_calendar(s, "24x7") == NULL) {
		struct calendar *c;
		calendar_parse(&c, "24x7", NULL, d->config_name);
		add_calendar(s, c);
	}
	return 0;
}

/* A scalar or a sequence of scalars into a string vector. */

static int
cmp_cust(const void *a, const void *b)
{
	return strcmp(((const struct sla_customer *)a)->name,
	    ((const struct sla_customer *)b)->name);
}

static int
load_customers(struct sla *s, const struct desk *d)
{
	const struct ynode *n = desk_cfg(d, "customers");

	if (n == NULL || yscalar_is_null(n))
		return 0;
	if (n->kind != Y_MAP)
		return cfg_err(d, n, "%s must map customer names to settings", "customers");
	s->cust = xcalloc(n->n + 1, sizeof(*s->cust));
	for (size_t i = 0; i < n->n; i++) {
		const struct ynode *c = n->items[i], *v;
		struct sla_customer *sc = &s->cust[s->ncust++];
		sc->name = xstrdup(n->keys[i]);
		if (yscalar_is_null(c))
			continue;
		if (c->kind != Y_MAP)
			return cfg_err(d, c, "customer '%s' must be a mapping", n->keys[i]);
		if ((v = ymap_get(c, "contract")) != NULL && !yscalar_is_null(v)) {
			if (v->kind != Y_SCALAR)
				return cfg_err(d, v, "%s must be a name", "contract");
			sc->contract = xstrdup(v->value);
		}
		if ((v = ymap_get(c, "vip")) != NULL && !yscalar_is_null(v)) {
			if ((sc->vip = ynode_bool(v)) < 0)
				return cfg_err(d, v, "%s must be true or false", "vip");
		}
	}
	qsort(s->cust, s->ncust, sizeof(*s->cust), cmp_cust);
	return 0;
}

const struct sla_customer *
sla_customer(const struct sla *s, const char *name)
{
	struct sla_customer key = { (char *)name, NULL, 0 };

	if (name == NULL || s->ncust == 0)
		return NULL;
	return bsearch(&key, s->cust, s->ncust, sizeof(key), cmp_cust);
}

static int
load_cond(struct sla_policy *p, const struct desk *d, const char *key, const struct ynode *v)
{
	struct sla_cond *c;
	int rc;

	p->cond = xrealloc(p->cond, (p->ncond + 1) * sizeof(*p->cond));
	c = &p->cond[p->ncond++];
	memset(c, 0, sizeof(*c));
	c->key = xstrdup(key);
	if (strcmp(key, "vip") == 0) {
		c->kind = C_VIP;
		if ((c->vip = ynode_bool(v)) < 0)
			return cfg_err(d, v, "%s must be true or false", "vip");
		return 0;
	}
	if (strcmp(key, "tag") == 0 || strcmp(key, "tags") == 0)
		c->kind = C_TAG;
	else if (strcmp(key, "contract") == 0)
		c->kind = C_CONTRACT;
	else if (strcmp(key, "customer") == 0)
		c->kind = C_CUSTOMER;
	else
		c->kind = C_FIELD;
	if ((rc = desk_cfg_strlist(d, v, key, &c->vals, &c->nvals)) != 0)
		return rc;
	if (c->nvals == 0)
		return cfg_err(d, v, "match on '%s' needs a value", key);
	return 0;
}

static const char *const policy_keys[] = {
	"name", "match", "calendar", "first-response", "next-response", "resolution",
	"resolve-counts-as-response", NULL
};

static int
load_bool(const struct desk *d, const struct ynode *v, const char *key, int *out)
{
	int b;

	if (v == NULL || yscalar_is_null(v))
		return 0;
	if ((b = ynode_bool(v)) < 0)
		return cfg_err(d, v, "%s must be true or false", key);
	*out = b;
	return 0;
}

static int
load_policy(struct sla *s, const struct desk *d, const struct ynode *n, size_t idx,
    const char *dflt_cal, int resolve_responds)
{
	struct sla_policy *p = &s->pol[s->npol++];
	const struct ynode *v;
	const char *calname = dflt_cal;
	int rc, any = 0;

	if (n->kind != Y_MAP)
		return cfg_err(d, n, "%s must be a mapping", "a policy");
	for (size_t i = 0; i < n->n; i++) {
		size_t k;
		for (k = 0; policy_keys[k] && strcmp(policy_keys[k], n->keys[i]) != 0; k++)
			;
		if (policy_keys[k] == NULL)
			return cfg_err(d, n->items[i], "unknown policy key '%s'", n->keys[i]);
	}
	if ((v = ymap_get(n, "name")) != NULL && v->kind == Y_SCALAR && *v->value)
		p->name = xstrdup(v->value);
	else
		p->name = xasprintf("policy-%zu", idx + 1);
	if ((v = ymap_get(n, "calendar")) != NULL) {
		if (v->kind != Y_SCALAR)
			return cfg_err(d, v, "%s must be a calendar name", "calendar");
		calname = v->value;
	}
	p->resolve_responds = resolve_responds;
	if ((rc = load_bool(d, ymap_get(n, "resolve-counts-as-response"),
	    "resolve-counts-as-response", &p->resolve_responds)) != 0)
		return rc;
	if ((p->cal = sla_calendar(s, calname)) == NULL)
		return cfg_err(d, v ? v : n, "unknown calendar '%s' (see calendars:)", calname);
	if ((v = ymap_get(n, "match")) != NULL && !yscalar_is_null(v)) {
		if (v->kind != Y_MAP)
			return cfg_err(d, v, "%s must be a mapping of field: value", "match");
		for (size_t i = 0; i < v->n; i++)
			if ((rc = load_cond(p, d, v->keys[i], v->items[i])) != 0)
				return rc;
	}
	for (int k = 0; k < SLA_NCLOCKS; k++) {
		if ((v = ymap_get(n, sla_clock_names[k])) == NULL || yscalar_is_null(v))
			continue;
		if (v->kind != Y_SCALAR ||
		    cal_parse_duration(v->value, p->cal, &p->target[k]) != 0 || p->target[k] <= 0)
			return cfg_err(d, v, "'%s' is not a duration (like 30m, 4h, 1h30m, 2bd)",
			    v->kind == Y_SCALAR ? v->value : "?");
		any = 1;
	}
	if (!any)
		return cfg_err(d, n, "policy '%s' sets no first-response, next-response or resolution",
		    p->name);
	return 0;
}

int
sla_load(struct sla **out, const struct desk *d)
{
	struct sla *s = xcalloc(1, sizeof(*s));
	const struct ynode *n, *v;
	const char *dflt_cal = "24x7";
	int rc, resolve_responds = 0;

	*out = s;
	if ((rc = load_calendars(s, d)) != 0 || (rc = load_customers(s, d)) != 0)
		return rc;
	n = desk_cfg(d, "sla");
	if (n && !yscalar_is_null(n) && n->kind != Y_MAP)
		return cfg_err(d, n, "%s must be a mapping", "sla");
	if ((v = desk_cfg(d, "sla.pause-statuses")) != NULL) {
		if ((rc = desk_cfg_strlist(d, v, "pause-statuses", &s->pause, &s->npause)) != 0)
			return rc;
	} else {
		s->pause = xcalloc(1, sizeof(char *));
		s->pause[s->npause++] = xstrdup("waiting");
	}
	if ((v = desk_cfg(d, "sla.calendar")) != NULL) {
		if (v->kind != Y_SCALAR || sla_calendar(s, v->value) == NULL)
			return cfg_err(d, v, "unknown calendar '%s' (see calendars:)",
			    v->kind == Y_SCALAR ? v->value : "?");
		dflt_cal = v->value;
	}
	if ((rc = load_bool(d, desk_cfg(d, "sla.resolve-counts-as-response"),
	    "resolve-counts-as-response", &resolve_responds)) != 0)
		return rc;
	if ((v = desk_cfg(d, "sla.policies")) == NULL || yscalar_is_null(v))
		return 0;
	if (v->kind != Y_SEQ)
		return cfg_err(d, v, "%s must be a list of policies", "sla.policies");
	s->pol = xcalloc(v->n + 1, sizeof(*s->pol));
	for (size_t i = 0; i < v->n; i++)
		if ((rc = load_policy(s, d, v->items[i], i, dflt_cal, resolve_responds)) != 0)
			return rc;
	return 0;
}

void
sla_free(struct sla *s)
{
	if (s == NULL)
		return;
	for (size_t i = 0; i < s->ncals; i++)
		calendar_free(s->cals[i]);
	free(s->cals);
	for (size_t i = 0; i < s->npol; i++) {
		struct sla_policy *p = &s->pol[i];
		for (size_t j = 0; j < p->ncond; j++) {
			strv_free(p->cond[j].vals, p->cond[j].nvals);
			free(p->cond[j].key);
		}
		free(p->cond);
		free(p->name);
	}
	free(s->pol);
	strv_free(s->pause, s->npause);
	for (size_t i = 0; i < s->ncust; i++) {
		free(s->cust[i].name);
		free(s->cust[i].contract);
	}
	free(s->cust);
	free(s);
}

int
sla_is_pause_status(const struct sla *s, const char *status)
{
	for (size_t i = 0; i < s->npause; i++)
		if (strcmp(s->pause[i], status) == 0)
			return 1;
	return 0;
}

/* ---- matching ---- */

static int
any_of(const struct sla_cond *c, const char *val)
{
	if (val == NULL)
		return 0;
	for (size_t i = 0; i < c->nvals; i++)
		if (strcasecmp(c->vals[i], val) == 0)
			return 1;
	return 0;
}

static int
list_has_any(const struct sla_cond *c, const char *list)
{
	for (size_t i = 0; list && i < c->nvals; i++)
		if (kv_list_has(list, c->vals[i]))
			return 1;
	return 0;
}

static int
cond_match(const struct sla *s, const struct sla_cond *c, const struct sla_ticket *t)
{
	const struct sla_customer *cu;

	switch (c->kind) {
	case C_TAG:
		return list_has_any(c, t->tags);
	case C_CUSTOMER:
		return any_of(c, t->customer);
	case C_CONTRACT:
		if (t->contract)
			return any_of(c, t->contract);
		cu = sla_customer(s, t->customer);
		return cu && any_of(c, cu->contract);
	case C_VIP:
		cu = sla_customer(s, t->customer);
		return (cu && cu->vip) == c->vip;
	default:
		return any_of(c, sla_ticket_get(t, c->key));
	}
}

const struct sla_policy *
sla_policy_for(const struct sla *s, const struct sla_ticket *t)
{
	for (size_t i = 0; i < s->npol; i++) {
		const struct sla_policy *p = &s->pol[i];
		size_t j;
		for (j = 0; j < p->ncond && cond_match(s, &p->cond[j], t); j++)
			;
		if (j == p->ncond)
			return p;
	}
	return NULL;
}

/* ---- clocks ---- */

struct seg {
	time_t at;
	int working;
	int done;
};

struct segs {
	struct seg *v;
	size_t n, cap;
	struct seg small[32];
};

static void
seg_add(struct segs *g, time_t at, int working, int done)
{
	if (g->n == g->cap) {
		size_t cap = g->cap * 2;
		struct seg *v = xmalloc(cap * sizeof(*v));
		memcpy(v, g->v, g->n * sizeof(*v));
		if (g->v != g->small)
			free(g->v);
		g->v = v;
		g->cap = cap;
	}
	g->v[g->n].at = at;
	g->v[g->n].working = working;
	g->v[g->n].done = done;
	g->n++;
}

/* "TIME STATUS;TIME STATUS" into segments, up to now. */
static void
parse_timeline(const struct sla *s, const struct sla_ticket *t, time_t created, time_t now,
    struct segs *g)
{
	const char *p = t->timeline;
	char st[64];

	g->v = g->small;
	g->cap = LEN(g->small);
	g->n = 0;
	while (p && *p) {
		const char *semi = strchr(p, ';'), *sp = strchr(p, ' ');
		size_t len = semi ? (size_t)(semi - p) : strlen(p);
		char ts[40];
		time_t at;
		if (sp && sp < p + len && (size_t)(sp - p) < sizeof(ts) &&
		    (size_t)(p + len - sp - 1) < sizeof(st)) {
			memcpy(ts, p, (size_t)(sp - p));
			ts[sp - p] = '\0';
			memcpy(st, sp + 1, (size_t)(p + len - sp - 1));
			st[p + len - sp - 1] = '\0';
			if (rt_parsetime(ts, &at) == 0 && at <= now)
				seg_add(g, at, !status_is_done(st) && !sla_is_pause_status(s, st), status_is_done(st));
		}
		p = semi ? semi + 1 : NULL;
	}
	if (g->n == 0) {
		const char *cur = t->status ? t->status : "new";
		seg_add(g, created, !status_is_done(cur) && !sla_is_pause_status(s, cur), status_is_done(cur));
	}
}

static void
segs_free(struct segs *g)
{
	if (g->v != g->small)
		free(g->v);
}

/* Business seconds in working segments within [a, b). */
static long long
work_between(struct calendar *cal, const struct segs *g, time_t a, time_t b)
{
	long long sum = 0;

	for (size_t i = 0; i < g->n; i++) {
		time_t s = g->v[i].at, e = i + 1 < g->n ? g->v[i + 1].at : b;
		if (!g->v[i].working)
			continue;
		if (s < a)
			s = a;
		if (e > b)
			e = b;
		if (e > s)
			sum += cal_between(cal, s, e);
	}
	return sum;
}

/* When working time since a reaches n, assuming the last status lasts; 0 if never. */
static time_t
work_when(struct calendar *cal, const struct segs *g, time_t a, long long n)
{
	for (size_t i = 0; i < g->n; i++) {
		time_t s = g->v[i].at;
		int last = i + 1 == g->n;
		time_t e = last ? 0 : g->v[i + 1].at;
		long long have;
		if (!g->v[i].working || (!last && e <= a))
			continue;
		if (s < a)
			s = a;
		if (last)
			return cal_add(cal, s, n);
		have = cal_between(cal, s, e);
		if (have >= n)
			return cal_add(cal, s, n);
		n -= have;
	}
	return 0;
}

/*
 * When the ticket last became done (0: it is not done): a move from one
 * done status to another (resolved, then closed) is no new resolution.
 */
static time_t
done_since(const struct segs *g)
{
	size_t i = g->n;

	while (i > 0 && g->v[i - 1].done)
		i--;
	return i < g->n ? g->v[i].at : 0;
}

static time_t
when_or_zero(const char *s, time_t now)
{
	time_t t;

	if (s == NULL || rt_parsetime(s, &t) != 0 || t > now)
		return 0;
	return t;
}

/*
 * The customer's last mail at now and the first reply by a person after
 * it (0: none yet), from the mail timeline: a later mail does not hide a
 * past cycle, and a second reply does not move the answer of the first.
 * A record without one has only the last mail and the last reply.
 */
static void
last_mails(const struct sla_ticket *t, time_t now, time_t *in, time_t *out)
{
	const char *p = t->mail_timeline;

	if (p == NULL) {
		*in = when_or_zero(t->last_in, now);
		*out = when_or_zero(t->last_out, now);
		return;
	}
	*in = *out = 0;
	while (*p) {
		const char *semi = strchr(p, ';'), *sp = strchr(p, ' ');
		size_t len = semi ? (size_t)(semi - p) : strlen(p);
		char ts[40];
		time_t at;
		if (sp && sp < p + len && (size_t)(sp - p) < sizeof(ts)) {
			memcpy(ts, p, (size_t)(sp - p));
			ts[sp - p] = '\0';
			if (rt_parsetime(ts, &at) == 0 && at <= now) {
				if (p + len - sp - 1 == 2 && strncmp(sp + 1, "in", 2) == 0)
					*in = at, *out = 0;
				else if (*out == 0)
					*out = at;
			}
		}
		p = semi ? semi + 1 : p + len;
	}
}

static void
run_clock(struct calendar *cal, const struct segs *g, struct sla_clock *c, time_t now,
    int working)
{
	c->elapsed = work_between(cal, g, c->start, c->stop ? c->stop : now);
	c->remaining = c->target - c->elapsed;
	c->breached = c->elapsed > c->target;
	if (c->stop)
		c->state = SLA_STOPPED;
	else
		c->state = working ? SLA_RUNNING : SLA_PAUSED;
	if (c->missed && !c->breached) {
		c->breached = 1;
		c->due = c->stop;	/* missed when it was resolved */
	} else if (c->breached || c->state == SLA_RUNNING)
		c->due = work_when(cal, g, c->start, c->target);
	c->met = c->state == SLA_STOPPED && !c->breached;
}

int
sla_compute(struct sla *s, const struct sla_ticket *t, time_t now, struct sla_status *st)
{
	const struct sla_policy *p;
	struct segs g;
	time_t created, fr, in, out, done_at = 0;
	int working;

	memset(st, 0, sizeof(*st));
	st->now = now;
	st->done = status_is_done(t->status);
	st->customer = sla_customer(s, t->customer);
	if ((p = st->policy = sla_policy_for(s, t)) == NULL)
		return 0;
	if (t->created == NULL || rt_parsetime(t->created, &created) != 0)
		return 0;
	parse_timeline(s, t, created, now, &g);
	working = st->working = g.v[g.n - 1].working;
	st->done = g.v[g.n - 1].done;
	done_at = done_since(&g);
	fr = when_or_zero(t->first_response, now);
	last_mails(t, now, &in, &out);

	for (int k = 0; k < SLA_NCLOCKS; k++) {
		struct sla_clock *c = &st->clock[k];
		if ((c->target = p->target[k]) == 0)
			continue;
		switch (k) {
		case SLA_FIRST_RESPONSE:
			c->start = created;
			c->stop = fr ? fr : done_at;
			/* A merged ticket is answered on the one it joined. */
			c->missed = fr == 0 && done_at && !p->resolve_responds &&
			    !t->merged_into && !(t->status && strcmp(t->status, "merged") == 0);
			break;
		case SLA_NEXT_RESPONSE:
			/* Only a customer mail after the first response starts it. */
			if (fr == 0 || in == 0 || in <= fr) {
				c->target = 0;
				continue;
			}
			c->start = in;
			c->stop = out > in ? out : done_at;
			break;
		case SLA_RESOLUTION:
			c->start = created;
			c->stop = done_at;
			break;
		}
		if (c->stop && c->stop < c->start)
			c->stop = c->start;
		run_clock(p->cal, &g, c, now, working);
	}
	segs_free(&g);
	return 0;
}

int
sla_compute_rec(struct sla *s, const struct rec *r, time_t now, struct sla_status *st)
{
	struct sla_ticket t;

	sla_ticket_from_rec(&t, r);
	return sla_compute(s, &t, now, st);
}

/* ---- what needs attention ---- */

const char *
sla_alert_name(enum sla_alert a)
{
	return a == SLA_ALERT_BREACHED ? "breached" : a == SLA_ALERT_DUE_SOON ? "due-soon" : NULL;
}

int
sla_clock_overdue(const struct sla_clock *c)
{
	return (c->state == SLA_RUNNING || c->state == SLA_PAUSED) && c->breached;
}

enum sla_alert
sla_alert(const struct sla_status *st, const struct sla_ticket *t, long window)
{
	enum sla_alert a = SLA_ALERT_NONE;
	time_t due;

	/* done as of st->now: a ticket resolved since was open then */
	if (t->merged_into || st->done)
		return SLA_ALERT_NONE;
	if (t->due && rt_parsetime(t->due, &due) == 0) {
		if (due < st->now)
			return SLA_ALERT_BREACHED;
		if (due < st->now + window)
			a = SLA_ALERT_DUE_SOON;
	}
	for (int k = 0; k < SLA_NCLOCKS; k++) {
		const struct sla_clock *c = &st->clock[k];
		if (sla_clock_overdue(c))
			return SLA_ALERT_BREACHED;
		if (c->state == SLA_RUNNING && c->due && c->due < st->now + window)
			a = SLA_ALERT_DUE_SOON;
	}
	return a;
}

enum sla_alert
sla_alert_of(struct sla *s, const struct sla_ticket *t, time_t now, long window)
{
	struct sla_status st;

	sla_compute(s, t, now, &st);
	return sla_alert(&st, t, window);
}
