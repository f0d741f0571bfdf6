/* rt-quarantine: list, show and re-ingest the input rt-ingest could not store */
#include <err.h>
#include <getopt.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "desk.h"
#include "humantime.h"
#include "jsonout.h"
#include "quarantine.h"
#include "text.h"
#include "util.h"

static const char usage[] =
"usage: rt-quarantine [--desk DIR] [-j | --utc]\n"
"       rt-quarantine [--desk DIR] show [--bytes N] [--raw] ID\n"
"       rt-quarantine [--desk DIR] reingest [-q] [--mail | --event [--source NAME]] ID ...\n"
"List the input rt-ingest kept in quarantine/, show one entry, or feed\n"
"entries back through rt-ingest's path (removed from quarantine once stored).\n"
"  -j, --json       the list as a JSON array (times UTC)\n"
"  --utc            times in UTC, not in desk.timezone or TZ\n"
"  --bytes N        show the first N bytes of the kept input (default 2048)\n"
"  --raw            show: the kept bytes unchanged (not to a terminal)\n"
"  --mail, --event  reingest as mail or as an event payload (default: guessed)\n"
"  --source NAME    the events' source, as rt-ingest --source\n"
"  -q, --quiet      reingest: do not print the ticket ids\n";

static struct {
	int json, raw, quiet, utc;
	long bytes;
	const char *kind, *source;
} o = { 0, 0, 0, 0, 2048, NULL, NULL };

static void
size_str(long long n, char buf[32])
{
	if (n < 0)
		snprintf(buf, 32, "?");
	else if (n < 10240)
		snprintf(buf, 32, "%lld", n);
	else if (n < 10240 * 1024)
		snprintf(buf, 32, "%lldK", n / 1024);
	else
		snprintf(buf, 32, "%lldM", n / (1024 * 1024));
}

static int
list(struct desk *d, const struct qlist *l)
{
	(void)d;
	if (o.json) {
		json_t *a = json_array();
		for (size_t i = 0; i < l->n; i++) {
			const struct qentry *e = &l->v[i];
			json_t *j = json_pack("{s:s, s:s?, s:s?, s:s, s:s?, s:s?, s:s?}",
			    "id", e->id, "received", e->received, "reason", e->reason,
			    "kind", e->kind, "source", e->source, "file", e->kept, "kept", e->partial);
			if (e->size >= 0)
				json_object_set_new(j, "size", json_integer(e->size));
			json_array_append_new(a, j);
		}
		return jsonout_doc(stdout, a, JSONOUT_PRETTY);
	}
	if (l->n == 0)
		return 0;
	/*
	 * ID and SOURCE as wide as their longest value (NAME-2 of a second's
	 * other record, an event source's name), as rt-ls sizes its columns.
	 */
	char **srcs = xcalloc(l->n, sizeof(*srcs)), **ids = xcalloc(l->n, sizeof(*ids));
	int idw = 2, srcw = 6;
	for (size_t i = 0; i < l->n; i++) {
		const struct qentry *e = &l->v[i];
		char *src = e->source ? xasprintf("%s/%s", e->kind, e->source) : xstrdup(e->kind);
		srcs[i] = text_term(src, strlen(src), 0);
		free(src);
		ids[i] = text_term(e->id, strlen(e->id), 0);
		if ((int)strlen(ids[i]) > idw)
			idw = (int)strlen(ids[i]);
		if ((int)strlen(srcs[i]) > srcw)
			srcw = (int)strlen(srcs[i]);
	}
	printf("%-*s  %-25s %6s %-*s %s\n", idw, "ID", "RECEIVED", "SIZE", srcw, "SOURCE", "REASON");
	for (size_t i = 0; i < l->n; i++) {
		const struct qentry *e = &l->v[i];
		char sz[32], at[HUMAN_TIMELEN], *reason = text_term(e->reason ? e->reason : "?",
		    strlen(e->reason ? e->reason : "?"), 0);
		size_str(e->size, sz);
		printf("%-*s  %-25s %6s %-*s %s%s\n", idw, ids[i],
		    e->received ? human_time_str(e->received, at) : "?", sz,
		    srcw, srcs[i], reason, e->partial ? " [partial]" : "");
		free(reason);
		free(srcs[i]);
		free(ids[i]);
	}
	free(srcs);
	free(ids);
	return 0;
}

static int
show(struct desk *d, const struct qentry *e)
{
	char *buf, *text, sz[32], at[HUMAN_TIMELEN];
	struct sbuf tmp = SBUF_INIT;
	size_t len, n;
	int rc;

	if ((rc = quarantine_read(d, e, &buf, &len)) != 0)
		return rc;
	if (o.raw) {
		if ((rc = raw_stdout_ok("--raw")) != 0) {
			free(buf);
			return rc;
		}
		fwrite(buf, 1, len, stdout);
		free(buf);
		return 0;
	}
	size_str(e->size, sz);
	printf("id           %s\n", text_term_str(e->id, 0, &tmp));
	printf("received     %s\n", e->received ? human_time_str(e->received, at) : "?");
	printf("reason       %s\n", text_term_str(e->reason ? e->reason : "?", 0, &tmp));
	printf("kind         %s\n", text_term_str(e->kind, 0, &tmp));
	if (e->source)
		printf("source       %s\n", text_term_str(e->source, 0, &tmp));
	printf("size         %s\nfile         %s\n", sz, text_term_str(e->kept, 0, &tmp));
	if (e->partial)
		printf("kept         %s\n", text_term_str(e->partial, 0, &tmp));
	sbuf_free(&tmp);
	n = len < (size_t)o.bytes ? len : (size_t)o.bytes;
	text = text_term(buf, n, 1);
	printf("\n%s", text);
	if (*text && text[strlen(text) - 1] != '\n')
		putchar('\n');
	if (n < len)
		printf("[%zu more bytes; rt-quarantine show --raw %s >FILE for all]\n", len - n, e->id);
	free(text);
	free(buf);
	return 0;
}

static int
reingest(struct desk *d, const struct qentry *e)
{
	struct qreingest r;
	int rc;

	memset(&r, 0, sizeof(r));
	r.kind = o.kind;
	r.source = o.source;
	rc = quarantine_reingest(d, e, &r);
	if (rc == 0 && !o.quiet)
		printf("%s\n", r.id);
	else if (rc != 0 && r.requarantined && strcmp(r.requarantined, e->id) != 0)
		warnx("%s: still refused, now %s: %s", e->id, r.requarantined, rt_errmsg());
	else if (rc != 0 && r.requarantined)
		warnx("%s: still refused: %s", e->id, rt_errmsg());
	else if (rc != 0)
		warnx("%s: %s", e->id, rt_errmsg());
	free(r.requarantined);
	return rc;
}

int
main(int argc, char *argv[])
{
	static const struct option lopts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "bytes", required_argument, NULL, 'b' },
		{ "raw", no_argument, NULL, 'r' },
		{ "mail", no_argument, NULL, 'M' },
		{ "event", no_argument, NULL, 'E' },
		{ "source", required_argument, NULL, 's' },
		{ "quiet", no_argument, NULL, 'q' },
		{ "utc", no_argument, NULL, 'u' },
		CLI_COMMON_OPTS,
		{ NULL, 0, NULL, 0 }
	};
	const char *deskpath = NULL, *verb = NULL;
	struct qlist l;
	struct desk *d;
	char *end;
	int ch, rc;

	while ((ch = getopt_long(argc, argv, "C:jqh", lopts, NULL)) != -1) {
		switch (ch) {
		case 'C': deskpath = optarg; break;
		case 'j': o.json = 1; break;
		case 'b':
			o.bytes = strtol(optarg, &end, 10);
			if (end == optarg || *end || o.bytes < 0)
				errx(EX_USAGE, "--bytes takes a number, not '%s'", optarg);
			break;
		case 'r': o.raw = 1; break;
		case 'M': o.kind = "mail"; break;
		case 'E': o.kind = "event"; break;
		case 's': o.source = optarg; break;
		case 'q': o.quiet = 1; break;
		case 'u': o.utc = 1; break;
		default: cli_common(ch, usage);
		}
	}
	if (optind < argc)
		verb = argv[optind++];
	if (verb == NULL || strcmp(verb, "list") == 0) {
		if (optind < argc)
			cli_usage(usage, 0);
	} else if (strcmp(verb, "show") == 0) {
		if (optind + 1 != argc)
			cli_usage(usage, 0);
	} else if (strcmp(verb, "reingest") == 0) {
		if (optind == argc || (o.source && o.kind && strcmp(o.kind, "event") != 0))
			cli_usage(usage, 0);
	} else {
		warnx("unknown subcommand '%s'", verb);
		cli_usage(usage, 0);
	}
	if ((rc = desk_open(&d, deskpath, 0)) != 0)
		cli_die(rc);
	if (human_time_init(d, o.utc) != 0)
		warnx("%s", rt_errmsg());
	if ((rc = quarantine_list(d, &l)) != 0) {
		desk_close(d);
		cli_die(rc);
	}
	if (verb == NULL || strcmp(verb, "list") == 0)
		rc = list(d, &l);
	else {
		for (int i = optind; i < argc; i++) {
			const struct qentry *e;
			int r = quarantine_find(&l, argv[i], &e);
			if (r == 0 && strcmp(verb, "show") == 0 && (r = show(d, e)) != 0)
				warnx("%s: %s", e->id, rt_errmsg());
			else if (r == 0 && strcmp(verb, "reingest") == 0)
				r = reingest(d, e);
			else if (r != 0)
				warnx("%s", rt_errmsg());
			if (r != 0 && rc == 0)
				rc = r;
		}
	}
	qlist_free(&l);
	desk_close(d);
	return cli_close_stdout(rc);
}
