/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * fit.h - least-squares fit of the Kohlrausch-Williams-Watts law
 *   q(t) = 1 - exp(-(t / tau)^beta)
 * with GSL's multifit_nlinear (Levenberg-Marquardt, analytic Jacobian).
 * tau and beta are fitted through their logarithms, so both are positive by
 * construction; the start is read off the data (a straight line in
 * ln(-ln(1-q)) against ln t).  Residuals are in q.  The curves of the LRE
 * model are only close to KWW, so rms and max residual are results.
 */
#ifndef LREKMC_FIT_H
#define LREKMC_FIT_H

#include <stddef.h>

#include "lrekmc/status.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct lrk_kww_fit {
    int converged;        /* 0: the other fields are not to be reported */
    double beta, tau;
    double beta_err, tau_err;  /* standard errors from the covariance, scaled
                                  by the residual variance when unweighted */
    double rms_residual;  /* sqrt(mean of squared residuals in q) */
    double max_residual;  /* max |residual| in q */
    size_t iterations;
    size_t points;        /* data points used */
} lrk_kww_fit;

/* Fit points (t[i], q[i]).  sigma: standard errors of q (NULL = equal
 * weights).  Points with t <= 0, q <= 0 or q >= 1, or sigma <= 0 are skipped.
 * A fit that does not converge returns LRK_ERR_NOCONVERGE with
 * out->converged = 0 and a message. */
lrk_status lrk_kww_fit_points(const double *t, const double *q, const double *sigma, size_t count,
                              lrk_kww_fit *out, lrk_error *err);

#ifdef __cplusplus
}
#endif

#endif /* LREKMC_FIT_H */
