/* refmove.c: a branch moved under git's lock, durably before its rename */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>
#include <unistd.h>

#include "desk.h"
#include "refmove.h"
#include "util.h"

/* 1 when the ref is what the caller expects (old NULL: no such ref). */
static int
ref_is(git_repository *repo, const char *name, const git_oid *old)
{
	git_oid cur;
	int rc = git_reference_name_to_id(&cur, repo, name);

	if (old == NULL)
		return rc == GIT_ENOTFOUND;
	return rc == 0 && git_oid_equal(&cur, old);
}

/* One reflog line, as libgit2 and git write it ("old new who when\tmsg"). */
static void
reflog_append(struct desk *d, const char *name, const git_oid *old, const git_oid *new,
    const git_signature *who, const char *msg)
{
	char o[GIT_OID_HEXSZ + 1], n[GIT_OID_HEXSZ + 1], *path, *line, *p;
	int off = who->when.offset, fd;

	git_oid_tostr(o, sizeof(o), old);
	git_oid_tostr(n, sizeof(n), new);
	line = xasprintf("%s %s %s <%s> %lld %c%02d%02d\t%s", o, n, who->name, who->email,
	    (long long)who->when.time, off < 0 ? '-' : '+', abs(off) / 60, abs(off) % 60,
	    msg ? msg : "");
	for (p = line; *p; p++)
		if (*p == '\n')
			*p = ' ';
	str_trim(line);
	path = xasprintf("%slogs/%s", d->gitdir, name);
	/* A lost line is no lost mail: the reflog is history, not state. */
	fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0666);
	/* its folders made only when missing (the first line of a ref) */
	if (fd < 0 && errno == ENOENT && (p = strrchr(path, '/')) != NULL) {
		*p = '\0';
		mkdir_p(path, 0777);
		*p = '/';
		fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0666);
	}
	if (fd >= 0) {
		if (write_all(fd, line, strlen(line)) == 0)
			write_all(fd, "\n", 1);
		close(fd);
	}
	free(path);
	free(line);
}

void
ref_log(struct desk *d, const char *name, const git_oid *old, const git_oid *new,
    const char *msg)
{
	git_signature *who = NULL;
	git_config *cfg = NULL;
	git_oid zero;
	int log = 1;

	if (git_repository_config(&cfg, d->repo) == 0)
		git_config_get_bool(&log, cfg, "core.logallrefupdates");	/* unset: log */
	git_config_free(cfg);
	if (!log)
		return;
	if (desk_git_signature(d, &who) < 0 &&
	    git_signature_now(&who, "unknown", "unknown") < 0)
		return;
	memset(&zero, 0, sizeof(zero));
	if (old == NULL)
		old = &zero;
	reflog_append(d, name, old, new, who, msg);
	if (strcmp(name, "HEAD") != 0)
		reflog_append(d, "HEAD", old, new, who, msg);
	git_signature_free(who);
}

int
ref_lock(struct desk *d, const char *name, const git_oid *old, const git_oid *new,
    struct ref_lock *lk)
{
	char line[GIT_OID_HEXSZ + 1];
	int rc = 0;

	lk->path = xasprintf("%s%s", d->gitdir, name);
	lk->lock = xasprintf("%s.lock", lk->path);
	/* The lock git and libgit2 take: O_EXCL, so one writer at a time. */
	if ((lk->fd = open(lk->lock, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666)) < 0) {
		rc = errno == EEXIST ? -EAGAIN :
		    rt_fail(EX_TEMPFAIL, "cannot lock '%s': %s", lk->lock, strerror(errno));
		free(lk->lock);
		lk->lock = NULL;
		ref_unlock(lk);
		return rc;
	}
	git_oid_fmt(line, new);
	line[GIT_OID_HEXSZ] = '\n';
	if (!ref_is(d->repo, name, old))
		rc = -EAGAIN;
	else if (write_all(lk->fd, line, sizeof(line)) < 0)
		rc = rt_fail(EX_TEMPFAIL, "cannot write '%s': %s", lk->lock, strerror(errno));
	if (rc != 0)
		ref_unlock(lk);
	return rc;
}

int
ref_lock_commit(struct desk *d, struct ref_lock *lk, int synced)
{
	int rc = 0;

	if (d->durable && !synced && fsync(lk->fd) < 0)
		rc = -1;
	if (close(lk->fd) < 0 && rc == 0)
		rc = -1;
	lk->fd = -1;
	if (rc == 0 && rename(lk->lock, lk->path) == 0) {
		free(lk->lock);
		lk->lock = NULL;	/* renamed: it may be another writer's now */
		if (d->durable && fsync_dir_of(lk->path) < 0)
			rc = -1;
	} else
		rc = -1;
	if (rc == -1)
		rc = rt_fail(EX_TEMPFAIL, "cannot move '%s': %s", lk->path, strerror(errno));
	ref_unlock(lk);
	return rc;
}

void
ref_unlock(struct ref_lock *lk)
{
	if (lk->fd >= 0)
		close(lk->fd);
	lk->fd = -1;
	if (lk->lock)
		unlink(lk->lock);
	free(lk->lock);
	free(lk->path);
	lk->lock = lk->path = NULL;
}

int
ref_move(struct desk *d, const char *name, const git_oid *old, const git_oid *new,
    const char *logmsg)
{
	struct ref_lock lk;
	int rc;

	if ((rc = ref_lock(d, name, old, new, &lk)) == 0 &&
	    (rc = ref_lock_commit(d, &lk, 0)) == 0 && logmsg)
		ref_log(d, name, old, new, logmsg);
	return rc;
}
