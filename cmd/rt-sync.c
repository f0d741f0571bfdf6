/* rt-sync: fetch, merge and push the desk (lib/sync.c does the work) */
#include <err.h>
#include <getopt.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "desk.h"
#include "jsonout.h"
#include "sync.h"
#include "util.h"

static const char usage[] =
"usage: rt-sync [--desk DIR] [-q | --json] [REMOTE]\n"
"Fetch the desk's branch from REMOTE (default: the branch's upstream, else origin),\n"
"merge it, reconcile, push. Exit 75 when the remote cannot be reached (cron retries).\n"
"  -j, --json   print the result as one JSON object\n"
"  -q, --quiet  print nothing on success\n";

static void
print_text(const struct sync_result *r)
{
	printf("%s %s: %zu in%s%s, %zu out%s\n", r->remote, r->branch, r->incoming,
	    r->merged ? " (merged)" : r->fast_forward ? " (fast-forward)" : "",
	    r->reconciled ? ", reconciled" : "", r->pushed ? r->outgoing : 0,
	    r->attempts > 1 ? " (after a refused push)" : "");
	if (r->lost.len)
		printf("lost to concurrent writes:\n%s", r->lost.buf);
}

static void
print_json(const struct sync_result *r)
{
	json_t *o = json_object(), *lost = json_array();
	char hex[GIT_OID_HEXSZ + 1];
	char **v;
	size_t n = str_split(r->lost.buf ? r->lost.buf : "", "\n", &v);

	for (size_t i = 0; i < n; i++)
		json_array_append_new(lost, json_string(v[i]));
	strv_free(v, n);
	json_object_set_new(o, "remote", json_string(r->remote));
	json_object_set_new(o, "branch", json_string(r->branch));
	json_object_set_new(o, "incoming", json_integer((json_int_t)r->incoming));
	json_object_set_new(o, "outgoing", json_integer(r->pushed ? (json_int_t)r->outgoing : 0));
	json_object_set_new(o, "fast_forward", json_boolean(r->fast_forward));
	json_object_set_new(o, "merge", r->merged ?
	    json_string(git_oid_tostr(hex, sizeof(hex), &r->merge)) : json_null());
	json_object_set_new(o, "tickets", json_integer((json_int_t)r->tickets));
	json_object_set_new(o, "reconciled", json_integer((json_int_t)r->reconciled));
	json_object_set_new(o, "attempts", json_integer(r->attempts));
	json_object_set_new(o, "lost", lost);
	jsonout_doc(stdout, o, JSONOUT_LINE);
}

int
main(int argc, char *argv[])
{
	static const struct option opts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "quiet", no_argument, NULL, 'q' },
		CLI_COMMON_OPTS,
		{ NULL, 0, NULL, 0 }
	};
	const char *deskpath = NULL;
	struct sync_result res;
	struct desk *d;
	int ch, rc, json = 0, quiet = 0;

	while ((ch = getopt_long(argc, argv, "C:jqh", opts, NULL)) != -1) {
		switch (ch) {
		case 'C': deskpath = optarg; break;
		case 'j': json = 1; break;
		case 'q': quiet = 1; break;
		default: cli_common(ch, usage);
		}
	}
	argc -= optind;
	argv += optind;
	if (argc > 1 || (json && quiet))
		cli_usage(usage, 0);
	if ((rc = desk_open(&d, deskpath, 0)) != 0)
		cli_die(rc);
	rc = sync_desk(d, argc ? argv[0] : NULL, &res);
	cli_warnings();
	if (rc != 0)
		warnx("%s", rt_errmsg());
	else if (json)
		print_json(&res);
	else if (!quiet)
		print_text(&res);
	sync_result_free(&res);
	desk_close(d);
	return cli_close_stdout(rc);
}
