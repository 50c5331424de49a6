/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * fit.c - least-squares KWW fit (fit.h) with GSL's multifit_nlinear.
 *
 * Parameters are p = (ln tau, ln beta), so tau and beta stay positive
 * without constraints.  With x = beta (ln t - ln tau) and u = e^x the model
 * is q = 1 - e^-u, and the Jacobian has the closed form
 *   dq/dln tau  = -beta u e^-u,     dq/dln beta = x u e^-u,
 * where u e^-u is computed as exp(x - e^x) so that it is 0, not inf * 0,
 * far in the tail.  The start comes from the straight line
 *   ln(-ln(1 - q)) = beta ln t - beta ln tau,
 * which is exact for exact KWW data.
 */
#include "lrekmc/fit.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_blas.h>
#include <gsl/gsl_errno.h>
#include <gsl/gsl_matrix.h>
#include <gsl/gsl_multifit_nlinear.h>
#include <gsl/gsl_vector.h>

enum { PARAM_LN_TAU = 0, PARAM_LN_BETA = 1, PARAM_COUNT = 2 };

/* Stop when the scaled gradient max_i |g_i| max(p_i, 1) falls below
 * FIT_GTOL * max(chi^2 / 2, 1) or the step below FIT_XTOL relative.  Well
 * above the rounding floor of g for 10^2..10^4 points, and tight enough that
 * the parameters are settled to ~1e-11. */
#define FIT_XTOL 1e-12
#define FIT_GTOL 1e-10
#define FIT_MAX_ITERATIONS 500
/* Columns of J with |R_kk| <= FIT_RANK_EPS |R_11| count as dependent: the
 * data then do not determine both parameters (cond(J) > 1e10). */
#define FIT_RANK_EPS 1e-10

typedef struct fit_points {
    size_t count;
    double *ln_t;
    double *q;
    double *weight; /* 1 / sigma^2, or NULL */
    /* u e^-u of the last residual evaluation, at the parameters in
     * density_at: the solver asks for the Jacobian where it last evaluated
     * the residuals, and this saves an exponential per point there. */
    double *density;
    double density_at[2];
    int density_valid;
} fit_points;

static int usable_point(double t, double q, const double *sigma, size_t i)
{
    if (!isfinite(t) || !(t > 0) || !isfinite(q) || !(q > 0) || !(q < 1))
        return 0;
    if (sigma == NULL)
        return 1;
    if (!isfinite(sigma[i]) || !(sigma[i] > 0))
        return 0;
    return isfinite(1.0 / (sigma[i] * sigma[i])); /* sigma < ~1e-154 overflows */
}

static lrk_status collect_points(const double *t, const double *q, const double *sigma,
                                 size_t count, fit_points *pts, lrk_error *err)
{
    memset(pts, 0, sizeof *pts);
    size_t n = 0;
    for (size_t i = 0; i < count; i++)
        n += (size_t)usable_point(t[i], q[i], sigma, i);
    if (n == 0)
        return LRK_OK;
    pts->ln_t = malloc(n * sizeof *pts->ln_t);
    pts->q = malloc(n * sizeof *pts->q);
    pts->weight = sigma != NULL ? malloc(n * sizeof *pts->weight) : NULL;
    pts->density = malloc(n * sizeof *pts->density);
    if (pts->ln_t == NULL || pts->q == NULL || pts->density == NULL || (sigma != NULL && pts->weight == NULL))
        return lrk_error_set(err, LRK_ERR_NOMEM, "KWW fit: cannot allocate %zu points", n);
    for (size_t i = 0; i < count; i++) {
        if (!usable_point(t[i], q[i], sigma, i))
            continue;
        pts->ln_t[pts->count] = log(t[i]);
        pts->q[pts->count] = q[i];
        if (sigma != NULL)
            pts->weight[pts->count] = 1.0 / (sigma[i] * sigma[i]);
        pts->count++;
    }
    return LRK_OK;
}

static void free_points(fit_points *pts)
{
    free(pts->ln_t);
    free(pts->q);
    free(pts->weight);
    free(pts->density);
}

/* Weighted least-squares line through (x, z) = (ln t, ln(-ln(1 - q))).
 * A residual dz in the line is a residual dq = (dq/dz) dz in q, with
 * dq/dz = (1 - q)(-ln(1 - q)), so weighting each point by (dq/dz)^2 (times
 * 1/sigma^2 when given) makes the line the first-order approximation of the
 * fit itself: the solver starts close to the minimum and needs fewer
 * iterations (6 -> 4 on the model curves).  When the slope is not a usable
 * beta (flat or decreasing data, all t equal) start from beta = 1 through
 * the weighted centroid and let the fit decide; pathological data then fail
 * in the solver or the rank test, not here.  Sums are taken about the first
 * point to avoid cancellation in one pass. */
static void linearized_start(const fit_points *pts, double *ln_tau, double *ln_beta)
{
    double x0 = pts->ln_t[0], z0 = log(-log1p(-pts->q[0]));
    double sw = 0, sx = 0, sz = 0, sxx = 0, sxz = 0;
    for (size_t i = 0; i < pts->count; i++) {
        double u = -log1p(-pts->q[i]);
        double slope = (1.0 - pts->q[i]) * u;
        double w = slope * slope * (pts->weight != NULL ? pts->weight[i] : 1.0);
        double x = pts->ln_t[i] - x0, z = log(u) - z0;
        sw += w;
        sx += w * x;
        sz += w * z;
        sxx += w * x * x;
        sxz += w * x * z;
    }
    double mean_x = sx / sw, mean_z = sz / sw;
    double vxx = sxx / sw - mean_x * mean_x, vxz = sxz / sw - mean_x * mean_z;
    double beta = vxz / vxx;
    if (!(vxx > 0) || !isfinite(beta) || !(beta > 0))
        beta = 1.0;
    if (!(sw > 0) || !isfinite(sw)) { /* weights under- or overflowed: equal weights */
        mean_x = mean_z = 0.0;
        beta = 1.0;
    }
    /* z = beta (x - ln tau) through the centroid */
    *ln_tau = x0 + mean_x - (z0 + mean_z) / beta;
    *ln_beta = log(beta);
}

static int kww_residuals(const gsl_vector *p, void *params, gsl_vector *f)
{
    fit_points *pts = params;
    double ln_tau = gsl_vector_get(p, PARAM_LN_TAU), ln_beta = gsl_vector_get(p, PARAM_LN_BETA);
    double beta = exp(ln_beta);
    for (size_t i = 0; i < pts->count; i++) {
        double u = exp(beta * (pts->ln_t[i] - ln_tau));
        double e_minus_1 = expm1(-u);
        f->data[i * f->stride] = -e_minus_1 - pts->q[i];
        /* e^-u = 1 + expm1(-u) is exact to an absolute 1e-16, plenty for a
         * Jacobian entry; 0 (not inf * 0) far in the tail. */
        pts->density[i] = e_minus_1 > -1.0 ? u * (1.0 + e_minus_1) : 0.0;
    }
    pts->density_at[PARAM_LN_TAU] = ln_tau;
    pts->density_at[PARAM_LN_BETA] = ln_beta;
    pts->density_valid = 1;
    return GSL_SUCCESS;
}

static int kww_jacobian(const gsl_vector *p, void *params, gsl_matrix *jac)
{
    fit_points *pts = params;
    double ln_tau = gsl_vector_get(p, PARAM_LN_TAU), ln_beta = gsl_vector_get(p, PARAM_LN_BETA);
    double beta = exp(ln_beta);
    int cached = pts->density_valid && pts->density_at[PARAM_LN_TAU] == ln_tau
                 && pts->density_at[PARAM_LN_BETA] == ln_beta;
    for (size_t i = 0; i < pts->count; i++) {
        double x = beta * (pts->ln_t[i] - ln_tau);
        double density = cached ? pts->density[i] : exp(x - exp(x)); /* u e^-u */
        double *row = jac->data + i * jac->tda;
        row[PARAM_LN_TAU] = -beta * density;
        row[PARAM_LN_BETA] = x * density;
    }
    return GSL_SUCCESS;
}

/* The driver reports "no progress on the first iteration" as failure; that
 * is also what happens when the start is already the minimum to rounding
 * (exact KWW data, where the linearized start is exact).  Accept that case
 * only when the Gauss-Newton step from the start, -(J^T J)^-1 J^T f, moves
 * neither ln tau nor ln beta by more than FIT_START_STEP.  (GSL's own
 * gradient test is absolute when chi^2 < 2, so it depends on the scale of
 * the weights; the step does not.) */
#define FIT_START_STEP 1e-10

static int start_was_optimal(const gsl_multifit_nlinear_workspace *w)
{
    double covar_data[PARAM_COUNT * PARAM_COUNT];
    gsl_matrix_view covar = gsl_matrix_view_array(covar_data, PARAM_COUNT, PARAM_COUNT);
    if (gsl_multifit_nlinear_covar(w->J, FIT_RANK_EPS, &covar.matrix) != GSL_SUCCESS)
        return 0;
    for (size_t i = 0; i < PARAM_COUNT; i++) {
        double step = 0;
        for (size_t k = 0; k < PARAM_COUNT; k++)
            step += gsl_matrix_get(&covar.matrix, i, k) * gsl_vector_get(w->g, k);
        if (!(fabs(step) <= FIT_START_STEP))
            return 0;
    }
    return 1;
}

static lrk_status run_solver(gsl_multifit_nlinear_workspace *w, const fit_points *pts,
                             gsl_multifit_nlinear_fdf *fdf, lrk_error *err)
{
    double start[PARAM_COUNT];
    linearized_start(pts, &start[PARAM_LN_TAU], &start[PARAM_LN_BETA]);
    gsl_vector_view p0 = gsl_vector_view_array(start, PARAM_COUNT);
    int status;
    if (pts->weight != NULL) {
        gsl_vector_view wts = gsl_vector_view_array(pts->weight, pts->count);
        status = gsl_multifit_nlinear_winit(&p0.vector, &wts.vector, fdf, w);
    } else {
        status = gsl_multifit_nlinear_init(&p0.vector, fdf, w);
    }
    if (status != GSL_SUCCESS)
        return lrk_error_set(err, LRK_ERR_NOCONVERGE, "KWW fit: cannot start at tau = %g, beta = %g: %s",
                             exp(start[PARAM_LN_TAU]), exp(start[PARAM_LN_BETA]),
                             gsl_strerror(status));
    int info = 0;
    status = gsl_multifit_nlinear_driver(FIT_MAX_ITERATIONS, FIT_XTOL, FIT_GTOL, 0.0, NULL, NULL,
                                         &info, w);
    if (status == GSL_SUCCESS)
        return LRK_OK;
    if (info == GSL_ENOPROG) {
        if (start_was_optimal(w))
            return LRK_OK;
        return lrk_error_set(err, LRK_ERR_NOCONVERGE,
                             "KWW fit did not converge: no step from the start (tau = %g, "
                             "beta = %g) reduces the residual, on %zu points",
                             exp(start[PARAM_LN_TAU]), exp(start[PARAM_LN_BETA]), pts->count);
    }
    return lrk_error_set(err, LRK_ERR_NOCONVERGE,
                         "KWW fit did not converge after %zu iterations (%s) on %zu points",
                         gsl_multifit_nlinear_niter(w), gsl_strerror(status), pts->count);
}

/* Standard errors of (ln tau, ln beta): the covariance (J^T W J)^-1 scaled by
 * chi^2/(n - 2) in both cases.  Unweighted, that is the usual residual
 * variance estimate.  Weighted, the sigmas fix only the relative weights:
 * the LRE curves are not exactly KWW and KMC sigmas are themselves estimates,
 * so the scatter actually seen about the fit, not the sigmas alone, sets the
 * error (as scipy's curve_fit with absolute_sigma=False).  chi2_dof reports
 * the factor, so a caller can undo it. */
static lrk_status standard_errors(gsl_multifit_nlinear_workspace *w, size_t n, lrk_kww_fit *out,
                                  lrk_error *err)
{
    double covar_data[PARAM_COUNT * PARAM_COUNT];
    gsl_matrix_view covar = gsl_matrix_view_array(covar_data, PARAM_COUNT, PARAM_COUNT);
    int status = gsl_multifit_nlinear_covar(gsl_multifit_nlinear_jac(w), FIT_RANK_EPS, &covar.matrix);
    if (status != GSL_SUCCESS)
        return lrk_error_set(err, LRK_ERR_NOCONVERGE, "KWW fit: covariance failed: %s",
                             gsl_strerror(status));
    double chi = gsl_blas_dnrm2(gsl_multifit_nlinear_residual(w));
    out->chi2_dof = chi * chi / (double)(n - PARAM_COUNT);
    double var_ln_tau = gsl_matrix_get(&covar.matrix, PARAM_LN_TAU, PARAM_LN_TAU);
    double var_ln_beta = gsl_matrix_get(&covar.matrix, PARAM_LN_BETA, PARAM_LN_BETA);
    if (!(var_ln_tau > 0) || !(var_ln_beta > 0) || !isfinite(var_ln_tau) || !isfinite(var_ln_beta))
        return lrk_error_set(err, LRK_ERR_NOCONVERGE,
                             "KWW fit: tau and beta are not both determined by the %zu points "
                             "(singular Jacobian)", n);
    /* delta method: sigma_tau = tau sigma_(ln tau) */
    out->tau_err = out->tau * sqrt(var_ln_tau * out->chi2_dof);
    out->beta_err = out->beta * sqrt(var_ln_beta * out->chi2_dof);
    return LRK_OK;
}

static void residual_summary(const fit_points *pts, lrk_kww_fit *out)
{
    double sum_sq = 0, max_abs = 0, ln_tau = log(out->tau);
    for (size_t i = 0; i < pts->count; i++) {
        double r = -expm1(-exp(out->beta * (pts->ln_t[i] - ln_tau))) - pts->q[i];
        sum_sq += r * r;
        max_abs = fmax(max_abs, fabs(r));
    }
    out->rms_residual = sqrt(sum_sq / (double)pts->count);
    out->max_residual = max_abs;
}

static int all_finite(const lrk_kww_fit *f)
{
    return isfinite(f->tau) && isfinite(f->beta) && f->tau > 0 && f->beta > 0 &&
           isfinite(f->tau_err) && isfinite(f->beta_err) && isfinite(f->rms_residual) &&
           isfinite(f->max_residual) && isfinite(f->chi2_dof);
}

static lrk_status fit_collected(const fit_points *pts, lrk_kww_fit *out, lrk_error *err)
{
    gsl_multifit_nlinear_fdf fdf = {
        .f = kww_residuals, .df = kww_jacobian, .fvv = NULL,
        .n = pts->count, .p = PARAM_COUNT, .params = (void *)pts,
    };
    gsl_multifit_nlinear_parameters params = gsl_multifit_nlinear_default_parameters();
    params.trs = gsl_multifit_nlinear_trs_lm;
    params.solver = gsl_multifit_nlinear_solver_cholesky;
    gsl_multifit_nlinear_workspace *w =
        gsl_multifit_nlinear_alloc(gsl_multifit_nlinear_trust, &params, pts->count, PARAM_COUNT);
    if (w == NULL)
        return lrk_error_set(err, LRK_ERR_NOMEM, "KWW fit: cannot allocate the GSL workspace");
    lrk_status status = run_solver(w, pts, &fdf, err);
    if (status == LRK_OK) {
        const gsl_vector *p = gsl_multifit_nlinear_position(w);
        out->tau = exp(gsl_vector_get(p, PARAM_LN_TAU));
        out->beta = exp(gsl_vector_get(p, PARAM_LN_BETA));
        out->iterations = gsl_multifit_nlinear_niter(w);
        status = standard_errors(w, pts->count, out, err);
    }
    gsl_multifit_nlinear_free(w);
    if (status != LRK_OK)
        return status;
    residual_summary(pts, out);
    if (!all_finite(out))
        return lrk_error_set(err, LRK_ERR_NOCONVERGE,
                             "KWW fit gave non-finite results (tau = %g, beta = %g)", out->tau,
                             out->beta);
    return LRK_OK;
}

lrk_status lrk_kww_fit_points(const double *t, const double *q, const double *sigma, size_t count,
                              lrk_kww_fit *out, lrk_error *err)
{
    if (out == NULL)
        return lrk_error_set(err, LRK_ERR_INVALID, "KWW fit: out must not be NULL");
    memset(out, 0, sizeof *out);
    if (count > 0 && (t == NULL || q == NULL))
        return lrk_error_set(err, LRK_ERR_INVALID, "KWW fit: t and q must not be NULL");
    lrk_gsl_quiet();
    fit_points pts;
    lrk_status status = collect_points(t, q, sigma, count, &pts, err);
    if (status == LRK_OK && pts.count <= PARAM_COUNT)
        status = lrk_error_set(err, LRK_ERR_NOCONVERGE,
                               "KWW fit needs at least %d usable points (t > 0, 0 < q < 1, "
                               "sigma > 0, all finite); got %zu of %zu",
                               PARAM_COUNT + 1, pts.count, count);
    if (status == LRK_OK)
        status = fit_collected(&pts, out, err);
    free_points(&pts);
    size_t used = pts.count;
    if (status != LRK_OK) {
        memset(out, 0, sizeof *out); /* never numbers from a failed fit */
    } else {
        out->converged = 1;
    }
    out->points = used;
    return status;
}
