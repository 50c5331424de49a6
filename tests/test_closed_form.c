/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * test_closed_form.c - the exponential-integral solution t(q) against an
 * independent adaptive quadrature of dt/dq = e^(a q) / (k (1 - q)), the
 * round trip q(t(q)) = q, the a = 0 limit and argument checks.
 */
#include <criterion/criterion.h>
#include <float.h>
#include <math.h>
#include <string.h>

#include <gsl/gsl_errno.h>
#include <gsl/gsl_integration.h>

#include "lrekmc/closed_form.h"

/* A model with a = c V1 / T equal to `a` and V0/T = v0 (T = 1). */
static lrk_model model_with(double a, double v0)
{
    return (lrk_model){.mode = a < 0 ? LRK_MODE_CER : LRK_MODE_SER, .V0 = v0, .V1 = fabs(a), .T = 1.0,
                       .A = 1.0, .T0 = 1.0, .N = 1000};
}

static const double a_values[] = {-50, -20, -6, -3, -1.5, -1.0001, -1, -0.9999, -0.1, -1e-3, -1e-6,
                                  0,   1e-6, 1e-3, 0.1, 0.9999, 1, 1.0001, 1.5, 3, 6, 20, 50};
static const double q_values[] = {1e-12, 1e-8, 1e-4, 1e-3, 0.0099, 0.01, 0.0101, 0.05, 0.1, 0.2499,
                                  0.25, 0.2501, 0.3, 0.5, 0.7, 0.9, 0.99, 0.999, 0.999999};
#define COUNT(x) (sizeof(x) / sizeof((x)[0]))

static double integrand(double u, void *params)
{
    double a = *(const double *)params;
    return exp(a * u) / (1.0 - u);
}

/* k t(q) by GSL adaptive Gauss-Kronrod quadrature, relative accuracy 1e-12. */
static double quadrature_scaled_time(double a, double q)
{
    gsl_set_error_handler_off();
    gsl_integration_workspace *w = gsl_integration_workspace_alloc(2000);
    gsl_function f = {.function = integrand, .params = &a};
    double result, abserr;
    int status = gsl_integration_qag(&f, 0.0, q, 0.0, 1e-12, 2000, GSL_INTEG_GAUSS61, w, &result, &abserr);
    gsl_integration_workspace_free(w);
    cr_assert_eq(status, GSL_SUCCESS, "quadrature failed at a = %g, q = %g: %s", a, q, gsl_strerror(status));
    return result;
}

Test(closed_form, matches_quadrature)
{
    double worst = 0.0;
    for (size_t i = 0; i < COUNT(a_values); i++) {
        for (size_t j = 0; j < COUNT(q_values); j++) {
            double a = a_values[i], q = q_values[j];
            lrk_model m = model_with(a, 0.0);
            double t;
            lrk_error err;
            cr_assert_eq(lrk_closed_form_time(&m, q, &t, &err), LRK_OK, "%s", err.message);
            double ref = quadrature_scaled_time(a, q);
            double rel = fabs(t - ref) / ref;
            worst = fmax(worst, rel);
            cr_assert(rel <= 1e-10, "a = %g, q = %g: t = %.17g, quadrature %.17g, rel %g", a, q, t, ref, rel);
        }
    }
    cr_log_info("closed form vs quadrature: worst relative difference %g", worst);
}

Test(closed_form, a_zero_is_exponential_relaxation)
{
    for (double v0 = -3; v0 <= 10; v0 += 2.5) {
        lrk_model m = model_with(0.0, v0);
        double k = exp(-v0);
        for (size_t j = 0; j < COUNT(q_values); j++) {
            double q = q_values[j], t;
            cr_assert_eq(lrk_closed_form_time(&m, q, &t, NULL), LRK_OK);
            double ref = -log1p(-q) / k;
            cr_assert(fabs(t - ref) <= 4 * DBL_EPSILON * ref, "V0/T = %g, q = %g: %.17g vs %.17g", v0, q, t, ref);
        }
    }
}

/* The closed form is continuous across its internal branch boundaries
 * (|a| = 1 and |a| q = 1/2): evaluate on both sides of each. */
Test(closed_form, continuous_across_branches)
{
    const double q = 0.3;
    double below, above;
    lrk_model lo = model_with(1.0, 0.0), hi = model_with(nextafter(1.0, 2.0), 0.0);
    cr_assert_eq(lrk_closed_form_time(&lo, q, &below, NULL), LRK_OK);
    cr_assert_eq(lrk_closed_form_time(&hi, q, &above, NULL), LRK_OK);
    cr_assert(fabs(above - below) <= 1e-14 * below, "%.17g vs %.17g", below, above);

    for (double a = -40; a <= 40; a += 8) {
        if (a == 0)
            continue;
        lrk_model m = model_with(a, 0.0);
        double qb = 0.5 / fabs(a);
        cr_assert_eq(lrk_closed_form_time(&m, nextafter(qb, 0.0), &below, NULL), LRK_OK);
        cr_assert_eq(lrk_closed_form_time(&m, qb, &above, NULL), LRK_OK);
        /* t'(q) = e^(a q) / (1 - q) <= e^(1/2) / 0.99 here, and the step is one ulp. */
        cr_assert(fabs(above - below) <= 1e-14 * below, "a = %g: %.17g vs %.17g", a, below, above);
    }
}

/* q(t(q)) = q and t(q(t)) = t, each to the precision its conditioning allows:
 * dq = (1 - q) e^(-a q) k dt, so rounding t to eps relative moves q by
 * eps (1 - q) e^(-a q) k t, which is huge for strong CER in mid-relaxation
 * (the avalanche happens "at once"); there, t(q(t)) = t is the sharp test. */
static double round_trip(const lrk_model *m, double q)
{
    double t, back, t_back;
    lrk_error err;
    cr_assert_eq(lrk_closed_form_time(m, q, &t, &err), LRK_OK, "%s", err.message);
    cr_assert_eq(lrk_closed_form_q(m, t, &back, &err), LRK_OK, "%s", err.message);
    /* q(t) = 1 is the correctly rounded answer when 1 - q(t) < 2^-54; t(q)
     * is then compared at the last double below 1. */
    double q_eval = back < 1.0 ? back : nextafter(1.0, 0.0);
    cr_assert_eq(lrk_closed_form_time(m, q_eval, &t_back, &err), LRK_OK, "%s", err.message);
    double a = lrk_model_a(m), k = lrk_model_k(m);
    double dq_dt = k * (1.0 - q) * exp(-a * q);
    double scale = fmin(q, 1.0 - q);
    double q_tol = 1e-13 * scale + 8 * DBL_EPSILON * dq_dt * t;
    double t_tol = 1e-13 * t + 8 * DBL_EPSILON * q / dq_dt;
    cr_assert(fabs(back - q) <= q_tol, "V0/T = %g, a = %g, q = %.17g: q(t(q)) = %.17g (tolerance %g)", m->V0,
              a, q, back, q_tol);
    cr_assert(fabs(t_back - t) <= t_tol, "V0/T = %g, a = %g, q = %.17g: t(q(t)) = %.17g, t = %.17g", m->V0, a,
              q, t_back, t);
    return fabs(back - q) / q_tol;
}

Test(closed_form, round_trip_q_of_t_of_q)
{
    const double v0s[] = {0.0, 2.5, 10.0, 50.0, -5.0};
    double worst = 0.0;
    for (size_t v = 0; v < COUNT(v0s); v++) {
        for (size_t i = 0; i < COUNT(a_values); i++) {
            lrk_model m = model_with(a_values[i], v0s[v]);
            for (size_t j = 0; j < COUNT(q_values); j++)
                worst = fmax(worst, round_trip(&m, q_values[j]));
        }
    }
    cr_log_info("round trip: worst |q(t(q)) - q| / tolerance %g", worst);
}

Test(closed_form, q_of_t_limits)
{
    lrk_model m = model_with(2.0, 1.0);
    double q;
    cr_assert_eq(lrk_closed_form_q(&m, 0.0, &q, NULL), LRK_OK);
    cr_assert_eq(q, 0.0);
    cr_assert_eq(lrk_closed_form_q(&m, 1e300, &q, NULL), LRK_OK);
    cr_assert_eq(q, 1.0);
    /* tiny t: q = k t to first order */
    cr_assert_eq(lrk_closed_form_q(&m, 1e-200, &q, NULL), LRK_OK);
    cr_assert_float_eq(q, exp(-1.0) * 1e-200, 1e-214);
    /* extreme but valid models */
    lrk_model strong_ser = model_with(690.0, 5.0), strong_cer = model_with(-690.0, 5.0);
    for (size_t j = 0; j < COUNT(q_values); j++) {
        round_trip(&strong_ser, q_values[j]);
        round_trip(&strong_cer, q_values[j]);
    }
}

Test(closed_form, rejects_bad_arguments)
{
    lrk_model m = model_with(1.0, 1.0);
    lrk_error err;
    double x;
    cr_assert_eq(lrk_closed_form_time(&m, 1.0, &x, &err), LRK_ERR_INVALID);
    cr_assert(strstr(err.message, "q = 1"));
    cr_assert_eq(lrk_closed_form_time(&m, -0.1, &x, &err), LRK_ERR_INVALID);
    cr_assert_eq(lrk_closed_form_time(&m, NAN, &x, &err), LRK_ERR_INVALID);
    cr_assert_eq(lrk_closed_form_q(&m, -1.0, &x, &err), LRK_ERR_INVALID);
    cr_assert_eq(lrk_closed_form_q(&m, INFINITY, &x, &err), LRK_ERR_INVALID);
    m.T = 0;
    cr_assert_eq(lrk_closed_form_time(&m, 0.5, &x, &err), LRK_ERR_INVALID);
    cr_assert(strstr(err.message, "model.T"));
    /* the largest times the model allows stay finite */
    lrk_model huge = model_with(600.0, 99.0);
    cr_assert_eq(lrk_closed_form_time(&huge, 1.0 - 1e-15, &x, &err), LRK_OK, "%s", err.message);
    cr_assert(isfinite(x) && x > 1e300);
}
