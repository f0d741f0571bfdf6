/* rt-gc: desk maintenance for cron: index, loose objects, cache */
#include <err.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>

#include "cache.h"
#include "cli.h"
#include "desk.h"
#include "guard.h"
#include "id.h"
#include "leftover.h"
#include "pack.h"
#include "upgrade.h"
#include "util.h"
#include "worktree.h"

static const char usage[] =
"usage: rt-gc [--desk DIR] [--full-index] [--rebuild-cache] [--no-pack]\n"
"             [--stale SECONDS] [--upgrade] [-q]\n"
"Apply pending index updates, pack loose objects and merge small packs,\n"
"check the ticket cache, clean what killed processes left (temporary\n"
"objects; spooled mail is stored).\n"
"  --full-index     rebuild the index from HEAD (repairs any damage)\n"
"  --rebuild-cache  rebuild the ticket cache from HEAD\n"
"  --no-pack        do not pack loose objects nor merge packs\n"
"  --stale SECONDS  temporary and spool files this old are left behind (3600)\n"
"  --upgrade        convert a format-1 desk to format 2 (any write does it too)\n"
"  -q, --quiet      print nothing\n";

int
main(int argc, char *argv[])
{
	static const struct option opts[] = {
		{ "full-index", no_argument, NULL, 'f' },
		{ "rebuild-cache", no_argument, NULL, 'r' },
		{ "no-pack", no_argument, NULL, 'P' },
		{ "quiet", no_argument, NULL, 'q' },
		{ "stale", required_argument, NULL, 's' },
		{ "upgrade", no_argument, NULL, 'u' },
		CLI_COMMON_OPTS,
		{ NULL, 0, NULL, 0 }
	};
	const char *deskpath = NULL;
	int ch, rc, full = 0, rebuild = 0, nopack = 0, quiet = 0, upgrade = 0, upgraded = 0;
	size_t pending, tmpobjs, respooled, kept;
	struct pack_stats ps = { 0, 0, 0, 0, 0 };
	long stale = 3600;
	char *end;
	struct desk *d;

	while ((ch = getopt_long(argc, argv, "C:qh", opts, NULL)) != -1) {
		switch (ch) {
		case 'C': deskpath = optarg; break;
		case 'f': full = 1; break;
		case 'r': rebuild = 1; break;
		case 'P': nopack = 1; break;
		case 'q': quiet = 1; break;
		case 'u': upgrade = 1; break;
		case 's':
			stale = strtol(optarg, &end, 10);
			if (*optarg == '\0' || *end != '\0' || stale < 0)
				errx(EX_USAGE, "--stale takes a number of seconds, not '%s'", optarg);
			break;
		default: cli_common(ch, usage);
		}
	}
	if (optind != argc)
		cli_usage(usage, 0);
	if ((rc = desk_open(&d, deskpath, DESK_WRITE | DESK_DURABLE |
	    (rebuild ? DESK_NOCACHE : 0))) != 0)
		cli_die(rc);
	/* the lock upgraded the desk already; if it could not, say why */
	if (upgrade && id_format() < DESK_FORMAT && (rc = upgrade_desk(d, &upgraded)) != 0)
		cli_die(rc);
	if (upgrade && !quiet)
		printf("format: %d\n", id_format());
	tmpobjs = leftover_objects(d, stale);
	guard_worktree_temps(d, (size_t)-1);
	pending = worktree_pending(d);
	guard_index_writer(d);
	rc = worktree_sync(d, full);
	guard_index_done(d);
	if (rc != 0)
		cli_die(rc);
	if (!nopack && (rc = pack_repack(d, &ps)) != 0)
		cli_die(rc);
	if (rebuild && (rc = cache_open_rebuilt(d)) != 0)
		cli_die(rc);
	if ((rc = cache_text_build(d)) != 0)	/* the text index a rebuild left for later */
		cli_die(rc);
	if (!quiet)
		printf("index: %zu pending paths applied%s\nobjects: %zu packed\n"
		    "packs: %zu merged, %zu left\n"
		    "cache: %zu tickets%s\n", pending, full ? " (rebuilt)" : "", ps.loose,
		    ps.merged, nopack ? pack_count(d) : ps.packs,
		    cache_count(d), rebuild ? " (rebuilt)" : "");
	if (!quiet && ps.folded)
		printf("fold: the new objects written into the largest pack, %zu as deltas there\n",
		    ps.deltas);
	if (!quiet)
		printf("text index: %zu tickets indexed\n", cache_text_caught_up(d));
	/* Last: storing spooled mail takes and releases the desk lock per file. */
	desk_unlock(d);
	rc = leftover_spools(d, stale, &respooled, &kept);
	/* Their commits journal paths too: git status stays clean after rt-gc. */
	if (respooled && desk_lock(d) == 0) {
		guard_index_writer(d);
		if (worktree_sync(d, 0) != 0)
			warnx("%s", rt_errmsg());
		guard_index_done(d);
		desk_unlock(d);
	}
	if (rc != 0)
		warnx("%zu spooled message%s kept for the next run: %s", kept,
		    kept == 1 ? "" : "s", rt_errmsg());
	if (!quiet)
		printf("leftovers: %zu temporary objects removed, %zu spooled messages stored\n",
		    tmpobjs, respooled);
	desk_close(d);
	return cli_close_stdout(rc);
}
