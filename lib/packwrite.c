/* packwrite.c: a packbuilder's pack handed to the indexer in large runs */
#include <stdatomic.h>
#include <stdio.h>

#include <git2.h>
#include <git2/sys/alloc.h>

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

/*
 * The packbuilder allocates a 1 MB buffer for each object it deflates
 * whole and frees it after (pack-objects.c: write_object, COMPRESS_BUFLEN):
 * the ASan allocator maps each anew (mmap, its shadow cleared and set, the
 * pages faulted in). While it writes, libgit2's allocator keeps the one
 * freed and lends it again. Only the block last lent is known by its
 * address: any other goes back to malloc's free. A shared libgit2 does
 * not export its standard allocator (a weak reference): it writes as it is.
 */
#define ZBUF_BYTES ((size_t)1 << 20)

int git_stdalloc_init_allocator(git_allocator *allocator) __attribute__((weak));

static git_allocator std_alloc;
static void *_Atomic lent, *_Atomic spare;

static void *
zbuf_malloc(size_t n, const char *file, int line)
{
	void *p;

	if (n != ZBUF_BYTES)
		return std_alloc.gmalloc(n, file, line);
	if ((p = atomic_exchange(&spare, NULL)) == NULL)
		p = std_alloc.gmalloc(n, file, line);
	atomic_store(&lent, p);
	return p;
}

/* p, if it was the block lent, is no longer it: 1 if it was. */
static int
returned(void *p)
{
	void *was = p;

	return p && atomic_compare_exchange_strong(&lent, &was, NULL);
}

static void
zbuf_free(void *p)
{
	if (returned(p))
		p = atomic_exchange(&spare, p);
	std_alloc.gfree(p);
}

static void *
zbuf_realloc(void *p, size_t n, const char *file, int line)
{
	returned(p);
	return std_alloc.grealloc(p, n, file, line);
}

static void *
zbuf_reallocarray(void *p, size_t nelem, size_t elsize, const char *file, int line)
{
	returned(p);
	return std_alloc.greallocarray(p, nelem, elsize, file, line);
}

static void
keep_zbuf(int on)
{
	git_allocator a;

	if (!git_stdalloc_init_allocator)
		return;
	if (on) {
		git_stdalloc_init_allocator(&std_alloc);
		a = std_alloc;
		a.gmalloc = zbuf_malloc;
		a.gfree = zbuf_free;
		a.grealloc = zbuf_realloc;
		a.greallocarray = zbuf_reallocarray;
		git_libgit2_opts(GIT_OPT_SET_ALLOCATOR, &a);
	} else {
		git_libgit2_opts(GIT_OPT_SET_ALLOCATOR, NULL);
		atomic_store(&lent, NULL);
		std_alloc.gfree(atomic_exchange(&spare, NULL));
	}
}

int
pack_write_chunked(git_packbuilder *pb, const char *packdir, char *name)
{
	struct runs r = { NULL, { 0 }, SBUF_INIT };
	int rc;

	keep_zbuf(1);
	if ((rc = git_indexer_new(&r.idx, packdir, 0, NULL, NULL)) == 0 &&
	    (rc = git_packbuilder_foreach(pb, put_object, &r)) == 0 &&
	    (rc = append_run(&r)) == 0 &&
	    (rc = git_indexer_commit(r.idx, &r.st)) == 0)
		snprintf(name, GIT_OID_HEXSZ + 1, "%s", git_indexer_name(r.idx));
	git_indexer_free(r.idx);
	keep_zbuf(0);
	sbuf_free(&r.b);
	return rc;
}
