/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * engine_disorder.c - quenched barrier disorder as an engine (engine.h): a
 * thin adapter around the operational-time engine of disorder.h, one
 * trajectory per simulate() lane.  None of the chain's references (LRK_REF_*)
 * describes a disordered ensemble: the point pipeline computes those of
 * disorder.h instead (point.c, lrk_disorder_references).
 */
#include "lrekmc/disorder.h"
#include "lrekmc/engine.h"

static lrk_status disorder_alloc(const lrk_model *m, const lrk_engine_grid *g, void **shared, lrk_error *err)
{
    lrk_disorder_engine *e = NULL;
    lrk_status st = lrk_disorder_engine_create(m, g->t, g->t_count, g->level_events, g->level_count, &e, err);
    *shared = e;
    return st;
}

static void disorder_free(void *shared)
{
    lrk_disorder_engine_free(shared);
}

static lrk_status disorder_worker_alloc(const void *shared, void **worker, lrk_error *err)
{
    lrk_disorder_scratch *w = NULL;
    lrk_status st = lrk_disorder_scratch_create(shared, LRK_DISORDER_OPERATIONAL, &w, err);
    *worker = w;
    return st;
}

static void disorder_worker_free(void *worker)
{
    lrk_disorder_scratch_free(worker);
}

static void disorder_simulate(const void *shared, void *worker, lrk_pcg64 *rng, int lanes, uint32_t *n_at,
                              double *first_passage, double *extra)
{
    (void)extra;
    const lrk_disorder_engine *e = shared;
    size_t t_count = lrk_disorder_engine_t_count(e), level_count = lrk_disorder_engine_level_count(e);
    for (int l = 0; l < lanes; l++)
        lrk_disorder_simulate(e, worker, &rng[l], n_at + (size_t)l * (t_count + 1),
                              first_passage + (size_t)l * level_count);
}

static unsigned disorder_references(const lrk_model *m)
{
    (void)m;
    return 0u;
}

const lrk_engine_type lrk_engine_disorder = {
    .name = "disorder",
    .max_lanes = 1,
    .extra_count = NULL,
    .shared_alloc = disorder_alloc,
    .shared_free = disorder_free,
    .worker_alloc = disorder_worker_alloc,
    .worker_free = disorder_worker_free,
    .simulate = disorder_simulate,
    .validate = lrk_disorder_validate,
    .references = disorder_references,
    .results_version = 6,   /* 2: the ziggurat normal, the SSE2 vector exp, the sort, the bimodal master-equation reference, the exponentials from a second stream (round 2); 3: the engine's own exp (src/disorder_sample.c) for the log-rates, the bimodal factors and h(n) instead of libmvec's and libm's (round 3: faster, and the same bits on every CPU and libm); 4: SER (c V1 > 0) ends an auto grid by the exact mean of the uncoupled model at the slowest barriers V0 + c V1 + delta, not a pilot (grid_end.c), and grid_covers is a z-test (point.c); 5: weak CER ends it by the initial rates' exact bound; 6: relaxation.csv gained chi4_err (a resumed run must not keep points without it) */
};
