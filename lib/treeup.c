/* treeup.c: a tree with some paths put or removed, from raw tree objects */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "treeup.h"
#include "util.h"

/* One entry of a folder being rebuilt. */
struct ent {
	const char *name;
	size_t len;
	unsigned int mode;
	git_oid id;
	int gone;
};

struct dir {
	struct ent *e;
	size_t n, cap;
	int sorted;		/* no entry added since the base's order */
};

static int
fail(const char *what, const char *path)
{
	git_error_set(GIT_ERROR_TREE, "%s at '%s'", what, path);
	return -1;
}

static int
is_tree_mode(unsigned int mode)
{
	return (mode & 0170000) == 0040000;
}

/*
 * The entries of a tree, in its order. The parsed tree (libgit2's object
 * cache keeps it) rather than the raw object: the cache holds an object
 * parsed or raw, and the readers before a commit (the new id's check, the
 * cache's walk) have parsed these folders already.
 */
static void
dir_load(struct dir *d, const git_tree *tree)
{
	d->cap = d->n = git_tree_entrycount(tree);
	d->e = xcalloc(d->cap ? d->cap : 1, sizeof(*d->e));
	for (size_t i = 0; i < d->n; i++) {
		const git_tree_entry *te = git_tree_entry_byindex(tree, i);
		d->e[i].name = git_tree_entry_name(te);
		d->e[i].len = strlen(d->e[i].name);
		d->e[i].mode = (unsigned int)git_tree_entry_filemode_raw(te);
		git_oid_cpy(&d->e[i].id, git_tree_entry_id(te));
	}
}

static struct ent *
dir_find(struct dir *d, const char *name, size_t len)
{
	for (size_t i = 0; i < d->n; i++)
		if (!d->e[i].gone && d->e[i].len == len && memcmp(d->e[i].name, name, len) == 0)
			return &d->e[i];
	return NULL;
}

/* Changes or adds an entry (name points into a path that outlives d). */
static void
dir_set(struct dir *d, struct ent *e, const char *name, size_t len, unsigned int mode,
    const git_oid *id)
{
	if (e == NULL) {
		if (d->n == d->cap) {
			d->cap = d->cap ? 2 * d->cap : 16;
			d->e = xrealloc(d->e, d->cap * sizeof(*d->e));
		}
		e = &d->e[d->n++];
		*e = (struct ent){ .name = name, .len = len };
		d->sorted = 0;
	}
	e->mode = mode;
	git_oid_cpy(&e->id, id);
}

/* git's order: a folder sorts as if its name ended in '/'. */
static int
ent_cmp(const void *a, const void *b)
{
	const struct ent *x = a, *y = b;
	size_t n = x->len < y->len ? x->len : y->len;
	int c = memcmp(x->name, y->name, n);
	unsigned int cx, cy;

	if (c)
		return c;
	cx = x->len > n ? (unsigned char)x->name[n] : is_tree_mode(x->mode) ? '/' : 0;
	cy = y->len > n ? (unsigned char)y->name[n] : is_tree_mode(y->mode) ? '/' : 0;
	return (int)cx - (int)cy;
}

/* Writes the folder; *empty when it has no entry left (then nothing is written). */
static int
dir_write(git_odb *odb, struct dir *d, int keep_empty, git_oid *out, int *empty)
{
	size_t len = 0, live = 0;
	char *buf, *p;
	int rc;

	if (!d->sorted)
		qsort(d->e, d->n, sizeof(*d->e), ent_cmp);
	for (size_t i = 0; i < d->n; i++)
		len += 8 + d->e[i].len + GIT_OID_RAWSZ;
	p = buf = xmalloc(len + 1);
	for (size_t i = 0; i < d->n; i++) {
		struct ent *e = &d->e[i];
		char mode[12];
		int m = (int)sizeof(mode);
		if (e->gone)
			continue;
		live++;
		for (unsigned int v = e->mode; v || m == (int)sizeof(mode); v >>= 3)
			mode[--m] = (char)('0' + (v & 7));
		memcpy(p, mode + m, sizeof(mode) - (size_t)m);
		p += sizeof(mode) - (size_t)m;
		*p++ = ' ';
		memcpy(p, e->name, e->len);
		p += e->len;
		*p++ = '\0';
		memcpy(p, e->id.id, GIT_OID_RAWSZ);
		p += GIT_OID_RAWSZ;
	}
	*empty = live == 0;
	rc = *empty && !keep_empty ? 0 : git_odb_write(out, odb, buf, (size_t)(p - buf), GIT_OBJECT_TREE);
	free(buf);
	return rc;
}

/*
 * A name libgit2 accepts in a tree: not empty, ".", "..", nor .git in any
 * spelling NTFS reads as .git (trailing dots and spaces, GIT~1).
 */
static int
name_ok(const char *name, size_t len)
{
	size_t n = len;

	while (n > 0 && (name[n - 1] == '.' || name[n - 1] == ' '))
		n--;
	return len > 0 && !(len == 1 && name[0] == '.') &&
	    !(len == 2 && name[0] == '.' && name[1] == '.') &&
	    !(n == 4 && strncasecmp(name, ".git", 4) == 0) &&
	    !(n == 5 && strncasecmp(name, "git~1", 5) == 0);
}

static int
path_cmp(const void *a, const void *b)
{
	const git_tree_update *x = *(const git_tree_update *const *)a;
	const git_tree_update *y = *(const git_tree_update *const *)b;

	return strcmp(x->path, y->path);
}

/*
 * The folder base (NULL: none) with the updates u[0..n), whose paths all
 * begin with the folder's path, off bytes long with its '/'.
 */
static int
update_dir(git_repository *repo, git_odb *odb, const git_oid *base,
    const git_tree_update **u, size_t n, size_t off, int root, git_oid *out, int *empty)
{
	git_tree *tree = NULL;
	struct dir d = { NULL, 0, 0, 1 };
	int rc = 0;

	if (base) {
		if ((rc = git_tree_lookup(&tree, repo, base)) < 0)
			return rc;
		dir_load(&d, tree);
	}
	for (size_t i = 0; i < n && rc == 0;) {
		const char *name = u[i]->path + off, *slash = strchr(name, '/');
		size_t len = slash ? (size_t)(slash - name) : strlen(name), j = i + 1;
		struct ent *e = dir_find(&d, name, len);

		if (!name_ok(name, len)) {
			rc = fail("invalid path", u[i]->path);
			break;
		}
		if (slash == NULL) {	/* a file of this folder */
			if (i + 1 < n && strncmp(u[i + 1]->path + off, name, len) == 0 &&
			    (u[i + 1]->path[off + len] == '\0' || u[i + 1]->path[off + len] == '/'))
				rc = fail("two updates of one path", u[i]->path);
			else if (u[i]->action == GIT_TREE_UPDATE_REMOVE) {
				if (e == NULL)
					rc = fail("no such entry to remove", u[i]->path);
				else
					e->gone = 1;
			} else if (e && is_tree_mode(e->mode) != is_tree_mode(u[i]->filemode))
				rc = fail("cannot replace a file with a folder or back", u[i]->path);
			else
				dir_set(&d, e, name, len, u[i]->filemode, &u[i]->id);
			i++;
			continue;
		}
		while (j < n && strncmp(u[j]->path + off, name, len + 1) == 0)
			j++;	/* the updates inside this folder */
		if (e && !is_tree_mode(e->mode))
			rc = fail("D/F conflict when updating tree", u[i]->path);
		else {
			git_oid sub;
			int gone;
			rc = update_dir(repo, odb, e ? &e->id : NULL, u + i, j - i, off + len + 1, 0,
			    &sub, &gone);
			if (rc == 0 && gone && e)
				e->gone = 1;
			else if (rc == 0 && !gone)
				dir_set(&d, e, name, len, GIT_FILEMODE_TREE, &sub);
		}
		i = j;
	}
	if (rc == 0)
		rc = dir_write(odb, &d, root, out, empty);
	free(d.e);
	git_tree_free(tree);
	return rc;
}

int
tree_update(git_repository *repo, const git_oid *base, size_t n, const git_tree_update *up,
    git_oid *out)
{
	const git_tree_update **u = xcalloc(n ? n : 1, sizeof(*u));
	git_odb *odb = NULL;
	int rc, empty;

	for (size_t i = 0; i < n; i++)
		u[i] = &up[i];
	qsort(u, n, sizeof(*u), path_cmp);
	if ((rc = git_repository_odb(&odb, repo)) == 0)
		rc = update_dir(repo, odb, base, u, n, 0, 1, out, &empty);
	git_odb_free(odb);
	free(u);
	return rc < 0 ? -1 : 0;
}
