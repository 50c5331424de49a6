/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * lna.c - linear noise approximation (lna.h): the mean-field q(t) together
 * with the N-scaled variance s = N sigma^2 and the N-scaled mean shift
 * d = N (E[q] - q), integrated jointly by GSL's adaptive odeiv2 driver:
 *   dq/dt = w(q)
 *   ds/dt = 2 w'(q) s + w(q)
 *   dd/dt = w'(q) d + w''(q) s / 2
 * Scaling by N keeps the system N-free, so one integration serves any N.
 * The shift equation is the next order of the system-size expansion: the
 * chain's rates are exactly N w(n/N), so d E[q]/dt = E[w(q)]
 * = w(E q) + w''(E q) Var(q) / 2 + O(1/N^2).
 */
#include "lrekmc/lna.h"

#include <gsl/gsl_errno.h>
#include <gsl/gsl_odeiv2.h>
#include <math.h>

/* Tight enough that the LNA itself, not the integrator, sets the error. */
#define LNA_EPS_ABS 1e-13
#define LNA_EPS_REL 1e-11
/* Steps after which the driver gives up instead of running on. */
#define LNA_MAX_STEPS 10000000UL

typedef struct lna_params {
    double k, a;
} lna_params;

static int lna_rhs(double t, const double y[], double dydt[], void *params)
{
    (void)t;
    const lna_params *p = params;
    double q = y[0], s = y[1], d = y[2];
    double e = p->k * exp(-p->a * q);
    double w = e * (1.0 - q);
    double w1 = -e * (1.0 + p->a * (1.0 - q));
    double w2 = e * p->a * (2.0 + p->a * (1.0 - q));
    dydt[0] = w;
    dydt[1] = 2.0 * w1 * s + w;
    dydt[2] = w1 * d + 0.5 * w2 * s;
    return GSL_SUCCESS;
}

static lrk_status check_args(const lrk_model *m, const double *t, size_t count, const double *out,
                             lrk_error *err)
{
    if (m == NULL || (count > 0 && (t == NULL || out == NULL)))
        return lrk_error_set(err, LRK_ERR_INVALID, "LNA: NULL argument");
    lrk_status st = lrk_model_validate(m, err);
    if (st != LRK_OK)
        return st;
    for (size_t i = 0; i < count; i++) {
        if (!isfinite(t[i]) || t[i] < 0)
            return lrk_error_set(err, LRK_ERR_INVALID, "LNA: t[%zu] = %g: expected finite and >= 0", i, t[i]);
        if (i > 0 && t[i] < t[i - 1])
            return lrk_error_set(err, LRK_ERR_INVALID, "LNA: t[%zu] = %g < t[%zu] = %g: times must be ascending",
                                 i, t[i], i - 1, t[i - 1]);
    }
    return LRK_OK;
}

/* Integrate (q, s, d) to each t[i]; stores s (want_shift = 0) or d. */
static lrk_status lna_integrate(const lrk_model *m, const double *t, size_t count, double *out,
                                int want_shift, lrk_error *err)
{
    lrk_status st = check_args(m, t, count, out, err);
    if (st != LRK_OK || count == 0)
        return st;
    lrk_gsl_quiet();
    lna_params p = {lrk_model_k(m), lrk_model_a(m)};
    /* The fastest rate in the problem sets the first trial step. */
    double rate = p.k * exp(fabs(p.a)) * (1.0 + fabs(p.a));
    gsl_odeiv2_system sys = {lna_rhs, NULL, 3, &p};
    gsl_odeiv2_driver *d = gsl_odeiv2_driver_alloc_y_new(&sys, gsl_odeiv2_step_rk8pd, 1e-3 / rate,
                                                         LNA_EPS_ABS, LNA_EPS_REL);
    if (d == NULL)
        return lrk_error_set(err, LRK_ERR_NOMEM, "LNA: out of memory for the GSL driver");
    int gst = gsl_odeiv2_driver_set_nmax(d, LNA_MAX_STEPS);
    if (gst != GSL_SUCCESS) {
        gsl_odeiv2_driver_free(d);
        return lrk_error_set(err, LRK_ERR_NUMERIC, "LNA: gsl_odeiv2_driver_set_nmax: %s", gsl_strerror(gst));
    }
    double now = 0.0, y[3] = {0.0, 0.0, 0.0};
    for (size_t i = 0; i < count; i++) {
        if (t[i] > now) {
            gst = gsl_odeiv2_driver_apply(d, &now, t[i], y);
            if (gst != GSL_SUCCESS) {
                gsl_odeiv2_driver_free(d);
                return lrk_error_set(err, LRK_ERR_NUMERIC,
                                     "LNA: GSL odeiv2 failed at t = %g on the way to t[%zu] = %g: %s", now, i,
                                     t[i], gsl_strerror(gst));
            }
        }
        out[i] = want_shift ? y[2] : y[1];
    }
    gsl_odeiv2_driver_free(d);
    return LRK_OK;
}

lrk_status lrk_lna_std(const lrk_model *m, const double *t, size_t count, double *q_std, lrk_error *err)
{
    lrk_status st = lna_integrate(m, t, count, q_std, 0, err);
    if (st != LRK_OK)
        return st;
    for (size_t i = 0; i < count; i++)
        q_std[i] = sqrt(fmax(q_std[i], 0.0) / (double)m->N);
    return LRK_OK;
}

lrk_status lrk_lna_mean_shift(const lrk_model *m, const double *t, size_t count, double *shift,
                              lrk_error *err)
{
    lrk_status st = lna_integrate(m, t, count, shift, 1, err);
    if (st != LRK_OK)
        return st;
    for (size_t i = 0; i < count; i++)
        shift[i] /= (double)m->N;
    return LRK_OK;
}
