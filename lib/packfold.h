/* packfold.h: the previous version of each young object, for rt-gc's fold */
#ifndef RT_PACKFOLD_H
#define RT_PACKFOLD_H

#include <git2.h>

#include "packroll.h"

/*
 * The objects of the pack young (objects/pack/pack-HEX, without
 * extension) that the commits in it changed, each with the object at the
 * same path in the first parent commit, or in its parent when that one is
 * young too: a version in an older pack, the base its delta is made
 * against when the young pack is folded into that pack (packroll_fold).
 * 0, or -1 with an error set.
 */
struct packfold;
int packfold_new(git_repository *repo, const char *young, struct packfold **out);
/* Fills rb with callbacks that read through f (which must outlive rb). */
void packfold_rebase(struct packfold *f, struct packroll_rebase *rb);
size_t packfold_count(const struct packfold *f);
void packfold_free(struct packfold *f);

#endif
