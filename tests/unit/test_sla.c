/* test_sla.c: policies and clocks computed from records, hand-computed cases */
#include <stdlib.h>
#include <string.h>

#include "calendar.h"
#include "desk.h"
#include "kv.h"
#include "sla.h"
#include "tap.h"
#include "util.h"
#include "yamlio.h"

static const char config[] =
"calendars:\n"
"  office:\n"
"    timezone: Europe/Berlin\n"
"    hours: {mon-fri: \"08:00-18:00\", sat: \"09:00-12:00\"}\n"
"    holidays: [2026-12-24, 2026-12-25]\n"
"customers:\n"
"  acme: {domains: [acme.example], contract: gold, vip: true}\n"
"  initech: {contract: silver}\n"
"sla:\n"
"  calendar: office\n"
"  pause-statuses: [waiting, on-hold]\n"
"  policies:\n"
"    - name: critical\n"
"      match: {priority: critical}\n"
"      calendar: 24x7\n"
"      first-response: 30m\n"
"      resolution: 8h\n"
"    - name: gold\n"
"      match: {contract: gold}\n"
"      first-response: 1h\n"
"      next-response: 2h\n"
"      resolution: 1bd\n"
"    - name: security\n"
"      match: {tag: [security, breach], queue: general}\n"
"      first-response: 15m\n"
"    - name: default\n"
"      first-response: 2h\n"
"      next-response: 4h\n"
"      resolution: 2bd\n";

static struct desk *
fake_desk(const char *yaml)
{
	struct desk *d = xcalloc(1, sizeof(*d));

	d->config = yaml_load(yaml, strlen(yaml), "rt.yaml");
	d->config_name = xstrdup("rt.yaml");
	return d;
}

static void
free_desk(struct desk *d)
{
	ynode_free(d->config);
	free(d->config_name);
	free(d);
}

static time_t
T(const char *s)
{
	time_t t;

	if (rt_parsetime(s, &t) != 0)
		exit(1);
	return t;
}

static const char *
fmt(time_t t)
{
	static char buf[RT_TIMELEN];

	return t ? rt_fmttime(t, buf) : "0";
}

static void
compute(struct sla *s, struct kvmap *m, const char *now, struct sla_status *st)
{
	struct sla_ticket t;
	char *buf;
	size_t len;
	struct rec r;

	/* Through a serialized record, as sweeps read them. */
	buf = kv_serialize(m, &len);
	r.buf = buf;
	r.len = len;
	sla_ticket_from_rec(&t, &r);
	sla_compute(s, &t, T(now), st);
	free(buf);
}

static int
load_err(const char *yaml, const char *want)
{
	struct desk *d = fake_desk(yaml);
	struct sla *s;
	int rc = sla_load(&s, d), good = rc == EX_CONFIG && strstr(rt_errmsg(), want);

	if (!good)
		printf("# rc %d: %s\n", rc, rt_errmsg());
	sla_free(s);
	free_desk(d);
	return good;
}

int
main(void)
{
	struct desk *d = fake_desk(config);
	struct sla *s;
	struct kvmap m = KVMAP_INIT;
	struct sla_status st;
	struct sla_clock *fr = &st.clock[SLA_FIRST_RESPONSE], *nr = &st.clock[SLA_NEXT_RESPONSE],
	    *res = &st.clock[SLA_RESOLUTION];
	struct sla_ticket t;

	setenv("TZ", "UTC", 1);
	ok(sla_load(&s, d) == 0, "config loads");

	/* Matching: first policy wins, contract through customers:, tags. */
	kv_set(&m, "priority", "critical");
	kv_set(&m, "customer", "acme");
	sla_ticket_from_kvmap(&t, &m);
	is_str(sla_policy_for(s, &t)->name, "critical", "priority critical first");
	kv_set(&m, "priority", "normal");
	sla_ticket_from_kvmap(&t, &m);
	is_str(sla_policy_for(s, &t)->name, "gold", "contract from customers:");
	kv_set(&m, "customer", "initech");
	kv_set(&m, "tags", "vpn,breach");
	kv_set(&m, "queue", "general");
	sla_ticket_from_kvmap(&t, &m);
	is_str(sla_policy_for(s, &t)->name, "security", "any of the tags, and the queue");
	kv_set(&m, "queue", "sales");
	sla_ticket_from_kvmap(&t, &m);
	is_str(sla_policy_for(s, &t)->name, "default", "all conditions must hold");
	kv_set(&m, "contract", "gold");
	sla_ticket_from_kvmap(&t, &m);
	is_str(sla_policy_for(s, &t)->name, "gold", "the ticket's own contract field wins");
	kv_free(&m);

	/* Friday 17:00 local, no reply, Monday 09:00 local: 1h + 3h + 1h = 5h. */
	kv_set(&m, "id", "AAAAAAAA");
	kv_set(&m, "status", "new");
	kv_set(&m, "created", "2026-11-27T16:00:00Z");
	kv_set(&m, "timeline", "2026-11-27T16:00:00Z new");
	kv_set(&m, "last-in", "2026-11-27T16:00:00Z");
	compute(s, &m, "2026-11-30T08:00:00Z", &st);
	is_str(st.policy->name, "default", "default policy");
	ok(fr->state == SLA_RUNNING && fr->elapsed == 5 * 3600 && fr->breached,
	    "first response over the weekend: 5h elapsed, breached");
	ok(fr->remaining == -3 * 3600, "remaining is -3h");
	is_str(fmt(fr->due), "2026-11-28T09:00:00Z", "breached at Saturday 10:00 local");
	ok(nr->state == SLA_NONE, "no next-response clock before a first response");
	ok(res->state == SLA_RUNNING && res->elapsed == 5 * 3600 && !res->breached &&
	    res->remaining == 15 * 3600, "resolution 2bd = 20h, 5h used");
	is_str(fmt(res->due), "2026-12-01T13:00:00Z", "resolution due Tuesday 14:00 local");

	/* Waiting on the customer pauses; the customer's answer resumes. */
	kv_free(&m);
	kv_set(&m, "id", "BBBBBBBB");
	kv_set(&m, "status", "open");
	kv_set(&m, "created", "2026-11-23T08:00:00Z");
	kv_set(&m, "first-response", "2026-11-23T09:00:00Z");
	kv_set(&m, "last-out", "2026-11-23T09:00:00Z");
	kv_set(&m, "last-in", "2026-11-23T12:00:00Z");
	kv_set(&m, "timeline", "2026-11-23T08:00:00Z new;2026-11-23T09:00:00Z waiting;"
	    "2026-11-23T12:00:00Z open");
	compute(s, &m, "2026-11-23T11:00:00Z", &st);
	ok(res->state == SLA_PAUSED && res->elapsed == 3600 && res->due == 0,
	    "paused while waiting: 1h, no due time");
	ok(fr->state == SLA_STOPPED && fr->met && fr->elapsed == 3600, "first response met in 1h");
	ok(nr->state == SLA_NONE, "customer mail after now is not seen yet");
	compute(s, &m, "2026-11-23T13:00:00Z", &st);
	ok(res->state == SLA_RUNNING && res->elapsed == 2 * 3600, "resumed: 1h + 1h");
	ok(nr->state == SLA_RUNNING && nr->elapsed == 3600 && nr->remaining == 3 * 3600,
	    "next response runs from the customer's mail");
	is_str(fmt(nr->due), "2026-11-23T16:00:00Z", "next response due 4h later");
	is_str(fmt(res->due), "2026-11-25T11:00:00Z", "resolution due shifted by the pause");
	kv_set(&m, "last-out", "2026-11-23T14:30:00Z");
	compute(s, &m, "2026-11-23T15:00:00Z", &st);
	ok(nr->state == SLA_STOPPED && nr->met && nr->elapsed == 9000, "agent reply stops it");

	/* Resolved, then reopened: the resolved time does not count. */
	kv_set(&m, "timeline", "2026-11-23T08:00:00Z new;2026-11-23T10:00:00Z resolved");
	kv_set(&m, "resolved-at", "2026-11-23T10:00:00Z");
	kv_set(&m, "status", "resolved");
	kv_set(&m, "last-in", "2026-11-23T08:00:00Z");
	compute(s, &m, "2026-11-24T10:00:00Z", &st);
	ok(res->state == SLA_STOPPED && res->met && res->elapsed == 7200, "resolved in 2h: met");
	kv_set(&m, "timeline", "2026-11-23T08:00:00Z new;2026-11-23T10:00:00Z resolved;"
	    "2026-11-24T09:00:00Z open");
	kv_set(&m, "status", "open");
	kv_set(&m, "resolved-at", NULL);
	compute(s, &m, "2026-11-24T10:00:00Z", &st);
	ok(res->state == SLA_RUNNING && res->elapsed == 3 * 3600, "reopened: 2h + 1h");

	/* A ticket resolved without any reply misses its first response. */
	kv_free(&m);
	kv_set(&m, "status", "closed");
	kv_set(&m, "created", "2026-11-23T08:00:00Z");
	kv_set(&m, "timeline", "2026-11-23T08:00:00Z new;2026-11-23T08:30:00Z closed");
	compute(s, &m, "2026-11-24T10:00:00Z", &st);
	ok(fr->state == SLA_STOPPED && !fr->met && fr->missed && fr->breached &&
	    fr->elapsed == 1800, "closed without reply: first response missed");
	is_str(fmt(fr->due), "2026-11-23T08:30:00Z", "missed when it was closed");
	/* Merged is done (status_is_done): its clocks stop as at a resolution. */
	kv_set(&m, "status", "merged");
	kv_set(&m, "timeline", "2026-11-23T08:00:00Z new;2026-11-23T08:30:00Z merged");
	compute(s, &m, "2026-11-24T10:00:00Z", &st);
	ok(fr->state == SLA_STOPPED && fr->elapsed == 1800 && fr->met && !fr->missed,
	    "merged stops first response, not missed (answered on the other ticket)");
	ok(res->state == SLA_STOPPED && res->elapsed == 1800, "merged stops resolution");

	/* 24x7 for critical: Sunday counts. */
	kv_set(&m, "priority", "critical");
	kv_set(&m, "status", "new");
	kv_set(&m, "created", "2026-11-22T10:00:00Z");
	kv_set(&m, "timeline", "2026-11-22T10:00:00Z new");
	compute(s, &m, "2026-11-22T10:20:00Z", &st);
	ok(fr->state == SLA_RUNNING && fr->elapsed == 1200 && fr->remaining == 600,
	    "24x7 counts Sunday");
	is_str(fmt(fr->due), "2026-11-22T10:30:00Z", "due in 30 wall minutes");
	ok(nr->state == SLA_NONE, "no next-response target in the policy");
	kv_free(&m);

	/* No policy matches on a desk without sla:. */
	sla_free(s);
	free_desk(d);
	d = fake_desk("desk: {name: x}\n");
	ok(sla_load(&s, d) == 0, "desk without sla: loads");
	kv_set(&m, "created", "2026-11-22T10:00:00Z");
	compute(s, &m, "2026-11-22T10:20:00Z", &st);
	ok(st.policy == NULL && fr->state == SLA_NONE, "no policy, no clocks");
	kv_free(&m);
	sla_free(s);
	free_desk(d);

	ok(load_err("sla:\n  policies:\n    - {name: x, calendar: nope, first-response: 1h}\n",
	    "rt.yaml:3:27: unknown calendar 'nope'"), "unknown calendar with position");
	ok(load_err("sla:\n  policies:\n    - {name: x, first-response: 2d}\n",
	    "'2d' is not a duration"), "bare days refused");
	ok(load_err("sla:\n  policies:\n    - {name: x}\n", "sets no first-response"),
	    "policy without targets refused");
	ok(load_err("sla:\n  policies:\n    - {name: x, resolve: 1h}\n", "unknown policy key 'resolve'"),
	    "misspelt key refused");
	ok(load_err("customers:\n  a: {vip: maybe}\n", "vip must be true or false"),
	    "bad vip refused");
	return tap_done();
}
