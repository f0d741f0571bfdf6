/* txn.c: one change to the desk = one git commit, built without the index */
#include <errno.h>
#include <malloc.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <git2/sys/repository.h>

#include "cache.h"
#include "desk.h"
#include "guard.h"
#include "head.h"
#include "pack.h"
#include "refmove.h"
#include "text.h"
#include "textindex.h"
#include "treeup.h"
#include "txn.h"
#include "util.h"
#include "verify.h"
#include "worktree.h"

#define TXN_RETRIES 20
#define TXN_BATCH_MAX 500	/* commits, bounds the memory of a batch */
#ifndef TXN_BATCH_NS	/* -D for profiles, where a second is a few mails */
#define TXN_BATCH_NS 1000000000L	/* age of a batch before it is written */
#endif
#define TXN_BATCH_BYTES (2UL << 20)	/* blob bytes held in memory at most */

/*
 * New objects go to a mempack backend and reach the disk as one pack per
 * commit (per batch): 10 fsyncs instead of 26 for ten loose objects.
 */
struct txn_batch {
	struct pack_mem *mem;	/* new objects; owned by the repository's odb */
	int open;		/* between txn_batch_begin and txn_batch_end */
	int kept;		/* the batch holds the desk lock */
	int err;		/* first failure of a write inside the batch */
	unsigned long failures;	/* writes that failed, for txn_batch_settled */
	size_t commits;		/* built, not yet on the branch */
	int wrote;		/* a group of the open batch reached the branch */
	size_t bytes;		/* blob bytes built, not yet written */
	int unborn;		/* the branch had no commit when the batch began */
	git_oid base;		/* the branch when the first commit was built */
	git_oid tip;		/* the last commit built */
	struct timespec start;
	char **mirror;		/* work-tree paths of the commits not yet mirrored */
	size_t nmirror;
	char **early;		/* work-tree files the group wrote before its branch moved */
	size_t nearly;
};

enum op { OP_PUT, OP_PUT_LENT, OP_APPEND, OP_REMOVE };

struct txn_op {
	enum op op;
	char *path;
	char *buf;	/* OP_PUT_LENT: the caller's, not freed here */
	size_t len;
	int has_id;	/* OP_PUT_LENT: id is buf's blob id */
	git_oid id;
	int whole;	/* lent, or appended to nothing at the last build: buf is the file */
	int early;	/* written to the work tree before the branch moved */
};

struct txn {
	struct desk *d;
	struct txn_op *ops;
	size_t n;
	char *author_name, *author_email;	/* NULL: the committer */
	git_signature *author;
	int has_parent;		/* the last commit built: on parent, for the cache */
	git_oid parent;
};

struct txn *
txn_begin(struct desk *d)
{
	struct txn *t = xcalloc(1, sizeof(*t));

	t->d = d;
	return t;
}

/* A second write to the same path replaces the first; appends join. */
static int
merge_op(struct txn *t, enum op op, const char *path, const void *buf, size_t len)
{
	for (size_t i = 0; i < t->n; i++) {
		struct txn_op *o = &t->ops[i];
		if (strcmp(o->path, path) != 0)
			continue;
		if (op == OP_APPEND && o->op == OP_APPEND) {
			o->buf = xrealloc(o->buf, o->len + len + 1);
			memcpy(o->buf + o->len, buf, len);
			o->len += len;
			o->buf[o->len] = '\0';
		} else {
			if (o->op != OP_PUT_LENT)
				free(o->buf);
			o->op = op;
			o->buf = op == OP_PUT_LENT ? (char *)buf : buf ? xstrndup(buf, len) : NULL;
			o->len = len;
		}
		return 1;
	}
	return 0;
}

static void
add_op(struct txn *t, enum op op, const char *path, const void *buf, size_t len)
{
	struct txn_op *o;

	if (merge_op(t, op, path, buf, len))
		return;

	t->ops = xrealloc(t->ops, (t->n + 1) * sizeof(*t->ops));
	o = &t->ops[t->n++];
	o->op = op;
	o->path = xstrdup(path);
	o->buf = op == OP_PUT_LENT ? (char *)buf : buf ? xstrndup(buf, len) : NULL;
	o->len = len;
	o->has_id = 0;
	o->whole = o->early = 0;
}

void
txn_put(struct txn *t, const char *path, const void *buf, size_t len)
{
	add_op(t, OP_PUT, path, buf, len);
}

void
txn_put_lent(struct txn *t, const char *path, const void *buf, size_t len, const git_oid *id)
{
	struct txn_op *o;

	add_op(t, OP_PUT_LENT, path, buf, len);
	o = t->ops;	/* moved by add_op's realloc */
	while (strcmp(o->path, path) != 0)
		o++;
	o->has_id = id != NULL;
	if (id)
		git_oid_cpy(&o->id, id);
}

void
txn_append(struct txn *t, const char *path, const void *buf, size_t len)
{
	add_op(t, OP_APPEND, path, buf, len);
}

void
txn_author(struct txn *t, const char *name, const char *email)
{
	free(t->author_name);
	free(t->author_email);
	t->author_name = email ? utf8_clean(name ? name : email, strlen(name ? name : email), 1) : NULL;
	t->author_email = email ? utf8_clean(email, strlen(email), 1) : NULL;
}

void
txn_remove(struct txn *t, const char *path)
{
	add_op(t, OP_REMOVE, path, NULL, 0);
}

void
txn_free(struct txn *t)
{
	if (t == NULL)
		return;
	for (size_t i = 0; i < t->n; i++) {
		free(t->ops[i].path);
		if (t->ops[i].op != OP_PUT_LENT)
			free(t->ops[i].buf);
	}
	free(t->ops);
	free(t->author_name);
	free(t->author_email);
	git_signature_free(t->author);
	free(t);
}

static struct txn_batch *
batch_get(struct desk *d)
{
	if (d->batch == NULL) {
		d->batch = xcalloc(1, sizeof(*d->batch));
		/* Without the buffer, objects are written loose (and still fsynced). */
		if (pack_mem_new(d, &d->batch->mem) != 0)
			d->batch->mem = NULL;
	}
	return d->batch;
}

static void
batch_add(struct txn_batch *b, const git_commit *parent, const git_oid *commit)
{
	if (b->commits++ == 0) {
		b->unborn = parent == NULL;
		if (parent)
			git_oid_cpy(&b->base, git_commit_id(parent));
		clock_gettime(CLOCK_MONOTONIC, &b->start);
	}
	git_oid_cpy(&b->tip, commit);
}

static void
batch_discard(struct txn_batch *b)
{
	if (b->mem)
		pack_mem_reset(b->mem);
	b->commits = 0;
	b->bytes = 0;
}

/*
 * Locks the branch HEAD names to move it from the batch's base to its
 * tip (ref_lock: the new content written, its fsync left to the pack's).
 * The ref's name in *ref, for its reflog lines once the tip is read back.
 */
static int
lock_branch(struct desk *d, struct txn_batch *b, struct ref_lock *lk, char **ref)
{
	git_reference *head = NULL;
	int rc;

	*ref = NULL;
	if ((rc = git_reference_lookup(&head, d->repo, "HEAD")) < 0)
		return git_fail(rc, "cannot read HEAD");
	*ref = xstrdup(git_reference_type(head) == GIT_REFERENCE_SYMBOLIC ?
	    git_reference_symbolic_target(head) : "HEAD");
	git_reference_free(head);
	return ref_lock(d, *ref, b->unborn ? NULL : &b->base, &b->tip, lk);
}

/*
 * Writes the batch's objects as one pack, moves the branch and reads the
 * tip back (commit_verify: paths, n), then logs the move. Either way the
 * batch is empty afterwards: on failure its commits are dropped (-EAGAIN
 * when the branch moved under us). With keep, the written objects stay
 * readable in memory (pack_mem_keep) until the next build.
 */
static int
batch_write(struct desk *d, const char *logmsg, int keep, const char **paths, size_t n)
{
	struct txn_batch *b = d->batch;
	const git_oid *base = b && !b->unborn ? &b->base : NULL;
	struct ref_lock lk;
	char *ref = NULL;
	int rc, dirfd = -1;

	if (b == NULL || b->commits == 0)
		return 0;
	/*
	 * The disk is waited for three times in a row: the pack, its index and
	 * the branch's new content; the pack's folder; the branch's folder
	 * after its rename. Without a mempack (it could not be added) the
	 * objects are loose, fsynced as they were written.
	 */
	if ((rc = lock_branch(d, b, &lk, &ref)) == 0) {
		if (b->mem && (rc = pack_mem_write(d, b->mem, lk.fd, &dirfd)) == 0 &&
		    dirfd >= 0 && fsync(dirfd) < 0)
			rc = rt_fail(EX_TEMPFAIL, "cannot sync %sobjects/pack: %s", d->gitdir,
			    strerror(errno));
		/* the files written early are in place before the branch names them */
		if (rc == 0)
			worktree_wait(worktree_queued());
		if (rc == 0)
			rc = ref_lock_commit(d, &lk, dirfd >= 0);
		else
			ref_unlock(&lk);
	}
	if (dirfd >= 0)
		close(dirfd);
	if (rc == 0 && (rc = commit_verify(d, b->mem, base, &b->tip, paths, n)) == 0)
		ref_log(d, ref, base, &b->tip, logmsg);
	desk_head_moved(d, rc == 0 ? &b->tip : NULL);	/* read back, or read again */
	free(ref);
	if (rc == 0 && keep && b->mem) {
		pack_mem_keep(b->mem);
		b->commits = 0;
		b->bytes = 0;
	} else
		batch_discard(b);
	if (rc == 0)
		pack_auto(d);
	return rc;
}

static int
batch_due(const struct txn_batch *b)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return b->commits >= TXN_BATCH_MAX || b->bytes >= TXN_BATCH_BYTES ||
	    (now.tv_sec - b->start.tv_sec) * 1000000000L + (now.tv_nsec - b->start.tv_nsec) >=
	    TXN_BATCH_NS;
}

/* The work tree waits for the batch: its paths are mirrored once, at the end. */
static void
batch_mirror_later(struct txn_batch *b, const char *path)
{
	b->mirror = xrealloc(b->mirror, (b->nmirror + 1) * sizeof(*b->mirror));
	b->mirror[b->nmirror++] = xstrdup(path);
}

static int
cmp_path(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/*
 * Files written before the branch named them (a mail, a new ticket's
 * log.yaml), their commit not stored: taken back to what HEAD has (none,
 * for a new mail or ticket), with the folders they emptied, so a failure
 * (75) leaves the work tree as it was, not until rt-gc.
 */
static void
early_undo(struct desk *d, char *const *paths, size_t n)
{
	git_tree *tree = NULL;

	if (n == 0 || worktree_head_tree(d, &tree) != 0)
		return;	/* the journal still names them: rt-gc repairs */
	for (size_t i = 0; i < n; i++) {
		char *dir, *end;
		if (worktree_mirror(d, tree, paths[i]) != 0)
			continue;
		dir = xasprintf("%s/%s", d->root, paths[i]);
		while ((end = strrchr(dir, '/')) != NULL && end > dir + strlen(d->root)) {
			*end = '\0';
			if (strchr(dir + strlen(d->root) + 1, '/') == NULL || rmdir(dir) != 0)
				break;	/* stops at tickets/ and at the first folder not empty */
		}
		free(dir);
	}
	git_tree_free(tree);
}

/*
 * The group's early files: kept (its branch moved) or, the group failed,
 * taken back once the thread has written them all (early_undo).
 */
static void
batch_early_end(struct desk *d, struct txn_batch *b, int stored)
{
	if (!stored && b->nearly) {
		worktree_wait(worktree_queued());
		early_undo(d, b->early, b->nearly);
	}
	strv_free(b->early, b->nearly);
	b->early = NULL;
	b->nearly = 0;
}

/*
 * Each path of the batch written once, as its durable tip has it (tip
 * NULL: the batch was dropped, nothing to write). A failure is a warning
 * only: the paths stay in the journal for rt-gc (worktree_journal).
 */
static void
batch_mirror(struct desk *d, struct txn_batch *b, const git_oid *tip)
{
	const char **paths;
	size_t n = 0;

	if (b->nmirror)
		qsort(b->mirror, b->nmirror, sizeof(*b->mirror), cmp_path);
	paths = xcalloc(b->nmirror + 1, sizeof(*paths));
	for (size_t i = 0; i < b->nmirror; i++)
		if (n == 0 || strcmp(paths[n - 1], b->mirror[i]) != 0)
			paths[n++] = b->mirror[i];
	if (tip && n && worktree_write_queued(d, tip, paths, n) != 0)
		rt_warn("warning: %s", rt_errmsg());
	strv_free(b->mirror, b->nmirror);
	free(paths);
	b->mirror = NULL;
	b->nmirror = 0;
}

/*
 * The objects a batch group wrote stay readable in memory (batch_write's
 * keep) while the work tree and the cache read them back: the mails' YAML
 * and their folders, 1,000 objects a 500-mail batch, were otherwise found
 * again in the new pack and inflated. Let go once the group is settled;
 * objects put outside a build (pending) stay for the next pack.
 */
static void
batch_forget(struct txn_batch *b)
{
	if (b && b->mem && b->commits == 0 && pack_mem_pending(b->mem) == 0)
		pack_mem_reset(b->mem);
}

/* A batch's write, guarded and verified as one commit is (txn_commit). */
static int
batch_write_all(struct desk *d)
{
	struct commit_guard g;
	git_oid tip;
	char *msg;
	int rc;

	if (d->batch->commits == 0)
		return 0;
	if ((rc = guard_commit_begin(d, &g)) != 0) {
		batch_discard(d->batch);
		batch_mirror(d, d->batch, NULL);
		batch_early_end(d, d->batch, 0);
		d->batch->failures++;
		return rc;
	}
	git_oid_cpy(&tip, &d->batch->tip);
	/*
	 * The mail files first (worktree_queue): a ticket on the branch has its
	 * folder, also after a kill, and the cache renders its ticket.yaml
	 * only into a folder that is there.
	 */
	worktree_wait(worktree_queued());
	msg = xasprintf("rt: batch of %zu commits", d->batch->commits);
	rc = batch_write(d, msg, 1, NULL, 0);	/* read back by the mirror and the cache: batch_forget */
	free(msg);
	if (rc == -EAGAIN)
		rc = rt_fail(EX_TEMPFAIL, "the desk branch moved during a batch; nothing of it stored");
	guard_commit_end(d, &g, 0);	/* 0: no index write follows (only rt-gc's) */
	batch_mirror(d, d->batch, rc == 0 ? &tip : NULL);
	batch_early_end(d, d->batch, rc == 0);
	if (rc != 0)
		d->batch->failures++;
	else
		d->batch->wrote = 1;
	return rc;
}

void
txn_batch_begin(struct desk *d)
{
	/*
	 * A batch allocates and frees the same large buffers (zlib's per
	 * object, the delta search's) thousands of times: glibc would give
	 * them back to the kernel each time and fault them in again. Kept
	 * in the heap instead: 0.88x CPU for --mbox, peak memory unchanged.
	 */
	mallopt(M_TRIM_THRESHOLD, 64 << 20);
	mallopt(M_MMAP_THRESHOLD, 32 << 20);
	batch_get(d)->open = 1;
	d->batch->wrote = 0;
	if (d->batch->mem)
		pack_mem_whole(d->batch->mem, 1);
	cache_defer_sync(d, 1);
}

int
txn_batch_keeps_lock(struct desk *d)
{
	struct txn_batch *b = d->batch;
	int rc;

	if (b && b->open && b->commits && !batch_due(b))
		return b->kept = 1;
	if (b && b->open && b->commits) {
		if ((rc = batch_write_all(d)) != 0 && b->err == 0)
			b->err = rc;
		/* the cache's records of this group go with it, before the lock */
		if ((rc = cache_settle(d, rc == 0)) != 0)
			rt_warn("warning: %s", rt_errmsg());
		batch_forget(b);
	} else if (b && cache_settle(d, 1) != 0)
		rt_warn("warning: %s", rt_errmsg());
	/*
	 * The work-tree files queued under the lock (the group's, or a settled
	 * batch's) are written under it: the next writer may grow a log.yaml
	 * in place, and an older copy of ours renamed over it afterwards would
	 * leave the work tree without its entry until rt-gc.
	 */
	if (worktree_drain() != 0)
		rt_warn("warning: %s", rt_errmsg());
	return b ? (b->kept = 0) : 0;
}

void
txn_batch_settle(struct desk *d)
{
	struct txn_batch *b = d->batch;
	int rc = 0;

	if (b && b->commits && (rc = batch_write_all(d)) != 0 && b->err == 0)
		b->err = rc;
	if (cache_settle(d, rc == 0) != 0)
		rt_warn("warning: %s", rt_errmsg());
	batch_forget(b);
}

int
txn_batch_end(struct desk *d)
{
	struct txn_batch *b = d->batch;
	int rc, relock = 0;

	if (b == NULL)
		return 0;
	rc = batch_write_all(d);
	if (cache_settle(d, rc == 0) != 0)
		rt_warn("warning: %s", rt_errmsg());
	if (b->mem)
		pack_mem_whole(b->mem, 0);
	if (b->open) {
		cache_defer_sync(d, 0);
		/*
		 * The text and ticket.yaml the batch left pending (cache.c):
		 * derived, but written under the lock as every work-tree file
		 * is. A batch whose last group was due let go of it there; a
		 * single delivery in between may have written a newer
		 * ticket.yaml, which ours, rendered from an older HEAD, would
		 * replace. Not had in time: the next sync finishes them.
		 * A batch that stored nothing left nothing: no lock wanted
		 * (one a user who may not write the desk has been refused
		 * for every message already).
		 */
		if (rc == 0 && b->wrote && d->cache && d->lockfd < 0) {
			if (desk_lock(d) == 0)
				relock = 1;
			else
				rt_warn("warning: %s", rt_errmsg());
		}
		if (rc == 0 && d->cache && d->lockfd >= 0 && cache_sync(d) != 0)
			rt_warn("warning: %s", rt_errmsg());
		cache_flush(d);
		textindex_forget();	/* the mails it did not need */
	}
	batch_forget(b);
	if (worktree_drain() != 0)
		rt_warn("warning: %s", rt_errmsg());
	b->open = 0;
	if (rc == 0)
		rc = b->err;
	b->err = 0;
	if (b->kept || relock) {
		b->kept = 0;
		desk_unlock(d);
	}
	return rc;
}

void
txn_batch_close(struct desk *d)
{
	if (d->batch == NULL)
		return;
	txn_batch_end(d);
	batch_mirror(d, d->batch, NULL);
	batch_early_end(d, d->batch, 1);	/* none: every group ended */
	free(d->batch);
	d->batch = NULL;
}

int
txn_batch_settled(struct desk *d, unsigned long *failures)
{
	*failures = d->batch ? d->batch->failures : 0;
	return d->batch == NULL || d->batch->commits == 0;
}

int
txn_batch_open(struct desk *d)
{
	return d->batch && d->batch->open;
}

int
txn_batch_tip(struct desk *d, git_oid *out)
{
	if (d->batch == NULL || d->batch->commits == 0)
		return 0;
	git_oid_cpy(out, &d->batch->tip);
	return 1;
}

/* Creates the blob for one op against the tip tree. */
static int
op_blob(struct txn *t, struct txn_op *o, git_tree *tip, git_oid *oid)
{
	git_repository *repo = t->d->repo;
	int rc;

	if (o->op == OP_APPEND) {
		char *old = NULL;
		size_t oldlen = 0;
		struct sbuf sb = SBUF_INIT;
		if ((o->whole = tree_read(repo, tip, o->path, &old, &oldlen) != 0))
			oldlen = 0;
		sbuf_add(&sb, old ? old : "", oldlen);
		sbuf_add(&sb, o->buf, o->len);
		free(old);
		rc = git_blob_create_from_buffer(oid, repo, sb.buf, sb.len);
		sbuf_free(&sb);
	} else if (o->op == OP_PUT_LENT && o->has_id && t->d->batch && t->d->batch->mem) {
		git_oid_cpy(oid, &o->id);	/* hashed once, by the caller */
		rc = pack_mem_put_blob(t->d->batch->mem, oid, o->buf, o->len);
	} else
		rc = git_blob_create_from_buffer(oid, repo, o->buf, o->len);
	if (o->op == OP_PUT_LENT)
		o->whole = 1;
	if (t->d->batch)
		t->d->batch->bytes += o->len;
	return rc < 0 ? git_fail(rc, o->path) : 0;
}

/* Builds the new tree from the tip's tree and the ops. */
static int
build_tree(struct txn *t, git_tree *tip, git_oid *tree_id)
{
	git_tree_update *up = xcalloc(t->n, sizeof(*up));
	int rc = 0;

	for (size_t i = 0; i < t->n && rc == 0; i++) {
		struct txn_op *o = &t->ops[i];
		up[i].path = o->path;
		if (o->op == OP_REMOVE) {
			up[i].action = GIT_TREE_UPDATE_REMOVE;
			continue;
		}
		up[i].action = GIT_TREE_UPDATE_UPSERT;
		up[i].filemode = GIT_FILEMODE_BLOB;
		rc = op_blob(t, o, tip, &up[i].id);
	}
	if (rc == 0) {
		/* unborn branch: from the empty tree */
		rc = tree_update(t->d->repo, tip ? git_tree_id(tip) : NULL, t->n, up, tree_id);
		if (rc < 0)
			rc = git_fail(rc, "cannot build tree");
	}
	free(up);
	return rc;
}

static char *
build_message(const char *subject, const struct kvmap *trailers)
{
	struct sbuf sb = SBUF_INIT;
	char *clean = utf8_clean(subject, strlen(subject), 1);

	sbuf_adds(&sb, clean);
	sbuf_adds(&sb, "\n");
	free(clean);
	if (trailers && trailers->n) {
		sbuf_adds(&sb, "\n");
		for (size_t i = 0; i < trailers->n; i++) {
			char *v = utf8_clean(trailers->v[i].val, strlen(trailers->v[i].val), 1);
			sbuf_addf(&sb, "%s: %s\n", trailers->v[i].key, v);
			free(v);
		}
	}
	return sbuf_detach(&sb);
}

static int
make_signature(struct desk *d, git_signature **sig)
{
	time_t now = rt_now();

	if (git_signature_new(sig, d->actor_name, d->actor_email, (git_time_t)now, 0) == 0)
		return 0;
	if (git_signature_new(sig, "rt", "rt@localhost", (git_time_t)now, 0) == 0)
		return 0;
	return git_fail(-1, "cannot make signature");
}

/* One attempt: read tip, build tree, commit with CAS on the branch. */
static int
try_commit(struct txn *t, const char *msg, git_signature *sig, git_oid *out)
{
	git_commit *tip = NULL;
	git_tree *tiptree = NULL, *tree = NULL;
	git_oid tree_id;
	int rc;

	if ((rc = desk_head(t->d, &tip)) != 0)
		return rc;
	if (tip && (rc = git_commit_tree(&tiptree, tip)) < 0) {
		rc = git_fail(rc, "cannot read tip tree");
		goto out;
	}
	if ((rc = build_tree(t, tiptree, &tree_id)) != 0)
		goto out;
	if ((rc = git_tree_lookup(&tree, t->d->repo, &tree_id)) < 0) {
		rc = git_fail(rc, "cannot read new tree");
		goto out;
	}
	rc = git_commit_create(out, t->d->repo, NULL, t->author ? t->author : sig, sig,
	    "UTF-8", msg, tree,
	    tip ? 1 : 0, (const git_commit **)&tip);
	if (rc < 0)
		rc = git_fail(rc, "cannot commit");
	else
		batch_add(t->d->batch, tip, out);
	if ((t->has_parent = tip != NULL))
		git_oid_cpy(&t->parent, git_commit_id(tip));
out:
	git_tree_free(tree);
	git_tree_free(tiptree);
	git_commit_free(tip);
	return rc;
}

static void
backoff(int attempt)
{
	struct timespec ts = { 0, (long)(1 + rand() % (1 << (attempt < 5 ? attempt : 5))) * 1000000L };

	nanosleep(&ts, NULL);
}

static const char **
op_paths(struct txn *t)
{
	const char **v = xcalloc(t->n + 1, sizeof(*v));

	for (size_t i = 0; i < t->n; i++)
		v[i] = t->ops[i].path;
	return v;
}

/*
 * An op whose bytes are the whole file (lent: a mail; appended to nothing
 * at its build: a new ticket's log.yaml) goes to the work-tree thread now,
 * new to the work tree, with a copy of those bytes (the lent ones are the
 * caller's again once txn_commit returns; from the pack, a blob 300 KB
 * large is rebuilt through deltas). 1 when it went.
 */
static int
queue_whole(struct txn *t, struct txn_op *o)
{
	char *full;

	if (o->op == OP_REMOVE || !o->whole)
		return 0;
	full = xasprintf("%s/%s", t->d->root, o->path);
	worktree_queue(full, xstrndup(o->buf, o->len), o->len, 1);
	free(full);
	return o->early = 1;
}

/*
 * In a batch, the files a commit makes whole (its mail, a new ticket's
 * log.yaml) go to the work-tree thread at once (queue_whole), written
 * while the next commits are built and before the branch moves, as a
 * single commit's are (mirror_early); the files it rewrites are mirrored
 * once, from the group's tip, at its end. A later commit of the group
 * that grows a log written here finds it in its tip (not whole) and
 * mirrors it at the end, in place. Before, every new ticket's log.yaml
 * waited for the group's end: read back from the tip and written while
 * the batch, holding the desk lock, waited for the thread.
 */
static void
batch_mirror_split(struct txn *t)
{
	struct txn_batch *b = t->d->batch;

	for (size_t i = 0; i < t->n; i++) {
		struct txn_op *o = &t->ops[i];
		if (!queue_whole(t, o))
			batch_mirror_later(b, o->path);
		else {	/* taken back if the group fails (batch_early_end) */
			b->early = xrealloc(b->early, (b->nearly + 1) * sizeof(*b->early));
			b->early[b->nearly++] = xstrdup(o->path);
		}
	}
}

/*
 * A single commit's mail files and new logs (lent bytes, or appended to
 * nothing at its first build: the bytes are the whole file) go to the
 * work-tree thread once the commit is built, so their folders and files
 * are made while the pack is written and synced, and are in place before
 * the branch moves (batch_write), as a batch's mail files are; the paths
 * are in the journal already. The rest of paths (a
 * log.yaml that grows, a put) is left in *rest, mirrored in order from the
 * commit once it stands. Returns how many went.
 */
static size_t
mirror_early(struct txn *t, const char **paths, const char ***rest, size_t *nrest)
{
	size_t early = 0;

	*rest = xcalloc(t->n + 1, sizeof(**rest));
	*nrest = 0;
	for (size_t i = 0; i < t->n; i++) {
		if (queue_whole(t, &t->ops[i]))
			early++;
		else
			(*rest)[(*nrest)++] = paths[i];
	}
	if (early)
		worktree_kick();	/* written while the pack is written and synced */
	return early;
}

/* The commit failed: the files it wrote early are taken back (early_undo). */
static void
mirror_early_undo(struct txn *t)
{
	char **paths = xcalloc(t->n + 1, sizeof(*paths));
	size_t n = 0;

	for (size_t i = 0; i < t->n; i++)
		if (t->ops[i].early)
			paths[n++] = t->ops[i].path;
	early_undo(t->d, paths, n);
	free(paths);
}

/* A failed commit (full disk, I/O, a libgit2 error) is worth a retry: 75. */
static int
commit_tempfail(int rc)
{
	char why[512];

	if (rc == EX_TEMPFAIL)
		return rc;
	snprintf(why, sizeof(why), "%s", rt_errmsg());
	return rt_fail(EX_TEMPFAIL, "%s", why);
}

int
txn_commit(struct txn *t, const char *subject, const struct kvmap *trailers, git_oid *out)
{
	char *msg = build_message(subject, trailers);
	const char **paths = op_paths(t);
	const char **rest = NULL;
	git_signature *sig = NULL;
	struct commit_guard g;
	git_oid cid;
	size_t nrest = 0, early = 0;
	int rc, attempt = 0, batched;

	if ((rc = make_signature(t->d, &sig)) != 0)
		goto out;
	if (t->author_email && t->author == NULL &&
	    git_signature_new(&t->author, t->author_name, t->author_email, sig->when.time, 0) < 0)
		t->author = NULL;	/* an unusable name: the committer stands in */
	/* Journal first: a crash after the commit leaves the paths to repair. */
	if ((rc = worktree_journal(t->d, paths, t->n)) != 0)
		goto out;
	/*
	 * build -> write -> move the branch -> verify, here or, in a batch,
	 * once for the batch (batch_write_all): only then git must wait.
	 */
	batched = batch_get(t->d)->open;
	/*
	 * The last single commit's objects were kept only to be read back
	 * (the work tree, the cache): its successor builds from an empty
	 * buffer. Objects written outside a build stay, to be stored with it.
	 */
	if (!batched && t->d->batch->mem && pack_mem_pending(t->d->batch->mem) == 0)
		pack_mem_reset(t->d->batch->mem);
	memset(&g, 0, sizeof(g));
	if (!batched && (rc = guard_commit_begin(t->d, &g)) != 0)
		goto out;
	for (;;) {
		rc = try_commit(t, msg, sig, &cid);
		if (rc == 0 && !batched && attempt == 0)
			early = mirror_early(t, paths, &rest, &nrest);
		if (rc == 0 && !batched) {
			char *logmsg = xasprintf("commit: %s", subject);
			rc = batch_write(t->d, logmsg, 1, paths, t->n);
			free(logmsg);
		}
		if (rc != -EAGAIN)
			break;
		if (++attempt == TXN_RETRIES) {
			rc = rt_fail(EX_TEMPFAIL, "the desk branch kept moving; try again");
			break;
		}
		backoff(attempt);
	}
	if (!batched)
		guard_commit_end(t->d, &g, 0);	/* 0: no index write follows */
	if (rc != 0) {
		if (t->d->batch->commits == 0)
			batch_discard(t->d->batch);	/* objects of a failed build */
		rc = commit_tempfail(rc);
		if (early) {
			char *why = xstrdup(rt_errmsg());	/* the commit's, not the mirror's */
			worktree_drain();	/* what it failed to write is not wanted */
			mirror_early_undo(t);
			rt_fail(rc, "%s", why);
			free(why);
		}
		goto out;
	}
	if (out)
		*out = cid;
	cache_note_commit(t->d, t->has_parent ? &t->parent : NULL, &cid, paths, t->n);
	/* The commit is the record; a failed mirror is repaired by rt-gc. */
	if (batched)
		batch_mirror_split(t);
	else {
		/* the early files first: the YAML goes into their folders */
		if (early && worktree_drain() != 0)
			rt_warn("warning: %s", rt_errmsg());
		/* rebuilt on a moved branch (or nothing went early): all from the commit */
		const char **todo = rest && attempt == 0 ? rest : paths;
		size_t ntodo = rest && attempt == 0 ? nrest : t->n;
		if (ntodo && worktree_write(t->d, &cid, todo, ntodo) != 0)
			rt_warn("warning: %s", rt_errmsg());
	}
out:
	git_signature_free(sig);
	free(rest);
	free(paths);
	free(msg);
	return rc;
}
