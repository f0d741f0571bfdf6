/*
 * report.h: desk figures over a period, from one pass over the cache.
 *
 * Every figure belongs to the period [since, until) through the time of
 * the event it counts: a ticket is "created" in the period when its
 * created time falls in it, "resolved" when its last move to a done
 * status (resolved, closed, merged) before until falls in it and it is
 * still done at until, its first response counts where the first reply
 * by a person was sent. The state at a time t (backlog, status) is the
 * status after every timeline entry before t. Grouping by week or day
 * puts each figure in the bucket of its event; the backlog of a bucket
 * is the open tickets at the bucket's end. Durations are measured by
 * report_elapsed() (see report.c): wall-clock seconds, or business
 * seconds of the ticket's SLA calendar when the SLA engine provides one.
 * See rt-report(1) for every definition.
 */
#ifndef RT_REPORT_H
#define RT_REPORT_H

#include <stdio.h>
#include <time.h>

#include "stats.h"

struct desk;
struct topics;

enum report_by {
	BY_NONE, BY_QUEUE, BY_CHANNEL, BY_OWNER, BY_PRIORITY, BY_CUSTOMER, BY_WEEK, BY_DAY
};
/* "queue", ...; NULL for BY_NONE. */
const char *report_by_name(enum report_by by);
/* Parses a --by value; -1 if unknown. */
int report_by_parse(const char *s);

#define REPORT_LEVELS 10	/* escalation levels counted 1..9; 9 holds 9 and above */
/* SLA clocks, in the order of lib/sla.h */
enum { CLOCK_FIRST, CLOCK_NEXT, CLOCK_RESOLVE, NCLOCKS };
/* "first_response", "next_response", "resolution" (JSON and CSV names) */
extern const char *const report_clock_names[NCLOCKS];

/* The figures of one group (or of the whole desk). */
struct report_fig {
	char *key;
	time_t from, to;		/* bucket bounds for week and day groups */
	long created, resolved, backlog;
	struct dvec first, resolve;	/* durations in seconds */
	long escalated;			/* created in period and escalated */
	long levels[REPORT_LEVELS];	/* of those, by highest level reached */
	long reopened;			/* resolved in period after a reopening */
	long surveyed;			/* of those, sent a survey or rated (all of
					   them when the desk sends no surveys) */
	long rated;			/* of those, rated */
	double score_sum;
	long esc_resolved, esc_surveyed, esc_rated;	/* the same for escalated tickets */
	double esc_score_sum;
	/* SLA clocks settled in the period: stopped in it, or breached in it */
	long sla_settled[NCLOCKS], sla_met[NCLOCKS], sla_breached[NCLOCKS];
};

struct report_group_set {
	enum report_by by;
	struct report_fig *g;
	size_t n, cap;
	size_t *hash;			/* field groups: open addressing, index + 1 */
	size_t hcap;
	long *open_delta;		/* time groups: backlog difference array */
};

struct report_opts {
	time_t since, until;
	enum report_by by;
	size_t topics;			/* top terms to list; 0 none */
	int as_of;			/* the end is an --as-of date */
	int until_now;			/* until is now + 1: shown as now */
	int charts;			/* also group by channel and queue (HTML) */
};

struct report {
	struct report_opts o;
	char *desk_name;		/* desk.name, the HTML page's title */
	const char *clock;		/* "business" with SLA policies, else "wall-clock" */
	long tickets;			/* tickets existing at until */
	struct report_fig total;
	struct report_group_set groups;	/* by o.by; empty for BY_NONE */
	struct report_group_set agents;	/* by owner */
	struct report_group_set days;	/* by day, for the backlog series */
	struct report_group_set channels, queues;	/* with o.charts */
	struct topics *topics;
};

/* Computes the report; 0 or a sysexits code with rt_errmsg(). */
int report_run(struct desk *d, const struct report_opts *o, struct report *r);
void report_free(struct report *r);

/* Derived figures of a group; NAN when undefined (nothing to count). */
double report_rate(long num, long den);

/* Output (report_fmt.c). Each returns 0 or EX_IOERR. */
int report_text(const struct report *r, FILE *fp);
int report_csv(const struct report *r, FILE *fp);
int report_json(const struct report *r, FILE *fp);
int report_html(const struct report *r, FILE *fp);

/* The period in words: "November 2026", "23–29 November 2026" (malloc'd). */
char *report_period_words(time_t since, time_t until);

/* "45s", "12m", "3h05m", "2d04h"; "-" for NAN. */
char *report_fmt_duration(double secs, char *buf, size_t size);

#endif
