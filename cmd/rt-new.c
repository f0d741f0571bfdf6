/* rt-new: open a ticket by hand (a phone call, a visit); print its id */
#include <err.h>
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "desk.h"
#include "fieldset.h"
#include "newticket.h"
#include "text.h"
#include "util.h"

static const char usage[] =
"usage: rt-new [--desk DIR] [-n] [-q] -r REQUESTOR -c CHANNEL --subject TEXT\n"
"              [-m TEXT] [FIELD=VALUE ...]\n"
"Open a ticket by hand and print its id. The text comes from -m, stdin,\n"
"or $EDITOR on a terminal; an empty text stores nothing.\n"
"  -r, --requestor ADDR  the customer, \"Name <addr>\" or addr\n"
"  -c, --channel NAME    phone, walk-in, mail, letter, ...\n"
"      --subject TEXT    the ticket's subject\n"
"  -m, --message TEXT    the request as taken down\n"
"  -n, --dry-run         print what would be stored; store nothing\n"
"  -q, --quiet           do not print the id\n"
"FIELD=VALUE sets queue, priority, owner, tags, ... as rt-set checks them.\n";


int
main(int argc, char *argv[])
{
	static const struct option lopts[] = {
		{ "requestor", required_argument, NULL, 'r' },
		{ "channel", required_argument, NULL, 'c' },
		{ "subject", required_argument, NULL, 's' },
		{ "message", required_argument, NULL, 'm' },
		{ "dry-run", no_argument, NULL, 'n' },
		{ "quiet", no_argument, NULL, 'q' },
		CLI_COMMON_OPTS,
		{ NULL, 0, NULL, 0 }
	};
	const char *deskpath = NULL, *msg = NULL;
	struct newticket nt;
	struct assign *as;
	struct desk *d;
	ticket_id id;
	char *text = NULL, *preview = NULL, *raw;
	size_t len;
	int ch, rc, dry = 0, quiet = 0;

	memset(&nt, 0, sizeof(nt));
	while ((ch = getopt_long(argc, argv, "C:r:c:m:nqh", lopts, NULL)) != -1) {
		switch (ch) {
		case 'C': deskpath = optarg; break;
		case 'r': nt.requestor = optarg; break;
		case 'c': nt.channel = optarg; break;
		case 's': nt.subject = optarg; break;
		case 'm': msg = optarg; break;
		case 'n': dry = 1; break;
		case 'q': quiet = 1; break;
		default: cli_common(ch, usage);
		}
	}
	if (nt.requestor == NULL || nt.channel == NULL || nt.subject == NULL)
		cli_usage(usage, 0);
	as = xcalloc((size_t)(argc + 1), sizeof(*as));
	for (int i = optind; i < argc; i++) {
		if (assign_parse(argv[i], &as[nt.nas]) != 0) {
			warnx("%s", rt_errmsg());
			cli_usage(usage, 0);
		}
		nt.nas++;
	}
	nt.as = as;
	if (msg)
		text = utf8_clean(msg, strlen(msg), 0);
	else {
		rc = isatty(STDIN_FILENO) ? cli_edit_text("nothing stored", &raw, &len) :
		    cli_read_all(stdin, "text", &raw, &len);
		if (rc != 0)
			cli_die(rc);
		text = utf8_clean(raw, len, 0);
		free(raw);
	}
	nt.text = text;
	if ((rc = desk_open(&d, deskpath, 0)) != 0)
		cli_die(rc);
	rc = newticket_create(d, &nt, dry, id, dry ? &preview : NULL);
	if (rc != 0)
		warnx("%s", rt_errmsg());
	else if (dry)
		fputs(preview, stdout);
	else if (!quiet)
		printf("%s\n", id);
	desk_close(d);
	for (size_t i = 0; i < nt.nas; i++)
		assign_free(&as[i]);
	free(as);
	free(text);
	free(preview);
	return cli_close_stdout(rc);
}
