/* desk.c: finding and opening a desk, its configuration, actor and lock */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pwd.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include <git2/sys/repository.h>

#include "desk.h"
#include "format.h"
#include "guard.h"
#include "pack.h"
#include "text.h"
#include "trust.h"
#include "txn.h"
#include "util.h"
#include "worktree.h"

#ifndef RT_SHAREDIR
#define RT_SHAREDIR "/usr/local/share/rt"
#endif

/*
 * $RT_SHAREDIR; else share/rt beside the bin/ folder that holds this
 * binary, so that an install under any PREFIX (or DESTDIR) finds its
 * files; else the folder configured at build time.
 */
const char *
rt_sharedir(void)
{
	static char *found;
	const char *s = getenv("RT_SHAREDIR");
	char exe[PATH_MAX], *slash = NULL, *desk;
	ssize_t n;

	if (s && *s)
		return s;
	if (found)
		return found;
	if ((n = readlink("/proc/self/exe", exe, sizeof(exe) - 1)) > 0) {
		exe[n] = '\0';
		for (int up = 0; up < 2; up++)	/* PREFIX/bin/rt-x -> PREFIX */
			if ((slash = strrchr(exe, '/')) != NULL)
				*slash = '\0';
	}
	if (slash) {
		desk = xasprintf("%s/share/rt/desk", exe);
		if (access(desk, F_OK) == 0)
			found = xasprintf("%s/share/rt", exe);
		free(desk);
	}
	if (found == NULL)
		found = xstrdup(RT_SHAREDIR);
	return found;
}

int
git_fail(int gitrc, const char *what)
{
	const git_error *e = git_error_last();
	const char *msg = e && e->message ? e->message : "unknown libgit2 error";

	switch (gitrc) {
	case GIT_ELOCKED:
	case GIT_EMODIFIED:
		return rt_fail(EX_TEMPFAIL, "%s: %s", what, msg);
	case GIT_EOWNER:
		/* libgit2's own text here is a stale "safe.directory not found". */
		return rt_fail(EX_NOPERM, "desk '%s' belongs to another user; declare it safe: "
		    "git config --global --add safe.directory %s (run as this user; "
		    "--system instead of --global for a user without a home, such as nobody)",
		    what, what);
	case GIT_ENOTFOUND:
		return rt_fail(EX_NOINPUT, "%s: %s", what, msg);
	default:
		if (e && e->klass == GIT_ERROR_OS)
			return rt_fail(EX_TEMPFAIL, "%s: %s", what, msg);
		return rt_fail(EX_SOFTWARE, "%s: %s", what, msg);
	}
}

/*
 * git's ownership check failed: some libgit2 versions report it as a
 * missing "safe.directory" config value instead of GIT_EOWNER.
 */
static int
foreign_owner(const char *dir)
{
	struct stat st;

	return stat(dir, &st) == 0 && st.st_uid != geteuid();
}

/* 1 when dir holds rt.yaml and .git; 0 with errno set when it does not. */
static int
is_desk(const char *dir)
{
	char *cfg = xasprintf("%s/" DESK_CONFIG, dir), *git = xasprintf("%s/.git", dir);
	int ok = access(cfg, F_OK) == 0 && access(git, F_OK) == 0, e = errno;

	free(cfg);
	free(git);
	errno = e;
	return ok;
}

/* Finds the desk root: explicit path, $RT_DESK, or upwards from cwd. */
static int
find_root(const char *path, char **root)
{
	char buf[PATH_MAX];

	if (path == NULL)
		path = getenv("RT_DESK");
	if (path && *path) {
		if (realpath(path, buf) == NULL)
			return rt_fail(EX_NOINPUT, "cannot open desk '%s': %s (fix --desk or RT_DESK)",
			    path, strerror(errno));
		if (!is_desk(buf))
			return errno == EACCES ? rt_fail(EX_NOPERM, "cannot open desk '%s': %s "
			    "(give this user access, see rt-desk(5))", path, strerror(errno)) :
			    rt_fail(EX_NOINPUT, "'%s' is not a desk (no %s and .git; fix --desk or "
			    "RT_DESK)", path, DESK_CONFIG);
		*root = xstrdup(buf);
		return 0;
	}
	if (getcwd(buf, sizeof(buf)) == NULL)
		return rt_fail(EX_OSERR, "cannot get current directory: %s", strerror(errno));
	for (;;) {
		char *slash;
		if (is_desk(buf)) {
			*root = xstrdup(buf);
			return 0;
		}
		if ((slash = strrchr(buf, '/')) == NULL || slash == buf)
			break;
		*slash = '\0';
	}
	return rt_fail(EX_NOINPUT, "not in a desk (use --desk DIR or set RT_DESK)");
}

static void
set_actor_from(struct desk *d, const char *s)
{
	const char *lt = strchr(s, '<'), *gt = lt ? strchr(lt, '>') : NULL;

	if (lt && gt) {
		char *name = xstrndup(s, (size_t)(lt - s));
		d->actor_name = xstrdup(str_trim(name));
		d->actor_email = xstrndup(lt + 1, (size_t)(gt - lt - 1));
		free(name);
		if (d->actor_name[0] == '\0') {
			free(d->actor_name);
			d->actor_name = xstrndup(d->actor_email, strcspn(d->actor_email, "@"));
		}
		return;
	}
	d->actor_name = xstrdup(s);
	d->actor_email = strchr(s, '@') ? xstrdup(s) : NULL;
}

/* $RT_ACTOR, else the git identity, else the login name at the host. */
static void
find_actor(struct desk *d)
{
	const char *env = getenv("RT_ACTOR");
	git_signature *sig = NULL;
	struct passwd *pw;
	char host[256] = "localhost";

	if (env && *env) {
		char *clean = utf8_clean(env, strlen(env), 1);
		set_actor_from(d, clean);
		free(clean);
	} else if (git_signature_default(&sig, d->repo) == 0) {
		d->actor_name = utf8_clean(sig->name, strlen(sig->name), 1);
		d->actor_email = utf8_clean(sig->email, strlen(sig->email), 1);
		git_signature_free(sig);
	} else {
		pw = getpwuid(getuid());
		d->actor_name = xstrdup(pw ? pw->pw_name : "rt");
	}
	if (d->actor_email == NULL) {
		gethostname(host, sizeof(host) - 1);
		d->actor_email = xasprintf("%s@%s", d->actor_name, host);
	}
	if (d->actor_name[0] == '\0') {
		free(d->actor_name);
		d->actor_name = xstrdup("rt");
	}
}

static int
load_config_file(struct desk *d)
{
	d->config = yaml_load_file(d->config_name);
	if (d->config == NULL)
		return EX_CONFIG;
	if (d->config->kind != Y_MAP)
		return rt_fail(EX_CONFIG, "%s: the configuration must be a mapping",
		    ynode_where(d->config, d->config_name));
	return 0;
}

/*
 * With DESK_CONFIG_FALLBACK a broken rt.yaml gives the built-in defaults
 * (an empty map) and d->config_error says why, without the desk's path.
 */
static int
load_config(struct desk *d, int flags)
{
	size_t rootlen = strlen(d->root);
	const char *msg;

	d->config_name = xasprintf("%s/" DESK_CONFIG, d->root);
	if (load_config_file(d) == 0 || !(flags & DESK_CONFIG_FALLBACK))
		return d->config && d->config->kind == Y_MAP ? 0 : EX_CONFIG;
	msg = rt_errmsg();
	if (strncmp(msg, d->root, rootlen) == 0 && msg[rootlen] == '/')
		msg += rootlen + 1;
	d->config_error = xstrdup(msg);
	ynode_free(d->config);
	d->config = yaml_load("{}", 2, "built-in defaults");
	return 0;
}

/*
 * A desk shared by a group keeps every file it writes group-writable and
 * never world-readable (customer mail), whatever umask the MTA runs with;
 * "all" asks for world-readable on purpose.
 */
static void
apply_shared_umask(struct desk *d)
{
	git_config *cfg;
	const char *val;
	git_buf buf = { 0 };

	if (git_repository_config_snapshot(&cfg, d->repo) < 0)
		return;
	if (git_config_get_string_buf(&buf, cfg, "core.sharedrepository") == 0) {
		val = buf.ptr;
		if (strcmp(val, "group") == 0 || strcmp(val, "true") == 0 || strcmp(val, "1") == 0)
			umask(007);
		else if (strcmp(val, "all") == 0 || strcmp(val, "world") == 0)
			umask(002);
		else if (val[0] == '0' && strspn(val, "01234567") == strlen(val))
			umask(strtol(val, NULL, 8) & 0007 ? 002 : 007);	/* git's 0660 form */
	}
	git_buf_dispose(&buf);
	git_config_free(cfg);
}

/*
 * git's config read once for the run, as git does: libgit2 checks every
 * config file for a change (a stat each) at each snapshot and each first
 * lookup of a setting, 13 times a mail. rt never writes the config of a
 * desk it opened; rt-init writes it before.
 */
static void
read_git_config_once(struct desk *d)
{
	git_config *cfg;

	if (git_repository_config_snapshot(&cfg, d->repo) < 0)
		return;
	git_repository_set_config(d->repo, cfg);
	git_config_free(cfg);
}

int
desk_open_repo(struct desk **out, const char *path, int flags)
{
	struct desk *d = xcalloc(1, sizeof(*d));
	int rc;

	d->lockfd = -1;
	*out = NULL;
	git_libgit2_init();
	/*
	 * Reads dominate sweeps: keep the big tickets/ trees cached and skip
	 * rehashing objects we wrote ourselves (git fsck still checks them).
	 */
	git_libgit2_opts(GIT_OPT_SET_CACHE_OBJECT_LIMIT, GIT_OBJECT_TREE, (size_t)4 << 20);
	git_libgit2_opts(GIT_OPT_ENABLE_STRICT_HASH_VERIFICATION, 0);
	/*
	 * A scan of every ticket (cache rebuild, route) reads the whole pack:
	 * in 32 MB windows, 64 MB mapped at most, not one 1 GB window, so
	 * its memory does not grow with the pack (100k tickets: 232 -> 185 MB).
	 */
	git_libgit2_opts(GIT_OPT_SET_MWINDOW_SIZE, (size_t)32 << 20);
	git_libgit2_opts(GIT_OPT_SET_MWINDOW_MAPPED_LIMIT, (size_t)64 << 20);
	if ((d->durable = (flags & DESK_DURABLE) != 0))
		git_libgit2_opts(GIT_OPT_ENABLE_FSYNC_GITDIR, 1);
	if ((rc = find_root(path, &d->root)) != 0)
		goto fail;
	if ((rc = git_repository_open_ext(&d->repo, d->root, GIT_REPOSITORY_OPEN_NO_SEARCH,
	    NULL)) < 0) {
		if (rc == GIT_ENOTFOUND && foreign_owner(d->root))
			rc = GIT_EOWNER;
		rc = git_fail(rc, d->root);
		goto fail;
	}
	d->gitdir = xstrdup(git_repository_path(d->repo));
	d->rtdir = xasprintf("%srt", d->gitdir);
	read_git_config_once(d);
	apply_shared_umask(d);
	if (mkdir_p(d->rtdir, 0777) < 0) {
		rc = rt_fail(EX_CANTCREAT, "cannot create '%s': %s", d->rtdir, strerror(errno));
		goto fail;
	}
	if ((rc = load_config(d, flags)) != 0)
		goto fail;
	format_load(d);
	find_actor(d);
	if ((flags & DESK_WRITE) && (rc = desk_lock(d)) != 0)
		goto fail;
	*out = d;
	return 0;
fail:
	desk_close_repo(d);
	return rc;
}

void
desk_close_repo(struct desk *d)
{
	if (d == NULL)
		return;
	txn_batch_close(d);
	worktree_journal_close(d);
	trust_free(d);
	desk_unlock(d);
	if (d->people_free)
		d->people_free(d->people);
	ynode_free(d->config);
	pack_unwrap(d);
	git_repository_free(d->repo);
	free(d->root);
	free(d->gitdir);
	free(d->rtdir);
	free(d->config_name);
	free(d->config_error);
	free(d->actor_name);
	free(d->actor_email);
	free(d);
	git_libgit2_shutdown();
}

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

int
desk_lock(struct desk *d)
{
	const char *env = getenv("RT_LOCK_TIMEOUT");
	double timeout = env && *env ? atof(env) : 30.0;
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
		if (e == EWOULDBLOCK)
			return rt_fail(EX_TEMPFAIL, "desk '%s' is locked by another process", d->root);
		return rt_fail(EX_TEMPFAIL, "cannot lock desk '%s': %s", d->root, strerror(e));
	}
	int rc = guard_locked(d);	/* git state, stale locks (guard.h) */

	if (rc != 0)
		return rc;
	(void)format_locked(d);	/* upgrades a format-1 desk, never fails a writer */
	return 0;
}

void
desk_unlock(struct desk *d)
{
	if (d->lockfd < 0 || txn_batch_keeps_lock(d))
		return;
	guard_unlocking(d);
	close(d->lockfd);
	d->lockfd = -1;
}

struct ynode *
desk_cfg(const struct desk *d, const char *path)
{
	char **parts;
	size_t n = str_split(path, ".", &parts);
	struct ynode *node = d->config;

	for (size_t i = 0; i < n && node; i++)
		node = ymap_get(node, parts[i]);
	strv_free(parts, n);
	return node;
}

const char *
desk_cfg_str(const struct desk *d, const char *path, const char *dflt)
{
	struct ynode *n = desk_cfg(d, path);

	if (n == NULL || n->kind != Y_SCALAR || yscalar_is_null(n))
		return dflt;
	return n->value;
}

long long
desk_cfg_int(const struct desk *d, const char *path, long long dflt)
{
	long long v;

	return ynode_int(desk_cfg(d, path), &v) == 0 ? v : dflt;
}

int
desk_cfg_strlist(const struct desk *d, const struct ynode *n, const char *what,
    char ***out, size_t *nout)
{
	*out = NULL;
	*nout = 0;
	if (n == NULL || yscalar_is_null(n))
		return 0;
	if (n->kind == Y_SCALAR) {
		*out = xcalloc(1, sizeof(char *));
		(*out)[(*nout)++] = xstrdup(n->value);
		return 0;
	}
	if (n->kind != Y_SEQ)
		return rt_fail(EX_CONFIG, "%s: %s must be a value or a list of values",
		    desk_cfg_where(d, n), what);
	*out = xcalloc(n->n + 1, sizeof(char *));
	for (size_t i = 0; i < n->n; i++) {
		if (n->items[i]->kind != Y_SCALAR) {
			strv_free(*out, *nout);
			*out = NULL, *nout = 0;
			return rt_fail(EX_CONFIG, "%s: %s must be a list of plain values",
			    desk_cfg_where(d, n->items[i]), what);
		}
		(*out)[(*nout)++] = xstrdup(n->items[i]->value);
	}
	return 0;
}

const char *
desk_cfg_where(const struct desk *d, const struct ynode *n)
{
	return ynode_where(n, d->config_name);
}

char *
desk_actor(const struct desk *d)
{
	return xasprintf("%s <%s>", d->actor_name, d->actor_email);
}

const char *
desk_actor_short(const struct desk *d)
{
	return d->actor_name;
}
