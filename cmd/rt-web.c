/* rt-web: the desk over HTTP as a CGI program (webhooks, contact form, status pages) */
#include <err.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "desk.h"
#include "util.h"
#include "web.h"

static const char usage[] =
"usage: rt-web                      (as a CGI program: GATEWAY_INTERFACE is set)\n"
"       rt-web [--desk DIR] --token ADDR | --revoke ADDR | --restore ADDR\n"
"Answer one HTTP request through CGI: POST /hook/NAME, GET and POST /new,\n"
"GET /status/TOKEN, GET / (the form). From a shell:\n"
"  --token ADDR     print the status page path of requestor ADDR\n"
"  --revoke ADDR    make that page unreachable\n"
"  --restore ADDR   make it reachable again\n";

static int
cgi(void)
{
	struct web_req r;
	struct web_resp w;
	size_t len;
	char *out;
	int rc = 0;

	/* What the web brings in is committed as rt-web's, not as the server user's. */
	setenv("RT_ACTOR", "rt-web", 0);
	web_req_env(&r);
	web_resp_init(&w);
	web_serve(NULL, &r, &w);
	if (w.log.len)	/* the server's error log; never the client */
		fprintf(stderr, "rt-web: %s %s: %s", r.method, r.path, w.log.buf);
	cli_warnings();	/* a bad rt.yaml value, one line each: the error log too */
	out = web_resp_render(&w, &len);
	if (fwrite(out, 1, len, stdout) != len || fflush(stdout) != 0)
		rc = EX_IOERR;
	free(out);
	web_resp_free(&w);
	return rc;
}

int
main(int argc, char *argv[])
{
	static const struct option opts[] = {
		{ "token", required_argument, NULL, 't' },
		{ "revoke", required_argument, NULL, 'r' },
		{ "restore", required_argument, NULL, 'R' },
		CLI_COMMON_OPTS,
		{ NULL, 0, NULL, 0 }
	};
	const char *deskpath = NULL, *addr = NULL;
	char tok[33];
	struct desk *d;
	int ch, what = 0, rc;

	if (getenv("GATEWAY_INTERFACE") && argc == 1)
		return cgi();
	while ((ch = getopt_long(argc, argv, "C:h", opts, NULL)) != -1) {
		switch (ch) {
		case 'C': deskpath = optarg; break;
		case 't': case 'r': case 'R':
			if (what)
				cli_usage(usage, 0);
			what = ch;
			addr = optarg;
			break;
		default: cli_common(ch, usage);
		}
	}
	if (optind != argc || !what)
		cli_usage(usage, 0);
	if ((rc = desk_open(&d, deskpath, 0)) != 0)
		cli_die(rc);
	if (what == 't')
		rc = web_status_token(d, addr, tok);
	else
		rc = web_status_revoke(d, addr, what == 'r');
	if (rc == 0 && what == 't') {
		char *url = web_status_url(d, addr);
		if (url)
			printf("%s\n", url);
		else
			printf("/status/%s\n", tok);
		free(url);
	}
	desk_close(d);
	if (rc != 0)
		cli_die(rc);
	return cli_close_stdout(0);
}
