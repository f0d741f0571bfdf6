/* txn.h: one change to the desk = one git commit, built without the index */
#ifndef RT_TXN_H
#define RT_TXN_H

#include <git2.h>
#include <stddef.h>

#include "kv.h"

struct desk;
struct txn;

/* Starts a change; the caller holds the desk lock. */
struct txn *txn_begin(struct desk *d);
/* Writes path (relative to the desk root) with these bytes. */
void txn_put(struct txn *t, const char *path, const void *buf, size_t len);
/*
 * As txn_put, with bytes the caller keeps unchanged until txn_commit
 * returns (a mail): not copied, and in a batch its work-tree file is
 * written at once, not read back from the pack at the batch's end. id,
 * when not NULL, is their blob id, already hashed: not hashed again.
 */
void txn_put_lent(struct txn *t, const char *path, const void *buf, size_t len,
    const git_oid *id);
/* Appends bytes to path as it stands in the commit this change lands on. */
void txn_append(struct txn *t, const char *path, const void *buf, size_t len);
/* The commit's author when it is not the committer (NULL email: none). */
void txn_author(struct txn *t, const char *name, const char *email);
/* Removes path. */
void txn_remove(struct txn *t, const char *path);
/*
 * Commits: builds trees from HEAD's tree (tree_update, treeup.h) into
 * memory, writes the new objects as one pack, moves the branch by
 * compare-and-swap and retries when another writer moved it. Then mirrors
 * the paths into the work tree. In a batch the pack and the branch wait
 * for the batch (below). subject is the
 * first line; trailers ("Ticket", "Action", ...) follow after a blank line.
 * Returns 0 or a sysexits code; on failure nothing is changed.
 */
int txn_commit(struct txn *t, const char *subject, const struct kvmap *trailers,
    git_oid *out);
void txn_free(struct txn *t);

/*
 * Batches: between txn_batch_begin and txn_batch_end every commit is still
 * its own commit, chained on the one before, but the objects of many
 * commits go to disk as one pack and the branch moves once. The desk lock
 * taken for the first commit is kept across desk_unlock until the batch is
 * a second old or TXN_BATCH_MAX commits long; then the batch is written
 * and the lock released, so single deliveries interleave with a bulk
 * import. Readers in this process see the batch (desk_head). Call both
 * outside a locked section. txn_batch_end writes what is left and returns
 * 0 only when every commit of the batch is durable on the branch, else a
 * sysexits code (EX_TEMPFAIL: nothing of the failed part is on the branch).
 */
void txn_batch_begin(struct desk *d);
int txn_batch_end(struct desk *d);
/*
 * Before rt starts a command that may read or write the desk (a workflow
 * exec:, a mailer or channel program): the batch so far goes to the
 * branch and the cache's write transaction is committed, so the command
 * finds the change that started it, branch and cache at one commit, and
 * no LMDB writer held by the rt that waits for it. A failed write is the
 * batch's failure (txn_batch_end), as at the end of a group. A caller
 * outside a locked section then lets go of a lock the batch kept with
 * desk_unlock, so that the command may write the desk.
 */
void txn_batch_settle(struct desk *d);
/* For desk_unlock: 1 while an open batch keeps the lock (writes it when due). */
int txn_batch_keeps_lock(struct desk *d);
/* For desk_close: writes what is left and frees the batch state. */
void txn_batch_close(struct desk *d);
/*
 * For output that may name only what is durable (rt-ingest's ticket ids):
 * 1 when no commit of the batch waits to be written, and in *failures the
 * number of batch writes that failed so far (their commits were dropped).
 */
int txn_batch_settled(struct desk *d, unsigned long *failures);
/* 1 between txn_batch_begin and txn_batch_end (its end included). */
int txn_batch_open(struct desk *d);
/* For desk_head: 1 and the last commit while a batch has commits not on the branch. */
int txn_batch_tip(struct desk *d, git_oid *out);

#endif
