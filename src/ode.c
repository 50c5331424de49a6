/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * ode.c - numerical integration of the mean-field rate equation (ode.h),
 * the paper's own route to q(t), kept independent of the exponential
 * integrals in closed_form.c so that each checks the other.
 *
 * Two changes of variable make the integration well conditioned over the
 * whole parameter range without changing the equation:
 *   - time in units of 1/k, s = k t: k = e^(-V0/T) spans e^(+-700), the
 *     equation in s has rate of order one at the start;
 *   - the state is y = -ln(1 - q), the log of the unrelaxed fraction:
 *         dy/ds = exp(-a q),  q = 1 - e^(-y).
 *     Integrating q directly, the late tail dq/ds ~ -e^(-a)(q - 1) is a
 *     decaying mode that bounds an explicit step to ~e^a and loses 1 - q to
 *     absolute error; in y the right-hand side tends to a constant, steps grow
 *     freely, and 1 - q = e^(-y) keeps full relative precision.
 * The time to reach a level is the inverse problem s(y) = integral_0^y
 * e^(a q(y')) dy', a smooth quadrature (no singularity at q -> 1 in y).
 *
 * Strong CER (a < -36 or so) relaxes in an avalanche narrower than one ulp
 * of s: the driver then cannot step (t + h == t, GSL_FAILURE).  Such a grid
 * point is reached through the inverse form from the last good state, the
 * root of integral_(y_last)^y e^(a q) dy' = s_k - s_last, and the driver
 * restarts there.
 */
#include "lrekmc/ode.h"

#include <float.h>
#include <math.h>

#include <gsl/gsl_errno.h>
#include <gsl/gsl_integration.h>
#include <gsl/gsl_odeiv2.h>

#include "lrekmc/grid.h"

/* Error control on y: q = 1 - e^-y moves by (1 - q) dy <= dy, so these keep
 * the solution within ~1e-11 of the exact one (tests: <= 1e-9 on a grid). */
#define ODE_EPS_ABS 1e-13
#define ODE_EPS_REL 1e-13
#define ODE_MAX_STEPS_PER_POINT 1000000
#define QUAD_EPS_REL 1e-13
#define QUAD_LIMIT 256
/* Beyond y = 40, 1 - q < 4.3e-18 and q rounds to exactly 1 in double. */
#define Y_SATURATED 40.0
#define INVERSE_MAX_ITER 200

/* dy/ds = exp(-a q(y)); params points to a. */
static int rate_in_y(double s, const double y[], double dyds[], void *params)
{
    (void)s;
    double a = *(const double *)params;
    dyds[0] = exp(a * expm1(-y[0]));
    return GSL_SUCCESS;
}

static lrk_status check_model(const lrk_model *m, lrk_error *err)
{
    if (m == NULL)
        return lrk_error_set(err, LRK_ERR_INVALID, "ode: model is NULL");
    return lrk_model_validate(m, err);
}

/* ds/dy = exp(a q(y)); params points to a. */
static double inverse_rate_in_y(double y, void *params)
{
    double a = *(const double *)params;
    return exp(-a * expm1(-y));
}

/* s(y1) - s(y0) by adaptive Gauss-Kronrod quadrature in y. */
static lrk_status scaled_time_between(gsl_integration_workspace *work, double a, double y0, double y1, double *ds,
                                      lrk_error *err)
{
    *ds = 0.0;
    if (!(y1 > y0))
        return LRK_OK;
    gsl_function f = {.function = inverse_rate_in_y, .params = &a};
    double abserr;
    int status = gsl_integration_qag(&f, y0, y1, 0.0, QUAD_EPS_REL, QUAD_LIMIT, GSL_INTEG_GAUSS31, work, ds, &abserr);
    if (status != GSL_SUCCESS)
        return lrk_error_set(err, LRK_ERR_NUMERIC, "ode: quadrature of dt/dq over q in [%.17g, %.17g] failed: %s",
                             -expm1(-y0), -expm1(-y1), gsl_strerror(status));
    return LRK_OK;
}

/* The y at which s has grown by ds > 0 from state y0: safeguarded Newton on
 * integral_(y0)^y e^(a q) dy' = ds, whose slope e^(a q) is bounded on
 * q in [q0, 1] and so brackets the root. */
static lrk_status advance_by_inverse(gsl_integration_workspace *work, double a, double y0, double ds,
                                     double *y_out, lrk_error *err)
{
    double q0 = -expm1(-y0);
    double slope_min = fmin(exp(a * q0), exp(a)), slope_max = fmax(exp(a * q0), exp(a));
    double lo = y0 + ds / slope_max, hi = fmin(y0 + ds / slope_min, Y_SATURATED);
    double g;
    lrk_status status;
    if (!(hi > lo)) {
        *y_out = fmax(lo, hi);
        return LRK_OK;
    }
    if (hi == Y_SATURATED) {
        if ((status = scaled_time_between(work, a, y0, hi, &g, err)) != LRK_OK)
            return status;
        if (g <= ds) { /* q = 1 to double precision */
            *y_out = Y_SATURATED;
            return LRK_OK;
        }
    }
    double y = 0.5 * (lo + hi);
    for (int iter = 0; iter < INVERSE_MAX_ITER; iter++) {
        if ((status = scaled_time_between(work, a, y0, y, &g, err)) != LRK_OK)
            return status;
        g -= ds;
        if (g < 0)
            lo = y;
        else
            hi = y;
        double next = y - g * exp(a * expm1(-y)); /* Newton: g' = e^(a q(y)) */
        if (!isfinite(next) || !(next > lo && next < hi))
            next = 0.5 * (lo + hi);
        double change = fabs(next - y);
        y = next;
        if (g == 0.0 || change <= 4 * DBL_EPSILON * y || hi - lo <= 4 * DBL_EPSILON * y) {
            *y_out = y;
            return LRK_OK;
        }
    }
    return lrk_error_set(err, LRK_ERR_NOCONVERGE,
                         "ode: inverse step did not converge (a = %g, from q = %.17g over k dt = %g)", a, q0, ds);
}

/* The driver stopped at *s < target because its step fell below one ulp of
 * s: finish by the inverse form and restart the driver at the target. */
static lrk_status avalanche_step(gsl_odeiv2_driver *driver, gsl_integration_workspace **work, double a,
                                 double target, double *s, double y[1], lrk_error *err)
{
    if (*work == NULL && (*work = gsl_integration_workspace_alloc(QUAD_LIMIT)) == NULL)
        return lrk_error_set(err, LRK_ERR_NOMEM, "ode: could not allocate the GSL integration workspace");
    lrk_status status = advance_by_inverse(*work, a, y[0], target - *s, &y[0], err);
    if (status != LRK_OK)
        return status;
    *s = target;
    int gsl_status = gsl_odeiv2_driver_reset_hstart(driver, 1e-6 * target);
    if (gsl_status != GSL_SUCCESS)
        return lrk_error_set(err, LRK_ERR_NUMERIC, "ode: gsl_odeiv2_driver_reset_hstart failed: %s",
                             gsl_strerror(gsl_status));
    return LRK_OK;
}

/* Drive the integrator to each scaled time in turn (dense output onto the grid). */
static lrk_status integrate_onto_grid(gsl_odeiv2_driver *driver, double a, double k, const double *t,
                                      size_t count, double *q_out, lrk_error *err)
{
    gsl_integration_workspace *work = NULL;
    lrk_status result = LRK_OK;
    double s = 0.0, y[1] = {0.0};
    for (size_t i = 0; i < count && result == LRK_OK; i++) {
        double target = t[i] * k;
        if (!isfinite(target)) {
            /* k t beyond double range: relaxation is complete to all digits. */
            for (; i < count; i++)
                q_out[i] = 1.0;
            return LRK_OK;
        }
        int status = gsl_odeiv2_driver_apply(driver, &s, target, y);
        if (status == GSL_FAILURE) {
            result = avalanche_step(driver, &work, a, target, &s, y, err);
        } else if (status != GSL_SUCCESS) {
            result = lrk_error_set(err, LRK_ERR_NUMERIC, "ode: integration to t[%zu] = %g failed at k t = %g: %s",
                                   i, t[i], s, gsl_strerror(status));
        }
        q_out[i] = -expm1(-y[0]);
    }
    gsl_integration_workspace_free(work);
    return result;
}

lrk_status lrk_ode_solve(const lrk_model *m, const double *t, size_t count, double *q_out, lrk_error *err)
{
    lrk_gsl_quiet();
    lrk_status status = check_model(m, err);
    if (status != LRK_OK)
        return status;
    if (count == 0)
        return LRK_OK;
    if (t == NULL || q_out == NULL)
        return lrk_error_set(err, LRK_ERR_INVALID, "ode: t and q_out must not be NULL");
    if ((status = lrk_check_times(t, count, "ode", err)) != LRK_OK)
        return status;

    double a = lrk_model_a(m), k = lrk_model_k(m);
    gsl_odeiv2_system system = {.function = rate_in_y, .jacobian = NULL, .dimension = 1, .params = &a};
    /* First step well inside the initial time scale ~1/(1 + |a|); the driver adapts. */
    double h0 = 1e-3 / (1.0 + fabs(a));
    gsl_odeiv2_driver *driver =
        gsl_odeiv2_driver_alloc_y_new(&system, gsl_odeiv2_step_rk8pd, h0, ODE_EPS_ABS, ODE_EPS_REL);
    if (driver == NULL)
        return lrk_error_set(err, LRK_ERR_NOMEM, "ode: could not allocate the GSL odeiv2 driver");
    int gsl_status = gsl_odeiv2_driver_set_nmax(driver, ODE_MAX_STEPS_PER_POINT);
    if (gsl_status != GSL_SUCCESS)
        status = lrk_error_set(err, LRK_ERR_NUMERIC, "ode: gsl_odeiv2_driver_set_nmax failed: %s",
                               gsl_strerror(gsl_status));
    else
        status = integrate_onto_grid(driver, a, k, t, count, q_out, err);
    gsl_odeiv2_driver_free(driver);
    return status;
}

/* Scaled times s(q_j) = integral_0^(y_j) e^(a q(y)) dy, accumulated piece by
 * piece between consecutive levels. */
static lrk_status integrate_levels(gsl_integration_workspace *work, double a, const double *q, size_t count,
                                   double *s_out, lrk_error *err)
{
    double y_prev = 0.0, s = 0.0;
    for (size_t j = 0; j < count; j++) {
        double y = -log1p(-q[j]), piece;
        lrk_status status = scaled_time_between(work, a, y_prev, y, &piece, err);
        if (status != LRK_OK)
            return status;
        s += piece;
        s_out[j] = s;
        y_prev = y;
    }
    return LRK_OK;
}

lrk_status lrk_ode_times_to_reach(const lrk_model *m, const double *q, size_t count, double *t_out,
                                  lrk_error *err)
{
    lrk_gsl_quiet();
    lrk_status status = check_model(m, err);
    if (status != LRK_OK)
        return status;
    if (count == 0)
        return LRK_OK;
    if (q == NULL || t_out == NULL)
        return lrk_error_set(err, LRK_ERR_INVALID, "ode: q and t_out must not be NULL");
    if ((status = lrk_check_levels(q, count, 1, "ode", err)) != LRK_OK)
        return status;

    gsl_integration_workspace *work = gsl_integration_workspace_alloc(QUAD_LIMIT);
    if (work == NULL)
        return lrk_error_set(err, LRK_ERR_NOMEM, "ode: could not allocate the GSL integration workspace");
    status = integrate_levels(work, lrk_model_a(m), q, count, t_out, err);
    gsl_integration_workspace_free(work);
    if (status != LRK_OK)
        return status;

    double inverse_k = exp(m->V0 / m->T);
    for (size_t j = 0; j < count; j++) {
        t_out[j] *= inverse_k;
        if (!isfinite(t_out[j]))
            return lrk_error_set(err, LRK_ERR_NUMERIC, "ode: time to reach q = %.17g overflows a double", q[j]);
    }
    return LRK_OK;
}

lrk_status lrk_ode_time_to_reach(const lrk_model *m, double q_target, double *t_out, lrk_error *err)
{
    if (t_out == NULL)
        return lrk_error_set(err, LRK_ERR_INVALID, "ode: t_out must not be NULL");
    return lrk_ode_times_to_reach(m, &q_target, 1, t_out, err);
}
