/* refmove.h: a branch moved under git's lock, durably before its rename */
#ifndef RT_REFMOVE_H
#define RT_REFMOVE_H

#include <git2.h>

struct desk;

/*
 * Moves ref name (a branch, or a detached "HEAD") from old (NULL: it must
 * not exist yet) to new, under git's lock file name.lock, and appends the
 * line logmsg (NULL: none, see ref_log) to its reflog and, when HEAD names
 * it, to HEAD's. On a DESK_DURABLE desk the new content is fsynced before
 * the rename and the folder after it, so a crash leaves the old ref or the
 * new one, never an empty or torn file; reflogs are not fsynced, as git
 * does not. 0, -EAGAIN when the lock is taken or the ref is no longer old,
 * or a sysexits code with the message set.
 */
int ref_move(struct desk *d, const char *name, const git_oid *old, const git_oid *new,
    const char *logmsg);
/*
 * ref_move in two steps, for a commit whose objects go to the disk in
 * between: ref_lock takes the lock and writes the new content (not
 * synced), so its fsync can wait for the disk together with the new
 * pack's (pack_mem_write's withfd); ref_lock_commit (synced: 1 when it
 * was) renames it and fsyncs the folder; ref_unlock drops it unused.
 * Both leave lk released; the same returns as ref_move.
 */
struct ref_lock {
	int fd;
	char *path, *lock;
};
int ref_lock(struct desk *d, const char *name, const git_oid *old, const git_oid *new,
    struct ref_lock *lk);
int ref_lock_commit(struct desk *d, struct ref_lock *lk, int synced);
void ref_unlock(struct ref_lock *lk);
/*
 * The reflog lines ref_move appends, for a caller that logs a move only
 * once the new commit is read back (commit_verify): no reflog line may
 * name a commit a git gc --prune=now beside rt deleted (git fsck:
 * "invalid reflog entry"). Not fsynced: a lost line is history, not mail.
 */
void ref_log(struct desk *d, const char *name, const git_oid *old, const git_oid *new,
    const char *msg);

#endif
