/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * closed_form.c - the exact solution of dq/dt = k (1 - q) exp(-a q)
 * (closed_form.h), the reference the ODE solver and the KMC are tested
 * against, so it is computed to near machine precision everywhere.
 *
 * Time is measured internally in units of 1/k, s = k t, so that k (which is
 * e^(-V0/T) and may be tiny or huge) only enters at the very end:
 *   s(q) = integral_0^q e^(a u) / (1 - u) du.
 * Three evaluations cover all (a, q) without cancellation:
 *   |a| <= 1:        s = e^a [-ln(1 - q) - S],  S = sum_n (-a)^n ((1-q)^n - 1) / (n n!)
 *                    (the E1/Ei difference expanded in a; exact at a = 0);
 *   |a| q < 1/2:     Taylor series of the integrand in u (small q, any a);
 *   otherwise:       scaled exponential integrals, E1s(x) = e^x E1(x),
 *                    Eis(x) = e^-x Ei(x), which never overflow:
 *                    a > 0:  s = e^(a q) E1s(a (1 - q)) - E1s(a)
 *                    a < 0:  s = Eis(b) - e^(-b q) Eis(b (1 - q)),  b = -a.
 * q(t) inverts s(q) by a safeguarded Newton search in y = -ln(1 - q), where
 * ds/dy = e^(a q) lies between e^min(a,0) and e^max(a,0): this gives a
 * guaranteed bracket and keeps 1 - q accurate near q = 1.
 */
#include "lrekmc/closed_form.h"

#include <float.h>
#include <math.h>

#include <gsl/gsl_errno.h>
#include <gsl/gsl_sf_expint.h>

/* Beyond y = 40, 1 - q < 4.3e-18 and q rounds to exactly 1 in double. */
#define Y_SATURATED 40.0
#define NEWTON_MAX_ITER 300

/* The point q in the three forms each evaluation needs: q itself, 1 - q and
 * ln(1 - q), each accurate to full relative precision. */
typedef struct level {
    double q, p, log_p;
} level;

static level level_from_q(double q)
{
    return (level){.q = q, .p = 1.0 - q, .log_p = log1p(-q)};
}

static level level_from_y(double y)
{
    return (level){.q = -expm1(-y), .p = exp(-y), .log_p = -y};
}

/* s for |a| <= 1: the terms fall like 1/n! and cancel by at most a factor ~e^2
 * (measured: <= 3e-15 relative against 40-digit arithmetic).  The factors
 * (1 - q)^n - 1 = -q (1 + p + ... + p^(n-1)), p = 1 - q, come from the
 * recurrence e_n = p e_(n-1) - q: its terms never cancel, so e_n keeps
 * O(n) ulp relative accuracy for any q, at one multiply instead of an
 * expm1 per term. */
static double s_small_a(double a, level lv)
{
    double sum = 0.0, power = 1.0; /* power = (-a)^n / n! */
    double e = 0.0;                /* e_n = (1 - q)^n - 1 */
    for (int n = 1; n < 60; n++) {
        power *= -a / n;
        if (power == 0.0)
            break;
        e = lv.p * e - lv.q;
        sum += power * e / n;
        if (fabs(power) < 1e-18)
            break;
    }
    return exp(a) * (-lv.log_p - sum);
}

/* s for |a| q < 1/2 by the Taylor series of e^(a u) / (1 - u):
 * s = q sum_n d_n / (n + 1),  d_n = q d_(n-1) + (a q)^n / n!,  d_0 = 1.
 * With |a q| < 1/2 the alternating terms (a < 0) lose at most a factor e. */
static double s_small_q(double a, double q)
{
    double aq = a * q, term = 1.0, d = 1.0, d_abs = 1.0, sum = 1.0;
    for (int n = 1; n < 400; n++) {
        term *= aq / n;
        d = q * d + term;
        d_abs = q * d_abs + fabs(term);
        sum += d / (n + 1);
        if (d_abs < 1e-18 * fabs(sum) * (n + 1))
            break;
    }
    return q * sum;
}

static lrk_status gsl_failure(lrk_error *err, const char *what, double x, int gsl_status)
{
    return lrk_error_set(err, LRK_ERR_NUMERIC, "closed form: %s(%g) failed: %s", what, x,
                         gsl_strerror(gsl_status));
}

/* s for |a| > 1 and |a| q >= 1/2 through E1s or Eis: the subtracted term is
 * ~1/|a| and s >~ q, so the difference loses at most a factor ~1/(|a| q) <= 2. */
static lrk_status s_expint(double a, level lv, double *s, lrk_error *err)
{
    gsl_sf_result at_one, at_q;
    int status;
    if (a > 0) {
        double x = a * lv.p;
        if ((status = gsl_sf_expint_E1_scaled_e(a, &at_one)) != GSL_SUCCESS)
            return gsl_failure(err, "E1_scaled", a, status);
        if ((status = gsl_sf_expint_E1_scaled_e(x, &at_q)) != GSL_SUCCESS)
            return gsl_failure(err, "E1_scaled", x, status);
        *s = exp(a * lv.q) * at_q.val - at_one.val;
    } else {
        double b = -a, x = b * lv.p;
        if ((status = gsl_sf_expint_Ei_scaled_e(b, &at_one)) != GSL_SUCCESS)
            return gsl_failure(err, "Ei_scaled", b, status);
        if ((status = gsl_sf_expint_Ei_scaled_e(x, &at_q)) != GSL_SUCCESS)
            return gsl_failure(err, "Ei_scaled", x, status);
        *s = at_one.val - exp(-b * lv.q) * at_q.val;
    }
    return LRK_OK;
}

/* s(q) = k t(q) at a level 0 <= q < 1; may be +inf when t overflows. */
static lrk_status scaled_time(double a, level lv, double *s, lrk_error *err)
{
    if (lv.q == 0.0) {
        *s = 0.0;
        return LRK_OK;
    }
    if (fabs(a) <= 1.0) {
        *s = s_small_a(a, lv);
        return LRK_OK;
    }
    if (fabs(a) * lv.q < 0.5) {
        *s = s_small_q(a, lv.q);
        return LRK_OK;
    }
    return s_expint(a, lv, s, err);
}

static lrk_status check_model(const lrk_model *m, lrk_error *err)
{
    if (m == NULL)
        return lrk_error_set(err, LRK_ERR_INVALID, "closed form: model is NULL");
    return lrk_model_validate(m, err);
}

lrk_status lrk_closed_form_time(const lrk_model *m, double q, double *t_out, lrk_error *err)
{
    lrk_gsl_quiet();
    lrk_status status = check_model(m, err);
    if (status != LRK_OK)
        return status;
    if (t_out == NULL)
        return lrk_error_set(err, LRK_ERR_INVALID, "closed form: t_out is NULL");
    if (!(q >= 0.0 && q < 1.0))
        return lrk_error_set(err, LRK_ERR_INVALID, "closed form: q = %g: expected 0 <= q < 1", q);
    double s;
    status = scaled_time(lrk_model_a(m), level_from_q(q), &s, err);
    if (status != LRK_OK)
        return status;
    /* 1/k = e^(V0/T) is finite within model_validate's limits; the product may not be. */
    double t = s * exp(m->V0 / m->T);
    if (!isfinite(t))
        return lrk_error_set(err, LRK_ERR_NUMERIC,
                             "closed form: t(q = %.17g) overflows a double (V0/T = %g, a = %g)", q,
                             m->V0 / m->T, lrk_model_a(m));
    *t_out = t;
    return LRK_OK;
}

/* Solve s(y) = s_target for y in [lo, hi] (s(lo) <= s_target <= s(hi)) by
 * Newton steps on ln s, which is nearly linear in y over the whole range,
 * falling back to bisection whenever a step leaves the bracket. */
static lrk_status invert_scaled_time(double a, double s_target, double lo, double hi,
                                     double y_start, double *y_out, lrk_error *err)
{
    double y = (s_target >= lo && s_target <= hi) ? s_target : 0.5 * (lo + hi);
    if (y_start > lo && y_start < hi)
        y = y_start;
    double log_target = log(s_target);
    for (int iter = 0; iter < NEWTON_MAX_ITER; iter++) {
        level lv = level_from_y(y);
        double s;
        lrk_status status = scaled_time(a, lv, &s, err);
        if (status != LRK_OK)
            return status;
        if (s == s_target) {
            *y_out = y;
            return LRK_OK;
        }
        if (s < s_target)
            lo = y;
        else
            hi = y;
        /* d ln s / dy = e^(a q) / s; ln s is -inf at y = 0 and +inf on overflow. */
        double step = (log(s) - log_target) * s / exp(a * lv.q);
        double next = y - step;
        if (!isfinite(next) || !(next > lo && next < hi))
            next = 0.5 * (lo + hi);
        double change = fabs(next - y);
        y = next;
        if (change <= 2.0 * DBL_EPSILON * y || hi - lo <= 2.0 * DBL_EPSILON * y) {
            *y_out = y;
            return LRK_OK;
        }
    }
    if (hi - lo <= 1e-12 * hi) {
        *y_out = 0.5 * (lo + hi);
        return LRK_OK;
    }
    return lrk_error_set(err, LRK_ERR_NOCONVERGE,
                         "closed form: q(t) search did not converge (a = %g, k t = %g, bracket in "
                         "-ln(1-q): [%.17g, %.17g])",
                         a, s_target, lo, hi);
}

static lrk_status solve_bracketed(double a, double s_target, double y_start, double *y_out,
                                  lrk_error *err);

lrk_status lrk_closed_form_q(const lrk_model *m, double t, double *q_out, lrk_error *err)
{
    lrk_gsl_quiet();
    lrk_status status = check_model(m, err);
    if (status != LRK_OK)
        return status;
    if (q_out == NULL)
        return lrk_error_set(err, LRK_ERR_INVALID, "closed form: q_out is NULL");
    if (!(t >= 0.0) || !isfinite(t))
        return lrk_error_set(err, LRK_ERR_INVALID, "closed form: t = %g: expected a finite t >= 0", t);
    double y = 0.0;
    status = solve_bracketed(lrk_model_a(m), t * lrk_model_k(m), -1.0, &y, err);
    if (status != LRK_OK)
        return status;
    *q_out = y >= Y_SATURATED ? 1.0 : -expm1(-y);
    return LRK_OK;
}

/* y = -ln(1 - q) at s(q) = s_target; Y_SATURATED (q = 1 in double) beyond
 * the end, 0 at s = 0.  y_start, when inside the bracket, is the first
 * Newton iterate (a fit's previous solution at nearby parameters). */
static lrk_status solve_bracketed(double a, double s_target, double y_start, double *y_out,
                                  lrk_error *err)
{
    if (s_target == 0.0) {
        *y_out = 0.0;
        return LRK_OK;
    }
    /* s(y) = integral_0^y e^(a q(y')) dy' brackets y between these bounds;
     * only when the upper one reaches Y_SATURATED can q round to 1. */
    double lo = s_target * exp(-fmax(a, 0.0));
    double hi = s_target * exp(-fmin(a, 0.0));
    if (!(hi < Y_SATURATED)) {
        double s_saturated;
        lrk_status status = scaled_time(a, level_from_y(Y_SATURATED), &s_saturated, err);
        if (status != LRK_OK)
            return status;
        /* Strictly beyond: for strong CER s(q) is flat in double precision long
         * before y = 40, and a target equal to s_saturated is then found below. */
        if (!isfinite(s_target) || s_target > s_saturated) {
            *y_out = Y_SATURATED;
            return LRK_OK;
        }
        hi = Y_SATURATED;
    }
    return invert_scaled_time(a, s_target, lo, hi, y_start, y_out, err);
}

/* ds/da at fixed q: integral_0^q u e^(a u) / (1 - u) du = s - (e^(a q) - 1) / a.
 * The difference loses ~1/q relative digits at small q (both terms ~ q), which
 * is far below what a Jacobian needs; at a = 0 it is -ln(1 - q) - q. */
static double ds_da(double a, level lv, double s)
{
    if (a == 0.0)
        return -lv.log_p - lv.q;
    return s - expm1(a * lv.q) / a;
}

lrk_status lrk_closed_form_solve(double a, double s, double y_start, lrk_closed_form_point *out,
                                 lrk_error *err)
{
    lrk_gsl_quiet();
    if (out == NULL)
        return lrk_error_set(err, LRK_ERR_INVALID, "closed form: out is NULL");
    if (!isfinite(a) || !(s >= 0.0))
        return lrk_error_set(err, LRK_ERR_INVALID,
                             "closed form: a = %g, s = %g: expected a finite a and s >= 0", a, s);
    double y = 0.0;
    lrk_status status = solve_bracketed(a, s, y_start, &y, err);
    if (status != LRK_OK)
        return status;
    out->y = y;
    if (y >= Y_SATURATED || y == 0.0) {
        /* q = 1 (or 0): the curve is flat in double precision there. */
        out->q = y == 0.0 ? 0.0 : 1.0;
        out->p = 1.0 - out->q;
        out->dq_dlns = 0.0;
        out->dq_da = 0.0;
        return LRK_OK;
    }
    level lv = level_from_y(y);
    double s_here;
    status = scaled_time(a, lv, &s_here, err);
    if (status != LRK_OK)
        return status;
    /* dq/ds = (1 - q) e^(-a q) along the curve; at fixed s, dq/da follows
     * from the implicit function s(q, a) = const. */
    double rate = lv.p * exp(-a * lv.q);
    out->q = lv.q;
    out->p = lv.p;
    out->dq_dlns = s * rate;
    out->dq_da = -ds_da(a, lv, s_here) * rate;
    return LRK_OK;
}
