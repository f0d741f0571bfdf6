/* test_stats.c: median, nearest-rank percentile, mean */
#include <math.h>
#include <stdio.h>

#include "stats.h"
#include "tap.h"

static struct dvec
vec(const double *v, size_t n)
{
	struct dvec d = DVEC_INIT;

	for (size_t i = 0; i < n; i++)
		dvec_push(&d, v[i]);
	return d;
}

int
main(void)
{
	struct dvec e = DVEC_INIT;
	ok(isnan(stats_median(&e)), "median of nothing is NAN");
	ok(isnan(stats_percentile(&e, 90)), "p90 of nothing is NAN");
	ok(isnan(stats_mean(&e)), "mean of nothing is NAN");

	double one[] = { 42 };
	struct dvec d1 = vec(one, 1);
	ok(stats_median(&d1) == 42, "median of one value");
	ok(stats_percentile(&d1, 90) == 42, "p90 of one value");
	ok(stats_percentile(&d1, 1) == 42, "p1 of one value");
	dvec_free(&d1);

	/* unsorted input: 10 values 1..10 shuffled */
	double ten[] = { 7, 3, 10, 1, 9, 2, 8, 5, 4, 6 };
	struct dvec d10 = vec(ten, 10);
	ok(!d10.sorted, "shuffled input is marked unsorted");
	ok(stats_median(&d10) == 5.5, "median of 1..10 is 5.5 (mean of middle two)");
	ok(stats_percentile(&d10, 90) == 9, "p90 of 1..10 is 9 (rank ceil(9.0) = 9)");
	ok(stats_percentile(&d10, 91) == 10, "p91 of 1..10 is 10 (rank ceil(9.1) = 10)");
	ok(stats_percentile(&d10, 50) == 5, "p50 nearest-rank of 1..10 is 5");
	ok(stats_percentile(&d10, 10) == 1, "p10 of 1..10 is 1");
	ok(stats_percentile(&d10, 0) == 1, "p0 is the minimum");
	ok(stats_percentile(&d10, 100) == 10, "p100 is the maximum");
	ok(stats_mean(&d10) == 5.5, "mean of 1..10");
	dvec_free(&d10);

	/* odd count, duplicates */
	double five[] = { 60, 3600, 60, 7200, 600 };
	struct dvec d5 = vec(five, 5);
	ok(stats_median(&d5) == 600, "median of odd count is the middle value");
	ok(stats_percentile(&d5, 90) == 7200, "p90 of 5 values is rank 5");
	ok(stats_percentile(&d5, 80) == 3600, "p80 of 5 values is rank 4");
	ok(stats_percentile(&d5, 20) == 60, "p20 of 5 values is rank 1");
	ok(stats_mean(&d5) == 2304, "mean of five values");
	dvec_free(&d5);

	double s[] = { 1, 2, 3, 4 };
	ok(stats_median_sorted(s, 4) == 2.5, "median of sorted array");
	ok(stats_percentile_sorted(s, 4, 75) == 3, "p75 of 4 values is rank 3");
	ok(stats_percentile_sorted(s, 4, 76) == 4, "p76 of 4 values is rank 4");

	/* 20 values: p90 rank 18 */
	struct dvec d20 = DVEC_INIT;
	for (int i = 20; i >= 1; i--)
		dvec_push(&d20, i * 10);
	ok(stats_percentile(&d20, 90) == 180, "p90 of 10..200 is the 18th value");
	ok(stats_median(&d20) == 105, "median of 10..200");
	dvec_free(&d20);

	char buf[32];
	snprintf(buf, sizeof(buf), "%.1f", stats_percentile_sorted(s, 4, 50));
	is_str(buf, "2.0", "p50 of 4 values is rank 2");
	return tap_done();
}
