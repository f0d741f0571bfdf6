/* stats.c: median, nearest-rank percentile and mean (see stats.h) */
#include <math.h>
#include <stdlib.h>

#include "stats.h"
#include "util.h"

void
dvec_push(struct dvec *d, double x)
{
	if (d->n == d->cap) {
		d->cap = d->cap ? d->cap * 2 : 16;
		d->v = xrealloc(d->v, d->cap * sizeof(*d->v));
	}
	if (d->n && x < d->v[d->n - 1])
		d->sorted = 0;
	d->v[d->n++] = x;
}

static int
cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

void
dvec_sort(struct dvec *d)
{
	if (!d->sorted && d->n > 1)
		qsort(d->v, d->n, sizeof(*d->v), cmp_double);
	d->sorted = 1;
}

void
dvec_free(struct dvec *d)
{
	free(d->v);
	d->v = NULL;
	d->n = d->cap = 0;
	d->sorted = 1;
}

double
stats_median_sorted(const double *v, size_t n)
{
	if (n == 0)
		return NAN;
	if (n % 2)
		return v[n / 2];
	return (v[n / 2 - 1] + v[n / 2]) / 2;
}

double
stats_percentile_sorted(const double *v, size_t n, double p)
{
	double r;
	size_t rank;

	if (n == 0 || isnan(p))
		return NAN;
	if (p <= 0)
		return v[0];
	if (p >= 100)
		return v[n - 1];
	/* A small epsilon keeps 90% of 10 at rank 9 despite binary fractions. */
	r = ceil(p / 100.0 * (double)n - 1e-9);
	rank = r < 1 ? 1 : (size_t)r;
	if (rank > n)
		rank = n;
	return v[rank - 1];
}

double
stats_median(struct dvec *d)
{
	dvec_sort(d);
	return stats_median_sorted(d->v, d->n);
}

double
stats_percentile(struct dvec *d, double p)
{
	dvec_sort(d);
	return stats_percentile_sorted(d->v, d->n, p);
}

double
stats_mean(const struct dvec *d)
{
	double sum = 0;

	if (d->n == 0)
		return NAN;
	for (size_t i = 0; i < d->n; i++)
		sum += d->v[i];
	return sum / (double)d->n;
}
