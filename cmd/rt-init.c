/* rt-init: create a desk, a git repository with a commented configuration */
#include <err.h>
#include <errno.h>
#include <ftw.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"
#include "desk.h"
#include "format.h"
#include "id.h"
#include "txn.h"
#include "util.h"
#include "worktree.h"
#include "yamlio.h"

static const char usage[] =
"usage: rt-init [--name NAME] [--address ADDR] [--tag TAG] [--shared] [DIR]\n"
"Create a desk in DIR (default: the current directory).\n"
"      --name NAME     desk name shown in mail (default: Support)\n"
"  -a, --address ADDR  desk and default queue address (default: support@HOSTNAME)\n"
"      --tag TAG       subject tag, as in [TAG #ID] (default: the name)\n"
"      --shared        group-writable desk for several users (MTA and agents)\n";

static const char *name = "Support", *address, *tag;
static int shared;

/*
 * What this run writes beside .git, and how each was before it, so that
 * a failure can put the folder back as it found it: a file it made is
 * removed, one it replaced gets its bytes and mode back.
 */
static const char *const written[] = {
	DESK_CONFIG, ".gitattributes", ".gitignore", ".rt", FORMAT_FILE
};

static struct {
	const char *dir;
	int made_dir;
	struct before {
		int existed;
		char *bytes;	/* a plain file's or a symlink's target, else NULL */
		size_t len;
		mode_t mode;	/* with its type */
	} was[LEN(written)];
} undo;

static int
refuse_existing(const char *dir)
{
	char *cfg = xasprintf("%s/" DESK_CONFIG, dir), *git = xasprintf("%s/.git", dir);
	int exists = access(cfg, F_OK) == 0 || access(git, F_OK) == 0;

	struct stat st;

	free(cfg);
	free(git);
	if (stat(dir, &st) == 0) {
		if (!S_ISDIR(st.st_mode))
			return rt_fail(EX_CANTCREAT, "'%s' is not a directory", dir);
	} else if (errno == ENOTDIR) {	/* a file where a parent should be: name it */
		for (const char *sl = strchr(dir + 1, '/'); sl; sl = strchr(sl + 1, '/')) {
			char *up = xstrndup(dir, (size_t)(sl - dir));
			int file = stat(up, &st) == 0 && !S_ISDIR(st.st_mode);
			if (file)
				rt_fail(EX_CANTCREAT, "'%s' is not a directory", up);
			free(up);
			if (file)
				return EX_CANTCREAT;
		}
	}
	if (exists)
		return rt_fail(EX_CANTCREAT, "'%s' already holds a desk or git repository", dir);
	return 0;
}

/* A mail address goes into rt.yaml and mail headers: one plain word. */
static int
check_address(const char *a)
{
	const char *at = strchr(a, '@');

	if (at == NULL || at == a || at[1] == '\0')
		return rt_fail(EX_USAGE, "--address '%s': not a mail address", a);
	for (const unsigned char *p = (const unsigned char *)a; *p; p++)
		if (*p <= ' ' || *p == 0x7f || strchr("<>,;\"()", *p))
			return rt_fail(EX_USAGE, "--address '%s': not a mail address", a);
	return 0;
}

static int
read_share(const char *file, char **buf, size_t *len)
{
	char *path = xasprintf("%s/desk/%s", rt_sharedir(), file);
	int rc = 0;

	if (read_file(path, buf, len) < 0)
		rc = rt_fail(EX_OSFILE, "cannot read '%s': %s", path, strerror(errno));
	free(path);
	return rc;
}

/*
 * The desk: section and the default queue, whose address is the desk's
 * address, by libyaml; then the commented rest from share/.
 */
static int
render_config(const char *tail, size_t tlen, char **out, size_t *outlen)
{
	struct yemit *e = yemit_new(), *q = yemit_new();
	char *head, *queues;
	size_t hlen, qlen;
	struct sbuf sb = SBUF_INIT;
	int rc = 0;

	rc |= yemit_map_start(e, 0);
	rc |= yemit_key(e, "desk");
	rc |= yemit_map_start(e, 0);
	rc |= yemit_kv(e, "name", name);
	rc |= yemit_kv(e, "address", address);
	rc |= yemit_kv(e, "tag", tag ? tag : name);
	rc |= yemit_kv(e, "default-queue", "general");
	rc |= yemit_kv(e, "language", "en");
	rc |= yemit_kv(e, "timezone", "UTC");
	rc |= yemit_kv(e, "mailer", "sendmail:///usr/sbin/sendmail");
	rc |= yemit_map_end(e);
	rc |= yemit_map_end(e);
	rc |= yemit_map_start(q, 0);
	rc |= yemit_key(q, "queues");
	rc |= yemit_map_start(q, 0);
	rc |= yemit_key(q, "general");
	rc |= yemit_map_start(q, 0);
	rc |= yemit_kv(q, "address", address);
	rc |= yemit_kv(q, "description", "Everything that is not sorted elsewhere");
	rc |= yemit_map_end(q);
	rc |= yemit_map_end(q);
	rc |= yemit_map_end(q);
	head = rc ? NULL : yemit_finish(e, &hlen);
	queues = rc ? NULL : yemit_finish(q, &qlen);
	yemit_free(e);
	yemit_free(q);
	if (head == NULL || queues == NULL) {
		free(head);
		free(queues);
		return rt_fail(EX_DATAERR, "cannot write the configuration");
	}
	sbuf_adds(&sb, "# rt desk configuration: see rt-desk(5).\n");
	sbuf_add(&sb, head, hlen);
	sbuf_adds(&sb, "\n# Queues: where tickets wait. The default queue is desk.default-queue;\n"
	    "# replies from a queue come from its address.\n");
	sbuf_add(&sb, queues, qlen);
	sbuf_add(&sb, tail, tlen);
	free(head);
	free(queues);
	*outlen = sb.len;
	*out = sbuf_detach(&sb);
	return 0;
}

static const char *gitdir;	/* for restrict_mode, which nftw calls */

/*
 * No file of the repository is for others; .git/config and the hooks,
 * which can run commands for whoever uses git here (core.fsmonitor,
 * core.sshCommand, ...), are writable by the owner only.
 */
static int
restrict_mode(const char *path, const struct stat *st, int type, struct FTW *ftw)
{
	size_t n = strlen(gitdir);
	mode_t mode = st->st_mode & 07770;

	(void)type;
	(void)ftw;
	if (strncmp(path, gitdir, n) == 0 && (strcmp(path + n, "config") == 0 ||
	    strncmp(path + n, "hooks", 5) == 0))
		mode &= ~(mode_t)S_IWGRP;
	return mode != (st->st_mode & 07777) && chmod(path, mode) < 0 ? -1 : 0;
}

/*
 * libgit2 made its folders 02775, and git keeps "group" files world-
 * readable for an agent with umask 022: core.sharedRepository 0660 is
 * exact (rt-desk(5), TRUST).
 */
static int
restrict_repo(git_repository *repo)
{
	git_config *cfg;

	if (git_repository_config(&cfg, repo) < 0)
		return git_fail(-1, "cannot read .git/config");
	if (git_config_set_string(cfg, "core.sharedRepository", "0660") < 0) {
		git_config_free(cfg);
		return git_fail(-1, "cannot set core.sharedRepository");
	}
	git_config_free(cfg);
	gitdir = git_repository_path(repo);
	if (nftw(gitdir, restrict_mode, 16, FTW_PHYS) != 0)
		return rt_fail(EX_CANTCREAT, "cannot restrict '%s': %s", gitdir, strerror(errno));
	return 0;
}

static int
init_repo(const char *dir)
{
	git_repository *repo;
	git_repository_init_options opts;
	int rc;

	git_repository_init_options_init(&opts, GIT_REPOSITORY_INIT_OPTIONS_VERSION);

	opts.flags = GIT_REPOSITORY_INIT_MKPATH | GIT_REPOSITORY_INIT_NO_REINIT;
	opts.initial_head = "main";
	if (shared)
		opts.mode = GIT_REPOSITORY_INIT_SHARED_GROUP;
	if ((rc = git_repository_init_ext(&repo, dir, &opts)) < 0)
		return git_fail(rc, dir);
	rc = shared ? restrict_repo(repo) : 0;
	git_repository_free(repo);
	/*
	 * A folder made beforehand (for the mail user to own) keeps its mode
	 * through git init: make it the desk's, group-writable, setgid, never
	 * for others, as the folders below.
	 */
	struct stat st;
	if (rc == 0 && shared && stat(dir, &st) == 0 &&
	    (st.st_mode & 07777) != ((st.st_mode & 0700) | 02070) &&
	    chmod(dir, (st.st_mode & 0700) | 02070) < 0)
		rc = rt_fail(EX_CANTCREAT, "cannot make '%s' group-writable: %s", dir, strerror(errno));
	return rc;
}

static int
first_commit(const char *dir, const char *cfg, size_t cfglen,
    const char *attrs, size_t alen)
{
	struct desk *d;
	struct txn *t;
	char fmt[16];
	int rc;

	snprintf(fmt, sizeof(fmt), "%d\n", DESK_FORMAT);
	if ((rc = desk_open(&d, dir, DESK_WRITE | DESK_NOCACHE | DESK_DURABLE)) != 0)
		return rc;
	t = txn_begin(d);
	txn_put(t, DESK_CONFIG, cfg, cfglen);
	txn_put(t, ".gitattributes", attrs, alen);
	txn_put(t, FORMAT_FILE, fmt, strlen(fmt));
	txn_put(t, ".gitignore", FORMAT_GITIGNORE, strlen(FORMAT_GITIGNORE));
	rc = txn_commit(t, "init: new desk", NULL, NULL);
	if (rc == 0)
		rc = worktree_sync(d, 1);
	txn_free(t);
	desk_close(d);
	return rc;
}

static int
unlink_one(const char *path, const struct stat *st, int type, struct FTW *ftw)
{
	(void)st;
	(void)ftw;
	return type == FTW_DP ? rmdir(path) : unlink(path);
}

static void
remove_tree(const char *path)
{
	nftw(path, unlink_one, 16, FTW_DEPTH | FTW_PHYS);
}

static char *
link_target(const char *path)
{
	char buf[4096];
	ssize_t n = readlink(path, buf, sizeof(buf) - 1);

	return n < 0 ? NULL : xstrndup(buf, (size_t)n);
}

static void
note_before(const char *dir)
{
	struct stat st;

	undo.dir = dir;
	undo.made_dir = stat(dir, &st) != 0;
	for (size_t i = 0; i < LEN(written); i++) {
		struct before *b = &undo.was[i];
		char *p = xasprintf("%s/%s", dir, written[i]);

		if ((b->existed = lstat(p, &st) == 0) == 0) {
			free(p);
			continue;
		}
		b->mode = st.st_mode;
		if (S_ISREG(st.st_mode) && read_file(p, &b->bytes, &b->len) < 0)
			b->bytes = NULL;
		if (S_ISLNK(st.st_mode) && (b->bytes = link_target(p)) == NULL)
			b->mode = 0;
		free(p);
	}
}

/* Takes back what a failed run changed, so that it can simply be re-run. */
static void
rollback(void)
{
	char *p;

	if (undo.dir == NULL)
		return;
	if (undo.made_dir) {
		remove_tree(undo.dir);
		return;
	}
	remove_tree(p = xasprintf("%s/.git", undo.dir));
	free(p);
	for (size_t i = LEN(written); i-- > 0;) {
		struct before *b = &undo.was[i];

		p = xasprintf("%s/%s", undo.dir, written[i]);
		if (!b->existed)
			remove_tree(p);
		else if (b->bytes && S_ISLNK(b->mode)) {
			unlink(p);
			if (symlink(b->bytes, p) < 0)
				warn("cannot put back the symbolic link '%s'", p);
		} else if (b->bytes && (write_file_atomic(p, b->bytes, b->len, 0) < 0 ||
		    chmod(p, b->mode & 07777) < 0))
			warn("cannot put back '%s'", p);
		free(p);
	}
}

static void
forget_before(void)
{
	for (size_t i = 0; i < LEN(written); i++)
		free(undo.was[i].bytes);
}

static void __attribute__((noreturn))
fail(int rc)
{
	rollback();
	cli_die(rc);
}

int
main(int argc, char *argv[])
{
	static const struct option opts[] = {
		{ "name", required_argument, NULL, 'N' },
		{ "address", required_argument, NULL, 'a' },
		{ "tag", required_argument, NULL, 'T' },
		{ "shared", no_argument, NULL, 'S' },
		CLI_COMMON_OPTS,
		{ NULL, 0, NULL, 0 }
	};
	const char *dir = ".";
	char host[256] = "localhost", *cfg = NULL, *cfgpath, *def_addr = NULL;
	char *tail = NULL, *attrs = NULL;
	size_t cfglen = 0, tlen = 0, alen = 0;
	int ch, rc;

	while ((ch = getopt_long(argc, argv, "n:a:t:sh", opts, NULL)) != -1) {
		switch (ch) {
		case 'n': cli_deprecated("-n NAME", "--name NAME; -n means --dry-run");
			/* FALLTHROUGH */
		case 'N': name = optarg; break;
		case 'a': address = optarg; break;
		case 't': cli_deprecated("-t TAG", "--tag TAG; -t means --template");
			/* FALLTHROUGH */
		case 'T': tag = optarg; break;
		case 's': cli_deprecated("-s", "--shared");
			/* FALLTHROUGH */
		case 'S': shared = 1; break;
		default: cli_common(ch, usage);
		}
	}
	argc -= optind;
	argv += optind;
	if (argc > 1)
		cli_usage(usage, 0);
	if (argc == 1)
		dir = argv[0];
	if (address == NULL) {
		gethostname(host, sizeof(host) - 1);
		address = def_addr = xasprintf("support@%s", host);
	} else if ((rc = check_address(address)) != 0)
		cli_die(rc);
	if (shared)
		umask(007);	/* group-writable, never world-readable (rt-desk(5)) */
	git_libgit2_init();
	/* Everything that can fail without touching the disk comes first. */
	if ((rc = refuse_existing(dir)) != 0 ||
	    (rc = read_share("rt.yaml", &tail, &tlen)) != 0 ||
	    (rc = read_share("gitattributes", &attrs, &alen)) != 0 ||
	    (rc = render_config(tail, tlen, &cfg, &cfglen)) != 0)
		cli_die(rc);
	note_before(dir);
	if ((rc = init_repo(dir)) != 0)
		fail(rc);
	cfgpath = xasprintf("%s/" DESK_CONFIG, dir);
	if (write_file_atomic(cfgpath, cfg, cfglen, 1) < 0)
		fail(rt_fail(EX_CANTCREAT, "%s: %s", cfgpath, strerror(errno)));
	if ((rc = first_commit(dir, cfg, cfglen, attrs, alen)) != 0)
		fail(rc);
	forget_before();
	printf("initialised desk in %s\n", dir);
	free(cfgpath);
	free(cfg);
	free(tail);
	free(attrs);
	free(def_addr);
	git_libgit2_shutdown();
	return cli_close_stdout(0);
}
