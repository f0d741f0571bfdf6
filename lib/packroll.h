/* packroll.h: small packs merged by copying their entries, no delta search */
#ifndef RT_PACKROLL_H
#define RT_PACKROLL_H

#include <stddef.h>
#include <stdint.h>

#include <git2.h>

#include "util.h"

struct pack_entry {
	git_oid oid;
	uint64_t off;		/* in the new pack */
	uint32_t crc;		/* of the entry's bytes there */
};

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

#endif
