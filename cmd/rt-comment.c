/* rt-comment: add an internal note to tickets; notes are never mailed */
#include <err.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "change.h"
#include "notify.h"
#include "cli.h"
#include "desk.h"
#include "text.h"
#include "util.h"

static const char usage[] =
"usage: rt-comment [--desk DIR] [-n] [--json] [-m TEXT] ID ...\n"
"Add an internal note (never mailed) to tickets; print each id.\n"
"  -m, --message TEXT   the note (default: read from standard input)\n"
"  -n, --dry-run        print what would change (ID comment:file=...), change nothing\n"
"  -j, --json           print each changed ticket as a JSON object, one per line\n";

struct note {
	char *text;
	size_t len;
};

static int
comment_one(struct desk *d, const char *id, void *arg)
{
	struct note *n = arg;
	struct change c;
	char *file, *first, *summary;
	int rc;

	if ((rc = desk_lock(d)) != 0)
		return cli_ticket_fail(id, rc);
	if ((rc = change_begin(&c, d, id, "comment")) == 0) {
		struct kvmap *ev;
		char *who = notify_mentions(d, n->text, n->len);
		file = change_add_file(&c, "note", n->text, n->len);
		ev = change_event(&c, "comment");
		kv_set(ev, "file", file);
		kv_set(ev, "mentions", who);	/* @NAME: told by lib/notify.c */
		free(who);
		first = utf8_clean(n->text, strcspn(n->text, "\n"), 1);
		summary = xasprintf("%.60s", first);
		rc = change_commit(&c, summary);
		free(summary);
		free(first);
		free(file);
	}
	change_free(&c);
	desk_unlock(d);
	return cli_ticket_done(d, id, rc);
}

int
main(int argc, char *argv[])
{
	static const struct option opts[] = {
		{ "message", required_argument, NULL, 'm' },
		{ "dry-run", no_argument, NULL, 'n' },
		{ "json", no_argument, NULL, 'j' },
		CLI_COMMON_OPTS,
		{ NULL, 0, NULL, 0 }
	};
	const char *deskpath = NULL, *msg = NULL;
	char *raw;
	size_t len;
	struct note n;
	struct desk *d;
	int ch, rc, dry = 0, json = 0;

	while ((ch = getopt_long(argc, argv, "C:m:njh", opts, NULL)) != -1) {
		switch (ch) {
		case 'C': deskpath = optarg; break;
		case 'm': msg = optarg; break;
		case 'n': dry = 1; break;
		case 'j': json = 1; break;
		default: cli_common(ch, usage);
		}
	}
	if (optind == argc)
		cli_usage(usage, 0);	/* stdin carries the text, so ids are arguments */
	if (msg)
		n.text = utf8_clean(msg, strlen(msg), 0);
	else if ((rc = cli_read_all(stdin, "note", &raw, &len)) != 0)
		cli_die(rc);
	else {
		n.text = utf8_clean(raw, len, 0);
		free(raw);
	}
	{
		char *t = xstrdup(n.text), *trim = str_trim(t);
		int empty = *trim == '\0';
		free(t);
		if (empty) {
			free(n.text);
			errx(EX_DATAERR, "empty note, nothing stored");
		}
	}
	n.len = strlen(n.text);
	if (n.text[n.len - 1] != '\n') {
		char *t = xasprintf("%s\n", n.text);
		free(n.text);
		n.text = t;
		n.len++;
	}
	if ((rc = desk_open(&d, deskpath, 0)) != 0)
		cli_die(rc);
	cli_plan_mode(d, dry, json);
	rc = cli_each_id(d, argc - optind, argv + optind, comment_one, &n);
	desk_close(d);
	free(n.text);
	return cli_close_stdout(rc);
}
