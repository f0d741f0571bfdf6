/* packidx.c: a version 2 pack index read in pack order, and OFS_DELTA offsets */
#include <stdlib.h>
#include <string.h>

#include "packidx.h"

uint32_t
pack_be32(const unsigned char *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static int
cmp_entry(const void *a, const void *b)
{
	const struct pack_idx_entry *x = a, *y = b;

	return x->off < y->off ? -1 : x->off > y->off;
}

struct pack_idx_entry *
pack_idx_entries(const unsigned char *ix, size_t len, uint32_t *n)
{
	size_t offs, large;
	struct pack_idx_entry *v;

	if (len < 8 + 1024 + 40 || memcmp(ix, "\377tOc", 4) != 0 || pack_be32(ix + 4) != 2)
		return NULL;
	*n = pack_be32(ix + 8 + 255 * 4);
	offs = 8 + 1024 + (size_t)*n * 24;
	large = offs + (size_t)*n * 4;
	if (large + 40 > len)
		return NULL;
	v = xmalloc((*n ? *n : 1) * sizeof(*v));
	for (uint32_t i = 0; i < *n; i++) {
		uint32_t o = pack_be32(ix + offs + (size_t)i * 4);
		v[i].i = i;
		v[i].off = o;
		if (o & 0x80000000u) {
			size_t k = large + (size_t)(o & 0x7fffffffu) * 8;
			if (k + 8 + 40 > len) {
				free(v);
				return NULL;
			}
			v[i].off = (uint64_t)pack_be32(ix + k) << 32 | pack_be32(ix + k + 4);
		}
	}
	qsort(v, *n, sizeof(*v), cmp_entry);
	return v;
}

void
pack_add_ofs(struct sbuf *sb, uint64_t ofs)
{
	unsigned char b[16];
	size_t i = sizeof(b) - 1;

	b[i] = ofs & 127;
	while (ofs >>= 7)
		b[--i] = 128 | (--ofs & 127);
	sbuf_add(sb, b + i, sizeof(b) - i);
}
