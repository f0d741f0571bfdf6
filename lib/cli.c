/* cli.c: what every rt command shares: usage, id loops, stdout checks */
#include <err.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cache.h"
#include "cli.h"
#include "desk.h"
#include "id.h"
#include "util.h"

void
cli_usage(const char *usage, int help)
{
	fprintf(help ? stdout : stderr, "%s", usage);
	exit(help ? 0 : EX_USAGE);
}

void
cli_common(int ch, const char *usage)
{
	if (ch == 'h')
		cli_usage(usage, 1);
	if (ch == 'V') {
		printf("%s %s\n", program_invocation_short_name, RT_VERSION);
		exit(0);
	}
	cli_usage(usage, 0);
}

void
cli_warnings(void)
{
	char *w;

	while ((w = rt_warning_take()) != NULL) {
		warnx("%s", w);
		free(w);
	}
}

void
cli_die(int code)
{
	cli_warnings();
	errx(code ? code : EX_SOFTWARE, "%s", rt_errmsg());
}

static int
one_id(struct desk *d, const char *word, cli_id_fn fn, void *arg)
{
	ticket_id id, live;
	int rc;

	if (id_parse(word, id) != 0) {
		warnx("'%s' is not a ticket id", word);
		return EX_DATAERR;
	}
	if (d->cache && cache_resolve(d, id, live) == 0)
		memcpy(id, live, sizeof(id));
	rc = fn(d, id, arg);
	cli_warnings();		/* next to the ticket they are about */
	return rc;
}

int
cli_each_id(struct desk *d, int argc, char **argv, cli_id_fn fn, void *arg)
{
	char *line = NULL;
	size_t cap = 0;
	int status = 0, rc;

	if (argc > 0) {
		for (int i = 0; i < argc; i++)
			if ((rc = one_id(d, argv[i], fn, arg)) != 0 && status == 0)
				status = rc;
		return status;
	}
	if (isatty(0)) {
		warnx("no ticket ids given (as arguments or on stdin)");
		return EX_USAGE;
	}
	while (getline(&line, &cap, stdin) > 0) {
		char *w = str_trim(line);
		w[strcspn(w, " \t")] = '\0';
		if (*w == '\0')
			continue;
		if ((rc = one_id(d, w, fn, arg)) != 0 && status == 0)
			status = rc;
		fflush(stdout);
	}
	free(line);
	return status;
}

int
cli_close_stdout(int status)
{
	cli_warnings();
	if (fflush(stdout) != 0 || ferror(stdout) || fclose(stdout) != 0) {
		if (errno == EPIPE)
			return status;
		warn("write error on standard output");
		return status ? status : EX_IOERR;
	}
	return status;
}
