/* packofs.c: a pack's deltas addressed by offset instead of by object id */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <git2.h>

#include "packidx.h"
#include "packofs.h"
#include "sha1.h"
#include "util.h"

#define OFS_MAX_PACK (512UL << 20)	/* larger packs are left as they are */

/*
 * The pack rewritten: each REF_DELTA entry whose base lies before it
 * becomes an OFS_DELTA (the base's distance, 1 to 4 bytes, instead of its
 * 20-byte id); the compressed data is copied as it is. 0 and sb empty when
 * there is nothing to change.
 */
static int
rewrite(const unsigned char *pack, size_t plen, const unsigned char *ix,
    uint32_t n, const struct pack_idx_entry *e, struct sbuf *sb)
{
	uint32_t *pos = xmalloc((n ? n : 1) * sizeof(*pos));
	uint64_t *neu = xmalloc((n ? n : 1) * sizeof(*neu));
	int changed = 0, rc = -1;

	for (uint32_t k = 0; k < n; k++)
		pos[e[k].i] = k;
	sbuf_add(sb, pack, 12);
	for (uint32_t k = 0; k < n; k++) {
		uint64_t start = e[k].off, end = k + 1 < n ? e[k + 1].off : plen - 20;
		const unsigned char *p = pack + start;
		size_t h = 1;
		long b;
		if (start < 12 || end > plen - 20 || end <= start)
			goto out;
		while (p[h - 1] & 0x80)
			if (start + h++ >= end)
				goto out;
		neu[k] = sb->len;
		if ((p[0] >> 4 & 7) == GIT_OBJECT_REF_DELTA && start + h + 20 <= end &&
		    (b = pack_ids_find(ix + 8 + 1024, n, p + h)) >= 0 && pos[b] < k) {
			sbuf_addc(sb, (char)((p[0] & 0x8f) | GIT_OBJECT_OFS_DELTA << 4));
			sbuf_add(sb, p + 1, h - 1);
			pack_add_ofs(sb, neu[k] - neu[pos[b]]);
			sbuf_add(sb, p + h + 20, end - start - h - 20);
			changed = 1;
		} else
			sbuf_add(sb, p, end - start);
	}
	rc = 0;
out:
	if (rc != 0 || !changed)
		sb->len = 0;
	free(pos);
	free(neu);
	return rc;
}

int
pack_ofs_rewrite(const char *packdir, const char *name, char *out)
{
	char *pp = xasprintf("%s/pack-%s.pack", packdir, name);
	char *ip = xasprintf("%s/pack-%s.idx", packdir, name);
	char *pack = NULL, *ix = NULL;
	size_t plen = 0, ilen = 0;
	uint32_t n = 0;
	struct pack_idx_entry *e = NULL;
	struct sbuf sb = SBUF_INIT;
	git_indexer *idx = NULL;
	git_indexer_progress st;
	unsigned char sum[20];
	int rc = -1;

	snprintf(out, GIT_OID_HEXSZ + 1, "%s", name);
	if (read_file(pp, &pack, &plen) < 0 || plen < 32 || plen > OFS_MAX_PACK ||
	    read_file(ip, &ix, &ilen) < 0 ||
	    !(e = pack_idx_entries((unsigned char *)ix, ilen, &n)) ||
	    pack_be32((unsigned char *)pack + 8) != n ||
	    rewrite((unsigned char *)pack, plen, (unsigned char *)ix, n, e, &sb) < 0)
		goto out;
	rc = 0;
	if (sb.len == 0)
		goto out;	/* nothing to rewrite */
	sha1(sb.buf, sb.len, sum);
	sbuf_add(&sb, sum, sizeof(sum));
	/* The indexer checks every object again and writes pack and index. */
	if (git_indexer_new(&idx, packdir, 0, NULL, NULL) < 0 ||
	    git_indexer_append(idx, sb.buf, sb.len, &st) < 0 ||
	    git_indexer_commit(idx, &st) < 0) {
		rc = -1;
		goto out;
	}
	snprintf(out, GIT_OID_HEXSZ + 1, "%s", git_indexer_name(idx));
	if (strcmp(out, name) != 0) {
		unlink(ip);
		unlink(pp);
	}
out:
	git_indexer_free(idx);
	sbuf_free(&sb);
	free(e);
	free(ix);
	free(pack);
	free(ip);
	free(pp);
	return rc;
}
