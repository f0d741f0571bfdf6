/* head.h: reading the desk as it stands in HEAD (no writes, no work tree) */
#ifndef RT_HEAD_H
#define RT_HEAD_H

#include <git2.h>
#include <stddef.h>

struct desk;

/* Reads path from HEAD; EX_NOINPUT if missing. */
int desk_read_head(struct desk *d, const char *path, char **buf, size_t *len);
/* Reads path from a tree. */
int tree_read(git_repository *repo, git_tree *tree, const char *path, char **buf,
    size_t *len);
/*
 * The mail that opened the ticket of folder dir: the oldest .eml of its
 * msg/ (names start with the time), "msg/NAME" malloc'd, or NULL. What
 * rt-route reads as the opening mail and the cache keeps for it.
 */
char *ticket_opening_mail(git_repository *repo, git_tree *dir);
/* HEAD's commit, or NULL on an unborn branch; caller frees. */
int desk_head(struct desk *d, git_commit **out);
/*
 * The branch was moved to tip by this process (NULL: moved some other
 * way, or maybe not at all: read it again), for desk_head's memory.
 */
void desk_head_moved(struct desk *d, const git_oid *tip);
/*
 * For a run that changes nothing (rt-route -n): HEAD as first read stays
 * the run's, all its tickets read from one commit, as a lock would keep
 * it. desk_lock and desk_unlock still read it again.
 */
void desk_head_pin(struct desk *d);

#endif
