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
#include "ticket.h"
#include "util.h"
#include "workflow.h"

static const char usage[] =
"usage: rt-set [--desk DIR] [-n] [--json] [--cascade] [--no-exec] [--stdin] [ID ...]\n"
"              FIELD=VALUE ...\n"
"Set ticket fields; print each ticket's id. Ids come from arguments or stdin.\n"
"  FIELD=VALUE      set (empty VALUE clears); FIELD+=X / FIELD-=X add/remove list items\n"
"  -n, --dry-run    print what would change (ID field=value ...), change nothing\n"
"  -j, --json       print each ticket's changes as a JSON object, one per line\n"
"  --cascade        resolving or closing a ticket does the same to its children\n"
"  --no-exec        do not run the workflow's exec actions\n"
"  --stdin          read ticket ids from stdin (the default without ID arguments)\n"
"Fields: status owner queue priority severity type tags due team customer subject\n"
"cc requestors language, and custom fields declared under fields: in rt.yaml.\n";

struct opts {
	struct assign *as;
	size_t nas;
	int cascade, noexec;
	int depth;
};

static char *
summary_of(const struct change *c)
{
	struct sbuf sb = SBUF_INIT;

	for (size_t i = 0; i < c->nevents; i++) {
		const char *f = kv_get(&c->events[i], "field"), *v = kv_get(&c->events[i], "new");
		if (strcmp(kv_get(&c->events[i], "ev"), "set") != 0 || f == NULL)
			continue;
		sbuf_addf(&sb, "%s%s=%s", sb.len ? " " : "", f, v ? v : "");
	}
	return sb.buf ? sbuf_detach(&sb) : xstrdup("");
}

static int set_one(struct desk *d, const char *id, void *arg);

/* Resolving a parent resolves its open children, one commit each. */
static int
cascade(struct desk *d, const char *children, const char *status, struct opts *o)
{
	struct assign a = { (char *)"status", '=', (char *)status };
	struct opts sub = { &a, 1, o->cascade, o->noexec, o->depth + 1 };
	char **kids;
	size_t n = str_split(children, ",", &kids);
	int status_rc = 0, rc;

	if (o->depth >= 16) {
		strv_free(kids, n);
		warnx("cascade deeper than 16 levels stopped");
		return EX_DATAERR;
	}
	for (size_t i = 0; i < n; i++) {
		struct kvmap t = KVMAP_INIT;
		ticket_id kid;
		if (id_parse(kids[i], kid) != 0 || ticket_load(d, kid, &t, NULL) != 0) {
			warnx("#%s: child '%s' not found", kids[i], kids[i]);
			status_rc = status_rc ? status_rc : EX_DATAERR;
		} else if (!status_is_done(kv_get(&t, "status"))) {
			if ((rc = set_one(d, kid, &sub)) != 0 && status_rc == 0)
				status_rc = rc;
		}
		kv_free(&t);
	}
	strv_free(kids, n);
	return status_rc;
}

static int
set_one(struct desk *d, const char *id, void *arg)
{
	struct opts *o = arg;
	struct change c;
	char *from = NULL, *summary = NULL, *children = NULL;
	const char *to;
	struct kvmap after = KVMAP_INIT, work = KVMAP_INIT;
	int rc, committed = 0, st_changed = 0;

	if ((rc = desk_lock(d)) != 0) {
		warnx("#%s: %s", id, rt_errmsg());
		return rc;
	}
	if ((rc = change_begin(&c, d, id, "set")) != 0)
		goto out;
	if (kv_get(&c.ticket, "status"))
		from = xstrdup(kv_get(&c.ticket, "status"));
	/* Assignments combine first, so "tags+=a tags-=b" records one event. */
	kv_copy(&work, &c.ticket);
	for (size_t i = 0; i < o->nas; i++) {
		char *v;
		if ((rc = assign_value(d, &work, &o->as[i], &v)) != 0)
			goto out;
		kv_set(&work, o->as[i].field, v);
		free(v);
	}
	for (size_t i = 0; i < o->nas; i++)
		change_set(&c, o->as[i].field, kv_get(&work, o->as[i].field));
	to = kv_get(&c.ticket, "status");
	if (to && (from == NULL || strcmp(from, to) != 0)) {
		if (from && strcmp(from, "merged") == 0) {
			rc = rt_fail(EX_DATAERR, "ticket is merged into #%s",
			    kv_get(&c.ticket, "merged-into") ? kv_get(&c.ticket, "merged-into") : "?");
			goto out;
		}
		if ((rc = workflow_check(d, &c.ticket, from, to)) != 0 ||
		    (rc = workflow_apply(d, &c, to)) != 0)
			goto out;
		st_changed = 1;
	}
	if (c.dirty) {
		summary = summary_of(&c);
		if ((rc = change_commit(&c, summary)) != 0)
			goto out;
		committed = 1;
		kv_copy(&after, &c.ticket);
	}
out:
	if (rc == 0 && st_changed && status_is_done(kv_get(&c.ticket, "status")) &&
	    kv_get(&c.ticket, "children") &&
	    (o->cascade || workflow_cascade(d, &c.ticket)))
		children = xstrdup(kv_get(&c.ticket, "children"));
	change_free(&c);
	desk_unlock(d);
	if (rc != 0)
		warnx("#%s: %s", id, rt_errmsg());
	else if (d->plan == NULL) {
		printf("%s\n", id);
		fflush(stdout);
	}
	if (committed && st_changed && !o->noexec) {
		const char *st = kv_get(&after, "status");
		int xrc = workflow_exec(d, &after, id, st);
		if (xrc != 0) {
			warnx("#%s: %s", id, rt_errmsg());
			rc = xrc;
		}
	}
	if (children) {
		int crc = cascade(d, children, kv_get(&after, "status"), o);
		if (rc == 0)
			rc = crc;
	}
	kv_free(&after);
	kv_free(&work);
	free(children);
	free(from);
	free(summary);
	return rc;
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
		CLI_COMMON_OPTS,
		{ NULL, 0, NULL, 0 }
	};
	const char *deskpath = NULL;
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
		default: cli_common(ch, usage);
		}
	}
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
	} else
		rc = cli_each_id(d, nids, ids, set_one, &o);
	desk_close(d);
	for (size_t i = 0; i < o.nas; i++)
		assign_free(&o.as[i]);
	free(o.as);
	free(ids);
	return cli_close_stdout(rc);
}
