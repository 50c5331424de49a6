/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * disorder_master.h - the exact finite-N law of q(t) for bimodal barrier
 * disorder at any coupling: the two-class master equation (issue 13).
 *
 * Model (disorder.h).  Each LRE draws delta = +w or -w with probability 1/2,
 * independently, once per trajectory; an unrelaxed LRE of class +/- fires at
 * rate k_+-(n) = exp(-(V(n) +- w)/T), V(n) = lrk_model_barrier(m, n) (so ser,
 * cer, crossover and a resolved model.elastic are all covered).
 *
 * State.  (u, v) = the unrelaxed LREs of class + and -, n = N - u - v
 * relaxed.  Rates: (u, v) -> (u - 1, v) at u k_+(n), (u, v) -> (u, v - 1) at
 * v k_-(n).  These depend on (u, v) only, not on how many LREs drew +, so the
 * mixture over N+ ~ Binomial(N, 1/2) (the same as lrk_disorder_bimodal_levels)
 * is ONE chain on the triangle u + v <= N, started from
 * P(u, N - u) = Binomial(N, 1/2)(u): (N + 1)(N + 2)/2 states, a DAG in n.
 *
 * Method: windowed uniformization in two dimensions, the scheme of master.h.
 * The probability packet is kept on a region {u in [u_lo, u_hi], v in
 * [v_lo, v_hi], n in [n_lo, n_hi]} and advanced in sub-steps of at most 128
 * expected jumps, each uniformized with its own rate Lambda = an upper bound
 * of the total rate over every state the sub-step can reach from the states
 * that carry mass (rates only fall along a path except through the
 * n-dependence, which is bounded by its maximum over the reachable levels).
 * The sub-step length is chosen per sub-step for the least work per unit
 * time (short when the rates rise steeply with n).  Every operation adds
 * non-negative terms, so with rates spanning hundreds of decades nothing
 * cancels: a state keeps its relative accuracy.  States below 1e-30 and edge
 * rows, columns and diagonals whose mass sums to <= 1e-20 are dropped, so a
 * class that has relaxed leaves the region and stops setting Lambda (this is
 * what makes stiff, low-T cases cheap).  Lost mass (Poisson tails and dropped
 * states) is summed as a rigorous bound D; a solve fails (LRK_ERR_NUMERIC)
 * if D > 1e-12.
 *
 * Accuracy.  With P~ the computed and P the exact distribution,
 * 0 <= P~ <= P up to relative rounding (~1e-16 per addition) and
 * sum(P - P~) <= D; the moments are normalised by the computed mass, and as
 * q lies in [0, 1] its mean and variance are off by <= 2D and <= 4D (in
 * practice D ~ 2e-18).  Tests (tests/test_disorder_master.c): the
 * chain's master equation at w = 0 and the binomial law at V1 = 0 to
 * <= 1e-12, a per-LRE matrix exponential at N <= 4 to <= 1e-12, and the exact
 * level-time moments (lrk_disorder_bimodal_levels) by quadrature of P(n < m)
 * to 1e-10 relative (measured 3e-13), also with rates 104 decades apart
 * (w/T = 60, c V1/T = 120).
 *
 * Range and cost.  N <= LRK_DISORDER_MASTER_MAX_N (memory 3 (N + 2)^2
 * doubles: 3.9 MB at N = 400, 96 MB at 2000).  Cost: one cell update (~2.5 ns)
 * per state of the packet per uniformized jump, about (a few N + 20 per grid
 * point) jumps times the packet area (~100 N states while q(t) self-averages,
 * up to N^2 / 2 when it does not).  Measured (bench/bench_disorder_master.c,
 * 100-point grid to the mean-field q = 0.98, V0/T = 1, V1/T = 1.5,
 * w/T = 0.8): N = 400 SER 4.5e7 updates (0.11 s), CER 8.8e7 (0.24 s).
 * Strong CER coupling, whose avalanche onset fluctuates, spreads the packet
 * over the triangle while the rates differ by e^|a| within it: V1/T = 4 at
 * N = 200 needs 1.6e8 updates, V0/T = V1/T = 10 with w/T = 5 at N = 200 more
 * than 4e9.  A solve stops with LRK_ERR_INVALID after max_work cell updates
 * (LRK_DISORDER_MASTER_MAX_WORK by default), and refuses (LRK_ERR_INVALID,
 * naming the class and n) a per-LRE rate that is not a finite normal double:
 * nothing is clamped.
 */
#ifndef LREKMC_DISORDER_MASTER_H
#define LREKMC_DISORDER_MASTER_H

#include <stddef.h>

#include "lrekmc/model.h"
#include "lrekmc/status.h"

#ifdef __cplusplus
extern "C" {
#endif

/* The point pipeline solves it (references.master_equation: auto) up to this N. */
#define LRK_DISORDER_MASTER_AUTO_MAX_N 400L
/* Largest N accepted at all (memory). */
#define LRK_DISORDER_MASTER_MAX_N 2000L
/* Default cell-update budget of one solve (a few seconds of CPU). */
#define LRK_DISORDER_MASTER_MAX_WORK 4e9
/* Bound on the lost probability mass beyond which a solve fails. */
#define LRK_DISORDER_MASTER_MAX_LOST 1e-12

/* What a solve cost and how exact it is. */
typedef struct lrk_disorder_master_info {
    double work; /* cell updates */
    double lost; /* rigorous bound on the probability mass lost, <= MAX_LOST */
    long substeps;
} lrk_disorder_master_info;

/* Nonzero when the barrier depends on n alone (no lattice, or the uniform
 * kernel, which is the mean-field chain): what the equation assumes. */
int lrk_disorder_master_mean_field_coupling(const lrk_model *m);

/* Bimodal disorder (or none / width 0: the chain), any c V1: exact mean and
 * standard deviation of q(t) = n(t)/N at t[0..t_count) (finite, >= 0,
 * nondecreasing). */
lrk_status lrk_disorder_bimodal_master(const lrk_model *m, const double *t, size_t t_count, double *q_mean,
                                       double *q_std, lrk_error *err);

/* The same with a cell-update budget (> 0) and, if p_n is not NULL, the
 * distribution of n: p_n[k (N + 1) + n] = P(n(t_k) = n) (>= 0, summing to
 * 1 - lost).  q_mean, q_std and info may be NULL. */
lrk_status lrk_disorder_bimodal_master_full(const lrk_model *m, const double *t, size_t t_count, double *q_mean,
                                            double *q_std, double *p_n, double max_work,
                                            lrk_disorder_master_info *info, lrk_error *err);

#ifdef __cplusplus
}
#endif

#endif /* LREKMC_DISORDER_MASTER_H */
