/*
 * lock.c: the desk lock. Writers queue for it in the order they came;
 * once it is held, the guard (guard.h) makes sure git is not in the way
 * and nothing a killed writer left blocks the desk.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include "desk.h"
#include "format.h"
#include "guard.h"
#include "head.h"
#include "txn.h"
#include "util.h"

static void
on_alarm(int sig)
{
	(void)sig;	/* only interrupts the blocking flock */
}

/*
 * Writers queue in the order they came: flock(2) wakes every waiter when
 * the lock is let go and one wins at random, so some waited for many
 * turns (the 95th percentile of 16 writers was twice the median). Each
 * writer takes a ticket (bytes 16-23 of the lock file, under a byte-range
 * lock) and holds the byte of its ticket (fcntl locks, which the kernel
 * drops when the holder exits or is killed); it waits for the byte of the
 * ticket before it, then for the flock, which alone excludes writers: a
 * queue that goes wrong (a file truncated by hand, a writer that gave up)
 * costs order, never safety.
 */
#define QUEUE_TICKET 16		/* the last ticket, 8 bytes big-endian */
#define QUEUE_SLOTS 4096	/* ticket t holds byte QUEUE_BASE + t % QUEUE_SLOTS */
#define QUEUE_BASE 4096
#define QUEUE_PATIENCE 5.0	/* seconds for the one before; a stopped or stuck one is passed */

static int
range_lock(int fd, short type, off_t at, off_t len, int wait)
{
	struct flock fl;

	memset(&fl, 0, sizeof(fl));
	fl.l_type = type;
	fl.l_whence = SEEK_SET;
	fl.l_start = at;
	fl.l_len = len;
	return fcntl(fd, wait ? F_SETLKW : F_SETLK, &fl);
}

static off_t
queue_slot(unsigned long long t)
{
	return QUEUE_BASE + (off_t)(t % QUEUE_SLOTS);
}

/* Takes the next ticket and holds its byte: the ticket, or 0 (no queue). */
static unsigned long long
queue_join(int fd)
{
	unsigned char b[8] = { 0 };
	unsigned long long t = 0, v;

	if (range_lock(fd, F_WRLCK, QUEUE_TICKET, 8, 1) < 0)
		return 0;
	if (pread(fd, b, 8, QUEUE_TICKET) == 8)
		for (int i = 0; i < 8; i++)
			t = t << 8 | b[i];
	v = ++t;
	for (int i = 8; i-- > 0; v >>= 8)
		b[i] = (unsigned char)(v & 0xff);
	if (pwrite(fd, b, 8, QUEUE_TICKET) != 8 ||
	    range_lock(fd, F_WRLCK, queue_slot(t), 1, 0) < 0)
		t = 0;
	range_lock(fd, F_UNLCK, QUEUE_TICKET, 8, 0);
	return t;
}

static double
elapsed(const struct timespec *start)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return (double)(now.tv_sec - start->tv_sec) + (double)(now.tv_nsec - start->tv_nsec) / 1e9;
}

/* A one-shot SIGALRM after secs (> 0), or none (0). */
static void
set_timer(double secs)
{
	struct itimerval it;

	memset(&it, 0, sizeof(it));
	if (secs > 0) {
		it.it_value.tv_sec = (time_t)secs;
		it.it_value.tv_usec = (suseconds_t)((secs - (double)(time_t)secs) * 1e6);
		if (it.it_value.tv_sec == 0 && it.it_value.tv_usec == 0)
			it.it_value.tv_usec = 1;
	}
	setitimer(ITIMER_REAL, &it, NULL);
}

/*
 * Waits for the ticket before this one (the byte it holds), then for the
 * lock, in the kernel, not by polling with naps: the waiter wakes as soon
 * as the one before lets go. A one-shot timer interrupts the waits (EINTR)
 * at the timeout.
 */
static int
lock_wait(int fd, double timeout)
{
	double patience = timeout < QUEUE_PATIENCE ? timeout : QUEUE_PATIENCE, left;
	struct sigaction sa, old;
	struct timespec start;
	unsigned long long t;
	int rc = 0, e;

	if (timeout <= 0)
		return flock(fd, LOCK_EX | LOCK_NB);
	t = queue_join(fd);
	/* Nobody before us: no timer. */
	if ((t == 0 || range_lock(fd, F_WRLCK, queue_slot(t - 1), 1, 0) == 0) &&
	    flock(fd, LOCK_EX | LOCK_NB) == 0) {
		if (t)
			range_lock(fd, F_UNLCK, queue_slot(t - 1), 1, 0);
		return 0;
	}
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_alarm;	/* no SA_RESTART: the waits return EINTR */
	sigemptyset(&sa.sa_mask);
	sigaction(SIGALRM, &sa, &old);
	clock_gettime(CLOCK_MONOTONIC, &start);
	set_timer(t ? patience : timeout);
	while (t && (rc = range_lock(fd, F_WRLCK, queue_slot(t - 1), 1, 1)) < 0 &&
	    errno == EINTR && elapsed(&start) < patience)
		;
	if (t && rc == 0)
		range_lock(fd, F_UNLCK, queue_slot(t - 1), 1, 0);
	/* In turn, or past the one before (a failed queue, no patience left): the flock decides. */
	if (t && (left = timeout - elapsed(&start)) <= 0)
		rc = flock(fd, LOCK_EX | LOCK_NB);
	else {
		if (t)
			set_timer(left);
		while ((rc = flock(fd, LOCK_EX)) < 0 && errno == EINTR)
			if (elapsed(&start) >= timeout) {
				errno = EWOULDBLOCK;
				break;
			}
	}
	e = errno;
	set_timer(0);
	sigaction(SIGALRM, &old, NULL);
	errno = e;
	return rc;
}

double
desk_lock_timeout(void)
{
	const char *env = getenv("RT_LOCK_TIMEOUT");

	return env && *env ? atof(env) : 30.0;
}

/* The message of a lock not had after timeout seconds (errno e). */
static int
lock_failed(const struct desk *d, int e, double timeout)
{
	if (e == EWOULDBLOCK)
		return rt_fail(EX_TEMPFAIL, "desk '%s' is locked by another process "
		    "(waited %g s, RT_LOCK_TIMEOUT)", d->root, timeout);
	return rt_fail(EX_TEMPFAIL, "cannot lock desk '%s': %s", d->root, strerror(e));
}

int
desk_lock(struct desk *d)
{
	double timeout = desk_lock_timeout();
	char *path = xasprintf("%s/lock", d->rtdir);

	if (d->lockfd >= 0) {
		free(path);
		return 0;
	}
	d->lockfd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0666);
	if (d->lockfd < 0) {
		int e = errno;
		free(path);
		return rt_fail(e == EROFS || e == EACCES ? EX_TEMPFAIL : EX_CANTCREAT,
		    "cannot open lock '%s/lock': %s", d->rtdir, strerror(e));
	}
	free(path);
	if (lock_wait(d->lockfd, timeout) < 0) {
		int e = errno;
		close(d->lockfd);
		d->lockfd = -1;
		return lock_failed(d, e, timeout);
	}
	int rc = guard_locked(d);	/* git state, stale locks (guard.h) */

	desk_head_moved(d, NULL);	/* read again now it is ours */

	if (rc != 0) {
		desk_unlock(d);
		return rc;
	}
	(void)format_locked(d);	/* upgrades a format-1 desk, never fails a writer */
	return 0;
}

/* A reader's lock (no guard, no upgrade), waiting up to timeout (0: not at all); errno set. */
static int
reader_lock(struct desk *d, double timeout)
{
	char *path;
	int e;

	if (d->lockfd >= 0) {
		errno = EBUSY;
		return -1;	/* held already: not this caller's to let go */
	}
	path = xasprintf("%s/lock", d->rtdir);
	d->lockfd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0666);
	e = errno;
	free(path);
	if (d->lockfd >= 0 && lock_wait(d->lockfd, timeout) < 0) {
		e = errno;
		close(d->lockfd);
		d->lockfd = -1;
	}
	if (d->lockfd < 0) {
		errno = e;
		return -1;
	}
	d->lock_tried = 1;
	desk_head_moved(d, NULL);	/* read again now it is ours */
	return 0;
}

int
desk_lock_try(struct desk *d)
{
	return reader_lock(d, 0);
}

int
desk_lock_wait(struct desk *d)
{
	double timeout = desk_lock_timeout();

	return reader_lock(d, timeout) == 0 ? 0 : lock_failed(d, errno, timeout);
}

void
desk_unlock(struct desk *d)
{
	if (d->lockfd < 0 || txn_batch_keeps_lock(d))
		return;
	if (!d->lock_tried)
		guard_unlocking(d);	/* the holder's mark is a writer's */
	d->lock_tried = 0;
	close(d->lockfd);
	d->lockfd = -1;
	desk_head_moved(d, NULL);
}
