/* test_query.c: the filter engine on single records (no desk needed) */
#include <stdlib.h>
#include <string.h>

#include "fieldset.h"
#include "kv.h"
#include "query.h"
#include "tap.h"
#include "util.h"

/* Does the record made of the key/value pairs kv pass q? */
static int
passes(struct query *q, const char *const *kv)
{
	struct kvmap m = KVMAP_INIT;
	const char *v[QUERY_MAXSLOTS];
	struct rec r;
	int ok;

	for (size_t i = 0; kv[i]; i += 2)
		kv_set(&m, kv[i], kv[i + 1]);
	r.buf = kv_serialize(&m, &r.len);
	query_fill(q, &r, v);
	ok = query_match(q, v);
	free((char *)r.buf);
	kv_free(&m);
	return ok;
}


/* Sorting: query_sort_rows against the rules written out plainly, on rows made up. */

static const char *const *const pools[] = {
	(const char *const[]){ "priority", "low", "normal", "high", "urgent", "critical", "p1",
	    "zz", NULL },
	(const char *const[]){ "updated", "2026-11-23T10:05:00Z", "2026-11-23T10:05:59Z",
	    "2026-11-23T10:05:01Z", "2025-01-01T00:00:00Z", "2026-12-31T23:59:59Z", NULL },
	(const char *const[]){ "due", "2026-11-23", "2026-01-05", "1999-12-31", NULL },
	(const char *const[]){ "hours", "7", "007", "-0", "0", "-12", "15", "999999999999999",
	    "-999999999999999", "-3", NULL },
	(const char *const[]){ "score", "3.5", "-1.25", "2", "10", ".5", "1234567890123456", NULL },
	(const char *const[]){ "subject", "b", "a", "ab", "Zed", "", "x y", "\xc3\xa9t\xc3\xa9",
	    "a long subject that goes on past sixteen bytes", "a long subject that goes on", NULL },
	(const char *const[]){ "mixed", "2026-11-23T10:05:00Z", "2026-11-23T10:05:01Z", "later",
	    "2026-11-23", NULL },
	(const char *const[]){ "stamp", "2026-11-23T10:05:00Z", "2026-11-23 10:05:00Z",
	    "2026-11-23T10:05:01Z", NULL },
	(const char *const[]){ "wide", "1234567890-1234567890", "1234567890-1234567891",
	    "0000000000-0000000000", NULL },
	(const char *const[]){ "big", "12345678901234567", "12345678901234568", "5", NULL },
	(const char *const[]){ "none", NULL },
	(const char *const[]){ "many", NULL },	/* made up per row: more words than are ranked */
};
#define NPOOLS (sizeof(pools) / sizeof(*pools))

static unsigned long rnd_state = 12345;

static unsigned
rnd(unsigned n)
{
	rnd_state = rnd_state * 6364136223846793005UL + 1442695040888963407UL;
	return (unsigned)(rnd_state >> 33) % n;
}

/* A plain decimal number: [-]digits with at most one '.', some digit. */
static int
plain_number(const char *s, double *d)
{
	const char *p = s + (*s == '-');
	int digits = 0, dots = 0;

	for (; *p; p++)
		if (*p >= '0' && *p <= '9')
			digits++;
		else if (*p != '.' || dots++)
			return 0;
	*d = strtod(s, NULL);
	return digits > 0;
}

struct ref {
	const struct query *q;
	const char **slots;
	int ns;
};

/* Missing last either way; priorities by rank; two numbers as numbers; else strcmp; then id. */
static int
ref_cmp(const struct ref *r, size_t a, size_t b)
{
	const char **va = r->slots + a * (size_t)r->ns, **vb = r->slots + b * (size_t)r->ns;

	for (size_t k = 0; k < r->q->nsort; k++) {
		const char *x = va[r->q->sort[k].slot], *y = vb[r->q->sort[k].slot];
		double dx, dy;
		int c;
		if (x == NULL || y == NULL) {
			if (x != y)
				return x ? -1 : 1;
			continue;
		}
		if (strcmp(r->q->sort[k].key, "priority") == 0)
			c = priority_rank(x) - priority_rank(y);
		else if (plain_number(x, &dx) && plain_number(y, &dy))
			c = dx < dy ? -1 : dx > dy;
		else
			c = strcmp(x, y);
		c = c < 0 ? -1 : c > 0;
		if (c)
			return r->q->sort[k].desc ? -c : c;
	}
	return strcmp(va[r->q->s_id] ? va[r->q->s_id] : "", vb[r->q->s_id] ? vb[r->q->s_id] : "");
}

/* One made-up listing of n rows sorted by spec: the same order as a plain stable sort? */
static int
sorts_as_ref(const char *spec, size_t n, int nmissing)
{
	struct query q;
	struct query_rows rows;
	size_t *want;
	int same = 1, slot[NPOOLS];

	query_init(&q);
	if (query_sort(&q, spec) != 0) {
		query_free(&q);
		return 0;
	}
	want = malloc(n * sizeof(*want));
	for (size_t p = 0; p < NPOOLS; p++)
		slot[p] = query_slot(&q, pools[p][0]);
	memset(&rows, 0, sizeof(rows));
	rows.n = n;
	rows.nslots = q.nslots;
	rows.slots = calloc(n * (size_t)q.nslots + 1, sizeof(*rows.slots));
	rows.order = malloc(n * sizeof(*rows.order));
	for (size_t i = 0; i < n; i++) {
		static const char *const ids[] = { "DUP", "ABCDEFGH1", "ABCDEFGH2", "ABCDEFGH",
			"ABCDEFG", NULL };
		static char idbuf[1000][8];
		const char **v = rows.slots + i * (size_t)q.nslots;
		unsigned r = rnd(20);
		snprintf(idbuf[i % 1000], sizeof(idbuf[0]), "T%04zu", (n - i) * 7 % 1000);
		v[q.s_id] = r < 6 ? ids[r] : idbuf[i % 1000];
		for (size_t p = 0; p < NPOOLS; p++) {
			size_t np = 0;
			while (pools[p][np + 1])
				np++;
			unsigned k = np + (unsigned)nmissing ? rnd((unsigned)np + (unsigned)nmissing) : 0;
			v[slot[p]] = k < np ? pools[p][k + 1] : NULL;
			if (strcmp(pools[p][0], "many") == 0) {
				static char many[2000][8];
				snprintf(many[i % 2000], sizeof(many[0]), "w%u", rnd(3000));
				v[slot[p]] = rnd(8) < (unsigned)nmissing ? NULL : many[i % 2000];
			}
		}
		rows.order[i] = want[i] = i;
	}
	/* a plain stable insertion sort by the rules */
	struct ref ref = { &q, rows.slots, q.nslots };
	for (size_t i = 1; i < n; i++)
		for (size_t j = i; j > 0 && ref_cmp(&ref, want[j - 1], want[j]) > 0; j--) {
			size_t t = want[j];
			want[j] = want[j - 1];
			want[j - 1] = t;
		}
	query_sort_rows(&q, &rows);
	for (size_t i = 0; i < n && same; i++)
		if (rows.order[i] != want[i]) {
			printf("#   %s: row %zu is %zu, want %zu\n", spec, i, rows.order[i], want[i]);
			same = 0;
		}
	free(want);
	query_rows_free(&rows);
	query_free(&q);
	return same;
}

static int
random_specs(int nspecs, size_t n)
{
	for (int t = 0; t < nspecs; t++) {
		char spec[256] = "";
		unsigned nk = 1 + rnd(4);
		for (unsigned k = 0; k < nk; k++) {
			size_t l = strlen(spec);
			snprintf(spec + l, sizeof(spec) - l, "%s%s%s", k ? "," : "", rnd(2) ? "-" : "",
			    pools[rnd(NPOOLS)][0]);
		}
		if (!sorts_as_ref(spec, n, (int)rnd(4)))
			return 0;
	}
	return 1;
}

#define REC(...) ((const char *const[]){ __VA_ARGS__, NULL })

int
main(void)
{
	struct query q;
	long secs;

	setenv("RT_NOW", "2026-11-23T12:00:00Z", 1);
	query_init(&q);
	ok(passes(&q, REC("id", "A", "status", "open")), "no filter: everything but merged");
	ok(!passes(&q, REC("id", "A", "status", "merged")), "merged left out by default");
	q.all = 1;
	ok(passes(&q, REC("id", "A", "status", "merged")), "--all keeps merged");
	query_free(&q);

	query_init(&q);
	q.open = 1;
	ok(!passes(&q, REC("status", "resolved")) && !passes(&q, REC("status", "closed")) &&
	    passes(&q, REC("status", "new")), "--open: done statuses out");
	query_free(&q);

	query_init(&q);
	ok(query_priority(&q, "high+") == 0, "high+ parses");
	ok(passes(&q, REC("priority", "urgent")) && !passes(&q, REC("priority", "normal")),
	    "high+ is high or above");
	ok(query_priority(&q, "huge+") == EX_USAGE && strstr(rt_errmsg(), "huge"),
	    "an unknown priority is a usage error naming it");
	query_free(&q);

	query_init(&q);
	query_tag(&q, "hw,net");
	query_tag(&q, "fire");
	ok(passes(&q, REC("tags", "fire,hw")) && !passes(&q, REC("tags", "hw")),
	    "--tag: comma is any, repeat is all");
	query_free(&q);

	query_init(&q);
	q.requestor = xstrdup("@Example.com");
	ok(passes(&q, REC("requestors", "a@x.org,b@example.COM")) &&
	    !passes(&q, REC("requestors", "b@example.com.evil")), "--requestor @domain, any case");
	query_free(&q);

	query_init(&q);
	ok(query_time(&q.updated_since, "updated-since", "-1d") == 0 &&
	    strcmp(q.updated_since, "2026-11-22T12:00:00Z") == 0, "relative times count from RT_NOW");
	ok(passes(&q, REC("updated", "2026-11-22T12:00:00Z")) &&
	    !passes(&q, REC("updated", "2026-11-22T11:59:59Z")) && !passes(&q, REC("id", "X")),
	    "since is inclusive; a missing time never matches");
	ok(query_time(&q.created_until, "created-until", "-1x") == EX_USAGE, "bad unit refused");
	query_free(&q);

	query_init(&q);
	ok(query_duration("6h", &secs) == 0 && secs == 6 * 3600, "durations");
	ok(query_where(&q, "hours=9") == 0 && query_where(&q, "=x") == EX_USAGE, "--where KEY=VALUE");
	ok(passes(&q, REC("hours", "9")) && !passes(&q, REC("hours", "10")), "--where compares exactly");
	ok(query_esc_level(&q, "2+") == 0 && passes(&q, REC("hours", "9", "esc-level", "3")) &&
	    !passes(&q, REC("hours", "9", "esc-level", "1")), "--esc-level N+");
	ok(query_sort(&q, "-priority,updated") == 0 && q.nsort == 2 && q.sort[0].desc &&
	    !q.sort[1].desc, "sort keys with directions");
	ok(query_limit(&q, "-1") == EX_USAGE, "a negative limit is refused");
	query_free(&q);

	ok(sorts_as_ref("-priority,updated", 300, 1) && sorts_as_ref("priority,-updated", 300, 0),
	    "sort: priorities by rank, times, missing last both ways, ties by id");
	ok(sorts_as_ref("-hours,due", 300, 2) && sorts_as_ref("due,-hours,priority", 300, 1) &&
	    sorts_as_ref("big", 300, 1),
	    "sort: whole numbers (007 = 7, -0 = 0, equal as doubles past 15 digits) and dates");
	ok(sorts_as_ref("updated,due,hours,priority,-stamp", 300, 1),
	    "sort: keys past 64 bits of packed codes compare value by value");
	ok(sorts_as_ref("score,subject", 300, 1) && sorts_as_ref("-mixed,-wide", 300, 1) &&
	    sorts_as_ref("stamp,none,-subject", 300, 2),
	    "sort: decimals, words, mixed layouts, long digits, all missing");
	ok(sorts_as_ref("-many,priority", 1500, 1) && sorts_as_ref("-priority,many", 1500, 1),
	    "sort: more distinct words than are ranked compare value by value");
	ok(random_specs(300, 120), "sort: 300 random specs as the plain rules say");
	return tap_done();
}
