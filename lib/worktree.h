/* worktree.h: mirroring commits into the work tree and the index */
#ifndef RT_WORKTREE_H
#define RT_WORKTREE_H

#include <git2.h>
#include <stddef.h>

struct desk;

/* Appends paths to .git/rt/pending before they are committed. */
int worktree_journal(struct desk *d, const char **paths, size_t n);
/* Closes the journal worktree_journal keeps open (desk_close). */
void worktree_journal_close(struct desk *d);
/*
 * Writes paths as they are in commit into the work tree. The index is
 * not touched (its rewrite is O(files)): the paths stay pending for rt-gc.
 */
int worktree_write(struct desk *d, const git_oid *commit, const char **paths, size_t n);
/*
 * Repairs every pending path from HEAD (work tree and index) and empties
 * the journal; with full, rebuilds the index from HEAD's tree.
 */
int worktree_sync(struct desk *d, int full);
/* Number of pending paths. */
size_t worktree_pending(struct desk *d);

/*
 * As worktree_write, for a batch: the files go to worktree_queue; a path
 * the commit lacks is removed at once, after the files queued before it.
 * (The files a batch makes new went to worktree_queue at their commit.)
 */
int worktree_write_queued(struct desk *d, const git_oid *commit, const char **paths, size_t n);
/*
 * The one writer of a work-tree file (full: an absolute path; its folders
 * made when missing): when buf only adds to the end of the file there,
 * the new bytes are appended in place (log.yaml on a follow-up keeps its
 * inode, tail -f keeps reading it); when it holds buf already, it is left;
 * else buf is written aside and renamed over it. fresh: the caller knows
 * the file is new (a mail, a new ticket's log), so it is not looked at
 * first. Single commits and the batch thread both write through it.
 */
int worktree_file(const char *full, const char *buf, size_t len, int fresh);
/*
 * A batch's files, written by a second thread (worktree_async.c) through
 * worktree_file: queue takes buf (malloc'd); queued is the sequence number
 * of the last file queued; wait returns once the files up to seq are
 * written; drain once all are, the thread ended: EX_IOERR (message set)
 * when any failed, their paths left pending for rt-gc. A batch drains
 * before it lets go of the desk lock (txn_batch_keeps_lock).
 */
void worktree_queue(const char *full, char *buf, size_t len, int fresh);
/*
 * As worktree_queue, for a file another owner writes its own way (the
 * cache's ticket.yaml, written aside in .git/rt/tmp: ticket.c): the
 * thread calls write(full, buf, len, arg) instead of worktree_file, in
 * queue order (after the files of its folder queued before it).
 */
typedef int (*worktree_writer)(const char *full, const char *buf, size_t len, void *arg);
void worktree_queue_by(const char *full, char *buf, size_t len, worktree_writer write, void *arg);
/* The thread starts on the files queued so far (it is woken per 16 otherwise). */
void worktree_kick(void);
unsigned long worktree_queued(void);
void worktree_wait(unsigned long seq);
int worktree_drain(void);

/* HEAD's tree, or NULL on an unborn branch; caller frees. */
int worktree_head_tree(struct desk *d, git_tree **tree);
/* Makes the work-tree file at path equal to its blob in tree (or absent). */
int worktree_mirror(struct desk *d, git_tree *tree, const char *path);
/*
 * Sets path's index entry from tree with the file's stat data (removes it
 * when tree lacks it); with skip, marks it skip-worktree (rt-archive(1)).
 */
int worktree_index_path(struct desk *d, git_index *idx, git_tree *tree, const char *path,
    int skip);

#endif
