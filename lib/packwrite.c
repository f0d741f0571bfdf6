/* packwrite.c: a packbuilder's pack handed to the indexer in large runs */
#include <stdio.h>

#include <git2.h>

#include "packwrite.h"
#include "util.h"

/*
 * rt-gc of 120,000 objects: 118,041 munmaps and 17 s of system time when
 * each object was appended by itself.
 */
#define RUN_BYTES (4u << 20)

struct runs {
	git_indexer *idx;
	git_indexer_progress st;
	struct sbuf b;
};

static int
append_run(struct runs *r)
{
	int rc = r->b.len ? git_indexer_append(r->idx, r->b.buf, r->b.len, &r->st) : 0;

	sbuf_reset(&r->b);
	return rc;
}

static int
put_object(void *buf, size_t size, void *payload)
{
	struct runs *r = payload;

	sbuf_add(&r->b, buf, size);
	return r->b.len >= RUN_BYTES ? append_run(r) : 0;
}

int
pack_write_chunked(git_packbuilder *pb, const char *packdir, char *name)
{
	struct runs r = { NULL, { 0 }, SBUF_INIT };
	int rc;

	if ((rc = git_indexer_new(&r.idx, packdir, 0, NULL, NULL)) == 0 &&
	    (rc = git_packbuilder_foreach(pb, put_object, &r)) == 0 &&
	    (rc = append_run(&r)) == 0 &&
	    (rc = git_indexer_commit(r.idx, &r.st)) == 0)
		snprintf(name, GIT_OID_HEXSZ + 1, "%s", git_indexer_name(r.idx));
	git_indexer_free(r.idx);
	sbuf_free(&r.b);
	return rc;
}
