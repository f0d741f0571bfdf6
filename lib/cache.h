/*
 * cache.h: the derived ticket cache in .git/rt/cache.mdb (LMDB).
 * It maps ticket ids to summary records and message ids to tickets.
 * It is never the truth: it records the commit it reflects, and every
 * open brings it up to HEAD by diffing trees (cost: the tickets that
 * changed), or rebuilds it from HEAD's tree when it cannot.
 */
#ifndef RT_CACHE_H
#define RT_CACHE_H

#include <git2.h>

#include "id.h"
#include "kv.h"

struct desk;

int cache_open(struct desk *d);
void cache_close(struct desk *d);
/*
 * In a batch of commits (txn.h) updates skip LMDB's fdatasync: the cache
 * is derived, and the batch ends with one cache_flush.
 */
void cache_defer_sync(struct desk *d, int on);
void cache_flush(struct desk *d);
/*
 * In a batch the syncs made under the desk lock share one LMDB write
 * transaction; the batch commits it (keep 1) or drops it (keep 0, its
 * commits were dropped) before the lock goes. 0 or a sysexits code.
 */
int cache_settle(struct desk *d, int keep);
/*
 * Notes a commit this process made on parent (NULL: the first), writing
 * paths: a sync then reads those tickets instead of comparing trees, as
 * long as nothing else moved the branch (cachehint.h).
 */
void cache_note_commit(struct desk *d, const git_oid *parent, const git_oid *commit,
    const char *const *paths, size_t n);
/* Brings the cache up to HEAD. */
int cache_sync(struct desk *d);
/* Drops everything and reads every ticket from HEAD. */
int cache_rebuild(struct desk *d);
/*
 * For a desk opened with DESK_NOCACHE: throws the cache files away and
 * opens a new cache, built from HEAD once (cache_open on a stale cache
 * followed by cache_rebuild would build it twice).
 */
int cache_open_rebuilt(struct desk *d);
/* Copies the record of id into rec; EX_NOINPUT if unknown. */
int cache_get(struct desk *d, const char *id, struct kvmap *rec);
/*
 * What rt-route reads of the mail that opened ticket id, kept at indexing
 * (textindex_first: file, text, rcpt, attachment); EX_NOINPUT if none, or
 * if the text index is not built (a rebuild left it for its first search).
 */
int cache_first_mail(struct desk *d, const char *id, struct kvmap *out);
/* Finds the ticket holding a message id (or "sha1:..." digest); 0 if found. */
int cache_find_msgid(struct desk *d, const char *msgid, ticket_id out);
/* Follows merged-into links to the ticket that lives on; 0 if found. */
int cache_resolve(struct desk *d, const char *id, ticket_id out);

/*
 * Calls fn with the id of each ticket whose folder differs between the
 * commits a and b (added, changed or gone), in tree order, until it
 * returns non-zero; unchanged subtrees are not read, so the cost is what
 * changed (git_diff_tree_to_tree reads every tree of the desk).
 */
typedef int (*cache_id_fn)(const char *id, void *arg);
int cache_tickets_changed(struct desk *d, const git_oid *a, const git_oid *b, cache_id_fn fn,
    void *arg);

/* Calls fn for each record, in id order, until it returns non-zero. */
typedef int (*cache_fn)(const struct rec *r, void *arg);
int cache_foreach(struct desk *d, cache_fn fn, void *arg);
size_t cache_count(struct desk *d);
/*
 * Calls fn for the record of each ticket whose subject, mails, comments or
 * events hold every word of query (a word matches the words it begins),
 * in id order, from the text index (textindex.h), until fn returns non-zero.
 * The index is built on first use (a rebuild leaves it out), and the
 * tickets a sync outside a batch stored since are indexed first (one mail
 * does not pay for its words); a user who cannot write gets the same
 * answer by reading every ticket, or those tickets, until then.
 */
int cache_text_search(struct desk *d, const char *query, cache_fn fn, void *arg);
/*
 * As cache_foreach and cache_text_search, then done(rc, arg) with what
 * they would return, before the read transaction ends: the records fn
 * was handed (they point into LMDB's map) stay valid until done returns,
 * so a caller may keep pointers to them instead of copies. What done
 * returns is returned.
 */
typedef int (*cache_done_fn)(int rc, void *arg);
int cache_foreach_then(struct desk *d, cache_fn fn, cache_done_fn done, void *arg);
/*
 * As cache_foreach_then, for a caller whose done reads the records again
 * (a sorted listing of whole records): the scan keeps the map's pages
 * instead of handing them back as it goes, which would only make done
 * fault them back in. Reading them all, done has them all resident in
 * the end either way.
 */
int cache_foreach_reread(struct desk *d, cache_fn fn, cache_done_fn done, void *arg);
int cache_text_search_then(struct desk *d, const char *query, cache_fn fn, cache_done_fn done,
    void *arg);
/*
 * Builds the text index if a rebuild left it out, indexes the tickets
 * syncs left unindexed and folds its recent level into the main one
 * (rt-gc); 0 or a sysexits code.
 */
int cache_text_build(struct desk *d);
/* How many tickets syncs left unindexed this process indexed. */
size_t cache_text_caught_up(struct desk *d);

#endif
