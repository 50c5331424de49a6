/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * lna.c - linear noise approximation (lna.h): the mean-field q(t) together
 * with the N-scaled variance s = N sigma^2 and the N-scaled mean shift
 * d = N (E[q] - q), integrated jointly by GSL odeiv2 (rk8pd, adaptive):
 *   dq/dt = w(q)
 *   ds/dt = 2 w'(q) s + w(q)
 *   dd/dt = w'(q) d + w''(q) s / 2
 * Scaling by N keeps the system N-free, so one integration serves any N.
 * The unknown is p = 1 - q, not q: all three then decay to zero together
 * (s ~ p as p -> 0) and a relative error control keeps them accurate in the
 * tail, where q itself would round to 1.  Once all three are below
 * LNA_RELAXED they stay that small (s relaxes towards ~p, d towards ~|a| s),
 * so the outputs are 0 from then on and later times need no steps
 * (an explicit method would otherwise crawl through the tail at a step set
 * by stability, ~ t k e^-a steps).
 * The shift equation is the next order of the system-size expansion: the
 * chain's rates are exactly N w(n/N), so d E[q]/dt = E[w(q)]
 * = w(E q) + w''(E q) Var(q) / 2 + O(1/N^2).
 */
#include "lrekmc/lna.h"

#include <gsl/gsl_errno.h>
#include <gsl/gsl_odeiv2.h>
#include <math.h>

#include "lrekmc/grid.h"

/* Tight enough that the LNA itself, not the integrator, sets the error; the
 * absolute part only matters while s and d grow from zero. */
#define LNA_EPS_ABS 1e-30
#define LNA_EPS_REL 1e-11
/* Below this p, s and |d| the answer is 0 to far better than 1e-9. */
#define LNA_RELAXED 1e-20
/* Steps after which the integration gives up instead of running on. */
#define LNA_MAX_STEPS 10000000UL

typedef struct lna_params {
    double k, a;
} lna_params;

static int lna_rhs(double t, const double y[], double dydt[], void *params)
{
    (void)t;
    const lna_params *par = params;
    double p = y[0], s = y[1], d = y[2], a = par->a;
    double e = par->k * exp(-a * (1.0 - p));
    double w = e * p;
    double w1 = -e * (1.0 + a * p);
    double w2 = e * a * (2.0 + a * p);
    dydt[0] = -w;
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
    return lrk_check_times(t, count, "LNA", err);
}

static int is_relaxed(const double y[3])
{
    return y[0] < LNA_RELAXED && y[1] < LNA_RELAXED && fabs(y[2]) < LNA_RELAXED;
}

typedef struct lna_stepper {
    gsl_odeiv2_step *step;
    gsl_odeiv2_control *control;
    gsl_odeiv2_evolve *evolve;
} lna_stepper;

static void stepper_free(lna_stepper *g)
{
    if (g->evolve) gsl_odeiv2_evolve_free(g->evolve);
    if (g->control) gsl_odeiv2_control_free(g->control);
    if (g->step) gsl_odeiv2_step_free(g->step);
}

/* Step from *now to t_end (GSL's evolve loop, as in the driver, but it stops
 * early once the solution has relaxed). */
static lrk_status advance(lna_stepper *g, gsl_odeiv2_system *sys, double *now, double t_end, double *h,
                          double y[3], unsigned long *steps, lrk_error *err)
{
    while (*now < t_end && !is_relaxed(y)) {
        if (++*steps > LNA_MAX_STEPS)
            return lrk_error_set(err, LRK_ERR_NUMERIC, "LNA: more than %lu steps needed to reach t = %g",
                                 LNA_MAX_STEPS, t_end);
        int gst = gsl_odeiv2_evolve_apply(g->evolve, g->control, g->step, sys, now, t_end, h, y);
        if (gst != GSL_SUCCESS)
            return lrk_error_set(err, LRK_ERR_NUMERIC,
                                 "LNA: GSL odeiv2 failed at t = %g on the way to t = %g (%s) with "
                                 "q = %g, N var(q) = %g: a huge variance means the LNA does not apply "
                                 "(strong CER coupling)",
                                 *now, t_end, gsl_strerror(gst), 1.0 - y[0], y[1]);
    }
    if (is_relaxed(y))
        y[1] = y[2] = 0.0;
    return LRK_OK;
}

/* Integrate (p, s, d) to each t[i]; stores s (want_shift = 0) or d. */
static lrk_status lna_integrate(const lrk_model *m, const double *t, size_t count, double *out,
                                int want_shift, lrk_error *err)
{
    lrk_status st = check_args(m, t, count, out, err);
    if (st != LRK_OK || count == 0)
        return st;
    lrk_gsl_quiet();
    lna_params par = {lrk_model_k(m), lrk_model_a(m)};
    gsl_odeiv2_system sys = {lna_rhs, NULL, 3, &par};
    lna_stepper g = {gsl_odeiv2_step_alloc(gsl_odeiv2_step_rk8pd, 3),
                     gsl_odeiv2_control_y_new(LNA_EPS_ABS, LNA_EPS_REL), gsl_odeiv2_evolve_alloc(3)};
    if (g.step == NULL || g.control == NULL || g.evolve == NULL) {
        stepper_free(&g);
        return lrk_error_set(err, LRK_ERR_NOMEM, "LNA: out of memory for the GSL stepper");
    }
    /* The fastest rate in the problem sets the first trial step. */
    double h = 1e-3 / (par.k * exp(fabs(par.a)) * (1.0 + fabs(par.a)));
    double now = 0.0, y[3] = {1.0, 0.0, 0.0};
    unsigned long steps = 0;
    for (size_t i = 0; i < count && st == LRK_OK; i++) {
        st = advance(&g, &sys, &now, t[i], &h, y, &steps, err);
        if (st == LRK_OK)
            out[i] = want_shift ? y[2] : y[1];
    }
    stepper_free(&g);
    return st;
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
