/* packroll.h: small packs merged by copying their entries, no delta search */
#ifndef RT_PACKROLL_H
#define RT_PACKROLL_H

#include <stddef.h>
#include <stdint.h>

#include <git2.h>

#include "util.h"

struct pack_entry {
	git_oid oid;
	uint32_t crc;		/* of the entry's bytes there */
	uint64_t off;		/* in the new pack */
};	/* 32 bytes: a fold of the 100k bench desk holds 1.2 million */

/*
 * The packs bases[n] (objects/pack/pack-HEX, without extension, each with
 * a version 2 index) as one pack in *pack, its trailer included, and its
 * entries in *v[*nv], for an index. Each entry's compressed bytes are
 * copied as they are, checked against the CRC its index gives; an object
 * in several packs is kept once (the first). A delta by offset is
 * written again with the distance to its base in the new pack (its base
 * always lies before it there); a delta by id is copied as it is. No
 * object is inflated and no delta searched. 0, or -1 with the old packs
 * untouched (a pack that is not as its index says).
 */
int packroll_build(char *const *bases, size_t n, struct sbuf *pack,
    struct pack_entry **v, size_t *nv);

/*
 * The previous versions of the objects folded into a pack (packfold.c):
 * base_of gives 1 and *base when id is a version of base at the same
 * path (0: none); delta appends to out the git delta that makes id from
 * base (0, or -1).
 */
struct packroll_rebase {
	int (*base_of)(void *arg, const git_oid *id, git_oid *base);
	int (*delta)(void *arg, const git_oid *id, const git_oid *base, struct sbuf *out);
	void *arg;
	int depth;		/* the longest chain of deltas; 0: git's default, 50 */
};

/*
 * packroll_build, bases[0] copied first and as it is (every entry at the
 * offset it had, so the new index is the old one plus the others), and
 * each whole object of the other packs whose base_of lies in bases[0]
 * written as a delta by offset against it: when no chain of deltas grows
 * past rb->depth and the delta entry is at most three
 * quarters of the whole one. *rebased counts them.
 */
int packroll_fold(char *const *bases, size_t n, const struct packroll_rebase *rb,
    struct sbuf *pack, struct pack_entry **v, size_t *nv, size_t *rebased);

#endif
