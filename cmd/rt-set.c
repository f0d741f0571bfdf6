/* rt-set: change ticket fields, checked against rt.yaml and the workflow */
#include <err.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "change.h"
#include "cli.h"
#include "desk.h"
#include "fieldset.h"
#include "id.h"
#include "status.h"
#include "ticket.h"
#include "util.h"
#include "workflow.h"

static const char usage[] =
"usage: rt-set [--desk DIR] [-n] [--json] [--cascade] [--no-exec] [--stdin] [ID ...]\n"
"              FIELD=VALUE ...\n"
"       rt-set [--desk DIR] --values FIELD\n"
"Set ticket fields; print each ticket's id. Ids come from arguments or stdin.\n"
"  FIELD=VALUE      set (empty VALUE clears); FIELD+=X / FIELD-=X add/remove list items\n"
"  -n, --dry-run    print what would change (ID field=value ...), change nothing\n"
"  -j, --json       print each ticket's changes as a JSON object, one per line\n"
"  --cascade        resolving or closing a ticket does the same to its children\n"
"  --no-exec        do not run the workflow's exec actions\n"
"  --stdin          read ticket ids from stdin (the default without ID arguments)\n"
"  --values FIELD   print the values rt.yaml declares for FIELD, one a line\n"
"Fields: status owner queue priority severity type tags due team customer subject\n"
"cc requestors language watchers, and custom fields declared under fields: in rt.yaml.\n";

struct opts {
	struct assign *as;
	size_t nas;
	int cascade, noexec;
};

/* Cascaded children are printed as the ticket itself is. */
static void
print_cascaded(const struct status_note *n, void *arg)
{
	(void)arg;
	if (n->depth > 0) {
		printf("%s\n", n->id);
		fflush(stdout);
	}
}

static void
warn_status(void *arg, const char *id, int rc, const char *msg)
{
	(void)arg;
	(void)rc;
	warnx("#%s: %s", id, msg);
}

static int
set_one(struct desk *d, const char *id, void *arg)
{
	struct opts *o = arg;
	struct status_opts so = { "rt-set", o->cascade, o->noexec, 0, 0, NULL };
	struct change c;
	char *summary = NULL, *to = NULL;
	struct kvmap work = KVMAP_INIT;
	int rc, arc;

	if ((rc = desk_lock(d)) != 0)
		return cli_ticket_fail(id, rc);
	if ((rc = change_begin(&c, d, id, "set")) != 0)
		goto out;
	/* Assignments combine first, so "tags+=a tags-=b" records one event. */
	kv_copy(&work, &c.ticket);
	for (size_t i = 0; i < o->nas; i++) {
		char *v;
		if ((rc = assign_value(d, &work, &o->as[i], &v)) != 0)
			goto out;
		kv_set(&work, o->as[i].field, v);
		free(v);
	}
	/* The workflow checks the status against the ticket as it will be. */
	if (kv_get(&work, "status"))
		to = xstrdup(kv_get(&work, "status"));
	kv_set(&work, "status", kv_get(&c.ticket, "status"));
	so.state = &work;
	for (size_t i = 0; i < o->nas; i++) {
		const char *f = o->as[i].field;
		if (strcmp(f, "status") != 0)
			change_set(&c, f, kv_get(&work, f));
		else if ((rc = status_change(&c, to, &so)) != 0)
			goto out;
	}
	if (c.dirty) {
		summary = change_set_summary(&c);
		rc = change_commit(&c, summary);
	}
out:
	change_free(&c);
	desk_unlock(d);
	cli_ticket_done(d, id, rc);
	if ((arc = status_after(d, warn_status, NULL)) != 0 && rc == 0)
		rc = arc;
	kv_free(&work);
	free(summary);
	free(to);
	return rc;
}

/* --values FIELD: what completion offers after FIELD= */
static int
print_values(const char *deskpath, const char *field)
{
	struct desk *d;
	char **v, *f = str_lower(xstrdup(field));
	size_t n;
	int rc;

	if ((rc = desk_open(&d, deskpath, DESK_NOCACHE)) != 0)
		cli_die(rc);
	if ((rc = field_values(d, f, &v, &n)) != 0)
		warnx("%s", rt_errmsg());
	for (size_t i = 0; i < n; i++)
		printf("%s\n", v[i]);
	strv_free(v, n);
	free(f);
	desk_close(d);
	return cli_close_stdout(rc);
}

int
main(int argc, char *argv[])
{
	static const struct option lopts[] = {
		{ "cascade", no_argument, NULL, 'c' },
		{ "no-exec", no_argument, NULL, 'E' },
		{ "dry-run", no_argument, NULL, 'n' },
		{ "json", no_argument, NULL, 'j' },
		{ "stdin", no_argument, NULL, 's' },
		{ "values", required_argument, NULL, 'V' },
		CLI_COMMON_OPTS,
		{ NULL, 0, NULL, 0 }
	};
	const char *deskpath = NULL, *values = NULL;
	struct opts o;
	struct desk *d;
	char **ids;
	int nids = 0, ch, rc, use_stdin = 0, dry = 0, json = 0;

	memset(&o, 0, sizeof(o));
	while ((ch = getopt_long(argc, argv, "+C:njh", lopts, NULL)) != -1) {
		switch (ch) {
		case 'C': deskpath = optarg; break;
		case 'c': o.cascade = 1; break;
		case 'E': o.noexec = 1; break;
		case 'n': dry = o.noexec = 1; break;
		case 'j': json = 1; break;
		case 's': use_stdin = 1; break;
		case 'V': values = optarg; break;
		default: cli_common(ch, usage);
		}
	}
	if (values && optind != argc)
		cli_usage(usage, 0);
	if (values)
		return print_values(deskpath, values);
	ids = xcalloc((size_t)(argc + 1), sizeof(*ids));
	o.as = xcalloc((size_t)(argc + 1), sizeof(*o.as));
	for (int i = optind; i < argc; i++) {
		if (strchr(argv[i], '=') == NULL) {
			ids[nids++] = argv[i];
			continue;
		}
		if (assign_parse(argv[i], &o.as[o.nas]) != 0) {
			warnx("%s", rt_errmsg());
			cli_usage(usage, 0);
		}
		o.nas++;
	}
	if (o.nas == 0 || (use_stdin && nids > 0))
		cli_usage(usage, 0);
	if ((rc = desk_open(&d, deskpath, 0)) != 0)
		cli_die(rc);
	cli_plan_mode(d, dry, json);
	/* Unknown fields and a broken workflow section stop before any change. */
	for (size_t i = 0; i < o.nas && rc == 0; i++)
		rc = field_settable(d, o.as[i].field);
	if (rc == 0)
		rc = workflow_validate(d);
	if (rc != 0) {
		warnx("%s", rt_errmsg());
	} else {
		status_hook_add(print_cascaded, NULL);
		rc = cli_each_id(d, nids, ids, set_one, &o);
	}
	desk_close(d);
	for (size_t i = 0; i < o.nas; i++)
		assign_free(&o.as[i]);
	free(o.as);
	free(ids);
	return cli_close_stdout(rc);
}
