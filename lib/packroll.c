/* packroll.c: small packs merged by copying their entries, no delta search */
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include <zlib.h>

#include "packidx.h"
#include "packroll.h"
#include "sha1.h"

#define DEPTH_MAX 50	/* git's default --depth: a read resolves at most this many deltas */

struct src {
	const unsigned char *pack, *ix;
	size_t plen, ilen;
	uint32_t n;
	struct pack_idx_entry *at;	/* entries by offset */
	uint64_t *neu;		/* where each of them is in the new pack */
	uint32_t *pos;		/* index position to entry by offset */
	unsigned char *below;	/* the longest chain of deltas on each entry, within s */
};

/* Maps a version 2 index and its pack, entries by offset; -1 if they do not fit. */
static int
src_load(struct src *s, const char *base)
{
	char *pp = xasprintf("%s.pack", base), *ip = xasprintf("%s.idx", base);
	int rc = -1;

	memset(s, 0, sizeof(*s));
	if (pack_map(ip, &s->ix, &s->ilen) < 0 || pack_map(pp, &s->pack, &s->plen) < 0)
		goto out;
	if (s->plen < 32 || memcmp(s->pack, "PACK", 4) != 0 ||
	    pack_be32(s->pack + 4) != 2 ||
	    (s->at = pack_idx_entries(s->ix, s->ilen, &s->n)) == NULL ||
	    pack_be32(s->pack + 8) != s->n ||
	    memcmp(s->pack + s->plen - 20, s->ix + s->ilen - 40, 20) != 0)
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
	if (s->pack)
		munmap((void *)s->pack, s->plen);
	if (s->ix)
		munmap((void *)s->ix, s->ilen);
	free(s->at);
	free(s->neu);
	free(s->pos);
	free(s->below);
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

/*
 * The entry at p (len bytes): its type, the length of its header in *h
 * and, for a delta by offset, the distance back to its base in *ofs and
 * where its data starts in *o. -1 when it does not fit in len.
 */
static int
entry_parse(const unsigned char *p, size_t len, size_t *h, uint64_t *ofs, size_t *o)
{
	unsigned c;

	*h = 1;
	while (p[*h - 1] & 0x80)
		if ((*h)++ >= len)
			return -1;
	*o = *h;
	*ofs = 0;
	if ((p[0] >> 4 & 7) == GIT_OBJECT_OFS_DELTA) {
		if (*o >= len)
			return -1;
		c = p[(*o)++];
		*ofs = c & 127;
		while (c & 128) {
			if (*o >= len || *ofs >= (UINT64_MAX >> 8))
				return -1;
			c = p[(*o)++];
			*ofs = ((*ofs + 1) << 7) | (c & 127);
		}
		if (*ofs == 0)
			return -1;
	} else if ((p[0] >> 4 & 7) == GIT_OBJECT_REF_DELTA && *o + 20 > len)
		return -1;
	return p[0] >> 4 & 7;
}

static uint64_t
entry_end(const struct src *s, uint32_t k)
{
	return k + 1 < s->n ? s->at[k + 1].off : s->plen - 20;
}

/* The base of entry k within s (by offset order), or -1 for a whole object. */
static long
src_base(const struct src *s, uint32_t k)
{
	uint64_t start = s->at[k].off, end = entry_end(s, k), ofs;
	size_t h, o;
	long i;
	int type;

	if (start < 12 || end <= start || end > s->plen - 20 ||
	    (type = entry_parse(s->pack + start, end - start, &h, &ofs, &o)) < 0)
		return -1;
	if (type == GIT_OBJECT_OFS_DELTA)
		return ofs <= start ? src_at(s, k, start - ofs) : -1;
	if (type == GIT_OBJECT_REF_DELTA && (i = pack_ids_find(s->ix + 8 + 1024, s->n, s->pack + start + h)) >= 0)
		return (long)s->pos[i];
	return -1;
}

/*
 * For each whole entry of s, the longest chain of deltas that rests on it
 * (a delta of it is 1): rebased on a base of depth d, that chain ends at
 * depth d + 1 + below.
 */
static void
src_below(struct src *s)
{
	s->pos = xmalloc((s->n ? s->n : 1) * sizeof(*s->pos));
	s->below = xcalloc(s->n ? s->n : 1, 1);
	for (uint32_t k = 0; k < s->n; k++)
		s->pos[s->at[k].i] = k;
	for (uint32_t k = 0; k < s->n; k++) {
		long r = k, b;
		unsigned d = 0;
		while ((b = src_base(s, (uint32_t)r)) >= 0 && d < 255) {
			r = b;
			d++;
		}
		if (d > s->below[r])
			s->below[r] = (unsigned char)d;
	}
}

/* Object id to entry of the new pack: open addressing, -1 empty (a pack counts in 32 bits). */
struct seen {
	int32_t *slot;
	size_t mask;
};

static int32_t *
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

/* The delta depth of the new pack's entry at off (0: whole), at most max + 1. */
static int
new_depth(const struct sbuf *sb, uint64_t off, const struct pack_entry *v, struct seen *t,
    int max)
{
	const unsigned char *p = (const unsigned char *)sb->buf;
	int d = 0, type;
	uint64_t ofs;
	size_t h, o;
	int32_t *slot;

	while (d <= max) {
		if (off < 12 || off >= sb->len ||
		    (type = entry_parse(p + off, sb->len - off, &h, &ofs, &o)) < 0)
			return max + 1;
		if (type == GIT_OBJECT_OFS_DELTA) {
			if (ofs > off)
				return max + 1;
			off -= ofs;
		} else if (type == GIT_OBJECT_REF_DELTA) {
			if (*(slot = seen_find(t, v, p + off + h)) < 0)
				return max + 1;
			off = v[*slot].off;
		} else
			return d;
		d++;
	}
	return d;
}

struct fold {
	const struct packroll_rebase *rb;
	uint64_t target_end;	/* the first source's entries end here in the new pack */
	struct sbuf delta, z;
	z_stream zs;
	size_t rebased;
};

/*
 * The whole entry k of s (len bytes, object id) written as a delta by
 * offset against the previous version the caller names, when that lies
 * in the first source, the chain stays within the depth and the delta
 * entry is at most three quarters of the whole one. 1 when written, 0
 * to copy it as it is, -1 on an error.
 */
static int
rebase_one(struct fold *f, const struct src *s, uint32_t k, size_t len,
    const unsigned char *id, struct sbuf *sb, const struct pack_entry *v, struct seen *t)
{
	git_oid oid, base;
	int32_t *slot;
	unsigned char hd[16], c;
	size_t nh = 0, dlen, room;
	uint64_t at = sb->len, boff;
	int max = f->rb->depth > 0 ? f->rb->depth : DEPTH_MAX;

	memcpy(oid.id, id, 20);
	if (f->rb->base_of(f->rb->arg, &oid, &base) != 1 ||
	    *(slot = seen_find(t, v, base.id)) < 0 || (boff = v[*slot].off) >= f->target_end ||
	    new_depth(sb, boff, v, t, max) + 1 + s->below[k] > max)
		return 0;
	sbuf_reset(&f->delta);
	if (f->rb->delta(f->rb->arg, &oid, &base, &f->delta) < 0)
		return -1;
	dlen = f->delta.len;
	c = (unsigned char)(GIT_OBJECT_OFS_DELTA << 4 | (dlen & 15));
	for (dlen >>= 4; dlen; dlen >>= 7) {
		hd[nh++] = c | 0x80;
		c = dlen & 0x7f;
	}
	hd[nh++] = c;
	sbuf_reset(&f->z);
	sbuf_add(&f->z, hd, nh);
	pack_add_ofs(&f->z, at - boff);
	if (deflateReset(&f->zs) != Z_OK)
		return -1;
	room = deflateBound(&f->zs, f->delta.len);
	sbuf_grow(&f->z, room);
	f->zs.next_in = (unsigned char *)f->delta.buf;
	f->zs.avail_in = (uInt)f->delta.len;
	f->zs.next_out = (unsigned char *)f->z.buf + f->z.len;
	f->zs.avail_out = (uInt)room;
	if (deflate(&f->zs, Z_FINISH) != Z_STREAM_END)
		return -1;
	f->z.len += room - f->zs.avail_out;
	if (f->z.len * 4 > len * 3)
		return 0;	/* not clearly smaller */
	sbuf_add(sb, f->z.buf, f->z.len);
	f->rebased++;
	return 1;
}

/* Copies the entries of s not yet in the new pack; -1 on a bad entry. */
static int
copy_src(struct src *s, struct sbuf *sb, struct pack_entry *v, size_t *nv, struct seen *t,
    struct fold *f)
{
	const unsigned char *ix = s->ix;
	const unsigned char *pack = s->pack;
	const unsigned char *crcs = ix + 8 + 1024 + (size_t)s->n * 20;

	for (uint32_t k = 0; k < s->n; k++) {
		uint64_t start = s->at[k].off, end = entry_end(s, k), ofs;
		const unsigned char *p = pack + start, *id = ix + 8 + 1024 + (size_t)s->at[k].i * 20;
		uint32_t crc = pack_be32(crcs + (size_t)s->at[k].i * 4);
		size_t h, o, len;
		int32_t *slot;
		long b;
		int type, r;
		if (start < 12 || end <= start || end > s->plen - 20)
			return -1;
		len = end - start;
		if ((uint32_t)crc32(0, p, (uInt)len) != crc)
			return -1;	/* not what its index says: left to rt-gc */
		if (*(slot = seen_find(t, v, id)) >= 0) {
			s->neu[k] = v[*slot].off;
			continue;
		}
		if ((type = entry_parse(p, len, &h, &ofs, &o)) < 0)
			return -1;
		s->neu[k] = sb->len;
		r = 0;
		if (type == GIT_OBJECT_OFS_DELTA) {
			if (ofs > start || (b = src_at(s, k, start - ofs)) < 0)
				return -1;
			sbuf_add(sb, p, h);
			pack_add_ofs(sb, s->neu[k] - s->neu[b]);
			sbuf_add(sb, p + o, len - o);
			r = 1;
		} else if (type == GIT_OBJECT_REF_DELTA)
			sbuf_add(sb, p, len);
		else if (type >= GIT_OBJECT_COMMIT && type <= GIT_OBJECT_TAG) {
			if (f && s->below && (r = rebase_one(f, s, k, len, id, sb, v, t)) < 0)
				return -1;
			if (r == 0)
				sbuf_add(sb, p, len);
		} else
			return -1;
		if (r)
			crc = (uint32_t)crc32(0, (unsigned char *)sb->buf + s->neu[k],
			    (uInt)(sb->len - s->neu[k]));
		memcpy(v[*nv].oid.id, id, 20);
		v[*nv].off = s->neu[k];
		v[*nv].crc = crc;
		*slot = (int32_t)(*nv)++;
	}
	return 0;
}

static int
build(char *const *bases, size_t n, const struct packroll_rebase *rb, struct sbuf *pack,
    struct pack_entry **v, size_t *nv, size_t *rebased)
{
	struct src *s = xcalloc(n ? n : 1, sizeof(*s));
	struct seen t = { NULL, 0 };
	struct fold f;
	size_t total = 0, size = 1, bytes = 12 + 20;
	unsigned char sum[20], cnt[4];
	int rc = -1, zinit = 0;

	*v = NULL;
	*nv = 0;
	memset(&f, 0, sizeof(f));
	f.rb = rb;
	if (rb && deflateInit(&f.zs, Z_DEFAULT_COMPRESSION) != Z_OK)
		goto out;
	zinit = rb != NULL;
	for (size_t i = 0; i < n; i++) {
		if (src_load(&s[i], bases[i]) < 0)
			goto out;
		if (rb && i > 0)
			src_below(&s[i]);
		total += s[i].n;
		bytes += s[i].plen;
	}
	if (total >= INT32_MAX)
		goto out;	/* more than a pack's count holds */
	while (size < 2 * total + 2)
		size <<= 1;
	t.slot = xmalloc(size * sizeof(*t.slot));
	t.mask = size - 1;
	memset(t.slot, 0xff, size * sizeof(*t.slot));
	*v = xmalloc((total ? total : 1) * sizeof(**v));
	sbuf_grow(pack, bytes + total * 4);
	sbuf_add(pack, "PACK\0\0\0\2\0\0\0\0", 12);
	for (size_t i = 0; i < n; i++) {
		if (copy_src(&s[i], pack, *v, nv, &t, rb ? &f : NULL) < 0)
			goto out;
		if (i == 0)
			f.target_end = pack->len;
	}
	cnt[0] = (unsigned char)(*nv >> 24);
	cnt[1] = (unsigned char)(*nv >> 16);
	cnt[2] = (unsigned char)(*nv >> 8);
	cnt[3] = (unsigned char)*nv;
	memcpy(pack->buf + 8, cnt, 4);
	sha1(pack->buf, pack->len, sum);
	sbuf_add(pack, sum, sizeof(sum));
	if (rebased)
		*rebased = f.rebased;
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
	if (zinit)
		deflateEnd(&f.zs);
	sbuf_free(&f.delta);
	sbuf_free(&f.z);
	return rc;
}

int
packroll_build(char *const *bases, size_t n, struct sbuf *pack,
    struct pack_entry **v, size_t *nv)
{
	return build(bases, n, NULL, pack, v, nv, NULL);
}

int
packroll_fold(char *const *bases, size_t n, const struct packroll_rebase *rb,
    struct sbuf *pack, struct pack_entry **v, size_t *nv, size_t *rebased)
{
	return build(bases, n, rb, pack, v, nv, rebased);
}
