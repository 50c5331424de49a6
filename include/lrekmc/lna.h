/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * lna.h - linear noise approximation of the fluctuations of q(t):
 *   dq/dt = w(q),  d(sigma^2)/dt = 2 w'(q) sigma^2 + w(q) / N,
 *   w(q) = k (1 - q) e^(-a q),  w'(q) = -k e^(-a q) (1 + a (1 - q)).
 * sqrt(N) * std(q) is N-independent in this approximation.
 */
#ifndef LREKMC_LNA_H
#define LREKMC_LNA_H

#include <stddef.h>

#include "lrekmc/model.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Predicted std(q) (including the 1/sqrt(N)) at each time t[0..count-1]. */
lrk_status lrk_lna_std(const lrk_model *m, const double *t, size_t count, double *q_std,
                       lrk_error *err);

#ifdef __cplusplus
}
#endif

#endif /* LREKMC_LNA_H */
