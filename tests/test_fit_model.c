/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * test_fit_model.c - the model fit of fit_model.h: the closed-form solve with
 * derivatives against the bracketed search and finite differences; recovery
 * of known parameters from noisy synthetic curves (per curve and joint);
 * coverage of the reported 1-sigma intervals over many noise realisations
 * (binomial tolerance, and a deliberately halved error that must fail it);
 * AIC choosing the true form; the paper's Fig. 1 curves giving back alpha;
 * bootstrap determinism; failures that must stay fit failures.
 */
#define _POSIX_C_SOURCE 200809L
#include <criterion/criterion.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <gsl/gsl_cdf.h>

#include "lrekmc/closed_form.h"
#include "lrekmc/fit.h"
#include "lrekmc/fit_model.h"
#include "lrekmc/rng.h"

static double gaussian(lrk_pcg64 *g)
{
    double u = lrk_pcg64_uniform(g), v = lrk_pcg64_uniform(g);
    return sqrt(-2.0 * log(u)) * cos(6.283185307179586477 * v);
}

static lrk_model model_for_a(double a, double V0, double T)
{
    lrk_model m = {.mode = a >= 0 ? LRK_MODE_SER : LRK_MODE_CER, .V0 = V0, .V1 = fabs(a) * T, .T = T, .A = 0.0, .T0 = 1.0, .N = 1};
    return m;
}

/* ---- the closed-form solve ------------------------------------------------- */

Test(fit_closed_form, newton_matches_bracketed_search)
{
    const double as[] = {-30, -8, -2.5, -1, -0.3, 0, 0.2, 1, 1.7, 4, 12, 40};
    for (size_t ia = 0; ia < sizeof as / sizeof *as; ia++) {
        lrk_model m = model_for_a(as[ia], 0.0, 1.0);
        double y_prev = -1.0;
        for (int k = 0; k <= 80; k++) {
            double s = 1e-6 * pow(10.0, k * 0.125); /* 1e-6 .. 1e4 */
            double q_ref;
            lrk_error err;
            cr_assert_eq(lrk_closed_form_q(&m, s, &q_ref, &err), LRK_OK, "%s", err.message);
            lrk_closed_form_point cold, warm;
            cr_assert_eq(lrk_closed_form_solve(as[ia], s, -1.0, &cold, &err), LRK_OK, "%s", err.message);
            cr_assert_eq(lrk_closed_form_solve(as[ia], s, y_prev, &warm, &err), LRK_OK, "%s", err.message);
            y_prev = warm.y;
            for (int w = 0; w < 2; w++) {
                const lrk_closed_form_point *pt = w ? &warm : &cold;
                cr_assert(fabs(pt->q - q_ref) <= 1e-12 * fmax(q_ref, 1e-300) + 1e-300,
                          "a = %g s = %g: q = %.17g, bracketed %.17g", as[ia], s, pt->q, q_ref);
                cr_assert(fabs(pt->q + pt->p - 1.0) <= 2e-16);
            }
            /* 1 - q to full relative precision: t(q) of the solution is s */
            if (cold.q > 0 && cold.q < 1) {
                double t_back;
                cr_assert_eq(lrk_closed_form_time(&m, cold.q, &t_back, &err), LRK_OK, "%s", err.message);
                double slope = cold.dq_dlns; /* dq / d ln s: the conditioning of s(q) */
                cr_assert(fabs(t_back - s) <= 1e-12 * s + 4e-16 * s / fmax(slope, 1e-300),
                          "a = %g: t(q(s)) = %.17g, s = %.17g", as[ia], t_back, s);
            }
        }
    }
}

Test(fit_closed_form, derivatives_match_finite_differences)
{
    const double as[] = {-6, -1.2, -0.4, 0, 0.7, 2.5, 9};
    for (size_t ia = 0; ia < sizeof as / sizeof *as; ia++)
        for (int k = 0; k <= 24; k++) {
            double a = as[ia], s = 1e-3 * pow(10.0, k * 0.25), h = 1e-5;
            lrk_closed_form_point c, sp, sm, ap, am;
            cr_assert_eq(lrk_closed_form_solve(a, s, -1, &c, NULL), LRK_OK);
            cr_assert_eq(lrk_closed_form_solve(a, s * exp(h), -1, &sp, NULL), LRK_OK);
            cr_assert_eq(lrk_closed_form_solve(a, s * exp(-h), -1, &sm, NULL), LRK_OK);
            cr_assert_eq(lrk_closed_form_solve(a + h, s, -1, &ap, NULL), LRK_OK);
            cr_assert_eq(lrk_closed_form_solve(a - h, s, -1, &am, NULL), LRK_OK);
            /* differences of p = 1 - q keep their digits near q = 1 */
            double d_lns = -(sp.p - sm.p) / (2 * h), d_a = -(ap.p - am.p) / (2 * h);
            /* central differences: truncation ~h^2 relative, rounding ~eps p / h */
            double scale = c.p;
            cr_assert(fabs(d_lns - c.dq_dlns) <= 1e-6 * fabs(c.dq_dlns) + 1e-9 * scale,
                      "a = %g s = %g: dq/dln s %.12g vs %.12g", a, s, c.dq_dlns, d_lns);
            cr_assert(fabs(d_a - c.dq_da) <= 1e-6 * fabs(c.dq_da) + 1e-9 * scale,
                      "a = %g s = %g: dq/da %.12g vs %.12g", a, s, c.dq_da, d_a);
        }
}

Test(fit_closed_form, rejects_bad_arguments)
{
    lrk_closed_form_point p;
    lrk_error err;
    cr_assert_eq(lrk_closed_form_solve(NAN, 1, -1, &p, &err), LRK_ERR_INVALID);
    cr_assert_eq(lrk_closed_form_solve(1, -1, -1, &p, &err), LRK_ERR_INVALID);
    cr_assert_eq(lrk_closed_form_solve(1, 1, -1, NULL, &err), LRK_ERR_INVALID);
    cr_assert_eq(lrk_closed_form_solve(1, INFINITY, -1, &p, &err), LRK_OK);
    cr_assert_eq(p.q, 1.0);
}

/* ---- synthetic data -------------------------------------------------------- */

typedef struct synth {
    int kww;            /* else LRE with (V0, V1 sign by a) */
    double tau, beta;   /* KWW */
    double V0, a, T, tau0;
    double A, B;
    double sigma;       /* noise; 0 = none */
    size_t points;
    double t_lo, t_hi;  /* log grid in units of the curve's 1/e time */
} synth;

static double true_phi(const synth *c, double t)
{
    if (c->kww)
        return c->A * exp(-pow(t / c->tau, c->beta)) + c->B;
    lrk_model m = model_for_a(c->a, c->V0, c->T);
    double q;
    cr_assert_eq(lrk_closed_form_q(&m, t / c->tau0, &q, NULL), LRK_OK);
    return c->A * (1.0 - q) + c->B;
}

static double one_over_e(const synth *c)
{
    if (c->kww)
        return c->tau;
    lrk_model m = model_for_a(c->a, c->V0, c->T);
    double t;
    cr_assert_eq(lrk_closed_form_time(&m, 1 - exp(-1.0), &t, NULL), LRK_OK);
    return t * c->tau0;
}

/* Arrays of `count` curves into data (sigma column iff with_sigma; no noise
 * added when g is NULL, the sigma column still says c->sigma). */
static void make_data(const synth *curves, size_t count, int with_sigma, lrk_pcg64 *g, lrk_fit_data *d)
{
    size_t n = 0;
    for (size_t j = 0; j < count; j++)
        n += curves[j].points;
    double *t = malloc(n * sizeof *t), *y = malloc(n * sizeof *y), *s = malloc(n * sizeof *s),
           *T = malloc(n * sizeof *T);
    long *id = malloc(n * sizeof *id);
    size_t i = 0;
    for (size_t j = 0; j < count; j++) {
        const synth *c = &curves[j];
        double te = one_over_e(c);
        for (size_t k = 0; k < c->points; k++, i++) {
            t[i] = te * c->t_lo * pow(c->t_hi / c->t_lo, (double)k / (double)(c->points - 1));
            y[i] = true_phi(c, t[i]) + (c->sigma > 0 && g != NULL ? c->sigma * gaussian(g) : 0.0);
            s[i] = c->sigma;
            T[i] = c->T;
            id[i] = (long)j;
        }
    }
    lrk_error err;
    cr_assert_eq(lrk_fit_data_from_arrays(n, t, y, 0, with_sigma ? s : NULL, isnan(curves[0].T) ? NULL : T, id,
                                          "synthetic", d, &err), LRK_OK,
                 "%s", err.message);
    free(t), free(y), free(s), free(T), free(id);
}

static lrk_fit_options options(lrk_fit_kind kind)
{
    lrk_fit_options o = lrk_fit_options_default();
    o.kind = kind;
    return o;
}

static void fit_ok(const lrk_fit_data *d, const lrk_fit_options *o, lrk_fit_result *r)
{
    lrk_error err = {{0}};
    cr_assert_eq(lrk_fit_model(d, o, r, &err), LRK_OK, "%s", err.message);
}

static void assert_within(const lrk_fit_result *r, long curve, const char *name, double truth, double z)
{
    const lrk_fit_parameter *p = lrk_fit_find(r, curve, name);
    cr_assert_not_null(p, "no parameter %s of curve %ld", name, curve);
    cr_assert(p->error > 0 && isfinite(p->error));
    cr_assert(fabs(p->value - truth) <= z * p->error, "%s (curve %ld) = %.6g +- %.3g, truth %.6g", name, curve,
              p->value, p->error, truth);
}

static synth lre_curve(double a, double T, double V0, double tau0, double sigma, size_t points)
{
    return (synth){0, 0, 0, V0, a, T, tau0, 1.0, 0.0, sigma, points, 0.05, 6.0};
}

Test(fit_model, recovers_kww_and_lre_per_curve)
{
    lrk_pcg64 g;
    lrk_pcg64_seed(&g, 11, 0);
    synth kww = {1, 3.5, 0.7, 0, 0, NAN, 1, 1.0, 0.0, 0.01, 60, 0.05, 6.0};
    synth lre[2] = {lre_curve(2.5, 1.0, 2.0, 0.1, 0.01, 60), lre_curve(-1.5, 1.0, 1.0, 2.0, 0.01, 60)};
    lrk_fit_data d;
    make_data(&kww, 1, 1, &g, &d);
    lrk_fit_options o = options(LRK_FIT_KWW);
    lrk_fit_result r;
    fit_ok(&d, &o, &r);
    assert_within(&r, 0, "tau", 3.5, 4);
    assert_within(&r, 0, "beta", 0.7, 4);
    lrk_fit_result_free(&r);
    lrk_fit_data_free(&d);

    make_data(lre, 2, 1, &g, &d);
    o.kind = LRK_FIT_LRE;
    fit_ok(&d, &o, &r);
    assert_within(&r, 0, "a", 2.5, 4);
    assert_within(&r, 0, "tau", 0.1 * exp(2.0), 4);
    assert_within(&r, 1, "a", -1.5, 4);
    assert_within(&r, 1, "tau", 2.0 * exp(1.0), 4);
    lrk_fit_result_free(&r);
    lrk_fit_data_free(&d);

    /* a measured correlation function: amplitude 0.8 over a non-ergodic plateau 0.15 */
    synth plateau = lre_curve(1.5, 1.0, 0.5, 1.0, 0.005, 80);
    plateau.A = 0.8;
    plateau.B = 0.15;
    plateau.t_hi = 20.0;
    make_data(&plateau, 1, 1, &g, &d);
    o.free_amplitude = o.free_plateau = 1;
    fit_ok(&d, &o, &r);
    assert_within(&r, 0, "a", 1.5, 4);
    assert_within(&r, 0, "tau", exp(0.5), 4);
    assert_within(&r, 0, "amplitude", 0.8, 4);
    assert_within(&r, 0, "plateau", 0.15, 4);
    lrk_fit_result_free(&r);
    o.kind = LRK_FIT_KWW; /* KWW with both free converges on the same data */
    lrk_fit_result k;
    fit_ok(&d, &o, &k);
    cr_assert_eq(k.parameter_count, 4);
    lrk_fit_result_free(&k);
    lrk_fit_data_free(&d);
}

/* Joint curves at temperatures Ts with shared V0, V1, tau0 and coupling c(T). */
static void joint_curves(synth *c, const double *Ts, size_t n, double V0, double V1, double tau0, double A_x,
                         double T0, lrk_fit_kind kind, double sigma)
{
    for (size_t j = 0; j < n; j++) {
        double coupling = kind == LRK_FIT_CER ? -1.0 : 1.0;
        if (kind == LRK_FIT_CROSSOVER)
            coupling = 1.0 - 2.0 / (exp(-A_x * (1.0 / Ts[j] - 1.0 / T0)) + 1.0);
        c[j] = lre_curve(coupling * V1 / Ts[j], Ts[j], V0, tau0, sigma, 40);
    }
}

Test(fit_model, recovers_joint_ser_cer_and_crossover)
{
    lrk_pcg64 g;
    lrk_pcg64_seed(&g, 12, 0);
    const double Ts[] = {0.6, 0.8, 1.0, 1.3, 1.7, 2.2};
    synth c[6];
    lrk_fit_data d;
    lrk_fit_result r;
    lrk_fit_kind kinds[2] = {LRK_FIT_SER, LRK_FIT_CER};
    for (int m = 0; m < 2; m++) {
        joint_curves(c, Ts, 6, 1.5, 1.2, 0.01, 0, 0, kinds[m], 0.01);
        make_data(c, 6, 1, &g, &d);
        lrk_fit_options o = options(kinds[m]);
        fit_ok(&d, &o, &r);
        assert_within(&r, -1, "V0", 1.5, 4);
        assert_within(&r, -1, "V1", 1.2, 4);
        assert_within(&r, -1, "tau0", 0.01, 4);
        cr_assert_eq(r.parameter_count, 3);
        lrk_fit_result_free(&r);
        lrk_fit_data_free(&d);
    }
    /* crossover with free amplitudes (measured correlation functions) */
    const double Tx[] = {0.5, 0.6, 0.7, 0.8, 0.9, 1.0, 1.2, 1.4};
    synth x[8];
    joint_curves(x, Tx, 8, 1.0, 2.0, 1.0, 6.0, 0.75, LRK_FIT_CROSSOVER, 0.004);
    for (int j = 0; j < 8; j++)
        x[j].A = 0.9 + 0.02 * j;
    make_data(x, 8, 1, &g, &d);
    lrk_fit_options o = options(LRK_FIT_CROSSOVER);
    o.free_amplitude = 1;
    fit_ok(&d, &o, &r);
    assert_within(&r, -1, "V0", 1.0, 4);
    assert_within(&r, -1, "V1", 2.0, 4);
    assert_within(&r, -1, "tau0", 1.0, 4);
    assert_within(&r, -1, "A", 6.0, 4);
    assert_within(&r, -1, "T0", 0.75, 4);
    assert_within(&r, 3, "amplitude", 0.96, 4);
    lrk_fit_result_free(&r);
    lrk_fit_data_free(&d);
}

/* Over `realisations` noisy copies of the curves: hits[m] counts those whose
 * interval value +- scales[m] * error of parameter names[m] holds truths[m]. */
typedef struct interval_check {
    const char *name;
    long curve;
    double truth, scale;
    int hits;
} interval_check;

static void coverage(const synth *c, size_t count, lrk_fit_kind kind, int with_sigma, int realisations,
                     interval_check *checks, size_t nchecks)
{
    lrk_pcg64 g;
    lrk_pcg64_seed(&g, 2024, (uint64_t)kind * 2 + (uint64_t)with_sigma);
    for (size_t m = 0; m < nchecks; m++)
        checks[m].hits = 0;
    for (int r = 0; r < realisations; r++) {
        lrk_fit_data d;
        make_data(c, count, with_sigma, &g, &d);
        lrk_fit_options o = options(kind);
        lrk_fit_result fit;
        fit_ok(&d, &o, &fit);
        for (size_t m = 0; m < nchecks; m++) {
            const lrk_fit_parameter *p = lrk_fit_find(&fit, checks[m].curve, checks[m].name);
            checks[m].hits += fabs(p->value - checks[m].truth) <= checks[m].scale * p->error;
        }
        lrk_fit_result_free(&fit);
        lrk_fit_data_free(&d);
    }
}

/* |hits/M - p| within 3.5 binomial standard deviations (two-sided 5e-4). */
static int binomial_ok(int hits, int M, double p)
{
    return fabs(hits - M * p) <= 3.5 * sqrt(M * p * (1 - p));
}

Test(fit_model, one_sigma_intervals_cover_68_percent, .timeout = 60)
{
    const int M = 400;
    double p1 = gsl_cdf_ugaussian_P(1.0) - gsl_cdf_ugaussian_P(-1.0); /* 0.6827 */
    synth lre = lre_curve(2.0, 1.0, 0.0, 1.0, 0.01, 40);
    /* sigma given: errors from sigma alone; the deliberately broken variant,
     * errors halved, covers P(|z| < 1/2) = 38 % and must be rejected */
    interval_check weighted[] = {{"a", 0, 2.0, 1.0, 0}, {"tau", 0, 1.0, 1.0, 0}, {"a", 0, 2.0, 0.5, 0}};
    coverage(&lre, 1, LRK_FIT_LRE, 1, M, weighted, 3);
    cr_assert(binomial_ok(weighted[0].hits, M, p1), "a: %d of %d cover, expected %.1f", weighted[0].hits, M, M * p1);
    cr_assert(binomial_ok(weighted[1].hits, M, p1), "tau: %d of %d cover", weighted[1].hits, M);
    cr_assert(!binomial_ok(weighted[2].hits, M, p1), "halved errors were not detected: %d of %d", weighted[2].hits,
              M);
    /* no sigma: errors scaled by chi2/dof, so a Student-t interval with 38 dof */
    double pt = gsl_cdf_tdist_P(1.0, 38) - gsl_cdf_tdist_P(-1.0, 38);
    interval_check unweighted[] = {{"a", 0, 2.0, 1.0, 0}};
    coverage(&lre, 1, LRK_FIT_LRE, 0, M, unweighted, 1);
    cr_assert(binomial_ok(unweighted[0].hits, M, pt), "a unweighted: %d of %d cover, expected %.1f",
              unweighted[0].hits, M, M * pt);
    /* a joint SER fit over 4 curves */
    const double Ts[] = {0.7, 1.0, 1.4, 2.0};
    synth c[4];
    joint_curves(c, Ts, 4, 1.0, 1.5, 1.0, 0, 0, LRK_FIT_SER, 0.02);
    for (int j = 0; j < 4; j++)
        c[j].points = 25;
    interval_check joint[] = {{"V1", -1, 1.5, 1.0, 0}, {"V0", -1, 1.0, 1.0, 0}};
    coverage(c, 4, LRK_FIT_SER, 1, M / 2, joint, 2);
    cr_log_info("coverage of %d: a %d, tau %d, a with halved errors %d; unweighted a %d (t expectation %.1f); "
                "of %d joint: V1 %d, V0 %d", M, weighted[0].hits, weighted[1].hits, weighted[2].hits,
                unweighted[0].hits, M * pt, M / 2, joint[0].hits, joint[1].hits);
    cr_assert(binomial_ok(joint[0].hits, M / 2, p1), "V1 joint: %d of %d cover", joint[0].hits, M / 2);
    cr_assert(binomial_ok(joint[1].hits, M / 2, p1), "V0 joint: %d of %d cover", joint[1].hits, M / 2);
}

static double aic_difference(const synth *c, lrk_pcg64 *g)
{
    lrk_fit_data d;
    make_data(c, 1, 1, g, &d);
    lrk_fit_report rep;
    lrk_fit_options o = options(LRK_FIT_LRE);
    lrk_error err;
    cr_assert_eq(lrk_fit_run(&d, &o, &rep, &err), LRK_OK, "%s", err.message);
    double delta = rep.lre.aic - rep.kww.aic;
    lrk_fit_report_free(&rep);
    lrk_fit_data_free(&d);
    return delta;
}

/* With sigma known, AIC = chi2 + 2k, so Delta = AIC(lre) - AIC(kww) on data
 * of either form is, to first order in the noise (linearised fits),
 *   Delta = Delta_0 + 2 sqrt(lambda) Z + (chi2_wrong,noise - chi2_true,noise),
 * where Delta_0 is Delta on the noiseless curve (lambda = |Delta_0 - 2 dk|,
 * the wrong form's misfit in units of sigma^2), Z ~ N(0, 1), and the last
 * term differs from 0 by at most the chi2 of the K = k_lre + k_kww fitted
 * directions.  So |Delta - Delta_0| <= 10 sqrt(lambda) + K + 5 sqrt(2K) at
 * five sigma, and the cases are chosen with lambda large enough that this
 * band excludes 0: the true form wins, and a wrong AIC (penalty, sign or
 * chi2) moves Delta out of the band. */
static void assert_aic_band(const synth *c, lrk_pcg64 *g, const char *what)
{
    const double K = 4, dk = 0;   /* LRE (a, tau0) and KWW (tau, beta), A and B fixed */
    double expected = aic_difference(c, NULL), lambda = fabs(expected - 2 * dk);
    double band = 10 * sqrt(lambda) + K + 5 * sqrt(2 * K);
    cr_assert(fabs(expected) > band, "%s: noiseless Delta AIC %g is within its noise band %g", what, expected, band);
    for (int m = 0; m < 5; m++) {
        double delta = aic_difference(c, g);
        cr_assert(fabs(delta - expected) <= band, "%s: AIC(lre) - AIC(kww) = %g, noiseless %g +- %g", what, delta,
                  expected, band);
    }
}

Test(fit_model, aic_prefers_the_true_form)
{
    lrk_pcg64 g;
    lrk_pcg64_seed(&g, 5, 0);
    synth kww = {1, 2.0, 0.5, 0, 0, NAN, 1, 1.0, 0.0, 0.003, 80, 0.01, 8.0};
    synth lre = lre_curve(4.0, 1.0, 0.0, 1.0, 0.003, 80);
    synth cer = lre_curve(-2.0, 1.0, 0.0, 1.0, 0.003, 80);
    cr_assert(aic_difference(&kww, NULL) > 0 && aic_difference(&lre, NULL) < 0 && aic_difference(&cer, NULL) < 0);
    assert_aic_band(&kww, &g, "KWW data");
    assert_aic_band(&lre, &g, "LRE data");
    assert_aic_band(&cer, &g, "CER data");
}

/* The paper's Fig. 1: V0 = V1, T = 1, alpha = V1/T, curves sampled at
 * q = 0.01 .. 0.99 (the qlevels protocol of docs/fit.md). */
static void fig1_data(const double *alpha, const double *c, size_t n, const double *T, lrk_fit_data *d)
{
    size_t total = 99 * n, i = 0;
    double *t = malloc(total * sizeof *t), *y = malloc(total * sizeof *y), *Tt = malloc(total * sizeof *Tt);
    long *id = malloc(total * sizeof *id);
    for (size_t j = 0; j < n; j++) {
        lrk_model m = {.mode = c[j] > 0 ? LRK_MODE_SER : LRK_MODE_CER, .V0 = alpha[j] * T[j], .V1 = alpha[j] * T[j], .T = T[j], .A = 0, .T0 = 1, .N = 1};
        for (int k = 1; k <= 99; k++, i++) {
            cr_assert_eq(lrk_closed_form_time(&m, k / 100.0, &t[i], NULL), LRK_OK);
            y[i] = 1.0 - k / 100.0;
            Tt[i] = T[j];
            id[i] = (long)j;
        }
    }
    lrk_error err;
    cr_assert_eq(lrk_fit_data_from_arrays(total, t, y, 0, NULL, Tt, id, "fig1", d, &err), LRK_OK, "%s", err.message);
    free(t), free(y), free(Tt), free(id);
}

Test(fit_model, paper_fig1_curves_give_back_alpha)
{
    const double alpha[] = {1.0, 2.5, 0.8, 1.5}, c[] = {1, 1, -1, -1}, T[] = {1, 1, 1, 1};
    lrk_fit_data d;
    fig1_data(alpha, c, 4, T, &d);
    lrk_fit_options o = options(LRK_FIT_LRE);
    lrk_fit_result r;
    fit_ok(&d, &o, &r);
    for (long j = 0; j < 4; j++) {
        const lrk_fit_parameter *a = lrk_fit_find(&r, j, "a"), *tau = lrk_fit_find(&r, j, "tau");
        cr_assert(fabs(a->value - c[j] * alpha[j]) < 1e-8, "curve %ld: a = %.12g", j, a->value);
        /* 1/k = tau0 e^(V0/T) with tau0 = 1 */
        cr_assert(fabs(tau->value / exp(alpha[j]) - 1) < 1e-8, "curve %ld: tau = %.12g", j, tau->value);
    }
    lrk_fit_result_free(&r);
    /* KWW of the same points: fit.h's numbers (docs/fit.md: 0.8155, 0.6262, 1.1988, 1.4251) */
    o.kind = LRK_FIT_KWW;
    fit_ok(&d, &o, &r);
    for (long j = 0; j < 4; j++) {
        const lrk_fit_curve *cv = &d.curves[j];
        double q[99];
        for (int k = 0; k < 99; k++)
            q[k] = 1.0 - cv->y[k];
        lrk_kww_fit ref;
        cr_assert_eq(lrk_kww_fit_points(cv->t, q, NULL, 99, &ref, NULL), LRK_OK);
        cr_assert(fabs(lrk_fit_find(&r, j, "beta")->value - ref.beta) < 1e-7 * ref.beta);
        cr_assert(fabs(lrk_fit_find(&r, j, "beta")->error - ref.beta_err) < 1e-4 * ref.beta_err);
    }
    lrk_fit_result_free(&r);
    lrk_fit_data_free(&d);
    /* jointly: the two SER curves as one V0 = V1 = 1 at T = 1 and T = 0.4 (alpha 1 and 2.5) */
    const double alpha2[] = {1.0, 2.5}, c2[] = {1, 1}, T2[] = {1.0, 0.4};
    fig1_data(alpha2, c2, 2, T2, &d);
    o.kind = LRK_FIT_SER;
    fit_ok(&d, &o, &r);
    cr_assert(fabs(lrk_fit_find(&r, -1, "V1")->value - 1.0) < 1e-8);
    cr_assert(fabs(lrk_fit_find(&r, -1, "V0")->value - 1.0) < 1e-8);
    cr_assert(fabs(lrk_fit_find(&r, -1, "tau0")->value - 1.0) < 1e-8);
    lrk_fit_result_free(&r);
    lrk_fit_data_free(&d);
}

Test(fit_model, bootstrap_is_deterministic_and_close_to_the_jacobian_error)
{
    lrk_pcg64 g;
    lrk_pcg64_seed(&g, 99, 0);
    synth kww = {1, 1.0, 0.8, 0, 0, NAN, 1, 1.0, 0.0, 0.01, 120, 0.05, 5.0};
    lrk_fit_data d;
    make_data(&kww, 1, 1, &g, &d);
    lrk_fit_options o = options(LRK_FIT_KWW);
    o.bootstrap = 400;
    o.seed = 7;
    lrk_fit_result r1, r2, r3;
    fit_ok(&d, &o, &r1);
    fit_ok(&d, &o, &r2);
    o.seed = 8;
    fit_ok(&d, &o, &r3);
    cr_assert_eq(r1.bootstrap_done, 400);
    for (size_t k = 0; k < r1.parameter_count; k++) {
        const lrk_fit_parameter *p = &r1.parameters[k];
        cr_assert(memcmp(&p->bootstrap_error, &r2.parameters[k].bootstrap_error, sizeof(double)) == 0);
        cr_assert_neq(p->bootstrap_error, r3.parameters[k].bootstrap_error);
        /* Both estimate the parameter's sd.  The sd of B replicates has
         * relative sampling error sqrt(1/(2B)) (normal replicates), and the
         * ideal (B -> infinity) bootstrap over n points fluctuates with the
         * data around the true sd by sqrt(1/(2n)) relative (the same
         * chi-square argument, n residuals), while the Jacobian error with the
         * sigma column known does not.  So ln(ratio) ~ N(0, 1/(2B) + 1/(2n))
         * to leading order; five sigma of that is the band. */
        double n = 120, B = 400, band = 5 * sqrt(1 / (2 * B) + 1 / (2 * n));
        double ratio = p->bootstrap_error / p->error;
        cr_assert(fabs(log(ratio)) <= band, "%s: bootstrap %g vs Jacobian %g: ln ratio %g, band %g", p->name,
                  p->bootstrap_error, p->error, log(ratio), band);
    }
    lrk_fit_result_free(&r1), lrk_fit_result_free(&r2), lrk_fit_result_free(&r3);
    lrk_fit_data_free(&d);
}

Test(fit_model, numeric_jacobian_gives_the_same_minimum)
{
    lrk_pcg64 g;
    lrk_pcg64_seed(&g, 3, 0);
    const double Ts[] = {0.8, 1.1, 1.5};
    synth c[3];
    joint_curves(c, Ts, 3, 1.0, 1.5, 1.0, 0, 0, LRK_FIT_SER, 0.01);
    lrk_fit_data d;
    make_data(c, 3, 1, &g, &d);
    lrk_fit_options o = options(LRK_FIT_SER);
    lrk_fit_result a, n;
    fit_ok(&d, &o, &a);
    o.numeric_jacobian = 1;
    fit_ok(&d, &o, &n);
    for (size_t k = 0; k < a.parameter_count; k++)
        cr_assert(fabs(a.parameters[k].value - n.parameters[k].value) <= 1e-3 * a.parameters[k].error,
                  "%s: %.12g vs %.12g", a.parameters[k].name, a.parameters[k].value, n.parameters[k].value);
    lrk_fit_result_free(&a), lrk_fit_result_free(&n);
    lrk_fit_data_free(&d);
}

/* Found by tests/fuzz/fuzz_fit_data.c: garbage that drove LM to a = 2666 and
 * a NaN Jacobian.  It must end as a failed fit with a message, not as invalid
 * input or a crash. */
Test(fit_model, garbage_fails_as_a_fit)
{
    const char text[] = "t,phi\n0,1\n1,0.8\n2,0.6\n30,.8\n";
    lrk_fit_data d;
    lrk_error err;
    cr_assert_eq(lrk_fit_data_parse(text, strlen(text), "garbage", &d, &err), LRK_OK);
    for (int kind = LRK_FIT_KWW; kind <= LRK_FIT_LRE; kind++) {
        lrk_fit_options o = options((lrk_fit_kind)kind);
        cr_assert_eq(lrk_fit_check(&d, &o, &err), LRK_OK, "%s", err.message);
        lrk_fit_result r;
        lrk_status status = lrk_fit_model(&d, &o, &r, &err);
        cr_assert_eq(status, LRK_ERR_NOCONVERGE, "%s: status %d", lrk_fit_kind_name(o.kind), (int)status);
        cr_assert(strstr(err.message, "curve '1'") != NULL, "%s", err.message);
        cr_assert_null(r.parameters);
    }
    lrk_fit_data_free(&d);
}

/* One curve that no per-curve form can fit must not cost the user the joint
 * fit they asked for: the comparison form is reported as failed, the rest stands. */
Test(fit_model, a_failed_comparison_leaves_the_joint_fit)
{
    lrk_pcg64 g;
    lrk_pcg64_seed(&g, 21, 0);
    const double Ts[] = {0.8, 1.1, 1.5};
    synth c[3];
    joint_curves(c, Ts, 3, 1.0, 1.5, 1.0, 0, 0, LRK_FIT_SER, 0.01);
    lrk_fit_data good;
    make_data(c, 3, 0, &g, &good);
    size_t n = good.point_count + 4, i = 0;
    double *t = malloc(n * sizeof *t), *y = malloc(n * sizeof *y), *T = malloc(n * sizeof *T);
    for (size_t j = 0; j < good.curve_count; j++)
        for (size_t k = 0; k < good.curves[j].count; k++, i++) {
            t[i] = good.curves[j].t[k];
            y[i] = good.curves[j].y[k];
            T[i] = good.curves[j].T;
        }
    const double gt[] = {0, 1, 2, 30}, gy[] = {1, 0.8, 0.6, 0.8};
    for (int k = 0; k < 4; k++, i++) {
        t[i] = gt[k];
        y[i] = gy[k];
        T[i] = 5.0;
    }
    lrk_fit_data d;
    lrk_error err;
    cr_assert_eq(lrk_fit_data_from_arrays(n, t, y, 0, NULL, T, NULL, "mixed", &d, &err), LRK_OK, "%s", err.message);
    lrk_fit_options o = options(LRK_FIT_SER);
    lrk_fit_report rep;
    cr_assert_eq(lrk_fit_run(&d, &o, &rep, &err), LRK_OK, "%s", err.message);
    cr_assert(rep.kww_failed && rep.lre_failed);
    cr_assert(strstr(rep.kww_error.message, "curve '5'") != NULL, "%s", rep.kww_error.message);
    cr_assert_eq(rep.kww.parameter_count, 0);
    cr_assert_eq(rep.joint.parameter_count, 3);
    char dir[128];
    snprintf(dir, sizeof dir, "/tmp/lrekmc-test-fit-mixed-%d", (int)getpid());
    cr_assert_eq(lrk_fit_write(dir, &d, &rep, NULL, &err), LRK_OK, "%s", err.message);
    const char *names[] = {"fit.yaml", "parameters.csv", "curves.csv", "comparison.csv", "beta.csv"};
    for (int k = 0; k < 5; k++) {
        char path[256];
        snprintf(path, sizeof path, "%s/%s", dir, names[k]);
        cr_assert_eq(unlink(path), 0, "%s missing", path);
    }
    rmdir(dir);
    lrk_fit_report_free(&rep);
    lrk_fit_data_free(&d);
    lrk_fit_data_free(&good);
    free(t), free(y), free(T);
}
