/* packfold.c: the previous version of each young object, for rt-gc's fold */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "commitwalk.h"
#include "desk.h"
#include "packdelta.h"
#include "packfold.h"
#include "packidx.h"
#include "util.h"

#define VERSIONS_MAX 64	/* young versions of one path followed back to an old one */

struct packfold {
	git_repository *repo;
	char *ix;		/* the young pack's index */
	const unsigned char *young;	/* its ids, 20 bytes each, sorted */
	git_oid *base;		/* base[i]: the previous version of young[i], or zero */
	unsigned char *seen;	/* young[i] paired */
	unsigned char *walked;	/* young[i], a commit, walked */
	size_t n, paired;
};

static long
young_at(const struct packfold *f, const git_oid *id)
{
	return pack_ids_find(f->young, (uint32_t)f->n, id->id);
}

/*
 * Records old as the previous version of neu and, for trees, pairs their
 * entries of the same name and type whose new side is young: only the
 * folders a commit changed are read, not the desk.
 */
static int
pair(struct packfold *f, const git_oid *neu, const git_oid *old, git_object_t type)
{
	long i = young_at(f, neu);
	git_tree *a = NULL, *b = NULL;
	int rc = 0;

	if (i < 0 || f->seen[i] || git_oid_equal(neu, old))
		return 0;
	f->seen[i] = 1;
	git_oid_cpy(&f->base[i], old);
	f->paired++;
	if (type != GIT_OBJECT_TREE)
		return 0;
	if (git_tree_lookup(&a, f->repo, neu) < 0 || git_tree_lookup(&b, f->repo, old) < 0) {
		rc = -1;
		goto out;
	}
	for (size_t k = 0; k < git_tree_entrycount(a) && rc == 0; k++) {
		const git_tree_entry *e = git_tree_entry_byindex(a, k), *o;
		git_object_t t = git_tree_entry_type(e);
		if ((t == GIT_OBJECT_TREE || t == GIT_OBJECT_BLOB) &&
		    (o = git_tree_entry_byname(b, git_tree_entry_name(e))) != NULL &&
		    git_tree_entry_type(o) == t)
			rc = pair(f, git_tree_entry_id(e), git_tree_entry_id(o), t);
	}
out:
	git_tree_free(a);
	git_tree_free(b);
	return rc;
}

/* 1 for a young commit not walked yet (marked walked). */
static int
take_young(void *arg, const git_oid *id)
{
	struct packfold *f = arg;
	long i = young_at(f, id);

	if (i < 0 || f->walked[i])
		return 0;
	f->walked[i] = 1;
	return 1;
}

/* Pairs the trees of young commit c with its first parent's. */
static int
pair_commit(void *arg, git_commit *c)
{
	struct packfold *f = arg;
	git_commit *p;
	int rc = 0;

	if (git_commit_parentcount(c) > 0 && git_commit_parent(&p, c, 0) == 0) {
		rc = pair(f, git_commit_tree_id(c), git_commit_tree_id(p), GIT_OBJECT_TREE);
		git_commit_free(p);
	}
	return rc;
}

/*
 * A base that is young itself (the path changed twice among the young
 * commits) is replaced by its own previous version, back to an old one:
 * the young pack stores the newest version whole and the others as its
 * deltas, so the version to rebase is the newest.
 */
static void
settle(struct packfold *f)
{
	for (size_t i = 0; i < f->n; i++) {
		long j;
		for (int k = 0; k < VERSIONS_MAX && !git_oid_is_zero(&f->base[i]) &&
		    (j = young_at(f, &f->base[i])) >= 0; k++)
			git_oid_cpy(&f->base[i], &f->base[j]);
	}
}

int
packfold_new(git_repository *repo, const char *young, struct packfold **out)
{
	struct packfold *f = xcalloc(1, sizeof(*f));
	char *ip = xasprintf("%s.idx", young);
	size_t ilen = 0;
	long long n = -1;

	*out = NULL;
	f->repo = repo;
	if (read_file(ip, &f->ix, &ilen) == 0)
		n = pack_idx_count((unsigned char *)f->ix, ilen);
	free(ip);
	if (n < 0) {
		packfold_free(f);
		return git_fail(-1, "cannot read the young pack's index");
	}
	f->n = (size_t)n;
	f->young = (unsigned char *)f->ix + 8 + 1024;
	f->base = xcalloc(n ? n : 1, sizeof(*f->base));
	f->seen = xcalloc(n ? n : 1, 1);
	f->walked = xcalloc(n ? n : 1, 1);
	if (commit_walk(repo, take_young, pair_commit, f) < 0) {
		packfold_free(f);
		return git_fail(-1, "cannot read the young commits");
	}
	settle(f);
	*out = f;
	return 0;
}

static int
base_of(void *arg, const git_oid *id, git_oid *base)
{
	struct packfold *f = arg;
	long i = young_at(f, id);

	if (i < 0 || git_oid_is_zero(&f->base[i]))
		return 0;
	git_oid_cpy(base, &f->base[i]);
	return 1;
}

static int
delta(void *arg, const git_oid *id, const git_oid *base, struct sbuf *out)
{
	struct packfold *f = arg;
	git_odb *odb = NULL;
	git_odb_object *a = NULL, *b = NULL;
	int rc = -1;

	if (git_repository_odb(&odb, f->repo) == 0 && git_odb_read(&a, odb, id) == 0 &&
	    git_odb_read(&b, odb, base) == 0) {
		pack_delta(git_odb_object_data(b), git_odb_object_size(b),
		    git_odb_object_data(a), git_odb_object_size(a), out);
		rc = 0;
	}
	git_odb_object_free(a);
	git_odb_object_free(b);
	git_odb_free(odb);
	return rc;
}

void
packfold_rebase(struct packfold *f, struct packroll_rebase *rb)
{
	rb->base_of = base_of;
	rb->delta = delta;
	rb->arg = f;
	rb->depth = 0;
}

size_t
packfold_count(const struct packfold *f)
{
	return f->paired;
}

void
packfold_free(struct packfold *f)
{
	if (f == NULL)
		return;
	free(f->ix);
	free(f->base);
	free(f->seen);
	free(f->walked);
	free(f);
}
