/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * grid_end.h - where `grid.t_max: auto` ends the time grid so that it covers
 * the simulated ensemble, not only the mean-field ODE (docs/fit.md, "Where
 * the grid ends").
 *
 * The KMC mean at time t is E q(t) = (1/N) sum_{m=1..N} P(T_m <= t), T_m the
 * time of the m-th event.  The ODE's t(q_max) does not bound it: at low-T CER
 * the first event alone has a spread as large as its mean, and at
 * t_ode(q_max) the ensemble mean is only ~0.55-0.7.  Both rules below give a
 * t_ens with E q(t_ens) >= q_max; the grid ends at
 *     t_max = max(t_ode(q_max), t_ens).
 *
 * Rule `moments` (engines with exact first-passage rates: the mean-field
 * chain).  For any n' in (q_max N, N] the m <= n' events are each done by T_n'
 * and the others count at most 1 each, so
 *     E[N - n(t)] <= (N - n') + n' P(T_n' > t),
 * and E q(t) >= q_max as soon as P(T_n' > t) <= eps(n') = 1 - q_max N / n'.
 * T_n' = sum_{i<n'} E_i / lambda_i is a sum of independent exponentials; its
 * tail is bounded by Chernoff's inequality, exactly (no normal approximation):
 *     P(T > t) <= inf_{0 < s < min lambda} e^(-s t) prod_i lambda_i / (lambda_i - s).
 * For each n' the smallest t with bound eps(n') is found by a safeguarded
 * Newton iteration on the (unique) optimum in s; n' runs over
 * q_max N + D 4^-j (D = (1 - q_max) N, j = 0, 1, ...) until t rises, and
 * the smallest t is taken: every candidate is a valid bound.  Cost: 10-35
 * O(N) passes (one per Newton step; N = 1e6: 0.6 s, N = 1e7: 8 s), about
 * the events of 30-60 KMC trajectories.  Models whose barriers only rise
 * (c >= 0) are bounded through a slower model with the exact rates: LREs in
 * space without disorder by the Chernoff bound of the chain of independent
 * LREs at the slowest rate e^(-(V0 + c V1)/T); disorder (mean field or in
 * space) by the exact mean p(t) of the uncoupled disorder model at the
 * barriers V0 + c V1 + delta_i (lrk_disorder_relaxed_fraction), which bounds
 * E q(t) from below pathwise, so t_ens = its t(q_max) (grid_end.c).  Falling
 * barriers (c V1 < 0) in space or with disorder likewise by the uncoupled
 * LREs at their initial barriers V0 + delta_i (loose by up to e^(|c| V1/T)).
 *
 * Rule `pilot` (any engine: only first-passage times at levels are used).  A
 * pilot ensemble of LRK_GRID_PILOT_TRAJECTORIES = M trajectories with its own
 * seed (lrk_grid_pilot_seed) records T_n' at the same candidate events n'.
 * For each, the r-th largest of the M samples is an upper confidence bound of
 * the (1 - eps(n'))-quantile of T_n': it falls below that quantile only if at
 * most r - 1 samples exceed it, probability P(Bin(M, eps) <= r - 1)
 * (distribution-free); r is the largest with that <= LRK_GRID_PILOT_ALPHA / C
 * (C candidates, union bound), and t_ens the smallest bound over candidates.
 * So E q(t_ens) >= q_max with probability >= 1 - LRK_GRID_PILOT_ALPHA over
 * the pilot.  With eps <= 1 - q_max = 0.01 this needs M >= ~900; the pilot
 * costs M trajectories.  Deterministic: the pilot's times come in trajectory
 * order whatever the thread count, so the same seed gives the same grid.
 */
#ifndef LREKMC_GRID_END_H
#define LREKMC_GRID_END_H

#include <stddef.h>
#include <stdint.h>

#include "lrekmc/model.h"
#include "lrekmc/status.h"

#ifdef __cplusplus
extern "C" {
#endif

/* The values of `grid.t_max_rule` in the order of its choices, then FIXED. */
typedef enum lrk_grid_end_rule {
    LRK_GRID_END_AUTO = 0,  /* the engine's rule when there is an ensemble
                               (kmc.trajectories > 0), else ODE */
    LRK_GRID_END_ODE,       /* t_ode(q_max) alone */
    LRK_GRID_END_MOMENTS,   /* an exact bound: Chernoff on exact rates, or a bounding uncoupled model */
    LRK_GRID_END_PILOT,     /* pilot ensemble */
    LRK_GRID_END_FIXED      /* not a choice: grid.t_max given as a number */
} lrk_grid_end_rule;

#define LRK_GRID_PILOT_TRAJECTORIES 1024
#define LRK_GRID_PILOT_ALPHA 1e-3

/* The choices of grid.t_max_rule, indexed by the enum, NULL-terminated
 * ("fixed" is not a choice). */
extern const char *const lrk_grid_end_rule_names[];

/* "auto", "ode", "moments", "pilot", "fixed" */
const char *lrk_grid_end_rule_name(lrk_grid_end_rule rule);

/* How much later than the mean field's t(q_max) the CER bound from the
 * initial rates may end before `auto` prefers the pilot (which ends at
 * 2.6-3.8 t_ode where it was compared, docs/fit.md). */
#define LRK_GRID_END_BOUND_SLACK 2.5

/* The rule `auto` takes for model m at q_max: `moments` when an exact bound
 * applies (the chain's first-passage moments; rising barriers in space or
 * with disorder; falling ones, in space or with disorder, while the initial
 * rates' bound is within LRK_GRID_END_BOUND_SLACK t_ode), `ode` for disorder
 * without coupling (p(t) is exact), else `pilot`. */
lrk_grid_end_rule lrk_grid_end_rule_for(const lrk_model *m, double q_max);

typedef struct lrk_grid_end {
    lrk_grid_end_rule rule;
    double t_ode;          /* ODE time to q_max */
    double t_ensemble;     /* t_ens of the rule (NaN for `ode`) */
    double t_max;          /* max(t_ode, t_ensemble) */
    long level_event;      /* moments: the n' that gave t_ens; pilot: N */
} lrk_grid_end;

/* Rule `moments`: t_ens for model m (validated) and q_max in (0, 1). */
lrk_status lrk_grid_end_moments(const lrk_model *m, double q_max, double *t_out, long *n_used,
                                lrk_error *err);

/* Rule `pilot`: t_ens from LRK_GRID_PILOT_TRAJECTORIES trajectories seeded
 * with pilot_seed (use lrk_grid_pilot_seed(kmc.seed)), on `threads` threads
 * (0 = all; the result does not depend on it). */
lrk_status lrk_grid_end_pilot(const lrk_model *m, double q_max, uint64_t pilot_seed, int threads,
                              double *t_out, lrk_error *err);

/* LRK_OK when the pilot can bound q_max at N whatever its times (some
 * candidate has a rank r > 0: q_max^M <= alpha / C roughly, so q_max up to
 * ~0.992 with M = 1024); else LRK_ERR_INVALID naming grid.q_max and the
 * largest value that works.  What `check` asks before `run` needs it. */
lrk_status lrk_grid_end_pilot_check(long N, double q_max, lrk_error *err);

/* LRK_OK when `rule` (resolved, not AUTO) can end the grid of model m (the
 * references' model, point_space.h) at q_max; else the error the run would
 * give: pilot, a q_max it can bound (lrk_grid_end_pilot_check); moments,
 * the chain's exact rates (no disorder, no r3 lattice); ode with disorder,
 * a multi-class mean field that converges (solved here: ms, 0.2 s at worst).
 * What `check` asks before `run` needs it. */
lrk_status lrk_grid_end_rule_check(const lrk_model *m, lrk_grid_end_rule rule, double q_max, lrk_error *err);

/* What `check` asks of grid.t_max: auto: LRK_OK when the rule that `rule`
 * resolves to (lrk_grid_end_rule_resolve) can end the grid
 * (lrk_grid_end_rule_check).  Where auto would choose between two rules
 * that both can (falling barriers: the initial rates' bound or the pilot,
 * decided by the mean field's t(q_max), seconds for very wide disorder), it
 * does not compute the choice. */
lrk_status lrk_grid_end_check(const lrk_model *m, lrk_grid_end_rule rule, long trajectories, double q_max,
                              lrk_error *err);

/* The rule a point uses: `rule` unless AUTO, which is the engine's rule
 * (lrk_grid_end_rule_for) with an ensemble (trajectories > 0), else ODE. */
lrk_grid_end_rule lrk_grid_end_rule_resolve(const lrk_model *m, lrk_grid_end_rule rule, long trajectories,
                                            double q_max);

/* The pilot's own seed, derived from the run's (a SplitMix64 step of the seed
 * mixed with a constant).  Its trajectory generators are then SeedSequence
 * children of (pilot seed, model) (streams.h), never the run's: the hash
 * makes them independent of the run's streams. */
uint64_t lrk_grid_pilot_seed(uint64_t seed);

/* t_max by `rule` (not AUTO or FIXED): t_ode(q_max), then t_ens unless the
 * rule is ODE. */
lrk_status lrk_grid_end_compute(const lrk_model *m, double q_max, lrk_grid_end_rule rule, uint64_t seed,
                                int threads, lrk_grid_end *out, lrk_error *err);

#ifdef __cplusplus
}
#endif

#endif /* LREKMC_GRID_END_H */
