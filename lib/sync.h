/*
 * sync.h: sharing a desk between clones (rt-sync).
 *
 * Under the desk lock: fetch the desk's branch from the remote through
 * libgit2, merge it in memory with git_merge_commits (log.yaml merges by
 * union through .gitattributes), commit the merge with trailers, move
 * the branch by compare-and-swap, bring the work tree and the index up
 * to it, reconcile (follow-ups on a ticket merged away on the other side
 * move to the survivor, cascades are re-applied: each its own commit
 * through link.h and status.h), then push; a push refused as not a fast
 * forward starts over with a new fetch. Nothing goes through git's
 * index or MERGE_HEAD, so a failure leaves no merge in progress.
 */
#ifndef RT_SYNC_H
#define RT_SYNC_H

#include <git2.h>
#include <stddef.h>

#include "util.h"

struct desk;

struct sync_result {
	char *remote;		/* the remote's name or URL */
	char *branch;		/* the desk's branch, e.g. "main" */
	size_t incoming;	/* commits brought in */
	size_t outgoing;	/* commits the remote did not have */
	int fast_forward;	/* the branch moved to the remote's tip */
	int merged;		/* a merge commit was made */
	git_oid merge;		/* that commit */
	size_t reconciled;	/* reconcile commits */
	size_t tickets;		/* tickets the incoming commits touched */
	int pushed;		/* the remote's branch was moved */
	int attempts;		/* fetch-merge-push rounds (a refused push retries) */
	struct sbuf lost;	/* "#ID field: value (by, at)\n" lines lost to a concurrent write */
};

/*
 * Syncs the desk with remote (a remote's name or a URL or path; NULL: the
 * branch's upstream remote, else "origin"). Fills res (free it with
 * sync_result_free). Returns 0; EX_TEMPFAIL when the remote cannot be
 * reached or the desk is busy (nothing changed that is not complete);
 * EX_CONFIG when there is no such remote; EX_DATAERR when the two sides
 * cannot be merged (nothing changed).
 */
int sync_desk(struct desk *d, const char *remote, struct sync_result *res);
void sync_result_free(struct sync_result *res);

/*
 * This clone's name: git config rt.clone (set per clone: .git/config is
 * not cloned), else the host name. escalation.sweeper names one.
 */
char *sync_clone_name(struct desk *d);

#endif
