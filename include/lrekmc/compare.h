/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * compare.h - how well a KMC ensemble agrees with the exact references.
 *
 * Under the null hypothesis "the simulation samples the exact process", with
 * M trajectories:
 *  - at each grid time, z = (q_mean - E q) / (sd q / sqrt(M)) using the exact
 *    mean and sd of the master equation (when it was computed).  Grid times
 *    where M * Var(n) < 25 are skipped: there the sample holds too few events
 *    for a normal approximation (n(t) is nearly always 0 or N).
 *  - at each q-level, z = (t_mean - E T) / sqrt(Var T / M) with the exact
 *    first-passage moments.
 *  - chi2 is built from the *increments* between consecutive distinct levels,
 *    T_{n_j} - T_{n_{j-1}}: sums over disjoint sets of independent waiting
 *    times, hence independent, so chi2 = sum z_j^2 follows chi2(levels)
 *    (asymptotically in M).  Values of q on the grid are correlated in time,
 *    so they enter z_max only.
 */
#ifndef LREKMC_COMPARE_H
#define LREKMC_COMPARE_H

#include <stddef.h>

#include "lrekmc/status.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct lrk_comparison {
    double z_max_grid;      /* max |z| over compared grid times; NaN if none */
    double z_max_levels;    /* max |z| over levels; NaN if none */
    double z_max;           /* the larger of the two (ignoring NaN) */
    double chi2;            /* from first-passage increments */
    size_t chi2_dof;
    double chi2_p;          /* upper tail P(chi2_dof >= chi2); NaN if dof = 0 */
    size_t grid_compared;
    size_t levels_compared;
} lrk_comparison;

/* Grid part; q_exact_mean / q_exact_std may be NULL (then skipped). */
void lrk_compare_grid(const double *q_mean, const double *q_exact_mean, const double *q_exact_std,
                      size_t t_count, long N, long trajectories, lrk_comparison *out);

/* Level part: t_mean from KMC, exact mean and variance of first-passage
 * times (both NULL: nothing is compared), level_event[j] = event count of
 * level j (ascending). */
void lrk_compare_levels(const double *t_mean, const double *t_exact_mean, const double *t_exact_var,
                        const long *level_event, size_t level_count, long trajectories,
                        lrk_comparison *out);

/* Initialise (all NaN / 0), then call the parts, then finish (z_max, p). */
void lrk_comparison_init(lrk_comparison *out);
void lrk_comparison_finish(lrk_comparison *out);

#ifdef __cplusplus
}
#endif

#endif /* LREKMC_COMPARE_H */
