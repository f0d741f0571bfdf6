/* commitwalk.c: the commits reachable from the refs, each taken once */
#include <stdlib.h>

#include "commitwalk.h"
#include "util.h"

/* The commits the refs point at, peeled; *n of them (xmalloc'd). */
static git_oid *
ref_tips(git_repository *repo, size_t *n)
{
	git_reference_iterator *it;
	git_reference *ref;
	git_oid *v = NULL;

	*n = 0;
	if (git_reference_iterator_new(&it, repo) < 0)
		return NULL;
	v = xmalloc(sizeof(*v));
	while (git_reference_next(&ref, it) == 0) {
		git_object *o;
		if (git_reference_peel(&o, ref, GIT_OBJECT_COMMIT) == 0) {
			v = xrealloc(v, (*n + 1) * sizeof(*v));
			git_oid_cpy(&v[(*n)++], git_object_id(o));
			git_object_free(o);
		}
		git_reference_free(ref);
	}
	git_reference_iterator_free(it);
	git_error_clear();	/* a ref that peels to no commit is not ours to walk */
	return v;
}

int
commit_walk(git_repository *repo, commit_take_fn take, commit_visit_fn visit, void *arg)
{
	size_t depth;
	git_oid *stack = ref_tips(repo, &depth);
	int rc = 0;

	if (stack == NULL)
		return -1;
	while (depth && rc == 0) {
		git_oid id = stack[--depth];
		git_commit *c;
		unsigned np;
		if (!take(arg, &id) || git_commit_lookup(&c, repo, &id) < 0)
			continue;
		rc = visit(arg, c);
		/* the first parent popped first: newest first along the main line */
		np = git_commit_parentcount(c);
		stack = xrealloc(stack, (depth + np + 1) * sizeof(*stack));
		for (unsigned i = np; i-- > 0;)
			git_oid_cpy(&stack[depth++], git_commit_parent_id(c, i));
		git_commit_free(c);
	}
	free(stack);
	return rc;
}
