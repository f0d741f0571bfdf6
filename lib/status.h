/*
 * status.h: the one way to change a ticket's status, used by every path
 * (rt-set, mail commands, rt-reply --set-status, a customer's reopening mail,
 * rt-merge, cascades), and the one answer to "is this status done?".
 *
 * A status change has two halves:
 *
 *   under the desk lock, inside a change:
 *	status_change(&c, "resolved", &opts);	// check, apply, record
 *	change_commit(&c, summary);		// or change_commit_all
 *	change_free(&c);
 *	desk_unlock(d);
 *   after the unlock:
 *	status_after(d, warn, arg);		// hooks, exec:, cascade
 *
 * status_change refuses a merged ticket, checks the workflow transition
 * (workflow_check), sets the status (a "set" event) and the workflow's
 * `on: STATUS: set:` fields. What happens after the commit is queued
 * only when the commit lands: status_after then, for each status change
 * committed since its last call (oldest first, cascaded ones included),
 *   1. calls every hook of status_hook_add with a struct status_note:
 *      THE place where "ticket ID went from X to Y by ACTOR via PATH" is
 *      known after the commit (customer status mails, agent
 *      notifications hang here);
 *   2. runs the workflow's `on: STATUS: exec:` command (unless noexec);
 *   3. cascades a resolved/closed status to the open children (with
 *      opts.cascade or the workflow's `cascade: true`), each child one
 *      commit through status_change, whose notes join the queue.
 * Callers never re-implement any of these steps.
 */
#ifndef RT_STATUS_H
#define RT_STATUS_H

#include "done.h"	/* status_is_done */
#include "id.h"
#include "kv.h"

struct desk;
struct change;

struct status_opts {
	const char *via;	/* the path: "rt-set", "mail", "reply", "ingest", "merge" */
	int cascade;		/* cascade even when the workflow does not say so */
	int noexec;		/* do not run exec: actions */
	int force;		/* no workflow check (rt-merge's "merged") */
	int depth;		/* cascade depth, 0 for a direct change */
	/*
	 * The ticket to check the workflow against, when the change sets
	 * more fields after the status (rt-set's later assignments); NULL:
	 * the ticket of the change as it stands.
	 */
	const struct kvmap *state;
};

/* A status change that was committed (see the header comment). */
struct status_note {
	struct desk *d;
	ticket_id id;
	char *from;		/* NULL for a ticket without status */
	char *to;
	char *actor;		/* who: the "by" of the status event */
	char *via;		/* struct status_opts.via */
	int depth;		/* > 0: cascaded from a parent */
	struct kvmap ticket;	/* the ticket as committed */
	struct status_opts opts;
};

/*
 * May the ticket of c (in its state now) enter status to? Refuses a
 * merged ticket, then asks the workflow. 0, or EX_DATAERR / EX_CONFIG
 * with rt_errmsg(). For checks before anything is done (rt-reply checks
 * before it sends).
 */
int status_check(struct desk *d, const struct kvmap *t, const char *to);

/*
 * Changes the status of the ticket of c to to (see the header comment).
 * A second call on the same change keeps one note, from the first
 * status to the last. 0 (also when the status is already to), or an
 * error with rt_errmsg(); on an error c is unchanged.
 */
int status_change(struct change *c, const char *to, const struct status_opts *o);

/*
 * Reports a problem of status_after: id is the ticket, rc its sysexits
 * code, msg what went wrong.
 */
typedef void status_warn_fn(void *arg, const char *id, int rc, const char *msg);

/*
 * Runs hooks, exec: actions and cascades of the committed status changes
 * of desk d (see the header comment). Call it without the desk lock.
 * Each problem goes to warn (when given); returns the first one's code
 * or 0.
 */
int status_after(struct desk *d, status_warn_fn *warn, void *arg);

/* Called by status_after for every committed status change. */
typedef void status_hook_fn(const struct status_note *n, void *arg);
void status_hook_add(status_hook_fn *fn, void *arg);
void status_hook_clear(void);

/*
 * Applies the cascade of ticket id's status again, as it stands: after a
 * merge of clones, a child linked on one side gets the resolved status
 * its parent got on the other. Children already done are left alone.
 * Call it without the desk lock. 0 or the first problem's code.
 */
int status_recascade(struct desk *d, const char *id, status_warn_fn *warn, void *arg);

#endif
