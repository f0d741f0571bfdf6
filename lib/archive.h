/* archive.h: tickets kept in HEAD but out of the work tree (rt-archive(1)) */
#ifndef RT_ARCHIVE_H
#define RT_ARCHIVE_H

#include <git2.h>
#include <stddef.h>

struct desk;

/* The archived tickets' folders, from the ids in .git/rt/archived. */
struct archive {
	char **dirs;		/* sorted: "tickets/K/7/M/ID" */
	size_t n;
};
#define ARCHIVE_INIT { NULL, 0 }

int archive_load(struct desk *d, struct archive *a);
void archive_free(struct archive *a);
/* The archived folder that is or holds path, or NULL. */
const char *archive_find(const struct archive *a, const char *path);
/* Writes the list (atomically); an empty one removes the file. */
int archive_save(struct desk *d, const struct archive *a);

/* Marks the index entries of every archived folder skip-worktree. */
int archive_mark_all(git_index *idx, const struct archive *a);
/*
 * Brings back into the work tree and the index, whole, the archived
 * tickets whose folder is in the work tree again (a change was written
 * into it) and drops them from a; *back counts them. The caller writes
 * the index, then saves a.
 */
int archive_converge(struct desk *d, git_index *idx, git_tree *tree, struct archive *a,
    size_t *back);

/*
 * Archives the tickets ids (with restore, brings them back); with
 * dry_run changes nothing. Applies the pending paths first. The ids
 * whose state changes are returned in *done (malloc'd); an id that is
 * not a ticket in HEAD is a warning, counted in *missing. Holds the
 * desk lock.
 */
int archive_tickets(struct desk *d, char **ids, size_t n, int restore, int dry_run,
    char ***done, size_t *ndone, size_t *missing);
/* The archived ticket ids, sorted. */
int archive_ids(struct desk *d, char ***ids, size_t *n);

#endif
