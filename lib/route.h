/*
 * route.h: routing rules (rt.yaml routing:, routing-critical:, customers:,
 * teams:, agents:, business-hours:), compiled once and applied per ticket.
 * See rt-route(1) for the configuration and the exact semantics.
 */
#ifndef RT_ROUTE_H
#define RT_ROUTE_H

#include <stddef.h>
#include <time.h>

#include "kv.h"
#include "util.h"

struct desk;
struct ynode;
struct route;

/* Weekly opening hours in a time zone (lib/route_hours.c). */
struct route_hours {
	char *tz;			/* TZ name, e.g. "Europe/Berlin" */
	unsigned char week[7 * 1440 / 8];	/* bit per minute, Sunday 00:00 first */
	long bucket;			/* cache: UTC quarter hour ... */
	long off;			/* ... and its offset from UTC in seconds */
};

/*
 * Parses "mon-fri 08:00-18:00" style text (one string, or a list of them)
 * or a map {timezone: TZ, hours: ...}. deftz is used when the map names
 * no zone. Returns 0 or EX_CONFIG with rt_errmsg() "rt.yaml:L:C: ...".
 */
int route_hours_parse(struct desk *d, const struct ynode *n, const char *deftz,
    struct route_hours *h);
/* 1 when t is within the opening hours. */
int route_hours_in(struct route_hours *h, time_t t);
/* Offset of the zone from UTC at t, in seconds (cached per quarter hour). */
long route_tz_offset(struct route_hours *h, time_t t);
/* 0 when a zone of this name exists (UTC, GMT or a tzdata file). */
int route_tz_valid(const char *tz);
void route_hours_free(struct route_hours *h);

/* Compiles and checks the routing configuration of the desk. */
int route_load(struct desk *d, struct route **out);
void route_free(struct route *r);
/* True when the configuration has any routing rule or critical list. */
int route_active(const struct route *r);

/* What routing one ticket would do. */
struct route_plan {
	char *rules;		/* comma list of matched rules, NULL if none */
	struct kvmap old;	/* field -> value before (only changed fields) */
	struct kvmap set;	/* field -> new value, in the order to apply */
	struct sbuf explain;	/* filled when asked for */
};

/*
 * Works out the plan for ticket id (loading it from HEAD). Fields last
 * set by something other than rt-route are never changed. Assignment
 * state (open tickets per agent, rotation of teams) is read from the
 * cache once per run and updated as plans assign owners. Returns 0 or
 * a sysexits code.
 */
int route_plan(struct route *r, struct desk *d, const char *id, int explain,
    struct route_plan *p);
void route_plan_free(struct route_plan *p);

#endif
