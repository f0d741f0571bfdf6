/* packroll.c: small packs merged by copying their entries, no delta search */
#include <stdlib.h>
#include <string.h>

#include <zlib.h>

#include "packidx.h"
#include "packroll.h"
#include "sha1.h"

struct src {
	char *pack, *ix;
	size_t plen, ilen;
	uint32_t n;
	struct pack_idx_entry *at;	/* entries by offset */
	uint64_t *neu;		/* where each of them is in the new pack */
};

/* Reads a version 2 index and its pack, entries by offset; -1 if they do not fit. */
static int
src_load(struct src *s, const char *base)
{
	char *pp = xasprintf("%s.pack", base), *ip = xasprintf("%s.idx", base);
	const unsigned char *ix;
	int rc = -1;

	memset(s, 0, sizeof(*s));
	if (read_file(ip, &s->ix, &s->ilen) < 0 || read_file(pp, &s->pack, &s->plen) < 0)
		goto out;
	ix = (const unsigned char *)s->ix;
	if (s->plen < 32 || memcmp(s->pack, "PACK", 4) != 0 ||
	    pack_be32((unsigned char *)s->pack + 4) != 2 ||
	    (s->at = pack_idx_entries(ix, s->ilen, &s->n)) == NULL ||
	    pack_be32((unsigned char *)s->pack + 8) != s->n ||
	    memcmp(s->pack + s->plen - 20, ix + s->ilen - 40, 20) != 0)
		goto out;
	s->neu = xmalloc((s->n ? s->n : 1) * sizeof(*s->neu));
	rc = 0;
out:
	free(pp);
	free(ip);
	return rc;
}

static void
src_free(struct src *s)
{
	free(s->pack);
	free(s->ix);
	free(s->at);
	free(s->neu);
}

/* The entry at offset off among the first k by offset, or -1. */
static long
src_at(const struct src *s, uint32_t k, uint64_t off)
{
	uint32_t lo = 0, hi = k;

	while (lo < hi) {
		uint32_t mid = lo + (hi - lo) / 2;
		if (s->at[mid].off == off)
			return (long)mid;
		if (s->at[mid].off < off)
			lo = mid + 1;
		else
			hi = mid;
	}
	return -1;
}

/* Object id to entry of the new pack: open addressing, -1 empty. */
struct seen {
	long *slot;
	size_t mask;
};

static long *
seen_find(struct seen *t, const struct pack_entry *v, const unsigned char *id)
{
	uint64_t h;
	size_t i;

	memcpy(&h, id, sizeof(h));	/* object ids are uniform already */
	for (i = h & t->mask; t->slot[i] >= 0; i = (i + 1) & t->mask)
		if (memcmp(v[t->slot[i]].oid.id, id, 20) == 0)
			break;
	return &t->slot[i];
}

/* Copies the entries of s not yet in the new pack; -1 on a bad entry. */
static int
copy_src(struct src *s, struct sbuf *sb, struct pack_entry *v, size_t *nv, struct seen *t)
{
	const unsigned char *ix = (const unsigned char *)s->ix;
	const unsigned char *pack = (const unsigned char *)s->pack;
	const unsigned char *crcs = ix + 8 + 1024 + (size_t)s->n * 20;

	for (uint32_t k = 0; k < s->n; k++) {
		uint64_t start = s->at[k].off, end = k + 1 < s->n ? s->at[k + 1].off : s->plen - 20;
		const unsigned char *p = pack + start, *id = ix + 8 + 1024 + (size_t)s->at[k].i * 20;
		uint32_t crc = pack_be32(crcs + (size_t)s->at[k].i * 4);
		size_t h = 1, len;
		long *slot;
		int type;
		if (start < 12 || end <= start || end > s->plen - 20)
			return -1;
		len = end - start;
		if ((uint32_t)crc32(0, p, (uInt)len) != crc)
			return -1;	/* not what its index says: left to rt-gc */
		if (*(slot = seen_find(t, v, id)) >= 0) {
			s->neu[k] = v[*slot].off;
			continue;
		}
		while (p[h - 1] & 0x80)
			if (h++ >= len)
				return -1;
		type = p[0] >> 4 & 7;
		s->neu[k] = sb->len;
		if (type == GIT_OBJECT_OFS_DELTA) {
			uint64_t ofs;
			size_t o = h;
			long b;
			unsigned c;
			if (o >= len)
				return -1;
			c = p[o++];
			ofs = c & 127;
			while (c & 128) {
				if (o >= len || ofs >= (UINT64_MAX >> 8))
					return -1;
				c = p[o++];
				ofs = ((ofs + 1) << 7) | (c & 127);
			}
			if (ofs == 0 || ofs > start || (b = src_at(s, k, start - ofs)) < 0)
				return -1;
			sbuf_add(sb, p, h);
			pack_add_ofs(sb, s->neu[k] - s->neu[b]);
			sbuf_add(sb, p + o, len - o);
			crc = (uint32_t)crc32(0, (unsigned char *)sb->buf + s->neu[k],
			    (uInt)(sb->len - s->neu[k]));
		} else if (type == GIT_OBJECT_REF_DELTA || (type >= GIT_OBJECT_COMMIT &&
		    type <= GIT_OBJECT_TAG))
			sbuf_add(sb, p, len);
		else
			return -1;
		memcpy(v[*nv].oid.id, id, 20);
		v[*nv].off = s->neu[k];
		v[*nv].crc = crc;
		*slot = (long)(*nv)++;
	}
	return 0;
}

int
packroll_build(char *const *bases, size_t n, struct sbuf *pack,
    struct pack_entry **v, size_t *nv)
{
	struct src *s = xcalloc(n ? n : 1, sizeof(*s));
	struct seen t = { NULL, 0 };
	size_t total = 0, size = 1, bytes = 12 + 20;
	unsigned char sum[20], cnt[4];
	int rc = -1;

	*v = NULL;
	*nv = 0;
	for (size_t i = 0; i < n; i++) {
		if (src_load(&s[i], bases[i]) < 0)
			goto out;
		total += s[i].n;
		bytes += s[i].plen;
	}
	while (size < 2 * total + 2)
		size <<= 1;
	t.slot = xmalloc(size * sizeof(*t.slot));
	t.mask = size - 1;
	memset(t.slot, 0xff, size * sizeof(*t.slot));
	*v = xmalloc((total ? total : 1) * sizeof(**v));
	sbuf_grow(pack, bytes + total * 4);
	sbuf_add(pack, "PACK\0\0\0\2\0\0\0\0", 12);
	for (size_t i = 0; i < n; i++)
		if (copy_src(&s[i], pack, *v, nv, &t) < 0)
			goto out;
	cnt[0] = (unsigned char)(*nv >> 24);
	cnt[1] = (unsigned char)(*nv >> 16);
	cnt[2] = (unsigned char)(*nv >> 8);
	cnt[3] = (unsigned char)*nv;
	memcpy(pack->buf + 8, cnt, 4);
	sha1(pack->buf, pack->len, sum);
	sbuf_add(pack, sum, sizeof(sum));
	rc = 0;
out:
	if (rc < 0) {
		free(*v);
		*v = NULL;
		*nv = 0;
		pack->len = 0;
	}
	for (size_t i = 0; i < n; i++)
		src_free(&s[i]);
	free(s);
	free(t.slot);
	return rc;
}
