/* cachehint.c: the tickets this process's commits changed (cachehint.h) */
#include <stdlib.h>
#include <string.h>

#include "cachehint.h"
#include "id.h"
#include "util.h"

static void
clear_ids(struct cachehint *h)
{
	for (size_t i = 0; i < h->ids.n; i++)
		free(h->ids.v[i]);
	h->ids.n = 0;
}

void
cachehint_note(struct cachehint *h, const git_oid *parent, const git_oid *commit,
    const char *const *paths, size_t n)
{
	ticket_id id;

	/* not on the chain's end: a new chain from parent */
	if (!h->valid || parent == NULL || !git_oid_equal(parent, &h->to)) {
		clear_ids(h);
		h->valid = parent != NULL;
		if (parent)
			git_oid_cpy(&h->from, parent);
	}
	git_oid_cpy(&h->to, commit);
	for (size_t i = 0; h->valid && i < n; i++)
		if (ticket_of_path(paths[i], id) == 0)
			id_set_add(&h->ids, id);
	if (h->ids.n > CACHEHINT_MAX) {
		clear_ids(h);
		h->valid = 0;
	}
}

int
cachehint_ids(const struct cachehint *h, const git_oid *from, const git_oid *to,
    char *const **ids, size_t *n)
{
	*ids = NULL;
	*n = 0;
	if (!h->valid || !git_oid_equal(from, &h->from) || !git_oid_equal(to, &h->to))
		return 0;
	*ids = h->ids.v;
	*n = h->ids.n;
	return 1;
}

void
cachehint_reset(struct cachehint *h, const git_oid *to)
{
	clear_ids(h);
	h->valid = 1;
	git_oid_cpy(&h->from, to);
	git_oid_cpy(&h->to, to);
}

void
cachehint_drop(struct cachehint *h)
{
	clear_ids(h);
	h->valid = 0;
}

void
cachehint_free(struct cachehint *h)
{
	clear_ids(h);
	free(h->ids.v);
	memset(h, 0, sizeof(*h));
}
