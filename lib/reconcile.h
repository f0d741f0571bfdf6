/*
 * reconcile.h: what a merge of two clones must do after git's merge
 * (rt-sync, sync.h), each step through the library function that owns it.
 */
#ifndef RT_RECONCILE_H
#define RT_RECONCILE_H

#include <git2.h>
#include <stddef.h>

#include "util.h"

struct desk;

/*
 * For each ticket of ids (touched by the merge): follow-ups that reached
 * a ticket merged away on the other side move to the survivor
 * (merge_follow_ups), and a done parent's cascade is applied again to
 * children linked on the other side (status_recascade). Each is its own
 * commit under the desk lock; call it without the lock. *commits counts
 * the commits made. 0, or the first failure's code (the rest is tried).
 */
int reconcile_tickets(struct desk *d, const char **ids, size_t n, size_t *commits);

/*
 * Adds a line "#ID FIELD: VALUE (by WHO at WHEN)" to lost for each write
 * of the tickets of ids that the merge of ours and theirs (tree merged)
 * made lose to a concurrent write of the same field (replay_conflicts),
 * and that neither side had lost before.
 */
void reconcile_lost(struct desk *d, git_commit *ours, git_commit *theirs, git_tree *merged,
    const char **ids, size_t n, struct sbuf *lost);

#endif
