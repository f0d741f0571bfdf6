/* rt-reply: answer tickets by mail, from templates, articles or free text */
#include <err.h>
#include <errno.h>
#include <getopt.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "desk.h"
#include "fieldset.h"
#include "jsonout.h"
#include "kv.h"
#include "reply.h"
#include "ticket.h"
#include "util.h"
#include "yamlio.h"

static const char usage[] =
"usage: rt-reply [--desk DIR] [-n] [-t NAME] [--cc ADDR] [--quote] [--set-status STATUS]\n"
"                [--auto] [ID...]\n"
"       rt-reply [--desk DIR] --suggest [--json] [ID...]\n"
"       rt-reply [--desk DIR] --notify [ID...]\n"
"       rt-reply [--desk DIR] --list [--json] [ID]\n"
"Answer tickets by mail (chat, social, phone: through channels.NAME.command);\n"
"print the id of each ticket answered.\n"
"  -t, --template NAME  answer from a template, kb:ARTICLE, or auto (ids from stdin too)\n"
"  -n, --dry-run        print the message instead of sending it\n"
"      --cc ADDR        send a copy to ADDR too (repeatable)\n"
"      --quote          quote the customer's last message\n"
"      --set-status S   set the ticket's status to S with the reply (e.g. waiting)\n"
"      --auto           treat the reply as automatic (loop protection applies)\n"
"      --suggest        rank templates and articles for each ticket\n"
"      --notify         send status-update if reply.notify-status is true\n"
"      --list           list the template names (for ID: as it would choose)\n"
"  -j, --json           --suggest and --list as JSON, one object per line\n"
"Without --template, the answer is read from stdin, or from $EDITOR on a terminal.\n";

#define SUGGEST_TOP 5

static struct reply_opts opts;
static int suggest_mode, nsuggest, json;

static int
one(struct desk *d, const char *id, void *arg)
{
	struct reply_result r;
	int rc;

	(void)arg;
	rc = reply_ticket(d, id, &opts, &r);
	if (rc == 0 && r.warning)
		warnx("#%s: warning: %s", id, r.warning);
	if (rc != 0)
		cli_ticket_fail(id, rc);
	else if (r.skipped)
		warnx("#%s: nothing sent: %s", id, r.skipped);
	else if (r.sent && !opts.dry_run)
		printf("%s\n", id);
	reply_result_free(&r);
	return rc;
}

/* One JSON object per line (JSON Lines); takes the reference. */
static void
print_json(json_t *o)
{
	jsonout_doc(stdout, o, JSONOUT_LINE);
}

static int
suggest(struct desk *d, const char *id, void *arg)
{
	struct suggestion *s;
	size_t n;
	int rc;

	(void)arg;
	if ((rc = reply_suggest(d, id, &s, &n)) != 0)
		return cli_ticket_fail(id, rc);
	if (json) {
		json_t *o = json_object(), *a = json_array();
		for (size_t i = 0; i < n && i < SUGGEST_TOP; i++)
			json_array_append_new(a, json_pack("{s:s, s:f, s:s}", "name", s[i].name,
			    "score", s[i].score, "title", s[i].title ? s[i].title : ""));
		json_object_set_new(o, "id", json_string(id));
		json_object_set_new(o, "suggestions", a);
		print_json(o);
		suggestions_free(s, n);
		return 0;
	}
	if (nsuggest++ > 0)
		printf("\n");
	printf("#%s\n", id);
	for (size_t i = 0; i < n && i < SUGGEST_TOP; i++)
		printf("%7.2f  %-28s %s\n", s[i].score, s[i].name, s[i].title);
	suggestions_free(s, n);
	return 0;
}

static int
list_names(struct desk *d, int argc, char **argv)
{
	char **v;
	size_t n;
	int rc;

	if (argc > 1)
		cli_usage(usage, 0);
	if ((rc = reply_names(d, argc ? argv[0] : NULL, &v, &n)) != 0) {
		if (argc)
			warnx("#%s: %s", argv[0], rt_errmsg());
		else
			warnx("%s", rt_errmsg());
		return rc;
	}
	for (size_t i = 0; i < n; i++)
		if (json)
			print_json(json_pack("{s:s}", "name", v[i]));
		else
			printf("%s\n", v[i]);
	strv_free(v, n);
	return 0;
}

/*
 * The answer from $EDITOR: for one ticket the file holds the quoted
 * conversation and the ticket's context (reply_draft); the quote left in
 * it is the quote sent.
 */
static int
edit(struct desk *d, int argc, char **argv, char **text)
{
	char *draft = NULL, *edited = NULL, *answer;
	size_t len;
	int rc;

	if (argc != 1)
		return cli_edit_text("nothing sent", text, &len);
	if ((rc = reply_draft(d, argv[0], &draft)) != 0 ||
	    (rc = cli_edit_draft(draft, "nothing sent", &edited, &len)) != 0) {
		free(draft);
		return rc;
	}
	answer = reply_draft_answer(edited);
	*text = answer ? answer : xstrdup("");
	opts.quote = 0;
	free(draft);
	free(edited);
	return 0;
}

/* The tickets are looked up before the answer is read or checked. */
static int
known(struct desk *d, const char *id, void *arg)
{
	struct kvmap t = KVMAP_INIT;
	int rc = ticket_load(d, id, &t, NULL);

	(void)arg;
	if (rc != 0)
		cli_ticket_fail(id, rc);
	kv_free(&t);
	return rc;
}

static int
blank(const char *s)
{
	return s[strspn(s, " \t\r\n")] == '\0';
}

int
main(int argc, char *argv[])
{
	static const struct option lopts[] = {
		{ "template", required_argument, NULL, 't' },
		{ "dry-run", no_argument, NULL, 'n' },
		{ "cc", required_argument, NULL, 'c' },
		{ "quote", no_argument, NULL, 'Q' },
		{ "set-status", required_argument, NULL, 'T' },
		{ "status", required_argument, NULL, 's' },	/* deprecated */
		{ "json", no_argument, NULL, 'j' },
		{ "auto", no_argument, NULL, 'a' },
		{ "suggest", no_argument, NULL, 'S' },
		{ "notify", no_argument, NULL, 'N' },
		{ "list", no_argument, NULL, 'L' },
		CLI_COMMON_OPTS,
		{ NULL, 0, NULL, 0 }
	};
	const char *deskpath = NULL;
	char *text = NULL;
	size_t textlen;
	struct desk *d;
	int ch, rc, notify = 0, list = 0;

	opts.dry_out = stdout;
	while ((ch = getopt_long(argc, argv, "C:t:nqs:jh", lopts, NULL)) != -1) {
		switch (ch) {
		case 'C': deskpath = optarg; break;
		case 't': opts.tmpl = optarg; break;
		case 'n': opts.dry_run = 1; break;
		case 'c':
			opts.cc = xrealloc(opts.cc, (opts.ncc + 1) * sizeof(*opts.cc));
			opts.cc[opts.ncc++] = optarg;
			break;
		case 'q': cli_deprecated("-q (--quote)", "--quote; -q will mean --quiet");
			/* FALLTHROUGH */
		case 'Q': opts.quote = 1; break;
		case 's': cli_deprecated("-s/--status STATUS", "--set-status STATUS");
			/* FALLTHROUGH */
		case 'T': opts.status = optarg; break;
		case 'j': json = 1; break;
		case 'a': opts.force_auto = 1; break;
		case 'S': suggest_mode = 1; break;
		case 'N': notify = 1; break;
		case 'L': list = 1; break;
		default: cli_common(ch, usage);
		}
	}
	argc -= optind;
	argv += optind;
	if (suggest_mode + notify + list > 1 || (json && !suggest_mode && !list) ||
	    ((suggest_mode || list) && (opts.tmpl ||
	    opts.dry_run || opts.ncc || opts.quote || opts.status || opts.force_auto)) ||
	    (notify && opts.tmpl))
		cli_usage(usage, 0);
	if (opts.status && status_name_check(opts.status, EX_USAGE) != 0)
		errx(EX_USAGE, "--set-status: %s", rt_errmsg());
	if (notify)
		opts.tmpl = "status-update";
	if ((rc = desk_open(&d, deskpath, 0)) != 0)
		cli_die(rc);
	if (list)
		rc = list_names(d, argc, argv);
	else if (suggest_mode)
		rc = cli_each_id(d, argc, argv, suggest, NULL);
	else if (notify && ynode_bool(desk_cfg(d, "reply.notify-status")) != 1) {
		/* notifications are off: nothing to do */
		rc = 0;
	} else if (opts.tmpl) {
		double th;
		if ((rc = reply_threshold(d, &th)) != 0)
			warnx("%s", rt_errmsg());
		else
			rc = cli_each_id(d, argc, argv, one, NULL);
	} else {
		/* free text: the ids are arguments, the answer comes on stdin */
		if (argc == 0) {
			warnx("name the ticket to answer (the answer is read from stdin)");
			rc = EX_USAGE;
		} else if ((rc = cli_each_id(d, argc, argv, known, NULL)) != 0) {
			/* said for each id: no answer is asked for */
		} else if ((rc = isatty(0) ? edit(d, argc, argv, &text) :
		    cli_read_all(stdin, "answer", &text, &textlen)) != 0)
			warnx("%s", rt_errmsg());
		else if (blank(text)) {
			warnx("empty answer, nothing sent");
			rc = EX_NOINPUT;
		} else {
			opts.text = text;
			int status = 0;
			for (int i = 0; i < argc; i++)
				status = rt_worse(status, cli_each_id(d, 1, argv + i, one, NULL));
			rc = status;
		}
	}
	desk_close(d);
	free(text);
	free(opts.cc);
	return cli_close_stdout(rc);
}
