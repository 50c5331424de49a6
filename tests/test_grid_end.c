/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * test_grid_end.c - where `t_max: auto` ends the grid (grid_end.h): both
 * rules reach q_max for the exact ensemble mean (master equation) where the
 * ODE's t(q_max) does not, a run's KMC mean reaches it at low-T CER, and the
 * pilot rule gives the same grid and bytes at any thread count.
 */
#define _POSIX_C_SOURCE 200809L
#include <criterion/criterion.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lrekmc/config.h"
#include "lrekmc/disorder_master.h"
#include "lrekmc/grid_end.h"
#include "lrekmc/lattice_master.h"
#include "lrekmc/master.h"
#include "lrekmc/point.h"
#include "kmc_same.h"

#define Q_MAX 0.99

static lrk_model model(lrk_mode mode, double T, long N)
{
    return (lrk_model){.mode = mode, .V0 = 1.0, .V1 = 1.0, .T = T, .N = N, .A = 2.0, .T0 = 0.5};
}

/* The exact mean of q at time t (master equation, accurate to 1e-9). */
static double exact_mean_at(const lrk_model *m, double t)
{
    double q, sd;
    lrk_error err;
    cr_assert_eq(lrk_master_solve(m, &t, 1, &q, &sd, &err), LRK_OK, "%s", err.message);
    return q;
}

static const lrk_mode modes[] = {LRK_MODE_SER, LRK_MODE_CER, LRK_MODE_CROSSOVER};
static const long sizes[] = {1, 10, 30, 200, 1000};
static const double temperatures[] = {2.0, 1.0, 0.3, 0.1};

static void check_rule_covers(lrk_grid_end_rule rule)
{
    for (size_t a = 0; a < 3; a++)
        for (size_t b = 0; b < sizeof sizes / sizeof sizes[0]; b++)
            for (size_t c = 0; c < sizeof temperatures / sizeof temperatures[0]; c++) {
                lrk_model m = model(modes[a], temperatures[c], sizes[b]);
                lrk_grid_end g;
                lrk_error err;
                cr_assert_eq(lrk_grid_end_compute(&m, Q_MAX, rule, 42, 2, &g, &err), LRK_OK, "%s", err.message);
                cr_assert_geq(g.t_max, g.t_ode);
                double q = exact_mean_at(&m, g.t_max);
                cr_expect_geq(q, Q_MAX - 1e-9, "%s %s N = %ld T = %g: E q(t_max = %g) = %.6f < q_max",
                              lrk_grid_end_rule_name(rule), lrk_mode_name(m.mode), m.N, m.T, g.t_max, q);
            }
}

/* The Chernoff rule is a bound: it can never fail.  The exact mean at its
 * t_max is >= q_max on every model (SER, CER, crossover, N = 1 ... 1000). */
Test(grid_end, moments_rule_reaches_q_max_for_the_exact_mean)
{
    check_rule_covers(LRK_GRID_END_MOMENTS);
}

/* The pilot rule holds with probability >= 1 - 1e-3 per model; at this fixed
 * seed it holds on all 60 (a failure would have probability < 6 %). */
Test(grid_end, pilot_rule_reaches_q_max_for_the_exact_mean)
{
    check_rule_covers(LRK_GRID_END_PILOT);
}

/* What the rules fix: at low-T CER the ODE's t(q_max) leaves the exact
 * ensemble mean far below q_max (N = 30: 0.511, N = 1000: 0.692 at T = 0.1). */
Test(grid_end, ode_time_leaves_low_T_cer_ensemble_unrelaxed)
{
    const long N[] = {30, 1000};
    for (size_t i = 0; i < 2; i++) {
        lrk_model m = model(LRK_MODE_CER, 0.1, N[i]);
        lrk_grid_end g;
        lrk_error err;
        cr_assert_eq(lrk_grid_end_compute(&m, Q_MAX, LRK_GRID_END_ODE, 42, 1, &g, &err), LRK_OK, "%s", err.message);
        double q = exact_mean_at(&m, g.t_max);
        cr_expect_lt(q, 0.75, "N = %ld: E q(t_ode) = %g", m.N, q);
        cr_assert_eq(lrk_grid_end_compute(&m, Q_MAX, LRK_GRID_END_MOMENTS, 42, 1, &g, &err), LRK_OK);
        cr_expect_geq(exact_mean_at(&m, g.t_max), Q_MAX);
    }
}

Test(grid_end, pilot_is_deterministic_across_threads)
{
    lrk_model m = model(LRK_MODE_CER, 0.1, 300);
    double t[3];
    lrk_error err;
    for (int threads = 1; threads <= 3; threads++)
        cr_assert_eq(lrk_grid_end_pilot(&m, Q_MAX, lrk_grid_pilot_seed(7), threads, &t[threads - 1], &err), LRK_OK,
                     "%s", err.message);
    cr_expect(memcmp(&t[0], &t[1], sizeof t[0]) == 0 && memcmp(&t[0], &t[2], sizeof t[0]) == 0,
              "pilot t = %.17g, %.17g, %.17g", t[0], t[1], t[2]);
    double other;
    cr_assert_eq(lrk_grid_end_pilot(&m, Q_MAX, lrk_grid_pilot_seed(8), 1, &other, &err), LRK_OK);
    cr_expect_neq(other, t[0], "another seed gives another pilot");
    cr_expect_neq(lrk_grid_pilot_seed(7), 7u, "the pilot never uses the run's own streams");
}

/* What `check` says of the pilot (lrk_grid_end_pilot_check) is what the
 * pilot then does: it bounds q_max exactly when check accepts it, on both
 * sides of the limit (~0.992 for M = 1024) and for N where the candidate
 * events are few (4) or many (1000). */
Test(grid_end, pilot_check_agrees_with_the_pilot)
{
    static const long Ns[] = {4, 64, 1000};
    static const double qs[] = {0.9, 0.99, 0.992, 0.9932, 0.994, 0.999};
    size_t refused = 0;
    for (size_t a = 0; a < sizeof Ns / sizeof Ns[0]; a++)
        for (size_t b = 0; b < sizeof qs / sizeof qs[0]; b++) {
            lrk_model m = model(LRK_MODE_SER, 1.0, Ns[a]);
            lrk_error err;
            double t;
            int accepted = lrk_grid_end_pilot_check(Ns[a], qs[b], &err) == LRK_OK;
            if (!accepted) {
                cr_expect(strstr(err.message, "grid.q_max") != NULL, "%s", err.message);
                refused++;
            }
            int ran = lrk_grid_end_pilot(&m, qs[b], lrk_grid_pilot_seed(3), 2, &t, &err) == LRK_OK;
            cr_expect_eq(accepted, ran, "N = %ld q_max = %g: check %s, the pilot %s", Ns[a], qs[b],
                         accepted ? "accepts" : "refuses", ran ? "bounds it" : "cannot");
        }
    cr_expect(refused > 0 && refused < 18, "both verdicts occur (%zu refused)", refused);
}

/* SER (and crossover with c > 0) in space: auto ends the grid by the
 * Chernoff bound of the slowest chain (every unrelaxed site's rate is at
 * least e^(-(V0 + c V1)/T)); the exact mean of q at that t_max (2^N-state
 * master equation of tiny boxes, lattice_master.h) is >= q_max on every
 * box, temperature and q_max, and the bound costs no pilot. */
Test(grid_end, slowest_chain_bound_covers_ser_in_space)
{
    static const long boxes[][3] = {{2, 2, 2}, {1, 2, 4}, {1, 3, 3}};
    static const double box_T[] = {2.0, 1.0, 0.4, 0.2}, q_maxes[] = {0.9, 0.99};
    static const lrk_mode rising[] = {LRK_MODE_SER, LRK_MODE_CROSSOVER};
    size_t checked = 0;
    for (size_t b = 0; b < 3; b++)
        for (size_t i = 0; i < 4; i++)
            for (size_t k = 0; k < 2; k++)
                for (size_t q = 0; q < 2; q++) {
                    lrk_model m = {.mode = rising[k], .V0 = 1, .V1 = 1, .T = box_T[i], .A = 2, .T0 = 0.1,
                                   .N = boxes[b][0] * boxes[b][1] * boxes[b][2]};
                    m.space = (lrk_space){LRK_LATTICE_CUBIC, boxes[b][0], boxes[b][1], boxes[b][2], 1.5,
                                          LRK_KERNEL_R3};
                    if (lrk_model_coupling(&m) <= 0)
                        continue;
                    cr_assert_eq(lrk_grid_end_rule_for(&m, q_maxes[q]), LRK_GRID_END_MOMENTS);
                    lrk_grid_end g;
                    lrk_error err;
                    cr_assert_eq(lrk_grid_end_compute(&m, q_maxes[q], LRK_GRID_END_MOMENTS, 1, 1, &g, &err), LRK_OK,
                                 "%s", err.message);
                    double mean, sd;
                    cr_assert_eq(lrk_lattice_master_solve(&m, &g.t_max, 1, &mean, &sd, NULL, 0, NULL, NULL, &err),
                                 LRK_OK, "%s", err.message);
                    cr_expect_geq(mean, q_maxes[q] - 1e-12, "%s %ldx%ldx%ld T = %g: E q(t_max = %g) = %.6f < %g",
                                  lrk_mode_name(m.mode), boxes[b][0], boxes[b][1], boxes[b][2], m.T, g.t_max, mean,
                                  q_maxes[q]);
                    checked++;
                }
    cr_expect_geq(checked, 30u);
}

/* E q(t) of bimodal disorder, exactly (two-class master equation). */
static double bimodal_mean_at(const lrk_model *m, double t)
{
    double q, sd;
    lrk_error err;
    cr_assert_eq(lrk_disorder_bimodal_master(m, &t, 1, &q, &sd, &err), LRK_OK, "%s", err.message);
    return q;
}

/* Disorder whose barriers only rise (SER, crossover with c > 0): auto ends
 * the grid at the t(q_max) of the uncoupled model at the slowest barriers
 * V0 + c V1 + delta (grid_end.c), with no pilot.  The exact mean of q at
 * that bound (bimodal: the two-class master equation) is >= q_max on every
 * N, T, width and q_max; the same time for the barriers V0 + delta (the
 * initial rates) falls short on most of them, so the test can tell a bound
 * from a guess (the bound computed from V0 + delta fails it). */
Test(grid_end, slowest_uncoupled_bound_covers_ser_with_disorder)
{
    static const long Ns[] = {1, 10, 60, 200};
    static const double Ts[] = {2.0, 1.0, 0.4}, widths[] = {0.3, 1.5}, q_maxes[] = {0.9, 0.99};
    static const lrk_mode rising[] = {LRK_MODE_SER, LRK_MODE_CROSSOVER};
    size_t checked = 0, naive_short = 0;
    for (size_t a = 0; a < 4; a++)
        for (size_t b = 0; b < 3; b++)
            for (size_t w = 0; w < 2; w++)
                for (size_t k = 0; k < 2; k++)
                    for (size_t q = 0; q < 2; q++) {
                        lrk_model m = {.mode = rising[k], .V0 = 1, .V1 = 1, .T = Ts[b], .A = 2, .T0 = 0.1,
                                       .N = Ns[a], .disorder = {LRK_DISORDER_BIMODAL, widths[w]}};
                        if (lrk_model_coupling(&m) <= 0)
                            continue;
                        cr_assert_eq(lrk_grid_end_rule_for(&m, q_maxes[q]), LRK_GRID_END_MOMENTS);
                        lrk_grid_end g, naive;
                        lrk_error err;
                        cr_assert_eq(lrk_grid_end_compute(&m, q_maxes[q], LRK_GRID_END_MOMENTS, 1, 1, &g, &err),
                                     LRK_OK, "%s", err.message);
                        /* the bound itself, not t_max = max(t_ode, bound): the mean field's
                         * t_ode alone would often do for SER */
                        cr_expect_geq(g.t_max, g.t_ensemble);
                        double mean = bimodal_mean_at(&m, g.t_ensemble);
                        cr_expect_geq(mean, q_maxes[q] - 1e-12, "%s N = %ld T = %g w = %g: E q(t_ens = %g) = %.8f < %g",
                                      lrk_mode_name(m.mode), m.N, m.T, widths[w], g.t_ensemble, mean, q_maxes[q]);
                        lrk_model initial = m;
                        initial.V1 = 0;
                        cr_assert_eq(lrk_grid_end_compute(&initial, q_maxes[q], LRK_GRID_END_ODE, 1, 1, &naive, &err),
                                     LRK_OK, "%s", err.message);
                        naive_short += bimodal_mean_at(&m, naive.t_max) < q_maxes[q];
                        checked++;
                    }
    cr_log_info("slowest uncoupled bound: %zu models; the initial rates' time short on %zu", checked, naive_short);
    cr_expect_geq(checked, 60u);
    cr_expect_geq(naive_short, checked / 2, "the initial rates' time fell short on only %zu of %zu", naive_short,
                  checked);
    lrk_model space = {.mode = LRK_MODE_SER, .V0 = 1, .V1 = 1, .T = 1, .N = 8, .disorder = {LRK_DISORDER_NORMAL, 0.5}};
    space.space = (lrk_space){LRK_LATTICE_CUBIC, 2, 2, 2, 1.5, LRK_KERNEL_R3};
    cr_expect_eq(lrk_grid_end_rule_for(&space, 0.99), LRK_GRID_END_MOMENTS);
}

/* Falling barriers (CER; the crossover with c < 0) in space or with
 * disorder: every unrelaxed LRE's rate is at least its initial one, so the
 * uncoupled LREs at their initial barriers bound E q(t) from below.  `auto`
 * takes that bound while it ends within LRK_GRID_END_BOUND_SLACK t_ode, the
 * pilot otherwise (both verdicts occur here).  Wherever it is computed (rule
 * moments, also where auto would not take it) the exact mean at t_ens is
 * >= q_max: tiny boxes (2^N-state master equation) and bimodal disorder
 * (two-class master equation); the mean field's own t(q_max) falls short on
 * some, so the test tells a bound from an estimate. */
Test(grid_end, initial_rates_bound_covers_cer_in_space_and_with_disorder)
{
    static const double Ts[] = {2.0, 1.0, 0.5, 0.25}, q_maxes[] = {0.9, 0.99};
    static const long boxes[][3] = {{2, 2, 2}, {1, 3, 3}};
    size_t checked = 0, auto_bound = 0, auto_pilot = 0, ode_short = 0;
    for (size_t i = 0; i < 4; i++)
        for (size_t q = 0; q < 2; q++)
            for (size_t b = 0; b < 4; b++) {
                lrk_model m = {.mode = LRK_MODE_CER, .V0 = 1, .V1 = 1, .T = Ts[i]};
                if (b < 2) {
                    m.N = boxes[b][0] * boxes[b][1] * boxes[b][2];
                    m.space = (lrk_space){LRK_LATTICE_CUBIC, boxes[b][0], boxes[b][1], boxes[b][2], 1.5,
                                          LRK_KERNEL_R3};
                } else {
                    m.N = b == 2 ? 10 : 100;
                    m.disorder = (lrk_disorder){LRK_DISORDER_BIMODAL, 0.5};
                }
                lrk_grid_end_rule rule = lrk_grid_end_rule_for(&m, q_maxes[q]);
                cr_assert(rule == LRK_GRID_END_MOMENTS || rule == LRK_GRID_END_PILOT);
                auto_bound += rule == LRK_GRID_END_MOMENTS;
                auto_pilot += rule == LRK_GRID_END_PILOT;
                lrk_grid_end g;
                lrk_error err;
                cr_assert_eq(lrk_grid_end_rule_check(&m, LRK_GRID_END_MOMENTS, q_maxes[q], &err), LRK_OK, "%s",
                             err.message);
                cr_assert_eq(lrk_grid_end_compute(&m, q_maxes[q], LRK_GRID_END_MOMENTS, 1, 1, &g, &err), LRK_OK,
                             "%s", err.message);
                if (rule == LRK_GRID_END_MOMENTS)
                    cr_expect_leq(g.t_ensemble, LRK_GRID_END_BOUND_SLACK * g.t_ode);
                double at_bound, at_ode, sd;
                if (b < 2) {
                    cr_assert_eq(lrk_lattice_master_solve(&m, &g.t_ensemble, 1, &at_bound, &sd, NULL, 0, NULL, NULL,
                                                          &err), LRK_OK, "%s", err.message);
                    cr_assert_eq(lrk_lattice_master_solve(&m, &g.t_ode, 1, &at_ode, &sd, NULL, 0, NULL, NULL, &err),
                                 LRK_OK, "%s", err.message);
                } else {
                    at_bound = bimodal_mean_at(&m, g.t_ensemble);
                    at_ode = bimodal_mean_at(&m, g.t_ode);
                }
                cr_expect_geq(at_bound, q_maxes[q] - 1e-12, "N = %ld T = %g: E q(t_ens = %g) = %.8f < %g", m.N, m.T,
                              g.t_ensemble, at_bound, q_maxes[q]);
                ode_short += at_ode < q_maxes[q];
                checked++;
            }
    cr_log_info("initial-rates bound: %zu models, auto took it on %zu; the ODE's end short on %zu", checked,
                auto_bound, ode_short);
    cr_expect(auto_bound > 0 && auto_pilot > 0, "auto: %zu bound, %zu pilot", auto_bound, auto_pilot);
    cr_expect_gt(ode_short, 0u);
    /* without coupling there is nothing to bound with: ode is exact, moments refused */
    lrk_model flat = {.mode = LRK_MODE_SER, .V0 = 1, .V1 = 0, .T = 1, .N = 8, .disorder = {LRK_DISORDER_NORMAL, 0.5}};
    lrk_error err;
    cr_expect_eq(lrk_grid_end_rule_for(&flat, 0.99), LRK_GRID_END_ODE);
    cr_expect_eq(lrk_grid_end_rule_check(&flat, LRK_GRID_END_MOMENTS, 0.99, &err), LRK_ERR_INVALID);
}

static lrk_config low_t_config(double T, long N, long trajectories, lrk_grid_end_rule rule)
{
    lrk_config c;
    lrk_config_defaults(&c);
    c.model = model(LRK_MODE_CER, T, N);
    c.kmc.trajectories = trajectories;
    c.kmc.seed = 2024;
    c.kmc.threads = 2;
    c.grid.t_max_rule = rule;
    c.grid.spacing = LRK_SPACING_LOG;
    c.references.master_equation = LRK_SWITCH_OFF;
    return c;
}

/* Compute point c into p; what it warned (malloc'd). */
static char *compute_with_warnings(const lrk_config *c, lrk_point *p)
{
    lrk_error err;
    char *text = NULL;
    size_t size = 0;
    FILE *warnings = open_memstream(&text, &size);
    lrk_run_control control = {.warnings = warnings};
    cr_assert_eq(lrk_point_compute(c, &control, p, &err), LRK_OK, "%s", err.message);
    fclose(warnings);
    return text;
}

/* The KMC mean at the end of the grid, and whether the point says it covers. */
static void end_of_grid(double T, long N, lrk_grid_end_rule rule, double *q_end, double *sem_end, int *covers)
{
    lrk_config c = low_t_config(T, N, 2000, rule);
    lrk_point p;
    char *text = compute_with_warnings(&c, &p);
    *q_end = p.q_kmc_end;
    *sem_end = p.kmc->q_sem[p.t_count - 1];
    *covers = p.grid_covers;
    cr_expect_eq(p.grid_covers, p.q_kmc_end + 3.0 * *sem_end >= Q_MAX);
    /* A grid that does not cover says so, once; one that covers is silent. */
    cr_expect_eq(strstr(text, "warning: cer") != NULL, !p.grid_covers, "warnings: '%s'", text);
    free(text);
    lrk_point_free(&p);
    lrk_config_free(&c);
}

/* Low-T CER, where the master equation is out of reach: with `auto` the KMC
 * mean ends at >= q_max (a one-sided z-test of E q >= q_max that the old
 * grid fails by tens of standard errors), and the point says it covers. */
Test(grid_end, kmc_mean_reaches_q_max_at_low_T_cer)
{
    const long N[] = {30, 1000};
    const double T[] = {0.05, 0.02};
    for (size_t i = 0; i < 2; i++)
        for (size_t j = 0; j < 2; j++) {
            double q, sem;
            int covers;
            end_of_grid(T[j], N[i], LRK_GRID_END_AUTO, &q, &sem, &covers);
            cr_expect_gt((q - Q_MAX) / sem, -5.0, "auto: N = %ld T = %g: q_end = %g +- %g", N[i], T[j], q, sem);
            cr_expect(covers, "auto: N = %ld T = %g: q_end = %g", N[i], T[j], q);
            end_of_grid(T[j], N[i], LRK_GRID_END_ODE, &q, &sem, &covers);
            cr_expect_lt((q - Q_MAX) / sem, -5.0, "ode: N = %ld T = %g: q_end = %g +- %g", N[i], T[j], q, sem);
            cr_expect(!covers);
        }
}

/* Uncoupled disorder ends the grid where the exact mean is q_max (rule ode:
 * p(t) is the ensemble mean), so the sample mean there is below q_max about
 * half the time.  Such a grid covers: no warning, grid_covers = 1, for the
 * seeds whose mean ends below q_max as for the others (of 6 seeds some end
 * below: probability 1 - 2^-6 for a correct grid; fixed seeds make it sure). */
Test(grid_end, an_exact_end_is_not_reported_as_short)
{
    int below = 0;
    for (uint64_t seed = 1; seed <= 6; seed++) {
        lrk_config c;
        lrk_config_defaults(&c);
        c.model = (lrk_model){.mode = LRK_MODE_SER, .V0 = 1, .V1 = 0, .T = 1, .N = 100,
                              .disorder = {LRK_DISORDER_NORMAL, 0.5}};
        c.kmc.trajectories = 200;
        c.fit.q_count = 5; /* the order-statistics references cost a quadrature a level */
        c.grid.points = 40;
        c.kmc.seed = seed;
        c.kmc.threads = 1;
        c.references.master_equation = LRK_SWITCH_OFF;
        lrk_point p;
        char *text = compute_with_warnings(&c, &p);
        cr_assert_eq(p.grid_end.rule, LRK_GRID_END_ODE);
        const double sem = p.kmc->q_sem[p.t_count - 1];
        below += p.q_kmc_end < Q_MAX;
        cr_expect_gt(p.q_kmc_end + 3.0 * sem, Q_MAX, "seed %d: q_end = %g +- %g", (int)seed, p.q_kmc_end, sem);
        cr_expect(p.grid_covers, "seed %d: q_end = %g", (int)seed, p.q_kmc_end);
        cr_expect(strstr(text, "warning") == NULL, "seed %d: '%s'", (int)seed, text);
        free(text);
        lrk_point_free(&p);
        lrk_config_free(&c);
    }
    cr_log_info("exact end: %d of 6 seeds end below q_max", below);
    cr_expect_gt(below, 0, "no seed ended below q_max: the test did not exercise the tolerance");
}

/* Same seed, pilot rule: the same grid and the same KMC bytes on 1 and 2
 * threads. */
Test(grid_end, pilot_point_is_byte_identical_across_threads)
{
    lrk_point p[2];
    lrk_error err;
    for (int k = 0; k < 2; k++) {
        lrk_config c = low_t_config(0.05, 100, 400, LRK_GRID_END_PILOT);
        lrk_run_control control = {.threads = k + 1};
        cr_assert_eq(lrk_point_compute(&c, &control, &p[k], &err), LRK_OK, "%s", err.message);
        cr_assert_eq(p[k].grid_end.rule, LRK_GRID_END_PILOT);
        lrk_config_free(&c);
    }
    cr_assert(memcmp(p[0].t, p[1].t, p[0].t_count * sizeof *p[0].t) == 0, "grids differ");
    assert_same_results(p[0].kmc, p[1].kmc);
    for (int k = 0; k < 2; k++) {
        const lrk_point_fit *a = &p[0].kmc_by[k], *b = &p[1].kmc_by[k];
        double x[] = {a->fit.beta, a->fit.tau, a->beta_batch_err, a->tau_batch_err};
        double y[] = {b->fit.beta, b->fit.tau, b->beta_batch_err, b->tau_batch_err};
        cr_expect(memcmp(x, y, sizeof x) == 0, "fits differ (protocol %d)", k);
    }
    for (int k = 0; k < 2; k++)
        lrk_point_free(&p[k]);
}

/* A deterministic point (no KMC) keeps the ODE's end unless a rule is asked for. */
Test(grid_end, no_ensemble_keeps_the_ode_end)
{
    lrk_config c = low_t_config(0.1, 1000, 0, LRK_GRID_END_AUTO);
    lrk_point p;
    lrk_error err;
    cr_assert_eq(lrk_point_compute(&c, NULL, &p, &err), LRK_OK, "%s", err.message);
    cr_expect_eq(p.grid_end.rule, LRK_GRID_END_ODE);
    cr_expect_eq(p.t[p.t_count - 1], p.grid_end.t_ode);
    lrk_point_free(&p);
    c.grid.t_max_rule = LRK_GRID_END_MOMENTS;
    cr_assert_eq(lrk_point_compute(&c, NULL, &p, &err), LRK_OK, "%s", err.message);
    cr_expect_gt(p.t[p.t_count - 1], 1.1 * p.grid_end.t_ode);
    lrk_point_free(&p);
    lrk_config_free(&c);
}
