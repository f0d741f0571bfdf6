/*
 * report.c: the figures of rt-report from one pass over the ticket cache
 * (see report.h for the rules). No ticket YAML is read: everything comes
 * from the cache records that lib/summary.c derives from each log.
 */
#include <limits.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cache.h"
#include "calendar.h"
#include "desk.h"
#include "kv.h"
#include "report.h"
#include "sla.h"
#include "status.h"
#include "topics.h"
#include "util.h"

#define NO_TIME ((time_t)0)
#define FOREVER ((time_t)INT64_MAX)
#define MAX_BUCKETS 3700	/* about ten years of days */

static const char *const by_names[] = {
	NULL, "queue", "channel", "owner", "priority", "customer", "week", "day"
};

const char *const report_clock_names[NCLOCKS] = {
	"first_response", "next_response", "resolution"
};

const char *
report_by_name(enum report_by by)
{
	return by_names[by];
}

int
report_by_parse(const char *s)
{
	for (size_t i = 1; i < LEN(by_names); i++)
		if (strcmp(s, by_names[i]) == 0)
			return (int)i;
	return -1;
}

double
report_rate(long num, long den)
{
	return den > 0 ? (double)num / (double)den : NAN;
}

/* Done statuses end the work on a ticket: it leaves the backlog. */
static int
is_done(const char *s, size_t n)
{
	char st[32];

	if (n >= sizeof(st))
		return 0;
	memcpy(st, s, n);
	st[n] = '\0';
	return status_is_done(st);
}

static long long
days_from_civil(long long y, unsigned m, unsigned d)
{
	y -= m <= 2;
	long long era = (y >= 0 ? y : y - 399) / 400;
	unsigned yoe = (unsigned)(y - era * 400);
	unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + (long long)doe - 719468;
}

/* Parses the cache's "2026-11-23T10:05:00Z" quickly; other forms the slow way. */
static int
parse_time(const char *s, size_t n, time_t *out)
{
	const unsigned char *p = (const unsigned char *)s;
	int v[6], pos[6] = { 0, 5, 8, 11, 14, 17 }, len[6] = { 4, 2, 2, 2, 2, 2 };

	if (n == 20 && p[4] == '-' && p[7] == '-' && p[10] == 'T' && p[13] == ':' &&
	    p[16] == ':' && p[19] == 'Z') {
		for (int i = 0; i < 6; i++) {
			v[i] = 0;
			for (int j = 0; j < len[i]; j++) {
				unsigned c = p[pos[i] + j] - '0';
				if (c > 9)
					goto slow;
				v[i] = v[i] * 10 + (int)c;
			}
		}
		if (v[1] < 1 || v[1] > 12 || v[2] < 1 || v[2] > 31)
			goto slow;
		*out = (time_t)(days_from_civil(v[0], (unsigned)v[1], (unsigned)v[2]) * 86400 +
		    v[3] * 3600 + v[4] * 60 + v[5]);
		return 0;
	}
slow:
	{
		char *copy = xstrndup(s, n);
		int rc = rt_parsetime(copy, out);
		free(copy);
		return rc;
	}
}

static int
parse_key_time(const char *s, time_t *out)
{
	*out = NO_TIME;
	return s && *s ? parse_time(s, strlen(s), out) : -1;
}

/* What one ticket contributes, read from its record. */
struct facts {
	const char *field[BY_DAY + 1];	/* group values by enum report_by */
	const char *subject;
	time_t created, first, resolved;	/* first/resolved: NO_TIME if none in view */
	int open_at_end, reopened, escalated, level, rated;
	double score;
	int surveyed;			/* a survey was sent before until */
	struct calendar *cal;		/* of the ticket's SLA policy, or NULL */
	struct sla_status sla;
	struct { time_t a, b; } *iv;	/* open intervals (a, b] */
	size_t niv, capiv;
};

struct run {
	struct report *r;
	struct facts f;
	struct sla *sla;
	int surveys;			/* some record has surveyed-at */
};

/*
 * The one place durations are measured, from a to b for this ticket:
 * business seconds of the calendar of the ticket's SLA policy, else
 * wall-clock seconds. Statuses that pause SLA clocks are not taken out.
 */
static double
report_elapsed(const struct facts *f, time_t a, time_t b)
{
	if (b <= a)
		return 0;
	if (f->cal)
		return (double)cal_between(f->cal, a, b);
	return (double)(b - a);
}

/* ---- groups ---- */

static uint64_t
hash_str(const char *s)
{
	uint64_t h = 1469598103934665603ULL;

	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 1099511628211ULL;
	return h;
}

static struct report_fig *
new_fig(struct report_group_set *s, const char *key)
{
	struct report_fig *g;

	if (s->n == s->cap) {
		s->cap = s->cap ? s->cap * 2 : 16;
		s->g = xrealloc(s->g, s->cap * sizeof(*s->g));
	}
	g = &s->g[s->n++];
	memset(g, 0, sizeof(*g));
	g->first = (struct dvec)DVEC_INIT;
	g->resolve = (struct dvec)DVEC_INIT;
	g->key = xstrdup(key);
	return g;
}

static void
rehash(struct report_group_set *s)
{
	free(s->hash);
	s->hcap = s->hcap ? s->hcap * 2 : 64;
	s->hash = xcalloc(s->hcap, sizeof(*s->hash));
	for (size_t i = 0; i < s->n; i++) {
		size_t h = (size_t)hash_str(s->g[i].key) & (s->hcap - 1);
		while (s->hash[h])
			h = (h + 1) & (s->hcap - 1);
		s->hash[h] = i + 1;
	}
}

static struct report_fig *
field_group(struct report_group_set *s, const char *key)
{
	size_t h;

	if (key == NULL || *key == '\0')
		key = "(none)";
	if ((s->n + 1) * 2 > s->hcap)
		rehash(s);
	h = (size_t)hash_str(key) & (s->hcap - 1);
	while (s->hash[h]) {
		struct report_fig *g = &s->g[s->hash[h] - 1];
		if (strcmp(g->key, key) == 0)
			return g;
		h = (h + 1) & (s->hcap - 1);
	}
	s->hash[h] = s->n + 1;
	return new_fig(s, key);
}

static int
is_time_set(const struct report_group_set *s)
{
	return s->by == BY_WEEK || s->by == BY_DAY;
}

/* Buckets of whole UTC days or ISO weeks (from Monday), clipped to the period. */
static int
make_buckets(struct report_group_set *s, time_t since, time_t until)
{
	time_t start = since - (((since % 86400) + 86400) % 86400);

	if (s->by == BY_WEEK) {
		/* 1970-01-01 was a Thursday: days since then + 3, mod 7, is days since Monday. */
		long long days = start / 86400;
		start -= (time_t)((((days + 3) % 7) + 7) % 7) * 86400;
	}
	for (time_t t = start; t < until;) {
		time_t next = t + (s->by == BY_WEEK ? 7 : 1) * 86400;
		char key[32];
		struct tm tm;
		if (s->n >= MAX_BUCKETS)
			return rt_fail(EX_USAGE, "period too long for --by %s (more than %d buckets)",
			    report_by_name(s->by), MAX_BUCKETS);
		gmtime_r(&t, &tm);
		strftime(key, sizeof(key), s->by == BY_WEEK ? "%G-W%V" : "%Y-%m-%d", &tm);
		struct report_fig *g = new_fig(s, key);
		g->from = t < since ? since : t;
		g->to = next > until ? until : next;
		t = next;
	}
	s->open_delta = xcalloc(s->n + 1, sizeof(*s->open_delta));
	return 0;
}

/* The first bucket whose end is after t. */
static size_t
first_end_after(const struct report_group_set *s, time_t t)
{
	size_t lo = 0, hi = s->n;

	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		if (s->g[mid].to <= t)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/* The bucket holding t, or NULL outside the period. */
static struct report_fig *
time_group(struct report_group_set *s, time_t t)
{
	size_t i = first_end_after(s, t);

	return i < s->n && s->g[i].from <= t ? &s->g[i] : NULL;
}

static struct report_fig *
pick(struct report_group_set *s, const struct facts *f, time_t t)
{
	if (s->by == BY_NONE)
		return &s->g[0];
	if (is_time_set(s))
		return time_group(s, t);
	return field_group(s, f->field[s->by]);
}

/* ---- one ticket ---- */

static int
in_period(const struct report *r, time_t t)
{
	return t != NO_TIME && t >= r->o.since && t < r->o.until;
}

static void
account(struct report *r, struct report_group_set *s, const struct facts *f)
{
	struct report_fig *g;

	if (in_period(r, f->created) && (g = pick(s, f, f->created)) != NULL) {
		g->created++;
		if (f->escalated) {
			g->escalated++;
			if (f->level > 0)
				g->levels[f->level < REPORT_LEVELS ? f->level : REPORT_LEVELS - 1]++;
		}
	}
	if (in_period(r, f->first) && (g = pick(s, f, f->first)) != NULL)
		dvec_push(&g->first, report_elapsed(f, f->created, f->first));
	if (in_period(r, f->resolved) && (g = pick(s, f, f->resolved)) != NULL) {
		g->resolved++;
		dvec_push(&g->resolve, report_elapsed(f, f->created, f->resolved));
		g->reopened += f->reopened;
		g->surveyed += f->surveyed || f->rated;
		if (f->rated)
			g->rated++, g->score_sum += f->score;
		if (f->escalated) {
			g->esc_resolved++;
			g->esc_surveyed += f->surveyed || f->rated;
			if (f->rated)
				g->esc_rated++, g->esc_score_sum += f->score;
		}
	}
	/*
	 * An SLA clock is settled in the period when it stopped in it (met or
	 * breached), or when it is still counting at until and breached in it.
	 */
	for (int c = 0; f->sla.policy && c < NCLOCKS; c++) {
		const struct sla_clock *k = &f->sla.clock[c];
		time_t when = k->state == SLA_STOPPED ? k->stop : k->breached ? k->due : NO_TIME;
		if (k->state == SLA_NONE || !in_period(r, when) || (g = pick(s, f, when)) == NULL)
			continue;
		g->sla_settled[c]++;
		if (k->breached)
			g->sla_breached[c]++;
		else
			g->sla_met[c]++;
	}
	if (is_time_set(s)) {
		for (size_t i = 0; i < f->niv; i++) {
			size_t k1 = first_end_after(s, f->iv[i].a);
			size_t k2 = f->iv[i].b == FOREVER ? s->n : first_end_after(s, f->iv[i].b);
			if (k1 < k2) {
				s->open_delta[k1]++;
				s->open_delta[k2]--;
			}
		}
	} else if (f->open_at_end)
		pick(s, f, 0)->backlog++;
}

static void
add_interval(struct facts *f, time_t a, time_t b)
{
	if (f->niv == f->capiv) {
		f->capiv = f->capiv ? f->capiv * 2 : 8;
		f->iv = xrealloc(f->iv, f->capiv * sizeof(*f->iv));
	}
	f->iv[f->niv].a = a;
	f->iv[f->niv].b = b;
	f->niv++;
}

/*
 * Walks the status history "TIME STATUS;TIME STATUS" up to until: open
 * intervals, the last resolution still standing, reopenings.
 * Returns 0 when the ticket existed before until.
 */
static int
walk_timeline(struct facts *f, const char *tl, const char *status, time_t until)
{
	int prev = -1;		/* -1 no state yet, 0 open, 1 done */
	time_t open_from = 0, last_res = NO_TIME;
	const char *p = tl ? tl : "";

	f->niv = 0;
	while (*p) {
		const char *end = strchr(p, ';'), *sp;
		size_t len = end ? (size_t)(end - p) : strlen(p);
		time_t t;
		sp = memchr(p, ' ', len);
		if (sp && parse_time(p, (size_t)(sp - p), &t) == 0 && t < until) {
			int done = is_done(sp + 1, len - (size_t)(sp + 1 - p));
			if (prev == -1 || done != prev) {
				if (!done) {
					open_from = t;
					if (prev == 1)
						f->reopened = 1;
					last_res = NO_TIME;
				} else {
					if (prev == 0)
						add_interval(f, open_from, t);
					last_res = t;
				}
				prev = done;
			}
		}
		p = end ? end + 1 : p + len;
	}
	if (prev == -1) {
		/* No history: the ticket stood in its status since it was made. */
		if (f->created == NO_TIME || f->created >= until)
			return -1;
		prev = status && is_done(status, strlen(status));
		open_from = f->created;
		last_res = prev ? f->created : NO_TIME;
	}
	if (prev == 0) {
		add_interval(f, open_from, FOREVER);
		f->open_at_end = 1;
	} else
		f->resolved = last_res;
	return 0;
}

static int
one_record(const struct rec *rec, void *arg)
{
	struct run *run = arg;
	struct report *r = run->r;
	struct facts *f = &run->f;
	const char *p = rec->buf, *end = rec->buf + rec->len;
	const char *timeline = NULL, *status = NULL, *first = NULL, *rating = NULL,
	    *rated_at = NULL, *level = NULL, *steps = NULL, *created = NULL,
	    *surveyed = NULL;
	time_t t;

	f->subject = NULL;
	memset(f->field, 0, sizeof(f->field));
	f->created = f->first = f->resolved = NO_TIME;
	f->open_at_end = f->reopened = f->escalated = f->level = f->rated = 0;
	f->score = 0;
	f->surveyed = 0;
	f->cal = NULL;
	/* One scan of the record picks every key the report reads. */
	while (p < end) {
		const char *k = p, *v = rec_strend(k, end) + 1;
		if (v >= end)
			break;
		p = rec_strend(v, end) + 1;
		switch (k[0]) {
		case 'c':
			if (strcmp(k, "created") == 0) created = v;
			else if (strcmp(k, "channel") == 0) f->field[BY_CHANNEL] = v;
			else if (strcmp(k, "customer") == 0) f->field[BY_CUSTOMER] = v;
			break;
		case 'e':
			if (strcmp(k, "esc-level") == 0) level = v;
			else if (strcmp(k, "esc-steps") == 0) steps = v;
			break;
		case 'f':
			if (strcmp(k, "first-response") == 0) first = v;
			break;
		case 'm':
			if (strcmp(k, "merged-into") == 0 && *v)
				return 0;	/* lives on in another ticket */
			break;
		case 'o':
			if (strcmp(k, "owner") == 0) f->field[BY_OWNER] = v;
			break;
		case 'p':
			if (strcmp(k, "priority") == 0) f->field[BY_PRIORITY] = v;
			break;
		case 'q':
			if (strcmp(k, "queue") == 0) f->field[BY_QUEUE] = v;
			break;
		case 'r':
			if (strcmp(k, "rating") == 0) rating = v;
			else if (strcmp(k, "rated-at") == 0) rated_at = v;
			break;
		case 's':
			if (strcmp(k, "status") == 0) status = v;
			else if (strcmp(k, "surveyed-at") == 0) surveyed = v;
			else if (strcmp(k, "subject") == 0) f->subject = v;
			break;
		case 't':
			if (strcmp(k, "timeline") == 0) timeline = v;
			break;
		}
	}
	if (parse_key_time(created, &f->created) != 0)
		return 0;	/* not a ticket the report can place in time */
	if (f->created >= r->o.until)
		return 0;	/* did not exist yet */
	if (walk_timeline(f, timeline, status, r->o.until) != 0)
		return 0;
	if (parse_key_time(first, &t) == 0 && t < r->o.until)
		f->first = t;
	if (rating && *rating && (parse_key_time(rated_at, &t) != 0 || t < r->o.until)) {
		char *e;
		f->score = strtod(rating, &e);
		f->rated = e != rating;
	}
	if (surveyed && *surveyed) {
		run->surveys = 1;
		f->surveyed = parse_key_time(surveyed, &t) == 0 && t < r->o.until;
	}
	sla_compute_rec(run->sla, rec, r->o.until, &f->sla);
	if (f->sla.policy)
		f->cal = f->sla.policy->cal;
	f->level = level ? atoi(level) : 0;
	f->escalated = f->level > 0 || (steps && *steps);
	r->tickets++;
	struct report_group_set *sets[] = { &r->groups, &r->agents, &r->days,
		&r->channels, &r->queues };
	{
		struct report_group_set total = { .by = BY_NONE, .g = &r->total, .n = 1 };
		account(r, &total, f);
	}
	for (size_t i = 0; i < LEN(sets); i++)
		if (sets[i]->by != BY_NONE && (sets[i]->n || !is_time_set(sets[i])))
			account(r, sets[i], f);
	if (r->topics && in_period(r, f->created) && f->subject)
		topics_add(r->topics, f->subject);
	return 0;
}

/* Whether rt.yaml has SLA policies, whose calendars then measure durations. */
static int
sla_has_policies(struct desk *d)
{
	const struct ynode *n = desk_cfg(d, "sla.policies");

	return n && n->kind == Y_SEQ && n->n > 0;
}

static int
cmp_fig(const void *a, const void *b)
{
	return strcmp(((const struct report_fig *)a)->key, ((const struct report_fig *)b)->key);
}

static void
finish_set(struct report_group_set *s, int surveys)
{
	/* A desk that sends no surveys: every resolved ticket counts as asked. */
	for (size_t i = 0; !surveys && i < s->n; i++) {
		s->g[i].surveyed = s->g[i].resolved;
		s->g[i].esc_surveyed = s->g[i].esc_resolved;
	}
	if (is_time_set(s)) {
		long open = 0;
		for (size_t i = 0; i < s->n; i++) {
			open += s->open_delta[i];
			s->g[i].backlog = open;
		}
	} else if (s->n > 1)
		qsort(s->g, s->n, sizeof(*s->g), cmp_fig);
	free(s->hash);
	s->hash = NULL;
	s->hcap = 0;
	for (size_t i = 0; i < s->n; i++) {
		dvec_sort(&s->g[i].first);
		dvec_sort(&s->g[i].resolve);
	}
}

int
report_run(struct desk *d, const struct report_opts *o, struct report *r)
{
	struct run run;
	int rc;

	memset(r, 0, sizeof(*r));
	r->o = *o;
	r->desk_name = xstrdup(desk_cfg_str(d, "desk.name", "Support"));
	r->clock = "wall-clock";
	r->total.key = xstrdup("total");
	r->total.first = (struct dvec)DVEC_INIT;
	r->total.resolve = (struct dvec)DVEC_INIT;
	r->groups.by = o->by;
	r->agents.by = BY_OWNER;
	r->days.by = BY_DAY;
	if (o->charts) {
		r->channels.by = BY_CHANNEL;
		r->queues.by = BY_QUEUE;
	}
	if (o->until <= o->since)
		return rt_fail(EX_USAGE, "empty period: since is not before until");
	if (is_time_set(&r->groups) && (rc = make_buckets(&r->groups, o->since, o->until)) != 0)
		return rc;
	/* The daily series is left out for periods of many years. */
	if (make_buckets(&r->days, o->since, o->until) != 0) {
		for (size_t i = 0; i < r->days.n; i++)
			free(r->days.g[i].key);
		r->days.n = 0;
		free(r->days.open_delta);
		r->days.open_delta = NULL;
	}
	if (o->topics)
		r->topics = topics_new();
	memset(&run, 0, sizeof(run));
	run.r = r;
	if ((rc = sla_load(&run.sla, d)) != 0) {
		sla_free(run.sla);
		return rc;
	}
	r->clock = sla_has_policies(d) ? "business" : "wall-clock";
	rc = cache_foreach(d, one_record, &run);
	free(run.f.iv);
	sla_free(run.sla);
	if (rc != 0)
		return rc;
	{
		struct report_group_set total = { .by = BY_NONE, .g = &r->total, .n = 1 };
		finish_set(&total, run.surveys);
	}
	finish_set(&r->groups, run.surveys);
	finish_set(&r->agents, run.surveys);
	finish_set(&r->days, run.surveys);
	finish_set(&r->channels, run.surveys);
	finish_set(&r->queues, run.surveys);
	return 0;
}

static void
free_fig(struct report_fig *g)
{
	free(g->key);
	dvec_free(&g->first);
	dvec_free(&g->resolve);
}

static void
free_set(struct report_group_set *s)
{
	for (size_t i = 0; i < s->n; i++)
		free_fig(&s->g[i]);
	free(s->g);
	free(s->hash);
	free(s->open_delta);
}

void
report_free(struct report *r)
{
	free(r->desk_name);
	free_fig(&r->total);
	free_set(&r->groups);
	free_set(&r->agents);
	free_set(&r->days);
	free_set(&r->channels);
	free_set(&r->queues);
	topics_free(r->topics);
}

char *
report_fmt_duration(double secs, char *buf, size_t size)
{
	long long s;

	if (isnan(secs)) {
		snprintf(buf, size, "-");
		return buf;
	}
	s = llround(secs);
	if (s < 60)
		snprintf(buf, size, "%llds", s);
	else if (s < 3600)
		snprintf(buf, size, "%lldm", s / 60);
	else if (s < 86400)
		snprintf(buf, size, "%lldh%02lldm", s / 3600, s % 3600 / 60);
	else
		snprintf(buf, size, "%lldd%02lldh", s / 86400, s % 86400 / 3600);
	return buf;
}
