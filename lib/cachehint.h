/*
 * cachehint.h: which tickets this process's own commits changed, so the
 * cache catches up on them without comparing trees.
 *
 * Every commit rt builds (txn.c) is noted with its parent and the paths
 * it wrote. Commits noted one on another make a chain FROM..TO whose
 * tickets are known. A sync whose cache is at FROM and whose HEAD is TO
 * re-reads just those tickets; anything else (a commit by git, rt-sync,
 * another process, a crash between commit and cache update) breaks the
 * chain, and the sync compares trees as before.
 */
#ifndef RT_CACHEHINT_H
#define RT_CACHEHINT_H

#include <git2.h>

#include "id.h"

#define CACHEHINT_MAX 4096	/* tickets; beyond, the chain is dropped (trees compared) */

struct cachehint {
	int valid;
	git_oid from, to;
	struct id_set ids;	/* the chain's tickets */
};

/* Notes commit (on parent, NULL for a first commit), which wrote paths. */
void cachehint_note(struct cachehint *h, const git_oid *parent, const git_oid *commit,
    const char *const *paths, size_t n);
/*
 * 1 when the chain is exactly from..to: ids (sorted, each once, n of
 * them) are the tickets it changed; 0 otherwise.
 */
int cachehint_ids(const struct cachehint *h, const git_oid *from, const git_oid *to,
    char *const **ids, size_t *n);
/* The cache is at to now: the chain starts again there. */
void cachehint_reset(struct cachehint *h, const git_oid *to);
/* The cache's state is not known: no chain until the next commit. */
void cachehint_drop(struct cachehint *h);
void cachehint_free(struct cachehint *h);

#endif
