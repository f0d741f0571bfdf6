/*
 * Unit tests for pack_delta and packroll_fold: each delta, applied by
 * the reader here (gitformat-pack(5)), gives the object back and is no
 * larger than its changed bytes need; copies longer than 64 KiB are
 * split; a pack folded from hand-made packs, with a whole object
 * rewritten as a delta of its version in the first pack, is accepted by
 * libgit2's indexer, which resolves it, and reads back whole.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <git2.h>
#include <git2/sys/odb_backend.h>
#include <zlib.h>

#include "packdelta.h"
#include "packroll.h"
#include "sha1.h"
#include "tap.h"

static char dir[] = "/tmp/rt-packdelta-XXXXXX";

/* The old and new texts: the young "log" is a version of the old one. */
#define OLD "- at: 2026-11-25T10:00:00Z\n  event: opened\n  by: carol@example.com\n" \
	"  subject: the printer on floor 3 shows error E-17 since Monday\n" \
	"- at: 2026-11-25T11:42:07Z\n  event: assigned\n  to: dave\n  queue: hardware\n" \
	"- at: 2026-11-25T13:05:51Z\n  event: reply\n  by: dave@example.com\n"
#define OLD0 "- at: 2026-11-25T10:00:00Z\n  event: opened\n  by: carol@example.com\n" \
	"  subject: the printer on floor 3 shows error E-17 since Monday\n"
#define NEU OLD "- at: 2026-11-26T09:00:00Z\n  event: closed\n"
#define KEEP "a file only the young pack has, and no older version of\n"

static size_t
get_size(const unsigned char **p, const unsigned char *end)
{
	size_t n = 0;
	int shift = 0;

	while (*p < end) {
		unsigned c = *(*p)++;
		n |= (size_t)(c & 127) << shift;
		shift += 7;
		if (!(c & 128))
			break;
	}
	return n;
}

/*
 * Applies delta d to base, as git's patch_delta: -1 on any malformed op,
 * a copy of more than 64 KiB (git never writes one; the format's limit
 * for a size of no bytes) or a result of another size.
 */
static int
apply(const unsigned char *base, size_t blen, const struct sbuf *d, struct sbuf *out, size_t *ops)
{
	const unsigned char *p = (const unsigned char *)d->buf, *end = p + d->len;
	size_t want;

	*ops = 0;
	if (get_size(&p, end) != blen)
		return -1;
	want = get_size(&p, end);
	while (p < end) {
		unsigned op = *p++;
		(*ops)++;
		if (op & 0x80) {
			size_t off = 0, len = 0;
			for (int i = 0; i < 4; i++)
				if (op & (1u << i)) {
					if (p >= end)
						return -1;
					off |= (size_t)*p++ << (8 * i);
				}
			for (int i = 0; i < 3; i++)
				if (op & (0x10u << i)) {
					if (p >= end)
						return -1;
					len |= (size_t)*p++ << (8 * i);
				}
			if (len == 0)
				len = 0x10000;
			if (len > 0x10000 || off + len > blen)
				return -1;
			sbuf_add(out, base + off, len);
		} else if (op) {
			if ((size_t)(end - p) < op)
				return -1;
			sbuf_add(out, p, op);
			p += op;
		} else
			return -1;
	}
	return out->len == want ? 0 : -1;
}

/* pack_delta(base, obj) applied to base gives obj; its size and op count in *size, *ops. */
static int
round_trip(const void *base, size_t blen, const void *obj, size_t olen, size_t *size, size_t *ops)
{
	struct sbuf d = SBUF_INIT, out = SBUF_INIT;
	int same;

	pack_delta(base, blen, obj, olen, &d);
	same = apply(base, blen, &d, &out, ops) == 0 && out.len == olen &&
	    (olen == 0 || memcmp(out.buf, obj, olen) == 0);
	*size = d.len;
	sbuf_free(&d);
	sbuf_free(&out);
	return same;
}

static void
delta_cases(void)
{
	const char *tree1 = "100644 a\0AAAAAAAAAAAAAAAAAAAA100644 b\0BBBBBBBBBBBBBBBBBBBB"
	    "100644 c\0CCCCCCCCCCCCCCCCCCCC";
	const char *tree2 = "100644 a\0AAAAAAAAAAAAAAAAAAAA100644 b\0bbbbbbbbbbbbbbbbbbbb"
	    "100644 c\0CCCCCCCCCCCCCCCCCCCC";
	size_t t = 3 * 29, size, ops;	/* "100644 a", NUL, 20 bytes of id */
	unsigned char *big, *big2;

	ok(round_trip(tree1, t, tree2, t, &size, &ops) && ops == 3 && size <= 2 + 2 + 21 + 3,
	    "one entry changed in a tree: copy, 20 bytes inserted, copy");
	ok(round_trip("log 1\n", 6, "log 1\nlog 2\n", 12, &size, &ops) && ops == 2,
	    "a file grown at its end: one copy, one insert");
	ok(round_trip("same", 4, "same", 4, &size, &ops) && ops == 1, "the same bytes: one copy");
	ok(round_trip("", 0, "new", 3, &size, &ops) && ops == 1, "from nothing: one insert");
	ok(round_trip("gone", 4, "", 0, &size, &ops) && ops == 0, "to nothing: no op at all");
	ok(round_trip("abc", 3, "xyz", 3, &size, &ops) && ops == 1, "nothing in common: one insert");
	ok(round_trip("aaaa", 4, "aaaaaa", 6, &size, &ops),
	    "a repeated byte: prefix and suffix do not overlap");
	ok(round_trip("xaaaa", 5, "aaaa", 4, &size, &ops), "a byte taken away at the start");

	/* 200,000 bytes: copies of more than 64 KiB split, and an insert of 300 */
	big = malloc(200000);
	big2 = malloc(200300);
	for (size_t i = 0; i < 200000; i++)
		big[i] = (unsigned char)(i * 7 + i / 251);
	memcpy(big2, big, 100000);
	memset(big2 + 100000, 'x', 300);
	memcpy(big2 + 100300, big + 100000, 100000);
	ok(round_trip(big, 200000, big2, 200300, &size, &ops) && ops == 2 + 3 + 2 && size < 400,
	    "200 KB with 300 bytes inserted: copies split at 64 KiB, inserts at 127 bytes");
	ok(round_trip(big, 0x10000, big, 0x10000, &size, &ops) && ops == 1,
	    "a copy of exactly 64 KiB is one op with no size byte");
	free(big);
	free(big2);
}

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
put_whole(struct sbuf *sb, const char *text)
{
	uLongf room = compressBound((uLong)strlen(text));

	put_header(sb, GIT_OBJECT_BLOB, strlen(text));
	sbuf_grow(sb, room);
	if (compress2((Bytef *)sb->buf + sb->len, &room, (const Bytef *)text,
	    (uLong)strlen(text), 6) != Z_OK)
		abort();
	sb->len += room;
}

/* OLD as a delta by offset of old0, which lies at base_off. */
static void
put_old_delta(struct sbuf *sb, const char *old0, size_t base_off)
{
	struct sbuf d = SBUF_INIT;
	uLongf room;
	uint64_t ofs = sb->len - base_off;
	unsigned char b[16];
	size_t i = sizeof(b) - 1;

	pack_delta((const unsigned char *)old0, strlen(old0), (const unsigned char *)OLD,
	    strlen(OLD), &d);
	put_header(sb, GIT_OBJECT_OFS_DELTA, d.len);
	b[i] = ofs & 127;
	while (ofs >>= 7)
		b[--i] = 128 | (--ofs & 127);
	sbuf_add(sb, b + i, sizeof(b) - i);
	room = compressBound((uLong)d.len);
	sbuf_grow(sb, room);
	if (compress2((Bytef *)sb->buf + sb->len, &room, (const Bytef *)d.buf, (uLong)d.len, 6) != Z_OK)
		abort();
	sb->len += room;
	sbuf_free(&d);
}

/* Ends the pack and indexes it with libgit2 into dir; its base in base. */
static int
pack_store(struct sbuf *sb, unsigned n, char *base, size_t size)
{
	unsigned char sum[20];
	git_indexer *ix = NULL;
	git_indexer_progress st;
	int rc;

	sb->buf[11] = (char)n;
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

static int
test_base_of(void *arg, const git_oid *id, git_oid *base)
{
	git_oid neu;

	(void)arg;
	git_odb_hash(&neu, NEU, strlen(NEU), GIT_OBJECT_BLOB);
	if (!git_oid_equal(id, &neu))
		return 0;
	git_odb_hash(base, OLD, strlen(OLD), GIT_OBJECT_BLOB);
	return 1;
}

static int
test_delta(void *arg, const git_oid *id, const git_oid *base, struct sbuf *out)
{
	(void)arg;
	(void)id;
	(void)base;
	pack_delta((const unsigned char *)OLD, strlen(OLD), (const unsigned char *)NEU,
	    strlen(NEU), out);
	return 0;
}

static void
fold_cases(void)
{
	struct sbuf a = SBUF_INIT, b = SBUF_INIT, out = SBUF_INIT, copy = SBUF_INIT;
	char pa[256], pb[256], base[256], idx[300], *bases[2] = { pa, pb };
	struct packroll_rebase rb = { test_base_of, test_delta, NULL, 0 };
	struct pack_entry *v = NULL;
	git_odb_backend *be = NULL;
	size_t nv = 0, rebased = 0;
	int types[8] = { 0 };

	sbuf_add(&a, "PACK\0\0\0\2\0\0\0\0", 12);
	put_whole(&a, OLD);
	put_whole(&a, "another old file\n");
	sbuf_add(&b, "PACK\0\0\0\2\0\0\0\0", 12);
	put_whole(&b, NEU);
	put_whole(&b, KEEP);
	if (pack_store(&a, 2, pa, sizeof(pa)) < 0 || pack_store(&b, 2, pb, sizeof(pb)) < 0) {
		ok(0, "the hand-made packs index");
		return;
	}
	ok(packroll_fold(bases, 2, &rb, &out, &v, &nv, &rebased) == 0 && nv == 4 && rebased == 1,
	    "two packs folded: four entries, one of them rebased");
	ok(out.len > a.len && memcmp(out.buf + 12, a.buf + 12, a.len - 32) == 0,
	    "the first pack's entries are copied as they are, where they were");
	for (size_t i = 0; i < nv; i++)
		types[(unsigned char)out.buf[v[i].off] >> 4 & 7]++;
	ok(types[GIT_OBJECT_BLOB] == 3 && types[GIT_OBJECT_OFS_DELTA] == 1,
	    "the young version is a delta by offset, the other young file stays whole");
	sbuf_add(&copy, out.buf, out.len - 20);
	ok(pack_store(&copy, 4, base, sizeof(base)) == 0 &&
	    memcmp(copy.buf + copy.len - 20, out.buf + out.len - 20, 20) == 0,
	    "libgit2's indexer resolves the delta and agrees on the pack's name");
	snprintf(idx, sizeof(idx), "%s.idx", base);
	ok(git_odb_backend_one_pack(&be, idx) == 0 && reads_as(be, OLD) && reads_as(be, NEU) &&
	    reads_as(be, KEEP) && reads_as(be, "another old file\n"), "every object reads back whole");
	if (be)
		be->free(be);
	free(v);
	v = NULL;

	/* OLD itself a delta (depth 1): with chains of at most 1 the new version stays whole */
	sbuf_reset(&a);
	sbuf_add(&a, "PACK\0\0\0\2\0\0\0\0", 12);
	put_whole(&a, OLD0);
	put_old_delta(&a, OLD0, 12);
	if (pack_store(&a, 2, pa, sizeof(pa)) < 0) {
		ok(0, "the hand-made deep pack indexes");
		return;
	}
	rb.depth = 1;
	sbuf_reset(&out);
	ok(packroll_fold(bases, 2, &rb, &out, &v, &nv, &rebased) == 0 && nv == 4 && rebased == 0,
	    "depth 1: a delta of a delta would be too deep, the young version stays whole");
	free(v);
	v = NULL;
	rb.depth = 2;
	sbuf_reset(&out);
	ok(packroll_fold(bases, 2, &rb, &out, &v, &nv, &rebased) == 0 && nv == 4 && rebased == 1,
	    "depth 2: it is a delta of the delta");
	free(v);
	sbuf_free(&a);
	sbuf_free(&b);
	sbuf_free(&out);
	sbuf_free(&copy);
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
	delta_cases();
	fold_cases();
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	if (system(cmd) != 0)
		printf("# could not remove %s\n", dir);
	git_libgit2_shutdown();
	return tap_done();
}
