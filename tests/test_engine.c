/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * test_engine.c - the engine interface (engine.h) as kmc_run.c and point.c
 * use it, with test engines built on the chain: extras are averaged exactly
 * like the level times (same values, same bytes), identical over threads and
 * batch splits; an engine of another lane count gives the chain's bytes; an
 * engine's validate is honoured; the point computes only the references the
 * engine declares, and leaves the others empty.
 */
#include <criterion/criterion.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lrekmc/config.h"
#include "lrekmc/engine.h"
#include "lrekmc/kmc.h"
#include "lrekmc/point.h"

#include "kmc_same.h"

/* ---- test engines: the chain, plus extras / another lane count ---------- */

typedef struct echo_shared {
    void *chain;
    size_t level_count;
} echo_shared;

static lrk_status echo_alloc(const lrk_model *m, const lrk_engine_grid *g, void **shared, lrk_error *err)
{
    echo_shared *s = calloc(1, sizeof *s);
    cr_assert_not_null(s);
    s->level_count = g->level_count;
    lrk_status st = lrk_engine_chain.shared_alloc(m, g, &s->chain, err);
    *shared = s;
    return st;
}

static void echo_free(void *shared)
{
    echo_shared *s = shared;
    lrk_engine_chain.shared_free(s->chain);
    free(s);
}

static lrk_status no_worker(const void *shared, void **worker, lrk_error *err)
{
    (void)shared;
    (void)err;
    *worker = NULL;
    return LRK_OK;
}

static void no_worker_free(void *worker)
{
    (void)worker;
}

/* Two extras: the time of the last level and that of the first. */
static size_t echo_extra_count(const lrk_model *m, const lrk_engine_grid *g)
{
    (void)m;
    cr_assert_gt(g->level_count, 0, "the echo engine needs levels");
    return 2;
}

static void echo_simulate(const void *shared, void *worker, lrk_pcg64 *rng, int lanes, uint32_t *n_at,
                          double *first_passage, double *extra)
{
    const echo_shared *s = shared;
    lrk_engine_chain.simulate(s->chain, worker, rng, lanes, n_at, first_passage, NULL);
    size_t L = s->level_count;
    for (int l = 0; l < lanes; l++) {
        extra[2 * l] = first_passage[(size_t)l * L + L - 1];
        extra[2 * l + 1] = first_passage[(size_t)l * L];
    }
}

static const char *echo_extra_name(const lrk_model *m, size_t e)
{
    (void)m;
    return e == 0 ? "t_last" : NULL;
}

static unsigned references_mask;

static unsigned chosen_references(const lrk_model *m)
{
    (void)m;
    return references_mask;
}

static const lrk_engine_type echo_engine = {
    .name = "echo", .max_lanes = 4, .extra_count = echo_extra_count,
    .shared_alloc = echo_alloc, .shared_free = echo_free, .worker_alloc = no_worker,
    .worker_free = no_worker_free, .simulate = echo_simulate, .extra_name = echo_extra_name,
    .references = chosen_references,
};

static void one_lane_simulate(const void *shared, void *worker, lrk_pcg64 *rng, int lanes, uint32_t *n_at,
                              double *first_passage, double *extra)
{
    cr_assert_eq(lanes, 1, "kmc_run.c gave %d lanes to a one-lane engine", lanes);
    lrk_engine_chain.simulate(shared, worker, rng, 1, n_at, first_passage, extra);
}

static lrk_status refuse_model(const lrk_model *m, lrk_error *err)
{
    return lrk_error_set(err, LRK_ERR_INVALID, "model.N = %ld: the test engine takes none", m->N);
}

/* ---- a small ensemble -------------------------------------------------- */

typedef struct small_case {
    lrk_model model;
    double t[23];
    double q[11];
    lrk_kmc_params p;
} small_case;

static void small_case_init(small_case *c, const lrk_engine_type *engine, int threads)
{
    c->model = (lrk_model){.mode = LRK_MODE_SER, .V0 = 1.0, .V1 = 1.0, .T = 1.0, .N = 150};
    for (size_t k = 0; k < 23; k++)
        c->t[k] = 0.3 * (double)k;
    for (size_t j = 0; j < 11; j++)
        c->q[j] = 0.05 + 0.09 * (double)j;
    c->q[10] = 1.0;
    c->p = (lrk_kmc_params){.model = &c->model, .engine = engine, .t = c->t, .t_count = 23, .q_levels = c->q,
                            .level_count = 11, .seed = 99, .trajectories = 333, .batches = 7,
                            .threads = threads};
}

static lrk_kmc_result *run_ok(const lrk_kmc_params *p)
{
    lrk_kmc_result *r = NULL;
    lrk_error err = {{0}};
    cr_assert_eq(lrk_kmc_run_all(p, &r, &err), LRK_OK, "%s", err.message);
    return r;
}

/* The same values pushed in the same order give the same bytes: the extras
 * equal the level-time statistics they echo, per batch and overall. */
Test(engine, extras_are_averaged_like_the_level_times)
{
    small_case c;
    small_case_init(&c, &echo_engine, 2);
    lrk_kmc_result *r = run_ok(&c.p);
    size_t L = r->level_count, E = r->extra_count, B = (size_t)r->batches_held;
    cr_assert_eq(E, 2);
    cr_assert_eq(r->engine, &echo_engine);
    size_t ends[2] = {L - 1, 0};
    for (size_t e = 0; e < 2; e++) {
        size_t j = ends[e];
        cr_assert_eq(memcmp(&r->extra_mean[e], &r->t_mean[j], sizeof(double)), 0, "extra_mean[%zu]", e);
        cr_assert_eq(memcmp(&r->extra_std[e], &r->t_std[j], sizeof(double)), 0, "extra_std[%zu]", e);
        cr_assert_eq(memcmp(&r->extra_sem[e], &r->t_sem[j], sizeof(double)), 0, "extra_sem[%zu]", e);
        for (size_t b = 0; b < B; b++) {
            cr_assert_eq(r->batch_extra_mean[b * E + e], r->batch_t_mean[b * L + j]);
            cr_assert_eq(r->batch_extra_m2[b * E + e], r->batch_t_m2[b * L + j]);
        }
    }
    cr_assert_gt(r->extra_std[0], 0.0);
    lrk_kmc_result_free(r);
}

Test(engine, extras_identical_over_threads_and_batch_splits)
{
    small_case one, two;
    small_case_init(&one, &echo_engine, 1);
    small_case_init(&two, &echo_engine, 2);
    lrk_kmc_result *a = run_ok(&one.p), *b = run_ok(&two.p);
    assert_same_results(a, b);
    /* batches [0, 3) and [3, 7) run apart and merged, as two MPI ranks do */
    lrk_error err = {{0}};
    lrk_kmc_result *whole = NULL, *head = NULL, *tail = NULL;
    cr_assert_eq(lrk_kmc_result_create(&two.p, 0, -1, &whole, &err), LRK_OK, "%s", err.message);
    cr_assert_eq(lrk_kmc_result_create(&two.p, 0, 3, &head, &err), LRK_OK, "%s", err.message);
    cr_assert_eq(lrk_kmc_result_create(&two.p, 3, 4, &tail, &err), LRK_OK, "%s", err.message);
    cr_assert_eq(lrk_kmc_run(&two.p, tail, &err), LRK_OK, "%s", err.message);
    cr_assert_eq(lrk_kmc_run(&two.p, head, &err), LRK_OK, "%s", err.message);
    cr_assert_eq(lrk_kmc_result_merge(whole, tail, &err), LRK_OK, "%s", err.message);
    cr_assert_eq(lrk_kmc_result_merge(whole, head, &err), LRK_OK, "%s", err.message);
    cr_assert_eq(lrk_kmc_result_finalize(whole, &err), LRK_OK, "%s", err.message);
    assert_same_results(a, whole);
    lrk_kmc_result_free(a);
    lrk_kmc_result_free(b);
    lrk_kmc_result_free(whole);
    lrk_kmc_result_free(head);
    lrk_kmc_result_free(tail);
}

/* Lanes are a speed device: one lane per call gives the 4-lane chain's bytes. */
Test(engine, one_lane_engine_gives_the_chain_bytes)
{
    lrk_engine_type one = lrk_engine_chain;
    one.name = "one-lane";
    one.max_lanes = 1;
    one.simulate = one_lane_simulate;
    small_case chain, single;
    small_case_init(&chain, NULL, 2);
    small_case_init(&single, &one, 2);
    lrk_kmc_result *a = run_ok(&chain.p), *b = run_ok(&single.p);
    cr_assert_eq(a->engine, &lrk_engine_chain);
    cr_assert_eq(a->extra_count, 0);
    assert_same_results(a, b);
    lrk_kmc_result_free(a);
    lrk_kmc_result_free(b);
}

Test(engine, validate_of_the_engine_is_honoured)
{
    lrk_engine_type picky = lrk_engine_chain;
    picky.validate = refuse_model;
    small_case c;
    small_case_init(&c, &picky, 1);
    lrk_error err = {{0}};
    lrk_kmc_result *r = NULL;
    cr_assert_eq(lrk_kmc_run_all(&c.p, &r, &err), LRK_ERR_INVALID);
    cr_assert_null(r);
    cr_assert(strstr(err.message, "model.N = 150") != NULL, "%s", err.message);
    lrk_engine_type broken = lrk_engine_chain;
    broken.max_lanes = 0;
    c.p.engine = &broken;
    cr_assert_eq(lrk_kmc_validate(&c.p, &err), LRK_ERR_INVALID);
    cr_assert(strstr(err.message, "chain") != NULL, "%s", err.message);
}

Test(engine, extra_names)
{
    char buf[32];
    cr_assert_str_eq(lrk_engine_extra_name(&echo_engine, NULL, 0, buf, sizeof buf), "t_last");
    cr_assert_str_eq(lrk_engine_extra_name(&echo_engine, NULL, 1, buf, sizeof buf), "extra_1");
    lrk_model m = {.mode = LRK_MODE_SER, .V0 = 1, .V1 = 1, .T = 1, .N = 10};
    cr_assert_eq(lrk_engine_for_model(&m), &lrk_engine_chain);
    cr_assert_eq(lrk_engine_references(NULL, &m), (unsigned)LRK_REF_ALL);
}

/* ---- per-engine references in the point pipeline ------------------------ */

static void point_with(unsigned mask, lrk_point *p)
{
    lrk_config c;
    lrk_config_defaults(&c);
    c.model.N = 100;
    c.kmc.trajectories = 200;
    c.kmc.threads = 1;
    c.grid.points = 30;
    c.fit.q_count = 9;
    c.fit.q_from = 0.1;
    c.fit.q_to = 0.9;
    references_mask = mask;
    lrk_run_control control = {.engine = &echo_engine};
    lrk_error err = {{0}};
    cr_assert_eq(lrk_point_compute(&c, &control, p, &err), LRK_OK, "%s", err.message);
    lrk_config_free(&c);
}

Test(engine, point_computes_all_references_the_engine_declares)
{
    lrk_point p;
    point_with(LRK_REF_ALL, &p);
    cr_assert_eq(p.references, (unsigned)LRK_REF_ALL);
    cr_assert_not_null(p.q_ode);
    cr_assert_not_null(p.t_ode);
    cr_assert_not_null(p.q_lna_std);
    cr_assert_not_null(p.t_exact_mean);
    cr_assert_not_null(p.q_exact_mean); /* N = 100: the master equation is on under auto */
    cr_assert(p.ode.fit.converged);
    cr_assert(p.comparison.grid_compared > 0 && p.comparison.levels_compared > 0);
    cr_assert(isfinite(p.kmc_ode_bias));
    lrk_point_free(&p);
}

Test(engine, point_leaves_out_the_references_the_engine_does_not_declare)
{
    lrk_point p;
    point_with(LRK_REF_FIRST_PASSAGE, &p);
    cr_assert_null(p.q_ode);
    cr_assert_null(p.t_ode);
    cr_assert_null(p.q_lna_std);
    cr_assert_null(p.q_exact_mean);
    cr_assert_null(p.q_exact_std);
    cr_assert_not_null(p.t_exact_mean);
    cr_assert(!p.ode.fit.converged);
    cr_assert(isnan(p.kmc_ode_bias) && isnan(p.std_lna_ratio) && isnan(p.exact_ode_bias));
    cr_assert_eq(p.comparison.grid_compared, 0);
    cr_assert_gt(p.comparison.levels_compared, 0);
    cr_assert_not_null(p.kmc);
    cr_assert(p.kmc_fit.fit.converged);
    lrk_point_free(&p);

    point_with(0, &p);
    cr_assert_null(p.t_exact_mean);
    cr_assert_null(p.t_exact_var);
    cr_assert_eq(p.comparison.levels_compared, 0);
    cr_assert(isnan(p.comparison.z_max));
    cr_assert_not_null(p.kmc);
    lrk_point_free(&p);
}
