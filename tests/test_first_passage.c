/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * test_first_passage.c - exact first-passage moments: N = 1 and N = 2 by
 * hand, the harmonic number at a = 0, the O(1/N) approach of the mean to the
 * closed-form t(q) with its predicted coefficient, N Var against a
 * quadrature, and argument checks.
 */
#include <criterion/criterion.h>
#include <float.h>
#include <math.h>
#include <string.h>

#include <gsl/gsl_errno.h>
#include <gsl/gsl_integration.h>
#include <gsl/gsl_math.h>
#include <gsl/gsl_sf_psi.h>

#include "lrekmc/closed_form.h"
#include "lrekmc/first_passage.h"

static lrk_model model(lrk_mode mode, double V0, double V1, double T, long N)
{
    return (lrk_model){.mode = mode, .V0 = V0, .V1 = V1, .T = T, .A = 1.0, .T0 = 1.0, .N = N};
}

Test(first_passage, single_event)
{
    lrk_model m = model(LRK_MODE_SER, 1.3, 0.7, 0.9, 1);
    double q[] = {0.2, 1.0}, mean[2], var[2];
    lrk_error err;
    cr_assert_eq(lrk_first_passage_exact(&m, q, 2, mean, var, &err), LRK_OK, "%s", err.message);
    double inverse_rate = 1.0 / lrk_model_rate(&m, 0);
    for (int j = 0; j < 2; j++) {
        cr_assert_float_eq(mean[j], inverse_rate, 4 * DBL_EPSILON * inverse_rate);
        cr_assert_float_eq(var[j], inverse_rate * inverse_rate, 4 * DBL_EPSILON * inverse_rate * inverse_rate);
    }
}

Test(first_passage, two_events_by_hand)
{
    const lrk_mode modes[] = {LRK_MODE_SER, LRK_MODE_CER};
    for (int k = 0; k < 2; k++) {
        lrk_model m = model(modes[k], 1.0, 0.6, 0.8, 2);
        double c = modes[k] == LRK_MODE_SER ? 1.0 : -1.0;
        double r0 = 2.0 * exp(-1.0 / 0.8), r1 = 1.0 * exp(-(1.0 + c * 0.6 * 0.5) / 0.8);
        double q[] = {0.3, 0.5, 0.51, 1.0}, mean[4], var[4];
        cr_assert_eq(lrk_first_passage_exact(&m, q, 4, mean, var, NULL), LRK_OK);
        double mean_expected[] = {1 / r0, 1 / r0, 1 / r0 + 1 / r1, 1 / r0 + 1 / r1};
        double var_expected[] = {1 / (r0 * r0), 1 / (r0 * r0), 1 / (r0 * r0) + 1 / (r1 * r1),
                                 1 / (r0 * r0) + 1 / (r1 * r1)};
        for (int j = 0; j < 4; j++) {
            cr_assert_float_eq(mean[j], mean_expected[j], 1e-14 * mean_expected[j], "mode %d level %g", k, q[j]);
            cr_assert_float_eq(var[j], var_expected[j], 1e-14 * var_expected[j], "mode %d level %g", k, q[j]);
        }
    }
}

/* a = 0, V0 = 0: E[T_N] = H_N = psi(N + 1) + gamma, summed to a few ulps
 * even at N = 10^7 (compensated summation). */
Test(first_passage, harmonic_number_at_large_N)
{
    const long N = 10000000;
    lrk_model m = model(LRK_MODE_SER, 0.0, 0.0, 1.0, N);
    double q = 1.0, mean, var;
    cr_assert_eq(lrk_first_passage_exact(&m, &q, 1, &mean, &var, NULL), LRK_OK);
    double harmonic = gsl_sf_psi((double)N + 1.0) + M_EULER;
    double second = M_PI * M_PI / 6.0 - gsl_sf_psi_1((double)N + 1.0); /* sum 1/i^2, i = 1..N */
    cr_assert(fabs(mean - harmonic) <= 8 * DBL_EPSILON * harmonic, "H_N: %.17g vs %.17g", mean, harmonic);
    cr_assert(fabs(var - second) <= 8 * DBL_EPSILON * second, "sum 1/i^2: %.17g vs %.17g", var, second);
}

static double squared_rate_integrand(double u, void *params)
{
    double a = *(const double *)params;
    double f = exp(a * u) / (1.0 - u);
    return f * f;
}

/* The mean is a left Riemann sum of t(q) = (1/k) integral_0^q f, f(u) = e^(a u)/(1 - u), with step 1/N:
 *   E[T_n] - t(q) = -(f(q) - f(0)) / (2 k N) + O(1/N^2)   (q N an integer),
 * and N Var[T_n] -> (1/k^2) integral_0^q f^2. */
Test(first_passage, mean_converges_to_closed_form_as_one_over_N)
{
    const double a_values[] = {-1.5, 0.0, 1.0, 2.5};
    const double q = 0.5, V0 = 0.7, T = 0.9;
    gsl_set_error_handler_off();
    for (size_t i = 0; i < sizeof a_values / sizeof a_values[0]; i++) {
        double a = a_values[i];
        lrk_model m = model(a < 0 ? LRK_MODE_CER : LRK_MODE_SER, V0, fabs(a) * T, T, 1000);
        double k = lrk_model_k(&m), t_exact;
        cr_assert_eq(lrk_closed_form_time(&m, q, &t_exact, NULL), LRK_OK);
        double f_q = exp(a * q) / (1.0 - q);
        double coefficient = -(f_q - 1.0) / (2.0 * k);

        gsl_integration_workspace *w = gsl_integration_workspace_alloc(100);
        gsl_function g = {.function = squared_rate_integrand, .params = &a};
        double var_integral, abserr;
        cr_assert_eq(gsl_integration_qag(&g, 0.0, q, 0.0, 1e-12, 100, GSL_INTEG_GAUSS61, w, &var_integral, &abserr),
                     GSL_SUCCESS);
        gsl_integration_workspace_free(w);
        double var_limit = var_integral / (k * k);

        double previous_gap = INFINITY;
        for (long N = 1000; N <= 100000; N *= 10) {
            m.N = N;
            double mean, var;
            lrk_error err;
            cr_assert_eq(lrk_first_passage_exact(&m, &q, 1, &mean, &var, &err), LRK_OK, "%s", err.message);
            double gap = fabs(mean - t_exact);
            /* the gap shrinks tenfold per decade of N (to O(1/N^2)) ... */
            if (isfinite(previous_gap))
                cr_assert(gap < previous_gap / 9.0 && gap > previous_gap / 11.0, "a = %g, N = %ld: gap %g after %g",
                          a, N, gap, previous_gap);
            previous_gap = gap;
            /* ... with the predicted coefficient, to relative O(1/N) */
            double scaled = (mean - t_exact) * (double)N;
            cr_assert(fabs(scaled - coefficient) <= 10.0 / (double)N * fabs(coefficient),
                      "a = %g, N = %ld: N (E[T] - t) = %.10g, expected %.10g", a, N, scaled, coefficient);
            cr_assert(fabs(var * (double)N - var_limit) <= 10.0 / (double)N * var_limit,
                      "a = %g, N = %ld: N Var = %.10g, expected %.10g", a, N, var * (double)N, var_limit);
        }
    }
}

Test(first_passage, variance_overflow_is_reported_and_mean_still_available)
{
    lrk_model m = model(LRK_MODE_SER, 300.0, 200.0, 1.0, 10);
    double q = 1.0, mean, var;
    lrk_error err;
    cr_assert_eq(lrk_first_passage_exact(&m, &q, 1, &mean, &var, &err), LRK_ERR_NUMERIC);
    cr_assert(strstr(err.message, "Var") && strstr(err.message, "overflow"));
    cr_assert_eq(lrk_first_passage_exact(&m, &q, 1, &mean, NULL, &err), LRK_OK, "%s", err.message);
    cr_assert(isfinite(mean) && mean > exp(300.0));
}

Test(first_passage, rejects_bad_levels)
{
    lrk_model m = model(LRK_MODE_SER, 1.0, 1.0, 1.0, 100);
    lrk_error err;
    double mean[2], var[2];
    double zero[] = {0.0}, above[] = {1.5}, nan_level[] = {NAN}, descending[] = {0.6, 0.5};
    cr_assert_eq(lrk_first_passage_exact(&m, zero, 1, mean, var, &err), LRK_ERR_INVALID);
    cr_assert(strstr(err.message, "q[0]") && strstr(err.message, "(0, 1]"));
    cr_assert_eq(lrk_first_passage_exact(&m, above, 1, mean, var, &err), LRK_ERR_INVALID);
    cr_assert_eq(lrk_first_passage_exact(&m, nan_level, 1, mean, var, &err), LRK_ERR_INVALID);
    cr_assert_eq(lrk_first_passage_exact(&m, descending, 2, mean, var, &err), LRK_ERR_INVALID);
    cr_assert(strstr(err.message, "ascending"));
    cr_assert_eq(lrk_first_passage_exact(&m, NULL, 0, NULL, NULL, &err), LRK_OK);
    m.T = -1;
    cr_assert_eq(lrk_first_passage_exact(&m, zero, 1, mean, var, &err), LRK_ERR_INVALID);
    cr_assert(strstr(err.message, "model.T"));
}
