/* rt-gc: desk maintenance for cron: index, loose objects, cache */
#include <err.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>

#include "cache.h"
#include "cli.h"
#include "desk.h"
#include "pack.h"
#include "util.h"
#include "worktree.h"

static const char usage[] =
"usage: rt-gc [--desk DIR] [--full-index] [--rebuild-cache] [--no-pack] [-q]\n"
"Apply pending index updates, pack loose objects and merge small packs,\n"
"check the ticket cache.\n"
"  --full-index     rebuild the index from HEAD (repairs any damage)\n"
"  --rebuild-cache  rebuild the ticket cache from HEAD\n"
"  --no-pack        do not pack loose objects nor merge packs\n"
"  -q, --quiet      print nothing\n";

int
main(int argc, char *argv[])
{
	static const struct option opts[] = {
		{ "full-index", no_argument, NULL, 'f' },
		{ "rebuild-cache", no_argument, NULL, 'r' },
		{ "no-pack", no_argument, NULL, 'P' },
		{ "quiet", no_argument, NULL, 'q' },
		CLI_COMMON_OPTS,
		{ NULL, 0, NULL, 0 }
	};
	const char *deskpath = NULL;
	int ch, rc, full = 0, rebuild = 0, nopack = 0, quiet = 0;
	size_t pending;
	struct pack_stats ps = { 0, 0, 0 };
	struct desk *d;

	while ((ch = getopt_long(argc, argv, "C:qh", opts, NULL)) != -1) {
		switch (ch) {
		case 'C': deskpath = optarg; break;
		case 'f': full = 1; break;
		case 'r': rebuild = 1; break;
		case 'P': nopack = 1; break;
		case 'q': quiet = 1; break;
		default: cli_common(ch, usage);
		}
	}
	if (optind != argc)
		cli_usage(usage, 0);
	if ((rc = desk_open(&d, deskpath, DESK_WRITE | DESK_DURABLE |
	    (rebuild ? DESK_NOCACHE : 0))) != 0)
		cli_die(rc);
	pending = worktree_pending(d);
	if ((rc = worktree_sync(d, full)) != 0)
		cli_die(rc);
	if (!nopack && (rc = pack_repack(d, &ps)) != 0)
		cli_die(rc);
	if (rebuild && (rc = cache_open_rebuilt(d)) != 0)
		cli_die(rc);
	if (!quiet)
		printf("index: %zu pending paths applied%s\nobjects: %zu packed\n"
		    "packs: %zu merged, %zu left\n"
		    "cache: %zu tickets%s\n", pending, full ? " (rebuilt)" : "", ps.loose,
		    ps.merged, nopack ? pack_count(d) : ps.packs,
		    cache_count(d), rebuild ? " (rebuilt)" : "");
	desk_close(d);
	return cli_close_stdout(0);
}
