/* spool.c: copying incoming bytes to a private file before parsing */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "desk.h"
#include "spool.h"
#include "util.h"

static int
spool_open(struct desk *d, char **path)
{
	char *dir = xasprintf("%s/tmp", d->rtdir);
	int fd;

	if (mkdir_p(dir, 0777) < 0) {
		free(dir);
		return -1;
	}
	/* part.* until complete: rt-gc stores spool.* a killed delivery left. */
	*path = xasprintf("%s/part.XXXXXX", dir);
	free(dir);
	fd = mkostemp(*path, O_CLOEXEC);
	if (fd < 0) {
		free(*path);
		*path = NULL;
	}
	return fd;
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

static int
spool_fail(char **path, int fd)
{
	int e = errno;

	if (fd >= 0)
		close(fd);
	if (*path)
		unlink(*path);
	free(*path);
	*path = NULL;
	return rt_fail(EX_TEMPFAIL, "cannot spool message: %s", strerror(e));
}

int
spool_fd(struct desk *d, int in, char **path, size_t *size)
{
	char buf[65536];
	ssize_t n;
	int fd = spool_open(d, path);

	*size = 0;
	if (fd < 0)
		return spool_fail(path, fd);
	while ((n = read(in, buf, sizeof(buf))) != 0) {
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return spool_fail(path, fd);
		}
		for (ssize_t off = 0; off < n;) {
			ssize_t w = write(fd, buf + off, (size_t)(n - off));
			if (w < 0) {
				if (errno == EINTR)
					continue;
				return spool_fail(path, fd);
			}
			off += w;
		}
		*size += (size_t)n;
	}
	/*
	 * No fsync: the sender keeps the message until rt-ingest exits 0,
	 * and that happens only after the commit holding it is durable.
	 */
	if (close(fd) < 0 || spool_done(path) < 0)
		return spool_fail(path, -1);
	return 0;
}

int
spool_buf(struct desk *d, const void *buf, size_t len, char **path)
{
	int fd = spool_open(d, path);
	const char *p = buf;

	if (fd < 0)
		return spool_fail(path, fd);
	while (len > 0) {
		ssize_t w = write(fd, p, len);
		if (w < 0) {
			if (errno == EINTR)
				continue;
			return spool_fail(path, fd);
		}
		p += w;
		len -= (size_t)w;
	}
	if (close(fd) < 0 || spool_done(path) < 0)
		return spool_fail(path, -1);
	return 0;
}
