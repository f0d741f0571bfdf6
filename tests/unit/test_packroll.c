/*
 * Unit tests for packroll_build: packs made here byte by byte (whole
 * objects, deltas by offset, an object in two packs) merge into a pack
 * that libgit2's indexer accepts, with the objects, offsets and CRCs its
 * index says; a pack whose bytes differ from its index is refused.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <git2.h>
#include <git2/sys/odb_backend.h>
#include <zlib.h>

#include "packroll.h"
#include "sha1.h"
#include "tap.h"

static char dir[] = "/tmp/rt-packroll-XXXXXX";

static void
put_header(struct sbuf *sb, int type, size_t len)
{
	unsigned char c = (unsigned char)(type << 4 | (len & 15));

	for (len >>= 4; len; len >>= 7) {
		sbuf_addc(sb, (char)(c | 0x80));
		c = len & 0x7f;
	}
	sbuf_addc(sb, (char)c);
}

static void
put_zlib(struct sbuf *sb, const void *data, size_t len)
{
	uLongf room = compressBound((uLong)len);

	sbuf_grow(sb, room);
	if (compress2((Bytef *)sb->buf + sb->len, &room, data, (uLong)len, 6) != Z_OK)
		abort();
	sb->len += room;
}

/* A whole object; its offset in *off. */
static void
put_whole(struct sbuf *sb, int type, const char *text, size_t *off)
{
	*off = sb->len;
	put_header(sb, type, strlen(text));
	put_zlib(sb, text, strlen(text));
}

/* A delta by offset: base (at base_off) plus "more\n" at its end. */
static void
put_delta(struct sbuf *sb, const char *base, size_t base_off, size_t *off)
{
	unsigned char d[64], b[16];
	size_t n = 0, bl = strlen(base), i = sizeof(b) - 1;
	uint64_t ofs;

	d[n++] = (unsigned char)bl;	/* short texts: sizes of one byte */
	d[n++] = (unsigned char)(bl + 5);
	d[n++] = 0x90;			/* copy from offset 0, one size byte */
	d[n++] = (unsigned char)bl;
	d[n++] = 5;			/* insert 5 bytes */
	memcpy(d + n, "more\n", 5);
	n += 5;
	*off = sb->len;
	put_header(sb, GIT_OBJECT_OFS_DELTA, n);
	ofs = *off - base_off;
	b[i] = ofs & 127;
	while (ofs >>= 7)
		b[--i] = 128 | (--ofs & 127);
	sbuf_add(sb, b + i, sizeof(b) - i);
	put_zlib(sb, d, n);
}

static void
pack_begin(struct sbuf *sb, unsigned n)
{
	unsigned char h[12] = { 'P', 'A', 'C', 'K', 0, 0, 0, 2, 0, 0, 0, (unsigned char)n };

	sbuf_add(sb, h, 12);
}

/* Ends the pack, indexes it with libgit2 into dir; its base in base (PATH_MAX). */
static int
pack_store(struct sbuf *sb, char *base, size_t size)
{
	unsigned char sum[20];
	git_indexer *ix = NULL;
	git_indexer_progress st;
	int rc;

	sha1(sb->buf, sb->len, sum);
	sbuf_add(sb, sum, 20);
	rc = git_indexer_new(&ix, dir, 0, NULL, NULL) < 0 ||
	    git_indexer_append(ix, sb->buf, sb->len, &st) < 0 ||
	    git_indexer_commit(ix, &st) < 0 ? -1 : 0;
	if (rc == 0)
		snprintf(base, size, "%s/pack-%s", dir, git_indexer_name(ix));
	git_indexer_free(ix);
	return rc;
}

static int
reads_as(git_odb_backend *be, const char *text)
{
	git_oid id;
	void *data = NULL;
	size_t len = 0;
	git_object_t type;
	int same;

	git_odb_hash(&id, text, strlen(text), GIT_OBJECT_BLOB);
	if (be->read(&data, &len, &type, be, &id) < 0)
		return 0;
	same = type == GIT_OBJECT_BLOB && len == strlen(text) && memcmp(data, text, len) == 0;
	git_odb_backend_data_free(be, data);
	return same;
}

/* Every entry's CRC is that of its bytes up to the next entry. */
static int
crcs_hold(const struct sbuf *pack, const struct pack_entry *v, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		uint64_t end = pack->len - 20;
		for (size_t j = 0; j < n; j++)
			if (v[j].off > v[i].off && v[j].off < end)
				end = v[j].off;
		if (crc32(0, (unsigned char *)pack->buf + v[i].off, (uInt)(end - v[i].off)) != v[i].crc)
			return 0;
	}
	return 1;
}

static void
merge_cases(void)
{
	struct sbuf a = SBUF_INIT, b = SBUF_INIT, out = SBUF_INIT;
	char pa[256], pb[256], merged[4096], *bases[2] = { pb, pa };
	size_t o1, o2, o3, nv = 0;
	struct pack_entry *v = NULL;
	git_odb_backend *be = NULL;
	FILE *f;

	/* A: hello, dup (also in B), delta(hello): the dup drops out between them */
	pack_begin(&a, 3);
	put_whole(&a, GIT_OBJECT_BLOB, "hello world\n", &o1);
	put_whole(&a, GIT_OBJECT_BLOB, "in both packs\n", &o2);
	put_delta(&a, "hello world\n", o1, &o3);
	/* B: dup, b, delta(b) */
	pack_begin(&b, 3);
	put_whole(&b, GIT_OBJECT_BLOB, "in both packs\n", &o1);
	put_whole(&b, GIT_OBJECT_BLOB, "bee\n", &o2);
	put_delta(&b, "bee\n", o2, &o3);
	if (pack_store(&a, pa, sizeof(pa)) < 0 || pack_store(&b, pb, sizeof(pb)) < 0) {
		ok(0, "the hand-made packs index");
		return;
	}
	ok(packroll_build(bases, 2, &out, &v, &nv) == 0 && nv == 5,
	    "two packs of three objects, one in both: five entries");
	ok(out.len > 32 && (unsigned char)out.buf[11] == 5 && crcs_hold(&out, v, nv),
	    "the count in the header and every entry's CRC are right");
	snprintf(merged, sizeof(merged), "%s/merged.pack", dir);
	f = fopen(merged, "wb");
	if (f) {
		fwrite(out.buf, 1, out.len, f);
		fclose(f);
	}
	{
		struct sbuf copy = SBUF_INIT;
		char base[256];
		sbuf_add(&copy, out.buf, out.len - 20);
		ok(pack_store(&copy, base, sizeof(base)) == 0 &&
		    memcmp(copy.buf + copy.len - 20, out.buf + out.len - 20, 20) == 0,
		    "libgit2's indexer resolves every delta of the merged pack and agrees on its name");
		snprintf(merged, sizeof(merged), "%s.idx", base);
		ok(git_odb_backend_one_pack(&be, merged) == 0 &&
		    reads_as(be, "hello world\n") && reads_as(be, "hello world\nmore\n") &&
		    reads_as(be, "in both packs\n") && reads_as(be, "bee\n") &&
		    reads_as(be, "bee\nmore\n"), "every object reads back whole");
		if (be)
			be->free(be);
		sbuf_free(&copy);
	}
	free(v);
	v = NULL;

	/* a bit flipped in A's last entry: its CRC no longer holds */
	f = fopen(strcat(strcpy(merged, pa), ".pack"), "r+b");
	if (f) {
		unsigned char c;
		fseek(f, (long)(a.len - 22), SEEK_SET);
		if (fread(&c, 1, 1, f) == 1) {
			c ^= 1;
			fseek(f, (long)(a.len - 22), SEEK_SET);
			fwrite(&c, 1, 1, f);
		}
		fclose(f);
	}
	sbuf_reset(&out);
	ok(packroll_build(bases, 2, &out, &v, &nv) == -1 && v == NULL && nv == 0 && out.len == 0,
	    "a pack whose bytes are not what its index says is refused");
	free(v);
	sbuf_free(&a);
	sbuf_free(&b);
	sbuf_free(&out);
}

int
main(void)
{
	char cmd[64];

	git_libgit2_init();
	if (mkdtemp(dir) == NULL) {
		printf("Bail out! cannot make %s\n", dir);
		return 1;
	}
	merge_cases();
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	if (system(cmd) != 0)
		printf("# could not remove %s\n", dir);
	git_libgit2_shutdown();
	return tap_done();
}
