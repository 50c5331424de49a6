/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * stats.h - streaming statistics with exact, order-fixed merging.
 *
 * Moments: Welford's update adds one observation to a running count, mean
 * and M2 = sum (x - mean)^2; Chan, Golub and LeVeque's pairwise formula
 * merges two such summaries.  Neither needs the data kept, so memory does not
 * grow with the number of samples.  Floating-point merging is not
 * associative: callers that promise identical bytes (the KMC ensemble) merge
 * in a fixed order.
 *
 * Curves: many quantities observed together (q at every grid time) share one
 * count; the *_vector functions update arrays of means and M2 with it.
 *
 * Histograms: integer counts, so merging (adding) is exact and
 * order-independent.  lrk_histogram_quantile is the type-1 inverse of the
 * empirical CDF (Hyndman & Fan 1996, definition 1): the smallest bin b with
 *   counts[0] + ... + counts[b] >= p * total,
 * p * total evaluated in double precision (exact for totals below 2^53 up to
 * the rounding of that one product).
 */
#ifndef LREKMC_STATS_H
#define LREKMC_STATS_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct lrk_moments {
    uint64_t count;
    double mean;
    double m2; /* sum of squared deviations from the mean */
} lrk_moments;

void lrk_moments_reset(lrk_moments *m);
void lrk_moments_push(lrk_moments *m, double x);
/* into <- into merged with other (Chan et al.); other is unchanged. */
void lrk_moments_merge(lrk_moments *into, const lrk_moments *other);
/* Sample variance M2 / (count - 1); 0 when count < 2. */
double lrk_moments_variance(const lrk_moments *m);
double lrk_moments_std(const lrk_moments *m);
/* Standard error of the mean, std / sqrt(count); 0 when count < 2. */
double lrk_moments_sem(const lrk_moments *m);

/* Add observation x[i] to (mean[i], m2[i]) for i < len, all of which have
 * seen count_before observations so far. */
void lrk_moments_push_vector(uint64_t count_before, double *mean, double *m2, const double *x,
                             size_t len);
/* Merge (count_b, mean_b, m2_b) into (count_a, mean_a, m2_a), elementwise; the
 * caller then holds count_a + count_b.  Either count may be 0. */
void lrk_moments_merge_vector(uint64_t count_a, double *mean_a, double *m2_a, uint64_t count_b,
                              const double *mean_b, const double *m2_b, size_t len);
/* Sample std and standard error from a count and an M2 (as the scalar ones). */
double lrk_moments_std_from_m2(uint64_t count, double m2);
double lrk_moments_sem_from_m2(uint64_t count, double m2);

/* Type-1 quantile bin for p in [0, 1] (see the top of this file); the first
 * non-empty bin for p = 0.  Returns -1 when all counts are 0. */
long lrk_histogram_quantile(const uint64_t *counts, size_t bins, double p);

/* The same for several nondecreasing p[0..count-1] in one scan, given the
 * total of the counts (the caller usually knows it: the number of samples).
 * The scan stops at the bin of the last p, so bins beyond it are never read.
 * out[i] = -1 when total is 0. */
void lrk_histogram_quantiles(const uint64_t *counts, size_t bins, uint64_t total, const double *p,
                             size_t count, long *out);

#ifdef __cplusplus
}
#endif

#endif /* LREKMC_STATS_H */
