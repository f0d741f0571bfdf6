/* spool.c: copying incoming bytes to a private file before parsing */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
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
	/* part.* until complete: rt-gc stores spool.* a killed delivery left. */
	s->path = xasprintf("%s/part.XXXXXX", dir);
	free(dir);
	if ((s->fd = mkostemp(s->path, O_CLOEXEC)) < 0)
		return spool_fail(s);
	return 0;
}

/*
 * A process's held spools share one memfd, one at a time (an mbox's
 * mails come one after the other): a mail costs one write to it, not a
 * memfd_create, an access and a close more. Nothing closes it: it goes
 * with the process, as a memfd does.
 */
static struct {
	int fd;		/* -1: none yet */
	char *path;
	size_t size;	/* bytes in it */
	int busy;	/* a held spool has it */
} kept = { -1, NULL, 0, 0 };

/* A memfd readable through its /proc name, as a file is; -1 without /proc. */
static int
memfd_open(char **path)
{
	int fd = memfd_create("rt-spool", MFD_CLOEXEC);

	if (fd < 0)
		return -1;
	*path = xasprintf("/proc/self/fd/%d", fd);
	if (access(*path, R_OK) != 0) {
		close(fd);
		free(*path);
		*path = NULL;
		return -1;
	}
	return fd;
}

/* The kept memfd, or a memfd of its own while another spool has it. */
static int
kept_take(struct spool *s)
{
	if (kept.busy) {
		s->fd = memfd_open(&s->path);
		return s->fd < 0 ? -1 : 0;
	}
	if (kept.fd < 0 && (kept.fd = memfd_open(&kept.path)) < 0)
		return -1;
	kept.busy = 1;
	s->fd = kept.fd;
	s->path = xstrdup(kept.path);
	return 0;
}

/* The spool lets its file go; the kept memfd stays, its bytes until the next mail. */
static void
kept_give(struct spool *s)
{
	if (s->held && s->fd == kept.fd)
		kept.busy = 0;
	else if (s->fd >= 0)
		close(s->fd);
	s->fd = -1;
}

int
spool_begin_held(struct desk *d, struct spool *s, size_t limit)
{
	memset(s, 0, sizeof(*s));
	s->fd = -1;
	if (kept_take(s) == 0) {
		s->limit = limit;
		s->d = d;
		s->held = 1;
		return 0;
	}
	return spool_begin(d, s, limit);
}

/*
 * A held spool's bytes gather in memory and reach its memfd in one write
 * at its end: an mbox gives them a line at a time (40 writes a mail).
 */
static int
spool_flush(struct spool *s)
{
	size_t done = 0;

	while (done < s->pend.len) {
		ssize_t n = pwrite(s->fd, s->pend.buf + done, s->pend.len - done, (off_t)done);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return spool_fail(s);
		done += (size_t)n;
	}
	/* the last mail's tail past this one's end goes */
	if (s->fd == kept.fd) {
		if (kept.size > s->pend.len && ftruncate(s->fd, (off_t)s->pend.len) < 0)
			return spool_fail(s);
		kept.size = s->pend.len;
	}
	return 0;
}

/* A held spool about to pass SPOOL_HELD_MAX moves to a spool file. */
static int
spool_spill(struct spool *s)
{
	struct spool disk;
	char buf[65536];
	off_t off = 0;
	ssize_t n;
	int rc;

	if ((rc = spool_flush(s)) != 0)
		return rc;
	sbuf_free(&s->pend);
	if ((rc = spool_begin(s->d, &disk, 0)) != 0) {
		spool_discard(s);
		return rc;
	}
	while ((n = pread(s->fd, buf, sizeof(buf), off)) != 0) {
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			int e = errno;
			spool_discard(&disk);
			errno = e;
			return spool_fail(s);
		}
		if ((rc = spool_write(&disk, buf, (size_t)n)) != 0) {
			spool_discard(s);
			return rc;
		}
		off += n;
	}
	kept_give(s);
	free(s->path);
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

	if (s->held) {
		/* closing a memfd would free it; read_file reads the bytes kept */
		if (spool_flush(s) != 0)
			return EX_TEMPFAIL;
		read_file_hold(s->path, s->pend.buf ? s->pend.buf : "", s->pend.len);
		return 0;
	}
	s->fd = -1;
	if ((fd >= 0 && close(fd) < 0) || spool_done(&s->path) < 0)
		return spool_fail(s);
	return 0;
}

void
spool_discard(struct spool *s)
{
	kept_give(s);
	if (s->held)
		read_file_hold(NULL, NULL, 0);
	sbuf_free(&s->pend);
	if (s->path && !s->held)
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
