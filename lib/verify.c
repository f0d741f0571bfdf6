/* verify.c: a commit is only done once it can be read back from disk */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>
#include <unistd.h>

#include "desk.h"
#include "head.h"
#include "pack.h"
#include "refmove.h"
#include "util.h"
#include "verify.h"

/* Reads every object along path; a path that is not there was removed. */
static int
path_readable(git_repository *r, git_tree *root, const char *path)
{
	char **parts;
	size_t n = str_split(path, "/", &parts);
	git_tree *tree = root, *sub;
	git_object *obj = NULL;
	const git_tree_entry *e = NULL;
	int rc = 0;

	for (size_t i = 0; i < n && rc == 0; i++) {
		if ((e = git_tree_entry_byname(tree, parts[i])) == NULL)
			break;
		if (git_tree_entry_type(e) != GIT_OBJECT_TREE) {
			if (git_tree_entry_to_object(&obj, r, e) < 0)
				rc = -1;
			git_object_free(obj);
			break;
		}
		if (git_tree_lookup(&sub, r, git_tree_entry_id(e)) < 0) {
			rc = -1;
			break;
		}
		if (tree != root)
			git_tree_free(tree);
		tree = sub;
	}
	if (tree != root)
		git_tree_free(tree);
	strv_free(parts, n);
	return rc;
}

static int
objects_readable(git_repository *r, const git_oid *commit, const char **paths, size_t n)
{
	git_commit *c = NULL;
	git_tree *tree = NULL;
	int rc = -1;

	if (git_commit_lookup(&c, r, commit) < 0 || git_commit_tree(&tree, c) < 0)
		goto out;
	rc = 0;
	for (size_t i = 0; i < n && rc == 0; i++)
		rc = path_readable(r, tree, paths[i]);
out:
	git_tree_free(tree);
	git_commit_free(c);
	return rc;
}

/*
 * Puts the branch back on old, with the CAS, else over the ref file in
 * place. No reflog line: none names the unreadable commit (ref_log).
 */
static void
move_back(struct desk *d, git_repository *r, const git_oid *old, const git_oid *commit)
{
	git_reference *head = NULL;
	char hex[GIT_OID_HEXSZ + 1];
	char *path;
	int fd;

	if (git_reference_lookup(&head, r, "HEAD") < 0)
		return;
	if (git_reference_type(head) == GIT_REFERENCE_SYMBOLIC) {
		const char *name = git_reference_symbolic_target(head);
		if (old == NULL)
			git_reference_remove(r, name);
		else if (ref_move(d, name, commit, old, NULL) > 0) {
			/* No room for a lock file: the ref keeps its size, overwrite it. */
			path = xasprintf("%s%s", d->gitdir, name);
			git_oid_tostr(hex, sizeof(hex), old);
			if ((fd = open(path, O_WRONLY | O_CLOEXEC)) >= 0) {
				if (pwrite(fd, hex, GIT_OID_HEXSZ, 0) == GIT_OID_HEXSZ)
					fsync(fd);
				close(fd);
			}
			free(path);
		}
	}
	git_reference_free(head);
	desk_head_moved(d, NULL);
}

/*
 * The object store opened afresh, nothing cached from the writing: a
 * repository around a new odb, without the configuration files and refs
 * a full open reads again (a third of the check's instructions).
 */
static int
open_objects(struct desk *d, git_repository **out)
{
	git_odb *odb = NULL;
	char *dir = xasprintf("%sobjects", d->gitdir);
	int rc;

	*out = NULL;
	if ((rc = git_odb_open(&odb, dir)) == 0)
		rc = git_repository_wrap_odb(out, odb);
	git_odb_free(odb);
	free(dir);
	return rc;
}

/* 1 when the error libgit2 left says an object is not there. */
static int
not_found(void)
{
	const git_error *ge = git_error_last();

	return ge && ge->klass == GIT_ERROR_ODB && strstr(ge->message, "not found");
}

/*
 * The commit's objects, still in memory, written once more as a pack
 * (durably) after a git gc --prune=now or git prune beside rt deleted
 * the first one: the branch names them now, so the next gc keeps them.
 */
static int
write_again(struct desk *d, struct pack_mem *mem)
{
	int rc, dirfd = -1;

	rc = pack_mem_write(d, mem, -1, &dirfd);
	if (rc == 0 && dirfd >= 0 && fsync(dirfd) < 0)
		rc = rt_fail(EX_TEMPFAIL, "cannot sync %sobjects/pack: %s", d->gitdir,
		    strerror(errno));
	if (dirfd >= 0)
		close(dirfd);
	return rc;
}

int
commit_verify(struct desk *d, struct pack_mem *mem, const git_oid *old,
    const git_oid *commit, const char **paths, size_t n)
{
	git_repository *r = NULL;
	git_oid head;
	char hex[GIT_OID_HEXSZ + 1];
	int at_head, rc = 0, bad, again = mem != NULL && pack_mem_pending(mem) > 0;

	git_oid_tostr(hex, sizeof(hex), commit);
	if (open_objects(d, &r) < 0)
		return rt_fail(EX_TEMPFAIL, "cannot reopen %s to check commit %.12s: %s",
		    d->gitdir, hex, git_error_last() ? git_error_last()->message : "?");
	/* refs are read from their files at each lookup: the desk's own refdb */
	at_head = git_reference_name_to_id(&head, d->repo, "HEAD") == 0 &&
	    git_oid_equal(&head, commit);
	bad = objects_readable(r, commit, paths, n) != 0;
	if (bad && at_head && again && not_found()) {
		git_repository_free(r);
		r = NULL;
		if ((rc = write_again(d, mem)) != 0)
			goto undo;
		if (open_objects(d, &r) < 0) {
			rc = rt_fail(EX_TEMPFAIL, "cannot reopen %s to check commit %.12s: %s",
			    d->gitdir, hex, git_error_last() ? git_error_last()->message : "?");
			goto undo;
		}
		bad = objects_readable(r, commit, paths, n) != 0;
	}
	if (bad) {
		if (not_found())
			rc = rt_fail(EX_TEMPFAIL, "the new commit %.12s cannot be read back: its "
			    "objects were deleted before the branch moved to them (git gc "
			    "--prune=now or git prune beside rt?); nothing stored", hex);
		else {
			const git_error *ge = git_error_last();
			rc = rt_fail(EX_TEMPFAIL, "the new commit %.12s cannot be read back (%s); "
			    "nothing stored", hex, ge ? ge->message : "?");
		}
	} else if (!at_head)
		rc = rt_fail(EX_TEMPFAIL, "the branch did not move to the new commit %.12s; "
		    "nothing stored", hex);
undo:
	if (rc != 0 && at_head)
		move_back(d, d->repo, old, commit);
	git_repository_free(r);
	return rc;
}
