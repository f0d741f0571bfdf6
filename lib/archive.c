/*
 * archive.c: tickets kept in HEAD but out of the work tree.
 *
 * An archived ticket stays in every commit, so history, clones, the
 * cache, rt-ls, rt-show and rt-report see it as before; only its folder
 * leaves the work tree. git learns it from the skip-worktree bit on the
 * ticket's index entries: git status does not look for those files, and
 * git pull and git checkout keep the bit on entries they do not change.
 * Not git's sparse-checkout patterns: without cone mode git matches
 * every path against every pattern, and cone mode can only name the
 * folders to keep. libgit2 1.5 knows neither, so rt sets the bits itself
 * wherever it writes the index, from the list in .git/rt/archived.
 *
 * A ticket whose folder is in the work tree again (a command wrote a
 * change into it, git pull wrote one, a run was interrupted) comes back
 * whole at the next index update and leaves the list.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "archive.h"
#include "desk.h"
#include "id.h"
#include "kv.h"
#include "ticket.h"
#include "util.h"
#include "worktree.h"

static char *
file_path(struct desk *d)
{
	return xasprintf("%s/archived", d->rtdir);
}

static int
cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Sorts and drops duplicates. */
static void
dirs_sort(struct archive *a)
{
	size_t k = 0;

	if (a->n == 0)
		return;
	qsort(a->dirs, a->n, sizeof(*a->dirs), cmp_str);
	for (size_t i = 1; i < a->n; i++) {
		if (strcmp(a->dirs[k], a->dirs[i]) == 0)
			free(a->dirs[i]);
		else
			a->dirs[++k] = a->dirs[i];
	}
	a->n = k + 1;
}

int
archive_load(struct desk *d, struct archive *a)
{
	char *path = file_path(d), *buf, **v;
	size_t len, k;
	ticket_id id;

	memset(a, 0, sizeof(*a));
	if (read_file(path, &buf, &len) < 0) {
		int e = errno, rc = e == ENOENT ? 0 :
		    rt_fail(EX_IOERR, "cannot read '%s': %s", path, strerror(e));
		free(path);
		return rc;
	}
	free(path);
	k = str_split(buf, "\n", &v);
	free(buf);
	a->dirs = xcalloc(k + 1, sizeof(*a->dirs));
	for (size_t i = 0; i < k; i++)
		if (id_parse(v[i], id) == 0)
			a->dirs[a->n++] = ticket_dir(id);
	strv_free(v, k);
	dirs_sort(a);
	return 0;
}

void
archive_free(struct archive *a)
{
	strv_free(a->dirs, a->n);
	memset(a, 0, sizeof(*a));
}

const char *
archive_find(const struct archive *a, const char *path)
{
	size_t lo = 0, hi = a->n, len;

	/* the last folder not after path: the only one that can hold it */
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (strcmp(a->dirs[mid], path) <= 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo == 0)
		return NULL;
	len = strlen(a->dirs[lo - 1]);
	return strncmp(a->dirs[lo - 1], path, len) == 0 && (path[len] == '/' || path[len] == '\0') ?
	    a->dirs[lo - 1] : NULL;
}

static void
archive_add(struct archive *a, char **dirs, size_t n)
{
	a->dirs = xrealloc(a->dirs, (a->n + n + 1) * sizeof(*a->dirs));
	for (size_t i = 0; i < n; i++)
		a->dirs[a->n++] = xstrdup(dirs[i]);
	dirs_sort(a);
}

/* Drops the folders in drop (sorted) from a, in one pass. */
static void
archive_drop(struct archive *a, char **drop, size_t n)
{
	size_t k = 0;

	for (size_t i = 0; i < a->n; i++) {
		if (bsearch(&a->dirs[i], drop, n, sizeof(*drop), cmp_str) != NULL)
			free(a->dirs[i]);
		else
			a->dirs[k++] = a->dirs[i];
	}
	a->n = k;
}

int
archive_save(struct desk *d, const struct archive *a)
{
	char *path = file_path(d);
	struct sbuf sb = SBUF_INIT;
	int rc = 0;

	if (a->n == 0) {
		if (unlink(path) < 0 && errno != ENOENT)
			rc = rt_fail(EX_IOERR, "cannot remove '%s': %s", path, strerror(errno));
	} else {
		for (size_t i = 0; i < a->n; i++)
			sbuf_addf(&sb, "%s\n", strrchr(a->dirs[i], '/') + 1);
		if (write_file_atomic(path, sb.buf, sb.len, d->durable) < 0)
			rc = rt_fail(EX_IOERR, "cannot write '%s': %s", path, strerror(errno));
	}
	sbuf_free(&sb);
	free(path);
	return rc;
}

/* Sets or clears skip-worktree on the index entries under dir. */
static int
mark_dir(git_index *idx, const char *dir, int skip)
{
	char *prefix = xasprintf("%s/", dir);
	const git_index_entry *e;
	size_t pos;
	int rc = 0;

	if (git_index_find_prefix(&pos, idx, prefix) < 0) {
		free(prefix);
		return 0;
	}
	while (rc == 0 && (e = git_index_get_byindex(idx, pos++)) != NULL &&
	    str_starts(e->path, prefix)) {
		git_index_entry c = *e;

		if (skip)
			c.flags_extended |= GIT_INDEX_ENTRY_SKIP_WORKTREE;
		else
			c.flags_extended &= (uint16_t)~GIT_INDEX_ENTRY_SKIP_WORKTREE;
		if (c.flags_extended != e->flags_extended && git_index_add(idx, &c) < 0)
			rc = git_fail(-1, e->path);
	}
	free(prefix);
	return rc;
}

int
archive_mark_all(git_index *idx, const struct archive *a)
{
	int rc = 0;

	for (size_t i = 0; i < a->n && rc == 0; i++)
		rc = mark_dir(idx, a->dirs[i], 1);
	return rc;
}

/* The files and folders of a ticket folder in a tree, folders after their files. */
struct listing {
	const char *dir;
	char **files, **dirs;
	size_t nfiles, ndirs;
};

static int
list_cb(const char *root, const git_tree_entry *e, void *arg)
{
	struct listing *l = arg;
	char *p = xasprintf("%s/%s%s", l->dir, root, git_tree_entry_name(e));

	if (git_tree_entry_type(e) == GIT_OBJECT_TREE) {
		l->dirs = xrealloc(l->dirs, (l->ndirs + 1) * sizeof(*l->dirs));
		l->dirs[l->ndirs++] = p;
	} else {
		l->files = xrealloc(l->files, (l->nfiles + 1) * sizeof(*l->files));
		l->files[l->nfiles++] = p;
	}
	return 0;
}

/* 0 and the listing, or EX_NOINPUT when tree has no such folder. */
static int
list_dir(struct desk *d, git_tree *tree, const char *dir, struct listing *l)
{
	git_tree_entry *te = NULL;
	git_tree *sub = NULL;
	int rc = 0;

	memset(l, 0, sizeof(*l));
	l->dir = dir;
	if (git_tree_entry_bypath(&te, tree, dir) < 0 ||
	    git_tree_entry_type(te) != GIT_OBJECT_TREE) {
		git_tree_entry_free(te);
		return rt_fail(EX_NOINPUT, "'%s' is not in HEAD", dir);
	}
	if (git_tree_lookup(&sub, d->repo, git_tree_entry_id(te)) < 0 ||
	    git_tree_walk(sub, GIT_TREEWALK_PRE, list_cb, l) < 0)
		rc = git_fail(-1, dir);
	git_tree_free(sub);
	git_tree_entry_free(te);
	return rc;
}

static void
listing_free(struct listing *l)
{
	strv_free(l->files, l->nfiles);
	strv_free(l->dirs, l->ndirs);
}

/* The rendered ticket.yaml (format 2; untracked), as the cache writes it. */
static void
render_state(struct desk *d, const char *dir)
{
	struct kvmap t = KVMAP_INIT;

	if (id_format() >= 2 && ticket_load(d, strrchr(dir, '/') + 1, &t, NULL) == 0)
		(void)ticket_render_worktree(d, strrchr(dir, '/') + 1, &t);
	kv_free(&t);
}

/* Writes a ticket's files from tree and their index entries, not skipped. */
static int
restore_dir(struct desk *d, git_index *idx, git_tree *tree, const char *dir)
{
	struct listing l;
	int rc = list_dir(d, tree, dir, &l);

	if (rc == EX_NOINPUT)	/* gone from HEAD: nothing to bring back */
		return mark_dir(idx, dir, 0);
	for (size_t i = 0; i < l.nfiles && rc == 0; i++)
		if ((rc = worktree_mirror(d, tree, l.files[i])) == 0)
			rc = worktree_index_path(d, idx, tree, l.files[i], 0);
	if (rc == 0)
		render_state(d, dir);
	listing_free(&l);
	return rc;
}

/*
 * A change to a ticket always rewrites its log.yaml, whoever writes it;
 * the folder alone may hold files of someone's own.
 */
static int
written_again(struct desk *d, const char *dir)
{
	char *rel = ticket_path(strrchr(dir, '/') + 1, "log.yaml");
	char *full = xasprintf("%s/%s", d->root, rel);
	struct stat st;
	int there = lstat(full, &st) == 0;

	free(full);
	free(rel);
	return there;
}

int
archive_converge(struct desk *d, git_index *idx, git_tree *tree, struct archive *a,
    size_t *back)
{
	char **gone = xcalloc(a->n + 1, sizeof(*gone));
	size_t ngone = 0;
	int rc = 0;

	for (size_t i = 0; i < a->n && rc == 0; i++)
		if (written_again(d, a->dirs[i]) &&
		    (rc = restore_dir(d, idx, tree, a->dirs[i])) == 0)
			gone[ngone++] = xstrdup(a->dirs[i]);
	*back = ngone;
	if (rc == 0 && ngone > 0)
		archive_drop(a, gone, ngone);	/* a->dirs is sorted: so is gone */
	strv_free(gone, ngone);
	return rc;
}

/*
 * Removes a ticket's files and its rendered ticket.yaml, then its folders
 * and the fan-out folders left empty.
 */
static int
remove_files(struct desk *d, const struct listing *l)
{
	char *full, *slash, *state = ticket_path(strrchr(l->dir, '/') + 1, "ticket.yaml");

	full = xasprintf("%s/%s", d->root, state);
	(void)unlink(full);
	free(full);
	free(state);
	for (size_t i = 0; i < l->nfiles; i++) {
		full = xasprintf("%s/%s", d->root, l->files[i]);
		if (unlink(full) < 0 && errno != ENOENT) {
			int rc = rt_fail(EX_IOERR, "cannot remove '%s': %s", full, strerror(errno));
			free(full);
			return rc;
		}
		free(full);
	}
	/* a folder holding files of someone's own stays, as git leaves it */
	for (size_t i = l->ndirs; i-- > 0;) {
		full = xasprintf("%s/%s", d->root, l->dirs[i]);
		rmdir(full);
		free(full);
	}
	full = xasprintf("%s/%s", d->root, l->dir);
	while (rmdir(full) == 0 && (slash = strrchr(full, '/')) != NULL &&
	    strcmp(slash, "/tickets") != 0)
		*slash = '\0';
	free(full);
	return 0;
}

static int
write_index(git_index *idx)
{
	int rc = git_index_write(idx);

	return rc < 0 ? git_fail(rc, "cannot write index") : 0;
}

/* Archives the folders dirs: the list, the index, then the files. */
static int
archive_dirs(struct desk *d, git_index *idx, git_tree *tree, struct archive *a,
    char **dirs, size_t n)
{
	struct listing l;
	int rc = 0;

	archive_add(a, dirs, n);
	if ((rc = archive_save(d, a)) != 0)
		return rc;
	for (size_t i = 0; i < n && rc == 0; i++)
		rc = mark_dir(idx, dirs[i], 1);
	if (rc == 0)
		rc = write_index(idx);
	for (size_t i = 0; i < n && rc == 0; i++) {
		if ((rc = list_dir(d, tree, dirs[i], &l)) == 0)
			rc = remove_files(d, &l);
		listing_free(&l);
	}
	return rc;
}

/* Restores the folders dirs: the files, the index, then the list. */
static int
restore_dirs(struct desk *d, git_index *idx, git_tree *tree, struct archive *a,
    char **dirs, size_t n)
{
	int rc = 0;

	for (size_t i = 0; i < n && rc == 0; i++)
		rc = restore_dir(d, idx, tree, dirs[i]);
	if (rc == 0)
		rc = write_index(idx);
	if (rc != 0)
		return rc;
	qsort(dirs, n, sizeof(*dirs), cmp_str);
	archive_drop(a, dirs, n);
	return archive_save(d, a);
}

static int
ticket_in_tree(git_tree *tree, const char *dir)
{
	git_tree_entry *te = NULL;
	int ok = git_tree_entry_bypath(&te, tree, dir) == 0 &&
	    git_tree_entry_type(te) == GIT_OBJECT_TREE;

	git_tree_entry_free(te);
	return ok;
}

int
archive_tickets(struct desk *d, char **ids, size_t n, int restore, int dry_run,
    char ***done, size_t *ndone, size_t *missing)
{
	struct archive a = ARCHIVE_INIT;
	git_tree *tree = NULL;
	git_index *idx = NULL;
	char **dirs = xcalloc(n + 1, sizeof(*dirs));
	size_t ndirs = 0;
	int rc;

	*done = xcalloc(n + 1, sizeof(**done));
	*ndone = *missing = 0;
	/* pending paths first: the index entries are then HEAD's */
	if (!dry_run && (rc = worktree_sync(d, 0)) != 0)
		goto out;
	if ((rc = worktree_head_tree(d, &tree)) != 0 || (rc = archive_load(d, &a)) != 0)
		goto out;
	for (size_t i = 0; i < n; i++) {
		char *dir = ticket_dir(ids[i]);

		if (tree == NULL || !ticket_in_tree(tree, dir)) {
			ticket_missing();
			rt_warn("#%s: %s", ids[i], rt_errmsg());
			(*missing)++;
			free(dir);
			continue;
		}
		/* a second run finishes what a crash left: every id is applied */
		if ((archive_find(&a, dir) == NULL ? !restore : restore) &&
		    (ndirs == 0 || strcmp(dirs[ndirs - 1], dir) != 0))
			(*done)[(*ndone)++] = xstrdup(ids[i]);
		dirs[ndirs++] = dir;
	}
	if (dry_run || ndirs == 0)
		goto out;
	if ((rc = git_repository_index(&idx, d->repo)) < 0) {
		rc = git_fail(rc, "cannot read index");
		goto out;
	}
	rc = restore ? restore_dirs(d, idx, tree, &a, dirs, ndirs) :
	    archive_dirs(d, idx, tree, &a, dirs, ndirs);
out:
	git_index_free(idx);
	git_tree_free(tree);
	archive_free(&a);
	strv_free(dirs, ndirs);
	return rc;
}

int
archive_ids(struct desk *d, char ***ids, size_t *n)
{
	struct archive a;
	int rc = archive_load(d, &a);

	*ids = NULL;
	*n = 0;
	if (rc != 0)
		return rc;
	*ids = xcalloc(a.n + 1, sizeof(**ids));
	for (size_t i = 0; i < a.n; i++)
		(*ids)[(*n)++] = xstrdup(strrchr(a.dirs[i], '/') + 1);
	archive_free(&a);
	return 0;
}
