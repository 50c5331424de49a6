/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * stats.c - Welford moments, Chan merging and histogram quantiles (stats.h).
 */
#include "lrekmc/stats.h"

#include <math.h>

void lrk_moments_reset(lrk_moments *m)
{
    m->count = 0;
    m->mean = 0.0;
    m->m2 = 0.0;
}

void lrk_moments_push(lrk_moments *m, double x)
{
    m->count++;
    double delta = x - m->mean;
    m->mean += delta / (double)m->count;
    m->m2 += delta * (x - m->mean);
}

/* Chan, Golub & LeVeque: with d = mean_b - mean_a and n = n_a + n_b,
 *   mean = mean_a + d n_b / n,   M2 = M2_a + M2_b + d^2 n_a n_b / n. */
static void merge_one(uint64_t count_a, double *mean_a, double *m2_a, uint64_t count_b, double mean_b,
                      double m2_b)
{
    if (count_b == 0)
        return;
    if (count_a == 0) {
        *mean_a = mean_b;
        *m2_a = m2_b;
        return;
    }
    double na = (double)count_a, nb = (double)count_b, n = na + nb;
    double delta = mean_b - *mean_a;
    *mean_a += delta * (nb / n);
    *m2_a += m2_b + delta * delta * (na * nb / n);
}

void lrk_moments_merge(lrk_moments *into, const lrk_moments *other)
{
    merge_one(into->count, &into->mean, &into->m2, other->count, other->mean, other->m2);
    into->count += other->count;
}

double lrk_moments_variance(const lrk_moments *m)
{
    return m->count < 2 ? 0.0 : m->m2 / (double)(m->count - 1);
}

double lrk_moments_std(const lrk_moments *m)
{
    return lrk_moments_std_from_m2(m->count, m->m2);
}

double lrk_moments_sem(const lrk_moments *m)
{
    return lrk_moments_sem_from_m2(m->count, m->m2);
}

double lrk_moments_std_from_m2(uint64_t count, double m2)
{
    /* M2 is a sum of squares but can come out a rounding error below 0. */
    return count < 2 ? 0.0 : sqrt(fmax(m2, 0.0) / (double)(count - 1));
}

double lrk_moments_sem_from_m2(uint64_t count, double m2)
{
    return count < 2 ? 0.0 : lrk_moments_std_from_m2(count, m2) / sqrt((double)count);
}

void lrk_moments_push_vector(uint64_t count_before, double *mean, double *m2, const double *x,
                             size_t len)
{
    /* One division for the whole curve: the weight is the same everywhere. */
    double weight = 1.0 / (double)(count_before + 1);
    for (size_t i = 0; i < len; i++) {
        double delta = x[i] - mean[i];
        mean[i] += delta * weight;
        m2[i] += delta * (x[i] - mean[i]);
    }
}

void lrk_moments_merge_vector(uint64_t count_a, double *mean_a, double *m2_a, uint64_t count_b,
                              const double *mean_b, const double *m2_b, size_t len)
{
    for (size_t i = 0; i < len; i++)
        merge_one(count_a, &mean_a[i], &m2_a[i], count_b, mean_b[i], m2_b[i]);
}

long lrk_histogram_quantile(const uint64_t *counts, size_t bins, double p)
{
    uint64_t total = 0;
    for (size_t b = 0; b < bins; b++)
        total += counts[b];
    if (total == 0)
        return -1;
    double target = p * (double)total;
    uint64_t cumulative = 0;
    for (size_t b = 0; b < bins; b++) {
        cumulative += counts[b];
        if (cumulative > 0 && (double)cumulative >= target)
            return (long)b;
    }
    return (long)bins - 1; /* p > 1 lands on the last bin */
}

void lrk_histogram_quantiles(const uint64_t *counts, size_t bins, uint64_t total, const double *p,
                             size_t count, long *out)
{
    size_t i = 0;
    uint64_t cumulative = 0;
    for (size_t b = 0; b < bins && i < count && total > 0; b++) {
        cumulative += counts[b];
        while (i < count && cumulative > 0 && (double)cumulative >= p[i] * (double)total)
            out[i++] = (long)b;
    }
    for (; i < count; i++)
        out[i] = total == 0 ? -1 : (long)bins - 1;
}
