/* guard.c: rt and git never race; stale git lock files are removed */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "desk.h"
#include "guard.h"
#include "util.h"

#define STALE_INDEX_LOCK 3600	/* a foreign index.lock: git commit with an editor open */
#define STALE_REF_LOCK 5	/* a live ref lock lasts milliseconds */
#define WRITER_WINDOW 60	/* libgit2's index.lock follows rt's note within this */
#define RT_MARK "rt "
#define INDEX_LOCK_WAIT 3.0	/* seconds: git status, add or commit -m hold index.lock a moment */

static void
warn_removed(const char *path, const char *why)
{
	rt_warn("warning: removed %s (%s)", path, why);
}

static const char *
state_reason(int state)
{
	switch (state) {
	case GIT_REPOSITORY_STATE_MERGE:
		return "a git merge is in progress in %s: finish it with "
		    "'git merge --continue' or 'git merge --abort'";
	case GIT_REPOSITORY_STATE_REVERT:
	case GIT_REPOSITORY_STATE_REVERT_SEQUENCE:
		return "a git revert is in progress in %s: finish it with "
		    "'git revert --continue' or 'git revert --abort'";
	case GIT_REPOSITORY_STATE_CHERRYPICK:
	case GIT_REPOSITORY_STATE_CHERRYPICK_SEQUENCE:
		return "a git cherry-pick is in progress in %s: finish it with "
		    "'git cherry-pick --continue' or 'git cherry-pick --abort'";
	case GIT_REPOSITORY_STATE_BISECT:
		return "a git bisect is in progress in %s: end it with 'git bisect reset'";
	case GIT_REPOSITORY_STATE_REBASE:
	case GIT_REPOSITORY_STATE_REBASE_INTERACTIVE:
	case GIT_REPOSITORY_STATE_REBASE_MERGE:
		return "a git rebase is in progress in %s: finish it with "
		    "'git rebase --continue' or 'git rebase --abort'";
	case GIT_REPOSITORY_STATE_APPLY_MAILBOX:
		return "a git am is in progress in %s: finish it with "
		    "'git am --continue' or 'git am --abort'";
	case GIT_REPOSITORY_STATE_APPLY_MAILBOX_OR_REBASE:
		return "a git rebase or am is in progress in %s: finish it with "
		    "'git rebase --continue' or 'git rebase --abort' (or git am)";
	default:
		return NULL;
	}
}

static int
gitdir_has(struct desk *d, const char *name)
{
	char *p = xasprintf("%s%s", d->gitdir, name);
	int ok = access(p, F_OK) == 0;

	free(p);
	return ok;
}

/* The one local branch, for the fix of a detached HEAD; else a placeholder. */
static char *
only_branch(struct desk *d)
{
	git_branch_iterator *it;
	git_reference *ref;
	git_branch_t type;
	char *name = NULL;
	int n = 0;

	if (git_branch_iterator_new(&it, d->repo, GIT_BRANCH_LOCAL) == 0) {
		while (git_branch_next(&ref, &type, it) == 0) {
			const char *s;
			if (n++ == 0 && git_branch_name(&s, ref) == 0)
				name = xstrdup(s);
			git_reference_free(ref);
		}
		git_branch_iterator_free(it);
	}
	if (n != 1 || name == NULL) {
		free(name);
		name = xstrdup("BRANCH");
	}
	return name;
}

/* Refuses to write while git is in the middle of something. */
static int
check_git_state(struct desk *d)
{
	const char *why = state_reason(git_repository_state(d->repo));
	char *branch;
	int rc;

	if (why)
		return rt_fail(EX_TEMPFAIL, why, d->root);
	if (gitdir_has(d, "sequencer"))
		return rt_fail(EX_TEMPFAIL, "a git cherry-pick or revert is in progress in %s: "
		    "finish it with 'git cherry-pick --continue' or '--abort' (or git revert)",
		    d->root);
	if (git_repository_head_detached(d->repo) != 1)
		return 0;
	branch = only_branch(d);
	rc = rt_fail(EX_TEMPFAIL, "HEAD is detached in %s: check out the desk's branch "
	    "again with 'git switch %s'", d->root, branch);
	free(branch);
	return rc;
}

static long
age_of(const struct stat *st)
{
	return (long)(time(NULL) - st->st_mtime);
}

/*
 * Gone, or a zombie: a writer killed a moment ago has let go of its locks
 * but stays a zombie until its parent waits for it, and writes nothing more.
 */
static int
pid_dead(long pid)
{
	char *stat, *buf = NULL, *paren;
	size_t len;
	int dead;

	if (pid <= 0)
		return 0;
	if (kill((pid_t)pid, 0) < 0)
		return errno == ESRCH;
	stat = xasprintf("/proc/%ld/stat", pid);
	dead = read_file(stat, &buf, &len) == 0 && (paren = strrchr(buf, ')')) != NULL &&
	    (paren[1] == ' ' && (paren[2] == 'Z' || paren[2] == 'X'));
	free(buf);
	free(stat);
	return dead;
}

static char *
writer_note(struct desk *d)
{
	return xasprintf("%s/index-writer", d->rtdir);
}

/*
 * rt notes its pid in .git/rt/index-writer while libgit2 writes the
 * index for it. A note whose process is dead means that rt was killed
 * there: an unmarked index.lock made after the note is libgit2's, left
 * by that rt. Stale notes are removed.
 */
static int
killed_rt_index_write(struct desk *d, const struct stat *lock)
{
	char *note = writer_note(d), *buf = NULL;
	struct stat st;
	size_t len;
	int stale = 0;

	if (stat(note, &st) == 0 && read_file(note, &buf, &len) == 0 && pid_dead(atol(buf))) {
		stale = lock && lock->st_mtime >= st.st_mtime &&
		    lock->st_mtime <= st.st_mtime + WRITER_WINDOW;
		unlink(note);
	}
	free(buf);
	free(note);
	return stale;
}

/*
 * Whether the foreign index.lock at path went within INDEX_LOCK_WAIT
 * seconds (at most RT_LOCK_TIMEOUT): a person's git status, git add or
 * git commit -m in the desk holds it for a moment, and a writer that
 * gave up at once deferred one mail in four while they ran in a loop.
 * A git commit waiting on its editor outlasts the wait.
 */
static int
index_lock_went(const char *path)
{
	double limit = desk_lock_timeout(), waited = 0;
	struct timespec ts = { 0, 1000000 };

	if (limit > INDEX_LOCK_WAIT)
		limit = INDEX_LOCK_WAIT;
	for (;;) {
		if (access(path, F_OK) != 0 && errno == ENOENT)
			return 1;
		if (waited >= limit)
			return 0;
		nanosleep(&ts, NULL);
		waited += ts.tv_nsec / 1e9;
		if (ts.tv_nsec < 16000000)
			ts.tv_nsec *= 2;
	}
}

/*
 * index.lock while we hold the desk flock: rt's own (marked) is stale,
 * as is one libgit2 left in a killed rt; a foreign one is a git command
 * at work, removed only when older than desk.stale-index-lock seconds.
 * Sets *rt_killed when a killed rt commit left it.
 */
static int
clean_index_lock(struct desk *d, int *rt_killed)
{
	char *path = xasprintf("%sindex.lock", d->gitdir), *buf = NULL;
	long limit = (long)desk_cfg_int(d, "desk.stale-index-lock", STALE_INDEX_LOCK);
	struct stat st;
	size_t len;
	int rc = 0;

	*rt_killed = 0;
	if (lstat(path, &st) < 0) {
		killed_rt_index_write(d, NULL);
		goto out;
	}
	if (read_file(path, &buf, &len) == 0 && str_starts(buf, RT_MARK)) {
		*rt_killed = 1;
		if (unlink(path) == 0)
			warn_removed(path, "left by a killed rt");
		else if (errno != ENOENT)
			rc = rt_fail(EX_TEMPFAIL, "cannot remove stale '%s': %s", path, strerror(errno));
	} else if (killed_rt_index_write(d, &st) || age_of(&st) >= limit) {
		if (unlink(path) == 0)
			warn_removed(path, "left by a killed git or rt");
	} else if (!index_lock_went(path))
		rc = rt_fail(EX_TEMPFAIL, "git holds %s (a git command is running): retry when "
		    "it ends, or remove the file if no git command runs", path);
out:
	free(buf);
	free(path);
	return rc;
}

static long ref_lock_limit;

static int
clean_ref_lock(const char *path, const struct stat *st, int type, struct FTW *ftw)
{
	size_t n = strlen(path);

	(void)ftw;
	if (type == FTW_F && n > 5 && strcmp(path + n - 5, ".lock") == 0 &&
	    age_of(st) >= ref_lock_limit && unlink(path) == 0)
		warn_removed(path, "a stale ref lock");
	return 0;
}

/*
 * Ref locks live for milliseconds; one older than a few seconds, or any
 * when a killed rt commit left its index.lock, is stale.
 */
static void
clean_ref_locks(struct desk *d, int rt_killed)
{
	static const char *const top[] = { "HEAD.lock", "packed-refs.lock" };
	char *refs = xasprintf("%srefs", d->gitdir);

	ref_lock_limit = rt_killed ? 0 :
	    (long)desk_cfg_int(d, "desk.stale-ref-lock", STALE_REF_LOCK);
	for (size_t i = 0; i < LEN(top); i++) {
		char *p = xasprintf("%s%s", d->gitdir, top[i]);
		struct stat st;
		if (lstat(p, &st) == 0)
			clean_ref_lock(p, &st, FTW_F, NULL);
		free(p);
	}
	nftw(refs, clean_ref_lock, 16, FTW_PHYS);
	free(refs);
}

/* rt's own temporary link sources (.git/rt/index.lock.PID) are stale under the flock. */
static void
clean_own_temps(struct desk *d)
{
	struct dirent **v;
	int n = scandir(d->rtdir, &v, NULL, NULL);

	for (int i = 0; i < n; i++) {
		if (str_starts(v[i]->d_name, "index.lock.")) {
			char *p = xasprintf("%s/%s", d->rtdir, v[i]->d_name);
			unlink(p);
			free(p);
		}
		free(v[i]);
	}
	if (n >= 0)
		free(v);
}

/* Removes PATH.tmpPID files a killed rt left while writing work-tree file PATH. */
/* Removes PATH.tmpPID of dead writers; the number left to writers still alive. */
static size_t
clean_worktree_temp(struct desk *d, const char *path)
{
	char *full = xasprintf("%s/%s", d->root, path), *slash = strrchr(full, '/');
	const char *base = slash + 1;
	size_t blen = strlen(base);
	size_t kept = 0;
	struct dirent *de;
	DIR *dp;

	*slash = '\0';
	if ((dp = opendir(full)) != NULL) {
		while ((de = readdir(dp)) != NULL) {
			const char *s = de->d_name;
			if (strncmp(s, base, blen) != 0 || strncmp(s + blen, ".tmp", 4) != 0 ||
			    s[blen + 4] == '\0' || strspn(s + blen + 4, "0123456789") !=
			    strlen(s + blen + 4))
				continue;
			if (!pid_dead(atol(s + blen + 4))) {
				kept++;
				continue;
			}
			char *p = xasprintf("%s/%s", full, s);
			unlink(p);
			free(p);
		}
		closedir(dp);
	}
	free(full);
	return kept;
}

/* The last tail bytes of the journal (all of it for (size_t)-1), whole lines only. */
static char *
journal_tail(const char *jp, size_t tail)
{
	struct stat st;
	char *buf = NULL, *nl;
	off_t from;
	int fd;

	if ((fd = open(jp, O_RDONLY | O_CLOEXEC)) < 0)
		return NULL;
	if (fstat(fd, &st) == 0 && st.st_size > 0) {
		from = (size_t)st.st_size > tail ? st.st_size - (off_t)tail : 0;
		buf = xcalloc(1, (size_t)(st.st_size - from) + 1);
		if (pread(fd, buf, (size_t)(st.st_size - from), from) != st.st_size - from) {
			free(buf);
			buf = NULL;
		} else if (from > 0 && (nl = strchr(buf, '\n')) != NULL)
			memmove(buf, nl + 1, strlen(nl + 1) + 1);	/* a cut first line */
	}
	close(fd);
	return buf;
}

/*
 * The paths in .git/rt/pending are the only ones rt writes in the work
 * tree; a kill there leaves PATH.tmpPID. A killed writer's paths are the
 * journal's last lines when the next writer looks (journaled before its
 * commit, written after it): the last tail bytes are read, whole lines
 * only, so the cost does not grow with the journal. rt-gc reads it whole.
 */
size_t
guard_worktree_temps(struct desk *d, size_t tail)
{
	char *jp = xasprintf("%s/pending", d->rtdir), *buf, **v;
	size_t n, kept = 0;

	if ((buf = journal_tail(jp, tail)) != NULL) {
		n = str_split(buf, "\n", &v);
		for (size_t i = 0; i < n; i++)
			if (strchr(v[i], '/') && strstr(v[i], "..") == NULL)
				kept += clean_worktree_temp(d, v[i]);
		strv_free(v, n);
	}
	free(buf);
	free(jp);
	return kept;
}

/*
 * The desk's lock file holds the pid of the writer that holds the lock,
 * blanked when it lets go: a pid the next writer finds there is a writer
 * killed (or gone without desk_unlock) while it held the lock, the only
 * one that can have left work-tree temporaries. So a writer looks for
 * them only then, not at every lock: two small writes a lock instead of
 * a folder listing per journaled path.
 */
#define HOLDER_LEN 12	/* "%11ld\n", or blanks */

static int
holder_left(int fd)
{
	char b[HOLDER_LEN + 1] = "";
	ssize_t n = pread(fd, b, HOLDER_LEN, 0);

	return n > 0 && strpbrk(b, "0123456789") != NULL;
}

static void
holder_mark(int fd, long pid)
{
	char b[HOLDER_LEN + 1];

	if (pid)
		snprintf(b, sizeof(b), "%*ld\n", HOLDER_LEN - 1, pid);
	else {
		memset(b, ' ', HOLDER_LEN - 1);
		b[HOLDER_LEN - 1] = '\n';
	}
	/* best effort: without the mark, a writer killed later goes unseen until rt-gc */
	(void)!pwrite(fd, b, HOLDER_LEN, 0);
}

/* Blank, or pid 1 when a killed writer's temporaries are still owed a look. */
void
guard_unlocking(struct desk *d)
{
	if (d->lockfd >= 0)
		holder_mark(d->lockfd, d->temps_owed ? 1 : 0);
}

int
guard_locked(struct desk *d)
{
	int rc, rt_killed, left = holder_left(d->lockfd);

	holder_mark(d->lockfd, (long)getpid());
	d->temps_owed = left;	/* until looked at: a refused writer passes it on */
	if ((rc = check_git_state(d)) == 0 && (rc = clean_index_lock(d, &rt_killed)) == 0) {
		clean_ref_locks(d, rt_killed);
		clean_own_temps(d);
		if (left || rt_killed)
			d->temps_owed = guard_worktree_temps(d, 16384) > 0;
	}
	return rc;
}

static int
index_lock_fail(struct desk *d, const char *lock, int e)
{
	if (e == EEXIST)
		return rt_fail(EX_TEMPFAIL, "git holds %s (a git command is running): retry "
		    "when it ends", lock);
	return rt_fail(EX_TEMPFAIL, "cannot lock the index of %s: %s", d->root, strerror(e));
}

/* Creates index.lock with rt's mark at once: written aside, then link(2). */
static int
take_index_lock_aside(struct desk *d, const char *lock)
{
	char *tmp = xasprintf("%s/index.lock.%ld", d->rtdir, (long)getpid());
	char *mark = xasprintf(RT_MARK "%ld\n", (long)getpid());
	int rc = 0;

	unlink(tmp);
	if (write_file_atomic(tmp, mark, strlen(mark), 0) < 0)
		rc = index_lock_fail(d, lock, errno);
	else if (link(tmp, lock) < 0)
		rc = index_lock_fail(d, lock, errno);
	unlink(tmp);
	free(mark);
	free(tmp);
	return rc;
}

/*
 * index.lock as one more name of .git/rt/index.mark, a file that holds
 * rt's mark and stays: no inode is made per commit, which is what costs
 * on ext4 without a journal. Where the mark cannot be linked (another
 * user's file under fs.protected_hardlinks, a foreign file system),
 * index.lock is written aside and linked as before.
 */
static int
take_index_lock(struct desk *d, const char *lock)
{
	static const char mark[] = RT_MARK "(an rt commit holds the index lock)\n";
	char *path = xasprintf("%s/index.mark", d->rtdir);
	int rc = 0;

	if (link(path, lock) == 0 || (errno == ENOENT &&
	    write_file_atomic(path, mark, strlen(mark), 0) == 0 && link(path, lock) == 0))
		goto out;
	if (errno != EEXIST)
		rc = take_index_lock_aside(d, lock);
	/* a git command started since the desk lock was taken: its moment */
	else if (!index_lock_went(lock) || link(path, lock) < 0)
		rc = index_lock_fail(d, lock, EEXIST);
out:
	free(path);
	return rc;
}

int
guard_commit_begin(struct desk *d, struct commit_guard *g)
{
	char *lock = xasprintf("%sindex.lock", d->gitdir);
	int rc;

	memset(g, 0, sizeof(*g));
	if ((rc = take_index_lock(d, lock)) == 0) {
		g->locked = 1;
		/* Again: git may have started something since the desk lock. */
		if ((rc = check_git_state(d)) != 0) {
			unlink(lock);
			g->locked = 0;
		} else
			g->has_old = git_reference_name_to_id(&g->old, d->repo, "HEAD") == 0;
	}
	free(lock);
	return rc;
}

void
guard_index_writer(struct desk *d)
{
	char *note = writer_note(d);
	char *pid = xasprintf("%ld\n", (long)getpid());

	/* Best effort: without the note a killed index write waits for the long limit. */
	write_file_atomic(note, pid, strlen(pid), 0);
	free(pid);
	free(note);
}

void
guard_index_done(struct desk *d)
{
	char *note = writer_note(d);

	unlink(note);
	free(note);
}

void
guard_commit_end(struct desk *d, struct commit_guard *g, int committed)
{
	char *lock;

	if (!g->locked)
		return;
	lock = xasprintf("%sindex.lock", d->gitdir);
	if (committed)
		guard_index_writer(d);
	unlink(lock);
	g->locked = 0;
	free(lock);
}
