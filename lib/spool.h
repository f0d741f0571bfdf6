/* spool.h: copying incoming bytes to a private file before parsing */
#ifndef RT_SPOOL_H
#define RT_SPOOL_H

#include <stddef.h>

#include "util.h"

struct desk;

/*
 * A spool file under .git/rt/tmp (same filesystem as the desk), written
 * as the bytes arrive, never held in memory; named part.* while written
 * and spool.* once complete (rt-gc stores the spool.* files a killed
 * delivery left). With a limit, bytes past
 * limit + 1 are counted in size but not written: an oversized message
 * costs no more disk than the limit.
 */
struct spool {
	char *path;
	int fd;
	size_t size;	/* bytes given, written or not */
	size_t limit;	/* 0: none */
	struct desk *d;	/* a held spool's desk, for moving it to disk */
	int held;	/* in memory only: no file, path NULL */
	struct sbuf pend;	/* a held spool's bytes; a spool file's once read */
};

/* Returns 0, or EX_TEMPFAIL (disk full, I/O) with nothing left behind. */
int spool_begin(struct desk *d, struct spool *s, size_t limit);
/*
 * As spool_begin, for a message whose sender keeps it until rt exits 0
 * (an MTA's pipe, an mbox or Maildir file): it is held in memory up to
 * SPOOL_HELD_MAX bytes and moves to a spool file past that. No file is
 * made for a small message, and none is needed: a killed delivery's mail
 * is still the sender's, who delivers it again.
 */
#define SPOOL_HELD_MAX (4UL << 20)
int spool_begin_held(struct desk *d, struct spool *s, size_t limit);
int spool_write(struct spool *s, const void *buf, size_t len);
/* Closes the file; path stays until spool_discard. */
int spool_end(struct spool *s);
/*
 * The bytes spooled (at most limit + 1), valid until spool_discard: a
 * held spool's from memory, a spool file's read once. The one way a
 * spooled message reaches ingest: nobody reads the spool file again.
 * 0 or EX_TEMPFAIL.
 */
int spool_bytes(struct spool *s, const char **buf, size_t *len);
/* Removes the file and frees the path and bytes (also after a failed call). */
void spool_discard(struct spool *s);

/* Writes buf to a new spool; *path is malloc'd. */
int spool_buf(struct desk *d, const void *buf, size_t len, char **path);
/* Copies fd whole to a held spool (see limit above); spool_discard it after. */
int spool_fd(struct desk *d, int fd, size_t limit, struct spool *s);

#endif
