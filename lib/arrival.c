/* arrival.c: routing and acknowledging a new ticket after its mail is durable */
#include <stdlib.h>
#include <string.h>

#include "arrival.h"
#include "cache.h"
#include "change.h"
#include "desk.h"
#include "reply.h"
#include "route.h"
#include "statusquery.h"
#include "ticket.h"
#include "util.h"
#include "yamlio.h"

int
arrival_configured(const struct desk *d)
{
	return d->config_error != NULL || desk_cfg(d, "ingest.on-arrival") != NULL;
}

int
route_commit_plan(struct desk *d, const char *id, const struct route_plan *p)
{
	struct change c;
	struct sbuf sum = SBUF_INIT;
	int rc;

	if ((rc = change_begin(&c, d, id, "route")) != 0)
		goto out;
	kv_set(change_event(&c, "route"), "rule", p->rules ? p->rules : "-");
	for (size_t i = 0; i < p->set.n; i++) {
		size_t before = c.nevents;
		change_set(&c, p->set.v[i].key, p->set.v[i].val);
		/* marks the change as rt-route's, so a later run may change it again */
		if (c.nevents > before)
			kv_set(&c.events[c.nevents - 1], "via", "route");
		sbuf_addf(&sum, "%s%s=%s", i ? " " : "", p->set.v[i].key, p->set.v[i].val);
	}
	if (p->rules)
		sbuf_addf(&sum, " (%s)", p->rules);
	rc = change_commit(&c, sum.buf);
out:
	change_free(&c);
	sbuf_free(&sum);
	return rc;
}

static int
arrival_route(struct desk *d, const char *id)
{
	struct route *r = NULL;
	struct route_plan p;
	int rc;

	if ((rc = route_load(d, &r)) != 0) {
		route_free(r);
		return rc;
	}
	if ((rc = desk_lock(d)) != 0) {
		route_free(r);
		return rc;
	}
	if ((rc = cache_sync(d)) == 0 && (rc = route_plan(r, d, id, 0, &p)) == 0) {
		if (p.set.n)
			rc = route_commit_plan(d, id, &p);
		route_plan_free(&p);
	}
	desk_unlock(d);
	route_free(r);
	return rc;
}

static int
arrival_ack(struct desk *d, const char *id, const char *tmpl)
{
	struct reply_opts o = { 0 };
	struct reply_result r = { 0 };
	int rc;

	o.tmpl = tmpl;
	o.force_auto = 1;
	rc = reply_ticket(d, id, &o, &r);
	reply_result_free(&r);
	return rc;
}

static int
fail_step(int rc, const char *step)
{
	char *msg = xstrdup(rt_errmsg());

	rc = rt_fail(rc, "%s: %s", step, msg);
	free(msg);
	return rc;
}

int
arrival_run(struct desk *d, const char *id)
{
	const struct ynode *cfg = desk_cfg(d, "ingest.on-arrival");
	const char *ack = ymap_str(cfg, "acknowledge");
	struct change c;
	int rc, query;

	if (d->config_error)
		return rt_fail(EX_CONFIG, "rt.yaml is broken: %s", d->config_error);
	/* a status query answered is resolved: nothing to route or acknowledge */
	if ((rc = statusquery_run(d, id, &query)) != 0)
		return fail_step(rc, "status query");
	if (!query && ynode_bool(ymap_get(cfg, "route")) && (rc = arrival_route(d, id)) != 0)
		return fail_step(rc, "route");
	if (!query && ack && *ack && (rc = arrival_ack(d, id, ack)) != 0)
		return fail_step(rc, "acknowledge");
	/* notify: the hook point for arrival notifications */
	if ((rc = desk_lock(d)) != 0)
		return fail_step(rc, "record");
	if ((rc = change_begin(&c, d, id, "arrival")) == 0) {
		kv_set(change_event(&c, "arrival"), "done", "true");
		rc = change_commit(&c, "processed");
	}
	change_free(&c);
	desk_unlock(d);
	return rc ? fail_step(rc, "record") : 0;
}

int
arrival_pending(struct desk *d, const char *id)
{
	struct kvmap t = KVMAP_INIT;
	struct evlog log = { 0 };
	int pending = 0;

	if (ticket_load(d, id, &t, &log) != 0)
		return 0;
	for (size_t i = 0; i < log.n; i++) {
		const char *ev = kv_get(&log.ev[i], "ev");
		if (ev && strcmp(ev, "arrival") == 0) {
			pending = 0;
			break;
		}
		if (ev && strcmp(ev, "mail-in") == 0 && kv_get(&log.ev[i], "arrival"))
			pending = 1;
	}
	kv_free(&t);
	log_free(&log);
	return pending;
}

struct each {
	char **ids;
	size_t n;
};

static int
collect_new(const struct rec *r, void *arg)
{
	struct each *e = arg;
	const char *st = rec_get(r, "status"), *id = rec_get(r, "id");

	if (st && id && strcmp(st, "new") == 0) {
		e->ids = xrealloc(e->ids, (e->n + 1) * sizeof(*e->ids));
		e->ids[e->n++] = xstrdup(id);
	}
	return 0;
}

int
arrival_each_pending(struct desk *d, arrival_fn fn, void *arg)
{
	struct each e = { NULL, 0 };
	int rc, status = 0;

	if ((rc = cache_sync(d)) != 0)
		return rc;
	cache_foreach(d, collect_new, &e);
	for (size_t i = 0; i < e.n; i++)
		if (arrival_pending(d, e.ids[i]) && (rc = fn(d, e.ids[i], arg)) != 0 && status == 0)
			status = rc;
	strv_free(e.ids, e.n);
	return status;
}
