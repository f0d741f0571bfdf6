/* rt: the dispatcher; "rt COMMAND ARGS" runs rt-COMMAND, like git */
#include <dirent.h>
#include <err.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"
#include "desk.h"
#include "util.h"

static const char usage[] =
"usage: rt [--version] [--help] COMMAND [ARGS ...]\n"
"       rt help [COMMAND]\n"
"Run rt-COMMAND from $RT_EXEC_PATH, the directory of rt, then $PATH.\n";

static const struct {
	const char *name, *desc;
} known[] = {
	{ "archive", "take old tickets out of the work tree, keeping them in history" },
	{ "comment", "add an internal note to tickets" },
	{ "escalate", "escalate tickets by SLA and the escalation matrix" },
	{ "gc", "maintain a desk: pack, repair the index and cache" },
	{ "ingest", "turn mail into tickets" },
	{ "init", "create a desk" },
	{ "link", "link tickets as parent, child or referring" },
	{ "ls", "list tickets from the cache" },
	{ "merge", "merge a duplicate ticket into another" },
	{ "new", "open a ticket by hand (phone, walk-in)" },
	{ "reply", "answer tickets by mail, from templates" },
	{ "quarantine", "list, show and re-ingest quarantined input" },
	{ "report", "reports: volumes, response times, SLA compliance" },
	{ "route", "sort tickets into queues and owners by rules" },
	{ "set", "change ticket fields" },
	{ "show", "show a ticket and its conversation" },
	{ "sync", "share a desk between clones: fetch, merge, push" },
	{ "take", "make yourself the owner of tickets" },
	{ "web", "webhooks, a contact form and status pages (CGI)" },
};

/* The directory holding this binary, from /proc/self/exe or argv[0]. */
static char *
self_dir(const char *argv0)
{
	char buf[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", buf, sizeof(buf) - 1);
	char *slash;

	if (n > 0)
		buf[n] = '\0';
	else if (strchr(argv0, '/') && realpath(argv0, buf))
		;
	else
		return NULL;
	if ((slash = strrchr(buf, '/')) == NULL)
		return NULL;
	*slash = '\0';
	return xstrdup(*buf ? buf : "/");
}

/* The search path: $RT_EXEC_PATH, rt's directory, $PATH (colon-separated). */
static char *
search_path(const char *argv0)
{
	const char *env = getenv("RT_EXEC_PATH"), *path = getenv("PATH");
	char *self = self_dir(argv0);
	struct sbuf sb = SBUF_INIT;

	if (env && *env)
		sbuf_addf(&sb, "%s:", env);
	if (self)
		sbuf_addf(&sb, "%s:", self);
	sbuf_adds(&sb, path && *path ? path : "/usr/local/bin:/usr/bin:/bin");
	free(self);
	return sbuf_detach(&sb);
}

static int
is_exec(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0 && S_ISREG(st.st_mode) && access(path, X_OK) == 0;
}

/* The first rt-NAME on the search path, malloc'd, or NULL. */
static char *
find_command(const char *sp, const char *name)
{
	char **dirs;
	size_t n = str_split(sp, ":", &dirs);
	char *found = NULL;

	for (size_t i = 0; i < n && !found; i++) {
		char *p = xasprintf("%s/rt-%s", dirs[i], name);
		if (is_exec(p))
			found = p;
		else
			free(p);
	}
	strv_free(dirs, n);
	return found;
}

static int
cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static const char *
describe(const char *name)
{
	for (size_t i = 0; i < LEN(known); i++)
		if (strcmp(known[i].name, name) == 0)
			return known[i].desc;
	return "";
}

/* Every rt-NAME found on the search path, once, sorted. */
static int
list_commands(const char *sp)
{
	char **dirs, **names = NULL;
	size_t n = str_split(sp, ":", &dirs), nn = 0;

	for (size_t i = 0; i < n; i++) {
		DIR *dp = opendir(dirs[i]);
		struct dirent *de;
		if (dp == NULL)
			continue;
		while ((de = readdir(dp)) != NULL) {
			char *p;
			int dup = 0;
			if (strncmp(de->d_name, "rt-", 3) != 0 || de->d_name[3] == '\0' ||
			    strchr(de->d_name, '.'))
				continue;
			for (size_t k = 0; k < nn && !dup; k++)
				dup = strcmp(names[k], de->d_name + 3) == 0;
			p = xasprintf("%s/%s", dirs[i], de->d_name);
			if (!dup && is_exec(p)) {
				names = xrealloc(names, (nn + 1) * sizeof(*names));
				names[nn++] = xstrdup(de->d_name + 3);
			}
			free(p);
		}
		closedir(dp);
	}
	strv_free(dirs, n);
	qsort(names, nn, sizeof(*names), cmp_str);
	printf("usage: rt COMMAND [ARGS ...]\n\nCommands:\n");
	for (size_t i = 0; i < nn; i++)
		printf("   %-12s %s\n", names[i], describe(names[i]));
	printf("\nSee 'rt help COMMAND' for a command's manual.\n");
	strv_free(names, nn);
	return 0;
}

static int
valid_name(const char *s)
{
	if (*s == '\0' || *s == '-')
		return 0;
	for (; *s; s++)
		if (*s == '/' || *s == '.' || *s == ' ')
			return 0;
	return 1;
}

int
main(int argc, char *argv[])
{
	char *sp, *cmd;

	if (argc < 2) {
		fprintf(stderr, "%s", usage);
		return EX_USAGE;
	}
	if (strcmp(argv[1], "--version") == 0 || strcmp(argv[1], "-V") == 0) {
		printf("rt %s\n", RT_VERSION);
		return cli_close_stdout(0);
	}
	if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
		printf("%s", usage);
		return cli_close_stdout(0);
	}
	sp = search_path(argv[0]);
	if (strcmp(argv[1], "help") == 0) {
		if (argc < 3) {
			int rc = list_commands(sp);
			free(sp);
			return cli_close_stdout(rc);
		}
		if (!valid_name(argv[2]))
			errx(EX_USAGE, "'%s' is not a command name", argv[2]);
		{
			char *page = xasprintf("rt-%s", argv[2]), *mine = rt_mandir();
			/* this build's pages first, then man's own path (as git help does) */
			if (mine) {
				const char *mp = getenv("MANPATH");
				char *both = xasprintf("%s:%s", mine, mp ? mp : "");
				setenv("MANPATH", both, 1);
				free(both);
				free(mine);
			}
			if (strcmp(argv[2], "rt") == 0) {
				free(page);
				page = xstrdup("rt");
			}
			execlp("man", "man", page, (char *)NULL);
			err(EX_UNAVAILABLE, "cannot run man");
		}
	}
	if (!valid_name(argv[1]))
		errx(EX_USAGE, "'%s' is not a command name (see 'rt help')", argv[1]);
	if ((cmd = find_command(sp, argv[1])) == NULL) {
		warnx("'%s' is not an rt command (see 'rt help')", argv[1]);
		free(sp);
		return EX_USAGE;
	}
	free(sp);
	argv[1] = cmd;
	execv(cmd, argv + 1);
	err(errno == ENOENT ? EX_UNAVAILABLE : EX_OSERR, "cannot run '%s'", cmd);
}
