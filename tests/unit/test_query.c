/* test_query.c: the filter engine on single records (no desk needed) */
#include <stdlib.h>
#include <string.h>

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
	return tap_done();
}
