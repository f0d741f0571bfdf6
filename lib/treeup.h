/* treeup.h: a tree with some paths put or removed, from raw tree objects */
#ifndef RT_TREEUP_H
#define RT_TREEUP_H

#include <git2.h>
#include <stddef.h>

/*
 * git_tree_create_updated's job and rules (paths sorted for it, D/F
 * conflicts and a removal of a missing path are errors, a folder left
 * empty goes) without its tree builders: a changed folder is its old
 * entries with the changed ones spliced in, written once, so a commit's
 * cost grows with the full fan-out folders it passes through only by
 * hashing them.
 * base NULL: the empty tree. Returns 0, or -1 with the libgit2 error set.
 */
int tree_update(git_repository *repo, const git_oid *base, size_t n,
    const git_tree_update *up, git_oid *out);

#endif
