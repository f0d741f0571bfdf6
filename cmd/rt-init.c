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
#include "txn.h"
#include "util.h"
#include "worktree.h"
#include "yamlio.h"

static const char usage[] =
"usage: rt-init [--name NAME] [--address ADDR] [--tag TAG] [--shared] [DIR]\n"
"Create a desk in DIR (default: the current directory).\n"
"  --name NAME      desk name shown in mail (default: Support)\n"
"  --address ADDR   desk mail address (default: support@HOSTNAME)\n"
"  --tag TAG        subject tag, as in [TAG #ID] (default: the name)\n"
"  --shared         group-writable desk for several users (MTA and agents)\n";

static const char *name = "Support", *address, *tag;
static int shared;

static int
refuse_existing(const char *dir)
{
	char *cfg = xasprintf("%s/" DESK_CONFIG, dir), *git = xasprintf("%s/.git", dir);
	int exists = access(cfg, F_OK) == 0 || access(git, F_OK) == 0;

	free(cfg);
	free(git);
	if (exists)
		return rt_fail(EX_CANTCREAT, "'%s' already holds a desk or git repository", dir);
	return 0;
}

/* The desk: section by libyaml, then the commented rest from share/. */
static int
render_config(char **out, size_t *outlen)
{
	struct yemit *e = yemit_new();
	char *head, *tail = NULL, *path = xasprintf("%s/desk/rt.yaml", rt_sharedir());
	size_t hlen, tlen = 0;
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
	head = rc ? NULL : yemit_finish(e, &hlen);
	yemit_free(e);
	if (head == NULL) {
		free(path);
		return EX_DATAERR;
	}
	sbuf_adds(&sb, "# rt desk configuration: see rt-desk(5).\n");
	sbuf_add(&sb, head, hlen);
	if (read_file(path, &tail, &tlen) == 0)
		sbuf_add(&sb, tail, tlen);
	free(head);
	free(tail);
	free(path);
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
	return rc;
}

static int
first_commit(const char *dir, const char *cfg, size_t cfglen)
{
	struct desk *d;
	struct txn *t;
	char *attrs, *path = xasprintf("%s/desk/gitattributes", rt_sharedir());
	size_t alen;
	int rc;

	if (read_file(path, &attrs, &alen) < 0) {
		rc = rt_fail(EX_OSFILE, "cannot read '%s': %s", path, strerror(errno));
		free(path);
		return rc;
	}
	free(path);
	if ((rc = desk_open(&d, dir, DESK_WRITE | DESK_NOCACHE | DESK_DURABLE)) != 0) {
		free(attrs);
		return rc;
	}
	t = txn_begin(d);
	txn_put(t, DESK_CONFIG, cfg, cfglen);
	txn_put(t, ".gitattributes", attrs, alen);
	rc = txn_commit(t, "init: new desk", NULL, NULL);
	if (rc == 0)
		rc = worktree_sync(d, 1);
	txn_free(t);
	free(attrs);
	desk_close(d);
	return rc;
}

int
main(int argc, char *argv[])
{
	static const struct option opts[] = {
		{ "name", required_argument, NULL, 'n' },
		{ "address", required_argument, NULL, 'a' },
		{ "tag", required_argument, NULL, 't' },
		{ "shared", no_argument, NULL, 's' },
		CLI_COMMON_OPTS,
		{ NULL, 0, NULL, 0 }
	};
	const char *dir = ".";
	char host[256] = "localhost", *cfg, *cfgpath, *def_addr = NULL;
	size_t cfglen;
	int ch, rc;

	while ((ch = getopt_long(argc, argv, "n:a:t:sh", opts, NULL)) != -1) {
		switch (ch) {
		case 'n': name = optarg; break;
		case 'a': address = optarg; break;
		case 't': tag = optarg; break;
		case 's': shared = 1; break;
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
	}
	if (shared)
		umask(007);	/* group-writable, never world-readable (rt-desk(5)) */
	git_libgit2_init();
	if ((rc = refuse_existing(dir)) != 0 || (rc = render_config(&cfg, &cfglen)) != 0)
		cli_die(rc);
	if ((rc = init_repo(dir)) != 0)
		cli_die(rc);
	cfgpath = xasprintf("%s/" DESK_CONFIG, dir);
	if (write_file_atomic(cfgpath, cfg, cfglen, 1) < 0)
		err(EX_CANTCREAT, "%s", cfgpath);
	if ((rc = first_commit(dir, cfg, cfglen)) != 0)
		cli_die(rc);
	printf("initialised desk in %s\n", dir);
	free(cfgpath);
	free(cfg);
	free(def_addr);
	git_libgit2_shutdown();
	return cli_close_stdout(0);
}
