/*
 * guard.h: rt and git never race; nothing a killed process left blocks
 * the desk.
 *
 * Every writer holds the desk flock (desk_lock). While it does, rt also
 * holds .git/index.lock for the length of each commit, marked "rt PID",
 * so a git command and an rt commit never run at once. A lock file that
 * a killed rt left behind is therefore certainly stale once the desk
 * flock is ours, and it is removed; a live git command's lock is not.
 */
#ifndef RT_GUARD_H
#define RT_GUARD_H

#include <git2.h>

struct desk;

/*
 * Called by desk_lock once the flock is held. Refuses to write while git
 * is in the middle of something (merge, rebase, cherry-pick, revert, am,
 * bisect, a detached HEAD, a live index.lock): EX_TEMPFAIL with a
 * one-line reason naming the fix (desk_lock then lets go of the lock
 * again). Removes stale lock files.
 */
int guard_locked(struct desk *d);

/* For desk_unlock, before it lets go: this writer was not killed (guard.c). */
void guard_unlocking(struct desk *d);

/*
 * Removes the temporary work-tree files (PATH.tmpPID) a killed rt left
 * for the paths in the last tail bytes of .git/rt/pending ((size_t)-1:
 * all). Called by guard_locked after a writer was killed, and rt-gc.
 * Returns how many belong to writers still alive (a zombie counts as dead).
 */
size_t guard_worktree_temps(struct desk *d, size_t tail);

/* The state of one commit in progress: rt's index.lock and the old tip. */
struct commit_guard {
	int locked;		/* we hold .git/index.lock */
	int has_old;		/* the branch had a tip before */
	git_oid old;		/* that tip, to put back when verification fails */
};

/* Takes .git/index.lock for rt and notes HEAD; EX_TEMPFAIL if git holds it. */
int guard_commit_begin(struct desk *d, struct commit_guard *g);
/*
 * Releases the index lock; when committed, notes that libgit2 writes the
 * index next, until guard_index_done.
 */
void guard_commit_end(struct desk *d, struct commit_guard *g, int committed);
/*
 * Around libgit2's own index writes (after guard_commit_end, in rt-gc):
 * a note that this rt lets libgit2 take .git/index.lock, so the lock a
 * kill leaves there is known as rt's.
 */
void guard_index_writer(struct desk *d);
void guard_index_done(struct desk *d);

#endif
