/*
 * workflow.h: which statuses a ticket may take and what happens when it
 * does, from the "workflows:" section of rt.yaml (see rt-set(1)).
 *
 *   workflows:
 *     default:                    # used when no other workflow matches
 *       statuses: [new, open, waiting, resolved, closed]
 *       transitions:              # from: [to, ...]; "*" means from any
 *         new: [open, waiting, resolved, closed]
 *         resolved: [open, closed]
 *       require:                  # fields that must be set to enter a status
 *         resolved: [resolution]
 *       on:                       # actions when a status is entered
 *         resolved:
 *           set: {resolved-by: "{actor}"}
 *           exec: rt-reply --template resolved
 *       cascade: true             # resolving/closing a parent does its children
 *     incidents:
 *       queues: [ops]             # matched by queue or by ticket type
 *       types: [incident]
 *
 * With no workflows section, any of new, open, waiting, resolved, closed
 * may follow any other. These are the workflow's parts; a status change
 * itself goes through status_change (status.h), which calls them.
 */
#ifndef RT_WORKFLOW_H
#define RT_WORKFLOW_H

#include "kv.h"

struct desk;
struct change;

/* Checks every workflow of rt.yaml; EX_CONFIG with "rt.yaml:L:C: ..." */
int workflow_validate(struct desk *d);

/*
 * May a ticket whose state after the change is t (queue, type and the
 * fields required) go from status "from" (NULL for a new ticket) to
 * "to"? Returns 0, EX_DATAERR with rt_errmsg() saying why not (unknown
 * status, transition not allowed, required field missing) or EX_CONFIG.
 */
int workflow_check(struct desk *d, const struct kvmap *t, const char *from, const char *to);

/*
 * Whether s is a status of the built-in set, of any workflow, or
 * "merged"; *names (may be NULL) gets all of them, "new, open, ...",
 * malloc'd, for messages.
 */
int workflow_status_known(struct desk *d, const char *s, char **names);
/* Applies the "on: STATUS: set:" actions of the status entered to c. */
/* Calls fn with each key an "on: STATUS: set:" action of a workflow writes. */
void workflow_set_keys(struct desk *d, void (*fn)(const char *key, void *arg), void *arg);
int workflow_apply(struct desk *d, struct change *c, const char *to);

/*
 * Runs the "on: STATUS: exec:" command of the status entered, if any,
 * after the commit and without the desk lock: /bin/sh -c 'CMD "$@"' with
 * the ticket id as its argument, RT_DESK set, its stdout sent to stderr.
 * Returns 0, or EX_UNAVAILABLE when the command failed.
 */
int workflow_exec(struct desk *d, const struct kvmap *t, const char *id, const char *to);

/* Whether the workflow of t cascades resolved/closed to children. */
int workflow_cascade(struct desk *d, const struct kvmap *t);

#endif
