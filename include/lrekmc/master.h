/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * master.h - the exact finite-N master equation of the pure-birth process,
 *   dP_n/dt = lambda_{n-1} P_{n-1} - lambda_n P_n,   P_0(0) = 1,
 * giving the exact mean and standard deviation of q(t) = n(t)/N.  The KMC
 * mean converges to this, not to the mean-field ODE (which is off by O(1/N)).
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

/* Mean and standard deviation of q at each time t[0..count-1] (ascending,
 * t >= 0), accurate to 1e-9 absolute. */
lrk_status lrk_master_solve(const lrk_model *m, const double *t, size_t count, double *q_mean,
                            double *q_std, lrk_error *err);

#ifdef __cplusplus
}
#endif

#endif /* LREKMC_MASTER_H */
