/* SPDX-License-Identifier: GPL-3.0-or-later */
/* test_compare.c - z-scores, the skip rule and the increment chi-square. */
#include <criterion/criterion.h>
#include <math.h>

#include "lrekmc/compare.h"

Test(compare, grid_z_uses_exact_std_and_skips_thin_samples)
{
    /* N = 10, M = 100: sd_q 0.1 -> sd_n 1 -> M Var n = 100 (compared);
     * sd_q 0.01 -> M Var n = 1 (skipped even with a huge deviation). */
    double q_mean[] = {0.0, 0.53, 0.9};
    double exact_mean[] = {0.0, 0.5, 0.5};
    double exact_std[] = {0.0, 0.1, 0.01};
    lrk_comparison c;
    lrk_comparison_init(&c);
    lrk_compare_grid(q_mean, exact_mean, exact_std, 3, 10, 100, &c);
    lrk_comparison_finish(&c);
    cr_assert_eq(c.grid_compared, 1);
    cr_assert_float_eq(c.z_max_grid, 3.0, 1e-12);
    cr_assert_float_eq(c.z_max, 3.0, 1e-12);
    cr_assert(isnan(c.chi2_p));
}

Test(compare, level_increments_form_the_chi_square)
{
    /* Three levels, the second on the same event as the first. */
    long events[] = {1, 1, 3};
    double exact_mean[] = {1.0, 1.0, 3.0};
    double exact_var[] = {1.0, 1.0, 2.0};
    double t_mean[] = {1.2, 1.2, 3.1};
    long M = 100;
    lrk_comparison c;
    lrk_comparison_init(&c);
    lrk_compare_levels(t_mean, exact_mean, exact_var, events, 3, M, &c);
    lrk_comparison_finish(&c);
    /* increments: (1.2 - 1.0)/sqrt(1/100) = 2, ((3.1-1.2) - 2)/sqrt(1/100) = -1 */
    cr_assert_eq(c.chi2_dof, 2);
    cr_assert_float_eq(c.chi2, 5.0, 1e-9);
    cr_assert_float_eq(c.chi2_p, exp(-2.5), 1e-12); /* chi2(2) tail is exp(-x/2) */
    cr_assert_float_eq(c.z_max_levels, 2.0, 1e-9);   /* cumulative z: 2, 2, 0.1/sqrt(0.02) */
    cr_assert_eq(c.levels_compared, 3);
}

Test(compare, perfect_agreement_gives_zero_and_p_one)
{
    long events[] = {2, 5};
    double mean[] = {0.5, 2.0}, var[] = {0.1, 0.4};
    lrk_comparison c;
    lrk_comparison_init(&c);
    lrk_compare_levels(mean, mean, var, events, 2, 1000, &c);
    lrk_comparison_finish(&c);
    cr_assert_eq(c.z_max, 0.0);
    cr_assert_float_eq(c.chi2_p, 1.0, 1e-15);
}
