/* SPDX-License-Identifier: GPL-3.0-or-later */
/* test_rng.c - PCG against the published vectors, advance, uniform range. */
#include <criterion/criterion.h>
#include <math.h>

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
