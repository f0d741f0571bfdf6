/*
 * stats.h: order statistics for report figures.
 *
 * The median of n sorted values is the middle value, or the mean of the
 * two middle values when n is even. The p-th percentile uses the
 * nearest-rank method: the value at 1-based rank ceil(p/100 * n) of the
 * sorted values (rank 1 when that is 0), so it is always one of the
 * observed values. Every function returns NAN for an empty set.
 */
#ifndef RT_STATS_H
#define RT_STATS_H

#include <stddef.h>

struct dvec {
	double *v;
	size_t n, cap;
	int sorted;
};
#define DVEC_INIT { NULL, 0, 0, 1 }

void dvec_push(struct dvec *d, double x);
void dvec_sort(struct dvec *d);
void dvec_free(struct dvec *d);

/* These sort the vector first when needed. */
double stats_median(struct dvec *d);
double stats_percentile(struct dvec *d, double p);
double stats_mean(const struct dvec *d);

/* The same on an ascending array. */
double stats_median_sorted(const double *v, size_t n);
double stats_percentile_sorted(const double *v, size_t n, double p);

#endif
