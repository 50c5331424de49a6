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
    double beta_err, tau_err;  /* standard errors: covariance (J^T W J)^-1 of
                                  (ln tau, ln beta) times chi2_dof, weighted
                                  or not, then sigma_tau = tau sigma_ln_tau */
    double rms_residual;  /* sqrt(mean of squared residuals in q) */
    double max_residual;  /* max |residual| in q */
    size_t iterations;
    size_t points;        /* data points used (also set when the fit fails) */
    double chi2_dof;      /* chi^2 / (points - 2), with weights 1/sigma^2 when
                             sigma is given: the factor applied to the
                             covariance.  Unweighted it is the residual
                             variance; weighted, sigma sets relative weights
                             only (the curves are not exactly KWW and KMC
                             sigmas are estimates), so errors follow the
                             scatter seen about the fit.  Divide the squared
                             errors by it to get the sigma-only covariance. */
} lrk_kww_fit;

/* Fit points (t[i], q[i]).  sigma: standard errors of q (NULL = equal
 * weights 1; else weights 1/sigma^2).  Points with t <= 0, q <= 0 or
 * q >= 1, sigma <= 0, anything non-finite, or 1/sigma^2 overflowing, are
 * skipped.  Fewer than 3 usable points, a solver that does not converge,
 * parameters the data do not determine (rank-deficient Jacobian), or
 * non-finite results return LRK_ERR_NOCONVERGE with out->converged = 0, all
 * numbers zero except out->points, and a message.  NULL out, or NULL t or q
 * with count > 0, is LRK_ERR_INVALID. */
lrk_status lrk_kww_fit_points(const double *t, const double *q, const double *sigma, size_t count,
                              lrk_kww_fit *out, lrk_error *err);

#ifdef __cplusplus
}
#endif

#endif /* LREKMC_FIT_H */
