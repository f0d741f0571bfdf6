/*
 * desk_open.c: a desk together with its ticket cache. The cache is built
 * over the desk, so the desk itself (desk.c) does not know it.
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
	if (!(flags & DESK_NOCACHE) && (rc = cache_open(*out)) != 0) {
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
	desk_close_repo(d);
	notify_flush();	/* mail of committed changes, sent without the lock */
}
