/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * first_passage.h - exact moments of first-passage times of the finite-N
 * process.  The time of the n-th event is T_n = sum_{i<n} E_i / lambda_i with
 * independent unit exponentials E_i, so at any N, exactly,
 *   E[T_n] = sum_{i<n} 1 / lambda_i,   Var[T_n] = sum_{i<n} 1 / lambda_i^2.
 * A level q is reached at event n = lrk_level_event_count(q, N).
 */
#ifndef LREKMC_FIRST_PASSAGE_H
#define LREKMC_FIRST_PASSAGE_H

#include <stddef.h>

#include "lrekmc/model.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Mean and variance of the first-passage time at each level q[0..count-1]
 * (non-decreasing, in (0, 1]).  mean_out and var_out hold count doubles;
 * var_out may be NULL (the variance, a sum of e^(2V/T) terms, overflows for
 * (|V0| + V1)/T > ~354, where the mean is still finite).  One O(N) pass up to
 * the last level with compensated sums: a few ulps at any N. */
lrk_status lrk_first_passage_exact(const lrk_model *m, const double *q, size_t count,
                                   double *mean_out, double *var_out, lrk_error *err);

#ifdef __cplusplus
}
#endif

#endif /* LREKMC_FIRST_PASSAGE_H */
