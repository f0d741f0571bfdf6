/* reconcile.c: after a merge of clones (see reconcile.h) */
#include <stdlib.h>
#include <string.h>

#include "desk.h"
#include "done.h"
#include "head.h"
#include "id.h"
#include "kv.h"
#include "link.h"
#include "reconcile.h"
#include "replay.h"
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

/* The ids of the writes that lost in ticket id's log as it is in tree; n of them. */
static size_t
lost_in(struct desk *d, git_tree *tree, const char *id, struct replay_conflicts *c)
{
	struct evlog log = { NULL, 0 };
	char *path = ticket_path(id, "log.yaml"), *buf = NULL;
	size_t len;

	memset(c, 0, sizeof(*c));
	if (tree && tree_read(d->repo, tree, path, &buf, &len) == 0 &&
	    log_parse(buf, len, path, &log) == 0)
		(void)replay_conflicts(id, &log, c);
	log_free(&log);
	free(buf);
	free(path);
	return c->n;
}

static int
has_lost(const struct replay_conflicts *c, const struct replay_lost *l)
{
	for (size_t i = 0; i < c->n; i++)
		if (c->v[i].lost_id && l->lost_id && strcmp(c->v[i].lost_id, l->lost_id) == 0 &&
		    strcmp(c->v[i].field, l->field) == 0)
			return 1;
	return 0;
}

void
reconcile_lost(struct desk *d, git_commit *ours, git_commit *theirs, git_tree *merged,
    const char **ids, size_t n, struct sbuf *lost)
{
	git_tree *to = NULL, *tt = NULL;

	if (git_commit_tree(&to, ours) < 0 || git_commit_tree(&tt, theirs) < 0)
		goto out;
	for (size_t i = 0; i < n; i++) {
		struct replay_conflicts m, o, t;
		if (lost_in(d, merged, ids[i], &m) > 0) {
			lost_in(d, to, ids[i], &o);
			lost_in(d, tt, ids[i], &t);
			/* only what this merge made lose: not what either side had lost already */
			for (size_t k = 0; k < m.n; k++) {
				const struct replay_lost *l = &m.v[k];
				if (has_lost(&o, l) || has_lost(&t, l))
					continue;
				sbuf_addf(lost, "#%s %s: %s (by %s at %s)\n", ids[i], l->field,
				    l->value ? l->value : "", l->by ? l->by : "?", l->at ? l->at : "?");
			}
			replay_conflicts_free(&o);
			replay_conflicts_free(&t);
		}
		replay_conflicts_free(&m);
	}
out:
	git_tree_free(to);
	git_tree_free(tt);
}
