/* rt-report: service level, volumes, escalations and satisfaction at a glance */
#include <err.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "desk.h"
#include "report.h"
#include "util.h"

static const char usage[] =
"usage: rt-report [--desk DIR] [--since DATE] [--until DATE | --as-of DATE]\n"
"                 [--by queue|channel|owner|priority|customer|week|day]\n"
"                 [--topics N] [--csv | --json | --html]\n"
"Figures of the desk over a period (default: the last 30 days).\n"
"  --since DATE     start of the period (inclusive)\n"
"  --until DATE     end of the period (exclusive; a bare date means its end)\n"
"  --as-of DATE     report the desk as it stood at the end of DATE\n"
"  --by KEY         one row per queue, channel, owner, priority, customer, week or day\n"
"  --topics N       list the N most frequent subject keywords and phrases\n"
"  --csv, -j, --json, --html  output format (default: a text table)\n";

enum { F_TEXT, F_CSV, F_JSON, F_HTML };

/* A bare date as an end means the end of that day; a bad one exits 64. */
static void
parse_date(const char *opt, const char *s, int end, time_t *out)
{
	if (rt_time_opt(opt, s, out) != 0)
		errx(EX_USAGE, "%s", rt_errmsg());
	if (end && strlen(s) == 10 && s[4] == '-')
		*out += 86400;
}

int
main(int argc, char *argv[])
{
	static const struct option opts[] = {
		{ "since", required_argument, NULL, 's' },
		{ "until", required_argument, NULL, 'u' },
		{ "as-of", required_argument, NULL, 'a' },
		{ "by", required_argument, NULL, 'b' },
		{ "topics", required_argument, NULL, 't' },
		{ "csv", no_argument, NULL, 'c' },
		{ "json", no_argument, NULL, 'j' },
		{ "html", no_argument, NULL, 'H' },
		CLI_COMMON_OPTS,
		{ NULL, 0, NULL, 0 }
	};
	const char *deskpath = NULL, *since = NULL, *until = NULL, *asof = NULL;
	struct report_opts o;
	struct report r;
	struct desk *d;
	int ch, rc, format = F_TEXT, nformats = 0;
	char *end;

	memset(&o, 0, sizeof(o));
	while ((ch = getopt_long(argc, argv, "C:jh", opts, NULL)) != -1) {
		switch (ch) {
		case 'C': deskpath = optarg; break;
		case 's': since = optarg; break;
		case 'u': until = optarg; break;
		case 'a': asof = optarg; break;
		case 'b':
			if ((rc = report_by_parse(optarg)) < 0)
				errx(EX_USAGE, "unknown grouping '%s' (queue, channel, owner, "
				    "priority, customer, week or day)", optarg);
			o.by = (enum report_by)rc;
			break;
		case 't': {
			long n = strtol(optarg, &end, 10);
			if (end == optarg || *end || n < 1 || n > 10000)
				errx(EX_USAGE, "--topics takes a number from 1 to 10000, not '%s'", optarg);
			o.topics = (size_t)n;
			break;
		}
		case 'c': format = F_CSV, nformats++; break;
		case 'j': format = F_JSON, nformats++; break;
		case 'H': format = F_HTML, nformats++; break;
		default: cli_common(ch, usage);
		}
	}
	if (optind != argc || nformats > 1 || (until && asof))
		cli_usage(usage, 0);
	o.until = rt_now() + 1;	/* the end is exclusive: this second counts */
	o.until_now = 1;
	if (until || asof) {
		parse_date(until ? "until" : "as-of", until ? until : asof, 1, &o.until);
		o.until_now = 0;
	}
	o.as_of = asof != NULL;
	o.since = o.until - o.until_now - 30 * 86400;
	if (since)
		parse_date("since", since, 0, &o.since);
	if (o.since >= o.until)
		errx(EX_USAGE, "empty period: '--since' is not before the end");
	o.charts = format == F_HTML;
	if ((rc = desk_open(&d, deskpath, 0)) != 0)
		cli_die(rc);
	if ((rc = report_run(d, &o, &r)) != 0) {
		report_free(&r);
		desk_close(d);
		cli_die(rc);
	}
	switch (format) {
	case F_CSV: rc = report_csv(&r, stdout); break;
	case F_JSON: rc = report_json(&r, stdout); break;
	case F_HTML: rc = report_html(&r, stdout); break;
	default: rc = report_text(&r, stdout); break;
	}
	report_free(&r);
	desk_close(d);
	return cli_close_stdout(rc);
}
