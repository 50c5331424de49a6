/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * fit_model.c - the models of fit_model.h, their analytic Jacobians and the
 * Levenberg-Marquardt solve (GSL multifit_nlinear), and lrk_fit_model, which
 * turns a solution into reported parameters with errors.
 *
 * For the LRE forms a curve is q(s; a) with s = t e^g, g = ln k in the data's
 * time unit.  Every form gives (g, a) per curve and their derivatives with
 * respect to the shared parameters, and the chain rule through
 * lrk_closed_form_solve (dq/d ln s, dq/da) gives J.  The residual call fills
 * the Jacobian too (both need the same root of s(q) = s) and the Jacobian
 * call copies it when the parameters are the ones last evaluated, which is
 * what GSL's trust-region driver asks for.  The last root of every point is
 * the next Newton start.
 */
#include "lrekmc/fit_model.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_blas.h>
#include <gsl/gsl_cdf.h>
#include <gsl/gsl_errno.h>
#include <gsl/gsl_multifit_nlinear.h>

#include "fit_internal.h"
#include "lrekmc/closed_form.h"

#define FIT_XTOL 1e-12
#define FIT_GTOL 1e-10
#define FIT_MAX_ITERATIONS 1000
#define FIT_RANK_EPS 1e-12
/* Beyond |a| = FIT_A_MAX the curve is a step in double precision and the
 * exponential integrals overflow: a point evaluated there (or anywhere its
 * model or Jacobian is not finite) gets the residual FIT_OUTSIDE and a zero
 * Jacobian row, so LM rejects the step that led there instead of failing. */
#define FIT_A_MAX 300.0
#define FIT_OUTSIDE 1e30
/* A solution this close to the edge of the domain was stopped by it, not
 * found: reported as not converged. */
#define FIT_A_EDGE 0.99

static const char *kind_names[] = {"kww", "lre", "ser", "cer", "crossover"};

const char *lrk_fit_kind_name(lrk_fit_kind kind)
{
    return (unsigned)kind < sizeof kind_names / sizeof *kind_names ? kind_names[kind] : NULL;
}

lrk_status lrk_fit_kind_parse(const char *name, lrk_fit_kind *kind, lrk_error *err)
{
    for (unsigned k = 0; name != NULL && k < sizeof kind_names / sizeof *kind_names; k++)
        if (strcmp(name, kind_names[k]) == 0) {
            *kind = (lrk_fit_kind)k;
            return LRK_OK;
        }
    return lrk_error_set(err, LRK_ERR_INVALID,
                         "--model: expected one of kww, lre, ser, cer, crossover, got '%s'",
                         name != NULL ? name : "(null)");
}

int lrk_fit_kind_is_joint(lrk_fit_kind kind)
{
    return kind == LRK_FIT_SER || kind == LRK_FIT_CER || kind == LRK_FIT_CROSSOVER;
}

lrk_fit_options lrk_fit_options_default(void)
{
    return (lrk_fit_options){.kind = LRK_FIT_LRE, .seed = 1};
}

fit_setup fit_setup_from(const lrk_fit_options *o, const lrk_fit_data *d)
{
    return (fit_setup){o->kind, o->free_amplitude != 0, o->free_plateau != 0, d->has_sigma,
                       o->numeric_jacobian != 0};
}

size_t fit_shared_count(lrk_fit_kind kind)
{
    return kind == LRK_FIT_CROSSOVER ? 5 : lrk_fit_kind_is_joint(kind) ? 3 : 0;
}

size_t fit_block_count(const fit_setup *s)
{
    return (lrk_fit_kind_is_joint(s->kind) ? 0 : 2) + (size_t)s->free_amplitude + (size_t)s->free_plateau;
}

size_t fit_total_count(const fit_setup *s, size_t curves)
{
    return fit_shared_count(s->kind) + curves * fit_block_count(s);
}

const char *fit_parameter_name(const fit_setup *s, size_t k, int shared, int *is_log)
{
    static const char *joint[] = {"tau0", "V0", "V1", "A", "T0"};
    int dummy;
    if (is_log == NULL)
        is_log = &dummy;
    *is_log = 0;
    if (shared) {
        *is_log = k == 0;
        return joint[k];
    }
    if (!lrk_fit_kind_is_joint(s->kind)) {
        if (k == 0) {
            *is_log = 1;
            return "tau";
        }
        if (k == 1) {
            *is_log = s->kind == LRK_FIT_KWW;
            return s->kind == LRK_FIT_KWW ? "beta" : "a";
        }
        k -= 2;
    }
    if (k == 0 && s->free_amplitude)
        return "amplitude";
    return "plateau";
}

double fit_reported(const fit_setup *s, const double *theta, size_t k, size_t count)
{
    size_t ns = fit_shared_count(s->kind), nb = fit_block_count(s);
    int is_log = 0;
    (void)count;
    if (k < ns)
        fit_parameter_name(s, k, 1, &is_log);
    else
        fit_parameter_name(s, (k - ns) % nb, 0, &is_log);
    return is_log ? exp(theta[k]) : theta[k];
}

/* ---- the model ------------------------------------------------------------ */

/* One curve's view of theta: (g, a) and their gradients over the shared
 * parameters (LRE forms), or (ln tau, beta) for KWW; amplitude and plateau. */
typedef struct curve_view {
    double g, a, dg[FIT_MAX_SHARED], da[FIT_MAX_SHARED];
    double ln_tau, beta;
    double amplitude, plateau;
    size_t block;    /* index of the curve's block in theta */
    size_t ns;       /* shared count */
} curve_view;

static curve_view view_curve(const fit_setup *s, const double *theta, size_t j, double T)
{
    curve_view v;
    memset(&v, 0, sizeof v);
    v.ns = fit_shared_count(s->kind);
    v.block = v.ns + j * fit_block_count(s);
    const double *b = theta + v.block;
    size_t extra = 0;
    switch (s->kind) {
    case LRK_FIT_KWW:
        v.ln_tau = b[0];
        v.beta = exp(b[1]);
        extra = 2;
        break;
    case LRK_FIT_LRE:
        v.g = -b[0];
        v.a = b[1];
        extra = 2;
        break;
    default: {
        double c = s->kind == LRK_FIT_CER ? -1.0 : 1.0, V1 = theta[2];
        v.g = -theta[1] / T - theta[0];
        v.dg[0] = -1.0;
        v.dg[1] = -1.0 / T;
        if (s->kind == LRK_FIT_CROSSOVER) {
            double A = theta[3], T0 = theta[4], x = A * (1.0 / T - 1.0 / T0);
            double f = 1.0 / (exp(-x) + 1.0), ff = f * (1.0 - f);
            c = 1.0 - 2.0 * f;
            v.da[3] = -2.0 * V1 / T * ff * (1.0 / T - 1.0 / T0);
            v.da[4] = -2.0 * V1 / T * ff * A / (T0 * T0);
        }
        v.a = c * V1 / T;
        v.da[2] = c / T;
        break;
    }
    }
    v.amplitude = s->free_amplitude ? b[extra] : 1.0;
    v.plateau = s->free_plateau ? b[extra + (size_t)s->free_amplitude] : 0.0;
    return v;
}

/* phi at t and, if row is not NULL, dphi/dtheta (only this curve's entries
 * are written; the caller zeroes the row).  y_start: the Newton start in and
 * the root out (LRE forms). */
static lrk_status point_model(const fit_setup *s, const curve_view *v, double t, double *y_start,
                              double *phi, double *row, lrk_error *err)
{
    double p, dq_first, dq_second; /* derivatives by the two curve parameters */
    if (s->kind == LRK_FIT_KWW) {
        double x = t > 0 ? v->beta * (log(t) - v->ln_tau) : -INFINITY;
        double u = exp(x);
        p = exp(-u);
        double density = t > 0 && isfinite(u) ? exp(x - u) : 0.0; /* u e^-u */
        dq_first = -v->beta * density;
        dq_second = t > 0 ? x * density : 0.0;
    } else {
        double s_time = t > 0 ? exp(v->g + log(t)) : 0.0;
        lrk_closed_form_point cf;
        lrk_status status = lrk_closed_form_solve(v->a, s_time, *y_start, &cf, err);
        if (status != LRK_OK)
            return status;
        *y_start = cf.y;
        p = cf.p;
        dq_first = cf.dq_dlns; /* by g */
        dq_second = cf.dq_da;
    }
    *phi = v->amplitude * p + v->plateau;
    if (row == NULL)
        return LRK_OK;
    double *b = row + v->block;
    size_t k = 0;
    if (s->kind == LRK_FIT_KWW || s->kind == LRK_FIT_LRE) {
        /* LRE: g = -ln tau */
        b[0] = -v->amplitude * (s->kind == LRK_FIT_LRE ? -dq_first : dq_first);
        b[1] = -v->amplitude * dq_second;
        k = 2;
    } else {
        for (size_t m = 0; m < v->ns; m++)
            row[m] = -v->amplitude * (dq_first * v->dg[m] + dq_second * v->da[m]);
    }
    if (s->free_amplitude)
        b[k++] = p;
    if (s->free_plateau)
        b[k] = 1.0;
    return LRK_OK;
}

lrk_status fit_phi(const fit_setup *s, const double *theta, size_t j, const lrk_fit_curve *curve, double t,
                   double *phi, lrk_error *err)
{
    double y = -1.0;
    return fit_phi_warm(s, theta, j, curve, t, &y, phi, err);
}

lrk_status fit_phi_warm(const fit_setup *s, const double *theta, size_t j, const lrk_fit_curve *curve, double t,
                        double *y_start, double *phi, lrk_error *err)
{
    curve_view v = view_curve(s, theta, j, curve->T);
    return point_model(s, &v, t, y_start, phi, NULL, err);
}

/* ---- the solver ----------------------------------------------------------- */

typedef struct problem {
    const fit_setup *setup;
    const lrk_fit_curve *curves;
    size_t count, n, p;
    double *y_start;    /* per point */
    double *weight;     /* per point, or NULL */
    double *jac;        /* n x p of the last residual call */
    double *jac_at;     /* its theta */
    int jac_valid;
    size_t nf, nj;
    size_t outside;     /* points evaluated outside the model's domain, last call */
    double max_abs_a;   /* largest |a_j| of the last call */
    lrk_status failure;
    lrk_error *err;
} problem;

static int residuals(const gsl_vector *x, void *params, gsl_vector *f)
{
    problem *pr = params;
    const fit_setup *s = pr->setup;
    int fill = !s->numeric_jacobian;
    pr->nf++;
    pr->outside = 0;
    pr->max_abs_a = 0;
    pr->jac_valid = 0;
    if (fill)
        memset(pr->jac, 0, pr->n * pr->p * sizeof *pr->jac);
    size_t i = 0;
    for (size_t j = 0; j < pr->count; j++) {
        const lrk_fit_curve *c = &pr->curves[j];
        curve_view v = view_curve(s, x->data, j, c->T);
        int inside = s->kind == LRK_FIT_KWW ? isfinite(v.ln_tau) && isfinite(v.beta)
                                            : isfinite(v.g) && fabs(v.a) <= FIT_A_MAX;
        if (s->kind != LRK_FIT_KWW)
            pr->max_abs_a = fmax(pr->max_abs_a, isnan(v.a) ? INFINITY : fabs(v.a));
        for (size_t k = 0; k < c->count; k++, i++) {
            double phi = NAN, *row = fill ? pr->jac + i * pr->p : NULL;
            if (inside) {
                lrk_status st = point_model(s, &v, c->t[k], &pr->y_start[i], &phi, row, pr->err);
                if (st != LRK_OK && st != LRK_ERR_INVALID) {
                    pr->failure = st;
                    return GSL_EBADFUNC;
                }
            }
            int finite = isfinite(phi) && isfinite(v.amplitude) && isfinite(v.plateau);
            for (size_t m = 0; finite && row != NULL && m < pr->p; m++)
                finite = isfinite(row[m]);
            if (!finite) {
                pr->outside++;
                phi = c->y[k] + FIT_OUTSIDE;
                if (row != NULL)
                    memset(row, 0, pr->p * sizeof *row);
            }
            gsl_vector_set(f, i, phi - c->y[k]);
        }
    }
    if (fill) {
        memcpy(pr->jac_at, x->data, pr->p * sizeof *pr->jac_at);
        pr->jac_valid = 1;
    }
    return GSL_SUCCESS;
}

static int jacobian(const gsl_vector *x, void *params, gsl_matrix *J)
{
    problem *pr = params;
    pr->nj++;
    int same = pr->jac_valid;
    for (size_t k = 0; same && k < pr->p; k++)
        same = pr->jac_at[k] == gsl_vector_get(x, k);
    if (!same) {
        gsl_vector *f = gsl_vector_alloc(pr->n);
        if (f == NULL)
            return GSL_ENOMEM;
        int status = residuals(x, pr, f);
        gsl_vector_free(f);
        if (status != GSL_SUCCESS)
            return status;
    }
    for (size_t i = 0; i < pr->n; i++)
        memcpy(J->data + i * J->tda, pr->jac + i * pr->p, pr->p * sizeof(double));
    return GSL_SUCCESS;
}

static lrk_status problem_init(problem *pr, const fit_setup *s, const lrk_fit_curve *curves, size_t count,
                               lrk_error *err)
{
    memset(pr, 0, sizeof *pr);
    pr->setup = s;
    pr->curves = curves;
    pr->count = count;
    pr->err = err;
    for (size_t j = 0; j < count; j++)
        pr->n += curves[j].count;
    pr->p = fit_total_count(s, count);
    pr->y_start = malloc(pr->n * sizeof *pr->y_start);
    pr->weight = s->weighted ? malloc(pr->n * sizeof *pr->weight) : NULL;
    pr->jac = malloc(pr->n * pr->p * sizeof *pr->jac);
    pr->jac_at = malloc(pr->p * sizeof *pr->jac_at);
    if (pr->y_start == NULL || (s->weighted && pr->weight == NULL) || pr->jac == NULL || pr->jac_at == NULL)
        return lrk_error_set(err, LRK_ERR_NOMEM, "fit: out of memory for %zu points", pr->n);
    size_t i = 0;
    for (size_t j = 0; j < count; j++)
        for (size_t k = 0; k < curves[j].count; k++, i++) {
            pr->y_start[i] = -1.0;
            if (pr->weight != NULL)
                pr->weight[i] = 1.0 / (curves[j].sigma[k] * curves[j].sigma[k]);
        }
    return LRK_OK;
}

static void problem_free(problem *pr)
{
    free(pr->y_start);
    free(pr->weight);
    free(pr->jac);
    free(pr->jac_at);
}

void fit_solution_free(fit_solution *s)
{
    free(s->theta);
    free(s->covar);
    memset(s, 0, sizeof *s);
}

/* "curve 'x'" or "all curves", for messages (static buffer: messages are
 * formatted before the next call). */
static const char *where_curves(const lrk_fit_curve *curves, size_t count)
{
    static _Thread_local char text[160];
    if (count != 1)
        return "all curves";
    snprintf(text, sizeof text, "curve '%.100s'", curves[0].label);
    return text;
}

/* The GSL driver reports "no progress" when the start already is the minimum
 * to rounding (noise-free data, or a start from a fit of the same objective).
 * Accept that when the Gauss-Newton step -(J^T J)^-1 g from there moves no
 * parameter by more than FIT_START_STEP (relative, or absolute below 1), or
 * by more than FIT_START_ERRORS of its standard error (chi^2 is then flat
 * to rounding: a step of 1e-9 in a parameter known to 1e-2 changes it by
 * 1e-14 relative, which LM cannot see). */
#define FIT_START_STEP 1e-9
#define FIT_START_ERRORS 1e-4

static int at_minimum(gsl_multifit_nlinear_workspace *w, size_t n, size_t p, int weighted)
{
    double chi = gsl_blas_dnrm2(gsl_multifit_nlinear_residual(w));
    double noise = weighted ? 1.0 : chi * chi / (double)(n - p); /* as in covariance() */
    double *c = malloc(p * p * sizeof *c);
    if (c == NULL)
        return 0;
    gsl_matrix_view C = gsl_matrix_view_array(c, p, p);
    int ok = gsl_multifit_nlinear_covar(gsl_multifit_nlinear_jac(w), FIT_RANK_EPS, &C.matrix) == GSL_SUCCESS;
    const gsl_vector *x = gsl_multifit_nlinear_position(w);
    for (size_t i = 0; ok && i < p; i++) {
        double step = 0;
        for (size_t k = 0; k < p; k++)
            step += c[i * p + k] * gsl_vector_get(w->g, k);
        double error = sqrt(c[i * p + i] * noise);
        ok = fabs(step) <= FIT_START_STEP * fmax(fabs(gsl_vector_get(x, i)), 1.0) ||
             fabs(step) <= FIT_START_ERRORS * error;
    }
    free(c);
    return ok;
}

static lrk_status run_lm(problem *pr, gsl_multifit_nlinear_workspace *w, const double *theta0, lrk_error *err)
{
    gsl_multifit_nlinear_fdf fdf = {.f = residuals, .df = pr->setup->numeric_jacobian ? NULL : jacobian,
                                    .fvv = NULL, .n = pr->n, .p = pr->p, .params = pr};
    gsl_vector_const_view x0 = gsl_vector_const_view_array(theta0, pr->p);
    int status;
    if (pr->weight != NULL) {
        gsl_vector_view wts = gsl_vector_view_array(pr->weight, pr->n);
        status = gsl_multifit_nlinear_winit(&x0.vector, &wts.vector, &fdf, w);
    } else {
        status = gsl_multifit_nlinear_init(&x0.vector, &fdf, w);
    }
    const char *name = lrk_fit_kind_name(pr->setup->kind), *where = where_curves(pr->curves, pr->count);
    if (pr->failure != LRK_OK)
        return pr->failure;
    if (status != GSL_SUCCESS)
        return lrk_error_set(err, LRK_ERR_NOCONVERGE, "%s fit of %s: the model cannot be evaluated at the "
                             "start: %s", name, where, gsl_strerror(status));
    int info = 0;
    status = gsl_multifit_nlinear_driver(FIT_MAX_ITERATIONS, FIT_XTOL, FIT_GTOL, 0.0, NULL, NULL, &info, w);
    if (pr->failure != LRK_OK)
        return pr->failure;
    int done = status == GSL_SUCCESS || (info == GSL_ENOPROG && at_minimum(w, pr->n, pr->p, pr->setup->weighted));
    /* the last call may have been a rejected trial: look at the solution itself */
    gsl_vector *f = done ? gsl_vector_alloc(pr->n) : NULL;
    if (f != NULL) {
        residuals(gsl_multifit_nlinear_position(w), pr, f);
        gsl_vector_free(f);
    }
    if (pr->failure != LRK_OK)
        return pr->failure;
    if (done && f != NULL && pr->outside == 0 && pr->max_abs_a < FIT_A_EDGE * FIT_A_MAX)
        return LRK_OK;
    if (done && f == NULL)
        return lrk_error_set(err, LRK_ERR_NOMEM, "fit: out of memory");
    if (done)
        return lrk_error_set(err, LRK_ERR_NOCONVERGE,
                             "%s fit of %s ran to the edge of the model's domain (|a| near %g, or an overflow): "
                             "the data do not look like a relaxation this model describes",
                             name, where, FIT_A_MAX);
    return lrk_error_set(err, LRK_ERR_NOCONVERGE, "%s fit of %s did not converge after %zu iterations (%s)",
                         name, where, gsl_multifit_nlinear_niter(w), gsl_strerror(status));
}

static lrk_status covariance(problem *pr, gsl_multifit_nlinear_workspace *w, fit_solution *out, lrk_error *err)
{
    out->covar = malloc(pr->p * pr->p * sizeof *out->covar);
    if (out->covar == NULL)
        return lrk_error_set(err, LRK_ERR_NOMEM, "fit: out of memory");
    gsl_matrix_view C = gsl_matrix_view_array(out->covar, pr->p, pr->p);
    int status = gsl_multifit_nlinear_covar(gsl_multifit_nlinear_jac(w), FIT_RANK_EPS, &C.matrix);
    double scale = pr->setup->weighted ? 1.0 : out->chi2 / (double)(pr->n - pr->p);
    for (size_t k = 0; status == GSL_SUCCESS && k < pr->p; k++) {
        double var = out->covar[k * pr->p + k];
        if (!(var > 0) || !isfinite(var))
            status = GSL_ESING;
    }
    if (status != GSL_SUCCESS)
        return lrk_error_set(err, LRK_ERR_NOCONVERGE,
                             "%s fit of %s: the data do not determine all %zu parameters (singular "
                             "J^T J): fix the amplitude or plateau, or give more curves or points",
                             lrk_fit_kind_name(pr->setup->kind), where_curves(pr->curves, pr->count), pr->p);
    for (size_t k = 0; k < pr->p * pr->p; k++)
        out->covar[k] *= scale;
    return LRK_OK;
}

lrk_status fit_solve(const fit_setup *s, const lrk_fit_curve *curves, size_t count, const double *theta0,
                     int want_covariance, fit_solution *out, lrk_error *err)
{
    memset(out, 0, sizeof *out);
    lrk_gsl_quiet();
    problem pr;
    lrk_status status = problem_init(&pr, s, curves, count, err);
    if (status == LRK_OK && pr.n <= pr.p)
        status = lrk_error_set(err, LRK_ERR_INVALID, "%s fit of %s: %zu points for %zu parameters",
                               lrk_fit_kind_name(s->kind), where_curves(curves, count), pr.n, pr.p);
    gsl_multifit_nlinear_workspace *w = NULL;
    if (status == LRK_OK) {
        gsl_multifit_nlinear_parameters params = gsl_multifit_nlinear_default_parameters();
        params.trs = gsl_multifit_nlinear_trs_lm;
        w = gsl_multifit_nlinear_alloc(gsl_multifit_nlinear_trust, &params, pr.n, pr.p);
        if (w == NULL)
            status = lrk_error_set(err, LRK_ERR_NOMEM, "fit: cannot allocate the GSL workspace");
    }
    if (status == LRK_OK)
        status = run_lm(&pr, w, theta0, err);
    if (status == LRK_OK) {
        out->p = pr.p;
        out->theta = malloc(pr.p * sizeof *out->theta);
        if (out->theta == NULL)
            status = lrk_error_set(err, LRK_ERR_NOMEM, "fit: out of memory");
    }
    if (status == LRK_OK) {
        memcpy(out->theta, gsl_multifit_nlinear_position(w)->data, pr.p * sizeof *out->theta);
        double chi = gsl_blas_dnrm2(gsl_multifit_nlinear_residual(w));
        out->chi2 = chi * chi;
        out->iterations = gsl_multifit_nlinear_niter(w);
        out->function_evaluations = pr.nf;
        out->jacobian_evaluations = pr.nj;
        for (size_t k = 0; k < pr.p; k++)
            if (!isfinite(out->theta[k]))
                status = lrk_error_set(err, LRK_ERR_NOCONVERGE, "%s fit of %s gave non-finite parameters",
                                       lrk_fit_kind_name(s->kind), where_curves(curves, count));
    }
    if (status == LRK_OK && want_covariance)
        status = covariance(&pr, w, out, err);
    if (w != NULL)
        gsl_multifit_nlinear_free(w);
    problem_free(&pr);
    if (status != LRK_OK)
        fit_solution_free(out);
    return status;
}
