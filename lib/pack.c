/* pack.c: packing loose objects with libgit2's packbuilder */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <git2.h>
#include <git2/sys/mempack.h>
#include <git2/sys/odb_backend.h>
#include <stdint.h>
#include <stdio.h>
#include <zlib.h>

#include "commitwalk.h"
#include "desk.h"
#include "pack.h"
#include "packfold.h"
#include "packidx.h"
#include "packofs.h"
#include "packroll.h"
#include "packwrite.h"
#include "sha1.h"
#include "util.h"

typedef int (*loose_fn)(const git_oid *oid, const char *path, void *arg);

/* Calls fn for each loose object file objects/XX/YYYY... */
static int
each_loose(struct desk *d, loose_fn fn, void *arg)
{
	char *objdir = xasprintf("%sobjects", d->gitdir);
	int rc = 0;

	for (int i = 0; i < 256 && rc == 0; i++) {
		char *sub = xasprintf("%s/%02x", objdir, i);
		DIR *dp = opendir(sub);
		struct dirent *de;
		while (dp && rc == 0 && (de = readdir(dp)) != NULL) {
			char hex[GIT_OID_HEXSZ + 1], *path;
			git_oid oid;
			if (strlen(de->d_name) != GIT_OID_HEXSZ - 2)
				continue;
			snprintf(hex, 3, "%02x", i);
			memcpy(hex + 2, de->d_name, GIT_OID_HEXSZ - 2);
			hex[GIT_OID_HEXSZ] = '\0';
			if (git_oid_fromstr(&oid, hex) < 0)
				continue;
			path = xasprintf("%s/%s", sub, de->d_name);
			rc = fn(&oid, path, arg);
			free(path);
		}
		if (dp)
			closedir(dp);
		free(sub);
	}
	free(objdir);
	return rc;
}

static int
count_one(const git_oid *oid, const char *path, void *arg)
{
	(void)oid;
	(void)path;
	(*(size_t *)arg)++;
	return 0;
}

size_t
pack_count_loose(struct desk *d)
{
	size_t n = 0;

	each_loose(d, count_one, &n);
	return n;
}

struct oidset {
	git_oid *v;
	size_t n, cap;
	git_packbuilder *pb;
};

static int
collect_one(const git_oid *oid, const char *path, void *arg)
{
	struct oidset *set = arg;

	(void)path;
	/* Doubling: one realloc an object copied the array each time (quadratic). */
	if (set->n == set->cap) {
		set->cap = set->cap ? 2 * set->cap : 1024;
		set->v = xrealloc(set->v, set->cap * sizeof(*set->v));
	}
	git_oid_cpy(&set->v[set->n++], oid);
	return 0;
}

static int
cmp_oid(const void *a, const void *b)
{
	return git_oid_cmp(a, b);
}

static int
remove_one(const git_oid *oid, const char *path, void *arg)
{
	struct oidset *set = arg;

	/* Only objects the new pack holds are removed; newer ones stay loose. */
	if (bsearch(oid, set->v, set->n, sizeof(*set->v), cmp_oid))
		unlink(path);
	return 0;
}

/*
 * Packs before a writer merges small ones with delta search, and the
 * objects it merges so at most: libgit2 searches deltas afresh for every
 * object it packs (about 75 us each), so no delivery waits for a merge
 * of the whole desk; bigger merges are rt-gc's.
 */
#define PACK_AUTO 16
#define PACK_AUTO_OBJECTS 65536
#define PACK_COPY_BYTES (32UL << 20)	/* a writer's copy roll-up at most */

struct packfile {
	char *base;		/* objects/pack/pack-HEX, without extension */
	unsigned long objects;
	unsigned long long bytes;	/* of the .pack */
};

/* The object count of a version 2 pack index: the last fan-out entry. */
static unsigned long
idx_objects(const char *idx)
{
	unsigned char b[4];
	FILE *f = fopen(idx, "rb");
	unsigned long n = 0;

	if (f && fseek(f, 8 + 255 * 4, SEEK_SET) == 0 && fread(b, 1, 4, f) == 4)
		n = (unsigned long)b[0] << 24 | (unsigned long)b[1] << 16 |
		    (unsigned long)b[2] << 8 | b[3];
	if (f)
		fclose(f);
	return n;
}

/*
 * The object count of a version 2 index from its size: header and
 * fan-out, 28 bytes an object (id, CRC, offset), two checksums. A pack
 * under 2 GB has no 64-bit offsets, so the size tells the count exactly
 * and no pack_auto opens an index; any other size is read.
 */
static unsigned long
idx_objects_at(int dfd, const char *idx, unsigned long long packbytes)
{
	struct stat st;
	unsigned long long body;

	if (fstatat(dfd, idx, &st, 0) < 0)
		return 0;
	body = (unsigned long long)st.st_size - (8 + 256 * 4 + 40);
	if (st.st_size >= 8 + 256 * 4 + 40 && body % 28 == 0 && packbytes < (1ULL << 31))
		return (unsigned long)(body / 28);
	return idx_objects(idx);
}

static int
cmp_pack(const void *a, const void *b)
{
	const struct packfile *x = a, *y = b;

	return x->objects < y->objects ? -1 : x->objects > y->objects;
}

static int
has_name(char *const *names, size_t n, const char *name)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(names[i], name) == 0)
			return 1;
	return 0;
}

/*
 * The packs with an index and without a .keep file, smallest first: one
 * listing of the folder and a stat of each pack and index (pack_auto
 * runs this after every commit on a desk of 4 packs or more).
 */
static size_t
list_packs(struct desk *d, struct packfile **out)
{
	char *dir = xasprintf("%sobjects/pack", d->gitdir);
	DIR *dp = opendir(dir);
	struct dirent *de;
	struct packfile *v = NULL;
	char **names = NULL;
	size_t n = 0, nn = 0;

	while (dp && (de = readdir(dp)) != NULL) {
		names = xrealloc(names, (nn + 1) * sizeof(*names));
		names[nn++] = xstrdup(de->d_name);
	}
	for (size_t i = 0; i < nn; i++) {
		size_t len = strlen(names[i]);
		char *idx, *keep;
		struct stat st;
		if (len < 6 || strcmp(names[i] + len - 5, ".pack") != 0)
			continue;
		idx = xasprintf("%.*s.idx", (int)(len - 5), names[i]);
		keep = xasprintf("%.*s.keep", (int)(len - 5), names[i]);
		if (has_name(names, nn, idx) && !has_name(names, nn, keep) &&
		    fstatat(dirfd(dp), names[i], &st, 0) == 0) {
			v = xrealloc(v, (n + 1) * sizeof(*v));
			v[n].base = xasprintf("%s/%.*s", dir, (int)(len - 5), names[i]);
			v[n].bytes = (unsigned long long)st.st_size;
			free(idx);
			idx = xasprintf("%s.idx", v[n].base);
			v[n].objects = idx_objects_at(dirfd(dp), idx, v[n].bytes);
			n++;
		}
		free(idx);
		free(keep);
	}
	for (size_t i = 0; i < nn; i++)
		free(names[i]);
	free(names);
	if (dp)
		closedir(dp);
	free(dir);
	if (n)
		qsort(v, n, sizeof(*v), cmp_pack);
	*out = v;
	return n;
}

/*
 * rt-gc rolls every pack of fewer objects than this into one (about 800
 * mails). A pack is self-contained: the first version of each folder's
 * tree in it is stored whole, 700-800 bytes for a 32-entry fan-out tree,
 * where a later version costs a delta of some 40 bytes. Keeping the young
 * objects in one pack, not in a ladder of small ones, stores each path
 * whole once per pack; the repack stays bounded by this many objects.
 */
#define PACK_SMALL 8192	/* objects; RT_PACK_SMALL for tests */

/*
 * How many of the smallest packs to roll up into one, as git repack
 * --geometric=2 does: the packs above stay when each holds at least twice
 * the objects of the one below and of everything rolled up. The number of
 * packs then stays logarithmic in the number of objects. Packs of fewer
 * than small objects are rolled up whatever their sizes.
 */
static size_t
geometric_split(const struct packfile *v, size_t n, unsigned long loose,
    unsigned long small)
{
	unsigned long total = loose;
	size_t k = 0;

	for (size_t i = n; i-- > 1;)
		if (v[i].objects < 2 * v[i - 1].objects) {
			k = i + 1;
			break;
		}
	while (k < n && v[k].objects < small)
		k++;
	for (size_t i = 0; i < k; i++)
		total += v[i].objects;
	while (k < n && v[k].objects < 2 * total)
		total += v[k++].objects;
	return k;
}

static int
collect_oid(const git_oid *oid, void *arg)
{
	return collect_one(oid, NULL, arg);
}

/* Adds the objects of the pack BASE to set. */
static int
collect_pack(struct oidset *set, const char *base)
{
	char *idx = xasprintf("%s.idx", base);
	git_odb_backend *be = NULL;
	int rc;

	if ((rc = git_odb_backend_one_pack(&be, idx)) == 0) {
		rc = be->foreach(be, collect_oid, set);
		be->free(be);
	}
	free(idx);
	return rc;
}

/*
 * The objects going into the new pack, sorted, each inserted once. The
 * packbuilder looks for deltas among neighbours after sorting by type,
 * by a hash of the path's last characters and by size: objects inserted
 * with their path (as git repack and fast-import do) put each version of
 * a tree or file next to the one before it, so a commit's tickets/ and
 * tickets/K trees cost a delta of one entry, not a whole tree.
 */
struct todo {
	git_packbuilder *pb;
	git_repository *repo;
	git_oid *v;
	unsigned char *done;
	size_t n;
	struct sbuf path;
};

/* Marks oid inserted; 0 if it is not ours to pack or already inserted. */
static int
todo_take(struct todo *t, const git_oid *oid)
{
	git_oid *hit = bsearch(oid, t->v, t->n, sizeof(*t->v), cmp_oid);

	if (!hit || t->done[hit - t->v])
		return 0;
	t->done[hit - t->v] = 1;
	return 1;
}

/* Inserts the entries of tree (at path t->path) that are ours, with names. */
static int
todo_tree(struct todo *t, const git_tree *tree)
{
	size_t len = t->path.len, n = git_tree_entrycount(tree);
	int rc = 0;

	for (size_t i = 0; i < n && rc == 0; i++) {
		const git_tree_entry *e = git_tree_entry_byindex(tree, i);
		git_object_t type = git_tree_entry_type(e);
		git_tree *sub;
		if ((type != GIT_OBJECT_TREE && type != GIT_OBJECT_BLOB) ||
		    !todo_take(t, git_tree_entry_id(e)))
			continue;
		t->path.len = len;
		if (len)
			sbuf_addc(&t->path, '/');
		sbuf_adds(&t->path, git_tree_entry_name(e));
		rc = git_packbuilder_insert(t->pb, git_tree_entry_id(e), t->path.buf);
		if (rc == 0 && type == GIT_OBJECT_TREE &&
		    (rc = git_tree_lookup(&sub, t->repo, git_tree_entry_id(e))) == 0) {
			rc = todo_tree(t, sub);
			git_tree_free(sub);
		}
	}
	t->path.len = len;
	return rc;
}

static int
todo_take_commit(void *arg, const git_oid *id)
{
	return todo_take(arg, id);
}

/* Inserts commit c and the new trees and blobs under it, with their paths. */
static int
todo_commit(void *arg, git_commit *c)
{
	struct todo *t = arg;
	git_tree *tree;
	int rc;

	if ((rc = git_packbuilder_insert(t->pb, git_commit_id(c), NULL)) == 0 &&
	    todo_take(t, git_commit_tree_id(c)) &&
	    (rc = git_packbuilder_insert(t->pb, git_commit_tree_id(c), "")) == 0 &&
	    (rc = git_commit_tree(&tree, c)) == 0) {
		t->path.len = 0;
		rc = todo_tree(t, tree);
		git_tree_free(tree);
	}
	return rc;
}

/* The commits that are ours (older ones are in the packs that stay), newest first. */
static int
todo_walk(struct todo *t)
{
	return commit_walk(t->repo, todo_take_commit, todo_commit, t);
}

/* Inserts the objects of v[n] (loose and rolled-up), named where reachable. */
static int
insert_named(git_packbuilder *pb, git_repository *repo, const git_oid *v, size_t n)
{
	struct todo t = { pb, repo, xmalloc((n ? n : 1) * sizeof(*v)), NULL, 0, SBUF_INIT };
	int rc;

	if (n)
		memcpy(t.v, v, n * sizeof(*v));
	qsort(t.v, n, sizeof(*t.v), cmp_oid);
	for (size_t i = 0; i < n; i++)
		if (t.n == 0 || !git_oid_equal(&t.v[t.n - 1], &t.v[i]))
			git_oid_cpy(&t.v[t.n++], &t.v[i]);
	t.done = xcalloc(t.n ? t.n : 1, 1);
	rc = todo_walk(&t);
	/* the rest (unreachable, or reachable only through older packs) unnamed */
	for (size_t i = 0; i < t.n && rc == 0; i++)
		if (!t.done[i])
			rc = git_packbuilder_insert(pb, &t.v[i], NULL);
	sbuf_free(&t.path);
	free(t.done);
	free(t.v);
	return rc < 0 ? -1 : 0;
}

static void
remove_pack(const char *base, const char *keep_name)
{
	static const char *ext[] = { ".idx", ".pack", ".rev", ".bitmap", ".promisor" };

	if (keep_name && strstr(base, keep_name))
		return;	/* the same objects were written to the same name */
	for (size_t i = 0; i < sizeof(ext) / sizeof(*ext); i++) {
		char *f = xasprintf("%s%s", base, ext[i]);
		unlink(f);
		free(f);
	}
}

/*
 * The smallest packs of the roll whose objects stay within max (0: all,
 * rt-gc's). Within max (a writer's merge), the largest pack rolled is
 * left out while it holds more objects than the others and the loose
 * ones together: a pack is written again only when the merge at least
 * doubles it, so an object is copied some log2(max) times in all,
 * whatever the size of the desk. Without it, once the packs that stay
 * are near max (16 of them: a desk of some 90,000 tickets that nobody
 * runs rt-gc on), every commit wrote one of them again with its ten new
 * objects, a delta search of up to max objects for each mail.
 */
static size_t
roll_within(const struct packfile *v, size_t roll, unsigned long loose, unsigned long max)
{
	unsigned long total = loose;
	size_t k = 0;

	if (!max)
		return roll;
	while (k < roll && total + v[k].objects <= max)
		total += v[k++].objects;
	while (k >= 2 && v[k - 1].objects > total - v[k - 1].objects)
		total -= v[--k].objects;
	return k;
}

/*
 * rt-gc folds the young pack into the largest pack when that one is at
 * most this large (bytes; RT_PACK_FOLD_MAX for tests, 0: never): the fold
 * writes the whole largest pack again, in memory, so its cost follows the
 * desk (see rt-gc(1)); beyond it the young pack stays beside.
 */
#define PACK_FOLD_MAX (512ULL << 20)
/*
 * ... and once the young pack holds this many objects (about 100 mails;
 * RT_PACK_FOLD_MIN for tests): rt-gc from cron every ten minutes writes
 * the largest pack again once per hundred mails, not at every run.
 */
#define PACK_FOLD_MIN 1024

static int fold(struct desk *d, const char *target, const char *young, struct pack_stats *st);

struct foldlim {
	unsigned long long max;	/* bytes of the largest pack */
	unsigned long min;	/* objects of the young one */
};

static int
repack(struct desk *d, struct pack_stats *st, unsigned long small, unsigned long max,
    const struct foldlim *fl)
{
	struct oidset set = { NULL, 0, 0, NULL };
	struct packfile *packs;
	size_t npacks = list_packs(d, &packs), roll, loose, nyoung = 0;
	char name[GIT_OID_HEXSZ + 1], written[GIT_OID_HEXSZ + 1], *packdir, *young = NULL;
	int rc = 0, made = 0;

	memset(st, 0, sizeof(*st));
	if ((rc = git_packbuilder_new(&set.pb, d->repo)) < 0) {
		rc = git_fail(rc, "cannot start pack");
		goto out;
	}
	git_packbuilder_set_threads(set.pb, 1);
	each_loose(d, collect_one, &set);
	loose = set.n;
	roll = roll_within(packs, geometric_split(packs, npacks, (unsigned long)loose, small),
	    (unsigned long)loose, max);
	if (roll == 1 && loose == 0) {
		roll = 0;	/* one pack alone is already rolled up */
		if (npacks >= 2) {
			young = xstrdup(packs[0].base);	/* but may be folded */
			nyoung = packs[0].objects;
		}
	}
	if (loose == 0 && roll == 0)
		goto folding;
	free(young);
	young = NULL;
	for (size_t i = 0; i < roll; i++)
		if (collect_pack(&set, packs[i].base) < 0) {
			rc = git_fail(-1, "cannot read pack");
			goto out;
		}
	if (insert_named(set.pb, d->repo, set.v, set.n) != 0) {
		rc = git_fail(-1, "cannot add object to pack");
		goto out;
	}
	nyoung = set.n;
	set.n = loose;	/* the loose ones are removed afterwards */
	/* The pack and its index are fsynced (DESK_DURABLE) before anything goes. */
	packdir = xasprintf("%sobjects/pack", d->gitdir);
	if ((rc = pack_write_chunked(set.pb, packdir, written)) < 0) {
		free(packdir);
		rc = git_fail(rc, "cannot write pack");
		goto out;
	}
	/* Deltas by offset, as git writes them: 18 bytes less per delta. */
	if (pack_ofs_rewrite(packdir, written, name) < 0)
		git_error_clear();	/* the pack as libgit2 wrote it stays */
	young = xasprintf("%s/pack-%s", packdir, name);
	free(packdir);
	made = 1;
	st->loose = set.n;
	st->merged = roll;
	if (set.n) {
		qsort(set.v, set.n, sizeof(*set.v), cmp_oid);
		each_loose(d, remove_one, &set);
	}
	for (size_t i = 0; i < roll; i++)
		remove_pack(packs[i].base, name);
folding:
	/* into the largest pack, when the roll left it, within the limits */
	if (young && fl && npacks > roll && strcmp(packs[npacks - 1].base, young) != 0 &&
	    packs[npacks - 1].bytes <= fl->max && nyoung >= fl->min &&
	    fold(d, packs[npacks - 1].base, young, st) < 0)
		git_error_clear();	/* the young pack stays beside: nothing lost */
out:
	st->packs = npacks - st->merged + (size_t)made - (st->folded ? 1 : 0);
	for (size_t i = 0; i < npacks; i++)
		free(packs[i].base);
	free(packs);
	free(young);
	git_packbuilder_free(set.pb);
	free(set.v);
	return rc;
}

/*
 * After a kill between the fold's rename and its removals, the young pack
 * and the old largest one stay beside the new one that holds all their
 * objects: each pack whose every object is in the largest is removed,
 * before the packs are counted for the roll (which would otherwise see
 * two large packs and merge the desk afresh).
 */
static void
drop_redundant(struct desk *d)
{
	struct packfile *packs;
	size_t n = list_packs(d, &packs);

	for (size_t i = 0; i + 1 < n; i++)
		if (pack_idx_within(packs[i].base, packs[n - 1].base) == 1)
			remove_pack(packs[i].base, NULL);
	for (size_t i = 0; i < n; i++)
		free(packs[i].base);
	free(packs);
}

int
pack_repack(struct desk *d, struct pack_stats *st)
{
	const char *e = getenv("RT_PACK_SMALL"), *fmax = getenv("RT_PACK_FOLD_MAX");
	const char *fmin = getenv("RT_PACK_FOLD_MIN");
	struct foldlim fl = { fmax ? strtoull(fmax, NULL, 10) : PACK_FOLD_MAX,
	    fmin ? strtoul(fmin, NULL, 10) : PACK_FOLD_MIN };

	drop_redundant(d);
	return repack(d, st, e ? strtoul(e, NULL, 10) : PACK_SMALL, 0, &fl);
}

/* The *.pack names in objects/pack: one listing, no file opened. */
static size_t
pack_names(struct desk *d)
{
	char *dir = xasprintf("%sobjects/pack", d->gitdir);
	DIR *dp = opendir(dir);
	struct dirent *de;
	size_t n = 0, len;

	while (dp && (de = readdir(dp)) != NULL)
		if ((len = strlen(de->d_name)) > 5 && strcmp(de->d_name + len - 5, ".pack") == 0)
			n++;
	if (dp)
		closedir(dp);
	free(dir);
	return n;
}

static void build_idx(struct pack_entry *v, size_t n, const unsigned char *packsum,
    struct sbuf *sb);
static int store_pack(struct desk *d, const struct sbuf *pack, const struct sbuf *idx, int withfd,
    int *dirfd);

/*
 * Merges the packs bases[k] into one by copying their entries
 * (packroll.c), with rb: the others folded into bases[0] (packroll_fold).
 * The new pack and its index are on the disk under their names (fsynced,
 * with their folder, on a DESK_DURABLE desk) before the old ones go. A
 * process that holds an old pack open reads on from it; one that finds
 * it gone looks again and finds the new one, as git and libgit2 do.
 */
static int
roll_write(struct desk *d, char *const *bases, size_t k, const struct packroll_rebase *rb,
    size_t *rebased)
{
	struct sbuf pack = SBUF_INIT, idx = SBUF_INIT;
	struct pack_entry *pe = NULL;
	char hex[GIT_OID_HEXSZ + 1];
	size_t n = 0;
	int rc, dirfd = -1;
	git_oid name;

	rc = rb ? packroll_fold(bases, k, rb, &pack, &pe, &n, rebased) :
	    packroll_build(bases, k, &pack, &pe, &n);
	if (rc == 0) {
		build_idx(pe, n, (const unsigned char *)pack.buf + pack.len - 20, &idx);
		rc = store_pack(d, &pack, &idx, -1, &dirfd);
	}
	if (rc == 0 && dirfd >= 0 && fsync(dirfd) < 0)
		rc = rt_fail(EX_TEMPFAIL, "cannot sync the folder of packs: %s", strerror(errno));
	if (dirfd >= 0)
		close(dirfd);
	if (rc == 0) {
		git_oid_fromraw(&name, (const unsigned char *)pack.buf + pack.len - 20);
		git_oid_tostr(hex, sizeof(hex), &name);
		for (size_t i = k; i-- > 0;)	/* the young ones first: all are in the new pack */
			remove_pack(bases[i], hex);
	}
	sbuf_free(&pack);
	sbuf_free(&idx);
	free(pe);
	return rc;
}

static int
roll_copy(struct desk *d, const struct packfile *v, size_t k)
{
	char **bases = xmalloc((k ? k : 1) * sizeof(*bases));
	int rc;

	for (size_t i = 0; i < k; i++)
		bases[i] = v[i].base;
	rc = roll_write(d, bases, k, NULL, NULL);
	free(bases);
	return rc;
}

/*
 * The young pack folded into target (packfold.c, packroll_fold): each
 * tree and file it stores whole that has a previous version in target
 * becomes a delta against it, where a pack of its own has to store the
 * first version of each path whole.
 */
static int
fold(struct desk *d, const char *target, const char *young, struct pack_stats *st)
{
	char *bases[2] = { (char *)target, (char *)young };
	struct packroll_rebase rb;
	struct packfold *f;
	size_t rebased = 0;
	const char *e;
	int rc;

	if ((rc = packfold_new(d->repo, young, &f)) < 0)
		return rc;
	packfold_rebase(f, &rb);
	/* a test knob (rt(7)): the depth's bound in a few rounds */
	if ((e = getenv("RT_PACK_DEPTH")) != NULL)
		rb.depth = atoi(e);
	if ((rc = roll_write(d, bases, 2, &rb, &rebased)) == 0) {
		st->folded = 1;
		st->deltas = rebased;
	}
	packfold_free(f);
	return rc;
}

/*
 * How many of the smallest packs a writer merges by copying: as git
 * repack --geometric=2 among the packs of fewer than PACK_SMALL objects
 * altogether (so rt-gc, which rolls those up, finds the deltas of what
 * writers copied) and PACK_COPY_BYTES, and only once at least
 * PACK_ROLL_MIN of them go, so most commits merge nothing and a merge
 * copies a few commits' packs: the pack count stays logarithmic in the
 * young objects.
 */
#define PACK_ROLL_MIN 4

static size_t
copy_split(const struct packfile *v, size_t n)
{
	unsigned long objects = 0;
	unsigned long long bytes = 0;
	size_t m = 0, k;

	while (m < n && objects + v[m].objects <= PACK_SMALL &&
	    bytes + v[m].bytes <= PACK_COPY_BYTES) {
		objects += v[m].objects;
		bytes += v[m++].bytes;
	}
	k = geometric_split(v, m, 0, 0);
	return k >= PACK_ROLL_MIN ? k : 0;
}

/*
 * After a commit, under the desk lock. libgit2 opens and searches the
 * index of every pack in each rt process (about 33k instructions a pack
 * for one mail), so a desk nobody runs rt-gc on keeps few packs: the
 * small ones are merged by copying (roll_copy), without the
 * packbuilder's delta search; once the packs copied up to PACK_SMALL
 * objects make PACK_AUTO packs, they are merged with deltas, at most
 * PACK_AUTO_OBJECTS. Errors are left to rt-gc.
 */
void
pack_auto(struct desk *d)
{
	struct pack_stats st;
	struct packfile *packs;
	size_t n, k;
	const char *e;
	unsigned long cap;

	/* pack_names only lists the folder: most commits stop here */
	if (pack_names(d) < PACK_ROLL_MIN)
		return;
	/* a test knob (rt(7)): the cap's case in fewer objects under ASan */
	e = getenv("RT_PACK_AUTO_OBJECTS");
	if (e == NULL || (cap = strtoul(e, NULL, 10)) == 0)
		cap = PACK_AUTO_OBJECTS;
	n = list_packs(d, &packs);
	if (n >= PACK_AUTO &&
	    roll_within(packs, geometric_split(packs, n, 0, 0), 0, cap) >= 2)
		repack(d, &st, 0, cap, NULL);
	else if ((k = copy_split(packs, n)) > 0)
		roll_copy(d, packs, k);
	for (size_t i = 0; i < n; i++)
		free(packs[i].base);
	free(packs);
}

size_t
pack_count(struct desk *d)
{
	struct packfile *packs;
	size_t n = list_packs(d, &packs);

	for (size_t i = 0; i < n; i++)
		free(packs[i].base);
	free(packs);
	return n;
}

/*
 * A mempack backend behind a forwarder that records every object written:
 * git_mempack_dump would pack each commit's whole tree (the desk), so the
 * pack is built from exactly the recorded objects instead.
 */
struct pack_mem {
	git_odb_backend b;	/* first: libgit2 calls us through this */
	git_odb_backend *mp;
	git_oid *v;
	size_t n;
	int wrapped;	/* the other backends answer freshen_none */
	int whole;		/* pack_mem_whole */
};

#define MEM(be) ((struct pack_mem *)(be))

static int
mem_read(void **data, size_t *len, git_object_t *type, git_odb_backend *be, const git_oid *oid)
{
	return MEM(be)->mp->read(data, len, type, MEM(be)->mp, oid);
}

static int
mem_read_header(size_t *len, git_object_t *type, git_odb_backend *be, const git_oid *oid)
{
	return MEM(be)->mp->read_header(len, type, MEM(be)->mp, oid);
}

static int
mem_exists(git_odb_backend *be, const git_oid *oid)
{
	return MEM(be)->mp->exists(MEM(be)->mp, oid);
}

/*
 * Before each write libgit2 asks every backend to freshen the object and,
 * when none has it, refreshes them all and asks again: a stat of
 * objects/pack for each of a mail's ten objects, although the second
 * round cannot find it either (the other backends answer freshen_none).
 * A miss here marks the refresh that follows as one to skip; the write
 * that follows ends the mark.
 */
static _Thread_local int freshen_missed;

static int
mem_freshen(git_odb_backend *be, const git_oid *oid)
{
	if (MEM(be)->mp->exists(MEM(be)->mp, oid))
		return 0;
	freshen_missed = MEM(be)->wrapped;
	return GIT_ENOTFOUND;
}

static int
mem_write(git_odb_backend *be, const git_oid *oid, const void *data, size_t len,
    git_object_t type)
{
	struct pack_mem *m = MEM(be);
	int rc;

	freshen_missed = 0;
	if (m->mp->exists(m->mp, oid))
		return 0;
	if ((rc = m->mp->write(m->mp, oid, data, len, type)) == 0) {
		m->v = xrealloc(m->v, (m->n + 1) * sizeof(*m->v));
		git_oid_cpy(&m->v[m->n++], oid);
	}
	return rc;
}

static void
mem_free(git_odb_backend *be)
{
	struct pack_mem *m = MEM(be);

	m->mp->free(m->mp);
	free(m->v);
	free(m);
}

/*
 * Every object libgit2 writes is first looked up, and a miss makes the
 * pack backend read objects/pack again: ten directory reads per commit,
 * each longer with every pack. The pack backend's refresh is wrapped to
 * read the folder only when its mtime moved (a pack came or went). An
 * mtime within REFRESH_RACY_NS of the moment it was read is not trusted,
 * since the clock behind it is coarse.
 */
#define REFRESH_RACY_NS 20000000L	/* 20 ms: a clock tick at HZ=100 is 10 */
#define REFRESH_SLOTS 8	/* a desk takes two: the pack and the loose backend */

static struct refresh_slot {
	git_odb_backend *be;
	int (*refresh)(git_odb_backend *);
	int (*freshen)(git_odb_backend *, const git_oid *);
	char *dir;
	struct timespec mtime;
	int trusted;
} refresh_slots[REFRESH_SLOTS];

static long long
ts_ns(const struct timespec *t)
{
	return (long long)t->tv_sec * 1000000000LL + t->tv_nsec;
}

static int
refresh_if_moved(git_odb_backend *be)
{
	struct refresh_slot *s = NULL;
	struct timespec now;
	struct stat st;
	int rc;

	for (size_t i = 0; i < REFRESH_SLOTS && s == NULL; i++)
		if (refresh_slots[i].be == be)
			s = &refresh_slots[i];
	if (s == NULL)
		return 0;	/* cannot happen: only slotted backends are wrapped */
	if (freshen_missed) {
		freshen_missed = 0;
		return 0;
	}
	clock_gettime(CLOCK_REALTIME, &now);
	if (stat(s->dir, &st) < 0)
		return s->refresh(be);
	if (s->trusted && ts_ns(&st.st_mtim) == ts_ns(&s->mtime))
		return 0;
	rc = s->refresh(be);
	s->mtime = st.st_mtim;
	s->trusted = rc == 0 && ts_ns(&now) - ts_ns(&st.st_mtim) > REFRESH_RACY_NS;
	return rc;
}

/*
 * Before libgit2 writes an object it asks every backend to freshen it
 * (touch it, when it is already stored): in the pack backend a miss in
 * each pack formats an error message, 7% of a mail's instructions with
 * 40 packs, growing with every pack. The objects rt writes are new, and
 * one already in an older pack is stored again in the new pack, which
 * git allows (rt-gc keeps one copy): the pack backend answers "not here"
 * at once. So does the loose one, which tried a utime(2) on the object's
 * loose path first (a failing call for each of the ten objects of a mail).
 */
static int
freshen_none(git_odb_backend *be, const git_oid *oid)
{
	(void)be;
	(void)oid;
	return GIT_ENOTFOUND;
}

/* Returns 1 when every backend was wrapped. */
static int
wrap_pack_refresh(struct desk *d, git_odb *odb)
{
	char *alt = xasprintf("%sobjects/info/alternates", d->gitdir);
	int shared = access(alt, F_OK) == 0;

	free(alt);
	if (shared)
		return 0;	/* packs in other folders too: refreshed as before */
	for (size_t i = 0; i < git_odb_num_backends(odb); i++) {
		git_odb_backend *be = NULL;
		struct refresh_slot *s = NULL;
		if (git_odb_get_backend(&be, odb, i) < 0 || be->freshen == freshen_none ||
		    be->freshen == mem_freshen || be->refresh == refresh_if_moved ||
		    (be->refresh == NULL && be->freshen == NULL))
			continue;
		for (size_t j = 0; j < REFRESH_SLOTS && s == NULL; j++)
			if (refresh_slots[j].be == NULL || refresh_slots[j].be == be)
				s = &refresh_slots[j];
		if (s == NULL)
			return 0;	/* more desks open than slots: they refresh as before */
		free(s->dir);
		memset(s, 0, sizeof(*s));
		s->be = be;
		s->refresh = be->refresh;
		s->freshen = be->freshen;
		if (be->refresh) {	/* the pack backend */
			s->dir = xasprintf("%sobjects/pack", d->gitdir);
			be->refresh = refresh_if_moved;
		}
		be->freshen = freshen_none;
	}
	return 1;
}

/* For desk_close: the repository and its backends go away. */
void
pack_unwrap(struct desk *d)
{
	git_odb *odb = NULL;

	if (d->repo == NULL || git_repository_odb(&odb, d->repo) < 0)
		return;
	for (size_t i = 0; i < git_odb_num_backends(odb); i++) {
		git_odb_backend *be = NULL;
		if (git_odb_get_backend(&be, odb, i) < 0)
			continue;
		for (size_t j = 0; j < REFRESH_SLOTS; j++)
			if (refresh_slots[j].be == be) {
				be->refresh = refresh_slots[j].refresh;
				be->freshen = refresh_slots[j].freshen;
				free(refresh_slots[j].dir);
				memset(&refresh_slots[j], 0, sizeof(refresh_slots[j]));
			}
	}
	git_odb_free(odb);
}

int
pack_mem_new(struct desk *d, struct pack_mem **out)
{
	struct pack_mem *m = xcalloc(1, sizeof(*m));
	git_odb *odb = NULL;
	int rc;

	*out = NULL;
	if ((rc = git_mempack_new(&m->mp)) < 0) {
		free(m);
		return git_fail(rc, "cannot create the commit buffer");
	}
	m->b.version = GIT_ODB_BACKEND_VERSION;
	m->b.read = mem_read;
	m->b.read_header = mem_read_header;
	m->b.exists = mem_exists;
	m->b.freshen = mem_freshen;
	m->b.write = mem_write;
	m->b.free = mem_free;
	/* Above the loose and pack backends: every new object lands here. */
	if ((rc = git_repository_odb(&odb, d->repo)) < 0 ||
	    (rc = git_odb_add_backend(odb, &m->b, 1000)) < 0) {
		git_odb_free(odb);
		mem_free(&m->b);
		return git_fail(rc, "cannot add the commit buffer");
	}
	m->wrapped = wrap_pack_refresh(d, odb);
	git_odb_free(odb);
	*out = m;
	return 0;
}

void
pack_mem_reset(struct pack_mem *m)
{
	git_mempack_reset(m->mp);
	m->n = 0;
}

/*
 * Written objects stay in the buffer until the next reset: read back
 * from memory, not from a pack the odb finds only by listing
 * objects/pack again (and opening its index and pack). One already here
 * is not listed again by mem_write: it is in the pack just written.
 */
void
pack_mem_keep(struct pack_mem *m)
{
	m->n = 0;
}

size_t
pack_mem_pending(const struct pack_mem *m)
{
	return m->n;
}

void
pack_mem_whole(struct pack_mem *m, int on)
{
	m->whole = on;
}

int
pack_mem_put_blob(struct pack_mem *m, const git_oid *id, const void *buf, size_t len)
{
	return mem_write(&m->b, id, buf, len, GIT_OBJECT_BLOB);
}

/*
 * A commit's objects as a pack written here, without the packbuilder's
 * delta search and without git_indexer reading the pack back to index it:
 * the offsets, CRCs and names are known while the pack is built. Each
 * object is stored whole (rt-gc finds the deltas when it merges packs).
 */
static int
cmp_entry(const void *a, const void *b)
{
	return git_oid_cmp(&((const struct pack_entry *)a)->oid, &((const struct pack_entry *)b)->oid);
}

static void
put32(struct sbuf *sb, uint32_t v)
{
	unsigned char b[4] = { v >> 24, v >> 16, v >> 8, v };

	sbuf_add(sb, b, 4);
}

/* An object's entry header: type and size, 7 bits a byte (gitformat-pack(5)). */
static size_t
entry_header(unsigned char *h, git_object_t type, size_t len)
{
	unsigned char c = (unsigned char)((unsigned)type << 4 | (len & 15));
	size_t n = 0;

	for (len >>= 4; len; len >>= 7) {
		h[n++] = c | 0x80;
		c = len & 0x7f;
	}
	h[n++] = c;
	return n;
}

static int
add_entry(struct sbuf *sb, z_stream *z, git_object_t type, const void *data, size_t len,
    struct pack_entry *e)
{
	unsigned char h[16];
	size_t room;

	e->off = sb->len;
	sbuf_add(sb, h, entry_header(h, type, len));
	if (deflateReset(z) != Z_OK)
		return -1;
	room = deflateBound(z, len);
	sbuf_grow(sb, room);
	z->next_in = (unsigned char *)data;
	z->avail_in = (uInt)len;
	z->next_out = (unsigned char *)sb->buf + sb->len;
	z->avail_out = (uInt)room;
	if (len > UINT32_MAX || deflate(z, Z_FINISH) != Z_STREAM_END)
		return -1;
	sb->len += room - z->avail_out;
	e->crc = (uint32_t)crc32(0, (unsigned char *)sb->buf + e->off, (uInt)(sb->len - e->off));
	return 0;
}

/*
 * zlib clears its hash table (64 KB at the default memLevel 8) for every
 * object: most of a small object's cost. Objects up to SMALL_OBJECT
 * bytes go through a stream with a 2 KB table (memLevel 3), which finds
 * the same matches in them; larger ones through the default.
 */
#define SMALL_OBJECT 16384

struct zpair {
	z_stream z[2];		/* small, default */
	int init[2];
};

static z_stream *
zpair_get(struct zpair *zp, size_t len, int level)
{
	int big = len > SMALL_OBJECT;

	if (!zp->init[big]) {
		if (deflateInit2(&zp->z[big], level, Z_DEFLATED, 15,
		    big ? 8 : 3, Z_DEFAULT_STRATEGY) != Z_OK)
			return NULL;
		zp->init[big] = 1;
	}
	return &zp->z[big];
}

/*
 * The recorded objects as one pack, ended by the SHA-1 of what precedes it.
 * Trees are stored as they are (zlib level 0): a tree is mostly object
 * ids, which deflate hardly shrinks (a batch's pack grew 8 %, a single
 * mail's 9 %), at a fifth of a bulk import's instructions and a tenth of
 * a single mail's; other objects at zlib's fastest level (a mail's blob
 * came out 1 byte larger, at two thirds of the time). A batch's pack
 * (pack_mem_whole) stores its small objects whole too: deflate was a
 * ninth of a 500-mail import's instructions, for a pack 1.7x as large
 * until the writers' merge of small packs or rt-gc, which compress every
 * object again, at the default. Large mails are deflated still: whole,
 * their packs' pages, read back, grew an import's memory.
 */
static int
build_pack(const struct pack_mem *m, struct sbuf *sb, struct pack_entry *v)
{
	unsigned char sum[20];
	struct zpair zp, zs;	/* deflated, stored */
	int rc = 0;

	sbuf_add(sb, "PACK", 4);
	put32(sb, 2);
	put32(sb, (uint32_t)m->n);
	memset(&zp, 0, sizeof(zp));
	memset(&zs, 0, sizeof(zs));
	for (size_t i = 0; i < m->n && rc == 0; i++) {
		void *data = NULL;
		size_t len;
		git_object_t type;
		z_stream *z;
		git_oid_cpy(&v[i].oid, &m->v[i]);
		if ((rc = m->mp->read(&data, &len, &type, m->mp, &m->v[i])) == 0) {
			z = type == GIT_OBJECT_TREE || (m->whole && len <= SMALL_OBJECT) ?
			    zpair_get(&zs, len, Z_NO_COMPRESSION) :
			    zpair_get(&zp, len, Z_BEST_SPEED);
			rc = z ? add_entry(sb, z, type, data, len, &v[i]) : -1;
		}
		git_odb_backend_data_free(m->mp, data);
	}
	for (int i = 0; i < 2; i++) {
		if (zp.init[i])
			deflateEnd(&zp.z[i]);
		if (zs.init[i])
			deflateEnd(&zs.z[i]);
	}
	if (rc == 0) {
		sha1(sb->buf, sb->len, sum);
		sbuf_add(sb, sum, sizeof(sum));
	}
	return rc;
}

/* Its version 2 index: fan-out, names, CRCs, offsets, both checksums. */
static void
build_idx(struct pack_entry *v, size_t n, const unsigned char *packsum, struct sbuf *sb)
{
	unsigned char sum[20];
	size_t big = 0, k = 0;

	qsort(v, n, sizeof(*v), cmp_entry);
	sbuf_add(sb, "\377tOc", 4);
	put32(sb, 2);
	for (unsigned b = 0; b < 256; b++) {
		while (k < n && v[k].oid.id[0] <= b)
			k++;
		put32(sb, (uint32_t)k);
	}
	for (size_t i = 0; i < n; i++)
		sbuf_add(sb, v[i].oid.id, GIT_OID_RAWSZ);
	for (size_t i = 0; i < n; i++)
		put32(sb, v[i].crc);
	for (size_t i = 0; i < n; i++)
		put32(sb, v[i].off < 0x80000000u ? (uint32_t)v[i].off : 0x80000000u | (uint32_t)big++);
	for (size_t i = 0; i < n; i++)
		if (v[i].off >= 0x80000000u) {
			put32(sb, (uint32_t)(v[i].off >> 32));
			put32(sb, (uint32_t)v[i].off);
		}
	sbuf_add(sb, packsum, 20);
	sha1(sb->buf, sb->len, sum);
	sbuf_add(sb, sum, sizeof(sum));
}

/*
 * Writes a read-only temporary file dir/tmp_WHAT_XXXXXX (git's names),
 * names it in *tmp and returns its open descriptor, or -1.
 */
static int
write_temp(const char *dir, const char *what, const struct sbuf *sb, char **tmp)
{
	mode_t mask = umask(0);
	int fd, e;

	umask(mask);
	*tmp = xasprintf("%s/tmp_%s_XXXXXX", dir, what);
	if ((fd = mkostemp(*tmp, O_CLOEXEC)) < 0) {
		free(*tmp);
		*tmp = NULL;
		return -1;
	}
	if (fchmod(fd, 0444 & ~mask) < 0 || write_all(fd, sb->buf, sb->len) < 0) {
		e = errno;
		close(fd);
		unlink(*tmp);
		free(*tmp);
		*tmp = NULL;
		errno = e;
		return -1;
	}
	return fd;
}

/*
 * The pack and its index, written aside and fsynced together, renamed to
 * their names (the index last: git reads a pack through its index): on a
 * DESK_DURABLE desk nothing is renamed before its data is on the disk.
 * withfd (-1: none) is fsynced with them. Their folder is opened into
 * *dirfd for the caller to fsync before anything refers to the pack
 * (pack_mem_write).
 */
static int
store_pack(struct desk *d, const struct sbuf *pack, const struct sbuf *idx, int withfd,
    int *dirfd)
{
	char *dir = xasprintf("%sobjects/pack", d->gitdir), hex[GIT_OID_HEXSZ + 1];
	char *tp = NULL, *ti = NULL, *fp = NULL, *fi = NULL;
	int fdp = -1, fdi = -1, rc = -1, e, tries = 0;
	git_oid name;

	git_oid_fromraw(&name, (const unsigned char *)pack->buf + pack->len - 20);
	git_oid_tostr(hex, sizeof(hex), &name);
	fp = xasprintf("%s/pack-%s.pack", dir, hex);
	fi = xasprintf("%s/pack-%s.idx", dir, hex);
again:
	if ((fdp = write_temp(dir, "pack", pack, &tp)) >= 0 &&
	    (fdi = write_temp(dir, "idx", idx, &ti)) >= 0 &&
	    (!d->durable || fsync_all((int[]){ fdp, fdi, withfd }, 3) == 0) &&
	    rename(tp, fp) == 0 && rename(ti, fi) == 0 &&
	    (!d->durable || (*dirfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) >= 0))
		rc = 0;
	e = errno;
	if (fdp >= 0)
		close(fdp);
	if (fdi >= 0)
		close(fdi);
	if (rc < 0) {
		if (tp)
			unlink(tp);	/* gone already when renamed */
		if (ti)
			unlink(ti);
		/*
		 * Both written, one gone before its rename: git gc --prune=now
		 * or git prune run by hand deletes tmp_* files in objects/pack,
		 * ours too. Written once more from memory before giving up.
		 */
		if (e == ENOENT && tp && ti && tries++ == 0) {
			free(tp);
			free(ti);
			tp = ti = NULL;
			fdp = fdi = -1;
			goto again;
		}
		if (e == ENOENT && tp && ti)
			rc = rt_fail(EX_TEMPFAIL, "the new pack's temporary file in %s was deleted "
			    "before it could be named, twice (git gc --prune=now or git prune "
			    "beside rt?); nothing stored", dir);
		else
			rc = rt_fail(EX_TEMPFAIL, "cannot write pack '%s': %s", fp, strerror(e));
	}
	free(tp);
	free(ti);
	free(fp);
	free(fi);
	free(dir);
	return rc;
}

int
pack_mem_write(struct desk *d, struct pack_mem *m, int withfd, int *dirfd)
{
	struct sbuf pack = SBUF_INIT, idx = SBUF_INIT;
	struct pack_entry *v;
	int rc;

	*dirfd = -1;
	if (m->n == 0)
		return 0;
	v = xcalloc(m->n, sizeof(*v));
	if (build_pack(m, &pack, v) != 0)
		rc = git_fail(-1, "cannot build pack");
	else {
		build_idx(v, m->n, (const unsigned char *)pack.buf + pack.len - 20, &idx);
		rc = store_pack(d, &pack, &idx, withfd, dirfd);
	}
	sbuf_free(&pack);
	sbuf_free(&idx);
	free(v);
	return rc;
}
