/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * test_fit.c - the KWW fit: exact recovery, standard errors against the
 * replica spread, refusal of unusable data, and the paper's Fig. 1 values
 * from the mean-field equation solved here (quadrature and odeiv2), so the
 * test does not depend on the ODE module.
 */
#include <criterion/criterion.h>
#include <math.h>
#include <stdlib.h>

#include <gsl/gsl_errno.h>
#include <gsl/gsl_integration.h>
#include <gsl/gsl_odeiv2.h>

#include "lrekmc/fit.h"
#include "lrekmc/rng.h"

#define QLEVELS 99
#define TIMEGRID 400

static double kww_q(double t, double tau, double beta)
{
    return -expm1(-pow(t / tau, beta));
}

static double kww_t(double q, double tau, double beta)
{
    return tau * pow(-log1p(-q), 1.0 / beta);
}

static double qlevel(size_t j)
{
    return (double)(j + 1) / 100.0; /* 0.01, 0.02, ..., 0.99 */
}

static double relative_error(double got, double want)
{
    return fabs(got - want) / want;
}

static const double exact_betas[] = {0.3, 0.5, 0.81, 1.0, 1.42, 2.5};
static const double exact_taus[] = {1e-3, 0.37, 4.04, 1e2, 1e4};
#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

static void assert_exact_fit(const double *t, const double *q, const double *sigma, size_t n,
                             double tau, double beta)
{
    lrk_kww_fit fit;
    lrk_error err = {{0}};
    lrk_status s = lrk_kww_fit_points(t, q, sigma, n, &fit, &err);
    cr_assert_eq(s, LRK_OK, "tau %g beta %g: %s", tau, beta, err.message);
    cr_assert(fit.converged);
    cr_assert_lt(relative_error(fit.tau, tau), 1e-8, "tau %g beta %g: got tau %.15g", tau, beta, fit.tau);
    cr_assert_lt(relative_error(fit.beta, beta), 1e-8, "tau %g beta %g: got beta %.15g", tau, beta,
                 fit.beta);
    cr_assert_lt(fit.max_residual, 1e-10);
    cr_assert_leq(fit.rms_residual, fit.max_residual);
}

Test(fit, exact_kww_qlevels_sampling)
{
    double t[QLEVELS], q[QLEVELS];
    for (size_t b = 0; b < COUNT(exact_betas); b++)
        for (size_t k = 0; k < COUNT(exact_taus); k++) {
            for (size_t j = 0; j < QLEVELS; j++) {
                q[j] = qlevel(j);
                t[j] = kww_t(q[j], exact_taus[k], exact_betas[b]);
            }
            assert_exact_fit(t, q, NULL, QLEVELS, exact_taus[k], exact_betas[b]);
        }
}

/* Linear grid from 0 to t(q = 0.99); the t = 0 point is skipped by the fit.
 * Weighted with arbitrary sigmas too: exact data are recovered whatever the
 * weights. */
Test(fit, exact_kww_timegrid_sampling_weighted_and_not)
{
    double t[TIMEGRID], q[TIMEGRID], sigma[TIMEGRID];
    for (size_t b = 0; b < COUNT(exact_betas); b++)
        for (size_t k = 0; k < COUNT(exact_taus); k++) {
            double tau = exact_taus[k], beta = exact_betas[b];
            double t_max = kww_t(0.99, tau, beta);
            for (size_t i = 0; i < TIMEGRID; i++) {
                t[i] = t_max * (double)i / (TIMEGRID - 1);
                q[i] = kww_q(t[i], tau, beta);
                sigma[i] = 1e-3 * (1.0 + (double)(i % 7));
            }
            assert_exact_fit(t, q, NULL, TIMEGRID, tau, beta);
            assert_exact_fit(t, q, sigma, TIMEGRID, tau, beta);
        }
}

static double normal_deviate(lrk_pcg64 *g)
{
    /* Box-Muller; uniform() is strictly inside (0, 1), so the log is finite */
    double u1 = lrk_pcg64_uniform(g), u2 = lrk_pcg64_uniform(g);
    return sqrt(-2.0 * log(u1)) * cos(2.0 * 3.14159265358979323846 * u2);
}

typedef struct replica_summary {
    double mean_beta, sd_beta, mean_beta_err, max_abs_z, mean_chi2_dof;
} replica_summary;

/* Fit `replicas` noisy copies of a KWW curve at the q-levels; sigma_of_q
 * gives the noise level, weighted says whether the fit is told about it. */
static replica_summary noisy_replicas(double tau, double beta, int replicas,
                                      double (*sigma_of_q)(double), int weighted, uint64_t seed)
{
    lrk_pcg64 g;
    lrk_pcg64_seed(&g, seed, 0u);
    double t[QLEVELS], q[QLEVELS], sigma[QLEVELS];
    double sum = 0, sum_sq = 0, sum_err = 0, max_abs_z = 0, sum_chi2 = 0;
    for (int r = 0; r < replicas; r++) {
        for (size_t j = 0; j < QLEVELS; j++) {
            double q_true = qlevel(j);
            t[j] = kww_t(q_true, tau, beta);
            sigma[j] = sigma_of_q(q_true);
            q[j] = q_true + sigma[j] * normal_deviate(&g);
        }
        lrk_kww_fit fit;
        lrk_error err = {{0}};
        lrk_status s = lrk_kww_fit_points(t, q, weighted ? sigma : NULL, QLEVELS, &fit, &err);
        cr_assert_eq(s, LRK_OK, "replica %d: %s", r, err.message);
        cr_assert_gt(fit.beta_err, 0.0);
        cr_assert_gt(fit.tau_err, 0.0);
        double z = (fit.beta - beta) / fit.beta_err;
        max_abs_z = fmax(max_abs_z, fabs(z));
        double z_tau = (fit.tau - tau) / fit.tau_err;
        cr_assert_lt(fabs(z_tau), 5.0, "replica %d: tau %g +- %g, truth %g", r, fit.tau, fit.tau_err, tau);
        sum += fit.beta;
        sum_sq += fit.beta * fit.beta;
        sum_err += fit.beta_err;
        sum_chi2 += fit.chi2_dof;
    }
    replica_summary out;
    out.mean_beta = sum / replicas;
    out.sd_beta = sqrt((sum_sq - sum * sum / replicas) / (replicas - 1));
    out.mean_beta_err = sum_err / replicas;
    out.max_abs_z = max_abs_z;
    out.mean_chi2_dof = sum_chi2 / replicas;
    return out;
}

static double constant_sigma(double q)
{
    (void)q;
    return 0.002;
}

static double binomial_like_sigma(double q)
{
    return 5e-4 + 0.03 * q * (1.0 - q);
}

/* Every replica's beta within 5 of its own standard errors; the mean within
 * 5 standard errors of the mean; and the reported error against the spread:
 * the sample SD of R normal values has relative standard error
 * 1/sqrt(2(R - 1)), so |sd/err - 1| < 5/sqrt(2(R - 1)). */
static void assert_errors_honest(replica_summary s, double beta, int replicas)
{
    cr_assert(isfinite(s.mean_chi2_dof));
    cr_assert_lt(s.max_abs_z, 5.0, "max |z| = %g", s.max_abs_z);
    double z_mean = (s.mean_beta - beta) / (s.sd_beta / sqrt((double)replicas));
    cr_assert_lt(fabs(z_mean), 5.0, "mean beta %g, truth %g, z = %g", s.mean_beta, beta, z_mean);
    double ratio = s.sd_beta / s.mean_beta_err;
    double bound = 5.0 / sqrt(2.0 * (replicas - 1));
    cr_log_info("%d replicas: mean beta %.5f (truth %g), spread %.5f, mean reported error %.5f, "
                "ratio %.3f, max |z| %.2f", replicas, s.mean_beta, beta, s.sd_beta, s.mean_beta_err,
                ratio, s.max_abs_z);
    cr_assert_lt(fabs(ratio - 1.0), bound, "spread %g / reported %g = %g, bound 1 +- %g", s.sd_beta,
                 s.mean_beta_err, ratio, bound);
}

Test(fit, noisy_unweighted_errors_match_replica_spread)
{
    const int replicas = 1000;
    replica_summary s = noisy_replicas(4.04, 0.81, replicas, constant_sigma, 0, 20261125u);
    assert_errors_honest(s, 0.81, replicas);
    /* unweighted chi2_dof estimates sigma^2: chi^2/(n - 2) sigma^-2 has
     * variance 2/(n - 2), so the mean over R replicas has sd sqrt(2/((n-2) R)) */
    double z = (s.mean_chi2_dof / (0.002 * 0.002) - 1.0) / sqrt(2.0 / ((QLEVELS - 2) * replicas));
    cr_assert_lt(fabs(z), 5.0, "chi2_dof %g, sigma^2 %g", s.mean_chi2_dof, 0.002 * 0.002);
}

Test(fit, noisy_weighted_errors_match_replica_spread)
{
    const int replicas = 1000;
    replica_summary s = noisy_replicas(2.62, 1.42, replicas, binomial_like_sigma, 1, 77u);
    assert_errors_honest(s, 1.42, replicas);
    /* with the true sigmas as weights chi^2/(n - 2) averages 1 */
    double z = (s.mean_chi2_dof - 1.0) / sqrt(2.0 / ((QLEVELS - 2) * replicas));
    cr_assert_lt(fabs(z), 5.0, "chi2_dof %g", s.mean_chi2_dof);
}

static void assert_refused(const double *t, const double *q, const double *sigma, size_t n,
                           size_t expected_points)
{
    lrk_kww_fit fit;
    lrk_error err = {{0}};
    fit.converged = 1;
    fit.beta = fit.tau = 42.0;
    lrk_status s = lrk_kww_fit_points(t, q, sigma, n, &fit, &err);
    cr_assert_eq(s, LRK_ERR_NOCONVERGE, "status %d (%s)", (int)s, err.message);
    cr_assert_eq(fit.converged, 0);
    cr_assert_eq(fit.beta, 0.0);
    cr_assert_eq(fit.tau, 0.0);
    cr_assert_eq(fit.beta_err, 0.0);
    cr_assert_eq(fit.points, expected_points);
    cr_assert_neq(err.message[0], '\0');
}

Test(fit, rejects_unusable_points)
{
    const double t[] = {-1.0, 0.0, 1.0, 2.0, NAN, INFINITY, 3.0, 4.0};
    const double q[] = {0.5, 0.5, 0.0, 1.0, 0.5, 0.5, NAN, 0.7};
    assert_refused(t, q, NULL, 8, 1); /* only (4, 0.7) is usable */
    const double sigma[] = {0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.0};
    assert_refused(t, q, sigma, 8, 0);
    const double t2[] = {1.0, 2.0}, q2[] = {0.3, 0.6};
    assert_refused(t2, q2, NULL, 2, 2);
    assert_refused(NULL, NULL, NULL, 0, 0);
    lrk_error err;
    cr_assert_eq(lrk_kww_fit_points(t, q, NULL, 8, NULL, &err), LRK_ERR_INVALID);
    lrk_kww_fit fit;
    cr_assert_eq(lrk_kww_fit_points(NULL, q, NULL, 8, &fit, &err), LRK_ERR_INVALID);
    cr_assert_eq(fit.converged, 0);
}

Test(fit, skips_bad_points_among_good_ones)
{
    double t[QLEVELS + 3], q[QLEVELS + 3];
    for (size_t j = 0; j < QLEVELS; j++) {
        q[j] = qlevel(j);
        t[j] = kww_t(q[j], 2.0, 0.6);
    }
    t[QLEVELS] = 0.0, q[QLEVELS] = 0.0;
    t[QLEVELS + 1] = 5.0, q[QLEVELS + 1] = NAN;
    t[QLEVELS + 2] = INFINITY, q[QLEVELS + 2] = 1.0;
    lrk_kww_fit fit;
    cr_assert_eq(lrk_kww_fit_points(t, q, NULL, QLEVELS + 3, &fit, NULL), LRK_OK);
    cr_assert_eq(fit.points, QLEVELS);
    cr_assert_lt(relative_error(fit.beta, 0.6), 1e-8);
}

/* Arbitrary input never crashes and never yields a half-result: either a
 * converged fit with finite, positive numbers, or a refusal with zeros. */
Test(fit, arbitrary_input_gives_a_fit_or_a_refusal)
{
    lrk_pcg64 g;
    lrk_pcg64_seed(&g, 5u, 0u);
    static const double specials[] = {0.0, -1.0, 1.0, 1e-300, 1e300, NAN, INFINITY, -INFINITY, 0.5};
    double t[40], q[40], sigma[40];
    int fitted = 0, refused = 0;
    for (int trial = 0; trial < 3000; trial++) {
        size_t n = (size_t)(lrk_pcg64_next(&g) % 41u);
        for (size_t i = 0; i < n; i++) {
            uint64_t kind = lrk_pcg64_next(&g) % 8u;
            double u = lrk_pcg64_uniform(&g);
            t[i] = kind == 0 ? specials[lrk_pcg64_next(&g) % COUNT(specials)] : pow(10.0, 12.0 * u - 6.0);
            q[i] = kind == 1 ? specials[lrk_pcg64_next(&g) % COUNT(specials)] : lrk_pcg64_uniform(&g);
            sigma[i] = kind == 2 ? specials[lrk_pcg64_next(&g) % COUNT(specials)]
                                 : 1e-3 * lrk_pcg64_uniform(&g);
        }
        lrk_kww_fit fit;
        lrk_error err = {{0}};
        lrk_status s = lrk_kww_fit_points(t, q, trial % 2 ? sigma : NULL, n, &fit, &err);
        if (s == LRK_OK) {
            fitted++;
            cr_assert(fit.converged);
            cr_assert(isfinite(fit.beta) && fit.beta > 0 && isfinite(fit.tau) && fit.tau > 0);
            cr_assert(isfinite(fit.beta_err) && isfinite(fit.tau_err) && isfinite(fit.chi2_dof));
            cr_assert(fit.points >= 3 && fit.points <= n);
        } else {
            refused++;
            cr_assert_eq(s, LRK_ERR_NOCONVERGE, "trial %d: status %d", trial, (int)s);
            cr_assert(!fit.converged && fit.beta == 0 && fit.tau == 0);
            cr_assert_neq(err.message[0], '\0');
        }
    }
    cr_log_info("arbitrary input: %d fitted, %d refused", fitted, refused);
    cr_assert_gt(fitted, 0);
    cr_assert_gt(refused, 0);
}

/* Constant q: the least-squares problem has no minimum (beta -> 0 fits it
 * ever better), and all-equal t leaves beta undetermined. */
Test(fit, pathological_data_reported_not_fitted)
{
    double t[50], q[50];
    for (size_t i = 0; i < 50; i++) {
        t[i] = 0.1 * (double)(i + 1);
        q[i] = 0.5;
    }
    assert_refused(t, q, NULL, 50, 50);
    for (size_t i = 0; i < 50; i++) {
        t[i] = 3.0;
        q[i] = 0.2 + 0.01 * (double)i;
    }
    assert_refused(t, q, NULL, 50, 50);
}

/* ---- The paper's Fig. 1: dq/dt = k (1 - q) e^(-a q), k = e^(-V0/T),
 * a = +V1/T (SER, Eq. 6) or -V1/T (CER, Eq. 9), V0 = V1 so V0/T = V1/T = alpha. */

typedef struct rate_equation {
    double k, a;
} rate_equation;

static double dt_dq(double q, void *params)
{
    const rate_equation *r = params;
    return exp(r->a * q) / (r->k * (1.0 - q));
}

/* t(q) = integral_0^q e^(a s) / (k (1 - s)) ds */
static double time_to_reach(const rate_equation *r, double q)
{
    gsl_integration_workspace *w = gsl_integration_workspace_alloc(1000);
    cr_assert_not_null(w);
    gsl_function f = {.function = dt_dq, .params = (void *)r};
    double t = 0, abserr = 0;
    int status = gsl_integration_qags(&f, 0.0, q, 0.0, 1e-13, 1000, w, &t, &abserr);
    gsl_integration_workspace_free(w);
    cr_assert_eq(status, GSL_SUCCESS, "qags: %s", gsl_strerror(status));
    return t;
}

static int dq_dt(double t, const double y[], double dydt[], void *params)
{
    (void)t;
    const rate_equation *r = params;
    dydt[0] = r->k * (1.0 - y[0]) * exp(-r->a * y[0]);
    return GSL_SUCCESS;
}

/* q at ascending times t[0..n-1] (t[0] = 0), by an 8th-order adaptive RK. */
static void solve_rate_equation(const rate_equation *r, const double *t, double *q, size_t n)
{
    gsl_odeiv2_system sys = {.function = dq_dt, .jacobian = NULL, .dimension = 1, .params = (void *)r};
    gsl_odeiv2_driver *d = gsl_odeiv2_driver_alloc_y_new(&sys, gsl_odeiv2_step_rk8pd, 1e-6, 1e-14, 1e-13);
    cr_assert_not_null(d);
    double now = t[0], y[1] = {0.0};
    q[0] = 0.0;
    for (size_t i = 1; i < n; i++) {
        int status = gsl_odeiv2_driver_apply(d, &now, t[i], y);
        cr_assert_eq(status, GSL_SUCCESS, "odeiv2: %s", gsl_strerror(status));
        q[i] = y[0];
    }
    gsl_odeiv2_driver_free(d);
}

static lrk_kww_fit fit_qlevels(const rate_equation *r)
{
    double t[QLEVELS], q[QLEVELS];
    for (size_t j = 0; j < QLEVELS; j++) {
        q[j] = qlevel(j);
        t[j] = time_to_reach(r, q[j]);
    }
    lrk_kww_fit fit;
    lrk_error err = {{0}};
    cr_assert_eq(lrk_kww_fit_points(t, q, NULL, QLEVELS, &fit, &err), LRK_OK, "%s", err.message);
    return fit;
}

static lrk_kww_fit fit_timegrid(const rate_equation *r)
{
    double t[TIMEGRID], q[TIMEGRID];
    double t_max = time_to_reach(r, 0.99);
    for (size_t i = 0; i < TIMEGRID; i++)
        t[i] = t_max * (double)i / (TIMEGRID - 1);
    solve_rate_equation(r, t, q, TIMEGRID);
    /* the two solutions of the rate equation agree */
    cr_assert_lt(fabs(q[TIMEGRID - 1] - 0.99), 1e-9, "ODE q(t(0.99)) = %.12f", q[TIMEGRID - 1]);
    lrk_kww_fit fit;
    lrk_error err = {{0}};
    cr_assert_eq(lrk_kww_fit_points(t, q, NULL, TIMEGRID, &fit, &err), LRK_OK, "%s", err.message);
    return fit;
}

typedef struct paper_case {
    const char *name;
    double alpha, sign, beta, tau; /* sign +1: SER, -1: CER */
} paper_case;

static const paper_case fig1[] = {
    {"SER", 1.0, +1.0, 0.81, 4.04},
    {"SER", 2.5, +1.0, 0.62, 33.9},
    {"CER", 0.8, -1.0, 1.21, 1.67},
    {"CER", 1.5, -1.0, 1.42, 2.62},
};

/* The default protocol (q-levels 0.01..0.99) reproduces the paper to the
 * precision it quotes: beta within 0.02, tau within 4 % (the paper's alpha
 * values are approximate).  The linear time grid is reported alongside; it
 * weights the tail more and moves beta away from 1, so it is only required
 * to converge and to give the paper's kind of relaxation (SER below 1, CER
 * above). */
Test(fit, paper_fig1_values)
{
    for (size_t c = 0; c < COUNT(fig1); c++) {
        const paper_case *p = &fig1[c];
        rate_equation r = {.k = exp(-p->alpha), .a = p->sign * p->alpha};
        lrk_kww_fit ql = fit_qlevels(&r), tg = fit_timegrid(&r);
        cr_log_info("%s alpha %.1f paper beta %.2f tau %.3g | qlevels beta %.4f +- %.4f tau %.4f "
                    "+- %.4f rms %.2e max %.2e | timegrid beta %.4f +- %.4f tau %.4f +- %.4f "
                    "rms %.2e max %.2e",
                    p->name, p->alpha, p->beta, p->tau, ql.beta, ql.beta_err, ql.tau, ql.tau_err,
                    ql.rms_residual, ql.max_residual, tg.beta, tg.beta_err, tg.tau, tg.tau_err,
                    tg.rms_residual, tg.max_residual);
        cr_assert_lt(fabs(ql.beta - p->beta), 0.02, "%s alpha %g: beta %g, paper %g", p->name,
                     p->alpha, ql.beta, p->beta);
        cr_assert_lt(relative_error(ql.tau, p->tau), 0.04, "%s alpha %g: tau %g, paper %g", p->name,
                     p->alpha, ql.tau, p->tau);
        cr_assert(p->sign > 0 ? tg.beta < 1.0 : tg.beta > 1.0, "%s alpha %g: timegrid beta %g",
                  p->name, p->alpha, tg.beta);
    }
}
