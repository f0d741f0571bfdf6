/* head.c: reading the desk as it stands in HEAD */
#include <stdlib.h>
#include <string.h>

#include "desk.h"
#include "head.h"
#include "txn.h"
#include "util.h"

/*
 * HEAD is read once while the desk is locked: only this process moves the
 * branch then (desk_head_moved), and a branch moved by hand beside rt
 * fails the move's compare (ref_lock, -EAGAIN), which forgets it. It was
 * read eight times a mail, 75 system calls. A run that only reads may pin
 * it too (desk_head_pin): then it is read once for the whole run, not
 * once per ticket (eight system calls each).
 */
void
desk_head_moved(struct desk *d, const git_oid *tip)
{
	d->head_known = tip != NULL && (d->lockfd >= 0 || d->head_pinned);
	if (d->head_known)
		git_oid_cpy(&d->head_tip, tip);
}

void
desk_head_pin(struct desk *d)
{
	d->head_pinned = 1;
}

int
desk_head(struct desk *d, git_commit **out)
{
	git_reference *ref = NULL;
	git_oid tip;
	int rc;

	*out = NULL;
	if (txn_batch_tip(d, &tip)) {	/* this process's commits not yet on the branch */
		rc = git_commit_lookup(out, d->repo, &tip);
		return rc < 0 ? git_fail(rc, "cannot read the batch's last commit") : 0;
	}
	if (d->head_known && (d->lockfd >= 0 || d->head_pinned)) {
		rc = git_commit_lookup(out, d->repo, &d->head_tip);
		return rc < 0 ? git_fail(rc, "cannot read HEAD commit") : 0;
	}
	rc = git_repository_head(&ref, d->repo);
	if (rc == GIT_EUNBORNBRANCH || rc == GIT_ENOTFOUND)
		return 0;
	if (rc < 0)
		return git_fail(rc, "cannot read HEAD");
	rc = git_commit_lookup(out, d->repo, git_reference_target(ref));
	if (rc == 0)
		desk_head_moved(d, git_reference_target(ref));
	git_reference_free(ref);
	return rc < 0 ? git_fail(rc, "cannot read HEAD commit") : 0;
}

int
tree_read(git_repository *repo, git_tree *tree, const char *path, char **buf, size_t *len)
{
	git_tree_entry *e = NULL;
	git_blob *blob = NULL;
	int rc;

	if (tree == NULL || git_tree_entry_bypath(&e, tree, path) < 0)
		return rt_fail(EX_NOINPUT, "'%s' is not in the desk", path);
	rc = git_blob_lookup(&blob, repo, git_tree_entry_id(e));
	git_tree_entry_free(e);
	if (rc < 0)
		return git_fail(rc, path);
	*len = (size_t)git_blob_rawsize(blob);
	*buf = xstrndup(git_blob_rawcontent(blob), *len);
	git_blob_free(blob);
	return 0;
}

int
desk_read_head(struct desk *d, const char *path, char **buf, size_t *len)
{
	git_commit *head;
	git_tree *tree = NULL;
	int rc;

	if ((rc = desk_head(d, &head)) != 0)
		return rc;
	if (head && git_commit_tree(&tree, head) < 0) {
		git_commit_free(head);
		return git_fail(-1, "cannot read HEAD tree");
	}
	rc = tree_read(d->repo, tree, path, buf, len);
	git_tree_free(tree);
	git_commit_free(head);
	return rc;
}

char *
ticket_opening_mail(git_repository *repo, git_tree *dir)
{
	git_tree_entry *e;
	git_tree *msg = NULL;
	char *file = NULL;

	if (dir == NULL || git_tree_entry_bypath(&e, dir, "msg") < 0)
		return NULL;
	if (git_tree_entry_type(e) == GIT_OBJECT_TREE)
		git_tree_lookup(&msg, repo, git_tree_entry_id(e));
	git_tree_entry_free(e);
	for (size_t i = 0; msg && i < git_tree_entrycount(msg); i++) {
		const char *n = git_tree_entry_name(git_tree_entry_byindex(msg, i));
		size_t l = strlen(n);
		if (l > 4 && strcmp(n + l - 4, ".eml") == 0) {
			file = xasprintf("msg/%s", n);
			break;
		}
	}
	git_tree_free(msg);
	return file;
}
