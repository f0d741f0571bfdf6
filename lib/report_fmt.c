/*
 * report_fmt.c: rt-report output: aligned text, CSV (RFC 4180), JSON
 * (jansson; field names documented in rt-report(1)) and one
 * self-contained HTML page with inline SVG charts.
 */
#include <jansson.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "humantime.h"
#include "jsonout.h"
#include "report.h"
#include "svg.h"
#include "text.h"
#include "topics.h"
#include "util.h"

static const char *const clock_titles[NCLOCKS] = {
	"first response", "next response", "resolution"
};

static long
sla_settled_all(const struct report_fig *g)
{
	long n = 0;

	for (int c = 0; c < NCLOCKS; c++)
		n += g->sla_settled[c];
	return n;
}

static long
sla_met_all(const struct report_fig *g)
{
	long n = 0;

	for (int c = 0; c < NCLOCKS; c++)
		n += g->sla_met[c];
	return n;
}

static double
mean_score(double sum, long n)
{
	return n > 0 ? sum / (double)n : NAN;
}

static char *
fmt_pct(double v, char *buf, size_t size)
{
	if (isnan(v))
		snprintf(buf, size, "-");
	else
		snprintf(buf, size, "%.1f%%", v * 100);
	return buf;
}

static char *
fmt_num(double v, char *buf, size_t size)
{
	if (isnan(v))
		snprintf(buf, size, "-");
	else
		snprintf(buf, size, "%.2f", v);
	return buf;
}

static char *
fmt_dur(double v, char *buf, size_t size)
{
	return report_fmt_duration(v, buf, size);
}

/* "1:3 2:1": tickets by highest escalation level */
static char *
levels_str(const struct report_fig *g)
{
	struct sbuf sb = SBUF_INIT;

	for (int l = 1; l < REPORT_LEVELS; l++)
		if (g->levels[l]) {
			if (sb.len)
				sbuf_addc(&sb, ' ');
			sbuf_addf(&sb, "%d:%ld", l, g->levels[l]);
		}
	return sb.buf ? sbuf_detach(&sb) : xstrdup("");
}

static void
time_str(time_t t, char buf[RT_TIMELEN])
{
	rt_fmttime(t, buf);
}

/* A period that ends now includes this second; its end is shown as now. */
static time_t
end_shown(const struct report *r, time_t t)
{
	return r->o.until_now && t == r->o.until ? t - 1 : t;
}

/* ---- one table model shared by text, CSV and HTML ---- */

enum col_kind { C_KEY, C_INT, C_DUR, C_RATE, C_NUM, C_STR };

struct col {
	const char *csv;	/* CSV header (stable) */
	const char *head;	/* text/HTML header */
	enum col_kind kind;
	int text;		/* shown in the terminal table (and the HTML key figures) */
	const char *what;	/* the HTML legend's words for head */
};

static const struct col cols[] = {
	{ NULL, NULL, C_KEY, 1, NULL },
	{ "created", "CREATED", C_INT, 1, "tickets created in the period" },
	{ "resolved", "RESOLVED", C_INT, 1, "tickets resolved in the period" },
	{ "backlog", "BACKLOG", C_INT, 1, "tickets open at the end of the period" },
	{ "first_response_count", "FR-N", C_INT, 0, "tickets with a first response in the period" },
	{ "first_response_median", "FR-MED", C_DUR, 1, "median time to the first response" },
	{ "first_response_mean", "FR-MEAN", C_DUR, 1, "mean time to the first response" },
	{ "first_response_p90", "FR-P90", C_DUR, 1, "90th percentile of the time to the first response" },
	{ "resolution_count", "RES-N", C_INT, 0, "tickets resolved, with a resolution time" },
	{ "resolution_median", "RES-MED", C_DUR, 1, "median time to resolution" },
	{ "resolution_mean", "RES-MEAN", C_DUR, 1, "mean time to resolution" },
	{ "resolution_p90", "RES-P90", C_DUR, 1, "90th percentile of the time to resolution" },
	{ "sla_settled", "SLA-N", C_INT, 0, "SLA targets settled (met or breached)" },
	{ "sla_met_share", "SLA-MET", C_RATE, 1, "share of settled SLA targets that were met" },
	{ "sla_first_response_breached", "BR-FR", C_INT, 0, "first-response targets breached" },
	{ "sla_next_response_breached", "BR-NR", C_INT, 0, "next-response targets breached" },
	{ "sla_resolution_breached", "BR-RES", C_INT, 0, "resolution targets breached" },
	{ "escalated", "ESC", C_INT, 0, "tickets escalated" },
	{ "escalation_rate", "ESC%", C_RATE, 1, "share of created tickets that were escalated" },
	{ "escalation_levels", "LEVELS", C_STR, 0,
	    "escalated tickets per highest level reached (level:count)" },
	{ "reopened", "REOPENED", C_INT, 0, "tickets reopened" },
	{ "reopen_rate", "REOPEN%", C_RATE, 1, "share of resolved tickets that were reopened" },
	{ "surveyed", "SURVEYED", C_INT, 0, "tickets sent a satisfaction survey" },
	{ "rated", "RATED", C_INT, 0, "tickets the customer rated" },
	{ "satisfaction_mean", "CSAT", C_NUM, 1, "customer satisfaction: mean rating (1 to 5)" },
	{ "satisfaction_response_rate", "CSAT-RR", C_RATE, 1,
	    "share of surveyed tickets that were rated" },
	{ "escalated_satisfaction_mean", "ESC-CSAT", C_NUM, 0, "mean rating of escalated tickets" },
	{ "escalated_satisfaction_response_rate", "ESC-RR", C_RATE, 0,
	    "share of surveyed escalated tickets that were rated" },
};

/* The value of column i for g: *num for numbers (NAN: none), else a malloc'd string. */
static double
col_value(const struct report_fig *g, size_t i, char **str)
{
	struct dvec *fr = (struct dvec *)&g->first, *res = (struct dvec *)&g->resolve;

	*str = NULL;
	switch (i) {
	case 0: *str = xstrdup(g->key); return NAN;
	case 1: return (double)g->created;
	case 2: return (double)g->resolved;
	case 3: return (double)g->backlog;
	case 4: return (double)fr->n;
	case 5: return stats_median(fr);
	case 6: return stats_mean(fr);
	case 7: return stats_percentile(fr, 90);
	case 8: return (double)res->n;
	case 9: return stats_median(res);
	case 10: return stats_mean(res);
	case 11: return stats_percentile(res, 90);
	case 12: return (double)sla_settled_all(g);
	case 13: return report_rate(sla_met_all(g), sla_settled_all(g));
	case 14: return (double)g->sla_breached[CLOCK_FIRST];
	case 15: return (double)g->sla_breached[CLOCK_NEXT];
	case 16: return (double)g->sla_breached[CLOCK_RESOLVE];
	case 17: return (double)g->escalated;
	case 18: return report_rate(g->escalated, g->created);
	case 19: *str = levels_str(g); return NAN;
	case 20: return (double)g->reopened;
	case 21: return report_rate(g->reopened, g->resolved);
	case 22: return (double)g->surveyed;
	case 23: return (double)g->rated;
	case 24: return mean_score(g->score_sum, g->rated);
	case 25: return report_rate(g->rated, g->surveyed);
	case 26: return mean_score(g->esc_score_sum, g->esc_rated);
	case 27: return report_rate(g->esc_rated, g->esc_surveyed);
	}
	return NAN;
}

/* Human form of a cell for the terminal and HTML. */
static char *
cell_text(const struct report_fig *g, size_t i)
{
	char *s, buf[64];
	double v = col_value(g, i, &s);

	if (s)
		return s;
	switch (cols[i].kind) {
	case C_INT: snprintf(buf, sizeof(buf), "%.0f", v); break;
	case C_DUR: fmt_dur(v, buf, sizeof(buf)); break;
	case C_RATE: fmt_pct(v, buf, sizeof(buf)); break;
	default: fmt_num(v, buf, sizeof(buf)); break;
	}
	return xstrdup(buf);
}

/* Machine form for CSV: plain numbers, durations in seconds, rates as fractions. */
static char *
cell_csv(const struct report_fig *g, size_t i)
{
	char *s;
	double v = col_value(g, i, &s);

	if (s)
		return s;
	if (isnan(v))
		return xstrdup("");
	if (cols[i].kind == C_RATE)
		return xasprintf("%.4f", v);
	if (v == floor(v) && fabs(v) < 1e15)
		return xasprintf("%.0f", v);
	return xasprintf("%.2f", v);
}

static const char *
key_head(const struct report *r)
{
	return r->o.by == BY_NONE ? "period" : report_by_name(r->o.by);
}

/* The rows of the main table: the groups, then the total. */
static size_t
rows(const struct report *r, const struct report_fig ***out)
{
	size_t n = r->groups.n;
	const struct report_fig **v = xmalloc((n + 1) * sizeof(*v));

	for (size_t i = 0; i < n; i++)
		v[i] = &r->groups.g[i];
	v[n] = &r->total;
	*out = v;
	return n + 1;
}

/* ---- text ---- */

/* Group names come from the tickets: each cell as a terminal shows it safely (text_term). */
static void
print_table(FILE *fp, size_t ncols, const char *const *head, char ***cells, size_t nrows)
{
	size_t *w = xcalloc(ncols, sizeof(*w));

	for (size_t r = 0; r < nrows; r++)
		for (size_t c = 0; c < ncols; c++)
			if (!text_term_plain(cells[r][c], strlen(cells[r][c]), 0)) {
				char *t = text_term(cells[r][c], strlen(cells[r][c]), 0);
				free(cells[r][c]);
				cells[r][c] = t;
			}

	for (size_t c = 0; c < ncols; c++) {
		w[c] = utf8_chars(head[c]);
		for (size_t r = 0; r < nrows; r++)
			if (utf8_chars(cells[r][c]) > w[c])
				w[c] = utf8_chars(cells[r][c]);
	}
	for (size_t r = 0; r <= nrows; r++) {
		const char *const *row = r == 0 ? head : (const char *const *)cells[r - 1];
		for (size_t c = 0; c < ncols; c++) {
			size_t pad = w[c] - utf8_chars(row[c]);
			if (c == 0)
				fprintf(fp, "%s%*s", row[c], c + 1 < ncols ? (int)pad : 0, "");
			else
				fprintf(fp, "  %*s%s", (int)pad, "", row[c]);
		}
		fputc('\n', fp);
	}
	free(w);
}

static void
free_cells(char ***cells, size_t nrows, size_t ncols)
{
	for (size_t r = 0; r < nrows; r++) {
		for (size_t c = 0; c < ncols; c++)
			free(cells[r][c]);
		free(cells[r]);
	}
	free(cells);
}

static void
period_line(const struct report *r, FILE *fp)
{
	char a[RT_TIMELEN], b[RT_TIMELEN];

	time_str(r->o.since, a);
	time_str(end_shown(r, r->o.until), b);
	fprintf(fp, "%s %s .. %s, durations in %s time, %ld tickets\n",
	    r->o.as_of ? "as of" : "period", a, b, r->clock, r->tickets);
}

static void
text_topics(const struct report *r, FILE *fp)
{
	struct sbuf tmp = SBUF_INIT;

	for (int words = 1; words <= 2; words++) {
		struct topic *t;
		size_t n = topics_top(r->topics, words, r->o.topics, &t);
		fprintf(fp, "\n%s\n", words == 1 ? "KEYWORD" : "PHRASE");
		for (size_t i = 0; i < n; i++)
			fprintf(fp, "%6zu  %s\n", t[i].count, text_term_str(t[i].term, 0, &tmp));
		free(t);
	}
	sbuf_free(&tmp);
}

int
report_text(const struct report *r, FILE *fp)
{
	const struct report_fig **rv;
	size_t nr = rows(r, &rv), nc = 0;
	const char *head[LEN(cols)];
	size_t idx[LEN(cols)];

	period_line(r, fp);
	for (size_t i = 0; i < LEN(cols); i++)
		if (cols[i].text) {
			idx[nc] = i;
			head[nc++] = i == 0 ? "" : cols[i].head;
		}
	char ***cells = xcalloc(nr, sizeof(*cells));
	for (size_t k = 0; k < nr; k++) {
		cells[k] = xcalloc(nc, sizeof(**cells));
		for (size_t c = 0; c < nc; c++)
			cells[k][c] = cell_text(rv[k], idx[c]);
	}
	{
		char *up = str_lower(xstrdup(key_head(r)));
		for (char *p = up; *p; p++)
			*p = (char)(*p - 32 * (*p >= 'a' && *p <= 'z'));
		head[0] = up;
		print_table(fp, nc, head, cells, nr);
		free(up);
	}
	free_cells(cells, nr, nc);
	free(rv);

	/* Details of the whole period. */
	{
		const struct report_fig *t = &r->total;
		char *lv = levels_str(t), b1[32], b2[32], b3[32];
		fprintf(fp, "\nescalated %ld of %ld created (%s)%s%s\n", t->escalated, t->created,
		    fmt_pct(report_rate(t->escalated, t->created), b1, sizeof(b1)),
		    *lv ? ", by highest level " : "", lv);
		free(lv);
		fprintf(fp, "SLA");
		for (int c = 0; c < NCLOCKS; c++)
			fprintf(fp, "%s %s: %ld met, %ld breached of %ld", c ? ";" : "",
			    clock_titles[c], t->sla_met[c], t->sla_breached[c], t->sla_settled[c]);
		fputc('\n', fp);
		fprintf(fp, "satisfaction %s from %ld of %ld resolved (%s); escalated: %s from %ld of %ld\n",
		    fmt_num(mean_score(t->score_sum, t->rated), b1, sizeof(b1)), t->rated,
		    t->surveyed, fmt_pct(report_rate(t->rated, t->surveyed), b2, sizeof(b2)),
		    fmt_num(mean_score(t->esc_score_sum, t->esc_rated), b3, sizeof(b3)),
		    t->esc_rated, t->esc_surveyed);
	}
	if (r->agents.n && r->o.by != BY_OWNER) {
		const char *ah[] = { "AGENT", "OPEN", "RESOLVED", "FR-MED" };
		char ***ac = xcalloc(r->agents.n, sizeof(*ac));
		char buf[32];
		for (size_t k = 0; k < r->agents.n; k++) {
			struct report_fig *g = &r->agents.g[k];
			ac[k] = xcalloc(4, sizeof(**ac));
			ac[k][0] = xstrdup(g->key);
			ac[k][1] = xasprintf("%ld", g->backlog);
			ac[k][2] = xasprintf("%ld", g->resolved);
			ac[k][3] = xstrdup(fmt_dur(stats_median(&g->first), buf, sizeof(buf)));
		}
		fputc('\n', fp);
		print_table(fp, 4, ah, ac, r->agents.n);
		free_cells(ac, r->agents.n, 4);
	}
	if (r->topics)
		text_topics(r, fp);
	return ferror(fp) ? EX_IOERR : 0;
}

/* ---- CSV ---- */

static void
csv_field(FILE *fp, const char *s)
{
	if (strpbrk(s, ",\"\r\n") == NULL) {
		fputs(s, fp);
		return;
	}
	fputc('"', fp);
	for (; *s; s++) {
		if (*s == '"')
			fputc('"', fp);
		fputc(*s, fp);
	}
	fputc('"', fp);
}

int
report_csv(const struct report *r, FILE *fp)
{
	if (r->topics) {
		fputs("kind,term,count\r\n", fp);
		for (int words = 1; words <= 2; words++) {
			struct topic *t;
			size_t n = topics_top(r->topics, words, r->o.topics, &t);
			for (size_t i = 0; i < n; i++) {
				fputs(words == 1 ? "keyword," : "phrase,", fp);
				csv_field(fp, t[i].term);
				fprintf(fp, ",%zu\r\n", t[i].count);
			}
			free(t);
		}
		return ferror(fp) ? EX_IOERR : 0;
	}
	const struct report_fig **rv;
	size_t nr = rows(r, &rv);
	int timed = r->o.by == BY_WEEK || r->o.by == BY_DAY || r->o.by == BY_NONE;

	csv_field(fp, key_head(r));
	if (timed)
		fputs(",from,to", fp);
	for (size_t i = 1; i < LEN(cols); i++)
		fprintf(fp, ",%s", cols[i].csv);
	fputs("\r\n", fp);
	for (size_t k = 0; k < nr; k++) {
		for (size_t i = 0; i < LEN(cols); i++) {
			char *s = cell_csv(rv[k], i);
			if (i)
				fputc(',', fp);
			csv_field(fp, s);
			free(s);
			if (i == 0 && timed) {
				char a[RT_TIMELEN], b[RT_TIMELEN];
				int whole = rv[k] == &r->total;
				time_str(whole ? r->o.since : rv[k]->from, a);
				time_str(end_shown(r, whole ? r->o.until : rv[k]->to), b);
				fprintf(fp, ",%s,%s", a, b);
			}
		}
		fputs("\r\n", fp);
	}
	free(rv);
	return ferror(fp) ? EX_IOERR : 0;
}

/* ---- JSON ---- */

static json_t *
jnum(double v)
{
	if (isnan(v))
		return json_null();
	if (v == floor(v) && fabs(v) < 9007199254740992.0)
		return json_integer((json_int_t)v);
	return json_real(v);
}

static json_t *
jtime(time_t t)
{
	char buf[RT_TIMELEN];

	return json_string(rt_fmttime(t, buf));
}

static json_t *
jdurations(const struct dvec *d)
{
	struct dvec *v = (struct dvec *)d;
	json_t *o = json_object();

	json_object_set_new(o, "count", json_integer((json_int_t)v->n));
	json_object_set_new(o, "median", jnum(stats_median(v)));
	json_object_set_new(o, "mean", jnum(stats_mean(v)));
	json_object_set_new(o, "p90", jnum(stats_percentile(v, 90)));
	return o;
}

static json_t *
jsatisfaction(long surveyed, long rated, double sum)
{
	json_t *o = json_object();

	json_object_set_new(o, "surveyed", json_integer(surveyed));
	json_object_set_new(o, "rated", json_integer(rated));
	json_object_set_new(o, "mean", jnum(mean_score(sum, rated)));
	json_object_set_new(o, "response_rate", jnum(report_rate(rated, surveyed)));
	return o;
}

static json_t *
jfig(const struct report *r, const struct report_fig *g, int timed)
{
	json_t *o = json_object(), *sla = json_object(), *esc = json_object(),
	    *lv = json_object(), *re = json_object(), *sat;

	json_object_set_new(o, "key", json_string(g->key));
	if (timed) {
		json_object_set_new(o, "from", jtime(g->from));
		json_object_set_new(o, "to", jtime(end_shown(r, g->to)));
	}
	json_object_set_new(o, "created", json_integer(g->created));
	json_object_set_new(o, "resolved", json_integer(g->resolved));
	json_object_set_new(o, "backlog", json_integer(g->backlog));
	json_object_set_new(o, "first_response", jdurations(&g->first));
	json_object_set_new(o, "resolution", jdurations(&g->resolve));
	for (int c = 0; c < NCLOCKS; c++) {
		json_t *k = json_object();
		json_object_set_new(k, "settled", json_integer(g->sla_settled[c]));
		json_object_set_new(k, "met", json_integer(g->sla_met[c]));
		json_object_set_new(k, "breached", json_integer(g->sla_breached[c]));
		json_object_set_new(k, "met_share", jnum(report_rate(g->sla_met[c], g->sla_settled[c])));
		json_object_set_new(sla, report_clock_names[c], k);
	}
	json_object_set_new(sla, "met_share", jnum(report_rate(sla_met_all(g), sla_settled_all(g))));
	json_object_set_new(o, "sla", sla);
	json_object_set_new(esc, "escalated", json_integer(g->escalated));
	json_object_set_new(esc, "rate", jnum(report_rate(g->escalated, g->created)));
	for (int l = 1; l < REPORT_LEVELS; l++)
		if (g->levels[l]) {
			char k[16];
			snprintf(k, sizeof(k), "%d", l);
			json_object_set_new(lv, k, json_integer(g->levels[l]));
		}
	json_object_set_new(esc, "levels", lv);
	json_object_set_new(o, "escalation", esc);
	json_object_set_new(re, "reopened", json_integer(g->reopened));
	json_object_set_new(re, "rate", jnum(report_rate(g->reopened, g->resolved)));
	json_object_set_new(o, "reopen", re);
	sat = jsatisfaction(g->surveyed, g->rated, g->score_sum);
	json_object_set_new(sat, "escalated", jsatisfaction(g->esc_surveyed, g->esc_rated,
	    g->esc_score_sum));
	json_object_set_new(o, "satisfaction", sat);
	return o;
}

static json_t *
jtopics(const struct report *r, int words)
{
	json_t *a = json_array();
	struct topic *t;
	size_t n = topics_top(r->topics, words, r->o.topics, &t);

	for (size_t i = 0; i < n; i++)
		json_array_append_new(a, json_pack("{s:s, s:I}", "term", t[i].term,
		    "count", (json_int_t)t[i].count));
	free(t);
	return a;
}

int
report_json(const struct report *r, FILE *fp)
{
	json_t *o = json_object(), *groups = json_array(), *agents = json_array(),
	    *backlog = json_array();
	int timed = r->o.by == BY_WEEK || r->o.by == BY_DAY;

	json_object_set_new(o, "version", json_integer(1));
	json_object_set_new(o, "since", jtime(r->o.since));
	json_object_set_new(o, "until", jtime(end_shown(r, r->o.until)));
	json_object_set_new(o, "as_of", json_boolean(r->o.as_of));
	json_object_set_new(o, "by", r->o.by ? json_string(report_by_name(r->o.by)) : json_null());
	json_object_set_new(o, "durations", json_string(r->clock));
	json_object_set_new(o, "tickets", json_integer(r->tickets));
	json_object_set_new(o, "total", jfig(r, &r->total, 0));
	for (size_t i = 0; i < r->groups.n; i++)
		json_array_append_new(groups, jfig(r, &r->groups.g[i], timed));
	json_object_set_new(o, "groups", groups);
	for (size_t i = 0; i < r->agents.n; i++) {
		struct report_fig *g = &r->agents.g[i];
		json_array_append_new(agents, json_pack("{s:s, s:I, s:I, s:o}", "owner", g->key,
		    "open", (json_int_t)g->backlog, "resolved", (json_int_t)g->resolved,
		    "first_response_median", jnum(stats_median(&g->first))));
	}
	json_object_set_new(o, "agents", agents);
	for (size_t i = 0; i < r->days.n; i++) {
		struct report_fig *g = &r->days.g[i];
		json_array_append_new(backlog, json_pack("{s:s, s:I, s:I, s:I, s:o}", "date", g->key,
		    "open", (json_int_t)g->backlog, "created", (json_int_t)g->created,
		    "resolved", (json_int_t)g->resolved,
		    "first_response_median", jnum(stats_median(&g->first))));
	}
	json_object_set_new(o, "backlog", backlog);
	if (r->topics) {
		json_t *t = json_object();
		json_object_set_new(t, "keywords", jtopics(r, 1));
		json_object_set_new(t, "phrases", jtopics(r, 2));
		json_object_set_new(o, "topics", t);
	}
	return jsonout_doc(fp, o, JSONOUT_PRETTY);
}

/* ---- HTML ---- */

#define DASH "\xE2\x80\x93"	/* en dash */

static int
midnight(const struct tm *tm)
{
	return tm->tm_hour == 0 && tm->tm_min == 0 && tm->tm_sec == 0;
}

/*
 * "November 2026", "October" DASH "November 2026", "23" DASH "29 November
 * 2026", "30 October" DASH " 29 November 2026", "29 November 2026": the
 * days from since up to until (exclusive), in UTC as the report's days.
 */
char *
report_period_words(time_t since, time_t until)
{
	struct tm a, b, next;
	time_t last = until > since ? until - 1 : since;
	const char *ma, *mb;

	gmtime_r(&since, &a);
	gmtime_r(&last, &b);
	gmtime_r(&until, &next);
	ma = human_month(a.tm_mon, "en");
	mb = human_month(b.tm_mon, "en");
	if (a.tm_mday == 1 && midnight(&a) && next.tm_mday == 1 && midnight(&next)) {
		if (a.tm_year == b.tm_year && a.tm_mon == b.tm_mon)
			return xasprintf("%s %d", ma, a.tm_year + 1900);
		if (a.tm_year == b.tm_year)
			return xasprintf("%s" DASH "%s %d", ma, mb, a.tm_year + 1900);
		return xasprintf("%s %d " DASH " %s %d", ma, a.tm_year + 1900, mb, b.tm_year + 1900);
	}
	if (a.tm_year != b.tm_year)
		return xasprintf("%d %s %d " DASH " %d %s %d", a.tm_mday, ma, a.tm_year + 1900,
		    b.tm_mday, mb, b.tm_year + 1900);
	if (a.tm_mon != b.tm_mon)
		return xasprintf("%d %s " DASH " %d %s %d", a.tm_mday, ma, b.tm_mday, mb,
		    b.tm_year + 1900);
	if (a.tm_mday != b.tm_mday)
		return xasprintf("%d" DASH "%d %s %d", a.tm_mday, b.tm_mday, mb, b.tm_year + 1900);
	return xasprintf("%d %s %d", a.tm_mday, mb, b.tm_year + 1900);
}

static char *
fmt_hours(double v, char *buf, size_t size)
{
	snprintf(buf, size, "%gh", v);
	return buf;
}

static char *
fmt_count(double v, char *buf, size_t size)
{
	snprintf(buf, size, "%.0f", v);
	return buf;
}

static char *
fmt_share(double v, char *buf, size_t size)
{
	snprintf(buf, size, "%.0f%%", v);
	return buf;
}

/* A time series chart over the report's days, a legend entry per line. */
static void
chart_series(struct sbuf *sb, const struct report *r, const char *title, const double *a,
    const char *acls, const char *akey, const double *b, const char *bcls, const char *bkey,
    svg_fmt_fn fmt)
{
	size_t n = r->days.n;
	double max = 0;
	const char **labels = xmalloc((n + 1) * sizeof(*labels));
	const char *keys[2] = { akey, bkey }, *classes[2] = { acls, bcls };
	struct svg_plot p = { 60, 30, 1110, 220, 0, n > 1 ? (double)(n - 1) : 1, 0, 1 };
	int ticks;

	for (size_t i = 0; i < n; i++) {
		labels[i] = r->days.g[i].key + 5;	/* "MM-DD" */
		if (!isnan(a[i]) && a[i] > max)
			max = a[i];
		if (b && !isnan(b[i]) && b[i] > max)
			max = b[i];
	}
	p.ymax = svg_nice_ceil(max);
	/* whole numbers of tickets: no 0.25 steps */
	ticks = fmt == fmt_count && p.ymax < 4 ? (int)p.ymax : 4;
	sbuf_adds(sb, "<figure class=\"chart wide\">\n");
	svg_begin(sb, 1200, 300, title);
	svg_text(sb, 60, 18, "start", "title", title);
	svg_axes(sb, &p, ticks, fmt);
	svg_xlabels(sb, &p, labels, n, n > 16 ? (n + 15) / 16 : 1);
	svg_polyline(sb, &p, a, n, acls);
	if (b)
		svg_polyline(sb, &p, b, n, bcls);
	svg_legend(sb, 60, 290, keys, classes, b ? 2 : 1);
	svg_end(sb);
	sbuf_adds(sb, "</figure>\n");
	free(labels);
}

static void
chart_bars(struct sbuf *sb, const char *title, const double *vals, const char *const *labels,
    size_t n, svg_fmt_fn fmt, double ymax, const char *cls, const char *key)
{
	struct svg_plot p = { 60, 40, 0, 180, 0, 1, 0, 1 };
	double max = 0;
	char **texts = xmalloc((n + 1) * sizeof(*texts)), buf[64];
	int width;

	for (size_t i = 0; i < n; i++) {
		if (!isnan(vals[i]) && vals[i] > max)
			max = vals[i];
		texts[i] = xstrdup(isnan(vals[i]) ? "-" : fmt(vals[i], buf, sizeof(buf)));
	}
	p.w = n ? (double)n * 80 : 200;
	if (p.w > 1000)
		p.w = 1000;
	width = (int)p.w + 80;
	p.ymax = ymax > 0 ? ymax : svg_nice_ceil(max);
	sbuf_adds(sb, "<figure class=\"chart\">\n");
	svg_begin(sb, width < 460 ? 460 : width, 275, title);
	svg_text(sb, 60, 18, "start", "title", title);
	svg_axes(sb, &p, 4, fmt);
	if (n == 0)
		svg_text(sb, p.x + p.w / 2, p.y + p.h / 2, "middle", "tick", "no data in period");
	svg_bars(sb, &p, vals, labels, (const char *const *)texts, n, cls);
	svg_legend(sb, 60, 264, &key, &cls, 1);
	svg_end(sb);
	sbuf_adds(sb, "</figure>\n");
	strv_free(texts, n);
}

static void
chart_groups(struct sbuf *sb, const char *title, const char *key, const struct report_group_set *s)
{
	double *v = xmalloc((s->n + 1) * sizeof(*v));
	const char **l = xmalloc((s->n + 1) * sizeof(*l));

	for (size_t i = 0; i < s->n; i++) {
		v[i] = (double)s->g[i].created;
		l[i] = s->g[i].key;
	}
	chart_bars(sb, title, v, l, s->n, fmt_count, 0, "bar", key);
	free(v);
	free(l);
}

/* One table of the columns whose text flag is shown, and its legend. */
static void
html_table(struct sbuf *sb, const struct report *r, int shown)
{
	const struct report_fig **rv;
	struct sbuf legend = SBUF_INIT;
	size_t nr = rows(r, &rv);

	sbuf_adds(sb, "<table>\n<thead><tr><th scope=\"col\">");
	xml_escape(sb, key_head(r));
	sbuf_adds(sb, "</th>");
	for (size_t i = 1; i < LEN(cols); i++) {
		if (cols[i].text != shown)
			continue;
		sbuf_adds(sb, "<th scope=\"col\"><abbr title=\"");
		xml_escape(sb, cols[i].what);
		sbuf_adds(sb, "\">");
		xml_escape(sb, cols[i].head);
		sbuf_adds(sb, "</abbr></th>");
		sbuf_adds(&legend, "<dt>");
		xml_escape(&legend, cols[i].head);
		sbuf_adds(&legend, "</dt><dd>");
		xml_escape(&legend, cols[i].what);
		sbuf_adds(&legend, "</dd>\n");
	}
	sbuf_adds(sb, "</tr></thead>\n<tbody>\n");
	for (size_t k = 0; k < nr; k++) {
		sbuf_adds(sb, k + 1 == nr ? "<tr class=\"total\">" : "<tr>");
		for (size_t i = 0; i < LEN(cols); i++) {
			char *c;
			if (i > 0 && cols[i].text != shown)
				continue;
			c = cell_text(rv[k], i);
			sbuf_adds(sb, i ? "<td>" : "<th scope=\"row\">");
			xml_escape(sb, c);
			sbuf_adds(sb, i ? "</td>" : "</th>");
			free(c);
		}
		sbuf_adds(sb, "</tr>\n");
	}
	sbuf_adds(sb, "</tbody>\n</table>\n<dl class=\"legend\">\n");
	sbuf_add(sb, legend.buf, legend.len);
	sbuf_free(&legend);
	sbuf_adds(sb, "</dl>\n");
	free(rv);
}

int
report_html(const struct report *r, FILE *fp)
{
	struct sbuf sb = SBUF_INIT;
	char a[RT_TIMELEN], b[RT_TIMELEN], buf[64], *words;
	size_t n = r->days.n;
	double *backlog = xmalloc((n + 1) * sizeof(double)), *frt = xmalloc((n + 1) * sizeof(double)),
	    *res = xmalloc((n + 1) * sizeof(double));

	time_str(r->o.since, a);
	time_str(end_shown(r, r->o.until), b);
	words = report_period_words(r->o.since, r->o.until);
	sbuf_adds(&sb, "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
	    "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<title>");
	xml_escape(&sb, r->desk_name);
	sbuf_adds(&sb, ": support report, ");
	xml_escape(&sb, words);
	sbuf_adds(&sb, "</title>\n<style>\n"
	    "body{font-family:sans-serif;margin:1.5em;color:#222;background:#fff;max-width:1600px}\n"
	    "h1{margin:0 0 .2em}p.period{font-size:1.25em;margin:0 0 .3em}p.note{color:#555;margin:0 0 1em}\n"
	    "table{border-collapse:collapse;margin:1em 0 .5em;font-size:0.85em}\n"
	    "th,td{border:1px solid #ccc;padding:0.25em 0.45em;text-align:right;white-space:nowrap}\n"
	    "thead th{background:#f3f3f3;white-space:normal}abbr{text-decoration:none;cursor:help}\n"
	    "tbody th{text-align:left;max-width:14em;white-space:normal;overflow-wrap:anywhere}\n"
	    "tr.total{font-weight:bold;background:#f3f3f3}\n"
	    "dl.legend{columns:3 18em;font-size:0.8em;color:#444;margin:0 0 1.5em}\n"
	    "dl.legend dt{display:inline;font-weight:bold;break-after:avoid}dl.legend dt::after{content:\": \"}\n"
	    "dl.legend dd{display:inline;margin:0}dl.legend dd::after{content:\"\";display:block;margin-bottom:.2em}\n"
	    "div.charts{display:grid;grid-template-columns:repeat(auto-fit,minmax(460px,1fr));gap:1.5em 1em}\n"
	    "figure.chart{margin:0;min-width:0}figure.chart svg{max-width:100%;height:auto;display:block}\n"
	    "figure.wide{grid-column:1/-1}figure.wide svg{width:100%}\n"
	    "svg text{font-family:sans-serif;font-size:11px;fill:#333}svg text.title{font-size:14px;font-weight:bold}\n"
	    "svg text.key{font-size:12px}svg .grid{stroke:#e4e4e4}svg .axis{stroke:#555}\n"
	    "svg polyline.backlog{stroke:#1f6fb2;stroke-width:2}svg circle.backlog,svg rect.backlog{fill:#1f6fb2}\n"
	    "svg polyline.frt{stroke:#d9822b;stroke-width:2}svg circle.frt,svg rect.frt{fill:#d9822b}\n"
	    "svg polyline.res{stroke:#7a4fb5;stroke-width:2}svg circle.res,svg rect.res{fill:#7a4fb5}\n"
	    "svg rect.bar{fill:#1f6fb2}svg rect.sla{fill:#2e9d5b}\n"
	    "</style>\n</head>\n<body>\n<h1>");
	xml_escape(&sb, r->desk_name);
	sbuf_adds(&sb, "</h1>\n<p class=\"period\">Support report, ");
	if (r->o.as_of)
		sbuf_adds(&sb, "as of ");
	xml_escape(&sb, words);
	sbuf_adds(&sb, "</p>\n<p class=\"note\">From ");
	xml_escape(&sb, a);
	sbuf_adds(&sb, " up to ");
	xml_escape(&sb, b);
	sbuf_addf(&sb, " (UTC); durations in %s time; %ld tickets.</p>\n", r->clock, r->tickets);

	sbuf_adds(&sb, "<h2>Key figures</h2>\n");
	html_table(&sb, r, 1);
	sbuf_adds(&sb, "<h2>Counts, breaches and escalations</h2>\n");
	html_table(&sb, r, 0);

	sbuf_adds(&sb, "<h2>Charts</h2>\n<div class=\"charts\">\n");
	for (size_t i = 0; i < n; i++) {
		backlog[i] = (double)r->days.g[i].backlog;
		frt[i] = stats_median(&r->days.g[i].first) / 3600;
		res[i] = stats_median(&r->days.g[i].resolve) / 3600;
	}
	chart_series(&sb, r, "Open tickets per day", backlog, "backlog",
	    "tickets open at the end of each day (UTC)", NULL, NULL, NULL, fmt_count);
	chart_series(&sb, r, "Median response times per day (hours)", frt, "frt",
	    "first response (median, hours)", res, "res", "resolution (median, hours)", fmt_hours);
	if (r->o.charts) {
		chart_groups(&sb, "Created per channel", "tickets created in the period, per channel",
		    &r->channels);
		chart_groups(&sb, "Created per queue", "tickets created in the period, per queue",
		    &r->queues);
	}
	{
		double v[NCLOCKS + 1];
		const char *l[NCLOCKS + 1];
		size_t k = 0;
		for (int c = 0; c < NCLOCKS; c++)
			if (r->total.sla_settled[c]) {
				v[k] = 100 * report_rate(r->total.sla_met[c], r->total.sla_settled[c]);
				l[k++] = clock_titles[c];
			}
		chart_bars(&sb, "SLA compliance (share met)", v, l, k, fmt_share, 100, "sla",
		    "share of settled SLA targets met, per clock");
	}
	sbuf_adds(&sb, "</div>\n");

	if (r->agents.n) {
		sbuf_adds(&sb, "<h2>Agents</h2>\n<table>\n<tr><th>agent</th><th>open</th>"
		    "<th>resolved</th><th>median first response</th></tr>\n");
		for (size_t i = 0; i < r->agents.n; i++) {
			struct report_fig *g = &r->agents.g[i];
			sbuf_adds(&sb, "<tr><th>");
			xml_escape(&sb, g->key);
			sbuf_addf(&sb, "</th><td>%ld</td><td>%ld</td><td>", g->backlog, g->resolved);
			xml_escape(&sb, fmt_dur(stats_median(&g->first), buf, sizeof(buf)));
			sbuf_adds(&sb, "</td></tr>\n");
		}
		sbuf_adds(&sb, "</table>\n");
	}
	if (r->topics) {
		for (int words = 1; words <= 2; words++) {
			struct topic *t;
			size_t k = topics_top(r->topics, words, r->o.topics, &t);
			sbuf_adds(&sb, words == 1 ? "<h2>Keywords</h2>\n" : "<h2>Phrases</h2>\n");
			sbuf_adds(&sb, "<table>\n<tr><th>term</th><th>subjects</th></tr>\n");
			for (size_t i = 0; i < k; i++) {
				sbuf_adds(&sb, "<tr><th>");
				xml_escape(&sb, t[i].term);
				sbuf_addf(&sb, "</th><td>%zu</td></tr>\n", t[i].count);
			}
			sbuf_adds(&sb, "</table>\n");
			free(t);
		}
	}
	sbuf_adds(&sb, "</body>\n</html>\n");
	fwrite(sb.buf, 1, sb.len, fp);
	sbuf_free(&sb);
	free(words);
	free(backlog);
	free(frt);
	free(res);
	return ferror(fp) ? EX_IOERR : 0;
}
