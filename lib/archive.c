/*
 * archive.c: tickets kept in HEAD but out of the work tree.
 *
 * An archived ticket stays in every commit, so history, clones, the
 * cache, rt-ls, rt-show and rt-report see it as before; only its folder
 * leaves the work tree. The state is git's own sparse checkout: a
 * "!/DIR/" line in .git/info/sparse-checkout (git pull and git checkout
 * keep the folder out) and the skip-worktree bit on its index entries
 * (git status stays clean). libgit2 1.5 implements neither, so rt sets
 * the bits itself wherever it writes the index, and rt never uses
 * libgit2's checkout, which would write the files back.
 *
 * Order, so a crash leaves git status clean and a second run finishes:
 * archiving writes the list, then the index, then removes the files;
 * restoring writes the files, then the index, then the list.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
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
	return xasprintf("%sinfo/sparse-checkout", d->gitdir);
}

/* "!/tickets/K/7/M/ID/" for a ticket of this desk: the folder, else NULL. */
static char *
pattern_dir(const char *line)
{
	size_t len = strlen(line);
	const char *base;
	char *dir, *want;
	ticket_id id;

	if (len < 4 || !str_starts(line, "!/tickets/") || line[len - 1] != '/')
		return NULL;
	dir = xstrndup(line + 2, len - 3);
	base = strrchr(dir, '/') + 1;
	want = id_parse(base, id) == 0 && strcmp(id, base) == 0 ? ticket_dir(id) : NULL;
	if (want == NULL || strcmp(want, dir) != 0) {
		free(dir);
		dir = NULL;
	}
	free(want);
	return dir;
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
	char *path = file_path(d), *buf, **v, *dir;
	size_t len, k;

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
	a->lines = xcalloc(k + 1, sizeof(*a->lines));
	for (size_t i = 0; i < k; i++) {
		if ((dir = pattern_dir(v[i])) != NULL) {
			a->dirs[a->n++] = dir;
			free(v[i]);
		} else
			a->lines[a->nlines++] = v[i];
	}
	free(v);
	dirs_sort(a);
	return 0;
}

void
archive_free(struct archive *a)
{
	strv_free(a->dirs, a->n);
	strv_free(a->lines, a->nlines);
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
archive_add(struct archive *a, const char *dir)
{
	a->dirs = xrealloc(a->dirs, (a->n + 1) * sizeof(*a->dirs));
	a->dirs[a->n++] = xstrdup(dir);
	dirs_sort(a);
}

static void
archive_drop(struct archive *a, const char *dir)
{
	for (size_t i = 0; i < a->n; i++)
		if (strcmp(a->dirs[i], dir) == 0) {
			free(a->dirs[i]);
			memmove(a->dirs + i, a->dirs + i + 1, (a->n - i - 1) * sizeof(*a->dirs));
			a->n--;
			return;
		}
}

/* Patterns besides the "everything" line that rt writes first. */
static int
has_own_patterns(const struct archive *a)
{
	for (size_t i = 0; i < a->nlines; i++)
		if (strcmp(a->lines[i], "/*") != 0)
			return 1;
	return 0;
}

static int
set_git_config(struct desk *d, int on)
{
	git_config *cfg = NULL, *local = NULL;
	int rc = git_repository_config(&cfg, d->repo);

	if (rc == 0)
		rc = git_config_open_level(&local, cfg, GIT_CONFIG_LEVEL_LOCAL);
	if (rc == 0 && on) {
		if ((rc = git_config_set_bool(local, "core.sparseCheckout", 1)) == 0)
			rc = git_config_set_bool(local, "core.sparseCheckoutCone", 0);
	} else if (rc == 0) {
		if ((rc = git_config_delete_entry(local, "core.sparseCheckout")) == GIT_ENOTFOUND)
			rc = 0;
		if (rc == 0 && (rc = git_config_delete_entry(local,
		    "core.sparseCheckoutCone")) == GIT_ENOTFOUND)
			rc = 0;
	}
	git_config_free(local);
	git_config_free(cfg);
	return rc < 0 ? git_fail(rc, "cannot set core.sparseCheckout") : 0;
}

int
archive_save(struct desk *d, const struct archive *a)
{
	char *path = file_path(d), *dir;
	struct sbuf sb = SBUF_INIT;
	int rc = 0;

	if (a->n == 0 && !has_own_patterns(a)) {
		if (unlink(path) < 0 && errno != ENOENT)
			rc = rt_fail(EX_IOERR, "cannot remove '%s': %s", path, strerror(errno));
		if (rc == 0)
			rc = set_git_config(d, 0);
		free(path);
		return rc;
	}
	sbuf_adds(&sb, "/*\n");
	for (size_t i = 0; i < a->nlines; i++)
		if (strcmp(a->lines[i], "/*") != 0)
			sbuf_addf(&sb, "%s\n", a->lines[i]);
	for (size_t i = 0; i < a->n; i++)
		sbuf_addf(&sb, "!/%s/\n", a->dirs[i]);
	dir = xasprintf("%sinfo", d->gitdir);
	if (mkdir_p(dir, 0777) < 0 || write_file_atomic(path, sb.buf, sb.len, d->durable) < 0)
		rc = rt_fail(EX_IOERR, "cannot write '%s': %s", path, strerror(errno));
	if (rc == 0)
		rc = set_git_config(d, 1);
	free(dir);
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

int
archive_return(struct desk *d, git_index *idx, git_tree *tree, struct archive *a,
    const char **paths, size_t n, size_t *back)
{
	const char *dir;
	char *copy;
	int rc = 0;

	*back = 0;
	for (size_t i = 0; i < n && rc == 0 && a->n > 0; i++) {
		if ((dir = archive_find(a, paths[i])) == NULL)
			continue;
		copy = xstrdup(dir);
		if ((rc = restore_dir(d, idx, tree, copy)) == 0) {
			archive_drop(a, copy);
			(*back)++;
		}
		free(copy);
	}
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

	for (size_t i = 0; i < n; i++)
		archive_add(a, dirs[i]);
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
	for (size_t i = 0; i < n && rc == 0; i++)
		archive_drop(a, dirs[i]);
	return rc == 0 ? archive_save(d, a) : rc;
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
			rt_warn("%s: no such ticket", ids[i]);
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
