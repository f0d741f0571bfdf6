/*
 * rt-ls: list tickets from the cache, filtered, sorted and formatted.
 * It reads only the LMDB cache (never the YAML files). Records that pass
 * the filters are streamed straight out when no sorting or column
 * alignment is needed; otherwise their bytes are copied into one arena
 * (a single growing buffer) and sorted by index, so a listing costs no
 * allocation per record.
 */
#include <err.h>
#include <getopt.h>
#include <jansson.h>
#include <locale.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/ioctl.h>
#include <unistd.h>
#include <wchar.h>

#include "cache.h"
#include "cli.h"
#include "desk.h"
#include "fieldset.h"
#include "status.h"
#include "ticket.h"
#include "util.h"

static const char usage[] =
"usage: rt-ls [--desk DIR] [--status LIST | --open] [--queue LIST] [--owner LIST]\n"
"             [--priority LIST] [--tag TAG] [--channel LIST] [--requestor ADDR]\n"
"             [--customer NAME] [--created-since T] [--created-until T]\n"
"             [--updated-since T] [--updated-until T] [--sla due-soon|breached]\n"
"             [--due-window DUR] [--esc-level N] [--where KEY=VALUE] [--all]\n"
"             [--sort KEY[,KEY]] [--limit N] [--ids | --json | --count | --format FMT]\n"
"List tickets from the cache. LIST is comma-separated; --owner none = unassigned,\n"
"me = you; --priority high+ = high or above; times are RFC 3339, YYYY-MM-DD or\n"
"-N[mhdw] (ago); --sort -KEY sorts descending; --format takes %{key}, \\t, \\n.\n";

enum { OUT_TABLE, OUT_IDS, OUT_JSON, OUT_COUNT, OUT_FORMAT };

struct list {
	char **v;
	size_t n;
};

struct where {
	char *key, *val;
};

struct sortkey {
	char *key;
	int desc;
	int slot;
};

static struct {
	struct list status, queue, owner, priority, channel, customer;
	struct list *tags;	/* every one must match (any item of each) */
	size_t ntags;
	char *requestor;
	int open, all;
	int prio_min;		/* "high+" */
	char *created_since, *created_until, *updated_since, *updated_until;
	int sla;		/* 0, 1 due-soon, 2 breached */
	char now[RT_TIMELEN], soon[RT_TIMELEN];
	long esc_level;
	int esc_min;		/* "2+" */
	struct where *where;
	size_t nwhere;
	struct sortkey *sort;
	size_t nsort;
	long limit;
	int out;
	const char *format;
} o = { .prio_min = -1, .esc_level = -1, .limit = -1 };

/* The keys a filter or the output reads, found in one pass over a record. */
#define MAXSLOTS 64
static const char *slot_key[MAXSLOTS];
static int nslots;

static int
need(const char *key)
{
	for (int i = 0; i < nslots; i++)
		if (strcmp(slot_key[i], key) == 0)
			return i;
	if (nslots == MAXSLOTS)
		errx(EX_USAGE, "too many keys");
	slot_key[nslots] = key;
	return nslots++;
}

static int S_STATUS, S_QUEUE, S_OWNER, S_PRIO, S_CHANNEL, S_CUSTOMER, S_TAGS, S_REQ,
    S_CREATED, S_UPDATED, S_SLADUE, S_DUE, S_ESC, S_ID, S_SUBJECT;

static void
fill(const char *buf, size_t len, const char **v)
{
	const char *p = buf, *end = buf + len;

	memset(v, 0, (size_t)nslots * sizeof(*v));
	while (p < end) {
		const char *k = p, *val = k + strlen(k) + 1;
		if (val >= end)
			break;
		for (int i = 0; i < nslots; i++)
			if (slot_key[i][0] == k[0] && strcmp(slot_key[i], k) == 0) {
				v[i] = val;
				break;
			}
		p = val + strlen(val) + 1;
	}
}

static void
list_parse(struct list *l, const char *s)
{
	char **v;
	size_t n = str_split(s, ",", &v);

	l->v = xrealloc(l->v, (l->n + n) * sizeof(*l->v));
	memcpy(l->v + l->n, v, n * sizeof(*v));
	l->n += n;
	free(v);
}

static int
list_match(const struct list *l, const char *val)
{
	if (l->n == 0)
		return 1;
	for (size_t i = 0; i < l->n; i++)
		if (strcmp(l->v[i], val ? val : "") == 0)
			return 1;
	return 0;
}

/* Any item of l is in the comma list val. */
static int
list_any_in(const struct list *l, const char *val)
{
	for (size_t i = 0; i < l->n; i++)
		if (kv_list_has(val ? val : "", l->v[i]))
			return 1;
	return 0;
}

static int
requestor_match(const char *list, const char *want)
{
	size_t wl = strlen(want);

	if (list == NULL)
		return 0;
	for (const char *p = list; *p;) {
		size_t k = strcspn(p, ",");
		if (want[0] == '@' ? (k >= wl && strncasecmp(p + k - wl, want, wl) == 0) :
		    (k == wl && strncasecmp(p, want, wl) == 0))
			return 1;
		p += k;
		if (*p)
			p++;
	}
	return 0;
}

static int
is_done(const char *s)
{
	return status_is_done(s);
}

static int
match(const char **v)
{
	const char *st = v[S_STATUS];

	if (o.status.n) {
		if (!list_match(&o.status, st))
			return 0;
	} else if (!o.all && st && strcmp(st, "merged") == 0)
		return 0;
	if (o.open && is_done(st))
		return 0;
	if (!list_match(&o.queue, v[S_QUEUE]) || !list_match(&o.owner, v[S_OWNER]) ||
	    !list_match(&o.priority, v[S_PRIO]) || !list_match(&o.channel, v[S_CHANNEL]) ||
	    !list_match(&o.customer, v[S_CUSTOMER]))
		return 0;
	if (o.prio_min >= 0 && priority_rank(v[S_PRIO]) < o.prio_min)
		return 0;
	for (size_t i = 0; i < o.ntags; i++)
		if (!list_any_in(&o.tags[i], v[S_TAGS]))
			return 0;
	if (o.requestor && !requestor_match(v[S_REQ], o.requestor))
		return 0;
	if (o.created_since && (!v[S_CREATED] || strcmp(v[S_CREATED], o.created_since) < 0))
		return 0;
	if (o.created_until && (!v[S_CREATED] || strcmp(v[S_CREATED], o.created_until) >= 0))
		return 0;
	if (o.updated_since && (!v[S_UPDATED] || strcmp(v[S_UPDATED], o.updated_since) < 0))
		return 0;
	if (o.updated_until && (!v[S_UPDATED] || strcmp(v[S_UPDATED], o.updated_until) >= 0))
		return 0;
	if (o.sla) {
		const char *due = v[S_SLADUE] ? v[S_SLADUE] : v[S_DUE];
		if (due == NULL || is_done(st))
			return 0;
		if (o.sla == 2 && strcmp(due, o.now) >= 0)
			return 0;
		if (o.sla == 1 && (strcmp(due, o.now) < 0 || strcmp(due, o.soon) >= 0))
			return 0;
	}
	if (o.esc_level >= 0) {
		long l = v[S_ESC] ? strtol(v[S_ESC], NULL, 10) : 0;
		if (o.esc_min ? l < o.esc_level : l != o.esc_level)
			return 0;
	}
	for (size_t i = 0; i < o.nwhere; i++) {
		const char *x = v[need(o.where[i].key)];
		if (strcmp(x ? x : "", o.where[i].val) != 0)
			return 0;
	}
	return 1;
}

/* Output */

static int
is_listish(const char *key)
{
	return ticket_is_list(key) || strcmp(key, "esc-steps") == 0;
}

static void
put_json(const char *buf, size_t len, int first)
{
	json_t *obj = json_object();
	const char *p = buf, *end = buf + len;
	char *s;

	while (p < end) {
		const char *k = p, *val = k + strlen(k) + 1;
		if (val >= end)
			break;
		if (is_listish(k)) {
			json_t *a = json_array();
			char **items;
			size_t n = str_split(val, ",", &items);
			for (size_t i = 0; i < n; i++)
				json_array_append_new(a, json_string(items[i]));
			strv_free(items, n);
			json_object_set_new(obj, k, a);
		} else
			json_object_set_new(obj, k, json_string(val));
		p = val + strlen(val) + 1;
	}
	s = json_dumps(obj, JSON_COMPACT | JSON_PRESERVE_ORDER);
	printf("%s%s", first ? "[\n" : ",\n", s ? s : "{}");
	free(s);
	json_decref(obj);
}

static void
put_format(const char *buf, size_t len, const char **slots)
{
	struct rec r = { buf, len };

	for (const char *f = o.format; *f; f++) {
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
				const char *val = slots ? slots[need(key)] : rec_get(&r, key);
				if (val)
					fputs(val, stdout);
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

/* "2026-11-23T10:05:00Z" shows as "2026-11-23 10:05". */
static const char *
short_time(const char *t, char *buf)
{
	if (t == NULL || strlen(t) < 16)
		return t ? t : "";
	memcpy(buf, t, 16);
	buf[10] = ' ';
	buf[16] = '\0';
	return buf;
}

struct rows {
	struct sbuf arena;
	size_t *off, *len;
	size_t n, cap;
	size_t *slotoff;	/* n * nslots offsets into the arena, SIZE_MAX if missing */
	const char **slots;	/* n * nslots */
};

static void
put_table(struct rows *r, size_t *order, size_t nrows)
{
	enum { C_ID, C_STATUS, C_PRIO, C_QUEUE, C_OWNER, C_UPDATED, NCOL };
	static const char *const head[NCOL] = { "ID", "STATUS", "PRIORITY", "QUEUE", "OWNER",
		"UPDATED" };
	int slot[NCOL] = { S_ID, S_STATUS, S_PRIO, S_QUEUE, S_OWNER, S_UPDATED };
	int width[NCOL], total = 0, tw = term_width();
	char tb[24];

	for (int c = 0; c < NCOL; c++)
		width[c] = (int)strlen(head[c]);
	width[C_UPDATED] = 16;
	for (size_t k = 0; k < nrows; k++)
		for (int c = 0; c < C_UPDATED; c++) {
			const char *s = r->slots[order[k] * (size_t)nslots + (size_t)slot[c]];
			int w;
			fit(s ? s : "", -1, &w);
			if (w > width[c])
				width[c] = w > 24 ? 24 : w;
		}
	for (int c = 0; c < NCOL; c++) {
		put_padded(head[c], width[c]);
		total += width[c] + 2;
	}
	printf("SUBJECT\n");
	for (size_t k = 0; k < nrows; k++) {
		size_t i = order[k];
		const char **v = &r->slots[i * (size_t)nslots];
		const char *subj = v[S_SUBJECT] ? v[S_SUBJECT] : "";
		int w, room = tw > 0 ? tw - total : -1;
		size_t n;
		for (int c = 0; c < C_UPDATED; c++)
			put_padded(v[slot[c]] ? v[slot[c]] : "-", width[c]);
		put_padded(short_time(v[S_UPDATED], tb), width[C_UPDATED]);
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
	}
}

/* Sorting */

static struct rows *sort_rows;

/* Plain decimal numbers ("12", "-3", "4.5") compare as numbers; times do not. */
static int
numeric(const char *s, double *out)
{
	const char *p = s + (*s == '-');
	int digits = 0, dots = 0;

	for (; *p; p++) {
		if (*p >= '0' && *p <= '9')
			digits++;
		else if (*p == '.' && dots++ == 0)
			;
		else
			return 0;
	}
	if (digits == 0)
		return 0;
	*out = strtod(s, NULL);
	return 1;
}

static int
cmp_rows(const void *pa, const void *pb)
{
	size_t a = *(const size_t *)pa, b = *(const size_t *)pb;
	const char **va = &sort_rows->slots[a * (size_t)nslots];
	const char **vb = &sort_rows->slots[b * (size_t)nslots];

	for (size_t k = 0; k < o.nsort; k++) {
		const struct sortkey *s = &o.sort[k];
		const char *x = va[s->slot], *y = vb[s->slot];
		double dx, dy;
		int c;
		if (x == NULL || y == NULL) {
			if (x == y)
				continue;
			return x == NULL ? 1 : -1;	/* missing values last */
		}
		if (strcmp(s->key, "priority") == 0)
			c = priority_rank(x) - priority_rank(y);
		else if (numeric(x, &dx) && numeric(y, &dy))
			c = dx < dy ? -1 : dx > dy;
		else
			c = strcmp(x, y);
		if (c)
			return s->desc ? -c : c;
	}
	return strcmp(va[S_ID] ? va[S_ID] : "", vb[S_ID] ? vb[S_ID] : "");
}

/* The sweep */

struct state {
	const char **v;
	struct rows rows;
	int collect;
	long count;
};

static int
each(const struct rec *r, void *arg)
{
	struct state *s = arg;

	fill(r->buf, r->len, s->v);
	if (!match(s->v))
		return 0;
	if (!s->collect) {
		if (o.limit >= 0 && s->count >= o.limit)
			return 1;
		switch (o.out) {
		case OUT_IDS: printf("%s\n", s->v[S_ID] ? s->v[S_ID] : ""); break;
		case OUT_JSON: put_json(r->buf, r->len, s->count == 0); break;
		case OUT_FORMAT: put_format(r->buf, r->len, NULL); break;
		}
		s->count++;
		return 0;
	}
	if (s->rows.n == s->rows.cap) {
		s->rows.cap = s->rows.cap ? s->rows.cap * 2 : 1024;
		s->rows.off = xrealloc(s->rows.off, s->rows.cap * sizeof(size_t));
		s->rows.len = xrealloc(s->rows.len, s->rows.cap * sizeof(size_t));
		s->rows.slotoff = xrealloc(s->rows.slotoff,
		    s->rows.cap * (size_t)nslots * sizeof(size_t));
	}
	/*
	 * The keys found by the filter pass are kept as offsets: no second
	 * pass. Only JSON needs whole records; otherwise only the values of
	 * the keys used are copied.
	 */
	s->rows.off[s->rows.n] = s->rows.arena.len;
	s->rows.len[s->rows.n] = o.out == OUT_JSON ? r->len : 0;
	if (o.out == OUT_JSON) {
		for (int i = 0; i < nslots; i++)
			s->rows.slotoff[s->rows.n * (size_t)nslots + (size_t)i] = s->v[i] ?
			    s->rows.arena.len + (size_t)(s->v[i] - r->buf) : SIZE_MAX;
		sbuf_add(&s->rows.arena, r->buf, r->len);
	} else
		for (int i = 0; i < nslots; i++) {
			size_t *so = &s->rows.slotoff[s->rows.n * (size_t)nslots + (size_t)i];
			if (s->v[i] == NULL) {
				*so = SIZE_MAX;
				continue;
			}
			*so = s->rows.arena.len;
			sbuf_add(&s->rows.arena, s->v[i], strlen(s->v[i]) + 1);
		}
	s->rows.n++;
	s->count++;
	return 0;
}

static char *
parse_when(const char *opt, const char *s)
{
	char buf[RT_TIMELEN];
	time_t t;

	if (*s == '-' && s[1] >= '0' && s[1] <= '9') {
		char *end;
		long long n = strtoll(s + 1, &end, 10);
		long unit = *end == 'm' ? 60 : *end == 'h' ? 3600 : *end == 'd' ? 86400 :
		    *end == 'w' ? 604800 : 0;
		if (unit == 0 || end[1] != '\0')
			errx(EX_USAGE, "'%s' is not a time for --%s", s, opt);
		t = rt_now() - (time_t)(n * unit);
	} else if (rt_parsetime(s, &t) != 0)
		errx(EX_USAGE, "'%s' is not a time for --%s (RFC 3339, YYYY-MM-DD, @epoch "
		    "or -N[mhdw])", s, opt);
	return xstrdup(rt_fmttime(t, buf));
}

static long
parse_duration(const char *s)
{
	char *end;
	long long n = strtoll(s, &end, 10);
	long unit = *end == '\0' || *end == 's' ? 1 : *end == 'm' ? 60 : *end == 'h' ? 3600 :
	    *end == 'd' ? 86400 : *end == 'w' ? 604800 : 0;

	if (end == s || n < 0 || unit == 0 || (*end && end[1]))
		errx(EX_USAGE, "'%s' is not a duration (N[smhdw])", s);
	return (long)(n * unit);
}

int
main(int argc, char *argv[])
{
	enum { O_STATUS = 256, O_OPEN, O_QUEUE, O_OWNER, O_PRIO, O_TAG, O_CHANNEL, O_REQ,
		O_CUST, O_CS, O_CU, O_US, O_UU, O_SLA, O_WINDOW, O_ESC, O_WHERE, O_ALL,
		O_SORT, O_LIMIT, O_IDS, O_JSON, O_COUNT, O_FORMAT };
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
		{ "ids", no_argument, NULL, O_IDS },
		{ "json", no_argument, NULL, O_JSON },
		{ "count", no_argument, NULL, O_COUNT },
		{ "format", required_argument, NULL, O_FORMAT },
		CLI_COMMON_OPTS,
		{ NULL, 0, NULL, 0 }
	};
	const char *deskpath = NULL, *owner_arg = NULL;
	long window = 4 * 3600;
	struct state st;
	struct desk *d;
	char *end;
	int ch, rc, nout = 0;

	setlocale(LC_CTYPE, "");
	while ((ch = getopt_long(argc, argv, "C:h", opts, NULL)) != -1) {
		switch (ch) {
		case 'C': deskpath = optarg; break;
		case O_STATUS: list_parse(&o.status, optarg); break;
		case O_OPEN: o.open = 1; break;
		case O_QUEUE: list_parse(&o.queue, optarg); break;
		case O_OWNER: owner_arg = optarg; break;
		case O_PRIO: {
			size_t l = strlen(optarg);
			if (l > 1 && optarg[l - 1] == '+') {
				char *p = xstrndup(optarg, l - 1);
				if ((o.prio_min = priority_rank(p)) < 0)
					errx(EX_USAGE, "'%s' is not a priority", p);
				free(p);
			} else
				list_parse(&o.priority, optarg);
			break;
		}
		case O_TAG:
			o.tags = xrealloc(o.tags, (o.ntags + 1) * sizeof(*o.tags));
			memset(&o.tags[o.ntags], 0, sizeof(*o.tags));
			list_parse(&o.tags[o.ntags++], optarg);
			break;
		case O_CHANNEL: list_parse(&o.channel, optarg); break;
		case O_REQ: o.requestor = optarg; break;
		case O_CUST: list_parse(&o.customer, optarg); break;
		case O_CS: o.created_since = parse_when("created-since", optarg); break;
		case O_CU: o.created_until = parse_when("created-until", optarg); break;
		case O_US: o.updated_since = parse_when("updated-since", optarg); break;
		case O_UU: o.updated_until = parse_when("updated-until", optarg); break;
		case O_SLA:
			if (strcmp(optarg, "due-soon") == 0)
				o.sla = 1;
			else if (strcmp(optarg, "breached") == 0)
				o.sla = 2;
			else
				errx(EX_USAGE, "--sla takes due-soon or breached, not '%s'", optarg);
			break;
		case O_WINDOW: window = parse_duration(optarg); break;
		case O_ESC:
			o.esc_level = strtol(optarg, &end, 10);
			o.esc_min = *end == '+';
			if (end == optarg || o.esc_level < 0 || (*end && strcmp(end, "+")))
				errx(EX_USAGE, "--esc-level takes N or N+, not '%s'", optarg);
			break;
		case O_WHERE: {
			const char *eq = strchr(optarg, '=');
			if (eq == NULL || eq == optarg)
				errx(EX_USAGE, "--where takes KEY=VALUE, not '%s'", optarg);
			o.where = xrealloc(o.where, (o.nwhere + 1) * sizeof(*o.where));
			o.where[o.nwhere].key = xstrndup(optarg, (size_t)(eq - optarg));
			o.where[o.nwhere++].val = xstrdup(eq + 1);
			break;
		}
		case O_ALL: o.all = 1; break;
		case O_SORT: {
			char **v;
			size_t n = str_split(optarg, ",", &v);
			o.sort = xrealloc(o.sort, (o.nsort + n) * sizeof(*o.sort));
			for (size_t i = 0; i < n; i++) {
				struct sortkey *s = &o.sort[o.nsort++];
				s->desc = v[i][0] == '-';
				s->key = xstrdup(v[i] + (v[i][0] == '-' || v[i][0] == '+'));
				free(v[i]);
			}
			free(v);
			break;
		}
		case O_LIMIT:
			o.limit = strtol(optarg, &end, 10);
			if (end == optarg || *end || o.limit < 0)
				errx(EX_USAGE, "--limit takes a number, not '%s'", optarg);
			break;
		case O_IDS: o.out = OUT_IDS; nout++; break;
		case O_JSON: o.out = OUT_JSON; nout++; break;
		case O_COUNT: o.out = OUT_COUNT; nout++; break;
		case O_FORMAT: o.out = OUT_FORMAT; o.format = optarg; nout++; break;
		default: cli_common(ch, usage);
		}
	}
	if (optind != argc || nout > 1)
		cli_usage(usage, 0);
	if ((rc = desk_open(&d, deskpath, 0)) != 0)
		cli_die(rc);
	if (owner_arg) {
		char **v;
		size_t n = str_split(owner_arg, ",", &v);
		for (size_t i = 0; i < n; i++) {
			char *x = strcmp(v[i], "none") == 0 ? xstrdup("") :
			    strcmp(v[i], "me") == 0 ? agent_of_actor(d) : xstrdup(v[i]);
			o.owner.v = xrealloc(o.owner.v, (o.owner.n + 1) * sizeof(char *));
			o.owner.v[o.owner.n++] = x;
		}
		strv_free(v, n);
	}
	{
		time_t now = rt_now();
		rt_fmttime(now, o.now);
		rt_fmttime(now + window, o.soon);
	}
	S_ID = need("id"); S_STATUS = need("status"); S_QUEUE = need("queue");
	S_OWNER = need("owner"); S_PRIO = need("priority"); S_CHANNEL = need("channel");
	S_CUSTOMER = need("customer"); S_TAGS = need("tags"); S_REQ = need("requestors");
	S_CREATED = need("created"); S_UPDATED = need("updated"); S_SLADUE = need("sla-due");
	S_DUE = need("due"); S_ESC = need("esc-level"); S_SUBJECT = need("subject");
	for (size_t i = 0; i < o.nwhere; i++)
		need(o.where[i].key);
	for (size_t i = 0; i < o.nsort; i++)
		o.sort[i].slot = need(o.sort[i].key);
	/* Keys of --format become slots too, so sorted output needs no record. */
	for (const char *f = o.format ? o.format : ""; (f = strstr(f, "%{")) != NULL;) {
		const char *close = strchr(f + 2, '}');
		if (close == NULL)
			break;
		if (close - f - 2 < 128) {
			char *k = xstrndup(f + 2, (size_t)(close - f - 2));
			int before = nslots;
			need(k);
			if (nslots == before)
				free(k);	/* already a slot; new ones stay owned by slot_key */
		}
		f = close;
	}

	memset(&st, 0, sizeof(st));
	st.v = xcalloc(MAXSLOTS, sizeof(*st.v));
	st.collect = o.out == OUT_TABLE || (o.nsort > 0 && o.out != OUT_COUNT);
	rc = cache_foreach(d, each, &st);
	if (rc < 0 || (rc > 1)) {
		warnx("%s", rt_errmsg());
		rc = EX_SOFTWARE;
	} else
		rc = 0;
	if (o.out == OUT_COUNT)
		printf("%ld\n", st.count);
	else if (!st.collect) {
		if (o.out == OUT_JSON)
			printf(st.count ? "\n]\n" : "[]\n");
	} else {
		struct rows *r = &st.rows;
		size_t *order = xmalloc((r->n + 1) * sizeof(*order)), n = r->n;
		r->slots = xcalloc(r->n * (size_t)nslots + 1, sizeof(*r->slots));
		for (size_t i = 0; i < r->n; i++) {
			for (size_t k = i * (size_t)nslots; k < (i + 1) * (size_t)nslots; k++)
				r->slots[k] = r->slotoff[k] == SIZE_MAX ? NULL :
				    r->arena.buf + r->slotoff[k];
			order[i] = i;
		}
		sort_rows = r;
		if (o.nsort)
			qsort(order, r->n, sizeof(*order), cmp_rows);
		if (o.limit >= 0 && (size_t)o.limit < n)
			n = (size_t)o.limit;
		if (o.out == OUT_TABLE)
			put_table(r, order, n);
		else {
			for (size_t k = 0; k < n; k++) {
				size_t i = order[k];
				const char *buf = r->arena.buf + r->off[i];
				if (o.out == OUT_IDS)
					printf("%s\n", r->slots[i * (size_t)nslots + S_ID]);
				else if (o.out == OUT_JSON)
					put_json(buf, r->len[i], k == 0);
				else
					put_format(buf, r->len[i], &r->slots[i * (size_t)nslots]);
			}
			if (o.out == OUT_JSON)
				printf(n ? "\n]\n" : "[]\n");
		}
		free(order);
		free(r->slots);
		free(r->slotoff);
		free(r->off);
		free(r->len);
		sbuf_free(&r->arena);
	}
	free(st.v);
	desk_close(d);
	return cli_close_stdout(rc);
}
