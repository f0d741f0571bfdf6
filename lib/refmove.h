/* refmove.h: a branch moved under git's lock, durably before its rename */
#ifndef RT_REFMOVE_H
#define RT_REFMOVE_H

#include <git2.h>

struct desk;

/*
 * Moves ref name (a branch, or a detached "HEAD") from old (NULL: it must
 * not exist yet) to new, under git's lock file name.lock, and appends the
 * line logmsg (NULL: none, see ref_log) to its reflog and, when HEAD names
 * it, to HEAD's. On a
 * DESK_DURABLE desk the new content is fsynced before the rename and the
 * folder after it, so a crash leaves the old ref or the new one, never an
 * empty or torn file; reflogs are not fsynced, as git does not. syncfd
 * (-1: none; the caller closes it) is fsynced with the new content, so
 * also before the rename: the folder of the pack the new commit is in
 * (pack_mem_write), one wait for the disk instead of two in a row.
 * 0, -EAGAIN when the lock is taken or the ref is no longer old, or a
 * sysexits code with the message set (then syncfd may not be synced).
 */
int ref_move(struct desk *d, const char *name, const git_oid *old, const git_oid *new,
    const char *logmsg, int syncfd);
/*
 * The reflog lines ref_move appends, for a caller that logs a move only
 * once the new commit is read back (commit_verify): no reflog line may
 * name a commit a git gc --prune=now beside rt deleted (git fsck:
 * "invalid reflog entry"). Not fsynced: a lost line is history, not mail.
 */
void ref_log(struct desk *d, const char *name, const git_oid *old, const git_oid *new,
    const char *msg);

#endif
