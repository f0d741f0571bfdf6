/* reconcile.c: after a merge of clones (see reconcile.h) */
#include <stdlib.h>
#include <string.h>

#include "desk.h"
#include "done.h"
#include "head.h"
#include "kv.h"
#include "link.h"
#include "reconcile.h"
#include "status.h"
#include "ticket.h"
#include "util.h"

static int
note(int first, int rc)
{
	return first ? first : rc;
}

int
reconcile_tickets(struct desk *d, const char **ids, size_t n, size_t *commits)
{
	int first = 0, rc;

	for (size_t i = 0; i < n; i++) {
		struct kvmap t = KVMAP_INIT;
		size_t moved = 0;
		if (ticket_load(d, ids[i], &t, NULL) != 0) {
			kv_free(&t);
			continue;	/* not a ticket (any more) */
		}
		if (kv_get(&t, "merged-into")) {
			if ((rc = merge_follow_ups(d, ids[i], &moved)) != 0)
				first = note(first, rc);
			else if (moved)
				(*commits)++;
		} else if (kv_get(&t, "children") && status_is_done(kv_get(&t, "status"))) {
			if ((rc = status_recascade(d, ids[i], NULL, NULL)) != 0)
				first = note(first, rc);
		}
		kv_free(&t);
	}
	return first;
}

void
reconcile_lost(struct desk *d, git_commit *ours, git_commit *theirs, const char **ids,
    size_t n, struct sbuf *lost)
{
	(void)d, (void)ours, (void)theirs, (void)ids, (void)n, (void)lost;
}
