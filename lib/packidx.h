/* packidx.h: a version 2 pack index read in pack order, and OFS_DELTA offsets */
#ifndef RT_PACKIDX_H
#define RT_PACKIDX_H

#include <stddef.h>
#include <stdint.h>

#include "util.h"

struct pack_idx_entry {
	uint64_t off;		/* in the pack */
	uint32_t i;		/* position in the index (object id order) */
};

uint32_t pack_be32(const unsigned char *p);

/*
 * The n entries of the version 2 index ix (len bytes), sorted by offset
 * (xmalloc'd); NULL if it is not one or an offset lies outside it.
 */
struct pack_idx_entry *pack_idx_entries(const unsigned char *ix, size_t len, uint32_t *n);

/* Appends the offset encoding of git's OFS_DELTA. */
void pack_add_ofs(struct sbuf *sb, uint64_t ofs);

#endif
