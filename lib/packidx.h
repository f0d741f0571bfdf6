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

/* The object count of the version 2 index ix (len bytes), or -1 when it is not one. */
long long pack_idx_count(const unsigned char *ix, size_t len);

/* The position of id among the n sorted 20-byte object ids at ids, or -1. */
long pack_ids_find(const unsigned char *ids, uint32_t n, const unsigned char *id);

/* The file mapped read-only in *p, *len bytes (not empty); 0 or -1. */
int pack_map(const char *path, const unsigned char **p, size_t *len);

/*
 * 1 when every object of the pack a (objects/pack/pack-HEX, without
 * extension) is in the pack b, by their version 2 indexes; 0 when not,
 * -1 when either cannot be read.
 */
int pack_idx_within(const char *a, const char *b);

/* Appends the offset encoding of git's OFS_DELTA. */
void pack_add_ofs(struct sbuf *sb, uint64_t ofs);

#endif
