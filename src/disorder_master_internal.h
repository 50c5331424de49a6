/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * disorder_master_internal.h - a test hook of the two-class master equation
 * (disorder_master.h), internal to the library and its tests: the solver with
 * a deliberately wrong initial law (every trajectory with exactly N/2 LREs of
 * each class instead of N+ ~ Binomial(N, 1/2)), so that the tests can show
 * that the KMC z-test rejects a plausible wrong reference.  Never selected by
 * configuration.
 */
#ifndef LREKMC_DISORDER_MASTER_INTERNAL_H
#define LREKMC_DISORDER_MASTER_INTERNAL_H

#include "lrekmc/disorder_master.h"

enum { DISORDER_MASTER_EXACT = 0, DISORDER_MASTER_BROKEN_FIXED_SPLIT = 1 };

lrk_status disorder_master_solve(const lrk_model *m, const double *t, size_t t_count, double *q_mean,
                                 double *q_std, double *p_n, double max_work, int variant,
                                 lrk_disorder_master_info *info, lrk_error *err);

#endif /* LREKMC_DISORDER_MASTER_INTERNAL_H */
