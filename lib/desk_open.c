/*
 * desk_open.c: a desk together with its ticket cache and notifications.
 * Both are built over the desk and its changes, so neither the desk
 * (desk.c) nor a change (change.c) knows them.
 */
#include <stddef.h>

#include "cache.h"
#include "desk.h"
#include "notify.h"
#include "txn.h"

int
desk_open(struct desk **out, const char *path, int flags)
{
	int rc;

	if ((rc = desk_open_repo(out, path, flags)) != 0)
		return rc;
	(*out)->precommit = notify_precommit;
	(*out)->postcommit = notify_postcommit;
	if (((flags & DESK_WRITE) && (rc = desk_lock(*out)) != 0) ||
	    (!(flags & DESK_NOCACHE) && (rc = cache_open(*out)) != 0)) {
		desk_unlock(*out);
		desk_close_repo(*out);
		*out = NULL;
	}
	return rc;
}

void
desk_close(struct desk *d)
{
	if (d == NULL)
		return;
	txn_batch_close(d);	/* writes a batch left open, and syncs the cache */
	cache_close(d);
	desk_unlock(d);
	desk_close_repo(d);
	notify_flush();	/* mail of committed changes, sent without the lock */
}
