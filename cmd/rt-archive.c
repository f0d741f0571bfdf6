/* rt-archive: take tickets out of the work tree; history, cache and reports keep them */
#include <err.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>

#include "archive.h"
#include "cli.h"
#include "desk.h"
#include "guard.h"
#include "util.h"

static const char usage[] =
"usage: rt-archive [--desk DIR] [-n] [-q] [--restore] [ID ...]\n"
"       rt-archive [--desk DIR] --list\n"
"Remove tickets' folders from the work tree; they stay in HEAD, so history,\n"
"rt-show, rt-ls and rt-report keep them. Ids come from arguments or stdin.\n"
"Print each id archived (or restored).\n"
"  --restore      bring the tickets back into the work tree\n"
"  --list         print the archived ticket ids\n"
"  -n, --dry-run  print the ids that would change, change nothing\n"
"  -q, --quiet    print nothing\n";

struct ids {
	char **v;
	size_t n;
};

static int
collect(struct desk *d, const char *id, void *arg)
{
	struct ids *ids = arg;

	(void)d;
	ids->v = xrealloc(ids->v, (ids->n + 1) * sizeof(*ids->v));
	ids->v[ids->n++] = xstrdup(id);
	return 0;
}

static int
list(struct desk *d)
{
	char **v;
	size_t n;
	int rc = archive_ids(d, &v, &n);

	for (size_t i = 0; i < n; i++)
		printf("%s\n", v[i]);
	strv_free(v, n);
	return rc;
}

int
main(int argc, char *argv[])
{
	static const struct option opts[] = {
		{ "restore", no_argument, NULL, 'r' },
		{ "list", no_argument, NULL, 'l' },
		{ "dry-run", no_argument, NULL, 'n' },
		{ "quiet", no_argument, NULL, 'q' },
		CLI_COMMON_OPTS,
		{ NULL, 0, NULL, 0 }
	};
	const char *deskpath = NULL;
	struct ids ids = { NULL, 0 };
	char **done = NULL;
	size_t ndone = 0, missing = 0;
	int ch, rc, restore = 0, listing = 0, dry = 0, quiet = 0;
	struct desk *d;

	while ((ch = getopt_long(argc, argv, "C:nqh", opts, NULL)) != -1) {
		switch (ch) {
		case 'C': deskpath = optarg; break;
		case 'r': restore = 1; break;
		case 'l': listing = 1; break;
		case 'n': dry = 1; break;
		case 'q': quiet = 1; break;
		default: cli_common(ch, usage);
		}
	}
	if (listing && (restore || dry || optind != argc))
		cli_usage(usage, 0);
	/* no cache: an id means its own folder, never the ticket it was merged into */
	if ((rc = desk_open(&d, deskpath, DESK_NOCACHE |
	    (listing || dry ? 0 : DESK_WRITE | DESK_DURABLE))) != 0)
		cli_die(rc);
	if (listing) {
		rc = list(d);
		desk_close(d);
		if (rc != 0)
			cli_die(rc);
		return cli_close_stdout(0);
	}
	if ((rc = cli_each_id(d, argc - optind, argv + optind, collect, &ids)) != 0) {
		desk_close(d);
		strv_free(ids.v, ids.n);
		return cli_close_stdout(rc);
	}
	if (!dry)
		guard_index_writer(d);
	rc = archive_tickets(d, ids.v, ids.n, restore, dry, &done, &ndone, &missing);
	if (!dry)
		guard_index_done(d);
	desk_close(d);
	strv_free(ids.v, ids.n);
	if (rc != 0) {
		strv_free(done, ndone);
		cli_die(rc);
	}
	for (size_t i = 0; i < ndone && !quiet; i++)
		printf("%s\n", done[i]);
	strv_free(done, ndone);
	return cli_close_stdout(missing ? EX_NOINPUT : 0);
}
