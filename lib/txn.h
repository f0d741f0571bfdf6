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
/* Writes path with the content from a file on disk (large mail). */
void txn_put_file(struct txn *t, const char *path, const char *file);
/* Appends bytes to path as it stands in the commit this change lands on. */
void txn_append(struct txn *t, const char *path, const void *buf, size_t len);
/* Removes path. */
void txn_remove(struct txn *t, const char *path);
/*
 * Commits: builds trees from HEAD's tree with git_tree_create_updated,
 * moves the branch by compare-and-swap and retries when another writer
 * moved it. Then mirrors the paths into the work tree. subject is the
 * first line; trailers ("Ticket", "Action", ...) follow after a blank line.
 * Returns 0 or a sysexits code; on failure nothing is changed.
 */
int txn_commit(struct txn *t, const char *subject, const struct kvmap *trailers,
    git_oid *out);
void txn_free(struct txn *t);

#endif
