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
