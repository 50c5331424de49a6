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
 * The integrator is a Taylor-series method: y is expanded to order 20 about
 * the current state by the recurrences of automatic differentiation (two
 * exponentials per step), the step follows the solution (error 1e-16 per
 * step), and every grid time inside a step is read off its polynomial -
 * the dense output that lets the step size ignore the grid.
 * The time to reach a level is the inverse problem s(y) = integral_0^y
 * e^(a q(y')) dy', smooth in y (no singularity at q -> 1), integrated by a
 * Taylor series of the integrand in y in the same way (adaptive Gauss-Kronrod
 * quadrature as the fallback).
 *
 * Strong CER (a < -36 or so) relaxes in an avalanche narrower than one ulp
 * of s: the step then falls below one ulp (s + h == s).  Such a grid point
 * is reached through the inverse form from the last good state, the root of
 * integral_(y_last)^y e^(a q) dy' = s_k - s_last, and the series restarts
 * there.
 */
#include "lrekmc/ode.h"

#include <float.h>
#include <math.h>

#include <gsl/gsl_errno.h>
#include <gsl/gsl_integration.h>

#include "lrekmc/grid.h"

/* Taylor method: order 20 and a truncation error of 1e-16 per step in y
 * (q = 1 - e^-y moves by (1 - q) dy <= dy); near the optimal order for
 * double precision (~ -ln(eps) / 2).  The safety factor absorbs the terms
 * beyond the estimated one. */
#define TAYLOR_ORDER 20
#define TAYLOR_EPS 1e-16
#define TAYLOR_SAFETY 0.9
#define ODE_MAX_STEPS 100000000L
#define QUAD_EPS_REL 1e-13
#define QUAD_LIMIT 256
/* Beyond y = 40, 1 - q < 4.3e-18 and q rounds to exactly 1 in double. */
#define Y_SATURATED 40.0
#define INVERSE_MAX_ITER 200

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

/* The solution near a state, as a Taylor polynomial in the local time
 * tau = f0 (s - s0), with f0 = dy/ds at s0: in tau the rate is 1 at the
 * start, so the coefficients neither underflow (SER, where dy/ds falls to
 * e^-a) nor overflow (CER, where it grows to e^|a|). */
typedef struct taylor_series {
    double c[TAYLOR_ORDER + 1]; /* y(s0 + tau / f0) = sum c_k tau^k */
    double rate;                /* f0 */
    double step;                /* admissible step in s (may be infinite) */
} taylor_series;

/* Coefficients at the state y0 by the recurrences of automatic
 * differentiation for u = e^(-y), F = (dy/ds) / f0 = e^(a (u - u0)),
 * dy/dtau = F:
 *   c_(k+1) = F_k / (k + 1),
 *   u_k = -(1/k) sum_(j=1..k) j c_j u_(k-j),
 *   F_k =  (a/k) sum_(j=1..k) j u_j F_(k-j),   F_0 = 1
 * (two exponentials and O(order^2) flops per step, against 13 right-hand
 * sides with 26 exponentials per rk8pd step).  The step is the largest tau
 * with |c_k| tau^k <= TAYLOR_EPS for k = order - 1 and order (the rule of
 * Jorba & Zou, 2005), times a safety factor; infinite when those vanish
 * (a = 0, or a u0 below the underflow: then y = y0 + tau to all digits). */
static void taylor_expand(double a, double y0, taylor_series *ts)
{
    double u[TAYLOR_ORDER + 1], F[TAYLOR_ORDER + 1], *c = ts->c;
    c[0] = y0;
    u[0] = exp(-y0);
    F[0] = 1.0;
    ts->rate = exp(a * expm1(-y0));
    for (int k = 1; k <= TAYLOR_ORDER; k++) {
        c[k] = F[k - 1] / k;
        double su = 0.0, sf = 0.0;
        for (int j = 1; j <= k; j++)
            su += j * c[j] * u[k - j];
        u[k] = -su / k;
        for (int j = 1; j <= k; j++)
            sf += j * u[j] * F[k - j];
        F[k] = a * sf / k;
    }
    double tau = INFINITY;
    for (int k = TAYLOR_ORDER - 1; k <= TAYLOR_ORDER; k++) {
        if (!isfinite(c[k])) {
            tau = 0.0;
            break;
        }
        if (c[k] != 0.0)
            tau = fmin(tau, pow(TAYLOR_EPS / fabs(c[k]), 1.0 / k));
    }
    ts->step = TAYLOR_SAFETY * tau / ts->rate;
}

/* y at s0 + ds from the series (Horner in tau), without the term of order
 * TAYLOR_ORDER that only served the error estimate. */
static double taylor_eval(const taylor_series *ts, double ds)
{
    double tau = ds * ts->rate;
    if (tau == 0.0)
        return ts->c[0];
    double y = ts->c[TAYLOR_ORDER - 1];
    for (int k = TAYLOR_ORDER - 2; k >= 0; k--)
        y = y * tau + ts->c[k];
    return y;
}

/* Integrate in steps of the Taylor method; each grid time inside the
 * current step is read off its polynomial (dense output), so the step size
 * follows the solution, not the grid.  A step below one ulp of s is the
 * avalanche of strong CER: that grid point is reached by the inverse form
 * from the last good state, and the integration restarts there. */
static lrk_status integrate_onto_grid(double a, double k, const double *t, size_t count, double *q_out,
                                      lrk_error *err)
{
    gsl_integration_workspace *work = NULL;
    lrk_status result = LRK_OK;
    double s = 0.0, y = 0.0;
    taylor_series ts;
    taylor_expand(a, y, &ts);
    long steps = 0;
    for (size_t i = 0; i < count && result == LRK_OK; i++) {
        double target = t[i] * k;
        if (!isfinite(target)) {
            /* k t beyond double range: relaxation is complete to all digits. */
            for (; i < count; i++)
                q_out[i] = 1.0;
            break;
        }
        while (result == LRK_OK && target - s > ts.step) {
            if (s + ts.step == s) {
                if (work == NULL && (work = gsl_integration_workspace_alloc(QUAD_LIMIT)) == NULL) {
                    result = lrk_error_set(err, LRK_ERR_NOMEM, "ode: could not allocate the GSL integration workspace");
                    break;
                }
                result = advance_by_inverse(work, a, y, target - s, &y, err);
                s = target;
            } else {
                y = taylor_eval(&ts, ts.step);
                s += ts.step;
            }
            taylor_expand(a, y, &ts);
            if (++steps > ODE_MAX_STEPS)
                result = lrk_error_set(err, LRK_ERR_NUMERIC,
                                       "ode: more than %ld steps on the way to t[%zu] = %g (a = %g)",
                                       (long)ODE_MAX_STEPS, i, t[i], a);
        }
        q_out[i] = -expm1(-taylor_eval(&ts, fmax(target - s, 0.0)));
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
    return integrate_onto_grid(lrk_model_a(m), lrk_model_k(m), t, count, q_out, err);
}

/* The inverse equation near y0 as a series in eta = y - y0:
 *   s(y0 + eta) - s(y0) = g0 sum_k I_k eta^(k+1),   g0 = e^(a q0),
 * the integral of ds/dy = e^(a q(y)) = g0 G(eta), G = e^v,
 * v = a u0 (1 - e^-eta), u0 = 1 - q0: v_k = a u0 (-1)^(k+1) / k!, and
 *   G_0 = 1,  G_k = (1/k) sum_(j=1..k) j v_j G_(k-j),  I_k = G_k / (k + 1).
 * Normalised by g0, the coefficients stay of order (a u0)^k / k! for any a.
 * The step in eta follows the same rule as taylor_expand. */
typedef struct quadrature_series {
    double I[TAYLOR_ORDER];
    double g0;
    double step; /* admissible step in y; 0 if the coefficients overflowed */
} quadrature_series;

static void quadrature_expand(double a, double y0, quadrature_series *qs)
{
    double v[TAYLOR_ORDER + 1], G[TAYLOR_ORDER + 1];
    qs->g0 = exp(-a * expm1(-y0));
    v[0] = 0.0;
    v[1] = a * exp(-y0);
    for (int k = 2; k <= TAYLOR_ORDER; k++)
        v[k] = -v[k - 1] / k;
    G[0] = 1.0;
    for (int k = 1; k <= TAYLOR_ORDER; k++) {
        double sum = 0.0;
        for (int j = 1; j <= k; j++)
            sum += j * v[j] * G[k - j];
        G[k] = sum / k;
    }
    for (int k = 0; k < TAYLOR_ORDER; k++)
        qs->I[k] = G[k] / (k + 1);
    double eta = INFINITY;
    for (int k = TAYLOR_ORDER - 1; k <= TAYLOR_ORDER; k++) {
        if (!isfinite(G[k])) {
            eta = 0.0;
            break;
        }
        if (G[k] != 0.0)
            eta = fmin(eta, pow(TAYLOR_EPS / fabs(G[k]), 1.0 / k));
    }
    qs->step = TAYLOR_SAFETY * eta;
}

static double quadrature_eval(const quadrature_series *qs, double eta)
{
    double sum = qs->I[TAYLOR_ORDER - 1];
    for (int k = TAYLOR_ORDER - 2; k >= 0; k--)
        sum = sum * eta + qs->I[k];
    return qs->g0 * sum * eta;
}

/* Scaled times s(q_j) = integral_0^(y_j) e^(a q(y)) dy in one sweep of series
 * steps; a piece whose series is unusable (overflowing coefficients, a step
 * below one ulp of y) is done by adaptive quadrature instead. */
static lrk_status integrate_levels(double a, const double *q, size_t count, double *s_out, lrk_error *err)
{
    gsl_integration_workspace *work = NULL;
    lrk_status status = LRK_OK;
    double y0 = 0.0, s0 = 0.0;
    quadrature_series qs;
    quadrature_expand(a, y0, &qs);
    for (size_t j = 0; j < count && status == LRK_OK; j++) {
        double y = -log1p(-q[j]);
        while (y - y0 > qs.step && y0 + qs.step > y0) {
            s0 += quadrature_eval(&qs, qs.step);
            y0 += qs.step;
            quadrature_expand(a, y0, &qs);
        }
        if (y - y0 <= qs.step) {
            s_out[j] = s0 + quadrature_eval(&qs, fmax(y - y0, 0.0));
            continue;
        }
        double piece = 0.0;
        if (work == NULL && (work = gsl_integration_workspace_alloc(QUAD_LIMIT)) == NULL)
            status = lrk_error_set(err, LRK_ERR_NOMEM, "ode: could not allocate the GSL integration workspace");
        else
            status = scaled_time_between(work, a, y0, y, &piece, err);
        s0 += piece;
        s_out[j] = s0;
        y0 = y;
        quadrature_expand(a, y0, &qs);
    }
    gsl_integration_workspace_free(work);
    return status;
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

    status = integrate_levels(lrk_model_a(m), q, count, t_out, err);
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
