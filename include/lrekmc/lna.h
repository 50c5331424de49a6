/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * lna.h - linear noise approximation of the fluctuations of q(t):
 *   dq/dt = w(q),  d(sigma^2)/dt = 2 w'(q) sigma^2 + w(q) / N,
 *   w(q) = k (1 - q) e^(-a q),  w'(q) = -k e^(-a q) (1 + a (1 - q)).
 * sqrt(N) * std(q) is N-independent in this approximation.  Integrated
 * jointly with q by GSL's adaptive odeiv2 driver (rk8pd, rel. tol. 1e-11).
 *
 * Validity: against the exact master equation (master.h) at N = 1000 the LNA
 * std agrees to better than 0.5 % while 0.05 <= q <= 0.95 for the paper's
 * SER and CER cases; the relative error grows as N (1 - q) becomes small
 * (few unrelaxed LREs left: the distribution is no longer Gaussian) and for
 * strong CER coupling, where the avalanche onset time fluctuates and the
 * distribution of q is broad, not Gaussian (e.g. V0/T = V1/T = 10).
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

/* The O(1/N) shift of the mean, E[q] - q_ODE ~ d(t) / N, from the next order
 * of the system-size expansion: dd/dt = w'(q) d + w''(q) N sigma^2 / 2,
 * w''(q) = k a e^(-a q) (2 + a (1 - q)).  Positive for SER (w convex), e.g.
 * 0.1051 / N at V0/T = V1/T = 1, t = 4.  Times as for lrk_lna_std. */
lrk_status lrk_lna_mean_shift(const lrk_model *m, const double *t, size_t count, double *shift,
                              lrk_error *err);

#ifdef __cplusplus
}
#endif

#endif /* LREKMC_LNA_H */
