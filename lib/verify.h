/* verify.h: a commit is only done once it can be read back from disk */
#ifndef RT_VERIFY_H
#define RT_VERIFY_H

#include <git2.h>
#include <stddef.h>

struct desk;
struct pack_mem;

/*
 * Reads the new commit back through a fresh repository handle (its own
 * object database, no cache shared with the writer): the commit, its
 * tree, every tree along each changed path and each written blob must
 * be readable, and HEAD, read from disk, must point at the commit.
 * libgit2 can report success for a write that failed (full disk), so
 * this runs once at the end of every commit. When HEAD points at an
 * unreadable commit it is moved back to old (NULL: unborn), without a
 * reflog line. Objects not found (a git gc --prune=now or git prune
 * beside rt deletes a new pack no branch names yet) are written once
 * more from mem (NULL: not kept; its pending objects are the commit's)
 * and read again: the mail is stored, not bounced for a retry. Returns
 * 0 or EX_TEMPFAIL with the reason; on failure nothing is stored.
 */
int commit_verify(struct desk *d, struct pack_mem *mem, const git_oid *old,
    const git_oid *commit, const char **paths, size_t n);

#endif
