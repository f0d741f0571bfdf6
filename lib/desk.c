/* desk.c: finding and opening a desk, its configuration and actor */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pwd.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <git2/sys/repository.h>

#include "desk.h"
#include "format.h"
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

char *
rt_mandir(void)
{
	char exe[PATH_MAX], *slash, *dir;
	ssize_t n;
	struct stat st;

	if ((n = readlink("/proc/self/exe", exe, sizeof(exe) - 1)) <= 0)
		return NULL;
	exe[n] = '\0';
	for (int up = 0; up < 2; up++)	/* PREFIX/bin/rt -> PREFIX */
		if ((slash = strrchr(exe, '/')) != NULL)
			*slash = '\0';
	dir = xasprintf("%s/share/man", exe);
	if (stat(dir, &st) == 0 && S_ISDIR(st.st_mode))
		return dir;
	free(dir);
	return NULL;
}

int
git_fail(int gitrc, const char *what)
{
	const git_error *e = git_error_last();
	const char *msg = e && e->message ? e->message : "unknown libgit2 error";
	/* libgit2's message often names the path already: it is not said twice. */
	const char *pre = what && *what && strstr(msg, what) == NULL ? what : NULL;
	int code;

	switch (gitrc) {
	case GIT_ELOCKED:
	case GIT_EMODIFIED:
		code = EX_TEMPFAIL;
		break;
	case GIT_EOWNER:
		/* libgit2's own text here is a stale "safe.directory not found". */
		return rt_fail(EX_NOPERM, "desk '%s' belongs to another user; declare it safe: "
		    "git config --global --add safe.directory %s (run as this user; "
		    "--system instead of --global for a user without a home, such as nobody)",
		    what, what);
	case GIT_ENOTFOUND:
		code = EX_NOINPUT;
		break;
	default:
		code = e && e->klass == GIT_ERROR_OS ? EX_TEMPFAIL : EX_SOFTWARE;
		break;
	}
	return pre ? rt_fail(code, "%s: %s", pre, msg) : rt_fail(code, "%s", msg);
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
int
desk_git_signature(const struct desk *d, git_signature **out)
{
	git_config *cfg = NULL;
	git_buf name = { 0 }, email = { 0 };
	int rc;

	*out = NULL;
	if ((rc = git_repository_config(&cfg, d->repo)) < 0)
		return rc;
	if ((rc = git_config_get_string_buf(&name, cfg, "user.name")) == 0 &&
	    (rc = git_config_get_string_buf(&email, cfg, "user.email")) == 0)
		rc = git_signature_now(out, name.ptr, email.ptr);
	git_buf_dispose(&name);
	git_buf_dispose(&email);
	git_config_free(cfg);
	return rc;
}

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
	} else if (desk_git_signature(d, &sig) == 0) {
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

	if (git_repository_config(&cfg, d->repo) < 0)
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

/*
 * libgit2 opens a desk whose HEAD this user may not read, then reports
 * the file "is locked" on every read of it: one line naming it instead.
 * An access check, not an open: every mail opens the desk (t1641).
 */
static int
head_readable(struct desk *d)
{
	char *path = xasprintf("%sHEAD", d->gitdir);
	int rc = 0;

	if (faccessat(AT_FDCWD, path, R_OK, AT_EACCESS) < 0 && (errno == EACCES || errno == EPERM))
		rc = rt_fail(EX_NOPERM, "cannot read '%s': %s", path, strerror(errno));
	free(path);
	return rc;
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
	if ((rc = head_readable(d)) != 0)
		goto fail;
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

/*
 * A whole number; a value that is none ("10M", "lots") is the default,
 * with a warning naming the file, line and key, once a run for each.
 */
long long
desk_cfg_int(const struct desk *d, const char *path, long long dflt)
{
	static const struct ynode *warned[16];
	static size_t nwarned;
	struct ynode *n = desk_cfg(d, path);
	long long v;
	size_t i;

	if (n == NULL || yscalar_is_null(n))
		return dflt;
	if (ynode_int(n, &v) == 0)
		return v;
	for (i = 0; i < nwarned && warned[i] != n; i++)
		;
	if (i == nwarned) {
		if (nwarned < LEN(warned))
			warned[nwarned++] = n;
		rt_warn("warning: %s: %s '%s' is not a whole number; the default %lld is used",
		    desk_cfg_where(d, n), path, n->kind == Y_SCALAR ? n->value : "(a list or map)",
		    dflt);
	}
	return dflt;
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

const char *
desk_write_hint(const struct desk *d)
{
	static char buf[PATH_MAX + 128];
	static const char *const sub[] = { "objects", "objects/pack", "refs/heads", "rt", "rt/tmp" };
	char path[PATH_MAX];
	const char *bad = NULL;

	if (euidaccess(d->root, W_OK | X_OK) != 0 && errno == EACCES)
		bad = d->root;
	for (size_t i = 0; !bad && i < sizeof(sub) / sizeof(*sub); i++) {
		snprintf(path, sizeof(path), "%s%s", d->gitdir, sub[i]);
		if (euidaccess(path, W_OK | X_OK) != 0 && errno == EACCES)
			bad = path;
	}
	if (!bad)
		return "";
	const struct passwd *pw = getpwuid(geteuid());
	if (pw)
		snprintf(buf, sizeof(buf), " (user %s may not write %s)", pw->pw_name, bad);
	else
		snprintf(buf, sizeof(buf), " (uid %ld may not write %s)", (long)geteuid(), bad);
	return buf;
}
