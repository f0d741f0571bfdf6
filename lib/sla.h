/*
 * sla.h: SLA policies and the clocks of one ticket, computed from its cache
 * record alone (no YAML, no log), so sweeps and reports stay cheap.
 *
 *   sla:
 *     calendar: office                 # default calendar of policies
 *     pause-statuses: [waiting]        # clocks stop counting in these
 *     policies:                        # first match wins
 *       - name: gold-critical
 *         match: {priority: critical, contract: gold}
 *         calendar: 24x7
 *         first-response: 30m
 *         next-response: 4h
 *         resolution: 8h
 *   customers:
 *     acme: {domains: [acme.example], contract: gold, vip: true}
 *   calendars: ...                     # see calendar.h
 *
 * Clocks count business time of the policy's calendar, and only while the
 * ticket is in a working status: not in pause-statuses and not resolved or
 * closed. The status history comes from the record's `timeline`.
 *
 *   first-response  from `created` to the first reply by a person
 *                   (`first-response`); resolving without one stops it
 *                   as missed (breached), unless the policy (or sla:)
 *                   sets resolve-counts-as-response: true
 *   next-response   from the customer's last mail while it has no reply,
 *                   once a first response was given (`mail-timeline`, else
 *                   `last-in` and `last-out`)
 *   resolution      from `created` to `resolved-at`; reopening resumes it
 */
#ifndef RT_SLA_H
#define RT_SLA_H

#include <stddef.h>
#include <time.h>

struct desk;
struct rec;
struct kvmap;
struct calendar;

enum sla_clock_id { SLA_FIRST_RESPONSE, SLA_NEXT_RESPONSE, SLA_RESOLUTION, SLA_NCLOCKS };
/* "first-response", "next-response", "resolution" */
extern const char *const sla_clock_names[SLA_NCLOCKS];
/* Index of a clock name, or -1. */
int sla_clock_index(const char *name);

enum sla_state {
	SLA_NONE,		/* no target in the policy, or the clock does not apply */
	SLA_RUNNING,
	SLA_PAUSED,		/* waiting on the customer (or resolved, for a reopened ticket) */
	SLA_STOPPED,
};
/* "-", "running", "paused", "stopped" */
const char *sla_state_name(enum sla_state s);

struct sla_policy {
	char *name;
	struct calendar *cal;		/* owned by the struct sla */
	long long target[SLA_NCLOCKS];	/* business seconds; 0 = no target */
	int resolve_responds;		/* resolving counts as the first response */
	struct sla_cond *cond;		/* match conditions (private) */
	size_t ncond;
};

struct sla_customer {
	char *name;
	char *contract;			/* NULL if none */
	int vip;
};

/*
 * The fields of a ticket that SLAs and escalation read, taken from a cache
 * record in one pass. Pointers point into the record (or kvmap); NULL when
 * absent.
 */
struct sla_ticket {
	const char *id, *subject, *status, *queue, *priority, *severity, *type,
	    *owner, *team, *requestors, *customer, *contract, *tags, *created,
	    *first_response, *last_in, *last_out, *resolved_at, *timeline,
	    *esc_steps, *esc_level, *reopens, *rating, *rated_at, *merged_into,
	    *escalate, *due, *mail_timeline;
	const struct rec *rec;		/* for other fields in match conditions */
	const struct kvmap *map;
};
void sla_ticket_from_rec(struct sla_ticket *t, const struct rec *r);
void sla_ticket_from_kvmap(struct sla_ticket *t, const struct kvmap *m);
/* Any field by name (custom fields too). */
const char *sla_ticket_get(const struct sla_ticket *t, const char *key);

struct sla_clock {
	enum sla_state state;
	long long target;		/* business seconds */
	long long elapsed;		/* business seconds counted so far (till stop) */
	long long remaining;		/* target - elapsed; negative once breached */
	time_t start;			/* created, or the unanswered customer mail */
	time_t stop;			/* when it stopped; 0 while running or paused */
	time_t due;			/* when elapsed reaches the target: ahead while
					   running, the breach time once breached;
					   0 when paused or stopped within target */
	int breached;			/* elapsed > target, or missed */
	int met;			/* stopped with elapsed <= target, not missed */
	int missed;			/* first response: resolved without any */
};

struct sla_status {
	const struct sla_policy *policy;	/* NULL: no policy matches */
	const struct sla_customer *customer;	/* NULL: not in customers: */
	time_t now;
	int working;			/* the status at now lets clocks run */
	int done;			/* the status at now is done */
	struct sla_clock clock[SLA_NCLOCKS];
};

struct sla;

/*
 * Compiles the sla:, customers: and calendars: sections of the desk's
 * configuration. Returns 0 or EX_CONFIG with rt_errmsg() "rt.yaml:L:C: ...".
 * A desk without sla.policies loads fine and matches no ticket.
 */
int sla_load(struct sla **out, const struct desk *d);
void sla_free(struct sla *s);
/* A calendar by name ("24x7" always exists); NULL if unknown. */
struct calendar *sla_calendar(struct sla *s, const char *name);
const struct sla_customer *sla_customer(const struct sla *s, const char *name);
/* 1 if status is in sla.pause-statuses. */
int sla_is_pause_status(const struct sla *s, const char *status);
/* The first policy matching the ticket, or NULL. */
const struct sla_policy *sla_policy_for(const struct sla *s, const struct sla_ticket *t);

/*
 * Computes every clock of the ticket as of now. Record times after now are
 * ignored where the record allows it (what-if evaluation in the past).
 * Returns 0; st->policy is NULL and all clocks SLA_NONE if no policy matches.
 */
int sla_compute(struct sla *s, const struct sla_ticket *t, time_t now, struct sla_status *st);
/* The same for a cache record. */
int sla_compute_rec(struct sla *s, const struct rec *r, time_t now, struct sla_status *st);

/*
 * What a ticket needs as of now, decided here only, for rt-ls --sla,
 * rt-escalate --clocks and the sweep alike:
 *   breached   an open clock (running or paused) is past its target, or
 *              the ticket's own due: time has passed
 *   due-soon   not breached, and a running clock reaches its target, or
 *              due: comes, within window seconds from now
 * Tickets done at now (by the record's timeline) and merged ones need nothing.
 */
enum sla_alert { SLA_ALERT_NONE, SLA_ALERT_DUE_SOON, SLA_ALERT_BREACHED };
#define SLA_DUE_WINDOW (4 * 3600L)
/* NULL, "due-soon", "breached" */
const char *sla_alert_name(enum sla_alert a);
/* 1 if the clock still counts (running or paused) and is past its target. */
int sla_clock_overdue(const struct sla_clock *c);
/* st as computed by sla_compute for t at st->now. */
enum sla_alert sla_alert(const struct sla_status *st, const struct sla_ticket *t, long window);
/* sla_compute and sla_alert in one. */
enum sla_alert sla_alert_of(struct sla *s, const struct sla_ticket *t, time_t now, long window);

#endif
