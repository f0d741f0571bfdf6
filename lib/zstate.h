/*
 * zstate.h: zlib's stream state reused, not allocated again per stream.
 *
 * libgit2 starts a zlib stream for each object it inflates or deflates
 * (git_zstream_init: reading an object from a pack, deflating each delta
 * of a pack being built) and ends it after: about 262 KB of deflate state
 * (four 64 KB tables) or 40 KB of inflate state each time. rt links
 * libgit2 statically and wraps deflateInit_ and inflateInit_ with the
 * linker (-Wl,--wrap): a stream started without an allocator of its own
 * gets one that keeps the freed blocks of 4 KB to 256 KB (16 at most) and
 * hands them out again for the same size. glibc grew and trimmed its heap
 * with brk for each (6,862 brk in an rt-gc of 3,000 objects); the ASan
 * build, whose quarantine never hands a freed block straight back, faulted
 * fresh pages in for each. Kept blocks are poisoned for ASan.
 */
#ifndef RT_ZSTATE_H
#define RT_ZSTATE_H

#include <stddef.h>

/* Blocks kept now (for tests). */
size_t zstate_kept(void);

#endif
