/*
 * arrival.h: what happens to a new ticket once its mail is durable:
 * routing, the acknowledgement, and (later) notifications, as rt.yaml's
 * ingest.on-arrival says. rt-ingest runs it after the commit, so it never
 * changes the delivery's exit code; rt-route --pending finishes what it
 * could not.
 */
#ifndef RT_ARRIVAL_H
#define RT_ARRIVAL_H

#include "id.h"

struct desk;
struct route;
struct route_plan;

/* 1 when rt.yaml has ingest.on-arrival (or is broken: we cannot tell). */
int arrival_configured(const struct desk *d);

/*
 * Routes, acknowledges and records an "arrival" event on ticket id;
 * each step takes the desk lock itself. Returns 0, or a sysexits code
 * with rt_errmsg() naming the step that failed (the ticket stays pending).
 */
int arrival_run(struct desk *d, const char *id);

/* 1 when ticket id waits for arrival processing (see arrival_run). */
int arrival_pending(struct desk *d, const char *id);

/* Calls fn for each pending ticket (status new, from the cache). */
typedef int (*arrival_fn)(struct desk *d, const char *id, void *arg);
int arrival_each_pending(struct desk *d, arrival_fn fn, void *arg);

/* Commits a routing plan as one change of the ticket (rt-route, arrival). */
int route_commit_plan(struct desk *d, const char *id, const struct route_plan *p);

#endif
