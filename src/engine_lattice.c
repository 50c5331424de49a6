/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * engine_lattice.c - the spatial engine (lattice_engine.h) behind the engine
 * interface (engine.h): up to LRK_LATTICE_LANES trajectories per simulate()
 * call, stepped together, the observables of lattice_observe.h as the
 * per-trajectory extras.
 */
#include "lrekmc/engine.h"

#include <math.h>

#include "lrekmc/disorder.h"
#include "lrekmc/lattice.h"
#include "lrekmc/lattice_engine.h"
#include "lrekmc/lattice_observe.h"

static size_t lattice_extra_count(const lrk_model *m, const lrk_engine_grid *g)
{
    (void)g;
    lrk_lattice_layout l;
    lrk_lattice_layout_of(m, &l);
    return l.count;
}

static lrk_status lattice_alloc(const lrk_model *m, const lrk_engine_grid *g, void **shared, lrk_error *err)
{
    lrk_lattice_grid lg = {g->t, g->t_count, g->level_events, g->level_count};
    lrk_lattice_shared *s = NULL;
    lrk_status st = lrk_lattice_shared_create(m, &lg, &s, err);
    *shared = s;
    return st;
}

static void lattice_free(void *shared)
{
    lrk_lattice_shared_free(shared);
}

static lrk_status lattice_worker_alloc(const void *shared, void **worker, lrk_error *err)
{
    lrk_lattice_worker *w = NULL;
    lrk_status st = lrk_lattice_worker_create(shared, &w, err);
    *worker = w;
    return st;
}

static void lattice_worker_free(void *worker)
{
    lrk_lattice_worker_free(worker);
}

static void lattice_simulate(const void *shared, void *worker, lrk_pcg64 *rng, int lanes, uint32_t *n_at,
                             double *first_passage, double *extra)
{
    lrk_lattice_simulate_lanes(shared, worker, rng, lanes, n_at, first_passage, extra);
}

static lrk_status lattice_validate(const lrk_model *m, lrk_error *err)
{
    if (m->space.lattice != LRK_LATTICE_CUBIC)
        return lrk_error_set(err, LRK_ERR_INVALID, "model.space.lattice: the lattice engine needs cubic");
    return lrk_lattice_validate(m, err);
}

/* The uniform kernel is the mean-field chain exactly: every reference of
 * the chain applies.  With r3 the chain's references are exact only when
 * nothing interacts (c V1 = 0 or no neighbour); otherwise the mean-field
 * ODE is shown beside the run as the comparison, not as a reference (and
 * boxes of N <= 12, or 16 with references.master_equation: on, get the exact
 * tiny-box master equation, point_space.h). */
static unsigned lattice_references(const lrk_model *m)
{
    /* with disorder the references are those of disorder.h (point.c) */
    if (lrk_disorder_active(m))
        return 0u;
    /* no neighbour within d_el (S = 0): independent LREs, the chain with
     * V1 = 0, which point.c then uses (point_space_reference_model) */
    if (m->space.kernel == LRK_KERNEL_UNIFORM || lrk_model_coupling(m) * m->V1 == 0.0
        || lrk_stencil_sum(&m->space) == 0.0)
        return LRK_REF_ALL;
    return LRK_REF_ODE;
}

const lrk_engine_type lrk_engine_lattice = {
    .name = "lattice",
    .max_lanes = LRK_LATTICE_LANES,
    .extra_count = lattice_extra_count,
    .shared_alloc = lattice_alloc,
    .shared_free = lattice_free,
    .worker_alloc = lattice_worker_alloc,
    .worker_free = lattice_worker_free,
    .simulate = lattice_simulate,
    .validate = lattice_validate,
    .references = lattice_references,
    .results_version = 13,   /* 2: the faster tree, disorder in space, tiny-box master reference, the
                               lattice words of the stream key (round 2); 3: SER in space ends an
                               auto grid by the slowest chain's Chernoff bound, not a pilot; 4: so
                               does SER with disorder in space, by the slowest uncoupled model's
                               exact mean; grid_covers is a z-test (point.c); 5: the grouped update
                               by row segments (other additions in the block deltas); 6: weak CER
                               in space ends an auto grid by the initial rates' exact bound; 7: rates
                               that never increase (SER, V1 = 0) take the lazy upper-bound tree
                               (thinning: the stream also feeds the null candidates); 8: relaxation.csv gained chi4_err, and the local q (a resumed run must not keep points without them);
                               9: the lazy mode walks to the next candidate before the update (the
                               batch repair then sees the rates before the event); 10: the lazy mode
                               stores float upper bounds with exact acceptance where it is faster
                               (stencils >= 200 entries, > 8 MB of double rates; the model's rate is
                               the stencil-order product); 11: the float path also for stencils
                               >= 18 entries and boxes > 512 KB of double rates (its pick now
                               selects without branches: the same bits, and faster); 12: beyond 4 MB
                               of float rates (L >= 102) the pipelined loop (walks two events ahead,
                               picks before the previous update where it may: other draws, the same
                               law); 13: the pipelined loop walks its candidates 32 at a time, and
                               runs beyond 1 MB of float rates (L > 64) */
};
