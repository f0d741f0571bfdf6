/* rt-link: parent, child and refers links between tickets */
#include <err.h>
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "desk.h"
#include "id.h"
#include "link.h"
#include "util.h"

static const char usage[] =
"usage: rt-link [--desk DIR] [-n] [--json] [--remove]\n"
"               (--parent ID | --child ID | --refers ID) [ID ...]\n"
"Link tickets (ids from arguments or stdin); both sides change in one commit.\n"
"  --parent PID   make PID the parent of each ticket\n"
"  --child CID    make CID a child of each ticket\n"
"  --refers RID   link each ticket and RID as referring to each other\n"
"  --remove       remove the link instead\n"
"  -n, --dry-run  print what would change (ID field=value ... EV:...), change nothing\n"
"  -j, --json     print each changed ticket as a JSON object, one per line\n";

struct linkopt {
	enum link_rel rel;
	ticket_id other;
	int remove;
};

static int
link_one(struct desk *d, const char *id, void *arg)
{
	struct linkopt *o = arg;
	int changed, rc = link_tickets(d, id, o->rel, o->other, o->remove, &changed);

	return cli_ticket_done(d, id, rc);
}

int
main(int argc, char *argv[])
{
	static const struct option opts[] = {
		{ "parent", required_argument, NULL, 'p' },
		{ "child", required_argument, NULL, 'c' },
		{ "refers", required_argument, NULL, 'r' },
		{ "remove", no_argument, NULL, 'R' },
		{ "dry-run", no_argument, NULL, 'n' },
		{ "json", no_argument, NULL, 'j' },
		CLI_COMMON_OPTS,
		{ NULL, 0, NULL, 0 }
	};
	const char *deskpath = NULL, *other = NULL;
	struct linkopt o;
	struct desk *d;
	int ch, rc, nrel = 0, dry = 0, json = 0;

	memset(&o, 0, sizeof(o));
	while ((ch = getopt_long(argc, argv, "C:njh", opts, NULL)) != -1) {
		switch (ch) {
		case 'C': deskpath = optarg; break;
		case 'p': o.rel = LINK_PARENT; other = optarg; nrel++; break;
		case 'c': o.rel = LINK_CHILD; other = optarg; nrel++; break;
		case 'r': o.rel = LINK_REFERS; other = optarg; nrel++; break;
		case 'R': o.remove = 1; break;
		case 'n': dry = 1; break;
		case 'j': json = 1; break;
		default: cli_common(ch, usage);
		}
	}
	if (nrel != 1)
		cli_usage(usage, 0);
	if ((rc = desk_open(&d, deskpath, 0)) != 0)
		cli_die(rc);
	if ((rc = cli_ticket_arg(d, other, o.other)) != 0) {
		desk_close(d);
		cli_die(rc);
	}
	cli_plan_mode(d, dry, json);
	rc = cli_each_id(d, argc - optind, argv + optind, link_one, &o);
	desk_close(d);
	return cli_close_stdout(rc);
}
