/* zstate.c: zlib's stream state reused, not allocated again per stream */
#include <pthread.h>
#include <stdlib.h>
#include <zlib.h>

#include "zstate.h"

#ifdef __SANITIZE_ADDRESS__
#include <sanitizer/asan_interface.h>
#define POISON(p, n) ASAN_POISON_MEMORY_REGION(p, n)
#define UNPOISON(p, n) ASAN_UNPOISON_MEMORY_REGION(p, n)
#else
#define POISON(p, n) ((void)(p), (void)(n))
#define UNPOISON(p, n) ((void)(p), (void)(n))
#endif

#define KEEP_MIN ((size_t)4 << 10)
#define KEEP_MAX ((size_t)256 << 10)
#define SLOTS 16

/* Each block starts with its size, so zfree knows it. */
union head {
	size_t n;
	max_align_t align;
};

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static union head *kept[SLOTS];

static voidpf
zs_alloc(voidpf opaque, uInt items, uInt size)
{
	size_t n = (size_t)items * size;
	union head *h = NULL;

	(void)opaque;
	if (n >= KEEP_MIN && n <= KEEP_MAX) {
		pthread_mutex_lock(&lock);
		for (int i = 0; i < SLOTS; i++)
			if (kept[i]) {
				UNPOISON(&kept[i]->n, sizeof(kept[i]->n));
				if (kept[i]->n == n) {
					h = kept[i];
					kept[i] = NULL;
					break;
				}
				POISON(&kept[i]->n, sizeof(kept[i]->n));
			}
		pthread_mutex_unlock(&lock);
		if (h) {
			UNPOISON(h + 1, n);
			return h + 1;
		}
	}
	if ((h = malloc(sizeof(*h) + n)) == NULL)
		return Z_NULL;
	h->n = n;
	return h + 1;
}

static void
zs_free(voidpf opaque, voidpf p)
{
	union head *h = (union head *)p - 1;

	(void)opaque;
	if (h->n >= KEEP_MIN && h->n <= KEEP_MAX) {
		pthread_mutex_lock(&lock);
		for (int i = 0; i < SLOTS; i++)
			if (!kept[i]) {
				POISON(h, sizeof(*h) + h->n);
				kept[i] = h;
				h = NULL;
				break;
			}
		pthread_mutex_unlock(&lock);
	}
	free(h);
}

size_t
zstate_kept(void)
{
	size_t n = 0;

	pthread_mutex_lock(&lock);
	for (int i = 0; i < SLOTS; i++)
		n += kept[i] != NULL;
	pthread_mutex_unlock(&lock);
	return n;
}

static void
reuse(z_streamp strm)
{
	if (strm && !strm->zalloc && !strm->zfree) {
		strm->zalloc = zs_alloc;
		strm->zfree = zs_free;
	}
}

int __real_deflateInit_(z_streamp strm, int level, const char *version, int size);
int __real_inflateInit_(z_streamp strm, const char *version, int size);
int __wrap_deflateInit_(z_streamp strm, int level, const char *version, int size);
int __wrap_inflateInit_(z_streamp strm, const char *version, int size);

int
__wrap_deflateInit_(z_streamp strm, int level, const char *version, int size)
{
	reuse(strm);
	return __real_deflateInit_(strm, level, version, size);
}

int
__wrap_inflateInit_(z_streamp strm, const char *version, int size)
{
	reuse(strm);
	return __real_inflateInit_(strm, version, size);
}
