/* spool.h: copying incoming bytes to a private file before parsing */
#ifndef RT_SPOOL_H
#define RT_SPOOL_H

#include <stddef.h>

struct desk;

/*
 * Copies fd to a new file under .git/rt/tmp (same filesystem as the
 * desk), named part.* while written and spool.* once complete (rt-gc
 * stores the spool.* files a killed delivery left). Returns 0 with the
 * malloc'd path and size, or EX_TEMPFAIL (disk full, I/O) with nothing
 * left behind.
 */
int spool_fd(struct desk *d, int fd, char **path, size_t *size);
int spool_buf(struct desk *d, const void *buf, size_t len, char **path);

#endif
