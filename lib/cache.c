/* cache.c: the derived ticket cache (LMDB), kept in step with HEAD */
#include <errno.h>
#include <fcntl.h>
#include <lmdb.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cache.h"
#include "cacheboot.h"
#include "cachefile.h"
#include "cachehint.h"
#include "desk.h"
#include "head.h"
#include "id.h"
#include "replay.h"
#include "textindex.h"
#include "ticket.h"
#include "txn.h"
#include "util.h"

#define CACHE_VERSION "10"	/* bump when summary.c derives new keys (5: text index, 6: first mail, 7: text index on first use, 8: its recent level, 9: set-by-hand, 10: no last-in from automatic mail, mail-timeline) */
#define MSGID_MAXKEY 400

/* The version this rt writes; RT_CACHE_VERSION for tests (an older rt's cache). */
static const char *
cache_version(void)
{
	const char *v = getenv("RT_CACHE_VERSION");

	return v && *v ? v : CACHE_VERSION;
}

struct cache {
	MDB_env *env;
	MDB_dbi tickets, msgids, meta;
	int readonly;		/* opened by a user who may read but not write */
	int nosync;		/* written without fdatasync in this boot (cacheboot.h) */
	int defer;		/* in a batch: text index and ticket.yaml wait (PENDING) */
	int unlocked;		/* this sync runs without the desk lock: ticket.yaml waits (PENDING) */
	int took_lock;		/* this sync took the desk lock (desk_lock_try), lets it go */
	int text_on;		/* this sync keeps the text index (it is built: TEXT_BUILT) */
	int text_later;		/* this sync marks changed tickets UNINDEXED instead */
	size_t text_caught;	/* UNINDEXED tickets this process indexed */
	int text_ready;		/* seen built by this process */
	struct textindex text;	/* words -> tickets, for rt-ls --text */
	void *map;		/* LMDB's map of the file, NULL if not found */
	size_t maplen;
	int map_looked;
	struct prepared *kept;	/* a batch's tickets as indexed (kept_take) */
	size_t nkept, kept_bytes;
	MDB_txn *held;		/* in a batch, under the desk lock: the syncs' one write transaction */
	MDB_txn *spare;		/* a reset read transaction, renewed by the next read_begin */
	struct cachehint hint;	/* the tickets this process's commits changed */
};

static void kept_clear(struct cache *c);
static void spare_drop(struct cache *c);

/*
 * Pages of the file that LMDB reads through its map stay in this
 * process's memory until it ends (117 MB after a 100k rebuild, most of
 * it again in a listing). A scan hands them back as it goes: they stay
 * in the page cache, and a shared read-only map of a file reads them
 * again from there if touched, so nothing a caller holds goes stale.
 * LMDB does not tell where its map is: /proc/self/maps does.
 */
static void
find_map(struct cache *c)
{
	struct stat st;
	FILE *fp;
	char line[4096];
	int fd;

	if (mdb_env_get_fd(c->env, &fd) != 0 || fstat(fd, &st) != 0 ||
	    (fp = fopen("/proc/self/maps", "re")) == NULL)
		return;
	while (fgets(line, sizeof(line), fp)) {
		unsigned long start, end, inode;
		if (sscanf(line, "%lx-%lx %*s %*s %*s %lu", &start, &end, &inode) == 3 &&
		    inode == (unsigned long)st.st_ino && strstr(line, "cache.mdb")) {
			c->map = (void *)start;
			c->maplen = end - start;
		}
	}
	fclose(fp);
}

static int
mdb_fail(int rc, const char *what)
{
	return rt_fail(rc == MDB_MAP_FULL || rc == ENOSPC ? EX_TEMPFAIL : EX_SOFTWARE,
	    "ticket cache: %s: %s", what, mdb_strerror(rc));
}

/*
 * LMDB writes its lock file through mmap: a hole in it on a full disk is
 * SIGBUS, not an error. Allocate it first (8 KB: 126 reader slots), once:
 * a lock file with all its blocks keeps them (LMDB sets the same size).
 */
static int
lock_file_room(const char *path)
{
	char *lock = xasprintf("%s-lock", path);
	struct stat st;
	int fd, rc = 0;

	if (stat(lock, &st) == 0 && st.st_size >= 8192 && st.st_blocks * 512 >= st.st_size) {
		free(lock);
		return 0;
	}
	fd = open(lock, O_RDWR | O_CREAT | O_CLOEXEC, 0666);
	free(lock);
	if (fd < 0)
		return 0;
	if (fstat(fd, &st) == 0)
		rc = posix_fallocate(fd, 0, st.st_size > 8192 ? st.st_size : 8192);
	close(fd);
	return rc == ENOSPC || rc == EDQUOT || rc == EIO ? ENOSPC : 0;
}

static int
env_open(struct desk *d, struct cache *c, unsigned int ro)
{
	char *path = xasprintf("%s/cache.mdb", d->rtdir);
	MDB_txn *txn;
	int rc;

	if ((rc = mdb_env_create(&c->env)) != 0)
		goto out;
	mdb_env_set_maxdbs(c->env, 16);
	mdb_env_set_mapsize(c->env, (size_t)16 << 30);
	if ((rc = lock_file_room(path)) != 0)
		goto out;
	/* Derived data: losing the last update on a crash is repaired from HEAD. */
	rc = mdb_env_open(c->env, path, MDB_NOSUBDIR | MDB_NOMETASYNC | MDB_NOTLS | ro |
	    (c->nosync ? MDB_NOSYNC : 0), 0666);
	if (rc != 0)
		goto out;
	/* A read transaction when the tables exist: no fdatasync per process. */
	for (int create = 0; create <= (ro ? 0 : MDB_CREATE); create += MDB_CREATE) {
		if ((rc = mdb_txn_begin(c->env, NULL, create ? 0 : MDB_RDONLY, &txn)) != 0)
			goto out;
		if ((rc = mdb_dbi_open(txn, "tickets", create, &c->tickets)) == 0 &&
		    (rc = mdb_dbi_open(txn, "msgids", create, &c->msgids)) == 0 &&
		    (rc = mdb_dbi_open(txn, "meta", create, &c->meta)) == 0 &&
		    (rc = textindex_open(txn, &c->text, create)) == 0) {
			rc = mdb_txn_commit(txn);
			break;
		}
		mdb_txn_abort(txn);
		if (rc != MDB_NOTFOUND)
			break;
	}
out:
	free(path);
	return rc;
}

/* Whether the cache was written by an rt of another version (not a new, empty one). */
static int
other_version(struct cache *c)
{
	MDB_txn *txn;
	MDB_val k = { 7, "version" }, v;
	int other;

	if (mdb_txn_begin(c->env, NULL, MDB_RDONLY, &txn) != 0)
		return 0;
	other = mdb_get(txn, c->meta, &k, &v) == 0 &&
	    (v.mv_size != strlen(cache_version()) ||
	    memcmp(v.mv_data, cache_version(), v.mv_size) != 0);
	mdb_txn_abort(txn);
	return other;
}

/*
 * A cache of another version is not rebuilt inside its old file (the
 * new pages would scatter over the old file's free ones): a writer
 * removes the file, unless another writer already did, and opens a new
 * one (cachefile.h).
 */
static int
env_open_new(struct desk *d, struct cache *c)
{
	char *path = xasprintf("%s/cache.mdb", d->rtdir);
	struct stat seen;
	int fd, lockfd, rc, nosync = c->nosync;

	if (mdb_env_get_fd(c->env, &fd) != 0 || fstat(fd, &seen) != 0 ||
	    (lockfd = cachefile_lock(d->rtdir)) < 0) {
		free(path);
		return 0;	/* rebuilt in place, as before */
	}
	mdb_env_close(c->env);
	memset(c, 0, sizeof(*c));
	c->nosync = nosync;
	cachefile_remove_if(path, &seen);
	rc = env_open(d, c, 0);
	cachefile_unlock(lockfd);
	free(path);
	return rc;
}

int
cache_open(struct desk *d)
{
	struct cache *c = xcalloc(1, sizeof(*c));
	char *path = xasprintf("%s/cache.mdb", d->rtdir);
	int rc, nosync = cacheboot_nosync(d->rtdir, path);

	free(path);
	c->nosync = nosync;
	rc = env_open(d, c, 0);

	/*
	 * A user who may read the desk but not write it (a report run as
	 * nobody) reads the cache as the writers left it: read-only, and
	 * without LMDB's lock file when that is not writable either.
	 */
	for (unsigned int ro = MDB_RDONLY; (rc == EACCES || rc == EROFS) &&
	    ro <= (MDB_RDONLY | MDB_NOLOCK); ro |= MDB_NOLOCK) {
		mdb_env_close(c->env);
		memset(c, 0, sizeof(*c));
		c->readonly = 1;
		if (!cacheboot_trusted(d->rtdir)) {
			free(c);
			return rt_fail(EX_NOPERM, "ticket cache: written before the last reboot "
			    "and not writable by this user (any rt command or rt-gc run by a "
			    "writer rebuilds it)");
		}
		rc = env_open(d, c, ro);
	}

	if (rc == MDB_INVALID || rc == MDB_CORRUPTED || rc == MDB_VERSION_MISMATCH) {
		/* A damaged cache is thrown away; the desk is the truth. */
		char *p = xasprintf("%s/cache.mdb", d->rtdir), *l = xasprintf("%s-lock", p);
		mdb_env_close(c->env);
		unlink(p);
		unlink(l);
		free(p);
		free(l);
		memset(c, 0, sizeof(*c));
		c->nosync = nosync;
		rc = env_open(d, c, 0);
	}
	if (rc == 0 && !c->readonly && other_version(c))
		rc = env_open_new(d, c);
	if (rc != 0) {
		int ro = c->readonly;
		if (c->env)
			mdb_env_close(c->env);
		free(c);
		if (rc == MDB_NOTFOUND && ro)	/* tables an older rt did not make */
			return rt_fail(EX_NOPERM, "ticket cache: written by an older rt and "
			    "not writable by this user (any rt command or rt-gc run by a "
			    "writer brings it up to date)");
		return mdb_fail(rc, "cannot open");
	}
	d->cache = c;
	if ((rc = cache_sync(d)) != 0)
		cache_close(d);	/* the caller gets no cache on failure */
	return rc;
}

void
cache_close(struct desk *d)
{
	if (d->cache == NULL)
		return;
	textindex_forget();
	kept_clear(d->cache);
	cachehint_free(&d->cache->hint);
	(void)cache_settle(d, 0);	/* a batch not settled: the cache stays behind */
	spare_drop(d->cache);
	mdb_env_close(d->cache->env);
	free(d->cache);
	d->cache = NULL;
}

void
cache_defer_sync(struct desk *d, int on)
{
	if (d->cache) {
		if (!on)
			(void)cache_settle(d, 1);
		mdb_env_set_flags(d->cache->env, MDB_NOSYNC, on || d->cache->nosync);
		d->cache->defer = on;
	}
}

/*
 * A batch's syncs share one write transaction while the batch holds the
 * desk lock (one write of each touched page instead of one per mail). It
 * is committed before the lock goes, and it only ever records commits the
 * batch has written: killed before, the cache is still at the branch's
 * last commit as the previous group left it, behind but right, and the
 * next sync catches it up from there by diffing trees. keep 0: the
 * batch's commits were dropped, so are their records.
 */
int
cache_settle(struct desk *d, int keep)
{
	struct cache *c = d->cache;
	MDB_txn *txn;
	int rc;

	if (c == NULL || (txn = c->held) == NULL)
		return 0;
	c->held = NULL;
	if (!keep) {
		mdb_txn_abort(txn);
		return 0;
	}
	return (rc = mdb_txn_commit(txn)) != 0 ? mdb_fail(rc, "cannot update") : 0;
}

/* A reader's transaction: inside a batch its open one, which holds what it wrote. */
/*
 * One read transaction is reset and renewed, not begun and aborted each
 * time: a command that reads a record or two per ticket (rt-route) began
 * three a ticket, each a calloc of LMDB's transaction and its tables.
 */
static int
read_begin(struct cache *c, MDB_txn **txn)
{
	if (c->held) {
		*txn = c->held;
		return 0;
	}
	if (c->spare) {
		*txn = c->spare;
		c->spare = NULL;
		if (mdb_txn_renew(*txn) == 0)
			return 0;
		mdb_txn_abort(*txn);
	}
	return mdb_txn_begin(c->env, NULL, MDB_RDONLY, txn);
}

static void
read_end(struct cache *c, MDB_txn *txn)
{
	if (txn == c->held)
		return;
	if (c->spare == NULL) {
		mdb_txn_reset(txn);
		c->spare = txn;
	} else
		mdb_txn_abort(txn);
}

/* Before the environment closes. */
static void
spare_drop(struct cache *c)
{
	if (c->spare)
		mdb_txn_abort(c->spare);
	c->spare = NULL;
}

void
cache_flush(struct desk *d)
{
	if (d->cache && !d->cache->nosync)
		mdb_env_sync(d->cache->env, 1);
}

static MDB_val
val_str(const char *s)
{
	MDB_val v = { strlen(s), (void *)s };

	return v;
}

/* Long message ids are stored by digest to fit LMDB's key limit. */
static char *
msgid_key(const char *msgid)
{
	git_oid oid;
	char hex[GIT_OID_HEXSZ + 1];

	if (strlen(msgid) <= MSGID_MAXKEY)
		return xstrdup(msgid);
	git_odb_hash(&oid, msgid, strlen(msgid), GIT_OBJECT_BLOB);
	git_oid_tostr(hex, sizeof(hex), &oid);
	return xasprintf("long:%s", hex);
}

static int
meta_get(struct cache *c, MDB_txn *txn, const char *key, char *buf, size_t size)
{
	MDB_val k = val_str(key), v;

	if (mdb_get(txn, c->meta, &k, &v) != 0 || v.mv_size >= size)
		return -1;
	memcpy(buf, v.mv_data, v.mv_size);
	buf[v.mv_size] = '\0';
	return 0;
}

static int
meta_put(struct cache *c, MDB_txn *txn, const char *key, const char *val)
{
	MDB_val k = val_str(key), v = val_str(val);

	return mdb_put(txn, c->meta, &k, &v, 0);
}

/*
 * In a batch, a ticket's record and message ids are stored with each
 * commit (the next mail of the batch needs them); its text postings and
 * its ticket.yaml wait for the batch's end, once per ticket. The ticket
 * is marked PENDING:ID in meta in the same LMDB transaction, so whoever
 * syncs next (the batch's end, or any process after a kill) finishes it
 * from HEAD: the cache never claims a head whose text is missing.
 */
#define PENDING "pending:"

static int
pending_put(struct cache *c, MDB_txn *txn, const char *id)
{
	char *key = xasprintf(PENDING "%s", id);
	MDB_val k = val_str(key), v = { 0, "" };
	int rc = mdb_put(txn, c->meta, &k, &v, 0);

	free(key);
	return rc;
}

/* The first max (0: all) ids marked with prefix, in id order; n is their number. */
static char **
mark_list(struct cache *c, MDB_txn *txn, const char *prefix, size_t max, size_t *n)
{
	MDB_cursor *cur;
	MDB_val k = val_str(prefix), v;
	char **ids = NULL;
	size_t plen = strlen(prefix);
	int op = MDB_SET_RANGE;

	*n = 0;
	if (mdb_cursor_open(txn, c->meta, &cur) != 0)
		return NULL;
	while ((!max || *n < max) && mdb_cursor_get(cur, &k, &v, op) == 0 &&
	    k.mv_size > plen && memcmp(k.mv_data, prefix, plen) == 0) {
		ids = xrealloc(ids, (*n + 1) * sizeof(*ids));
		ids[(*n)++] = xstrndup((char *)k.mv_data + plen, k.mv_size - plen);
		op = MDB_NEXT;
	}
	mdb_cursor_close(cur);
	return ids;
}

/* The ids marked pending; n is their number. */
static char **
pending_list(struct cache *c, MDB_txn *txn, size_t *n)
{
	return mark_list(c, txn, PENDING, 0, n);
}

static int
pending_del(struct cache *c, MDB_txn *txn, const char *id)
{
	char *key = xasprintf(PENDING "%s", id);
	MDB_val k = val_str(key);
	int rc = mdb_del(txn, c->meta, &k, NULL);

	free(key);
	return rc == MDB_NOTFOUND ? 0 : rc;
}

/*
 * The text index (textindex.h) of a big desk is built on first use (a
 * search, rt-gc), not by a rebuild: it is about half of one,
 * and a rebuild comes after every reboot (cacheboot.h). TEXT_BUILT in
 * meta marks it whole at the cache's head; syncs keep it up to date from
 * then on, and leave it alone before.
 */
#define TEXT_BUILT "text"
#define LAZY_TEXT_MIN 4096	/* tickets; below, a rebuild builds it at once */
/*
 * A build under way: TEXT_AT is "HEAD POS", the tickets of that head's
 * folders before POS are indexed (as that head has them). Every chunk is
 * a transaction of its own, so memory stays bounded, writers are not held
 * up, and any writer who wants the index next goes on from POS. A sync
 * meanwhile leaves the text tables alone (text_on is 0); the last chunk
 * indexes what changed between HEAD and the cache's head.
 */
#define TEXT_AT "text-at"

static int
text_built(struct cache *c, MDB_txn *txn)
{
	char v[4];

	return meta_get(c, txn, TEXT_BUILT, v, sizeof(v)) == 0;
}

static void
pending_clear(struct cache *c, MDB_txn *txn)
{
	size_t n;
	char **ids = pending_list(c, txn, &n);

	for (size_t i = 0; i < n; i++)
		(void)pending_del(c, txn, ids[i]);
	strv_free(ids, n);
}

/*
 * A sync outside a batch (one mail, one change) does not index the text
 * of the tickets it stores: it marks them UNINDEXED:ID in meta, in the
 * same transaction, and whoever next needs the text index indexes them
 * first (text_ready), or, not allowed to write, reads them instead
 * (text_search_marked). The index's words of a marked ticket are those of
 * an older version, or none; every answer is an eager index's.
 */
#define UNINDEXED "unindexed:"

static int
mark_put(struct cache *c, MDB_txn *txn, const char *prefix, const char *id)
{
	char *key = xasprintf("%s%s", prefix, id);
	MDB_val k = val_str(key), v = { 0, "" };
	int rc = mdb_put(txn, c->meta, &k, &v, 0);

	free(key);
	return rc;
}

static int
mark_del(struct cache *c, MDB_txn *txn, const char *prefix, const char *id)
{
	char *key = xasprintf("%s%s", prefix, id);
	MDB_val k = val_str(key);
	int rc = mdb_del(txn, c->meta, &k, NULL);

	free(key);
	return rc == MDB_NOTFOUND ? 0 : rc;
}

/* 1 when id carries the mark prefix (pending, unindexed). */
static int
mark_has(struct cache *c, MDB_txn *txn, const char *prefix, const char *id)
{
	char *key = xasprintf("%s%s", prefix, id);
	MDB_val k = val_str(key), v;
	int rc = mdb_get(txn, c->meta, &k, &v);

	free(key);
	return rc == 0;
}

static void
unindexed_clear(struct cache *c, MDB_txn *txn)
{
	size_t n;
	char **ids = mark_list(c, txn, UNINDEXED, 0, &n);

	for (size_t i = 0; i < n; i++)
		(void)mark_del(c, txn, UNINDEXED, ids[i]);
	strv_free(ids, n);
}


/* One ticket folder read, parsed and replayed: what is stored of it. */
struct prepared {
	char *id;
	git_oid oid;		/* its folder */
	git_tree *dir;
	struct kvmap t;
	struct evlog log;
	char *rec;		/* the serialized summary record */
	size_t len;
	int rc;			/* 0 ready, -1 damaged (skipped, rt-fsck reports it), else sysexits */
	char *err;		/* the message of rc */
	size_t size;		/* of its log */
	int owed;		/* its ticket.yaml differs, and this sync may not write it */
};

static void
prepared_free(struct prepared *p)
{
	free(p->id);
	git_tree_free(p->dir);
	kv_free(&p->t);
	log_free(&p->log);
	free(p->rec);
	free(p->err);
	memset(p, 0, sizeof(*p));
}

/*
 * A batch's tickets as prepared when their commits were indexed (defer),
 * by id, the last of each: the batch's end indexes them again for the
 * text index and ticket.yaml (index_pending). Bounded; one not kept is
 * read again.
 */
#define KEPT_MAX 1024
#define KEPT_BYTES (4UL << 20)	/* of logs */

static void
kept_drop(struct cache *c, size_t i)
{
	c->kept_bytes -= c->kept[i].size;
	prepared_free(&c->kept[i]);
	c->kept[i] = c->kept[--c->nkept];
}

static void
kept_clear(struct cache *c)
{
	while (c->nkept)
		kept_drop(c, c->nkept - 1);
	free(c->kept);
	c->kept = NULL;
	c->kept_bytes = 0;
}

/* Moves *p into the kept ones (*p is left empty), or leaves it when full. */
static void
kept_put(struct cache *c, struct prepared *p)
{
	for (size_t i = 0; i < c->nkept; i++)
		if (strcmp(c->kept[i].id, p->id) == 0) {
			kept_drop(c, i);
			break;
		}
	if (c->nkept == KEPT_MAX || c->kept_bytes + p->size > KEPT_BYTES)
		return;
	if (c->kept == NULL)
		c->kept = xcalloc(KEPT_MAX, sizeof(*c->kept));
	c->kept[c->nkept++] = *p;
	c->kept_bytes += p->size;
	memset(p, 0, sizeof(*p));
}

/* Takes the kept ticket id into *p if its folder is still the tree dir_id. */
static int
kept_take(struct cache *c, const char *id, const git_oid *dir_id, struct prepared *p)
{
	for (size_t i = 0; i < c->nkept; i++) {
		if (strcmp(c->kept[i].id, id) != 0)
			continue;
		if (!git_oid_equal(&c->kept[i].oid, dir_id)) {
			kept_drop(c, i);
			return 0;
		}
		*p = c->kept[i];
		c->kept_bytes -= p->size;
		c->kept[i] = c->kept[--c->nkept];
		return 1;
	}
	return 0;
}

/*
 * Which folders above ticket folders the work tree has, level by level,
 * as last looked at: a rebuild goes in id order, so most tickets share
 * the answer, and a desk that checks out few tickets (or none) costs a
 * few hundred stat calls instead of an open and a stat per ticket.
 */
#define WT_LEVELS 4

struct wt_memo {
	char *path[WT_LEVELS];	/* "tickets/K", "tickets/K/7", ... */
	int there[WT_LEVELS];
};

static void
wt_memo_free(struct wt_memo *m)
{
	for (int i = 0; i < WT_LEVELS; i++)
		free(m->path[i]);
	memset(m, 0, sizeof(*m));
}

/* 0 when a folder above ticket id's is missing from the work tree (nothing to mirror into). */
static int
wt_parents_there(struct desk *d, struct wt_memo *m, const char *id)
{
	char *dir = ticket_dir(id), *slash = dir;
	int there = 1;

	for (int lv = 0; there && lv < WT_LEVELS && (slash = strchr(slash + 1, '/')); lv++) {
		*slash = '\0';
		if (m->path[lv] == NULL || strcmp(m->path[lv], dir) != 0) {
			char *abs = xasprintf("%s/%s", d->root, dir);
			struct stat st;
			for (int k = lv; k < WT_LEVELS; k++) {
				free(m->path[k]);
				m->path[k] = NULL;
			}
			m->path[lv] = xstrdup(dir);
			m->there[lv] = dir_known(abs) || stat(abs, &st) == 0;
			free(abs);
		}
		there = m->there[lv];
		*slash = '/';
	}
	free(dir);
	return there;
}

/*
 * ticket.yaml of a prepared ticket in the work tree (format 2), unless in
 * a batch. Written only under the desk lock, as every work-tree file: a
 * sync without it (sync_to) notes the copy that differs as owed instead.
 * A batch's end (txn_batch_open: its tickets, indexed for their words)
 * hands the files to the work-tree thread, which writes them while the
 * words are indexed; the batch drains it before the lock goes.
 */
static void
mirror_ticket(struct desk *d, struct prepared *p, struct wt_memo *wt)
{
	if (wt == NULL || d->cache->readonly || d->cache->defer || !wt_parents_there(d, wt, p->id))
		return;
	if (d->cache->unlocked) {
		p->owed = ticket_worktree_owed(d, p->id, &p->t);
		return;
	}
	if (txn_batch_open(d))
		(void)ticket_render_worktree_queued(d, p->id, &p->t);
	else
		(void)ticket_render_worktree(d, p->id, &p->t);
}

/*
 * Reads and replays the ticket of folder p->oid from repo (the desk's, or
 * the reading thread's own): everything but the LMDB writes. again: the
 * log may extend the one ticket_load kept (log_parse_again); a reading
 * thread passes 0 and shares no state with the writer. wt: the caller's
 * memo of the work tree's folders (one per thread); NULL: no ticket.yaml
 * mirrored (the text index's own pass, a reader's search).
 */
static void
prepare_ticket(struct desk *d, git_repository *repo, struct prepared *p, int again,
    struct wt_memo *wt)
{
	struct kvmap rec = KVMAP_INIT;
	char *buf = NULL;
	size_t len;

	p->rc = -1;
	if (git_tree_lookup(&p->dir, repo, &p->oid) < 0) {
		p->rc = git_fail(-1, p->id);
		p->err = xstrdup(rt_errmsg());
		return;
	}
	if (id_format() >= 2) {
		/* the state is the replay of the log; people who cat get a copy */
		if (tree_read(repo, p->dir, "log.yaml", &buf, &len) != 0 ||
		    (again ? log_parse_again : log_parse)(buf, len, p->id, &p->log) != 0 ||
		    replay(p->id, &p->log, &p->t, NULL) != 0)
			goto out;
		mirror_ticket(d, p, wt);
		p->size = len;
	} else {
		if (tree_read(repo, p->dir, "ticket.yaml", &buf, &len) != 0 ||
		    ticket_parse(buf, len, p->id, &p->t) != 0)
			goto out;
		free(buf);
		buf = NULL;
		if (tree_read(repo, p->dir, "log.yaml", &buf, &len) == 0 &&
		    log_parse(buf, len, p->id, &p->log) == 0)
			log_sort(&p->log);
	}
	summary_build(&p->t, &p->log, &rec);
	p->rec = kv_serialize(&rec, &p->len);
	p->rc = 0;
out:
	free(buf);
	kv_free(&rec);
}

/*
 * Stores a prepared ticket's words; in a batch, or owed a ticket.yaml this
 * sync may not write, marks it PENDING (finish_pending, under the lock).
 * 0 or an MDB error.
 */
static int
store_text(struct desk *d, MDB_txn *txn, const struct prepared *p)
{
	struct cache *c = d->cache;
	int rc;

	if (c->defer || p->owed)
		return pending_put(c, txn, p->id);
	if (!c->text_on)
		return 0;
	if (c->text_later)
		return mark_put(c, txn, UNINDEXED, p->id);
	if ((rc = textindex_put(d, txn, &c->text, p->id, p->dir, &p->t, &p->log)) != 0)
		return rc;
	return mark_del(c, txn, UNINDEXED, p->id);
}

/* Stores a prepared ticket: its record, its Message-Ids, its words (in a batch: marked PENDING). */
static int
store_ticket(struct desk *d, MDB_txn *txn, const struct prepared *p)
{
	struct cache *c = d->cache;
	MDB_val k = val_str(p->id), v = { p->len, p->rec };
	int rc;

	if (p->rc == -1)
		return 0;
	if (p->rc != 0)
		return rt_fail(p->rc, "%s", p->err);
	rc = mdb_put(txn, c->tickets, &k, &v, 0);
	for (size_t i = 0; rc == 0 && i < p->log.n; i++) {
		const char *mid = kv_get(&p->log.ev[i], "message-id");
		if (mid == NULL)
			continue;
		char *key = msgid_key(mid);
		MDB_val mk = val_str(key), mv = val_str(p->id);
		rc = mdb_put(txn, c->msgids, &mk, &mv, 0);
		free(key);
	}
	if (rc == 0)
		rc = store_text(d, txn, p);
	return rc != 0 ? mdb_fail(rc, "cannot store") : 0;
}


/* Indexes the ticket whose folder is the tree dir_id. */
static int
index_ticket(struct desk *d, MDB_txn *txn, const char *id, const git_oid *dir_id,
    struct wt_memo *wt)
{
	struct prepared p;
	int rc;

	memset(&p, 0, sizeof(p));
	p.id = xstrdup(id);
	git_oid_cpy(&p.oid, dir_id);
	prepare_ticket(d, d->repo, &p, 1, wt);
	rc = store_ticket(d, txn, &p);
	if (rc == 0 && d->cache->defer && p.rc == 0)
		kept_put(d->cache, &p);
	prepared_free(&p);
	return rc;
}

/*
 * Indexes a ticket of a batch at its end (finish_pending): the text
 * index and ticket.yaml waited for it. Its folder as indexed when its
 * commit was built, if it is still the same tree, is not read, parsed
 * and replayed again (a fifth of a bulk import).
 */
static int
index_pending(struct desk *d, MDB_txn *txn, const char *id, const git_oid *dir_id,
    struct wt_memo *wt)
{
	struct prepared p;
	int rc;

	if (!kept_take(d->cache, id, dir_id, &p))
		return index_ticket(d, txn, id, dir_id, wt);
	mirror_ticket(d, &p, wt);
	/* its record and message ids, stored with its commit, are this folder's */
	rc = store_text(d, txn, &p);
	prepared_free(&p);
	return rc != 0 ? mdb_fail(rc, "cannot store") : 0;
}

static int
drop_ticket(struct desk *d, MDB_txn *txn, const char *id)
{
	MDB_val k = val_str(id);
	int rc = mdb_del(txn, d->cache->tickets, &k, NULL);

	if ((rc == 0 || rc == MDB_NOTFOUND) && d->cache->text_on)
		rc = textindex_drop(txn, &d->cache->text, id);
	else if (rc == MDB_NOTFOUND)
		rc = 0;
	if (rc == 0)
		rc = pending_del(d->cache, txn, id);
	if (rc == 0)
		rc = mark_del(d->cache, txn, UNINDEXED, id);
	return rc == 0 ? 0 : mdb_fail(rc, "cannot delete");
}

/*
 * The write transaction of a catch-up. A full rebuild commits every
 * REBUILD_CHUNK tickets: LMDB keeps a transaction's dirty pages in
 * memory, so one transaction for a whole desk grew with the desk (382 MB
 * at 100k tickets). The "head" mark is gone until the last commit, so an
 * interrupted rebuild is done again in full.
 */
#define REBUILD_CHUNK 2000	/* tickets; RT_CACHE_CHUNK for tests */

struct sync_txn {
	struct cache *c;
	MDB_env *env;
	MDB_txn *txn;
	size_t chunk;		/* 0: one transaction */
	size_t n;
	size_t visited;		/* tickets stored */
	struct wt_memo wt;	/* the writing thread's */
};

static void
unmap_pages(struct cache *c)
{
	if (!c->map_looked++)
		find_map(c);
	if (c->map)
		(void)madvise(c->map, c->maplen, MADV_DONTNEED);
}

static size_t
rebuild_chunk(void)
{
	return getenv("RT_CACHE_CHUNK") ? strtoul(getenv("RT_CACHE_CHUNK"), NULL, 10) :
	    REBUILD_CHUNK;
}

#define SYNC_LEFT (-2)	/* sync_step: another process built the cache meanwhile */
#define SYNC_WAIT (-3)	/* sync_step: another process is building it: wait for its lock */

static int
sync_step(struct sync_txn *st)
{
	size_t id;
	int rc;

	if (st->chunk == 0 || ++st->n % st->chunk)
		return 0;
	id = mdb_txn_id(st->txn);
	if ((rc = mdb_txn_commit(st->txn)) != 0) {
		st->txn = NULL;
		return mdb_fail(rc, "cannot update");
	}
	unmap_pages(st->c);
	if ((rc = mdb_txn_begin(st->env, NULL, 0, &st->txn)) != 0) {
		st->txn = NULL;
		return mdb_fail(rc, "cannot begin");
	}
	/*
	 * A rebuild without the desk lock (a reader's): a writer that wrote
	 * the cache between two of its transactions found no head and builds
	 * it itself, from its newer HEAD. The rest is not ours to write: the
	 * cache would mix two commits and record the older (head_now). Built
	 * (it has a head again), it is read as it is; else its builder, which
	 * holds the desk lock until the cache is whole, is waited for.
	 */
	if (st->c->unlocked && mdb_txn_id(st->txn) != id + 1) {
		char hex[GIT_OID_HEXSZ + 1];
		int built = meta_get(st->c, st->txn, "head", hex, sizeof(hex)) == 0;
		mdb_txn_abort(st->txn);
		st->txn = NULL;
		return built ? SYNC_LEFT : SYNC_WAIT;
	}
	return 0;
}

/* Called for each ticket folder that differs: now is its tree id, or NULL when it is gone. */
typedef int (*folder_fn)(const char *name, const git_oid *now, void *arg);

/*
 * Walks tickets/K/7/M/ID (format 1: tickets/K7/M2/ID) in two trees (either
 * may be NULL) and calls fn for each ticket folder whose tree id differs.
 * Unchanged subtrees are skipped, so the cost is proportional to what changed.
 */
static int
changed_folders(struct desk *d, git_tree *a, git_tree *b, int depth, folder_fn fn, void *arg)
{
	size_t na = a ? git_tree_entrycount(a) : 0, nb = b ? git_tree_entrycount(b) : 0;
	size_t i = 0, j = 0;
	int rc = 0;

	while (rc == 0 && (i < na || j < nb)) {
		const git_tree_entry *ea = i < na ? git_tree_entry_byindex(a, i) : NULL;
		const git_tree_entry *eb = j < nb ? git_tree_entry_byindex(b, j) : NULL;
		int cmp = !ea ? 1 : !eb ? -1 : strcmp(git_tree_entry_name(ea), git_tree_entry_name(eb));
		const git_tree_entry *xa = cmp <= 0 ? ea : NULL, *xb = cmp >= 0 ? eb : NULL;
		int ta = xa && git_tree_entry_type(xa) == GIT_OBJECT_TREE;
		int tb = xb && git_tree_entry_type(xb) == GIT_OBJECT_TREE;
		git_tree *sa = NULL, *sb = NULL;

		i += cmp <= 0;
		j += cmp >= 0;
		if (xa && xb && git_oid_equal(git_tree_entry_id(xa), git_tree_entry_id(xb)))
			continue;
		if (depth == id_levels()) {
			if (tb || ta)
				rc = fn(git_tree_entry_name(tb ? xb : xa),
				    tb ? git_tree_entry_id(xb) : NULL, arg);
			continue;
		}
		if (ta)
			git_tree_lookup(&sa, d->repo, git_tree_entry_id(xa));
		if (tb)
			git_tree_lookup(&sb, d->repo, git_tree_entry_id(xb));
		rc = changed_folders(d, sa, sb, depth + 1, fn, arg);
		git_tree_free(sa);
		git_tree_free(sb);
	}
	return rc;
}

struct sync_walk {
	struct desk *d;
	struct sync_txn *st;
};

/* Re-indexes a changed ticket folder, or drops a gone one. */
static int
sync_folder(const char *name, const git_oid *now, void *arg)
{
	struct sync_walk *w = arg;
	int rc = now ? index_ticket(w->d, w->st->txn, name, now, &w->st->wt) :
	    drop_ticket(w->d, w->st->txn, name);

	return rc ? rc : sync_step(w->st);
}

static git_tree_entry *folder_in(git_tree *root, const char *id);

/*
 * changed_folders for the tickets the hint names (cachehint.h): each
 * looked up in commit head's tree, none compared.
 */
static int
hinted_folders(git_commit *head, char *const *ids, size_t n, folder_fn fn, void *arg)
{
	git_tree *root = NULL;
	int rc = 0;

	if (n && git_commit_tree(&root, head) < 0)
		return git_fail(-1, "cannot read HEAD tree");
	for (size_t i = 0; rc == 0 && i < n; i++) {
		git_tree_entry *e = folder_in(root, ids[i]);
		rc = fn(ids[i], e ? git_tree_entry_id(e) : NULL, arg);
		git_tree_entry_free(e);
	}
	git_tree_free(root);
	return rc;
}

void
cache_note_commit(struct desk *d, const git_oid *parent, const git_oid *commit,
    const char *const *paths, size_t n)
{
	if (d->cache)
		cachehint_note(&d->cache->hint, parent, commit, paths, n);
}

/*
 * A full rebuild on three threads: READERS reading threads, each with a
 * repository handle of its own, read, parse and replay every READERS-th
 * ticket up to AHEAD tickets ahead, while this thread stores them in id
 * order (an LMDB write transaction belongs to one thread, and the text
 * index parses mail with libmailutils, which is not thread-safe). Without
 * the text index, storing is a fifth of the work: one reader kept this
 * thread waiting, and on a shared machine each runnable thread gets its
 * share of the cores.
 */
#define AHEAD 256
#define READERS 2
#define THREADED_MIN 4096	/* tickets; fewer are not worth a thread (RT_CACHE_THREADED_MIN) */

struct folders {
	char **name;
	git_oid *oid;
	size_t n, cap;
};

static void
folders_free(struct folders *f)
{
	strv_free(f->name, f->n);
	free(f->oid);
}

/* The ticket folders under tickets/ (tree t at depth), in id order. */
static int
folders_of(struct desk *d, git_tree *t, int depth, struct folders *f)
{
	int rc = 0;

	for (size_t i = 0; rc == 0 && t && i < git_tree_entrycount(t); i++) {
		const git_tree_entry *e = git_tree_entry_byindex(t, i);
		git_tree *sub = NULL;
		if (git_tree_entry_type(e) != GIT_OBJECT_TREE)
			continue;
		if (depth < id_levels()) {
			if (git_tree_lookup(&sub, d->repo, git_tree_entry_id(e)) == 0)
				rc = folders_of(d, sub, depth + 1, f);
			git_tree_free(sub);
			continue;
		}
		if (f->n == f->cap) {
			f->cap = f->cap ? f->cap * 2 : 1024;
			f->name = xrealloc(f->name, f->cap * sizeof(*f->name));
			f->oid = xrealloc(f->oid, f->cap * sizeof(*f->oid));
		}
		f->name[f->n] = xstrdup(git_tree_entry_name(e));
		git_oid_cpy(&f->oid[f->n++], git_tree_entry_id(e));
	}
	return rc;
}

/* Called on this thread for each prepared ticket, in id order; non-zero stops the walk. */
typedef int (*visit_fn)(struct desk *d, struct prepared *p, void *arg);

struct reader {
	struct desk *d;
	const struct folders *f;
	int mirror;			/* ticket.yaml mirrored into the work tree */
	struct prepared slot[AHEAD];	/* ticket i in slot i % AHEAD */
	char ready[AHEAD];		/* the slot's ticket is prepared */
	size_t taken;			/* tickets before it are visited */
	size_t wanted;			/* the ticket the writer waits for */
	int stop;
	int readers_wait, writer_waits;
	pthread_mutex_t mu;
	pthread_cond_t to_reader, to_writer;
};

/* One reading thread: tickets first, first + READERS, ... */
struct reading {
	struct reader *r;
	size_t first;
	git_repository *repo;
	struct wt_memo wt;
	pthread_t th;
	int started;
};

/*
 * Each side wakes the other only after a quarter of the slots has moved,
 * not per ticket: on a busy machine every wake-up is a wait for a core.
 * The reader of the ticket the writer waits for gets a quarter further
 * before it blocks, and so wakes it.
 */
static void *
reader_main(void *arg)
{
	struct reading *g = arg;
	struct reader *r = g->r;

	for (size_t i = g->first; i < r->f->n; i += READERS) {
		struct prepared *p = &r->slot[i % AHEAD];
		pthread_mutex_lock(&r->mu);
		while (!r->stop && i - r->taken >= AHEAD) {
			r->readers_wait++;
			pthread_cond_wait(&r->to_reader, &r->mu);
			r->readers_wait--;
		}
		pthread_mutex_unlock(&r->mu);
		if (r->stop)
			break;
		prepared_free(p);	/* here, not by the writer: no locking of this thread's arena */
		p->id = xstrdup(r->f->name[i]);
		git_oid_cpy(&p->oid, &r->f->oid[i]);
		prepare_ticket(r->d, g->repo, p, 0, r->mirror ? &g->wt : NULL);
		pthread_mutex_lock(&r->mu);
		r->ready[i % AHEAD] = 1;
		if (r->writer_waits && (i >= r->wanted + AHEAD / 4 || i + READERS >= r->f->n))
			pthread_cond_signal(&r->to_writer);
		pthread_mutex_unlock(&r->mu);
	}
	return NULL;
}

/* Hands fn what the reader prepares, in order; 0 or what fn returned. */
static int
visit_all(struct reader *r, visit_fn fn, void *arg)
{
	int rc = 0;

	for (size_t i = 0; rc == 0 && i < r->f->n; i++) {
		pthread_mutex_lock(&r->mu);
		while (!r->ready[i % AHEAD]) {
			r->wanted = i;
			r->writer_waits = 1;
			pthread_cond_wait(&r->to_writer, &r->mu);
		}
		r->writer_waits = 0;
		pthread_mutex_unlock(&r->mu);
		rc = fn(r->d, &r->slot[i % AHEAD], arg);
		pthread_mutex_lock(&r->mu);
		r->ready[i % AHEAD] = 0;
		r->taken = i + 1;
		if (r->readers_wait && (r->taken % (AHEAD / 4) == 0 || r->taken == r->f->n))
			pthread_cond_broadcast(&r->to_reader);
		pthread_mutex_unlock(&r->mu);
	}
	return rc;
}

/* Whether n tickets are worth a reading thread. */
static int
threads_pay(size_t n)
{
	return (git_libgit2_features() & GIT_FEATURE_THREADS) && !getenv("RT_CACHE_NOTHREAD") &&
	    n >= (getenv("RT_CACHE_THREADED_MIN") ?
	    strtoul(getenv("RT_CACHE_THREADED_MIN"), NULL, 10) : THREADED_MIN);
}

/*
 * Prepares the tickets of f on a reading thread and hands each to fn
 * here. Returns 0, what fn returned, or 1 when no thread was to be had.
 */
static int
walk_threaded(struct desk *d, const struct folders *f, int mirror, visit_fn fn, void *arg)
{
	struct reader *r;
	struct reading g[READERS];
	int rc = 1, all = 1;

	r = xcalloc(1, sizeof(*r));
	r->d = d;
	r->f = f;
	r->mirror = mirror;
	pthread_mutex_init(&r->mu, NULL);
	pthread_cond_init(&r->to_reader, NULL);
	pthread_cond_init(&r->to_writer, NULL);
	memset(g, 0, sizeof(g));
	for (size_t k = 0; k < READERS; k++) {
		g[k].r = r;
		g[k].first = k;
		all = all && git_repository_open_ext(&g[k].repo, d->root,
		    GIT_REPOSITORY_OPEN_NO_SEARCH, NULL) == 0 &&
		    (g[k].started = pthread_create(&g[k].th, NULL, reader_main, &g[k]) == 0);
	}
	if (all)
		rc = visit_all(r, fn, arg);
	pthread_mutex_lock(&r->mu);
	r->stop = 1;
	pthread_cond_broadcast(&r->to_reader);
	pthread_mutex_unlock(&r->mu);
	for (size_t k = 0; k < READERS; k++) {
		if (g[k].started)
			pthread_join(g[k].th, NULL);
		git_repository_free(g[k].repo);
		wt_memo_free(&g[k].wt);
	}
	for (size_t i = 0; i < AHEAD; i++)
		prepared_free(&r->slot[i]);
	pthread_cond_destroy(&r->to_reader);
	pthread_cond_destroy(&r->to_writer);
	pthread_mutex_destroy(&r->mu);
	free(r);
	return rc;
}

/*
 * The tickets of f prepared (without mirroring) and handed to fn in id
 * order; 0 or what fn returned. f may be a part of total tickets.
 */
static int
walk_folders(struct desk *d, const struct folders *f, size_t total, visit_fn fn, void *arg)
{
	int rc = 1;

	if (threads_pay(total))
		rc = walk_threaded(d, f, 0, fn, arg);
	if (rc != 1)
		return rc;
	rc = 0;
	for (size_t i = 0; rc == 0 && i < f->n; i++) {
		struct prepared p;
		memset(&p, 0, sizeof(p));
		p.id = xstrdup(f->name[i]);
		git_oid_cpy(&p.oid, &f->oid[i]);
		prepare_ticket(d, d->repo, &p, 0, NULL);
		rc = fn(d, &p, arg);
		prepared_free(&p);
	}
	return rc;
}

static int
store_visit(struct desk *d, struct prepared *p, void *arg)
{
	struct sync_txn *st = arg;
	int rc = store_ticket(d, st->txn, p);

	if (st->visited++ % 64 == 0)
		unmap_pages(st->c);
	return rc ? rc : sync_step(st);
}

/*
 * Indexes every ticket folder of tree t (tickets/ at HEAD). Returns 0, a
 * sysexits code, or 1 when it did nothing because a thread is not worth
 * it or not to be had: the caller then walks the tree itself.
 */
static int
rebuild_threaded(struct desk *d, struct sync_txn *st, git_tree *t)
{
	struct folders f = { NULL, NULL, 0, 0 };
	int rc;

	if (!threads_pay((size_t)-1))
		return 1;
	rc = folders_of(d, t, 0, &f);
	if (rc == 0)
		rc = threads_pay(f.n) ? walk_threaded(d, &f, 1, store_visit, st) : 1;
	folders_free(&f);
	return rc;
}

/*
 * Indexes the pending tickets in full as HEAD has them. A ticket not in
 * HEAD stays pending: its commit is still in another process's batch
 * (one that died leaves a head no odb has, and the rebuild clears all).
 * Committed every REBUILD_CHUNK tickets, so a batch of any size is
 * finished in bounded memory; each commit leaves the cache consistent.
 */
static int
finish_pending(struct desk *d, struct sync_txn *st, git_commit *head)
{
	struct cache *c = d->cache;
	git_tree *root = NULL;
	size_t n, chunk = st->chunk;
	char **ids = pending_list(c, st->txn, &n);
	int rc = 0;

	if (n && git_commit_tree(&root, head) < 0)
		rc = git_fail(-1, "cannot read HEAD tree");
	for (size_t i = 0; i < n && rc == 0; i++) {
		char *dir = ticket_dir(ids[i]);
		git_tree_entry *e = NULL;
		if (git_tree_entry_bypath(&e, root, dir) == 0 &&
		    git_tree_entry_type(e) == GIT_OBJECT_TREE &&
		    (rc = index_pending(d, st->txn, ids[i], git_tree_entry_id(e), &st->wt)) == 0 &&
		    (rc = pending_del(c, st->txn, ids[i])) == 0) {
			st->chunk = chunk ? chunk : rebuild_chunk();
			rc = sync_step(st);
			st->chunk = chunk;
		}
		git_tree_entry_free(e);
		free(dir);
	}
	kept_clear(c);
	git_tree_free(root);
	strv_free(ids, n);
	return rc;
}

static int
pending_any(struct cache *c, MDB_txn *txn)
{
	size_t n;
	char **ids = pending_list(c, txn, &n);

	strv_free(ids, n);
	return n > 0;
}

/* The tickets/ subtree of a commit, or NULL. */
static git_tree *
tickets_tree(struct desk *d, const git_oid *commit_id)
{
	git_commit *c = NULL;
	git_tree *root = NULL, *t = NULL;
	git_tree_entry *e = NULL;

	if (git_commit_lookup(&c, d->repo, commit_id) < 0)
		return NULL;
	if (git_commit_tree(&root, c) == 0 && git_tree_entry_bypath(&e, root, "tickets") == 0)
		git_tree_lookup(&t, d->repo, git_tree_entry_id(e));
	git_tree_entry_free(e);
	git_tree_free(root);
	git_commit_free(c);
	return t;
}

struct id_walk {
	cache_id_fn fn;
	void *arg;
};

/* Hands fn the folders named as ids (not a stray folder's name). */
static int
id_folder(const char *name, const git_oid *now, void *arg)
{
	struct id_walk *w = arg;
	ticket_id id;

	(void)now;
	if (id_parse(name, id) == 0 && strcmp(name, id) == 0)
		return w->fn(id, w->arg);
	return 0;
}

int
cache_tickets_changed(struct desk *d, const git_oid *a, const git_oid *b, cache_id_fn fn,
    void *arg)
{
	git_tree *ta = tickets_tree(d, a), *tb = tickets_tree(d, b);
	int rc = changed_folders(d, ta, tb, 0, id_folder, &(struct id_walk){ fn, arg });

	git_tree_free(ta);
	git_tree_free(tb);
	return rc;
}

/*
 * Reading every ticket: each folder is read once (libgit2 keeping the
 * trees was 16 MB per 10k tickets), and the pack from start to end:
 * small windows, fewer kept mapped. Off: back to desk_open_repo's.
 */
static void
whole_desk_limits(int on)
{
	git_libgit2_opts(GIT_OPT_SET_CACHE_OBJECT_LIMIT, GIT_OBJECT_TREE, on ? (size_t)0 : (size_t)4 << 20);
	git_libgit2_opts(GIT_OPT_SET_MWINDOW_SIZE, on ? (size_t)4 << 20 : (size_t)32 << 20);
	git_libgit2_opts(GIT_OPT_SET_MWINDOW_MAPPED_LIMIT, on ? (size_t)16 << 20 : (size_t)64 << 20);
}

/*
 * Whether the cache reflects HEAD (and, with pending, has no ticket of a
 * batch still waiting), asked in a read-only transaction: a reader never
 * queues behind a batch's write transaction, which stays open until the
 * batch's group has moved the branch.
 */
static int
is_current(struct cache *c, const char *headhex, int pending)
{
	char hex[GIT_OID_HEXSZ + 1] = "", ver[8] = "", fmt[8], oldfmt[8] = "";
	MDB_txn *txn;
	int yes;

	if (mdb_txn_begin(c->env, NULL, MDB_RDONLY, &txn) != 0)
		return 0;
	snprintf(fmt, sizeof(fmt), "%d", id_format());
	meta_get(c, txn, "head", hex, sizeof(hex));
	meta_get(c, txn, "version", ver, sizeof(ver));
	meta_get(c, txn, "format", oldfmt, sizeof(oldfmt));
	yes = strcmp(hex, headhex) == 0 && strcmp(ver, cache_version()) == 0 &&
	    strcmp(oldfmt, fmt) == 0 && !(pending && pending_any(c, txn));
	mdb_txn_abort(txn);
	return yes;
}

/* A read-only cache serves only while it reflects HEAD. */
static int
check_readonly(struct cache *c, const char *headhex)
{
	if (is_current(c, headhex, 0))
		return 0;
	return rt_fail(EX_NOPERM, "ticket cache: behind HEAD and not writable by this user "
	    "(any rt command or rt-gc run by a writer brings it up to date)");
}

static int text_ready(struct desk *d);

/* Tickets from which a rebuild leaves the text index to its first use (RT_CACHE_LAZY_MIN for tests). */
static size_t
lazy_text_min(void)
{
	return getenv("RT_CACHE_LAZY_MIN") ? strtoul(getenv("RT_CACHE_LAZY_MIN"), NULL, 10) :
	    LAZY_TEXT_MIN;
}

/*
 * A sync without the desk lock read HEAD before its write transaction:
 * meanwhile a writer may have moved the branch and brought the cache to
 * its new commit, and the cache, synced to the HEAD read before, would go
 * back to an older commit. Inside the transaction no one else writes the
 * cache, and what the branch names now is where the cache is or past it
 * (a writer moves the branch before its sync; a batch's records are
 * committed after its branch moved): read again, *head and hex become it,
 * so such a sync only ever moves the cache forward.
 */
static int
head_now(struct desk *d, git_commit **head, char hex[GIT_OID_HEXSZ + 1])
{
	git_commit *now = NULL;
	git_oid id;
	int rc;

	if (git_reference_name_to_id(&id, d->repo, "HEAD") < 0 ||
	    git_oid_equal(&id, git_commit_id(*head)))
		return 0;	/* unborn or unreadable now: the sync goes on as it began */
	if ((rc = git_commit_lookup(&now, d->repo, &id)) < 0)
		return git_fail(rc, "cannot read HEAD commit");
	git_commit_free(*head);
	*head = now;
	git_oid_tostr(hex, GIT_OID_HEXSZ + 1, &id);
	return 0;
}

static int
sync_head(struct desk *d, int full)
{
	struct cache *c = d->cache;
	git_commit *head = NULL;
	git_oid old_id;
	git_tree *old = NULL, *new = NULL;
	struct sync_txn st;
	MDB_txn *txn;
	char oldhex[GIT_OID_HEXSZ + 1] = "", newhex[GIT_OID_HEXSZ + 1], ver[8];
	char fmt[8], oldfmt[8];
	char *const *hinted = NULL;
	size_t nhinted = 0;
	int rc, rebuild, use_hint = 0;

	memset(&st, 0, sizeof(st));
	if ((rc = desk_head(d, &head)) != 0 || head == NULL)
		return rc;
	git_oid_tostr(newhex, sizeof(newhex), git_commit_id(head));
	if (c->readonly) {
		git_commit_free(head);
		return check_readonly(c, newhex);
	}
	if (c->held == NULL && !c->defer && !full && is_current(c, newhex, 1)) {
		git_commit_free(head);
		return 0;
	}
	/*
	 * ticket.yaml is written under the desk lock, as every work-tree
	 * file: rendered from a HEAD read without it, a reader's copy could
	 * replace the newer one of a delivery that committed meanwhile. A
	 * process without it (a reader) takes it if free and reads HEAD again;
	 * busy, the copies that differ wait, marked, for its holder's sync.
	 */
	if (d->lockfd < 0 && !c->defer && desk_lock_try(d) == 0) {
		c->took_lock = 1;
		git_commit_free(head);
		if ((rc = desk_head(d, &head)) != 0 || head == NULL)
			return rc;
		git_oid_tostr(newhex, sizeof(newhex), git_commit_id(head));
	}
	c->unlocked = d->lockfd < 0 && !c->defer;
	/* at HEAD, only tickets owed to the lock's holder: nothing for us */
	if (c->unlocked && c->held == NULL && !full && is_current(c, newhex, 0)) {
		git_commit_free(head);
		return 0;
	}
	test_hold("RT_TEST_SYNC_HOLD");	/* t1703: what a delivery does meanwhile */
	if ((txn = c->held) != NULL)
		c->held = NULL;
	else if ((rc = mdb_txn_begin(c->env, NULL, 0, &txn)) != 0) {
		git_commit_free(head);
		return mdb_fail(rc, "cannot begin");
	}
	if (c->unlocked && (rc = head_now(d, &head, newhex)) != 0) {
		mdb_txn_abort(txn);
		git_commit_free(head);
		return rc;
	}
	if (meta_get(c, txn, "version", ver, sizeof(ver)) != 0 || strcmp(ver, cache_version()))
		full = 1;
	/* an upgraded desk has other folders: its trees cannot be compared */
	snprintf(fmt, sizeof(fmt), "%d", id_format());
	if (meta_get(c, txn, "format", oldfmt, sizeof(oldfmt)) != 0 || strcmp(oldfmt, fmt))
		full = 1;
	if (!full && meta_get(c, txn, "head", oldhex, sizeof(oldhex)) == 0 &&
	    strcmp(oldhex, newhex) == 0 && (c->defer || c->unlocked || !pending_any(c, txn))) {
		if (c->defer && d->lockfd >= 0)
			c->held = txn;	/* may hold the batch's records: kept */
		else
			mdb_txn_abort(txn);
		git_commit_free(head);
		return 0;
	}
	/* this process's own commits since the cache's head: no trees compared */
	if (!full && oldhex[0] && git_oid_fromstr(&old_id, oldhex) == 0 &&
	    !(use_hint = cachehint_ids(&c->hint, &old_id, git_commit_id(head), &hinted, &nhinted)))
		old = tickets_tree(d, &old_id);
	rebuild = old == NULL && !use_hint;
	st.c = c;
	st.env = c->env;
	c->text_on = !rebuild && text_built(c, txn);
	if (rebuild) {
		kept_clear(c);
		c->text_ready = 0;
		MDB_val k = { 4, "head" }, kt = val_str(TEXT_BUILT);
		mdb_drop(txn, c->tickets, 0);
		mdb_drop(txn, c->msgids, 0);
		textindex_clear(txn, &c->text);
		mdb_del(txn, c->meta, &k, NULL);
		mdb_del(txn, c->meta, &kt, NULL);
		kt = val_str(TEXT_AT);
		mdb_del(txn, c->meta, &kt, NULL);
		pending_clear(c, txn);
		unindexed_clear(c, txn);
		st.chunk = rebuild_chunk();
		whole_desk_limits(1);
	}
	st.txn = txn;
	c->text_later = !rebuild;
	if (use_hint)
		rc = hinted_folders(head, hinted, nhinted, sync_folder,
		    &(struct sync_walk){ d, &st });
	else {
		new = tickets_tree(d, git_commit_id(head));
		if (old != NULL || (rc = rebuild_threaded(d, &st, new)) == 1)
			rc = changed_folders(d, old, new, 0, sync_folder,
			    &(struct sync_walk){ d, &st });
	}
	c->text_later = 0;	/* a batch's end indexes its tickets at once, as it always did */
	if (rc == SYNC_LEFT || rc == SYNC_WAIT) {	/* another process built or builds it */
		if (rebuild)
			whole_desk_limits(0);
		cachehint_drop(&c->hint);
		wt_memo_free(&st.wt);
		git_tree_free(old);
		git_tree_free(new);
		git_commit_free(head);
		if (rc == SYNC_LEFT)
			return 0;	/* built meanwhile: read as it is */
		/*
		 * Still building: its builder has the desk lock until the cache
		 * is whole. Wait for it in turn (RT_LOCK_TIMEOUT), as a writer
		 * would, then sync from what it built, under the lock.
		 */
		if ((rc = desk_lock_wait(d)) != 0)
			return rc;
		c->took_lock = 1;
		c->unlocked = 0;
		return sync_head(d, full);
	}
	if (rc == 0 && st.txn && !c->defer && !c->unlocked)
		rc = finish_pending(d, &st, head);
	if (rc == 0 && st.txn && !c->defer && c->text_on &&
	    (rc = textindex_fold(st.txn, &c->text, 0)) != 0)
		rc = mdb_fail(rc, "cannot index");
	if (rebuild)
		whole_desk_limits(0);
	txn = st.txn;
	if (txn == NULL)
		;	/* a chunk's commit failed; the message is set */
	else if (rc == 0 && (rc = meta_put(c, txn, "head", newhex)) == 0 &&
	    (rc = meta_put(c, txn, "version", cache_version())) == 0 &&
	    (rc = meta_put(c, txn, "format", fmt)) == 0) {
		if (c->defer && d->lockfd >= 0)
			c->held = txn;	/* committed by cache_settle, before the lock goes */
		else
			rc = mdb_txn_commit(txn);
	} else
		mdb_txn_abort(txn);
	if (rc >= EX__BASE && rc <= EX__MAX)
		;	/* a sysexits code, its message set (indexing, a chunk's step) */
	else if (rc != 0)
		rc = mdb_fail(rc, "cannot update");
	/* the cache is at HEAD (or, failed, somewhere): own commits chain from there */
	if (rc == 0)
		cachehint_reset(&c->hint, git_commit_id(head));
	else
		cachehint_drop(&c->hint);
	/* a small desk's text index costs little: built at once, as the rebuild's last step */
	if (rc == 0 && rebuild && !c->defer && cache_count(d) < lazy_text_min())
		rc = (rc = text_ready(d)) == 1 ? 0 : rc;
	wt_memo_free(&st.wt);
	git_tree_free(old);
	git_tree_free(new);
	git_commit_free(head);
	return rc;
}

/* sync_head, and the desk lock it took let go */
static int
sync_to(struct desk *d, int full)
{
	struct cache *c = d->cache;
	int rc = sync_head(d, full);

	c->unlocked = 0;
	if (c->took_lock) {
		c->took_lock = 0;
		desk_unlock(d);
	}
	return rc;
}

int
cache_sync(struct desk *d)
{
	return sync_to(d, 0);
}

int
cache_rebuild(struct desk *d)
{
	return sync_to(d, 1);
}

int
cache_open_rebuilt(struct desk *d)
{
	char *p = xasprintf("%s/cache.mdb", d->rtdir), *l = xasprintf("%s-lock", p);

	cache_close(d);
	unlink(p);
	unlink(l);
	free(p);
	free(l);
	return cache_open(d);
}

/* The ticket folders of commit hex ("" on an empty desk), in id order. */
static int
folders_at(struct desk *d, const char *hex, struct folders *f)
{
	git_oid id;
	git_tree *t;
	int rc;

	folders_free(f);
	memset(f, 0, sizeof(*f));
	if (git_oid_fromstr(&id, hex) != 0 || (t = tickets_tree(d, &id)) == NULL)
		return 0;
	rc = folders_of(d, t, 0, f);
	git_tree_free(t);
	return rc;
}

struct text_build {
	struct desk *d;
	MDB_txn *txn;
	size_t n;
};

static int
text_visit(struct desk *d, struct prepared *p, void *arg)
{
	struct text_build *b = arg;
	int rc;

	if (p->rc == -1)
		return 0;
	if (p->rc != 0)
		return rt_fail(p->rc, "%s", p->err);
	rc = textindex_put(d, b->txn, &d->cache->text, p->id, p->dir, &p->t, &p->log);
	if (b->n++ % 64 == 0)
		unmap_pages(d->cache);
	return rc ? mdb_fail(rc, "cannot index") : 0;
}

/* A folder changed between the build's head and the cache's: indexed as a sync would have. */
static int
text_catchup(const char *name, const git_oid *now, void *arg)
{
	struct text_build *b = arg;
	struct prepared p;
	int rc;

	if (now == NULL)
		return (rc = textindex_drop(b->txn, &b->d->cache->text, name)) ?
		    mdb_fail(rc, "cannot index") : 0;
	memset(&p, 0, sizeof(p));
	p.id = xstrdup(name);
	git_oid_cpy(&p.oid, now);
	prepare_ticket(b->d, b->d->repo, &p, 0, NULL);
	rc = text_visit(b->d, &p, b);
	prepared_free(&p);
	return rc;
}


static int
text_chunk(struct desk *d, MDB_txn *txn, struct folders *f, char *fhead, int *done)
{
	struct cache *c = d->cache;
	struct text_build b = { d, txn, 0 };
	char at[GIT_OID_HEXSZ + 32], head[GIT_OID_HEXSZ + 1] = "", buildhead[GIT_OID_HEXSZ + 1] = "";
	size_t pos = 0, end, chunk = rebuild_chunk();
	int rc;

	if ((*done = text_built(c, txn)))
		return 0;
	meta_get(c, txn, "head", head, sizeof(head));
	if (meta_get(c, txn, TEXT_AT, at, sizeof(at)) != 0 ||
	    sscanf(at, "%40s %zu", buildhead, &pos) != 2) {
		if ((rc = textindex_clear(txn, &c->text)) != 0)	/* none under way: start one */
			return mdb_fail(rc, "cannot index");
		unindexed_clear(c, txn);
		snprintf(buildhead, sizeof(buildhead), "%s", head);
		pos = 0;
	}
	if (strcmp(fhead, buildhead) != 0) {
		if ((rc = folders_at(d, buildhead, f)) != 0)
			return rc;
		snprintf(fhead, GIT_OID_HEXSZ + 1, "%s", buildhead);
	}
	pos = pos < f->n ? pos : f->n;
	end = chunk && f->n - pos > chunk ? pos + chunk : f->n;
	c->text.batch = textindex_batch_new();
	rc = walk_folders(d, &(struct folders){ f->name + pos, f->oid + pos, end - pos, 0 }, f->n,
	    text_visit, &b);
	if (rc == 0 && (rc = textindex_batch_write(txn, &c->text, c->text.batch)) != 0)
		rc = mdb_fail(rc, "cannot index");
	textindex_batch_free(c->text.batch);
	c->text.batch = NULL;
	if (rc == 0 && end < f->n) {
		snprintf(at, sizeof(at), "%s %zu", buildhead, end);
		if ((rc = meta_put(c, txn, TEXT_AT, at)) != 0)
			rc = mdb_fail(rc, "cannot index");
	} else if (rc == 0) {
		MDB_val k = val_str(TEXT_AT);
		if (strcmp(buildhead, head) != 0) {
			git_oid a, z;
			git_tree *ta = git_oid_fromstr(&a, buildhead) == 0 ? tickets_tree(d, &a) : NULL;
			git_tree *tz = git_oid_fromstr(&z, head) == 0 ? tickets_tree(d, &z) : NULL;
			rc = changed_folders(d, ta, tz, 0, text_catchup, &b);
			git_tree_free(ta);
			git_tree_free(tz);
		}
		mdb_del(txn, c->meta, &k, NULL);
		if (rc == 0 && (rc = meta_put(c, txn, TEXT_BUILT, "1")) != 0)
			rc = mdb_fail(rc, "cannot index");
		*done = rc == 0;
	}
	return rc;
}

/* The folder of ticket id in tree root (a commit's), NULL when it has none. */
static git_tree_entry *
folder_in(git_tree *root, const char *id)
{
	char *dir = ticket_dir(id);
	git_tree_entry *e = NULL;

	if (git_tree_entry_bypath(&e, root, dir) == 0 && git_tree_entry_type(e) != GIT_OBJECT_TREE) {
		git_tree_entry_free(e);
		e = NULL;
	}
	free(dir);
	return e;
}

/* The root tree of the commit the cache reflects ("head" in meta). */
static int
cache_head_tree(struct desk *d, MDB_txn *txn, git_tree **root)
{
	char hex[GIT_OID_HEXSZ + 1] = "";
	git_oid id;
	git_commit *cm = NULL;
	int rc = 0;

	*root = NULL;
	meta_get(d->cache, txn, "head", hex, sizeof(hex));
	if (git_oid_fromstr(&id, hex) != 0 || git_commit_lookup(&cm, d->repo, &id) < 0 ||
	    git_commit_tree(root, cm) < 0)
		rc = git_fail(-1, "ticket cache: cannot read the commit it reflects");
	git_commit_free(cm);
	return rc;
}

/*
 * Indexes the tickets marked UNINDEXED as the cache's head has them (a
 * ticket gone from it leaves the index), REBUILD_CHUNK to a transaction.
 */
static int
index_marked(struct desk *d)
{
	struct cache *c = d->cache;
	size_t chunk = rebuild_chunk(), n = 0, i = 0;
	MDB_txn *rd;
	char **any;
	int rc;

	/* none: no write transaction (a search does not wait for a writer) */
	if ((rc = mdb_txn_begin(c->env, NULL, MDB_RDONLY, &rd)) != 0)
		return mdb_fail(rc, "cannot read");
	any = mark_list(c, rd, UNINDEXED, 1, &n);
	strv_free(any, n);
	mdb_txn_abort(rd);
	if (n == 0)
		return 0;
	do {
		MDB_txn *txn;
		git_tree *root = NULL;
		char **ids;
		if ((rc = mdb_txn_begin(c->env, NULL, 0, &txn)) != 0)
			return mdb_fail(rc, "cannot begin");
		ids = mark_list(c, txn, UNINDEXED, chunk, &n);
		struct text_build b = { d, txn, 0 };
		if (n)
			rc = cache_head_tree(d, txn, &root);
		for (i = 0; rc == 0 && i < n; i++) {
			git_tree_entry *e = folder_in(root, ids[i]);
			rc = text_catchup(ids[i], e ? git_tree_entry_id(e) : NULL, &b);
			if (rc == 0 && (rc = mark_del(c, txn, UNINDEXED, ids[i])) != 0)
				rc = mdb_fail(rc, "cannot index");
			c->text_caught += rc == 0;
			git_tree_entry_free(e);
		}
		if (rc == 0 && n && (rc = mdb_txn_commit(txn)) != 0)
			rc = mdb_fail(rc, "cannot index");
		else if (rc != 0 || !n)
			mdb_txn_abort(txn);
		git_tree_free(root);
		strv_free(ids, n);
	} while (rc == 0 && chunk && n == chunk);
	return rc;
}

/*
 * 0 when the text index serves (built now if need be), 1 when it is not
 * built and this user cannot build it (or a test stopped the build), else
 * a sysexits code.
 */
static int
text_ready(struct desk *d)
{
	struct cache *c = d->cache;
	struct folders f = { NULL, NULL, 0, 0 };
	char fhead[GIT_OID_HEXSZ + 1] = "-";
	MDB_txn *txn;
	int rc = 0, done = 0;
	/* tests: stop after that many chunks, as a builder killed there would */
	size_t chunks = getenv("RT_CACHE_TEXT_CHUNKS") ? strtoul(getenv("RT_CACHE_TEXT_CHUNKS"), NULL, 10) : 0;

	/* its own write transactions: a batch's open one is committed first */
	if ((rc = cache_settle(d, 1)) != 0)
		return rc;
	if (c->text_ready)
		return c->readonly ? 0 : index_marked(d);
	if (c->readonly) {
		if ((rc = mdb_txn_begin(c->env, NULL, MDB_RDONLY, &txn)) != 0)
			return mdb_fail(rc, "cannot read");
		c->text_ready = text_built(c, txn);
		mdb_txn_abort(txn);
		return c->text_ready ? 0 : 1;
	}
	whole_desk_limits(1);
	for (size_t i = 0; rc == 0 && !done && (!chunks || i < chunks); i++) {
		if ((rc = mdb_txn_begin(c->env, NULL, 0, &txn)) != 0) {
			rc = mdb_fail(rc, "cannot begin");
			break;
		}
		if ((rc = text_chunk(d, txn, &f, fhead, &done)) == 0 && (rc = mdb_txn_commit(txn)) != 0)
			rc = mdb_fail(rc, "cannot index");
		else if (rc != 0)
			mdb_txn_abort(txn);
		unmap_pages(c);
	}
	whole_desk_limits(0);
	folders_free(&f);
	c->text_ready = rc == 0 && done;
	if (c->text_ready)
		rc = index_marked(d);
	return rc == 0 && !done ? 1 : rc;
}

int
cache_text_build(struct desk *d)
{
	MDB_txn *txn;
	int rc = text_ready(d);

	if (rc != 0 || d->cache->readonly)
		return rc == 1 ? 0 : rc;
	if ((rc = mdb_txn_begin(d->cache->env, NULL, 0, &txn)) != 0)
		return mdb_fail(rc, "cannot begin");
	if ((rc = textindex_fold(txn, &d->cache->text, 1)) != 0) {
		mdb_txn_abort(txn);
		return mdb_fail(rc, "cannot index");
	}
	return (rc = mdb_txn_commit(txn)) != 0 ? mdb_fail(rc, "cannot index") : 0;
}

size_t
cache_text_caught_up(struct desk *d)
{
	return d->cache ? d->cache->text_caught : 0;
}

int
cache_get(struct desk *d, const char *id, struct kvmap *rec)
{
	MDB_txn *txn;
	MDB_val k = val_str(id), v;
	int rc;

	if ((rc = read_begin(d->cache, &txn)) != 0)
		return mdb_fail(rc, "cannot read");
	rc = mdb_get(txn, d->cache->tickets, &k, &v);
	if (rc == 0) {
		struct rec r = { v.mv_data, v.mv_size };
		rec_to_kvmap(&r, rec);
	}
	read_end(d->cache, txn);
	if (rc == MDB_NOTFOUND)
		return ticket_missing();
	return rc ? mdb_fail(rc, "cannot read") : 0;
}

int
cache_first_mail(struct desk *d, const char *id, struct kvmap *out)
{
	MDB_txn *txn;
	int rc;

	if (d->cache == NULL)
		return EX_NOINPUT;
	if ((rc = read_begin(d->cache, &txn)) != 0)
		return mdb_fail(rc, "cannot read");
	/* not built: the caller parses the mail (routing a new mail, under the desk lock, builds nothing) */
	rc = text_built(d->cache, txn) && !mark_has(d->cache, txn, UNINDEXED, id) &&
	    !mark_has(d->cache, txn, PENDING, id) ?
	    textindex_first(txn, &d->cache->text, id, out) : MDB_NOTFOUND;
	read_end(d->cache, txn);
	if (rc == MDB_NOTFOUND)
		return EX_NOINPUT;
	return rc ? mdb_fail(rc, "cannot read") : 0;
}

int
cache_find_msgid(struct desk *d, const char *msgid, ticket_id out)
{
	MDB_txn *txn;
	char *key = msgid_key(msgid);
	MDB_val k = val_str(key), v;
	int rc;

	if ((rc = read_begin(d->cache, &txn)) != 0) {
		free(key);
		return mdb_fail(rc, "cannot read");
	}
	rc = mdb_get(txn, d->cache->msgids, &k, &v);
	if (rc == 0 && v.mv_size == ID_LEN) {
		memcpy(out, v.mv_data, ID_LEN);
		out[ID_LEN] = '\0';
	} else
		rc = -1;
	read_end(d->cache, txn);
	free(key);
	return rc;
}

/* Follows merged-into in the records themselves: no map built per hop (one per id of a listing). */
int
cache_resolve(struct desk *d, const char *id, ticket_id out)
{
	MDB_txn *txn;
	ticket_id cur;
	int rc, hops;

	if ((rc = read_begin(d->cache, &txn)) != 0)
		return mdb_fail(rc, "cannot read"), -1;
	memcpy(cur, id, sizeof(cur));
	for (hops = 0; hops < 16; hops++) {
		MDB_val k = val_str(cur), v;
		const char *into;
		ticket_id next;
		if ((rc = mdb_get(txn, d->cache->tickets, &k, &v)) != 0) {
			if (rc == MDB_NOTFOUND)
				ticket_missing();
			else
				mdb_fail(rc, "cannot read");
			break;
		}
		struct rec r = { v.mv_data, v.mv_size };
		into = rec_get(&r, "merged-into");
		if (into == NULL || id_parse(into, next) != 0) {
			memcpy(out, cur, sizeof(cur));
			read_end(d->cache, txn);
			return 0;
		}
		memcpy(cur, next, sizeof(cur));
	}
	read_end(d->cache, txn);
	return -1;
}

/*
 * A scan hands the map's pages back every this many records, so a listing
 * of a desk of any size stays bounded in memory. Every 4,096 cost a 100k
 * listing 1.7x its time (each madvise drops the B-tree's branch pages
 * too, and they fault back in); every 65,536 keeps it under 70 MB.
 */
#define SCAN_UNMAP_EVERY 65536

int
cache_foreach(struct desk *d, cache_fn fn, void *arg)
{
	return cache_foreach_then(d, fn, NULL, arg);
}

/* every: records between two hand-backs of the map's pages; 0: none */
static int
foreach_then(struct desk *d, cache_fn fn, cache_done_fn done, void *arg, size_t every)
{
	MDB_txn *txn;
	MDB_cursor *cur;
	MDB_val k, v;
	size_t n = 0;
	int rc;

	if ((rc = read_begin(d->cache, &txn)) != 0)
		return mdb_fail(rc, "cannot read");
	if ((rc = mdb_cursor_open(txn, d->cache->tickets, &cur)) != 0) {
		read_end(d->cache, txn);
		return mdb_fail(rc, "cannot read");
	}
	rc = 0;
	for (int op = MDB_FIRST; mdb_cursor_get(cur, &k, &v, (MDB_cursor_op)op) == 0; op = MDB_NEXT) {
		struct rec r = { v.mv_data, v.mv_size };
		if ((rc = fn(&r, arg)) != 0)
			break;
		if (every && ++n % every == 0)
			unmap_pages(d->cache);
	}
	mdb_cursor_close(cur);
	if (done)
		rc = done(rc, arg);
	read_end(d->cache, txn);
	return rc;
}

int
cache_foreach_then(struct desk *d, cache_fn fn, cache_done_fn done, void *arg)
{
	return foreach_then(d, fn, done, arg, SCAN_UNMAP_EVERY);
}

int
cache_foreach_reread(struct desk *d, cache_fn fn, cache_done_fn done, void *arg)
{
	return foreach_then(d, fn, done, arg, 0);
}

size_t
cache_count(struct desk *d)
{
	MDB_txn *txn;
	MDB_stat st;
	size_t n = 0;

	if (read_begin(d->cache, &txn) != 0)
		return 0;
	if (mdb_stat(txn, d->cache->tickets, &st) == 0)
		n = st.ms_entries;
	read_end(d->cache, txn);
	return n;
}

struct text_search {
	MDB_txn *txn;
	MDB_dbi tickets;
	cache_fn fn;
	void *arg;
};

static int
text_hit(const char *id, void *arg)
{
	struct text_search *ts = arg;
	MDB_val k = val_str(id), v;
	struct rec r;

	if (mdb_get(ts->txn, ts->tickets, &k, &v) != 0)
		return 0;
	r.buf = v.mv_data;
	r.len = v.mv_size;
	return ts->fn(&r, ts->arg);
}

struct text_scan {
	struct text_search *ts;
	char **words;
	size_t n;
};

#define SCAN_STOP (-2)	/* fn asked to stop: not an error */

static int
scan_visit(struct desk *d, struct prepared *p, void *arg)
{
	struct text_scan *sc = arg;

	if (p->rc != 0 || !textindex_match(d, p->dir, &p->t, &p->log, sc->words, sc->n))
		return 0;
	return text_hit(p->id, sc->ts) ? SCAN_STOP : 0;
}

/*
 * A user who cannot write finds no text index after a rebuild until a
 * writer builds it: the same answer from reading every ticket (as slow
 * as building it, each time).
 */
static int
text_scan(struct desk *d, struct text_search *ts, const char *query)
{
	struct folders f = { NULL, NULL, 0, 0 };
	struct text_scan sc = { ts, NULL, 0 };
	char head[GIT_OID_HEXSZ + 1] = "";
	int rc = 0;

	sc.n = textindex_words(query, &sc.words);
	meta_get(d->cache, ts->txn, "head", head, sizeof(head));
	whole_desk_limits(1);
	if (sc.n && (rc = folders_at(d, head, &f)) == 0)
		rc = walk_folders(d, &f, f.n, scan_visit, &sc);
	whole_desk_limits(0);
	folders_free(&f);
	strv_free(sc.words, sc.n);
	return rc == SCAN_STOP ? 0 : rc;
}

struct marked_hits {
	char **ids;
	size_t n;
	char **marked;	/* the UNINDEXED ids, in order */
	size_t nm;
};

static int
cmp_strp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static void
hit_add(struct marked_hits *h, const char *id)
{
	h->ids = xrealloc(h->ids, (h->n + 1) * sizeof(*h->ids));
	h->ids[h->n++] = xstrdup(id);
}

/* An index hit, unless the ticket is marked: its words there are old. */
static int
index_hit(const char *id, void *arg)
{
	struct marked_hits *h = arg;

	if (bsearch(&id, h->marked, h->nm, sizeof(*h->marked), cmp_strp) == NULL)
		hit_add(h, id);
	return 0;
}

/*
 * A user who cannot write, with tickets marked UNINDEXED: the index's
 * answer for the others, the marked ones read (as the cache's head has
 * them) and matched, all in id order as the index gives them.
 */
static int
text_search_marked(struct desk *d, struct text_search *ts, const char *query,
    char **marked, size_t nm)
{
	struct marked_hits h = { NULL, 0, marked, nm };
	git_tree *root = NULL;
	char **words;
	size_t nw = textindex_words(query, &words);
	int rc = textindex_search(ts->txn, &d->cache->text, query, index_hit, &h);

	if (rc != 0)
		rc = mdb_fail(rc, "cannot search");
	else if (nw)
		rc = cache_head_tree(d, ts->txn, &root);
	for (size_t i = 0; rc == 0 && nw && i < nm; i++) {
		git_tree_entry *e = folder_in(root, marked[i]);
		struct prepared p;
		if (e == NULL)
			continue;
		memset(&p, 0, sizeof(p));
		p.id = xstrdup(marked[i]);
		git_oid_cpy(&p.oid, git_tree_entry_id(e));
		prepare_ticket(d, d->repo, &p, 0, NULL);
		if (p.rc == 0 && textindex_match(d, p.dir, &p.t, &p.log, words, nw))
			hit_add(&h, p.id);
		prepared_free(&p);
		git_tree_entry_free(e);
	}
	if (h.n)
		qsort(h.ids, h.n, sizeof(*h.ids), cmp_strp);
	for (size_t i = 0; rc == 0 && i < h.n; i++)
		if (text_hit(h.ids[i], ts))
			break;
	git_tree_free(root);
	strv_free(h.ids, h.n);
	strv_free(words, nw);
	return rc;
}

/*
 * The tickets whose words the index does not hold as the cache's head
 * has them, in id order: those marked UNINDEXED, and those a batch left
 * PENDING (killed before its end; only a writer's sync finishes them).
 * A user who may only read the desk never writes it: the search reads
 * these tickets instead, so its answer is a writer's.
 */
static char **
stale_text(struct cache *c, MDB_txn *txn, size_t *n)
{
	size_t np, k = 0;
	char **v = mark_list(c, txn, UNINDEXED, 0, n), **p = pending_list(c, txn, &np);

	if (np == 0) {
		free(p);
		return v;
	}
	v = xrealloc(v, (*n + np) * sizeof(*v));
	memcpy(v + *n, p, np * sizeof(*p));
	free(p);
	*n += np;
	qsort(v, *n, sizeof(*v), cmp_strp);
	for (size_t i = 0; i < *n; i++)
		if (k && strcmp(v[k - 1], v[i]) == 0)
			free(v[i]);
		else
			v[k++] = v[i];
	*n = k;
	return v;
}

int
cache_text_search(struct desk *d, const char *query, cache_fn fn, void *arg)
{
	return cache_text_search_then(d, query, fn, NULL, arg);
}

int
cache_text_search_then(struct desk *d, const char *query, cache_fn fn, cache_done_fn done,
    void *arg)
{
	struct text_search ts = { NULL, d->cache->tickets, fn, arg };
	char **marked;
	size_t nm;
	int rc, ready = text_ready(d);

	if (ready > 1)
		return ready;
	if ((rc = mdb_txn_begin(d->cache->env, NULL, MDB_RDONLY, &ts.txn)) != 0)
		return mdb_fail(rc, "cannot read");
	if (ready == 1) {
		rc = text_scan(d, &ts, query);
		if (done)
			rc = done(rc, arg);
		mdb_txn_abort(ts.txn);
		return rc;
	}
	marked = stale_text(d->cache, ts.txn, &nm);
	if (nm)
		rc = text_search_marked(d, &ts, query, marked, nm);
	else if ((rc = textindex_search(ts.txn, &d->cache->text, query, text_hit, &ts)) != 0)
		rc = mdb_fail(rc, "cannot search");
	strv_free(marked, nm);
	if (done)
		rc = done(rc, arg);
	mdb_txn_abort(ts.txn);
	return rc;
}
