/* spool.c: copying incoming bytes to a private file before parsing */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "desk.h"
#include "spool.h"
#include "util.h"

static int
spool_fail(struct spool *s)
{
	int e = errno;

	spool_discard(s);
	return rt_fail(EX_TEMPFAIL, "cannot spool message: %s", strerror(e));
}

int
spool_begin(struct desk *d, struct spool *s, size_t limit)
{
	char *dir = xasprintf("%s/tmp", d->rtdir);

	memset(s, 0, sizeof(*s));
	s->fd = -1;
	s->limit = limit;
	if (mkdir_p(dir, 0777) < 0) {
		free(dir);
		return spool_fail(s);
	}
	/* part.* until complete: rt-gc stores spool.* a killed delivery left. */
	s->path = xasprintf("%s/part.XXXXXX", dir);
	free(dir);
	if ((s->fd = mkostemp(s->path, O_CLOEXEC)) < 0)
		return spool_fail(s);
	return 0;
}

int
spool_write(struct spool *s, const void *buf, size_t len)
{
	const char *p = buf;
	size_t room = len;

	if (s->limit && s->size + len > s->limit + 1)
		room = s->size > s->limit ? 0 : s->limit + 1 - s->size;
	s->size += len;
	while (room > 0) {
		ssize_t w = write(s->fd, p, room);
		if (w < 0) {
			if (errno == EINTR)
				continue;
			return spool_fail(s);
		}
		p += w;
		room -= (size_t)w;
	}
	return 0;
}

/* The spool file is complete: part.XXXXXX becomes spool.XXXXXX. */
static int
spool_done(char **path)
{
	const char *base = strrchr(*path, '/') + 1;
	char *done = xasprintf("%.*sspool.%s", (int)(base - *path), *path, base + 5);

	if (rename(*path, done) < 0) {
		free(done);
		return -1;
	}
	free(*path);
	*path = done;
	return 0;
}

/*
 * No fsync: the sender keeps the message until rt-ingest exits 0, and
 * that happens only after the commit holding it is durable. An oversized
 * spool holds limit + 1 bytes, so rt-gc refuses it again as too large.
 */
int
spool_end(struct spool *s)
{
	int fd = s->fd;

	s->fd = -1;
	if ((fd >= 0 && close(fd) < 0) || spool_done(&s->path) < 0)
		return spool_fail(s);
	return 0;
}

void
spool_discard(struct spool *s)
{
	if (s->fd >= 0)
		close(s->fd);
	s->fd = -1;
	if (s->path)
		unlink(s->path);
	free(s->path);
	s->path = NULL;
}

int
spool_fd(struct desk *d, int in, size_t limit, char **path, size_t *size)
{
	struct spool s;
	char buf[65536];
	ssize_t n;
	int rc;

	*path = NULL;
	*size = 0;
	if ((rc = spool_begin(d, &s, limit)) != 0)
		return rc;
	while ((n = read(in, buf, sizeof(buf))) != 0) {
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return spool_fail(&s);
		}
		if ((rc = spool_write(&s, buf, (size_t)n)) != 0)
			return rc;
	}
	if ((rc = spool_end(&s)) != 0)
		return rc;
	*path = s.path;
	*size = s.size;
	return 0;
}

int
spool_buf(struct desk *d, const void *buf, size_t len, char **path)
{
	struct spool s;
	int rc;

	*path = NULL;
	if ((rc = spool_begin(d, &s, 0)) != 0 || (rc = spool_write(&s, buf, len)) != 0 ||
	    (rc = spool_end(&s)) != 0)
		return rc;
	*path = s.path;
	return 0;
}
