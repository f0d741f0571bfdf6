/*
 * worktree.c: mirroring commits into the work tree and the index.
 *
 * Commits are built from trees, never through the index, so their cost
 * does not grow with the desk. The work tree is written after each
 * commit. The index is rewritten whole by libgit2 (O(files)), so commands
 * never touch it: the changed paths wait in .git/rt/pending until rt-gc
 * applies them in one pass. Only rt-gc (and rt-init, rt-archive) write
 * the index.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "archive.h"
#include "desk.h"
#include "head.h"
#include "util.h"
#include "worktree.h"

static char *
journal_path(struct desk *d)
{
	return xasprintf("%s/pending", d->rtdir);
}

/*
 * While paths are pending, git's index is behind HEAD, and committing it
 * (git commit, git commit -a) would record the mail rt stored as deleted.
 * A pre-commit hook refuses that until rt-gc ran; a commit of named paths
 * (git commit FILE) builds its own index from HEAD and stays allowed.
 */
static const char pre_commit_hook[] =
    "#!/bin/sh\n"
    "# Installed by rt (rt-desk(5), THE INDEX): git's index lags rt's commits\n"
    "# until rt-gc applies .git/rt/pending; committing it now would delete\n"
    "# what rt stored. A commit of named files (git commit FILE) is safe.\n"
    "case ${GIT_INDEX_FILE:-} in */next-index-*) exit 0 ;; esac\n"
    "if [ -s \"$(git rev-parse --git-dir)/rt/pending\" ]; then\n"
    "\techo 'rt: the index is behind rt'\\''s commits: run rt-gc, then commit again"
    " (or name the files: git commit rt.yaml)' >&2\n"
    "\texit 1\n"
    "fi\n";

/* The hooks older rts installed, byte for byte: rt's own, refreshed (worktree_hook_refresh). */
static const char *const older_hooks[] = {
	/* before the line named the files' way out */
	"#!/bin/sh\n"
	"# Installed by rt (rt-desk(5), THE INDEX): git's index lags rt's commits\n"
	"# until rt-gc applies .git/rt/pending; committing it now would delete\n"
	"# what rt stored. A commit of named files (git commit FILE) is safe.\n"
	"case ${GIT_INDEX_FILE:-} in */next-index-*) exit 0 ;; esac\n"
	"if [ -s \"$(git rev-parse --git-dir)/rt/pending\" ]; then\n"
	"\techo 'rt: the index is behind rt'\\''s commits: run rt-gc, then commit again' >&2\n"
	"\texit 1\n"
	"fi\n",
};

/*
 * An older rt's hook, unchanged since, becomes this rt's: the same
 * commits refused, with the line of today. Any other content is the
 * user's (or edited by them) and stays. Written aside and renamed, with
 * the old one's mode, never group-writable. Never fails the caller.
 */
static void
hook_refresh(struct desk *d)
{
	char *path = xasprintf("%s/../hooks/pre-commit", d->rtdir);
	char *tmp = xasprintf("%s/../hooks/pre-commit.rt-new", d->rtdir);
	char *buf = NULL;
	size_t len = 0, i, n = sizeof(older_hooks) / sizeof(older_hooks[0]);
	struct stat st;
	int fd, ok;

	if (lstat(path, &st) != 0 || !S_ISREG(st.st_mode) || st.st_size > 4096 ||
	    read_file(path, &buf, &len) != 0)
		goto out;
	for (i = 0; i < n; i++)
		if (len == strlen(older_hooks[i]) && memcmp(buf, older_hooks[i], len) == 0)
			break;
	if (i == n)
		goto out;
	unlink(tmp);
	if ((fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0700)) < 0)
		goto out;
	ok = write_all(fd, pre_commit_hook, sizeof(pre_commit_hook) - 1) == 0 &&
	    fchmod(fd, st.st_mode & 0755) == 0;
	if (close(fd) < 0 || !ok || rename(tmp, path) < 0)
		unlink(tmp);
out:
	free(buf);
	free(path);
	free(tmp);
}

/* Installs the hook when the desk has none (a clone, an older desk); a
 * hook of the user's own is left alone. Never fails the caller. Never
 * group-writable: a shared desk's group must not plant code others run. */
static void
guard_commits(struct desk *d)
{
	char *dir = xasprintf("%s/../hooks", d->rtdir);
	char *path = xasprintf("%s/pre-commit", dir);
	int fd;

	if (access(path, F_OK) != 0 && errno == ENOENT && mkdir_p(dir, 0755) == 0 &&
	    (fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0755)) >= 0) {
		if (write_all(fd, pre_commit_hook, sizeof(pre_commit_hook) - 1) < 0) {
			close(fd);
			unlink(path);
		} else
			close(fd);
	}
	free(path);
	free(dir);
}

/*
 * The journal stays open from a desk's first append to desk_close: a
 * batch appends once a commit (open, fstat and close were three calls
 * more). O_APPEND: a truncation by rt-gc between two appends is safe. A
 * journal removed meanwhile (rm by hand) has no link left: the next
 * append opens a new one rather than write paths nobody will read.
 */
static struct {
	struct desk *d;
	int fd;
} jopen = { NULL, -1 };

static int
journal_fd(struct desk *d)
{
	char *jp;
	struct stat st;

	if (jopen.d == d && jopen.fd >= 0 && (fstat(jopen.fd, &st) != 0 || st.st_nlink > 0))
		return jopen.fd;
	worktree_journal_close(jopen.d);
	jp = journal_path(d);
	jopen.fd = open(jp, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0666);
	if (jopen.fd >= 0) {
		jopen.d = d;
		if (fstat(jopen.fd, &st) == 0 && st.st_size == 0)
			guard_commits(d);	/* the first pending path since rt-gc */
	}
	free(jp);
	return jopen.fd;
}

void
worktree_journal_close(struct desk *d)
{
	if (d == NULL || jopen.d != d)
		return;
	if (jopen.fd >= 0)
		close(jopen.fd);
	jopen.fd = -1;
	jopen.d = NULL;
}

int
worktree_journal(struct desk *d, const char **paths, size_t n)
{
	struct sbuf sb = SBUF_INIT;
	int fd, rc = 0;

	for (size_t i = 0; i < n; i++)
		sbuf_addf(&sb, "%s\n", paths[i]);
	if ((fd = journal_fd(d)) < 0 || write(fd, sb.buf, sb.len) != (ssize_t)sb.len) {
		char *jp = journal_path(d);
		rc = rt_fail(EX_TEMPFAIL, "cannot write '%s': %s", jp, strerror(errno));
		free(jp);
		worktree_journal_close(d);
	}
	sbuf_free(&sb);
	return rc;
}

static int
cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Reads the journal into a sorted list of unique paths. */
static size_t
journal_read(struct desk *d, char ***out)
{
	char *jp = journal_path(d), *buf;
	size_t len, n = 0, k;
	char **v;

	*out = NULL;
	if (read_file(jp, &buf, &len) < 0) {
		free(jp);
		return 0;
	}
	free(jp);
	k = str_split(buf, "\n", &v);
	free(buf);
	qsort(v, k, sizeof(*v), cmp_str);
	for (size_t i = 0; i < k; i++) {
		if (n > 0 && strcmp(v[n - 1], v[i]) == 0) {
			free(v[i]);
			continue;
		}
		v[n++] = v[i];
	}
	*out = v;
	return n;
}

size_t
worktree_pending(struct desk *d)
{
	char **v;
	size_t n = journal_read(d, &v);

	strv_free(v, n);
	return n;
}

/* Writes buf as the file full: aside, then renamed over it (a new inode). */
static int
put_whole(const char *full, const char *buf, size_t len)
{
	char *dir = xstrndup(full, (size_t)(strrchr(full, '/') - full));
	int rc = 0;

	/*
	 * Folders are made only when missing (mkdir_p, down from the deepest
	 * one this process knows); one found here is remembered.
	 */
	if (write_file_atomic(full, buf, len, 0) < 0) {
		if (errno != ENOENT || mkdir_p(dir, 0777) < 0 ||
		    write_file_atomic(full, buf, len, 0) < 0)
			rc = rt_fail(EX_IOERR, "cannot write '%s': %s", full, strerror(errno));
	} else if (!dir_known(dir))
		dir_note(dir);
	free(dir);
	return rc;
}

/*
 * The file at full as it is, when buf only adds to its end (a ticket's
 * log.yaml on a follow-up): the new bytes are appended in place, so the
 * file keeps its inode, and no new one is made and the old one freed with
 * its blocks as a rename over it would. Only a plain file with one link
 * that we may write (O_NOFOLLOW: never through a symlink). A reader may
 * see the file grow, never lose its head; a kill mid-append leaves a path
 * that .git/rt/pending already names (rt-gc repairs it, as it repairs the
 * file a kill left behind before). 1: it equals buf now; 0: not done
 * (absent, not a prefix, not ours), *absent set when it does not exist.
 */
static int
grow_in_place(const char *full, const char *buf, size_t len, int *absent)
{
	struct stat st;
	char *old;
	ssize_t n;
	size_t have;
	int fd, done = 0;

	*absent = 0;
	if ((fd = open(full, O_RDWR | O_NOFOLLOW | O_CLOEXEC)) < 0) {
		*absent = errno == ENOENT;
		return 0;
	}
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) || st.st_nlink != 1 ||
	    (size_t)st.st_size > len) {
		close(fd);
		return 0;
	}
	have = (size_t)st.st_size;
	old = xmalloc(have + 1);
	n = have ? pread(fd, old, have, 0) : 0;
	if (n == (ssize_t)have && memcmp(old, buf, have) == 0) {
		if (have == len)
			done = 1;
		else if (pwrite(fd, buf + have, len - have, (off_t)have) == (ssize_t)(len - have))
			done = 1;
		else	/* a part written: cut back; the caller replaces it whole */
			(void)!ftruncate(fd, (off_t)have);
	}
	free(old);
	if (close(fd) != 0)
		done = 0;
	return done;
}

int
worktree_file(const char *full, const char *buf, size_t len, int fresh)
{
	char *old = NULL;
	size_t oldlen;
	int rc = 0, absent = fresh;

	if (!fresh && grow_in_place(full, buf, len, &absent))
		return 0;
	/* equal already (a file with a second link, say): left as it is */
	if (absent || read_file(full, &old, &oldlen) != 0 || oldlen != len ||
	    memcmp(old, buf, len) != 0)
		rc = put_whole(full, buf, len);
	free(old);
	return rc;
}

/* Makes the work-tree file at path equal to the blob (or absent). */
int
worktree_mirror(struct desk *d, git_tree *tree, const char *path)
{
	char *full = xasprintf("%s/%s", d->root, path), *buf = NULL;
	size_t len;
	int rc = 0;

	if (tree_read(d->repo, tree, path, &buf, &len) != 0) {
		if (unlink(full) < 0 && errno != ENOENT)
			rc = rt_fail(EX_IOERR, "cannot remove '%s': %s", full, strerror(errno));
	} else
		rc = worktree_file(full, buf, len, 0);
	free(buf);
	free(full);
	return rc;
}

int
worktree_head_tree(struct desk *d, git_tree **tree)
{
	git_commit *head;
	int rc;

	*tree = NULL;
	if ((rc = desk_head(d, &head)) != 0 || head == NULL)
		return rc;
	rc = git_commit_tree(tree, head);
	git_commit_free(head);
	return rc < 0 ? git_fail(rc, "cannot read HEAD tree") : 0;
}

/*
 * Index entry with the file's stat data, so git sees it clean without
 * rehashing; with skip, marked skip-worktree (an archived ticket's file).
 */
int
worktree_index_path(struct desk *d, git_index *idx, git_tree *tree, const char *path,
    int skip)
{
	git_tree_entry *te = NULL;
	git_index_entry e;
	struct stat st;
	char *full;
	int rc;

	if (git_tree_entry_bypath(&te, tree, path) < 0) {
		git_index_remove(idx, path, 0);
		return 0;
	}
	full = xasprintf("%s/%s", d->root, path);
	memset(&e, 0, sizeof(e));
	if (lstat(full, &st) == 0) {
		e.ctime.seconds = (int32_t)st.st_ctim.tv_sec;
		e.ctime.nanoseconds = (uint32_t)st.st_ctim.tv_nsec;
		e.mtime.seconds = (int32_t)st.st_mtim.tv_sec;
		e.mtime.nanoseconds = (uint32_t)st.st_mtim.tv_nsec;
		e.dev = (uint32_t)st.st_dev;
		e.ino = (uint32_t)st.st_ino;
		e.uid = st.st_uid;
		e.gid = st.st_gid;
		e.file_size = (uint32_t)st.st_size;
	}
	e.mode = git_tree_entry_filemode(te);
	e.flags_extended = skip ? GIT_INDEX_ENTRY_SKIP_WORKTREE : 0;
	git_oid_cpy(&e.id, git_tree_entry_id(te));
	e.path = path;
	rc = git_index_add(idx, &e);
	git_tree_entry_free(te);
	free(full);
	return rc < 0 ? git_fail(rc, path) : 0;
}

int
worktree_sync(struct desk *d, int full)
{
	char **paths, *jp;
	size_t n = journal_read(d, &paths), back = 0;
	struct archive ar = ARCHIVE_INIT;
	git_tree *tree = NULL;
	git_index *idx = NULL;
	char *idxpath = xasprintf("%sindex", d->gitdir);
	int rc;

	if ((rc = worktree_head_tree(d, &tree)) != 0 || tree == NULL)
		goto out;
	if ((rc = archive_load(d, &ar)) != 0)
		goto out;
	for (size_t i = 0; i < n; i++)
		if ((rc = worktree_mirror(d, tree, paths[i])) != 0)
			goto out;
	if ((rc = git_repository_index(&idx, d->repo)) < 0) {
		rc = git_fail(rc, "cannot read index");
		goto out;
	}
	if (full || access(idxpath, F_OK) < 0) {
		if ((rc = git_index_read_tree(idx, tree)) < 0) {
			rc = git_fail(rc, "cannot rebuild index");
			goto out;
		}
	}
	/* libgit2 1.5 knows no sparse checkout: the bits are ours to set, also
	 * after git read-tree or a git reset that rewrote the entries */
	if ((rc = archive_mark_all(idx, &ar)) != 0)
		goto out;
	/* after the mirror: a pending path of an archived ticket brings it back */
	if ((rc = archive_converge(d, idx, tree, &ar, &back)) != 0)
		goto out;
	for (size_t i = 0; i < n; i++)
		if ((rc = worktree_index_path(d, idx, tree, paths[i],
		    archive_find(&ar, paths[i]) != NULL)) != 0)
			goto out;
	if ((rc = git_index_write(idx)) < 0) {
		rc = git_fail(rc, "cannot write index");
		goto out;
	}
	/* after the index: a crash before this finds the folders there again */
	if (back && (rc = archive_save(d, &ar)) != 0)
		goto out;
	jp = journal_path(d);
	if (truncate(jp, 0) < 0 && errno != ENOENT)
		rc = rt_fail(EX_IOERR, "cannot empty '%s': %s", jp, strerror(errno));
	free(jp);
	hook_refresh(d);	/* rt-gc, rt-sync, an upgrade: where rt rewrites the desk's own files */
out:
	archive_free(&ar);
	git_index_free(idx);
	git_tree_free(tree);
	strv_free(paths, n);
	free(idxpath);
	return rc;
}

typedef int (*path_writer)(struct desk *, git_tree *, const char *);

/* Runs write on each of paths against commit's tree; stops at the first failure. */
static int
each_path(struct desk *d, const git_oid *commit, const char **paths, size_t n, path_writer write)
{
	git_commit *c = NULL;
	git_tree *tree = NULL;
	int rc = 0;

	if (git_commit_lookup(&c, d->repo, commit) < 0 || git_commit_tree(&tree, c) < 0) {
		rc = git_fail(-1, "cannot read new commit");
		goto out;
	}
	for (size_t i = 0; i < n && rc == 0; i++)
		rc = write(d, tree, paths[i]);
out:
	git_tree_free(tree);
	git_commit_free(c);
	return rc;
}

int
worktree_write(struct desk *d, const git_oid *commit, const char **paths, size_t n)
{
	return each_path(d, commit, paths, n, worktree_mirror);
}

/* path's file queued for the writer thread; a removal waits for the writes queued before it. */
static int
mirror_queued(struct desk *d, git_tree *tree, const char *path)
{
	char *buf;
	size_t len;

	if (tree_read(d->repo, tree, path, &buf, &len) != 0) {
		worktree_wait(worktree_queued());
		return worktree_mirror(d, tree, path);
	}
	char *full = xasprintf("%s/%s", d->root, path);
	worktree_queue(full, buf, len, 0);
	free(full);
	return 0;
}

int
worktree_write_queued(struct desk *d, const git_oid *commit, const char **paths, size_t n)
{
	return each_path(d, commit, paths, n, mirror_queued);
}
