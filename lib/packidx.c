/* packidx.c: a version 2 pack index read in pack order, and OFS_DELTA offsets */
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

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

int
pack_map(const char *path, const unsigned char **p, size_t *len)
{
	struct stat st;
	void *m;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return -1;
	if (fstat(fd, &st) < 0 || st.st_size <= 0 ||
	    (m = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE, fd, 0)) == MAP_FAILED) {
		close(fd);
		return -1;
	}
	close(fd);
	*p = m;
	*len = (size_t)st.st_size;
	return 0;
}

long long
pack_idx_count(const unsigned char *ix, size_t len)
{
	uint32_t n;

	if (len < 8 + 1024 + 40 || memcmp(ix, "\377tOc", 4) != 0 || pack_be32(ix + 4) != 2)
		return -1;
	n = pack_be32(ix + 8 + 255 * 4);
	return 8 + 1024 + (size_t)n * 28 + 40 <= len ? (long long)n : -1;
}

long
pack_ids_find(const unsigned char *ids, uint32_t n, const unsigned char *id)
{
	uint32_t lo = 0, hi = n;

	while (lo < hi) {
		uint32_t mid = lo + (hi - lo) / 2;
		int c = memcmp(ids + (size_t)mid * 20, id, 20);
		if (c == 0)
			return (long)mid;
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return -1;
}

int
pack_idx_within(const char *a, const char *b)
{
	char *pa = xasprintf("%s.idx", a), *pb = xasprintf("%s.idx", b);
	const unsigned char *x = NULL, *y = NULL;
	size_t xl = 0, yl = 0;
	long long nx, ny;
	int rc = -1;

	if (pack_map(pa, &x, &xl) == 0 && pack_map(pb, &y, &yl) == 0 &&
	    (nx = pack_idx_count(x, xl)) >= 0 && (ny = pack_idx_count(y, yl)) >= 0) {
		rc = 1;
		for (long long i = 0; i < nx && rc == 1; i++)
			rc = pack_ids_find(y + 8 + 1024, (uint32_t)ny,
			    x + 8 + 1024 + (size_t)i * 20) >= 0;
	}
	if (x)
		munmap((void *)x, xl);
	if (y)
		munmap((void *)y, yl);
	free(pa);
	free(pb);
	return rc;
}
