/* rt-new: open a ticket by hand (a phone call, a visit); print its id */
#include <err.h>
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
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

static int
read_stream(FILE *f, char **out)
{
	struct sbuf sb = SBUF_INIT;
	char buf[65536];
	size_t k;

	while ((k = fread(buf, 1, sizeof(buf), f)) > 0)
		sbuf_add(&sb, buf, k);
	if (ferror(f)) {
		sbuf_free(&sb);
		return rt_fail(EX_IOERR, "cannot read the text: %s", strerror(errno));
	}
	*out = utf8_clean(sb.buf ? sb.buf : "", sb.len, 0);
	sbuf_free(&sb);
	return 0;
}

/* The text from $VISUAL / $EDITOR on a temporary file. */
static int
edit_text(char **out)
{
	const char *ed = getenv("VISUAL");
	char path[] = "/tmp/rt-new-XXXXXX.txt", *cmd;
	int fd, st = 0, rc;
	pid_t pid;
	FILE *f;

	if (ed == NULL || *ed == '\0')
		ed = getenv("EDITOR");
	if (ed == NULL || *ed == '\0')
		ed = "vi";
	if ((fd = mkstemps(path, 4)) < 0)
		return rt_fail(EX_CANTCREAT, "cannot create a temporary file: %s", strerror(errno));
	close(fd);
	cmd = xasprintf("%s \"$1\"", ed);
	if ((pid = fork()) == 0) {
		execl("/bin/sh", "sh", "-c", cmd, "rt-new", path, (char *)NULL);
		_exit(127);
	}
	free(cmd);
	while (pid > 0 && waitpid(pid, &st, 0) < 0 && errno == EINTR)
		;
	if (pid < 0 || !WIFEXITED(st) || WEXITSTATUS(st) != 0) {
		unlink(path);
		return rt_fail(EX_UNAVAILABLE, "editor '%s' failed, nothing stored", ed);
	}
	if ((f = fopen(path, "r")) == NULL) {
		rc = rt_fail(EX_IOERR, "cannot read '%s': %s", path, strerror(errno));
		unlink(path);
		return rc;
	}
	rc = read_stream(f, out);
	fclose(f);
	unlink(path);
	return rc;
}

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
	char *text = NULL, *preview = NULL;
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
	else if ((rc = isatty(STDIN_FILENO) ? edit_text(&text) : read_stream(stdin, &text)) != 0)
		cli_die(rc);
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
