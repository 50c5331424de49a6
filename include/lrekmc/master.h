/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * master.h - the exact finite-N master equation of the pure-birth process,
 *   dP_n/dt = lambda_{n-1} P_{n-1} - lambda_n P_n,   P_0(0) = 1,
 * giving the exact mean and standard deviation of q(t) = n(t)/N.  The KMC
 * mean converges to this, not to the mean-field ODE (which is off by O(1/N)).
 *
 * Method: windowed, piecewise uniformization.  The distribution of n is a
 * packet of width O(sqrt N) that only moves up; it is advanced in sub-steps of
 * about 256 expected uniformized jumps, each with its own rate
 * Lambda = max lambda_n over the states the packet can reach in that sub-step,
 * so the total number of jumps is about the number of real events (~ N times
 * a small factor) and each jump costs only the packet width.  Everything is a
 * sum of non-negative terms: no cancellation, even with equal or near-equal
 * rates.  Lost mass (Poisson tail cut and negligible edge states, 1e-20 per
 * sub-step each) is bounded rigorously; mean and std of q are accurate to far
 * better than 1e-9 absolute (tests: within 1e-12 of a tight direct GSL
 * integration, 1e-13 of closed forms).
 *
 * Cost: one cell update per state of the packet per uniformized jump, about
 * (N + 20 * points) jumps times the packet width (tens of sqrt(N) states),
 * independent of t_max and of the stiffness of the rates.  Measured (400-point
 * grid to the mean-field q = 0.99, V0/T = V1/T = 1, bench/bench_master.c):
 * N = 1000: 2-3e6 updates, ~3 ms; N = 5000: 1-1.4e7 updates, ~15 ms;
 * N = 3e5: ~1 s.  Width grows to O(N) where q(t) stops self-averaging: strong
 * CER coupling, whose avalanche onset time fluctuates (V0/T = V1/T = 10:
 * N = 1000 0.1 s, N = 5000 ~1 s).
 * Limits: N <= LRK_MASTER_MAX_N; a solve stops with LRK_ERR_INVALID and a
 * message after LRK_MASTER_MAX_WORK cell updates (~3 s of CPU), reached e.g.
 * for N = 10^6, or CER with V0/T = V1/T = 15 at N = 1000.  Times far past full
 * relaxation cost nothing: once all mass sits in n = N nothing moves.
 */
#ifndef LREKMC_MASTER_H
#define LREKMC_MASTER_H

#include <stddef.h>

#include "lrekmc/model.h"

#ifdef __cplusplus
extern "C" {
#endif

/* `references.master_equation: auto` solves it for N up to this. */
#define LRK_MASTER_AUTO_MAX_N 5000L

/* Largest N the solver accepts (its tables hold 5 (N + 1) doubles). */
#define LRK_MASTER_MAX_N 1000000L
/* Cell updates (one state, one uniformized jump) after which a solve stops
 * (about 2.5 s of CPU on the development machine). */
#define LRK_MASTER_MAX_WORK 4e9
/* Bound on the lost probability mass beyond which a solve reports failure
 * (it is ~1e-20 per sub-step, so this is never reached in practice). */
#define LRK_MASTER_MAX_LOST 1e-12

/* Mean and standard deviation of q at each time t[0..count-1] (ascending,
 * t >= 0), accurate to 1e-9 absolute. */
lrk_status lrk_master_solve(const lrk_model *m, const double *t, size_t count, double *q_mean,
                            double *q_std, lrk_error *err);

/* The same with a caller-chosen work limit (cell updates, > 0) instead of
 * LRK_MASTER_MAX_WORK; beyond it the solve stops with LRK_ERR_INVALID. */
lrk_status lrk_master_solve_limited(const lrk_model *m, const double *t, size_t count, double *q_mean,
                                    double *q_std, double max_work, lrk_error *err);

/* The whole distribution P_n(t), n = 0..N, into p (N + 1 doubles, caller
 * owns).  0 <= p[n] <= the exact P_n(t); *lost (if not NULL) receives a
 * rigorous bound on the missing mass 1 - sum p, itself <= LRK_MASTER_MAX_LOST. */
lrk_status lrk_master_distribution(const lrk_model *m, double t, double *p, double *lost,
                                   lrk_error *err);

#ifdef __cplusplus
}
#endif

#endif /* LREKMC_MASTER_H */
