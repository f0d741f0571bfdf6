/* commitwalk.h: the commits reachable from the refs, each taken once */
#ifndef RT_COMMITWALK_H
#define RT_COMMITWALK_H

#include <git2.h>

/* 1 when the commit id is to be visited (and is marked so), 0 to pass it by. */
typedef int (*commit_take_fn)(void *arg, const git_oid *id);
/* Called on each commit taken; a nonzero return ends the walk with it. */
typedef int (*commit_visit_fn)(void *arg, git_commit *c);

/*
 * Walks history from every ref, newest first along each first-parent
 * line, visiting the commits take() accepts and going on through their
 * parents. A commit take() refuses ends that line: the commits older
 * than the ones a pack holds are its caller's to skip. -1 when the refs
 * cannot be listed, else the first nonzero visit() or 0.
 */
int commit_walk(git_repository *repo, commit_take_fn take, commit_visit_fn visit, void *arg);

#endif
