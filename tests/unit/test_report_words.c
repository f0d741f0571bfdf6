/* test_report_words.c: rt-report's period in words (report_period_words) */
#include <stdlib.h>

#include "report.h"
#include "tap.h"
#include "util.h"

static void
words(const char *since, const char *until, const char *want)
{
	time_t a, b;
	char *got;

	if (rt_parsetime(since, &a) != 0 || rt_parsetime(until, &b) != 0) {
		ok(0, "parse %s .. %s", since, until);
		return;
	}
	got = report_period_words(a, b);
	is_str(got, want, want);
	free(got);
}

int
main(void)
{
	words("2026-11-01T00:00:00Z", "2026-12-01T00:00:00Z", "November 2026");
	words("2026-10-01T00:00:00Z", "2026-12-01T00:00:00Z", "October\xE2\x80\x93November 2026");
	words("2026-12-01T00:00:00Z", "2027-02-01T00:00:00Z",
	    "December 2026 \xE2\x80\x93 January 2027");
	words("2026-11-23T00:00:00Z", "2026-11-30T00:00:00Z", "23\xE2\x80\x93" "29 November 2026");
	words("2026-10-26T00:00:00Z", "2026-11-02T00:00:00Z",
	    "26 October \xE2\x80\x93 1 November 2026");
	words("2026-12-28T00:00:00Z", "2027-01-04T00:00:00Z",
	    "28 December 2026 \xE2\x80\x93 3 January 2027");
	words("2026-11-29T00:00:00Z", "2026-11-30T00:00:00Z", "29 November 2026");
	/* the default period: 30 days up to now, not at midnight */
	words("2026-10-26T10:00:00Z", "2026-11-25T10:00:00Z",
	    "26 October \xE2\x80\x93 25 November 2026");
	/* a whole month that does not start on the 1st is days */
	words("2026-11-02T00:00:00Z", "2026-12-01T00:00:00Z", "2\xE2\x80\x93" "30 November 2026");
	return tap_done();
}
