/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * engine.h - what simulates one trajectory: the seam between the KMC ensemble
 * (kmc.h, kmc_run.c: batching, threads, MPI, statistics, sinks) and a model's
 * event dynamics.  In the style of gsl_odeiv2_step_type: an engine is a
 * constant struct of function pointers, and kmc_run.c never knows which one
 * it drives.
 *
 * FINAL SHAPE = the helpers' brief with two changes:
 *   1. extra_count takes (const lrk_model *, const lrk_engine_grid *), not the
 *      shared tables: a result (kmc.h) is sized before any tables exist (MPI
 *      rank 0 creates one per worker slice to receive into, and never builds
 *      tables for them).  NULL still means no extras.
 *   2. optional members at the end: validate, extra_name, references and
 *      results_version (designated initialisers stay valid; NULL or 0 has
 *      the meaning given below).
 *
 * Contract of an engine, which kmc_run.c relies on:
 *   - A trajectory starts at n = 0 and relaxes all N LREs, each once: it is
 *     exactly N events (kmc_run.c counts N per trajectory for `events` and
 *     progress).  n(t) = events at times <= t is nondecreasing.
 *   - simulate() writes, for each lane l < lanes,
 *       n_at[l * (t_count + 1) + k]         n(t_k), k < t_count (slot t_count is
 *                                           scratch the engine may write);
 *       first_passage[l * level_count + j]  the time of event level_events[j];
 *       extra[l * extra_count + e]          the engine's own observables.
 *   - All randomness of trajectory l comes from rng[l], already seeded for it
 *     (lrk_pcg64 of rng.h; kmc_run.c seeds, an engine never does).  An engine
 *     draws in a fixed order (quenched disorder first, then events), and the
 *     lane that runs a trajectory, the other lanes and the worker's history
 *     change none of its numbers: that is what makes the output bytes
 *     independent of threads, batch splits and MPI ranks.
 *   - shared is read-only once allocated and used by all threads at once;
 *     worker is one thread's scratch.  simulate() cannot fail: every
 *     allocation happens in shared_alloc/worker_alloc.
 *   - extra_count(m, g) is fixed for a run (it may depend on the model and
 *     grid, not on the trajectory).  kmc_run.c averages the extras per batch
 *     (Welford in trajectory order) and over batches (Chan merge in batch
 *     order), exactly like q and the first-passage times (kmc.h extra_*).
 */
#ifndef LREKMC_ENGINE_H
#define LREKMC_ENGINE_H

#include <stddef.h>
#include <stdint.h>

#include "lrekmc/model.h"
#include "lrekmc/rng.h"
#include "lrekmc/status.h"

#ifdef __cplusplus
extern "C" {
#endif

/* What every trajectory of a run is recorded on; built once per run by
 * kmc_run.c and valid until the run's shared_free. */
typedef struct lrk_engine_grid {
    long N;
    const double *t;            /* t_count grid times, nondecreasing; t[t_count] = +INFINITY */
    size_t t_count;
    const long *level_events;   /* n_j = lrk_level_event_count(q_j, N), nondecreasing, in [1, N] */
    size_t level_count;
} lrk_engine_grid;

/* The exact (deterministic) references of lrekmc (docs/design.md section 2);
 * an engine says which of them describe its ensemble, and the point pipeline
 * (point.c) computes only those: the columns of the others stay empty. */
enum {
    LRK_REF_ODE = 1u << 0,           /* mean-field q(t) and level times (ode.h) */
    LRK_REF_LNA = 1u << 1,           /* linear-noise std of q(t) (lna.h) */
    LRK_REF_FIRST_PASSAGE = 1u << 2, /* exact first-passage moments (first_passage.h) */
    LRK_REF_MASTER = 1u << 3,        /* master-equation mean and std of q(t) (master.h) */
    LRK_REF_ALL = (1u << 4) - 1
};

typedef struct lrk_engine_type {
    const char *name;           /* "chain", "disorder", "lattice" */
    int max_lanes;              /* trajectories one simulate() call takes, >= 1 */
    /* Number of per-trajectory extra observables of a run on grid g (its
     * arrays are valid during the call); NULL means 0. */
    size_t (*extra_count)(const lrk_model *m, const lrk_engine_grid *g);
    /* Read-only tables for a run, O(N). */
    lrk_status (*shared_alloc)(const lrk_model *m, const lrk_engine_grid *g, void **shared,
                               lrk_error *err);
    void (*shared_free)(void *shared);
    /* One thread's scratch; worker_alloc may leave *worker NULL when none is needed. */
    lrk_status (*worker_alloc)(const void *shared, void **worker, lrk_error *err);
    void (*worker_free)(void *worker);
    /* Simulate 1 <= lanes <= max_lanes trajectories (see the contract above). */
    void (*simulate)(const void *shared, void *worker, lrk_pcg64 *rng, int lanes, uint32_t *n_at,
                     double *first_passage, double *extra);

    /* Optional: model checks beyond lrk_model_validate, run by lrk_kmc_validate
     * (so by `check` too); the message names the parameter and its range. */
    lrk_status (*validate)(const lrk_model *m, lrk_error *err);
    /* Optional: the name of extra observable e < extra_count for model m (an
     * output column stem, e.g. "delta_mean"; a static string); a NULL member
     * means lrk_engine_extra_name's "extra_<e>". */
    const char *(*extra_name)(const lrk_model *m, size_t e);
    /* Optional: the LRK_REF_* bits that are exact for model m; NULL means none. */
    unsigned (*references)(const lrk_model *m);
    /* Optional: the version of the numbers this engine's points produce (its
     * trajectories and its references, and the pipeline's columns computed
     * from them, such as grid_covers); 0 means 1.  Bump it in the same
     * commit as any change that alters an output byte for the same
     * configuration and seed: a finished point's `done` records it, and a
     * resumed campaign computes again the points made by another version
     * (rundir.h), instead of mixing two engines' bytes in one table. */
    int results_version;
} lrk_engine_type;

/* The mean-field birth chain of model.h (engine_chain.c). */
extern const lrk_engine_type lrk_engine_chain;
/* Quenched barrier disorder, operational time (engine_disorder.c, disorder.h). */
extern const lrk_engine_type lrk_engine_disorder;

/* LREs on a periodic cubic lattice, model.space (engine_lattice.c,
 * lattice_engine.h); its extras are the observables of lattice_observe.h. */
extern const lrk_engine_type lrk_engine_lattice;

/* The engine that simulates model m: the chain unless the model asks for
 * disorder or space; a lattice runs on the lattice engine, except kernel
 * uniform with disorder, which is exactly the mean-field disorder model and
 * runs on the disorder engine (docs/space.md, "Disorder in space"). */
const lrk_engine_type *lrk_engine_for_model(const lrk_model *m);

/* The registered engine called name, or NULL. */
const lrk_engine_type *lrk_engine_by_name(const char *name);

/* e's results version (>= 1). */
int lrk_engine_results_version(const lrk_engine_type *e);

/* The LRK_REF_* bits that apply to model m under engine e (NULL e: the
 * model's engine). */
unsigned lrk_engine_references(const lrk_engine_type *e, const lrk_model *m);

/* Number of extras of a run (0 when the member is NULL). */
size_t lrk_engine_extra_count(const lrk_engine_type *e, const lrk_model *m, const lrk_engine_grid *g);

/* The name of extra observable i: the engine's, or "extra_<i>" written into
 * buf (size >= 32), which is then returned. */
const char *lrk_engine_extra_name(const lrk_engine_type *e, const lrk_model *m, size_t i, char *buf,
                                  size_t size);

#ifdef __cplusplus
}
#endif

#endif /* LREKMC_ENGINE_H */
