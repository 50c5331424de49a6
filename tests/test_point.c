/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * test_point.c - one parameter point end to end: the paper's Fig. 1 numbers
 * from the deterministic references, and the KMC ensemble validated against
 * the exact references (z-scores, chi-square, noise approximation).
 */
#define _POSIX_C_SOURCE 200809L /* open_memstream */
#include <criterion/criterion.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lrekmc/config.h"
#include "lrekmc/point.h"
#include "../src/point_space.h"

static lrk_config config_for(lrk_mode mode, double V0, double V1, double T, long N, long trajectories)
{
    lrk_config c;
    lrk_config_defaults(&c);
    c.model.mode = mode;
    c.model.V0 = V0;
    c.model.V1 = V1;
    c.model.T = T;
    c.model.N = N;
    c.kmc.trajectories = trajectories;
    c.kmc.seed = 12345;
    c.kmc.threads = 2;
    return c;
}

static void check_paper(lrk_mode mode, double alpha, double beta, double tau)
{
    lrk_config c = config_for(mode, 1.0, 1.0, 1.0 / alpha, 1000, 0);
    lrk_point p;
    lrk_error err;
    cr_assert_eq(lrk_point_compute(&c, NULL, &p, &err), LRK_OK, "%s", err.message);
    cr_assert(p.ode.fit.converged);
    cr_expect_lt(fabs(p.ode.fit.beta - beta), 0.02, "alpha %g: beta %g, paper %g", alpha, p.ode.fit.beta, beta);
    cr_expect_lt(fabs(p.ode.fit.tau / tau - 1), 0.04, "alpha %g: tau %g, paper %g", alpha, p.ode.fit.tau, tau);
    cr_assert_null(p.kmc);
    lrk_point_free(&p);
    lrk_config_free(&c);
}

Test(point, paper_fig1a_ser)
{
    check_paper(LRK_MODE_SER, 1.0, 0.81, 4.04);
    check_paper(LRK_MODE_SER, 2.5, 0.62, 33.9);
}

Test(point, paper_fig1b_cer)
{
    check_paper(LRK_MODE_CER, 0.8, 1.21, 1.67);
    check_paper(LRK_MODE_CER, 1.5, 1.42, 2.62);
}

/* The ensemble agrees with the exact references: every |z| < 5 and a
 * chi-square p-value that is not absurdly small (p > 1e-4: at a fixed seed
 * this fails only if the simulation is wrong, or with probability 1e-4). */
static void check_ensemble(lrk_mode mode, long N, long trajectories)
{
    lrk_config c = config_for(mode, 1.0, 1.0, 0.8, N, trajectories);
    c.model.A = 2.0;
    c.model.T0 = 1.0; /* f(0.8) = 0.62: c = -0.24 */
    c.grid.points = 100;
    lrk_point p;
    lrk_error err;
    cr_assert_eq(lrk_point_compute(&c, NULL, &p, &err), LRK_OK, "%s", err.message);
    const lrk_comparison *cmp = &p.comparison;
    cr_assert_gt(cmp->levels_compared, 0);
    cr_assert_gt(cmp->grid_compared, 0, "master equation compared nowhere (N = %ld)", N);
    cr_expect_lt(cmp->z_max, 5.0, "%s N = %ld: z_max %g", lrk_mode_name(mode), N, cmp->z_max);
    cr_expect_gt(cmp->chi2_p, 1e-4, "%s N = %ld: chi2 %g / %zu, p %g", lrk_mode_name(mode), N, cmp->chi2,
                 cmp->chi2_dof, cmp->chi2_p);
    lrk_point_free(&p);
    lrk_config_free(&c);
}

Test(point, ensemble_matches_exact_references_ser)
{
    check_ensemble(LRK_MODE_SER, 10, 20000);
    check_ensemble(LRK_MODE_SER, 200, 5000);
    check_ensemble(LRK_MODE_SER, 5000, 1000);
}

Test(point, ensemble_matches_exact_references_cer)
{
    check_ensemble(LRK_MODE_CER, 10, 20000);
    check_ensemble(LRK_MODE_CER, 200, 5000);
    check_ensemble(LRK_MODE_CER, 5000, 1000);
}

Test(point, ensemble_matches_exact_references_crossover)
{
    check_ensemble(LRK_MODE_CROSSOVER, 10, 20000);
    check_ensemble(LRK_MODE_CROSSOVER, 200, 5000);
    check_ensemble(LRK_MODE_CROSSOVER, 5000, 1000);
}

Test(point, fluctuations_follow_the_noise_approximation)
{
    /* sqrt(N) std(q) within 5 % of the linear noise approximation at N = 1000;
     * the sampling error of the std with 10000 trajectories is ~0.7 %. */
    lrk_config c = config_for(LRK_MODE_SER, 1.0, 1.0, 1.0, 1000, 10000);
    lrk_point p;
    lrk_error err;
    cr_assert_eq(lrk_point_compute(&c, NULL, &p, &err), LRK_OK, "%s", err.message);
    cr_expect_lt(fabs(p.std_lna_ratio - 1.0), 0.05, "std / LNA = %g", p.std_lna_ratio);
    lrk_point_free(&p);
    lrk_config_free(&c);
}

Test(point, strong_avalanches_leave_out_the_noise_approximation)
{
    /* CER with a = -60: the LNA variance explodes (lna.h); the point is
     * still computed, with the LNA column left empty. */
    lrk_config c = config_for(LRK_MODE_CER, 1.0, 60.0, 1.0, 1000, 0);
    c.references.master_equation = LRK_SWITCH_OFF;
    lrk_point p;
    lrk_error err;
    cr_assert_eq(lrk_point_compute(&c, NULL, &p, &err), LRK_OK, "%s", err.message);
    cr_assert_null(p.q_lna_std);
    cr_assert_not_null(p.q_ode);
    lrk_point_free(&p);
    lrk_config_free(&c);
}

/* Both protocols are fitted, each consistent with what it measures, on a
 * case where they must differ (CER, T = 0.1, N = 200: the avalanche onset
 * fluctuates).  qlevels fits the mean first-passage times, so its KMC beta
 * must match the fit of the exact E[T_n]; timegrid fits the mean of q at
 * fixed times, so it must match the fit of the exact master-equation mean on
 * the same grid.  Tolerance: 5 batch-means errors (B = 20: the error itself
 * is uncertain by ~16 %, so 5 sigma stays > 4 true sigma).  And the two differ
 * by far more than their errors. */
Test(point, both_protocols_fit_what_they_measure)
{
    lrk_fit_protocol own[] = {LRK_FIT_QLEVELS, LRK_FIT_TIMEGRID};
    for (size_t k = 0; k < 2; k++) {
        lrk_config c = config_for(LRK_MODE_CER, 1.0, 1.0, 0.1, 200, 4000);
        c.fit.protocol = own[k];
        c.references.master_equation = LRK_SWITCH_ON;
        lrk_point p;
        lrk_error err;
        cr_assert_eq(lrk_point_compute(&c, NULL, &p, &err), LRK_OK, "%s", err.message);
        const lrk_point_fit *q = &p.kmc_by[LRK_FIT_QLEVELS], *t = &p.kmc_by[LRK_FIT_TIMEGRID];
        cr_assert(q->fit.converged && t->fit.converged);
        cr_expect_eq(p.kmc_fit.fit.beta, p.kmc_by[own[k]].fit.beta, "the point's own fit is its protocol's");
        cr_expect_eq(p.ode.fit.beta, p.ode_by[own[k]].fit.beta);

        lrk_kww_fit exact_q, exact_t;
        cr_assert_eq(lrk_kww_fit_points(p.t_exact_mean, p.q_levels, NULL, p.level_count, &exact_q, &err), LRK_OK);
        cr_assert_eq(lrk_kww_fit_points(p.t, p.q_exact_mean, NULL, p.t_count, &exact_t, &err), LRK_OK);
        cr_expect_lt(fabs(q->fit.beta - exact_q.beta), 5 * q->beta_batch_err, "qlevels: KMC %g +- %g, exact %g",
                     q->fit.beta, q->beta_batch_err, exact_q.beta);
        cr_expect_lt(fabs(t->fit.beta - exact_t.beta), 5 * t->beta_batch_err, "timegrid: KMC %g +- %g, exact %g",
                     t->fit.beta, t->beta_batch_err, exact_t.beta);
        double both = hypot(q->beta_batch_err, t->beta_batch_err);
        cr_expect_gt(fabs(q->fit.beta - t->fit.beta), 20 * both, "qlevels %g, timegrid %g, error %g", q->fit.beta,
                     t->fit.beta, both);
        lrk_point_free(&p);
        lrk_config_free(&c);
    }
}

/* references.master_equation: on where the master equation is over its work
 * budget (CER, V1/T = 70: the rates span 30 decades): the point still runs,
 * its q_exact columns stay empty, and it says why, in the point and as one
 * warning line -- for the chain's master equation and the two-class one. */
static void check_left_out(lrk_config *c, const char *which)
{
    c->references.master_equation = LRK_SWITCH_ON;
    c->grid.points = 10;
    lrk_point p;
    lrk_error err;
    char *text = NULL;
    size_t size = 0;
    FILE *warnings = open_memstream(&text, &size);
    cr_assert_not_null(warnings);
    lrk_run_control control = {.warnings = warnings};
    cr_assert_eq(lrk_point_compute(c, &control, &p, &err), LRK_OK, "%s: %s", which, err.message);
    fclose(warnings);
    cr_expect_null(p.q_exact_mean, "%s", which);
    cr_expect_null(p.q_exact_std, "%s", which);
    cr_expect(strstr(p.master_left_out, "cell updates") != NULL, "%s: '%s'", which, p.master_left_out);
    cr_expect(strstr(text, "warning") && strstr(text, "master_equation: on") && strstr(text, p.master_left_out),
              "%s: '%s'", which, text);
    cr_expect_not_null(p.kmc, "%s: the KMC ran", which);
    free(text);
    lrk_point_free(&p);
    lrk_config_free(c);
}

Test(point, master_equation_on_over_budget_is_left_out_with_a_warning)
{
    lrk_config c = config_for(LRK_MODE_CER, 1.0, 10.0, 0.143334, 50, 16);
    c.fit.batches = 4;
    check_left_out(&c, "chain");
    c = config_for(LRK_MODE_CER, 1.0, 10.0, 0.25, 50, 16);
    c.fit.batches = 4;
    c.model.disorder = (lrk_disorder){LRK_DISORDER_BIMODAL, 0.1};
    check_left_out(&c, "two-class");
}

/* chi4 = N Var q(t) of independent LREs is exactly p(1 - p), p = 1 - e^(-kt):
 * at every grid time with 0.05 < p < 0.95 the batch-means error makes a z
 * within 5, and the mean z^2 over those times is near 1 (neither too small
 * nor too large an error: 10x too large would give ~0.01). */
Test(point, chi4_errors_cover_the_exact_chi4_of_independent_lres)
{
    lrk_config c = config_for(LRK_MODE_SER, 1.0, 0.0, 1.0, 200, 2000);
    lrk_point p;
    lrk_error err;
    cr_assert_eq(lrk_point_compute(&c, NULL, &p, &err), LRK_OK, "%s", err.message);
    const double k = exp(-1.0);
    double z2 = 0;
    int n = 0;
    for (size_t i = 0; i < p.t_count; i++) {
        double P = 1 - exp(-k * p.t[i]);
        if (P < 0.05 || P > 0.95)
            continue;
        double z = (point_chi4(&p, i) - P * (1 - P)) / point_chi4_err(&p, i);
        cr_expect_lt(fabs(z), 5, "t = %g: chi4 %g, exact %g, err %g", p.t[i], point_chi4(&p, i), P * (1 - P),
                     point_chi4_err(&p, i));
        z2 += z * z;
        n++;
    }
    cr_assert_gt(n, 20);
    cr_expect(z2 / n > 0.3 && z2 / n < 3, "mean z^2 = %g over %d grid times", z2 / n, n);
    cr_expect(isfinite(point_chi4_peak_err(&p)) && point_chi4_peak_err(&p) > 0);
    lrk_point_free(&p);
    lrk_config_free(&c);
}
