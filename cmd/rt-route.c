/* rt-route: apply the desk's routing rules: queue, priority, type, tags, owner */
#include <err.h>
#include <git2.h>
#include <getopt.h>
#include <jansson.h>
#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "arrival.h"
#include "cache.h"
#include "change.h"
#include "cli.h"
#include "desk.h"
#include "head.h"
#include "jsonout.h"
#include "route.h"
#include "util.h"

static const char usage[] =
"usage: rt-route [--desk DIR] [-n] [--json] [-x] [--check] [ID ...]\n"
"       rt-route [--desk DIR] --pending\n"
"Apply the routing rules of rt.yaml to tickets; print their ids.\n"
"  -n, --dry-run    print what would change (ID field=value ...), change nothing\n"
"  -j, --json       print each ticket's plan as a JSON object, one per line\n"
"  -x, --explain    tell on standard error which rules matched and why\n"
"  --check          only check the routing configuration\n"
"  --pending        finish the arrival processing rt-ingest could not (cron)\n"
"Without ids, read them from standard input, one per line.\n";

struct run {
	struct route *r;
	int dry, explain, json;
};

/* {"id":..., "set":{field: value, ...}, "rules":...}: the plan as JSON Lines. */
static void
print_plan_json(const char *id, const struct route_plan *p)
{
	json_t *o = json_object(), *set = json_object();

	for (size_t i = 0; i < p->set.n; i++)
		json_object_set_new(set, p->set.v[i].key,
		    json_string(p->set.v[i].val ? p->set.v[i].val : ""));
	json_object_set_new(o, "id", json_string(id));
	json_object_set_new(o, "set", set);
	json_object_set_new(o, "rules", p->rules ? json_string(p->rules) : json_null());
	jsonout_doc(stdout, o, JSONOUT_LINE);
}

/* Cron catch-up: route, acknowledge and record what rt-ingest left pending. */
static int
arrival_one(struct desk *d, const char *id, void *arg)
{
	int rc = arrival_run(d, id);

	(void)arg;
	if (rc != 0)
		cli_ticket_fail(id, rc);
	else
		printf("%s\n", id);
	fflush(stdout);
	return rc;
}

static int
route_one(struct desk *d, const char *id, void *arg)
{
	struct run *run = arg;
	struct route_plan p;
	int rc;

	if (!run->dry && (rc = desk_lock(d)) != 0)
		return cli_ticket_fail(id, rc);
	if (!run->dry && d->cache)
		cache_sync(d);
	rc = route_plan(run->r, d, id, run->explain, &p);
	if (run->explain && p.explain.len) {
		fputs(p.explain.buf, stderr);
		fflush(stderr);
	}
	if (rc != 0) {
		cli_ticket_fail(id, rc);
	} else if (run->dry && run->json) {
		print_plan_json(id, &p);
	} else if (run->dry) {
		printf("%s", id);
		for (size_t i = 0; i < p.set.n; i++)
			printf(" %s=%s", p.set.v[i].key, p.set.v[i].val ? p.set.v[i].val : "");
		putchar('\n');
	} else {
		if (p.set.n && (rc = route_commit_plan(d, id, &p)) != 0)
			cli_ticket_fail(id, rc);
		/* still passed on: a ticket that could not be routed may get its ack */
		if (run->json)
			print_plan_json(id, &p);
		else
			printf("%s\n", id);
	}
	if (!run->dry)
		desk_unlock(d);
	route_plan_free(&p);
	return rc;
}

int
main(int argc, char *argv[])
{
	static const struct option opts[] = {
		{ "dry-run", no_argument, NULL, 'n' },
		{ "explain", no_argument, NULL, 'x' },
		{ "json", no_argument, NULL, 'j' },
		{ "check", no_argument, NULL, 'k' },
		{ "pending", no_argument, NULL, 'p' },
		CLI_COMMON_OPTS,
		{ NULL, 0, NULL, 0 }
	};
	const char *deskpath = NULL;
	struct run run = { NULL, 0, 0, 0 };
	struct desk *d;
	int ch, rc, check = 0, pending = 0;

	/* regex.h then treats UTF-8 sequences as characters ("[äöü]", ".") */
	if (setlocale(LC_CTYPE, "C.UTF-8") == NULL)
		setlocale(LC_CTYPE, "");
	/*
	 * HEAD's big trees (tickets/, tickets/XX/) stay in libgit2's cache
	 * between reads; objects are not hashed again on every read.
	 */
	git_libgit2_init();
	git_libgit2_opts(GIT_OPT_SET_CACHE_OBJECT_LIMIT, GIT_OBJECT_TREE, (size_t)4 << 20);
	git_libgit2_opts(GIT_OPT_ENABLE_STRICT_HASH_VERIFICATION, 0);
	while ((ch = getopt_long(argc, argv, "C:nxjh", opts, NULL)) != -1) {
		switch (ch) {
		case 'C': deskpath = optarg; break;
		case 'n': run.dry = 1; break;
		case 'x': run.explain = 1; break;
		case 'j': run.json = 1; break;
		case 'k': check = 1; break;
		case 'p': pending = 1; break;
		default: cli_common(ch, usage);
		}
	}
	if ((check || pending) && optind != argc)
		cli_usage(usage, 0);
	if ((rc = desk_open(&d, deskpath, 0)) != 0)
		cli_die(rc);
	/* The whole configuration is checked before any ticket is touched. */
	if ((rc = route_load(d, &run.r)) != 0) {
		warnx("%s", rt_errmsg());
		route_free(run.r);
		desk_close(d);
		return rc;
	}
	if (run.dry)
		desk_head_pin(d);	/* every plan from the same HEAD, read once */
	if (pending)
		rc = arrival_each_pending(d, arrival_one, NULL);
	else if (!check)
		rc = cli_each_id(d, argc - optind, argv + optind, route_one, &run);
	route_free(run.r);
	desk_close(d);
	git_libgit2_shutdown();
	return cli_close_stdout(rc);
}
