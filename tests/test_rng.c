/* SPDX-License-Identifier: GPL-3.0-or-later */
/* test_rng.c - PCG against the published vectors, advance, uniform range. */
#include <criterion/criterion.h>
#include <math.h>
#include <stdlib.h>

#include "lrekmc/rng.h"

Test(rng, pcg32_published_vector)
{
    static const uint32_t expected[] = {0xa15c02b7, 0x7b47f409, 0xba1d3330,
                                        0x83d2f293, 0xbfa4784b, 0xcbed606e};
    lrk_pcg32 g;
    lrk_pcg32_seed(&g, 42u, 54u);
    for (size_t i = 0; i < sizeof expected / sizeof expected[0]; i++)
        cr_assert_eq(lrk_pcg32_next(&g), expected[i], "output %zu", i);
}

Test(rng, pcg64_published_vector)
{
    static const uint64_t expected[] = {0x86b1da1d72062b68ULL, 0x1304aa46c9853d39ULL,
                                        0xa3670e9e0dd50358ULL};
    lrk_pcg64 g;
    lrk_pcg64_seed(&g, 42u, 54u);
    for (size_t i = 0; i < sizeof expected / sizeof expected[0]; i++)
        cr_assert_eq(lrk_pcg64_next(&g), expected[i], "output %zu", i);
}

Test(rng, pcg64_advance_matches_stepping)
{
    lrk_pcg64 stepped, jumped;
    lrk_pcg64_seed(&stepped, 7u, 3u);
    jumped = stepped;
    for (int i = 0; i < 12345; i++)
        lrk_pcg64_next(&stepped);
    lrk_pcg64_advance(&jumped, 12345u);
    cr_assert_eq(lrk_pcg64_next(&jumped), lrk_pcg64_next(&stepped));
    /* advancing by 2^128 - 1 steps back by one */
    lrk_pcg64 back = jumped;
    uint64_t next = lrk_pcg64_next(&back);
    lrk_pcg64_advance(&back, ~(lrk_uint128)0);
    cr_assert_eq(lrk_pcg64_next(&back), next);
}

Test(rng, pcg32_advance_matches_stepping)
{
    lrk_pcg32 stepped, jumped;
    lrk_pcg32_seed(&stepped, 99u, 1u);
    jumped = stepped;
    for (int i = 0; i < 1000; i++)
        lrk_pcg32_next(&stepped);
    lrk_pcg32_advance(&jumped, 1000u);
    cr_assert_eq(lrk_pcg32_next(&jumped), lrk_pcg32_next(&stepped));
}

Test(rng, uniform_open_interval_and_exponential_finite)
{
    /* The extreme outputs map strictly inside (0, 1). */
    cr_assert_gt((0.0 + 0.5) * 0x1.0p-52, 0.0);
    cr_assert_lt(((double)((1ULL << 52) - 1) + 0.5) * 0x1.0p-52, 1.0);
    lrk_pcg64 g;
    lrk_pcg64_seed(&g, 1u, 2u);
    double sum = 0;
    const int n = 200000;
    for (int i = 0; i < n; i++) {
        double u = lrk_pcg64_uniform(&g);
        cr_assert(u > 0.0 && u < 1.0);
        double e = lrk_pcg64_exponential(&g);
        cr_assert(isfinite(e) && e > 0.0);
        sum += e;
    }
    /* mean of n unit exponentials: standard error 1/sqrt(n); |z| < 5 */
    double z = (sum / n - 1.0) * sqrt((double)n);
    cr_assert_lt(fabs(z), 5.0, "z = %g", z);
}

/* The ziggurat tables recomputed from Marsaglia & Tsang's recurrence
 * (scripts/gen_ziggurat_tables.py), to rounding. */
Test(rng, ziggurat_tables_follow_their_recurrence)
{
    const double r = LRK_ZIGGURAT_EXP_R, v = 0.0039496598225815571993, m = 0x1.0p53;
    double de = r, te = r, q = v / exp(-de);
    double k[256], w[256], f[256];
    k[0] = de / q * m;
    k[1] = 0;
    w[0] = q / m;
    w[255] = de / m;
    f[0] = 1.0;
    f[255] = exp(-de);
    for (int i = 254; i >= 1; i--) {
        de = -log(v / de + exp(-de));
        k[i + 1] = de / te * m;
        te = de;
        f[i] = exp(-de);
        w[i] = de / m;
    }
    for (int i = 0; i < 256; i++) {
        cr_assert_leq(fabs((double)lrk_ziggurat_exp_k[i] - k[i]), 1e-13 * k[i] + 1.0, "k[%d]", i);
        cr_assert_leq(fabs(lrk_ziggurat_exp_w[i] - w[i]), 1e-13 * w[i], "w[%d]", i);
        cr_assert_leq(fabs(lrk_ziggurat_exp_f[i] - f[i]), 1e-13 * f[i], "f[%d]", i);
    }
    /* the recurrence closes: the top layer reaches x = 0 with area v */
    cr_assert_lt(fabs(w[1] * m * (1.0 - f[1]) / v - 1.0), 1e-6, "x_1 (1 - f_1) = %g", w[1] * m * (1.0 - f[1]));
}

static int compare_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

Test(rng, ziggurat_exponential_passes_kolmogorov_smirnov)
{
    enum { COUNT = 200000 };
    double *x = malloc(COUNT * sizeof(double));
    cr_assert_not_null(x);
    lrk_pcg64 g;
    lrk_pcg64_seed(&g, 2026, 11);
    for (int i = 0; i < COUNT; i++) {
        x[i] = lrk_pcg64_exponential_ziggurat(&g);
        cr_assert(isfinite(x[i]) && x[i] >= 0.0);
    }
    qsort(x, COUNT, sizeof(double), compare_double);
    double d = 0;
    for (int i = 0; i < COUNT; i++) {
        double cdf = -expm1(-x[i]);
        d = fmax(d, fmax(fabs(cdf - (double)i / COUNT), fabs((double)(i + 1) / COUNT - cdf)));
    }
    /* P(sqrt(n) D > 2.2) ~ 1e-4 under the exponential */
    cr_assert_lt(sqrt((double)COUNT) * d, 2.2, "KS statistic sqrt(n) D = %g", sqrt((double)COUNT) * d);
    free(x);
}

Test(rng, ziggurat_exponential_moments_tail_and_chi_square)
{
    enum { COUNT = 1000000, BINS = 200 };
    static uint64_t bins[BINS];
    lrk_pcg64 g;
    lrk_pcg64_seed(&g, 2026, 12);
    double s1 = 0, s2 = 0, s3 = 0;
    long tail = 0;
    for (int i = 0; i < COUNT; i++) {
        double e = lrk_pcg64_exponential_ziggurat(&g);
        s1 += e;
        s2 += e * e;
        s3 += e * e * e;
        tail += e > LRK_ZIGGURAT_EXP_R;
        int b = (int)(BINS * -expm1(-e));
        bins[b < BINS ? b : BINS - 1]++;
    }
    double n = COUNT;
    /* E[x^k] = k!, Var[x^k] = (2k)! - (k!)^2 */
    double z1 = (s1 / n - 1.0) / sqrt(1.0 / n);
    double z2 = (s2 / n - 2.0) / sqrt(20.0 / n);
    double z3 = (s3 / n - 6.0) / sqrt(684.0 / n);
    cr_assert_lt(fabs(z1), 5.0, "mean z = %g", z1);
    cr_assert_lt(fabs(z2), 5.0, "second moment z = %g", z2);
    cr_assert_lt(fabs(z3), 5.0, "third moment z = %g", z3);
    double p_tail = exp(-LRK_ZIGGURAT_EXP_R);
    double z_tail = (tail - n * p_tail) / sqrt(n * p_tail * (1 - p_tail));
    cr_assert_lt(fabs(z_tail), 5.0, "tail beyond r: %ld, z = %g", tail, z_tail);
    double chi2 = 0, expected = n / BINS;
    for (int b = 0; b < BINS; b++)
        chi2 += (bins[b] - expected) * (bins[b] - expected) / expected;
    double z_chi2 = (chi2 - (BINS - 1)) / sqrt(2.0 * (BINS - 1));
    cr_assert_lt(fabs(z_chi2), 5.0, "chi-square %g on %d bins, z = %g", chi2, BINS - 1, z_chi2);
}
