/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * fit_result.c - lrk_fit_check and lrk_fit_model (fit_model.h): the checks
 * that depend on the model and options, the solve per curve or jointly, and
 * the result a user reads (parameters with errors, fitted curves, chi^2,
 * AIC, BIC).
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_cdf.h>

#include "fit_internal.h"
#include "lrekmc/fit_model.h"

#define PHI_MIN (-0.5)
#define PHI_MAX 1.5

static lrk_status at_point(lrk_error *err, const lrk_fit_data *d, const lrk_fit_curve *c, size_t k,
                           const char *text)
{
    if (!d->from_file)
        return lrk_error_set(err, LRK_ERR_INVALID, "%s point %zu: %s", d->source, c->line[k], text);
    return lrk_error_set(err, LRK_ERR_INVALID, "%s:%zu:%zu: %s", d->source, c->line[k], c->column[k], text);
}

static size_t distinct_T(const lrk_fit_data *d)
{
    size_t n = 0;
    for (size_t j = 0; j < d->curve_count; j++) {
        int seen = 0;
        for (size_t m = 0; m < j && !seen; m++)
            seen = d->curves[m].T == d->curves[j].T;
        n += !seen;
    }
    return n;
}

static lrk_status check_options(const lrk_fit_options *o, lrk_error *err)
{
    if (lrk_fit_kind_name(o->kind) == NULL)
        return lrk_error_set(err, LRK_ERR_INVALID, "model: unknown kind %d", (int)o->kind);
    if (o->bootstrap > LRK_FIT_MAX_BOOTSTRAP)
        return lrk_error_set(err, LRK_ERR_INVALID, "--bootstrap: expected 0 to %d replicates, got %zu",
                             LRK_FIT_MAX_BOOTSTRAP, o->bootstrap);
    if (o->bootstrap_over != LRK_FIT_BOOTSTRAP_POINTS && o->bootstrap_over != LRK_FIT_BOOTSTRAP_CURVES)
        return lrk_error_set(err, LRK_ERR_INVALID, "--bootstrap-over: expected points or curves");
    if (o->bootstrap_over == LRK_FIT_BOOTSTRAP_CURVES && !lrk_fit_kind_is_joint(o->kind))
        return lrk_error_set(err, LRK_ERR_INVALID,
                             "--bootstrap-over curves needs a joint model (ser, cer, crossover): model %s "
                             "fits each curve alone; use --bootstrap-over points",
                             lrk_fit_kind_name(o->kind));
    return LRK_OK;
}

lrk_status lrk_fit_check(const lrk_fit_data *d, const lrk_fit_options *o, lrk_error *err)
{
    if (d == NULL || o == NULL || d->curve_count == 0)
        return lrk_error_set(err, LRK_ERR_INVALID, "fit: no data");
    lrk_status status = check_options(o, err);
    if (status != LRK_OK)
        return status;
    char text[LRK_ERROR_MESSAGE_SIZE];
    size_t per_curve = 2 + (size_t)(o->free_amplitude != 0) + (size_t)(o->free_plateau != 0);
    for (size_t j = 0; j < d->curve_count; j++) {
        const lrk_fit_curve *c = &d->curves[j];
        if (c->count <= per_curve) {
            snprintf(text, sizeof text,
                     "curve '%s' has %zu point%s; a fit needs at least %zu (%zu parameters per curve, + 1)",
                     c->label, c->count, c->count == 1 ? "" : "s", per_curve + 1, per_curve);
            return at_point(err, d, c, 0, text);
        }
        for (size_t k = 0; k < c->count && !o->free_amplitude; k++) {
            if (c->y[k] >= PHI_MIN && c->y[k] <= PHI_MAX)
                continue;
            double v = d->input_is_q ? 1.0 - c->y[k] : c->y[k];
            snprintf(text, sizeof text,
                     "%s = %g is outside [%g, %g]: normalise the data (%s) or free the amplitude "
                     "(--amplitude)", d->input_is_q ? "q" : "phi", v, PHI_MIN, PHI_MAX,
                     d->input_is_q ? "q ~ 0 -> 1" : "phi ~ 1 -> 0");
            return at_point(err, d, c, k, text);
        }
    }
    if (!lrk_fit_kind_is_joint(o->kind))
        return LRK_OK;
    const char *name = lrk_fit_kind_name(o->kind);
    if (!d->has_T)
        return lrk_error_set(err, LRK_ERR_INVALID,
                             "%s: model %s fits all curves together and needs the temperature of each "
                             "curve: add a column T", d->source, name);
    size_t need = o->kind == LRK_FIT_CROSSOVER ? 3 : 2, have = distinct_T(d);
    if (have < need)
        return lrk_error_set(err, LRK_ERR_INVALID,
                             "%s: model %s needs curves at %zu or more distinct temperatures (it fits %s "
                             "across T); the data have %zu",
                             d->source, name, need,
                             o->kind == LRK_FIT_CROSSOVER ? "V0, V1, tau0, A and T0" : "V0, V1 and tau0", have);
    return LRK_OK;
}

/* ---- the result ----------------------------------------------------------- */

static lrk_status allocate_result(lrk_fit_result *r, const fit_setup *s, const lrk_fit_data *d, lrk_error *err)
{
    memset(r, 0, sizeof *r);
    r->kind = s->kind;
    r->weighted = s->weighted;
    r->point_count = d->point_count;
    r->curve_count = d->curve_count;
    r->theta_count = fit_total_count(s, d->curve_count);
    r->parameter_count = r->theta_count;
    r->numeric_jacobian = s->numeric_jacobian;
    r->free_amplitude = s->free_amplitude;
    r->free_plateau = s->free_plateau;
    r->parameters = calloc(r->parameter_count, sizeof *r->parameters);
    r->theta = calloc(r->theta_count, sizeof *r->theta);
    r->fitted = calloc(d->point_count, sizeof *r->fitted);
    r->curve_chi2 = calloc(d->curve_count, sizeof *r->curve_chi2);
    r->curve_parameters = calloc(d->curve_count, sizeof *r->curve_parameters);
    if (r->parameters == NULL || r->theta == NULL || r->fitted == NULL || r->curve_chi2 == NULL ||
        r->curve_parameters == NULL)
        return lrk_error_set(err, LRK_ERR_NOMEM, "fit: out of memory");
    return LRK_OK;
}

/* Name, value and Jacobian error of entry k of theta from its variance. */
static void set_parameter(const fit_setup *s, lrk_fit_result *r, size_t k, double variance)
{
    size_t ns = fit_shared_count(s->kind), nb = fit_block_count(s);
    int is_log = 0;
    lrk_fit_parameter *p = &r->parameters[k];
    if (k < ns) {
        p->curve = -1;
        p->name = fit_parameter_name(s, k, 1, &is_log);
    } else {
        p->curve = (long)((k - ns) / nb);
        p->name = fit_parameter_name(s, (k - ns) % nb, 0, &is_log);
    }
    p->value = is_log ? exp(r->theta[k]) : r->theta[k];
    p->error = sqrt(variance) * (is_log ? p->value : 1.0);
    p->bootstrap_error = NAN;
}

static lrk_status solve_all(const fit_setup *s, const lrk_fit_data *d, lrk_fit_result *r, lrk_error *err)
{
    size_t p = r->theta_count;
    if (lrk_fit_kind_is_joint(s->kind)) {
        lrk_status status = fit_start(s, d->curves, d->curve_count, r->theta, err);
        fit_solution sol;
        if (status == LRK_OK)
            status = fit_solve(s, d->curves, d->curve_count, r->theta, 1, &sol, err);
        if (status != LRK_OK)
            return status;
        memcpy(r->theta, sol.theta, p * sizeof *r->theta);
        for (size_t k = 0; k < p; k++)
            set_parameter(s, r, k, sol.covar[k * p + k]);
        r->iterations = sol.iterations;
        r->function_evaluations = sol.function_evaluations;
        r->jacobian_evaluations = sol.jacobian_evaluations;
        fit_solution_free(&sol);
        return LRK_OK;
    }
    size_t nb = fit_block_count(s);
    for (size_t j = 0; j < d->curve_count; j++) {
        double *block = r->theta + j * nb;
        fit_solution sol;
        lrk_status status = fit_start(s, &d->curves[j], 1, block, err);
        if (status == LRK_OK)
            status = fit_solve(s, &d->curves[j], 1, block, 1, &sol, err);
        if (status != LRK_OK)
            return status;
        memcpy(block, sol.theta, nb * sizeof *block);
        for (size_t k = 0; k < nb; k++)
            set_parameter(s, r, j * nb + k, sol.covar[k * nb + k]);
        r->curve_parameters[j] = nb;
        r->iterations += sol.iterations;
        r->function_evaluations += sol.function_evaluations;
        r->jacobian_evaluations += sol.jacobian_evaluations;
        fit_solution_free(&sol);
    }
    return LRK_OK;
}

static lrk_status statistics(const fit_setup *s, const lrk_fit_data *d, lrk_fit_result *r, lrk_error *err)
{
    size_t i = 0;
    r->chi2 = 0;
    for (size_t j = 0; j < d->curve_count; j++) {
        const lrk_fit_curve *c = &d->curves[j];
        for (size_t k = 0; k < c->count; k++, i++) {
            lrk_status status = fit_phi(s, r->theta, j, c, c->t[k], &r->fitted[i], err);
            if (status != LRK_OK)
                return status;
            double res = (c->y[k] - r->fitted[i]) / (s->weighted ? c->sigma[k] : 1.0);
            r->curve_chi2[j] += res * res;
        }
        r->chi2 += r->curve_chi2[j];
    }
    double n = (double)r->point_count, k = (double)r->parameter_count;
    r->dof = r->point_count - r->parameter_count;
    r->chi2_dof = r->chi2 / (double)r->dof;
    if (s->weighted) {
        r->chi2_p_value = gsl_cdf_chisq_Q(r->chi2, (double)r->dof);
        r->aic = r->chi2 + 2 * k;
        r->bic = r->chi2 + k * log(n);
    } else {
        double base = n * log(r->chi2 / n);
        r->chi2_p_value = NAN;
        r->aic = base + 2 * k;
        r->bic = base + k * log(n);
    }
    return LRK_OK;
}

lrk_status lrk_fit_model(const lrk_fit_data *d, const lrk_fit_options *o, lrk_fit_result *r, lrk_error *err)
{
    if (r == NULL)
        return lrk_error_set(err, LRK_ERR_INVALID, "fit: result must not be NULL");
    memset(r, 0, sizeof *r);
    lrk_status status = lrk_fit_check(d, o, err);
    if (status != LRK_OK)
        return status;
    fit_setup s = fit_setup_from(o, d);
    status = allocate_result(r, &s, d, err);
    if (status == LRK_OK)
        status = solve_all(&s, d, r, err);
    if (status == LRK_OK)
        status = statistics(&s, d, r, err);
    if (status == LRK_OK && o->bootstrap > 0)
        status = fit_bootstrap(&s, d, o, r->theta, r, err);
    if (status != LRK_OK)
        lrk_fit_result_free(r);
    return status;
}

void lrk_fit_result_free(lrk_fit_result *r)
{
    if (r == NULL)
        return;
    free(r->parameters);
    free(r->theta);
    free(r->fitted);
    free(r->curve_chi2);
    free(r->curve_parameters);
    memset(r, 0, sizeof *r);
}

const lrk_fit_parameter *lrk_fit_find(const lrk_fit_result *r, long curve, const char *name)
{
    for (size_t k = 0; r != NULL && k < r->parameter_count; k++)
        if (r->parameters[k].curve == curve && strcmp(r->parameters[k].name, name) == 0)
            return &r->parameters[k];
    return NULL;
}

lrk_status lrk_fit_evaluate(const lrk_fit_result *r, const lrk_fit_data *d, size_t curve, double t,
                            double *phi, lrk_error *err)
{
    if (r == NULL || d == NULL || phi == NULL || r->theta == NULL || curve >= d->curve_count ||
        r->curve_count != d->curve_count)
        return lrk_error_set(err, LRK_ERR_INVALID, "fit evaluate: no such curve %zu, or not this data's fit",
                             curve);
    if (!(t >= 0) || !isfinite(t))
        return lrk_error_set(err, LRK_ERR_INVALID, "fit evaluate: t = %g: expected a finite t >= 0", t);
    fit_setup s = {r->kind, r->free_amplitude, r->free_plateau, r->weighted, 0};
    return fit_phi(&s, r->theta, curve, &d->curves[curve], t, phi, err);
}
