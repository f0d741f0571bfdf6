/* rt-merge: merge a duplicate ticket into another */
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
"usage: rt-merge [--desk DIR] [-n] [--json] DUP INTO\n"
"Merge ticket DUP into ticket INTO in one commit; print INTO.\n"
"  -n, --dry-run  print what would change (ID field=value ... EV:...), change nothing\n"
"  -j, --json     print each changed ticket as a JSON object, one per line\n";

int
main(int argc, char *argv[])
{
	static const struct option opts[] = {
		{ "dry-run", no_argument, NULL, 'n' },
		{ "json", no_argument, NULL, 'j' },
		CLI_COMMON_OPTS,
		{ NULL, 0, NULL, 0 }
	};
	const char *deskpath = NULL;
	struct desk *d;
	ticket_id dup, into, found;
	int ch, rc, dry = 0, json = 0;

	while ((ch = getopt_long(argc, argv, "C:njh", opts, NULL)) != -1) {
		switch (ch) {
		case 'C': deskpath = optarg; break;
		case 'n': dry = 1; break;
		case 'j': json = 1; break;
		default: cli_common(ch, usage);
		}
	}
	if (argc - optind != 2)
		cli_usage(usage, 0);
	if ((rc = desk_open(&d, deskpath, 0)) != 0)
		cli_die(rc);
	cli_plan_mode(d, dry, json);
	/* DUP is taken as named (a merged DUP is refused); INTO follows merges. */
	if ((rc = cli_ticket_arg(d, argv[optind], found)) == 0 &&
	    (rc = cli_ticket_arg(d, argv[optind + 1], into)) == 0) {
		id_parse(argv[optind], dup);
		if (strcmp(dup, into) == 0)
			rc = rt_fail(EX_DATAERR, "#%s is already #%s or merged into it", argv[optind],
			    into);
		else
			rc = merge_tickets(d, dup, into);
	}
	if (rc != 0)
		warnx("%s", rt_errmsg());
	else if (d->plan == NULL)
		printf("%s\n", into);
	desk_close(d);
	return cli_close_stdout(rc);
}
