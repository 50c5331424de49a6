/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * test_disorder_sort.c - the exact sort of the disorder engine
 * (src/disorder_sort.h), the plain sort and the engine's buckets (several
 * fills in a row: all overflow, predicted, mixed), against qsort, bit for bit, on
 * inputs chosen to take every path: tiny arrays, equal values, a tight
 * cluster that crowds one fine slot (the qsort fallback past the move
 * budget), two clusters decades apart, values spread over the whole
 * exponent range, and random operational-time-like data at sizes around the
 * coarse-bucket thresholds.
 */
#include <criterion/criterion.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "lrekmc/rng.h"
#include "../src/disorder_sort.h"

static int by_value(const void *pa, const void *pb)
{
    double a = *(const double *)pa, b = *(const double *)pb;
    return (a > b) - (a < b);
}

/* Sort x[0..n) with disorder_sort and with qsort; the results must agree
 * bit for bit. */
static void check_sort(const double *x, size_t n, const char *what)
{
    double *s = malloc((n + 1) * sizeof(double)), *ref = malloc((n + 1) * sizeof(double));
    double *tmp = malloc((n + 1) * sizeof(double));
    uint32_t *count = malloc(disorder_sort_count_size(n) * sizeof(uint32_t));
    cr_assert(s && ref && tmp && count);
    memcpy(s, x, n * sizeof(double));
    memcpy(ref, x, n * sizeof(double));
    uint64_t lo = UINT64_MAX, hi = 0;
    for (size_t i = 0; i < n; i++) {
        uint64_t b = disorder_bits_of(x[i]);
        lo = b < lo ? b : lo;
        hi = b > hi ? b : hi;
    }
    disorder_sort(s, tmp, count, n, lo, hi);
    qsort(ref, n, sizeof(double), by_value);
    cr_assert(memcmp(s, ref, n * sizeof(double)) == 0, "%s (n = %zu): not sorted like qsort", what, n);
    /* the engine's buckets, four fills in a row: the first overflows
     * entirely, the second fits the predicted capacities, the third (every
     * value times 1.5, other slices) mixes capacity and overflow, the fourth
     * follows a changed history */
    disorder_buckets bk;
    cr_assert(disorder_buckets_init(&bk, n));
    static const double scale[4] = {1.0, 1.0, 1.5, 1.0};
    for (int round = 0; round < 4; round++) {
        for (size_t i = 0; i < n; i++)
            ref[i] = x[i] * scale[round];
        for (size_t i = 0; i < n; i += 300) /* in blocks, as the engine */
            disorder_buckets_put_block(&bk, ref + i, n - i < 300 ? n - i : 300);
        qsort(ref, n, sizeof(double), by_value);
        disorder_buckets_sort(&bk, s, count);
        cr_assert(memcmp(s, ref, n * sizeof(double)) == 0, "%s (n = %zu): buckets, fill %d, differ from qsort", what,
                  n, round);
    }
    disorder_buckets_free(&bk);
    free(s);
    free(ref);
    free(tmp);
    free(count);
}

Test(disorder_sort, tiny_and_equal_inputs)
{
    const double one = 1.5, two[2] = {2.0, 1.0};
    check_sort(&one, 1, "one value");
    check_sort(two, 2, "two values");
    double *x = malloc(5000 * sizeof(double));
    cr_assert_not_null(x);
    for (int i = 0; i < 5000; i++)
        x[i] = 3.25;
    check_sort(x, 5000, "all equal");
    for (int i = 0; i < 5000; i++)
        x[i] = i % 2 ? 3.25 : 0x1p-1000;
    check_sort(x, 5000, "two values, 1000 binades apart");
    free(x);
}

Test(disorder_sort, clusters_crowding_a_slot)
{
    enum { N = 20000 };
    double *x = malloc(N * sizeof(double));
    cr_assert_not_null(x);
    lrk_pcg64 g;
    lrk_pcg64_seed(&g, 11, 1);
    /* one far outlier stretches the range, so the rest (distinct values a
     * few ulp apart) share a coarse bucket and crowd its fine slots */
    for (int i = 0; i < N; i++)
        x[i] = 1.0 + (double)(lrk_pcg64_next(&g) >> 40) * 0x1p-52;
    x[7] = 1e300;
    check_sort(x, N, "a tight cluster and an outlier");
    /* two clusters decades apart, in shuffled order */
    for (int i = 0; i < N; i++)
        x[i] = (lrk_pcg64_next(&g) & 1 ? 1e-200 : 1e200) * (1.0 + lrk_pcg64_uniform(&g) * 1e-9);
    check_sort(x, N, "two tight clusters");
    free(x);
}

Test(disorder_sort, spread_and_random_operational_times)
{
    enum { N = 100000 };
    double *x = malloc(N * sizeof(double));
    cr_assert_not_null(x);
    lrk_pcg64 g;
    lrk_pcg64_seed(&g, 11, 2);
    /* log-uniform over the whole normal range */
    for (int i = 0; i < N; i++)
        x[i] = exp((lrk_pcg64_uniform(&g) - 0.5) * 1400.0);
    check_sort(x, N, "log-uniform over 600 decades");
    /* E exp(x): the engine's data, at sizes around the coarse thresholds */
    const size_t sizes[] = {3, 16, 17, 255, 256, 257, 1000, 8192, 8193, 100000};
    for (size_t k = 0; k < sizeof sizes / sizeof sizes[0]; k++) {
        for (size_t i = 0; i < sizes[k]; i++)
            x[i] = lrk_pcg64_exponential(&g) * exp(1.0 + 2.0 * lrk_pcg64_uniform(&g));
        check_sort(x, sizes[k], "operational times");
    }
    free(x);
}
