/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * disorder_ref.c - exact finite-N references of the disorder model
 * (disorder.h): the relaxed fraction p(t) of one LRE by adaptive quadrature
 * over delta, the binomial law and the order statistics that follow from it
 * when c V1 = 0, and the exact first-passage moments of the bimodal model at
 * any coupling by a forward recursion over its embedded jump chain.
 */
#include "lrekmc/disorder.h"

#include <gsl/gsl_cdf.h>
#include <gsl/gsl_errno.h>
#include <gsl/gsl_integration.h>
#include <gsl/gsl_randist.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#define QUAD_LIMIT 1000
#define P_EPS_REL 1e-11
#define T_EPS_REL 1e-10

typedef struct ref_ctx {
    const lrk_model *m;
    gsl_integration_workspace *inner, *outer;
    double t;          /* inner integrand: operational time */
    int want_survival; /* inner integrand: exp(-y) instead of -expm1(-y) */
    long n;            /* outer integrand: event count */
    double mu;         /* outer integrand, variance: the mean */
    int failed;
    double failed_t;   /* the operational time where the inner quadrature failed */
    char failed_why[200];
} ref_ctx;

static double x_of(const lrk_model *m, double delta)
{
    return (m->V0 + delta) / m->T;
}

static double one_lre(const ref_ctx *c, double delta)
{
    double y = c->t * exp(-x_of(c->m, delta));
    return c->want_survival ? exp(-y) : -expm1(-y);
}

static double inner_integrand(double u, void *data)
{
    const ref_ctx *c = data;
    const lrk_disorder *d = &c->m->disorder;
    switch (d->kind) {
    case LRK_DISORDER_NORMAL: /* u = z */
        return exp(-0.5 * u * u) * 0.3989422804014327 * one_lre(c, d->width * u);
    case LRK_DISORDER_UNIFORM: /* u = delta / w in [-1, 1] */
        return 0.5 * one_lre(c, d->width * u);
    default: /* exponential, u = delta / w >= 0 */
        return exp(-u) * one_lre(c, d->width * u);
    }
}

/* The fallback when qagp's extrapolation reports round-off (it can on a
 * Gaussian tail times a step, e.g. normal w/T = 4): plain adaptive
 * Gauss-Kronrod on each smooth piece, no extrapolation, the errors added. */
static int piecewise(gsl_function *f, const double *points, size_t np, gsl_integration_workspace *w,
                     double *value, double *abserr)
{
    int worst = GSL_SUCCESS;
    *value = *abserr = 0;
    for (size_t i = 0; i + 1 < np; i++) {
        double part = 0, err = 0;
        int status = gsl_integration_qag(f, points[i], points[i + 1], 1e-300, P_EPS_REL, QUAD_LIMIT,
                                         GSL_INTEG_GAUSS61, w, &part, &err);
        if (status != GSL_SUCCESS && status != GSL_EROUND)
            return status;
        if (status != GSL_SUCCESS)
            worst = status;
        *value += part;
        *abserr += err;
    }
    return worst != GSL_SUCCESS || *abserr > P_EPS_REL * fabs(*value) ? GSL_EROUND : GSL_SUCCESS;
}

/* E_delta of one_lre at the context's t. */
static lrk_status mixture(ref_ctx *c, int survival, double *value, lrk_error *err)
{
    const lrk_disorder *d = &c->m->disorder;
    c->want_survival = survival;
    if (!lrk_disorder_active(c->m)) {
        *value = one_lre(c, 0.0);
        return LRK_OK;
    }
    if (d->kind == LRK_DISORDER_BIMODAL) {
        *value = 0.5 * (one_lre(c, -d->width) + one_lre(c, d->width));
        return LRK_OK;
    }
    double lo = -1, hi = 1;
    if (d->kind == LRK_DISORDER_NORMAL) {
        lo = -LRK_DISORDER_NORMAL_ZMAX;
        hi = LRK_DISORDER_NORMAL_ZMAX;
    } else if (d->kind == LRK_DISORDER_EXPONENTIAL) {
        lo = 0;
        hi = LRK_DISORDER_EXPONENTIAL_MAX;
    }
    /* In v = ln(t k(delta)) the integrand is exp(-e^v) or 1 - exp(-e^v): a
     * step at v = 0 of unit width, exactly 0 (or 1) in doubles beyond
     * v = 6.7 (e^-e^6.7 < 1e-350).  Break the interval at fixed values of v so
     * that the rule resolves the step however narrow it is in delta. */
    double star = (c->m->T * log(c->t) - c->m->V0) / d->width, step = c->m->T / d->width;
    static const double v_cuts[] = {6.7, 3, 1, 0, -1, -3, -10};
    double points[2 + sizeof v_cuts / sizeof v_cuts[0]] = {lo};
    size_t np = 1;
    for (size_t i = 0; i < sizeof v_cuts / sizeof v_cuts[0]; i++) {
        double u = star - v_cuts[i] * step;
        if (u > points[np - 1] && u < hi)
            points[np++] = u;
    }
    points[np++] = hi;
    gsl_function f = {inner_integrand, c};
    double abserr;
    int status = gsl_integration_qagp(&f, points, np, 1e-290, P_EPS_REL, QUAD_LIMIT, c->inner, value, &abserr);
    if (status != GSL_SUCCESS)
        status = piecewise(&f, points, np, c->inner, value, &abserr);
    /* GSL reports round-off when 1e-11 is out of reach; 1e-8 is still far
     * below any statistical resolution (a z-score moves by < 1e-8 sqrt(M N)) */
    if (status != GSL_SUCCESS && !(status == GSL_EROUND && abserr <= 1e-8 * fabs(*value) + 1e-290))
        return lrk_error_set(err, LRK_ERR_NUMERIC,
                             "disorder reference: quadrature of p(t = %.17g) failed (%s: %g +- %g)", c->t,
                             gsl_strerror(status), *value, abserr);
    return LRK_OK;
}

static lrk_status ctx_init(ref_ctx *c, const lrk_model *m, lrk_error *err)
{
    lrk_gsl_quiet();
    c->m = m;
    c->failed = 0;
    lrk_status st = lrk_model_validate(m, err);
    if (st == LRK_OK)
        st = lrk_disorder_validate(m, err);
    if (st != LRK_OK)
        return st;
    c->inner = gsl_integration_workspace_alloc(QUAD_LIMIT);
    c->outer = gsl_integration_workspace_alloc(QUAD_LIMIT);
    if (c->inner == NULL || c->outer == NULL) {
        gsl_integration_workspace_free(c->inner);
        gsl_integration_workspace_free(c->outer);
        return lrk_error_set(err, LRK_ERR_NOMEM, "disorder reference: out of memory");
    }
    return LRK_OK;
}

static void ctx_free(ref_ctx *c)
{
    gsl_integration_workspace_free(c->inner);
    gsl_integration_workspace_free(c->outer);
}

static lrk_status both(ref_ctx *c, double t, double *p, double *s, lrk_error *err)
{
    c->t = t;
    lrk_status st = mixture(c, 0, p, err);
    if (st == LRK_OK)
        st = mixture(c, 1, s, err);
    return st;
}

lrk_status lrk_disorder_relaxed_fraction(const lrk_model *m, double t, double *p, double *one_minus_p,
                                         lrk_error *err)
{
    if (!(t >= 0) || !isfinite(t))
        return lrk_error_set(err, LRK_ERR_INVALID, "disorder reference: t = %g: expected finite >= 0", t);
    ref_ctx c;
    lrk_status st = ctx_init(&c, m, err);
    if (st != LRK_OK)
        return st;
    st = both(&c, t, p, one_minus_p, err);
    ctx_free(&c);
    return st;
}

static lrk_status require_uncoupled(const lrk_model *m, const char *what, lrk_error *err)
{
    if (lrk_model_coupling(m) * m->V1 != 0)
        return lrk_error_set(err, LRK_ERR_INVALID, "%s: needs c V1 = 0 (independent LREs); here c V1 = %g", what,
                             lrk_model_coupling(m) * m->V1);
    return LRK_OK;
}

lrk_status lrk_disorder_binomial(const lrk_model *m, const double *t, size_t count, double *q_mean,
                                 double *q_std, lrk_error *err)
{
    lrk_status st = require_uncoupled(m, "binomial reference", err);
    ref_ctx c;
    if (st == LRK_OK)
        st = ctx_init(&c, m, err);
    if (st != LRK_OK)
        return st;
    for (size_t k = 0; st == LRK_OK && k < count; k++) {
        double p, s;
        st = both(&c, t[k], &p, &s, err);
        q_mean[k] = p;
        q_std[k] = sqrt(p * s / (double)m->N);
    }
    ctx_free(&c);
    return st;
}

/* ---- order statistics -------------------------------------------------- */

/* P(T_(n) > t) = P(Bin(N, p) <= n - 1), and its complement, each from the
 * smaller of p and 1 - p so that neither is rounded away. */
static void order_tails(const ref_ctx *c, double p, double s, double *survival, double *cdf)
{
    unsigned N = (unsigned)c->m->N, n = (unsigned)c->n;
    if (p <= 0.5) {
        *survival = gsl_cdf_binomial_P(n - 1, p, N);
        *cdf = gsl_cdf_binomial_Q(n - 1, p, N);
    } else {
        /* X ~ Bin(N, p) <= n - 1  <=>  N - X ~ Bin(N, s) >= N - n + 1 */
        *survival = gsl_cdf_binomial_Q(N - n, s, N);
        *cdf = gsl_cdf_binomial_P(N - n, s, N);
    }
}

/* Integrand in u = ln t: e^u times the survival (mean), or the variance's
 * 2 (t - mu) S (t > mu) / 2 (mu - t) F (t < mu). */
static double order_integrand(double u, void *data, int variance)
{
    ref_ctx *c = data;
    double t = exp(u), p, s, surv, cdf;
    lrk_error ignored;
    if (both(c, t, &p, &s, &ignored) != LRK_OK) {
        if (!c->failed)
            snprintf(c->failed_why, sizeof c->failed_why, "%.150s", ignored.message);
        c->failed = 1;
        c->failed_t = t;
        return 0;
    }
    order_tails(c, p, s, &surv, &cdf);
    if (!variance)
        return t * surv;
    return t < c->mu ? 2 * (c->mu - t) * cdf * t : 2 * (t - c->mu) * surv * t;
}

static double mean_integrand(double u, void *data)
{
    return order_integrand(u, data, 0);
}

static double variance_integrand(double u, void *data)
{
    return order_integrand(u, data, 1);
}

/* u = ln t where p(e^u) = target, by bisection (p is increasing in t). */
static lrk_status solve_u(ref_ctx *c, double target, double *u_out, lrk_error *err)
{
    double lo, hi;
    lrk_disorder_support(&c->m->disorder, &lo, &hi);
    double u_lo = x_of(c->m, lo) - 60, u_hi = x_of(c->m, hi) + 60;
    for (int it = 0; it < 200 && u_hi - u_lo > 1e-12 * (1 + fabs(u_lo)); it++) {
        double mid = 0.5 * (u_lo + u_hi), p, s;
        lrk_status st = both(c, exp(mid), &p, &s, err);
        if (st != LRK_OK)
            return st;
        if (p < target)
            u_lo = mid;
        else
            u_hi = mid;
    }
    *u_out = 0.5 * (u_lo + u_hi);
    return LRK_OK;
}

/* Integral of f over the real line cut at the sorted points. */
static lrk_status integrate_line(ref_ctx *c, double (*f)(double, void *), const double *cuts, size_t cut_count,
                                 double epsabs, double *value, lrk_error *err)
{
    gsl_function fn = {f, c};
    double total = 0, part, abserr;
    int status = gsl_integration_qagil(&fn, cuts[0], epsabs, T_EPS_REL, QUAD_LIMIT, c->outer, &part, &abserr);
    total += part;
    for (size_t i = 0; status == GSL_SUCCESS && i + 1 < cut_count; i++) {
        status = gsl_integration_qag(&fn, cuts[i], cuts[i + 1], epsabs, T_EPS_REL, QUAD_LIMIT, GSL_INTEG_GAUSS41,
                                     c->outer, &part, &abserr);
        total += part;
    }
    /* every LRE has relaxed by t_end = e^(x_max) (ln N + 750) but with
     * probability < N e^-750 = 0 in doubles: a finite upper end (e^u would
     * overflow on an infinite one) */
    double lo, hi;
    lrk_disorder_support(&c->m->disorder, &lo, &hi);
    double u_end = x_of(c->m, hi) + log(log((double)c->m->N) + 750);
    if (status == GSL_SUCCESS && u_end > cuts[cut_count - 1]) {
        status = gsl_integration_qag(&fn, cuts[cut_count - 1], u_end, epsabs, T_EPS_REL, QUAD_LIMIT,
                                     GSL_INTEG_GAUSS41, c->outer, &part, &abserr);
        total += part;
    }
    if (status != GSL_SUCCESS || c->failed)
        return lrk_error_set(err, LRK_ERR_NUMERIC, "disorder order statistics: quadrature failed at event %ld (%s)",
                             c->n, c->failed ? c->failed_why : gsl_strerror(status));
    *value = total;
    return LRK_OK;
}

static lrk_status order_moments(ref_ctx *c, long n, double *mean, double *variance, lrk_error *err)
{
    const double N = (double)c->m->N;
    c->n = n;
    double p_star = (n - 0.5) / N, sd = sqrt(p_star * (1 - p_star) / N);
    double u_a, u_star, u_b;
    lrk_status st = solve_u(c, p_star, &u_star, err);
    if (st == LRK_OK)
        st = solve_u(c, fmax(p_star - 12 * sd, 0.5 * p_star), &u_a, err);
    if (st == LRK_OK)
        st = solve_u(c, fmin(p_star + 12 * sd, 0.5 * (1 + p_star)), &u_b, err);
    if (st != LRK_OK)
        return st;
    double cuts[3] = {u_a, u_star, u_b};
    if (!(u_a < u_star && u_star < u_b))
        cuts[0] = cuts[2] = u_star;
    /* absolute tolerances on the scale of the answer: a tail piece of 1e-30
     * need not be known to 1e-10 of itself */
    double scale = exp(u_star);
    st = integrate_line(c, mean_integrand, cuts, 3, 1e-13 * scale, mean, err);
    if (st != LRK_OK)
        return st;
    if (!(*mean * *mean < 1e300))
        return lrk_error_set(err, LRK_ERR_INVALID,
                             "disorder order statistics: mean time %g at event %ld: its square is not a double", *mean,
                             n);
    c->mu = *mean;
    double lm = log(*mean);
    double vcuts[4] = {cuts[0], cuts[1], cuts[2], lm};
    /* keep the cuts sorted with ln(mu) among them (the integrand has a kink there) */
    for (int i = 3; i > 0 && vcuts[i] < vcuts[i - 1]; i--) {
        double tmp = vcuts[i];
        vcuts[i] = vcuts[i - 1];
        vcuts[i - 1] = tmp;
    }
    return integrate_line(c, variance_integrand, vcuts, 4, 1e-15 * scale * scale, variance, err);
}

lrk_status lrk_disorder_order_statistics(const lrk_model *m, const long *level_events, size_t count,
                                         double *mean, double *variance, lrk_error *err)
{
    lrk_status st = require_uncoupled(m, "order-statistics reference", err);
    ref_ctx c;
    if (st == LRK_OK)
        st = ctx_init(&c, m, err);
    if (st != LRK_OK)
        return st;
    for (size_t j = 0; st == LRK_OK && j < count; j++) {
        if (level_events[j] < 1 || level_events[j] > m->N) {
            st = lrk_error_set(err, LRK_ERR_INVALID, "order statistics: event count %ld: expected in [1, %ld]",
                               level_events[j], m->N);
            break;
        }
        if (j > 0 && level_events[j] == level_events[j - 1]) {
            mean[j] = mean[j - 1];
            variance[j] = variance[j - 1];
            continue;
        }
        st = order_moments(&c, level_events[j], &mean[j], &variance[j], err);
    }
    ctx_free(&c);
    return st;
}

/* ---- bimodal: exact first-passage moments at any coupling -------------- */

lrk_status lrk_disorder_bimodal_levels(const lrk_model *m, const long *level_events, size_t count,
                                       double *mean, double *variance, lrk_error *err)
{
    lrk_status st = lrk_model_validate(m, err);
    if (st == LRK_OK)
        st = lrk_disorder_validate(m, err);
    if (st != LRK_OK)
        return st;
    if (m->disorder.kind != LRK_DISORDER_BIMODAL && lrk_disorder_active(m))
        return lrk_error_set(err, LRK_ERR_INVALID, "bimodal reference: model.disorder.distribution is %s",
                             lrk_disorder_name(m->disorder.kind));
    const long N = m->N;
    const double w = lrk_disorder_active(m) ? m->disorder.width : 0;
    const double a = lrk_model_coupling(m) * m->V1 / m->T;
    /* time unit: 1 / (slow rate at the largest g), so each holding time in
     * units is <= 1 and the squares cannot overflow */
    const double log_unit = x_of(m, w) + (a > 0 ? a : 0);
    const double fast = exp(x_of(m, w) - x_of(m, -w)); /* k_fast / k_slow >= 1 */
    if (2 * log_unit > 690)
        return lrk_error_set(err, LRK_ERR_INVALID,
                             "bimodal reference: time unit e^%g: the variance of the times is not a double", log_unit);
    double *P = calloc((size_t)N + 2, sizeof(double)), *M1 = calloc((size_t)N + 2, sizeof(double));
    double *M2 = calloc((size_t)N + 2, sizeof(double));
    if (!P || !M1 || !M2) {
        free(P);
        free(M1);
        free(M2);
        return lrk_error_set(err, LRK_ERR_NOMEM, "bimodal reference: out of memory (N = %ld)", N);
    }
    /* u = unrelaxed fast LREs ~ Binomial(N, 1/2) at n = 0 */
    for (long u = 0; u <= N; u++)
        P[u] = gsl_ran_binomial_pdf((unsigned)u, 0.5, (unsigned)N);
    size_t j = 0;
    for (long n = 0; n < N && j < count; n++) {
        /* holding rate in units of 1/unit: e^(-a n/N + max(a, 0)) (u fast + v) >= 1 */
        double g = exp(-a * (double)n / (double)N + (a > 0 ? a : 0));
        long umax = N - n;
        /* in place, u ascending: state (n, u) feeds (n + 1, u) (a slow LRE
         * relaxes) and (n + 1, u - 1) (a fast one), and u - 1 is already new */
        for (long u = 0; u <= umax; u++) {
            double p = P[u], m1 = M1[u], m2 = M2[u];
            double rf = (double)u * fast, rs = (double)(umax - u), total = rf + rs;
            double inv = 1.0 / (g * total);
            /* arriving at time T + tau, tau ~ Exp: E[T + tau], E[(T + tau)^2] */
            double e1 = m1 + p * inv, e2 = m2 + 2 * m1 * inv + 2 * p * inv * inv;
            double pf = rf / total, ps = rs / total;
            P[u] = ps * p;
            M1[u] = ps * e1;
            M2[u] = ps * e2;
            if (u > 0) {
                P[u - 1] += pf * p;
                M1[u - 1] += pf * e1;
                M2[u - 1] += pf * e2;
            }
        }
        for (; j < count && level_events[j] == n + 1; j++) {
            double s1 = 0, s2 = 0;
            for (long u = 0; u < umax; u++) {
                s1 += M1[u];
                s2 += M2[u];
            }
            double unit = exp(log_unit);
            mean[j] = s1 * unit;
            variance[j] = (s2 - s1 * s1) * unit * unit;
        }
    }
    free(P);
    free(M1);
    free(M2);
    if (j < count)
        return lrk_error_set(err, LRK_ERR_INVALID, "bimodal reference: level event counts must be nondecreasing in [1, %ld]",
                             N);
    return LRK_OK;
}
