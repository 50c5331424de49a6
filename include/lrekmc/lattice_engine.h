/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * lattice_engine.h - exact KMC of LREs on a periodic cubic lattice
 * (model.space, lattice.h; method and proofs in docs/space.md).
 *
 * A trajectory starts with every site unrelaxed, rate k = exp(-V0/T) each,
 * and runs until all N sites have relaxed.  Each step draws the waiting time
 * E / (k R) (E a unit exponential, R the sum of the relative rates) and then
 * the site that fires with probability rate / R (one uniform), in this order
 * and from the trajectory's own generator only.  When site i fires, every
 * site j = i + o of its stencil has its rate multiplied by the precomputed
 * factor exp(-c J_o / T): no exponential is evaluated per event, no rate is
 * clamped, relaxed sites have rate exactly 0.
 *
 * Rates live in blocks of 4 x 4 x 4 sites under a shallow sum tree whose
 * nodes group 2 x 2 x 2 children (lattice_tree.h).  Sums follow the events
 * by deltas, each node with a rigorous bound on its round-off, recomputed
 * exactly from its children before the bound exceeds (level + 1) 1e-13 of
 * its sum (the removal of a dominant rate, where a delta cancels, is caught
 * by the bound).  So every stored sum is within 8e-13 (relative) of the exact
 * sum of the stored rates, whatever the history, and a relaxed site (rate
 * exactly 0) is never selected.  A rate is the product of at most |stencil|
 * factors, so its relative error is at most |stencil| x 2^-53.
 * When no rate can rise (every factor <= 1: SER, the crossover where
 * c >= 0, V1 = 0) the tree holds upper bounds instead, rounded up when
 * recomputed, and the draws are thinned: the waiting time is E / (k U) with
 * U >= R the root's bound, and a uniform that falls in a node's or block's
 * slack is a null candidate (the time advances, nothing relaxes, the slack
 * is repaired).  The law is exactly the same; the event then only
 * multiplies the rates, and the tree is repaired lazily (docs/space.md,
 * "Rates that never increase").
 * Kernel uniform: all unrelaxed sites have the same rate, so the engine is
 * the mean-field chain with positions: the waiting time uses 1/lambda_n and
 * the site is uniform among the unrelaxed (a swap-remove list).
 *
 * Disorder (model.disorder active): each trajectory first draws delta_i for
 * every site i in row-major order (lrk_disorder_draw, before any other
 * draw); site i starts at relative rate exp(-delta_i / T) and the event
 * factors multiply on top.  With the uniform kernel the rates are then not
 * equal, but the interaction is a factor g(n) = exp(-c V1 n / (N T)) common
 * to all sites: the tree holds exp(-delta_i / T) with no stencil and the
 * waiting time is divided by g(n).
 *
 * Output per trajectory is what the mean-field engine writes: n(t_k), the
 * number of events at times <= t_k, at each grid time, and the time of event
 * level_events[j] at each level.
 *
 * Lanes: a worker of a small box whose rates can rise (the accurate sums)
 * steps LRK_LATTICE_LANES trajectories together, event by event (lrk_lattice_simulate_lanes), each on its own
 * rates, tree and generator, so that one trajectory's dependent chains
 * overlap the other's work; every trajectory's output is byte for byte
 * what lrk_lattice_simulate gives it alone.
 *
 * Memory: shared O(|stencil| + N) (4 bytes per padded site for the slot
 * table, 64 |stencil| x 9 bytes for the grouped stencil, 12 |stencil| for
 * the local q's neighbourhood); per worker and lane 8.7 N' + N + H/8 bytes
 * (N' = N padded to whole blocks, H the box padded by the stencil's reach
 * on every side, a bit a site) for the rates, the tree's sums and bounds, the lazy
 * mode's stale-block list and flags, the relaxed field and its halo copy
 * (4.7 N' instead of 8.7 N' where the lazy mode stores float upper bounds:
 * lrk_lattice_rate_bytes; with disorder 8 N' more for their base rates,
 * read only for the rare exact acceptance),
 * and once per worker < 0.3 N'
 * for the scratch, 8 N for the disorder offsets, 4 N for the uniform
 * kernel's list (one lane state there), and 22 N for the observables (FFT
 * arrays, union-find).  L = 256 takes about 0.6 GB per worker (one lane).
 */
#ifndef LREKMC_LATTICE_ENGINE_H
#define LREKMC_LATTICE_ENGINE_H

#include <stddef.h>
#include <stdint.h>

#include "lrekmc/lattice.h"
#include "lrekmc/model.h"
#include "lrekmc/rng.h"
#include "lrekmc/status.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct lrk_lattice_shared lrk_lattice_shared;  /* read-only, shared by threads */
typedef struct lrk_lattice_worker lrk_lattice_worker;  /* one per thread */

/* Trajectories a worker steps together (lrk_lattice_simulate_lanes). */
#define LRK_LATTICE_LANES 2

/* The output grid: t_count grid times (finite, >= 0, nondecreasing) and
 * level_count level event counts (nondecreasing, in [1, N]). */
typedef struct lrk_lattice_grid {
    const double *t;
    size_t t_count;
    const long *level_events;
    size_t level_count;
} lrk_lattice_grid;

/* Largest log of a relative rate or of their sum that the engine accepts. */
#define LRK_LATTICE_MAX_LOG_RATE 700.0

/* What the engine refuses beyond lrk_model_validate: no lattice, or rates
 * doubles cannot hold: V1/T + ln N >= 700 (the sum could overflow); with
 * disorder over its support [lo, hi] (lrk_disorder_support)
 * max(-lo/T, 0) + V1/T + ln N >= 700 or max(hi/T, 0) + V1/T >= 700 (an
 * unrelaxed rate could underflow), the message naming model.disorder.width. */
lrk_status lrk_lattice_validate(const lrk_model *m, lrk_error *err);

/* Build the shared tables for a validated model with a cubic lattice
 * (refusing what lrk_lattice_validate refuses). */
lrk_status lrk_lattice_shared_create(const lrk_model *m, const lrk_lattice_grid *g, lrk_lattice_shared **out,
                                     lrk_error *err);
/* The same with an explicit stencil (kernel r3 machinery, any weights):
 * J_o = scale * st->W[o] with scale = V1 / S, or V1 / N when m's kernel is
 * uniform.  Tests use it to drive the sum tree with the dense uniform
 * stencil, whose exact reference is the mean-field master equation. */
lrk_status lrk_lattice_shared_create_stencil(const lrk_model *m, const lrk_stencil *st, const lrk_lattice_grid *g,
                                             lrk_lattice_shared **out, lrk_error *err);
void lrk_lattice_shared_free(lrk_lattice_shared *s);

/* Number of stencil entries the engine updates per event (0 for the
 * uniform fast path). */
size_t lrk_lattice_stencil_count(const lrk_lattice_shared *s);

lrk_status lrk_lattice_worker_create(const lrk_lattice_shared *s, lrk_lattice_worker **out, lrk_error *err);
void lrk_lattice_worker_free(lrk_lattice_worker *w);

/* Optional: sites[n] receives the row-major site number x + Lx (y + Ly z)
 * of event n + 1 (N entries); times[n] its time.  NULL turns it off. */
void lrk_lattice_worker_record(lrk_lattice_worker *w, long *sites, double *times);
/* The same for lane `lane` (0 <= lane < LRK_LATTICE_LANES; others ignored)
 * of lrk_lattice_simulate_lanes; lane 0 is also lrk_lattice_simulate's. */
void lrk_lattice_worker_record_lane(lrk_lattice_worker *w, int lane, long *sites, double *times);

/* Trajectories the worker steps together: LRK_LATTICE_LANES while both
 * lanes' rates fit in lrk_lattice_lanes_machine_bytes() (4 MB, L <= 64 for a
 * cube, where the machine reports 32 MB of L3 or less) and rates can rise, else 1
 * (lanes then run one after the other on lane 0); 1 for the uniform fast
 * path and for rates that never increase (the lazy tree, where one lane
 * already overlaps its update with its next walk). */
int lrk_lattice_worker_lanes(const lrk_lattice_worker *w);
/* The two-lane limit on both lanes' double rates for an L3 cache of
 * l3_bytes (<= 0: unknown): max(4 MB, l3_bytes / 8); the same for this
 * machine's L3 (sysconf(_SC_LEVEL3_CACHE_SIZE)).  Lanes change no byte of
 * the output, only the speed and the memory (resources.h). */
size_t lrk_lattice_lanes_max_bytes(long l3_bytes);
size_t lrk_lattice_lanes_machine_bytes(void);

/* Number of extras per trajectory (lattice_observe.h's layout). */
size_t lrk_lattice_extra_count(const lrk_lattice_shared *s);

/* Simulate one trajectory: n_at[k] for k < t_count, first_passage[j] for
 * j < level_count, and, unless extra is NULL, the observables of
 * lattice_observe.h into extra[0 .. extra_count).  rng is advanced; the
 * observables draw nothing, so they never change the trajectory. */
void lrk_lattice_simulate(const lrk_lattice_shared *s, lrk_lattice_worker *w, lrk_pcg64 *rng, uint32_t *n_at,
                          double *first_passage, double *extra);

/* Simulate `lanes` >= 1 trajectories, trajectory l from rng[l], pairs of
 * them stepped together (an odd last one alone): n_at[l (t_count + 1) + k],
 * first_passage[l level_count + j] and, unless extra is NULL,
 * extra[l extra_count + e] (engine.h's layout).  Each trajectory's output
 * is byte for byte that of lrk_lattice_simulate with rng[l]. */
void lrk_lattice_simulate_lanes(const lrk_lattice_shared *s, lrk_lattice_worker *w, lrk_pcg64 *rng, int lanes,
                                uint32_t *n_at, double *first_passage, double *extra);

#ifdef __cplusplus
}
#endif

/* Bytes a lane stores per padded site for the rates of m: 4 where the
 * lazy mode takes float upper bounds (rates that never increase, and the
 * disorder's range times the stencil's factors within 2^-101, and a stencil
 * of >= 18 entries or more than 512 KB of double rates: lattice_float.c),
 * else 8 (also for a model the engine refuses).  resources.c's memory
 * estimate and the two-lane rule (lrk_lattice_lanes_max_bytes) use it. */
size_t lrk_lattice_rate_bytes(const lrk_model *m);

#endif /* LREKMC_LATTICE_ENGINE_H */
