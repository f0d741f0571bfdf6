/*
 * worktree_async.c: a batch's work-tree files written by a second thread.
 *
 * In a batch (rt-ingest --mbox, --maildir, --event) each new ticket costs
 * its folders and files in the work tree: inode allocation, the larger
 * part of the batch's system time. The commits do not need them (they are
 * built from trees), so a thread of its own writes them while the next
 * commit is built. Each file is written as a single commit writes it
 * (worktree_file: a new one aside and renamed, so a reader never sees
 * half a file; a log.yaml that grows, in place), and its path is in
 * .git/rt/pending before its commit is built: a kill leaves what the
 * journal repairs, as before. The mail files and new tickets' log.yaml
 * are queued at their commit and written before the branch moves (txn.c
 * waits), so a ticket on the branch has its folder and log;
 * ticket.yaml stays the cache's: rendered when a batch's end indexes its
 * tickets, and handed here to be written its own way (worktree_queue_by,
 * after the files of its folder), while the cache indexes the next
 * ticket's words.
 * worktree_drain waits for every queued file; a batch ends (and
 * rt-ingest exits) only after it.
 */
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"
#include "worktree.h"

struct job {
	struct job *next;
	char *full;
	char *buf;
	size_t len;
	int fresh;	/* new to the work tree (worktree_file) */
	worktree_writer write;	/* NULL: worktree_file */
	void *arg;
	unsigned long seq;
};

static struct {
	pthread_mutex_t mu;
	pthread_cond_t more, done;
	struct job *head, *tail;
	unsigned long queued, written;	/* sequence numbers */
	unsigned long woken;	/* the last one the thread was woken for */
	int running, stop;
	pthread_t thread;
	char *err;		/* the first failure, for the drain's warning */
	unsigned long failed;
} q = { PTHREAD_MUTEX_INITIALIZER, PTHREAD_COND_INITIALIZER, PTHREAD_COND_INITIALIZER,
	NULL, NULL, 0, 0, 0, 0, 0, 0, NULL, 0 };

/*
 * The thread is woken once WAKE_EVERY files wait, not for each: it wrote
 * a file in less time than a mail takes to commit, then slept again, a
 * futex wake, a futex wait and two switches for every file. Whoever
 * waits for the files (worktree_wait, worktree_drain) wakes it first.
 */
#define WAKE_EVERY 16

/* Under q.mu: the thread woken for every file queued so far. */
static void
wake(void)
{
	if (q.woken != q.queued) {
		q.woken = q.queued;
		pthread_cond_signal(&q.more);
	}
}

/* j's file, written its owner's way or as worktree_file writes it */
static int
job_write(const struct job *j)
{
	return j->write ? j->write(j->full, j->buf, j->len, j->arg) :
	    worktree_file(j->full, j->buf, j->len, j->fresh);
}

/*
 * For tests of what runs beside a batch (t1702): with
 * RT_TEST_WORKTREE_HOLD=DIR the thread stops before the first log.yaml it
 * writes (test_hold), so a test decides what happens while a work-tree
 * file is still queued.
 */
static void
hold_first_log(const char *full)
{
	static int held;
	size_t n = strlen(full);

	if (held || n < 9 || strcmp(full + n - 9, "/log.yaml") != 0)
		return;
	held = 1;
	test_hold("RT_TEST_WORKTREE_HOLD");
}

static void *
writer(void *arg)
{
	(void)arg;
	pthread_mutex_lock(&q.mu);
	for (;;) {
		struct job *j = q.head;
		if (j == NULL) {
			if (q.stop)
				break;
			pthread_cond_wait(&q.more, &q.mu);
			continue;
		}
		q.head = j->next;
		if (q.head == NULL)
			q.tail = NULL;
		pthread_mutex_unlock(&q.mu);
		hold_first_log(j->full);
		int rc = job_write(j);
		pthread_mutex_lock(&q.mu);
		if (rc != 0) {
			if (q.err == NULL)
				q.err = xstrdup(rt_errmsg());	/* this thread's own message */
			q.failed++;
		}
		q.written = j->seq;
		pthread_cond_broadcast(&q.done);
		free(j->full);
		free(j->buf);
		free(j);
	}
	pthread_mutex_unlock(&q.mu);
	return NULL;
}

/* j written by the thread, started when none runs; without one, written here. */
static void
enqueue(struct job *j)
{
	pthread_mutex_lock(&q.mu);
	if (!q.running) {
		q.stop = 0;
		if (pthread_create(&q.thread, NULL, writer, NULL) != 0) {
			pthread_mutex_unlock(&q.mu);
			/* no thread: written here, as without a batch */
			if (job_write(j) != 0)
				rt_warn("warning: %s", rt_errmsg());
			free(j->full);
			free(j->buf);
			free(j);
			return;
		}
		q.running = 1;
	}
	j->seq = ++q.queued;
	if (q.tail)
		q.tail->next = j;
	else
		q.head = j;
	q.tail = j;
	if (q.queued - q.woken >= WAKE_EVERY)
		wake();
	pthread_mutex_unlock(&q.mu);
}

void
worktree_queue_by(const char *full, char *buf, size_t len, worktree_writer write, void *arg)
{
	struct job *j = xcalloc(1, sizeof(*j));

	j->full = xstrdup(full);
	j->buf = buf;
	j->len = len;
	j->write = write;
	j->arg = arg;
	enqueue(j);
}

void
worktree_queue(const char *full, char *buf, size_t len, int fresh)
{
	struct job *j = xcalloc(1, sizeof(*j));

	j->full = xstrdup(full);
	j->buf = buf;
	j->len = len;
	j->fresh = fresh;
	enqueue(j);
}

void
worktree_kick(void)
{
	pthread_mutex_lock(&q.mu);
	if (q.running)
		wake();
	pthread_mutex_unlock(&q.mu);
}

unsigned long
worktree_queued(void)
{
	unsigned long n;

	pthread_mutex_lock(&q.mu);
	n = q.queued;
	pthread_mutex_unlock(&q.mu);
	return n;
}

void
worktree_wait(unsigned long seq)
{
	pthread_mutex_lock(&q.mu);
	if (q.running && q.written < seq)
		wake();
	while (q.running && q.written < seq)
		pthread_cond_wait(&q.done, &q.mu);
	pthread_mutex_unlock(&q.mu);
}

int
worktree_drain(void)
{
	unsigned long failed;
	char *err;

	pthread_mutex_lock(&q.mu);
	if (!q.running) {
		pthread_mutex_unlock(&q.mu);
		return 0;
	}
	q.stop = 1;
	pthread_cond_signal(&q.more);
	pthread_mutex_unlock(&q.mu);
	pthread_join(q.thread, NULL);
	pthread_mutex_lock(&q.mu);
	q.running = 0;
	err = q.err;
	failed = q.failed;
	q.err = NULL;
	q.failed = 0;
	pthread_mutex_unlock(&q.mu);
	if (err == NULL)
		return 0;
	/* the paths stay in .git/rt/pending: rt-gc writes them */
	if (failed > 1)
		rt_fail(EX_IOERR, "%s (and %lu more work-tree files)", err, failed - 1);
	else
		rt_fail(EX_IOERR, "%s", err);
	free(err);
	return EX_IOERR;
}
