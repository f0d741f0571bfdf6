/*
 * rt-ls: list tickets from the cache, filtered, sorted and formatted.
 * It reads only the LMDB cache (never the YAML files); the filtering and
 * sorting is lib/query.c, the JSON lib/jsonout.c: this file holds the
 * options and the text layouts.
 */
#include <err.h>
#include <getopt.h>
#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>
#include <wchar.h>

#include "cache.h"
#include "cli.h"
#include "desk.h"
#include "humantime.h"
#include "jsonout.h"
#include "kv.h"
#include "query.h"
#include "text.h"
#include "util.h"

static const char usage[] =
"usage: rt-ls [--desk DIR] [--status LIST | --open] [--queue LIST] [--owner LIST]\n"
"             [--priority LIST] [--tag TAG] [--channel LIST] [--requestor ADDR]\n"
"             [--customer NAME] [--created-since T] [--created-until T]\n"
"             [--updated-since T] [--updated-until T] [--sla due-soon|breached]\n"
"             [--due-window DUR] [--esc-level N] [--where KEY=VALUE] [--all]\n"
"             [--text WORDS] [--sort KEY[,KEY]] [--limit N]\n"
"             [--ids | --json | --count | --format FMT] [--utc]\n"
"List tickets from the cache. LIST is comma-separated; --owner none = unassigned,\n"
"me = you; --priority high+ = high or above; times are RFC 3339, YYYY-MM-DD or\n"
"-N[mhdw] (ago); --text finds tickets whose subject or mails hold every word\n"
"(word beginnings); --sort -KEY sorts descending; --format takes %{key}, \\t, \\n.\n"
"The table shows times in desk.timezone or TZ; --utc in UTC. -j, --json (an array)\n"
"and --format: UTC.\n";

enum { OUT_TABLE, OUT_IDS, OUT_JSON, OUT_COUNT, OUT_FORMAT };

struct ls {
	struct query q;
	int out;
	const char *format;
	struct jsonout_list json;
};

/* Output: every value passes text_term (text.h), which a terminal shows safely. */

static struct sbuf scratch;

static const char *
safe(const char *s)
{
	return text_term_str(s, 0, &scratch);
}

static void
put_format(struct ls *ls, const struct rec *r, const char **slots)
{
	for (const char *f = ls->format; *f; f++) {
		if (*f == '\\' && f[1]) {
			f++;
			putchar(*f == 't' ? '\t' : *f == 'n' ? '\n' : *f == '0' ? '\0' : *f);
		} else if (*f == '%' && f[1] == '{') {
			const char *close = strchr(f + 2, '}');
			if (close == NULL) {
				fputs(f, stdout);
				break;
			}
			char key[128];
			size_t kl = (size_t)(close - f - 2);
			if (kl < sizeof(key)) {
				memcpy(key, f + 2, kl);
				key[kl] = '\0';
				int slot = query_slot(&ls->q, key);
				const char *val = slot >= 0 ? slots[slot] : rec_get(r, key);
				if (val)
					fputs(safe(val), stdout);
			}
			f = close;
		} else if (*f == '%' && f[1] == '%') {
			putchar('%');
			f++;
		} else
			putchar(*f);
	}
}

/* Columns of the table. */
static int term_width(void)
{
	const char *c = getenv("COLUMNS");
	struct winsize ws;

	if (c && atoi(c) > 0)
		return atoi(c);
	if (isatty(1) && ioctl(1, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 0)
		return ws.ws_col;
	return 0;
}

/* Display width of s (UTF-8), and the byte length fitting in max columns. */
static size_t
fit(const char *s, int max, int *width)
{
	mbstate_t st;
	size_t off = 0, len = strlen(s);
	int w = 0;

	memset(&st, 0, sizeof(st));
	while (off < len) {
		wchar_t wc;
		size_t k = mbrtowc(&wc, s + off, len - off, &st);
		int cw;
		if (k == (size_t)-1 || k == (size_t)-2 || k == 0) {
			k = 1;
			cw = 1;
			memset(&st, 0, sizeof(st));
		} else if ((cw = wcwidth(wc)) < 0)
			cw = 1;
		if (max >= 0 && w + cw > max)
			break;
		w += cw;
		off += k;
	}
	*width = w;
	return off;
}

static void
put_padded(const char *s, int width)
{
	int w;
	size_t n = fit(s ? s : "", width, &w);

	fwrite(s ? s : "", 1, n, stdout);
	printf("%*s", width - w + 2, "");
}

/* "2026-11-23T10:05:00Z" shows as "2026-11-23 11:05" in Europe/Berlin. */
static const char *
short_time(const char *t, char *buf)
{
	return t ? human_time_short_str(t, buf) : "";
}

static void
put_table(const struct query *q, const struct query_rows *r)
{
	enum { C_ID, C_STATUS, C_PRIO, C_QUEUE, C_OWNER, C_UPDATED, NCOL };
	static const char *const head[NCOL] = { "ID", "STATUS", "PRIORITY", "QUEUE", "OWNER",
		"UPDATED" };
	int slot[NCOL] = { q->s_id, q->s_status, q->s_prio, q->s_queue, q->s_owner, q->s_updated },
	    s_subject = query_slot((struct query *)q, "subject");
	int width[NCOL], total = 0, tw = term_width();
	char tb[HUMAN_TIMELEN];

	for (int c = 0; c < NCOL; c++)
		width[c] = (int)strlen(head[c]);
	width[C_UPDATED] = 16;
	for (size_t k = 0; k < r->n; k++)
		for (int c = 0; c < C_UPDATED; c++) {
			const char *s = safe(query_row_slots(r, k)[slot[c]]);
			int w;
			fit(s, -1, &w);
			if (w > width[c])
				width[c] = w > 24 ? 24 : w;
		}
	for (int c = 0; c < NCOL; c++) {
		put_padded(head[c], width[c]);
		total += width[c] + 2;
	}
	printf("SUBJECT\n");
	for (size_t k = 0; k < r->n; k++) {
		const char **v = query_row_slots(r, k);
		struct sbuf subj_sb = SBUF_INIT;
		const char *subj = text_term_str(v[s_subject], 0, &subj_sb);
		int w, room = tw > 0 ? tw - total : -1;
		size_t n;
		for (int c = 0; c < C_UPDATED; c++)
			put_padded(v[slot[c]] ? safe(v[slot[c]]) : "-", width[c]);
		put_padded(short_time(v[q->s_updated], tb), width[C_UPDATED]);
		if (room >= 0 && room < 4)
			room = 4;
		n = fit(subj, room, &w);
		if (n < strlen(subj) && room > 0) {
			n = fit(subj, room - 1, &w);
			fwrite(subj, 1, n, stdout);
			fputs("\xe2\x80\xa6", stdout);	/* ellipsis */
		} else
			fwrite(subj, 1, n, stdout);
		putchar('\n');
		sbuf_free(&subj_sb);
	}
}


/* One record of a streamed (unsorted) listing. */
static int
put_one(const struct rec *r, const char **slots, void *arg)
{
	struct ls *ls = arg;

	switch (ls->out) {
	case OUT_IDS: printf("%s\n", slots[ls->q.s_id] ? slots[ls->q.s_id] : ""); break;
	case OUT_JSON: jsonout_list_rec(&ls->json, r); break;
	case OUT_FORMAT: put_format(ls, r, slots); break;
	}
	return 0;
}

static int
put_sorted(const struct query_rows *r, void *arg)
{
	struct ls *ls = arg;

	if (ls->out == OUT_TABLE) {
		put_table(&ls->q, r);
		return 0;
	}
	for (size_t k = 0; k < r->n; k++) {
		struct rec rec = query_row_rec(r, k);
		put_one(&rec, query_row_slots(r, k), ls);
	}
	return 0;
}

/*
 * Keys of --format become slots too, so sorted output needs no record.
 * With a desk, each key must be one a record can hold (query_key_check).
 */
static int
format_keys(struct ls *ls, struct desk *d)
{
	for (const char *f = ls->format ? ls->format : ""; (f = strstr(f, "%{")) != NULL;) {
		const char *close = strchr(f + 2, '}');
		char *k;
		int rc;
		if (close == NULL)
			return rt_fail(EX_USAGE, "--format '%s': unterminated %%{ (write %%{KEY})",
			    ls->format);
		k = xstrndup(f + 2, (size_t)(close - f - 2));
		if (d == NULL)
			rc = query_slot(&ls->q, k) < 0 ? EX_USAGE : 0;
		else if ((rc = query_key_check(d, k, "key")) != 0) {
			char *why = xstrdup(rt_errmsg());
			rt_fail(rc, "--format '%s': %s", ls->format, why);
			free(why);
		}
		free(k);
		if (rc != 0)
			return rc;
		f = close;
	}
	return 0;
}

static int
list(struct ls *ls, struct desk *d)
{
	long count = 0;
	int rc;

	if (ls->out == OUT_JSON)
		jsonout_list_begin(&ls->json, stdout);
	if (ls->out == OUT_IDS || ls->out == OUT_JSON || ls->out == OUT_COUNT)
		ls->q.keep = UINT64_C(1) << ls->q.s_id;	/* the id, or the record */
	if (ls->out == OUT_TABLE || (ls->q.nsort > 0 && ls->out != OUT_COUNT)) {
		ls->q.whole = ls->out == OUT_JSON;
		if (ls->out == OUT_TABLE)
			query_slot(&ls->q, "subject");	/* before the rows are read */
		rc = query_sorted(&ls->q, d, put_sorted, ls);
	} else
		rc = query_stream(&ls->q, d, put_one, ls, &count);
	if (rc != 0)
		warnx("%s", rt_errmsg());
	if (ls->out == OUT_COUNT)
		printf("%ld\n", count);
	else if (ls->out == OUT_JSON)
		jsonout_list_end(&ls->json);
	return rc;
}

/* Exits EX_USAGE with the message of a failed setter. */
static void
usage_ok(int rc)
{
	if (rc != 0)
		errx(EX_USAGE, "%s", rt_errmsg());
}

int
main(int argc, char *argv[])
{
	enum { O_STATUS = 256, O_OPEN, O_QUEUE, O_OWNER, O_PRIO, O_TAG, O_CHANNEL, O_REQ,
		O_CUST, O_CS, O_CU, O_US, O_UU, O_SLA, O_WINDOW, O_ESC, O_WHERE, O_ALL,
		O_SORT, O_LIMIT, O_TEXT, O_IDS, O_COUNT, O_FORMAT };
	static const struct option opts[] = {
		{ "status", required_argument, NULL, O_STATUS },
		{ "open", no_argument, NULL, O_OPEN },
		{ "queue", required_argument, NULL, O_QUEUE },
		{ "owner", required_argument, NULL, O_OWNER },
		{ "priority", required_argument, NULL, O_PRIO },
		{ "tag", required_argument, NULL, O_TAG },
		{ "channel", required_argument, NULL, O_CHANNEL },
		{ "requestor", required_argument, NULL, O_REQ },
		{ "customer", required_argument, NULL, O_CUST },
		{ "created-since", required_argument, NULL, O_CS },
		{ "created-until", required_argument, NULL, O_CU },
		{ "updated-since", required_argument, NULL, O_US },
		{ "updated-until", required_argument, NULL, O_UU },
		{ "sla", required_argument, NULL, O_SLA },
		{ "due-window", required_argument, NULL, O_WINDOW },
		{ "esc-level", required_argument, NULL, O_ESC },
		{ "where", required_argument, NULL, O_WHERE },
		{ "all", no_argument, NULL, O_ALL },
		{ "sort", required_argument, NULL, O_SORT },
		{ "limit", required_argument, NULL, O_LIMIT },
		{ "text", required_argument, NULL, O_TEXT },
		{ "ids", no_argument, NULL, O_IDS },
		{ "json", no_argument, NULL, 'j' },
		{ "count", no_argument, NULL, O_COUNT },
		{ "format", required_argument, NULL, O_FORMAT },
		{ "utc", no_argument, NULL, 'u' },
		CLI_COMMON_OPTS,
		{ NULL, 0, NULL, 0 }
	};
	const char *deskpath = NULL, *owner_arg = NULL;
	struct ls ls = { .out = OUT_TABLE };
	struct query *q = &ls.q;
	struct desk *d;
	int ch, rc, nout = 0, utc = 0;

	setlocale(LC_CTYPE, "");
	query_init(q);
	while ((ch = getopt_long(argc, argv, "C:jh", opts, NULL)) != -1) {
		switch (ch) {
		case 'C': deskpath = optarg; break;
		case O_STATUS: query_list(&q->status, optarg); break;
		case O_OPEN: q->open = 1; break;
		case O_QUEUE: query_list(&q->queue, optarg); break;
		case O_OWNER: owner_arg = optarg; break;
		case O_PRIO: usage_ok(query_priority(q, optarg)); break;
		case O_TAG: query_tag(q, optarg); break;
		case O_CHANNEL: query_list(&q->channel, optarg); break;
		case O_REQ: query_requestor(q, optarg); break;
		case O_CUST: query_list(&q->customer, optarg); break;
		case O_CS: usage_ok(query_time(&q->created_since, "created-since", optarg)); break;
		case O_CU: usage_ok(query_time(&q->created_until, "created-until", optarg)); break;
		case O_US: usage_ok(query_time(&q->updated_since, "updated-since", optarg)); break;
		case O_UU: usage_ok(query_time(&q->updated_until, "updated-until", optarg)); break;
		case O_SLA: usage_ok(query_sla(q, optarg)); break;
		case O_WINDOW: usage_ok(query_duration(optarg, &q->due_window)); break;
		case O_ESC: usage_ok(query_esc_level(q, optarg)); break;
		case O_WHERE: usage_ok(query_where(q, optarg)); break;
		case O_ALL: q->all = 1; break;
		case 'u': utc = 1; break;
		case O_SORT: usage_ok(query_sort(q, optarg)); break;
		case O_LIMIT: usage_ok(query_limit(q, optarg)); break;
		case O_TEXT: usage_ok(query_text(q, optarg)); break;
		case O_IDS: ls.out = OUT_IDS; nout++; break;
		case 'j': ls.out = OUT_JSON; nout++; break;
		case O_COUNT: ls.out = OUT_COUNT; nout++; break;
		case O_FORMAT: ls.out = OUT_FORMAT; ls.format = optarg; nout++; break;
		default: cli_common(ch, usage);
		}
	}
	if (optind != argc || nout > 1)
		cli_usage(usage, 0);
	usage_ok(format_keys(&ls, NULL));
	if ((rc = desk_open(&d, deskpath, 0)) != 0)
		cli_die(rc);
	if (human_time_init(d, utc) != 0)
		warnx("%s", rt_errmsg());
	if (owner_arg)
		query_owner(q, d, owner_arg);
	if ((rc = query_check(q, d)) != 0 || (rc = format_keys(&ls, d)) != 0)
		warnx("%s", rt_errmsg());
	else
		rc = list(&ls, d);
	query_free(q);
	desk_close(d);
	return cli_close_stdout(rc);
}
