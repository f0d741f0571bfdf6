/* cachehint.c: the tickets this process's commits changed (cachehint.h) */
#include <stdlib.h>
#include <string.h>

#include "cachehint.h"
#include "id.h"
#include "util.h"

/* The ticket whose folder holds path (one rt wrote), into id; 0 if any. */
static int
ticket_of_path(const char *path, ticket_id id)
{
	const char *p = path;
	char name[ID_LEN + 1], *dir;
	int ok;

	for (int lv = 0; lv <= id_levels() && p; lv++)
		if ((p = strchr(p, '/')) != NULL)
			p++;
	if (p == NULL || strcspn(p, "/") != ID_LEN)
		return -1;
	memcpy(name, p, ID_LEN);
	name[ID_LEN] = '\0';
	if (id_parse(name, id) != 0 || strcmp(id, name) != 0)
		return -1;
	dir = ticket_dir(id);
	ok = strncmp(path, dir, strlen(dir)) == 0 && strchr("/", path[strlen(dir)]) != NULL;
	free(dir);
	return ok ? 0 : -1;
}

/* Adds id to the sorted set, once. */
static void
add_id(struct cachehint *h, const char *id)
{
	size_t lo = 0, hi = h->n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = strcmp(h->ids[mid], id);
		if (c == 0)
			return;
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (h->n == h->cap)
		h->ids = xrealloc(h->ids, (h->cap = h->cap ? h->cap * 2 : 64) * sizeof(*h->ids));
	memmove(h->ids + lo + 1, h->ids + lo, (h->n - lo) * sizeof(*h->ids));
	h->ids[lo] = xstrdup(id);
	h->n++;
}

static void
clear_ids(struct cachehint *h)
{
	for (size_t i = 0; i < h->n; i++)
		free(h->ids[i]);
	h->n = 0;
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
			add_id(h, id);
	if (h->n > CACHEHINT_MAX) {
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
	*ids = h->ids;
	*n = h->n;
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
	free(h->ids);
	memset(h, 0, sizeof(*h));
}
