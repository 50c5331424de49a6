/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * fit_report.c - `lrekmc fit` as a library call (fit_model.h): the requested
 * model, the per-curve KWW and LRE forms it is compared with, the beta the
 * joint model predicts, and the output directory.  The comparison is always
 * made because "does the LRE curve beat KWW on these data?" is the question
 * a user of the fit asks first.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "fit_internal.h"
#include "lrekmc/fit.h"
#include "lrekmc/fit_model.h"
#include "lrekmc/output.h"
#include "lrekmc/version.h"

const lrk_fit_result *lrk_fit_report_main(const lrk_fit_report *r)
{
    switch (r->options.kind) {
    case LRK_FIT_KWW: return &r->kww;
    case LRK_FIT_LRE: return &r->lre;
    default: return &r->joint;
    }
}

void lrk_fit_report_free(lrk_fit_report *r)
{
    if (r == NULL)
        return;
    lrk_fit_result_free(&r->kww);
    lrk_fit_result_free(&r->lre);
    lrk_fit_result_free(&r->joint);
    free(r->beta_predicted);
    memset(r, 0, sizeof *r);
}

static double parameter_or(const lrk_fit_result *r, long curve, const char *name, double otherwise)
{
    const lrk_fit_parameter *p = lrk_fit_find(r, curve, name);
    return p != NULL ? p->value : otherwise;
}

/* beta of the KWW fit (fit.h) to the joint model's noise-free q(t) at the
 * curve's own times: what a KWW analysis of these measurements would give
 * if the model were exact. */
static lrk_status predict_beta(const lrk_fit_data *d, lrk_fit_report *r, lrk_error *err)
{
    r->beta_predicted = malloc(d->curve_count * sizeof *r->beta_predicted);
    if (r->beta_predicted == NULL)
        return lrk_error_set(err, LRK_ERR_NOMEM, "fit: out of memory");
    for (size_t j = 0; j < d->curve_count; j++) {
        const lrk_fit_curve *c = &d->curves[j];
        double A = parameter_or(&r->joint, (long)j, "amplitude", 1.0);
        double B = parameter_or(&r->joint, (long)j, "plateau", 0.0);
        double *q = malloc(c->count * sizeof *q);
        if (q == NULL)
            return lrk_error_set(err, LRK_ERR_NOMEM, "fit: out of memory");
        lrk_status status = LRK_OK;
        for (size_t k = 0; k < c->count && status == LRK_OK; k++) {
            double phi;
            status = lrk_fit_evaluate(&r->joint, d, j, c->t[k], &phi, err);
            q[k] = 1.0 - (phi - B) / A;
        }
        lrk_kww_fit fit;
        r->beta_predicted[j] = NAN;
        if (status == LRK_OK && lrk_kww_fit_points(c->t, q, NULL, c->count, &fit, NULL) == LRK_OK)
            r->beta_predicted[j] = fit.beta;
        free(q);
        if (status != LRK_OK)
            return status;
    }
    return LRK_OK;
}

/* A comparison form: a failed fit is recorded, not returned (out of memory is). */
static lrk_status comparison(const lrk_fit_data *d, const lrk_fit_options *o, lrk_fit_result *r, int *failed,
                             lrk_error *why)
{
    lrk_status status = lrk_fit_model(d, o, r, why);
    *failed = status != LRK_OK;
    return status == LRK_ERR_NOMEM ? status : LRK_OK;
}

lrk_status lrk_fit_run(const lrk_fit_data *d, const lrk_fit_options *o, lrk_fit_report *r, lrk_error *err)
{
    if (r == NULL || o == NULL)
        return lrk_error_set(err, LRK_ERR_INVALID, "fit: options and report must not be NULL");
    memset(r, 0, sizeof *r);
    r->options = *o;
    lrk_status status = lrk_fit_check(d, o, err);
    lrk_fit_options other = *o;
    other.bootstrap = 0;
    other.bootstrap_over = LRK_FIT_BOOTSTRAP_POINTS;
    if (status == LRK_OK) {
        other.kind = LRK_FIT_KWW;
        status = o->kind == LRK_FIT_KWW ? lrk_fit_model(d, o, &r->kww, err)
                                        : comparison(d, &other, &r->kww, &r->kww_failed, &r->kww_error);
    }
    if (status == LRK_OK) {
        other.kind = LRK_FIT_LRE;
        status = o->kind == LRK_FIT_LRE ? lrk_fit_model(d, o, &r->lre, err)
                                        : comparison(d, &other, &r->lre, &r->lre_failed, &r->lre_error);
    }
    if (status == LRK_OK && lrk_fit_kind_is_joint(o->kind)) {
        status = lrk_fit_model(d, o, &r->joint, err);
        if (status == LRK_OK)
            status = predict_beta(d, r, err);
    }
    if (status != LRK_OK)
        lrk_fit_report_free(r);
    return status;
}

/* ---- output files ---------------------------------------------------------- */

static void yaml_string(FILE *out, const char *text)
{
    fputc('"', out);
    for (const char *p = text; *p != '\0'; p++) {
        if (*p == '"' || *p == '\\')
            fputc('\\', out);
        fputc(*p, out);
    }
    fputc('"', out);
}

static void yaml_number(FILE *out, const char *key, double value, const char *indent)
{
    fprintf(out, "%s%s: ", indent, key);
    if (isnan(value))
        fputs(".nan\n", out);
    else if (isinf(value))
        fputs(value > 0 ? ".inf\n" : "-.inf\n", out);
    else
        fprintf(out, "%.17g\n", value);
}

static void write_yaml_result(FILE *out, const char *key, const lrk_fit_result *r)
{
    if (r->parameter_count == 0)
        return;
    fprintf(out, "  %s:\n", key);
    fprintf(out, "    points: %zu\n    parameters: %zu\n    dof: %zu\n", r->point_count, r->parameter_count, r->dof);
    yaml_number(out, "chi2", r->chi2, "    ");
    yaml_number(out, "chi2_dof", r->chi2_dof, "    ");
    yaml_number(out, "chi2_p_value", r->chi2_p_value, "    ");
    yaml_number(out, "aic", r->aic, "    ");
    yaml_number(out, "bic", r->bic, "    ");
    fprintf(out, "    iterations: %zu\n    function_evaluations: %zu\n    jacobian_evaluations: %zu\n",
            r->iterations, r->function_evaluations, r->jacobian_evaluations);
    fprintf(out, "    bootstrap_done: %zu\n    bootstrap_failed: %zu\n", r->bootstrap_done, r->bootstrap_failed);
}

static void write_yaml(FILE *out, const lrk_fit_data *d, const lrk_fit_report *r, const char *command_line)
{
    const lrk_fit_options *o = &r->options;
    fputs("# lrekmc fit: inputs, options and the fit statistics (parameters.csv has the values)\n", out);
    fprintf(out, "lrekmc_version: %s\ngit_revision: %s\ncommand: ", lrk_version(), lrk_git_revision());
    yaml_string(out, command_line != NULL ? command_line : "");
    fputs("\ninput:\n  path: ", out);
    yaml_string(out, d->source);
    fprintf(out, "\n  column: %s\n  sigma: %s\n  temperature: %s\n  curve_column: %s\n  curves: %zu\n  points: %zu\n",
            d->input_is_q ? "q" : "phi", d->has_sigma ? "true" : "false", d->has_T ? "true" : "false",
            d->has_curve ? "true" : "false", d->curve_count, d->point_count);
    fprintf(out, "options:\n  model: %s\n  amplitude: %s\n  plateau: %s\n  bootstrap: %zu\n"
            "  bootstrap_over: %s\n  seed: %llu\n  jacobian: %s\n",
            lrk_fit_kind_name(o->kind), o->free_amplitude ? "free" : "fixed at 1",
            o->free_plateau ? "free" : "fixed at 0", o->bootstrap,
            o->bootstrap_over == LRK_FIT_BOOTSTRAP_CURVES ? "curves" : "points", (unsigned long long)o->seed,
            o->numeric_jacobian ? "numeric" : "analytic");
    fprintf(out, "errors: %s\n",
            d->has_sigma ? "\"covariance (J^T W J)^-1 with W = 1/sigma^2, sigma taken as absolute\""
                         : "\"covariance (J^T J)^-1 scaled by chi2/dof (no sigma: the residual variance "
                           "estimates the noise)\"");
    fputs("results:\n", out);
    write_yaml_result(out, "kww", &r->kww);
    write_yaml_result(out, "lre", &r->lre);
    if (lrk_fit_kind_is_joint(o->kind))
        write_yaml_result(out, lrk_fit_kind_name(o->kind), &r->joint);
    if (r->kww_failed) {
        fputs("kww_failed: ", out);
        yaml_string(out, r->kww_error.message);
        fputc('\n', out);
    }
    if (r->lre_failed) {
        fputs("lre_failed: ", out);
        yaml_string(out, r->lre_error.message);
        fputc('\n', out);
    }
    yaml_number(out, "delta_aic_lre_minus_kww", r->kww_failed || r->lre_failed ? NAN : r->lre.aic - r->kww.aic, "");
    if (lrk_fit_kind_is_joint(o->kind))
        yaml_number(out, "delta_aic_joint_minus_kww", r->kww_failed ? NAN : r->joint.aic - r->kww.aic, "");
}

static void write_parameters(FILE *out, const lrk_fit_data *d, const lrk_fit_result *r)
{
    for (size_t k = 0; k < r->parameter_count; k++) {
        const lrk_fit_parameter *p = &r->parameters[k];
        lrk_csv_text(out, lrk_fit_kind_name(r->kind), 1);
        lrk_csv_text(out, p->curve >= 0 ? d->curves[p->curve].label : "", 0);
        lrk_csv_number(out, p->curve >= 0 ? d->curves[p->curve].T : NAN, 0);
        lrk_csv_text(out, p->name, 0);
        lrk_csv_number(out, p->value, 0);
        lrk_csv_number(out, p->error, 0);
        lrk_csv_number(out, p->bootstrap_error, 0);
        fputc('\n', out);
    }
}

static void write_curves(FILE *out, const lrk_fit_data *d, const lrk_fit_report *r)
{
    const lrk_fit_result *fits[3] = {&r->kww, &r->lre, &r->joint};
    size_t nfits = lrk_fit_kind_is_joint(r->options.kind) ? 3 : 2;
    const char *y = d->input_is_q ? "q" : "phi";
    const char *names[3] = {"kww", "lre", lrk_fit_kind_name(r->options.kind)};
    fprintf(out, "curve,T,t,%s,sigma", y);
    for (size_t m = 0; m < nfits; m++)
        fprintf(out, ",fit_%s,residual_%s", names[m], names[m]);
    fputc('\n', out);
    size_t i = 0;
    for (size_t j = 0; j < d->curve_count; j++) {
        const lrk_fit_curve *c = &d->curves[j];
        for (size_t k = 0; k < c->count; k++, i++) {
            double data = d->input_is_q ? 1.0 - c->y[k] : c->y[k];
            lrk_csv_text(out, c->label, 1);
            lrk_csv_number(out, c->T, 0);
            lrk_csv_number(out, c->t[k], 0);
            lrk_csv_number(out, data, 0);
            lrk_csv_number(out, c->sigma != NULL ? c->sigma[k] : NAN, 0);
            for (size_t m = 0; m < nfits; m++) {
                double model = fits[m]->fitted != NULL ? fits[m]->fitted[i] : NAN; /* a failed comparison */
                double fit = d->input_is_q ? 1.0 - model : model;
                lrk_csv_number(out, fit, 0);
                lrk_csv_number(out, data - fit, 0);
            }
            fputc('\n', out);
        }
    }
}

static void comparison_row(FILE *out, const char *scope, lrk_fit_kind kind, size_t n, size_t k, double chi2,
                           int weighted, double best_aic, double best_bic, double *aic_out, double *bic_out)
{
    double base = weighted ? chi2 : (double)n * log(chi2 / (double)n);
    double aic = base + 2.0 * (double)k, bic = base + (double)k * log((double)n);
    if (aic_out != NULL) {
        *aic_out = aic;
        *bic_out = bic;
        return;
    }
    lrk_csv_text(out, scope, 1);
    lrk_csv_text(out, lrk_fit_kind_name(kind), 0);
    lrk_csv_integer(out, (long long)n, 0);
    lrk_csv_integer(out, (long long)k, 0);
    lrk_csv_number(out, chi2, 0);
    lrk_csv_integer(out, (long long)(n - k), 0);
    lrk_csv_number(out, chi2 / (double)(n - k), 0);
    lrk_csv_number(out, aic, 0);
    lrk_csv_number(out, bic, 0);
    lrk_csv_number(out, aic - best_aic, 0);
    lrk_csv_number(out, bic - best_bic, 0);
    fputc('\n', out);
}

/* Rows for scope "all" (every model), then per curve (the per-curve forms). */
static void write_comparison(FILE *out, const lrk_fit_data *d, const lrk_fit_report *r)
{
    const lrk_fit_result *fits[3] = {&r->kww, &r->lre, &r->joint};
    size_t nfits = lrk_fit_kind_is_joint(r->options.kind) ? 3 : 2;
    int w = d->has_sigma;
    fputs("scope,model,points,parameters,chi2,dof,chi2_dof,aic,bic,delta_aic,delta_bic\n", out);
    double best_aic = INFINITY, best_bic = INFINITY, aic, bic;
    for (size_t m = 0; m < nfits; m++) {
        if (fits[m]->parameter_count == 0)
            continue; /* a failed comparison */
        best_aic = fmin(best_aic, fits[m]->aic);
        best_bic = fmin(best_bic, fits[m]->bic);
    }
    for (size_t m = 0; m < nfits; m++)
        if (fits[m]->parameter_count > 0)
            comparison_row(out, "all", fits[m]->kind, fits[m]->point_count, fits[m]->parameter_count, fits[m]->chi2,
                       w, best_aic, best_bic, NULL, NULL);
    for (size_t j = 0; j < d->curve_count; j++) {
        size_t n = d->curves[j].count;
        best_aic = best_bic = INFINITY;
        if (r->kww_failed || r->lre_failed)
            break;
        for (size_t m = 0; m < 2; m++) {
            comparison_row(out, "", fits[m]->kind, n, fits[m]->curve_parameters[j], fits[m]->curve_chi2[j], w, 0, 0,
                           &aic, &bic);
            best_aic = fmin(best_aic, aic);
            best_bic = fmin(best_bic, bic);
        }
        for (size_t m = 0; m < 2; m++)
            comparison_row(out, d->curves[j].label, fits[m]->kind, n, fits[m]->curve_parameters[j],
                           fits[m]->curve_chi2[j], w, best_aic, best_bic, NULL, NULL);
    }
}

static void write_beta(FILE *out, const lrk_fit_data *d, const lrk_fit_report *r)
{
    fputs("curve,T,beta_kww,beta_kww_err,tau_kww,tau_kww_err,a_lre,a_lre_err,beta_predicted\n", out);
    for (size_t j = 0; j < d->curve_count; j++) {
        const lrk_fit_parameter *beta = lrk_fit_find(&r->kww, (long)j, "beta");
        const lrk_fit_parameter *tau = lrk_fit_find(&r->kww, (long)j, "tau");
        const lrk_fit_parameter *a = lrk_fit_find(&r->lre, (long)j, "a");
        lrk_csv_text(out, d->curves[j].label, 1);
        lrk_csv_number(out, d->curves[j].T, 0);
        lrk_csv_number(out, beta != NULL ? beta->value : NAN, 0);
        lrk_csv_number(out, beta != NULL ? beta->error : NAN, 0);
        lrk_csv_number(out, tau != NULL ? tau->value : NAN, 0);
        lrk_csv_number(out, tau != NULL ? tau->error : NAN, 0);
        lrk_csv_number(out, a != NULL ? a->value : NAN, 0);
        lrk_csv_number(out, a != NULL ? a->error : NAN, 0);
        lrk_csv_number(out, r->beta_predicted != NULL ? r->beta_predicted[j] : NAN, 0);
        fputc('\n', out);
    }
}

enum { OUT_YAML, OUT_PARAMETERS, OUT_CURVES, OUT_COMPARISON, OUT_BETA, OUT_COUNT };

lrk_status lrk_fit_write(const char *dir, const lrk_fit_data *d, const lrk_fit_report *r,
                         const char *command_line, lrk_error *err)
{
    static const char *names[OUT_COUNT] = {"fit.yaml", "parameters.csv", "curves.csv", "comparison.csv",
                                           "beta.csv"};
    if (dir == NULL || d == NULL || r == NULL || lrk_fit_report_main(r)->parameter_count == 0)
        return lrk_error_set(err, LRK_ERR_INVALID, "fit write: nothing to write");
    lrk_status status = lrk_make_directories(dir, err);
    lrk_output_file files[OUT_COUNT];
    size_t opened = 0;
    for (; status == LRK_OK && opened < OUT_COUNT; opened++) {
        char *path = lrk_path_join(dir, names[opened]);
        status = path != NULL ? lrk_output_open(&files[opened], path, err)
                              : lrk_error_set(err, LRK_ERR_NOMEM, "out of memory");
        free(path);
        if (status != LRK_OK)
            break;
    }
    if (status == LRK_OK) {
        write_yaml(files[OUT_YAML].stream, d, r, command_line);
        FILE *p = files[OUT_PARAMETERS].stream;
        fputs("model,curve,T,parameter,value,error,bootstrap_error\n", p);
        write_parameters(p, d, &r->kww);
        write_parameters(p, d, &r->lre);
        if (lrk_fit_kind_is_joint(r->options.kind))
            write_parameters(p, d, &r->joint);
        write_curves(files[OUT_CURVES].stream, d, r);
        write_comparison(files[OUT_COMPARISON].stream, d, r);
        write_beta(files[OUT_BETA].stream, d, r);
    }
    /* Every file is written before any is committed: an error leaves none new. */
    for (size_t k = 0; k < opened; k++) {
        if (status == LRK_OK)
            status = lrk_output_commit(&files[k], err);
        else
            lrk_output_abandon(&files[k]);
    }
    return status;
}
