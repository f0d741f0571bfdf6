/* rt-take: make the acting agent the owner of tickets */
#include <err.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "change.h"
#include "cli.h"
#include "desk.h"
#include "fieldset.h"
#include "util.h"

static const char usage[] =
"usage: rt-take [--desk DIR] [-n] [--json] [--steal] [ID ...]\n"
"Make yourself the owner of tickets (ids from arguments or stdin); print each id.\n"
"  --steal        take tickets another agent owns\n"
"  -n, --dry-run  print what would change (ID field=value ... EV:...), change nothing\n"
"  -j, --json     print each changed ticket as a JSON object, one per line\n";

static int steal;

static int
take_one(struct desk *d, const char *id, void *arg)
{
	const char *me = arg, *owner;
	struct assign a = { (char *)"owner", '=', (char *)me };
	struct change c;
	char *v = NULL;
	int rc;

	if ((rc = desk_lock(d)) != 0)
		return cli_ticket_fail(id, rc);
	if ((rc = change_begin(&c, d, id, "take")) != 0)
		goto out;
	owner = kv_get(&c.ticket, "owner");
	if (owner && strcmp(owner, me) != 0 && !steal) {
		rc = rt_fail(EX_DATAERR, "owned by '%s' (use --steal to take it)", owner);
		goto out;
	}
	if ((rc = assign_value(d, &c.ticket, &a, &v)) != 0)
		goto out;
	change_set(&c, "owner", v);
	if (c.dirty)
		rc = change_commit(&c, me);
out:
	free(v);
	change_free(&c);
	desk_unlock(d);
	return cli_ticket_done(d, id, rc);
}

int
main(int argc, char *argv[])
{
	static const struct option opts[] = {
		{ "steal", no_argument, NULL, 's' },
		{ "dry-run", no_argument, NULL, 'n' },
		{ "json", no_argument, NULL, 'j' },
		CLI_COMMON_OPTS,
		{ NULL, 0, NULL, 0 }
	};
	const char *deskpath = NULL;
	struct desk *d;
	char *me;
	int ch, rc, dry = 0, json = 0;

	while ((ch = getopt_long(argc, argv, "C:njh", opts, NULL)) != -1) {
		switch (ch) {
		case 'C': deskpath = optarg; break;
		case 's': steal = 1; break;
		case 'n': dry = 1; break;
		case 'j': json = 1; break;
		default: cli_common(ch, usage);
		}
	}
	if ((rc = desk_open(&d, deskpath, 0)) != 0)
		cli_die(rc);
	cli_plan_mode(d, dry, json);
	me = agent_of_actor(d);
	if (agents_declared(d) && !agent_exists(d, me)) {
		rt_fail(EX_DATAERR, "'%s <%s>' is not an agent of this desk (rt.yaml agents:)",
		    d->actor_name, d->actor_email);
		warnx("%s", rt_errmsg());
		rc = EX_DATAERR;
	} else
		rc = cli_each_id(d, argc - optind, argv + optind, take_one, me);
	free(me);
	desk_close(d);
	return cli_close_stdout(rc);
}
