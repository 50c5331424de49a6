/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * point.c - one parameter point from configuration to fitted, compared
 * results (point.h).  The order is fixed: grid, references, KMC, fits,
 * comparison; every stage reads what the previous ones left in the struct.
 */
#include "lrekmc/point.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "lrekmc/disorder.h"
#include "lrekmc/first_passage.h"
#include "lrekmc/grid.h"
#include "lrekmc/lna.h"
#include "lrekmc/master.h"
#include "lrekmc/ode.h"
#include "lrekmc/output.h"
#include "lrekmc/stats.h"

#include "point_space.h"

static double *new_array(size_t count)
{
    return calloc(count > 0 ? count : 1, sizeof(double));
}

void lrk_point_free(lrk_point *p)
{
    double **arrays[] = {&p->t, &p->q_levels, &p->q_ode, &p->q_lna_std, &p->q_exact_mean,
                         &p->q_exact_std, &p->t_ode, &p->t_exact_mean, &p->t_exact_var};
    for (size_t i = 0; i < sizeof arrays / sizeof arrays[0]; i++) {
        free(*arrays[i]);
        *arrays[i] = NULL;
    }
    free(p->level_event);
    p->level_event = NULL;
    lrk_kmc_result_free(p->kmc);
    p->kmc = NULL;
}

static void point_fit_clear(lrk_point_fit *f)
{
    memset(f, 0, sizeof *f);
    f->fit.beta = f->fit.tau = f->fit.beta_err = f->fit.tau_err = NAN;
    f->fit.rms_residual = f->fit.max_residual = NAN;
    f->beta_batch_err = f->tau_batch_err = f->beta_spread = f->tau_spread = NAN;
}

static int run_threads(const lrk_config *c, const lrk_run_control *control)
{
    return control && control->threads > 0 ? control->threads : c->kmc.threads;
}

/* t_max: auto ends where the ODE and, when there is an ensemble, its mean
 * have reached q_max (grid_end.h). */
static lrk_status grid_end(const lrk_config *c, const lrk_run_control *control, lrk_point *p, lrk_error *err)
{
    if (!c->grid.t_max_auto) {
        p->grid_end = (lrk_grid_end){.rule = LRK_GRID_END_FIXED, .t_ode = NAN, .t_ensemble = NAN,
                                     .t_max = c->grid.t_max, .level_event = p->model.N};
        return LRK_OK;
    }
    lrk_grid_end_rule rule = c->grid.t_max_rule;
    lrk_model ref; /* the same law, the references' parameters (point_space.h) */
    point_space_reference_model(&p->model, &ref);
    rule = lrk_grid_end_rule_resolve(&ref, rule, c->kmc.trajectories, c->grid.q_max);
    return lrk_grid_end_compute(&ref, c->grid.q_max, rule, c->kmc.seed, run_threads(c, control),
                                &p->grid_end, err);
}

static lrk_status make_grid(const lrk_config *c, const lrk_run_control *control, lrk_point *p, lrk_error *err)
{
    p->q_max = c->grid.q_max;
    lrk_status s = grid_end(c, control, p, err);
    if (s == LRK_OK)
        s = lrk_time_grid_fill(p->t, p->t_count, p->grid_end.t_max, c->grid.spacing, err);
    if (s == LRK_OK)
        s = lrk_q_levels_fill(p->q_levels, p->level_count, c->fit.q_from, c->fit.q_to, err);
    for (size_t j = 0; s == LRK_OK && j < p->level_count; j++)
        p->level_event[j] = lrk_level_event_count(p->q_levels[j], p->model.N);
    return s;
}

static int wants_master_equation(const lrk_config *c)
{
    if (c->references.master_equation == LRK_SWITCH_AUTO)
        return c->model.N <= LRK_MASTER_AUTO_MAX_N;
    return c->references.master_equation == LRK_SWITCH_ON;
}

/* Free *x and leave NULL: a reference that does not apply or was left out. */
static void drop(double **x)
{
    free(*x);
    *x = NULL;
}

static lrk_status mean_field_references(const lrk_point *p, const lrk_model *m, lrk_error *err)
{
    lrk_status s = LRK_OK;
    if (p->references & LRK_REF_ODE) {
        s = lrk_ode_solve(m, p->t, p->t_count, p->q_ode, err);
        if (s == LRK_OK)
            s = lrk_ode_times_to_reach(m, p->q_levels, p->level_count, p->t_ode, err);
    }
    return s;
}

/* Quenched disorder: the references of disorder.h, into the same columns
 * (mean field as q_ode / t_ode, binomial and level-time moments as exact);
 * the disorder engine declares none of the chain's (LRK_REF_*). */
static lrk_status disorder_references(const lrk_config *c, lrk_point *p, const lrk_model *m, lrk_error *err)
{
    drop(&p->q_lna_std);
    p->q_exact_mean = new_array(p->t_count);
    p->q_exact_std = new_array(p->t_count);
    if (p->q_exact_mean == NULL || p->q_exact_std == NULL)
        return lrk_error_set(err, LRK_ERR_NOMEM, "disorder references: out of memory");
    lrk_disorder_columns columns = {.q_ode = p->q_ode, .t_ode = p->t_ode, .q_exact_mean = p->q_exact_mean,
                                    .q_exact_std = p->q_exact_std, .t_exact_mean = p->t_exact_mean,
                                    .t_exact_var = p->t_exact_var,
                                    .master_equation = (int)c->references.master_equation};
    lrk_status s = lrk_disorder_references(m, p->t, p->t_count, p->q_levels, p->level_event,
                                           p->level_count, &columns, err);
    p->q_ode = columns.q_ode;
    p->t_ode = columns.t_ode;
    p->q_exact_mean = columns.q_exact_mean;
    p->q_exact_std = columns.q_exact_std;
    p->t_exact_mean = columns.t_exact_mean;
    p->t_exact_var = columns.t_exact_var;
    memcpy(p->master_left_out, columns.master_left_out, sizeof p->master_left_out);
    return s;
}

/* The references are those of the point's law: with a lattice that has no
 * neighbour in range, the model with V1 = 0 (point_space_reference_model). */
static lrk_status compute_references(const lrk_config *c, lrk_point *p, lrk_error *err)
{
    lrk_model ref;
    point_space_reference_model(&p->model, &ref);
    const lrk_model *m = &ref;
    if (lrk_disorder_active(m))
        return disorder_references(c, p, m, err);
    if (!(p->references & LRK_REF_ODE)) {
        drop(&p->q_ode);
        drop(&p->t_ode);
    }
    if (!(p->references & LRK_REF_FIRST_PASSAGE)) {
        drop(&p->t_exact_mean);
        drop(&p->t_exact_var);
    }
    lrk_status s = mean_field_references(p, m, err);
    /* An LNA that is not this engine's, or does not hold everywhere (strong
     * CER coupling, see lna.h), is not reported. */
    if (s == LRK_OK && (!(p->references & LRK_REF_LNA)
                        || lrk_lna_std(m, p->t, p->t_count, p->q_lna_std, NULL) != LRK_OK))
        drop(&p->q_lna_std);
    if (s == LRK_OK && (p->references & LRK_REF_FIRST_PASSAGE))
        s = lrk_first_passage_exact(m, p->q_levels, p->level_count, p->t_exact_mean, p->t_exact_var, err);
    if (s == LRK_OK && (p->references & LRK_REF_MASTER) && wants_master_equation(c)) {
        p->q_exact_mean = new_array(p->t_count);
        p->q_exact_std = new_array(p->t_count);
        if (p->q_exact_mean == NULL || p->q_exact_std == NULL)
            return lrk_error_set(err, LRK_ERR_NOMEM, "master equation: out of memory");
        s = lrk_master_solve(m, p->t, p->t_count, p->q_exact_mean, p->q_exact_std, err);
        if (s == LRK_ERR_INVALID) {
            /* under extreme CER coupling the master equation is not affordable
             * (see master.h): left out, and under `on` said so (what check
             * accepts, run runs) */
            if (c->references.master_equation == LRK_SWITCH_ON)
                snprintf(p->master_left_out, sizeof p->master_left_out, "%.250s",
                         err != NULL ? err->message : "master equation: over its work budget");
            drop(&p->q_exact_mean);
            drop(&p->q_exact_std);
            s = LRK_OK;
        }
    }
    if (s == LRK_OK && point_space_master_applies(m, c->references.master_equation))
        s = point_space_master(p, err); /* a tiny box: the exact 2^N-state master equation */
    return s;
}

/* Fit one curve by a protocol: at the q-levels (times given per level) or on
 * the time grid (values of q given per grid time). */
static lrk_status fit_curve(const lrk_point *p, lrk_fit_protocol protocol, const double *level_times,
                            const double *grid_q, lrk_kww_fit *fit, lrk_error *err)
{
    if (protocol == LRK_FIT_QLEVELS)
        return lrk_kww_fit_points(level_times, p->q_levels, NULL, p->level_count, fit, err);
    return lrk_kww_fit_points(p->t, grid_q, NULL, p->t_count, fit, err);
}

static lrk_status allocate(const lrk_config *c, const lrk_run_control *control, lrk_point *p,
                           lrk_error *err)
{
    memset(p, 0, sizeof *p);
    p->model = c->model;
    p->engine = control != NULL && control->engine != NULL ? control->engine : lrk_engine_for_model(&p->model);
    p->references = lrk_engine_references(p->engine, &p->model);
    p->protocol = c->fit.protocol;
    p->t_count = (size_t)c->grid.points;
    p->level_count = (size_t)c->fit.q_count;
    p->t = new_array(p->t_count);
    p->q_ode = new_array(p->t_count);
    p->q_lna_std = new_array(p->t_count);
    p->q_levels = new_array(p->level_count);
    p->t_ode = new_array(p->level_count);
    p->t_exact_mean = new_array(p->level_count);
    p->t_exact_var = new_array(p->level_count);
    p->level_event = calloc(p->level_count, sizeof(long));
    point_fit_clear(&p->ode);
    point_fit_clear(&p->kmc_fit);
    for (int k = 0; k < 2; k++) {
        point_fit_clear(&p->ode_by[k]);
        point_fit_clear(&p->kmc_by[k]);
    }
    p->q_kmc_end = NAN;
    p->grid_covers = 1;
    lrk_comparison_init(&p->comparison);
    p->std_lna_ratio = p->kmc_ode_bias = p->exact_ode_bias = p->q_std_mean = NAN;
    if (!p->t || !p->q_ode || !p->q_lna_std || !p->q_levels || !p->t_ode || !p->t_exact_mean
        || !p->t_exact_var || !p->level_event)
        return lrk_error_set(err, LRK_ERR_NOMEM, "point arrays: out of memory");
    return LRK_OK;
}

/* Per-trajectory first-passage times, streamed batch by batch as CSV rows. */
static lrk_status write_first_passage_rows(void *user, long first_trajectory, long count,
                                           size_t level_count, const double *times)
{
    FILE *out = user;
    for (long i = 0; i < count; i++) {
        lrk_csv_integer(out, first_trajectory + i, 1);
        for (size_t j = 0; j < level_count; j++)
            lrk_csv_number(out, times[(size_t)i * level_count + j], 0);
        fputc('\n', out);
    }
    return ferror(out) ? LRK_ERR_IO : LRK_OK;
}

static lrk_status run_kmc(const lrk_config *c, const lrk_run_control *control, lrk_point *p,
                          lrk_error *err)
{
    lrk_kmc_params params = {
        .model = &p->model,
        .engine = p->engine,
        .t = p->t,
        .t_count = p->t_count,
        .q_levels = p->q_levels,
        .level_count = p->level_count,
        .seed = c->kmc.seed,
        .streams = c->kmc.streams,
        .trajectories = c->kmc.trajectories,
        .batches = c->fit.batches,
        .threads = run_threads(c, control),
    };
    if (control != NULL) {
        params.stop = control->stop;
        params.progress = control->progress;
        params.progress_user = control->progress_data;
        if (c->output.trajectories && control->first_passage_out != NULL) {
            params.first_passage_sink = write_first_passage_rows;
            params.first_passage_user = control->first_passage_out;
        }
    }
    return lrk_kmc_run_distributed(&params, &p->kmc, err); /* lrk_kmc_run_all unless under MPI (kmc.h) */
}

/* Sample standard deviation (Welford, stats.h); NaN below two values. */
static double sample_std(const double *x, size_t count)
{
    lrk_moments m;
    lrk_moments_reset(&m);
    for (size_t i = 0; i < count; i++)
        lrk_moments_push(&m, x[i]);
    return count < 2 ? NAN : lrk_moments_std(&m);
}

/* KWW fit of the ensemble mean by one protocol, and of every batch mean for
 * the batch-means error: the spread of the batch fits over sqrt(B).  The
 * points are unweighted, like the ODE's: then both fits are the same
 * functional of their curve (least squares in q), and beta_kmc - beta_ode is
 * the ensemble's effect alone.  Weights 1/sem^2 would make the KMC fit a
 * different functional (sem -> 0 where q -> 0 or 1, so the tails dominate):
 * CER T = V1, N = 1000 gave 1.194 +- 0.0006 against the ODE's 1.2265, and
 * at low T a fit that swung with where the grid ends (docs/fit.md). */
static lrk_status fit_kmc(const lrk_point *p, lrk_fit_protocol protocol, lrk_point_fit *f, lrk_error *err)
{
    const lrk_kmc_result *r = p->kmc;
    lrk_status s = fit_curve(p, protocol, r->t_mean, r->q_mean, &f->fit, err);
    if (s != LRK_OK && s != LRK_ERR_NOCONVERGE)
        return s;
    size_t B = (size_t)r->batches_held;
    double *betas = new_array(B), *taus = new_array(B);
    if (betas == NULL || taus == NULL) {
        free(betas);
        free(taus);
        return lrk_error_set(err, LRK_ERR_NOMEM, "batch fits: out of memory");
    }
    size_t good = 0;
    for (size_t b = 0; b < B; b++) {
        lrk_kww_fit fit;
        lrk_status bs = fit_curve(p, protocol, r->batch_t_mean + b * p->level_count,
                                  r->batch_q_mean + b * p->t_count, &fit, NULL);
        if (bs == LRK_OK && fit.converged) {
            betas[good] = fit.beta;
            taus[good] = fit.tau;
            good++;
        }
    }
    f->batches_converged = good;
    f->beta_spread = sample_std(betas, good);
    f->tau_spread = sample_std(taus, good);
    f->beta_batch_err = f->beta_spread / sqrt((double)good);
    f->tau_batch_err = f->tau_spread / sqrt((double)good);
    free(betas);
    free(taus);
    return LRK_OK;
}

/* Both protocols' fits of the ODE and the KMC (the ODE's by the point's own
 * protocol is already done); the point's own KMC fit is copied to kmc_fit. */
static lrk_status fit_both_protocols(lrk_point *p, lrk_error *err)
{
    for (int k = 0; k < 2; k++) {
        lrk_fit_protocol protocol = (lrk_fit_protocol)k;
        lrk_status s = LRK_OK;
        if (protocol != p->protocol && p->q_ode != NULL) { /* no ODE: not this engine's reference */
            s = fit_curve(p, protocol, p->t_ode, p->q_ode, &p->ode_by[k].fit, err);
            if (s == LRK_ERR_NOCONVERGE)
                s = LRK_OK;
        }
        if (s == LRK_OK)
            s = fit_kmc(p, protocol, &p->kmc_by[k], err);
        if (s != LRK_OK)
            return s;
    }
    p->kmc_fit = p->kmc_by[p->protocol];
    return LRK_OK;
}

/* Standard errors the KMC mean may fall below q_max at the end of the grid
 * before the grid is said not to cover (a one-sided z-test of
 * E q(t_max) >= q_max, false alarm 0.13 %). */
#define COVERAGE_Z 3.0

/* A grid that ends before the simulated mean reaches q_max is reported,
 * never silent: the fits and figures would see part of the curve.  The
 * test is statistical because some rules end exactly where E q = q_max
 * (uncoupled disorder's exact p(t)): there the sample mean is below q_max
 * half the time, and a plain comparison would warn on a correct grid. */
static void check_coverage(lrk_point *p, const lrk_run_control *control)
{
    const double sem = p->kmc->q_sem[p->t_count - 1];
    p->q_kmc_end = p->kmc->q_mean[p->t_count - 1];
    p->grid_covers = p->q_kmc_end >= p->q_max || (isfinite(sem) && p->q_kmc_end + COVERAGE_Z * sem >= p->q_max);
    if (!p->grid_covers && control != NULL && control->warnings != NULL)
        fprintf(control->warnings,
                "lrekmc: warning: %s T = %g N = %ld: the KMC mean is %.4g +- %.2g, more than %g standard errors "
                "below q_max = %g at the end of the grid (t_max = %g, rule %s); fits and figures see part of the "
                "relaxation\n",
                lrk_mode_name(p->model.mode), p->model.T, p->model.N, p->q_kmc_end, sem, COVERAGE_Z, p->q_max,
                p->grid_end.t_max, lrk_grid_end_rule_name(p->grid_end.rule));
}

/* Averages over the grid that summarise fluctuations and finite-N bias in
 * one number each (the fluctuation study plots them against N). */
static void summarise_fluctuations(lrk_point *p)
{
    const lrk_kmc_result *r = p->kmc;
    double bias = 0, exact_bias = 0, std = 0, ratio = 0;
    size_t ratio_count = 0;
    const int ode = p->q_ode != NULL;
    for (size_t k = 0; k < p->t_count; k++) {
        std += r->q_std[k];
        if (!ode)
            continue;
        bias += r->q_mean[k] - p->q_ode[k];
        if (p->q_exact_mean != NULL)
            exact_bias += p->q_exact_mean[k] - p->q_ode[k];
        if (p->q_lna_std != NULL && p->q_ode[k] > 0.1 && p->q_ode[k] < 0.9 && p->q_lna_std[k] > 0) {
            ratio += r->q_std[k] / p->q_lna_std[k];
            ratio_count++;
        }
    }
    double K = (double)p->t_count;
    p->kmc_ode_bias = ode ? bias / K : NAN;
    p->q_std_mean = std / K;
    p->exact_ode_bias = ode && p->q_exact_mean != NULL ? exact_bias / K : NAN;
    p->std_lna_ratio = ratio_count > 0 ? ratio / (double)ratio_count : NAN;
}

static void compare_with_references(lrk_point *p)
{
    const lrk_kmc_result *r = p->kmc;
    lrk_compare_grid(r->q_mean, p->q_exact_mean, p->q_exact_std, p->t_count, p->model.N, r->trajectories,
                     &p->comparison);
    lrk_compare_levels(r->t_mean, p->t_exact_mean, p->t_exact_var, p->level_event, p->level_count,
                       r->trajectories, &p->comparison);
    if (lrk_disorder_active(&p->model) || point_space_coupled(&p->model)) {
        /* the increments of disordered level times are correlated
         * (disorder.h), and so are those of interacting LREs in space (the
         * holding rate depends on which sites relaxed): z_max only, no chi2 */
        p->comparison.chi2 = NAN;
        p->comparison.chi2_dof = 0;
    }
    lrk_comparison_finish(&p->comparison);
}

lrk_status lrk_point_compute(const lrk_config *c, const lrk_run_control *control, lrk_point *p,
                             lrk_error *err)
{
    lrk_gsl_quiet();
    lrk_status s = allocate(c, control, p, err);
    if (s == LRK_OK)
        s = lrk_model_validate_point(&p->model, err);
    if (s == LRK_OK)
        s = make_grid(c, control, p, err);
    if (s == LRK_OK)
        s = compute_references(c, p, err);
    if (s == LRK_OK && p->master_left_out[0] != '\0' && control != NULL && control->warnings != NULL)
        fprintf(control->warnings,
                "lrekmc: warning: %s T = %g N = %ld: references.master_equation: on, but %s; its columns "
                "(q_exact_*) stay empty\n",
                lrk_mode_name(p->model.mode), p->model.T, p->model.N, p->master_left_out);
    if (s == LRK_OK && p->q_ode != NULL) {
        /* A fit that does not converge is a result (reported as such), not a failure. */
        s = fit_curve(p, p->protocol, p->t_ode, p->q_ode, &p->ode.fit, err);
        if (s == LRK_ERR_NOCONVERGE)
            s = LRK_OK;
        p->ode_by[p->protocol] = p->ode;
    }
    if (s == LRK_OK && c->kmc.trajectories > 0) {
        s = run_kmc(c, control, p, err);
        if (s == LRK_OK)
            s = fit_both_protocols(p, err);
        if (s == LRK_OK) {
            check_coverage(p, control);
            summarise_fluctuations(p);
            compare_with_references(p);
        }
    }
    if (s != LRK_OK)
        lrk_point_free(p);
    return s;
}

double lrk_point_event_estimate(const lrk_config *c)
{
    double events = (double)c->kmc.trajectories * (double)c->model.N;
    if (c->grid.t_max_auto && c->grid.t_max_rule == LRK_GRID_END_PILOT)
        events += (double)LRK_GRID_PILOT_TRAJECTORIES * (double)c->model.N; /* the pilot run */
    return events;
}
