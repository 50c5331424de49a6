/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * test_stats.c - Welford moments and Chan merging against two-pass sums,
 * the vector variants, and type-1 histogram quantiles against sorting.
 */
#include <criterion/criterion.h>
#include <math.h>
#include <stdlib.h>

#include "lrekmc/rng.h"
#include "lrekmc/stats.h"

#define COUNT 1000

static void sample(double *x, size_t n, uint64_t stream)
{
    lrk_pcg64 g;
    lrk_pcg64_seed(&g, 123, stream);
    for (size_t i = 0; i < n; i++) /* offset mean: a one-pass sum of squares would lose digits */
        x[i] = 1e3 + 3.0 * lrk_pcg64_exponential(&g);
}

static void two_pass(const double *x, size_t n, double *mean, double *m2)
{
    long double sum = 0, squares = 0;
    for (size_t i = 0; i < n; i++)
        sum += x[i];
    long double mu = sum / n;
    for (size_t i = 0; i < n; i++)
        squares += (x[i] - mu) * (x[i] - mu);
    *mean = (double)mu;
    *m2 = (double)squares;
}

static void assert_rel(double got, double want, double tol, const char *what)
{
    cr_assert_leq(fabs(got - want), tol * fabs(want), "%s: %.17g vs %.17g", what, got, want);
}

Test(stats, welford_equals_two_pass)
{
    double x[COUNT], mean, m2;
    sample(x, COUNT, 1);
    two_pass(x, COUNT, &mean, &m2);
    lrk_moments m;
    lrk_moments_reset(&m);
    for (size_t i = 0; i < COUNT; i++)
        lrk_moments_push(&m, x[i]);
    cr_assert_eq(m.count, (uint64_t)COUNT);
    assert_rel(m.mean, mean, 1e-13, "mean");
    assert_rel(m.m2, m2, 1e-11, "m2");
    assert_rel(lrk_moments_variance(&m), m2 / (COUNT - 1), 1e-11, "variance");
    assert_rel(lrk_moments_sem(&m), sqrt(m2 / (COUNT - 1) / COUNT), 1e-11, "sem");
}

Test(stats, chan_merge_of_any_split_equals_two_pass)
{
    double x[COUNT], mean, m2;
    sample(x, COUNT, 2);
    two_pass(x, COUNT, &mean, &m2);
    static const size_t cuts[][3] = {{0, 1, COUNT}, {0, 500, COUNT}, {0, 999, COUNT}, {0, 0, COUNT}};
    for (size_t c = 0; c < sizeof cuts / sizeof cuts[0]; c++) {
        lrk_moments a, b;
        lrk_moments_reset(&a);
        lrk_moments_reset(&b);
        for (size_t i = cuts[c][0]; i < cuts[c][1]; i++)
            lrk_moments_push(&a, x[i]);
        for (size_t i = cuts[c][1]; i < cuts[c][2]; i++)
            lrk_moments_push(&b, x[i]);
        lrk_moments merged_ab = a, merged_ba = b;
        lrk_moments_merge(&merged_ab, &b);
        lrk_moments_merge(&merged_ba, &a);
        cr_assert_eq(merged_ab.count, (uint64_t)COUNT);
        assert_rel(merged_ab.mean, mean, 1e-13, "mean a+b");
        assert_rel(merged_ab.m2, m2, 1e-11, "m2 a+b");
        assert_rel(merged_ba.mean, mean, 1e-13, "mean b+a");
        assert_rel(merged_ba.m2, m2, 1e-11, "m2 b+a");
    }
}

Test(stats, vector_updates_equal_two_pass_per_column)
{
    enum { ROWS = 300, COLS = 5 };
    static double x[ROWS][COLS];
    double column[ROWS];
    for (size_t j = 0; j < COLS; j++) {
        sample(column, ROWS, 10 + j);
        for (size_t i = 0; i < ROWS; i++)
            x[i][j] = column[i];
    }
    /* two halves accumulated separately, then merged */
    double mean_a[COLS] = {0}, m2_a[COLS] = {0}, mean_b[COLS] = {0}, m2_b[COLS] = {0};
    for (size_t i = 0; i < 120; i++)
        lrk_moments_push_vector(i, mean_a, m2_a, x[i], COLS);
    for (size_t i = 120; i < ROWS; i++)
        lrk_moments_push_vector(i - 120, mean_b, m2_b, x[i], COLS);
    lrk_moments_merge_vector(120, mean_a, m2_a, ROWS - 120, mean_b, m2_b, COLS);
    for (size_t j = 0; j < COLS; j++) {
        for (size_t i = 0; i < ROWS; i++)
            column[i] = x[i][j];
        double mean, m2;
        two_pass(column, ROWS, &mean, &m2);
        assert_rel(mean_a[j], mean, 1e-13, "vector mean");
        assert_rel(m2_a[j], m2, 1e-11, "vector m2");
        assert_rel(lrk_moments_std_from_m2(ROWS, m2_a[j]), sqrt(m2 / (ROWS - 1)), 1e-11, "std");
    }
    /* merging into an empty summary copies */
    double mean_e[COLS] = {0}, m2_e[COLS] = {0};
    lrk_moments_merge_vector(0, mean_e, m2_e, ROWS, mean_a, m2_a, COLS);
    for (size_t j = 0; j < COLS; j++)
        cr_assert(mean_e[j] == mean_a[j] && m2_e[j] == m2_a[j]);
}

Test(stats, small_counts_are_safe)
{
    lrk_moments m;
    lrk_moments_reset(&m);
    cr_assert_eq(lrk_moments_variance(&m), 0.0);
    lrk_moments_push(&m, 4.0);
    cr_assert_eq(m.mean, 4.0);
    cr_assert_eq(lrk_moments_std(&m), 0.0);
    cr_assert_eq(lrk_moments_sem(&m), 0.0);
}

Test(stats, histogram_quantile_hand_cases)
{
    static const uint64_t counts[4] = {2, 0, 3, 5}; /* total 10 */
    cr_assert_eq(lrk_histogram_quantile(counts, 4, 0.0), 0);
    cr_assert_eq(lrk_histogram_quantile(counts, 4, 0.2), 0); /* F(0) = 0.2 >= 0.2 */
    cr_assert_eq(lrk_histogram_quantile(counts, 4, 0.21), 2);
    cr_assert_eq(lrk_histogram_quantile(counts, 4, 0.5), 2); /* F(2) = 0.5 */
    cr_assert_eq(lrk_histogram_quantile(counts, 4, 0.51), 3);
    cr_assert_eq(lrk_histogram_quantile(counts, 4, 1.0), 3);
    static const uint64_t empty[3] = {0, 0, 0};
    cr_assert_eq(lrk_histogram_quantile(empty, 3, 0.5), -1);
    static const uint64_t leading_zero[3] = {0, 4, 1};
    cr_assert_eq(lrk_histogram_quantile(leading_zero, 3, 0.0), 1);
}

static int compare_u32(const void *a, const void *b)
{
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
    return (x > y) - (x < y);
}

Test(stats, histogram_quantile_equals_sorted_order_statistic)
{
    /* type 1: the ceil(p n)-th smallest value, for many p and sample sizes */
    lrk_pcg64 g;
    lrk_pcg64_seed(&g, 77, 0);
    for (size_t n = 1; n <= 64; n += 7) {
        uint32_t values[64];
        uint64_t counts[16] = {0};
        for (size_t i = 0; i < n; i++) {
            values[i] = (uint32_t)(lrk_pcg64_next(&g) % 16);
            counts[values[i]]++;
        }
        qsort(values, n, sizeof values[0], compare_u32);
        for (int step = 1; step <= 100; step++) {
            double p = step / 100.0;
            size_t rank = (size_t)ceil(p * (double)n);
            cr_assert_eq(lrk_histogram_quantile(counts, 16, p), (long)values[rank - 1], "n=%zu p=%g", n, p);
        }
    }
}

Test(stats, one_scan_quantiles_equal_single_ones)
{
    static const uint64_t counts[6] = {0, 2, 0, 3, 5, 0};
    static const double p[5] = {0.0, 0.2, 0.21, 0.5, 1.0};
    long out[5];
    lrk_histogram_quantiles(counts, 6, 10, p, 5, out);
    for (int i = 0; i < 5; i++)
        cr_assert_eq(out[i], lrk_histogram_quantile(counts, 6, p[i]), "p = %g", p[i]);
    lrk_histogram_quantiles(counts, 6, 0, p, 5, out);
    cr_assert_eq(out[0], -1);
}
