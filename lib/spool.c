/* spool.c: copying incoming bytes to a file of the desk's own before parsing */
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
	s->d = d;
	if (mkdir_p(dir, 0777) < 0) {
		free(dir);
		return spool_fail(s);
	}
	/*
	 * part.* until complete: rt-gc stores spool.* a killed delivery left,
	 * and may run as another user of a shared desk's group: 0660 less
	 * the umask (the desk's 007 there), not mkstemp's 0600. The umask is
	 * never read by setting it: a batch's other thread creates files.
	 */
	for (int tries = 0; s->fd < 0 && tries < 100; tries++) {
		unsigned char r[6];
		unsigned long long v = 0;

		if (rt_random(r, sizeof(r)) < 0)
			memset(r, tries, sizeof(r));
		for (size_t i = 0; i < sizeof(r); i++)
			v = v << 8 | r[i];
		free(s->path);
		s->path = xasprintf("%s/part.%ld.%llx", dir, rt_pid(), v);
		s->fd = open(s->path, O_RDWR | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0660);
		if (s->fd < 0 && errno != EEXIST)
			break;
	}
	free(dir);
	if (s->fd < 0) {
		int e = errno;
		free(s->path);	/* not ours: never unlinked */
		s->path = NULL;
		errno = e;
		return spool_fail(s);
	}
	return 0;
}

int
spool_begin_held(struct desk *d, struct spool *s, size_t limit)
{
	memset(s, 0, sizeof(*s));
	s->fd = -1;
	s->limit = limit;
	s->d = d;
	s->held = 1;
	return 0;
}

/* A held spool about to pass SPOOL_HELD_MAX moves to a spool file. */
static int
spool_spill(struct spool *s)
{
	struct spool disk;
	int rc;

	if ((rc = spool_begin(s->d, &disk, 0)) != 0 ||
	    (rc = spool_write(&disk, s->pend.buf ? s->pend.buf : "", s->pend.len)) != 0) {
		spool_discard(s);
		return rc;
	}
	sbuf_free(&s->pend);
	s->fd = disk.fd;
	s->path = disk.path;
	s->held = 0;
	return 0;
}

int
spool_write(struct spool *s, const void *buf, size_t len)
{
	const char *p = buf;
	size_t room = len, kept = s->limit && s->size > s->limit + 1 ? s->limit + 1 : s->size;
	int rc;

	if (s->limit && s->size + len > s->limit + 1)
		room = s->size > s->limit ? 0 : s->limit + 1 - s->size;
	if (s->held && kept + room > SPOOL_HELD_MAX && (rc = spool_spill(s)) != 0)
		return rc;
	s->size += len;
	if (s->held) {
		sbuf_add(&s->pend, p, room);
		return 0;
	}
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

/* The spool file is complete: part.PID.RANDOM becomes spool.PID.RANDOM. */
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

	if (s->held)
		return 0;
	s->fd = -1;
	if ((fd >= 0 && close(fd) < 0) || spool_done(&s->path) < 0)
		return spool_fail(s);
	return 0;
}

/*
 * A held spool's bytes are where it gathered them; a spool file's are
 * read once, into the same buffer.
 */
int
spool_bytes(struct spool *s, const char **buf, size_t *len)
{
	if (!s->held && s->pend.buf == NULL) {
		char *data;
		size_t n;
		if (read_file(s->path, &data, &n) < 0)
			return rt_fail(EX_TEMPFAIL, "cannot read the spooled message: %s",
			    strerror(errno));
		s->pend.buf = data;
		s->pend.len = n;
		s->pend.cap = n + 1;
	}
	*buf = s->pend.buf ? s->pend.buf : "";
	*len = s->pend.len;
	return 0;
}

void
spool_discard(struct spool *s)
{
	if (s->fd >= 0)
		close(s->fd);
	s->fd = -1;
	sbuf_free(&s->pend);
	if (s->path)
		unlink(s->path);
	free(s->path);
	s->path = NULL;
	s->held = 0;
}

int
spool_fd(struct desk *d, int in, size_t limit, struct spool *s)
{
	char buf[65536];
	ssize_t n;
	int rc;

	if ((rc = spool_begin_held(d, s, limit)) != 0)
		return rc;
	while ((n = read(in, buf, sizeof(buf))) != 0) {
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return spool_fail(s);
		}
		if ((rc = spool_write(s, buf, (size_t)n)) != 0)
			return rc;
	}
	return spool_end(s);
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
