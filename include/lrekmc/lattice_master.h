/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * lattice_master.h - the exact master equation of LREs in a tiny periodic
 * box (model.space with N <= LRK_LATTICE_MASTER_MAX_N sites), the exact
 * reference of the spatial engine where no other one exists.
 *
 * The state is the set S of relaxed sites (a bit mask, 2^N states).  From S,
 * each unrelaxed site i fires at rate r_i(S) = exp(-(V0 + c sum_{j in S}
 * J_ij) / T), J from the stencil (lattice.h); the rates are evaluated with
 * exp() directly, independently of the engine's multiplicative updates.
 * The chain only adds sites, so the state graph is a DAG ordered by |S|.
 *
 * q(t): P(t) by uniformization (P(t + dt) = sum_m Pois(m; L dt) P (I + Q/L)^m,
 * L = the largest exit rate), in sub-steps with L dt <= 20; the Poisson sum
 * of each sub-step is cut when the remaining mass is below 1e-17, so mean
 * and std of q are exact to ~1e-13.
 * Level times: one forward pass over the DAG carries, per state, the
 * probability pi(S) that the path visits S and E[T 1{visit S}],
 * E[T^2 1{visit S}] of its arrival time T; a holding time Exp(Lambda(S)) is
 * independent of the past and of where the path goes next, so
 *   E[T_n] = sum_{|S| = n} E[T 1{S}],  E[T_n^2] = sum_{|S| = n} E[T^2 1{S}].
 * Cost O(2^N N) memory and O(2^N N) per uniformization step.
 */
#ifndef LREKMC_LATTICE_MASTER_H
#define LREKMC_LATTICE_MASTER_H

#include <stddef.h>

#include "lrekmc/model.h"
#include "lrekmc/status.h"

#ifdef __cplusplus
extern "C" {
#endif

#define LRK_LATTICE_MASTER_MAX_N 16

/* For a validated model with a cubic lattice and N <= LRK_LATTICE_MASTER_MAX_N:
 * mean and std of q at the t_count grid times (nondecreasing, >= 0), and
 * mean and std of the time of event level_events[j] (in [1, N]).  Any
 * output pointer may be NULL (with its count 0). */
lrk_status lrk_lattice_master_solve(const lrk_model *m, const double *t, size_t t_count, double *q_mean,
                                    double *q_std, const long *level_events, size_t level_count, double *t_mean,
                                    double *t_std, lrk_error *err);

#ifdef __cplusplus
}
#endif

#endif /* LREKMC_LATTICE_MASTER_H */
